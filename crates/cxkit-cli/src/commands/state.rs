//! `--state FILE`: incremental list exports. The first run starts at `--from` (or the list's
//! default); the state file is replaced, atomically, only after the output is complete and
//! synced; the next run starts an overlap before the last cursor value and skips the rows the
//! previous run wrote there.
//!
//! A state file is bound to what it covers: the stream, the filters that selected its rows
//! and the API it read them from. A run with other filters, or against another tenant or base
//! URL, is refused: it would continue from a cursor its rows never reached, and skip them.
//! `FILE.lock` is held for the whole run, so two runs never share a state file.

use crate::error::CliError;
use crate::files::{self, Lock};
use chrono::{DateTime, Utc};
use cxkit::sync::{stream, Incremental, StreamState};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a state file was made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MadeWith {
    /// The subcommand and the arguments that select rows (no period, no credential).
    pub filters: String,
    /// The API read: its base URL (without credentials), or `sandbox`.
    pub origin: String,
}

/// The file: which stream it follows, with what, and where that stream stopped.
#[derive(Serialize, Deserialize)]
struct Saved {
    stream: String,
    /// Absent in files written before cxkit recorded it: taken as matching, and recorded on
    /// the next save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    made_with: Option<MadeWith>,
    #[serde(flatten)]
    state: StreamState,
}

/// How a run follows its cursor: its end, its lookback, the zone of naive date-times.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Follow {
    /// No saved cursor passes it.
    pub until: DateTime<Utc>,
    /// How far before the overlap the run starts again.
    pub lookback: chrono::Duration,
    /// The zone of date-times written without an offset.
    pub naive_offset: Option<chrono::FixedOffset>,
}

/// An export's incremental state, from `--state FILE`.
pub(crate) struct StateFile {
    path: PathBuf,
    made_with: MadeWith,
    run: Incremental,
    _lock: Lock,
}

impl StateFile {
    /// The state of `stream_name` in `path` (a missing file: a first run). A stream without a
    /// cursor is full refresh only, and says so; a file made with other filters or another
    /// API is refused. The saved cursor will not pass `until`.
    pub(crate) fn open(
        path: &Path,
        stream_name: &str,
        made_with: MadeWith,
        follow: Follow,
    ) -> Result<Self, CliError> {
        let def = stream(stream_name)
            .ok_or_else(|| CliError::usage(format!("no stream `{stream_name}`")))?;
        if def.cursor.is_none() {
            return Err(CliError::usage(format!(
                "`{stream_name}` is full refresh only (the API cannot filter it by time): \
                 drop --state"
            )));
        }
        let lock = Lock::take(path)?;
        let previous = match files::read_if_present(path)? {
            Some(bytes) => {
                let saved: Saved = serde_json::from_slice(&bytes).map_err(|e| {
                    CliError::usage(format!("{} is not a cxkit state file: {e}", path.display()))
                })?;
                if saved.stream != stream_name {
                    return Err(CliError::usage(format!(
                        "{} follows `{}`, not `{stream_name}`: use another --state file",
                        path.display(),
                        saved.stream
                    )));
                }
                if let Some(before) = saved.made_with.as_ref().filter(|b| **b != made_with) {
                    return Err(mismatch(path, before, &made_with));
                }
                Some(saved.state)
            }
            None => None,
        };
        Ok(Self {
            path: path.to_owned(),
            made_with,
            run: {
                let run = Incremental::new(def, previous)
                    .until(follow.until)
                    .lookback(follow.lookback);
                match follow.naive_offset {
                    Some(offset) => run.naive_offset(offset),
                    None => run,
                }
            },
            _lock: lock,
        })
    }

    /// Where this run starts: `None` on a first run (the command's own period applies).
    pub(crate) fn since(&self) -> Option<DateTime<Utc>> {
        self.run.since()
    }

    /// Whether to write `row`, given as its JSON text (a row the previous run wrote is not
    /// written again).
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
            stream: self.run.stream().name.to_owned(),
            made_with: Some(self.made_with.clone()),
            state,
        };
        let text = serde_json::to_vec_pretty(&saved).map_err(|e| CliError::io(e.to_string()))?;
        files::replace_atomically(&self.path, &text)
    }
}

fn mismatch(path: &Path, before: &MadeWith, now: &MadeWith) -> CliError {
    let mut differences = Vec::new();
    if before.filters != now.filters {
        differences.push(format!(
            "its rows were selected by `{}`, this run's by `{}`",
            before.filters, now.filters
        ));
    }
    if before.origin != now.origin {
        differences.push(format!(
            "it read {}, this run reads {}",
            before.origin, now.origin
        ));
    }
    CliError::usage(format!(
        "{} belongs to another export ({}): continuing from it would skip rows. To start over, \
         delete it or give this export its own --state file",
        path.display(),
        differences.join("; ")
    ))
}
