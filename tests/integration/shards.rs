//! Beyond one machine: shards run independently and merge into exactly the files a single run
//! writes; merging refuses partials that do not belong together.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/valid_minimal.ron"
);

fn chainsim(args: &[&str]) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("chainsim").args(args).assert()
}

fn run(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        SCENARIO,
        "--reps",
        "7",
        "--weeks",
        "6",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    if !extra.contains(&"--seed") {
        args.extend(["--seed", "5"]);
    }
    chainsim(&args).success();
}

/// Every output file; the manifest without the fields that describe how the run was executed.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = crate::common::read_results(dir);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    for k in [
        "threads",
        "shards",
        "wall_seconds",
        "encounters_per_second",
        "command",
    ] {
        assert!(manifest.get(k).is_some(), "manifest records {k}");
        manifest.as_object_mut().unwrap().remove(k);
    }
    files.push(("manifest.json".into(), manifest.to_string().into_bytes()));
    files
}

fn shards(root: &Path, n: u32, seed: &str) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let dir = root.join(format!("shard{k}"));
            run(
                &dir,
                &[
                    "--shard",
                    &format!("{k}/{n}"),
                    "--seed",
                    seed,
                    "--threads",
                    if k % 2 == 0 { "2" } else { "1" },
                ],
            );
            assert!(dir.join("partial.json").exists());
            assert!(
                !dir.join("weekly.csv").exists(),
                "a shard writes only its partial result"
            );
            dir
        })
        .collect()
}

#[test]
fn three_shards_merged_equal_one_run() {
    let root = tempfile::tempdir().unwrap();
    let single = root.path().join("single");
    run(&single, &["--threads", "2"]);
    let parts = shards(root.path(), 3, "5");
    let merged = root.path().join("merged");
    // Given out of order: the merge does not depend on it.
    let mut args = vec!["merge"];
    let names: Vec<String> = [2, 0, 1]
        .iter()
        .map(|&i| parts[i].display().to_string())
        .collect();
    args.extend(names.iter().map(String::as_str));
    args.extend(["--out", merged.to_str().unwrap()]);
    chainsim(&args).success();
    for ((name, a), (_, b)) in outputs(&single).into_iter().zip(outputs(&merged)) {
        assert!(
            a == b,
            "{name} differs between the single run and the merged shards"
        );
    }
}

#[test]
fn merge_refuses_what_does_not_belong_together() {
    let root = tempfile::tempdir().unwrap();
    let parts = shards(root.path(), 2, "5");
    let other_seed = root.path().join("other");
    run(&other_seed, &["--shard", "2/2", "--seed", "6"]);
    let out = root.path().join("out");
    let out = out.to_str().unwrap();
    let p = |d: &Path| d.display().to_string();

    let a = chainsim(&["merge", &p(&parts[0]), &p(&other_seed), "--out", out]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("seed differs (5 vs 6)"), "{err}");

    let a = chainsim(&["merge", &p(&parts[0]), "--out", out]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("shard 2 of 2 is missing"), "{err}");

    let a = chainsim(&["merge", &p(&parts[0]), &p(&parts[0]), "--out", out]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("shard 1/2 is given twice"), "{err}");

    // A partial from another chainsim version (sealed again, as that build would have).
    let file = parts[1].join("partial.json");
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        f(&mut v["content"]);
        std::fs::write(&file, chainsim::runner::shard_check::seal(&v["content"])).unwrap();
    };
    edit(&|c| c["chainsim_version"] = serde_json::json!("0.0.0-other"));
    let a = chainsim(&["merge", &p(&parts[0]), &p(&parts[1]), "--out", out]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("chainsim version differs"), "{err}");

    // A partial from a build that simulates differently under the same version number.
    edit(&|c| {
        c["chainsim_version"] = serde_json::json!(env!("CARGO_PKG_VERSION"));
        c["model_fingerprint"] = serde_json::json!("000000000000000000000000");
    });
    let a = chainsim(&["merge", &p(&parts[0]), &p(&parts[1]), "--out", out]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("model build (fingerprint) differs"), "{err}");

    let a = chainsim(&["merge", &p(root.path()), "--out", out]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(
        err.contains("partial.json: cannot read partial result"),
        "{err}"
    );
    assert!(!Path::new(out).exists(), "a refused merge writes nothing");
}

#[test]
fn shard_arguments_are_checked() {
    for (arg, says) in [
        ("0/3", "numbered from 1"),
        ("4/3", "1 <= K <= N"),
        ("x", "expected K/N"),
    ] {
        let a = chainsim(&["run", SCENARIO, "--shard", arg]).code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains(says), "{arg}: {err}");
    }
}
