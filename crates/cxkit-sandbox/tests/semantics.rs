//! The sandbox behaves like the vendors: filters, pagination, persistence, merge, webhook
//! delivery and redelivery, auth, fault injection. Driven through the `cxkit` clients; the
//! Conversion operations the facade does not wrap are called as plain JSON
//! (`semantics/fake.rs`) in `semantics/conversion_*.rs`.

#[path = "semantics/conversion_data.rs"]
mod conversion_data;
#[path = "semantics/conversion_messaging.rs"]
mod conversion_messaging;
#[path = "semantics/conversion_rules.rs"]
mod conversion_rules;
#[path = "semantics/conversion_state.rs"]
mod conversion_state;
#[path = "semantics/conversion_webhooks.rs"]
mod conversion_webhooks;
#[path = "semantics/converz_report.rs"]
mod converz_report;
#[path = "semantics/fake.rs"]
mod fake;

use chrono::{Duration, TimeZone, Utc};
use cxkit::{conversion, converz, zchat, RetryPolicy};
use cxkit_sandbox::{Faults, Sandbox, SandboxConfig};
use futures::TryStreamExt;
use serde_json::json;

fn no_retry() -> RetryPolicy {
    RetryPolicy::none()
}

fn zchat_client(s: &Sandbox, retry: RetryPolicy) -> zchat::Client {
    zchat::Client::builder()
        .base_url(s.zchat_base_url())
        .token(s.credentials().zchat_token.clone())
        .retry(retry)
        .build()
        .unwrap()
}

fn converz_client(s: &Sandbox) -> converz::Client {
    converz::Client::builder()
        .base_url(s.converz_base_url())
        .api_key(s.credentials().converz_api_key.clone())
        .retry(no_retry())
        .build()
        .unwrap()
}

fn conversion_client(s: &Sandbox) -> conversion::Client {
    conversion::Client::builder()
        .base_url(s.conversion_base_url())
        .api_key(s.credentials().conversion_api_key.clone())
        .retry(no_retry())
        .build()
        .unwrap()
}

#[tokio::test]
async fn zchat_history_pages_cover_a_period_exactly_once_and_are_deterministic() {
    let config = SandboxConfig {
        history_rows: 9_000,
        ..SandboxConfig::default()
    };
    let a = Sandbox::start_with(config.clone()).await.unwrap();
    let b = Sandbox::start_with(config).await.unwrap();
    let (from, to) = (
        Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2024, 3, 10, 23, 59, 59).unwrap(),
    );
    let query = || zchat::HistoryQuery::new().between(from, to).page_size(137);
    let rows: Vec<_> = zchat_client(&a, no_retry())
        .history(query())
        .try_collect()
        .await
        .unwrap();
    let again: Vec<_> = zchat_client(&b, no_retry())
        .history(query().prefetch(true))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1000);
    assert_eq!(
        rows, again,
        "same seed, same data, with or without prefetch"
    );
    let ids: std::collections::HashSet<_> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), rows.len(), "no row repeats");
    for row in &rows {
        let created =
            chrono::DateTime::parse_from_rfc3339(row.created_at.as_deref().unwrap()).unwrap();
        assert!(created >= from && created <= to, "{created}");
    }
}

#[tokio::test]
async fn zchat_filters_select_matching_rows() {
    let s = Sandbox::start().await.unwrap();
    let c = zchat_client(&s, no_retry());
    let query = zchat::HistoryQuery::new()
        .channels([zchat::Channel::from(zchat::KnownChannel::Whatsapp)])
        .agents([3])
        .page_size(1000);
    let rows: Vec<_> = c.history(query).try_collect().await.unwrap();
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(serde_json::to_value(&r.media).unwrap(), "WHATSAPP");
        assert_eq!(r.agent.as_ref().unwrap().id.as_deref(), Some("3"));
    }
    let report = c
        .report(&zchat::ReportQuery::new().group_by(zchat::ReportGrouping::Channel))
        .await
        .unwrap();
    assert_eq!(report.last().unwrap().title, "Total");
    let ongoing: Vec<_> = c
        .ongoing(zchat::OngoingQuery::new().page_size(50))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ongoing.len(), 200);
    let messages = c.messages(&rows[0].id).await.unwrap();
    assert_eq!(messages.len(), 7);
}

#[tokio::test]
async fn each_vendor_checks_its_own_credential_with_its_own_error_shape() {
    let s = Sandbox::start().await.unwrap();
    let wrong_zchat = zchat::Client::builder()
        .base_url(s.zchat_base_url())
        .token("nope")
        .retry(no_retry())
        .build()
        .unwrap();
    let e = wrong_zchat
        .history(zchat::HistoryQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert!(e.to_string().contains("Invalid token"));
    let wrong_converz = converz::Client::builder()
        .base_url(s.converz_base_url())
        .api_key("nope")
        .build()
        .unwrap();
    let e = wrong_converz
        .calls(converz::CallQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.vendor_code(), Some("unauthorized"));
    let wrong_conversion = conversion::Client::builder()
        .base_url(s.conversion_base_url())
        .api_key("nope")
        .build()
        .unwrap();
    let e = wrong_conversion
        .prospects(conversion::ProspectQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.vendor_code(), Some("UNAUTHORIZED"));
}

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
    assert_eq!(reps[0].extra["team"], "blue");
    assert_eq!(reps[0].extra["gender"], "f");
    let gender_before = reps[1].extra["gender"].clone();
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
    assert_eq!(reps[0].extra["team"], "green");
    assert!(
        reps[0].extra["name"].is_null(),
        "the row-wise trap, as documented"
    );
    assert!(reps[1].extra["team"].is_null());
    assert_eq!(reps[1].extra["name"], "Renamed");
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
        assert_eq!(call.extra["campaign"], "sales");
        assert!(call.extra["start_time"]
            .as_str()
            .unwrap()
            .starts_with("2024-02-01"));
    }
}

