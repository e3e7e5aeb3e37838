//! `chainsim explain`: one replication, month by month, from the simulation's own state. A
//! [`Probe`] reads the agents at every weekly review (the terms of each employee's morale target,
//! the ISQ stocks, display rules, rookies); the weekly tallies and the ledger give the flows
//! (quits, hires, waits, losses, money). The result is plain data, one [`MonthState`] a month:
//! `report::narrative` turns it into sentences, each naming the link that moved and giving the
//! numbers, so nothing is guessed and nothing here formats text.

use crate::model::metrics::{Metric, WeekTally};
use crate::model::site::MoraleTerms;
use crate::model::world::month_of_week;
use crate::model::{Context, Probe, Replication, Site};
use crate::scenario::Scenario;

/// What to explain.
#[derive(Debug, Clone, Copy)]
pub struct ExplainOptions {
    /// Index of the arm.
    pub arm: usize,
    /// One site, or the whole firm (`None`).
    pub site: Option<usize>,
    /// Master seed.
    pub seed: u64,
    /// Replication index (its streams are the same as in `run`).
    pub replication: u64,
    /// Horizon, weeks.
    pub weeks: u32,
}

/// The state of the explained sites at a weekly review, read from the agents.
#[derive(Debug, Clone, Copy, Default)]
struct Look {
    tools: f64,
    skills: f64,
    leadership: f64,
    staffing: f64,
    pay_fairness: f64,
    /// Mean over employees of each morale term.
    terms: MoraleTerms,
    /// Mean morale target.
    target: f64,
    /// Mean display demand (rules plus training).
    display: f64,
    /// Rookies (below the rookie threshold) and their mean effectiveness.
    rookies: f64,
    rookie_effectiveness: f64,
    /// Share of the standard service time actually taken (below 1: corner cutting).
    time_factor: f64,
}

struct Recorder {
    site: Option<usize>,
    looks: Vec<Look>,
}

impl Probe for Recorder {
    fn after_review(&mut self, ctx: &Context, _week: u32, sites: &[Site]) {
        let scn = ctx.scenario;
        let e = &scn.employees;
        let chosen: Vec<&Site> = sites
            .iter()
            .filter(|s| self.site.is_none_or(|i| s.index == i))
            .collect();
        let n = chosen.len().max(1) as f64;
        let mut look = Look::default();
        let (mut staff, mut rookie_eff) = (0.0, 0.0);
        for s in &chosen {
            let pay = s.pay_fairness(ctx);
            look.tools += s.tools / n;
            look.skills += s.skills / n;
            look.leadership += (s.manager_quality + s.leadership_development).clamp(0.0, 100.0) / n;
            look.staffing += s.staffing / n;
            look.pay_fairness += pay / n;
            look.time_factor += s.time_factor / n;
            for k in s.employees.active() {
                let t = s.morale_terms(ctx, k, pay);
                look.terms.isq += t.isq;
                look.terms.pay += t.pay;
                look.terms.mirror += t.mirror;
                look.terms.fatigue += t.fatigue;
                look.terms.strain += t.strain;
                look.target += t.target(e.morale_base);
                look.display += e.display_demand_base + s.employees.display_training[k];
                let eff = s.employees.effectiveness[k];
                if eff < e.rookie_threshold {
                    look.rookies += 1.0;
                    rookie_eff += eff;
                }
                staff += 1.0;
            }
        }
        if staff > 0.0 {
            for x in [
                &mut look.terms.isq,
                &mut look.terms.pay,
                &mut look.terms.mirror,
                &mut look.terms.fatigue,
                &mut look.terms.strain,
                &mut look.target,
                &mut look.display,
            ] {
                *x /= staff;
            }
        }
        look.rookie_effectiveness = if look.rookies > 0.0 {
            rookie_eff / look.rookies
        } else {
            f64::NAN
        };
        self.looks.push(look);
    }
}

/// One month of the explained replication: the state at its last review and its flows.
#[derive(Debug, Clone, Default)]
pub struct MonthState {
    /// Month number from 1.
    pub month: u32,
    /// First and last week of the month (from 0, as in `weekly.csv`).
    pub weeks: (u32, u32),
    /// Internal service quality at the month's last review, 0-100.
    pub isq: f64,
    /// Tools stock, 0-100.
    pub tools: f64,
    /// Skills stock, 0-100.
    pub skills: f64,
    /// Leadership (manager quality plus development), 0-100.
    pub leadership: f64,
    /// Staffing adequacy, 0-100.
    pub staffing: f64,
    /// Mean employee morale, 0-100.
    pub morale: f64,
    /// Mean morale target, 0-100.
    pub morale_target: f64,
    /// Mean morale terms.
    pub morale_terms: MoraleTerms,
    /// Mean display demand, 0-100.
    pub display_demand: f64,
    /// Mean emotional strain.
    pub strain: f64,
    /// Employees at the month's end.
    pub employees: f64,
    /// Rookies at the month's end.
    pub rookies: f64,
    /// Rookies' mean effectiveness (share of an experienced employee's); NaN with none.
    pub rookie_effectiveness: f64,
    /// Quits in the month.
    pub quits: f64,
    /// Hires who arrived in the month.
    pub hires: f64,
    /// Vacancies at the month's end.
    pub vacancies: f64,
    /// Mean work pressure over the month's weeks (demand over capacity).
    pub work_pressure: f64,
    /// Service standard at the month's end, minutes.
    pub standard_minutes: f64,
    /// Share of the standard time taken per service.
    pub time_factor: f64,
    /// Customers served in the month.
    pub served: f64,
    /// Waiting time per served customer, minutes (as the `wait_minutes` metric).
    pub wait_minutes: f64,
    /// Customers who gave up waiting.
    pub abandoned: f64,
    /// Mean perceived service quality of the month's encounters, 0-100.
    pub perceived_quality: f64,
    /// Share of services with a task failure.
    pub failure_rate: f64,
    /// Mean customer satisfaction at the month's end, 0-100.
    pub satisfaction: f64,
    /// Active customers at the month's end.
    pub customers: f64,
    /// New customers in the month, and those of them referred by word of mouth.
    pub acquired: f64,
    /// Referred new customers.
    pub referred: f64,
    /// Customers lost in the month, and those lost over service.
    pub lost: f64,
    /// Customers lost over service.
    pub lost_service: f64,
    /// Complaints in the month.
    pub complaints: f64,
    /// Word-of-mouth mentions, negative and positive.
    pub wom_negative: f64,
    /// Positive mentions.
    pub wom_positive: f64,
    /// Revenue in the month, currency.
    pub revenue: f64,
    /// Profit in the month, currency.
    pub profit: f64,
    /// Interventions that fired, started or ended in the month, in the arm's order.
    pub policies: Vec<PolicyEvent>,
}

