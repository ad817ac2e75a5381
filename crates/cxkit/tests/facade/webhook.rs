//! The webhook receiver: 413, 408, 400, 401 (before the body is read), a secret too short
//! to start with, de-duplication that drops only true redeliveries (also concurrent ones),
//! handler failure → redelivery, and `serve`'s connection cap and header deadline.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cxkit::conversion::webhook::{
    parse, router, serve, Delivery, EventId, HandlerError, ReceiverConfig, ServeLimits,
};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

fn config() -> ReceiverConfig {
    ReceiverConfig::new(WEBHOOK_SECRET).unwrap()
}

fn delivery(operation: &str, kind: &str) -> serde_json::Value {
    json!({
        "subscriptionId": "65f0c0ffee0000000000abcd", "topic": "interactions", "type": kind,
        "attempts": 1, "operationId": operation, "futureField": {"kept": true}
    })
}

async fn post(app: &axum::Router, secret: &str, body: Vec<u8>) -> StatusCode {
    let request = Request::post(format!("/?secret={secret}"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    app.clone().oneshot(request).await.unwrap().status()
}

fn counting(fail_first: usize) -> (axum::Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let app = router(config(), move |delivery: Delivery| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            assert!(
                delivery.event.extra.contains_key("futureField"),
                "unknown fields are kept"
            );
            if n < fail_first {
                Err::<(), HandlerError>("database down".into())
            } else {
                Ok(())
            }
        }
    });
    (app, calls)
}

