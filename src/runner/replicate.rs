//! The one parallel loop: every study (run, sweep, validate, and what comes after) runs its
//! jobs here, so the determinism promise lives in one place.
//!
//! Jobs run `batch` at a time on the current rayon pool, and each batch's results are folded in
//! job order before the next batch starts: the fold sees exactly the sequence a single thread
//! would produce, on any thread count, and memory holds one batch of results at a time. An
//! interrupt stops jobs from starting; the fold then takes only the longest completed prefix,
//! so what was folded is exactly a shorter run's.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

/// A request to stop early, set from outside (a signal handler) and checked before each job
/// starts: jobs already running finish, later ones do not start. The default never stops.
#[derive(Debug, Clone, Copy, Default)]
pub struct Interrupt(Option<&'static AtomicBool>);

impl Interrupt {
    /// Stops when `flag` is set.
    pub fn on(flag: &'static AtomicBool) -> Interrupt {
        Interrupt(Some(flag))
    }

    /// Whether a stop has been requested.
    pub fn requested(self) -> bool {
        self.0.is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

impl PartialEq for Interrupt {
    /// Two interrupts are equal when they watch the same flag (or none).
    fn eq(&self, other: &Interrupt) -> bool {
        match (self.0, other.0) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        }
    }
}

/// Runs `run` on every job, `batch` jobs at a time in parallel, and folds each result in job
/// order with `fold`. After an interrupt only the longest prefix of completed jobs is folded.
/// Returns how many jobs were folded (all of them unless interrupted).
///
/// # Errors
///
/// The first error `fold` returns; jobs after it are not run.
pub fn replicate<J, T, E>(
    jobs: &[J],
    batch: usize,
    interrupt: Interrupt,
    run: impl Fn(&J) -> T + Sync,
    mut fold: impl FnMut(&J, T) -> Result<(), E>,
) -> Result<usize, E>
where
    J: Sync,
    T: Send,
{
    let mut folded = 0;
    for chunk in jobs.chunks(batch.max(1)) {
        let results: Vec<Option<T>> = chunk
            .par_iter()
            .map(|job| (!interrupt.requested()).then(|| run(job)))
            .collect();
        // A later job may have finished before an earlier one was skipped: keep the prefix.
        for (job, result) in chunk.iter().zip(results) {
            let Some(result) = result else {
                return Ok(folded);
            };
            fold(job, result)?;
            folded += 1;
        }
    }
    Ok(folded)
}

/// The number of threads `threads` means (0: every core).
pub fn thread_count(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}

/// Builds the worker pool every command runs on (`threads` 0: every core).
///
/// # Errors
///
/// Rayon's reason when the threads cannot be started.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, super::RunError> {
    let threads = thread_count(threads);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| super::RunError::ThreadPool { threads, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_in_job_order_whatever_the_threads() {
        let jobs: Vec<u64> = (0..103).collect();
        for threads in [1, 2, 5] {
            let mut seen = Vec::new();
            let n = pool(threads)
                .unwrap()
                .install(|| {
                    replicate(
                        &jobs,
                        8,
                        Interrupt::default(),
                        |j| j * j,
                        |j, t| {
                            seen.push((*j, t));
                            Ok::<(), ()>(())
                        },
                    )
                })
                .unwrap();
            assert_eq!(n, 103);
            assert_eq!(seen, jobs.iter().map(|j| (*j, j * j)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_interrupt_keeps_a_prefix_and_a_fold_error_stops() {
        static STOP: AtomicBool = AtomicBool::new(false);
        let jobs: Vec<u32> = (0..50).collect();
        let mut seen = Vec::new();
        let n = replicate(
            &jobs,
            4,
            Interrupt::on(&STOP),
            |&j| {
                if j == 9 {
                    STOP.store(true, Ordering::Relaxed);
                }
                j
            },
            |_, t| {
                seen.push(t);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        STOP.store(false, Ordering::Relaxed);
        assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
        assert!((10..=12).contains(&n), "folded {n}");
        let err = replicate(
            &jobs,
            4,
            Interrupt::default(),
            |&j| j,
            |_, t| {
                if t == 6 { Err(t) } else { Ok(()) }
            },
        );
        assert_eq!(err, Err(6));
    }
}
