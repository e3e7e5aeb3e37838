//! Scenarios: the RON file a user writes, checked into a [`Scenario`] the model can trust.
//!
//! Two stages, as in ripgrep's configuration: serde reads the file into the section structs
//! (unknown fields refused, missing fields defaulted), then [`Scenario::problems`] checks the
//! meaning of every field and reports *all* problems at once, each with its dotted path.

pub mod param;
pub mod path;
pub mod policy;
pub mod provenance;
pub mod sections;

use std::fmt;
use std::path::Path;

use param::{FieldDoc, Param, Problem, Rule, section};
pub use policy::{Intervention, Lever};
pub use provenance::{Provenance, load_with_provenance};
pub use sections::{
    ClockParams, CustomerParams, DemandParams, DemandShock, EmployeeParams, IsqParams, Links,
    MoneyParams, Range, ServiceParams, ServiceTimeDistribution, SiteParams, TerminalValue,
};

section! {
    /// An arm: one policy schedule compared against the others on common random numbers.
    pub struct Arm {
        /// Name of the arm, unique in the scenario (used in outputs).
        name: String = "baseline".to_string(), "-", Any;
        /// What the arm represents, for reports.
        description: String = "no intervention".to_string(), "-", Any;
        /// The arm's schedule of interventions; empty: the baseline (no intervention).
        interventions: Vec<Intervention> = Vec::new(), "-", Any;
        /// Links this arm switches off (`false`); a link runs in the arm only where it is on
        /// both here and in the scenario's `links`. For lessons and ablations: what changes
        /// without this link, paired with the other arms on common random numbers.
        links: Links = Links::default(), "-", Any;
    }
}

section! {
    /// A whole scenario: the firm, its people, its customers, its money, and the arms to compare.
    pub struct Scenario {
        /// Short name, at most 100 visible characters with a letter or digit; outputs go to `output/<name>/` by default, the name made a safe folder name (ASCII letters, digits, `.`, `_`, `-`; anything else becomes `_`; at most 64 bytes).
        name: String = "retail_bank".to_string(), "-", Any;
        /// One-line description for reports.
        description: String = String::new(), "-", Any;
        /// Master seed of every random stream (`--seed` overrides it).
        seed: u64 = 20_261_125, "-", Any;
        /// Simulated horizon (`--weeks` overrides it).
        weeks: u32 = 156, "weeks", Positive;
        /// Weeks simulated before week 0 so every stock (morale, satisfaction, expectations, fatigue, the service standard, staffing) reaches its steady state from the starting values, with the customer base held at its starting size; common to every arm, excluded from every output. 104: staffing and fatigue need a second pass through the seasonal peak to settle (after one year the first reported weeks still carried the start, overtime ~17% above the same weeks a year later).
        warmup_weeks: u32 = 104, "weeks", NonNegative;
        /// Monte Carlo replications (`--reps` overrides it).
        replications: u32 = 100, "replications", Positive;
        /// Opening hours.
        clock: ClockParams = ClockParams::default(), "-", Any;
        /// Sites and their heterogeneity.
        sites: SiteParams = SiteParams::default(), "-", Any;
        /// Customer visit rates.
        demand: DemandParams = DemandParams::default(), "-", Any;
        /// The service encounter.
        service: ServiceParams = ServiceParams::default(), "-", Any;
        /// Internal service quality.
        isq: IsqParams = IsqParams::default(), "-", Any;
        /// Employees.
        employees: EmployeeParams = EmployeeParams::default(), "-", Any;
        /// Customers.
        customers: CustomerParams = CustomerParams::default(), "-", Any;
        /// Overhead and discounting.
        money: MoneyParams = MoneyParams::default(), "-", Any;
        /// Causal links that can be switched off.
        links: Links = Links::default(), "-", Any;
        /// Policy arms, compared on common random numbers.
        arms: Vec<Arm> = vec![Arm::default()], "-", Any;
        /// Name of the arm the others are compared against; empty: the first arm.
        baseline_arm: String = String::new(), "-", Any;
    }
}

