//! The servers on shift at a site, and the choice of who takes each arrival.
//!
//! Every arrival asks for the earliest-free server (ties to the lowest index) and how many
//! servers are busy. That question sits on the encounter loop's critical path: the next
//! arrival's answer depends on this one's assignment. So each server's free time is mirrored
//! as one `f32` key that packs the time relative to the shift's start above the server's
//! index: the least key is then both the earliest time and, among equal times, the lowest
//! index, and one pass of vector minima and compares, four keys a register and no
//! data-dependent branch, answers both questions. A scalar scan over the exact `u64` times is
//! the reference, and the fallback whenever a key could not be exact.

/// What a server on shift brings to an encounter, cached from the employee at shift start.
#[derive(Debug, Clone, Copy)]
pub(super) struct ServerInfo {
    /// Employee slot.
    pub employee: u32,
    /// Mean service time, seconds.
    pub mean_service_seconds: f64,
    /// Probability the task is done right.
    pub p_success: f64,
    /// Courtesy shown, 0-100.
    pub courtesy: f64,
    /// Competence shown when the task is done right, 0-100.
    pub competence: f64,
}

/// Keys per SSE register.
const LANES: usize = 4;

/// Registers per group: the scan keeps one running minimum per register of a group, so its
/// chain of dependent minima is a quarter as long.
const REGS: usize = 4;

/// Keys per group.
const GROUP: usize = LANES * REGS;

/// A group of keys: `REGS` registers of `LANES`.
type Group = [[f32; LANES]; REGS];

/// A group with no server in it: +inf is never the minimum; it compares as busy, and
/// `Servers::next_free` takes the padding off that count.
const PADDING: Group = [[f32::INFINITY; LANES]; REGS];

/// Keys are whole numbers below 2^24, the range in which `f32` holds every one exactly.
const KEY_BITS: u32 = 24;

/// Servers on shift today.
#[derive(Debug, Clone, Default)]
pub(super) struct Servers {
    /// When each server is next free, seconds: the exact times.
    pub free_at: Vec<u64>,
    /// What each server brings.
    pub info: Vec<ServerInfo>,
    /// Per server, `min(free_at - base, cap) << index_bits | index` as `f32`, in groups, the
    /// last padded with +inf.
    keys: Vec<Group>,
    /// The shift's start, seconds; no server is free before it.
    base: u64,
    /// Low bits of a key that hold the server's index: enough for every server on shift.
    index_bits: u32,
    /// Those bits set: the greatest index a key can hold.
    index_mask: u64,
    /// Free times this many seconds or more after the shift's start share one key per index:
    /// a scan whose least key is there falls back to the exact scalar scan.
    cap_seconds: u64,
}

impl Servers {
    /// Empties the roster for a shift starting at `base` (seconds).
    pub(super) fn clear(&mut self, base: u64) {
        self.free_at.clear();
        self.info.clear();
        self.keys.clear();
        self.base = base;
        self.set_index_bits(0);
    }

    /// Number of servers on shift.
    pub(super) fn len(&self) -> usize {
        self.free_at.len()
    }

    /// Keys hold the server's index in their low `bits` bits; the time gets the rest.
    fn set_index_bits(&mut self, bits: u32) {
        self.index_bits = bits;
        self.index_mask = (1 << bits) - 1;
        self.cap_seconds = (1 << (KEY_BITS - bits)) - 1;
    }

    /// The key of server `k` free at `free_at` (seconds).
    #[inline(always)]
    fn key(&self, k: usize, free_at: u64) -> f32 {
        debug_assert!(
            free_at >= self.base,
            "a server free before its shift starts"
        );
        let rel = free_at.saturating_sub(self.base).min(self.cap_seconds);
        // Below 2^24, so exact; through i64: one conversion instruction, where u64 to f32
        // takes a branchy sequence.
        ((rel << self.index_bits) | k as u64) as i64 as f32
    }

    /// Keys every server again, with index bits enough for all of them.
    fn rekey(&mut self) {
        let n = self.free_at.len();
        self.set_index_bits(usize::BITS - n.saturating_sub(1).leading_zeros());
        self.keys.clear();
        self.keys.resize(n.div_ceil(GROUP), PADDING);
        for k in 0..n {
            self.assign(k, self.free_at[k]);
        }
    }

    /// Adds a server, free from `free_at` (not before the shift's start).
    pub(super) fn push(&mut self, free_at: u64, info: ServerInfo) {
        let n = self.free_at.len();
        self.free_at.push(free_at);
        self.info.push(info);
        if n >> self.index_bits != 0 {
            // Index `n` needs another bit: every key changes.
            self.rekey();
        } else {
            if n.is_multiple_of(GROUP) {
                self.keys.push(PADDING);
            }
            self.assign(n, free_at);
        }
    }

