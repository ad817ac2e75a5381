//! The JSON Schema of every generated type (from the specs, via codegen), and the columns a
//! flat table of its rows has.

use crate::error::Api;
use schemars::schema::{RootSchema, Schema, SchemaObject};

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
