//! `webhook listen --output FILE`: deliveries appended to `FILE` as JSON Lines, each made
//! durable (fsync) before the delivery is acknowledged, so an acknowledged delivery survives
//! a crash. The file is also the memory of what was handled: on start its events give the
//! de-duplication keys, so a redelivery after a restart is not written twice.

use crate::error::CliError;
use cxkit::conversion::webhook::{dedup_key, parse, DeliveryKey};
use cxkit::conversion::WebhookEvent;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// An append-only, durable log of deliveries.
#[derive(Clone)]
pub struct EventLog {
    file: Arc<Mutex<File>>,
    path: PathBuf,
}

impl EventLog {
    /// Opens (or creates) `path`; a last line cut by a crash is removed (that delivery was
    /// never acknowledged, so the vendor sends it again). Returns the keys already handled.
    pub fn open(path: &Path) -> Result<(Self, Vec<DeliveryKey>), CliError> {
        let fail = |e: std::io::Error| CliError::io(format!("{}: {e}", path.display()));
        let existing = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(fail(e)),
        };
        let complete = existing
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |at| at + 1);
        let keys = existing[..complete]
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .filter_map(|line| parse(line).ok())
            .filter_map(|event| dedup_key(&event))
            .collect();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(fail)?;
        if complete < existing.len() {
            file.set_len(complete as u64).map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        let log = Self {
            file: Arc::new(Mutex::new(file)),
            path: path.to_owned(),
        };
        Ok((log, keys))
    }

    /// Appends `event` as one line and waits until it is on disk.
    pub async fn append(&self, event: &WebhookEvent) -> Result<(), CliError> {
        let mut line = serde_json::to_vec(event).map_err(|e| CliError::io(e.to_string()))?;
        line.push(b'\n');
        let (file, path) = (self.file.clone(), self.path.clone());
        tokio::task::spawn_blocking(move || {
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            file.write_all(&line)
                .and_then(|()| file.sync_data())
                .map_err(|e| CliError::io(format!("{}: {e}", path.display())))
        })
        .await
        .map_err(|e| CliError::io(e.to_string()))?
    }
}
