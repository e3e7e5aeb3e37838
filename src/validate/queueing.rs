//! The site as a textbook queue: with every feedback link off, no churn and no acquisition, a
//! site is M/M/c (or M/M/c+M with abandonment), and its waits and abandonment must agree with
//! Erlang C and Erlang A. This checks the encounter loop against theory, not against the field.

use super::{
    CheckResult, Figure, FigureKind, Rule, Stopped, ValidateOptions, Validation, replicate,
};
use crate::model::{Replication, WeekTally};
use crate::scenario::{Links, Range, Scenario};
use crate::stats::mean_interval;
use crate::stats::series::IntervalRow;

/// A single site open round the clock with every feedback link off, no churn and no
/// acquisition: an M/M/c queue (M/M/c+M with `patience_minutes`) with exponential service of
/// `service_minutes`, which must agree with queueing theory. Nearly identical visit rates make
/// the realised arrival rate the nominal one. A base of 10,000 customers; see
/// [`queue_scenario_with_customers`] for another.
pub fn queue_scenario(
    servers: u32,
    arrivals_per_minute: f64,
    service_minutes: f64,
    patience_minutes: Option<f64>,
) -> Scenario {
    queue_scenario_with_customers(
        servers,
        arrivals_per_minute,
        service_minutes,
        patience_minutes,
        10_000,
    )
}

/// [`queue_scenario`] with a base of `customers` customers (at least 1): the site's arrival
/// rate stays `arrivals_per_minute` whatever the base, each customer visiting proportionally
/// less often. The base changes only the engine's per-customer work (the weekly review, the
/// record an arrival fetches), not the queue (arrivals are one Poisson stream to the site).
pub fn queue_scenario_with_customers(
    servers: u32,
    arrivals_per_minute: f64,
    service_minutes: f64,
    patience_minutes: Option<f64>,
    customers: u32,
) -> Scenario {
    assert!(customers > 0, "a queue needs at least one customer");
    let mut s = Scenario::default();
    let off = ron::to_string(&Links::default())
        .expect("links serialise")
        .replace("true", "false");
    s.links = ron::from_str(&off).expect("links deserialise");
    s.sites.count = 1;
    s.sites.employees_per_site = servers;
    s.sites.customers_per_site = customers;
    s.sites.market_per_site = customers;
    s.sites.demand_multiplier = Range::new(1.0, 1.0);
    s.clock.open_minute = 0;
    s.clock.close_minute = 1440;
    s.clock.open_days_per_week = 7;
    s.employees.contract_hours_per_week = 168.0; // the same servers all the time, as in M/M/c
    s.demand.visit_rate_shape = 1.0e9;
    s.demand.visits_per_customer_per_week = arrivals_per_minute * 10_080.0 / f64::from(customers);
    s.demand.seasonality_amplitude = 0.0;
    s.service.standard_time_minutes = service_minutes;
    s.service.abandonment = patience_minutes.is_some();
    s.service.patience_mean_minutes = patience_minutes.unwrap_or(1.0);
    s.employees.absence_probability = 0.0;
    let c = &mut s.customers;
    c.churn_top_per_year = 0.0;
    c.churn_middle_per_year = 0.0;
    c.churn_bottom_per_year = 0.0;
    c.loss_product_per_year = 0.0;
    c.loss_competitor_per_year = 0.0;
    c.loss_moved_per_year = 0.0;
    c.marketing_customers_per_site_per_week = Some(0.0);
    // No feedback link is on: nothing to warm up.
    s.warmup_weeks = 0;
    s.weeks = 3;
    s
}

/// Erlang C for M/M/c with `c` servers, arrival rate `lambda` and service rate `mu`: the
/// probability of waiting and the mean wait in queue (in the time unit of the rates).
pub fn erlang_c(c: u32, lambda: f64, mu: f64) -> (f64, f64) {
    let a = lambda / mu;
    let rho = a / f64::from(c);
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) / (1.0 - rho);
    let p_wait = top / (sum + top);
    (p_wait, p_wait / (f64::from(c) * mu - lambda))
}

/// Birth-death chain of M/M/c+M (Erlang A) with service rate 1: the mean wait in queue of all
/// arrivals (minutes) and the probability of abandoning.
fn erlang_a(c: u32, lambda: f64, theta: f64) -> (f64, f64) {
    let cap = 4000usize;
    let mut p = vec![1.0f64; cap];
    for n in 1..cap {
        let death = f64::from(c.min(n as u32)) + theta * (n as f64 - f64::from(c)).max(0.0);
        p[n] = p[n - 1] * lambda / death;
        if p[n] < 1e-300 {
            p.truncate(n);
            break;
        }
    }
    let total: f64 = p.iter().sum();
    let queue: f64 = p
        .iter()
        .enumerate()
        .map(|(n, x)| x / total * (n as f64 - f64::from(c)).max(0.0))
        .sum();
    // Little's law on the queue; abandonment rate theta x E[queue] over lambda.
    (queue / lambda, theta * queue / lambda)
}

