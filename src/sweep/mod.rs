//! Sensitivity sweeps: which assumptions drive the answer. A sweep file (RON) names a base
//! scenario, the factors (parameter paths with levels or ranges), the design, the replications
//! per point and the outputs. Every point runs on common random numbers (replication i sees the
//! same seeds at every point), results stream to `sweep.csv` as points finish, and the design's
//! estimator turns point means into sensitivity indices.

pub mod design;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::files::{FileError, write_atomic};
use crate::model::{Metric, Replication, ReplicationOutcome};
use crate::report::ReportError;
use crate::report::plot::{self, IntervalRow, ScatterPoint};
use crate::runner::{Interrupt, ReplicationSummary, Shard, metric_mean};
use crate::scenario::{Scenario, ScenarioError};
use crate::stats::mean_interval;

/// Where the base scenario comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Base {
    /// A scenario file, relative to the sweep file's directory.
    File(String),
    /// A scenario written out in the sweep file itself (only what differs from the defaults).
    Inline(Box<Scenario>),
    /// The built-in default scenario.
    BuiltIn,
}

/// How a range factor's values are spread between `low` and `high`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Distribution {
    /// Evenly.
    #[default]
    Uniform,
    /// Evenly in the logarithm (for factors spanning orders of magnitude; `low` > 0).
    LogUniform,
}

/// One factor: a numeric parameter of the scenario and the values it takes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// Dotted path into the scenario, e.g. `employees.expected_tenure_weeks`,
    /// `sites.manager_quality.min` or `arms[2].interventions[0].lever.Tooling.amount`.
    pub path: String,
    /// Discrete levels (for grids and one-at-a-time: used as they are).
    #[serde(default)]
    pub levels: Option<Vec<f64>>,
    /// Lower end of a range.
    #[serde(default)]
    pub low: Option<f64>,
    /// Upper end of a range.
    #[serde(default)]
    pub high: Option<f64>,
    /// Spread of a range.
    #[serde(default)]
    pub distribution: Distribution,
}

/// The design of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Design {
    /// Every combination of levels (ranges: `grid_levels` evenly spread values).
    Grid {
        /// Values taken by each range factor.
        grid_levels: usize,
    },
    /// The base scenario, then each factor alone at its low and its high end (a tornado).
    OneAtATime,
    /// A Latin hypercube of `points` points.
    LatinHypercube {
        /// Points.
        points: usize,
    },
    /// Morris elementary effects: `trajectories` trajectories on a grid of `levels` levels.
    Morris {
        /// Trajectories (each k + 1 points).
        trajectories: usize,
        /// Grid levels (even, usually 4).
        levels: usize,
    },
    /// Sobol' first-order and total indices: Saltelli sampling with `base_samples` rows
    /// (`base_samples * (k + 2)` points), Jansen's estimators, `bootstrap` resamples.
    Sobol {
        /// Rows of each base matrix.
        base_samples: usize,
        /// Bootstrap resamples for the intervals.
        bootstrap: usize,
    },
}

/// A quantity the sweep reports at each point.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// The arm measured.
    pub arm: String,
    /// What is measured: a column of `replications.csv` (`npv`, `cumulative_profit`,
    /// `revenue`, `final_customers`, `mean_satisfaction`, `mean_morale`, `mean_isq`,
    /// `annual_turnover`, `annual_customer_churn`, `loss_service_share`, `mean_wait_minutes`),
    /// or any metric of `weekly.csv` (e.g. `retention_annualised`, `nps`), averaged over the weeks.
    #[serde(default = "default_measure")]
    pub measure: String,
    /// If set, the paired difference: `arm` minus this arm, replication by replication.
    #[serde(default)]
    pub against: Option<String>,
}

fn default_measure() -> String {
    "npv".to_string()
}

/// The measures an output can name.
pub const MEASURES: &[&str] = &[
    "npv",
    "cumulative_profit",
    "revenue",
    "final_customers",
    "mean_satisfaction",
    "mean_morale",
    "mean_isq",
    "annual_turnover",
    "annual_customer_churn",
    "loss_service_share",
    "mean_wait_minutes",
];

/// An output's value in one replication of one arm.
fn measure(s: &ReplicationSummary, out: &ReplicationOutcome, name: &str) -> f64 {
    if let Some(m) = weekly_metric(name) {
        return metric_mean(out, m);
    }
    match name {
        "npv" => s.npv,
        "cumulative_profit" => s.cumulative_profit,
        "revenue" => s.revenue,
        "final_customers" => s.final_customers,
        "mean_satisfaction" => s.mean_satisfaction,
        "mean_morale" => s.mean_morale,
        "mean_isq" => s.mean_isq,
        "annual_turnover" => s.annual_turnover,
        "annual_customer_churn" => s.annual_customer_churn,
        "loss_service_share" => s.loss_service_share,
        "mean_wait_minutes" => s.mean_wait_minutes,
        _ => f64::NAN,
    }
}

/// The weekly metric called `name`, if there is one.
fn weekly_metric(name: &str) -> Option<Metric> {
    Metric::all().into_iter().find(|m| m.name() == name)
}

impl Output {
    /// The output's column name, e.g. `npv[tooling-smile_training]`.
    pub fn label(&self) -> String {
        match &self.against {
            Some(b) => format!("{}[{}-{}]", self.measure, self.arm, b),
            None => format!("{}[{}]", self.measure, self.arm),
        }
    }
}

/// A sweep file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// Name (used for the default output directory).
    pub name: String,
    /// What the sweep asks, for reports.
    #[serde(default)]
    pub description: String,
    /// The base scenario.
    pub base: Base,
    /// The factors.
    pub factors: Vec<Factor>,
    /// The design.
    pub design: Design,
    /// Replications per point.
    #[serde(default = "default_replications")]
    pub replications: u32,
    /// Master seed (default: the base scenario's).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Horizon in weeks (default: the base scenario's).
    #[serde(default)]
    pub weeks: Option<u32>,
    /// The outputs.
    pub outputs: Vec<Output>,
}

fn default_replications() -> u32 {
    10
}

/// The most points a sweep design may have.
pub const MAX_POINTS: usize = 1_000_000;

/// The most replications per point: each block of points holds its replications' values.
pub const MAX_REPLICATIONS_PER_POINT: u32 = 10_000;

