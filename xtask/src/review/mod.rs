//! `cargo xtask review [BASE] [--markdown] [--deny-breaking]`: every change to a spec since
//! `BASE` (default: the merge base with `main`, else `HEAD~1`), classified for the users of
//! the generated clients, with the version each API crate needs; and the Rust view of the same
//! change from `cargo-semver-checks` when a generated crate changed.
//!
//! The versioning rule (`specs/README.md`) is enforced: a breaking change needs a major
//! version bump (a minor one while the version is 0.x) of the affected crate in the same
//! change, else the review fails. `--deny-breaking` fails on any breaking change.

mod diff;
mod report;
mod rust_view;
#[cfg(test)]
mod tests;

use diff::compare;
use report::{render, Bump, SpecReport, Version};

use std::path::Path;
use std::process::Command;

/// The options.
#[derive(Debug, Default)]
pub struct Options {
    base: Option<String>,
    markdown: bool,
    deny_breaking: bool,
    no_rust: bool,
}

impl Options {
    /// From `cargo xtask review …`'s arguments; `None` on a word it does not know.
    pub fn parse(args: &[&str]) -> Option<Self> {
        let mut options = Options::default();
        for arg in args {
            match *arg {
                "--markdown" => options.markdown = true,
                "--deny-breaking" => options.deny_breaking = true,
                "--no-rust" => options.no_rust = true,
                a if !a.starts_with('-') && options.base.is_none() => {
                    options.base = Some(a.to_owned())
                }
                _ => return None,
            }
        }
        Some(options)
    }
}

/// The API crate generated from each spec.
const CRATES: &[(&str, &str)] = &[
    ("zchat.yaml", "zchat-api"),
    ("converz.yaml", "converz-api"),
    ("conversion.yaml", "conversion-api"),
];

/// Runs the review.
pub fn run(root: &Path, options: Options) -> Result<(), String> {
    let base = match options.base {
        Some(b) => b,
        None => default_base(root)?,
    };
    let mut reports = Vec::new();
    for (file, krate) in CRATES {
        let after_text = std::fs::read_to_string(root.join("specs").join(file))
            .map_err(|e| format!("specs/{file}: {e}"))?;
        let after = crate::specs::parse_raw(&after_text)?;
        let before = match git_show(root, &base, &format!("specs/{file}")) {
            Some(text) => crate::specs::parse_raw(&text)?,
            None => serde_yaml::Value::Null,
        };
        let changes = if before.is_null() {
            Vec::new()
        } else {
            compare(&before, &after)
        };
        reports.push(SpecReport {
            spec: (*file).to_owned(),
            krate: (*krate).to_owned(),
            new: before.is_null(),
            changes,
            version_before: version_at(root, Some(&base), krate),
            version_after: version_at(root, None, krate),
            rust: None,
        });
    }
    if !options.no_rust {
        for report in reports.iter_mut().filter(|r| !r.changes.is_empty()) {
            report.rust = Some(rust_view::semver_checks(root, &report.krate, &base));
        }
    }
    print!("{}", render(&base, &reports, options.markdown));
    let unbumped: Vec<String> = reports
        .iter()
        .filter_map(SpecReport::missing_bump)
        .collect();
    if !unbumped.is_empty() {
        return Err(format!(
            "the versioning rule (specs/README.md): {}",
            unbumped.join("; ")
        ));
    }
    if options.deny_breaking && reports.iter().any(|r| r.bump() == Bump::Breaking) {
        return Err("breaking changes (--deny-breaking)".into());
    }
    Ok(())
}

/// The merge base with `main` when that differs from `HEAD`, else `HEAD~1`.
fn default_base(root: &Path) -> Result<String, String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "HEAD"]).ok_or("not a git checkout")?;
    if let Some(base) = git(&["merge-base", "HEAD", "main"]).filter(|b| *b != head) {
        return Ok(base);
    }
    git(&["rev-parse", "HEAD~1"]).ok_or_else(|| "no BASE: pass one (a commit or ref)".into())
}

fn git_show(root: &Path, rev: &str, path: &str) -> Option<String> {
    let out = Command::new("git")
        .current_dir(root)
        .args(["show", &format!("{rev}:{path}")])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The version of `krate` at `rev` (the work tree when `None`): its own `version`, or the
/// workspace's when it inherits it.
fn version_at(root: &Path, rev: Option<&str>, krate: &str) -> Option<Version> {
    let read = |path: &str| match rev {
        Some(rev) => git_show(root, rev, path),
        None => std::fs::read_to_string(root.join(path)).ok(),
    };
    let manifest = read(&format!("crates/{krate}/Cargo.toml"))?;
    let own = version_line(&manifest, "[package]");
    let text = match own {
        Some(v) => v,
        None => version_line(&read("Cargo.toml")?, "[workspace.package]")?,
    };
    Version::parse(&text)
}

/// The `version = "…"` of `section` in a manifest.
fn version_line(manifest: &str, section: &str) -> Option<String> {
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
            continue;
        }
        if inside {
            if let Some(rest) = line.strip_prefix("version") {
                let rest = rest.trim_start();
                if let Some(value) = rest.strip_prefix('=') {
                    let value = value.trim();
                    if value.starts_with('"') {
                        return Some(value.trim_matches('"').to_owned());
                    }
                }
            }
        }
    }
    None
}
