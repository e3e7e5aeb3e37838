//! The raw kernel: the floor the engine's cost is measured against. It does, per encounter,
//! the random draws and the satisfaction update the engine does, over plain arrays, with no
//! queue, no servers, no agents' other state and no bookkeeping. Benchmarks report the engine's
//! cost per encounter as a ratio to this.

use rand::Rng;

use chainsim::engine::rng::{Purpose, encounter_word, stream};
use chainsim::engine::sample::{AliasTable, WordRng, exp1_fast, unit};

/// Simulates `encounters` encounters over `customers` customers (seeded by `seed`) and returns
/// a checksum, so the work cannot be optimised away.
pub(crate) fn raw_kernel(encounters: u64, customers: usize, seed: u64) -> f64 {
    let mut rng = stream(seed, 0, 0, Purpose::Arrivals);
    let key = stream(seed, 0, 0, Purpose::Encounters).next_u64();
    let weights: Vec<f64> = (0..customers).map(|i| 1.0 + (i % 7) as f64).collect();
    let alias = AliasTable::new(&weights);
    let mut satisfaction = vec![70.0f64; customers];
    let mut expectation = vec![70.0f64; customers];
    let mut clock = 0.0;
    let mut checksum = 0.0;
    for n in 0..encounters {
        // The same draws as an encounter: arrival gap, who arrives, service time, outcome.
        clock += exp1_fast(&mut rng) * 30.0;
        let slot = alias.pick(rng.next_u64());
        let service = exp1_fast(&mut WordRng::new(encounter_word(key, n, 1))) * 600.0;
        let ok = unit(encounter_word(key, n, 2)) < 0.97;
        // Disconfirmation and adaptation, as in the engine.
        let quality = if ok { 80.0 } else { 10.0 } - service * 1e-3;
        let e = expectation[slot];
        let evaluation = (quality + 0.5 * (quality - e)).clamp(0.0, 100.0);
        satisfaction[slot] += 0.3 * (evaluation - satisfaction[slot]);
        expectation[slot] = e + 0.05 * (quality - e);
        checksum += satisfaction[slot];
    }
    checksum + clock
}
