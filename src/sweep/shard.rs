//! A share of a sweep's points, run anywhere (`sweep --shard K/N`), and the merge that turns
//! every share back into exactly the result one sweep computes. Shards are checked with the
//! runner's [`check_shards`], so runs and sweeps refuse mismatched shards alike.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::plan::Plan;
use super::run::Ran;
use super::{PointResult, Sweep, SweepError, SweepFile, SweepResult};
use crate::runner::{MergeError, Shard, ShardHeader, check_shards};
use crate::scenario::Scenario;

/// The file a sweep shard writes and `merge` reads.
pub const SWEEP_PARTIAL_FILE: &str = "sweep_partial.json";

/// A point's result kept exactly: the factor values and every replication's output values as
/// bit patterns, so NaN survives and the merged point is recomputed bit for bit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardPoint {
    /// The point's index in the design.
    pub index: usize,
    /// Factor values, as `f64::to_bits`.
    pub values: Vec<u64>,
    /// Per replication, every output's value, as `f64::to_bits`.
    pub replications: Vec<Vec<u64>>,
}

impl ShardPoint {
    /// Point `index` of the design, kept exactly.
    pub fn of(index: usize, r: &PointResult) -> ShardPoint {
        let reps = r.outputs.first().map_or(0, |o| o.replications.len());
        ShardPoint {
            index,
            values: r.values.iter().map(|x| x.to_bits()).collect(),
            replications: (0..reps)
                .map(|i| {
                    r.outputs
                        .iter()
                        .map(|o| o.replications[i].to_bits())
                        .collect()
                })
                .collect(),
        }
    }

    /// The point's result, as the sweep computed it.
    pub fn point(&self) -> PointResult {
        let rows: Vec<Vec<f64>> = self
            .replications
            .iter()
            .map(|row| row.iter().map(|b| f64::from_bits(*b)).collect())
            .collect();
        PointResult::from_replications(
            self.values.iter().map(|b| f64::from_bits(*b)).collect(),
            &rows,
        )
    }
}

/// What a sweep shard writes (`sweep_partial.json`): its points and everything needed to check
/// and finish a merge.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(expecting = "a chainsim sweep shard result (sweep_partial.json)")]
pub struct SweepShard {
    /// Which sweep, build, seed and share this is.
    #[serde(flatten)]
    pub header: ShardHeader,
    /// Where the sweep file came from.
    pub label: String,
    /// The sweep as run.
    pub sweep: SweepFile,
    /// Its base scenario, as loaded.
    pub base: Scenario,
    /// Points in the whole design.
    pub total_points: usize,
    /// Simulations this shard ran.
    pub simulations: u64,
    /// Its wall-clock seconds.
    pub wall_seconds: f64,
    /// Its points, in design order.
    pub points: Vec<ShardPoint>,
    /// If interrupted: the points the shard was to run (such a shard is never written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_at: Option<usize>,
}

impl SweepShard {
    /// The shard `shard` of `sweep` left by a run of its points.
    pub(super) fn new(sweep: &Sweep, plan: &Plan, shard: Shard, ran: Ran) -> SweepShard {
        SweepShard {
            header: sweep.shard_header(ran.replications, shard),
            label: sweep.label.clone(),
            sweep: sweep.file.clone(),
            base: sweep.base.clone(),
            total_points: plan.points.len(),
            simulations: ran.simulations,
            wall_seconds: ran.wall_seconds,
            interrupted_at: ran.interrupted().then_some(ran.owned),
            points: ran
                .points
                .iter()
                .map(|(p, r)| ShardPoint::of(*p, r))
                .collect(),
        }
    }

    /// Combines the shards of one sweep (each labelled by where it came from) into exactly the
    /// result the whole sweep computes.
    ///
    /// # Errors
    ///
    /// [`SweepError::Merge`] listing every problem at once: shards from different sweeps, seeds,
    /// replications, versions or builds, and shards missing or repeated.
    pub fn merge(parts: Vec<(String, SweepShard)>) -> Result<SweepResult, SweepError> {
        let started = Instant::now();
        let headers: Vec<(&str, &ShardHeader)> =
            parts.iter().map(|(l, p)| (l.as_str(), &p.header)).collect();
        check_shards(&headers)?;
        let (_, first) = &parts[0];
        let sweep = Sweep::from_parts(first.sweep.clone(), first.base.clone(), first.label.clone());
        let plan = sweep.plan();
        let mut points: Vec<&ShardPoint> = parts.iter().flat_map(|(_, p)| &p.points).collect();
        points.sort_by_key(|p| p.index);
        if points.len() != plan.points.len() || points.iter().enumerate().any(|(i, p)| p.index != i)
        {
            return Err(MergeError::Refused {
                problems: vec![format!(
                    "expected points 0 to {} across the shards, found {} points",
                    plan.points.len().saturating_sub(1),
                    points.len()
                )],
            }
            .into());
        }
        let results = points.iter().map(|p| p.point()).collect();
        let mut result = sweep.result(
            &plan,
            results,
            first.header.replications,
            parts.iter().map(|(_, p)| p.simulations).sum(),
            None,
        );
        result.wall_seconds = parts.iter().map(|(_, p)| p.wall_seconds).sum::<f64>()
            + started.elapsed().as_secs_f64();
        Ok(result)
    }
}
