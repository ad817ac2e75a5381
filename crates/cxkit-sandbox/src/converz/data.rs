//! The generated data: users and conversations drawn from (seed, row index), so that any
//! row can be made on demand without storing the table.

use crate::config::DATA_DAYS;
use crate::{rng, AppState};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

const CAMPAIGNS: [&str; 4] = ["sales", "retention", "support", "onboarding"];
const VENDORS: [&str; 3] = ["five9", "genesys", "twilio"];
const DEPARTMENTS: [&str; 3] = ["support", "sales", "billing"];

pub(super) fn rep_id(index: u64) -> String {
    format!("rep{index:03}")
}

pub(super) fn rep(state: &AppState, index: u64) -> Map<String, Value> {
    let r = |k: u64| rng::at(state.config.seed, 100 + k, index);
    let mut row = Map::new();
    row.insert("rep_id".into(), rep_id(index).into());
    row.insert("name".into(), format!("Agent {index}").into());
    row.insert("gender".into(), rng::pick(&["f", "m", "x"], r(1)).into());
    row.insert("department".into(), rng::pick(&DEPARTMENTS, r(2)).into());
    row.insert("campaign".into(), rng::pick(&CAMPAIGNS, r(3)).into());
    row.insert("active".into(), u64::from(r(4) % 5 != 0).into());
    row
}

pub(super) struct Calls {
    seed: u64,
    count: u64,
    start: DateTime<Utc>,
    step_ms: i64,
    reps: u64,
}

impl Calls {
    pub(super) fn new(state: &AppState) -> Self {
        let span = Duration::days(DATA_DAYS).num_milliseconds();
        Self {
            seed: state.config.seed,
            count: state.config.calls,
            start: state.config.anchor - Duration::days(DATA_DAYS),
            step_ms: (span / state.config.calls.max(1) as i64).max(1),
            reps: state.config.reps.max(1),
        }
    }

    pub(super) fn started(&self, index: u64) -> DateTime<Utc> {
        self.start + Duration::milliseconds(self.step_ms * index as i64)
    }

    pub(super) fn row(&self, index: u64) -> Map<String, Value> {
        let r = |k: u64| rng::at(self.seed, 200 + k, index);
        let campaign = rng::pick(&CAMPAIGNS, r(1));
        let mut row = Map::new();
        row.insert("call_id".into(), (index as i64 + 1).into());
        row.insert("rep_id".into(), rep_id(r(2) % self.reps).into());
        row.insert(
            "start_time".into(),
            self.started(index)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
                .into(),
        );
        row.insert("duration".into(), (30 + r(3) % 1200).into());
        row.insert("campaign".into(), campaign.into());
        row.insert(
            // wire-literal: the seeded columns of an open Call row, not parameters
            "subcampaign".into(),
            format!("{campaign}-{}", r(4) % 3 + 1).into(),
        );
        // wire-literal: the seeded columns of an open Call row, not parameters
        row.insert("vendor".into(), rng::pick(&VENDORS, r(5)).into());
        let vendor_call_id = format!("v-{}", index + 1);
        row.insert("vendor_call_id".into(), vendor_call_id.into()); // wire-literal: a column
        row.insert("department".into(), rng::pick(&DEPARTMENTS, r(6)).into());
        row.insert(
            "summary".into(),
            format!("Customer asked about {campaign}.").into(),
        );
        row
    }

    /// Indices started in `[from, to)`.
    pub(super) fn range(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> std::ops::Range<u64> {
        let index_of = |t: DateTime<Utc>| {
            let ms = (t - self.start).num_milliseconds();
            if ms <= 0 {
                0
            } else {
                ((ms + self.step_ms - 1) / self.step_ms) as u64
            }
        };
        let lo = from.map_or(0, index_of).min(self.count);
        let hi = to.map_or(self.count, index_of).min(self.count);
        lo..hi.max(lo)
    }
}
