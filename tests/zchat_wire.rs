//! Every zchat operation on the wire (httpmock): method, path, each parameter's encoding,
//! token placement, success bodies, and every failure mode turned into a typed error.

use cxkit_runtime::{RetryPolicy, ATTEMPT_HEADER, SYNTHESIZED_HEADER};
use cxkit_tests::{fixture, normalized, LogCapture};
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;
use zchat_api::mock::MockServerExt;
use zchat_api::{types, Client, Error};

const TOKEN: &str = "zchat-test-token-5b1f";

fn client(server: &MockServer) -> Client {
    client_with(server, RetryPolicy::none())
}

fn client_with(server: &MockServer, retry: RetryPolicy) -> Client {
    Client::new(
        &server.base_url(),
        zchat_api::context(TOKEN).with_retry(retry),
    )
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
}

/// The five operations, so cross-cutting behaviour is checked on each of them.
#[derive(Clone, Copy, Debug)]
enum Op {
    Reports,
    History,
    Expanded,
    Messages,
    Ongoing,
}

const ALL: [Op; 5] = [
    Op::Reports,
    Op::History,
    Op::Expanded,
    Op::Messages,
    Op::Ongoing,
];

impl Op {
    fn path(self) -> &'static str {
        match self {
            Op::Reports => "/reports",
            Op::History => "/history",
            Op::Expanded => "/history/expanded",
            Op::Messages => "/history/2024-000123/messages",
            Op::Ongoing => "/ongoing",
        }
    }

    async fn send(self, client: &Client) -> Result<Value, Error<types::ErrorEnvelope>> {
        fn value<T: serde::Serialize>(v: T) -> Value {
            serde_json::to_value(v).unwrap()
        }
        Ok(match self {
            Op::Reports => value(client.get_reports().send().await?.into_inner()),
            Op::History => value(client.list_history().send().await?.into_inner()),
            Op::Expanded => value(client.list_history_expanded().send().await?.into_inner()),
            Op::Messages => value(
                client
                    .list_history_messages()
                    .id("2024-000123")
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::Ongoing => value(client.list_ongoing().send().await?.into_inner()),
        })
    }
}

fn envelope_error(err: &Error<types::ErrorEnvelope>) -> (u16, types::ErrorEnvelope) {
    match err {
        Error::ErrorResponse(rv) => (rv.status().as_u16(), rv.as_ref().clone()),
        other => panic!("expected a typed error response, got {other}"),
    }
}

// ---- per operation: method, path, parameters, token, success body ----

#[tokio::test]
async fn get_reports_sends_every_parameter_and_parses_the_report() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/reports")
                .query_param("token", TOKEN)
                .query_param("data_type", "agent")
                .query_param("from", "2021-04-01T06:00:00")
                .query_param("to", "2021-04-30T18:00:00")
                .query_param("timezone", "-0300")
                .query_param("agents", "12,34")
                .query_param_count("^agents$", ".*", 1)
                .query_param("departments", "5")
                .query_param("states", "ENDED,DISCARDED")
                .query_param("types", "WHATSAPP,TEXT")
                .query_param("tags", "7,8");
            then.status(200)
                .json_body(fixture("zchat/reports.seed.json"));
        })
        .await;

    let page = client(&server)
        .get_reports()
        .data_type(types::ReportGrouping::Agent)
        .from("2021-04-01T06:00:00")
        .to("2021-04-30T18:00:00")
        .timezone("-0300")
        .agents("12,34")
        .departments("5")
        .states("ENDED,DISCARDED")
        .types("WHATSAPP,TEXT")
        .tags("7,8")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[1].title, "Total");
    assert_eq!(page.data[0].answered, Some(3));
    assert_eq!(page.data[0].tmpr, Some(11));
    assert_eq!(page.success, Some(true));
}

