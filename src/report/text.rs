//! What a run prints: the summary for people (numbers as [`super::format`] writes them, every
//! interval named) and the same figures as JSON for other programs (`--json`).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::format::{grouped, money, number, percent, signed_money, signed_percent, week, years};
use crate::ledger::Line;
use crate::model::Metric;
use crate::runner::RunResult;
use crate::scenario::{Scenario, TerminalValue};
use crate::stats::compare::ArmComparison;
use crate::stats::{Interval, QuantileMethod};

/// A mean with its 95% confidence interval, for people.
fn mean_ci(i: &Interval, signed: bool) -> String {
    let m = if signed { signed_money } else { money };
    if i.lo.is_finite() {
        format!(
            "mean {} (95% CI of the mean {} to {})",
            m(i.mean),
            m(i.lo),
            m(i.hi)
        )
    } else {
        format!("mean {}", m(i.mean))
    }
}

/// The chain's state in the last week that the summary shows: label, metric, scale, unit.
const LAST_WEEK: [(&str, Metric, f64, &str); 7] = [
    ("internal service quality", Metric::Isq, 1.0, "0-100"),
    ("employee morale", Metric::Morale, 1.0, "0-100"),
    (
        "staff turnover",
        Metric::TurnoverAnnualised,
        100.0,
        "% per year",
    ),
    ("customer satisfaction", Metric::Satisfaction, 1.0, "0-100"),
    ("top-box share", Metric::TopBoxShare, 100.0, "%"),
    ("active customers", Metric::ActiveCustomers, 1.0, "people"),
    (
        "revenue",
        Metric::Money(Line::Revenue),
        1.0,
        "currency per week",
    ),
];

/// How the money figures are computed, in one sentence every report carries: the horizon, the
/// discount rate and its convention, and whether a terminal value is included.
pub fn finance_basis(s: &Scenario, weeks: u32) -> String {
    let tv = match s.money.terminal_value {
        TerminalValue::None => "no terminal value".to_string(),
        TerminalValue::Growth { growth_per_year } => format!(
            "plus a terminal value (the last year's net cash flow growing {}% a year forever)",
            number(100.0 * growth_per_year)
        ),
        TerminalValue::Multiple { of_last_year } => format!(
            "plus a terminal value ({}x the last year's net cash flow)",
            number(of_last_year)
        ),
    };
    format!(
        "NPV is the firm's weekly net cash flow (capex when spent) over {weeks} weeks ({}), discounted at {}% a year (effective annual rate, each week's flow from the end of its week), {tv}",
        years(f64::from(weeks)),
        number(100.0 * s.money.discount_rate_per_year)
    )
}

/// A payback week for people: the week, or "not within the horizon" when infinite.
pub fn payback_text(week_number: f64) -> String {
    if week_number.is_infinite() {
        "not within the horizon".to_string()
    } else {
        week(week_number)
    }
}

