//! The catalog: every list cxkit can sync, with its row schema (from the specs), primary key
//! and, where the API can filter by time, its cursor.

use super::streams::Stream;
use crate::error::Api;
use serde_json::Value;

/// A cursor: the row field that orders rows in time, and how far back a run starts before
/// the last value seen (rows can appear late, or share the last second).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The row field (top level) holding a date-time.
    pub field: &'static str,
    /// Seconds an incremental run re-reads before the last cursor value; rows seen there
    /// in the previous run are recognised by primary key and not emitted again.
    pub overlap_secs: i64,
    /// Whether the spec names the field (Converz `Call` rows are open: its start column is
    /// our reading of the vendor's `after` filter).
    pub in_spec: bool,
}

/// One stream: a list operation as a sync sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamDef {
    /// Which stream this is.
    pub id: Stream,
    /// The stream's name (`zchat_history`, `conversion_prospects`, …).
    pub name: &'static str,
    /// The vendor it comes from.
    pub api: Api,
    /// The generated row type whose JSON Schema the rows follow.
    pub row_type: &'static str,
    /// The fields that identify a row (top level).
    pub primary_key: &'static [&'static str],
    /// The cursor, for streams that can run incrementally; `None`: full refresh only.
    pub cursor: Option<Cursor>,
    /// What the stream holds, for catalogs and `--help`.
    pub description: &'static str,
}

/// Every stream's definition, in [`Stream::ALL`]'s order.
pub const STREAMS: &[StreamDef] = &{
    let mut defs = [Stream::ALL[0].def(); Stream::ALL.len()];
    let mut i = 0;
    while i < defs.len() {
        defs[i] = Stream::ALL[i].def();
        i += 1;
    }
    defs
};

/// The stream called `name`.
///
/// ```
/// let s = cxkit::sync::stream("conversion_prospects").unwrap();
/// assert_eq!(s.primary_key, ["id"]);
/// assert_eq!(s.cursor.unwrap().field, "created");
/// assert!(cxkit::sync::stream("nope").is_none());
/// ```
pub fn stream(name: &str) -> Option<&'static StreamDef> {
    let id = Stream::from_name(name)?;
    STREAMS.iter().find(|s| s.id == id)
}

impl StreamDef {
    /// The JSON Schema of a row, self-contained (every `$ref` inlined), with date-times
    /// marked as Airbyte's `timestamp_with_timezone`. A cursor the spec does not name (the
    /// open Converz `Call` rows' `start_time`) is declared as what the API sends: a string,
    /// `YYYY-MM-DD HH:MM:SS`, so tools that check a cursor is a property find it.
    pub fn json_schema(&self) -> Value {
        let mut schema = crate::schema::self_contained(self.api, self.row_type).unwrap_or_default();
        merge_all_of(&mut schema);
        mark_timestamps(&mut schema);
        if let Some(cursor) = self.cursor.filter(|c| !c.in_spec) {
            if let Some(Value::Object(properties)) = schema.get_mut("properties") {
                properties.entry(cursor.field).or_insert_with(|| {
                    serde_json::json!({
                        "type": ["string", "null"],
                        "description": "When the row starts, as the API sends it (`YYYY-MM-DD HH:MM:SS`, UTC): the stream's cursor."
                    })
                });
            }
        }
        schema
    }
}

