//! A build without the `sandbox` feature (`--no-default-features`) has no `--sandbox`, and
//! still runs against real endpoints (here httpmock).
#![cfg(not(feature = "sandbox"))]

use assert_cmd::Command;
use httpmock::prelude::*;

fn cxkit() -> Command {
    Command::cargo_bin("cxkit").unwrap()
}

#[test]
fn the_sandbox_flags_do_not_exist() {
    for flag in [
        "--sandbox",
        "--sandbox-rows=5",
        "--sandbox-faults=mixed=0.2",
    ] {
        cxkit().args([flag, "zchat", "ongoing"]).assert().code(2);
    }
    let help = cxkit().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--format"), "{help}");
    // No option line offers it (the examples still show how a default build is used).
    assert!(
        !help
            .lines()
            .any(|l| l.trim_start().starts_with("--sandbox")),
        "{help}"
    );
}

#[test]
fn commands_run_against_a_real_endpoint() {
    let server = MockServer::start();
    let ongoing = server.mock(|when, then| {
        when.path("/ongoing")
            .query_param("token", "zt-real-0123456789");
        then.status(200)
            .json_body(serde_json::json!({"success": true, "data": [{"id": "1"}]}));
    });
    let output = cxkit()
        .env("ZCHAT_TOKEN", "zt-real-0123456789")
        .env("ZCHAT_BASE_URL", server.base_url())
        .args(["--format", "jsonl", "zchat", "ongoing"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
    ongoing.assert();
}
