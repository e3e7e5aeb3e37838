//! One site: its staff, customers, queue and stocks, the encounter loop, and the weekly review.
//!
//! The encounter loop is the hot path. Arrivals are the superposition of every market slot's
//! Poisson visits, generated in time order at the site's total rate and assigned to a slot by
//! an alias table; arrivals to prospect slots are thinned away, which keeps the process exact
//! while customers come and go. The queue is FIFO over the servers on shift, so each arrival's
//! service start is known when it arrives (the earliest time a server is free): service start,
//! service end and abandonment are computed, not queued, and no heap is touched per encounter.

use super::metrics::WeekTally;
use super::people::{Customer, Customers, Employees};
use super::servers::{ServerInfo, Servers};
use crate::engine::SimTime;
use crate::engine::rng::{Purpose, Stream, encounter_word, stream};
use crate::engine::sample::{
    AliasTable, WordRng, exp1, exp1_fast, gamma_mean, interpolate, normal, poisson, unit,
    unit_low32,
};
use crate::engine::time::{round_to_u64, trunc_to_u64};
use crate::ledger::{Depreciation, Line, Lines, Money};
use crate::scenario::{Intervention, Lever};
use rand::Rng;
use std::sync::Arc;

mod context;
mod encounter;
mod policy;
mod review;
mod shift;
mod staff;
#[cfg(test)]
mod tests;

pub use context::Context;
use encounter::{ArrivalBatch, arrival_after};
use policy::PolicyState;
pub use policy::{PolicyAction, policy_line};
pub use staff::{MoraleTerms, StaffChange};

/// The most the service standard may drift up to, as a multiple of `service.standard_time_minutes`.
pub const MAX_STANDARD_FACTOR: f64 = 10.0;

/// The longest tenure a starting customer is given (a bound for near-zero loss hazards).
const MAX_TENURE_WEEKS: f64 = 52.0 * 50.0;

/// Warm-up weeks over which the steady inflow of customers is measured (fewer if the warm-up is
/// shorter): half a year smooths a week's chance losses.
pub const STEADY_INFLOW_WEEKS: u32 = 26;

/// The most a site's desired headcount may be, as a multiple of its starting headcount (see
/// `Site::weekly_review`).
pub const MAX_HEADCOUNT_FACTOR: f64 = 20.0;

/// One encounter as it happened (kept only when tracing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncounterRecord {
    /// Customer slot.
    pub customer: u32,
    /// Arrival time, seconds.
    pub arrived: u64,
    /// Service start, seconds (equal to `ended` and the abandonment time if abandoned).
    pub started: u64,
    /// Service end or abandonment, seconds.
    pub ended: u64,
    /// Employee slot, or `u32::MAX` if abandoned.
    pub employee: u32,
}

/// The place in the queue to join of slot `slot` as a prospect, having been filled
/// `generation` times: it comes from those two alone, so arms acquire the same people as far as
/// their counts allow.
fn prospect_key(acquisition_key: u64, slot: usize, generation: u8) -> u64 {
    let id = (u64::from(generation) << 32) | slot as u64;
    encounter_word(acquisition_key, id, 2)
}

