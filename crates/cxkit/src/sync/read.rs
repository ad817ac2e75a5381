//! What to read of a stream, said the same way for every vendor: the period, the stream's own
//! filters, how many pages at once, and where to resume (an incremental run's start, a page
//! checkpoint). [`Source::rows`](super::Source::rows) turns it into each vendor's request.

use crate::pagination::Checkpoint;
use crate::{conversion, converz, zchat, Period};
use chrono::{DateTime, Utc};

/// How to read a stream: every member optional; [`ReadSpec::new`] reads the whole list as
/// the vendor's defaults give it, four pages at a time.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use cxkit::sync::{Filters, ReadSpec};
/// let march = cxkit::Period::new(
///     Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap(),
/// )?;
/// let spec = ReadSpec::new()
///     .period(march)
///     .filters(Filters::ConversionProspects(
///         cxkit::conversion::ProspectQuery::new().status("open"),
///     ))
///     .concurrency(8);
/// assert_eq!(spec.period_asked(), Some(march));
/// # Ok::<(), cxkit::PeriodError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ReadSpec {
    pub(super) period: Option<Period>,
    pub(super) since: Option<DateTime<Utc>>,
    pub(super) filters: Option<Filters>,
    pub(super) concurrency: usize,
    pub(super) resume: Option<Checkpoint>,
}

impl Default for ReadSpec {
    fn default() -> Self {
        Self {
            period: None,
            since: None,
            filters: None,
            concurrency: crate::pagination::DEFAULT_CONCURRENCY.into(),
            resume: None,
        }
    }
}

impl ReadSpec {
    /// The whole list, with the vendor's default period and no filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only rows of `period` (streams with a time filter; the others ignore it).
    pub fn period(mut self, period: Period) -> Self {
        self.period = Some(period);
        self
    }

    /// Where an incremental run starts: the period asked for is narrowed to begin no earlier
    /// (and, without one, runs from `since` until now). Streams without a time filter ignore it.
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.since = Some(since);
        self
    }

    /// The stream's own filters (its vendor's query); a query of another stream is refused
    /// when the stream is read.
    pub fn filters(mut self, filters: Filters) -> Self {
        self.filters = Some(filters);
        self
    }

    /// Pages (or Conversion date windows) fetched at once; 0 and 1 read one at a time (see
    /// [`Paging::concurrency`](crate::Paging::concurrency)). It replaces the one in the filters.
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    /// Goes on after `checkpoint`, the last one an interrupted read of the same spec yielded.
    /// Streams that cannot resume refuse it when read.
    pub fn resume_from(mut self, checkpoint: Checkpoint) -> Self {
        self.resume = Some(checkpoint);
        self
    }

    /// The period asked for, before any narrowing by [`since`](Self::since).
    pub fn period_asked(&self) -> Option<Period> {
        self.period
    }

    /// The period to request: the one asked for, begun no earlier than `since` (and ended
    /// now when none was asked for); `None` when neither is given (the vendor's default).
    pub(super) fn effective_period(&self) -> Option<Period> {
        let Some(since) = self.since else {
            return self.period;
        };
        let (from, to) = match self.period {
            Some(p) => (p.from().max(since.with_timezone(&p.offset())), p.to()),
            None => (since.fixed_offset(), Utc::now().fixed_offset()),
        };
        // Both ends are in the same offset and `from <= to`: this cannot fail.
        Period::new(from.min(to), to).ok()
    }
}

/// A stream's own filters: the query of its vendor list (filters, page size), without the
/// period, concurrency or resume point, which [`ReadSpec`] gives for every vendor.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Filters {
    /// `zchat_history` and `zchat_history_expanded`.
    ZchatHistory(zchat::HistoryQuery),
    /// `zchat_ongoing`.
    ZchatOngoing(zchat::OngoingQuery),
    /// `converz_reps`.
    ConverzReps(converz::RepQuery),
    /// `converz_calls`: its start and end dates stay (a period in the spec replaces them).
    ConverzCalls(converz::CallQuery),
    /// `conversion_prospects`.
    ConversionProspects(conversion::ProspectQuery),
    /// `conversion_interactions`: of every prospect, or of the one named.
    ConversionInteractions {
        /// The filters.
        query: conversion::InteractionQuery,
        /// Only this prospect's interactions.
        prospect: Option<String>,
    },
    /// `conversion_quotes`.
    ConversionQuotes(conversion::QuoteQuery),
}

impl Filters {
    /// What the filters are of, for errors.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Filters::ZchatHistory(_) => "zchat history",
            Filters::ZchatOngoing(_) => "zchat ongoing",
            Filters::ConverzReps(_) => "converz reps",
            Filters::ConverzCalls(_) => "converz calls",
            Filters::ConversionProspects(_) => "conversion prospects",
            Filters::ConversionInteractions { .. } => "conversion interactions",
            Filters::ConversionQuotes(_) => "conversion quotes",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn brt() -> FixedOffset {
        FixedOffset::west_opt(3 * 3600).unwrap()
    }

    #[test]
    fn since_narrows_the_period_asked_and_keeps_its_offset() {
        let march = Period::new(
            brt().with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
            brt().with_ymd_and_hms(2024, 3, 31, 0, 0, 0).unwrap(),
        )
        .unwrap();
        let spec = ReadSpec::new().period(march);
        assert_eq!(spec.effective_period(), Some(march));

        let mid = Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap();
        let narrowed = spec.clone().since(mid).effective_period().unwrap();
        assert_eq!(narrowed.from(), mid);
        assert_eq!(narrowed.offset(), brt());
        assert_eq!(narrowed.to(), march.to());

        // A state older than the period: the period as asked.
        let old = Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(spec.clone().since(old).effective_period(), Some(march));

        // A state past the period: an empty period at its end, never a reversed one.
        let later = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let empty = spec.since(later).effective_period().unwrap();
        assert_eq!((empty.from(), empty.to()), (march.to(), march.to()));
    }

    #[test]
    fn since_alone_runs_until_now_and_nothing_asks_the_vendors_default() {
        assert_eq!(ReadSpec::new().effective_period(), None);
        let since = Utc::now() - chrono::Duration::days(2);
        let p = ReadSpec::new().since(since).effective_period().unwrap();
        assert_eq!(p.from(), since);
        assert!(p.to() >= since + chrono::Duration::days(2));
    }
}
