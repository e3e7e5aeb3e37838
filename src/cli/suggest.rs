//! Did-you-mean for file names: a scenario or sweep file that does not exist gets the nearest
//! file of the same kind beside it, or among the shipped scenarios and lessons.

use std::path::{Path, PathBuf};

use chainsim::suggest::did_you_mean;

/// The `.ron` files in `dir`, sorted.
fn ron_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ron"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The existing file `path` most likely meant, if it does not exist itself.
pub(crate) fn meant(path: &Path) -> Option<PathBuf> {
    if path.exists() {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut candidates = ron_files(parent);
    for shipped in ["scenarios", "scenarios/lessons", "scenarios/sweeps"] {
        candidates.extend(ron_files(Path::new(shipped)));
    }
    let names: Vec<String> = candidates
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    let best = did_you_mean(name, names.iter().map(String::as_str))?;
    candidates
        .into_iter()
        .find(|p| p.file_name().and_then(|n| n.to_str()) == Some(best))
}

/// `message` with a did-you-mean for `path` appended when it names no file.
pub(crate) fn with_path_hint(message: String, path: &Path) -> String {
    match meant(path) {
        Some(p) => format!("{message} (did you mean {}?)", p.display()),
        None => message,
    }
}
