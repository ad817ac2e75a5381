//! One Converz page, decoded row by row as it downloads, that survives a body cut mid-way:
//! the page is requested again and read on after the rows already yielded, none repeated,
//! none skipped.

use super::Client;
use crate::error::{Api, Error};
use crate::json_rows::OpenRow;
use crate::pagination::KeyOf;
use futures::stream::{self, BoxStream, StreamExt};
use std::time::Duration;

/// A page request: operation, path and query pairs.
#[derive(Clone)]
pub(crate) struct PageRequest {
    pub operation: &'static str,
    pub path: &'static str,
    pub pairs: Vec<(&'static str, String)>,
}

struct Reading<T> {
    client: Client,
    request: PageRequest,
    key: KeyOf<T>,
    rows: BoxStream<'static, Result<T, Error>>,
    /// Rows yielded so far, and the key of the last one.
    yielded: u64,
    last_key: Option<u64>,
    resumes: u32,
    done: bool,
}

/// The rows of one page. The first request happens now (its failures are the caller's); a
/// body that breaks later is requested again, up to the retry policy's attempts, with its
/// backoff.
pub(crate) async fn resumable_page<T: OpenRow + Send + 'static>(
    client: Client,
    request: PageRequest,
    key: KeyOf<T>,
) -> Result<BoxStream<'static, Result<T, Error>>, Error> {
    let rows = client.stream_rows(&request).await?;
    let reading = Reading {
        client,
        request,
        key,
        rows,
        yielded: 0,
        last_key: None,
        resumes: 0,
        done: false,
    };
    // Boxed state, and the rare reopening boxed too: a step per row moves its future into
    // place, so it is kept small (a profile showed those copies).
    Ok(stream::unfold(Box::new(reading), Reading::next).boxed())
}

impl<T: OpenRow + Send + 'static> Reading<T> {
    async fn next(mut self: Box<Self>) -> Option<(Result<T, Error>, Box<Self>)> {
        if self.done {
            return None;
        }
        loop {
            match self.rows.next().await {
                Some(Ok(row)) => {
                    self.yielded += 1;
                    self.last_key = (self.key)(&row);
                    return Some((Ok(row), self));
                }
                None => return None,
                Some(Err(Error::Interrupted { rows, reason, .. })) if self.may_resume() => {
                    tracing::info!(
                        operation = self.request.operation,
                        at_row = self.yielded,
                        body_rows = rows,
                        reason,
                        "the page body broke; requesting it again"
                    );
                    if let Err(error) = Box::pin(self.reopen()).await {
                        self.done = true;
                        return Some((Err(error), self));
                    }
                }
                Some(Err(error)) => {
                    self.done = true;
                    return Some((Err(error), self));
                }
            }
        }
    }

    fn may_resume(&self) -> bool {
        self.resumes + 1 < self.client.raw.context().retry().max_attempts()
    }

    /// Requests the page again and reads past the rows already yielded, checking the last of
    /// them is where it was.
    async fn reopen(&mut self) -> Result<(), Error> {
        loop {
            self.resumes += 1;
            let wait = self
                .client
                .raw
                .context()
                .retry()
                .delay(self.resumes + 1, None)
                .unwrap_or(Duration::ZERO);
            tokio::time::sleep(wait).await;
            let mut rows = self.client.stream_rows(&self.request).await?;
            match skip(&mut rows, self.yielded, self.key, self.last_key).await {
                Ok(()) => {
                    self.rows = rows;
                    return Ok(());
                }
                Err(Error::Interrupted { .. }) if self.may_resume() => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

/// Reads `count` rows off `rows`; the last must have `last_key`.
async fn skip<T>(
    rows: &mut BoxStream<'static, Result<T, Error>>,
    count: u64,
    key: KeyOf<T>,
    last_key: Option<u64>,
) -> Result<(), Error> {
    for i in 0..count {
        match rows.next().await {
            Some(Ok(row)) if i + 1 == count && key(&row) != last_key => {
                return Err(changed("its rows moved between the two requests"))
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error),
            None => return Err(changed("it came back shorter than before")),
        }
    }
    Ok(())
}

fn changed(what: &str) -> Error {
    Error::Pagination {
        api: Api::Converz,
        operation: "resume",
        message: format!(
            "a page broke mid-way and {what}: it cannot be resumed without repeating or skipping rows"
        ),
    }
}
