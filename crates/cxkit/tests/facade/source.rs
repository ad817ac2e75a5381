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
