//! The Rust view: `cargo-semver-checks` (crates.io) on a generated crate between BASE and the
//! work tree, installed on first use.

use super::report::Bump;
use std::path::Path;
use std::process::{Command, Stdio};

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn installed() -> bool {
    cargo()
        .args(["semver-checks", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The bump `cargo semver-checks` finds for `krate` against `base`, or why it could not run.
pub fn semver_checks(root: &Path, krate: &str, base: &str) -> Result<Bump, String> {
    if !installed() {
        println!("== installing cargo-semver-checks (crates.io; a few minutes, once)");
        let ok = cargo()
            .args(["install", "--locked", "cargo-semver-checks"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok || !installed() {
            return Err("cargo-semver-checks could not be installed: \
                        `cargo install --locked cargo-semver-checks` needs crates.io"
                .into());
        }
    }
    println!("== cargo semver-checks -p {krate} --baseline-rev {base}");
    let out = cargo()
        .current_dir(root)
        .args([
            "semver-checks",
            "check-release",
            "-p",
            krate,
            "--baseline-rev",
            base,
        ])
        .args(["--release-type", "patch"])
        .output()
        .map_err(|e| format!("cargo semver-checks: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    // Checked as a patch release: any finding means the change is not patch-compatible; a
    // finding that needs a major bump is breaking, a minor one is an addition.
    if out.status.success() {
        return Ok(Bump::None);
    }
    if text.contains("requires new major version") {
        Ok(Bump::Breaking)
    } else if text.contains("requires new minor version") {
        Ok(Bump::Compatible)
    } else {
        Err(format!(
            "cargo semver-checks failed: {}",
            text.lines().last().unwrap_or_default()
        ))
    }
}
