//! Numbered pages 1, 2, …: a page with fewer than `page_size` rows is the last.

use super::{Checkpoint, KeyOf, Paging, Progress, RowStream, Seen};
use crate::error::{Api, Error};
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};
use std::future::Future;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// The rows of one page, streamed or from memory.
pub(crate) type PageRows<T> = BoxStream<'static, Result<T, Error>>;
type Fetch<T> = Arc<dyn Fn(u64) -> BoxFuture<'static, Result<PageRows<T>, Error>> + Send + Sync>;

/// Pages `start`, `start + 1`, … of `operation`, rows de-duplicated by `key`, a checkpoint
/// after each full page.
pub(crate) fn numbered<T, F, Fut>(
    source: (Api, &'static str),
    paging: Paging,
    start: u64,
    key: KeyOf<T>,
    fetch: F,
) -> RowStream<T>
where
    T: Send + 'static,
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<PageRows<T>, Error>> + Send + 'static,
{
    let fetch: Fetch<T> = Arc::new(move |page| Box::pin(fetch(page)));
    let walk = Walk {
        source,
        fetch,
        paging,
        key,
        page: start.max(1),
        counts: Counts::default(),
        previous: None,
        seen: Seen::default(),
        current: None,
        next: None,
        done: false,
    };
    RowStream::new(stream::unfold(walk, Walk::advance).boxed())
}

/// What one page brought, and the keys of its first and last rows.
#[derive(Default, Clone, PartialEq)]
struct Counts {
    rows: u64,
    new: u64,
    first: Option<u64>,
    last: Option<u64>,
}

struct Walk<T> {
    source: (Api, &'static str),
    fetch: Fetch<T>,
    paging: Paging,
    key: KeyOf<T>,
    page: u64,
    counts: Counts,
    /// The previous full page's counts: a page identical to it is the server ignoring `page`.
    previous: Option<Counts>,
    seen: Seen,
    current: Option<PageRows<T>>,
    next: Option<JoinHandle<Result<PageRows<T>, Error>>>,
    done: bool,
}

type Step<T> = Option<(Result<Progress<T>, Error>, Walk<T>)>;

impl<T: Send + 'static> Walk<T> {
    async fn advance(mut self) -> Step<T> {
        loop {
            if self.done {
                return None;
            }
            if let Some(rows) = self.current.as_mut() {
                match rows.next().await {
                    Some(Ok(row)) => {
                        self.counts.rows += 1;
                        let key = (self.key)(&row);
                        self.counts.first = self.counts.first.or(key);
                        self.counts.last = key;
                        if key.is_none_or(|k| self.seen.first_time_key(k)) {
                            self.counts.new += 1;
                            return Some((Ok(Progress::Row(row)), self));
                        }
                    }
                    Some(Err(error)) => return Some((Err(error), self.finish())),
                    None => match self.end_of_page() {
                        Ok(None) => return None,
                        Ok(Some(checkpoint)) => return Some((Ok(checkpoint), self)),
                        Err(error) => return Some((Err(error), self.finish())),
                    },
                }
                continue;
            }
            let page = match self.next.take() {
                Some(handle) => join(handle, || (self.fetch)(self.page)).await,
                None => (self.fetch)(self.page).await,
            };
            match page {
                Ok(rows) => {
                    self.current = Some(rows);
                    self.counts = Counts::default();
                    if self.paging.prefetch {
                        self.next = Some(tokio::spawn((self.fetch)(self.page + 1)));
                    }
                }
                Err(error) => return Some((Err(error), self.finish())),
            }
        }
    }

    /// After a page: the checkpoint to the next one, the end (a short page), or an error
    /// when a full page brought nothing new (a server that ignores `page` would otherwise
    /// be paged forever).
    fn end_of_page(&mut self) -> Result<Option<Progress<T>>, Error> {
        let counts = std::mem::take(&mut self.counts);
        let (rows, new) = (counts.rows, counts.new);
        let same_as_before = counts.first.is_some()
            && self.previous.as_ref().is_some_and(|p| {
                (p.rows, p.first, p.last) == (counts.rows, counts.first, counts.last)
            });
        self.current = None;
        let (api, operation) = self.source;
        if new < rows {
            tracing::warn!(
                %api, operation, page = self.page, repeated = rows - new,
                "dropped rows already yielded by an earlier page"
            );
        }
        if rows < self.paging.page_size {
            self.finish_in_place();
            return Ok(None);
        }
        if new == 0 || same_as_before {
            return Err(Error::Pagination {
                api,
                operation,
                message: format!(
                    "page {} repeated only rows of earlier pages: the server does not page \
                     (it ignores the page number)",
                    self.page
                ),
            });
        }
        self.page += 1;
        Ok(Some(Progress::Checkpoint(Checkpoint::Page {
            next: self.page,
        })))
    }

    fn finish_in_place(&mut self) {
        self.done = true;
        if let Some(handle) = self.next.take() {
            handle.abort();
        }
    }

    fn finish(mut self) -> Self {
        self.finish_in_place();
        self
    }
}

/// Awaits a prefetch; re-raises its panic; refetches if it was cancelled from outside.
async fn join<R, F: FnOnce() -> BoxFuture<'static, Result<R, Error>>>(
    handle: JoinHandle<Result<R, Error>>,
    refetch: F,
) -> Result<R, Error> {
    match handle.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => refetch().await,
    }
}
