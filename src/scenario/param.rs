//! The machinery behind every scenario section: one declaration gives the serde struct, its
//! defaults, its validation rules and its reference documentation, so the four cannot drift.

use serde::Serialize;

/// A rule a scalar parameter must satisfy. Every rule also refuses NaN and infinities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Any finite value (or, for non-numeric fields, no constraint).
    Any,
    /// Strictly greater than zero.
    Positive,
    /// Zero or more.
    NonNegative,
    /// A probability or share in [0, 1].
    Probability,
    /// A share in (0, 1]: one that divides (a target utilisation of 0 asks for infinite staff).
    PositiveShare,
    /// A score on the 0-100 scale.
    Score,
    /// A minute of the day, 0-1440.
    MinuteOfDay,
    /// A number of days in a week, 1-7.
    DaysPerWeek,
    /// A week of the year, 0-51.
    WeekOfYear,
    /// An amount of money, 0 to [`crate::ledger::MAX_AMOUNT`] (a billion currency units).
    Money,
    /// An amount of money above 0, at most [`crate::ledger::MAX_AMOUNT`].
    PositiveMoney,
}

impl Rule {
    /// What the rule expects, for error messages and the reference.
    pub fn expected(self) -> &'static str {
        match self {
            Rule::Any => "a finite number",
            Rule::Positive => "a finite number greater than 0",
            Rule::NonNegative => "a finite number of at least 0",
            Rule::Probability => "a probability in [0, 1]",
            Rule::PositiveShare => "a share in (0, 1]",
            Rule::Score => "a score in [0, 100]",
            Rule::MinuteOfDay => "a minute of the day in [0, 1440]",
            Rule::DaysPerWeek => "a number of days in [1, 7]",
            Rule::WeekOfYear => "a week of the year in [0, 51]",
            Rule::Money => "an amount in [0, 1e9] (a billion currency units at most)",
            Rule::PositiveMoney => "an amount in (0, 1e9] (a billion currency units at most)",
        }
    }

    /// Whether `x` satisfies the rule; NaN-safe (`contains` is false for NaN).
    pub fn admits(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Rule::Any => true,
                Rule::Positive => x > 0.0,
                Rule::NonNegative => x >= 0.0,
                Rule::Probability => (0.0..=1.0).contains(&x),
                Rule::PositiveShare => x > 0.0 && x <= 1.0,
                Rule::Score => (0.0..=100.0).contains(&x),
                Rule::MinuteOfDay => (0.0..=1440.0).contains(&x),
                Rule::DaysPerWeek => (1.0..=7.0).contains(&x),
                Rule::WeekOfYear => (0.0..=51.0).contains(&x),
                Rule::Money => (0.0..=crate::ledger::MAX_AMOUNT).contains(&x),
                Rule::PositiveMoney => x > 0.0 && x <= crate::ledger::MAX_AMOUNT,
            }
    }
}

/// One problem found in a scenario's meaning: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path of the field, e.g. `employees.wage_per_hour` or `arms[1].name`.
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
}

/// One row of the scenario reference (`docs/SCENARIO.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDoc {
    /// Dotted path of the field.
    pub path: String,
    /// Unit of the value (`-` when dimensionless).
    pub unit: String,
    /// The default, written as RON.
    pub default: String,
    /// What the value must be.
    pub rule: String,
    /// What the field means.
    pub meaning: String,
}

/// A value that can appear in a scenario: it validates itself and documents itself.
pub trait Param {
    /// Appends a problem for each way the value breaks `rule` (sections check their own fields).
    fn check(&self, path: &str, rule: Rule, problems: &mut Vec<Problem>);
    /// Appends reference rows: one for a scalar, one per field for a section.
    fn docs(&self, path: &str, unit: &str, rule: Rule, meaning: &str, out: &mut Vec<FieldDoc>);
}

/// Joins a parent path and a field name.
pub fn join(parent: &str, field: &str) -> String {
    if parent.is_empty() {
        field.to_string()
    } else {
        format!("{parent}.{field}")
    }
}

/// Writes a value as compact RON for the reference's default column.
pub fn ron_text<T: Serialize>(value: &T) -> String {
    ron::to_string(value).unwrap_or_else(|_| "?".to_string())
}

fn scalar_doc<T: Serialize>(
    value: &T,
    path: &str,
    unit: &str,
    rule: Rule,
    meaning: &str,
    out: &mut Vec<FieldDoc>,
) {
    out.push(FieldDoc {
        path: path.to_string(),
        unit: unit.to_string(),
        default: ron_text(value),
        rule: rule.expected().to_string(),
        meaning: meaning.to_string(),
    });
}

