//! The JSON Schema of every generated type (from the specs, via codegen), and the columns a
//! flat table of its rows has.

use crate::error::Api;
use schemars::schema::{RootSchema, Schema, SchemaObject};
use serde_json::{Map, Value};

/// The JSON Schema of the generated type `type_name` of `api` (`"HistoryRow"`, `"Call"`, …).
pub fn json_schema(api: Api, type_name: &str) -> Option<RootSchema> {
    let all = match api {
        Api::Zchat => zchat_api::json_schemas(),
        Api::Converz => converz_api::json_schemas(),
        Api::Conversion => conversion_api::json_schemas(),
    };
    all.into_iter()
        .find(|(name, _)| *name == type_name)
        .map(|(_, schema)| schema)
}

/// The JSON Schema (draft 7) of `type_name` of `api` as one document: every `$ref` inlined,
/// no `definitions`, objects open unless the spec closes them. What tools that do not follow
/// references (Airbyte catalogs, the Parquet mapping) read.
///
/// ```
/// let s = cxkit::schema::self_contained(cxkit::Api::Conversion, "Prospect").unwrap();
/// assert_eq!(s["properties"]["created"]["format"], "date-time");
/// assert!(!s.to_string().contains("$ref"));
/// ```
pub fn self_contained(api: Api, type_name: &str) -> Option<Value> {
    let root = serde_json::to_value(json_schema(api, type_name)?).ok()?;
    let definitions = root
        .get("definitions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut schema = inline(&root, &definitions, 0);
    if let Value::Object(map) = &mut schema {
        map.insert(
            "$schema".into(),
            "http://json-schema.org/draft-07/schema#".into(),
        );
        // The specs keep objects open: a row with a column the spec does not name is still
        // valid and keeps that column.
        map.entry("additionalProperties")
            .or_insert(Value::Bool(true));
    }
    Some(schema)
}

/// `schema` with every local `$ref` replaced by its definition; past 12 nested references
/// (only a recursive type gets there) a value is left open (`{}`).
///
/// Not `cxkit_codegen::openapi::resolve`: this walks schemars' output (`#/definitions/X`), not
/// an OpenAPI document, it copies rather than borrows, and the facade does not depend on the
/// code generator.
fn inline(schema: &Value, definitions: &Map<String, Value>, depth: usize) -> Value {
    match schema {
        Value::Object(map) => {
            if let Some(target) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .and_then(|name| definitions.get(name))
            {
                if depth >= 12 {
                    return Value::Object(Map::new());
                }
                let mut resolved = inline(target, definitions, depth + 1);
                // A description or nullability written beside the `$ref` wins.
                if let Value::Object(resolved) = &mut resolved {
                    for (k, v) in map.iter().filter(|(k, _)| *k != "$ref") {
                        resolved.insert(k.clone(), inline(v, definitions, depth));
                    }
                }
                return resolved;
            }
            Value::Object(
                map.iter()
                    .filter(|(k, _)| *k != "definitions" && *k != "$schema")
                    .map(|(k, v)| (k.clone(), inline(v, definitions, depth)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| inline(v, definitions, depth))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The dotted paths of the leaves of a row of `type_name` as the spec describes it, in a
/// stable order: nested objects are walked (`agent.name`), lists and open values are leaves.
///
/// ```
/// let columns = cxkit::schema::known_columns(cxkit::Api::Zchat, "HistoryRow");
/// assert!(columns.contains(&"agent.name".to_string()));
/// assert!(columns.contains(&"id".to_string()));
/// ```
pub fn known_columns(api: Api, type_name: &str) -> Vec<String> {
    let Some(root) = json_schema(api, type_name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    leaves(&root, &root.schema, "", 0, &mut out);
    out
}

fn leaves(
    root: &RootSchema,
    schema: &SchemaObject,
    prefix: &str,
    depth: usize,
    out: &mut Vec<String>,
) {
    let schema = resolve(root, schema, 0);
    let properties = schema.object.as_ref().map(|o| &o.properties);
    match properties.filter(|p| !p.is_empty() && depth < 6) {
        Some(properties) => {
            for (name, child) in properties {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                match child {
                    Schema::Object(child) => leaves(root, child, &path, depth + 1, out),
                    Schema::Bool(_) => out.push(path),
                }
            }
        }
        None if !prefix.is_empty() => out.push(prefix.to_owned()),
        None => {}
    }
}

/// Follows `$ref`, single-member `allOf` and the `Option` form (`anyOf [X, null]`) to the
/// schema that says what the value is.
fn resolve<'a>(root: &'a RootSchema, schema: &'a SchemaObject, depth: usize) -> &'a SchemaObject {
    if depth > 8 {
        return schema;
    }
    if let Some(reference) = &schema.reference {
        let name = reference.rsplit('/').next().unwrap_or_default();
        if let Some(Schema::Object(target)) = root.definitions.get(name) {
            return resolve(root, target, depth + 1);
        }
    }
    if let Some(sub) = &schema.subschemas {
        let members: Vec<&SchemaObject> = [&sub.all_of, &sub.any_of, &sub.one_of]
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|s| match s {
                Schema::Object(o) if !is_null(o) => Some(o),
                _ => None,
            })
            .collect();
        if let [only] = members.as_slice() {
            return resolve(root, only, depth + 1);
        }
    }
    schema
}

fn is_null(schema: &SchemaObject) -> bool {
    matches!(
        &schema.instance_type,
        Some(schemars::schema::SingleOrVec::Single(t)) if **t == schemars::schema::InstanceType::Null
    )
}
