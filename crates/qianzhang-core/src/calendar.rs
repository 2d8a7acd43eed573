//! Business days (工作日): Monday to Friday, less the public holidays the
//! State Council announces each year, plus the weekend days it makes working
//! days (调休上班). PER-1 counts the cash of a month's last business day and
//! CSH-5 deposits cash income by the next business day: both read this
//! calendar.
//!
//! The notices of 2024, 2025 and 2026 are built in ([`OFFICIAL`]); a ledger
//! amends them (a year not yet built in, a local day off) with
//! `settings holiday add` and `settings workday add`, logged as
//! [`crate::event::Event::CalendarDayMarked`]. An amendment overrides the
//! built-in notice for its day.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Month, Weekday};

use crate::period::{date_serde, Period};

/// What a day is on the calendar, beyond its weekday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假: no business, whatever the weekday.
    Holiday,
    /// 调休上班: a business day, whatever the weekday.
    Workday,
}

impl DayKind {
    pub fn chinese(self) -> &'static str {
        match self {
            DayKind::Holiday => "放假",
            DayKind::Workday => "上班",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn parse(text: &str) -> Option<DayKind> {
        match text {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// A day marked on the calendar: a holiday or a make-up working day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkedDay {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub kind: DayKind,
    /// The holiday it belongs to (春节, 国庆节 …), or the reason given.
    pub name: String,
}

/// A range of days of one notice: (year, month, first day, last day, kind, name).
type Span = (i32, u8, u8, u8, DayKind, &'static str);

use DayKind::{Holiday as H, Workday as W};

/// The State Council's notices (国务院办公厅关于部分节假日安排的通知):
/// 国办发明电〔2023〕7号 for 2024, 国办发明电〔2024〕12号 for 2025, and the
/// notice of 2025-11-04 for 2026. Ranges run from the first to the last day
/// inclusive, within one month.
pub const OFFICIAL: &[Span] = &[
    // 2024
    (2024, 1, 1, 1, H, "元旦"),
    (2024, 2, 4, 4, W, "春节"),
    (2024, 2, 10, 17, H, "春节"),
    (2024, 2, 18, 18, W, "春节"),
    (2024, 4, 4, 6, H, "清明节"),
    (2024, 4, 7, 7, W, "清明节"),
    (2024, 4, 28, 28, W, "劳动节"),
    (2024, 5, 1, 5, H, "劳动节"),
    (2024, 5, 11, 11, W, "劳动节"),
    (2024, 6, 10, 10, H, "端午节"),
    (2024, 9, 14, 14, W, "中秋节"),
    (2024, 9, 15, 17, H, "中秋节"),
    (2024, 9, 29, 29, W, "国庆节"),
    (2024, 10, 1, 7, H, "国庆节"),
    (2024, 10, 12, 12, W, "国庆节"),
    // 2025
    (2025, 1, 1, 1, H, "元旦"),
    (2025, 1, 26, 26, W, "春节"),
    (2025, 1, 28, 31, H, "春节"),
    (2025, 2, 1, 4, H, "春节"),
    (2025, 2, 8, 8, W, "春节"),
    (2025, 4, 4, 6, H, "清明节"),
    (2025, 4, 27, 27, W, "劳动节"),
    (2025, 5, 1, 5, H, "劳动节"),
    (2025, 5, 31, 31, H, "端午节"),
    (2025, 6, 1, 2, H, "端午节"),
    (2025, 9, 28, 28, W, "国庆节、中秋节"),
    (2025, 10, 1, 8, H, "国庆节、中秋节"),
    (2025, 10, 11, 11, W, "国庆节、中秋节"),
    // 2026
    (2026, 1, 1, 3, H, "元旦"),
    (2026, 1, 4, 4, W, "元旦"),
    (2026, 2, 14, 14, W, "春节"),
    (2026, 2, 15, 23, H, "春节"),
    (2026, 2, 28, 28, W, "春节"),
    (2026, 4, 4, 6, H, "清明节"),
    (2026, 5, 1, 5, H, "劳动节"),
    (2026, 5, 9, 9, W, "劳动节"),
    (2026, 6, 19, 21, H, "端午节"),
    (2026, 9, 20, 20, W, "国庆节"),
    (2026, 9, 25, 27, H, "中秋节"),
    (2026, 10, 1, 7, H, "国庆节"),
    (2026, 10, 10, 10, W, "国庆节"),
];

/// The years whose notices are built in.
pub const OFFICIAL_YEARS: std::ops::RangeInclusive<i32> = 2024..=2026;

fn official(date: Date) -> Option<(DayKind, &'static str)> {
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    OFFICIAL
        .iter()
        .find(|(sy, sm, from, to, _, _)| *sy == y && *sm == m && (*from..=*to).contains(&d))
        .map(|s| (s.4, s.5))
}

/// The calendar of a ledger: the built-in notices and the ledger's own
/// amendments (which win for their day).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    amendments: BTreeMap<Date, MarkedDay>,
}

impl Calendar {
    /// Records an amendment (a later one for the same day replaces it).
    pub fn mark(&mut self, day: &MarkedDay) {
        self.amendments.insert(day.date, day.clone());
    }

    /// The ledger's own amendments, by date.
    pub fn amendments(&self) -> impl Iterator<Item = &MarkedDay> {
        self.amendments.values()
    }

    /// What `date` is marked as, and by whom: the ledger's amendment, else
    /// the built-in notice. `None` for an ordinary day.
    pub fn marked(&self, date: Date) -> Option<(DayKind, String, bool)> {
        if let Some(m) = self.amendments.get(&date) {
            return Some((m.kind, m.name.clone(), true));
        }
        official(date).map(|(k, n)| (k, n.to_string(), false))
    }

    /// Whether business is done on `date`: a make-up working day is, a
    /// holiday is not, otherwise Monday to Friday.
    pub fn is_business_day(&self, date: Date) -> bool {
        let kind = match self.amendments.get(&date) {
            Some(m) => Some(m.kind),
            None => official(date).map(|(k, _)| k),
        };
        match kind {
            Some(DayKind::Workday) => true,
            Some(DayKind::Holiday) => false,
            None => !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// [PER-1] the last business day of a month (its last day if, oddly, no
    /// day of it is one).
    pub fn last_business_day(&self, period: Period) -> Date {
        let mut d = period.last_day();
        while !self.is_business_day(d) {
            match d.previous_day() {
                Some(before) if before >= period.first_day() => d = before,
                _ => return period.last_day(),
            }
        }
        d
    }

    /// [CSH-5] the date by which cash received on `date` must be in the
    /// bank: `days` business days later.
    pub fn deposit_deadline(&self, date: Date, days: u32) -> Date {
        let mut d = date;
        let mut left = days;
        while left > 0 {
            // The calendar ends somewhere; a deadline past it is its last day.
            let Some(next) = d.next_day() else { return d };
            d = next;
            if self.is_business_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The effective calendar of `year`: every marked day, by date, with
    /// whether it is the ledger's own amendment.
    pub fn year(&self, year: i32) -> Vec<(MarkedDay, bool)> {
        let mut days: BTreeMap<Date, (MarkedDay, bool)> = BTreeMap::new();
        for &(y, m, from, to, kind, name) in OFFICIAL.iter().filter(|s| s.0 == year) {
            let Ok(month) = Month::try_from(m) else { continue };
            for d in from..=to {
                if let Ok(date) = Date::from_calendar_date(y, month, d) {
                    days.insert(date, (MarkedDay { date, kind, name: name.to_string() }, false));
                }
            }
        }
        for m in self.amendments.values().filter(|m| m.date.year() == year) {
            days.insert(m.date, (m.clone(), true));
        }
        days.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn notices_are_consistent() {
        for &(y, m, from, to, kind, _) in OFFICIAL {
            let month = Month::try_from(m).unwrap();
            for d in from..=to {
                let date = Date::from_calendar_date(y, month, d).unwrap();
                if kind == DayKind::Workday {
                    assert!(
                        matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday),
                        "{date} is a make-up day on a weekday"
                    );
                }
            }
        }
    }

    #[test]
    fn per_1_last_business_day_skips_national_day() {
        let c = Calendar::default();
        // September 2025 ends on a Tuesday: an ordinary business day.
        assert_eq!(c.last_business_day(Period::parse("2025-09").unwrap()), date!(2025 - 09 - 30));
        // October 2024 ends on a Thursday after the holiday: itself.
        assert_eq!(c.last_business_day(Period::parse("2024-10").unwrap()), date!(2024 - 10 - 31));
        // January 2025 ends in the Spring Festival (1-28 to 2-4): the last
        // business day is Monday 1-27.
        assert_eq!(c.last_business_day(Period::parse("2025-01").unwrap()), date!(2025 - 01 - 27));
        // October 2025 starts with the National Day holiday; September 2025
        // ends on a Tuesday, the last business day before it.
        assert!(!c.is_business_day(date!(2025 - 10 - 01)));
        // May 2025 ends on the Dragon Boat Festival Saturday: Friday 5-30.
        assert_eq!(c.last_business_day(Period::parse("2025-05").unwrap()), date!(2025 - 05 - 30));
    }

    #[test]
    fn csh_5_next_business_day_skips_spring_festival() {
        let c = Calendar::default();
        // Income of Friday 2026-02-13 is due on Saturday 2-14, a make-up day.
        assert_eq!(c.deposit_deadline(date!(2026 - 02 - 13), 1), date!(2026 - 02 - 14));
        // Income of that Saturday waits until the festival is over: 2-24.
        assert_eq!(c.deposit_deadline(date!(2026 - 02 - 14), 1), date!(2026 - 02 - 24));
        // Without the calendar the deadline would have been Monday 2-16.
        assert_eq!(c.deposit_deadline(date!(2025 - 01 - 27), 1), date!(2025 - 02 - 05));
    }

    #[test]
    fn a_make_up_saturday_is_a_business_day() {
        let c = Calendar::default();
        assert!(c.is_business_day(date!(2025 - 10 - 11)), "Saturday, 调休上班");
        assert!(!c.is_business_day(date!(2025 - 10 - 18)), "an ordinary Saturday");
        assert!(!c.is_business_day(date!(2025 - 10 - 08)), "Wednesday in the National Day holiday");
        // February 2026 ends on Saturday 2-28, a make-up day: it is the last
        // business day.
        assert_eq!(c.last_business_day(Period::parse("2026-02").unwrap()), date!(2026 - 02 - 28));
    }

    #[test]
    fn an_amendment_changes_the_answer() {
        let mut c = Calendar::default();
        assert_eq!(c.last_business_day(Period::parse("2027-04").unwrap()), date!(2027 - 04 - 30));
        c.mark(&MarkedDay { date: date!(2027 - 04 - 30), kind: DayKind::Holiday, name: "劳动节".into() });
        assert_eq!(c.last_business_day(Period::parse("2027-04").unwrap()), date!(2027 - 04 - 29));
        c.mark(&MarkedDay { date: date!(2027 - 04 - 25), kind: DayKind::Workday, name: "劳动节".into() });
        assert!(c.is_business_day(date!(2027 - 04 - 25)));
        let year = c.year(2027);
        assert_eq!(year.len(), 2);
        assert!(year.iter().all(|(_, own)| *own));
        // An amendment overrides the notice for its day.
        c.mark(&MarkedDay { date: date!(2026 - 10 - 10), kind: DayKind::Holiday, name: "补休".into() });
        assert!(!c.is_business_day(date!(2026 - 10 - 10)));
        assert_eq!(c.year(2026).iter().filter(|(_, own)| *own).count(), 1);
    }
}
