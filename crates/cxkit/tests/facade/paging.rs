//! Servers that page badly: a page that repeats the previous one, a boundary that moved, a
//! cursor that does not move or is inclusive, a body cut mid-way. The stream never loops and
//! never repeats a row; checkpoints resume where a run stopped.

use crate::common::*;
use cxkit::pagination::{Checkpoint, Cursor, Progress};
use futures::StreamExt;
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::collections::HashSet;

fn zchat(server: &MockServer) -> cxkit::zchat::Client {
    cxkit::zchat::Client::builder()
        .token(ZCHAT_TOKEN)
        .base_url(server.base_url())
        .retry(fast_retry(1))
        .build()
        .unwrap()
}

fn history(ids: &[&str]) -> Value {
    let data: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
    json!({"success": true, "data": data})
}

async fn history_pages<'a>(server: &'a MockServer, pages: &[&[&str]]) -> Vec<httpmock::Mock<'a>> {
    let mut mocks = Vec::new();
    for (i, ids) in pages.iter().enumerate() {
        let page = (i + 1).to_string();
        let mock = server
            .mock_async(|when, then| {
                when.path("/history").query_param("page", page);
                then.status(200).json_body(history(ids));
            })
            .await;
        mocks.push(mock);
    }
    mocks
}

/// Every id once: the set is as big as the list.
fn assert_unique(ids: &[String]) {
    assert!(!ids.is_empty(), "no rows at all");
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a row repeats: {ids:?}");
}

#[tokio::test]
async fn a_server_that_ignores_the_page_number_ends_the_stream_with_an_error() {
    let server = MockServer::start_async().await;
    // Every page number gets the same full page.
    server
        .mock_async(|when, then| {
            when.path("/history");
            then.status(200).json_body(history(&["a", "b"]));
        })
        .await;
    let query = cxkit::zchat::HistoryQuery::new().page_size(2);

    let (rows, error) = drain(zchat(&server).history(query)).await;

    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, ["a", "b"], "page 1 once, then nothing");
    let error = error.expect("an error instead of an endless stream");
    assert!(matches!(error, cxkit::Error::Pagination { .. }), "{error}");
    assert!(error.to_string().contains("page 2 repeated"), "{error}");
}

#[tokio::test]
async fn a_row_repeated_across_a_moved_page_boundary_is_yielded_once() {
    let server = MockServer::start_async().await;
    // A row inserted at the top while paging pushes "b" from page 1 onto page 2.
    history_pages(&server, &[&["a", "b"], &["b", "c"], &["d"]]).await;
    let query = cxkit::zchat::HistoryQuery::new().page_size(2);

    let (rows, error) = drain(zchat(&server).history(query)).await;

    assert!(error.is_none(), "{error:?}");
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_unique(&ids);
}

#[tokio::test]
async fn checkpoints_follow_each_full_page_and_a_resumed_stream_fetches_only_what_is_left() {
    let server = MockServer::start_async().await;
    let mocks = history_pages(&server, &[&["a", "b"], &["c", "d"], &["e"]]).await;
    let query = cxkit::zchat::HistoryQuery::new().page_size(2);

    let items: Vec<_> = zchat(&server)
        .history(query.clone())
        .with_checkpoints()
        .map(Result::unwrap)
        .collect()
        .await;
    let shape: Vec<String> = items
        .iter()
        .map(|i| match i {
            Progress::Row(r) => r.id.clone(),
            Progress::Checkpoint(Checkpoint::Page { next }) => format!("@{next}"),
            Progress::Checkpoint(other) => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(shape, ["a", "b", "@2", "c", "d", "@3", "e"]);

    let resumed = query.resume_from(Checkpoint::Page { next: 3 });
    let (rows, error) = drain(zchat(&server).history(resumed)).await;
    assert!(error.is_none(), "{error:?}");
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, ["e"]);
    mocks[0].assert_calls_async(1).await;
    mocks[1].assert_calls_async(1).await;
    mocks[2].assert_calls_async(2).await;
}

fn conversion(server: &MockServer) -> cxkit::conversion::Client {
    cxkit::conversion::Client::builder()
        .api_key(CONVERSION_KEY)
        .base_url(server.base_url())
        .retry(fast_retry(1))
        .build()
        .unwrap()
}

fn prospect(n: u32) -> Value {
    json!({"id": format!("65f0000000000000000000{n:02x}"), "created": "2024-03-10T10:00:00Z",
           "account": "A", "accountId": "65f000000000000000000001", "group": "G",
           "groupId": "65f000000000000000000002", "status": "new", "leads": []})
}

fn oid(n: u32) -> String {
    format!("65f0000000000000000000{n:02x}")
}

#[tokio::test]
async fn a_cursor_that_does_not_move_ends_the_walk_with_an_error() {
    let server = MockServer::start_async().await;
    // Whatever the cursor, the same full page.
    server
        .mock_async(|when, then| {
            when.path("/prospects");
            then.status(200)
                .json_body(json!([prospect(1), prospect(2)]));
        })
        .await;
    let query = cxkit::conversion::ProspectQuery::new().page_size(2);

    let (rows, error) = drain(conversion(&server).prospects(query)).await;

    let ids: Vec<String> = rows.iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids, [oid(1), oid(2)]);
    let error = error.expect("an error instead of an endless walk");
    assert!(matches!(error, cxkit::Error::Pagination { .. }), "{error}");
}

