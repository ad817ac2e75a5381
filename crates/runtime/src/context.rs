//! The per-client state every generated client carries as its progenitor "inner type".

use crate::credential::Credential;
use crate::normalize::ApiProfile;
use crate::retry::RetryPolicy;
use crate::throttle::Throttle;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Credential, retry policy and timeout of one generated client, plus its vendor's
/// [`ApiProfile`]. `Debug` shows the credential's placement, never its value.
///
/// ```
/// use cxkit_runtime::{ApiProfile, ClientContext, Credential, Envelope, RetryPolicy};
/// static PROFILE: ApiProfile = ApiProfile {
///     name: "demo",
///     envelope: Envelope::Plain,
///     error_body: |status, message| serde_json::json!({"error": message, "code": status.as_str()}),
/// };
/// let ctx = ClientContext::new(&PROFILE)
///     .with_credential(Credential::header("X-API-Key", "k3y"))
///     .with_retry(RetryPolicy::none());
/// assert!(!format!("{ctx:?}").contains("k3y"));
/// ```
#[derive(Clone)]
pub struct ClientContext {
    pub(crate) profile: &'static ApiProfile,
    pub(crate) credential: Option<Credential>,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) user_agent: Option<String>,
    pub(crate) throttle: Option<Arc<Throttle>>,
    pub(crate) max_body_bytes: u64,
    pub(crate) max_row_bytes: u64,
}

impl ClientContext {
    /// A context with no credential, the default [`RetryPolicy`] and the client's timeout.
    pub fn new(profile: &'static ApiProfile) -> Self {
        Self {
            profile,
            credential: None,
            retry: RetryPolicy::default(),
            request_timeout: None,
            user_agent: None,
            throttle: None,
            max_body_bytes: crate::limits::DEFAULT_MAX_BODY_BYTES,
            max_row_bytes: crate::limits::DEFAULT_MAX_ROW_BYTES,
        }
    }

    /// The most bytes a response body read into memory may have (default
    /// [`DEFAULT_MAX_BODY_BYTES`](crate::DEFAULT_MAX_BODY_BYTES)).
    pub fn with_max_body_bytes(mut self, bytes: u64) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The most bytes one row of a streamed body may have (default
    /// [`DEFAULT_MAX_ROW_BYTES`](crate::DEFAULT_MAX_ROW_BYTES)).
    pub fn with_max_row_bytes(mut self, bytes: u64) -> Self {
        self.max_row_bytes = bytes;
        self
    }

    /// The body limit ([`with_max_body_bytes`](Self::with_max_body_bytes)).
    pub fn max_body_bytes(&self) -> u64 {
        self.max_body_bytes
    }

    /// The row limit ([`with_max_row_bytes`](Self::with_max_row_bytes)).
    pub fn max_row_bytes(&self) -> u64 {
        self.max_row_bytes
    }

    /// Sets the credential put on every request.
    pub fn with_credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets a timeout for each attempt, overriding the `reqwest::Client`'s.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// Sets the `User-Agent` sent when a request has none.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Makes every attempt hold a permit of `throttle`, so the requests sharing it adapt to
    /// the server's rate limits together (see [`Throttle`]).
    pub fn with_throttle(mut self, throttle: Arc<Throttle>) -> Self {
        self.throttle = Some(throttle);
        self
    }

    /// The throttle attempts go through, if any.
    pub fn throttle(&self) -> Option<&Arc<Throttle>> {
        self.throttle.as_ref()
    }

    /// The vendor profile.
    pub fn profile(&self) -> &'static ApiProfile {
        self.profile
    }

    /// The credential, if any.
    pub fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Puts the credential on `request` (progenitor's `pre` hook).
    pub fn authorize(&self, request: &mut reqwest::Request) -> Result<(), String> {
        match &self.credential {
            Some(credential) => credential.apply(request),
            None => Ok(()),
        }
    }

    /// Query parameter names masked in every URL this client shows.
    pub fn masked_query_names(&self) -> Vec<&'static str> {
        self.credential
            .as_ref()
            .map(Credential::masked_query_names)
            .unwrap_or_default()
    }

    /// Masks this client's secrets in `text` (for messages built from server data).
    pub fn redact(&self, text: &str) -> String {
        match &self.credential {
            Some(c) => crate::secret::redact(text, &[c.secret()]),
            None => text.to_owned(),
        }
    }
}

impl fmt::Debug for ClientContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientContext")
            .field("api", &self.profile.name)
            .field("credential", &self.credential)
            .field("retry", &self.retry)
            .field("request_timeout", &self.request_timeout)
            .field("user_agent", &self.user_agent)
            .field("throttle", &self.throttle.as_ref().map(|t| t.limit()))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_row_bytes", &self.max_row_bytes)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Envelope;

    static PROFILE: ApiProfile = ApiProfile {
        name: "ctx",
        envelope: Envelope::Plain,
        error_body: |_, message| serde_json::json!({"error": message}),
    };

    #[test]
    fn accessors_return_what_was_set_and_debug_hides_the_secret() {
        let ctx = ClientContext::new(&PROFILE)
            .with_credential(Credential::query("token", "tok-SECRET-42"))
            .with_retry(RetryPolicy::default().with_max_attempts(7))
            .with_user_agent("acme/1")
            .with_max_body_bytes(1234)
            .with_max_row_bytes(56);
        assert_eq!(ctx.profile().name, "ctx");
        assert_eq!((ctx.max_body_bytes(), ctx.max_row_bytes()), (1234, 56));
        assert!(ctx.throttle().is_none());
        assert_eq!(
            ctx.credential().map(Credential::placement),
            Some(&crate::Placement::Query("token"))
        );
        assert_eq!(ctx.retry().max_attempts(), 7);
        assert_eq!(ctx.masked_query_names(), vec!["token"]);
        assert_eq!(ctx.redact("bad tok-SECRET-42 here"), "bad *** here");
        let debug = format!("{ctx:?}");
        assert!(!debug.contains("tok-SECRET-42"), "{debug}");
        assert!(
            debug.contains("\"ctx\"") && debug.contains("Query(\"token\")"),
            "{debug}"
        );
        assert!(
            debug.contains("max_attempts: 7") && debug.contains("acme/1"),
            "{debug}"
        );
    }

    #[test]
    fn without_a_credential_nothing_is_masked_or_added() {
        let ctx = ClientContext::new(&PROFILE);
        assert!(ctx.credential().is_none());
        assert!(ctx.masked_query_names().is_empty());
        assert_eq!(ctx.redact("plain"), "plain");
        let mut request =
            reqwest::Request::new(reqwest::Method::GET, "https://h/x?a=1".parse().unwrap());
        ctx.authorize(&mut request).unwrap();
        assert_eq!(request.url().as_str(), "https://h/x?a=1");
    }
}
