//! `report.html`: one self-contained page per output directory (inline CSS and SVG, no
//! scripts, no fonts or files from anywhere else) that opens offline and prints to PDF.
//!
//! The page is built only from the files in the directory, so `chainsim report DIR` rebuilds
//! exactly the page the run wrote, and a report can be rebuilt from a copied directory. The
//! directory's kind is read from what it holds: `validation.csv` (validate), `indices.csv`
//! (sweep), else `comparison.csv`/`replications.csv` (run).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ReportError, write_atomic};
use crate::scenario::Scenario;

/// The file the report is written to.
pub const REPORT_FILE: &str = "report.html";

/// A CSV file read as rows of named fields.
struct Table {
    rows: Vec<BTreeMap<String, String>>,
}

impl Table {
    fn read(path: &Path) -> Result<Table, ReportError> {
        Table::read_where(path, |_| true)
    }

    /// The rows for which `keep` holds, read as a stream (weekly.csv can be large: only the
    /// rows kept are held).
    fn read_where(
        path: &Path,
        keep: impl Fn(&csv::StringRecord) -> bool,
    ) -> Result<Table, ReportError> {
        let bad = |reason: String| ReportError::Read {
            path: path.to_path_buf(),
            reason,
        };
        let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
        let header = r.headers().map_err(|e| bad(e.to_string()))?.clone();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            if !keep(&rec) {
                continue;
            }
            rows.push(
                header
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect(),
            );
        }
        Ok(Table { rows })
    }
}

/// A field of a CSV row as a number (NaN when empty or missing).
fn f(row: &BTreeMap<String, String>, key: &str) -> f64 {
    row.get(key)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

/// A field of a CSV row as text.
fn s<'a>(row: &'a BTreeMap<String, String>, key: &str) -> &'a str {
    row.get(key).map_or("", String::as_str)
}

fn read_json(path: &Path) -> Result<Value, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|e| ReportError::Read {
        path: path.to_path_buf(),
        reason: format!("line {} column {}: {e}", e.line(), e.column()),
    })
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut o = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// Money for people: `+5.63M`, `-225k`, `830` (`signed` adds a plus sign).
pub fn money(x: f64, signed: bool) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let sign = if x < 0.0 {
        "\u{2212}"
    } else if signed {
        "+"
    } else {
        ""
    };
    let a = x.abs();
    let body = if a >= 1e6 {
        format!("{:.2}M", a / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", a / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", a / 1e3)
    } else {
        format!("{a:.0}")
    };
    format!("{sign}{body}")
}

/// A plain number with three significant figures (as the validation table), millions as money,
/// with a true minus sign.
fn number(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e6 {
        return money(x, false);
    }
    crate::validate::fmt_num(x).replace('-', "\u{2212}")
}

/// A week number (or a fraction of one, from interpolated percentiles) as people say it.
fn week(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.0}")
    } else {
        "n/a".to_string()
    }
}

fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", 100.0 * x)
    } else {
        "n/a".to_string()
    }
}

/// An SVG chart from the directory, ready to inline; `None` when the file is absent.
fn inline_svg(dir: &Path, stem: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).ok()?;
    let start = text.find("<svg")?;
    // Charts scale to the page; their viewBox keeps the proportions.
    // Inline SVG needs no namespace in HTML; dropping it leaves no address in the page.
    let svg = text[start..]
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{stem} chart\" class=\"chart\" "),
            1,
        );
    Some(svg)
}

