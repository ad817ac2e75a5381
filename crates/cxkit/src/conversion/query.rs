//! Typed Conversion filters: date ranges split into the vendor's 31-day windows, cursors,
//! `additionalData[]` conditions.

use super::walk::Window;
use crate::error::Error;
use crate::pagination::Cursor;
use chrono::{DateTime, Duration, Utc};
use conversion_api::builder;

/// The longest date range the vendor accepts in one query.
pub const MAX_WINDOW: Duration = Duration::days(31);
/// The most rows one cursor page has been seen to hold (`limit`'s `maximum` in the spec).
pub const MAX_PAGE_SIZE: u64 = conversion_api::wire::list_prospects::query::LIMIT_MAXIMUM;
const DEFAULT_PAGE_SIZE: u64 = 1_000;

/// Splits `[from, to)` into consecutive windows of at most `max`.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// let from = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// let to = Utc.with_ymd_and_hms(2024, 3, 15, 0, 0, 0).unwrap();
/// let w = cxkit::conversion::windows(from, to, Duration::days(31));
/// assert_eq!(w.len(), 3);
/// assert_eq!(w[0], (from, from + Duration::days(31)));
/// assert_eq!(w[2].1, to);
/// ```
pub fn windows(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    max: Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = (start + max).min(to);
        out.push((start, end));
        start = end;
    }
    out
}

/// A condition on a prospect's `additionalData` field (`FIELD<op>VALUE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFilter(String);

impl DataFilter {
    fn new(field: &str, op: &str, value: impl ToString) -> Self {
        Self(format!("{field}{op}{}", value.to_string()))
    }
    /// `field = value`.
    pub fn eq(field: &str, value: impl ToString) -> Self {
        Self::new(field, "=", value)
    }
    /// `field >= value`.
    pub fn ge(field: &str, value: impl ToString) -> Self {
        Self::new(field, ">=", value)
    }
    /// `field > value`.
    pub fn gt(field: &str, value: impl ToString) -> Self {
        Self::new(field, ">", value)
    }
    /// `field <= value`.
    pub fn le(field: &str, value: impl ToString) -> Self {
        Self::new(field, "<=", value)
    }
    /// `field < value`.
    pub fn lt(field: &str, value: impl ToString) -> Self {
        Self::new(field, "<", value)
    }
    /// `field ~ value` (contains).
    pub fn contains(field: &str, value: impl ToString) -> Self {
        Self::new(field, "~", value)
    }
    /// The wire form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! range_and_paging {
    () => {
        /// Only rows created in `[from, to)`; a range over 31 days is walked in 31-day
        /// windows (the vendor refuses longer ones).
        pub fn created_between(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
            self.created = Some((from, to));
            self
        }

        $crate::pagination::paging_setters!(
            u64,
            MAX_PAGE_SIZE,
            "Rows per request, 1 to 5,000 (default 1,000)."
        );

        /// The windows to walk (one unbounded window without a range).
        pub(crate) fn windows(&self) -> Result<Vec<Option<(DateTime<Utc>, DateTime<Utc>)>>, Error> {
            self.checked_page_size()?;
            match self.created {
                None => Ok(vec![None]),
                Some((from, to)) if to <= from => Err(Error::InvalidInput(format!(
                    "the range ends ({to}) before it starts ({from})"
                ))),
                Some((from, to)) => Ok(windows(from, to, MAX_WINDOW)
                    .into_iter()
                    .map(Some)
                    .collect()),
            }
        }
    };
}

/// Filters and paging for [`Client::prospects`](super::Client::prospects).
#[derive(Clone, Debug, PartialEq)]
pub struct ProspectQuery {
    pub(crate) created: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub(crate) search: Option<String>,
    pub(crate) phone_number: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) agent: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) with_agent: Option<bool>,
    pub(crate) additional_data: Vec<DataFilter>,
    page_size: u64,
    prefetch: bool,
    concurrency: usize,
    resume: Option<crate::pagination::Checkpoint>,
}

impl Default for ProspectQuery {
    fn default() -> Self {
        Self {
            created: None,
            search: None,
            phone_number: None,
            category: None,
            status: None,
            agent: None,
            group: None,
            with_agent: None,
            additional_data: Vec::new(),
            page_size: DEFAULT_PAGE_SIZE,
            prefetch: false,
            concurrency: 1,
            resume: None,
        }
    }
}

impl ProspectQuery {
    /// Every prospect the key may read.
    pub fn new() -> Self {
        Self::default()
    }

    /// Phone, e-mail or name containing `text`.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Only this phone number.
    pub fn phone_number(mut self, phone: impl Into<String>) -> Self {
        self.phone_number = Some(phone.into());
        self
    }

    /// Only this lead category.
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    /// Only this status (`unclaimed`, `new`, `followUp`, `processing`, `archived`, …).
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Only prospects of this agent (id).
    pub fn agent(mut self, id: impl Into<String>) -> Self {
        self.agent = Some(id.into());
        self
    }

