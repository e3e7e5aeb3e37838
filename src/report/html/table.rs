//! An untyped CSV table for the pages that do not yet read typed rows (sweep, validation).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::files::FileError;

/// A CSV file read as rows of named fields.
pub(super) struct Table {
    pub(super) rows: Vec<BTreeMap<String, String>>,
}

impl Table {
    pub(super) fn read(path: &Path) -> Result<Table, FileError> {
        let bad = |e: csv::Error| FileError::read(path, e);
        let mut r = csv::Reader::from_path(path).map_err(bad)?;
        let header = r.headers().map_err(bad)?.clone();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(bad)?;
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
pub(super) fn f(row: &BTreeMap<String, String>, key: &str) -> f64 {
    row.get(key)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

/// A field of a CSV row as text.
pub(super) fn s<'a>(row: &'a BTreeMap<String, String>, key: &str) -> &'a str {
    row.get(key).map_or("", String::as_str)
}

/// A JSON value as text.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}

/// The banner of an incomplete sweep or validation, from its untyped manifest.
pub(super) fn incomplete_banner(out: &mut String, manifest: &Value, what: &str) {
    if manifest.get("complete").and_then(Value::as_bool) != Some(false) {
        return;
    }
    let count = |k: &str| manifest.get(k).and_then(Value::as_u64);
    match count("points_done") {
        Some(done) => super::incomplete_banner(out, what, done, count("points_planned"), "points"),
        None => super::incomplete_banner(
            out,
            what,
            count("replications_done").unwrap_or(0),
            count("replications_requested").or(count("replications")),
            "replications",
        ),
    }
}

/// The footer of a sweep or validation page, from its untyped manifest.
pub(super) fn footer(out: &mut String, manifest: &Value, dir: &Path) {
    let get = |k: &str| manifest.get(k).map_or(String::new(), value_text);
    let wall = manifest
        .get("wall_seconds")
        .and_then(Value::as_f64)
        .map_or(String::new(), |x| format!("{x:.1}"));
    let items = [
        ("chainsim", get("chainsim_version")),
        ("seed", get("seed")),
        ("scenario", get("scenario_file")),
        ("sweep file", get("sweep_file")),
        ("scenario SHA-256", get("scenario_sha256")),
        ("generator", get("generator")),
        ("threads", get("threads")),
        ("wall time (s)", wall),
    ];
    let command = get("command");
    super::footer(out, &items, Some(&command), dir);
}
