//! `cxkit`: export, push and receive Zenvia Chat, Converz and Zenvia Conversion data.
//!
//! Run `cxkit --help`; every command's `--help` has an example. `--sandbox` (cargo feature
//! `sandbox`, on by default) runs any command against an embedded fake of the three APIs, with
//! no credentials.

mod airbyte;
mod args;
mod clients;
mod commands;
mod conversion;
#[cfg(feature = "sandbox")]
mod embedded;
mod error;
mod event_log;
mod output;

use args::{Cli, Command};
use clap::{CommandFactory, Parser};
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
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// The command line without what does not change an export's output, to recognise the
/// command a checkpoint belongs to.
fn command_line() -> String {
    let mut words = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--resume" | "--quiet" | "-q" => {}
            "--max-attempts" | "--max-retry-wait" | "--timeout" => {
                args.next();
            }
            a if ["--max-attempts=", "--max-retry-wait=", "--timeout="]
                .iter()
                .any(|p| a.starts_with(p)) => {}
            a if a.starts_with("-v") && a[1..].chars().all(|c| c == 'v') => {}
            "--verbose" => {}
            _ => words.push(arg),
        }
    }
    words.join(" ")
}

async fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(shell, &mut Cli::command(), "cxkit", &mut std::io::stdout());
        return Ok(());
    }
    if let Command::Airbyte(command) = cli.command {
        return airbyte::run(command, cli.state.as_deref()).await;
    }
    #[cfg(feature = "sandbox")]
    let sandbox = embedded::start(&cli.sandbox).await?;
    #[cfg(not(feature = "sandbox"))]
    let sandbox = None;
    let retry = cli.retry_policy();
    let timeout = cli.timeout.map(std::time::Duration::from_secs);
    let clients = clients::Clients::new(sandbox, cli.credentials, retry, timeout);
    let command = command_line();
    let ctx = commands::Context {
        clients: &clients,
        format: cli.format,
        output: cli.output.as_deref(),
        columns: cli.columns.as_deref(),
        // A progress bar would tear the log lines.
        quiet: cli.quiet || cli.verbose > 0,
        resume: cli.resume,
        command: &command,
        state: cli.state.as_deref(),
        concurrency: usize::from(cli.concurrency),
    };
    match cli.command {
        Command::Zchat(c) => commands::zchat(&ctx, c).await,
        Command::Converz(c) => commands::converz(&ctx, c).await,
        Command::Conversion(c) => conversion::run(&ctx, c).await,
        Command::Webhook(c) => commands::webhook(&ctx, c).await,
        Command::Completions { .. } | Command::Airbyte(_) => Ok(()),
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let outcome = tokio::select! {
        outcome = run(cli) => outcome,
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
