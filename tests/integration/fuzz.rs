//! Fuzzing the readers: scenario text through `Scenario::parse` (what `chainsim check` runs) and
//! sweep text through `Sweep::parse` and `Sweep::check_points`, on the shipped files, the
//! fixtures and `tests/fuzz_corpus/`, mutated: bytes flipped, ranges deleted or duplicated,
//! slices of other files spliced in, numbers replaced by extremes (1e308, -0, NaN, 2^64, ...)
//! and deep nesting. Every input must give a scenario (or sweep) with no problems or an error
//! message, never a panic, and quickly.
//!
//! The short run here is a few thousand cases; `fuzz_long` (ignored) runs a million or more:
//! `FUZZ_INPUTS=1000000 cargo test --release --test integration fuzz_long -- --ignored --nocapture`.
//! The shard and manifest readers and `report DIR` are fuzzed in `fuzz_outputs.rs`, whose long
//! run (`fuzz_all_long`) covers every reader.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chainsim::runner::{DEFAULT_QUANTILE_BUDGET_BYTES, check_memory, replication_bytes};
use chainsim::scenario::Scenario;
use chainsim::sweep::Sweep;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};

/// Values spliced over numbers and into the text: extremes of every kind a reader meets.
const TOKENS: &[&str] = &[
    "1e308",
    "-1e308",
    "1e309",
    "-0",
    "-0.0",
    "NaN",
    "inf",
    "-inf",
    "0",
    "0.0",
    "1",
    "-1",
    "2",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "1e-320",
    "5e-324",
    "99999999999999999999999999999999",
    "1_000_000_000",
    "0x7fffffff",
    "1e9",
    "2600",
    "2601",
    "\"\"",
    "\"\\u{0}\"",
    "[]",
    "()",
    "Some(",
    "None",
    "Some(1e308)",
    ",",
    ")",
    "]",
    ":",
    "/*",
    "//",
    "r#\"",
    "é",
    "true",
];

/// The files mutated: the shipped scenarios and sweeps, the fixtures and the fuzz corpus.
fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "scenarios",
        "scenarios/sweeps",
        "tests/fixtures",
        "tests/fuzz_corpus",
    ] {
        let mut here: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .collect();
        here.sort();
        files.extend(here.into_iter().map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        }));
    }
    assert!(
        files.len() > 20,
        "the corpus is the shipped files and fixtures"
    );
    files
}

/// One mutation: a kind and two numbers it reads as positions, lengths or choices.
pub type Op = (u8, u32, u32);

