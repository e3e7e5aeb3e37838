//! Every causal link can be switched off, and every switch is wired: cutting a link changes
//! what happens.

use chainsim::model::Replication;
use chainsim::scenario::{Links, Scenario};

use crate::common::small;

/// The names of every link, read from the serialised switches so none can be forgotten.
fn link_names() -> Vec<String> {
    Links::default()
        .switches()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

fn with_link(s: &Scenario, name: &str, on: bool) -> Scenario {
    let mut s = s.clone();
    let text = ron::to_string(&s.links)
        .unwrap()
        .replace(&format!("{name}:true"), &format!("{name}:{on}"));
    s.links = ron::from_str(&text).unwrap();
    s
}

/// A stressed version of the small scenario, so that pressure, fatigue, erosion, rookies,
/// failures and rudeness all occur within a year.
fn stressed() -> Scenario {
    let mut s = small(52);
    s.demand.visits_per_customer_per_week = 1.5;
    s.employees.intensity_elasticity = 1.0; // strong overtime, so long fatigue builds
    s.employees.hiring_delay_weeks = 30.0;
    s.employees.wage_per_hour = 18.0;
    s.employees.long_fatigue_weeks = 8.0;
    s.customers.rude_threshold = 50.0;
    s.demand.seasonality_amplitude = 0.3;
    s.employees.morale_initial = 40.0;
    s.employees.display_demand_base = 70.0;
    s.customers.empowered_recovery = true;
    s
}

#[test]
fn every_link_switch_changes_the_outcome() {
    let names = link_names();
    assert!(
        names.len() >= 25,
        "expected every link of MODEL.md's diagram, found {names:?}"
    );
    let base = stressed();
    let reference = Replication::new(&base, 3, 0).run();
    let mut unchanged = Vec::new();
    for name in &names {
        let cut = with_link(&base, name, false);
        assert_ne!(cut.links, base.links, "{name} did not switch");
        let o = Replication::new(&cut, 3, 0).run();
        if o.weekly == reference.weekly {
            unchanged.push(name.clone());
        }
    }
    assert!(
        unchanged.is_empty(),
        "switching these links off changed nothing: {unchanged:?}"
    );
}

#[test]
fn an_arm_switching_a_link_off_runs_as_the_scenario_without_it() {
    let mut base = stressed();
    base.weeks = 20;
    // Without a warm-up: an arm's warm-up keeps the baseline's links (every arm starts from
    // the same world), where the scenario without the link warms up without it.
    base.warmup_weeks = 0;
    let mut arm = chainsim::scenario::Arm {
        name: "no_word_of_mouth".into(),
        ..Default::default()
    };
    arm.links.word_of_mouth = false;
    base.arms.push(arm);
    let cut = with_link(&base, "word_of_mouth", false);
    let whole = Replication::new(&base, 3, 0).arm(1).run();
    let alone = Replication::new(&cut, 3, 0).arm(0).run();
    assert_eq!(whole.weekly, alone.weekly);
    // And the baseline arm of the same scenario keeps the link.
    let baseline = Replication::new(&base, 3, 0).arm(0).run();
    assert_ne!(baseline.weekly, whole.weekly);
    // Off in the scenario stays off, whatever the arm says.
    assert!(!cut.links.and(&Links::default()).word_of_mouth);
}
