//! The page of a sweep: what was swept, which assumptions drive each output (with 95%
//! confidence intervals and how each was computed), whether the better arm changes across each
//! factor's range, and the charts. Read from the typed manifest and `indices.csv`'s rows.

use std::fmt::Write as _;
use std::path::Path;

use super::{figure, footer, html_page, incomplete_banner, read_json};
use crate::report::ReportError;
use crate::report::format::{escape_html as esc, grouped, number, percent};
use crate::report::run::read_rows;
use crate::report::sweep::{
    INDICES_FILE, IndexRow, MANIFEST_FILE, SweepManifest, arm_choice_sentence, index_figure,
};
use crate::sweep::{Distribution, Factor, IntervalMethod};

/// The design's headline measure, which ranks the factors, and what it means.
const HEADLINE: [(&str, &str); 5] = [
    (
        "swing",
        "swing: the output at the factor's high end minus at its low end",
    ),
    (
        "main_effect_range",
        "main-effect range: largest minus smallest mean over the factor's levels",
    ),
    (
        "correlation",
        "correlation of the factor with the output across points",
    ),
    ("mu_star", "Morris mu*: mean absolute elementary effect"),
    (
        "total",
        "total Sobol' index: share of the output's variance the factor drives, interactions included",
    ),
];

/// The values a factor takes, in words.
fn factor_values(f: &Factor) -> String {
    match &f.levels {
        Some(levels) => format!(
            "levels {}",
            levels
                .iter()
                .map(|x| number(*x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "{} to {} ({})",
            f.low.map_or_else(String::new, number),
            f.high.map_or_else(String::new, number),
            match f.distribution {
                Distribution::Uniform => "uniform",
                Distribution::LogUniform => "log-uniform",
            }
        ),
    }
}

/// The page of a sweep's output directory.
pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let m: SweepManifest = read_json(&dir.join(MANIFEST_FILE))?;
    let indices_path = dir.join(INDICES_FILE);
    let indices: Vec<IndexRow> = if indices_path.is_file() {
        read_rows(&indices_path)?
    } else {
        Vec::new()
    };
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<header><h1>Sweep: {}</h1><p class=\"lede\">{}</p></header>",
        esc(&m.sweep),
        esc(&m.description)
    );
    if !m.header.complete {
        incomplete_banner(
            &mut b,
            "sweep",
            m.points_done as u64,
            m.points_planned.map(|p| p as u64),
            "points",
        );
    }
    let _ = write!(
        b,
        "<h2 id=\"design\">What was swept</h2>\n<p>Design <code>{}</code>: {} points &times; {} replications ({} simulations), common random numbers across points (replication <em>i</em> uses the same seeds at every point), seed {}. Every interval on this page is a {} confidence interval.</p>\n",
        esc(&m.design),
        grouped(m.points as f64, 0),
        m.replications_per_point,
        grouped(m.simulations as f64, 0),
        m.header.seed,
        percent(m.confidence_level),
    );
    b.push_str("<table><thead><tr><th>factor (scenario path)</th><th>unit</th><th>values</th></tr></thead><tbody>\n");
    for (i, f) in m.factor_settings.iter().enumerate() {
        let unit = m.factor_units.get(i).cloned().flatten().unwrap_or_default();
        let _ = writeln!(
            b,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&f.path),
            esc(&unit),
            esc(&factor_values(f))
        );
    }
    b.push_str("</tbody></table>\n");
    drivers(&mut b, &m, &indices);
    arm_choices(&mut b, &m);
    if !m.warnings.is_empty() {
        b.push_str("<h2 id=\"warnings\">Warnings</h2>\n<ul>\n");
        for w in &m.warnings {
            let _ = writeln!(b, "<li>{}</li>", esc(w));
        }
        b.push_str("</ul>\n");
    }
    if !m.charts.is_empty() {
        b.push_str("<h2 id=\"charts\">Charts</h2>\n");
        for c in &m.charts {
            figure(&mut b, dir, &c.stem, &c.caption);
        }
    }
    let items = [
        ("chainsim", m.header.chainsim_version.clone()),
        ("seed", m.header.seed.to_string()),
        ("sweep file", m.sweep_file.clone()),
        ("generator", m.header.generator.clone()),
        ("wall time (s)", format!("{:.1}", m.wall_seconds)),
    ];
    footer(&mut b, &items, m.header.command.as_deref(), dir);
    Ok(html_page(&format!("chainsim sweep: {}", m.sweep), &b))
}