/// Replaces every `allOf` by the one schema it means: the spec wraps a `$ref` in `allOf` to
/// give it a description, and tools that read catalogs (Airbyte's, warehouse loaders) refuse
/// the keyword. Members are merged into the parent; the parent's own keywords (a description)
/// win; nested `properties` and `required` are united.
fn merge_all_of(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.values_mut().for_each(merge_all_of);
            let Some(Value::Array(parts)) = map.remove("allOf") else {
                return;
            };
            for part in parts {
                let Value::Object(part) = part else { continue };
                for (key, value) in part {
                    match (map.get_mut(&key), value) {
                        (Some(Value::Object(mine)), Value::Object(theirs))
                            if key == "properties" =>
                        {
                            for (name, property) in theirs {
                                mine.entry(name).or_insert(property);
                            }
                        }
                        (Some(Value::Array(mine)), Value::Array(theirs)) if key == "required" => {
                            for name in theirs {
                                if !mine.contains(&name) {
                                    mine.push(name);
                                }
                            }
                        }
                        (Some(_), _) => {}
                        (None, value) => {
                            map.insert(key, value);
                        }
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(merge_all_of),
        _ => {}
    }
}

/// Adds `airbyte_type: timestamp_with_timezone` beside every `format: date-time`.
fn mark_timestamps(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            // wire-literal: a JSON Schema keyword
            if map.get("format").and_then(Value::as_str) == Some("date-time") {
                map.insert("airbyte_type".into(), "timestamp_with_timezone".into());
            }
            map.values_mut().for_each(mark_timestamps);
        }
        Value::Array(items) => items.iter_mut().for_each(mark_timestamps),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_row_type_has_a_schema() {
        let mut names: Vec<_> = STREAMS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), STREAMS.len());
        for s in STREAMS {
            let schema = s.json_schema();
            assert!(
                schema.get("type").is_some() || schema.get("properties").is_some(),
                "{}: {schema}",
                s.name
            );
            assert!(
                !schema.to_string().contains("$ref"),
                "{}: a $ref is left",
                s.name
            );
        }
    }

    #[test]
    fn keys_and_cursors_are_properties_of_the_spec_rows() {
        for s in STREAMS {
            let schema = s.json_schema();
            let props = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for key in s.primary_key {
                assert!(props.contains_key(*key), "{}: key {key}", s.name);
            }
            if let Some(c) = s.cursor {
                assert!(
                    props.contains_key(c.field),
                    "{}: cursor {}",
                    s.name,
                    c.field
                );
            }
        }
    }

    #[test]
    fn no_stream_schema_uses_keywords_catalog_tools_refuse() {
        for s in STREAMS {
            let text = s.json_schema().to_string();
            for keyword in [
                "\"allOf\"",
                "\"$ref\"",
                "\"not\"",
                "\"additionalProperties\":false",
            ] {
                assert!(!text.contains(keyword), "{}: {keyword}", s.name);
            }
        }
        let mut wrapped = serde_json::json!({"description": "d", "allOf": [{"type": "string", "enum": ["a"], "description": "inner"}]});
        merge_all_of(&mut wrapped);
        assert_eq!(
            wrapped,
            serde_json::json!({"description": "d", "type": "string", "enum": ["a"]})
        );
        // Nested `properties` and `required` are united; for any other keyword the parent's
        // own value wins whole, objects and arrays alike.
        let mut both = serde_json::json!({
            "properties": {"a": {"type": "string"}},
            "required": ["a"],
            "items": {"type": "string"},
            "enum": ["x"],
            "allOf": [{
                "properties": {"a": {"type": "integer"}, "b": {}},
                "required": ["b", "a"],
                "items": {"type": "integer", "format": "int64"},
                "enum": ["y"]
            }]
        });
        merge_all_of(&mut both);
        assert_eq!(
            both,
            serde_json::json!({
                "properties": {"a": {"type": "string"}, "b": {}},
                "required": ["a", "b"],
                "items": {"type": "string"},
                "enum": ["x"]
            })
        );
        // Inside arrays too (a schema's `anyOf` or `oneOf` members).
        let mut listed =
            serde_json::json!({"anyOf": [{"allOf": [{"type": "string"}]}, {"type": "null"}]});
        merge_all_of(&mut listed);
        assert_eq!(
            listed,
            serde_json::json!({"anyOf": [{"type": "string"}, {"type": "null"}]})
        );
    }

    #[test]
    fn date_times_carry_the_airbyte_type() {
        let schema = stream("conversion_prospects").unwrap().json_schema();
        let created = &schema["properties"]["created"];
        assert_eq!(created["format"], "date-time", "{created}");
        assert_eq!(created["airbyte_type"], "timestamp_with_timezone");
        let mut listed = serde_json::json!({"anyOf": [{"type": "string", "format": "date-time"}]});
        mark_timestamps(&mut listed);
        assert_eq!(
            listed["anyOf"][0]["airbyte_type"],
            "timestamp_with_timezone"
        );
    }
}
