//! Small helpers for the wire: typed values as the vendors' text. (Every request is built by
//! the generated builders; lists that read answers their own way send the builder's
//! `build_request()`.)

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
