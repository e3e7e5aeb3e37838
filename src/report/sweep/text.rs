//! What a sweep prints: for people, every output's drivers with their 95% confidence
//! intervals and, for outputs that compare two arms, a line per factor saying whether the better
//! arm changes across its range; for programs, the same as one JSON object (`--json`).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::report::format::{grouped, money, number, percent, signed_money};
use crate::scenario::path::{leaf_name, unit};
use crate::sweep::{ArmChoice, Better, SensitivityIndex, SweepResult};

/// The measures that rank a design's factors, one per design.
const HEADLINE: [&str; 5] = [
    "swing",
    "main_effect_range",
    "correlation",
    "mu_star",
    "total",
];

/// How many factors the text summary lists per output.
const SHOWN: usize = 5;

/// A value of output `o` for people: money for currency outputs (signed when `level` is a
/// level of a paired difference), three significant figures otherwise.
pub(super) fn figure(r: &SweepResult, o: usize, x: f64, level: bool) -> String {
    let out = &r.file.outputs[o];
    if out.unit() == "currency" {
        if level && out.against.is_some() {
            signed_money(x)
        } else {
            money(x)
        }
    } else {
        number(x)
    }
}

/// A value of index `measure` on an output in `unit`, for people: unitless indices
/// (correlations, Sobol' shares) as numbers, the rest in the output's unit (money for currency).
pub fn index_figure(measure: &str, unit: &str, value: f64) -> String {
    match measure {
        "correlation" | "first_order" | "total" => number(value),
        _ if unit == "currency" => money(value),
        _ => number(value),
    }
}

fn index_value(r: &SweepResult, o: usize, x: &SensitivityIndex, value: f64) -> String {
    index_figure(&x.measure, r.file.outputs[o].unit(), value)
}

/// A factor's axis label: its last path step and its unit, when the reference has one.
pub(super) fn factor_label(path: &str) -> String {
    match unit(path) {
        Some(u) => format!("{} ({u})", leaf_name(path)),
        None => leaf_name(path).to_string(),
    }
}

/// Whether the arm that does better on a paired output changes across the factor's range, in
/// one sentence (without the factor's name, which the caller puts first): where the sign of
/// the mean difference flips, or that it holds over the whole range.
pub fn arm_choice_sentence(c: &ArmChoice, output_unit: &str) -> String {
    let value = |v: f64| number(v);
    let mean = |m: f64| {
        if output_unit == "currency" {
            signed_money(m)
        } else {
            number(m)
        }
    };
    let factor_unit = unit(&c.factor).map_or(String::new(), |u| format!(" {u}"));
    let whole = format!("{} to {}{factor_unit}", value(c.range.0), value(c.range.1));
    let defined: Vec<_> = c
        .levels
        .iter()
        .filter(|l| l.mean.is_finite() && l.mean != 0.0)
        .collect();
    let (Some(first), Some(last)) = (defined.first(), defined.last()) else {
        return format!(
            "{} is zero or undefined at every level, so neither arm does better",
            c.output
        );
    };
    let who = |m: f64| {
        let arm = match c.better {
            Some(_) => c.preferred(m),
            None => c.larger(m),
        };
        arm.unwrap_or("neither").to_string()
    };
    let what = match c.better {
        Some(Better::Higher) => format!("the better arm on {}", c.measure),
        Some(Better::Lower) => format!("the better arm on {} (lower is better)", c.measure),
        None => format!("the arm with the higher {}", c.measure),
    };
    let span = format!(
        "{} {} at {} to {} at {}",
        c.output,
        mean(first.mean),
        value(first.value),
        mean(last.mean),
        value(last.value)
    );
    let flips = c.flips();
    if flips.is_empty() {
        return format!(
            "{} is {what} over the whole range, {whole} ({span})",
            who(first.mean)
        );
    }
    let mut parts = vec![format!("{} at the low end", who(first.mean))];
    for (a, b) in &flips {
        parts.push(format!(
            "{} from between {} and {}",
            who(b.mean),
            value(a.value),
            value(b.value)
        ));
    }
    format!(
        "{what} changes across the range {whole}: {} ({span})",
        parts.join("; ")
    )
}

