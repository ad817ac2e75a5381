//! List operations as `Stream`s of rows: numbered pages and cursor walks, with optional
//! one-page prefetch, checkpoints to resume from, and guards against servers that repeat
//! themselves.
//!
//! A stream yields every row once, in order, and ends after the first error it yields.
//! Rows are de-duplicated by primary key against the last 10,000 rows yielded: a row that
//! reappears across a page boundary (a boundary that moved while paging, a cursor the vendor
//! treats as inclusive) is dropped with a warning. A page that repeats the previous one, or
//! brings nothing new, and a cursor that does not move end the stream with
//! [`Error::Pagination`] instead of looping. (Memory stays bounded whatever the list's size; a
//! row reappearing further than 10,000 rows later is not detected.)

mod cursor;
mod numbered;
mod ordered;

pub(crate) use cursor::cursor;
pub use cursor::Cursor;
pub(crate) use numbered::numbered;
pub(crate) use ordered::in_order;

use crate::error::Error;
use cxkit_runtime::progenitor_client::ClientInfo;
use cxkit_runtime::ClientContext;
use futures::stream::{BoxStream, Stream, StreamExt};
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Pages fetched at once by tools built on cxkit unless told otherwise (the CLI, its Airbyte
/// and Singer connectors): on a 200 ms-per-page server, 4 gives most of the gain of 8 (see
/// docs/benchmarks.md) while staying gentle with the vendor's rate limits. A query's own
/// default is 1.
pub const DEFAULT_CONCURRENCY: u16 = 4;

/// The most pages any cxkit tool fetches at once (`--concurrency`, the connectors' config).
pub const MAX_CONCURRENCY: u16 = 64;

/// A generated client's `new_with_client`.
pub(crate) type NewClient<C> = fn(&str, reqwest::Client, ClientContext) -> C;

/// How a list is paged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// Rows per request.
    pub page_size: u64,
    /// Whether the next page is requested while the current one is consumed, with one page
    /// in flight at a time otherwise. With numbered pages this can cost one request past the
    /// last page. A cursor walk with `concurrency` above 1 prefetches whatever this says.
    pub prefetch: bool,
    /// How many pages (numbered lists) or date windows (windowed walks) are fetched at once,
    /// the one being read included; rows still come in the order of a sequential run. `1`
    /// fetches one after another; above `1`, the requests adapt to rate limits together
    /// (see [`cxkit_runtime::Throttle`]).
    pub concurrency: usize,
}

impl Paging {
    /// Pages in flight at once, the one being read included.
    pub(crate) fn in_flight(&self) -> usize {
        self.concurrency.max(1 + usize::from(self.prefetch))
    }

    /// The generated client a walk sends through: `raw` itself when it fetches one page at a
    /// time, else a copy whose requests share a fresh [`Throttle`](cxkit_runtime::Throttle),
    /// so this walk's concurrent requests adapt to rate limits together.
    pub(crate) fn client_for<C>(&self, raw: &C, new: NewClient<C>) -> C
    where
        C: ClientInfo<ClientContext> + Clone,
    {
        if self.concurrency <= 1 {
            return raw.clone();
        }
        let throttle = cxkit_runtime::Throttle::new(self.concurrency);
        let ctx = raw.inner().clone().with_throttle(throttle);
        new(raw.baseurl(), raw.client().clone(), ctx)
    }
}

/// Where a list can be picked up again: the position after the last complete page.
/// Serialisable, so an export can store it beside its output and `--resume` from it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Checkpoint {
    /// Numbered pages: the next page to request.
    Page {
        /// 1-based page number.
        next: u64,
    },
    /// A cursor walk (inside the `window`-th date window, for windowed lists).
    Cursor {
        /// 0-based index of the date window.
        window: usize,
        /// Where the next page starts; `None` at the start of the window.
        cursor: Option<Cursor>,
    },
}

/// One item of a list with its checkpoints: a row, or the point after a complete page.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress<T> {
    /// A row.
    Row(T),
    /// Every row before this point has been yielded; resuming here repeats and skips none.
    Checkpoint(Checkpoint),
}

/// A stream of rows, or of the error that ended it.
///
/// It is a `Stream<Item = Result<T, Error>>`; [`with_checkpoints`](Self::with_checkpoints)
/// also yields a [`Checkpoint`] after each complete page, for exports that must survive a
/// crash.
pub struct RowStream<T> {
    inner: BoxStream<'static, Result<Progress<T>, Error>>,
}

impl<T: Send + 'static> RowStream<T> {
    /// Rows with their checkpoints.
    pub(crate) fn new(inner: BoxStream<'static, Result<Progress<T>, Error>>) -> Self {
        Self { inner }
    }

    /// Rows without checkpoints (lists that cannot be resumed).
    pub(crate) fn from_rows(rows: impl Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
        Self::new(rows.map(|row| row.map(Progress::Row)).boxed())
    }

    /// A stream that only yields `error`.
    pub(crate) fn failed(error: Error) -> Self {
        Self::from_rows(futures::stream::iter([Err(error)]))
    }

    /// The rows and, after each complete page, a [`Checkpoint`].
    pub fn with_checkpoints(self) -> BoxStream<'static, Result<Progress<T>, Error>> {
        self.inner
    }

    /// Keeps the rows for which `keep` holds (checkpoints pass through).
    pub(crate) fn filter_rows(self, keep: impl Fn(&T) -> bool + Send + 'static) -> Self {
        Self::new(
            self.inner
                .filter(move |item| {
                    let pass = !matches!(item, Ok(Progress::Row(row)) if !keep(row));
                    futures::future::ready(pass)
                })
                .boxed(),
        )
    }

    /// Changes every row with `f` (checkpoints pass through).
    pub(crate) fn map_rows<U: Send + 'static>(
        self,
        f: impl Fn(T) -> U + Send + 'static,
    ) -> RowStream<U> {
        RowStream::new(
            self.inner
                .map(move |item| match item {
                    Ok(Progress::Row(row)) => Ok(Progress::Row(f(row))),
                    Ok(Progress::Checkpoint(c)) => Ok(Progress::Checkpoint(c)),
                    Err(e) => Err(e),
                })
                .boxed(),
        )
    }

    /// Changes every checkpoint with `f` (a windowed walk adds its window).
    pub(crate) fn map_checkpoints(
        self,
        f: impl Fn(Checkpoint) -> Checkpoint + Send + 'static,
    ) -> Self {
        Self::new(
            self.inner
                .map(move |item| match item {
                    Ok(Progress::Checkpoint(c)) => Ok(Progress::Checkpoint(f(c))),
                    other => other,
                })
                .boxed(),
        )
    }
}

