//! Every parameter of the model, grouped as in MODEL.md, with its default, unit and rule.
//! Defaults describe a mid-sized retail bank; sources are cited on the fields they come from.

use serde::{Deserialize, Serialize};

use super::param::{FieldDoc, Param, Problem, Rule, plain_param, section};

/// A closed interval `(min: .., max: ..)` from which a per-site value is drawn uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Lower end.
    pub min: f64,
    /// Upper end; at least `min`.
    pub max: f64,
}

impl Range {
    /// A range from `min` to `max`.
    pub const fn new(min: f64, max: f64) -> Self {
        Range { min, max }
    }
}

impl Default for Range {
    fn default() -> Self {
        Range::new(1.0, 1.0)
    }
}

impl Param for Range {
    fn check(&self, path: &str, rule: Rule, problems: &mut Vec<Problem>) {
        self.min.check(&format!("{path}.min"), rule, problems);
        self.max.check(&format!("{path}.max"), rule, problems);
        if self.min > self.max {
            problems.push(Problem {
                path: path.to_string(),
                message: format!(
                    "reversed range: expected min <= max, found min {} > max {}",
                    super::param::ron_text(&self.min),
                    super::param::ron_text(&self.max)
                ),
            });
        }
    }
    fn docs(&self, path: &str, unit: &str, rule: Rule, meaning: &str, out: &mut Vec<FieldDoc>) {
        out.push(FieldDoc {
            path: path.to_string(),
            unit: unit.to_string(),
            default: super::param::ron_text(self),
            rule: format!("(min, max), each {}, min <= max", rule.expected()),
            meaning: meaning.to_string(),
        });
    }
}

/// The shape of the service-time distribution; its mean comes from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ServiceTimeDistribution {
    /// Exponential (coefficient of variation 1): the M/M/c case.
    #[default]
    Exponential,
    /// Lognormal with the coefficient of variation `service.time_cv`.
    LogNormal,
    /// Gamma with the coefficient of variation `service.time_cv`.
    Gamma,
    /// Every service takes exactly its mean (M/D/c).
    Fixed,
}
plain_param!(ServiceTimeDistribution);

section! {
    /// Opening hours: when sites serve customers.
    pub struct ClockParams {
        /// Minute of the day the sites open (540 = 09:00).
        open_minute: u32 = 540, "min after midnight", MinuteOfDay;
        /// Minute of the day the sites close (1020 = 17:00); after `open_minute`.
        close_minute: u32 = 1020, "min after midnight", MinuteOfDay;
        /// Open days per week, counted from Monday (6 = Mon-Sat).
        open_days_per_week: u32 = 6, "days", DaysPerWeek;
    }
}

section! {
    /// The firm's sites and how they differ.
    pub struct SiteParams {
        /// Number of sites (branches, stores, teams).
        count: u32 = 8, "sites", Positive;
        /// Front-line employees per site at the start.
        employees_per_site: u32 = 8, "employees", Positive;
        /// Active customers per site at the start (0: a new site, whose customers all come from marketing and word of mouth).
        customers_per_site: u32 = 3000, "customers", NonNegative;
        /// People in a site's catchment who could be customers (caps acquisition); at least `customers_per_site`.
        market_per_site: u32 = 4500, "people", NonNegative;
        /// Local demand: each site's visit rates are scaled by a draw from this range.
        demand_multiplier: Range = Range::new(0.85, 1.15), "x", Positive;
        /// Site manager quality, the leadership stock before development (Heskett 1994: leadership underlies the chain).
        manager_quality: Range = Range::new(15.0, 85.0), "score 0-100", Score;
        /// Local clientele: each site's customers perceive everything this many points harsher (a draw from this range); sites differ in who they serve, not only in how they serve.
        clientele_harshness: Range = Range::new(-5.0, 5.0), "points", Any;
    }
}

/// A temporary change in demand at every site (a shock), from `start_week` for `weeks` weeks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemandShock {
    /// First week of the shock (0-based).
    pub start_week: u32,
    /// Length of the shock in weeks (at least 1).
    pub weeks: u32,
    /// Visit rates are multiplied by this while the shock lasts.
    pub multiplier: f64,
}

