//! Concurrent paging against a rate-limited server: numbered pages (zchat, Converz) and date
//! windows (Conversion) fetched eight at a time from a sandbox that answers `429` beyond two
//! requests in flight give exactly the rows of a sequential run, in the same order.

use super::{conversion_client_with, converz_client_with, zchat_client};
use chrono::{TimeZone, Utc};
use cxkit::{conversion, converz, zchat, RetryPolicy};
use cxkit_sandbox::{Faults, Sandbox, SandboxConfig};
use futures::TryStreamExt;
use std::time::Duration;

/// A sandbox that rate-limits at two requests in flight, each answered after 20 ms.
async fn rate_limited() -> Sandbox {
    let faults = Faults {
        latency: Duration::from_millis(20),
        max_concurrent: Some(2),
        retry_after_secs: 0,
        ..Faults::default()
    };
    let config = SandboxConfig {
        history_rows: 3_000,
        calls: 3_000,
        faults,
        ..SandboxConfig::default()
    };
    Sandbox::start_with(config).await.unwrap()
}

fn patient() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(30)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(100))
}

#[tokio::test]
async fn concurrent_numbered_pages_through_a_rate_limit_equal_a_sequential_run() {
    let s = rate_limited().await;
    let zchat = zchat_client(&s, patient());
    let history = |concurrency| {
        zchat::HistoryQuery::new()
            .page_size(97)
            .concurrency(concurrency)
    };
    let one: Vec<_> = zchat.history(history(1)).try_collect().await.unwrap();
    let eight: Vec<_> = zchat.history(history(8)).try_collect().await.unwrap();
    // Every row the sandbox serves for the period, read as one page.
    let whole: Vec<_> = zchat
        .history(history(1).page_size(10_000))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(one.len(), whole.len(), "every row, once");
    assert!(
        one.len() > 97 * 8,
        "more pages than in flight: {}",
        one.len()
    );
    assert!(one == eight, "zchat history differs at concurrency 8");

    let converz = converz_client_with(&s, patient());
    let calls = |concurrency| {
        converz::CallQuery::new()
            .page_size(101)
            .concurrency(concurrency)
    };
    let one: Vec<_> = converz.calls(calls(1)).try_collect().await.unwrap();
    let eight: Vec<_> = converz.calls(calls(8)).try_collect().await.unwrap();
    let whole: Vec<_> = converz
        .calls(calls(1).page_size(1_000_000))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(one.len(), whole.len(), "every call, once");
    assert!(
        one.len() > 101 * 8,
        "more pages than in flight: {}",
        one.len()
    );
    assert!(one == eight, "Converz calls differ at concurrency 8");
}

/// Eight pages in flight against a limit of two: the walk backs off after the first `429`s
/// instead of sending eight at a time throughout (which would meet several `429`s per page).
#[tokio::test]
async fn a_rate_limit_lowers_the_pages_in_flight() {
    let s = rate_limited().await;
    let zchat = zchat_client(&s, patient());
    let query = zchat::HistoryQuery::new().page_size(20).concurrency(8);
    let rows: Vec<_> = zchat.history(query).try_collect().await.unwrap();
    let pages = rows.len() as u64 / 20 + 1;
    let refused = s.over_limit_count();
    assert!(pages >= 40, "{pages} pages");
    assert!(refused > 0, "the limit was never reached");
    assert!(
        refused < pages / 2,
        "{refused} requests over the limit for {pages} pages"
    );
}

#[tokio::test]
async fn concurrent_date_windows_through_a_rate_limit_equal_a_sequential_run() {
    let s = rate_limited().await;
    let client = conversion_client_with(&s, patient());
    let (from, to) = (
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        Utc::now() + chrono::Duration::days(1),
    );
    let query = |concurrency| {
        conversion::ProspectQuery::new()
            .created_between(from, to)
            .page_size(7)
            .concurrency(concurrency)
    };
    let one: Vec<_> = client.prospects(query(1)).try_collect().await.unwrap();
    let eight: Vec<_> = client.prospects(query(8)).try_collect().await.unwrap();
    assert_eq!(one.len(), 300, "every seeded prospect");
    let ids = |rows: &[conversion::types::Prospect]| {
        rows.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&one), ids(&eight), "same prospects in the same order");
}