/// Why a sweep could not be used or run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file could not be read or parsed.
    #[error("{0}")]
    File(String),
    /// The base scenario is not valid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Problems with the sweep's contents, each located.
    #[error("{file}: the sweep is not valid:\n{}", .problems.join("\n"))]
    Invalid {
        /// The sweep file.
        file: String,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// Writing the results failed.
    #[error(transparent)]
    Write(#[from] ReportError),
}

/// A sweep ready to run: the file, its base scenario and the scenario as a JSON tree.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file.
    pub file: SweepFile,
    /// Where it came from.
    pub label: String,
    /// The base scenario.
    pub base: Scenario,
    base_tree: Value,
}

/// Numeric leaves of a JSON tree, as dotted paths with `[i]` for list items.
fn numeric_paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Number(_) => out.push(prefix.to_string()),
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                numeric_paths(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                numeric_paths(x, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The steps of a path: keys and list indices.
fn steps(path: &str) -> Option<Vec<Result<String, usize>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if key.is_empty() && rest.is_empty() {
            return None;
        }
        if !key.is_empty() {
            out.push(Ok(key.to_string()));
        }
        let mut rest = rest;
        while !rest.is_empty() {
            let (idx, after) = rest.split_once(']')?;
            out.push(Err(idx.parse().ok()?));
            rest = after.strip_prefix('[').unwrap_or(after);
            if !after.is_empty() && !after.starts_with('[') {
                return None;
            }
        }
    }
    Some(out)
}

/// The JSON pointer of a dotted path (`a.b[2].c` is `/a/b/2/c`).
fn pointer(path: &str) -> Option<String> {
    Some(
        steps(path)?
            .into_iter()
            .map(|s| match s {
                Ok(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
                Err(i) => format!("/{i}"),
            })
            .collect(),
    )
}

fn leaf_mut<'a>(tree: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    tree.pointer_mut(&pointer(path)?).filter(|v| v.is_number())
}

/// Levenshtein distance, for suggesting the closest valid paths.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

