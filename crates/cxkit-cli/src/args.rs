//! The command line: `cxkit [global options] <vendor> <command> [options]`.

use crate::period::Period;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Export, push and receive contact-center data: Zenvia Chat, Converz, Zenvia Conversion.
///
/// Credentials come from flags or the environment (ZCHAT_TOKEN, CONVERZ_API_KEY +
/// CONVERZ_BASE_URL, CONVERSION_API_KEY); `--sandbox` needs none.
use cxkit::pagination::{DEFAULT_CONCURRENCY, MAX_CONCURRENCY};

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
    /// Write to FILE. Until the export completes it is FILE.partial, with FILE.checkpoint
    /// beside it; a failed or interrupted export never leaves a half FILE.
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

/// The embedded sandbox's flags.
#[cfg(feature = "sandbox")]
#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Start an embedded sandbox and point the command at it (no credentials needed).
    #[arg(long = "sandbox", global = true, help_heading = "Global options")]
    pub enabled: bool,
    /// With --sandbox: zchat history rows and Converz calls it serves (default 10,000).
    #[arg(
        long = "sandbox-rows",
        global = true,
        default_value_t = 10_000,
        help_heading = "Global options"
    )]
    pub rows: u64,
    /// With --sandbox: latency added to every response, in milliseconds.
    #[arg(
        long = "sandbox-latency-ms",
        global = true,
        default_value_t = 0,
        help_heading = "Global options"
    )]
    pub latency_ms: u64,
    /// With --sandbox: injected faults, e.g. `mixed=0.2` or `429=0.05,cut=0.05,drop=0.05`
    /// (kinds: 429, 5xx, drop, cut, stall, slow, mixed), deterministic from the seed.
    #[arg(
        long = "sandbox-faults",
        global = true,
        help_heading = "Global options"
    )]
    pub faults: Option<String>,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table (best on a terminal).
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header.
    Csv,
    /// Apache Parquet typed from the spec (needs --output; cargo feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}

/// Credentials and base URLs; each falls back to its environment variable. `Debug` shows
/// whether a credential is set, never its value.
#[derive(Args, Default)]
pub struct Credentials {
    /// Zenvia Chat API token. A flag is visible to other users of this machine (`ps`): prefer
    /// ZCHAT_TOKEN or --zchat-token-file.
    #[arg(
        long,
        env = cxkit::zchat::TOKEN_VAR,
        hide_env_values = true,
        global = true,
        help_heading = "Credentials"
    )]
    pub zchat_token: Option<String>,
    /// A file holding the Zenvia Chat API token (e.g. a mounted secret).
    #[arg(
        long,
        env = cxkit::zchat::TOKEN_FILE_VAR,
        value_name = "FILE",
        global = true,
        help_heading = "Credentials"
    )]
    pub zchat_token_file: Option<PathBuf>,
    /// Zenvia Chat base URL override.
    #[arg(
        long,
        env = cxkit::zchat::BASE_URL_VAR,
        global = true,
        help_heading = "Credentials"
    )]
    pub zchat_base_url: Option<String>,
    /// Converz API key. A flag is visible to other users of this machine (`ps`): prefer
    /// CONVERZ_API_KEY or --converz-api-key-file.
    #[arg(
        long,
        env = cxkit::converz::API_KEY_VAR,
        hide_env_values = true,
        global = true,
        help_heading = "Credentials"
    )]
    pub converz_api_key: Option<String>,
    /// A file holding the Converz API key (e.g. a mounted secret).
    #[arg(
        long,
        env = cxkit::converz::API_KEY_FILE_VAR,
        value_name = "FILE",
        global = true,
        help_heading = "Credentials"
    )]
    pub converz_api_key_file: Option<PathBuf>,
    /// Converz base URL (your tenant's, e.g. https://acme.converz.co/api/v1).
    #[arg(
        long,
        env = cxkit::converz::BASE_URL_VAR,
        global = true,
        help_heading = "Credentials"
    )]
    pub converz_base_url: Option<String>,
    /// Zenvia Conversion API key. A flag is visible to other users of this machine (`ps`): prefer
    /// CONVERSION_API_KEY or --conversion-api-key-file.
    #[arg(
        long,
        env = cxkit::conversion::API_KEY_VAR,
        hide_env_values = true,
        global = true,
        help_heading = "Credentials"
    )]
    pub conversion_api_key: Option<String>,
    /// A file holding the Zenvia Conversion API key (e.g. a mounted secret).
    #[arg(
        long,
        env = cxkit::conversion::API_KEY_FILE_VAR,
        value_name = "FILE",
        global = true,
        help_heading = "Credentials"
    )]
    pub conversion_api_key_file: Option<PathBuf>,
    /// Zenvia Conversion base URL override.
    #[arg(
        long,
        env = cxkit::conversion::BASE_URL_VAR,
        global = true,
        help_heading = "Credentials"
    )]
    pub conversion_base_url: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Credentials")
            .field("zchat_token", &set(&self.zchat_token))
            .field("zchat_token_file", &self.zchat_token_file)
            .field("zchat_base_url", &self.zchat_base_url)
            .field("converz_api_key", &set(&self.converz_api_key))
            .field("converz_api_key_file", &self.converz_api_key_file)
            .field("converz_base_url", &self.converz_base_url)
            .field("conversion_api_key", &set(&self.conversion_api_key))
            .field("conversion_api_key_file", &self.conversion_api_key_file)
            .field("conversion_base_url", &self.conversion_base_url)
            .finish()
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
    Conversion(crate::conversion::Conversion),
    /// Receive Zenvia Conversion webhook deliveries.
    #[command(subcommand)]
    Webhook(Webhook),
    /// Run as an Airbyte source (protocol v0.3): spec, check, discover, read.
    #[command(subcommand)]
    Airbyte(crate::airbyte::Airbyte),
    /// Run as a Singer tap (for Meltano and Singer targets): --discover, or sync with
    /// --catalog and --state. Also runs when the binary is called `tap-cxkit`.
    Singer(crate::singer::Singer),
    /// Print shell completions.
    #[command(after_help = "Example:\n  cxkit completions bash > /etc/bash_completion.d/cxkit")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// zchat filters shared by its lists.
