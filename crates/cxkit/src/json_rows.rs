//! Decodes a JSON array body row by row while it downloads, so memory holds one row, not
//! the page (a Converz page can be a million rows and hundreds of MB).
//!
//! No well-kept crate splits an *async* byte stream into array elements (serde_json's
//! `StreamDeserializer` reads whitespace-separated values; `struson` is synchronous), so this
//! is a small scanner: it tracks nesting depth and string/escape state, cuts each top-level
//! element out of the byte chunks, and hands it to `serde_json`. Anything that is not a
//! well-formed array (truncated body, a malformed row, trailing data) ends the stream with
//! [`Error::Decode`](crate::Error::Decode) naming the row.

use bytes::Bytes;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use serde::de::DeserializeOwned;

/// Why a body is not a JSON array of `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Whether the body broke (worth asking again) or is malformed (it will not change).
    pub kind: RowErrorKind,
    /// 0-based index of the row the problem is in (or after).
    pub row: usize,
    /// What is wrong.
    pub reason: String,
    /// The start of the offending row's bytes (at most 512).
    pub excerpt: Vec<u8>,
}

/// What kind of failure a [`RowError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowErrorKind {
    /// The body could not be read to its end, or ended inside the array: a network failure.
    Interrupted,
    /// The bytes are not a JSON array of rows.
    Malformed,
    /// A row is longer than the limit given to [`decode_rows_limited`].
    TooLarge,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    BeforeArray,
    BeforeElement,
    InElement,
    AfterElement,
    Done,
}

/// The scanner: feed it chunks, take out complete elements.
#[derive(Debug)]
pub(crate) struct Splitter {
    phase: Phase,
    depth: u32,
    in_string: bool,
    escaped: bool,
    element: Vec<u8>,
    rows: usize,
    /// The most bytes one element may have.
    max_element: usize,
}

impl Default for Splitter {
    fn default() -> Self {
        Self::with_limit(usize::MAX)
    }
}

impl Splitter {
    /// A scanner refusing elements longer than `max_element` bytes.
    pub fn with_limit(max_element: usize) -> Self {
        Self {
            phase: Phase::BeforeArray,
            depth: 0,
            in_string: false,
            escaped: false,
            element: Vec::new(),
            rows: 0,
            max_element,
        }
    }

