//! The query names each zchat route reads, taken from its own operation's `wire` constants:
//! renaming a parameter of one operation in the spec breaks exactly that operation's route.

use zchat_api::wire;

/// The filter parameters a route understands; `None` where its operation has no such
/// parameter (the route then ignores it, as the vendor ignores what it does not document).
pub(super) struct FilterNames {
    pub from: Option<&'static str>,
    pub to: Option<&'static str>,
    pub timezone: Option<&'static str>,
    pub agents: &'static str,
    pub departments: &'static str,
    pub states: &'static str,
    pub types: &'static str,
    pub active: Option<&'static str>,
    pub search: Option<&'static str>,
}

/// A paged route's page size (with its default and limit) and page number.
pub(super) struct PageNames {
    pub limit: &'static str,
    pub limit_default: u64,
    pub limit_maximum: u64,
    pub page: &'static str,
    pub page_default: u64,
}

/// A paged list's names.
pub(super) struct ListNames {
    pub filter: FilterNames,
    pub paging: PageNames,
}

/// The history lists share one parameter set, each under its own operation's constants.
macro_rules! history_names {
    ($op:ident) => {
        ListNames {
            filter: FilterNames {
                from: Some(wire::$op::query::FROM),
                to: Some(wire::$op::query::TO),
                timezone: Some(wire::$op::query::TIMEZONE),
                agents: wire::$op::query::AGENTS,
                departments: wire::$op::query::DEPARTMENTS,
                states: wire::$op::query::STATES,
                types: wire::$op::query::TYPES,
                active: Some(wire::$op::query::ACTIVE),
                search: Some(wire::$op::query::SEARCH),
            },
            paging: PageNames {
                limit: wire::$op::query::LIMIT,
                limit_default: wire::$op::query::LIMIT_DEFAULT,
                limit_maximum: wire::$op::query::LIMIT_MAXIMUM,
                page: wire::$op::query::PAGE,
                page_default: wire::$op::query::PAGE_DEFAULT,
            },
        }
    };
}

/// `GET /history`.
pub(super) const HISTORY: ListNames = history_names!(list_history);

/// `GET /history/expanded`.
pub(super) const HISTORY_EXPANDED: ListNames = history_names!(list_history_expanded);

/// `GET /ongoing`: no period, `active` or `search`.
pub(super) const ONGOING: ListNames = {
    use wire::list_ongoing::query as q;
    ListNames {
        filter: FilterNames {
            from: None,
            to: None,
            timezone: None,
            agents: q::AGENTS,
            departments: q::DEPARTMENTS,
            states: q::STATES,
            types: q::TYPES,
            active: None,
            search: None,
        },
        paging: PageNames {
            limit: q::LIMIT,
            limit_default: q::LIMIT_DEFAULT,
            limit_maximum: q::LIMIT_MAXIMUM,
            page: q::PAGE,
            page_default: q::PAGE_DEFAULT,
        },
    }
};

/// `GET /reports`: filters, no paging, `active` or `search`.
pub(super) const REPORTS: FilterNames = {
    use wire::get_reports::query as q;
    FilterNames {
        from: Some(q::FROM),
        to: Some(q::TO),
        timezone: Some(q::TIMEZONE),
        agents: q::AGENTS,
        departments: q::DEPARTMENTS,
        states: q::STATES,
        types: q::TYPES,
        active: None,
        search: None,
    }
};
