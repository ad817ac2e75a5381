//! `cxkit airbyte …`: cxkit as an Airbyte source (protocol v0.3), so Airbyte, PyAirbyte,
//! Estuary and Meltano can run it. Messages go to stdout, one per line; logs go to stderr.

pub(crate) mod config;
mod messages;
mod read;

pub(crate) use read::load;

use crate::commands::stream_run::Failure;
use crate::error::CliError;
use clap::Subcommand;
use config::Config;
use messages::Messages;
use std::path::{Path, PathBuf};

/// The Airbyte protocol's commands.
#[derive(Subcommand, Debug)]
pub enum Airbyte {
    /// Print the connector's SPEC (its config's JSON Schema).
    #[command(after_help = "Example:\n  cxkit airbyte spec")]
    Spec,
    /// Check the credentials of every configured vendor (one cheap call each).
    #[command(after_help = "Example:\n  cxkit airbyte check --config secrets/config.json")]
    Check {
        /// The config file (see `cxkit airbyte spec`).
        #[arg(long)]
        config: PathBuf,
    },
    /// Print the CATALOG: every stream of the configured vendors.
    #[command(after_help = "Example:\n  cxkit airbyte discover --config secrets/config.json")]
    Discover {
        /// The config file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Read the streams of a configured catalog, from --state when given.
    #[command(
        after_help = "Example:\n  cxkit airbyte read --config config.json --catalog catalog.json --state state.json"
    )]
    Read {
        /// The config file.
        #[arg(long)]
        config: PathBuf,
        /// The configured catalog: streams, sync modes. (`--state FILE`: the state of the
        /// last read, its STATE messages' `state` objects as a list, or the legacy object.)
        #[arg(long)]
        catalog: PathBuf,
    },
}

/// Runs an Airbyte command, writing its messages to stdout.
pub async fn run(command: Airbyte, state: Option<&Path>) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut out = Messages::new(std::io::BufWriter::new(stdout.lock()));
    let outcome = match command {
        Airbyte::Spec => out
            .spec(config::connection_specification())
            .map_err(CliError::write),
        Airbyte::Check { config } => check(&mut out, &config).await,
        Airbyte::Discover { config } => discover(&mut out, &config).await,
        Airbyte::Read { config, catalog } => read(&mut out, &config, &catalog, state).await,
    };
    out.flush().map_err(CliError::write)?;
    outcome
}

async fn check<W: std::io::Write>(out: &mut Messages<W>, path: &Path) -> Result<(), CliError> {
    let outcome = match Config::load(path) {
        Ok(config) => match config.source().await {
            Ok((source, _running)) => {
                let mut failures = Vec::new();
                for api in [
                    cxkit::Api::Zchat,
                    cxkit::Api::Converz,
                    cxkit::Api::Conversion,
                ] {
                    if source.has(api) {
                        if let Err(e) = source.check(api).await {
                            failures.push(e.to_string());
                        }
                    }
                }
                if !source.has(cxkit::Api::Zchat)
                    && !source.has(cxkit::Api::Converz)
                    && !source.has(cxkit::Api::Conversion)
                {
                    failures.push("configure at least one of zchat, converz, conversion".into());
                }
                failures
            }
            Err(e) => vec![e.message],
        },
        Err(e) => vec![e.message],
    };
    let failure = (!outcome.is_empty()).then(|| outcome.join("; "));
    out.connection_status(failure.as_deref())
        .map_err(CliError::write)
}

async fn discover<W: std::io::Write>(out: &mut Messages<W>, path: &Path) -> Result<(), CliError> {
    let (source, _running) = reported(out, async { Config::load(path)?.source().await }).await?;
    out.catalog(source.streams()).map_err(CliError::write)
}

async fn read<W: std::io::Write>(
    out: &mut Messages<W>,
    config: &Path,
    catalog: &Path,
    state: Option<&Path>,
) -> Result<(), CliError> {
    let (config, catalog, states, (source, _running)) = reported(out, async {
        let config = Config::load(config)?;
        let catalog: read::ConfiguredCatalog = read::load(catalog, "catalog")?;
        let states = read::states(state.map(|p| read::load(p, "state")).transpose()?)?;
        let source = config.source().await?;
        Ok((config, catalog, states, source))
    })
    .await?;
    // Failures from here on are reported per stream.
    read::read(out, &source, config.semantics(), catalog, states).await
}

/// `setup`'s outcome; a failure is also reported as a `TRACE` `ERROR` (a config error when
/// its exit code says so).
async fn reported<W: std::io::Write, T>(
    out: &mut Messages<W>,
    setup: impl std::future::Future<Output = Result<T, CliError>>,
) -> Result<T, CliError> {
    let outcome = setup.await;
    if let Err(e) = &outcome {
        let failure = match e.code {
            crate::error::CONFIG | crate::error::USAGE => Failure::Config,
            _ => Failure::System,
        };
        out.error(None, &e.message, failure)
            .map_err(CliError::write)?;
    }
    outcome
}
