//! `chainsim explain`: one replication narrated month by month, in plain sentences, from the
//! simulation's own state. A [`Probe`] reads the agents at every weekly review (the terms of
//! each employee's morale target, the ISQ stocks, display rules, rookies); the weekly tallies
//! and the ledger give the flows (quits, hires, waits, losses, money). Each sentence names the
//! link that moved and gives the numbers; nothing is guessed.

use std::fmt::Write as _;

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
    /// Tools, skills, leadership and staffing stocks, 0-100.
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
    /// Interventions that fired, started or ended in the month.
    pub policies: Vec<String>,
}

/// A replication explained: its months and the narrative.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// One entry per month.
    pub months: Vec<MonthState>,
    /// The narrative, one paragraph per month.
    pub text: String,
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
        for iv in &arm.interventions {
            // `Tooling { amount: 40000.0 }` reads as `Tooling(amount: 40000)`.
            let what = format!("{:?}", iv.lever)
                .replace(" { ", "(")
                .replace(" }", ")")
                .replace(".0)", ")")
                .replace(".0,", ",");
            if iv.lever.is_one_off() {
                for w in iv
                    .firings(options.weeks)
                    .into_iter()
                    .filter(|w| (first..=last).contains(w))
                {
                    policies.push(format!("{what} fired in week {w}"));
                }
            } else {
                if (first..=last).contains(&iv.start_week) {
                    policies.push(format!("{what} began in week {}", iv.start_week));
                }
                if let Some(e) = iv.end_week.filter(|e| (first..=last).contains(e)) {
                    policies.push(format!("{what} ended in week {e}"));
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
    let text = narrate(scenario, options, &months);
    Explanation { months, text }
}

fn moved(from: f64, to: f64) -> &'static str {
    if to >= from { "rose" } else { "fell" }
}

fn money(x: f64) -> String {
    crate::report::format::money(x)
}

fn count(x: f64) -> String {
    const WORDS: [&str; 10] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let n = x.round();
    if (0.0..10.0).contains(&n) {
        WORDS[n as usize].to_string()
    } else {
        format!("{n:.0}")
    }
}

/// Why morale moved: the term of its target that moved most in the same direction.
fn morale_reason(prev: &MonthState, now: &MonthState, scenario: &Scenario) -> String {
    let (a, b) = (prev.morale_terms, now.morale_terms);
    let up = now.morale >= prev.morale;
    // Signed change of each term's contribution to the target.
    let candidates = [
        ("isq", b.isq - a.isq),
        ("pay", b.pay - a.pay),
        ("mirror", b.mirror - a.mirror),
        ("fatigue", a.fatigue - b.fatigue),
        ("strain", a.strain - b.strain),
    ];
    let best = candidates
        .iter()
        .filter(|(_, d)| if up { *d > 0.0 } else { *d < 0.0 })
        .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()));
    let target = format!("its target is now {:.0}", now.morale_target);
    match best {
        Some(&(term, d)) if d.abs() >= 0.3 => {
            let why = match term {
                "isq" => format!(
                    "internal service quality {} from {:.0} to {:.0} (its pull on morale {:+.1} points)",
                    moved(prev.isq, now.isq),
                    prev.isq,
                    now.isq,
                    d
                ),
                "pay" => format!("pay fairness moved (its pull on morale {d:+.1} points)"),
                "mirror" => format!(
                    "customers' moods reached the staff (the satisfaction mirror: {d:+.1} points, with customer satisfaction at {:.0})",
                    now.satisfaction
                ),
                "fatigue" => format!("long hours wore staff down (long fatigue: {d:+.1} points)"),
                _ => {
                    if now.strain > prev.strain {
                        format!(
                            "display rules ({:.0}) outran felt morale (surface acting: strain {} from {:.1} to {:.1}, {d:+.1} points)",
                            now.display_demand,
                            moved(prev.strain, now.strain),
                            prev.strain,
                            now.strain
                        )
                    } else {
                        format!(
                            "emotional strain eased from {:.1} to {:.1} as the display rules ({:.0}) came closer to felt morale ({d:+.1} points)",
                            prev.strain, now.strain, now.display_demand
                        )
                    }
                }
            };
            if scenario.links.satisfaction_mirror || term != "mirror" {
                format!(" as {why}; {target}")
            } else {
                format!("; {target}")
            }
        }
        // Morale moving away from its target is the model's week-to-week noise in feelings.
        _ if (now.morale - prev.morale) * (now.morale_target - prev.morale) < 0.0 => format!(
            ", away from its target of {:.0}: week-to-week variation in how staff feel (no driver moved much this month)",
            now.morale_target
        ),
        _ => format!(
            ", closing the gap to its target of {:.0} (no driver moved much this month)",
            now.morale_target
        ),
    }
}

