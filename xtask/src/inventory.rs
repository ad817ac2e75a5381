//! What a spec change adds or removes: operations, types, fields — against `HEAD`.

use crate::specs::{parse_raw, Spec};
use cxkit_codegen::openapi::METHODS;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The parts of a spec a reviewer cares about, as comparable lines.
#[derive(Default, PartialEq, Debug)]
pub struct Inventory {
    pub operations: BTreeSet<String>,
    pub types: BTreeSet<String>,
    pub fields: BTreeSet<String>,
}

impl Inventory {
    /// Reads operations (`GET /path (op_id)`), component schemas and their fields.
    pub fn of(raw: &Value) -> Self {
        let mut inv = Inventory::default();
        for (path, item) in raw["paths"].as_mapping().into_iter().flatten() {
            for method in &METHODS {
                if let Some(id) = item[*method]["operationId"].as_str() {
                    let path = path.as_str().unwrap_or("?");
                    inv.operations
                        .insert(format!("{} {path} ({id})", method.to_uppercase()));
                }
            }
        }
        for (name, schema) in raw["components"]["schemas"]
            .as_mapping()
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or("?");
            inv.types.insert(name.to_owned());
            collect_fields(name, schema, &mut inv.fields);
        }
        inv
    }
}

fn collect_fields(owner: &str, schema: &Value, fields: &mut BTreeSet<String>) {
    for (field, property) in schema["properties"].as_mapping().into_iter().flatten() {
        let field = field.as_str().unwrap_or("?");
        let kind = property["type"]
            .as_str()
            .or_else(|| property["$ref"].as_str().and_then(|r| r.rsplit('/').next()))
            .unwrap_or("any");
        fields.insert(format!("{owner}.{field}: {kind}"));
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in schema[key].as_sequence().into_iter().flatten() {
            collect_fields(owner, member, fields);
        }
    }
}

/// Lines `+ x` / `- x` for what `after` adds to or removes from `before`.
pub fn changes(before: &Inventory, after: &Inventory) -> Vec<String> {
    let mut out = Vec::new();
    for (label, b, a) in [
        ("operation", &before.operations, &after.operations),
        ("type", &before.types, &after.types),
        ("field", &before.fields, &after.fields),
    ] {
        out.extend(a.difference(b).map(|x| format!("+ {label} {x}")));
        out.extend(b.difference(a).map(|x| format!("- {label} {x}")));
    }
    out
}

/// Prints, per spec, what changed since the committed version.
pub fn print_summary(root: &Path, specs: &[Spec]) {
    for spec in specs {
        let after = Inventory::of(&spec.raw);
        let before = match committed(root, &spec.file_name) {
            Some(raw) => Inventory::of(&raw),
            None => {
                println!(
                    "   {}: new (not in HEAD): {} operations, {} types, {} fields",
                    spec.file_name,
                    after.operations.len(),
                    after.types.len(),
                    after.fields.len()
                );
                continue;
            }
        };
        let lines = changes(&before, &after);
        if lines.is_empty() {
            println!("   {}: no operation, type or field changed", spec.file_name);
        } else {
            println!("   {}:", spec.file_name);
            lines.iter().for_each(|l| println!("     {l}"));
        }
    }
}

fn committed(root: &Path, file_name: &str) -> Option<Value> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["show", &format!("HEAD:specs/{file_name}")])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    parse_raw(&String::from_utf8_lossy(&output.stdout)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_added_and_removed_items() {
        let before = parse_raw(
            "paths: {/a: {get: {operationId: get_a}}}\ncomponents: {schemas: {Row: {properties: {x: {type: string}, y: {type: integer}}}}}",
        )
        .unwrap();
        let after = parse_raw(
            "paths: {/a: {get: {operationId: get_a}}, /b: {post: {operationId: post_b}}}\ncomponents: {schemas: {Row: {properties: {x: {type: integer}}}, New: {allOf: [{properties: {z: {$ref: '#/components/schemas/Row'}}}]}}}",
        )
        .unwrap();
        let lines = changes(&Inventory::of(&before), &Inventory::of(&after));
        assert_eq!(
            lines,
            vec![
                "+ operation POST /b (post_b)",
                "+ type New",
                "+ field New.z: Row",
                "+ field Row.x: integer",
                "- field Row.x: string",
                "- field Row.y: integer",
            ]
        );
    }
}
