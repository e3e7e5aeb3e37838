//! What a sweep computes, as plain data: every point's outputs over its replications, the
//! sensitivity indices with their intervals, and where the better arm changes. `report::sweep`
//! formats it; nothing here writes or prints.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::file::SweepFile;
use crate::model::Better;
use crate::runner::nan_as_null;
use crate::stats::mean_interval;

/// One output at one point, over the point's replications.
#[derive(Debug, Clone, PartialEq)]
pub struct PointOutput {
    /// Mean over replications (undefined values left out).
    pub mean: f64,
    /// Sample variance over replications.
    pub variance: f64,
    /// Lower end of the mean's 95% confidence interval (Student's t).
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// The value in each replication, in replication order (replication `i` ran on the same
    /// random numbers at every point).
    pub replications: Vec<f64>,
}

impl PointOutput {
    /// Standard deviation over replications.
    pub fn sd(&self) -> f64 {
        self.variance.sqrt()
    }
}

/// A point's result: the factors' values and each output over the replications.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// Factor values (the base value where a factor is not set), in the sweep's factor order.
    pub values: Vec<f64>,
    /// Per output, in the sweep's output order.
    pub outputs: Vec<PointOutput>,
}

impl PointResult {
    /// The result of a point from its factor values and, per replication, the value of every
    /// output (`rows[r][o]`). A function of its inputs alone: a merged shard rebuilds exactly
    /// the figures the whole sweep computed.
    pub fn from_replications(values: Vec<f64>, rows: &[Vec<f64>]) -> PointResult {
        let outputs = rows.first().map_or(0, Vec::len);
        let reps = rows.len() as f64;
        let outputs = (0..outputs)
            .map(|o| {
                let i = mean_interval(rows.iter().map(|x| x[o]));
                let variance =
                    rows.iter().map(|x| (x[o] - i.mean).powi(2)).sum::<f64>() / (reps - 1.0);
                PointOutput {
                    mean: i.mean,
                    variance,
                    lo: i.lo,
                    hi: i.hi,
                    replications: rows.iter().map(|x| x[o]).collect(),
                }
            })
            .collect();
        PointResult { values, outputs }
    }

    /// Output `o`'s mean.
    pub fn mean(&self, o: usize) -> f64 {
        self.outputs[o].mean
    }
}

/// How an index's interval was computed. Every interval is a two-sided 95% confidence
/// interval; `docs/SWEEPS.md` says why each method suits its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Student's t over the point's replications (the mean output at one point).
    T,
    /// Student's t over the paired differences high − low, replication by replication: both
    /// ends ran on the same random numbers, so the pairing removes their shared noise.
    PairedT,
    /// Percentile bootstrap over replications: whole replications are resampled, the same
    /// ones at every point (keeping the common random numbers), and the index recomputed.
    BootstrapReplications,
    /// Fisher's z transform of a correlation over the design's points.
    FisherZ,
    /// Percentile bootstrap over the elementary effects (Morris).
    BootstrapEffects,
    /// Percentile bootstrap over the rows of Saltelli's base matrices (Sobol').
    BootstrapRows,
}

impl IntervalMethod {
    /// Every method, in a fixed order (for manifests and docs).
    pub const ALL: [IntervalMethod; 6] = [
        IntervalMethod::T,
        IntervalMethod::PairedT,
        IntervalMethod::BootstrapReplications,
        IntervalMethod::FisherZ,
        IntervalMethod::BootstrapEffects,
        IntervalMethod::BootstrapRows,
    ];

    /// The name written in `indices.csv`'s `interval` column.
    pub fn name(self) -> &'static str {
        match self {
            IntervalMethod::T => "t",
            IntervalMethod::PairedT => "paired_t",
            IntervalMethod::BootstrapReplications => "bootstrap_replications",
            IntervalMethod::FisherZ => "fisher_z",
            IntervalMethod::BootstrapEffects => "bootstrap_effects",
            IntervalMethod::BootstrapRows => "bootstrap_rows",
        }
    }

    /// What the interval is, in a sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            IntervalMethod::T => {
                "95% confidence interval of the mean at one point: Student's t over its replications"
            }
            IntervalMethod::PairedT => {
                "95% confidence interval of the swing: Student's t over the paired differences high - low, replication by replication (common random numbers)"
            }
            IntervalMethod::BootstrapReplications => {
                "95% confidence interval: percentile bootstrap over replications, the same resampled replications at every point (common random numbers kept)"
            }
            IntervalMethod::FisherZ => {
                "95% confidence interval of the correlation: Fisher's z transform over the design's points (tanh(atanh r +/- 1.96 / sqrt(n - 3)))"
            }
            IntervalMethod::BootstrapEffects => {
                "95% confidence interval: percentile bootstrap over the factor's elementary effects"
            }
            IntervalMethod::BootstrapRows => {
                "95% confidence interval: percentile bootstrap over the rows of the Saltelli base matrices"
            }
        }
    }
}

/// One sensitivity index: how much `factor` moves `output`, by the design's `measure`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityIndex {
    /// The factor's scenario path.
    pub factor: String,
    /// The output's label, e.g. `npv[tooling-baseline]`.
    pub output: String,
    /// What is estimated: `output_at_low`, `output_at_high`, `swing`, `base` (one at a time),
    /// `main_effect_range` (grid), `correlation` (Latin hypercube), `mu_star`, `mu`, `sigma`
    /// (Morris), `first_order`, `total` (Sobol').
    pub measure: String,
    /// The estimate, in the output's unit (correlations and Sobol' indices: unitless; Morris:
    /// the output's unit per unit of the factor's [0, 1] range).
    #[serde(with = "nan_as_null")]
    pub estimate: f64,
    /// Lower end of its 95% confidence interval (NaN where undefined: too few values).
    #[serde(with = "nan_as_null")]
    pub lo: f64,
    /// Upper end.
    #[serde(with = "nan_as_null")]
    pub hi: f64,
    /// How the interval was computed.
    pub interval: IntervalMethod,
}

