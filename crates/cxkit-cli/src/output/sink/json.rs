//! JSON (one array) and JSON Lines: each row's text copied as it came.

use super::{Sink, Target};
use crate::error::CliError;

/// One JSON array, a row per line.
pub(super) struct Json;

impl Sink for Json {
    fn begin(&mut self, target: &mut Target) -> Result<(), CliError> {
        target.write(b"[")
    }

    fn row(&mut self, row: &[u8], before: u64, target: &mut Target) -> Result<(), CliError> {
        target.write(if before == 0 { b"\n" } else { b",\n" })?;
        target.write(row)
    }

    fn end(&mut self, rows: u64, target: &mut Target) -> Result<(), CliError> {
        target.write(if rows == 0 { b"]\n" } else { b"\n]\n" })
    }
}

/// One JSON object per line.
pub(super) struct Jsonl;

impl Sink for Jsonl {
    fn row(&mut self, row: &[u8], _before: u64, target: &mut Target) -> Result<(), CliError> {
        line(row, target)
    }
}

/// `row` and a line break (JSON Lines, and the CSV spool).
pub(super) fn line(row: &[u8], target: &mut Target) -> Result<(), CliError> {
    target.write(row)?;
    target.write(b"\n")
}
