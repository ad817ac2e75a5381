//! `cxkit`: export, push and receive Zenvia Chat, Converz and Zenvia Conversion data.
//!
//! Run `cxkit --help`; every command's `--help` has an example. `--sandbox` runs any command
//! against an embedded fake of the three APIs, with no credentials.

mod args;
mod clients;
mod commands;
mod conversion;
mod error;
mod output;

use args::{Cli, Command};
use clap::{CommandFactory, Parser};
use error::CliError;

async fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(shell, &mut Cli::command(), "cxkit", &mut std::io::stdout());
        return Ok(());
    }
    let sandbox = cli.sandbox.then(|| cxkit_sandbox::SandboxConfig {
        history_rows: cli.sandbox_rows,
        calls: cli.sandbox_rows,
        faults: cxkit_sandbox::Faults {
            latency: std::time::Duration::from_millis(cli.sandbox_latency_ms),
            ..Default::default()
        },
        ..Default::default()
    });
    let clients = clients::Clients::new(sandbox, cli.credentials).await?;
    let ctx = commands::Context {
        clients: &clients,
        format: cli.format,
        output: cli.output.as_deref(),
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Zchat(c) => commands::zchat(&ctx, c).await,
        Command::Converz(c) => commands::converz(&ctx, c).await,
        Command::Conversion(c) => conversion::run(&ctx, c).await,
        Command::Webhook(c) => commands::webhook(&ctx, c).await,
        Command::Completions { .. } => Ok(()),
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
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
