//! Several streams read at once, their items yielded in the streams' order: how a windowed walk
//! fetches its date windows concurrently and still yields what a sequential run yields.

use futures::stream::{BoxStream, Stream, StreamExt};
use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The items of `streams`, in order: stream 1's, then stream 2's, … Up to `at_once` of them run
/// at the same time, each in its own task that reads ahead at most `buffer` items, so memory
/// stays bounded by `at_once × buffer` items. Dropping the result stops every task; a task that
/// panics re-raises its panic here rather than ending its stream early.
pub(crate) fn in_order<I: Send + 'static>(
    streams: impl Stream<Item = BoxStream<'static, I>> + Send + 'static,
    at_once: usize,
    buffer: usize,
) -> BoxStream<'static, I> {
    if at_once <= 1 {
        return streams.flatten().boxed();
    }
    streams
        .map(move |stream| futures::future::ready(Pumped::start(stream, buffer.max(1))))
        .buffered(at_once)
        .flatten()
        .boxed()
}

/// One stream read by its own task into a bounded channel.
struct Pumped<I> {
    items: mpsc::Receiver<I>,
    task: JoinHandle<()>,
    closed: bool,
}

impl<I: Send + 'static> Pumped<I> {
    fn start(mut stream: BoxStream<'static, I>, buffer: usize) -> Self {
        let (sender, items) = mpsc::channel(buffer);
        let task = tokio::spawn(async move {
            while let Some(item) = stream.next().await {
                if sender.send(item).await.is_err() {
                    return; // nobody reads any more
                }
            }
        });
        Self {
            items,
            task,
            closed: false,
        }
    }
}

impl<I> Stream for Pumped<I> {
    type Item = I;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<I>> {
        if !self.closed {
            match self.items.poll_recv(cx) {
                Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
                Poll::Ready(None) => self.closed = true,
                Poll::Pending => return Poll::Pending,
            }
        }
        // The channel closes when the task ends: normally, or by a panic that must not pass
        // for the end of the stream.
        match Pin::new(&mut self.task).poll(cx) {
            Poll::Ready(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Poll::Ready(_) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<I> Drop for Pumped<I> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::time::Duration;

    /// Five streams of four items, later streams faster than earlier ones.
    fn streams(running: Arc<AtomicUsize>, most: Arc<AtomicUsize>) -> Vec<BoxStream<'static, u32>> {
        (0..5_u32)
            .map(|s| {
                let (running, most) = (running.clone(), most.clone());
                stream::once(async move {
                    let now = running.fetch_add(1, SeqCst) + 1;
                    most.fetch_max(now, SeqCst);
                    tokio::time::sleep(Duration::from_millis(u64::from(50 - s * 10))).await;
                    running.fetch_sub(1, SeqCst);
                    stream::iter((0..4).map(move |i| s * 10 + i))
                })
                .flatten()
                .boxed()
            })
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn items_come_in_stream_order_with_at_most_at_once_running() {
        let expected: Vec<u32> = (0..5)
            .flat_map(|s| (0..4).map(move |i| s * 10 + i))
            .collect();
        for at_once in [1, 2, 3, 8] {
            let (running, most) = (Arc::default(), Arc::<AtomicUsize>::default());
            let all = in_order(stream::iter(streams(running, most.clone())), at_once, 2);
            let got: Vec<u32> = all.collect().await;
            assert_eq!(got, expected, "at_once {at_once}");
            assert_eq!(most.load(SeqCst), at_once.min(5), "at_once {at_once}");
        }
    }

    #[tokio::test]
    #[should_panic(expected = "window broke")]
    async fn a_panicking_stream_is_raised_not_cut_short() {
        let broken = stream::once(async { panic!("window broke") }).boxed();
        let streams = vec![stream::iter([1_u8]).boxed(), broken];
        let _: Vec<u8> = in_order(stream::iter(streams), 2, 1).collect().await;
    }

    #[tokio::test]
    async fn dropping_the_stream_stops_every_task_at_once() {
        // Streams that never yield (a request that never answers), each holding a guard.
        let guard = Arc::new(());
        let streams: Vec<BoxStream<'static, u8>> = (0..2)
            .map(|_| {
                let held = guard.clone();
                stream::once(async move {
                    let _held = held;
                    std::future::pending::<u8>().await
                })
                .boxed()
            })
            .collect();
        let mut all = in_order(stream::iter(streams), 2, 1);
        assert!(
            futures::poll!(all.next()).is_pending(),
            "both tasks started"
        );
        drop(all);
        // Bounded: an aborted task's future is dropped the next time the runtime runs.
        for _ in 0..200 {
            if Arc::strong_count(&guard) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(Arc::strong_count(&guard), 1, "a task outlived the stream");
    }
}