impl Default for DemandShock {
    fn default() -> Self {
        DemandShock {
            start_week: 0,
            weeks: 1,
            multiplier: 1.0,
        }
    }
}

impl Param for DemandShock {
    fn check(&self, path: &str, _: Rule, problems: &mut Vec<Problem>) {
        self.weeks
            .check(&format!("{path}.weeks"), Rule::Positive, problems);
        self.multiplier
            .check(&format!("{path}.multiplier"), Rule::NonNegative, problems);
    }
    fn docs(&self, path: &str, _: &str, _: Rule, _: &str, out: &mut Vec<FieldDoc>) {
        self.start_week.docs(
            &format!("{path}.start_week"),
            "week",
            Rule::NonNegative,
            "First week of the shock (0-based).",
            out,
        );
        self.weeks.docs(
            &format!("{path}.weeks"),
            "weeks",
            Rule::Positive,
            "Length of the shock.",
            out,
        );
        self.multiplier.docs(
            &format!("{path}.multiplier"),
            "x",
            Rule::NonNegative,
            "Visit rates are multiplied by this during the shock.",
            out,
        );
    }
}

section! {
    /// How often customers visit.
    pub struct DemandParams {
        /// Mean visits per active customer per week, before local and seasonal scaling.
        visits_per_customer_per_week: f64 = 0.6, "visits/week", Positive;
        /// Shape of the Gamma distribution of individual visit rates (lower = more heterogeneous).
        visit_rate_shape: f64 = 2.0, "-", Positive;
        /// Seasonal swing of demand: rates are scaled by 1 + amplitude * cos(2 pi (week - peak) / 52).
        seasonality_amplitude: f64 = 0.1, "share", Probability;
        /// Week of the year when seasonal demand peaks.
        seasonality_peak_week: u32 = 48, "week of year", WeekOfYear;
        /// Temporary demand shocks at every site.
        shocks: Vec<DemandShock> = Vec::new(), "-", Any;
    }
}

section! {
    /// The service encounter: time, queue and what goes wrong.
    pub struct ServiceParams {
        /// Standard time per service by an experienced, rested employee with average tools (teller transactions and advice: 8-12 min).
        standard_time_minutes: f64 = 10.0, "min", Positive;
        /// Shape of the service-time distribution.
        time_distribution: ServiceTimeDistribution = ServiceTimeDistribution::Exponential, "-", Any;
        /// Coefficient of variation for LogNormal and Gamma service times.
        time_cv: f64 = 0.6, "-", Positive;
        /// Whether waiting customers may give up (patience is exponential).
        abandonment: bool = true, "-", Any;
        /// Mean patience of a waiting customer before abandoning.
        patience_mean_minutes: f64 = 25.0, "min", Positive;
        /// Waiting time management aims for; sets desired capacity with `target_utilisation`.
        target_wait_minutes: f64 = 5.0, "min", Positive;
        /// Share of staffed time management wants busy; desired capacity = offered work / this.
        target_utilisation: f64 = 0.8, "share", PositiveShare;
        /// Probability an experienced employee with average tools does the task right at the standard time.
        task_success_experienced: f64 = 0.985, "probability", Probability;
        /// Elasticity of task success to time taken / original standard (corner cutting costs accuracy; Oliva & Sterman 2001).
        corner_cutting_error_elasticity: f64 = 0.5, "-", NonNegative;
        /// Elasticity of task success to an employee's effectiveness (rookies err more): at 0.1 a new hire at 35% effectiveness does 10% of tasks wrong for that reason, several times an experienced employee's failures (assumption: at 0.25 a quarter of a new hire's tasks failed, and a weak firm's weekly failure rate reached 35-46%).
        skill_error_elasticity: f64 = 0.1, "-", NonNegative;
        /// Cost of a failed task (rework, refunds).
        failure_cost: f64 = 12.0, "currency/failure", Money;
    }
}

