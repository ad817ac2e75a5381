//! Query parameters read by their wire names with the vendor's rules (ISO-8601 instants,
//! 24-hex ids, bounded counts), and the range/limit/cursor walk of the lists: newest first,
//! `before`/`after` exclusive, and for prospects and interactions the 31-day rule.

use super::http::schema_invalid;
use crate::query::{value, Pairs};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};

/// The query names of a cursor list, from its own operation's `wire` constants (see
/// [`listing_names`]): renaming a parameter of one list breaks exactly that list's route.
pub(crate) struct ListingNames {
    pub created_after: &'static str,
    pub created_before: &'static str,
    pub limit: &'static str,
    pub before: &'static str,
    pub after: &'static str,
}

/// The [`ListingNames`] of operation `$op`.
macro_rules! listing_names {
    ($op:ident) => {
        $crate::conversion::listing::ListingNames {
            created_after: conversion_api::wire::$op::query::CREATED_AFTER,
            created_before: conversion_api::wire::$op::query::CREATED_BEFORE,
            limit: conversion_api::wire::$op::query::LIMIT,
            before: conversion_api::wire::$op::query::BEFORE,
            after: conversion_api::wire::$op::query::AFTER,
        }
    };
}
pub(crate) use listing_names;

/// The longest `createdAfter`..`createdBefore` range the vendor accepts, and the span served
/// when a list is asked for without `limit`.
pub(crate) const MAX_WINDOW_DAYS: i64 = 31;

/// The instant in `key`, if given (`400` when it is not ISO-8601).
pub(crate) fn time(pairs: &Pairs, key: &str) -> Result<Option<DateTime<Utc>>, Response> {
    value(pairs, key)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| schema_invalid(format!("`{key}` must be an ISO-8601 date-time")))
        })
        .transpose()
}

/// `^[a-z0-9]{24}$`, the pattern of the spec's id parameters.
pub(crate) fn is_object_id(id: &str) -> bool {
    id.len() == 24
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The id in `key`, if given (`400` when it does not fit the id pattern).
pub(crate) fn object_id<'a>(pairs: &'a Pairs, key: &str) -> Result<Option<&'a str>, Response> {
    match value(pairs, key) {
        Some(id) if !is_object_id(id) => Err(schema_invalid(format!(
            "`{key}` must be a 24-character id of lowercase letters and digits"
        ))),
        other => Ok(other),
    }
}

/// The whole number in `key` within `min..=max`, if given.
pub(crate) fn count(pairs: &Pairs, key: &str, min: u64, max: u64) -> Result<Option<u64>, Response> {
    let Some(text) = value(pairs, key) else {
        return Ok(None);
    };
    // A whole number too big for u64 is still a whole number: it saturates.
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let n = text.parse::<u64>().ok().or(digits.then_some(u64::MAX));
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ if max == u64::MAX => Err(schema_invalid(format!(
            "`{key}` must be a whole number of at least {min}"
        ))),
        _ => Err(schema_invalid(format!(
            "`{key}` must be a whole number between {min} and {max}"
        ))),
    }
}

/// The boolean in `key` (`true` or `false`), if given.
pub(crate) fn flag(pairs: &Pairs, key: &str) -> Result<Option<bool>, Response> {
    match value(pairs, key) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(schema_invalid(format!("`{key}` must be true or false"))),
    }
}

/// A half-open time range from an `…After` (inclusive) and a `…Before` (exclusive) parameter.
#[derive(Clone, Copy, Default)]
pub(crate) struct Range {
    /// The inclusive start.
    pub from: Option<DateTime<Utc>>,
    /// The exclusive end.
    pub to: Option<DateTime<Utc>>,
}

impl Range {
    /// Reads `after` and `before` (say `acceptedAfter`, `acceptedBefore`).
    pub fn parse(pairs: &Pairs, after: &str, before: &str) -> Result<Self, Response> {
        Ok(Self {
            from: time(pairs, after)?,
            to: time(pairs, before)?,
        })
    }

    /// Whether the range filters at all.
    pub fn is_set(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// Whether `at` is inside; a missing instant is inside only an unset range.
    pub fn contains(&self, at: Option<DateTime<Utc>>) -> bool {
        match at {
            None => !self.is_set(),
            Some(at) => self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at < t),
        }
    }
}

/// How a list limits its creation range.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Window {
    /// `GET /prospects`, `GET /prospects/interactions`: at most 31 days (a longer range is
    /// refused), the 31 days from the bound when only one is given, the last 31 days without
    /// dates or `limit`.
    ThirtyOneDays,
    /// `GET /prospects/quotes`: the created range is a plain filter.
    Unbounded,
}

/// The created range, limit and cursor of a list.
pub(crate) struct Listing {
    created: Range,
    limit: Option<u64>,
    before: Option<String>,
    after: Option<String>,
}

impl Listing {
    /// Reads `createdAfter`, `createdBefore`, `limit` (up to `max_limit`), `before`, `after`,
    /// under the list's own `names`.
    pub fn parse(
        pairs: &Pairs,
        names: &ListingNames,
        now: DateTime<Utc>,
        window: Window,
        max_limit: u64,
    ) -> Result<Self, Response> {
        let mut created = Range::parse(pairs, names.created_after, names.created_before)?;
        let limit = count(pairs, names.limit, 1, max_limit)?;
        if window == Window::ThirtyOneDays {
            let days = Duration::days(MAX_WINDOW_DAYS);
            match (created.from, created.to) {
                (Some(from), Some(to)) if (to - from).abs() > days => {
                    return Err(super::http::invalid(
                        "the date range cannot be longer than 31 days",
                    ));
                }
                (Some(_), Some(_)) => {}
                // One bound only: the 31 days from it (the spec's rule, inferred).
                (Some(from), None) => created.to = from.checked_add_signed(days),
                (None, Some(to)) => created.from = to.checked_sub_signed(days),
                (None, None) if limit.is_none() => created.from = Some(now - days),
                (None, None) => {}
            }
        }
        Ok(Self {
            created,
            limit,
            before: object_id(pairs, names.before)?.map(str::to_owned),
            after: object_id(pairs, names.after)?.map(str::to_owned),
        })
    }

    /// The rows inside the range and past the cursor, newest (greatest id) first, at most
    /// `limit`. Each row comes with its id and creation time.
    pub fn apply<T>(&self, mut rows: Vec<(String, Option<DateTime<Utc>>, T)>) -> Vec<T> {
        rows.retain(|(id, created, _)| {
            self.created.contains(*created)
                && self.before.as_ref().is_none_or(|b| id < b)
                && self.after.as_ref().is_none_or(|a| id > a)
        });
        rows.sort_by(|a, b| b.0.cmp(&a.0));
        let limit = self.limit.map_or(usize::MAX, |n| n as usize);
        rows.into_iter().take(limit).map(|(_, _, t)| t).collect()
    }
}
