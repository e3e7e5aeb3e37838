//! A validation's files: `validation.csv` as typed rows (its writer, the table `validate` prints
//! and `report.html`'s reader share one schema, [`ValidationRow`]), `validation.txt`, a typed
//! `manifest.json` ([`ValidationManifest`]), the charts, and the `--json` summary. The study in
//! [`crate::validate`] only measures; everything it shows people is formatted here.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::format::{self, csv_bound_num};
use super::manifest::ManifestHeader;
use super::run::MANIFEST_FILE;
use super::text::IntervalJson;
use super::{ReportError, html, plot};
use crate::files;
use crate::validate::{CheckResult, FigureKind, KNOWN_GAPS, Rule, Validation};

/// One row per check: the fact, its band, the estimate and the verdict.
pub const VALIDATION_FILE: &str = "validation.csv";
/// The table `validate` prints, as a file.
pub const TABLE_FILE: &str = "validation.txt";

/// A row of `validation.csv`: one check (see [`CheckResult`] for each field's meaning). Every
/// number is written in full precision, an open band end as `inf` or `-inf`, an undefined one
/// empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationRow {
    /// Short identifier, stable across versions.
    pub id: String,
    /// The fact, in words.
    pub fact: String,
    /// The published figure or band, in words.
    pub published: String,
    /// Where the fact comes from.
    pub source: String,
    /// Lower end of the band (`-inf`: open).
    #[serde(with = "csv_bound_num")]
    pub band_lo: f64,
    /// Upper end of the band (`inf`: open).
    #[serde(with = "csv_bound_num")]
    pub band_hi: f64,
    /// How the estimate is judged against the band.
    pub rule: Rule,
    /// Unit of the estimate.
    pub unit: String,
    /// The simulated estimate: mean over replications.
    #[serde(with = "csv_bound_num")]
    pub estimate: f64,
    /// Lower end of its 95% interval (empty for a derived figure without one).
    #[serde(with = "csv_bound_num")]
    pub ci_lo: f64,
    /// Upper end of its 95% interval.
    #[serde(with = "csv_bound_num")]
    pub ci_hi: f64,
    /// Values the estimate rests on (replications, or 1 for a derived figure).
    pub replications: usize,
    /// What was measured, in words, where the number alone does not say it.
    pub detail: String,
    /// Whether the check passed.
    pub pass: bool,
    /// Whether it is a documented known gap ([`KNOWN_GAPS`]).
    pub known_gap: bool,
}

impl ValidationRow {
    /// The row of check `r`.
    pub fn of(r: &CheckResult) -> ValidationRow {
        ValidationRow {
            id: r.id.clone(),
            fact: r.fact.to_string(),
            published: r.published.to_string(),
            source: r.source.to_string(),
            band_lo: r.band_lo,
            band_hi: r.band_hi,
            rule: r.rule,
            unit: r.unit.to_string(),
            estimate: r.estimate.mean,
            ci_lo: r.estimate.lo,
            ci_hi: r.estimate.hi,
            replications: r.estimate.n,
            detail: r.detail.clone(),
            pass: r.pass,
            known_gap: KNOWN_GAPS.contains(&r.id.as_str()),
        }
    }

    /// The estimate with its interval, for people: `0.973 [0.897, 1.05]` (no interval for a
    /// derived figure).
    pub fn estimate_text(&self) -> String {
        if self.ci_lo.is_finite() {
            format!(
                "{} [{}, {}]",
                format::number(self.estimate),
                format::number(self.ci_lo),
                format::number(self.ci_hi)
            )
        } else {
            format::number(self.estimate)
        }
    }

    /// The band and how it is judged, for people: `meets [0.950, 1.05]`, `inside [0, ∞]`.
    pub fn band_text(&self) -> String {
        format!(
            "{} [{}, {}]",
            rule_text(self.rule),
            format::bound(self.band_lo),
            format::bound(self.band_hi)
        )
    }

    /// The verdict, for people: `pass`, `FAIL (known gap)` or `FAIL`.
    pub fn verdict(&self) -> &'static str {
        match (self.pass, self.known_gap) {
            (true, _) => "pass",
            (false, true) => "FAIL (known gap)",
            (false, false) => "FAIL",
        }
    }
}

/// How a rule reads in a sentence: the interval *meets* the band, or lies *inside* it.
fn rule_text(rule: Rule) -> &'static str {
    match rule {
        Rule::Overlaps => "meets",
        Rule::Inside => "inside",
    }
}

/// `validation.csv`'s text: one row per check.
pub fn validation_csv(v: &Validation) -> String {
    super::csv::to_csv(v.results.iter().map(ValidationRow::of))
}

