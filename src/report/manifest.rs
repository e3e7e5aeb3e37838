//! What every `manifest.json` opens with (run, sweep, validation): enough to reproduce it and to
//! tell whether it is complete. Each kind adds its own fields after these.

use serde::{Deserialize, Serialize};

use crate::engine::rng::GENERATOR_NAME;

/// The fields every manifest shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestHeader {
    /// chainsim version that wrote the outputs.
    pub chainsim_version: String,
    /// The command line that produced them (absent when comparing outputs byte for byte).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// The random generator and how its streams are seeded.
    pub generator: String,
    /// Whether the work ran to its end (false: interrupted; the outputs hold what completed).
    pub complete: bool,
}

impl ManifestHeader {
    /// The header of outputs of this build under `seed`; `with_command` records this
    /// process's command line.
    pub fn new(seed: u64, complete: bool, with_command: bool) -> ManifestHeader {
        ManifestHeader {
            chainsim_version: env!("CARGO_PKG_VERSION").to_string(),
            command: with_command.then(command_line),
            seed,
            generator: GENERATOR_NAME.to_string(),
            complete,
        }
    }
}

/// The command line this process was started with, for manifests: how to run it again.
pub fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