/// The mean of a paired output at one level (or band) of a factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LevelMean {
    /// The factor's value (a band's centre for designs that spread points over a range).
    pub value: f64,
    /// The output's mean over the points at this level.
    #[serde(with = "nan_as_null")]
    pub mean: f64,
}

/// Whether the arm that does better on a paired output (`arm - against`) stays the same across
/// one factor's range: the output's mean at each level of the factor, averaged over the other
/// factors (its main effect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmChoice {
    /// The factor's scenario path.
    pub factor: String,
    /// The output's label.
    pub output: String,
    /// What is measured (`npv`, ...).
    pub measure: String,
    /// The arm measured.
    pub arm: String,
    /// The arm it is compared with.
    pub against: String,
    /// Which way the measure is better (None: the measure does not say).
    pub better: Option<Better>,
    /// The factor's lowest and highest value.
    pub range: (f64, f64),
    /// The output's mean by level, ascending in the factor's value.
    pub levels: Vec<LevelMean>,
}

impl ArmChoice {
    /// The arm with the larger value of the measure where the difference's mean is `mean`
    /// (None: a tie, or undefined).
    pub fn larger(&self, mean: f64) -> Option<&str> {
        match mean.partial_cmp(&0.0) {
            Some(Ordering::Greater) => Some(&self.arm),
            Some(Ordering::Less) => Some(&self.against),
            _ => None,
        }
    }

    /// The arm that does better where the difference's mean is `mean`, when the measure says
    /// which way is better.
    pub fn preferred(&self, mean: f64) -> Option<&str> {
        let sign = match self.better? {
            Better::Higher => mean,
            Better::Lower => -mean,
        };
        self.larger(sign)
    }

    /// Where the sign of the mean changes: pairs of neighbouring defined, non-zero levels whose
    /// means have opposite signs.
    pub fn flips(&self) -> Vec<(LevelMean, LevelMean)> {
        let signed: Vec<LevelMean> = self
            .levels
            .iter()
            .copied()
            .filter(|l| l.mean.is_finite() && l.mean != 0.0)
            .collect();
        signed
            .windows(2)
            .filter(|w| (w[0].mean > 0.0) != (w[1].mean > 0.0))
            .map(|w| (w[0], w[1]))
            .collect()
    }
}

/// The whole sweep's result.
#[derive(Debug, Clone)]
pub struct SweepResult {
    /// The sweep as run.
    pub file: SweepFile,
    /// Where the sweep file came from.
    pub label: String,
    /// Output labels, in the sweep's order.
    pub outputs: Vec<String>,
    /// Factor paths, in the sweep's order.
    pub factors: Vec<String>,
    /// For a grid: the values each factor takes (empty for other designs).
    pub grid: Vec<Vec<f64>>,
    /// Every point completed, in design order.
    pub points: Vec<PointResult>,
    /// The sensitivity indices (empty unless the sweep is complete).
    pub indices: Vec<SensitivityIndex>,
    /// For each paired output and factor: does the better arm change across the factor's range?
    pub arm_choices: Vec<ArmChoice>,
    /// Per output: the share of the variance of point means that is replication noise.
    pub noise_share: Vec<f64>,
    /// Warnings for the reader (too few replications, ...).
    pub warnings: Vec<String>,
    /// Replications per point.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// Wall time, seconds (summed over shards).
    pub wall_seconds: f64,
    /// Simulations run (points x replications x arms).
    pub simulations: u64,
    /// If the sweep was interrupted: the points it was to run (`points` holds those completed,
    /// in order). None: it ran to the end.
    pub interrupted_at: Option<usize>,
}

impl SweepResult {
    /// The index of `factor` on `output` by `measure`, if the design estimates it.
    pub fn index(&self, factor: &str, output: &str, measure: &str) -> Option<&SensitivityIndex> {
        self.indices
            .iter()
            .find(|x| x.factor == factor && x.output == output && x.measure == measure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_summarises_its_replications() {
        let p = PointResult::from_replications(vec![1.0], &[vec![1.0, 10.0], vec![3.0, 30.0]]);
        assert_eq!(p.outputs.len(), 2);
        assert_eq!(p.mean(0), 2.0);
        assert_eq!(p.outputs[1].replications, vec![10.0, 30.0]);
        assert_eq!(p.outputs[0].variance, 2.0);
        assert!(p.outputs[0].lo < 2.0 && p.outputs[0].hi > 2.0);
    }

    #[test]
    fn flips_are_where_the_sign_changes() {
        let level = |value, mean| LevelMean { value, mean };
        let c = ArmChoice {
            factor: "f".into(),
            output: "npv[a-b]".into(),
            measure: "npv".into(),
            arm: "a".into(),
            against: "b".into(),
            better: Some(Better::Higher),
            range: (1.0, 4.0),
            levels: vec![
                level(1.0, 5.0),
                level(2.0, f64::NAN),
                level(3.0, -1.0),
                level(4.0, -2.0),
            ],
        };
        let flips = c.flips();
        assert_eq!(flips.len(), 1);
        assert_eq!((flips[0].0.value, flips[0].1.value), (1.0, 3.0));
        assert_eq!(c.preferred(5.0), Some("a"));
        assert_eq!(c.preferred(-1.0), Some("b"));
        assert_eq!(c.larger(0.0), None);
    }
}
