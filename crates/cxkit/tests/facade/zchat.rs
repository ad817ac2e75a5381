//! zchat streams, typed filters and retries through the facade.

use crate::common::*;
use chrono::{FixedOffset, TimeZone};
use cxkit::zchat::{
    Channel, Client, HistoryQuery, KnownChannel, KnownState, OngoingQuery, ReportQuery, State,
};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn client(server: &MockServer, attempts: u32) -> Client {
    observed_debug(
        Client::builder()
            .token(ZCHAT_TOKEN)
            .base_url(server.base_url())
            .retry(fast_retry(attempts))
            .build()
            .unwrap(),
    )
}

fn rows(ids: &[&str]) -> Value {
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "media": "WHATSAPP"}))
        .collect();
    json!({"status": 200, "success": true, "data": data})
}

async fn mock_pages(server: &MockServer, path: &str, pages: &[&[&str]]) {
    for (i, ids) in pages.iter().enumerate() {
        let page = (i + 1).to_string();
        server
            .mock_async(|when, then| {
                when.path(path)
                    .query_param("page", page)
                    .query_param("limit", "2");
                then.status(200).json_body(rows(ids));
            })
            .await;
    }
}

#[tokio::test]
async fn history_streams_every_row_once_in_order_with_and_without_prefetch() {
    for prefetch in [false, true] {
        let server = MockServer::start_async().await;
        mock_pages(&server, "/history", &[&["1", "2"], &["3", "4"], &["5"]]).await;
        let query = HistoryQuery::new().page_size(2).prefetch(prefetch);
        let (got, error) = drain(client(&server, 1).history(query)).await;
        assert!(error.is_none(), "prefetch={prefetch}: {error:?}");
        let ids: Vec<_> = got.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5"], "prefetch={prefetch}");
    }
}

#[tokio::test]
async fn raw_history_rows_are_the_rows_as_sent_and_a_refusal_is_an_api_error() {
    let server = MockServer::start_async().await;
    mock_pages(&server, "/history", &[&["1", "2"], &["3"]]).await;
    let query = HistoryQuery::new().page_size(2);
    let (got, error) = drain(client(&server, 1).history_raw(query)).await;
    assert!(error.is_none(), "{error:?}");
    let texts: Vec<&[u8]> = got.iter().map(|r| r.as_bytes()).collect();
    assert_eq!(
        texts,
        [
            &br#"{"id":"1","media":"WHATSAPP"}"#[..],
            br#"{"id":"2","media":"WHATSAPP"}"#,
            br#"{"id":"3","media":"WHATSAPP"}"#
        ]
    );

    let refused = MockServer::start_async().await;
    refused
        .mock_async(|when, then| {
            when.path("/history");
            then.status(403)
                .json_body(json!({"success": false, "status": 403, "error": "no access"}));
        })
        .await;
    let (got, error) = drain(client(&refused, 1).history_raw(HistoryQuery::new())).await;
    assert!(got.is_empty());
    let error = error.expect("a refusal is an error");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert!(error.to_string().contains("no access"), "{error}");
}

