//! What an operator must be able to trust (issue #24), end to end through the binary: every
//! acknowledged webhook event kept once and no new change dropped, no receiver that opens
//! without a secret, no credential in any file, no file written through a planted link or
//! shared by two runs, no state that skips rows, no clear-text credentials by accident.
#![cfg(feature = "sandbox")]

#[path = "../common/mod.rs"]
mod common;
mod files;
mod network;
mod output;
mod state;
mod webhook;

/// Every file under `dir` that contains `needle` (names and contents).
pub(crate) fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.display().to_string();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        if name.contains(needle) || text.contains(needle) {
            found.push(name);
        }
    }
    found
}

/// Waits (bounded) until `path` exists.
pub(crate) fn common_wait_for(path: &std::path::Path) {
    for _ in 0..600 {
        if path.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} never appeared", path.display());
}
