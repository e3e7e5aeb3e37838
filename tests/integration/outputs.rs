//! Output folders as units (issue 18, items 3, 4, 5 and 8): two runs never share a folder, a
//! folder holds one whole run or says plainly it is incomplete, SIGTERM and SIGHUP keep the
//! completed prefix as Ctrl-C does, and an --out that cannot be listed or written is refused
//! before the run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

use crate::common::{command_in as chainsim, fixture, text};

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn spawn(mut cmd: Command) -> Child {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chainsim starts")
}

/// Waits (at most 30 s) until `cond` holds.
fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < Duration::from_secs(30), "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `signal` (`TERM`, `HUP`, `INT`) to `child` and waits for it.
fn signal(child: Child, signal: &str) -> Output {
    let kill = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    child.wait_with_output().expect("chainsim ends")
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

/// A long run (a million small replications) into `out`, started and seen to be working.
fn long_run(cwd: &Path, extra: &[&str]) -> Child {
    let mut cmd = chainsim(cwd, &["run", "--threads", "1"]);
    cmd.args(extra).arg(fixture("long_run.ron"));
    spawn(cmd)
}

/// Whether a lock file for `name` is in `dir` (a run claimed the folder).
fn locked(dir: &Path, name: &str) -> bool {
    dir.join(format!(".{name}.lock")).exists()
}

#[test]
fn two_runs_never_share_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let first = long_run(tmp.path(), &["--seed", "1"]);
    let output = tmp.path().join("output");
    wait_for("the first run claims output/long_run", || {
        locked(&output, "long_run")
    });
    // Into the same default folder: the second gives way to -2 and says so.
    let second = chainsim(
        tmp.path(),
        &["run", "--reps", "2", "--seed", "2", "--threads", "1"],
    )
    .arg(fixture("long_run.ron"))
    .output()
    .unwrap();
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains(
            "output/long_run is being written by another run; writing to output/long_run-2"
        ),
        "{}",
        text(&second.stdout)
    );
    assert_eq!(manifest(&output.join("long_run-2"))["seed"], 2);
    // Into the same --out: refused at once, naming the other process.
    let third = chainsim(
        tmp.path(),
        &["run", "--reps", "2", "--force", "--out", "output/long_run"],
    )
    .arg(fixture("long_run.ron"))
    .output()
    .unwrap();
    let stderr = text(&third.stderr);
    assert_eq!(third.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "output/long_run: another chainsim run (process {}) is writing this folder",
            first.id()
        )),
        "{stderr}"
    );
    let first = signal(first, "INT");
    assert_eq!(first.status.code(), Some(130), "{}", text(&first.stderr));
    let m = manifest(&output.join("long_run"));
    assert_eq!(
        (m["seed"].clone(), m["complete"].clone()),
        (1.into(), false.into())
    );
    // Nothing else is left beside the two folders: no lock, no staging folder.
    assert_eq!(names(&output), ["long_run", "long_run-2"]);
}

#[test]
fn sigterm_keeps_the_completed_replications_and_exits_143() {
    for (sig, code) in [("TERM", 143), ("HUP", 129)] {
        let tmp = tempfile::tempdir().unwrap();
        let child = long_run(tmp.path(), &["--out", "o"]);
        std::thread::sleep(Duration::from_millis(1500));
        let o = signal(child, sig);
        let stderr = text(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "SIG{sig}: {stderr}");
        let m = manifest(&tmp.path().join("o"));
        let done = m["replications_done"].as_u64().unwrap();
        assert!(done > 0, "SIG{sig}: {m}");
        assert_eq!(m["complete"], false);
        let rows = std::fs::read_to_string(tmp.path().join("o/replications.csv"))
            .unwrap()
            .lines()
            .count() as u64;
        assert_eq!(rows, 1 + 2 * done, "a header and both arms' replications");
        let html = std::fs::read_to_string(tmp.path().join("o/report.html")).unwrap();
        assert!(html.contains("<strong>Incomplete run.</strong>"));
    }
}

