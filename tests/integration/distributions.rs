//! Today's engine gives the same outcome distributions as the engine before issue 19 made its
//! per-customer work lazy: 200 replications of each shipped scenario (52 weeks) against the
//! fixtures in `tests/fixtures/distributions` (seed 19, from the earlier engine), run here with
//! another seed so the two samples are independent. Every outcome of every arm, and every
//! arm's paired ΔNPV against the baseline, is compared with a two-sample Kolmogorov-Smirnov
//! test; with a Holm correction over all of them, none may differ at the 1% level.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{chainsim, fixture, root};

/// Replications per arm, as in the fixtures.
const REPS: &str = "200";
/// Family-wise significance level.
const ALPHA: f64 = 0.01;
/// The outcomes compared (columns of `replications.csv`).
const OUTCOMES: &[&str] = &[
    "npv",
    "cumulative_cash_flow",
    "revenue",
    "final_customers",
    "mean_satisfaction",
    "mean_morale",
    "mean_isq",
    "annual_turnover",
    "annual_customer_churn",
    "loss_service_share",
    "mean_wait_minutes",
    "encounters",
];

/// Each (arm, outcome)'s values in replication order, and each arm's paired ΔNPV (`delta_npv`).
fn samples(csv_path: &Path) -> BTreeMap<(String, String), Vec<f64>> {
    let mut reader = csv::Reader::from_path(csv_path).expect("a replications table");
    let header = reader.headers().expect("a header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let arm = column("arm");
    let mut out: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("a row");
        for &name in OUTCOMES {
            let v: f64 = row[column(name)].parse().expect("a number");
            out.entry((row[arm].to_string(), name.to_string()))
                .or_default()
                .push(v);
        }
    }
    let arms: Vec<String> = out.keys().map(|(a, _)| a.clone()).collect();
    let baseline = out[&("baseline".to_string(), "npv".to_string())].clone();
    for a in arms.into_iter().filter(|a| a != "baseline") {
        let npv = &out[&(a.clone(), "npv".to_string())];
        let delta = npv.iter().zip(&baseline).map(|(x, b)| x - b).collect();
        out.insert((a, "delta_npv".to_string()), delta);
    }
    out
}

/// The two-sample Kolmogorov-Smirnov statistic: the largest gap between the samples' empirical
/// distribution functions.
fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// The asymptotic p-value of statistic `d` for samples of `n` and `m` (Stephens' small-sample
/// correction, as in Numerical Recipes' `probks`).
fn ks_p_value(d: f64, n: usize, m: usize) -> f64 {
    let ne = (n * m) as f64 / (n + m) as f64;
    let lambda = (ne.sqrt() + 0.12 + 0.11 / ne.sqrt()) * d;
    if lambda < 0.3 {
        // The series converges slowly here, to 1 within 1e-9.
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let k = k as f64;
        let term = 2.0 * (-1f64).powf(k - 1.0) * (-2.0 * k * k * lambda * lambda).exp();
        sum += term;
        if term.abs() < 1e-12 {
            break;
        }
    }
    sum.clamp(0.0, 1.0)
}

#[test]
fn the_statistic_and_its_p_value_are_the_textbook_ones() {
    // Identical samples: no gap, p = 1; disjoint samples: the whole gap, p ~ 0.
    let a: Vec<f64> = (0..200).map(f64::from).collect();
    assert_eq!(ks_statistic(&a, &a), 0.0);
    assert_eq!(ks_p_value(0.0, 200, 200), 1.0);
    let b: Vec<f64> = (1000..1200).map(f64::from).collect();
    assert_eq!(ks_statistic(&a, &b), 1.0);
    assert!(ks_p_value(1.0, 200, 200) < 1e-12);
    // The 5% critical value for n = m = 200 is about 1.36 * sqrt(2 / 200) = 0.136.
    let p = ks_p_value(0.136, 200, 200);
    assert!((0.04..0.06).contains(&p), "{p}");
    // Half the values shifted past the others: a gap of one half.
    let c: Vec<f64> = (100..300).map(f64::from).collect();
    assert_eq!(ks_statistic(&a, &c), 0.5);
}

#[test]
fn outcome_distributions_of_the_default_and_the_bank_are_those_before_issue_19() {
    compare(&["retail_bank", "smile_vs_tools"]);
}

/// The two larger scenarios: about four minutes on two cores, so not in every test run
/// (`cargo test --release -- --ignored distributions`).
#[test]
#[ignore = "long: about four minutes on two cores"]
fn outcome_distributions_of_the_call_centre_and_the_restaurants_are_those_before_issue_19() {
    compare(&["call_centre", "restaurant_chain"]);
}

/// Runs each of the shipped scenarios `names` and compares every outcome with the fixture.
fn compare(names: &[&str]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut tests: Vec<(String, f64, f64)> = Vec::new();
    for &name in names {
        let out = dir.path().join(name);
        let scenario = root().join(format!("scenarios/{name}.ron"));
        chainsim(dir.path())
            .args(["run", scenario.to_str().expect("utf-8"), "--reps", REPS])
            .args(["--weeks", "52", "--seed", "20", "-q", "--out"])
            .arg(&out)
            .assert()
            .success();
        let before = samples(&fixture(&format!("distributions/{name}.csv")));
        let after = samples(&out.join("replications.csv"));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{name}: the same arms and outcomes"
        );
        for (key, a) in &before {
            let b = &after[key];
            assert_eq!((a.len(), b.len()), (200, 200), "{name} {key:?}");
            let d = ks_statistic(a, b);
            let label = format!("{name} {} {}", key.0, key.1);
            tests.push((label, d, ks_p_value(d, a.len(), b.len())));
        }
    }
    // Holm: the k-th smallest p-value (from 0) is judged at ALPHA / (tests - k), stopping at the
    // first that is not significant.
    tests.sort_by(|x, y| x.2.total_cmp(&y.2));
    let n = tests.len();
    let rejected: Vec<String> = tests
        .iter()
        .enumerate()
        .take_while(|(k, t)| t.2 < ALPHA / (n - k) as f64)
        .map(|(_, t)| format!("{}: D = {:.3}, p = {:.2e}", t.0, t.1, t.2))
        .collect();
    let smallest: Vec<String> = tests
        .iter()
        .take(5)
        .map(|t| format!("{}: D = {:.3}, p = {:.3}", t.0, t.1, t.2))
        .collect();
    println!(
        "{n} two-sample tests; the smallest p-values:\n{}",
        smallest.join("\n")
    );
    assert!(n >= 12 * names.len(), "only {n} comparisons");
    assert!(
        rejected.is_empty(),
        "outcomes whose distribution changed (Holm, family-wise {ALPHA}):\n{}",
        rejected.join("\n")
    );
}
