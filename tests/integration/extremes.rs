//! Extremes: valid but extreme scenarios (no customers, one employee, one hour a week, ten
//! years, demand shocks of +100% and -90%, zero wage, every link off, every link at its
//! strongest) and random valid scenarios across the whole parameter space run without panic,
//! infinity or NaN where a value is defined, and keep the invariants of `invariants.rs`.

use chainsim::model::{Metric, Replication, ReplicationOutcome};
use chainsim::runner::{ReplicationSummary, RunOptions, run};
use chainsim::scenario::param::Rule;
use chainsim::scenario::{Intervention, Lever, Scenario};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::Value;

use crate::invariants::{check_clock, check_ledger, check_populations};

fn fixture(name: &str) -> Scenario {
    Scenario::load(&crate::common::fixture(name)).unwrap_or_else(|e| panic!("{e}"))
}

/// The raw tallies and ledgers hold only finite numbers.
fn check_finite(o: &ReplicationOutcome) {
    let shown = format!("{:?}{:?}", o.weekly, o.monthly);
    if let Some(at) = shown.find("NaN").or_else(|| shown.find("inf")) {
        let from = shown[..at].rfind("WeekTally").unwrap_or(0);
        panic!(
            "a tally is not finite: ...{}",
            &shown[from..(at + 10).min(shown.len())]
        );
    }
}

/// One replication of every arm keeps the invariants; the summaries that are always defined are
/// finite, and no metric is ever infinite (NaN means undefined, such as satisfaction with no
/// customers, and is written as an empty cell).
fn check_replications(s: &Scenario, seed: u64) {
    for arm in 0..s.arms.len() {
        let o = Replication::new(s, seed, 0).arm(arm).traced().run();
        assert_eq!(o.weekly.len(), s.weeks as usize);
        check_finite(&o);
        check_ledger(&o);
        check_populations(s, &o);
        check_clock(&o);
        let x = ReplicationSummary::of(s, 0, &o);
        for (what, v) in [
            ("npv", x.npv),
            ("cumulative_cash_flow", x.cumulative_cash_flow),
            ("cumulative_operating_profit", x.cumulative_operating_profit),
            ("revenue", x.revenue),
            ("final_customers", x.final_customers),
            ("annual_turnover", x.annual_turnover),
            ("annual_customer_churn", x.annual_customer_churn),
            ("mean_wait_minutes", x.mean_wait_minutes),
            ("investment", x.investment),
        ] {
            assert!(v.is_finite(), "arm {arm}: {what} = {v}");
        }
        for m in Metric::all() {
            let v = chainsim::runner::metric_mean(&o, m);
            assert!(!v.is_infinite(), "arm {arm}: {} = {v}", m.name());
        }
    }
}

/// The whole pipeline, runner to report: the files hold no infinity or NaN text.
fn check_outputs(s: &Scenario) {
    let r = run(
        s,
        &RunOptions {
            replications: 2,
            threads: 1,
            ..RunOptions::from_scenario(s)
        },
    )
    .unwrap();
    let mut text = chainsim::report::weekly_csv(&r) + &chainsim::report::replications_csv(&r);
    if r.arms.len() > 1 {
        text += &chainsim::report::comparison_csv(&r);
    }
    for bad in ["NaN", "inf"] {
        assert!(!text.contains(bad), "{}: {bad} in the outputs", s.name);
    }
}

fn check_extreme(name: &str) -> Scenario {
    let s = fixture(name);
    check_replications(&s, s.seed);
    check_outputs(&s);
    s
}

#[test]
fn a_site_with_no_customers_yet_gains_them_from_marketing() {
    let s = check_extreme("extreme_no_customers.ron");
    let o = Replication::new(&s, s.seed, 0).arm(0).run();
    let end: f64 = o.weekly.last().unwrap().iter().map(|t| t.customers).sum();
    assert!(end > 0.0, "marketing brings customers in {} weeks", s.weeks);
}

