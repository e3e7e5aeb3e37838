//! The encounter loop, the hot path: arrivals in chunks, the earliest-free server, the
//! customer's perception, satisfaction, word of mouth, complaints and churn.

use super::*;

/// Asks the CPU to start loading `r`'s cache line, without waiting for it (a plain read would
/// hold up the instructions after it until the line arrives).
#[inline(always)]
pub(super) fn prefetch<T>(r: &T) {
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
pub(super) const BATCH: usize = 128;

/// Markets of at least this many slots draw arrivals in two passes, prefetching the alias
/// table's columns (512 KB and more of it, past the first two cache levels' reach per site).
pub(super) const LARGE_MARKET_SLOTS: usize = 1 << 16;

/// How many arrivals ahead of the current one a customer's record is fetched.
pub(super) const PREFETCH_AHEAD: usize = 8;

/// A chunk of a shift's arrivals to customers, in time order.
#[derive(Clone)]
pub(super) struct ArrivalBatch {
    /// Arrival times, seconds.
    pub(super) at: [u64; BATCH],
    /// Customer slots.
    pub(super) slot: [u32; BATCH],
    /// Arrival numbers, which key each encounter's words.
    pub(super) number: [u64; BATCH],
    /// The words that pick each arrival's slot (scratch while a chunk is drawn).
    pub(super) word: [u64; BATCH],
    /// Arrivals held.
    pub(super) len: usize,
    /// The next arrival to simulate.
    pub(super) next: usize,
}

impl Default for ArrivalBatch {
    fn default() -> Self {
        ArrivalBatch {
            at: [0; BATCH],
            slot: [0; BATCH],
            number: [0; BATCH],
            word: [0; BATCH],
            len: 0,
            next: 0,
        }
    }
}

impl ArrivalBatch {
    pub(super) fn clear(&mut self) {
        self.len = 0;
        self.next = 0;
    }
}

/// The first arrival after `t` (seconds) at mean gap `mean_gap_seconds`, or `u64::MAX` if it
/// falls at or after `close`. Draws one exponential gap from `rng` unless arrivals are off.
#[inline(always)]
pub(super) fn arrival_after(rng: &mut Stream, t: u64, mean_gap_seconds: f64, close: u64) -> u64 {
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

/// What a customer experienced in an encounter: what the customer's side (`Site::settle`)
/// needs from the servers' side (`Site::serve`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Experience {
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

impl Site {
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
    pub(super) fn refill(&mut self) {
        let close = self.window_close;
        let b = &mut *self.batch;
        // The stream and the count in locals, so they stay in registers through the loop.
        let mut rng = self.streams.arrivals.clone();
        let (mut t, mut len, mut drawn) = (self.pending_arrival, 0, self.arrivals_drawn);
        if self.customers.market() < LARGE_MARKET_SLOTS {
            // A small market's alias table and bits are in the first-level cache: one pass.
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
        } else {
            // First every arrival's time and the word that picks its slot, each pick's column
            // of the alias table fetched as soon as its word is known: in a large market the
            // column is a cache miss, and nothing waits on it until the second pass (the same
            // words in the same order as the one pass).
            let mut n = 0;
            while n < BATCH {
                if t >= close {
                    break;
                }
                let following = arrival_after(&mut rng, t, self.mean_gap_seconds, close);
                let word = rng.next_u64();
                prefetch(self.alias.column_for(word));
                b.at[n] = t;
                b.word[n] = word;
                n += 1;
                t = following;
            }
            // Then the slots, and those to customers moved down over the prospects' without a
            // branch.
            for i in 0..n {
                let slot = self.alias.pick(b.word[i]) as u32;
                b.at[len] = b.at[i];
                b.slot[len] = slot;
                b.number[len] = drawn + i as u64;
                len += usize::from(self.customers.is_active(slot as usize));
            }
            drawn += n as u64;
            for &slot in &b.slot[..len.min(PREFETCH_AHEAD)] {
                prefetch(&self.customers.slots[slot as usize]);
            }
        }
        self.streams.arrivals = rng;
        self.arrivals_drawn = drawn;
        self.pending_arrival = t;
        b.len = len;
        b.next = 0;
    }

    /// Simulates every arrival before `until`. This is the encounter loop.
    pub fn advance_to(&mut self, ctx: &Context, until: SimTime) {
        let t = until.seconds();
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
    pub(super) fn serve(
        &mut self,
        ctx: &Context,
        at: u64,
        slot: usize,
        number: u64,
    ) -> Option<Experience> {
        // Lost since the batch was drawn: now a prospect, whom the arrival's thinning drops.
        if !self.customers.is_active(slot) {
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
        // Revenue: this week's spend per visit, which grows with tenure.
        let spend = spend_cents(
            &ctx.spend_cents_by_tenure,
            &self.customers.slots[slot],
            self.week_now,
        );
        self.post(Line::Revenue, Money(spend));
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
    pub(super) fn record(
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
    pub(super) fn settle(&mut self, ctx: &Context, p: Experience) {
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
    pub(super) fn perceive(&mut self, ctx: &Context, p: &Experience) -> f64 {
        let c = &ctx.scenario.customers;
        let (wait_term, wait_weight) = p.wait_term;
        let total = c.weight_competence + p.courtesy_weight + wait_weight;
        let q =
            (c.weight_competence * p.competence + p.courtesy_term + wait_term) / total.max(1e-12);
        let harshness = f64::from(self.customers.slots[p.slot as usize].harshness);
        let q = (q - harshness).clamp(0.0, 100.0);
        self.tally.quality_sum += q;
        q
    }

    /// Disconfirmation moves satisfaction; expectations adapt. Returns the evaluation.
    #[inline]
    pub(super) fn update_customer(&mut self, ctx: &Context, slot: usize, quality: f64) -> f64 {
        let c = &ctx.scenario.customers;
        let cust = &mut self.customers.slots[slot];
        let expected = cust.expectation;
        let evaluation =
            (quality + c.disconfirmation_weight * (quality - expected)).clamp(0.0, 100.0);
        cust.expectation = expected + c.expectation_learning_rate * (quality - expected);
        let old = cust.satisfaction();
        let satisfaction = old + c.satisfaction_learning_rate * (evaluation - old);
        self.customers.set_satisfaction(slot, satisfaction);
        evaluation
    }

    /// Word of mouth, complaints and churn after an encounter; `u` is the churn draw and
    /// `number` the arrival's, which keys the rarer draws (complaint, recovery).
    #[inline(always)]
    pub(super) fn after_encounter(
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
        // A customer tells of a good experience only if not still quiet after the last one.
        let now = self.week_now;
        let cust = &mut self.customers.slots[slot];
        let tells = delighted & (now >= cust.quiet_positive_until);
        // As bits: the tells or +0.0, and adding +0.0 leaves the sum as it was (it is never
        // -0.0). The optimiser turns a select, an `if` or a plain mask back into the branch,
        // so the mask goes through `black_box`.
        let mask = std::hint::black_box(u64::from(tells).wrapping_neg());
        self.tally.wom_positive += f64::from_bits(c.wom_delighted_tells.to_bits() & mask);
        self.tally.wom_positive_tellers += f64::from(u8::from(tells));
        let quiet = now.saturating_add(ctx.word_of_mouth_episode_weeks);
        cust.quiet_positive_until = if tells {
            quiet
        } else {
            cust.quiet_positive_until
        };
        if dissatisfied {
            let mut rare = WordRng::new(encounter_word(self.encounter_key, number, 3));
            self.tally.dissatisfied += 1.0;
            if now >= cust.quiet_negative_until {
                cust.quiet_negative_until = quiet;
                self.tally.wom_negative += c.wom_dissatisfied_tells;
                self.tally.wom_negative_tellers += 1.0;
            }
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
        let years_per_visit = f64::from(cust.weeks_per_visit) * self.years_per_scaled_week;
        // Nearly every draw is above even the greatest hazard: the customer stays, seen
        // without waiting for the satisfaction this encounter has just changed (multiplying
        // by the same non-negative factor keeps the order, so the answer is the lookup's).
        if u >= ctx.max_loss_per_year * years_per_visit {
            return;
        }
        let step = trunc_to_u64(cust.satisfaction() * 10.0) as usize;
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

    pub(super) fn lose(&mut self, slot: usize, cause: u8) {
        self.customers.set_active(slot, false);
        self.customers.slots[slot].loss_cause = cause + 1;
        let generation = self.customers.slots[slot].generation;
        let key = prospect_key(self.acquisition_key, slot, generation);
        self.customers.prospects.push(key, slot);
        match cause {
            0 => self.tally.lost_service += 1.0,
            1 => self.tally.lost_product += 1.0,
            2 => self.tally.lost_competitor += 1.0,
            _ => self.tally.lost_moved += 1.0,
        }
    }
}
