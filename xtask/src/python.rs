//! Python tools from PyPI, each in its own venv under `target/tools/<name>`, pinned by
//! `xtask/<name>/requirements.txt` and installed on first use.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The venv's Python for the tool `name`, installed when `module` cannot be imported yet.
pub fn venv(root: &Path, name: &str, module: &str) -> Result<PathBuf, String> {
    let venv = root.join("target/tools").join(name);
    let python = venv.join("bin/python");
    let ready = python.exists()
        && Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if ready {
        return Ok(python);
    }
    println!("== installing {name} into {}", venv.display());
    status(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    status(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(root.join(format!("xtask/{name}/requirements.txt"))),
    )
    .map_err(|e| format!("{e}\n({name} comes from PyPI; is it reachable?)"))?;
    Ok(python)
}

/// Runs `command`; its failure is an error naming it.
pub fn status(command: &mut Command) -> Result<(), String> {
    let s = command.status().map_err(|e| format!("{command:?}: {e}"))?;
    s.success()
        .then_some(())
        .ok_or_else(|| format!("{command:?} failed: {s}"))
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