    /// Takes employee `e` off shift, if on it.
    pub(super) fn remove_employee(&mut self, e: u32) {
        if let Some(i) = self.info.iter().position(|x| x.employee == e) {
            self.free_at.remove(i);
            self.info.remove(i);
            // The servers after `i` moved down one: key them all again.
            self.rekey();
        }
    }

    /// Server `k` takes a customer until `end` (seconds, not before the shift's start).
    #[inline(always)]
    pub(super) fn assign(&mut self, k: usize, end: u64) {
        self.free_at[k] = end;
        let key = self.key(k, end);
        let register = &mut self.keys[k / GROUP][k / LANES % REGS];
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        set_lane(register, k % LANES, key);
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        {
            register[k % LANES] = key;
        }
    }

    /// The server that takes an arrival at `at` (the earliest free: the longest idle, else the
    /// first to finish; ties to the lowest index) and how many servers are busy then; `None`
    /// when nobody is on shift.
    #[inline(always)]
    pub(super) fn next_free(&self, at: u64) -> Option<(usize, usize)> {
        let n = self.free_at.len();
        if n == 0 {
            return None;
        }
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            let (cap, low) = (self.cap_seconds, self.index_mask);
            if let Some(rel) = at.checked_sub(self.base).filter(|&r| r < cap) {
                // Busy means free after `at`: a key above every key of time `rel`.
                let threshold = ((rel << self.index_bits) | low) as i64 as f32;
                let (least, above) = scan_sse(&self.keys, threshold);
                // A least time below the cap is exact, and so is every comparison with `rel`.
                if u64::from(least) >> self.index_bits < cap {
                    let best = (u64::from(least) & low) as usize;
                    return Some((best, above - (self.keys.len() * GROUP - n)));
                }
            }
        }
        self.next_free_scalar(at)
    }

    /// The same answer as [`Servers::next_free`] from the exact times, one server at a time.
    fn next_free_scalar(&self, at: u64) -> Option<(usize, usize)> {
        let mut best = usize::MAX;
        let mut min = u64::MAX;
        let mut busy = 0;
        for (i, &f) in self.free_at.iter().enumerate() {
            if f < min {
                min = f;
                best = i;
            }
            busy += usize::from(f > at);
        }
        (best != usize::MAX).then_some((best, busy))
    }
}

/// Writes `key` into lane `lane` of `register` as a whole-register store: the next scan
/// reads the register whole, and a 16-byte load of a 4-byte store still in flight cannot take
/// its value from the store, so it would wait for the store to reach the cache.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn set_lane(register: &mut [f32; LANES], lane: usize, key: f32) {
    use std::arch::x86_64::{
        _mm_and_ps, _mm_andnot_ps, _mm_castsi128_ps, _mm_loadu_ps, _mm_loadu_si128, _mm_or_ps,
        _mm_set1_ps, _mm_storeu_ps,
    };
    const MASKS: [[i32; LANES]; LANES] =
        [[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1]];
    // SAFETY: SSE and SSE2 are enabled (this function's `cfg`); each load and store touches
    // exactly one `[f32; 4]` or `[i32; 4]`, and unaligned accesses need no alignment.
    unsafe {
        let mask = _mm_castsi128_ps(_mm_loadu_si128(MASKS[lane].as_ptr().cast()));
        let old = _mm_loadu_ps(register.as_ptr());
        let new = _mm_or_ps(_mm_andnot_ps(mask, old), _mm_and_ps(mask, _mm_set1_ps(key)));
        _mm_storeu_ps(register.as_mut_ptr(), new);
    }
}

