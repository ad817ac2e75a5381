//! The receiver's memory of events: which are being handled right now and which were handled,
//! bounded by a count (oldest forgotten first) and optionally by age, looked up in O(1).

use super::EventId;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

enum State {
    /// A handler is on it; waiters are woken when it ends either way.
    InFlight(Arc<Notify>),
    /// Handled at this instant.
    Handled(Instant),
}

/// What a delivery should do.
pub(super) enum Claim {
    /// Handle it: nobody has.
    Claimed,
    /// Acknowledge it: already handled.
    Handled,
    /// Wait for the handler that is on it, then ask again.
    Wait(Arc<Notify>),
}

pub(super) struct Seen {
    states: HashMap<EventId, State>,
    /// Handled events, oldest first, with the instant recorded in `states` (an event forgotten
    /// by age and handled again appears twice; only the entry matching `states` counts).
    order: VecDeque<(EventId, Instant)>,
    capacity: usize,
    window: Option<Duration>,
}

impl Seen {
    pub fn new(
        capacity: usize,
        window: Option<Duration>,
        handled: impl IntoIterator<Item = EventId>,
    ) -> Self {
        let mut seen = Self {
            states: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            window,
        };
        let now = Instant::now();
        for id in handled {
            seen.mark_handled(id, now);
        }
        seen
    }

    pub fn claim(&mut self, id: EventId) -> Claim {
        self.forget_expired();
        match self.states.get(&id) {
            Some(State::Handled(_)) => Claim::Handled,
            Some(State::InFlight(done)) => Claim::Wait(done.clone()),
            None => {
                self.states
                    .insert(id, State::InFlight(Arc::new(Notify::new())));
                Claim::Claimed
            }
        }
    }

    /// Whether a handler is on `id` right now.
    pub fn is_in_flight(&self, id: EventId) -> bool {
        matches!(self.states.get(&id), Some(State::InFlight(_)))
    }

    /// Ends a claim: remembered as handled, or forgotten so a redelivery is handled.
    pub fn release(&mut self, id: EventId, handled: bool) {
        let previous = if handled {
            let state = self.states.remove(&id);
            self.mark_handled(id, Instant::now());
            state
        } else {
            self.states.remove(&id)
        };
        if let Some(State::InFlight(done)) = previous {
            done.notify_waiters();
        }
    }

    fn mark_handled(&mut self, id: EventId, at: Instant) {
        self.states.insert(id, State::Handled(at));
        self.order.push_back((id, at));
        while self.order.len() > self.capacity {
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((id, at)) = self.order.pop_front() {
            if matches!(self.states.get(&id), Some(State::Handled(t)) if *t == at) {
                self.states.remove(&id);
            }
        }
    }

    fn forget_expired(&mut self) {
        let Some(window) = self.window else { return };
        while self
            .order
            .front()
            .is_some_and(|(_, at)| at.elapsed() > window)
        {
            self.pop_oldest();
        }
    }

    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.states.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> EventId {
        EventId::from_bytes([n; 16])
    }

    #[test]
    fn the_oldest_handled_event_is_forgotten_past_the_capacity() {
        let mut seen = Seen::new(2, None, [id(1), id(2)]);
        assert!(matches!(seen.claim(id(1)), Claim::Handled));
        assert!(matches!(seen.claim(id(3)), Claim::Claimed));
        seen.release(id(3), true);
        assert_eq!(seen.remembered(), 2);
        assert!(matches!(seen.claim(id(1)), Claim::Claimed), "forgotten");
        assert!(matches!(seen.claim(id(2)), Claim::Handled));
        assert!(matches!(seen.claim(id(3)), Claim::Handled));
    }

    #[test]
    fn an_event_in_flight_is_waited_for_and_a_failed_one_is_forgotten() {
        let mut seen = Seen::new(8, None, []);
        assert!(!seen.is_in_flight(id(1)));
        assert!(matches!(seen.claim(id(1)), Claim::Claimed));
        assert!(seen.is_in_flight(id(1)) && !seen.is_in_flight(id(2)));
        assert!(matches!(seen.claim(id(1)), Claim::Wait(_)));
        seen.release(id(1), false);
        assert!(!seen.is_in_flight(id(1)));
        assert!(matches!(seen.claim(id(1)), Claim::Claimed));
        seen.release(id(1), true);
        assert!(matches!(seen.claim(id(1)), Claim::Handled));
    }

    #[test]
    fn a_window_forgets_by_age_and_an_event_handled_again_stays() {
        let mut seen = Seen::new(8, Some(Duration::ZERO), [id(1)]);
        std::thread::sleep(Duration::from_millis(2));
        assert!(matches!(seen.claim(id(1)), Claim::Claimed));
        seen.release(id(1), true);
        // The stale entry of the first handling must not evict the second one's.
        let mut seen_long = Seen::new(1, None, [id(1)]);
        seen_long.release(id(1), true);
        assert!(matches!(seen_long.claim(id(1)), Claim::Handled));
    }
}
