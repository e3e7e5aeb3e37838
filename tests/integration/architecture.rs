//! The dependency rules of `src/lib.rs`'s drawing, checked on the code: a forbidden
//! `crate::...` import anywhere under a module fails here, naming the file and the line.
//!
//! ```text
//!  cli ─> sweep, validate, explain ─> runner ─> model ─> engine
//!   │                                   │         └────> scenario, ledger
//!   └──> report ─> {runner, sweep, validate, explain} (reads results only)
//!  everyone may use: stats, scenario, ledger, files, suggest
//! ```

use std::path::{Path, PathBuf};

use crate::common::root;

/// (module, the top-level modules it must never import). A module is a file or a folder of
/// `src/`; the binary's `cli/` is outside the library and may use anything.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "engine",
        &[
            "model", "scenario", "runner", "stats", "report", "sweep", "validate", "explain",
            "ledger",
        ],
    ),
    (
        "stats",
        &[
            "model", "scenario", "runner", "report", "sweep", "validate", "explain", "ledger",
        ],
    ),
    (
        "files",
        &[
            "engine", "model", "scenario", "runner", "stats", "report", "sweep", "validate",
            "explain", "ledger",
        ],
    ),
    (
        "suggest",
        &[
            "engine", "model", "scenario", "runner", "stats", "report", "sweep", "validate",
            "explain", "ledger",
        ],
    ),
    (
        "ledger",
        &[
            "model", "scenario", "runner", "stats", "report", "sweep", "validate", "explain",
        ],
    ),
    (
        "scenario",
        &["model", "runner", "report", "sweep", "validate", "explain"],
    ),
    (
        "model",
        &["runner", "stats", "report", "sweep", "validate", "explain"],
    ),
    ("runner", &["report", "sweep", "validate", "explain"]),
    ("sweep", &["report", "validate", "explain"]),
    ("validate", &["report", "sweep", "explain"]),
    ("explain", &["report", "sweep", "validate"]),
];

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a line names through `crate::` (`crate::a::b`, `crate::{a, b::c}`).
fn crate_imports(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names in the braces: split at commas outside nested braces.
            let mut depth = 0;
            let mut name = String::new();
            let mut names = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => names.push(std::mem::take(&mut name)),
                    _ => name.push(c),
                }
            }
            names.push(name);
            found.extend(names.iter().map(|n| top_name(n)).filter(|n| !n.is_empty()));
        } else {
            found.push(top_name(rest));
        }
    }
    found
}

fn top_name(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level module a file of `src/` belongs to (`src/model/site/mod.rs` is `model`).
fn module_of(file: &Path, src: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn no_module_imports_what_the_drawing_forbids() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    for file in &files {
        let module = module_of(file, &src);
        let Some((_, never)) = FORBIDDEN.iter().find(|(m, _)| *m == module) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in crate_imports(code) {
                if never.contains(&name.as_str()) {
                    broken.push(format!(
                        "{}:{}: {module} must not use crate::{name}: {}",
                        file.strip_prefix(root()).unwrap().display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} forbidden import(s):\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn the_import_reader_finds_single_and_grouped_paths() {
    assert_eq!(crate_imports("use crate::report::format;"), ["report"]);
    assert_eq!(
        crate_imports("use crate::{model::Metric, report, stats::{a, b}};"),
        ["model", "report", "stats"]
    );
    assert_eq!(
        crate_imports("let x = crate::runner::pool(1); crate::files::read_text(p)"),
        ["runner", "files"]
    );
    assert!(crate_imports("use super::x;").is_empty());
}

#[test]
fn no_source_file_is_a_room_too_big_to_live_in() {
    // Files that are tables (one row per item) may grow; everything else stays under ~600 lines.
    const TABLES: &[&str] = &["src/scenario/sections.rs"];
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let too_big: Vec<String> = files
        .iter()
        .filter(|f| !TABLES.iter().any(|t| root().join(t) == **f))
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > 640).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(too_big.is_empty(), "{}", too_big.join("\n"));
}
