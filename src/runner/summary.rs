//! One replication reduced to what a run keeps of it: its summary figures (NPV from cash
//! flows, operating profit, the chain's means) and the value of every reported (site row, week,
//! metric) cell.

use serde::{Deserialize, Serialize};

use crate::finance::{self, TerminalRule};
use crate::ledger::Line;
use crate::model::{Metric, ReplicationOutcome, WeekTally};
use crate::scenario::{Scenario, TerminalValue};
use crate::stats::compare::Paired;

/// One replication of one arm, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationSummary {
    /// Replication index.
    pub replication: u32,
    /// Net present value of the weekly net cash flows at the scenario's discount rate (see
    /// [`crate::finance`]), plus the terminal value's present value when the scenario asks for
    /// one; currency units.
    #[serde(with = "nan_as_null")]
    pub npv: f64,
    /// The present value of the terminal value included in `npv` (0 when none is asked for).
    #[serde(with = "nan_as_null")]
    pub terminal_value_pv: f64,
    /// Net cash flow over the horizon, undiscounted, currency units.
    #[serde(with = "nan_as_null")]
    pub cumulative_cash_flow: f64,
    /// Operating (accounting) profit over the horizon, capex depreciated, currency units.
    #[serde(with = "nan_as_null")]
    pub cumulative_operating_profit: f64,
    /// Revenue over the horizon, currency units.
    #[serde(with = "nan_as_null")]
    pub revenue: f64,
    /// Active customers at the end.
    #[serde(with = "nan_as_null")]
    pub final_customers: f64,
    /// Mean satisfaction of active customers over the weeks.
    #[serde(with = "nan_as_null")]
    pub mean_satisfaction: f64,
    /// Mean employee morale over the weeks.
    #[serde(with = "nan_as_null")]
    pub mean_morale: f64,
    /// Mean ISQ over the weeks.
    #[serde(with = "nan_as_null")]
    pub mean_isq: f64,
    /// Quits per year as a share of mean headcount.
    #[serde(with = "nan_as_null")]
    pub annual_turnover: f64,
    /// Customers lost per year as a share of mean active customers.
    #[serde(with = "nan_as_null")]
    pub annual_customer_churn: f64,
    /// Share of customer losses due to service treatment.
    #[serde(with = "nan_as_null")]
    pub loss_service_share: f64,
    /// Mean wait of served customers, minutes.
    #[serde(with = "nan_as_null")]
    pub mean_wait_minutes: f64,
    /// Present value of the arm's direct spending on interventions (capex, training, the
    /// interventions' own costs, a raise's premium, extra marketing), currency units.
    #[serde(with = "nan_as_null")]
    pub investment: f64,
    /// First week from which the cumulative net cash flow minus the baseline's in the same
    /// replication stays non-negative, undiscounted (NaN: not within the horizon, or this is
    /// the baseline).
    #[serde(with = "nan_as_null")]
    pub payback_week: f64,
    /// The same from discounted cash flows.
    #[serde(with = "nan_as_null")]
    pub discounted_payback_week: f64,
    /// Encounters simulated.
    pub encounters: u64,
}

impl Paired for ReplicationSummary {
    fn npv(&self) -> f64 {
        self.npv
    }

    fn investment(&self) -> f64 {
        self.investment
    }

    fn cumulative_cash_flow(&self) -> f64 {
        self.cumulative_cash_flow
    }

    fn payback_week(&self) -> f64 {
        self.payback_week
    }

    fn discounted_payback_week(&self) -> f64 {
        self.discounted_payback_week
    }
}

/// Serialises NaN (an undefined figure) as JSON `null` and reads it back.
pub mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    /// NaN as `null`.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_none()
        }
    }

    /// `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Firm tally of a week: the sum of its sites.
fn firm(row: &[WeekTally]) -> WeekTally {
    let mut t = WeekTally::default();
    for s in row {
        t.add(s);
    }
    t
}

/// Sums of each week's trailing window of `tallies` (see [`Metric::TRAILING_WEEKS`]).
/// The window of a reported week reaches back into the warm-up's last weeks (`lead_in`), so
/// the first reported weeks' turnover and retention are rates over a full window.
fn trailing(lead_in: &[WeekTally], tallies: &[WeekTally]) -> Vec<WeekTally> {
    let all: Vec<WeekTally> = lead_in.iter().chain(tallies).copied().collect();
    let offset = lead_in.len();
    let mut sums = Vec::with_capacity(tallies.len());
    for w in offset..all.len() {
        let mut t = WeekTally::default();
        for x in &all[w.saturating_sub(Metric::TRAILING_WEEKS - 1)..=w] {
            t.add(x);
        }
        sums.push(t);
    }
    sums
}

/// The lead-in weeks of site row `row` (`sites`: the firm).
fn lead_in_of(out: &ReplicationOutcome, row: usize, sites: usize) -> Vec<WeekTally> {
    out.lead_in
        .iter()
        .map(|r| if row == sites { firm(r) } else { r[row] })
        .collect()
}