#[tokio::test]
async fn a_cursor_that_cycles_between_pages_ends_the_walk_with_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/prospects").query_param_missing("after");
            then.status(200)
                .json_body(json!([prospect(1), prospect(2)]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/prospects").query_param("after", oid(2));
            then.status(200)
                .json_body(json!([prospect(3), prospect(4)]));
        })
        .await;
    // Past the fourth row the server starts over: after 4 comes 1, 2 again, then 3, 4, ...
    server
        .mock_async(|when, then| {
            when.path("/prospects").query_param("after", oid(4));
            then.status(200)
                .json_body(json!([prospect(1), prospect(2)]));
        })
        .await;
    let query = cxkit::conversion::ProspectQuery::new().page_size(2);

    let walk = drain(conversion(&server).prospects(query));
    let (rows, error) = tokio::time::timeout(std::time::Duration::from_secs(20), walk)
        .await
        .expect("the walk ends instead of paging in a circle");

    let ids: Vec<String> = rows.iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids, [oid(1), oid(2), oid(3), oid(4)]);
    let error = error.expect("an error instead of an endless walk");
    assert!(error.to_string().contains("circle"), "{error}");
}

#[tokio::test]
async fn an_inclusive_cursor_does_not_repeat_the_cursor_row() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/prospects").query_param_missing("after");
            then.status(200)
                .json_body(json!([prospect(1), prospect(2)]));
        })
        .await;
    // The vendor includes the cursor row itself.
    server
        .mock_async(|when, then| {
            when.path("/prospects").query_param("after", oid(2));
            then.status(200)
                .json_body(json!([prospect(2), prospect(3)]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/prospects").query_param("after", oid(3));
            then.status(200).json_body(json!([prospect(3)]));
        })
        .await;
    let query = cxkit::conversion::ProspectQuery::new().page_size(2);

    let items: Vec<_> = conversion(&server)
        .prospects(query)
        .with_checkpoints()
        .map(Result::unwrap)
        .collect()
        .await;

    let mut ids = Vec::new();
    let mut checkpoints = Vec::new();
    for item in items {
        match item {
            Progress::Row(p) => ids.push(p.id),
            Progress::Checkpoint(c) => checkpoints.push(c),
        }
    }
    assert_eq!(ids, [oid(1), oid(2), oid(3)]);
    assert_unique(&ids);
    assert_eq!(
        checkpoints[0],
        Checkpoint::Cursor {
            window: 0,
            cursor: Some(Cursor::After(oid(2)))
        }
    );
}

/// A server whose first answer to each request breaks after `cut` bytes of its body (no
/// chunked terminator, connection closed), and whose later answers are whole.
async fn cutting_server(
    body: String,
    cut: usize,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = std::sync::Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => request.extend_from_slice(&buf[..k]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n";
                if n == 0 {
                    let part = &body.as_bytes()[..cut];
                    let text = format!(
                        "{head}transfer-encoding: chunked\r\n\r\n{:x}\r\n",
                        part.len()
                    );
                    let _ = socket.write_all(text.as_bytes()).await;
                    let _ = socket.write_all(part).await;
                    let _ = socket.write_all(b"\r\n").await;
                    // Closed without the terminating chunk: the body broke.
                } else {
                    let text = format!(
                        "{head}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(text.as_bytes()).await;
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, served)
}

#[tokio::test]
async fn a_converz_page_cut_mid_body_is_requested_again_and_read_on_without_repeats() {
    let calls: Vec<Value> = (1..=5)
        .map(|i| json!({"call_id": i, "rep_id": format!("r{i}"), "score": i * 10}))
        .collect();
    let body = serde_json::to_string(&calls).unwrap();
    // Cut inside the fourth row: three rows were whole.
    let cut = body.find(r#"{"call_id":4"#).unwrap() + 5;
    let (base, served) = cutting_server(body, cut).await;
    let client = cxkit::converz::Client::builder()
        .api_key(CONVERZ_KEY)
        .base_url(base)
        .retry(fast_retry(3))
        .build()
        .unwrap();

    let (rows, error) = drain(client.calls(cxkit::converz::CallQuery::new().page_size(10))).await;

    assert!(error.is_none(), "{error:?}");
    let ids: Vec<i64> = rows.iter().map(|c| c.call_id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5], "none repeated, none skipped");
    assert_eq!(rows[3].extra.get("score").unwrap(), 40);
    assert_eq!(
        served.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "asked twice"
    );
}

#[tokio::test]
async fn a_converz_body_that_keeps_breaking_is_a_network_error_not_a_decode_error() {
    let body = serde_json::to_string(&json!([{"call_id": 1}, {"call_id": 2}])).unwrap();
    let (base, _) = cutting_server(body, 5).await;
    let client = cxkit::converz::Client::builder()
        .api_key(CONVERZ_KEY)
        .base_url(base)
        // One attempt: the first (cut) answer is all there is.
        .retry(fast_retry(1))
        .build()
        .unwrap();

    let (_, error) = drain(client.calls(cxkit::converz::CallQuery::new().page_size(10))).await;

    let error = error.expect("an error");
    assert!(matches!(error, cxkit::Error::Interrupted { .. }), "{error}");
    assert!(error.is_retryable(), "{error}");
}
