//! Every Converz operation on the wire (httpmock): array filters as repeated keys, dates,
//! `after`/`before`, `columns`/`metric`, both update shapes byte-for-byte as documented, the
//! `X-API-Key` header, typed 400/401 errors, and open rows that keep every column.

use chrono::NaiveDate;
use converz_api::mock::MockServerExt;
use converz_api::{types, Client, Error, RetryPolicy};
use cxkit_tests::{fixture, normalized};
use httpmock::prelude::*;
use serde_json::json;
use std::time::Duration;

const KEY: &str = "cvz-test-key-77aa";

fn client(server: &MockServer) -> Client {
    Client::new(
        &server.base_url(),
        converz_api::context(KEY).with_retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        ),
    )
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[tokio::test]
async fn list_reps_sends_paging_filters_and_the_key_header() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/reps")
                .header("x-api-key", KEY)
                .query_param("n_per_page", "1")
                .query_param("page", "2")
                .query_param("active", "1")
                .query_param("department", "support")
                .query_param("department", "sales")
                .query_param_count("^department$", ".*", 2)
                .query_param("rep_id", "kees500")
                .query_param_count("^rep_id$", ".*", 1);
            then.status(200)
                .json_body(fixture("converz/reps.docs.json"));
        })
        .await;

    let reps = client(&server)
        .list_reps()
        .n_per_page(1u64)
        .page(2u64)
        .active(1)
        .department(strings(&["support", "sales"]))
        .rep_id(strings(&["kees500"]))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(reps.len(), 1);
    assert_eq!(reps[0].rep_id, "kees500");
    assert_eq!(reps[0].extra.get("gender").unwrap(), "m");
    assert_eq!(reps[0].extra.get("campaign").unwrap(), "sales");
}

#[tokio::test]
async fn list_calls_encodes_every_parameter_as_documented() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/calls")
                .header("x-api-key", KEY)
                .query_param("n_per_page", "1000000")
                .query_param("page", "1")
                .query_param("start_date", "2025-07-15")
                .query_param("end_date", "2025-07-31")
                .query_param("after", "2025-07-15 12:00")
                .query_param("before", "2025-07-31 18:30")
                .query_param("metric", "sentiment,talk_ratio")
                .query_param("columns", "call_id,rep_id,duration")
                .query_param("vendor_call_id", "v-991")
                .query_param("rep_id", "kees500")
                .query_param("rep_id", "mila")
                .query_param_count("^rep_id$", ".*", 2)
                .query_param("vendor", "five9")
                .query_param("campaign", "A")
                .query_param("campaign", "B")
                .query_param_count("^campaign$", ".*", 2)
                .query_param("subcampaign", "A1")
                .query_param("department", "support");
            then.status(200)
                .json_body(fixture("converz/calls.docs.json"));
        })
        .await;

    let calls = client(&server)
        .list_calls()
        .n_per_page(converz_api::MAX_PAGE_SIZE)
        .page(1u64)
        .start_date(date("2025-07-15"))
        .end_date(date("2025-07-31"))
        .after("2025-07-15 12:00")
        .before("2025-07-31 18:30")
        .metric("sentiment,talk_ratio")
        .columns("call_id,rep_id,duration")
        .vendor_call_id("v-991")
        .rep_id(strings(&["kees500", "mila"]))
        .vendor(strings(&["five9"]))
        .campaign(strings(&["A", "B"]))
        .subcampaign(strings(&["A1"]))
        .department(strings(&["support"]))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(calls[0].call_id, 1);
    assert_eq!(calls[0].rep_id.as_deref(), Some("kees500"));
}

#[tokio::test]
async fn list_calls_refuses_malformed_times_and_page_sizes_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = client(&server);
    let err = c
        .list_calls()
        .after("2025-07-15T12:00")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    let err = c.list_calls().n_per_page(0u64).send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn list_calls_keeps_unknown_columns_through_a_round_trip() {
    let server = MockServer::start_async().await;
    let body = fixture("converz/calls.realistic.json");
    server
        .mock_async(|when, then| {
            when.path("/calls");
            then.status(200).json_body(body.clone());
        })
        .await;
    let calls = client(&server).list_calls().send().await.unwrap();
    let again = serde_json::to_value(calls.into_inner()).unwrap();
    assert_eq!(normalized(&again), normalized(&body));
    // Including columns whose value is null (`normalized` drops those, so check directly).
    assert_eq!(again[0]["disposition"], serde_json::Value::Null);
    assert!(again[0].as_object().unwrap().contains_key("disposition"));
}

#[tokio::test]
async fn get_report_sends_range_filters_metric_and_groupby() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/report")
                .header("x-api-key", KEY)
                .query_param("start_date", "2025-06-01")
                .query_param("end_date", "2025-06-30")
                .query_param("days", "30")
                .query_param("vendor", "five9")
                .query_param("rep_id", "a")
                .query_param("rep_id", "b")
                .query_param("campaign", "sales")
                .query_param("department", "d")
                .query_param("subcampaign", "s")
                .query_param("metric", "n_calls,avg_duration")
                .query_param("groupby", "date,campaign");
            then.status(200)
                .json_body(fixture("converz/report.realistic.json"));
        })
        .await;

    let rows = client(&server)
        .get_report()
        .start_date(date("2025-06-01"))
        .end_date(date("2025-06-30"))
        .days(30u64)
        .vendor(strings(&["five9"]))
        .rep_id(strings(&["a", "b"]))
        .campaign(strings(&["sales"]))
        .department(strings(&["d"]))
        .subcampaign(strings(&["s"]))
        .metric("n_calls,avg_duration")
        .groupby("date,campaign")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let expected = fixture("converz/report.realistic.json");
    assert_eq!(serde_json::to_value(rows.into_inner()).unwrap(), expected);
}

