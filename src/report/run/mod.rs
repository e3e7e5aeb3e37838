//! A run's files: `weekly.csv`, `replications.csv` and `comparison.csv` as typed rows (the
//! writer and `report.html`'s reader share the schema), `manifest.json`, `scenario.ron`, the
//! charts, and a shard's `partial.json`.

mod charts;
mod rows;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::manifest::ManifestHeader;
use super::{ReportError, html};
use crate::files::{self, FileError};
use crate::runner::{RunResult, RunShard};
use crate::scenario::Scenario;
use crate::stats::QuantileMethod;

pub use super::csv::{read_rows, read_rows_where};
pub use rows::{
    ComparisonRow, ReplicationRow, WeeklyRow, comparison_csv, replications_csv, weekly_csv,
    write_replications_csv,
};

/// The copy of the scenario text kept beside a run's results (comments and all).
pub const SCENARIO_FILE: &str = "scenario.ron";
/// The file a shard writes and `merge` reads.
pub const PARTIAL_FILE: &str = "partial.json";
/// Weekly quantiles across replications.
pub const WEEKLY_FILE: &str = "weekly.csv";
/// One row per arm and replication.
pub const REPLICATIONS_FILE: &str = "replications.csv";
/// One row per arm, compared with the baseline.
pub const COMPARISON_FILE: &str = "comparison.csv";
/// What was run, how, and the resolved scenario.
pub const MANIFEST_FILE: &str = "manifest.json";

/// `manifest.json` of a run: what was run, how, and the resolved scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunManifest {
    /// Version, seed, generator, command, completeness.
    #[serde(flatten)]
    pub header: ManifestHeader,
    /// The scenario file as given, or the built-in label.
    pub scenario_file: String,
    /// SHA-256 of the scenario text.
    pub scenario_sha256: String,
    /// Replications the outputs hold.
    pub replications: u32,
    /// The same, for tools that read how far an interrupted run got.
    pub replications_done: u32,
    /// Replications asked for, when the run was interrupted before them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications_requested: Option<u32>,
    /// Horizon in weeks.
    pub weeks: u32,
    /// The arms, in scenario order.
    pub arms: Vec<String>,
    /// Encounters simulated.
    pub encounters: u64,
    /// How the percentiles were computed, in words.
    pub percentiles: String,
    /// The method, for programs: `exact` (every replication's value, type 7) or `sketch` (past
    /// the run's budget for kept values; absent from manifests of runs that always sketched).
    #[serde(default = "sketched")]
    pub quantile_method: QuantileMethod,
    /// The unit of every money figure.
    pub money_unit: String,
    /// How the run was executed (absent when comparing runs byte for byte).
    #[serde(default, skip_serializing_if = "Option::is_none", flatten)]
    pub execution: Option<Execution>,
    /// The scenario as run, command-line overrides applied.
    pub scenario: Scenario,
}

/// What manifests that do not say were: sketched.
fn sketched() -> QuantileMethod {
    QuantileMethod::Sketch
}

/// How percentiles across replications are computed by `method`, in a sentence (the
/// manifest's and the report's).
pub fn percentiles_text(method: QuantileMethod) -> String {
    match method {
        QuantileMethod::Exact => "exact: every replication's value kept, percentiles by linear interpolation between order statistics (Hyndman & Fan type 7; a replication where a figure is undefined is left out), means summed in replication order".to_string(),
        QuantileMethod::Sketch => format!(
            "from a DDSketch per figure, because every replication's value would exceed the run's budget for kept values (--quantile-budget): each within {}% of the larger magnitude of the two neighbouring order statistics (2% of the largest magnitude in the figure at worst), clamped into the exact range of the replications; means exact to a millionth",
            100.0 * crate::stats::sketch::RELATIVE_ACCURACY
        ),
    }
}

