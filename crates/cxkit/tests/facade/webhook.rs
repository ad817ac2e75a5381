//! The webhook receiver: 413, 400, 401, de-duplication, handler failure → redelivery.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cxkit::conversion::webhook::{parse, router, HandlerError, ReceiverConfig};
use cxkit::conversion::WebhookEvent;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

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
    let app = router(
        ReceiverConfig::new(WEBHOOK_SECRET),
        move |event: WebhookEvent| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            async move {
                assert!(
                    event.extra.contains_key("futureField"),
                    "unknown fields are kept"
                );
                if n < fail_first {
                    Err::<(), HandlerError>("database down".into())
                } else {
                    Ok(())
                }
            }
        },
    );
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
    let config = ReceiverConfig::new(WEBHOOK_SECRET).dedup_window(std::time::Duration::ZERO);
    let app = router(config, move |_event: WebhookEvent| {
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
    let app = router(
        ReceiverConfig::new(WEBHOOK_SECRET),
        move |event: WebhookEvent| {
            sink.lock().unwrap().push(event);
            async { Ok::<(), HandlerError>(()) }
        },
    );

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
async fn a_redelivery_while_the_first_is_in_flight_gets_409_and_one_handling() {
    let release = Arc::new(tokio::sync::Notify::new());
    let started = Arc::new(tokio::sync::Notify::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let app = {
        let (release, started, calls) = (release.clone(), started.clone(), calls.clone());
        router(
            ReceiverConfig::new(WEBHOOK_SECRET),
            move |_event: WebhookEvent| {
                let (release, started, calls) = (release.clone(), started.clone(), calls.clone());
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    started.notify_one();
                    release.notified().await;
                    Ok::<(), HandlerError>(())
                }
            },
        )
    };
    let body = serde_json::to_vec(&delivery("op-busy", "created")).unwrap();

    let first = tokio::spawn({
        let (app, body) = (app.clone(), body.clone());
        async move { post(&app, WEBHOOK_SECRET, body).await }
    });
    // Readiness, not a sleep: the first delivery is inside the handler.
    started.notified().await;
    let second = post(&app, WEBHOOK_SECRET, body.clone()).await;
    release.notify_one();
    let first = first.await.unwrap();
    let third = post(&app, WEBHOOK_SECRET, body).await;

    assert_eq!(
        second,
        StatusCode::CONFLICT,
        "the same delivery is being handled"
    );
    assert_eq!(first, StatusCode::OK);
    assert_eq!(third, StatusCode::OK, "already handled: acknowledged");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "handled once");
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