#[derive(Args, Debug, Clone)]
pub struct ZchatFilters {
    /// Only this channel (repeatable): WHATSAPP, EMAIL, TEXT, …
    #[arg(long = "channel")]
    pub channels: Vec<String>,
    /// Only this status, the rows' `current_state` (repeatable): ENDED, CANCELED, …
    /// (`--state` is the incremental state file.)
    #[arg(long = "current-state")]
    pub states: Vec<String>,
    /// Only this agent id (repeatable).
    #[arg(long = "agent")]
    pub agents: Vec<String>,
    /// Only this department id (repeatable).
    #[arg(long = "department")]
    pub departments: Vec<String>,
    /// Rows per request (1 to 10,000).
    #[arg(long, default_value_t = 1000)]
    pub page_size: u32,
}

/// Zenvia Chat commands.
#[derive(Subcommand, Debug)]
pub enum Zchat {
    /// The Digital Channels report.
    #[command(
        after_help = "Example:\n  cxkit --sandbox zchat report --group-by channel --from 2024-03-01 --to 2024-03-31"
    )]
    Report {
        #[command(flatten)]
        period: Period,
        /// Grouping: period, tag, department, channel, agent.
        #[arg(long, default_value = "period")]
        group_by: String,
        #[command(flatten)]
        filters: ZchatFilters,
    },
    /// Service history, every page.
    #[command(
        after_help = "Example:\n  cxkit --sandbox zchat history --from 2024-03-01 --to 2024-03-31 --channel WHATSAPP --format csv"
    )]
    History {
        #[command(flatten)]
        period: Period,
        #[command(flatten)]
        filters: ZchatFilters,
        /// Client name, agent e-mail or interaction id.
        #[arg(long)]
        search: Option<String>,
        /// Only sent (true) or received (false) interactions.
        #[arg(long)]
        active: Option<bool>,
        /// The expanded rows (every column the vendor has).
        #[arg(long)]
        expanded: bool,
        /// Fetch pages one after another: --concurrency 1, under its older name (hidden).
        #[arg(long, hide = true)]
        no_prefetch: bool,
    },
    /// Ongoing interactions, every page.
    #[command(after_help = "Example:\n  cxkit --sandbox zchat ongoing --current-state NOT_ANSWER")]
    Ongoing {
        #[command(flatten)]
        filters: ZchatFilters,
    },
    /// The messages of one conversation.
    #[command(after_help = "Example:\n  cxkit --sandbox zchat messages 202400000042")]
    Messages {
        /// The protocol number.
        protocol: String,
    },
}

