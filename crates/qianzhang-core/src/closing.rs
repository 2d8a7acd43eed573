//! The monthly close (结账, PER-1), the year-end carry-forward of income and
//! expense to net assets, and reopening a month (反结账, PER-2).

use std::collections::BTreeMap;

use time::Date;

use crate::account::AccountKind;
use crate::bank::{bank_accounts, reconcile, InTransit};
use crate::books::{Books, Event};
use crate::cash::{book_at, describe_difference, differences, last_business_day, moved_past, settlement, CASH};
use crate::money::Money;
use crate::people::Role;
use crate::period::{format_date, Period};
use crate::rule::{refuse, Failure, Refusal, Refusals, Rule};
use crate::voucher::{Draft, Line, Origin, Side, Voucher, VoucherRef};

/// Net assets the year's result is carried to.
pub const UNRESTRICTED: &str = "3101";
pub const RESTRICTED: &str = "3102";

/// The reason recorded with a month-end close.
pub const MONTH_END: &str = "月末结账";

/// Why `period` cannot be closed: every reason, each with its rule.
pub fn close_blockers(books: &mut impl Books, period: Period, today: Date) -> Result<Vec<Refusal>, Failure> {
    Ok(check_close(books, period, today)?.0)
}

/// The blockers of a close, and the bank entries that would be in transit
/// at it (from the same reconciliations).
fn check_close(books: &mut impl Books, period: Period, today: Date) -> Result<(Vec<Refusal>, Vec<InTransit>), Failure> {
    let start = books.ledger().start;
    if period < start {
        return refuse(Rule::Per1, format!("{period} 在启用期间 {start} 之前，已随历史数据迁移结账"));
    }
    if books.period_closed(period)? {
        return refuse(Rule::Per1, format!("{period} 已经结账"));
    }
    let mut out = Vec::new();
    let per1 = |m: String| Refusal::new(Rule::Per1, m);
    if period > start && !books.period_closed(period.prev())? {
        out.push(per1(format!("结账须按月份顺序进行：请先结账 {}", period.prev())));
    }
    if today < period.last_day() {
        out.push(per1(format!("{period} 还没有结束（今天是 {}），月末最后一天起才能结账", format_date(today))));
    }
    out.extend(crate::opening::close_blocker(books)?);
    let unposted = books.unposted(period)?;
    if !unposted.is_empty() {
        let shown: Vec<String> = unposted.iter().take(10).map(VoucherRef::label).collect();
        let more = if unposted.len() > 10 { format!(" 等 {} 张", unposted.len()) } else { String::new() };
        out.push(per1(format!("{period} 还有未记账的凭证：{}{more}；请审核、记账或作废后再结账", shown.join("、"))));
    }
    out.extend(cash_blockers(books, period)?);
    let mut in_transit = Vec::new();
    for (account, _) in bank_accounts(books.chart()) {
        let r = reconcile(books, &account, period)?;
        // An account with a balance on either side or movements must be
        // reconciled against a statement reaching the month's last day (BNK-1).
        let moved = !r.book_balance.is_zero()
            || r.statement_balance.is_some_and(|b| !b.is_zero())
            || moved_in(books, &account, period)?;
        if moved {
            out.extend(r.problem());
        }
        in_transit.extend(r.in_transit.into_iter().map(|voucher| InTransit { account: account.clone(), voucher }));
    }
    Ok((out, in_transit))
}

fn moved_in(books: &mut impl Books, prefix: &str, period: Period) -> Result<bool, Failure> {
    let (_, vouchers) = books.vouchers_touching(prefix, period.first_day(), period.last_day(), false)?;
    Ok(!vouchers.is_empty())
}

