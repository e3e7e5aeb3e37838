//! The command line end to end: exit codes, messages and the files `run` writes.
//!
//! Every run is the tiny `valid_minimal.ron` (2 sites, a few weeks, 2 replications), so the
//! whole module takes well under a second in release mode.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

/// The `chainsim` binary, run from a scratch directory so nothing is written to the crate.
use crate::common::{chainsim, fixture};

/// The path of a fixture as the messages show it.
fn shown(name: &str) -> String {
    fixture(name).display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the command and checks its exit code; returns the output for further checks.
fn expect_code(cmd: &mut Command, code: i32) -> Output {
    let o = cmd.output().expect("chainsim starts");
    assert_eq!(
        o.status.code(),
        Some(code),
        "exit code\n--- stdout\n{}--- stderr\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// `chainsim run valid_minimal.ron --reps 2 --weeks 4 --threads 1 --out <out>` plus `extra`.
fn run_tiny(out: &Path, extra: &[&str]) -> Output {
    let mut cmd = chainsim(out.parent().expect("out has a parent"));
    cmd.arg("run")
        .arg(fixture("valid_minimal.ron"))
        .args(["--reps", "2", "--weeks", "4", "--threads", "1", "--out"])
        .arg(out)
        .args(extra);
    expect_code(&mut cmd, 0)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn check_valid_file_prints_ok() {
    let tmp = tempfile::tempdir().unwrap();
    let o = expect_code(
        chainsim(tmp.path())
            .arg("check")
            .arg(fixture("valid_minimal.ron")),
        0,
    );
    assert_eq!(
        stdout(&o),
        format!("{}: ok (tiny, 1 arm)\n", shown("valid_minimal.ron"))
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn check_bad_file_exits_2_with_located_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let o = expect_code(
        chainsim(tmp.path())
            .arg("check")
            .arg(fixture("probability_out_of_range.ron")),
        2,
    );
    let file = shown("probability_out_of_range.ron");
    assert_eq!(
        stderr(&o),
        format!(
            "{file}: employees.absence_probability: expected a probability in [0, 1], found 1.5\n\
             {file}: 1 problem\n"
        )
    );
    assert_eq!(stdout(&o), "");

    let o = expect_code(
        chainsim(tmp.path())
            .arg("check")
            .arg(fixture("syntax_error.ron")),
        2,
    );
    assert_eq!(
        stderr(&o),
        format!(
            "{}:4:22: expected comma, found `employees_per_site`\n",
            shown("syntax_error.ron")
        )
    );
}

#[test]
fn check_several_files_reports_every_problem_of_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let names = [
        "valid_minimal.ron",
        "syntax_error.ron",
        "unknown_field.ron",
        "many_problems.ron",
        "no_arms.ron",
    ];
    let o = expect_code(
        chainsim(tmp.path()).arg("check").args(names.map(fixture)),
        2,
    );
    // The good file is still reported ok.
    assert_eq!(
        stdout(&o),
        format!("{}: ok (tiny, 1 arm)\n", shown("valid_minimal.ron"))
    );
    let err = stderr(&o);
    let syntax = shown("syntax_error.ron");
    let unknown = shown("unknown_field.ron");
    let many = shown("many_problems.ron");
    let none = shown("no_arms.ron");
    for want in [
        format!("{syntax}:4:22: expected comma, found `employees_per_site`"),
        format!("{unknown}:3:13: unexpected field named `cout`"),
        format!("{many}: weeks: "),
        format!("{many}: employees.wage_per_hour: "),
        format!("{many}: employees.absence_probability: "),
        format!("{many}: clock.close_minute: "),
        format!("{many}: sites.market_per_site: "),
        format!("{many}: arms[1].name: "),
        format!("{many}: 6 problems"),
        format!("{none}: arms: expected at least one arm, found an empty list"),
        format!("{none}: 1 problem"),
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(&want)),
            "stderr has a line starting {want:?}:\n{err}"
        );
    }
    // One error block per bad file, in the order given: 1 + 1 + (6 + 1) + (1 + 1) lines.
    assert_eq!(err.lines().count(), 11, "{err}");
    let first = |f: &str| err.find(f).unwrap_or_else(|| panic!("{f} in {err}"));
    assert!(first(&syntax) < first(&unknown));
    assert!(first(&unknown) < first(&many));
    assert!(first(&many) < first(&none));
}

#[test]
fn check_without_files_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = expect_code(chainsim(tmp.path()).arg("check"), 2);
    assert!(stderr(&o).contains("Usage"), "{}", stderr(&o));
}

#[test]
fn run_writes_summary_tables_manifest_and_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_tiny(&out, &["--seed", "7"]);

    // The summary.
    let text = stdout(&o);
    assert!(text.starts_with("simulated "), "{text}");
    assert!(text.contains(" encounters in "), "{text}");
    assert!(text.contains("arm baseline:"), "{text}");
    assert!(
        text.contains("net cash flow over 4 weeks (undiscounted): mean "),
        "{text}"
    );
    for f in [
        "weekly.csv",
        "replications.csv",
        "manifest.json",
        "profit.png",
        "profit.svg",
        "chain.png",
        "chain.svg",
    ] {
        let p = out.join(f);
        assert!(
            text.contains(&p.display().to_string()),
            "lists {f}:\n{text}"
        );
        assert!(fs::metadata(&p).is_ok_and(|m| m.len() > 0), "{f} written");
    }
    // The progress line names the scenario and the run's shape on stderr.
    let err = stderr(&o);
    assert!(
        err.contains("tiny") && err.contains("2 replications x 4 weeks, seed 7"),
        "{err}"
    );

    // weekly.csv: the header, then every metric for each site and `all`, each of the 4 weeks.
    let weekly = read(&out.join("weekly.csv"));
    let mut lines = weekly.lines();
    assert_eq!(
        lines.next(),
        Some("arm,site,week,metric,mean,p05,p25,p50,p75,p95")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 10), "10 columns per row");
    assert!(rows.iter().all(|r| r[0] == "baseline"));
    let sites: BTreeSet<&str> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(sites, BTreeSet::from(["0", "1", "all"]));
    let weeks: BTreeSet<&str> = rows.iter().map(|r| r[2]).collect();
    assert_eq!(weeks, BTreeSet::from(["0", "1", "2", "3"]));
    let metrics: BTreeSet<&str> = rows.iter().map(|r| r[3]).collect();
    for m in [
        "cumulative_cash_flow",
        "operating_profit",
        "cash_flow",
        "capex",
        "revenue",
        "satisfaction",
        "morale",
        "isq",
    ] {
        assert!(metrics.contains(m), "weekly.csv has {m}: {metrics:?}");
    }
    assert_eq!(
        rows.len(),
        3 * 4 * metrics.len(),
        "one row per site, week and metric"
    );
    // The summary's mean net cash flow is the firm's mean in the last week, as every
    // output writes money.
    let last = rows
        .iter()
        .find(|r| r[1] == "all" && r[2] == "3" && r[3] == "cumulative_cash_flow")
        .expect("firm cumulative cash flow in week 3");
    let mean: f64 = last[4].parse().expect("the mean is a number");
    let shown = chainsim::report::format::money(mean);
    assert!(
        text.contains(&format!("over 4 weeks (undiscounted): mean {shown} ")),
        "summary mean {shown}:\n{text}"
    );

    // replications.csv: header and one row per replication.
    let reps = read(&out.join("replications.csv"));
    let reps: Vec<&str> = reps.lines().collect();
    assert_eq!(reps.len(), 3, "{reps:?}");
    assert!(reps[0].starts_with("arm,replication,npv,terminal_value_pv,cumulative_cash_flow,"));
    assert!(reps[1].starts_with("baseline,0,"));
    assert!(reps[2].starts_with("baseline,1,"));

    // manifest.json.
    let m: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).expect("manifest is JSON");
    for key in [
        "seed",
        "replications",
        "threads",
        "wall_seconds",
        "encounters",
        "scenario_sha256",
        "generator",
        "scenario",
    ] {
        assert!(m.get(key).is_some(), "manifest has {key}: {m}");
    }
    assert_eq!(m["seed"], 7);
    assert_eq!(m["replications"], 2);
    assert_eq!(m["threads"], 1);
    assert_eq!(m["weeks"], 4);
    assert!(m["wall_seconds"].as_f64().is_some_and(|s| s >= 0.0));
    let encounters = m["encounters"].as_u64().expect("encounters is a count");
    assert!(encounters > 0);
    assert!(
        text.contains(&format!(
            "simulated {} encounters",
            chainsim::report::format::grouped(encounters as f64, 0)
        )),
        "{text}"
    );
    let sha = m["scenario_sha256"].as_str().expect("sha is a string");
    assert_eq!(sha.len(), 64);
    assert!(sha.bytes().all(|b| b.is_ascii_hexdigit()), "{sha}");
    assert!(m["generator"].as_str().is_some_and(|g| !g.is_empty()));
    assert_eq!(m["scenario"]["name"], "tiny");
    assert_eq!(m["scenario"]["sites"]["count"], 2);

    // Charts.
    for f in ["profit.png", "chain.png"] {
        let bytes = fs::read(out.join(f)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{f} is a PNG");
    }
    for f in ["profit.svg", "chain.svg"] {
        let svg = read(&out.join(f));
        assert!(svg.contains("<svg"), "{f} is an SVG");
    }
}

