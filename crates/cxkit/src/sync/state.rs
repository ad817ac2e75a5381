//! Incremental state: where the last run of a stream stopped, and which rows it already
//! emitted near that point, so the next run starts a little earlier and still emits no row
//! twice.

use super::catalog::StreamDef;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// What one stream's last run left: the latest cursor value it saw and the primary keys of
/// the rows inside the overlap before it (key → that row's cursor value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamState {
    /// The latest cursor value seen (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<DateTime<Utc>>,
    /// Rows already emitted within the overlap before `cursor`: primary key → cursor value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seen: BTreeMap<String, DateTime<Utc>>,
}

/// Reads a cursor value the way vendors write date-times: RFC 3339, or a naive
/// `YYYY-MM-DD[ T]HH:MM[:SS[.fff]]` taken as UTC.
///
/// ```
/// use cxkit::sync::parse_time;
/// assert!(parse_time("2024-03-01T10:00:00.123Z").is_some());
/// assert_eq!(parse_time("2024-03-01 10:00:00"), parse_time("2024-03-01T10:00:00Z"));
/// assert!(parse_time("created_at_iso").is_none());
/// ```
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    parse_time_in(text, utc())
}

/// The zero offset.
fn utc() -> FixedOffset {
    chrono::Offset::fix(&Utc)
}

/// [`parse_time`], reading a date-time without an offset as local time in `offset` (the
/// vendor account's zone, e.g. zchat's `-03:00`).
///
/// ```
/// use cxkit::sync::{parse_time, parse_time_in};
/// let brasilia = chrono::FixedOffset::west_opt(3 * 3600).unwrap();
/// assert_eq!(
///     parse_time_in("2024-03-01 07:00:00", brasilia),
///     parse_time("2024-03-01T10:00:00Z")
/// );
/// // An explicit offset wins.
/// assert_eq!(
///     parse_time_in("2024-03-01T10:00:00Z", brasilia),
///     parse_time("2024-03-01T10:00:00Z")
/// );
/// ```
pub fn parse_time_in(text: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .and_then(|t| offset.from_local_datetime(&t).single())
    .map(|t| t.with_timezone(&Utc))
}

/// Follows one stream's run: which rows to emit and the state to save afterwards.
///
/// Feed every row the API returns to [`admit`](Self::admit) in order; emit those it admits;
/// once they are durable, save [`state`](Self::state). A full-refresh stream admits every
/// row and leaves no state.
#[derive(Clone, Debug)]
pub struct Incremental {
    stream: &'static StreamDef,
    previous: StreamState,
    latest: Option<DateTime<Utc>>,
    recent: BTreeMap<String, DateTime<Utc>>,
    emitted: u64,
    repeated: u64,
    /// The cursor never passes this: the run's end (its `--to`, or when it started).
    until: Option<DateTime<Utc>>,
    /// How much earlier than the overlap a run starts, to pick up rows changed since.
    lookback: Duration,
    /// The zone of cursor values written without an offset.
    naive_offset: FixedOffset,
}

impl Incremental {
    /// Follows `stream`, continuing from `previous` (a first run: `None`).
    pub fn new(stream: &'static StreamDef, previous: Option<StreamState>) -> Self {
        let previous = previous.unwrap_or_default();
        Self {
            stream,
            latest: previous.cursor,
            recent: BTreeMap::new(),
            previous,
            emitted: 0,
            repeated: 0,
            until: None,
            lookback: Duration::zero(),
            naive_offset: utc(),
        }
    }

    /// Starts every run `lookback` earlier than the overlap alone would, so rows that changed
    /// after they were first read (a status, an owner) are read again. Rows re-read inside the
    /// overlap are still recognised and dropped; rows re-read further back are emitted again,
    /// as the changed rows they may be (a destination that de-duplicates by primary key keeps
    /// the newest).
    pub fn lookback(mut self, lookback: Duration) -> Self {
        self.lookback = lookback.max(Duration::zero());
        self
    }