#[tokio::test]
async fn list_history_sends_filters_paging_and_a_positive_timezone() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/history")
                .query_param("token", TOKEN)
                .query_param("from", "2024-03-01T00:00:00")
                .query_param("to", "2024-03-31T23:59:59")
                // '+' must be percent-encoded, or the server reads a space.
                .query_param("timezone", "+0530")
                .query_param("active", "false")
                .query_param("agents", "a1,a2,a3")
                .query_param("departments", "d1")
                .query_param("states", "ENDED")
                .query_param("types", "EMAIL")
                .query_param("search", "maria silva")
                .query_param("limit", "10000")
                .query_param("page", "3");
            then.status(200)
                .json_body(fixture("zchat/history.realistic.json"));
        })
        .await;

    let page = client(&server)
        .list_history()
        .from("2024-03-01T00:00:00")
        .to("2024-03-31T23:59:59")
        .timezone("+0530")
        .active(false)
        .agents("a1,a2,a3")
        .departments("d1")
        .states("ENDED")
        .types("EMAIL")
        .search("maria silva")
        .limit(10_000u32)
        .page(3u32)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.data.len(), 3);
}

#[tokio::test]
async fn list_history_expanded_uses_its_path_and_keeps_unknown_columns() {
    let server = MockServer::start_async().await;
    let body = fixture("zchat/expanded.realistic.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/history/expanded")
                .query_param("token", TOKEN)
                .query_param("limit", "2")
                .query_param("page", "1")
                .query_param("types", "WHATSAPP");
            then.status(200).json_body(body.clone());
        })
        .await;

    let page = client(&server)
        .list_history_expanded()
        .limit(2u32)
        .page(1u32)
        .types("WHATSAPP")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.data.len(), 2);
    assert_eq!(
        normalized(&serde_json::to_value(&page.data).unwrap()),
        normalized(&body["data"])
    );
}

#[tokio::test]
async fn list_history_messages_puts_the_protocol_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/history/2024%2F77/messages")
                .query_param("token", TOKEN);
            then.status(200)
                .json_body(fixture("zchat/messages.realistic.json"));
        })
        .await;

    let page = client(&server)
        .list_history_messages()
        .id("2024/77") // a slash in an id must not split the path
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.data.len(), 3);
}

#[tokio::test]
async fn list_ongoing_sends_filters_and_paging() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ongoing")
                .query_param("token", TOKEN)
                .query_param("agents", "9")
                .query_param("departments", "1,2")
                .query_param("states", "NOT_ANSWER")
                .query_param("types", "TELEGRAM,SMS")
                .query_param("limit", "100")
                .query_param("page", "2")
                .query_param_missing("from");
            then.status(200)
                .json_body(fixture("zchat/ongoing.seed.json"));
        })
        .await;

    let page = client(&server)
        .list_ongoing()
        .agents("9")
        .departments("1,2")
        .states("NOT_ANSWER")
        .types("TELEGRAM,SMS")
        .limit(100u32)
        .page(2u32)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let agent = page.data[0].agent.as_ref().unwrap();
    assert!(
        agent.status.is_some(),
        "ongoing rows carry the agent's status"
    );
}

