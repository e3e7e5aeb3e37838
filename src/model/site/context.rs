//! What every site of a run shares: the scenario and the lookup tables derived from it once.

use super::super::service_time::ServiceTimeSampler;
use crate::ledger::Money;
use crate::scenario::Scenario;

/// Things shared by every site of a run: the scenario and derived lookup tables.
pub struct Context<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Service-treatment churn hazard per year by satisfaction, at 0.1-point steps.
    pub churn_by_satisfaction: Vec<f64>,
    /// Exogenous loss hazards per year: product, competitor, moved.
    pub exogenous_per_year: [f64; 3],
    /// Every loss hazard per year summed (service, product, competitor, moved, in that order),
    /// by satisfaction at 0.1-point steps; the last entry is the sum with no service hazard
    /// (a recovered complaint). Lets an encounter decide "stays" with one lookup.
    pub total_loss_per_year: Vec<f64>,
    /// The greatest of `total_loss_per_year`: a churn draw at or above it (times the years a
    /// visit stands for) means "stays" whatever the satisfaction.
    pub max_loss_per_year: f64,
    /// The waiting term of perceived quality and its weight for no wait at all, the most
    /// common wait: the same numbers `wait_term` gives for 0.
    pub wait_term_at_zero: (f64, f64),
    /// Spend per visit, cents, by weeks of tenure (0 to the run's length): the same rule for
    /// every customer, so it is worked out once.
    pub spend_cents_by_tenure: Vec<i64>,
    /// Service-time sampler.
    pub service_times: ServiceTimeSampler,
    /// Scheduled hours per open day.
    pub shift_hours: f64,
    /// Open days a week each employee is rostered on (all of them unless the sites are open
    /// longer than `employees.contract_hours_per_week`).
    pub rostered_days: u32,
    /// Hours a week each employee is scheduled for (and paid, before overtime).
    pub scheduled_hours_per_employee: f64,
    /// Weeks a customer stays quiet after telling others of an experience.
    pub word_of_mouth_episode_weeks: u16,
    /// Open seconds per week.
    pub open_seconds_per_week: f64,
    /// Whether to keep a trace of every encounter (tests only).
    pub trace: bool,
}

impl<'a> Context<'a> {
    /// The waiting term of perceived quality and its weight for a wait of `wait_seconds`;
    /// most customers do not wait, and their term is worked out once.
    #[inline(always)]
    pub(super) fn wait_term(&self, wait_seconds: f64) -> (f64, f64) {
        if wait_seconds == 0.0 {
            self.wait_term_at_zero
        } else {
            wait_term(self.scenario, wait_seconds)
        }
    }

    /// Derives the shared tables from a scenario.
    pub fn new(scenario: &'a Scenario, trace: bool) -> Context<'a> {
        let c = &scenario.customers;
        let logistic = |x: f64| 1.0 / (1.0 + (-x).exp());
        let churn_by_satisfaction: Vec<f64> = (0..=1000)
            .map(|i| {
                let s = i as f64 / 10.0;
                if !scenario.links.satisfaction_to_churn {
                    return c.churn_middle_per_year;
                }
                // Flat through the middle, stepping down steeply at the top and up at the bottom.
                let top = logistic((s - c.churn_top_threshold) / c.churn_step_width);
                let bottom = logistic((c.churn_bottom_threshold - s) / c.churn_step_width);
                c.churn_middle_per_year
                    + (c.churn_top_per_year - c.churn_middle_per_year) * top
                    + (c.churn_bottom_per_year - c.churn_middle_per_year) * bottom
            })
            .collect();
        let clock = &scenario.clock;
        let open_minutes = f64::from(clock.close_minute - clock.open_minute);
        let open_days = clock.open_days_per_week.max(1);
        let days_that_fit =
            (scenario.employees.contract_hours_per_week * 60.0 / open_minutes.max(1.0)).floor();
        let rostered_days = if days_that_fit >= f64::from(open_days) {
            open_days
        } else {
            (days_that_fit as u32).max(1)
        };
        let exogenous_per_year = [
            c.loss_product_per_year,
            c.loss_competitor_per_year,
            c.loss_moved_per_year,
        ];
        let [product, competitor, moved] = exogenous_per_year;
        // Summed in the same order as the causes are checked, so the sums are the same numbers.
        let total_loss_per_year: Vec<f64> = churn_by_satisfaction
            .iter()
            .chain([&0.0])
            .map(|service| service + product + competitor + moved)
            .collect();
        let max_loss_per_year = total_loss_per_year.iter().copied().fold(0.0, f64::max);
        // Spend stops growing at the cap, so the table runs to it (a century at most) and
        // longer tenures read its last entry.
        let cap_weeks = (c.spend_growth_cap_years.min(100.0) * 52.0).ceil() as u32;
        let spend_cents_by_tenure = (0..=cap_weeks + 1)
            .map(|tenure_weeks| {
                let mut spend = c.spend_per_visit;
                if scenario.links.tenure_to_spend {
                    let years = f64::from(tenure_weeks) / 52.0;
                    spend *= 1.0 + c.spend_growth_per_year * years.min(c.spend_growth_cap_years);
                }
                Money::from_currency(spend).cents()
            })
            .collect();
        Context {
            scenario,
            churn_by_satisfaction,
            exogenous_per_year,
            total_loss_per_year,
            max_loss_per_year,
            wait_term_at_zero: wait_term(scenario, 0.0),
            spend_cents_by_tenure,
            service_times: ServiceTimeSampler::new(
                scenario.service.time_distribution,
                scenario.service.time_cv,
            ),
            shift_hours: open_minutes / 60.0,
            rostered_days,
            scheduled_hours_per_employee: f64::from(rostered_days) * open_minutes / 60.0,
            word_of_mouth_episode_weeks: u16::try_from(
                scenario.customers.word_of_mouth_episode_weeks,
            )
            .unwrap_or(u16::MAX),
            open_seconds_per_week: open_minutes * 60.0 * f64::from(clock.open_days_per_week),
            trace,
        }
    }
}

/// The waiting term of perceived quality (weight times score) and its weight, for a wait of
/// `wait_seconds`.
#[inline]
pub(super) fn wait_term(scenario: &Scenario, wait_seconds: f64) -> (f64, f64) {
    let c = &scenario.customers;
    if scenario.links.waiting_to_quality {
        let excess = wait_seconds / 60.0 - c.wait_tolerance_minutes;
        let score = if excess > 0.0 {
            c.wait_score_within_tolerance * (-excess / c.wait_scale_minutes).exp()
        } else {
            c.wait_score_within_tolerance
        };
        (c.weight_wait * score, c.weight_wait)
    } else {
        (0.0, 0.0)
    }
}
