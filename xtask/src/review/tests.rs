//! The review on a fixture pair covering every rule, snapshotted, and the three edits the
//! issue names.

use super::diff::Class;
use super::*;

fn parse(text: &str) -> serde_yaml::Value {
    crate::specs::parse_raw(text).unwrap()
}

fn report(before: &str, after: &str) -> SpecReport {
    SpecReport {
        spec: "fixture.yaml".into(),
        krate: "fixture-api".into(),
        new: false,
        changes: compare(&parse(before), &parse(after)),
        version_before: Version::parse("0.1.0"),
        version_after: Version::parse("0.1.0"),
        rust: None,
    }
}

#[test]
fn every_rule_on_the_fixture_pair() {
    let r = report(
        include_str!("../../review/fixtures/before.yaml"),
        include_str!("../../review/fixtures/after.yaml"),
    );
    insta::assert_snapshot!("fixture_text", render("0123456789abcdef", &[r], false));
    let r = report(
        include_str!("../../review/fixtures/before.yaml"),
        include_str!("../../review/fixtures/after.yaml"),
    );
    insta::assert_snapshot!("fixture_markdown", render("0123456789abcdef", &[r], true));
}

/// Removing a response field, adding an optional one and making a parameter required: one
/// breaking, one compatible and one breaking entry, and a 0.x crate needs a minor bump.
#[test]
fn the_three_edits_of_the_issue() {
    let before = include_str!("../../review/fixtures/before.yaml");
    let after = before
        .replace("        note: {type: string}\n", "")
        .replace(
            "        created: {type: string, format: date-time}\n",
            "        created: {type: string, format: date-time}\n        rating: {type: integer}\n",
        )
        .replace(
            "{name: agent, in: query, required: false,",
            "{name: agent, in: query, required: true,",
        );
    let r = report(before, &after);
    let entries: Vec<(Class, &str)> = r
        .changes
        .iter()
        .map(|c| (c.class, c.what.as_str()))
        .collect();
    assert_eq!(
        entries,
        [
            (Class::Breaking, "query parameter `agent` made required"),
            (Class::Breaking, "response 200: data[].note removed"),
            (
                Class::Compatible,
                "response 200: data[].rating added, optional"
            ),
        ]
    );
    assert_eq!(r.bump(), Bump::Breaking);
    assert_eq!(
        r.missing_bump().as_deref(),
        Some("fixture-api has breaking changes: version 0.1.0 needs to be at least 0.2.0")
    );
    let bumped = SpecReport {
        version_after: Version::parse("0.2.0"),
        ..r
    };
    assert_eq!(bumped.missing_bump(), None);
}

#[test]
fn versions_bump_as_cargo_reads_them() {
    let v = |s| Version::parse(s).unwrap();
    assert_eq!(v("0.1.3").bumped(Bump::Breaking), v("0.2.0"));
    assert_eq!(v("0.1.3").bumped(Bump::Compatible), v("0.1.4"));
    assert_eq!(v("1.4.2").bumped(Bump::Breaking), v("2.0.0"));
    assert_eq!(v("1.4.2").bumped(Bump::Compatible), v("1.5.0"));
}

#[test]
fn an_unchanged_spec_has_no_change() {
    let spec = include_str!("../../review/fixtures/before.yaml");
    assert!(report(spec, spec).changes.is_empty());
}

#[test]
fn the_manifest_version_is_read_from_its_section() {
    let manifest =
        "[package]\nname = \"x\"\nversion = \"0.3.1\"\n[dependencies]\nversion = \"9\"\n";
    assert_eq!(
        version_line(manifest, "[package]").as_deref(),
        Some("0.3.1")
    );
    assert_eq!(
        version_line("[package]\nversion.workspace = true\n", "[package]"),
        None
    );
}
