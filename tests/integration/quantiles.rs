//! Percentiles across replications are exact (Hyndman & Fan type 7 over every replication's
//! value), never outside the data, the same on any thread count or sharding; past the memory
//! budget they come from a sketch that stays within the data and its documented error.

use std::path::Path;

use chainsim::model::Metric;
use chainsim::report::{self, ComparisonRow, ReplicationRow, WeeklyRow};
use chainsim::runner::{self, RunOptions, RunShard, Shard};
use chainsim::scenario::{Arm, Intervention, Lever, Provenance, Scenario};
use chainsim::stats::sketch::RELATIVE_ACCURACY;
use chainsim::stats::{QuantileMethod, QuantileStore};

use crate::common::{chainsim, small};

/// The small scenario with a second arm that trains skills, which pays back within 20 weeks in
/// most replications, in different weeks.
fn two_arms(weeks: u32) -> Scenario {
    let mut s = small(weeks);
    s.arms.push(Arm {
        name: "skills".into(),
        interventions: vec![Intervention {
            lever: Lever::SkillsTraining { amount: 100.0 },
            start_week: 1,
            ..Intervention::default()
        }],
        ..Arm::default()
    });
    s
}

/// Runs every replication of `s` in one shard, keeping percentiles within `budget` bytes.
fn run_whole(s: &Scenario, reps: u32, threads: usize, budget: u64) -> RunShard {
    let options = RunOptions {
        replications: reps,
        threads,
        quantile_budget_bytes: budget,
        ..RunOptions::from_scenario(s)
    };
    runner::run_shard(s, &Provenance::of("test", ""), &options).unwrap()
}

/// The values of cell `cell` over the replications where it is defined.
fn column(store: &QuantileStore, cell: usize) -> Vec<f64> {
    let QuantileStore::Exact(samples) = store else {
        panic!("expected exact values");
    };
    samples
        .values()
        .chunks_exact(samples.width())
        .map(|row| row[cell])
        .filter(|x| !x.is_nan())
        .collect()
}

