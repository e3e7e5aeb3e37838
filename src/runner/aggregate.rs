//! The running aggregate of a run or a shard of one: a sketch per reported cell and a summary row
//! per replication, mergeable by exact integer addition, so the result does not depend on
//! thread count, order or sharding.

use serde::{Deserialize, Serialize};

use crate::model::Metric;
use crate::scenario::{Provenance, Scenario};
use crate::stats::Quantiles;
use crate::stats::sketch::Sketch;

use super::RunOptions;
use super::result::{ArmResult, RunResult};
use super::shard::{MergeError, Shard, ShardHeader, check_shards};
use super::summary::ReplicationSummary;

/// The running aggregate of one arm: a sketch per (site row, week, metric) cell, and one
/// summary row per replication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArmAggregate {
    /// The arm's name.
    pub name: String,
    /// Sketches by cell (see [`RunResult::cell`]).
    pub cells: Vec<Sketch>,
    /// Replication summaries, sorted by replication index.
    pub replications: Vec<ReplicationSummary>,
    /// Sketches by week of cumulative profit minus the baseline's, paired by replication.
    pub delta: Vec<Sketch>,
}

impl ArmAggregate {
    /// An empty aggregate of `cells` cells over `weeks` weeks.
    pub fn new(name: &str, cells: usize, weeks: usize) -> ArmAggregate {
        ArmAggregate {
            name: name.to_string(),
            cells: vec![Sketch::default(); cells],
            replications: Vec::new(),
            delta: vec![Sketch::default(); weeks],
        }
    }

    /// Adds another share of the same arm's replications (exact, whatever the order).
    pub fn merge(&mut self, other: ArmAggregate) {
        for (x, y) in self
            .cells
            .iter_mut()
            .zip(&other.cells)
            .chain(self.delta.iter_mut().zip(&other.delta))
        {
            x.merge(y);
        }
        self.replications.extend(other.replications);
        self.replications.sort_by_key(|r| r.replication);
    }
}

/// What a run or a shard of a run produced, before formatting: mergeable with other shards.
/// A shard writes it as `partial.json`; `merge` reads them back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(expecting = "a chainsim shard result (partial.json)")]
pub struct RunShard {
    /// What run this belongs to (shards merge only when every field but `shard` agrees).
    #[serde(flatten)]
    pub header: ShardHeader,
    /// Where the scenario came from.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// The resolved scenario, with command-line overrides applied.
    pub scenario: Scenario,
    /// Horizon in weeks.
    pub weeks: u32,
    /// The shards merged into this one, sorted by index.
    pub shards: Vec<Shard>,
    /// Worker threads of each shard.
    pub threads: Vec<usize>,
    /// Wall-clock seconds of each shard.
    pub wall_seconds: Vec<f64>,
    /// Encounters simulated.
    pub encounters: u64,
    /// Names of the metrics, in cell order.
    pub metrics: Vec<String>,
    /// Aggregates per arm.
    pub arms: Vec<ArmAggregate>,
    /// If the run was interrupted: the replications it was asked for (`header.replications`
    /// then counts those completed, replications `0..replications`). None: it ran to the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_at: Option<u32>,
}

/// The quantiles a sketch reports.
fn quantiles(c: &Sketch) -> Quantiles {
    Quantiles {
        count: c.count,
        mean: c.mean(),
        p: crate::stats::PERCENTILES.map(|q| c.quantile(q)),
    }
}

impl RunShard {
    /// Merges shards (each labelled by where it came from) into the whole run's result.
    /// Refuses shards that [`check_shards`] does not accept. The result does not depend on the
    /// order given.
    ///
    /// # Errors
    ///
    /// [`MergeError`] listing every reason the shards do not make one run.
    pub fn merge(parts: Vec<(String, RunShard)>) -> Result<RunShard, MergeError> {
        let headers: Vec<(&str, &ShardHeader)> =
            parts.iter().map(|(l, p)| (l.as_str(), &p.header)).collect();
        check_shards(&headers)?;
        let mut parts = parts;
        parts.sort_by_key(|(_, p)| p.header.shard.index);
        let mut iter = parts.into_iter().map(|(_, p)| p);
        let mut whole = iter.next().ok_or(MergeError::Empty)?;
        for p in iter {
            whole.shards.extend(p.shards);
            whole.threads.extend(p.threads);
            whole.wall_seconds.extend(p.wall_seconds);
            whole.encounters += p.encounters;
            for (a, b) in whole.arms.iter_mut().zip(p.arms) {
                a.merge(b);
            }
        }
        whole.shards.sort_by_key(|s| s.index);
        whole.header.shard = Shard::WHOLE;
        Ok(whole)
    }

    /// Adds the replications of `later`, a run of the same scenario over the replications that
    /// follow this one's (see [`super::run_to_precision`]).
    pub fn extend(&mut self, later: RunShard) {
        let replications = self.header.replications.max(later.header.replications);
        self.header.replications = replications;
        self.encounters += later.encounters;
        self.wall_seconds =
            vec![self.wall_seconds.iter().sum::<f64>() + later.wall_seconds.iter().sum::<f64>()];
        for (a, b) in self.arms.iter_mut().zip(later.arms) {
            a.merge(b);
        }
        self.scenario.replications = replications;
        self.interrupted_at = later.interrupted_at;
    }

    /// The quantiles and summaries a report formats.
    pub fn to_result(&self) -> RunResult {
        let mut options = RunOptions::from_scenario(&self.scenario);
        options.seed = self.header.seed;
        options.weeks = self.weeks;
        options.replications = self.header.replications;
        let arms = self
            .arms
            .iter()
            .map(|a| ArmResult {
                name: a.name.clone(),
                weekly: a.cells.iter().map(quantiles).collect(),
                replications: a.replications.clone(),
                delta: a.delta.iter().map(quantiles).collect(),
            })
            .collect();
        RunResult {
            scenario: self.scenario.clone(),
            provenance: self.provenance.clone(),
            options,
            threads: self.threads.iter().copied().max().unwrap_or(1),
            metrics: Metric::all(),
            sites: self.scenario.sites.count as usize,
            arms,
            encounters: self.encounters,
            wall_seconds: self.wall_seconds.iter().sum(),
            shards: self.shards.len(),
            interrupted_at: self.interrupted_at,
        }
    }
}
