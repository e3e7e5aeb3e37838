//! Policies: the investment levers of MODEL.md and their schedules. Each lever acts only through
//! its mechanism in the model and carries its own costs into the ledger.

use serde::{Deserialize, Serialize};

use super::param::{FieldDoc, Param, Problem, Rule, ron_text};

/// The largest pay raise, percent: wages at most eleven times what they were.
pub const MAX_RAISE_PERCENT: f64 = 1000.0;

/// The most extra paid acquisitions per site per week a `Marketing` lever asks for.
pub const MAX_EXTRA_CUSTOMERS: f64 = 1e6;

/// An investment lever and its parameters. One-off levers act each time they fire (at the
/// start week and every `every_weeks` after); continuing levers hold from the start week to
/// the end week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub enum Lever {
    /// One-off: courtesy scripts and display rules. Adds `display_points` to every current
    /// employee's display demand (decaying with `employees.display_training_half_life_weeks`).
    SmileTraining {
        /// Points added to the display demand, 0-100.
        display_points: f64,
    },
    /// One-off: tooling and systems capex of `amount` per site, depreciated in the ledger;
    /// raises the tools stock by `amount * isq.tools_points_per_currency`.
    Tooling {
        /// Capex per site, currency.
        amount: f64,
    },
    /// One-off: skills training of `amount` per employee; raises the skills stock by
    /// `amount * isq.skills_points_per_currency`.
    SkillsTraining {
        /// Spend per employee, currency.
        amount: f64,
    },
    /// One-off: leadership development, adding `points` to the site's leadership stock
    /// (decaying with `isq.leadership_half_life_weeks`).
    LeadershipDevelopment {
        /// Leadership points added, 0-100.
        points: f64,
    },
    /// Continuing: wages rise by `percent` (pay fairness and morale follow; wages cost more).
    PayRaise {
        /// Raise, percent of the wage.
        percent: f64,
    },
    /// Continuing: management wants `extra_employees` more per site than demand implies.
    StaffingLevel {
        /// Employees added to (or, if negative, removed from) the desired headcount.
        extra_employees: f64,
    },
    /// Continuing: front-line staff may resolve complaints on the spot (service recovery).
    Empowerment,
    /// Continuing: `extra_customers_per_week` more paid acquisitions per site per week, at the
    /// scenario's cost per acquired customer (acquisition without service change).
    Marketing {
        /// Extra paid new customers per site per week.
        extra_customers_per_week: f64,
    },
    /// Continuing: cut desired headcount, maintenance capex and the training budget by these
    /// percentages (short-term savings, long-term erosion).
    CostCutting {
        /// Cut of the desired headcount, percent.
        headcount_percent: f64,
        /// Cut of maintenance tools capex, percent.
        tools_percent: f64,
        /// Cut of the skills training budget, percent.
        training_percent: f64,
    },
    /// One-off: no mechanism, only the intervention's cost (for checks and sunk costs).
    #[default]
    CostOnly,
}

impl Lever {
    /// Whether the lever acts once per firing (rather than holding while active).
    pub fn is_one_off(self) -> bool {
        matches!(
            self,
            Lever::SmileTraining { .. }
                | Lever::Tooling { .. }
                | Lever::SkillsTraining { .. }
                | Lever::LeadershipDevelopment { .. }
                | Lever::CostOnly
        )
    }

