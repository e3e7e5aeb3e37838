//! The baseline's drift: how far its steady state moves between the first and the last reported
//! year with no intervention at all. A steady start (see `model::world`) keeps it small; a
//! large drift says the baseline is a transient, not the client's present.

use crate::model::Metric;

use super::RunResult;

/// The quantities whose drift is reported, with their labels.
pub const DRIFT_METRICS: [(Metric, &str); 4] = [
    (Metric::ActiveCustomers, "customers"),
    (Metric::Morale, "morale"),
    (Metric::Satisfaction, "satisfaction"),
    (Metric::ServiceStandardMinutes, "service standard"),
];

/// The drift the project holds itself to, as a share (2%).
pub const DRIFT_TOLERANCE: f64 = 0.02;

/// One quantity's drift on the baseline arm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drift {
    /// The quantity.
    pub metric: Metric,
    /// Its label.
    pub label: &'static str,
    /// Mean over replications and the first reported year's weeks (the firm as a whole).
    pub first_year: f64,
    /// The same over the last reported year.
    pub last_year: f64,
}

impl Drift {
    /// The change from the first year to the last, as a share of the first (NaN if the first
    /// is 0 or undefined).
    pub fn share(&self) -> f64 {
        if self.first_year.abs() > 0.0 {
            self.last_year / self.first_year - 1.0
        } else {
            f64::NAN
        }
    }
}

/// The baseline arm's drift in each of [`DRIFT_METRICS`], comparing the mean of the first
/// 52 reported weeks with the mean of the last 52 (the halves of the horizon if it is shorter
/// than two years). Empty if the horizon is under two weeks.
pub fn baseline_drift(r: &RunResult) -> Vec<Drift> {
    let weeks = r.options.weeks as usize;
    if weeks < 2 {
        return Vec::new();
    }
    let year = 52.min(weeks / 2);
    let arm = r
        .scenario
        .baseline_index()
        .min(r.arms.len().saturating_sub(1));
    let mean = |m: Metric, from: usize| {
        let values: Vec<f64> = (from..from + year)
            .map(|w| r.firm_at(arm, w, m).mean)
            .filter(|x| x.is_finite())
            .collect();
        if values.is_empty() {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    DRIFT_METRICS
        .iter()
        .map(|&(metric, label)| Drift {
            metric,
            label,
            first_year: mean(metric, 0),
            last_year: mean(metric, weeks - year),
        })
        .collect()
}
