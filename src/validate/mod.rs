//! Validation: MODEL.md's calibration targets as designed experiments on the model.
//!
//! Every check runs the agents and measures what emerges; no published figure is written into
//! the model. A check has a published band and a rule for comparing the simulated estimate (a
//! mean over replications with its 95% interval) with it:
//! - [`Rule::Overlaps`]: a field figure with a tolerance band; the check passes when the interval
//!   meets the band, so fewer replications widen the tolerance only by their own sampling error;
//! - [`Rule::Inside`]: a direction or a bound ("higher", "vanishes"); the whole interval must lie
//!   in the band.
//!
//! Checks that cannot pass without distorting a mechanism are listed in [`KNOWN_GAPS`] and
//! explained in `docs/VALIDATION.md`; they still report as failing.
//!
//! One file per experiment (`facts`, `sears`, `smile`, `not_maximise`, `reichheld`,
//! `ablations`, `queueing`), on what they share in `probe` (the chain probe, the reduction of a
//! replication, the archetypes, correlations): a new check goes into its experiment's file.
//! Replications run on [`runner::replicate()`], the one parallel loop. The study only measures:
//! [`Validation`] is plain data, and `report::validation` writes and prints it.

mod ablations;
mod facts;
mod not_maximise;
mod probe;
mod queueing;
mod reichheld;
mod sears;
mod smile;

use serde::{Deserialize, Serialize};

use crate::runner::{self, Interrupt};
use crate::stats::Interval;
use crate::stats::series::{BandSeries, IntervalRow};

pub use probe::survey_rating;
pub use queueing::{erlang_c, queue_scenario, queue_scenario_with_customers};

/// Checks that fail for a documented reason (see `docs/VALIDATION.md`): the test suite asserts
/// that the failing checks are exactly these.
pub const KNOWN_GAPS: &[&str] = &[];

/// How an estimate is judged against its band (written `overlaps` or `inside` in files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// The 95% interval must meet the band (a field figure with a tolerance).
    Overlaps,
    /// The 95% interval must lie inside the band (a direction or a bound).
    Inside,
}

/// One check: a published fact, the band the model must land in, and the measured estimate.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Short identifier (stable: used in `validation.csv` and [`KNOWN_GAPS`]).
    pub id: String,
    /// The fact, in words.
    pub fact: &'static str,
    /// The published figure or band, in words.
    pub published: &'static str,
    /// Where the fact comes from.
    pub source: &'static str,
    /// Lower end of the band.
    pub band_lo: f64,
    /// Upper end of the band.
    pub band_hi: f64,
    /// How the estimate is judged.
    pub rule: Rule,
    /// Unit of the estimate.
    pub unit: &'static str,
    /// The simulated estimate: mean over replications and 95% interval.
    pub estimate: Interval,
    /// What was measured, in words, where the number alone does not say it.
    pub detail: String,
    /// Whether the check passed.
    pub pass: bool,
}

impl CheckResult {
    /// Judges `estimate` against the band by `rule`.
    #[allow(clippy::too_many_arguments)]
    fn judge(
        id: String,
        fact: &'static str,
        published: &'static str,
        source: &'static str,
        band: (f64, f64),
        rule: Rule,
        unit: &'static str,
        estimate: Interval,
    ) -> CheckResult {
        let (lo, hi) = if estimate.lo.is_finite() {
            (estimate.lo, estimate.hi)
        } else {
            (estimate.mean, estimate.mean)
        };
        let pass = estimate.mean.is_finite()
            && match rule {
                Rule::Overlaps => hi >= band.0 && lo <= band.1,
                Rule::Inside => lo >= band.0 && hi <= band.1,
            };
        CheckResult {
            id,
            fact,
            published,
            source,
            band_lo: band.0,
            band_hi: band.1,
            rule,
            unit,
            estimate,
            detail: String::new(),
            pass,
        }
    }

    /// Adds a description of what was measured.
    fn with_detail(mut self, detail: String) -> CheckResult {
        self.detail = detail;
        self
    }
}

