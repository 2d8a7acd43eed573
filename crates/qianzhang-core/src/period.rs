//! Accounting periods (YYYY-MM) and calendar dates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// A calendar month: the accounting period (会计期间).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("“{0}”不是有效的会计期间，应写作 YYYY-MM，例如 2025-03")]
    BadPeriod(String),
    #[error("“{0}”不是有效的日期，应写作 YYYY-MM-DD，例如 2025-03-15")]
    BadDate(String),
    #[error("“{0}”超出可记账的日期范围（{FIRST_YEAR}-01-01 至 {LAST_YEAR}-12-31）")]
    OutOfRange(String),
}

/// The first year the engine keeps books for. Every date and period it
/// accepts lies in `FIRST_YEAR..=LAST_YEAR`, checked where text becomes a
/// date, so that month ends, next months and day windows computed from any
/// accepted date stay far inside what the calendar library represents.
pub const FIRST_YEAR: i32 = 1900;
/// The last year the engine keeps books for.
pub const LAST_YEAR: i32 = 2199;

/// Whether `date` lies in the range the engine keeps books for.
pub fn in_range(date: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

impl Period {
    pub fn new(year: i32, month: u8) -> Option<Period> {
        ((1..=12).contains(&month) && (FIRST_YEAR..=LAST_YEAR).contains(&year)).then_some(Period { year, month })
    }

    pub fn of(date: Date) -> Period {
        Period { year: date.year(), month: date.month() as u8 }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// `202503` — the compact key the store sorts by.
    pub fn key(self) -> u32 {
        (self.year as u32) * 100 + self.month as u32
    }

    pub fn from_key(key: u32) -> Option<Period> {
        Period::new((key / 100) as i32, (key % 100) as u8)
    }

    /// The first day of the month. Periods are built from accepted dates
    /// and texts (years `FIRST_YEAR..=LAST_YEAR`), and a step or two beyond
    /// them stays inside the calendar; a period outside it anyway (a
    /// programmer error) gives the calendar's own limit, never a panic.
    pub fn first_day(self) -> Date {
        let month = Month::try_from(self.month).unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, 1).unwrap_or(if self.year < 0 { Date::MIN } else { Date::MAX })
    }

    /// The last day of the month (see [`Period::first_day`] for the range).
    pub fn last_day(self) -> Date {
        let month = Month::try_from(self.month).unwrap_or(Month::January);
        let days = month.length(self.year);
        Date::from_calendar_date(self.year, month, days).unwrap_or(if self.year < 0 { Date::MIN } else { Date::MAX })
    }

    pub fn next(self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { year: self.year, month: self.month + 1 }
        }
    }

    pub fn prev(self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { year: self.year, month: self.month - 1 }
        }
    }

    pub fn contains(self, date: Date) -> bool {
        Period::of(date) == self
    }

    /// `2025年03月`, as printed on reports.
    pub fn to_chinese(self) -> String {
        format!("{}年{:02}月", self.year, self.month)
    }

    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let bad = || PeriodError::BadPeriod(text.to_string());
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        if !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        Period::new(year, month).ok_or_else(|| PeriodError::OutOfRange(t.to_string()))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{:04}-{:02}", self.year, self.month))
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Reads a date as accountants and spreadsheets write it: `2025-03-05`,
/// `2025/3/5`, `2025.03.05`. Calendar validity is left to the `time` crate.
pub fn parse_date(text: &str) -> Result<Date, PeriodError> {
    let bad = || PeriodError::BadDate(text.to_string());
    let t = text.trim();
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || parts[1].is_empty()
        || parts[1].len() > 2
        || parts[2].is_empty()
        || parts[2].len() > 2
    {
        return Err(bad());
    }
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(bad());
    }
    let year: i32 = parts[0].parse().map_err(|_| bad())?;
    let month: u8 = parts[1].parse().map_err(|_| bad())?;
    let day: u8 = parts[2].parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    let date = Date::from_calendar_date(year, month, day).map_err(|_| bad())?;
    if !in_range(date) {
        return Err(PeriodError::OutOfRange(t.to_string()));
    }
    Ok(date)
}

/// `2025-03-05`.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month() as u8, date.day())
}

/// Dates travel as `YYYY-MM-DD` in every serialized form.
pub mod date_serde {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_date(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        parse_date(&text).map_err(serde::de::Error::custom)
    }
}

/// Optional dates as `YYYY-MM-DD` or absent.
pub mod opt_date_serde {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.collect_str(&format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| parse_date(&t).map_err(serde::de::Error::custom)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_parse_and_step() {
        let p = Period::parse("2025-12").unwrap();
        assert_eq!(p.next().to_string(), "2026-01");
        assert_eq!(p.next().prev(), p);
        assert_eq!(p.last_day(), date!(2025 - 12 - 31));
        assert_eq!(Period::parse("2024-02").unwrap().last_day(), date!(2024 - 02 - 29));
        assert_eq!(p.key(), 202512);
        assert_eq!(Period::from_key(202512), Some(p));
        for bad in ["2025-13", "2025-1", "25-01", "2025/01", "x"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vch_3_dates_and_months_outside_the_range_are_refused() {
        for text in ["9999-12", "0001-01", "1899-12", "2200-01", "+202-01"] {
            assert!(Period::parse(text).is_err(), "{text}");
        }
        assert!(matches!(Period::parse("9999-12"), Err(PeriodError::OutOfRange(_))));
        for text in ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01", "+202-1-1", "2025-+1-01"] {
            assert!(parse_date(text).is_err(), "{text}");
        }
        assert!(matches!(parse_date("9999-12-31"), Err(PeriodError::OutOfRange(_))));
        assert_eq!(parse_date("2199-12-31").unwrap(), date!(2199 - 12 - 31));
        assert_eq!(parse_date("1900-01-01").unwrap(), date!(1900 - 01 - 01));
        // The edges step without a panic.
        let last = Period::parse("2199-12").unwrap();
        assert_eq!(last.last_day(), date!(2199 - 12 - 31));
        assert_eq!(last.next().first_day(), date!(2200 - 01 - 01));
        assert_eq!(last.next().last_day(), date!(2200 - 01 - 31));
        let first = Period::parse("1900-01").unwrap();
        assert_eq!(first.prev().last_day(), date!(1899 - 12 - 31));
        assert_eq!(Period::from_key(999_912), None);
    }

    #[test]
    fn dates_in_spreadsheet_forms() {
        assert_eq!(parse_date("2025-03-05").unwrap(), date!(2025 - 03 - 05));
        assert_eq!(parse_date("2025/3/5").unwrap(), date!(2025 - 03 - 05));
        assert_eq!(parse_date("2025.03.05").unwrap(), date!(2025 - 03 - 05));
        for bad in ["2025-02-30", "2025-13-01", "20250305", "2025-3", "", "2025-03-05x"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