fn figure(out: &mut String, dir: &Path, stem: &str, caption: &str) {
    if let Some(svg) = inline_svg(dir, stem) {
        let _ = writeln!(
            out,
            "<figure id=\"fig-{stem}\">{svg}<figcaption>{}</figcaption></figure>",
            esc(caption)
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

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// What a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `chainsim run` (or `merge`) output.
    Run,
    /// `chainsim sweep` output.
    Sweep,
    /// `chainsim validate` output.
    Validation,
}

/// The kind of output `dir` holds, if any.
pub fn kind(dir: &Path) -> Option<Kind> {
    if dir.join("validation.csv").is_file() {
        Some(Kind::Validation)
    } else if dir.join("indices.csv").is_file()
        || read_json(&dir.join("manifest.json")).is_ok_and(|m| m.get("sweep").is_some())
    {
        // An interrupted sweep has its manifest and points but no indices.
        Some(Kind::Sweep)
    } else if dir.join("replications.csv").is_file() && dir.join("manifest.json").is_file() {
        Some(Kind::Run)
    } else {
        None
    }
}

/// Builds the report page for the output in `dir`.
///
/// # Errors
///
/// [`ReportError::Read`] when `dir` holds no chainsim output or a file in it cannot be read.
pub fn build(dir: &Path) -> Result<String, ReportError> {
    match kind(dir) {
        Some(Kind::Run) => run_page(dir),
        Some(Kind::Sweep) => sweep_page(dir),
        Some(Kind::Validation) => validation_page(dir),
        None => Err(ReportError::Read {
            path: dir.to_path_buf(),
            reason: "expected the output of `chainsim run`, `sweep` or `validate` (manifest.json with replications.csv, indices.csv, or validation.csv), found none".into(),
        }),
    }
}

/// Builds the report for `dir` and writes it to `dir/report.html` (atomically).
///
/// # Errors
///
/// As [`build`], and [`ReportError::Write`] if the page cannot be written.
pub fn write(dir: &Path) -> Result<PathBuf, ReportError> {
    let html = build(dir)?;
    let path = dir.join(REPORT_FILE);
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

fn incomplete_banner(out: &mut String, manifest: &Value, what: &str) {
    if manifest.get("complete").and_then(Value::as_bool) == Some(false) {
        // Runs count replications; sweeps count points.
        let count = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| manifest.get(*k).and_then(Value::as_u64))
                .map(|n| n.to_string())
        };
        let (done, planned, unit) = match count(&["points_done"]) {
            Some(d) => (Some(d), count(&["points_planned"]), "points"),
            None => (
                count(&["replications_done"]),
                count(&["replications_requested", "replications"]),
                "replications",
            ),
        };
        let _ = writeln!(
            out,
            "<div class=\"banner\"><strong>Incomplete {what}.</strong> It was stopped after {} of {} {unit}; every figure below covers only those.</div>",
            done.unwrap_or_else(|| "some".into()),
            planned.unwrap_or_else(|| "the planned".into()),
        );
    }
}

fn footer(out: &mut String, manifest: &Value, dir: &Path) {
    let get = |k: &str| {
        manifest.get(k).map_or(String::new(), |v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    out.push_str("<footer>\n<strong>Reproduce.</strong> ");
    let mut items = Vec::new();
    for (label, key) in [
        ("chainsim", "chainsim_version"),
        ("seed", "seed"),
        ("scenario", "scenario_file"),
        ("sweep file", "sweep_file"),
        ("scenario SHA-256", "scenario_sha256"),
        ("generator", "generator"),
        ("threads", "threads"),
        ("wall time (s)", "wall_seconds"),
    ] {
        let mut v = get(key);
        if key == "wall_seconds"
            && let Ok(x) = v.parse::<f64>()
        {
            v = format!("{x:.1}");
        }
        if !v.is_empty() {
            items.push(format!("{label} <code>{}</code>", esc(&v)));
        }
    }
    out.push_str(&items.join(" · "));
    let command = get("command");
    if !command.is_empty() {
        let _ = write!(out, "<br>Command: <code>{}</code>", esc(&command));
    }
    let mut files: Vec<String> = std::fs::read_dir(dir)
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
    files.sort();
    if !files.is_empty() {
        let links: Vec<String> = files
            .iter()
            .map(|n| format!("<a href=\"{0}\">{0}</a>", esc(n)))
            .collect();
        let _ = write!(
            out,
            "<br>Data beside this page: {} (CSV: comma-separated, header row, RFC 4180 quoting, '.' decimals).",
            links.join(", ")
        );
    }
    out.push_str("\n</footer>\n");
}

// ---------------------------------------------------------------------------------------------
// Runs

fn years(weeks: f64) -> String {
    let y = weeks / 52.0;
    if (y - y.round()).abs() < 1e-9 {
        let n = y.round() as i64;
        format!("{n} year{}", if n == 1 { "" } else { "s" })
    } else {
        format!("{y:.1} years")
    }
}

fn describe_intervention(iv: &Value) -> String {
    let lever = match iv.get("lever") {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(name, args)| {
                let args = args.as_object().map_or(String::new(), |a| {
                    a.iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                format!("{name} ({args})")
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => "?".to_string(),
    };
    let mut when = format!(
        "from week {}",
        iv.get("start_week").and_then(Value::as_u64).unwrap_or(0)
    );
    if let Some(e) = iv.get("every_weeks").and_then(Value::as_u64) {
        let _ = write!(when, ", every {e} weeks");
    }
    if let Some(e) = iv.get("end_week").and_then(Value::as_u64) {
        let _ = write!(when, " to week {e}");
    }
    let mut costs = Vec::new();
    for (k, label) in [
        ("cost_per_site", "per site"),
        ("cost_per_employee", "per employee"),
    ] {
        if let Some(c) = iv.get(k).and_then(Value::as_f64).filter(|c| *c != 0.0) {
            costs.push(format!("{} {label}", money(c, false)));
        }
    }
    if costs.is_empty() {
        format!("{lever}, {when}")
    } else {
        format!("{lever}, {when}; costs {}", costs.join(" + "))
    }
}

fn links_off(arm: &Value) -> Vec<String> {
    arm.get("links")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v.as_bool() == Some(false))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Per arm, paired with the baseline by replication: the NPV gain over the extra investment,
/// left out where the two invest about the same (as in `comparison.csv`). Read as a stream:
/// only four numbers per replication are kept, however many replications there are.
fn paired_roi(path: &Path, baseline: &str) -> Result<BTreeMap<String, Vec<f64>>, ReportError> {
    let bad = |reason: String| ReportError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let header = r.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("expected a column `{name}`, found none")))
    };
    let (arm, rep, npv, inv) = (
        col("arm")?,
        col("replication")?,
        col("npv")?,
        col("investment")?,
    );
    let num = |rec: &csv::StringRecord, k: usize| {
        rec.get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    let mut base: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    let mut others: BTreeMap<String, Vec<(u64, f64, f64)>> = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let k = rec
            .get(rep)
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX);
        let x = (num(&rec, npv), num(&rec, inv));
        match rec.get(arm) {
            Some(a) if a == baseline => {
                base.insert(k, x);
            }
            Some(a) => others.entry(a.to_string()).or_default().push((k, x.0, x.1)),
            None => {}
        }
    }
    Ok(others
        .into_iter()
        .map(|(a, rows)| {
            let roi = rows
                .into_iter()
                .filter_map(|(k, npv, inv)| {
                    let (b_npv, b_inv) = *base.get(&k)?;
                    Some(crate::stats::compare::paired_roi(npv - b_npv, inv, b_inv))
                        .filter(|r| r.is_finite())
                })
                .collect();
            (a, roi)
        })
        .collect())
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The plain-language reading of one arm's comparison with the baseline.
fn reading(c: &BTreeMap<String, String>, baseline: &str, horizon: &str, roi: &[f64]) -> String {
    let arm = esc(s(c, "arm"));
    let d = f(c, "delta_npv_mean");
    let (lo, hi) = (f(c, "delta_npv_lo"), f(c, "delta_npv_hi"));
    let reps = s(c, "replications");
    let verb = if d >= 0.0 { "adds" } else { "costs" };
    let mut t = format!(
        "<strong>{arm}</strong> {verb} <strong>{}</strong> of net present value over {horizon} compared with {} (95% interval {} to {}), and beats it in <strong>{}</strong> of {reps} paired replications.",
        money(d.abs(), false),
        esc(baseline),
        money(lo, true),
        money(hi, true),
        percent(f(c, "p_beats_baseline")),
    );
    let inv = f(c, "investment_mean");
    if inv > 0.0 && !roi.is_empty() {
        let mut r = roi.to_vec();
        let med = median(&mut r);
        let at_least_cost = roi.iter().filter(|x| **x >= 1.0).count() as f64 / roi.len() as f64;
        if med >= 0.0 {
            let _ = write!(
                t,
                " It invests {} (present value) and gains {}× that in NPV (ROI, median over replications; the mean's 95% interval is {} to {}); the gain is at least its cost again in {} of replications.",
                money(inv, false),
                number(med),
                number(f(c, "roi_lo")),
                number(f(c, "roi_hi")),
                percent(at_least_cost),
            );
        } else {
            let _ = write!(
                t,
                " It invests {} (present value) and loses {}× that in NPV on top (ROI, median over replications; the mean's 95% interval is {} to {}).",
                money(inv, false),
                number(-med),
                number(f(c, "roi_lo")),
                number(f(c, "roi_hi")),
            );
        }
        let paid = f(c, "paid_back_share");
        if paid > 0.0 {
            let _ = write!(
                t,
                " Its cumulative profit overtakes the baseline's by week {} (median; 90% of replications between weeks {} and {}) in {} of replications.",
                week(f(c, "payback_week_median")),
                week(f(c, "payback_week_p05")),
                week(f(c, "payback_week_p95")),
                percent(paid),
            );
        } else {
            t.push_str(" It never pays back within the horizon.");
        }
    }
    t
}

/// Every leaf of a JSON value, with its dotted path (`a.b[2].c`).
fn leaves(v: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(x, &p, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, &format!("{path}[{i}]"), out);
            }
        }
        other => {
            out.insert(path.to_string(), other.clone());
        }
    }
}

