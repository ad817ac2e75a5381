//! Compressed transfers (issue #26): the sandbox compresses when asked; every list read
//! through compressed bodies, buffered or streamed, gives the rows of identity bodies; a gzip
//! body cut inside its member is retried, never a short page; a shaped link still delivers
//! every byte.

use chrono::{Duration, TimeZone, Utc};
use cxkit::{conversion, converz, zchat, ClientBuilder, Vendor};
use cxkit_sandbox::{Link, Sandbox, SandboxConfig};
use futures::TryStreamExt;
use std::io::Write;

fn built<V: Vendor>(base: String, secret: &str, compressed: bool) -> V::Client {
    ClientBuilder::<V>::default()
        .base_url(base)
        .credential(secret)
        .compression(compressed)
        .build()
        .unwrap()
}

/// Every row of the lists both ways, as JSON text (raw lists) or values (typed ones).
async fn lists(s: &Sandbox, compressed: bool) -> Vec<Vec<String>> {
    let c = s.credentials();
    let z: zchat::Client = built::<zchat::Zchat>(s.zchat_base_url(), &c.zchat_token, compressed);
    let v: converz::Client =
        built::<converz::Converz>(s.converz_base_url(), &c.converz_api_key, compressed);
    let k: conversion::Client =
        built::<conversion::Conversion>(s.conversion_base_url(), &c.conversion_api_key, compressed);
    let anchor = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();
    let period = (anchor - Duration::days(40), anchor);
    let history = zchat::HistoryQuery::new()
        .between(period.0, period.1)
        .page_size(1000)
        .concurrency(4);
    let text = |rows: Vec<cxkit::RawRow>| -> Vec<String> {
        rows.iter()
            .map(|r| String::from_utf8(r.as_bytes().to_vec()).unwrap())
            .collect()
    };
    let value = |rows: Vec<serde_json::Value>| -> Vec<String> {
        rows.iter().map(|r| r.to_string()).collect()
    };
    vec![
        text(z.history_raw(history.clone()).try_collect().await.unwrap()),
        text(z.history_expanded_raw(history).try_collect().await.unwrap()),
        text(
            v.calls_raw(converz::CallQuery::new().page_size(3000))
                .try_collect()
                .await
                .unwrap(),
        ),
        value(
            k.prospects(
                conversion::ProspectQuery::new()
                    .created_between(period.0, period.1)
                    .page_size(50),
            )
            .map_ok(|p| serde_json::to_value(p).unwrap())
            .try_collect()
            .await
            .unwrap(),
        ),
    ]
}

#[tokio::test]
async fn every_list_through_compressed_bodies_is_the_list_of_identity_bodies() {
    let s = Sandbox::start().await.unwrap();
    let compressed = lists(&s, true).await;
    let identity = lists(&s, false).await;
    for (a, b) in compressed.iter().zip(&identity) {
        assert!(!a.is_empty());
        assert_eq!(a, b);
    }

    // The sandbox did compress: asked for gzip, it answers gzip, far smaller.
    let url = format!(
        "{}/history?token={}&limit=1000",
        s.zchat_base_url(),
        s.credentials().zchat_token
    );
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let gzipped = raw
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let gzipped = gzipped.bytes().await.unwrap().len();
    let plain = raw.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap().len();
    assert!(gzipped * 4 < plain, "{gzipped} vs {plain}");
}

/// A zchat page, gzip-compressed at level 1.
fn gzipped_page(rows: usize) -> (Vec<u8>, usize) {
    let data: Vec<_> = (0..rows)
        .map(|i| serde_json::json!({"id": format!("p{i}"), "note": "x".repeat(40)}))
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({"success": true, "data": data})).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&body).unwrap();
    (encoder.finish().unwrap(), rows)
}

/// A server whose first answer is the gzip body cut inside its member (its framing ends
/// cleanly: chunked with a last chunk, or the connection closed), and every later answer
/// the whole body.
fn cutting_server(chunked: bool) -> (String, usize) {
    let (gz, rows) = gzipped_page(500);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 8192];
            let _ = std::io::Read::read(&mut stream, &mut request);
            let body = if n == 0 { &gz[..gz.len() / 2] } else { &gz[..] };
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\nconnection: close\r\n";
            let _ = if chunked {
                stream
                    .write_all(
                        format!(
                            "{head}transfer-encoding: chunked\r\n\r\n{:x}\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| stream.write_all(body))
                    .and_then(|()| stream.write_all(b"\r\n0\r\n\r\n"))
            } else {
                stream
                    .write_all(format!("{head}\r\n").as_bytes())
                    .and_then(|()| stream.write_all(body))
            };
        }
    });
    (url, rows)
}

#[tokio::test]
async fn a_gzip_body_cut_inside_its_member_is_retried_never_a_short_page() {
    for chunked in [true, false] {
        let (url, rows) = cutting_server(chunked);
        let client = zchat::Client::builder()
            .token("zt-gzip-cut-0001")
            .base_url(url)
            .retry(
                cxkit::RetryPolicy::default()
                    .with_initial_backoff(std::time::Duration::from_millis(1)),
            )
            .build()
            .unwrap();
        let got: Vec<zchat::HistoryRow> = client
            .history(zchat::HistoryQuery::new().page_size(1000))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(got.len(), rows, "chunked: {chunked}");
    }
}

#[tokio::test]
async fn a_shaped_link_delivers_every_row_and_costs_its_round_trips() {
    let config = SandboxConfig {
        link: Some(Link {
            mbit: 50.0,
            rtt: std::time::Duration::from_millis(40),
        }),
        ..SandboxConfig::default()
    };
    let shaped = Sandbox::start_with(config).await.unwrap();
    let plain = Sandbox::start().await.unwrap();
    let started = std::time::Instant::now();
    let through_link = lists(&shaped, true).await;
    let elapsed = started.elapsed();
    assert_eq!(through_link, lists(&plain, true).await);
    // Not a speed assertion: every request pays at least one round trip of 40 ms.
    assert!(
        elapsed >= std::time::Duration::from_millis(40),
        "{elapsed:?}"
    );
}
