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
    #[error("“{0}”不是有效的会计期间，应写作 2026-01、2026/1、2026年1月 或 202601")]
    BadPeriod(String),
    #[error("“{0}”不是有效的日期，应写作 2026-01-05、2026/1/5、2026.1.5、2026年1月5日 或 20260105")]
    BadDate(String),
    /// A month past December: 2026-13.
    #[error("“{0}”不是有效的会计期间：一年只有 12 个月")]
    NoSuchMonth(String),
    /// Well written, but not on the calendar: 2026-02-30, 2026-13-01.
    #[error("“{text}”不在日历上：{why}")]
    NoSuchDate { text: String, why: String },
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

    /// Reads a month as users type it: `2026-01`, `2026/1`, `2026.1`,
    /// `2026年1月`, `202601`; the year within `FIRST_YEAR..=LAST_YEAR`.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let bad = || PeriodError::BadPeriod(text.to_string());
        let t = text.trim();
        let parts = numbers(t, 2).ok_or_else(bad)?;
        let (year, month) = (parts[0], parts[1]);
        if !(1..=12).contains(&month) {
            return Err(PeriodError::NoSuchMonth(t.to_string()));
        }
        Period::new(year as i32, month as u8).ok_or_else(|| PeriodError::OutOfRange(t.to_string()))
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

/// The numbers of a date or month as users write them, year first:
/// `2026-01-05`, `2026/1/5`, `2026.1.5`, `2026年1月5日`, `20260105` (and
/// for a month, `count == 2`: `2026-01`, `2026/1`, `2026年1月`, `202601`).
/// A four-digit year, then one or two digits each; `None` for anything else.
fn numbers(t: &str, count: usize) -> Option<Vec<u32>> {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    // Compact: 20260105 or 202601.
    if t.len() == 4 + 2 * (count - 1) && digits(t) {
        return Some((0..count).map(|i| if i == 0 { &t[..4] } else { &t[2 + 2 * i..4 + 2 * i] }).map(number).collect());
    }
    let parts: Vec<&str> = if let Some(rest) = t.strip_suffix(if count == 3 { "日" } else { "月" }) {
        // 2026年1月5日 or 2026年1月.
        let mut parts = Vec::new();
        let (year, rest) = rest.split_once('年')?;
        parts.push(year);
        if count == 3 {
            let (month, day) = rest.split_once('月')?;
            parts.extend([month, day]);
        } else {
            parts.push(rest);
        }
        parts
    } else {
        let separator = t.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        t.split(separator).collect()
    };
    let well_formed = parts.len() == count
        && parts[0].len() == 4
        && parts.iter().all(|p| digits(p))
        && parts[1..].iter().all(|p| p.len() <= 2);
    well_formed.then(|| parts.into_iter().map(number).collect())
}

/// Digits already checked, at most four of them.
fn number(digits: &str) -> u32 {
    digits.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

/// [LIM-1] reads a date as users and spreadsheets write it: `2026-01-05`,
/// `2026/1/5`, `2026.1.5`, `2026年1月5日`, `20260105`. The one reader of
/// typed dates (flags, CSV and voucher files): a day not on the calendar
/// (2026-02-30) is refused saying why, a year outside
/// `FIRST_YEAR..=LAST_YEAR` as out of range.
pub fn parse_date(text: &str) -> Result<Date, PeriodError> {
    let t = text.trim();
    let parts = numbers(t, 3).ok_or_else(|| PeriodError::BadDate(text.to_string()))?;
    let (year, month, day) = (parts[0] as i32, parts[1] as u8, parts[2] as u8);
    let no_such = |why: String| PeriodError::NoSuchDate { text: t.to_string(), why };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(PeriodError::OutOfRange(t.to_string()));
    }
    let month = Month::try_from(month).map_err(|_| no_such(format!("一年只有 12 个月，没有 {month} 月")))?;
    Date::from_calendar_date(year, month, day)
        .map_err(|_| no_such(format!("{year}年{}月只有 {} 天，没有 {day} 日", month as u8, month.length(year))))
}

/// `2025-03-05`.
pub fn format_date(date: Date) -> String {
    let (year, month, day) = (date.year(), date.month() as u8, date.day());
    let Ok(y @ 0..=9999) = u16::try_from(year) else {
        return format!("{year:04}-{month:02}-{day:02}");
    };
    // Written digit by digit: a history import formats a million dates.
    let digit = |n: u16| char::from(b'0' + (n % 10) as u8);
    let (m, d) = (u16::from(month), u16::from(day));
    let mut text = String::with_capacity(10);
    text.extend([digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), '-', digit(m / 10), digit(m), '-']);
    text.extend([digit(d / 10), digit(d)]);
    text
}

