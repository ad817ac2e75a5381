//! What `-v` users read: every retry logged with its reason and wait, every final failure
//! with its cause, and never a credential.

use cxkit_runtime::{execute, ApiProfile, ClientContext, Credential, Envelope, RetryPolicy};
use httpmock::prelude::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{close_delimited, raw_server};

mod support;

const KEY: &str = "k-SECRET-log-0123456789";

static PROFILE: ApiProfile = ApiProfile {
    name: "logs",
    envelope: Envelope::Plain,
    error_body: |status, message| serde_json::json!({"error": message, "status": status.as_u16()}),
};

/// Log lines written while `run` runs, on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn logs_of(url: String, attempts: u32) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let ctx = ClientContext::new(&PROFILE)
        .with_credential(Credential::query("api-key", KEY))
        .with_retry(
            RetryPolicy::default()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(1))
                .with_jitter(false),
        );
    let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap());
    ctx.authorize(&mut request).unwrap();
    let client = cxkit_runtime::http_client_builder().build().unwrap();
    let _ = execute(&client, &ctx, request, "list_rows").await;
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains(KEY), "a credential in the logs: {text}");
    text
}

#[tokio::test(flavor = "current_thread")]
async fn a_retried_status_is_logged_with_its_reason_and_wait() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/rows").header("x-cxkit-attempt", "1");
            then.status(503);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/rows");
            then.status(200).json_body(serde_json::json!([]));
        })
        .await;
    let logs = logs_of(server.url("/rows"), 3).await;
    let retry = logs.lines().find(|l| l.contains("retrying")).expect(&logs);
    assert!(retry.contains("HTTP 503"), "{retry}");
    assert!(
        retry.contains("delay_ms=1") && retry.contains("next_attempt=2"),
        "{retry}"
    );
    assert!(
        retry.contains("operation=\"list_rows\"") || retry.contains("list_rows"),
        "{retry}"
    );
    assert_eq!(logs.matches("retrying").count(), 1, "{logs}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_cut_body_and_a_refused_connection_say_what_happened() {
    let half = close_delimited(r#"{"rows": [1"#);
    let (url, _served) = raw_server(vec![half, close_delimited("[]")]);
    let logs = logs_of(url, 2).await;
    assert!(logs.contains("the body failed mid-way"), "{logs}");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/gone", listener.local_addr().unwrap());
    drop(listener);
    let logs = logs_of(url, 2).await;
    let retry = logs.lines().find(|l| l.contains("retrying")).expect(&logs);
    assert!(retry.contains("could not connect"), "{retry}");
    let failed = logs.lines().find(|l| l.contains("WARN")).expect(&logs);
    assert!(
        failed.contains("failed") && failed.contains("attempts=2"),
        "{failed}"
    );
    assert!(
        failed.to_lowercase().contains("connect"),
        "the cause: {failed}"
    );
}
