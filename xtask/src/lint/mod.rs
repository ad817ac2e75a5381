//! Project rules progenitor does not check (see `specs/README.md`): unique snake_case
//! `operationId`s; a description on every operation, parameter and schema property; nothing
//! beside a `$ref`; `oneOf` branches that never overlap; and tolerance of what vendors send
//! (unknown fields kept, optional fields nullable).
//!
//! Works on the raw YAML, because OpenAPI parsers drop what they do not model (a key beside a
//! `$ref`, for one), which is exactly what some rules look for.

mod one_of;
mod schema_ref;
mod tolerance;

use crate::specs::Spec;
use cxkit_codegen::openapi::METHODS;
use schema_ref::each_nested;
use serde_yaml::Value;
use std::collections::BTreeMap;

/// Every rule broken in `spec`, as readable lines.
pub fn lint(spec: &Spec) -> Vec<String> {
    let raw = &spec.raw;
    let mut problems = Vec::new();
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();

    for (path, item) in mapping(&raw["paths"]) {
        check_parameters(&item["parameters"], &path, &mut problems);
        for method in &METHODS {
            let op = &item[*method];
            if op.is_null() {
                continue;
            }
            let at = format!("{} {path}", method.to_uppercase());
            check_operation(raw, op, &at, &mut ids, &mut problems);
            for (name, callback) in mapping(&op["callbacks"]) {
                for (_, callback_item) in mapping(callback) {
                    for callback_method in &METHODS {
                        let callback_op = &callback_item[*callback_method];
                        if !callback_op.is_null() {
                            let at = format!("{at} callback {name}");
                            check_operation(raw, callback_op, &at, &mut ids, &mut problems);
                        }
                    }
                }
            }
        }
    }
    for (id, places) in ids.into_iter().filter(|(_, p)| p.len() > 1) {
        problems.push(format!(
            "operationId `{id}` is used by {}",
            places.join(", ")
        ));
    }

    let components = &raw["components"];
    for (name, param) in mapping(&components["parameters"]) {
        let at = format!("components.parameters.{name}");
        check_parameter(param, &at, &mut problems);
        check_schemas(raw, &param["schema"], &at, &mut problems);
    }
    for (name, schema) in mapping(&components["schemas"]) {
        check_schemas(
            raw,
            schema,
            &format!("components.schemas.{name}"),
            &mut problems,
        );
    }
    for section in ["responses", "requestBodies"] {
        for (name, value) in mapping(&components[section]) {
            find_schemas(
                raw,
                value,
                &format!("components.{section}.{name}"),
                &mut problems,
            );
        }
    }
    tolerance::check(raw, &mut problems);
    problems
}

fn check_operation(
    raw: &Value,
    op: &Value,
    at: &str,
    ids: &mut BTreeMap<String, Vec<String>>,
    problems: &mut Vec<String>,
) {
    match op["operationId"].as_str() {
        Some(id) if is_snake_case(id) => ids.entry(id.to_owned()).or_default().push(at.to_owned()),
        Some(id) => problems.push(format!("{at}: operationId `{id}` is not snake_case")),
        None => problems.push(format!("{at}: no operationId")),
    }
    if !has_text(&op["description"]) {
        problems.push(format!("{at}: no description"));
    }
    check_parameters(&op["parameters"], at, problems);
    for key in ["parameters", "requestBody", "responses"] {
        find_schemas(raw, &op[key], at, problems);
    }
}

fn check_parameters(list: &Value, at: &str, problems: &mut Vec<String>) {
    for param in list.as_sequence().into_iter().flatten() {
        let name = param["name"].as_str().unwrap_or("?");
        check_parameter(param, &format!("{at} parameter `{name}`"), problems);
    }
}

fn check_parameter(param: &Value, at: &str, problems: &mut Vec<String>) {
    if param.get("$ref").is_some() {
        check_no_ref_siblings(param, at, problems);
    } else if !has_text(&param["description"]) {
        problems.push(format!("{at}: no description"));
    }
}

fn check_no_ref_siblings(value: &Value, at: &str, problems: &mut Vec<String>) {
    if let Some(map) = value.as_mapping().filter(|m| m.contains_key("$ref")) {
        let siblings: Vec<&str> = map
            .keys()
            .filter_map(Value::as_str)
            .filter(|k| *k != "$ref")
            .collect();
        if !siblings.is_empty() {
            problems.push(format!(
                "{at}: `{}` beside `$ref` is ignored by OpenAPI 3.0 (wrap the reference in `allOf`)",
                siblings.join("`, `")
            ));
        }
    }
}

/// Finds schemas inside an operation part, response or request body (`schema` keys).
fn find_schemas(raw: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                match key.as_str().unwrap_or("") {
                    "schema" => check_schemas(raw, child, at, problems),
                    "example" | "examples" => {}
                    _ => find_schemas(raw, child, at, problems),
                }
            }
        }
        Value::Sequence(items) => items
            .iter()
            .for_each(|v| find_schemas(raw, v, at, problems)),
        _ => {}
    }
}

/// The per-schema rules, on `schema` and every schema nested in it.
fn check_schemas(raw: &Value, schema: &Value, at: &str, problems: &mut Vec<String>) {
    each_nested(schema, &mut |s| {
        check_no_ref_siblings(s, at, problems);
        for (name, property) in mapping(&s["properties"]) {
            if !has_text(&property["description"]) {
                problems.push(format!("{at}.{name}: property has no description"));
            }
        }
        if let Some(branches) = s["oneOf"].as_sequence() {
            for (i, j) in one_of::overlapping_branches(raw, branches) {
                problems.push(format!(
                    "{at}: oneOf branches {i} and {j} overlap (a value can match both, which \
                     oneOf forbids; use anyOf or make them disjoint)"
                ));
            }
        }
    });
}

fn mapping(value: &Value) -> impl Iterator<Item = (String, &Value)> {
    value
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str().unwrap_or("?").to_owned(), v))
}

fn has_text(value: &Value) -> bool {
    value.as_str().is_some_and(|s| !s.trim().is_empty())
}

fn is_snake_case(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests;