#[test]
fn seed_changes_replications_and_same_seed_repeats_weekly() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let c = tmp.path().join("c");
    run_tiny(&a, &["--seed", "1"]);
    run_tiny(&b, &["--seed", "1"]);
    run_tiny(&c, &["--seed", "2"]);
    assert!(
        read(&a.join("weekly.csv")) == read(&b.join("weekly.csv")),
        "the same seed gives the same weekly.csv"
    );
    assert!(
        read(&a.join("replications.csv")) == read(&b.join("replications.csv")),
        "the same seed gives the same replications.csv"
    );
    assert!(
        read(&a.join("replications.csv")) != read(&c.join("replications.csv")),
        "another seed gives other replications"
    );
}

#[test]
fn run_bad_scenario_exits_2_with_the_message_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = expect_code(
        chainsim(tmp.path())
            .arg("run")
            .arg(fixture("nan_value.ron"))
            .arg("--out")
            .arg(&out),
        2,
    );
    let file = shown("nan_value.ron");
    assert_eq!(
        stderr(&o),
        format!(
            "{file}: employees.wage_per_hour: expected an amount in [0, 1e9] (a billion currency units at most), found NaN\n\
             {file}: 1 problem\n"
        )
    );
    assert_eq!(stdout(&o), "");
    assert!(!out.exists(), "no output for a refused scenario");

    let o = expect_code(
        chainsim(tmp.path())
            .arg("run")
            .arg(fixture("syntax_error.ron"))
            .arg("--out")
            .arg(&out),
        2,
    );
    assert_eq!(
        stderr(&o),
        format!(
            "{}:4:22: expected comma, found `employees_per_site`\n",
            shown("syntax_error.ron")
        )
    );
    assert!(!out.exists());
}

