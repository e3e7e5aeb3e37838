//! Every output file, and the text a command prints: studies return plain results, and this is
//! the only module that formats them ([`format`](mod@format) is the one place numbers become text).
//! Every file is written to a temporary name and renamed into place ([`crate::files`]), so a
//! failed or interrupted run never leaves a half-written file over a good one.

pub mod csv;
pub mod format;
pub mod html;
pub mod manifest;
pub mod narrative;
pub mod plot;
pub mod run;
pub mod sweep;
pub mod text;
pub mod validation;

pub use manifest::{ManifestHeader, command_line};
pub use run::{
    ComparisonRow, PARTIAL_FILE, ReplicationRow, RunManifest, SCENARIO_FILE, WeeklyRow,
    comparison_csv, replications_csv, weekly_csv, write_run, write_run_shard,
};

use crate::files::FileError;

/// Errors from writing outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file could not be read or written.
    #[error(transparent)]
    File(#[from] FileError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Plot(#[from] plot::PlotError),
}