pub(super) fn queueing(o: &ValidateOptions, out: &mut Validation) -> Result<(), Stopped> {
    let reps = o.replications.clamp(4, 20);
    let measure = |s: &Scenario| {
        replicate(o.interrupt, reps, |r| {
            let mut t = WeekTally::default();
            let outcome = Replication::new(s, o.seed, r).arm(0).run();
            // The first week is warm-up from an empty queue.
            for row in outcome.weekly.iter().skip(1) {
                row.iter().for_each(|x| t.add(x));
            }
            t
        })
    };
    let mut rows = Vec::new();
    let mut worst = (0.0f64, String::new());
    let configs = [(1, 0.7), (4, 3.4), (10, 9.0)];
    let mut ratios = Vec::new();
    for (c, lambda) in configs {
        let s = queue_scenario(c, lambda, 1.0, None);
        let (theory, _) = erlang_a(c, lambda, 0.0);
        let sim = measure(&s)?;
        let i = mean_interval(
            sim.iter()
                .map(|t| t.wait_seconds_sum / 60.0 / t.served / theory),
        );
        let label = format!("M/M/{c}, rho {:.2}", lambda / f64::from(c));
        if (i.mean - 1.0).abs() >= worst.0 {
            worst = ((i.mean - 1.0).abs(), label.clone());
        }
        rows.push(IntervalRow {
            label: label.clone(),
            estimate: i.mean,
            lo: i.lo,
            hi: i.hi,
        });
        ratios.push((label, i));
    }
    for (label, i) in &ratios {
        out.results.push(
            CheckResult::judge(
                format!("erlang_c.{}", label.replace([' ', ',', '/', '.'], "")),
                "with feedback off, mean waits follow Erlang C",
                "simulated / Erlang C = 1",
                "Erlang C (M/M/c)",
                (0.95, 1.05),
                Rule::Overlaps,
                "x theory",
                *i,
            )
            .with_detail(format!("{label}, exponential service of 1 min")),
        );
    }
    let (c, lambda, patience) = (3, 3.0, 2.0);
    let s = queue_scenario(c, lambda, 1.0, Some(patience));
    let (_, theory) = erlang_a(c, lambda, 1.0 / patience);
    let sim = measure(&s)?;
    let i = mean_interval(sim.iter().map(|t| t.abandoned / t.arrivals / theory));
    out.results.push(
        CheckResult::judge(
            "erlang_a_abandonment".into(),
            "and abandonment follows M/M/c+M (Erlang A)",
            "simulated / Erlang A = 1",
            "Erlang A (M/M/c+M)",
            (0.95, 1.05),
            Rule::Overlaps,
            "x theory",
            i,
        )
        .with_detail(format!(
            "M/M/3+M at offered load 1.0 per server, patience 2 min: P(abandon) {theory:.3} in theory"
        )),
    );
    rows.push(IntervalRow {
        label: "M/M/3+M abandonment".into(),
        estimate: i.mean,
        lo: i.lo,
        hi: i.hi,
    });
    out.figures.push(Figure {
        stem: "queueing",
        title: "With every feedback link off, the site is a textbook queue".into(),
        kind: FigureKind::Intervals {
            rows,
            x_label: "simulated / theoretical (mean wait; abandonment), 95% interval",
        },
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_a_without_abandonment_is_erlang_c() {
        for (c, lambda) in [(1, 0.7), (4, 3.4), (10, 9.0)] {
            let (wait, abandon) = erlang_a(c, lambda, 0.0);
            let exact = erlang_c(c, lambda, 1.0).1;
            assert!(
                (wait / exact - 1.0).abs() < 1e-6,
                "{c} {lambda}: {wait} vs {exact}"
            );
            assert_eq!(abandon, 0.0);
        }
    }

    #[test]
    fn the_customer_base_leaves_the_arrival_rate_alone() {
        let rate = |s: &Scenario| {
            s.demand.visits_per_customer_per_week * f64::from(s.sites.customers_per_site) / 10_080.0
        };
        for n in [1, 1_000, 100_000] {
            let s = queue_scenario_with_customers(25, 3.3, 6.0, None, n);
            assert_eq!(s.sites.customers_per_site, n);
            assert_eq!(s.sites.market_per_site, n);
            assert!((rate(&s) / 3.3 - 1.0).abs() < 1e-12, "{n}: {}", rate(&s));
            assert!(s.problems().is_empty(), "{n}: {:?}", s.problems());
        }
        assert_eq!(
            queue_scenario(4, 3.4, 1.0, Some(2.0)),
            queue_scenario_with_customers(4, 3.4, 1.0, Some(2.0), 10_000)
        );
    }

    #[test]
    fn erlang_a_single_server_matches_its_closed_form() {
        // M/M/1+M with theta = mu = 1: the queue is M/M/infinity shifted by one server, so
        // p(n) = p0 * lambda^n / n! and P(abandon) = 1 - (1 - p0) / lambda.
        let lambda: f64 = 1.5;
        let p0 = (-lambda).exp();
        let expected = 1.0 - (1.0 - p0) / lambda;
        let (_, abandon) = erlang_a(1, lambda, 1.0);
        assert!((abandon - expected).abs() < 1e-9, "{abandon} vs {expected}");
    }
}