#[test]
fn run_with_zero_counts_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for flag in ["--reps", "--weeks", "--threads"] {
        let o = expect_code(
            chainsim(tmp.path())
                .arg("run")
                .arg(fixture("valid_minimal.ron"))
                .args([flag, "0", "--out"])
                .arg(&out),
            2,
        );
        assert_eq!(
            stderr(&o),
            format!("{flag}: expected a number of at least 1, found 0\n")
        );
        assert!(!out.exists());
    }
}

#[test]
fn counts_beyond_their_limits_are_usage_errors_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sweep =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps/grid_tools_vs_pay.ron");
    let two = fixture("two_arms.ron");
    let minimal = fixture("valid_minimal.ron");
    let cases: [(Vec<&std::ffi::OsStr>, &str); 5] = [
        (
            vec![
                "run".as_ref(),
                minimal.as_os_str(),
                "--reps".as_ref(),
                "2000000".as_ref(),
            ],
            "--reps: expected at most 1000000, found 2000000\n",
        ),
        (
            vec![
                "run".as_ref(),
                minimal.as_os_str(),
                "--weeks".as_ref(),
                "2601".as_ref(),
            ],
            "--weeks: expected at most 2600 (50 years), found 2601\n",
        ),
        (
            vec![
                "run".as_ref(),
                two.as_os_str(),
                "--precision".as_ref(),
                "10".as_ref(),
                "--max-reps".as_ref(),
                "2000000".as_ref(),
            ],
            "--max-reps: expected at most 1000000, found 2000000\n",
        ),
        (
            vec![
                "sweep".as_ref(),
                sweep.as_os_str(),
                "--reps".as_ref(),
                "20000".as_ref(),
            ],
            "--reps: expected at most 10000, found 20000\n",
        ),
        (
            vec!["validate".as_ref(), "--reps".as_ref(), "2000000".as_ref()],
            "--reps: expected at most 1000000, found 2000000\n",
        ),
    ];
    for (args, message) in cases {
        let o = expect_code(chainsim(tmp.path()).args(&args).arg("--out").arg(&out), 2);
        assert_eq!(
            stderr(&o).lines().last().map(|l| format!("{l}\n")),
            Some(message.to_string()),
            "{args:?}"
        );
        assert!(!out.exists(), "{args:?}");
    }
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = expect_code(chainsim(tmp.path()).args(["run", "--bogus"]), 2);
    let err = stderr(&o);
    assert!(err.contains("--bogus"), "{err}");
    assert!(err.contains("Usage"), "{err}");
    assert_eq!(stdout(&o), "");
}

