//! One site: its staff, customers, queue and stocks, the encounter loop, and the weekly review.
//!
//! The encounter loop is the hot path. Arrivals are the superposition of every market slot's
//! Poisson visits, generated in time order at the site's total rate and assigned to a slot by
//! an alias table; arrivals to prospect slots are thinned away, which keeps the process exact
//! while customers come and go. The queue is FIFO over the servers on shift, so each arrival's
//! service start is known when it arrives (the earliest time a server is free): service start,
//! service end and abandonment are computed, not queued, and no heap is touched per encounter.

use rand::Rng;

use super::metrics::WeekTally;
use super::people::{Customer, Customers, Employees, Prospect};
use super::servers::{ServerInfo, Servers};
use super::service_time::ServiceTimeSampler;
use crate::engine::SimTime;
use crate::engine::rng::{Purpose, Stream, encounter_word, stream};
use crate::engine::sample::{
    AliasTable, WordRng, exp1, exp1_fast, gamma_mean, interpolate, normal, poisson, unit,
    unit_low32,
};
use crate::engine::time::{round_to_u64, trunc_to_u64};
use crate::ledger::{Depreciation, Line, Lines, Money};
use crate::scenario::{Intervention, Lever, Scenario};

/// Oliva & Sterman (2001): productivity by smoothed work intensity (short fatigue).
const FATIGUE_PRODUCTIVITY: [(f64, f64); 8] = [
    (1.0, 1.0),
    (1.14, 1.0),
    (1.29, 0.92),
    (1.43, 0.785),
    (1.57, 0.695),
    (1.71, 0.64),
    (1.86, 0.60),
    (2.0, 0.57),
];
/// Oliva & Sterman (2001): expected tenure multiplier by sustained intensity (long fatigue).
const FATIGUE_TENURE: [(f64, f64); 2] = [(1.0, 1.0), (2.0, 0.593)];

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
    /// Open seconds per week.
    pub open_seconds_per_week: f64,
    /// Whether to keep a trace of every encounter (tests only).
    pub trace: bool,
}

impl<'a> Context<'a> {
    /// The waiting term of perceived quality and its weight for a wait of `wait_seconds`;
    /// most customers do not wait, and their term is worked out once.
    #[inline(always)]
    fn wait_term(&self, wait_seconds: f64) -> (f64, f64) {
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
        let spend_cents_by_tenure = (0..=scenario.weeks + 1)
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
            open_seconds_per_week: open_minutes * 60.0 * f64::from(clock.open_days_per_week),
            trace,
        }
    }
}

/// The waiting term of perceived quality (weight times score) and its weight, for a wait of
/// `wait_seconds`.
#[inline]
fn wait_term(scenario: &Scenario, wait_seconds: f64) -> (f64, f64) {
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

/// The most the service standard may drift up to, as a multiple of `service.standard_time_minutes`.
pub const MAX_STANDARD_FACTOR: f64 = 10.0;

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

/// Asks the CPU to start loading `r`'s cache line, without waiting for it (a plain read would
/// hold up the instructions after it until the line arrives).
#[inline(always)]
fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86-64 baseline, and a prefetch neither faults nor changes
    // memory; `r` is a valid reference anyway.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((r as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

/// Arrivals generated per chunk, customers and prospects together.
const BATCH: usize = 128;

/// How many arrivals ahead of the current one a customer's record is fetched.
const PREFETCH_AHEAD: usize = 4;

/// A chunk of a shift's arrivals to customers, in time order.
struct ArrivalBatch {
    /// Arrival times, seconds.
    at: [u64; BATCH],
    /// Customer slots.
    slot: [u32; BATCH],
    /// Arrival numbers, which key each encounter's words.
    number: [u64; BATCH],
    /// Arrivals held.
    len: usize,
    /// The next arrival to simulate.
    next: usize,
}

impl Default for ArrivalBatch {
    fn default() -> Self {
        ArrivalBatch {
            at: [0; BATCH],
            slot: [0; BATCH],
            number: [0; BATCH],
            len: 0,
            next: 0,
        }
    }
}

impl ArrivalBatch {
    fn clear(&mut self) {
        self.len = 0;
        self.next = 0;
    }
}

/// The first arrival after `t` (seconds) at mean gap `mean_gap_seconds`, or `u64::MAX` if it
/// falls at or after `close`. Draws one exponential gap from `rng` unless arrivals are off.
#[inline(always)]
fn arrival_after(rng: &mut Stream, t: u64, mean_gap_seconds: f64, close: u64) -> u64 {
    if !mean_gap_seconds.is_finite() {
        return u64::MAX;
    }
    // `t` is below 2^63, so through i64 is exact, and one instruction where u64 takes several.
    let at = t as i64 as f64 + exp1_fast(rng) * mean_gap_seconds;
    if at >= close as f64 {
        u64::MAX
    } else {
        round_to_u64(at)
    }
}

/// Slot `slot` as a prospect, having been filled `generation` times: its place in the queue to
/// join comes from those two alone, so arms acquire the same people as far as their counts allow.
fn prospect(acquisition_key: u64, slot: usize, generation: u32) -> Prospect {
    let id = (u64::from(generation) << 32) | slot as u64;
    Prospect {
        slot: slot as u32,
        key: encounter_word(acquisition_key, id, 2),
    }
}

/// What a customer experienced in an encounter: what the customer's side (`Site::settle`)
/// needs from the servers' side (`Site::serve`).
#[derive(Debug, Clone, Copy)]
struct Experience {
    /// Customer slot.
    slot: u32,
    /// Employee slot of the server, or `u32::MAX` if the customer gave up.
    employee: u32,
    /// Arrival number, which keys the rarer draws.
    number: u64,
    /// Competence shown, 0-100.
    competence: f64,
    /// Courtesy's weight times the courtesy shown.
    courtesy_term: f64,
    /// Courtesy's weight in perceived quality.
    courtesy_weight: f64,
    /// The waiting term of perceived quality (weight times score) and its weight.
    wait_term: (f64, f64),
    /// The churn draw, uniform in [0, 1).
    churn_draw: f64,
    /// Whether a rude failure lost the customer outright (unless recovered).
    catastrophe: bool,
}

/// Random streams of a site, one per purpose.
struct Streams {
    arrivals: Stream,
}

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
struct PolicyState {
    wage_multiplier: f64,
    extra_staff: f64,
    empowered: bool,
    extra_marketing: f64,
    headcount_factor: f64,
    tools_factor: f64,
    training_factor: f64,
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
        Lever::Tooling { .. } => Line::Tooling,
        Lever::SkillsTraining { .. } | Lever::Empowerment => Line::SkillsTraining,
        Lever::LeadershipDevelopment { .. } => Line::LeadershipTraining,
        Lever::Marketing { .. } => Line::Marketing,
        Lever::PayRaise { .. }
        | Lever::StaffingLevel { .. }
        | Lever::CostCutting { .. }
        | Lever::CostOnly => Line::Overhead,
    }
}

