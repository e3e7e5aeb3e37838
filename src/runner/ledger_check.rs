//! The check that no money figure of a replication overflowed: the ledger saturates instead of
//! wrapping ([`crate::ledger::Money::is_overflow`]), and this check refuses a replication whose
//! ledger saturated, whose running totals do not equal the sum of its weeks (computed here in
//! 128 bits, so a total that wrapped shows), or whose sums over sites and trailing windows would
//! not fit the 64 bits they are added up in. A scenario within the checked bounds never trips
//! it; one past them fails with this error rather than report a wrapped figure.

use crate::ledger::{Line, Money};
use crate::model::{Metric, ReplicationOutcome};

/// A replication whose money could not be held: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "arm '{arm}', replication {replication}, week {week}, site {site}: {what} is beyond what the ledger holds (±92 quadrillion currency units); lower the scenario's money inputs"
)]
pub struct LedgerOverflow {
    /// The arm.
    pub arm: String,
    /// Its index in the scenario.
    pub arm_index: usize,
    /// The replication.
    pub replication: u32,
    /// The week (0-based).
    pub week: usize,
    /// The site (0-based).
    pub site: usize,
    /// Which figure.
    pub what: String,
}

/// The largest magnitude a site's figure may have so that the firm's sum over sites, and a
/// trailing window of such sums, still fit 64 bits.
fn headroom(sites: usize) -> i128 {
    i128::from(i64::MAX) / (sites.max(1) as i128 * Metric::TRAILING_WEEKS as i128 * 2)
}

/// Checks one replication of arm `arm` (its index and name; see the module doc).
///
/// # Errors
///
/// [`LedgerOverflow`] naming the first figure that overflowed.
pub fn check_ledger(
    out: &ReplicationOutcome,
    (arm_index, arm): (usize, &str),
    replication: u32,
) -> Result<(), LedgerOverflow> {
    let sites = out.weekly.first().map_or(0, Vec::len);
    let limit = headroom(sites);
    let mut cash = vec![0i128; sites];
    let mut profit = vec![0i128; sites];
    let fail = |week: usize, site: usize, what: String| LedgerOverflow {
        arm: arm.to_string(),
        arm_index,
        replication,
        week,
        site,
        what,
    };
    for (week, row) in out.weekly.iter().enumerate() {
        for (site, t) in row.iter().enumerate() {
            if let Some(line) = Line::ALL.iter().find(|&&l| t.money.get(l).is_overflow()) {
                return Err(fail(week, site, format!("the week's {}", line.name())));
            }
            cash[site] += i128::from(t.money.cash_flow().cents());
            profit[site] += i128::from(t.money.operating_profit().cents());
            let figures = [
                (
                    "the cumulative cash flow",
                    cash[site],
                    t.cumulative_cash_cents,
                ),
                (
                    "the cumulative operating profit",
                    profit[site],
                    t.cumulative_profit_cents,
                ),
            ];
            for (what, exact, kept) in figures {
                if exact != i128::from(kept) || exact.abs() > limit {
                    return Err(fail(week, site, what.to_string()));
                }
            }
            let extremes = Line::ALL
                .iter()
                .map(|&l| t.money.get(l))
                .chain([Money(t.invested_cents)])
                .map(|m| i128::from(m.cents()).abs());
            if extremes.max().unwrap_or(0) > limit || Money(t.invested_cents).is_overflow() {
                return Err(fail(week, site, "a ledger line or the investment".into()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Money;
    use crate::model::Replication;
    use crate::scenario::Scenario;

    fn tiny() -> Scenario {
        let mut s = Scenario::default();
        s.sites.count = 2;
        s.sites.employees_per_site = 3;
        s.sites.customers_per_site = 150;
        s.sites.market_per_site = 200;
        s
    }

    #[test]
    fn a_plausible_replication_passes_and_a_wrapped_one_is_named() {
        let s = tiny();
        let mut out = Replication::new(&s, 1, 0).weeks(4).run();
        assert_eq!(check_ledger(&out, (0, "a"), 0), Ok(()));
        // A running total that wrapped no longer equals the sum of its weeks.
        out.weekly[2][1].cumulative_cash_cents = out.weekly[2][1]
            .cumulative_cash_cents
            .wrapping_add(i64::MAX);
        let e = check_ledger(&out, (0, "a"), 0).unwrap_err();
        assert_eq!((e.week, e.site), (2, 1));
        assert!(e.to_string().contains("cumulative cash flow"), "{e}");
        let mut out = Replication::new(&s, 1, 0).weeks(4).run();
        out.weekly[3][0]
            .money
            .post(Line::Overhead, Money::from_currency(1e308));
        let e = check_ledger(&out, (0, "a"), 0).unwrap_err();
        assert!(e.to_string().contains("the week's overhead"), "{e}");
    }
}
