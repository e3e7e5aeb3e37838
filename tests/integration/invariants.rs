//! Invariants that must hold in every replication: money conserved, populations balance, the
//! clock never goes back, no one is served before arriving, and no employee serves two at once.

use chainsim::ledger::{Line, Lines};
use chainsim::model::{Replication, ReplicationOutcome};
use chainsim::scenario::{Scenario, ServiceTimeDistribution};
use proptest::prelude::*;

use crate::common::small;

/// Money is conserved: weekly and monthly ledgers agree, lines sum to the profit, and the running
/// cumulative profit is the monthly profit.
pub fn check_ledger(o: &ReplicationOutcome) {
    let sites = o.weekly[0].len();
    for site in 0..sites {
        // Two records of the same money: weekly tallies and the monthly ledger.
        let mut weekly = Lines::default();
        for row in &o.weekly {
            weekly.add(&row[site].money);
        }
        let mut monthly = Lines::default();
        for row in &o.monthly {
            monthly.add(&row[site]);
        }
        assert_eq!(
            weekly, monthly,
            "site {site}: weekly and monthly ledgers disagree"
        );
        // Every cent in one line: the lines sum to the profit, and the running cumulative profit agrees.
        // Each view sums its own lines: operating profit depreciates capex, cash flow spends it.
        let net = |keep: fn(Line) -> bool| -> i64 {
            Line::ALL
                .iter()
                .filter(|&&l| keep(l))
                .map(|&l| {
                    if l == Line::Revenue {
                        monthly.get(l).cents()
                    } else {
                        -monthly.get(l).cents()
                    }
                })
                .sum()
        };
        assert_eq!(net(Line::is_operating), monthly.operating_profit().cents());
        assert_eq!(net(Line::is_cash), monthly.cash_flow().cents());
        let end = o.weekly.last().unwrap()[site];
        assert_eq!(
            end.cumulative_profit_cents,
            monthly.operating_profit().cents(),
            "site {site}: cumulative operating profit"
        );
        assert_eq!(
            end.cumulative_cash_cents,
            monthly.cash_flow().cents(),
            "site {site}: cumulative cash flow"
        );
    }
    // The month count covers the horizon: 12 months per 52 weeks.
    let weeks = o.weekly.len() as u32;
    assert_eq!(o.monthly.len() as u32, (weeks - 1) * 12 / 52 + 1);
}

/// Every site had revenue (not so in every scenario: a site may have no customers).
fn check_revenue(o: &ReplicationOutcome) {
    for site in 0..o.weekly[0].len() {
        let revenue: i64 = o
            .monthly
            .iter()
            .map(|row| row[site].get(Line::Revenue).cents())
            .sum();
        assert!(revenue > 0, "site {site}: no revenue");
    }
}

/// Staff and customers balance: the start plus arrivals minus departures is the end.
pub fn check_populations(s: &Scenario, o: &ReplicationOutcome) {
    for site in 0..s.sites.count as usize {
        let sum = |f: &dyn Fn(&chainsim::model::WeekTally) -> f64| {
            o.weekly.iter().map(|r| f(&r[site])).sum::<f64>()
        };
        let end = o.weekly.last().unwrap()[site];
        // With a warm-up, the reported horizon starts where the last warm-up week ended.
        let before = o.lead_in.last().map(|row| row[site]);
        let start_staff = before.map_or(f64::from(s.sites.employees_per_site), |t| t.employees);
        assert_eq!(
            start_staff + sum(&|t| t.hires) - sum(&|t| t.quits),
            end.employees,
            "site {site}: staff balance"
        );
        assert_eq!(o.hires[site] as f64, sum(&|t| t.hires));
        let start_customers = before.map_or(f64::from(s.sites.customers_per_site), |t| t.customers);
        assert_eq!(
            start_customers + sum(&|t| t.acquired) - sum(&|t| t.lost()),
            end.customers,
            "site {site}: customer balance"
        );
        assert!(end.customers <= f64::from(s.sites.market_per_site));
    }
}

