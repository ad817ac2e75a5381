//! Builders and `from_env`: clear errors naming the variable, redacted `Debug`.

use crate::common::*;
use cxkit::{ConfigError, Error};

fn config_error(result: Result<impl std::fmt::Debug, Error>) -> ConfigError {
    match result {
        Err(Error::Config(e)) => observed(e),
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn zchat_from_env() {
    let e = config_error(cxkit::zchat::Client::from_env_with(vars(&[])));
    assert_eq!(
        e,
        ConfigError::MissingVariable {
            variable: "ZCHAT_TOKEN",
            hint: "the Zenvia Chat API token"
        }
    );
    assert!(e.to_string().contains("ZCHAT_TOKEN"));
    let e = config_error(cxkit::zchat::Client::from_env_with(vars(&[
        ("ZCHAT_TOKEN", ZCHAT_TOKEN),
        ("ZCHAT_BASE_URL", "ftp://nope"),
    ])));
    assert!(
        matches!(
            e,
            ConfigError::InvalidVariable {
                variable: "ZCHAT_BASE_URL",
                ..
            }
        ),
        "{e}"
    );
    let e = config_error(cxkit::zchat::Client::from_env_with(vars(&[(
        "ZCHAT_TOKEN",
        " padded ",
    )])));
    assert!(
        matches!(
            e,
            ConfigError::InvalidVariable {
                variable: "ZCHAT_TOKEN",
                ..
            }
        ),
        "{e}"
    );
    let client = cxkit::zchat::Client::from_env_with(vars(&[
        ("ZCHAT_TOKEN", ZCHAT_TOKEN),
        ("ZCHAT_BASE_URL", "http://127.0.0.1:1/api"),
    ]))
    .unwrap();
    let debug = format!("{:?}", observed_debug(client));
    assert!(debug.contains("127.0.0.1:1/api"), "{debug}");
}

#[test]
fn converz_from_env_needs_key_and_base_url() {
    let e = config_error(cxkit::converz::Client::from_env_with(vars(&[])));
    assert!(
        matches!(
            e,
            ConfigError::MissingVariable {
                variable: "CONVERZ_API_KEY",
                ..
            }
        ),
        "{e}"
    );
    let e = config_error(cxkit::converz::Client::from_env_with(vars(&[(
        "CONVERZ_API_KEY",
        CONVERZ_KEY,
    )])));
    assert!(
        matches!(
            e,
            ConfigError::MissingVariable {
                variable: "CONVERZ_BASE_URL",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("CONVERZ_BASE_URL"));
    let ok = cxkit::converz::Client::from_env_with(vars(&[
        ("CONVERZ_API_KEY", CONVERZ_KEY),
        ("CONVERZ_BASE_URL", "https://acme.converz.co/api/v1"),
    ]));
    observed_debug(ok.unwrap());
}

#[test]
fn conversion_from_env() {
    let e = config_error(cxkit::conversion::Client::from_env_with(vars(&[])));
    assert!(
        matches!(
            e,
            ConfigError::MissingVariable {
                variable: "CONVERSION_API_KEY",
                ..
            }
        ),
        "{e}"
    );
    let e = config_error(cxkit::conversion::Client::from_env_with(vars(&[
        ("CONVERSION_API_KEY", CONVERSION_KEY),
        ("CONVERSION_BASE_URL", "not a url"),
    ])));
    assert!(
        matches!(
            e,
            ConfigError::InvalidVariable {
                variable: "CONVERSION_BASE_URL",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn builders_refuse_missing_or_bad_settings() {
    config_error(cxkit::zchat::Client::builder().build());
    config_error(cxkit::zchat::Client::builder().token("").build());
    config_error(
        cxkit::converz::Client::builder()
            .api_key(CONVERZ_KEY)
            .build(),
    );
    assert!(cxkit::converz::Client::builder()
        .tenant("bad/host")
        .is_err());
    config_error(
        cxkit::conversion::Client::builder()
            .api_key(CONVERSION_KEY)
            .base_url("nope")
            .build(),
    );
    let built = cxkit::converz::Client::builder()
        .tenant("acme")
        .unwrap()
        .api_key(CONVERZ_KEY)
        .timeout(std::time::Duration::from_secs(5))
        .retry(cxkit::RetryPolicy::none())
        .user_agent("my-etl/1.0")
        .http_client(|b| b.pool_max_idle_per_host(2))
        .build()
        .unwrap();
    let debug = format!("{:?}", observed_debug(built));
    assert!(
        debug.contains("acme.converz.co") && debug.contains("my-etl/1.0"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed_even_when_the_http_client_asks_to_follow() {
    let server = httpmock::MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(307)
                .header("location", "http://127.0.0.2:9/elsewhere");
        })
        .await;
    let client = cxkit::converz::Client::builder()
        .base_url(server.base_url())
        .api_key(CONVERZ_KEY)
        .retry(cxkit::RetryPolicy::none())
        // A caller asking for redirects does not get them: the key would travel.
        .http_client(|b| b.redirect(reqwest::redirect::Policy::limited(5)))
        .build()
        .unwrap();

    let err = client
        .report(&cxkit::converz::ReportQuery::new())
        .await
        .unwrap_err();

    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("redirected to http://127.0.0.2:9/elsewhere"),
        "{text}"
    );
    assert!(text.contains("not followed"), "{text}");
}

/// Compressed responses are asked for by default, every encoding the client decodes; with
/// `compression(false)` no `Accept-Encoding` is sent at all.
#[tokio::test]
async fn compression_is_asked_for_unless_turned_off() {
    use httpmock::prelude::*;
    let server = MockServer::start_async().await;
    let page = serde_json::json!({"success": true, "data": [{"id": "p1"}]});
    let compressed = server
        .mock_async(|when, then| {
            when.path("/ongoing")
                .header_includes("accept-encoding", "gzip")
                .header_includes("accept-encoding", "br")
                .header_includes("accept-encoding", "zstd")
                .header_includes("accept-encoding", "deflate");
            then.status(200).json_body(page.clone());
        })
        .await;
    let identity = server
        .mock_async(|when, then| {
            when.path("/ongoing").header_missing("accept-encoding");
            then.status(200).json_body(page.clone());
        })
        .await;
    for enabled in [true, false] {
        let client = cxkit::zchat::Client::builder()
            .token(ZCHAT_TOKEN)
            .base_url(server.base_url())
            .compression(enabled)
            .connect_timeout(std::time::Duration::from_secs(2))
            .build()
            .unwrap();
        let rows: Vec<_> = futures::TryStreamExt::try_collect::<Vec<_>>(
            client.ongoing(cxkit::zchat::OngoingQuery::new()),
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1);
    }
    compressed.assert_calls_async(1).await;
    identity.assert_calls_async(1).await;
}
