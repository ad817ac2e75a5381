//! The sandbox behaves like the vendors: filters, pagination, persistence, merge, webhook
//! delivery and redelivery, auth, fault injection. Driven through the `cxkit` clients; the
//! Conversion operations the facade does not wrap are called as plain JSON
//! (`semantics/fake.rs`) in `semantics/conversion_*.rs`.

#[path = "semantics/concurrency.rs"]
mod concurrency;
#[path = "semantics/conversion_data.rs"]
mod conversion_data;
#[path = "semantics/conversion_messaging.rs"]
mod conversion_messaging;
#[path = "semantics/conversion_quotes.rs"]
mod conversion_quotes;
#[path = "semantics/conversion_rules.rs"]
mod conversion_rules;
#[path = "semantics/conversion_state.rs"]
mod conversion_state;
#[path = "semantics/conversion_webhooks.rs"]
mod conversion_webhooks;
#[path = "semantics/converz_lists.rs"]
mod converz_lists;
#[path = "semantics/converz_report.rs"]
mod converz_report;
#[path = "semantics/fake.rs"]
mod fake;
#[path = "semantics/faults.rs"]
mod faults;
#[path = "semantics/raw_rows.rs"]
mod raw_rows;

use chrono::{Duration, TimeZone, Utc};
use cxkit::{conversion, converz, zchat, RetryPolicy};
use cxkit_sandbox::{Sandbox, SandboxConfig};
use futures::TryStreamExt;

pub(crate) fn no_retry() -> RetryPolicy {
    RetryPolicy::none()
}

pub(crate) fn zchat_client(s: &Sandbox, retry: RetryPolicy) -> zchat::Client {
    zchat::Client::builder()
        .base_url(s.zchat_base_url())
        .token(s.credentials().zchat_token.clone())
        .retry(retry)
        .build()
        .unwrap()
}

pub(crate) fn converz_client(s: &Sandbox) -> converz::Client {
    converz_client_with(s, no_retry())
}

pub(crate) fn converz_client_with(s: &Sandbox, retry: RetryPolicy) -> converz::Client {
    converz::Client::builder()
        .base_url(s.converz_base_url())
        .api_key(s.credentials().converz_api_key.clone())
        .retry(retry)
        .build()
        .unwrap()
}

pub(crate) fn conversion_client(s: &Sandbox) -> conversion::Client {
    conversion_client_with(s, no_retry())
}

pub(crate) fn conversion_client_with(s: &Sandbox, retry: RetryPolicy) -> conversion::Client {
    conversion::Client::builder()
        .base_url(s.conversion_base_url())
        .api_key(s.credentials().conversion_api_key.clone())
        .retry(retry)
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
    // One bound only, years back: not refused; the 31 days from it (the spec's rule).
    let open_ended = c
        .raw()
        .list_prospects()
        .created_after(anchor - Duration::days(40))
        .limit(std::num::NonZeroU64::new(5000).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    let first_window = windowed
        .iter()
        .filter(|p| {
            p.created >= anchor - Duration::days(40) && p.created < anchor - Duration::days(9)
        })
        .count();
    assert_eq!(
        open_ended.len(),
        first_window,
        "the 31 days from createdAfter"
    );
    assert!(first_window > 0);
    let long_ago = c
        .raw()
        .list_prospects()
        .created_after(anchor - Duration::days(3650))
        .send()
        .await;
    assert!(long_ago.is_ok(), "{long_ago:?}");
}
