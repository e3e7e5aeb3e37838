//! Why a command failed, and the one place that decides its exit code: 2 for bad input (usage,
//! scenario and sweep files, a run too big for the machine), 1 for failures while running or
//! writing, 128 + the signal (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP)
//! for a run stopped by one after writing what was complete.

use chainsim::files::FileError;
use chainsim::report::ReportError;
use chainsim::runner::{MemoryError, MergeError, RunError};
use chainsim::scenario::ScenarioError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Usage or input errors: exit 2.
    #[error("{0}")]
    Input(String),
    /// Failures while running or writing: exit 1.
    #[error("error: {0}")]
    Runtime(String),
    /// Stopped by a signal after writing what was complete: exit 128 + the signal (130 for
    /// Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
    #[error("{0}")]
    Interrupted(String),
}

impl CliError {
    /// The process's exit code for this failure.
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Runtime(_) => 1,
            CliError::Interrupted(_) => super::out::stopped_exit_code(),
        }
    }
}

impl From<ScenarioError> for CliError {
    fn from(e: ScenarioError) -> CliError {
        CliError::Input(e.to_string())
    }
}

impl From<MemoryError> for CliError {
    fn from(e: MemoryError) -> CliError {
        CliError::Input(e.to_string())
    }
}

impl From<MergeError> for CliError {
    fn from(e: MergeError) -> CliError {
        match e {
            // A full disk while merging is not the shards' fault.
            MergeError::Spill(_) => CliError::Runtime(e.to_string()),
            _ => CliError::Input(e.to_string()),
        }
    }
}

impl From<RunError> for CliError {
    fn from(e: RunError) -> CliError {
        match e {
            // Money past what the ledger holds comes from the scenario's amounts.
            RunError::LedgerOverflow(_) => CliError::Input(e.to_string()),
            _ => CliError::Runtime(e.to_string()),
        }
    }
}

impl From<FileError> for CliError {
    fn from(e: FileError) -> CliError {
        match e {
            // What a command was given to read is input; what it writes is the run's own doing.
            FileError::Read { .. } => CliError::Input(e.to_string()),
            _ => CliError::Runtime(e.to_string()),
        }
    }
}

impl From<ReportError> for CliError {
    fn from(e: ReportError) -> CliError {
        match e {
            ReportError::File(f) => f.into(),
            other => CliError::Runtime(other.to_string()),
        }
    }
}