    /// Scans `chunk`, pushing every element it completes onto `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Vec<u8>>) -> Result<(), RowError> {
        let mut start = 0; // where the current element's bytes begin in `chunk`
        let mut i = 0;
        while i < chunk.len() {
            if self.phase == Phase::InElement && self.in_string {
                i = self.skip_string(chunk, i);
                continue;
            }
            let byte = chunk[i];
            match self.phase {
                Phase::BeforeArray => match byte {
                    b'[' => self.phase = Phase::BeforeElement,
                    b if b.is_ascii_whitespace() => {}
                    _ => return Err(self.fail("the body is not a JSON array", chunk, i)),
                },
                Phase::BeforeElement => match byte {
                    b if b.is_ascii_whitespace() => {}
                    b']' if self.rows == 0 => self.phase = Phase::Done,
                    b']' | b',' => return Err(self.fail("a row is missing", chunk, i)),
                    _ => {
                        self.phase = Phase::InElement;
                        start = i;
                        self.scan(byte);
                    }
                },
                Phase::InElement => {
                    let at_top = self.depth == 0 && !self.in_string;
                    if at_top && (byte == b',' || byte == b']') {
                        self.check_size(i - start)?;
                        self.element.extend_from_slice(&chunk[start..i]);
                        out.push(std::mem::take(&mut self.element));
                        self.rows += 1;
                        self.phase = if byte == b',' {
                            Phase::BeforeElement
                        } else {
                            Phase::Done
                        };
                    } else if at_top && byte.is_ascii_whitespace() {
                        self.check_size(i - start)?;
                        self.element.extend_from_slice(&chunk[start..i]);
                        out.push(std::mem::take(&mut self.element));
                        self.rows += 1;
                        self.phase = Phase::AfterElement;
                    } else {
                        self.scan(byte);
                    }
                }
                Phase::AfterElement => match byte {
                    b',' => self.phase = Phase::BeforeElement,
                    b']' => self.phase = Phase::Done,
                    b if b.is_ascii_whitespace() => {}
                    _ => return Err(self.fail("expected `,` or `]` after a row", chunk, i)),
                },
                Phase::Done => {
                    if !byte.is_ascii_whitespace() {
                        return Err(self.fail("data after the end of the array", chunk, i));
                    }
                }
            }
            i += 1;
        }
        if self.phase == Phase::InElement {
            self.check_size(chunk.len() - start)?;
            self.element.extend_from_slice(&chunk[start..]);
        }
        Ok(())
    }

    /// Fails when the element being read would pass the limit with `more` bytes.
    fn check_size(&self, more: usize) -> Result<(), RowError> {
        if self.element.len().saturating_add(more) <= self.max_element {
            return Ok(());
        }
        let mut excerpt = self.element.clone();
        excerpt.truncate(512);
        Err(RowError {
            kind: RowErrorKind::TooLarge,
            row: self.rows,
            reason: format!(
                "row {} is longer than the limit of {} bytes",
                self.rows, self.max_element
            ),
            excerpt,
        })
    }

    /// Checks the body ended where an array may end.
    pub fn finish(&self) -> Result<(), RowError> {
        match self.phase {
            Phase::Done => Ok(()),
            Phase::BeforeArray => Err(self.fail("the body is empty", &[], 0)),
            _ => Err(RowError {
                kind: RowErrorKind::Interrupted,
                ..self.fail("the body ends inside the array (truncated)", &[], 0)
            }),
        }
    }

    /// Rows completed so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Inside a string, jumps to the byte after its next quote or backslash (found with
    /// `memchr`, many bytes at a time: most of a row's bytes are in its strings); returns where
    /// to go on from.
    fn skip_string(&mut self, chunk: &[u8], from: usize) -> usize {
        if self.escaped {
            self.escaped = false;
            return from + 1;
        }
        match memchr::memchr2(b'"', b'\\', &chunk[from..]) {
            None => chunk.len(),
            Some(offset) => {
                let at = from + offset;
                self.scan(chunk[at]);
                at + 1
            }
        }
    }

    fn scan(&mut self, byte: u8) {
        if self.in_string {
            // Only `skip_string` scans inside a string, and it steps over an escaped byte
            // itself: here `byte` is never escaped.
            match byte {
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return;
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }

    fn fail(&self, reason: &str, chunk: &[u8], at: usize) -> RowError {
        let mut excerpt = self.element.clone();
        excerpt.extend_from_slice(&chunk[at.min(chunk.len())..]);
        excerpt.truncate(512);
        RowError {
            kind: RowErrorKind::Malformed,
            row: self.rows,
            reason: reason.to_owned(),
            excerpt,
        }
    }
}

/// Decodes `body` (a JSON array) into a stream of `T`, one row at a time.
pub fn decode_rows<T, S, E>(body: S) -> BoxStream<'static, Result<T, RowError>>
where
    T: DeserializeOwned + Send + 'static,
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: std::fmt::Display,
{
    decode_rows_with(body, |bytes| serde_json::from_slice(bytes))
}

/// Like [`decode_rows`], with `parse` turning one element's bytes into a row (for types with
/// a faster decoder than their `Deserialize`, see [`OpenRow`]).
pub fn decode_rows_with<T, S, E>(
    body: S,
    parse: fn(&[u8]) -> serde_json::Result<T>,
) -> BoxStream<'static, Result<T, RowError>>
where
    T: Send + 'static,
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: std::fmt::Display,
{
    decode_rows_limited(body, parse, usize::MAX)
}

/// [`decode_rows_with`], refusing a row longer than `max_row` bytes
/// ([`RowErrorKind::TooLarge`]): memory stays bounded whatever the body holds.
pub fn decode_rows_limited<T, S, E>(
    body: S,
    parse: fn(&[u8]) -> serde_json::Result<T>,
    max_row: usize,
) -> BoxStream<'static, Result<T, RowError>>
where
    T: Send + 'static,
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: std::fmt::Display,
{
    let state = (Box::pin(body), Splitter::with_limit(max_row), false);
    stream::unfold(state, move |(mut body, mut splitter, ended)| async move {
        if ended {
            return None;
        }
        let mut elements = Vec::new();
        let mut ended = false;
        let outcome = match body.next().await {
            Some(Ok(chunk)) => splitter.feed(&chunk, &mut elements),
            Some(Err(e)) => Err(RowError {
                kind: RowErrorKind::Interrupted,
                row: splitter.rows(),
                reason: format!("the body could not be read: {e}"),
                excerpt: Vec::new(),
            }),
            None => {
                ended = true;
                splitter.finish()
            }
        };
        let first_row = splitter.rows() - elements.len();
        let mut items: Vec<Result<T, RowError>> = elements
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| {
                parse(&bytes).map_err(|e| RowError {
                    kind: RowErrorKind::Malformed,
                    row: first_row + i,
                    reason: format!("row {} does not parse: {e}", first_row + i),
                    excerpt: bytes[..bytes.len().min(512)].to_vec(),
                })
            })
            .collect();
        if let Some(bad) = items.iter().position(Result::is_err) {
            // The first error ends the stream: the splitter's own complaint about the same
            // bytes (data after the array, say) is not a second one.
            items.truncate(bad + 1);
            ended = true;
        } else if let Err(error) = outcome {
            items.push(Err(error));
            ended = true;
        }
        Some((stream::iter(items), (body, splitter, ended)))
    })
    .flatten()
    .boxed()
}