/// Comments in scenario text by the dotted path of the field they sit beside (a comment at
/// the end of a line, or comment lines just above a field). List elements read `[]`.
pub fn field_comments(text: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    // (name, is_list)
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut pending: Option<String> = None;
    let mut above: Vec<String> = Vec::new();
    for line in text.lines() {
        let (code, comment) = split_comment(line);
        if code.trim().is_empty() {
            match comment {
                Some(c) => above.push(c),
                None => above.clear(),
            }
            continue;
        }
        let mut keys_here = Vec::new();
        let chars: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '"' {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
            } else if c.is_alphabetic() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let ident: String = chars[start..i].iter().collect();
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ':' && chars.get(j + 1) != Some(&':') {
                    let path = join_path(&stack, &ident);
                    keys_here.push(path);
                    pending = Some(ident);
                    i = j;
                }
                continue;
            } else if c == '(' || c == '[' {
                let in_list = stack.last().is_some_and(|(_, l)| *l);
                let name = match pending.take() {
                    Some(k) => k,
                    None if in_list && c == '(' => "[]".to_string(),
                    None => String::new(),
                };
                stack.push((name, c == '['));
            } else if c == ')' || c == ']' {
                stack.pop();
                pending = None;
            } else if c == ',' {
                pending = None;
            }
            i += 1;
        }
        let mut note: Vec<String> = std::mem::take(&mut above);
        note.extend(comment);
        let note = note.join(" ");
        if !note.is_empty() {
            for k in keys_here {
                out.entry(k).or_insert_with(|| note.clone());
            }
        }
    }
    out
}

