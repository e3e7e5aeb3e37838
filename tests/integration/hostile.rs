//! Hostile inputs (issue 18, items 1, 2 and 7): a scenario's name never writes outside the
//! output folder nor reaches the terminal raw, money cannot wrap around, and `report DIR` never
//! pastes what it did not write into a page.

use std::path::Path;

use chainsim::files::{MAX_FOLDER_NAME_BYTES, MAX_NAME_CHARS, name_problem, safe_folder_name};
use chainsim::scenario::Scenario;
use proptest::prelude::*;

use crate::common::chainsim;

/// A tiny scenario named `name` (a RON string literal's contents).
fn named(name: &str) -> String {
    format!(
        "(name: \"{name}\", weeks: 3, replications: 2, sites: (count: 1, employees_per_site: 3, customers_per_site: 100, market_per_site: 150))\n"
    )
}

/// Every path under `dir`, relative to it.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_name_never_writes_outside_the_output_folder() {
    for (name, folder) in [
        ("../../escaped", "escaped"),
        ("/tmp/abs", "tmp_abs"),
        ("a/../../b", "a_.._.._b"),
        ("my bank", "my_bank"),
        ("-rf", "rf"),
        ("CON", "CON_"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = tmp.path().join("a/b/c");
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::write(cwd.join("s.ron"), named(name)).unwrap();
        chainsim(&cwd)
            .args(["run", "s.ron", "--quiet"])
            .assert()
            .code(0);
        let written = tree(tmp.path());
        assert!(
            written
                .iter()
                .all(|p| p.starts_with("a/b/c") || "a/b/c".starts_with(p.as_str())),
            "{name}: {written:?}"
        );
        assert!(
            cwd.join("output")
                .join(folder)
                .join("manifest.json")
                .is_file(),
            "{name}: {written:?}"
        );
        assert_eq!(
            tree(&cwd.join("output"))
                .iter()
                .filter(|p| !p.contains('/'))
                .count(),
            1
        );
    }
}