impl Sweep {
    /// Reads and checks a sweep file: every problem is reported at once, before anything runs.
    ///
    /// # Errors
    ///
    /// [`SweepError`] with the file and every problem found.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let label = path.display().to_string();
        let text = crate::files::read_text(path)
            .map_err(|e| SweepError::File(format!("{label}: cannot read sweep file: {e}")))?;
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
            SweepError::File(crate::scenario::syntax_error(text, label, &e).to_string())
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
                            .map(|p| format!("base.{}: {}", p.path, p.message))
                            .collect(),
                    });
                }
                (**s).clone()
            }
        };
        let base_tree = serde_json::to_value(&base).expect("a scenario serialises");
        let sweep = Sweep {
            file,
            label: label.to_string(),
            base,
            base_tree,
        };
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

    fn problems(&self) -> Vec<String> {
        let f = &self.file;
        let mut problems = Vec::new();
        let mut valid_paths = Vec::new();
        numeric_paths(&self.base_tree, "", &mut valid_paths);
        if f.factors.is_empty() {
            problems.push("factors: expected at least one factor, found none".to_string());
        }
        if f.replications < 2 {
            problems.push(format!(
                "replications: expected at least 2 (replication noise needs two), found {}",
                f.replications
            ));
        }
        for (i, factor) in f.factors.iter().enumerate() {
            let at = format!("factors[{i}] (`{}`)", factor.path);
            if !valid_paths.contains(&factor.path) {
                let mut near: Vec<(usize, &String)> = valid_paths
                    .iter()
                    .map(|p| (distance(&factor.path, p), p))
                    .collect();
                near.sort();
                let names: Vec<String> =
                    near.iter().take(3).map(|(_, p)| format!("`{p}`")).collect();
                problems.push(format!(
                    "{at}: no numeric parameter at this path; the closest valid paths are {}",
                    names.join(", ")
                ));
                continue;
            }
            match (&factor.levels, factor.low, factor.high) {
                (Some(levels), None, None) => {
                    if levels.is_empty() || levels.iter().any(|x| !x.is_finite()) {
                        problems.push(format!(
                            "{at}: levels: expected one or more finite numbers, found {levels:?}"
                        ));
                        continue;
                    }
                }
                (None, Some(lo), Some(hi)) => {
                    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                        problems.push(format!(
                            "{at}: expected finite low < high, found low {lo}, high {hi}"
                        ));
                        continue;
                    }
                    if factor.distribution == Distribution::LogUniform && lo <= 0.0 {
                        problems.push(format!("{at}: LogUniform needs low > 0, found low {lo}"));
                        continue;
                    }
                }
                _ => {
                    problems.push(format!(
                        "{at}: expected either `levels: [...]` or both `low` and `high`"
                    ));
                    continue;
                }
            }
            // Each bound must keep the scenario valid: refused before anything runs.
            let (lo, hi) = factor.bounds();
            for (name, value) in [("low", lo), ("high", hi)] {
                match self.scenario_at(&[(i, value)]) {
                    Ok(s) => {
                        let bad: Vec<String> = s
                            .problems()
                            .into_iter()
                            .map(|p| format!("{}: {}", p.path, p.message))
                            .collect();
                        if !bad.is_empty() {
                            problems.push(format!(
                                "{at}: the {name} bound {value} leaves the parameter's valid domain: {}",
                                bad.join("; ")
                            ));
                        }
                    }
                    Err(e) => problems.push(format!("{at}: the {name} bound {value}: {e}")),
                }
            }
        }
        let names: Vec<&str> = self.base.arms.iter().map(|a| a.name.as_str()).collect();
        if f.outputs.is_empty() {
            problems.push("outputs: expected at least one output, found none".to_string());
        }
        for (i, o) in f.outputs.iter().enumerate() {
            for arm in std::iter::once(&o.arm).chain(o.against.iter()) {
                if !names.contains(&arm.as_str()) {
                    problems.push(format!(
                        "outputs[{i}]: expected an arm of the base scenario ({}), found `{arm}`",
                        names.join(", ")
                    ));
                }
            }
            if !MEASURES.contains(&o.measure.as_str()) && weekly_metric(&o.measure).is_none() {
                problems.push(format!(
                    "outputs[{i}].measure: expected one of {} or a metric of weekly.csv, found `{}`",
                    MEASURES.join(", "),
                    o.measure
                ));
            }
        }
        let k = f.factors.len();
        let mut size = |what: &str, found: usize, least: usize, most: usize| {
            if !(least..=most).contains(&found) {
                problems.push(format!(
                    "design: {what}: expected {least} to {most}, found {found}"
                ));
            }
        };
        // Upper bounds keep a typo (1e9 levels) from planning or allocating before the point
        // count is checked; the point count itself is bounded below.
        match f.design {
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
        if f.replications > MAX_REPLICATIONS_PER_POINT {
            problems.push(format!(
                "replications: expected at most {MAX_REPLICATIONS_PER_POINT} per point, found {}",
                f.replications
            ));
        }
        if let Some(w) = f.weeks
            && !(1..=crate::scenario::MAX_WEEKS).contains(&w)
        {
            problems.push(format!(
                "weeks: expected 1 to {}, found {w}",
                crate::scenario::MAX_WEEKS
            ));
        }
        let points = self.plan_size();
        if points > MAX_POINTS {
            let points = if points == usize::MAX {
                "too many".to_string()
            } else {
                points.to_string()
            };
            problems.push(format!(
                "design: expected at most {MAX_POINTS} points, found {points} for {k} factors; shrink the design"
            ));
        }
        problems
    }

    /// The scenario with factor `i` set to `value` for each `(i, value)`.
    fn scenario_at(&self, values: &[(usize, f64)]) -> Result<Scenario, String> {
        let mut tree = self.base_tree.clone();
        for &(i, value) in values {
            let path = &self.file.factors[i].path;
            let leaf = leaf_mut(&mut tree, path).ok_or_else(|| format!("no parameter `{path}`"))?;
            *leaf = if leaf.is_u64() || leaf.is_i64() {
                Value::from(value.round() as i64)
            } else {
                Value::from(value)
            };
        }
        serde_json::from_value(tree).map_err(|e| format!("the value does not fit: {e}"))
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

    fn base_value(&self, i: usize) -> f64 {
        pointer(&self.file.factors[i].path)
            .and_then(|p| self.base_tree.pointer(&p))
            .and_then(Value::as_f64)
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
}

impl Factor {
    /// The lowest and highest value the factor takes.
    fn bounds(&self) -> (f64, f64) {
        match &self.levels {
            Some(l) => (
                l.iter().copied().fold(f64::INFINITY, f64::min),
                l.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
            None => (self.low.unwrap_or(0.0), self.high.unwrap_or(0.0)),
        }
    }

    /// The value at `u` in [0, 1] (levels: the level whose stratum holds `u`).
    fn at_unit(&self, u: f64) -> f64 {
        match &self.levels {
            Some(l) => l[((u * l.len() as f64) as usize).min(l.len() - 1)],
            None => {
                let (lo, hi) = self.bounds();
                match self.distribution {
                    Distribution::Uniform => lo + (hi - lo) * u,
                    Distribution::LogUniform => (lo.ln() + (hi.ln() - lo.ln()) * u).exp(),
                }
            }
        }
    }

    /// The values a grid uses.
    fn grid_values(&self, n: usize) -> Vec<f64> {
        match &self.levels {
            Some(l) => l.clone(),
            None => (0..n)
                .map(|j| self.at_unit(j as f64 / (n - 1) as f64))
                .collect(),
        }
    }
}

/// One point of the sweep: the factors' values (None: the base scenario's value).
#[derive(Debug, Clone)]
struct Point {
    values: Vec<Option<f64>>,
    /// Unit coordinates, for the estimators that need them.
    unit: Vec<f64>,
}

impl Point {
    /// The factors this point sets, as `(factor, value)`.
    fn set(&self) -> Vec<(usize, f64)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect()
    }
}

/// A point's result: per output, the per-replication values' mean, variance and interval.
#[derive(Debug, Clone, Serialize)]
pub struct PointResult {
    /// Factor values (the base value where a factor is not set).
    pub values: Vec<f64>,
    /// Per output: mean over replications.
    pub mean: Vec<f64>,
    /// Per output: sample variance over replications.
    pub variance: Vec<f64>,
    /// Per output: 95% interval of the mean.
    pub interval: Vec<(f64, f64)>,
}

/// The whole sweep's result.
#[derive(Debug, Clone)]
pub struct SweepResult {
    /// Output labels.
    pub outputs: Vec<String>,
    /// Factor paths.
    pub factors: Vec<String>,
    /// Every point, in design order.
    pub points: Vec<PointResult>,
    /// Rows of `indices.csv`: factor, output, measure, estimate, lo, hi.
    pub indices: Vec<(String, String, String, f64, f64, f64)>,
    /// Per output: the share of the variance of point means that is replication noise.
    pub noise_share: Vec<f64>,
    /// Warnings for the reader (too few replications, ...).
    pub warnings: Vec<String>,
    /// Replications per point.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// Wall time, seconds.
    pub wall_seconds: f64,
    /// Simulations run (points x replications x arms).
    pub simulations: u64,
    /// If the sweep was interrupted: the points it was to run (`points` holds those completed,
    /// in order). None: it ran to the end.
    pub interrupted_at: Option<usize>,
}

impl Sweep {
    fn plan(&self) -> (Vec<Point>, PlanShape) {
        let f = &self.file;
        let k = f.factors.len();
        let mut rng = design::design_rng(self.seed());
        let from_unit = |u: &[f64]| Point {
            values: (0..k).map(|i| Some(f.factors[i].at_unit(u[i]))).collect(),
            unit: u.to_vec(),
        };
        match f.design {
            Design::Grid { grid_levels } => {
                let values: Vec<Vec<f64>> = f
                    .factors
                    .iter()
                    .map(|x| x.grid_values(grid_levels))
                    .collect();
                let counts: Vec<usize> = values.iter().map(Vec::len).collect();
                let points = design::grid(&counts)
                    .into_iter()
                    .map(|idx| Point {
                        values: idx
                            .iter()
                            .enumerate()
                            .map(|(i, &j)| Some(values[i][j]))
                            .collect(),
                        unit: idx
                            .iter()
                            .enumerate()
                            .map(|(i, &j)| j as f64 / (counts[i] - 1).max(1) as f64)
                            .collect(),
                    })
                    .collect();
                (points, PlanShape::Grid(values))
            }
            Design::OneAtATime => {
                let mut points = vec![Point {
                    values: vec![None; k],
                    unit: vec![0.5; k],
                }];
                for i in 0..k {
                    let (lo, hi) = f.factors[i].bounds();
                    for (v, u) in [(lo, 0.0), (hi, 1.0)] {
                        let mut values = vec![None; k];
                        values[i] = Some(v);
                        let mut unit = vec![0.5; k];
                        unit[i] = u;
                        points.push(Point { values, unit });
                    }
                }
                (points, PlanShape::OneAtATime)
            }
            Design::LatinHypercube { points } => (
                design::latin_hypercube(points, k, &mut rng)
                    .iter()
                    .map(|u| from_unit(u))
                    .collect(),
                PlanShape::Scatter,
            ),
            Design::Morris {
                trajectories,
                levels,
            } => {
                let t = design::morris(trajectories, k, levels, &mut rng);
                let points = t.iter().flatten().map(|u| from_unit(u)).collect();
                (points, PlanShape::Morris(t))
            }
            Design::Sobol {
                base_samples,
                bootstrap,
            } => (
                design::saltelli(base_samples, k, &mut rng)
                    .iter()
                    .map(|u| from_unit(u))
                    .collect(),
                PlanShape::Sobol { bootstrap },
            ),
        }
    }

    /// Checks the scenarios the design runs. Each factor's bounds are checked when the file is
    /// read, but factors can clash in combination (`customers_per_site` above
    /// `market_per_site`): such designs are refused here, before anything runs. Every rule and
    /// relation a scenario must satisfy is a linear inequality in its numbers, so the valid
    /// scenarios form a convex set: when every corner of the factors' box is valid, so is every
    /// point inside. The corners are checked (or the points, when there are fewer of them).
    ///
    /// # Errors
    ///
    /// [`SweepError::Invalid`] listing the first few bad corners or points with their problems.
    pub fn check_points(&self) -> Result<(), SweepError> {
        let k = self.file.factors.len();
        let bounds: Vec<(f64, f64)> = self.file.factors.iter().map(Factor::bounds).collect();
        let candidates: Vec<(String, Vec<(usize, f64)>)> =
            if k < usize::BITS as usize - 1 && (1usize << k) <= self.plan_size() {
                (0..1usize << k)
                    .map(|c| {
                        let set = (0..k)
                            .map(|i| {
                                (
                                    i,
                                    if c >> i & 1 == 1 {
                                        bounds[i].1
                                    } else {
                                        bounds[i].0
                                    },
                                )
                            })
                            .collect();
                        (format!("corner {c}"), set)
                    })
                    .collect()
            } else {
                self.plan()
                    .0
                    .iter()
                    .enumerate()
                    .map(|(p, point)| (format!("point {p}"), point.set()))
                    .collect()
            };
        let mut problems = Vec::new();
        let mut bad = 0usize;
        for (what, set) in &candidates {
            let found: Vec<String> = match self.scenario_at(set) {
                Ok(s) => s
                    .problems()
                    .into_iter()
                    .map(|x| format!("{}: {}", x.path, x.message))
                    .collect(),
                Err(e) => vec![e],
            };
            if found.is_empty() {
                continue;
            }
            bad += 1;
            if problems.len() < 5 {
                let values: Vec<String> = set
                    .iter()
                    .map(|&(i, v)| format!("{} = {v}", self.file.factors[i].path))
                    .collect();
                problems.push(format!(
                    "{what} ({}): expected a valid scenario, found: {}",
                    values.join(", "),
                    found.join("; ")
                ));
            }
        }
        if bad == 0 {
            return Ok(());
        }
        if bad > problems.len() {
            problems.push(format!(
                "{} more like these; the factors clash in combination: narrow their ranges",
                bad - problems.len()
            ));
        }
        Err(SweepError::Invalid {
            file: self.label.clone(),
            problems,
        })
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.file.seed.unwrap_or(self.base.seed)
    }

    /// Runs the sweep with `replications` per point (overriding the file's if given), streaming
    /// each finished point's row to `out/sweep.csv.partial` and renaming it to `sweep.csv` at the
    /// end, then writes the indices, charts and manifest.
    ///
    /// # Errors
    ///
    /// [`SweepError::Write`] naming the path that could not be written.
    pub fn run(&self, replications: Option<u32>, out: &Path) -> Result<SweepResult, SweepError> {
        self.run_shard(replications, Shard::WHOLE, out, Interrupt::default())
    }

    /// Runs the points of one shard (point `p` belongs to shard `p % count + 1`). The whole sweep
    /// writes its outputs; a shard writes `sweep_partial.json` for [`merge`].
    ///
    /// When `interrupt` is requested, replications not yet started are skipped and the sweep
    /// keeps the points completed in order: a whole sweep renames them into `sweep.csv` and
    /// writes a manifest saying `"complete": false` (no indices or charts: the estimators need
    /// the whole design); a shard writes nothing. The result's `interrupted_at` says so.
    ///
    /// # Errors
    ///
    /// [`SweepError::Write`] naming the path that could not be written.
    pub fn run_shard(
        &self,
        replications: Option<u32>,
        shard: Shard,
        out: &Path,
        interrupt: Interrupt,
    ) -> Result<SweepResult, SweepError> {
        let started = std::time::Instant::now();
        let f = &self.file;
        let reps = replications.unwrap_or(f.replications).max(2);
        let seed = self.seed();
        let (points, shape) = self.plan();
        let weeks = f.weeks.unwrap_or(self.base.weeks);
        let arm_index = |name: &str| {
            self.base
                .arms
                .iter()
                .position(|a| a.name == name)
                .expect("outputs name arms (checked)")
        };
        let mut arms: Vec<usize> = f
            .outputs
            .iter()
            .flat_map(|o| {
                std::iter::once(arm_index(&o.arm)).chain(o.against.as_deref().map(arm_index))
            })
            .collect();
        arms.sort_unstable();
        arms.dedup();
        let k = f.factors.len();
        let base_values: Vec<f64> = (0..k).map(|i| self.base_value(i)).collect();
        let outputs = f.outputs.len();
        self.check_points()?;

        crate::files::create_dir(out).map_err(ReportError::from)?;
        let partial = out.join("sweep.csv.partial");
        let whole = shard == Shard::WHOLE;
        let mut csv = if whole {
            let mut w =
                std::io::BufWriter::new(std::fs::File::create(&partial).map_err(io(&partial))?);
            writeln!(w, "{}", csv_row(&self.header())).map_err(io(&partial))?;
            Some(w)
        } else {
            None
        };

        // Points run in chunks, replications in parallel; each chunk's rows are written before
        // the next starts, so memory holds one chunk of replications at a time.
        let owned: Vec<usize> = (0..points.len())
            .filter(|&p| shard.owns(p as u32))
            .collect();
        let mut results: Vec<(usize, PointResult)> = Vec::with_capacity(owned.len());
        let mut interrupted = false;
        for block in owned.chunks(16) {
            let scenarios: Vec<Scenario> = block
                .iter()
                .map(|&p| self.scenario_at(&points[p].set()))
                .collect::<Result<_, _>>()
                .map_err(|e| SweepError::File(format!("{}: {e}", self.label)))?;
            let jobs: Vec<(usize, u32)> = (0..block.len())
                .flat_map(|p| (0..reps).map(move |r| (p, r)))
                .collect();
            let values: Vec<Option<Vec<f64>>> = jobs
                .par_iter()
                .map(|&(p, r)| {
                    if interrupt.requested() {
                        return None;
                    }
                    let s = &scenarios[p];
                    let by_arm: BTreeMap<usize, (ReplicationSummary, ReplicationOutcome)> = arms
                        .iter()
                        .map(|&a| {
                            let o = Replication::new(s, seed, u64::from(r))
                                .arm(a)
                                .weeks(weeks)
                                .run();
                            (a, (ReplicationSummary::of(s, r, &o), o))
                        })
                        .collect();
                    let value = |arm: &str, name: &str| {
                        let (summary, outcome) = &by_arm[&arm_index(arm)];
                        measure(summary, outcome, name)
                    };
                    let row = f
                        .outputs
                        .iter()
                        .map(|o| {
                            let v = value(&o.arm, &o.measure);
                            match &o.against {
                                Some(b) => v - value(b, &o.measure),
                                None => v,
                            }
                        })
                        .collect();
                    Some(row)
                })
                .collect();
            for (j, &p) in block.iter().enumerate() {
                let Some(rows) = values[j * reps as usize..(j + 1) * reps as usize]
                    .iter()
                    .map(Option::as_ref)
                    .collect::<Option<Vec<&Vec<f64>>>>()
                else {
                    // Interrupted: keep only the points completed in order.
                    interrupted = true;
                    break;
                };
                let mut r = PointResult {
                    values: points[p]
                        .values
                        .iter()
                        .zip(&base_values)
                        .map(|(v, b)| v.unwrap_or(*b))
                        .collect(),
                    mean: Vec::new(),
                    variance: Vec::new(),
                    interval: Vec::new(),
                };
                for o in 0..outputs {
                    let i = mean_interval(rows.iter().map(|x| x[o]));
                    let var = rows.iter().map(|x| (x[o] - i.mean).powi(2)).sum::<f64>()
                        / (f64::from(reps) - 1.0);
                    r.mean.push(i.mean);
                    r.variance.push(var);
                    r.interval.push((i.lo, i.hi));
                }
                if let Some(w) = csv.as_mut() {
                    writeln!(w, "{}", csv_row(&row(p, &r))).map_err(io(&partial))?;
                }
                results.push((p, r));
            }
            if let Some(w) = csv.as_mut() {
                w.flush().map_err(io(&partial))?;
            }
            if interrupted {
                break;
            }
        }
        let simulations = (results.len() as u64) * u64::from(reps) * arms.len() as u64;
        if let Some(w) = csv {
            w.into_inner()
                .map_err(|e| io(&partial)(e.into_error()))?
                .sync_all()
                .map_err(io(&partial))?;
            std::fs::rename(&partial, out.join("sweep.csv")).map_err(io(&partial))?;
        } else if interrupted {
            // A shard merges only whole: nothing of it is written.
        } else {
            let part = SweepPartial {
                version: env!("CARGO_PKG_VERSION").to_string(),
                model_fingerprint: crate::runner::model_fingerprint(),
                label: self.label.clone(),
                sweep: self.file.clone(),
                base: self.base.clone(),
                replications: reps,
                shard,
                total_points: points.len(),
                simulations,
                wall_seconds: started.elapsed().as_secs_f64(),
                points: results
                    .iter()
                    .map(|(p, r)| PartialPoint::of(*p, r))
                    .collect(),
            };
            let text = serde_json::to_string(&part).expect("a partial serialises");
            write_atomic(&out.join(SWEEP_PARTIAL_FILE), text.as_bytes())
                .map_err(ReportError::from)?;
        }
        let mut result = SweepResult {
            outputs: f.outputs.iter().map(Output::label).collect(),
            factors: f.factors.iter().map(|x| x.path.clone()).collect(),
            points: results.into_iter().map(|(_, r)| r).collect(),
            indices: Vec::new(),
            noise_share: Vec::new(),
            warnings: Vec::new(),
            replications: reps,
            seed,
            wall_seconds: 0.0,
            simulations,
            interrupted_at: interrupted.then_some(owned.len()),
        };
        if whole && interrupted {
            result.wall_seconds = started.elapsed().as_secs_f64();
            self.write_manifest(&result, out)?;
        } else if whole {
            self.estimate(&points, &shape, &mut result);
            result.wall_seconds = started.elapsed().as_secs_f64();
            self.write(&shape, &result, out)?;
        } else {
            result.wall_seconds = started.elapsed().as_secs_f64();
        }
        Ok(result)
    }

    /// The header of `sweep.csv`.
    fn header(&self) -> Vec<String> {
        let mut header = vec!["point".to_string()];
        header.extend(self.file.factors.iter().map(|x| x.path.clone()));
        for o in &self.file.outputs {
            let l = o.label();
            header.extend([
                format!("{l}.mean"),
                format!("{l}.sd"),
                format!("{l}.ci_lo"),
                format!("{l}.ci_hi"),
            ]);
        }
        header
    }
}

/// One row of `sweep.csv`.
fn row(index: usize, r: &PointResult) -> Vec<String> {
    let mut row = vec![index.to_string()];
    row.extend(r.values.iter().map(|v| format!("{v}")));
    for o in 0..r.mean.len() {
        row.extend([
            format!("{}", r.mean[o]),
            format!("{}", r.variance[o].sqrt()),
            format!("{}", r.interval[o].0),
            format!("{}", r.interval[o].1),
        ]);
    }
    row
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ReportError + use<> {
    let path = path.to_path_buf();
    move |e: std::io::Error| FileError::write(&path, e).into()
}

/// The file a sweep shard writes.
pub const SWEEP_PARTIAL_FILE: &str = "sweep_partial.json";

/// A point's result kept exactly (as bit patterns, so NaN survives and merging is exact).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PartialPoint {
    index: usize,
    bits: Vec<u64>,
}

impl PartialPoint {
    fn of(index: usize, r: &PointResult) -> PartialPoint {
        let mut bits: Vec<u64> = r.values.iter().map(|x| x.to_bits()).collect();
        for o in 0..r.mean.len() {
            bits.extend(
                [r.mean[o], r.variance[o], r.interval[o].0, r.interval[o].1].map(f64::to_bits),
            );
        }
        PartialPoint { index, bits }
    }

    fn point(&self, factors: usize) -> PointResult {
        let x: Vec<f64> = self.bits.iter().map(|b| f64::from_bits(*b)).collect();
        let (values, rest) = x.split_at(factors.min(x.len()));
        PointResult {
            values: values.to_vec(),
            mean: rest.chunks(4).map(|c| c[0]).collect(),
            variance: rest.chunks(4).map(|c| c[1]).collect(),
            interval: rest.chunks(4).map(|c| (c[2], c[3])).collect(),
        }
    }
}

/// What a sweep shard writes: its points and everything needed to check and finish a merge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepPartial {
    version: String,
    model_fingerprint: String,
    label: String,
    sweep: SweepFile,
    base: Scenario,
    replications: u32,
    shard: Shard,
    total_points: usize,
    simulations: u64,
    wall_seconds: f64,
    points: Vec<PartialPoint>,
}

