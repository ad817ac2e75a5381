//! `cxkit singer`: cxkit as a Singer tap, so Meltano and any Singer target can run it. It
//! reads the same streams with the same rules as `cxkit airbyte` (the shared config, the
//! sync semantics of [`crate::commands::stream_run`]) and writes Singer messages on stdout: `SCHEMA`
//! before a stream's first record, `RECORD`s, and a `STATE` after each stream that completed
//! (its bookmark moves only then; a failed stream keeps the one it came with). The last
//! message is always a `STATE`, as targets expect.
//!
//! Called as `tap-cxkit` (a link to the binary), it runs this command, so Meltano can use it as
//! an extractor's executable: `tap-cxkit --config C --catalog K --state S`.

mod catalog;

use crate::commands::airbyte::config::Config;
use crate::commands::stream_run::{each_admitted, StreamError};
use crate::error::CliError;
use catalog::{Catalog, Selected};
use cxkit::sync::{stream, StreamState};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The Singer tap's command line (the Singer spec's: `--config`, `--discover`, `--catalog`
/// or `--properties`, and the global `--state`).
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  cxkit singer --config config.json --discover > catalog.json
  cxkit singer --config config.json --catalog catalog.json --state state.json | target-jsonl
The config is the Airbyte source's (cxkit airbyte spec), e.g. {\"sandbox\": true}.")]
pub struct Singer {
    /// The config file (the same as `cxkit airbyte`'s).
    #[arg(long)]
    pub config: PathBuf,
    /// Print the catalog of the configured vendors and stop.
    #[arg(long)]
    pub discover: bool,
    /// The catalog: which streams and properties to sync, and how (default: every stream).
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// The older name of --catalog.
    #[arg(long, value_name = "FILE", conflicts_with = "catalog")]
    pub properties: Option<PathBuf>,
}

/// Runs the tap; `state` is the global `--state FILE`.
pub async fn run(command: Singer, state: Option<&Path>) -> Result<(), CliError> {
    let config = Config::load(&command.config)?;
    let (source, _running) = config.source().await?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if command.discover {
        // Meltano may pass --state and a stale --catalog with --discover: discovery wins.
        // Indented, as singer-sdk prints it: Meltano reads it line by line, with a line limit.
        let streams: Vec<Value> = source.streams().map(catalog::entry).collect();
        serde_json::to_writer_pretty(&mut out, &json!({ "streams": streams }))
            .map_err(|e| CliError::write(e.into()))?;
        out.write_all(b"\n").map_err(CliError::write)?;
        return out.flush().map_err(CliError::write);
    }
    let selected = match command.catalog.as_ref().or(command.properties.as_ref()) {
        Some(path) => crate::commands::airbyte::load::<Catalog>(path, "catalog")?.selected(),
        None => source
            .streams()
            .map(|def| Selected {
                name: def.name.to_owned(),
                incremental: true,
                deselected: Vec::new(),
            })
            .collect(),
    };
    let mut bookmarks = match state {
        Some(path) => bookmarks(crate::commands::airbyte::load::<Value>(path, "state")?)?,
        None => BTreeMap::new(),
    };
    let semantics = config.semantics();
    let mut failed = Vec::new();
    for chosen in selected {
        let Some(def) = stream(&chosen.name).filter(|d| source.has(d.api)) else {
            let message = format!("stream `{}` is not offered by this config", chosen.name);
            eprintln!("cxkit: {message}");
            failed.push(message);
            continue;
        };
        let incremental = chosen.incremental && def.cursor.is_some();
        let previous = incremental
            .then(|| bookmarks.get(def.name).cloned())
            .flatten();
        let outcome = sync_stream(&mut out, &source, def, &semantics, &chosen, previous).await;
        match outcome {
            Ok(Some(state)) if incremental => {
                bookmarks.insert(def.name.to_owned(), state);
                write_state(&mut out, def_cursors(&bookmarks), &bookmarks)?;
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("cxkit: stream `{}` failed: {}", def.name, e.message);
                failed.push(e.message);
            }
        }
    }
    // Targets keep the last STATE only when it is the last message.
    write_state(&mut out, def_cursors(&bookmarks), &bookmarks)?;
    out.flush().map_err(CliError::write)?;
    match failed.first() {
        None => Ok(()),
        Some(first) => Err(CliError {
            code: crate::error::API,
            message: format!("{} stream(s) failed; the first: {first}", failed.len()),
        }),
    }
}