section! {
    /// Internal service quality: stocks that investments build and time erodes.
    pub struct IsqParams {
        /// Weight of tools and systems in ISQ.
        weight_tools: f64 = 0.25, "-", NonNegative;
        /// Weight of job-skills development in ISQ.
        weight_skills: f64 = 0.2, "-", NonNegative;
        /// Weight of leadership and management support in ISQ.
        weight_leadership: f64 = 0.2, "-", NonNegative;
        /// Weight of staffing adequacy (1 - work pressure) in ISQ.
        weight_staffing: f64 = 0.2, "-", NonNegative;
        /// Weight of pay fairness in ISQ.
        weight_pay: f64 = 0.15, "-", NonNegative;
        /// Tools and systems stock at the start.
        tools_initial: f64 = 55.0, "score 0-100", Score;
        /// Half-life of the tools stock without capex (systems age; ~3 years).
        tools_half_life_weeks: f64 = 156.0, "weeks", Positive;
        /// Maintenance capex per site per week at baseline.
        tools_capex_per_site_per_week: f64 = 400.0, "currency/week", Money;
        /// Tools points bought per unit of currency of capex (default holds the stock near 55 at baseline).
        tools_points_per_currency: f64 = 0.000_611, "points/currency", NonNegative;
        /// Weeks over which capex is depreciated in the ledger.
        tools_depreciation_weeks: u32 = 156, "weeks", Positive;
        /// Effectiveness of service at tools 0 and 100 relative to tools 50 is 1 -/+ this.
        tools_effect: f64 = 0.3, "share", Probability;
        /// Task success at tools 0 and 100 relative to tools 50 is 1 -/+ this (tools prevent errors, but most accuracy is the employee's).
        tools_accuracy_effect: f64 = 0.05, "share", Probability;
        /// Job-skills development stock at the start.
        skills_initial: f64 = 50.0, "score 0-100", Score;
        /// Half-life of the skills stock without training.
        skills_half_life_weeks: f64 = 52.0, "weeks", Positive;
        /// Skills training budget per employee per week at baseline.
        skills_budget_per_employee_per_week: f64 = 10.0, "currency/employee/week", Money;
        /// Skills points per unit of currency per employee (default holds the stock near 50 at baseline).
        skills_points_per_currency: f64 = 0.0662, "points/(currency/employee)", NonNegative;
        /// Half-life of leadership development on top of the manager's own quality.
        leadership_half_life_weeks: f64 = 104.0, "weeks", Positive;
        /// Weeks over which staffing adequacy smooths work pressure.
        staffing_smoothing_weeks: f64 = 4.0, "weeks", Positive;
        /// Market wage for the front-line job.
        market_wage_per_hour: f64 = 20.0, "currency/hour", PositiveMoney;
        /// Pay fairness points per 1% of wage above market, at market (where fairness is 50); fairness follows a logistic in the percent above market, so each further percent adds less (+20%: 88, +40%: 98).
        pay_fairness_per_percent: f64 = 2.5, "points/%", NonNegative;
    }
}

