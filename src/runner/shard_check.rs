//! A shard's file sealed and verified: what `merge` trusts. Every shard file (`partial.json`,
//! `sweep_partial.json`) is written as
//!
//! ```text
//! {"format":"chainsim shard 1","content_sha256":"<64 hex>","content":{...the shard...}}
//! ```
//!
//! where the checksum is SHA-256 of the format line and the content's exact bytes. The content
//! carries the run's identity (version, model fingerprint, input SHA-256, seed, replications,
//! shard index and count), so the checksum covers both. Reading a shard ([`open`]) refuses a
//! file whose checksum does not match (an edited figure, a truncated cell, a deleted arm); then
//! [`run_shard_problems`] checks that a run shard is the shape its own header says: a shard
//! index within its count, the replications it owns and no other, every arm of its scenario
//! with every cell of its horizon, the input digest of its own scenario. A checksum catches
//! damage and careless edits, not forgery: a hand-recomputed checksum passes, and then only the
//! shape checks stand between the file and the merge.

use crate::stats::QuantileStore;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Digest;

use super::aggregate::RunShard;
use super::shard::{MergeError, Shard};
use crate::model::Metric;

/// The format a shard file declares.
pub const SHARD_FORMAT: &str = "chainsim shard 1";

/// The envelope of a shard file, its content kept as the exact bytes the checksum covers.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a sealed chainsim shard file")]
struct Envelope<'a> {
    format: String,
    content_sha256: String,
    #[serde(borrow)]
    content: &'a serde_json::value::RawValue,
}

fn checksum(content: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(SHARD_FORMAT.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The text of a shard file holding `content`, sealed with its checksum ([`seal_to`]'s).
///
/// # Panics
///
/// If `content` does not serialise (a run shard's kept values whose temporary file cannot be
/// read: write a shard with [`seal_to`] to get the error instead).
pub fn seal<T: Serialize>(content: &T) -> String {
    let mut text = Vec::new();
    if let Err(e) = seal_to(content, &mut text) {
        panic!("a shard serialises: {e}");
    }
    String::from_utf8(text).expect("JSON is UTF-8")
}

/// Counts what is written into it towards a checksum, and writes it nowhere else.
struct Hashing(sha2::Sha256);

impl std::io::Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes the shard file holding `content`, sealed with its checksum, to `out`, without
/// holding its text: the content is serialised twice, once for the checksum (which comes
/// first in the file) and once to be written.
///
/// # Errors
///
/// What `out` returns, or the content's own serialisation error (a run shard's kept values
/// whose temporary file cannot be read) as an I/O error.
pub fn seal_to<T: Serialize>(content: &T, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut h = Hashing(sha2::Sha256::new());
    h.0.update(SHARD_FORMAT.as_bytes());
    h.0.update(b"\n");
    serde_json::to_writer(&mut h, content)?;
    let sum: String = h.0.finalize().iter().map(|b| format!("{b:02x}")).collect();
    write!(
        out,
        "{{\"format\":\"{SHARD_FORMAT}\",\"content_sha256\":\"{sum}\",\"content\":"
    )?;
    serde_json::to_writer(&mut *out, content)?;
    out.write_all(b"}\n")
}

/// `v` cut to 80 characters (on a character boundary) for a message.
fn shorten(v: &str) -> String {
    match v.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &v[..cut]),
        None => v.to_string(),
    }
}

fn refused(label: &str, problem: String) -> MergeError {
    MergeError::Refused {
        problems: vec![format!("{label}: {problem}")],
    }
}

/// Reads the shard file `text` (`label` names it in messages), verifying its format and
/// checksum, into `T` (`what` names `T` in messages: "a chainsim partial result").
///
/// # Errors
///
/// [`MergeError::Refused`] naming the file and what is wrong with it.
pub fn open<T: DeserializeOwned>(text: &str, label: &str, what: &str) -> Result<T, MergeError> {
    let located = |e: &serde_json::Error| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_string();
        (e.line(), e.column(), message)
    };
    let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|e| {
        let older = serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|v| v.get("chainsim_version").is_some() && v.get("content").is_none());
        if older {
            return refused(
                label,
                "written by an earlier chainsim, without a checksum; run the shard again with this build".into(),
            );
        }
        let (line, col, message) = located(&e);
        refused(
            label,
            format!("line {line} column {col}: not {what}: {message}"),
        )
    })?;
    if envelope.format != SHARD_FORMAT {
        return Err(refused(
            label,
            format!(
                "expected the format \"{SHARD_FORMAT}\", found \"{}\"",
                shorten(&envelope.format)
            ),
        ));
    }
    let found = checksum(envelope.content.get());
    if envelope.content_sha256 != found {
        return Err(refused(
            label,
            format!(
                "the content does not match its checksum (recorded {}, computed {found}): the file was edited or damaged; run the shard again",
                shorten(&envelope.content_sha256)
            ),
        ));
    }
    serde_json::from_str(envelope.content.get()).map_err(|e| {
        let (_, col, message) = located(&e);
        refused(
            label,
            format!("the content at column {col} is not {what}: {message}"),
        )
    })
}

