//! Where a scenario came from: its file, the SHA-256 of its text, and the text itself (kept
//! beside the results, comments and all, for the report's assumptions).

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{DEFAULT_SCENARIO_LABEL, DEFAULT_SCENARIO_RON, Scenario, ScenarioError};

/// Where the scenario came from, for the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The file as given, or the built-in label.
    #[serde(rename = "scenario_file")]
    pub file: String,
    /// SHA-256 of the scenario text, hex.
    #[serde(rename = "scenario_sha256")]
    pub sha256: String,
    /// The scenario text itself (written beside the results as `scenario.ron`); empty if unknown.
    #[serde(rename = "scenario_text", default)]
    pub text: String,
}

/// SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl Provenance {
    /// Provenance of scenario text from `file`.
    pub fn of(file: &str, text: &str) -> Provenance {
        Provenance {
            file: file.to_string(),
            sha256: sha256_hex(text.as_bytes()),
            text: text.to_string(),
        }
    }

    /// The built-in default scenario's provenance.
    pub fn built_in() -> Provenance {
        Provenance::of(DEFAULT_SCENARIO_LABEL, DEFAULT_SCENARIO_RON)
    }
}

/// Reads and checks the scenario at `path` (the built-in default for `None`), with where it
/// came from.
///
/// # Errors
///
/// [`ScenarioError`] if the file cannot be read or is not a valid scenario.
pub fn load_with_provenance(path: Option<&Path>) -> Result<(Scenario, Provenance), ScenarioError> {
    match path {
        Some(p) => {
            let file = p.display().to_string();
            let text = crate::files::read_text(p).map_err(|source| ScenarioError::Read {
                file: file.clone(),
                source,
            })?;
            Ok((Scenario::parse(&text, &file)?, Provenance::of(&file, &text)))
        }
        None => Ok((Scenario::built_in(), Provenance::built_in())),
    }
}