section! {
    /// Front-line employees: morale, skill, fatigue, emotional labour, quits and hiring.
    pub struct EmployeeParams {
        /// Hourly wage (0: volunteers).
        wage_per_hour: f64 = 20.0, "currency/hour", Money;
        /// Overtime premium over the hourly wage (0.5 = time and a half).
        overtime_premium: f64 = 0.5, "share", NonNegative;
        /// Morale of employees at the start and of new hires.
        morale_initial: f64 = 62.0, "score 0-100", Score;
        /// Morale target when every driver is at its neutral point.
        morale_base: f64 = 60.0, "score 0-100", Score;
        /// Time constant of morale's move toward its target (4-8 weeks).
        morale_time_constant_weeks: f64 = 6.0, "weeks", Positive;
        /// Standard deviation of individual weekly morale noise.
        morale_noise_sd: f64 = 2.0, "points/week", NonNegative;
        /// Target morale points per ISQ point above 50.
        morale_isq_weight: f64 = 0.6, "points/point", NonNegative;
        /// Target morale points per pay-fairness point above 50.
        morale_pay_weight: f64 = 0.2, "points/point", NonNegative;
        /// Target morale points per point of served customers' satisfaction above 60 (the mirror; Schneider, White & Paul 1998).
        morale_mirror_weight: f64 = 0.3, "points/point", NonNegative;
        /// Target morale points lost per unit of long fatigue (sustained intensity) above 1.
        morale_fatigue_weight: f64 = 30.0, "points/unit", NonNegative;
        /// Target morale points lost per point of emotional strain: morale is a job attitude (Hülsheger & Schewe 2011: surface acting vs job attitudes rho -.24 to -.40, weaker than vs well-being, -.39 to -.48).
        morale_strain_weight: f64 = 0.25, "points/point", NonNegative;
        /// Expected tenure at neutral morale and no fatigue (front-line annual turnover ~35%).
        expected_tenure_weeks: f64 = 150.0, "weeks", Positive;
        /// Quit hazard is multiplied by exp(this * (reference - morale) / 100).
        quit_morale_sensitivity: f64 = 3.0, "-", NonNegative;
        /// Morale at which the quit hazard is the base hazard.
        quit_morale_reference: f64 = 60.0, "score 0-100", Score;
        /// Quit hazard scaled by (1 + this * strain): surface acting raises turnover intention (Chau et al. 2009), and intentions turn into quits only in part. 0.01: the ~27 points of strain a 25-point display demand above felt morale brings raise quits by about a third (at 0.02 they nearly doubled, turnover ~70-100% a year under smile training).
        quit_strain_per_point: f64 = 0.01, "1/point", NonNegative;
        /// Effort: an employee's probability of doing a task wrong is scaled by exp(-this * (morale - `effort_reference_morale`)); engaged staff get the task right more often (Harter et al. 2013: top-quartile units ~40% fewer quality defects). 0.025: ~40% fewer over a 20-point gap in morale (at 0.06, calibrated on the model's 7-point gap between branch quartiles, failures changed sixfold between morale 30 and 60).
        effort_failure_per_morale_point: f64 = 0.04, "1/point", NonNegative;
        /// Morale at which effort leaves the failure probability as it is.
        effort_reference_morale: f64 = 60.0, "score 0-100", Score;
        /// Daily probability an employee is absent from a shift.
        absence_probability: f64 = 0.03, "probability/day", Probability;
        /// Hours an employee is scheduled a week at most (48: the EU working-time limit, and the default six 8-hour days). Where sites are open longer, staff are rostered on whole open days in rotation, each on as many days as fit (at least one), and paid for the days rostered; overtime is only work beyond them.
        contract_hours_per_week: f64 = 48.0, "hours/week", Positive;
        /// Effectiveness of a new hire relative to an experienced employee (Oliva & Sterman 2001: ~35%).
        rookie_effectiveness: f64 = 0.35, "share", Probability;
        /// Time constant of learning to full effectiveness (Oliva & Sterman 2001: ~12 weeks).
        learning_time_constant_weeks: f64 = 12.0, "weeks", Positive;
        /// Effectiveness below which an employee counts as a rookie.
        rookie_threshold: f64 = 0.8, "share", Probability;
        /// Share of an experienced employee's time spent training each rookie (Oliva & Sterman 2001: ~5%).
        trainer_time_per_rookie: f64 = 0.05, "share", Probability;
        /// Work-intensity elasticity to work pressure: intensity = exp(this * wp) (Oliva & Sterman 2001: 0.37).
        intensity_elasticity: f64 = 0.37, "-", NonNegative;
        /// Time-per-service elasticity to work pressure: time = standard * exp(-this * wp) (Oliva & Sterman 2001: 0.64).
        corner_cutting_elasticity: f64 = 0.64, "-", NonNegative;
        /// Weeks over which employees perceive work pressure (smooths week-to-week noise before it sets intensity and corner cutting).
        pressure_perception_weeks: f64 = 3.0, "weeks", Positive;
        /// Time constant of the service standard's drift down toward the time actually taken (Oliva & Sterman 2001: ~19 weeks).
        standard_erosion_weeks: f64 = 19.0, "weeks", Positive;
        /// Time constant of the standard's recovery toward the original standard when pressure is not sustained (slow: Oliva & Sterman found erosion hard to undo).
        standard_recovery_weeks: f64 = 104.0, "weeks", Positive;
        /// Weeks over which work pressure must be sustained before the standard erodes (smoothing of perceived pressure; erosion is driven by sustained pressure, not by a noisy week).
        sustained_pressure_weeks: f64 = 13.0, "weeks", Positive;
        /// Sustained work pressure above which the standard erodes toward the time actually taken.
        erosion_pressure_threshold: f64 = 0.1, "share", NonNegative;
        /// Weeks over which work intensity is smoothed into short fatigue (Oliva & Sterman 2001: ~3).
        short_fatigue_weeks: f64 = 3.0, "weeks", Positive;
        /// Weeks over which work intensity is smoothed into long fatigue (Oliva & Sterman 2001: ~52).
        long_fatigue_weeks: f64 = 52.0, "weeks", Positive;
        /// Display (courtesy) demand without smile training: the firm's everyday service norms.
        display_demand_base: f64 = 55.0, "score 0-100", Score;
        /// Half-life of display-rule training.
        display_training_half_life_weeks: f64 = 8.0, "weeks", Positive;
        /// Strain points per point of surface-acting gap (display demand above felt morale).
        strain_per_gap_point: f64 = 1.0, "points/point", NonNegative;
        /// Time constant of strain's move toward the current gap.
        strain_time_constant_weeks: f64 = 4.0, "weeks", Positive;
        /// Mean delay from opening a vacancy to the new hire's first day (retail 2-6; the O&S bank ~30).
        hiring_delay_weeks: f64 = 4.0, "weeks", Positive;
        /// Recruiting cost per hire.
        hiring_cost: f64 = 1500.0, "currency/hire", Money;
        /// Onboarding training cost per hire (turnover cost ~21% of salary in all: Boushey & Glynn 2012).
        onboarding_cost: f64 = 2000.0, "currency/hire", Money;
        /// Weeks over which management perceives demand and productivity for its desired headcount.
        headcount_perception_weeks: f64 = 8.0, "weeks", Positive;
    }
}