/// The run summary for people: throughput, each arm's NPV and cumulative profit (means with
/// 95% confidence intervals of the mean), the chain in the last week (medians with the spread
/// across replications, p05 to p95, and how those percentiles were computed), the comparison
/// table, and the files written.
pub fn run_summary(r: &RunResult, written: &[PathBuf]) -> String {
    let mut o = String::new();
    let rate = r.encounters as f64 / r.wall_seconds.max(1e-9);
    let _ = writeln!(
        o,
        "simulated {} encounters in {:.2} s on {} thread{}: {:.1} million encounters/s",
        grouped(r.encounters as f64, 0),
        r.wall_seconds,
        r.threads,
        if r.threads == 1 { "" } else { "s" },
        rate / 1e6
    );
    let _ = writeln!(o, "{}.", finance_basis(&r.scenario, r.options.weeks));
    let _ = writeln!(o, "{}", drift_line(r));
    let comparisons = r.comparisons();
    let last = r.options.weeks as usize - 1;
    let method = match r.quantile_method {
        QuantileMethod::Exact => "exact percentiles",
        QuantileMethod::Sketch => "percentiles from a sketch, past the budget for kept values",
    };
    for (a, (arm, c)) in r.arms.iter().zip(&comparisons).enumerate() {
        let _ = writeln!(o, "arm {}:", arm.name);
        let _ = writeln!(o, "  NPV: {}", mean_ci(&c.npv, false));
        let _ = writeln!(
            o,
            "  net cash flow over {} weeks (undiscounted): {}",
            r.options.weeks,
            mean_ci(&c.cumulative_cash_flow, false)
        );
        let _ = writeln!(
            o,
            "  in the last week (median; spread across replications p05 to p95; {method}):"
        );
        for (label, m, scale, unit) in LAST_WEEK {
            let q = r.firm_at(a, last, m);
            let f = |x: f64| {
                if unit.starts_with("currency") {
                    money(x * scale)
                } else if unit == "people" {
                    grouped(x * scale, 0)
                } else {
                    number(x * scale)
                }
            };
            let _ = writeln!(
                o,
                "    {label:<26} {:>8} ({} to {}) {unit}",
                f(q.median()),
                f(q.p[0]),
                f(q.p[4]),
            );
        }
    }
    if r.arms.len() > 1 {
        let _ = writeln!(o, "\n{}", comparison_table(r, &comparisons));
    }
    let _ = writeln!(o, "wrote:");
    for p in written {
        let _ = writeln!(o, "  {}", p.display());
    }
    o
}

/// The warm-up and the baseline's drift from the first reported year to the last, with the
/// project's tolerance: how steady the start is.
pub fn drift_line(r: &RunResult) -> String {
    let drift = crate::runner::baseline_drift(r);
    let warmup = format!(
        "{} warm-up week{} before week 0 (not reported)",
        r.scenario.warmup_weeks,
        if r.scenario.warmup_weeks == 1 {
            ""
        } else {
            "s"
        }
    );
    if drift.is_empty() {
        return format!("{warmup}.");
    }
    let parts: Vec<String> = drift
        .iter()
        .map(|d| format!("{} {}", d.label, signed_percent(d.share())))
        .collect();
    let worst = drift
        .iter()
        .map(|d| d.share().abs())
        .fold(0.0f64, |a, b| if b.is_nan() { a } else { a.max(b) });
    let invests = r
        .scenario
        .arms
        .get(r.scenario.baseline_index())
        .is_some_and(|a| !a.interventions.is_empty());
    let verdict = if invests {
        "the baseline arm has interventions, so this includes their effects"
    } else if worst <= crate::runner::DRIFT_TOLERANCE {
        "steady"
    } else {
        "NOT steady: the baseline is still moving"
    };
    format!(
        "{warmup}; baseline drift, first to last reported year (means): {} ({verdict}; tolerance ±{:.0}%).",
        parts.join(", "),
        100.0 * crate::runner::DRIFT_TOLERANCE
    )
}

/// The comparison as a plain-text table: means with 95% confidence intervals, paired by
/// replication; payback as the median week over the replications that pay back.
pub fn comparison_table(r: &RunResult, comparisons: &[ArmComparison]) -> String {
    let base = r.scenario.baseline_index();
    let mut t = format!(
        "comparison with {} ({} replications, common random numbers; means with [95% CI of the mean]; ROI with its 95% CI; payback: median week across replications, undiscounted / discounted cash)\n",
        r.arms[base].name, r.options.replications
    );
    let _ = writeln!(
        t,
        "{:<22} {:>28} {:>12} {:>30} {:>8} {:>22} {:>16} {:>7}",
        "arm",
        "NPV",
        "investment",
        "ΔNPV vs baseline",
        "P(beat)",
        "ROI",
        "payback wk/disc.",
        "P(best)"
    );
    let ci = |i: &Interval, signed: bool| {
        let m = if signed { signed_money } else { money };
        format!("{} [{}, {}]", m(i.mean), m(i.lo), m(i.hi))
    };
    for (a, c) in comparisons.iter().enumerate() {
        let roi = if c.roi.mean.is_finite() {
            format!(
                "{} [{}, {}]",
                number(c.roi.mean),
                number(c.roi.lo),
                number(c.roi.hi)
            )
        } else {
            "n/a".into()
        };
        let (delta, beat, payback) = if a == base {
            ("-".to_string(), "-".to_string(), "-".to_string())
        } else {
            let payback = if c.payback_week[0].is_finite() {
                format!(
                    "{} / {}",
                    week(c.payback_week[0]),
                    payback_text(c.discounted_payback_week[0])
                )
            } else {
                "not within horizon".into()
            };
            (ci(&c.delta_npv, true), percent(c.p_beats_baseline), payback)
        };
        let _ = writeln!(
            t,
            "{:<22} {:>28} {:>12} {:>30} {:>8} {:>22} {:>16} {:>7}",
            c.arm,
            ci(&c.npv, false),
            money(c.investment.mean),
            delta,
            beat,
            roi,
            payback,
            percent(c.p_best)
        );
    }
    t
}