/// The plain-text summary of a sweep: size and time, then for every output its replication
/// noise, its top drivers with 95% confidence intervals, and whether the better arm changes
/// across each factor's range; then the warnings.
pub fn summary(r: &SweepResult) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} points x {} replications ({} simulations) in {:.1} s",
        grouped(r.points.len() as f64, 0),
        r.replications,
        grouped(r.simulations as f64, 0),
        r.wall_seconds
    );
    for (o, label) in r.outputs.iter().enumerate() {
        let out = &r.file.outputs[o];
        let _ = writeln!(
            s,
            "{label} ({}): replication noise is {} of the variance between points",
            out.unit(),
            percent(r.noise_share.get(o).copied().unwrap_or(f64::NAN))
        );
        let mut rows: Vec<&SensitivityIndex> = r
            .indices
            .iter()
            .filter(|x| &x.output == label && HEADLINE.contains(&x.measure.as_str()))
            .collect();
        rows.sort_by(|a, b| b.estimate.abs().total_cmp(&a.estimate.abs()));
        for x in rows.iter().take(SHOWN) {
            let ci = if x.lo.is_finite() {
                format!(
                    " (95% confidence interval {} to {})",
                    index_value(r, o, x, x.lo),
                    index_value(r, o, x, x.hi)
                )
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "  {:<48} {} {}{ci}",
                x.factor,
                x.measure,
                index_value(r, o, x, x.estimate)
            );
        }
        let choices: Vec<&ArmChoice> = r
            .arm_choices
            .iter()
            .filter(|c| &c.output == label)
            .collect();
        if !choices.is_empty() {
            let _ = writeln!(
                s,
                "  does the better arm change across each factor's range?"
            );
            for c in choices {
                let _ = writeln!(
                    s,
                    "    {}: {}",
                    c.factor,
                    arm_choice_sentence(c, out.unit())
                );
            }
        }
    }
    if r.interrupted_at.is_none() && r.file.outputs.iter().all(|o| o.against.is_none()) {
        let _ = writeln!(
            s,
            "no output compares two arms (an output with `against: Some(\"arm\")`), so the sweep cannot say which arm does better"
        );
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

/// Whether the better arm changes across one factor's range, for JSON.
#[derive(Debug, Serialize)]
pub struct ArmChoiceJson<'a> {
    /// The factor's scenario path.
    pub factor: &'a str,
    /// Whether the sign of the mean difference is the same over the whole range (false also
    /// when it is undefined or zero everywhere).
    pub holds: bool,
    /// Where it flips: the factor's values at the neighbouring levels either side.
    pub flips_between: Vec<(f64, f64)>,
    /// The same in words.
    pub sentence: String,
}

/// One output in the JSON summary.
#[derive(Debug, Serialize)]
pub struct OutputJson<'a> {
    /// The output's label.
    pub label: &'a str,
    /// Its unit.
    pub unit: &'a str,
    /// Share of the variance between points that is replication noise (null: undefined).
    pub noise_share: Option<f64>,
    /// Every index on this output with its 95% confidence interval.
    pub indices: Vec<&'a SensitivityIndex>,
    /// For a paired output, each factor's arm choice.
    pub arm_choices: Vec<ArmChoiceJson<'a>>,
}

/// The machine-readable summary of a sweep (`sweep --json`).
#[derive(Debug, Serialize)]
pub struct SweepJson<'a> {
    /// The sweep's name.
    pub sweep: &'a str,
    /// The sweep file as given.
    pub sweep_file: &'a str,
    /// Master seed.
    pub seed: u64,
    /// Points completed.
    pub points: usize,
    /// Points planned, if interrupted before them.
    pub points_planned: Option<usize>,
    /// Replications per point.
    pub replications_per_point: u32,
    /// Simulations run.
    pub simulations: u64,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// Whether the sweep went to its end.
    pub complete: bool,
    /// Every output.
    pub outputs: Vec<OutputJson<'a>>,
    /// Warnings for the reader.
    pub warnings: &'a [String],
    /// The files written.
    pub files: &'a [PathBuf],
}

/// The sweep's summary as JSON (one line, newline-terminated).
pub fn summary_json(r: &SweepResult, written: &[PathBuf]) -> String {
    let outputs = r
        .outputs
        .iter()
        .enumerate()
        .map(|(o, label)| OutputJson {
            label,
            unit: r.file.outputs[o].unit(),
            noise_share: r.noise_share.get(o).copied().filter(|x| x.is_finite()),
            indices: r.indices.iter().filter(|x| &x.output == label).collect(),
            arm_choices: r
                .arm_choices
                .iter()
                .filter(|c| &c.output == label)
                .map(|c| {
                    let flips: Vec<(f64, f64)> =
                        c.flips().iter().map(|(a, b)| (a.value, b.value)).collect();
                    let defined = c.levels.iter().any(|l| l.mean.is_finite() && l.mean != 0.0);
                    ArmChoiceJson {
                        factor: &c.factor,
                        holds: defined && flips.is_empty(),
                        flips_between: flips,
                        sentence: arm_choice_sentence(c, r.file.outputs[o].unit()),
                    }
                })
                .collect(),
        })
        .collect();
    let summary = SweepJson {
        sweep: &r.file.name,
        sweep_file: &r.label,
        seed: r.seed,
        points: r.points.len(),
        points_planned: r.interrupted_at,
        replications_per_point: r.replications,
        simulations: r.simulations,
        wall_seconds: r.wall_seconds,
        complete: r.interrupted_at.is_none(),
        outputs,
        warnings: &r.warnings,
        files: written,
    };
    serde_json::to_string(&summary).expect("a summary serialises") + "\n"
}
