//! Reichheld & Sasser 1990: halving churn doubles customers' expected tenure. The experiment
//! halves every loss hazard and follows the starting book of customers to the horizon.

use super::probe::{Rep, YEAR, run_rep};
use super::{CheckResult, Rule, Stopped, ValidateOptions, Validation, replicate};
use crate::scenario::Scenario;
use crate::stats::mean_interval;

/// Expected tenure of the starting book of customers: the area under its survival curve, with
/// the tail beyond the horizon extrapolated at the last year's hazard.
fn expected_tenure_years(rep: &Rep, n0: f64) -> f64 {
    let s = &rep.probe.initial_survivors;
    let t = s.len();
    let area: f64 = s.iter().map(|x| x / n0).sum();
    let last = s[t - 1] / n0;
    let hazard = (s[t - 1 - YEAR as usize] / s[t - 1]).ln() / f64::from(YEAR);
    (area + last / hazard) / 52.0
}

/// Reichheld & Sasser: halving every churn hazard should double customers' expected tenure.
pub(super) fn reichheld(
    o: &ValidateOptions,
    bank: &Scenario,
    base: &[Rep],
    out: &mut Validation,
) -> Result<(), Stopped> {
    let mut s = bank.clone();
    let c = &mut s.customers;
    for h in [
        &mut c.churn_top_per_year,
        &mut c.churn_middle_per_year,
        &mut c.churn_bottom_per_year,
        &mut c.loss_product_per_year,
        &mut c.loss_competitor_per_year,
        &mut c.loss_moved_per_year,
        &mut c.catastrophe_loss_probability,
    ] {
        *h *= 0.5;
    }
    let halved = replicate(o.interrupt, o.replications, |r| run_rep(&s, 0, o.seed, r))?;
    let n0 = f64::from(bank.sites.customers_per_site * bank.sites.count);
    let first_year_churn = |r: &Rep| 1.0 - r.probe.initial_survivors[YEAR as usize - 1] / n0;
    let churn_ratio = mean_interval(
        halved
            .iter()
            .zip(base)
            .map(|(h, b)| first_year_churn(h) / first_year_churn(b)),
    );
    let tenure = |reps: &[Rep]| mean_interval(reps.iter().map(|r| expected_tenure_years(r, n0)));
    out.results.push(
        CheckResult::judge(
            "reichheld_tenure".into(),
            "halving churn doubles customers' expected tenure",
            "x2 expected tenure",
            "Reichheld & Sasser 1990",
            (1.8, 2.2),
            Rule::Overlaps,
            "x",
            mean_interval(
                halved
                    .iter()
                    .zip(base)
                    .map(|(h, b)| expected_tenure_years(h, n0) / expected_tenure_years(b, n0)),
            ),
        )
        .with_detail(format!(
            "every loss hazard halved: first-year churn x{:.2}; expected tenure {:.1} -> {:.1} years",
            churn_ratio.mean,
            tenure(base).mean,
            tenure(&halved).mean
        )),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::probe::ChainProbe;

    #[test]
    fn expected_tenure_of_a_constant_hazard_is_its_inverse() {
        // Survivors decaying at 10% a year: the area plus the extrapolated tail is 1/h.
        let h = 0.1 / 52.0;
        let survivors: Vec<f64> = (1..=156)
            .map(|w| 1000.0 * (-h * f64::from(w)).exp())
            .collect();
        let rep = Rep {
            probe: ChainProbe {
                initial_survivors: survivors,
                ..ChainProbe::default()
            },
            ..Rep::default()
        };
        let years = expected_tenure_years(&rep, 1000.0);
        // The weekly sum is a right Riemann sum of the survival curve: half a week short.
        assert!((years - 10.0).abs() < 0.02, "{years}");
    }
}
