//! How much common random numbers sharpen a comparison: the variance of ΔNPV (arm minus
//! baseline, per replication) when both arms share their random streams, against the same
//! arms run on independent seeds. Usage: `cargo run --release --example crn_variance [REPS]`
//! (default 30) on the built-in default scenario.

use chainsim::runner::{RunOptions, run};
use chainsim::scenario::Scenario;

fn variance(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)
}

fn main() {
    let reps: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let s = Scenario::built_in();
    let options = |seed: u64| RunOptions {
        replications: reps,
        seed,
        ..RunOptions::from_scenario(&s)
    };
    let shared = run(&s, &options(s.seed)).expect("run");
    let other = run(&s, &options(s.seed ^ 0x5EED)).expect("run");
    let base = s.baseline_index();
    let npv = |r: &chainsim::runner::RunResult, a: usize| {
        r.arms[a]
            .replications
            .iter()
            .map(|x| x.npv)
            .collect::<Vec<_>>()
    };
    println!(
        "{} replications of {}; variance of ΔNPV (currency^2)",
        reps, s.name
    );
    println!(
        "{:<20} {:>16} {:>16} {:>10}",
        "arm", "common numbers", "independent", "reduction"
    );
    for a in (0..s.arms.len()).filter(|&a| a != base) {
        let b = npv(&shared, base);
        let crn: Vec<f64> = npv(&shared, a).iter().zip(&b).map(|(x, y)| x - y).collect();
        let ind: Vec<f64> = npv(&other, a).iter().zip(&b).map(|(x, y)| x - y).collect();
        let (vc, vi) = (variance(&crn), variance(&ind));
        println!(
            "{:<20} {:>16.3e} {:>16.3e} {:>9.1}x",
            s.arms[a].name,
            vc,
            vi,
            vi / vc
        );
    }
}
