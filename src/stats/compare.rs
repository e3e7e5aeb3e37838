//! Paired comparison of arms against the baseline: replication i of every arm ran on the same
//! random numbers, so differences are taken within a replication and then summarised.

use super::quantile_sorted;
use crate::runner::{ArmResult, ReplicationSummary};

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

/// One arm against the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmComparison {
    /// The arm.
    pub arm: String,
    /// Replications compared.
    pub replications: usize,
    /// NPV, currency units.
    pub npv: Interval,
    /// Cumulative profit at the horizon, currency units.
    pub cumulative_profit: Interval,
    /// Present value of direct spending on interventions, currency units.
    pub investment: Interval,
    /// NPV minus the baseline's, paired by replication.
    pub delta_npv: Interval,
    /// Share of replications in which the arm's NPV beats the baseline's.
    pub p_beats_baseline: f64,
    /// Return on investment, (ΔNPV) / (Δinvestment), per replication; NaN without investment.
    pub roi: Interval,
    /// Payback week (first week cumulative Δprofit stays above zero): median, 5th and 95th
    /// percentiles over the replications that pay back.
    pub payback_week: [f64; 3],
    /// Share of replications that pay back within the horizon.
    pub paid_back_share: f64,
    /// Share of replications in which this arm has the highest NPV of all arms.
    pub p_best: f64,
}

/// One replication's ROI: the NPV gain `delta_npv` over the extra investment of the arm
/// (`investment`) above the baseline's (`baseline_investment`), both present values. Where the
/// two spend about the same (less than 1% apart, e.g. per-employee costs on different
/// headcounts) the ratio is noise over a near-zero denominator, so it is NaN (undefined).
pub fn paired_roi(delta_npv: f64, investment: f64, baseline_investment: f64) -> f64 {
    let extra = investment - baseline_investment;
    if extra >= 1.0 && extra >= 0.01 * investment.max(baseline_investment) {
        delta_npv / extra
    } else {
        f64::NAN
    }
}

/// Compares every arm with arm `baseline`, pairing replications by index.
pub fn compare(arms: &[ArmResult], baseline: usize) -> Vec<ArmComparison> {
    let reps = arms.iter().map(|a| a.replications.len()).min().unwrap_or(0);
    let base = &arms[baseline].replications;
    // The best arm of each replication (ties go to the earlier arm).
    let best: Vec<usize> = (0..reps)
        .map(|r| {
            (0..arms.len()).fold(0, |b, a| {
                if arms[a].replications[r].npv > arms[b].replications[r].npv {
                    a
                } else {
                    b
                }
            })
        })
        .collect();
    arms.iter()
        .enumerate()
        .map(|(k, arm)| {
            let x: &[ReplicationSummary] = &arm.replications[..reps];
            let delta: Vec<f64> = x.iter().zip(base).map(|(a, b)| a.npv - b.npv).collect();
            let roi = delta
                .iter()
                .zip(x.iter().zip(base))
                .map(|(d, (a, b))| paired_roi(*d, a.investment, b.investment));
            let mut paid: Vec<f64> = x
                .iter()
                .map(|s| s.payback_week)
                .filter(|w| w.is_finite())
                .collect();
            paid.sort_by(f64::total_cmp);
            let payback_week = if paid.is_empty() {
                [f64::NAN; 3]
            } else {
                [
                    quantile_sorted(&paid, 0.5),
                    quantile_sorted(&paid, 0.05),
                    quantile_sorted(&paid, 0.95),
                ]
            };
            let share = |n: usize| {
                if reps > 0 {
                    n as f64 / reps as f64
                } else {
                    f64::NAN
                }
            };
            ArmComparison {
                arm: arm.name.clone(),
                replications: reps,
                npv: mean_interval(x.iter().map(|s| s.npv)),
                cumulative_profit: mean_interval(x.iter().map(|s| s.cumulative_profit)),
                investment: mean_interval(x.iter().map(|s| s.investment)),
                delta_npv: mean_interval(delta.iter().copied()),
                p_beats_baseline: if k == baseline {
                    f64::NAN
                } else {
                    share(delta.iter().filter(|&&d| d > 0.0).count())
                },
                roi: mean_interval(roi),
                payback_week,
                paid_back_share: if k == baseline {
                    f64::NAN
                } else {
                    share(paid.len())
                },
                p_best: share(best.iter().filter(|&&b| b == k).count()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, stream};
    use crate::model::sampling::normal;

    #[test]
    fn roi_needs_an_investment_of_the_arms_own() {
        assert_eq!(paired_roi(10.0, 5.0, 0.0), 2.0);
        assert_eq!(paired_roi(10.0, 1000.0, 980.0), 0.5);
        // Less than one currency unit, or less than 1% of the spend, more than the baseline.
        assert!(paired_roi(10.0, 100.5, 100.0).is_nan());
        assert!(paired_roi(10.0, 1000.0, 995.0).is_nan());
        assert!(paired_roi(10.0, 0.0, 0.0).is_nan());
    }

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
