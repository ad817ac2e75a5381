//! `cargo xtask airbyte`: checks `cxkit airbyte` against the Airbyte protocol's published
//! models (`airbyte-protocol-models`, PyPI) with `xtask/airbyte/check.py`: every message of
//! spec, check, discover and two reads against the embedded sandbox, records against their
//! streams' schemas, and no record repeated by a read that continues from the first one's
//! state.

use crate::python::{cargo_build, status, venv};
use std::path::Path;
use std::process::Command;

/// Builds the CLI and runs the protocol check.
pub fn run(root: &Path) -> Result<(), String> {
    let python = venv(root, "airbyte", "airbyte_protocol.models")?;
    println!("== building cxkit");
    cargo_build(root, &["-p", "cxkit-cli", "--bin", "cxkit"])?;
    println!("== cxkit airbyte against airbyte-protocol-models");
    status(
        Command::new(python)
            .arg(root.join("xtask/airbyte/check.py"))
            .arg(root.join("target/debug/cxkit")),
    )
}
