//! `airbyte read`: the configured streams' records, with per-stream state after them.

use super::messages::{now_ms, Messages, Status};
use crate::commands::stream_run::{Failure, Semantics, StreamError};
use crate::error::CliError;
use cxkit::sync::{stream, Source, StreamDef, StreamState};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;

/// The configured catalog (`--catalog FILE`): the streams to read and how. Every shape the
/// protocol allows is read: optional members absent or `null` (`cursor_field`, `primary_key`,
/// `destination_sync_mode`, `namespace`, …), the refresh members (`generation_id`,
/// `minimum_generation_id`, `sync_id`) and members this version does not know (ignored).
#[derive(Deserialize)]
pub struct ConfiguredCatalog {
    streams: Vec<ConfiguredStream>,
}

#[derive(Deserialize)]
struct ConfiguredStream {
    stream: StreamName,
    sync_mode: SyncMode,
    #[serde(default)]
    cursor_field: Option<Vec<String>>,
    /// A refresh's generation: the destination's business; read so a bad value is refused.
    #[serde(default)]
    #[allow(dead_code)]
    generation_id: Option<u64>,
    #[serde(default)]
    #[allow(dead_code)]
    minimum_generation_id: Option<u64>,
    #[serde(default)]
    #[allow(dead_code)]
    sync_id: Option<u64>,
}

#[derive(Deserialize)]
struct StreamName {
    name: String,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum SyncMode {
    FullRefresh,
    Incremental,
}

/// Reads a JSON file of type `T`; a problem is a configuration error.
pub fn load<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    what: &str,
) -> Result<T, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::config(format!("cannot read the {what} {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::config(format!("invalid {what} {}: {e}", path.display())))
}

/// The incoming state by stream: the per-stream form (a list of `STATE` messages' `state`
/// objects) or the legacy one (an object of stream name → state, maybe under `data`).
pub fn states(incoming: Option<Value>) -> Result<HashMap<String, StreamState>, CliError> {
    let mut out = HashMap::new();
    let parse = |name: &str, v: &Value| {
        serde_json::from_value::<StreamState>(v.clone())
            .map_err(|e| CliError::config(format!("invalid state of stream `{name}`: {e}")))
    };
    match incoming {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in &items {
                if let Some(name) = item["stream"]["stream_descriptor"]["name"].as_str() {
                    let state = &item["stream"]["stream_state"];
                    out.insert(name.to_owned(), parse(name, state)?);
                } else if let Some(data) = item.get("data").and_then(Value::as_object) {
                    for (name, state) in data {
                        out.insert(name.clone(), parse(name, state)?);
                    }
                }
            }
        }
        Some(Value::Object(map)) => {
            let map = match map.get("data").and_then(Value::as_object) {
                Some(data) => data.clone(),
                None => map,
            };
            for (name, state) in &map {
                out.insert(name.clone(), parse(name, state)?);
            }
        }
        Some(other) => {
            return Err(CliError::config(format!(
                "invalid state: expected a list or an object, got {other}"
            )))
        }
    }
    Ok(out)
}

/// Reads every stream of `catalog`; a failed stream is reported and the others still run.
pub async fn read<W: Write>(
    out: &mut Messages<W>,
    source: &Source,
    semantics: Semantics,
    catalog: ConfiguredCatalog,
    mut states: HashMap<String, StreamState>,
) -> Result<(), CliError> {
    let write = CliError::write;
    let mut failed = Vec::new();
    for configured in catalog.streams {
        let name = configured.stream.name.as_str();
        let def = match stream(name).filter(|d| source.has(d.api)) {
            Some(def) => def,
            None => {
                let message = match stream(name) {
                    Some(d) => format!("stream `{name}` needs {} in the config", d.api),
                    None => format!("unknown stream `{name}` (run discover)"),
                };
                out.error(Some(name), &message, Failure::Config)
                    .map_err(write)?;
                failed.push((message, Failure::Config));
                continue;
            }
        };
        let mut incremental = configured.sync_mode == SyncMode::Incremental;
        if incremental && def.cursor.is_none() {
            // As Airbyte's own CDK does (and PyAirbyte asks every stream for incremental): a
            // stream without a cursor is read in full.
            eprintln!("cxkit: `{name}` has no cursor: reading it in full");
            incremental = false;
        }
        if let Some(c) = def.cursor.filter(|_| incremental) {
            let asked = configured.cursor_field.as_deref().unwrap_or_default();
            if !asked.is_empty() && asked != [c.field] {
                eprintln!(
                    "cxkit: `{name}`: the cursor is source-defined, using `{}`",
                    c.field
                );
            }
        }
        let previous = if incremental {
            states.remove(name)
        } else {
            None
        };
        out.status(name, Status::Started).map_err(write)?;
        match read_stream(out, source, def, &semantics, previous, incremental).await {
            Ok(()) => out.status(name, Status::Complete).map_err(write)?,
            Err(e) => {
                out.status(name, Status::Incomplete).map_err(write)?;
                out.error(Some(name), &e.message, e.failure)
                    .map_err(write)?;
                failed.push((e.message, e.failure));
            }
        }
    }
    out.flush().map_err(write)?;
    match failed.first() {
        None => Ok(()),
        Some((message, failure)) => Err(CliError {
            code: match failure {
                Failure::Config => crate::error::CONFIG,
                Failure::System => crate::error::API,
            },
            message: format!("{} stream(s) failed; the first: {message}", failed.len()),
        }),
    }
}

