//! The generated interactions: history rows over the 90 days before the anchor and ongoing
//! ones over its last 8 hours, each drawn from (seed, row index) so that any row can be made
//! on demand without storing the table.

use crate::config::DATA_DAYS;
use crate::{rng, AppState};
use chrono::{DateTime, Duration, Utc};

const CHANNELS: [&str; 9] = [
    "WHATSAPP", "EMAIL", "TEXT", "FACEBOOK", "SMS", "TELEGRAM", "PHONE", "MELI_QST", "MELI_MSG",
];
const STATES: [&str; 4] = ["ENDED", "ENDED", "CANCELED", "DISCARDED"];
const AGENTS: u64 = 20;
pub(super) const DEPARTMENTS: [&str; 5] =
    ["Vendas", "Suporte", "Financeiro", "Pós-venda", "Ouvidoria"];
const NAMES: [&str; 8] = [
    "Ana Souza",
    "Bruno Lima",
    "Carla Dias",
    "Diego Alves",
    "Elisa Rocha",
    "Fábio Melo",
    "Gabi Nunes",
    "Hugo Reis",
];

/// A generated interaction (the base of history, expanded and ongoing rows).
pub(super) struct Interaction {
    pub(super) index: u64,
    pub(super) created: DateTime<Utc>,
    pub(super) channel: &'static str,
    pub(super) state: &'static str,
    pub(super) agent: u64,
    pub(super) department: usize,
    pub(super) active: bool,
    pub(super) customer: &'static str,
    pub(super) mood: u64,
}

pub(super) struct Data<'a> {
    pub(super) seed: u64,
    rows: u64,
    start: DateTime<Utc>,
    step: Duration,
    salt: u64,
    _state: &'a AppState,
}

impl<'a> Data<'a> {
    pub(super) fn history(state: &'a AppState) -> Self {
        let rows = state.config.history_rows.max(1);
        let span = Duration::days(DATA_DAYS);
        Self {
            seed: state.config.seed,
            rows: state.config.history_rows,
            start: state.config.anchor - span,
            step: span / i32::try_from(rows).unwrap_or(i32::MAX).max(1),
            salt: 1,
            _state: state,
        }
    }

    pub(super) fn ongoing(state: &'a AppState) -> Self {
        let rows = state.config.ongoing_rows.max(1);
        Self {
            seed: state.config.seed,
            rows: state.config.ongoing_rows,
            start: state.config.anchor - Duration::hours(8),
            step: Duration::hours(8) / i32::try_from(rows).unwrap_or(i32::MAX).max(1),
            salt: 2,
            _state: state,
        }
    }

    pub(super) fn at(&self, index: u64) -> Interaction {
        let r = |k: u64| rng::at(self.seed, self.salt * 16 + k, index);
        let step_ms = self.step.num_milliseconds().max(1);
        Interaction {
            index,
            created: self.start + Duration::milliseconds(step_ms * index as i64),
            channel: rng::pick(&CHANNELS, r(1)),
            state: rng::pick(&STATES, r(2)),
            agent: r(3) % AGENTS + 1,
            department: (r(4) % DEPARTMENTS.len() as u64) as usize,
            active: r(5) % 4 == 0,
            customer: rng::pick(&NAMES, r(6)),
            mood: r(7) % 5 + 1,
        }
    }

    /// The index range whose rows were created in `[from, to]`.
    pub(super) fn range(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> std::ops::Range<u64> {
        let step = self.step.num_milliseconds().max(1);
        let index_of = |t: DateTime<Utc>| -> i64 {
            let ms = (t - self.start).num_milliseconds();
            if ms <= 0 {
                0
            } else {
                (ms + step - 1) / step
            }
        };
        let lo = from.map_or(0, index_of).clamp(0, self.rows as i64) as u64;
        let hi = to
            .map_or(self.rows as i64, |t| {
                index_of(t + Duration::milliseconds(1))
            })
            .clamp(0, self.rows as i64) as u64;
        lo..hi.max(lo)
    }
}

pub(super) fn protocol(index: u64) -> String {
    format!("2024{index:08}")
}