#[test]
fn a_site_with_no_market_has_no_customers_and_loses_its_costs() {
    let s = check_extreme("extreme_no_market.ron");
    let o = Replication::new(&s, s.seed, 0).arm(0).run();
    assert_eq!(o.encounters, 0);
    let last = o.weekly.last().unwrap()[0];
    assert_eq!(last.customers, 0.0);
    assert!(last.cumulative_profit_cents < 0, "staff and overhead cost");
}

#[test]
fn one_employee_keeps_the_invariants() {
    check_extreme("extreme_one_employee.ron");
}

#[test]
fn one_site_open_one_hour_a_week_keeps_the_invariants() {
    let s = check_extreme("extreme_one_hour_a_week.ron");
    let o = Replication::new(&s, s.seed, 0).arm(0).traced().run();
    // Every encounter starts within the open hour of a Monday (the week's first day).
    for e in o.trace.iter().flatten() {
        let in_week = e.arrived % (7 * 86_400);
        assert!((540 * 60..600 * 60).contains(&in_week), "{e:?}");
    }
}

#[test]
fn a_ten_year_horizon_keeps_the_invariants() {
    let s = check_extreme("extreme_ten_years.ron");
    let o = Replication::new(&s, s.seed, 0).arm(0).run();
    assert_eq!(o.monthly.len(), 120);
}

#[test]
fn demand_shocks_of_plus_100_and_minus_90_percent_keep_the_invariants() {
    let s = check_extreme("extreme_demand_shocks.ron");
    let o = Replication::new(&s, s.seed, 0).arm(0).run();
    let arrivals = |w: usize| o.weekly[w].iter().map(|t| t.arrivals).sum::<f64>();
    // Weeks 10 (doubled) and 20 (a tenth) against week 1 (neither).
    assert!(arrivals(10) > 1.5 * arrivals(1), "the +100% shock shows");
    assert!(arrivals(20) < 0.3 * arrivals(1), "the -90% shock shows");
}

#[test]
fn a_zero_wage_keeps_the_invariants_and_pays_no_wages() {
    let s = check_extreme("extreme_zero_wage.ron");
    let o = Replication::new(&s, s.seed, 0).arm(1).run();
    let wages: i64 = o
        .monthly
        .iter()
        .flatten()
        .map(|l| l.get(chainsim::ledger::Line::Wages).cents())
        .sum();
    assert_eq!(wages, 0, "a raise of a zero wage is still zero");
}

#[test]
fn every_link_off_keeps_the_invariants() {
    check_extreme("extreme_links_off.ron");
}

#[test]
fn every_link_at_its_strongest_keeps_the_invariants() {
    check_extreme("extreme_links_max.ron");
}

/// A random value a rule admits, near `default` for the unbounded rules (within a factor of
/// e^3 either way), with the ends of bounded ranges drawn often.
fn draw(rule: Rule, default: f64, rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u: f64 = rng.random();
    let edge = rng.random_range(0..5) == 0;
    let scale = default.abs().max(1.0) * (rng.random::<f64>() * 6.0 - 3.0).exp();
    let within = |lo: f64, hi: f64| {
        if edge {
            if u < 0.5 { lo } else { hi }
        } else {
            lo + (hi - lo) * u
        }
    };
    match rule {
        Rule::Any => (u - 0.5) * 2.0 * scale,
        Rule::Positive => scale,
        Rule::NonNegative if edge => 0.0,
        Rule::NonNegative => scale,
        Rule::Probability => within(0.0, 1.0),
        Rule::PositiveShare => within(1e-3, 1.0),
        Rule::Score => within(0.0, 100.0),
        Rule::MinuteOfDay => within(0.0, 1440.0),
        Rule::DaysPerWeek => within(1.0, 7.0),
        Rule::WeekOfYear => within(0.0, 51.0),
        Rule::Money if edge => 0.0,
        Rule::Money => scale.min(chainsim::ledger::MAX_AMOUNT),
        Rule::PositiveMoney => scale.min(chainsim::ledger::MAX_AMOUNT),
    }
}