/// [CSH-2] the cash of the month's last business day is counted and every
/// difference of the month is settled through 1901.
fn cash_blockers(books: &mut impl Books, period: Period) -> Result<Vec<Refusal>, Failure> {
    let (opening, vouchers) = books.vouchers_touching(CASH, period.first_day(), period.last_day(), false)?;
    let counts = books.cash_counts(period)?;
    if opening.is_zero() && vouchers.is_empty() && counts.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let last = last_business_day(period, &books.settings().calendar);
    let settlements: Vec<(VoucherRef, Date, Money)> =
        vouchers.iter().filter_map(|v| settlement(v).map(|m| (v.reference(), v.date(), m))).collect();
    // The month-end count: the latest recorded on the latest day from the
    // last business day on.
    let latest = counts.iter().filter(|c| c.date >= last).max_by_key(|c| c.date);
    let latest = counts.iter().rev().find(|c| latest.is_some_and(|l| l.date == c.date));
    match latest {
        None => out.push(Refusal::new(
            Rule::Csh2,
            format!("没有 {}（本月最后一个工作日）的现金盘点；请出纳用 cash count 盘点", format_date(last)),
        )),
        Some(c) => {
            // Judged against the book of its day as it stands now: vouchers
            // dated on or before it and posted after it moved the book.
            let book = book_at(books, c.date)?;
            if let Some(now) = moved_past(c, book, &settlements) {
                let day = format_date(c.date);
                out.push(Refusal::new(
                    Rule::Csh2,
                    format!(
                        "{day} 盘点后账面有变动：实点 {}，盘点时账面 {}，现在账面 {}，{}；\
                         请出纳重新盘点（cash count --date {day}），如仍有差额，经审批后以凭证记入 1901 待处理财产损溢",
                        c.counted.to_yuan(),
                        c.book.to_yuan(),
                        book.to_yuan(),
                        describe_difference(now)
                    ),
                ));
            }
        }
    }
    for d in differences(&counts, &settlements).into_iter().filter(|d| d.settled_by.is_none()) {
        out.push(Refusal::new(
            Rule::Csh2,
            format!(
                "{} 盘点{} 尚未处理：须经审批后以凭证记入 1901 待处理财产损溢（短款 借1901 贷1001，长款 借1001 贷1901）",
                format_date(d.count.date),
                describe_difference(d.count.difference())
            ),
        ));
    }
    Ok(out)
}

/// [PER-1] closes a month: refused with every reason while anything is
/// open. December's close first carries the year's income and expense to
/// net assets with a generated, posted voucher, whose number it returns.
pub fn close_period(
    books: &mut impl Books,
    period: Period,
    closer: &str,
    today: Date,
) -> Result<Option<VoucherRef>, Failure> {
    let (blockers, in_transit) = check_close(books, period, today)?;
    if !blockers.is_empty() {
        return Err(Failure::Refused(Refusals { reasons: blockers, unlisted: 0 }));
    }
    let mut carried = None;
    if period.month() == 12 {
        if let Some(voucher) = carry_forward(books, period, closer)? {
            carried = Some(voucher.reference());
            books.append(Event::ClosingVoucher { voucher })?;
        }
    }
    books.append(Event::PeriodClosed { period, reason: MONTH_END.to_string(), in_transit })?;
    Ok(carried)
}

