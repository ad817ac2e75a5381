//! The random draws of one seeded prospect and its activity: the same on every run, so the
//! seeded account (`seed`) and its activity (`activity`) agree.

use crate::rng;
use chrono::Duration;

/// The random draws of one prospect: draw `k` is the same on every run.
pub(super) struct Draw {
    /// The sandbox's seed.
    pub seed: u64,
    /// The prospect's index.
    pub index: u64,
}

impl Draw {
    /// Draw `k`.
    pub fn at(&self, k: u64) -> u64 {
        rng::at(self.seed, 500 + k, self.index)
    }

    /// Draw `k` as a percentage, `0..100`.
    pub fn percent(&self, k: u64) -> u64 {
        self.at(k) % 100
    }

    /// One of `items`, by draw `k`.
    pub fn pick<T: Copy>(&self, k: u64, items: &[T]) -> T {
        rng::pick(items, self.at(k))
    }

    /// 1 to 999 milliseconds from `value`: real timestamps carry milliseconds.
    pub fn millis(&self, value: u64) -> Duration {
        Duration::milliseconds(1 + (value % 999) as i64)
    }
}
