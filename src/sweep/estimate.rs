//! From the points to the answer: each design's sensitivity indices with a 95% confidence
//! interval for every one (the method of each is an [`IntervalMethod`], explained in
//! `docs/SWEEPS.md`), the share of replication noise, and, for each paired output, whether the
//! better arm changes across each factor's range.

use rand_xoshiro::Xoshiro256PlusPlus;

use super::design::{self, percentile_interval};
use super::plan::{Plan, PlanShape};
use super::{
    ArmChoice, IntervalMethod, LevelMean, PointResult, SensitivityIndex, Sweep, SweepResult,
};
use crate::stats::t_975;

/// Resamples of the bootstrap intervals the design does not set itself (grids over
/// replications, Morris over elementary effects): percentile intervals need about a thousand
/// for their 2.5% and 97.5% points to settle (Efron and Tibshirani 1993, ch. 19).
pub(crate) const BOOTSTRAP_RESAMPLES: usize = 1000;

/// Replications per point below which a bootstrap over replications has too few distinct
/// resamples to trust its tails (with 2 there are only 3).
const ROUGH_BOOTSTRAP_BELOW: u32 = 10;

/// Bands a spread-out design's points are grouped into along each factor, to read the better
/// arm's main effect (quarters of the factor's range).
const BANDS: usize = 4;

/// The 97.5% point of the standard normal.
const Z_975: f64 = 1.959_963_985;

/// Indices of one output as they are found.
struct Indices<'a> {
    out: &'a mut Vec<SensitivityIndex>,
    output: &'a str,
}

impl Indices<'_> {
    fn push(
        &mut self,
        factor: &str,
        measure: &str,
        estimate: f64,
        interval: (f64, f64),
        method: IntervalMethod,
    ) {
        self.out.push(SensitivityIndex {
            factor: factor.to_string(),
            output: self.output.to_string(),
            measure: measure.to_string(),
            estimate,
            lo: interval.0,
            hi: interval.1,
            interval: method,
        });
    }
}

