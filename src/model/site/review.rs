//! The weekly review: work pressure, the ISQ stocks, people, the headcount management wants,
//! acquisition, the week's money, and the snapshot the world keeps.

use super::*;

impl Site {
    /// Takes the `m` prospects first in the queue to join (smallest keys; a slot's key changes
    /// each time it is filled), in that order.
    pub(super) fn next_prospects(&mut self, m: usize) -> Vec<usize> {
        let prospects = &mut self.customers.prospects;
        let m = m.min(prospects.len());
        (0..m).filter_map(|_| prospects.pop()).collect()
    }

    /// The weekly review: pressure, stocks, people, hiring and acquisition; posts the week's
    /// money and returns its tally (with staffing changes for the world to schedule).
    pub fn weekly_review(&mut self, ctx: &Context, week: u32) -> (WeekTally, Vec<StaffChange>) {
        self.close_week_counts();
        let pressure = self.review_pressure(ctx);
        // Paid hours are the headcount's before this week's quits take effect.
        let headcount = self.employees.headcount() as f64;
        self.review_stocks(ctx);
        let mut changes = self.review_people(ctx, week);
        changes.extend(self.review_headcount(ctx, week, pressure.offered_hours));
        let acquired_paid = self.review_acquisition(ctx, week);
        self.post_week_money(ctx, headcount, pressure.overtime_hours, acquired_paid);
        if self.warm_weeks_left > 0 && self.warm_weeks_left == self.warmup_weeks.div_ceil(2) {
            self.steady_composition(ctx, week);
        }
        self.warm_weeks_left = self.warm_weeks_left.saturating_sub(1);
        self.week_now = u16::try_from(week + 1).unwrap_or(u16::MAX);
        (self.snapshot(ctx), changes)
    }

    /// Folds the week's counts, kept as integers during it (exact: whole numbers below 2^53),
    /// into the tally.
    fn close_week_counts(&mut self) {
        self.tally.arrivals += (self.encounters - self.encounters_at_week_start) as i64 as f64;
        self.encounters_at_week_start = self.encounters;
        self.tally.served += std::mem::take(&mut self.served_this_week) as i64 as f64;
        self.tally.delighted += std::mem::take(&mut self.delighted_this_week) as i64 as f64;
    }

