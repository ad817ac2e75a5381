//! Checks of cxkit's data-platform outputs with tools we did not write (PyPI):
//!
//! - `cargo xtask airbyte`: `cxkit airbyte` against the Airbyte protocol's published models
//!   (`airbyte-protocol-models`) with `xtask/airbyte/check.py`: every message of spec, check,
//!   discover and two reads against the embedded sandbox, records against their streams'
//!   schemas, and no record repeated by a read that continues from the first one's state.
//!   Then the Airbyte CDK's own standard source tests (`airbyte-cdk`'s
//!   `SourceTestSuiteBase`, driven by `xtask/airbyte-cdk/acceptance-test-config.yml`) with
//!   warnings as errors, the connector launched as a subprocess of the binary instead of a
//!   Docker image (`xtask/airbyte-cdk/test_cxkit_airbyte.py`).
//! - `cargo xtask singer`: `cxkit singer` through real Singer tooling (`xtask/singer/check.py`):
//!   a Singer target (`target-jsonl`) fed by the tap, and Meltano running it as a custom
//!   extractor by its executable, twice, the second run from the state Meltano kept.
//! - `cargo xtask parquet`: Parquet exports read by pyarrow and DuckDB
//!   (`xtask/parquet/check.py`): row counts, the spec's types, a query.
//!
//! `--release` tests the release binary (what users run); by default the debug one, which the
//! test step has already built.

use crate::python::{
    build_debug_binaries, cargo_build, status, venv, Tool, AIRBYTE_CDK, AIRBYTE_PROTOCOL, MELTANO,
    SINGER_TARGET,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the CLI (release with `release`) and returns its path.
pub fn cxkit(root: &Path, release: bool) -> Result<PathBuf, String> {
    println!(
        "== building cxkit{}",
        if release { " (release)" } else { "" }
    );
    if release {
        cargo_build(root, &["-p", "cxkit-cli", "--bin", "cxkit", "--release"])?;
    } else {
        build_debug_binaries(root)?;
    }
    Ok(root.join(if release {
        "target/release/cxkit"
    } else {
        "target/debug/cxkit"
    }))
}

/// Builds the CLI and runs `xtask/<tool>/check.py` with it, in the venv of `tool`.
pub fn run(root: &Path, tool: Tool, release: bool) -> Result<(), String> {
    let python = venv(root, tool)?;
    let binary = cxkit(root, release)?;
    println!("== xtask/{}/check.py", tool.name);
    status(
        Command::new(python)
            .arg(root.join(format!("xtask/{}/check.py", tool.name)))
            .arg(&binary),
    )
}

/// `cargo xtask singer`: Meltano in one venv, the Singer target in another (their pins clash).
pub fn singer(root: &Path, release: bool) -> Result<(), String> {
    let python = venv(root, MELTANO)?;
    let target = venv(root, SINGER_TARGET)?;
    let binary = cxkit(root, release)?;
    println!("== xtask/singer/check.py");
    status(
        Command::new(python)
            .arg(root.join("xtask/singer/check.py"))
            .arg(&binary)
            .arg(target.with_file_name("target-jsonl")),
    )
}

/// `cargo xtask airbyte`: the protocol-models check, then the CDK's standard source tests.
pub fn airbyte(root: &Path, release: bool) -> Result<(), String> {
    run(root, AIRBYTE_PROTOCOL, release)?;
    let python = venv(root, AIRBYTE_CDK)?;
    let binary = cxkit(root, release)?;
    // The CDK writes its temp configs and catalogs under $TMPDIR/airbyte-test and leaves them.
    let scratch = root.join("target/tools/airbyte-cdk-tmp");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    println!("== the Airbyte CDK's standard source tests (xtask/airbyte-cdk)");
    let outcome = status(
        Command::new(python)
            .current_dir(root.join("xtask/airbyte-cdk"))
            .args(["-m", "pytest", "-W", "error"])
            // Importing the CDK warns about its own experimental classes; only that is ignored.
            .args([
                "-W",
                "ignore:This class is experimental. Use at your own risk.:DeprecationWarning",
            ])
            .args([
                "-p",
                "no:cacheprovider",
                "-m",
                "not image_tests",
                "-rA",
                "-q",
            ])
            .env("CXKIT_BIN", &binary)
            .env("TMPDIR", &scratch)
            .env("PYTHONDONTWRITEBYTECODE", "1"),
    );
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}
