//! Fuzzing what `merge` and `report DIR` read (issue 18): sealed shard files of a run and of a
//! sweep (mutated as they are, so the checksum refuses them, and mutated inside their content
//! and sealed again, so the shape checks and the merge see them), manifests, and whole output
//! folders with one file mutated, rebuilt into a page. Every input must give a result or an
//! error naming the file, never a panic, and quickly. The mutations are `fuzz.rs`'s.
//!
//! The suite runs a few hundred of each; `fuzz_all_long` (ignored) runs `FUZZ_INPUTS` inputs
//! spread over every reader (the scenario and sweep readers of `fuzz.rs` included):
//! `FUZZ_INPUTS=10000000 cargo test --release --test integration fuzz_all_long -- --ignored --nocapture`.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chainsim::report::run::RunManifest;
use chainsim::report::sweep::SweepManifest;
use chainsim::runner::shard_check::{self, SHARD_FORMAT};
use chainsim::runner::{RunOptions, RunShard, Shard};
use chainsim::scenario::{Provenance, Scenario};
use chainsim::sweep::{Sweep, SweepShard};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use sha2::Digest;

use super::fuzz::{Op, SLOW, corpus_cached, exercise, mutate, ops};

/// An output folder and its files' names and bytes.
type Folder = (PathBuf, Vec<(String, Vec<u8>)>);

/// What the mutations start from, made once.
struct Seeds {
    /// A sealed run shard (the whole of a tiny two-arm run) and its content.
    run: (String, String),
    /// A sealed sweep shard (the whole of a tiny grid) and its content.
    sweep: (String, String),
    /// A run's and a sweep's `manifest.json`.
    manifests: Vec<String>,
    /// A run's and a sweep's output folders, pristine, with their files' bytes.
    folders: Vec<Folder>,
    /// The other texts spliced into mutations.
    others: Vec<(PathBuf, Vec<u8>)>,
    _keep: tempfile::TempDir,
}

const SCENARIO: &str = "(name: \"fz\", weeks: 3, replications: 2, sites: (count: 1, employees_per_site: 3, customers_per_site: 100, market_per_site: 150), arms: [(name: \"baseline\"), (name: \"tooling\", interventions: [(lever: Tooling(amount: 20000.0), start_week: 1, cost_per_site: 1000.0)])])";

/// The content of a sealed shard file.
fn content(sealed: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(sealed).unwrap();
    v["content"].to_string()
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let s = Scenario::parse(SCENARIO, "fz.ron").unwrap();
        let mut options = RunOptions::from_scenario(&s);
        options.threads = 1;
        let shard =
            chainsim::runner::run_shard(&s, &Provenance::of("fz.ron", SCENARIO), &options).unwrap();
        let run_dir = tmp.path().join("run");
        chainsim::report::write_run(&shard.to_result(), &run_dir).unwrap();
        let run_sealed = shard_check::seal(&shard);
        let root = crate::common::root();
        let sweep_text =
            std::fs::read_to_string(root.join("tests/fuzz_corpus/sweep_grid_inline.ron")).unwrap();
        let sweep = Sweep::parse(&sweep_text, "grid.ron", &root.join("tests/fuzz_corpus")).unwrap();
        let pool = chainsim::runner::pool(1).unwrap();
        let part = pool
            .install(|| {
                sweep.run_shard(
                    Some(2),
                    Shard::WHOLE,
                    Default::default(),
                    &mut |_, _| Ok(()),
                )
            })
            .unwrap();
        let result = pool
            .install(|| sweep.run(Some(2), Default::default(), &mut |_, _| Ok(())))
            .unwrap();
        let sweep_dir = tmp.path().join("sweep");
        std::fs::create_dir_all(&sweep_dir).unwrap();
        chainsim::report::sweep::write_sweep_csv(&result, &sweep_dir).unwrap();
        chainsim::report::sweep::write_sweep(&result, &sweep_dir).unwrap();
        let sweep_sealed = shard_check::seal(&part);
        let folders: Vec<Folder> = [run_dir, sweep_dir]
            .into_iter()
            .map(|d| {
                let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&d)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.ends_with(".png") && n != "report.html")
                    .map(|n| {
                        let bytes = std::fs::read(d.join(&n)).unwrap();
                        (n, bytes)
                    })
                    .collect();
                files.sort();
                (d, files)
            })
            .collect();
        let manifests = folders
            .iter()
            .map(|(d, _)| std::fs::read_to_string(d.join("manifest.json")).unwrap())
            .collect();
        let mut others = corpus_cached().to_vec();
        for (d, files) in &folders {
            others.extend(files.iter().map(|(n, b)| (d.join(n), b.clone())));
        }
        Seeds {
            run: (content(&run_sealed), run_sealed),
            sweep: (content(&sweep_sealed), sweep_sealed),
            manifests,
            folders,
            others,
            _keep: tmp,
        }
    })
}