/// Type 7 of `q` computed here on its own: h = (n - 1) q, between the order statistics.
fn type_7(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// `weekly.csv` of `r`, written into `dir` and read back.
fn weekly_rows(r: &runner::RunResult, dir: &Path) -> Vec<WeeklyRow> {
    report::write_run(r, dir).unwrap();
    report::run::read_rows(&dir.join("weekly.csv")).unwrap()
}

#[test]
fn constant_figures_are_exactly_the_constant() {
    // Nobody quits: the headcount stays what the scenario says; the overhead is fixed.
    let mut s = small(8);
    s.links.quits = false;
    let r = run_whole(&s, 9, 2, runner::DEFAULT_QUANTILE_BUDGET_BYTES).to_result();
    assert_eq!(r.quantile_method, QuantileMethod::Exact);
    let dir = tempfile::tempdir().unwrap();
    let rows = weekly_rows(&r, dir.path());
    let sites = f64::from(s.sites.count);
    let per_site = [
        ("headcount", f64::from(s.sites.employees_per_site)),
        ("overhead", s.money.overhead_per_site_per_week),
    ];
    let mut checked = 0;
    for (metric, each) in per_site {
        for row in rows.iter().filter(|r| r.metric == metric) {
            let want = if row.site == "all" {
                sites * each
            } else {
                each
            };
            for (what, x) in [
                ("mean", row.mean),
                ("p05", row.p05),
                ("p25", row.p25),
                ("p50", row.p50),
                ("p75", row.p75),
                ("p95", row.p95),
            ] {
                assert_eq!(
                    x.to_bits(),
                    want.to_bits(),
                    "{metric} site {} week {}: {what} {x}, not {want}",
                    row.site,
                    row.week
                );
            }
            checked += 1;
        }
    }
    // Two metrics x (2 sites + the firm) x 8 weeks.
    assert_eq!(checked, 2 * 3 * 8);
}

#[test]
fn every_percentile_is_type_7_of_the_replications_and_within_their_range() {
    let weeks = 20;
    let s = two_arms(weeks as u32);
    let shard = run_whole(&s, 23, 2, runner::DEFAULT_QUANTILE_BUDGET_BYTES);
    let r = shard.to_result();
    let dir = tempfile::tempdir().unwrap();
    let rows = weekly_rows(&r, dir.path());
    assert_eq!(
        rows.len(),
        r.arms.len() * (r.sites + 1) * weeks * r.metrics.len()
    );
    let mut i = 0;
    for (a, arm) in shard.arms.iter().enumerate() {
        for site in 0..=r.sites {
            for week in 0..weeks {
                for (k, m) in r.metrics.iter().enumerate() {
                    let row = &rows[i];
                    i += 1;
                    assert_eq!(
                        (row.arm.as_str(), row.metric.as_str()),
                        (r.arms[a].name.as_str(), m.name())
                    );
                    let v = column(&arm.cells, r.cell(site, week, k));
                    let p = [row.p05, row.p25, row.p50, row.p75, row.p95];
                    if v.is_empty() {
                        assert!(p.iter().all(|x| x.is_nan()) && row.mean.is_nan());
                        continue;
                    }
                    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let at = format!("{} site {site} week {week} {}", row.arm, row.metric);
                    assert!(
                        (lo..=hi).contains(&row.mean),
                        "{at}: mean {} outside [{lo}, {hi}]",
                        row.mean
                    );
                    for (x, q) in p.iter().zip(chainsim::stats::PERCENTILES) {
                        assert!((lo..=hi).contains(x), "{at}: p{q} {x} outside [{lo}, {hi}]");
                        let want = type_7(&v, q);
                        assert!(
                            (x - want).abs() <= 1e-12 * want.abs().max(1.0),
                            "{at}: p{q} {x}, type 7 gives {want}"
                        );
                    }
                    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{at}: {p:?}");
                }
            }
        }
    }
    // The final state and the paired summaries: payback percentiles within the replications'.
    let replications: Vec<ReplicationRow> =
        report::run::read_rows(&dir.path().join("replications.csv")).unwrap();
    let comparison: Vec<ComparisonRow> =
        report::run::read_rows(&dir.path().join("comparison.csv")).unwrap();
    let skills = comparison.iter().find(|c| c.arm == "skills").unwrap();
    let paybacks: Vec<f64> = replications
        .iter()
        .filter(|x| x.arm == "skills" && x.payback_week.is_finite())
        .map(|x| x.payback_week)
        .collect();
    assert!(
        !paybacks.is_empty(),
        "the skills arm pays back in some replication"
    );
    let lo = paybacks.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = paybacks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for x in [
        skills.payback_week_p05,
        skills.payback_week_median,
        skills.payback_week_p95,
    ] {
        // Empty (infinite) where it falls among replications that never pay back.
        assert!(
            x.is_nan() || (lo..=hi).contains(&x),
            "payback percentile {x} outside [{lo}, {hi}]"
        );
    }
    // The last week in the summary people read is those same exact cells.
    let last = r.firm_at(0, weeks - 1, Metric::Satisfaction);
    let v = column(
        &shard.arms[0].cells,
        r.cell(r.sites, weeks - 1, r.metric_index(Metric::Satisfaction)),
    );
    assert_eq!(last.p[2].to_bits(), type_7(&v, 0.5).to_bits());
}

#[test]
fn weekly_medians_are_not_stair_stepped() {
    let s = small(30);
    let weeks = 30usize;
    let median_values = |budget: u64| {
        let r = run_whole(&s, 40, 2, budget).to_result();
        let mut medians: Vec<u64> = (4..weeks)
            .map(|w| r.firm_at(0, w, Metric::Satisfaction).median().to_bits())
            .collect();
        medians.sort_unstable();
        medians.dedup();
        (r.quantile_method, medians.len())
    };
    let (method, exact) = median_values(runner::DEFAULT_QUANTILE_BUDGET_BYTES);
    assert_eq!(method, QuantileMethod::Exact);
    // Satisfaction drifts week by week: the weekly medians (26 weeks) are nearly all distinct.
    assert!(
        exact * 10 >= (weeks - 4) * 9,
        "exact medians take only {exact} distinct values in {} weeks",
        weeks - 4
    );
    // The sketch's 2% buckets gave only a few (issue 17): the test tells the two apart.
    let (method, sketched) = median_values(0);
    assert_eq!(method, QuantileMethod::Sketch);
    assert!(sketched < exact, "sketched {sketched}, exact {exact}");
}

#[test]
fn the_sketch_fallback_stays_within_the_data_and_its_documented_error() {
    let s = two_arms(12);
    let exact = run_whole(&s, 31, 2, runner::DEFAULT_QUANTILE_BUDGET_BYTES);
    // A budget one byte short of the run's exact values: the run sketches.
    let mut sized = s.clone();
    sized.replications = 31;
    let need = runner::exact_values_bytes(&sized);
    assert_eq!(runner::quantile_method(&sized, need), QuantileMethod::Exact);
    assert_eq!(
        runner::quantile_method(&sized, need - 1),
        QuantileMethod::Sketch
    );
    let sketched = run_whole(&s, 31, 1, need - 1);
    assert_eq!(sketched.quantile_method(), QuantileMethod::Sketch);
    let (e, k) = (exact.to_result(), sketched.to_result());
    let mut compared = 0;
    for (a, (ea, ka)) in e.arms.iter().zip(&k.arms).enumerate() {
        for (cell, (x, y)) in ea.weekly.iter().zip(&ka.weekly).enumerate() {
            let v = column(&exact.arms[a].cells, cell);
            if v.is_empty() {
                assert!(y.p.iter().all(|p| p.is_nan()));
                continue;
            }
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            // The documented bound: within 2% of the cell's largest magnitude (plus the 1e-9
            // under which magnitudes count as zero), never outside [min, max], exact when
            // the cell is constant.
            let bound = RELATIVE_ACCURACY * lo.abs().max(hi.abs()) + 1e-9;
            assert_eq!(x.count, y.count);
            for (p, q) in x.p.iter().zip(&y.p) {
                assert!(
                    (lo..=hi).contains(q),
                    "cell {cell}: {q} outside [{lo}, {hi}]"
                );
                assert!((p - q).abs() <= bound, "cell {cell}: sketch {q}, exact {p}");
                if lo == hi {
                    assert_eq!(q.to_bits(), lo.to_bits());
                }
            }
            assert!((lo..=hi).contains(&y.mean));
            // Means: exact to the millionth each value is summed in.
            assert!((x.mean - y.mean).abs() <= 1e-6 + 1e-12 * lo.abs().max(hi.abs()));
            compared += 1;
        }
    }
    assert!(compared > 1000, "{compared} cells compared");
}

/// `run` through the binary with `extra` arguments, into `out`.
fn cli_run(cwd: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/valid_minimal.ron"
        ),
        "--reps",
        "11",
        "--weeks",
        "9",
        "--seed",
        "3",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    chainsim(cwd).args(&args).assert().success();
}

