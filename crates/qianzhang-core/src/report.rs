//! Report data: plain structs built from the books, rendered elsewhere.
//!
//! Balances are signed debit-positive throughout; renderers show direction
//! (借/贷) where Chinese layouts expect it.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::account::{AccountKind, Chart};
use crate::money::Money;
use crate::period::{date_serde, Period};
use crate::voucher::{Origin, Status, Voucher, VoucherRef};

/// Posted debit and credit of one leaf account in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodTotal<'a> {
    pub account: &'a str,
    pub period: Period,
    pub debit: Money,
    pub credit: Money,
}

/// The direction word for a signed balance.
pub fn direction(balance: Money) -> &'static str {
    if balance.is_zero() {
        "平"
    } else if balance.is_negative() {
        "贷"
    } else {
        "借"
    }
}

/// One row of the trial balance (科目余额表).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrialBalanceRow {
    pub account: String,
    pub name: String,
    pub kind: AccountKind,
    /// 1 for a top-level account, 2 for its sub-accounts, …
    pub level: usize,
    pub leaf: bool,
    pub opening: Money,
    pub debit: Money,
    pub credit: Money,
    pub closing: Money,
}

/// Totals of the top-level rows, split by direction as the printed form has them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TrialBalanceTotals {
    pub opening_debit: Money,
    pub opening_credit: Money,
    pub debit: Money,
    pub credit: Money,
    pub closing_debit: Money,
    pub closing_credit: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrialBalance {
    pub ledger: String,
    pub from: Period,
    pub to: Period,
    pub rows: Vec<TrialBalanceRow>,
    pub totals: TrialBalanceTotals,
}

impl TrialBalance {
    /// Builds the trial balance for `from..=to` from per-period totals of
    /// leaf accounts, rolling sub-accounts up into every parent.
    pub fn build<'a>(
        ledger: &str,
        chart: &Chart,
        totals: impl IntoIterator<Item = PeriodTotal<'a>>,
        from: Period,
        to: Period,
    ) -> TrialBalance {
        #[derive(Default, Clone, Copy)]
        struct Acc {
            opening: Money,
            debit: Money,
            credit: Money,
        }
        let mut by_code: BTreeMap<String, Acc> = BTreeMap::new();
        for t in totals {
            if t.period > to {
                continue;
            }
            let mut code = Some(t.account);
            while let Some(c) = code {
                let e = by_code.entry(c.to_string()).or_default();
                if t.period < from {
                    e.opening += t.debit - t.credit;
                } else {
                    e.debit += t.debit;
                    e.credit += t.credit;
                }
                code = crate::account::parent_of(c);
            }
        }
        let mut rows = Vec::new();
        let mut sums = TrialBalanceTotals::default();
        for (code, a) in by_code {
            let closing = a.opening + a.debit - a.credit;
            if a.opening.is_zero() && a.debit.is_zero() && a.credit.is_zero() && closing.is_zero() {
                continue;
            }
            let (name, kind) = match chart.get(&code) {
                Some(acc) => (acc.name().to_string(), acc.kind()),
                None => (String::from("（未知科目）"), AccountKind::Asset),
            };
            let level = 1 + (code.len().saturating_sub(4)) / 2;
            if level == 1 {
                split(a.opening, &mut sums.opening_debit, &mut sums.opening_credit);
                sums.debit += a.debit;
                sums.credit += a.credit;
                split(closing, &mut sums.closing_debit, &mut sums.closing_credit);
            }
            rows.push(TrialBalanceRow {
                leaf: chart.is_leaf(&code),
                account: code,
                name,
                kind,
                level,
                opening: a.opening,
                debit: a.debit,
                credit: a.credit,
                closing,
            });
        }
        TrialBalance { ledger: ledger.to_string(), from, to, rows, totals: sums }
    }

    /// Debits equal credits in every column pair.
    pub fn is_balanced(&self) -> bool {
        let t = &self.totals;
        t.opening_debit == t.opening_credit && t.debit == t.credit && t.closing_debit == t.closing_credit
    }
}

fn split(balance: Money, debit: &mut Money, credit: &mut Money) {
    if balance.is_negative() {
        *credit += -balance;
    } else {
        *debit += balance;
    }
}

/// One line of the journal, with the account's full name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalLine {
    pub summary: String,
    pub account: String,
    pub account_name: String,
    pub debit: Money,
    pub credit: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
}

/// One voucher in the journal (序时账).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    #[serde(rename = "voucher")]
    pub reference: VoucherRef,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub status: Status,
    pub origin: Origin,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverses: Option<VoucherRef>,
    pub preparer: String,
    pub lines: Vec<JournalLine>,
    /// Marks a reader must see, e.g. an approval given by resolution (SEP-6).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Journal {
    pub ledger: String,
    pub from: Period,
    pub to: Period,
    pub entries: Vec<JournalEntry>,
    pub total_debit: Money,
    pub total_credit: Money,
}

