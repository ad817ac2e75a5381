//! Checks of cxkit's data-platform outputs with tools we did not write (PyPI):
//!
//! - `cargo xtask airbyte`: `cxkit airbyte` against the Airbyte protocol's published models
//!   (`airbyte-protocol-models`) with `xtask/airbyte/check.py`: every message of spec, check,
//!   discover and two reads against the embedded sandbox, records against their streams'
//!   schemas, and no record repeated by a read that continues from the first one's state.
//! - `cargo xtask parquet`: Parquet exports read by pyarrow and DuckDB
//!   (`xtask/parquet/check.py`): row counts, the spec's types, a query.

use crate::python::{cargo_build, status, venv};
use std::path::Path;
use std::process::Command;

/// Builds the CLI and runs `xtask/<tool>/check.py` with it, in the venv of `tool` (which
/// must import `module`).
pub fn run(root: &Path, tool: &str, module: &str) -> Result<(), String> {
    let python = venv(root, tool, module)?;
    println!("== building cxkit");
    cargo_build(root, &["-p", "cxkit-cli", "--bin", "cxkit"])?;
    println!("== xtask/{tool}/check.py");
    status(
        Command::new(python)
            .arg(root.join(format!("xtask/{tool}/check.py")))
            .arg(root.join("target/debug/cxkit")),
    )
}