/// The manifest's `quantile_method`.
fn method_of(dir: &Path) -> String {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    m["quantile_method"].as_str().unwrap().to_string()
}

#[test]
fn shards_and_threads_give_the_same_bits_exact_or_sketched() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for (budget, method) in [(None, "exact"), (Some("0"), "sketch")] {
        let with = |extra: &[&'static str]| {
            let mut v: Vec<&str> = extra.to_vec();
            if let Some(b) = budget {
                v.extend(["--quantile-budget", b]);
            }
            v
        };
        let one = root.join(format!("{method}-1"));
        let two = root.join(format!("{method}-2"));
        cli_run(root, &one, &with(&["--threads", "1"]));
        cli_run(root, &two, &with(&["--threads", "2"]));
        let mut dirs = Vec::new();
        for k in [3, 1, 2] {
            let d = root.join(format!("{method}-shard{k}"));
            let shard = format!("{k}/3");
            let mut extra = with(&["--threads", if k == 2 { "2" } else { "1" }]);
            extra.extend(["--shard", &shard]);
            cli_run(root, &d, &extra);
            dirs.push(d.display().to_string());
        }
        let merged = root.join(format!("{method}-merged"));
        let mut args = vec!["merge".to_string()];
        args.extend(dirs.iter().cloned());
        args.extend(["--out".into(), merged.display().to_string()]);
        chainsim(root).args(&args).assert().success();
        for dir in [&one, &two, &merged] {
            assert_eq!(method_of(dir), method, "{}", dir.display());
        }
        for f in ["weekly.csv", "replications.csv", "comparison.csv"] {
            let a = std::fs::read(one.join(f)).ok();
            for dir in [&two, &merged] {
                assert!(
                    a == std::fs::read(dir.join(f)).ok(),
                    "{method}: {f} of {} differs from one thread's",
                    dir.display()
                );
            }
        }
        // The report says how its percentiles were computed.
        let html = std::fs::read_to_string(merged.join("report.html")).unwrap();
        let says = if method == "exact" {
            "are exact:"
        } else {
            "are from a DDSketch"
        };
        assert!(html.contains(says), "{method}: report.html does not say so");
    }
    // Shards that keep their percentiles differently do not merge.
    let (a, b) = (root.join("mixed1"), root.join("mixed2"));
    cli_run(root, &a, &["--shard", "1/2"]);
    cli_run(root, &b, &["--shard", "2/2", "--quantile-budget", "0"]);
    let out = root.join("mixed");
    let got = chainsim(root)
        .args([
            "merge",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&got.get_output().stderr).to_string();
    assert!(
        err.contains("keep their percentiles differently (exact vs sketch)"),
        "{err}"
    );
}

