//! FND-3 (居账街管): a street office that keeps several communities' money
//! in its own bank account keeps each community as its own ledger (分账核算)
//! in one store. The street's month view lists every community's share of
//! that account — at the start of the month, its income and expense, what
//! else moved it, at the end — with totals, and checks that the shares add
//! up to the account's balance on the bank's statement. No community pays
//! from another's money: a share never goes below zero.
//!
//! What counts as a community's share: the balance of its bank account in
//! its own books (`1002`, or the sub-account of 1002 that is the street's
//! account, the same code in every ledger). Its income and expense are the
//! public disclosure's (PUB-1, [`crate::disclosure::item_lines`]): income
//! accounts, expense accounts and asset purchases, from the month's posted
//! vouchers, so the street's figures are those each community publishes.
//! Receipts and payments that are neither (cash deposited or drawn, money
//! held for others, advances) are 其他收付, which closes the arithmetic:
//! opening + income − expense + other = closing.

use serde::Serialize;
use time::Date;

use crate::account::Chart;
use crate::backend::PeriodTotalRow;
use crate::bank::statement::chain_order;
use crate::bank::StatementLine;
use crate::disclosure::{item_lines, ItemKind};
use crate::money::Money;
use crate::period::{format_date, opt_date_serde, Period};
use crate::rule::{Refusal, Rule};
use crate::voucher::{Origin, Voucher};

/// The account a share is kept on when none is named: all bank money.
pub const BANK: &str = "1002";

/// One community's books for the month, as the street view reads them.
pub struct LedgerMonth<'a> {
    pub ledger: &'a str,
    pub chart: &'a Chart,
    /// The bank account holding the share: 1002 or an account under it.
    pub account: &'a str,
    /// Posted debit and credit per leaf account and period.
    pub totals: &'a [PeriodTotalRow],
    /// The month's posted vouchers.
    pub vouchers: &'a [Voucher],
    /// The month is closed in this ledger.
    pub closed: bool,
    /// Vouchers of the month not yet posted (they are not in the share).
    pub unposted: usize,
    /// The ledger keeps books for the month (on or after go-live, or
    /// migrated history covers it).
    pub started: bool,
    /// The ledger's own reconciliation of the account at the month's end,
    /// when a statement of its own reaches it: adjusted book − adjusted bank.
    pub own_difference: Option<Money>,
}

/// One community's row in the street's month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreetRow {
    pub ledger: String,
    pub account: String,
    /// The share at the start of the month.
    pub opening: Money,
    pub income: Money,
    /// Expense, asset purchases included (as the disclosure lists them).
    pub expense: Money,
    /// Receipts and payments that are neither income nor expense.
    pub other: Money,
    /// The share at the month's end.
    pub closing: Money,
    /// The lowest end-of-day share in the month, and the day (none when the
    /// opening, held through the month's first days, is the lowest).
    pub lowest: Money,
    #[serde(with = "opt_date_serde")]
    pub lowest_on: Option<Date>,
    pub closed: bool,
    pub unposted: usize,
    pub started: bool,
    pub own_difference: Option<Money>,
}

impl StreetRow {
    /// [FND-3] the community's share of the street account in `month`.
    pub fn build(month: Period, input: &LedgerMonth<'_>) -> StreetRow {
        let on_account = |code: &str| code.starts_with(input.account);
        let through = |p: Period| -> Money {
            input.totals.iter().filter(|t| t.period <= p && on_account(&t.account)).map(PeriodTotalRow::net).sum()
        };
        // A month before the ledger went live (and before any history it
        // migrated) holds none of its money: the opening balances it went
        // live with are the start of its go-live month, not of this one.
        let (opening, closing) = match input.started {
            true => (through(month.prev()), through(month)),
            false => (Money::ZERO, Money::ZERO),
        };
        let (mut income, mut expense) = (Money::ZERO, Money::ZERO);
        let mut days: Vec<(Date, Money)> = Vec::new();
        for v in input.vouchers.iter().filter(|v| input.started && v.period() == month) {
            if v.origin() != Origin::Closing {
                for (i, kind) in item_lines(input.chart, v) {
                    let l = &v.lines()[i];
                    match kind {
                        ItemKind::Income => income -= l.signed(),
                        ItemKind::Expense | ItemKind::Purchase => expense += l.signed(),
                    }
                }
            }
            let moved: Money = v.lines().iter().filter(|l| on_account(&l.account)).map(|l| l.signed()).sum();
            if !moved.is_zero() {
                days.push((v.date(), moved));
            }
        }
        days.sort_by_key(|(d, _)| *d);
        // The opening is one of the month's day-end balances only when a
        // day ended before the first movement (or nothing moved).
        let opening_held = days.first().is_none_or(|(d, _)| *d > month.first_day());
        let (mut lowest, mut lowest_on, mut running) = (opening_held.then_some(opening), None, opening);
        let mut i = 0;
        while i < days.len() {
            let day = days[i].0;
            while i < days.len() && days[i].0 == day {
                running += days[i].1;
                i += 1;
            }
            if lowest.is_none_or(|l| running < l) {
                lowest = Some(running);
                lowest_on = Some(day);
            }
        }
        let lowest = lowest.unwrap_or(opening);
        StreetRow {
            ledger: input.ledger.to_string(),
            account: input.account.to_string(),
            opening,
            income,
            expense,
            other: closing - opening - income + expense,
            closing,
            lowest,
            lowest_on,
            closed: input.closed,
            unposted: input.unposted,
            started: input.started,
            own_difference: input.own_difference,
        }
    }

