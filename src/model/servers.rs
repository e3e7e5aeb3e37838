//! The servers on shift at a site, and the choice of who takes each arrival.
//!
//! Every arrival asks for the earliest-free server (ties to the lowest index) and how many
//! servers are busy. That question sits on the encounter loop's critical path: the next
//! arrival's answer depends on this one's assignment. So the free times are mirrored as `f32`
//! keys relative to the shift's start, four to an SSE register, and the scan is a handful of
//! vector minima and compares with no data-dependent branch. A scalar scan over the exact
//! `u64` times is the reference, and the fallback whenever a key could not be exact.

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

/// Free times this many seconds or more after the shift's start are keyed as this: 2^24, the
/// range in which `f32` holds every whole second exactly. A shift with every server busy that
/// far ahead falls back to the exact scalar scan.
const CAP_SECONDS: u64 = 1 << 24;

/// Servers on shift today.
#[derive(Debug, Clone, Default)]
pub(super) struct Servers {
    /// When each server is next free, seconds: the exact times.
    pub free_at: Vec<u64>,
    /// What each server brings.
    pub info: Vec<ServerInfo>,
    /// `free_at - base` as `f32`, capped at `CAP_SECONDS`, in groups, the last padded with
    /// +inf.
    keys: Vec<Group>,
    /// The shift's start, seconds; no server is free before it.
    base: u64,
}

impl Servers {
    /// Empties the roster for a shift starting at `base` (seconds).
    pub fn clear(&mut self, base: u64) {
        self.free_at.clear();
        self.info.clear();
        self.keys.clear();
        self.base = base;
    }

    /// Number of servers on shift.
    pub fn len(&self) -> usize {
        self.free_at.len()
    }

    #[inline(always)]
    fn key(&self, free_at: u64) -> f32 {
        debug_assert!(
            free_at >= self.base,
            "a server free before its shift starts"
        );
        // Through i64: one conversion instruction, where u64 to f32 takes a branchy sequence.
        free_at.saturating_sub(self.base).min(CAP_SECONDS) as i64 as f32
    }

    /// Adds a server, free from `free_at` (not before the shift's start).
    pub fn push(&mut self, free_at: u64, info: ServerInfo) {
        let n = self.free_at.len();
        if n.is_multiple_of(GROUP) {
            self.keys.push(PADDING);
        }
        self.free_at.push(free_at);
        self.info.push(info);
        self.assign(n, free_at);
    }

    /// Takes employee `e` off shift, if on it.
    pub fn remove_employee(&mut self, e: u32) {
        if let Some(i) = self.info.iter().position(|x| x.employee == e) {
            self.free_at.remove(i);
            self.info.remove(i);
            // The servers after `i` moved down one: key them all again.
            let n = self.free_at.len();
            self.keys.clear();
            self.keys.resize(n.div_ceil(GROUP), PADDING);
            for k in 0..n {
                self.assign(k, self.free_at[k]);
            }
        }
    }

    /// Server `k` takes a customer until `end` (seconds, not before the shift's start).
    #[inline(always)]
    pub fn assign(&mut self, k: usize, end: u64) {
        self.free_at[k] = end;
        let key = self.key(end);
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
    pub fn next_free(&self, at: u64) -> Option<(usize, usize)> {
        let n = self.free_at.len();
        if n == 0 {
            return None;
        }
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if let Some(rel) = at.checked_sub(self.base).filter(|&r| r < CAP_SECONDS) {
            let (min, best, above) = scan_sse(&self.keys, rel as f32);
            // A minimum below the cap is exact, and so is every comparison with `rel`.
            if min < CAP_SECONDS as f32 {
                return Some((best, above - (self.keys.len() * GROUP - n)));
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

/// Over `keys`: the least key, the first index holding it, and how many keys exceed `at`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn scan_sse(keys: &[Group], at: f32) -> (f32, usize, usize) {
    use std::arch::x86_64::{
        __m128, _mm_add_epi32, _mm_castps_si128, _mm_cmpeq_ps, _mm_cmpgt_ps, _mm_cvtsi128_si32,
        _mm_cvtss_f32, _mm_loadu_ps, _mm_min_ps, _mm_movemask_ps, _mm_set1_ps, _mm_setzero_si128,
        _mm_shuffle_epi32, _mm_shuffle_ps, _mm_sub_epi32,
    };
    // SAFETY: these intrinsics need SSE and SSE2, which this function's `cfg` guarantees are
    // enabled; each load reads one `[f32; 4]`, and an unaligned load needs no alignment.
    unsafe {
        let load = |r: &[f32; LANES]| -> __m128 { _mm_loadu_ps(r.as_ptr()) };
        let inf = _mm_set1_ps(f32::INFINITY);
        let mut m = [inf; REGS];
        for g in keys {
            for (m, r) in m.iter_mut().zip(g) {
                *m = _mm_min_ps(*m, load(r));
            }
        }
        let mut m = _mm_min_ps(_mm_min_ps(m[0], m[1]), _mm_min_ps(m[2], m[3]));
        // Every lane to the minimum: swap neighbours, then halves.
        m = _mm_min_ps(m, _mm_shuffle_ps::<0b10_11_00_01>(m, m));
        m = _mm_min_ps(m, _mm_shuffle_ps::<0b01_00_11_10>(m, m));
        let a = _mm_set1_ps(at);
        let mut best = usize::MAX;
        let mut above = _mm_setzero_si128();
        // Backwards, so the last group found holding the minimum is the first one.
        for (j, g) in keys.iter().enumerate().rev() {
            let v = g.map(|r| load(&r));
            let eq = |k: usize| (_mm_movemask_ps(_mm_cmpeq_ps(v[k], m)) as u32) << (k * LANES);
            let bits = (eq(0) | eq(1)) | (eq(2) | eq(3));
            best = std::hint::select_unpredictable(
                bits != 0,
                j * GROUP + bits.trailing_zeros() as usize,
                best,
            );
            // A true compare is all ones, -1: subtracting it counts.
            let gt = |k: usize| _mm_castps_si128(_mm_cmpgt_ps(v[k], a));
            let gt = _mm_add_epi32(_mm_add_epi32(gt(0), gt(1)), _mm_add_epi32(gt(2), gt(3)));
            above = _mm_sub_epi32(above, gt);
        }
        let s = _mm_add_epi32(above, _mm_shuffle_epi32::<0b10_11_00_01>(above));
        let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
        (_mm_cvtss_f32(m), best, _mm_cvtsi128_si32(s) as usize)
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
                prop_oneof![0u64..5, 0u64..100_000, (CAP_SECONDS - 3)..(CAP_SECONDS + 3), 0u64..1 << 50],
                0..70,
            ),
            at in prop_oneof![0u64..5, 0u64..100_000, 0u64..1 << 30],
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
        let far = roster(0, &[CAP_SECONDS + 9, CAP_SECONDS + 2, CAP_SECONDS + 5]);
        assert_eq!(far.next_free(10), Some((1, 3)));
    }
}
