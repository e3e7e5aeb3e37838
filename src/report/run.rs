//! A run's files: `weekly.csv`, `replications.csv` and `comparison.csv` as typed rows (the
//! writer and `report.html`'s reader share the schema), `manifest.json`, `scenario.ron`, the
//! charts, and a shard's `partial.json`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::format::{self, csv_num};
use super::manifest::ManifestHeader;
use super::plot::{self, BandSeries, IntervalRow, Panel};
use super::{ReportError, html};
use crate::files::{self, FileError};
use crate::ledger::Line;
use crate::model::Metric;
use crate::runner::{ReplicationSummary, RunResult, RunShard};
use crate::scenario::Scenario;
use crate::stats::Quantiles;
use crate::stats::compare::ArmComparison;

/// The copy of the scenario text kept beside a run's results (comments and all).
pub const SCENARIO_FILE: &str = "scenario.ron";
/// The file a shard writes and `merge` reads.
pub const PARTIAL_FILE: &str = "partial.json";
/// Weekly quantiles across replications.
pub const WEEKLY_FILE: &str = "weekly.csv";
/// One row per arm and replication.
pub const REPLICATIONS_FILE: &str = "replications.csv";
/// One row per arm, compared with the baseline.
pub const COMPARISON_FILE: &str = "comparison.csv";
/// What was run, how, and the resolved scenario.
pub const MANIFEST_FILE: &str = "manifest.json";

/// A row of `weekly.csv`: one metric of one site row (or `all`, the firm) in one week, across
/// replications: the mean and the 5th, 25th, 50th, 75th and 95th percentiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyRow {
    /// The arm.
    pub arm: String,
    /// Site index, or `all` for the firm.
    pub site: String,
    /// Week, from 0.
    pub week: u32,
    /// Metric name (see [`Metric::name`]).
    pub metric: String,
    /// Mean over replications.
    #[serde(with = "csv_num")]
    pub mean: f64,
    /// 5th percentile over replications.
    #[serde(with = "csv_num")]
    pub p05: f64,
    /// 25th percentile.
    #[serde(with = "csv_num")]
    pub p25: f64,
    /// Median.
    #[serde(with = "csv_num")]
    pub p50: f64,
    /// 75th percentile.
    #[serde(with = "csv_num")]
    pub p75: f64,
    /// 95th percentile.
    #[serde(with = "csv_num")]
    pub p95: f64,
}

/// A row of `replications.csv`: one replication of one arm (see [`ReplicationSummary`] for
/// each figure's meaning and unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)] // the fields are ReplicationSummary's, documented there
pub struct ReplicationRow {
    /// The arm.
    pub arm: String,
    pub replication: u32,
    #[serde(with = "csv_num")]
    pub npv: f64,
    #[serde(with = "csv_num")]
    pub cumulative_profit: f64,
    #[serde(with = "csv_num")]
    pub revenue: f64,
    #[serde(with = "csv_num")]
    pub final_customers: f64,
    #[serde(with = "csv_num")]
    pub mean_satisfaction: f64,
    #[serde(with = "csv_num")]
    pub mean_morale: f64,
    #[serde(with = "csv_num")]
    pub mean_isq: f64,
    #[serde(with = "csv_num")]
    pub annual_turnover: f64,
    #[serde(with = "csv_num")]
    pub annual_customer_churn: f64,
    #[serde(with = "csv_num")]
    pub loss_service_share: f64,
    #[serde(with = "csv_num")]
    pub mean_wait_minutes: f64,
    #[serde(with = "csv_num")]
    pub investment: f64,
    #[serde(with = "csv_num")]
    pub payback_week: f64,
    pub encounters: u64,
}

impl ReplicationRow {
    fn of(arm: &str, x: &ReplicationSummary) -> ReplicationRow {
        ReplicationRow {
            arm: arm.to_string(),
            replication: x.replication,
            npv: x.npv,
            cumulative_profit: x.cumulative_profit,
            revenue: x.revenue,
            final_customers: x.final_customers,
            mean_satisfaction: x.mean_satisfaction,
            mean_morale: x.mean_morale,
            mean_isq: x.mean_isq,
            annual_turnover: x.annual_turnover,
            annual_customer_churn: x.annual_customer_churn,
            loss_service_share: x.loss_service_share,
            mean_wait_minutes: x.mean_wait_minutes,
            investment: x.investment,
            payback_week: x.payback_week,
            encounters: x.encounters,
        }
    }
}

