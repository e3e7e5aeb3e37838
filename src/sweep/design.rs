//! Designs of experiments over the unit hypercube and their sensitivity estimators: Latin
//! hypercube, Morris elementary effects, and Sobol' indices by Saltelli sampling with Jansen's
//! estimators and bootstrap intervals. Pure functions of their inputs and a seeded generator, so
//! a sweep is reproducible; tested against functions whose indices are known.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::engine::sample::unit;

/// The generator designs draw from.
pub fn design_rng(seed: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xD1B5_4A32_D192_ED03)
}

/// A uniform draw in [0, 1).
pub(super) fn uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    unit(rng.next_u64())
}

/// A random permutation of `0..n` (Fisher-Yates).
fn permutation(n: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (uniform(rng) * (i + 1) as f64) as usize;
        p.swap(i, j.min(i));
    }
    p
}

/// `n` points of a Latin hypercube in `[0, 1)^k`: each factor's range is cut into `n` strata and
/// every stratum is used exactly once, at a random position within it.
pub fn latin_hypercube(n: usize, k: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; k]; n];
    for f in 0..k {
        let perm = permutation(n, rng);
        for (i, p) in points.iter_mut().enumerate() {
            p[f] = (perm[i] as f64 + uniform(rng)) / n as f64;
        }
    }
    points
}

/// Every combination of level indices (the first factor varies slowest).
pub fn grid(levels: &[usize]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for &l in levels {
        out = out
            .into_iter()
            .flat_map(|p| {
                (0..l).map(move |j| {
                    let mut q = p.clone();
                    q.push(j);
                    q
                })
            })
            .collect();
    }
    out
}

/// Morris trajectories: `r` trajectories of `k + 1` points on a grid of `levels` levels in
/// `[0, 1]`, each step moving one factor (in random order) by Δ = levels / (2 (levels - 1)).
pub fn morris(
    r: usize,
    k: usize,
    levels: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<Vec<Vec<f64>>> {
    let p = levels.max(2);
    let delta = p as f64 / (2.0 * (p - 1) as f64);
    let step = 1.0 / (p - 1) as f64;
    // Start levels from which +Δ stays inside [0, 1].
    let starts = (0..p)
        .map(|j| j as f64 * step)
        .filter(|x| x + delta <= 1.0 + 1e-12)
        .collect::<Vec<f64>>();
    (0..r)
        .map(|_| {
            let mut x: Vec<f64> = (0..k)
                .map(|_| starts[(uniform(rng) * starts.len() as f64) as usize % starts.len()])
                .collect();
            // Each factor goes up or down by Δ; down only from a point where that stays inside.
            let mut traj = vec![x.clone()];
            for f in permutation(k, rng) {
                let up = uniform(rng) < 0.5;
                x[f] = if up || x[f] - delta < -1e-12 {
                    x[f] + delta
                } else {
                    x[f] - delta
                };
                // Keep exactly on the grid.
                x[f] = (x[f] / step).round() * step;
                traj.push(x.clone());
            }
            traj
        })
        .collect()
}

/// Morris indices of one factor: mean absolute elementary effect μ*, mean μ and standard
/// deviation σ, each with a bootstrap 95% interval (percentiles of the statistic over
/// resamples of the factor's elementary effects; the same resamples for all three).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean of the absolute elementary effects.
    pub mu_star: f64,
    /// Lower end of μ*'s bootstrap 95% interval.
    pub mu_star_lo: f64,
    /// Upper end.
    pub mu_star_hi: f64,
    /// Mean of the elementary effects (signed).
    pub mu: f64,
    /// Lower end of μ's bootstrap 95% interval.
    pub mu_lo: f64,
    /// Upper end.
    pub mu_hi: f64,
    /// Standard deviation of the elementary effects (nonlinearity and interactions).
    pub sigma: f64,
    /// Lower end of σ's bootstrap 95% interval.
    pub sigma_lo: f64,
    /// Upper end.
    pub sigma_hi: f64,
}

