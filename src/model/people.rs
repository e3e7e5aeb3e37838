//! Agent state of one site: employees as struct-of-arrays, customers as one record a slot
//! (the encounter loop reads a customer's fields together). Slots are reused:
//! a quit frees an employee slot for a hire, a lost customer's slot becomes a prospect again.

use super::prospects::ProspectQueue;

/// Employees of one site, one entry per slot.
#[derive(Debug, Clone, Default)]
pub struct Employees {
    /// Whether the slot holds an employee.
    pub(crate) employed: Vec<bool>,
    /// Whether the employee has a quit scheduled.
    pub(crate) leaving: Vec<bool>,
    /// Morale, 0-100.
    pub(crate) morale: Vec<f64>,
    /// Effectiveness relative to an experienced employee (learning curve), 0-1.
    pub(crate) effectiveness: Vec<f64>,
    /// Work intensity smoothed over weeks (short fatigue), 1 = normal.
    pub(crate) fatigue_short: Vec<f64>,
    /// Work intensity smoothed over a year (long fatigue), 1 = normal.
    pub(crate) fatigue_long: Vec<f64>,
    /// Emotional strain from surface acting, points.
    pub(crate) strain: Vec<f64>,
    /// Display-rule (smile) training level, points added to the display demand.
    pub(crate) display_training: Vec<f64>,
    /// Weeks since hire.
    pub(crate) tenure_weeks: Vec<f64>,
    /// When the employee's current service ends, seconds (carried across shifts).
    pub(crate) busy_until: Vec<u64>,
    /// Customers served this week.
    pub(crate) served: Vec<u32>,
    /// Sum of served customers' evaluations this week (the mirror).
    pub(crate) evaluation_sum: Vec<f64>,
    /// Mean evaluation of the customers last served (held when a week has none).
    pub(crate) mirror: Vec<f64>,
}

impl Employees {
    /// Adds an employee with the given morale and effectiveness, reusing a free slot whose
    /// last occupant has finished serving (one who quit during a service longer than a day
    /// still holds it: a slot never serves two customers at once).
    pub fn hire(&mut self, morale: f64, effectiveness: f64, mirror: f64, now: u64) -> usize {
        let free =
            (0..self.employed.len()).find(|&k| !self.employed[k] && self.busy_until[k] <= now);
        let slot = free.unwrap_or_else(|| {
            let n = self.employed.len();
            self.employed.push(false);
            self.leaving.push(false);
            self.morale.push(0.0);
            self.effectiveness.push(0.0);
            self.fatigue_short.push(1.0);
            self.fatigue_long.push(1.0);
            self.strain.push(0.0);
            self.display_training.push(0.0);
            self.tenure_weeks.push(0.0);
            self.busy_until.push(0);
            self.served.push(0);
            self.evaluation_sum.push(0.0);
            self.mirror.push(0.0);
            n
        });
        self.employed[slot] = true;
        self.leaving[slot] = false;
        self.morale[slot] = morale;
        self.effectiveness[slot] = effectiveness;
        self.fatigue_short[slot] = 1.0;
        self.fatigue_long[slot] = 1.0;
        self.strain[slot] = 0.0;
        self.display_training[slot] = 0.0;
        self.tenure_weeks[slot] = 0.0;
        self.busy_until[slot] = now;
        self.served[slot] = 0;
        self.evaluation_sum[slot] = 0.0;
        self.mirror[slot] = mirror;
        slot
    }

    /// Number of employees.
    pub fn headcount(&self) -> usize {
        self.employed.iter().filter(|&&e| e).count()
    }

    /// Slots that hold an employee, in slot order.
    pub fn active(&self) -> impl Iterator<Item = usize> + '_ {
        self.employed
            .iter()
            .enumerate()
            .filter(|&(_, &e)| e)
            .map(|(i, _)| i)
    }
}