/// The rule a reference row states.
fn rule_of(text: &str) -> Option<Rule> {
    let rules = [
        Rule::Any,
        Rule::Positive,
        Rule::NonNegative,
        Rule::Probability,
        Rule::PositiveShare,
        Rule::Score,
        Rule::MinuteOfDay,
        Rule::DaysPerWeek,
        Rule::WeekOfYear,
        Rule::Money,
        Rule::PositiveMoney,
    ];
    let text = text.strip_prefix("(min, max), each ").unwrap_or(text);
    let text = text.strip_suffix(", min <= max").unwrap_or(text);
    rules.into_iter().find(|r| r.expected() == text)
}

/// Sizes are set by the caller (small, so a case takes milliseconds).
const SIZES: &[&str] = &[
    "weeks",
    "replications",
    "sites.count",
    "sites.employees_per_site",
    "sites.customers_per_site",
    "sites.market_per_site",
];

/// A random valid scenario: every scalar parameter of the reference redrawn within its rule
/// with probability 1/3 (a range's ends sorted), a second arm of random interventions, and the
/// given sizes. Fields whose draws break a relation between fields (opening after closing,
/// reversed thresholds) go back to their defaults.
fn random_scenario(
    seed: u64,
    sites: u32,
    staff: u32,
    customers: u32,
    market: u32,
    weeks: u32,
) -> Scenario {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let defaults = serde_json::to_value(Scenario::default()).unwrap();
    let mut tree = defaults.clone();
    for doc in Scenario::reference() {
        let Some(rule) = rule_of(&doc.rule) else {
            continue;
        };
        if SIZES.contains(&doc.path.as_str()) || doc.path.contains("[]") {
            continue;
        }
        if rng.random_range(0..3) != 0 {
            continue;
        }
        let pointer = format!("/{}", doc.path.replace('.', "/"));
        let Some(leaf) = tree.pointer_mut(&pointer) else {
            continue;
        };
        let integer = |v: &Value| v.is_u64();
        match leaf {
            Value::Object(range) => {
                let d = range["min"].as_f64().unwrap_or(0.0);
                let (a, b) = (draw(rule, d, &mut rng), draw(rule, d, &mut rng));
                range.insert("min".into(), Value::from(a.min(b)));
                range.insert("max".into(), Value::from(a.max(b)));
            }
            Value::Number(_) if integer(leaf) => {
                let d = leaf.as_f64().unwrap();
                let v = draw(rule, d, &mut rng)
                    .round()
                    .max(if rule == Rule::Positive { 1.0 } else { 0.0 });
                *leaf = Value::from(v.min(1e6) as u64);
            }
            Value::Number(_) => *leaf = Value::from(draw(rule, leaf.as_f64().unwrap(), &mut rng)),
            _ => {}
        }
    }
    let mut s: Scenario = serde_json::from_value(tree.clone()).unwrap();
    s.weeks = weeks;
    s.sites.count = sites;
    s.sites.employees_per_site = staff;
    s.sites.customers_per_site = customers;
    s.sites.market_per_site = market;
    s.arms.push(random_arm(&mut rng, weeks, sites));
    // Relations broken by independent draws: back to the defaults, section by section.
    for _ in 0..3 {
        let problems = s.problems();
        if problems.is_empty() {
            break;
        }
        let mut t = serde_json::to_value(&s).unwrap();
        for p in problems {
            let section = p.path.split(['.', '[']).next().unwrap_or("");
            if let (Some(dst), Some(src)) = (t.get_mut(section), defaults.get(section))
                && !SIZES.contains(&section)
                && section != "arms"
                && section != "sites"
            {
                *dst = src.clone();
            }
        }
        s = serde_json::from_value(t).unwrap();
    }
    s
}

