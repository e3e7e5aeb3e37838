//! The calendar loop: coarse events popped in time order (ties in the order pushed), each site's
//! encounter loop advanced to every event, the warm-up and then an arm's reported horizon.

use super::{Event, Probe, ReplicationOutcome, month_of_week};
use crate::engine::{EventQueue, SimTime};
use crate::model::metrics::{Metric, WeekTally};
use crate::model::site::{Context, PolicyAction, Site, StaffChange};
use crate::scenario::{Intervention, Scenario};

/// Which phase of a replication the calendar is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before week 0: no interventions, nothing reported.
    WarmUp,
    /// The reported horizon of one arm.
    Report,
}

/// The world at the end of a replication's warm-up (or at its start, with no warm-up): every
/// site, the calendar, and what the first reported weeks need of the past. Every arm of the
/// replication starts from a copy of it: common random numbers from week 0 on.
#[derive(Clone)]
pub struct WarmStart<'a> {
    scenario: &'a Scenario,
    seed: u64,
    replication: u64,
    sites: Vec<Site>,
    queue: EventQueue<Event>,
    shock_active: Vec<bool>,
    shock_factor: f64,
    /// Weeks of warm-up.
    warmup: u32,
    /// Weeks reported.
    weeks: u32,
    trace: bool,
    lead_in: Vec<Vec<WeekTally>>,
    events: u64,
    event_times: Vec<SimTime>,
    hires: Vec<u64>,
    warmup_encounters: u64,
}

impl std::fmt::Debug for WarmStart<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WarmStart")
            .field("seed", &self.seed)
            .field("replication", &self.replication)
            .field("warmup", &self.warmup)
            .field("weeks", &self.weeks)
            .finish_non_exhaustive()
    }
}

/// Pushes an event; the model never schedules into the past, so a failure is a bug.
fn push(q: &mut EventQueue<Event>, t: SimTime, e: Event) {
    q.push(t, e)
        .unwrap_or_else(|err| panic!("model scheduled an event in the past: {err}"));
}

/// The seasonal demand factor of reported week `week` (negative in the warm-up).
fn season(scenario: &Scenario, week: i64) -> f64 {
    let d = &scenario.demand;
    let phase = (week.rem_euclid(52) as f64 - f64::from(d.seasonality_peak_week)) / 52.0;
    1.0 + d.seasonality_amplitude * (std::f64::consts::TAU * phase).cos()
}

/// The scenario an arm runs on: its own copy when the arm switches links off.
fn arm_scenario(scenario: &Scenario, arm: usize) -> std::borrow::Cow<'_, Scenario> {
    match scenario.arms.get(arm) {
        Some(a) if a.links != crate::scenario::Links::default() => {
            let mut s = scenario.clone();
            s.links = s.links.and(&a.links);
            std::borrow::Cow::Owned(s)
        }
        _ => std::borrow::Cow::Borrowed(scenario),
    }
}

/// What each reported week's start brings: one-off firings, continuing starts and ends.
fn schedule(interventions: &[Intervention], weeks: u32) -> Vec<Vec<(usize, PolicyAction)>> {
    let mut schedule = vec![Vec::new(); weeks as usize + 1];
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
    schedule
}

