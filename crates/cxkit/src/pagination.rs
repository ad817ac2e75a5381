//! List operations as `Stream`s of rows: numbered pages and cursors, with optional
//! one-page prefetch. A stream yields every row once, in order, and ends after the first
//! error it yields.

use crate::error::Error;
use futures::stream::{self, BoxStream, StreamExt};
use std::future::Future;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// A stream of rows, or of the error that ended it.
pub type RowStream<T> = BoxStream<'static, Result<T, Error>>;

/// How a list is paged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// Rows per request.
    pub page_size: u64,
    /// Whether the next page is requested while the current one is consumed. With numbered
    /// pages this can cost one request past the last page.
    pub prefetch: bool,
}

/// `page_size` / `prefetch` setters, `paging()`, and `checked_page_size()` for a query with
/// fields `page_size: $int` and `prefetch: bool`, limited to `1..=$max`.
macro_rules! paging_setters {
    ($int:ty, $max:expr, $doc:literal) => {
        #[doc = $doc]
        pub fn page_size(mut self, rows: $int) -> Self {
            self.page_size = rows;
            self
        }

        /// Fetch the next page while the current one is consumed (default off).
        pub fn prefetch(mut self, on: bool) -> Self {
            self.prefetch = on;
            self
        }

        pub(crate) fn paging(&self) -> $crate::pagination::Paging {
            $crate::pagination::Paging {
                page_size: u64::from(self.page_size.max(1)),
                prefetch: self.prefetch,
            }
        }

        fn checked_page_size(&self) -> Result<$int, $crate::Error> {
            if (1..=$max).contains(&self.page_size) {
                Ok(self.page_size)
            } else {
                Err($crate::Error::InvalidInput(format!(
                    "page size {} is outside 1..={}",
                    self.page_size, $max
                )))
            }
        }
    };
}
pub(crate) use paging_setters;

type PageFuture<T> = futures::future::BoxFuture<'static, Result<RowStream<T>, Error>>;

/// Numbered pages 1, 2, …; a page with fewer than `page_size` rows is the last.
pub(crate) fn numbered<T, F, Fut>(paging: Paging, fetch: F) -> RowStream<T>
where
    T: Send + 'static,
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<RowStream<T>, Error>> + Send + 'static,
{
    let fetch: Arc<dyn Fn(u64) -> PageFuture<T> + Send + Sync> =
        Arc::new(move |page| Box::pin(fetch(page)));
    let state = Numbered {
        fetch,
        paging,
        page: 1,
        rows_in_page: 0,
        current: None,
        next: None,
        done: false,
    };
    stream::unfold(state, Numbered::advance).boxed()
}

struct Numbered<T> {
    fetch: Arc<dyn Fn(u64) -> PageFuture<T> + Send + Sync>,
    paging: Paging,
    page: u64,
    rows_in_page: u64,
    current: Option<RowStream<T>>,
    next: Option<JoinHandle<Result<RowStream<T>, Error>>>,
    done: bool,
}

impl<T: Send + 'static> Numbered<T> {
    async fn advance(mut self) -> Option<(Result<T, Error>, Self)> {
        loop {
            if self.done {
                return None;
            }
            if let Some(rows) = self.current.as_mut() {
                match rows.next().await {
                    Some(Ok(row)) => {
                        self.rows_in_page += 1;
                        return Some((Ok(row), self));
                    }
                    Some(Err(error)) => return Some((Err(error), self.finish())),
                    None if self.rows_in_page < self.paging.page_size => {
                        self.finish();
                        return None;
                    }
                    None => {
                        self.current = None;
                        self.page += 1;
                    }
                }
            }
            let page = match self.next.take() {
                Some(handle) => join(handle, || (self.fetch)(self.page)).await,
                None => (self.fetch)(self.page).await,
            };
            match page {
                Ok(rows) => {
                    self.current = Some(rows);
                    self.rows_in_page = 0;
                    if self.paging.prefetch {
                        self.next = Some(tokio::spawn((self.fetch)(self.page + 1)));
                    }
                }
                Err(error) => return Some((Err(error), self.finish())),
            }
        }
    }

    fn finish(mut self) -> Self {
        self.done = true;
        if let Some(handle) = self.next.take() {
            handle.abort();
        }
        self
    }
}

