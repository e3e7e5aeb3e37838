//! What every experiment measures a replication by: the chain probe that reads the agents at
//! each weekly review, the reduction of a replication to the figures the checks need ([`Rep`]),
//! the built-in archetype scenarios, and the correlations across sites. The experiments share
//! these so that a figure means the same in every check.

use std::collections::BTreeMap;

use super::{Stopped, replicate};
use crate::model::{Context, Probe, Replication, ReplicationOutcome, Site, WeekTally};
use crate::runner::Interrupt;
use crate::scenario::{Arm, Scenario};
use crate::stats::{Interval, mean_interval};

/// The archetype scenarios, built in so `validate` runs anywhere.
const ARCHETYPES: [(&str, &str); 3] = [
    (
        "retail_bank",
        include_str!("../../scenarios/retail_bank.ron"),
    ),
    (
        "call_centre",
        include_str!("../../scenarios/call_centre.ron"),
    ),
    (
        "restaurant_chain",
        include_str!("../../scenarios/restaurant_chain.ron"),
    ),
];

/// Week the first-year window ends (burn-in: the chain settles from its starting values).
pub(super) const YEAR: u32 = 52;

/// The 1-5 survey rating of a satisfaction score: 5 from the top-box threshold, then 4, 3, 2 in
/// bands of 20 points below 60 (the survey instrument of the Xerox check).
pub fn survey_rating(satisfaction: f64, top_box_threshold: f64) -> u8 {
    if satisfaction >= top_box_threshold {
        5
    } else if satisfaction >= 60.0 {
        4
    } else if satisfaction >= 40.0 {
        3
    } else if satisfaction >= 20.0 {
        2
    } else {
        1
    }
}

pub(super) fn archetype(name: &str) -> Scenario {
    let (label, text) = ARCHETYPES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a built-in archetype");
    Scenario::parse(text, label).expect("built-in archetypes are valid")
}

/// `s` with its arms replaced by `arms` (RON list of arms); the first is the baseline.
pub(super) fn with_arms(mut s: Scenario, arms: &str) -> Scenario {
    s.arms = ron::from_str::<Vec<Arm>>(arms).expect("experiment arms are valid RON");
    s.baseline_arm = String::new();
    s
}

/// What the chain probe sees of one replication.
#[derive(Debug, Clone, Default)]
pub(super) struct ChainProbe {
    /// Per site, the snapshot cohort at the end of year one: (slot, rating).
    pub(super) cohort: Vec<Vec<(u32, u8)>>,
    /// Customers by rating at the snapshot, and how many were still customers a year later.
    pub(super) by_rating: [(f64, f64); 5],
    /// Customers of the starting book still active, by week.
    pub(super) initial_survivors: Vec<f64>,
    /// Sum and count of new hires' effectiveness by weeks of tenure (1-26).
    pub(super) ramp: Vec<(f64, f64)>,
    /// Lost output and trainers' time of each hire over their first year, currency, keyed by
    /// (site, slot, week of hire).
    pub(super) ramp_cost: BTreeMap<(usize, usize, u32), f64>,
}

impl Probe for ChainProbe {
    fn after_review(&mut self, ctx: &Context, week: u32, sites: &[Site]) {
        let scn = ctx.scenario;
        let top = scn.customers.top_box_threshold;
        if week + 1 == YEAR {
            self.cohort = sites
                .iter()
                .map(|s| {
                    let c = &s.customers;
                    c.active()
                        .map(|k| (k as u32, survey_rating(c.slots[k].satisfaction(), top)))
                        .collect()
                })
                .collect();
        }
        if week + 1 == 2 * YEAR {
            for (s, cohort) in sites.iter().zip(&self.cohort) {
                let c = &s.customers;
                for &(k, rating) in cohort {
                    let k = k as usize;
                    // A slot lost and re-acquired since holds a different customer.
                    // (Weeks of joining are calendar weeks, which begin with the warm-up.)
                    let rated_at = (scn.warmup_weeks + YEAR) as i32;
                    let kept = c.is_active(k) && i32::from(c.slots[k].joined_week) <= rated_at;
                    let cell = &mut self.by_rating[usize::from(rating) - 1];
                    cell.0 += 1.0;
                    cell.1 += f64::from(u8::from(kept));
                }
            }
        }
        let initial: usize = sites
            .iter()
            .map(|s| {
                let c = &s.customers;
                c.active()
                    .filter(|&k| i32::from(c.slots[k].joined_week) <= scn.warmup_weeks as i32)
                    .count()
            })
            .sum();
        self.initial_survivors.push(initial as f64);

        // New hires: tenure counts reviews since hire, so a hire has tenure <= week + 1 while
        // the starting staff (26-104 weeks at the start) always have more.
        self.ramp.resize(27, (0.0, 0.0));
        let e = &scn.employees;
        let hours = ctx.scheduled_hours_per_employee;
        for s in sites {
            let wage = s.wage_per_hour(ctx);
            for k in s.employees.active() {
                let tenure = s.employees.tenure_weeks[k];
                if tenure > f64::from(week + 1) || tenure > 52.0 {
                    continue;
                }
                let eff = s.employees.effectiveness[k];
                if tenure <= 26.0 {
                    let cell = &mut self.ramp[tenure as usize];
                    cell.0 += eff;
                    cell.1 += 1.0;
                }
                let trainer = if scn.links.trainer_time && eff < e.rookie_threshold {
                    e.trainer_time_per_rookie
                } else {
                    0.0
                };
                let hired = week + 1 - tenure as u32;
                *self.ramp_cost.entry((s.index, k, hired)).or_default() +=
                    ((1.0 - eff) + trainer) * hours * wage;
            }
        }
    }
}

