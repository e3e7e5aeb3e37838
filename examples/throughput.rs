//! A quick throughput check for optimisation work: simulates replications of
//! `benches/standard.ron` (or the scenario given) one at a time on one thread, prints each one's
//! encounters per second and the median, and a digest of every outcome so a change that must
//! not alter results can be checked in the same run. Usage:
//! `cargo run --release --example throughput [SCENARIO] [REPS]` (default 5). Criterion's
//! `cargo bench --bench engine` stays the measure of record (BENCHMARKS.md).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::time::Instant;

use chainsim::model::Replication;
use chainsim::scenario::Scenario;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/standard.ron")),
        PathBuf::from,
    );
    let reps: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let s = Scenario::load(&path).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let mut rates = Vec::new();
    let mut digest = DefaultHasher::new();
    for r in 0..reps {
        let t = Instant::now();
        let out = Replication::new(&s, s.seed, r % 2).run();
        let rate =
            (out.encounters + out.warmup_encounters) as f64 / t.elapsed().as_secs_f64() / 1e6;
        // Warm-up encounters count: the time includes them.
        // Every weekly figure and ledger line, bit for bit (Debug prints floats exactly).
        format!("{:?}{:?}{}", out.weekly, out.monthly, out.encounters).hash(&mut digest);
        println!("replication {r}: {rate:.2} M encounters/s");
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "median {:.2} M encounters/s; outcome digest {:016x}",
        rates[rates.len() / 2],
        digest.finish()
    );
}
