//! Walking a date range in the vendor's 31-day windows, each window cursor-walked (or fetched
//! once), rows kept to their window so none repeats, and checkpoints that name the window.

use crate::error::{Api, Error};
use crate::pagination::{cursor, in_order, Checkpoint, Cursor, Paging, Progress, RowStream};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use std::future::Future;
use std::sync::Arc;

/// A date window `[from, to)`, or the whole list when the query has no range.
pub(crate) type Window = Option<(DateTime<Utc>, DateTime<Utc>)>;

/// A cursor walk over each window of a range, keeping rows to their window.
pub(crate) struct Walk<T> {
    pub source: (Api, &'static str),
    pub paging: Paging,
    pub id_of: fn(&T) -> &str,
    pub created: fn(&T) -> Option<DateTime<Utc>>,
}

impl<T: Send + 'static> Walk<T> {
    /// Every window of `windows` from `resume` on, each cursor-walked with `fetch`.
    pub fn run<F, Fut>(
        self,
        windows: Result<Vec<Window>, Error>,
        resume: Option<&Checkpoint>,
        fetch: F,
    ) -> RowStream<T>
    where
        F: Fn(Window, Option<Cursor>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<T>, Error>> + Send + 'static,
    {
        let fetch = Arc::new(fetch);
        windowed(windows, resume, self.paging, move |window, start| {
            let fetch = fetch.clone();
            let pages = cursor(self.source, self.paging, start, self.id_of, move |at| {
                fetch(window, at)
            });
            within(pages, window, self.created)
        })
    }
}

/// Concatenates one stream per window, from the checkpoint's window and cursor on; every
/// checkpoint names its window, and one follows each finished window. A bad query or the
/// first error ends it all. Up to `paging.concurrency` windows are read at once, each at most
/// a page ahead, their rows yielded in window order.
pub(crate) fn windowed<T, F>(
    windows: Result<Vec<Window>, Error>,
    resume: Option<&Checkpoint>,
    paging: Paging,
    per_window: F,
) -> RowStream<T>
where
    T: Send + 'static,
    F: Fn(Window, Option<Cursor>) -> RowStream<T> + Send + 'static,
{
    let (first, mut start) = match resume {
        None => (0, None),
        Some(Checkpoint::Cursor { window, cursor }) => (*window, cursor.clone()),
        Some(other) => {
            return RowStream::failed(Error::InvalidInput(format!(
                "this list walks date windows; the checkpoint {other:?} belongs to a numbered list"
            )))
        }
    };
    let windows = match windows {
        Ok(windows) => windows,
        Err(e) => return RowStream::failed(e),
    };
    let windows: Vec<(usize, Window)> = windows.into_iter().enumerate().skip(first).collect();
    let per_window = stream::iter(windows).map(move |(index, window)| {
        let rows = per_window(window, start.take()).map_checkpoints(move |c| match c {
            Checkpoint::Cursor { cursor, .. } => Checkpoint::Cursor {
                window: index,
                cursor,
            },
            other => other,
        });
        let finished = Checkpoint::Cursor {
            window: index + 1,
            cursor: None,
        };
        rows.with_checkpoints()
            .chain(stream::iter([Ok(Progress::Checkpoint(finished))]))
            .boxed()
    });
    let page = usize::try_from(paging.page_size).unwrap_or(usize::MAX);
    let rows = in_order(per_window, paging.concurrency, page.clamp(1, 10_000));
    RowStream::new(stop_after_error(rows).boxed())
}

/// Keeps only rows created inside `window` (half-open), so no row repeats across windows
/// whatever the vendor's boundary semantics. A row without a creation time is kept: the
/// server's own window filter placed it.
pub(crate) fn within<T: Send + 'static>(
    rows: RowStream<T>,
    window: Window,
    created: fn(&T) -> Option<DateTime<Utc>>,
) -> RowStream<T> {
    match window {
        None => rows,
        Some((from, to)) => {
            rows.filter_rows(move |row| created(row).is_none_or(|at| (from..to).contains(&at)))
        }
    }
}

/// Ends a stream right after the first error it yields.
fn stop_after_error<I: Send + 'static>(
    items: impl futures::Stream<Item = Result<I, Error>> + Send + 'static,
) -> impl futures::Stream<Item = Result<I, Error>> + Send + 'static {
    items.scan(false, |failed, item| {
        if *failed {
            return futures::future::ready(None);
        }
        *failed = item.is_err();
        futures::future::ready(Some(item))
    })
}
