//! Running a sweep's points on the one parallel loop ([`crate::runner::replicate`]): a job is
//! one point with all its replications (themselves run in parallel), and finished points are
//! handed to a sink in design order as soon as they are done.

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;

use super::file::measure;
use super::plan::{Plan, Point};
use super::{PointResult, Sweep, SweepError, SweepResult, SweepShard, problem};
use crate::files::FileError;
use crate::model::{Replication, ReplicationOutcome};
use crate::runner::{
    Interrupt, LedgerOverflow, ReplicationSummary, Shard, ShardHeader, check_ledger, replicate,
};
use crate::scenario::Scenario;
use crate::scenario::path::PathError;

/// Where finished points go: called with each point's index in the design and its result, in
/// design order, as each completes (`report::sweep::PointCsv` streams them to `sweep.csv`). An
/// error stops the sweep: later points are not run.
pub type PointSink<'a> = dyn FnMut(usize, &PointResult) -> Result<(), FileError> + 'a;

/// Points run together between two folds: enough to keep every thread busy, few enough that a
/// finished point reaches the sink soon.
const POINTS_PER_BATCH: usize = 16;

/// What running a share of the points leaves.
pub(super) struct Ran {
    /// The points completed, with their index in the design, in design order.
    pub(super) points: Vec<(usize, PointResult)>,
    /// The points this share was to run.
    pub(super) owned: usize,
    /// Replications per point.
    pub(super) replications: u32,
    /// Simulations run (points x replications x arms).
    pub(super) simulations: u64,
    /// Wall-clock seconds.
    pub(super) wall_seconds: f64,
}

impl Ran {
    /// Whether an interrupt stopped the run before its last point.
    pub(super) fn interrupted(&self) -> bool {
        self.points.len() < self.owned
    }
}

impl Sweep {
    /// Runs the whole sweep with `replications` per point (the file's if `None`), handing each
    /// finished point to `sink`, then estimates the indices.
    ///
    /// When `interrupt` is requested, points not yet started are skipped and the result holds
    /// the points completed in order, with no indices (the estimators need the whole design);
    /// its `interrupted_at` says so.
    ///
    /// # Errors
    ///
    /// [`SweepError::Invalid`] if the design's points clash ([`Sweep::check_points`]) or would
    /// keep too many values; [`SweepError::Sink`] if the sink fails.
    pub fn run(
        &self,
        replications: Option<u32>,
        interrupt: Interrupt,
        sink: &mut PointSink<'_>,
    ) -> Result<SweepResult, SweepError> {
        let started = Instant::now();
        let plan = self.plan();
        let ran = self.run_points(&plan, replications, Shard::WHOLE, interrupt, sink)?;
        let interrupted_at = ran.interrupted().then_some(plan.points.len());
        let points = ran.points.into_iter().map(|(_, p)| p).collect();
        let mut result = self.result(
            &plan,
            points,
            ran.replications,
            ran.simulations,
            interrupted_at,
        );
        result.wall_seconds = started.elapsed().as_secs_f64();
        Ok(result)
    }

    /// Runs the points of one shard (point `p` belongs to shard `p % count + 1`) for
    /// [`SweepShard::merge`], handing each to `sink` as it finishes. An interrupted shard says
    /// so in `interrupted_at`; it cannot be merged.
    ///
    /// # Errors
    ///
    /// As [`Sweep::run`].
    pub fn run_shard(
        &self,
        replications: Option<u32>,
        shard: Shard,
        interrupt: Interrupt,
        sink: &mut PointSink<'_>,
    ) -> Result<SweepShard, SweepError> {
        let plan = self.plan();
        let ran = self.run_points(&plan, replications, shard, interrupt, sink)?;
        Ok(SweepShard::new(self, &plan, shard, ran))
    }

    /// The header identifying this sweep's shards.
    pub(super) fn shard_header(&self, replications: u32, shard: Shard) -> ShardHeader {
        ShardHeader::new(self.input_digest(), self.seed(), replications, shard)
    }

