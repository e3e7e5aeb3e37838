//! Scenario errors: every kind of bad scenario is refused with a message that says where the
//! problem is, what was expected and what was found; good scenarios load.
//!
//! One fixture per error kind lives in `tests/fixtures/`, named for the kind.

use std::path::{Path, PathBuf};

use chainsim::scenario::param::Problem;
use chainsim::scenario::{Scenario, ScenarioError};

/// The path of a fixture.
use crate::common::fixture;

/// Loads a fixture that must fail; returns the path as the messages show it, and the error.
fn load_err(name: &str) -> (String, ScenarioError) {
    let path = fixture(name);
    match Scenario::load(&path) {
        Ok(s) => panic!(
            "{name} loaded (as scenario {:?}) but should be refused",
            s.name
        ),
        Err(e) => (path.display().to_string(), e),
    }
}

/// A syntax error from a fixture: (file, line, col, message, Display text).
fn syntax(name: &str) -> (String, usize, usize, String, String) {
    let (file, e) = load_err(name);
    let shown = e.to_string();
    match e {
        ScenarioError::Syntax {
            file: f,
            line,
            col,
            message,
        } => {
            assert_eq!(f, file, "the error names the file as given");
            (file, line, col, message, shown)
        }
        other => panic!("{name}: expected a syntax error, found {other:?}"),
    }
}

/// The meaning errors from a fixture: (file, problems, Display text).
fn invalid(name: &str) -> (String, Vec<Problem>, String) {
    let (file, e) = load_err(name);
    let shown = e.to_string();
    match e {
        ScenarioError::Invalid { file: f, problems } => {
            assert_eq!(f, file, "the error names the file as given");
            (file, problems, shown)
        }
        other => panic!("{name}: expected meaning errors, found {other:?}"),
    }
}

/// A fixture with exactly one meaning error at `path`: the message names the file and the
/// field, says what was `expected`, ends with what was `found`, and the count line follows.
fn assert_one_problem(name: &str, path: &str, expected: &str, found: &str) {
    let (file, problems, shown) = invalid(name);
    assert_eq!(problems.len(), 1, "{name}: {problems:?}");
    assert_eq!(problems[0].path, path);
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "{name}: one problem line and a count:\n{shown}"
    );
    let located = format!("{file}: {path}: ");
    assert!(
        lines[0].starts_with(&located),
        "{name}: expected the line to start with {located:?}, found {:?}",
        lines[0]
    );
    assert!(
        lines[0].contains(expected),
        "{name}: expected the line to say {expected:?}, found {:?}",
        lines[0]
    );
    assert!(
        lines[0].ends_with(found),
        "{name}: expected the line to end with {found:?}, found {:?}",
        lines[0]
    );
    assert_eq!(lines[1], format!("{file}: 1 problem"));
}

#[test]
fn syntax_error_is_located_at_its_line_and_column() {
    // Line 4 is `    sites: (count: 2 employees_per_site: 3),`: the comma is missing before
    // `employees_per_site`, which starts at column 22.
    let (file, line, col, message, shown) = syntax("syntax_error.ron");
    assert_eq!((line, col), (4, 22), "{shown}");
    assert_eq!(message, "expected comma, found `employees_per_site`");
    assert_eq!(
        shown,
        format!("{file}:4:22: expected comma, found `employees_per_site`")
    );
}

#[test]
fn unknown_field_names_the_typo_and_the_fields_expected() {
    // Line 3 is `    sites: (cout: 3),`: `cout` starts at column 13.
    let (file, line, col, message, shown) = syntax("unknown_field.ron");
    assert_eq!((line, col), (3, 13), "{shown}");
    assert!(shown.starts_with(&format!("{file}:3:13: ")), "{shown}");
    assert!(
        message.contains("`cout`"),
        "names the field found: {message}"
    );
    assert!(
        message.contains("the `sites` section") && !message.contains("SiteParams"),
        "names the section in the user's words: {message}"
    );
    for expected in [
        "`count`",
        "`employees_per_site`",
        "`customers_per_site`",
        "`market_per_site`",
        "`demand_multiplier`",
        "`manager_quality`",
    ] {
        assert!(message.contains(expected), "lists {expected}: {message}");
    }
}

#[test]
fn wrong_type_is_located_and_says_what_was_expected() {
    // Line 3 is `    employees: (wage_per_hour: "twenty"),`; the value starts at column 32.
    let (file, line, col, message, shown) = syntax("wrong_type.ron");
    assert_eq!((line, col), (3, 32), "{shown}");
    assert!(shown.starts_with(&format!("{file}:3:32: ")), "{shown}");
    assert!(message.contains("expected float"), "{shown}");
}

#[test]
fn wrong_type_says_what_was_found() {
    let (_, _, _, message, shown) = syntax("wrong_type.ron");
    assert!(message.contains("twenty"), "names the value found: {shown}");
}

#[test]
fn nan_is_refused() {
    assert_one_problem(
        "nan_value.ron",
        "employees.wage_per_hour",
        "expected an amount in [0, 1e9] (a billion currency units at most)",
        "found NaN",
    );
}

