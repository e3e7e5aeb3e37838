//! Output fingerprints: every shipped scenario, lesson and sweep, run small through the binary,
//! must write CSVs whose SHA-256 digests match `tests/fingerprints.txt`.
//!
//! This is what lets the code be restructured without moving a byte of what users get: a
//! refactor keeps the file as it is; a change to the model or to an output's definition rewrites
//! it on purpose (`CHAINSIM_UPDATE_FINGERPRINTS=1 cargo test --release --test integration
//! fingerprint`) and says so in its commit, with the reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::common::{chainsim, root};

/// Horizon and replications of every scenario and lesson run: long enough to pass the first
/// interventions (week 4), a quarterly refresher (week 17) and a half-year, short enough for CI.
const RUN_ARGS: [&str; 4] = ["--weeks", "30", "--reps", "3"];

/// Where the fingerprints live, relative to the crate.
const FINGERPRINTS: &str = "tests/fingerprints.txt";

/// Shipped scenario files under `dir` (relative to the crate), sorted.
fn ron_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

/// `label/file.csv -> sha256` for every CSV `dir` holds.
fn csv_digests(label: &str, dir: &Path, into: &mut BTreeMap<String, String>) {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    names.sort();
    assert!(
        !names.is_empty(),
        "{label}: no CSV written in {}",
        dir.display()
    );
    for p in names {
        let bytes = std::fs::read(&p).unwrap();
        let digest: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        into.insert(format!("{label}/{name}"), digest);
    }
}

/// A sweep file made small (a short horizon, two replications a point, a smaller Sobol' base),
/// with its base scenario's path made absolute so it can be read from a scratch directory.
fn small_sweep(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let scenarios = root().join("scenarios");
    let text = text.replace("File(\"../", &format!("File(\"{}/", scenarios.display()));
    let mut text = text.replace("base_samples: 32", "base_samples: 6");
    text = text.replace("bootstrap: 500", "bootstrap: 50");
    // Replace the file's own horizon and replications (or add them) just inside the outer `(`.
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("weeks:") || t.starts_with("replications:"))
        })
        .collect();
    let text = kept.join("\n");
    let open = text.find("(\n").expect("a sweep file opens with `(`");
    format!(
        "{}(\n    weeks: 26,\n    replications: 2,\n{}",
        &text[..open],
        &text[open + 2..]
    )
}

/// Runs everything shipped and digests its CSVs.
fn digests() -> BTreeMap<String, String> {
    let scratch = tempfile::tempdir().unwrap();
    let mut all = BTreeMap::new();
    let mut runs: Vec<(String, PathBuf)> = ron_files("scenarios")
        .into_iter()
        .map(|p| {
            (
                format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()),
                p,
            )
        })
        .collect();
    runs.extend(ron_files("scenarios/lessons").into_iter().map(|p| {
        (
            format!("lessons/{}", p.file_name().unwrap().to_string_lossy()),
            p,
        )
    }));
    for (label, file) in &runs {
        let out = scratch.path().join(label.replace('/', "_"));
        let o = chainsim(scratch.path())
            .arg("run")
            .arg(file)
            .args(RUN_ARGS)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        csv_digests(label, &out, &mut all);
    }
    for file in ron_files("scenarios/sweeps") {
        let label = format!("sweeps/{}", file.file_name().unwrap().to_string_lossy());
        let small = scratch.path().join(file.file_name().unwrap());
        std::fs::write(&small, small_sweep(&file)).unwrap();
        let out = scratch.path().join(label.replace('/', "_"));
        let o = chainsim(scratch.path())
            .arg("sweep")
            .arg(&small)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        csv_digests(&label, &out, &mut all);
    }
    all
}

#[test]
fn every_shipped_output_matches_its_fingerprint() {
    let now = digests();
    let path = root().join(FINGERPRINTS);
    if std::env::var_os("CHAINSIM_UPDATE_FINGERPRINTS").is_some() {
        let mut text = String::from(
            "# SHA-256 of every CSV the shipped scenarios, lessons and sweeps write when run small\n# (tests/integration/fingerprint.rs). Rewritten only on purpose, with the reason in the commit.\n",
        );
        for (k, v) in &now {
            writeln!(text, "{v}  {k}").unwrap();
        }
        std::fs::write(&path, text).unwrap();
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (CHAINSIM_UPDATE_FINGERPRINTS=1 writes it)",
            path.display()
        )
    });
    let expected: BTreeMap<String, String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (digest, name) = l.split_once("  ").expect("`digest  name` lines");
            (name.to_string(), digest.to_string())
        })
        .collect();
    let mut differ = Vec::new();
    for (name, digest) in &expected {
        match now.get(name) {
            None => differ.push(format!("{name}: no longer written")),
            Some(d) if d != digest => differ.push(format!("{name}: bytes changed")),
            Some(_) => {}
        }
    }
    for name in now.keys().filter(|n| !expected.contains_key(*n)) {
        differ.push(format!("{name}: new file, not fingerprinted"));
    }
    assert!(
        differ.is_empty(),
        "{} of {} outputs differ from {FINGERPRINTS}:\n{}",
        differ.len(),
        expected.len(),
        differ.join("\n")
    );
}