#[tokio::test]
async fn conversion_leads_create_then_merge_and_prospects_page_by_cursor() {
    let s = Sandbox::start().await.unwrap();
    let c = conversion_client(&s);
    let first = c
        .create_lead(
            conversion::Lead::retail("site")
                .first_name("Nova")
                .phone("+5511000000001")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(first.merged, Some(false));
    let again = c
        .create_lead(
            conversion::Lead::vehicle("ads")
                .email("nova@example.com")
                .phone("+5511000000001")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.merged, Some(true));
    assert_eq!(again.leads.len(), 2);

    let all: Vec<_> = c
        .prospects(conversion::ProspectQuery::new().page_size(40))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 301, "300 seeded + 1 created, every one once");
    let mut ids: Vec<_> = all.iter().map(|p| p.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 301);

    let anchor = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
    let windowed: Vec<_> = c
        .prospects(
            conversion::ProspectQuery::new()
                .created_between(anchor - Duration::days(90), anchor)
                .page_size(25),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(windowed.len(), 300, "90 days walked as 31-day windows");
    let error = c
        .raw()
        .list_prospects()
        .created_after(anchor - Duration::days(40))
        .created_before(anchor)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(400),
        "the vendor refuses ranges over 31 days"
    );
}

#[tokio::test]
async fn injected_429s_and_503s_are_absorbed_by_retries_and_seen_without_them() {
    let faults = Faults {
        rate_429: 0.2,
        rate_5xx: 0.2,
        retry_after_secs: 0,
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let patient = RetryPolicy::default()
        .with_max_attempts(12)
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let rows: Vec<_> = zchat_client(&s, patient)
        .history(zchat::HistoryQuery::new().page_size(500))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 3333);
    let mut seen = std::collections::BTreeSet::new();
    let impatient = zchat_client(&s, no_retry());
    for _ in 0..40 {
        if let Err(e) = impatient
            .ongoing(zchat::OngoingQuery::new())
            .try_collect::<Vec<_>>()
            .await
        {
            seen.insert(e.status().map(|s| s.as_u16()));
        }
    }
    assert!(
        seen.contains(&Some(429)) && seen.contains(&Some(503)),
        "{seen:?}"
    );
}

#[tokio::test]
async fn dropped_connections_are_transport_errors_and_retried() {
    let faults = Faults {
        rate_drop: 0.3,
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut transport = 0;
    let impatient = zchat_client(&s, no_retry());
    for _ in 0..30 {
        if let Err(e) = impatient
            .ongoing(zchat::OngoingQuery::new())
            .try_collect::<Vec<_>>()
            .await
        {
            assert!(e.is_retryable(), "{e}");
            transport += 1;
        }
    }
    assert!(transport > 0);
    let patient = RetryPolicy::default()
        .with_max_attempts(10)
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let rows: Vec<_> = zchat_client(&s, patient)
        .ongoing(zchat::OngoingQuery::new().page_size(100))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 200);
}

#[tokio::test]
async fn injected_latency_trips_a_client_timeout() {
    let faults = Faults {
        latency: std::time::Duration::from_millis(400),
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = zchat::Client::builder()
        .base_url(s.zchat_base_url())
        .token(s.credentials().zchat_token.clone())
        .timeout(std::time::Duration::from_millis(100))
        .retry(no_retry())
        .build()
        .unwrap();
    let error = client
        .ongoing(zchat::OngoingQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(error, cxkit::Error::Timeout { .. }), "{error}");
}

#[tokio::test]
async fn a_redirect_fault_is_reported_and_the_other_origin_hears_nothing() {
    // The other origin: a listener on 127.0.0.2 that records any connection.
    let other = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let target = format!("http://{}", other.local_addr().unwrap());
    let heard = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = heard.clone();
    tokio::spawn(async move {
        while other.accept().await.is_ok() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let faults = Faults {
        rate_redirect: 1.0,
        redirect_to: Some(target.clone()),
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let error = zchat_client(&s, no_retry())
        .ongoing(zchat::OngoingQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302), "{text}");
    assert!(
        text.contains(&format!("redirected to {target}/zchat/ongoing")),
        "{text}"
    );
    assert!(!text.contains(&s.credentials().zchat_token), "{text}");
    // Following it would have connected there (and hung: the listener never answers).
    assert_eq!(
        heard.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no request followed it"
    );
}
