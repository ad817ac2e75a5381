//! The Singer catalog: what `--discover` prints (every stream with its schema, key, replication
//! key and singer-sdk-style metadata) and which streams and properties a catalog from
//! `--catalog` selects, by the rules singer-sdk and Meltano apply.

use cxkit::sync::StreamDef;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// A stream's catalog entry, as `--discover` prints it.
pub fn entry(def: &StreamDef) -> Value {
    let schema = def.json_schema();
    let automatic: Vec<&str> = def
        .primary_key
        .iter()
        .copied()
        .chain(def.cursor.map(|c| c.field))
        .collect();
    let mut metadata = vec![json!({"breadcrumb": [], "metadata": root_metadata(def)})];
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for name in properties.keys() {
            let inclusion = if automatic.contains(&name.as_str()) {
                "automatic"
            } else {
                "available"
            };
            metadata.push(json!({
                "breadcrumb": ["properties", name],
                "metadata": {"inclusion": inclusion, "selected-by-default": true}
            }));
        }
    }
    let mut entry = json!({
        "tap_stream_id": def.name,
        "stream": def.name,
        "schema": schema,
        "key_properties": def.primary_key,
        "metadata": metadata,
    });
    match def.cursor {
        Some(c) => {
            entry["replication_key"] = json!(c.field);
            entry["replication_method"] = json!("INCREMENTAL");
        }
        None => entry["replication_method"] = json!("FULL_TABLE"),
    }
    entry
}

fn root_metadata(def: &StreamDef) -> Value {
    let mut root = json!({
        "inclusion": "available",
        "selected-by-default": true,
        "table-key-properties": def.primary_key,
    });
    match def.cursor {
        Some(c) => {
            root["valid-replication-keys"] = json!([c.field]);
            root["replication-key"] = json!(c.field);
            root["replication-method"] = json!("INCREMENTAL");
        }
        None => root["forced-replication-method"] = json!("FULL_TABLE"),
    }
    root
}

/// A catalog given with `--catalog` (or `--properties`). Unknown members (Meltano adds a
/// top-level `selected`, singer-sdk `database_name`, …) are kept out of the way.
#[derive(Deserialize)]
pub struct Catalog {
    streams: Vec<CatalogStream>,
}

#[derive(Deserialize)]
struct CatalogStream {
    tap_stream_id: String,
    #[serde(default)]
    metadata: Vec<MetadataEntry>,
    /// The legacy stream-level flag (Meltano still writes it).
    #[serde(default)]
    selected: Option<bool>,
    #[serde(default)]
    replication_method: Option<String>,
}

#[derive(Deserialize)]
struct MetadataEntry {
    breadcrumb: Vec<String>,
    metadata: Map<String, Value>,
}

/// One stream to sync: which, how, and which top-level properties to keep.
#[derive(Debug, PartialEq, Eq)]
pub struct Selected {
    /// The stream.
    pub name: String,
    /// Whether to follow its cursor (`INCREMENTAL`), or read it in full (`FULL_TABLE`).
    pub incremental: bool,
    /// The properties left out (`selected: false` and not `automatic`).
    pub deselected: Vec<String>,
}

impl Catalog {
    /// The streams the catalog selects, in its order, by singer-sdk's rules: a stream (or
    /// property) with no metadata is selected; `unsupported` never is; `automatic` always is;
    /// else `selected`, then `selected-by-default`, then its parent's selection.
    pub fn selected(&self) -> Vec<Selected> {
        self.streams
            .iter()
            .filter_map(|stream| {
                let root = stream.metadata.iter().find(|m| m.breadcrumb.is_empty());
                let selected = match root {
                    None if stream.metadata.is_empty() => stream.selected.unwrap_or(true),
                    None => stream.selected.unwrap_or(false),
                    Some(root) => is_selected(&root.metadata, stream.selected.unwrap_or(false)),
                };
                if !selected {
                    return None;
                }
                let method = root
                    .and_then(|r| r.metadata.get("replication-method"))
                    .and_then(Value::as_str)
                    .or(stream.replication_method.as_deref());
                let deselected = stream
                    .metadata
                    .iter()
                    .filter(|m| m.breadcrumb.len() == 2 && m.breadcrumb[0] == "properties")
                    .filter(|m| !is_selected(&m.metadata, true))
                    .map(|m| m.breadcrumb[1].clone())
                    .collect();
                Some(Selected {
                    name: stream.tap_stream_id.clone(),
                    incremental: method != Some("FULL_TABLE"),
                    deselected,
                })
            })
            .collect()
    }
}

fn is_selected(metadata: &Map<String, Value>, parent: bool) -> bool {
    match metadata.get("inclusion").and_then(Value::as_str) {
        Some("unsupported") => return false,
        Some("automatic") => return true,
        _ => {}
    }
    metadata
        .get("selected")
        .and_then(Value::as_bool)
        .or_else(|| metadata.get("selected-by-default").and_then(Value::as_bool))
        .unwrap_or(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(streams: Value) -> Catalog {
        serde_json::from_value(json!({"streams": streams})).unwrap()
    }

    #[test]
    fn streams_and_properties_are_selected_as_singer_sdk_does() {
        let c = catalog(json!([
            // No metadata at all: selected, everything.
            {"tap_stream_id": "a"},
            // Root only with `inclusion`: not selected.
            {"tap_stream_id": "b", "metadata": [{"breadcrumb": [], "metadata": {"inclusion": "available"}}]},
            // Meltano's writing: selected, one property off, an automatic one kept.
            {"tap_stream_id": "c", "selected": true, "replication_method": "INCREMENTAL", "metadata": [
                {"breadcrumb": [], "metadata": {"inclusion": "available", "selected": true, "replication-method": "FULL_TABLE"}},
                {"breadcrumb": ["properties", "id"], "metadata": {"inclusion": "automatic", "selected": false}},
                {"breadcrumb": ["properties", "notes"], "metadata": {"inclusion": "available", "selected": false}},
                {"breadcrumb": ["properties", "name"], "metadata": {"inclusion": "available"}}
            ]},
            {"tap_stream_id": "d", "metadata": [{"breadcrumb": [], "metadata": {"selected-by-default": true}}]},
            {"tap_stream_id": "e", "metadata": [{"breadcrumb": [], "metadata": {"inclusion": "unsupported", "selected": true}}]},
            // Metadata for properties only: the stream's own `selected` decides, absent = no.
            {"tap_stream_id": "f", "metadata": [{"breadcrumb": ["properties", "id"], "metadata": {"selected": true}}]},
            {"tap_stream_id": "g", "selected": true, "metadata": [{"breadcrumb": ["properties", "id"], "metadata": {"selected": true}}]}
        ]));
        let selected = c.selected();
        let names: Vec<&str> = selected.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "c", "d", "g"]);
        assert_eq!(selected[1].deselected, ["notes"]);
        assert!(!selected[1].incremental, "the metadata's method wins");
        assert!(selected[0].incremental);
    }

    #[test]
    fn every_discovered_stream_declares_its_key_and_cursor_and_selects_by_default() {
        for def in cxkit::sync::STREAMS {
            let entry = entry(def);
            let properties = entry["schema"]["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for key in def.primary_key {
                assert!(properties.contains_key(*key), "{}: {key}", def.name);
            }
            if let Some(c) = def.cursor {
                assert!(
                    properties.contains_key(c.field),
                    "{}: {}",
                    def.name,
                    c.field
                );
                assert_eq!(entry["replication_key"], c.field);
            }
            let parsed = catalog(json!([entry]));
            assert_eq!(parsed.selected().len(), 1, "{}", def.name);
        }
    }
}
