//! Typed zchat filters, turned into the vendor's wire forms (comma lists, local date-times
//! with a `±HHMM` zone).

use super::{Channel, ReportGrouping, State, MAX_PAGE_SIZE};
use crate::error::Error;
use crate::pagination::paging_setters;
use crate::period::{Period, PeriodError};
use crate::wire::{comma_list, wire_text};
use chrono::{DateTime, TimeZone};
use zchat_api::builder;

const DEFAULT_PAGE_SIZE: u32 = 1_000;

/// A period as zchat's wire has it: both ends as local date-times in the period's offset,
/// which is sent as `timezone` (`±HHMM`). The one place a period is formatted for zchat.
struct WirePeriod {
    from: String,
    to: String,
    timezone: String,
}

impl WirePeriod {
    fn of(period: &Period) -> Self {
        let local = "%Y-%m-%dT%H:%M:%S";
        Self {
            from: period.from().format(local).to_string(),
            to: period.to().format(local).to_string(),
            timezone: period.from().format("%z").to_string(),
        }
    }
}

/// A query's period: none (the vendor's default), or what `between` was given, checked.
type MaybePeriod = Option<Result<Period, PeriodError>>;

/// The wire form of `period`, or the error it was made with.
fn wire_period(period: &MaybePeriod) -> Result<Option<WirePeriod>, Error> {
    match period {
        None => Ok(None),
        Some(Ok(period)) => Ok(Some(WirePeriod::of(period))),
        Some(Err(error)) => Err((*error).into()),
    }
}

/// Filters shared by the report, history and ongoing queries.
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    agents: Option<String>,
    departments: Option<String>,
    tags: Option<String>,
    states: Option<String>,
    channels: Option<String>,
}

/// The filter and paging setters the queries share.
macro_rules! filter_setters {
    () => {
        /// Only these agents (ids).
        pub fn agents<I: IntoIterator<Item = S>, S: ToString>(mut self, ids: I) -> Self {
            self.filters.agents = comma_list(ids);
            self
        }

        /// Only these departments (ids).
        pub fn departments<I: IntoIterator<Item = S>, S: ToString>(mut self, ids: I) -> Self {
            self.filters.departments = comma_list(ids);
            self
        }

        /// Only these statuses.
        pub fn states(mut self, states: impl IntoIterator<Item = State>) -> Self {
            self.filters.states = comma_list(states.into_iter().map(|s| wire_text(&s)));
            self
        }

        /// Only these channels.
        pub fn channels(mut self, channels: impl IntoIterator<Item = Channel>) -> Self {
            self.filters.channels = comma_list(channels.into_iter().map(|c| wire_text(&c)));
            self
        }
    };
}

/// Puts the shared filters on a generated builder.
macro_rules! apply_filters {
    ($b:ident, $filters:expr) => {{
        let f = $filters;
        if let Some(v) = &f.agents {
            $b = $b.agents(v.clone());
        }
        if let Some(v) = &f.departments {
            $b = $b.departments(v.clone());
        }
        if let Some(v) = &f.states {
            $b = $b.states(v.clone());
        }
        if let Some(v) = &f.channels {
            $b = $b.types(v.clone());
        }
    }};
}

/// The history builders (standard and expanded) take the same parameters.
macro_rules! apply_history {
    ($query:ident, $b:ident, $page:ident) => {{
        let size = $query.checked_page_size()?;
        let mut $b = $b.limit(size).page(page_number($page)?);
        if let Some(p) = wire_period(&$query.period)? {
            $b = $b.from(p.from).to(p.to).timezone(p.timezone);
        }
        apply_filters!($b, &$query.filters);
        if let Some(v) = $query.active {
            $b = $b.active(v);
        }
        if let Some(v) = &$query.search {
            $b = $b.search(v.clone());
        }
        Ok($b)
    }};
}

/// Filters for [`Client::report`](super::Client::report).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportQuery {
    grouping: Option<ReportGrouping>,
    period: MaybePeriod,
    filters: Filters,
    tags: Option<String>,
}

impl ReportQuery {
    /// No filter: the last 30 days, grouped by period.
    pub fn new() -> Self {
        Self::default()
    }

    /// How rows are grouped.
    pub fn group_by(mut self, grouping: ReportGrouping) -> Self {
        self.grouping = Some(grouping);
        self
    }

    /// The period, both ends in the zone of `from` (sent as `timezone`).
    pub fn between<Tz: TimeZone>(mut self, from: DateTime<Tz>, to: DateTime<Tz>) -> Self {
        self.period = Some(Period::new(from, to));
        self
    }

    /// The period, already checked (both ends in its offset, sent as `timezone`).
    pub fn period(mut self, period: Period) -> Self {
        self.period = Some(Ok(period));
        self
    }

    /// Only interactions with these tags (ids).
    pub fn tags<I: IntoIterator<Item = S>, S: ToString>(mut self, ids: I) -> Self {
        self.tags = comma_list(ids);
        self
    }

    filter_setters!();

