//! Cash handling: receipt books (票据管理, RCP-1, RCP-2), cash advances
//! (CSH-3), and cash and bank never negative (CSH-1).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::Chart;
use crate::books::Books;
use crate::event::Event;
use crate::lifecycle::nature;
use crate::money::Money;
use crate::period::{date_serde, format_date};
use crate::rule::{refuse, Failure};
use crate::rule::{Refusal, Rule};
use crate::voucher::{Side, Voucher};

/// A book of numbered receipts, registered before use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptBook {
    /// The book's prefix, e.g. `SJ`; receipt numbers are the prefix and a
    /// seven-digit serial: `SJ0000101`.
    pub book: String,
    pub first: u32,
    pub last: u32,
    #[serde(with = "date_serde")]
    pub date: Date,
    /// To whom the book was issued (the cashier).
    pub holder: String,
}

/// The most serials one book holds.
pub const MAX_BOOK_SERIALS: u32 = 10_000;

impl ReceiptBook {
    pub fn number(&self, serial: u32) -> String {
        format!("{}{serial:07}", self.book)
    }

    /// The serial a receipt number names in this book, if it does.
    pub fn serial_of(&self, number: &str) -> Option<u32> {
        let digits = number.strip_prefix(&self.book)?;
        let serial: u32 = digits.parse().ok()?;
        (digits.len() == 7 && (self.first..=self.last).contains(&serial)).then_some(serial)
    }
}

/// What became of a serial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReceiptState {
    Issued {
        payer: String,
        amount: Money,
        #[serde(with = "date_serde")]
        date: Date,
    },
    /// Kept with every copy, with the reason.
    Voided { reason: String },
}

/// [RCP-1] checks a new receipt book.
pub fn check_new_book(
    existing: Option<&ReceiptBook>,
    book: &ReceiptBook,
    holder_registered: bool,
) -> Result<(), Refusal> {
    let rcp = |m: String| Err(Refusal::new(Rule::Rcp1, m));
    if book.book.trim().is_empty() || !book.book.chars().all(|c| c.is_ascii_alphanumeric()) || book.book.len() > 12 {
        return rcp(format!("收据本编号“{}”无效：须为不超过 12 位的字母或数字", book.book));
    }
    if existing.is_some() {
        return rcp(format!("收据本 {} 已经登记过", book.book));
    }
    if book.first == 0 || book.first > book.last || book.last - book.first >= MAX_BOOK_SERIALS {
        return rcp(format!(
            "收据本 {} 的号段 {}–{} 无效（每本最多 {MAX_BOOK_SERIALS} 张）",
            book.book, book.first, book.last
        ));
    }
    if !holder_registered {
        return Err(Refusal::new(Rule::Ppl1, format!("领用人{}尚未登记", book.holder)));
    }
    Ok(())
}

/// [RCP-1] a new book may not share a serial with a book of the same prefix
/// written in other letters' case (`sj` beside `SJ`): the receipts would
/// print the same numbers, and a number would then be used twice.
pub fn check_overlap(others: &[ReceiptBook], book: &ReceiptBook) -> Result<(), Refusal> {
    match others.iter().find(|b| {
        b.book != book.book && b.book.eq_ignore_ascii_case(&book.book) && b.first <= book.last && book.first <= b.last
    }) {
        Some(b) => Err(Refusal::new(
            Rule::Rcp1,
            format!(
                "收据本 {} 的号段 {}–{} 与已登记的{}重叠，同一收据号不能用两次；请核对号段，或换用新的收据本编号",
                book.book,
                book.number(book.first),
                book.number(book.last),
                describe_book(b)
            ),
        )),
        None => Ok(()),
    }
}

/// [RCP-1] the serial the next receipt takes: serials are used in order,
/// none skipped. `last_used` is the highest serial issued or voided.
pub fn next_serial(book: &ReceiptBook, last_used: Option<u32>) -> Result<u32, Refusal> {
    let next = last_used.map_or(book.first, |s| s + 1);
    if next > book.last {
        return Err(Refusal::new(
            Rule::Rcp1,
            format!(
                "收据本 {} 已用完（{}–{}），请交回核销并领用新本",
                book.book,
                book.number(book.first),
                book.number(book.last)
            ),
        ));
    }
    Ok(next)
}

