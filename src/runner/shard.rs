//! Shards: a share of a run's (or a sweep's) work, run anywhere, and the one check that decides
//! whether shards belong together before they are merged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A share of the work: shard `index` of `count` (1-based) takes every item `i` (replication or
/// sweep point) with `i % count == index - 1`, so shards are independent of each other and of
/// threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based index of this shard.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

/// Why a `K/N` shard argument was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// Not of the form `K/N` with whole numbers and 1 <= K <= N.
    #[error("expected K/N with 1 <= K <= N (e.g. 2/8), found \"{0}\"")]
    Form(String),
    /// Numbered from 0 (Slurm arrays often are).
    #[error("shards are numbered from 1, found \"{text}\" (with Slurm use --array=1-{count})")]
    FromZero {
        /// The argument as given.
        text: String,
        /// Its shard count.
        count: u32,
    },
}

impl FromStr for Shard {
    type Err = ShardError;

    /// Parses `K/N` with 1 <= K <= N.
    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError::Form(text.to_string());
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 && count > 0 {
            return Err(ShardError::FromZero {
                text: text.to_string(),
                count,
            });
        }
        if count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Whether item `i` (a replication or a sweep point) belongs to this shard.
    pub fn owns(self, i: u32) -> bool {
        i % self.count == self.index - 1
    }
}

/// What identifies the run a shard belongs to: shards merge only when every field but `shard`
/// agrees. Written at the top of every shard's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// chainsim version that produced the shard.
    pub chainsim_version: String,
    /// Fingerprint of the model's behaviour ([`super::model_fingerprint`]): builds that would
    /// simulate differently do not merge, even under the same version number.
    pub model_fingerprint: String,
    /// SHA-256 of the input as resolved (the scenario or the sweep, with every command-line
    /// override applied), so shards of different inputs, horizons or sizes never merge.
    pub input_sha256: String,
    /// Master seed.
    pub seed: u64,
    /// Replications of the whole run (per point, for a sweep).
    pub replications: u32,
    /// Which share this is.
    pub shard: Shard,
}

impl ShardHeader {
    /// The header of shard `shard` of this build's run of an input whose resolved form hashes
    /// to `input_sha256`.
    pub fn new(input_sha256: String, seed: u64, replications: u32, shard: Shard) -> ShardHeader {
        ShardHeader {
            chainsim_version: env!("CARGO_PKG_VERSION").to_string(),
            model_fingerprint: super::model_fingerprint(),
            input_sha256,
            seed,
            replications,
            shard,
        }
    }
}

/// Why shards cannot be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// No shards were given.
    #[error("nothing to merge: give the output directories of the shards")]
    Empty,
    /// The shards do not make one whole run; every problem found, one a line.
    #[error("{}", .problems.join("\n"))]
    Refused {
        /// Each problem, naming the shards concerned.
        problems: Vec<String>,
    },
    /// The shards' values could not be kept in a temporary file while they were merged.
    #[error("{0}; point TMPDIR at a folder with room (or make room there)")]
    Spill(#[from] crate::stats::SpillError),
}

/// Values longer than this are cut in messages (a resolved input can be pages long).
const SHOWN_CHARS: usize = 80;

fn shorten(v: &str) -> String {
    match v.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}...", &v[..cut]),
        None => v.to_string(),
    }
}

/// Checks that `shards` (each labelled by where it came from) are the whole of one run: the same
/// build, input, seed and size, every shard of the count exactly once. Collects every problem.
///
/// # Errors
///
/// [`MergeError::Empty`] for no shards; [`MergeError::Refused`] listing every mismatch, repeated
/// shard and missing shard.
pub fn check_shards(shards: &[(&str, &ShardHeader)]) -> Result<(), MergeError> {
    let Some(&(first_label, first)) = shards.first() else {
        return Err(MergeError::Empty);
    };
    let mut problems = Vec::new();
    let count = first.shard.count;
    for &(label, h) in &shards[1..] {
        let checks: [(&str, String, String); 6] = [
            (
                "chainsim version",
                first.chainsim_version.clone(),
                h.chainsim_version.clone(),
            ),
            (
                "model build (fingerprint)",
                first.model_fingerprint.clone(),
                h.model_fingerprint.clone(),
            ),
            (
                "input (SHA-256 of the resolved scenario or sweep)",
                first.input_sha256.clone(),
                h.input_sha256.clone(),
            ),
            ("seed", first.seed.to_string(), h.seed.to_string()),
            (
                "replications",
                first.replications.to_string(),
                h.replications.to_string(),
            ),
            ("shard count", count.to_string(), h.shard.count.to_string()),
        ];
        for (what, a, b) in checks {
            if a != b {
                problems.push(format!(
                    "'{first_label}' and '{label}' come from different runs: {what} differs ({} vs {})",
                    shorten(&a),
                    shorten(&b)
                ));
            }
        }
    }
    let mut seen = vec![false; count as usize];
    for &(label, h) in shards {
        let s = h.shard;
        if s.count != count {
            continue; // already reported as a different shard count
        }
        let slot = &mut seen[s.index as usize - 1];
        if *slot {
            problems.push(format!("shard {s} is given twice (again in '{label}')"));
        }
        *slot = true;
    }
    let missing: Vec<String> = (1..=count)
        .filter(|&i| !seen[i as usize - 1])
        .map(|i| i.to_string())
        .collect();
    match missing.as_slice() {
        [] => {}
        [one] => problems.push(format!(
            "shard {one} of {count} is missing: merge needs every shard of the run"
        )),
        many => problems.push(format!(
            "shards {} of {count} are missing: merge needs every shard of the run",
            many.join(", ")
        )),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(MergeError::Refused { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seed: u64, shard: &str) -> ShardHeader {
        ShardHeader {
            chainsim_version: "1".into(),
            model_fingerprint: "f".into(),
            input_sha256: "s".into(),
            seed,
            replications: 10,
            shard: shard.parse().unwrap(),
        }
    }

    #[test]
    fn shard_arguments_parse_and_refuse() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        assert!(matches!(
            "0/3".parse::<Shard>(),
            Err(ShardError::FromZero { count: 3, .. })
        ));
        for bad in ["4/3", "x", "1/0", "1/"] {
            assert!(
                matches!(bad.parse::<Shard>(), Err(ShardError::Form(_))),
                "{bad}"
            );
        }
        assert!(Shard::WHOLE.owns(7));
        assert!(Shard { index: 2, count: 3 }.owns(4));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let (a, b, c) = (header(5, "1/4"), header(6, "1/4"), header(5, "3/4"));
        let err = check_shards(&[("a", &a), ("b", &b), ("c", &c)]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("'a' and 'b' come from different runs: seed differs (5 vs 6)"));
        assert!(text.contains("shard 1/4 is given twice (again in 'b')"));
        assert!(text.contains("shards 2, 4 of 4 are missing"), "{text}");
        assert!(check_shards(&[("a", &a), ("c", &header(5, "2/4"))]).is_err());
        let whole: Vec<ShardHeader> = (1..=4).map(|k| header(5, &format!("{k}/4"))).collect();
        let labelled: Vec<(&str, &ShardHeader)> = whole.iter().map(|h| ("x", h)).collect();
        assert!(check_shards(&labelled).is_ok());
        assert!(matches!(check_shards(&[]), Err(MergeError::Empty)));
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let long = "é".repeat(100);
        let cut = shorten(&long);
        assert_eq!(cut.chars().count(), SHOWN_CHARS + 3);
    }
}
