//! Monte Carlo replications in parallel: every (replication, arm) runs on its own random
//! streams; results are folded into the aggregate in replication order, so output is
//! bit-identical whatever the thread count.

use std::time::Instant;

use rayon::prelude::*;

use crate::ledger::Line;
use crate::model::{Metric, ReplicationOutcome, WeekTally, simulate};
use crate::scenario::Scenario;
use crate::stats::Summary;

/// How to run a scenario.
#[derive(Debug, Clone)]
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
        }
    }
}

/// One replication of one arm, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationSummary {
    /// Replication index.
    pub replication: u32,
    /// Net present value of monthly profit at the scenario's discount rate, currency units.
    pub npv: f64,
    /// Cumulative profit over the horizon, currency units.
    pub cumulative_profit: f64,
    /// Revenue over the horizon, currency units.
    pub revenue: f64,
    /// Active customers at the end.
    pub final_customers: f64,
    /// Mean satisfaction of active customers over the weeks.
    pub mean_satisfaction: f64,
    /// Mean employee morale over the weeks.
    pub mean_morale: f64,
    /// Mean ISQ over the weeks.
    pub mean_isq: f64,
    /// Quits per year as a share of mean headcount.
    pub annual_turnover: f64,
    /// Customers lost per year as a share of mean active customers.
    pub annual_customer_churn: f64,
    /// Share of customer losses due to service treatment.
    pub loss_service_share: f64,
    /// Mean wait of served customers, minutes.
    pub mean_wait_minutes: f64,
    /// Encounters simulated.
    pub encounters: u64,
}

/// Results of one arm.
#[derive(Debug, Clone)]
pub struct ArmResult {
    /// The arm's name.
    pub name: String,
    /// Summaries by (site row, week, metric); site row `sites` is the firm (`all`).
    pub weekly: Vec<Summary>,
    /// One summary per replication, in replication order.
    pub replications: Vec<ReplicationSummary>,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The scenario as run (resolved, with command-line overrides applied).
    pub scenario: Scenario,
    /// Options used.
    pub options: RunOptions,
    /// Threads actually used.
    pub threads: usize,
    /// The metrics reported, in the order of `ArmResult::weekly`.
    pub metrics: Vec<Metric>,
    /// Number of sites.
    pub sites: usize,
    /// Results per arm, in scenario order.
    pub arms: Vec<ArmResult>,
    /// Encounters simulated over every arm and replication.
    pub encounters: u64,
    /// Wall-clock time of the simulation, seconds.
    pub wall_seconds: f64,
}

impl RunResult {
    /// Index into `ArmResult::weekly` of (site row, week, metric index).
    pub fn cell(&self, site_row: usize, week: usize, metric: usize) -> usize {
        (site_row * self.options.weeks as usize + week) * self.metrics.len() + metric
    }

    /// Index of a metric in `metrics`.
    pub fn metric_index(&self, m: Metric) -> usize {
        self.metrics.iter().position(|&x| x == m).unwrap_or(0)
    }
}

/// Errors from running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// Rayon's reason.
        source: rayon::ThreadPoolBuildError,
    },
}

/// Firm tally of a week: the sum of its sites.
fn firm(row: &[WeekTally]) -> WeekTally {
    let mut t = WeekTally::default();
    for s in row {
        t.add(s);
    }
    t
}

/// Sums of each week's trailing window of `tallies` (see [`Metric::TRAILING_WEEKS`]).
fn trailing(tallies: &[WeekTally]) -> Vec<WeekTally> {
    let mut sums = Vec::with_capacity(tallies.len());
    for w in 0..tallies.len() {
        let mut t = WeekTally::default();
        for x in &tallies[w.saturating_sub(Metric::TRAILING_WEEKS - 1)..=w] {
            t.add(x);
        }
        sums.push(t);
    }
    sums
}

