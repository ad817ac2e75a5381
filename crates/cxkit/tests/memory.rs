//! A Converz page far larger than the memory it may use is streamed with flat memory: a
//! counting allocator measures the peak of live heap bytes while the facade decodes it.
//! (A test binary of its own: the allocator counts everything the process does.)

use cxkit::converz::{CallQuery, Client};
use futures::TryStreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Counts live heap bytes and their peak (every allocation of the process goes through it).
#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

const ROWS: u64 = 250_000;

/// Serves one `/calls` page of `ROWS` rows, rendered chunk by chunk as it is sent (the
/// server holds one chunk at a time).
async fn serve(listener: tokio::net::TcpListener) {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buf).await.unwrap();
        request.extend_from_slice(&buf[..n]);
    }
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    socket.write_all(head.as_bytes()).await.unwrap();
    let chunk = |text: String| {
        let framed = format!("{:x}\r\n{text}\r\n", text.len());
        framed.into_bytes()
    };
    socket.write_all(&chunk("[".into())).await.unwrap();
    for start in (0..ROWS).step_by(1_000) {
        let rows: Vec<String> = (start..(start + 1_000).min(ROWS))
            .map(|i| {
                let sep = if i == 0 { "" } else { "," };
                format!(r#"{sep}{{"call_id":{i},"rep_id":"rep{:03}","campaign":"sales","duration":{},"summary":"a conversation about billing and delivery"}}"#, i % 50, i % 900)
            })
            .collect();
        socket.write_all(&chunk(rows.concat())).await.unwrap();
    }
    socket.write_all(&chunk("]".into())).await.unwrap();
    socket.write_all(b"0\r\n\r\n").await.unwrap();
    let _ = socket.shutdown().await;
}

#[tokio::test]
async fn a_page_much_bigger_than_the_allowed_peak_streams_with_flat_memory() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener));
    let client = Client::builder()
        .api_key("memory-test-key")
        .base_url(base)
        .build()
        .unwrap();

    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let mut rows = 0u64;
    let mut bytes = 0usize;
    let mut stream = client.calls(CallQuery::new().page_size(1_000_000));
    while let Some(call) = stream.try_next().await.unwrap() {
        rows += 1;
        bytes += 120 + call.extra.len();
    }
    let peak = ALLOCATOR.peak_usage().saturating_sub(before);

    assert_eq!(rows, ROWS, "every row");
    let body = ROWS as usize * 120; // about 120 bytes of JSON per row: 30 MB
    assert!(bytes > body / 2, "the rows were read");
    assert!(
        peak < 8 * 1024 * 1024,
        "peak live heap {} KiB while decoding a {} KiB body: the page is buffered",
        peak / 1024,
        body / 1024
    );
}
