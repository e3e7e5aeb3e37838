//! A run whose kept values go to temporary files after every row or two gives, bit for bit,
//! what a run that keeps them in memory gives: percentiles, means, shard files, merges of
//! shards and runs grown to a precision.

use super::{RunOptions, RunShard, Shard, run_shard, run_to_precision, shard_check};
use crate::scenario::{Arm, Intervention, Lever, Provenance, Scenario};
use crate::stats::QuantileStore;
use crate::stats::store::TEST_BLOCK_ROWS;

/// The built-in scenario on two small sites, with a second arm that trains skills.
fn small() -> Scenario {
    let mut s = Scenario::default();
    s.arms.push(Arm {
        name: "skills".into(),
        interventions: vec![Intervention {
            lever: Lever::SkillsTraining { amount: 100.0 },
            start_week: 1,
            ..Intervention::default()
        }],
        ..Arm::default()
    });
    s.sites.count = 2;
    s.sites.employees_per_site = 3;
    s.sites.customers_per_site = 150;
    s.sites.market_per_site = 200;
    s
}

/// `f` run with stores of `block_rows` rows a block made on this thread (None: the default).
fn with_blocks<T>(block_rows: Option<usize>, f: impl FnOnce() -> T) -> T {
    TEST_BLOCK_ROWS.set(block_rows);
    let out = f();
    TEST_BLOCK_ROWS.set(None);
    out
}

/// Shard `shard` of 9 replications of 5 weeks on `threads` threads, blocks of `block_rows`.
fn run(block_rows: Option<usize>, shard: Shard, threads: usize) -> RunShard {
    let s = small();
    let options = RunOptions {
        replications: 9,
        weeks: 5,
        threads,
        shard,
        ..RunOptions::from_scenario(&s)
    };
    with_blocks(block_rows, || {
        run_shard(&s, &Provenance::of("test", ""), &options).unwrap()
    })
}

/// Every weekly figure of `r`, as bits.
fn weekly_bits(r: &RunShard) -> Vec<u64> {
    r.try_to_result()
        .unwrap()
        .arms
        .iter()
        .flat_map(|a| a.weekly.iter().chain(&a.delta))
        .flat_map(|q| {
            [q.count, q.mean.to_bits()]
                .into_iter()
                .chain(q.p.map(f64::to_bits))
        })
        .collect()
}

/// `r`'s shard file, with what differs between equivalent runs (threads, wall time) set aside.
fn sealed(r: &RunShard) -> String {
    let mut r = r.clone();
    r.threads.iter_mut().for_each(|t| *t = 1);
    r.wall_seconds.iter_mut().for_each(|t| *t = 0.0);
    shard_check::seal(&r)
}

/// Rows of the first arm's cells in the temporary file.
fn spilled_rows(r: &RunShard) -> usize {
    match &r.arms[0].cells {
        QuantileStore::Exact(s) => s.spilled_rows(),
        QuantileStore::Sketched(_) => 0,
    }
}

#[test]
fn spilled_runs_shards_and_merges_are_bit_for_bit_those_kept_in_memory() {
    let memory = run(None, Shard::WHOLE, 2);
    assert_eq!(spilled_rows(&memory), 0);
    let want = weekly_bits(&memory);
    let spilled = run(Some(2), Shard::WHOLE, 1);
    assert_eq!(spilled_rows(&spilled), 8);
    assert_eq!(weekly_bits(&spilled), want);
    assert!(sealed(&spilled) == sealed(&memory));
    for (a, b) in spilled.arms.iter().zip(&memory.arms) {
        assert!(a.cells == b.cells && a.delta == b.delta);
    }
    // Three shards spilling every row, through their files, merged in any order.
    let mut parts = Vec::new();
    let mut in_memory = Vec::new();
    for k in [2, 3, 1] {
        let shard = Shard { index: k, count: 3 };
        let part = run(Some(1), shard, 1);
        let file = shard_check::seal(&part);
        assert!(sealed(&part) == sealed(&run(None, shard, 2)));
        let back = with_blocks(Some(1), || {
            shard_check::open_run_shard(&file, "test").unwrap()
        });
        assert_eq!(spilled_rows(&back), 3);
        parts.push((format!("{k}"), back));
        in_memory.push((format!("{k}"), run(None, shard, 2)));
    }
    let merged = RunShard::merge(parts).unwrap();
    assert_eq!(weekly_bits(&merged), want);
    let merged_in_memory = RunShard::merge(in_memory).unwrap();
    assert!(sealed(&merged) == sealed(&merged_in_memory));
    // A run grown batch by batch to a precision it never reaches.
    let s = small();
    let options = RunOptions {
        weeks: 3,
        threads: 1,
        ..RunOptions::from_scenario(&s)
    };
    let grown = |block_rows| {
        with_blocks(block_rows, || {
            run_to_precision(&s, &Provenance::of("test", ""), &options, 1e-9, 45)
                .unwrap()
                .0
        })
    };
    let (a, b) = (grown(None), grown(Some(3)));
    assert_eq!(b.header.replications, 45);
    assert_eq!(spilled_rows(&b), 45);
    assert_eq!(weekly_bits(&a), weekly_bits(&b));
    assert!(sealed(&a) == sealed(&b));
}
