//! The only file I/O helpers: size-capped reads, atomic writes, output folders written as a unit
//! ([`staging`]) and the one function that turns a name into a folder name
//! ([`safe_folder_name`]). Every output is written to a temporary name beside its target and
//! renamed into place, so a failed or interrupted write never leaves a half-written file over a
//! good one.

pub mod staging;

use std::fs;
use std::io::{Read as _, Write};
use std::path::{Path, PathBuf};

/// The largest input file read (a scenario, a sweep file, a shard's result): a bound that keeps
/// a wrong path (a disk image, say) from being read into memory.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The longest name (a scenario's, an arm's, a sweep's) in characters: names appear in folder
/// names, tables, charts and messages, and a page-long one is a mistake.
pub const MAX_NAME_CHARS: usize = 100;

/// The longest folder name [`safe_folder_name`] makes, in bytes (all ASCII).
pub const MAX_FOLDER_NAME_BYTES: usize = 64;

/// Whether `c` may not appear in a name: control characters (C0, DEL, C1: they move the cursor,
/// ring the bell or recolour a terminal) and the invisible formatting characters that reorder
/// or hide text (bidirectional overrides and isolates such as U+202E, zero-width characters,
/// the byte-order mark).
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Why `name` cannot be a scenario's, arm's or sweep's name, if it cannot: longer than
/// [`MAX_NAME_CHARS`], or holding a control or invisible formatting character
/// ([`is_hidden_char`]). `folder` also asks that it make a folder name ([`safe_folder_name`]).
/// The message says what was expected and what was found.
pub fn name_problem(name: &str, folder: bool) -> Option<String> {
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Some(format!(
            "expected a name of at most {MAX_NAME_CHARS} characters, found one of {chars}"
        ));
    }
    if let Some((at, c)) = name.chars().enumerate().find(|(_, c)| is_hidden_char(*c)) {
        return Some(format!(
            "expected a name of visible characters, found the control or formatting character U+{:04X} at character {}",
            u32::from(c),
            at + 1
        ));
    }
    if folder && safe_folder_name(name).is_none() {
        return Some(format!(
            "expected a name with at least one letter or digit (it names the output folder), found {name:?}"
        ));
    }
    None
}

/// The folder name that stands for `name` (a scenario's or a sweep's) under `output/`; `None`
/// when nothing of it is usable. This is the only way a name becomes part of a path.
///
/// The safe alphabet is ASCII letters, digits, `.`, `_` and `-`: every other character (a path
/// separator, a space, a control character, any non-ASCII letter) becomes `_`, runs of `_`
/// become one, and `.`, `_` and `-` are trimmed from both ends, so the result never starts
/// with a dot (hidden, or `.` and `..`) or a dash (read as an option). It is cut to
/// [`MAX_FOLDER_NAME_BYTES`], and the names Windows reserves (`CON`, `NUL`, `COM1`, ...) get a
/// `_` after them. `../../escaped` gives `escaped`, `my bank` gives `my_bank`.
pub fn safe_folder_name(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
            c
        } else {
            '_'
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let edge = |c: char| matches!(c, '.' | '_' | '-');
    let mut out = out.trim_matches(edge).to_string();
    if out.len() > MAX_FOLDER_NAME_BYTES {
        out.truncate(MAX_FOLDER_NAME_BYTES);
        out = out.trim_end_matches(edge).to_string();
    }
    if out.is_empty() {
        return None;
    }
    let stem = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        out.push('_');
    }
    Some(out)
}

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
    // A name of this process and write alone: two processes (or threads) writing the same
    // file never share a temporary file.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()));
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
