//! What a run produced, before anything is formatted: plain data for `report` to write.

use crate::model::Metric;
use crate::scenario::{Provenance, Scenario};
use crate::stats::compare::{ArmComparison, compare};
use crate::stats::{QuantileMethod, Quantiles};

use super::RunOptions;
use super::summary::ReplicationSummary;

/// Results of one arm.
#[derive(Debug, Clone)]
pub struct ArmResult {
    /// The arm's name.
    pub name: String,
    /// Quantiles by (site row, week, metric); site row `sites` is the firm (`all`).
    pub weekly: Vec<Quantiles>,
    /// One summary per replication, in replication order.
    pub replications: Vec<ReplicationSummary>,
    /// By week: cumulative profit minus the baseline's in the same replication.
    pub delta: Vec<Quantiles>,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The scenario as run (resolved, with command-line overrides applied).
    pub scenario: Scenario,
    /// Where the scenario came from.
    pub provenance: Provenance,
    /// Options used.
    pub options: RunOptions,
    /// Threads actually used.
    pub threads: usize,
    /// The metrics reported, in the order of `ArmResult::weekly`.
    pub metrics: Vec<Metric>,
    /// Number of sites.
    pub sites: usize,
    /// Results per arm, in scenario order.
    pub arms: Vec<ArmResult>,
    /// Encounters simulated over every arm and replication.
    pub encounters: u64,
    /// Wall-clock time of the simulation, seconds (summed over shards).
    pub wall_seconds: f64,
    /// Shards the result was merged from (1 for a single run).
    pub shards: usize,
    /// If the run was interrupted, the replications it was asked for (`options.replications`
    /// counts those completed). None: the run is complete.
    pub interrupted_at: Option<u32>,
    /// How the percentiles across replications (`ArmResult::weekly` and `delta`) were
    /// computed: exactly from every replication's value, or from a sketch past the run's memory
    /// budget.
    pub quantile_method: QuantileMethod,
}

impl RunResult {
    /// Index into `ArmResult::weekly` of (site row, week, metric index).
    pub fn cell(&self, site_row: usize, week: usize, metric: usize) -> usize {
        (site_row * self.options.weeks as usize + week) * self.metrics.len() + metric
    }

    /// Index of a metric in `metrics`.
    pub fn metric_index(&self, m: Metric) -> usize {
        self.metrics.iter().position(|&x| x == m).unwrap_or(0)
    }

    /// The firm's quantiles of metric `m` in `week` for arm `arm`.
    pub fn firm_at(&self, arm: usize, week: usize, m: Metric) -> Quantiles {
        self.arms[arm].weekly[self.cell(self.sites, week, self.metric_index(m))]
    }

    /// Every arm compared with the baseline, paired by replication.
    pub fn comparisons(&self) -> Vec<ArmComparison> {
        compare_named(
            self.arms
                .iter()
                .map(|a| (a.name.as_str(), &a.replications[..])),
            self.scenario.baseline_index(),
        )
    }
}

/// Errors from running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// Rayon's reason.
        source: rayon::ThreadPoolBuildError,
    },
    /// A replication's money could not be held (the scenario's amounts are too large).
    #[error(transparent)]
    LedgerOverflow(#[from] super::LedgerOverflow),
    /// The replications' values kept for exact percentiles could not be written to (or read
    /// back from) their temporary file: a full disk, say.
    #[error(
        "{0}; point TMPDIR at a folder with room (or make room there), or give a smaller --quantile-budget (percentiles from sketches, which need no file)"
    )]
    Spill(#[from] crate::stats::SpillError),
}

/// Every named arm's replications compared with arm `baseline`'s, paired by replication: what
/// a whole run and a merged shard both report.
pub(super) fn compare_named<'a>(
    arms: impl Iterator<Item = (&'a str, &'a [ReplicationSummary])>,
    baseline: usize,
) -> Vec<ArmComparison> {
    let arms: Vec<(&str, &[ReplicationSummary])> = arms.collect();
    compare(&arms, baseline)
}
