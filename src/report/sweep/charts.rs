//! A sweep's charts, one set per output: a tornado (one at a time), a heatmap with its colour
//! scale (a two-factor grid) or main-effect ranges (other grids), correlations (Latin
//! hypercube), Morris screening, Sobol' indices. Titles state the finding; axes carry units.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::text::{factor_label, figure};
use crate::report::ReportError;
use crate::report::format::number;
use crate::report::plot::{self, HeatmapAxis, IntervalRow, ScatterPoint};
use crate::scenario::path::leaf_name;
use crate::sweep::{Design, SweepResult};

/// A chart a sweep drew: its file stem (`.png` and `.svg`), the output it shows and what it
/// shows, for the report page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartEntry {
    /// File stem, e.g. `tornado` (first output) or `tornado_2` (second).
    pub stem: String,
    /// The output's label.
    pub output: String,
    /// What the chart shows, in a sentence.
    pub caption: String,
}

/// The stem of chart `kind` for output `o`: the first output's charts keep the plain name.
fn stem(kind: &str, o: usize) -> String {
    if o == 0 {
        kind.to_string()
    } else {
        format!("{kind}_{}", o + 1)
    }
}

/// Draws every chart of a complete sweep into `dir`; returns what was drawn.
pub(super) fn draw(r: &SweepResult, dir: &Path) -> Result<Vec<ChartEntry>, ReportError> {
    let mut drawn = Vec::new();
    for (o, label) in r.outputs.iter().enumerate() {
        let unit = r.file.outputs[o].unit();
        let (kind, caption) = match r.file.design {
            Design::OneAtATime => {
                tornado(r, o, dir, &stem("tornado", o))?;
                (
                    "tornado",
                    format!(
                        "Tornado of {label}: the change from the base ({unit}) from each factor's low to its high end, the others at their base value."
                    ),
                )
            }
            Design::Grid { .. } if r.factors.len() == 2 => {
                heatmap(r, o, dir, &stem("heatmap", o))?;
                (
                    "heatmap",
                    format!(
                        "{label} ({unit}) over the two-factor grid: mean of {} replications at each pair of levels; the colour scale is beside the grid.",
                        r.replications
                    ),
                )
            }
            Design::Grid { .. } => {
                intervals(
                    r,
                    o,
                    dir,
                    &stem("main_effects", o),
                    "main_effect_range",
                    &format!(
                        "main-effect range of {label} ({unit}): largest minus smallest level mean, 95% bootstrap interval over replications"
                    ),
                )?;
                (
                    "main_effects",
                    format!(
                        "Main-effect ranges of {label}: how far the output's mean moves over each factor's levels, the other factors averaged, with 95% confidence intervals."
                    ),
                )
            }
            Design::LatinHypercube { .. } => {
                intervals(
                    r,
                    o,
                    dir,
                    &stem("correlation", o),
                    "correlation",
                    &format!(
                        "correlation of each factor with {label} across the points (95% Fisher-z interval)"
                    ),
                )?;
                (
                    "correlation",
                    format!(
                        "Correlation of each factor with {label} across the Latin hypercube's points, with 95% confidence intervals."
                    ),
                )
            }
            Design::Morris { .. } => {
                morris(r, o, dir, &stem("morris", o))?;
                (
                    "morris",
                    format!(
                        "Morris screening of {label}: importance (mu*) against nonlinearity and interaction (sigma), in {unit} per unit of each factor's range."
                    ),
                )
            }
            Design::Sobol { .. } => {
                sobol(r, o, dir, &stem("sobol", o))?;
                (
                    "sobol",
                    format!("Sobol' indices of {label} with 95% bootstrap intervals."),
                )
            }
        };
        drawn.push(ChartEntry {
            stem: stem(kind, o),
            output: label.clone(),
            caption,
        });
    }
    Ok(drawn)
}

/// The estimate and interval of an index, NaN where the design has none.
fn get(r: &SweepResult, factor: &str, o: usize, measure: &str) -> (f64, f64, f64) {
    r.index(factor, &r.outputs[o], measure)
        .map_or((f64::NAN, f64::NAN, f64::NAN), |x| (x.estimate, x.lo, x.hi))
}

