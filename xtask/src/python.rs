//! Python tools from PyPI, each in its own venv, pinned by `xtask/<name>/requirements.txt` and
//! installed on first use.
//!
//! A venv is kept outside the checkout, in `$CXKIT_TOOLS_DIR` or else
//! `${XDG_CACHE_HOME:-~/.cache}/cxkit-tools`, under a name that carries a hash of its pinned
//! requirements and of the Python that made it: a fresh clone (as CI runs) finds the tools an
//! earlier run installed, and a changed pin or Python gets a venv of its own. A venv counts only
//! once its install finished (a marker written last), so an interrupted install is built again.
//! Without a home directory they go to `target/tools`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A PyPI tool: its venv's name (pinned by `xtask/<name>/requirements.txt`) and the modules
/// (comma-separated) that must import once it is installed.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub name: &'static str,
    pub imports: &'static str,
}

/// schemathesis, which checks each spec against the sandbox.
pub const SCHEMATHESIS: Tool = Tool {
    name: "schemathesis",
    imports: "schemathesis",
};
/// Airbyte's protocol models, which validate every message `cxkit airbyte` prints.
pub const AIRBYTE_PROTOCOL: Tool = Tool {
    name: "airbyte",
    imports: "airbyte_protocol.models",
};
/// The Airbyte CDK and pytest, for the CDK's standard source tests.
pub const AIRBYTE_CDK: Tool = Tool {
    name: "airbyte-cdk",
    imports: "airbyte_cdk, pytest",
};
/// Meltano, which runs `cxkit singer` as a tap.
pub const MELTANO: Tool = Tool {
    name: "singer",
    imports: "meltano",
};
/// target-jsonl, the Singer target Meltano pipes the tap into (its pins clash with Meltano's).
pub const SINGER_TARGET: Tool = Tool {
    name: "singer-target",
    imports: "target_jsonl",
};
/// pyarrow and DuckDB, which read the Parquet exports.
pub const PARQUET_READERS: Tool = Tool {
    name: "parquet",
    imports: "pyarrow, duckdb",
};
/// dlt, the peer the benchmarks compare with.
pub const DLT: Tool = Tool {
    name: "dlt",
    imports: "dlt, pyarrow",
};

/// Every tool, for `cargo xtask tools` (CI installs them while it compiles).
pub const ALL: [Tool; 7] = [
    SCHEMATHESIS,
    AIRBYTE_PROTOCOL,
    AIRBYTE_CDK,
    MELTANO,
    SINGER_TARGET,
    PARQUET_READERS,
    DLT,
];

/// `cargo xtask tools`: installs every tool's venv that is not installed yet.
pub fn install_all(root: &Path) -> Result<(), String> {
    for tool in ALL {
        let python = venv(root, tool)?;
        println!("== {}: {}", tool.name, python.display());
    }
    Ok(())
}

/// The venv's Python for `tool`, installed first if it is not yet.
pub fn venv(root: &Path, tool: Tool) -> Result<PathBuf, String> {
    let Tool {
        name,
        imports: module,
    } = tool;
    let requirements = root.join(format!("xtask/{name}/requirements.txt"));
    let pins =
        std::fs::read(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    let interpreter = python_version()?;
    let dir = tools_dir(root).join(format!("{name}-{:016x}", key(&pins, &interpreter)));
    let python = dir.join("bin/python");
    // Written last: a venv without it is an interrupted install, never used.
    let ready = dir.join(".cxkit-ready");
    if ready.exists() && imports(&python, module) {
        return Ok(python);
    }
    // A venv's scripts name its own path, so it is built where it will live.
    let _ = std::fs::remove_dir_all(&dir);
    println!("== installing {name} into {}", dir.display());
    status(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
    status(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(&requirements),
    )
    .map_err(|e| format!("{e}\n({name} comes from PyPI; is it reachable?)"))?;
    if !imports(&python, module) {
        return Err(format!("{name}: `import {module}` fails after installing"));
    }
    std::fs::write(&ready, &pins).map_err(|e| format!("{}: {e}", ready.display()))?;
    Ok(python)
}

/// Where venvs are kept (see the module's documentation).
fn tools_dir(root: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CXKIT_TOOLS_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|d| !d.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        });
    match cache {
        Some(cache) => cache.join("cxkit-tools"),
        None => root.join("target/tools"),
    }
}

/// The venv's name suffix: the pins and the interpreter that installs them.
fn key(pins: &[u8], interpreter: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    pins.hash(&mut hasher);
    interpreter.hash(&mut hasher);
    hasher.finish()
}

fn python_version() -> Result<String, String> {
    let output = Command::new("python3")
        .args(["-c", "import sys; print(sys.version)"])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !output.status.success() {
        return Err("python3 does not run".into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn imports(python: &Path, module: &str) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Runs `command`; its failure is an error naming it.
pub fn status(command: &mut Command) -> Result<(), String> {
    let s = command.status().map_err(|e| format!("{command:?}: {e}"))?;
    s.success()
        .then_some(())
        .ok_or_else(|| format!("{command:?} failed: {s}"))
}

/// Builds every binary and example of the workspace (debug) in the feature resolution of the
/// README's test command, `cargo test --workspace --all-features`: examples turn the
/// dev-dependencies on as tests do, so after that command this compiles nothing. Building
/// `-p cxkit-cli` alone would resolve other features (no `tokio/test-util`, no `mock`) and
/// compile tokio, reqwest, arrow and every workspace crate again (CI ran three such builds).
pub fn build_debug_binaries(root: &Path) -> Result<(), String> {
    cargo_build(
        root,
        &["--workspace", "--all-features", "--bins", "--examples"],
    )
}

/// `cargo build` of `args` in the workspace at `root`.
pub fn cargo_build(root: &Path, args: &[&str]) -> Result<(), String> {
    status(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .arg("build")
            .args(args),
    )
}
