//! Memory estimates from a scenario's size alone, so a run too big for the machine is refused
//! before anything is allocated, and the budget that decides how a run computes its
//! percentiles across replications.
//!
//! A run keeps every replication's value of every reported cell (exact percentiles, see
//! [`crate::stats::store`]) while those values fit in its budget,
//! [`DEFAULT_QUANTILE_BUDGET_BYTES`] unless told otherwise (`run --quantile-budget`); past it,
//! a sketch per cell (bounded memory, within the error stated in [`crate::stats::sketch`]).
//! The values are kept in an anonymous temporary file (`TMPDIR`), a block of rows at a time,
//! so the budget bounds that file, not memory: memory holds a block of rows per store and a
//! chunk of cells while percentiles are computed, however many replications.
//! The choice depends on the run's size alone (arms, sites, weeks, replications), never on the
//! machine or the shard, so every shard of a run makes the same one.

use crate::ledger::Lines;
use crate::model::{Metric, WeekTally};
use crate::scenario::Scenario;
use crate::stats::QuantileMethod;
use crate::stats::sketch::Sketch;
use crate::stats::store::spill::{QUANTILE_CHUNK_BYTES, SPILL_BLOCK_BYTES};

/// The temporary disk a run may spend on exact percentiles unless told otherwise: 4 GiB of
/// kept values (the built-in scenario's 6 arms x 7 site rows x 156 weeks x 44 metrics keep
/// 2.3 MB a replication, so up to about 1,860 replications are exact).
pub const DEFAULT_QUANTILE_BUDGET_BYTES: u64 = 4 << 30;

/// Values a run keeps of each replication for exact percentiles: for every arm, every (site
/// row, week, metric) cell and every week's cumulative net cash flow minus the baseline's.
pub fn kept_values_per_replication(scenario: &Scenario) -> u64 {
    let weeks = u64::from(scenario.weeks);
    let cells = (u64::from(scenario.sites.count) + 1)
        .saturating_mul(weeks)
        .saturating_mul(Metric::all().len() as u64);
    cells
        .saturating_add(weeks)
        .saturating_mul(scenario.arms.len() as u64)
}

/// Bytes the exact values of a run of `scenario` take in their temporary file (its
/// `replications` and `weeks`; 8 bytes a value). Saturating, like [`replication_bytes`].
pub fn exact_values_bytes(scenario: &Scenario) -> u64 {
    kept_values_per_replication(scenario)
        .saturating_mul(u64::from(scenario.replications))
        .saturating_mul(8)
}

/// The most replications of `scenario` whose exact values fit in `budget_bytes` (`u64::MAX`
/// when a replication keeps none).
pub fn exact_replications(scenario: &Scenario, budget_bytes: u64) -> u64 {
    match kept_values_per_replication(scenario).saturating_mul(8) {
        0 => u64::MAX,
        per_replication => budget_bytes / per_replication,
    }
}

/// How a run of `scenario` computes percentiles: [`QuantileMethod::Exact`] when the exact
/// values of its `replications` fit in `budget_bytes` (at most [`exact_replications`]), else
/// [`QuantileMethod::Sketch`]. From the run's size alone, so every shard of it decides the
/// same; a whole run decides on the replications it holds, so one stopped early (or extended
/// to a precision) holds what a run of that many replications does.
pub fn quantile_method(scenario: &Scenario, budget_bytes: u64) -> QuantileMethod {
    if u64::from(scenario.replications) <= exact_replications(scenario, budget_bytes) {
        QuantileMethod::Exact
    } else {
        QuantileMethod::Sketch
    }
}

/// A run that would not fit in the memory available: the estimate and what it is made of.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MemoryError(String);

/// Bytes one replication of `scenario` holds while it runs, from its size alone: the customer
/// and prospect slots of every site (state, visit rate, alias table: ~90 bytes each), its
/// employees, and the weekly and monthly tallies kept until the replication is summarised.
/// Saturating: a size past `u64` is refused, never wrapped round to a small one.
pub fn replication_bytes(scenario: &Scenario) -> u64 {
    let sites = u64::from(scenario.sites.count);
    let market = u64::from(
        scenario
            .sites
            .market_per_site
            .max(scenario.sites.customers_per_site),
    );
    let staff = u64::from(scenario.sites.employees_per_site) * 4;
    let weeks = u64::from(scenario.weeks);
    let per_site = market
        .saturating_mul(90)
        .saturating_add(staff.saturating_mul(120))
        .saturating_add(weeks * std::mem::size_of::<WeekTally>() as u64)
        .saturating_add(weeks * std::mem::size_of::<Lines>() as u64 / 4);
    sites.saturating_mul(per_site)
}

