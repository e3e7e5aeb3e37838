//! The running aggregate of a run or a shard of one: every replication's value of each reported
//! cell (or, past the run's memory budget, a sketch of each) and a summary row per replication.
//! Values are kept in replication order and sketches merge by integer addition, so the result
//! does not depend on thread count, order or sharding.

use serde::{Deserialize, Serialize};

use crate::model::Metric;
use crate::scenario::{Provenance, Scenario};
use crate::stats::compare::{ArmComparison, compare};
use crate::stats::{QuantileMethod, QuantileStore};

use super::RunOptions;
use super::result::{ArmResult, RunResult};
use super::shard::{MergeError, Shard, ShardHeader, check_shards};
use super::summary::ReplicationSummary;

/// The running aggregate of one arm: what it keeps of each (site row, week, metric) cell and of
/// each week's paired difference from the baseline, and one summary row per replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmAggregate {
    /// The arm's name.
    pub name: String,
    /// Each replication's value of every cell, one quantity per cell (see
    /// [`RunResult::cell`]), or their sketches.
    pub cells: QuantileStore,
    /// Replication summaries, sorted by replication index.
    pub replications: Vec<ReplicationSummary>,
    /// The same, by week, of the cumulative net cash flow minus the baseline's in the same
    /// replication.
    pub delta: QuantileStore,
}

impl ArmAggregate {
    /// An empty aggregate of `cells` cells over `weeks` weeks, kept as `method` says, with
    /// room for `replications` replications.
    pub fn new(
        name: &str,
        cells: usize,
        weeks: usize,
        method: QuantileMethod,
        replications: usize,
    ) -> ArmAggregate {
        ArmAggregate {
            name: name.to_string(),
            cells: QuantileStore::with_capacity(method, cells, replications),
            replications: Vec::with_capacity(replications),
            delta: QuantileStore::with_capacity(method, weeks, replications),
        }
    }

    /// Adds another share of the same arm's replications (exact, whatever the order).
    ///
    /// # Panics
    ///
    /// As [`QuantileStore::merge`] does: shards of one run never do ([`RunShard::merge`]
    /// checks what comes from files first).
    pub fn merge(&mut self, other: ArmAggregate) {
        self.cells.merge(other.cells);
        self.delta.merge(other.delta);
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

/// Why the kept values of `parts` cannot be merged (each part labelled): different methods or
/// shapes, or rows of replications a part's shard does not own. Empty when they can.
fn store_problems(parts: &[(String, RunShard)]) -> Vec<String> {
    let mut problems = Vec::new();
    let Some((first_label, first)) = parts.first() else {
        return problems;
    };
    let shape = |p: &RunShard| -> Vec<(QuantileMethod, usize, usize)> {
        p.arms
            .iter()
            .map(|a| (a.cells.method(), a.cells.width(), a.delta.width()))
            .collect()
    };
    for (label, p) in parts {
        let (a, b) = (first.quantile_method(), p.quantile_method());
        if a != b {
            problems.push(format!(
                "'{first_label}' and '{label}' keep their percentiles differently ({} vs {}): give every shard the same --quantile-budget",
                a.name(),
                b.name()
            ));
        } else if shape(first) != shape(p) {
            problems.push(format!(
                "'{first_label}' and '{label}' keep different arms or cells"
            ));
        }
        let shard = p.header.shard;
        let foreign = p.arms.iter().any(|a| {
            [&a.cells, &a.delta].iter().any(|s| {
                s.replications()
                    .is_some_and(|r| r.iter().any(|&r| !shard.owns(r)))
            }) || a.replications.iter().any(|r| !shard.owns(r.replication))
        });
        if foreign {
            problems.push(format!(
                "'{label}' holds replications that shard {shard} does not run"
            ));
        }
    }
    problems
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
        let problems = store_problems(&parts);
        if !problems.is_empty() {
            return Err(MergeError::Refused { problems });
        }
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

    /// How the percentiles of this run are computed (every arm keeps its cells the same way).
    pub fn quantile_method(&self) -> QuantileMethod {
        self.arms
            .first()
            .map_or(QuantileMethod::Exact, |a| a.cells.method())
    }

    /// Every arm compared with the baseline, paired by replication (what
    /// [`RunResult::comparisons`] gives, without computing the weekly percentiles).
    pub fn comparisons(&self) -> Vec<ArmComparison> {
        let arms: Vec<(&str, &[ReplicationSummary])> = self
            .arms
            .iter()
            .map(|a| (a.name.as_str(), &a.replications[..]))
            .collect();
        compare(&arms, self.scenario.baseline_index())
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
                weekly: a.cells.quantiles(),
                replications: a.replications.clone(),
                delta: a.delta.quantiles(),
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
            quantile_method: self.quantile_method(),
        }
    }
}