section! {
    /// Customers: perception, satisfaction, loyalty, complaints, word of mouth, value.
    pub struct CustomerParams {
        /// Mean satisfaction of customers at the start.
        satisfaction_initial: f64 = 68.0, "score 0-100", Score;
        /// Standard deviation of satisfaction at the start.
        satisfaction_initial_sd: f64 = 10.0, "points", NonNegative;
        /// Expectation of customers at the start and of new customers.
        expectation_initial: f64 = 68.0, "score 0-100", Score;
        /// Weight of one encounter's evaluation in satisfaction: cumulative satisfaction weighs the whole relationship, ~20 encounters (Johnson, Anderson & Fornell 1995; calibrated on the Xerox check).
        satisfaction_learning_rate: f64 = 0.05, "share", Probability;
        /// How strongly disconfirmation (perceived - expected) adds to an encounter's evaluation (Oliver 1980).
        disconfirmation_weight: f64 = 0.5, "-", NonNegative;
        /// Weight of one encounter in the expectation (expectations adapt slowly).
        expectation_learning_rate: f64 = 0.05, "share", Probability;
        /// Weight of competence (task done right) in perceived quality.
        weight_competence: f64 = 0.5, "-", NonNegative;
        /// Weight of courtesy in perceived quality (0.35 of 1.1: about a third, as responsiveness, assurance and empathy together weigh in SERVQUAL studies; 0.25 left the Sears response under half the published one once the baseline started steady).
        weight_courtesy: f64 = 0.35, "-", NonNegative;
        /// Weight of waiting in perceived quality.
        weight_wait: f64 = 0.25, "-", NonNegative;
        /// Competence score of a task done wrong.
        competence_failed: f64 = 10.0, "score 0-100", Score;
        /// Competence score of a task done right by a fully effective employee with average tools.
        competence_done_well: f64 = 82.0, "score 0-100", Score;
        /// Wait score when the wait is within tolerance (waiting as expected neither delights nor annoys).
        wait_score_within_tolerance: f64 = 78.0, "score 0-100", Score;
        /// Standard deviation of customers' individual harshness (a fixed offset on what they perceive): stable differences in how people rate (calibrated on the Xerox check).
        harshness_sd: f64 = 18.0, "points", NonNegative;
        /// Waiting accepted without penalty.
        wait_tolerance_minutes: f64 = 4.0, "min", NonNegative;
        /// Waiting beyond tolerance that cuts the wait score by a factor e.
        wait_scale_minutes: f64 = 10.0, "min", Positive;
        /// Share of courtesy's weight lost when every server is busy (Grandey et al. 2005).
        busy_courtesy_discount: f64 = 0.5, "share", Probability;
        /// How much surface-acted display counts as courtesy compared with felt morale (Grandey 2005).
        display_authenticity: f64 = 0.3, "share", Probability;
        /// Courtesy bonus when felt morale meets the display demand (deep acting; H&S 2011 rho ~ .37 with satisfaction).
        deep_acting_bonus: f64 = 5.0, "points", NonNegative;
        /// Courtesy below which an encounter counts as rude.
        rude_threshold: f64 = 35.0, "score 0-100", Score;
        /// Probability a customer leaves at once after a failed and rude encounter.
        catastrophe_loss_probability: f64 = 0.3, "probability", Probability;
        /// Annual churn hazard of customers at the top of the scale (apostles; Heskett 1994).
        churn_top_per_year: f64 = 0.005, "1/year", NonNegative;
        /// Annual churn hazard through the middle of the scale ("satisfied" still leave: 15-40% a year).
        churn_middle_per_year: f64 = 0.3, "1/year", NonNegative;
        /// Annual churn hazard at the bottom of the scale (terrorists).
        churn_bottom_per_year: f64 = 1.0, "1/year", NonNegative;
        /// Satisfaction above which churn falls steeply to the top level: just below the top-box rating, so customers rating 5 are apostles.
        churn_top_threshold: f64 = 76.0, "score 0-100", Score;
        /// Satisfaction below which churn rises steeply to the bottom level (ratings 1-2).
        churn_bottom_threshold: f64 = 40.0, "score 0-100", Score;
        /// Width of the logistic steps between churn levels.
        churn_step_width: f64 = 1.5, "points", Positive;
        /// Annual hazard of losing a customer to the product (LeBoeuf/TARP: 14% of losses).
        loss_product_per_year: f64 = 0.025, "1/year", NonNegative;
        /// Annual hazard of losing a customer to a competitor's offer (TARP: 9%).
        loss_competitor_per_year: f64 = 0.016, "1/year", NonNegative;
        /// Annual hazard of losing a customer who moves away or for other reasons (TARP: 9%).
        loss_moved_per_year: f64 = 0.016, "1/year", NonNegative;
        /// Evaluation below which an encounter leaves the customer dissatisfied.
        dissatisfied_threshold: f64 = 45.0, "score 0-100", Score;
        /// Evaluation at or above which an encounter delights.
        delighted_threshold: f64 = 85.0, "score 0-100", Score;
        /// Probability a dissatisfied customer complains (TARP: 1 in 26).
        complaint_probability: f64 = 0.0385, "probability", Probability;
        /// Whether front-line staff are empowered to recover complaints (a policy; off at baseline).
        empowered_recovery: bool = false, "-", Any;
        /// Share of complainers kept when a complaint is resolved later (TARP: ~70%).
        recovery_keep_share: f64 = 0.7, "share", Probability;
        /// Share of complainers kept when the complaint is resolved on the spot (TARP: ~95%).
        recovery_on_the_spot_keep_share: f64 = 0.95, "share", Probability;
        /// Share of resolved complaints that empowered staff resolve on the spot.
        recovery_on_the_spot_share: f64 = 0.5, "share", Probability;
        /// People a dissatisfied customer tells of a bad experience (TARP: 9-10).
        wom_dissatisfied_tells: f64 = 9.5, "people", NonNegative;
        /// People a delighted customer tells of a good experience (TARP: about half as many).
        wom_delighted_tells: f64 = 4.75, "people", NonNegative;
        /// Weeks after telling of an experience before a customer tells of another of the same kind (bad or good): TARP's tells are per problem episode, not per visit, so a regular who is let down twice a month still tells about once. 26: at most two episodes of each kind a year (assumption; keeps mentions per customer per month at the 0.05-1 that brand word-of-mouth surveys report).
        word_of_mouth_episode_weeks: u32 = 26, "weeks", Any;
        /// Share of positive mentions that become a customer (referrals): 3% puts referrals at roughly a third to a half of a bank's newcomers (judgement; with word of mouth in episodes).
        referral_conversion: f64 = 0.03, "share", Probability;
        /// Deterrence of paid acquisition by negative word of mouth: paid acquisitions are scaled by exp(-this * negative mentions in the week / people in the site's market). 1.0 with word of mouth in episodes (0.4 when every bad visit was told: about the same deterrence).
        deterrence_per_mention_per_person: f64 = 1.0, "1/(mentions/person)", NonNegative;
        /// Expectation bonus of a referred customer (referrals expect more).
        referral_expectation_bonus: f64 = 5.0, "points", NonNegative;
        /// Satisfaction prior bonus of a referred customer (a higher prior of staying).
        referral_satisfaction_bonus: f64 = 8.0, "points", NonNegative;
        /// Paid new customers per site per week at baseline marketing (before they are deterred by negative word of mouth and limited by the prospects left). None: set at the end of the warm-up to replace the customers the baseline loses, so the customer base is steady.
        marketing_customers_per_site_per_week: Option<f64> = None, "customers/week", NonNegative;
        /// Marketing cost per acquired customer (5-25x the cost of keeping one).
        cost_per_acquired_customer: f64 = 120.0, "currency/customer", Money;
        /// Spend per visit of a new customer (revenue the firm keeps).
        spend_per_visit: f64 = 30.0, "currency/visit", PositiveMoney;
        /// Growth of spend per visit per year of tenure (Reichheld & Sasser 1990: value grows with tenure).
        spend_growth_per_year: f64 = 0.08, "share/year", NonNegative;
        /// Years of tenure after which spend stops growing.
        spend_growth_cap_years: f64 = 7.0, "years", NonNegative;
        /// Satisfaction at or above which a survey rating is 5 (top box).
        top_box_threshold: f64 = 80.0, "score 0-100", Score;
    }
}

