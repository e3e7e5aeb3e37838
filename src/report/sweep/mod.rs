//! A sweep's files: `sweep.csv` (streamed as points finish, through [`PointCsv`]), `indices.csv`
//! as typed rows ([`IndexRow`], read back by `report.html`), the charts, `manifest.json`
//! ([`SweepManifest`]), a shard's `sweep_partial.json`, and what the command prints
//! ([`summary`], [`summary_json`]). The sweep computes; this module only writes.

mod charts;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::format::{csv_line, csv_num, csv_number};
use super::manifest::ManifestHeader;
use super::{ReportError, html};
use crate::files::{self, FileError, StreamedFile};
use crate::scenario::path;
use crate::sweep::{
    ArmChoice, Factor, IntervalMethod, PointResult, SWEEP_PARTIAL_FILE, SensitivityIndex,
    SweepFile, SweepResult, SweepShard,
};

pub use charts::ChartEntry;
pub use text::{
    ArmChoiceJson, OutputJson, SweepJson, arm_choice_sentence, index_figure, summary, summary_json,
};

/// Every point's factor values and outputs (mean, sd, 95% interval over replications).
pub const SWEEP_FILE: &str = "sweep.csv";
/// The sensitivity indices with their intervals.
pub const INDICES_FILE: &str = "indices.csv";
/// What was swept, how, and where the answer changes.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The confidence level of every interval a sweep reports.
pub const CONFIDENCE_LEVEL: f64 = 0.95;

/// The header of `sweep.csv`: `point`, each factor's path, then `<output>.mean`, `.sd`,
/// `.ci_lo` and `.ci_hi` for each output.
pub fn sweep_csv_header(file: &SweepFile) -> Vec<String> {
    let mut header = vec!["point".to_string()];
    header.extend(file.factors.iter().map(|x| x.path.clone()));
    for o in &file.outputs {
        let l = o.label();
        header.extend(["mean", "sd", "ci_lo", "ci_hi"].map(|s| format!("{l}.{s}")));
    }
    header
}

/// A row of `sweep.csv`: point `index`'s factor values and each output's mean, standard
/// deviation and 95% confidence interval over its replications (empty where undefined).
pub fn sweep_csv_row(index: usize, p: &PointResult) -> Vec<String> {
    let mut row = vec![index.to_string()];
    row.extend(p.values.iter().map(|v| csv_number(*v)));
    for o in &p.outputs {
        row.extend([o.mean, o.sd(), o.lo, o.hi].map(csv_number));
    }
    row
}

/// `sweep.csv` written as points finish: the sink a sweep hands its points to. The file is
/// `sweep.csv.partial` until [`PointCsv::finish`] renames it, so an interrupted or failed
/// sweep never leaves a `sweep.csv` that looks whole.
pub struct PointCsv {
    file: StreamedFile,
    path: PathBuf,
}

impl PointCsv {
    /// Starts `dir/sweep.csv` with its header.
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] if the file cannot be created.
    pub fn create(dir: &Path, sweep: &SweepFile) -> Result<PointCsv, FileError> {
        let path = dir.join(SWEEP_FILE);
        let mut file = StreamedFile::create(&path)?;
        file.line(&csv_line(&sweep_csv_header(sweep)))?;
        Ok(PointCsv { file, path })
    }

    /// Appends point `index` and pushes it to the disk, so a crash keeps it.
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] naming the file.
    pub fn point(&mut self, index: usize, p: &PointResult) -> Result<(), FileError> {
        self.file.line(&csv_line(&sweep_csv_row(index, p)))?;
        self.file.flush()
    }

    /// Renames the file into place as `sweep.csv`.
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] naming the file.
    pub fn finish(self) -> Result<PathBuf, FileError> {
        self.file.finish()?;
        Ok(self.path)
    }
}

/// `sweep.csv`'s text for a result held whole (a merge of shards).
pub fn sweep_csv(r: &SweepResult) -> String {
    let mut text = csv_line(&sweep_csv_header(&r.file)) + "\n";
    for (i, p) in r.points.iter().enumerate() {
        text.push_str(&csv_line(&sweep_csv_row(i, p)));
        text.push('\n');
    }
    text
}