fn narrate(scenario: &Scenario, options: &ExplainOptions, months: &[MonthState]) -> String {
    let arm = &scenario.arms[options.arm];
    let mut s = String::new();
    let place = match options.site {
        Some(i) => format!("site {i}"),
        None => format!("the whole firm ({} sites)", scenario.sites.count),
    };
    let _ = writeln!(
        s,
        "{}: arm {} ({}), {place}; seed {}, replication {}. One replication, month by month: the numbers are this replication's, not averages over many.\n",
        scenario.name, arm.name, arm.description, options.seed, options.replication
    );
    let first = months.first().cloned().unwrap_or_default();
    let _ = writeln!(
        s,
        "Start: internal service quality {:.0}, morale {:.0}, {} employees, {} customers at satisfaction {:.0}.\n",
        first.isq, first.morale, first.employees, first.customers, first.satisfaction
    );
    for (i, now) in months.iter().enumerate() {
        let prev = if i == 0 { now } else { &months[i - 1] };
        let mut said: Vec<String> = Vec::new();
        if !now.policies.is_empty() {
            said.push(format!("policy: {}", now.policies.join("; ")));
        }
        if i > 0 {
            if (now.isq - prev.isq).abs() >= 1.0 {
                let parts = [
                    ("tools", prev.tools, now.tools),
                    ("skills", prev.skills, now.skills),
                    ("leadership", prev.leadership, now.leadership),
                    ("staffing", prev.staffing, now.staffing),
                ];
                let why = parts
                    .iter()
                    .max_by(|a, b| (a.2 - a.1).abs().total_cmp(&(b.2 - b.1).abs()))
                    .map_or(String::new(), |(n, a, b)| {
                        format!(" ({n} {a:.0} -> {b:.0})")
                    });
                said.push(format!(
                    "internal service quality {} from {:.0} to {:.0}{why}",
                    moved(prev.isq, now.isq),
                    prev.isq,
                    now.isq
                ));
            }
            if (now.morale - prev.morale).abs() >= 1.5 {
                said.push(format!(
                    "morale {} from {:.0} to {:.0}{}",
                    moved(prev.morale, now.morale),
                    prev.morale,
                    now.morale,
                    morale_reason(prev, now, scenario)
                ));
            }
        }
        if now.quits > 0.0 && (i == 0 || (now.quits - prev.quits).abs() >= 1.0) {
            let trend = if i == 0 || now.quits == prev.quits {
                "were"
            } else if now.quits > prev.quits {
                "rose to"
            } else {
                "fell to"
            };
            said.push(format!(
                "quits {trend} {} this month{}",
                count(now.quits),
                if i > 0 {
                    let before = if prev.quits == 0.0 {
                        "none".to_string()
                    } else {
                        count(prev.quits)
                    };
                    format!(" (from {before})")
                } else {
                    String::new()
                }
            ));
        }
        if now.hires > 0.0 {
            said.push(format!(
                "{} new hire{} arrived",
                count(now.hires),
                if now.hires == 1.0 { "" } else { "s" }
            ));
        }
        if now.rookies > 0.0 && (i == 0 || now.rookies != prev.rookies) {
            said.push(format!(
                "{} rookie{} now serve{} at {:.0}% effectiveness",
                count(now.rookies),
                if now.rookies == 1.0 { "" } else { "s" },
                if now.rookies == 1.0 { "s" } else { "" },
                100.0 * now.rookie_effectiveness
            ));
        }
        if now.vacancies >= 1.0 && (i == 0 || now.vacancies != prev.vacancies) {
            said.push(if now.vacancies < 1.5 {
                "one vacancy open".to_string()
            } else {
                format!("{} vacancies open", count(now.vacancies))
            });
        }
        // Work pressure is (desired - effective capacity) / effective: above 0, too few hands.
        if now.work_pressure > 0.05
            && (i == 0 || (now.work_pressure - prev.work_pressure).abs() >= 0.03)
        {
            let mut t = format!(
                "work pressure {:.0}% (the work needs that much more capacity than the staff give)",
                100.0 * now.work_pressure
            );
            if now.time_factor < 0.99 {
                let _ = write!(
                    t,
                    ": staff cut corners, taking {:.0}% of the standard time",
                    100.0 * now.time_factor
                );
            }
            said.push(t);
        }
        if i > 0 && (now.standard_minutes - prev.standard_minutes).abs() >= 0.05 {
            said.push(format!(
                "the service standard {} to {:.2} minutes ({})",
                if now.standard_minutes < prev.standard_minutes {
                    "eroded"
                } else {
                    "recovered"
                },
                now.standard_minutes,
                "it follows the time actually taken"
            ));
        }
        if i > 0 && prev.wait_minutes > 0.0 {
            let change = now.wait_minutes / prev.wait_minutes - 1.0;
            if change.abs() >= 0.2 && (now.wait_minutes - prev.wait_minutes).abs() >= 0.25 {
                said.push(format!(
                    "waits {} {:.0}% to {:.1} minutes",
                    if change > 0.0 { "grew" } else { "shrank" },
                    100.0 * change.abs(),
                    now.wait_minutes
                ));
            }
        }
        if i > 0 && (now.perceived_quality - prev.perceived_quality).abs() >= 1.0 {
            said.push(format!(
                "perceived service quality {} from {:.0} to {:.0} (task failures {:.1}% of services)",
                moved(prev.perceived_quality, now.perceived_quality),
                prev.perceived_quality,
                now.perceived_quality,
                100.0 * now.failure_rate
            ));
        }
        if i > 0 && (now.satisfaction - prev.satisfaction).abs() >= 0.5 {
            said.push(format!(
                "customer satisfaction {} from {:.1} to {:.1}",
                moved(prev.satisfaction, now.satisfaction),
                prev.satisfaction,
                now.satisfaction
            ));
        }
        if i > 0 && (now.lost - prev.lost).abs() >= 0.1 * prev.lost.max(10.0) {
            said.push(format!(
                "{:.0} customers left ({:.0} over service) and {:.0} joined ({:.0} referred by word of mouth); {:.0} complaints; word of mouth {:.0} negative mentions against {:.0} positive",
                now.lost,
                now.lost_service,
                now.acquired,
                now.referred,
                now.complaints,
                now.wom_negative,
                now.wom_positive
            ));
        }
        // Months have four or five weeks: compare rates per week.
        let per_week = |m: &MonthState, x: f64| x / f64::from(m.weeks.1 - m.weeks.0 + 1);
        let change = if i > 0 && prev.revenue > 0.0 {
            format!(
                " ({:+.0}% on last month's)",
                100.0 * (per_week(now, now.revenue) / per_week(prev, prev.revenue) - 1.0)
            )
        } else {
            String::new()
        };
        let money_line = format!(
            "revenue {} a week{change}, profit {} a week; {:.0} customers",
            money(per_week(now, now.revenue)),
            money(per_week(now, now.profit)),
            now.customers
        );
        if said.is_empty() {
            said.push(format!(
                "a steady month: morale {:.0}, satisfaction {:.1}",
                now.morale, now.satisfaction
            ));
        }
        said.push(money_line);
        let mut para = said.join("; ");
        if let Some(c) = para.get(..1) {
            para = c.to_uppercase() + &para[1..];
        }
        let _ = writeln!(
            s,
            "Month {} (weeks {}-{}): {para}.\n",
            now.month, now.weeks.0, now.weeks.1
        );
    }
    s
}