    pub(crate) fn apply<'a>(
        &self,
        mut b: builder::GetReports<'a>,
    ) -> Result<builder::GetReports<'a>, Error> {
        if let Some(g) = self.grouping {
            b = b.data_type(g);
        }
        if let Some(p) = wire_period(&self.period)? {
            b = b.from(p.from).to(p.to).timezone(p.timezone);
        }
        apply_filters!(b, &self.filters);
        if let Some(v) = &self.tags {
            b = b.tags(v.clone());
        }
        Ok(b)
    }
}

/// Filters and paging for [`Client::history`](super::Client::history) and
/// [`Client::history_expanded`](super::Client::history_expanded).
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryQuery {
    period: MaybePeriod,
    filters: Filters,
    active: Option<bool>,
    search: Option<String>,
    page_size: u32,
    prefetch: bool,
    concurrency: usize,
    resume: Option<crate::pagination::Checkpoint>,
}

// The paging fields and their defaults repeat in every list query because
// `paging_setters!` reads them by name; the filters before them differ.
impl Default for HistoryQuery {
    fn default() -> Self {
        Self {
            period: None,
            filters: Filters::default(),
            active: None,
            search: None,
            page_size: DEFAULT_PAGE_SIZE,
            prefetch: false,
            concurrency: 1,
            resume: None,
        }
    }
}

impl HistoryQuery {
    /// No filter: the vendor's default of the last 30 days.
    pub fn new() -> Self {
        Self::default()
    }

    /// The period, both ends written in the zone of `from` (sent as `timezone`); seconds
    /// precision, as the vendor's format has.
    pub fn between<Tz: TimeZone>(mut self, from: DateTime<Tz>, to: DateTime<Tz>) -> Self {
        self.period = Some(Period::new(from, to));
        self
    }

    /// The period, already checked (both ends in its offset, sent as `timezone`).
    pub fn period(mut self, period: Period) -> Self {
        self.period = Some(Ok(period));
        self
    }

    /// `true`: only interactions started by agents (sent); `false`: only received ones.
    pub fn active(mut self, sent: bool) -> Self {
        self.active = Some(sent);
        self
    }

    /// Client name or agent e-mail containing `text` (ILIKE), or an interaction id.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    filter_setters!();
    paging_setters!(
        u32,
        MAX_PAGE_SIZE,
        "Rows per request, 1 to 10,000 (default 1,000)."
    );

    pub(crate) fn apply<'a>(
        &self,
        b: builder::ListHistory<'a>,
        page: u64,
    ) -> Result<builder::ListHistory<'a>, Error> {
        apply_history!(self, b, page)
    }

    pub(crate) fn apply_expanded<'a>(
        &self,
        b: builder::ListHistoryExpanded<'a>,
        page: u64,
    ) -> Result<builder::ListHistoryExpanded<'a>, Error> {
        apply_history!(self, b, page)
    }
}

/// Filters and paging for [`Client::ongoing`](super::Client::ongoing).
#[derive(Clone, Debug, PartialEq)]
pub struct OngoingQuery {
    filters: Filters,
    page_size: u32,
    prefetch: bool,
    concurrency: usize,
    resume: Option<crate::pagination::Checkpoint>,
}

impl Default for OngoingQuery {
    fn default() -> Self {
        Self {
            filters: Filters::default(),
            page_size: DEFAULT_PAGE_SIZE,
            prefetch: false,
            concurrency: 1,
            resume: None,
        }
    }
}

// Shaped like HistoryQuery's impl: both lists take the shared filters and paging, each
// through its own generated builder.
impl OngoingQuery {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    filter_setters!();
    paging_setters!(
        u32,
        MAX_PAGE_SIZE,
        "Rows per request, 1 to 10,000 (default 1,000)."
    );

    pub(crate) fn apply<'a>(
        &self,
        b: builder::ListOngoing<'a>,
        page: u64,
    ) -> Result<builder::ListOngoing<'a>, Error> {
        let size = self.checked_page_size()?;
        let mut b = b.limit(size).page(page_number(page)?);
        apply_filters!(b, &self.filters);
        Ok(b)
    }
}

fn page_number(page: u64) -> Result<u32, Error> {
    u32::try_from(page).map_err(|_| Error::InvalidInput(format!("page {page} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn period_is_written_in_the_zone_of_from() {
        let brt = FixedOffset::west_opt(3 * 3600).unwrap();
        let from = brt.with_ymd_and_hms(2024, 3, 1, 6, 0, 0).unwrap();
        let to = chrono::Utc
            .with_ymd_and_hms(2024, 3, 2, 0, 30, 15)
            .unwrap()
            .fixed_offset();
        let p = WirePeriod::of(&Period::new(from, to).unwrap());
        assert_eq!(p.from, "2024-03-01T06:00:00");
        assert_eq!(p.to, "2024-03-01T21:30:15");
        assert_eq!(p.timezone, "-0300");
        let ist = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let p = WirePeriod::of(
            &Period::new(
                ist.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
                ist.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap(),
            )
            .unwrap(),
        );
        assert_eq!(p.timezone, "+0530");
    }

    #[test]
    fn reversed_period_is_refused() {
        let utc = chrono::Utc;
        let err = Period::new(
            utc.with_ymd_and_hms(2024, 3, 2, 0, 0, 0).unwrap(),
            utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
        )
        .map_err(Error::from);
        assert!(matches!(err, Err(Error::InvalidInput(_))));
    }
}
