//! Typed Converz filters and their wire forms.

use crate::error::Error;
use crate::pagination::paging_setters;
use crate::wire::comma_list;
use chrono::{NaiveDate, NaiveDateTime};
use converz_api::builder;
use converz_api::MAX_PAGE_SIZE;

const DEFAULT_PAGE_SIZE: u64 = 10_000;

/// Filters and paging for [`Client::reps`](super::Client::reps).
#[derive(Clone, Debug, PartialEq)]
pub struct RepQuery {
    rep_ids: Vec<String>,
    departments: Vec<String>,
    active: Option<bool>,
    page_size: u64,
    prefetch: bool,
    concurrency: usize,
    resume: Option<crate::pagination::Checkpoint>,
}

impl Default for RepQuery {
    fn default() -> Self {
        Self {
            rep_ids: Vec::new(),
            departments: Vec::new(),
            active: None,
            page_size: DEFAULT_PAGE_SIZE,
            prefetch: false,
            concurrency: 1,
            resume: None,
        }
    }
}

impl RepQuery {
    /// Every user.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only these users.
    pub fn rep_ids<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.rep_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Only these departments.
    pub fn departments<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.departments = names.into_iter().map(Into::into).collect();
        self
    }

    /// Only active (`true`) or inactive (`false`) users.
    pub fn active(mut self, active: bool) -> Self {
        self.active = Some(active);
        self
    }

    paging_setters!(
        u64,
        MAX_PAGE_SIZE,
        "Rows per request, 1 to 1,000,000 (default 10,000). Pages are decoded row by row, so a large page costs no memory, only a longer request."
    );

    /// Page `page` of this query on the generated builder: the one encoder of its request.
    pub(crate) fn apply<'a>(
        &self,
        mut b: builder::ListReps<'a>,
        page: u64,
    ) -> Result<builder::ListReps<'a>, Error> {
        b = b.n_per_page(self.checked_page_size()?).page(page);
        if !self.rep_ids.is_empty() {
            b = b.rep_id(self.rep_ids.clone());
        }
        if !self.departments.is_empty() {
            b = b.department(self.departments.clone());
        }
        if let Some(active) = self.active {
            b = b.active(i64::from(active));
        }
        Ok(b)
    }
}

/// Filters and paging for [`Client::calls`](super::Client::calls).
#[derive(Clone, Debug, PartialEq)]
pub struct CallQuery {
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    after: Option<NaiveDateTime>,
    before: Option<NaiveDateTime>,
    metrics: Option<String>,
    columns: Option<String>,
    vendor_call_id: Option<String>,
    rep_ids: Vec<String>,
    vendors: Vec<String>,
    campaigns: Vec<String>,
    subcampaigns: Vec<String>,
    departments: Vec<String>,
    page_size: u64,
    prefetch: bool,
    concurrency: usize,
    resume: Option<crate::pagination::Checkpoint>,
}

// The paging fields and their defaults repeat in every list query (here, in conversion's and
// zchat's) because `paging_setters!` reads them by name; the filters before them differ.
impl Default for CallQuery {
    fn default() -> Self {
        Self {
            start_date: None,
            end_date: None,
            after: None,
            before: None,
            metrics: None,
            columns: None,
            vendor_call_id: None,
            rep_ids: Vec::new(),
            vendors: Vec::new(),
            campaigns: Vec::new(),
            subcampaigns: Vec::new(),
            departments: Vec::new(),
            page_size: DEFAULT_PAGE_SIZE,
            prefetch: false,
            concurrency: 1,
            resume: None,
        }
    }
}

/// Setters for the list filters sent as repeated keys.
macro_rules! list_setters {
    ($($(#[$doc:meta])* $name:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name<I: IntoIterator<Item = S>, S: Into<String>>(mut self, values: I) -> Self {
            self.$field = values.into_iter().map(Into::into).collect();
            self
        }
    )*};
}

impl CallQuery {
    /// Every conversation (the vendor's defaults apply).
    pub fn new() -> Self {
        Self::default()
    }

    /// Conversations on or after this date.
    pub fn start_date(mut self, date: NaiveDate) -> Self {
        self.start_date = Some(date);
        self
    }

    /// Conversations on or before this date.
    pub fn end_date(mut self, date: NaiveDate) -> Self {
        self.end_date = Some(date);
        self
    }

    /// Conversations that started at or after this time (minute precision).
    pub fn after(mut self, at: NaiveDateTime) -> Self {
        self.after = Some(at);
        self
    }

    /// An incremental read from `at`: calls after it (`after` has minute precision, which
    /// the run's overlap covers), from its date on unless the start date is later.
    pub(crate) fn since(mut self, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.after = Some(at.naive_utc());
        if self.start_date.is_none_or(|d| d < at.date_naive()) {
            self.start_date = Some(at.date_naive());
        }
        self
    }

    /// Conversations that started at or before this time (minute precision).
    pub fn before(mut self, at: NaiveDateTime) -> Self {
        self.before = Some(at);
        self
    }

    /// Metrics to compute per conversation.
    pub fn metrics<I: IntoIterator<Item = S>, S: ToString>(mut self, names: I) -> Self {
        self.metrics = comma_list(names);
        self
    }

