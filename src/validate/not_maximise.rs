//! Hogreve et al. 2017: the chain is not "more is better". Ever larger bundles of spending on
//! employees keep raising morale, but profit peaks at a smaller bundle.

use super::probe::{run_arms, window_mean, with_arms};
use super::{CheckResult, Figure, FigureKind, Rule, Stopped, ValidateOptions, Validation};
use crate::scenario::Scenario;
use crate::stats::mean_interval;
use crate::stats::series::IntervalRow;

/// Hogreve et al.: ever more spending on employees (ISQ bundles of rising size) keeps raising
/// morale, but profit peaks before morale does.
pub(super) fn not_maximise_everything(
    o: &ValidateOptions,
    bank: &Scenario,
    out: &mut Validation,
) -> Result<(), Stopped> {
    let doses = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0];
    let arms: Vec<String> = doses
        .iter()
        .map(|&k| {
            if k == 0.0 {
                "(name: \"x0\")".to_string()
            } else {
                format!(
                    "(name: \"x{k}\", interventions: [\
                     (lever: Tooling(amount: {}), start_week: 4, every_weeks: Some(52)),\
                     (lever: SkillsTraining(amount: {}), start_week: 4, every_weeks: Some(13)),\
                     (lever: LeadershipDevelopment(points: {}), start_week: 4, every_weeks: Some(13), cost_per_site: {}),\
                     (lever: PayRaise(percent: {}), start_week: 4)])",
                    10_000.0 * k,
                    150.0 * k,
                    4.0 * k,
                    2_000.0 * k,
                    2.5 * k
                )
            }
        })
        .collect();
    let s = with_arms(bank.clone(), &format!("[{}]", arms.join(",")));
    let r = run_arms(&s, o.seed, o.replications, o.interrupt)?;
    let morale: Vec<f64> = r
        .iter()
        .map(|a| a.iter().map(|x| window_mean(x, |w| w.morale)).sum::<f64>() / a.len() as f64)
        .collect();
    let profit: Vec<f64> = r
        .iter()
        .map(|a| a.iter().map(|x| x.profit).sum::<f64>() / a.len() as f64)
        .collect();
    let argmax = |v: &[f64]| {
        (0..v.len())
            .max_by(|&a, &b| v[a].total_cmp(&v[b]))
            .unwrap_or(0)
    };
    let (top_morale, top_profit) = (argmax(&morale), argmax(&profit));
    let gap = mean_interval(
        r[top_morale]
            .iter()
            .zip(&r[top_profit])
            .map(|(a, b)| (a.profit - b.profit) / 1e6),
    );
    let fmt = |i: usize| {
        format!(
            "x{} morale {:.1} profit {:.2}M",
            doses[i],
            morale[i],
            profit[i] / 1e6
        )
    };
    out.results.push(
        CheckResult::judge(
            "not_maximise_everything".into(),
            "maximising employee satisfaction does not maximise profit",
            "profit peaks before morale",
            "Hogreve et al. 2017",
            (f64::NEG_INFINITY, 0.0),
            Rule::Inside,
            "M profit (top-morale - best)",
            gap,
        )
        .with_detail(format!(
            "ISQ bundles: {}",
            (0..doses.len()).map(fmt).collect::<Vec<_>>().join("; ")
        )),
    );
    out.figures.push(Figure {
        stem: "not_maximise_everything",
        title: "More spending on employees keeps raising morale; profit peaks first".into(),
        kind: FigureKind::Intervals {
            rows: (0..doses.len())
                .map(|i| {
                    let d = mean_interval(
                        r[i].iter()
                            .zip(&r[0])
                            .map(|(a, b)| (a.profit - b.profit) / 1e6),
                    );
                    IntervalRow {
                        label: format!("bundle x{} (morale {:.1})", doses[i], morale[i]),
                        estimate: d.mean,
                        lo: d.lo,
                        hi: d.hi,
                    }
                })
                .collect(),
            x_label: "3-year profit against no bundle, M (paired, 95% interval)",
        },
    });
    Ok(())
}