/// Over `keys`, in one pass: the least key as an integer, and how many keys exceed
/// `threshold`. The least key must be finite and below 2^31 (keys are below 2^24).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn scan_sse(keys: &[Group], threshold: f32) -> (u32, usize) {
    use std::arch::x86_64::{
        __m128, _mm_add_epi32, _mm_castps_si128, _mm_cmpgt_ps, _mm_cvtsi128_si32, _mm_cvttss_si32,
        _mm_loadu_ps, _mm_min_ps, _mm_set1_ps, _mm_setzero_si128, _mm_shuffle_epi32,
        _mm_shuffle_ps, _mm_sub_epi32,
    };
    // SAFETY: these intrinsics need SSE and SSE2, which this function's `cfg` guarantees are
    // enabled; each load reads one `[f32; 4]`, and an unaligned load needs no alignment.
    unsafe {
        let load = |r: &[f32; LANES]| -> __m128 { _mm_loadu_ps(r.as_ptr()) };
        let inf = _mm_set1_ps(f32::INFINITY);
        let t = _mm_set1_ps(threshold);
        let mut m = [inf; REGS];
        let mut above = [_mm_setzero_si128(); REGS];
        for g in keys {
            for ((m, above), r) in m.iter_mut().zip(&mut above).zip(g) {
                let v = load(r);
                *m = _mm_min_ps(*m, v);
                // A true compare is all ones, -1: subtracting it counts.
                *above = _mm_sub_epi32(*above, _mm_castps_si128(_mm_cmpgt_ps(v, t)));
            }
        }
        let mut m = _mm_min_ps(_mm_min_ps(m[0], m[1]), _mm_min_ps(m[2], m[3]));
        // The least lane to the bottom: swap neighbours, then halves.
        m = _mm_min_ps(m, _mm_shuffle_ps::<0b10_11_00_01>(m, m));
        m = _mm_min_ps(m, _mm_shuffle_ps::<0b01_00_11_10>(m, m));
        let s = _mm_add_epi32(
            _mm_add_epi32(above[0], above[1]),
            _mm_add_epi32(above[2], above[3]),
        );
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
        // One truncating conversion, exact for a whole number below 2^31.
        (_mm_cvttss_si32(m) as u32, _mm_cvtsi128_si32(s) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info(employee: u32) -> ServerInfo {
        ServerInfo {
            employee,
            mean_service_seconds: 600.0,
            p_success: 0.9,
            courtesy: 70.0,
            competence: 80.0,
        }
    }

    fn roster(base: u64, offsets: &[u64]) -> Servers {
        let mut s = Servers::default();
        s.clear(base);
        for (i, &o) in offsets.iter().enumerate() {
            s.push(base + o, info(i as u32));
        }
        s
    }

    proptest! {
        /// The vector scan gives the scalar scan's answer, including ties, free times beyond
        /// the keys' exact range, and rosters changed by assignments and removals.
        #[test]
        fn vector_scan_matches_the_scalar_scan(
            base in 0u64..1 << 40,
            offsets in prop::collection::vec(
                prop_oneof![
                    0u64..5,
                    0u64..100_000,
                    // Around each cap a roster of up to 70 servers can have.
                    (16u32..25, 0u64..6).prop_map(|(b, d)| (1u64 << b) + d - 3),
                    0u64..1 << 50,
                ],
                0..70,
            ),
            at in prop_oneof![
                0u64..5,
                0u64..100_000,
                (16u32..25, 0u64..6).prop_map(|(b, d)| (1u64 << b) + d - 3),
                0u64..1 << 30,
            ],
            assigns in prop::collection::vec((0usize..70, 0u64..200_000), 0..10),
            remove in prop::option::of(0u32..70),
        ) {
            let mut s = roster(base, &offsets);
            for &(k, o) in &assigns {
                if k < s.len() {
                    s.assign(k, base + o);
                }
            }
            if let Some(e) = remove {
                s.remove_employee(e);
            }
            prop_assert_eq!(s.next_free(base + at), s.next_free_scalar(base + at));
        }
    }

    #[test]
    fn ties_go_to_the_lowest_index_and_padding_is_not_busy() {
        let s = roster(1_000, &[50, 7, 7, 90, 7]);
        assert_eq!(s.next_free(1_010), Some((1, 2)));
        assert_eq!(s.next_free(1_000), Some((1, 5)));
        assert_eq!(roster(0, &[]).next_free(0), None);
        // Every server busy beyond the keys' range: the exact scan answers.
        let far = roster(0, &[1 << 24, (1 << 24) - 7, (1 << 24) + 5]);
        assert_eq!(far.next_free(10), Some((1, 3)));
    }

    #[test]
    fn large_rosters_leave_fewer_bits_for_the_time_and_still_agree() {
        for n in [255u64, 256, 257, 1000, 5000] {
            let offsets: Vec<u64> = (0..n).map(|i| (i * 7919) % 40_000 + 3).collect();
            let mut s = roster(0, &offsets);
            for at in [0, 2, 3, 20_000, 39_999, 50_000] {
                assert_eq!(
                    s.next_free(at),
                    s.next_free_scalar(at),
                    "{n} servers at {at}"
                );
            }
            s.assign(17, 1);
            assert_eq!(s.next_free(0), Some((17, n as usize)), "{n} servers");
        }
    }
}
