//! Monte Carlo replications in parallel. Every (replication, arm) runs on its own random
//! streams, through the one parallel loop ([`replicate()`]), and each replication's weekly
//! figures are kept in replication order for exact percentiles (past the run's budget,
//! folded into per-cell sketches that merge by integer addition; see [`quantile_method`]):
//! results do not depend on thread count, order or sharding.

mod aggregate;
mod drift;
mod ledger_check;
mod memory;
mod precision;
pub mod replicate;
mod result;
mod shard;
pub mod shard_check;
#[cfg(test)]
mod spill_tests;
mod summary;

use std::time::Instant;

use rayon::prelude::*;

use crate::finance::payback_week;
use crate::model::{Metric, Replication, ReplicationOutcome};
use crate::scenario::{Provenance, Scenario};

pub use aggregate::{ArmAggregate, RunShard};
pub use drift::{DRIFT_METRICS, DRIFT_TOLERANCE, Drift, baseline_drift};
pub use ledger_check::{LedgerOverflow, check_ledger};
pub use memory::{
    DEFAULT_QUANTILE_BUDGET_BYTES, MemoryError, aggregate_bytes, available_memory_bytes,
    check_memory, exact_replications, exact_values_bytes, kept_values_per_replication,
    quantile_method, replication_bytes,
};
pub use precision::{PRECISION_BATCH, run_to_precision};
pub use replicate::{Interrupt, pool, replicate, thread_count};
pub use result::{ArmResult, RunError, RunResult};
pub use shard::{MergeError, Shard, ShardError, ShardHeader, check_shards};
pub use summary::{ReplicationSummary, metric_mean, nan_as_null};

/// How to run a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Replications per arm.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Horizon in weeks.
    pub weeks: u32,
    /// Whether to draw a progress bar on stderr.
    pub progress: bool,
    /// Which share of the replications to run.
    pub shard: Shard,
    /// First replication to run (replications `first_replication..replications`); lets a
    /// precision-driven run add replications in deterministic batches.
    pub first_replication: u32,
    /// Where the run looks to know it should stop early (Ctrl-C).
    pub interrupt: Interrupt,
    /// Temporary disk for exact percentiles (every replication's values, in an unlinked file
    /// in `TMPDIR`), bytes: past it a run sketches (see [`quantile_method`]).
    pub quantile_budget_bytes: u64,
}

impl RunOptions {
    /// The scenario's own replications, seed and horizon, on all cores, without progress.
    pub fn from_scenario(s: &Scenario) -> RunOptions {
        RunOptions {
            replications: s.replications,
            seed: s.seed,
            threads: 0,
            weeks: s.weeks,
            progress: false,
            shard: Shard::WHOLE,
            first_replication: 0,
            interrupt: Interrupt::default(),
            quantile_budget_bytes: DEFAULT_QUANTILE_BUDGET_BYTES,
        }
    }
}

/// What one replication of one arm leaves for the aggregate.
struct ArmReplication {
    /// The value of every (site row, week, metric) cell.
    cells: Vec<f64>,
    summary: ReplicationSummary,
    /// Firm cumulative net cash flow by week, undiscounted.
    cumulative_cash: Vec<f64>,
    /// The same, discounted.
    cumulative_discounted_cash: Vec<f64>,
    /// Encounters of the warm-up the replication's arms share.
    warmup_encounters: u64,
}

/// A progress bar on stderr when asked for and stderr is a terminal; hidden otherwise.
fn progress_bar(shown: bool, len: u64) -> indicatif::ProgressBar {
    if !(shown && std::io::IsTerminal::is_terminal(&std::io::stderr())) {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(len);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} replications [{bar:30}] {elapsed_precise} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    b
}

/// The digest shards of one run share: the resolved scenario, with the seed and the
/// replications (checked on their own) left out.
fn input_digest(scenario: &Scenario) -> String {
    let mut s = scenario.clone();
    s.seed = 0;
    s.replications = 0;
    crate::scenario::provenance::sha256_hex(s.resolved_ron().as_bytes())
}

