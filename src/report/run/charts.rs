//! A run's charts: cumulative profit, the chain dashboard, and (with several arms) the arms,
//! the paired difference from the baseline, and ROI.

use std::path::Path;

use crate::ledger::Line;
use crate::model::Metric;
use crate::report::ReportError;
use crate::report::format;
use crate::report::plot::{self, BandSeries, IntervalRow, Panel};
use crate::runner::RunResult;
use crate::stats::Quantiles;

/// The firm's band of metric `metric` for arm `arm`, scaled.
fn band(r: &RunResult, arm: usize, metric: Metric, scale: f64) -> BandSeries {
    let cells: Vec<Quantiles> = (0..r.options.weeks as usize)
        .map(|w| r.firm_at(arm, w, metric))
        .collect();
    band_of(&r.arms[arm].name, &cells, scale)
}

/// A band series from one set of quantiles per week, scaled.
fn band_of(label: &str, cells: &[Quantiles], scale: f64) -> BandSeries {
    let col = |i: usize| cells.iter().map(|c| c.p[i] * scale).collect();
    BandSeries {
        label: label.to_string(),
        weeks: (0..cells.len() as u32).collect(),
        p05: col(0),
        p25: col(1),
        p50: col(2),
        p75: col(3),
        p95: col(4),
    }
}

/// Arm `a`'s median cumulative profit in the last week (firm level).
fn final_profit(r: &RunResult, a: usize) -> f64 {
    r.firm_at(a, r.options.weeks as usize - 1, Metric::CumulativeProfit)
        .median()
}

/// The arm whose median cumulative profit ends highest.
fn profit_leader(r: &RunResult) -> usize {
    (0..r.arms.len())
        .max_by(|&a, &b| final_profit(r, a).total_cmp(&final_profit(r, b)))
        .unwrap_or(0)
}

/// Draws `profit.png/svg` and `chain.png/svg`.
pub(super) fn charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
    let arms = 0..r.arms.len();
    let series = |m: Metric, scale: f64| {
        arms.clone()
            .map(|a| band(r, a, m, scale))
            .collect::<Vec<_>>()
    };
    // The title states the finding: where cumulative profit ends.
    let end = |a: usize| final_profit(r, a);
    let top = profit_leader(r);
    let title = if r.arms.len() == 1 {
        format!(
            "{}: cumulative profit reaches {} in {} weeks (median of {} replications)",
            r.scenario.name,
            format::money(end(0)),
            r.options.weeks,
            r.options.replications
        )
    } else {
        format!(
            "{}: {} ends highest, {} cumulative profit in {} weeks (median of {} replications)",
            r.scenario.name,
            r.arms[top].name,
            format::money(end(top)),
            r.options.weeks,
            r.options.replications
        )
    };
    plot::profit_chart(
        dir,
        &title,
        "cumulative profit (currency)",
        &series(Metric::CumulativeProfit, 1.0),
    )?;
    let panels = [
        ("Internal service quality", "0-100", Metric::Isq, 1.0),
        ("Employee morale", "0-100", Metric::Morale, 1.0),
        (
            "Staff turnover",
            "% per year",
            Metric::TurnoverAnnualised,
            100.0,
        ),
        (
            "Productivity",
            "served per staffed hour",
            Metric::Productivity,
            1.0,
        ),
        (
            "Service quality",
            "perceived, 0-100",
            Metric::PerceivedQuality,
            1.0,
        ),
        ("Customer satisfaction", "0-100", Metric::Satisfaction, 1.0),
        (
            "Customer retention",
            "% per year",
            Metric::RetentionAnnualised,
            100.0,
        ),
        (
            "Revenue",
            "currency per week",
            Metric::Money(Line::Revenue),
            1.0,
        ),
        ("Profit", "currency per week", Metric::Profit, 1.0),
    ]
    .map(|(title, unit, m, scale)| Panel {
        title: title.to_string(),
        unit: unit.to_string(),
        series: series(m, scale),
    });
    let title = format!(
        "{}: the service-profit chain, firm level, by week",
        r.scenario.name
    );
    plot::chain_dashboard(dir, &title, &panels)?;
    Ok(())
}

