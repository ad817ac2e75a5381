//! Converz streams (decoded while downloading), filters, and chunked bulk updates.

use crate::common::*;
use chrono::NaiveDate;
use cxkit::converz::{CallQuery, ChunkStatus, Client, RepQuery, Update};
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn client(server: &MockServer) -> Client {
    observed_debug(
        Client::builder()
            .base_url(server.base_url())
            .api_key(CONVERZ_KEY)
            .retry(fast_retry(1))
            .build()
            .unwrap(),
    )
}

fn calls(ids: std::ops::Range<i64>) -> Value {
    Value::Array(
        ids.map(|id| json!({"call_id": id, "rep_id": "r", "duration": id * 10}))
            .collect(),
    )
}

#[tokio::test]
async fn calls_stream_pages_decoded_row_by_row_with_and_without_prefetch() {
    for prefetch in [false, true] {
        let server = MockServer::start_async().await;
        for (page, ids) in [(1, 0..3), (2, 3..6), (3, 6..7)] {
            server
                .mock_async(|when, then| {
                    when.path("/calls")
                        .header("x-api-key", CONVERZ_KEY)
                        .query_param("page", page.to_string())
                        .query_param("n_per_page", "3");
                    then.status(200).json_body(calls(ids));
                })
                .await;
        }
        let query = CallQuery::new().page_size(3).prefetch(prefetch);
        let (got, error) = drain(client(&server).calls(query)).await;
        assert!(error.is_none(), "{error:?}");
        let ids: Vec<i64> = got.iter().map(|c| c.call_id).collect();
        assert_eq!(ids, (0..7).collect::<Vec<_>>(), "prefetch={prefetch}");
        assert_eq!(
            got[4].extra.get("duration").unwrap(),
            40,
            "unknown columns are kept"
        );
    }
}

#[tokio::test]
async fn streamed_typed_calls_re_encode_as_the_vendor_sent_them() {
    let rows = [
        r#"{"call_id":1,"rep_id":"r","score":4.50,"big":123456789012345678901234567890}"#,
        r#"{"call_id":2,"summary":"Jos\u00e9 \/ Ana","at":"2024-02-24T08:23:11.000Z"}"#,
    ];
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/calls").query_param("page", "1");
            then.status(200)
                .header("content-type", "application/json")
                .body(format!("[{}]", rows.join(",")));
        })
        .await;
    let (got, error) = drain(client(&server).calls(CallQuery::new().page_size(10))).await;
    assert!(error.is_none(), "{error:?}");
    let again: Vec<String> = got
        .iter()
        .map(|call| serde_json::to_string(call).unwrap())
        .collect();
    assert_eq!(again, rows);
}

/// Log lines written on this thread while the returned guard lives.
fn capture_logs() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    #[derive(Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = Sink(buffer.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    (buffer, tracing::subscriber::set_default(subscriber))
}

// On one thread, so the prefetch tasks log to this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn a_concurrent_walk_shares_a_throttle_that_a_429_slows_down() {
    for concurrency in [1, 3] {
        let server = MockServer::start_async().await;
        // Page 2's first attempt is rate-limited; its retry and every other page answer.
        server
            .mock_async(|when, then| {
                when.path("/calls")
                    .query_param("page", "2")
                    .header(cxkit_runtime::ATTEMPT_HEADER, "1");
                then.status(429).header("retry-after", "0").body("{}");
            })
            .await;
        for (page, ids) in [(1, 0..3), (2, 3..6), (3, 6..7)] {
            server
                .mock_async(|when, then| {
                    when.path("/calls").query_param("page", page.to_string());
                    then.status(200).json_body(calls(ids));
                })
                .await;
        }
        let client = Client::builder()
            .base_url(server.base_url())
            .api_key(CONVERZ_KEY)
            .retry(fast_retry(3))
            .build()
            .unwrap();
        let query = CallQuery::new().page_size(3).concurrency(concurrency);
        let (logs, guard) = capture_logs();
        let (got, error) = drain(client.calls(query)).await;
        drop(guard);
        assert!(error.is_none(), "{error:?}");
        let ids: Vec<i64> = got.iter().map(|c| c.call_id).collect();
        assert_eq!(ids, (0..7).collect::<Vec<_>>(), "concurrency {concurrency}");
        let logs = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
        assert_eq!(
            logs.contains("rate limited: fewer requests in flight"),
            concurrency > 1,
            "concurrency {concurrency}: {logs}"
        );
    }
}

