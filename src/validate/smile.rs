//! Smile training without support for the staff (Hulsheger & Schewe 2011; Grandey 2005): display
//! rules raised on their own do little for customers and wear the employees down.

use super::probe::{Rep, ratio, run_rep, with_arms};
use super::{CheckResult, Rule, Stopped, ValidateOptions, Validation, replicate};
use crate::model::WeekTally;
use crate::scenario::Scenario;
use crate::stats::mean_interval;

/// Smile training without ISQ support, against the baseline on common random numbers.
pub(super) fn smile(
    o: &ValidateOptions,
    bank: &Scenario,
    base: &[Rep],
    out: &mut Validation,
) -> Result<(), Stopped> {
    let s = with_arms(
        bank.clone(),
        "[(name: \"baseline\"), (name: \"smile\", interventions: [(lever: \
         SmileTraining(display_points: 25.0), start_week: 4, every_weeks: Some(13), \
         cost_per_employee: 400.0)])]",
    );
    let treated = replicate(o.interrupt, o.replications, |r| run_rep(&s, 1, o.seed, r))?;
    let delta = |f: fn(&WeekTally) -> f64| {
        mean_interval(
            treated
                .iter()
                .zip(base)
                .map(|(t, c)| f(&t.window) - f(&c.window)),
        )
    };
    out.results.push(CheckResult::judge(
        "smile_satisfaction".into(),
        "smile training without ISQ support does little for customers",
        "little or negative effect",
        "Hulsheger & Schewe 2011",
        (f64::NEG_INFINITY, 1.0),
        Rule::Inside,
        "satisfaction points",
        delta(|t| ratio(t.satisfaction_sum, t.customers)),
    ));
    out.results.push(CheckResult::judge(
        "smile_strain".into(),
        "but raises exhaustion",
        "higher exhaustion",
        "Hulsheger & Schewe 2011",
        (0.0, f64::INFINITY),
        Rule::Inside,
        "strain points",
        delta(|t| ratio(t.strain_sum, t.employees)),
    ));
    out.results.push(CheckResult::judge(
        "smile_quits".into(),
        "and quits",
        "more quits",
        "Grandey 2005",
        (0.0, f64::INFINITY),
        Rule::Inside,
        "quits/employee-yr",
        delta(|t| ratio(t.quits * 52.0, t.employees)),
    ));
    Ok(())
}