#[tokio::test]
async fn refuses_a_wrong_or_missing_secret() {
    let (app, calls) = counting(0);
    let body = serde_json::to_vec(&delivery("op1", "created")).unwrap();
    assert_eq!(
        post(&app, "wrong", body.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(post(&app, "", body.clone()).await, StatusCode::UNAUTHORIZED);
    let almost = &WEBHOOK_SECRET[..WEBHOOK_SECRET.len() - 1];
    assert_eq!(post(&app, almost, body).await, StatusCode::UNAUTHORIZED);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn refuses_a_body_over_1_mib_and_invalid_json() {
    let (app, calls) = counting(0);
    let huge = vec![b' '; 1024 * 1024 + 1];
    assert_eq!(
        post(&app, WEBHOOK_SECRET, huge).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        post(&app, WEBHOOK_SECRET, b"{not json".to_vec()).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(&app, WEBHOOK_SECRET, b"[1,2]".to_vec()).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redelivery_is_handled_once() {
    let (app, calls) = counting(0);
    let body = serde_json::to_vec(&delivery("op1", "created")).unwrap();
    assert_eq!(
        post(&app, WEBHOOK_SECRET, body.clone()).await,
        StatusCode::OK
    );
    assert_eq!(post(&app, WEBHOOK_SECRET, body).await, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // Same operation, another event type: a different event.
    let updated = serde_json::to_vec(&delivery("op1", "updated")).unwrap();
    assert_eq!(post(&app, WEBHOOK_SECRET, updated).await, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failed_handler_gets_a_non_2xx_and_the_redelivery_is_handled() {
    let (app, calls) = counting(1);
    let body = serde_json::to_vec(&delivery("op9", "created")).unwrap();
    assert_eq!(
        post(&app, WEBHOOK_SECRET, body.clone()).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        post(&app, WEBHOOK_SECRET, body.clone()).await,
        StatusCode::OK
    );
    assert_eq!(post(&app, WEBHOOK_SECRET, body).await, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_dedup_window_is_configurable() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let config = config().dedup_window(std::time::Duration::ZERO);
    let app = router(config, move |_delivery: Delivery| {
        seen.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), HandlerError>(()) }
    });
    let body = serde_json::to_vec(&delivery("op2", "created")).unwrap();
    post(&app, WEBHOOK_SECRET, body.clone()).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    post(&app, WEBHOOK_SECRET, body).await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "outside the window a delivery is new"
    );
}

#[test]
fn parse_types_a_delivery_and_keeps_unknown_topics() {
    let mut body = delivery("op3", "created");
    body["topic"] = json!("quotes-v2");
    let event = parse(&serde_json::to_vec(&body).unwrap()).unwrap();
    assert_eq!(
        event.topic,
        cxkit::conversion::TopicName::String("quotes-v2".into())
    );
    let error = observed(parse(b"<html>").unwrap_err());
    assert!(matches!(error, cxkit::Error::Decode { .. }));
}

#[tokio::test]
async fn accepts_a_delivery_shaped_like_real_traffic() {
    // As the vendor really sends it: `templateConfig: null` in the message, `transferredAt`
    // and `label` null, `nin` items with `_id` and no `number`, `appFields: {}`.
    let body = json!({
        "subscriptionId": "66a1f3000000000000000001", "topic": "interactions", "type": "created",
        "received": "2024-07-25T12:06:02.300Z", "sent": "2024-07-25T12:06:03.001Z", "attempts": 1,
        "updatedAt": "2024-07-25T12:06:02.100Z", "operationId": "66a1f2d0c1b7e40008b2d001",
        "prospect": {
            "id": "66a1f0c2b7e4d30009a1c001", "created": "2024-07-25T12:01:06.000Z",
            "group": "Vendas", "groupId": "5f1a2b3c4d5e6f0007a8b9c0", "account": "Moto Sul",
            "accountId": "5f1a2b3c4d5e6f0007a8b900", "status": "followUp", "leads": [],
            "nin": [{"_id": "66a1f0c2b7e4d30009a1c0f1", "type": "DNI"}],
            "transferredAt": null, "label": null,
            "agent": {"id": "5f1a2b3c4d5e6f0007a8b111", "firstName": "M", "lastName": "P", "appFields": {}}
        },
        "interaction": {
            "id": "66a1f2d0c1b7e40008b2d001", "createdAt": "2024-07-25T12:04:40.512Z",
            "status": "created", "via": "whatsApp",
            "output": {"message": {"via": "whatsApp", "performer": "integration", "templateConfig": null}}
        }
    });
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = router(config(), move |delivery: Delivery| {
        sink.lock().unwrap().push(delivery.event);
        async { Ok::<(), HandlerError>(()) }
    });

    let status = post(&app, WEBHOOK_SECRET, serde_json::to_vec(&body).unwrap()).await;

    assert_eq!(status, StatusCode::OK);
    let events = received.lock().unwrap();
    assert_eq!(events.len(), 1);
    let nin = events[0]
        .prospect
        .as_ref()
        .and_then(|p| p.nin.clone())
        .unwrap();
    assert_eq!(nin[0].id.as_deref(), Some("66a1f0c2b7e4d30009a1c0f1"));
}

#[tokio::test]
async fn a_redelivery_while_the_first_is_in_flight_waits_for_it_and_is_handled_once() {
    let release = Arc::new(tokio::sync::Notify::new());
    let started = Arc::new(tokio::sync::Notify::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let app = {
        let (release, started, calls) = (release.clone(), started.clone(), calls.clone());
        router(config(), move |_delivery: Delivery| {
            let (release, started, calls) = (release.clone(), started.clone(), calls.clone());
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                started.notify_one();
                release.notified().await;
                Ok::<(), HandlerError>(())
            }
        })
    };
    let body = serde_json::to_vec(&delivery("op-busy", "created")).unwrap();

    let first = tokio::spawn({
        let (app, body) = (app.clone(), body.clone());
        async move { post(&app, WEBHOOK_SECRET, body).await }
    });
    // Readiness, not a sleep: the first delivery is inside the handler.
    started.notified().await;
    // Redeliveries tens of milliseconds apart, as the vendor sends them, while the first is
    // still being handled.
    let redeliveries: Vec<_> = (0..3)
        .map(|_| {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move { post(&app, WEBHOOK_SECRET, body).await })
        })
        .collect();
    tokio::task::yield_now().await;
    release.notify_one();
    let first = first.await.unwrap();
    let mut statuses = Vec::new();
    for r in redeliveries {
        statuses.push(r.await.unwrap());
    }

    assert_eq!(first, StatusCode::OK);
    assert_eq!(statuses, [StatusCode::OK; 3], "acknowledged once handled");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "handled once");
}

/// The vendor's real traffic: every change of one interaction shares its `operationId`.
fn change(kind: &str, updated: &str, attempts: u32, owner: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "subscriptionId": "65f0c0ffee0000000000abcd", "topic": "interactions", "type": kind,
        "attempts": attempts, "sent": format!("2024-02-06T13:5{attempts}:00.000Z"),
        "updatedAt": updated, "operationId": "65c23934e99c2100082e848a",
        "prospect": {
            "id": "6596d62461f4a300081b28cb", "created": "2024-01-04T16:00:36.544Z",
            "group": "Vendas", "groupId": "5f1a2b3c4d5e6f0007a8b9c0", "account": "Moto Sul",
            "accountId": "5f1a2b3c4d5e6f0007a8b900", "status": "followUp", "leads": [],
            "agent": {"id": owner, "firstName": "M", "lastName": "P", "appFields": {}}
        },
        "interaction": {"id": "65c23934e99c2100082e848a", "agentId": owner, "status": kind}
    }))
    .unwrap()
}

fn recording() -> (axum::Router, Arc<std::sync::Mutex<Vec<EventId>>>) {
    let handled = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = handled.clone();
    let app = router(config(), move |delivery: Delivery| {
        sink.lock().unwrap().push(delivery.id);
        async { Ok::<(), HandlerError>(()) }
    });
    (app, handled)
}

#[tokio::test]
async fn every_change_of_one_object_is_handled_and_each_redelivery_is_dropped() {
    let (app, handled) = recording();
    let created = change("created", "2024-02-06T13:50:44.521Z", 1, "agent-a");
    let first_update = change("updated", "2024-02-06T14:02:10.000Z", 1, "agent-a");
    let second_update = change("updated", "2024-02-06T14:07:31.250Z", 1, "agent-b");
    for body in [&created, &first_update, &second_update] {
        assert_eq!(
            post(&app, WEBHOOK_SECRET, body.clone()).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        handled.lock().unwrap().len(),
        3,
        "three changes, three events"
    );

    // Redeliveries: other attempts and send times, and a newer owner in the snapshot.
    let again = [
        change("created", "2024-02-06T13:50:44.521Z", 2, "agent-b"),
        change("updated", "2024-02-06T14:02:10Z", 3, "agent-c"),
        change("updated", "2024-02-06T14:07:31.250Z", 2, "agent-b"),
    ];
    for body in again {
        assert_eq!(post(&app, WEBHOOK_SECRET, body).await, StatusCode::OK);
    }
    let handled = handled.lock().unwrap();
    assert_eq!(handled.len(), 3, "redeliveries acknowledged, not handled");
    let unique: std::collections::HashSet<_> = handled.iter().collect();
    assert_eq!(unique.len(), 3);
}

#[tokio::test]
async fn events_handled_before_a_restart_are_not_handled_again_and_new_ones_are() {
    let body = change("updated", "2024-02-06T14:02:10.000Z", 1, "agent-a");
    let id = EventId::of(&body).unwrap();
    let handled = Arc::new(AtomicUsize::new(0));
    let count = handled.clone();
    let app = router(config().already_handled([id]), move |_: Delivery| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), HandlerError>(()) }
    });
    let redelivered = change("updated", "2024-02-06T14:02:10.000Z", 4, "agent-z");
    assert_eq!(
        post(&app, WEBHOOK_SECRET, redelivered).await,
        StatusCode::OK
    );
    assert_eq!(handled.load(Ordering::SeqCst), 0);
    let newer = change("updated", "2024-02-06T14:09:00.000Z", 1, "agent-a");
    assert_eq!(post(&app, WEBHOOK_SECRET, newer).await, StatusCode::OK);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn memory_of_handled_events_is_bounded_by_its_capacity() {
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let app = router(config().dedup_capacity(2), move |_: Delivery| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), HandlerError>(()) }
    });
    for op in ["a", "b", "c", "a"] {
        let body = serde_json::to_vec(&delivery(op, "created")).unwrap();
        post(&app, WEBHOOK_SECRET, body).await;
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "`a` was forgotten after `c`"
    );
}

