//! The scenario's assumptions as a table: every parameter that differs from the built-in
//! defaults, with its documented unit and meaning and the comment the scenario file gives it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::report::format::escape_html as esc;
use crate::scenario::Scenario;

/// Every leaf of a JSON value, with its dotted path (`a.b[2].c`).
fn leaves(v: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(x, &p, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, &format!("{path}[{i}]"), out);
            }
        }
        other => {
            out.insert(path.to_string(), other.clone());
        }
    }
}

/// Comments in scenario text by the dotted path of the field they sit beside (a comment at
/// the end of a line, or comment lines just above a field). List elements read `[]`.
pub fn field_comments(text: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    // (name, is_list)
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut pending: Option<String> = None;
    let mut above: Vec<String> = Vec::new();
    for line in text.lines() {
        let (code, comment) = split_comment(line);
        if code.trim().is_empty() {
            match comment {
                Some(c) => above.push(c),
                None => above.clear(),
            }
            continue;
        }
        let mut keys_here = Vec::new();
        let chars: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '"' {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
            } else if c.is_alphabetic() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let ident: String = chars[start..i].iter().collect();
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ':' && chars.get(j + 1) != Some(&':') {
                    let path = join_path(&stack, &ident);
                    keys_here.push(path);
                    pending = Some(ident);
                    i = j;
                }
                continue;
            } else if c == '(' || c == '[' {
                let in_list = stack.last().is_some_and(|(_, l)| *l);
                let name = match pending.take() {
                    Some(k) => k,
                    None if in_list && c == '(' => "[]".to_string(),
                    None => String::new(),
                };
                stack.push((name, c == '['));
            } else if c == ')' || c == ']' {
                stack.pop();
                pending = None;
            } else if c == ',' {
                pending = None;
            }
            i += 1;
        }
        let mut note: Vec<String> = std::mem::take(&mut above);
        note.extend(comment);
        let note = note.join(" ");
        if !note.is_empty() {
            for k in keys_here {
                out.entry(k).or_insert_with(|| note.clone());
            }
        }
    }
    out
}

fn join_path(stack: &[(String, bool)], leaf: &str) -> String {
    let mut p = String::new();
    for (name, _) in stack
        .iter()
        .chain(std::iter::once(&(leaf.to_string(), false)))
    {
        if name.is_empty() {
            continue;
        }
        if name == "[]" {
            p.push_str("[]");
        } else {
            if !p.is_empty() {
                p.push('.');
            }
            p.push_str(name);
        }
    }
    p
}

/// A line's code and its `//` comment, if any (not inside a string).
fn split_comment(line: &str) -> (&str, Option<String>) {
    let mut in_string = false;
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && b.get(i + 1) == Some(&b'/') => {
                return (&line[..i], Some(line[i + 2..].trim().to_string()));
            }
            _ => {}
        }
        i += 1;
    }
    (line, None)
}

fn without_indices(path: &str) -> String {
    let mut o = String::new();
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                o.push_str("[]");
            }
            ']' => skipping = false,
            _ if skipping => {}
            _ => o.push(c),
        }
    }
    o
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}

/// The table of every parameter that differs from the built-in defaults, with its unit,
/// meaning and the scenario file's own comment beside it.
pub(super) fn assumptions(out: &mut String, scenario: &Scenario, text: Option<&str>) {
    let (Ok(scenario), Ok(default)) = (
        serde_json::to_value(scenario),
        serde_json::to_value(Scenario::default()),
    ) else {
        return;
    };
    let scenario = &scenario;
    let (mut now, mut was) = (BTreeMap::new(), BTreeMap::new());
    leaves(scenario, "", &mut now);
    leaves(&default, "", &mut was);
    let docs: BTreeMap<String, (String, String)> = Scenario::reference()
        .into_iter()
        .map(|d| (d.path, (d.unit, d.meaning)))
        .collect();
    let comments = text.map(field_comments).unwrap_or_default();
    let shown_elsewhere = [
        "name",
        "description",
        "seed",
        "weeks",
        "replications",
        "baseline_arm",
    ];
    let mut rows = String::new();
    let mut count = 0;
    for (path, v) in &now {
        if path.starts_with("arms") || shown_elsewhere.contains(&path.as_str()) {
            continue;
        }
        let default_value = was.get(path);
        if default_value == Some(v) {
            continue;
        }
        count += 1;
        let generic = without_indices(path);
        // A range's ends are documented under the range itself.
        let parent = generic
            .rsplit_once('.')
            .map_or(String::new(), |(p, _)| p.to_string());
        let (unit, meaning) = docs
            .get(&generic)
            .or_else(|| docs.get(&parent))
            .cloned()
            .unwrap_or_default();
        let source = comments
            .get(&generic)
            .or_else(|| comments.get(&parent))
            .cloned()
            .unwrap_or_default();
        let _ = writeln!(
            rows,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(path),
            esc(&value_text(v)),
            esc(&default_value.map_or("(none)".to_string(), value_text)),
            esc(&unit),
            esc(&meaning),
            esc(&source),
        );
    }
    out.push_str("<h2 id=\"assumptions\">Assumptions that differ from the defaults</h2>\n");
    if count == 0 {
        out.push_str("<p>None: every parameter is the built-in default (a mid-sized retail bank; sources in docs/SCENARIO.md).</p>\n");
        return;
    }
    let _ = write!(
        out,
        "<p>{count} parameter(s) differ from the built-in defaults (a mid-sized retail bank; docs/SCENARIO.md gives every default and its source). The last column is the scenario file's own comment.</p>\n<table><thead><tr><th>parameter</th><th class=\"num\">value</th><th class=\"num\">default</th><th>unit</th><th>meaning</th><th>source / comment in the scenario</th></tr></thead><tbody>\n{rows}</tbody></table>\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_by_path() {
        let text = r#"// The scenario.
(
    name: "x",
    sites: (
        count: 6,
        manager_quality: (min: 25.0, max: 55.0), // weaker managers
    ),
    isq: (
        // Low stocks hold
        // where they are.
        tools_capex_per_site_per_week: 220.0,
        skills_initial: 30.0,
    ),
    employees: (wage_per_hour: 19.0), // under the market "wage // of" 20
    demand: (shocks: [(start_week: 3, magnitude: 0.5), // a storm
    ]),
)"#;
        let c = field_comments(text);
        assert_eq!(c["sites.manager_quality"], "weaker managers");
        assert_eq!(c["sites.manager_quality.min"], "weaker managers");
        assert_eq!(
            c["isq.tools_capex_per_site_per_week"],
            "Low stocks hold where they are."
        );
        assert!(!c.contains_key("isq.skills_initial"));
        assert!(!c.contains_key("sites.count"));
        assert_eq!(
            c["employees.wage_per_hour"],
            "under the market \"wage // of\" 20"
        );
        assert_eq!(c["demand.shocks[].magnitude"], "a storm");
        // A comment above the opening parenthesis belongs to no field.
        assert!(!c.contains_key("name"));
    }

    #[test]
    fn index_paths_lose_their_indices() {
        assert_eq!(
            without_indices("demand.shocks[12].magnitude"),
            "demand.shocks[].magnitude"
        );
    }
}
