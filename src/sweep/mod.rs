//! Sensitivity sweeps: which assumptions drive the answer. A sweep file (RON) names a base
//! scenario, the factors (parameter paths with levels or ranges), the design, the replications
//! per point and the outputs. Every point runs on common random numbers (replication i sees the
//! same seeds at every point), finished points go to a sink as they complete (the report
//! streams them to `sweep.csv`), and the design's estimator turns the points into sensitivity
//! indices with confidence intervals.
//!
//! The sweep computes and never writes: `report::sweep` formats its results.
//!
//! - [`mod@file`]: the sweep file's types; [`Sweep`] (here): the file read and checked.
//! - `plan`: the points a design runs; `run`: running them on [`crate::runner::replicate()`].
//! - `estimate`: indices, intervals and where the better arm changes; [`design`]: the designs'
//!   pure mathematics.
//! - [`result`]: what a sweep returns; [`shard`]: a share of a sweep, and the merge.

pub mod design;
mod estimate;
pub mod file;
mod plan;
pub mod result;
mod run;
pub mod shard;

use std::path::Path;
use std::sync::OnceLock;

use crate::runner::MergeError;
use crate::scenario::param::Problem;
use crate::scenario::path::{PathError, ScenarioTree};
use crate::scenario::{Scenario, ScenarioError};

pub use crate::model::Better;
pub use file::{Base, Design, Distribution, Factor, MEASURES, Output, SweepFile};
pub use result::{
    ArmChoice, IntervalMethod, LevelMean, PointOutput, PointResult, SensitivityIndex, SweepResult,
};
pub use run::PointSink;
pub use shard::{SWEEP_PARTIAL_FILE, ShardPoint, SweepShard};

/// The most points a sweep design may have.
pub const MAX_POINTS: usize = 1_000_000;

/// The most replications per point: each block of points holds its replications' values.
pub const MAX_REPLICATIONS_PER_POINT: u32 = 10_000;

/// The most per-replication values a sweep keeps (points x replications x outputs, 2 GiB): the
/// intervals resample replications, so every value is kept until the sweep ends.
pub const MAX_KEPT_VALUES: u64 = 1 << 28;

/// Why a sweep could not be used or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// The sweep file could not be read: it is missing or unreadable.
    #[error("{file}: cannot read sweep file: {source}")]
    Read {
        /// The path as given.
        file: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not valid RON for a sweep (syntax, unknown field, wrong type); reading stops
    /// at the first such error.
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        /// The path as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// The base scenario cannot be used (unreadable, or not a valid scenario).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The sweep's contents make no sense; every problem is listed, each located in the sweep
    /// file (`factors[1]`, `outputs[0].measure`, `design`, or a corner of the factors' box).
    #[error("{file}: the sweep is not valid:\n{}", lines(.problems))]
    Invalid {
        /// The sweep file.
        file: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// Shards given to a merge do not make one whole sweep.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// A finished point could not be handed on (the sink, which writes it, failed); the points
    /// before it were.
    #[error(transparent)]
    Sink(crate::files::FileError),
}

fn lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
    }
}

/// A sweep ready to run: the file, its base scenario, and the base opened for setting factors.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file.
    pub file: SweepFile,
    /// Where it came from.
    pub label: String,
    /// The base scenario.
    pub base: Scenario,
    tree: ScenarioTree,
    /// Set once the design's points have been found valid ([`Sweep::check_points`]).
    points_checked: OnceLock<()>,
}

