//! From the published spec to what progenitor can generate.
//!
//! The specs are written for every OpenAPI 3.0 tool (strict validators, `redocly lint`, other
//! generators), so they use the forms that are valid JSON Schema. A few of those forms make
//! progenitor produce poor Rust types; this pass rewrites them, in one place, into equivalent
//! forms progenitor handles well. It never changes what a valid body is.
//!
//! | published (valid for every tool) | rewritten to | Rust |
//! |---|---|---|
//! | open enum `anyOf: [{$ref: KnownX}, {type: string}]` | `oneOf` of the same branches | `enum X { KnownX(KnownX), String(String) }` |
//! | nullable reference `oneOf: [{$ref: X}, {nullable: true, enum: [null]}]` | `allOf: [{$ref: X}]` + `nullable: true` | `Option<X>` |
//!
//! `anyOf` is right for an open enum because a known value matches both branches (a `oneOf`
//! would reject it); progenitor, given `anyOf` with overlapping branches, would emit a struct of
//! optional flattened fields. Serde tries untagged variants in order, so a known value still
//! lands in `KnownX`. OpenAPI 3.0 has no `type: "null"`, and `nullable` beside `allOf` has no
//! effect in 3.0.3, so a nullable reference is published as a `oneOf` with a null-only branch.

use serde_json::{Map, Value};

/// Rewrites every published form in `document` (an OpenAPI document as JSON) into the form
/// progenitor generates well. Examples are left untouched.
pub fn for_generation(document: &mut Value) {
    walk(document);
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            rewrite(map);
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    walk(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

fn rewrite(schema: &mut Map<String, Value>) {
    if is_open_enum(schema.get("anyOf")) {
        if let Some(branches) = schema.remove("anyOf") {
            schema.insert("oneOf".into(), branches);
        }
    }
    if let Some(other) = nullable_branch_pair(schema.get("oneOf")) {
        schema.remove("oneOf");
        schema.insert("allOf".into(), Value::Array(vec![other]));
        schema.insert("nullable".into(), Value::Bool(true));
    }
}

/// `[{$ref: …}, {type: string}]`: a reference (the known values) and a plain string.
fn is_open_enum(branches: Option<&Value>) -> bool {
    let Some(Value::Array(branches)) = branches else {
        return false;
    };
    match branches.as_slice() {
        [known, other] => {
            known.get("$ref").is_some()
                && other.get("type").and_then(Value::as_str) == Some("string")
                && other
                    .as_object()
                    .is_some_and(|o| o.keys().all(|k| k == "type" || k == "description"))
        }
        _ => false,
    }
}

/// For `[X, null-only]` (either order), the non-null branch `X`.
fn nullable_branch_pair(branches: Option<&Value>) -> Option<Value> {
    let Some(Value::Array(branches)) = branches else {
        return None;
    };
    match branches.as_slice() {
        [a, b] if is_null_only(b) && !is_null_only(a) => Some(a.clone()),
        [a, b] if is_null_only(a) && !is_null_only(b) => Some(b.clone()),
        _ => None,
    }
}

/// A schema whose only valid value is `null`: `{type: …, nullable: true, enum: [null]}`.
pub fn is_null_only(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        && schema.get("enum") == Some(&Value::Array(vec![Value::Null]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn open_enums_become_one_of_and_nullable_references_become_nullable_all_of() {
        let mut doc = json!({
            "components": {"schemas": {
                "Channel": {"anyOf": [{"$ref": "#/components/schemas/KnownChannel"}, {"type": "string"}]},
                "Row": {"type": "object", "properties": {
                    "media": {
                        "description": "the channel",
                        "oneOf": [
                            {"$ref": "#/components/schemas/Channel"},
                            {"type": "string", "nullable": true, "enum": [null]}
                        ]
                    },
                    "either": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                    "overlap": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
                }}
            }},
            "example": {"anyOf": [{"$ref": "#/x"}, {"type": "string"}]}
        });
        for_generation(&mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Channel"],
            json!({"oneOf": [{"$ref": "#/components/schemas/KnownChannel"}, {"type": "string"}]})
        );
        assert_eq!(
            schemas["Row"]["properties"]["media"],
            json!({
                "description": "the channel",
                "allOf": [{"$ref": "#/components/schemas/Channel"}],
                "nullable": true
            })
        );
        // Anything else is left as published.
        assert_eq!(
            schemas["Row"]["properties"]["either"]["oneOf"][1]["type"],
            "array"
        );
        assert!(schemas["Row"]["properties"]["overlap"]["anyOf"].is_array());
        assert!(doc["example"]["anyOf"].is_array(), "examples are data");
    }
}
