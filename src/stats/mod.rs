//! Summaries across replications: means and percentiles, gathered in replication order so the
//! result does not depend on how many threads produced it.

pub mod compare;
pub mod interval;
pub mod series;
pub mod sketch;

pub use interval::{Interval, mean_interval, t_975};

/// The percentiles every summary reports.
pub const PERCENTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// Mean and percentiles of one quantity across replications (NaN when no replication had a value).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    /// Mean.
    pub mean: f64,
    /// 5th, 25th, 50th, 75th and 95th percentiles.
    pub p: [f64; 5],
}

impl Quantiles {
    /// Summarises `values`, ignoring NaN (an undefined metric in that replication). Percentiles
    /// interpolate linearly between order statistics (Hyndman & Fan type 7).
    pub fn of(values: &mut [f64]) -> Quantiles {
        let mut n = 0;
        for i in 0..values.len() {
            if !values[i].is_nan() {
                values.swap(n, i);
                n += 1;
            }
        }
        let v = &mut values[..n];
        if v.is_empty() {
            return Quantiles {
                mean: f64::NAN,
                p: [f64::NAN; 5],
            };
        }
        v.sort_by(f64::total_cmp);
        let mean = v.iter().sum::<f64>() / n as f64;
        let p = PERCENTILES.map(|q| quantile_sorted(v, q));
        Quantiles { mean, p }
    }

    /// The median.
    pub fn median(&self) -> f64 {
        self.p[2]
    }
}

/// The `q` quantile of sorted, non-empty data (type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_known_data() {
        let mut v: Vec<f64> = (1..=101).map(f64::from).rev().collect();
        v.push(f64::NAN);
        let s = Quantiles::of(&mut v);
        assert_eq!(s.mean, 51.0);
        assert_eq!(s.p, [6.0, 26.0, 51.0, 76.0, 96.0]);
        assert!(Quantiles::of(&mut [f64::NAN]).mean.is_nan());
        assert_eq!(quantile_sorted(&[1.0, 2.0], 0.5), 1.5);
    }
}