/// The mean of the defined values (NaN if there are none).
fn finite_mean(x: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = x
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// The 95% interval of `centre`, a difference of means, from the paired differences
/// `high[r] - low[r]` (Student's t; NaN with fewer than two defined pairs).
fn paired_t(high: &[f64], low: &[f64], centre: f64) -> (f64, f64) {
    let d: Vec<f64> = high
        .iter()
        .zip(low)
        .map(|(h, l)| h - l)
        .filter(|x| x.is_finite())
        .collect();
    let n = d.len();
    if n < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = t_975(n - 1) * (var / n as f64).sqrt();
    (centre - half, centre + half)
}

/// The 95% interval of a correlation `r` over `n` points by Fisher's z transform (NaN for
/// fewer than four points).
fn fisher_z(r: f64, n: usize) -> (f64, f64) {
    if n < 4 || !r.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let z = r.clamp(-1.0, 1.0).atanh();
    let half = Z_975 / ((n - 3) as f64).sqrt();
    ((z - half).tanh(), (z + half).tanh())
}

/// The largest minus the smallest of the defined values.
fn range(means: &[f64]) -> f64 {
    means.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - means.iter().copied().fold(f64::INFINITY, f64::min)
}

impl Sweep {
    /// The sweep's result from its points (all of them, in design order, unless
    /// `interrupted_at`): indices, noise and arm choices are estimated only for a whole design.
    pub(super) fn result(
        &self,
        plan: &Plan,
        points: Vec<PointResult>,
        replications: u32,
        simulations: u64,
        interrupted_at: Option<usize>,
    ) -> SweepResult {
        let mut r = SweepResult {
            file: self.file.clone(),
            label: self.label.clone(),
            outputs: self.file.outputs.iter().map(super::Output::label).collect(),
            factors: self.file.factors.iter().map(|x| x.path.clone()).collect(),
            grid: match &plan.shape {
                PlanShape::Grid(values) => values.clone(),
                _ => Vec::new(),
            },
            points,
            indices: Vec::new(),
            arm_choices: Vec::new(),
            noise_share: Vec::new(),
            warnings: Vec::new(),
            replications,
            seed: self.seed(),
            wall_seconds: 0.0,
            simulations,
            interrupted_at,
        };
        if interrupted_at.is_none() {
            self.estimate(plan, &mut r);
        }
        r
    }

    fn estimate(&self, plan: &Plan, r: &mut SweepResult) {
        let k = r.factors.len();
        let reps = f64::from(r.replications);
        let mut rng = design::design_rng(r.seed ^ 0xB007);
        for (o, label) in r.outputs.iter().enumerate() {
            let y: Vec<f64> = r.points.iter().map(|p| p.mean(o)).collect();
            // Noise: the variance a point mean carries from its replications, against the
            // spread of point means the factors produce.
            let n = y.len() as f64;
            let my = y.iter().sum::<f64>() / n;
            let between = y.iter().map(|v| (v - my).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
            let noise = r.points.iter().map(|p| p.outputs[o].variance).sum::<f64>() / n / reps;
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
            let mut out = Indices {
                out: &mut r.indices,
                output: label,
            };
            match &plan.shape {
                PlanShape::OneAtATime => one_at_a_time(&r.factors, &r.points, o, &mut out),
                PlanShape::Grid(values) => {
                    grid(&r.factors, values, &r.points, o, &mut rng, &mut out);
                    if r.replications < ROUGH_BOOTSTRAP_BELOW {
                        r.warnings.push(format!(
                            "{label}: the main-effect intervals resample {} replications per point; below {ROUGH_BOOTSTRAP_BELOW} a bootstrap interval is rough: raise the replications",
                            r.replications
                        ));
                    }
                }
                PlanShape::Scatter => {
                    let unit: Vec<Vec<f64>> = plan.points.iter().map(|p| p.unit.clone()).collect();
                    for (i, c) in design::correlations(&unit, &y).iter().enumerate() {
                        let ci = fisher_z(*c, y.len());
                        out.push(
                            &r.factors[i],
                            "correlation",
                            *c,
                            ci,
                            IntervalMethod::FisherZ,
                        );
                    }
                }
                PlanShape::Morris(traj) => {
                    let per: Vec<Vec<f64>> = y.chunks(k + 1).map(<[f64]>::to_vec).collect();
                    let idx = design::morris_indices(traj, &per, BOOTSTRAP_RESAMPLES, &mut rng);
                    for (i, m) in idx.iter().enumerate() {
                        let f = &r.factors[i];
                        let method = IntervalMethod::BootstrapEffects;
                        out.push(
                            f,
                            "mu_star",
                            m.mu_star,
                            (m.mu_star_lo, m.mu_star_hi),
                            method,
                        );
                        out.push(f, "mu", m.mu, (m.mu_lo, m.mu_hi), method);
                        out.push(f, "sigma", m.sigma, (m.sigma_lo, m.sigma_hi), method);
                    }
                }
                PlanShape::Sobol { bootstrap } => {
                    let idx = design::sobol_indices(&y, k, *bootstrap, &mut rng);
                    for (i, s) in idx.iter().enumerate() {
                        let f = &r.factors[i];
                        let method = IntervalMethod::BootstrapRows;
                        out.push(f, "first_order", s.first, (s.first_lo, s.first_hi), method);
                        out.push(f, "total", s.total, (s.total_lo, s.total_hi), method);
                    }
                    let widest = idx
                        .iter()
                        .map(|s| s.first_hi - s.first_lo)
                        .fold(0.0f64, f64::max);
                    if widest > 0.3 {
                        r.warnings.push(format!(
                            "{label}: first-order Sobol' intervals are up to {widest:.2} wide at {} base samples; rank factors by the total indices, or raise base_samples",
                            plan.points.len() / (k + 2)
                        ));
                    }
                }
            }
        }
        r.arm_choices = self.arm_choices(plan, &r.points);
    }

    /// For each output that compares two arms and each factor: the output's mean across the
    /// factor's range (its main effect), from which the better arm at each level is read.
    fn arm_choices(&self, plan: &Plan, points: &[PointResult]) -> Vec<ArmChoice> {
        let mut choices = Vec::new();
        for (o, output) in self.file.outputs.iter().enumerate() {
            let Some(against) = &output.against else {
                continue;
            };
            for (i, factor) in self.file.factors.iter().enumerate() {
                let mut levels = match &plan.shape {
                    PlanShape::OneAtATime => {
                        let (lo, hi) = factor.bounds();
                        let base = &points[0];
                        let mut at = vec![
                            (points[1 + 2 * i].values[i], points[1 + 2 * i].mean(o)),
                            (points[2 + 2 * i].values[i], points[2 + 2 * i].mean(o)),
                        ];
                        let b = base.values[i];
                        if b > lo && b < hi {
                            at.push((b, base.mean(o)));
                        }
                        at
                    }
                    PlanShape::Grid(_) | PlanShape::Morris(_) => {
                        // Points sit on levels: average over the other factors at each.
                        let mut values: Vec<f64> = points.iter().map(|p| p.values[i]).collect();
                        values.sort_by(f64::total_cmp);
                        values.dedup();
                        values
                            .into_iter()
                            .map(|v| {
                                let at = points.iter().filter(|p| p.values[i] == v);
                                (v, finite_mean(at.map(|p| p.mean(o))))
                            })
                            .collect()
                    }
                    PlanShape::Scatter | PlanShape::Sobol { .. } => (0..BANDS)
                        .map(|b| {
                            let band = |u: f64| ((u * BANDS as f64) as usize).min(BANDS - 1);
                            let at = plan
                                .points
                                .iter()
                                .zip(points)
                                .filter(|(pt, _)| band(pt.unit[i]) == b)
                                .map(|(_, p)| p.mean(o));
                            let centre = (b as f64 + 0.5) / BANDS as f64;
                            (factor.at_unit(centre), finite_mean(at))
                        })
                        .collect(),
                };
                levels.sort_by(|a, b| a.0.total_cmp(&b.0));
                choices.push(ArmChoice {
                    factor: factor.path.clone(),
                    output: output.label(),
                    measure: output.measure.clone(),
                    arm: output.arm.clone(),
                    against: against.clone(),
                    better: output.better(),
                    range: factor.bounds(),
                    levels: levels
                        .into_iter()
                        .map(|(value, mean)| LevelMean { value, mean })
                        .collect(),
                });
            }
        }
        choices
    }
}

/// One at a time: the output at each end of each factor and at the base (t intervals over the
/// point's replications), and the swing high − low (paired t: both ends share the replications'
/// random numbers).
fn one_at_a_time(factors: &[String], points: &[PointResult], o: usize, out: &mut Indices<'_>) {
    let at = |p: usize| {
        let x = &points[p].outputs[o];
        (x.mean, (x.lo, x.hi))
    };
    let (base, base_ci) = at(0);
    for (i, f) in factors.iter().enumerate() {
        let (low, low_ci) = at(1 + 2 * i);
        let (high, high_ci) = at(2 + 2 * i);
        let swing = high - low;
        let swing_ci = paired_t(
            &points[2 + 2 * i].outputs[o].replications,
            &points[1 + 2 * i].outputs[o].replications,
            swing,
        );
        out.push(f, "output_at_low", low, low_ci, IntervalMethod::T);
        out.push(f, "output_at_high", high, high_ci, IntervalMethod::T);
        out.push(f, "swing", swing, swing_ci, IntervalMethod::PairedT);
        out.push(f, "base", base, base_ci, IntervalMethod::T);
    }
}

/// A grid: each factor's main-effect range (largest minus smallest mean over its levels, the
/// other factors averaged), with a percentile bootstrap over replications: whole replications
/// are resampled, the same ones at every point, so the common random numbers stay paired.
fn grid(
    factors: &[String],
    values: &[Vec<f64>],
    points: &[PointResult],
    o: usize,
    rng: &mut Xoshiro256PlusPlus,
    out: &mut Indices<'_>,
) {
    let reps = points
        .first()
        .map_or(0, |p| p.outputs[o].replications.len());
    // One set of resampled replications for every factor.
    let resamples: Vec<Vec<usize>> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| {
            (0..reps)
                .map(|_| (design::uniform(rng) * reps as f64) as usize % reps.max(1))
                .collect()
        })
        .collect();
    for (i, levels) in values.iter().enumerate() {
        let members: Vec<Vec<&PointResult>> = levels
            .iter()
            .map(|v| points.iter().filter(|p| p.values[i] == *v).collect())
            .collect();
        let means: Vec<f64> = members
            .iter()
            .map(|at| at.iter().map(|p| p.mean(o)).sum::<f64>() / at.len().max(1) as f64)
            .collect();
        // A level's mean under a resample is the mean over the resampled replications of the
        // level's mean in each replication.
        let by_rep: Vec<Vec<f64>> = members
            .iter()
            .map(|at| {
                (0..reps)
                    .map(|r| finite_mean(at.iter().map(|p| p.outputs[o].replications[r])))
                    .collect()
            })
            .collect();
        let mut boot: Vec<f64> = resamples
            .iter()
            .map(|idx| {
                let level_means: Vec<f64> = by_rep
                    .iter()
                    .map(|m| finite_mean(idx.iter().map(|&r| m[r])))
                    .collect();
                range(&level_means)
            })
            .collect();
        let ci = percentile_interval(&mut boot);
        out.push(
            &factors[i],
            "main_effect_range",
            range(&means),
            ci,
            IntervalMethod::BootstrapReplications,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_intervals_shrink_with_the_pairing() {
        // High = low + 10 + small noise: the pairs vary little though each end varies a lot.
        let low = [100.0, 300.0, 200.0, 500.0];
        let high = [111.0, 309.0, 210.0, 510.0];
        let centre = 10.0;
        let (lo, hi) = paired_t(&high, &low, centre);
        assert!(
            lo > 8.0 && hi < 12.0 && lo < centre && centre < hi,
            "{lo} {hi}"
        );
        assert!(paired_t(&[1.0], &[0.0], 1.0).0.is_nan());
    }

    #[test]
    fn fisher_intervals_hold_the_correlation_and_stay_in_range() {
        let (lo, hi) = fisher_z(0.5, 50);
        assert!(lo < 0.5 && 0.5 < hi && lo > 0.2 && hi < 0.7, "{lo} {hi}");
        assert_eq!(fisher_z(1.0, 10), (1.0, 1.0));
        assert!(fisher_z(0.5, 3).0.is_nan());
        // n = 28: half-width 1.96 / 5 in z.
        let (lo, hi) = fisher_z(0.0, 28);
        assert!((hi - (Z_975 / 5.0).tanh()).abs() < 1e-12 && (lo + hi).abs() < 1e-12);
    }
}
