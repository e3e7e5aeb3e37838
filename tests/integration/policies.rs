//! Policies: common random numbers hold, costs flow exactly, and each lever moves its own link.

use chainsim::ledger::Line;
use chainsim::model::{Replication, ReplicationOutcome, WeekTally};
use chainsim::runner::{RunOptions, run};
use chainsim::scenario::{Arm, Intervention, Lever, Scenario};

use crate::common::small;

fn arm(name: &str, interventions: Vec<Intervention>) -> Arm {
    Arm {
        name: name.into(),
        description: String::new(),
        interventions,
        ..Arm::default()
    }
}

fn at(lever: Lever, start_week: u32) -> Intervention {
    Intervention {
        lever,
        start_week,
        ..Intervention::default()
    }
}

fn with_arms(mut s: Scenario, arms: Vec<Arm>) -> Scenario {
    s.arms = std::iter::once(arm("baseline", vec![]))
        .chain(arms)
        .collect();
    s
}

#[test]
fn an_arm_identical_to_the_baseline_differs_by_exactly_nothing() {
    let s = with_arms(small(20), vec![arm("same", vec![])]);
    let r = run(
        &s,
        &RunOptions {
            replications: 6,
            ..RunOptions::from_scenario(&s)
        },
    )
    .unwrap();
    for (a, b) in r.arms[0].replications.iter().zip(&r.arms[1].replications) {
        assert_eq!(a.npv - b.npv, 0.0, "replication {}", a.replication);
    }
    let c = r.comparisons();
    assert_eq!(
        (c[1].delta_npv.mean, c[1].delta_npv.lo, c[1].delta_npv.hi),
        (0.0, 0.0, 0.0)
    );
}

#[test]
fn a_cost_only_arm_loses_exactly_the_present_value_of_its_cost() {
    let mut cost = at(Lever::CostOnly, 10);
    cost.cost_per_site = 12_345.67;
    let s = with_arms(small(30), vec![arm("cost", vec![cost])]);
    let r = run(
        &s,
        &RunOptions {
            replications: 5,
            ..RunOptions::from_scenario(&s)
        },
    )
    .unwrap();
    // Spent in week 10, discounted from the end of that week: (1 + r)^-(11/52).
    let pv = 12_345.67
        * f64::from(s.sites.count)
        * chainsim::finance::discount_factor(s.money.discount_rate_per_year, 10);
    for (b, a) in r.arms[0].replications.iter().zip(&r.arms[1].replications) {
        assert!(
            (a.npv - b.npv + pv).abs() < 1e-6,
            "ΔNPV {} vs -{pv}",
            a.npv - b.npv
        );
        assert!(
            (a.investment - pv).abs() < 1e-6,
            "investment {} vs {pv}",
            a.investment
        );
    }
}

#[test]
fn a_capex_with_no_other_effect_lowers_npv_by_exactly_its_discounted_cost() {
    // Capex with no effect but its cost: tools points per currency set to zero, so the tools
    // stock, and so every encounter, is the same in both arms (common random numbers).
    let x = 100_000.0;
    for week in [0, 29] {
        let mut s = with_arms(
            small(30),
            vec![arm("capex", vec![at(Lever::Tooling { amount: x }, week)])],
        );
        s.isq.tools_points_per_currency = 0.0;
        let r = run(
            &s,
            &RunOptions {
                replications: 3,
                ..RunOptions::from_scenario(&s)
            },
        )
        .unwrap();
        // Hand-computed: X per site, spent in `week`, discounted from the end of that week.
        let df = (1.0 + s.money.discount_rate_per_year).powf(-f64::from(week + 1) / 52.0);
        let expected = x * f64::from(s.sites.count) * df;
        for (b, a) in r.arms[0].replications.iter().zip(&r.arms[1].replications) {
            let delta = b.npv - a.npv;
            assert!(
                (delta - expected).abs() < 0.005,
                "week {week}: NPV lowered by {delta}, expected {expected} to the cent"
            );
            // Cash, not accounting: the whole capex is spent, though little is depreciated yet.
            assert!(
                (b.cumulative_cash_flow - a.cumulative_cash_flow - x * f64::from(s.sites.count))
                    .abs()
                    < 0.005
            );
            assert!(
                b.cumulative_operating_profit - a.cumulative_operating_profit
                    < x * f64::from(s.sites.count)
            );
        }
    }
}

