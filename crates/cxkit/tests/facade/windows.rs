//! A range longer than 31 days walks one window after another: each finished window leaves a
//! checkpoint naming the next, and a run resumed from it asks only for what is left.

use crate::common::*;
use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use cxkit::conversion::{windows, ProspectQuery, MAX_WINDOW};
use cxkit::pagination::{Checkpoint, Progress};
use futures::StreamExt;
use httpmock::prelude::*;
use serde_json::json;

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(n)
}

fn client(server: &MockServer) -> cxkit::conversion::Client {
    cxkit::conversion::Client::builder()
        .api_key(CONVERSION_KEY)
        .base_url(server.base_url())
        .retry(fast_retry(1))
        .build()
        .unwrap()
}

/// One short page per window, one prospect created inside it; the mocks in window order.
async fn one_row_per_window(server: &MockServer) -> Vec<httpmock::Mock<'_>> {
    let mut mocks = Vec::new();
    for (n, (from, to)) in windows(day(0), day(70), MAX_WINDOW).into_iter().enumerate() {
        let row = json!({"id": format!("{:024x}", n + 1), "created": (from + Duration::hours(1)).to_rfc3339(),
            "account": "A", "accountId": format!("{:024x}", 900), "group": "G",
            "groupId": format!("{:024x}", 901), "status": "new", "leads": []});
        let mock = server
            .mock_async(|when, then| {
                when.path("/prospects")
                    .query_param(
                        "createdAfter",
                        from.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    )
                    .query_param(
                        "createdBefore",
                        to.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                    );
                then.status(200).json_body(json!([row]));
            })
            .await;
        mocks.push(mock);
    }
    mocks
}

#[tokio::test]
async fn each_finished_window_checkpoints_the_next_and_a_resume_skips_the_done_ones() {
    let server = MockServer::start_async().await;
    let mocks = one_row_per_window(&server).await;
    assert_eq!(mocks.len(), 3);
    let query = || {
        ProspectQuery::new()
            .created_between(day(0), day(70))
            .page_size(10)
    };

    let finished: Vec<usize> = client(&server)
        .prospects(query())
        .with_checkpoints()
        .filter_map(|item| async move {
            match item.unwrap() {
                Progress::Checkpoint(Checkpoint::Cursor {
                    window,
                    cursor: None,
                }) => Some(window),
                _ => None,
            }
        })
        .collect()
        .await;
    assert_eq!(finished, [1, 2, 3]);

    let resumed = query().resume_from(Checkpoint::Cursor {
        window: 2,
        cursor: None,
    });
    let (rows, error) = drain(client(&server).prospects(resumed)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(
        rows.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        [format!("{:024x}", 3)]
    );
    for (mock, calls) in mocks.iter().zip([1, 1, 2]) {
        mock.assert_calls_async(calls).await;
    }
}