#[test]
fn an_empty_or_short_secret_cannot_open_a_receiver() {
    for secret in ["", " ", "fifteen-chars!!"] {
        let error = ReceiverConfig::new(secret).unwrap_err();
        assert!(error.to_string().contains("16 characters"), "{error}");
    }
    assert!(ReceiverConfig::new("sixteen-chars!!!").is_ok());
}

/// A body that never arrives: reading it would hang the request.
fn endless_body() -> Body {
    Body::from_stream(futures::stream::pending::<
        Result<bytes::Bytes, std::io::Error>,
    >())
}

async fn send(app: &axum::Router, request: Request<Body>) -> StatusCode {
    tokio::time::timeout(Duration::from_secs(10), app.clone().oneshot(request))
        .await
        .expect("answered without waiting for the body")
        .unwrap()
        .status()
}

#[tokio::test]
async fn without_the_secret_the_body_is_never_read() {
    let (app, calls) = counting(0);
    let request = Request::post("/?secret=wrong")
        .body(endless_body())
        .unwrap();
    assert_eq!(send(&app, request).await, StatusCode::UNAUTHORIZED);
    let request = Request::post("/").body(endless_body()).unwrap();
    assert_eq!(send(&app, request).await, StatusCode::UNAUTHORIZED);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_unread_and_a_slow_body_is_cut() {
    let (app, _) = counting(0);
    let oversized = Request::post(format!("/?secret={WEBHOOK_SECRET}"))
        .header("content-length", (2 * 1024 * 1024).to_string())
        .body(Body::from(vec![b' '; 2 * 1024 * 1024]))
        .unwrap();
    assert_eq!(send(&app, oversized).await, StatusCode::PAYLOAD_TOO_LARGE);

    let app = router(
        config().body_timeout(Duration::from_millis(50)),
        |_: Delivery| async { Ok::<(), HandlerError>(()) },
    );
    let slow = Request::post(format!("/?secret={WEBHOOK_SECRET}"))
        .body(endless_body())
        .unwrap();
    assert_eq!(send(&app, slow).await, StatusCode::REQUEST_TIMEOUT);
}

/// A delivery padded with spaces to exactly `size` bytes.
fn padded_delivery(size: usize) -> Vec<u8> {
    let mut body = serde_json::to_vec(&delivery("op-limit", "created")).unwrap();
    assert!(body.len() <= size);
    body.resize(size, b' ');
    body
}

/// `bytes` sent as a stream of small chunks: no declared length, so only reading finds the size.
fn streamed(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> = bytes
        .chunks(100)
        .map(|chunk| Ok(bytes::Bytes::copy_from_slice(chunk)))
        .collect();
    Body::from_stream(futures::stream::iter(chunks))
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_handled_and_one_byte_more_is_refused_declared_or_streamed()
{
    const LIMIT: usize = 1000;
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let app = router(config().max_body_bytes(LIMIT), move |_: Delivery| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), HandlerError>(()) }
    });
    let request = |body: Body| {
        Request::post(format!("/?secret={WEBHOOK_SECRET}"))
            .body(body)
            .unwrap()
    };
    // Declared lengths (a `Vec` body knows its size).
    let at_limit = request(Body::from(padded_delivery(LIMIT)));
    assert_eq!(send(&app, at_limit).await, StatusCode::OK);
    let over = request(Body::from(padded_delivery(LIMIT + 1)));
    assert_eq!(send(&app, over).await, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    // Streamed: the limit is found while reading, and still answered 413 (not 400).
    let over = request(streamed(padded_delivery(LIMIT + 1)));
    assert_eq!(send(&app, over).await, StatusCode::PAYLOAD_TOO_LARGE);
    let mut another = serde_json::to_vec(&delivery("op-streamed", "created")).unwrap();
    another.resize(LIMIT, b' ');
    let at_limit = request(streamed(another));
    assert_eq!(send(&app, at_limit).await, StatusCode::OK);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
    // A body that breaks while read is the sender's fault (400), not a size problem.
    let broken = Body::from_stream(futures::stream::iter([
        Ok(bytes::Bytes::from_static(b"{")),
        Err(std::io::Error::other("connection reset")),
    ]));
    assert_eq!(send(&app, request(broken)).await, StatusCode::BAD_REQUEST);
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

/// A served receiver on a random loopback port.
async fn served(limits: ServeLimits) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let app = router(config(), move |_: Delivery| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok::<(), HandlerError>(()) }
    });
    tokio::spawn(serve(listener, app, limits, std::future::pending()));
    (addr, calls)
}