    /// What keeps the row from being final for the month, in words; empty
    /// when it is.
    pub fn state(&self) -> String {
        let mut notes = Vec::new();
        if !self.started {
            notes.push("本月尚未启用".to_string());
        } else if self.closed {
            notes.push("已结账".to_string());
        } else {
            notes.push("未结账".to_string());
        }
        if self.unposted > 0 {
            notes.push(format!("{} 张凭证未记账", self.unposted));
        }
        match self.own_difference {
            Some(d) if !d.is_zero() => notes.push(format!("本账对账不符 {}", d.to_yuan())),
            Some(_) => notes.push("本账对账相符".to_string()),
            None => {}
        }
        notes.join("；")
    }
}

/// The totals of every row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub opening: Money,
    pub income: Money,
    pub expense: Money,
    pub other: Money,
    pub closing: Money,
}

/// The street account's balance at the month's end, and where it was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementBalance {
    pub balance: Money,
    /// In words: the statement file and its last line up to the month's
    /// end, or that it was typed.
    pub source: String,
}

impl StatementBalance {
    /// A balance typed by the street's accountant (`--balance`).
    pub fn typed(balance: Money) -> StatementBalance {
        StatementBalance { balance, source: "手工录入的对账单余额".to_string() }
    }

    /// A balance a statement gave earlier, carried with the words saying
    /// where it was read (the web office's downloads after an upload carry
    /// the upload's check in their link; the statement is not read again).
    /// The words are checked as any text typed (LIM-1).
    pub fn carried(balance: Money, source: &str) -> Result<StatementBalance, Refusal> {
        let source = source.trim();
        crate::text::check_text("对账单余额的来源", source, crate::text::REASON_CHARS)?;
        if source.is_empty() {
            return Ok(StatementBalance::typed(balance));
        }
        Ok(StatementBalance { balance, source: source.to_string() })
    }

    /// [FND-3] the balance at `month`'s end on a statement of the street
    /// account: the balance after its last line up to the month's end, or
    /// before its first line when every line is later. A statement with no
    /// line, or ending before the month began, says nothing of the month.
    pub fn from_statement(name: &str, lines: &[StatementLine], month: Period) -> Result<StatementBalance, Refusal> {
        let end = month.last_day();
        let ordered: Vec<&StatementLine> = chain_order(lines).into_iter().map(|i| &lines[i]).collect();
        let refuse = |m: String| Refusal::new(Rule::Fnd3, m);
        let Some(last) = ordered.last() else {
            return Err(refuse(format!(
                "对账单 {name} 没有任何交易，读不出 {month} 月末的余额；请用 --balance 写明街道账户的月末余额"
            )));
        };
        if last.date < month.first_day() {
            return Err(refuse(format!(
                "对账单 {name} 的最后一笔交易在 {}，早于 {month}：请用含 {month} 的街道账户对账单",
                format_date(last.date)
            )));
        }
        if let Some(l) = ordered.iter().rev().find(|l| l.date <= end) {
            return Ok(StatementBalance {
                balance: l.balance,
                source: format!("对账单 {name}（{month} 月内最后一笔 {}）", format_date(l.date)),
            });
        }
        let first = ordered[0];
        let before = first
            .balance
            .checked_sub(first.amount())
            .ok_or_else(|| Refusal::new(Rule::Lim1, format!("对账单 {name} 的余额超出可记录的金额范围")))?;
        Ok(StatementBalance {
            balance: before,
            source: format!("对账单 {name}（{} 第一笔之前的余额）", format_date(first.date)),
        })
    }
}