#[test]
fn run_missing_scenario_file_exits_2_and_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no_such_scenario.ron");
    let out = tmp.path().join("out");
    let o = expect_code(
        chainsim(tmp.path())
            .arg("run")
            .arg(&missing)
            .arg("--out")
            .arg(&out),
        2,
    );
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("{}: cannot read scenario: ", missing.display())),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn a_scenario_too_big_for_the_machine_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = chainsim(dir.path())
        .args(["run"])
        .arg(fixture("billion_customers.ron"))
        .args(["--threads", "1", "--out", "o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("billion_customers: the scenario would need about 8") && e.contains("GiB"),
        "{e}"
    );
    assert!(!dir.path().join("o").exists(), "nothing may be written");
}

#[test]
fn memory_estimates_scale_with_the_market_and_the_threads() {
    use chainsim::runner::{DEFAULT_QUANTILE_BUDGET_BYTES, check_memory, replication_bytes};
    let mut s = chainsim::scenario::Scenario::default();
    let small = replication_bytes(&s);
    s.sites.market_per_site *= 10;
    assert!(replication_bytes(&s) > 9 * small / 2, "the slots dominate");
    let gib = 1u64 << 30;
    // Two replications of ~1 GiB each do not fit in 1.5 GiB; one does in 4.
    s.sites.count = 1;
    s.sites.market_per_site = 12_000_000;
    s.sites.customers_per_site = 12_000_000;
    assert!(check_memory(&s, 2, DEFAULT_QUANTILE_BUDGET_BYTES, Some(gib + gib / 2)).is_err());
    assert!(check_memory(&s, 1, DEFAULT_QUANTILE_BUDGET_BYTES, Some(4 * gib)).is_ok());
    // Where the available memory cannot be read, nothing is refused.
    assert!(check_memory(&s, 64, DEFAULT_QUANTILE_BUDGET_BYTES, None).is_ok());
}

#[test]
fn results_are_never_silently_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_tiny(&out, &[]);
    let before = read(&out.join("replications.csv"));
    // The same --out again is refused, naming the directory and the way out.
    let mut again = chainsim(tmp.path());
    again
        .arg("run")
        .arg(fixture("valid_minimal.ron"))
        .args(["--reps", "2", "--weeks", "4", "--seed", "9", "--out"])
        .arg(&out);
    let o = expect_code(&mut again, 2);
    let e = stderr(&o);
    assert!(
        e.contains("already holds files") && e.contains("--force"),
        "{e}"
    );
    assert_eq!(read(&out.join("replications.csv")), before, "untouched");
    // With --force it is replaced.
    run_tiny(&out, &["--seed", "9", "--force"]);
    assert_ne!(read(&out.join("replications.csv")), before);
    // The default directory gives way to a fresh one, named on stdout.
    let mut first = chainsim(tmp.path());
    first
        .arg("run")
        .arg(fixture("valid_minimal.ron"))
        .args(["--reps", "2", "--weeks", "4"]);
    expect_code(&mut first, 0);
    let mut second = chainsim(tmp.path());
    second
        .arg("run")
        .arg(fixture("valid_minimal.ron"))
        .args(["--reps", "2", "--weeks", "4"]);
    let o = expect_code(&mut second, 0);
    let name = tmp.path().join("output");
    let entries: BTreeSet<String> = fs::read_dir(&name)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let fresh = entries
        .iter()
        .find(|e| e.ends_with("-2"))
        .expect("a -2 directory");
    assert!(stdout(&o).contains(fresh.as_str()), "{}", stdout(&o));
}

