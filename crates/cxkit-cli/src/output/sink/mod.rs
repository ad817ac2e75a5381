//! One sink per output format behind [`Sink`]: what a new output starts with, how each row's
//! JSON text is written, and how the output ends. [`Format::sink`] is the one place a format
//! is chosen; the [`Output`](super::Output) around a sink (the target file, checkpoints,
//! counting, progress) is the same for every format.

mod csv;
mod json;
#[cfg(feature = "parquet")]
mod parquet;
mod table;

use super::tabular::Layout;
use super::target::Target;
use super::{Format, Spec};
use crate::error::CliError;
use std::path::Path;

/// How one format writes rows.
pub(super) trait Sink: Send {
    /// Whether rows are kept in a file until the end even on stdout (CSV learns its columns
    /// from every row before writing its header).
    fn spools(&self) -> bool {
        false
    }

    /// Whether `--resume` can continue this format's file, and so whether checkpoints are
    /// recorded while it is written (a table is written whole at the end and a Parquet file
    /// ends with its footer: neither is, so an interrupted one leaves no checkpoint behind).
    fn resumable(&self) -> bool {
        true
    }

    /// Called once the target is open, new or resumed.
    fn open(&mut self, _target: &mut Target) -> Result<(), CliError> {
        Ok(())
    }

    /// What a new (not resumed) output starts with.
    fn begin(&mut self, _target: &mut Target) -> Result<(), CliError> {
        Ok(())
    }

    /// Writes the row whose JSON text is `row`; `before` rows were written before it
    /// (resumed ones included).
    fn row(&mut self, row: &[u8], before: u64, target: &mut Target) -> Result<(), CliError>;

    /// What ends the output once every row is written; `rows` is how many there were.
    fn end(&mut self, _rows: u64, _target: &mut Target) -> Result<(), CliError> {
        Ok(())
    }

    /// After the target is durable: puts the finished output at `path` (or on stdout) itself
    /// and says so, or leaves it to the caller (`false`: `FILE.partial` is renamed to `FILE`).
    fn place(&mut self, _target: &mut Target, _path: Option<&Path>) -> Result<bool, CliError> {
        Ok(false)
    }
}

impl Format {
    /// This format's sink for `spec`, writing the columns of `layout` where it has columns.
    /// Refuses what the format cannot do before anything is opened.
    pub(super) fn sink(self, spec: &Spec<'_>, layout: Layout) -> Result<Box<dyn Sink>, CliError> {
        Ok(match self {
            Format::Json => Box::new(json::Json),
            Format::Jsonl => Box::new(json::Jsonl),
            Format::Csv => Box::new(csv::Csv::new(layout, spec)),
            Format::Table => Box::new(table::Table::new(layout)),
            #[cfg(feature = "parquet")]
            Format::Parquet => Box::new(parquet::Parquet::new(spec)?),
        })
    }
}

/// A row's text as UTF-8 (what JSON is).
fn text(row: &[u8]) -> Result<&str, CliError> {
    std::str::from_utf8(row).map_err(|e| CliError::io(format!("a row is not UTF-8: {e}")))
}

fn not_json(e: serde_json::Error) -> CliError {
    CliError::io(format!("a row is not JSON: {e}"))
}
