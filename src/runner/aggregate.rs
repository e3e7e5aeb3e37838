//! The running aggregate of a run or a shard of one: every replication's value of each reported
//! cell (or, past the run's budget for kept values, a sketch of each) and a summary row per replication.
//! Values are kept in replication order and sketches merge by integer addition, so the result
//! does not depend on thread count, order or sharding.

use serde::{Deserialize, Serialize};

use crate::model::Metric;
use crate::scenario::{Provenance, Scenario};
use crate::stats::compare::ArmComparison;
use crate::stats::{QuantileMethod, QuantileStore, SpillError};

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

    /// Turns the values kept into the sketches they make (nothing to do if already sketched).
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file of kept values cannot be read.
    pub fn to_sketch(&mut self) -> Result<(), SpillError> {
        self.cells.to_sketch()?;
        self.delta.to_sketch()
    }

    /// Adds another share of the same arm's replications (exact, whatever the order).
    ///
    /// # Errors
    ///
    /// As [`QuantileStore::merge`]: a temporary file of kept values cannot be read or written.
    ///
    /// # Panics
    ///
    /// As [`QuantileStore::merge`] does: shards of one run never do ([`RunShard::merge`]
    /// checks what comes from files first).
    pub fn merge(&mut self, other: ArmAggregate) -> Result<(), SpillError> {
        self.merge_many(vec![other])
    }

    /// Adds other shares of the same arm's replications at once, as [`ArmAggregate::merge`]
    /// does one (kept values read once each, however the shares interleave).
    ///
    /// # Errors
    ///
    /// As [`ArmAggregate::merge`].
    ///
    /// # Panics
    ///
    /// As [`ArmAggregate::merge`].
    pub fn merge_many(&mut self, others: Vec<ArmAggregate>) -> Result<(), SpillError> {
        let (mut cells, mut delta) = (Vec::new(), Vec::new());
        for o in others {
            cells.push(o.cells);
            delta.push(o.delta);
            self.replications.extend(o.replications);
        }
        self.replications.sort_by_key(|r| r.replication);
        self.cells.merge_many(cells)?;
        self.delta.merge_many(delta)
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

/// How a run, or a shard of one, keeps its replications' values within its budget. A
/// shard keeps them as the whole run's size decides ([`super::quantile_method`]), from the
/// start, so every shard decides the same. A whole run (replications `0..` in order) keeps
/// every value until the replications it holds outgrow the budget, then turns them into the
/// sketches they make and sketches the rest: whatever it holds when it ends, stopped early or
/// extended batch by batch, is what a run of that many replications holds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Keeping {
    /// The most replications whose values fit ([`super::exact_replications`]).
    exact_up_to: u64,
    /// Replications of the whole run.
    total: u32,
    /// Whether this is the whole run rather than a shard.
    whole: bool,
}

impl Keeping {
    /// How shard `shard` of a run of `total` replications keeps its values, when
    /// `exact_up_to` replications fit the budget.
    pub(super) fn new(shard: Shard, total: u32, exact_up_to: u64) -> Keeping {
        Keeping {
            exact_up_to,
            total,
            whole: shard == Shard::WHOLE,
        }
    }

    /// How a run that already holds `held` replications (those before its first) starts
    /// keeping values, and the rows to reserve for `new` more.
    pub(super) fn start(self, held: u32, new: usize) -> (QuantileMethod, usize) {
        let fit = |n: u64| n <= self.exact_up_to;
        if !self.whole {
            return match fit(u64::from(self.total)) {
                true => (QuantileMethod::Exact, new),
                false => (QuantileMethod::Sketch, 0),
            };
        }
        match fit(u64::from(held) + 1) {
            true => {
                let room = self.exact_up_to - u64::from(held);
                (
                    QuantileMethod::Exact,
                    new.min(usize::try_from(room).unwrap_or(usize::MAX)),
                )
            }
            false => (QuantileMethod::Sketch, 0),
        }
    }