/// Sends `fixture` as the body of `update` and checks the wire body equals it exactly.
async fn assert_update_body(path: &str, fixture_name: &str) {
    let server = MockServer::start_async().await;
    let body = fixture(fixture_name);
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path)
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .json_body(body.clone());
            then.status(200).header("content-length", "0");
        })
        .await;
    let c = client(&server);
    let result = if path == "/reps" {
        let typed: types::RepUpdate = serde_json::from_value(body.clone()).unwrap();
        c.update_reps()
            .body(typed)
            .send()
            .await
            .unwrap()
            .into_inner()
    } else {
        let typed: types::CallUpdate = serde_json::from_value(body.clone()).unwrap();
        c.update_calls()
            .body(typed)
            .send()
            .await
            .unwrap()
            .into_inner()
    };
    mock.assert_async().await;
    assert_eq!(
        result.0,
        serde_json::Value::Null,
        "an empty 200 reads as null"
    );
}

#[tokio::test]
async fn update_reps_sends_both_documented_shapes_exactly() {
    assert_update_body("/reps", "converz/update_reps.columnar.json").await;
    assert_update_body("/reps", "converz/update_reps.rowwise.json").await;
}

#[tokio::test]
async fn update_calls_sends_both_documented_shapes_exactly() {
    assert_update_body("/calls", "converz/update_calls.columnar.json").await;
    assert_update_body("/calls", "converz/update_calls.rowwise.json").await;
}

#[tokio::test]
async fn columnar_nulls_are_sent_as_nulls() {
    // `null` in a column leaves that row's value untouched: it must reach the wire as `null`.
    let server = MockServer::start_async().await;
    let body = json!({"rep_id": ["mila", "liam"], "gender": ["f", null], "name": [null, "Liam"]});
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/reps").json_body(body.clone());
            then.status(200).json_body(json!({"updated": 2}));
        })
        .await;
    let typed: types::RepUpdate = serde_json::from_value(body.clone()).unwrap();
    assert!(matches!(typed, types::RepUpdate::ColumnarRepUpdate(_)));
    let result = client(&server)
        .update_reps()
        .body(typed)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(
        result.0,
        json!({"updated": 2}),
        "an unpublished body is kept as is"
    );
}

#[tokio::test]
async fn updates_are_never_retried() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/calls");
            then.status(503)
                .json_body(json!({"error": "busy", "code": "unavailable"}));
        })
        .await;
    let typed: types::CallUpdate =
        serde_json::from_value(fixture("converz/update_calls.columnar.json")).unwrap();
    let err = client(&server)
        .update_calls()
        .body(typed)
        .send()
        .await
        .unwrap_err();
    failing.assert_calls_async(1).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn a_400_and_a_401_become_typed_errors() {
    for (status, name) in [
        (400, "converz/error.400.json"),
        (401, "converz/error.401.json"),
    ] {
        let server = MockServer::start_async().await;
        let body = fixture(name);
        server
            .mock_async(|when, then| {
                when.path("/calls");
                then.status(status).json_body(body.clone());
            })
            .await;
        match client(&server).list_calls().send().await.unwrap_err() {
            Error::ErrorResponse(rv) => {
                assert_eq!(rv.status().as_u16(), status);
                assert_eq!(serde_json::to_value(rv.into_inner()).unwrap(), body);
            }
            other => panic!("expected a typed error, got {other}"),
        }
    }
}

#[tokio::test]
async fn an_html_error_page_gets_the_converz_error_shape() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/reps");
            then.status(502).body("<html><h1>Bad Gateway</h1></html>");
        })
        .await;
    match client(&server).list_reps().send().await.unwrap_err() {
        Error::ErrorResponse(rv) => {
            assert_eq!(rv.status().as_u16(), 502);
            let body = rv.into_inner();
            assert_eq!(body.code.as_deref(), Some("502"));
            assert!(body.error.unwrap().contains("<h1>Bad Gateway</h1>"));
        }
        other => panic!("expected a typed error, got {other}"),
    }
}

#[test]
fn typed_mock_helpers_compile_and_match_array_filters() {
    let server = MockServer::start();
    let ids = strings(&["kees500", "mila"]);
    let campaigns = strings(&["A", "B"]);
    let rows: types::CallList = serde_json::from_value(fixture("converz/calls.docs.json")).unwrap();
    let mock = server.list_calls(|when, then| {
        when.rep_id(&ids).campaign(&campaigns).vendor(None);
        then.ok(&rows);
    });
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let got = runtime
        .block_on(
            client(&server)
                .list_calls()
                .rep_id(ids.clone())
                .campaign(campaigns.clone())
                .send(),
        )
        .unwrap();
    mock.assert();
    assert_eq!(got.into_inner(), rows);
}

#[test]
fn the_base_url_is_per_tenant() {
    assert_eq!(
        converz_api::tenant_base_url("acme-01").unwrap(),
        "https://acme-01.converz.co/api/v1"
    );
    for bad in ["", "-acme", "acme.evil.com/x", "a b"] {
        assert!(converz_api::tenant_base_url(bad).is_err(), "{bad:?}");
    }
}