impl<'a> WarmStart<'a> {
    /// Builds replication `replication` of `scenario`'s baseline world and runs its warm-up.
    pub(in crate::model) fn new(
        scenario: &'a Scenario,
        seed: u64,
        replication: u64,
        weeks: u32,
        trace: bool,
    ) -> WarmStart<'a> {
        let ctx = Context::new(scenario, trace);
        let warmup = scenario.warmup_weeks;
        let mut sites: Vec<Site> = (0..scenario.sites.count as usize)
            .map(|i| Site::new(&ctx, seed, replication, i))
            .collect();
        for s in &mut sites {
            s.begin_warm_up(warmup);
        }
        let mut w = WarmStart {
            scenario,
            seed,
            replication,
            hires: vec![0; sites.len()],
            sites,
            queue: EventQueue::new(),
            shock_active: vec![false; scenario.demand.shocks.len()],
            shock_factor: 1.0,
            warmup,
            weeks,
            trace,
            lead_in: Vec::new(),
            events: 0,
            event_times: Vec::new(),
            warmup_encounters: 0,
        };
        for (k, shock) in scenario.demand.shocks.iter().enumerate() {
            if shock.start_week < weeks {
                let start = u64::from(warmup + shock.start_week);
                push(
                    &mut w.queue,
                    SimTime::week_start(start),
                    Event::DemandShock(k as u32, true),
                );
                push(
                    &mut w.queue,
                    SimTime::week_start(start + u64::from(shock.weeks)),
                    Event::DemandShock(k as u32, false),
                );
            }
        }
        let close_minute = scenario.clock.close_minute;
        for s in &mut w.sites {
            // Week 0's quits, drawn as every later week's are at the review before it.
            for change in s.draw_quits(&ctx) {
                if let StaffChange::Quit { employee, .. } = change {
                    let at = Site::staff_change_time(SimTime(0), change, close_minute);
                    push(
                        &mut w.queue,
                        at,
                        Event::Quit {
                            site: s.index as u32,
                            employee,
                        },
                    );
                }
            }
        }
        if warmup > 0 {
            w.begin_week(&[], 0, SimTime(0));
            let mut out = ReplicationOutcome::empty();
            w.run(&ctx, &[], &[], Phase::WarmUp, &mut out, &mut ());
            w.warmup_encounters = w.sites.iter().map(|s| s.encounters).sum();
            for s in &mut w.sites {
                s.end_warm_up(&ctx);
            }
        }
        w
    }

    /// Runs arm `arm`'s reported horizon from a copy of this start, with `probe` looking on
    /// after every reported weekly review.
    pub fn run_arm(&self, arm: usize, probe: &mut dyn Probe) -> ReplicationOutcome {
        self.clone().into_arm(arm, probe)
    }

    /// Runs arm `arm`'s reported horizon from this start itself, without copying it: a world's
    /// customers are most of its memory, and the last arm of a replication needs no copy.
    pub fn into_arm(self, arm: usize, probe: &mut dyn Probe) -> ReplicationOutcome {
        let mut w = self;
        let scenario = arm_scenario(w.scenario, arm);
        let ctx = Context::new(&scenario, w.trace);
        let interventions = scenario
            .arms
            .get(arm)
            .map_or(&[][..], |a| &a.interventions[..]);
        let schedule = schedule(interventions, w.weeks);
        for s in &mut w.sites {
            s.enter_arm(&ctx);
        }
        let start = SimTime::week_start(u64::from(w.warmup));
        w.begin_week(&schedule, w.warmup, start);
        let mut out = ReplicationOutcome::empty();
        out.weekly.reserve(w.weeks as usize);
        w.run(
            &ctx,
            interventions,
            &schedule,
            Phase::Report,
            &mut out,
            probe,
        );
        out.lead_in = w.lead_in;
        out.warmup_weeks = w.warmup;
        out.warmup_encounters = w.warmup_encounters;
        out.encounters = w.sites.iter().map(|s| s.encounters).sum::<u64>() - w.warmup_encounters;
        out.events = w.events;
        out.event_times = w.event_times;
        out.hires = w.hires;
        if w.trace {
            out.trace = w.sites.into_iter().map(|s| s.trace).collect();
        }
        out
    }

    /// Starts calendar week `week` at `now`: its policies (in the reported horizon) act before
    /// its first day, then its first day, its review at the week's end, and its demand.
    fn begin_week(&mut self, schedule: &[Vec<(usize, PolicyAction)>], week: u32, now: SimTime) {
        if let Some(reported) = week.checked_sub(self.warmup) {
            for &(key, action) in &schedule[reported as usize] {
                push(
                    &mut self.queue,
                    now,
                    Event::Policy {
                        key: key as u32,
                        action,
                    },
                );
            }
        }
        push(&mut self.queue, now, Event::DayStart(week * 7));
        push(
            &mut self.queue,
            SimTime::week_start(u64::from(week) + 1),
            Event::WeeklyReview(week),
        );
        let factor =
            season(self.scenario, i64::from(week) - i64::from(self.warmup)) * self.shock_factor;
        for s in &mut self.sites {
            s.set_demand(factor);
        }
    }

    /// Pops and handles events until the phase ends: the warm-up's last review, or the
    /// reported horizon's last month end.
    fn run(
        &mut self,
        ctx: &Context,
        interventions: &[Intervention],
        schedule: &[Vec<(usize, PolicyAction)>],
        phase: Phase,
        out: &mut ReplicationOutcome,
        probe: &mut dyn Probe,
    ) {
        let clock = &ctx.scenario.clock;
        let (warmup, weeks) = (self.warmup, self.weeks);
        let total_days = (warmup + weeks) * 7;
        let last_week = warmup + weeks - 1;
        while let Some((now, event)) = self.queue.pop() {
            self.events += 1;
            if self.trace {
                self.event_times.push(now);
            }
            // Sites share nothing between firm-wide events: one site's own event (a quit, a
            // hire) needs only that site brought up to it, so a firm of many sites does not pay
            // for every site at every site's event.
            match event {
                Event::Quit { site, .. } | Event::HireArrives { site } => {
                    self.sites[site as usize].advance_to(ctx, now);
                }
                _ => self.sites.iter_mut().for_each(|s| s.advance_to(ctx, now)),
            }
            match event {
                Event::DayStart(day) => {
                    if day % 7 < clock.open_days_per_week {
                        let base = SimTime::day_start(u64::from(day)).seconds();
                        let open = SimTime(base + u64::from(clock.open_minute) * SimTime::MINUTE);
                        let close = SimTime(base + u64::from(clock.close_minute) * SimTime::MINUTE);
                        for s in &mut self.sites {
                            s.start_shift(ctx, open, close);
                        }
                        // Pushed before the next day's start so that a shift ending at midnight
                        // (a site open round the clock) hands over before the next one begins.
                        push(&mut self.queue, close, Event::ShiftEnd(day));
                    }
                    // A week's first day is pushed when the week begins, after its policies.
                    if day + 1 < total_days && (day + 1) % 7 != 0 {
                        push(
                            &mut self.queue,
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
                    for s in &mut self.sites {
                        s.end_shift(close);
                    }
                }
                Event::WeeklyReview(week) => {
                    let mut row = Vec::with_capacity(self.sites.len());
                    for s in &mut self.sites {
                        let (tally, changes) = s.weekly_review(ctx, week);
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
                            push(&mut self.queue, at, event);
                        }
                    }
                    match phase {
                        Phase::WarmUp => {
                            // The trailing windows of the first reported weeks reach back here.
                            self.lead_in.push(row);
                            let keep = Metric::TRAILING_WEEKS - 1;
                            if self.lead_in.len() > keep {
                                self.lead_in.remove(0);
                            }
                            if week + 1 == warmup {
                                // The arm's horizon begins the next week (see `run_arm`).
                                return;
                            }
                            self.begin_week(schedule, week + 1, now);
                        }
                        Phase::Report => {
                            let reported = week - warmup;
                            out.weekly.push(row);
                            probe.after_review(ctx, reported, &self.sites);
                            let last = week == last_week;
                            if last || month_of_week(reported + 1) != month_of_week(reported) {
                                push(
                                    &mut self.queue,
                                    now,
                                    Event::MonthEnd(month_of_week(reported)),
                                );
                            }
                            if !last {
                                self.begin_week(schedule, week + 1, now);
                            }
                        }
                    }
                }
                Event::MonthEnd(_) => {
                    out.monthly
                        .push(self.sites.iter_mut().map(Site::close_month).collect());
                    if out.weekly.len() == weeks as usize {
                        break;
                    }
                }
                Event::Quit { site, employee } => self.sites[site as usize].quit(ctx, employee),
                Event::HireArrives { site } => {
                    if phase == Phase::Report {
                        self.hires[site as usize] += 1;
                    }
                    self.sites[site as usize].hire_arrives(ctx, now);
                }
                Event::Policy { key, action } => {
                    let iv = &interventions[key as usize];
                    for s in self.sites.iter_mut().filter(|s| iv.targets(s.index)) {
                        s.apply_policy(ctx, key as usize, iv, action);
                    }
                }
                Event::DemandShock(k, starts) => {
                    self.shock_active[k as usize] = starts;
                    self.shock_factor = ctx
                        .scenario
                        .demand
                        .shocks
                        .iter()
                        .zip(&self.shock_active)
                        .filter(|(_, on)| **on)
                        .map(|(s, _)| s.multiplier)
                        .product();
                    let week = now.week().min(u64::from(last_week)) as i64;
                    let factor = season(ctx.scenario, week - i64::from(warmup)) * self.shock_factor;
                    for s in &mut self.sites {
                        s.set_demand(factor);
                    }
                }
            }
        }
    }
}

impl ReplicationOutcome {
    /// An outcome with nothing in it yet.
    fn empty() -> ReplicationOutcome {
        ReplicationOutcome {
            weekly: Vec::new(),
            lead_in: Vec::new(),
            warmup_weeks: 0,
            warmup_encounters: 0,
            monthly: Vec::new(),
            encounters: 0,
            events: 0,
            trace: Vec::new(),
            event_times: Vec::new(),
            hires: Vec::new(),
        }
    }
}