/// Runs the replications of `options.shard` of every arm of `scenario`, on a pool of
/// `options.threads` threads.
///
/// # Errors
///
/// [`RunError`] if the worker threads cannot be started, a replication's money overflows, or
/// the values kept for exact percentiles cannot be written to their temporary file.
pub fn run_shard(
    scenario: &Scenario,
    provenance: &Provenance,
    options: &RunOptions,
) -> Result<RunShard, RunError> {
    let mut scenario = scenario.clone();
    scenario.seed = options.seed;
    scenario.weeks = options.weeks;
    scenario.replications = options.replications;
    let threads = thread_count(options.threads);
    let pool = pool(threads)?;

    let metrics = Metric::all();
    let baseline = scenario.baseline_index();
    let sites = scenario.sites.count as usize;
    let weeks = options.weeks as usize;
    let cells = (sites + 1) * weeks * metrics.len();
    let reps: Vec<u32> = (options.first_replication..options.replications)
        .filter(|&r| options.shard.owns(r))
        .collect();
    let keeping = aggregate::Keeping::new(
        options.shard,
        options.replications,
        exact_replications(&scenario, options.quantile_budget_bytes),
    );
    let (method, rows) = keeping.start(options.first_replication, reps.len());
    let mut arms: Vec<ArmAggregate> = scenario
        .arms
        .iter()
        .map(|a| ArmAggregate::new(&a.name, cells, weeks, method, rows))
        .collect();
    let mut encounters = 0u64;
    let bar = progress_bar(options.progress, (reps.len() * arms.len()) as u64);

    let started = Instant::now();
    // The earliest replication whose money overflowed (ledger_check): the run fails with it.
    let overflow = std::sync::Mutex::new(None::<LedgerOverflow>);
    let one = |&r: &u32| -> Vec<ArmReplication> {
        // Arms share the replication's streams (common random numbers) and its warm-up, which
        // runs once; every arm starts from a copy of its end.
        let warm = Replication::new(&scenario, options.seed, u64::from(r))
            .weeks(options.weeks)
            .warm_up();
        let finish = |a: usize, out: ReplicationOutcome| {
            if let Err(e) = check_ledger(&out, (a, &scenario.arms[a].name), r) {
                let mut first = overflow.lock().unwrap_or_else(|p| p.into_inner());
                if first
                    .as_ref()
                    .is_none_or(|f| (r, a) < (f.replication, f.arm_index))
                {
                    *first = Some(e);
                }
            }
            bar.inc(1);
            let (cumulative_cash, cumulative_discounted_cash) =
                summary::cumulative_cash(&out, scenario.money.discount_rate_per_year);
            ArmReplication {
                cells: summary::cell_values(&out, &metrics, sites, weeks),
                summary: ReplicationSummary::of(&scenario, r, &out),
                cumulative_cash,
                cumulative_discounted_cash,
                warmup_encounters: out.warmup_encounters,
            }
        };
        if scenario.arms.len() == 1 {
            // One arm runs from the warm start itself: no second copy of the world.
            vec![finish(0, warm.into_arm(0, &mut ()))]
        } else {
            (0..scenario.arms.len())
                .into_par_iter()
                .map(|a| finish(a, warm.run_arm(a, &mut ())))
                .collect()
        }
    };
    let fold = |&r: &u32, rep: Vec<ArmReplication>| {
        let base = rep[baseline].cumulative_cash.clone();
        let base_discounted = rep[baseline].cumulative_discounted_cash.clone();
        let minus =
            |x: &[f64], b: &[f64]| -> Vec<f64> { x.iter().zip(b).map(|(x, b)| x - b).collect() };
        encounters += rep[baseline].warmup_encounters;
        for (a, x) in rep.into_iter().enumerate() {
            encounters += x.summary.encounters;
            arms[a].cells.push(r, &x.cells)?;
            let delta = minus(&x.cumulative_cash, &base);
            arms[a].delta.push(r, &delta)?;
            let mut summary = x.summary;
            if a != baseline {
                summary.payback_week = payback_week(&delta);
                summary.discounted_payback_week =
                    payback_week(&minus(&x.cumulative_discounted_cash, &base_discounted));
            }
            arms[a].replications.push(summary);
        }
        keeping.after(r, &mut arms)
    };
    // Batches bound the replications in flight; each is folded as soon as it is done.
    let done = pool.install(|| replicate(&reps, threads * 4, options.interrupt, one, fold))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if let Some(e) = overflow.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(RunError::LedgerOverflow(e));
    }
    let interrupted_at = (done < reps.len()).then_some(options.replications);
    if interrupted_at.is_some() && options.shard == Shard::WHOLE {
        // Replications first_replication.. were run in order: the first `done` of them.
        scenario.replications = options.first_replication + done as u32;
    }
    Ok(RunShard {
        header: ShardHeader::new(
            input_digest(&scenario),
            options.seed,
            scenario.replications,
            options.shard,
        ),
        provenance: provenance.clone(),
        weeks: options.weeks,
        shards: vec![options.shard],
        threads: vec![threads],
        wall_seconds: vec![wall_seconds],
        encounters,
        metrics: metrics.iter().map(|m| m.name().to_string()).collect(),
        arms,
        scenario,
        interrupted_at,
    })
}

/// Runs every replication of every arm of `scenario` and summarises them.
///
/// # Errors
///
/// As [`run_shard`].
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<RunResult, RunError> {
    let mut whole = options.clone();
    whole.shard = Shard::WHOLE;
    let provenance = Provenance::of("", "");
    Ok(run_shard(scenario, &provenance, &whole)?.into_result()?)
}

/// A fingerprint of how this build simulates: SHA-256 of a small fixed replication's weekly
/// figures (a millisecond's work). Two builds that agree on it agree on every draw and rule.
pub fn model_fingerprint() -> String {
    use sha2::Digest;
    let mut s = Scenario::default();
    s.sites.count = 2;
    s.sites.employees_per_site = 3;
    s.sites.customers_per_site = 150;
    s.sites.market_per_site = 200;
    let out = Replication::new(&s, 1, 0).weeks(3).run();
    let digest = sha2::Sha256::digest(format!("{:?}{:?}", out.weekly, out.monthly).as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}
