//! `oneOf` means "exactly one branch matches": branches that can both match the same value make
//! valid data invalid under every strict validator (an open enum written as
//! `oneOf: [KnownX, string]` rejects every known value). This finds such overlaps.

use crate::specs::resolve;
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What values a branch admits, coarsely: JSON types, an optional enum, and the single-valued
/// required properties that tell object branches apart (a discriminator in all but name).
#[derive(Debug, Default)]
struct Shape {
    /// JSON types; `"any"` when unconstrained. `integer` is a subset of `number`.
    types: BTreeSet<&'static str>,
    /// The only values admitted, when the branch is an enum.
    values: Option<Vec<serde_json::Value>>,
    /// Required properties fixed to one value.
    tags: BTreeMap<String, serde_json::Value>,
}

/// Pairs of branch indexes of `one_of` (a `oneOf` list) that can match the same value.
pub fn overlapping_branches(spec: &Value, one_of: &[Value]) -> Vec<(usize, usize)> {
    let shapes: Vec<Shape> = one_of.iter().map(|b| shape(spec, b, 0)).collect();
    let mut pairs = Vec::new();
    for i in 0..shapes.len() {
        for j in i + 1..shapes.len() {
            if overlap(&shapes[i], &shapes[j]) {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

fn shape(spec: &Value, schema: &Value, depth: usize) -> Shape {
    let schema = resolve(spec, schema);
    if depth > 8 {
        return any();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema[key].as_sequence() {
            let parts: Vec<Shape> = branches.iter().map(|b| shape(spec, b, depth + 1)).collect();
            return union(parts);
        }
    }
    if let Some(members) = schema["allOf"].as_sequence() {
        let parts: Vec<Shape> = members.iter().map(|m| shape(spec, m, depth + 1)).collect();
        return intersection(parts);
    }
    let mut out = Shape::default();
    match json_type(schema["type"].as_str()) {
        Some(t) => {
            out.types.insert(t);
        }
        None if schema["properties"].is_mapping() => {
            out.types.insert("object");
        }
        None => {
            out.types.insert("any");
        }
    }
    if schema["nullable"].as_bool() == Some(true) {
        out.types.insert("null");
    }
    if let Some(values) = schema["enum"].as_sequence() {
        out.values = Some(values.iter().map(to_json).collect());
    }
    let required: BTreeSet<&str> = schema["required"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, property) in schema["properties"].as_mapping().into_iter().flatten() {
        let Some(name) = name.as_str() else { continue };
        let property = resolve(spec, property);
        if let Some([only]) = property["enum"].as_sequence().map(Vec::as_slice) {
            if required.contains(name) {
                out.tags.insert(name.to_owned(), to_json(only));
            }
        }
    }
    out
}

fn any() -> Shape {
    Shape {
        types: BTreeSet::from(["any"]),
        ..Shape::default()
    }
}

fn union(parts: Vec<Shape>) -> Shape {
    let mut out = Shape::default();
    let all_enums = parts.iter().all(|p| p.values.is_some());
    for part in parts {
        out.types.extend(part.types);
        if all_enums {
            out.values
                .get_or_insert_with(Vec::new)
                .extend(part.values.unwrap_or_default());
        }
    }
    out
}

fn intersection(parts: Vec<Shape>) -> Shape {
    let mut out = any();
    for part in parts {
        if !part.types.contains("any") {
            out.types = if out.types.contains("any") {
                part.types
            } else {
                out.types.intersection(&part.types).copied().collect()
            };
        }
        out.values = out.values.or(part.values);
        out.tags.extend(part.tags);
    }
    out
}

fn overlap(a: &Shape, b: &Shape) -> bool {
    match (&a.values, &b.values) {
        (Some(x), Some(y)) => x.iter().any(|v| y.contains(v)),
        (Some(x), None) => x.iter().any(|v| admits_type(b, v)),
        (None, Some(y)) => y.iter().any(|v| admits_type(a, v)),
        (None, None) => {
            let types_meet = a
                .types
                .iter()
                .any(|t| b.types.iter().any(|u| types_overlap(t, u)));
            let told_apart = a
                .tags
                .iter()
                .any(|(k, v)| b.tags.get(k).is_some_and(|w| w != v));
            types_meet && !told_apart
        }
    }
}

fn admits_type(shape: &Shape, value: &serde_json::Value) -> bool {
    let t = value_type(value);
    shape.types.iter().any(|u| types_overlap(t, u))
}

fn types_overlap(a: &str, b: &str) -> bool {
    a == b
        || a == "any"
        || b == "any"
        || matches!((a, b), ("integer", "number") | ("number", "integer"))
}

fn json_type(t: Option<&str>) -> Option<&'static str> {
    Some(match t? {
        "string" => "string",
        "number" => "number",
        "integer" => "integer",
        "boolean" => "boolean",
        "array" => "array",
        "object" => "object",
        _ => return None,
    })
}

fn value_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_f64() => "number",
        serde_json::Value::Number(_) => "integer",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn to_json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
