//! The temporary file a [`super::Samples`] writes its full blocks of rows to, so that a run's
//! memory does not grow with its replications.
//!
//! The file is created with [`tempfile::tempfile_in`]: unlinked at once (or deleted on close
//! where the system cannot), so nothing is left behind by a run that ends, fails or is killed.
//! A block is `rows` rows of `width` values written transposed, quantity-major: for each
//! quantity, its values in the block's rows in replication order, each the little-endian bytes
//! of its bit pattern. The values of a run of adjacent quantities are then one contiguous
//! segment of each block, which is what computing their percentiles reads.
//!
//! Every read and write names its offset (the file is shared between clones of a store, and
//! may be read from several threads), and every failure is a [`SpillError`] saying what could
//! not be done and where: a full disk is an error, never a panic.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bytes of rows a store keeps in memory before it writes them to its temporary file as one
/// block (at least one row).
pub const SPILL_BLOCK_BYTES: usize = 2 << 20;

/// Bytes of values the percentiles of a chunk of adjacent quantities are computed from at
/// once: every replication's value of each quantity in the chunk (at least one quantity).
pub const QUANTILE_CHUNK_BYTES: usize = 4 << 20;

/// Bytes read or written by one call: the scratch a block's transposition needs.
const PIECE_BYTES: usize = 256 << 10;

/// The temporary file of a store's replications' values could not be created, written or read.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot {doing} the temporary file that keeps every replication's values for exact percentiles (in {}): {source}",
    dir.display()
)]
pub struct SpillError {
    /// What was being done: "create", "write", "read".
    doing: &'static str,
    /// The folder of the file.
    dir: PathBuf,
    /// The operating system's reason.
    source: io::Error,
}

impl SpillError {
    /// The operating system's reason.
    pub fn io(&self) -> &io::Error {
        &self.source
    }
}

/// An anonymous temporary file of blocks of values.
#[derive(Debug)]
pub(super) struct SpillFile {
    /// The file, behind a lock so a read or write (a seek, then the transfer) is one step.
    file: Mutex<File>,
    /// Where it is (for messages).
    dir: PathBuf,
}

impl SpillFile {
    /// A new empty file in `dir` (the system's temporary folder, `TMPDIR` on Unix, if None).
    pub(super) fn create(dir: Option<&Path>) -> Result<SpillFile, SpillError> {
        let dir = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
        match tempfile::tempfile_in(&dir) {
            Ok(file) => Ok(SpillFile {
                file: Mutex::new(file),
                dir,
            }),
            Err(source) => Err(SpillError {
                doing: "create",
                dir,
                source,
            }),
        }
    }

    /// The error of doing `doing` with this file.
    fn error(&self, doing: &'static str, source: io::Error) -> SpillError {
        SpillError {
            doing,
            dir: self.dir.clone(),
            source,
        }
    }

    /// Writes `bytes` at `offset`.
    fn write_at(&self, offset: u64, bytes: &[u8]) -> Result<(), SpillError> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.write_all(bytes))
            .map_err(|e| self.error("write", e))
    }

    /// Fills `buf` from `offset`.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), SpillError> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(buf))
            .map_err(|e| self.error("read", e))
    }

    /// Writes `rows` (`block_rows` rows of `width` values, row after row) at `offset` as one
    /// block: transposed, quantity after quantity.
    pub(super) fn write_block(
        &self,
        offset: u64,
        rows: &[f64],
        width: usize,
        block_rows: usize,
    ) -> Result<(), SpillError> {
        debug_assert_eq!(rows.len(), width * block_rows);
        let mut piece = Vec::with_capacity(PIECE_BYTES.min(rows.len() * 8));
        let mut at = offset;
        for cell in 0..width {
            for r in 0..block_rows {
                piece.extend_from_slice(&rows[r * width + cell].to_bits().to_le_bytes());
                if piece.len() >= PIECE_BYTES {
                    self.write_at(at, &piece)?;
                    at += piece.len() as u64;
                    piece.clear();
                }
            }
        }
        if !piece.is_empty() {
            self.write_at(at, &piece)?;
        }
        Ok(())
    }

    /// Reads `count` values from `offset` and hands each to `put` with its index (0 for the
    /// value at `offset`).
    pub(super) fn read_values(
        &self,
        offset: u64,
        count: usize,
        mut put: impl FnMut(usize, f64),
    ) -> Result<(), SpillError> {
        let mut piece = vec![0u8; PIECE_BYTES.min(count * 8)];
        let mut done = 0;
        while done < count {
            let n = (count - done).min(PIECE_BYTES / 8);
            let bytes = &mut piece[..n * 8];
            self.read_at(offset + done as u64 * 8, bytes)?;
            for (i, b) in bytes.chunks_exact(8).enumerate() {
                let mut le = [0u8; 8];
                le.copy_from_slice(b);
                put(done + i, f64::from_bits(u64::from_le_bytes(le)));
            }
            done += n;
        }
        Ok(())
    }

    /// A new file in the same folder holding this one's first `bytes` bytes: the copy a store
    /// makes before it writes to a file it shares with a clone.
    pub(super) fn copy(&self, bytes: u64) -> Result<SpillFile, SpillError> {
        let copy = SpillFile::create(Some(&self.dir))?;
        let mut piece = vec![0u8; PIECE_BYTES];
        let mut at = 0u64;
        while at < bytes {
            let n = usize::try_from(bytes - at).map_or(PIECE_BYTES, |left| left.min(PIECE_BYTES));
            self.read_at(at, &mut piece[..n])?;
            copy.write_at(at, &piece[..n])?;
            at += n as u64;
        }
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_written_quantity_major_and_read_back_bit_for_bit() {
        let f = SpillFile::create(None).unwrap();
        // 3 rows of 2 values: row r is [10 r, 10 r + 1].
        let rows = [0.0, 1.0, 10.0, f64::NAN, -0.0, f64::NEG_INFINITY];
        f.write_block(8, &rows, 2, 3).unwrap();
        let mut back = vec![7.0; 6];
        f.read_values(8, 6, |i, x| back[i] = x).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let want = [0.0, 10.0, -0.0, 1.0, f64::NAN, f64::NEG_INFINITY];
        assert_eq!(bits(&back), bits(&want));
        // A copy holds the same bytes; reading past the end is an error, not a panic.
        let c = f.copy(8 + 48).unwrap();
        c.read_values(8, 6, |i, x| back[i] = x).unwrap();
        assert_eq!(bits(&back), bits(&want));
        let e = c.read_values(8, 7, |_, _| {}).unwrap_err();
        assert_eq!(e.io().kind(), io::ErrorKind::UnexpectedEof);
        assert!(
            e.to_string().starts_with("cannot read the temporary file"),
            "{e}"
        );
    }

    #[test]
    fn a_folder_that_cannot_hold_the_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("not-there");
        let e = SpillFile::create(Some(&missing)).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("cannot create the temporary file"),
            "{text}"
        );
        assert!(text.contains(&missing.display().to_string()), "{text}");
    }
}
