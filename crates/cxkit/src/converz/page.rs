//! One Converz page, decoded row by row as it downloads, that survives a body cut mid-way:
//! the page is requested again and read on after the rows already yielded, none repeated,
//! none skipped.

use super::{CallQuery, Client, RepQuery};
use crate::error::{from_generated, Api, Error};
use crate::json_rows::OpenRow;
use crate::pagination::KeyOf;
use converz_api::wire;
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};
use futures::FutureExt;
use std::sync::Arc;
use std::time::Duration;

/// A Converz list's query: how the generated builder makes page `n`'s request.
pub(crate) trait ListQuery: Send + Sync + 'static {
    /// The list's operation.
    const OPERATION_ID: &'static str;

    /// Page `page`'s request, built and authorised by the generated builder.
    fn request(
        raw: converz_api::Client,
        query: Arc<Self>,
        page: u64,
    ) -> BoxFuture<'static, Result<reqwest::Request, Error>>;
}

/// The generated builder's error, as the facade's.
fn built(
    raw: &converz_api::Client,
    operation: &'static str,
    request: Result<reqwest::Request, converz_api::Error<converz_api::types::Error>>,
) -> Result<reqwest::Request, Error> {
    request.map_err(|e| from_generated(Api::Converz, operation, raw.context(), e))
}

/// `ListQuery` for a query whose `apply` sets the builder of `$operation`.
macro_rules! list_query {
    ($query:ty, $operation:ident) => {
        impl ListQuery for $query {
            const OPERATION_ID: &'static str = wire::$operation::OPERATION_ID;

            fn request(
                raw: converz_api::Client,
                query: Arc<Self>,
                page: u64,
            ) -> BoxFuture<'static, Result<reqwest::Request, Error>> {
                async move {
                    let request = query.apply(raw.$operation(), page)?.build_request().await;
                    built(&raw, Self::OPERATION_ID, request)
                }
                .boxed()
            }
        }
    };
}

list_query!(RepQuery, list_reps);
list_query!(CallQuery, list_calls);

/// One page's request, made again each time it is sent (a body that breaks is requested
/// anew).
pub(crate) struct PageRequest {
    pub operation: &'static str,
    make: Arc<dyn Fn() -> BoxFuture<'static, Result<reqwest::Request, Error>> + Send + Sync>,
}

impl Clone for PageRequest {
    fn clone(&self) -> Self {
        Self {
            operation: self.operation,
            make: self.make.clone(),
        }
    }
}

impl PageRequest {
    /// Page `page` of `query` on `raw`.
    pub fn new<Q: ListQuery>(raw: converz_api::Client, query: Arc<Q>, page: u64) -> Self {
        Self {
            operation: Q::OPERATION_ID,
            make: Arc::new(move || Q::request(raw.clone(), query.clone(), page)),
        }
    }

    /// The request, ready to send.
    pub async fn build(&self) -> Result<reqwest::Request, Error> {
        (self.make)().await
    }
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
