//! CSV files as typed rows: one row type per file, with serde, so the writer and every reader
//! share the schema (a renamed column fails to compile, not silently at run time).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::files::FileError;

/// Writes rows as CSV to `out`, with the header from the row type's field names: what
/// [`to_csv`] holds as text, for a file too long to hold (one row per replication).
///
/// # Errors
///
/// What `out` returns.
pub fn write_csv<T: Serialize>(
    rows: impl IntoIterator<Item = T>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for row in rows {
        w.serialize(row).map_err(std::io::Error::other)?;
    }
    w.flush()
}

/// Rows as CSV text, with the header from the row type's field names.
pub fn to_csv<T: Serialize>(rows: impl IntoIterator<Item = T>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory fails only on a row type that is not a flat record: a bug here.
        w.serialize(row).expect("CSV rows are flat records");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of strings is UTF-8")
}

/// Reads every row of the CSV file at `path`.
///
/// # Errors
///
/// [`FileError::Read`] naming the file, the line and what is wrong there.
pub fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, FileError> {
    read_rows_where(path, |_: &T| true)
}

/// The rows of the CSV file at `path` for which `keep` holds, read as a stream (`weekly.csv`
/// can be large: only the rows kept are held).
///
/// # Errors
///
/// As [`read_rows`].
pub fn read_rows_where<T: for<'de> Deserialize<'de>>(
    path: &Path,
    keep: impl Fn(&T) -> bool,
) -> Result<Vec<T>, FileError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| FileError::read(path, e))?;
    let mut rows = Vec::new();
    for row in r.deserialize() {
        let row: T = row.map_err(|e| FileError::read(path, e))?;
        if keep(&row) {
            rows.push(row);
        }
    }
    Ok(rows)
}
