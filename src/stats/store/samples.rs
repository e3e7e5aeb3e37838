//! [`Samples`]: every replication's row of values, the full blocks of rows in a temporary file
//! ([`super::spill`]) and the rest in memory, so memory stays the same however many
//! replications a run keeps.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::super::Quantiles;
use super::spill::{QUANTILE_CHUNK_BYTES, SPILL_BLOCK_BYTES, SpillError, SpillFile};

#[cfg(test)]
thread_local! {
    /// Rows per block of the stores made on this thread, overriding [`SPILL_BLOCK_BYTES`]
    /// (tests spill after a row or two).
    pub(crate) static TEST_BLOCK_ROWS: std::cell::Cell<Option<usize>> =
        const { std::cell::Cell::new(None) };
}

/// Rows per block for rows of `width` values: [`SPILL_BLOCK_BYTES`] of them, at least one.
fn default_block_rows(width: usize) -> usize {
    #[cfg(test)]
    if let Some(rows) = TEST_BLOCK_ROWS.get() {
        return rows;
    }
    (SPILL_BLOCK_BYTES / (8 * width.max(1))).max(1)
}

/// Every replication's value of `width` quantities: one row per replication, rows sorted by
/// replication index. The first rows are kept in a temporary file, a block of `block_rows`
/// rows at a time (each written as soon as it is full, quantity-major, see [`super::spill`]);
/// the rows after the last full block stay in memory. In files (a shard's `partial.json`) each
/// row is the base64 of its values' bit patterns, so the values come back bit for bit (NaN and
/// infinities included).
///
/// Rows may be pushed in any order: a row that belongs among the rows in memory goes in its
/// place, one that belongs among the blocks already written makes the store write itself again
/// with the row in its place (a run pushes its rows in order and never does). Clones share
/// the blocks written; a clone that writes another first copies them.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(try_from = "super::file::SamplesFile")]
pub struct Samples {
    /// Values per row.
    pub(super) width: usize,
    /// Replication index of each row, strictly ascending.
    pub(super) replications: Vec<u32>,
    /// Rows per block written to the file.
    pub(super) block_rows: usize,
    /// Where the file is made (None: the system's temporary folder).
    pub(super) dir: Option<PathBuf>,
    /// The file of full blocks, once one was written (shared by clones).
    pub(super) file: Option<Arc<SpillFile>>,
    /// Full blocks written: rows `0..blocks * block_rows` are in the file.
    pub(super) blocks: usize,
    /// The rows after those, one after another, in memory (fewer than `block_rows`).
    pub(super) tail: Vec<f64>,
}

impl Samples {
    /// No rows of `width` values.
    pub fn new(width: usize) -> Samples {
        Samples::with_capacity(width, 0)
    }

    /// No rows of `width` values, with memory for `rows` rows reserved up to a block's (a run
    /// knows how many it will keep: reserved once, the values in memory never move).
    pub fn with_capacity(width: usize, rows: usize) -> Samples {
        let mut s = Samples::spilling(width, default_block_rows(width), None);
        s.tail
            .reserve_exact(width.saturating_mul(rows.min(s.block_rows)));
        s
    }

    /// No rows of `width` values, writing every `block_rows` rows (at least 1) to a temporary
    /// file in `dir` (None: the system's temporary folder, `TMPDIR` on Unix).
    pub fn spilling(width: usize, block_rows: usize, dir: Option<PathBuf>) -> Samples {
        Samples {
            width,
            replications: Vec::new(),
            block_rows: block_rows.max(1),
            dir,
            file: None,
            blocks: 0,
            tail: Vec::new(),
        }
    }

    /// An empty store like this one: the same width, blocks and folder.
    fn empty_like(&self) -> Samples {
        Samples::spilling(self.width, self.block_rows, self.dir.clone())
    }

    /// Values per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Replication index of each row, ascending.
    pub fn replications(&self) -> &[u32] {
        &self.replications
    }

    /// Rows kept in the temporary file.
    pub fn spilled_rows(&self) -> usize {
        self.blocks * self.block_rows
    }

    /// Bytes of a block in the file.
    fn block_bytes(&self) -> u64 {
        (self.block_rows as u64) * (self.width as u64) * 8
    }

