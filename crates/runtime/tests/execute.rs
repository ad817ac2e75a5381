//! `execute` on the wire: what is retried and what is not, what a caller gets back, and what
//! never leaves the client unmasked. Local servers only (httpmock, and a raw TCP listener for
//! bodies a well-behaved server would not send).

use cxkit_runtime::{
    execute, execute_streaming, http_client_builder, too_large, ApiProfile, ClientContext,
    Credential, Envelope, RetryPolicy, Throttle, ATTEMPT_HEADER, NOTE_HEADER,
    ORIGINAL_STATUS_HEADER, SYNTHESIZED_HEADER,
};
use httpmock::prelude::*;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use support::{answer, close_delimited, close_delimited_as, raw_server, with_length};

mod support;

const KEY: &str = "k-SECRET-0123456789";

static PLAIN: ApiProfile = ApiProfile {
    name: "plain",
    envelope: Envelope::Plain,
    error_body: |status, message| serde_json::json!({"error": message, "status": status.as_u16()}),
};

static FLAGGED: ApiProfile = ApiProfile {
    name: "flagged",
    envelope: Envelope::SuccessFlag,
    error_body: |status, message| serde_json::json!({"error": message, "status": status.as_u16()}),
};

fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

fn query_ctx(attempts: u32) -> ClientContext {
    ClientContext::new(&PLAIN)
        .with_credential(Credential::query("api-key", KEY))
        .with_retry(quick(attempts))
}

fn client() -> reqwest::Client {
    http_client_builder().build().unwrap()
}

async fn send(
    ctx: &ClientContext,
    method: reqwest::Method,
    url: &str,
) -> reqwest::Result<reqwest::Response> {
    let mut request = reqwest::Request::new(method, url.parse().unwrap());
    ctx.authorize(&mut request).unwrap();
    execute(&client(), ctx, request, "op").await
}

#[tokio::test]
async fn a_get_is_retried_until_it_succeeds_and_each_attempt_is_numbered() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.path("/rows").header(ATTEMPT_HEADER, "1");
            then.status(503);
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path("/rows").header(ATTEMPT_HEADER, "2");
            then.status(429);
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.path("/rows")
                .header(ATTEMPT_HEADER, "3")
                .query_param("api-key", KEY);
            then.status(200).json_body(serde_json::json!({"ok": true}));
        })
        .await;
    let response = send(&query_ctx(5), reqwest::Method::GET, &server.url("/rows"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"ok":true}"#);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_last_failure_is_handed_back_after_the_budget() {
    let server = MockServer::start_async().await;
    let down = server
        .mock_async(|when, then| {
            when.path("/down");
            then.status(503).body("<html>maintenance</html>");
        })
        .await;
    let response = send(&query_ctx(3), reqwest::Method::GET, &server.url("/down"))
        .await
        .unwrap();
    down.assert_calls_async(3).await;
    assert_eq!(response.status(), 503);
    // An HTML error page becomes the vendor's error shape, status kept.
    assert!(response.headers().contains_key(SYNTHESIZED_HEADER));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], 503);
    assert!(
        body["error"].as_str().unwrap().contains("maintenance"),
        "{body}"
    );
}

#[tokio::test]
async fn posts_and_client_errors_are_sent_once() {
    let server = MockServer::start_async().await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path("/lead");
            then.status(503);
        })
        .await;
    let refused = server
        .mock_async(|when, then| {
            when.method(GET).path("/bad");
            then.status(400)
                .json_body(serde_json::json!({"error": "bad"}));
        })
        .await;
    let ctx = query_ctx(5);
    let response = send(&ctx, reqwest::Method::POST, &server.url("/lead"))
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let response = send(&ctx, reqwest::Method::GET, &server.url("/bad"))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    post.assert_calls_async(1).await;
    refused.assert_calls_async(1).await;
}

#[tokio::test]
async fn echoed_credentials_are_masked_in_body_headers_and_url() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/echo");
            then.status(401)
                .header("x-echo", format!("key={KEY}"))
                .json_body(serde_json::json!({"error": format!("invalid key {KEY}")}));
        })
        .await;
    let response = send(&query_ctx(1), reqwest::Method::GET, &server.url("/echo"))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(!response.url().as_str().contains(KEY), "{}", response.url());
    assert!(response.url().as_str().contains("api-key="));
    let echoed = response.headers()["x-echo"].to_str().unwrap().to_owned();
    assert!(
        !echoed.contains(KEY) && echoed.starts_with("key="),
        "{echoed}"
    );
    let body = response.text().await.unwrap();
    assert!(
        !body.contains(KEY) && body.contains("invalid key"),
        "{body}"
    );
}

