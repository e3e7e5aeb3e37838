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
    /// Cumulative profit at the horizon, currency units.
    fn cumulative_profit(&self) -> f64;
    /// Payback week against the baseline in the same replication (NaN: never, or the baseline).
    fn payback_week(&self) -> f64;
}

/// The first week from which `delta` (an arm's cumulative profit minus the baseline's, by week)
/// stays above zero to the end; NaN if it never does.
pub fn payback_week(delta: &[f64]) -> f64 {
    let after_last_loss = delta.iter().rposition(|&d| d <= 0.0).map_or(0, |i| i + 1);
    if after_last_loss < delta.len() {
        after_last_loss as f64
    } else {
        f64::NAN
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
    arms.iter()
        .enumerate()
        .map(|(k, &(name, replications))| {
            let x = &replications[..reps];
            let delta: Vec<f64> = x.iter().zip(base).map(|(a, b)| a.npv() - b.npv()).collect();
            let roi = delta
                .iter()
                .zip(x.iter().zip(base))
                .map(|(d, (a, b))| paired_roi(*d, a.investment(), b.investment()));
            let mut paid: Vec<f64> = x
                .iter()
                .map(Paired::payback_week)
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
                arm: name.to_string(),
                replications: reps,
                npv: mean_interval(x.iter().map(Paired::npv)),
                cumulative_profit: mean_interval(x.iter().map(Paired::cumulative_profit)),
                investment: mean_interval(x.iter().map(Paired::investment)),
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
    fn payback_is_the_first_week_from_which_the_gain_stays_positive() {
        assert_eq!(payback_week(&[-3.0, 1.0, -1.0, 2.0, 4.0]), 3.0);
        assert_eq!(payback_week(&[1.0, 2.0]), 0.0);
        assert!(payback_week(&[1.0, 0.0]).is_nan());
        assert!(payback_week(&[]).is_nan());
    }
}
