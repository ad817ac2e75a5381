//! The query names each Converz route reads, taken from its own operation's `wire` constants:
//! renaming a parameter of one operation in the spec breaks exactly that operation's route.

use converz_api::wire;

/// The conversation filters a route understands; `None` where its operation has no such
/// parameter.
pub(super) struct FilterNames {
    pub start_date: &'static str,
    pub end_date: &'static str,
    pub after: Option<&'static str>,
    pub before: Option<&'static str>,
    /// List filters, each named like the column it filters.
    pub lists: [&'static str; 5],
    pub vendor_call_id: Option<&'static str>,
}

/// A paged route's page size (with its default and limit) and page number.
pub(super) struct PageNames {
    pub n_per_page: &'static str,
    pub n_per_page_default: u64,
    pub n_per_page_maximum: u64,
    pub page: &'static str,
    pub page_default: u64,
}

/// Paging names of operation `$op`.
macro_rules! page_names {
    ($op:ident) => {
        PageNames {
            n_per_page: wire::$op::query::N_PER_PAGE,
            n_per_page_default: wire::$op::query::N_PER_PAGE_DEFAULT,
            n_per_page_maximum: wire::$op::query::N_PER_PAGE_MAXIMUM,
            page: wire::$op::query::PAGE,
            page_default: wire::$op::query::PAGE_DEFAULT,
        }
    };
}

/// `GET /calls`'s filters.
pub(super) const CALLS: FilterNames = {
    use wire::list_calls::query as q;
    FilterNames {
        start_date: q::START_DATE,
        end_date: q::END_DATE,
        after: Some(q::AFTER),
        before: Some(q::BEFORE),
        lists: [
            q::REP_ID,
            q::VENDOR,
            q::CAMPAIGN,
            q::SUBCAMPAIGN,
            q::DEPARTMENT,
        ],
        vendor_call_id: Some(q::VENDOR_CALL_ID),
    }
};

/// `GET /calls`'s paging.
pub(super) const CALLS_PAGE: PageNames = page_names!(list_calls);

/// `GET /reps`'s paging.
pub(super) const REPS_PAGE: PageNames = page_names!(list_reps);

/// `GET /report`'s filters: dates, no minutes or call id.
pub(super) const REPORT: FilterNames = {
    use wire::get_report::query as q;
    FilterNames {
        start_date: q::START_DATE,
        end_date: q::END_DATE,
        after: None,
        before: None,
        lists: [
            q::REP_ID,
            q::VENDOR,
            q::CAMPAIGN,
            q::SUBCAMPAIGN,
            q::DEPARTMENT,
        ],
        vendor_call_id: None,
    }
};