#[test]
fn payback_counts_capex_when_spent() {
    // 52k of capex per site in week 0 that saves 1,000 of overhead per site-week (as a
    // CostOnly arm with a negative cost cannot): the cash pays back in week 52, however the
    // capex is depreciated. Modelled as capex in the arm and 1,000 more overhead in the baseline.
    let mut s = with_arms(
        small(60),
        vec![arm(
            "capex",
            vec![at(Lever::Tooling { amount: 52_000.0 }, 0)],
        )],
    );
    s.isq.tools_points_per_currency = 0.0;
    // The baseline pays 1,000 a site-week more: as a continuing cost-only intervention.
    s.arms[0].interventions = vec![Intervention {
        lever: Lever::StaffingLevel {
            extra_employees: 0.0,
        },
        start_week: 0,
        cost_per_site: 1_000.0,
        ..Intervention::default()
    }];
    let r = run(
        &s,
        &RunOptions {
            replications: 2,
            ..RunOptions::from_scenario(&s)
        },
    )
    .unwrap();
    for x in &r.arms[1].replications {
        // Behind by 52,000 - 1,000 (w + 1) after week w: back to zero at the end of week 51.
        assert_eq!(x.payback_week, 51.0, "replication {}", x.replication);
        assert!(x.discounted_payback_week > 51.0 || x.discounted_payback_week.is_nan());
    }
}

fn total(o: &ReplicationOutcome, f: impl Fn(&WeekTally) -> f64) -> f64 {
    o.weekly.iter().flatten().map(f).sum()
}

fn pair(s: &Scenario) -> (ReplicationOutcome, ReplicationOutcome) {
    (
        Replication::new(s, 4, 0).arm(0).run(),
        Replication::new(s, 4, 0).arm(1).run(),
    )
}

/// The lever moves `moved`; with its downstream links cut, `kept` does not move at all.
fn lever_moves_only(
    lever: Lever,
    cut: impl Fn(&mut Scenario),
    moved: impl Fn(&ReplicationOutcome) -> f64,
    kept: impl Fn(&ReplicationOutcome) -> f64,
) {
    let mut s = with_arms(small(26), vec![arm("lever", vec![at(lever, 2)])]);
    cut(&mut s);
    let (base, with) = pair(&s);
    assert_ne!(moved(&base), moved(&with), "{lever:?} should move its link");
    assert_eq!(
        kept(&base),
        kept(&with),
        "{lever:?} moved something downstream of a cut link"
    );
}

fn isq(o: &ReplicationOutcome) -> f64 {
    total(o, |t| t.isq_sum)
}
fn morale_and_satisfaction(o: &ReplicationOutcome) -> f64 {
    total(o, |t| t.morale_sum) + total(o, |t| t.satisfaction_sum)
}

#[test]
fn tooling_raises_isq_and_nothing_else_when_isq_and_tools_links_are_cut() {
    lever_moves_only(
        Lever::Tooling { amount: 30_000.0 },
        |s| (s.links.isq_to_morale, s.links.tools_to_service) = (false, false),
        isq,
        morale_and_satisfaction,
    );
}

#[test]
fn skills_training_raises_isq_only_when_downstream_is_cut() {
    lever_moves_only(
        Lever::SkillsTraining { amount: 300.0 },
        |s| (s.links.isq_to_morale, s.links.skills_to_service) = (false, false),
        isq,
        morale_and_satisfaction,
    );
}

#[test]
fn leadership_development_raises_isq_only_when_downstream_is_cut() {
    lever_moves_only(
        Lever::LeadershipDevelopment { points: 20.0 },
        |s| s.links.isq_to_morale = false,
        isq,
        morale_and_satisfaction,
    );
}

#[test]
fn pay_raise_raises_pay_fairness_and_wages_only() {
    lever_moves_only(
        Lever::PayRaise { percent: 10.0 },
        |s| (s.links.isq_to_morale, s.links.pay_to_morale) = (false, false),
        |o| total(o, |t| t.money.get(Line::Wages).to_currency()) + isq(o),
        morale_and_satisfaction,
    );
}

#[test]
fn smile_training_raises_strain_and_nothing_else_when_strain_and_courtesy_are_cut() {
    lever_moves_only(
        Lever::SmileTraining {
            display_points: 30.0,
        },
        |s| {
            (s.links.fatigue_to_morale, s.links.quits) = (false, false);
            s.customers.weight_courtesy = 0.0;
        },
        |o| total(o, |t| t.strain_sum),
        morale_and_satisfaction,
    );
}

#[test]
fn empowerment_recovers_complaints() {
    let s = with_arms(
        small(26),
        vec![arm("empowered", vec![at(Lever::Empowerment, 0)])],
    );
    let (base, with) = pair(&s);
    assert_eq!(total(&base, |t| t.recovered), 0.0);
    assert!(total(&with, |t| t.recovered) > 0.0);
}

#[test]
fn marketing_buys_customers_at_a_cost() {
    let s = with_arms(
        small(26),
        vec![arm(
            "marketing",
            vec![at(
                Lever::Marketing {
                    extra_customers_per_week: 20.0,
                },
                0,
            )],
        )],
    );
    let (base, with) = pair(&s);
    // 20 a week at 2 sites for 26 weeks, scaled by the share of the market still available
    // (about a third) and by deterrence: well over 100 more.
    assert!(total(&with, |t| t.acquired) > total(&base, |t| t.acquired) + 100.0);
    assert!(
        total(&with, |t| t.money.get(Line::Marketing).cents() as f64)
            > total(&base, |t| t.money.get(Line::Marketing).cents() as f64)
    );
}