/// Awaits a prefetch; re-raises its panic; refetches if it was cancelled from outside.
async fn join<R, F: FnOnce() -> PageFuture<R>>(
    handle: JoinHandle<Result<RowStream<R>, Error>>,
    refetch: F,
) -> Result<RowStream<R>, Error> {
    match handle.await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => refetch().await,
    }
}

/// Where the next cursor page starts: after or before an id (exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// Rows after this id.
    After(String),
    /// Rows before this id.
    Before(String),
}

/// Cursor pages: each request names the last id seen. The page's own order decides the
/// direction (ids are time-ordered ObjectIds), so the walk works whether the vendor answers
/// oldest- or newest-first. A row equal to the cursor is skipped, should the vendor treat
/// the cursor as inclusive; a cursor that does not move ends the walk.
pub(crate) fn cursor<T, F, Fut>(paging: Paging, id_of: fn(&T) -> &str, fetch: F) -> RowStream<T>
where
    T: Send + 'static,
    F: Fn(Option<Cursor>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<T>, Error>> + Send + 'static,
{
    type Fetch<T> = Arc<
        dyn Fn(Option<Cursor>) -> futures::future::BoxFuture<'static, Result<Vec<T>, Error>>
            + Send
            + Sync,
    >;
    let fetch: Fetch<T> = Arc::new(move |c| Box::pin(fetch(c)));
    let state = (Next::Lazy(None), None::<Cursor>, fetch);
    stream::unfold(state, move |(next, previous, fetch)| async move {
        let page = match next {
            Next::End => return None,
            Next::Lazy(cursor) => fetch(cursor).await,
            Next::Spawned(handle) => match handle.await {
                Ok(page) => page,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => fetch(previous.clone()).await,
            },
        };
        let rows = match page {
            Ok(rows) => rows,
            Err(error) => return Some((stream::iter(vec![Err(error)]), (Next::End, None, fetch))),
        };
        let cursor = (rows.len() as u64 >= paging.page_size)
            .then(|| next_cursor(&rows, id_of))
            .flatten()
            .filter(|c| Some(c) != previous.as_ref());
        let skip = previous.as_ref().map(|c| match c {
            Cursor::After(id) | Cursor::Before(id) => id.clone(),
        });
        let next = match cursor.clone() {
            None => Next::End,
            Some(c) if paging.prefetch => Next::Spawned(tokio::spawn(fetch(Some(c)))),
            Some(c) => Next::Lazy(Some(c)),
        };
        let rows: Vec<Result<T, Error>> = rows
            .into_iter()
            .filter(|row| Some(id_of(row)) != skip.as_deref())
            .map(Ok)
            .collect();
        Some((stream::iter(rows), (next, cursor, fetch)))
    })
    .flatten()
    .boxed()
}

/// What the cursor walk does next.
enum Next<T> {
    /// Fetch this cursor when the current page is consumed.
    Lazy(Option<Cursor>),
    /// A prefetch already under way.
    Spawned(JoinHandle<Result<Vec<T>, Error>>),
    /// No more pages.
    End,
}

/// The cursor continuing past `rows`, following their order.
fn next_cursor<T>(rows: &[T], id_of: fn(&T) -> &str) -> Option<Cursor> {
    let first = id_of(rows.first()?);
    let last = id_of(rows.last()?);
    Some(if last >= first {
        Cursor::After(last.to_owned())
    } else {
        Cursor::Before(last.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_follows_the_page_order() {
        fn id(s: &String) -> &str {
            s
        }
        let up = vec!["a1".to_string(), "a2".into(), "a3".into()];
        let down = vec!["a3".to_string(), "a2".into(), "a1".into()];
        assert_eq!(next_cursor(&up, id), Some(Cursor::After("a3".into())));
        assert_eq!(next_cursor(&down, id), Some(Cursor::Before("a1".into())));
        assert_eq!(next_cursor::<String>(&[], id), None);
    }
}