/// Every way `shard` (read from `label`) is not the shape its own header and scenario say.
pub fn run_shard_problems(label: &str, shard: &RunShard) -> Vec<String> {
    let mut problems = Vec::new();
    let mut bad = |p: String| problems.push(format!("{label}: {p}"));
    let h = &shard.header;
    let s = &shard.scenario;
    let Shard { index, count } = h.shard;
    if count == 0 || index == 0 || index > count {
        bad(format!(
            "shard {index}/{count}: expected 1 <= K <= N in shard K/N"
        ));
        return problems;
    }
    for p in s.problems() {
        bad(format!(
            "its scenario is not valid: {}: {}",
            p.path, p.message
        ));
    }
    if !problems.is_empty() {
        return problems;
    }
    let mut bad = |p: String| problems.push(format!("{label}: {p}"));
    if shard.interrupted_at.is_some() {
        bad("the shard was interrupted before its end; merge needs whole shards".into());
    }
    if shard.shards != [h.shard] || shard.threads.len() != 1 || shard.wall_seconds.len() != 1 {
        bad(format!(
            "expected the result of shard {} alone, found a record of {} shards",
            h.shard,
            shard.shards.len()
        ));
    }
    let checks: [(&str, String, String); 4] = [
        (
            "input SHA-256 (of its own scenario)",
            super::input_digest(s),
            h.input_sha256.clone(),
        ),
        ("seed", s.seed.to_string(), h.seed.to_string()),
        (
            "replications",
            s.replications.to_string(),
            h.replications.to_string(),
        ),
        ("weeks", s.weeks.to_string(), shard.weeks.to_string()),
    ];
    for (what, expected, found) in checks {
        if expected != found {
            bad(format!(
                "the header's {what} does not match its scenario: expected {expected}, found {}",
                shorten(&found)
            ));
        }
    }
    let metrics: Vec<String> = Metric::all().iter().map(|m| m.name().to_string()).collect();
    if shard.metrics != metrics {
        bad(format!(
            "expected the {} metrics of this build, found {} (a shard of another build?)",
            metrics.len(),
            shard.metrics.len()
        ));
    }
    let names: Vec<&str> = s.arms.iter().map(|a| a.name.as_str()).collect();
    let found: Vec<&str> = shard.arms.iter().map(|a| a.name.as_str()).collect();
    if names != found {
        bad(format!(
            "expected the arms {names:?} of its scenario, found {found:?}"
        ));
    }
    let weeks = shard.weeks as usize;
    let cells = (s.sites.count as usize + 1) * weeks * metrics.len();
    let owned: Vec<u32> = (0..h.replications).filter(|&r| h.shard.owns(r)).collect();
    let mut encounters = 0u64;
    for arm in &shard.arms {
        let name = &arm.name;
        if arm.cells.width() != cells || arm.delta.width() != weeks {
            bad(format!(
                "arm '{name}': expected {cells} cells and {weeks} weeks of differences, found {} and {}",
                arm.cells.width(),
                arm.delta.width()
            ));
        }
        let reps: Vec<u32> = arm.replications.iter().map(|r| r.replication).collect();
        if reps != owned {
            let stray: Vec<u32> = reps
                .iter()
                .copied()
                .filter(|r| !owned.contains(r))
                .take(5)
                .collect();
            bad(format!(
                "arm '{name}': expected the {} replications shard {} owns, found {}{}",
                owned.len(),
                h.shard,
                reps.len(),
                if stray.is_empty() {
                    String::new()
                } else {
                    format!(" (not its own: {stray:?})")
                }
            ));
        }
        for (what, store) in [("cells", &arm.cells), ("differences", &arm.delta)] {
            match store {
                QuantileStore::Exact(samples) => {
                    if samples.replications() != reps.as_slice() {
                        bad(format!(
                            "arm '{name}': its {what} hold values of other replications than its summaries"
                        ));
                    }
                }
                QuantileStore::Sketched(sketches) => {
                    let most = arm.replications.len() as u64;
                    if let Some(i) = sketches.iter().position(|c| c.count > most) {
                        bad(format!(
                            "arm '{name}': {what} {i} count more values than the shard has replications"
                        ));
                    }
                }
            }
        }
        encounters = encounters.saturating_add(arm.replications.iter().map(|r| r.encounters).sum());
    }
    // The total also counts each replication's warm-up once, which no replication row holds.
    if shard.encounters < encounters {
        bad(format!(
            "expected at least {encounters} encounters (the replications' sum, plus their warm-ups), found {}",
            shard.encounters
        ));
    }
    problems
}

/// Reads a run shard's file (`label` names it): sealed ([`open`]) and of the right shape
/// ([`run_shard_problems`]).
///
/// # Errors
///
/// [`MergeError::Refused`] listing what is wrong with it.
pub fn open_run_shard(text: &str, label: &str) -> Result<RunShard, MergeError> {
    let shard: RunShard = open(text, label, "a chainsim partial result")?;
    let problems = run_shard_problems(label, &shard);
    if problems.is_empty() {
        Ok(shard)
    } else {
        Err(MergeError::Refused { problems })
    }
}