/// Holds the stream after its first row; whether page 2 was asked for meanwhile.
async fn page_two_requested_while_page_one_is_held(prefetch: bool) -> bool {
    let server = MockServer::start_async().await;
    mock_pages(&server, "/history", &[&["1", "2"]]).await;
    let page_two = server
        .mock_async(|when, then| {
            when.path("/history").query_param("page", "2");
            then.status(200).json_body(rows(&[]));
        })
        .await;
    let query = HistoryQuery::new().page_size(2).prefetch(prefetch);
    let mut stream = client(&server, 1).history(query);
    let first = futures::StreamExt::next(&mut stream).await;
    assert_eq!(first.unwrap().unwrap().id, "1");
    // Bounded: 40 polls of 25 ms give the prefetch task a second to reach the server.
    for _ in 0..40 {
        if page_two.calls_async().await > 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    false
}

#[tokio::test]
async fn prefetch_asks_for_the_next_page_before_the_current_one_is_consumed() {
    assert!(page_two_requested_while_page_one_is_held(true).await);
    assert!(!page_two_requested_while_page_one_is_held(false).await);
}

#[tokio::test]
async fn a_full_last_page_is_followed_by_an_empty_one() {
    let server = MockServer::start_async().await;
    mock_pages(&server, "/ongoing", &[&["1", "2"], &["3", "4"], &[]]).await;
    let (got, error) = drain(client(&server, 1).ongoing(OngoingQuery::new().page_size(2))).await;
    assert!(error.is_none());
    assert_eq!(got.len(), 4);
}

#[tokio::test]
async fn an_error_mid_way_ends_the_stream_after_the_rows_before_it() {
    for prefetch in [false, true] {
        let server = MockServer::start_async().await;
        mock_pages(&server, "/history/expanded", &[&["1", "2"]]).await;
        server
            .mock_async(|when, then| {
                when.path("/history/expanded").query_param("page", "2");
                then.status(401)
                    .json_body(json!({"error": "token revoked", "status": 401, "success": false}));
            })
            .await;
        let query = HistoryQuery::new().page_size(2).prefetch(prefetch);
        let (got, error) = drain(client(&server, 1).history_expanded(query)).await;
        assert_eq!(got.len(), 2);
        let error = error.expect("the stream reports the failure");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
        assert_eq!(error.api(), Some(cxkit::Api::Zchat));
        assert!(error.to_string().contains("token revoked"), "{error}");
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn typed_filters_reach_the_wire_in_the_vendor_format() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/history")
                .query_param("token", ZCHAT_TOKEN)
                .query_param("from", "2024-03-01T06:00:00")
                .query_param("to", "2024-03-01T21:30:00")
                .query_param("timezone", "-0300")
                .query_param("types", "WHATSAPP,INSTAGRAM")
                .query_param("states", "ENDED,CANCELED")
                .query_param("agents", "7,9")
                .query_param("departments", "2")
                .query_param("active", "true")
                .query_param("search", "maria")
                .query_param("limit", "500")
                .query_param("page", "1");
            then.status(200).json_body(rows(&["1"]));
        })
        .await;
    let brt = FixedOffset::west_opt(3 * 3600).unwrap();
    let to_utc = chrono::Utc.with_ymd_and_hms(2024, 3, 2, 0, 30, 0).unwrap();
    let query = HistoryQuery::new()
        .between(
            brt.with_ymd_and_hms(2024, 3, 1, 6, 0, 0).unwrap(),
            to_utc.with_timezone(&brt),
        )
        .channels([
            Channel::from(KnownChannel::Whatsapp),
            Channel::String("INSTAGRAM".into()),
        ])
        .states([
            State::from(KnownState::Ended),
            State::from(KnownState::Canceled),
        ])
        .agents([7, 9])
        .departments(["2"])
        .active(true)
        .search("maria")
        .page_size(500);
    let (got, error) = drain(client(&server, 1).history(query)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(got.len(), 1);
    mock.assert_async().await;
}

#[tokio::test]
async fn bad_queries_fail_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(rows(&[]));
        })
        .await;
    let c = client(&server, 1);
    let utc = chrono::Utc;
    let reversed = HistoryQuery::new().between(
        utc.with_ymd_and_hms(2024, 3, 2, 0, 0, 0).unwrap(),
        utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
    );
    let (_, error) = drain(c.history(reversed)).await;
    assert!(
        matches!(error, Some(cxkit::Error::InvalidInput(_))),
        "{error:?}"
    );
    let (_, error) = drain(c.ongoing(OngoingQuery::new().page_size(10_001))).await;
    assert!(
        matches!(error, Some(cxkit::Error::InvalidInput(_))),
        "{error:?}"
    );
    let error = observed(c.messages(" ").await.unwrap_err());
    assert!(matches!(error, cxkit::Error::InvalidInput(_)));
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn a_429_and_a_503_with_retry_after_are_retried() {
    for status in [429, 503] {
        let server = MockServer::start_async().await;
        let refused = server
            .mock_async(|when, then| {
                when.path("/history").header("x-cxkit-attempt", "1");
                then.status(status).header("Retry-After", "0").body("busy");
            })
            .await;
        let ok = server
            .mock_async(|when, then| {
                when.path("/history").header("x-cxkit-attempt", "2");
                then.status(200).json_body(rows(&["1"]));
            })
            .await;
        let (got, error) = drain(client(&server, 3).history(HistoryQuery::new())).await;
        assert!(error.is_none(), "{status}: {error:?}");
        assert_eq!(got.len(), 1);
        refused.assert_calls_async(1).await;
        ok.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn report_and_messages() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/reports")
                .query_param("data_type", "channel")
                .query_param("tags", "1,2");
            then.status(200)
                .json_body(json!({"success": true, "data": [{"title": "Total", "answered": 3}]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/history/P-1/messages");
            then.status(200)
                .json_body(json!({"success": true, "data": [{"id": "m1", "content": "oi"}]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/history/P-2/messages");
            then.status(200)
                .json_body(json!({"success": false, "status": 404, "error": "unknown protocol"}));
        })
        .await;
    let c = client(&server, 1);
    let report = c
        .report(
            &ReportQuery::new()
                .group_by(cxkit::zchat::ReportGrouping::Channel)
                .tags([1, 2]),
        )
        .await
        .unwrap();
    assert_eq!(report[0].answered, Some(3));
    assert_eq!(
        c.messages("P-1").await.unwrap()[0].content.as_deref(),
        Some("oi")
    );
    let error = observed(c.messages("P-2").await.unwrap_err());
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(error.to_string().contains("unknown protocol"));
}

#[tokio::test]
async fn transport_errors_and_timeouts_are_typed_and_masked() {
    let closed = Client::builder()
        .token(ZCHAT_TOKEN)
        .base_url("http://127.0.0.1:9")
        .retry(cxkit::RetryPolicy::none())
        .build()
        .unwrap();
    let (_, error) = drain(closed.history(HistoryQuery::new())).await;
    let error = error.unwrap();
    assert!(matches!(error, cxkit::Error::Transport { .. }), "{error}");
    assert!(error.is_retryable());
    assert!(format!("{error}").contains("token=***"), "{error}");

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/ongoing");
            then.status(200)
                .delay(std::time::Duration::from_millis(400))
                .json_body(rows(&[]));
        })
        .await;
    let slow = Client::builder()
        .token(ZCHAT_TOKEN)
        .base_url(server.base_url())
        .timeout(std::time::Duration::from_millis(50))
        .retry(cxkit::RetryPolicy::none())
        .build()
        .unwrap();
    let (_, error) = drain(slow.ongoing(OngoingQuery::new())).await;
    assert!(
        matches!(error, Some(cxkit::Error::Timeout { .. })),
        "{error:?}"
    );
}
