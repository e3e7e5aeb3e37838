//! One replication of one arm: the calendar of coarse events (shifts, reviews, month ends,
//! quits, hires, demand shocks) driving the sites' encounter loops.
//!
//! A replication runs in two phases. The **warm-up** (`scenario.warmup_weeks`) brings every
//! stock of the baseline world (morale, satisfaction, expectations, fatigue, the service
//! standard, staffing) to its steady state from the scenario's starting values, with the customer
//! base held at its starting size; it is the same for every arm, is excluded from every output,
//! and ends by setting the paid inflow of customers that keeps the base steady (unless the
//! scenario gives one). The **reported horizon** (`weeks`) then runs each arm: its links and its
//! interventions act from week 0. Because the warm-up is common to the arms, it runs once per
//! replication and every arm starts from a copy of its end ([`WarmStart`]).

mod calendar;

use super::metrics::WeekTally;
use super::site::{Context, EncounterRecord, PolicyAction, Site};
use crate::engine::SimTime;
use crate::ledger::Lines;
use crate::scenario::Scenario;

pub use calendar::WarmStart;

/// The events of the calendar. Encounters (arrive, start, end, abandon) run inside each site's
/// loop between calendar events; see [`Site`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A day begins: shifts start at open sites.
    DayStart(u32),
    /// Shifts end on day `0`: arrivals stop, queued customers are still served.
    ShiftEnd(u32),
    /// The weekly review of week `0`.
    WeeklyReview(u32),
    /// Month `0` closes.
    MonthEnd(u32),
    /// An employee quits.
    Quit {
        /// Site index.
        site: u32,
        /// Employee slot.
        employee: u32,
    },
    /// A vacancy is filled: a new hire arrives.
    HireArrives {
        /// Site index.
        site: u32,
    },
    /// A demand shock starts (`true`) or ends (`false`); index into the scenario's shocks.
    DemandShock(u32, bool),
    /// A policy intervention fires, starts or ends at every site it targets.
    Policy {
        /// Index of the intervention in the arm's schedule.
        key: u32,
        /// What happens.
        action: PolicyAction,
    },
}

/// What one replication of one arm produced (the reported horizon; the warm-up only through
/// `lead_in` and `warmup_encounters`).
#[derive(Debug, Clone)]
pub struct ReplicationOutcome {
    /// Tallies by reported week, then by site.
    pub weekly: Vec<Vec<WeekTally>>,
    /// The last warm-up weeks' tallies (up to [`super::Metric::TRAILING_WEEKS`] - 1 of them), by
    /// week then site: what the trailing windows of the first reported weeks reach back to.
    pub lead_in: Vec<Vec<WeekTally>>,
    /// Weeks of warm-up before week 0.
    pub warmup_weeks: u32,
    /// Encounters simulated in the warm-up (shared by every arm of the replication).
    pub warmup_encounters: u64,
    /// Ledger lines by month, then by site.
    pub monthly: Vec<Vec<Lines>>,
    /// Encounters simulated over the reported horizon (served and abandoned).
    pub encounters: u64,
    /// Events popped from the calendar.
    pub events: u64,
    /// Every encounter per site, when tracing.
    pub trace: Vec<Vec<EncounterRecord>>,
    /// Every event time popped, in order, when tracing.
    pub event_times: Vec<SimTime>,
    /// Hires per site over the run.
    pub hires: Vec<u64>,
}

/// Month of a week: 12 months over 52 weeks.
pub fn month_of_week(week: u32) -> u32 {
    week * 12 / 52
}

/// One replication of one arm, ready to run: which scenario, arm, seed, replication and horizon.
/// Every arm of a replication draws from the same streams: common random numbers.
///
/// ```
/// use chainsim::model::Replication;
/// use chainsim::scenario::Scenario;
/// let mut s = Scenario::default();
/// s.sites.count = 1;
/// let out = Replication::new(&s, 7, 0).weeks(2).run();
/// assert_eq!(out.weekly.len(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Replication<'a> {
    scenario: &'a Scenario,
    arm: usize,
    seed: u64,
    index: u64,
    weeks: u32,
    trace: bool,
}

impl<'a> Replication<'a> {
    /// Replication `index` of `scenario`'s baseline arm under master seed `seed`, over the
    /// scenario's own horizon.
    pub fn new(scenario: &'a Scenario, seed: u64, index: u64) -> Replication<'a> {
        Replication {
            scenario,
            arm: scenario.baseline_index(),
            seed,
            index,
            weeks: scenario.weeks,
            trace: false,
        }
    }

    /// The same replication of arm `arm` (an index into the scenario's arms).
    pub fn arm(self, arm: usize) -> Replication<'a> {
        Replication { arm, ..self }
    }

    /// The same replication over `weeks` weeks.
    pub fn weeks(self, weeks: u32) -> Replication<'a> {
        Replication { weeks, ..self }
    }

    /// The same replication keeping every encounter and event time (for tests).
    pub fn traced(self) -> Replication<'a> {
        Replication {
            trace: true,
            ..self
        }
    }

    /// Runs it.
    pub fn run(&self) -> ReplicationOutcome {
        self.run_probed(&mut ())
    }

    /// Runs it with a [`Probe`] looking on after every reported weekly review.
    pub fn run_probed(&self, probe: &mut dyn Probe) -> ReplicationOutcome {
        self.warm_up().into_arm(self.arm, probe)
    }

    /// Runs the warm-up, common to every arm: the state each arm's horizon starts from.
    pub fn warm_up(&self) -> WarmStart<'a> {
        WarmStart::new(self.scenario, self.seed, self.index, self.weeks, self.trace)
    }
}

/// Looks at the sites' agents after every weekly review: how experiments (e.g. `validate`)
/// measure what the weekly tallies do not hold, such as a cohort's fate, without changing the run.
pub trait Probe {
    /// Called after the review of `week`, with every site's state.
    fn after_review(&mut self, ctx: &Context, week: u32, sites: &[Site]);
}

/// The probe that looks at nothing.
impl Probe for () {
    fn after_review(&mut self, _: &Context, _: u32, _: &[Site]) {}
}
