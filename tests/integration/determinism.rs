//! The same scenario and seed give byte-identical outputs on any thread count.

use chainsim::report::{self, RunManifest};
use chainsim::runner::{RunOptions, run};

use crate::common::small;

fn outputs(threads: usize, seed: u64) -> Vec<(String, Vec<u8>)> {
    let mut s = small(12);
    s.arms.push(chainsim::scenario::Arm {
        name: "second".into(),
        description: "same policy".into(),
        interventions: vec![],
        ..Default::default()
    });
    let options = RunOptions {
        replications: 7,
        seed,
        threads,
        weeks: s.weeks,
        progress: false,
        shard: chainsim::runner::Shard::WHOLE,
        first_replication: 0,
        interrupt: chainsim::runner::Interrupt::default(),
        quantile_budget_bytes: chainsim::runner::DEFAULT_QUANTILE_BUDGET_BYTES,
    };
    let r = run(&s, &options).expect("run");
    assert_eq!(r.threads, threads);
    let dir = tempfile::tempdir().unwrap();
    report::write_run(&r, dir.path()).expect("write");
    let mut files = crate::common::read_results(dir.path());
    // The manifest also records threads and wall time; everything else must match.
    files.push((
        "manifest (timing aside)".into(),
        RunManifest::of(&r, false).to_json().into_bytes(),
    ));
    files
}

#[test]
fn outputs_are_identical_on_1_2_and_4_threads() {
    let one = outputs(1, 42);
    for threads in [2, 4] {
        for ((name, a), (_, b)) in one.iter().zip(outputs(threads, 42)) {
            assert!(*a == b, "{name} differs between 1 and {threads} threads");
        }
    }
}

#[test]
fn a_different_seed_gives_different_results() {
    let a = outputs(2, 1);
    let b = outputs(2, 2);
    assert_ne!(
        a[1].1, b[1].1,
        "replications.csv should change with the seed"
    );
}

#[test]
fn arms_without_interventions_see_the_same_world() {
    // Common random numbers: two arms with the same (empty) schedule are identical.
    let files = outputs(2, 9);
    let text = String::from_utf8(files[1].1.clone()).unwrap();
    let rows = |arm: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with(&format!("{arm},")))
            .map(|l| l.split_once(',').unwrap().1.to_string())
            .collect()
    };
    assert_eq!(rows("baseline").len(), 7);
    // Every column but the two paybacks (undefined for the baseline itself; week 0 for an arm
    // never behind it) is the same.
    let header: Vec<&str> = text.lines().next().unwrap().split(',').skip(1).collect();
    let without_payback = |rows: Vec<String>| -> Vec<String> {
        rows.iter()
            .map(|r| {
                r.split(',')
                    .zip(&header)
                    .filter(|(_, h)| !h.contains("payback"))
                    .map(|(v, _)| v)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    };
    assert_eq!(
        without_payback(rows("baseline")),
        without_payback(rows("second"))
    );
    let at = header.iter().position(|h| *h == "payback_week").unwrap();
    for r in rows("second") {
        assert_eq!(
            r.split(',').nth(at),
            Some("0"),
            "never behind: pays back at once"
        );
    }
}
