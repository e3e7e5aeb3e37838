//! Throughput of the engine on the standard scenario (benches/standard.ron).

use std::hint::black_box;

use chainsim::model::simulate;
use chainsim::scenario::Scenario;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn standard() -> Scenario {
    Scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/standard.ron"
    )))
    .expect("benches/standard.ron is valid")
}

fn one_replication_one_thread(c: &mut Criterion) {
    let s = standard();
    let encounters = simulate(&s, s.seed, 0, s.weeks, false).encounters;
    let mut g = c.benchmark_group("standard_10x25x2000_156w");
    g.sample_size(10);
    g.throughput(Throughput::Elements(encounters));
    g.bench_function("one_replication_encounters", |b| {
        b.iter(|| black_box(simulate(&s, s.seed, 0, s.weeks, false)))
    });
    g.finish();
}

criterion_group!(benches, one_replication_one_thread);
criterion_main!(benches);