/// What an intervention did in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyChange {
    /// A one-off lever fired (once, or at one of its repeats).
    Fired,
    /// A continuing lever began.
    Began,
    /// A continuing lever ended.
    Ended,
}

/// One intervention's event in the explained replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyEvent {
    /// Index of the intervention in the arm's `interventions`.
    pub intervention: usize,
    /// What it did.
    pub change: PolicyChange,
    /// The week it did it (from 0).
    pub week: u32,
}

/// A replication explained: its months, as data (`report::narrative::narrate` tells them).
#[derive(Debug, Clone)]
pub struct Explanation {
    /// One entry per month, in order.
    pub months: Vec<MonthState>,
}

/// Runs replication `options.replication` of `options.arm` and explains it.
pub fn explain(scenario: &Scenario, options: &ExplainOptions) -> Explanation {
    let mut recorder = Recorder {
        site: options.site,
        looks: Vec::new(),
    };
    let out = Replication::new(scenario, options.seed, options.replication)
        .arm(options.arm)
        .weeks(options.weeks)
        .run_probed(&mut recorder);
    let weekly: Vec<WeekTally> = out
        .weekly
        .iter()
        .map(|row| {
            let mut t = WeekTally::default();
            for (i, s) in row.iter().enumerate() {
                if options.site.is_none_or(|k| k == i) {
                    t.add(s);
                }
            }
            t
        })
        .collect();
    let arm = &scenario.arms[options.arm];
    let mut months: Vec<MonthState> = Vec::new();
    let mut week = 0u32;
    while week < options.weeks {
        let m = month_of_week(week);
        let first = week;
        while week < options.weeks && month_of_week(week) == m {
            week += 1;
        }
        let last = week - 1;
        // The month's flows are its weeks' tallies added up; states are read at its last week.
        // Both go through the metrics' own definitions, as `weekly.csv` does.
        let mut month = WeekTally::default();
        for t in &weekly[first as usize..=last as usize] {
            month.add(t);
        }
        let end = &weekly[last as usize];
        let at_end = |m: Metric| m.value(end, end);
        let over_month = |m: Metric| m.value(&month, &month);
        let look = recorder
            .looks
            .get(last as usize)
            .copied()
            .unwrap_or_default();
        let mut policies = Vec::new();
        for (intervention, iv) in arm.interventions.iter().enumerate() {
            let event = |change, week| PolicyEvent {
                intervention,
                change,
                week,
            };
            if iv.lever.is_one_off() {
                for w in iv
                    .firings(options.weeks)
                    .into_iter()
                    .filter(|w| (first..=last).contains(w))
                {
                    policies.push(event(PolicyChange::Fired, w));
                }
            } else {
                if (first..=last).contains(&iv.start_week) {
                    policies.push(event(PolicyChange::Began, iv.start_week));
                }
                if let Some(e) = iv.end_week.filter(|e| (first..=last).contains(e)) {
                    policies.push(event(PolicyChange::Ended, e));
                }
            }
        }
        months.push(MonthState {
            month: m + 1,
            weeks: (first, last),
            isq: at_end(Metric::Isq),
            tools: look.tools,
            skills: look.skills,
            leadership: look.leadership,
            staffing: look.staffing,
            morale: at_end(Metric::Morale),
            morale_target: look.target,
            morale_terms: look.terms,
            display_demand: look.display,
            strain: at_end(Metric::Strain),
            employees: end.employees,
            rookies: end.rookies,
            rookie_effectiveness: look.rookie_effectiveness,
            quits: month.quits,
            hires: month.hires,
            vacancies: end.vacancies,
            work_pressure: over_month(Metric::WorkPressure),
            standard_minutes: at_end(Metric::ServiceStandardMinutes),
            time_factor: look.time_factor,
            served: month.served,
            wait_minutes: over_month(Metric::WaitMinutes),
            abandoned: month.abandoned,
            perceived_quality: over_month(Metric::PerceivedQuality),
            failure_rate: over_month(Metric::FailureRate),
            satisfaction: at_end(Metric::Satisfaction),
            customers: at_end(Metric::ActiveCustomers),
            acquired: month.acquired,
            referred: month.referred,
            lost: month.lost(),
            lost_service: month.lost_service,
            complaints: month.complaints,
            wom_negative: month.wom_negative,
            wom_positive: month.wom_positive,
            revenue: month.money.revenue().to_currency(),
            profit: month.money.profit().to_currency(),
            policies,
        });
    }
    Explanation { months }
}
