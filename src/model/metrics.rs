//! What a run reports each week. Sites keep additive tallies (sums and counts); a metric is
//! derived from a tally, so the firm's figures come from summing site tallies, never from
//! averaging averages.

use crate::ledger::{Line, Lines};

/// Additive raw figures for one site (or the firm) over one week.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeekTally {
    /// Sites in the tally.
    pub sites: f64,
    /// Sum over sites of ISQ.
    pub isq_sum: f64,
    /// Sum over sites of work pressure.
    pub work_pressure_sum: f64,
    /// Sum over sites of the service standard, minutes.
    pub standard_minutes_sum: f64,
    /// Employees at week end.
    pub employees: f64,
    /// Sum of morale over employees at week end.
    pub morale_sum: f64,
    /// Sum of emotional strain over employees at week end.
    pub strain_sum: f64,
    /// Rookies at week end.
    pub rookies: f64,
    /// Quits in the week.
    pub quits: f64,
    /// New hires who started in the week.
    pub hires: f64,
    /// Open vacancies at week end (desired headcount above employees).
    pub vacancies: f64,
    /// Hours employees were on shift.
    pub staffed_hours: f64,
    /// Hours employees spent serving.
    pub busy_hours: f64,
    /// Overtime hours paid.
    pub overtime_hours: f64,
    /// Customers who arrived (served or abandoned).
    pub arrivals: f64,
    /// Customers served.
    pub served: f64,
    /// Customers who abandoned the queue.
    pub abandoned: f64,
    /// Sum of waits of served customers, seconds.
    pub wait_seconds_sum: f64,
    /// Sum of perceived quality over encounters.
    pub quality_sum: f64,
    /// Tasks done wrong.
    pub failures: f64,
    /// Active customers at week end.
    pub customers: f64,
    /// Sum of satisfaction over active customers at week end.
    pub satisfaction_sum: f64,
    /// Active customers rating 5 (top box) at week end.
    pub top_box: f64,
    /// Promoters (satisfaction >= 85, i.e. 9-10 of 10) at week end.
    pub promoters: f64,
    /// Detractors (satisfaction < 65, i.e. 0-6 of 10) at week end.
    pub detractors: f64,
    /// Customers acquired in the week.
    pub acquired: f64,
    /// Of which referred by word of mouth.
    pub referred: f64,
    /// Customers lost through service treatment.
    pub lost_service: f64,
    /// Customers lost to the product.
    pub lost_product: f64,
    /// Customers lost to competitors.
    pub lost_competitor: f64,
    /// Customers who moved away or left for other reasons.
    pub lost_moved: f64,
    /// Encounters that left the customer dissatisfied.
    pub dissatisfied: f64,
    /// Encounters that delighted the customer.
    pub delighted: f64,
    /// Complaints made.
    pub complaints: f64,
    /// Complaints recovered (customer kept).
    pub recovered: f64,
    /// Positive word-of-mouth mentions.
    pub wom_positive: f64,
    /// Negative word-of-mouth mentions.
    pub wom_negative: f64,
    /// The week's money, in cents by line.
    pub money: Lines,
    /// Cumulative profit to the end of the week, cents.
    pub cumulative_profit_cents: i64,
    /// Direct spending on interventions in the week, cents.
    pub invested_cents: i64,
}

impl WeekTally {
    /// Adds every figure of `other` (to build the firm from its sites).
    pub fn add(&mut self, o: &WeekTally) {
        macro_rules! sum {
            ($($f:ident),*) => { $( self.$f += o.$f; )* };
        }
        sum!(
            sites,
            isq_sum,
            work_pressure_sum,
            standard_minutes_sum,
            employees,
            morale_sum,
            strain_sum,
            rookies,
            quits,
            hires,
            vacancies,
            staffed_hours,
            busy_hours,
            overtime_hours,
            arrivals,
            served,
            abandoned,
            wait_seconds_sum,
            quality_sum,
            failures,
            customers,
            satisfaction_sum,
            top_box,
            promoters,
            detractors,
            acquired,
            referred,
            lost_service,
            lost_product,
            lost_competitor,
            lost_moved,
            dissatisfied,
            delighted,
            complaints,
            recovered,
            wom_positive,
            wom_negative,
            cumulative_profit_cents,
            invested_cents
        );
        self.money.add(&o.money);
    }

    /// Customers lost for any reason.
    pub fn lost(&self) -> f64 {
        self.lost_service + self.lost_product + self.lost_competitor + self.lost_moved
    }
}

/// A reported metric. The list is MODEL.md's "what a run reports", plus the ledger lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Internal service quality, 0-100.
    Isq,
    /// Mean employee morale, 0-100.
    Morale,
    /// Mean emotional strain, points.
    Strain,
    /// Quits over the trailing 13 weeks, annualised, as a share of headcount.
    TurnoverAnnualised,
    /// Share of employees who are rookies.
    RookieShare,
    /// Employees at week end.
    Headcount,
    /// Open vacancies at week end.
    Vacancies,
    /// Customers served per staffed hour.
    Productivity,
    /// Share of paid time (shifts plus overtime) spent serving.
    Utilisation,
    /// Work pressure (desired - effective capacity) / desired.
    WorkPressure,
    /// Overtime hours paid in the week.
    OvertimeHours,
    /// The service standard, minutes per service.
    ServiceStandardMinutes,
    /// Mean perceived quality of encounters, 0-100.
    PerceivedQuality,
    /// Share of tasks done wrong.
    FailureRate,
    /// Mean satisfaction of active customers, 0-100.
    Satisfaction,
    /// Share of active customers rating 5.
    TopBoxShare,
    /// Promoters minus detractors, percent of active customers.
    Nps,
    /// Retention over the trailing 13 weeks, annualised.
    RetentionAnnualised,
    /// Active customers at week end.
    ActiveCustomers,
    /// Customers acquired in the week.
    Acquired,
    /// Customers lost in the week.
    Lost,
    /// Share of the week's losses due to service treatment.
    LossServiceShare,
    /// Mean wait of served customers, minutes.
    WaitMinutes,
    /// Share of arrivals who abandoned.
    AbandonmentRate,
    /// Complaints in the week.
    Complaints,
    /// Positive word-of-mouth mentions in the week.
    WomPositive,
    /// Negative word-of-mouth mentions in the week.
    WomNegative,
    /// One ledger line for the week, currency units.
    Money(Line),
    /// Revenue minus costs for the week, currency units.
    Profit,
    /// Cumulative profit to week end, currency units.
    CumulativeProfit,
}