/// A log time as people read it, to the second in the time's own offset:
/// `2026-01-05 09:30:15`. The log stores RFC 3339 (older entries with a
/// fraction of a second); a time that does not parse is shown as stored.
pub fn show_time(at: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(at, &Rfc3339) {
        Ok(t) => show_clock(t),
        Err(_) => at.to_string(),
    }
}

/// `2026-01-05 09:30:15`: a time to the second, in its own offset.
pub fn show_clock(t: time::OffsetDateTime) -> String {
    format!("{} {:02}:{:02}:{:02}", format_date(t.date()), t.hour(), t.minute(), t.second())
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

/// [STM-1, PUB-1] a span of months (`first..=last`) wholly before the
/// go-live month `start` has no books of its own: the opening balances stand
/// as the totals of the month before go-live, so a statement or a disclosure
/// of it would show them as that month's movement. Refused, naming the
/// go-live month, unless migrated history (`import --history`) covers part
/// of the span (`history`), which is a legitimate report of the old books.
pub fn before_go_live(
    rule: crate::rule::Rule,
    what: &str,
    first: Period,
    last: Period,
    start: Period,
    history: bool,
) -> Result<(), crate::rule::Refusal> {
    if last >= start || history {
        return Ok(());
    }
    let span = if first == last { first.to_string() } else { format!("{first} 至 {last}") };
    Err(crate::rule::Refusal::new(
        rule,
        format!(
            "{span} 在账套启用期间 {start} 之前，账套里没有这段期间的账（期初余额是启用时的余额，\
             也没有用 import --history 迁移这段期间的历史凭证），不能编制{what}；请选择 {start} 或之后的期间"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    proptest::proptest! {
        /// Dates are written as `format!` writes them, zero-padded, in
        /// every year the calendar has.
        #[test]
        fn dates_are_written_yyyy_mm_dd(day in Date::MIN.to_julian_day()..=Date::MAX.to_julian_day()) {
            let date = Date::from_julian_day(day).unwrap();
            let expected = format!("{:04}-{:02}-{:02}", date.year(), date.month() as u8, date.day());
            proptest::prop_assert_eq!(format_date(date), expected);
        }
    }

    #[test]
    fn periods_parse_and_step() {
        let p = Period::parse("2025-12").unwrap();
        assert_eq!(p.next().to_string(), "2026-01");
        assert_eq!(p.next().prev(), p);
        assert_eq!(p.last_day(), date!(2025 - 12 - 31));
        assert_eq!(Period::parse("2024-02").unwrap().last_day(), date!(2024 - 02 - 29));
        assert_eq!(p.key(), 202512);
        assert_eq!(Period::from_key(202512), Some(p));
        for bad in ["2025-13", "25-01", "2025-001", "2025-01-", "2025年1", "2025-1月", "20251", "x"] {
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
        for bad in ["2025-02-30", "2025-13-01", "2025-3", "", "2025-03-05x", "2025-03/05", "2025305", "2025年3月5"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lim_1_every_spelling_of_a_date_is_one_date() {
        for text in ["2026-01-05", "2026/1/5", "2026.1.5", "2026年1月5日", "2026年01月05日", "20260105", " 2026-1-5 "]
        {
            assert_eq!(parse_date(text), Ok(date!(2026 - 01 - 05)), "{text}");
        }
        let january = Period::new(2026, 1).unwrap();
        for text in ["2026-01", "2026/1", "2026.01", "2026年1月", "2026年01月", "202601", "2026-1"] {
            assert_eq!(Period::parse(text), Ok(january), "{text}");
        }
    }

    #[test]
    fn log_times_are_shown_to_the_second() {
        assert_eq!(show_time("2026-01-05T09:30:15.123456789+08:00"), "2026-01-05 09:30:15");
        assert_eq!(show_time("2026-01-05T09:30:15+08:00"), "2026-01-05 09:30:15");
        assert_eq!(show_time("not a time"), "not a time");
    }

    #[test]
    fn lim_1_a_day_not_on_the_calendar_is_refused_saying_why() {
        let e = parse_date("2026年2月30日").unwrap_err().to_string();
        assert!(e.contains("2026年2月只有 28 天，没有 30 日"), "{e}");
        let e = parse_date("20261301").unwrap_err().to_string();
        assert!(e.contains("没有 13 月"), "{e}");
        let e = Period::parse("202613").unwrap_err().to_string();
        assert!(e.contains("不是有效的会计期间：一年只有 12 个月"), "{e}");
        // The bounds hold in every spelling.
        for text in ["2200年1月1日", "22000101", "1899/12/31"] {
            assert!(matches!(parse_date(text), Err(PeriodError::OutOfRange(_))), "{text}");
        }
        assert!(matches!(Period::parse("220001"), Err(PeriodError::OutOfRange(_))));
        assert!(parse_date("2024/2/29").is_ok());
        let e = parse_date("2026-01").unwrap_err().to_string();
        assert!(e.contains("2026年1月5日"), "{e}");
    }
}
