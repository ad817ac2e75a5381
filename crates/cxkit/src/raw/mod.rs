//! Rows as the vendor sent them: the JSON text of each row, checked but not decoded.
//!
//! The typed lists (`history`, `calls`, …) build every field of every row; an export that only
//! copies rows to JSON Lines does not need that. The `*_raw` lists yield [`RawRow`]s instead:
//! a slice of the page's body (no copy), validated as JSON in the same pass that reads the
//! row's primary key, so pagination still de-duplicates. Every field the vendor sent is there,
//! byte for byte, whatever the spec says.

use bytes::Bytes;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

mod walked;
pub(crate) use walked::{array_page, WalkedNames, WalkedRow};

/// Sends the generated builder's `request` through the runtime (credential, retries, masking,
/// normalisation) and reads the whole answer: its body on success, else the vendor's error
/// (its shape `E`) as the facade's. The raw lists then split the body into rows their way.
pub(crate) async fn fetch_body<E: crate::error::VendorError + DeserializeOwned>(
    (raw, ctx): (&reqwest::Client, &cxkit_runtime::ClientContext),
    (api, operation): (crate::Api, &'static str),
    request: Result<reqwest::Request, cxkit_runtime::progenitor_client::Error<E>>,
) -> Result<(reqwest::StatusCode, Bytes), crate::Error> {
    let request = request.map_err(|e| crate::error::from_generated(api, operation, ctx, e))?;
    let failed = |e| crate::Error::transport(api, operation, e);
    let response = cxkit_runtime::execute(raw, ctx, request, operation)
        .await
        .map_err(failed)?;
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.map_err(failed)?;
    if !status.is_success() {
        let source = (api, operation);
        return Err(crate::error::from_answer::<E>(
            source, ctx, status, &headers, &body,
        ));
    }
    Ok((status, body))
}

/// One row's JSON text, exactly as the vendor sent it (on one line).
///
/// ```
/// # fn demo(row: cxkit::RawRow) -> Result<(), serde_json::Error> {
/// let text: &[u8] = row.as_bytes(); // `{"id":"…",…}`: copy it to a JSON Lines file as is
/// let typed: cxkit::zchat::HistoryRow = row.parse()?; // or decode it when needed
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RawRow {
    json: Bytes,
    key: Option<u64>,
}

impl RawRow {
    /// Checks that `json` is one JSON object and reads the member `key_field` (the list's
    /// primary key) for de-duplication. `page` is the buffer `json` lies in, when there is one,
    /// so the row shares it instead of copying.
    pub(crate) fn new(
        json: &[u8],
        key_field: &'static str,
        page: Option<&Bytes>,
    ) -> serde_json::Result<Self> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let key = KeyOf(key_field).deserialize(&mut de)?;
        de.end()?;
        let json = match (compacted(json), page) {
            (Some(compact), _) => compact,
            (None, Some(page)) => page.slice_ref(json),
            (None, None) => Bytes::copy_from_slice(json),
        };
        Ok(Self { json, key })
    }

    /// The row at `range` of a page already read (and so validated) with its key; `flat`
    /// when the page has no line break at all (so no row needs compacting).
    fn from_page(
        page: &Bytes,
        range: std::ops::Range<usize>,
        key: Option<u64>,
        flat: bool,
    ) -> Self {
        let compact = if flat {
            None
        } else {
            compacted(&page[range.clone()])
        };
        let json = compact.unwrap_or_else(|| page.slice(range));
        Self { json, key }
    }

    /// Reads one row: checks that `json` is one JSON object and reads its member `key_member`
    /// (the list's primary key, used to drop repeated rows).
    ///
    /// ```
    /// let row = cxkit::RawRow::from_slice(br#"{"call_id":7,"talk_time":31}"#, "call_id")?;
    /// assert_eq!(row.as_bytes(), br#"{"call_id":7,"talk_time":31}"#);
    /// assert!(cxkit::RawRow::from_slice(b"[7]", "call_id").is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn from_slice(json: &[u8], key_member: &'static str) -> serde_json::Result<Self> {
        Self::new(json, key_member, None)
    }

    /// A typed row encoded once (a list cxkit decodes before it is written, such as the
    /// reports): without a key, as such lists are not de-duplicated.
    pub(crate) fn encoded<T: serde::Serialize>(row: &T) -> Result<Self, crate::Error> {
        let json = serde_json::to_vec(row)
            .map_err(|e| crate::Error::InvalidInput(format!("unserialisable row: {e}")))?;
        Ok(Self {
            json: Bytes::from(json),
            key: None,
        })
    }

    /// The row's JSON text: one object, on one line.
    pub fn as_bytes(&self) -> &[u8] {
        &self.json
    }

    /// The row's JSON text, as a shared buffer (no copy).
    pub fn into_bytes(self) -> Bytes {
        self.json
    }

    /// Decodes the row, into its typed row or any other shape.
    pub fn parse<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_slice(&self.json)
    }

    /// A hash of the primary key's JSON text, for de-duplication.
    pub(crate) fn key(&self) -> Option<u64> {
        self.key
    }
}