    /// After replication `r` joined `arms`: a whole run that now holds more replications than
    /// fit turns its values into sketches.
    pub(super) fn after(self, r: u32, arms: &mut [ArmAggregate]) -> Result<(), SpillError> {
        if self.whole && u64::from(r) + 1 > self.exact_up_to {
            arms.iter_mut().try_for_each(ArmAggregate::to_sketch)?;
        }
        Ok(())
    }
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
    /// [`MergeError`] listing every reason the shards do not make one run, or
    /// [`MergeError::Spill`] if the values kept cannot be written to a temporary file.
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
        // Each arm's shares merged at once: its kept values read once, in replication order.
        let mut shares: Vec<Vec<ArmAggregate>> = whole.arms.iter().map(|_| Vec::new()).collect();
        for p in iter {
            whole.shards.extend(p.shards);
            whole.threads.extend(p.threads);
            whole.wall_seconds.extend(p.wall_seconds);
            whole.encounters += p.encounters;
            for (share, b) in shares.iter_mut().zip(p.arms) {
                share.push(b);
            }
        }
        for (a, share) in whole.arms.iter_mut().zip(shares) {
            a.merge_many(share)?;
        }
        whole.shards.sort_by_key(|s| s.index);
        whole.header.shard = Shard::WHOLE;
        Ok(whole)
    }

    /// Adds the replications of `later`, a run of the same scenario over the replications that
    /// follow this one's (see [`super::run_to_precision`]). If either outgrew the memory
    /// budget and sketched, the other's values join as the sketches they make: the result is
    /// what one run of all the replications holds.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if a temporary file of kept values cannot be read or written.
    pub fn extend(&mut self, mut later: RunShard) -> Result<(), SpillError> {
        if self.quantile_method() != later.quantile_method() {
            self.arms.iter_mut().try_for_each(ArmAggregate::to_sketch)?;
            later
                .arms
                .iter_mut()
                .try_for_each(ArmAggregate::to_sketch)?;
        }
        let replications = self.header.replications.max(later.header.replications);
        self.header.replications = replications;
        self.encounters += later.encounters;
        self.wall_seconds =
            vec![self.wall_seconds.iter().sum::<f64>() + later.wall_seconds.iter().sum::<f64>()];
        for (a, b) in self.arms.iter_mut().zip(later.arms) {
            a.merge(b)?;
        }
        self.scenario.replications = replications;
        self.interrupted_at = later.interrupted_at;
        Ok(())
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
        super::result::compare_named(
            self.arms
                .iter()
                .map(|a| (a.name.as_str(), &a.replications[..])),
            self.scenario.baseline_index(),
        )
    }

    /// The quantiles and summaries a report formats ([`RunShard::try_to_result`], for a
    /// caller that has no way to report a failure: tests, small runs held in memory).
    ///
    /// # Panics
    ///
    /// If the temporary file of kept values cannot be read.
    pub fn to_result(&self) -> RunResult {
        self.try_to_result().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The quantiles and summaries a report formats, the summaries moved rather than copied
    /// (they grow with the replications).
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file of kept values cannot be read.
    pub fn into_result(mut self) -> Result<RunResult, SpillError> {
        let summaries: Vec<Vec<ReplicationSummary>> = self
            .arms
            .iter_mut()
            .map(|a| std::mem::take(&mut a.replications))
            .collect();
        let mut r = self.try_to_result()?;
        for (arm, summaries) in r.arms.iter_mut().zip(summaries) {
            arm.replications = summaries;
        }
        Ok(r)
    }

    /// The quantiles and summaries a report formats.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file of kept values cannot be read.
    pub fn try_to_result(&self) -> Result<RunResult, SpillError> {
        let mut options = RunOptions::from_scenario(&self.scenario);
        options.seed = self.header.seed;
        options.weeks = self.weeks;
        options.replications = self.header.replications;
        let arms = self
            .arms
            .iter()
            .map(|a| {
                Ok(ArmResult {
                    name: a.name.clone(),
                    weekly: a.cells.quantiles()?,
                    replications: a.replications.clone(),
                    delta: a.delta.quantiles()?,
                })
            })
            .collect::<Result<_, SpillError>>()?;
        Ok(RunResult {
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
        })
    }
}