macro_rules! numeric_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn check(&self, path: &str, rule: Rule, problems: &mut Vec<Problem>) {
                // Integers are finite; the rule still bounds them.
                #[allow(clippy::cast_precision_loss, clippy::unnecessary_cast)]
                let x = *self as f64;
                if !rule.admits(x) {
                    problems.push(Problem {
                        path: path.to_string(),
                        message: format!("expected {}, found {}", rule.expected(), ron_text(self)),
                    });
                }
            }
            fn docs(&self, path: &str, unit: &str, rule: Rule, meaning: &str, out: &mut Vec<FieldDoc>) {
                scalar_doc(self, path, unit, rule, meaning, out);
            }
        }
    )*};
}
numeric_param!(f64, u32, u64);

/// Implements [`Param`] for a type with no numeric constraint (flags, names, enums).
macro_rules! plain_param {
    ($($t:ty),*) => {$(
        impl $crate::scenario::param::Param for $t {
            fn check(&self, _: &str, _: $crate::scenario::param::Rule, _: &mut Vec<$crate::scenario::param::Problem>) {}
            fn docs(
                &self,
                path: &str,
                unit: &str,
                _: $crate::scenario::param::Rule,
                meaning: &str,
                out: &mut Vec<$crate::scenario::param::FieldDoc>,
            ) {
                out.push($crate::scenario::param::FieldDoc {
                    path: path.to_string(),
                    unit: unit.to_string(),
                    default: $crate::scenario::param::ron_text(self),
                    rule: "-".to_string(),
                    meaning: meaning.to_string(),
                });
            }
        }
    )*};
}
pub(crate) use plain_param;
plain_param!(bool, String);

impl<T: Param + Default> Param for Vec<T> {
    fn check(&self, path: &str, rule: Rule, problems: &mut Vec<Problem>) {
        for (i, item) in self.iter().enumerate() {
            item.check(&format!("{path}[{i}]"), rule, problems);
        }
    }
    fn docs(&self, path: &str, unit: &str, rule: Rule, meaning: &str, out: &mut Vec<FieldDoc>) {
        out.push(FieldDoc {
            path: path.to_string(),
            unit: unit.to_string(),
            default: if self.is_empty() {
                "[]".to_string()
            } else {
                format!("{} items", self.len())
            },
            rule: "a list".to_string(),
            meaning: meaning.to_string(),
        });
        T::default().docs(&format!("{path}[]"), unit, rule, "", out);
    }
}

/// An optional value: checked by the inner rule when given; `None` means the model works it
/// out (the field's meaning says how).
impl Param for Option<f64> {
    fn check(&self, path: &str, rule: Rule, problems: &mut Vec<Problem>) {
        if let Some(x) = self {
            x.check(path, rule, problems);
        }
    }
    fn docs(&self, path: &str, unit: &str, rule: Rule, meaning: &str, out: &mut Vec<FieldDoc>) {
        out.push(FieldDoc {
            path: path.to_string(),
            unit: unit.to_string(),
            default: match self {
                Some(x) => ron_text(x),
                None => "None".to_string(),
            },
            rule: format!("None, or {}", rule.expected()),
            meaning: meaning.to_string(),
        });
    }
}

/// Declares a scenario section: a serde struct (unknown fields refused, missing ones defaulted),
/// its `Default`, and its [`Param`] impl. Each field reads
/// `/// meaning` `name: Type = default, "unit", Rule;`.
macro_rules! section {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])+
                $field:ident : $ty:ty = $default:expr, $unit:literal, $rule:ident;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        pub struct $name {
            $( $(#[doc = $doc])+ #[doc = concat!("\n\nUnit: ", $unit, ".")] pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl $crate::scenario::param::Param for $name {
            fn check(
                &self,
                path: &str,
                _: $crate::scenario::param::Rule,
                problems: &mut Vec<$crate::scenario::param::Problem>,
            ) {
                $(
                    self.$field.check(
                        &$crate::scenario::param::join(path, stringify!($field)),
                        $crate::scenario::param::Rule::$rule,
                        problems,
                    );
                )*
            }
            fn docs(
                &self,
                path: &str,
                _: &str,
                _: $crate::scenario::param::Rule,
                _: &str,
                out: &mut Vec<$crate::scenario::param::FieldDoc>,
            ) {
                $(
                    self.$field.docs(
                        &$crate::scenario::param::join(path, stringify!($field)),
                        $unit,
                        $crate::scenario::param::Rule::$rule,
                        concat!($($doc),+).trim(),
                        out,
                    );
                )*
            }
        }
    };
}
pub(crate) use section;