    /// The values, row after row: borrowed when every row is in memory, read from the file
    /// otherwise (see [`Samples::for_each_row`] for a way that bounds memory and returns
    /// errors).
    ///
    /// # Panics
    ///
    /// If the temporary file cannot be read.
    pub fn values(&self) -> Cow<'_, [f64]> {
        if self.blocks == 0 {
            return Cow::Borrowed(&self.tail);
        }
        let mut all = Vec::with_capacity(self.replications.len() * self.width);
        if let Err(e) = self.for_each_row(|_, row| all.extend_from_slice(row)) {
            panic!("{e}");
        }
        Cow::Owned(all)
    }

    /// Hands each row to `f` with its replication, in replication order, reading a block of
    /// the file at a time.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file cannot be read.
    pub fn for_each_row(&self, mut f: impl FnMut(u32, &[f64])) -> Result<(), SpillError> {
        let mut rows = Cursor::new(self);
        while let Some((r, row)) = rows.row()? {
            f(r, row);
            rows.advance();
        }
        Ok(())
    }

    /// Adds the row of `replication`, in its place among the rows, and writes a block to the
    /// temporary file when the rows in memory make one.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file cannot be created or written (a full disk); the
    /// row is then kept in memory.
    ///
    /// # Panics
    ///
    /// If `row` is not `width` values long, or `replication` already has a row.
    pub fn push(&mut self, replication: u32, row: &[f64]) -> Result<(), SpillError> {
        assert_eq!(row.len(), self.width, "a row of {} values", self.width);
        match self.replications.last() {
            Some(&last) if last >= replication => {
                let at = match self.replications.binary_search(&replication) {
                    Ok(_) => panic!("replication {replication} is already stored"),
                    Err(at) => at,
                };
                let first_in_memory = self.spilled_rows();
                if at < first_in_memory {
                    // Among the rows written: the store is written again with it in its place.
                    let mut one = self.empty_like();
                    one.push(replication, row)?;
                    return self.merge_many(vec![one]);
                }
                self.replications.insert(at, replication);
                let k = (at - first_in_memory) * self.width;
                self.tail.splice(k..k, row.iter().copied());
            }
            _ => {
                self.replications.push(replication);
                self.tail.extend_from_slice(row);
            }
        }
        // (More than a block in memory only after a write failed.)
        while self.width > 0 && self.tail.len() >= self.block_rows * self.width {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the first `block_rows` rows in memory to the file as its next block.
    fn spill(&mut self) -> Result<(), SpillError> {
        let offset = self.blocks as u64 * self.block_bytes();
        let file = match self.file.take() {
            None => Arc::new(SpillFile::create(self.dir.as_deref())?),
            Some(mut shared) => {
                if Arc::get_mut(&mut shared).is_none() {
                    // A clone holds the blocks too: it keeps the file, this store a copy.
                    match shared.copy(offset) {
                        Ok(copy) => shared = Arc::new(copy),
                        Err(e) => {
                            self.file = Some(shared);
                            return Err(e);
                        }
                    }
                }
                shared
            }
        };
        let n = self.block_rows * self.width;
        let written = file.write_block(offset, &self.tail[..n], self.width, self.block_rows);
        self.file = Some(file);
        written?;
        self.blocks += 1;
        self.tail.drain(..n);
        Ok(())
    }

    /// Adds the rows of `other` (other replications of the same quantities), keeping rows in
    /// replication order: the result is the same whatever the order shards are merged in.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if a temporary file cannot be read or written; the rows this store then
    /// holds are unspecified.
    ///
    /// # Panics
    ///
    /// If the widths differ or a replication is in both.
    pub fn merge(&mut self, other: Samples) -> Result<(), SpillError> {
        self.merge_many(vec![other])
    }

    /// Adds the rows of every one of `others`, as [`Samples::merge`] does one: read once
    /// each, whatever how their replications interleave (shards' do, `r % N`).
    ///
    /// # Errors
    ///
    /// As [`Samples::merge`].
    ///
    /// # Panics
    ///
    /// As [`Samples::merge`].
    pub fn merge_many(&mut self, others: Vec<Samples>) -> Result<(), SpillError> {
        for o in &others {
            assert_eq!(self.width, o.width, "samples of different widths");
        }
        let template = self.empty_like();
        let mut parts: Vec<Samples> = std::iter::once(std::mem::replace(self, template))
            .chain(others)
            .filter(|p| !p.replications.is_empty())
            .collect();
        parts.sort_by_key(|p| p.replications[0]);
        let one_after_another = parts
            .windows(2)
            .all(|w| w[0].replications.last() < w[1].replications.first());
        if one_after_another {
            // The common case of a run extended by later replications: appended in order.
            let mut parts = parts.into_iter();
            let mut out = match parts.next() {
                Some(first) if first.block_rows == self.block_rows => first,
                Some(first) => {
                    let mut out = self.empty_like();
                    out.append(&first)?;
                    out
                }
                None => return Ok(()),
            };
            for p in parts {
                out.append(&p)?;
            }
            *self = out;
            return Ok(());
        }
        // Interleaved: every part read once, the next row always the lowest replication left.
        let mut out = self.empty_like();
        let mut cursors: Vec<Cursor<'_>> = parts.iter().map(Cursor::new).collect();
        loop {
            let mut next: Option<(usize, u32)> = None;
            for (i, c) in cursors.iter().enumerate() {
                let Some(r) = c.replication() else { continue };
                match next {
                    Some((_, lowest)) if lowest < r => {}
                    Some((_, lowest)) if lowest == r => panic!("a replication is stored twice"),
                    _ => next = Some((i, r)),
                }
            }
            let Some((i, r)) = next else { break };
            if let Some((_, row)) = cursors[i].row()? {
                out.push(r, row)?;
            }
            cursors[i].advance();
        }
        drop(cursors);
        *self = out;
        Ok(())
    }

    /// Pushes every row of `other`, whose replications all come after this store's.
    fn append(&mut self, other: &Samples) -> Result<(), SpillError> {
        let mut rows = Cursor::new(other);
        while let Some((r, row)) = rows.row()? {
            self.push(r, row)?;
            rows.advance();
        }
        Ok(())
    }

    /// Mean and percentiles of each quantity over the rows (NaN values left out; see
    /// [`Quantiles::of`]), in quantity order. Quantities are summarised a chunk of adjacent
    /// ones at a time (every replication's value of them in memory, at most about
    /// [`QUANTILE_CHUNK_BYTES`]: one segment of each block of the file), each on its own and in
    /// parallel: the result does not depend on the thread count or on the blocks.
    ///
    /// # Errors
    ///
    /// [`SpillError`] if the temporary file cannot be read.
    pub fn quantiles(&self) -> Result<Vec<Quantiles>, SpillError> {
        let rows = self.replications.len();
        if rows == 0 {
            return Ok(vec![Quantiles::UNDEFINED; self.width]);
        }
        let chunk = (QUANTILE_CHUNK_BYTES / (8 * rows)).clamp(1, self.width.max(1));
        let (b, first_in_memory) = (self.block_rows, self.spilled_rows());
        let mut out = Vec::with_capacity(self.width);
        let mut columns = Vec::new();
        for first in (0..self.width).step_by(chunk) {
            let n = chunk.min(self.width - first);
            // Quantity c's values at columns[c * rows..][..rows], in replication order.
            columns.clear();
            columns.resize(n * rows, 0.0);
            if let Some(file) = &self.file {
                for block in 0..self.blocks {
                    let at = block as u64 * self.block_bytes() + (first * b * 8) as u64;
                    file.read_values(at, n * b, |i, x| {
                        columns[(i / b) * rows + block * b + i % b] = x;
                    })?;
                }
            }
            for (r, row) in self.tail.chunks_exact(self.width).enumerate() {
                for (c, &x) in row[first..first + n].iter().enumerate() {
                    columns[c * rows + first_in_memory + r] = x;
                }
            }
            let summaries: Vec<Quantiles> =
                columns.par_chunks_mut(rows).map(Quantiles::of).collect();
            out.extend(summaries);
        }
        Ok(out)
    }
}

impl PartialEq for Samples {
    /// The same replications with the same values, bit for bit (so NaN equals NaN and -0 does
    /// not equal +0): what "the same result" means for a run. Stores whose files cannot be
    /// read are not equal.
    fn eq(&self, other: &Samples) -> bool {
        if self.width != other.width || self.replications != other.replications {
            return false;
        }
        let (mut a, mut b) = (Cursor::new(self), Cursor::new(other));
        loop {
            match (a.row(), b.row()) {
                (Ok(Some((_, x))), Ok(Some((_, y)))) => {
                    if !x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()) {
                        return false;
                    }
                }
                (Ok(None), Ok(None)) => return true,
                _ => return false,
            }
            a.advance();
            b.advance();
        }
    }
}