    /// Work pressure from this week's offered work against effective capacity, and what it
    /// drives (Oliva & Sterman): intensity and overtime, corner cutting, the eroding standard.
    fn review_pressure(&mut self, ctx: &Context) -> Pressure {
        let scn = ctx.scenario;
        let (l, e) = (&scn.links, &scn.employees);
        // Work is judged against the current (possibly eroded) standard, as management sees it.
        let offered_hours = self.tally.arrivals * self.standard_minutes / 60.0;
        let desired = offered_hours / scn.service.target_utilisation;
        self.work_pressure = if desired > 0.0 {
            ((desired - self.effective_hours) / desired).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        // Time constants below the weekly step (`.max(1.0)` here and below) mean adjusting
        // fully within the week: a larger step would overshoot the target and diverge.
        self.perceived_pressure +=
            (self.work_pressure - self.perceived_pressure) / e.pressure_perception_weeks.max(1.0);
        let wp = self.perceived_pressure;
        let intensity = if l.pressure_to_intensity {
            (e.intensity_elasticity * wp).exp()
        } else {
            1.0
        };
        let time_factor = if l.pressure_to_corner_cutting {
            (-e.corner_cutting_elasticity * wp).exp()
        } else {
            1.0
        };
        // Overtime: clearing the queue after close, plus the extra hours that intensity implies.
        let overtime_hours = self.clearing_overtime_seconds as f64 / 3600.0
            + self.tally.staffed_hours * (self.intensity - 1.0).max(0.0);
        self.tally.overtime_hours = overtime_hours;
        self.intensity = intensity;
        self.time_factor = time_factor;
        // Erosion is driven by sustained pressure (Oliva & Sterman): the standard drifts toward
        // the time actually taken only while pressure stays above the threshold, and recovers,
        // slowly, toward the original standard when it does not. Symmetric week-to-week noise
        // then moves it neither way.
        self.sustained_pressure +=
            (self.work_pressure - self.sustained_pressure) / e.sustained_pressure_weeks.max(1.0);
        if l.standard_erosion {
            let (target, tau) = if self.sustained_pressure > e.erosion_pressure_threshold {
                (
                    self.standard_minutes * time_factor,
                    e.standard_erosion_weeks,
                )
            } else {
                (scn.service.standard_time_minutes, e.standard_recovery_weeks)
            };
            self.standard_minutes += (target - self.standard_minutes) / tau.max(1.0);
            // Recovery compounds (each week's time taken is relative to the current standard):
            // bounded, so extreme elasticities cannot drive it to infinity.
            self.standard_minutes = self
                .standard_minutes
                .min(MAX_STANDARD_FACTOR * scn.service.standard_time_minutes);
        }

        Pressure {
            offered_hours,
            overtime_hours,
        }
    }

    /// The ISQ stocks: tools and skills decay and are replenished by the maintenance budgets,
    /// leadership development decays, staffing adequacy follows perceived pressure.
    fn review_stocks(&mut self, ctx: &Context) {
        let i = &ctx.scenario.isq;
        let capex_amount = i.tools_capex_per_site_per_week * self.policy.tools_factor;
        self.spend_capex(Money::from_currency(capex_amount));
        self.tools = (self.tools * decay_per_week(i.tools_half_life_weeks)
            + capex_amount * i.tools_points_per_currency)
            .clamp(0.0, 100.0);
        self.skills = (self.skills * decay_per_week(i.skills_half_life_weeks)
            + i.skills_budget_per_employee_per_week
                * self.policy.training_factor
                * i.skills_points_per_currency)
            .clamp(0.0, 100.0);
        self.leadership_development *= decay_per_week(i.leadership_half_life_weeks);
        self.staffing += (50.0 * (1.0 - self.perceived_pressure) - self.staffing)
            .clamp(-100.0, 100.0)
            / i.staffing_smoothing_weeks.max(1.0);
        self.update_isq(ctx);
    }

    /// Each employee's fatigue, mirror, strain, morale, learning, display training and tenure;
    /// returns the quits drawn for the coming week.
    fn review_people(&mut self, ctx: &Context, week: u32) -> Vec<StaffChange> {
        let scn = ctx.scenario;
        let (l, e) = (&scn.links, &scn.employees);
        let pay = self.pay_fairness(ctx);
        let learn_tau = if l.skills_to_service {
            e.learning_time_constant_weeks * (1.5 - self.skills / 100.0)
        } else {
            e.learning_time_constant_weeks
        };
        let display_decay = decay_per_week(e.display_training_half_life_weeks);
        let intensity = self.intensity;
        let slots: Vec<usize> = self.employees.active().collect();
        for &k in &slots {
            let emp = &mut self.employees;
            emp.fatigue_short[k] +=
                (intensity - emp.fatigue_short[k]) / e.short_fatigue_weeks.max(1.0);
            emp.fatigue_long[k] +=
                (intensity - emp.fatigue_long[k]) / e.long_fatigue_weeks.max(1.0);
            if emp.served[k] > 0 {
                emp.mirror[k] = emp.evaluation_sum[k] / f64::from(emp.served[k]);
            }
            let display = e.display_demand_base + emp.display_training[k];
            let gap = if l.emotional_labour {
                (display - emp.morale[k]).max(0.0)
            } else {
                0.0
            };
            emp.strain[k] += (e.strain_per_gap_point * gap - emp.strain[k])
                / e.strain_time_constant_weeks.max(1.0);
            let target = self.morale_terms(ctx, k, pay).target(e.morale_base);
            let word = encounter_word(self.employee_key, (u64::from(week) << 20) | k as u64, 1);
            let noise = e.morale_noise_sd * normal(&mut WordRng::new(word));
            let emp = &mut self.employees;
            emp.morale[k] = (emp.morale[k]
                + (target - emp.morale[k]) / e.morale_time_constant_weeks.max(1.0)
                + noise)
                .clamp(0.0, 100.0);
            if l.learning_curve {
                emp.effectiveness[k] += (1.0 - emp.effectiveness[k]) / learn_tau.max(1.0);
            }
            emp.display_training[k] *= display_decay;
            emp.tenure_weeks[k] += 1.0;
            emp.served[k] = 0;
            emp.evaluation_sum[k] = 0.0;
        }
        self.draw_quits(ctx)
    }

    /// Management's desired headcount follows perceived demand and productivity, with delays;
    /// returns the hires it asks for to fill the gap.
    fn review_headcount(
        &mut self,
        ctx: &Context,
        week: u32,
        offered_hours: f64,
    ) -> Vec<StaffChange> {
        let scn = ctx.scenario;
        let (l, e) = (&scn.links, &scn.employees);
        let tau = e.headcount_perception_weeks.max(1.0);
        // Management plans capacity on the firm's official standard time, not on the eroded
        // one staff work to: otherwise an eroded standard would shed staff, raise pressure and
        // erode further, a spiral even in a firm where nothing else changes.
        let planned_hours =
            offered_hours * scn.service.standard_time_minutes / self.standard_minutes.max(1e-9);
        self.offered_hours_smoothed += (planned_hours - self.offered_hours_smoothed) / tau;
        self.productivity_smoothed += (self.mean_speed(ctx) - self.productivity_smoothed) / tau;
        let hours_per_employee = ctx.scheduled_hours_per_employee * (1.0 - e.absence_probability);
        let need = if l.demand_to_headcount {
            self.offered_hours_smoothed
                / (scn.service.target_utilisation
                    * hours_per_employee
                    * self.productivity_smoothed.max(0.05))
        } else {
            f64::from(scn.sites.employees_per_site)
        };
        // Staffing and cost-cutting policies override what demand implies.
        let need = need * self.policy.headcount_factor + self.policy.extra_staff;
        // Extreme parameters (a target utilisation of 0, everyone always absent) make the need
        // infinite or undefined: management then holds its headcount, and never wants more than
        // MAX_HEADCOUNT_FACTOR times the starting headcount (a bound calibrated runs never reach),
        // so hiring stays finite.
        let most = MAX_HEADCOUNT_FACTOR * f64::from(scn.sites.employees_per_site.max(1))
            + self.policy.extra_staff.max(0.0);
        if !need.is_nan() {
            self.desired_headcount = need.min(most).round().max(1.0) as u32;
        }
        let staying = self
            .employees
            .active()
            .filter(|&k| !self.employees.leaving[k])
            .count() as u32;
        let gap = self
            .desired_headcount
            .saturating_sub(staying + self.pending_hires);
        let mut hires = Vec::new();
        for v in 0..u64::from(gap) {
            let word = encounter_word(self.hiring_key, (u64::from(week) << 20) | v, 0);
            let weeks = exp1(word) * e.hiring_delay_weeks;
            hires.push(StaffChange::Hire {
                days: ((weeks * 7.0).round() as u64).max(1),
            });
            self.pending_hires += 1;
        }

        hires
    }

    /// Acquisition: marketing and referrals, deterred by negative word of mouth. Returns the
    /// paid acquisitions (the ones marketing pays for).
    fn review_acquisition(&mut self, ctx: &Context, week: u32) -> u64 {
        let scn = ctx.scenario;
        let l = &scn.links;
        let c = &scn.customers;
        let market = self.customers.market() as f64;
        let available = self.customers.prospects.len() as f64 / market.max(1.0);
        let (positive, negative) = if l.word_of_mouth {
            (self.tally.wom_positive, self.tally.wom_negative)
        } else {
            (0.0, 0.0)
        };
        let marketing_rate = self.marketing_base + self.policy.extra_marketing;
        // What a unit of marketing brings this week: the prospects left, less those deterred.
        let paid_factor =
            available * (-c.deterrence_per_mention_per_person * negative / market.max(1.0)).exp();
        let paid_mean = marketing_rate * paid_factor;
        let referral_mean = positive * c.referral_conversion * available;
        // Counts from words of this week, and prospects join in the order of their own keys:
        // every arm draws the same numbers whatever happened before (common random numbers).
        let key = self.acquisition_key;
        let week_word = |lane| WordRng::new(encounter_word(key, u64::from(week), lane));
        let (paid, referred) = if self.warm_weeks_left > 0 {
            // The warm-up holds the customer base: the week's losses are replaced one for one,
            // referrals as they would come and paid acquisitions the rest (so the base's mix of
            // referred and paid customers is the steady one), and what the paid inflow must be
            // to do so is measured over its last weeks.
            self.measure_steady_inflow(self.tally.lost(), referral_mean, paid_factor);
            let lost = self.tally.lost() as u64;
            let referred = poisson(&mut week_word(1), referral_mean).min(lost);
            (lost - referred, referred)
        } else {
            (
                poisson(&mut week_word(0), paid_mean),
                poisson(&mut week_word(1), referral_mean),
            )
        };
        let joining = self.next_prospects(paid.saturating_add(referred) as usize);
        let mut acquired_paid = 0u64;
        for (k, slot) in joining.into_iter().enumerate() {
            let is_referral = k as u64 >= paid;
            let bonus = |b: f64| if is_referral { b } else { 0.0 };
            let cust = &mut self.customers.slots[slot];
            cust.satisfaction =
                (c.satisfaction_initial + bonus(c.referral_satisfaction_bonus)).clamp(0.0, 100.0);
            cust.expectation =
                (c.expectation_initial + bonus(c.referral_expectation_bonus)).clamp(0.0, 100.0);
            cust.joined_week = week_i16(week as i32 + 1);
            cust.quiet_negative_until = 0;
            cust.quiet_positive_until = 0;
            // Made active with its new satisfaction, which the totals count.
            self.customers.set_active(slot, true);
            let cust = &mut self.customers.slots[slot];
            cust.loss_cause = 0;
            cust.generation = cust.generation.wrapping_add(1);
            self.tally.acquired += 1.0;
            if is_referral {
                self.tally.referred += 1.0;
            } else {
                acquired_paid += 1;
            }
        }

        acquired_paid
    }

    /// The week's money: wages and overtime, training, marketing, overhead, the continuing
    /// levers' costs, the tooling charge; and the arm's direct investment of the week.
    fn post_week_money(
        &mut self,
        ctx: &Context,
        headcount: f64,
        overtime_hours: f64,
        acquired_paid: u64,
    ) {
        let scn = ctx.scenario;
        let (e, i, c) = (&scn.employees, &scn.isq, &scn.customers);
        let marketing_rate = self.marketing_base + self.policy.extra_marketing;
        let scheduled_hours = headcount * ctx.scheduled_hours_per_employee;
        let marketing_cost = acquired_paid as f64 * c.cost_per_acquired_customer;
        // The extra campaign's share of this week's paid acquisitions is its investment.
        if marketing_rate > 0.0 {
            let extra_share = self.policy.extra_marketing / marketing_rate;
            self.invested_cents += Money::from_currency(marketing_cost * extra_share).cents();
        }
        let wage = self.wage_per_hour(ctx);
        // What the continuing levers cost this week: their own costs, and a raise's premium.
        let continuing: Vec<Intervention> =
            self.continuing.iter().map(|(_, iv)| iv.clone()).collect();
        for iv in &continuing {
            self.post_policy_cost(iv);
        }
        self.invested_cents += Money::from_currency(
            scheduled_hours * e.wage_per_hour * (self.policy.wage_multiplier - 1.0),
        )
        .cents();
        let lines = [
            (Line::Wages, scheduled_hours * wage),
            (
                Line::Overtime,
                overtime_hours * wage * (1.0 + e.overtime_premium),
            ),
            (
                Line::SkillsTraining,
                headcount * i.skills_budget_per_employee_per_week * self.policy.training_factor,
            ),
            (Line::Marketing, marketing_cost),
            (Line::Overhead, scn.money.overhead_per_site_per_week),
        ];
        for (line, amount) in lines {
            self.post(line, Money::from_currency(amount));
        }
        let depreciation = self.depreciation.charge_week();
        self.post(Line::ToolingDepreciation, depreciation);
        self.cumulative_profit_cents += self.tally.money.operating_profit().cents();
        self.cumulative_cash_cents += self.tally.money.cash_flow().cents();
    }

    /// The week's tally as the world keeps it: the stocks, the staff and the customers' totals
    /// at week end; the week's running figures start again from zero.
    fn snapshot(&mut self, ctx: &Context) -> WeekTally {
        // Snapshot.
        let mut t = std::mem::take(&mut self.tally);
        t.sites = 1.0;
        t.isq_sum = self.isq;
        t.work_pressure_sum = self.work_pressure;
        t.standard_minutes_sum = self.standard_minutes;
        for k in self.employees.active() {
            t.employees += 1.0;
            t.morale_sum += self.employees.morale[k];
            t.strain_sum += self.employees.strain[k];
            t.rookies += f64::from(u8::from(self.is_rookie(ctx, k)));
        }
        t.vacancies = f64::from(
            self.desired_headcount
                .saturating_sub(self.employees.headcount() as u32),
        );
        // Kept up to date as customers changed: no pass over the market.
        let totals = self.customers.totals();
        t.satisfaction_sum += totals.satisfaction_sum();
        t.customers += self.customers.count() as f64;
        t.top_box += f64::from(totals.top_box);
        t.promoters += f64::from(totals.promoters);
        t.detractors += f64::from(totals.detractors);
        t.cumulative_profit_cents = self.cumulative_profit_cents;
        t.cumulative_cash_cents = self.cumulative_cash_cents;
        t.invested_cents = self.invested_cents;
        self.invested_cents = 0;
        t.busy_hours = self.busy_seconds as f64 / 3600.0;
        self.busy_seconds = 0;
        self.effective_hours = 0.0;
        self.clearing_overtime_seconds = 0;
        t
    }
}

/// What the rest of the review needs from its work-pressure step.
struct Pressure {
    /// Hours of work offered this week at the current standard.
    offered_hours: f64,
    /// Overtime hours paid this week.
    overtime_hours: f64,
}

/// The factor a stock keeps each week when it halves every `half_life_weeks`.
fn decay_per_week(half_life_weeks: f64) -> f64 {
    0.5f64.powf(1.0 / half_life_weeks)
}