impl Journal {
    /// The journal of the given vouchers in date order, then number.
    pub fn build(ledger: &str, chart: &Chart, vouchers: Vec<(Voucher, Status)>, from: Period, to: Period) -> Journal {
        let mut vouchers = vouchers;
        vouchers.sort_by_key(|(v, _)| (v.date(), v.reference()));
        let mut total_debit = Money::ZERO;
        let mut total_credit = Money::ZERO;
        let entries = vouchers
            .into_iter()
            .map(|(v, status)| {
                total_debit += v.total_debit();
                total_credit += v.total_credit();
                JournalEntry {
                    reference: v.reference(),
                    date: v.date(),
                    status,
                    origin: v.origin(),
                    reverses: v.reverses(),
                    preparer: v.preparer().to_string(),
                    lines: v
                        .lines()
                        .iter()
                        .map(|l| JournalLine {
                            summary: l.summary.clone(),
                            account: l.account.clone(),
                            account_name: chart.full_name(&l.account),
                            debit: l.debit(),
                            credit: l.credit(),
                            fund: l.fund.clone(),
                            counterparty: l.counterparty.clone(),
                        })
                        .collect(),
                    notes: Vec::new(),
                }
            })
            .collect();
        Journal { ledger: ledger.to_string(), from, to, entries, total_debit, total_credit }
    }
}

impl Journal {
    /// Adds a mark to a voucher's entry.
    pub fn note(&mut self, reference: VoucherRef, text: String) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.reference == reference) {
            e.notes.push(text);
        }
    }
}

/// What a row of the account ledger is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerRowKind {
    /// 期初余额
    Opening,
    Entry,
    /// 本日合计 (cash and bank journals)
    DayTotal,
    /// 本月合计
    MonthTotal,
    /// 本年累计
    YearTotal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountLedgerRow {
    pub kind: LedgerRowKind,
    #[serde(with = "date_serde")]
    pub date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voucher: Option<VoucherRef>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    pub debit: Money,
    pub credit: Money,
    /// Running balance after the row, debit-positive.
    pub balance: Money,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
}

impl AccountLedgerRow {
    fn total(
        kind: LedgerRowKind,
        date: Date,
        summary: &str,
        debit: Money,
        credit: Money,
        balance: Money,
    ) -> AccountLedgerRow {
        AccountLedgerRow {
            kind,
            date,
            voucher: None,
            summary: summary.to_string(),
            account: None,
            counterparty: None,
            debit,
            credit,
            balance,
            history: false,
        }
    }
}

/// The account ledger (明细账) of one account and its sub-accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountLedger {
    pub ledger: String,
    pub account: String,
    pub name: String,
    pub from: Period,
    pub to: Period,
    pub rows: Vec<AccountLedgerRow>,
}