/// [PER-1] the year-end voucher (结转本年收支): every income and expense
/// account is brought to zero against 3101, or against 3102 for the part
/// that belongs to a restricted fund. Fund tags are kept on both sides so
/// that each fund's totals are unchanged. `None` when there is nothing to
/// carry.
pub fn carry_forward(books: &mut impl Books, period: Period, preparer: &str) -> Result<Option<Voucher>, Failure> {
    let year = period.year();
    let first = Period::new(year, 1).expect("January").first_day();
    let last = period.last_day();
    let accounts: Vec<String> = books
        .chart()
        .iter()
        .filter(|a| matches!(a.kind(), AccountKind::Income | AccountKind::Expense) && books.chart().is_leaf(a.code()))
        .map(|a| a.code().to_string())
        .collect();
    let funds = books.funds()?;
    let restricted = |f: &str| funds.iter().find(|x| x.name == f).is_none_or(|x| x.restricted);
    // This year's fund-tagged amounts per account and fund.
    let (_, vouchers) = books.vouchers_touching("", first, last, false)?;
    let mut by_fund: BTreeMap<(String, String), Money> = BTreeMap::new();
    for l in vouchers.iter().flat_map(|v| v.lines()) {
        if let Some(f) = &l.fund {
            if accounts.contains(&l.account) {
                *by_fund.entry((l.account.clone(), f.clone())).or_default() += l.signed();
            }
        }
    }
    let mut groups: Vec<(String, Option<String>, Money)> = Vec::new();
    for account in &accounts {
        let balance = books.balance_through(account, period)?;
        let mut rest = balance;
        for ((a, f), m) in by_fund.iter().filter(|((a, _), _)| a == account) {
            if !m.is_zero() {
                groups.push((a.clone(), Some(f.clone()), *m));
                rest -= *m;
            }
        }
        if !rest.is_zero() {
            groups.push((account.clone(), None, rest));
        }
    }
    if groups.is_empty() {
        return Ok(None);
    }
    let summary = format!("结转{year}年收支");
    let line = |account: &str, fund: Option<String>, signed: Money| Line {
        summary: summary.clone(),
        account: account.to_string(),
        // The closing line takes the balance off: a debit balance is credited.
        side: if signed.is_negative() { Side::Debit } else { Side::Credit },
        amount: signed.abs(),
        fund,
        counterparty: None,
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut to_net: BTreeMap<(&str, Option<String>), Money> = BTreeMap::new();
    for (account, fund, balance) in &groups {
        lines.push(line(account, fund.clone(), *balance));
        let target = match fund {
            Some(f) if restricted(f) => RESTRICTED,
            _ => UNRESTRICTED,
        };
        *to_net.entry((target, fund.clone())).or_default() += *balance;
    }
    for ((target, fund), net) in to_net {
        if !net.is_zero() {
            // The net-asset side is the opposite of the closing lines.
            lines.push(line(target, fund, -net));
        }
    }
    let draft = Draft { date: last, lines, documents: vec![], authorization: None, reverses: None, source_ref: None };
    let reference = VoucherRef { period, number: books.next_number(period)? };
    let errors = crate::voucher::check_lines(&draft.lines, false);
    if let Some(e) = errors.into_iter().next() {
        return Err(e.into());
    }
    Ok(Some(Voucher::accepted(reference, draft, Origin::Closing, preparer)))
}

/// [PER-2] reopens the latest closed month: the accountant and the approver
/// in office together, with a reason. Both have proved who they are before
/// this is called.
pub fn reopen_period(
    books: &mut impl Books,
    period: Period,
    reason: &str,
    accountant: &str,
    approver: &str,
    today: Date,
) -> Result<(), Failure> {
    let per2 = |m: String| -> Result<(), Failure> { refuse(Rule::Per2, m) };
    if reason.trim().is_empty() {
        return per2("反结账须写明原因（--reason）".to_string());
    }
    let start = books.ledger().start;
    if period < start {
        return per2(format!("{period} 是启用前迁移的历史期间，不能反结账"));
    }
    if !books.period_closed(period)? {
        return per2(format!("{period} 尚未结账，无需反结账"));
    }
    if books.period_closed(period.next())? {
        return per2(format!("须从最近结账的月份起逐月反结账：请先反结账 {}", period.next()));
    }
    let registry = books.registry();
    let holds = |who: &str, role: Role| registry.in_force(today).any(|a| a.person == who && a.role == role);
    if !holds(accountant, Role::Accountant) {
        return per2(format!("反结账须由在任会计发起，{accountant} 今天不是会计"));
    }
    if approver.trim().is_empty() {
        return per2("反结账须审批人（主任）一同确认：请用 --approver 姓名 指明，并由其输入口令".to_string());
    }
    if !holds(approver, Role::Approver) {
        return per2(format!("反结账须由在任审批人一同确认，{approver} 今天不是审批人"));
    }
    books.append(Event::PeriodReopened {
        period,
        reason: reason.trim().to_string(),
        accountant: accountant.to_string(),
        approver: approver.to_string(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::bank::StatementLine;
    use crate::books::prepare_voucher;
    use crate::memory::MemoryBooks;
    use crate::people::Appointment;
    use crate::test_support::{draft, post};

    fn rule_of<T: std::fmt::Debug>(r: Result<T, Failure>) -> Vec<Rule> {
        match r {
            Err(Failure::Refused(r)) => r.reasons.iter().map(|x| x.rule).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// December 2025 as the ledger's first month: a 低保 grant of 1,000 by
    /// bank, 600 of it paid out, and 100 of office costs.
    fn december() -> (MemoryBooks, Vec<VoucherRef>) {
        let mut b = MemoryBooks::fixture();
        b.info.start = Period::parse("2025-12").unwrap();
        b.opening_cash = Money::ZERO;
        let mut refs = Vec::new();
        for (debit, credit, fen, fund) in [
            ("1002", "4401", 100_000, Some("低保")),
            ("5101", "1002", 60_000, Some("低保")),
            ("5201", "1002", 10_000, None),
        ] {
            let mut d = draft(date!(2025 - 12 - 10), fen);
            d.lines[0].account = debit.into();
            d.lines[1].account = credit.into();
            for l in &mut d.lines {
                l.fund = fund.map(str::to_string);
            }
            refs.push(prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap());
        }
        for (person, role) in [("赵敏", Role::Accountant), ("李明", Role::Approver), ("刘洋", Role::Reviewer)] {
            b.registry.register(person);
            b.registry.appoint(Appointment {
                person: person.into(),
                role,
                from: date!(2025 - 01 - 01),
                ended: None,
                leader: role == Role::Approver,
                title: None,
                acting: false,
            });
        }
        (b, refs)
    }

    fn bank_line(d: Date, amount: i64, balance: i64) -> StatementLine {
        StatementLine {
            date: d,
            inflow: Money::from_fen(amount.max(0)),
            outflow: Money::from_fen((-amount).max(0)),
            balance: Money::from_fen(balance),
            reference: String::new(),
            counterparty: String::new(),
            summary: String::new(),
        }
    }

    #[test]
    fn per_1_a_month_closes_only_when_posted_counted_and_reconciled() {
        let (mut b, refs) = december();
        let today = date!(2026 - 01 - 05);
        let dec = Period::parse("2025-12").unwrap();
        let early = close_period(&mut b, dec, "赵敏", date!(2025 - 12 - 30));
        assert_eq!(rule_of(early), vec![Rule::Per1, Rule::Per1], "not ended, unposted (nothing posted moved the bank)");
        for r in &refs {
            post(&mut b, *r).unwrap();
        }
        let blockers = close_blockers(&mut b, dec, today).unwrap();
        assert_eq!(
            blockers.iter().map(|r| r.rule).collect::<Vec<_>>(),
            vec![Rule::Bnk1],
            "the bank moved: a statement"
        );
        let lines =
            vec![bank_line(date!(2025 - 12 - 10), 100_000, 100_000), bank_line(date!(2025 - 12 - 11), -60_000, 40_000)];
        let event = Event::StatementImported {
            account: "1002".into(),
            file: "s.csv".into(),
            sha256: "x".into(),
            first_id: 1,
            lines,
            duplicates: 0,
            through: None,
        };
        b.append(event).unwrap();
        b.append(Event::BankMatched { pairs: vec![(1, refs[0]), (2, refs[1])], auto: true }).unwrap();
        // The statement stops on the 11th: it says nothing of the rest of December.
        let short = close_blockers(&mut b, dec, today).unwrap();
        assert_eq!(short.iter().map(|r| r.rule).collect::<Vec<_>>(), vec![Rule::Bnk1]);
        assert!(short[0].message.contains("只到 2025-12-11"), "{}", short[0].message);
        // The bank's statement for December runs to the 31st, with no line after the 11th.
        b.append(Event::StatementImported {
            account: "1002".into(),
            file: "s-12.csv".into(),
            sha256: "x2".into(),
            first_id: 3,
            lines: vec![],
            duplicates: 0,
            through: Some(date!(2025 - 12 - 31)),
        })
        .unwrap();
        // The 100 of office costs is in transit: the statement agrees once adjusted.
        assert_eq!(close_blockers(&mut b, dec, today).unwrap(), vec![]);
        // A cash movement needs the last business day counted.
        b.counts.push(crate::cash::CashCount {
            date: date!(2025 - 12 - 31),
            counted: Money::from_fen(1),
            book: Money::ZERO,
            pieces: vec![],
            counter: "王芳".into(),
        });
        assert_eq!(rule_of(close_period(&mut b, dec, "赵敏", today)), vec![Rule::Csh2], "a surplus not settled");
        b.counts.clear();
        let carried = close_period(&mut b, dec, "赵敏", today).unwrap().expect("December carries forward");
        let (v, _) = b.vouchers[&carried].clone();
        assert_eq!(v.origin(), Origin::Closing);
        let got: Vec<(String, Side, i64, Option<String>)> =
            v.lines().iter().map(|l| (l.account.clone(), l.side, l.amount.fen(), l.fund.clone())).collect();
        let dibao = Some("低保".to_string());
        assert_eq!(
            got,
            vec![
                ("4401".into(), Side::Debit, 100_000, dibao.clone()),
                ("5101".into(), Side::Credit, 60_000, dibao.clone()),
                ("5201".into(), Side::Credit, 10_000, None),
                ("3101".into(), Side::Debit, 10_000, None),
                ("3102".into(), Side::Credit, 40_000, dibao),
            ]
        );
        assert!(b.closed.contains(&dec));
        assert_eq!(rule_of(close_period(&mut b, dec, "赵敏", today)), vec![Rule::Per1], "already closed");
        // Nothing left to carry once the year's result is in net assets.
        assert!(carry_forward(&mut b, dec, "赵敏").unwrap().is_none());
        // The office cost still in transit is carried to January's reconciliation,
        // which reads nothing dated before the close.
        let office = refs[2];
        assert_eq!(b.in_transit[&dec], vec![InTransit { account: "1002".into(), voucher: office }]);
        let jan = Period::parse("2026-01").unwrap();
        let r = reconcile(&mut b, "1002", jan).unwrap();
        assert_eq!(r.booked_out_not_banked.len(), 1, "{r:?}");
        assert!(!r.agrees(), "December's statement says nothing of January: {r:?}");
        assert!(r.problem().unwrap().message.contains("只到 2025-12-31"));
        b.append(Event::StatementImported {
            account: "1002".into(),
            file: "s2.csv".into(),
            sha256: "y".into(),
            first_id: 3,
            lines: vec![bank_line(date!(2026 - 01 - 04), -10_000, 30_000)],
            duplicates: 0,
            through: Some(date!(2026 - 01 - 31)),
        })
        .unwrap();
        b.append(Event::BankMatched { pairs: vec![(3, office)], auto: false }).unwrap();
        let r = reconcile(&mut b, "1002", jan).unwrap();
        assert!(r.booked_out_not_banked.is_empty() && r.bank_out_not_booked.is_empty() && r.agrees(), "{r:?}");
    }

    #[test]
    fn csh_2_a_count_the_book_moved_past_blocks_the_close() {
        let mut b = MemoryBooks::fixture();
        b.info.start = Period::parse("2025-12").unwrap();
        b.opening_cash = Money::from_fen(300_000);
        let dec = Period::parse("2025-12").unwrap();
        let today = date!(2026 - 01 - 05);
        let last = date!(2025 - 12 - 31);
        // The fixture's bank has a balance and no statement (BNK-1): only CSH-2 is looked at here.
        let cash = |b: &mut MemoryBooks| -> Vec<Refusal> {
            close_blockers(b, dec, today).unwrap().into_iter().filter(|r| r.rule == Rule::Csh2).collect()
        };
        // The cashier counts 3,000.00 on the last business day; the book agrees.
        let c = crate::cash::record_count(&mut b, last, Money::from_fen(300_000), vec![], "王芳", today).unwrap();
        assert_eq!(c.difference(), Money::ZERO);
        assert_eq!(cash(&mut b), vec![]);
        // Afterwards a payment of 12.34 dated before the count is posted: the count no longer agrees.
        let r = prepare_voucher(&mut b, draft(date!(2025 - 12 - 21), 1_234), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        let blockers = cash(&mut b);
        assert_eq!(blockers.iter().map(|r| r.rule).collect::<Vec<_>>(), vec![Rule::Csh2], "{blockers:?}");
        let m = &blockers[0].message;
        for part in ["2025-12-31", "¥3,000.00", "¥2,987.66", "长款 ¥12.34", "cash count --date 2025-12-31"] {
            assert!(m.contains(part), "{part}: {m}");
        }
        assert!(rule_of(close_period(&mut b, dec, "赵敏", today)).contains(&Rule::Csh2));
        assert!(!b.closed.contains(&dec), "the books stay as they were");
        // A recount against the book as it stands lets the month close.
        crate::cash::record_count(&mut b, last, Money::from_fen(298_766), vec![], "王芳", today).unwrap();
        assert_eq!(cash(&mut b), vec![]);
    }

    #[test]
    fn per_2_reopening_needs_the_accountant_the_approver_and_a_reason() {
        let (mut b, refs) = december();
        let today = date!(2026 - 01 - 05);
        let dec = Period::parse("2025-12").unwrap();
        for r in &refs {
            post(&mut b, *r).unwrap();
        }
        let lines = vec![
            bank_line(date!(2025 - 12 - 10), 100_000, 100_000),
            bank_line(date!(2025 - 12 - 11), -60_000, 40_000),
            bank_line(date!(2025 - 12 - 12), -10_000, 30_000),
        ];
        let event = Event::StatementImported {
            account: "1002".into(),
            file: "s.csv".into(),
            sha256: "x".into(),
            first_id: 1,
            lines,
            duplicates: 0,
            through: Some(date!(2025 - 12 - 31)),
        };
        b.append(event).unwrap();
        close_period(&mut b, dec, "赵敏", today).unwrap();
        assert_eq!(rule_of(reopen_period(&mut b, dec, " ", "赵敏", "李明", today)), vec![Rule::Per2]);
        assert_eq!(rule_of(reopen_period(&mut b, dec, "补记", "赵敏", "刘洋", today)), vec![Rule::Per2]);
        assert_eq!(rule_of(reopen_period(&mut b, dec, "补记", "李明", "李明", today)), vec![Rule::Per2]);
        assert_eq!(rule_of(reopen_period(&mut b, dec, "补记", "赵敏", "", today)), vec![Rule::Per2]);
        let nov = Period::parse("2025-11").unwrap();
        assert_eq!(rule_of(reopen_period(&mut b, nov, "补记", "赵敏", "李明", today)), vec![Rule::Per2], "history");
        reopen_period(&mut b, dec, "补记", "赵敏", "李明", today).unwrap();
        assert!(!b.closed.contains(&dec));
        assert!(matches!(b.events.last(), Some(Event::PeriodReopened { approver, .. }) if approver == "李明"));
    }
}