fn tornado(r: &SweepResult, o: usize, dir: &Path, stem: &str) -> Result<(), ReportError> {
    let label = &r.outputs[o];
    let unit = r.file.outputs[o].unit();
    let base = get(r, &r.factors[0], o, "base").0;
    let mut rows: Vec<IntervalRow> = r
        .factors
        .iter()
        .map(|f| {
            let (lo, hi) = (
                get(r, f, o, "output_at_low").0,
                get(r, f, o, "output_at_high").0,
            );
            IntervalRow {
                label: leaf_name(f).to_string(),
                estimate: hi - base,
                lo: lo.min(hi) - base,
                hi: lo.max(hi) - base,
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.hi - a.lo).total_cmp(&(b.hi - b.lo)));
    let finding = rows.last().map_or(String::new(), |top| {
        format!(
            "{} moves it most (by {} over its range); ",
            top.label,
            figure(r, o, top.hi - top.lo, false)
        )
    });
    plot::interval_chart(
        dir,
        stem,
        &format!(
            "Tornado of {label}: {finding}base {}",
            figure(r, o, base, true)
        ),
        &format!("change from the base ({unit}), low to high end of each factor (dot: high end)"),
        &rows,
    )?;
    Ok(())
}

fn heatmap(r: &SweepResult, o: usize, dir: &Path, stem: &str) -> Result<(), ReportError> {
    let label = &r.outputs[o];
    let unit = r.file.outputs[o].unit();
    let values = &r.grid;
    let cells: Vec<Vec<f64>> = values[0]
        .iter()
        .map(|a| {
            values[1]
                .iter()
                .map(|b| {
                    r.points
                        .iter()
                        .find(|p| p.values[0] == *a && p.values[1] == *b)
                        .map_or(f64::NAN, |p| p.mean(o))
                })
                .collect()
        })
        .collect();
    let axis = |i: usize| HeatmapAxis {
        label: factor_label(&r.factors[i]),
        levels: values[i].iter().map(|x| number(*x)).collect(),
    };
    // The finding: where on the grid the output is highest.
    let mut best: Option<(usize, usize, f64)> = None;
    for (i, row) in cells.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if v.is_finite() && best.is_none_or(|b| v > b.2) {
                best = Some((i, j, v));
            }
        }
    }
    let finding = best.map_or(String::new(), |(i, j, v)| {
        format!(
            "highest ({}) at {} {} and {} {}; ",
            figure(r, o, v, true),
            leaf_name(&r.factors[0]),
            number(values[0][i]),
            leaf_name(&r.factors[1]),
            number(values[1][j])
        )
    });
    plot::heatmap_chart(
        dir,
        stem,
        &format!("{label}: {finding}mean of {} replications", r.replications),
        &axis(0),
        &axis(1),
        &cells,
        &format!("{label} ({unit})"),
    )?;
    Ok(())
}

/// An interval chart of one index per factor, largest at the top.
fn intervals(
    r: &SweepResult,
    o: usize,
    dir: &Path,
    stem: &str,
    measure: &str,
    x_label: &str,
) -> Result<(), ReportError> {
    let label = &r.outputs[o];
    let mut rows: Vec<IntervalRow> = r
        .factors
        .iter()
        .map(|f| {
            let (estimate, lo, hi) = get(r, f, o, measure);
            IntervalRow {
                label: leaf_name(f).to_string(),
                estimate,
                lo,
                hi,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.estimate.abs().total_cmp(&b.estimate.abs()));
    let finding = rows
        .iter()
        .rfind(|x| x.estimate.is_finite())
        .map_or(String::new(), |top| {
            let value = if measure == "correlation" {
                number(top.estimate)
            } else {
                figure(r, o, top.estimate, false)
            };
            format!(
                ": {} matters most ({} {value})",
                top.label,
                measure.replace('_', " ")
            )
        });
    let what = if measure == "correlation" {
        "Correlations with"
    } else {
        "Main-effect ranges of"
    };
    plot::interval_chart(
        dir,
        stem,
        &format!("{what} {label}{finding}"),
        x_label,
        &rows,
    )?;
    Ok(())
}

fn morris(r: &SweepResult, o: usize, dir: &Path, stem: &str) -> Result<(), ReportError> {
    let label = &r.outputs[o];
    let unit = r.file.outputs[o].unit();
    let pts: Vec<ScatterPoint> = r
        .factors
        .iter()
        .map(|f| ScatterPoint {
            label: leaf_name(f).to_string(),
            x: get(r, f, o, "mu_star").0,
            y: get(r, f, o, "sigma").0,
        })
        .collect();
    let finding = pts
        .iter()
        .filter(|p| p.x.is_finite())
        .max_by(|a, b| a.x.total_cmp(&b.x))
        .map_or(String::new(), |p| {
            format!(
                "{} matters most (mu* {})",
                p.label,
                figure(r, o, p.x, false)
            )
        });
    plot::scatter_chart(
        dir,
        stem,
        &format!("Morris screening of {label}: {finding}"),
        &format!("mu* (mean |elementary effect|, {unit} per unit of the factor's range)"),
        "sigma (spread of the effects: interactions, nonlinearity)",
        &pts,
    )?;
    Ok(())
}

fn sobol(r: &SweepResult, o: usize, dir: &Path, stem: &str) -> Result<(), ReportError> {
    let label = &r.outputs[o];
    let mut rows = Vec::new();
    for f in &r.factors {
        for (m, tag) in [("first_order", "first-order"), ("total", "total")] {
            let (estimate, lo, hi) = get(r, f, o, m);
            rows.push(IntervalRow {
                label: format!("{} ({tag})", leaf_name(f)),
                estimate,
                lo,
                hi,
            });
        }
    }
    let finding = r
        .factors
        .iter()
        .map(|f| (leaf_name(f), get(r, f, o, "total").0))
        .filter(|x| x.1.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(String::new(), |(f, t)| {
            format!(
                "{f} drives {} of its variance (total index)",
                crate::report::format::percent(t)
            )
        });
    plot::interval_chart(
        dir,
        stem,
        &format!("Sobol' indices of {label}: {finding}"),
        "share of the output's variance (95% bootstrap interval over the base rows)",
        &rows,
    )?;
    Ok(())
}
