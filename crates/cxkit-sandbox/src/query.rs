//! Query strings as the sandbox reads them: `(key, value)` pairs with repeated keys kept, so
//! that a route can tell `a=1&a=2` from `a=1` and answer a bad value with the vendor's error.

/// Query strings with repeated keys (`a=1&a=2`), as `(key, value)` pairs.
pub(crate) type Pairs = Vec<(String, String)>;

/// All values of `key`.
pub(crate) fn values<'a>(pairs: &'a Pairs, key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The first value of `key`.
pub(crate) fn value<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Parses a raw query string into pairs (repeated keys kept).
pub(crate) fn parse_query(raw: Option<&str>) -> Pairs {
    raw.map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
        .unwrap_or_default()
}
