//! Numbered pages 1, 2, …: a page with fewer than `page_size` rows is the last.
//!
//! Up to [`Paging::in_flight`] pages are requested at once, each in its own task; they are read
//! strictly in page order, so the rows, checkpoints and de-duplication are those of a
//! sequential run. The first page goes alone (with its prefetch, if asked): a list that fits
//! in one page costs one request, however high the concurrency. Once a page has come back
//! full the window opens; the pages requested past a short page are cancelled.

use super::{Checkpoint, KeyOf, Paging, Progress, RowStream, Seen};
use crate::error::{Api, Error};
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};
use std::collections::VecDeque;
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
        previous_first: None,
        seen: Seen::default(),
        current: None,
        ahead: VecDeque::new(),
        full_pages: 0,
        done: false,
    };
    // Boxed: the walk is the state of a step per row, which would otherwise be moved in and
    // out of each step's future (a profile showed those copies).
    RowStream::new(stream::unfold(Box::new(walk), Walk::advance).boxed())
}

/// What one page brought, and the key of its first row.
#[derive(Default)]
struct Counts {
    rows: u64,
    new: u64,
    first: Option<u64>,
}

struct Walk<T> {
    source: (Api, &'static str),
    fetch: Fetch<T>,
    paging: Paging,
    key: KeyOf<T>,
    page: u64,
    counts: Counts,
    /// The key of the previous full page's first row. A page starting with the same row is the
    /// server ignoring `page`: caught on that first row, because with pages larger than the
    /// de-duplication window ([`Seen`]) the repeated rows would otherwise look new.
    previous_first: Option<u64>,
    seen: Seen,
    current: Option<PageRows<T>>,
    /// Pages `page`, `page + 1`, … already requested, in order.
    ahead: VecDeque<JoinHandle<Result<PageRows<T>, Error>>>,
    /// Full pages read so far: the window opens after the first.
    full_pages: u64,
    done: bool,
}

type Step<T> = Option<(Result<Progress<T>, Error>, Box<Walk<T>>)>;

impl<T: Send + 'static> Walk<T> {
    async fn advance(mut self: Box<Self>) -> Step<T> {
        loop {
            if self.done {
                return None;
            }
            if let Some(rows) = self.current.as_mut() {
                match rows.next().await {
                    Some(Ok(row)) => {
                        let key = (self.key)(&row);
                        if self.counts.rows == 0 {
                            if key.is_some() && key == self.previous_first {
                                let error = self.ignored_page_error();
                                return Some((Err(error), self.finish()));
                            }
                            self.counts.first = key;
                        }
                        self.counts.rows += 1;
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
            let page = if self.window() > 1 {
                self.request_ahead();
                // Awaited in place, so that a walk dropped meanwhile aborts this page too.
                let joined = match self.ahead.front_mut() {
                    Some(handle) => Some(handle.await),
                    None => None,
                };
                self.ahead.pop_front();
                match joined {
                    Some(joined) => join(joined, || (self.fetch)(self.page)).await,
                    None => (self.fetch)(self.page).await,
                }
            } else {
                (self.fetch)(self.page).await
            };
            match page {
                Ok(rows) => {
                    self.current = Some(rows);
                    self.counts = Counts::default();
                }
                Err(error) => return Some((Err(error), self.finish())),
            }
        }
    }

    /// Pages in flight from the current one: only the first (and its prefetch) until a page
    /// has come back full, then [`Paging::in_flight`].
    fn window(&self) -> usize {
        if self.full_pages == 0 {
            1 + usize::from(self.paging.prefetch)
        } else {
            self.paging.in_flight()
        }
    }

    /// Requests the pages of the window from the current one that are not yet requested.
    fn request_ahead(&mut self) {
        while self.ahead.len() < self.window() {
            let page = self.page + self.ahead.len() as u64;
            self.ahead.push_back(tokio::spawn((self.fetch)(page)));
        }
    }

    /// After a page: the checkpoint to the next one, the end (a short page), or an error
    /// when a full page brought nothing new (a server that ignores `page` would otherwise
    /// be paged forever).
    fn end_of_page(&mut self) -> Result<Option<Progress<T>>, Error> {
        let counts = std::mem::take(&mut self.counts);
        let (rows, new) = (counts.rows, counts.new);
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
        if new == 0 {
            return Err(self.ignored_page_error());
        }
        self.previous_first = counts.first;
        self.full_pages += 1;
        self.page += 1;
        Ok(Some(Progress::Checkpoint(Checkpoint::Page {
            next: self.page,
        })))
    }

    fn ignored_page_error(&self) -> Error {
        let (api, operation) = self.source;
        Error::Pagination {
            api,
            operation,
            message: format!(
                "page {} repeated rows of earlier pages: the server does not page \
                 (it ignores the page number)",
                self.page
            ),
        }
    }

    fn finish_in_place(&mut self) {
        self.done = true;
        for handle in self.ahead.drain(..) {
            handle.abort();
        }
    }

    fn finish(mut self: Box<Self>) -> Box<Self> {
        self.finish_in_place();
        self
    }
}

/// A walk dropped before its end (a consumer that stops early, Ctrl-C) cancels the pages it
/// requested ahead instead of leaving them running.
impl<T> Drop for Walk<T> {
    fn drop(&mut self) {
        for handle in &self.ahead {
            handle.abort();
        }
    }
}

/// A prefetch's outcome: its page; its panic re-raised; fetched again if it was cancelled from
/// outside.
async fn join<R, F: FnOnce() -> BoxFuture<'static, Result<R, Error>>>(
    joined: Result<Result<R, Error>, tokio::task::JoinError>,
    refetch: F,
) -> Result<R, Error> {
    match joined {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => refetch().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn key(row: &u64) -> Option<u64> {
        Some(*row)
    }

    fn rows(range: std::ops::Range<u64>) -> PageRows<u64> {
        stream::iter(range.map(Ok)).boxed()
    }

    fn walk<F, Fut>(page_size: u64, prefetch: bool, fetch: F) -> RowStream<u64>
    where
        F: Fn(u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<PageRows<u64>, Error>> + Send + 'static,
    {
        let paging = Paging {
            page_size,
            prefetch,
            concurrency: 1,
        };
        numbered((Api::Converz, "test"), paging, 1, key, fetch)
    }

    /// Pages larger than the de-duplication window: repeated rows look new to it, so only the
    /// first-row check stops a server that ignores `page` from being paged forever.
    #[tokio::test]
    async fn a_repeated_page_larger_than_the_dedupe_window_ends_with_an_error_and_no_repeats() {
        let size = super::super::RECENT as u64 + 5;
        let requests = Arc::new(Mutex::new(0_u32));
        let counter = requests.clone();
        let mut stream = walk(size, false, move |_page| {
            *counter.lock().unwrap() += 1;
            async move { Ok(rows(0..size)) }
        });
        let mut got = Vec::new();
        let error = loop {
            match stream.next().await {
                Some(Ok(row)) => got.push(row),
                Some(Err(error)) => break error,
                None => panic!("the stream ended without an error after {} rows", got.len()),
            }
        };
        assert!(matches!(error, Error::Pagination { .. }), "{error:?}");
        assert_eq!(
            got,
            (0..size).collect::<Vec<_>>(),
            "every row once, in order"
        );
        assert!(
            stream.next().await.is_none(),
            "the stream ends after its error"
        );
        assert_eq!(*requests.lock().unwrap(), 2);
    }

    #[tokio::test]
    async fn pages_that_move_on_are_read_to_the_short_page() {
        let stream = walk(3, false, |page| async move {
            let start = (page - 1) * 3;
            Ok(rows(start..(start + 3).min(8)))
        });
        let got: Vec<u64> = stream.map(Result::unwrap).collect().await;
        assert_eq!(got, (0..8).collect::<Vec<_>>());
    }

    /// With prefetch the next page is requested while the current one is read; without it,
    /// only when the current one is done.
    #[tokio::test]
    async fn prefetch_requests_the_next_page_before_the_current_one_is_read() {
        for prefetch in [false, true] {
            let (asked, mut asked_rx) = tokio::sync::mpsc::unbounded_channel();
            let mut stream = walk(2, prefetch, move |page| {
                asked.send(page).unwrap();
                async move { Ok(rows((page - 1) * 2..((page - 1) * 2 + 2).min(5))) }
            });
            assert_eq!(stream.next().await.unwrap().unwrap(), 0);
            assert_eq!(asked_rx.recv().await, Some(1));
            if prefetch {
                let next =
                    tokio::time::timeout(std::time::Duration::from_secs(10), asked_rx.recv());
                assert_eq!(next.await.ok().flatten(), Some(2), "page 2 prefetched");
            } else {
                tokio::task::yield_now().await;
                assert!(asked_rx.try_recv().is_err(), "page 2 asked for too early");
            }
            let rest: Vec<u64> = stream.map(Result::unwrap).collect().await;
            assert_eq!(rest, vec![1, 2, 3, 4], "prefetch={prefetch}");
        }
    }

    /// Counts the fetches running at once, and the most seen.
    #[derive(Default)]
    struct InFlight {
        now: std::sync::atomic::AtomicUsize,
        most: std::sync::atomic::AtomicUsize,
        requests: std::sync::atomic::AtomicUsize,
    }

    impl InFlight {
        fn enter(&self) {
            use std::sync::atomic::Ordering::SeqCst;
            self.requests.fetch_add(1, SeqCst);
            let now = self.now.fetch_add(1, SeqCst) + 1;
            self.most.fetch_max(now, SeqCst);
        }
        fn leave(&self) {
            self.now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// 23 rows in pages of 3 (the 8th is short), later pages answering sooner than earlier
    /// ones: every row once, in order, with at most `concurrency` requests at once.
    #[tokio::test(start_paused = true)]
    async fn concurrent_pages_keep_the_sequential_order_and_the_in_flight_bound() {
        for concurrency in [1, 2, 4, 8] {
            let counter = Arc::new(InFlight::default());
            let seen = counter.clone();
            let paging = Paging {
                page_size: 3,
                prefetch: false,
                concurrency,
            };
            let stream = numbered((Api::Zchat, "test"), paging, 1, key, move |page| {
                let seen = seen.clone();
                seen.enter();
                async move {
                    let wait = 100_u64.saturating_sub(page * 10);
                    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                    seen.leave();
                    let start = (page - 1) * 3;
                    Ok(rows(start..(start + 3).min(23)))
                }
            });
            let items: Vec<_> = stream
                .with_checkpoints()
                .map(Result::unwrap)
                .collect()
                .await;
            let got: Vec<u64> = items
                .iter()
                .filter_map(|i| match i {
                    Progress::Row(r) => Some(*r),
                    Progress::Checkpoint(_) => None,
                })
                .collect();
            assert_eq!(
                got,
                (0..23).collect::<Vec<_>>(),
                "concurrency {concurrency}"
            );
            let checkpoints: Vec<u64> = items
                .iter()
                .filter_map(|i| match i {
                    Progress::Checkpoint(Checkpoint::Page { next }) => Some(*next),
                    _ => None,
                })
                .collect();
            assert_eq!(
                checkpoints,
                (2..=8).collect::<Vec<_>>(),
                "one after each full page"
            );
            use std::sync::atomic::Ordering::SeqCst;
            assert_eq!(counter.most.load(SeqCst), concurrency, "in flight at once");
            let requests = counter.requests.load(SeqCst);
            assert!(
                (8..8 + concurrency).contains(&requests),
                "{requests} requests for 8 pages at concurrency {concurrency}"
            );
        }
    }

    /// A page that fails is reported in its turn: the rows of the pages before it come first,
    /// and nothing after it.
    #[tokio::test]
    async fn a_failed_page_ahead_is_reported_in_its_turn() {
        let paging = Paging {
            page_size: 2,
            prefetch: false,
            concurrency: 4,
        };
        let stream = numbered((Api::Zchat, "test"), paging, 1, key, |page| async move {
            if page == 3 {
                return Err(Error::InvalidInput("page 3 broke".into()));
            }
            Ok(rows((page - 1) * 2..(page - 1) * 2 + 2))
        });
        let got: Vec<_> = stream.collect().await;
        assert_eq!(got.len(), 5, "{got:?}");
        let rows: Vec<u64> = got[..4].iter().map(|r| *r.as_ref().unwrap()).collect();
        assert_eq!(rows, vec![0, 1, 2, 3]);
        assert!(matches!(&got[4], Err(Error::InvalidInput(m)) if m == "page 3 broke"));
    }

    /// Dropping the stream mid-way cancels the pages requested ahead: none keeps running.
    #[tokio::test]
    async fn a_dropped_walk_cancels_its_pages_in_flight() {
        let (started, mut started_rx) = tokio::sync::mpsc::unbounded_channel();
        let (dropped, mut dropped_rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
        struct OnDrop(u64, tokio::sync::mpsc::UnboundedSender<u64>);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                let _ = self.1.send(self.0);
            }
        }
        let paging = Paging {
            page_size: 2,
            prefetch: false,
            concurrency: 4,
        };
        let walk = numbered((Api::Zchat, "test"), paging, 1, key, move |page| {
            let guard = OnDrop(page, dropped.clone());
            started.send(page).unwrap();
            async move {
                let _guard = guard;
                if page > 1 {
                    std::future::pending::<()>().await; // a page that never answers
                }
                Ok(rows(0..2))
            }
        });
        let mut stream = walk.with_checkpoints();
        for _ in 0..3 {
            stream.next().await.unwrap().unwrap(); // page 1: two rows and its checkpoint
        }
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(200), stream.next());
        assert!(waiting.await.is_err(), "page 2 never answers");
        let mut asked = Vec::new();
        while let Ok(page) = started_rx.try_recv() {
            asked.push(page);
        }
        assert_eq!(
            asked,
            vec![1, 2, 3, 4, 5],
            "page 1 alone, then four in flight"
        );
        drop(stream);
        let mut gone = Vec::new();
        while gone.len() < 5 {
            let next = tokio::time::timeout(std::time::Duration::from_secs(10), dropped_rx.recv());
            gone.push(next.await.expect("a page is still running").unwrap());
        }
        gone.sort_unstable();
        assert_eq!(gone, vec![1, 2, 3, 4, 5]);
    }

    /// A list that fits in one page costs one request, whatever the concurrency.
    #[tokio::test]
    async fn a_one_page_list_is_one_request_at_any_concurrency() {
        let requests = Arc::new(Mutex::new(0_u32));
        let counter = requests.clone();
        let paging = Paging {
            page_size: 10,
            prefetch: false,
            concurrency: 8,
        };
        let stream = numbered((Api::Zchat, "test"), paging, 1, key, move |_page| {
            *counter.lock().unwrap() += 1;
            async move { Ok(rows(0..3)) }
        });
        let got: Vec<u64> = stream.map(Result::unwrap).collect().await;
        assert_eq!(got, vec![0, 1, 2]);
        assert_eq!(*requests.lock().unwrap(), 1);
    }

    #[tokio::test]
    #[should_panic(expected = "fetch panicked")]
    async fn a_panicking_prefetch_is_raised_not_fetched_again() {
        // Only the first request for page 2 panics: fetching it again would hide the panic.
        let panicked = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stream = walk(2, true, move |page| {
            let first_time = page == 2 && !panicked.swap(true, std::sync::atomic::Ordering::SeqCst);
            async move {
                assert!(!first_time, "fetch panicked");
                Ok(rows(
                    (page - 1) * 2..(page - 1) * 2 + 2 * u64::from(page < 2),
                ))
            }
        });
        let _: Vec<_> = stream.collect().await;
    }
}
