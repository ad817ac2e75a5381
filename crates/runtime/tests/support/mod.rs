//! Shared by the runtime's integration tests: a raw HTTP listener for answers a well-behaved
//! server would not send.
#![allow(dead_code)] // each test binary uses part of it

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

/// A listener answering its n-th connection with `answers[n]` (raw HTTP/1.1 bytes, connection
/// closed after it; an empty answer holds the connection open, unanswered, for 5 s), each on its
/// own thread; joins to the number of connections accepted.
pub fn raw_server(answers: Vec<Vec<u8>>) -> (String, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/raw", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut served = 0;
        for answer in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                break;
            };
            served += 1;
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                if answer.is_empty() {
                    std::thread::sleep(Duration::from_secs(5));
                } else {
                    let _ = stream.write_all(&answer);
                }
            });
        }
        served
    });
    (url, handle)
}

/// A `200` JSON answer whose end is the connection's close (no length, no chunking).
pub fn close_delimited(body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{body}")
        .into_bytes()
}

/// A `200` answer with `content_type` and an exact `Content-Length`.
pub fn with_length(content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A `200` answer of `content_type` whose end is the connection's close.
pub fn close_delimited_as(content_type: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n{body}")
        .into_bytes()
}

/// An answer with `status` (e.g. `"429 Too Many Requests"`), `headers` (each line ending in
/// `\r\n`) and a JSON body of exact length.
pub fn answer(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
