//! `cargo xtask unified`: CI's two builds share their dependencies.
//!
//! CI builds `cxkit-cli` without its default features and then the whole workspace with all
//! features. Cargo resolves features per build, so a dependency that gets other features in the
//! second build is compiled again, and so is everything that depends on it (tokio alone drags
//! in nearly the whole tree). `cxkit-cli`'s dev-dependencies list the features the workspace
//! build turns on anyway; this check fails, naming the package, when a dependency change lets
//! the two sets drift apart again. It reads `cargo tree` only: no build.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The cargo arguments of the smaller build, which must be covered by the larger one.
const SMALL: &[&str] = &["-p", "cxkit-cli", "--no-default-features"];
/// The cargo arguments of the README's test command.
const LARGE: &[&str] = &["--workspace", "--all-features"];

/// Fails when a third-party package is built with features in the small build that the large
/// build does not build it with.
pub fn run(root: &Path) -> Result<(), String> {
    let small = packages(root, SMALL)?;
    let large = packages(root, LARGE)?;
    let drifted: Vec<&String> = small
        .iter()
        .filter(|line| !is_member(line) && !large.contains(*line))
        .collect();
    println!(
        "unified: {} third-party package builds of `cargo test {}` are all in `cargo test {}`",
        small.iter().filter(|l| !is_member(l)).count(),
        SMALL.join(" "),
        LARGE.join(" ")
    );
    if drifted.is_empty() {
        return Ok(());
    }
    Err(format!(
        "these dependencies build with other features without cxkit-cli's defaults, so CI \
         compiles them (and all above them) twice; add the workspace build's features to \
         cxkit-cli's unifying dev-dependencies:\n  {}",
        drifted
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    ))
}

/// A workspace member's line names its path (`cxkit v0.1.0 (/…/crates/cxkit) […]`).
fn is_member(line: &str) -> bool {
    line.contains(" (/")
}

/// `name vX.Y.Z [features]` for every package the build compiles; workspace members carry their
/// path in parentheses (they are rebuilt by design: their own features differ).
fn packages(root: &Path, selection: &[&str]) -> Result<BTreeSet<String>, String> {
    let output = Command::new(env!("CARGO"))
        .current_dir(root)
        .arg("tree")
        .args(selection)
        .args([
            "-e",
            "normal,dev,build",
            "--prefix",
            "none",
            "--format",
            "{p} [{f}]",
        ])
        .output()
        .map_err(|e| format!("cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree {} failed:\n{}",
            selection.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim_end_matches(" (*)").to_owned())
        .filter(|line| !line.is_empty())
        .collect())
}
