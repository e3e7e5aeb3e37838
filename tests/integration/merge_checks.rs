//! `merge` trusts nothing it reads (issue 18, item 6): every probe of a shard edited by hand,
//! damaged or mislabelled is refused with exit 2 and a message naming the shard and what is
//! wrong, and none panics. Edits that keep the checksum are caught by it; edits that recompute
//! it (`reseal`) are caught by the shape checks.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{chainsim, fixture};

/// Runs the three shards of a tiny two-arm run in `root`, returning their folders.
fn run_shards(root: &Path) -> Vec<PathBuf> {
    (1..=3)
        .map(|k| {
            let dir = root.join(format!("s{k}"));
            chainsim(root)
                .args(["run", "--reps", "5", "--weeks", "4", "--quiet", "--shard"])
                .arg(format!("{k}/3"))
                .arg("--out")
                .arg(&dir)
                .arg(fixture("two_arms.ron"))
                .assert()
                .code(0);
            dir
        })
        .collect()
}

/// A sweep's three shards (a grid over an inline base), returning their folders.
fn sweep_shards(root: &Path) -> Vec<PathBuf> {
    (1..=3)
        .map(|k| {
            let dir = root.join(format!("w{k}"));
            chainsim(root)
                .arg("sweep")
                .arg(crate::common::root().join("tests/fuzz_corpus/sweep_grid_inline.ron"))
                .args(["--quiet", "--shard"])
                .arg(format!("{k}/3"))
                .arg("--out")
                .arg(&dir)
                .assert()
                .code(0);
            dir
        })
        .collect()
}

fn file_of(dir: &Path) -> PathBuf {
    let run = dir.join("partial.json");
    if run.exists() {
        run
    } else {
        dir.join(chainsim::sweep::SWEEP_PARTIAL_FILE)
    }
}

fn read(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(file_of(dir)).unwrap()).unwrap()
}

/// Writes `v` back as it is (its recorded checksum kept).
fn write(dir: &Path, v: &Value) {
    std::fs::write(file_of(dir), serde_json::to_string(v).unwrap()).unwrap();
}

/// Writes `v` with its content sealed again: a checksum recomputed by hand.
fn reseal(dir: &Path, v: &Value) {
    std::fs::write(
        file_of(dir),
        chainsim::runner::shard_check::seal(&v["content"]),
    )
    .unwrap();
}

