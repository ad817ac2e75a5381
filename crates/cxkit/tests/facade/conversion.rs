//! Conversion cursor streams, 31-day windows, leads and subscriptions through the facade.

use crate::common::*;
use chrono::{DateTime, Duration, TimeZone, Utc};
use cxkit::conversion::{
    Client, DataFilter, InteractionQuery, Lead, ProspectQuery, LEAD_NOT_RETRIED,
};
use httpmock::prelude::*;
use serde_json::{json, Value};

fn client(server: &MockServer) -> Client {
    observed_debug(
        Client::builder()
            .api_key(CONVERSION_KEY)
            .base_url(server.base_url())
            .retry(fast_retry(3))
            .build()
            .unwrap(),
    )
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(i64::from(day))
}

fn oid(n: u32) -> String {
    format!("{n:024x}")
}

fn prospect(n: u32, created: DateTime<Utc>) -> Value {
    json!({
        "id": oid(n), "created": created.to_rfc3339(), "account": "acc", "accountId": oid(900),
        "group": "Vendas", "groupId": oid(901), "status": "new", "leads": []
    })
}

fn interaction(n: u32, created: DateTime<Utc>) -> Value {
    json!({"id": oid(n), "createdAt": created.to_rfc3339(), "status": "created", "via": "whatsApp"})
}

#[tokio::test]
async fn prospects_walk_the_cursor_in_either_order_with_and_without_prefetch() {
    for (prefetch, ascending) in [(false, true), (true, true), (false, false), (true, false)] {
        let server = MockServer::start_async().await;
        let order =
            |ids: Vec<u32>| Value::Array(ids.into_iter().map(|n| prospect(n, at(1))).collect());
        let (cursor, second, third) = if ascending {
            ("after", oid(2), oid(4))
        } else {
            ("before", oid(4), oid(2))
        };
        let (first_page, second_page, third_page) = if ascending {
            (order(vec![1, 2]), order(vec![3, 4]), order(vec![5]))
        } else {
            (order(vec![5, 4]), order(vec![3, 2]), order(vec![1]))
        };
        server
            .mock_async(|when, then| {
                when.path("/prospects")
                    .query_param("limit", "2")
                    .query_param_missing("after")
                    .query_param_missing("before");
                then.status(200).json_body(first_page);
            })
            .await;
        server
            .mock_async(|when, then| {
                when.path("/prospects").query_param(cursor, second);
                then.status(200).json_body(second_page);
            })
            .await;
        server
            .mock_async(|when, then| {
                when.path("/prospects").query_param(cursor, third);
                then.status(200).json_body(third_page);
            })
            .await;
        let query = ProspectQuery::new().page_size(2).prefetch(prefetch);
        let (got, error) = drain(client(&server).prospects(query)).await;
        assert!(
            error.is_none(),
            "ascending={ascending} prefetch={prefetch}: {error:?}"
        );
        let ids: std::collections::HashSet<&str> = got.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(got.len(), 5, "ascending={ascending} prefetch={prefetch}");
        assert_eq!(ids.len(), 5, "no repeats");
    }
}