/// [RCP-1] a serial may be voided when it is the next unused one (spoiled
/// while written) or already issued; never twice, never skipped over.
pub fn check_void(
    book: &ReceiptBook,
    serial: u32,
    last_used: Option<u32>,
    state: Option<&ReceiptState>,
    reason: &str,
) -> Result<(), Refusal> {
    let rcp = |m: String| Err(Refusal::new(Rule::Rcp1, m));
    if reason.trim().is_empty() {
        return rcp("作废收据须写明原因".into());
    }
    if !(book.first..=book.last).contains(&serial) {
        return rcp(format!("{} 不在收据本 {} 的号段内", book.number(serial), book.book));
    }
    match state {
        Some(ReceiptState::Voided { .. }) => rcp(format!("{} 已经作废", book.number(serial))),
        Some(ReceiptState::Issued { .. }) => Ok(()),
        None if Some(serial) == next_serial(book, last_used).ok() => Ok(()),
        None => rcp(format!("{} 尚未使用；只能作废下一张未用的收据，不能跳号", book.number(serial))),
    }
}

/// Cash received from outside: cash debited, something other than cash or bank credited.
pub fn receives_cash(v: &Voucher) -> Option<Money> {
    if v.reverses().is_some() {
        return None;
    }
    let cash: Money =
        v.lines().iter().filter(|l| l.side == Side::Debit && l.account.starts_with("1001")).map(|l| l.amount).sum();
    let from_outside = v
        .lines()
        .iter()
        .any(|l| l.side == Side::Credit && !["1001", "1002", "1901"].iter().any(|p| l.account.starts_with(p)));
    (cash.fen() > 0 && from_outside).then_some(cash)
}

/// [RCP-2] a cash income cites issued receipts (收据 documents whose numbers
/// are issued, not voided, serials) covering the cash received. `lookup`
/// gives a receipt number's state.
pub fn check_cash_income_receipts(
    v: &Voucher,
    mut lookup: impl FnMut(&str) -> Option<ReceiptState>,
) -> Option<Refusal> {
    let cash = receives_cash(v)?;
    let r = v.reference();
    let mut covered = Money::ZERO;
    for d in v.documents().iter().filter(|d| d.doc_type == "收据") {
        let Some(number) = &d.number else { continue };
        match lookup(number) {
            Some(ReceiptState::Issued { amount, .. }) => covered += amount,
            Some(ReceiptState::Voided { .. }) => {
                return Some(Refusal::new(Rule::Rcp2, format!("凭证 {r} 所附收据 {number} 已作废")));
            }
            None => {
                return Some(Refusal::new(Rule::Rcp2, format!("凭证 {r} 所附收据 {number} 不是本账套已开出的收据")));
            }
        }
    }
    (covered < cash).then(|| {
        Refusal::new(
            Rule::Rcp2,
            format!("凭证 {r} 收到现金 {}，须附开给交款人的本单位收据（已开出 {}）", cash.to_yuan(), covered.to_yuan()),
        )
    })
}

/// [CSH-3] cash lent out exists only as a 借款单 on a per-person advance
/// account (1122 其他应收款 by person).
pub fn check_advance(chart: &Chart, v: &Voucher) -> Option<Refusal> {
    if v.reverses().is_some() || !nature(chart, v).payment {
        return None;
    }
    let lent = v.lines().iter().find(|l| l.side == Side::Debit && l.account.starts_with("1122"))?;
    let r = v.reference();
    if lent.account == "1122" {
        return Some(Refusal::new(Rule::Csh3, format!("凭证 {r} 借出现金须记入借款人的明细科目（如 112201 张伟）")));
    }
    if !v.documents().iter().any(|d| d.doc_type == "借款单") {
        return Some(Refusal::new(Rule::Csh3, format!("凭证 {r} 借出现金须附经审批的借款单，白条不能抵库")));
    }
    None
}

/// One person's outstanding advance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Advance {
    pub account: String,
    pub borrower: String,
    pub outstanding: Money,
}

/// [CSH-3] outstanding advances from the balances of 1122's sub-accounts.
pub fn outstanding_advances<'a>(chart: &Chart, balances: impl IntoIterator<Item = (&'a str, Money)>) -> Vec<Advance> {
    let mut by_account: std::collections::BTreeMap<&str, Money> = std::collections::BTreeMap::new();
    for (account, signed) in balances {
        if account.starts_with("1122") && account.len() > 4 {
            *by_account.entry(account).or_default() += signed;
        }
    }
    by_account
        .into_iter()
        .filter(|(_, m)| !m.is_zero())
        .map(|(account, outstanding)| Advance {
            account: account.to_string(),
            borrower: chart.get(account).map(|a| a.name().to_string()).unwrap_or_default(),
            outstanding,
        })
        .collect()
}

