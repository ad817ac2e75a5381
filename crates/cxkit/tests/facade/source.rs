//! `sync::Source`: every stream of the catalog readable from the vendors configured, and only
//! from those; typed rows encoded whole.

use crate::common::*;
use chrono::{TimeZone, Utc};
use cxkit::error::Api;
use cxkit::sync::{stream, Source, STREAMS};
use cxkit::{conversion, converz, zchat};
use futures::StreamExt;
use httpmock::prelude::*;
use serde_json::{json, Value};

/// A source whose clients all point at `base` (nothing is sent until a stream is read).
fn source(base: &str) -> Source {
    Source {
        zchat: Some(
            zchat::Client::builder()
                .token(ZCHAT_TOKEN)
                .base_url(base)
                .retry(fast_retry(1))
                .build()
                .unwrap(),
        ),
        converz: Some(
            converz::Client::builder()
                .api_key(CONVERZ_KEY)
                .base_url(base)
                .retry(fast_retry(1))
                .build()
                .unwrap(),
        ),
        conversion: Some(
            conversion::Client::builder()
                .api_key(CONVERSION_KEY)
                .base_url(base)
                .retry(fast_retry(1))
                .build()
                .unwrap(),
        ),
        concurrency: 1,
    }
}

#[test]
fn every_stream_of_the_catalog_can_be_read() {
    let source = source("http://127.0.0.1:9");
    let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    for def in STREAMS {
        // Lazy: building the stream sends nothing; an unknown stream fails here.
        if let Err(error) = source.read(def, from) {
            panic!("{}: {}", def.name, observed(error));
        }
    }
}

#[test]
fn only_the_configured_vendors_have_streams() {
    let everything = source("http://127.0.0.1:9");
    assert_eq!(everything.streams().count(), STREAMS.len());
    let converz_only = Source {
        zchat: None,
        conversion: None,
        ..everything
    };
    assert!(converz_only.has(Api::Converz));
    assert!(!converz_only.has(Api::Zchat) && !converz_only.has(Api::Conversion));
    let names: Vec<&str> = converz_only.streams().map(|s| s.name).collect();
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n.starts_with("converz_")), "{names:?}");
    let history = stream("zchat_history").unwrap();
    let error = converz_only.read(history, Utc::now()).err().unwrap();
    assert_eq!(
        observed(error).to_string(),
        "invalid input: zchat is not configured"
    );
}

#[tokio::test]
async fn a_check_fails_when_the_vendor_refuses_the_credential() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(401)
                .json_body(json!({"success": false, "status": 401, "error": "bad token"}));
        })
        .await;
    let source = source(&server.base_url());
    for api in [Api::Zchat, Api::Converz, Api::Conversion] {
        let error = source.check(api).await.unwrap_err();
        assert_eq!(observed(error).status().map(|s| s.as_u16()), Some(401));
    }
}

#[tokio::test]
async fn a_typed_row_is_encoded_whole_with_its_unknown_fields() {
    let server = MockServer::start_async().await;
    let sent = json!([{"reason": "inactive", "name": "Inactive", "since": 2019}]);
    server
        .mock_async(|when, then| {
            when.path("/as-user/archiving-reasons");
            then.status(200).json_body(sent.clone());
        })
        .await;
    let source = source(&server.base_url());
    let reasons = stream("conversion_archiving_reasons").unwrap();
    let rows: Vec<_> = source.read(reasons, Utc::now()).unwrap().collect().await;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|r| serde_json::from_slice(&r.unwrap()).unwrap())
        .collect();
    assert_eq!(Value::Array(rows), sent);
}