/// One slot of a site's market: a customer or, when not active (see
/// [`Customers::is_active`]), a prospect. Every field an encounter reads or writes sits in this
/// one 32-byte record, two to a cache line, so an encounter at a random slot touches one line
/// (a market of 100,000 slots is then 3.2 MB). Scores are kept in double precision, since they
/// sit on the encounter's longest chain (a conversion there costs more than the bytes).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
pub struct Customer {
    /// Satisfaction, 0-100.
    pub(crate) satisfaction: f64,
    /// Expectation, 0-100.
    pub(crate) expectation: f64,
    /// 1 / the slot's visit rate (visits per week before local and seasonal scaling), kept so
    /// the encounter path multiplies instead of dividing.
    pub(crate) weeks_per_visit: f32,
    /// Fixed offset subtracted from what this person perceives, points.
    pub(crate) harshness: f32,
    /// Calendar week the customer joined (negative: before the simulation began); spend per
    /// visit grows with the tenure it gives. Horizon, warm-up and starting tenures are each at
    /// most 2,600 weeks, so it fits.
    pub(crate) joined_week: i16,
    /// Calendar week before which the customer tells no one of another bad experience: word
    /// of mouth comes in episodes, not at every visit (see `word_of_mouth_episode_weeks`).
    pub(crate) quiet_negative_until: u16,
    /// The same for good experiences.
    pub(crate) quiet_positive_until: u16,
    /// How many times the slot has been filled by acquisition, modulo 256: with the slot it
    /// keys the slot's place among prospects, a random priority that may recur after 256 fills.
    pub(crate) generation: u8,
    /// Why the slot's last customer was lost: 0 never lost (or re-acquired), 1 service
    /// treatment, 2 product, 3 competitor, 4 moved or other.
    pub(crate) loss_cause: u8,
}

impl Customer {
    /// Satisfaction, 0-100.
    #[inline(always)]
    pub fn satisfaction(&self) -> f64 {
        self.satisfaction
    }
}

/// Satisfaction in fixed point: 2^-24 of a point. Sums of it are exact integers, so a running
/// total kept through every change equals the total of a fresh count, in any order.
const SATISFACTION_UNITS_PER_POINT: f64 = 16_777_216.0;

/// Promoters rate at least this (satisfaction points; the NPS convention of 9-10 of 10).
pub const PROMOTER_SATISFACTION: f64 = 85.0;

/// Detractors rate below this (satisfaction points; 0-6 of 10).
pub const DETRACTOR_SATISFACTION: f64 = 65.0;

/// What the weekly snapshot reports of the active customers, kept up to date as each changes
/// (so no week-end pass over the market is needed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CustomerTotals {
    /// Sum of satisfaction, in units of 2^-24 of a point.
    satisfaction_units: i64,
    /// Customers at or above the top-box threshold.
    pub(crate) top_box: u32,
    /// Customers at or above [`PROMOTER_SATISFACTION`].
    pub(crate) promoters: u32,
    /// Customers below [`DETRACTOR_SATISFACTION`].
    pub(crate) detractors: u32,
}

impl CustomerTotals {
    /// Sum of the active customers' satisfaction, points (exact to 2^-24 of a point each).
    pub fn satisfaction_sum(&self) -> f64 {
        self.satisfaction_units as f64 / SATISFACTION_UNITS_PER_POINT
    }

    /// Adds (`sign` 1) or removes (`sign` -1) one customer at satisfaction `s`.
    #[inline(always)]
    fn count(&mut self, s: f64, top: f64, sign: i32) {
        self.satisfaction_units += i64::from(sign) * units(s);
        self.top_box = self.top_box.wrapping_add_signed(sign * i32::from(s >= top));
        self.promoters = self
            .promoters
            .wrapping_add_signed(sign * i32::from(s >= PROMOTER_SATISFACTION));
        self.detractors = self
            .detractors
            .wrapping_add_signed(sign * i32::from(s < DETRACTOR_SATISFACTION));
    }
}