    /// Reads cursor values written without an offset (zchat's naive `created_at`) as local
    /// time in `offset`; every saved cursor is UTC.
    pub fn naive_offset(mut self, offset: FixedOffset) -> Self {
        self.naive_offset = offset;
        self
    }

    /// Bounds the saved cursor by `until` (the end of the period the run asked for, or the
    /// instant it started): a row dated later (a vendor's clock ahead, a test record dated
    /// 2099) is emitted, but cannot move the cursor past the run, so later runs still read
    /// everything after it. The row's key stays in the overlap, so it is not emitted again.
    ///
    /// ```
    /// use cxkit::sync::{parse_time, Incremental, STREAMS};
    /// let calls = STREAMS.iter().find(|s| s.name == "converz_calls").unwrap();
    /// let now = parse_time("2024-03-01T12:00:00Z").unwrap();
    /// let mut run = Incremental::new(calls, None).until(now);
    /// assert!(run.admit_json(br#"{"call_id":1,"start_time":"2099-01-01T00:00:00Z"}"#)?);
    /// assert_eq!(run.state().unwrap().cursor, Some(now));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn until(mut self, until: DateTime<Utc>) -> Self {
        self.until = Some(until);
        self
    }

    /// Where this run starts reading: the previous cursor less the overlap, or `None` when
    /// there is no previous cursor (start from the configured start) or no cursor at all.
    pub fn since(&self) -> Option<DateTime<Utc>> {
        let cursor = self.stream.cursor?;
        self.previous
            .cursor
            .map(|c| c - Duration::seconds(cursor.overlap_secs) - self.lookback)
    }

    /// The later of [`since`](Self::since) and `start`: the first run starts at `start`.
    pub fn start(&self, start: DateTime<Utc>) -> DateTime<Utc> {
        self.since().map_or(start, |s| s.max(start))
    }

    /// [`admit`](Self::admit) for a row given as its JSON text (a [`RawRow`](crate::RawRow)'s):
    /// only the members the stream's primary key and cursor name are decoded.
    ///
    /// ```
    /// use cxkit::sync::{Incremental, STREAMS};
    /// let calls = STREAMS.iter().find(|s| s.name == "converz_calls").unwrap();
    /// let mut run = Incremental::new(calls, None);
    /// let row = br#"{"call_id":7,"start_time":"2024-03-01T10:00:00Z","talk_time":31}"#;
    /// assert!(run.admit_json(row)?);
    /// assert!(!run.admit_json(row)?, "the same call twice");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn admit_json(&mut self, row: &[u8]) -> serde_json::Result<bool> {
        let Some(cursor) = self.stream.cursor else {
            self.emitted += 1;
            return Ok(true);
        };
        let row: Value = if self.stream.primary_key.is_empty() {
            serde_json::from_slice(row)?
        } else {
            let mut wanted = self.stream.primary_key.to_vec();
            wanted.push(cursor.field);
            pick_members(row, &wanted)?
        };
        Ok(self.admit(&row))
    }

    /// Whether to emit `row`: `false` for a row the previous run emitted (seen in the
    /// overlap, by primary key) or one this run already emitted.
    pub fn admit(&mut self, row: &Value) -> bool {
        let Some(cursor) = self.stream.cursor else {
            self.emitted += 1;
            return true;
        };
        let key = self.key(row);
        if self.previous.seen.contains_key(&key) || self.recent.contains_key(&key) {
            self.repeated += 1;
            return false;
        }
        self.emitted += 1;
        if let Some(at) = row
            .get(cursor.field)
            .and_then(Value::as_str)
            .and_then(|text| parse_time_in(text, self.naive_offset))
        {
            self.latest = Some(self.latest.map_or(at, |l| l.max(at)));
            self.recent.insert(key, at);
            self.prune(cursor.overlap_secs);
        } else {
            // No readable cursor: the row is emitted (nothing is lost) and remembered until the
            // end of the run, but it cannot move the cursor.
            self.recent.insert(key, DateTime::<Utc>::MAX_UTC);
        }
        true
    }

    /// The stream followed.
    pub fn stream(&self) -> &'static StreamDef {
        self.stream
    }

    /// Rows emitted so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// Rows not emitted because an earlier run (or this one) already had them.
    pub fn repeated(&self) -> u64 {
        self.repeated
    }

    /// The state that covers every row admitted so far; `None` for a full-refresh stream.
    pub fn state(&self) -> Option<StreamState> {
        let cursor = self.stream.cursor?;
        let Some(latest) = self.latest else {
            return Some(self.previous.clone());
        };
        let latest = self.until.map_or(latest, |until| latest.min(until));
        let floor = latest - Duration::seconds(cursor.overlap_secs);
        let seen = self
            .previous
            .seen
            .iter()
            .chain(&self.recent)
            .filter(|(_, at)| **at >= floor && **at != DateTime::<Utc>::MAX_UTC)
            .map(|(k, at)| (k.clone(), *at))
            .collect();
        Some(StreamState {
            cursor: Some(latest),
            seen,
        })
    }

    /// The row's primary key as one string (the key fields' JSON, joined); the whole row
    /// for a stream without a key.
    fn key(&self, row: &Value) -> String {
        if self.stream.primary_key.is_empty() {
            return row.to_string();
        }
        let parts: Vec<String> = self
            .stream
            .primary_key
            .iter()
            .map(|k| match row.get(*k) {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            })
            .collect();
        parts.join("\u{1f}")
    }

    /// Forgets keys that fell out of the overlap, so a long run holds only the rows of the
    /// last `overlap` seconds.
    fn prune(&mut self, overlap_secs: i64) {
        if self.recent.len() < 4096 {
            return;
        }
        if let Some(latest) = self.latest {
            let floor = latest - Duration::seconds(overlap_secs);
            self.recent
                .retain(|_, at| *at >= floor || *at == DateTime::<Utc>::MAX_UTC);
        }
    }
}

