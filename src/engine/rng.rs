//! Random streams: one named, portable generator per (replication, site, purpose), derived from
//! the master seed and never from a thread, so that results do not depend on scheduling and a
//! policy that changes one kind of draw does not shift the others (common random numbers).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every stream uses: Xoshiro256++, portable and reproducible across platforms.
pub type Stream = Xoshiro256PlusPlus;

/// The name of the generator, recorded in manifests.
pub const GENERATOR_NAME: &str = "Xoshiro256PlusPlus (rand_xoshiro 0.8), seeded by SplitMix64 of (seed, replication, site, purpose)";

/// What a stream's draws are used for. Each purpose has its own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Site heterogeneity, visit rates and initial customer states.
    Setup = 1,
    /// Arrival times and which customer arrives.
    Arrivals = 2,
    // 3, 4 and 5 named streams no longer drawn from (patience, service times and outcomes
    // now come from the encounter words); the numbers stay unused so no stream moves.
    /// Employee absences, morale noise and quits.
    Employees = 6,
    /// Hiring delays.
    Hiring = 7,
    /// Acquisition: word of mouth, marketing, which prospects join.
    Acquisition = 8,
    /// The key of the counter-based encounter words (patience, service time, outcome).
    Encounters = 9,
}

/// SplitMix64's finaliser: a bijective mix that spreads nearby inputs apart.
const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Word `lane` (0-3) of encounter `n`: SplitMix64's output at position 4n + lane of the
/// sequence keyed by `key`. Counter-based, so any encounter's words can be drawn alone.
#[inline(always)]
pub fn encounter_word(key: u64, n: u64, lane: u64) -> u64 {
    let z = key.wrapping_add(
        (n.wrapping_mul(4).wrapping_add(lane + 1)).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for (master seed, replication, site, purpose).
pub fn stream(seed: u64, replication: u64, site: u64, purpose: Purpose) -> Stream {
    let key = mix(
        mix(mix(mix(seed) ^ replication) ^ site.wrapping_mul(0x100_0000_01B3)) ^ purpose as u64,
    );
    Stream::seed_from_u64(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED: [u64; 2] = [12_481_877_439_221_664_988, 18_004_830_787_348_543_520];
    use rand::Rng;

    #[test]
    fn value_stability() {
        // Pinned: a change here changes every published result for a given seed.
        let mut r = stream(20_261_125, 0, 0, Purpose::Arrivals);
        let got = [r.next_u64(), r.next_u64()];
        assert_eq!(got, PINNED, "random streams changed: {got:?}");
    }

    #[test]
    fn streams_are_stable_and_distinct() {
        let a = stream(1, 0, 0, Purpose::Arrivals).next_u64();
        assert_eq!(a, stream(1, 0, 0, Purpose::Arrivals).next_u64());
        assert_ne!(a, stream(1, 1, 0, Purpose::Arrivals).next_u64());
        assert_ne!(a, stream(1, 0, 1, Purpose::Arrivals).next_u64());
        assert_ne!(a, stream(1, 0, 0, Purpose::Employees).next_u64());
        assert_ne!(a, stream(2, 0, 0, Purpose::Arrivals).next_u64());
    }
}
