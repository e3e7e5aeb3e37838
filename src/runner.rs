//! Monte Carlo replications in parallel. Every (replication, arm) runs on its own random
//! streams, and each replication's weekly figures are folded into per-cell sketches whose
//! merge is exact integer addition: results do not depend on thread count, order or sharding,
//! and memory does not grow with the number of replications.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ledger::{Line, Lines};
use crate::model::{Metric, ReplicationOutcome, WeekTally, simulate, simulate_arm};
use crate::scenario::Scenario;
use crate::stats::Summary;
use crate::stats::sketch::Sketch;

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
}

/// A request to stop a run early, set from outside (a Ctrl-C handler) and checked before each
/// replication starts: replications already running finish, later ones do not start, and the
/// run keeps the replications completed in order, so its result is exactly a shorter run's.
/// The default never stops.
#[derive(Debug, Clone, Copy, Default)]
pub struct Interrupt(Option<&'static AtomicBool>);

impl Interrupt {
    /// Stops when `flag` is set.
    pub fn on(flag: &'static AtomicBool) -> Interrupt {
        Interrupt(Some(flag))
    }

    /// Whether a stop has been requested.
    pub fn requested(self) -> bool {
        self.0.is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

impl PartialEq for Interrupt {
    /// Two interrupts are equal when they watch the same flag (or none).
    fn eq(&self, other: &Interrupt) -> bool {
        match (self.0, other.0) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }
}

/// A share of the replications: shard `index` of `count` (1-based) runs every replication `r`
/// with `r % count == index - 1`, so shards are independent of each other and of threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based index of this shard.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/N` with 1 <= K <= N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (e.g. 2/8), found \"{text}\"");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 && count > 0 {
            return Err(format!(
                "shards are numbered from 1, found \"{text}\" (with Slurm use --array=1-{count})"
            ));
        }
        if count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether replication `r` belongs to this shard.
    pub fn owns(self, r: u32) -> bool {
        r % self.count == self.index - 1
    }
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
        }
    }
}

/// One replication of one arm, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationSummary {
    /// Replication index.
    pub replication: u32,
    /// Net present value of monthly profit at the scenario's discount rate, currency units.
    #[serde(with = "nan_as_null")]
    pub npv: f64,
    /// Cumulative profit over the horizon, currency units.
    #[serde(with = "nan_as_null")]
    pub cumulative_profit: f64,
    /// Revenue over the horizon, currency units.
    #[serde(with = "nan_as_null")]
    pub revenue: f64,
    /// Active customers at the end.
    #[serde(with = "nan_as_null")]
    pub final_customers: f64,
    /// Mean satisfaction of active customers over the weeks.
    #[serde(with = "nan_as_null")]
    pub mean_satisfaction: f64,
    /// Mean employee morale over the weeks.
    #[serde(with = "nan_as_null")]
    pub mean_morale: f64,
    /// Mean ISQ over the weeks.
    #[serde(with = "nan_as_null")]
    pub mean_isq: f64,
    /// Quits per year as a share of mean headcount.
    #[serde(with = "nan_as_null")]
    pub annual_turnover: f64,
    /// Customers lost per year as a share of mean active customers.
    #[serde(with = "nan_as_null")]
    pub annual_customer_churn: f64,
    /// Share of customer losses due to service treatment.
    #[serde(with = "nan_as_null")]
    pub loss_service_share: f64,
    /// Mean wait of served customers, minutes.
    #[serde(with = "nan_as_null")]
    pub mean_wait_minutes: f64,
    /// Present value of the arm's direct spending on interventions, currency units.
    #[serde(with = "nan_as_null")]
    pub investment: f64,
    /// First week from which cumulative profit stays above the baseline's in the same
    /// replication (NaN: never, or this is the baseline).
    #[serde(with = "nan_as_null")]
    pub payback_week: f64,
    /// Encounters simulated.
    pub encounters: u64,
}

fn summary_of(c: &Sketch) -> Summary {
    Summary {
        mean: c.mean(),
        p: crate::stats::PERCENTILES.map(|q| c.quantile(q)),
    }
}