#[test]
fn typed_mock_helpers_match_what_the_client_sends() {
    // The generated helpers are synchronous (httpmock's `mock`), so no async runtime here
    // until the client runs.
    let server = MockServer::start();
    let body: types::HistoryPage =
        serde_json::from_value(fixture("zchat/history.seed.json")).unwrap();
    let limit = std::num::NonZeroU32::new(50).unwrap();
    let mock = server.list_history(|when, then| {
        when.limit(limit).search("maria");
        then.ok(&body);
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page = runtime
        .block_on(
            client(&server)
                .list_history()
                .limit(50u32)
                .search("maria")
                .send(),
        )
        .unwrap();
    mock.assert();
    assert_eq!(page.into_inner(), body);
}

#[tokio::test]
async fn invalid_parameters_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let c = client(&server);

    let bad_timezone = c.list_history().timezone("-3").send().await.unwrap_err();
    assert!(
        matches!(bad_timezone, Error::InvalidRequest(_)),
        "{bad_timezone}"
    );
    // The forms the vendor documents pass (`2024-03-01 00:00`, seconds optional); a month,
    // day or hour that does not exist does not.
    for bad in [
        "2024-13-01T00:00:00",
        "2024-02-30T00:00:00",
        "2024-03-01T24:00:00",
        "2024-03-01",
    ] {
        let bad_date = c.list_history().from(bad).send().await.unwrap_err();
        assert!(
            matches!(bad_date, Error::InvalidRequest(_)),
            "{bad}: {bad_date}"
        );
    }
    for good in [
        "2024-03-01 00:00",
        "2024-03-01 00:00:00",
        "2024-02-29T23:59:59",
    ] {
        // Sent (the mock's empty answer fails later, not the parameter).
        let sent = c.list_history().from(good).send().await;
        assert!(!matches!(sent, Err(Error::InvalidRequest(_))), "{good}");
    }
    let zero_limit = c.list_ongoing().limit(0u32).send().await.unwrap_err();
    assert!(
        matches!(zero_limit, Error::InvalidRequest(_)),
        "{zero_limit}"
    );
    assert_eq!(any.calls_async().await, 3, "only the valid dates were sent");
}

// ---- tolerant parsing ----

#[tokio::test]
async fn unknown_channel_and_string_active_parse() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/history");
            then.status(200)
                .json_body(fixture("zchat/history.realistic.json"));
        })
        .await;
    let page = client(&server).list_history().send().await.unwrap();

    let media: Vec<String> = page
        .data
        .iter()
        .map(|r| {
            serde_json::to_value(&r.media)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(media.contains(&"INSTAGRAM".to_owned()), "{media:?}");
    let unknown = page.data.iter().find_map(|r| match &r.media {
        Some(types::Channel::String(s)) => Some(s.clone()),
        _ => None,
    });
    assert_eq!(unknown.as_deref(), Some("INSTAGRAM"));
    assert!(page
        .data
        .iter()
        .any(|r| matches!(r.active, Some(types::ActiveFlag::String(_)))));
    assert!(page
        .data
        .iter()
        .any(|r| matches!(r.active, Some(types::ActiveFlag::Boolean(true)))));
}

#[tokio::test]
async fn seed_placeholder_values_parse() {
    // The vendor's own example has "active": "true/false" and "media": "service_channel".
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/history");
            then.status(200)
                .json_body(fixture("zchat/history.seed.json"));
        })
        .await;
    let page = client(&server).list_history().send().await.unwrap();
    let row = &page.data[0];
    assert_eq!(
        row.active,
        Some(types::ActiveFlag::String("true/false".into()))
    );
    assert_eq!(
        row.media,
        Some(types::Channel::String("service_channel".into()))
    );
}

// ---- failures, on every operation ----

#[tokio::test]
async fn error_envelope_becomes_a_typed_error_on_every_operation() {
    for op in ALL {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path(op.path());
                then.status(401).json_body(fixture("zchat/error.seed.json"));
            })
            .await;
        let err = op.send(&client(&server)).await.unwrap_err();
        let (status, body) = envelope_error(&err);
        assert_eq!(status, 401, "{op:?}");
        assert_eq!(body.error.as_deref(), Some("Error message"), "{op:?}");
        assert!(!body.success, "{op:?}");
    }
}

#[tokio::test]
async fn success_false_in_a_2xx_is_an_error_on_every_operation() {
    for op in ALL {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path(op.path());
                then.status(200)
                    .json_body(fixture("zchat/success_false.json"));
            })
            .await;
        let err = op.send(&client(&server)).await.unwrap_err();
        let (status, body) = envelope_error(&err);
        assert_eq!(status, 401, "{op:?}: the envelope's status wins");
        assert_eq!(body.error.as_deref(), Some("Invalid token"), "{op:?}");
        if let Error::ErrorResponse(rv) = &err {
            assert_eq!(rv.headers()[cxkit_runtime::ORIGINAL_STATUS_HEADER], "200");
        }
    }
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_then_succeeds() {
    for op in ALL {
        let server = MockServer::start_async().await;
        let limited = server
            .mock_async(|when, then| {
                when.path(op.path()).header(ATTEMPT_HEADER, "1");
                then.status(429)
                    .header("Retry-After", "1")
                    .json_body(json!({"error": "slow down", "status": 429, "success": false}));
            })
            .await;
        let ok = server
            .mock_async(|when, then| {
                when.path(op.path()).header(ATTEMPT_HEADER, "2");
                then.status(200)
                    .json_body(json!({"status": 200, "success": true, "data": []}));
            })
            .await;

        let logs = LogCapture::default();
        let guard = logs.install();
        let result = op.send(&client_with(&server, fast_retries(3))).await;
        drop(guard);

        let value = result.unwrap_or_else(|e| panic!("{op:?}: {e}"));
        assert_eq!(value["data"], json!([]));
        limited.assert_calls_async(1).await;
        ok.assert_calls_async(1).await;
        // The wait came from Retry-After (1 s), not from the 1 ms backoff.
        assert!(
            logs.text().contains("delay_ms=1000"),
            "{op:?}: {}",
            logs.text()
        );
    }
}

