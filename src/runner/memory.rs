//! Memory estimates from a scenario's size alone, so a run too big for the machine is refused
//! before anything is allocated.

use crate::ledger::Lines;
use crate::model::{Metric, WeekTally};
use crate::scenario::Scenario;
use crate::stats::sketch::Sketch;

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

/// Bytes a run of `scenario` holds besides its replications in flight, from its size alone: per
/// arm, a sketch for each (site row, week, metric) cell (~96 bytes with its buckets), the cell
/// values of each replication in a batch (8 bytes a cell, `threads * 4` replications), and
/// `weekly.csv`'s text (~80 bytes a cell) while it is written. Saturating, like
/// [`replication_bytes`].
pub fn aggregate_bytes(scenario: &Scenario, threads: usize) -> u64 {
    let cells = (u64::from(scenario.sites.count) + 1)
        .saturating_mul(u64::from(scenario.weeks))
        .saturating_mul(Metric::all().len() as u64)
        .saturating_mul(scenario.arms.len() as u64);
    let per_cell = (std::mem::size_of::<Sketch>() as u64 + 48) + 80 + 8 * 4 * threads as u64;
    cells.saturating_mul(per_cell)
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
/// would not fit in the memory available, with the estimate and what it is made of.
///
/// # Errors
///
/// [`MemoryError`] giving the estimate, what it is made of, and the memory available.
pub fn check_memory(
    scenario: &Scenario,
    threads: usize,
    available: Option<u64>,
) -> Result<(), MemoryError> {
    let Some(available) = available else {
        return Ok(());
    };
    let threads = super::replicate::thread_count(threads);
    let in_flight = replication_bytes(scenario).saturating_mul(threads as u64);
    let aggregates = aggregate_bytes(scenario, threads);
    let needed = in_flight.saturating_add(aggregates);
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    if needed > available / 10 * 9 {
        return Err(MemoryError(format!(
            "{}: the scenario would need about {:.1} GiB ({:.1} GiB for {} site(s) x {} customer and prospect slots, ~90 bytes each, for each of {} replication(s) in flight, and {:.1} GiB for the weekly figures of {} arm(s) x {} site rows x {} weeks), but {:.1} GiB is available: use fewer sites, a smaller market_per_site, fewer weeks, or fewer --threads",
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
