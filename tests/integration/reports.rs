//! `report.html` and `explain`: the page's structure (self-contained, every chart and section
//! present, the reading of the comparison matching comparison.csv), rebuilding it, and the
//! narrative's agreement with the run's own numbers.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use chainsim::explain::{ExplainOptions, PolicyChange, PolicyEvent, explain};
use chainsim::model::Metric;
use chainsim::report::format::grouped;
use chainsim::report::narrative::narrate;
use chainsim::runner::{self, RunOptions};
use chainsim::scenario::{Lever, Scenario};

use crate::common::small;

fn fixtures() -> PathBuf {
    crate::common::root().join("tests/fixtures")
}

/// A two-arm scenario file with commented assumptions, written to `dir`.
fn commented_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("commented.ron");
    std::fs::write(
        &path,
        r#"// A small firm for the report tests.
(
    name: "report_test",
    description: "Does tooling pay in a small firm?",
    weeks: 12,
    replications: 4,
    sites: (count: 2, employees_per_site: 4, customers_per_site: 300, market_per_site: 400),
    employees: (
        // Two dollars under the market wage (client's payroll, 2026).
        wage_per_hour: 18.0,
    ),
    arms: [
        (name: "baseline"),
        (name: "tooling", description: "new systems", interventions: [(lever: Tooling(amount: 20000.0), start_week: 1, cost_per_site: 1000.0)]),
        (name: "no_mirror", description: "the mirror cut", links: (satisfaction_mirror: false)),
    ],
)
"#,
    )
    .unwrap();
    path
}

fn run_into(scenario: &Path, out: &Path) {
    cargo_bin_cmd!("chainsim")
        .arg("run")
        .arg(scenario)
        .args(["--threads", "2", "--out"])
        .arg(out)
        .assert()
        .success();
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn a_run_writes_a_self_contained_report_with_every_section_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = commented_scenario(dir.path());
    let out = dir.path().join("out");
    run_into(&scenario, &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();

    // Self-contained: nothing loaded from elsewhere, no scripts.
    for banned in [
        "<script", "<link", "src=", "@import", "url(", "http://", "https://",
    ] {
        assert!(!html.contains(banned), "the page holds {banned}");
    }
    for id in [
        "simulated",
        "arms",
        "answer",
        "comparison",
        "charts",
        "dashboard",
        "chain-state",
        "assumptions",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "section {id} missing"
        );
    }
    // Every chart the run drew is inline, once.
    let svgs: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.strip_suffix(".svg").map(str::to_string)
        })
        .collect();
    assert_eq!(svgs.len(), 5, "{svgs:?}");
    for stem in &svgs {
        assert_eq!(
            count(&html, &format!("id=\"fig-{stem}\"><svg")),
            1,
            "{stem}"
        );
    }
    assert_eq!(count(&html, "<svg"), svgs.len());

    // The reading of each arm agrees with comparison.csv.
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for rec in rows.records() {
        let rec = rec.unwrap();
        if &rec[col("baseline")] == "true" {
            continue;
        }
        let p: f64 = rec[col("p_beats_baseline")].parse().unwrap();
        let delta: f64 = rec[col("delta_npv_mean")].parse().unwrap();
        let reading = format!(
            "<strong>{}</strong> {} <strong>{}</strong>",
            &rec[col("arm")],
            if delta >= 0.0 { "adds" } else { "costs" },
            chainsim::report::format::money(delta.abs())
        );
        assert!(html.contains(&reading), "no reading `{reading}`");
        assert!(
            html.contains(&format!(
                "beats it in <strong>{:.0}%</strong> of 4 paired",
                100.0 * p
            )),
            "{} share",
            &rec[col("arm")]
        );
    }
    // The arm that cuts a link says so; the assumptions carry the file's own comment.
    assert!(html.contains("links switched off: satisfaction_mirror"));
    assert!(html.contains("employees.wage_per_hour"));
    assert!(html.contains("Two dollars under the market wage (client&#39;s payroll, 2026)."));
    assert!(
        !html.contains("<code>sites.manager_quality"),
        "unchanged parameters are not assumptions"
    );
    // Reproducibility footer: version, seed, scenario hash, command line.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for key in ["chainsim_version", "scenario_sha256"] {
        assert!(html.contains(manifest[key].as_str().unwrap()), "{key}");
    }
    assert!(html.contains(&format!("seed <code>{}</code>", manifest["seed"])));
    assert!(html.contains("Command: <code>") && html.contains(" run "));
    // The scenario text is kept beside the results.
    assert_eq!(
        std::fs::read_to_string(out.join("scenario.ron")).unwrap(),
        std::fs::read_to_string(&scenario).unwrap()
    );
}

