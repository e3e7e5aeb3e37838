//! Dotted paths into a scenario: `employees.expected_tenure_weeks`, `sites.manager_quality.min`,
//! `arms[2].interventions[0].lever.Tooling.amount`. A sweep varies the numbers at such paths,
//! and a command line can set one (`--set path=value`); both read and write through here, so a
//! path means the same thing everywhere and a misspelt one always gets the closest valid paths.
//!
//! A path is the scenario's serde shape written out: keys separated by `.`, list items as
//! `[i]`, enum variants by name. Only numeric leaves are addressable.

use serde_json::Value;

use super::Scenario;
use crate::suggest;

/// How many valid paths a refused one is shown.
const SUGGESTIONS: usize = 3;

/// Why a value could not be read or set at a path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// No numeric parameter lives at the path (misspelt, not a number, or an item the scenario
    /// does not have): the caller should show the closest valid paths.
    #[error(
        "`{path}`: no numeric parameter at this path; the closest valid paths are {}",
        quoted(closest)
    )]
    Unknown {
        /// The path as given.
        path: String,
        /// The valid paths nearest to it, nearest first.
        closest: Vec<String>,
    },
    /// The value cannot be stored in the field (a negative count, say).
    #[error("`{path}`: the value {value} does not fit: {reason}")]
    DoesNotFit {
        /// The path as given.
        path: String,
        /// The value refused.
        value: f64,
        /// Why the field refuses it.
        reason: String,
    },
}

