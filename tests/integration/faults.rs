//! Faults: Ctrl-C during a run or a sweep, output that cannot be written (a path under a
//! regular file; a full disk is in outputs.rs), and input that cannot be read. Each ends with a clear message, a
//! consistent exit status (2 for bad input, 1 for a failure while running or writing, 130 for
//! Ctrl-C) and, where anything was written, valid files.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{command_in as chainsim, fixture, text};

/// Starts `cmd`, lets it work for `after`, sends SIGINT, and waits for it to end; returns its
/// output and how long it took to stop after the signal.
fn interrupt(mut cmd: Command, after: Duration) -> (Output, Duration) {
    let child: Child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chainsim starts");
    std::thread::sleep(after);
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success(), "SIGINT sent");
    let out = child.wait_with_output().expect("chainsim ends");
    (out, sent.elapsed())
}

/// The manifest as JSON.
fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Reads a CSV, checking every row has the header's width; returns the data rows.
fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let width = r.headers().unwrap().len();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("a whole row")).collect();
    assert!(rows.iter().all(|x| x.len() == width), "{}", path.display());
    rows
}

/// `chainsim <command> <fixture> --threads 2 --out o` in a scratch directory, interrupted after
/// 1.5 s: checks it exited 130 promptly and its manifest says it is incomplete. Returns the
/// scratch directory, stderr and the manifest.
fn interrupted(
    command: &str,
    fixture_name: &str,
) -> (tempfile::TempDir, String, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = chainsim(tmp.path(), &[command, "--threads", "2", "--out", "o"]);
    cmd.arg(fixture(fixture_name));
    let (o, took) = interrupt(cmd, Duration::from_millis(1500));
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    // A replication here takes milliseconds: what remains is finishing those in flight and
    // writing the files. The bound is loose for a loaded machine; it is ~1 s idle.
    assert!(
        took < Duration::from_secs(8),
        "stopped {took:?} after SIGINT"
    );
    let m = manifest(&tmp.path().join("o"));
    assert_eq!(m["complete"], false, "{m}");
    // The report built from it says so at the top.
    let html = std::fs::read_to_string(tmp.path().join("o").join("report.html")).unwrap();
    assert!(
        html.contains(&format!("<strong>Incomplete {command}.</strong>")),
        "report.html does not say the {command} is incomplete"
    );
    (tmp, stderr, m)
}

#[test]
fn ctrl_c_stops_a_run_promptly_and_writes_a_shorter_runs_files() {
    let (tmp, stderr, m) = interrupted("run", "long_run.ron");
    let out = tmp.path().join("o");
    let done = m["replications_done"].as_u64().unwrap();
    assert!(done > 0, "some replications completed in 1.5 s: {m}");
    assert_eq!(m["replications"], done);
    assert_eq!(m["replications_requested"], 1_000_000);
    assert!(
        stderr.contains(&format!(
            "interrupted: wrote {done} of 1000000 replications"
        )),
        "{stderr}"
    );
    // The files are exactly those of a run of `done` replications.
    let again = tmp.path().join("again");
    let mut cmd = chainsim(
        tmp.path(),
        &[
            "run",
            "--threads",
            "1",
            "--reps",
            &done.to_string(),
            "--out",
        ],
    );
    cmd.arg(&again).arg(fixture("long_run.ron"));
    let a = cmd.output().unwrap();
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    for f in ["weekly.csv", "replications.csv", "comparison.csv"] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs from a run of {done} replications"
        );
    }
    assert_eq!(
        csv_rows(&out.join("replications.csv")).len() as u64,
        2 * done
    );
    let whole = manifest(&again);
    assert_eq!(
        (
            whole["complete"].clone(),
            whole["replications_done"].clone()
        ),
        (serde_json::json!(true), serde_json::json!(done))
    );
    assert!(whole.get("replications_requested").is_none());
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn ctrl_c_stops_a_sweep_and_keeps_the_points_completed() {
    let (tmp, stderr, m) = interrupted("sweep", "long_sweep.ron");
    let out = tmp.path().join("o");
    assert_eq!(m["points_planned"], 100_000);
    let done = m["points_done"].as_u64().unwrap();
    assert!(done > 0, "{m}");
    let rows = csv_rows(&out.join("sweep.csv"));
    assert_eq!(rows.len() as u64, done);
    // Points completed in order: 0, 1, 2, ...
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0].parse::<usize>().unwrap(), i);
    }
    assert!(!out.join("sweep.csv.partial").exists());
    assert!(
        !out.join("indices.csv").exists(),
        "indices need the whole design"
    );
    assert!(stderr.contains("interrupted: wrote the"), "{stderr}");
}

#[test]
fn ctrl_c_on_a_shard_writes_nothing_and_says_to_run_it_again() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = chainsim(
        tmp.path(),
        &["run", "--threads", "1", "--shard", "1/2", "--out", "o"],
    );
    cmd.arg(fixture("long_run.ron"));
    let (o, _) = interrupt(cmd, Duration::from_millis(1000));
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("shard 1/2 stopped before its end"),
        "{stderr}"
    );
    assert!(!tmp.path().join("o/partial.json").exists());
}

/// A regular file, and an output path under it: creating the directory fails (ENOTDIR). Tests
/// run as root, so permissions cannot make a directory unwritable; this can.
fn under_a_file(tmp: &Path) -> PathBuf {
    let file = tmp.join("a_file");
    std::fs::write(&file, "not a directory").unwrap();
    file.join("out")
}

#[test]
fn every_command_refuses_an_unwritable_out_at_once_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = under_a_file(tmp.path());
    let shown = out.display().to_string();
    let sweep = fixture("long_sweep.ron");
    let scenario = fixture("long_run.ron");
    let runs: [Vec<&str>; 4] = [
        vec!["run", scenario.to_str().unwrap(), "--reps", "2"],
        vec![
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "2",
            "--shard",
            "1/2",
        ],
        vec!["sweep", sweep.to_str().unwrap()],
        vec!["validate", "--only", "facts"],
    ];
    for args in runs {
        let started = Instant::now();
        let o = chainsim(tmp.path(), &args)
            .args(["--out", &shown])
            .output()
            .unwrap();
        let stderr = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(&format!("error: cannot write '{shown}': "))),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("Not a directory"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        // Refused before the work: a million replications or points would take hours.
        assert!(started.elapsed() < Duration::from_secs(20), "{args:?}");
    }
}

#[test]
fn unreadable_input_is_refused_with_exit_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    // A directory, and a device that never ends: neither is read whole.
    for (path, says) in [
        (tmp.path().to_str().unwrap(), "Is a directory"),
        ("/dev/zero", "expected a file of at most 16 MiB"),
    ] {
        for cmd in ["check", "run", "sweep"] {
            let o = chainsim(tmp.path(), &[cmd, path]).output().unwrap();
            let stderr = text(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{cmd} {path}: {stderr}");
            assert!(
                stderr.starts_with(&format!("{path}: cannot read")),
                "{stderr}"
            );
            assert!(stderr.contains(says), "{cmd} {path}: {stderr}");
        }
    }
}