/// A row of `indices.csv`: one index of one factor on one output, with its 95% confidence
/// interval and how that interval was computed (see [`IntervalMethod`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRow {
    /// The factor's scenario path.
    pub factor: String,
    /// The output's label.
    pub output: String,
    /// What is estimated (see [`SensitivityIndex::measure`]).
    pub measure: String,
    /// The estimate.
    #[serde(with = "csv_num")]
    pub estimate: f64,
    /// Lower end of the 95% confidence interval (empty where undefined).
    #[serde(with = "csv_num")]
    pub ci_lo: f64,
    /// Upper end.
    #[serde(with = "csv_num")]
    pub ci_hi: f64,
    /// How the interval was computed.
    pub interval: IntervalMethod,
}

impl IndexRow {
    /// The row of index `x`.
    pub fn of(x: &SensitivityIndex) -> IndexRow {
        IndexRow {
            factor: x.factor.clone(),
            output: x.output.clone(),
            measure: x.measure.clone(),
            estimate: x.estimate,
            ci_lo: x.lo,
            ci_hi: x.hi,
            interval: x.interval,
        }
    }
}

/// `indices.csv`'s text.
pub fn indices_csv(r: &SweepResult) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for x in &r.indices {
        // Writing to memory fails only on a row type that is not a flat record: a bug here.
        w.serialize(IndexRow::of(x))
            .expect("CSV rows are flat records");
    }
    String::from_utf8(w.into_inner().expect("writing to memory cannot fail"))
        .expect("CSV of strings is UTF-8")
}

/// `manifest.json` of a sweep: what was swept and how, whether it is complete, what each
/// interval is, and whether the better arm changes across each factor's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepManifest {
    /// Version, seed, generator, command, completeness.
    #[serde(flatten)]
    pub header: ManifestHeader,
    /// The sweep's name.
    pub sweep: String,
    /// The sweep file as given.
    pub sweep_file: String,
    /// What the sweep asks.
    pub description: String,
    /// The design, as written in Rust's notation (`Grid { grid_levels: 4 }`).
    pub design: String,
    /// The factors' scenario paths.
    pub factors: Vec<String>,
    /// The factors as the sweep file sets them.
    pub factor_settings: Vec<Factor>,
    /// Each factor's unit, from the scenario reference (null: none or not known).
    pub factor_units: Vec<Option<String>>,
    /// The outputs' labels.
    pub outputs: Vec<String>,
    /// Each output's unit.
    pub output_units: Vec<String>,
    /// Points in the outputs.
    pub points: usize,
    /// The same, for tools that read how far an interrupted sweep got.
    pub points_done: usize,
    /// Points planned, when the sweep was interrupted before them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_planned: Option<usize>,
    /// Replications per point.
    pub replications_per_point: u32,
    /// How the points share random numbers.
    pub common_random_numbers: String,
    /// Simulations run (points x replications x arms).
    pub simulations: u64,
    /// Wall-clock seconds (summed over shards).
    pub wall_seconds: f64,
    /// Per output: the share of the variance between points that is replication noise.
    pub noise_share: BTreeMap<String, Option<f64>>,
    /// The confidence level of every interval (0.95).
    pub confidence_level: f64,
    /// What each method named in `indices.csv`'s `interval` column is.
    pub intervals: BTreeMap<String, String>,
    /// For each paired output and factor: its mean across the factor's range.
    pub arm_choices: Vec<ArmChoice>,
    /// The charts drawn, in order.
    pub charts: Vec<ChartEntry>,
    /// Warnings for the reader.
    pub warnings: Vec<String>,
}

