//! Why a command failed, and the one place that decides its exit code: 2 for bad input (usage,
//! scenario and sweep files, a run too big for the machine), 1 for failures while running or
//! writing, 130 for a run stopped by Ctrl-C after writing what was complete.

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
    /// Stopped by Ctrl-C after writing what was complete: exit 130 (128 + SIGINT).
    #[error("{0}")]
    Interrupted(String),
}

impl CliError {
    /// The process's exit code for this failure.
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) => 2,
            CliError::Runtime(_) => 1,
            CliError::Interrupted(_) => 130,
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
        CliError::Input(e.to_string())
    }
}

impl From<RunError> for CliError {
    fn from(e: RunError) -> CliError {
        CliError::Runtime(e.to_string())
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

/// A JSON file (a shard's result) that is not what it should be: located, in plain words,
/// `what` naming what it should have been.
pub(crate) fn json_error(label: &str, what: &str, e: &serde_json::Error) -> CliError {
    let message = e.to_string();
    // serde_json ends its message with the location, which the label already gives.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    CliError::Input(format!(
        "{label}:{}:{}: not {what}: {message}",
        e.line(),
        e.column()
    ))
}
