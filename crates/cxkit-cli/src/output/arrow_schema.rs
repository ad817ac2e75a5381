//! A row's Arrow schema from the spec's JSON Schema (not from the data, so an empty export
//! has the same columns). [`arrow_rows`](super::arrow_rows) fills them from the rows.
//!
//! | JSON Schema | Arrow |
//! |---|---|
//! | `string` + `date-time` | `Timestamp(µs, UTC)` |
//! | `string` + `date` | `Date32` |
//! | `string`, an enum, an open enum (`anyOf` of strings) | `Utf8` |
//! | `integer` | `Int64` |
//! | `number` | `Float64` |
//! | `boolean` | `Boolean` |
//! | `object` with properties | `Struct` (+ `_extra`, the JSON of fields the spec does not name) |
//! | `array` | `List` of its items |
//! | anything else (untyped, mixed, a map) | `Utf8` holding the value's JSON |
//!
//! Every field is nullable unless the spec requires it.

use arrow_schema::{DataType, Field, Fields, Schema, TimeUnit};
use serde_json::Value;
use std::sync::Arc;

/// The column holding, as JSON, the fields of an open object that the spec does not name:
/// nothing a vendor sends is dropped.
pub const EXTRA: &str = "_extra";

/// The time zone of date-time columns.
pub const UTC: &str = "+00:00";

/// A value's place in the schema: its Arrow type and how to shape a JSON value to it.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A string column.
    Text,
    /// Any value, written as its JSON text.
    Json,
    /// A date-time, as microseconds since the epoch (UTC).
    Timestamp,
    /// A date.
    Date,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// A list of one shape.
    List(Box<Shape>),
    /// An object: named fields (shape, required), and whether other fields may appear.
    Object(Vec<(String, Shape, bool)>),
}

impl Shape {
    /// The shape of values of `schema` (a self-contained JSON Schema).
    pub fn of(schema: &Value) -> Shape {
        // A nullable value (`anyOf: [X, {type: null}]`) is X's shape: every column is nullable.
        if let Some(members) = alternatives(schema) {
            let shapes: Vec<Shape> = members.iter().map(Shape::of).collect();
            return match shapes.split_first() {
                Some((first, rest)) if rest.iter().all(|s| s == first) => first.clone(),
                // Only `null` allowed: a column that is always empty, typed as text.
                None => Shape::Text,
                _ => Shape::Json,
            };
        }
        // wire-literal: a JSON Schema keyword
        let format = schema.get("format").and_then(Value::as_str);
        match single_type(schema) {
            Some("string") => match format {
                Some("date-time") => Shape::Timestamp,
                Some("date") => Shape::Date,
                _ => Shape::Text,
            },
            Some("integer") => Shape::Integer,
            Some("number") => Shape::Number,
            Some("boolean") => Shape::Boolean,
            Some("array") => match schema.get("items") {
                Some(items) if items.is_object() => Shape::List(Box::new(Shape::of(items))),
                _ => Shape::Json,
            },
            Some("object") | None if has_properties(schema) => {
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let properties = schema["properties"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                Shape::Object(
                    properties
                        .iter()
                        .map(|(name, s)| {
                            (
                                name.clone(),
                                Shape::of(s),
                                required.contains(&name.as_str()),
                            )
                        })
                        .collect(),
                )
            }
            _ => Shape::Json,
        }
    }

    /// The Arrow type.
    pub fn data_type(&self) -> DataType {
        match self {
            Shape::Text | Shape::Json => DataType::Utf8,
            Shape::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
            Shape::Date => DataType::Date32,
            Shape::Integer => DataType::Int64,
            Shape::Number => DataType::Float64,
            Shape::Boolean => DataType::Boolean,
            Shape::List(item) => {
                DataType::List(Arc::new(Field::new("item", item.data_type(), true)))
            }
            Shape::Object(fields) => DataType::Struct(Self::fields(fields)),
        }
    }

    fn fields(fields: &[(String, Shape, bool)]) -> Fields {
        let mut out: Vec<Field> = fields
            .iter()
            .map(|(name, shape, required)| Field::new(name, shape.data_type(), !required))
            .collect();
        out.push(Field::new(EXTRA, DataType::Utf8, true));
        out.into()
    }

    /// The schema of a table of rows of this (object) shape.
    pub fn schema(&self) -> Schema {
        match self {
            Shape::Object(fields) => Schema::new(Self::fields(fields)),
            other => Schema::new(vec![Field::new("value", other.data_type(), true)]),
        }
    }
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// The members of an `anyOf` / `oneOf` (or an `allOf` of one), without `null`.
fn alternatives(schema: &Value) -> Option<Vec<Value>> {
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            if key == "allOf" && members.len() != 1 {
                continue;
            }
            return Some(members.iter().filter(|m| !is_null(m)).cloned().collect());
        }
    }
    None
}

