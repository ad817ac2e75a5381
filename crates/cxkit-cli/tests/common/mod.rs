//! What the CLI's end-to-end tests share.
#![allow(dead_code)]

use assert_cmd::Command;

/// `cxkit` with no credential or base URL from the environment.
pub fn cxkit() -> Command {
    let mut cmd = Command::cargo_bin("cxkit").unwrap();
    for var in [
        "ZCHAT_TOKEN",
        "ZCHAT_BASE_URL",
        "CONVERZ_API_KEY",
        "CONVERZ_BASE_URL",
        "CONVERSION_API_KEY",
        "CONVERSION_BASE_URL",
        "WEBHOOK_SECRET",
    ] {
        cmd.env_remove(var);
    }
    cmd
}
