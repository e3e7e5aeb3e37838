//! The site's arrival batching, bookkeeping mirrors and churn table, checked against plain
//! references.

use super::encounter::BATCH;
use super::*;
use crate::scenario::Scenario;

#[test]
fn churn_is_flat_in_the_middle_and_falls_steeply_at_the_top() {
    let s = Scenario::default();
    let ctx = Context::new(&s, false);
    let h = |sat: f64| ctx.churn_by_satisfaction[(sat * 10.0) as usize];
    let c = &s.customers;
    assert!(
        (h(60.0) - c.churn_middle_per_year).abs() < 0.01,
        "flat middle: {}",
        h(60.0)
    );
    assert!((h(55.0) - h(65.0)).abs() < 0.01);
    assert!(
        h(95.0) < 0.3 * h(70.0),
        "apostles stay: {} vs {}",
        h(95.0),
        h(70.0)
    );
    assert!(
        h(20.0) > 3.0 * h(60.0),
        "terrorists leave: {} vs {}",
        h(20.0),
        h(60.0)
    );

    let mut flat = Scenario::default();
    flat.links.satisfaction_to_churn = false;
    let ctx = Context::new(&flat, false);
    assert!(
        ctx.churn_by_satisfaction
            .iter()
            .all(|&x| x == c.churn_middle_per_year)
    );
}

/// Arrivals as the one-at-a-time loop drew them: for each, the gap to the next, then its
/// slot; prospects numbered but dropped.
fn reference_arrivals(site: &Site, close: u64) -> (Vec<(u64, usize, u64)>, Stream) {
    let mut rng = site.streams.arrivals.clone();
    let (mut t, mut number, mut kept) = (site.pending_arrival, site.arrivals_drawn, vec![]);
    while t < close {
        let following = arrival_after(&mut rng, t, site.mean_gap_seconds, close);
        let slot = site.alias.pick(rng.next_u64());
        if site.customers.is_active(slot) {
            kept.push((t, slot, number));
        }
        number += 1;
        t = following;
    }
    (kept, rng)
}

#[test]
fn batched_arrivals_are_the_one_at_a_time_arrivals() {
    let mut s = Scenario::default();
    // A market with many prospects, so that dropping them is exercised.
    s.sites.customers_per_site = 1_000;
    s.sites.market_per_site = 3_000;
    s.demand.visits_per_customer_per_week = 10.0;
    let ctx = Context::new(&s, false);
    let mut site = Site::new(&ctx, 7, 3, 1);
    site.set_demand(1.0);
    for day in 0..3u64 {
        let (open, close) = (day * 86_400 + 8 * 3_600, day * 86_400 + 20 * 3_600);
        site.start_shift(&ctx, SimTime(open), SimTime(close));
        let (expected, mut rng) = reference_arrivals(&site, close);
        let mut got = Vec::new();
        loop {
            if site.batch.next == site.batch.len {
                if site.pending_arrival >= close {
                    break;
                }
                site.refill();
                continue;
            }
            let i = site.batch.next;
            let b = &site.batch;
            got.push((b.at[i], b.slot[i] as usize, b.number[i]));
            site.batch.next += 1;
        }
        assert!(expected.len() > BATCH, "several chunks: {}", expected.len());
        assert_eq!(got, expected, "day {day}");
        // The stream is left where the one-at-a-time loop left it.
        assert_eq!(site.streams.arrivals.next_u64(), rng.next_u64());
        site.end_shift(SimTime(close));
    }
}

#[test]
fn bookkeeping_mirrors_follow_the_records() {
    let s = Scenario::default();
    let ctx = Context::new(&s, false);
    let mut site = Site::new(&ctx, 11, 0, 0);
    for day in 0..14u32 {
        if day % 7 == 0 {
            site.set_demand(1.0);
        }
        let base = u64::from(day) * 86_400;
        let (open, close) = (SimTime(base + 8 * 3_600), SimTime(base + 20 * 3_600));
        site.start_shift(&ctx, open, close);
        site.advance_to(&ctx, close);
        site.end_shift(close);
        if day % 7 == 6 {
            let _ = site.weekly_review(&ctx, day / 7);
        }
        let c = &site.customers;
        // The prospects are exactly the slots not active, each once, each with its key.
        let mut prospects: Vec<usize> = c.prospects.iter().map(|(slot, _)| slot).collect();
        prospects.sort_unstable();
        let inactive: Vec<usize> = (0..c.market()).filter(|&k| !c.is_active(k)).collect();
        assert_eq!(prospects, inactive, "day {day}");
        assert_eq!(c.count(), c.active().count());
        for (slot, key) in c.prospects.iter() {
            let want = prospect_key(site.acquisition_key, slot, c.slots[slot].generation);
            assert_eq!(key, c.prospects.kept_bits(want));
        }
        // The running totals are what a fresh count of the records gives.
        let mut fresh = c.clone();
        fresh.recount();
        assert_eq!(c.totals(), fresh.totals(), "day {day}");
        assert!(c.totals().satisfaction_sum() > 0.0);
    }
    // Both ways a slot changes were taken: some customers were lost, some prospects joined.
    assert!(site.encounters > 0);
    assert!(site.customers.slots.iter().any(|c| c.loss_cause > 0));
    assert!(site.customers.slots.iter().any(|c| c.generation > 0));
}
