//! One replication of one arm: the calendar of coarse events (shifts, reviews, month ends,
//! quits, hires, demand shocks) driving the sites' encounter loops.

use super::metrics::WeekTally;
use super::site::{Context, EncounterRecord, PolicyAction, Site, StaffChange};
use crate::engine::{EventQueue, SimTime};
use crate::ledger::Lines;
use crate::scenario::Scenario;

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

/// What one replication of one arm produced.
#[derive(Debug, Clone)]
pub struct ReplicationOutcome {
    /// Tallies by week, then by site.
    pub weekly: Vec<Vec<WeekTally>>,
    /// Ledger lines by month, then by site.
    pub monthly: Vec<Vec<Lines>>,
    /// Encounters simulated (served and abandoned).
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

    /// Runs it with a [`Probe`] looking on after every weekly review.
    pub fn run_probed(&self, probe: &mut dyn Probe) -> ReplicationOutcome {
        simulate(self, probe)
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

/// The calendar loop of one replication.
fn simulate(r: &Replication, probe: &mut dyn Probe) -> ReplicationOutcome {
    let (scenario, arm, seed, replication, weeks, trace) =
        (r.scenario, r.arm, r.seed, r.index, r.weeks, r.trace);
    // An arm that switches links off runs on its own copy of the scenario.
    let own;
    let scenario = match scenario.arms.get(arm) {
        Some(a) if a.links != crate::scenario::Links::default() => {
            let mut s = scenario.clone();
            s.links = s.links.and(&a.links);
            own = s;
            &own
        }
        _ => scenario,
    };
    let ctx = Context::new(scenario, trace);
    let interventions = scenario
        .arms
        .get(arm)
        .map_or(&[][..], |a| &a.interventions[..]);
    // What each week's start brings: one-off firings, continuing starts and ends.
    let mut schedule: Vec<Vec<(usize, PolicyAction)>> = vec![Vec::new(); weeks as usize + 1];
    for (k, iv) in interventions.iter().enumerate() {
        if iv.lever.is_one_off() {
            for w in iv.firings(weeks) {
                schedule[w as usize].push((k, PolicyAction::Fire));
            }
        } else if iv.start_week < weeks {
            schedule[iv.start_week as usize].push((k, PolicyAction::Start));
            if let Some(end) = iv.end_week.filter(|&e| e < weeks) {
                schedule[end as usize].push((k, PolicyAction::End));
            }
        }
    }
    let clock = &scenario.clock;
    let mut sites: Vec<Site> = (0..scenario.sites.count as usize)
        .map(|i| Site::new(&ctx, seed, replication, i))
        .collect();
    let mut queue = EventQueue::new();
    let push = |q: &mut EventQueue<Event>, t: SimTime, e: Event| {
        q.push(t, e)
            .unwrap_or_else(|err| panic!("model scheduled an event in the past: {err}"));
    };
    // Each week's policies are pushed just before its first day starts, so they act from it.
    for &(key, action) in &schedule[0] {
        push(
            &mut queue,
            SimTime(0),
            Event::Policy {
                key: key as u32,
                action,
            },
        );
    }
    push(&mut queue, SimTime(0), Event::DayStart(0));
    push(&mut queue, SimTime::week_start(1), Event::WeeklyReview(0));
    for (k, shock) in scenario.demand.shocks.iter().enumerate() {
        if shock.start_week < weeks {
            push(
                &mut queue,
                SimTime::week_start(u64::from(shock.start_week)),
                Event::DemandShock(k as u32, true),
            );
            push(
                &mut queue,
                SimTime::week_start(u64::from(shock.start_week + shock.weeks)),
                Event::DemandShock(k as u32, false),
            );
        }
    }
    let total_days = weeks * 7;
    let mut shock_active = vec![false; scenario.demand.shocks.len()];
    let mut shock_factor = 1.0;
    let season = |week: u32| {
        let d = &scenario.demand;
        let phase = (f64::from(week % 52) - f64::from(d.seasonality_peak_week)) / 52.0;
        1.0 + d.seasonality_amplitude * (std::f64::consts::TAU * phase).cos()
    };
    for s in &mut sites {
        s.set_demand(season(0));
        // Week 0's quits, drawn as every later week's are at the review before it.
        for change in s.draw_quits(&ctx) {
            if let StaffChange::Quit { employee, .. } = change {
                let at = Site::staff_change_time(SimTime(0), change, clock.close_minute);
                push(
                    &mut queue,
                    at,
                    Event::Quit {
                        site: s.index as u32,
                        employee,
                    },
                );
            }
        }
    }

    let mut out = ReplicationOutcome {
        weekly: Vec::with_capacity(weeks as usize),
        monthly: Vec::new(),
        encounters: 0,
        events: 0,
        trace: Vec::new(),
        event_times: Vec::new(),
        hires: vec![0; sites.len()],
    };
    while let Some((now, event)) = queue.pop() {
        out.events += 1;
        if trace {
            out.event_times.push(now);
        }
        let week = now.week().min(u64::from(weeks.saturating_sub(1))) as u32;
        for s in &mut sites {
            s.advance_to(&ctx, now);
        }
        match event {
            Event::DayStart(day) => {
                if day % 7 < clock.open_days_per_week {
                    let base = SimTime::day_start(u64::from(day)).seconds();
                    let open = SimTime(base + u64::from(clock.open_minute) * SimTime::MINUTE);
                    let close = SimTime(base + u64::from(clock.close_minute) * SimTime::MINUTE);
                    for s in &mut sites {
                        s.start_shift(&ctx, open, close);
                    }
                    // Pushed before the next day's start so that a shift ending at midnight
                    // (a site open round the clock) hands over before the next one begins.
                    push(&mut queue, close, Event::ShiftEnd(day));
                }
                // A week's first day is pushed by the review before it, after that week's policies.
                if day + 1 < total_days && (day + 1) % 7 != 0 {
                    push(
                        &mut queue,
                        SimTime::day_start(u64::from(day) + 1),
                        Event::DayStart(day + 1),
                    );
                }
            }
            Event::ShiftEnd(day) => {
                let close = SimTime(
                    SimTime::day_start(u64::from(day)).seconds()
                        + u64::from(clock.close_minute) * SimTime::MINUTE,
                );
                for s in &mut sites {
                    s.end_shift(close);
                }
            }
            Event::WeeklyReview(w) => {
                let mut row = Vec::with_capacity(sites.len());
                for s in &mut sites {
                    let (tally, changes) = s.weekly_review(&ctx, w);
                    row.push(tally);
                    for change in changes {
                        let at = Site::staff_change_time(now, change, clock.close_minute);
                        let event = match change {
                            StaffChange::Quit { employee, .. } => Event::Quit {
                                site: s.index as u32,
                                employee,
                            },
                            StaffChange::Hire { .. } => Event::HireArrives {
                                site: s.index as u32,
                            },
                        };
                        push(&mut queue, at, event);
                    }
                }
                out.weekly.push(row);
                probe.after_review(&ctx, w, &sites);
                let last = w + 1 == weeks;
                if last || month_of_week(w + 1) != month_of_week(w) {
                    push(&mut queue, now, Event::MonthEnd(month_of_week(w)));
                }
                if !last {
                    for &(key, action) in &schedule[w as usize + 1] {
                        push(
                            &mut queue,
                            now,
                            Event::Policy {
                                key: key as u32,
                                action,
                            },
                        );
                    }
                    push(&mut queue, now, Event::DayStart((w + 1) * 7));
                    push(
                        &mut queue,
                        SimTime::week_start(u64::from(w) + 2),
                        Event::WeeklyReview(w + 1),
                    );
                    for s in &mut sites {
                        s.set_demand(season(w + 1) * shock_factor);
                    }
                }
            }
            Event::MonthEnd(_) => {
                out.monthly
                    .push(sites.iter_mut().map(Site::close_month).collect());
                if out.weekly.len() == weeks as usize {
                    break;
                }
            }
            Event::Quit { site, employee } => sites[site as usize].quit(&ctx, employee),
            Event::HireArrives { site } => {
                out.hires[site as usize] += 1;
                sites[site as usize].hire_arrives(&ctx, now);
            }
            Event::Policy { key, action } => {
                let iv = &interventions[key as usize];
                for s in sites.iter_mut().filter(|s| iv.targets(s.index)) {
                    s.apply_policy(&ctx, key as usize, iv, action);
                }
            }
            Event::DemandShock(k, starts) => {
                shock_active[k as usize] = starts;
                shock_factor = scenario
                    .demand
                    .shocks
                    .iter()
                    .zip(&shock_active)
                    .filter(|(_, on)| **on)
                    .map(|(s, _)| s.multiplier)
                    .product();
                for s in &mut sites {
                    s.set_demand(season(week) * shock_factor);
                }
            }
        }
    }
    out.encounters = sites.iter().map(|s| s.encounters).sum();
    if trace {
        out.trace = sites.into_iter().map(|s| s.trace).collect();
    }
    out
}
