//! Shared test helpers. Every error and `Debug` string the suite looks at goes through
//! [`observed`], which fails the test if it contains any credential used in the suite.

use cxkit::RetryPolicy;
use futures::{Stream, StreamExt};
use std::fmt::{Debug, Display};
use std::time::Duration;

pub const ZCHAT_TOKEN: &str = "zt-SECRET-1a2b3c4d";
pub const CONVERZ_KEY: &str = "cz-SECRET-5e6f7a8b";
pub const CONVERSION_KEY: &str = "cv-SECRET-9c0d1e2f";
pub const WEBHOOK_SECRET: &str = "wh-SECRET-3a4b5c6d7e8f";
const SECRETS: [&str; 4] = [ZCHAT_TOKEN, CONVERZ_KEY, CONVERSION_KEY, WEBHOOK_SECRET];

/// Checks `Display` and `Debug` of `value` for every credential, then returns it.
pub fn observed<T: Debug + Display>(value: T) -> T {
    check(&format!("{value}"));
    check(&format!("{value:?}"));
    value
}

/// Checks `Debug` only (clients, builders).
pub fn observed_debug<T: Debug>(value: T) -> T {
    check(&format!("{value:?}"));
    value
}

fn check(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "a credential leaked into: {text}");
    }
}

pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
}

/// Drains a row stream: the rows before the first error, and that error (observed).
pub async fn drain<T, S>(stream: S) -> (Vec<T>, Option<cxkit::Error>)
where
    S: Stream<Item = Result<T, cxkit::Error>>,
{
    let mut rows = Vec::new();
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok(row) => rows.push(row),
            Err(error) => {
                let error = observed(error);
                assert!(
                    stream.next().await.is_none(),
                    "the stream ends after its error"
                );
                return (rows, Some(error));
            }
        }
    }
    (rows, None)
}

/// A lookup over fixed variables, for `from_env_with`.
pub fn vars(pairs: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    let pairs = pairs.to_vec();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}