/// The calendar never goes back, no one is served before arriving, no employee serves two at once.
pub fn check_clock(o: &ReplicationOutcome) {
    assert!(
        o.event_times.windows(2).all(|w| w[0] <= w[1]),
        "calendar went back in time"
    );
    for trace in &o.trace {
        assert!(
            trace.windows(2).all(|w| w[0].arrived <= w[1].arrived),
            "arrivals out of order"
        );
        let mut last_end: std::collections::BTreeMap<u32, u64> = Default::default();
        for e in trace {
            assert!(e.started >= e.arrived, "served before arriving: {e:?}");
            assert!(e.ended >= e.started, "ended before starting: {e:?}");
            if e.employee != u32::MAX {
                let prev = last_end.insert(e.employee, e.ended).unwrap_or(0);
                assert!(
                    e.started >= prev,
                    "employee {} serves two customers at once: {e:?}",
                    e.employee
                );
            }
        }
    }
}

#[test]
fn invariants_hold_on_the_small_scenario() {
    let s = small(20);
    // Replication 1: replication 0 of this seed happens to have no quits in 20 weeks.
    let o = Replication::new(&s, 11, 1).traced().run();
    assert!(o.encounters > 10_000);
    assert!(
        o.weekly.iter().flatten().map(|t| t.quits).sum::<f64>() > 0.0,
        "the check needs quits"
    );
    assert!(
        o.weekly.iter().flatten().map(|t| t.acquired).sum::<f64>() > 0.0,
        "the check needs acquisitions"
    );
    assert!(o.weekly.iter().flatten().map(|t| t.abandoned).sum::<f64>() >= 0.0);
    check_ledger(&o);
    check_revenue(&o);
    check_populations(&s, &o);
    check_clock(&o);
}

#[test]
fn invariants_hold_on_the_archetype_for_a_year() {
    let s = Scenario::built_in();
    let o = Replication::new(&s, 5, 1).weeks(53).traced().run();
    check_ledger(&o);
    check_revenue(&o);
    check_populations(&s, &o);
    check_clock(&o);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_random_scenarios(
        seed in 0u64..1_000,
        sites in 1u32..4,
        staff in 1u32..7,
        customers in 10u32..400,
        extra_market in 0u32..300,
        weeks in 1u32..12,
        dist in 0usize..4,
        links_on in any::<[bool; 8]>(),
        open_days in 1u32..8,
        abandonment in any::<bool>(),
    ) {
        let mut s = Scenario::default();
        s.sites.count = sites;
        s.sites.employees_per_site = staff;
        s.sites.customers_per_site = customers;
        s.sites.market_per_site = customers + extra_market;
        s.clock.open_days_per_week = open_days;
        s.service.abandonment = abandonment;
        s.service.time_distribution = [ServiceTimeDistribution::Exponential, ServiceTimeDistribution::LogNormal, ServiceTimeDistribution::Gamma, ServiceTimeDistribution::Fixed][dist];
        s.employees.expected_tenure_weeks = 20.0;
        let l = &mut s.links;
        [l.learning_curve, l.word_of_mouth, l.standard_erosion, l.emotional_labour, l.demand_to_headcount, l.satisfaction_to_churn, l.pressure_to_intensity, l.quits] = links_on;
        let o = Replication::new(&s, seed, 0).weeks(weeks).traced().run();
        prop_assert_eq!(o.weekly.len(), weeks as usize);
        check_ledger(&o);
        // Every site has revenue only when it expects a good many open days with staff and
        // customers (a lone employee may quit, and a site of ten customers open one day a week
        // can go weeks without a visit).
        if customers * weeks * open_days >= 2000 && staff >= 3 {
            check_revenue(&o);
        }
        check_populations(&s, &o);
        check_clock(&o);
    }
}