impl Metric {
    /// Every metric, in output order.
    pub fn all() -> Vec<Metric> {
        use Metric::*;
        let mut v = vec![
            Isq,
            Morale,
            Strain,
            TurnoverAnnualised,
            RookieShare,
            Headcount,
            Vacancies,
            Productivity,
            Utilisation,
            WorkPressure,
            OvertimeHours,
            ServiceStandardMinutes,
            PerceivedQuality,
            FailureRate,
            Satisfaction,
            TopBoxShare,
            Nps,
            RetentionAnnualised,
            ActiveCustomers,
            Acquired,
            Lost,
            LossServiceShare,
            WaitMinutes,
            AbandonmentRate,
            Complaints,
            WomPositive,
            WomNegative,
        ];
        v.extend(Line::ALL.iter().map(|&l| Money(l)));
        v.extend([Profit, CumulativeProfit]);
        v
    }

    /// The snake_case name used in outputs.
    pub fn name(self) -> &'static str {
        use Metric::*;
        match self {
            Isq => "isq",
            Morale => "morale",
            Strain => "strain",
            TurnoverAnnualised => "turnover_annualised",
            RookieShare => "rookie_share",
            Headcount => "headcount",
            Vacancies => "vacancies",
            Productivity => "productivity_served_per_hour",
            Utilisation => "utilisation",
            WorkPressure => "work_pressure",
            OvertimeHours => "overtime_hours",
            ServiceStandardMinutes => "service_standard_minutes",
            PerceivedQuality => "perceived_quality",
            FailureRate => "failure_rate",
            Satisfaction => "satisfaction",
            TopBoxShare => "top_box_share",
            Nps => "nps",
            RetentionAnnualised => "retention_annualised",
            ActiveCustomers => "active_customers",
            Acquired => "acquired",
            Lost => "lost",
            LossServiceShare => "loss_service_share",
            WaitMinutes => "wait_minutes",
            AbandonmentRate => "abandonment_rate",
            Complaints => "complaints",
            WomPositive => "wom_positive",
            WomNegative => "wom_negative",
            Money(l) => l.name(),
            Profit => "profit",
            CumulativeProfit => "cumulative_profit",
        }
    }

    /// Weeks in the trailing window of rates that are too noisy week by week (turnover, retention).
    pub const TRAILING_WEEKS: usize = 13;

    /// The metric's value for a week's tally, with `trailing` the sum of the tallies of the last
    /// [`Metric::TRAILING_WEEKS`] weeks (this one included); NaN where undefined (no one served).
    pub fn value(self, t: &WeekTally, trailing: &WeekTally) -> f64 {
        use Metric::*;
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        match self {
            Isq => ratio(t.isq_sum, t.sites),
            Morale => ratio(t.morale_sum, t.employees),
            Strain => ratio(t.strain_sum, t.employees),
            TurnoverAnnualised => ratio(trailing.quits * 52.0, trailing.employees),
            RookieShare => ratio(t.rookies, t.employees),
            Headcount => t.employees,
            Vacancies => t.vacancies,
            Productivity => ratio(t.served, t.staffed_hours),
            Utilisation => ratio(t.busy_hours, t.staffed_hours + t.overtime_hours),
            WorkPressure => ratio(t.work_pressure_sum, t.sites),
            OvertimeHours => t.overtime_hours,
            ServiceStandardMinutes => ratio(t.standard_minutes_sum, t.sites),
            PerceivedQuality => ratio(t.quality_sum, t.served + t.abandoned),
            FailureRate => ratio(t.failures, t.served),
            Satisfaction => ratio(t.satisfaction_sum, t.customers),
            TopBoxShare => ratio(t.top_box, t.customers),
            Nps => ratio(100.0 * (t.promoters - t.detractors), t.customers),
            RetentionAnnualised => {
                // Weekly loss rate over the window, compounded to a year.
                let weekly = ratio(
                    trailing.lost(),
                    trailing.customers + trailing.lost() - trailing.acquired,
                );
                if weekly.is_nan() {
                    weekly
                } else {
                    (1.0 - weekly).max(0.0).powf(52.0)
                }
            }
            ActiveCustomers => t.customers,
            Acquired => t.acquired,
            Lost => t.lost(),
            LossServiceShare => ratio(t.lost_service, t.lost()),
            WaitMinutes => ratio(t.wait_seconds_sum / 60.0, t.served),
            AbandonmentRate => ratio(t.abandoned, t.arrivals),
            Complaints => t.complaints,
            WomPositive => t.wom_positive,
            WomNegative => t.wom_negative,
            Money(l) => t.money.get(l).to_currency(),
            Profit => t.money.profit().to_currency(),
            CumulativeProfit => t.cumulative_profit_cents as f64 / 100.0,
        }
    }
}
