//! The only file I/O helpers: size-capped reads and atomic writes. Every output is written to a
//! temporary name beside its target and renamed into place, so a failed or interrupted write
//! never leaves a half-written file over a good one.

use std::fs;
use std::io::{Read as _, Write};
use std::path::{Path, PathBuf};

/// The largest input file read (a scenario, a sweep file, a shard's result): a bound that keeps
/// a wrong path (a disk image, say) from being read into memory.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// A file or directory could not be written.
    #[error("cannot write '{}': {source}", path.display())]
    Write {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A file could not be read or is not what it should be.
    #[error("cannot read '{}': {reason}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl FileError {
    /// A write error for `path` from the operating system's `source`.
    pub fn write(path: &Path, source: std::io::Error) -> FileError {
        FileError::Write {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A read error for `path`, saying why.
    pub fn read(path: &Path, reason: impl std::fmt::Display) -> FileError {
        FileError::Read {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// Reads a text file of at most [`MAX_FILE_BYTES`].
///
/// # Errors
///
/// The operating system's error, or `FileTooLarge` for a larger file.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "expected a file of at most {} MiB, found a larger one",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(text)
}

/// Creates `dir` and its parents.
///
/// # Errors
///
/// [`FileError::Write`] naming `dir`.
pub fn create_dir(dir: &Path) -> Result<(), FileError> {
    fs::create_dir_all(dir).map_err(|e| FileError::write(dir, e))
}

/// Writes `contents` to `path` atomically: to a temporary file beside it, synced, then renamed
/// over `path`. On failure (a full disk, say) the temporary file is removed and `path` keeps
/// what it held.
///
/// # Errors
///
/// [`FileError::Write`] naming `path`.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    write_atomic_with(path, |w| w.write_all(contents))
}

/// Writes to `path` atomically what `write` puts into a buffered writer, as [`write_atomic`]
/// does: for a file too large to hold as one text first.
///
/// # Errors
///
/// [`FileError::Write`] naming `path`.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), FileError> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let written = fs::File::create(&tmp)
        .and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            let f = w
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            // Synced before the rename, so a crash cannot leave an empty file under the name.
            f.sync_all()
        })
        .and_then(|()| fs::rename(&tmp, path));
    written.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        FileError::write(path, source)
    })
}

/// A file written line by line under a temporary name and renamed into place by
/// [`StreamedFile::finish`]: what a long computation appends to as it goes (`sweep.csv`).
/// Dropped unfinished, it leaves the temporary file (the rows completed) and never the target.
pub struct StreamedFile {
    target: PathBuf,
    partial: PathBuf,
    writer: std::io::BufWriter<fs::File>,
}

impl StreamedFile {
    /// Starts writing `target` (as `<target>.partial` until finished).
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] if the temporary file cannot be created.
    pub fn create(target: &Path) -> Result<StreamedFile, FileError> {
        let mut partial = target.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = fs::File::create(&partial).map_err(|e| FileError::write(&partial, e))?;
        Ok(StreamedFile {
            target: target.to_path_buf(),
            partial,
            writer: std::io::BufWriter::new(file),
        })
    }

    /// Appends `line` and a line break.
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] naming the temporary file.
    pub fn line(&mut self, line: &str) -> Result<(), FileError> {
        writeln!(self.writer, "{line}").map_err(|e| FileError::write(&self.partial, e))
    }

    /// Pushes what is buffered to the operating system (after each block of rows).
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] naming the temporary file.
    pub fn flush(&mut self) -> Result<(), FileError> {
        self.writer
            .flush()
            .map_err(|e| FileError::write(&self.partial, e))
    }

    /// Syncs the file and renames it to its target.
    ///
    /// # Errors
    ///
    /// [`FileError::Write`] naming the temporary file.
    pub fn finish(self) -> Result<(), FileError> {
        let partial = self.partial;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| FileError::write(&partial, e.into_error()))?;
        file.sync_all().map_err(|e| FileError::write(&partial, e))?;
        fs::rename(&partial, &self.target).map_err(|e| FileError::write(&partial, e))
    }
}
