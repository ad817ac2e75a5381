//! Small helpers for the wire: typed values as the vendors' text, and the `GET` requests built
//! outside the generated clients.

use serde::Serialize;

/// The JSON string form of a value (`Channel::Known(Whatsapp)` → `WHATSAPP`).
pub(crate) fn wire_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// `a,b,c`, or `None` for an empty list (the vendor reads "absent" as "all").
pub(crate) fn comma_list<I: IntoIterator<Item = S>, S: ToString>(items: I) -> Option<String> {
    let joined = items
        .into_iter()
        .map(|s| s.to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    (!joined.is_empty()).then_some(joined)
}

/// A `GET` of `path?pairs` on a generated client's server, credential attached: the lists read
/// outside the generated builders (Converz pages decoded as they stream, raw zchat pages).
pub(crate) fn get_request(
    base_url: &str,
    path: &str,
    pairs: Vec<(&'static str, String)>,
    ctx: &cxkit_runtime::ClientContext,
) -> Result<reqwest::Request, crate::Error> {
    let mut url = reqwest::Url::parse(&format!("{base_url}{path}"))
        .map_err(|e| crate::ConfigError::Invalid(format!("base URL: {e}")))?;
    url.query_pairs_mut().extend_pairs(pairs);
    let mut request = reqwest::Request::new(reqwest::Method::GET, url);
    request.headers_mut().insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    ctx.authorize(&mut request)
        .map_err(crate::Error::InvalidInput)?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_lists() {
        assert_eq!(comma_list(["a", "b"]), Some("a,b".into()));
        assert_eq!(comma_list(Vec::<String>::new()), None);
        assert_eq!(comma_list([1, 2]), Some("1,2".into()));
    }
}