/// The table `validate` prints (and writes as `validation.txt`).
pub fn table(v: &Validation) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Validation: {} replications per arm, seed {}",
        v.replications, v.seed
    );
    let _ = writeln!(
        s,
        "{:<40} {:<36} {:<28} {:<44} {:<24} result",
        "check", "published", "source", "simulated (95% confidence interval)", "band"
    );
    for r in v.results.iter().map(ValidationRow::of) {
        let _ = writeln!(
            s,
            "{:<40} {:<36} {:<28} {:<44} {:<24} {}",
            r.id,
            r.published,
            r.source,
            format!("{} {}", r.estimate_text(), r.unit),
            r.band_text(),
            r.verdict(),
        );
        if !r.detail.is_empty() {
            let _ = writeln!(s, "{:<40} {}", "", r.detail);
        }
    }
    let failing = v.failing();
    let _ = writeln!(
        s,
        "{} of {} checks pass{}",
        v.results.len() - failing.len(),
        v.results.len(),
        if failing.is_empty() {
            String::new()
        } else {
            format!("; failing: {}", failing.join(", "))
        }
    );
    if !v.complete() {
        let _ = writeln!(s, "{}", incomplete_text(v));
    }
    s
}

/// What an interrupted validation holds, in one sentence.
fn incomplete_text(v: &Validation) -> String {
    let left: Vec<&str> = v.planned[v.experiments.len()..].to_vec();
    format!(
        "Incomplete validation: interrupted after {} of {} experiments; left out: {}",
        v.experiments.len(),
        v.planned.len(),
        left.join(", ")
    )
}

/// `manifest.json` of a validation: how to reproduce it and what it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationManifest {
    /// Version, seed, generator, command, completeness.
    #[serde(flatten)]
    pub header: ManifestHeader,
    /// Replications per experiment arm.
    pub replications: u32,
    /// Checks the outputs hold.
    pub checks: usize,
    /// Identifiers of the failing checks.
    pub failing: Vec<String>,
    /// The experiments that ran to their end, in order.
    pub experiments: Vec<String>,
    /// The experiments asked for (more than `experiments` when interrupted).
    pub planned: Vec<String>,
}

impl ValidationManifest {
    /// The manifest of `v`; `with_command` records this process's command line (false when
    /// comparing outputs byte for byte).
    pub fn of(v: &Validation, with_command: bool) -> ValidationManifest {
        let names = |x: &[&str]| x.iter().map(|n| n.to_string()).collect();
        ValidationManifest {
            header: ManifestHeader::new(v.seed, v.complete(), with_command),
            replications: v.replications,
            checks: v.results.len(),
            failing: v.failing().iter().map(|n| n.to_string()).collect(),
            experiments: names(&v.experiments),
            planned: names(&v.planned),
        }
    }

    /// The manifest as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }
}

