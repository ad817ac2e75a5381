//! Where a credential goes on each request.

use crate::secret::Secret;
use reqwest::header::{HeaderName, HeaderValue};

/// Where an API expects its credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// A query parameter of this name (zchat `token`, Conversion `api-key`).
    Query(&'static str),
    /// A header of this name (Converz `X-API-Key`); sent marked sensitive.
    Header(&'static str),
}

/// A credential and its placement. `Debug` shows the placement, never the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    placement: Placement,
    secret: Secret,
}

impl Credential {
    /// A credential sent as the query parameter `name`.
    pub fn query(name: &'static str, secret: impl Into<Secret>) -> Self {
        Self {
            placement: Placement::Query(name),
            secret: secret.into(),
        }
    }

    /// A credential sent as the header `name`.
    pub fn header(name: &'static str, secret: impl Into<Secret>) -> Self {
        Self {
            placement: Placement::Header(name),
            secret: secret.into(),
        }
    }

    /// Where the credential goes.
    pub fn placement(&self) -> &Placement {
        &self.placement
    }

    /// The secret value.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Checks that the credential can be sent at all: not empty, no whitespace or control
    /// character (a pasted key with a trailing newline), and, for a header, a valid header
    /// name and value. Clients call this when they are built, so a bad credential is a
    /// configuration error up front rather than a failure on every request. The message
    /// names the credential, never its value.
    pub fn validate(&self) -> Result<(), String> {
        let value = self.secret.expose();
        let what = match self.placement {
            Placement::Query(name) | Placement::Header(name) => name,
        };
        if value.is_empty() {
            return Err(format!("the {what} credential is empty"));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "the {what} credential contains whitespace or a control character"
            ));
        }
        if let Placement::Header(name) = self.placement {
            header_name(name)?;
            HeaderValue::from_str(value)
                .map_err(|_| format!("the {name} credential is not a valid header value"))?;
        }
        Ok(())
    }

    /// Query parameter names that must be masked wherever a URL is shown.
    pub(crate) fn masked_query_names(&self) -> Vec<&'static str> {
        match self.placement {
            Placement::Query(name) => vec![name],
            Placement::Header(_) => Vec::new(),
        }
    }

    /// Puts the credential on `request`, replacing any value already there.
    pub fn apply(&self, request: &mut reqwest::Request) -> Result<(), String> {
        match self.placement {
            Placement::Query(name) => {
                let url = request.url_mut();
                let others: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != name)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                url.query_pairs_mut()
                    .clear()
                    .extend_pairs(others)
                    .append_pair(name, self.secret.expose());
                Ok(())
            }
            Placement::Header(name) => {
                let mut value = HeaderValue::from_str(self.secret.expose())
                    .map_err(|_| format!("the {name} credential is not a valid header value"))?;
                value.set_sensitive(true);
                request.headers_mut().insert(header_name(name)?, value);
                Ok(())
            }
        }
    }
}

/// `name` as a header name (any case), or why not.
fn header_name(name: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
        .map_err(|_| format!("{name:?} is not a valid header name for a credential"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str) -> reqwest::Request {
        reqwest::Request::new(reqwest::Method::GET, url.parse().unwrap())
    }

    #[test]
    fn query_credential_is_appended_once() {
        let c = Credential::query("token", "t0k");
        let mut r = request("https://h/x?page=2&token=old");
        c.apply(&mut r).unwrap();
        assert_eq!(r.url().as_str(), "https://h/x?page=2&token=t0k");
    }

    #[test]
    fn header_credential_is_sensitive_and_hidden_from_debug() {
        let c = Credential::header("X-API-Key", "k3y");
        let mut r = request("https://h/x");
        c.apply(&mut r).unwrap();
        let v = r.headers().get("x-api-key").unwrap();
        assert!(v.is_sensitive());
        assert!(!format!("{r:?}{c:?}").contains("k3y"));
    }

    #[test]
    fn header_credential_with_newline_is_refused() {
        let c = Credential::header("X-API-Key", "bad\nkey");
        let err = c.apply(&mut request("https://h/x")).unwrap_err();
        assert!(!err.contains("bad"));
    }

    #[test]
    fn validation_names_the_problem_never_the_value() {
        assert!(Credential::header("X-API-Key", "k3y-0123")
            .validate()
            .is_ok());
        assert!(Credential::query("token", "t0k-0123").validate().is_ok());
        for (credential, problem) in [
            (Credential::query("token", ""), "empty"),
            (Credential::query("token", "abc\n"), "whitespace"),
            (Credential::header("X-API-Key", "a b"), "whitespace"),
            (Credential::header("X Bad", "k3y-0123"), "header name"),
            (Credential::header("X-API-Key", "k3y\u{7f}"), "control"),
        ] {
            let error = credential.validate().unwrap_err();
            assert!(error.contains(problem), "{error}");
            assert!(!error.contains("k3y") && !error.contains("abc"), "{error}");
        }
    }

    #[test]
    fn an_invalid_header_name_is_an_error_when_applied_not_a_panic() {
        let c = Credential::header("X Bad", "k3y-0123");
        let error = c.apply(&mut request("https://h/x")).unwrap_err();
        assert!(error.contains("header name"), "{error}");
    }
}