/// The experiments, by the names `--only` takes.
pub const EXPERIMENTS: &[&str] = &[
    "facts",
    "archetypes",
    "sears",
    "smile",
    "not_maximise",
    "reichheld",
    "ablations",
    "queueing",
];

/// What `validate` runs with. [`ValidateOptions::default`] holds the command line's defaults.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Replications per experiment arm.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// Run only these experiments (names from [`EXPERIMENTS`]); `None`: all of them.
    pub only: Option<Vec<String>>,
    /// Stops the validation early: the experiments that ran to their end are kept, the one in
    /// flight is dropped and the rest do not start.
    pub interrupt: Interrupt,
}

impl Default for ValidateOptions {
    /// 40 replications per arm, seed 2026, every experiment, never interrupted.
    fn default() -> ValidateOptions {
        ValidateOptions {
            replications: 40,
            seed: 2026,
            only: None,
            interrupt: Interrupt::default(),
        }
    }
}

/// A chart of one experiment.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File stem.
    pub stem: &'static str,
    /// Title stating what the chart shows.
    pub title: String,
    /// What is drawn.
    pub kind: FigureKind,
}

/// The kinds of chart `validate` draws.
#[derive(Debug, Clone)]
pub enum FigureKind {
    /// Estimates with their intervals, one row each.
    Intervals {
        /// The rows.
        rows: Vec<IntervalRow>,
        /// X-axis label.
        x_label: &'static str,
    },
    /// Quantities by week with bands across replications.
    Bands {
        /// The series.
        series: Vec<BandSeries>,
        /// Y-axis label.
        y_label: &'static str,
    },
}

/// The whole validation: every check's result and the charts.
#[derive(Debug, Clone)]
pub struct Validation {
    /// Replications per experiment arm.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// The checks, in the order of MODEL.md's table, then ablations and queueing.
    pub results: Vec<CheckResult>,
    /// Charts.
    pub figures: Vec<Figure>,
    /// The experiments asked for, in the order they run (names from [`EXPERIMENTS`]).
    pub planned: Vec<&'static str>,
    /// The experiments that ran to their end: all of [`Validation::planned`] unless
    /// interrupted, else a prefix of it. Only their checks and charts are kept.
    pub experiments: Vec<&'static str>,
}

impl Validation {
    /// Identifiers of the failing checks.
    pub fn failing(&self) -> Vec<&str> {
        self.results
            .iter()
            .filter(|r| !r.pass)
            .map(|r| r.id.as_str())
            .collect()
    }

    /// Whether every check passed.
    pub fn all_pass(&self) -> bool {
        self.results.iter().all(|r| r.pass)
    }

    /// Whether every planned experiment ran to its end (false: interrupted).
    pub fn complete(&self) -> bool {
        self.experiments.len() == self.planned.len()
    }
}

/// Runs the experiments `options` asks for. Replications run in parallel on the current rayon
/// pool through [`runner::replicate()`]; results are identical on any thread count. After an
/// interrupt the result holds the experiments that ran to their end.
pub fn validate(options: &ValidateOptions) -> Validation {
    let planned = EXPERIMENTS
        .iter()
        .copied()
        .filter(|name| {
            options
                .only
                .as_deref()
                .is_none_or(|only| only.iter().any(|x| x == name))
        })
        .collect();
    let mut out = Validation {
        replications: options.replications,
        seed: options.seed,
        results: Vec::new(),
        figures: Vec::new(),
        planned,
        experiments: Vec::new(),
    };
    run_all(options, &mut out);
    out
}

/// An experiment stopped by the interrupt before its end.
#[derive(Debug, Clone, Copy)]
struct Stopped;

