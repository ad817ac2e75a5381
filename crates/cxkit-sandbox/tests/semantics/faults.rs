//! Injected faults: 429s and 503s absorbed by retries, dropped connections, latency past a
//! client timeout, redirects that never reach the other origin.

use super::{no_retry, zchat_client};
use cxkit::{zchat, RetryPolicy};
use cxkit_sandbox::{Faults, Sandbox, SandboxConfig};
use futures::TryStreamExt;

#[tokio::test]
async fn injected_429s_and_503s_are_absorbed_by_retries_and_seen_without_them() {
    let faults = Faults {
        rate_429: 0.2,
        rate_5xx: 0.2,
        retry_after_secs: 0,
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let patient = RetryPolicy::default()
        .with_max_attempts(12)
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let rows: Vec<_> = zchat_client(&s, patient)
        .history(zchat::HistoryQuery::new().page_size(500))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 3333);
    let mut seen = std::collections::BTreeSet::new();
    let impatient = zchat_client(&s, no_retry());
    for _ in 0..40 {
        if let Err(e) = impatient
            .ongoing(zchat::OngoingQuery::new())
            .try_collect::<Vec<_>>()
            .await
        {
            seen.insert(e.status().map(|s| s.as_u16()));
        }
    }
    assert!(
        seen.contains(&Some(429)) && seen.contains(&Some(503)),
        "{seen:?}"
    );
}

#[tokio::test]
async fn dropped_connections_are_transport_errors_and_retried() {
    let faults = Faults {
        rate_drop: 0.3,
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let mut transport = 0;
    let impatient = zchat_client(&s, no_retry());
    for _ in 0..30 {
        if let Err(e) = impatient
            .ongoing(zchat::OngoingQuery::new())
            .try_collect::<Vec<_>>()
            .await
        {
            assert!(e.is_retryable(), "{e}");
            transport += 1;
        }
    }
    assert!(transport > 0);
    let patient = RetryPolicy::default()
        .with_max_attempts(10)
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let rows: Vec<_> = zchat_client(&s, patient)
        .ongoing(zchat::OngoingQuery::new().page_size(100))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 200);
}

#[tokio::test]
async fn injected_latency_trips_a_client_timeout() {
    let faults = Faults {
        latency: std::time::Duration::from_millis(400),
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = zchat::Client::builder()
        .base_url(s.zchat_base_url())
        .token(s.credentials().zchat_token.clone())
        .timeout(std::time::Duration::from_millis(100))
        .retry(no_retry())
        .build()
        .unwrap();
    let error = client
        .ongoing(zchat::OngoingQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(error, cxkit::Error::Timeout { .. }), "{error}");
}

#[tokio::test]
async fn a_redirect_fault_is_reported_and_the_other_origin_hears_nothing() {
    // The other origin: a listener on 127.0.0.2 that records any connection.
    let other = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let target = format!("http://{}", other.local_addr().unwrap());
    let heard = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = heard.clone();
    tokio::spawn(async move {
        while other.accept().await.is_ok() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let faults = Faults {
        rate_redirect: 1.0,
        redirect_to: Some(target.clone()),
        ..Faults::default()
    };
    let s = Sandbox::start_with(SandboxConfig {
        faults,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let error = zchat_client(&s, no_retry())
        .ongoing(zchat::OngoingQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let text = error.to_string();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302), "{text}");
    assert!(
        text.contains(&format!("redirected to {target}/zchat/ongoing")),
        "{text}"
    );
    assert!(!text.contains(&s.credentials().zchat_token), "{text}");
    // Following it would have connected there (and hung: the listener never answers).
    assert_eq!(
        heard.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no request followed it"
    );
}