/// Combines the partial results of `sweep --shard` into exactly the files one sweep writes.
///
/// # Errors
///
/// [`SweepError::Invalid`] if the partials come from different sweeps, seeds, replications,
/// versions or builds, or if shards are missing or repeated; [`SweepError::Write`] if an output
/// cannot be written.
pub fn merge(parts: Vec<(String, SweepPartial)>, out: &Path) -> Result<SweepResult, SweepError> {
    let started = std::time::Instant::now();
    let Some((first_label, first)) = parts.first() else {
        return Err(SweepError::File(
            "merge: no partial sweep results given".into(),
        ));
    };
    let mut problems = Vec::new();
    let key = |p: &SweepPartial| {
        (
            serde_json::to_string(&p.sweep).unwrap_or_default(),
            serde_json::to_string(&p.base).unwrap_or_default(),
            p.replications,
            p.shard.count,
            p.total_points,
        )
    };
    for (label, p) in &parts {
        if p.version != first.version || p.model_fingerprint != first.model_fingerprint {
            problems.push(format!(
                "{label}: made by chainsim {} (model {}), but {first_label} by {} (model {}): expected one build",
                p.version, p.model_fingerprint, first.version, first.model_fingerprint
            ));
        } else if key(p) != key(first) {
            problems.push(format!(
                "{label}: a different sweep, base scenario, replications or shard count than {first_label}"
            ));
        }
    }
    let mut seen = vec![false; first.shard.count as usize];
    for (label, p) in &parts {
        let i = p.shard.index as usize - 1;
        if seen.get(i).copied().unwrap_or(true) {
            problems.push(format!(
                "{label}: shard {}/{} given twice",
                p.shard.index, p.shard.count
            ));
        } else {
            seen[i] = true;
        }
    }
    for (i, s) in seen.iter().enumerate() {
        if !s {
            problems.push(format!("shard {}/{} is missing", i + 1, first.shard.count));
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid {
            file: "merge".into(),
            problems,
        });
    }
    let sweep = Sweep::from_parts(first.sweep.clone(), first.base.clone(), first.label.clone());
    let k = sweep.file.factors.len();
    let mut points: Vec<PartialPoint> = parts.iter().flat_map(|(_, p)| p.points.clone()).collect();
    points.sort_by_key(|p| p.index);
    let (plan, shape) = sweep.plan();
    if points.len() != plan.len() || points.iter().enumerate().any(|(i, p)| p.index != i) {
        return Err(SweepError::Invalid {
            file: "merge".into(),
            problems: vec![format!(
                "expected points 0 to {} across the shards, found {}",
                plan.len() - 1,
                points.len()
            )],
        });
    }
    let results: Vec<PointResult> = points.iter().map(|p| p.point(k)).collect();
    crate::files::create_dir(out).map_err(ReportError::from)?;
    let mut csv = csv_row(&sweep.header());
    csv.push('\n');
    for (i, r) in results.iter().enumerate() {
        csv.push_str(&csv_row(&row(i, r)));
        csv.push('\n');
    }
    write_atomic(&out.join("sweep.csv"), csv.as_bytes()).map_err(ReportError::from)?;
    let mut result = SweepResult {
        outputs: sweep.file.outputs.iter().map(Output::label).collect(),
        factors: sweep.file.factors.iter().map(|x| x.path.clone()).collect(),
        points: results,
        indices: Vec::new(),
        noise_share: Vec::new(),
        warnings: Vec::new(),
        replications: first.replications,
        seed: sweep.seed(),
        wall_seconds: 0.0,
        simulations: parts.iter().map(|(_, p)| p.simulations).sum(),
        interrupted_at: None,
    };
    sweep.estimate(&plan, &shape, &mut result);
    result.wall_seconds =
        parts.iter().map(|(_, p)| p.wall_seconds).sum::<f64>() + started.elapsed().as_secs_f64();
    sweep.write(&shape, &result, out)?;
    Ok(result)
}

