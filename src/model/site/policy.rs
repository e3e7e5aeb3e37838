//! Policies at a site: one-off levers firing, continuing levers held, and what they cost.

use super::*;

/// What a policy event does at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyAction {
    /// A one-off lever fires.
    Fire,
    /// A continuing lever starts.
    Start,
    /// A continuing lever ends.
    End,
}

/// The combined effect of the continuing levers in force at a site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PolicyState {
    pub(super) wage_multiplier: f64,
    pub(super) extra_staff: f64,
    pub(super) empowered: bool,
    pub(super) extra_marketing: f64,
    pub(super) headcount_factor: f64,
    pub(super) tools_factor: f64,
    pub(super) training_factor: f64,
}

impl Default for PolicyState {
    fn default() -> Self {
        PolicyState {
            wage_multiplier: 1.0,
            extra_staff: 0.0,
            empowered: false,
            extra_marketing: 0.0,
            headcount_factor: 1.0,
            tools_factor: 1.0,
            training_factor: 1.0,
        }
    }
}

/// The ledger line an intervention's own costs go to.
pub fn policy_line(lever: Lever) -> Line {
    match lever {
        Lever::SmileTraining { .. } => Line::SmileTraining,
        Lever::Tooling { .. } => Line::Capex,
        Lever::SkillsTraining { .. } | Lever::Empowerment => Line::SkillsTraining,
        Lever::LeadershipDevelopment { .. } => Line::LeadershipTraining,
        Lever::Marketing { .. } => Line::Marketing,
        Lever::PayRaise { .. }
        | Lever::StaffingLevel { .. }
        | Lever::CostCutting { .. }
        | Lever::CostOnly => Line::Overhead,
    }
}

impl Site {
    /// Applies an intervention to this site: a one-off lever's firing, or a continuing lever's
    /// start or end. `key` identifies the intervention within its arm.
    pub fn apply_policy(
        &mut self,
        ctx: &Context,
        key: usize,
        iv: &Intervention,
        action: PolicyAction,
    ) {
        match action {
            PolicyAction::Fire => {
                self.post_policy_cost(iv);
                let scn = ctx.scenario;
                match iv.lever {
                    Lever::SmileTraining { display_points } => {
                        let slots: Vec<usize> = self.employees.active().collect();
                        for k in slots {
                            let d = &mut self.employees.display_training[k];
                            *d = (*d + display_points).min(100.0);
                        }
                    }
                    Lever::Tooling { amount } => {
                        let capex = Money::from_currency(amount);
                        self.spend_capex(capex);
                        self.invested_cents += capex.cents();
                        self.tools =
                            (self.tools + amount * scn.isq.tools_points_per_currency).min(100.0);
                    }
                    Lever::SkillsTraining { amount } => {
                        let cost = Money::from_currency(amount * self.employees.headcount() as f64);
                        self.post(Line::SkillsTraining, cost);
                        self.invested_cents += cost.cents();
                        self.skills =
                            (self.skills + amount * scn.isq.skills_points_per_currency).min(100.0);
                    }
                    Lever::LeadershipDevelopment { points } => {
                        self.leadership_development =
                            (self.leadership_development + points).min(100.0);
                    }
                    _ => {}
                }
                self.update_isq(ctx);
            }
            PolicyAction::Start => {
                self.continuing.push((key, iv.clone()));
                self.refresh_policy();
            }
            PolicyAction::End => {
                self.continuing.retain(|(k, _)| *k != key);
                self.refresh_policy();
            }
        }
    }

    /// The intervention's own cost (per site and per employee), in its lever's ledger line; a
    /// tooling intervention's own costs (installation, say) are capex like its amount.
    pub(super) fn post_policy_cost(&mut self, iv: &Intervention) {
        let amount = iv.cost_per_site + iv.cost_per_employee * self.employees.headcount() as f64;
        if amount > 0.0 {
            let cost = Money::from_currency(amount);
            match policy_line(iv.lever) {
                Line::Capex => self.spend_capex(cost),
                line => self.post(line, cost),
            }
            self.invested_cents += cost.cents();
        }
    }

    /// Recomputes the continuing levers' combined state.
    pub(super) fn refresh_policy(&mut self) {
        let mut p = PolicyState::default();
        for (_, iv) in &self.continuing {
            match iv.lever {
                Lever::PayRaise { percent } => p.wage_multiplier *= 1.0 + percent / 100.0,
                Lever::StaffingLevel { extra_employees } => p.extra_staff += extra_employees,
                Lever::Empowerment => p.empowered = true,
                Lever::Marketing {
                    extra_customers_per_week,
                } => p.extra_marketing += extra_customers_per_week,
                Lever::CostCutting {
                    headcount_percent,
                    tools_percent,
                    training_percent,
                } => {
                    p.headcount_factor *= 1.0 - headcount_percent / 100.0;
                    p.tools_factor *= 1.0 - tools_percent / 100.0;
                    p.training_factor *= 1.0 - training_percent / 100.0;
                }
                _ => {}
            }
        }
        self.policy = p;
    }
}
