//! Agent state of one site: employees as struct-of-arrays, customers as one record a slot
//! (the encounter loop reads a customer's fields together). Slots are reused:
//! a quit frees an employee slot for a hire, a lost customer's slot becomes a prospect again.

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

/// One slot of a site's market: a customer or, when not `active`, a prospect. Every field an
/// encounter reads or writes sits in this one record, aligned to a 64-byte cache line, so an
/// encounter at a random slot touches one line instead of one line per field.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
pub struct Customer {
    /// 1 / `rate_per_week`, kept so the encounter path multiplies instead of dividing.
    pub(crate) weeks_per_visit: f64,
    /// Satisfaction, 0-100.
    pub(crate) satisfaction: f64,
    /// Expectation, 0-100.
    pub(crate) expectation: f64,
    /// Fixed offset subtracted from what this person perceives.
    pub(crate) harshness: f64,
    /// This week's spend per visit, cents (refreshed at each weekly review).
    pub(crate) spend_cents: i64,
    /// Visit rate of the slot, visits per week before local and seasonal scaling.
    pub(crate) rate_per_week: f64,
    /// Calendar week the customer joined (negative: before the simulation began).
    pub(crate) joined_week: i32,
    /// How many times the slot has been filled by acquisition (keys its place among prospects).
    pub(crate) generation: u32,
    /// Whether the slot holds an active customer (otherwise a prospect).
    pub(crate) active: bool,
    /// Why the slot's last customer was lost: 0 never lost (or re-acquired), 1 service
    /// treatment, 2 product, 3 competitor, 4 moved or other.
    pub(crate) loss_cause: u8,
    /// Calendar week before which the customer tells no one of another bad experience: word
    /// of mouth comes in episodes, not at every visit (see `word_of_mouth_episode_weeks`).
    pub(crate) quiet_negative_until: u16,
    /// The same for good experiences.
    pub(crate) quiet_positive_until: u16,
}

/// A slot without a customer, and its place in the queue to join (smaller joins first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prospect {
    /// The slot.
    pub(crate) slot: u32,
    /// Its place in the queue, fixed while it stays a prospect: kept here so the weekly
    /// acquisition reads no customer records.
    pub(crate) key: u64,
}

/// Customers and prospects of one site, one record per slot of the site's market.
#[derive(Debug, Clone, Default)]
pub struct Customers {
    /// Every slot of the market, customer or prospect.
    pub(crate) slots: Vec<Customer>,
    /// Prospect slots, available for acquisition.
    pub(crate) prospects: Vec<Prospect>,
    /// Each slot's `active` flag again, one bit a slot: small enough to stay in the first-level
    /// cache, so arrivals are sorted from prospects without touching their records.
    active_bits: Vec<u64>,
}

impl Customers {
    /// Adds a slot.
    pub fn push(&mut self, customer: Customer) {
        let slot = self.slots.len();
        if slot.is_multiple_of(64) {
            self.active_bits.push(0);
        }
        self.slots.push(customer);
        self.set_active(slot, customer.active);
    }

    /// Makes slot `slot` a customer (`true`) or a prospect; the only way `active` changes.
    #[inline]
    pub fn set_active(&mut self, slot: usize, active: bool) {
        self.slots[slot].active = active;
        let bit = 1u64 << (slot % 64);
        let word = &mut self.active_bits[slot / 64];
        *word = if active { *word | bit } else { *word & !bit };
    }

    /// Whether slot `slot` holds a customer, read from the bits.
    #[inline(always)]
    pub fn is_active(&self, slot: usize) -> bool {
        (self.active_bits[slot / 64] >> (slot % 64)) & 1 == 1
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