#[tokio::test]
async fn a_5xx_that_outlasts_the_retry_budget_is_returned_typed() {
    for op in ALL {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                when.path(op.path());
                then.status(503)
                    .json_body(json!({"error": "maintenance", "status": 503, "success": false}));
            })
            .await;
        let err = op
            .send(&client_with(&server, fast_retries(3)))
            .await
            .unwrap_err();
        failing.assert_calls_async(3).await;
        let (status, body) = envelope_error(&err);
        assert_eq!(status, 503, "{op:?}");
        assert_eq!(body.error.as_deref(), Some("maintenance"));
        assert!(err.is_retryable());
    }
}

#[tokio::test]
async fn an_html_502_page_gives_the_status_and_a_short_excerpt() {
    let page = format!(
        "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "<p>upstream unavailable</p>".repeat(100)
    );
    for op in ALL {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.path(op.path());
                then.status(502)
                    .header("content-type", "text/html")
                    .body(page.clone());
            })
            .await;
        let err = op.send(&client(&server)).await.unwrap_err();
        let (status, body) = envelope_error(&err);
        assert_eq!(status, 502, "{op:?}");
        let message = body.error.unwrap();
        assert!(
            message.starts_with("HTTP 502 Bad Gateway: <html>"),
            "{message}"
        );
        assert!(
            message.len() < 600,
            "excerpt is short: {} bytes",
            message.len()
        );
        let text = err.to_string();
        assert!(text.contains("502"), "{text}");
        assert!(text.contains("<h1>502 Bad Gateway</h1>"), "{text}");
        if let Error::ErrorResponse(rv) = &err {
            assert_eq!(rv.headers()[SYNTHESIZED_HEADER], "true");
        }
    }
}

#[tokio::test]
async fn empty_and_malformed_bodies_are_typed_errors_not_panics() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/reports");
            then.status(200).body("");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/history");
            then.status(200)
                .body(r#"{"status": 200, "success": true, "data": [{"id": 12"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/ongoing");
            then.status(200)
                .json_body(json!({"success": true, "data": [{"id": 42}]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/history/expanded");
            then.status(404).body("");
        })
        .await;
    let c = client(&server);
    for op in [Op::Reports, Op::History, Op::Ongoing] {
        let err = op.send(&c).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidResponsePayload(..)),
            "{op:?}: {err}"
        );
    }
    let err = Op::Expanded.send(&c).await.unwrap_err();
    let (status, body) = envelope_error(&err);
    assert_eq!(status, 404);
    assert_eq!(
        body.error.as_deref(),
        Some("HTTP 404 Not Found with an empty body")
    );
}

#[tokio::test]
async fn get_requests_are_retried_on_connection_errors() {
    // Nothing listens on this port: every attempt fails to connect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let logs = LogCapture::default();
    let guard = logs.install();
    let c = Client::new(
        &format!("http://{addr}"),
        zchat_api::context(TOKEN).with_retry(fast_retries(3)),
    );
    let err = c.list_history().send().await.unwrap_err();
    drop(guard);
    assert!(matches!(err, Error::CommunicationError(_)), "{err}");
    assert_eq!(
        logs.text().matches("retrying").count(),
        2,
        "{}",
        logs.text()
    );
}