fn join_path(stack: &[(String, bool)], leaf: &str) -> String {
    let mut p = String::new();
    for (name, _) in stack
        .iter()
        .chain(std::iter::once(&(leaf.to_string(), false)))
    {
        if name.is_empty() {
            continue;
        }
        if name == "[]" {
            p.push_str("[]");
        } else {
            if !p.is_empty() {
                p.push('.');
            }
            p.push_str(name);
        }
    }
    p
}

/// A line's code and its `//` comment, if any (not inside a string).
fn split_comment(line: &str) -> (&str, Option<String>) {
    let mut in_string = false;
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && b.get(i + 1) == Some(&b'/') => {
                return (&line[..i], Some(line[i + 2..].trim().to_string()));
            }
            _ => {}
        }
        i += 1;
    }
    (line, None)
}

fn without_indices(path: &str) -> String {
    let mut o = String::new();
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                o.push_str("[]");
            }
            ']' => skipping = false,
            _ if skipping => {}
            _ => o.push(c),
        }
    }
    o
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}

fn assumptions(out: &mut String, scenario: &Value, text: Option<&str>) {
    let Ok(default) = serde_json::to_value(Scenario::default()) else {
        return;
    };
    let (mut now, mut was) = (BTreeMap::new(), BTreeMap::new());
    leaves(scenario, "", &mut now);
    leaves(&default, "", &mut was);
    let docs: BTreeMap<String, (String, String)> = Scenario::reference()
        .into_iter()
        .map(|d| (d.path, (d.unit, d.meaning)))
        .collect();
    let comments = text.map(field_comments).unwrap_or_default();
    let shown_elsewhere = [
        "name",
        "description",
        "seed",
        "weeks",
        "replications",
        "baseline_arm",
    ];
    let mut rows = String::new();
    let mut count = 0;
    for (path, v) in &now {
        if path.starts_with("arms") || shown_elsewhere.contains(&path.as_str()) {
            continue;
        }
        let default_value = was.get(path);
        if default_value == Some(v) {
            continue;
        }
        count += 1;
        let generic = without_indices(path);
        // A range's ends are documented under the range itself.
        let parent = generic
            .rsplit_once('.')
            .map_or(String::new(), |(p, _)| p.to_string());
        let (unit, meaning) = docs
            .get(&generic)
            .or_else(|| docs.get(&parent))
            .cloned()
            .unwrap_or_default();
        let source = comments
            .get(&generic)
            .or_else(|| comments.get(&parent))
            .cloned()
            .unwrap_or_default();
        let _ = writeln!(
            rows,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(path),
            esc(&value_text(v)),
            esc(&default_value.map_or("(none)".to_string(), value_text)),
            esc(&unit),
            esc(&meaning),
            esc(&source),
        );
    }
    out.push_str("<h2 id=\"assumptions\">Assumptions that differ from the defaults</h2>\n");
    if count == 0 {
        out.push_str("<p>None: every parameter is the built-in default (a mid-sized retail bank; sources in docs/SCENARIO.md).</p>\n");
        return;
    }
    let _ = write!(
        out,
        "<p>{count} parameter(s) differ from the built-in defaults (a mid-sized retail bank; docs/SCENARIO.md gives every default and its source). The last column is the scenario file's own comment.</p>\n<table><thead><tr><th>parameter</th><th class=\"num\">value</th><th class=\"num\">default</th><th>unit</th><th>meaning</th><th>source / comment in the scenario</th></tr></thead><tbody>\n{rows}</tbody></table>\n"
    );
}