#[test]
fn shard_files_carry_every_value_bit_for_bit() {
    let s = two_arms(7);
    let whole = run_whole(&s, 10, 2, runner::DEFAULT_QUANTILE_BUDGET_BYTES);
    let bits = |s: &QuantileStore| -> Vec<u64> {
        let QuantileStore::Exact(v) = s else {
            panic!("exact values expected")
        };
        v.values().iter().map(|x| x.to_bits()).collect()
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut parts = Vec::new();
    for k in 1..=3 {
        let options = RunOptions {
            replications: 10,
            threads: 1,
            shard: Shard { index: k, count: 3 },
            ..RunOptions::from_scenario(&s)
        };
        let part = runner::run_shard(&s, &Provenance::of("test", ""), &options).unwrap();
        let dir = tmp.path().join(format!("s{k}"));
        let path = report::write_run_shard(&part, &dir).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let back: RunShard = runner::shard_check::open_run_shard(&text, "test").unwrap();
        for (b, p) in back.arms.iter().zip(&part.arms) {
            assert_eq!(bits(&b.cells), bits(&p.cells), "shard {k} read back");
            assert_eq!(bits(&b.delta), bits(&p.delta), "shard {k} read back");
            assert_eq!(b.cells.replications(), p.cells.replications());
        }
        parts.push((path.display().to_string(), back));
    }
    parts.reverse();
    let merged = RunShard::merge(parts).unwrap();
    for (m, w) in merged.arms.iter().zip(&whole.arms) {
        assert_eq!(m.cells.replications(), w.cells.replications());
        assert_eq!(bits(&m.cells), bits(&w.cells));
        assert_eq!(bits(&m.delta), bits(&w.delta));
    }
}

/// Every weekly figure of `r`, as bits.
fn weekly_bits(r: &RunShard) -> Vec<u64> {
    let r = r.to_result();
    r.arms
        .iter()
        .flat_map(|a| a.weekly.iter().chain(&a.delta))
        .flat_map(|q| std::iter::once(q.mean).chain(q.p))
        .map(f64::to_bits)
        .collect()
}

#[test]
fn a_run_that_outgrows_its_budget_holds_what_a_run_of_its_size_holds() {
    let s = two_arms(6);
    let mut one = s.clone();
    one.replications = 1;
    let per_replication = runner::exact_values_bytes(&one);
    // Room for the values of 4 replications: a run of 4 is exact, a run of 11 sketches.
    let budget = 4 * per_replication + per_replication / 2;
    let four = run_whole(&s, 4, 2, budget);
    assert_eq!(four.quantile_method(), QuantileMethod::Exact);
    assert_eq!(
        weekly_bits(&four),
        weekly_bits(&run_whole(&s, 4, 1, u64::MAX))
    );
    // The whole run keeps values until its 5th replication, then turns them into sketches: the
    // same as sketching from the start, and as 3 shards that sketch from the start.
    let eleven = run_whole(&s, 11, 2, budget);
    assert_eq!(eleven.quantile_method(), QuantileMethod::Sketch);
    assert_eq!(weekly_bits(&eleven), weekly_bits(&run_whole(&s, 11, 1, 0)));
    let parts: Vec<(String, RunShard)> = (1..=3)
        .map(|k| {
            let options = RunOptions {
                replications: 11,
                threads: 1,
                shard: Shard { index: k, count: 3 },
                quantile_budget_bytes: budget,
                ..RunOptions::from_scenario(&s)
            };
            let part = runner::run_shard(&s, &Provenance::of("test", ""), &options).unwrap();
            assert_eq!(part.quantile_method(), QuantileMethod::Sketch, "shard {k}");
            (format!("shard {k}"), part)
        })
        .collect();
    assert_eq!(
        weekly_bits(&RunShard::merge(parts).unwrap()),
        weekly_bits(&eleven)
    );
    // A precision run adds batches of 20: exact for the first, sketched once past the budget.
    let options = RunOptions {
        threads: 2,
        quantile_budget_bytes: 30 * per_replication,
        ..RunOptions::from_scenario(&s)
    };
    let provenance = Provenance::of("test", "");
    let (reached, _) = runner::run_to_precision(&s, &provenance, &options, 1e-9, 60).unwrap();
    assert_eq!(reached.header.replications, 60);
    assert_eq!(reached.quantile_method(), QuantileMethod::Sketch);
    assert_eq!(
        weekly_bits(&reached),
        weekly_bits(&run_whole(&s, 60, 2, 30 * per_replication))
    );
    let (twenty, _) = runner::run_to_precision(&s, &provenance, &options, 1e12, 60).unwrap();
    assert_eq!(twenty.header.replications, 20);
    assert_eq!(twenty.quantile_method(), QuantileMethod::Exact);
}
