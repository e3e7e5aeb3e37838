//! The classroom lessons in `scenarios/lessons/`: every lesson parses and validates, has its
//! teacher's note with the required sections, and, run with a few replications, still shows
//! the directional claim its note makes. The claims are read from the agents' results; nothing
//! in a lesson file fixes them.

use std::path::{Path, PathBuf};

use chainsim::model::Metric;
use chainsim::runner::{ReplicationSummary, RunOptions, RunResult, run};
use chainsim::scenario::Scenario;

/// Replications per arm in these tests: enough for the paired claims, few enough to be quick.
const REPS: u32 = 5;

/// Sections every teacher's note must have.
const HEADINGS: [&str; 4] = [
    "## Learning goal",
    "## What to run",
    "## What students should see",
    "## Questions to discuss",
];

fn lessons_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lessons")
}

/// Every lesson scenario, sorted by file name.
fn lesson_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(lessons_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

/// Runs a lesson with `REPS` replications on the lesson's own seed and horizon.
fn run_lesson(file: &str) -> RunResult {
    let s = Scenario::load(&lessons_dir().join(file)).unwrap();
    let options = RunOptions {
        replications: REPS,
        ..RunOptions::from_scenario(&s)
    };
    run(&s, &options).unwrap()
}

fn reps<'a>(r: &'a RunResult, arm: &str) -> &'a [ReplicationSummary] {
    &r.arms
        .iter()
        .find(|a| a.name == arm)
        .unwrap_or_else(|| panic!("no arm {arm}"))
        .replications
}

/// Mean over replications of a per-replication figure.
fn mean(r: &RunResult, arm: &str, f: impl Fn(&ReplicationSummary) -> f64) -> f64 {
    let xs = reps(r, arm);
    xs.iter().map(f).sum::<f64>() / xs.len() as f64
}

/// Mean ΔNPV of `arm` against `against`, paired by replication.
fn delta_npv(r: &RunResult, arm: &str, against: &str) -> f64 {
    mean(r, arm, |x| x.npv) - mean(r, against, |x| x.npv)
}

/// Firm-wide mean of a weekly metric over the weeks `from..` to the horizon.
fn weekly_mean(r: &RunResult, arm: &str, metric: Metric, from: usize) -> f64 {
    let a = r.arms.iter().find(|a| a.name == arm).unwrap();
    let m = r.metric_index(metric);
    let weeks = r.options.weeks as usize;
    (from..weeks)
        .map(|w| a.weekly[r.cell(r.sites, w, m)].mean)
        .sum::<f64>()
        / (weeks - from) as f64
}

#[test]
fn every_lesson_parses_validates_and_has_its_note() {
    let files = lesson_files();
    assert!(files.len() >= 5, "expected five lessons, found {files:?}");
    let index = std::fs::read_to_string(lessons_dir().join("README.md")).unwrap();
    for f in &files {
        let s = Scenario::load(f).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.problems().is_empty());
        assert!(s.arms.len() >= 2, "{}: a lesson compares arms", f.display());
        let note_path = f.with_extension("md");
        let note = std::fs::read_to_string(&note_path)
            .unwrap_or_else(|e| panic!("{}: {e}", note_path.display()));
        for h in HEADINGS {
            assert!(
                note.lines().any(|l| l.trim() == h),
                "{} lacks the heading {h:?}",
                note_path.display()
            );
        }
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(
            note.contains(&format!("scenarios/lessons/{name}")),
            "{} does not say how to run {name}",
            note_path.display()
        );
        let stem = f.file_stem().unwrap().to_str().unwrap();
        assert!(
            index.contains(stem),
            "the lessons index does not list {stem}"
        );
    }
}

#[test]
fn lesson_1_loyalty_carries_the_most_value_and_rookies_cost() {
    let r = run_lesson("01_chain_in_balance.ron");
    let base = "all_links";
    // Links that carry value lose money when cut.
    let losses: Vec<(&str, f64)> = [
        "no_satisfaction_to_churn",
        "no_tenure_to_spend",
        "no_word_of_mouth",
        "no_morale_to_courtesy",
    ]
    .iter()
    .map(|&a| (a, delta_npv(&r, a, base)))
    .collect();
    for &(a, d) in &losses {
        assert!(d < 0.0, "cutting {a} should cost money, ΔNPV {d}");
    }
    // The two loyalty links (satisfaction keeps customers, tenure raises their spend) carry
    // the most value.
    let mut ranked = losses.clone();
    ranked.sort_by(|x, y| x.1.total_cmp(&y.1));
    let mut worst_two = [ranked[0].0, ranked[1].0];
    worst_two.sort_unstable();
    assert_eq!(
        worst_two,
        ["no_satisfaction_to_churn", "no_tenure_to_spend"],
        "{losses:?}"
    );
    // The learning curve is a cost of turnover: without it the firm does better.
    let rookies = delta_npv(&r, "no_learning_curve", base);
    assert!(rookies > 0.0, "ΔNPV without the learning curve {rookies}");
    // Both links into morale hold morale up in this invested firm.
    let morale = |a: &str| mean(&r, a, |x| x.mean_morale);
    assert!(morale("no_isq_to_morale") < morale(base) - 1.0);
    assert!(morale("no_satisfaction_mirror") < morale(base) - 1.0);
}

