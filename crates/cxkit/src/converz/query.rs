//! Typed Converz filters and their wire forms.

use crate::error::Error;
use crate::pagination::paging_setters;
use crate::wire::comma_list;
use chrono::{NaiveDate, NaiveDateTime};
use converz_api::wire::{list_calls, list_reps};
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

    pub(crate) fn pairs(&self, page: u64) -> Result<Vec<(&'static str, String)>, Error> {
        use list_reps::query as q;
        let size = self.checked_page_size()?;
        let mut pairs = vec![
            (q::N_PER_PAGE, size.to_string()),
            (q::PAGE, page.to_string()),
        ];
        repeated(&mut pairs, q::REP_ID, &self.rep_ids);
        repeated(&mut pairs, q::DEPARTMENT, &self.departments);
        if let Some(active) = self.active {
            pairs.push((q::ACTIVE, u8::from(active).to_string()));
        }
        Ok(pairs)
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

    pub(crate) fn pairs(&self, page: u64) -> Result<Vec<(&'static str, String)>, Error> {
        if let (Some(a), Some(b)) = (self.start_date, self.end_date) {
            if b < a {
                return Err(Error::InvalidInput(format!(
                    "end date {b} is before start date {a}"
                )));
            }
        }
        use list_calls::query as q;
        let size = self.checked_page_size()?;
        let mut pairs = vec![
            (q::N_PER_PAGE, size.to_string()),
            (q::PAGE, page.to_string()),
        ];
        let minute = "%Y-%m-%d %H:%M";
        let optional = [
            (q::START_DATE, self.start_date.map(|d| d.to_string())),
            (q::END_DATE, self.end_date.map(|d| d.to_string())),
            (q::AFTER, self.after.map(|t| t.format(minute).to_string())),
            (q::BEFORE, self.before.map(|t| t.format(minute).to_string())),
            (q::METRIC, self.metrics.clone()),
            (q::COLUMNS, self.columns.clone()),
            (q::VENDOR_CALL_ID, self.vendor_call_id.clone()),
        ];
        pairs.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
        repeated(&mut pairs, q::REP_ID, &self.rep_ids);
        repeated(&mut pairs, q::VENDOR, &self.vendors);
        repeated(&mut pairs, q::CAMPAIGN, &self.campaigns);
        repeated(&mut pairs, q::SUBCAMPAIGN, &self.subcampaigns);
        repeated(&mut pairs, q::DEPARTMENT, &self.departments);
        Ok(pairs)
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

fn repeated(pairs: &mut Vec<(&'static str, String)>, key: &'static str, values: &[String]) {
    pairs.extend(values.iter().map(|v| (key, v.clone())));
}
