//! `--state FILE`: incremental list exports. The first run starts at `--from` (or the list's
//! default); the state file is replaced, atomically, only after the output is complete and
//! synced; the next run starts an overlap before the last cursor value and skips the rows the
//! previous run wrote there.

use crate::error::CliError;
use crate::output::checkpoint::write_atomically;
use chrono::{DateTime, Utc};
use cxkit::sync::{stream, Incremental, StreamState};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file: which stream it follows, and where that stream stopped.
#[derive(Serialize, Deserialize)]
struct Saved {
    stream: String,
    #[serde(flatten)]
    state: StreamState,
}

/// An export's incremental state, from `--state FILE`.
pub(crate) struct StateFile {
    path: PathBuf,
    run: Incremental,
}

impl StateFile {
    /// The state of `stream_name` in `path` (a missing file: a first run). A stream without a
    /// cursor is full refresh only, and says so.
    pub(crate) fn open(path: &Path, stream_name: &str) -> Result<Self, CliError> {
        let def = stream(stream_name)
            .ok_or_else(|| CliError::usage(format!("no stream `{stream_name}`")))?;
        if def.cursor.is_none() {
            return Err(CliError::usage(format!(
                "`{stream_name}` is full refresh only (the API cannot filter it by time): \
                 drop --state"
            )));
        }
        let previous = match std::fs::read(path) {
            Ok(bytes) => {
                let saved: Saved = serde_json::from_slice(&bytes).map_err(|e| {
                    CliError::usage(format!("{} is not a cxkit state file: {e}", path.display()))
                })?;
                if saved.stream != stream_name {
                    return Err(CliError::usage(format!(
                        "{} follows `{}`, not `{stream_name}`",
                        path.display(),
                        saved.stream
                    )));
                }
                Some(saved.state)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(CliError::io(format!("cannot read {}: {e}", path.display()))),
        };
        Ok(Self {
            path: path.to_owned(),
            run: Incremental::new(def, previous),
        })
    }

    /// Where this run starts: `None` on a first run (the command's own period applies).
    pub(crate) fn since(&self) -> Option<DateTime<Utc>> {
        self.run.since()
    }

    /// Whether to write `row` (a row the previous run wrote is not written again).
    pub(crate) fn admit<T: Serialize>(&mut self, row: &T) -> Result<bool, CliError> {
        let value = serde_json::to_value(row)
            .map_err(|e| CliError::io(format!("unserialisable row: {e}")))?;
        Ok(self.run.admit(&value))
    }

    /// [`admit`](Self::admit) for a row given as its JSON text.
    pub(crate) fn admit_json(&mut self, row: &[u8]) -> Result<bool, CliError> {
        self.run
            .admit_json(row)
            .map_err(|e| CliError::io(format!("a row is not a JSON object: {e}")))
    }

    /// Saves the state covering every row admitted; call once the output is durable.
    pub(crate) fn save(&self) -> Result<(), CliError> {
        let Some(state) = self.run.state() else {
            return Ok(());
        };
        let saved = Saved {
            stream: self.run_stream().to_owned(),
            state,
        };
        let text = serde_json::to_vec_pretty(&saved).map_err(|e| CliError::io(e.to_string()))?;
        write_atomically(&self.path, &text)
    }

    fn run_stream(&self) -> &'static str {
        self.run.stream().name
    }
}