/// How a run was executed: what differs between equivalent runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// Worker threads (the most any shard used).
    pub threads: usize,
    /// Shards merged into the result.
    pub shards: usize,
    /// Wall-clock seconds of the simulation, summed over shards.
    pub wall_seconds: f64,
    /// Encounters simulated per wall-clock second.
    pub encounters_per_second: f64,
}

impl RunManifest {
    /// The manifest of `r`; `with_execution` adds what differs between equivalent runs
    /// (threads, shards, wall time, command); it is false when comparing runs byte for byte.
    pub fn of(r: &RunResult, with_execution: bool) -> RunManifest {
        RunManifest {
            header: ManifestHeader::new(r.options.seed, r.interrupted_at.is_none(), with_execution),
            scenario_file: r.provenance.file.clone(),
            scenario_sha256: r.provenance.sha256.clone(),
            replications: r.options.replications,
            replications_done: r.options.replications,
            replications_requested: r.interrupted_at,
            weeks: r.options.weeks,
            arms: r.arms.iter().map(|a| a.name.clone()).collect(),
            encounters: r.encounters,
            percentiles: percentiles_text(r.quantile_method),
            quantile_method: r.quantile_method,
            money_unit: "currency units; the ledger is kept in integer cents".to_string(),
            execution: with_execution.then(|| Execution {
                threads: r.threads,
                shards: r.shards,
                wall_seconds: r.wall_seconds,
                encounters_per_second: r.encounters as f64 / r.wall_seconds.max(1e-9),
            }),
            scenario: r.scenario.clone(),
        }
    }

    /// The manifest as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }
}

/// Writes a shard's result (`partial.json`) into `dir`, for `chainsim merge`: with exact
/// percentiles, every replication's value as its bits (streamed, so the file's text is never
/// held in memory at once).
///
/// # Errors
///
/// [`FileError::Write`] naming what could not be written.
pub fn write_run_shard(p: &RunShard, dir: &Path) -> Result<PathBuf, FileError> {
    files::create_dir(dir)?;
    let path = dir.join(PARTIAL_FILE);
    // Sealed with a checksum of its content and identity, which merge verifies; streamed.
    files::write_atomic_with(&path, |w| crate::runner::shard_check::seal_to(p, w))?;
    Ok(path)
}

/// Writes every file of a run into `dir` (created if needed) and returns their paths, in the
/// order written.
///
/// # Errors
///
/// [`ReportError`] naming what could not be written or drawn.
pub fn write_run(r: &RunResult, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    files::create_dir(dir)?;
    // A merged run may not have the text; the resolved scenario stands in for it.
    let text = if r.provenance.text.is_empty() {
        r.scenario.resolved_ron()
    } else {
        r.provenance.text.clone()
    };
    let mut written = Vec::new();
    let path = dir.join(WEEKLY_FILE);
    files::write_atomic(&path, weekly_csv(r).as_bytes())?;
    written.push(path);
    // A row per replication: streamed, its text never held.
    let path = dir.join(REPLICATIONS_FILE);
    files::write_atomic_with(&path, |w| write_replications_csv(r, w))?;
    written.push(path);
    let texts = [
        (MANIFEST_FILE, RunManifest::of(r, true).to_json()),
        (SCENARIO_FILE, text),
    ];
    for (name, text) in texts {
        let path = dir.join(name);
        files::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    charts::charts(r, dir)?;
    written.extend(["profit.png", "profit.svg", "chain.png", "chain.svg"].map(|f| dir.join(f)));
    if r.arms.len() > 1 {
        let path = dir.join(COMPARISON_FILE);
        files::write_atomic(&path, comparison_csv(r).as_bytes())?;
        written.push(path);
        charts::comparison_charts(r, dir)?;
        written.extend(
            [
                "arms.png",
                "arms.svg",
                "delta.png",
                "delta.svg",
                "roi.png",
                "roi.svg",
            ]
            .map(|f| dir.join(f)),
        );
    }
    written.push(html::write(dir)?);
    Ok(written)
}
