//! The `*_raw` lists yield the rows the typed lists decode, as the vendor's JSON text: the same
//! requests (every filter), the same rows in the same order, every field kept.

use super::{converz_client, no_retry, zchat_client};
use chrono::{TimeZone, Utc};
use cxkit::{converz, zchat, RawRow};
use cxkit_sandbox::{Sandbox, SandboxConfig};
use futures::TryStreamExt;

fn decoded<T: serde::de::DeserializeOwned>(rows: &[RawRow]) -> Vec<T> {
    rows.iter().map(|r| r.parse().unwrap()).collect()
}

#[tokio::test]
async fn raw_zchat_history_is_the_typed_history_undecoded_with_every_filter() {
    let s = Sandbox::start_with(SandboxConfig {
        history_rows: 5_000,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let c = zchat_client(&s, no_retry());
    let (from, to) = (
        Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2024, 3, 20, 0, 0, 0).unwrap(),
    );
    let queries = [
        zchat::HistoryQuery::new().between(from, to).page_size(113),
        zchat::HistoryQuery::new()
            .between(from, to)
            .channels([zchat::Channel::from(zchat::KnownChannel::Whatsapp)])
            .agents([2, 3])
            .departments([1])
            .active(false)
            .page_size(17)
            .concurrency(3),
        zchat::HistoryQuery::new()
            .between(from, to)
            .search("Hugo")
            .page_size(50),
    ];
    for query in queries {
        let typed: Vec<_> = c.history(query.clone()).try_collect().await.unwrap();
        let raw: Vec<RawRow> = c.history_raw(query.clone()).try_collect().await.unwrap();
        assert!(!typed.is_empty(), "{query:?} selects nothing");
        assert_eq!(decoded::<zchat::HistoryRow>(&raw), typed, "{query:?}");
        let expanded: Vec<_> = c
            .history_expanded(query.clone())
            .try_collect()
            .await
            .unwrap();
        let raw: Vec<RawRow> = c.history_expanded_raw(query).try_collect().await.unwrap();
        assert_eq!(decoded::<zchat::types::ExpandedHistoryRow>(&raw), expanded);
    }
}

#[tokio::test]
async fn raw_converz_rows_keep_every_column_of_the_typed_rows() {
    let s = Sandbox::start().await.unwrap();
    let c = converz_client(&s);
    let query = converz::CallQuery::new().page_size(999).concurrency(2);
    let typed: Vec<_> = c.calls(query.clone()).try_collect().await.unwrap();
    let raw: Vec<RawRow> = c.calls_raw(query).try_collect().await.unwrap();
    assert_eq!(raw.len(), typed.len());
    for (raw, typed) in raw.iter().zip(&typed) {
        let raw: serde_json::Value = raw.parse().unwrap();
        assert_eq!(raw, serde_json::to_value(typed).unwrap());
        assert!(!raw.to_string().contains('\n'));
    }
    let reps: Vec<_> = c
        .reps(converz::RepQuery::new())
        .try_collect()
        .await
        .unwrap();
    let raw: Vec<RawRow> = c
        .reps_raw(converz::RepQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        decoded::<serde_json::Value>(&raw),
        serde_json::to_value(&reps)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    );
}

#[tokio::test]
async fn a_refused_raw_page_is_the_same_typed_error_as_a_refused_typed_page() {
    let s = Sandbox::start().await.unwrap();
    let wrong = zchat::Client::builder()
        .base_url(s.zchat_base_url())
        .token("not-the-token-123456")
        .retry(no_retry())
        .build()
        .unwrap();
    let typed = wrong
        .history(zchat::HistoryQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let raw = wrong
        .history_raw(zchat::HistoryQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(raw.status(), typed.status());
    assert!(raw.status().is_some_and(|s| s.as_u16() == 401), "{raw:?}");
    assert_eq!(raw.to_string(), typed.to_string());
    assert!(!format!("{raw} {raw:?}").contains("not-the-token-123456"));
}