/// What the firm's cash flows after the horizon are worth at the horizon, added to NPV when
/// asked for (off by default: a short horizon then values an arm's lasting customer base at
/// zero, which understates lasting investments).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub enum TerminalValue {
    /// No terminal value: NPV counts the horizon's cash flows only.
    #[default]
    None,
    /// Gordon growth: the last year's net cash flow, growing at `growth_per_year` forever,
    /// discounted at the scenario's rate; `growth_per_year` must be below the discount rate.
    Growth {
        /// Annual growth of the cash flow after the horizon (e.g. 0.0 or 0.02).
        growth_per_year: f64,
    },
    /// A multiple of the last year's net cash flow.
    Multiple {
        /// Value at the horizon per unit of the last year's net cash flow.
        of_last_year: f64,
    },
}

impl Param for TerminalValue {
    fn check(&self, path: &str, _: Rule, problems: &mut Vec<Problem>) {
        match *self {
            TerminalValue::None => {}
            TerminalValue::Growth { growth_per_year } => {
                growth_per_year.check(&format!("{path}.growth_per_year"), Rule::Any, problems)
            }
            TerminalValue::Multiple { of_last_year } => {
                of_last_year.check(&format!("{path}.of_last_year"), Rule::NonNegative, problems)
            }
        }
    }
    fn docs(&self, path: &str, _: &str, _: Rule, meaning: &str, out: &mut Vec<FieldDoc>) {
        out.push(FieldDoc {
            path: path.to_string(),
            unit: "-".to_string(),
            default: super::param::ron_text(self),
            rule: "None, Growth(growth_per_year: g) with g below the discount rate, or Multiple(of_last_year: m >= 0)".to_string(),
            meaning: meaning.to_string(),
        });
    }
}

