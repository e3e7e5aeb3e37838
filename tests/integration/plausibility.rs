//! Plausible internals and a steady baseline, on every shipped scenario and lesson: the
//! baseline arm's intermediate quantities stay inside the ranges docs/MODEL.md gives (from the
//! literature where there is one), and its customers, morale, satisfaction and service
//! standard drift less than 2% from the first reported year to the last. Every figure is
//! measured from the agents; nothing here feeds back into the model.

use std::path::{Path, PathBuf};

use chainsim::model::Metric;
use chainsim::runner::{DRIFT_TOLERANCE, RunOptions, RunResult, baseline_drift, run};
use chainsim::scenario::Scenario;

/// Replications of the baseline arm: the drift is a mean over them.
const REPS: u32 = 4;

/// A plausible range of one quantity (docs/MODEL.md, "Plausible ranges").
struct Range {
    what: &'static str,
    low: f64,
    high: f64,
}

const RANGES: [Range; 11] = [
    Range {
        what: "negative mentions per customer per month",
        low: 0.01,
        high: 1.5,
    },
    Range {
        what: "positive mentions per customer per month",
        low: 0.02,
        high: 1.5,
    },
    Range {
        what: "task failure rate (mean)",
        low: 0.002,
        high: 0.15,
    },
    Range {
        what: "task failure rate (worst week's p95)",
        low: 0.0,
        high: 0.30,
    },
    Range {
        what: "dissatisfying encounters (share)",
        low: 0.01,
        high: 0.25,
    },
    Range {
        what: "complaints per customer per year",
        low: 0.002,
        high: 0.5,
    },
    Range {
        what: "overtime hours per employee per week",
        low: 0.0,
        high: 5.0,
    },
    Range {
        what: "staff turnover per year",
        low: 0.05,
        high: 1.5,
    },
    Range {
        what: "wait of served customers, minutes",
        low: 0.0,
        high: 10.0,
    },
    Range {
        what: "utilisation",
        low: 0.3,
        high: 0.95,
    },
    Range {
        what: "abandonment (share of arrivals)",
        low: 0.0,
        high: 0.15,
    },
];

/// Every shipped scenario and lesson.
fn shipped() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("lessons")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "ron") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// The baseline arm alone, `REPS` replications, on the file's seed and horizon.
fn run_baseline(path: &Path) -> RunResult {
    run_baseline_reps(path, REPS)
}

/// The baseline arm alone, with no intervention, `reps` replications.
fn run_baseline_reps(path: &Path, reps: u32) -> RunResult {
    let mut s = Scenario::load(path).unwrap();
    let keep = s.baseline_index();
    // The world every arm starts from: the baseline arm with no intervention (a lesson's
    // baseline may invest, and what it buys is not drift).
    let baseline = s.arms.get(keep).cloned().map(|mut a| {
        a.interventions.clear();
        a
    });
    s.arms = baseline.into_iter().collect();
    s.baseline_arm = String::new();
    let options = RunOptions {
        replications: reps,
        ..RunOptions::from_scenario(&s)
    };
    run(&s, &options).unwrap()
}

/// Mean over the horizon's weeks of a firm-level weekly mean.
fn horizon_mean(r: &RunResult, f: impl Fn(usize) -> f64) -> f64 {
    let weeks = r.options.weeks as usize;
    let values: Vec<f64> = (0..weeks).map(f).filter(|x| x.is_finite()).collect();
    values.iter().sum::<f64>() / values.len() as f64
}

/// The measured value of each of [`RANGES`], in order.
fn measure(r: &RunResult) -> [f64; 11] {
    let m = |metric: Metric| move |w: usize| r.firm_at(0, w, metric).mean;
    let per = |a: Metric, b: Metric, scale: f64| {
        horizon_mean(r, |w| {
            scale * r.firm_at(0, w, a).mean / r.firm_at(0, w, b).mean
        })
    };
    let weeks = r.options.weeks as usize;
    let worst_failures = (0..weeks)
        .map(|w| r.firm_at(0, w, Metric::FailureRate).p[4])
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::max);
    [
        horizon_mean(r, m(Metric::WomNegativePerCustomerMonth)),
        horizon_mean(r, m(Metric::WomPositivePerCustomerMonth)),
        horizon_mean(r, m(Metric::FailureRate)),
        worst_failures,
        horizon_mean(r, m(Metric::DissatisfiedShare)),
        per(Metric::Complaints, Metric::ActiveCustomers, 52.0),
        per(Metric::OvertimeHours, Metric::Headcount, 1.0),
        horizon_mean(r, m(Metric::TurnoverAnnualised)),
        horizon_mean(r, m(Metric::WaitMinutes)),
        horizon_mean(r, m(Metric::Utilisation)),
        horizon_mean(r, m(Metric::AbandonmentRate)),
    ]
}