#[test]
fn quiet_prints_nothing_and_json_prints_the_summary_as_one_object() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run_tiny(&tmp.path().join("quiet"), &["--quiet"]);
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "");
    assert!(tmp.path().join("quiet/weekly.csv").is_file());

    let out = tmp.path().join("json");
    let o = run_tiny(&out, &["--json", "--seed", "7"]);
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1, "one line of JSON: {text}");
    let j: serde_json::Value = serde_json::from_str(&text).expect("stdout is JSON");
    assert_eq!(j["seed"], 7);
    assert_eq!(j["replications"], 2);
    assert_eq!(j["complete"], true);
    assert_eq!(j["arms"][0]["name"], "baseline");
    // The same number as comparison.csv would give: the mean NPV over replications.csv's rows.
    let reps = read(&out.join("replications.csv"));
    let npvs: Vec<f64> = reps
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    let mean = npvs.iter().sum::<f64>() / npvs.len() as f64;
    let shown = j["arms"][0]["npv"]["mean"].as_f64().unwrap();
    assert!(
        (shown - mean).abs() <= 1e-9 * mean.abs(),
        "{shown} vs {mean}"
    );
    assert!(
        j["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().ends_with("weekly.csv"))
    );
    // --quiet and --json say opposite things.
    let o = expect_code(
        chainsim(tmp.path())
            .args(["run", "--quiet", "--json", "--out"])
            .arg(tmp.path().join("both")),
        2,
    );
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

#[test]
fn force_belongs_only_to_commands_that_write() {
    let tmp = tempfile::tempdir().unwrap();
    let o = expect_code(
        chainsim(tmp.path())
            .args(["check", "--force"])
            .arg(fixture("valid_minimal.ron")),
        2,
    );
    assert!(
        stderr(&o).contains("unexpected argument '--force'"),
        "{}",
        stderr(&o)
    );
    let o = expect_code(chainsim(tmp.path()).args(["reference", "--force"]), 2);
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
}

#[test]
fn misspellings_get_a_did_you_mean() {
    let tmp = tempfile::tempdir().unwrap();
    let o = expect_code(chainsim(tmp.path()).arg("chek"), 2);
    assert!(stderr(&o).contains("'check'"), "{}", stderr(&o));
    let scenarios = crate::common::root().join("scenarios");
    let o = expect_code(
        chainsim(tmp.path())
            .arg("run")
            .arg(scenarios.join("smile_vs_tool.ron")),
        2,
    );
    let e = stderr(&o);
    assert!(
        e.contains("did you mean") && e.contains("smile_vs_tools.ron"),
        "{e}"
    );
    let o = expect_code(
        chainsim(tmp.path())
            .arg("check")
            .arg(scenarios.join("lessons/02_smile_vs_tool.ron")),
        2,
    );
    assert!(
        stderr(&o).contains("02_smile_vs_tools.ron?"),
        "{}",
        stderr(&o)
    );
    let o = expect_code(
        chainsim(tmp.path())
            .args(["explain", "--weeks", "2", "--arm", "toolng"])
            .arg(fixture("two_arms.ron")),
        2,
    );
    assert!(stderr(&o).contains("did you mean"), "{}", stderr(&o));
}

#[test]
fn errors_speak_the_users_words() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.ron");
    fs::write(&bad, "(sites: 5)").unwrap();
    let o = expect_code(chainsim(tmp.path()).arg("check").arg(&bad), 2);
    let e = stderr(&o);
    assert!(e.contains("the `sites` section"), "{e}");
    assert!(!e.contains("SiteParams"), "{e}");
    let shard = tmp.path().join("shard");
    fs::create_dir(&shard).unwrap();
    fs::write(shard.join("partial.json"), "[1, 2]").unwrap();
    let o = expect_code(
        chainsim(tmp.path())
            .arg("merge")
            .arg(&shard)
            .arg("--out")
            .arg(tmp.path().join("merged")),
        2,
    );
    let e = stderr(&o);
    assert!(e.contains("not a chainsim partial result"), "{e}");
    assert!(!e.contains("RunShard") && !e.contains("struct"), "{e}");
}

#[test]
fn version_completions_and_manual() {
    let tmp = tempfile::tempdir().unwrap();
    let o = expect_code(chainsim(tmp.path()).arg("--version"), 0);
    let v = stdout(&o);
    assert!(
        v.starts_with(&format!("chainsim {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    let o = expect_code(chainsim(tmp.path()).args(["completions", "bash"]), 0);
    assert!(
        stdout(&o).contains("_chainsim()"),
        "a bash completion function"
    );
    let o = expect_code(chainsim(tmp.path()).arg("man"), 0);
    let man = stdout(&o);
    assert!(
        man.starts_with(".ie") || man.contains(".TH chainsim"),
        "{man}"
    );
    assert!(man.contains("sweep"));
}