/// Writes a short complete run of seed 5 into `tmp/o` and returns the bytes of its files.
fn earlier_run(tmp: &Path) -> Vec<(String, Vec<u8>)> {
    let o = chainsim(tmp, &["run", "--reps", "2", "--seed", "5", "--out", "o"])
        .arg(fixture("long_run.ron"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let dir = tmp.join("o");
    names(&dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn a_forced_rewrite_leaves_the_old_run_whole_until_the_new_one_is_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let before = earlier_run(tmp.path());
    let out = tmp.path().join("o");
    let child = long_run(tmp.path(), &["--seed", "7", "--force", "--out", "o"]);
    wait_for("the rewrite claims o", || locked(tmp.path(), "o"));
    std::thread::sleep(Duration::from_millis(1000));
    // Mid-run the folder still holds the earlier run, byte for byte, and nothing else.
    for (name, bytes) in &before {
        assert!(
            std::fs::read(out.join(name)).unwrap() == *bytes,
            "{name} changed mid-run"
        );
    }
    assert_eq!(names(&out).len(), before.len());
    let o = signal(child, "TERM");
    assert_eq!(o.status.code(), Some(143), "{}", text(&o.stderr));
    // After it, the folder holds the new run only, marked incomplete, every file of seed 7.
    let m = manifest(&out);
    assert_eq!(
        (m["seed"].clone(), m["complete"].clone()),
        (7.into(), false.into())
    );
    let scenario_seed = &m["scenario"]["seed"];
    assert_eq!(scenario_seed, 7);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("seed <code>7</code>") && html.contains("Incomplete run."));
    assert_eq!(
        names(tmp.path()),
        ["o"],
        "no staging folder or lock left beside it"
    );
}

#[test]
fn a_full_disk_during_a_forced_rewrite_keeps_the_old_run() {
    // A 4 MiB file system of this test's own (a user and mount namespace: no privileges
    // needed, nothing mounted outside the test); skipped where namespaces are not allowed.
    let probe = Command::new("unshare")
        .args(["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: cannot mount a small file system in a namespace here");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let before = earlier_run(tmp.path());
    let small = tmp.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let bin = cargo_bin!("chainsim");
    let script = format!(
        "set -e; mount -t tmpfs -o size=4m tmpfs small; cp -r o small/o; \
         set +e; '{}' run --reps 4 --weeks 200 --seed 7 --force --out small/o '{}'; \
         echo \"exit=$?\"; mkdir after; cp -r small/o after/o; ls -A small > after/listing",
        bin.display(),
        fixture("long_run.ron").display()
    );
    let o = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(stdout.contains("exit=1"), "{stdout}\n{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains("error: cannot write 'small/o/"), "{stderr}");
    assert!(
        stderr.contains("(nothing was put in place: 'small/o' keeps what it held)"),
        "{stderr}"
    );
    assert!(!stderr.contains("staging"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let after = tmp.path().join("after/o");
    assert_eq!(names(&after).len(), before.len());
    for (name, bytes) in &before {
        assert!(
            std::fs::read(after.join(name)).unwrap() == *bytes,
            "{name} changed"
        );
    }
    let listing = std::fs::read_to_string(tmp.path().join("after/listing")).unwrap();
    assert_eq!(
        listing.trim(),
        "o",
        "the staging folder is removed: {listing}"
    );
}

/// `chainsim` run as the unprivileged user `nobody` (root reads every folder), if `setpriv`
/// can do that here.
fn as_nobody(cwd: &Path, args: &[&str]) -> Option<Output> {
    let bin: PathBuf = cargo_bin!("chainsim").to_path_buf();
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(args)
        .current_dir(cwd)
        .output()
        .ok()?;
    // A binary nobody cannot reach (a private home) says so; the test is then skipped.
    (o.status.code() != Some(126) && o.status.code() != Some(127)).then_some(o)
}

#[test]
fn an_out_that_cannot_be_listed_or_written_is_refused_before_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let scenario = tmp.path().join("long_run.ron");
    std::fs::copy(fixture("long_run.ron"), &scenario).unwrap();
    let Some(version) = as_nobody(tmp.path(), &["--version"]) else {
        eprintln!("skipped: cannot run as nobody here");
        return;
    };
    if !version.status.success() {
        eprintln!("skipped: nobody cannot run the binary here");
        return;
    }
    // A folder nobody may write into but not list: its files must not count as absent.
    let hidden = tmp.path().join("hidden");
    std::fs::create_dir(&hidden).unwrap();
    std::fs::write(hidden.join("manifest.json"), "precious").unwrap();
    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o333)).unwrap();
    // A folder nobody may list but not write.
    let read_only = tmp.path().join("read_only");
    std::fs::create_dir(&read_only).unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).unwrap();
    for (out, says) in [
        ("hidden", "cannot list the folder"),
        ("read_only", "Permission denied"),
    ] {
        let started = Instant::now();
        let o = as_nobody(tmp.path(), &["run", "long_run.ron", "--out", out]).unwrap();
        let stderr = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{out}: {stderr}");
        assert!(stderr.contains(&format!("'{out}'")), "{out}: {stderr}");
        assert!(stderr.contains(says), "{out}: {stderr}");
        // A million replications would take hours: refused before them.
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        std::fs::read_to_string(hidden.join("manifest.json")).unwrap(),
        "precious"
    );
}
