//! Money in integer cents, and the ledger that records every cent in exactly one line.
//!
//! Two views of the same weeks: **operating profit** (accounting: capex is spread over its life
//! as depreciation) and **cash flow** (capex when it is spent). Every line but two belongs to
//! both; `ToolingDepreciation` is accounting only and `Capex` is cash only. NPV, ROI and
//! payback are computed from cash flows, as corporate finance asks; operating profit is kept as
//! a separate, labelled output.

//!
//! **No overflow is silent.** Money is `i64` cents (±92 quadrillion currency units). Every
//! scenario money input is bounded by [`MAX_AMOUNT`] when it is checked, and the ledger's own
//! arithmetic saturates instead of wrapping: an amount that cannot be held (a sum past the
//! bound, an infinite or undefined amount) becomes [`Money::OVERFLOW`] or its negative and stays
//! there, and the runner refuses any replication whose ledger holds one (`runner::check_ledger`).

use std::ops::{Add, AddAssign, Sub};

use serde::Serialize;

/// The largest money input a scenario may give (a wage per hour, a cost per hire, an overhead
/// per site per week, an intervention's cost, ...): one billion currency units. Plausible for any
/// single item in any currency in use (scale the units of a currency with very small ones, as a
/// thousand rials), and far enough below the ledger's ±92 quadrillion that a run's sums fit.
pub const MAX_AMOUNT: f64 = 1e9;

/// An amount of money in integer cents of the scenario's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Money(pub i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// What an amount too large to hold becomes (saturated: sums stay there instead of
    /// wrapping); its negative is `Money(-i64::MAX)`. See [`Money::is_overflow`].
    pub const OVERFLOW: Money = Money(i64::MAX);

    /// From an amount in currency units, rounded to the nearest cent (halves away from zero).
    /// An amount beyond the ledger's range saturates to [`Money::OVERFLOW`] (or its negative);
    /// NaN, an undefined amount, is [`Money::OVERFLOW`] too, never zero.
    #[inline]
    pub fn from_currency(amount: f64) -> Money {
        // Add-and-truncate rather than `f64::round`, a libm call on baseline x86-64. The casts
        // saturate; NaN is caught apart, as the cast would make it 0.
        let cents = amount * 100.0;
        Money(if cents >= 0.0 {
            (cents + 0.5) as i64
        } else if cents < 0.0 {
            ((cents - 0.5) as i64).max(-i64::MAX)
        } else {
            i64::MAX
        })
    }

    /// Whether the amount saturated: it, or a sum it is part of, could not be held.
    pub fn is_overflow(self) -> bool {
        self.0 == i64::MAX || self.0 <= -i64::MAX
    }

    /// In currency units (for reports only; accounting stays in cents).
    pub fn to_currency(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Cents.
    pub fn cents(self) -> i64 {
        self.0
    }
}

/// `a + b` in cents, saturated; an overflowed operand makes the result overflowed (sticky), so a
/// saturated amount never decays back into a plausible one.
#[inline]
fn plus(a: i64, b: i64) -> i64 {
    if Money(a).is_overflow() {
        a
    } else if Money(b).is_overflow() {
        b
    } else {
        let sum = a.saturating_add(b);
        if sum == i64::MIN { -i64::MAX } else { sum }
    }
}

