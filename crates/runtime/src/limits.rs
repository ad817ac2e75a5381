//! Bounded memory against hostile or broken servers: a body read into memory stops at a
//! byte limit, and a streamed list's row at another, with a typed error naming the limit
//! ([`TooLarge`]) instead of memory that grows until the per-attempt timeout.
//!
//! The defaults sit far above the largest legitimate answer: a buffered page is at most a
//! zchat page of 10,000 expanded rows or a Conversion window of prospects (a real 2,240-prospect
//! array is 2.5 MB pretty-printed), tens of MB at worst; a Converz row is about 1 KB.

use bytes::{Bytes, BytesMut};
use std::fmt;

/// The default limit of a response body read into memory: 256 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 256 << 20;

/// The default limit of one row of a streamed list (Converz): 16 MiB.
pub const DEFAULT_MAX_ROW_BYTES: u64 = 16 << 20;

/// A response body, or one row of a streamed one, went past its limit. Found in the
/// `source()` chain of the transport error that ends such a request (see [`too_large`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooLarge {
    /// The limit, in bytes.
    pub limit: u64,
    /// What went past it: `"body"` or `"row"`.
    pub what: &'static str,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the response {} is larger than the limit of {} bytes",
            self.what, self.limit
        )
    }
}

impl std::error::Error for TooLarge {}

/// The [`TooLarge`] behind `error`, if that is what it is.
pub fn too_large(error: &(dyn std::error::Error + 'static)) -> Option<TooLarge> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<TooLarge>() {
            return Some(*found);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(found) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<TooLarge>())
            {
                return Some(*found);
            }
        }
        current = e.source();
    }
    None
}

/// Reads `response`'s body in full, or fails with a transport error whose source is a
/// [`TooLarge`] once it passes `limit` bytes (at once when a `Content-Length` says it will).
pub async fn read_body(mut response: reqwest::Response, limit: u64) -> reqwest::Result<Bytes> {
    // The length the server declares (reqwest drops it when it decodes a compressed body, so
    // what is left counts the bytes the body will have).
    let declared = response.content_length().or_else(|| {
        response
            .headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    });
    match declared {
        Some(length) if length > limit => return Err(too_large_error(limit).await),
        // The HTTP layer holds a framed body to its declared length.
        Some(_) if response.content_length().is_some() => return response.bytes().await,
        _ => {}
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large_error(limit).await);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A `reqwest::Error` (kind "body", whose source is [`TooLarge`]): reqwest offers no
/// constructor, but a body stream that fails yields one.
async fn too_large_error(limit: u64) -> reqwest::Error {
    body_error(std::io::Error::other(TooLarge {
        limit,
        what: "body",
    }))
    .await
}

/// A `reqwest::Error` of kind "body" whose source is `cause` (reqwest offers no constructor;
/// a body stream that fails yields one).
pub(crate) async fn body_error(cause: std::io::Error) -> reqwest::Error {
    let mut cause = Some(cause);
    let failing = futures::stream::poll_fn(move |_| {
        std::task::Poll::Ready(cause.take().map(Err::<Bytes, _>))
    });
    let response: reqwest::Response =
        http::Response::new(reqwest::Body::wrap_stream(failing)).into();
    match response.bytes().await {
        Err(error) => error,
        Ok(_) => unreachable!("a failing body stream fails"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(chunks: Vec<&'static [u8]>, length: Option<u64>) -> reqwest::Response {
        let stream = futures::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c))),
        );
        let mut http = http::Response::new(reqwest::Body::wrap_stream(stream));
        if let Some(length) = length {
            http.headers_mut()
                .insert(http::header::CONTENT_LENGTH, length.into());
        }
        http.into()
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_a_typed_failure_and_one_within_it_is_whole() {
        let body = read_body(response(vec![b"12", b"345"], None), 5)
            .await
            .unwrap();
        assert_eq!(&body[..], b"12345");
        let error = read_body(response(vec![b"12", b"3456"], None), 5)
            .await
            .unwrap_err();
        assert_eq!(
            too_large(&error),
            Some(TooLarge {
                limit: 5,
                what: "body"
            })
        );
        assert!(error.is_decode() || error.is_body(), "{error:?}");
        let declared = read_body(response(vec![b"1"], Some(6)), 5)
            .await
            .unwrap_err();
        assert!(
            too_large(&declared).is_some(),
            "refused by its declared length"
        );
        // The limit itself is allowed, declared or counted.
        let exact = read_body(response(vec![b"12345"], Some(5)), 5).await;
        assert_eq!(&exact.unwrap()[..], b"12345");
        let exact = read_body(response(vec![b"123", b"45"], None), 5).await;
        assert_eq!(&exact.unwrap()[..], b"12345");
        // A length only in the header (no body of that size behind it: a response built by
        // hand, or one whose decoding changed its size) is no promise: the bytes are counted.
        let longer = read_body(response(vec![b"123", b"4567890"], Some(3)), 5)
            .await
            .unwrap_err();
        assert!(too_large(&longer).is_some(), "{longer:?}");
    }

    #[test]
    fn the_failure_says_what_passed_which_limit_and_the_defaults_are_as_documented() {
        let shown = TooLarge {
            limit: 7,
            what: "row",
        }
        .to_string();
        assert_eq!(
            shown,
            "the response row is larger than the limit of 7 bytes"
        );
        assert_eq!(DEFAULT_MAX_BODY_BYTES, 256 * 1024 * 1024);
        assert_eq!(DEFAULT_MAX_ROW_BYTES, 16 * 1024 * 1024);
    }
}