    /// Runs the points `shard` owns, in batches on the current rayon pool.
    fn run_points(
        &self,
        plan: &Plan,
        replications: Option<u32>,
        shard: Shard,
        interrupt: Interrupt,
        sink: &mut PointSink<'_>,
    ) -> Result<Ran, SweepError> {
        let started = Instant::now();
        let reps = replications.unwrap_or(self.file.replications).max(2);
        self.check_points()?;
        if let Some(p) = self.kept_values_problem(reps) {
            return Err(SweepError::Invalid {
                file: self.label.clone(),
                problems: vec![p],
            });
        }
        let arms = self.arms_measured();
        let base_values: Vec<f64> = (0..self.file.factors.len())
            .map(|i| self.base_value(i))
            .collect();
        let owned: Vec<usize> = (0..plan.points.len())
            .filter(|&p| shard.owns(p as u32))
            .collect();
        let mut points = Vec::with_capacity(owned.len());
        let batch = POINTS_PER_BATCH.max(rayon::current_num_threads());
        replicate(
            &owned,
            batch,
            interrupt,
            |&p| self.run_point(&plan.points[p], reps, &arms, &base_values),
            |&p, result| {
                let r = result.map_err(|e| SweepError::Invalid {
                    file: self.label.clone(),
                    problems: vec![problem(format!("point {p}"), e)],
                })?;
                sink(p, &r).map_err(SweepError::Sink)?;
                points.push((p, r));
                Ok::<(), SweepError>(())
            },
        )?;
        Ok(Ran {
            simulations: points.len() as u64 * u64::from(reps) * arms.len() as u64,
            points,
            owned: owned.len(),
            replications: reps,
            wall_seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The arms the outputs measure (indices into the base scenario's arms), ascending.
    fn arms_measured(&self) -> Vec<usize> {
        let mut arms: Vec<usize> = self
            .file
            .outputs
            .iter()
            .flat_map(|o| std::iter::once(&o.arm).chain(o.against.as_ref()))
            .map(|name| self.arm_index(name))
            .collect();
        arms.sort_unstable();
        arms.dedup();
        arms
    }

    fn arm_index(&self, name: &str) -> usize {
        self.base
            .arms
            .iter()
            .position(|a| a.name == name)
            .expect("outputs name arms (checked when read)")
    }

    /// One point: its scenario, every replication in parallel (gathered in replication order,
    /// so the result does not depend on the threads), and the outputs' statistics.
    fn run_point(
        &self,
        point: &Point,
        reps: u32,
        arms: &[usize],
        base_values: &[f64],
    ) -> Result<PointResult, String> {
        let s = self
            .scenario_at(&point.set())
            .map_err(|e: PathError| e.to_string())?;
        let rows: Vec<Vec<f64>> = (0..reps)
            .into_par_iter()
            .map(|r| self.outputs_of(&s, r, arms))
            .collect::<Result<_, _>>()
            .map_err(|e: LedgerOverflow| e.to_string())?;
        let values = point
            .values
            .iter()
            .zip(base_values)
            .map(|(v, b)| v.unwrap_or(*b))
            .collect();
        Ok(PointResult::from_replications(values, &rows))
    }

    /// Every output's value in replication `r` of scenario `s`; the arms share the
    /// replication's random numbers.
    fn outputs_of(&self, s: &Scenario, r: u32, arms: &[usize]) -> Result<Vec<f64>, LedgerOverflow> {
        let weeks = self.file.weeks.unwrap_or(self.base.weeks);
        let seed = self.seed();
        let by_arm: BTreeMap<usize, (ReplicationSummary, ReplicationOutcome)> = arms
            .iter()
            .map(|&a| {
                let o = Replication::new(s, seed, u64::from(r))
                    .arm(a)
                    .weeks(weeks)
                    .run();
                check_ledger(&o, (a, &s.arms[a].name), r)?;
                Ok((a, (ReplicationSummary::of(s, r, &o), o)))
            })
            .collect::<Result<_, LedgerOverflow>>()?;
        let value = |arm: &str, name: &str| {
            let (summary, outcome) = &by_arm[&self.arm_index(arm)];
            measure(summary, outcome, name)
        };
        Ok(self
            .file
            .outputs
            .iter()
            .map(|o| {
                let v = value(&o.arm, &o.measure);
                match &o.against {
                    Some(b) => v - value(b, &o.measure),
                    None => v,
                }
            })
            .collect())
    }
}
