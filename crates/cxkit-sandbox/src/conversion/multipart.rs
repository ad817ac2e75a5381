//! Just enough `multipart/form-data` (RFC 7578) to read the one `file` part of
//! `POST …/send-file`: the parts' names, file names, content types and bytes. Anything it
//! cannot read is refused with the vendor's `400`.

use super::http::schema_invalid;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::Response;

/// One part of a form.
pub(crate) struct Part {
    /// The form field's name (`file`).
    pub name: String,
    /// The uploaded file's name, if given.
    pub file_name: Option<String>,
    /// The part's content type, if given.
    pub content_type: Option<String>,
    /// The content.
    pub data: Bytes,
}

/// The parts of a `multipart/form-data` body.
pub(crate) struct Form(pub Vec<Part>);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let boundary = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(boundary)
            .ok_or_else(|| {
                schema_invalid("the body must be multipart/form-data with a boundary")
            })?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| schema_invalid(format!("the body could not be read: {e}")))?;
        parse(&body, &boundary)
            .map(Form)
            .ok_or_else(|| schema_invalid("the multipart body is malformed"))
    }
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
}

/// Splits the body at `--boundary` lines; `None` when it is not a well-formed form.
fn parse(body: &Bytes, boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}");
    let mut rest = body.slice(find(body, delimiter.as_bytes())? + delimiter.len()..);
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.slice(rest.strip_prefix(b"\r\n").map(|_| 2)?..);
        let end = find(&rest, format!("\r\n{delimiter}").as_bytes())?;
        parts.push(part(&rest.slice(..end))?);
        rest = rest.slice(end + 2 + delimiter.len()..);
    }
}

/// One part: headers, a blank line, the content.
fn part(raw: &Bytes) -> Option<Part> {
    let split = find(raw, b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut part = Part {
        name: String::new(),
        file_name: None,
        content_type: None,
        data: raw.slice(split + 4..),
    };
    for line in head.split("\r\n") {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-disposition") {
            for param in value.split(';').skip(1) {
                match param.trim().split_once('=') {
                    Some(("name", v)) => part.name = v.trim_matches('"').to_owned(),
                    Some(("filename", v)) => part.file_name = Some(v.trim_matches('"').to_owned()),
                    _ => {}
                }
            }
        } else if name.trim().eq_ignore_ascii_case("content-type") {
            part.content_type = Some(value.trim().to_owned());
        }
    }
    Some(part)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_parts_and_refuses_garbage() {
        let body = Bytes::from_static(
            b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
              Content-Type: image/png\r\n\r\n\x89PNG\r\n--xyz--\r\n",
        );
        let parts = parse(&body, "xyz").unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].name, "file");
        assert_eq!(parts[0].file_name.as_deref(), Some("a.png"));
        assert_eq!(parts[0].content_type.as_deref(), Some("image/png"));
        assert_eq!(&parts[0].data[..], b"\x89PNG");
        assert!(parse(&Bytes::from_static(b"no form here"), "xyz").is_none());
        assert!(parse(&Bytes::from_static(b"--xyz\r\nbroken"), "xyz").is_none());
        assert_eq!(
            boundary("multipart/form-data; boundary=\"b1\"").as_deref(),
            Some("b1")
        );
        assert_eq!(boundary("application/json"), None);
    }
}