/// The mean over the weeks of a firm-wide metric in one replication (weeks where it is undefined
/// left out; NaN if it never is defined).
pub fn metric_mean(out: &ReplicationOutcome, m: Metric) -> f64 {
    let weeks: Vec<WeekTally> = out.weekly.iter().map(|row| firm(row)).collect();
    let sites = out.weekly.first().map_or(0, Vec::len);
    let windows = trailing(&lead_in_of(out, sites, sites), &weeks);
    let v: Vec<f64> = weeks
        .iter()
        .zip(&windows)
        .map(|(t, w)| m.value(t, w))
        .filter(|x| !x.is_nan())
        .collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

impl ReplicationSummary {
    /// Reduces one replication of one arm to its summary figures (NPV, profit, the chain's means).
    pub fn of(
        scenario: &Scenario,
        replication: u32,
        out: &ReplicationOutcome,
    ) -> ReplicationSummary {
        let weeks: Vec<WeekTally> = out.weekly.iter().map(|row| firm(row)).collect();
        let n = weeks.len().max(1) as f64;
        let mean_of = |m: Metric| {
            weeks
                .iter()
                .map(|t| m.value(t, t))
                .filter(|v| !v.is_nan())
                .sum::<f64>()
                / n
        };
        let sum = |f: &dyn Fn(&WeekTally) -> f64| weeks.iter().map(f).sum::<f64>();
        let years = n / 52.0;
        let r = scenario.money.discount_rate_per_year;
        let cash = weekly_cash_flow(&weeks);
        let terminal_value_pv =
            finance::terminal_value_pv(&cash, r, terminal_rule(scenario.money.terminal_value));
        let invested: Vec<f64> = weeks
            .iter()
            .map(|t| t.invested_cents as f64 / 100.0)
            .collect();
        let lost = sum(&|t| t.lost());
        ReplicationSummary {
            replication,
            npv: finance::present_value(cash.iter().copied(), r) + terminal_value_pv,
            terminal_value_pv,
            cumulative_cash_flow: weeks
                .last()
                .map_or(0.0, |t| t.cumulative_cash_cents as f64 / 100.0),
            cumulative_operating_profit: weeks
                .last()
                .map_or(0.0, |t| t.cumulative_profit_cents as f64 / 100.0),
            revenue: sum(&|t| t.money.get(Line::Revenue).to_currency()),
            final_customers: weeks.last().map_or(0.0, |t| t.customers),
            mean_satisfaction: mean_of(Metric::Satisfaction),
            mean_morale: mean_of(Metric::Morale),
            mean_isq: mean_of(Metric::Isq),
            annual_turnover: sum(&|t| t.quits) / (sum(&|t| t.employees) / n).max(1e-9) / years,
            annual_customer_churn: lost / (sum(&|t| t.customers) / n).max(1e-9) / years,
            loss_service_share: if lost > 0.0 {
                sum(&|t| t.lost_service) / lost
            } else {
                f64::NAN
            },
            mean_wait_minutes: sum(&|t| t.wait_seconds_sum) / 60.0 / sum(&|t| t.served).max(1.0),
            // Discounted as the cash flows in the NPV are.
            investment: finance::present_value(invested, r),
            payback_week: f64::NAN,
            discounted_payback_week: f64::NAN,
            encounters: out.encounters,
        }
    }
}

/// The firm's net cash flow by week, currency units (from integer cents, exact).
fn weekly_cash_flow(weeks: &[WeekTally]) -> Vec<f64> {
    weeks
        .iter()
        .map(|t| t.money.cash_flow().to_currency())
        .collect()
}

/// The scenario's terminal value as finance's rule.
fn terminal_rule(tv: TerminalValue) -> TerminalRule {
    match tv {
        TerminalValue::None => TerminalRule::None,
        TerminalValue::Growth { growth_per_year } => TerminalRule::Growth(growth_per_year),
        TerminalValue::Multiple { of_last_year } => TerminalRule::Multiple(of_last_year),
    }
}

/// The firm's cumulative net cash flow by week, undiscounted and discounted at `rate`
/// (what payback reads), currency units.
pub(super) fn cumulative_cash(out: &ReplicationOutcome, rate: f64) -> (Vec<f64>, Vec<f64>) {
    let weeks: Vec<WeekTally> = out.weekly.iter().map(|row| firm(row)).collect();
    let (_, discounted) = finance::cumulative(&weekly_cash_flow(&weeks), rate);
    // Undiscounted from the integer cents themselves, so equal ledgers give equal sums.
    let plain = weeks
        .iter()
        .map(|t| t.cumulative_cash_cents as f64 / 100.0)
        .collect();
    (plain, discounted)
}

/// Per-replication values of every (site row, week, metric) cell.
pub(super) fn cell_values(
    out: &ReplicationOutcome,
    metrics: &[Metric],
    sites: usize,
    weeks: usize,
) -> Vec<f64> {
    let mut v = vec![f64::NAN; (sites + 1) * weeks * metrics.len()];
    let firm_weeks: Vec<WeekTally> = out.weekly.iter().map(|row| firm(row)).collect();
    for r in 0..=sites {
        let series: Vec<WeekTally> = if r == sites {
            firm_weeks.clone()
        } else {
            out.weekly.iter().map(|row| row[r]).collect()
        };
        let windows = trailing(&lead_in_of(out, r, sites), &series);
        for (w, (t, tr)) in series.iter().zip(windows).enumerate().take(weeks) {
            let base = (r * weeks + w) * metrics.len();
            for (k, m) in metrics.iter().enumerate() {
                v[base + k] = m.value(t, &tr);
            }
        }
    }
    v
}