/// Byte ranges of the numeric literals in `text`.
fn numbers(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let starts = text[i].is_ascii_digit()
            || (text[i] == b'-' && text.get(i + 1).is_some_and(u8::is_ascii_digit));
        if starts && (i == 0 || !(text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_')) {
            let from = i;
            i += 1;
            while i < text.len() && (text[i].is_ascii_alphanumeric() || b"._+-".contains(&text[i]))
            {
                i += 1;
            }
            out.push((from, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Applies `ops` to `text` (`others` supplies slices to splice in).
pub fn mutate(text: &[u8], ops: &[Op], others: &[(PathBuf, Vec<u8>)]) -> String {
    let mut t = text.to_vec();
    for &(kind, a, b) in ops {
        let at = |n: usize| if n == 0 { 0 } else { a as usize % (n + 1) };
        let (a, b) = (a as usize, b as usize);
        match kind % 8 {
            0 if !t.is_empty() => {
                let i = a % t.len();
                t[i] ^= 1 << (b % 8);
            }
            1 => {
                let i = at(t.len());
                let end = (i + 1 + b % 32).min(t.len());
                t.drain(i..end);
            }
            2 => {
                let i = at(t.len());
                let end = (i + 1 + b % 64).min(t.len());
                let copy = t[i..end].to_vec();
                t.splice(i..i, copy);
            }
            3 => {
                // An extreme over one of the numbers (the validator's side).
                let spans = numbers(&t);
                if !spans.is_empty() {
                    let (from, to) = spans[a % spans.len()];
                    t.splice(from..to, TOKENS[b % TOKENS.len()].bytes());
                }
            }
            4 => {
                let i = at(t.len());
                t.splice(i..i, TOKENS[b % TOKENS.len()].bytes());
            }
            5 => {
                // A slice of another file.
                let (_, other) = &others[b % others.len()];
                if !other.is_empty() {
                    let from = a % other.len();
                    let to = (from + 1 + (a / 7) % 200).min(other.len());
                    let i = (a / 13) % (t.len() + 1);
                    t.splice(i..i, other[from..to].iter().copied());
                }
            }
            6 => {
                // Deep nesting: RON's recursion limit must refuse it, not the stack.
                let i = at(t.len());
                let open = [b"(".as_slice(), b"[", b"Some("][b % 3];
                let deep: Vec<u8> = open.repeat(50 + a % 5000);
                t.splice(i..i, deep);
            }
            _ => {
                t.truncate(at(t.len()));
            }
        }
    }
    String::from_utf8_lossy(&t).into_owned()
}

/// Runs every reader on `text` and checks what it gives. Returns whether the scenario and the
/// sweep reader accepted it.
pub fn exercise(text: &str) -> (bool, bool) {
    let scenario_ok = match Scenario::parse(text, "fuzz.ron") {
        Ok(s) => {
            assert!(s.problems().is_empty(), "accepted with problems");
            // Round trip: the resolved scenario reads back to itself.
            let again = Scenario::parse(&s.resolved_ron(), "resolved.ron")
                .unwrap_or_else(|e| panic!("the resolved scenario does not read back: {e}"));
            assert_eq!(again, s, "round trip");
            // The memory check saturates instead of wrapping, and refuses what cannot fit.
            let bytes = replication_bytes(&s);
            assert!(bytes > 0);
            let _ = check_memory(&s, 2, DEFAULT_QUANTILE_BUDGET_BYTES, Some(8 << 30));
            true
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(shown.starts_with("fuzz.ron"), "unlocated: {shown}");
            false
        }
    };
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/sweeps"));
    let sweep_ok = match Sweep::parse(text, "fuzz.ron", dir) {
        Ok(sweep) => {
            let _ = check_memory(&sweep.heaviest(), 2, 0, Some(8 << 30));
            // The design's scenarios are checked as a run would (small designs: planning a big
            // one is legitimately slow, and its size is bounded by the reader).
            assert!(sweep.plan_size() <= chainsim::sweep::MAX_POINTS);
            if sweep.plan_size() <= 2000 {
                let _ = sweep.check_points();
            }
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    };
    (scenario_ok, sweep_ok)
}

/// The slowest an input may take; a hang shows as far more.
pub const SLOW: Duration = Duration::from_secs(5);

fn timed(text: &str) -> (bool, bool) {
    let started = Instant::now();
    let r = exercise(text);
    let took = started.elapsed();
    assert!(took < SLOW, "{took:?} on:\n{text}");
    r
}

pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec((any::<u8>(), any::<u32>(), any::<u32>()), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic_or_hang(file in any::<prop::sample::Index>(), ops in ops()) {
        let corpus = corpus_cached();
        let (_, text) = &corpus[file.index(corpus.len())];
        timed(&mutate(text, &ops, corpus));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        timed(&text);
    }
}

pub fn corpus_cached() -> &'static [(PathBuf, Vec<u8>)] {
    static CORPUS: std::sync::OnceLock<Vec<(PathBuf, Vec<u8>)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(corpus)
}

#[test]
fn every_corpus_file_is_read_without_panic_and_the_readers_accept_some() {
    let mut accepted = (0, 0);
    for (path, text) in corpus_cached() {
        let (s, w) = timed(&String::from_utf8_lossy(text));
        accepted.0 += usize::from(s);
        accepted.1 += usize::from(w);
        let _ = path;
    }
    // The mutations start from inputs each reader accepts, so they reach the validators.
    assert!(accepted.0 >= 5 && accepted.1 >= 3, "{accepted:?}");
}

/// The long run: `FUZZ_INPUTS` mutated inputs (default 1,000,000) from `FUZZ_SEED`, on all
/// cores; prints how many each reader accepted and the slowest input.
#[test]
#[ignore = "long: run by hand (see the module doc)"]
fn fuzz_long() {
    use rayon::prelude::*;
    let inputs: u64 = std::env::var("FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let corpus = corpus_cached();
    let started = Instant::now();
    let (scenarios, sweeps, slowest) = (0..inputs)
        .into_par_iter()
        .map(|i| {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed ^ i);
            let file = rng.random_range(0..corpus.len());
            let ops: Vec<Op> = (0..rng.random_range(1..6))
                .map(|_| (rng.random(), rng.random(), rng.random()))
                .collect();
            let text = mutate(&corpus[file].1, &ops, corpus);
            let t = Instant::now();
            let (s, w) = std::panic::catch_unwind(|| exercise(&text)).unwrap_or_else(|_| {
                panic!(
                    "input {i} (seed {seed}, file {}, ops {ops:?}) panicked:\n{text}",
                    corpus[file].0.display()
                )
            });
            let took = t.elapsed();
            assert!(took < SLOW, "input {i} took {took:?}");
            (u64::from(s), u64::from(w), took)
        })
        .reduce(
            || (0, 0, Duration::ZERO),
            |a, b| (a.0 + b.0, a.1 + b.1, a.2.max(b.2)),
        );
    println!(
        "fuzz_long: {inputs} inputs from seed {seed} in {:.0} s; scenarios accepted {scenarios}, sweeps accepted {sweeps}; slowest input {slowest:?}",
        started.elapsed().as_secs_f64()
    );
}
