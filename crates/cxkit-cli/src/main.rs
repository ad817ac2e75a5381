//! `cxkit`: export, push and receive Zenvia Chat, Converz and Zenvia Conversion data.
//!
//! Run `cxkit --help`; every command's `--help` has an example. `--sandbox` (cargo feature
//! `sandbox`, on by default) runs any command against an embedded fake of the three APIs, with
//! no credentials.

mod args;
mod clients;
mod commands;
#[cfg(feature = "sandbox")]
mod embedded;
mod error;
mod event_log;
mod files;
mod output;
mod period;

use args::{Cli, Command};
use clap::{CommandFactory, FromArgMatches};
use error::CliError;

/// Logs on stderr: `RUST_LOG` when set, else by `-v` count (warnings by default).
fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // A log line that cannot be written (stderr a file on a full disk) is lost, quietly:
        // reporting it would panic in `eprintln!` inside whatever was logging, such as a
        // webhook being acknowledged.
        .log_internal_errors(false)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Options that take a value and change nothing in an export's output, or hold a credential
/// (never recorded: a checkpoint is a file anyone with access to the directory can read).
const NOT_RECORDED: &[&str] = &[
    "--max-attempts",
    "--max-retry-wait",
    "--timeout",
    "--connect-timeout",
    // The embedded sandbox's delay per request: slower, never different.
    "--sandbox-latency-ms",
    "--zchat-token",
    "--zchat-token-file",
    "--converz-api-key",
    "--converz-api-key-file",
    "--conversion-api-key",
    "--conversion-api-key-file",
    "--secret",
    "--secret-file",
];

/// The command line without what does not change an export's output and without
/// credentials, to recognise the command a checkpoint belongs to.
fn command_line() -> String {
    recorded_command(std::env::args().skip(1))
}

pub(crate) fn recorded_command(args: impl IntoIterator<Item = String>) -> String {
    let mut words = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--resume" | "--quiet" | "-q" | "--verbose" | "--allow-http" | "--no-compression" => {}
            a if NOT_RECORDED.contains(&a) => {
                args.next();
            }
            a if NOT_RECORDED
                .iter()
                .any(|p| a.strip_prefix(p).is_some_and(|rest| rest.starts_with('='))) => {}
            a if a.starts_with("-v") && a[1..].chars().all(|c| c == 'v') => {}
            _ => words.push(arg),
        }
    }
    words.join(" ")
}

/// Arguments of the command that do not select rows: its period (the state supplies the start;
/// the end only bounds the cursor), paging and fetching.
const NOT_FILTERS: &[&str] = &[
    "from", // wire-literal: clap argument ids (the CLI's own `--from`)
    "to",   // wire-literal: clap argument ids
    "utc_offset",
    "start_date", // wire-literal: clap argument ids
    "end_date",   // wire-literal: clap argument ids
    "page_size",
    "no_prefetch",
];

