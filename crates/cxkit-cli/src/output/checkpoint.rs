//! The checkpoint file beside an export (`FILE.checkpoint`): which command wrote it, where
//! its list can be resumed, and how many rows and bytes of `FILE.partial` that covers.
//! Written atomically (temp file, fsync, rename) only after the data it covers is durable.
//! It never holds a credential: the command is recorded without credential values.

use crate::error::CliError;
use crate::files;
use cxkit::pagination::Checkpoint;
use std::path::{Path, PathBuf};

/// What a checkpoint file holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Saved {
    /// The file format version.
    pub version: u32,
    /// The command line that wrote it (without options that do not change the output, and
    /// without credentials).
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

pub use files::with_suffix;

/// Reads the checkpoint of `output`, if there is one.
pub fn load(output: &Path) -> Result<Option<Saved>, CliError> {
    let path = path_for(output);
    match files::read_if_present(&path)? {
        Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            CliError::io(format!("{} is not a cxkit checkpoint: {e}", path.display()))
        }),
        None => Ok(None),
    }
}

/// Replaces the checkpoint of `output` atomically.
pub fn save(output: &Path, saved: &Saved) -> Result<(), CliError> {
    let text = serde_json::to_vec_pretty(saved).map_err(|e| CliError::io(e.to_string()))?;
    files::replace_atomically(&path_for(output), &text)
}

/// Removes the checkpoint of `output` (the export completed, or starts over).
pub fn remove(output: &Path) -> Result<(), CliError> {
    files::remove_if_present(&path_for(output))
}
