//! Bounded memory against hostile bodies: an endless body, a declared length over the limit,
//! an endless Converz row, each ending with `Error::TooLarge` naming the limit, never with
//! memory that grows until the timeout. Also: plain http to another machine is refused.

use crate::common::*;
use futures::StreamExt;
use std::io::Write;
use std::net::TcpListener;

/// A server on loopback answering every connection with `head` and `first`, then `chunk`
/// forever (chunked encoding) until the client goes away.
fn endless(head: &'static str, first: &'static [u8], chunk: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut request);
                let frame =
                    |c: &[u8]| [format!("{:x}\r\n", c.len()).as_bytes(), c, b"\r\n"].concat();
                if stream.write_all(head.as_bytes()).is_err()
                    || stream.write_all(&frame(first)).is_err()
                {
                    return;
                }
                let framed = frame(chunk);
                // Bounded: 4 GiB at most, far past any limit the tests set.
                for _ in 0..(4u64 << 30) / chunk.len() as u64 {
                    if stream.write_all(&framed).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

const CHUNKED_JSON: &str =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";

#[tokio::test]
async fn an_endless_body_is_stopped_at_the_limit_with_a_typed_error() {
    let url = endless(
        CHUNKED_JSON,
        br#"{"success": true, "data": ["#,
        b"                                                            ",
    );
    let client = cxkit::zchat::Client::builder()
        .token(ZCHAT_TOKEN)
        .base_url(url)
        .retry(fast_retry(3))
        .max_body_bytes(1 << 20)
        .build()
        .unwrap();
    let mut rows = client.history(cxkit::zchat::HistoryQuery::new());
    let error = observed(rows.next().await.unwrap().unwrap_err());
    match &error {
        cxkit::Error::TooLarge { what, limit, .. } => {
            assert_eq!((*what, *limit), ("body", 1 << 20));
        }
        other => panic!("expected TooLarge, got {other}"),
    }
    assert!(error.to_string().contains("1048576"), "{error}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_it_is_read() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut request);
            // Says 5 GB, sends a little, then waits: a reader that trusted it would wait too.
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000000000\r\n\r\n{\"success\":",
            );
            std::thread::sleep(std::time::Duration::from_secs(30));
        }
    });
    let client = cxkit::zchat::Client::builder()
        .token(ZCHAT_TOKEN)
        .base_url(url)
        .retry(fast_retry(1))
        .build()
        .unwrap();
    let mut rows = client.history(cxkit::zchat::HistoryQuery::new());
    let error = observed(rows.next().await.unwrap().unwrap_err());
    assert!(
        matches!(error, cxkit::Error::TooLarge { limit, .. } if limit == cxkit_runtime::DEFAULT_MAX_BODY_BYTES),
        "{error}"
    );
}

#[tokio::test]
async fn an_endless_converz_row_is_stopped_at_the_row_limit() {
    let url = endless(
        CHUNKED_JSON,
        br#"[{"call_id": 1, "rep_id": "r", "notes": ""#,
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    );
    let client = cxkit::converz::Client::builder()
        .api_key(CONVERZ_KEY)
        .base_url(url)
        .retry(fast_retry(1))
        .max_row_bytes(64 << 10)
        .build()
        .unwrap();
    let mut rows = client.calls(cxkit::converz::CallQuery::new());
    let error = observed(rows.next().await.unwrap().unwrap_err());
    assert!(
        matches!(
            error,
            cxkit::Error::TooLarge {
                what: "row",
                limit: 65536,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn plain_http_to_another_machine_is_refused_unless_allowed() {
    let build = |url: &str, allow: bool| {
        cxkit::zchat::Client::builder()
            .token(ZCHAT_TOKEN)
            .base_url(url)
            .allow_http(allow)
            .build()
    };
    let error = observed(build("http://api.example.com/v2", false).unwrap_err());
    assert!(matches!(error, cxkit::Error::Config(_)), "{error}");
    assert!(error.to_string().contains("unencrypted"), "{error}");
    assert!(build("http://api.example.com/v2", true).is_ok());
    for local in [
        "http://127.0.0.1:9",
        "http://127.8.0.1:9",
        "http://[::1]:9",
        "http://localhost:9",
    ] {
        assert!(build(local, false).is_ok(), "{local}");
    }
    assert!(build("https://api.example.com/v2", false).is_ok());
}