/// The firm-level value of each key metric in the last week, per arm (means over replications).
fn final_state(
    out: &mut String,
    dir: &Path,
    arms: &[String],
    weeks: u64,
) -> Result<(), ReportError> {
    let path = dir.join("weekly.csv");
    if !path.is_file() || weeks == 0 {
        return Ok(());
    }
    let last = (weeks - 1).to_string();
    // weekly.csv's columns: arm, site, week, metric, mean, ...
    let weekly = Table::read_where(&path, |r| {
        r.get(1) == Some("all") && r.get(2) == Some(last.as_str())
    })?;
    let wanted = [
        ("isq", "Internal service quality", "0-100", 1.0),
        ("morale", "Employee morale", "0-100", 1.0),
        ("turnover_annualised", "Staff turnover", "% per year", 100.0),
        ("rookie_share", "Rookies among staff", "%", 100.0),
        (
            "productivity_served_per_hour",
            "Productivity",
            "served per staffed hour",
            1.0,
        ),
        (
            "perceived_quality",
            "Service quality",
            "perceived, 0-100",
            1.0,
        ),
        ("wait_minutes", "Wait", "minutes", 1.0),
        ("satisfaction", "Customer satisfaction", "0-100", 1.0),
        ("top_box_share", "Top-box (rating 5) share", "%", 100.0),
        (
            "retention_annualised",
            "Customer retention",
            "% per year",
            100.0,
        ),
        ("active_customers", "Active customers", "people", 1.0),
        ("revenue", "Revenue", "currency per week", 1.0),
        ("profit", "Profit", "currency per week", 1.0),
        ("cumulative_profit", "Cumulative profit", "currency", 1.0),
    ];
    let mut value: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for r in weekly
        .rows
        .iter()
        .filter(|r| s(r, "site") == "all" && s(r, "week") == last)
    {
        value.insert((s(r, "arm"), s(r, "metric")), f(r, "mean"));
    }
    let _ = write!(
        out,
        "<h2 id=\"chain-state\">The chain at the end (the last of {weeks} weeks)</h2>\n<p>Firm-level means over replications, in the last simulated week; each link of the chain from internal service quality to profit.</p>\n<table><thead><tr><th>link</th><th>unit</th>"
    );
    for a in arms {
        let _ = write!(out, "<th class=\"num\">{}</th>", esc(a));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (metric, label, unit, scale) in wanted {
        let _ = write!(out, "<tr><td>{label}</td><td>{unit}</td>");
        for a in arms {
            let v = value
                .get(&(a.as_str(), metric))
                .copied()
                .unwrap_or(f64::NAN)
                * scale;
            let text = if unit.starts_with("currency") {
                money(v, false)
            } else {
                number(v)
            };
            let _ = write!(out, "<td class=\"num\">{text}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    Ok(())
}

fn run_page(dir: &Path) -> Result<String, ReportError> {
    let manifest = read_json(&dir.join("manifest.json"))?;
    let scenario = manifest.get("scenario").cloned().unwrap_or(Value::Null);
    let text = std::fs::read_to_string(dir.join(super::SCENARIO_FILE)).ok();
    let sget = |path: &[&str]| {
        let mut v = &scenario;
        for p in path {
            v = v.get(p).unwrap_or(&Value::Null);
        }
        v.clone()
    };
    let name = value_text(&sget(&["name"]));
    let description = value_text(&sget(&["description"]));
    let weeks = manifest.get("weeks").and_then(Value::as_u64).unwrap_or(0);
    let reps = manifest
        .get("replications")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let horizon = years(weeks as f64);
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<header><h1>{}</h1><p class=\"lede\">{}</p></header>",
        esc(&name),
        esc(&description)
    );
    incomplete_banner(&mut b, &manifest, "run");
    let _ = write!(
        b,
        "<h2 id=\"simulated\">What was simulated</h2>\n<p>{} sites, each with {} front-line staff and {} customers to start (a market of {} people per site), over {weeks} weeks ({horizon}); {reps} Monte Carlo replications of every arm, seed {}. Every encounter between a customer and an employee is simulated; profit is what the ledger holds at the end, not a formula. Arms share their random numbers replication by replication (common random numbers), so differences between arms are paired.</p>\n",
        value_text(&sget(&["sites", "count"])),
        value_text(&sget(&["sites", "employees_per_site"])),
        value_text(&sget(&["sites", "customers_per_site"])),
        value_text(&sget(&["sites", "market_per_site"])),
        value_text(manifest.get("seed").unwrap_or(&Value::Null)),
    );

    // The arms and what each does.
    let arms_json = sget(&["arms"]);
    let arms_list: Vec<Value> = arms_json.as_array().cloned().unwrap_or_default();
    let arm_names: Vec<String> = arms_list
        .iter()
        .map(|a| value_text(a.get("name").unwrap_or(&Value::Null)))
        .collect();
    b.push_str("<h2 id=\"arms\">The arms</h2>\n<table><thead><tr><th>arm</th><th>what it represents</th><th>what it does</th></tr></thead><tbody>\n");
    for a in &arms_list {
        let mut does: Vec<String> = a
            .get("interventions")
            .and_then(Value::as_array)
            .map(|v| v.iter().map(describe_intervention).collect())
            .unwrap_or_default();
        let off = links_off(a);
        if !off.is_empty() {
            does.push(format!("links switched off: {}", off.join(", ")));
        }
        if does.is_empty() {
            does.push("nothing: the firm as it is".to_string());
        }
        let _ = writeln!(
            b,
            "<tr><td><strong>{}</strong></td><td>{}</td><td>{}</td></tr>",
            esc(&value_text(a.get("name").unwrap_or(&Value::Null))),
            esc(&value_text(a.get("description").unwrap_or(&Value::Null))),
            does.iter().map(|d| esc(d)).collect::<Vec<_>>().join("<br>")
        );
    }
    b.push_str("</tbody></table>\n");

    // The comparison, read in plain words first.
    let comparison = dir.join("comparison.csv");
    if comparison.is_file() {
        let table = Table::read(&comparison)?;
        let baseline = table
            .rows
            .iter()
            .find(|r| s(r, "baseline") == "true")
            .map_or_else(String::new, |r| s(r, "arm").to_string());
        let roi = paired_roi(&dir.join("replications.csv"), &baseline)?;
        b.push_str("<h2 id=\"answer\">The answer</h2>\n<ul class=\"findings\">\n");
        for c in table.rows.iter().filter(|r| s(r, "baseline") != "true") {
            let empty = Vec::new();
            let r = roi.get(s(c, "arm")).unwrap_or(&empty);
            let _ = writeln!(b, "<li>{}</li>", reading(c, &baseline, &horizon, r));
        }
        if let Some(best) = table
            .rows
            .iter()
            .max_by(|x, y| f(x, "npv_mean").total_cmp(&f(y, "npv_mean")))
        {
            let _ = writeln!(
                b,
                "<li>Highest expected NPV: <strong>{}</strong>, the best arm in {} of the paired replications.</li>",
                esc(s(best, "arm")),
                percent(f(best, "p_best"))
            );
        }
        b.push_str("</ul>\n");
        b.push_str("<h2 id=\"comparison\">Comparison with the baseline</h2>\n<p>Means over replications with 95% intervals; the difference in NPV (&Delta;NPV) is paired by replication. ROI = &Delta;NPV / present value of the arm's investment. Payback is the first week from which the arm's cumulative profit stays above the baseline's; profit depreciates capex rather than expensing it, so this is not a cash payback.</p>\n<table><thead><tr><th>arm</th><th class=\"num\">NPV</th><th class=\"num\">&Delta;NPV vs baseline</th><th class=\"num\">P(beats baseline)</th><th class=\"num\">investment (PV)</th><th class=\"num\">ROI</th><th class=\"num\">payback week (median, 90%)</th><th class=\"num\">P(best)</th></tr></thead><tbody>\n");
        for c in &table.rows {
            let is_base = s(c, "baseline") == "true";
            let iv = |k: &str, signed: bool| {
                format!(
                    "{}<br><span class=\"small\">[{}, {}]</span>",
                    money(f(c, &format!("{k}_mean")), signed),
                    money(f(c, &format!("{k}_lo")), signed),
                    money(f(c, &format!("{k}_hi")), signed)
                )
            };
            let (delta, p, roi_text, payback) = if is_base {
                (
                    "baseline".to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                )
            } else {
                let roi_text = if f(c, "roi_mean").is_finite() {
                    format!(
                        "{}<br><span class=\"small\">[{}, {}]</span>",
                        number(f(c, "roi_mean")),
                        number(f(c, "roi_lo")),
                        number(f(c, "roi_hi"))
                    )
                } else {
                    "n/a".to_string()
                };
                let payback = if f(c, "paid_back_share") > 0.0 {
                    format!(
                        "{}<br><span class=\"small\">{}-{}; in {}</span>",
                        week(f(c, "payback_week_median")),
                        week(f(c, "payback_week_p05")),
                        week(f(c, "payback_week_p95")),
                        percent(f(c, "paid_back_share"))
                    )
                } else {
                    "never".to_string()
                };
                (
                    iv("delta_npv", true),
                    percent(f(c, "p_beats_baseline")),
                    roi_text,
                    payback,
                )
            };
            let _ = writeln!(
                b,
                "<tr><td><strong>{}</strong></td><td class=\"num\">{}</td><td class=\"num\">{delta}</td><td class=\"num\">{p}</td><td class=\"num\">{}</td><td class=\"num\">{roi_text}</td><td class=\"num\">{payback}</td><td class=\"num\">{}</td></tr>",
                esc(s(c, "arm")),
                iv("npv", false),
                money(f(c, "investment_mean"), false),
                percent(f(c, "p_best")),
            );
        }
        b.push_str("</tbody></table>\n");
    }

    b.push_str("<h2 id=\"charts\">Charts</h2>\n");
    figure(
        &mut b,
        dir,
        "delta",
        "Each arm's cumulative profit minus the baseline's, paired by replication: where the line crosses zero the arm has paid back.",
    );
    figure(
        &mut b,
        dir,
        "arms",
        "Cumulative profit of every arm over time.",
    );
    figure(
        &mut b,
        dir,
        "roi",
        "Return on investment against the baseline, with 95% intervals.",
    );
    figure(
        &mut b,
        dir,
        "profit",
        "Cumulative profit (median and bands over replications).",
    );
    b.push_str("<h2 id=\"dashboard\">The chain dashboard</h2>\n<p>Every link of the service-profit chain, firm level, week by week: internal service quality drives morale, morale drives turnover and productivity, which drive service quality, customer satisfaction, retention, revenue and profit.</p>\n");
    figure(
        &mut b,
        dir,
        "chain",
        "The service-profit chain, link by link (median and bands over replications).",
    );
    final_state(&mut b, dir, &arm_names, weeks)?;
    assumptions(&mut b, &scenario, text.as_deref());
    footer(&mut b, &manifest, dir);
    Ok(page(&format!("chainsim: {name}"), &b))
}

// ---------------------------------------------------------------------------------------------
// Sweeps

fn sweep_page(dir: &Path) -> Result<String, ReportError> {
    let manifest = read_json(&dir.join("manifest.json"))?;
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
    Ok(page(&format!("chainsim sweep: {}", get("sweep")), &b))
}

// ---------------------------------------------------------------------------------------------
// Validation

fn validation_page(dir: &Path) -> Result<String, ReportError> {
    let table = Table::read(&dir.join("validation.csv"))?;
    let manifest = read_json(&dir.join("manifest.json")).unwrap_or(Value::Null);
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
    Ok(page("chainsim validation", &b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_by_path() {
        let text = r#"// The scenario.
(
    name: "x",
    sites: (
        count: 6,
        manager_quality: (min: 25.0, max: 55.0), // weaker managers
    ),
    isq: (
        // Low stocks hold
        // where they are.
        tools_capex_per_site_per_week: 220.0,
        skills_initial: 30.0,
    ),
    employees: (wage_per_hour: 19.0), // under the market "wage // of" 20
    demand: (shocks: [(start_week: 3, magnitude: 0.5), // a storm
    ]),
)"#;
        let c = field_comments(text);
        assert_eq!(c["sites.manager_quality"], "weaker managers");
        assert_eq!(c["sites.manager_quality.min"], "weaker managers");
        assert_eq!(
            c["isq.tools_capex_per_site_per_week"],
            "Low stocks hold where they are."
        );
        assert!(!c.contains_key("isq.skills_initial"));
        assert!(!c.contains_key("sites.count"));
        assert_eq!(
            c["employees.wage_per_hour"],
            "under the market \"wage // of\" 20"
        );
        assert_eq!(c["demand.shocks[].magnitude"], "a storm");
        // A comment above the opening parenthesis belongs to no field.
        assert!(!c.contains_key("name"));
    }

    #[test]
    fn money_and_numbers_read_as_people_write_them() {
        assert_eq!(money(5_630_000.0, true), "+5.63M");
        assert_eq!(money(-225_149.0, false), "\u{2212}225k");
        assert_eq!(money(830.4, false), "830");
        assert_eq!(money(f64::NAN, false), "n/a");
        assert_eq!(number(21.04), "21.0");
        assert_eq!(number(-0.157), "\u{2212}0.157");
        assert_eq!(percent(0.936), "94%");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a & 'b'>\""), "&lt;a &amp; &#39;b&#39;&gt;&quot;");
    }

    #[test]
    fn index_paths_lose_their_indices() {
        assert_eq!(
            without_indices("demand.shocks[12].magnitude"),
            "demand.shocks[].magnitude"
        );
    }
}
