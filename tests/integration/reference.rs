//! docs/SCENARIO.md is the generated reference, kept in step with the code.

use chainsim::scenario::Scenario;

#[test]
fn scenario_reference_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCENARIO.md");
    let on_disk = std::fs::read_to_string(path).expect("docs/SCENARIO.md exists");
    assert!(
        on_disk == Scenario::reference_markdown(),
        "docs/SCENARIO.md is out of date: regenerate it with `cargo run --release -- reference > docs/SCENARIO.md`"
    );
}

#[test]
fn every_field_is_documented() {
    let docs = Scenario::reference();
    assert!(
        docs.len() > 150,
        "expected every parameter, found {}",
        docs.len()
    );
    for d in &docs {
        assert!(
            !d.meaning.is_empty() || d.path.ends_with("[]"),
            "{} has no meaning",
            d.path
        );
        assert!(!d.unit.is_empty(), "{} has no unit", d.path);
    }
    // Paths are unique.
    let mut paths: Vec<_> = docs.iter().map(|d| d.path.clone()).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), docs.len());
}
