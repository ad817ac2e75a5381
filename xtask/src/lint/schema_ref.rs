//! Naming and walking schemas inside a raw spec (references resolve with
//! [`crate::specs::resolve`]).

use serde_yaml::Value;

/// The component a `$ref` names, if it is a local schema reference.
pub fn component_name(schema: &Value) -> Option<&str> {
    schema["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// Calls `visit` on every schema nested in `schema` (itself included), without following
/// references: properties, items, additionalProperties, not, and composition branches.
pub fn each_nested<'a>(schema: &'a Value, visit: &mut dyn FnMut(&'a Value)) {
    visit(schema);
    for (_, property) in schema["properties"].as_mapping().into_iter().flatten() {
        each_nested(property, visit);
    }
    for key in ["items", "additionalProperties", "not"] {
        if schema[key].is_mapping() {
            each_nested(&schema[key], visit);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for member in schema[key].as_sequence().into_iter().flatten() {
            each_nested(member, visit);
        }
    }
}