#[tokio::test]
async fn a_streamed_body_is_handed_back_unread_and_masked_as_it_flows() {
    let server = MockServer::start_async().await;
    let rows: Vec<String> = (0..2000).map(|i| format!("row {i} {KEY}")).collect();
    server
        .mock_async(|when, then| {
            when.path("/big");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!(rows));
        })
        .await;
    let ctx = query_ctx(1);
    let mut request =
        reqwest::Request::new(reqwest::Method::GET, server.url("/big").parse().unwrap());
    ctx.authorize(&mut request).unwrap();
    let response = execute_streaming(&client(), &ctx, request, "op")
        .await
        .unwrap();
    let got: Vec<String> = response.json().await.unwrap();
    assert_eq!(got.len(), 2000);
    assert!(got
        .iter()
        .all(|r| !r.contains(KEY) && r.starts_with("row ")));
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_says_where_it_pointed() {
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let target = elsewhere.url("/stolen");
    server
        .mock_async(|when, then| {
            when.path("/moved");
            then.status(302).header("location", &target);
        })
        .await;
    let catch_all = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let ctx = ClientContext::new(&PLAIN)
        .with_credential(Credential::header("x-api-key", KEY))
        .with_retry(quick(3));
    let response = send(&ctx, reqwest::Method::GET, &server.url("/moved"))
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let note = response.headers()[NOTE_HEADER].to_str().unwrap();
    assert!(
        note.contains(&target) && note.contains("not followed"),
        "{note}"
    );
    catch_all.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_false_success_flag_becomes_an_error_with_the_original_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/flag");
            then.status(200)
                .json_body(serde_json::json!({"success": false, "status": 404, "error": "nope"}));
        })
        .await;
    let ctx = ClientContext::new(&FLAGGED).with_retry(quick(3));
    let response = send(&ctx, reqwest::Method::GET, &server.url("/flag"))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()[ORIGINAL_STATUS_HEADER], "200");
}

#[tokio::test]
async fn the_user_agent_names_the_api_unless_one_is_set() {
    let server = MockServer::start_async().await;
    let default = server
        .mock_async(|when, then| {
            when.path("/ua")
                .header_matches("user-agent", r"^cxkit-runtime/\S+ \(plain\)$");
            then.status(200);
        })
        .await;
    let custom = server
        .mock_async(|when, then| {
            when.path("/ua").header("user-agent", "acme-sync/2");
            then.status(200);
        })
        .await;
    send(&query_ctx(1), reqwest::Method::GET, &server.url("/ua"))
        .await
        .unwrap();
    let ctx = query_ctx(1).with_user_agent("acme-sync/2");
    send(&ctx, reqwest::Method::GET, &server.url("/ua"))
        .await
        .unwrap();
    default.assert_calls_async(1).await;
    custom.assert_calls_async(1).await;
}

#[tokio::test]
async fn truncated_json_is_retried_and_in_the_end_a_body_error() {
    let half = r#"{"rows": [1, 2, 3"#;
    let whole = r#"{"rows": [1, 2, 3]}"#;
    let (url, served) = raw_server(vec![close_delimited(half), close_delimited(whole)]);
    let response = send(&query_ctx(3), reqwest::Method::GET, &url)
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), whole);
    assert_eq!(served.join().unwrap(), 2);

    let (url, served) = raw_server(vec![close_delimited(half), close_delimited(half)]);
    let error = send(&query_ctx(2), reqwest::Method::GET, &url)
        .await
        .unwrap_err();
    // A transport failure of the body, naming the request (masked), never a decode error.
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    let mut chain = String::new();
    let mut cause: Option<&dyn std::error::Error> = Some(&error);
    while let Some(c) = cause {
        chain.push_str(&format!("{c}; "));
        cause = c.source();
    }
    assert!(
        chain.contains("ended before the end of its JSON"),
        "{chain}"
    );
    let url = error.url().expect("the request's URL").as_str();
    assert!(url.ends_with("/raw?api-key=***"), "{url}");
    assert!(!format!("{error} {error:?}").contains(KEY));
    assert_eq!(served.join().unwrap(), 2);
}

