//! Paired comparison of arms against the baseline: replication i of every arm ran on the same
//! random numbers, so differences are taken within a replication and then summarised.

use super::interval::{Interval, mean_interval};
use super::quantile_sorted;

/// What a paired comparison reads of one replication of one arm (plain numbers: stats knows
/// nothing of the runner).
pub trait Paired {
    /// Net present value, currency units.
    fn npv(&self) -> f64;
    /// Present value of the arm's direct spending on interventions, currency units.
    fn investment(&self) -> f64;
    /// Net cash flow over the horizon, undiscounted, currency units.
    fn cumulative_cash_flow(&self) -> f64;
    /// Payback week against the baseline in the same replication, from undiscounted cash flows
    /// (NaN: not within the horizon, or the baseline).
    fn payback_week(&self) -> f64;
    /// The same from discounted cash flows.
    fn discounted_payback_week(&self) -> f64;
}

/// One arm against the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmComparison {
    /// The arm.
    pub arm: String,
    /// Replications compared.
    pub replications: usize,
    /// NPV of the cash flows (with the terminal value, when one is asked for), currency units:
    /// mean and 95% confidence interval of the mean.
    pub npv: Interval,
    /// Net cash flow over the horizon, undiscounted, currency units.
    pub cumulative_cash_flow: Interval,
    /// Present value of direct spending on interventions, currency units.
    pub investment: Interval,
    /// NPV minus the baseline's, paired by replication.
    pub delta_npv: Interval,
    /// Share of replications in which the arm's NPV beats the baseline's.
    pub p_beats_baseline: f64,
    /// Return on the incremental investment: mean ΔNPV over the mean present value of the
    /// arm's spending above the baseline's, with a delta-method 95% confidence interval
    /// (paired by replication); NaN where the arm spends about what the baseline spends.
    pub roi: Interval,
    /// Payback week from undiscounted cash (the first week from which the cumulative
    /// incremental cash flow stays non-negative): median, 5th and 95th percentiles across
    /// replications, a replication that does not pay back within the horizon counting as
    /// infinitely late (so an infinite median reads "not within the horizon").
    pub payback_week: [f64; 3],
    /// The same from discounted cash flows.
    pub discounted_payback_week: [f64; 3],
    /// Share of replications that pay back (undiscounted) within the horizon.
    pub paid_back_share: f64,
    /// Share of replications in which this arm has the highest NPV of all arms.
    pub p_best: f64,
}

/// The ratio of the means of `num` and `den` (paired samples) with a delta-method 95%
/// confidence interval; NaN where the mean of `den` is not clearly above zero (below 1, or
/// below 1% of `scale`: a ratio over a near-zero denominator is noise).
pub fn ratio_of_means(num: &[f64], den: &[f64], scale: f64) -> Interval {
    let n = num.len().min(den.len());
    let undefined = Interval {
        mean: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
        n,
    };
    if n == 0 {
        return undefined;
    }
    let nf = n as f64;
    let (mx, my) = (
        num[..n].iter().sum::<f64>() / nf,
        den[..n].iter().sum::<f64>() / nf,
    );
    if !(my >= 1.0 && my >= 0.01 * scale) {
        return undefined;
    }
    let ratio = mx / my;
    if n < 2 {
        return Interval {
            mean: ratio,
            lo: f64::NAN,
            hi: f64::NAN,
            n,
        };
    }
    // Var(x̄ - R ȳ) / ȳ², from the residuals d_i = x_i - R y_i.
    let var_d = num[..n]
        .iter()
        .zip(&den[..n])
        .map(|(x, y)| (x - ratio * y).powi(2))
        .sum::<f64>()
        / (nf - 1.0);
    let half = super::t_975(n - 1) * (var_d / nf).sqrt() / my;
    Interval {
        mean: ratio,
        lo: ratio - half,
        hi: ratio + half,
        n,
    }
}

/// The median, 5th and 95th percentiles of payback weeks, a NaN (no payback within the
/// horizon) counting as infinitely late.
fn payback_quantiles(weeks: impl Iterator<Item = f64>) -> [f64; 3] {
    let mut w: Vec<f64> = weeks
        .map(|x| if x.is_nan() { f64::INFINITY } else { x })
        .collect();
    if w.is_empty() {
        return [f64::NAN; 3];
    }
    w.sort_by(f64::total_cmp);
    // Type 7 interpolation between an infinite and a finite rank is infinite, as it should be.
    [0.5, 0.05, 0.95].map(|q| {
        let v = quantile_sorted(&w, q);
        if v.is_nan() { f64::INFINITY } else { v }
    })
}