#[test]
fn report_rebuilds_the_same_page_and_marks_an_incomplete_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_into(&fixtures().join("two_arms.ron"), &out);
    let written = std::fs::read(out.join("report.html")).unwrap();
    std::fs::remove_file(out.join("report.html")).unwrap();
    cargo_bin_cmd!("chainsim")
        .arg("report")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), written);
    assert!(!String::from_utf8_lossy(&written).contains("Incomplete run"));

    // A run stopped early says so at the top.
    let path = out.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    m["complete"] = serde_json::json!(false);
    m["replications_done"] = serde_json::json!(2);
    std::fs::write(&path, serde_json::to_string(&m).unwrap()).unwrap();
    cargo_bin_cmd!("chainsim")
        .arg("report")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<strong>Incomplete run.</strong> It was stopped after 2 of 4 replications"),
        "no banner"
    );

    // A directory holding no results is refused as bad input, naming it.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let a = cargo_bin_cmd!("chainsim")
        .arg("report")
        .arg(&empty)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        stderr.contains(&empty.display().to_string()) && stderr.contains("expected the output"),
        "{stderr}"
    );
}

#[test]
fn sweeps_and_validation_write_reports_too() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("s.ron");
    std::fs::write(
        &sweep,
        format!(
            "(name: \"t\", base: File(\"{}\"), design: OneAtATime, replications: 2,
              factors: [(path: \"isq.tools_effect\", low: 0.1, high: 0.5),
                        (path: \"customers.spend_per_visit\", low: 20.0, high: 40.0)],
              outputs: [(arm: \"tooling\", measure: \"npv\", against: Some(\"baseline\"))])",
            fixtures().join("two_arms.ron").display()
        ),
    )
    .unwrap();
    let out = dir.path().join("sweep");
    cargo_bin_cmd!("chainsim")
        .arg("sweep")
        .arg(&sweep)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Which assumptions drive the answer"));
    assert!(html.contains("<code>customers.spend_per_visit</code>"));
    assert!(html.contains("id=\"fig-tornado\"><svg"));
    // Spend per visit moves NPV more than the tools effect over these ranges: the page says
    // which factor comes first from indices.csv, whichever it is.
    let indices = std::fs::read_to_string(out.join("indices.csv")).unwrap();
    let top = indices
        .lines()
        .filter(|l| l.contains(",swing,"))
        .max_by(|a, b| {
            let v = |l: &str| l.split(',').nth(3).unwrap().parse::<f64>().unwrap().abs();
            v(a).total_cmp(&v(b))
        })
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    assert!(
        html.contains(&format!("moves most with <code>{top}</code>")),
        "{top}"
    );

    let out = dir.path().join("validation");
    cargo_bin_cmd!("chainsim")
        .args(["validate", "--reps", "2", "--only", "queueing", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let csv = std::fs::read_to_string(out.join("validation.csv")).unwrap();
    let checks = csv.lines().count() - 1;
    assert!(
        html.contains(&format!("{checks} of {checks} checks pass")),
        "verdict"
    );
    assert_eq!(count(&html, "<tr><td><code>"), checks);
}

fn explained() -> Scenario {
    let mut s = small(26);
    s.employees.display_demand_base = 60.0;
    let mut smile = chainsim::scenario::Arm {
        name: "smile".into(),
        ..Default::default()
    };
    smile.interventions.push(chainsim::scenario::Intervention {
        lever: Lever::SmileTraining {
            display_points: 35.0,
        },
        start_week: 2,
        every_weeks: Some(8),
        ..Default::default()
    });
    s.arms.push(smile);
    s
}

#[test]
fn the_explanation_agrees_with_the_runs_own_numbers() {
    let s = explained();
    let options = RunOptions {
        replications: 1,
        seed: 11,
        threads: 1,
        weeks: s.weeks,
        progress: false,
        ..RunOptions::from_scenario(&s)
    };
    let r = runner::run(&s, &options).unwrap();
    for (arm, site) in [(0, None), (1, Some(1))] {
        let options = ExplainOptions {
            arm,
            site,
            seed: 11,
            replication: 0,
            weeks: s.weeks,
        };
        let e = explain(&s, &options);
        let text = narrate(&s, &options, &e);
        assert_eq!(e.months.len(), 6, "26 weeks are six months");
        let row = site.unwrap_or(r.sites);
        let cell =
            |m: Metric, w: u32| r.arms[arm].weekly[r.cell(row, w as usize, r.metric_index(m))].mean;
        for m in &e.months {
            let last = m.weeks.1;
            // The run's means are exact sums at fixed precision: agree to a millionth.
            let same = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
            for (what, mine, run) in [
                ("morale", m.morale, cell(Metric::Morale, last)),
                ("isq", m.isq, cell(Metric::Isq, last)),
                (
                    "satisfaction",
                    m.satisfaction,
                    cell(Metric::Satisfaction, last),
                ),
                (
                    "customers",
                    m.customers,
                    cell(Metric::ActiveCustomers, last),
                ),
            ] {
                assert!(same(mine, run), "month {} {what}: {mine} vs {run}", m.month);
            }
            let revenue: f64 = (m.weeks.0..=last)
                .map(|w| cell(Metric::Money(chainsim::ledger::Line::Revenue), w))
                .sum();
            assert!(same(m.revenue, revenue), "month {} revenue", m.month);
            // The narrative quotes the month's own figures.
            assert!(
                text.contains(&format!(
                    "Month {} (weeks {}-{}):",
                    m.month, m.weeks.0, m.weeks.1
                )) && text.contains(&format!("; {} customers.", grouped(m.customers, 0))),
                "month {}",
                m.month
            );
        }
    }
}

#[test]
fn the_explanation_names_surface_acting_only_where_it_happens() {
    let mut s = explained();
    let options = |arm| ExplainOptions {
        arm,
        site: Some(0),
        seed: 5,
        replication: 0,
        weeks: s.weeks,
    };
    let smile = explain(&s, &options(1));
    let text = narrate(&s, &options(1), &smile);
    assert!(
        text.contains("surface acting"),
        "display rules far above morale must show as surface acting:\n{text}"
    );
    assert!(text.contains("SmileTraining(display_points: 35) fired in week 2"));
    assert_eq!(
        smile.months[0].policies,
        [PolicyEvent {
            intervention: 0,
            change: PolicyChange::Fired,
            week: 2
        }]
    );
    // With emotional labour cut, display rules cost nothing and the narrative never says so.
    s.links.emotional_labour = false;
    let cut = explain(&s, &options(1));
    let text = narrate(&s, &options(1), &cut);
    assert!(!text.contains("surface acting"), "{text}");
    assert!(cut.months.iter().all(|m| m.strain == 0.0));
}

#[test]
fn csv_files_read_back_in_a_spreadsheet_whatever_the_arm_names() {
    let mut s = small(3);
    s.arms.push(chainsim::scenario::Arm {
        name: "tools, \"new\"\nline".into(),
        ..Default::default()
    });
    let options = RunOptions {
        replications: 2,
        seed: 1,
        threads: 1,
        weeks: s.weeks,
        progress: false,
        ..RunOptions::from_scenario(&s)
    };
    let r = runner::run(&s, &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    chainsim::report::write_run(&r, dir.path()).unwrap();
    for file in ["weekly.csv", "replications.csv", "comparison.csv"] {
        let mut reader = csv::Reader::from_path(dir.path().join(file)).unwrap();
        let width = reader.headers().unwrap().len();
        let mut names = std::collections::BTreeSet::new();
        for rec in reader.records() {
            let rec = rec.unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(rec.len(), width, "{file}: a row of another width");
            names.insert(rec[0].to_string());
        }
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            vec!["baseline".to_string(), "tools, \"new\"\nline".to_string()],
            "{file}"
        );
    }
}