/// `SJ0000101`–`SJ0000200`, for messages.
pub fn describe_book(book: &ReceiptBook) -> String {
    format!(
        "收据本 {}（{}–{}，{} 领用，{}）",
        book.book,
        book.number(book.first),
        book.number(book.last),
        book.holder,
        format_date(book.date)
    )
}

/// [CSH-1] cash (1001) and bank (1002) never go negative on any day. `before`
/// is the posted balance before `date`; `later` the posted movements from
/// `date` on; `delta` what the voucher dated `date` does to the account.
pub fn check_never_negative(
    name: &str,
    before: Money,
    later: &[(Date, Money)],
    date: Date,
    delta: Money,
) -> Option<Refusal> {
    if !delta.is_negative() {
        return None;
    }
    let mut moves: Vec<(Date, Money)> = later.to_vec();
    moves.push((date, delta));
    moves.sort_by_key(|(d, _)| *d);
    let mut balance = before;
    let mut day_end: Vec<(Date, Money)> = Vec::new();
    for (d, m) in moves {
        balance += m;
        match day_end.last_mut() {
            Some((last, b)) if *last == d => *b = balance,
            _ => day_end.push((d, balance)),
        }
    }
    let (d, low) = day_end.into_iter().filter(|(_, b)| b.is_negative()).min_by_key(|(_, b)| *b)?;
    Some(Refusal::new(
        Rule::Csh1,
        format!(
            "{name}不能出现负数：{} 日终余额将为 {}，本笔支出 {}，短缺 {}；请先提取现金或等待款项到账",
            crate::period::format_date(d),
            low.to_yuan(),
            (-delta).to_yuan(),
            (-low).to_yuan()
        ),
    ))
}

/// [RCP-1] registers a receipt book issued to a registered holder.
pub fn register_receipt_book(books: &mut impl Books, book: ReceiptBook) -> Result<(), Failure> {
    let others = books.receipt_books()?;
    let existing = others.iter().find(|b| b.book == book.book);
    let holder_registered = books.registry().is_registered(&book.holder);
    check_new_book(existing, &book, holder_registered)?;
    check_overlap(&others, &book)?;
    books.append(Event::ReceiptBookRegistered { book })?;
    Ok(())
}

fn find_book(books: &mut impl Books, book: &str) -> Result<ReceiptBook, Failure> {
    match books.receipt_books()?.into_iter().find(|b| b.book == book) {
        Some(b) => Ok(b),
        None => refuse(Rule::Rcp1, format!("收据本 {book} 尚未登记")),
    }
}

/// [RCP-1] issues the next receipt of a book; returns its number.
pub fn issue_receipt(
    books: &mut impl Books,
    book: &str,
    payer: &str,
    amount: Money,
    date: Date,
) -> Result<String, Failure> {
    let b = find_book(books, book)?;
    if payer.trim().is_empty() || amount.fen() <= 0 {
        return refuse(Rule::Rcp1, "收据须写明交款人和大于零的金额");
    }
    if date < b.date {
        return refuse(
            Rule::Rcp1,
            format!(
                "收据本 {book} 于 {} 登记领用，不能开出日期为 {} 的收据；请核对收据日期，或使用当时已领用的收据本",
                format_date(b.date),
                format_date(date)
            ),
        );
    }
    let serial = next_serial(&b, books.receipt_last_used(book)?)?;
    books.append(Event::ReceiptIssued {
        book: book.to_string(),
        serial,
        payer: payer.trim().to_string(),
        amount,
        date,
    })?;
    Ok(b.number(serial))
}

/// [RCP-1] voids a receipt, keeping it, with the reason.
pub fn void_receipt(books: &mut impl Books, book: &str, serial: u32, reason: &str) -> Result<(), Failure> {
    let b = find_book(books, book)?;
    let last = books.receipt_last_used(book)?;
    let state = books.receipt(book, serial)?;
    check_void(&b, serial, last, state.as_ref(), reason)?;
    books.append(Event::ReceiptVoided { book: book.to_string(), serial, reason: reason.trim().to_string() })?;
    Ok(())
}