/// Compares every arm (its name and its replications, in replication order) with arm
/// `baseline`, pairing replications by index.
pub fn compare<R: Paired>(arms: &[(&str, &[R])], baseline: usize) -> Vec<ArmComparison> {
    let reps = arms.iter().map(|a| a.1.len()).min().unwrap_or(0);
    let base = arms[baseline].1;
    // The best arm of each replication (ties go to the earlier arm).
    let best: Vec<usize> = (0..reps)
        .map(|r| {
            (0..arms.len()).fold(0, |b, a| {
                if arms[a].1[r].npv() > arms[b].1[r].npv() {
                    a
                } else {
                    b
                }
            })
        })
        .collect();
    let share = |n: usize| {
        if reps > 0 {
            n as f64 / reps as f64
        } else {
            f64::NAN
        }
    };
    arms.iter()
        .enumerate()
        .map(|(k, &(name, replications))| {
            let x = &replications[..reps];
            let delta: Vec<f64> = x.iter().zip(base).map(|(a, b)| a.npv() - b.npv()).collect();
            let extra: Vec<f64> = x
                .iter()
                .zip(base)
                .map(|(a, b)| a.investment() - b.investment())
                .collect();
            let spend = x.iter().map(Paired::investment).sum::<f64>() / reps.max(1) as f64;
            let is_base = k == baseline;
            let paid = x.iter().filter(|s| s.payback_week().is_finite()).count();
            ArmComparison {
                arm: name.to_string(),
                replications: reps,
                npv: mean_interval(x.iter().map(Paired::npv)),
                cumulative_cash_flow: mean_interval(x.iter().map(Paired::cumulative_cash_flow)),
                investment: mean_interval(x.iter().map(Paired::investment)),
                delta_npv: mean_interval(delta.iter().copied()),
                p_beats_baseline: if is_base {
                    f64::NAN
                } else {
                    share(delta.iter().filter(|&&d| d > 0.0).count())
                },
                roi: if is_base {
                    ratio_of_means(&[], &[], 0.0)
                } else {
                    ratio_of_means(&delta, &extra, spend)
                },
                payback_week: if is_base {
                    [f64::NAN; 3]
                } else {
                    payback_quantiles(x.iter().map(Paired::payback_week))
                },
                discounted_payback_week: if is_base {
                    [f64::NAN; 3]
                } else {
                    payback_quantiles(x.iter().map(Paired::discounted_payback_week))
                },
                paid_back_share: if is_base { f64::NAN } else { share(paid) },
                p_best: share(best.iter().filter(|&&b| b == k).count()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roi_is_a_ratio_of_means_with_a_delta_method_interval() {
        // Exactly proportional pairs: the ratio is exact and the interval has no width.
        let r = ratio_of_means(&[20.0, 40.0, 60.0], &[10.0, 20.0, 30.0], 20.0);
        assert!(
            (r.mean - 2.0).abs() < 1e-12 && (r.hi - r.lo).abs() < 1e-9,
            "{r:?}"
        );
        // Noisy pairs: the interval holds the ratio and has width.
        let r = ratio_of_means(&[25.0, 35.0, 61.0, 38.0], &[10.0, 20.0, 30.0, 20.0], 20.0);
        assert!(r.lo < r.mean && r.mean < r.hi);
        // No extra spend, or about none: undefined.
        assert!(ratio_of_means(&[10.0], &[0.0], 0.0).mean.is_nan());
        assert!(
            ratio_of_means(&[10.0, 10.0], &[5.0, 5.0], 1000.0)
                .mean
                .is_nan()
        );
    }

    #[test]
    fn a_replication_that_never_pays_back_counts_as_infinitely_late() {
        let q = payback_quantiles([3.0, f64::NAN, 5.0].into_iter());
        assert_eq!(q[0], 5.0);
        assert_eq!(q[1], 3.2);
        assert!(q[2].is_infinite());
        assert!(payback_quantiles([f64::NAN, f64::NAN].into_iter())[0].is_infinite());
    }
}
