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

/// Draws `profit.png/svg` and `chain.png/svg`. Titles quote each quantity's headline
/// statistic (a mean over replications, as the summary, the CSVs and the report give it); the
/// lines and bands show the spread across replications.
pub(super) fn charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
    let arms = 0..r.arms.len();
    let series = |m: Metric, scale: f64| {
        arms.clone()
            .map(|a| band(r, a, m, scale))
            .collect::<Vec<_>>()
    };
    let mean_profit = |a: usize| {
        let xs = &r.arms[a].replications;
        xs.iter()
            .map(|x| x.cumulative_operating_profit)
            .sum::<f64>()
            / xs.len().max(1) as f64
    };
    let top = (0..r.arms.len())
        .max_by(|&a, &b| mean_profit(a).total_cmp(&mean_profit(b)))
        .unwrap_or(0);
    let title = if r.arms.len() == 1 {
        format!(
            "{}: cumulative operating profit {} over {} weeks (mean of {} replications)",
            r.scenario.name,
            format::money(mean_profit(0)),
            r.options.weeks,
            r.options.replications
        )
    } else {
        format!(
            "{}: {} ends highest, cumulative operating profit {} over {} weeks (mean of {} replications)",
            r.scenario.name,
            r.arms[top].name,
            format::money(mean_profit(top)),
            r.options.weeks,
            r.options.replications
        )
    };
    plot::profit_chart(
        dir,
        &title,
        "cumulative operating profit (currency; capex depreciated)",
        &series(Metric::CumulativeOperatingProfit, 1.0),
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
        ("Net cash flow", "currency per week", Metric::CashFlow, 1.0),
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

/// Draws `arms`, `delta` and `roi` (png and svg): cumulative net cash flow per arm, the paired
/// difference from the baseline's over time (when does each arm pay back?), and ROI per arm.
/// Titles quote the comparison's headline figures: mean ΔNPV and mean ROI with 95%
/// confidence intervals, the same numbers as the summary, `comparison.csv` and the report.
pub(super) fn comparison_charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
    let base = r.scenario.baseline_index();
    let comparisons = r.comparisons();
    let arms: Vec<BandSeries> = (0..r.arms.len())
        .map(|a| band(r, a, Metric::CumulativeCashFlow, 1.0))
        .collect();
    let best_npv = (0..comparisons.len())
        .max_by(|&a, &b| comparisons[a].npv.mean.total_cmp(&comparisons[b].npv.mean))
        .unwrap_or(base);
    plot::band_chart(
        dir,
        "arms",
        &format!(
            "{}: {} has the highest NPV, {} against {}'s {} (means of {} replications)",
            r.scenario.name,
            comparisons[best_npv].arm,
            format::money(comparisons[best_npv].npv.mean),
            r.arms[base].name,
            format::money(comparisons[base].npv.mean),
            r.options.replications,
        ),
        "cumulative net cash flow (currency)",
        &arms,
    )?;
    // The baseline's own line (zero) keeps every arm's colour the same as in the other charts.
    let delta: Vec<BandSeries> = r
        .arms
        .iter()
        .map(|a| band_of(&a.name, &a.delta, 1.0))
        .collect();
    let others = || (0..comparisons.len()).filter(|&a| a != base);
    let delta_npv = |a: usize| comparisons[a].delta_npv.mean;
    let gain = others().max_by(|&a, &b| delta_npv(a).total_cmp(&delta_npv(b)));
    let loss = others().min_by(|&a, &b| delta_npv(a).total_cmp(&delta_npv(b)));
    let mut finding = Vec::new();
    if let Some(g) = gain.filter(|&g| delta_npv(g) > 0.0) {
        finding.push(format!(
            "{} gains most, ΔNPV {}",
            comparisons[g].arm,
            format::signed_money(delta_npv(g))
        ));
    }
    if let Some(l) = loss.filter(|&l| delta_npv(l) < 0.0) {
        finding.push(format!(
            "{} loses most, ΔNPV {}",
            comparisons[l].arm,
            format::signed_money(delta_npv(l))
        ));
    }
    let title = format!(
        "{}: {} against {} (mean of {} paired replications)",
        r.scenario.name,
        if finding.is_empty() {
            "no arm moves NPV".to_string()
        } else {
            finding.join("; ")
        },
        r.arms[base].name,
        r.options.replications,
    );
    plot::band_chart(
        dir,
        "delta",
        &title,
        "Δ cumulative net cash vs baseline (paid back above 0)",
        &delta,
    )?;
    let (colors, rows): (Vec<usize>, Vec<IntervalRow>) = comparisons
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != base)
        .map(|(k, c)| {
            (
                k,
                IntervalRow {
                    label: c.arm.clone(),
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
            "{}: {} returns most per unit invested, ROI {} against {} (95% confidence interval)",
            r.scenario.name,
            b.label,
            format::number(b.estimate),
            r.arms[base].name
        ),
        None => format!(
            "{}: no arm invests more than {}, so no ROI",
            r.scenario.name, r.arms[base].name
        ),
    };
    plot::interval_chart_coloured(
        dir,
        "roi",
        &title,
        "ROI = ΔNPV / present value of the extra investment (95% confidence interval)",
        &rows,
        &colors,
    )?;
    Ok(())
}