/// The street's month: every community's row, the totals, and the check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreetMonth {
    pub month: Period,
    /// The account code the shares are kept on.
    pub account: String,
    pub rows: Vec<StreetRow>,
    pub totals: Totals,
    pub statement: Option<StatementBalance>,
    /// The statement's balance less the sum of the shares.
    pub difference: Option<Money>,
    /// [FND-3] what does not add up, each naming the rule.
    pub findings: Vec<Refusal>,
}

impl StreetMonth {
    /// [FND-3] the month with its totals and its check. Refused (LIM-1)
    /// only when the communities' totals together pass what an amount holds.
    pub fn build(
        month: Period,
        account: &str,
        rows: Vec<StreetRow>,
        statement: Option<StatementBalance>,
    ) -> Result<StreetMonth, Refusal> {
        let sum = |f: fn(&StreetRow) -> Money| {
            Money::checked_sum(rows.iter().map(f))
                .ok_or_else(|| Refusal::new(Rule::Lim1, "各社区的合计超出可记录的金额范围"))
        };
        let totals = Totals {
            opening: sum(|r| r.opening)?,
            income: sum(|r| r.income)?,
            expense: sum(|r| r.expense)?,
            other: sum(|r| r.other)?,
            closing: sum(|r| r.closing)?,
        };
        let mut findings = Vec::new();
        for r in rows.iter().filter(|r| r.lowest.is_negative()) {
            let day = r.lowest_on.map(format_date).unwrap_or_else(|| format!("{month} 月初"));
            findings.push(Refusal::new(
                Rule::Fnd3,
                format!(
                    "{}在街道账户中的份额 {day} 日终为 {}：动用了其他社区的资金 {}。各社区只能支用本社区的钱；\
                     请核对该社区的银行存款收付，补记漏记的收入或红字冲销多付的支出，差额由该社区自有资金归还",
                    r.ledger,
                    r.lowest.to_yuan(),
                    r.lowest.abs().to_yuan()
                ),
            ));
        }
        let difference = match &statement {
            Some(s) => Some(
                s.balance
                    .checked_sub(totals.closing)
                    .filter(|d| d.fen() != i64::MIN)
                    .ok_or_else(|| Refusal::new(Rule::Lim1, "对账单余额与份额合计之差超出可记录的金额范围"))?,
            ),
            None => None,
        };
        if let (Some(s), Some(d)) = (&statement, difference) {
            if !d.is_zero() {
                findings.push(mismatch(month, s, totals.closing, d, &rows));
            }
        }
        Ok(StreetMonth { month, account: account.to_string(), rows, totals, statement, difference, findings })
    }

    /// `Some(true)` when the shares add up to the statement and no share
    /// went below zero; `None` when no statement balance was given.
    pub fn agrees(&self) -> Option<bool> {
        self.difference.map(|d| d.is_zero() && self.findings.is_empty())
    }
}

/// [FND-3] the shares do not add up to the statement: how much, which way,
/// which communities' books are not final for the month, and what to do.
fn mismatch(month: Period, s: &StatementBalance, shares: Money, difference: Money, rows: &[StreetRow]) -> Refusal {
    let way = if difference.is_negative() { "份额合计比对账单多" } else { "对账单比份额合计多" };
    let suspects: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let state = match (r.started, r.closed, r.unposted, r.own_difference) {
                (false, ..) => "本月尚未启用，其资金不在账上".to_string(),
                (_, _, n, _) if n > 0 => format!("有 {n} 张凭证未记账"),
                (_, _, _, Some(d)) if !d.is_zero() => format!("本账银行对账不符，相差 {}", d.to_yuan()),
                (_, false, ..) => "本月尚未结账".to_string(),
                _ => return None,
            };
            Some(format!("{}（{state}）", r.ledger))
        })
        .collect();
    let lead = format!(
        "街道账户 {month} 月末余额 {}（{}），各社区份额合计 {}，相差 {}（{way}）",
        s.balance.to_yuan(),
        s.source,
        shares.to_yuan(),
        difference.abs().to_yuan()
    );
    let what = match suspects.as_slice() {
        [] => "各社区本月都已记账、结账：请逐笔核对街道账户对账单与各社区的银行存款日记账，\
               找出没有记入任何社区账的收付（如利息、手续费、错记到别的社区的款项），记入所属社区后再核对"
            .to_string(),
        [one] => format!("差额很可能在这里：{one}；请补记、记账或对账后再核对"),
        many => format!("请先查这些社区：{}；补记、记账或对账后再核对", many.join("；")),
    };
    Refusal::new(Rule::Fnd3, format!("{lead}。{what}"))
}

#[cfg(test)]
mod tests;
