//! With every feedback link off, a site is an ordinary M/M/c queue (M/D/c, M/G/c for other
//! service-time shapes) and must agree with queueing theory.

use chainsim::model::Replication;
use chainsim::scenario::Scenario;
use chainsim::validate::{erlang_c, queue_scenario};

/// A single site open round the clock, c servers, every feedback off, no churn or abandonment:
/// arrivals Poisson at `arrivals_per_minute`, service exponential with mean `service_minutes`.
fn mmc(servers: u32, arrivals_per_minute: f64, service_minutes: f64) -> Scenario {
    let s = queue_scenario(servers, arrivals_per_minute, service_minutes, None);
    assert!(!s.links.learning_curve && !s.links.quits && !s.links.word_of_mouth);
    s
}

/// Mean wait (minutes) and share who waited, per replication.
fn replicate(s: &Scenario, reps: u64, weeks: u32) -> Vec<(f64, f64)> {
    (0..reps)
        .map(|r| {
            let o = Replication::new(s, 99, r).weeks(weeks).traced().run();
            let t = &o.trace[0];
            let waits: Vec<f64> = t
                .iter()
                .map(|e| (e.started - e.arrived) as f64 / 60.0)
                .collect();
            let n = waits.len() as f64;
            (
                waits.iter().sum::<f64>() / n,
                waits.iter().filter(|&&w| w > 0.0).count() as f64 / n,
            )
        })
        .collect()
}

fn mean_and_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

#[test]
fn mmc_mean_wait_matches_erlang_c() {
    // c = 5, lambda = 0.4/min, 1/mu = 10 min: rho = 0.8.
    let (c, lambda, service) = (5, 0.4, 10.0);
    let (p_wait, wq) = erlang_c(c, lambda, 1.0 / service);
    let s = mmc(c, lambda, service);
    // Each replication is 4 weeks (~16,000 customers; the queue relaxes in hours, so the empty
    // start costs little). Replications are independent, so their spread gives the standard
    // error of the grand mean directly, whatever the autocorrelation within a run.
    let runs = replicate(&s, 20, 4);
    let (m, se) = mean_and_se(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
    let (pw, pse) = mean_and_se(&runs.iter().map(|r| r.1).collect::<Vec<_>>());
    // The check must be able to fail: the standard error is a small fraction of the target.
    assert!(
        se < 0.05 * wq,
        "standard error {se} too large for a meaningful test of {wq}"
    );
    // Tolerance: 4 standard errors (two-sided alpha ~ 6e-5 under normality of the mean of 20
    // replications), plus 1% for the empty-and-idle start and whole-second rounding.
    let tol = 4.0 * se + 0.01 * wq;
    eprintln!(
        "M/M/c: mean wait {m:.4} (se {se:.4}) vs {wq:.4}; P(wait) {pw:.4} (se {pse:.4}) vs {p_wait:.4}"
    );
    assert!(
        (m - wq).abs() < tol,
        "mean wait {m:.3} min vs Erlang C {wq:.3} (tolerance {tol:.3})"
    );
    let ptol = 4.0 * pse + 0.01;
    assert!(
        (pw - p_wait).abs() < ptol,
        "P(wait) {pw:.4} vs Erlang C {p_wait:.4} (tolerance {ptol:.4})"
    );
}

#[test]
fn md1_wait_is_half_of_mm1() {
    // Pollaczek-Khinchine: with fixed service the M/D/1 wait is half the M/M/1 wait.
    // M/M/1 at rho = 0.7: Wq = rho/(mu - lambda) = 0.7 / (0.1 - 0.07) min.
    let (lambda, service) = (0.07, 10.0);
    let mut s = mmc(1, lambda, service);
    s.service.time_distribution = chainsim::scenario::ServiceTimeDistribution::Fixed;
    let wq = 0.5 * 0.7 / (1.0 / service - lambda);
    let runs = replicate(&s, 20, 4);
    let (m, se) = mean_and_se(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
    assert!(se < 0.05 * wq, "standard error {se} too large");
    let tol = 4.0 * se + 0.01 * wq;
    eprintln!("M/D/1: mean wait {m:.4} (se {se:.4}) vs {wq:.4}");
    assert!(
        (m - wq).abs() < tol,
        "M/D/1 mean wait {m:.3} vs {wq:.3} (tolerance {tol:.3})"
    );
}