#[tokio::test]
async fn filters_are_sent_as_documented() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/calls")
                .query_param("start_date", "2025-07-15")
                .query_param("end_date", "2025-07-31")
                .query_param("after", "2025-07-15 12:00")
                .query_param("metric", "sentiment,talk_ratio")
                .query_param("columns", "call_id,rep_id")
                .query_param("campaign", "A")
                .query_param("campaign", "B")
                .query_param_count("^campaign$", ".*", 2)
                .query_param("rep_id", "kees500");
            then.status(200).json_body(calls(0..1));
        })
        .await;
    let query = CallQuery::new()
        .start_date(NaiveDate::from_ymd_opt(2025, 7, 15).unwrap())
        .end_date(NaiveDate::from_ymd_opt(2025, 7, 31).unwrap())
        .after(
            NaiveDate::from_ymd_opt(2025, 7, 15)
                .unwrap()
                .and_hms_opt(12, 0, 59)
                .unwrap(),
        )
        .metrics(["sentiment", "talk_ratio"])
        .columns(["call_id", "rep_id"])
        .campaigns(["A", "B"])
        .rep_ids(["kees500"])
        .page_size(10);
    let (got, error) = drain(client(&server).calls(query)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(got.len(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn a_large_page_with_a_malformed_row_stops_at_that_row() {
    const ROWS: usize = 300_000;
    const BAD: usize = 250_000;
    let mut body = String::with_capacity(ROWS * 40);
    body.push('[');
    for i in 0..ROWS {
        if i > 0 {
            body.push(',');
        }
        if i == BAD {
            body.push_str(r#"{"call_id":"not-a-number","rep_id":"x"}"#);
        } else {
            body.push_str(&format!(r#"{{"call_id":{i},"rep_id":"r{}"}}"#, i % 97));
        }
    }
    body.push(']');
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/calls");
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await;
    let (got, error) = drain(client(&server).calls(CallQuery::new().page_size(1_000_000))).await;
    assert_eq!(got.len(), BAD);
    assert_eq!(got[BAD - 1].call_id, (BAD - 1) as i64);
    let error = error.expect("the malformed row is an error");
    match &error {
        cxkit::Error::Decode {
            reason,
            excerpt,
            status,
            ..
        } => {
            assert!(reason.contains(&format!("row {BAD}")), "{reason}");
            assert!(excerpt.contains("not-a-number"), "{excerpt}");
            assert_eq!(status.map(|s| s.as_u16()), Some(200));
        }
        other => panic!("expected a decode error, got {other}"),
    }
}

#[tokio::test]
async fn a_truncated_page_and_a_vendor_error_are_typed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/calls");
            then.status(200).body(r#"[{"call_id":1},{"call_id":2"#);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/reps");
            then.status(401)
                .json_body(json!({"error": "Invalid API key", "code": "unauthorized"}));
        })
        .await;
    let c = client(&server);
    let (got, error) = drain(c.calls(CallQuery::new())).await;
    assert_eq!(got.len(), 1);
    assert!(error.unwrap().to_string().contains("truncated"));
    let (_, error) = drain(c.reps(RepQuery::new().active(true))).await;
    let error = error.unwrap();
    assert_eq!(error.vendor_code(), Some("unauthorized"));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn reps_stream_with_filters() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/reps")
                .query_param("active", "1")
                .query_param("department", "support")
                .query_param("n_per_page", "2")
                .query_param("page", "1");
            then.status(200)
                .json_body(json!([{"rep_id": "a"}, {"rep_id": "b", "team": "x"}]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/reps").query_param("page", "2");
            then.status(200).json_body(json!([]));
        })
        .await;
    let query = RepQuery::new()
        .active(true)
        .departments(["support"])
        .page_size(2);
    let (got, error) = drain(client(&server).reps(query)).await;
    assert!(error.is_none());
    assert_eq!(
        got.iter().map(|r| r.rep_id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[tokio::test]
async fn updates_split_at_the_100000_row_boundary_in_order() {
    for (rows, requests) in [(100_000usize, 1usize), (100_001, 2)] {
        let server = MockServer::start_async().await;
        let first = server
            .mock_async(|when, then| {
                when.method(POST).path("/reps").body_includes(r#""r0""#);
                then.status(200).json_body(json!({"chunk": 1}));
            })
            .await;
        let second = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/reps")
                    .body_includes(r#""r100000""#);
                then.status(200).json_body(json!({"chunk": 2}));
            })
            .await;
        let ids: Vec<String> = (0..rows).map(|i| format!("r{i}")).collect();
        let update = Update::keyed_by_rep_id(ids).column("team", vec!["blue"; rows]);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let report = client(&server)
            .update_reps_with_progress(&update, move |p| log.lock().unwrap().push(p))
            .await
            .unwrap();
        assert!(report.is_complete());
        assert_eq!(report.chunks.len(), requests);
        assert_eq!(report.rows_sent(), rows);
        assert_eq!(report.chunks[0].rows, 0..100_000.min(rows));
        first.assert_calls_async(1).await;
        second.assert_calls_async(requests - 1).await;
        let progress = seen.lock().unwrap();
        assert_eq!(progress.len(), requests);
        assert_eq!(progress.last().unwrap().rows_done, rows);
        if let ChunkStatus::Sent(body) = &report.chunks[0].status {
            assert_eq!(body["chunk"], 1, "the vendor's body is kept");
        }
    }
}

#[tokio::test]
async fn a_failed_chunk_stops_the_update_and_the_report_says_what_was_applied() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/calls")
                .json_body(json!({"call_id": [1, 2], "campaign": ["A", null]}));
            then.status(200).header("content-length", "0");
        })
        .await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/calls")
                .json_body(json!({"call_id": [3, 4], "campaign": ["C", "D"]}));
            then.status(503)
                .json_body(json!({"error": "busy", "code": "unavailable"}));
        })
        .await;
    let c = Client::builder()
        .base_url(server.base_url())
        .api_key(CONVERZ_KEY)
        .retry(fast_retry(3))
        .update_chunk_rows(2)
        .build()
        .unwrap();
    let update = Update::keyed_by_call_id([1, 2, 3, 4, 5]).column_opt(
        "campaign",
        [Some("A"), None, Some("C"), Some("D"), Some("E")],
    );
    let report = c.update_calls(&update).await.unwrap();
    failing.assert_calls_async(1).await; // POSTs are never retried
    assert!(!report.is_complete());
    assert!(matches!(
        report.chunks[0].status,
        ChunkStatus::Sent(Value::Null)
    ));
    assert!(matches!(report.chunks[1].status, ChunkStatus::Failed(_)));
    assert!(matches!(report.chunks[2].status, ChunkStatus::NotSent));
    assert_eq!(report.rows_not_applied(), vec![2..4, 4..5]);
    let error = observed(report.error().unwrap().to_string());
    assert!(error.contains("503") && error.contains("busy"), "{error}");
}

#[tokio::test]
async fn an_invalid_update_sends_nothing() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let bad = Update::keyed_by_rep_id(["a", "b"]).column("team", ["x"]);
    let error = observed(client(&server).update_reps(&bad).await.unwrap_err());
    assert!(matches!(error, cxkit::Error::InvalidInput(_)));
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn csv_updates_never_null_other_rows() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/reps").json_body(json!({
                "rep_id": ["mila", "liam"], "gender": ["f", null], "name": [null, "Liam"]
            }));
            then.status(200).json_body(json!({}));
        })
        .await;
    let csv = "rep_id,gender,name\nmila,f,\nliam,,Liam\n";
    let update = Update::<String>::from_csv(csv.as_bytes()).unwrap();
    let report = client(&server).update_reps(&update).await.unwrap();
    assert!(report.is_complete());
    mock.assert_async().await;
}

#[tokio::test]
async fn a_chunk_size_over_the_vendor_limit_is_capped_at_100000_rows() {
    let server = MockServer::start_async().await;
    let chunks = server
        .mock_async(|when, then| {
            when.method(POST).path("/reps");
            then.status(200).json_body(json!({}));
        })
        .await;
    let client = observed_debug(
        Client::builder()
            .base_url(server.base_url())
            .api_key(CONVERZ_KEY)
            .retry(fast_retry(1))
            // Asked for more than the vendor takes in one request.
            .update_chunk_rows(250_000)
            .build()
            .unwrap(),
    );
    let rows = 150_001;
    let ids: Vec<String> = (0..rows).map(|i| format!("r{i}")).collect();
    let update = Update::keyed_by_rep_id(ids).column("team", vec!["blue"; rows]);

    let report = client.update_reps(&update).await.unwrap();

    chunks.assert_calls_async(2).await;
    assert_eq!(report.chunks[0].rows, 0..100_000);
    assert_eq!(report.chunks[1].rows, 100_000..rows);
}