impl<T> Stream for RowStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            return match self.inner.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(Progress::Checkpoint(_)))) => continue,
                Poll::Ready(Some(Ok(Progress::Row(row)))) => Poll::Ready(Some(Ok(row))),
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            };
        }
    }
}

impl<T> std::fmt::Debug for RowStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowStream(..)")
    }
}

/// The first page to request: 1, or a [`Checkpoint::Page`]'s `next`.
pub(crate) fn start_page(checkpoint: Option<&Checkpoint>) -> Result<u64, Error> {
    match checkpoint {
        None => Ok(1),
        Some(Checkpoint::Page { next }) => Ok((*next).max(1)),
        Some(other) => Err(Error::InvalidInput(format!(
            "this list pages by number; the checkpoint {other:?} belongs to a cursor walk"
        ))),
    }
}

/// A row's primary key, hashed: what de-duplication compares.
pub(crate) type KeyOf<T> = fn(&T) -> Option<u64>;

/// Hashes a primary key (64 bits: a collision among a billion rows is about 3 in 100,000).
pub(crate) fn key_hash(key: impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// How many of the last keys yielded are remembered.
const RECENT: usize = 10_000;

/// The keys of the last [`RECENT`] rows yielded (about 300 KB, whatever the list's size).
#[derive(Default)]
pub(crate) struct Seen {
    order: VecDeque<u64>,
    set: HashSet<u64, std::hash::BuildHasherDefault<AlreadyHashed>>,
}

/// The set's hasher: its keys are [`key_hash`]es already, evenly spread, so hashing them again
/// would only cost time (a profile showed it in every row).
#[derive(Default)]
pub(crate) struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are stored; anything else is folded in, still correct.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

impl Seen {
    /// Whether the key is new (and remembers it).
    pub fn first_time_key(&mut self, key: u64) -> bool {
        if !self.set.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > RECENT {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        true
    }
}

/// `page_size` / `prefetch` / `concurrency` / `resume_from` setters, `paging()`, `checked_page_size()` and
/// `checkpoint()` for a query with fields `page_size: $int`, `prefetch: bool`,
/// `concurrency: usize` and `resume: Option<Checkpoint>`, limited to `1..=$max`.
macro_rules! paging_setters {
    ($int:ty, $max:expr, $doc:literal) => {
        #[doc = $doc]
        pub fn page_size(mut self, rows: $int) -> Self {
            self.page_size = rows;
            self
        }

        /// Fetch the next page while the current one is consumed (default off): two pages in
        /// flight, one request after another. [`concurrency`](Self::concurrency) above 1
        /// includes it; this stays for callers that want a prefetch without the shared rate-limit
        /// throttle a concurrent walk uses.
        pub fn prefetch(mut self, on: bool) -> Self {
            self.prefetch = on;
            self
        }

        /// Fetch up to `pages` pages (or date windows) at once, the one being read included
        /// (default 1). Rows still come in the order of a sequential run; at most `pages`
        /// pages are held in memory; after a `429` fewer are requested at once, and more again
        /// after successes. A numbered list can cost up to `pages - 1` requests past its last
        /// page.
        pub fn concurrency(mut self, pages: usize) -> Self {
            self.concurrency = pages.max(1);
            self
        }

        /// Start where a previous run's [`Checkpoint`](crate::pagination::Checkpoint) says,
        /// with the same filters: no row before it is fetched again.
        pub fn resume_from(mut self, checkpoint: $crate::pagination::Checkpoint) -> Self {
            self.resume = Some(checkpoint);
            self
        }

        pub(crate) fn paging(&self) -> $crate::pagination::Paging {
            $crate::pagination::Paging {
                page_size: u64::from(self.page_size.max(1)),
                prefetch: self.prefetch,
                concurrency: self.concurrency.max(1),
            }
        }

        pub(crate) fn checkpoint(&self) -> Option<&$crate::pagination::Checkpoint> {
            self.resume.as_ref()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_remembers_exactly_the_last_recent_keys() {
        let mut seen = Seen::default();
        for key in 0..RECENT as u64 {
            assert!(seen.first_time_key(key));
        }
        // All RECENT keys are still remembered…
        assert!(!seen.first_time_key(0));
        assert!(!seen.first_time_key(RECENT as u64 - 1));
        // …until one more arrives: then only the oldest is forgotten.
        assert!(seen.first_time_key(RECENT as u64));
        assert!(seen.first_time_key(0), "the oldest key was forgotten");
        assert!(!seen.first_time_key(2), "the others are still remembered");
        assert_eq!(seen.order.len(), RECENT);
        assert_eq!(seen.set.len(), RECENT);
    }

    #[test]
    fn a_stream_shows_no_rows_in_debug() {
        let stream: RowStream<u8> = RowStream::failed(Error::InvalidInput("x".into()));
        assert_eq!(format!("{stream:?}"), "RowStream(..)");
    }
}