impl SweepManifest {
    /// The manifest of `r`, listing `charts`.
    pub fn of(r: &SweepResult, charts: Vec<ChartEntry>) -> SweepManifest {
        let f = &r.file;
        SweepManifest {
            header: ManifestHeader::new(r.seed, r.interrupted_at.is_none(), true),
            sweep: f.name.clone(),
            sweep_file: r.label.clone(),
            description: f.description.clone(),
            design: format!("{:?}", f.design),
            factors: r.factors.clone(),
            factor_settings: f.factors.clone(),
            factor_units: r.factors.iter().map(|p| path::unit(p)).collect(),
            outputs: r.outputs.clone(),
            output_units: f.outputs.iter().map(|o| o.unit().to_string()).collect(),
            points: r.points.len(),
            points_done: r.points.len(),
            points_planned: r.interrupted_at,
            replications_per_point: r.replications,
            common_random_numbers: "replication i uses the same seeds at every point".into(),
            simulations: r.simulations,
            wall_seconds: r.wall_seconds,
            noise_share: r
                .outputs
                .iter()
                .zip(&r.noise_share)
                .map(|(o, s)| (o.clone(), s.is_finite().then_some(*s)))
                .collect(),
            confidence_level: CONFIDENCE_LEVEL,
            intervals: IntervalMethod::ALL
                .iter()
                .map(|m| (m.name().to_string(), m.meaning().to_string()))
                .collect(),
            arm_choices: r.arm_choices.clone(),
            charts,
            warnings: r.warnings.clone(),
        }
    }

    /// The manifest as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }
}

/// Writes a sweep's files into `dir` (its `sweep.csv` is already there: streamed, or written
/// by [`write_sweep_csv`]): for a complete sweep `indices.csv` and the charts, then the manifest
/// and `report.html`. Returns the paths written, in order.
///
/// # Errors
///
/// [`ReportError`] naming what could not be written or drawn.
pub fn write_sweep(r: &SweepResult, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    files::create_dir(dir)?;
    let mut written = Vec::new();
    let mut drawn = Vec::new();
    if r.interrupted_at.is_none() {
        let path = dir.join(INDICES_FILE);
        files::write_atomic(&path, indices_csv(r).as_bytes())?;
        written.push(path);
        drawn = charts::draw(r, dir)?;
        for c in &drawn {
            written.extend(["png", "svg"].map(|ext| dir.join(format!("{}.{ext}", c.stem))));
        }
    }
    let path = dir.join(MANIFEST_FILE);
    files::write_atomic(&path, SweepManifest::of(r, drawn).to_json().as_bytes())?;
    written.push(path);
    written.push(html::write(dir)?);
    Ok(written)
}

/// Writes `sweep.csv` of a result held whole (a merge) into `dir`.
///
/// # Errors
///
/// [`FileError::Write`] naming the file.
pub fn write_sweep_csv(r: &SweepResult, dir: &Path) -> Result<PathBuf, FileError> {
    files::create_dir(dir)?;
    let path = dir.join(SWEEP_FILE);
    files::write_atomic(&path, sweep_csv(r).as_bytes())?;
    Ok(path)
}

/// Writes a sweep shard's result (`sweep_partial.json`) into `dir`, for `chainsim merge`.
///
/// # Errors
///
/// [`FileError::Write`] naming what could not be written.
pub fn write_sweep_shard(shard: &SweepShard, dir: &Path) -> Result<PathBuf, FileError> {
    files::create_dir(dir)?;
    let path = dir.join(SWEEP_PARTIAL_FILE);
    // Sealed with a checksum of its content and identity, which merge verifies.
    let text = crate::runner::shard_check::seal(shard);
    files::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// Reads a sweep shard's result from `dir`.
///
/// # Errors
///
/// [`FileError::Read`] naming the file, and where it is malformed or why it is refused (its
/// checksum: [`crate::runner::shard_check::open`]).
pub fn read_sweep_shard(dir: &Path) -> Result<(String, SweepShard), FileError> {
    let path = dir.join(SWEEP_PARTIAL_FILE);
    let text = files::read_text(&path).map_err(|e| FileError::read(&path, e))?;
    let label = path.display().to_string();
    let shard =
        crate::runner::shard_check::open(&text, &label, "a chainsim sweep shard").map_err(|e| {
            let message = e.to_string();
            let reason = message
                .strip_prefix(&format!("{label}: "))
                .unwrap_or(&message);
            FileError::read(&path, reason)
        })?;
    Ok((label, shard))
}