#[test]
fn staffing_and_cost_cutting_move_headcount_and_budgets() {
    let s = with_arms(
        small(26),
        vec![
            arm(
                "staff",
                vec![at(
                    Lever::StaffingLevel {
                        extra_employees: 2.0,
                    },
                    0,
                )],
            ),
            arm(
                "cut",
                vec![at(
                    Lever::CostCutting {
                        headcount_percent: 50.0,
                        tools_percent: 50.0,
                        training_percent: 50.0,
                    },
                    0,
                )],
            ),
        ],
    );
    // Short tenures, so that the baseline has leavers to replace whatever its demand does.
    let mut s = s;
    s.employees.expected_tenure_weeks = 15.0;
    let run = |a: usize| Replication::new(&s, 4, 0).arm(a).run();
    let (base, staff, cut) = (run(0), run(1), run(2));
    let staff_at_end = |o: &ReplicationOutcome| {
        o.weekly
            .last()
            .unwrap()
            .iter()
            .map(|t| t.employees)
            .sum::<f64>()
    };
    assert!(staff_at_end(&staff) > staff_at_end(&base));
    // Cutting does not lay off: it stops replacing leavers.
    assert!(total(&base, |t| t.hires) > 0.0);
    assert!(total(&cut, |t| t.hires) < total(&base, |t| t.hires));
    for line in [Line::Capex, Line::SkillsTraining] {
        assert!(
            total(&cut, |t| t.money.get(line).cents() as f64)
                < total(&base, |t| t.money.get(line).cents() as f64),
            "{line:?}"
        );
    }
}

#[test]
fn bad_schedules_are_refused_with_the_choices() {
    let text = r#"(arms: [(name: "a"), (name: "b", interventions: [(lever: Tooling(amount: 1.0), start_week: 500, end_week: Some(400), sites: [9])])])"#;
    let err = Scenario::parse(text, "t.ron").unwrap_err().to_string();
    assert!(err.contains("arms[1].interventions[0].start_week: expected a week before the horizon (156), found 500"), "{err}");
    assert!(
        err.contains("arms[1].interventions[0].end_week: reversed range"),
        "{err}"
    );
    assert!(
        err.contains("arms[1].interventions[0].sites[0]: expected a site index below 8, found 9"),
        "{err}"
    );
    let err = Scenario::parse(
        r#"(arms: [(name: "a", interventions: [(lever: Smile)])])"#,
        "t.ron",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("unexpected variant named `Smile`")
            && err.contains("`SmileTraining`")
            && err.contains("`CostCutting`"),
        "{err}"
    );
}

const TWO_ARMS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two_arms.ron");

fn run_cli(args: &[&str]) -> (String, String) {
    let out = assert_cmd::cargo::cargo_bin_cmd!("chainsim")
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn precision_adds_replications_until_the_interval_is_narrow_enough() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // A loose target is met by the first batch of 20.
    let (stdout, stderr) = run_cli(&["run", TWO_ARMS, "--precision", "1e12", "--out", out]);
    assert!(
        stderr.contains("precision reached") && stderr.contains("after 20 replications"),
        "{stderr}"
    );
    assert!(
        stdout.contains("comparison with baseline (20 replications"),
        "{stdout}"
    );
    // An impossible one stops at --max-reps and says so (replacing the first run's results).
    let (_, stderr) = run_cli(&[
        "run",
        TWO_ARMS,
        "--precision",
        "0.001",
        "--max-reps",
        "40",
        "--force",
        "--out",
        out,
    ]);
    assert!(
        stderr.contains("precision NOT reached") && stderr.contains("--max-reps 40"),
        "{stderr}"
    );
    let csv = std::fs::read_to_string(dir.path().join("comparison.csv")).unwrap();
    let row = csv.lines().find(|l| l.starts_with("tooling,")).unwrap();
    assert_eq!(row.split(',').nth(2), Some("40"), "{row}");
}

#[test]
fn comparison_outputs_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let (stdout, _) = run_cli(&["run", TWO_ARMS, "--out", dir.path().to_str().unwrap()]);
    assert!(
        stdout.contains("ΔNPV vs baseline") && stdout.contains("tooling"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(dir.path().join("comparison.csv")).unwrap();
    assert!(
        csv.starts_with("arm,baseline,replications,npv_mean,npv_ci_lo,npv_ci_hi,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3);
    for f in [
        "arms.png",
        "arms.svg",
        "delta.png",
        "delta.svg",
        "roi.png",
        "roi.svg",
    ] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}