/// A hire or quit the review asks the world to schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange {
    /// Employee slot quits at the end of day `day_offset` (0-6) of the next week.
    Quit { employee: u32, day_offset: u64 },
    /// A new hire arrives after `days` days.
    Hire { days: u64 },
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

/// Sets the customer's spend per visit during `week`: it grows with tenure
/// (`spend_cents_by_tenure`, which covers every week of the run).
#[inline]
fn refresh_spend(by_tenure: &[i64], cust: &mut Customer, week: u32) {
    let tenure = week.saturating_sub(cust.joined_week) as usize;
    cust.spend_cents = by_tenure[tenure.min(by_tenure.len() - 1)];
}

/// A site and everything in it.
pub struct Site {
    /// Index of the site in the firm.
    pub index: usize,
    /// Local demand multiplier drawn at setup.
    pub demand_multiplier: f64,
    /// Manager quality drawn at setup, 0-100.
    pub manager_quality: f64,
    /// Employees.
    pub employees: Employees,
    /// Customers and prospects.
    pub customers: Customers,
    alias: AliasTable,
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
    pub tools: f64,
    /// Skills development stock, 0-100.
    pub skills: f64,
    /// Leadership development on top of the manager, points.
    pub leadership_development: f64,
    /// Staffing adequacy, 0-100.
    pub staffing: f64,
    /// Internal service quality, 0-100.
    pub isq: f64,
    /// Work pressure last measured.
    pub work_pressure: f64,
    /// Work pressure as employees perceive it (smoothed).
    pub perceived_pressure: f64,
    /// Work intensity this week.
    pub intensity: f64,
    /// Time-per-service factor from work pressure this week.
    pub time_factor: f64,
    /// The current service standard, minutes.
    pub standard_minutes: f64,
    offered_hours_smoothed: f64,
    productivity_smoothed: f64,
    /// Hires on their way (vacancies being filled).
    pub pending_hires: u32,
    /// Headcount management wants.
    pub desired_headcount: u32,
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
    pub month: Lines,
    /// Cumulative profit, cents.
    pub cumulative_profit_cents: i64,
    /// Encounters simulated (served plus abandoned).
    pub encounters: u64,
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
    pub trace: Vec<EncounterRecord>,
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
        let mut customers = Customers::default();
        for slot in 0..market {
            let rate = gamma_mean(
                &mut setup,
                scn.demand.visit_rate_shape,
                scn.demand.visits_per_customer_per_week,
            );
            let active = slot < scn.sites.customers_per_site as usize;
            let sat = (c.satisfaction_initial + c.satisfaction_initial_sd * normal(&mut setup))
                .clamp(0.0, 100.0);
            customers.push(Customer {
                weeks_per_visit: 1.0 / rate,
                satisfaction: sat,
                expectation: c.expectation_initial,
                harshness: clientele + c.harshness_sd * normal(&mut setup),
                spend_cents: 0,
                rate_per_week: rate,
                joined_week: 0,
                generation: 0,
                active,
                loss_cause: 0,
            });
            if !active {
                customers.prospects.push(prospect(acquisition_key, slot, 0));
            }
        }
        let rates: Vec<f64> = customers.slots.iter().map(|c| c.rate_per_week).collect();
        let alias = AliasTable::new(&rates);
        let total_rate_per_week = rates.iter().sum();