#[test]
fn every_shipped_baseline_is_steady_and_plausible() {
    let files = shipped();
    assert!(
        files.len() >= 9,
        "expected the shipped scenarios and lessons: {files:?}"
    );
    let mut problems = Vec::new();
    for path in &files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let r = run_baseline(path);
        let drift = baseline_drift(&r);
        assert_eq!(drift.len(), 4, "{name}: drift of four quantities");
        for d in &drift {
            let share = d.share();
            assert!(share.is_finite(), "{name}: {} drift undefined", d.label);
            if share.abs() > DRIFT_TOLERANCE {
                problems.push(format!(
                    "{name}: {} drifts {:+.2}% ({} to {})",
                    d.label,
                    100.0 * share,
                    d.first_year,
                    d.last_year
                ));
            }
        }
        for (range, value) in RANGES.iter().zip(measure(&r)) {
            if !(range.low..=range.high).contains(&value) {
                problems.push(format!(
                    "{name}: {} = {value:.4}, outside [{}, {}]",
                    range.what, range.low, range.high
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn pay_fairness_keeps_acting_with_diminishing_returns() {
    // Raises of +20%, +40% and +80%: each buys more morale than the last, by less each time.
    let mut s = Scenario::built_in();
    s.sites.count = 2;
    s.weeks = 26;
    s.arms.truncate(1);
    let morale = |raise: f64| {
        let mut t = s.clone();
        t.employees.wage_per_hour = t.isq.market_wage_per_hour * (1.0 + raise);
        let r = run(
            &t,
            &RunOptions {
                replications: 2,
                ..RunOptions::from_scenario(&t)
            },
        )
        .unwrap();
        horizon_mean(&r, |w| r.firm_at(0, w, Metric::Morale).mean)
    };
    let [m0, m20, m40, m80] = [0.0, 0.2, 0.4, 0.8].map(morale);
    assert!(m20 > m0 && m40 > m20 && m80 > m40, "{m0} {m20} {m40} {m80}");
    assert!(
        m40 - m20 < m20 - m0,
        "diminishing returns: {m0} {m20} {m40}"
    );
}

#[test]
fn the_first_weeks_look_like_the_same_weeks_a_year_later() {
    // A start-up artefact shows as the first weeks differing from the same weeks of the next
    // year (same season, same everything but the start).
    let s = Scenario::built_in();
    // 16 replications: a 4-week mean of a p95 across fewer is mostly noise.
    let r = run_baseline_reps(
        Path::new(&format!(
            "{}/scenarios/smile_vs_tools.ron",
            env!("CARGO_MANIFEST_DIR")
        )),
        16,
    );
    assert_eq!(r.scenario.weeks, s.weeks);
    let mut problems = Vec::new();
    for metric in [
        Metric::TurnoverAnnualised,
        Metric::Morale,
        Metric::Satisfaction,
        Metric::FailureRate,
        Metric::WomPositive,
        Metric::WomNegative,
        Metric::Headcount,
        Metric::ActiveCustomers,
        Metric::OvertimeHours,
    ] {
        for (stat, pick) in [("mean", 5usize), ("p95", 4)] {
            let value = |w: usize| {
                let q = r.firm_at(0, w, metric);
                if pick == 5 { q.mean } else { q.p[pick] }
            };
            let first: f64 = (0..4).map(value).sum::<f64>() / 4.0;
            let later: f64 = (52..56).map(value).sum::<f64>() / 4.0;
            if (first - later).abs() > 0.15 * later.abs().max(1e-9) {
                problems.push(format!(
                    "{}: {stat} of weeks 0-3 {first:.4} against {later:.4} in weeks 52-55",
                    metric.name()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
