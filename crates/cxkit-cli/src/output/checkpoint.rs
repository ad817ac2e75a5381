//! The checkpoint file beside an export (`FILE.checkpoint`): which command wrote it, where
//! its list can be resumed, and how many rows and bytes of `FILE.partial` that covers.
//! Written atomically (temp file, fsync, rename) only after the data it covers is durable.

use crate::error::CliError;
use cxkit::pagination::Checkpoint;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a checkpoint file holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Saved {
    /// The file format version.
    pub version: u32,
    /// The command line that wrote it (without options that do not change the output).
    pub command: String,
    /// Where the list resumes.
    pub checkpoint: Checkpoint,
    /// Rows in the data file up to here.
    pub rows: u64,
    /// Bytes of the data file up to here; anything after is from a page that did not finish.
    pub bytes: u64,
}

/// `FILE.checkpoint`.
pub fn path_for(output: &Path) -> PathBuf {
    with_suffix(output, "checkpoint")
}

/// `FILE.<suffix>`, beside the output.
pub fn with_suffix(output: &Path, suffix: &str) -> PathBuf {
    let mut name = output.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    output.with_file_name(name)
}

/// Reads the checkpoint of `output`, if there is one.
pub fn load(output: &Path) -> Result<Option<Saved>, CliError> {
    let path = path_for(output);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            CliError::io(format!("{} is not a cxkit checkpoint: {e}", path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::io(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Replaces the checkpoint of `output` atomically.
pub fn save(output: &Path, saved: &Saved) -> Result<(), CliError> {
    let text = serde_json::to_vec_pretty(saved).map_err(|e| CliError::io(e.to_string()))?;
    write_atomically(&path_for(output), &text)
}

/// Replaces `path` with `bytes` so that a crash leaves the old file or the new one, whole:
/// written beside it, synced, renamed over it, and the directory synced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let temp = with_suffix(path, "tmp");
    let fail = |e: std::io::Error| CliError::io(format!("cannot write {}: {e}", path.display()));
    let mut file = std::fs::File::create(&temp).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&temp, path).map_err(fail)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Makes the rename itself durable; a platform that cannot open a directory skips it.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// Removes the checkpoint of `output` (the export completed, or starts over).
pub fn remove(output: &Path) -> Result<(), CliError> {
    match std::fs::remove_file(path_for(output)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CliError::io(format!(
            "cannot remove {}: {e}",
            path_for(output).display()
        ))),
        _ => Ok(()),
    }
}
