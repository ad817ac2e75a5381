//! What the command reports and exits with.

use std::fmt;

/// A failure with its exit code (see `cxkit --help`).
#[derive(Debug)]
pub struct CliError {
    /// The process exit code.
    pub code: i32,
    /// What to print on stderr (never a credential: built from masked errors).
    pub message: String,
}

/// Exit code: the API refused the request or answered something unreadable.
pub const API: i32 = 1;
/// Exit code: bad usage or input refused before sending.
pub const USAGE: i32 = 2;
/// Exit code: a missing or invalid credential or setting.
pub const CONFIG: i32 = 3;
/// Exit code: the network failed or timed out.
pub const NETWORK: i32 = 4;
/// Exit code: the output could not be written.
pub const IO: i32 = 5;
/// Exit code: interrupted with Ctrl-C.
pub const INTERRUPTED: i32 = 130;

impl CliError {
    /// A usage or input problem.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }
    /// A configuration problem.
    pub fn config(message: impl Into<String>) -> Self {
        Self {
            code: CONFIG,
            message: message.into(),
        }
    }
    /// An output problem.
    pub fn io(message: impl Into<String>) -> Self {
        Self {
            code: IO,
            message: message.into(),
        }
    }

    /// A failed write. A reader that went away (`cxkit … | head`) is not a failure: the
    /// command ends quietly with 0.
    pub fn write(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::BrokenPipe => Self {
                code: 0,
                message: String::new(),
            },
            _ => Self::io(format!("writing the output: {error}")),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<cxkit::Error> for CliError {
    fn from(error: cxkit::Error) -> Self {
        let code = match &error {
            cxkit::Error::Config(_) => CONFIG,
            cxkit::Error::InvalidInput(_) => USAGE,
            cxkit::Error::Transport { .. }
            | cxkit::Error::Timeout { .. }
            | cxkit::Error::Interrupted { .. } => NETWORK,
            _ => API,
        };
        Self {
            code,
            message: error.to_string(),
        }
    }
}

impl std::error::Error for CliError {}