section! {
    /// Money that is not wages: overhead, discounting and the value after the horizon.
    pub struct MoneyParams {
        /// Fixed overhead per site per week (rent, systems, back office).
        overhead_per_site_per_week: f64 = 25000.0, "currency/week", Money;
        /// Annual discount rate for NPV: an effective annual rate; each week's net cash flow is discounted from the end of its week, (1 + rate)^-(week + 1)/52.
        discount_rate_per_year: f64 = 0.08, "1/year", NonNegative;
        /// Value of the cash flows after the horizon, added to NPV when not None (labelled as such in every output).
        terminal_value: TerminalValue = TerminalValue::None, "-", Any;
    }
}

section! {
    /// Switches for every causal link of MODEL.md's diagram; `false` cuts the link.
    pub struct Links {
        /// ISQ raises employee morale (internal service quality -> employee satisfaction).
        isq_to_morale: bool = true, "-", Any;
        /// Pay fairness raises morale.
        pay_to_morale: bool = true, "-", Any;
        /// Served customers' satisfaction raises morale (the satisfaction mirror).
        satisfaction_mirror: bool = true, "-", Any;
        /// Low morale raises quits (employee satisfaction -> retention).
        morale_to_quits: bool = true, "-", Any;
        /// Long fatigue raises quits.
        fatigue_to_quits: bool = true, "-", Any;
        /// Short fatigue lowers productivity.
        fatigue_to_productivity: bool = true, "-", Any;
        /// Fatigue and strain lower morale.
        fatigue_to_morale: bool = true, "-", Any;
        /// Work pressure raises work intensity (overtime).
        pressure_to_intensity: bool = true, "-", Any;
        /// Work pressure shortens time per service (corner cutting).
        pressure_to_corner_cutting: bool = true, "-", Any;
        /// The service standard erodes toward the time actually taken.
        standard_erosion: bool = true, "-", Any;
        /// Display demand above felt morale causes surface acting and strain.
        emotional_labour: bool = true, "-", Any;
        /// New hires start below full effectiveness and learn (rookies).
        learning_curve: bool = true, "-", Any;
        /// Rookies take experienced employees' time to train.
        trainer_time: bool = true, "-", Any;
        /// Tools and systems speed service and improve accuracy.
        tools_to_service: bool = true, "-", Any;
        /// Skills development speeds learning and improves accuracy.
        skills_to_service: bool = true, "-", Any;
        /// Effectiveness (skill, tools, fatigue) changes the time per service (productivity).
        effectiveness_to_speed: bool = true, "-", Any;
        /// Morale shows as courtesy (employee satisfaction -> service value).
        morale_to_courtesy: bool = true, "-", Any;
        /// Morale shows as effort: fewer tasks done wrong (employee satisfaction -> service quality).
        morale_to_effort: bool = true, "-", Any;
        /// Courtesy counts only when the task was done well.
        competence_gates_courtesy: bool = true, "-", Any;
        /// Courtesy counts less when the site is busy.
        busyness_discounts_courtesy: bool = true, "-", Any;
        /// Waiting lowers perceived quality.
        waiting_to_quality: bool = true, "-", Any;
        /// Satisfaction sets churn (customer satisfaction -> loyalty).
        satisfaction_to_churn: bool = true, "-", Any;
        /// A failed and rude encounter can end the relationship at once.
        catastrophic_loss: bool = true, "-", Any;
        /// Customers tell others, deterring or referring prospects.
        word_of_mouth: bool = true, "-", Any;
        /// Spend per visit grows with tenure (loyalty -> revenue).
        tenure_to_spend: bool = true, "-", Any;
        /// Management's desired headcount follows demand and productivity; off: it stays at the start.
        demand_to_headcount: bool = true, "-", Any;
        /// Employees quit at all; off: nobody leaves (a fixed workforce).
        quits: bool = true, "-", Any;
    }
}

impl Links {
    /// Every link's name and whether it is on, in alphabetical order.
    pub fn switches(&self) -> Vec<(String, bool)> {
        // The serialised form is the one source of the field names (no list to keep in step).
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| (k, v.as_bool().unwrap_or(true)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The names of the links switched off, in alphabetical order.
    pub fn off(&self) -> Vec<String> {
        self.switches()
            .into_iter()
            .filter(|(_, on)| !on)
            .map(|(name, _)| name)
            .collect()
    }

    /// The links on in both `self` and `other`.
    pub fn and(&self, other: &Links) -> Links {
        let mut map = serde_json::Map::new();
        for ((name, a), (_, b)) in self.switches().into_iter().zip(other.switches()) {
            map.insert(name, serde_json::Value::Bool(a && b));
        }
        serde_json::from_value(serde_json::Value::Object(map)).unwrap_or_else(|_| self.clone())
    }
}