impl Add for Money {
    type Output = Money;
    /// Saturating: see [`Money::is_overflow`].
    fn add(self, rhs: Money) -> Money {
        Money(plus(self.0, rhs.0))
    }
}
impl Sub for Money {
    type Output = Money;
    /// Saturating: see [`Money::is_overflow`].
    fn sub(self, rhs: Money) -> Money {
        // -i64::MAX is representable, so negating never overflows.
        Money(plus(self.0, -rhs.0.max(-i64::MAX)))
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

/// A line of the ledger. Revenue is the only income line; every other line is a cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Line {
    /// Visits times spend.
    Revenue = 0,
    /// Scheduled hours times the wage.
    Wages,
    /// Overtime hours at the wage plus the premium.
    Overtime,
    /// Recruiting new hires.
    Hiring,
    /// Onboarding training of new hires.
    Onboarding,
    /// Skills training budget.
    SkillsTraining,
    /// Smile (display-rule) training.
    SmileTraining,
    /// Leadership development.
    LeadershipTraining,
    /// Depreciation of tooling and systems capex (accounting only: the cash left when the capex
    /// was spent).
    ToolingDepreciation,
    /// Paid acquisition of customers.
    Marketing,
    /// Rework and refunds of failed tasks.
    ServiceFailure,
    /// Fixed overhead.
    Overhead,
    /// Tooling and systems capex, in the week it is spent (cash only: operating profit sees it
    /// as depreciation).
    Capex,
}

impl Line {
    /// Every line, in ledger order.
    pub const ALL: [Line; 13] = [
        Line::Revenue,
        Line::Wages,
        Line::Overtime,
        Line::Hiring,
        Line::Onboarding,
        Line::SkillsTraining,
        Line::SmileTraining,
        Line::LeadershipTraining,
        Line::ToolingDepreciation,
        Line::Marketing,
        Line::ServiceFailure,
        Line::Overhead,
        Line::Capex,
    ];

    /// Number of lines.
    pub const COUNT: usize = Line::ALL.len();

    /// The snake_case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Line::Revenue => "revenue",
            Line::Wages => "wages",
            Line::Overtime => "overtime",
            Line::Hiring => "hiring",
            Line::Onboarding => "onboarding",
            Line::SkillsTraining => "skills_training",
            Line::SmileTraining => "smile_training",
            Line::LeadershipTraining => "leadership_training",
            Line::ToolingDepreciation => "tooling_depreciation",
            Line::Marketing => "marketing",
            Line::ServiceFailure => "service_failure",
            Line::Overhead => "overhead",
            Line::Capex => "capex",
        }
    }

    /// Whether the line counts in operating (accounting) profit.
    pub fn is_operating(self) -> bool {
        self != Line::Capex
    }

    /// Whether the line is money that moved this week (counts in cash flow).
    pub fn is_cash(self) -> bool {
        self != Line::ToolingDepreciation
    }
}

/// Amounts by line for one period (a week or a month). Costs are stored as positive amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Lines(pub [i64; Line::COUNT]);

impl Lines {
    /// Records `amount` in `line` (saturating: see [`Money::is_overflow`]).
    #[inline]
    pub fn post(&mut self, line: Line, amount: Money) {
        let l = &mut self.0[line as usize];
        *l = plus(*l, amount.0);
    }

    /// Whether a line saturated ([`Money::is_overflow`]): its amounts could not be held.
    pub fn overflowed(&self) -> bool {
        self.0.iter().any(|&x| Money(x).is_overflow())
    }

    /// The amount in `line`.
    pub fn get(&self, line: Line) -> Money {
        Money(self.0[line as usize])
    }

    /// Revenue.
    pub fn revenue(&self) -> Money {
        self.get(Line::Revenue)
    }

    /// The cost lines for which `keep` holds, summed.
    fn costs_where(&self, keep: impl Fn(Line) -> bool) -> Money {
        Line::ALL[1..]
            .iter()
            .filter(|&&l| keep(l))
            .fold(Money::ZERO, |sum, &l| sum + Money(self.0[l as usize]))
    }

    /// Revenue minus operating costs (capex depreciated, not expensed).
    pub fn operating_profit(&self) -> Money {
        self.revenue() - self.costs_where(Line::is_operating)
    }

    /// Operating profit, under the name it had before cash flows were kept apart; kept until
    /// every study says which of the two it means.
    pub fn profit(&self) -> Money {
        self.operating_profit()
    }

    /// Revenue minus the money spent (capex when spent; depreciation is not money moving).
    pub fn cash_flow(&self) -> Money {
        self.revenue() - self.costs_where(Line::is_cash)
    }

    /// Adds every line of `other`.
    pub fn add(&mut self, other: &Lines) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a = plus(*a, *b);
        }
    }
}