    /// Only these columns in each row.
    pub fn columns<I: IntoIterator<Item = S>, S: ToString>(mut self, names: I) -> Self {
        self.columns = comma_list(names);
        self
    }

    /// One specific call, by the vendor's id.
    pub fn vendor_call_id(mut self, id: impl Into<String>) -> Self {
        self.vendor_call_id = Some(id.into());
        self
    }

    list_setters! {
        /// Only these users.
        rep_ids => rep_ids;
        /// Only these telephony vendors.
        vendors => vendors;
        /// Only these campaigns.
        campaigns => campaigns;
        /// Only these subcampaigns.
        subcampaigns => subcampaigns;
        /// Only these departments.
        departments => departments;
    }

    paging_setters!(
        u64,
        MAX_PAGE_SIZE,
        "Rows per request, 1 to 1,000,000 (default 10,000). Pages are decoded row by row, so a large page costs no memory, only a longer request."
    );

    /// Page `page` of this query on the generated builder: the one encoder of its request.
    pub(crate) fn apply<'a>(
        &self,
        mut b: builder::ListCalls<'a>,
        page: u64,
    ) -> Result<builder::ListCalls<'a>, Error> {
        if let (Some(a), Some(b)) = (self.start_date, self.end_date) {
            if b < a {
                return Err(Error::InvalidInput(format!(
                    "end date {b} is before start date {a}"
                )));
            }
        }
        b = b.n_per_page(self.checked_page_size()?).page(page);
        let minute = "%Y-%m-%d %H:%M";
        if let Some(d) = self.start_date {
            b = b.start_date(d);
        }
        if let Some(d) = self.end_date {
            b = b.end_date(d);
        }
        if let Some(t) = self.after {
            b = b.after(t.format(minute).to_string());
        }
        if let Some(t) = self.before {
            b = b.before(t.format(minute).to_string());
        }
        if let Some(v) = &self.metrics {
            b = b.metric(v.clone());
        }
        if let Some(v) = &self.columns {
            b = b.columns(v.clone());
        }
        if let Some(v) = &self.vendor_call_id {
            b = b.vendor_call_id(v.clone());
        }
        for (values, set) in [
            (
                &self.rep_ids,
                builder::ListCalls::rep_id::<Vec<String>> as Setter<'a>,
            ),
            (&self.vendors, builder::ListCalls::vendor::<Vec<String>>),
            (&self.campaigns, builder::ListCalls::campaign::<Vec<String>>),
            (
                &self.subcampaigns,
                builder::ListCalls::subcampaign::<Vec<String>>,
            ),
            (
                &self.departments,
                builder::ListCalls::department::<Vec<String>>,
            ),
        ] {
            if !values.is_empty() {
                b = set(b, values.clone());
            }
        }
        Ok(b)
    }
}

/// What [`Client::report`](super::Client::report) aggregates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportQuery {
    pub(crate) start_date: Option<NaiveDate>,
    pub(crate) end_date: Option<NaiveDate>,
    pub(crate) days: Option<u64>,
    pub(crate) metrics: Option<String>,
    pub(crate) group_by: Option<String>,
    pub(crate) rep_ids: Vec<String>,
    pub(crate) vendors: Vec<String>,
    pub(crate) campaigns: Vec<String>,
    pub(crate) subcampaigns: Vec<String>,
    pub(crate) departments: Vec<String>,
}

// Setters like CallQuery's: the report takes the same kinds of filters as the calls list,
// for another endpoint and with its own meaning (no paging, a report's dates).
impl ReportQuery {
    /// The vendor's defaults (the last 30 days).
    pub fn new() -> Self {
        Self::default()
    }

    /// The oldest date to include.
    pub fn start_date(mut self, date: NaiveDate) -> Self {
        self.start_date = Some(date);
        self
    }

    /// The newest date to include.
    pub fn end_date(mut self, date: NaiveDate) -> Self {
        self.end_date = Some(date);
        self
    }

    /// The last `days` days instead of dates.
    pub fn days(mut self, days: u64) -> Self {
        self.days = Some(days);
        self
    }

    /// The metrics to include.
    pub fn metrics<I: IntoIterator<Item = S>, S: ToString>(mut self, names: I) -> Self {
        self.metrics = comma_list(names);
        self
    }

    /// The dimensions to group by (`date`, `week`, `month`, `quarter`, `campaign`, `rep_id`, …).
    pub fn group_by<I: IntoIterator<Item = S>, S: ToString>(mut self, dimensions: I) -> Self {
        self.group_by = comma_list(dimensions);
        self
    }

    list_setters! {
        /// Only these users.
        rep_ids => rep_ids;
        /// Only these telephony vendors.
        vendors => vendors;
        /// Only these campaigns.
        campaigns => campaigns;
        /// Only these subcampaigns.
        subcampaigns => subcampaigns;
        /// Only these departments.
        departments => departments;
    }
}

/// A list filter's setter on the calls builder (sent as the key repeated per value).
type Setter<'a> = fn(builder::ListCalls<'a>, Vec<String>) -> builder::ListCalls<'a>;