        let e = &scn.employees;
        let mut employees = Employees::default();
        for _ in 0..scn.sites.employees_per_site {
            let slot = employees.hire(e.morale_initial, 1.0, c.satisfaction_initial, 0);
            // The starting staff has been there a while: spread tenure over a year or two.
            employees.tenure_weeks[slot] = 26.0 + 78.0 * unit(setup.next_u64());
        }

        let isq = &scn.isq;
        let standard = scn.service.standard_time_minutes;
        let n0 = f64::from(scn.sites.employees_per_site);
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
        let _ = n0;
        site.update_isq(ctx);
        for cust in &mut site.customers.slots {
            refresh_spend(&ctx.spend_cents_by_tenure, cust, 0);
        }
        site
    }

    fn tool_factor(&self, ctx: &Context) -> f64 {
        if ctx.scenario.links.tools_to_service {
            1.0 + ctx.scenario.isq.tools_effect * (self.tools - 50.0) / 50.0
        } else {
            1.0
        }
    }

    /// Mean speed (effectiveness x tools x fatigue) over the employees; 1 when links are off.
    fn mean_speed(&self, ctx: &Context) -> f64 {
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
    fn speed(&self, ctx: &Context, e: usize, trainer_factor: f64) -> f64 {
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

    fn is_rookie(&self, ctx: &Context, e: usize) -> bool {
        self.employees.effectiveness[e] < ctx.scenario.employees.rookie_threshold
    }

    /// Shift start: draws absences, puts the present employees on shift and opens arrivals
    /// for `[open, close)`.
    pub fn start_shift(&mut self, ctx: &Context, open: u64, close: u64) {
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
        for i in slots {
            let day = open / 86_400;
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

    /// Generates the next chunk of the window's arrivals and keeps those to customers.
    ///
    /// The stream's order is the one-at-a-time order: each arrival's slot is drawn after the
    /// gap to the arrival that follows it, and nothing is drawn for an arrival that is never
    /// simulated (one rounded up to the window's close, or beyond it). Arrivals to prospects
    /// are dropped here, without a branch, so the encounter loop never guesses at them; every
    /// arrival still takes a number, which keys its encounter's words. No slot becomes a
    /// customer during a shift (acquisition is weekly), so a kept arrival is one to a customer
    /// unless they leave before it comes, which the loop checks.
    #[inline(never)]
    fn refill(&mut self) {
        let close = self.window_close;
        let b = &mut *self.batch;
        // The stream and the count in locals, so they stay in registers through the loop.
        let mut rng = self.streams.arrivals.clone();
        let (mut t, mut len, mut drawn) = (self.pending_arrival, 0, self.arrivals_drawn);
        for _ in 0..BATCH {
            if t >= close {
                break;
            }
            let following = arrival_after(&mut rng, t, self.mean_gap_seconds, close);
            let slot = self.alias.pick(rng.next_u64());
            b.at[len] = t;
            b.slot[len] = slot as u32;
            b.number[len] = drawn;
            drawn += 1;
            len += usize::from(self.customers.is_active(slot));
            t = following;
        }
        self.streams.arrivals = rng;
        self.arrivals_drawn = drawn;
        self.pending_arrival = t;
        b.len = len;
        b.next = 0;
    }

    /// Works out `busy_courtesy_factor` for the servers now on shift.
    fn set_busy_courtesy_factor(&mut self, ctx: &Context) {
        let n = self.servers.len();
        let discount = ctx.scenario.customers.busy_courtesy_discount;
        self.busy_courtesy_factor.clear();
        self.busy_courtesy_factor.extend(
            // Through i64: one conversion instruction where usize takes several.
            (0..=n).map(|busy| 1.0 - discount * (busy as i64 as f64 / n as i64 as f64)),
        );
    }

    /// Shift end: servers finish the customers already queued (overtime); arrivals stop.
    pub fn end_shift(&mut self, close: u64) {
        for (info, &free) in self.servers.info.iter().zip(&self.servers.free_at) {
            self.employees.busy_until[info.employee as usize] = free;
            self.clearing_overtime_seconds += free.saturating_sub(close);
        }
        self.pending_arrival = u64::MAX;
        self.batch.clear();
    }

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
    pub fn hire_arrives(&mut self, ctx: &Context, now: u64) {
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
            now,
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

    /// Records money in the month's ledger and, independently, in the week's tally; the two
    /// records are checked against each other by the ledger tests.
    #[inline]
    fn post(&mut self, line: Line, amount: Money) {
        self.month.post(line, amount);
        self.tally.money.post(line, amount);
    }

    /// Simulates every arrival before `t`. This is the encounter loop.
    pub fn advance_to(&mut self, ctx: &Context, t: u64) {
        loop {
            let i = self.batch.next;
            if i == self.batch.len {
                if self.pending_arrival >= t.min(self.window_close) {
                    return;
                }
                self.refill();
                continue;
            }
            let at = self.batch.at[i];
            if at >= t {
                return;
            }
            self.batch.next = i + 1;
            // Start loading a coming customer's record; the encounters between hide the wait.
            let ahead = self.batch.slot[(i + PREFETCH_AHEAD).min(BATCH - 1)];
            prefetch(&self.customers.slots[ahead as usize]);
            let (slot, number) = (self.batch.slot[i] as usize, self.batch.number[i]);
            if let Some(p) = self.serve(ctx, at, slot, number) {
                self.settle(ctx, p);
            }
        }
    }

    /// The servers' side of an arrival at `at` to `slot`: who serves them and when, or their
    /// giving up; the service's own tallies and money. Returns what the customer's side needs,
    /// or `None` for an arrival to someone no longer a customer (the arrival's thinning).
    #[inline(always)]
    fn serve(&mut self, ctx: &Context, at: u64, slot: usize, number: u64) -> Option<Experience> {
        // Lost since the batch was drawn: now a prospect, whom the arrival's thinning drops.
        if !self.customers.slots[slot].active {
            return None;
        }
        // The encounter's own words come from a counter-based generator keyed by the arrival's
        // number, so an arrival to a prospect costs nothing and every arm still sees the same
        // words for the same arrival (common random numbers).
        let w_service = encounter_word(self.encounter_key, number, 1);
        let w_outcome = encounter_word(self.encounter_key, number, 2);
        let scn = ctx.scenario;
        let c = &scn.customers;
        self.encounters += 1;

        // The longest-idle server, else the earliest to finish, takes the customer (FIFO).
        let n = self.servers.len();
        let found = self.servers.next_free(at);
        let (best, start, busy) = found.map_or((usize::MAX, at, n), |(k, busy)| {
            (k, self.servers.free_at[k].max(at), busy)
        });
        let wait = start - at;
        // Patience matters only to someone who must wait: skip its draw otherwise.
        let key = self.encounter_key;
        let patience = || {
            let w_patience = encounter_word(key, number, 0);
            exp1_fast(&mut WordRng::new(w_patience)) * scn.service.patience_mean_minutes * 60.0
        };
        let gave_up = if found.is_none() {
            // Nobody on shift: the customer leaves after their patience (at once if they have none).
            Some(if scn.service.abandonment {
                at + round_to_u64(patience())
            } else {
                at
            })
        } else if wait > 0 && scn.service.abandonment {
            let p = patience();
            (wait as i64 as f64 > p).then(|| at + round_to_u64(p))
        } else {
            None
        };
        if let Some(gave_up) = gave_up {
            self.tally.abandoned += 1.0;
            self.record(ctx, slot, at, gave_up, gave_up, u32::MAX);
            return Some(Experience {
                slot: slot as u32,
                employee: u32::MAX,
                number,
                competence: c.competence_failed,
                courtesy_term: 0.0,
                courtesy_weight: 0.0,
                wait_term: ctx.wait_term((gave_up - at) as f64),
                churn_draw: unit_low32(w_outcome),
                catastrophe: false,
            });
        }
        let server = self.servers.info[best];
        let duration = ctx
            .service_times
            .sample(server.mean_service_seconds, w_service);
        let end = start + round_to_u64(duration).max(1);
        self.servers.assign(best, end);
        let employee = server.employee;
        let ok = unit(w_outcome) < server.p_success;
        self.served_this_week += 1;
        self.busy_seconds += end - start;
        // Through i64: one conversion instruction where u64 takes several.
        self.tally.wait_seconds_sum += wait as i64 as f64;
        self.record(ctx, slot, at, start, end, employee);
        // Revenue: this week's spend per visit, which grows with tenure (refreshed weekly).
        self.post(Line::Revenue, Money(self.customers.slots[slot].spend_cents));
        if !ok {
            self.tally.failures += 1.0;
            let cost = Money::from_currency(scn.service.failure_cost);
            self.post(Line::ServiceFailure, cost);
        }

        let l = &scn.links;
        let competence = if ok {
            server.competence
        } else {
            c.competence_failed
        };
        let mut courtesy_weight = c.weight_courtesy;
        if l.competence_gates_courtesy && !ok {
            courtesy_weight = 0.0;
        }
        if l.busyness_discounts_courtesy {
            courtesy_weight *= self.busy_courtesy_factor[busy];
        }
        let courtesy = server.courtesy;
        let rude = courtesy < c.rude_threshold;
        // Rarer draws (catastrophe, complaint, recovery) come from the arrival's fourth word,
        // computed only when needed.
        let catastrophe = l.catastrophic_loss
            && !ok
            && rude
            && unit(encounter_word(self.encounter_key, number, 3)) < c.catastrophe_loss_probability;
        Some(Experience {
            slot: slot as u32,
            employee,
            number,
            competence,
            courtesy_term: courtesy_weight * courtesy,
            courtesy_weight,
            // Worked out here, where the branch on waiting agrees with the one above.
            wait_term: ctx.wait_term(wait as i64 as f64),
            churn_draw: unit_low32(w_outcome),
            catastrophe,
        })
    }

    /// Keeps the encounter in the trace, when tracing (times in seconds; `employee` is
    /// `u32::MAX` for someone who gave up).
    #[inline(always)]
    fn record(
        &mut self,
        ctx: &Context,
        slot: usize,
        at: u64,
        started: u64,
        ended: u64,
        employee: u32,
    ) {
        if ctx.trace {
            self.trace.push(EncounterRecord {
                customer: slot as u32,
                arrived: at,
                started,
                ended,
                employee,
            });
        }
    }

    /// The customer's side of an encounter: what they perceive, their new satisfaction and
    /// expectation, the server's evaluation, word of mouth, complaints and churn.
    #[inline(always)]
    fn settle(&mut self, ctx: &Context, p: Experience) {
        let slot = p.slot as usize;
        let quality = self.perceive(ctx, &p);
        let evaluation = self.update_customer(ctx, slot, quality);
        if p.employee != u32::MAX {
            let e = p.employee as usize;
            self.employees.served[e] += 1;
            self.employees.evaluation_sum[e] += evaluation;
        }
        self.after_encounter(ctx, slot, evaluation, p.churn_draw, p.catastrophe, p.number);
    }

    /// Perceived quality of an encounter, 0-100.
    #[inline]
    fn perceive(&mut self, ctx: &Context, p: &Experience) -> f64 {
        let c = &ctx.scenario.customers;
        let (wait_term, wait_weight) = p.wait_term;
        let total = c.weight_competence + p.courtesy_weight + wait_weight;
        let q =
            (c.weight_competence * p.competence + p.courtesy_term + wait_term) / total.max(1e-12);
        let q = (q - self.customers.slots[p.slot as usize].harshness).clamp(0.0, 100.0);
        self.tally.quality_sum += q;
        q
    }

    /// Disconfirmation moves satisfaction; expectations adapt. Returns the evaluation.
    #[inline]
    fn update_customer(&mut self, ctx: &Context, slot: usize, quality: f64) -> f64 {
        let c = &ctx.scenario.customers;
        let cust = &mut self.customers.slots[slot];
        let expected = cust.expectation;
        let evaluation =
            (quality + c.disconfirmation_weight * (quality - expected)).clamp(0.0, 100.0);
        cust.satisfaction += c.satisfaction_learning_rate * (evaluation - cust.satisfaction);
        cust.expectation = expected + c.expectation_learning_rate * (quality - expected);
        evaluation
    }

    /// Word of mouth, complaints and churn after an encounter; `u` is the churn draw and
    /// `number` the arrival's, which keys the rarer draws (complaint, recovery).
    #[inline(always)]
    fn after_encounter(
        &mut self,
        ctx: &Context,
        slot: usize,
        evaluation: f64,
        u: f64,
        catastrophe: bool,
        number: u64,
    ) {
        let c = &ctx.scenario.customers;
        let mut recovered = false;
        let dissatisfied = evaluation < c.dissatisfied_threshold;
        // Delight is counted without a branch: about two encounters in five delight, with no
        // pattern a predictor can learn, and a miss here, at the end of the encounter's
        // longest chain, was the loop's largest single cost (BENCHMARKS.md).
        let delighted = !dissatisfied & (evaluation >= c.delighted_threshold);
        self.delighted_this_week += u64::from(delighted);
        // As bits: the tells or +0.0, and adding +0.0 leaves the sum as it was (it is never
        // -0.0). The optimiser turns a select, an `if` or a plain mask back into the branch,
        // so the mask goes through `black_box`.
        let mask = std::hint::black_box(u64::from(delighted).wrapping_neg());
        self.tally.wom_positive += f64::from_bits(c.wom_delighted_tells.to_bits() & mask);
        if dissatisfied {
            let mut rare = WordRng::new(encounter_word(self.encounter_key, number, 3));
            self.tally.dissatisfied += 1.0;
            self.tally.wom_negative += c.wom_dissatisfied_tells;
            if unit(rare.next_u64()) < c.complaint_probability {
                self.tally.complaints += 1.0;
                // Empowered staff resolve some complaints on the spot, which keeps more customers.
                let on_the_spot = unit(rare.next_u64()) < c.recovery_on_the_spot_share;
                let keep = if on_the_spot {
                    c.recovery_on_the_spot_keep_share
                } else {
                    c.recovery_keep_share
                };
                let empowered = c.empowered_recovery || self.policy.empowered;
                if empowered && unit(rare.next_u64()) < keep {
                    self.tally.recovered += 1.0;
                    recovered = true;
                }
            }
        }
        if catastrophe && !recovered {
            self.lose(slot, 0);
            return;
        }
        // Per-visit defection probability = hazard / visit rate: with Poisson visits this
        // thins the visits into a defection process with exactly the hazard's rate.
        let cust = &self.customers.slots[slot];
        let years_per_visit = cust.weeks_per_visit * self.years_per_scaled_week;
        // Nearly every draw is above even the greatest hazard: the customer stays, seen
        // without waiting for the satisfaction this encounter has just changed (multiplying
        // by the same non-negative factor keeps the order, so the answer is the lookup's).
        if u >= ctx.max_loss_per_year * years_per_visit {
            return;
        }
        let step = trunc_to_u64(cust.satisfaction * 10.0) as usize;
        let column = if recovered {
            ctx.churn_by_satisfaction.len()
        } else {
            step
        };
        if u >= ctx.total_loss_per_year[column] * years_per_visit {
            return; // stays: the common case, decided with one lookup and one comparison
        }
        let service = if recovered {
            0.0
        } else {
            ctx.churn_by_satisfaction[step]
        };
        let [product, competitor, moved] = ctx.exogenous_per_year;
        let mut threshold = 0.0;
        for (cause, h) in [(0, service), (1, product), (2, competitor), (3, moved)] {
            threshold += h * years_per_visit;
            if u < threshold {
                return self.lose(slot, cause);
            }
        }
    }

    fn lose(&mut self, slot: usize, cause: u8) {
        self.customers.set_active(slot, false);
        self.customers.slots[slot].loss_cause = cause + 1;
        let generation = self.customers.slots[slot].generation;
        let p = prospect(self.acquisition_key, slot, generation);
        self.customers.prospects.push(p);
        match cause {
            0 => self.tally.lost_service += 1.0,
            1 => self.tally.lost_product += 1.0,
            2 => self.tally.lost_competitor += 1.0,
            _ => self.tally.lost_moved += 1.0,
        }
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

    /// Pay fairness, 0-100 (50: the market wage).
    pub fn pay_fairness(&self, ctx: &Context) -> f64 {
        let i = &ctx.scenario.isq;
        (50.0
            + i.pay_fairness_per_percent
                * 100.0
                * (self.wage_per_hour(ctx) / i.market_wage_per_hour - 1.0))
            .clamp(0.0, 100.0)
    }

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
                        self.depreciation.buy(capex);
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

    /// The intervention's own cost (per site and per employee), in its lever's ledger line.
    fn post_policy_cost(&mut self, iv: &Intervention) {
        let amount = iv.cost_per_site + iv.cost_per_employee * self.employees.headcount() as f64;
        if amount > 0.0 {
            let cost = Money::from_currency(amount);
            self.post(policy_line(iv.lever), cost);
            self.invested_cents += cost.cents();
        }
    }

    /// Recomputes the continuing levers' combined state.
    fn refresh_policy(&mut self) {
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

    /// Takes the `m` prospects first in the queue to join (smallest keys; a slot's key changes
    /// each time it is filled), in that order.
    fn next_prospects(&mut self, m: usize) -> Vec<usize> {
        let prospects = &mut self.customers.prospects;
        let m = m.min(prospects.len());
        if m == 0 {
            return Vec::new();
        }
        let mut keyed: Vec<(u64, usize)> = prospects
            .iter()
            .enumerate()
            .map(|(pos, p)| (p.key, pos))
            .collect();
        if m < keyed.len() {
            keyed.select_nth_unstable(m - 1);
            keyed.truncate(m);
        }
        keyed.sort_unstable();
        let slots: Vec<usize> = keyed
            .iter()
            .map(|&(_, pos)| prospects[pos].slot as usize)
            .collect();
        let mut positions: Vec<usize> = keyed.iter().map(|&(_, pos)| pos).collect();
        positions.sort_unstable_by(|a, b| b.cmp(a));
        for pos in positions {
            prospects.swap_remove(pos);
        }
        slots
    }

    /// The weekly review: pressure, stocks, people, hiring and acquisition; posts the week's
    /// money and returns its tally (with staffing changes for the world to schedule).
    pub fn weekly_review(&mut self, ctx: &Context, week: u32) -> (WeekTally, Vec<StaffChange>) {
        let scn = ctx.scenario;
        let (l, e, i) = (&scn.links, &scn.employees, &scn.isq);
        let half = |hl: f64| 0.5f64.powf(1.0 / hl);

        // The week's counts kept as integers during it (exact: whole numbers below 2^53).
        self.tally.arrivals += (self.encounters - self.encounters_at_week_start) as i64 as f64;
        self.encounters_at_week_start = self.encounters;
        self.tally.served += std::mem::take(&mut self.served_this_week) as i64 as f64;
        self.tally.delighted += std::mem::take(&mut self.delighted_this_week) as i64 as f64;

        // Work pressure from this week's offered work against effective capacity.
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
        if l.standard_erosion {
            let actual = self.standard_minutes * time_factor;
            let tau = if actual < self.standard_minutes {
                e.standard_erosion_weeks
            } else {
                e.standard_recovery_weeks
            };
            self.standard_minutes += (actual - self.standard_minutes) / tau.max(1.0);
            // Recovery compounds (each week's time taken is relative to the current standard):
            // bounded, so extreme elasticities cannot drive it to infinity.
            self.standard_minutes = self
                .standard_minutes
                .min(MAX_STANDARD_FACTOR * scn.service.standard_time_minutes);
        }

        // ISQ stocks.
        let headcount = self.employees.headcount() as f64;
        let capex_amount = i.tools_capex_per_site_per_week * self.policy.tools_factor;
        let capex = Money::from_currency(capex_amount);
        self.depreciation.buy(capex);
        self.tools = (self.tools * half(i.tools_half_life_weeks)
            + capex_amount * i.tools_points_per_currency)
            .clamp(0.0, 100.0);
        self.skills = (self.skills * half(i.skills_half_life_weeks)
            + i.skills_budget_per_employee_per_week
                * self.policy.training_factor
                * i.skills_points_per_currency)
            .clamp(0.0, 100.0);
        self.leadership_development *= half(i.leadership_half_life_weeks);
        self.staffing += (50.0 * (1.0 - wp) - self.staffing).clamp(-100.0, 100.0)
            / i.staffing_smoothing_weeks.max(1.0);
        self.update_isq(ctx);

        // People.
        let pay = self.pay_fairness(ctx);
        let learn_tau = if l.skills_to_service {
            e.learning_time_constant_weeks * (1.5 - self.skills / 100.0)
        } else {
            e.learning_time_constant_weeks
        };
        let display_decay = half(e.display_training_half_life_weeks);
        let mut changes = Vec::new();
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
        changes.extend(self.draw_quits(ctx));

        // Management's desired headcount follows perceived demand and productivity, with delays.
        let tau = e.headcount_perception_weeks.max(1.0);
        self.offered_hours_smoothed += (offered_hours - self.offered_hours_smoothed) / tau;
        self.productivity_smoothed += (self.mean_speed(ctx) - self.productivity_smoothed) / tau;
        let open_days = f64::from(scn.clock.open_days_per_week);
        let hours_per_employee = ctx.shift_hours * open_days * (1.0 - e.absence_probability);
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
        let staying = slots
            .iter()
            .filter(|&&k| !self.employees.leaving[k])
            .count() as u32;
        let gap = self
            .desired_headcount
            .saturating_sub(staying + self.pending_hires);
        for v in 0..u64::from(gap) {
            let word = encounter_word(self.hiring_key, (u64::from(week) << 20) | v, 0);
            let weeks = exp1(word) * e.hiring_delay_weeks;
            changes.push(StaffChange::Hire {
                days: ((weeks * 7.0).round() as u64).max(1),
            });
            self.pending_hires += 1;
        }

        // Acquisition: marketing and referrals, deterred by negative word of mouth.
        let c = &scn.customers;
        let market = self.customers.market() as f64;
        let available = self.customers.prospects.len() as f64 / market.max(1.0);
        let (positive, negative) = if l.word_of_mouth {
            (self.tally.wom_positive, self.tally.wom_negative)
        } else {
            (0.0, 0.0)
        };
        let marketing_rate = c.marketing_customers_per_site_per_week + self.policy.extra_marketing;
        let paid_mean = marketing_rate
            * available
            * (-c.deterrence_per_mention_per_person * negative / market.max(1.0)).exp();
        let referral_mean = positive * c.referral_conversion * available;
        // Counts from words of this week, and prospects join in the order of their own keys:
        // every arm draws the same numbers whatever happened before (common random numbers).
        let week_word =
            |lane| WordRng::new(encounter_word(self.acquisition_key, u64::from(week), lane));
        let paid = poisson(&mut week_word(0), paid_mean);
        let referred = poisson(&mut week_word(1), referral_mean);
        let joining = self.next_prospects(paid.saturating_add(referred) as usize);
        let mut acquired_paid = 0u64;
        for (k, slot) in joining.into_iter().enumerate() {
            let is_referral = k as u64 >= paid;
            let bonus = |b: f64| if is_referral { b } else { 0.0 };
            self.customers.set_active(slot, true);
            let cust = &mut self.customers.slots[slot];
            cust.satisfaction =
                (c.satisfaction_initial + bonus(c.referral_satisfaction_bonus)).clamp(0.0, 100.0);
            cust.expectation =
                (c.expectation_initial + bonus(c.referral_expectation_bonus)).clamp(0.0, 100.0);
            cust.joined_week = week + 1;
            cust.loss_cause = 0;
            cust.generation += 1;
            self.tally.acquired += 1.0;
            if is_referral {
                self.tally.referred += 1.0;
            } else {
                acquired_paid += 1;
            }
        }

        // The week's money.
        let scheduled_hours = headcount * ctx.shift_hours * open_days;
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
        let tooling = self.depreciation.charge_week();
        self.post(Line::Tooling, tooling);
        self.cumulative_profit_cents += self.tally.money.profit().cents();

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
        let top = c.top_box_threshold;
        // One pass over the market: each record is its own cache line.
        let spend = &ctx.spend_cents_by_tenure;
        // Counted in registers (the sum in the same order, so the same number).
        let (mut customers, mut top_box, mut promoters, mut detractors) = (0u32, 0u32, 0u32, 0u32);
        let mut satisfaction_sum = t.satisfaction_sum;
        for cust in &mut self.customers.slots {
            if cust.active {
                let s = cust.satisfaction;
                customers += 1;
                satisfaction_sum += s;
                top_box += u32::from(s >= top);
                promoters += u32::from(s >= 85.0);
                detractors += u32::from(s < 65.0);
                refresh_spend(spend, cust, week + 1);
            }
        }
        t.satisfaction_sum = satisfaction_sum;
        t.customers += f64::from(customers);
        t.top_box += f64::from(top_box);
        t.promoters += f64::from(promoters);
        t.detractors += f64::from(detractors);
        t.cumulative_profit_cents = self.cumulative_profit_cents;
        t.invested_cents = self.invested_cents;
        self.invested_cents = 0;
        t.busy_hours = self.busy_seconds as f64 / 3600.0;
        self.busy_seconds = 0;
        self.effective_hours = 0.0;
        self.clearing_overtime_seconds = 0;
        (t, changes)
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

    /// Closes the month: returns its lines and starts a new month.
    pub fn close_month(&mut self) -> Lines {
        std::mem::take(&mut self.month)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn churn_is_flat_in_the_middle_and_falls_steeply_at_the_top() {
        let s = Scenario::default();
        let ctx = Context::new(&s, false);
        let h = |sat: f64| ctx.churn_by_satisfaction[(sat * 10.0) as usize];
        let c = &s.customers;
        assert!(
            (h(60.0) - c.churn_middle_per_year).abs() < 0.01,
            "flat middle: {}",
            h(60.0)
        );
        assert!((h(55.0) - h(65.0)).abs() < 0.01);
        assert!(
            h(95.0) < 0.3 * h(70.0),
            "apostles stay: {} vs {}",
            h(95.0),
            h(70.0)
        );
        assert!(
            h(20.0) > 3.0 * h(60.0),
            "terrorists leave: {} vs {}",
            h(20.0),
            h(60.0)
        );

        let mut flat = Scenario::default();
        flat.links.satisfaction_to_churn = false;
        let ctx = Context::new(&flat, false);
        assert!(
            ctx.churn_by_satisfaction
                .iter()
                .all(|&x| x == c.churn_middle_per_year)
        );
    }

    /// Arrivals as the one-at-a-time loop drew them: for each, the gap to the next, then its
    /// slot; prospects numbered but dropped.
    fn reference_arrivals(site: &Site, close: u64) -> (Vec<(u64, usize, u64)>, Stream) {
        let mut rng = site.streams.arrivals.clone();
        let (mut t, mut number, mut kept) = (site.pending_arrival, site.arrivals_drawn, vec![]);
        while t < close {
            let following = arrival_after(&mut rng, t, site.mean_gap_seconds, close);
            let slot = site.alias.pick(rng.next_u64());
            if site.customers.slots[slot].active {
                kept.push((t, slot, number));
            }
            number += 1;
            t = following;
        }
        (kept, rng)
    }

    #[test]
    fn batched_arrivals_are_the_one_at_a_time_arrivals() {
        let mut s = Scenario::default();
        // A market with many prospects, so that dropping them is exercised.
        s.sites.customers_per_site = 1_000;
        s.sites.market_per_site = 3_000;
        s.demand.visits_per_customer_per_week = 10.0;
        let ctx = Context::new(&s, false);
        let mut site = Site::new(&ctx, 7, 3, 1);
        site.set_demand(1.0);
        for day in 0..3u64 {
            let (open, close) = (day * 86_400 + 8 * 3_600, day * 86_400 + 20 * 3_600);
            site.start_shift(&ctx, open, close);
            let (expected, mut rng) = reference_arrivals(&site, close);
            let mut got = Vec::new();
            loop {
                if site.batch.next == site.batch.len {
                    if site.pending_arrival >= close {
                        break;
                    }
                    site.refill();
                    continue;
                }
                let i = site.batch.next;
                let b = &site.batch;
                got.push((b.at[i], b.slot[i] as usize, b.number[i]));
                site.batch.next += 1;
            }
            assert!(expected.len() > BATCH, "several chunks: {}", expected.len());
            assert_eq!(got, expected, "day {day}");
            // The stream is left where the one-at-a-time loop left it.
            assert_eq!(site.streams.arrivals.next_u64(), rng.next_u64());
            site.end_shift(close);
        }
    }

    #[test]
    fn bookkeeping_mirrors_follow_the_records() {
        let s = Scenario::default();
        let ctx = Context::new(&s, false);
        let mut site = Site::new(&ctx, 11, 0, 0);
        for day in 0..14u32 {
            if day % 7 == 0 {
                site.set_demand(1.0);
            }
            let base = u64::from(day) * 86_400;
            site.start_shift(&ctx, base + 8 * 3_600, base + 20 * 3_600);
            site.advance_to(&ctx, base + 20 * 3_600);
            site.end_shift(base + 20 * 3_600);
            if day % 7 == 6 {
                let _ = site.weekly_review(&ctx, day / 7);
            }
            let c = &site.customers;
            for (k, slot) in c.slots.iter().enumerate() {
                assert_eq!(c.is_active(k), slot.active, "slot {k}, day {day}");
            }
            for &p in &c.prospects {
                let (slot, generation) = (p.slot as usize, c.slots[p.slot as usize].generation);
                assert_eq!(p, prospect(site.acquisition_key, slot, generation));
            }
        }
        // Both ways a slot changes were taken: some customers were lost, some prospects joined.
        assert!(site.encounters > 0);
        assert!(site.customers.slots.iter().any(|c| c.loss_cause > 0));
        assert!(site.customers.slots.iter().any(|c| c.generation > 0));
    }
}
