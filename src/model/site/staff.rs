//! Staff: quits and hires, and the terms of each employee's morale target.

use super::*;

/// Oliva & Sterman (2001): expected tenure multiplier by sustained intensity (long fatigue).
pub(super) const FATIGUE_TENURE: [(f64, f64); 2] = [(1.0, 1.0), (2.0, 0.593)];

/// A hire or quit the review asks the world to schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange {
    /// Employee slot quits at the end of day `day_offset` (0-6) of the next week.
    Quit {
        /// The employee's slot.
        employee: u32,
        /// Days after the review (0-6) at whose end the employee leaves.
        day_offset: u64,
    },
    /// A new hire arrives after `days` days.
    Hire {
        /// Days after the review.
        days: u64,
    },
}

/// The weighted terms of an employee's morale target (MODEL.md): what pulls morale up
/// (internal service quality, pay fairness, the customers' moods) and down (long fatigue,
/// emotional strain). Each is in morale points.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MoraleTerms {
    /// Internal service quality's pull.
    pub isq: f64,
    /// Pay fairness's pull.
    pub pay: f64,
    /// The satisfaction mirror: the served customers' evaluations.
    pub mirror: f64,
    /// Long fatigue's push down.
    pub fatigue: f64,
    /// Emotional strain's push down (surface acting).
    pub strain: f64,
}

impl MoraleTerms {
    /// The morale target from `base`: the same sums, in the same order, as the review's.
    pub fn target(&self, base: f64) -> f64 {
        let mut t = base;
        t += self.isq;
        t += self.pay;
        t += self.mirror;
        t -= self.fatigue;
        t -= self.strain;
        t
    }
}

impl Site {
    /// An employee leaves: off shift now, slot freed.
    pub fn quit(&mut self, ctx: &Context, employee: u32) {
        let e = employee as usize;
        if self.employees.employed[e] {
            self.employees.employed[e] = false;
            self.servers.remove_employee(employee);
            self.set_busy_courtesy_factor(ctx);
            self.tally.quits += 1.0;
        }
    }

    /// A new hire arrives (a vacancy filled); they are on shift from the next shift.
    pub fn hire_arrives(&mut self, ctx: &Context, now: SimTime) {
        let scn = ctx.scenario;
        let eff = if scn.links.learning_curve {
            scn.employees.rookie_effectiveness
        } else {
            1.0
        };
        self.employees.hire(
            scn.employees.morale_initial,
            eff,
            scn.customers.satisfaction_initial,
            now.seconds(),
        );
        self.pending_hires = self.pending_hires.saturating_sub(1);
        self.tally.hires += 1.0;
        self.post(
            Line::Hiring,
            Money::from_currency(scn.employees.hiring_cost),
        );
        self.post(
            Line::Onboarding,
            Money::from_currency(scn.employees.onboarding_cost),
        );
    }

    /// The weighted terms of employee `k`'s morale target, given the site's pay fairness
    /// `pay` (see [`Site::pay_fairness`]); a term whose link is cut is zero. The weekly review
    /// moves morale toward this target; `explain` reads which term moved it.
    pub fn morale_terms(&self, ctx: &Context, k: usize, pay: f64) -> MoraleTerms {
        let (e, l, emp) = (
            &ctx.scenario.employees,
            &ctx.scenario.links,
            &self.employees,
        );
        let on = |link: bool, x: f64| if link { x } else { 0.0 };
        MoraleTerms {
            isq: on(l.isq_to_morale, e.morale_isq_weight * (self.isq - 50.0)),
            pay: on(l.pay_to_morale, e.morale_pay_weight * (pay - 50.0)),
            mirror: on(
                l.satisfaction_mirror,
                e.morale_mirror_weight * (emp.mirror[k] - 60.0),
            ),
            fatigue: on(
                l.fatigue_to_morale,
                e.morale_fatigue_weight * (emp.fatigue_long[k] - 1.0).max(0.0),
            ),
            strain: on(l.fatigue_to_morale, e.morale_strain_weight * emp.strain[k]),
        }
    }

    /// Quits over the coming week: each employee's daily hazard is drawn as a time to quit, and
    /// those falling inside the week are returned for the calendar.
    pub fn draw_quits(&mut self, ctx: &Context) -> Vec<StaffChange> {
        let (l, e) = (&ctx.scenario.links, &ctx.scenario.employees);
        let mut quits = Vec::new();
        self.quit_round += 1;
        if !l.quits {
            return quits;
        }
        let base_daily = 1.0 / (e.expected_tenure_weeks * 7.0);
        let slots: Vec<usize> = self.employees.active().collect();
        for k in slots {
            let emp = &self.employees;
            if emp.leaving[k] {
                continue;
            }
            let mut h = base_daily;
            if l.morale_to_quits {
                h *= (e.quit_morale_sensitivity * (e.quit_morale_reference - emp.morale[k])
                    / 100.0)
                    .exp();
            }
            if l.fatigue_to_quits {
                h /= interpolate(&FATIGUE_TENURE, emp.fatigue_long[k]);
            }
            if l.emotional_labour {
                h *= 1.0 + e.quit_strain_per_point * emp.strain[k];
            }
            let word = encounter_word(self.employee_key, (self.quit_round << 20) | k as u64, 2);
            let days = exp1(word) / h;
            if days < 7.0 {
                self.employees.leaving[k] = true;
                quits.push(StaffChange::Quit {
                    employee: k as u32,
                    day_offset: days as u64,
                });
            }
        }
        quits
    }

    /// The simulated time a quit or hire lands, for the world's calendar.
    pub fn staff_change_time(review: SimTime, change: StaffChange, close_minute: u32) -> SimTime {
        match change {
            // At the end of that day's shift, so the leaver works the day.
            StaffChange::Quit { day_offset, .. } => {
                SimTime(review.0 + day_offset * SimTime::DAY + u64::from(close_minute) * 60 + 1)
            }
            StaffChange::Hire { days } => SimTime(review.0 + days * SimTime::DAY),
        }
    }
}
