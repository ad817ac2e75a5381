//! Credentials: missing ones named, flags reaching the wire, and no secret in any output.

use super::{common::cxkit, stdout_of};
use httpmock::prelude::*;
use predicates::prelude::*;
use serde_json::json;

#[test]
fn missing_credentials_are_named_and_secrets_never_printed() {
    cxkit().args(["zchat", "history"]).assert().code(3).stderr(
        predicate::str::contains("ZCHAT_TOKEN").and(predicate::str::contains("--zchat-token")),
    );
    cxkit()
        .args(["converz", "calls"])
        .env("CONVERZ_API_KEY", "k")
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("CONVERZ_BASE_URL")
                .and(predicate::str::contains("--converz-base-url")),
        );
    cxkit()
        .args(["conversion", "prospects"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("CONVERSION_API_KEY")
                .and(predicate::str::contains("--conversion-api-key")),
        );
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/prospects");
        then.status(401)
            .json_body(json!({"code": "UNAUTHORIZED", "message": "Invalid API key"}));
    });
    cxkit()
        .env("CONVERSION_API_KEY", "cv-cli-SECRET-77")
        .env("CONVERSION_BASE_URL", server.base_url())
        .args(["conversion", "prospects"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("Invalid API key")
                .and(predicate::str::contains("cv-cli-SECRET-77").not()),
        );
    cxkit()
        .env("ZCHAT_TOKEN", "zt-cli-SECRET-99")
        .env("ZCHAT_BASE_URL", "http://127.0.0.1:9")
        // Retried (a refused connection is retryable), without waiting.
        .args(["--max-retry-wait", "0", "zchat", "ongoing"])
        .assert()
        .code(4)
        .stderr(
            predicate::str::contains("token=***")
                .and(predicate::str::contains("zt-cli-SECRET-99").not()),
        );
    // clap shows `[env: NAME=value]` in help unless told not to: with every credential set,
    // no help page may show one.
    let secrets = [
        ("ZCHAT_TOKEN", "zt-help-SECRET-1"),
        ("CONVERZ_API_KEY", "cz-help-SECRET-2"),
        ("CONVERSION_API_KEY", "cv-help-SECRET-3"),
        ("WEBHOOK_SECRET", "wh-help-SECRET-4"),
    ];
    for page in [
        &["--help"][..],
        &["zchat", "history", "--help"],
        &["converz", "calls", "--help"],
        &["conversion", "prospects", "--help"],
        &["webhook", "listen", "--help"],
    ] {
        let mut command = cxkit();
        for (name, value) in secrets {
            command.env(name, value);
        }
        let output = command.args(page).output().unwrap();
        assert!(output.status.success(), "{page:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("Usage"), "{page:?}");
        for (name, value) in secrets {
            assert!(!help.contains(value), "{page:?} shows {name}: {help}");
        }
    }
    let root = stdout_of(&["--help"]);
    assert!(root.contains("ZCHAT_TOKEN") && root.contains("CONVERSION_API_KEY"));
}

#[test]
fn verbose_logs_show_retries_without_the_credential() {
    let out = cxkit()
        .args([
            "--sandbox",
            "--sandbox-faults",
            "429=0.4",
            "-v",
            "--max-retry-wait",
            "0",
        ])
        .args(["zchat", "ongoing", "--page-size", "20", "--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let logs = String::from_utf8(out.stderr).unwrap();
    assert!(logs.contains("retrying"), "{logs}");
    assert!(logs.contains("429"), "the reason is logged: {logs}");
    assert!(!logs.contains("sandbox-zchat-token"), "{logs}");
    assert!(
        logs.contains("token=***") || !logs.contains("token="),
        "{logs}"
    );
    let quiet = cxkit()
        .args([
            "--sandbox",
            "--sandbox-faults",
            "429=0.4",
            "--max-retry-wait",
            "0",
        ])
        .args(["zchat", "ongoing", "--page-size", "20", "--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    assert!(
        !String::from_utf8(quiet).unwrap().contains("retrying"),
        "retries log at info"
    );
}

#[test]
fn listed_subscriptions_show_callback_urls_with_the_secret_masked() {
    let secret = "listed-webhook-secret-5678";
    let server = MockServer::start();
    let subscription = |id: &str| {
        json!({"id": id, "topics": ["prospects"],
               "callbackUrl": format!("https://hooks.example.com/in?secret={secret}&team=a")})
    };
    server.mock(|when, then| {
        when.method(GET).path("/notifications/subscriptions");
        then.status(200).json_body(json!([
            subscription("65f1c2a4e13b7d0012a4c9e1"),
            subscription("65f1c2a4e13b7d0012a4c9e2")
        ]));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/notifications/subscription/65f1c2a4e13b7d0012a4c9e1");
        then.status(200)
            .json_body(subscription("65f1c2a4e13b7d0012a4c9e1"));
    });
    for (args, rows) in [
        (&["conversion", "subscriptions"][..], 2),
        (
            &["conversion", "subscription", "65f1c2a4e13b7d0012a4c9e1"][..],
            1,
        ),
    ] {
        for format in ["jsonl", "csv", "table"] {
            let out = cxkit()
                .env("CONVERSION_API_KEY", "cv-cli-key")
                .env("CONVERSION_BASE_URL", server.base_url())
                .args(["--format", format])
                .args(args)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            let out = String::from_utf8(out).unwrap();
            assert_eq!(out.matches("secret=***").count(), rows, "{format}: {out}");
            assert!(!out.contains(secret), "{format}: {out}");
            assert!(out.contains("team=a"), "the rest of the URL stays: {out}");
        }
    }
}

#[test]
fn utc_offset_prefetch_and_credential_flags_reach_the_wire() {
    let server = MockServer::start();
    let page = |n: usize| json!({"success": true, "data": (0..n).map(|i| json!({"id": format!("p{n}-{i}")})).collect::<Vec<_>>()});
    let first = server.mock(|when, then| {
        when.path("/history")
            .query_param("token", "flag-token-1")
            // 2024-03-01 00:00 at -03:00, sent as a local time with its zone.
            .query_param("from", "2024-03-01T00:00:00")
            .query_param("timezone", "-0300")
            .query_param("page", "1");
        then.status(200).json_body(page(2));
    });
    let second = server.mock(|when, then| {
        when.path("/history").query_param("page", "2");
        then.status(200).json_body(page(1));
    });
    let past_the_end = server.mock(|when, then| {
        when.path("/history").query_param("page", "3");
        then.status(200).json_body(page(0));
    });
    let run = |extra: &[&str]| {
        cxkit()
            .args([
                "--zchat-token",
                "flag-token-1",
                "--zchat-base-url",
                &server.base_url(),
            ])
            .args([
                "--format",
                "jsonl",
                "zchat",
                "history",
                "--from",
                "2024-03-01",
                "--to",
                "2024-03-02",
            ])
            .args(["--utc-offset", "-03:00", "--page-size", "2"])
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };

    let without = run(&["--no-prefetch"]);
    assert_eq!(String::from_utf8_lossy(&without).lines().count(), 3);
    // Without prefetch nothing is asked for past the short (last) page.
    past_the_end.assert_calls(0);
    // With it (the default) the output is the same; the facade tests pin when pages are asked.
    assert_eq!(run(&[]), without);
    first.assert_calls(2);
    second.assert_calls(2);

    // The Conversion and Converz credential flags too.
    let conversion = server.mock(|when, then| {
        when.path("/leads/defaults")
            .query_param("api-key", "flag-key-2");
        then.status(200)
            .json_body(json!({"currency": "BRL", "distance": "km"}));
    });
    cxkit()
        .args([
            "--conversion-api-key",
            "flag-key-2",
            "--conversion-base-url",
            &server.base_url(),
        ])
        .args(["--format", "jsonl", "conversion", "defaults"])
        .assert()
        .success();
    conversion.assert();
    let converz = server.mock(|when, then| {
        when.path("/report").header("x-api-key", "flag-key-3");
        then.status(200).json_body(json!([]));
    });
    cxkit()
        .args([
            "--converz-api-key",
            "flag-key-3",
            "--converz-base-url",
            &server.base_url(),
        ])
        .args(["--format", "jsonl", "converz", "report"])
        .assert()
        .success();
    converz.assert();
}