fn summarise(
    scenario: &Scenario,
    replication: u32,
    out: &ReplicationOutcome,
) -> ReplicationSummary {
    let weeks: Vec<WeekTally> = out.weekly.iter().map(|row| firm(row)).collect();
    let n = weeks.len().max(1) as f64;
    let mean_of = |m: Metric| {
        weeks
            .iter()
            .map(|t| m.value(t, t))
            .filter(|v| !v.is_nan())
            .sum::<f64>()
            / n
    };
    let sum = |f: &dyn Fn(&WeekTally) -> f64| weeks.iter().map(f).sum::<f64>();
    let years = n / 52.0;
    let r = scenario.money.discount_rate_per_year;
    let npv_cents: f64 = out
        .monthly
        .iter()
        .enumerate()
        .map(|(m, row)| {
            row.iter().map(|l| l.profit().cents() as f64).sum::<f64>()
                / (1.0 + r).powf((m + 1) as f64 / 12.0)
        })
        .sum();
    let lost = sum(&|t| t.lost());
    ReplicationSummary {
        replication,
        npv: npv_cents / 100.0,
        cumulative_profit: weeks
            .last()
            .map_or(0.0, |t| t.cumulative_profit_cents as f64 / 100.0),
        revenue: sum(&|t| t.money.get(Line::Revenue).to_currency()),
        final_customers: weeks.last().map_or(0.0, |t| t.customers),
        mean_satisfaction: mean_of(Metric::Satisfaction),
        mean_morale: mean_of(Metric::Morale),
        mean_isq: mean_of(Metric::Isq),
        annual_turnover: sum(&|t| t.quits) / (sum(&|t| t.employees) / n).max(1e-9) / years,
        annual_customer_churn: lost / (sum(&|t| t.customers) / n).max(1e-9) / years,
        loss_service_share: if lost > 0.0 {
            sum(&|t| t.lost_service) / lost
        } else {
            f64::NAN
        },
        mean_wait_minutes: sum(&|t| t.wait_seconds_sum) / 60.0 / sum(&|t| t.served).max(1.0),
        encounters: out.encounters,
    }
}

/// Per-replication values of every (site row, week, metric) cell.
fn cell_values(
    out: &ReplicationOutcome,
    metrics: &[Metric],
    sites: usize,
    weeks: usize,
) -> Vec<f64> {
    let mut v = vec![f64::NAN; (sites + 1) * weeks * metrics.len()];
    let firm_weeks: Vec<WeekTally> = out.weekly.iter().map(|row| firm(row)).collect();
    for r in 0..=sites {
        let series: Vec<WeekTally> = if r == sites {
            firm_weeks.clone()
        } else {
            out.weekly.iter().map(|row| row[r]).collect()
        };
        for (w, (t, tr)) in series.iter().zip(trailing(&series)).enumerate().take(weeks) {
            let base = (r * weeks + w) * metrics.len();
            for (k, m) in metrics.iter().enumerate() {
                v[base + k] = m.value(t, &tr);
            }
        }
    }
    v
}

/// Runs every arm of `scenario` for `options.replications` replications.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<RunResult, RunError> {
    let mut scenario = scenario.clone();
    scenario.seed = options.seed;
    scenario.weeks = options.weeks;
    scenario.replications = options.replications;
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::ThreadPool { threads, source })?;

    let metrics = Metric::all();
    let sites = scenario.sites.count as usize;
    let weeks = options.weeks as usize;
    let arms = scenario.arms.len();
    let reps = options.replications as usize;
    let cells = (sites + 1) * weeks * metrics.len();
    // values[arm][rep * cells + cell], filled in replication order.
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(cells * reps); arms];
    let mut summaries: Vec<Vec<ReplicationSummary>> = vec![Vec::with_capacity(reps); arms];
    let mut encounters = 0u64;

    let bar = if options.progress && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let b = indicatif::ProgressBar::new((reps * arms) as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} replications [{bar:30}] {elapsed_precise} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };

    let started = Instant::now();
    // Batches keep memory bounded to a few replications in flight per thread.
    let batch = (threads * 4).max(1);
    let mut first = 0;
    while first < reps {
        let last = (first + batch).min(reps);
        let jobs: Vec<(usize, usize)> = (first..last)
            .flat_map(|r| (0..arms).map(move |a| (r, a)))
            .collect();
        let results: Vec<(Vec<f64>, ReplicationSummary)> = pool.install(|| {
            jobs.par_iter()
                .map(|&(r, _a)| {
                    // Arms share the replication's streams: common random numbers.
                    let out = simulate(&scenario, options.seed, r as u64, options.weeks, false);
                    let cellv = cell_values(&out, &metrics, sites, weeks);
                    let summary = summarise(&scenario, r as u32, &out);
                    bar.inc(1);
                    (cellv, summary)
                })
                .collect()
        });
        for (&(_, a), (cellv, summary)) in jobs.iter().zip(results) {
            encounters += summary.encounters;
            values[a].extend_from_slice(&cellv);
            summaries[a].push(summary);
        }
        first = last;
    }
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let arms = scenario
        .arms
        .iter()
        .zip(values.into_iter().zip(summaries))
        .map(|(arm, (vals, reps_summary))| {
            let mut column = vec![0.0; reps];
            let weekly = (0..cells)
                .map(|c| {
                    for (r, x) in column.iter_mut().enumerate() {
                        *x = vals[r * cells + c];
                    }
                    Summary::of(&mut column)
                })
                .collect();
            ArmResult {
                name: arm.name.clone(),
                weekly,
                replications: reps_summary,
            }
        })
        .collect();
    Ok(RunResult {
        scenario,
        options: options.clone(),
        threads,
        metrics,
        sites,
        arms,
        encounters,
        wall_seconds,
    })
}