/// A replication reduced to what the checks need.
#[derive(Debug, Clone, Default)]
pub(super) struct Rep {
    /// Firm-wide figures by week.
    pub(super) firm: Vec<FirmWeek>,
    /// Per site, figures over the window after year one.
    pub(super) sites: Vec<SiteWindow>,
    /// Firm tallies summed over the window after year one.
    pub(super) window: WeekTally,
    /// Cumulative profit at the horizon, currency.
    pub(super) profit: f64,
    /// The probe.
    pub(super) probe: ChainProbe,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FirmWeek {
    pub(super) morale: f64,
    pub(super) satisfaction: f64,
    pub(super) revenue: f64,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SiteWindow {
    pub(super) morale: f64,
    pub(super) satisfaction: f64,
    /// Share of active customers rating 5.
    pub(super) top_box: f64,
    /// Mean perceived quality of encounters.
    pub(super) quality: f64,
    pub(super) profit: f64,
    /// Quits per employee-year.
    pub(super) turnover: f64,
}

pub(super) fn ratio(a: f64, b: f64) -> f64 {
    if b != 0.0 { a / b } else { f64::NAN }
}

/// Runs replication `r` of arm `arm` with the chain probe and reduces it.
pub(super) fn run_rep(s: &Scenario, arm: usize, seed: u64, r: u64) -> Rep {
    let mut probe = ChainProbe::default();
    let o = Replication::new(s, seed, r).arm(arm).run_probed(&mut probe);
    reduce(&o, probe)
}

pub(super) fn reduce(o: &ReplicationOutcome, probe: ChainProbe) -> Rep {
    let firm_week = |row: &[WeekTally]| {
        let mut t = WeekTally::default();
        row.iter().for_each(|x| t.add(x));
        t
    };
    let firm: Vec<FirmWeek> = o
        .weekly
        .iter()
        .map(|row| {
            let t = firm_week(row);
            FirmWeek {
                morale: ratio(t.morale_sum, t.employees),
                satisfaction: ratio(t.satisfaction_sum, t.customers),
                revenue: t.money.get(crate::ledger::Line::Revenue).to_currency(),
            }
        })
        .collect();
    let n_sites = o.weekly.first().map_or(0, Vec::len);
    let after = o.weekly.iter().skip(YEAR as usize);
    let mut window = WeekTally::default();
    let mut per_site = vec![WeekTally::default(); n_sites];
    for row in after {
        for (acc, t) in per_site.iter_mut().zip(row) {
            acc.add(t);
            window.add(t);
        }
    }
    let sites = per_site
        .iter()
        .map(|t| SiteWindow {
            morale: ratio(t.morale_sum, t.employees),
            satisfaction: ratio(t.satisfaction_sum, t.customers),
            top_box: ratio(t.top_box, t.customers),
            quality: ratio(t.quality_sum, t.served + t.abandoned),
            profit: t.money.profit().to_currency(),
            turnover: ratio(t.quits * 52.0, t.employees),
        })
        .collect();
    let profit = o
        .weekly
        .iter()
        .map(|row| firm_week(row).money.profit().to_currency())
        .sum();
    Rep {
        firm,
        sites,
        window,
        profit,
        probe,
    }
}

/// Runs `reps` replications of every arm of `s`; result indexed [arm][replication].
pub(super) fn run_arms(
    s: &Scenario,
    seed: u64,
    reps: u32,
    interrupt: Interrupt,
) -> Result<Vec<Vec<Rep>>, Stopped> {
    (0..s.arms.len())
        .map(|a| replicate(interrupt, reps, |r| run_rep(s, a, seed, r)))
        .collect()
}

/// Mean over the window after year one of a firm series.
pub(super) fn window_mean(rep: &Rep, f: impl Fn(&FirmWeek) -> f64) -> f64 {
    let v: Vec<f64> = rep.firm.iter().skip(YEAR as usize).map(f).collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// An interval from a single value (no replication spread: a derived figure).
pub(super) fn point(x: f64) -> Interval {
    Interval {
        mean: x,
        lo: f64::NAN,
        hi: f64::NAN,
        n: 1,
    }
}

/// Pearson correlation of two equally long samples.
pub(super) fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    ratio(sxy, (sxx * syy).sqrt())
}

/// Mean cross-site correlation of morale and satisfaction over replications, averaged on
/// Fisher's z scale and transformed back with its interval.
pub(super) fn morale_satisfaction_correlation(reps: &[Rep]) -> Interval {
    let z = mean_interval(
        reps.iter()
            .map(|r| site_correlation(r).clamp(-0.999_999, 0.999_999).atanh()),
    );
    Interval {
        mean: z.mean.tanh(),
        lo: z.lo.tanh(),
        hi: z.hi.tanh(),
        n: z.n,
    }
}

/// Cross-site correlation of morale and satisfaction in one replication.
pub(super) fn site_correlation(x: &Rep) -> f64 {
    let a: Vec<f64> = x.sites.iter().map(|s| s.morale).collect();
    let b: Vec<f64> = x.sites.iter().map(|s| s.satisfaction).collect();
    correlation(&a, &b)
}

/// Partial correlation of morale and satisfaction across sites, holding perceived service
/// quality fixed.
pub(super) fn partial_correlation(x: &Rep) -> f64 {
    let col = |f: fn(&SiteWindow) -> f64| x.sites.iter().map(f).collect::<Vec<f64>>();
    let (m, c, q) = (
        col(|s| s.morale),
        col(|s| s.satisfaction),
        col(|s| s.quality),
    );
    let (rmc, rmq, rcq) = (
        correlation(&m, &c),
        correlation(&m, &q),
        correlation(&c, &q),
    );
    (rmc - rmq * rcq) / ((1.0 - rmq * rmq) * (1.0 - rcq * rcq)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_follow_the_cutoffs() {
        let r = |s| survey_rating(s, 80.0);
        assert_eq!(
            [
                r(0.0),
                r(19.9),
                r(20.0),
                r(40.0),
                r(59.9),
                r(60.0),
                r(79.9),
                r(80.0),
                r(100.0)
            ],
            [1, 1, 2, 3, 3, 4, 4, 5, 5]
        );
    }

    #[test]
    fn correlations_are_exact_on_lines_and_partial_correlation_removes_a_mediator() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let up: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let down: Vec<f64> = x.iter().map(|v| -v).collect();
        assert!((correlation(&x, &up) - 1.0).abs() < 1e-12);
        assert!((correlation(&x, &down) + 1.0).abs() < 1e-12);
        // Morale drives quality, quality alone drives satisfaction: the partial correlation of
        // morale and satisfaction given quality is zero.
        let morale = [50.0, 55.0, 61.0, 64.0, 70.0, 72.0];
        let noise = [0.3, -0.2, 0.5, -0.4, 0.1, -0.3];
        let quality: Vec<f64> = morale.iter().zip(noise).map(|(m, n)| 0.5 * m + n).collect();
        let sites: Vec<SiteWindow> = morale
            .iter()
            .zip(&quality)
            .map(|(&m, &q)| SiteWindow {
                morale: m,
                satisfaction: 10.0 + 1.2 * q,
                quality: q,
                ..SiteWindow::default()
            })
            .collect();
        let rep = Rep {
            sites,
            ..Rep::default()
        };
        assert!(site_correlation(&rep) > 0.9);
        assert!(partial_correlation(&rep).abs() < 1e-6);
    }
}
