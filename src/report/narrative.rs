//! The narrative of `chainsim explain`: one replication's months ([`Explanation`], plain data
//! from [`crate::explain`]) told in sentences. Each sentence names the link that moved and gives
//! this replication's numbers, formatted through [`super::format`] as every other output is.

use std::fmt::Write as _;

use super::format;
use crate::explain::{ExplainOptions, Explanation, MonthState, PolicyChange, PolicyEvent};
use crate::scenario::{Arm, Lever, Scenario};

/// Whether a quantity rose or fell.
fn moved(from: f64, to: f64) -> &'static str {
    if to >= from { "rose" } else { "fell" }
}

/// A count of people or things: in words below ten (`three`), else in figures (`1,204`).
fn count(x: f64) -> String {
    const WORDS: [&str; 10] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let n = x.round();
    if (0.0..10.0).contains(&n) {
        WORDS[n as usize].to_string()
    } else {
        whole(n)
    }
}

/// A whole number in figures, with thousands separators: `3,456`.
fn whole(x: f64) -> String {
    format::grouped(x, 0)
}

/// A lever as the scenario writes it: `SmileTraining(display_points: 25)`, `Empowerment`.
fn lever_as_written(lever: Lever) -> String {
    let params: Vec<String> = lever
        .parameters()
        .iter()
        // Parameters read as in the scenario file (shortest form), not rounded for people.
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    if params.is_empty() {
        lever.name().to_string()
    } else {
        format!("{}({})", lever.name(), params.join(", "))
    }
}

/// An intervention's event in words: `Tooling(amount: 40000) fired in week 4`.
fn policy_text(arm: &Arm, event: &PolicyEvent) -> String {
    let what = lever_as_written(arm.interventions[event.intervention].lever);
    let change = match event.change {
        PolicyChange::Fired => "fired",
        PolicyChange::Began => "began",
        PolicyChange::Ended => "ended",
    };
    format!("{what} {change} in week {}", event.week)
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

/// The narrative of `explanation` (a replication of `scenario` explained with `options`): a
/// heading, the starting state, then one paragraph per month naming what moved and why.
pub fn narrate(scenario: &Scenario, options: &ExplainOptions, explanation: &Explanation) -> String {
    let months = &explanation.months;
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
        first.isq,
        first.morale,
        whole(first.employees),
        whole(first.customers),
        first.satisfaction
    );
    for (i, now) in months.iter().enumerate() {
        let prev = if i == 0 { now } else { &months[i - 1] };
        let mut said: Vec<String> = Vec::new();
        if !now.policies.is_empty() {
            let policies: Vec<String> = now.policies.iter().map(|p| policy_text(arm, p)).collect();
            said.push(format!("policy: {}", policies.join("; ")));
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
                "{} rookie{} now serve{} at {} effectiveness",
                count(now.rookies),
                if now.rookies == 1.0 { "" } else { "s" },
                if now.rookies == 1.0 { "s" } else { "" },
                format::percent(now.rookie_effectiveness)
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
                "work pressure {} (the work needs that much more capacity than the staff give)",
                format::percent(now.work_pressure)
            );
            if now.time_factor < 0.99 {
                let _ = write!(
                    t,
                    ": staff cut corners, taking {} of the standard time",
                    format::percent(now.time_factor)
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
                    "waits {} {} to {:.1} minutes",
                    if change > 0.0 { "grew" } else { "shrank" },
                    format::percent(change.abs()),
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
                "{} customers left ({} over service) and {} joined ({} referred by word of mouth); {} complaints; word of mouth {} negative mentions against {} positive",
                whole(now.lost),
                whole(now.lost_service),
                whole(now.acquired),
                whole(now.referred),
                whole(now.complaints),
                whole(now.wom_negative),
                whole(now.wom_positive)
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
            "revenue {} a week{change}, profit {} a week; {} customers",
            format::money(per_week(now, now.revenue)),
            format::money(per_week(now, now.profit)),
            whole(now.customers)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levers_read_as_the_scenario_writes_them() {
        for (lever, text) in [
            (
                Lever::Tooling { amount: 40_000.0 },
                "Tooling(amount: 40000)",
            ),
            (Lever::PayRaise { percent: 2.5 }, "PayRaise(percent: 2.5)"),
            (
                Lever::CostCutting {
                    headcount_percent: 10.0,
                    tools_percent: 0.0,
                    training_percent: 12.5,
                },
                "CostCutting(headcount_percent: 10, tools_percent: 0, training_percent: 12.5)",
            ),
            (Lever::Empowerment, "Empowerment"),
        ] {
            assert_eq!(lever_as_written(lever), text);
        }
    }

    #[test]
    fn counts_are_words_below_ten_and_grouped_figures_above() {
        assert_eq!(count(0.0), "no");
        assert_eq!(count(3.2), "three");
        assert_eq!(count(12.0), "12");
        assert_eq!(count(20_758.0), "20,758");
    }
}
