//! Corporate finance on plain numbers: discounting, terminal value and payback, all on weekly
//! net cash flows.
//!
//! **Convention.** The discount rate is an effective annual rate `r`. Each week's net cash flow
//! is discounted from the end of its week: week `w` (from 0) has the factor
//! `(1 + r)^-((w + 1) / 52)`. A cash flow in week 0 is therefore discounted by one week.

/// Weeks in a year, for discounting and annualising.
pub const WEEKS_PER_YEAR: f64 = 52.0;

/// The discount factor of week `week` (from 0) at the effective annual rate `rate`: the end of
/// the week, `(1 + rate)^-((week + 1) / 52)`.
pub fn discount_factor(rate: f64, week: usize) -> f64 {
    (1.0 + rate).powf(-((week + 1) as f64) / WEEKS_PER_YEAR)
}

/// The present value of weekly amounts (`amounts[w]` in week `w`) at `rate`.
pub fn present_value(amounts: impl IntoIterator<Item = f64>, rate: f64) -> f64 {
    amounts
        .into_iter()
        .enumerate()
        .map(|(w, x)| x * discount_factor(rate, w))
        .sum()
}

/// How the cash flows after the horizon are valued (see `scenario::TerminalValue`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TerminalRule {
    /// Not valued.
    None,
    /// Gordon growth at this annual rate.
    Growth(f64),
    /// This multiple of the last year's cash flow.
    Multiple(f64),
}

/// The present value (at week 0) of the value at the horizon of the cash flows after it, from
/// the weekly net cash flows `weekly`: the last year's cash flow (the last 52 weeks, or the
/// whole horizon scaled to a year when it is shorter) grown or multiplied as `rule` says, then
/// discounted from the horizon's end. Zero for [`TerminalRule::None`] or an empty horizon.
pub fn terminal_value_pv(weekly: &[f64], rate: f64, rule: TerminalRule) -> f64 {
    let n = weekly.len();
    if n == 0 {
        return 0.0;
    }
    let last = &weekly[n.saturating_sub(52)..];
    let last_year = last.iter().sum::<f64>() * WEEKS_PER_YEAR / last.len() as f64;
    let at_horizon = match rule {
        TerminalRule::None => return 0.0,
        TerminalRule::Growth(g) => last_year * (1.0 + g) / (rate - g),
        TerminalRule::Multiple(m) => m * last_year,
    };
    at_horizon * discount_factor(rate, n - 1)
}

/// The payback week of an arm against the baseline: the first week from which the cumulative
/// incremental cash flow `cumulative_delta` (by week) stays non-negative to the end; NaN when it
/// never does within the horizon.
pub fn payback_week(cumulative_delta: &[f64]) -> f64 {
    let after_last_negative = cumulative_delta
        .iter()
        .rposition(|&d| d < 0.0)
        .map_or(0, |i| i + 1);
    if after_last_negative < cumulative_delta.len() {
        after_last_negative as f64
    } else {
        f64::NAN
    }
}

/// Running sums of `weekly`, undiscounted and discounted at `rate`.
pub fn cumulative(weekly: &[f64], rate: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut plain, mut discounted) = (0.0, 0.0);
    weekly
        .iter()
        .enumerate()
        .map(|(w, &x)| {
            plain += x;
            discounted += x * discount_factor(rate, w);
            (plain, discounted)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounting_is_end_of_week_effective_annual() {
        assert!((discount_factor(0.08, 51) - 1.0 / 1.08).abs() < 1e-15);
        assert!((discount_factor(0.0, 7) - 1.0).abs() < 1e-15);
        let pv = present_value([100.0; 104], 0.1);
        // Two years of 100 a week: between 104 * 100 / 1.1^2 and 104 * 100.
        assert!(pv > 10_400.0 / 1.21 && pv < 10_400.0, "{pv}");
    }

    #[test]
    fn terminal_value_follows_gordon_and_multiples() {
        let weekly = vec![10.0; 104];
        let rate = 0.08;
        let last_year = 520.0;
        let df = discount_factor(rate, 103);
        let g = terminal_value_pv(&weekly, rate, TerminalRule::Growth(0.02));
        assert!((g - last_year * 1.02 / 0.06 * df).abs() < 1e-9);
        let m = terminal_value_pv(&weekly, rate, TerminalRule::Multiple(5.0));
        assert!((m - 5.0 * last_year * df).abs() < 1e-9);
        assert_eq!(terminal_value_pv(&weekly, rate, TerminalRule::None), 0.0);
        // A half-year horizon is annualised.
        let short = terminal_value_pv(&[10.0; 26], rate, TerminalRule::Multiple(1.0));
        assert!((short - 520.0 * discount_factor(rate, 25)).abs() < 1e-9);
    }

    #[test]
    fn payback_is_the_first_week_from_which_the_gain_stays_non_negative() {
        assert_eq!(payback_week(&[-3.0, 1.0, -1.0, 2.0, 4.0]), 3.0);
        assert_eq!(payback_week(&[0.0, 2.0]), 0.0);
        assert_eq!(payback_week(&[-1.0, 0.0]), 1.0);
        assert!(payback_week(&[1.0, -0.5]).is_nan());
        assert!(payback_week(&[]).is_nan());
    }

    #[test]
    fn running_sums() {
        let (plain, discounted) = cumulative(&[1.0, 2.0, 3.0], 0.0);
        assert_eq!(plain, [1.0, 3.0, 6.0]);
        assert_eq!(discounted, [1.0, 3.0, 6.0]);
    }
}
