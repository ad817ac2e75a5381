//! `--from` / `--to` / `--utc-offset`: parsed once by clap into local times and an offset,
//! and combined here into periods.

use crate::error::CliError;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use clap::Args;

/// A period: dates (`2024-03-01`) or date-times (`2024-03-01T08:00:00`), in `--utc-offset`.
#[derive(Args, Debug, Clone)]
pub struct Period {
    /// Start (inclusive): YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.
    #[arg(long, value_parser = LocalTime::parse)]
    pub from: Option<LocalTime>,
    /// End (a date means the whole day): YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.
    #[arg(long, value_parser = LocalTime::parse)]
    pub to: Option<LocalTime>,
    /// The zone the period is written in, e.g. -03:00.
    #[arg(
        long,
        default_value = "+00:00",
        allow_hyphen_values = true,
        value_parser = parse_offset
    )]
    pub utc_offset: FixedOffset,
}

/// `2024-03-01` (a whole day) or `2024-03-01T08:00:00`, not yet placed in an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// The date-time; midnight for a date.
    at: NaiveDateTime,
    /// Written as a date: as an end, it means the day's last second.
    date_only: bool,
}

impl LocalTime {
    /// Parses either form (clap's value parser for `--from` and `--to`).
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
            return Ok(Self {
                at,
                date_only: false,
            });
        }
        let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| format!("`{text}` is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"))?;
        Ok(Self {
            at: day.and_time(chrono::NaiveTime::MIN),
            date_only: true,
        })
    }

    /// This time in `offset`; as an `end`, a date is its day's last second.
    fn instant(self, offset: FixedOffset, end: bool) -> Result<DateTime<FixedOffset>, CliError> {
        let local = match (self.date_only, end) {
            (true, true) => self.at.date().and_hms_opt(23, 59, 59).unwrap_or(self.at),
            _ => self.at,
        };
        offset
            .from_local_datetime(&local)
            .single()
            .ok_or_else(|| CliError::usage(format!("`{local}` is ambiguous")))
    }
}

/// `-03:00` (or `-0300`, `-03`) as an offset (clap's value parser for `--utc-offset`, and the
/// connectors' `utc_offset`).
pub(crate) fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    text.parse::<FixedOffset>()
        .or_else(|_| format!("{text}:00").parse())
        .map_err(|_| format!("`{text}` is not a UTC offset like -03:00"))
}

/// A period's two ends.
pub(crate) type Span<Tz> = Option<(DateTime<Tz>, DateTime<Tz>)>;

/// The period's ends, when given (both or none; `--from` alone runs until now).
pub(crate) fn period(p: &Period) -> Result<Span<FixedOffset>, CliError> {
    let tz = p.utc_offset;
    match (p.from, p.to) {
        (None, None) => Ok(None),
        (Some(from), Some(to)) => Ok(Some((from.instant(tz, false)?, to.instant(tz, true)?))),
        (Some(from), None) => Ok(Some((
            from.instant(tz, false)?,
            Utc::now().with_timezone(&tz),
        ))),
        (None, Some(_)) => Err(CliError::usage("--to needs --from")),
    }
}

/// The span as a checked period: one that ends before it starts is refused here, typed.
pub(crate) fn checked<Tz: TimeZone>(span: Span<Tz>) -> Result<Option<cxkit::Period>, CliError> {
    span.map(|(from, to)| cxkit::Period::new(from, to))
        .transpose()
        .map_err(|e| cxkit::Error::from(e).into())
}

/// The period in UTC, its end exclusive (one second past the last second it includes).
pub(crate) fn utc_period(p: &Period) -> Result<Span<Utc>, CliError> {
    Ok(period(p)?.map(|(a, b)| {
        (
            a.with_timezone(&Utc),
            b.with_timezone(&Utc) + chrono::Duration::seconds(1),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_a_whole_day_and_an_offset_has_three_spellings() {
        let tz = parse_offset("-03").unwrap();
        assert_eq!(tz, parse_offset("-03:00").unwrap());
        assert_eq!(tz, parse_offset("-0300").unwrap());
        let p = Period {
            from: Some(LocalTime::parse("2024-03-01").unwrap()),
            to: Some(LocalTime::parse("2024-03-31").unwrap()),
            utc_offset: tz,
        };
        let (from, to) = period(&p).unwrap().unwrap();
        assert_eq!(from.to_rfc3339(), "2024-03-01T00:00:00-03:00");
        assert_eq!(to.to_rfc3339(), "2024-03-31T23:59:59-03:00");
        let (_, end) = utc_period(&p).unwrap().unwrap();
        assert_eq!(end.to_rfc3339(), "2024-04-01T03:00:00+00:00");
        let at = LocalTime::parse("2024-03-01T08:30:00").unwrap();
        assert_eq!(
            at.instant(tz, true).unwrap().to_rfc3339(),
            "2024-03-01T08:30:00-03:00"
        );
        assert!(LocalTime::parse("2024-02-30").is_err());
        assert!(parse_offset("BRT")
            .unwrap_err()
            .contains("not a UTC offset"));
    }
}