    /// The lever's name as written in scenarios.
    pub fn name(self) -> &'static str {
        match self {
            Lever::SmileTraining { .. } => "SmileTraining",
            Lever::Tooling { .. } => "Tooling",
            Lever::SkillsTraining { .. } => "SkillsTraining",
            Lever::LeadershipDevelopment { .. } => "LeadershipDevelopment",
            Lever::PayRaise { .. } => "PayRaise",
            Lever::StaffingLevel { .. } => "StaffingLevel",
            Lever::Empowerment => "Empowerment",
            Lever::Marketing { .. } => "Marketing",
            Lever::CostCutting { .. } => "CostCutting",
            Lever::CostOnly => "CostOnly",
        }
    }

    /// The lever's parameters by name, as written in scenarios.
    pub fn parameters(self) -> Vec<(&'static str, f64)> {
        match self {
            Lever::SmileTraining { display_points } => vec![("display_points", display_points)],
            Lever::Tooling { amount } | Lever::SkillsTraining { amount } => {
                vec![("amount", amount)]
            }
            Lever::LeadershipDevelopment { points } => vec![("points", points)],
            Lever::PayRaise { percent } => vec![("percent", percent)],
            Lever::StaffingLevel { extra_employees } => vec![("extra_employees", extra_employees)],
            Lever::Marketing {
                extra_customers_per_week,
            } => vec![("extra_customers_per_week", extra_customers_per_week)],
            Lever::CostCutting {
                headcount_percent,
                tools_percent,
                training_percent,
            } => vec![
                ("headcount_percent", headcount_percent),
                ("tools_percent", tools_percent),
                ("training_percent", training_percent),
            ],
            Lever::Empowerment | Lever::CostOnly => Vec::new(),
        }
    }

    fn check(self, path: &str, problems: &mut Vec<Problem>) {
        let mut rule =
            |field: &str, x: f64, r: Rule| x.check(&format!("{path}.{field}"), r, problems);
        match self {
            Lever::SmileTraining { display_points } => {
                rule("display_points", display_points, Rule::Score)
            }
            Lever::Tooling { amount } | Lever::SkillsTraining { amount } => {
                rule("amount", amount, Rule::Money)
            }
            Lever::LeadershipDevelopment { points } => rule("points", points, Rule::Score),
            Lever::PayRaise { percent } => {
                // Wages times (1 + percent / 100): from nothing to eleven times the wage.
                if !(-100.0..=MAX_RAISE_PERCENT).contains(&percent) {
                    problems.push(Problem {
                        path: format!("{path}.percent"),
                        message: format!(
                            "expected a percentage in [-100, {MAX_RAISE_PERCENT}], found {}",
                            ron_text(&percent)
                        ),
                    });
                }
            }
            Lever::StaffingLevel { extra_employees } => {
                rule("extra_employees", extra_employees, Rule::Any)
            }
            Lever::Marketing {
                extra_customers_per_week,
            } => {
                if !(0.0..=MAX_EXTRA_CUSTOMERS).contains(&extra_customers_per_week) {
                    problems.push(Problem {
                        path: format!("{path}.extra_customers_per_week"),
                        message: format!(
                            "expected a number of customers in [0, {MAX_EXTRA_CUSTOMERS}], found {}",
                            ron_text(&extra_customers_per_week)
                        ),
                    });
                }
            }
            Lever::CostCutting {
                headcount_percent,
                tools_percent,
                training_percent,
            } => {
                for (f, x) in [
                    ("headcount_percent", headcount_percent),
                    ("tools_percent", tools_percent),
                    ("training_percent", training_percent),
                ] {
                    if !(0.0..=100.0).contains(&x) {
                        problems.push(Problem {
                            path: format!("{path}.{f}"),
                            message: format!(
                                "expected a percentage in [0, 100], found {}",
                                ron_text(&x)
                            ),
                        });
                    }
                }
            }
            Lever::Empowerment | Lever::CostOnly => {}
        }
    }
}

/// One intervention of an arm's schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Intervention {
    /// What is done.
    pub lever: Lever,
    /// First week it acts (0-based).
    pub start_week: u32,
    /// Week it stops (exclusive); none: to the horizon.
    pub end_week: Option<u32>,
    /// One-off levers fire again every this many weeks (e.g. 13 for quarterly refreshers).
    pub every_weeks: Option<u32>,
    /// Cost per targeted site each time it fires (one-off) or each week (continuing), currency.
    pub cost_per_site: f64,
    /// Cost per employee of a targeted site each time it fires or each week, currency.
    pub cost_per_employee: f64,
    /// Sites it targets (0-based); empty: every site.
    pub sites: Vec<u32>,
}

impl Intervention {
    /// Whether it targets site `s`.
    pub fn targets(&self, s: usize) -> bool {
        self.sites.is_empty() || self.sites.iter().any(|&x| x as usize == s)
    }

