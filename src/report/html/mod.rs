//! `report.html`: one self-contained page per output directory (inline CSS and SVG, no
//! scripts, no fonts or files from anywhere else) that opens offline and prints to PDF.
//!
//! The page is built only from the files in the directory, read through the same typed rows
//! and manifests their writers use, so `chainsim report DIR` rebuilds exactly the page the run
//! wrote, and a report can be rebuilt from a copied directory. The directory's kind is read
//! from what it holds: `validation.csv` (validate), a sweep manifest (sweep), else
//! `replications.csv` with a manifest (run).

mod assumptions;
mod run;
mod svg;
mod sweep;
mod validation;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ReportError;
use super::format::escape_html;
use crate::files::{self, FileError};

pub use assumptions::field_comments;

/// The file the report is written to.
pub const REPORT_FILE: &str = "report.html";

/// Reads a JSON file into `T` (a manifest), saying where it is malformed.
fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, FileError> {
    let text = files::read_text(path).map_err(|e| FileError::read(path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        // In the user's words: no type name, and the location said once.
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        let message = match message.find("expected struct ") {
            Some(at) => format!(
                "{}expected a chainsim manifest (a JSON object of its fields)",
                &message[..at]
            ),
            None => message.to_string(),
        };
        FileError::read(
            path,
            format!("line {} column {}: {message}", e.line(), e.column()),
        )
    })
}

/// An SVG chart from the directory, rebuilt from the allow-list ([`svg::sanitize`]) and ready
/// to inline, with a note when anything was taken out; `None` when the file is absent, and a
/// note in place of the chart when it is not well-formed SVG.
fn inline_svg(dir: &Path, stem: &str) -> Option<(String, Option<String>)> {
    let text = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).ok()?;
    let Some(clean) = svg::sanitize(&text) else {
        return Some((
            String::new(),
            Some(format!(
                "{stem}.svg is not a chart chainsim wrote (not well-formed SVG), so it is not shown."
            )),
        ));
    };
    // Charts scale to the page; their viewBox keeps the proportions.
    let svg = clean.svg.replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{stem} chart\" class=\"chart\""),
        1,
    );
    let note = (!clean.removed.is_empty()).then(|| {
        format!(
            "Parts chainsim does not write were removed from {stem}.svg: {}.",
            clean.removed.join(", ")
        )
    });
    Some((svg, note))
}

/// Appends the chart `stem` with its caption, when the directory has it.
fn figure(out: &mut String, dir: &Path, stem: &str, caption: &str) {
    if let Some((svg, note)) = inline_svg(dir, stem) {
        let note = note.map_or(String::new(), |n| {
            format!(" <strong>{}</strong>", escape_html(&n))
        });
        let _ = writeln!(
            out,
            "<figure id=\"fig-{stem}\">{svg}<figcaption>{}{note}</figcaption></figure>",
            escape_html(caption)
        );
    }
}

const CSS: &str = r#"
:root { --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d8d8d8; --good: #1a7f37; --bad: #b42318; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.8rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2.2rem; }
p.lede { font-size: 1.05rem; color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.pass { color: var(--good); font-weight: bold; } .fail { color: var(--bad); font-weight: bold; }
.banner { border: 2px solid var(--bad); background: #fdf0ee; padding: .7rem 1rem; margin: 1rem 0; }
ul.findings li { margin-bottom: .45rem; }
figure { margin: 1.2rem 0; page-break-inside: avoid; break-inside: avoid; }
svg.chart { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
footer { margin-top: 2.5rem; border-top: 1px solid var(--rule); padding-top: .6rem; color: var(--muted); font-size: .8rem; }
footer code, td code { font-size: .85em; word-break: break-all; }
.small { font-size: .85rem; color: var(--muted); }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  h2 { page-break-after: avoid; break-after: avoid; }
  table, tr { page-break-inside: avoid; break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole page around `body`.
fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape_html(title)
    )
}

/// What a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// `chainsim run` (or `merge`) output.
    Run,
    /// `chainsim sweep` output.
    Sweep,
    /// `chainsim validate` output.
    Validation,
}

/// Just enough of a manifest to tell a sweep's from a run's.
#[derive(Deserialize)]
struct KindProbe {
    sweep: Option<String>,
}

impl OutputKind {
    /// The kind of output `dir` holds, if any.
    pub fn detect(dir: &Path) -> Option<OutputKind> {
        if dir.join("validation.csv").is_file() {
            Some(OutputKind::Validation)
        } else if dir.join("indices.csv").is_file()
            || read_json::<KindProbe>(&dir.join("manifest.json")).is_ok_and(|m| m.sweep.is_some())
        {
            // An interrupted sweep has its manifest and points but no indices.
            Some(OutputKind::Sweep)
        } else if dir.join("replications.csv").is_file() && dir.join("manifest.json").is_file() {
            Some(OutputKind::Run)
        } else {
            None
        }
    }
}

/// Builds the report page for the output in `dir`.
///
/// # Errors
///
/// [`FileError::Read`] (as [`ReportError::File`]) when `dir` holds no chainsim output or a file
/// in it cannot be read.
pub fn build(dir: &Path) -> Result<String, ReportError> {
    match OutputKind::detect(dir) {
        Some(OutputKind::Run) => run::page(dir),
        Some(OutputKind::Sweep) => sweep::page(dir),
        Some(OutputKind::Validation) => validation::page(dir),
        None => Err(FileError::read(
            dir,
            "expected the output of `chainsim run`, `sweep` or `validate` (manifest.json with replications.csv, indices.csv, or validation.csv), found none",
        )
        .into()),
    }
}

/// Builds the report for `dir` and writes it to `dir/report.html` (atomically).
///
/// # Errors
///
/// As [`build`], and [`FileError::Write`] if the page cannot be written.
pub fn write(dir: &Path) -> Result<PathBuf, ReportError> {
    let html = build(dir)?;
    let path = dir.join(REPORT_FILE);
    files::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// The banner of an incomplete run, sweep or validation: how far it got, in `unit`s.
fn incomplete_banner(out: &mut String, what: &str, done: u64, planned: Option<u64>, unit: &str) {
    let _ = writeln!(
        out,
        "<div class=\"banner\"><strong>Incomplete {what}.</strong> It was stopped after {done} of {} {unit}; every figure below covers only those.</div>",
        planned.map_or_else(|| "the planned".to_string(), |p| p.to_string()),
    );
}

/// The page's footer: how to reproduce it, and the data files beside it. `items` are
/// (label, value) pairs; empty values are left out.
fn footer(out: &mut String, items: &[(&str, String)], command: Option<&str>, dir: &Path) {
    out.push_str("<footer>\n<strong>Reproduce.</strong> ");
    let shown: Vec<String> = items
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(label, v)| format!("{label} <code>{}</code>", escape_html(v)))
        .collect();
    out.push_str(&shown.join(" · "));
    if let Some(command) = command.filter(|c| !c.is_empty()) {
        let _ = write!(out, "<br>Command: <code>{}</code>", escape_html(command));
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    (n.ends_with(".csv") || n.ends_with(".json") || n.ends_with(".ron"))
                        && !n.ends_with(".tmp")
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    if !names.is_empty() {
        let links: Vec<String> = names
            .iter()
            .map(|n| format!("<a href=\"{0}\">{0}</a>", escape_html(n)))
            .collect();
        let _ = write!(
            out,
            "<br>Data beside this page: {} (CSV: comma-separated, header row, RFC 4180 quoting, '.' decimals).",
            links.join(", ")
        );
    }
    out.push_str("\n</footer>\n");
}