impl fmt::Debug for RawRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawRow({})", String::from_utf8_lossy(&self.json))
    }
}

/// Serialises as the JSON it holds (serde_json writes the text untouched).
impl serde::Serialize for RawRow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue =
            serde_json::from_slice(&self.json).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// `json` on one line, when it is not already. JSON text has line breaks only as whitespace
/// between tokens, so a row from a pretty-printing server loses its whitespace outside strings
/// and nothing else (no re-encoding: numbers and escapes keep the vendor's spelling). `json` has
/// been validated already.
fn compacted(json: &[u8]) -> Option<Bytes> {
    memchr::memchr2(b'\n', b'\r', json)?;
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &byte in json {
        if in_string {
            out.push(byte);
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            in_string = byte == b'"';
            out.push(byte);
        }
    }
    Some(Bytes::from(out))
}

/// The name of a list's primary-key member, as a type (so a row can be read with `Deserialize`
/// in one pass together with its place in the page).
pub(crate) trait KeyName {
    const NAME: &'static str;
}

/// The `id` member (zchat lists).
pub(crate) struct Id;

impl KeyName for Id {
    const NAME: &'static str = "id";
}

/// The `call_id` member (Converz conversations).
pub(crate) struct CallId;

impl KeyName for CallId {
    const NAME: &'static str = "call_id";
}

/// The `rep_id` member (Converz users).
pub(crate) struct RepId;

impl KeyName for RepId {
    const NAME: &'static str = "rep_id";
}

/// One row's key hash, read by [`KeyOf`].
struct Keyed<K>(Option<u64>, std::marker::PhantomData<K>);

impl<'de, K: KeyName> serde::Deserialize<'de> for Keyed<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = KeyOf(K::NAME).deserialize(deserializer)?;
        Ok(Keyed(key, std::marker::PhantomData))
    }
}

/// The rows of a zchat page body (`{"success": true, "data": [row, …]}`), each sharing the
/// body, keyed by `id`.
pub fn zchat_page(body: &Bytes) -> serde_json::Result<Vec<RawRow>> {
    page_rows::<Id>(body)
}

/// The rows of a page body `{"…": …, "data": [row, …]}`, each sharing the body.
///
/// One pass over the bytes: the envelope is walked member by member and each row is read once,
/// validating it and picking up its key, with its place in the body (what a `Vec<&RawValue>`
/// followed by a parse of each row would take two passes for).
pub(crate) fn page_rows<K: KeyName>(body: &Bytes) -> serde_json::Result<Vec<RawRow>> {
    let mut at = expect(body, 0, b'{')?;
    let mut rows = None;
    if body.get(skip_space(body, at)) == Some(&b'}') {
        at = skip_space(body, at) + 1;
    } else {
        loop {
            let (name, next) = one::<std::borrow::Cow<'_, str>>(body, skip_space(body, at))?;
            at = skip_space(body, expect(body, next, b':')?);
            at = if name == "data" {
                let (data, next) = array_rows::<K>(body, at)?;
                rows = Some(data);
                next
            } else {
                one::<IgnoredAny>(body, at)?.1
            };
            at = skip_space(body, at);
            match body.get(at) {
                Some(b',') => at += 1,
                Some(b'}') => {
                    at += 1;
                    break;
                }
                _ => return Err(syntax("`,` or `}` after a member of the page")),
            }
        }
    }
    if skip_space(body, at) != body.len() {
        return Err(syntax("nothing after the page's closing `}`"));
    }
    rows.ok_or_else(|| serde::de::Error::missing_field("data"))
}