/// Draws `arms`, `delta` and `roi` (png and svg): cumulative profit per arm, the paired
/// difference from the baseline over time (when does each arm pay back?), and ROI per arm.
pub(super) fn comparison_charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
    let base = r.scenario.baseline_index();
    let reps = r.options.replications;
    let arms: Vec<BandSeries> = (0..r.arms.len())
        .map(|a| band(r, a, Metric::CumulativeProfit, 1.0))
        .collect();
    let top = profit_leader(r);
    plot::band_chart(
        dir,
        "arms",
        &format!(
            "{}: {} ends highest, {} cumulative profit against {}'s {} (median of {reps})",
            r.scenario.name,
            arms[top].label,
            format::money(final_profit(r, top)),
            arms[base].label,
            format::money(final_profit(r, base)),
        ),
        "cumulative profit (currency)",
        &arms,
    )?;
    let last = r.options.weeks as usize - 1;
    let end = |s: &BandSeries| s.p50.get(last).copied().unwrap_or(f64::NAN);
    // The baseline's own line (zero) keeps every arm's colour the same as in the other charts.
    let delta: Vec<BandSeries> = r
        .arms
        .iter()
        .map(|a| band_of(&a.name, &a.delta, 1.0))
        .collect();
    let (gain, loss) = (0..delta.len()).filter(|&a| a != base).fold(
        (None::<usize>, None::<usize>),
        |(g, l), a| {
            let better = |x: Option<usize>, up: bool| match x {
                Some(b) if (end(&delta[a]) > end(&delta[b])) != up => Some(b),
                _ => Some(a),
            };
            (better(g, true), better(l, false))
        },
    );
    let mut finding = Vec::new();
    if let Some(g) = gain.filter(|&g| end(&delta[g]) > 0.0) {
        finding.push(format!(
            "{} gains most ({})",
            delta[g].label,
            format::signed_money(end(&delta[g]))
        ));
    }
    if let Some(l) = loss.filter(|&l| end(&delta[l]) < 0.0) {
        finding.push(format!(
            "{} loses most ({})",
            delta[l].label,
            format::signed_money(end(&delta[l]))
        ));
    }
    let title = format!(
        "{}: {} against {} by week {} (paired, median)",
        r.scenario.name,
        if finding.is_empty() {
            "no arm moves cumulative profit".to_string()
        } else {
            finding.join("; ")
        },
        r.arms[base].name,
        r.options.weeks
    );
    plot::band_chart(
        dir,
        "delta",
        &title,
        "difference in cumulative profit (currency)",
        &delta,
    )?;
    let (colors, rows): (Vec<usize>, Vec<IntervalRow>) = r
        .comparisons()
        .into_iter()
        .enumerate()
        .filter(|(k, _)| *k != base)
        .map(|(k, c)| {
            (
                k,
                IntervalRow {
                    label: c.arm,
                    estimate: c.roi.mean,
                    lo: c.roi.lo,
                    hi: c.roi.hi,
                },
            )
        })
        .unzip();
    let best = rows
        .iter()
        .filter(|x| x.estimate.is_finite())
        .max_by(|a, b| a.estimate.total_cmp(&b.estimate));
    let title = match best {
        Some(b) => format!(
            "{}: {} returns most per unit invested, ROI {} against {} (mean, 95% interval)",
            r.scenario.name,
            b.label,
            format::number(b.estimate),
            r.arms[base].name
        ),
        None => format!(
            "{}: no arm invests, so no ROI against {}",
            r.scenario.name, r.arms[base].name
        ),
    };
    plot::interval_chart_coloured(
        dir,
        "roi",
        &title,
        "ROI = difference in NPV / present value of the investment",
        &rows,
        &colors,
    )?;
    Ok(())
}