/// The longest horizon: times are kept in 32-bit seconds on the encounter path.
pub const MAX_WEEKS: u32 = 2600;

/// The most replications a run takes: a million standard replications is days of computing,
/// and the per-replication summaries a run keeps grow with the count.
pub const MAX_REPLICATIONS: u32 = 1_000_000;

/// The built-in default scenario (smile training vs tools), used when `run` is given no file.
pub const DEFAULT_SCENARIO_RON: &str = include_str!("../../scenarios/smile_vs_tools.ron");
/// The label the built-in scenario carries in messages and manifests.
pub const DEFAULT_SCENARIO_LABEL: &str = "<built-in smile_vs_tools>";

/// Why a scenario could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read: it is missing or unreadable.
    Read {
        /// The path as given.
        file: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is not valid RON for a scenario (syntax, unknown field, wrong type); parsing
    /// stops at the first such error.
    Syntax {
        /// The path as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// The file parsed but some values make no sense; every problem is listed.
    Invalid {
        /// The path as given.
        file: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { file, source } => {
                write!(f, "{file}: cannot read scenario: {source}")
            }
            ScenarioError::Syntax {
                file,
                line,
                col,
                message,
            } => {
                write!(f, "{file}:{line}:{col}: {message}")
            }
            ScenarioError::Invalid { file, problems } => {
                for p in problems {
                    writeln!(f, "{file}: {}: {}", p.path, p.message)?;
                }
                let n = problems.len();
                write!(f, "{file}: {n} problem{}", if n == 1 { "" } else { "s" })
            }
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What the file's reader calls each part of a scenario or sweep file (its Rust type), and what
/// the user calls it: messages speak the user's words.
const USER_WORDS: [(&str, &str); 23] = [
    ("ClockParams", "the `clock` section"),
    ("SiteParams", "the `sites` section"),
    ("DemandParams", "the `demand` section"),
    ("ServiceParams", "the `service` section"),
    ("IsqParams", "the `isq` section"),
    ("EmployeeParams", "the `employees` section"),
    ("CustomerParams", "the `customers` section"),
    ("MoneyParams", "the `money` section"),
    ("Links", "the `links` section"),
    ("Scenario", "the scenario"),
    ("Arm", "an arm"),
    ("Intervention", "an intervention"),
    ("Lever", "a `lever`"),
    ("Range", "a range `(min: .., max: ..)`"),
    ("DemandShock", "a demand shock"),
    ("ServiceTimeDistribution", "a `time_distribution`"),
    ("SweepFile", "the sweep"),
    ("Factor", "a factor"),
    ("Output", "an output"),
    ("Design", "a `design`"),
    ("Base", "a `base`"),
    ("Distribution", "a `distribution`"),
    ("Option", "an optional value (`Some(..)` or `None`)"),
];

/// `message` with every type name the reader used (``struct `SiteParams` ``,
/// ``in `Arm` ``) replaced by the user's word for that part of the file.
fn in_user_words(message: &str) -> String {
    let mut out = message.to_string();
    for (name, words) in USER_WORDS {
        for kind in ["struct ", "enum ", ""] {
            for (before, after) in [("for ", "for "), ("in ", "in "), ("", "")] {
                let from = format!("{before}{kind}`{name}`");
                if out.contains(&from) {
                    out = out.replace(&from, &format!("{after}{words}"));
                }
            }
        }
    }
    out
}

/// A RON error located at the token it is about, saying what was found there.
pub(crate) fn syntax_error(text: &str, file: &str, e: &ron::error::SpannedError) -> ScenarioError {
    let lower_first = |m: String| m.get(..1).map_or(m.clone(), |f| f.to_lowercase() + &m[1..]);
    let lines = text.lines().count();
    let last_len = text.lines().last().map_or(0, |l| l.chars().count());
    if e.span.end.line >= lines && e.span.end.col > last_len {
        // The file ended while RON still expected something (often a missing `)`).
        return ScenarioError::Syntax {
            file: file.to_string(),
            line: lines.max(1),
            col: last_len + 1,
            message: in_user_words(&format!(
                "{}, found the end of the file",
                lower_first(e.code.to_string())
            )),
        };
    }
    let line = e.span.start.line.max(1);
    let chars: Vec<char> = text.lines().nth(line - 1).unwrap_or("").chars().collect();
    // RON's span can start on the blank before the value: step to the token itself.
    let mut at = e.span.start.col.saturating_sub(1).min(chars.len());
    while at < chars.len() && chars[at].is_whitespace() {
        at += 1;
    }
    // Widen to the whole number: a sign before it, or digits before a fraction RON stopped at.
    let mut from = at;
    while from > 0
        && (chars[from - 1].is_ascii_digit()
            || (chars.get(from) == Some(&'.') && from == at && chars[from - 1].is_ascii_digit()))
    {
        from -= 1;
    }
    if from > 0 && matches!(chars[from - 1], '-' | '+') {
        from -= 1;
    }
    let stop = |c: &char| matches!(c, ',' | ')' | ']' | '(' | '[' | ':') || c.is_whitespace();
    let token: String = if chars.get(at) == Some(&'"') {
        let close = chars[at + 1..]
            .iter()
            .position(|&c| c == '"')
            .map_or(chars.len(), |i| at + i + 2);
        chars[from..close].iter().collect()
    } else {
        chars[from..].iter().take_while(|c| !stop(c)).collect()
    };
    let mut message = lower_first(e.code.to_string());
    let number_with_fraction = token.contains('.') && token.parse::<f64>().is_ok();
    if matches!(e.code, ron::Error::ExpectedComma) && number_with_fraction {
        // `weeks: 4.5`: RON read `4` as the integer and stumbled on `.5`.
        message = "expected an integer".to_string();
    } else if matches!(e.code, ron::Error::IntegerOutOfBounds) {
        message = "expected a whole number of at least 0 that fits the field".to_string();
    }
    let already_says = matches!(
        e.code,
        ron::Error::NoSuchStructField { .. } | ron::Error::NoSuchEnumVariant { .. }
    );
    if !already_says {
        if token.is_empty() {
            message.push_str(", found the end of the line");
        } else {
            message = format!("{message}, found `{token}`");
        }
    }
    ScenarioError::Syntax {
        file: file.to_string(),
        line,
        col: from + 1,
        message: in_user_words(&message),
    }
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = path.display().to_string();
        let text = crate::files::read_text(path).map_err(|source| ScenarioError::Read {
            file: file.clone(),
            source,
        })?;
        Scenario::parse(&text, &file)
    }

    /// The built-in default scenario.
    pub fn built_in() -> Scenario {
        Scenario::parse(DEFAULT_SCENARIO_RON, DEFAULT_SCENARIO_LABEL)
            .unwrap_or_else(|e| unreachable!("the built-in scenario is checked by a test: {e}"))
    }

    /// Parses RON text (`file` labels messages) and checks its meaning.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        // `Some(..)` may be left out around an optional value: `end_week: 20`.
        let options = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        let scenario: Scenario = options
            .from_str(text)
            .map_err(|e| syntax_error(text, file, &e))?;
        let problems = scenario.problems();
        if problems.is_empty() {
            Ok(scenario)
        } else {
            Err(ScenarioError::Invalid {
                file: file.to_string(),
                problems,
            })
        }
    }

    /// Every problem with the scenario's values: field rules first, then relations between fields.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check("", Rule::Any, &mut problems);
        let mut bad = |path: &str, message: String| {
            problems.push(Problem {
                path: path.to_string(),
                message,
            })
        };
        if self.weeks > MAX_WEEKS {
            bad(
                "weeks",
                format!(
                    "expected at most {MAX_WEEKS} weeks (50 years), found {}",
                    self.weeks
                ),
            );
        }
        if self.warmup_weeks > MAX_WEEKS {
            bad(
                "warmup_weeks",
                format!(
                    "expected at most {MAX_WEEKS} weeks (50 years), found {}",
                    self.warmup_weeks
                ),
            );
        }
        if self.replications > MAX_REPLICATIONS {
            bad(
                "replications",
                format!(
                    "expected at most {MAX_REPLICATIONS} replications, found {}",
                    self.replications
                ),
            );
        }
        if self.clock.close_minute <= self.clock.open_minute {
            bad(
                "clock.close_minute",
                format!(
                    "reversed range: expected a closing minute after open_minute {}, found {}",
                    self.clock.open_minute, self.clock.close_minute
                ),
            );
        }
        if self.sites.market_per_site < self.sites.customers_per_site {
            bad(
                "sites.market_per_site",
                format!(
                    "expected at least customers_per_site ({}), found {}",
                    self.sites.customers_per_site, self.sites.market_per_site
                ),
            );
        }
        if let TerminalValue::Growth { growth_per_year } = self.money.terminal_value
            && growth_per_year >= self.money.discount_rate_per_year
        {
            bad(
                "money.terminal_value.growth_per_year",
                format!(
                    "expected a growth below the discount rate ({}), found {growth_per_year}: a perpetuity growing as fast as it is discounted has no finite value",
                    self.money.discount_rate_per_year
                ),
            );
        }
        let c = &self.customers;
        // Spend grows with tenure up to its cap: the most a visit can bring stays a plausible
        // amount too (each of the three passing its own rule is not enough).
        let top_spend =
            c.spend_per_visit * (1.0 + c.spend_growth_per_year * c.spend_growth_cap_years);
        if [
            c.spend_per_visit,
            c.spend_growth_per_year,
            c.spend_growth_cap_years,
        ]
        .iter()
        .all(|x| x.is_finite() && *x >= 0.0)
            && (top_spend.is_nan() || top_spend > crate::ledger::MAX_AMOUNT)
        {
            bad(
                "customers.spend_growth_per_year",
                format!(
                    "expected spend_per_visit x (1 + spend_growth_per_year x spend_growth_cap_years) of at most 1e9 (a billion currency units a visit), found {}",
                    param::ron_text(&top_spend)
                ),
            );
        }
        if c.churn_bottom_threshold >= c.churn_top_threshold {
            bad(
                "customers.churn_bottom_threshold",
                format!(
                    "reversed range: expected below churn_top_threshold ({}), found {}",
                    c.churn_top_threshold, c.churn_bottom_threshold
                ),
            );
        }
        if c.dissatisfied_threshold >= c.delighted_threshold {
            bad(
                "customers.dissatisfied_threshold",
                format!(
                    "reversed range: expected below delighted_threshold ({}), found {}",
                    c.delighted_threshold, c.dissatisfied_threshold
                ),
            );
        }
        // Weight sums are checked only when each weight passed its own rule (no double report).
        let weights_sum = |path: &str, what: &str, w: &[f64], bad: &mut dyn FnMut(&str, String)| {
            let sum: f64 = w.iter().sum();
            if w.iter().all(|x| Rule::NonNegative.admits(*x)) && sum <= 0.0 {
                bad(
                    path,
                    format!(
                        "expected the {what} weights to sum above 0, found {}",
                        param::ron_text(&sum)
                    ),
                );
            }
        };
        weights_sum(
            "customers.weight_competence",
            "perceived-quality",
            &[c.weight_competence, c.weight_courtesy, c.weight_wait],
            &mut bad,
        );
        let i = &self.isq;
        weights_sum(
            "isq.weight_tools",
            "ISQ",
            &[
                i.weight_tools,
                i.weight_skills,
                i.weight_leadership,
                i.weight_staffing,
                i.weight_pay,
            ],
            &mut bad,
        );
        if let Some(message) = crate::files::name_problem(&self.name, true) {
            bad("name", message);
        }
        if self.arms.is_empty() {
            bad(
                "arms",
                "expected at least one arm, found an empty list".into(),
            );
        }
        if !self.baseline_arm.is_empty() && !self.arms.iter().any(|a| a.name == self.baseline_arm) {
            let names: Vec<String> = self
                .arms
                .iter()
                .map(|a| format!("\"{}\"", a.name))
                .collect();
            bad(
                "baseline_arm",
                format!(
                    "expected the name of an arm ({}), found \"{}\"",
                    names.join(", "),
                    self.baseline_arm
                ),
            );
        }
        for (k, arm) in self.arms.iter().enumerate() {
            for (j, i) in arm.interventions.iter().enumerate() {
                let mut found = Vec::new();
                i.check_in(
                    &format!("arms[{k}].interventions[{j}]"),
                    self.sites.count,
                    self.weeks,
                    &mut found,
                );
                for p in found {
                    bad(&p.path, p.message);
                }
            }
            if arm.name.trim().is_empty() {
                bad(
                    &format!("arms[{k}].name"),
                    format!("expected a non-empty name, found \"{}\"", arm.name),
                );
            } else if let Some(message) = crate::files::name_problem(&arm.name, false) {
                bad(&format!("arms[{k}].name"), message);
            } else if self.arms[..k].iter().any(|a| a.name == arm.name) {
                bad(
                    &format!("arms[{k}].name"),
                    format!("expected a unique arm name, found \"{}\" twice", arm.name),
                );
            }
        }
        problems
    }

    /// Index of the arm the others are compared against.
    pub fn baseline_index(&self) -> usize {
        self.arms
            .iter()
            .position(|a| a.name == self.baseline_arm)
            .unwrap_or(0)
    }

    /// The reference of every field: path, unit, default, rule and meaning.
    pub fn reference() -> Vec<FieldDoc> {
        let mut out = Vec::new();
        Scenario::default().docs("", "", Rule::Any, "", &mut out);
        out
    }

    /// The reference as the Markdown of `docs/SCENARIO.md`.
    pub fn reference_markdown() -> String {
        let mut md = String::from(
            "# Scenario reference\n\n\
             Generated from the code by `chainsim reference`; a test keeps this file in step.\n\
             A scenario file is RON and only needs the fields that differ from these defaults.\n\
             Money is in the scenario's currency; the ledger keeps it in integer cents.\n\
             What each parameter does, with every equation and the source of each default: \
             [docs/MODEL.md](MODEL.md).\n\n\
             | field | unit | default | must be | meaning |\n|---|---|---|---|---|\n",
        );
        for d in Scenario::reference() {
            md.push_str(&format!(
                "| `{}` | {} | `{}` | {} | {} |\n",
                d.path,
                d.unit,
                d.default.replace('|', "\\|"),
                d.rule,
                d.meaning.replace('|', "\\|")
            ));
        }
        md
    }

    /// Canonical RON of the fully resolved scenario (every default filled in).
    pub fn resolved_ron(&self) -> String {
        let cfg = ron::ser::PrettyConfig::new().struct_names(false);
        ron::ser::to_string_pretty(self, cfg).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_become_the_users_words() {
        assert_eq!(
            in_user_words("expected opening `(` for struct `SiteParams`, found `5`"),
            "expected opening `(` for the `sites` section, found `5`"
        );
        assert_eq!(
            in_user_words("unexpected variant named `Toolin` in enum `Lever`"),
            "unexpected variant named `Toolin` in a `lever`"
        );
        // The user's own words (a lever's name) stay as they are.
        assert_eq!(
            in_user_words("unexpected field named `amont` in `Tooling`"),
            "unexpected field named `amont` in `Tooling`"
        );
    }
}