/// What selects an export's rows, as given: the subcommand and its own arguments (not the
/// global options, not the period), e.g. `zchat history --channel=WHATSAPP`. An incremental
/// state file records it, so a run with other filters does not continue another's state.
fn row_filters(matches: &clap::ArgMatches) -> String {
    let mut words = Vec::new();
    let mut command = Cli::command();
    let mut matches = matches;
    while let Some((name, sub)) = matches.subcommand() {
        words.push(name.to_owned());
        let Some(next) = command.find_subcommand(name).cloned() else {
            break;
        };
        command = next;
        matches = sub;
    }
    let mut given: Vec<String> = command
        .get_arguments()
        .filter(|arg| !arg.is_global_set())
        .map(|arg| arg.get_id().as_str())
        .filter(|id| !NOT_FILTERS.contains(id))
        .filter(|id| {
            matches!(
                matches.value_source(id),
                Some(
                    clap::parser::ValueSource::CommandLine | clap::parser::ValueSource::EnvVariable
                )
            )
        })
        .map(|id| {
            let values: Vec<String> = matches
                .get_raw(id)
                .map(|raw| raw.map(|v| v.to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            format!("--{id}={}", values.join(","))
        })
        .collect();
    given.sort();
    words.extend(given);
    words.join(" ")
}

async fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<(), CliError> {
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(shell, &mut Cli::command(), "cxkit", &mut std::io::stdout());
        return Ok(());
    }
    if let Command::Airbyte(command) = cli.command {
        return commands::airbyte::run(command, cli.state.as_deref()).await;
    }
    if let Command::Singer(command) = cli.command {
        return commands::singer::run(command, cli.state.as_deref()).await;
    }
    #[cfg(feature = "sandbox")]
    let sandbox = embedded::start(&cli.sandbox).await?;
    #[cfg(not(feature = "sandbox"))]
    let sandbox = None;
    let transport = clients::Transport {
        retry: cli.retry_policy(),
        timeout: cli.timeout.map(std::time::Duration::from_secs),
        connect_timeout: cli.connect_timeout.map(std::time::Duration::from_secs),
        allow_http: cli.allow_http,
        no_compression: cli.no_compression,
    };
    let clients = clients::Clients::new(sandbox, cli.credentials, transport);
    let command = command_line();
    let filters = row_filters(matches);
    let ctx = commands::Context {
        clients: &clients,
        format: cli.format,
        output: cli.output.as_deref(),
        columns: cli.columns.as_deref(),
        // A progress bar would tear the log lines.
        quiet: cli.quiet || cli.verbose > 0,
        resume: cli.resume,
        command: &command,
        filters: &filters,
        csv_safe: cli.csv_safe,
        lookback: cli.lookback,
        state: cli.state.as_deref(),
        concurrency: usize::from(cli.concurrency),
    };
    match cli.command {
        Command::Zchat(c) => commands::zchat(&ctx, c).await,
        Command::Converz(c) => commands::converz(&ctx, c).await,
        Command::Conversion(c) => commands::conversion::run(&ctx, c).await,
        Command::Webhook(c) => commands::webhook(&ctx, c).await,
        Command::Completions { .. } | Command::Airbyte(_) | Command::Singer(_) => Ok(()),
    }
}

/// The process's arguments; called as `tap-cxkit` (a link, for Singer runners that start a
/// tap by its executable), the `singer` command.
fn arguments() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let called = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_stem().map(|s| s.to_owned()));
    if called.is_some_and(|name| name == "tap-cxkit") {
        args.insert(1, "singer".into());
    }
    args
}

#[tokio::main]
async fn main() {
    let matches = Cli::command().get_matches_from(arguments());
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    init_logging(cli.verbose);
    let outcome = tokio::select! {
        outcome = run(cli, &matches) => outcome,
        // Dropping `run` drops the output: a half-written `--output` file is deleted.
        _ = tokio::signal::ctrl_c() => Err(CliError { code: error::INTERRUPTED, message: "interrupted".into() }),
    };
    if let Err(error) = outcome {
        if !error.message.is_empty() {
            eprintln!("cxkit: {error}");
        }
        std::process::exit(error.code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn a_recorded_command_holds_no_credential() {
        let recorded = recorded_command(words(
            "--zchat-token T0K3N --converz-api-key=K3Y --conversion-api-key-file /run/key \
             --sandbox --sandbox-latency-ms=150 zchat history --from 2024-03-01 --resume -vv \
             --timeout 5 --channel WHATSAPP --sandbox-latency-ms 20",
        ));
        assert_eq!(
            recorded,
            "--sandbox zchat history --from 2024-03-01 --channel WHATSAPP"
        );
    }

    #[test]
    fn row_filters_are_the_subcommand_and_its_own_arguments_without_the_period() {
        let matches = Cli::command().get_matches_from(words(
            "cxkit --format csv zchat history --from 2024-03-01 --channel WHATSAPP \
             --page-size 10 --agent b --agent a",
        ));
        assert_eq!(
            row_filters(&matches),
            "zchat history --agents=b,a --channels=WHATSAPP"
        );
    }
}
