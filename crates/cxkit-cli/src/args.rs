//! The command line: `cxkit [global options] <vendor> <command> [options]`.

use crate::clients::Credentials;
use crate::commands::{Converz, Webhook, Zchat};
#[cfg(feature = "sandbox")]
use crate::embedded::SandboxArgs;
use crate::output::Format;
use clap::{Parser, Subcommand};
use cxkit::pagination::{DEFAULT_CONCURRENCY, MAX_CONCURRENCY};
use std::path::PathBuf;

/// Export, push and receive contact-center data: Zenvia Chat, Converz, Zenvia Conversion.
///
/// Credentials come from flags or the environment (ZCHAT_TOKEN, CONVERZ_API_KEY +
/// CONVERZ_BASE_URL, CONVERSION_API_KEY); `--sandbox` needs none.

#[derive(Parser, Debug)]
#[command(
    name = "cxkit",
    version,
    after_help = "Examples:
  cxkit --sandbox zchat history --from 2024-03-01 --to 2024-03-31 --format csv --output march.csv
  cxkit converz calls --start-date 2025-07-01 --campaign sales --format jsonl
  cxkit conversion lead retail --utm-source site --phone +5511987654321

Exit codes: 0 ok, 1 the API refused or answered badly, 2 usage, 3 missing or invalid
configuration, 4 network or timeout, 5 output file, 130 interrupted (Ctrl-C)."
)]
pub struct Cli {
    /// The embedded sandbox (cargo feature `sandbox`, on by default).
    #[cfg(feature = "sandbox")]
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Output format (default: a table on a terminal, JSON Lines otherwise).
    #[arg(
        long,
        short,
        global = true,
        value_enum,
        help_heading = "Global options"
    )]
    pub format: Option<Format>,
    /// Write to FILE. Until the export completes it is FILE.partial (json, jsonl and csv with
    /// FILE.checkpoint beside it); a failed or interrupted export never leaves a half FILE.
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub output: Option<PathBuf>,
    /// Continue an export to --output from its FILE.checkpoint (same command and options):
    /// the result is the file an uninterrupted run writes.
    #[arg(
        long,
        global = true,
        requires = "output",
        help_heading = "Global options"
    )]
    pub resume: bool,
    /// Incremental export (list commands with a time filter): start where the run that wrote
    /// FILE stopped, and skip the rows it wrote; FILE is replaced once the output is complete.
    /// With `airbyte read`: the state to read from.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub state: Option<PathBuf>,
    /// With --state: how much earlier than its one-hour overlap a run starts again, to pick
    /// up rows changed after they were created, e.g. `7d`, `12h`, `30m` (default 0). Rows
    /// re-read inside the overlap are dropped; older ones are written again.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        value_parser = parse_lookback,
        default_value = "0",
        help_heading = "Global options"
    )]
    pub lookback: chrono::Duration,
    /// Pages (or date windows, for Conversion) of a list fetched at once, the one being
    /// written included. Rows come in the same order whatever the number; after a 429 fewer
    /// are requested at once, more again after successes.
    #[arg(
        long,
        global = true,
        default_value_t = DEFAULT_CONCURRENCY,
        value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_CONCURRENCY)),
        help_heading = "Global options"
    )]
    pub concurrency: u16,
    /// Table and CSV columns, comma-separated dotted paths (default: every field).
    #[arg(
        long,
        global = true,
        value_delimiter = ',',
        help_heading = "Global options"
    )]
    pub columns: Option<Vec<String>>,
    /// No progress bar or summary on stderr.
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// Log requests, retries and failures on stderr (-v info, -vv debug, -vvv trace);
    /// RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,
    /// Timeout of each attempt, in seconds (default 60): a stalled response is retried.
    #[arg(long, global = true, help_heading = "Global options")]
    pub timeout: Option<u64>,
    /// How long to wait for a connection, in seconds (default 10), apart from --timeout.
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        help_heading = "Global options"
    )]
    pub connect_timeout: Option<u64>,
    /// Ask for identity (uncompressed) responses instead of gzip, br, zstd or deflate, for a
    /// server or proxy that compresses wrongly.
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_compression: bool,
    /// Attempts per request before giving up (default 10; reads only: writes are sent once).
    #[arg(long, global = true, help_heading = "Global options")]
    pub max_attempts: Option<u32>,
    /// The longest wait between attempts, in seconds, computed or asked by the server
    /// (default 30; a longer Retry-After ends the retries).
    #[arg(long, global = true, help_heading = "Global options")]
    pub max_retry_wait: Option<u64>,
    /// Allow a plain http:// base URL to a host other than this machine (the credential and
    /// the data then cross the network unencrypted). Loopback is always allowed.
    #[arg(long, global = true, help_heading = "Credentials")]
    pub allow_http: bool,
    /// CSV: start a cell that begins with =, +, -, @, tab or carriage return with a `'`, so a
    /// spreadsheet shows it as text instead of running it as a formula (changes those cells).
    #[arg(long, global = true, help_heading = "Global options")]
    pub csv_safe: bool,
    #[command(flatten)]
    pub credentials: Credentials,
    #[command(subcommand)]
    pub command: Command,
}

/// `7d`, `12h`, `30m`, `90s` or `0`.
fn parse_lookback(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(chrono::Duration::zero());
    }
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: i64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 7d, 12h, 30m or 90s"))?;
    let seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return Err(format!("`{text}`: the unit is d, h, m or s")),
    };
    match n.checked_mul(seconds) {
        Some(total) if (0..=3650 * 86_400).contains(&total) => Ok(chrono::Duration::seconds(total)),
        _ => Err(format!("`{text}` is outside 0 to 3650 days")),
    }
}

impl Cli {
    /// The retry policy the flags ask for.
    pub fn retry_policy(&self) -> cxkit::RetryPolicy {
        let mut policy = cxkit::RetryPolicy::default();
        if let Some(attempts) = self.max_attempts {
            policy = policy.with_max_attempts(attempts);
        }
        if let Some(wait) = self.max_retry_wait {
            policy = policy.with_max_wait(std::time::Duration::from_secs(wait));
        }
        policy
    }
}

/// The vendors.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Zenvia Chat: reports, history, ongoing interactions, messages.
    #[command(subcommand)]
    Zchat(Zchat),
    /// Converz: users, conversations, analytics, bulk updates.
    #[command(subcommand)]
    Converz(Converz),
    /// Zenvia Conversion: leads, prospects, interactions, quotes, messaging, directory, webhooks.
    #[command(subcommand)]
    Conversion(crate::commands::conversion::Conversion),
    /// Receive Zenvia Conversion webhook deliveries.
    #[command(subcommand)]
    Webhook(Webhook),
    /// Run as an Airbyte source (protocol v0.3): spec, check, discover, read.
    #[command(subcommand)]
    Airbyte(crate::commands::airbyte::Airbyte),
    /// Run as a Singer tap (for Meltano and Singer targets): --discover, or sync with
    /// --catalog and --state. Also runs when the binary is called `tap-cxkit`.
    Singer(crate::commands::singer::Singer),
    /// Print shell completions.
    #[command(after_help = "Example:\n  cxkit completions bash > /etc/bash_completion.d/cxkit")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}
