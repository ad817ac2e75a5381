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
                request
                    .headers_mut()
                    .insert(HeaderName::from_static_lower(name), value);
                Ok(())
            }
        }
    }
}

trait FromStaticLower {
    fn from_static_lower(name: &'static str) -> HeaderName;
}

impl FromStaticLower for HeaderName {
    /// Header names in this crate are compile-time constants; `from_static`
    /// insists on lower case, so normalise first.
    fn from_static_lower(name: &'static str) -> HeaderName {
        HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
            .expect("credential header names are valid constants")
    }
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
}
