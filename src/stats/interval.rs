//! Confidence intervals of a mean: Student's t over replications.

/// A mean with its two-sided 95% confidence interval (Student's t); NaN where undefined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Sample mean.
    pub mean: f64,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Values the interval rests on (NaN values are left out).
    pub n: usize,
}

impl Interval {
    /// Half the interval's width.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (table to 30, then the
/// Cornish-Fisher expansion about the normal, accurate to 1e-4 there).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            let z: f64 = 1.959_963_985;
            let d = df as f64;
            z + (z.powi(3) + z) / (4.0 * d)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z)
                    / (384.0 * d.powi(3))
        }
    }
}

/// Mean and 95% interval of the finite values of `x`.
pub fn mean_interval(x: impl IntoIterator<Item = f64>) -> Interval {
    let v: Vec<f64> = x.into_iter().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        return Interval {
            mean: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
            n,
        };
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Interval {
            mean,
            lo: f64::NAN,
            hi: f64::NAN,
            n,
        };
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_975(n - 1) * (var / n as f64).sqrt();
    Interval {
        mean,
        lo: mean - half,
        hi: mean + half,
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, stream};
    use crate::engine::sample::normal;

    #[test]
    fn t_quantiles_match_tables() {
        assert_eq!(t_975(1), 12.706);
        assert!((t_975(40) - 2.021).abs() < 1e-3);
        assert!((t_975(120) - 1.980).abs() < 1e-3);
        assert!((t_975(100_000) - 1.960).abs() < 1e-3);
    }

    #[test]
    fn interval_covers_the_true_mean_95_percent_of_the_time() {
        // 2,000 samples of 12 normals with mean 3: the count of intervals covering 3 is
        // Binomial(2000, 0.95), sd 9.7; 4 sd either side is 1900 +/- 39.
        let mut rng = stream(77, 0, 0, Purpose::Setup);
        let covered = (0..2000)
            .filter(|_| {
                let i = mean_interval((0..12).map(|_| 3.0 + 2.0 * normal(&mut rng)));
                i.lo <= 3.0 && 3.0 <= i.hi
            })
            .count();
        assert!(
            (1861..=1939).contains(&covered),
            "covered {covered} of 2000"
        );
    }
}
