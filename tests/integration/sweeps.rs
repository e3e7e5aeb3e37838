//! Sensitivity sweeps: sweep files are checked before anything runs, every design runs end to
//! end, points share common random numbers, and results do not depend on the thread count.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use chainsim::report::sweep::{self as report, PointCsv};
use chainsim::runner::Interrupt;
use chainsim::sweep::{PointResult, Sweep, SweepError, SweepResult};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A sweep over the two-arm fixture with the given factors and design.
fn sweep_text(factors: &str, design: &str, outputs: &str) -> String {
    format!(
        "(name: \"t\", base: File(\"two_arms.ron\"), design: {design}, replications: 3,
          factors: [{factors}], outputs: [{outputs}])"
    )
}

/// Writes a sweep over the two-arm fixture (by absolute path) to `dir/name`.
fn write_sweep(dir: &Path, name: &str, factors: &str, design: &str) -> PathBuf {
    let path = dir.join(name);
    let text = sweep_text(factors, design, DELTA).replace(
        "two_arms.ron",
        &fixtures().join("two_arms.ron").display().to_string(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn parse(text: &str) -> Result<Sweep, SweepError> {
    Sweep::parse(text, "t.ron", &fixtures())
}

const DELTA: &str = "(arm: \"tooling\", measure: \"npv\", against: Some(\"baseline\"))";

#[test]
fn unknown_paths_get_the_closest_valid_ones() {
    let e = parse(&sweep_text(
        "(path: \"employees.expected_tenure_week\", low: 50.0, high: 100.0)",
        "OneAtATime",
        DELTA,
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("factors[0]"), "{e}");
    assert!(e.contains("`employees.expected_tenure_weeks`"), "{e}");
}

#[test]
fn ranges_leaving_the_domain_are_refused_naming_factor_and_bound() {
    let e = parse(&sweep_text(
        "(path: \"customers.churn_middle_per_year\", low: -0.1, high: 0.3),
         (path: \"customers.complaint_probability\", low: 0.01, high: 1.5)",
        "OneAtATime",
        DELTA,
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("`customers.churn_middle_per_year`") && e.contains("low bound -0.1"),
        "{e}"
    );
    assert!(
        e.contains("`customers.complaint_probability`") && e.contains("high bound 1.5"),
        "{e}"
    );
}

#[test]
fn bad_outputs_and_designs_are_all_reported_at_once() {
    let e = parse(&sweep_text(
        "(path: \"isq.tools_effect\", levels: [])",
        "Morris(trajectories: 1, levels: 4)",
        "(arm: \"nope\", measure: \"profitz\")",
    ))
    .unwrap_err()
    .to_string();
    for part in ["levels", "`nope`", "`profitz`", "trajectories"] {
        assert!(e.contains(part), "{part} missing from: {e}");
    }
}

#[test]
fn syntax_errors_are_located() {
    let e = parse("(name: \"t\", base: File(\"two_arms.ron\"), design: Nonsense)")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("t.ron:1:"), "{e}");
}

/// Runs `sweep` on `threads` threads as the command does: points streamed to `sweep.csv`, then
/// every other file written.
fn run(sweep: &Sweep, threads: usize) -> (tempfile::TempDir, SweepResult) {
    let dir = tempfile::tempdir().unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut csv = PointCsv::create(dir.path(), &sweep.file).unwrap();
    let r = pool
        .install(|| sweep.run(None, Interrupt::default(), &mut |i, p| csv.point(i, p)))
        .unwrap();
    csv.finish().unwrap();
    report::write_sweep(&r, dir.path()).unwrap();
    (dir, r)
}

fn means(p: &PointResult) -> Vec<f64> {
    p.outputs.iter().map(|o| o.mean).collect()
}

#[test]
fn one_at_a_time_shares_random_numbers_across_points_and_threads() {
    // The low end equals the base value: with common random numbers that point must reproduce
    // the base point exactly.
    let s = parse(&sweep_text(
        "(path: \"isq.tools_effect\", low: 0.3, high: 0.5),
         (path: \"employees.expected_tenure_weeks\", levels: [60.0, 300.0])",
        "OneAtATime",
        DELTA,
    ))
    .unwrap();
    let (dir, r) = run(&s, 1);
    assert_eq!(r.points.len(), 5);
    assert_eq!(r.points[1], r.points[0], "low end = base value");
    assert_ne!(means(&r.points[2]), means(&r.points[0]));
    let (dir2, _) = run(&s, 2);
    for f in ["sweep.csv", "indices.csv", "tornado.png", "tornado.svg"] {
        let a = std::fs::read(dir.path().join(f)).unwrap();
        assert_eq!(a, std::fs::read(dir2.path().join(f)).unwrap(), "{f}");
    }
    let indices = std::fs::read_to_string(dir.path().join("indices.csv")).unwrap();
    assert!(indices.contains("isq.tools_effect,npv[tooling-baseline],swing,"));
    // The swing's interval is the paired t over replications: it holds the swing, and the low
    // end equal to the base makes the pairs of tools_effect's swing exact differences.
    let swing = r
        .index("isq.tools_effect", "npv[tooling-baseline]", "swing")
        .unwrap();
    assert!(
        swing.lo <= swing.estimate && swing.estimate <= swing.hi,
        "{swing:?}"
    );
    assert_eq!(swing.interval, chainsim::sweep::IntervalMethod::PairedT);
    assert!(!dir.path().join("sweep.csv.partial").exists());
}

#[test]
fn every_design_runs_and_writes_its_chart() {
    let factors = "(path: \"isq.tools_effect\", low: 0.1, high: 0.5),
                   (path: \"customers.spend_per_visit\", low: 20.0, high: 40.0, distribution: LogUniform)";
    for (design, chart, measure) in [
        (
            "Grid(grid_levels: 3)",
            Some("heatmap.png"),
            "main_effect_range",
        ),
        (
            "LatinHypercube(points: 8)",
            Some("correlation.png"),
            "correlation",
        ),
        (
            "Morris(trajectories: 4, levels: 4)",
            Some("morris.png"),
            "mu_star",
        ),
        (
            "Sobol(base_samples: 4, bootstrap: 20)",
            Some("sobol.png"),
            "total",
        ),
    ] {
        let s = parse(&sweep_text(factors, design, DELTA)).unwrap();
        let (dir, r) = run(&s, 2);
        let expected = match design {
            d if d.starts_with("Grid") => 9,
            d if d.starts_with("Latin") => 8,
            d if d.starts_with("Morris") => 12,
            _ => 16,
        };
        assert_eq!(r.points.len(), expected, "{design}");
        assert!(
            r.indices
                .iter()
                .any(|x| x.measure == measure && x.estimate.is_finite()),
            "{design}: no finite {measure}"
        );
        // Every interval is filled.
        for x in &r.indices {
            assert!(x.lo.is_finite() && x.hi.is_finite(), "{design}: {x:?}");
            assert!(x.lo <= x.hi, "{design}: {x:?}");
        }
        let indices = std::fs::read_to_string(dir.path().join("indices.csv")).unwrap();
        assert!(indices.starts_with("factor,output,measure,estimate,ci_lo,ci_hi,interval\n"));
        assert!(
            !indices.contains(",,"),
            "{design}: an empty interval in\n{indices}"
        );
        // Spend per visit drives NPV: it must come out with an effect.
        let csv = std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
        assert_eq!(csv.lines().count(), expected + 1, "{design}");
        if let Some(c) = chart {
            assert!(dir.path().join(c).is_file(), "{design}: {c}");
        }
        assert!(dir.path().join("manifest.json").is_file());
    }
}

#[test]
fn example_sweep_files_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ron") {
            Sweep::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 3, "expected the three example sweeps, found {n}");
}

#[test]
fn cli_sweep_refuses_bad_files_with_exit_2_and_runs_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_sweep(
        dir.path(),
        "bad.ron",
        "(path: \"nope.x\", low: 1.0, high: 2.0)",
        "OneAtATime",
    );
    let out = dir.path().join("o");
    let a = cargo_bin_cmd!("chainsim")
        .args(["sweep"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(stderr.contains("closest valid paths"), "{stderr}");
    assert!(
        !out.exists(),
        "nothing may run or be written for a bad sweep"
    );

    let good = write_sweep(
        dir.path(),
        "good.ron",
        "(path: \"isq.tools_effect\", low: 0.1, high: 0.5)",
        "OneAtATime",
    );
    let a = cargo_bin_cmd!("chainsim")
        .args(["sweep"])
        .arg(&good)
        .args(["--reps", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(stdout.contains("isq.tools_effect"), "{stdout}");
    assert!(out.join("sweep.csv").is_file() && out.join("tornado.svg").is_file());
}

#[test]
fn three_sweep_shards_merged_equal_one_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_sweep(
        dir.path(),
        "s.ron",
        "(path: \"isq.tools_effect\", low: 0.1, high: 0.5),
         (path: \"customers.spend_per_visit\", low: 20.0, high: 40.0)",
        "Morris(trajectories: 3, levels: 4)",
    );
    let sweep = |extra: &[&str], out: &Path| {
        cargo_bin_cmd!("chainsim")
            .arg("sweep")
            .arg(&file)
            .args(extra)
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    let whole = dir.path().join("whole");
    sweep(&[], &whole);
    let shards: Vec<PathBuf> = (1..=3).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, d) in shards.iter().enumerate() {
        sweep(&["--shard", &format!("{}/3", k + 1)], d);
        assert!(d.join(chainsim::sweep::SWEEP_PARTIAL_FILE).is_file());
        assert!(
            !d.join("sweep.csv").exists(),
            "a shard writes only its partial"
        );
    }
    let merged = dir.path().join("merged");
    cargo_bin_cmd!("chainsim")
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    for f in ["sweep.csv", "indices.csv", "morris.png", "morris.svg"] {
        assert_eq!(
            std::fs::read(whole.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // A missing shard is refused, naming it.
    let a = cargo_bin_cmd!("chainsim")
        .arg("merge")
        .args(&shards[..2])
        .arg("--out")
        .arg(dir.path().join("bad"))
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(stderr.contains("shard 3 of 3 is missing"), "{stderr}");
}

#[test]
fn an_inline_base_is_checked_like_a_file() {
    let text = |wage: &str| {
        format!(
            "(name: \"i\", base: Inline((name: \"inline\", weeks: 6, replications: 2,
                sites: (count: 1, employees_per_site: 3, customers_per_site: 150, market_per_site: 200),
                employees: (wage_per_hour: {wage}),
                arms: [(name: \"baseline\"), (name: \"pay\", interventions: [(lever: PayRaise(percent: 10.0), start_week: 1)])])),
              design: LatinHypercube(points: 4), replications: 2,
              factors: [(path: \"customers.spend_per_visit\", low: 20.0, high: 40.0)],
              outputs: [(arm: \"pay\", against: Some(\"baseline\"))])"
        )
    };
    let s = parse(&text("20.0")).unwrap();
    assert_eq!(s.base.name, "inline");
    let e = parse(&text("-3.0")).unwrap_err().to_string();
    assert!(e.contains("base.employees.wage_per_hour"), "{e}");
    let (_, r) = run(&s, 2);
    assert_eq!(r.points.len(), 4);
}

#[test]
fn weekly_metrics_are_outputs_too() {
    let s = parse(&sweep_text(
        "(path: \"employees.expected_tenure_weeks\", levels: [20.0, 400.0])",
        "Grid(grid_levels: 2)",
        "(arm: \"baseline\", measure: \"turnover_annualised\"), (arm: \"tooling\", measure: \"retention_annualised\", against: Some(\"baseline\"))",
    ))
    .unwrap();
    let (_, r) = run(&s, 2);
    assert_eq!(r.outputs[0], "turnover_annualised[baseline]");
    // Shorter tenures mean more turnover: the sweep's weekly-metric output sees it.
    assert!(
        r.points[0].mean(0) > r.points[1].mean(0),
        "{:?} vs {:?}",
        means(&r.points[0]),
        means(&r.points[1])
    );
    assert!(r.points.iter().all(|p| p.mean(1).is_finite()));
    let e = parse(&sweep_text(
        "(path: \"isq.tools_effect\", low: 0.1, high: 0.5)",
        "OneAtATime",
        "(arm: \"baseline\", measure: \"turnover\")",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("a metric of weekly.csv") && e.contains("`turnover`"),
        "{e}"
    );
}

#[test]
fn factors_that_clash_in_combination_are_refused_before_anything_runs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_corpus/sweep_clash.ron");
    let sweep = Sweep::load(&path).expect("each bound is valid alone");
    let e = sweep.check_points().unwrap_err().to_string();
    assert!(
        e.contains("corner 1 (sites.customers_per_site = 150, sites.market_per_site = 120)"),
        "{e}"
    );
    assert!(
        e.contains("sites.market_per_site: expected at least customers_per_site (150), found 120"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    assert!(matches!(
        sweep.run(None, Interrupt::default(), &mut |_, _| {
            std::fs::create_dir_all(&out).unwrap();
            Ok(())
        }),
        Err(SweepError::Invalid { .. })
    ));
    assert!(!out.exists(), "refused before the output is created");
}

#[test]
fn designs_too_big_to_plan_are_refused_with_their_size() {
    // Each would once have wrapped round, planned for hours or allocated without bound.
    let one = "(path: \"isq.tools_effect\", low: 0.1, high: 0.5)";
    let three = format!(
        "{one}, (path: \"isq.skills_initial\", low: 10.0, high: 90.0), (path: \"isq.tools_initial\", low: 10.0, high: 90.0)"
    );
    for (factors, design, says) in [
        (
            three.as_str(),
            "Grid(grid_levels: 4194304)",
            "design: expected at most 1000000 points, found too many for 3 factors",
        ),
        (
            one,
            "Grid(grid_levels: 1000000000)",
            "design: grid_levels: expected 2 to 1000000, found 1000000000",
        ),
        (
            one,
            "Morris(trajectories: 4, levels: 1000000000000)",
            "design: levels: expected 2 to 1000, found 1000000000000",
        ),
        (
            one,
            "Sobol(base_samples: 8, bootstrap: 10000000000)",
            "design: bootstrap: expected 0 to 100000, found 10000000000",
        ),
        (
            one,
            "Sobol(base_samples: 18446744073709551615, bootstrap: 10)",
            "design: base_samples: expected 4 to 1000000, found 18446744073709551615",
        ),
        (
            one,
            "LatinHypercube(points: 2000000)",
            "design: points: expected 2 to 1000000, found 2000000",
        ),
    ] {
        let e = parse(&sweep_text(factors, design, DELTA))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.ron: the sweep is not valid:"), "{e}");
        assert!(e.contains(says), "{design}: {e}");
    }
    let e = parse(
        &sweep_text(one, "OneAtATime", DELTA)
            .replace("replications: 3", "replications: 4000000000"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("replications: expected at most 10000 per point, found 4000000000"),
        "{e}"
    );
}

#[test]
fn sweep_syntax_errors_say_what_was_found() {
    let e = parse("(name: \"t\", base: BuiltIn, design: Grid(grid_levels: 4.5))")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "t.ron:1:54: expected an integer, found `4.5`");
}

#[test]
fn every_output_gets_its_charts_and_its_summary() {
    let s = parse(&sweep_text(
        "(path: \"isq.tools_effect\", low: 0.1, high: 0.5)",
        "OneAtATime",
        "(arm: \"tooling\", measure: \"npv\", against: Some(\"baseline\")), (arm: \"tooling\", measure: \"mean_wait_minutes\")",
    ))
    .unwrap();
    let (dir, r) = run(&s, 2);
    for f in [
        "tornado.png",
        "tornado.svg",
        "tornado_2.png",
        "tornado_2.svg",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    let text = chainsim::report::sweep::summary(&r);
    assert!(text.contains("npv[tooling-baseline] (currency)"), "{text}");
    assert!(
        text.contains("mean_wait_minutes[tooling] (minutes)"),
        "{text}"
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"fig-tornado_2\"><svg"));
    let manifest: chainsim::report::sweep::SweepManifest =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest.charts.len(), 2);
    assert_eq!(manifest.output_units, ["currency", "minutes"]);
    assert!(manifest.intervals.contains_key("paired_t"));
}

#[test]
fn each_factor_says_whether_the_better_arm_changes_across_its_range() {
    // In the two-arm fixture over a year, tooling pays only where customers spend enough per
    // visit: the better arm flips inside the range; the tools' cost per site moves nothing.
    let text = sweep_text(
        "(path: \"customers.spend_per_visit\", low: 5.0, high: 400.0),
         (path: \"arms[1].interventions[0].cost_per_site\", low: 0.0, high: 1.0)",
        "OneAtATime",
        DELTA,
    )
    .replace("replications: 3", "replications: 3, weeks: 52");
    let (_, r) = run(&parse(&text).unwrap(), 2);
    assert_eq!(r.arm_choices.len(), 2);
    let spend = &r.arm_choices[0];
    assert_eq!(spend.factor, "customers.spend_per_visit");
    assert_eq!(spend.flips().len(), 1, "{spend:?}");
    assert_eq!(spend.preferred(spend.levels[0].mean), Some("baseline"));
    assert_eq!(spend.preferred(spend.levels[2].mean), Some("tooling"));
    let cost = &r.arm_choices[1];
    assert!(cost.flips().is_empty(), "{cost:?}");
    let summary = chainsim::report::sweep::summary(&r);
    assert!(
        summary.contains("customers.spend_per_visit: the better arm on npv changes across the range 5.00 to 400 currency/visit: baseline at the low end; tooling from between"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "arms[1].interventions[0].cost_per_site: baseline is the better arm on npv over the whole range"
        ),
        "{summary}"
    );
}

#[test]
fn cli_sweep_prints_json_or_nothing_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_sweep(
        dir.path(),
        "s.ron",
        "(path: \"isq.tools_effect\", low: 0.1, high: 0.5)",
        "OneAtATime",
    );
    let a = cargo_bin_cmd!("chainsim")
        .arg("sweep")
        .arg(&file)
        .args(["--reps", "2", "--json", "--out"])
        .arg(dir.path().join("j"))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert_eq!(v["complete"], true);
    let out = &v["outputs"][0];
    assert_eq!(out["label"], "npv[tooling-baseline]");
    assert_eq!(out["indices"][2]["measure"], "swing");
    assert!(out["indices"][2]["lo"].is_number(), "{out}");
    assert_eq!(out["arm_choices"][0]["factor"], "isq.tools_effect");
    assert!(v["files"].as_array().unwrap().len() > 3);
    let a = cargo_bin_cmd!("chainsim")
        .arg("sweep")
        .arg(&file)
        .args(["--reps", "2", "--quiet", "--out"])
        .arg(dir.path().join("q"))
        .assert()
        .success();
    assert!(a.get_output().stdout.is_empty());
    assert!(a.get_output().stderr.is_empty());
    assert!(dir.path().join("q/indices.csv").is_file());
}

#[test]
fn a_measure_named_like_a_weekly_metric_is_the_replications_column() {
    // `revenue` is both a column of replications.csv (over the horizon) and a weekly metric
    // (per week): the column is meant, as documented.
    let s = parse(&sweep_text(
        "(path: \"isq.tools_effect\", low: 0.1, high: 0.5)",
        "OneAtATime",
        "(arm: \"baseline\", measure: \"revenue\")",
    ))
    .unwrap();
    let (_, r) = run(&s, 2);
    let mut options = chainsim::runner::RunOptions::from_scenario(&s.base);
    options.replications = 3;
    let whole = chainsim::runner::run(&s.base, &options).unwrap();
    let total: Vec<f64> = whole.arms[0]
        .replications
        .iter()
        .map(|x| x.revenue)
        .collect();
    assert_eq!(r.points[0].outputs[0].replications, total);
}
