//! Project rules progenitor does not check: unique snake_case `operationId`s and a
//! description on every operation, parameter and schema property.
//!
//! Works on the raw YAML because OpenAPI 3.0 parsers drop a `description` written beside a
//! `$ref`, which is where a property that reuses a component documents itself.

use crate::specs::Spec;
use serde_yaml::Value;
use std::collections::BTreeMap;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Every rule broken in `spec`, as readable lines.
pub fn lint(spec: &Spec) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();

    for (path, item) in mapping(&spec.raw["paths"]) {
        check_parameters(&item["parameters"], &path, &mut problems);
        for method in METHODS {
            let op = &item[*method];
            if op.is_null() {
                continue;
            }
            let at = format!("{} {path}", method.to_uppercase());
            match op["operationId"].as_str() {
                Some(id) if is_snake_case(id) => {
                    ids.entry(id.to_owned()).or_default().push(at.clone())
                }
                Some(id) => problems.push(format!("{at}: operationId `{id}` is not snake_case")),
                None => problems.push(format!("{at}: no operationId")),
            }
            if !has_text(&op["description"]) {
                problems.push(format!("{at}: no description"));
            }
            check_parameters(&op["parameters"], &at, &mut problems);
            walk_schemas(op, &at, &mut problems);
        }
    }
    for (id, places) in ids.into_iter().filter(|(_, p)| p.len() > 1) {
        problems.push(format!(
            "operationId `{id}` is used by {}",
            places.join(", ")
        ));
    }

    let components = &spec.raw["components"];
    for (name, param) in mapping(&components["parameters"]) {
        check_parameter(
            param,
            &format!("components.parameters.{name}"),
            &mut problems,
        );
    }
    for (name, schema) in mapping(&components["schemas"]) {
        walk_schema(schema, &format!("components.schemas.{name}"), &mut problems);
    }
    for section in ["responses", "requestBodies"] {
        for (name, value) in mapping(&components[section]) {
            walk_schemas(
                value,
                &format!("components.{section}.{name}"),
                &mut problems,
            );
        }
    }
    problems
}

fn check_parameters(list: &Value, at: &str, problems: &mut Vec<String>) {
    for param in list.as_sequence().into_iter().flatten() {
        let name = param["name"].as_str().unwrap_or("?");
        check_parameter(param, &format!("{at} parameter `{name}`"), problems);
    }
}

fn check_parameter(param: &Value, at: &str, problems: &mut Vec<String>) {
    if param.get("$ref").is_none() && !has_text(&param["description"]) {
        problems.push(format!("{at}: no description"));
    }
}

/// Finds schemas inside an operation, response or request body (`content.*.schema`).
fn walk_schemas(value: &Value, at: &str, problems: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                let key = key.as_str().unwrap_or("");
                if key == "schema" {
                    walk_schema(child, at, problems);
                } else if key != "example" && key != "examples" {
                    walk_schemas(child, at, problems);
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| walk_schemas(v, at, problems)),
        _ => {}
    }
}

fn walk_schema(schema: &Value, at: &str, problems: &mut Vec<String>) {
    for (name, property) in mapping(&schema["properties"]) {
        let here = format!("{at}.{name}");
        if !has_text(&property["description"]) {
            problems.push(format!("{here}: property has no description"));
        }
        walk_schema(property, &here, problems);
    }
    for key in ["items", "additionalProperties", "not"] {
        if schema[key].is_mapping() {
            walk_schema(&schema[key], at, problems);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, member) in schema[key].as_sequence().into_iter().flatten().enumerate() {
            walk_schema(member, &format!("{at}.{key}[{i}]"), problems);
        }
    }
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
mod tests {
    use super::*;

    fn spec(yaml: &str) -> Spec {
        Spec {
            file_name: "t.yaml".into(),
            raw: serde_yaml::from_str(yaml).unwrap(),
            openapi: serde_yaml::from_str(
                "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}",
            )
            .unwrap(),
        }
    }

    #[test]
    fn finds_every_kind_of_problem() {
        let problems = lint(&spec(
            r#"
paths:
  /a:
    get:
      operationId: getA
      parameters: [{name: p, in: query}]
      responses:
        '200':
          content:
            application/json:
              schema: {type: object, properties: {x: {type: string}}}
    post: {operationId: same, description: d}
  /b:
    put: {operationId: same, description: d}
components:
  schemas:
    S:
      type: object
      properties:
        ok: {description: fine, $ref: '#/components/schemas/T'}
        nested: {description: n, type: object, properties: {deep: {type: integer}}}
"#,
        ));
        let text = problems.join("\n");
        assert!(
            text.contains("GET /a: operationId `getA` is not snake_case"),
            "{text}"
        );
        assert!(text.contains("GET /a: no description"), "{text}");
        assert!(text.contains("parameter `p`: no description"), "{text}");
        assert!(
            text.contains("GET /a.x: property has no description"),
            "{text}"
        );
        assert!(
            text.contains("operationId `same` is used by POST /a, PUT /b"),
            "{text}"
        );
        assert!(text.contains("components.schemas.S.nested.deep"), "{text}");
        assert!(
            !text.contains("S.ok"),
            "a description beside $ref counts: {text}"
        );
        assert_eq!(problems.len(), 6, "{text}");
    }
}
