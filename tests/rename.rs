//! What renaming one list parameter in a spec changes in the generated client: the setter of
//! that operation's builder and that operation's `wire` constant, and nothing of the other
//! operations that share the parameter. Every layer that sends the parameter calls the one or
//! names the other, so it stops compiling (ARCHITECTURE.md, "Where wire facts come from",
//! lists the places, checked by building the workspace with each rename).

use std::path::Path;

/// `spec` with the parameter `$ref` or inline `- name:` at the first `marker` after `anchor`
/// replaced by an inline query parameter named `new_name`.
fn renamed(vendor: &str, anchor: &str, marker: &str, new_name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../specs/{vendor}.yaml"));
    let spec = std::fs::read_to_string(path).unwrap();
    let at = spec
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} in {vendor}.yaml"));
    let start = at + spec[at..].find(marker).unwrap();
    let end = start + spec[start..].find('\n').unwrap() + 1;
    let indent = &marker[..marker.find('-').unwrap()];
    let inline = format!(
        "{indent}- name: {new_name}\n{indent}  in: query\n{indent}  required: false\n\
         {indent}  schema:\n{indent}    type: string\n"
    );
    let mut out = spec[..start].to_owned();
    out.push_str(&inline);
    // An inline parameter's own lines (after its `- name:`) go with it.
    let mut rest = &spec[end..];
    if marker.trim_start().starts_with("- name:") {
        let own = format!("{indent}  ");
        while rest.starts_with(&own) {
            rest = &rest[rest.find('\n').unwrap() + 1..];
        }
    }
    out.push_str(rest);
    out
}

fn client(spec: &str) -> String {
    let spec = cxkit_codegen::parse_spec(spec).unwrap();
    cxkit_codegen::render_client(&spec).unwrap()
}

/// The generated text of builder `name` (its struct and impl).
fn builder<'a>(source: &'a str, name: &str) -> &'a str {
    let start = source
        .find(&format!("pub struct {name}<'a>"))
        .unwrap_or_else(|| panic!("builder {name}"));
    let rest = &source[start + 1..];
    let end = rest
        .find("pub struct ")
        .map_or(source.len(), |e| start + 1 + e);
    &source[start..end]
}

/// The query constants of operation `op` in the `wire` module.
fn wire_query<'a>(source: &'a str, op: &str) -> &'a str {
    let start = source
        .find(&format!("pub mod {op} {{"))
        .unwrap_or_else(|| panic!("wire::{op}"));
    let rest = &source[start..];
    let query = rest.find("pub mod query {").unwrap();
    let end = rest[query..].find("\n        }").unwrap();
    &rest[query..query + end]
}

struct Rename {
    vendor: &'static str,
    anchor: &'static str,
    marker: &'static str,
    renamed_op: (&'static str, &'static str),
    sharing_op: (&'static str, &'static str),
    old: (&'static str, &'static str),
    new: (&'static str, &'static str),
}

#[test]
fn a_renamed_parameter_changes_its_own_operation_s_setter_and_constant_only() {
    let drills = [
        Rename {
            vendor: "zchat",
            anchor: "  /history/expanded:",
            marker: "        - $ref: '#/components/parameters/From'",
            renamed_op: ("ListHistoryExpanded", "list_history_expanded"),
            sharing_op: ("ListHistory", "list_history"),
            old: ("pub fn from<", "pub const FROM: &str"),
            new: ("pub fn from_time<", "pub const FROM_TIME: &str"),
        },
        Rename {
            vendor: "converz",
            anchor: "operationId: list_calls",
            marker: "        - $ref: '#/components/parameters/NPerPage'",
            renamed_op: ("ListCalls", "list_calls"),
            sharing_op: ("ListReps", "list_reps"),
            old: ("pub fn n_per_page<", "pub const N_PER_PAGE: &str"),
            new: ("pub fn rows_per_page<", "pub const ROWS_PER_PAGE: &str"),
        },
        Rename {
            vendor: "conversion",
            anchor: "operationId: list_prospects",
            marker: "        - name: createdAfter",
            renamed_op: ("ListProspects", "list_prospects"),
            sharing_op: ("ListInteractions", "list_interactions"),
            old: ("pub fn created_after<", "pub const CREATED_AFTER: &str"),
            new: ("pub fn created_since<", "pub const CREATED_SINCE: &str"),
        },
    ];
    for d in drills {
        let name = d.new.0.trim_start_matches("pub fn ").trim_end_matches('<');
        let source = client(&renamed(d.vendor, d.anchor, d.marker, name));
        let builders = [d.renamed_op.0, d.sharing_op.0].map(|op| builder(&source, op));
        only_renamed(
            d.vendor,
            builders,
            [d.renamed_op.0, d.sharing_op.0],
            d.old.0,
            d.new.0,
        );
        let wire = [d.renamed_op.1, d.sharing_op.1].map(|op| wire_query(&source, op));
        only_renamed(
            d.vendor,
            wire,
            [d.renamed_op.1, d.sharing_op.1],
            d.old.1,
            d.new.1,
        );
    }
}

/// The renamed operation's text (`texts[0]`) has `new` and not `old`; the operation sharing the
/// parameter (`texts[1]`) still has `old`.
fn only_renamed(vendor: &str, texts: [&str; 2], ops: [&str; 2], old: &str, new: &str) {
    assert!(!texts[0].contains(old), "{vendor}: {} kept {old}", ops[0]);
    assert!(texts[0].contains(new), "{vendor}: {} lacks {new}", ops[0]);
    assert!(texts[1].contains(old), "{vendor}: {} lost {old}", ops[1]);
}