/// Which assumptions drive each output: its headline measure per factor, largest first.
fn drivers(b: &mut String, m: &SweepManifest, indices: &[IndexRow]) {
    b.push_str("<h2 id=\"drivers\">Which assumptions drive the answer</h2>\n");
    for (o, output) in m.outputs.iter().enumerate() {
        let unit = m.output_units.get(o).map_or("", String::as_str);
        let Some((measure, meaning)) = HEADLINE.iter().find(|(h, _)| {
            indices
                .iter()
                .any(|r| &r.output == output && r.measure == *h)
        }) else {
            continue;
        };
        let mut rows: Vec<&IndexRow> = indices
            .iter()
            .filter(|r| &r.output == output && r.measure == *measure)
            .collect();
        rows.sort_by(|x, y| y.estimate.abs().total_cmp(&x.estimate.abs()));
        if let Some(top) = rows.first() {
            let noise = m.noise_share.get(output).copied().flatten();
            let _ = writeln!(
                b,
                "<p><strong>{}</strong> ({}) moves most with <code>{}</code> ({} {}). Replication noise is {} of the variance between points.</p>",
                esc(output),
                esc(unit),
                esc(&top.factor),
                measure.replace('_', " "),
                index_figure(measure, unit, top.estimate),
                percent(noise.unwrap_or(f64::NAN)),
            );
        }
        let method = rows.first().map_or(IntervalMethod::T, |r| r.interval);
        let _ = writeln!(
            b,
            "<table><thead><tr><th>factor</th><th class=\"num\">{}</th><th class=\"num\">95% confidence interval</th></tr></thead><tbody>",
            esc(meaning)
        );
        for r in rows {
            let ci = if r.ci_lo.is_finite() {
                format!(
                    "{} to {}",
                    index_figure(measure, unit, r.ci_lo),
                    index_figure(measure, unit, r.ci_hi)
                )
            } else {
                "n/a".to_string()
            };
            let _ = writeln!(
                b,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{ci}</td></tr>",
                esc(&r.factor),
                index_figure(measure, unit, r.estimate)
            );
        }
        b.push_str("</tbody></table>\n");
        let _ = writeln!(
            b,
            "<p class=\"small\">How the interval is computed: {}.</p>",
            esc(method.meaning())
        );
    }
}

/// For each output comparing two arms: whether the better arm changes across each factor.
fn arm_choices(b: &mut String, m: &SweepManifest) {
    if m.arm_choices.is_empty() {
        if m.header.complete {
            b.push_str("<h2 id=\"arm-choice\">Does the better arm change?</h2>\n<p>No output compares two arms (an output with <code>against</code>), so the sweep cannot say which arm does better.</p>\n");
        }
        return;
    }
    b.push_str("<h2 id=\"arm-choice\">Does the better arm change?</h2>\n<p>For each output that is a paired difference between two arms, the sign of its mean across each factor's range (the factor's main effect: the other factors averaged).</p>\n");
    for (o, output) in m.outputs.iter().enumerate() {
        let unit = m.output_units.get(o).map_or("", String::as_str);
        let choices: Vec<_> = m
            .arm_choices
            .iter()
            .filter(|c| &c.output == output)
            .collect();
        if choices.is_empty() {
            continue;
        }
        let _ = writeln!(b, "<h3>{}</h3>\n<ul class=\"findings\">", esc(output));
        for c in choices {
            let _ = writeln!(
                b,
                "<li><code>{}</code>: {}</li>",
                esc(&c.factor),
                esc(&arm_choice_sentence(c, unit))
            );
        }
        b.push_str("</ul>\n");
    }
}
