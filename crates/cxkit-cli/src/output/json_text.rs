//! Reading a row's JSON text in place: its members, its items and its scalars as slices of
//! the text, so CSV cells and Arrow columns are written from the row as sent, with no
//! `serde_json::Value` built for it. Numbers and nested values keep the vendor's spelling.

#[cfg(feature = "parquet")]
use serde::de::{DeserializeSeed, SeqAccess};
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// What a JSON value is, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// The kind of the value whose (validated) text is `text`.
pub fn kind(text: &str) -> Kind {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b'"') => Kind::String,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'n') | None => Kind::Null,
        Some(_) => Kind::Number,
    }
}

/// The content of the JSON string whose text is `text`: borrowed when it has no escapes.
pub fn unquoted(text: &str) -> Result<Cow<'_, str>, serde_json::Error> {
    let text = text.trim();
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Ok(Cow::Borrowed(inner)),
        _ => serde_json::from_str::<String>(text).map(Cow::Owned),
    }
}

/// Calls `each` with every member of the JSON object `text`, in the order sent: its key
/// (unescaped) and its value's text. The first error `each` returns stops the walk and is
/// returned as is; a text that is not an object is a [`Walk::Json`] error.
pub fn for_each_member<'a, E>(
    text: &'a str,
    each: impl FnMut(Cow<'a, str>, &'a RawValue) -> Result<(), E>,
) -> Result<(), Walk<E>> {
    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let walked = de.deserialize_map(Members {
        each,
        stopped: &mut stopped,
    });
    finish(walked.and_then(|()| de.end()), stopped)
}

/// Calls `each` with the text of every item of the JSON array `text`, in order.
#[cfg(feature = "parquet")]
pub fn for_each_item<'a, E>(
    text: &'a str,
    each: impl FnMut(&'a RawValue) -> Result<(), E>,
) -> Result<(), Walk<E>> {
    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let walked = de.deserialize_seq(Items {
        each,
        stopped: &mut stopped,
    });
    finish(walked.and_then(|()| de.end()), stopped)
}

/// Why a walk stopped: the text was not what it should be, or the callback said so.
#[derive(Debug)]
pub enum Walk<E> {
    /// Not JSON of the expected kind.
    Json(serde_json::Error),
    /// The callback's error.
    Stopped(E),
}

impl Walk<serde_json::Error> {
    /// The error, whichever side it came from.
    pub fn into_json(self) -> serde_json::Error {
        match self {
            Walk::Json(e) | Walk::Stopped(e) => e,
        }
    }
}

fn finish<E>(walked: serde_json::Result<()>, stopped: Option<E>) -> Result<(), Walk<E>> {
    match (walked, stopped) {
        (_, Some(e)) => Err(Walk::Stopped(e)),
        (Err(e), None) => Err(Walk::Json(e)),
        (Ok(()), None) => Ok(()),
    }
}

/// The callback's error travels beside serde's (which can only carry a message).
const STOPPED: &str = "stopped by the caller";

struct Members<'s, F, E> {
    each: F,
    stopped: &'s mut Option<E>,
}

impl<'de, F, E> Visitor<'de> for Members<'_, F, E>
where
    F: FnMut(Cow<'de, str>, &'de RawValue) -> Result<(), E>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let value: &'de RawValue = map.next_value()?;
            if let Err(e) = (self.each)(key, value) {
                *self.stopped = Some(e);
                return Err(A::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

#[cfg(feature = "parquet")]
struct Items<'s, F, E> {
    each: F,
    stopped: &'s mut Option<E>,
}

#[cfg(feature = "parquet")]
impl<'de, F, E> Visitor<'de> for Items<'_, F, E>
where
    F: FnMut(&'de RawValue) -> Result<(), E>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element_seed(Borrowed)? {
            if let Err(e) = (self.each)(item) {
                *self.stopped = Some(e);
                return Err(A::Error::custom(STOPPED));
            }
        }
        Ok(())
    }
}

/// One borrowed `&RawValue` (a seed, so the item's lifetime is the text's).
#[cfg(feature = "parquet")]
struct Borrowed;

#[cfg(feature = "parquet")]
impl<'de> DeserializeSeed<'de> for Borrowed {
    type Value = &'de RawValue;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'de RawValue, D::Error> {
        serde::Deserialize::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_slices_of_the_text_in_order() {
        let text = r#"{"a":1.50,"b\u0021":{"c":[1,2]},"d":"x\"y","e":null}"#;
        let mut seen = Vec::new();
        for_each_member(text, |k, v| {
            seen.push((k.into_owned(), v.get().to_owned(), kind(v.get())));
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                ("a".into(), "1.50".into(), Kind::Number),
                ("b!".into(), r#"{"c":[1,2]}"#.into(), Kind::Object),
                ("d".into(), r#""x\"y""#.into(), Kind::String),
                ("e".into(), "null".into(), Kind::Null),
            ]
        );
        assert_eq!(unquoted(r#""x\"y""#).unwrap(), "x\"y");
        assert!(matches!(
            unquoted(r#""plain""#).unwrap(),
            Cow::Borrowed("plain")
        ));
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn items_are_slices_of_the_text_in_order() {
        let mut items = Vec::new();
        for_each_item("[true, [2], {}]", |v| {
            items.push(kind(v.get()));
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(items, [Kind::Bool, Kind::Array, Kind::Object]);
    }

    #[test]
    fn a_callback_error_and_bad_text_are_told_apart() {
        let stopped = for_each_member(r#"{"a":1,"b":2}"#, |k, _| match k.as_ref() {
            "b" => Err("no b"),
            _ => Ok(()),
        });
        assert!(matches!(stopped, Err(Walk::Stopped("no b"))));
        let not_object = for_each_member("[1]", |_, _| Ok::<(), ()>(()));
        match not_object {
            Err(Walk::Json(e)) => assert!(e.to_string().contains("a JSON object"), "{e}"),
            _ => panic!("an array is not an object"),
        }
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn an_array_cut_short_or_followed_by_more_is_bad_text() {
        let cut = for_each_item("[1,", |_| Ok::<(), ()>(()));
        assert!(matches!(cut, Err(Walk::Json(_))));
        let trailing = for_each_item("[1] 2", |_| Ok::<(), ()>(()));
        assert!(matches!(trailing, Err(Walk::Json(_))));
        match for_each_item(r#"{"a":1}"#, |_| Ok::<(), ()>(())) {
            Err(Walk::Json(e)) => assert!(e.to_string().contains("a JSON array"), "{e}"),
            _ => panic!("an object is not an array"),
        }
    }
}