/// Bytes a run of `scenario` holds in memory besides its replications in flight, from its
/// size alone: per arm, what it keeps of each (site row, week, metric) cell (every
/// replication's value within `budget_bytes`, in a temporary file but for a block of rows per
/// store, [`SPILL_BLOCK_BYTES`], and a chunk of cells while percentiles are computed,
/// [`QUANTILE_CHUNK_BYTES`]; past the budget a sketch, ~150 bytes with its buckets), the cell
/// values of each replication in a batch (8 bytes a cell, `threads * 4` replications), and
/// `weekly.csv`'s text (~80 bytes a cell) while it is written. Saturating, like
/// [`replication_bytes`].
pub fn aggregate_bytes(scenario: &Scenario, threads: usize, budget_bytes: u64) -> u64 {
    let cells = kept_values_per_replication(scenario);
    let stores = (scenario.arms.len() as u64).saturating_mul(2);
    let in_memory = |kept: u64| {
        kept.min(stores.saturating_mul(SPILL_BLOCK_BYTES as u64))
            .saturating_add((QUANTILE_CHUNK_BYTES as u64).min(kept))
    };
    let kept = match quantile_method(scenario, budget_bytes) {
        QuantileMethod::Exact => in_memory(exact_values_bytes(scenario)),
        QuantileMethod::Sketch => cells
            .saturating_mul(std::mem::size_of::<Sketch>() as u64 + 48)
            .saturating_add(in_memory(budget_bytes.min(exact_values_bytes(scenario)))),
    };
    let per_cell = 80 + 8 * 4 * threads as u64;
    cells.saturating_mul(per_cell).saturating_add(kept)
}

/// Memory the machine has available now, bytes (Linux: `MemAvailable` of /proc/meminfo; None
/// where it cannot be read).
pub fn available_memory_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Refuses, before anything is allocated, a run whose replications in flight (one per thread)
/// and weekly figures would not fit in the memory available, with the estimate and what it is
/// made of. `quantile_budget_bytes` is the run's budget for exact percentiles
/// ([`quantile_method`], over `scenario.replications`); 0 for a study that keeps no
/// replication's weekly values (a sweep, `explain`).
///
/// # Errors
///
/// [`MemoryError`] giving the estimate, what it is made of, and the memory available.
pub fn check_memory(
    scenario: &Scenario,
    threads: usize,
    quantile_budget_bytes: u64,
    available: Option<u64>,
) -> Result<(), MemoryError> {
    let Some(available) = available else {
        return Ok(());
    };
    let threads = super::replicate::thread_count(threads);
    let in_flight = replication_bytes(scenario).saturating_mul(threads as u64);
    let aggregates = aggregate_bytes(scenario, threads, quantile_budget_bytes);
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let kept = match quantile_method(scenario, quantile_budget_bytes) {
        QuantileMethod::Exact => format!(
            "every replication's value of them for exact percentiles ({} replications, {:.1} GiB in a temporary file and a block of them in memory; a smaller --quantile-budget keeps a sketch instead)",
            scenario.replications,
            gib(exact_values_bytes(scenario))
        ),
        QuantileMethod::Sketch => {
            "every replication's value up to the --quantile-budget, then a sketch of each"
                .to_string()
        }
    };
    let needed = in_flight.saturating_add(aggregates);
    if needed > available / 10 * 9 {
        return Err(MemoryError(format!(
            "{}: the scenario would need about {:.1} GiB ({:.1} GiB for {} site(s) x {} customer and prospect slots, ~90 bytes each, for each of {} replication(s) in flight, and {:.1} GiB for the weekly figures of {} arm(s) x {} site rows x {} weeks, {kept}), but {:.1} GiB is available: use fewer sites, a smaller market_per_site, fewer weeks, fewer replications, or fewer --threads",
            scenario.name,
            gib(needed),
            gib(in_flight),
            scenario.sites.count,
            scenario
                .sites
                .market_per_site
                .max(scenario.sites.customers_per_site),
            threads,
            gib(aggregates),
            scenario.arms.len(),
            u64::from(scenario.sites.count) + 1,
            scenario.weeks,
            gib(available)
        )));
    }
    Ok(())
}