#[test]
fn lesson_2_tools_beat_smiles() {
    let r = run_lesson("02_smile_vs_tools.ron");
    let smile = delta_npv(&r, "smile_training", "baseline");
    let tools = delta_npv(&r, "tools_and_skills", "baseline");
    assert!(smile < 0.0 && tools > 0.0, "smile {smile}, tools {tools}");
    // Surface acting is the mechanism: strain and quits rise, and without emotional labour the
    // same training no longer loses money.
    let strain = |a: &str| weekly_mean(&r, a, Metric::Strain, 52);
    assert!(strain("smile_training") > strain("baseline") + 10.0);
    let turnover = |a: &str| mean(&r, a, |x| x.annual_turnover);
    assert!(turnover("smile_training") > turnover("baseline"));
    assert!(delta_npv(&r, "smile_no_surface_acting", "smile_training") > 0.0);
    // Smiles on top of tools still cost more than they bring.
    assert!(delta_npv(&r, "smile_after_tools", "tools_and_skills") < 0.0);
}

#[test]
fn lesson_3_cost_cutting_erodes_the_standard_and_loses_money() {
    let r = run_lesson("03_cost_cutting_spiral.ron");
    // The cuts lose money whichever mechanism is switched off.
    for a in [
        "cost_cutting",
        "cuts_no_corner_cutting",
        "cuts_no_erosion",
        "cuts_no_fatigue",
    ] {
        let d = delta_npv(&r, a, "baseline");
        assert!(d < 0.0, "{a}: ΔNPV {d}");
    }
    let last = r.options.weeks as usize - 13;
    let standard = |a: &str| weekly_mean(&r, a, Metric::ServiceStandardMinutes, last);
    let failures = |a: &str| weekly_mean(&r, a, Metric::FailureRate, last);
    let wait = |a: &str| weekly_mean(&r, a, Metric::WaitMinutes, last);
    assert!(standard("cost_cutting") < standard("baseline"));
    assert!(failures("cost_cutting") > failures("baseline"));
    // Corner cutting keeps the queue short and turns the lost capacity into errors; erosion
    // makes the shortcut the standard, and errors rise further.
    assert!(wait("cost_cutting") < wait("cuts_no_corner_cutting"));
    for a in ["cuts_no_corner_cutting", "cuts_no_erosion"] {
        assert!(
            failures("cost_cutting") > failures(a),
            "failures {} with every mechanism, {} in {a}",
            failures("cost_cutting"),
            failures(a)
        );
    }
}

#[test]
fn lesson_4_churn_follows_satisfaction_through_the_loyalty_curve() {
    let r = run_lesson("04_loyalty_is_nonlinear.ron");
    let churn = |a: &str| mean(&r, a, |x| x.annual_customer_churn);
    let sat = |a: &str| mean(&r, a, |x| x.mean_satisfaction);
    let ladder = ["cuts", "baseline", "invest_1", "invest_2", "invest_4"];
    for w in ladder.windows(2) {
        assert!(
            sat(w[1]) > sat(w[0]) && churn(w[1]) < churn(w[0]),
            "{} -> {}: satisfaction {} -> {}, churn {} -> {}",
            w[0],
            w[1],
            sat(w[0]),
            sat(w[1]),
            churn(w[0]),
            churn(w[1])
        );
    }
    // Falling into the terrorist zone costs more churn per point than rising buys back.
    let down = (churn("cuts") - churn("baseline")) / (sat("baseline") - sat("cuts"));
    let up = (churn("baseline") - churn("invest_1")) / (sat("invest_1") - sat("baseline"));
    assert!(down > up, "churn per point: down {down}, up {up}");
    // With a flat loyalty curve the same investment hardly moves churn, and pays less.
    let gain = churn("baseline") - churn("invest_4");
    let flat_gain = churn("flat_loyalty") - churn("invest_4_flat_loyalty");
    assert!(
        flat_gain.abs() < gain / 3.0,
        "churn fall {gain} vs {flat_gain} flat"
    );
    assert!(
        delta_npv(&r, "invest_4_flat_loyalty", "flat_loyalty")
            < delta_npv(&r, "invest_4", "baseline")
    );
}

#[test]
fn lesson_5_the_mirror_amplifies_both_ways() {
    let r = run_lesson("05_satisfaction_mirror.ron");
    let morale = |a: &str| mean(&r, a, |x| x.mean_morale);
    assert!(
        morale("good_no_mirror") < morale("good") - 1.0,
        "good firm: {} without, {} with the mirror",
        morale("good_no_mirror"),
        morale("good")
    );
    // The loop amplifies: the mirror lifts the good firm's morale more than the struggling
    // firm's, so the gap between them is wider with the mirror than without it.
    let lift = |firm: &str| morale(firm) - morale(&format!("{firm}_no_mirror"));
    assert!(
        lift("good") > lift("struggling") + 1.0,
        "mirror lift: good {}, struggling {}",
        lift("good"),
        lift("struggling")
    );
    assert!(
        morale("good") - morale("struggling")
            > morale("good_no_mirror") - morale("struggling_no_mirror") + 1.0
    );
    assert!(delta_npv(&r, "good_no_mirror", "good") < 0.0);
}
