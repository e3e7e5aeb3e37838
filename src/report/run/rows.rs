//! The rows of a run's CSV files: `weekly.csv`, `replications.csv`, `comparison.csv`.

use serde::{Deserialize, Serialize};

use crate::report::csv::to_csv;
use crate::report::format::csv_num;
use crate::runner::{ReplicationSummary, RunResult};
use crate::stats::compare::ArmComparison;

/// A row of `weekly.csv`: one metric of one site row (or `all`, the firm) in one week, across
/// replications: the mean and the 5th, 25th, 50th, 75th and 95th percentiles, the spread of
/// outcomes across replications (not confidence intervals). Percentiles are exact (type 7 over
/// the replications where the metric is defined) unless the manifest's `quantile_method` says
/// `sketch`; either way they lie within the replications' range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyRow {
    /// The arm.
    pub arm: String,
    /// Site index, or `all` for the firm.
    pub site: String,
    /// Week, from 0.
    pub week: u32,
    /// Metric name (see [`Metric::name`](crate::model::Metric::name)).
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
    pub terminal_value_pv: f64,
    #[serde(with = "csv_num")]
    pub cumulative_cash_flow: f64,
    #[serde(with = "csv_num")]
    pub cumulative_operating_profit: f64,
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
    #[serde(with = "csv_num")]
    pub discounted_payback_week: f64,
    pub encounters: u64,
}

impl ReplicationRow {
    fn of(arm: &str, x: &ReplicationSummary) -> ReplicationRow {
        ReplicationRow {
            arm: arm.to_string(),
            replication: x.replication,
            npv: x.npv,
            terminal_value_pv: x.terminal_value_pv,
            cumulative_cash_flow: x.cumulative_cash_flow,
            cumulative_operating_profit: x.cumulative_operating_profit,
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
            discounted_payback_week: x.discounted_payback_week,
            encounters: x.encounters,
        }
    }
}

/// A row of `comparison.csv`: one arm and its paired comparison with the baseline (`_ci_lo` and
/// `_ci_hi` bound 95% confidence intervals of the mean, of ROI its ratio of means; payback
/// weeks are the median and the 5th and 95th percentiles across replications, the spread of
/// outcomes, empty when infinite: not within the horizon; see [`ArmComparison`]).
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
    pub npv_ci_lo: f64,
    #[serde(with = "csv_num")]
    pub npv_ci_hi: f64,
    #[serde(with = "csv_num")]
    pub cumulative_cash_flow_mean: f64,
    #[serde(with = "csv_num")]
    pub cumulative_cash_flow_ci_lo: f64,
    #[serde(with = "csv_num")]
    pub cumulative_cash_flow_ci_hi: f64,
    #[serde(with = "csv_num")]
    pub investment_mean: f64,
    #[serde(with = "csv_num")]
    pub investment_ci_lo: f64,
    #[serde(with = "csv_num")]
    pub investment_ci_hi: f64,
    #[serde(with = "csv_num")]
    pub delta_npv_mean: f64,
    #[serde(with = "csv_num")]
    pub delta_npv_ci_lo: f64,
    #[serde(with = "csv_num")]
    pub delta_npv_ci_hi: f64,
    #[serde(with = "csv_num")]
    pub p_beats_baseline: f64,
    #[serde(with = "csv_num")]
    pub roi_mean: f64,
    #[serde(with = "csv_num")]
    pub roi_ci_lo: f64,
    #[serde(with = "csv_num")]
    pub roi_ci_hi: f64,
    #[serde(with = "csv_num")]
    pub payback_week_median: f64,
    #[serde(with = "csv_num")]
    pub payback_week_p05: f64,
    #[serde(with = "csv_num")]
    pub payback_week_p95: f64,
    #[serde(with = "csv_num")]
    pub discounted_payback_week_median: f64,
    #[serde(with = "csv_num")]
    pub discounted_payback_week_p05: f64,
    #[serde(with = "csv_num")]
    pub discounted_payback_week_p95: f64,
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
            npv_ci_lo: c.npv.lo,
            npv_ci_hi: c.npv.hi,
            cumulative_cash_flow_mean: c.cumulative_cash_flow.mean,
            cumulative_cash_flow_ci_lo: c.cumulative_cash_flow.lo,
            cumulative_cash_flow_ci_hi: c.cumulative_cash_flow.hi,
            investment_mean: c.investment.mean,
            investment_ci_lo: c.investment.lo,
            investment_ci_hi: c.investment.hi,
            delta_npv_mean: c.delta_npv.mean,
            delta_npv_ci_lo: c.delta_npv.lo,
            delta_npv_ci_hi: c.delta_npv.hi,
            p_beats_baseline: c.p_beats_baseline,
            roi_mean: c.roi.mean,
            roi_ci_lo: c.roi.lo,
            roi_ci_hi: c.roi.hi,
            payback_week_median: c.payback_week[0],
            payback_week_p05: c.payback_week[1],
            payback_week_p95: c.payback_week[2],
            discounted_payback_week_median: c.discounted_payback_week[0],
            discounted_payback_week_p05: c.discounted_payback_week[1],
            discounted_payback_week_p95: c.discounted_payback_week[2],
            paid_back_share: c.paid_back_share,
            p_best: c.p_best,
        }
    }
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
    to_csv(rows)
}

/// `replications.csv`'s rows: one per arm and replication.
fn replication_rows(r: &RunResult) -> impl Iterator<Item = ReplicationRow> + '_ {
    r.arms.iter().flat_map(|arm| {
        arm.replications
            .iter()
            .map(|x| ReplicationRow::of(&arm.name, x))
    })
}

/// `replications.csv`'s text.
pub fn replications_csv(r: &RunResult) -> String {
    to_csv(replication_rows(r))
}

/// Writes `replications.csv` to `out` a row at a time (its text grows with the replications;
/// the same bytes as [`replications_csv`]).
///
/// # Errors
///
/// What `out` returns.
pub fn write_replications_csv(r: &RunResult, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::report::csv::write_csv(replication_rows(r), out)
}

/// `comparison.csv`'s text.
pub fn comparison_csv(r: &RunResult) -> String {
    let base = r.scenario.baseline_index();
    to_csv(
        r.comparisons()
            .iter()
            .enumerate()
            .map(|(k, c)| ComparisonRow::of(c, k == base)),
    )
}
