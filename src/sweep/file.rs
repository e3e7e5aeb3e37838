//! The sweep file as the user writes it (RON): the base scenario, the factors, the design and
//! the outputs, with what each output measures and in which unit.

use serde::{Deserialize, Serialize};

use crate::model::{Better, Metric, ReplicationOutcome};
use crate::runner::{ReplicationSummary, metric_mean};
use crate::scenario::Scenario;

/// Where the base scenario comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Base {
    /// A scenario file, relative to the sweep file's directory.
    File(String),
    /// A scenario written out in the sweep file itself (only what differs from the defaults).
    Inline(Box<Scenario>),
    /// The built-in default scenario.
    BuiltIn,
}

/// How a range factor's values are spread between `low` and `high`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Distribution {
    /// Evenly.
    #[default]
    Uniform,
    /// Evenly in the logarithm (for factors spanning orders of magnitude; `low` > 0).
    LogUniform,
}

/// One factor: a numeric parameter of the scenario and the values it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Dotted path into the scenario (see [`crate::scenario::path`]), e.g.
    /// `employees.expected_tenure_weeks`, `sites.manager_quality.min` or
    /// `arms[2].interventions[0].lever.Tooling.amount`.
    pub path: String,
    /// Discrete levels (for grids and one-at-a-time: used as they are).
    #[serde(default)]
    pub levels: Option<Vec<f64>>,
    /// Lower end of a range.
    #[serde(default)]
    pub low: Option<f64>,
    /// Upper end of a range.
    #[serde(default)]
    pub high: Option<f64>,
    /// Spread of a range.
    #[serde(default)]
    pub distribution: Distribution,
}

impl Factor {
    /// The lowest and highest value the factor takes.
    pub fn bounds(&self) -> (f64, f64) {
        match &self.levels {
            Some(l) => (
                l.iter().copied().fold(f64::INFINITY, f64::min),
                l.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
            None => (self.low.unwrap_or(0.0), self.high.unwrap_or(0.0)),
        }
    }

    /// The value at `u` in [0, 1] (levels: the level whose stratum holds `u`).
    pub fn at_unit(&self, u: f64) -> f64 {
        match &self.levels {
            Some(l) => l[((u * l.len() as f64) as usize).min(l.len() - 1)],
            None => {
                let (lo, hi) = self.bounds();
                match self.distribution {
                    Distribution::Uniform => lo + (hi - lo) * u,
                    Distribution::LogUniform => (lo.ln() + (hi.ln() - lo.ln()) * u).exp(),
                }
            }
        }
    }

    /// The values a grid of `n` levels uses (the factor's own levels, if it has them).
    pub fn grid_values(&self, n: usize) -> Vec<f64> {
        match &self.levels {
            Some(l) => l.clone(),
            None => (0..n)
                .map(|j| self.at_unit(j as f64 / (n - 1) as f64))
                .collect(),
        }
    }
}

/// The design of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Design {
    /// Every combination of levels (ranges: `grid_levels` evenly spread values).
    Grid {
        /// Values taken by each range factor.
        grid_levels: usize,
    },
    /// The base scenario, then each factor alone at its low and its high end (a tornado).
    OneAtATime,
    /// A Latin hypercube of `points` points.
    LatinHypercube {
        /// Points.
        points: usize,
    },
    /// Morris elementary effects: `trajectories` trajectories on a grid of `levels` levels.
    Morris {
        /// Trajectories (each k + 1 points).
        trajectories: usize,
        /// Grid levels (even, usually 4).
        levels: usize,
    },
    /// Sobol' first-order and total indices: Saltelli sampling with `base_samples` rows
    /// (`base_samples * (k + 2)` points), Jansen's estimators, `bootstrap` resamples.
    Sobol {
        /// Rows of each base matrix.
        base_samples: usize,
        /// Bootstrap resamples for the intervals.
        bootstrap: usize,
    },
}

/// A quantity the sweep reports at each point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// The arm measured.
    pub arm: String,
    /// What is measured: a column of `replications.csv` (see [`MEASURES`]), or any metric of
    /// `weekly.csv` (e.g. `retention_annualised`, `nps`), averaged over the weeks. A name that
    /// is both (`revenue`, `cumulative_profit`, `loss_service_share`) is the column.
    #[serde(default = "default_measure")]
    pub measure: String,
    /// If set, the paired difference: `arm` minus this arm, replication by replication.
    #[serde(default)]
    pub against: Option<String>,
}

fn default_measure() -> String {
    "npv".to_string()
}