#[test]
fn infinity_is_refused() {
    assert_one_problem(
        "infinite_value.ron",
        "service.patience_mean_minutes",
        "expected a finite number greater than 0",
        "found inf",
    );
}

#[test]
fn negative_rate_is_refused() {
    assert_one_problem(
        "negative_rate.ron",
        "demand.visits_per_customer_per_week",
        "expected a finite number greater than 0",
        "found -0.5",
    );
}

#[test]
fn probability_above_one_is_refused() {
    assert_one_problem(
        "probability_out_of_range.ron",
        "employees.absence_probability",
        "expected a probability in [0, 1]",
        "found 1.5",
    );
}

#[test]
fn reversed_range_is_refused() {
    assert_one_problem(
        "reversed_range.ron",
        "sites.manager_quality",
        "reversed range: expected min <= max",
        "found min 80.0 > max 40.0",
    );
}

#[test]
fn reversed_opening_hours_are_refused() {
    assert_one_problem(
        "reversed_hours.ron",
        "clock.close_minute",
        "expected a closing minute after open_minute 1020",
        "found 540",
    );
}

#[test]
fn market_smaller_than_the_customer_base_is_refused() {
    assert_one_problem(
        "market_below_customers.ron",
        "sites.market_per_site",
        "expected at least customers_per_site (500)",
        "found 400",
    );
}

#[test]
fn duplicate_arm_name_is_refused_at_the_second_use() {
    assert_one_problem(
        "duplicate_arm.ron",
        "arms[2].name",
        "expected a unique arm name",
        "found \"baseline\" twice",
    );
}

#[test]
fn empty_arm_list_is_refused() {
    assert_one_problem(
        "no_arms.ron",
        "arms",
        "expected at least one arm",
        "found an empty list",
    );
}

#[test]
fn every_problem_is_reported_with_a_count() {
    let (file, problems, shown) = invalid("many_problems.ron");
    // Field rules first, in declaration order, then the relations between fields.
    let expected = [
        ("weeks", "expected a finite number greater than 0, found 0"),
        (
            "employees.wage_per_hour",
            "expected an amount in [0, 1e9] (a billion currency units at most), found -20.0",
        ),
        (
            "employees.absence_probability",
            "expected a probability in [0, 1], found 2.0",
        ),
        (
            "clock.close_minute",
            "reversed range: expected a closing minute after open_minute 600, found 600",
        ),
        (
            "sites.market_per_site",
            "expected at least customers_per_site (500), found 100",
        ),
        (
            "arms[1].name",
            "expected a unique arm name, found \"a\" twice",
        ),
    ];
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, expected.map(|(p, _)| p), "{shown}");
    let mut want: Vec<String> = expected
        .iter()
        .map(|(path, msg)| format!("{file}: {path}: {msg}"))
        .collect();
    want.push(format!("{file}: 6 problems"));
    assert_eq!(shown.lines().collect::<Vec<_>>(), want);
}

