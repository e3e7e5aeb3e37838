//! Throughput of the engine on the standard scenario (`benches/standard.ron`: 10 sites, 25
//! employees and 2,000 customers a site, 3 years, every link on, the baseline arm), each beside
//! the raw kernel (`kernel.rs` beside this file) doing the same number of encounters' draws and
//! satisfaction updates with no engine, so the engine's overhead reads as a ratio.

use std::hint::black_box;
use std::time::Duration;

mod kernel;

use chainsim::engine::{EventQueue, SimTime};
use chainsim::model::Replication;
use chainsim::runner::{RunOptions, run};
use chainsim::scenario::Scenario;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kernel::raw_kernel;
use rayon::prelude::*;

fn standard() -> Scenario {
    Scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/standard.ron"
    )))
    .expect("benches/standard.ron is valid")
}

fn customers(s: &Scenario) -> usize {
    (s.sites.count * s.sites.customers_per_site) as usize
}

/// Every encounter a replication simulates: its warm-up's too, since the time includes them.
fn simulated(s: &Scenario) -> u64 {
    let out = Replication::new(s, s.seed, 0).run();
    out.encounters + out.warmup_encounters
}

/// Encounters per second of one replication on one thread.
fn one_replication_one_thread(c: &mut Criterion) {
    let s = standard();
    let encounters = simulated(&s);
    // The floor must be doing real, repeatable work, or the ratio means nothing.
    let checksum = raw_kernel(10_000, 100, 1);
    assert!(checksum > 0.0 && checksum == raw_kernel(10_000, 100, 1));
    assert_ne!(checksum, raw_kernel(10_000, 100, 2));
    let mut g = c.benchmark_group("standard/one_replication_one_thread");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(encounters));
    g.bench_function("engine", |b| {
        b.iter(|| black_box(Replication::new(&s, s.seed, 0).run()))
    });
    g.bench_function("raw_kernel", |b| {
        b.iter(|| black_box(raw_kernel(encounters, customers(&s), s.seed)))
    });
    g.finish();
}

fn options(s: &Scenario, reps: u32, threads: usize) -> RunOptions {
    RunOptions {
        replications: reps,
        threads,
        ..RunOptions::from_scenario(s)
    }
}

/// Replications per second on every thread: throughput in encounters, with the replication
/// count in the name.
fn replications_all_threads(c: &mut Criterion) {
    let s = standard();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let reps = 2 * threads as u32;
    let encounters = run(&s, &options(&s, reps, threads))
        .expect("run")
        .encounters;
    let mut g = c.benchmark_group(format!("standard/{reps}_replications_{threads}_threads"));
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(encounters));
    g.bench_function("engine", |b| {
        b.iter(|| black_box(run(&s, &options(&s, reps, threads)).expect("run")))
    });
    let per_rep = encounters / u64::from(reps);
    g.bench_function("raw_kernel", |b| {
        b.iter(|| {
            let sums: Vec<f64> = (0..u64::from(reps))
                .into_par_iter()
                .map(|r| raw_kernel(per_rep, customers(&s), r))
                .collect();
            black_box(sums)
        })
    });
    g.finish();
}

/// The same four replications on 1 and on 2 threads.
fn one_vs_two_threads(c: &mut Criterion) {
    let s = standard();
    let encounters = run(&s, &options(&s, 4, 1)).expect("run").encounters;
    let mut g = c.benchmark_group("standard/4_replications_by_threads");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.throughput(Throughput::Elements(encounters));
    for threads in [1, 2] {
        g.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| black_box(run(&s, &options(&s, 4, threads)).expect("run")))
        });
    }
    g.finish();
}

/// The standard scenario over one year with 1,000, 10,000 and 100,000 customers a site (the
/// market half as large again) at the same encounter rate: visits per customer scaled down as the
/// base grows. One replication, one thread; cost should follow encounters, not people.
fn customer_base(c: &mut Criterion) {
    let mut g = c.benchmark_group("customer_base/one_replication_one_thread");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for customers in [1_000u32, 10_000, 100_000] {
        let mut s = standard();
        s.weeks = 52;
        let visits = s.demand.visits_per_customer_per_week * f64::from(s.sites.customers_per_site);
        s.sites.customers_per_site = customers;
        s.sites.market_per_site = customers / 2 * 3;
        s.demand.visits_per_customer_per_week = visits / f64::from(customers);
        g.throughput(Throughput::Elements(simulated(&s)));
        g.bench_function(format!("{customers}_customers_a_site"), |b| {
            b.iter(|| black_box(Replication::new(&s, s.seed, 0).run()))
        });
    }
    g.finish();
}

/// The calendar alone: push 100,000 events at scattered times, then pop them all.
fn event_queue(c: &mut Criterion) {
    const N: u64 = 100_000;
    let mut g = c.benchmark_group("event_queue");
    g.throughput(Throughput::Elements(N));
    g.bench_function("push_pop_100k", |b| {
        b.iter(|| {
            let mut q = EventQueue::new();
            for i in 0..N {
                q.push(SimTime(i.wrapping_mul(0x9E37_79B9) % 1_000_000), i)
                    .expect("future");
            }
            let mut last = 0;
            while let Some((t, e)) = q.pop() {
                last = t.0 ^ e;
            }
            black_box(last)
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    event_queue,
    one_replication_one_thread,
    customer_base,
    replications_all_threads,
    one_vs_two_threads
);
criterion_main!(benches);