/// Satisfaction `s` (0-100) in fixed-point units, truncated.
#[inline(always)]
fn units(s: f64) -> i64 {
    crate::engine::time::trunc_to_u64(s * SATISFACTION_UNITS_PER_POINT) as i64
}

/// Customers and prospects of one site, one record per slot of the site's market.
#[derive(Debug, Clone, Default)]
pub struct Customers {
    /// Every slot of the market, customer or prospect.
    pub(crate) slots: Vec<Customer>,
    /// Prospect slots, available for acquisition, in the order they join.
    pub(crate) prospects: ProspectQueue,
    /// Each slot's active flag, one bit a slot: small enough to stay in the first-level cache,
    /// so arrivals are sorted from prospects without touching their records.
    active_bits: Vec<u64>,
    /// The active customers' totals.
    totals: CustomerTotals,
    /// The top-box threshold the totals count against, satisfaction points.
    top_box_threshold: f64,
}

impl Customers {
    /// No slots yet, room for a market of `market`; `top_box_threshold` is the satisfaction
    /// the totals count as top box.
    pub fn new(market: usize, top_box_threshold: f64) -> Customers {
        Customers {
            slots: Vec::with_capacity(market),
            prospects: ProspectQueue::new(market),
            active_bits: Vec::with_capacity(market.div_ceil(64)),
            top_box_threshold,
            ..Customers::default()
        }
    }

    /// Adds a slot, a customer if `active`.
    pub fn push(&mut self, customer: Customer, active: bool) {
        let slot = self.slots.len();
        if slot.is_multiple_of(64) {
            self.active_bits.push(0);
        }
        self.slots.push(customer);
        self.set_active(slot, active);
    }

    /// Makes slot `slot` a customer (`true`) or a prospect; the only way activity changes. A
    /// slot joins the totals with the satisfaction it has when made active.
    #[inline]
    pub fn set_active(&mut self, slot: usize, active: bool) {
        let bit = 1u64 << (slot % 64);
        let word = &mut self.active_bits[slot / 64];
        let was = *word & bit != 0;
        *word = if active { *word | bit } else { *word & !bit };
        if was != active {
            let sign = if active { 1 } else { -1 };
            let s = self.slots[slot].satisfaction();
            self.totals.count(s, self.top_box_threshold, sign);
        }
    }

    /// Sets an active customer's satisfaction, keeping the totals.
    #[inline(always)]
    pub fn set_satisfaction(&mut self, slot: usize, satisfaction: f64) {
        let top = self.top_box_threshold;
        let cust = &mut self.slots[slot];
        self.totals.count(cust.satisfaction, top, -1);
        self.totals.count(satisfaction, top, 1);
        cust.satisfaction = satisfaction;
    }

    /// Counts the totals afresh from every slot (after the whole base is redrawn).
    pub fn recount(&mut self) {
        let mut totals = CustomerTotals::default();
        for k in 0..self.slots.len() {
            if self.is_active(k) {
                totals.count(self.slots[k].satisfaction(), self.top_box_threshold, 1);
            }
        }
        self.totals = totals;
    }

    /// The active customers' totals.
    pub fn totals(&self) -> &CustomerTotals {
        &self.totals
    }

    /// Whether slot `slot` holds a customer, read from the bits.
    #[inline(always)]
    pub fn is_active(&self, slot: usize) -> bool {
        (self.active_bits[slot / 64] >> (slot % 64)) & 1 == 1
    }

    /// Slots that hold a customer, in slot order.
    pub fn active(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.slots.len()).filter(|&k| self.is_active(k))
    }

    /// Number of active customers.
    pub fn count(&self) -> usize {
        self.slots.len() - self.prospects.len()
    }

    /// Size of the market (customers and prospects).
    pub fn market(&self) -> usize {
        self.slots.len()
    }
}