#[tokio::test]
async fn a_body_shorter_than_its_length_is_retried() {
    let cut =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 50\r\n\r\n[1,2"
            .to_vec();
    let (url, served) = raw_server(vec![cut, close_delimited("[1,2,3]")]);
    let response = send(&query_ctx(3), reqwest::Method::GET, &url)
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "[1,2,3]");
    assert_eq!(served.join().unwrap(), 2);
}

#[tokio::test]
async fn a_stalled_attempt_times_out_and_is_retried() {
    let (url, served) = raw_server(vec![Vec::new(), close_delimited("[]")]);
    let ctx = query_ctx(2).with_request_timeout(Duration::from_millis(200));
    let response = send(&ctx, reqwest::Method::GET, &url).await.unwrap();
    assert_eq!(response.text().await.unwrap(), "[]");
    assert_eq!(served.join().unwrap(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_an_error_without_the_credential() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/gone", listener.local_addr().unwrap());
    drop(listener);
    let error = send(&query_ctx(2), reqwest::Method::GET, &url)
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains(KEY) && shown.contains("api-key="),
        "{shown}"
    );
}

#[tokio::test]
async fn only_json_that_ends_early_counts_as_truncated() {
    // Not JSON by its type, or an empty body: handed back at once, never retried.
    let (url, served) = raw_server(vec![
        with_length("text/plain", r#"{"looks": "cut"#),
        with_length("application/json", ""),
    ]);
    let response = send(&query_ctx(3), reqwest::Method::GET, &url)
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), r#"{"looks": "cut"#);
    let response = send(&query_ctx(3), reqwest::Method::GET, &url)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(served.join().unwrap(), 2);

    // JSON that stops early but arrived whole by its Content-Length: the server sent it so,
    // and sending the request again would not cure it (a decode error for the caller).
    let (url, served) = raw_server(vec![with_length("application/json", r#"{"rows": [1"#)]);
    let response = send(&query_ctx(3), reqwest::Method::GET, &url)
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), r#"{"rows": [1"#);
    assert_eq!(served.join().unwrap(), 1);
}

#[tokio::test]
async fn an_error_no_retry_can_cure_is_not_retried() {
    // A URL the client refuses to send: the same on every attempt.
    let ctx = ClientContext::new(&PLAIN).with_retry(
        RetryPolicy::default()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_secs(30))
            .with_jitter(false),
    );
    let started = std::time::Instant::now();
    let error = send(&ctx, reqwest::Method::GET, "ftp://127.0.0.1/x")
        .await
        .unwrap_err();
    assert!(error.is_builder(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "no backoff was waited"
    );
}

#[tokio::test]
async fn http_client_follows_no_redirect_and_bounds_each_request() {
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/moved");
            then.status(301).header("location", elsewhere.url("/x"));
        })
        .await;
    let hit = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let client = cxkit_runtime::http_client(Duration::from_millis(300)).unwrap();
    let response = client.get(server.url("/moved")).send().await.unwrap();
    assert_eq!(response.status(), 301);
    assert!(response.headers().get("referer").is_none());
    hit.assert_calls_async(0).await;

    let (url, _served) = raw_server(vec![Vec::new()]);
    let error = client.get(&url).send().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn a_body_that_ends_at_the_close_is_truncated_only_when_it_is_json_that_stops_early() {
    // Neither text that looks cut nor an empty JSON body is retried: only JSON can be judged
    // incomplete, and an empty body is a complete (if useless) answer.
    let (url, served) = raw_server(vec![
        close_delimited_as("text/plain", r#"{"looks": "cut"#),
        close_delimited(""),
    ]);
    let response = send(&query_ctx(3), reqwest::Method::GET, &url)
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), r#"{"looks": "cut"#);
    let response = send(&query_ctx(3), reqwest::Method::GET, &url)
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "");
    assert_eq!(served.join().unwrap(), 2);
}

#[tokio::test]
async fn a_body_over_the_limit_is_not_fetched_again() {
    // One answer only: a second attempt would find the listener gone and fail to connect.
    let (url, served) = raw_server(vec![with_length("application/json", "[1,2,3,4,5]")]);
    let ctx = query_ctx(3).with_max_body_bytes(4);
    let error = send(&ctx, reqwest::Method::GET, &url).await.unwrap_err();
    assert_eq!(
        too_large(&error).map(|t| (t.limit, t.what)),
        Some((4, "body")),
        "{error:?}"
    );
    assert_eq!(served.join().unwrap(), 1);
}

#[tokio::test]
async fn a_throttled_request_tells_its_throttle_how_each_answer_went() {
    let throttle = Throttle::new(4);
    let ctx = query_ctx(3).with_throttle(throttle.clone());
    assert!(ctx.throttle().is_some_and(|t| Arc::ptr_eq(t, &throttle)));

    // A 429, then the retry's 200: one rate limit (the cap halves to 2) and one success.
    let (url, served) = raw_server(vec![
        answer("429 Too Many Requests", "retry-after: 0\r\n", "{}"),
        with_length("application/json", "[1]"),
    ]);
    let response = send(&ctx, reqwest::Method::GET, &url).await.unwrap();
    assert_eq!(response.text().await.unwrap(), "[1]");
    assert_eq!(served.join().unwrap(), 2);
    assert_eq!(throttle.rate_limited_count(), 1);
    assert_eq!(throttle.limit(), 2);

    // A server error (no retry left) is no success: a second success would raise the cap.
    let once = query_ctx(1).with_throttle(throttle.clone());
    let (url, served) = raw_server(vec![answer("500 Internal Server Error", "", "{}")]);
    let response = send(&once, reqwest::Method::GET, &url).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(served.join().unwrap(), 1);
    assert_eq!(throttle.limit(), 2, "a 500 counted as a success");

    // The second success in a row at cap 2 raises it to 3.
    let (url, served) = raw_server(vec![with_length("application/json", "[2]")]);
    send(&once, reqwest::Method::GET, &url).await.unwrap();
    assert_eq!(served.join().unwrap(), 1);
    assert_eq!(throttle.limit(), 3, "a 200 was not counted as a success");

    // A 429 with no retry left asks nobody to wait: the caller gets it, and the throttle is
    // not paused for the 30 s this request will never wait.
    let (url, served) = raw_server(vec![answer(
        "429 Too Many Requests",
        "retry-after: 30\r\n",
        "{}",
    )]);
    let response = send(&once, reqwest::Method::GET, &url).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(served.join().unwrap(), 1);
    assert_eq!(throttle.rate_limited_count(), 2);
    let permit = tokio::time::timeout(Duration::from_secs(5), throttle.acquire()).await;
    assert!(
        permit.is_ok(),
        "the throttle paused for a retry that never came"
    );
}

#[tokio::test]
async fn a_compressed_body_is_held_to_the_limit_by_its_decoded_size() {
    // 10,000 bytes of `0`, gzip-compressed to 46: its Content-Length is far below the limit,
    // what it decodes to is not (a decompression bomb, in small).
    const GZIP_10K_ZEROS: [u8; 46] = [
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 237, 193, 1, 13, 0, 0, 0, 194, 160, 74, 239, 159, 206, 28,
        110, 64, 1, 0, 0, 0, 0, 0, 0, 0, 0, 192, 191, 1, 105, 88, 24, 10, 16, 39, 0, 0,
    ];
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        GZIP_10K_ZEROS.len()
    )
    .into_bytes();
    answer.extend_from_slice(&GZIP_10K_ZEROS);
    let (url, served) = raw_server(vec![answer.clone(), answer]);

    let ctx = query_ctx(1).with_max_body_bytes(1_000);
    let error = send(&ctx, reqwest::Method::GET, &url).await.unwrap_err();
    assert_eq!(too_large(&error).map(|t| t.limit), Some(1_000), "{error:?}");

    // Within the limit it decodes whole.
    let ctx = query_ctx(1).with_max_body_bytes(10_000);
    let response = send(&ctx, reqwest::Method::GET, &url).await.unwrap();
    assert_eq!(response.bytes().await.unwrap(), vec![b'0'; 10_000]);
    assert_eq!(served.join().unwrap(), 2);
}
