//! Month-end fixtures shared by the month and board tests: a month made
//! ready to close as the office would make it.
#![allow(dead_code)]

use qianzhang_app::backend::Actor;
use qianzhang_core::backend::Backend;
use qianzhang_core::bank::{import_statement, match_automatically, Statement, StatementLine};
use qianzhang_core::cash::{book_at, last_business_day, record_count};
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::Books;
use qianzhang_core::{Money, Period};

use crate::common::{Office, CASHIER, LEDGER};

pub fn period(text: &str) -> Period {
    Period::parse(text).expect("period")
}

pub fn closed(office: &Office, through: &str) -> Vec<Period> {
    qianzhang_app::month::closed_months(&office.ledger(), period(through)).expect("closed months")
}

/// Makes `month` ready to close as the office would: the cashier counts
/// the cash of its last business day, the bank's statement of the month
/// (made from the bank journal) is imported and matched.
pub fn ready_to_close(office: &Office, month: &str) {
    crate::common::store::off_runtime(|| make_ready(office, month))
}

fn make_ready(office: &Office, month: &str) {
    let month = period(month);
    let mut store = qianzhang_db::open(office.path(), std::time::Duration::from_secs(10)).expect("store");
    let handle = store.ledgers().expect("ledgers").into_iter().find(|h| h.info.name == LEDGER).expect("ledger");
    let at = |name: &str| Actor { name: name.into(), at: "2025-04-10T10:00:00+08:00".into(), command: "test".into() };
    store
        .write(&handle, &at(CASHIER), |w| {
            let day = last_business_day(month, &w.settings().calendar);
            let counted = book_at(w, day)?;
            record_count(w, day, counted, Vec::new(), CASHIER, day).map(|_| ())
        })
        .expect("count");
    store
        .write(&handle, &at(CASHIER), |w| {
            let (first, last) = (month.first_day(), month.last_day());
            let (mut balance, vouchers) = w.vouchers_touching("1002", first, last, false)?;
            let mut lines = Vec::new();
            for v in &vouchers {
                let amount: Money =
                    v.lines().iter().filter(|l| l.account.starts_with("1002")).map(|l| l.signed()).sum();
                balance += amount;
                lines.push(StatementLine {
                    date: v.date(),
                    inflow: amount.max(Money::ZERO),
                    outflow: (-amount).max(Money::ZERO),
                    balance,
                    reference: String::new(),
                    counterparty: String::new(),
                    summary: v.lines()[0].summary.clone(),
                });
            }
            let statement = Statement { sha256: format!("test-{month}"), encoding: TextEncoding::Utf8, lines };
            import_statement(w, "1002", "对账单.csv", statement, Some(last), last)?;
            match_automatically(w, "1002").map(|_| ())
        })
        .expect("statement");
}
