//! The page of a validation: every check against its published band, and the charts.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::table::{Table, f, footer, incomplete_banner, s};
use super::{figure, html_page, read_json};
use crate::report::ReportError;
use crate::report::format::{escape_html as esc, number};

/// The page of a validation's output directory.
pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let table = Table::read(&dir.join("validation.csv"))?;
    let manifest: Value = read_json(&dir.join("manifest.json")).unwrap_or(Value::Null);
    let passed = table.rows.iter().filter(|r| s(r, "pass") == "true").count();
    let mut b = String::new();
    b.push_str("<header><h1>Validation</h1><p class=\"lede\">The model against published facts about the service-profit chain: each check runs a designed experiment on the agents and compares the simulated figure (95% interval) with the published band. docs/VALIDATION.md gives the sources and the reasons for each band.</p></header>\n");
    incomplete_banner(&mut b, &manifest, "validation");
    let verdict = if passed == table.rows.len() {
        "pass"
    } else {
        "fail"
    };
    let _ = writeln!(
        b,
        "<p class=\"{verdict}\">{passed} of {} checks pass.</p>",
        table.rows.len()
    );
    b.push_str("<table><thead><tr><th>check</th><th>published</th><th>source</th><th class=\"num\">simulated (95% interval)</th><th class=\"num\">band</th><th>result</th></tr></thead><tbody>\n");
    for r in &table.rows {
        let ci = if f(r, "ci_lo").is_finite() {
            format!(" [{}, {}]", number(f(r, "ci_lo")), number(f(r, "ci_hi")))
        } else {
            String::new()
        };
        let band = |k: &str| {
            let x = f(r, k);
            if x.is_finite() {
                number(x)
            } else if s(r, k).contains('-') {
                "&minus;&infin;".to_string()
            } else {
                "&infin;".to_string()
            }
        };
        let (class, result) = match (s(r, "pass"), s(r, "known_gap")) {
            ("true", _) => ("pass", "pass"),
            (_, "true") => ("fail", "fail (known gap)"),
            _ => ("fail", "FAIL"),
        };
        let detail = if s(r, "detail").is_empty() {
            String::new()
        } else {
            format!("<br><span class=\"small\">{}</span>", esc(s(r, "detail")))
        };
        let _ = writeln!(
            b,
            "<tr><td><code>{}</code><br>{}{detail}</td><td>{}</td><td>{}</td><td class=\"num\">{}{ci} {}<br><span class=\"small\">n = {} replications</span></td><td class=\"num\">{} [{}, {}]</td><td class=\"{class}\">{result}</td></tr>",
            esc(s(r, "id")),
            esc(s(r, "fact")),
            esc(s(r, "published")),
            esc(s(r, "source")),
            number(f(r, "estimate")),
            esc(s(r, "unit")),
            esc(s(r, "replications")),
            esc(s(r, "rule")),
            band("band_lo"),
            band("band_hi"),
        );
    }
    b.push_str("</tbody></table>\n<h2 id=\"charts\">Charts</h2>\n");
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter_map(|e| {
                    e.file_name()
                        .to_str()
                        .and_then(|n| n.strip_suffix(".svg"))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    stems.sort();
    for stem in stems {
        figure(&mut b, dir, &stem, &stem.replace('_', " "));
    }
    footer(&mut b, &manifest, dir);
    Ok(html_page("chainsim validation", &b))
}