/// Serialises NaN (an undefined figure) as JSON `null` and reads it back.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// The running aggregate of one arm: a sketch per (site row, week, metric) cell, and one
/// summary row per replication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArmAggregate {
    /// The arm's name.
    pub name: String,
    /// Sketches by cell (see [`RunResult::cell`]).
    pub cells: Vec<Sketch>,
    /// Replication summaries, sorted by replication index.
    pub replications: Vec<ReplicationSummary>,
    /// Sketches by week of cumulative profit minus the baseline's, paired by replication.
    pub delta: Vec<Sketch>,
}

impl ArmAggregate {
    /// Adds another share of the same arm's replications (exact, whatever the order).
    pub fn merge(&mut self, other: ArmAggregate) {
        for (x, y) in self
            .cells
            .iter_mut()
            .zip(&other.cells)
            .chain(self.delta.iter_mut().zip(&other.delta))
        {
            x.merge(y);
        }
        self.replications.extend(other.replications);
        self.replications.sort_by_key(|r| r.replication);
    }
}

/// What a run or a shard of a run produced, before formatting: mergeable with other shards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// chainsim version that produced it.
    pub chainsim_version: String,
    /// Fingerprint of the model's behaviour (see [`model_fingerprint`]): builds that would
    /// simulate differently do not merge, even under the same version number.
    pub model_fingerprint: String,
    /// Scenario file as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario text.
    pub scenario_sha256: String,
    /// The scenario text (comments and all), for the report's assumptions; empty if unknown.
    #[serde(default)]
    pub scenario_text: String,
    /// The resolved scenario, with command-line overrides applied.
    pub scenario: Scenario,
    /// The options of the run (replications are the whole run's, not the shard's).
    pub seed: u64,
    /// Horizon in weeks.
    pub weeks: u32,
    /// Replications of the whole run.
    pub replications: u32,
    /// The shards merged into this partial, sorted by index.
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
    /// If the run was interrupted: the replications it was asked for (`replications` then
    /// counts those completed, replications `0..replications`). None: it ran to the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_at: Option<u32>,
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
    /// By week: cumulative profit minus the baseline's in the same replication.
    pub delta: Vec<Summary>,
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
    /// Wall-clock time of the simulation, seconds (summed over shards).
    pub wall_seconds: f64,
    /// Shards the result was merged from (1 for a single run).
    pub shards: usize,
    /// If the run was interrupted, the replications it was asked for (`options.replications`
    /// counts those completed). None: the run is complete.
    pub interrupted_at: Option<u32>,
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

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// No partial results were given.
    #[error("nothing to merge: give the output directories of the shards")]
    Empty,
    /// Two partials come from different runs.
    #[error(
        "'{left}' and '{right}' come from different runs: {what} differs ({left_value} vs {right_value})"
    )]
    Mismatch {
        /// Where the first partial came from.
        left: String,
        /// Where the other came from.
        right: String,
        /// What differs (scenario, seed, version, ...).
        what: &'static str,
        /// Its value in the first.
        left_value: String,
        /// Its value in the other.
        right_value: String,
    },
    /// A shard appears twice.
    #[error("shard {index}/{count} is given twice (second time in '{source_label}')")]
    Duplicate {
        /// Shard index.
        index: u32,
        /// Shard count.
        count: u32,
        /// Where it was given the second time.
        source_label: String,
    },
    /// Shards are missing.
    #[error("{missing} missing: merge needs every shard of the run")]
    Missing {
        /// Which are missing, as words ("shard 3 of 3 is", "shards 2, 3 of 3 are").
        missing: String,
        /// Shard count.
        count: u32,
    },
}

