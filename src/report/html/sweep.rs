//! The page of a sweep: what was swept, which assumptions drive each output, the charts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::table::{Table, f, footer, incomplete_banner, s, value_text};
use super::{figure, html_page, read_json};
use crate::report::ReportError;
use crate::report::format::{escape_html as esc, number, percent};

/// The page of a sweep's output directory.
pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let manifest: Value = read_json(&dir.join("manifest.json"))?;
    let indices_path = dir.join("indices.csv");
    let indices = if indices_path.is_file() {
        Table::read(&indices_path)?
    } else {
        Table { rows: Vec::new() }
    };
    let get = |k: &str| value_text(manifest.get(k).unwrap_or(&Value::Null));
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<header><h1>Sweep: {}</h1><p class=\"lede\">{}</p></header>",
        esc(&get("sweep")),
        esc(&get("description"))
    );
    incomplete_banner(&mut b, &manifest, "sweep");
    let _ = write!(
        b,
        "<h2 id=\"design\">What was swept</h2>\n<p>Design <code>{}</code>: {} points &times; {} replications ({} simulations), common random numbers across points (replication <em>i</em> uses the same seeds at every point), seed {}.</p>\n",
        esc(&get("design")),
        esc(&get("points")),
        esc(&get("replications_per_point")),
        esc(&get("simulations")),
        esc(&get("seed")),
    );
    if let Some(settings) = manifest.get("factor_settings").and_then(Value::as_array) {
        b.push_str("<table><thead><tr><th>factor (scenario path)</th><th>values</th></tr></thead><tbody>\n");
        for x in settings {
            let path = value_text(x.get("path").unwrap_or(&Value::Null));
            let values = match x.get("levels").and_then(Value::as_array) {
                Some(levels) => format!(
                    "levels {}",
                    levels.iter().map(value_text).collect::<Vec<_>>().join(", ")
                ),
                None => format!(
                    "{} to {} ({})",
                    value_text(x.get("low").unwrap_or(&Value::Null)),
                    value_text(x.get("high").unwrap_or(&Value::Null)),
                    value_text(x.get("distribution").unwrap_or(&Value::Null))
                ),
            };
            let _ = writeln!(
                b,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(&path),
                esc(&values)
            );
        }
        b.push_str("</tbody></table>\n");
    }
    // The design's headline measure ranks the factors.
    let headline = [
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
    let outputs: Vec<String> = manifest
        .get("outputs")
        .and_then(Value::as_array)
        .map(|v| v.iter().map(value_text).collect())
        .unwrap_or_default();
    b.push_str("<h2 id=\"drivers\">Which assumptions drive the answer</h2>\n");
    for o in &outputs {
        let Some((measure, meaning)) = headline.iter().find(|(m, _)| {
            indices
                .rows
                .iter()
                .any(|r| s(r, "output") == o && s(r, "measure") == *m)
        }) else {
            continue;
        };
        let mut rows: Vec<&BTreeMap<String, String>> = indices
            .rows
            .iter()
            .filter(|r| s(r, "output") == o && s(r, "measure") == *measure)
            .collect();
        rows.sort_by(|x, y| f(y, "estimate").abs().total_cmp(&f(x, "estimate").abs()));
        if let Some(top) = rows.first() {
            let noise = manifest
                .get("noise_share")
                .and_then(|n| n.get(o))
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN);
            let _ = writeln!(
                b,
                "<p><strong>{}</strong> moves most with <code>{}</code> ({} {}). Replication noise is {} of the variance between points.</p>",
                esc(o),
                esc(s(top, "factor")),
                measure.replace('_', " "),
                number(f(top, "estimate")),
                percent(noise),
            );
        }
        let _ = writeln!(
            b,
            "<table><thead><tr><th>factor</th><th class=\"num\">{}</th><th class=\"num\">95% interval</th></tr></thead><tbody>",
            esc(meaning)
        );
        for r in rows {
            let ci = if f(r, "ci_lo").is_finite() {
                format!("{} to {}", number(f(r, "ci_lo")), number(f(r, "ci_hi")))
            } else {
                String::new()
            };
            let _ = writeln!(
                b,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{ci}</td></tr>",
                esc(s(r, "factor")),
                number(f(r, "estimate"))
            );
        }
        b.push_str("</tbody></table>\n");
    }
    if let Some(w) = manifest.get("warnings").and_then(Value::as_array)
        && !w.is_empty()
    {
        b.push_str("<h2 id=\"warnings\">Warnings</h2>\n<ul>\n");
        for x in w {
            let _ = writeln!(b, "<li>{}</li>", esc(&value_text(x)));
        }
        b.push_str("</ul>\n");
    }
    b.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for (stem, caption) in [
        (
            "tornado",
            "Tornado: the change in the output from each factor's low to high end, the others at their base.",
        ),
        ("heatmap", "The output over the two-factor grid."),
        (
            "morris",
            "Morris screening: importance (mu*) against nonlinearity and interaction (sigma).",
        ),
        ("sobol", "Sobol' indices with bootstrap 95% intervals."),
    ] {
        figure(&mut b, dir, stem, caption);
    }
    footer(&mut b, &manifest, dir);
    Ok(html_page(&format!("chainsim sweep: {}", get("sweep")), &b))
}