/// Elementary effects from trajectories and their outputs (`y[t][i]` at point `i` of trajectory
/// `t`), per factor, in units of output per unit of the factor's [0, 1] scale.
pub fn morris_indices(
    trajectories: &[Vec<Vec<f64>>],
    y: &[Vec<f64>],
    bootstrap: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<MorrisIndex> {
    let k = trajectories.first().map_or(0, |t| t[0].len());
    let mut effects = vec![Vec::new(); k];
    for (traj, out) in trajectories.iter().zip(y) {
        for i in 1..traj.len() {
            let f = (0..k)
                .find(|&f| traj[i][f] != traj[i - 1][f])
                .expect("each step moves one factor");
            effects[f].push((out[i] - out[i - 1]) / (traj[i][f] - traj[i - 1][f]));
        }
    }
    effects
        .iter()
        .map(|e| {
            let mu_of = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let mu_star_of = |v: &[f64]| v.iter().map(|x| x.abs()).sum::<f64>() / v.len() as f64;
            let sigma_of = |v: &[f64]| {
                let n = v.len() as f64;
                let mu = mu_of(v);
                (v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt()
            };
            let n = e.len() as f64;
            let (mut stars, mut mus, mut sigmas) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..bootstrap {
                let s: Vec<f64> = (0..e.len())
                    .map(|_| e[(uniform(rng) * n) as usize % e.len()])
                    .collect();
                stars.push(mu_star_of(&s));
                mus.push(mu_of(&s));
                sigmas.push(sigma_of(&s));
            }
            let (mu_star_lo, mu_star_hi) = percentile_interval(&mut stars);
            let (mu_lo, mu_hi) = percentile_interval(&mut mus);
            let (sigma_lo, sigma_hi) = percentile_interval(&mut sigmas);
            MorrisIndex {
                mu_star: mu_star_of(e),
                mu_star_lo,
                mu_star_hi,
                mu: mu_of(e),
                mu_lo,
                mu_hi,
                sigma: sigma_of(e),
                sigma_lo,
                sigma_hi,
            }
        })
        .collect()
}

/// The 2.5% and 97.5% points of bootstrap values (sorted here; undefined ones left out): the
/// percentile interval. NaN if no value is defined.
pub fn percentile_interval(values: &mut Vec<f64>) -> (f64, f64) {
    values.retain(|x| !x.is_nan());
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    values.sort_by(f64::total_cmp);
    (
        crate::stats::quantile_sorted(values, 0.025),
        crate::stats::quantile_sorted(values, 0.975),
    )
}

/// Saltelli's sampling for Sobol' indices: base matrices A and B (`n` rows each) and, for each
/// factor i, A with column i taken from B. Points are returned row by row as
/// `A_j, B_j, AB_j^(1), ..., AB_j^(k)`: `n (k + 2)` points.
pub fn saltelli(n: usize, k: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<Vec<f64>> {
    // Both base matrices are Latin hypercubes: better spread than plain random draws.
    let a = latin_hypercube(n, k, rng);
    let b = latin_hypercube(n, k, rng);
    let mut out = Vec::with_capacity(n * (k + 2));
    for j in 0..n {
        out.push(a[j].clone());
        out.push(b[j].clone());
        for i in 0..k {
            let mut ab = a[j].clone();
            ab[i] = b[j][i];
            out.push(ab);
        }
    }
    out
}

/// First-order and total Sobol' indices of one factor, with bootstrap 95% intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index S_i.
    pub first: f64,
    /// Lower end of S_i's interval.
    pub first_lo: f64,
    /// Upper end.
    pub first_hi: f64,
    /// Total index S_Ti.
    pub total: f64,
    /// Lower end of S_Ti's interval.
    pub total_lo: f64,
    /// Upper end.
    pub total_hi: f64,
}

/// Jansen's estimators on outputs in [`saltelli`]'s order (`y.len() = n (k + 2)`):
/// V = var(f(A), f(B)); S_i = (V - mean((f(B) - f(AB_i))^2) / 2) / V;
/// S_Ti = mean((f(A) - f(AB_i))^2) / 2 / V. Intervals resample the n rows.
pub fn sobol_indices(
    y: &[f64],
    k: usize,
    bootstrap: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<SobolIndex> {
    let n = y.len() / (k + 2);
    let row = |j: usize| &y[j * (k + 2)..(j + 1) * (k + 2)];
    let estimate = |rows: &[usize]| -> Vec<(f64, f64)> {
        let m = rows.len() as f64;
        let all: Vec<f64> = rows.iter().flat_map(|&j| [row(j)[0], row(j)[1]]).collect();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let v = all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (all.len() as f64 - 1.0);
        (0..k)
            .map(|i| {
                let (mut first, mut total) = (0.0, 0.0);
                for &j in rows {
                    let r = row(j);
                    first += (r[1] - r[2 + i]).powi(2);
                    total += (r[0] - r[2 + i]).powi(2);
                }
                ((v - first / (2.0 * m)) / v, total / (2.0 * m) / v)
            })
            .collect()
    };
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(&all);
    let boots: Vec<Vec<(f64, f64)>> = (0..bootstrap)
        .map(|_| {
            let rows: Vec<usize> = (0..n)
                .map(|_| (uniform(rng) * n as f64) as usize % n)
                .collect();
            estimate(&rows)
        })
        .collect();
    (0..k)
        .map(|i| {
            let mut f: Vec<f64> = boots.iter().map(|b| b[i].0).collect();
            let mut t: Vec<f64> = boots.iter().map(|b| b[i].1).collect();
            let (first_lo, first_hi) = percentile_interval(&mut f);
            let (total_lo, total_hi) = percentile_interval(&mut t);
            SobolIndex {
                first: point[i].0,
                first_lo,
                first_hi,
                total: point[i].1,
                total_lo,
                total_hi,
            }
        })
        .collect()
}

/// Pearson correlation of each factor's coordinate with the output (for Latin hypercubes and
/// grids: with independent factors it is the standardised regression coefficient of a linear fit).
pub fn correlations(points: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let k = points.first().map_or(0, Vec::len);
    let n = y.len() as f64;
    let my = y.iter().sum::<f64>() / n;
    (0..k)
        .map(|f| {
            let x: Vec<f64> = points.iter().map(|p| p[f]).collect();
            let mx = x.iter().sum::<f64>() / n;
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for (a, b) in x.iter().zip(y) {
                sxy += (a - mx) * (b - my);
                sxx += (a - mx).powi(2);
                syy += (b - my).powi(2);
            }
            if sxx > 0.0 && syy > 0.0 {
                sxy / (sxx * syy).sqrt()
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami: f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x in [-pi, pi]^3, a = 7, b = 0.1.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Sobol's G: prod (|4u - 2| + a_i) / (1 + a_i).
    fn g_function(u: &[f64], a: &[f64]) -> f64 {
        u.iter()
            .zip(a)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    /// The G function's exact indices.
    fn g_indices(a: &[f64]) -> Vec<(f64, f64)> {
        let vi: Vec<f64> = a.iter().map(|a| 1.0 / (3.0 * (1.0 + a).powi(2))).collect();
        let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
        (0..a.len())
            .map(|i| {
                let others: f64 = (0..a.len())
                    .filter(|&j| j != i)
                    .map(|j| 1.0 + vi[j])
                    .product();
                (vi[i] / v, vi[i] * others / v)
            })
            .collect()
    }

    #[test]
    fn latin_hypercube_uses_every_stratum_once() {
        let mut rng = design_rng(1);
        let pts = latin_hypercube(50, 3, &mut rng);
        for f in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[f] * 50.0) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..50).collect::<Vec<_>>());
        }
    }

    #[test]
    fn grid_enumerates_every_combination() {
        let g = grid(&[2, 3]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0, 0]);
        assert_eq!(g[5], vec![1, 2]);
    }

    /// Tolerance: with 8192 base rows the estimators' standard errors on Ishigami are ~0.01;
    /// 0.03 is three of them.
    #[test]
    fn sobol_recovers_the_ishigami_indices() {
        let mut rng = design_rng(7);
        let n = 8192;
        let pts = saltelli(n, 3, &mut rng);
        let y: Vec<f64> = pts.iter().map(|p| ishigami(p)).collect();
        let idx = sobol_indices(&y, 3, 100, &mut rng);
        let exact = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)];
        for (i, (s1, st)) in exact.iter().enumerate() {
            assert!(
                (idx[i].first - s1).abs() < 0.03,
                "S{} = {:?}",
                i + 1,
                idx[i]
            );
            assert!(
                (idx[i].total - st).abs() < 0.03,
                "ST{} = {:?}",
                i + 1,
                idx[i]
            );
            assert!(idx[i].first_lo <= idx[i].first && idx[i].first <= idx[i].first_hi);
            assert!(idx[i].total_lo <= idx[i].total && idx[i].total <= idx[i].total_hi);
        }
    }

    /// Tolerance as for Ishigami: 0.03 on indices of a 6-factor G function.
    #[test]
    fn sobol_recovers_the_g_function_indices() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let mut rng = design_rng(11);
        let pts = saltelli(8192, a.len(), &mut rng);
        let y: Vec<f64> = pts.iter().map(|p| g_function(p, &a)).collect();
        let idx = sobol_indices(&y, a.len(), 0, &mut rng);
        for (i, (s1, st)) in g_indices(&a).iter().enumerate() {
            assert!(
                (idx[i].first - s1).abs() < 0.03,
                "S{} {:?} vs {s1}",
                i + 1,
                idx[i]
            );
            assert!(
                (idx[i].total - st).abs() < 0.03,
                "ST{} {:?} vs {st}",
                i + 1,
                idx[i]
            );
        }
    }

    #[test]
    fn morris_measures_a_linear_function_exactly() {
        // f = 3 u1 - 2 u2 + 0 u3: every elementary effect is the coefficient.
        let mut rng = design_rng(3);
        let traj = morris(10, 3, 4, &mut rng);
        let y: Vec<Vec<f64>> = traj
            .iter()
            .map(|t| t.iter().map(|p| 3.0 * p[0] - 2.0 * p[1]).collect())
            .collect();
        let idx = morris_indices(&traj, &y, 50, &mut rng);
        assert!((idx[0].mu_star - 3.0).abs() < 1e-9 && idx[0].sigma < 1e-9);
        assert!((idx[1].mu_star - 2.0).abs() < 1e-9 && (idx[1].mu + 2.0).abs() < 1e-9);
        assert!(idx[2].mu_star.abs() < 1e-12);
        for t in &traj {
            assert_eq!(t.len(), 4);
            assert!(t.iter().flatten().all(|x| (0.0..=1.0).contains(x)));
        }
    }

    /// Morris screening ranks the G function's factors by importance (a_i ascending) and sets
    /// the nearly inert ones (a = 99) apart: tolerance is on the ranking, which is what Morris
    /// is for.
    #[test]
    fn morris_ranks_the_g_function_factors() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let mut rng = design_rng(5);
        let traj = morris(200, a.len(), 4, &mut rng);
        let y: Vec<Vec<f64>> = traj
            .iter()
            .map(|t| t.iter().map(|p| g_function(p, &a)).collect())
            .collect();
        let idx = morris_indices(&traj, &y, 0, &mut rng);
        for i in 0..3 {
            assert!(idx[i].mu_star > idx[i + 1].mu_star, "{idx:?}");
        }
        assert!(idx[4].mu_star < 0.05 * idx[0].mu_star && idx[5].mu_star < 0.05 * idx[0].mu_star);
    }

    #[test]
    fn correlations_find_the_driving_factor() {
        let mut rng = design_rng(9);
        let pts = latin_hypercube(200, 2, &mut rng);
        let y: Vec<f64> = pts.iter().map(|p| 5.0 * p[0]).collect();
        let c = correlations(&pts, &y);
        assert!((c[0] - 1.0).abs() < 1e-9 && c[1].abs() < 0.2, "{c:?}");
    }
}
