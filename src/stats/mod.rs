//! Summaries across replications: means and percentiles, gathered in replication order so the
//! result does not depend on how many threads produced it.
//!
//! Percentiles are exact by default ([`store::Samples`]: every replication's value kept, in a
//! temporary file a block at a time; Hyndman & Fan type 7); past a run's budget for kept values
//! they come from a sketch clamped into the exact range of the data ([`sketch::Sketch`]). Either
//! way a percentile never lies outside the [min, max] of the values it summarises, and constant
//! data give exactly the constant.

mod bits;
pub mod compare;
pub mod interval;
pub mod series;
pub mod sketch;
pub mod store;

pub use interval::{Interval, mean_interval, t_975};
pub use store::{QuantileMethod, QuantileStore, Samples, SpillError};

/// The percentiles every summary reports.
pub const PERCENTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// Mean and percentiles of one quantity across replications (NaN when no replication had a value).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    /// Replications in which the quantity was defined (not NaN): what the figures summarise.
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// 5th, 25th, 50th, 75th and 95th percentiles.
    pub p: [f64; 5],
}

impl Quantiles {
    /// The summary of no value at all: every figure NaN.
    pub const UNDEFINED: Quantiles = Quantiles {
        count: 0,
        mean: f64::NAN,
        p: [f64::NAN; 5],
    };

    /// Summarises `values`, given in replication order, ignoring NaN (an undefined metric in
    /// that replication). The mean is [`mean_in_order`]'s; percentiles interpolate linearly
    /// between order statistics (Hyndman & Fan type 7, [`quantile_sorted`]). `values` is left
    /// reordered.
    pub fn of(values: &mut [f64]) -> Quantiles {
        // Keep the defined values at the front, in their order (the mean's summation order).
        let mut n = 0;
        for i in 0..values.len() {
            if !values[i].is_nan() {
                values[n] = values[i];
                n += 1;
            }
        }
        let v = &mut values[..n];
        if v.is_empty() {
            return Quantiles::UNDEFINED;
        }
        let mean = mean_in_order(v);
        v.sort_unstable_by(f64::total_cmp);
        let p = PERCENTILES.map(|q| quantile_sorted(v, q));
        Quantiles {
            count: n as u64,
            mean,
            p,
        }
    }

    /// The median.
    pub fn median(&self) -> f64 {
        self.p[2]
    }
}

/// The mean of non-empty, NaN-free `values`, summed in the order given (replication order, so
/// the result is the same on any thread count or sharding). Values are summed as their
/// distances from the smallest, with Neumaier's compensation, and the mean is kept within
/// [min, max]: constant data give exactly the constant, and the rounding error stays at a few
/// ulps of the range rather than of the magnitudes.
pub fn mean_in_order(values: &[f64]) -> f64 {
    let (lo, hi) = values.iter().fold((values[0], values[0]), |(lo, hi), &x| {
        (
            if x.total_cmp(&lo).is_lt() { x } else { lo },
            if x.total_cmp(&hi).is_gt() { x } else { hi },
        )
    });
    if lo == hi {
        return lo;
    }
    let n = values.len() as f64;
    if !(lo.is_finite() && hi.is_finite()) {
        return values.iter().sum::<f64>() / n;
    }
    let (mut sum, mut carry) = (0.0f64, 0.0f64);
    for &x in values {
        let d = x - lo;
        let t = sum + d;
        carry += if sum.abs() >= d.abs() {
            (sum - t) + d
        } else {
            (d - t) + sum
        };
        sum = t;
    }
    (lo + (sum + carry) / n).clamp(lo, hi)
}

/// The `q` quantile of sorted, non-empty data (type 7): linear interpolation between the order
/// statistics of ranks floor(h) and ceil(h), h = (n - 1) q, never outside them (rounding could
/// otherwise put it an ulp beyond).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let (a, b) = (sorted[lo], sorted[hi]);
    let x = a + (h - lo as f64) * (b - a);
    if x > b {
        b
    } else if x < a {
        a
    } else {
        x
    }
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
        assert_eq!(s.count, 101);
        assert_eq!(s.p, [6.0, 26.0, 51.0, 76.0, 96.0]);
        assert!(Quantiles::of(&mut [f64::NAN]).mean.is_nan());
        assert_eq!(Quantiles::of(&mut [f64::NAN]).count, 0);
        assert_eq!(quantile_sorted(&[1.0, 2.0], 0.5), 1.5);
    }

    #[test]
    fn constant_data_give_the_constant_exactly() {
        // 0.1 + 0.1 + 0.1 is 0.30000000000000004 and /3 is not 0.1: a plain mean would miss.
        for c in [0.1, 150_000.0, 9.975, -3.3, 0.0] {
            let mut v = vec![c; 7];
            v.insert(3, f64::NAN);
            let s = Quantiles::of(&mut v);
            assert_eq!(s.mean.to_bits(), c.to_bits(), "{c}");
            assert!(
                s.p.iter().all(|p| p.to_bits() == c.to_bits()),
                "{c}: {:?}",
                s.p
            );
        }
    }

    #[test]
    fn means_and_percentiles_stay_within_the_data() {
        // Magnitudes far apart make a + t (b - a) round; the result must stay in [min, max].
        let mut v: Vec<f64> = (0..97)
            .map(|i| 1e16 * f64::from(i % 7) - 3.0 + f64::from(i).sin() * 1e-3)
            .collect();
        let (lo, hi) = v
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &x| (l.min(x), h.max(x)));
        let s = Quantiles::of(&mut v);
        assert!((lo..=hi).contains(&s.mean));
        assert!(s.p.iter().all(|p| (lo..=hi).contains(p)), "{:?}", s.p);
        assert!(s.p.windows(2).all(|w| w[0] <= w[1]));
        // The mean is summed in the order given: the same values in the same order, same bits.
        let xs: Vec<f64> = (0..1000)
            .map(|i| (f64::from(i) * 0.7).cos() * 1e4)
            .collect();
        assert_eq!(
            mean_in_order(&xs).to_bits(),
            mean_in_order(&xs.clone()).to_bits()
        );
        let exact = xs.iter().sum::<f64>() / 1000.0;
        assert!((mean_in_order(&xs) - exact).abs() < 1e-9);
    }
}
