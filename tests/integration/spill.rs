//! Every replication's values go to an anonymous temporary file in `TMPDIR` a block at a time
//! (issue 19): a run that writes blocks gives what its shards merged give, leaves no file
//! behind, and a temporary folder that is missing or full fails the run with a clear message
//! and exit 1, never a panic, with nothing written.

use std::path::Path;
use std::process::Command;

use crate::common::{command_in as chainsim, text};

/// 41 site rows x 13 weeks of cells: 200 KB a replication, so 12 replications fill the 2 MiB
/// block a store keeps in memory and write one.
const WIDE: &str = "(name: \"wide\", weeks: 13, replications: 12, \
    sites: (count: 40, employees_per_site: 2, customers_per_site: 20, market_per_site: 30))";

/// `wide.ron` in `dir`.
fn wide(dir: &Path) -> String {
    let path = dir.join("wide.ron");
    std::fs::write(&path, WIDE).unwrap();
    path.display().to_string()
}

/// What is in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_run_that_writes_blocks_matches_its_merged_shards_and_leaves_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let scenario = wide(root);
    let spill = root.join("spill");
    std::fs::create_dir(&spill).unwrap();
    let run = |args: &[&str]| {
        let o = chainsim(root, &["run", &scenario, "-q"])
            .args(args)
            .env("TMPDIR", &spill)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", text(&o.stderr));
    };
    run(&["--threads", "2", "--out", "whole"]);
    for k in 1..=3 {
        run(&[
            "--threads",
            "1",
            "--shard",
            &format!("{k}/3"),
            "--out",
            &format!("s{k}"),
        ]);
    }
    let o = chainsim(root, &["merge", "s3", "s1", "s2", "--out", "merged"])
        .env("TMPDIR", &spill)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    for f in ["weekly.csv", "replications.csv", "comparison.csv"] {
        let a = std::fs::read(root.join("whole").join(f)).ok();
        assert!(a == std::fs::read(root.join("merged").join(f)).ok(), "{f}");
    }
    assert!(names(&spill).is_empty(), "left behind: {:?}", names(&spill));
}

#[test]
fn a_missing_temporary_folder_fails_the_run_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = wide(tmp.path());
    let missing = tmp.path().join("no-such-folder");
    let o = chainsim(
        tmp.path(),
        &["run", &scenario, "-q", "--threads", "1", "--out", "o"],
    )
    .env("TMPDIR", &missing)
    .output()
    .unwrap();
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: cannot create the temporary file that keeps every replication's values for exact percentiles (in {})",
            missing.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("TMPDIR") && stderr.contains("--quantile-budget"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!tmp.path().join("o").exists(), "nothing may be written");
}

#[test]
fn a_full_temporary_disk_fails_the_run_with_a_clear_error() {
    // A 1 MiB file system of this test's own for TMPDIR (a user and mount namespace, as in
    // outputs.rs); skipped where namespaces are not allowed.
    let probe = Command::new("unshare")
        .args(["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: cannot mount a small file system in a namespace here");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let scenario = wide(tmp.path());
    std::fs::create_dir(tmp.path().join("small")).unwrap();
    let script = format!(
        "set -e; mount -t tmpfs -o size=1m tmpfs small; set +e; \
         TMPDIR=small '{}' run '{scenario}' --threads 1 --out o -q; echo \"exit=$?\"",
        assert_cmd::cargo::cargo_bin!("chainsim").display(),
    );
    let o = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(stdout.contains("exit=1"), "{stdout}\n{stderr}");
    assert!(
        stderr.starts_with(
            "error: cannot write the temporary file that keeps every replication's values for exact percentiles (in small): No space left on device"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!tmp.path().join("o").exists(), "nothing may be written");
}