#[test]
fn check_refuses_names_run_cannot_use() {
    let long = "a".repeat(200_000);
    for (name, says) in [
        ("..", "at least one letter or digit"),
        (".", "at least one letter or digit"),
        ("", "at least one letter or digit"),
        ("///", "at least one letter or digit"),
        (long.as_str(), "at most 100 characters, found one of 200000"),
        ("a\\u{0}b", "U+0000 at character 2"),
        ("a\\nb", "U+000A"),
        ("red\\u{1b}[31m", "U+001B"),
        ("bell\\u{7}", "U+0007"),
        ("abc\\u{202e}txt.exe", "U+202E"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("s.ron"), named(name)).unwrap();
        for cmd in ["check", "run"] {
            let o = chainsim(tmp.path()).args([cmd, "s.ron"]).output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
            assert_eq!(o.status.code(), Some(2), "{cmd} {name:.20}: {stderr:.300}");
            assert!(stderr.contains("s.ron: name: expected"), "{stderr:.300}");
            assert!(stderr.contains(says), "{name:.20}: {stderr:.300}");
            // The message is short, whatever the name's length, and holds no raw control.
            assert!(stderr.len() < 600, "{} bytes", stderr.len());
            assert!(
                !stderr.chars().any(|c| c.is_control() && c != '\n'),
                "{stderr:?}"
            );
        }
        assert!(!tmp.path().join("output").exists());
    }
    // Arm names take the same rules (they are not folder names: `..` is a fine arm name).
    let tmp = tempfile::tempdir().unwrap();
    let arms = "(name: \"x\", weeks: 3, arms: [(name: \"..\"), (name: \"b\\u{7}\")])";
    std::fs::write(tmp.path().join("s.ron"), arms).unwrap();
    let o = chainsim(tmp.path())
        .args(["check", "s.ron"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr.matches("problem").count(), 1, "{stderr}");
    assert!(
        stderr.contains("arms[1].name: expected a name of visible characters"),
        "{stderr}"
    );
}

#[test]
fn what_a_file_holds_never_reaches_the_terminal_raw() {
    let tmp = tempfile::tempdir().unwrap();
    // Raw ESC, BEL, CR and U+202E in the file itself (not RON escapes): the syntax error quotes them.
    let text = "(name: \"x\", weeks: \u{1b}]0;pwned\u{7}\r\u{202e}3)\n";
    std::fs::write(tmp.path().join("s.ron"), text).unwrap();
    let o = chainsim(tmp.path())
        .args(["check", "s.ron"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("found `\\u001b"), "{stderr:?}");
    for raw in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        assert!(
            !stderr.contains(raw),
            "{raw:?} reached the terminal: {stderr:?}"
        );
    }
    // And a file name with an escape in it, echoed in "cannot read".
    let o = chainsim(tmp.path())
        .args(["check", "no\u{1b}[2Jsuch.ron"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(
        !stderr.contains('\u{1b}') && stderr.contains("no\\u001b[2Jsuch.ron"),
        "{stderr:?}"
    );
    assert_eq!(
        chainsim::report::format::terminal_safe("plain\ttext\n"),
        "plain\ttext\n"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_name_makes_a_safe_folder_or_none(name in "\\PC{0,80}|[./\\\\ _-]{0,12}|.{0,300}") {
        match safe_folder_name(&name) {
            Some(folder) => {
                prop_assert!(!folder.is_empty() && folder.len() <= MAX_FOLDER_NAME_BYTES + 1);
                prop_assert!(folder.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
                prop_assert!(!folder.starts_with(['.', '-', '_']) && !folder.ends_with(['.', '-']));
                prop_assert!(folder != "." && folder != "..");
                let path = Path::new("output").join(&folder);
                prop_assert_eq!(path.components().count(), 2);
                prop_assert_eq!(path.parent(), Some(Path::new("output")));
                // The same name always gives the same folder.
                prop_assert_eq!(safe_folder_name(&name), Some(folder));
            }
            None => prop_assert!(!name.chars().any(|c| c.is_ascii_alphanumeric())),
        }
    }

    #[test]
    fn check_accepts_exactly_the_names_run_can_use(name in "\\PC{0,120}|.{0,120}") {
        let s = Scenario { name: name.clone(), ..Scenario::default() };
        let refused = s.problems().iter().any(|p| p.path == "name");
        prop_assert_eq!(refused, name_problem(&name, true).is_some());
        if !refused {
            // What check accepts, run can turn into a folder, and the terminal shows as it is.
            prop_assert!(safe_folder_name(&name).is_some());
            prop_assert!(name.chars().count() <= MAX_NAME_CHARS);
            prop_assert_eq!(chainsim::report::format::terminal_safe(&name), name.as_str());
        }
    }
}

/// Every money field of a scenario, as a path `check` names.
const MONEY_FIELDS: &[(&str, &str)] = &[
    ("service", "failure_cost"),
    ("isq", "tools_capex_per_site_per_week"),
    ("isq", "skills_budget_per_employee_per_week"),
    ("isq", "market_wage_per_hour"),
    ("employees", "wage_per_hour"),
    ("employees", "hiring_cost"),
    ("employees", "onboarding_cost"),
    ("customers", "cost_per_acquired_customer"),
    ("customers", "spend_per_visit"),
    ("money", "overhead_per_site_per_week"),
];

#[test]
fn check_bounds_every_money_input() {
    let tmp = tempfile::tempdir().unwrap();
    let base = "weeks: 3, replications: 2, sites: (count: 1, employees_per_site: 3, customers_per_site: 100, market_per_site: 150)";
    let mut cases: Vec<(String, String)> = MONEY_FIELDS
        .iter()
        .map(|(section, field)| {
            (
                format!("{section}: ({field}: 1e308)"),
                format!("{section}.{field}: expected an amount in"),
            )
        })
        .collect();
    for (lever, path) in [
        ("CostOnly", "cost_per_site: 1e308"),
        ("CostOnly", "cost_per_employee: 2e9"),
        ("Tooling(amount: 1e308)", ""),
        ("SkillsTraining(amount: 1e10)", ""),
        ("PayRaise(percent: 1e308)", ""),
        ("Marketing(extra_customers_per_week: 1e308)", ""),
    ] {
        let comma = if path.is_empty() { "" } else { ", " };
        cases.push((
            format!("arms: [(name: \"b\"), (name: \"x\", interventions: [(lever: {lever}, start_week: 1{comma}{path})])]"),
            "arms[1].interventions[0].".to_string(),
        ));
    }
    cases.push((
        "customers: (spend_per_visit: 1e9, spend_growth_per_year: 1.0, spend_growth_cap_years: 7.0)".into(),
        "customers.spend_growth_per_year: expected spend_per_visit".into(),
    ));
    for (field, says) in cases {
        std::fs::write(
            tmp.path().join("m.ron"),
            format!("(name: \"m\", {base}, {field})"),
        )
        .unwrap();
        let o = chainsim(tmp.path())
            .args(["check", "m.ron"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{field}: {stderr}");
        assert!(stderr.contains(&says), "{field}: {stderr}");
    }
}

#[test]
fn money_past_the_ledger_fails_the_run_instead_of_wrapping() {
    // Each amount is within its bound; together, over fifty years, they pass ±92 quadrillion
    // (1000 staff held at that headcount, whatever the demand, at 48 paid hours a week).
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("m.ron"),
        "(name: \"m\", weeks: 2600, replications: 2, sites: (count: 1, employees_per_site: 1000, customers_per_site: 100, market_per_site: 150), money: (overhead_per_site_per_week: 1e9), employees: (wage_per_hour: 1e9), links: (demand_to_headcount: false))",
    )
    .unwrap();
    chainsim(tmp.path())
        .args(["check", "m.ron"])
        .assert()
        .code(0);
    let o = chainsim(tmp.path())
        .args(["run", "m.ron", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("arm 'baseline', replication 0, week ")
            && stderr.contains("is beyond what the ledger holds"),
        "{stderr}"
    );
    assert!(o.stdout.is_empty(), "no figures are reported");
    assert!(!tmp.path().join("output/m").exists(), "nothing is written");
}

/// A one-site scenario of `weeks` weeks with `field` of `section` set to `value`.
fn with_money(section: &str, field: &str, value: f64) -> Scenario {
    let mut s = crate::common::small(6);
    s.sites.count = 1;
    s.replications = 1;
    let mut tree = serde_json::to_value(&s).unwrap();
    tree[section][field] = serde_json::json!(value);
    serde_json::from_value(tree).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any amount in any money field: refused by check, or a run whose figures are the
    /// ledger's true sums; a larger pure cost never shows as a larger cash flow.
    #[test]
    fn money_is_refused_or_exact_never_wrapped(
        field in 0..MONEY_FIELDS.len(),
        exponent in -2.0f64..308.0,
    ) {
        let (section, name) = MONEY_FIELDS[field];
        let value = 10f64.powf(exponent);
        let s = with_money(section, name, value);
        let accepted = s.problems().is_empty();
        if value > chainsim::ledger::MAX_AMOUNT {
            prop_assert!(!accepted, "{} = {} accepted", name, value);
        } else if name != "spend_per_visit" {
            // (Spend is also bounded with its growth over tenure.)
            prop_assert!(accepted, "{} = {} refused: {:?}", name, value, s.problems());
        }
        if !accepted {
            return Ok(());
        }
        let options = chainsim::runner::RunOptions { threads: 1, ..chainsim::runner::RunOptions::from_scenario(&s) };
        match chainsim::runner::run(&s, &options) {
            Ok(r) => {
                let rep = &r.arms[0].replications[0];
                prop_assert!(rep.npv.is_finite() && rep.cumulative_cash_flow.is_finite());
                // A pure cost: money that buys nothing the model values. Capex and training
                // build the tools and skills stocks, and wages buy pay fairness, so a little of
                // them can pay for itself (the baseline's steady start gives them time to).
                let is_cost = ![
                    "spend_per_visit",
                    "market_wage_per_hour",
                    "tools_capex_per_site_per_week",
                    "skills_budget_per_employee_per_week",
                    "wage_per_hour",
                ]
                .contains(&name);
                if is_cost {
                    let cheaper = with_money(section, name, 0.0);
                    let base = chainsim::runner::run(&cheaper, &options).unwrap();
                    let base = &base.arms[0].replications[0];
                    prop_assert!(rep.cumulative_cash_flow <= base.cumulative_cash_flow + 1e-6,
                        "{} = {} gave more cash ({}) than 0 ({})", name, value, rep.cumulative_cash_flow, base.cumulative_cash_flow);
                }
            }
            Err(e) => prop_assert!(e.to_string().contains("beyond what the ledger holds"), "{}", e),
        }
    }

    /// The ledger's sums are exact while they fit and marked overflowed once they do not.
    #[test]
    fn ledger_sums_are_exact_or_marked(amounts in prop::collection::vec(any::<i64>(), 1..20)) {
        use chainsim::ledger::{Line, Lines, Money};
        let mut l = Lines::default();
        let mut exact = 0i128;
        let mut saturated = false;
        for &a in &amounts {
            let a = a.clamp(-i64::MAX + 1, i64::MAX - 1);
            l.post(Line::Wages, Money(a));
            exact += i128::from(a);
            saturated |= exact.abs() >= i128::from(i64::MAX);
        }
        if saturated {
            prop_assert!(l.get(Line::Wages).is_overflow() && l.overflowed());
        } else {
            prop_assert_eq!(i128::from(l.get(Line::Wages).cents()), exact);
        }
    }
}

#[test]
fn report_never_pastes_what_chainsim_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.ron"), named("planted")).unwrap();
    chainsim(tmp.path())
        .args(["run", "s.ron", "--quiet", "--out", "o"])
        .assert()
        .code(0);
    let dir = tmp.path().join("o");
    let written = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let svg = std::fs::read_to_string(dir.join("profit.svg")).unwrap();
    let planted = svg
        .replacen("<svg ", "<svg onload=\"fetch('http://x')\" ", 1)
        .replacen(
            "</svg>",
            "<script>alert(document.cookie)</script><a href=\"javascript:x\"><text>click</text></a><foreignObject><iframe src=\"http://x\"/></foreignObject></svg>",
            1,
        );
    std::fs::write(dir.join("profit.svg"), planted).unwrap();
    std::fs::write(dir.join("chain.svg"), "<html><script>x()</script></html>").unwrap();
    chainsim(tmp.path()).args(["report", "o"]).assert().code(0);
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for gone in [
        "<script",
        "onload=",
        "javascript:",
        "<iframe",
        "<foreignObject",
        "http://x",
        "x()",
        ">click<",
    ] {
        assert!(!page.contains(gone), "{gone} reached the page");
    }
    assert!(page.contains("Parts chainsim does not write were removed from profit.svg: a, foreignObject, onload, script."), "the page says what was removed");
    assert!(page.contains("chain.svg is not a chart chainsim wrote"));
    // The page chainsim wrote itself embeds its charts unchanged.
    assert!(
        written.contains(
            "<svg role=\"img\" aria-label=\"profit chart\" class=\"chart\" width=\"1600\""
        )
    );
    for manifest in [
        "null",
        "[1,2,3]",
        "\"a string\"",
        "{}",
        "{\"chainsim_version\": 5}",
        "",
    ] {
        std::fs::write(dir.join("manifest.json"), manifest).unwrap();
        let o = chainsim(tmp.path()).args(["report", "o"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{manifest}: {stderr}");
        assert!(
            stderr.contains("cannot read 'o/manifest.json': line "),
            "{stderr}"
        );
        assert!(
            !stderr.contains("struct") && !stderr.contains("RunManifest"),
            "{stderr}"
        );
    }
}

#[test]
fn a_sweep_name_never_writes_outside_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("a/b/c");
    std::fs::create_dir_all(&cwd).unwrap();
    let corpus = crate::common::root().join("tests/fuzz_corpus/sweep_grid_inline.ron");
    let text = std::fs::read_to_string(corpus).unwrap();
    for (name, code) in [("../../../escaped", 0), ("..", 2), ("x\\u{1b}[2J", 2)] {
        let sweep = text.replace("name: \"grid_inline\"", &format!("name: \"{name}\""));
        std::fs::write(cwd.join("w.ron"), sweep).unwrap();
        let o = chainsim(&cwd)
            .args(["sweep", "w.ron", "--quiet"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(code), "{name}: {stderr}");
        if code == 2 {
            assert!(stderr.contains("name: expected a name"), "{stderr}");
        }
    }
    assert!(cwd.join("output/sweeps/escaped/manifest.json").is_file());
    assert!(
        tree(tmp.path())
            .iter()
            .all(|p| p.starts_with("a/b/c") || "a/b/c".starts_with(p.as_str()))
    );
}
