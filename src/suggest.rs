//! Did-you-mean: the closest of some valid names to a misspelt one, for every error message
//! that refuses a name (a scenario path, an arm, an experiment, a file).

/// Levenshtein distance between `a` and `b`, in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidates nearest to `word`, nearest first (ties in the candidates' order), at most
/// `most` of them.
pub fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    most: usize,
) -> Vec<&'a str> {
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| (distance(word, c), i, c))
        .collect();
    scored.sort();
    scored.into_iter().take(most).map(|(_, _, c)| c).collect()
}

/// The candidate close enough to `word` to be what was meant: within a third of its length in
/// edits (at least one), the nearest such. None when nothing is that close.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(
            did_you_mean("toolng", ["tooling", "skills"]),
            Some("tooling")
        );
        assert_eq!(did_you_mean("xyz", ["tooling", "skills"]), None);
        assert_eq!(nearest("abd", ["abc", "xyz", "abd"], 2), vec!["abd", "abc"]);
    }
}
