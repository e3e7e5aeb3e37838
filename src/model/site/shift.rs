//! Shifts: who is on the floor, how fast and how well they serve, and the arrival window.

use super::*;

/// Oliva & Sterman (2001): productivity by smoothed work intensity (short fatigue).
pub(super) const FATIGUE_PRODUCTIVITY: [(f64, f64); 8] = [
    (1.0, 1.0),
    (1.14, 1.0),
    (1.29, 0.92),
    (1.43, 0.785),
    (1.57, 0.695),
    (1.71, 0.64),
    (1.86, 0.60),
    (2.0, 0.57),
];

impl Site {
    pub(super) fn tool_factor(&self, ctx: &Context) -> f64 {
        if ctx.scenario.links.tools_to_service {
            1.0 + ctx.scenario.isq.tools_effect * (self.tools - 50.0) / 50.0
        } else {
            1.0
        }
    }

    /// Mean speed (effectiveness x tools x fatigue) over the employees; 1 when links are off.
    pub(super) fn mean_speed(&self, ctx: &Context) -> f64 {
        let n = self.employees.headcount();
        if n == 0 {
            return 1.0;
        }
        self.employees
            .active()
            .map(|e| self.speed(ctx, e, 1.0))
            .sum::<f64>()
            / n as f64
    }

    /// Employee `e`'s speed relative to the standard, before work pressure.
    pub(super) fn speed(&self, ctx: &Context, e: usize, trainer_factor: f64) -> f64 {
        let l = &ctx.scenario.links;
        if !l.effectiveness_to_speed {
            return 1.0;
        }
        let fatigue = if l.fatigue_to_productivity {
            interpolate(&FATIGUE_PRODUCTIVITY, self.employees.fatigue_short[e])
        } else {
            1.0
        };
        self.employees.effectiveness[e] * self.tool_factor(ctx) * fatigue * trainer_factor
    }

    pub(super) fn is_rookie(&self, ctx: &Context, e: usize) -> bool {
        self.employees.effectiveness[e] < ctx.scenario.employees.rookie_threshold
    }

    /// Shift start: draws absences, puts the present employees on shift and opens arrivals
    /// for `[open, close)`.
    pub fn start_shift(&mut self, ctx: &Context, open: SimTime, close: SimTime) {
        let (open, close) = (open.seconds(), close.seconds());
        let scn = ctx.scenario;
        let (l, e, c) = (&scn.links, &scn.employees, &scn.customers);
        self.servers.clear(open);
        let rookies = self
            .employees
            .active()
            .filter(|&i| self.is_rookie(ctx, i))
            .count() as f64;
        let experienced = self.employees.headcount() as f64 - rookies;
        let trainer_factor = if l.trainer_time && experienced > 0.0 {
            (1.0 - e.trainer_time_per_rookie * rookies / experienced).max(0.5)
        } else {
            1.0
        };
        let tool = self.tool_factor(ctx);
        let ratio =
            (self.standard_minutes * self.time_factor / scn.service.standard_time_minutes).min(1.0);
        let slots: Vec<usize> = self.employees.active().collect();
        let day = open / 86_400;
        let open_days = u64::from(scn.clock.open_days_per_week.max(1));
        let rostered = u64::from(ctx.rostered_days);
        for i in slots {
            // On the roster today? Slots take the open days in rotation, shifting each week so
            // weekends are shared; everyone works `rostered` of them.
            if rostered < open_days && (day % 7 + i as u64 + day / 7) % open_days >= rostered {
                continue;
            }
            if unit(encounter_word(self.employee_key, (day << 20) | i as u64, 0))
                < e.absence_probability
            {
                continue;
            }
            let tf = if self.is_rookie(ctx, i) {
                1.0
            } else {
                trainer_factor
            };
            let speed = self.speed(ctx, i, tf);
            let eff = self.employees.effectiveness[i];
            let mean = self.standard_minutes * 60.0 * self.time_factor
                / (speed * self.intensity).max(1e-6);
            let mut p = scn.service.task_success_experienced;
            if l.effectiveness_to_speed || l.learning_curve {
                p *= eff.powf(scn.service.skill_error_elasticity);
            }
            if l.tools_to_service {
                p *= 1.0 + scn.isq.tools_accuracy_effect * (self.tools - 50.0) / 50.0;
            }
            if l.skills_to_service {
                p *= 0.95 + 0.1 * self.skills / 100.0;
            }
            if l.pressure_to_corner_cutting || l.standard_erosion {
                p *= ratio.powf(scn.service.corner_cutting_error_elasticity);
            }
            let morale = self.employees.morale[i];
            if l.morale_to_effort {
                let fail = (1.0 - p).max(0.0)
                    * (-e.effort_failure_per_morale_point * (morale - e.effort_reference_morale))
                        .exp();
                p = 1.0 - fail.min(1.0);
            }
            let display = e.display_demand_base + self.employees.display_training[i];
            let courtesy = if !l.morale_to_courtesy {
                display
            } else if morale >= display {
                morale + c.deep_acting_bonus
            } else {
                morale + c.display_authenticity * (display - morale)
            };
            self.servers.push(
                self.employees.busy_until[i].max(open),
                ServerInfo {
                    employee: i as u32,
                    mean_service_seconds: mean,
                    p_success: p.clamp(0.0, 1.0),
                    courtesy: courtesy.clamp(0.0, 100.0),
                    competence: c.competence_failed
                        + (c.competence_done_well - c.competence_failed) * (eff * tool).min(1.0),
                },
            );
            self.tally.staffed_hours += ctx.shift_hours;
            self.effective_hours += ctx.shift_hours * speed;
        }
        self.set_busy_courtesy_factor(ctx);
        self.window_close = close;
        let rate_per_second =
            self.total_rate_per_week * self.demand_scale / ctx.open_seconds_per_week;
        self.mean_gap_seconds = if rate_per_second > 0.0 {
            1.0 / rate_per_second
        } else {
            f64::INFINITY
        };
        self.pending_arrival = arrival_after(
            &mut self.streams.arrivals,
            open,
            self.mean_gap_seconds,
            close,
        );
        self.batch.clear();
    }

    /// Works out `busy_courtesy_factor` for the servers now on shift.
    pub(super) fn set_busy_courtesy_factor(&mut self, ctx: &Context) {
        let n = self.servers.len();
        let discount = ctx.scenario.customers.busy_courtesy_discount;
        self.busy_courtesy_factor.clear();
        self.busy_courtesy_factor.extend(
            // Through i64: one conversion instruction where usize takes several.
            (0..=n).map(|busy| 1.0 - discount * (busy as i64 as f64 / n as i64 as f64)),
        );
    }

    /// Shift end: servers finish the customers already queued (overtime); arrivals stop.
    pub fn end_shift(&mut self, close: SimTime) {
        let close = close.seconds();
        for (info, &free) in self.servers.info.iter().zip(&self.servers.free_at) {
            self.employees.busy_until[info.employee as usize] = free;
            self.clearing_overtime_seconds += free.saturating_sub(close);
        }
        self.pending_arrival = u64::MAX;
        self.batch.clear();
    }
}