impl Partial {
    /// Merges partials (each labelled by where it came from) into the whole run's result.
    /// Refuses partials of different scenarios, seeds, horizons, versions or shard counts, and
    /// duplicate or missing shards. The result does not depend on the order given.
    pub fn merge(parts: Vec<(String, Partial)>) -> Result<Partial, MergeError> {
        let mut parts = parts;
        parts.sort_by_key(|(_, p)| p.shards.first().map_or(0, |s| s.index));
        let mut iter = parts.into_iter();
        let (first_label, mut whole) = iter.next().ok_or(MergeError::Empty)?;
        let count = whole.shards.first().map_or(1, |s| s.count);
        for (label, p) in iter {
            let checks: [(&'static str, String, String); 8] = [
                (
                    "chainsim version",
                    whole.chainsim_version.clone(),
                    p.chainsim_version.clone(),
                ),
                (
                    "model build (fingerprint)",
                    whole.model_fingerprint.clone(),
                    p.model_fingerprint.clone(),
                ),
                (
                    "scenario (SHA-256)",
                    whole.scenario_sha256.clone(),
                    p.scenario_sha256.clone(),
                ),
                ("seed", whole.seed.to_string(), p.seed.to_string()),
                ("weeks", whole.weeks.to_string(), p.weeks.to_string()),
                (
                    "replications",
                    whole.replications.to_string(),
                    p.replications.to_string(),
                ),
                (
                    "shard count",
                    count.to_string(),
                    p.shards.first().map_or(1, |s| s.count).to_string(),
                ),
                (
                    "resolved scenario",
                    whole.scenario.resolved_ron(),
                    p.scenario.resolved_ron(),
                ),
            ];
            for (what, a, b) in checks {
                if a != b {
                    let shorten = |v: String| {
                        if v.len() > 80 {
                            format!("{}...", &v[..80])
                        } else {
                            v
                        }
                    };
                    return Err(MergeError::Mismatch {
                        left: first_label.clone(),
                        right: label,
                        what,
                        left_value: shorten(a),
                        right_value: shorten(b),
                    });
                }
            }
            for s in &p.shards {
                if whole.shards.contains(s) {
                    return Err(MergeError::Duplicate {
                        index: s.index,
                        count: s.count,
                        source_label: label,
                    });
                }
            }
            whole.shards.extend(p.shards);
            whole.threads.extend(p.threads);
            whole.wall_seconds.extend(p.wall_seconds);
            whole.encounters += p.encounters;
            for (a, b) in whole.arms.iter_mut().zip(p.arms) {
                a.merge(b);
            }
        }
        whole.shards.sort_by_key(|s| s.index);
        let missing: Vec<String> = (1..=count)
            .filter(|i| !whole.shards.iter().any(|s| s.index == *i))
            .map(|i| i.to_string())
            .collect();
        if !missing.is_empty() {
            let missing = match missing.as_slice() {
                [one] => format!("shard {one} of {count} is"),
                many => format!("shards {} of {count} are", many.join(", ")),
            };
            return Err(MergeError::Missing { missing, count });
        }
        Ok(whole)
    }

    /// Adds the replications of `later`, a run of the same scenario over the replications that
    /// follow this one's (see [`run_to_precision`]).
    pub fn absorb(&mut self, later: Partial) {
        self.replications = self.replications.max(later.replications);
        self.encounters += later.encounters;
        self.wall_seconds =
            vec![self.wall_seconds.iter().sum::<f64>() + later.wall_seconds.iter().sum::<f64>()];
        for (a, b) in self.arms.iter_mut().zip(later.arms) {
            a.merge(b);
        }
        self.scenario.replications = self.replications;
        self.interrupted_at = later.interrupted_at;
    }

    /// Whether this covers every replication of the run.
    pub fn is_complete(&self) -> bool {
        let count = self.shards.first().map_or(1, |s| s.count);
        self.shards.len() as u32 == count
    }

    /// The summaries a report formats.
    pub fn finish(&self) -> RunResult {
        let mut options = RunOptions::from_scenario(&self.scenario);
        options.seed = self.seed;
        options.weeks = self.weeks;
        options.replications = self.replications;
        let arms = self
            .arms
            .iter()
            .map(|a| ArmResult {
                name: a.name.clone(),
                weekly: a.cells.iter().map(summary_of).collect(),
                replications: a.replications.clone(),
                delta: a.delta.iter().map(summary_of).collect(),
            })
            .collect();
        RunResult {
            scenario: self.scenario.clone(),
            options,
            threads: self.threads.iter().copied().max().unwrap_or(1),
            metrics: Metric::all(),
            sites: self.scenario.sites.count as usize,
            arms,
            encounters: self.encounters,
            wall_seconds: self.wall_seconds.iter().sum(),
            shards: self.shards.len(),
            interrupted_at: self.interrupted_at,
        }
    }
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

/// The mean over the weeks of a firm-wide metric in one replication (weeks where it is undefined
/// left out; NaN if it never is defined).
pub fn metric_mean(out: &ReplicationOutcome, m: Metric) -> f64 {
    let weeks: Vec<WeekTally> = out.weekly.iter().map(|row| firm(row)).collect();
    let windows = trailing(&weeks);
    let v: Vec<f64> = weeks
        .iter()
        .zip(&windows)
        .map(|(t, w)| m.value(t, w))
        .filter(|x| !x.is_nan())
        .collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Reduces one replication of one arm to its summary figures (NPV, profit, the chain's means).
pub fn summarise(
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
        investment: weeks
            .iter()
            .enumerate()
            // Discounted like profit in the NPV: at the end of the week's month.
            .map(|(w, t)| {
                let month = crate::model::world::month_of_week(w as u32);
                t.invested_cents as f64 / 100.0 / (1.0 + r).powf(f64::from(month + 1) / 12.0)
            })
            .sum(),
        payback_week: f64::NAN,
        encounters: out.encounters,
    }
}

/// Firm cumulative profit by week, currency units.
fn cumulative_profit(out: &ReplicationOutcome) -> Vec<f64> {
    out.weekly
        .iter()
        .map(|row| row.iter().map(|t| t.cumulative_profit_cents).sum::<i64>() as f64 / 100.0)
        .collect()
}

/// The first week from which `delta` stays above zero to the end (NaN if it never does).
pub fn payback_week(delta: &[f64]) -> f64 {
    let after_last_loss = delta.iter().rposition(|&d| d <= 0.0).map_or(0, |i| i + 1);
    if after_last_loss < delta.len() {
        after_last_loss as f64
    } else {
        f64::NAN
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

/// Runs the replications of `options.shard` of every arm of `scenario`; `file` and `sha256`
/// say where the scenario came from.
pub fn run_partial(
    scenario: &Scenario,
    options: &RunOptions,
    file: &str,
    sha256: &str,
) -> Result<Partial, RunError> {
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
    let baseline = scenario.baseline_index();
    let sites = scenario.sites.count as usize;
    let weeks = options.weeks as usize;
    let cells = (sites + 1) * weeks * metrics.len();
    let reps: Vec<u32> = (options.first_replication..options.replications)
        .filter(|&r| options.shard.owns(r))
        .collect();
    let mut arms: Vec<ArmAggregate> = scenario
        .arms
        .iter()
        .map(|a| ArmAggregate {
            name: a.name.clone(),
            cells: vec![Sketch::default(); cells],
            replications: Vec::new(),
            delta: vec![Sketch::default(); weeks],
        })
        .collect();
    let mut encounters = 0u64;

    let bar = if options.progress && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let b = indicatif::ProgressBar::new((reps.len() * arms.len()) as u64);
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
    // Batches bound the replications in flight; each is folded in as soon as it is done.
    let batch = (threads * 4).max(1);
    let mut done = 0usize;
    for chunk in reps.chunks(batch) {
        let jobs: Vec<(u32, usize)> = chunk
            .iter()
            .flat_map(|&r| (0..arms.len()).map(move |a| (r, a)))
            .collect();
        type Job = Option<(Vec<f64>, ReplicationSummary, Vec<f64>)>;
        let results: Vec<Job> = pool.install(|| {
            jobs.par_iter()
                .map(|&(r, a)| {
                    if options.interrupt.requested() {
                        return None;
                    }
                    // Arms share the replication's streams: common random numbers.
                    let out = simulate_arm(
                        &scenario,
                        a,
                        options.seed,
                        u64::from(r),
                        options.weeks,
                        false,
                    );
                    let values = cell_values(&out, &metrics, sites, weeks);
                    let summary = summarise(&scenario, r, &out);
                    bar.inc(1);
                    Some((values, summary, cumulative_profit(&out)))
                })
                .collect()
        });
        // Jobs are replication-major, so each replication's arms sit together: pair them.
        // After an interrupt only the replications completed in order are kept (a later one
        // may have finished before an earlier one was skipped): the result is a shorter run's.
        let whole = results
            .chunks(arms.len())
            .take_while(|rep| rep.iter().all(Option::is_some))
            .count();
        done += whole;
        for rep in results.chunks(arms.len()).take(whole) {
            let rep: Vec<_> = rep.iter().flatten().collect();
            let base = &rep[baseline].2;
            for (a, (values, summary, cumulative)) in rep.into_iter().enumerate() {
                encounters += summary.encounters;
                for (cell, &v) in arms[a].cells.iter_mut().zip(values) {
                    cell.add(v);
                }
                let delta: Vec<f64> = cumulative.iter().zip(base).map(|(x, b)| x - b).collect();
                for (cell, &d) in arms[a].delta.iter_mut().zip(&delta) {
                    cell.add(d);
                }
                let mut summary = summary.clone();
                if a != baseline {
                    summary.payback_week = payback_week(&delta);
                }
                arms[a].replications.push(summary);
            }
        }
        if whole < chunk.len() {
            break;
        }
    }
    let wall_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let interrupted_at = (done < reps.len()).then_some(options.replications);
    if interrupted_at.is_some() && options.shard == Shard::WHOLE {
        // Replications first_replication.. were run in order: the first `done` of them.
        scenario.replications = options.first_replication + done as u32;
    }
    Ok(Partial {
        chainsim_version: env!("CARGO_PKG_VERSION").to_string(),
        model_fingerprint: model_fingerprint(),
        scenario_file: file.to_string(),
        scenario_sha256: sha256.to_string(),
        scenario_text: String::new(),
        seed: options.seed,
        weeks: options.weeks,
        replications: scenario.replications,
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

/// A fingerprint of how this build simulates: SHA-256 of a small fixed replication's weekly
/// figures (a millisecond's work). Two builds that agree on it agree on every draw and rule.
pub fn model_fingerprint() -> String {
    use sha2::Digest;
    let mut s = Scenario::default();
    s.sites.count = 2;
    s.sites.employees_per_site = 3;
    s.sites.customers_per_site = 150;
    s.sites.market_per_site = 200;
    let out = simulate(&s, 1, 0, 3, false);
    let digest = sha2::Sha256::digest(format!("{:?}{:?}", out.weekly, out.monthly).as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

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
/// A message giving the estimate and the memory available.
pub fn check_memory(
    scenario: &Scenario,
    threads: usize,
    available: Option<u64>,
) -> Result<(), String> {
    let Some(available) = available else {
        return Ok(());
    };
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let in_flight = replication_bytes(scenario).saturating_mul(threads as u64);
    let aggregates = aggregate_bytes(scenario, threads);
    let needed = in_flight.saturating_add(aggregates);
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    if needed > available / 10 * 9 {
        return Err(format!(
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
        ));
    }
    Ok(())
}

/// Replications added per round by [`run_to_precision`]: fixed, so the rounds (and so the
/// result) do not depend on the thread count.
pub const PRECISION_BATCH: u32 = 20;

/// Runs replications in batches of [`PRECISION_BATCH`] until every arm's ΔNPV interval against
/// the baseline has a half-width of at most `precision` (currency units), or `max_replications`
/// have run. Returns the result and whether the precision was reached.
pub fn run_to_precision(
    scenario: &Scenario,
    options: &RunOptions,
    file: &str,
    sha256: &str,
    precision: f64,
    max_replications: u32,
) -> Result<(Partial, bool), RunError> {
    let baseline = scenario.baseline_index();
    let mut batch = options.clone();
    batch.shard = Shard::WHOLE;
    batch.first_replication = 0;
    batch.replications = PRECISION_BATCH.min(max_replications);
    let mut whole = run_partial(scenario, &batch, file, sha256)?;
    loop {
        let result = whole.finish();
        let widest = crate::stats::compare::compare(&result.arms, baseline)
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
        if whole.replications >= max_replications || whole.interrupted_at.is_some() {
            return Ok((whole, false));
        }
        batch.first_replication = whole.replications;
        batch.replications = (whole.replications + PRECISION_BATCH).min(max_replications);
        whole.absorb(run_partial(scenario, &batch, file, sha256)?);
    }
}

/// Runs every replication of every arm of `scenario` and summarises them.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<RunResult, RunError> {
    let mut whole = options.clone();
    whole.shard = Shard::WHOLE;
    Ok(run_partial(scenario, &whole, "", "")?.finish())
}
