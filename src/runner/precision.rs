//! Runs that add replications until every comparison is as precise as asked.

use crate::scenario::{Provenance, Scenario};

use super::{RunError, RunOptions, RunShard, Shard, run_shard};

/// Replications added per round by [`run_to_precision`]: fixed, so the rounds (and so the
/// result) do not depend on the thread count.
pub const PRECISION_BATCH: u32 = 20;

/// Runs replications in batches of [`PRECISION_BATCH`] until every arm's ΔNPV interval against
/// the baseline has a half-width of at most `precision` (currency units), or `max_replications`
/// have run. Returns the result and whether the precision was reached. Percentiles are kept
/// as one run of the replications reached keeps them: exact while they fit in
/// `options.quantile_budget_bytes`, sketched past it.
///
/// # Errors
///
/// [`RunError`] if the run cannot start, or its kept values cannot be written.
pub fn run_to_precision(
    scenario: &Scenario,
    provenance: &Provenance,
    options: &RunOptions,
    precision: f64,
    max_replications: u32,
) -> Result<(RunShard, bool), RunError> {
    let baseline = scenario.baseline_index();
    let mut batch = options.clone();
    batch.shard = Shard::WHOLE;
    batch.first_replication = 0;
    batch.replications = PRECISION_BATCH.min(max_replications);
    let mut whole = run_shard(scenario, provenance, &batch)?;
    loop {
        let widest = whole
            .comparisons()
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != baseline)
            .map(|(_, c)| c.delta_npv.half_width())
            .fold(0.0f64, |w, h| {
                if h.is_finite() {
                    w.max(h)
                } else {
                    f64::INFINITY
                }
            });
        if widest <= precision {
            return Ok((whole, true));
        }
        let done = whole.header.replications;
        if done >= max_replications || whole.interrupted_at.is_some() {
            return Ok((whole, false));
        }
        batch.first_replication = done;
        batch.replications = (done + PRECISION_BATCH).min(max_replications);
        whole.extend(run_shard(scenario, provenance, &batch)?)?;
    }
}