/// A row read from one JSON object by a decoder of its own (raw rows, which keep the text),
/// or by its `Deserialize` (Converz rows: their generated `Deserialize` keeps every column
/// but the typed ones as text, see `cxkit_runtime::open`).
pub trait OpenRow: Sized {
    /// Parses one JSON object.
    fn parse(bytes: &[u8]) -> serde_json::Result<Self>;
}

impl OpenRow for converz_api::types::Call {
    fn parse(bytes: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }
}

impl OpenRow for converz_api::types::Rep {
    fn parse(bytes: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&str]) -> Result<Vec<String>, RowError> {
        let mut s = Splitter::default();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c.as_bytes(), &mut out)?;
        }
        s.finish()?;
        Ok(out
            .into_iter()
            .map(|b| String::from_utf8(b).unwrap())
            .collect())
    }

    #[test]
    fn whitespace_between_rows_is_free_but_a_missing_row_or_separator_is_malformed() {
        assert_eq!(split(&["[1  ,\n 2 \t]"]).unwrap(), ["1", "2"]);
        assert_eq!(split(&[" [ ] "]).unwrap(), Vec::<String>::new());
        for bad in ["[1,]", "[1 ,]", "[1 , ]", "[1 2]", "[1 x]", "[,1]"] {
            let error = split(&[bad]).unwrap_err();
            assert_eq!(error.kind, RowErrorKind::Malformed, "{bad}: {error:?}");
        }
        // The row a problem is in is counted the same whichever way rows end.
        assert_eq!(split(&["[1 ,2 ,]"]).unwrap_err().row, 2);
        assert_eq!(split(&["[1,2,]"]).unwrap_err().row, 2);
        // A body that stops inside the array broke on the way: worth asking again.
        for cut in ["[1,2", "[1, {\"a\": [", "[1 "] {
            assert_eq!(
                split(&[cut]).unwrap_err().kind,
                RowErrorKind::Interrupted,
                "{cut}"
            );
        }
        assert_eq!(split(&[""]).unwrap_err().kind, RowErrorKind::Malformed);
    }

    /// The limit counts a row's own bytes wherever it starts in a chunk and however the body
    /// is cut: a row of exactly the limit passes, one byte more is refused.
    #[test]
    fn a_row_of_the_limit_passes_and_one_byte_more_is_refused_at_any_cut() {
        let limited = |chunks: &[&str], limit: usize| {
            let mut s = Splitter::with_limit(limit);
            let mut out = Vec::new();
            for c in chunks {
                s.feed(c.as_bytes(), &mut out)?;
            }
            s.finish().map(|()| out.len())
        };
        // The longest row is 8 bytes, after a shorter one; ended by `,`, by whitespace, by `]`.
        for body in [
            r#"[{"a":1},{"b":22},{"c":3}]"#,
            r#"[ {"a":1} , {"b":22} ]"#,
            r#"[{"a":1},{"b":22}]"#,
        ] {
            for cut in 0..=body.len() {
                let (a, b) = body.split_at(cut);
                assert!(limited(&[a, b], 8).is_ok(), "{body} cut at {cut}");
                let refused = limited(&[a, b], 7).unwrap_err();
                assert_eq!(refused.kind, RowErrorKind::TooLarge, "{body} cut at {cut}");
                assert_eq!(refused.row, 1, "{body} cut at {cut}");
            }
        }
    }

    #[test]
    fn splits_elements_across_any_chunk_boundary() {
        let body = r#" [ {"a":"x,]}\"y","b":[1,{"c":2}]} , 3, "s\\", null,[[]] ] "#;
        let want = vec![
            r#"{"a":"x,]}\"y","b":[1,{"c":2}]}"#,
            "3",
            r#""s\\""#,
            "null",
            "[[]]",
        ];
        for cut in 0..body.len() {
            let (a, b) = body.split_at(cut);
            assert_eq!(split(&[a, b]).unwrap(), want, "cut at {cut}");
        }
        let bytes: Vec<String> = body.chars().map(String::from).collect();
        let refs: Vec<&str> = bytes.iter().map(String::as_str).collect();
        assert_eq!(split(&refs).unwrap(), want, "one byte at a time");
    }

    #[test]
    fn empty_array_and_errors() {
        assert_eq!(split(&["[]"]).unwrap(), Vec::<String>::new());
        assert_eq!(split(&[""]).unwrap_err().reason, "the body is empty");
        assert!(split(&["{\"a\":1}"])
            .unwrap_err()
            .reason
            .contains("not a JSON array"));
        assert!(split(&["[1,2"]).unwrap_err().reason.contains("truncated"));
        assert!(split(&["[1,,2]"]).unwrap_err().reason.contains("missing"));
        assert!(split(&["[1] x"])
            .unwrap_err()
            .reason
            .contains("after the end"));
        assert_eq!(split(&["[1,2,", "3]"]).unwrap(), vec!["1", "2", "3"]);
    }

    #[test]
    fn open_rows_parse_like_their_deserialize() {
        use converz_api::types::Call;
        let text = br#"{"call_id":7,"rep_id":"r","x":[1,{"y":null}],"z":"t"}"#;
        let fast = Call::parse(text).unwrap();
        let serde: Call = serde_json::from_slice(text).unwrap();
        assert_eq!(fast, serde);
        let no_rep = Call::parse(br#"{"call_id":1}"#).unwrap();
        assert_eq!(no_rep.rep_id, None);
        assert!(Call::parse(br#"{"call_id":"x"}"#)
            .unwrap_err()
            .to_string()
            .contains("call_id"));
        assert!(
            Call::parse(br#"{"rep_id":"r"}"#).is_err(),
            "call_id is required"
        );
        assert!(converz_api::types::Rep::parse(br#"{"rep_id":5}"#).is_err());
    }

    #[tokio::test]
    async fn decodes_rows_and_stops_at_a_malformed_one() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"[{\"n\":1},{\"n\":")),
            Ok(Bytes::from_static(b"2},{\"n\":\"three\"},{\"n\":4}]")),
        ];
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Row {
            n: u32,
        }
        let got: Vec<_> = decode_rows::<Row, _, _>(stream::iter(chunks))
            .collect()
            .await;
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().unwrap(), &Row { n: 1 });
        assert_eq!(got[1].as_ref().unwrap(), &Row { n: 2 });
        let err = got[2].as_ref().unwrap_err();
        assert_eq!(err.row, 2);
        assert!(
            err.reason.contains("row 2 does not parse"),
            "{}",
            err.reason
        );
        assert_eq!(err.excerpt, b"{\"n\":\"three\"}");
    }
}
