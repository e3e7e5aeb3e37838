//! The queue of a site's prospects waiting to join: each has a place fixed while it waits
//! (a hash of its slot and how often the slot was filled), and acquisition takes the smallest
//! first, so every arm acquires the same people as far as its counts allow.
//!
//! An 8-ary min-heap of one word per prospect: the place's high bits with the slot in the low
//! bits. A pop reads one cache line of children per level (about five levels for 50,000
//! prospects), a push usually none: a loss or an acquisition costs about as much as an
//! encounter whatever the size of the market, where a binary heap of two-word entries cost
//! several (BENCHMARKS.md, issue 19).

/// Children per node.
const ARITY: usize = 8;

/// A site's prospects, ordered by their place in the queue to join.
#[derive(Debug, Clone, Default)]
pub struct ProspectQueue {
    /// The heap: entry `k`'s children are `ARITY * k + 1 ..= ARITY * k + ARITY`.
    entries: Vec<u64>,
    /// The low bits of an entry that hold the slot.
    slot_mask: u64,
}

impl ProspectQueue {
    /// An empty queue for a market of `market` slots.
    pub fn new(market: usize) -> ProspectQueue {
        ProspectQueue {
            entries: Vec::new(),
            slot_mask: (1u64 << (usize::BITS - market.saturating_sub(1).leading_zeros())) - 1,
        }
    }

    /// Prospects waiting.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of `slot` at place `key`: the key's high bits, then the slot. Two prospects
    /// whose keys agree in every high bit are ordered by slot.
    fn entry(&self, key: u64, slot: usize) -> u64 {
        self.kept_bits(key) | slot as u64
    }

    /// Adds `slot` at place `key`.
    pub fn push(&mut self, key: u64, slot: usize) {
        let entry = self.entry(key, slot);
        let mut k = self.entries.len();
        self.entries.push(entry);
        while k > 0 {
            let parent = (k - 1) / ARITY;
            if self.entries[parent] <= entry {
                break;
            }
            self.entries[k] = self.entries[parent];
            k = parent;
        }
        self.entries[k] = entry;
    }

    /// Takes the slot first in the queue.
    pub fn pop(&mut self) -> Option<usize> {
        let last = self.entries.pop()?;
        let n = self.entries.len();
        let first = if n == 0 {
            last
        } else {
            let first = self.entries[0];
            let mut k = 0;
            loop {
                let from = ARITY * k + 1;
                if from >= n {
                    break;
                }
                let children = &self.entries[from..(from + ARITY).min(n)];
                let (mut best, mut least) = (0, children[0]);
                for (c, &e) in children.iter().enumerate().skip(1) {
                    if e < least {
                        (best, least) = (c, e);
                    }
                }
                if last <= least {
                    break;
                }
                self.entries[k] = least;
                k = from + best;
            }
            self.entries[k] = last;
            first
        };
        Some((first & self.slot_mask) as usize)
    }

    /// Every waiting slot with its entry's key bits (the key with its low bits cleared), in
    /// no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let low = self.slot_mask;
        self.entries
            .iter()
            .map(move |&e| ((e & low) as usize, e & !low))
    }

    /// The key bits an entry keeps of `key` (for checking an entry against its key).
    pub fn kept_bits(&self, key: u64) -> u64 {
        key & !self.slot_mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Pops come in the order of (kept key bits, slot), whatever the pushes and pops
        /// between them.
        #[test]
        fn pops_in_key_order(
            market in 1usize..5_000,
            ops in prop::collection::vec((any::<u64>(), 0usize..5_000, 0u8..3), 0..400),
        ) {
            let mut q = ProspectQueue::new(market);
            let mut reference: Vec<(u64, usize)> = Vec::new();
            for (key, slot, op) in ops {
                let slot = slot % market;
                if op == 0 {
                    let got = q.pop();
                    reference.sort_unstable();
                    let want = if reference.is_empty() { None } else { Some(reference.remove(0).1) };
                    prop_assert_eq!(got, want);
                } else {
                    q.push(key, slot);
                    reference.push((q.kept_bits(key), slot));
                }
                prop_assert_eq!(q.len(), reference.len());
            }
            reference.sort_unstable();
            for (_, slot) in reference {
                prop_assert_eq!(q.pop(), Some(slot));
            }
            prop_assert_eq!(q.pop(), None);
        }
    }

    #[test]
    fn a_market_of_one_keeps_its_slot() {
        let mut q = ProspectQueue::new(1);
        q.push(u64::MAX, 0);
        q.push(0, 0);
        assert_eq!((q.pop(), q.pop(), q.pop()), (Some(0), Some(0), None));
    }
}
