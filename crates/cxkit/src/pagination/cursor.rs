//! Cursor pages: each request names the last id seen.

use super::{Checkpoint, Paging, Progress, RowStream, Seen};
use crate::error::{Api, Error};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use std::future::Future;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Where the next cursor page starts: after or before an id (exclusive).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cursor {
    /// Rows after this id.
    After(String),
    /// Rows before this id.
    Before(String),
}

type Fetch<T> =
    Arc<dyn Fn(Option<Cursor>) -> BoxFuture<'static, Result<Vec<T>, Error>> + Send + Sync>;

/// Cursor pages from `start`. The page's own order decides the direction (ids are
/// time-ordered ObjectIds), so the walk works whether the vendor answers oldest- or
/// newest-first. A row already yielded (the cursor row itself, should the vendor treat the
/// cursor as inclusive) is dropped; a full page whose cursor does not move ends the walk with
/// [`Error::Pagination`]. A checkpoint follows every full page.
pub(crate) fn cursor<T, F, Fut>(
    source: (Api, &'static str),
    paging: Paging,
    start: Option<Cursor>,
    id_of: fn(&T) -> &str,
    fetch: F,
) -> RowStream<T>
where
    T: Send + 'static,
    F: Fn(Option<Cursor>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Vec<T>, Error>> + Send + 'static,
{
    let fetch: Fetch<T> = Arc::new(move |c| Box::pin(fetch(c)));
    let walk = Walk {
        source,
        paging,
        id_of,
        fetch,
        next: Next::Lazy(start.clone()),
        visited: start.iter().cloned().collect(),
        at: start,
        seen: Seen::default(),
    };
    RowStream::new(
        stream::unfold(walk, Walk::advance)
            .flat_map(stream::iter)
            .boxed(),
    )
}

/// What the walk does next.
enum Next<T> {
    /// Fetch this cursor when the current page is consumed.
    Lazy(Option<Cursor>),
    /// A prefetch already under way.
    Spawned(JoinHandle<Result<Vec<T>, Error>>),
    /// No more pages.
    End,
}

struct Walk<T> {
    source: (Api, &'static str),
    paging: Paging,
    id_of: fn(&T) -> &str,
    fetch: Fetch<T>,
    next: Next<T>,
    /// The cursor of the page being fetched.
    at: Option<Cursor>,
    /// Every cursor fetched: one seen again means the server pages in a circle.
    visited: std::collections::HashSet<Cursor>,
    seen: Seen,
}

type Items<T> = Vec<Result<Progress<T>, Error>>;

impl<T: Send + 'static> Walk<T> {
    async fn advance(mut self) -> Option<(Items<T>, Walk<T>)> {
        let page = match std::mem::replace(&mut self.next, Next::End) {
            Next::End => return None,
            Next::Lazy(cursor) => (self.fetch)(cursor).await,
            Next::Spawned(handle) => match handle.await {
                Ok(page) => page,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => (self.fetch)(self.at.clone()).await,
            },
        };
        let rows = match page {
            Ok(rows) => rows,
            Err(error) => return Some((vec![Err(error)], self)),
        };
        let full = rows.len() as u64 >= self.paging.page_size;
        let cursor = full.then(|| next_cursor(&rows, self.id_of)).flatten();
        let (api, operation) = self.source;
        if full && (cursor.is_none() || cursor == self.at) {
            let error = Error::Pagination {
                api,
                operation,
                message: format!(
                    "the cursor did not move ({:?} again): the server ignores it",
                    self.at
                ),
            };
            return Some((vec![Err(error)], self));
        }
        if let Some(c) = cursor
            .as_ref()
            .filter(|c| !self.visited.insert((*c).clone()))
        {
            let error = Error::Pagination {
                api,
                operation,
                message: format!(
                    "the cursor came back to {c:?}, already fetched: the server pages in a circle"
                ),
            };
            return Some((vec![Err(error)], self));
        }
        let id_of = self.id_of;
        let total = rows.len();
        let mut items: Items<T> = rows
            .into_iter()
            .filter(|row| self.seen.first_time_id(id_of(row)))
            .map(|row| Ok(Progress::Row(row)))
            .collect();
        if items.len() < total {
            tracing::debug!(%api, operation, repeated = total - items.len(), "dropped rows already yielded");
        }
        self.next = match cursor.clone() {
            None => Next::End,
            Some(c) if self.paging.prefetch || self.paging.concurrency > 1 => {
                Next::Spawned(tokio::spawn((self.fetch)(Some(c))))
            }
            Some(c) => Next::Lazy(Some(c)),
        };
        if let Some(c) = &cursor {
            items.push(Ok(Progress::Checkpoint(Checkpoint::Cursor {
                window: 0,
                cursor: Some(c.clone()),
            })));
        }
        self.at = cursor;
        Some((items, self))
    }
}

impl Seen {
    /// Like `first_time`, for an id.
    pub fn first_time_id(&mut self, id: &str) -> bool {
        self.first_time_key(super::key_hash(id))
    }
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

#[cfg(test)]
mod walk_tests {
    use super::*;
    use crate::pagination::Paging;

    fn id(row: &String) -> &str {
        row
    }

    /// Pages of two ids `a0..a4`, after the cursor.
    fn page_after(cursor: &Option<Cursor>) -> Vec<String> {
        let from = match cursor {
            None => 0,
            Some(Cursor::After(id)) => id[1..].parse::<usize>().unwrap() + 1,
            Some(Cursor::Before(_)) => unreachable!("ascending pages"),
        };
        (from..(from + 2).min(5)).map(|n| format!("a{n}")).collect()
    }

    fn walk(
        prefetch: bool,
        asked: tokio::sync::mpsc::UnboundedSender<Option<Cursor>>,
    ) -> RowStream<String> {
        let paging = Paging {
            page_size: 2,
            prefetch,
            concurrency: 1,
        };
        cursor((Api::Conversion, "test"), paging, None, id, move |c| {
            asked.send(c.clone()).unwrap();
            async move { Ok(page_after(&c)) }
        })
    }

    /// With prefetch the next page is requested while the current one is read; without it,
    /// only when the current one is done.
    #[tokio::test]
    async fn prefetch_requests_the_next_page_before_the_current_one_is_read() {
        for prefetch in [false, true] {
            let (asked, mut asked_rx) = tokio::sync::mpsc::unbounded_channel();
            let mut stream = walk(prefetch, asked);
            assert_eq!(stream.next().await.unwrap().unwrap(), "a0");
            assert_eq!(asked_rx.recv().await, Some(None));
            if prefetch {
                let next =
                    tokio::time::timeout(std::time::Duration::from_secs(10), asked_rx.recv());
                let next = next.await.ok().flatten();
                assert_eq!(
                    next,
                    Some(Some(Cursor::After("a1".into()))),
                    "page 2 prefetched"
                );
            } else {
                tokio::task::yield_now().await;
                assert!(asked_rx.try_recv().is_err(), "page 2 asked for too early");
            }
            let rest: Vec<String> = stream.map(Result::unwrap).collect().await;
            assert_eq!(rest, ["a1", "a2", "a3", "a4"], "prefetch={prefetch}");
        }
    }

    /// A server that ignores the cursor sends the same full page again: the walk says so
    /// (not that the pages go in a circle, which is another server bug) and stops.
    #[tokio::test]
    async fn a_cursor_the_server_ignores_is_named_as_such() {
        let paging = Paging {
            page_size: 2,
            prefetch: false,
            concurrency: 1,
        };
        let stream = cursor((Api::Conversion, "test"), paging, None, id, |_| async {
            Ok(vec!["a0".to_owned(), "a1".to_owned()])
        });
        let items: Vec<Result<String, Error>> = stream.collect().await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].as_deref().unwrap(), "a0");
        assert_eq!(items[1].as_deref().unwrap(), "a1");
        let error = items[2].as_ref().unwrap_err().to_string();
        assert!(error.contains("the cursor did not move"), "{error}");
        assert!(error.contains("the server ignores it"), "{error}");
    }

    #[tokio::test]
    #[should_panic(expected = "fetch panicked")]
    async fn a_panicking_prefetch_is_raised_not_fetched_again() {
        let paging = Paging {
            page_size: 2,
            prefetch: true,
            concurrency: 1,
        };
        // Only the first request for page 2 panics: fetching it again would hide the panic.
        let panicked = std::sync::atomic::AtomicBool::new(false);
        let stream = cursor((Api::Conversion, "test"), paging, None, id, move |c| {
            let first_time =
                c.is_some() && !panicked.swap(true, std::sync::atomic::Ordering::SeqCst);
            async move {
                assert!(!first_time, "fetch panicked");
                Ok(page_after(&c))
            }
        });
        let _: Vec<_> = stream.collect().await;
    }
}