/// Converz commands.
#[derive(Subcommand, Debug)]
pub enum Converz {
    /// Users, every page.
    #[command(after_help = "Example:\n  cxkit --sandbox converz reps --department support")]
    Reps {
        /// Only this user (repeatable).
        #[arg(long = "rep-id")]
        rep_ids: Vec<String>,
        /// Only this department (repeatable).
        #[arg(long = "department")]
        departments: Vec<String>,
        /// Only active (true) or inactive (false) users.
        #[arg(long)]
        active: Option<bool>,
        /// Rows per request (1 to 1,000,000).
        #[arg(long, default_value_t = 10_000)]
        page_size: u64,
    },
    /// Conversations, every page, streamed.
    #[command(
        after_help = "Example:\n  cxkit --sandbox converz calls --start-date 2024-03-01 --end-date 2024-03-07 --campaign sales --format csv"
    )]
    Calls {
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        start_date: Option<chrono::NaiveDate>,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        end_date: Option<chrono::NaiveDate>,
        /// Only this campaign (repeatable).
        #[arg(long = "campaign")]
        campaigns: Vec<String>,
        /// Only this vendor (repeatable).
        #[arg(long = "vendor")]
        vendors: Vec<String>,
        /// Only this user (repeatable).
        #[arg(long = "rep-id")]
        rep_ids: Vec<String>,
        /// Only these columns (repeatable).
        #[arg(long = "column")]
        columns: Vec<String>,
        /// Metrics to compute (repeatable).
        #[arg(long = "metric")]
        metrics: Vec<String>,
        /// Rows per request (1 to 1,000,000).
        #[arg(long, default_value_t = 100_000)]
        page_size: u64,
    },
    /// Aggregated analytics.
    #[command(
        after_help = "Example:\n  cxkit --sandbox converz report --group-by date --group-by campaign --metric n_calls"
    )]
    Report {
        /// Last N days.
        #[arg(long)]
        days: Option<u64>,
        /// Dimension to group by (repeatable): date, week, month, campaign, rep_id, …
        #[arg(long = "group-by")]
        group_by: Vec<String>,
        /// Metric (repeatable): n_calls, avg_duration, total_duration, …
        #[arg(long = "metric")]
        metrics: Vec<String>,
    },
    /// Update users from a CSV with a rep_id column (empty cells are left untouched).
    #[command(after_help = "Example:\n  cxkit --sandbox converz update-reps --csv teams.csv")]
    UpdateReps {
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
    },
    /// Update conversations from a CSV with a call_id column (empty cells are left untouched).
    #[command(after_help = "Example:\n  cxkit --sandbox converz update-calls --csv reviewed.csv")]
    UpdateCalls {
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
    },
}

/// The shared webhook secret, from a flag, a file or the environment.
#[derive(Args, Debug, Clone)]
pub struct WebhookSecret {
    /// The shared secret deliveries carry as ?secret=… (16 characters or more). A flag is
    /// visible to other users of this machine (`ps`): prefer WEBHOOK_SECRET or --secret-file.
    #[arg(long, env = cxkit::conversion::webhook::SECRET_VAR, hide_env_values = true)]
    pub secret: Option<String>,
    /// A file holding the shared secret (e.g. a mounted secret).
    #[arg(long, env = cxkit::conversion::webhook::SECRET_FILE_VAR, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
}

impl WebhookSecret {
    /// The secret, checked: present, from one place only, 16 characters or more.
    pub fn resolve(&self) -> Result<cxkit::Secret, crate::error::CliError> {
        let secret = crate::clients::one_secret(
            self.secret.as_deref(),
            self.secret_file.as_deref(),
            ("--secret", cxkit::conversion::webhook::SECRET_VAR),
            ("--secret-file", cxkit::conversion::webhook::SECRET_FILE_VAR),
        )?
        .ok_or_else(|| {
            crate::error::CliError::config(format!(
                "missing the webhook secret: set {} or {}, or pass --secret or --secret-file",
                cxkit::conversion::webhook::SECRET_VAR,
                cxkit::conversion::webhook::SECRET_FILE_VAR
            ))
        })?;
        let secret = cxkit::Secret::new(secret);
        cxkit::conversion::webhook::check_secret(&secret)
            .map_err(|e| crate::error::CliError::config(e.to_string()))?;
        Ok(secret)
    }
}

/// Webhook commands.
#[derive(Subcommand, Debug)]
pub enum Webhook {
    /// Receive deliveries and print each event (JSON Lines by default).
    ///
    /// The secret is checked before the body is read; bodies over --max-body-kib get 413,
    /// headers and bodies that take over 10 s are cut, at most --max-connections are open at
    /// once. A redelivery of an event already written (same topic, type, operationId and
    /// updatedAt) is acknowledged without being written again; a new change of the same
    /// object always is.
    #[command(
        after_help = "Example:\n  WEBHOOK_SECRET=$(openssl rand -hex 24) cxkit webhook listen --addr 127.0.0.1:8080 --output events.jsonl"
    )]
    Listen {
        /// Address to listen on (put a TLS proxy in front of it to receive from the internet).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        secret: WebhookSecret,
        /// Stop after this many events.
        #[arg(long)]
        max_events: Option<u64>,
        /// Connections open at once; more wait for a free one.
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        max_connections: u32,
        /// The largest delivery body accepted, in KiB.
        #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
        max_body_kib: u32,
        /// Events remembered to drop their redeliveries (with --output, across restarts too).
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..))]
        dedup_capacity: u32,
    },
}