/// One stream: its records, then (incremental) the state that covers them.
async fn read_stream<W: Write>(
    out: &mut Messages<W>,
    source: &Source,
    def: &'static StreamDef,
    semantics: &Semantics,
    previous: Option<StreamState>,
    incremental: bool,
) -> Result<(), StreamError> {
    let io = |e: std::io::Error| StreamError {
        message: format!("writing to stdout: {e}"),
        failure: Failure::System,
    };
    let mut running = false;
    let run = crate::commands::stream_run::each_admitted(source, def, semantics, previous, |row| {
        if !running {
            out.status(def.name, Status::Running)?;
            running = true;
        }
        out.record(def.name, row, now_ms())
    })
    .await?;
    // A stream's state comes only after all its records: rows need not arrive in cursor
    // order, so a state in mid-stream could skip older rows not yet read.
    if let Some(state) = run.state().filter(|_| incremental) {
        let state = serde_json::to_value(state).unwrap_or_default();
        out.state(def.name, &state, run.emitted()).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(catalog: Value) -> Result<ConfiguredCatalog, serde_json::Error> {
        serde_json::from_value(catalog)
    }

    #[test]
    fn every_catalog_shape_the_protocol_allows_is_read() {
        let stream = serde_json::json!({"name": "zchat_history", "json_schema": {}, "supported_sync_modes": ["full_refresh"]});
        let shapes = [
            // Optional members absent.
            serde_json::json!({"stream": stream, "sync_mode": "incremental"}),
            // Optional members null, as the protocol's models and the CDK write them.
            serde_json::json!({"stream": stream, "sync_mode": "full_refresh", "cursor_field": null,
                "primary_key": null, "destination_sync_mode": null, "destination_object_name": null,
                "generation_id": null, "minimum_generation_id": null, "sync_id": null, "include_files": null}),
            // A refresh, and members of a later protocol.
            serde_json::json!({"stream": stream, "sync_mode": "incremental", "cursor_field": ["created_at"],
                "primary_key": [["id"]], "destination_sync_mode": "overwrite_dedup",
                "generation_id": 3, "minimum_generation_id": 3, "sync_id": 99, "from_the_future": {"a": 1}}),
        ];
        for shape in shapes {
            let catalog = parse(serde_json::json!({"streams": [shape], "unknown": true})).unwrap();
            assert_eq!(catalog.streams[0].stream.name, "zchat_history");
        }
        let catalog = parse(serde_json::json!({"streams": [{"stream": stream, "sync_mode": "incremental", "cursor_field": ["x"]}]})).unwrap();
        assert_eq!(
            catalog.streams[0].cursor_field.as_deref(),
            Some(&["x".to_owned()][..])
        );
    }

    #[test]
    fn a_sync_mode_the_protocol_does_not_have_is_refused() {
        let stream = serde_json::json!({"name": "x"});
        assert!(parse(
            serde_json::json!({"streams": [{"stream": stream, "sync_mode": "INVALID"}]})
        )
        .is_err());
        assert!(parse(serde_json::json!({"streams": [{"stream": stream}]})).is_err());
        assert!(parse(serde_json::json!({"streams": [{"stream": stream, "sync_mode": "full_refresh", "generation_id": -1}]})).is_err());
    }
}
