//! The embedded sandbox behind `--sandbox` (cargo feature `sandbox`): started from the flags,
//! handed to the clients as plain endpoints.

use crate::args::SandboxArgs;
use crate::clients::{Endpoint, Endpoints};
use crate::error::CliError;
use cxkit_sandbox::{Faults, Sandbox, SandboxConfig};

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