/// `merge dirs` must be refused with exit 2, saying every thing in `says`.
fn refused(cwd: &Path, dirs: &[PathBuf], says: &[&str]) {
    let o = chainsim(cwd)
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(cwd.join("merged"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{says:?}: {stderr}");
    for s in says {
        assert!(stderr.contains(s), "expected {s:?} in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!cwd.join("merged").exists(), "nothing is written");
}

/// A fresh copy of the shards in `from` under `root/<name>`.
fn copy(root: &Path, from: &[PathBuf], name: &str) -> Vec<PathBuf> {
    from.iter()
        .enumerate()
        .map(|(k, d)| {
            let to = root.join(format!("{name}{k}"));
            std::fs::create_dir_all(&to).unwrap();
            std::fs::copy(file_of(d), to.join(file_of(d).file_name().unwrap())).unwrap();
            to
        })
        .collect()
}

/// The untouched shards in `dirs` merge (exit 0): the baseline every edit is refused against.
fn merges_cleanly(root: &Path, dirs: &[PathBuf]) {
    chainsim(root)
        .arg("merge")
        .args(dirs)
        .arg("--out")
        .arg(root.join("whole"))
        .assert()
        .code(0);
}

#[test]
fn merge_refuses_every_edited_or_damaged_run_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let good = run_shards(root);
    merges_cleanly(root, &good);
    type Edit = fn(&mut Value);
    let kept: [(&str, Edit, &[&str]); 3] = [
        (
            "cell_value",
            |v| {
                // One replication's row of exact values replaced by another's.
                let rows = &mut v["content"]["arms"][0]["cells"]["exact"]["rows"];
                rows[0] = rows[1].clone();
            },
            &[
                "the content does not match its checksum",
                "edited or damaged",
            ],
        ),
        (
            "npv",
            |v| v["content"]["arms"][1]["replications"][0]["npv"] = 1e9.into(),
            &["the content does not match its checksum"],
        ),
        (
            "truncated",
            |v| {
                let text = v.to_string();
                *v = Value::String(text[..text.len() / 2].to_string());
            },
            &["not a chainsim partial result"],
        ),
    ];
    for (name, edit, says) in kept {
        let dirs = copy(root, &good, name);
        let mut v = read(&dirs[1]);
        edit(&mut v);
        if let Value::String(raw) = &v {
            std::fs::write(file_of(&dirs[1]), raw).unwrap();
        } else {
            write(&dirs[1], &v);
        }
        let mut says = says.to_vec();
        let label = format!("{}", file_of(&dirs[1]).display());
        says.push(&label);
        refused(root, &dirs, &says);
    }
    let resealed: [(&str, Edit, &[&str]); 7] = [
        (
            "arm_deleted",
            |v| {
                v["content"]["arms"].as_array_mut().unwrap().pop();
            },
            &["expected the arms [\"baseline\", \"tooling\"] of its scenario"],
        ),
        (
            "cells_truncated",
            // Rows no longer the width they claim: refused as it is read.
            |v| v["content"]["arms"][0]["cells"]["exact"]["width"] = 10.into(),
            &[
                "not a chainsim partial result",
                "rows of 10 values expected",
            ],
        ),
        (
            "shard_4_of_3",
            |v| v["content"]["shard"] = serde_json::json!({"index": 4, "count": 3}),
            &["shard 4/3: expected 1 <= K <= N"],
        ),
        (
            "foreign_replications",
            |v| v["content"]["arms"][0]["replications"][0]["replication"] = 0.into(),
            &["replications shard 2/3 owns", "not its own: [0]"],
        ),
        (
            "weeks",
            |v| v["content"]["weeks"] = 9.into(),
            &["weeks does not match its scenario: expected 4, found 9"],
        ),
        (
            "scenario_edited",
            |v| v["content"]["scenario"]["employees"]["wage_per_hour"] = 99.0.into(),
            &["input SHA-256 (of its own scenario) does not match"],
        ),
        (
            "encounters",
            |v| v["content"]["encounters"] = 1.into(),
            &["encounters (the replications' sum, plus their warm-ups), found 1"],
        ),
    ];
    for (name, edit, says) in resealed {
        let dirs = copy(root, &good, name);
        let mut v = read(&dirs[1]);
        edit(&mut v);
        reseal(&dirs[1], &v);
        refused(root, &dirs, says);
    }
    // Weeks edited (and resealed) in every shard: refused, never an index out of bounds.
    let dirs = copy(root, &good, "all_weeks");
    for d in &dirs {
        let mut v = read(d);
        v["content"]["weeks"] = 9.into();
        v["content"]["scenario"]["weeks"] = 9.into();
        reseal(d, &v);
    }
    refused(
        root,
        &dirs,
        &["expected", "cells and 9 weeks of differences"],
    );
    // A long version string ending in a multi-byte character, in one shard.
    let dirs = copy(root, &good, "version");
    let mut v = read(&dirs[0]);
    v["content"]["chainsim_version"] = format!("{}é", "x".repeat(78)).into();
    reseal(&dirs[0], &v);
    refused(root, &dirs, &["chainsim version differs"]);
    // A shard written before shards were sealed.
    let dirs = copy(root, &good, "older");
    let v = read(&dirs[0]);
    std::fs::write(file_of(&dirs[0]), v["content"].to_string()).unwrap();
    refused(
        root,
        &dirs,
        &["written by an earlier chainsim, without a checksum"],
    );
}

#[test]
fn merge_refuses_an_edited_sweep_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let good = sweep_shards(root);
    merges_cleanly(root, &good);
    // An edited point value, checksum kept.
    let dirs = copy(root, &good, "kept");
    let mut v = read(&dirs[0]);
    v["content"]["points"][0]["replications"][0][0] = 4_607_182_418_800_017_408u64.into();
    write(&dirs[0], &v);
    refused(root, &dirs, &["the content does not match its checksum"]);
    // An edited factor value, resealed: not the design's.
    let dirs = copy(root, &good, "point");
    let mut v = read(&dirs[0]);
    v["content"]["points"][1]["values"][0] = 4_621_819_117_588_971_520u64.into();
    reseal(&dirs[0], &v);
    refused(root, &dirs, &["factor values are not those of its design"]);
    // A point that belongs to another shard, resealed.
    let dirs = copy(root, &good, "owned");
    let mut v = read(&dirs[0]);
    v["content"]["points"][0]["index"] = 1.into();
    reseal(&dirs[0], &v);
    refused(root, &dirs, &["points shard 1/3 owns"]);
    // A replication dropped from a point, resealed.
    let dirs = copy(root, &good, "reps");
    let mut v = read(&dirs[2]);
    v["content"]["points"][0]["replications"]
        .as_array_mut()
        .unwrap()
        .pop();
    reseal(&dirs[2], &v);
    refused(root, &dirs, &["expected 2 replications of 2 outputs each"]);
}