/// A mean and its 95% confidence interval, for JSON (null where undefined).
#[derive(Debug, Serialize)]
pub struct IntervalJson {
    /// The mean.
    pub mean: f64,
    /// Lower end of the 95% confidence interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl From<&Interval> for IntervalJson {
    fn from(i: &Interval) -> IntervalJson {
        IntervalJson {
            mean: i.mean,
            lo: i.lo,
            hi: i.hi,
        }
    }
}

/// One arm in the JSON summary.
#[derive(Debug, Serialize)]
pub struct ArmJson {
    /// The arm.
    pub name: String,
    /// Whether it is the baseline.
    pub baseline: bool,
    /// NPV, currency units.
    pub npv: IntervalJson,
    /// Net cash flow over the horizon, undiscounted, currency units.
    pub cumulative_cash_flow: IntervalJson,
    /// Present value of its direct investment, currency units.
    pub investment: IntervalJson,
    /// NPV minus the baseline's, paired by replication (null for the baseline).
    pub delta_npv: Option<IntervalJson>,
    /// Share of replications in which it beats the baseline.
    pub p_beats_baseline: f64,
    /// ROI against the baseline.
    pub roi: IntervalJson,
    /// Median payback week (undiscounted cash) across replications; null when not within the
    /// horizon.
    pub payback_week_median: f64,
    /// The same from discounted cash flows.
    pub discounted_payback_week_median: f64,
    /// Share of replications that pay back within the horizon.
    pub paid_back_share: f64,
    /// Share of replications in which it has the highest NPV.
    pub p_best: f64,
}

/// The machine-readable summary of a run (`run --json`).
#[derive(Debug, Serialize)]
pub struct RunJson {
    /// The scenario's name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Replications the outputs hold.
    pub replications: u32,
    /// Horizon, weeks.
    pub weeks: u32,
    /// Whether the run went to its end.
    pub complete: bool,
    /// Encounters simulated.
    pub encounters: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Every arm with its comparison with the baseline.
    pub arms: Vec<ArmJson>,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// The run's summary as JSON (one line, newline-terminated).
pub fn run_json(r: &RunResult, written: &[PathBuf]) -> String {
    let base = r.scenario.baseline_index();
    let arms = r
        .comparisons()
        .iter()
        .enumerate()
        .map(|(a, c)| ArmJson {
            name: c.arm.clone(),
            baseline: a == base,
            npv: (&c.npv).into(),
            cumulative_cash_flow: (&c.cumulative_cash_flow).into(),
            investment: (&c.investment).into(),
            delta_npv: (a != base).then(|| (&c.delta_npv).into()),
            p_beats_baseline: c.p_beats_baseline,
            roi: (&c.roi).into(),
            payback_week_median: c.payback_week[0],
            discounted_payback_week_median: c.discounted_payback_week[0],
            paid_back_share: c.paid_back_share,
            p_best: c.p_best,
        })
        .collect();
    let summary = RunJson {
        scenario: r.scenario.name.clone(),
        seed: r.options.seed,
        replications: r.options.replications,
        weeks: r.options.weeks,
        complete: r.interrupted_at.is_none(),
        encounters: r.encounters,
        wall_seconds: r.wall_seconds,
        arms,
        files: written.to_vec(),
    };
    serde_json::to_string(&summary).expect("a summary serialises") + "\n"
}