/// The state of the receipt a number names, in whichever book holds it.
pub fn receipt_by_number(books: &mut impl Books, number: &str) -> Result<Option<ReceiptState>, Failure> {
    for b in books.receipt_books()? {
        if let Some(serial) = b.serial_of(number) {
            return Ok(books.receipt(&b.book, serial)?);
        }
    }
    Ok(None)
}

/// [RCP-2] the receipts a cash income cites.
pub fn check_receipts(books: &mut impl Books, v: &Voucher) -> Result<Option<Refusal>, Failure> {
    if crate::receipts::receives_cash(v).is_none() {
        return Ok(None);
    }
    let mut states = std::collections::HashMap::new();
    for d in v.documents().iter().filter(|d| d.doc_type == "收据") {
        if let Some(n) = &d.number {
            states.insert(n.clone(), receipt_by_number(books, n)?);
        }
    }
    Ok(crate::receipts::check_cash_income_receipts(v, |n| states.get(n).cloned().flatten()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::prepare_voucher;
    use crate::memory::MemoryBooks;
    use crate::test_support::draft;
    use crate::voucher::{Document, Origin};
    use time::macros::date;

    fn book() -> ReceiptBook {
        ReceiptBook { book: "SJ".into(), first: 101, last: 103, date: date!(2025 - 01 - 01), holder: "王芳".into() }
    }

    #[test]
    fn rcp_1_serials_in_order_none_skipped_or_twice() {
        let b = book();
        assert_eq!(b.number(101), "SJ0000101");
        assert_eq!(b.serial_of("SJ0000102"), Some(102));
        assert_eq!(b.serial_of("SJ0000199"), None);
        assert_eq!(next_serial(&b, None), Ok(101));
        assert_eq!(next_serial(&b, Some(102)), Ok(103));
        assert!(next_serial(&b, Some(103)).unwrap_err().message.contains("已用完"));
        let issued =
            ReceiptState::Issued { payer: "居民".into(), amount: Money::from_fen(1), date: date!(2025 - 01 - 02) };
        assert!(check_void(&b, 101, Some(101), Some(&issued), "写错").is_ok());
        assert!(check_void(&b, 102, Some(101), None, "写错").is_ok(), "the next unused one");
        assert!(check_void(&b, 103, Some(101), None, "写错").unwrap_err().message.contains("不能跳号"));
        assert_eq!(check_void(&b, 101, Some(101), Some(&issued), " ").unwrap_err().rule, Rule::Rcp1);
        let voided = ReceiptState::Voided { reason: "写错".into() };
        assert!(check_void(&b, 101, Some(101), Some(&voided), "再作废").is_err());
        assert!(check_new_book(Some(&b), &b, true).is_err());
        assert!(check_new_book(None, &ReceiptBook { first: 5, last: 4, ..book() }, true).is_err());
        assert!(check_new_book(None, &b, true).is_ok());
    }

    #[test]
    fn rcp_1_a_book_of_the_same_prefix_may_not_share_a_serial() {
        let b = book();
        let lower = |first, last| ReceiptBook { book: b.book.to_ascii_lowercase(), first, last, ..book() };
        let e = check_overlap(std::slice::from_ref(&b), &lower(102, 300)).unwrap_err();
        assert_eq!(e.rule, Rule::Rcp1);
        assert!(e.message.contains("重叠") && e.message.contains(&b.number(b.first)), "{}", e.message);
        assert!(check_overlap(std::slice::from_ref(&b), &lower(b.last + 1, b.last + 100)).is_ok(), "a new range");
        let other = ReceiptBook { book: "XB".into(), ..book() };
        assert!(check_overlap(std::slice::from_ref(&b), &other).is_ok(), "another prefix");
    }

    #[test]
    fn rcp_1_a_receipt_is_dated_on_or_after_its_book_s_registration() {
        let mut b = MemoryBooks::fixture();
        b.receipt_books.push(ReceiptBook { date: date!(2025 - 03 - 10), ..book() });
        let issue = |b: &mut MemoryBooks, d| crate::books::issue_receipt(b, "SJ", "居民", Money::from_fen(100), d);
        match issue(&mut b, date!(2025 - 03 - 09)) {
            Err(crate::rule::Failure::Refused(r)) => assert_eq!(r.first_rule(), Rule::Rcp1),
            other => panic!("a receipt before its book must be refused: {other:?}"),
        }
        assert_eq!(issue(&mut b, date!(2025 - 03 - 10)).unwrap(), "SJ0000101");
    }

    #[test]
    fn rcp_2_cash_income_cites_an_issued_receipt() {
        let mut b = MemoryBooks::fixture();
        let mut d = draft(date!(2025 - 03 - 05), 3_000);
        d.lines[0].account = "1001".into();
        d.lines[1].account = "4101".into();
        d.documents = vec![Document {
            doc_type: "收据".into(),
            issuer: None,
            number: Some("SJ0000101".into()),
            amount: Some(Money::from_fen(3_000)),
            handler: Some("王芳".into()),
            checker: None,
            date: None,
        }];
        let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
        let v = b.vouchers[&r].0.clone();
        assert_eq!(receives_cash(&v), Some(Money::from_fen(3_000)));
        assert_eq!(check_cash_income_receipts(&v, |_| None).unwrap().rule, Rule::Rcp2);
        let issued = |fen| ReceiptState::Issued {
            payer: "居民".into(),
            amount: Money::from_fen(fen),
            date: date!(2025 - 03 - 05),
        };
        assert!(check_cash_income_receipts(&v, |_| Some(issued(3_000))).is_none());
        assert!(check_cash_income_receipts(&v, |_| Some(issued(2_999))).is_some());
        let voided = ReceiptState::Voided { reason: "x".into() };
        assert!(check_cash_income_receipts(&v, |_| Some(voided.clone())).unwrap().message.contains("已作废"));
    }

    /// [RCP-2] an advance settled with cash handed back: the cash returned is
    /// a cash income and needs a receipt to the borrower.
    #[test]
    fn rcp_2_cash_returned_from_an_advance_needs_a_receipt() {
        let line = |account: &str, side, fen| crate::voucher::Line {
            summary: "张伟报销活动用品".into(),
            account: account.into(),
            side,
            amount: Money::from_fen(fen),
            fund: None,
            counterparty: None,
        };
        let mut b = MemoryBooks::fixture();
        let mut settle = |documents: Vec<Document>| {
            let mut d = draft(date!(2025 - 03 - 12), 42_000);
            d.lines = vec![
                line("5201", crate::voucher::Side::Debit, 42_000),
                line("1001", crate::voucher::Side::Debit, 8_000),
                line("1122", crate::voucher::Side::Credit, 50_000),
            ];
            d.documents.extend(documents);
            let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
            b.vouchers[&r].0.clone()
        };
        let v = settle(vec![]);
        assert_eq!(receives_cash(&v), Some(Money::from_fen(8_000)), "the ¥80 handed back is cash received");
        let r = check_cash_income_receipts(&v, |_| None).unwrap();
        assert_eq!(r.rule, Rule::Rcp2);
        assert!(r.message.contains("¥80.00"), "{}", r.message);
        let receipt = Document {
            doc_type: "收据".into(),
            issuer: None,
            number: Some("SJ0000104".into()),
            amount: Some(Money::from_fen(8_000)),
            handler: Some("王芳".into()),
            checker: None,
            date: None,
        };
        let issued =
            ReceiptState::Issued {
                payer: "张伟".into(), amount: Money::from_fen(8_000), date: date!(2025 - 03 - 12)
            };
        assert!(check_cash_income_receipts(&settle(vec![receipt]), |_| Some(issued.clone())).is_none());
    }

    #[test]
    fn csh_3_advances_on_a_note_per_person() {
        let mut b = MemoryBooks::fixture();
        let sub = b
            .chart
            .check_new(&crate::account::NewAccount {
                code: "112201".into(),
                name: "张伟".into(),
                kind: None,
                opened: None,
            })
            .unwrap();
        b.chart.insert(sub);
        let mut d = draft(date!(2025 - 03 - 05), 50_000);
        d.lines[0].account = "112201".into();
        let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
        let v = b.vouchers[&r].0.clone();
        assert!(check_advance(&b.chart, &v).unwrap().message.contains("借款单"));
        let advances =
            outstanding_advances(&b.chart, [("112201", Money::from_fen(50_000)), ("1001", Money::from_fen(7))]);
        assert_eq!(
            advances,
            vec![Advance { account: "112201".into(), borrower: "张伟".into(), outstanding: Money::from_fen(50_000) }]
        );
    }
}
