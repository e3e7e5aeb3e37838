//! The published facts measured on an archetype's baseline run, with no intervention: loyalty
//! by survey rating (Xerox), word of mouth and complaints (TARP), the cost of turnover, rookies'
//! learning curves, and engagement quartiles (Gallup). The `archetypes` experiment repeats the
//! loyalty facts on the other archetypes, so they are not a retail bank's alone.

use super::probe::{Rep, SiteWindow, YEAR, archetype, ratio, run_rep};
use super::{
    CheckResult, Figure, FigureKind, Rule, Stopped, ValidateOptions, Validation, replicate,
};
use crate::scenario::Scenario;
use crate::stats::mean_interval;
use crate::stats::series::IntervalRow;

/// The loyalty facts on the call centre and the restaurant chain.
pub(super) fn archetypes(o: &ValidateOptions, out: &mut Validation) -> Result<(), Stopped> {
    for name in ["call_centre", "restaurant_chain"] {
        let s = archetype(name);
        let reps = replicate(o.interrupt, o.replications, |r| run_rep(&s, 0, o.seed, r))?;
        loyalty_checks(name, &reps, out);
    }
    Ok(())
}

/// Loyalty facts measured on one archetype's baseline: Xerox, satisfied still leave, why
/// customers leave.
pub(super) fn loyalty_checks(name: &'static str, reps: &[Rep], out: &mut Validation) {
    let id = |check: &str| format!("{check}.{name}");
    let defect = |r: &Rep, rating: usize| {
        let (n, kept) = r.probe.by_rating[rating - 1];
        ratio(n - kept, n)
    };
    // Xerox: odds of repurchase (staying a customer) at rating 5 against rating 4.
    let odds = mean_interval(reps.iter().map(|r| {
        let odds = |rating| {
            let d = defect(r, rating);
            ratio(1.0 - d, d)
        };
        odds(5) / odds(4)
    }));
    let rate = |rating| mean_interval(reps.iter().map(|r| defect(r, rating)));
    out.results.push(
        CheckResult::judge(
            id("xerox_loyalty"),
            "customers rating 5 repurchase far more than those rating 4",
            "odds ~6x (rating 5 vs 4)",
            "Heskett et al. 1994",
            (4.0, 9.0),
            Rule::Overlaps,
            "x",
            odds,
        )
        .with_detail(format!(
            "one-year defection of the year-1 cohort by rating 1..5: {}",
            (1..=5)
                .map(|k| format!("{:.1}%", 100.0 * rate(k).mean))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );
    out.results.push(CheckResult::judge(
        id("satisfied_still_leave"),
        "merely satisfied customers still defect",
        "15-40% of rating-4 defect/yr",
        "multi-industry survey 1996",
        (0.15, 0.40),
        Rule::Overlaps,
        "share/yr",
        rate(4),
    ));
    let share = mean_interval(
        reps.iter()
            .map(|r| ratio(r.window.lost_service, r.window.lost())),
    );
    out.results.push(CheckResult::judge(
        id("why_customers_leave"),
        "most losses come from service treatment under a baseline",
        "~2/3 (68%) service treatment",
        "LeBoeuf; TARP",
        (0.55, 0.80),
        Rule::Overlaps,
        "share",
        share,
    ));
    if name == "retail_bank" {
        let rows = (1..=5)
            .map(|k| {
                let i = rate(k);
                IntervalRow {
                    label: format!("rating {k}"),
                    estimate: 100.0 * i.mean,
                    lo: 100.0 * i.lo,
                    hi: 100.0 * i.hi,
                }
            })
            .collect();
        out.figures.push(Figure {
            stem: "loyalty_curve",
            title: "Loyalty is nonlinear: one-year defection by survey rating (retail bank)"
                .to_string(),
            kind: FigureKind::Intervals {
                rows,
                x_label: "customers lost within a year, % of those giving the rating",
            },
        });
    }
}

/// The facts measured on the retail bank's baseline run.
pub(super) fn published_facts(
    bank: &Scenario,
    reps: &[Rep],
    out: &mut Validation,
) -> Result<(), Stopped> {
    loyalty_checks("retail_bank", reps, out);

    // Word of mouth per episode (a customer telling of a bad or a good experience, at most
    // once per `word_of_mouth_episode_weeks`); complaints per dissatisfying encounter.
    let neg = mean_interval(
        reps.iter()
            .map(|r| ratio(r.window.wom_negative, r.window.wom_negative_tellers)),
    );
    let pos_share = mean_interval(reps.iter().map(|r| {
        ratio(r.window.wom_positive, r.window.wom_positive_tellers)
            / ratio(r.window.wom_negative, r.window.wom_negative_tellers)
    }));
    let complain = mean_interval(
        reps.iter()
            .map(|r| ratio(r.window.dissatisfied, r.window.complaints)),
    );
    out.results.push(CheckResult::judge(
        "word_of_mouth_negative".into(),
        "a dissatisfied customer tells 9-10 people",
        "9-10 people",
        "TARP",
        (9.0, 10.0),
        Rule::Overlaps,
        "people",
        neg,
    ).with_detail("mechanism check: tells per episode of a bad experience are an input (customers.wom_dissatisfied_tells); this guards the wiring, not the figure. Episodes, not visits: a customer tells again only after customers.word_of_mouth_episode_weeks".into()));
    out.results.push(CheckResult::judge(
        "word_of_mouth_positive".into(),
        "a delighted customer tells about half as many",
        "~0.5 of the dissatisfied's",
        "TARP",
        (0.4, 0.6),
        Rule::Overlaps,
        "x",
        pos_share,
    ).with_detail("mechanism check: tells per episode of a good experience are an input (customers.wom_delighted_tells)".into()));
    out.results.push(CheckResult::judge(
        "complaints".into(),
        "few dissatisfied customers complain",
        "1 in ~26",
        "TARP",
        (20.0, 32.0),
        Rule::Overlaps,
        "dissatisfied per complaint",
        complain,
    ).with_detail("mechanism check: the complaint probability is an input (customers.complaint_probability); the ratio is measured from the draws".into()));

    // Turnover cost: hiring and onboarding plus the output lost while a hire learns and the
    // trainers' time, as a share of a year's pay.
    let e = &bank.employees;
    let hours_per_year = f64::from(bank.clock.close_minute - bank.clock.open_minute) / 60.0
        * f64::from(bank.clock.open_days_per_week)
        * 52.0;
    let last_hire = bank.weeks.saturating_sub(YEAR);
    let share = mean_interval(reps.iter().map(|r| {
        let costs: Vec<f64> = r
            .probe
            .ramp_cost
            .iter()
            .filter(|((_, _, hired), _)| *hired < last_hire)
            .map(|(_, c)| *c)
            .collect();
        let ramp = costs.iter().sum::<f64>() / costs.len().max(1) as f64;
        (e.hiring_cost + e.onboarding_cost + ramp) / (e.wage_per_hour * hours_per_year)
    }));
    out.results.push(CheckResult::judge(
        "turnover_cost".into(),
        "replacing a front-line employee costs a share of a year's pay",
        "15-25% (median 21%)",
        "Boushey & Glynn 2012",
        (0.15, 0.25),
        Rule::Overlaps,
        "of annual pay",
        share,
    ));

    // Rookies: fit log(1 - effectiveness) = a + b * tenure over the first 26 weeks.
    let fits: Vec<(f64, f64)> = reps
        .iter()
        .map(|r| {
            let pts: Vec<(f64, f64)> = r
                .probe
                .ramp
                .iter()
                .enumerate()
                .filter(|(k, (_, n))| *k >= 1 && *n > 0.0)
                .map(|(k, (sum, n))| (k as f64, (1.0 - sum / n).max(1e-9).ln()))
                .collect();
            let n = pts.len() as f64;
            let (mx, my) = (
                pts.iter().map(|p| p.0).sum::<f64>() / n,
                pts.iter().map(|p| p.1).sum::<f64>() / n,
            );
            let sxy: f64 = pts.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
            let sxx: f64 = pts.iter().map(|(x, _)| (x - mx).powi(2)).sum();
            let b = sxy / sxx;
            let a = my - b * mx;
            (1.0 - a.exp(), -1.0 / b)
        })
        .collect();
    out.results.push(CheckResult::judge(
        "rookie_start".into(),
        "a new hire starts far below an experienced employee",
        "~35% effective at hire",
        "Oliva & Sterman 2001",
        (0.25, 0.45),
        Rule::Overlaps,
        "of experienced",
        mean_interval(fits.iter().map(|f| f.0)),
    ).with_detail("fitted to the hires' learning curves; the start is an input (employees.rookie_effectiveness)".into()));
    out.results.push(CheckResult::judge(
        "rookie_ramp".into(),
        "and becomes experienced over about three months",
        "time constant ~12 weeks",
        "Oliva & Sterman 2001",
        (8.0, 16.0),
        Rule::Overlaps,
        "weeks",
        mean_interval(fits.iter().map(|f| f.1)),
    ).with_detail("fitted time constant: employees.learning_time_constant_weeks scaled by the skills stock the training budget sustains".into()));

    // Engagement quartiles: rank sites by morale within each replication.
    let quartiles: Vec<(f64, f64, f64, f64)> = reps
        .iter()
        .map(|r| {
            let mut order: Vec<&SiteWindow> = r.sites.iter().collect();
            order.sort_by(|a, b| a.morale.total_cmp(&b.morale));
            let q = (order.len() / 4).max(1);
            let mean = |v: &[&SiteWindow], f: fn(&SiteWindow) -> f64| {
                v.iter().map(|s| f(s)).sum::<f64>() / v.len() as f64
            };
            let (bottom, top) = (&order[..q], &order[order.len() - q..]);
            let rel = |f: fn(&SiteWindow) -> f64| mean(top, f) / mean(bottom, f);
            (
                rel(|s| s.top_box) - 1.0,
                (mean(top, |s| s.profit) - mean(bottom, |s| s.profit))
                    / mean(bottom, |s| s.profit).abs(),
                rel(|s| s.turnover),
                rel(|s| s.satisfaction) - 1.0,
            )
        })
        .collect();
    let top_box = mean_interval(quartiles.iter().map(|q| q.0));
    out.results.push(
        CheckResult::judge(
            "engagement_customers".into(),
            "top-morale quartile of units has more satisfied customers",
            "~+10% customer ratings",
            "Harter et al. (Gallup) 2013",
            (0.03, 0.20),
            Rule::Overlaps,
            "relative (mean satisfaction)",
            mean_interval(quartiles.iter().map(|q| q.3)),
        )
        .with_detail(format!(
            "sites ranked by morale in years 2-3; the top-box share differs by {:+.0}% [{:+.0}, {:+.0}]",
            100.0 * top_box.mean,
            100.0 * top_box.lo,
            100.0 * top_box.hi
        )),
    );
    out.results.push(CheckResult::judge(
        "engagement_profit".into(),
        "and is more profitable",
        "~+22% profitability",
        "Harter et al. (Gallup) 2013",
        (0.10, 0.45),
        Rule::Overlaps,
        "relative",
        mean_interval(quartiles.iter().map(|q| q.1)),
    ));
    out.results.push(CheckResult::judge(
        "engagement_turnover".into(),
        "and loses fewer staff",
        "lower turnover (~-25 to -65%)",
        "Harter et al. (Gallup) 2013",
        (0.35, 0.95),
        Rule::Overlaps,
        "top / bottom",
        mean_interval(quartiles.iter().map(|q| q.2)),
    ));
    Ok(())
}