/// The measures an output can name besides the weekly metrics: `replications.csv`'s columns,
/// with their unit and which way is better.
pub const MEASURES: &[(&str, &str, Option<Better>)] = &[
    ("npv", "currency", Some(Better::Higher)),
    ("cumulative_cash_flow", "currency", Some(Better::Higher)),
    (
        "cumulative_operating_profit",
        "currency",
        Some(Better::Higher),
    ),
    ("revenue", "currency", Some(Better::Higher)),
    ("final_customers", "customers", Some(Better::Higher)),
    ("mean_satisfaction", "score 0-100", Some(Better::Higher)),
    ("mean_morale", "score 0-100", Some(Better::Higher)),
    ("mean_isq", "score 0-100", Some(Better::Higher)),
    ("annual_turnover", "share per year", Some(Better::Lower)),
    (
        "annual_customer_churn",
        "share per year",
        Some(Better::Lower),
    ),
    ("loss_service_share", "share of losses", Some(Better::Lower)),
    ("mean_wait_minutes", "minutes", Some(Better::Lower)),
];

/// The names of [`MEASURES`].
pub fn measure_names() -> Vec<&'static str> {
    MEASURES.iter().map(|m| m.0).collect()
}

/// The weekly metric called `name`, if there is one.
pub(super) fn weekly_metric(name: &str) -> Option<Metric> {
    Metric::all().into_iter().find(|m| m.name() == name)
}

impl Output {
    /// The output's column name, e.g. `npv[tooling-smile_training]`.
    pub fn label(&self) -> String {
        match &self.against {
            Some(b) => format!("{}[{}-{}]", self.measure, self.arm, b),
            None => format!("{}[{}]", self.measure, self.arm),
        }
    }

    /// The unit of the measure (a paired difference has the same unit).
    pub fn unit(&self) -> &'static str {
        match MEASURES.iter().find(|m| m.0 == self.measure) {
            Some(m) => m.1,
            None => weekly_metric(&self.measure).map_or("", Metric::unit),
        }
    }

    /// Which way the measure is better, if the measure says.
    pub fn better(&self) -> Option<Better> {
        match MEASURES.iter().find(|m| m.0 == self.measure) {
            Some(m) => m.2,
            None => weekly_metric(&self.measure).and_then(Metric::better),
        }
    }

    /// Whether the measure names something there is (checked when the sweep is read).
    pub(super) fn measure_is_known(&self) -> bool {
        MEASURES.iter().any(|m| m.0 == self.measure) || weekly_metric(&self.measure).is_some()
    }
}

/// An output's value in one replication of one arm: a column of `replications.csv` first, then a
/// weekly metric averaged over the weeks; NaN for a name that is neither (refused when read).
pub(super) fn measure(s: &ReplicationSummary, out: &ReplicationOutcome, name: &str) -> f64 {
    match name {
        "npv" => s.npv,
        "cumulative_cash_flow" => s.cumulative_cash_flow,
        "cumulative_operating_profit" => s.cumulative_operating_profit,
        "revenue" => s.revenue,
        "final_customers" => s.final_customers,
        "mean_satisfaction" => s.mean_satisfaction,
        "mean_morale" => s.mean_morale,
        "mean_isq" => s.mean_isq,
        "annual_turnover" => s.annual_turnover,
        "annual_customer_churn" => s.annual_customer_churn,
        "loss_service_share" => s.loss_service_share,
        "mean_wait_minutes" => s.mean_wait_minutes,
        _ => weekly_metric(name).map_or(f64::NAN, |m| metric_mean(out, m)),
    }
}

/// A sweep file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// Name (used for the default output directory).
    pub name: String,
    /// What the sweep asks, for reports.
    #[serde(default)]
    pub description: String,
    /// The base scenario.
    pub base: Base,
    /// The factors.
    pub factors: Vec<Factor>,
    /// The design.
    pub design: Design,
    /// Replications per point.
    #[serde(default = "default_replications")]
    pub replications: u32,
    /// Master seed (default: the base scenario's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Horizon in weeks (default: the base scenario's).
    #[serde(default)]
    pub weeks: Option<u32>,
    /// The outputs.
    pub outputs: Vec<Output>,
}

fn default_replications() -> u32 {
    10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_measure_has_a_unit() {
        for m in measure_names() {
            let o = Output {
                arm: "a".into(),
                measure: m.into(),
                against: None,
            };
            assert!(!o.unit().is_empty(), "{m}");
        }
        for m in Metric::all() {
            assert!(!m.unit().is_empty(), "{}", m.name());
        }
        let o = Output {
            arm: "a".into(),
            measure: "mean_wait_minutes".into(),
            against: Some("b".into()),
        };
        assert_eq!((o.unit(), o.better()), ("minutes", Some(Better::Lower)));
        assert_eq!(o.label(), "mean_wait_minutes[a-b]");
    }
}