/// Reads the rows of a [`Samples`] in order, a block of the file at a time.
pub(super) struct Cursor<'a> {
    /// The store read.
    samples: &'a Samples,
    /// The next row.
    next: usize,
    /// The block loaded, row after row.
    block: Vec<f64>,
    /// Which block that is.
    loaded: Option<usize>,
}

impl<'a> Cursor<'a> {
    /// Before the first row of `samples`.
    pub(super) fn new(samples: &'a Samples) -> Cursor<'a> {
        Cursor {
            samples,
            next: 0,
            block: Vec::new(),
            loaded: None,
        }
    }

    /// The replication of the next row (None at the end).
    pub(super) fn replication(&self) -> Option<u32> {
        self.samples.replications.get(self.next).copied()
    }

    /// The next row and its replication (None at the end), loading its block if need be.
    pub(super) fn row(&mut self) -> Result<Option<(u32, &[f64])>, SpillError> {
        let s = self.samples;
        let Some(r) = self.replication() else {
            return Ok(None);
        };
        let (w, b) = (s.width, s.block_rows);
        let first_in_memory = s.spilled_rows();
        if self.next >= first_in_memory {
            let at = (self.next - first_in_memory) * w;
            return Ok(Some((r, &s.tail[at..at + w])));
        }
        let block = self.next / b;
        if self.loaded != Some(block) {
            self.loaded = None;
            self.block.resize(b * w, 0.0);
            if let Some(file) = &s.file {
                let rows = &mut self.block;
                // Quantity-major in the file: value i is quantity i / b of row i % b.
                file.read_values(block as u64 * s.block_bytes(), b * w, |i, x| {
                    rows[(i % b) * w + i / b] = x;
                })?;
            }
            self.loaded = Some(block);
        }
        let at = (self.next % b) * w;
        Ok(Some((r, &self.block[at..at + w])))
    }

    /// Moves past the next row.
    pub(super) fn advance(&mut self) {
        self.next += 1;
    }
}