impl Sweep {
    /// Reads and checks a sweep file: every problem is reported at once, before anything runs.
    ///
    /// # Errors
    ///
    /// [`SweepError`] with the file and every problem found.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let label = path.display().to_string();
        let text = crate::files::read_text(path).map_err(|source| SweepError::Read {
            file: label.clone(),
            source,
        })?;
        Sweep::parse(&text, &label, path.parent().unwrap_or(Path::new(".")))
    }

    /// Parses sweep text; `dir` resolves a base scenario's relative path.
    ///
    /// # Errors
    ///
    /// As for [`Sweep::load`].
    pub fn parse(text: &str, label: &str, dir: &Path) -> Result<Sweep, SweepError> {
        let options = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        let file: SweepFile = options.from_str(text).map_err(|e| {
            match crate::scenario::syntax_error(text, label, &e) {
                ScenarioError::Syntax {
                    file,
                    line,
                    col,
                    message,
                } => SweepError::Syntax {
                    file,
                    line,
                    col,
                    message,
                },
                other => SweepError::Scenario(other),
            }
        })?;
        let base = match &file.base {
            Base::File(p) => Scenario::load(&dir.join(p))?,
            Base::BuiltIn => Scenario::built_in(),
            Base::Inline(s) => {
                let problems = s.problems();
                if !problems.is_empty() {
                    return Err(SweepError::Invalid {
                        file: label.to_string(),
                        problems: problems
                            .into_iter()
                            .map(|p| problem(format!("base.{}", p.path), p.message))
                            .collect(),
                    });
                }
                (**s).clone()
            }
        };
        let sweep = Sweep::from_parts(file, base, label.to_string());
        let problems = sweep.problems();
        if problems.is_empty() {
            Ok(sweep)
        } else {
            Err(SweepError::Invalid {
                file: label.to_string(),
                problems,
            })
        }
    }

    /// A sweep from its file and an already loaded base scenario (as a shard recorded them).
    pub(crate) fn from_parts(file: SweepFile, base: Scenario, label: String) -> Sweep {
        Sweep {
            tree: ScenarioTree::new(&base),
            file,
            label,
            base,
            points_checked: OnceLock::new(),
        }
    }

    /// Every problem with the sweep's contents, each located.
    fn problems(&self) -> Vec<Problem> {
        let f = &self.file;
        let mut problems = Vec::new();
        if let Some(message) = crate::files::name_problem(&f.name, true) {
            problems.push(problem("name", message));
        }
        if f.factors.is_empty() {
            problems.push(problem(
                "factors",
                "expected at least one factor, found none",
            ));
        }
        if f.replications < 2 {
            problems.push(problem(
                "replications",
                format!(
                    "expected at least 2 (replication noise needs two), found {}",
                    f.replications
                ),
            ));
        }
        for (i, factor) in f.factors.iter().enumerate() {
            self.factor_problems(i, factor, &mut problems);
        }
        let names: Vec<&str> = self.base.arms.iter().map(|a| a.name.as_str()).collect();
        if f.outputs.is_empty() {
            problems.push(problem(
                "outputs",
                "expected at least one output, found none",
            ));
        }
        for (i, o) in f.outputs.iter().enumerate() {
            for arm in std::iter::once(&o.arm).chain(o.against.iter()) {
                if !names.contains(&arm.as_str()) {
                    problems.push(problem(
                        format!("outputs[{i}]"),
                        format!(
                            "expected an arm of the base scenario ({}), found `{arm}`",
                            names.join(", ")
                        ),
                    ));
                }
            }
            if !o.measure_is_known() {
                problems.push(problem(
                    format!("outputs[{i}].measure"),
                    format!(
                        "expected one of {} or a metric of weekly.csv, found `{}`",
                        file::measure_names().join(", "),
                        o.measure
                    ),
                ));
            }
        }
        self.design_problems(&mut problems);
        if f.replications > MAX_REPLICATIONS_PER_POINT {
            problems.push(problem(
                "replications",
                format!(
                    "expected at most {MAX_REPLICATIONS_PER_POINT} per point, found {}",
                    f.replications
                ),
            ));
        }
        if let Some(w) = f.weeks
            && !(1..=crate::scenario::MAX_WEEKS).contains(&w)
        {
            problems.push(problem(
                "weeks",
                format!("expected 1 to {}, found {w}", crate::scenario::MAX_WEEKS),
            ));
        }
        problems
    }

    /// The problems of factor `i`: its path, its values, and whether each bound keeps the
    /// scenario valid (refused before anything runs).
    fn factor_problems(&self, i: usize, factor: &Factor, problems: &mut Vec<Problem>) {
        let at = format!("factors[{i}]");
        let name = format!("`{}`", factor.path);
        if let Err(e) = self.tree.get(&factor.path) {
            problems.push(problem(at, e.to_string()));
            return;
        }
        match (&factor.levels, factor.low, factor.high) {
            (Some(levels), None, None) => {
                if levels.is_empty() || levels.iter().any(|x| !x.is_finite()) {
                    problems.push(problem(
                        at,
                        format!(
                            "{name}: levels: expected one or more finite numbers, found {levels:?}"
                        ),
                    ));
                    return;
                }
            }
            (None, Some(lo), Some(hi)) => {
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    problems.push(problem(
                        at,
                        format!("{name}: expected finite low < high, found low {lo}, high {hi}"),
                    ));
                    return;
                }
                if factor.distribution == Distribution::LogUniform && lo <= 0.0 {
                    problems.push(problem(
                        at,
                        format!("{name}: LogUniform needs low > 0, found low {lo}"),
                    ));
                    return;
                }
            }
            _ => {
                problems.push(problem(
                    at,
                    format!("{name}: expected either `levels: [...]` or both `low` and `high`"),
                ));
                return;
            }
        }
        let (lo, hi) = factor.bounds();
        for (bound, value) in [("low", lo), ("high", hi)] {
            match self.scenario_at(&[(i, value)]) {
                Ok(s) => {
                    let bad: Vec<String> = s
                        .problems()
                        .into_iter()
                        .map(|p| format!("{}: {}", p.path, p.message))
                        .collect();
                    if !bad.is_empty() {
                        problems.push(problem(
                            &at,
                            format!(
                                "{name}: the {bound} bound {value} leaves the parameter's valid domain: {}",
                                bad.join("; ")
                            ),
                        ));
                    }
                }
                Err(e) => problems.push(problem(&at, format!("the {bound} bound {value}: {e}"))),
            }
        }
    }

    /// The problems of the design's size. Upper bounds keep a typo (1e9 levels) from planning or
    /// allocating before the point count is checked; the point count itself is bounded below.
    fn design_problems(&self, problems: &mut Vec<Problem>) {
        let mut size = |what: &str, found: usize, least: usize, most: usize| {
            if !(least..=most).contains(&found) {
                problems.push(problem(
                    "design",
                    format!("{what}: expected {least} to {most}, found {found}"),
                ));
            }
        };
        match self.file.design {
            Design::Grid { grid_levels } => size("grid_levels", grid_levels, 2, MAX_POINTS),
            Design::LatinHypercube { points } => size("points", points, 2, MAX_POINTS),
            Design::Morris {
                trajectories,
                levels,
            } => {
                size("trajectories", trajectories, 2, MAX_POINTS);
                size("levels", levels, 2, 1000);
            }
            Design::Sobol {
                base_samples,
                bootstrap,
            } => {
                size("base_samples", base_samples, 4, MAX_POINTS);
                size("bootstrap", bootstrap, 0, 100_000);
            }
            Design::OneAtATime => {}
        }
        let k = self.file.factors.len();
        let points = self.plan_size();
        if points > MAX_POINTS {
            let points = if points == usize::MAX {
                "too many".to_string()
            } else {
                points.to_string()
            };
            problems.push(problem(
                "design",
                format!(
                    "expected at most {MAX_POINTS} points, found {points} for {k} factors; shrink the design"
                ),
            ));
        } else if let Some(p) = self.kept_values_problem(self.file.replications) {
            problems.push(p);
        }
    }

    /// A problem if `replications` per point would keep more values than [`MAX_KEPT_VALUES`].
    fn kept_values_problem(&self, replications: u32) -> Option<Problem> {
        let kept = (self.plan_size() as u64)
            .saturating_mul(u64::from(replications))
            .saturating_mul(self.file.outputs.len() as u64);
        (kept > MAX_KEPT_VALUES).then(|| {
            problem(
                "design",
                format!(
                    "expected at most {MAX_KEPT_VALUES} values kept (points x replications x outputs), found {kept}; use fewer points, replications or outputs"
                ),
            )
        })
    }

    /// The scenario with factor `i` set to `value` for each `(i, value)`.
    fn scenario_at(&self, values: &[(usize, f64)]) -> Result<Scenario, PathError> {
        let set: Vec<(&str, f64)> = values
            .iter()
            .map(|&(i, v)| (self.file.factors[i].path.as_str(), v))
            .collect();
        self.tree.with(&set)
    }

    /// The largest scenario the sweep runs, for the memory check: every factor at its high
    /// end (sizes only grow with a factor's value) and the sweep's horizon.
    pub fn heaviest(&self) -> Scenario {
        let highs: Vec<(usize, f64)> = self
            .file
            .factors
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f.bounds().1))
            .collect();
        let mut s = self
            .scenario_at(&highs)
            .unwrap_or_else(|_| self.base.clone());
        s.weeks = self.file.weeks.unwrap_or(s.weeks);
        s
    }

    /// Factor `i`'s value in the base scenario.
    fn base_value(&self, i: usize) -> f64 {
        self.tree
            .get(&self.file.factors[i].path)
            .unwrap_or(f64::NAN)
    }

    /// Points the design has (`usize::MAX` if it overflows: saturating, so a huge design is
    /// refused rather than wrapped round to a small one).
    pub fn plan_size(&self) -> usize {
        let k = self.file.factors.len();
        match self.file.design {
            Design::Grid { grid_levels } => self
                .file
                .factors
                .iter()
                .map(|f| f.levels.as_ref().map_or(grid_levels, Vec::len))
                .fold(1usize, usize::saturating_mul),
            Design::OneAtATime => k.saturating_mul(2).saturating_add(1),
            Design::LatinHypercube { points } => points,
            Design::Morris { trajectories, .. } => trajectories.saturating_mul(k + 1),
            Design::Sobol { base_samples, .. } => base_samples.saturating_mul(k + 2),
        }
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.file.seed.unwrap_or(self.base.seed)
    }

    /// The digest shards of one sweep share: the sweep and its base scenario as resolved, with
    /// the seed and the replications (checked on their own) left out.
    fn input_digest(&self) -> String {
        let mut file = self.file.clone();
        file.seed = None;
        file.replications = 0;
        let text =
            serde_json::to_string(&(&file, self.base.resolved_ron())).expect("a sweep serialises");
        crate::scenario::provenance::sha256_hex(text.as_bytes())
    }
}