/// Reads until the peer closes (bounded): whether it closed.
async fn closed_by_peer(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn senders_that_never_finish_their_headers_are_cut_and_cannot_hold_every_connection() {
    use tokio::io::AsyncWriteExt;
    let limits = ServeLimits::default()
        .max_connections(2)
        .header_timeout(Duration::from_millis(300));
    let (addr, calls) = served(limits).await;

    // Two slow senders take every connection: one sends half a request line, one nothing.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /?secret=").await.unwrap();
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();

    // A real delivery waits for a free connection, which the header deadline makes.
    let body = serde_json::to_vec(&delivery("op-real", "created")).unwrap();
    let url = format!("http://{addr}/?secret={WEBHOOK_SECRET}");
    let real = tokio::time::timeout(
        Duration::from_secs(20),
        reqwest::Client::new().post(url).body(body).send(),
    )
    .await
    .expect("the real delivery is served once the slow senders are cut")
    .unwrap();

    assert_eq!(real.status(), StatusCode::OK.as_u16());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(closed_by_peer(&mut slow).await, "a half-sent header is cut");
    assert!(
        closed_by_peer(&mut silent).await,
        "an idle connection is cut"
    );
}

#[test]
fn a_callback_secret_needs_16_characters_and_https_off_loopback() {
    use cxkit::conversion::webhook::callback_url;
    let sixteen = cxkit::Secret::new("0123456789abcdef");
    let url = callback_url("https://hooks.example.com/in?x=1", &sixteen).unwrap();
    assert_eq!(
        url,
        "https://hooks.example.com/in?x=1&secret=0123456789abcdef"
    );
    let fifteen = cxkit::Secret::new("0123456789abcde");
    let error = callback_url("https://hooks.example.com/in", &fifteen).unwrap_err();
    assert!(error.to_string().contains("16 characters"), "{error}");
    assert!(callback_url("http://hooks.example.com/in", &sixteen).is_err());
    assert!(callback_url("http://127.0.0.1:8080/in", &sixteen).is_ok());
    assert!(callback_url("http://localhost:8080/in", &sixteen).is_ok());
}
