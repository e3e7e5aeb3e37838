//! Every replication's value of many quantities (a run's weekly cells), kept so their
//! percentiles are exact, or, for a run past its budget, one sketch per quantity.
//!
//! [`Samples`] keeps a row of values per replication, rows in replication order: pushing
//! replications in any order, or merging shards that each hold every N-th replication, gives
//! the same rows, so every figure is the same bit for bit on any thread count and any sharding.
//! Percentiles are Hyndman & Fan's type 7 ([`super::quantile_sorted`]) over the defined (not NaN)
//! values; means are summed in replication order ([`super::mean_in_order`]). Full blocks of rows
//! go to an anonymous temporary file ([`spill`]), so memory does not grow with replications:
//! a block of rows in memory per store, and a chunk of quantities' values while percentiles are
//! computed; the file takes 8 bytes a value.
//!
//! [`QuantileStore`] is that or its fallback, a [`Sketch`] per quantity (bounded memory and
//! disk; error bound in [`super::sketch`]). Which one a run uses is decided from its size alone
//! (see `runner::memory`), so every shard of a run makes the same choice; kept values can be
//! turned into the very sketches they would have made ([`QuantileStore::to_sketch`]).

use serde::{Deserialize, Serialize};

use super::Quantiles;
use super::sketch::Sketch;

mod file;
mod samples;
pub mod spill;
#[cfg(test)]
mod tests;

pub use file::SamplesError;
pub use samples::Samples;
pub use spill::SpillError;

#[cfg(test)]
pub(crate) use samples::TEST_BLOCK_ROWS;

/// How percentiles across replications are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileMethod {
    /// Every value kept: exact type-7 percentiles.
    Exact,
    /// A DDSketch per quantity, clamped into its exact [min, max]: bounded memory, within the
    /// sketch's stated error.
    Sketch,
}

impl QuantileMethod {
    /// The method's name as files write it: `exact` or `sketch`.
    pub fn name(self) -> &'static str {
        match self {
            QuantileMethod::Exact => "exact",
            QuantileMethod::Sketch => "sketch",
        }
    }
}

/// Every replication's value of some quantities, or a sketch of each: what a run keeps of its
/// weekly cells, by [`QuantileMethod`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileStore {
    /// Every value ([`QuantileMethod::Exact`]).
    Exact(Samples),
    /// A sketch per quantity ([`QuantileMethod::Sketch`]).
    Sketched(Vec<Sketch>),
}

impl QuantileStore {
    /// An empty store of `width` quantities, kept as `method` says.
    pub fn new(method: QuantileMethod, width: usize) -> QuantileStore {
        QuantileStore::with_capacity(method, width, 0)
    }

    /// An empty store of `width` quantities, kept as `method` says, with memory for the values
    /// of `rows` replications (up to a block of them) when they are kept.
    pub fn with_capacity(method: QuantileMethod, width: usize, rows: usize) -> QuantileStore {
        match method {
            QuantileMethod::Exact => QuantileStore::Exact(Samples::with_capacity(width, rows)),
            QuantileMethod::Sketch => QuantileStore::Sketched(vec![Sketch::default(); width]),
        }
    }

    /// Quantities stored.
    pub fn width(&self) -> usize {
        match self {
            QuantileStore::Exact(s) => s.width(),
            QuantileStore::Sketched(cells) => cells.len(),
        }
    }

    /// The replications whose values are kept, ascending (None for sketches, which do not say).
    pub fn replications(&self) -> Option<&[u32]> {
        match self {
            QuantileStore::Exact(s) => Some(s.replications()),
            QuantileStore::Sketched(_) => None,
        }
    }

    /// How this store computes percentiles.
    pub fn method(&self) -> QuantileMethod {
        match self {
            QuantileStore::Exact(_) => QuantileMethod::Exact,
            QuantileStore::Sketched(_) => QuantileMethod::Sketch,
        }
    }

    /// Adds replication `replication`'s value of every quantity.
    ///
    /// # Errors
    ///
    /// As [`Samples::push`]: the temporary file of kept values cannot be written.
    ///
    /// # Panics
    ///
    /// As [`Samples::push`] does.
    pub fn push(&mut self, replication: u32, row: &[f64]) -> Result<(), SpillError> {
        match self {
            QuantileStore::Exact(s) => s.push(replication, row)?,
            QuantileStore::Sketched(cells) => {
                assert_eq!(row.len(), cells.len(), "a row of {} values", cells.len());
                for (cell, &x) in cells.iter_mut().zip(row) {
                    cell.add(x);
                }
            }
        }
        Ok(())
    }

    /// Adds another share of the replications (exact, whatever the order).
    ///
    /// # Errors
    ///
    /// As [`Samples::merge`]: a temporary file of kept values cannot be read or written.
    ///
    /// # Panics
    ///
    /// If the two stores use different methods or widths (shards of one run never do: check
    /// before merging what came from elsewhere).
    pub fn merge(&mut self, other: QuantileStore) -> Result<(), SpillError> {
        self.merge_many(vec![other])
    }

    /// Adds other shares of the replications, as [`QuantileStore::merge`] does one (kept
    /// values are read once each, however the shares' replications interleave).
    ///
    /// # Errors
    ///
    /// As [`QuantileStore::merge`].
    ///
    /// # Panics
    ///
    /// As [`QuantileStore::merge`].
    pub fn merge_many(&mut self, others: Vec<QuantileStore>) -> Result<(), SpillError> {
        match self {
            QuantileStore::Exact(a) => {
                let others = others
                    .into_iter()
                    .map(|o| match o {
                        QuantileStore::Exact(b) => b,
                        QuantileStore::Sketched(_) => {
                            panic!("cannot merge exact values with sketches")
                        }
                    })
                    .collect();
                a.merge_many(others)
            }
            QuantileStore::Sketched(a) => {
                for o in others {
                    let QuantileStore::Sketched(b) = o else {
                        panic!("cannot merge exact values with sketches")
                    };
                    assert_eq!(a.len(), b.len(), "sketches of different widths");
                    for (x, y) in a.iter_mut().zip(&b) {
                        x.merge(y);
                    }
                }
                Ok(())
            }
        }
    }

    /// Turns kept values into a sketch per quantity (nothing to do if already sketched). The
    /// sketches are those the values would have made added one by one, in any order: a store
    /// converted part way through a run equals one that sketched from the start.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file of kept values cannot be read (the store is then
    /// left as it was).
    pub fn to_sketch(&mut self) -> Result<(), SpillError> {
        if let QuantileStore::Exact(s) = self {
            let mut cells = vec![Sketch::default(); s.width()];
            s.for_each_row(|_, row| {
                for (cell, &x) in cells.iter_mut().zip(row) {
                    cell.add(x);
                }
            })?;
            *self = QuantileStore::Sketched(cells);
        }
        Ok(())
    }

    /// Mean and percentiles of each quantity, in quantity order.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file of kept values cannot be read.
    pub fn quantiles(&self) -> Result<Vec<Quantiles>, SpillError> {
        match self {
            QuantileStore::Exact(s) => s.quantiles(),
            QuantileStore::Sketched(cells) => Ok(cells
                .iter()
                .map(|c| Quantiles {
                    count: c.count,
                    mean: c.mean(),
                    p: super::PERCENTILES.map(|q| c.quantile(q)),
                })
                .collect()),
        }
    }
}
