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

    /// Every way this shard (read from `label`) is not the shape its own header and sweep say:
    /// a shard index within its count, the points it owns and no other, each at the factor
    /// values its design puts there, with the replications and outputs its header and sweep
    /// say, and the input digest of its own sweep. What `merge` checks after the checksum
    /// ([`crate::runner::shard_check`]).
    pub fn problems(&self, label: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let mut bad = |p: String| problems.push(format!("{label}: {p}"));
        let shard = self.header.shard;
        if shard.count == 0 || shard.index == 0 || shard.index > shard.count {
            bad(format!("shard {shard}: expected 1 <= K <= N in shard K/N"));
            return problems;
        }
        if self.interrupted_at.is_some() {
            bad("the shard was interrupted before its end; merge needs whole shards".into());
        }
        let sweep = Sweep::from_parts(self.sweep.clone(), self.base.clone(), self.label.clone());
        let invalid: Vec<String> = self
            .base
            .problems()
            .into_iter()
            .chain(sweep.problems())
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        if !invalid.is_empty() {
            bad(format!("its sweep is not valid: {}", invalid.join("; ")));
            return problems;
        }
        if sweep.shard_header(self.header.replications, shard) != self.header {
            bad(
                "the header does not match its own sweep (input SHA-256, seed, version or build)"
                    .into(),
            );
        }
        let plan = sweep.plan();
        if self.total_points != plan.points.len() {
            bad(format!(
                "expected the {} points of its design, found a total of {}",
                plan.points.len(),
                self.total_points
            ));
            return problems;
        }
        let owned: Vec<usize> = (0..plan.points.len())
            .filter(|&p| shard.owns(p as u32))
            .collect();
        let found: Vec<usize> = self.points.iter().map(|p| p.index).collect();
        if found != owned {
            bad(format!(
                "expected the {} points shard {shard} owns, found {} (points {:?}...)",
                owned.len(),
                found.len(),
                &found[..found.len().min(5)]
            ));
            return problems;
        }
        let outputs = self.sweep.outputs.len();
        for p in &self.points {
            let expected: Vec<u64> = plan.points[p.index]
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| v.unwrap_or_else(|| sweep.base_value(i)).to_bits())
                .collect();
            if p.values != expected {
                bad(format!(
                    "point {}: its factor values are not those of its design",
                    p.index
                ));
            }
            if p.replications.len() != self.header.replications as usize
                || p.replications.iter().any(|r| r.len() != outputs)
            {
                bad(format!(
                    "point {}: expected {} replications of {outputs} outputs each",
                    p.index, self.header.replications
                ));
            }
        }
        problems
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
        let shape: Vec<String> = parts.iter().flat_map(|(l, p)| p.problems(l)).collect();
        if !shape.is_empty() {
            return Err(MergeError::Refused { problems: shape }.into());
        }
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