/// A row of `comparison.csv`: one arm and its paired comparison with the baseline (intervals
/// are 95% confidence intervals of the mean; see [`ArmComparison`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)] // the fields are ArmComparison's, flattened; documented there
pub struct ComparisonRow {
    /// The arm.
    pub arm: String,
    /// Whether this arm is the baseline.
    pub baseline: bool,
    pub replications: usize,
    #[serde(with = "csv_num")]
    pub npv_mean: f64,
    #[serde(with = "csv_num")]
    pub npv_lo: f64,
    #[serde(with = "csv_num")]
    pub npv_hi: f64,
    #[serde(with = "csv_num")]
    pub cumulative_profit_mean: f64,
    #[serde(with = "csv_num")]
    pub cumulative_profit_lo: f64,
    #[serde(with = "csv_num")]
    pub cumulative_profit_hi: f64,
    #[serde(with = "csv_num")]
    pub investment_mean: f64,
    #[serde(with = "csv_num")]
    pub investment_lo: f64,
    #[serde(with = "csv_num")]
    pub investment_hi: f64,
    #[serde(with = "csv_num")]
    pub delta_npv_mean: f64,
    #[serde(with = "csv_num")]
    pub delta_npv_lo: f64,
    #[serde(with = "csv_num")]
    pub delta_npv_hi: f64,
    #[serde(with = "csv_num")]
    pub p_beats_baseline: f64,
    #[serde(with = "csv_num")]
    pub roi_mean: f64,
    #[serde(with = "csv_num")]
    pub roi_lo: f64,
    #[serde(with = "csv_num")]
    pub roi_hi: f64,
    #[serde(with = "csv_num")]
    pub payback_week_median: f64,
    #[serde(with = "csv_num")]
    pub payback_week_p05: f64,
    #[serde(with = "csv_num")]
    pub payback_week_p95: f64,
    #[serde(with = "csv_num")]
    pub paid_back_share: f64,
    #[serde(with = "csv_num")]
    pub p_best: f64,
}

impl ComparisonRow {
    /// The row of comparison `c`; `baseline` says whether it is the baseline's.
    pub fn of(c: &ArmComparison, baseline: bool) -> ComparisonRow {
        ComparisonRow {
            arm: c.arm.clone(),
            baseline,
            replications: c.replications,
            npv_mean: c.npv.mean,
            npv_lo: c.npv.lo,
            npv_hi: c.npv.hi,
            cumulative_profit_mean: c.cumulative_profit.mean,
            cumulative_profit_lo: c.cumulative_profit.lo,
            cumulative_profit_hi: c.cumulative_profit.hi,
            investment_mean: c.investment.mean,
            investment_lo: c.investment.lo,
            investment_hi: c.investment.hi,
            delta_npv_mean: c.delta_npv.mean,
            delta_npv_lo: c.delta_npv.lo,
            delta_npv_hi: c.delta_npv.hi,
            p_beats_baseline: c.p_beats_baseline,
            roi_mean: c.roi.mean,
            roi_lo: c.roi.lo,
            roi_hi: c.roi.hi,
            payback_week_median: c.payback_week[0],
            payback_week_p05: c.payback_week[1],
            payback_week_p95: c.payback_week[2],
            paid_back_share: c.paid_back_share,
            p_best: c.p_best,
        }
    }
}

/// Rows as CSV text, with the header from the row type's field names.
fn csv_text<T: Serialize>(rows: impl IntoIterator<Item = T>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory fails only on a row type that is not a flat record: a bug here.
        w.serialize(row).expect("CSV rows are flat records");
    }
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of strings is UTF-8")
}

/// Reads every row of the CSV file at `path`.
///
/// # Errors
///
/// [`FileError::Read`] naming the file, the line and what is wrong there.
pub fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, FileError> {
    read_rows_where(path, |_: &T| true)
}

/// The rows of the CSV file at `path` for which `keep` holds, read as a stream (`weekly.csv`
/// can be large: only the rows kept are held).
///
/// # Errors
///
/// As [`read_rows`].
pub fn read_rows_where<T: for<'de> Deserialize<'de>>(
    path: &Path,
    keep: impl Fn(&T) -> bool,
) -> Result<Vec<T>, FileError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| FileError::read(path, e))?;
    let mut rows = Vec::new();
    for row in r.deserialize() {
        let row: T = row.map_err(|e| FileError::read(path, e))?;
        if keep(&row) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// `weekly.csv`'s text.
pub fn weekly_csv(r: &RunResult) -> String {
    let rows = r.arms.iter().flat_map(|arm| {
        (0..=r.sites).flat_map(move |row| {
            let site = if row == r.sites {
                "all".to_string()
            } else {
                row.to_string()
            };
            (0..r.options.weeks as usize).flat_map(move |week| {
                let site = site.clone();
                r.metrics.iter().enumerate().map(move |(k, m)| {
                    let c = arm.weekly[r.cell(row, week, k)];
                    WeeklyRow {
                        arm: arm.name.clone(),
                        site: site.clone(),
                        week: week as u32,
                        metric: m.name().to_string(),
                        mean: c.mean,
                        p05: c.p[0],
                        p25: c.p[1],
                        p50: c.p[2],
                        p75: c.p[3],
                        p95: c.p[4],
                    }
                })
            })
        })
    });
    csv_text(rows)
}

/// `replications.csv`'s text.
pub fn replications_csv(r: &RunResult) -> String {
    csv_text(r.arms.iter().flat_map(|arm| {
        arm.replications
            .iter()
            .map(|x| ReplicationRow::of(&arm.name, x))
    }))
}

/// `comparison.csv`'s text.
pub fn comparison_csv(r: &RunResult) -> String {
    let base = r.scenario.baseline_index();
    csv_text(
        r.comparisons()
            .iter()
            .enumerate()
            .map(|(k, c)| ComparisonRow::of(c, k == base)),
    )
}

/// `manifest.json` of a run: what was run, how, and the resolved scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunManifest {
    /// Version, seed, generator, command, completeness.
    #[serde(flatten)]
    pub header: ManifestHeader,
    /// The scenario file as given, or the built-in label.
    pub scenario_file: String,
    /// SHA-256 of the scenario text.
    pub scenario_sha256: String,
    /// Replications the outputs hold.
    pub replications: u32,
    /// The same, for tools that read how far an interrupted run got.
    pub replications_done: u32,
    /// Replications asked for, when the run was interrupted before them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications_requested: Option<u32>,
    /// Horizon in weeks.
    pub weeks: u32,
    /// The arms, in scenario order.
    pub arms: Vec<String>,
    /// Encounters simulated.
    pub encounters: u64,
    /// How the percentiles were computed.
    pub percentiles: String,
    /// The unit of every money figure.
    pub money_unit: String,
    /// How the run was executed (absent when comparing runs byte for byte).
    #[serde(default, skip_serializing_if = "Option::is_none", flatten)]
    pub execution: Option<Execution>,
    /// The scenario as run, command-line overrides applied.
    pub scenario: Scenario,
}