    /// Checks it against a scenario of `sites` sites and `weeks` weeks.
    pub fn check_in(&self, path: &str, sites: u32, weeks: u32, problems: &mut Vec<Problem>) {
        self.lever.check(&format!("{path}.lever"), problems);
        self.cost_per_site
            .check(&format!("{path}.cost_per_site"), Rule::Money, problems);
        self.cost_per_employee
            .check(&format!("{path}.cost_per_employee"), Rule::Money, problems);
        let mut bad = |field: &str, message: String| {
            problems.push(Problem {
                path: format!("{path}.{field}"),
                message,
            })
        };
        if self.start_week >= weeks {
            bad(
                "start_week",
                format!(
                    "expected a week before the horizon ({weeks}), found {}",
                    self.start_week
                ),
            );
        }
        if let Some(end) = self.end_week
            && end <= self.start_week
        {
            bad(
                "end_week",
                format!(
                    "reversed range: expected an end after start_week {}, found {end}",
                    self.start_week
                ),
            );
        }
        if let Some(every) = self.every_weeks {
            if every == 0 {
                bad(
                    "every_weeks",
                    "expected a number of weeks of at least 1, found 0".into(),
                );
            } else if !self.lever.is_one_off() {
                bad(
                    "every_weeks",
                    format!(
                        "expected no recurrence for the continuing lever {}, found Some({every}); use end_week",
                        self.lever.name()
                    ),
                );
            }
        }
        for (k, &s) in self.sites.iter().enumerate() {
            if s >= sites {
                bad(
                    &format!("sites[{k}]"),
                    format!("expected a site index below {sites}, found {s}"),
                );
            }
        }
    }

    /// Weeks (before `weeks`) at which a one-off lever fires.
    pub fn firings(&self, weeks: u32) -> Vec<u32> {
        let end = self.end_week.unwrap_or(weeks).min(weeks);
        match self.every_weeks {
            Some(e) if e > 0 => (self.start_week..end).step_by(e as usize).collect(),
            _ if self.start_week < end => vec![self.start_week],
            _ => Vec::new(),
        }
    }
}

impl Param for Intervention {
    fn check(&self, _: &str, _: Rule, _: &mut Vec<Problem>) {
        // Checked with the scenario's sizes by `Scenario::problems`.
    }
    fn docs(&self, path: &str, _: &str, _: Rule, _: &str, out: &mut Vec<FieldDoc>) {
        let row = |field: &str, unit: &str, default: String, rule: &str, meaning: &str| FieldDoc {
            path: format!("{path}.{field}"),
            unit: unit.into(),
            default,
            rule: rule.into(),
            meaning: meaning.into(),
        };
        out.extend([
            row("lever", "-", ron_text(&self.lever), "one of the levers below", "What is done: SmileTraining(display_points), Tooling(amount), SkillsTraining(amount), LeadershipDevelopment(points), PayRaise(percent), StaffingLevel(extra_employees), Empowerment, Marketing(extra_customers_per_week), CostCutting(headcount_percent, tools_percent, training_percent), CostOnly. One-off levers act when they fire; continuing ones hold from start_week to end_week."),
            row("start_week", "week", "0".into(), "a week before the horizon", "First week the intervention acts (0-based)."),
            row("end_week", "week", "None".into(), "None or Some(week after start_week)", "Week it stops (exclusive); None: to the horizon."),
            row("every_weeks", "weeks", "None".into(), "None or Some(n >= 1), one-off levers only", "One-off levers fire again every n weeks (13 = quarterly refreshers)."),
            row("cost_per_site", "currency", "0.0".into(), Rule::Money.expected(), "Cost per targeted site each time it fires (one-off) or each week (continuing)."),
            row("cost_per_employee", "currency", "0.0".into(), Rule::Money.expected(), "Cost per employee of a targeted site each time it fires or each week."),
            row("sites", "-", "[]".into(), "site indices below sites.count", "Sites it targets (0-based); empty: every site."),
        ]);
    }
}
