//! Small scenarios shared by the test modules.

use chainsim::scenario::Scenario;

/// A small but complete scenario: every link on, two sites, a few weeks.
pub fn small(weeks: u32) -> Scenario {
    let mut s = Scenario {
        name: "small".into(),
        weeks,
        replications: 3,
        ..Scenario::default()
    };
    s.sites.count = 2;
    s.sites.employees_per_site = 5;
    s.sites.customers_per_site = 1500;
    s.sites.market_per_site = 2200;
    s.employees.hiring_delay_weeks = 1.0;
    s.employees.expected_tenure_weeks = 40.0; // plenty of quits and hires to check
    s
}

/// The result files a run writes whatever its arms, with their bytes (the manifest aside: its
/// run details differ between equivalent runs).
pub fn read_results(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    [
        "weekly.csv",
        "replications.csv",
        "profit.png",
        "profit.svg",
        "chain.png",
        "chain.svg",
        "scenario.ron",
    ]
    .iter()
    .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
    .collect()
}

/// The crate's root directory.
pub fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `chainsim` binary, run from `cwd` so nothing is written into the crate.
pub fn chainsim(cwd: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("chainsim");
    cmd.current_dir(cwd);
    cmd
}

/// The fixture `name` (under `tests/fixtures`).
pub fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures").join(name)
}

/// The `chainsim` binary as a plain process in `cwd` with `args` (for tests that signal it or
/// watch it run, which `assert_cmd` does not).
pub fn command_in(cwd: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("chainsim"));
    cmd.current_dir(cwd).args(args);
    cmd
}

/// Bytes as text, lossily (a process's stdout or stderr).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