/// The one non-null type a schema declares (`"string"` or `["string", "null"]`).
fn single_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(types)) => {
            let named: Vec<&str> = types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect();
            (named.len() == 1).then(|| named[0])
        }
        _ => None,
    }
}

fn has_properties(schema: &Value) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_follow_the_json_schema() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "at": {"type": ["string", "null"], "format": "date-time"},
                "day": {"type": "string", "format": "date"},
                "n": {"type": "integer"},
                "x": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                "ok": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "kind": {"anyOf": [{"type": "string", "enum": ["A"]}, {"type": "string"}]},
                "any": {},
                "mixed": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                "count": {"oneOf": [{"type": "integer"}, {"type": "integer", "minimum": 0}, {"type": "null"}]},
                "flag_or_n": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
                "never": {"anyOf": [{"type": "null"}]},
                "nested_null": {"anyOf": [{"anyOf": [{"type": "boolean"}, {"type": "null"}]}, {"type": "null"}]},
                "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
                "agent": {"type": "object", "properties": {"name": {"type": "string"}}}
            }
        });
        let Shape::Object(fields) = Shape::of(&schema) else {
            panic!("an object")
        };
        let by_name: std::collections::HashMap<_, _> = fields
            .iter()
            .map(|(n, s, r)| (n.as_str(), (s.clone(), *r)))
            .collect();
        assert_eq!(by_name["id"], (Shape::Text, true));
        assert_eq!(by_name["at"].0, Shape::Timestamp);
        assert_eq!(by_name["day"].0, Shape::Date);
        assert_eq!(by_name["n"].0, Shape::Integer);
        assert_eq!(by_name["x"].0, Shape::Number);
        assert_eq!(by_name["ok"].0, Shape::Boolean);
        assert_eq!(by_name["tags"].0, Shape::List(Box::new(Shape::Text)));
        assert_eq!(by_name["kind"].0, Shape::Text);
        assert_eq!(by_name["any"].0, Shape::Json);
        assert_eq!(by_name["mixed"].0, Shape::Json);
        assert_eq!(by_name["count"].0, Shape::Integer);
        assert_eq!(by_name["flag_or_n"].0, Shape::Json);
        assert_eq!(by_name["never"].0, Shape::Text);
        assert_eq!(by_name["nested_null"].0, Shape::Boolean);
        // Tuple-form `items` (one schema per position): no single item shape.
        assert_eq!(by_name["pair"].0, Shape::Json);
        assert_eq!(
            by_name["agent"].0,
            Shape::Object(vec![("name".into(), Shape::Text, false)])
        );
        let arrow = Shape::of(&schema).schema();
        assert!(!arrow.field_with_name("id").unwrap().is_nullable());
        assert!(arrow.field_with_name("n").unwrap().is_nullable());
        assert!(arrow.field_with_name(EXTRA).is_ok());
    }
}

#[cfg(test)]
mod snapshot {
    //! The Parquet schema of every stream's rows, snapshotted: a spec change that changes a
    //! column's type shows in review.

    use super::*;

    fn render(field: &Field, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        let null = if field.is_nullable() {
            ""
        } else {
            " (required)"
        };
        match field.data_type() {
            DataType::Struct(children) => {
                out.push_str(&format!("{pad}{}: struct{null}\n", field.name()));
                children.iter().for_each(|c| render(c, depth + 1, out));
            }
            DataType::List(item) => match item.data_type() {
                DataType::Struct(children) => {
                    out.push_str(&format!("{pad}{}: list<struct>{null}\n", field.name()));
                    children.iter().for_each(|c| render(c, depth + 1, out));
                }
                other => out.push_str(&format!("{pad}{}: list<{other}>{null}\n", field.name())),
            },
            other => out.push_str(&format!("{pad}{}: {other}{null}\n", field.name())),
        }
    }

    #[test]
    fn every_stream_maps_to_parquet_as_snapshotted() {
        let mut out = String::new();
        for stream in cxkit::sync::STREAMS {
            let schema = cxkit::schema::self_contained(stream.api, stream.row_type).unwrap();
            out.push_str(&format!("# {} ({})\n", stream.name, stream.row_type));
            for field in Shape::of(&schema).schema().fields() {
                render(field, 1, &mut out);
            }
        }
        insta::assert_snapshot!(out);
    }
}