/// One stream: `SCHEMA`, its `RECORD`s; returns the state covering them.
async fn sync_stream<W: Write>(
    out: &mut W,
    source: &cxkit::sync::Source,
    def: &'static cxkit::sync::StreamDef,
    semantics: &crate::commands::stream_run::Semantics,
    chosen: &Selected,
    previous: Option<StreamState>,
) -> Result<Option<StreamState>, StreamError> {
    let mut schema = def.json_schema();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for name in &chosen.deselected {
            properties.remove(name);
        }
    }
    let mut message = json!({
        "type": "SCHEMA",
        "stream": def.name,
        "schema": schema,
        "key_properties": def.primary_key,
    });
    if let Some(c) = def.cursor.filter(|_| chosen.incremental) {
        message["bookmark_properties"] = json!([c.field]);
    }
    serde_json::to_writer(&mut *out, &message).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    let extracted = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let run = each_admitted(source, def, semantics, previous, |row| {
        out.write_all(br#"{"type":"RECORD","stream":"#)?;
        serde_json::to_writer(&mut *out, def.name)?;
        out.write_all(br#","record":"#)?;
        if chosen.deselected.is_empty() {
            out.write_all(row)?;
        } else {
            let mut record: Map<String, Value> = serde_json::from_slice(row)?;
            for name in &chosen.deselected {
                record.remove(name);
            }
            serde_json::to_writer(&mut *out, &record)?;
        }
        write!(out, r#","time_extracted":"{extracted}"}}"#)?;
        out.write_all(b"\n")
    })
    .await?;
    Ok(run.state())
}

/// Each bookmarked stream's replication key.
fn def_cursors(bookmarks: &BTreeMap<String, StreamState>) -> BTreeMap<String, &'static str> {
    bookmarks
        .keys()
        .filter_map(|name| Some((name.clone(), stream(name)?.cursor?.field)))
        .collect()
}

/// `STATE`: singer-sdk's bookmarks (`replication_key`, `replication_key_value`), plus the
/// keys cxkit needs to drop the overlap's repeats (`seen`).
fn write_state<W: Write>(
    out: &mut W,
    keys: BTreeMap<String, &'static str>,
    bookmarks: &BTreeMap<String, StreamState>,
) -> Result<(), CliError> {
    let value: Map<String, Value> = bookmarks
        .iter()
        .map(|(name, state)| {
            let mut bookmark = json!({
                "replication_key": keys.get(name).copied(),
                "replication_key_value": state.cursor.map(|c| c.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            });
            if !state.seen.is_empty() {
                bookmark["seen"] = json!(state.seen);
            }
            (name.clone(), bookmark)
        })
        .collect();
    let message = json!({"type": "STATE", "value": {"bookmarks": value}});
    serde_json::to_writer(&mut *out, &message).map_err(|e| CliError::write(e.into()))?;
    out.write_all(b"\n").map_err(CliError::write)?;
    out.flush().map_err(CliError::write)
}

/// The bookmarks of a state file: the Singer value itself (`{"bookmarks": …}`), or one under
/// `value` or `singer_state` (a STATE message, Meltano's store).
fn bookmarks(state: Value) -> Result<BTreeMap<String, StreamState>, CliError> {
    let value = ["value", "singer_state"]
        .iter()
        .find_map(|k| state.get(*k).filter(|v| v.get("bookmarks").is_some()))
        .unwrap_or(&state);
    let mut out = BTreeMap::new();
    let Some(bookmarks) = value.get("bookmarks").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (name, bookmark) in bookmarks {
        let invalid =
            |why: String| CliError::config(format!("invalid bookmark of `{name}`: {why}"));
        let cursor = match bookmark.get("replication_key_value") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(
                cxkit::sync::parse_time(text)
                    .ok_or_else(|| invalid(format!("`{text}` is not a date-time")))?,
            ),
            Some(other) => return Err(invalid(format!("`{other}` is not a date-time"))),
        };
        let seen = match bookmark.get("seen") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(seen) => {
                serde_json::from_value(seen.clone()).map_err(|e| invalid(e.to_string()))?
            }
        };
        out.insert(name.clone(), StreamState { cursor, seen });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmarks_are_read_from_the_value_a_state_message_or_meltanos_store() {
        let bookmark = json!({"bookmarks": {"zchat_history": {
            "replication_key": "created_at", "replication_key_value": "2024-03-01T10:00:00Z",
            "seen": {"p1": "2024-03-01T09:30:00Z"}
        }}});
        for state in [
            bookmark.clone(),
            json!({"type": "STATE", "value": bookmark}),
            json!({"singer_state": bookmark}),
        ] {
            let read = bookmarks(state).unwrap();
            let history = &read["zchat_history"];
            assert_eq!(
                history.cursor,
                cxkit::sync::parse_time("2024-03-01T10:00:00Z")
            );
            assert_eq!(history.seen.len(), 1);
        }
        assert!(bookmarks(json!({})).unwrap().is_empty());
        assert!(bookmarks(json!({"bookmarks": {"x": {"replication_key_value": 7}}})).is_err());
    }
}
