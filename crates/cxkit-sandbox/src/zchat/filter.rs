//! The documented filters (period in the request's timezone, agents, departments, states,
//! types, `active`, `search`) and the rows of one page under them.

use super::data::{protocol, Data, Interaction};
use super::names::{FilterNames, ListNames};
use super::{authorize, error, paging};
use crate::query::{parse_query, value, Pairs};
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

/// The documented filters, parsed.
pub(super) struct Filter {
    pub(super) from: Option<DateTime<Utc>>,
    pub(super) to: Option<DateTime<Utc>>,
    agents: Option<Vec<u64>>,
    departments: Option<Vec<String>>,
    states: Option<Vec<String>>,
    types: Option<Vec<String>>,
    active: Option<bool>,
    search: Option<String>,
}

fn list(pairs: &Pairs, key: &str) -> Option<Vec<String>> {
    value(pairs, key).map(|v| {
        v.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

impl Filter {
    /// The filters of `pairs`, read under the route's own parameter `names`.
    pub(super) fn parse(
        pairs: &Pairs,
        anchor: DateTime<Utc>,
        names: &FilterNames,
    ) -> Result<Self, Response> {
        let bad = |m: String| error(StatusCode::BAD_REQUEST, &m);
        let named = |key: Option<&str>| key.and_then(|key| value(pairs, key));
        let tz = match named(names.timezone) {
            None => Utc.fix(),
            Some(t) => parse_offset(t).ok_or_else(|| bad(format!("invalid timezone `{t}`")))?,
        };
        let time = |key: Option<&str>| -> Result<Option<DateTime<Utc>>, Response> {
            let Some(key) = key else { return Ok(None) };
            match value(pairs, key) {
                None => Ok(None),
                Some(t) => {
                    let local = local_time(t).ok_or_else(|| {
                        bad(format!(
                            "invalid {key} `{t}`: expected YYYY-MM-DD HH:MM[:SS] (space or T)"
                        ))
                    })?;
                    let at = tz
                        .from_local_datetime(&local)
                        .single()
                        .ok_or_else(|| bad(format!("invalid {key}")))?;
                    Ok(Some(at.with_timezone(&Utc)))
                }
            }
        };
        let (from, to) = (time(names.from)?, time(names.to)?);
        // The vendor's defaults: the last 30 days, up to now.
        let from = from.or(Some(anchor - Duration::days(30)));
        // Ids the sandbox does not know (any text) match nothing, as on the vendor's side.
        let agents = list(pairs, names.agents).map(|ids| {
            ids.iter()
                .map(|i| i.parse::<u64>().unwrap_or(u64::MAX))
                .collect()
        });
        let active = match named(names.active) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => return Err(bad(format!("invalid active `{other}`"))),
        };
        Ok(Self {
            from,
            to,
            agents,
            departments: list(pairs, names.departments),
            states: list(pairs, names.states),
            types: list(pairs, names.types),
            active,
            search: named(names.search).map(|s| s.to_lowercase()),
        })
    }

    pub(super) fn without_period(mut self) -> Self {
        self.from = None;
        self.to = None;
        self
    }

    pub(super) fn matches(&self, i: &Interaction) -> bool {
        let within = |list: &Option<Vec<String>>, v: &str| {
            list.as_ref().is_none_or(|l| l.iter().any(|x| x == v))
        };
        self.agents.as_ref().is_none_or(|a| a.contains(&i.agent))
            && within(&self.departments, &(i.department + 1).to_string())
            && within(&self.states, i.state)
            && within(&self.types, i.channel)
            && self.active.is_none_or(|a| a == i.active)
            && self.search.as_ref().is_none_or(|s| {
                i.customer.to_lowercase().contains(s)
                    || format!("agent{}@sandbox.example", i.agent).contains(s)
                    || protocol(i.index) == *s
            })
    }

    fn is_period_only(&self) -> bool {
        self.agents.is_none()
            && self.departments.is_none()
            && self.states.is_none()
            && self.types.is_none()
            && self.active.is_none()
            && self.search.is_none()
    }
}

/// The forms the vendor documents: `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS` and
/// `YYYY-MM-DDTHH:MM:SS`. A day past the end of its month (`02-29` in a common year) is read
/// as the month's last day, as date libraries that roll over would not.
fn local_time(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.splitn(3, ':').map(|p| p.parse::<u32>().ok());
    let (hour, minute) = (t.next()??, t.next()??);
    let second = match t.next() {
        Some(s) => s?,
        None => 0,
    };
    let year = i32::try_from(year).ok()?;
    let last_day = (28..=31)
        .rev()
        .find(|d| chrono::NaiveDate::from_ymd_opt(year, month, *d).is_some())?;
    chrono::NaiveDate::from_ymd_opt(year, month, day.min(last_day))?
        .and_hms_opt(hour, minute, second)
}

fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The rows of one page: index arithmetic when only the period filters, a scan otherwise.
pub(super) fn page_of(data: &Data, filter: &Filter, limit: u64, page: u64) -> Vec<Interaction> {
    let range = data.range(filter.from, filter.to);
    let skip = (page - 1).saturating_mul(limit);
    if filter.is_period_only() {
        let start = range.start.saturating_add(skip).min(range.end);
        let end = start.saturating_add(limit).min(range.end);
        return (start..end).map(|i| data.at(i)).collect();
    }
    range
        .map(|i| data.at(i))
        .filter(|i| filter.matches(i))
        .skip(skip as usize)
        .take(limit as usize)
        .collect()
}

/// An authorised list request's filter, page size and page number; the first problem found
/// (credential, then filters, then paging) as the vendor's answer.
pub(super) fn list_request(
    state: &AppState,
    raw_query: Option<&str>,
    names: &ListNames,
) -> Result<(Filter, u64, u64), Response> {
    let pairs = parse_query(raw_query);
    authorize(state, &pairs)?;
    let filter = Filter::parse(&pairs, state.config.anchor, &names.filter)?;
    let (limit, page) = paging(&pairs, &names.paging)?;
    Ok((filter, limit, page))
}