/// A calendar week as a customer record keeps it: horizon, warm-up and starting tenures are
/// each at most `scenario::MAX_WEEKS`, well inside `i16` (saturated all the same).
fn week_i16(week: i32) -> i16 {
    week.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

/// Random streams of a site, one per purpose.
#[derive(Clone)]
struct Streams {
    arrivals: Stream,
}

/// A customer's spend per visit during calendar week `week`: it grows with tenure
/// (`spend_cents_by_tenure`, which covers every week of the run), looked up when they visit.
#[inline(always)]
fn spend_cents(by_tenure: &[i64], cust: &Customer, week: u16) -> i64 {
    let tenure = (i32::from(week) - i32::from(cust.joined_week)).max(0) as usize;
    by_tenure[tenure.min(by_tenure.len() - 1)]
}

/// A site and everything in it.
#[derive(Clone)]
pub struct Site {
    /// Index of the site in the firm.
    pub(crate) index: usize,
    /// Local demand multiplier drawn at setup.
    pub(crate) demand_multiplier: f64,
    /// Manager quality drawn at setup, 0-100.
    pub(crate) manager_quality: f64,
    /// Employees.
    pub(crate) employees: Employees,
    /// Customers and prospects.
    pub(crate) customers: Customers,
    /// Which slot an arrival is for: fixed at setup, so shared by every copy of the site.
    alias: Arc<AliasTable>,
    total_rate_per_week: f64,
    servers: Servers,
    streams: Streams,
    /// End of the current shift's arrival window, seconds.
    window_close: u64,
    /// The next arrival not yet in `batch` (its gap drawn, its slot not), seconds, or
    /// `u64::MAX` when the window has no more.
    pending_arrival: u64,
    /// The arrivals to customers generated ahead of the encounter loop.
    batch: Box<ArrivalBatch>,
    mean_gap_seconds: f64,
    /// Arrivals generated so far (including those to prospects): numbers the encounter words.
    arrivals_drawn: u64,
    /// Key of the counter-based generator of encounter words.
    encounter_key: u64,
    /// Key of the counter-based words of acquisition: each week's counts and each prospect's
    /// place in the queue to join, so arms acquire the same people as far as their counts allow.
    acquisition_key: u64,
    /// Key of the counter-based words of employees (absences, morale noise, quits), by
    /// (day or week, slot): a draw does not depend on how many others were drawn before it.
    employee_key: u64,
    /// Key of the counter-based words of hiring delays, by (week, vacancy).
    hiring_key: u64,
    /// Quit draws made so far (numbers the rounds of quit words).
    quit_round: u64,
    /// Demand scale of the current week (season times shocks times local demand).
    demand_scale: f64,
    /// 1 / (52 x demand scale): turns a slot's weeks per visit into years per visit.
    years_per_scaled_week: f64,
    // Stocks and pressures.
    /// Tools and systems stock, 0-100.
    pub(crate) tools: f64,
    /// Skills development stock, 0-100.
    pub(crate) skills: f64,
    /// Leadership development on top of the manager, points.
    pub(crate) leadership_development: f64,
    /// Staffing adequacy, 0-100.
    pub(crate) staffing: f64,
    /// Internal service quality, 0-100.
    pub(crate) isq: f64,
    /// Work pressure last measured.
    pub(crate) work_pressure: f64,
    /// Work pressure as employees perceive it (smoothed).
    pub(crate) perceived_pressure: f64,
    /// Work intensity this week.
    pub(crate) intensity: f64,
    /// Time-per-service factor from work pressure this week.
    pub(crate) time_factor: f64,
    /// The current service standard, minutes.
    pub(crate) standard_minutes: f64,
    /// Work pressure smoothed over `employees.sustained_pressure_weeks`: what erodes the
    /// standard when it stays high.
    pub(crate) sustained_pressure: f64,
    /// Paid new customers per week at baseline marketing: the scenario's, or the steady inflow
    /// the warm-up measured.
    pub(crate) marketing_base: f64,
    /// Warm-up weeks still to run (0: the reported horizon).
    warm_weeks_left: u32,
    /// The calendar week in progress (warm-up included), as word of mouth's episodes count it.
    pub(crate) week_now: u16,
    /// Weeks of the whole warm-up.
    warmup_weeks: u32,
    /// Over the warm-up's last weeks: customers lost, referrals expected, and the paid
    /// acquisitions a unit of marketing would have brought (prospects left, less the deterred).
    steady_inflow: (f64, f64, f64),
    offered_hours_smoothed: f64,
    productivity_smoothed: f64,
    /// Hires on their way (vacancies being filled).
    pub(crate) pending_hires: u32,
    /// Headcount management wants.
    pub(crate) desired_headcount: u32,
    depreciation: Depreciation,
    // This week's running figures.
    tally: WeekTally,
    effective_hours: f64,
    clearing_overtime_seconds: u64,
    busy_seconds: u64,
    /// Continuing interventions in force, by key within the arm.
    continuing: Vec<(usize, Intervention)>,
    /// Their combined effect.
    policy: PolicyState,
    /// Direct policy spending this week, cents.
    invested_cents: i64,
    /// Money of the current month, cents by line.
    pub(crate) month: Lines,
    /// Cumulative operating profit, cents.
    pub(crate) cumulative_profit_cents: i64,
    /// Cumulative net cash flow, cents.
    pub(crate) cumulative_cash_cents: i64,
    /// Encounters simulated (served plus abandoned).
    pub(crate) encounters: u64,
    /// `encounters` when the week began: the week's arrivals are the difference.
    encounters_at_week_start: u64,
    /// Customers served this week (an integer count: one instruction an encounter, where the
    /// tally's `f64` takes a load, an add and a store). Folded into the tally by the review.
    served_this_week: u64,
    /// Delighted encounters this week, likewise.
    delighted_this_week: u64,
    /// Per number of servers busy, 0 to all on shift: the factor on courtesy's weight that
    /// busyness leaves (`1 - discount * busy / on shift`), worked out when the roster changes.
    busy_courtesy_factor: Vec<f64>,
    /// Every encounter, when tracing.
    pub(crate) trace: Vec<EncounterRecord>,
}

impl Site {
    /// Builds site `index` of replication `replication`.
    pub fn new(ctx: &Context, seed: u64, replication: u64, index: usize) -> Site {
        let scn = ctx.scenario;
        let s = index as u64;
        let mut setup = stream(seed, replication, s, Purpose::Setup);
        let draw = |rng: &mut Stream, r: crate::scenario::Range| {
            r.min + (r.max - r.min) * unit(rng.next_u64())
        };
        let demand_multiplier = draw(&mut setup, scn.sites.demand_multiplier);
        let manager_quality = draw(&mut setup, scn.sites.manager_quality);
        let clientele = draw(&mut setup, scn.sites.clientele_harshness);

        let market = scn.sites.market_per_site as usize;
        let c = &scn.customers;
        let acquisition_key = stream(seed, replication, s, Purpose::Acquisition).next_u64();
        let mut customers = Customers::new(market, c.top_box_threshold);
        let mut rates = Vec::with_capacity(market);
        for slot in 0..market {
            let rate = gamma_mean(
                &mut setup,
                scn.demand.visit_rate_shape,
                scn.demand.visits_per_customer_per_week,
            );
            let active = slot < scn.sites.customers_per_site as usize;
            let sat = (c.satisfaction_initial + c.satisfaction_initial_sd * normal(&mut setup))
                .clamp(0.0, 100.0);
            let harshness = clientele + c.harshness_sd * normal(&mut setup);
            // A customer base that has existed a while: tenures as a steady base with the
            // starting customer's loss hazard has them (exponential), so spend, which grows
            // with tenure, does not drift up as a base of newcomers would age.
            let joined_week = if active {
                let hazard = ctx.total_loss_per_year[trunc_to_u64(sat * 10.0) as usize];
                let weeks =
                    (exp1(setup.next_u64()) * 52.0 / hazard.max(1e-3)).min(MAX_TENURE_WEEKS);
                -(weeks as i32)
            } else {
                0
            };
            // Customers of a base that has existed a while are part way through their quiet
            // spells: spread, so word of mouth does not come in waves every episode.
            let episode = u64::from(ctx.word_of_mouth_episode_weeks.max(1));
            let quiet_negative_until = (setup.next_u64() % episode) as u16;
            let quiet_positive_until = (setup.next_u64() % episode) as u16;
            rates.push(rate);
            customers.push(
                Customer {
                    weeks_per_visit: (1.0 / rate) as f32,
                    satisfaction: sat,
                    expectation: c.expectation_initial,
                    harshness: harshness as f32,
                    joined_week: week_i16(joined_week),
                    quiet_negative_until,
                    quiet_positive_until,
                    generation: 0,
                    loss_cause: 0,
                },
                active,
            );
            if !active {
                let key = prospect_key(acquisition_key, slot, 0);
                customers.prospects.push(key, slot);
            }
        }
        let alias = Arc::new(AliasTable::new(&rates));
        let total_rate_per_week = rates.iter().sum();
        drop(rates);

        let e = &scn.employees;
        let mut employees = Employees::default();
        for _ in 0..scn.sites.employees_per_site {
            let slot = employees.hire(e.morale_initial, 1.0, c.satisfaction_initial, 0);
            // The starting staff has been there a while: spread tenure over a year or two.
            employees.tenure_weeks[slot] = 26.0 + 78.0 * unit(setup.next_u64());
        }

        let isq = &scn.isq;
        let standard = scn.service.standard_time_minutes;
        let mut site = Site {
            index,
            demand_multiplier,
            manager_quality,
            employees,
            customers,
            alias,
            total_rate_per_week,
            servers: Servers::default(),
            streams: Streams {
                arrivals: stream(seed, replication, s, Purpose::Arrivals),
            },
            window_close: 0,
            pending_arrival: u64::MAX,
            batch: Box::new(ArrivalBatch::default()),
            mean_gap_seconds: f64::INFINITY,
            arrivals_drawn: 0,
            encounter_key: stream(seed, replication, s, Purpose::Encounters).next_u64(),
            acquisition_key,
            employee_key: stream(seed, replication, s, Purpose::Employees).next_u64(),
            hiring_key: stream(seed, replication, s, Purpose::Hiring).next_u64(),
            quit_round: 0,
            demand_scale: demand_multiplier,
            years_per_scaled_week: 1.0 / (52.0 * demand_multiplier),
            tools: isq.tools_initial,
            skills: isq.skills_initial,
            leadership_development: 0.0,
            staffing: 50.0,
            isq: 50.0,
            work_pressure: 0.0,
            perceived_pressure: 0.0,
            intensity: 1.0,
            time_factor: 1.0,
            standard_minutes: standard,
            sustained_pressure: 0.0,
            marketing_base: 0.0,
            warm_weeks_left: 0,
            week_now: 0,
            warmup_weeks: 0,
            steady_inflow: (0.0, 0.0, 0.0),
            offered_hours_smoothed: 0.0,
            productivity_smoothed: 1.0,
            pending_hires: 0,
            desired_headcount: scn.sites.employees_per_site,
            depreciation: Depreciation::new(
                isq.tools_depreciation_weeks,
                Money::from_currency(isq.tools_capex_per_site_per_week),
            ),
            tally: WeekTally::default(),
            effective_hours: 0.0,
            clearing_overtime_seconds: 0,
            busy_seconds: 0,
            continuing: Vec::new(),
            policy: PolicyState::default(),
            invested_cents: 0,
            month: Lines::default(),
            cumulative_profit_cents: 0,
            cumulative_cash_cents: 0,
            encounters: 0,
            encounters_at_week_start: 0,
            served_this_week: 0,
            delighted_this_week: 0,
            busy_courtesy_factor: Vec::new(),
            trace: Vec::new(),
        };
        // Management starts from the demand it expects, so the first weeks are not a false alarm.
        let expected_visits =
            site.total_rate_per_week * demand_multiplier * f64::from(scn.sites.customers_per_site)
                / market.max(1) as f64;
        site.offered_hours_smoothed = expected_visits * standard / 60.0;
        site.productivity_smoothed = site.mean_speed(ctx).max(1e-6);
        site.update_isq(ctx);
        site.marketing_base = match c.marketing_customers_per_site_per_week {
            Some(rate) => rate,
            // Without a warm-up to measure it, the inflow that replaces the starting
            // customers' expected losses, from their loss hazards (referrals left out).
            None => {
                let slots = &site.customers.slots;
                let losses_per_week: f64 = site
                    .customers
                    .active()
                    .map(|k| {
                        let step = trunc_to_u64(slots[k].satisfaction() * 10.0) as usize;
                        ctx.total_loss_per_year[step] / 52.0
                    })
                    .sum();
                let available = site.customers.prospects.len() as f64 / market.max(1) as f64;
                if available > 0.0 {
                    losses_per_week / available
                } else {
                    0.0
                }
            }
        };
        site
    }

    /// Starts the warm-up of `weeks` weeks (0: none; the scenario's marketing rate then applies
    /// from the start).
    pub fn begin_warm_up(&mut self, weeks: u32) {
        self.warm_weeks_left = weeks;
        self.warmup_weeks = weeks;
    }

    /// Gives the customer base the make-up a steady base has. A base held at a constant size
    /// keeps each kind of customer in proportion to how long it stays: its arrivals over its
    /// loss hazard. Customers who stay for decades (apostles) would take decades of simulated
    /// time to accumulate, so halfway through the warm-up, when each customer's satisfaction has
    /// moved toward what the service gives them, the base is redrawn in those proportions:
    /// systematic resampling (no random draw) of the customers' states, weighted by
    /// 1 / loss hazard. Tenures are then redrawn as a steady base's (exponential).
    fn steady_composition(&mut self, ctx: &Context, week: u32) {
        let active: Vec<usize> = self.customers.active().collect();
        if active.is_empty() {
            return;
        }
        let hazard =
            |c: &Customer| ctx.total_loss_per_year[trunc_to_u64(c.satisfaction() * 10.0) as usize];
        // A customer's state includes where they are in their word-of-mouth quiet spells: left
        // behind, the redrawn base would tell all at once, in waves an episode apart.
        let states: Vec<Customer> = active.iter().map(|&k| self.customers.slots[k]).collect();
        let weights: Vec<f64> = active
            .iter()
            .map(|&k| 1.0 / hazard(&self.customers.slots[k]).max(1e-3))
            .collect();
        let total: f64 = weights.iter().sum();
        let step = total / active.len() as f64;
        let (mut source, mut reached) = (0, weights[0]);
        for (n, &k) in active.iter().enumerate() {
            let point = step * (n as f64 + 0.5);
            while reached < point && source + 1 < weights.len() {
                source += 1;
                reached += weights[source];
            }
            let from = &states[source];
            let c = &mut self.customers.slots[k];
            c.satisfaction = from.satisfaction;
            c.expectation = from.expectation;
            c.harshness = from.harshness;
            c.quiet_negative_until = from.quiet_negative_until;
            c.quiet_positive_until = from.quiet_positive_until;
        }
        // A steady base's tenures, keyed by slot and its fill (no draw from a stream).
        for &k in &active {
            let h = hazard(&self.customers.slots[k]);
            let word = encounter_word(self.acquisition_key, k as u64, 3);
            let weeks = (exp1(word) * 52.0 / h.max(1e-3)).min(MAX_TENURE_WEEKS);
            self.customers.slots[k].joined_week = week_i16(week as i32 + 1 - weeks as i32);
        }
        self.customers.recount();
    }

    /// Adds a warm-up week's losses, expected referrals and paid-acquisition factor to the
    /// steady-inflow measure, over the warm-up's last [`STEADY_INFLOW_WEEKS`] weeks.
    fn measure_steady_inflow(&mut self, lost: f64, referral_mean: f64, paid_factor: f64) {
        if self.warm_weeks_left <= STEADY_INFLOW_WEEKS {
            let (l, r, p) = &mut self.steady_inflow;
            *l += lost;
            *r += referral_mean;
            *p += paid_factor;
        }
    }

    /// Ends the warm-up: sets the baseline's paid inflow to the steady one (unless the scenario
    /// gives one), and starts the reported horizon's money and counts from zero.
    pub fn end_warm_up(&mut self, ctx: &Context) {
        self.warm_weeks_left = 0;
        if ctx
            .scenario
            .customers
            .marketing_customers_per_site_per_week
            .is_none()
        {
            let (lost, referred, paid_factor) = self.steady_inflow;
            self.marketing_base = if paid_factor > 0.0 {
                ((lost - referred) / paid_factor).max(0.0)
            } else {
                0.0
            };
        }
        self.month = Lines::default();
        self.cumulative_profit_cents = 0;
        self.cumulative_cash_cents = 0;
        self.invested_cents = 0;
    }

    /// Enters an arm's horizon, whose links may differ from the warm-up's: what is derived from
    /// the shared tables is worked out again.
    pub fn enter_arm(&mut self, ctx: &Context) {
        self.set_busy_courtesy_factor(ctx);
        if !ctx.scenario.links.learning_curve {
            // Without the learning curve everyone is as effective as a veteran, as new hires
            // are: the warm-up's rookies must not stay rookies for ever.
            self.employees
                .effectiveness
                .iter_mut()
                .for_each(|e| *e = 1.0);
        }
    }

    /// Spends `amount` of capex: cash now, depreciated in operating profit over the tools'
    /// depreciation schedule.
    fn spend_capex(&mut self, amount: Money) {
        self.depreciation.buy(amount);
        self.post(Line::Capex, amount);
    }

    /// Records money in the month's ledger and, independently, in the week's tally; the two
    /// records are checked against each other by the ledger tests.
    #[inline]
    fn post(&mut self, line: Line, amount: Money) {
        self.month.post(line, amount);
        self.tally.money.post(line, amount);
    }

    /// Sets the demand scale for the coming week (season and shocks, times local demand).
    pub fn set_demand(&mut self, season_and_shocks: f64) {
        self.demand_scale = self.demand_multiplier * season_and_shocks;
        self.years_per_scaled_week = 1.0 / (52.0 * self.demand_scale);
    }

    fn update_isq(&mut self, ctx: &Context) {
        let scn = ctx.scenario;
        let i = &scn.isq;
        let leadership = (self.manager_quality + self.leadership_development).clamp(0.0, 100.0);
        let pay = self.pay_fairness(ctx);
        let parts = [
            (i.weight_tools, self.tools),
            (i.weight_skills, self.skills),
            (i.weight_leadership, leadership),
            (i.weight_staffing, self.staffing),
            (i.weight_pay, pay),
        ];
        let total: f64 = parts.iter().map(|p| p.0).sum();
        self.isq = parts.iter().map(|(w, x)| w * x).sum::<f64>() / total;
    }

    /// Hourly wage at the site now, pay raises included, currency/hour.
    pub fn wage_per_hour(&self, ctx: &Context) -> f64 {
        ctx.scenario.employees.wage_per_hour * self.policy.wage_multiplier
    }

    /// Pay fairness, 0-100 (50: the market wage).
    pub fn pay_fairness(&self, ctx: &Context) -> f64 {
        let i = &ctx.scenario.isq;
        let percent_above_market = 100.0 * (self.wage_per_hour(ctx) / i.market_wage_per_hour - 1.0);
        // A logistic through 50 at market with slope `pay_fairness_per_percent` there: each
        // further percent buys less fairness (diminishing returns), never none, never past 100.
        let k = 4.0 * i.pay_fairness_per_percent / 100.0;
        100.0 / (1.0 + (-k * percent_above_market).exp())
    }

    /// Closes the month: returns its lines and starts a new month.
    pub fn close_month(&mut self) -> Lines {
        std::mem::take(&mut self.month)
    }
}
