//! What a run reports each week. Sites keep additive tallies (sums and counts); a metric is
//! derived from a tally, so the firm's figures come from summing site tallies, never from
//! averaging averages.
//!
//! Both are tables: [`WeekTally`]'s figures are written once in `tally!` (which gives the
//! struct and its sum), and each metric once in `metrics!` (which gives the enum, the output
//! order, the output name and the value rule). A new metric is one row there, and its tally in
//! the site's weekly snapshot.

use serde::{Deserialize, Serialize};

use crate::ledger::{Line, Lines};

/// Declares [`WeekTally`] from its additive `f64` figures and generates [`WeekTally::add`].
macro_rules! tally {
    ($( $(#[doc = $doc:literal])+ $field:ident, )*) => {
        /// Additive raw figures for one site (or the firm) over one week.
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct WeekTally {
            $( $(#[doc = $doc])+ pub $field: f64, )*
            /// The week's money, in cents by line.
            pub money: Lines,
            /// Cumulative operating profit to the end of the week, cents.
            pub cumulative_profit_cents: i64,
            /// Cumulative net cash flow to the end of the week, cents.
            pub cumulative_cash_cents: i64,
            /// Direct spending on interventions in the week, cents.
            pub invested_cents: i64,
        }

        impl WeekTally {
            /// Adds every figure of `other` (to build the firm from its sites).
            pub fn add(&mut self, o: &WeekTally) {
                $( self.$field += o.$field; )*
                self.cumulative_profit_cents += o.cumulative_profit_cents;
                self.cumulative_cash_cents += o.cumulative_cash_cents;
                self.invested_cents += o.invested_cents;
                self.money.add(&o.money);
            }
        }
    };
}

tally! {
    /// Sites in the tally.
    sites,
    /// Sum over sites of ISQ.
    isq_sum,
    /// Sum over sites of work pressure.
    work_pressure_sum,
    /// Sum over sites of the service standard, minutes.
    standard_minutes_sum,
    /// Employees at week end.
    employees,
    /// Sum of morale over employees at week end.
    morale_sum,
    /// Sum of emotional strain over employees at week end.
    strain_sum,
    /// Rookies at week end.
    rookies,
    /// Quits in the week.
    quits,
    /// New hires who started in the week.
    hires,
    /// Open vacancies at week end (desired headcount above employees).
    vacancies,
    /// Hours employees were on shift.
    staffed_hours,
    /// Hours employees spent serving.
    busy_hours,
    /// Overtime hours paid.
    overtime_hours,
    /// Customers who arrived (served or abandoned).
    arrivals,
    /// Customers served.
    served,
    /// Customers who abandoned the queue.
    abandoned,
    /// Sum of waits of served customers, seconds.
    wait_seconds_sum,
    /// Sum of perceived quality over encounters.
    quality_sum,
    /// Tasks done wrong.
    failures,
    /// Active customers at week end.
    customers,
    /// Sum of satisfaction over active customers at week end.
    satisfaction_sum,
    /// Active customers rating 5 (top box) at week end.
    top_box,
    /// Promoters (satisfaction >= 85, i.e. 9-10 of 10) at week end.
    promoters,
    /// Detractors (satisfaction < 65, i.e. 0-6 of 10) at week end.
    detractors,
    /// Customers acquired in the week.
    acquired,
    /// Of which referred by word of mouth.
    referred,
    /// Customers lost through service treatment.
    lost_service,
    /// Customers lost to the product.
    lost_product,
    /// Customers lost to competitors.
    lost_competitor,
    /// Customers who moved away or left for other reasons.
    lost_moved,
    /// Encounters that left the customer dissatisfied.
    dissatisfied,
    /// Encounters that delighted the customer.
    delighted,
    /// Complaints made.
    complaints,
    /// Complaints recovered (customer kept).
    recovered,
    /// Positive word-of-mouth mentions.
    wom_positive,
    /// Negative word-of-mouth mentions.
    wom_negative,
    /// Customers who told others of a good experience (an episode each).
    wom_positive_tellers,
    /// Customers who told others of a bad experience.
    wom_negative_tellers,
}

impl WeekTally {
    /// Customers lost for any reason.
    pub fn lost(&self) -> f64 {
        self.lost_service + self.lost_product + self.lost_competitor + self.lost_moved
    }
}

/// `a / b`, NaN where `b` is not positive (undefined: no one to average over).
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Which way a quantity is better, when it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// More is better (NPV, satisfaction).
    Higher,
    /// Less is better (turnover, waiting).
    Lower,
}

/// A row's direction as written in the `metrics!` table: `Neither` is no direction.
macro_rules! direction {
    (Higher) => {
        Some(Better::Higher)
    };
    (Lower) => {
        Some(Better::Lower)
    };
    (Neither) => {
        None
    };
}

/// Declares [`Metric`] from two groups of rows, `Variant = "output_name" ("unit",
/// Higher|Lower|Neither) => |tally, trailing| value`, with one `Money(Line)` metric per ledger
/// line between the groups, and generates [`Metric::all`], [`Metric::name`], [`Metric::unit`],
/// [`Metric::better`] and [`Metric::value`] from them.
macro_rules! metrics {
    (
        $( $(#[doc = $doc:literal])+ $v:ident = $name:literal ($unit:literal, $better:ident) => |$t:ident, $w:ident| $value:expr; )*
        ---
        $( $(#[doc = $doc2:literal])+ $v2:ident = $name2:literal ($unit2:literal, $better2:ident) => |$t2:ident, $w2:ident| $value2:expr; )*
    ) => {
        /// A reported metric. The list is MODEL.md's "what a run reports", plus the ledger lines.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Metric {
            $( $(#[doc = $doc])+ $v, )*
            /// One ledger line for the week, currency units.
            Money(Line),
            $( $(#[doc = $doc2])+ $v2, )*
        }

        impl Metric {
            /// Every metric, in output order.
            pub fn all() -> Vec<Metric> {
                let mut v = vec![$( Metric::$v, )*];
                v.extend(Line::ALL.iter().map(|&l| Metric::Money(l)));
                v.extend([$( Metric::$v2, )*]);
                v
            }

            /// The snake_case name used in outputs.
            pub fn name(self) -> &'static str {
                match self {
                    $( Metric::$v => $name, )*
                    Metric::Money(l) => l.name(),
                    $( Metric::$v2 => $name2, )*
                }
            }

            /// The unit of the metric's values as `weekly.csv` holds them.
            pub fn unit(self) -> &'static str {
                match self {
                    $( Metric::$v => $unit, )*
                    Metric::Money(_) => "currency per week",
                    $( Metric::$v2 => $unit2, )*
                }
            }

            /// Which way the metric is better, where it says (revenue is better higher; a
            /// cost line, headcount or utilisation has no better way on its own).
            pub fn better(self) -> Option<Better> {
                match self {
                    $( Metric::$v => direction!($better), )*
                    Metric::Money(Line::Revenue) => Some(Better::Higher),
                    Metric::Money(_) => None,
                    $( Metric::$v2 => direction!($better2), )*
                }
            }

            /// The metric's value for a week's tally, with `trailing` the sum of the tallies of
            /// the last [`Metric::TRAILING_WEEKS`] weeks (this one included); NaN where
            /// undefined (no one served).
            #[allow(unused_variables)] // each row names both arguments, most use one
            pub fn value(self, tally: &WeekTally, trailing: &WeekTally) -> f64 {
                match self {
                    $( Metric::$v => { let ($t, $w) = (tally, trailing); $value } )*
                    Metric::Money(l) => tally.money.get(l).to_currency(),
                    $( Metric::$v2 => { let ($t2, $w2) = (tally, trailing); $value2 } )*
                }
            }
        }
    };
}

metrics! {
    /// Internal service quality, 0-100.
    Isq = "isq" ("score 0-100", Higher) => |t, w| ratio(t.isq_sum, t.sites);
    /// Mean employee morale, 0-100.
    Morale = "morale" ("score 0-100", Higher) => |t, w| ratio(t.morale_sum, t.employees);
    /// Mean emotional strain, points.
    Strain = "strain" ("points", Lower) => |t, w| ratio(t.strain_sum, t.employees);
    /// Quits over the trailing 13 weeks, annualised, as a share of headcount.
    TurnoverAnnualised = "turnover_annualised" ("share per year", Lower) => |t, w| ratio(w.quits * 52.0, w.employees);
    /// Share of employees who are rookies.
    RookieShare = "rookie_share" ("share", Neither) => |t, w| ratio(t.rookies, t.employees);
    /// Employees at week end.
    Headcount = "headcount" ("employees", Neither) => |t, w| t.employees;
    /// Open vacancies at week end.
    Vacancies = "vacancies" ("vacancies", Lower) => |t, w| t.vacancies;
    /// Customers served per staffed hour.
    Productivity = "productivity_served_per_hour" ("served per staffed hour", Higher) => |t, w| ratio(t.served, t.staffed_hours);
    /// Share of paid time (shifts plus overtime) spent serving.
    Utilisation = "utilisation" ("share", Neither) => |t, w| ratio(t.busy_hours, t.staffed_hours + t.overtime_hours);
    /// Work pressure (desired - effective capacity) / desired.
    WorkPressure = "work_pressure" ("share", Neither) => |t, w| ratio(t.work_pressure_sum, t.sites);
    /// Overtime hours paid in the week.
    OvertimeHours = "overtime_hours" ("hours per week", Neither) => |t, w| t.overtime_hours;
    /// The service standard, minutes per service.
    ServiceStandardMinutes = "service_standard_minutes" ("minutes", Neither) => |t, w| ratio(t.standard_minutes_sum, t.sites);
    /// Mean perceived quality of encounters, 0-100.
    PerceivedQuality = "perceived_quality" ("score 0-100", Higher) => |t, w| ratio(t.quality_sum, t.served + t.abandoned);
    /// Share of tasks done wrong.
    FailureRate = "failure_rate" ("share", Lower) => |t, w| ratio(t.failures, t.served);
    /// Mean satisfaction of active customers, 0-100.
    Satisfaction = "satisfaction" ("score 0-100", Higher) => |t, w| ratio(t.satisfaction_sum, t.customers);
    /// Share of active customers rating 5.
    TopBoxShare = "top_box_share" ("share", Higher) => |t, w| ratio(t.top_box, t.customers);
    /// Promoters minus detractors, percent of active customers.
    Nps = "nps" ("percent", Higher) => |t, w| ratio(100.0 * (t.promoters - t.detractors), t.customers);
    /// Retention over the trailing 13 weeks, annualised.
    RetentionAnnualised = "retention_annualised" ("share per year", Higher) => |t, w| {
        // Weekly loss rate over the window, compounded to a year.
        let weekly = ratio(w.lost(), w.customers + w.lost() - w.acquired);
        if weekly.is_nan() {
            weekly
        } else {
            (1.0 - weekly).max(0.0).powf(52.0)
        }
    };
    /// Active customers at week end.
    ActiveCustomers = "active_customers" ("customers", Higher) => |t, w| t.customers;
    /// Customers acquired in the week.
    Acquired = "acquired" ("customers per week", Higher) => |t, w| t.acquired;
    /// Customers lost in the week.
    Lost = "lost" ("customers per week", Lower) => |t, w| t.lost();
    /// Share of the week's losses due to service treatment.
    LossServiceShare = "loss_service_share" ("share", Lower) => |t, w| ratio(t.lost_service, t.lost());
    /// Mean wait of served customers, minutes.
    WaitMinutes = "wait_minutes" ("minutes", Lower) => |t, w| ratio(t.wait_seconds_sum / 60.0, t.served);
    /// Share of arrivals who abandoned.
    AbandonmentRate = "abandonment_rate" ("share", Lower) => |t, w| ratio(t.abandoned, t.arrivals);
    /// Complaints in the week.
    Complaints = "complaints" ("per week", Lower) => |t, w| t.complaints;
    /// Positive word-of-mouth mentions in the week.
    WomPositive = "wom_positive" ("per week", Higher) => |t, w| t.wom_positive;
    /// Negative word-of-mouth mentions in the week.
    WomNegative = "wom_negative" ("per week", Lower) => |t, w| t.wom_negative;
    /// Share of the week's new customers who came by referral.
    ReferralShare = "referral_share" ("share", Neither) => |t, w| ratio(t.referred, t.acquired);
    /// Share of served customers the encounter left dissatisfied.
    DissatisfiedShare = "dissatisfied_share" ("share", Lower) => |t, w| ratio(t.dissatisfied, t.served);
    /// Negative mentions per active customer per month (a month is 52/12 weeks).
    WomNegativePerCustomerMonth = "wom_negative_per_customer_month" ("mentions per customer per month", Lower) => |t, w| ratio(t.wom_negative * 52.0 / 12.0, t.customers);
    /// Positive mentions per active customer per month.
    WomPositivePerCustomerMonth = "wom_positive_per_customer_month" ("mentions per customer per month", Higher) => |t, w| ratio(t.wom_positive * 52.0 / 12.0, t.customers);
    ---
    /// Net cash flow of the week (revenue minus the money spent, capex when spent), currency.
    CashFlow = "cash_flow" ("currency per week", Higher) => |t, w| t.money.cash_flow().to_currency();
    /// Cumulative net cash flow to week end, currency units.
    CumulativeCashFlow = "cumulative_cash_flow" ("currency", Higher) => |t, w| t.cumulative_cash_cents as f64 / 100.0;
    /// Operating (accounting) profit of the week: revenue minus operating costs, capex
    /// depreciated, currency units.
    OperatingProfit = "operating_profit" ("currency per week", Higher) => |t, w| t.money.operating_profit().to_currency();
    /// Cumulative operating profit to week end, currency units.
    CumulativeOperatingProfit = "cumulative_operating_profit" ("currency", Higher) => |t, w| t.cumulative_profit_cents as f64 / 100.0;
}

impl Metric {
    /// Weeks in the trailing window of rates that are too noisy week by week (turnover, retention).
    pub const TRAILING_WEEKS: usize = 13;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_metric_has_a_value() {
        let all = Metric::all();
        let mut names: Vec<&str> = all.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "duplicate output names");
        let t = WeekTally {
            sites: 1.0,
            employees: 2.0,
            customers: 3.0,
            served: 4.0,
            ..WeekTally::default()
        };
        for m in all {
            // Defined or NaN, never infinite, for a plausible tally.
            assert!(!m.value(&t, &t).is_infinite(), "{}", m.name());
        }
    }

    #[test]
    fn sums_add_every_figure() {
        let mut a = WeekTally {
            quits: 1.0,
            invested_cents: 5,
            ..WeekTally::default()
        };
        a.money.post(Line::Revenue, crate::ledger::Money(100));
        let b = a;
        a.add(&b);
        assert_eq!(a.quits, 2.0);
        assert_eq!(a.invested_cents, 10);
        assert_eq!(a.money.get(Line::Revenue).cents(), 200);
    }
}
