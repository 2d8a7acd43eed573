//! [PUB-1] a month's disclosure published: the record that the statement of
//! a closed, reviewed month went up on the notice board, on which day, with
//! which fingerprint. The public board shows published months only.
//!
//! Publishing is the accountant's act (`Act::KeepBooks`): who prepares the
//! disclosure puts it up. A month is published once per close: publishing
//! it again is refused unless it was reopened and closed since, which gives
//! it a new close fingerprint (then it is a re-publication, recorded too).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::books::{Books, Event};
use crate::period::{date_serde, format_date, Period};
use crate::rule::{refuse, Failure, Rule};

/// A month's disclosure as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub period: Period,
    /// The publication date printed on the poster.
    #[serde(with = "date_serde")]
    pub date: Date,
    /// The month's close fingerprint at publication (AUD-3), full hex.
    pub fingerprint: String,
    /// Who published it.
    pub by: String,
    /// When it was recorded (the log entry's time, RFC 3339).
    pub at: String,
}

impl Publication {
    /// The first 16 hex digits of the fingerprint, as the poster prints them.
    pub fn fingerprint_short(&self) -> &str {
        &self.fingerprint[..self.fingerprint.len().min(16)]
    }
}

/// [PUB-1] records that the disclosure of `period` is published on `date`
/// by `by`. Refused unless `date` is not after `today`, the month is
/// closed, its latest review is dated no later than `date`, `date` is not before the month's end, and the
/// month was not already published at its present close.
pub fn publish_disclosure(
    books: &mut impl Books,
    period: Period,
    date: Date,
    by: &str,
    today: Date,
) -> Result<Publication, Failure> {
    let month = period.to_chinese();
    if date > today {
        return refuse(
            Rule::Pub1,
            format!(
                "公布日期 {} 晚于今天 {}：不能预先登记公布；请在张贴当天登记，或写明实际张贴的日期",
                format_date(date),
                format_date(today)
            ),
        );
    }
    if !books.period_closed(period)? {
        return refuse(
            Rule::Pub1,
            format!("{month}尚未结账，不能公布：公开的是结账后的数字；请先结账（period close --month {period}）再公布"),
        );
    }
    if date < period.last_day() {
        return refuse(
            Rule::Pub1,
            format!(
                "公布日期 {} 早于{month}的最后一天 {}：月度公开须在月末之后；请用 --date 写明不早于 {} 的日期",
                format_date(date),
                format_date(period.last_day()),
                format_date(period.last_day())
            ),
        );
    }
    let key = period.to_string();
    let latest = books.reviews()?.into_iter().filter(|r| r.span == key).max_by_key(|r| r.date);
    let Some(review) = latest else {
        return refuse(
            Rule::Pub1,
            format!(
                "{month}的财务公开还没有居务监督委员会的审核意见：须先审核后公布；请由监督委员会成员用 disclose review --month {period} 录入审核意见"
            ),
        );
    };
    if review.date > date {
        return refuse(
            Rule::Pub1,
            format!(
                "{month}的审核意见（{}，{}）晚于公布日期 {}：须先审核后公布；请用 --date 写明不早于 {} 的公布日期",
                review.by,
                format_date(review.date),
                format_date(date),
                format_date(review.date)
            ),
        );
    }
    let Some(fingerprint) = books.close_fingerprint(period)? else {
        return refuse(Rule::Pub1, format!("找不到{month}结账时的日志记录，无法取得结账指纹；请运行 verify 检查账套"));
    };
    if let Some(earlier) =
        books.publications()?.into_iter().find(|p| p.period == period && p.fingerprint == fingerprint)
    {
        return refuse(
            Rule::Pub1,
            format!(
                "{month}的财务公开已于 {} 由 {} 公布（指纹 {}），本次结账后不能重复公布；如账目有误，须反结账、更正、重新结账后再公布",
                format_date(earlier.date),
                earlier.by,
                earlier.fingerprint_short()
            ),
        );
    }
    books.append(Event::DisclosurePublished { period, date, fingerprint: fingerprint.clone(), by: by.to_string() })?;
    Ok(Publication { period, date, fingerprint, by: by.to_string(), at: String::new() })
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::disclosure::{record_review, Review};
    use crate::memory::MemoryBooks;
    use crate::test_support::rule_of;

    /// The day the tests' acts are done on.
    const TODAY: Date = date!(2025 - 06 - 30);

    fn april() -> Period {
        Period::parse("2025-04").unwrap()
    }

    fn close(b: &mut MemoryBooks, period: Period) {
        b.append(Event::PeriodClosed { period, reason: "月末结账".into(), in_transit: Vec::new() }).unwrap();
    }

    fn review(b: &mut MemoryBooks, on: Date) {
        let r = Review {
            span: "2025-04".into(), by: "周芳".into(), opinion: "经审核，收支属实".into(), date: on
        };
        record_review(b, r, TODAY).unwrap();
    }

    fn message<T: std::fmt::Debug>(r: Result<T, Failure>) -> String {
        match r {
            Err(Failure::Refused(r)) => r.reasons[0].message.clone(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn pub_1_publishing_before_the_close_is_refused() {
        let mut b = MemoryBooks::fixture();
        review(&mut b, date!(2025 - 05 - 03));
        let r = publish_disclosure(&mut b, april(), date!(2025 - 05 - 05), "赵敏", TODAY);
        assert!(message(r).contains("尚未结账"));
        assert!(b.publications().unwrap().is_empty());
    }

    #[test]
    fn pub_1_publishing_without_a_review_is_refused() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        let r = publish_disclosure(&mut b, april(), date!(2025 - 05 - 05), "赵敏", TODAY);
        assert!(message(r).contains("disclose review --month 2025-04"));
    }

    #[test]
    fn pub_1_a_review_dated_after_the_publication_is_refused() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        review(&mut b, date!(2025 - 05 - 08));
        let r = publish_disclosure(&mut b, april(), date!(2025 - 05 - 05), "赵敏", TODAY);
        assert!(message(r).contains("晚于公布日期 2025-05-05"));
        publish_disclosure(&mut b, april(), date!(2025 - 05 - 08), "赵敏", TODAY).expect("reviewed the same day");
    }

    #[test]
    fn pub_1_a_date_before_the_month_end_is_refused() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        review(&mut b, date!(2025 - 04 - 30));
        assert_eq!(rule_of(publish_disclosure(&mut b, april(), date!(2025 - 04 - 29), "赵敏", TODAY)), Rule::Pub1);
    }

    #[test]
    fn pub_1_publishing_the_same_close_twice_is_refused() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        review(&mut b, date!(2025 - 05 - 03));
        let first = publish_disclosure(&mut b, april(), date!(2025 - 05 - 05), "赵敏", TODAY).unwrap();
        let again = message(publish_disclosure(&mut b, april(), date!(2025 - 05 - 06), "赵敏", TODAY));
        assert!(again.contains("已于 2025-05-05 由 赵敏 公布") && again.contains("反结账"), "{again}");
        assert_eq!(b.publications().unwrap(), vec![first]);
    }

    #[test]
    fn pub_1_a_month_reopened_and_closed_again_is_published_again() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        review(&mut b, date!(2025 - 05 - 03));
        let first = publish_disclosure(&mut b, april(), date!(2025 - 05 - 05), "赵敏", TODAY).unwrap();
        b.append(Event::PeriodReopened {
            period: april(),
            reason: "补记漏记凭证".into(),
            accountant: "赵敏".into(),
            approver: "王强".into(),
        })
        .unwrap();
        assert_eq!(rule_of(publish_disclosure(&mut b, april(), date!(2025 - 05 - 12), "赵敏", TODAY)), Rule::Pub1);
        close(&mut b, april());
        let second = publish_disclosure(&mut b, april(), date!(2025 - 05 - 12), "赵敏", TODAY).unwrap();
        assert_ne!(first.fingerprint, second.fingerprint);
        let all = b.publications().unwrap();
        assert_eq!(all.iter().map(|p| p.date).collect::<Vec<_>>(), [date!(2025 - 05 - 05), date!(2025 - 05 - 12)]);
    }

    #[test]
    fn pub_1_no_review_is_added_to_a_month_once_published() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        review(&mut b, date!(2025 - 05 - 03));
        publish_disclosure(&mut b, april(), date!(2025 - 05 - 05), "赵敏", TODAY).unwrap();
        let late = Review {
            span: april().to_string(),
            by: "陈静".into(),
            opinion: "补充意见".into(),
            date: date!(2025 - 05 - 04),
        };
        let refused = record_review(&mut b, late, TODAY);
        assert_eq!(rule_of(refused), Rule::Pub1);
        assert_eq!(b.reviews().unwrap().len(), 1, "the board keeps the review it was published with");
    }

    #[test]
    fn pub_1_a_review_or_publication_dated_in_the_future_is_refused() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        let ahead = Review {
            span: april().to_string(),
            by: "周芳".into(),
            opinion: "经审核，收支属实".into(),
            date: date!(2025 - 07 - 01),
        };
        let said = message(record_review(&mut b, ahead, TODAY));
        assert!(said.contains("审核日期 2025-07-01 晚于今天 2025-06-30"), "{said}");
        review(&mut b, date!(2025 - 05 - 03));
        let said = message(publish_disclosure(&mut b, april(), date!(2026 - 05 - 05), "赵敏", TODAY));
        assert!(said.contains("公布日期 2026-05-05 晚于今天 2025-06-30"), "{said}");
        assert!(b.publications().unwrap().is_empty());
        publish_disclosure(&mut b, april(), TODAY, "赵敏", TODAY).expect("published today");
    }

    #[test]
    fn pub_1_a_months_review_is_not_dated_before_its_last_day() {
        let mut b = MemoryBooks::fixture();
        close(&mut b, april());
        let early = Review {
            span: april().to_string(),
            by: "周芳".into(),
            opinion: "经审核，收支属实".into(),
            date: date!(2025 - 04 - 15),
        };
        let said = message(record_review(&mut b, early, TODAY));
        assert!(said.contains("审核日期 2025-04-15 早于2025年04月的最后一天 2025-04-30"), "{said}");
        assert!(b.reviews().unwrap().is_empty());
        review(&mut b, date!(2025 - 04 - 30));
        assert_eq!(b.reviews().unwrap().len(), 1);
    }
}
