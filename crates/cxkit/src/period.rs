//! A period of time as a value: two instants in one offset, checked when it is made, so a
//! reversed period is refused once, typed, and never travels as text.

use chrono::{DateTime, FixedOffset, TimeZone};
use std::fmt;

/// From `from` to `to`, both in the offset of `from` (the zone the period was written in,
/// which zchat receives as `timezone`).
///
/// ```
/// use chrono::{FixedOffset, TimeZone};
/// let brt = FixedOffset::west_opt(3 * 3600).unwrap();
/// let march = cxkit::Period::new(
///     brt.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
///     brt.with_ymd_and_hms(2024, 3, 31, 23, 59, 59).unwrap(),
/// )?;
/// assert_eq!(march.offset(), brt);
/// assert!(cxkit::Period::new(march.to(), march.from()).is_err());
/// # Ok::<(), cxkit::PeriodError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
}

impl Period {
    /// The period from `from` to `to`, written in the offset of `from`; an error when it ends
    /// before it starts.
    pub fn new<Tz: TimeZone>(from: DateTime<Tz>, to: DateTime<Tz>) -> Result<Self, PeriodError> {
        let from = from.fixed_offset();
        let to = to.with_timezone(from.offset());
        if to < from {
            return Err(PeriodError { from, to });
        }
        Ok(Self { from, to })
    }

    /// Where it starts.
    pub fn from(&self) -> DateTime<FixedOffset> {
        self.from
    }

    /// Where it ends.
    pub fn to(&self) -> DateTime<FixedOffset> {
        self.to
    }

    /// The offset both ends are written in.
    pub fn offset(&self) -> FixedOffset {
        *self.from.offset()
    }
}

/// A period that ends before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodError {
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the period ends ({}) before it starts ({})",
            self.to, self.from
        )
    }
}

impl std::error::Error for PeriodError {}

impl From<PeriodError> for crate::Error {
    fn from(error: PeriodError) -> Self {
        crate::Error::InvalidInput(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn both_ends_take_the_offset_of_from_and_a_reversed_period_is_refused() {
        let brt = FixedOffset::west_opt(3 * 3600).unwrap();
        let from = brt.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2024, 3, 2, 12, 0, 0).unwrap();
        let p = Period::new(from, to.with_timezone(&brt)).unwrap();
        assert_eq!(p.to().offset(), &brt);
        assert_eq!(p.to(), to);
        let err = Period::new(p.to(), p.from()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the period ends (2024-03-01 00:00:00 -03:00) before it starts (2024-03-02 09:00:00 -03:00)"
        );
        assert!(matches!(
            crate::Error::from(err),
            crate::Error::InvalidInput(_)
        ));
    }
}