    /// Only prospects of this group (id).
    pub fn group(mut self, id: impl Into<String>) -> Self {
        self.group = Some(id.into());
        self
    }

    /// Only prospects with (`true`) or without (`false`) an agent.
    pub fn with_agent(mut self, assigned: bool) -> Self {
        self.with_agent = Some(assigned);
        self
    }

    /// Adds a condition on `additionalData` (needs the `prospects:readAdditionalData` scope).
    pub fn additional_data(mut self, filter: DataFilter) -> Self {
        self.additional_data.push(filter);
        self
    }

    range_and_paging!();
}

// Shaped like ProspectQuery: each list has its own filters, each an optional value with a
// setter; the paging fields repeat in every list query because `paging_setters!` reads them.
/// Filters and paging for the interaction streams.
#[derive(Clone, Debug, PartialEq)]
pub struct InteractionQuery {
    pub(crate) created: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub(crate) status: Option<String>,
    pub(crate) agent: Option<String>,
    pub(crate) via: Vec<String>,
    page_size: u64,
    prefetch: bool,
    concurrency: usize,
    resume: Option<crate::pagination::Checkpoint>,
}

impl Default for InteractionQuery {
    fn default() -> Self {
        Self {
            created: None,
            status: None,
            agent: None,
            via: Vec::new(),
            page_size: DEFAULT_PAGE_SIZE,
            prefetch: false,
            concurrency: 1,
            resume: None,
        }
    }
}

impl InteractionQuery {
    /// Every interaction.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this status.
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Only this agent's interactions (all-prospects stream only).
    pub fn agent(mut self, id: impl Into<String>) -> Self {
        self.agent = Some(id.into());
        self
    }

    /// Only these channels (`whatsApp`, `email`, `phoneCall`, …).
    pub fn via<I: IntoIterator<Item = S>, S: Into<String>>(mut self, channels: I) -> Self {
        self.via = channels.into_iter().map(Into::into).collect();
        self
    }

    range_and_paging!();
}

/// Sets a window's range and a cursor page's position on a cursor list's builder.
macro_rules! window_and_cursor {
    ($b:ident, $window:ident, $at:ident) => {
        if let Some((from, to)) = $window {
            $b = $b.created_after(from).created_before(to);
        }
        match $at {
            Some(Cursor::After(id)) => $b = $b.after(id),
            Some(Cursor::Before(id)) => $b = $b.before(id),
            None => {}
        }
    };
}

impl ProspectQuery {
    /// One cursor page of one window on the generated builder: the one encoder of this list's
    /// request, for the typed and the raw list.
    pub(crate) fn apply<'a>(
        &self,
        mut b: builder::ListProspects<'a>,
        page_size: u64,
        window: Window,
        at: Option<Cursor>,
    ) -> Result<builder::ListProspects<'a>, Error> {
        b = b.limit(page_size);
        window_and_cursor!(b, window, at);
        if let Some(v) = &self.search {
            b = b.search(v.clone());
        }
        if let Some(v) = &self.phone_number {
            b = b.phone_number(v.clone());
        }
        if let Some(v) = &self.category {
            b = b.category(v.clone());
        }
        if let Some(v) = &self.status {
            b = b.status(v.clone());
        }
        if let Some(v) = &self.agent {
            b = b.agent(v.clone());
        }
        if let Some(v) = &self.group {
            b = b.group(v.clone());
        }
        if let Some(v) = self.with_agent {
            b = b.with_agent(v);
        }
        if !self.additional_data.is_empty() {
            let data = self.additional_data.iter().map(|f| f.as_str().parse());
            let data: Result<Vec<_>, _> = data.collect();
            let data = data.map_err(|e| Error::InvalidInput(format!("additional data: {e}")))?;
            b = b.additional_data(data);
        }
        Ok(b)
    }
}

impl InteractionQuery {
    /// One cursor page of one window of the account's interactions on the generated builder.
    pub(crate) fn apply<'a>(
        &self,
        mut b: builder::ListInteractions<'a>,
        page_size: u64,
        window: Window,
        at: Option<Cursor>,
    ) -> Result<builder::ListInteractions<'a>, Error> {
        b = b.limit(page_size);
        window_and_cursor!(b, window, at);
        if let Some(v) = &self.status {
            b = b.status(v.clone());
        }
        if let Some(v) = &self.agent {
            b = b.agent(v.clone());
        }
        if !self.via.is_empty() {
            b = b.via(self.via.clone());
        }
        Ok(b)
    }

    /// One window of one prospect's interactions (a list without a cursor).
    pub(crate) fn apply_one<'a>(
        &self,
        mut b: builder::ListProspectInteractions<'a>,
        window: Window,
    ) -> builder::ListProspectInteractions<'a> {
        if let Some((from, to)) = window {
            b = b.created_after(from).created_before(to);
        }
        if let Some(v) = &self.status {
            b = b.status(v.clone());
        }
        if !self.via.is_empty() {
            b = b.via(self.via.clone());
        }
        b
    }
}