#[tokio::test]
async fn agents_come_from_every_group_each_agent_once() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/groups");
            then.status(200)
                .json_body(json!([{"id": "g1", "name": "North"}, {"id": "g2", "name": "South"}]));
        })
        .await;
    let agent = |id: &str| json!({"id": id, "firstName": "A", "lastName": id});
    for (group, agents) in [("g1", ["a1", "a2"]), ("g2", ["a2", "a3"])] {
        let body = Value::Array(agents.iter().map(|a| agent(a)).collect());
        server
            .mock_async(|when, then| {
                when.path("/agents").query_param("group", group);
                then.status(200).json_body(body);
            })
            .await;
    }
    let source = source(&server.base_url());
    let agents = stream("conversion_agents").unwrap();
    let rows: Vec<_> = source.read(agents, Utc::now()).unwrap().collect().await;
    let ids: Vec<String> = rows
        .into_iter()
        .map(|r| serde_json::from_slice::<Value>(&r.unwrap()).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, [r#""a1""#, r#""a2""#, r#""a3""#]);
}

/// One read spec for every vendor: each stream's request carries its own filters, the period
/// in the stream's own words, and an incremental start that narrows it.
#[tokio::test]
async fn a_read_spec_puts_period_filters_and_start_on_each_vendors_request() {
    use cxkit::sync::{Filters, ReadSpec, Stream};
    let server = MockServer::start_async().await;
    let brt = chrono::FixedOffset::west_opt(3 * 3600).unwrap();
    let march = cxkit::Period::new(
        brt.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
        brt.with_ymd_and_hms(2024, 3, 31, 23, 59, 59).unwrap(),
    )
    .unwrap();
    // zchat: the period as asked, narrowed by the state's start, in the period's offset.
    let since = Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap();
    let history = server
        .mock_async(|when, then| {
            when.path("/history")
                .query_param("from", "2024-03-10T09:00:00")
                .query_param("to", "2024-03-31T23:59:59")
                .query_param("timezone", "-0300")
                .query_param("search", "refund");
            then.status(200).json_body(json!({"data": [{"id": "h1"}]}));
        })
        .await;
    // Converz: its own dates and filters kept, the start after the state's minute.
    let calls = server
        .mock_async(|when, then| {
            when.path("/calls")
                .query_param("start_date", "2024-03-10")
                .query_param("after", "2024-03-10 12:00")
                .query_param("campaign", "spring");
            then.status(200).json_body(json!([{"call_id": 7}]));
        })
        .await;
    // Conversion: the period in UTC.
    let prospects = server
        .mock_async(|when, then| {
            when.path("/prospects")
                .query_param("createdAfter", "2024-03-01T03:00:00Z")
                .query_param("status", "open");
            then.status(200)
                .header("content-type", "application/json")
                .body(r#"[{"id":"p1","created":"2024-03-02T08:00:00.000Z"}]"#);
        })
        .await;
    let source = source(&server.base_url());
    let read = |stream, spec| {
        let rows = source.rows(stream, spec).unwrap();
        async move {
            let rows: Vec<Result<cxkit::RawRow, cxkit::Error>> = rows.collect().await;
            rows.into_iter()
                .map(|r| String::from_utf8(r.unwrap().into_bytes().to_vec()).unwrap())
                .collect::<Vec<_>>()
        }
    };
    let spec = ReadSpec::new()
        .period(march)
        .since(since)
        .concurrency(1)
        .filters(Filters::ZchatHistory(
            zchat::HistoryQuery::new().search("refund"),
        ));
    assert_eq!(read(Stream::ZchatHistory, spec).await, [r#"{"id":"h1"}"#]);
    history.assert_async().await;

    let query = converz::CallQuery::new()
        .campaigns(["spring"])
        .start_date(chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
    let spec = ReadSpec::new()
        .since(since)
        .filters(Filters::ConverzCalls(query));
    assert_eq!(read(Stream::ConverzCalls, spec).await, [r#"{"call_id":7}"#]);
    calls.assert_async().await;

    let query = conversion::ProspectQuery::new().status("open");
    let spec = ReadSpec::new()
        .period(march)
        .filters(Filters::ConversionProspects(query));
    let rows = read(Stream::ConversionProspects, spec).await;
    assert_eq!(
        rows,
        [r#"{"id":"p1","created":"2024-03-02T08:00:00.000Z"}"#]
    );
    prospects.assert_async().await;
}

#[test]
fn a_read_spec_the_stream_cannot_honour_is_refused_typed() {
    use cxkit::sync::{Filters, ReadSpec, Stream};
    let source = source("http://127.0.0.1:9");
    let reps = Filters::ConverzReps(converz::RepQuery::new());
    let error = source
        .rows(Stream::ConverzCalls, ReadSpec::new().filters(reps.clone()))
        .err()
        .unwrap();
    assert_eq!(
        observed(error).to_string(),
        "invalid input: the filters of converz reps do not apply to the stream `converz_calls`"
    );
    // A stream without filters refuses them too, rather than read more than was asked.
    let topics = source.rows(Stream::ConversionTopics, ReadSpec::new().filters(reps));
    assert!(matches!(topics.err(), Some(cxkit::Error::InvalidInput(_))));
    // A list that cannot resume refuses a checkpoint rather than read its rows again.
    let checkpoint = cxkit::pagination::Checkpoint::Page { next: 2 };
    let error = source
        .rows(
            Stream::ConversionQuotes,
            ReadSpec::new().resume_from(checkpoint.clone()),
        )
        .err()
        .unwrap();
    assert!(observed(error).to_string().contains("cannot resume"));
    assert!(source
        .rows(Stream::ConverzReps, ReadSpec::new().resume_from(checkpoint))
        .is_ok());
}
