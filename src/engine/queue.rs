//! The calendar: a priority queue of events ordered by (time, insertion sequence).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

#[derive(Clone)]
struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (time, seq) on top.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A queue of future events. Events at equal times come out in the order they were pushed
/// (FIFO, by an insertion counter), so a run never depends on heap internals.
///
/// The clock never goes back: pushing an event earlier than the last one popped is refused.
#[derive(Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    now: SimTime,
}

/// An event pushed into the past: a model bug, reported rather than silently reordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event scheduled in the past: at {at} while the clock is at {now}")]
pub struct PastEventError {
    /// When the event was asked for.
    pub at: SimTime,
    /// The clock when it was pushed.
    pub now: SimTime,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue with the clock at zero.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            now: SimTime(0),
        }
    }

    /// Schedules `event` at `time`, which may equal but not precede the clock.
    pub fn push(&mut self, time: SimTime, event: E) -> Result<(), PastEventError> {
        if time < self.now {
            return Err(PastEventError {
                at: time,
                now: self.now,
            });
        }
        self.heap.push(Entry {
            time,
            seq: self.next_seq,
            event,
        });
        self.next_seq += 1;
        Ok(())
    }

    /// Removes the earliest event and advances the clock to it.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Entry { time, event, .. } = self.heap.pop()?;
        self.now = time;
        Some((time, event))
    }

    /// The time of the last event popped.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no events are pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_are_fifo_and_time_orders() {
        let mut q = EventQueue::new();
        q.push(SimTime(5), 'a').unwrap();
        q.push(SimTime(3), 'b').unwrap();
        q.push(SimTime(5), 'c').unwrap();
        q.push(SimTime(3), 'd').unwrap();
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
    }

    #[test]
    fn past_events_are_refused() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), ()).unwrap();
        q.pop();
        assert_eq!(
            q.push(SimTime(9), ()),
            Err(PastEventError {
                at: SimTime(9),
                now: SimTime(10)
            })
        );
        assert!(q.push(SimTime(10), ()).is_ok());
    }
}
