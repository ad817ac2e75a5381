//! One open value: a view of its JSON text, read on demand.

use super::token::RawText;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// One open value, as the JSON text the vendor sent (`"sales"`, `40`, `{"result": 5}`), read
/// only when asked: [`parse`](Self::parse) into any type, or compare, or copy the text.
///
/// ```
/// let extra: cxkit_runtime::OpenMap = serde_json::from_str(
///     r#"{"duration": 40, "campaign": "sales", "score": 4.50}"#,
/// )?;
/// let duration = extra.get("duration").unwrap();
/// assert_eq!(duration.parse::<u32>()?, 40);
/// assert_eq!(duration, 40);
/// assert_eq!(extra.get("campaign").unwrap(), "sales");
/// // The text as sent: `4.50` is not respelled `4.5`.
/// assert_eq!(extra.get("score").unwrap().json(), "4.50");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct OpenValue<'a> {
    json: &'a str,
}

impl<'a> OpenValue<'a> {
    pub(crate) fn new(json: &'a str) -> Self {
        Self { json }
    }

    /// The value's JSON text, exactly as sent.
    pub fn json(&self) -> &'a str {
        self.json
    }

    /// Decodes the value as `T`, borrowing from the text where `T` can (`&str` without
    /// escapes).
    pub fn parse<T: Deserialize<'a>>(&self) -> serde_json::Result<T> {
        serde_json::from_str(self.json)
    }

    /// The value as a `serde_json::Value` tree.
    pub fn to_value(&self) -> Value {
        // The text was validated when it was read or written, so it always parses.
        self.parse().unwrap_or(Value::Null)
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        self.json == "null"
    }

    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<std::borrow::Cow<'a, str>> {
        self.json
            .starts_with('"')
            .then(|| self.parse().ok())
            .flatten()
    }

    /// The number as `i64`, if the value is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.parse().ok()
    }

    /// The number as `u64`, if the value is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.parse().ok()
    }

    /// The number as `f64`, if the value is a number.
    pub fn as_f64(&self) -> Option<f64> {
        self.parse().ok()
    }

    /// The boolean, if the value is one.
    pub fn as_bool(&self) -> Option<bool> {
        self.parse().ok()
    }
}

impl fmt::Display for OpenValue<'_> {
    /// The JSON text as sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json)
    }
}

impl fmt::Debug for OpenValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json)
    }
}

impl Serialize for OpenValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawText(self.json).serialize(serializer)
    }
}

impl PartialEq for OpenValue<'_> {
    /// Equal values, whatever their spelling (`1.0` and `1.00`, `"\u00e9"` and `"é"`).
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json || self.to_value() == other.to_value()
    }
}

/// `open == value` for what `serde_json::Value` compares with.
macro_rules! compares_like_value {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for OpenValue<'_> {
            fn eq(&self, other: &$other) -> bool {
                self.to_value() == *other
            }
        }

        impl PartialEq<$other> for super::OpenJson {
            fn eq(&self, other: &$other) -> bool {
                self.to_value() == *other
            }
        }
    )*};
}

compares_like_value!(Value, str, &str, String, i32, i64, u32, u64, f64, bool);
