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

/// `HTTP_PROXY` is honoured (reqwest reads it) for an `http://` target, and `NO_PROXY` lets
/// a host bypass it: a forward proxy on loopback answers the request itself, so the rows say
/// which way it went.
#[test]
fn http_proxy_and_no_proxy_are_honoured() {
    use httpmock::prelude::*;
    let direct = MockServer::start();
    direct.mock(|when, then| {
        when.path("/ongoing");
        then.status(200)
            .json_body(serde_json::json!({"success": true, "data": [{"id": "direct"}]}));
    });
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let lines = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 8192];
            let n = stream.read(&mut buf).unwrap_or(0);
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            lines
                .lock()
                .unwrap()
                .push(text.lines().next().unwrap_or_default().to_owned());
            let body = r#"{"success":true,"data":[{"id":"via-proxy"}]}"#;
            let _ = stream.write_all(
                format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes(),
            );
        }
    });
    let run = |no_proxy: Option<&str>| {
        let mut cmd = cxkit();
        cmd.env("HTTP_PROXY", &proxy)
            .args([
                "--zchat-token",
                "zt-proxy-SECRET-5",
                "--zchat-base-url",
                &direct.base_url(),
            ])
            .args(["--format", "jsonl", "zchat", "ongoing"]);
        if let Some(hosts) = no_proxy {
            cmd.env("NO_PROXY", hosts);
        }
        String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
    };
    assert!(run(None).contains("via-proxy"));
    let line = seen.lock().unwrap()[0].clone();
    assert!(
        line.starts_with(&format!("GET {}/ongoing", direct.base_url())),
        "the proxy got the absolute URL: {line}"
    );
    assert!(run(Some("127.0.0.1")).contains("direct"));
}
