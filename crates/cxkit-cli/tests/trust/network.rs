//! No clear text by accident: a plain `http://` base URL to another machine is refused before
//! any request leaves, unless `--allow-http` says so.

use crate::common::cxkit;
use predicates::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A forward proxy on loopback that counts the connections it gets and answers each `502`.
fn counting_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            count.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    (url, hits)
}

#[test]
fn plain_http_to_another_machine_is_refused_before_any_request() {
    let (proxy, hits) = counting_proxy();
    let run = |allow: bool| {
        let mut cmd = cxkit();
        cmd.env("HTTP_PROXY", &proxy)
            .env("http_proxy", &proxy)
            .args(["--zchat-token", "zt-clear-SECRET-9"])
            .args(["--zchat-base-url", "http://zchat.example.test/v2"])
            .args(["--max-attempts", "1", "zchat", "ongoing"]);
        if allow {
            cmd.arg("--allow-http");
        }
        cmd.assert()
    };
    run(false).code(3).stderr(
        predicate::str::contains("plain http")
            .and(predicate::str::contains("--allow-http"))
            .and(predicate::str::contains("zt-clear-SECRET-9").not()),
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no request was sent");

    // Allowed, the request leaves (through the proxy, which answers 502).
    run(true).failure();
    assert!(
        hits.load(Ordering::SeqCst) > 0,
        "the test can see a request"
    );
}
