//! A redirect to another origin is never followed with a credential: not the zchat token or
//! the Conversion `api-key` (query, and so `Referer`), not the Converz `X-API-Key` header.
//! A listener on 127.0.0.2 plays the other origin and must receive nothing at all.

use cxkit_runtime::{RetryPolicy, NOTE_HEADER};
use httpmock::prelude::*;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncReadExt;

const TOKEN: &str = "zc-redirect-SECRET-1";
const CONVERZ_KEY: &str = "cvz-redirect-SECRET-2";
const CONVERSION_KEY: &str = "conv-redirect-SECRET-3";

/// Another origin: records every byte any client sends it.
struct OtherOrigin {
    base: String,
    received: Arc<Mutex<Vec<u8>>>,
}

async fn other_origin() -> OtherOrigin {
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    sink.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
    });
    OtherOrigin { base, received }
}

/// A server on 127.0.0.1 that redirects every request to `target`.
async fn redirecting(target: &str) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(302)
                .header("location", format!("{target}/moved?from=cxkit"));
        })
        .await;
    server
}

/// The error must name the target and say why it was not followed; nothing reached it.
fn assert_not_followed(what: &str, text: &str, other: &OtherOrigin, secret: &str) {
    assert!(text.contains("302"), "{what}: {text}");
    assert!(!text.contains(secret), "{what} leaks the secret: {text}");
    let received = other.received.lock().unwrap();
    assert!(
        received.is_empty(),
        "{what}: the other origin received {:?}",
        String::from_utf8_lossy(&received)
    );
}

#[tokio::test]
async fn no_vendor_credential_follows_a_redirect_to_another_origin() {
    let other = other_origin().await;
    let server = redirecting(&other.base).await;
    let no_retry = RetryPolicy::none();

    let zchat = zchat_api::Client::new(
        &server.base_url(),
        zchat_api::context(TOKEN).with_retry(no_retry.clone()),
    );
    let err = zchat.list_history().send().await.unwrap_err();
    let note = match &err {
        zchat_api::Error::UnexpectedResponse(r) => {
            r.headers()[NOTE_HEADER].to_str().unwrap().to_owned()
        }
        other => panic!("expected the redirect as an unexpected response, got {other}"),
    };
    assert!(
        note.contains(&format!("{}/moved?from=cxkit", other.base)),
        "{note}"
    );
    assert!(note.contains("not followed"), "{note}");
    assert_not_followed("zchat", &format!("{err} {err:?} {note}"), &other, TOKEN);

    let converz = converz_api::Client::new(
        &server.base_url(),
        converz_api::context(CONVERZ_KEY).with_retry(no_retry.clone()),
    );
    let err = converz.list_reps().send().await.unwrap_err();
    assert_not_followed("converz", &format!("{err} {err:?}"), &other, CONVERZ_KEY);

    let conversion = conversion_api::Client::new(
        &server.base_url(),
        conversion_api::context(CONVERSION_KEY).with_retry(no_retry),
    );
    let err = conversion.list_topics().send().await.unwrap_err();
    assert_not_followed(
        "conversion",
        &format!("{err} {err:?}"),
        &other,
        CONVERSION_KEY,
    );
}

#[tokio::test]
async fn a_location_echoing_the_credential_is_masked() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(301).header(
                "location",
                format!("http://127.0.0.2:1/x?api-key={CONVERSION_KEY}"),
            );
        })
        .await;
    let client = conversion_api::Client::new(
        &server.base_url(),
        conversion_api::context(CONVERSION_KEY).with_retry(RetryPolicy::none()),
    );
    let err = client.list_topics().send().await.unwrap_err();
    let text = match &err {
        conversion_api::Error::UnexpectedResponse(r) => format!("{r:?} {:?}", r.headers()),
        other => panic!("{other}"),
    };
    assert!(text.contains("api-key=***"), "{text}");
    assert!(!text.contains(CONVERSION_KEY), "{text}");
}