#[tokio::test]
async fn a_range_over_31_days_is_split_into_windows_without_repeats() {
    let server = MockServer::start_async().await;
    let (from, to) = (at(0), at(70));
    let windows = cxkit::conversion::windows(from, to, cxkit::conversion::MAX_WINDOW);
    assert_eq!(
        windows,
        vec![(at(0), at(31)), (at(31), at(62)), (at(62), at(70))]
    );
    // Each window answers one page; the vendor is inclusive at the boundary, so the row
    // created exactly at day 31 comes back in windows 1 and 2.
    let pages = [
        vec![prospect(1, at(3)), prospect(2, at(31))],
        vec![prospect(2, at(31)), prospect(3, at(40))],
        vec![prospect(4, at(69))],
    ];
    let mut mocks = Vec::new();
    for ((start, end), page) in windows.iter().zip(pages) {
        let mock = server
            .mock_async(|when, then| {
                when.path("/prospects")
                    .query_param(
                        "createdAfter",
                        start.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    )
                    .query_param(
                        "createdBefore",
                        end.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    )
                    .query_param("status", "new")
                    .query_param("additionalData", "score>=50")
                    .query_param("additionalData", "city~Porto");
                then.status(200).json_body(Value::Array(page));
            })
            .await;
        mocks.push(mock);
    }
    let query = ProspectQuery::new()
        .created_between(from, to)
        .status("new")
        .additional_data(DataFilter::ge("score", 50))
        .additional_data(DataFilter::contains("city", "Porto"));
    let (got, error) = drain(client(&server).prospects(query.clone())).await;
    assert!(error.is_none(), "{error:?}");
    let ids: Vec<String> = got.iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids, vec![oid(1), oid(2), oid(3), oid(4)]);
    // The rows as sent keep to their windows the same way.
    let (raw, error) = drain(client(&server).prospects_raw(query)).await;
    assert!(error.is_none(), "{error:?}");
    let raw_ids: Vec<String> = raw
        .iter()
        .map(|r| {
            r.parse::<Value>().unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(raw_ids, ids);
    for mock in mocks {
        mock.assert_calls_async(2).await;
    }
}

#[tokio::test]
async fn all_interactions_stream_and_stop_at_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/prospects/interactions")
                .query_param_missing("after")
                .query_param("via", "whatsApp");
            then.status(200)
                .json_body(json!([interaction(1, at(1)), interaction(2, at(2))]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/prospects/interactions")
                .query_param("after", oid(2));
            then.status(403)
                .json_body(json!({"code": "FORBIDDEN", "message": "missing scope"}));
        })
        .await;
    let query = InteractionQuery::new().via(["whatsApp"]).page_size(2);
    let (got, error) = drain(client(&server).interactions(query)).await;
    assert_eq!(got.len(), 2);
    let error = error.unwrap();
    assert_eq!(error.vendor_code(), Some("FORBIDDEN"));
}

#[tokio::test]
async fn one_prospects_interactions_are_fetched_per_window() {
    let server = MockServer::start_async().await;
    let id = oid(7);
    for (start, page) in [
        (at(0), vec![interaction(1, at(5))]),
        (at(31), vec![interaction(2, at(35))]),
    ] {
        server
            .mock_async(|when, then| {
                when.path(format!("/prospect/{id}/interactions"))
                    .query_param(
                        "createdAfter",
                        start.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                    );
                then.status(200).json_body(Value::Array(page));
            })
            .await;
    }
    let query = InteractionQuery::new().created_between(at(0), at(40));
    let (got, error) = drain(client(&server).prospect_interactions(&id, query)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn a_bad_range_fails_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!([]));
        })
        .await;
    let (_, error) =
        drain(client(&server).prospects(ProspectQuery::new().created_between(at(5), at(1)))).await;
    assert!(matches!(error, Some(cxkit::Error::InvalidInput(_))));
    let (_, error) = drain(client(&server).prospects(ProspectQuery::new().page_size(5001))).await;
    assert!(matches!(error, Some(cxkit::Error::InvalidInput(_))));
    assert_eq!(any.calls_async().await, 0);
}

#[test]
fn leads_without_utm_source_or_contact_are_refused() {
    let error = observed(
        Lead::retail("")
            .phone("+5511999999999")
            .build()
            .unwrap_err(),
    );
    assert!(error.to_string().contains("utmSource"), "{error}");
    let error = observed(
        Lead::vehicle("ads")
            .first_name("Ana")
            .phone(" ")
            .build()
            .unwrap_err(),
    );
    assert!(error.to_string().contains("phone or e-mail"), "{error}");
    assert!(Lead::insurance("ads").email("a@b.c").build().is_ok());
    assert!(Lead::saving_plan("ads").phone("+1").build().is_ok());
    assert!(Lead::real_estate("ads").email("a@b.c").build().is_ok());
}

#[tokio::test]
async fn a_lead_is_sent_once_and_a_429_says_it_was_not_retried() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST).path("/lead/vehicle").query_param("api-key", CONVERSION_KEY).json_body(json!({
                "utmSource": "google-ads", "firstName": "Bruno", "emails": ["bruno@example.com"],
                "product": {"make": "Fiat", "model": "Pulse", "condition": "new"}
            }));
            then.status(429).header("X-RateLimit-Remaining", "0").header("Retry-After", "0").body("");
        })
        .await;
    let product: cxkit::conversion::VehicleProduct =
        serde_json::from_value(json!({"make": "Fiat", "model": "Pulse", "condition": "new"}))
            .unwrap();
    let lead = Lead::vehicle("google-ads")
        .first_name("Bruno")
        .email("bruno@example.com")
        .product(product)
        .build()
        .unwrap();
    let error = observed(client(&server).create_lead(lead).await.unwrap_err());
    limited.assert_calls_async(1).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert!(error.to_string().contains(LEAD_NOT_RETRIED), "{error}");
}