/// `content` sealed as a shard file, whether or not it is still JSON.
fn seal_text(content: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(SHARD_FORMAT.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    let sum: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("{{\"format\":\"{SHARD_FORMAT}\",\"content_sha256\":\"{sum}\",\"content\":{content}}}")
}

/// A run shard's text through `merge`'s reader, and what is accepted through the merge and the
/// files it writes (in memory).
fn run_shard(text: &str) -> bool {
    match shard_check::open_run_shard(text, "fuzz.json") {
        Ok(shard) => {
            let whole = RunShard::merge(vec![("fuzz.json".into(), shard)]);
            if let Ok(whole) = whole {
                let r = whole.to_result();
                let _ = chainsim::report::weekly_csv(&r);
                let _ = chainsim::report::replications_csv(&r);
                if r.arms.len() > 1 {
                    let _ = chainsim::report::comparison_csv(&r);
                }
                let _ = RunManifest::of(&r, false).to_json();
                let _ = chainsim::report::text::run_summary(&r, &[]);
            }
            true
        }
        Err(e) => {
            assert!(e.to_string().contains("fuzz.json"), "unlocated: {e}");
            false
        }
    }
}

/// A sweep shard's text through `merge`'s reader and, when accepted, the merge.
fn sweep_shard(text: &str) -> bool {
    match shard_check::open::<SweepShard>(text, "fuzz.json", "a sweep shard") {
        Ok(shard) => {
            let _ = SweepShard::merge(vec![("fuzz.json".into(), shard)]);
            true
        }
        Err(e) => {
            assert!(e.to_string().contains("fuzz.json"), "unlocated: {e}");
            false
        }
    }
}

/// A manifest's text through the typed readers `report` uses.
fn manifest(text: &str) -> bool {
    let run = serde_json::from_str::<RunManifest>(text).is_ok();
    let sweep = serde_json::from_str::<SweepManifest>(text).is_ok();
    run || sweep
}

/// A scratch copy of each seed folder for the calling thread.
fn scratch() -> Vec<PathBuf> {
    thread_local! {
        static SCRATCH: (tempfile::TempDir, Vec<PathBuf>) = {
            let tmp = tempfile::tempdir().unwrap();
            let dirs = seeds()
                .folders
                .iter()
                .enumerate()
                .map(|(k, (_, files))| {
                    let d = tmp.path().join(k.to_string());
                    std::fs::create_dir_all(&d).unwrap();
                    for (n, b) in files {
                        std::fs::write(d.join(n), b).unwrap();
                    }
                    d
                })
                .collect();
            (tmp, dirs)
        };
    }
    SCRATCH.with(|(_, dirs)| dirs.clone())
}

/// Folder `folder`'s file `file` replaced by `text`, the page rebuilt, the file restored.
fn report_dir(folder: usize, file: usize, text: &str) -> bool {
    let dir: PathBuf = scratch()[folder].clone();
    let (name, original) = &seeds().folders[folder].1[file];
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let page = chainsim::report::html::build(&dir);
    std::fs::write(&path, original).unwrap();
    match page {
        Ok(html) => {
            assert!(!html.contains("<script"), "a script reached the page");
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

/// Which reader an input goes to, and the text it is made from.
#[derive(Debug, Clone, Copy)]
enum Reader {
    RunShard { resealed: bool },
    SweepShard { resealed: bool },
    Manifest(usize),
    Report { folder: usize, file: usize },
}

/// Input `ops` on `reader`: the mutated text, run through the reader; whether it was accepted.
fn fuzz_one(reader: Reader, ops: &[Op]) -> bool {
    let s = seeds();
    let others = &s.others;
    match reader {
        Reader::RunShard { resealed: false } => run_shard(&mutate(s.run.1.as_bytes(), ops, others)),
        Reader::RunShard { resealed: true } => {
            run_shard(&seal_text(&mutate(s.run.0.as_bytes(), ops, others)))
        }
        Reader::SweepShard { resealed: false } => {
            sweep_shard(&mutate(s.sweep.1.as_bytes(), ops, others))
        }
        Reader::SweepShard { resealed: true } => {
            sweep_shard(&seal_text(&mutate(s.sweep.0.as_bytes(), ops, others)))
        }
        Reader::Manifest(k) => manifest(&mutate(s.manifests[k].as_bytes(), ops, others)),
        Reader::Report { folder, file } => {
            let files = &s.folders[folder].1;
            let file = file % files.len();
            report_dir(folder, file, &mutate(&files[file].1, ops, others))
        }
    }
}

fn timed(reader: Reader, ops: &[Op]) -> bool {
    let started = Instant::now();
    let accepted = fuzz_one(reader, ops);
    let took = started.elapsed();
    assert!(took < SLOW, "{took:?} on {reader:?} {ops:?}");
    accepted
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_shards_never_panic(resealed in any::<bool>(), sweep in any::<bool>(), ops in ops()) {
        let reader = if sweep { Reader::SweepShard { resealed } } else { Reader::RunShard { resealed } };
        timed(reader, &ops);
    }

    #[test]
    fn mutated_manifests_never_panic(k in 0..2usize, ops in ops()) {
        timed(Reader::Manifest(k), &ops);
    }

    #[test]
    fn report_of_a_mutated_folder_never_panics(folder in 0..2usize, file in 0..64usize, ops in ops()) {
        timed(Reader::Report { folder, file }, &ops);
    }
}

#[test]
fn the_seeds_are_accepted_by_their_readers() {
    let s = seeds();
    assert!(run_shard(&s.run.1) && run_shard(&seal_text(&s.run.0)));
    assert!(sweep_shard(&s.sweep.1));
    assert!(s.manifests.iter().all(|m| manifest(m)));
    for (folder, (dir, files)) in s.folders.iter().enumerate() {
        assert!(
            report_dir(folder, 0, &String::from_utf8_lossy(&files[0].1)),
            "{}",
            dir.display()
        );
    }
}

/// The reader input `i` goes to: of every 100 inputs, 74 to the scenario and sweep text readers
/// (`fuzz.rs`), 20 to the shard readers, 5 to the manifests, 1 to `report DIR` (the slowest).
fn reader_of(i: u64, rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> Option<Reader> {
    let resealed = rng.random::<bool>();
    match i % 100 {
        0..74 => None,
        74..84 => Some(Reader::RunShard { resealed }),
        84..94 => Some(Reader::SweepShard { resealed }),
        94..99 => Some(Reader::Manifest(rng.random_range(0..2))),
        _ => Some(Reader::Report {
            folder: rng.random_range(0..2),
            file: rng.random_range(0..64),
        }),
    }
}

/// The long run over every reader: `FUZZ_INPUTS` inputs (default 1,000,000) from `FUZZ_SEED`,
/// on all cores; prints how many each kind of reader took and accepted, and the slowest input.
#[test]
#[ignore = "long: run by hand (see the module doc)"]
fn fuzz_all_long() {
    use rayon::prelude::*;
    let var = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (inputs, seed) = (var("FUZZ_INPUTS", 1_000_000), var("FUZZ_SEED", 1));
    let corpus = corpus_cached();
    let _ = seeds();
    let started = Instant::now();
    // Per kind (text, run shard, sweep shard, manifest, report): inputs and accepted.
    let zero = || ([0u64; 5], [0u64; 5], Duration::ZERO);
    let (count, accepted, slowest) = (0..inputs)
        .into_par_iter()
        .map(|i| {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed ^ (i << 1));
            let ops: Vec<Op> = (0..rng.random_range(1..6))
                .map(|_| (rng.random(), rng.random(), rng.random()))
                .collect();
            let reader = reader_of(i, &mut rng);
            let t = Instant::now();
            let (kind, ok) = std::panic::catch_unwind(|| match reader {
                None => {
                    let file = rng.clone().random_range(0..corpus.len());
                    let (s, w) = exercise(&mutate(&corpus[file].1, &ops, corpus));
                    (0, s || w)
                }
                Some(r) => {
                    let kind = match r {
                        Reader::RunShard { .. } => 1,
                        Reader::SweepShard { .. } => 2,
                        Reader::Manifest(_) => 3,
                        Reader::Report { .. } => 4,
                    };
                    (kind, fuzz_one(r, &ops))
                }
            })
            .unwrap_or_else(|_| {
                panic!("input {i} (seed {seed}, {reader:?}, ops {ops:?}) panicked")
            });
            let took = t.elapsed();
            assert!(took < SLOW, "input {i} ({reader:?}) took {took:?}");
            let mut c = [0u64; 5];
            let mut a = [0u64; 5];
            c[kind] = 1;
            a[kind] = u64::from(ok);
            (c, a, took)
        })
        .reduce(zero, |x, y| {
            let add = |p: [u64; 5], q: [u64; 5]| std::array::from_fn(|k| p[k] + q[k]);
            (add(x.0, y.0), add(x.1, y.1), x.2.max(y.2))
        });
    println!(
        "fuzz_all_long: {inputs} inputs from seed {seed} in {:.0} s; inputs / accepted: scenario and sweep text {} / {}, run shards {} / {}, sweep shards {} / {}, manifests {} / {}, report DIR {} / {}; slowest input {slowest:?}",
        started.elapsed().as_secs_f64(),
        count[0],
        accepted[0],
        count[1],
        accepted[1],
        count[2],
        accepted[2],
        count[3],
        accepted[3],
        count[4],
        accepted[4],
    );
}