/// The members of the JSON object `row` named in `wanted`, decoded; the others only checked.
fn pick_members(row: &[u8], wanted: &[&str]) -> serde_json::Result<Value> {
    struct Pick<'w>(&'w [&'w str]);

    impl<'de> serde::de::Visitor<'de> for Pick<'_> {
        type Value = serde_json::Map<String, Value>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut picked = serde_json::Map::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if self.0.contains(&key.as_ref()) {
                    picked.insert(key.into_owned(), map.next_value()?);
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(picked)
        }
    }

    let mut de = serde_json::Deserializer::from_slice(row);
    let picked = serde::Deserializer::deserialize_map(&mut de, Pick(wanted))?;
    de.end()?;
    Ok(Value::Object(picked))
}

#[cfg(test)]
mod tests {
    use super::super::stream;
    use super::*;
    use serde_json::json;

    fn row(id: &str, created: &str) -> Value {
        json!({"id": id, "created": created})
    }

    #[test]
    fn a_stream_without_a_cursor_emits_and_counts_every_row() {
        let groups = stream("conversion_groups").unwrap();
        assert!(groups.cursor.is_none());
        let mut run = Incremental::new(groups, None);
        for _ in 0..3 {
            assert!(run.admit_json(br#"{"id":"g","name":"n"}"#).unwrap());
            assert!(run.admit(&json!({"id": "g", "name": "n"})));
        }
        assert_eq!((run.emitted(), run.repeated()), (6, 0));
    }

    #[test]
    fn a_long_run_forgets_only_rows_older_than_the_overlap() {
        let s = stream("conversion_prospects").unwrap();
        let overlap = s.cursor.unwrap().overlap_secs;
        let mut run = Incremental::new(s, None);
        // A row without a readable cursor is remembered for the whole run.
        assert!(run.admit(&json!({"id": "no-cursor"})));
        let t0 = parse_time("2024-03-01T00:00:00Z").unwrap();
        let at = |i: i64| (t0 + Duration::seconds(i)).to_rfc3339();
        let n = 3 * 4096 + overlap;
        for i in 0..n {
            assert!(run.admit(&row(&format!("r{i}"), &at(i))));
            // Right after every admit (so also right after each prune), the row exactly one
            // overlap older and the cursorless row are still remembered.
            if i >= overlap {
                let edge = format!("r{}", i - overlap);
                assert!(run.recent.contains_key(&edge), "{edge} forgotten at r{i}");
            }
            assert!(run.recent.contains_key("no-cursor"), "forgotten at r{i}");
        }
        assert!(run.recent.len() <= 4096, "{} keys held", run.recent.len());
        // Repeats inside the overlap, and the cursorless row, are still recognised.
        for i in [n - 1, n - 1 - overlap] {
            assert!(!run.admit(&row(&format!("r{i}"), &at(i))), "r{i} twice");
        }
        assert!(!run.admit(&json!({"id": "no-cursor"})));
        assert_eq!((run.emitted(), run.repeated()), (n as u64 + 1, 3));
        let error = run.admit_json(b"[1]").unwrap_err();
        assert!(
            error.to_string().contains("expected a JSON object"),
            "{error}"
        );
    }

    #[test]
    fn a_second_run_starts_before_the_cursor_and_skips_what_it_saw() {
        let s = stream("conversion_prospects").unwrap();
        let mut first = Incremental::new(s, None);
        assert_eq!(first.since(), None);
        for (id, t) in [
            ("a", "2024-03-01T08:00:00Z"),
            ("c", "2024-03-01T10:00:00Z"),
            ("b", "2024-03-01T09:30:00Z"),
        ] {
            assert!(first.admit(&row(id, t)));
        }
        let state = first.state().unwrap();
        assert_eq!(state.cursor, parse_time("2024-03-01T10:00:00Z"));
        // a is older than the one-hour overlap; b and c are inside it.
        assert_eq!(state.seen.keys().collect::<Vec<_>>(), ["b", "c"]);

        let mut second = Incremental::new(s, Some(state));
        assert_eq!(second.since(), parse_time("2024-03-01T09:00:00Z"));
        let emitted: Vec<bool> = [
            ("b", "2024-03-01T09:30:00Z"),
            ("c", "2024-03-01T10:00:00Z"),
            ("d", "2024-03-01T10:00:00Z"),
        ]
        .iter()
        .map(|(id, t)| second.admit(&row(id, t)))
        .collect();
        assert_eq!(emitted, [false, false, true]);
        assert_eq!((second.emitted(), second.repeated()), (1, 2));
        let third = second.state().unwrap();
        assert_eq!(third.seen.keys().collect::<Vec<_>>(), ["b", "c", "d"]);
    }

    /// A row given as its JSON text is admitted exactly as its value is, and leaves the same
    /// state, whatever else the row carries.
    #[test]
    fn rows_given_as_json_text_are_admitted_as_their_values() {
        let s = stream("converz_calls").unwrap();
        let rows = [
            json!({"call_id": 7, "start_time": "2024-03-01T10:00:00Z", "notes": {"a": [1, "x"]}}),
            json!({"talk_time": 3, "call_id": "8", "start_time": "2024-03-01 09:30:00"}),
            json!({"call_id": 7, "start_time": "2024-03-01T10:00:00Z"}),
            json!({"call_id": 9, "start_time": "not a time"}),
            json!({"start_time": "2024-03-01T11:00:00Z"}),
        ];
        let (mut by_value, mut by_text) = (Incremental::new(s, None), Incremental::new(s, None));
        for row in &rows {
            let text = row.to_string();
            assert_eq!(
                by_text.admit_json(text.as_bytes()).unwrap(),
                by_value.admit(row),
                "{text}"
            );
        }
        assert_eq!(by_text.state(), by_value.state());
        assert_eq!((by_text.emitted(), by_text.repeated()), (4, 1));
        assert!(by_text.admit_json(b"[1]").is_err());
        assert!(by_text.admit_json(br#"{"call_id":1"#).is_err());
    }

    #[test]
    fn an_empty_run_keeps_the_state_and_a_repeat_within_a_run_is_dropped() {
        let s = stream("conversion_interactions").unwrap();
        let before = StreamState {
            cursor: parse_time("2024-01-01T00:00:00Z"),
            seen: BTreeMap::from([("x".into(), parse_time("2024-01-01T00:00:00Z").unwrap())]),
        };
        let run = Incremental::new(s, Some(before.clone()));
        assert_eq!(run.state(), Some(before));

        let mut run = Incremental::new(s, None);
        let r = json!({"id": "1", "createdAt": "2024-01-01T00:00:00Z"});
        assert!(run.admit(&r));
        assert!(!run.admit(&r));
    }

    #[test]
    fn rows_without_a_readable_cursor_are_emitted_but_do_not_move_it() {
        let s = stream("zchat_history").unwrap();
        let mut run = Incremental::new(s, None);
        assert!(run.admit(&json!({"id": "p1", "created_at": "created_at_iso"})));
        assert!(run.admit(&json!({"id": "p2", "created_at": "2024-05-01 12:00:00"})));
        let state = run.state().unwrap();
        assert_eq!(state.cursor, parse_time("2024-05-01T12:00:00Z"));
        assert!(!state.seen.contains_key("p1"));
    }

    #[test]
    fn full_refresh_streams_admit_everything_and_keep_no_state() {
        let s = stream("conversion_groups").unwrap();
        let mut run = Incremental::new(s, None);
        assert!(run.admit(&json!({"id": "g"})));
        assert!(run.admit(&json!({"id": "g"})));
        assert_eq!(run.state(), None);
        assert_eq!(run.since(), None);
    }

    #[test]
    fn a_future_dated_row_cannot_move_the_cursor_past_the_run() {
        let s = stream("conversion_prospects").unwrap();
        let end = parse_time("2024-03-01T12:00:00Z").unwrap();
        let mut first = Incremental::new(s, None).until(end);
        assert!(first.admit(&row("ok", "2024-03-01T11:00:00Z")));
        assert!(first.admit(&row("future", "2099-01-01T00:00:00Z")));
        let state = first.state().unwrap();
        assert_eq!(state.cursor, Some(end));
        assert!(state.seen.contains_key("future") && state.seen.contains_key("ok"));

        // The next run starts before the bound, reads a row that came later, and does not
        // write the future-dated row again.
        let mut second = Incremental::new(s, Some(state)).until(end + Duration::hours(1));
        assert_eq!(second.since(), Some(end - Duration::hours(1)));
        assert!(!second.admit(&row("future", "2099-01-01T00:00:00Z")));
        assert!(second.admit(&row("late", "2024-03-01T12:30:00Z")));
        let second = second.state().unwrap();
        assert_eq!(second.cursor, parse_time("2024-03-01T12:30:00Z"));
        assert!(second.seen.contains_key("future"), "still known as written");
    }

    #[test]
    fn a_lookback_starts_earlier_and_naive_cursors_are_read_in_the_vendor_offset() {
        let s = stream("zchat_history").unwrap();
        let minus_three = FixedOffset::west_opt(3 * 3600).unwrap();
        let mut first = Incremental::new(s, None).naive_offset(minus_three);
        assert!(first.admit(&json!({"id": "p1", "created_at": "2024-05-01 09:00:00"})));
        let state = first.state().unwrap();
        assert_eq!(
            state.cursor,
            parse_time("2024-05-01T12:00:00Z"),
            "saved in UTC"
        );

        let second = Incremental::new(s, Some(state)).lookback(Duration::days(2));
        assert_eq!(second.since(), parse_time("2024-04-29T11:00:00Z"));
    }

    #[test]
    fn state_round_trips_as_json() {
        let state = StreamState {
            cursor: parse_time("2024-03-01T10:00:00Z"),
            seen: BTreeMap::from([("k".into(), parse_time("2024-03-01T09:59:00Z").unwrap())]),
        };
        let text = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<StreamState>(&text).unwrap(), state);
    }
}