/// The rows of the array starting at `at`, and the offset after its `]`.
fn array_rows<K: KeyName>(body: &Bytes, at: usize) -> serde_json::Result<(Vec<RawRow>, usize)> {
    let mut at = expect(body, at, b'[')?;
    let mut rows = Vec::new();
    // One search of the page instead of one per row (most servers send no line breaks).
    let flat = memchr::memchr2(b'\n', b'\r', body).is_none();
    if body.get(skip_space(body, at)) == Some(&b']') {
        return Ok((rows, skip_space(body, at) + 1));
    }
    loop {
        let start = skip_space(body, at);
        let (Keyed(key, _), end) = one::<Keyed<K>>(body, start)?;
        rows.push(RawRow::from_page(body, start..end, key, flat));
        at = skip_space(body, end);
        match body.get(at) {
            Some(b',') => at += 1,
            Some(b']') => return Ok((rows, at + 1)),
            _ => return Err(syntax("`,` or `]` after a row")),
        }
    }
}

/// One JSON value at `at` (whitespace before it allowed), and the offset after it.
fn one<'a, T: serde::Deserialize<'a>>(body: &'a [u8], at: usize) -> serde_json::Result<(T, usize)> {
    let mut values = serde_json::Deserializer::from_slice(&body[at..]).into_iter::<T>();
    match values.next() {
        Some(Ok(value)) => Ok((value, at + values.byte_offset())),
        Some(Err(e)) => Err(e),
        None => Err(syntax("a value, found the end of the body")),
    }
}

/// The offset after `byte`, expected next after whitespace.
fn expect(body: &[u8], at: usize, byte: u8) -> serde_json::Result<usize> {
    let at = skip_space(body, at);
    match body.get(at) {
        Some(b) if *b == byte => Ok(at + 1),
        _ => Err(syntax(&format!("`{}` at byte {at}", byte as char))),
    }
}

