//! A Converz page whose body breaks mid-way is asked for again and read on after the rows
//! already yielded — past the de-duplication window too, when the re-request breaks again,
//! and never forever; rows that moved between the two requests end the page with an error.

use crate::common::*;
use cxkit::converz::{CallQuery, Client};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the n-th answer sends: a body, cut after some bytes (the connection then closes
/// without the last chunk) or whole. Answers past the script repeat its last entry.
#[derive(Clone)]
struct Answer {
    body: String,
    cut: Option<usize>,
}

async fn scripted_server(script: Vec<Answer>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let answer = script[n.min(script.len() - 1)].clone();
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
                let bytes = answer.body.as_bytes();
                match answer.cut {
                    Some(cut) => {
                        let part = &bytes[..cut];
                        let text = format!(
                            "{head}transfer-encoding: chunked\r\n\r\n{:x}\r\n",
                            part.len()
                        );
                        let _ = socket.write_all(text.as_bytes()).await;
                        let _ = socket.write_all(part).await;
                        let _ = socket.write_all(b"\r\n").await;
                    }
                    None => {
                        let text = format!(
                            "{head}content-length: {}\r\nconnection: close\r\n\r\n",
                            bytes.len()
                        );
                        let _ = socket.write_all(text.as_bytes()).await;
                        let _ = socket.write_all(bytes).await;
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, served)
}

fn page(ids: impl IntoIterator<Item = i64>) -> String {
    let rows: Vec<Value> = ids
        .into_iter()
        .map(|i| json!({"call_id": i, "rep_id": format!("r{i}")}))
        .collect();
    serde_json::to_string(&rows).unwrap()
}

/// A cut just inside the row whose `call_id` is `id`.
fn inside(body: &str, id: i64) -> Option<usize> {
    Some(body.find(&format!(r#"{{"call_id":{id},"#)).unwrap() + 5)
}

fn client(base: String, attempts: u32) -> Client {
    Client::builder()
        .api_key(CONVERZ_KEY)
        .base_url(base)
        .retry(fast_retry(attempts))
        .build()
        .unwrap()
}

async fn ids_and_error(base: String, attempts: u32) -> (Vec<i64>, Option<cxkit::Error>) {
    let query = CallQuery::new().page_size(1_000_000);
    let (rows, error) = drain(client(base, attempts).calls(query)).await;
    (rows.iter().map(|c| c.call_id).collect(), error)
}

#[tokio::test]
async fn a_page_longer_than_the_dedupe_window_resumes_after_the_rows_yielded() {
    // 12,000 rows cut after 11,000: the rows before the last 10,000 yielded are no longer
    // remembered by the stream's de-duplication, so only skipping exactly the rows already
    // yielded keeps them from coming back.
    let body = page(1..=12_000);
    let script = vec![
        Answer {
            cut: inside(&body, 11_001),
            body: body.clone(),
        },
        Answer { body, cut: None },
    ];
    let (base, served) = scripted_server(script).await;
    let (ids, error) = ids_and_error(base, 3).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, (1..=12_000).collect::<Vec<_>>());
    assert_eq!(served.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_request_that_breaks_again_while_skipping_is_asked_for_once_more() {
    let body = page(1..=5);
    let script = vec![
        Answer {
            cut: inside(&body, 4),
            body: body.clone(),
        },
        // Breaks before the three rows already yielded are read past.
        Answer {
            cut: inside(&body, 2),
            body: body.clone(),
        },
        Answer { body, cut: None },
    ];
    let (base, served) = scripted_server(script).await;
    let (ids, error) = ids_and_error(base, 4).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_eq!(served.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_page_that_keeps_breaking_gives_up_after_the_policys_attempts() {
    let body = page(1..=5);
    let cut = inside(&body, 3);
    let (base, served) = scripted_server(vec![Answer { body, cut }]).await;
    let (ids, error) = ids_and_error(base, 3).await;
    // Rows before the break, each once (how many depends on where the decoder stood).
    assert!(
        !ids.is_empty() && ids.iter().copied().eq(1..=ids.len() as i64),
        "{ids:?}"
    );
    assert!(ids.len() <= 2, "{ids:?}");
    let error = error.expect("an error in the end");
    assert!(matches!(error, cxkit::Error::Interrupted { .. }), "{error}");
    assert_eq!(
        served.load(Ordering::SeqCst),
        3,
        "the first request and two more"
    );
}

#[tokio::test]
async fn a_page_that_keeps_breaking_while_skipping_gives_up_after_the_policys_attempts() {
    let body = page(1..=5);
    let script = vec![
        Answer {
            cut: inside(&body, 4),
            body: body.clone(),
        },
        // Every request again breaks before the rows already yielded are read past.
        Answer {
            cut: inside(&body, 2),
            body,
        },
    ];
    let (base, served) = scripted_server(script).await;
    // Bounded: a walk that never gives up would otherwise hang the suite.
    let within = std::time::Duration::from_secs(60);
    let (ids, error) = tokio::time::timeout(within, ids_and_error(base, 3))
        .await
        .expect("the page gave up");
    assert!(
        !ids.is_empty() && ids.iter().copied().eq(1..=ids.len() as i64),
        "{ids:?}"
    );
    let error = error.expect("an error in the end");
    assert!(matches!(error, cxkit::Error::Interrupted { .. }), "{error}");
    assert_eq!(
        served.load(Ordering::SeqCst),
        3,
        "the first request and two more"
    );
}

#[tokio::test]
async fn rows_that_moved_between_the_requests_end_the_page_with_an_error() {
    let first = page(1..=5);
    let script = vec![
        Answer {
            cut: inside(&first, 4),
            body: first,
        },
        // Different rows where the first answer's were: reading on would mix two pages.
        Answer {
            body: page(10..=14),
            cut: None,
        },
    ];
    let (base, _) = scripted_server(script).await;
    let (ids, error) = ids_and_error(base, 3).await;
    assert!(
        !ids.is_empty() && ids.iter().copied().eq(1..=ids.len() as i64),
        "{ids:?}"
    );
    let error = error.expect("the page cannot be resumed");
    assert!(matches!(error, cxkit::Error::Pagination { .. }), "{error}");
    assert!(error.to_string().contains("moved"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn resumes_wait_the_policys_growing_backoff() {
    let body = page(1..=5);
    let cut = inside(&body, 3);
    let (base, _) = scripted_server(vec![Answer { body, cut }]).await;
    // Whole seconds and no jitter, so the virtual time waited is exact: 1 s, then 2 s.
    let client = Client::builder()
        .api_key(CONVERZ_KEY)
        .base_url(base)
        .retry(
            cxkit::RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_secs(1))
                .with_jitter(false),
        )
        // No timer of the client's own may fire while the paused clock jumps.
        .http_client(|b| b.pool_idle_timeout(None))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let (_, error) = drain(client.calls(CallQuery::new())).await;
    assert!(error.is_some());
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_secs(3) && waited < std::time::Duration::from_secs(4),
        "{waited:?}"
    );
}
