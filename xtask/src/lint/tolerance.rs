//! What a vendor sends is tolerated: every object reachable from a response (or from a callback
//! the vendor posts to us) keeps unknown fields, and every optional property accepts `null`.
//!
//! Real traffic sends `null` for fields the vendors' references never mark nullable, and fields
//! the references never name; a schema that rejects them rejects the vendor's own answers.

use super::schema_ref::{component_name, each_nested};
use crate::specs::resolve;
use cxkit_codegen::normalize;
use cxkit_codegen::openapi::METHODS;
use serde_yaml::Value;
use std::collections::{BTreeSet, VecDeque};

/// Every tolerance rule broken by a schema the vendor sends.
pub fn check(spec: &Value, problems: &mut Vec<String>) {
    let roots = vendor_sent_roots(spec);
    let mut components = BTreeSet::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    for (at, schema) in &roots {
        check_schema(spec, schema, at, problems);
        each_nested(schema, &mut |s| queue.extend(component_name(s)));
    }
    while let Some(name) = queue.pop_front() {
        if !components.insert(name) {
            continue;
        }
        let schema = &spec["components"]["schemas"][name];
        check_schema(
            spec,
            schema,
            &format!("components.schemas.{name}"),
            problems,
        );
        each_nested(schema, &mut |s| queue.extend(component_name(s)));
    }
}

/// `(where, schema)` for every response body and every callback request body.
fn vendor_sent_roots(spec: &Value) -> Vec<(String, &Value)> {
    let mut roots = Vec::new();
    for (path, item) in mapping(&spec["paths"]) {
        for method in &METHODS {
            let op = &item[*method];
            let at = format!("{} {path}", method.to_uppercase());
            for (code, response) in mapping(&op["responses"]) {
                for (media, content) in mapping(&response["content"]) {
                    roots.push((format!("{at} {code} {media}"), &content["schema"]));
                }
            }
            for (name, callback) in mapping(&op["callbacks"]) {
                for (_, callback_item) in mapping(callback) {
                    for callback_method in &METHODS {
                        let body = &callback_item[*callback_method]["requestBody"]["content"];
                        for (media, content) in mapping(body) {
                            roots.push((
                                format!("{at} callback {name} {media}"),
                                &content["schema"],
                            ));
                        }
                    }
                }
            }
        }
    }
    for (name, response) in mapping(&spec["components"]["responses"]) {
        for (media, content) in mapping(&response["content"]) {
            roots.push((
                format!("components.responses.{name} {media}"),
                &content["schema"],
            ));
        }
    }
    roots.retain(|(_, schema)| schema.is_mapping());
    roots
}

fn check_schema(spec: &Value, schema: &Value, at: &str, problems: &mut Vec<String>) {
    each_nested(schema, &mut |s| {
        if !is_object(s) {
            return;
        }
        let name = s["title"]
            .as_str()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        if !s["additionalProperties"].is_mapping() {
            problems.push(format!(
                "{at}{name}: a vendor-sent object must keep unknown fields (`additionalProperties: {{}}`)"
            ));
        }
        let required: BTreeSet<&str> = s["required"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (property, p) in mapping(&s["properties"]) {
            if !required.contains(property.as_str()) && !accepts_null(spec, p) {
                problems.push(format!(
                    "{at}.{property}: an optional vendor-sent property must accept null \
                     (`nullable: true`, or `oneOf: [$ref, {{nullable: true, enum: [null]}}]`)"
                ));
            }
        }
    });
}

/// An object schema written here (not a reference, not the null-only branch).
fn is_object(s: &Value) -> bool {
    s.get("$ref").is_none()
        && !normalize::is_null_only(&to_json(s))
        && (s["type"].as_str() == Some("object") || s["properties"].is_mapping())
}

/// Whether `null` is a valid value of `schema`.
pub fn accepts_null(spec: &Value, schema: &Value) -> bool {
    let schema = resolve(spec, schema);
    if schema["nullable"].as_bool() == Some(true) {
        return true;
    }
    let branches: Vec<&Value> = ["oneOf", "anyOf"]
        .iter()
        .flat_map(|k| schema[*k].as_sequence().into_iter().flatten())
        .collect();
    if !branches.is_empty() {
        return branches.iter().any(|b| accepts_null(spec, b));
    }
    // No type and no constraint: any JSON value, null included.
    ["type", "allOf", "enum", "properties", "items"]
        .iter()
        .all(|k| schema.get(*k).is_none())
}

fn to_json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn mapping(value: &Value) -> impl Iterator<Item = (String, &Value)> {
    value.as_mapping().into_iter().flatten().map(|(k, v)| {
        (
            k.as_str().map_or_else(|| format!("{k:?}"), str::to_owned),
            v,
        )
    })
}
