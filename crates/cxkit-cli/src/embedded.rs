//! The embedded sandbox behind `--sandbox` (cargo feature `sandbox`): started from the flags,
//! handed to the clients as plain endpoints.

use crate::clients::{Endpoint, Endpoints};
use crate::error::CliError;
use clap::Args;
use cxkit_sandbox::{Faults, Sandbox, SandboxConfig};

/// The embedded sandbox's flags.
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

/// Starts the sandbox when `--sandbox` is given; its endpoints and credentials.
pub async fn start(args: &SandboxArgs) -> Result<Option<Endpoints>, CliError> {
    if !args.enabled {
        return Ok(None);
    }
    let faults = match &args.faults {
        Some(text) => Faults::parse(text).map_err(CliError::usage)?,
        None => Faults::default(),
    };
    let config = SandboxConfig {
        history_rows: args.rows,
        calls: args.rows,
        faults: Faults {
            latency: std::time::Duration::from_millis(args.latency_ms),
            ..faults
        },
        ..Default::default()
    };
    let sandbox = Sandbox::start_with(config)
        .await
        .map_err(|e| CliError::config(format!("cannot start the sandbox: {e}")))?;
    let credentials = sandbox.credentials();
    Ok(Some(Endpoints {
        zchat: Endpoint::new(sandbox.zchat_base_url(), &credentials.zchat_token),
        converz: Endpoint::new(sandbox.converz_base_url(), &credentials.converz_api_key),
        conversion: Endpoint::new(
            sandbox.conversion_base_url(),
            &credentials.conversion_api_key,
        ),
        _running: Box::new(sandbox),
    }))
}