/// Writes every file of a validation into `dir` (created if needed): `validation.csv`,
/// `validation.txt`, `manifest.json`, the charts and `report.html`. Returns their paths, in the
/// order written.
///
/// # Errors
///
/// [`ReportError`] naming what could not be written or drawn.
pub fn write_validation(v: &Validation, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    files::create_dir(dir)?;
    let texts = [
        (VALIDATION_FILE, validation_csv(v)),
        (TABLE_FILE, table(v)),
        (MANIFEST_FILE, ValidationManifest::of(v, true).to_json()),
    ];
    let mut written = Vec::new();
    for (name, text) in texts {
        let path = dir.join(name);
        files::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    for f in &v.figures {
        match &f.kind {
            FigureKind::Intervals { rows, x_label } => {
                plot::interval_chart(dir, f.stem, &f.title, x_label, rows)?;
            }
            FigureKind::Bands { series, y_label } => {
                plot::band_chart(dir, f.stem, &f.title, y_label, series)?;
            }
        }
        written.extend(["png", "svg"].map(|ext| dir.join(format!("{}.{ext}", f.stem))));
    }
    written.push(html::write(dir)?);
    Ok(written)
}

/// A check's band in the JSON summary (null for an open end).
#[derive(Debug, Serialize)]
pub struct BandJson {
    /// How the estimate is judged: `overlaps` (its interval meets the band) or `inside` (its
    /// interval lies in the band).
    pub rule: Rule,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// One check in the JSON summary.
#[derive(Debug, Serialize)]
pub struct CheckJson {
    /// Short identifier, stable across versions.
    pub id: String,
    /// Whether the check passed.
    pub pass: bool,
    /// Whether it is a documented known gap.
    pub known_gap: bool,
    /// The simulated estimate with its 95% interval (null ends for a derived figure).
    pub estimate: IntervalJson,
    /// Unit of the estimate and the band.
    pub unit: String,
    /// Values the estimate rests on.
    pub replications: usize,
    /// The published band.
    pub band: BandJson,
}

/// The machine-readable summary of a validation (`validate --json`).
#[derive(Debug, Serialize)]
pub struct ValidationJson {
    /// Master seed.
    pub seed: u64,
    /// Replications per experiment arm.
    pub replications: u32,
    /// Whether every planned experiment ran to its end.
    pub complete: bool,
    /// The experiments that ran to their end.
    pub experiments: Vec<String>,
    /// Checks that passed.
    pub passed: usize,
    /// Identifiers of the failing checks.
    pub failing: Vec<String>,
    /// Every check, in the table's order.
    pub checks: Vec<CheckJson>,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// The validation's summary as JSON (one line, newline-terminated).
pub fn validation_json(v: &Validation, written: &[PathBuf]) -> String {
    let checks: Vec<CheckJson> = v
        .results
        .iter()
        .map(|r| CheckJson {
            id: r.id.clone(),
            pass: r.pass,
            known_gap: KNOWN_GAPS.contains(&r.id.as_str()),
            estimate: (&r.estimate).into(),
            unit: r.unit.to_string(),
            replications: r.estimate.n,
            band: BandJson {
                rule: r.rule,
                lo: r.band_lo,
                hi: r.band_hi,
            },
        })
        .collect();
    let summary = ValidationJson {
        seed: v.seed,
        replications: v.replications,
        complete: v.complete(),
        experiments: v.experiments.iter().map(|n| n.to_string()).collect(),
        passed: checks.iter().filter(|c| c.pass).count(),
        failing: v.failing().iter().map(|n| n.to_string()).collect(),
        checks,
        files: written.to_vec(),
    };
    serde_json::to_string(&summary).expect("a summary serialises") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Interval;

    fn check(rule: Rule, band: (f64, f64), estimate: Interval) -> CheckResult {
        CheckResult {
            id: "x.y".into(),
            fact: "a fact, with a comma",
            published: "~1",
            source: "someone 2001",
            band_lo: band.0,
            band_hi: band.1,
            rule,
            unit: "x",
            estimate,
            detail: String::new(),
            pass: true,
        }
    }

    fn validation(results: Vec<CheckResult>) -> Validation {
        Validation {
            replications: 3,
            seed: 7,
            results,
            figures: Vec::new(),
            planned: vec!["queueing"],
            experiments: vec!["queueing"],
        }
    }

    #[test]
    fn rows_read_back_as_written_open_ends_and_all() {
        let v = validation(vec![
            check(
                Rule::Inside,
                (0.0, f64::INFINITY),
                Interval {
                    mean: -0.25,
                    lo: f64::NAN,
                    hi: f64::NAN,
                    n: 1,
                },
            ),
            check(
                Rule::Overlaps,
                (f64::NEG_INFINITY, 1.05),
                Interval {
                    mean: 0.973,
                    lo: 0.897,
                    hi: 1.0512,
                    n: 3,
                },
            ),
        ]);
        let text = validation_csv(&v);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "id,fact,published,source,band_lo,band_hi,rule,unit,estimate,ci_lo,ci_hi,replications,detail,pass,known_gap"
        );
        assert_eq!(
            lines[1],
            "x.y,\"a fact, with a comma\",~1,someone 2001,0,inf,inside,x,-0.25,,,1,,true,false"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VALIDATION_FILE);
        std::fs::write(&path, &text).unwrap();
        let rows: Vec<ValidationRow> = super::super::run::read_rows(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].band_hi, f64::INFINITY);
        assert!(rows[0].ci_lo.is_nan());
        assert_eq!(rows[1], ValidationRow::of(&v.results[1]));
        assert_eq!(rows[0].estimate_text(), "\u{2212}0.250");
        assert_eq!(rows[0].band_text(), "inside [0, \u{221e}]");
        assert_eq!(rows[1].estimate_text(), "0.973 [0.897, 1.05]");
        assert_eq!(rows[1].band_text(), "meets [\u{2212}\u{221e}, 1.05]");
    }

    #[test]
    fn an_incomplete_validation_says_so() {
        let mut v = validation(Vec::new());
        v.planned = vec!["facts", "sears", "queueing"];
        v.experiments = vec!["facts"];
        assert!(table(&v).contains(
            "Incomplete validation: interrupted after 1 of 3 experiments; left out: sears, queueing"
        ));
        let m = ValidationManifest::of(&v, false);
        assert!(!m.header.complete);
        assert_eq!(m.experiments, ["facts"]);
        let back: ValidationManifest = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(back, m);
    }
}
