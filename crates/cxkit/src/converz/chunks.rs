//! Sending an [`Update`] in chunks of at most the vendor's rows per request, and the report of
//! what each chunk did, so a partial failure says exactly which rows were not applied.

use super::update::{Update, UpdateKey};
use crate::error::Error;
use serde_json::Value;
use std::ops::Range;

/// Where a bulk update is: reported after each chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The chunk just finished (0-based).
    pub chunk: usize,
    /// How many chunks there are.
    pub chunks: usize,
    /// Rows sent successfully so far.
    pub rows_done: usize,
    /// Rows in the update.
    pub rows_total: usize,
}

/// What happened to one chunk.
#[derive(Debug)]
pub enum ChunkStatus {
    /// Accepted; holds the vendor's (unpublished) response body.
    Sent(Value),
    /// Refused or failed; the chunks after it were not sent.
    Failed(Error),
    /// Not sent because an earlier chunk failed.
    NotSent,
}

/// One chunk of a bulk update.
#[derive(Debug)]
pub struct ChunkOutcome {
    /// Its position (0-based).
    pub index: usize,
    /// The rows of the update it carried.
    pub rows: Range<usize>,
    /// What happened.
    pub status: ChunkStatus,
}

/// The outcome of a bulk update: which chunks were accepted.
#[derive(Debug)]
pub struct UpdateReport {
    /// Every chunk, in order.
    pub chunks: Vec<ChunkOutcome>,
}

impl UpdateReport {
    /// Whether every chunk was accepted.
    pub fn is_complete(&self) -> bool {
        self.chunks
            .iter()
            .all(|c| matches!(c.status, ChunkStatus::Sent(_)))
    }

    /// Rows in accepted chunks.
    pub fn rows_sent(&self) -> usize {
        self.chunks
            .iter()
            .filter(|c| matches!(c.status, ChunkStatus::Sent(_)))
            .map(|c| c.rows.len())
            .sum()
    }

    /// The error that stopped the update, if any.
    pub fn error(&self) -> Option<&Error> {
        self.chunks.iter().find_map(|c| match &c.status {
            ChunkStatus::Failed(e) => Some(e),
            _ => None,
        })
    }

    /// Row ranges that were not applied (failed or not sent), to retry.
    pub fn rows_not_applied(&self) -> Vec<Range<usize>> {
        self.chunks
            .iter()
            .filter(|c| !matches!(c.status, ChunkStatus::Sent(_)))
            .map(|c| c.rows.clone())
            .collect()
    }
}

/// Sends `update` in chunks of at most `max_rows`, in order, stopping at the first failure.
pub(crate) async fn send_in_chunks<K, F, Fut>(
    update: &Update<K>,
    max_rows: usize,
    mut progress: impl FnMut(Progress),
    send: F,
) -> Result<UpdateReport, Error>
where
    K: UpdateKey,
    F: Fn(Value) -> Fut,
    Fut: std::future::Future<Output = Result<Value, Error>>,
{
    update.check()?;
    let max_rows = max_rows.clamp(1, converz_api::MAX_UPDATE_ROWS);
    let ranges: Vec<Range<usize>> = (0..update.len())
        .step_by(max_rows)
        .map(|start| start..(start + max_rows).min(update.len()))
        .collect();
    let mut chunks = Vec::with_capacity(ranges.len());
    let mut rows_done = 0;
    let mut failed = false;
    for (index, rows) in ranges.iter().cloned().enumerate() {
        let status = if failed {
            ChunkStatus::NotSent
        } else {
            match send(update.to_json(rows.clone())?).await {
                Ok(body) => {
                    rows_done += rows.len();
                    ChunkStatus::Sent(body)
                }
                Err(error) => {
                    failed = true;
                    ChunkStatus::Failed(error)
                }
            }
        };
        if !matches!(status, ChunkStatus::NotSent) {
            progress(Progress {
                chunk: index,
                chunks: ranges.len(),
                rows_done,
                rows_total: update.len(),
            });
        }
        chunks.push(ChunkOutcome {
            index,
            rows,
            status,
        });
    }
    Ok(UpdateReport { chunks })
}
