//! `--from` / `--to` / `--utc-offset`: dates and instants in an offset, as periods.

use crate::args::Period;
use crate::error::CliError;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// `2024-03-01` (start of day) or `2024-03-01T08:00:00`, in `offset`.
fn instant(
    text: &str,
    offset: FixedOffset,
    end_of_day: bool,
) -> Result<DateTime<FixedOffset>, CliError> {
    let local = match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        Ok(t) => t,
        Err(_) => {
            let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                CliError::usage(format!("`{text}` is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"))
            })?;
            let time = if end_of_day {
                day.and_hms_opt(23, 59, 59)
            } else {
                day.and_hms_opt(0, 0, 0)
            };
            time.ok_or_else(|| CliError::usage(format!("`{text}` is not a valid date")))?
        }
    };
    offset
        .from_local_datetime(&local)
        .single()
        .ok_or_else(|| CliError::usage(format!("`{text}` is ambiguous")))
}

/// `-03:00` (or `-0300`, `-03`) as an offset.
pub(crate) fn offset(text: &str) -> Result<FixedOffset, CliError> {
    text.parse::<FixedOffset>()
        .or_else(|_| format!("{text}:00").parse())
        .map_err(|_| CliError::usage(format!("`{text}` is not a UTC offset like -03:00")))
}

/// A period's two ends.
pub(super) type Span<Tz> = Option<(DateTime<Tz>, DateTime<Tz>)>;

/// The period's ends, when given (both or none).
pub(super) fn period(p: &Period) -> Result<Span<FixedOffset>, CliError> {
    let tz = offset(&p.utc_offset)?;
    match (&p.from, &p.to) {
        (None, None) => Ok(None),
        (Some(from), Some(to)) => Ok(Some((instant(from, tz, false)?, instant(to, tz, true)?))),
        (Some(from), None) => Ok(Some((
            instant(from, tz, false)?,
            Utc::now().with_timezone(&tz),
        ))),
        (None, Some(_)) => Err(CliError::usage("--to needs --from")),
    }
}

pub(crate) fn utc_period(p: &Period) -> Result<Span<Utc>, CliError> {
    Ok(period(p)?.map(|(a, b)| {
        (
            a.with_timezone(&Utc),
            b.with_timezone(&Utc) + chrono::Duration::seconds(1),
        )
    }))
}