/// How a run was executed: what differs between equivalent runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// Worker threads (the most any shard used).
    pub threads: usize,
    /// Shards merged into the result.
    pub shards: usize,
    /// Wall-clock seconds of the simulation, summed over shards.
    pub wall_seconds: f64,
    /// Encounters simulated per wall-clock second.
    pub encounters_per_second: f64,
}

impl RunManifest {
    /// The manifest of `r`; `with_execution` adds what differs between equivalent runs
    /// (threads, shards, wall time, command); it is false when comparing runs byte for byte.
    pub fn of(r: &RunResult, with_execution: bool) -> RunManifest {
        RunManifest {
            header: ManifestHeader::new(r.options.seed, r.interrupted_at.is_none(), with_execution),
            scenario_file: r.provenance.file.clone(),
            scenario_sha256: r.provenance.sha256.clone(),
            replications: r.options.replications,
            replications_done: r.options.replications,
            replications_requested: r.interrupted_at,
            weeks: r.options.weeks,
            arms: r.arms.iter().map(|a| a.name.clone()).collect(),
            encounters: r.encounters,
            percentiles: format!(
                "DDSketch quantiles across replications (relative accuracy {}), interpolated between neighbouring ranks as type 7; means are exact",
                crate::stats::sketch::RELATIVE_ACCURACY
            ),
            money_unit: "currency units; the ledger is kept in integer cents".to_string(),
            execution: with_execution.then(|| Execution {
                threads: r.threads,
                shards: r.shards,
                wall_seconds: r.wall_seconds,
                encounters_per_second: r.encounters as f64 / r.wall_seconds.max(1e-9),
            }),
            scenario: r.scenario.clone(),
        }
    }

    /// The manifest as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest serialises") + "\n"
    }
}

/// Writes a shard's result (`partial.json`) into `dir`, for `chainsim merge`.
///
/// # Errors
///
/// [`FileError::Write`] naming what could not be written.
pub fn write_run_shard(p: &RunShard, dir: &Path) -> Result<PathBuf, FileError> {
    files::create_dir(dir)?;
    let path = dir.join(PARTIAL_FILE);
    let text = serde_json::to_string(p).expect("a shard serialises");
    files::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

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
fn charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
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
fn comparison_charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
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

/// Writes every file of a run into `dir` (created if needed) and returns their paths, in the
/// order written.
///
/// # Errors
///
/// [`ReportError`] naming what could not be written or drawn.
pub fn write_run(r: &RunResult, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    files::create_dir(dir)?;
    // A merged run may not have the text; the resolved scenario stands in for it.
    let text = if r.provenance.text.is_empty() {
        r.scenario.resolved_ron()
    } else {
        r.provenance.text.clone()
    };
    let texts = [
        (WEEKLY_FILE, weekly_csv(r)),
        (REPLICATIONS_FILE, replications_csv(r)),
        (MANIFEST_FILE, RunManifest::of(r, true).to_json()),
        (SCENARIO_FILE, text),
    ];
    let mut written = Vec::new();
    for (name, text) in texts {
        let path = dir.join(name);
        files::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    charts(r, dir)?;
    written.extend(["profit.png", "profit.svg", "chain.png", "chain.svg"].map(|f| dir.join(f)));
    if r.arms.len() > 1 {
        let path = dir.join(COMPARISON_FILE);
        files::write_atomic(&path, comparison_csv(r).as_bytes())?;
        written.push(path);
        comparison_charts(r, dir)?;
        written.extend(
            [
                "arms.png",
                "arms.svg",
                "delta.png",
                "delta.svg",
                "roi.png",
                "roi.svg",
            ]
            .map(|f| dir.join(f)),
        );
    }
    written.push(html::write(dir)?);
    Ok(written)
}