#[test]
fn missing_file_is_a_read_error_naming_the_path() {
    let path = fixture("does_not_exist.ron");
    let file = path.display().to_string();
    let e = match Scenario::load(&path) {
        Ok(_) => panic!("a missing file loaded"),
        Err(e) => e,
    };
    let shown = e.to_string();
    match &e {
        ScenarioError::Read { file: f, source } => {
            assert_eq!(f, &file);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected a read error, found {other:?}"),
    }
    assert!(
        shown.starts_with(&format!("{file}: cannot read scenario: ")),
        "{shown}"
    );
    assert!(
        std::error::Error::source(&e).is_some(),
        "keeps the OS error"
    );
}

#[test]
fn valid_minimal_loads_with_defaults_filled_in() {
    let s = Scenario::load(&fixture("valid_minimal.ron")).expect("valid_minimal.ron loads");
    assert_eq!(s.name, "tiny");
    assert_eq!((s.weeks, s.replications), (4, 2));
    assert_eq!(s.sites.count, 2);
    assert_eq!(s.sites.employees_per_site, 3);
    assert_eq!(s.sites.customers_per_site, 200);
    assert_eq!(s.sites.market_per_site, 300);
    let d = Scenario::default();
    assert_eq!(
        s.employees, d.employees,
        "unset sections keep their defaults"
    );
    assert_eq!(s.arms, d.arms);
    assert!(s.problems().is_empty());
}

#[test]
fn built_in_scenario_is_valid_and_is_smile_vs_tools_ron() {
    let b = Scenario::built_in();
    assert!(b.problems().is_empty(), "{:?}", b.problems());
    assert!(b.arms.len() >= 6, "the default compares the policy arms");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/smile_vs_tools.ron");
    let on_disk = Scenario::load(Path::new(path)).expect("scenarios/smile_vs_tools.ron loads");
    assert_eq!(b, on_disk);
}

#[test]
fn every_shipped_scenario_loads() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    assert!(
        [
            "retail_bank.ron",
            "call_centre.ron",
            "restaurant_chain.ron",
            "smile_vs_tools.ron"
        ]
        .iter()
        .all(|f| files.iter().any(|p| p.ends_with(f))),
        "scenarios/ holds the archetypes and the default: {files:?}"
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|p| Scenario::load(p).err().map(|e| e.to_string()))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fraction_for_an_integer_is_located_and_quoted() {
    let (file, line, col, message, _) = syntax("fraction_for_integer.ron");
    assert_eq!((line, col), (3, 12));
    assert_eq!(message, "expected an integer, found `4.5`");
    assert!(file.ends_with("fraction_for_integer.ron"));
}

#[test]
fn negative_count_is_located_and_quoted() {
    let (_, line, col, message, _) = syntax("negative_count.ron");
    assert_eq!((line, col), (3, 20));
    assert_eq!(
        message,
        "expected a whole number of at least 0 that fits the field, found `-3`"
    );
}

#[test]
fn unknown_variant_lists_the_known_ones() {
    let (_, line, col, message, _) = syntax("unknown_variant.ron");
    assert_eq!((line, col), (3, 34));
    assert!(
        message.starts_with("unexpected variant named `Weibull`"),
        "{message}"
    );
    for v in ["`Exponential`", "`LogNormal`", "`Gamma`", "`Fixed`"] {
        assert!(message.contains(v), "lists {v}: {message}");
    }
}

#[test]
fn unterminated_file_says_it_ended() {
    let (_, line, col, message, _) = syntax("unterminated.ron");
    assert_eq!((line, col), (4, 13));
    assert_eq!(message, "expected comma, found the end of the file");
}

/// Every line of a fixture's report, without the file prefix, and the count line.
fn problem_lines(name: &str) -> Vec<String> {
    let (file, problems, shown) = invalid(name);
    let lines: Vec<String> = shown
        .lines()
        .map(|l| {
            l.strip_prefix(&format!("{file}: "))
                .unwrap_or_else(|| panic!("{name}: every line names the file: {l}"))
                .to_string()
        })
        .collect();
    assert_eq!(lines.len(), problems.len() + 1, "{shown}");
    lines
}

#[test]
fn every_kind_of_bad_intervention_is_located_with_expected_and_found() {
    let p = "arms[1].interventions";
    assert_eq!(
        problem_lines("bad_interventions.ron"),
        [
            format!(
                "{p}[0].lever.amount: expected an amount in [0, 1e9] (a billion currency units at most), found -5.0"
            ),
            format!("{p}[0].start_week: expected a week before the horizon (10), found 10"),
            format!("{p}[1].end_week: reversed range: expected an end after start_week 4, found 4"),
            format!("{p}[2].lever.display_points: expected a score in [0, 100], found 150.0"),
            format!("{p}[2].every_weeks: expected a number of weeks of at least 1, found 0"),
            format!(
                "{p}[3].every_weeks: expected no recurrence for the continuing lever PayRaise, found Some(13); use end_week"
            ),
            format!(
                "{p}[4].cost_per_site: expected an amount in [0, 1e9] (a billion currency units at most), found -1.0"
            ),
            format!("{p}[4].sites[1]: expected a site index below 2, found 2"),
            format!(
                "{p}[5].lever.headcount_percent: expected a percentage in [0, 100], found 120.0"
            ),
            format!("{p}[5].lever.training_percent: expected a percentage in [0, 100], found -1.0"),
            "10 problems".to_string(),
        ]
    );
}

#[test]
fn relations_between_fields_are_located_with_expected_and_found() {
    assert_eq!(
        problem_lines("bad_relations.ron"),
        [
            "customers.churn_bottom_threshold: reversed range: expected below churn_top_threshold (70), found 80",
            "customers.dissatisfied_threshold: reversed range: expected below delighted_threshold (85), found 90",
            "isq.weight_tools: expected the ISQ weights to sum above 0, found 0.0",
            "baseline_arm: expected the name of an arm (\"baseline\", \" \"), found \"control\"",
            "arms[1].name: expected a non-empty name, found \" \"",
            "5 problems",
        ]
    );
}

#[test]
fn horizon_and_replications_beyond_their_limits_are_refused() {
    assert_eq!(
        problem_lines("too_many_replications.ron"),
        [
            "weeks: expected at most 2600 weeks (50 years), found 2601",
            "warmup_weeks: expected at most 2600 weeks (50 years), found 2601",
            "replications: expected at most 1000000 replications, found 4000000000",
            "3 problems",
        ]
    );
}

#[test]
fn a_target_utilisation_of_zero_is_refused() {
    // It divides the offered work: 0 asked for infinite staff and sent the model to NaN.
    assert_one_problem(
        "zero_target_utilisation.ron",
        "service.target_utilisation",
        "expected a share in (0, 1]",
        "found 0.0",
    );
}

#[test]
fn no_customers_and_a_zero_wage_are_valid() {
    for name in [
        "extreme_no_customers.ron",
        "extreme_zero_wage.ron",
        "extreme_no_market.ron",
    ] {
        let s = Scenario::load(&fixture(name)).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.problems().is_empty());
    }
}
