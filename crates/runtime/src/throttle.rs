//! How many requests a client keeps in flight when the server rate-limits: an adaptive limit
//! (additive increase, multiplicative decrease, as TCP does) shared by every request that
//! carries the same [`Throttle`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// An adaptive cap on concurrent attempts, shared by the requests of one job (a concurrent
/// export, say).
///
/// Every attempt of a request whose [`ClientContext`](crate::ClientContext) carries the throttle
/// holds a permit while it waits for its answer's headers. A `429` halves the cap (never below
/// one) and pauses every holder's next attempt until the server's wait is over, so the job backs
/// off together instead of each request hammering the server on its own; each run of `cap`
/// successes raises the cap by one, up to the maximum it started at.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use cxkit_runtime::Throttle;
/// let throttle = Throttle::new(8);
/// assert_eq!(throttle.limit(), 8);
/// throttle.acquire().await.rate_limited(None);
/// assert_eq!(throttle.limit(), 4, "a 429 halves the cap");
/// for _ in 0..4 {
///     throttle.acquire().await.succeeded();
/// }
/// assert_eq!(throttle.limit(), 5, "a run of successes raises it by one");
/// # }
/// ```
#[derive(Debug)]
pub struct Throttle {
    max: usize,
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Debug)]
struct State {
    limit: usize,
    in_flight: usize,
    successes: usize,
    paused_until: Option<Instant>,
    rate_limited: u64,
}

impl Throttle {
    /// A throttle letting up to `max` attempts (at least one) run at once.
    pub fn new(max: usize) -> Arc<Self> {
        let max = max.max(1);
        Arc::new(Self {
            max,
            state: Mutex::new(State {
                limit: max,
                in_flight: 0,
                successes: 0,
                paused_until: None,
                rate_limited: 0,
            }),
            changed: Notify::new(),
        })
    }

    /// The most attempts allowed at once, as set at creation.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The current cap: `max` until the server rate-limits, lower after.
    pub fn limit(&self) -> usize {
        self.lock().limit
    }

    /// How many `429`s the throttle has seen.
    pub fn rate_limited_count(&self) -> u64 {
        self.lock().rate_limited
    }

    /// Waits for a free slot under the cap and for any shared pause to end.
    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the state is read, so a release in between is not missed.
            changed.as_mut().enable();
            let paused_until = {
                let mut state = self.lock();
                let paused = state.paused_until.filter(|at| *at > Instant::now());
                if paused.is_none() && state.in_flight < state.limit {
                    state.in_flight += 1;
                    return Permit {
                        throttle: self.clone(),
                    };
                }
                paused
            };
            match paused_until {
                Some(at) => tokio::time::sleep_until(at).await,
                None => changed.await,
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a handful of counters, consistent after every statement: a panic
        // elsewhere while the lock was held leaves nothing half-done.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A slot under a [`Throttle`]'s cap, released when dropped. Report how the attempt went with
/// [`succeeded`](Self::succeeded) or [`rate_limited`](Self::rate_limited).
#[derive(Debug)]
#[must_use = "a permit is released when dropped"]
pub struct Permit {
    throttle: Arc<Throttle>,
}

impl Permit {
    /// The server answered without rate-limiting: a run of `limit` of these raises the cap.
    pub fn succeeded(self) {
        let mut state = self.throttle.lock();
        state.successes += 1;
        if state.successes >= state.limit {
            state.successes = 0;
            state.limit = (state.limit + 1).min(self.throttle.max);
        }
    }

    /// The server answered `429`: halve the cap and pause every attempt for `wait` (the
    /// delay before this request's own retry).
    pub fn rate_limited(self, wait: Option<Duration>) {
        let mut state = self.throttle.lock();
        state.rate_limited += 1;
        state.successes = 0;
        state.limit = (state.limit / 2).max(1);
        if let Some(wait) = wait {
            let until = Instant::now() + wait;
            state.paused_until = Some(state.paused_until.map_or(until, |at| at.max(until)));
        }
        tracing::info!(
            limit = state.limit,
            "rate limited: fewer requests in flight"
        );
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.throttle.lock().in_flight -= 1;
        self.throttle.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn at_most_the_cap_is_in_flight_and_a_release_lets_the_next_in() {
        let throttle = Throttle::new(2);
        let a = throttle.acquire().await;
        let _b = throttle.acquire().await;
        let waiting = tokio::spawn({
            let throttle = throttle.clone();
            async move { throttle.acquire().await }
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(!waiting.is_finished(), "a third permit was given at cap 2");
        drop(a);
        let third = tokio::time::timeout(Duration::from_secs(1), waiting).await;
        assert!(third.is_ok(), "the released slot went to the waiter");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_halves_the_cap_and_pauses_everyone_for_its_wait() {
        let throttle = Throttle::new(8);
        throttle
            .acquire()
            .await
            .rate_limited(Some(Duration::from_secs(5)));
        assert_eq!(throttle.limit(), 4);
        assert_eq!(throttle.rate_limited_count(), 1);
        let started = Instant::now();
        drop(throttle.acquire().await);
        assert_eq!(
            started.elapsed(),
            Duration::from_secs(5),
            "the next attempt waited for the server's pause"
        );
        for _ in 0..10 {
            throttle.acquire().await.rate_limited(None);
        }
        assert_eq!(throttle.limit(), 1, "never below one");
    }

    #[tokio::test]
    async fn successes_raise_the_cap_back_to_its_maximum_and_no_further() {
        let throttle = Throttle::new(3);
        throttle.acquire().await.rate_limited(None);
        assert_eq!(throttle.limit(), 1);
        throttle.acquire().await.succeeded();
        assert_eq!(throttle.limit(), 2);
        for _ in 0..2 {
            throttle.acquire().await.succeeded();
        }
        assert_eq!(throttle.limit(), 3);
        for _ in 0..20 {
            throttle.acquire().await.succeeded();
        }
        assert_eq!(throttle.limit(), 3);
        assert_eq!(throttle.max(), 3);
    }
}
