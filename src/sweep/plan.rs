//! The points a design runs, and the check that every one of them is a valid scenario before
//! anything runs.

use super::design;
use super::{Design, Factor, Sweep, SweepError, problem};
use crate::scenario::param::Problem;

/// One point of the sweep: the factors' values (None: the base scenario's value).
#[derive(Debug, Clone)]
pub(super) struct Point {
    pub(super) values: Vec<Option<f64>>,
    /// Unit coordinates, for the estimators that need them.
    pub(super) unit: Vec<f64>,
}

impl Point {
    /// The factors this point sets, as `(factor, value)`.
    pub(super) fn set(&self) -> Vec<(usize, f64)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect()
    }
}

/// What the estimators need to know of the plan besides its points.
#[derive(Debug, Clone)]
pub(super) enum PlanShape {
    /// A grid: the values each factor takes.
    Grid(Vec<Vec<f64>>),
    /// The base point, then each factor at its low and its high end.
    OneAtATime,
    /// Points spread over the factors' box (a Latin hypercube).
    Scatter,
    /// Morris trajectories, in unit coordinates.
    Morris(Vec<Vec<Vec<f64>>>),
    /// Saltelli's points for Sobol' indices, with the bootstrap resamples asked for.
    Sobol { bootstrap: usize },
}

/// A design's points, in the order they are numbered, and its shape.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) points: Vec<Point>,
    pub(super) shape: PlanShape,
}

impl Sweep {
    /// The design's points. Deterministic in the sweep's seed.
    pub(super) fn plan(&self) -> Plan {
        let f = &self.file;
        let k = f.factors.len();
        let mut rng = design::design_rng(self.seed());
        let from_unit = |u: &[f64]| Point {
            values: (0..k).map(|i| Some(f.factors[i].at_unit(u[i]))).collect(),
            unit: u.to_vec(),
        };
        let (points, shape) = match f.design {
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
        };
        Plan { points, shape }
    }

    /// Checks the scenarios the design runs. Each factor's bounds are checked when the file is
    /// read, but factors can clash in combination (`customers_per_site` above
    /// `market_per_site`): such designs are refused here, before anything runs. Every rule and
    /// relation a scenario must satisfy is a linear inequality in its numbers, so the valid
    /// scenarios form a convex set: when every corner of the factors' box is valid, so is every
    /// point inside. The corners are checked (or the points, when there are fewer of them).
    /// Once passed, the check is not repeated.
    ///
    /// # Errors
    ///
    /// [`SweepError::Invalid`] listing the first few bad corners or points with their problems.
    pub fn check_points(&self) -> Result<(), SweepError> {
        if self.points_checked.get().is_some() {
            return Ok(());
        }
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
                    .points
                    .iter()
                    .enumerate()
                    .map(|(p, point)| (format!("point {p}"), point.set()))
                    .collect()
            };
        let mut problems: Vec<Problem> = Vec::new();
        let mut bad = 0usize;
        for (what, set) in &candidates {
            let found: Vec<String> = match self.scenario_at(set) {
                Ok(s) => s
                    .problems()
                    .into_iter()
                    .map(|x| format!("{}: {}", x.path, x.message))
                    .collect(),
                Err(e) => vec![e.to_string()],
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
                problems.push(problem(
                    format!("{what} ({})", values.join(", ")),
                    format!("expected a valid scenario, found: {}", found.join("; ")),
                ));
            }
        }
        if bad == 0 {
            let _ = self.points_checked.set(());
            return Ok(());
        }
        if bad > problems.len() {
            problems.push(problem(
                "factors",
                format!(
                    "{} more like these; the factors clash in combination: narrow their ranges",
                    bad - problems.len()
                ),
            ));
        }
        Err(SweepError::Invalid {
            file: self.label.clone(),
            problems,
        })
    }
}
