//! Simulation time: whole seconds since the start of week 0 (Monday 00:00).

use std::fmt;

/// A point in simulated time, in whole seconds. Integer, so event order never depends on
/// floating-point rounding and runs are bit-reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    /// Seconds in a minute.
    pub const MINUTE: u64 = 60;
    /// Seconds in an hour.
    pub const HOUR: u64 = 3_600;
    /// Seconds in a day.
    pub const DAY: u64 = 86_400;
    /// Seconds in a week.
    pub const WEEK: u64 = 7 * 86_400;

    /// The start of day `day` (0-based).
    pub const fn day_start(day: u64) -> SimTime {
        SimTime(day * Self::DAY)
    }

    /// The start of week `week` (0-based).
    pub const fn week_start(week: u64) -> SimTime {
        SimTime(week * Self::WEEK)
    }

    /// Seconds since the start.
    pub const fn seconds(self) -> u64 {
        self.0
    }

    /// The 0-based week this time falls in.
    pub const fn week(self) -> u64 {
        self.0 / Self::WEEK
    }

    /// The 0-based day this time falls in.
    pub const fn day(self) -> u64 {
        self.0 / Self::DAY
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        write!(
            f,
            "day {} {:02}:{:02}:{:02}",
            s / SimTime::DAY,
            s % SimTime::DAY / 3600,
            s % 3600 / 60,
            s % 60
        )
    }
}

/// Minutes (as a float, from a distribution) to whole seconds, rounded to nearest.
#[inline]
pub fn minutes_to_seconds(minutes: f64) -> u64 {
    round_to_u64(minutes * 60.0)
}

/// 2^52: every time the engine rounds is below it, and every float from 0 up to it converts
/// to an integer with no saturation to check.
const EXACT: f64 = 4_503_599_627_370_496.0;

/// Whether `0 <= x < 2^52`, in one integer compare: a non-negative float's bits order as the
/// float does, and negatives, infinities and NaN all have bits above these.
#[inline(always)]
fn plain(x: f64) -> bool {
    x.to_bits() < EXACT.to_bits()
}

/// The integer part of a float, with negatives and NaN giving 0 and values from 2^63 on
/// saturating: `x.max(0.0) as i64 as u64`, without the saturation checks in the common case.
#[inline(always)]
pub fn trunc_to_u64(x: f64) -> u64 {
    if plain(x) {
        // SAFETY: 0 <= x < 2^52 here, so x is finite and its integer part fits in i64.
        // A plain `as` would add the saturating checks, which cost as much as the rest.
        unsafe { x.to_int_unchecked::<i64>() as u64 }
    } else {
        // Through i64: one instruction, where a direct `as u64` takes a branchy sequence.
        x.max(0.0) as i64 as u64
    }
}

/// Rounds a float below 2^63 to the nearest integer, halves up; negatives and NaN give 0.
/// A plain add-and-truncate: `f64::round` is a libm call on baseline x86-64, and this sits on
/// the encounter path.
#[inline(always)]
pub fn round_to_u64(x: f64) -> u64 {
    // The same as `(x.max(0.0) + 0.5)` truncated: below -0.5 both give 0, between -0.5 and 0
    // both give 0 from a sum under 0.5, and NaN stays NaN.
    trunc_to_u64(x + 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_takes_halves_up_and_clamps_the_rest() {
        let reference = |x: f64| (x.max(0.0) + 0.5) as i64 as u64;
        let two52 = 4_503_599_627_370_496.0f64;
        for x in [
            0.0,
            -0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.4999,
            -0.3,
            -7.0,
            86_399.5,
            two52 - 1.0,
            two52,
            two52 * 4.0,
            9.3e18,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(round_to_u64(x), reference(x), "{x}");
        }
        for x in [
            0.0,
            -0.0,
            0.99,
            1.0,
            999.9999,
            -3.5,
            1e300,
            f64::INFINITY,
            f64::NAN,
            two52,
        ] {
            assert_eq!(trunc_to_u64(x), x.max(0.0) as i64 as u64, "{x}");
        }
        assert_eq!(round_to_u64(2.5), 3);
        assert_eq!(round_to_u64(-1.0), 0);
        assert_eq!(round_to_u64(f64::NAN), 0);
    }

    #[test]
    fn calendar_arithmetic() {
        let t = SimTime(SimTime::WEEK * 3 + SimTime::DAY * 2 + 3_725);
        assert_eq!(t.week(), 3);
        assert_eq!(t.day(), 23);
        assert_eq!(t.to_string(), "day 23 01:02:05");
        assert_eq!(minutes_to_seconds(1.5), 90);
        assert_eq!(minutes_to_seconds(-1.0), 0);
    }
}