impl Sweep {
    /// A sweep from its file and an already loaded base scenario (as a shard recorded them).
    fn from_parts(file: SweepFile, base: Scenario, label: String) -> Sweep {
        let base_tree = serde_json::to_value(&base).expect("a scenario serialises");
        Sweep {
            file,
            label,
            base,
            base_tree,
        }
    }
}

/// What the estimators need to know of the plan.
enum PlanShape {
    Grid(Vec<Vec<f64>>),
    OneAtATime,
    Scatter,
    Morris(Vec<Vec<Vec<f64>>>),
    Sobol { bootstrap: usize },
}

fn csv_row(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| crate::report::format::csv_field(f))
        .collect::<Vec<_>>()
        .join(",")
}

impl Sweep {
    fn estimate(&self, points: &[Point], shape: &PlanShape, r: &mut SweepResult) {
        let k = r.factors.len();
        let reps = f64::from(r.replications);
        let mut rng = design::design_rng(r.seed ^ 0xB007);
        for (o, label) in r.outputs.iter().enumerate() {
            let y: Vec<f64> = r.points.iter().map(|p| p.mean[o]).collect();
            // Noise: the variance a point mean carries from its replications, against the
            // spread of point means the factors produce.
            let n = y.len() as f64;
            let my = y.iter().sum::<f64>() / n;
            let between = y.iter().map(|v| (v - my).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
            let noise = r.points.iter().map(|p| p.variance[o]).sum::<f64>() / n / reps;
            let share = if between > 0.0 {
                (noise / between).min(1.0)
            } else {
                f64::NAN
            };
            r.noise_share.push(share);
            if share > 0.2 {
                r.warnings.push(format!(
                    "{label}: replication noise is {:.0}% of the variance between points; raise the replications per point (now {}) before trusting the indices",
                    100.0 * share,
                    r.replications
                ));
            }
            let mut push = |factor: &str, what: &str, e: f64, lo: f64, hi: f64| {
                r.indices.push((
                    factor.to_string(),
                    label.clone(),
                    what.to_string(),
                    e,
                    lo,
                    hi,
                ));
            };
            match shape {
                PlanShape::OneAtATime => {
                    let base = y[0];
                    for i in 0..k {
                        let (lo, hi) = (y[1 + 2 * i], y[2 + 2 * i]);
                        let f = &r.factors[i];
                        push(
                            f,
                            "output_at_low",
                            lo,
                            r.points[1 + 2 * i].interval[o].0,
                            r.points[1 + 2 * i].interval[o].1,
                        );
                        push(
                            f,
                            "output_at_high",
                            hi,
                            r.points[2 + 2 * i].interval[o].0,
                            r.points[2 + 2 * i].interval[o].1,
                        );
                        push(f, "swing", hi - lo, f64::NAN, f64::NAN);
                        push(
                            f,
                            "base",
                            base,
                            r.points[0].interval[o].0,
                            r.points[0].interval[o].1,
                        );
                    }
                }
                PlanShape::Grid(values) => {
                    for (i, levels) in values.iter().enumerate() {
                        let means: Vec<f64> = levels
                            .iter()
                            .map(|v| {
                                let at: Vec<f64> = r
                                    .points
                                    .iter()
                                    .filter(|p| p.values[i] == *v)
                                    .map(|p| p.mean[o])
                                    .collect();
                                at.iter().sum::<f64>() / at.len().max(1) as f64
                            })
                            .collect();
                        let range = means.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                            - means.iter().copied().fold(f64::INFINITY, f64::min);
                        push(
                            &r.factors[i],
                            "main_effect_range",
                            range,
                            f64::NAN,
                            f64::NAN,
                        );
                    }
                }
                PlanShape::Scatter => {
                    let unit: Vec<Vec<f64>> = points.iter().map(|p| p.unit.clone()).collect();
                    for (i, c) in design::correlations(&unit, &y).iter().enumerate() {
                        push(&r.factors[i], "correlation", *c, f64::NAN, f64::NAN);
                    }
                }
                PlanShape::Morris(traj) => {
                    let per: Vec<Vec<f64>> = y.chunks(k + 1).map(<[f64]>::to_vec).collect();
                    let idx = design::morris_indices(traj, &per, 200, &mut rng);
                    for (i, m) in idx.iter().enumerate() {
                        push(
                            &r.factors[i],
                            "mu_star",
                            m.mu_star,
                            m.mu_star_lo,
                            m.mu_star_hi,
                        );
                        push(&r.factors[i], "mu", m.mu, f64::NAN, f64::NAN);
                        push(&r.factors[i], "sigma", m.sigma, f64::NAN, f64::NAN);
                    }
                }
                PlanShape::Sobol { bootstrap } => {
                    let idx = design::sobol_indices(&y, k, *bootstrap, &mut rng);
                    for (i, s) in idx.iter().enumerate() {
                        push(
                            &r.factors[i],
                            "first_order",
                            s.first,
                            s.first_lo,
                            s.first_hi,
                        );
                        push(&r.factors[i], "total", s.total, s.total_lo, s.total_hi);
                    }
                    let widest = idx
                        .iter()
                        .map(|s| s.first_hi - s.first_lo)
                        .fold(0.0f64, f64::max);
                    if widest > 0.3 {
                        r.warnings.push(format!(
                            "{label}: first-order Sobol' intervals are up to {widest:.2} wide at {} base samples; rank factors by the total indices, or raise base_samples",
                            points.len() / (k + 2)
                        ));
                    }
                }
            }
        }
    }

    fn write(&self, shape: &PlanShape, r: &SweepResult, out: &Path) -> Result<(), ReportError> {
        let mut idx = String::from("factor,output,measure,estimate,ci_lo,ci_hi\n");
        let num = |x: f64| {
            if x.is_finite() {
                format!("{x}")
            } else {
                String::new()
            }
        };
        for (f, o, m, e, lo, hi) in &r.indices {
            idx.push_str(&csv_row(&[
                f.clone(),
                o.clone(),
                m.clone(),
                num(*e),
                num(*lo),
                num(*hi),
            ]));
            idx.push('\n');
        }
        write_atomic(&out.join("indices.csv"), idx.as_bytes())?;
        let get = |f: &str, o: &str, m: &str| {
            r.indices
                .iter()
                .find(|x| x.0 == f && x.1 == o && x.2 == m)
                .map_or((f64::NAN, f64::NAN, f64::NAN), |x| (x.3, x.4, x.5))
        };
        // Charts for the first output (the question the sweep asks).
        let o = &r.outputs[0];
        match shape {
            PlanShape::OneAtATime => {
                let base = get(&r.factors[0], o, "base").0;
                let mut rows: Vec<IntervalRow> = r
                    .factors
                    .iter()
                    .map(|f| {
                        let (lo, hi) =
                            (get(f, o, "output_at_low").0, get(f, o, "output_at_high").0);
                        IntervalRow {
                            label: short(f),
                            estimate: hi - base,
                            lo: lo.min(hi) - base,
                            hi: lo.max(hi) - base,
                        }
                    })
                    .collect();
                rows.sort_by(|a, b| (a.hi - a.lo).total_cmp(&(b.hi - b.lo)));
                let finding = rows.last().map_or(String::new(), |top| {
                    format!(
                        "{} moves it most (by {} over its range); ",
                        top.label,
                        fmt(top.hi - top.lo)
                    )
                });
                plot::interval_chart(
                    out,
                    "tornado",
                    &format!("Tornado of {o}: {finding}base {}", fmt(base)),
                    "change from the base, low to high end of each factor (dot: high end)",
                    &rows,
                )?;
            }
            PlanShape::Grid(values) if values.len() == 2 => {
                let cells: Vec<Vec<f64>> = values[0]
                    .iter()
                    .map(|a| {
                        values[1]
                            .iter()
                            .map(|b| {
                                r.points
                                    .iter()
                                    .find(|p| p.values[0] == *a && p.values[1] == *b)
                                    .map_or(f64::NAN, |p| p.mean[0])
                            })
                            .collect()
                    })
                    .collect();
                let labels = |v: &[f64]| v.iter().map(|x| fmt(*x)).collect::<Vec<_>>();
                let axis = |i: usize| plot::HeatmapAxis {
                    label: short(&r.factors[i]),
                    levels: labels(&values[i]),
                };
                // The finding: where on the grid the output is highest.
                let mut best: Option<(usize, usize, f64)> = None;
                for (i, row) in cells.iter().enumerate() {
                    for (j, &v) in row.iter().enumerate() {
                        if v.is_finite() && best.is_none_or(|b| v > b.2) {
                            best = Some((i, j, v));
                        }
                    }
                }
                let finding = best.map_or(String::new(), |(i, j, v)| {
                    format!(
                        "highest ({}) at {} {} and {} {}; ",
                        fmt(v),
                        short(&r.factors[0]),
                        fmt(values[0][i]),
                        short(&r.factors[1]),
                        fmt(values[1][j])
                    )
                });
                plot::heatmap_chart(
                    out,
                    "heatmap",
                    &format!("{o}: {finding}mean of {} replications", r.replications),
                    &axis(0),
                    &axis(1),
                    &cells,
                )?;
            }
            PlanShape::Morris(_) => {
                let pts: Vec<ScatterPoint> = r
                    .factors
                    .iter()
                    .map(|f| ScatterPoint {
                        label: short(f),
                        x: get(f, o, "mu_star").0,
                        y: get(f, o, "sigma").0,
                    })
                    .collect();
                let finding = pts
                    .iter()
                    .filter(|p| p.x.is_finite())
                    .max_by(|a, b| a.x.total_cmp(&b.x))
                    .map_or(String::new(), |p| {
                        format!("{} matters most (mu* {})", p.label, fmt(p.x))
                    });
                plot::scatter_chart(
                    out,
                    "morris",
                    &format!("Morris screening of {o}: {finding}"),
                    "mu* (mean |elementary effect|, per unit of the factor's range)",
                    "sigma (spread of the effects: interactions, nonlinearity)",
                    &pts,
                )?;
            }
            PlanShape::Sobol { .. } => {
                let mut rows = Vec::new();
                for f in &r.factors {
                    for (m, tag) in [("first_order", "first-order"), ("total", "total")] {
                        let (e, lo, hi) = get(f, o, m);
                        rows.push(IntervalRow {
                            label: format!("{} ({tag})", short(f)),
                            estimate: e,
                            lo,
                            hi,
                        });
                    }
                }
                let finding = r
                    .factors
                    .iter()
                    .map(|f| (short(f), get(f, o, "total").0))
                    .filter(|x| x.1.is_finite())
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map_or(String::new(), |(f, t)| {
                        format!("{f} drives {:.0}% of its variance (total index)", 100.0 * t)
                    });
                plot::interval_chart(
                    out,
                    "sobol",
                    &format!("Sobol' indices of {o}: {finding}"),
                    "index (bootstrap 95% interval)",
                    &rows,
                )?;
            }
            _ => {}
        }
        self.write_manifest(r, out)
    }

    /// Writes `manifest.json`: what the sweep was, how it ran, and whether it is complete.
    fn write_manifest(&self, r: &SweepResult, out: &Path) -> Result<(), ReportError> {
        let mut manifest = serde_json::json!({
            "chainsim_version": env!("CARGO_PKG_VERSION"),
            "sweep": self.file.name,
            "sweep_file": self.label,
            "description": self.file.description,
            "design": format!("{:?}", self.file.design),
            "factors": r.factors,
            "factor_settings": self.file.factors,
            "outputs": r.outputs,
            "points": r.points.len(),
            "replications_per_point": r.replications,
            "seed": r.seed,
            "common_random_numbers": "replication i uses the same seeds at every point",
            "simulations": r.simulations,
            "wall_seconds": r.wall_seconds,
            "noise_share": r.outputs.iter().zip(&r.noise_share).map(|(o, s)| (o.clone(), *s)).collect::<BTreeMap<_, _>>(),
            "warnings": r.warnings,
            "command": crate::report::command_line(),
            "complete": r.interrupted_at.is_none(),
            "points_done": r.points.len(),
        });
        if let Some(planned) = r.interrupted_at {
            manifest["points_planned"] = serde_json::json!(planned);
        }
        write_atomic(
            &out.join("manifest.json"),
            serde_json::to_string_pretty(&manifest)
                .expect("JSON")
                .as_bytes(),
        )?;
        crate::report::html::write(out).map(|_| ())
    }
}

fn short(path: &str) -> String {
    path.rsplit('.').next().unwrap_or(path).to_string()
}

fn fmt(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x.abs() >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        let t = format!("{x:.3}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A plain-text summary of a sweep: the top drivers of each output.
pub fn summary(r: &SweepResult) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} points x {} replications ({} simulations) in {:.1} s",
        r.points.len(),
        r.replications,
        r.simulations,
        r.wall_seconds
    );
    for (o, label) in r.outputs.iter().enumerate() {
        let _ = writeln!(
            s,
            "{label}: replication noise {:.1}% of the variance between points",
            100.0 * r.noise_share[o]
        );
        // Rank by the design's headline measure.
        let headline = [
            "swing",
            "main_effect_range",
            "correlation",
            "mu_star",
            "total",
        ];
        let mut rows: Vec<&(String, String, String, f64, f64, f64)> = r
            .indices
            .iter()
            .filter(|x| &x.1 == label && headline.contains(&x.2.as_str()))
            .collect();
        rows.sort_by(|a, b| b.3.abs().total_cmp(&a.3.abs()));
        for x in rows.iter().take(5) {
            let ci = if x.4.is_finite() {
                format!(" [{}, {}]", fmt(x.4), fmt(x.5))
            } else {
                String::new()
            };
            let _ = writeln!(s, "  {:<48} {} {}{ci}", x.0, x.2, fmt(x.3));
        }
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

/// Where a sweep writes by default: `output/sweeps/<name>/`.
pub fn default_out(sweep: &Sweep) -> PathBuf {
    PathBuf::from("output")
        .join("sweeps")
        .join(&sweep.file.name)
}
