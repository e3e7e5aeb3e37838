//! The page of a validation: every check against its published band, and the charts. It reads
//! `validation.csv` and `manifest.json` through the types their writer uses
//! ([`ValidationRow`], [`ValidationManifest`]), and shows each figure as the printed table does.

use std::fmt::Write as _;
use std::path::Path;

use super::{figure, footer, html_page, incomplete_banner, read_json};
use crate::report::ReportError;
use crate::report::format::escape_html as esc;
use crate::report::run::{MANIFEST_FILE, read_rows};
use crate::report::validation::{VALIDATION_FILE, ValidationManifest, ValidationRow};

/// The page of a validation's output directory.
pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let rows: Vec<ValidationRow> = read_rows(&dir.join(VALIDATION_FILE))?;
    let manifest: ValidationManifest = read_json(&dir.join(MANIFEST_FILE))?;
    let passed = rows.iter().filter(|r| r.pass).count();
    let mut b = String::new();
    b.push_str("<header><h1>Validation</h1><p class=\"lede\">The model against published facts about the service-profit chain: each check runs a designed experiment on the agents and compares the simulated figure (with its 95% confidence interval) with the published band. docs/VALIDATION.md gives the sources and the reasons for each band.</p></header>\n");
    if !manifest.header.complete {
        incomplete_banner(
            &mut b,
            "validation",
            manifest.experiments.len() as u64,
            Some(manifest.planned.len() as u64),
            "experiments",
        );
    }
    let verdict = if passed == rows.len() { "pass" } else { "fail" };
    let _ = writeln!(
        b,
        "<p class=\"{verdict}\">{passed} of {} checks pass.</p>",
        rows.len()
    );
    b.push_str("<table><thead><tr><th>check</th><th>published</th><th>source</th><th class=\"num\">simulated (95% confidence interval)</th><th class=\"num\">band</th><th>result</th></tr></thead><tbody>\n");
    for r in &rows {
        let class = if r.pass { "pass" } else { "fail" };
        let detail = if r.detail.is_empty() {
            String::new()
        } else {
            format!("<br><span class=\"small\">{}</span>", esc(&r.detail))
        };
        let _ = writeln!(
            b,
            "<tr><td><code>{}</code><br>{}{detail}</td><td>{}</td><td>{}</td><td class=\"num\">{} {}<br><span class=\"small\">n = {} replications</span></td><td class=\"num\">{}</td><td class=\"{class}\">{}</td></tr>",
            esc(&r.id),
            esc(&r.fact),
            esc(&r.published),
            esc(&r.source),
            esc(&r.estimate_text()),
            esc(&r.unit),
            r.replications,
            esc(&r.band_text()),
            r.verdict(),
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
    let header = &manifest.header;
    let items = [
        ("chainsim", header.chainsim_version.clone()),
        ("seed", header.seed.to_string()),
        ("replications per arm", manifest.replications.to_string()),
        ("generator", header.generator.clone()),
    ];
    footer(&mut b, &items, header.command.as_deref(), dir);
    Ok(html_page("chainsim validation", &b))
}
