//! Converz: updates that persist (both body shapes, the row-wise null rule, the 100,000-row
//! limit), open rows and columns, and call filters.

use super::{converz_client, fake};
use cxkit::converz;
use cxkit_sandbox::{Sandbox, SandboxConfig};
use futures::TryStreamExt;
use serde_json::json;

#[tokio::test]
async fn converz_updates_persist_with_both_shapes_and_the_row_wise_null_rule() {
    let s = Sandbox::start().await.unwrap();
    let c = converz_client(&s);
    let update = converz::Update::keyed_by_rep_id(["rep001", "rep002"])
        .column("team", ["blue", "red"])
        .column_opt("gender", [Some("f"), None]);
    assert!(c.update_reps(&update).await.unwrap().is_complete());
    let reps: Vec<_> = c
        .reps(converz::RepQuery::new().rep_ids(["rep001", "rep002"]))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reps[0].extra.get("team").unwrap(), "blue");
    assert_eq!(reps[0].extra.get("gender").unwrap(), "f");
    let gender_before = reps[1].extra.get("gender").unwrap().to_value();
    assert!(
        !gender_before.is_null(),
        "columnar null leaves the value untouched"
    );

    // Row-wise through the raw client: a field given for only some rows nulls the others.
    let body: converz_api::types::RepUpdate = serde_json::from_value(
        json!([{"rep_id": "rep001", "team": "green"}, {"rep_id": "rep002", "name": "Renamed"}]),
    )
    .unwrap();
    c.raw().update_reps().body(body).send().await.unwrap();
    let reps: Vec<_> = c
        .reps(converz::RepQuery::new().rep_ids(["rep001", "rep002"]))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reps[0].extra.get("team").unwrap(), "green");
    assert!(
        reps[0].extra.get("name").unwrap().is_null(),
        "the row-wise trap, as documented"
    );
    assert!(reps[1].extra.get("team").unwrap().is_null());
    assert_eq!(reps[1].extra.get("name").unwrap(), "Renamed");
}

#[tokio::test]
async fn converz_takes_unknown_rows_uneven_columns_and_unknown_groupby_but_not_a_bad_active() {
    let s = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let key = s.credentials().converz_api_key.clone();
    let call = |method: reqwest::Method, path: &str, body: Option<serde_json::Value>| {
        let mut request = http
            .request(method, format!("{}/{path}", s.converz_base_url()))
            .header("X-API-Key", key.as_str());
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let (status, body) = fake::read(request.send().await.unwrap()).await;
            (status, body)
        }
    };
    let rep = |id: &'static str| {
        let get = call(reqwest::Method::GET, &format!("reps?rep_id={id}"), None);
        async move {
            let (status, body) = get.await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let team_of = |reps: serde_json::Value| reps[0]["team"].clone();
    let before = rep("rep002").await;
    assert!(team_of(before.clone()).is_null(), "{before}");

    // Rows of unknown reps or calls are accepted and change nothing; known rows still change.
    let update = json!({"rep_id": ["rep001", "rep999999"], "team": ["cyan", "ghost"]});
    let (status, body) = call(reqwest::Method::POST, "reps", Some(update)).await;
    assert_eq!((status, body), (200, json!({"updated": 1})));
    assert_eq!(team_of(rep("rep001").await), "cyan");
    assert_eq!(rep("rep999999").await, json!([]));
    let calls =
        json!([{"call_id": 999_999_999, "reviewed": true}, {"call_id": 1, "reviewed": true}]);
    let (status, body) = call(reqwest::Method::POST, "calls", Some(calls)).await;
    assert_eq!((status, body), (200, json!({"updated": 1})));

    // A column shorter than the keys leaves the rest untouched; a longer one drops the extra.
    let short = json!({"rep_id": ["rep001", "rep002"], "team": ["short"]});
    let (status, body) = call(reqwest::Method::POST, "reps", Some(short)).await;
    assert_eq!((status, body), (200, json!({"updated": 2})));
    assert_eq!(team_of(rep("rep001").await), "short");
    assert_eq!(
        rep("rep002").await,
        before,
        "no value for rep002: untouched"
    );
    let long = json!({"rep_id": ["rep003"], "team": ["long", "extra"]});
    let (status, body) = call(reqwest::Method::POST, "reps", Some(long)).await;
    assert_eq!((status, body), (200, json!({"updated": 1})));
    assert_eq!(team_of(rep("rep003").await), "long");
    // A key that is not one still refuses the whole update.
    let bad = json!({"rep_id": [1], "team": ["x"]});
    let (status, body) = call(reqwest::Method::POST, "reps", Some(bad)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "bad_request");

    // An unknown dimension groups every call under one empty value.
    let (status, by_date) = call(reqwest::Method::GET, "report?groupby=date", None).await;
    assert_eq!(status, 200, "{by_date}");
    let total: u64 = by_date
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["n_calls"].as_u64().unwrap())
        .sum();
    assert!(total > 0);
    let (status, by_nothing) = call(reqwest::Method::GET, "report?groupby=shoe_size", None).await;
    assert_eq!(status, 200, "{by_nothing}");
    assert_eq!(by_nothing, json!([{"shoe_size": "", "n_calls": total}]));

    // `active` is 0 or 1, nothing else.
    for (flag, want) in [("1", 1), ("0", 0)] {
        let (status, reps) = call(
            reqwest::Method::GET,
            &format!("reps?active={flag}&n_per_page=100"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{reps}");
        let reps = reps.as_array().unwrap();
        assert!(!reps.is_empty());
        assert!(reps.iter().all(|r| r["active"] == want), "active={flag}");
    }
    for flag in ["true", "2", ""] {
        let (status, body) = call(reqwest::Method::GET, &format!("reps?active={flag}"), None).await;
        assert_eq!(status, 400, "active={flag}: {body}");
        assert_eq!(body["code"], "bad_request");
    }
}

#[tokio::test]
async fn converz_refuses_updates_over_100000_rows_and_filters_calls() {
    let s = Sandbox::start_with(SandboxConfig {
        calls: 200_000,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = converz_client(&s);
    let ids: Vec<serde_json::Value> = (1..=100_001).map(|i| json!(i)).collect();
    let body: converz_api::types::CallUpdate =
        serde_json::from_value(json!({"call_id": ids, "x": vec![1; 100_001]})).unwrap();
    let error = c.raw().update_calls().body(body).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    let day = chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
    let query = converz::CallQuery::new()
        .start_date(day)
        .end_date(day)
        .campaigns(["sales"])
        .page_size(100);
    let calls: Vec<_> = c.calls(query).try_collect().await.unwrap();
    assert!(!calls.is_empty());
    for call in &calls {
        assert_eq!(call.extra.get("campaign").unwrap(), "sales");
        assert!(call
            .extra
            .get("start_time")
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("2024-02-01"));
    }
}
