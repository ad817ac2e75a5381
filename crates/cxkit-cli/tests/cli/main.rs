//! `cxkit` end to end: every subcommand against the embedded sandbox, every format, atomic
//! output on failure, missing credentials, and no secret in any output.
#![cfg(feature = "sandbox")]

mod as_sent;
mod commands;
#[path = "../common/mod.rs"]
mod common;
mod concurrency;
mod files;
#[cfg(feature = "parquet")]
mod parquet;
mod secrets;

use common::cxkit;
use serde_json::Value;

pub(crate) fn stdout_of(args: &[&str]) -> String {
    let out = cxkit()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

pub(crate) fn jsonl(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--sandbox", "--format", "jsonl"];
    all.extend_from_slice(args);
    stdout_of(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The process umask, as the shell reports it.
pub(crate) fn umask() -> u32 {
    let out = std::process::Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .unwrap();
    u32::from_str_radix(String::from_utf8(out.stdout).unwrap().trim(), 8).unwrap()
}

/// Runs `args` to completion; panics unless it succeeds.
pub(crate) fn run_ok(args: &[&str], file: &std::path::Path) {
    cxkit()
        .args(args)
        .arg("--output")
        .arg(file)
        .assert()
        .success();
}

/// Waits (bounded) until `path` exists.
pub(crate) fn wait_for(path: &std::path::Path) {
    for _ in 0..600 {
        if path.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} never appeared", path.display());
}