/// Capex spread over a fixed number of weeks, exactly to the cent: week k of a purchase of
/// `a` cents over `n` weeks charges `a*(k+1)/n - a*k/n`, so the charges sum to `a`.
#[derive(Debug, Clone)]
pub struct Depreciation {
    weeks: u32,
    /// (cents, weeks already charged) per purchase still being depreciated.
    purchases: Vec<(i64, u32)>,
}

impl Depreciation {
    /// A schedule over `weeks` weeks, with a steady history of `weekly_capex` purchases so the
    /// charge starts at its steady-state level.
    pub fn new(weeks: u32, weekly_capex: Money) -> Depreciation {
        let weeks = weeks.max(1);
        let purchases = (1..weeks)
            .rev()
            .map(|charged| (weekly_capex.0, charged))
            .collect();
        Depreciation { weeks, purchases }
    }

    /// Records a purchase this week.
    pub fn buy(&mut self, amount: Money) {
        if amount.0 != 0 {
            self.purchases.push((amount.0, 0));
        }
    }

    /// This week's charge; advances every purchase by a week.
    pub fn charge_week(&mut self) -> Money {
        // In 128 bits: a purchase times a week number may pass 64 bits.
        let n = i128::from(self.weeks);
        let mut total = Money::ZERO;
        for (amount, charged) in &mut self.purchases {
            let (a, k) = (i128::from(*amount), i128::from(*charged));
            let charge = a * (k + 1) / n - a * k / n;
            total += Money(i64::try_from(charge).unwrap_or(i64::MAX));
            *charged += 1;
        }
        let weeks = self.weeks;
        self.purchases.retain(|&(_, charged)| charged < weeks);
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_saturates_and_says_so_instead_of_wrapping() {
        for huge in [1e308, f64::INFINITY, 9.3e16, f64::NAN] {
            assert!(Money::from_currency(huge).is_overflow(), "{huge}");
        }
        assert!(Money::from_currency(-1e308).is_overflow());
        assert!(!Money::from_currency(MAX_AMOUNT).is_overflow());
        let big = Money(i64::MAX / 2 + 1);
        assert!((big + big).is_overflow());
        assert!((Money::ZERO - big - big).is_overflow());
        assert_eq!((big + big) - Money(5), Money::OVERFLOW, "sticky");
        let mut l = Lines::default();
        l.post(Line::Wages, Money::from_currency(1e308));
        l.post(Line::Wages, Money::from_currency(1e308));
        l.post(Line::Revenue, Money(100));
        assert!(l.overflowed());
        // An enormous cost is an enormous loss, never a gain.
        assert!(l.cash_flow().0 < 0 && l.cash_flow().is_overflow());
        let mut d = Depreciation::new(3, Money::ZERO);
        d.buy(Money(i64::MAX / 2));
        assert!(!d.charge_week().is_overflow());
    }

    #[test]
    fn depreciation_charges_every_cent() {
        let mut d = Depreciation::new(7, Money::ZERO);
        d.buy(Money(1_000_003));
        let total: i64 = (0..10).map(|_| d.charge_week().0).sum();
        assert_eq!(total, 1_000_003);
    }

    #[test]
    fn steady_history_charges_steady_amount() {
        let mut d = Depreciation::new(4, Money(400));
        d.buy(Money(400));
        assert_eq!(d.charge_week(), Money(400));
    }

    #[test]
    fn operating_profit_depreciates_and_cash_flow_spends() {
        let mut l = Lines::default();
        l.post(Line::Revenue, Money(10_000));
        l.post(Line::Wages, Money(3_000));
        l.post(Line::Overhead, Money(2_500));
        l.post(Line::Capex, Money(1_200));
        l.post(Line::ToolingDepreciation, Money(100));
        assert_eq!(l.operating_profit(), Money(4_400));
        assert_eq!(l.cash_flow(), Money(3_300));
        assert_eq!(Money::from_currency(12.345), Money(1_235));
        // Only the two capex views differ between the two.
        for line in Line::ALL {
            assert_eq!(
                line.is_cash() && line.is_operating(),
                !matches!(line, Line::Capex | Line::ToolingDepreciation)
            );
        }
    }
}