impl AccountLedger {
    /// `totals` are the per-period totals of the account's leaves (used for
    /// the opening balance and the year-to-date sums before `from`);
    /// `vouchers` are the posted vouchers of `from..=to` touching it. With
    /// `daily`, a total follows every day: the cash journal (现金日记账) or
    /// bank journal (银行存款日记账) of 1001 or 1002 (CSH-6). `openings_in`
    /// is the month whose totals are the opening balances set for go-live
    /// (OPN-1, the month before it): they are the balance brought in, never
    /// money received or paid in the year.
    #[allow(clippy::too_many_arguments)]
    pub fn build<'a>(
        ledger: &str,
        chart: &Chart,
        account: &str,
        totals: impl IntoIterator<Item = PeriodTotal<'a>>,
        vouchers: Vec<Voucher>,
        from: Period,
        to: Period,
        daily: bool,
        openings_in: Option<Period>,
    ) -> AccountLedger {
        let in_scope = |code: &str| code.starts_with(account);
        let mut opening = Money::ZERO;
        let mut year_before: BTreeMap<i32, (Money, Money)> = BTreeMap::new();
        for t in totals.into_iter().filter(|t| in_scope(t.account) && t.period < from) {
            opening += t.debit - t.credit;
            if t.period.year() == from.year() && Some(t.period) != openings_in {
                let e = year_before.entry(t.period.year()).or_default();
                e.0 += t.debit;
                e.1 += t.credit;
            }
        }
        let mut vouchers = vouchers;
        vouchers.sort_by_key(|v| (v.date(), v.reference()));
        let mut rows = vec![AccountLedgerRow {
            kind: LedgerRowKind::Opening,
            date: from.first_day(),
            voucher: None,
            summary: "期初余额".into(),
            account: None,
            counterparty: None,
            debit: Money::ZERO,
            credit: Money::ZERO,
            balance: opening,
            history: false,
        }];
        let mut balance = opening;
        let (mut ytd_debit, mut ytd_credit) = year_before.get(&from.year()).copied().unwrap_or_default();
        let mut period = from;
        let mut idx = 0;
        while period <= to {
            if period.month() == 1 {
                ytd_debit = Money::ZERO;
                ytd_credit = Money::ZERO;
            }
            let (mut month_debit, mut month_credit) = (Money::ZERO, Money::ZERO);
            let rows_before = rows.len();
            let mut day: Option<(Date, Money, Money)> = None;
            while idx < vouchers.len() && vouchers[idx].period() == period {
                let v = &vouchers[idx];
                if daily {
                    if let Some((d, dd, dc)) = day.filter(|(d, _, _)| *d != v.date()) {
                        rows.push(AccountLedgerRow::total(LedgerRowKind::DayTotal, d, "本日合计", dd, dc, balance));
                        day = None;
                    }
                }
                for l in v.lines().iter().filter(|l| in_scope(&l.account)) {
                    balance += l.signed();
                    month_debit += l.debit();
                    month_credit += l.credit();
                    let e = day.get_or_insert((v.date(), Money::ZERO, Money::ZERO));
                    e.1 += l.debit();
                    e.2 += l.credit();
                    // The counterparty of a cash line is on the other lines, as a cash book shows it.
                    let counterparty = l.counterparty.clone().or_else(|| {
                        v.lines().iter().filter(|o| !in_scope(&o.account)).find_map(|o| o.counterparty.clone())
                    });
                    rows.push(AccountLedgerRow {
                        kind: LedgerRowKind::Entry,
                        date: v.date(),
                        voucher: Some(v.reference()),
                        summary: l.summary.clone(),
                        account: (l.account != account).then(|| l.account.clone()),
                        counterparty,
                        debit: l.debit(),
                        credit: l.credit(),
                        balance,
                        history: v.origin() == Origin::History,
                    });
                }
                idx += 1;
            }
            if let (true, Some((d, dd, dc))) = (daily, day) {
                rows.push(AccountLedgerRow::total(LedgerRowKind::DayTotal, d, "本日合计", dd, dc, balance));
            }
            ytd_debit += month_debit;
            ytd_credit += month_credit;
            if rows.len() == rows_before {
                period = period.next();
                continue;
            }
            let last = period.last_day();
            rows.push(AccountLedgerRow {
                kind: LedgerRowKind::MonthTotal,
                date: last,
                voucher: None,
                summary: "本月合计".into(),
                account: None,
                counterparty: None,
                debit: month_debit,
                credit: month_credit,
                balance,
                history: false,
            });
            rows.push(AccountLedgerRow {
                kind: LedgerRowKind::YearTotal,
                date: last,
                voucher: None,
                summary: "本年累计".into(),
                account: None,
                counterparty: None,
                debit: ytd_debit,
                credit: ytd_credit,
                balance,
                history: false,
            });
            period = period.next();
        }
        AccountLedger {
            ledger: ledger.to_string(),
            account: account.to_string(),
            name: chart.full_name(account),
            from,
            to,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::test_support::voucher;
    use crate::voucher::Side;

    /// [OPN-1, CSH-6] a ledger that went live in March with ¥36,000 in the
    /// bank: the April bank journal brings the ¥36,000 in as its opening
    /// balance, and its 本年累计 counts only the money received since.
    #[test]
    fn opn_1_the_opening_balance_is_brought_in_not_received_in_the_year() {
        let chart = Chart::from_accounts(Chart::default_chart());
        let (feb, april) = (Period::parse("2025-02").unwrap(), Period::parse("2025-04").unwrap());
        let opening =
            [PeriodTotal { account: "1002", period: feb, debit: Money::from_fen(3_600_000), credit: Money::ZERO }];
        let journal = |openings_in| {
            AccountLedger::build(
                "幸福里",
                &chart,
                "1002",
                opening.iter().copied(),
                vec![voucher(
                    1,
                    date!(2025 - 04 - 01),
                    &[("1002", Side::Debit, 50_000), ("4401", Side::Credit, 50_000)],
                )],
                april,
                april,
                true,
                openings_in,
            )
        };
        let year = |l: &AccountLedger| {
            let r = l.rows.iter().find(|r| r.kind == LedgerRowKind::YearTotal).expect("本年累计");
            (r.debit, r.balance)
        };
        let built = journal(Some(feb));
        assert_eq!(built.rows[0].balance, Money::from_fen(3_600_000), "期初余额");
        assert_eq!(year(&built), (Money::from_fen(50_000), Money::from_fen(3_650_000)));
        // Totals of a month before April that were vouchers are the year's.
        assert_eq!(year(&journal(None)).0, Money::from_fen(3_650_000));
    }
}
