//! Apache Parquet typed from the spec, written into `FILE.partial` (see `output/parquet.rs`).

use super::{text, Sink, Spec, Target};
use crate::error::CliError;
use crate::output::parquet::{schema_for_spec, ParquetOut};
use serde_json::Value;

/// The rows' JSON Schema until the file is open, then the writer.
pub(super) struct Parquet {
    schema: Value,
    out: Option<ParquetOut>,
}

impl Parquet {
    /// Refuses what Parquet cannot do (no file, `--resume`, `--columns`, rows without a schema).
    pub(super) fn new(spec: &Spec<'_>) -> Result<Self, CliError> {
        Ok(Self {
            schema: schema_for_spec(spec)?,
            out: None,
        })
    }
}

impl Sink for Parquet {
    // `new` already refused `--resume` with its own reason; this keeps checkpoints away.
    fn resumable(&self) -> bool {
        false
    }

    fn open(&mut self, target: &mut Target) -> Result<(), CliError> {
        self.out = Some(ParquetOut::create(target.file()?, &self.schema)?);
        Ok(())
    }

    fn row(&mut self, row: &[u8], _before: u64, _target: &mut Target) -> Result<(), CliError> {
        match &mut self.out {
            Some(out) => out.write_json(text(row)?),
            None => Ok(()),
        }
    }

    fn end(&mut self, _rows: u64, _target: &mut Target) -> Result<(), CliError> {
        match self.out.take() {
            Some(out) => out.finish().map(drop),
            None => Ok(()),
        }
    }
}
