//! The chain's links cut one at a time (Brown & Lam 2008; Schneider, White & Paul 1998): across
//! sites morale and satisfaction go together, service quality mediates the link, and the link
//! vanishes when employees can no longer shape the service, or runs back through the mirror.

use super::probe::{
    Rep, morale_satisfaction_correlation, partial_correlation, ratio, run_rep, site_correlation,
};
use super::{CheckResult, Rule, Stopped, ValidateOptions, Validation, replicate};
use crate::scenario::{Links, Scenario};
use crate::stats::{Interval, mean_interval};

/// Link ablations: the forward link (employees shape the service) and the mirror.
pub(super) fn ablations(
    o: &ValidateOptions,
    bank: &Scenario,
    base: &[Rep],
    out: &mut Validation,
) -> Result<(), Stopped> {
    let with_links = |f: fn(&mut Links)| {
        let mut s = bank.clone();
        f(&mut s.links);
        replicate(o.interrupt, o.replications, move |r| {
            run_rep(&s, 0, o.seed, r)
        })
    };
    out.results.push(CheckResult::judge(
        "chain_correlation".into(),
        "across sites, morale and customer satisfaction go together",
        "r ~ .2-.5 across units",
        "Brown & Lam 2008",
        (0.15, 0.6),
        Rule::Overlaps,
        "r",
        morale_satisfaction_correlation(base),
    ));
    let z = |x: f64| x.clamp(-0.999_999, 0.999_999).atanh();
    let partial = mean_interval(base.iter().map(|r| z(partial_correlation(r))));
    out.results.push(CheckResult::judge(
        "mediation_service_quality".into(),
        "holding service quality fixed, morale tells nothing more about customers",
        "fully mediated by service quality",
        "Brown & Lam 2008",
        (-0.2, 0.2),
        Rule::Overlaps,
        "partial r",
        Interval {
            mean: partial.mean.tanh(),
            lo: partial.lo.tanh(),
            hi: partial.hi.tanh(),
            n: partial.n,
        },
    ));
    // The employee -> service link: morale shows as courtesy and effort, and morale keeps staff
    // (retention -> service capability), directly and through the strain of surface acting. The
    // mirror is cut too so customers cannot move morale back.
    fn hide(l: &mut Links) {
        l.morale_to_courtesy = false;
        l.morale_to_effort = false;
        l.morale_to_quits = false;
        l.emotional_labour = false;
    }
    let hidden = with_links(hide)?;
    let neither = with_links(|l| {
        hide(l);
        l.satisfaction_mirror = false;
    })?;
    out.results.push(CheckResult::judge(
        "ablation_employee_service".into(),
        "cut employee -> service (and the mirror): the correlation vanishes",
        "effect runs through service",
        "Brown & Lam 2008",
        (-0.2, 0.2),
        Rule::Overlaps,
        "r",
        morale_satisfaction_correlation(&neither),
    ));
    let gain = mean_interval(
        hidden
            .iter()
            .zip(&neither)
            .map(|(m, n)| site_correlation(m) - site_correlation(n)),
    );
    out.results.push(CheckResult::judge(
        "ablation_mirror_morale".into(),
        "the mirror alone ties morale to customers' satisfaction",
        "the link runs both ways",
        "Schneider, White & Paul 1998",
        (0.0, f64::INFINITY),
        Rule::Inside,
        "r (mirror on - off)",
        gain,
    ));
    let dsat = mean_interval(hidden.iter().zip(&neither).map(|(m, n)| {
        ratio(m.window.satisfaction_sum, m.window.customers)
            - ratio(n.window.satisfaction_sum, n.window.customers)
    }));
    out.results.push(CheckResult::judge(
        "ablation_mirror_customers".into(),
        "and, with morale hidden from customers, changes nothing for them",
        "customers unchanged",
        "model structure",
        (-0.5, 0.5),
        Rule::Inside,
        "satisfaction points",
        dsat,
    ));
    Ok(())
}