/// An arm of one or two interventions, each lever with parameters inside its domain.
fn random_arm(rng: &mut Xoshiro256PlusPlus, weeks: u32, sites: u32) -> chainsim::scenario::Arm {
    let mut arm = chainsim::scenario::Arm {
        name: "random".into(),
        ..Default::default()
    };
    for _ in 0..rng.random_range(1..3) {
        let u: f64 = rng.random();
        let lever = match rng.random_range(0..10) {
            0 => Lever::SmileTraining {
                display_points: 100.0 * u,
            },
            1 => Lever::Tooling {
                amount: 100_000.0 * u,
            },
            2 => Lever::SkillsTraining {
                amount: 5_000.0 * u,
            },
            3 => Lever::LeadershipDevelopment { points: 100.0 * u },
            4 => Lever::PayRaise {
                percent: 200.0 * u - 100.0,
            },
            5 => Lever::StaffingLevel {
                extra_employees: 20.0 * u - 10.0,
            },
            6 => Lever::Empowerment,
            7 => Lever::Marketing {
                extra_customers_per_week: 100.0 * u,
            },
            8 => Lever::CostCutting {
                headcount_percent: 100.0 * u,
                tools_percent: 100.0 * (1.0 - u),
                training_percent: 50.0,
            },
            _ => Lever::CostOnly,
        };
        let start_week = rng.random_range(0..weeks);
        arm.interventions.push(Intervention {
            lever,
            start_week,
            end_week: rng
                .random_bool(0.5)
                .then(|| rng.random_range(start_week + 1..=weeks + 2)),
            every_weeks: (lever.is_one_off() && rng.random_bool(0.5))
                .then(|| rng.random_range(1..5)),
            cost_per_site: 1000.0 * rng.random::<f64>(),
            cost_per_employee: 100.0 * rng.random::<f64>(),
            sites: if rng.random_bool(0.3) {
                vec![sites - 1]
            } else {
                Vec::new()
            },
        });
    }
    arm
}

proptest! {
    // EXTREMES_CASES raises the count for a long run (see README.md).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("EXTREMES_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_valid_scenarios_keep_the_invariants(
        seed in any::<u64>(),
        sites in 1u32..3,
        staff in 1u32..5,
        customers in 0u32..120,
        extra_market in 0u32..100,
        weeks in 1u32..10,
    ) {
        let s = random_scenario(seed, sites, staff, customers, customers + extra_market, weeks);
        prop_assume!(s.problems().is_empty());
        check_replications(&s, seed);
    }
}

/// The kinds of scenario the random search failed on, pinned: each sent a stock to infinity or
/// NaN, hired without bound, or let a slot serve two customers at once before its fix.
#[test]
fn model_regressions_found_by_the_random_scenarios() {
    let base = || {
        let mut s = fixture("extreme_one_employee.ron");
        s.weeks = 30;
        s
    };
    // Slack and a strong elasticity: the service standard compounded to infinity.
    let mut compounding = base();
    compounding.employees.corner_cutting_elasticity = 13.5;
    compounding.employees.standard_recovery_weeks = 26.0;
    compounding.demand.visits_per_customer_per_week = 0.05;
    // Time constants under a week: each weekly step overshot its target and diverged.
    let mut fast = base();
    fast.employees.pressure_perception_weeks = 0.1;
    fast.employees.morale_time_constant_weeks = 0.1;
    fast.employees.strain_time_constant_weeks = 0.1;
    fast.employees.short_fatigue_weeks = 0.1;
    fast.isq.staffing_smoothing_weeks = 0.1;
    fast.employees.headcount_perception_weeks = 0.1;
    // Everyone always absent: the headcount management wanted was infinite.
    let mut absent = base();
    absent.employees.absence_probability = 1.0;
    // Services longer than a day and frequent quits: a hire took a slot still serving.
    let mut slow = base();
    slow.sites.employees_per_site = 3;
    slow.employees.rookie_effectiveness = 0.001;
    slow.employees.expected_tenure_weeks = 2.0;
    slow.employees.hiring_delay_weeks = 0.2;
    for (what, s) in [
        ("compounding standard", compounding),
        ("fast time constants", fast),
        ("everyone absent", absent),
        ("day-long services", slow),
    ] {
        assert!(s.problems().is_empty(), "{what}: {:?}", s.problems());
        for seed in 0..4 {
            check_replications(&s, seed);
        }
    }
}
