//! The output formats `--format` names.

use clap::ValueEnum;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table (best on a terminal).
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
    /// Apache Parquet typed from the spec (needs --output; cargo feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}