#[tokio::test]
async fn a_created_lead_reports_a_merge() {
    let server = MockServer::start_async().await;
    let mut created = prospect(1, at(1));
    created["merged"] = json!(true);
    created["interactions"] = json!([]);
    server
        .mock_async(|when, then| {
            when.method(POST).path("/lead/retail");
            then.status(200).json_body(created);
        })
        .await;
    let lead = Lead::retail("site")
        .phone("+5511987654321")
        .build()
        .unwrap();
    let prospect = client(&server).create_lead(lead).await.unwrap();
    assert_eq!(prospect.merged, Some(true));
}

#[tokio::test]
async fn subscribing_attaches_the_secret_to_the_callback() {
    let server = MockServer::start_async().await;
    let expected = format!("https://hooks.example.com/conversion?secret={WEBHOOK_SECRET}");
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/notifications/subscriptions")
                .json_body(json!({"topics": ["interactions", "prospects"], "callbackUrl": expected}));
            then.status(201).json_body(json!({"id": oid(1), "topics": ["interactions", "prospects"], "callbackUrl": "redacted"}));
        })
        .await;
    let topics = [
        cxkit::conversion::TopicName::from(cxkit::conversion::KnownTopicName::Interactions),
        cxkit::conversion::TopicName::from(cxkit::conversion::KnownTopicName::Prospects),
    ];
    let secret = cxkit::Secret::new(WEBHOOK_SECRET);
    let sub = client(&server)
        .subscribe_webhook("https://hooks.example.com/conversion", &secret, topics)
        .await
        .unwrap();
    assert_eq!(sub.id, oid(1));
    mock.assert_async().await;
    let short = observed(
        cxkit::conversion::webhook::callback_url("https://x.io", &cxkit::Secret::new("short"))
            .unwrap_err(),
    );
    assert!(short.to_string().contains("16 characters"));
}