fn quoted(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A scenario opened for reading and setting numbers by path. Opening serialises the scenario
/// once; each [`ScenarioTree::with`] then costs one conversion back, so a sweep can build many
/// variants of one base cheaply.
#[derive(Debug, Clone)]
pub struct ScenarioTree {
    tree: Value,
}

impl ScenarioTree {
    /// Opens `s`.
    pub fn new(s: &Scenario) -> ScenarioTree {
        ScenarioTree {
            tree: serde_json::to_value(s).expect("a scenario serialises"),
        }
    }

    /// Every numeric path of the scenario, in the order its fields are declared.
    pub fn numeric_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_numeric(&self.tree, "", &mut out);
        out
    }

    /// The number at `path`.
    ///
    /// # Errors
    ///
    /// [`PathError::Unknown`] with the closest valid paths.
    pub fn get(&self, path: &str) -> Result<f64, PathError> {
        pointer(path)
            .and_then(|p| self.tree.pointer(&p))
            .and_then(Value::as_f64)
            .ok_or_else(|| self.unknown(path))
    }

    /// The scenario with each `(path, value)` set; whole-number fields take the value rounded.
    /// The result is not checked: call [`Scenario::problems`] on it.
    ///
    /// # Errors
    ///
    /// [`PathError::Unknown`] for a path with no number; [`PathError::DoesNotFit`] for a value
    /// the field cannot hold.
    pub fn with(&self, values: &[(&str, f64)]) -> Result<Scenario, PathError> {
        let mut tree = self.tree.clone();
        for &(path, value) in values {
            let Some(leaf) = pointer(path)
                .and_then(|p| tree.pointer_mut(&p))
                .filter(|v| v.is_number())
            else {
                return Err(self.unknown(path));
            };
            *leaf = if leaf.is_u64() || leaf.is_i64() {
                Value::from(value.round() as i64)
            } else {
                Value::from(value)
            };
        }
        serde_json::from_value(tree).map_err(|e| {
            // The first path is as good a name as any when several were set at once.
            let (path, value) = values.first().copied().unwrap_or(("", f64::NAN));
            PathError::DoesNotFit {
                path: path.to_string(),
                value,
                reason: e.to_string(),
            }
        })
    }

    fn unknown(&self, path: &str) -> PathError {
        let valid = self.numeric_paths();
        PathError::Unknown {
            path: path.to_string(),
            closest: suggest::nearest(path, valid.iter().map(String::as_str), SUGGESTIONS)
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

/// Every numeric path of `s` (see [`ScenarioTree::numeric_paths`]).
pub fn numeric_paths(s: &Scenario) -> Vec<String> {
    ScenarioTree::new(s).numeric_paths()
}

/// The number at `path` in `s`.
///
/// # Errors
///
/// As [`ScenarioTree::get`].
pub fn get(s: &Scenario, path: &str) -> Result<f64, PathError> {
    ScenarioTree::new(s).get(path)
}

/// `s` with `value` at `path` (not checked: call [`Scenario::problems`] on the result).
///
/// # Errors
///
/// As [`ScenarioTree::with`].
pub fn set(s: &Scenario, path: &str, value: f64) -> Result<Scenario, PathError> {
    ScenarioTree::new(s).with(&[(path, value)])
}

/// The last step of a path, for labels where the whole path is too long
/// (`employees.wage_per_hour` is `wage_per_hour`).
pub fn leaf_name(path: &str) -> &str {
    // A lever's parameter reads with its lever (`Tooling.amount`, not `amount`).
    let mut parts = path.rsplitn(3, '.');
    let (leaf, parent) = (parts.next().unwrap_or(path), parts.next());
    match parent {
        Some(p) if p.starts_with(|c: char| c.is_ascii_uppercase()) => {
            &path[path.len() - leaf.len() - p.len() - 1..]
        }
        _ => leaf,
    }
}

/// The unit of a lever's parameter, by its name (`amount` of Tooling is currency per site).
fn lever_unit(lever: &str, parameter: &str) -> Option<&'static str> {
    Some(match (lever, parameter) {
        ("Tooling", "amount") => "currency/site",
        ("SkillsTraining", "amount") => "currency/employee",
        (_, "display_points" | "points") => "points",
        (_, "percent" | "headcount_percent" | "tools_percent" | "training_percent") => "%",
        (_, "extra_employees") => "employees/site",
        (_, "extra_customers_per_week") => "customers/site/week",
        _ => return None,
    })
}

/// The unit of the parameter at `path`, from the scenario reference (`currency/hour` for
/// `employees.wage_per_hour`); `None` for dimensionless parameters and for paths the reference
/// does not describe (a lever's parameters).
pub fn unit(path: &str) -> Option<String> {
    // The reference writes list items as `[]` and ranges as one field.
    let mut general = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                general.push_str("[]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            c => general.push(c),
        }
    }
    let range = general
        .strip_suffix(".min")
        .or_else(|| general.strip_suffix(".max"));
    if let Some((lever, parameter)) = leaf_name(path).split_once('.') {
        return lever_unit(lever, parameter).map(str::to_string);
    }
    let docs = Scenario::reference();
    let found = docs
        .iter()
        .find(|d| d.path == general)
        .or_else(|| range.and_then(|r| docs.iter().find(|d| d.path == r)))?;
    (found.unit != "-").then(|| found.unit.clone())
}

/// Numeric leaves of a JSON tree, as dotted paths with `[i]` for list items.
fn collect_numeric(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Number(_) => out.push(prefix.to_string()),
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_numeric(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                collect_numeric(x, &format!("{prefix}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// One step of a path.
enum Step {
    Key(String),
    Index(usize),
}

/// The steps of a path: keys and list indices (None if it is not a well-formed path).
fn steps(path: &str) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if key.is_empty() && rest.is_empty() {
            return None;
        }
        if !key.is_empty() {
            // List items are `[i]`, never `.i`: one spelling per path.
            if key.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            out.push(Step::Key(key.to_string()));
        }
        let mut rest = rest;
        while !rest.is_empty() {
            let (idx, after) = rest.split_once(']')?;
            out.push(Step::Index(idx.parse().ok()?));
            rest = after.strip_prefix('[').unwrap_or(after);
            if !after.is_empty() && !after.starts_with('[') {
                return None;
            }
        }
    }
    Some(out)
}

/// The JSON pointer of a dotted path (`a.b[2].c` is `/a/b/2/c`).
fn pointer(path: &str) -> Option<String> {
    Some(
        steps(path)?
            .into_iter()
            .map(|s| match s {
                Step::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
                Step::Index(i) => format!("/{i}"),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_and_set_by_path() {
        let s = Scenario::built_in();
        let paths = numeric_paths(&s);
        assert!(paths.iter().any(|p| p == "employees.wage_per_hour"));
        assert!(paths.iter().any(|p| p == "sites.manager_quality.min"));
        assert!(
            paths
                .iter()
                .any(|p| p.starts_with("arms[2].interventions[0].lever."))
        );
        let t = set(&s, "employees.wage_per_hour", 23.5).unwrap();
        assert_eq!(t.employees.wage_per_hour, 23.5);
        assert_eq!(get(&t, "employees.wage_per_hour"), Ok(23.5));
        // Whole-number fields take the value rounded.
        let t = set(&s, "sites.count", 3.4).unwrap();
        assert_eq!(t.sites.count, 3);
    }

    #[test]
    fn a_misspelt_path_gets_the_closest_valid_ones() {
        let s = Scenario::built_in();
        let e = set(&s, "employees.wage_per_hours", 1.0).unwrap_err();
        let PathError::Unknown { closest, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(closest[0], "employees.wage_per_hour");
        assert!(e.to_string().starts_with(
            "`employees.wage_per_hours`: no numeric parameter at this path; the closest valid paths are `employees.wage_per_hour`"
        ));
        // Not a number, malformed, or out of the list: unknown too.
        for bad in [
            "name",
            "a..b",
            "arms[9].name",
            "arms[x]",
            "employees",
            "arms.2.interventions.0.lever.Tooling.amount",
        ] {
            assert!(
                matches!(get(&s, bad), Err(PathError::Unknown { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_value_the_field_cannot_hold_is_refused() {
        let e = set(&Scenario::built_in(), "sites.count", -2.0).unwrap_err();
        assert!(
            matches!(&e, PathError::DoesNotFit { path, .. } if path == "sites.count"),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("`sites.count`: the value -2 does not fit")
        );
    }

    #[test]
    fn units_and_leaf_names_come_from_the_reference() {
        assert_eq!(
            unit("employees.wage_per_hour").as_deref(),
            Some("currency/hour")
        );
        assert_eq!(
            unit("sites.manager_quality.max").as_deref(),
            Some("score 0-100")
        );
        assert_eq!(unit("demand.shocks[0].weeks").as_deref(), Some("weeks"));
        assert_eq!(unit("isq.weight_tools"), None);
        assert_eq!(
            unit("arms[2].interventions[0].lever.Tooling.amount").as_deref(),
            Some("currency/site")
        );
        assert_eq!(
            leaf_name("arms[2].interventions[0].lever.Tooling.amount"),
            "Tooling.amount"
        );
        assert_eq!(leaf_name("employees.wage_per_hour"), "wage_per_hour");
        assert_eq!(leaf_name("weeks"), "weeks");
    }
}