/// Runs the planned experiments in order into `out`, until one is stopped: its checks and
/// charts are dropped, and the later ones do not run.
fn run_all(o: &ValidateOptions, out: &mut Validation) {
    let bank = probe::archetype("retail_bank");
    let needs_base = ["facts", "smile", "reichheld", "ablations"];
    let bank_reps = if out.planned.iter().any(|n| needs_base.contains(n)) {
        match replicate(o.interrupt, o.replications, |r| {
            probe::run_rep(&bank, 0, o.seed, r)
        }) {
            Ok(reps) => reps,
            Err(Stopped) => return,
        }
    } else {
        Vec::new()
    };
    for name in out.planned.clone() {
        let (results, figures) = (out.results.len(), out.figures.len());
        let done = match name {
            "facts" => facts::published_facts(&bank, &bank_reps, out),
            "archetypes" => facts::archetypes(o, out),
            "sears" => sears::sears(o, &bank, out),
            "smile" => smile::smile(o, &bank, &bank_reps, out),
            "not_maximise" => not_maximise::not_maximise_everything(o, &bank, out),
            "reichheld" => reichheld::reichheld(o, &bank, &bank_reps, out),
            "ablations" => ablations::ablations(o, &bank, &bank_reps, out),
            "queueing" => queueing::queueing(o, out),
            other => unreachable!("experiment {other} is listed in EXPERIMENTS but not run"),
        };
        if done.is_err() {
            out.results.truncate(results);
            out.figures.truncate(figures);
            return;
        }
        out.experiments.push(name);
    }
}

/// Runs `f` for replications `0..n` on [`runner::replicate()`] (all of them in parallel, gathered
/// in replication order); [`Stopped`] when `interrupt` stopped any of them.
fn replicate<T: Send>(
    interrupt: Interrupt,
    n: u32,
    f: impl Fn(u64) -> T + Sync,
) -> Result<Vec<T>, Stopped> {
    let jobs: Vec<u64> = (0..u64::from(n)).collect();
    let mut results = Vec::with_capacity(jobs.len());
    let folded = runner::replicate(
        &jobs,
        jobs.len(),
        interrupt,
        |&r| f(r),
        |_, t| {
            results.push(t);
            Ok::<(), std::convert::Infallible>(())
        },
    );
    match folded {
        Ok(done) if done == jobs.len() => Ok(results),
        Ok(_) => Err(Stopped),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(mean: f64, lo: f64, hi: f64) -> Interval {
        Interval {
            mean,
            lo,
            hi,
            n: 10,
        }
    }

    fn judge(rule: Rule, band: (f64, f64), e: Interval) -> bool {
        CheckResult::judge("x".into(), "", "", "", band, rule, "", e).pass
    }

    #[test]
    fn an_interrupt_keeps_only_the_experiments_that_ran_to_their_end() {
        static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
        let v = validate(&ValidateOptions {
            replications: 2,
            only: Some(vec!["reichheld".into(), "queueing".into()]),
            interrupt: Interrupt::on(&STOP),
            ..ValidateOptions::default()
        });
        assert_eq!(v.planned, ["reichheld", "queueing"]);
        assert!(v.experiments.is_empty() && v.results.is_empty() && v.figures.is_empty());
        assert!(!v.complete());
    }

    #[test]
    fn the_defaults_are_the_command_lines() {
        let o = ValidateOptions::default();
        assert_eq!((o.replications, o.seed, o.only), (40, 2026, None));
    }

    #[test]
    fn overlaps_passes_when_the_interval_meets_the_band() {
        let band = (4.0, 9.0);
        assert!(judge(Rule::Overlaps, band, interval(3.8, 3.5, 4.1)));
        assert!(judge(Rule::Overlaps, band, interval(6.0, 5.0, 7.0)));
        assert!(!judge(Rule::Overlaps, band, interval(3.0, 2.5, 3.5)));
        assert!(!judge(Rule::Overlaps, band, interval(10.0, 9.5, 10.5)));
        assert!(!judge(Rule::Overlaps, band, interval(f64::NAN, 1.0, 2.0)));
    }

    #[test]
    fn inside_needs_the_whole_interval_in_the_band() {
        let band = (0.0, f64::INFINITY);
        assert!(judge(Rule::Inside, band, interval(1.0, 0.5, 1.5)));
        assert!(!judge(Rule::Inside, band, interval(1.0, -0.1, 2.1)));
        // A single value (no interval) is judged by itself.
        assert!(judge(Rule::Inside, band, interval(1.0, f64::NAN, f64::NAN)));
        assert!(!judge(
            Rule::Inside,
            band,
            interval(-1.0, f64::NAN, f64::NAN)
        ));
    }
}