/// A vendor error that echoes the callback URL (as a 400 quoting the request does), and a
/// list whose body cannot be decoded: neither error shows a webhook secret, ours or another.
#[tokio::test]
async fn subscription_errors_never_show_a_webhook_secret() {
    let server = MockServer::start_async().await;
    let echoed = format!(
        "callbackUrl https://hooks.example.com/conversion?secret={WEBHOOK_SECRET} is unreachable"
    );
    server
        .mock_async(|when, then| {
            when.method(POST).path("/notifications/subscriptions");
            then.status(400)
                .json_body(json!({"code": "invalid_callback", "message": echoed}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/notifications/subscriptions");
            then.status(200).body(
                r#"[{"id": 7, "callbackUrl": "https://other.example.com/in?secret=someone-elses-secret-42"}]"#,
            );
        })
        .await;
    let secret = cxkit::Secret::new(WEBHOOK_SECRET);
    let topics = [cxkit::conversion::TopicName::from(
        cxkit::conversion::KnownTopicName::Interactions,
    )];
    let error = observed(
        client(&server)
            .subscribe_webhook("https://hooks.example.com/conversion", &secret, topics)
            .await
            .unwrap_err(),
    );
    assert!(error.to_string().contains("secret=***"), "{error}");
    let listed = observed(client(&server).subscriptions().await.unwrap_err());
    let text = format!("{listed} {listed:?}");
    assert!(!text.contains("someone-elses-secret-42"), "{text}");
}

/// Our fixtures reproducing the live captures' patterns: pretty-printed, milliseconds always
/// written (`…06.000Z`), numbers and escapes as the vendor spells them.
const PROSPECTS: &str =
    include_str!("../../../../tests/fixtures/conversion/prospects.live_patterns.json");
const INTERACTIONS: &str =
    include_str!("../../../../tests/fixtures/conversion/interactions.live_patterns.json");

/// Answers every `GET path` with `body` as JSON.
async fn serve_json(server: &MockServer, path: &str, body: &str) {
    server
        .mock_async(|when, then| {
            when.method(GET).path(path);
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        })
        .await;
}

/// `text` without the whitespace outside strings (how a raw row is written on one line).
fn compact(text: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            (escaped, in_string) = match (escaped, c) {
                (true, _) => (false, true),
                (false, '\\') => (true, true),
                (false, '"') => (false, false),
                _ => (false, true),
            };
        } else if !c.is_whitespace() {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// The fixture's rows, each as its own compact text.
fn rows_of(fixture: &str) -> Vec<String> {
    let rows: Vec<&serde_json::value::RawValue> = serde_json::from_str(fixture).unwrap();
    rows.iter().map(|r| compact(r.get())).collect()
}

#[tokio::test]
async fn raw_lists_yield_every_row_byte_for_byte_as_sent() {
    use futures::TryStreamExt;
    let server = MockServer::start_async().await;
    for (path, body) in [
        ("/prospects", PROSPECTS),
        ("/prospects/interactions", INTERACTIONS),
        (
            format!("/prospect/{}/interactions", oid(7)).as_str(),
            INTERACTIONS,
        ),
    ] {
        serve_json(&server, path, body).await;
    }
    let july = (
        Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2024, 8, 1, 0, 0, 0).unwrap(),
    );
    let c = client(&server);
    let text = |rows: Vec<cxkit::RawRow>| -> Vec<String> {
        rows.iter()
            .map(|r| String::from_utf8(r.as_bytes().to_vec()).unwrap())
            .collect()
    };
    let prospects = c.prospects_raw(ProspectQuery::new().created_between(july.0, july.1));
    let prospects = text(prospects.try_collect().await.unwrap());
    assert_eq!(prospects, rows_of(PROSPECTS));
    assert!(
        prospects[0].contains(r#""created":"2024-07-25T12:01:06.000Z""#),
        "{prospects:?}"
    );
    let query = || InteractionQuery::new().created_between(july.0, july.1);
    let all = text(c.interactions_raw(query()).try_collect().await.unwrap());
    assert_eq!(all, rows_of(INTERACTIONS));
    let one = c.prospect_interactions_raw(&oid(7), query());
    assert_eq!(
        text(one.try_collect().await.unwrap()),
        rows_of(INTERACTIONS)
    );
    // The typed list decodes the same rows, but writes `…06Z`: the reason the raw lists exist.
    let typed: Vec<_> = c
        .prospects(ProspectQuery::new().created_between(july.0, july.1))
        .try_collect()
        .await
        .unwrap();
    let typed = serde_json::to_string(&typed[0]).unwrap();
    assert!(
        typed.contains(r#""created":"2024-07-25T12:01:06Z""#),
        "{typed}"
    );
}

#[tokio::test]
async fn quotes_one_answer_lists_and_agents_come_as_sent_too() {
    use futures::TryStreamExt;
    let server = MockServer::start_async().await;
    // Pretty-printed, with the spellings a re-encode would change.
    let quotes = "[\n  {\"id\": \"66a1f0c2b7e4d30009a1c0a1\", \"createdAt\": \"2024-07-25T12:01:06.000Z\", \"total\": 1.50}\n]";
    let groups = r#"[{"id":"65f000000000000000000a01","name":"Vendas","createdAt":"2024-01-02T03:04:05.000Z"}]"#;
    let agents = r#"[{"id":"65f0000000000000000b0001","firstName":"Ana","x":1e2},{"id":"65f0000000000000000b0001","firstName":"Ana","x":1e2}]"#;
    for (path, body) in [
        ("/prospects/quotes", quotes),
        ("/groups", groups),
        ("/agents", agents),
    ] {
        serve_json(&server, path, body).await;
    }
    let c = client(&server);
    let text = |row: &cxkit::RawRow| String::from_utf8(row.as_bytes().to_vec()).unwrap();
    let rows: Vec<_> = c
        .quotes_raw(cxkit::conversion::QuoteQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(text).collect::<Vec<_>>(),
        // A row already on one line keeps its own spaces: byte for byte as sent.
        [
            r#"{"id": "66a1f0c2b7e4d30009a1c0a1", "createdAt": "2024-07-25T12:01:06.000Z", "total": 1.50}"#
        ]
    );
    let request = c.raw().list_groups().build_request().await;
    let rows = c.answer_raw("list_groups", request).await.unwrap();
    assert_eq!(
        rows.iter().map(text).collect::<Vec<_>>(),
        [groups.trim_matches(['[', ']'])]
    );
    // One group, and its agent listed twice: kept once, as sent.
    let rows = c.agents_of_every_group_raw().await.unwrap();
    assert_eq!(
        rows.iter().map(text).collect::<Vec<_>>(),
        [r#"{"id":"65f0000000000000000b0001","firstName":"Ana","x":1e2}"#]
    );
}