fn skip_space(body: &[u8], at: usize) -> usize {
    let rest = body.get(at..).unwrap_or_default();
    at + rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

fn syntax(expected: &str) -> serde_json::Error {
    serde::de::Error::custom(format!("not a page of rows: expected {expected}"))
}

/// Reads one object, skipping (and so validating) every member but `.0`, whose JSON text it
/// hashes.
struct KeyOf(&'static str);

impl<'de> DeserializeSeed<'de> for KeyOf {
    type Value = Option<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for KeyOf {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (one row)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut key = None;
        while let Some(is_key) = map.next_key_seed(NameIs(self.0))? {
            if is_key {
                let value: &RawValue = map.next_value()?;
                key = Some(crate::pagination::key_hash(value.get()));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(key)
    }
}

/// Whether a member's name is `.0`. Read as bytes: serde_json then skips the UTF-8 check it
/// makes for a `str` (a profile showed it on every member name), as it does for every string
/// it ignores; escapes are still decoded, so `"\u0069d"` is `id`.
struct NameIs(&'static str);

impl<'de> DeserializeSeed<'de> for NameIs {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_bytes(self)
    }
}

impl<'de> Visitor<'de> for NameIs {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    // serde_json's reader, the only one `KeyOf` runs under (it reads the key as a
    // `&RawValue`), hands member names to `deserialize_bytes` as bytes, never as a `str`.
    fn visit_bytes<E>(self, name: &[u8]) -> Result<bool, E> {
        Ok(name == self.0.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_keeps_its_text_and_its_key_and_shares_the_page() {
        let body = Bytes::from_static(
            br#"{"success":true,"data":[{"id":"a","x":[1,{"y":null}]},{"x":2,"id":"b"}]}"#,
        );
        let rows = page_rows::<Id>(&body).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].as_bytes(), br#"{"id":"a","x":[1,{"y":null}]}"#);
        assert_eq!(rows[1].as_bytes(), br#"{"x":2,"id":"b"}"#);
        assert_eq!(rows[0].key(), Some(crate::pagination::key_hash("\"a\"")));
        assert_ne!(rows[0].key(), rows[1].key());
        let start = body.as_ptr() as usize;
        let inside = rows[1].as_bytes().as_ptr() as usize;
        assert!((start..start + body.len()).contains(&inside), "not copied");
        let value: serde_json::Value = rows[0].parse().unwrap();
        assert_eq!(value["x"][1]["y"], serde_json::Value::Null);
        assert_eq!(
            serde_json::to_string(&rows[1]).unwrap(),
            r#"{"x":2,"id":"b"}"#
        );
    }

    #[test]
    fn a_pretty_printed_row_is_written_on_one_line_with_every_field() {
        let row = RawRow::new(
            b"{\n  \"id\": 7,\r\n  \"note\": \"a \\\" b\",\n \"big\": 123456789012345678901234.50\n}",
            "id",
            None,
        )
        .unwrap();
        assert_eq!(
            row.as_bytes(),
            br#"{"id":7,"note":"a \" b","big":123456789012345678901234.50}"#,
            "whitespace inside strings, escapes and numbers as sent"
        );
        assert_eq!(row.key(), Some(crate::pagination::key_hash("7")));
        // In a page: a row with a line break is compacted, a row on one line kept as sent.
        let page = Bytes::from_static(
            b"{\"data\": [\n  {\"id\": 1,\n \"s\": \"a b\"},\n  {\"id\": 2, \"t\": 3}\n]}",
        );
        let rows = page_rows::<Id>(&page).unwrap();
        assert_eq!(rows[0].as_bytes(), br#"{"id":1,"s":"a b"}"#);
        assert_eq!(rows[1].as_bytes(), br#"{"id": 2, "t": 3}"#);
    }

    #[test]
    fn invalid_or_non_object_rows_are_errors_and_a_missing_key_is_none() {
        for bad in [
            &br#"{"id":"a","x":tru}"#[..],
            b"[1]",
            b"\"text\"",
            br#"{"id":1} x"#,
        ] {
            assert!(
                RawRow::new(bad, "id", None).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(RawRow::new(br#"{"x":1}"#, "id", None).unwrap().key(), None);
        // A member name is compared once unescaped, and only whole.
        let escaped = RawRow::new(br#"{"\u0069d":5,"idx":6}"#, "id", None).unwrap();
        assert_eq!(escaped.key(), Some(crate::pagination::key_hash("5")));
        let prefix = RawRow::new(br#"{"i":5,"idx":6}"#, "id", None).unwrap();
        assert_eq!(prefix.key(), None);
        let body = Bytes::from_static(br#"{"data":[{"id":1},]}"#);
        assert!(page_rows::<Id>(&body).is_err());
        for bad in [
            &br#"{"data":[{"id":1}]"#[..],
            br#"{"data":[{"id":1}]} x"#,
            br#"{"data":[{"id":1}],}"#,
            br#"{"total":3}"#,
            br#"{"data":[{"id":1} {"id":2}]}"#,
            br#"{"success":tru,"data":[]}"#,
            b"",
        ] {
            let body = Bytes::copy_from_slice(bad);
            assert!(
                page_rows::<Id>(&body).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let body = Bytes::from_static(b" { \"data\" : [ ] , \"total\" : { } } ");
        assert!(page_rows::<Id>(&body).unwrap().is_empty());
    }

    #[test]
    fn a_wrong_byte_where_the_page_needs_one_is_an_error_that_says_which() {
        // Each of `{`, `:` and `[` replaced by another byte.
        for (bad, expected) in [
            (&br#"["data":[{"id":1}]}"#[..], "`{` at byte 0"),
            (br#"{"data" [{"id":1}]}"#, "`:` at byte 8"),
            (br#"{"data":{"id":1}]}"#, "`[` at byte 8"),
        ] {
            let error = page_rows::<Id>(&Bytes::copy_from_slice(bad)).unwrap_err();
            assert!(
                error.to_string().contains(expected),
                "{}: {error}",
                String::from_utf8_lossy(bad)
            );
        }
        // An empty envelope is missing its rows (not "something after the page").
        let error = page_rows::<Id>(&Bytes::from_static(b"{ }")).unwrap_err();
        assert!(
            error.to_string().contains("missing field `data`"),
            "{error}"
        );
        // A row that is not an object says what a row must be.
        let error = page_rows::<Id>(&Bytes::from_static(br#"{"data":[1]}"#)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("expected a JSON object (one row)"),
            "{error}"
        );
    }

    #[test]
    fn a_row_hands_over_its_text_and_shows_it_when_debugged() {
        let row = RawRow::from_slice(br#"{"id":3,"x":"y"}"#, "id").unwrap();
        assert_eq!(format!("{row:?}"), r#"RawRow({"id":3,"x":"y"})"#);
        assert_eq!(&row.clone().into_bytes()[..], row.as_bytes());
    }
}
