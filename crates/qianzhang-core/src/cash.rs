//! Cash on hand (库存现金): the daily count (CSH-2), the cash-on-hand limit
//! (CSH-4) and no 坐支 (CSH-5).
//!
//! The count is compared with the book: posted vouchers plus those the
//! cashier has confirmed, because that money has already moved. A difference
//! (长款 surplus, 短款 shortage) stays open until a posted voucher moves cash
//! against 1901 待处理财产损溢 by the same amount, on or after the count and
//! in the same month; the month cannot close before that (PER-1).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::Calendar;

use crate::books::{Books, Event};
use crate::money::Money;
use crate::period::{date_serde, format_date, Period};
use crate::rule::{refuse, Failure, Refusal, Rule};
use crate::voucher::{Voucher, VoucherRef};

/// The notes and coins a count may list, in fen: 100, 50, 20, 10, 5, 1,
/// 0.5 and 0.1 yuan.
pub const DENOMINATIONS: [i64; 8] = [10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10];

/// At most this many pieces of one denomination in a count.
pub const MAX_PIECES: u32 = 1_000_000;

/// The cash account and the suspense account differences go through.
pub const CASH: &str = "1001";
pub const SUSPENSE: &str = "1901";

/// How many pieces of one denomination were counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pieces {
    pub value: Money,
    pub count: u32,
}

/// One daily count (现金盘点) as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashCount {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub counted: Money,
    /// The book balance at the end of the day when the count was recorded.
    pub book: Money,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pieces: Vec<Pieces>,
    pub counter: String,
}

impl CashCount {
    /// Positive: 长款 (more cash than the book); negative: 短款.
    pub fn difference(&self) -> Money {
        self.counted - self.book
    }
}

/// `长款 12.00`, `短款 5.00` or `账实相符`.
pub fn describe_difference(diff: Money) -> String {
    if diff.is_zero() {
        "账实相符".to_string()
    } else if diff.is_negative() {
        format!("短款 {}", (-diff).to_yuan())
    } else {
        format!("长款 {}", diff.to_yuan())
    }
}

/// [CSH-2] reads `100x12,50x3,0.5x4` (面额x张数).
pub fn parse_pieces(text: &str) -> Result<Vec<Pieces>, Refusal> {
    let bad = |m: String| Refusal::new(Rule::Csh2, m);
    let mut out: Vec<Pieces> = Vec::new();
    for part in text.split([',', '，', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        let Some((value, count)) = part.trim().split_once(['x', 'X', '*', '×']) else {
            return Err(bad(format!("券别“{part}”应写作 面额x张数，例如 100x12")));
        };
        let value = Money::parse(value).map_err(|_| bad(format!("券别“{part}”的面额不是金额")))?;
        if !DENOMINATIONS.contains(&value.fen()) {
            return Err(bad(format!(
                "面额 {} 不是人民币券别；可用 100、50、20、10、5、1、0.5、0.1 元",
                value.to_decimal_string()
            )));
        }
        let count: u32 = match count.trim().parse() {
            Ok(c) if c <= MAX_PIECES => c,
            _ => return Err(bad(format!("券别“{part}”的张数应为 0 到 {MAX_PIECES} 的整数"))),
        };
        if out.iter().any(|p| p.value == value) {
            return Err(bad(format!("面额 {} 写了两次", value.to_decimal_string())));
        }
        out.push(Pieces { value, count });
    }
    out.sort_by_key(|p| -p.value.fen());
    Ok(out)
}

/// [CSH-2] the amount counted: given, from the pieces, or both when they agree.
pub fn counted_amount(amount: Option<Money>, pieces: &[Pieces]) -> Result<Money, Refusal> {
    let from_pieces: Money = pieces.iter().map(|p| Money::from_fen(p.value.fen() * i64::from(p.count))).sum();
    match amount {
        Some(a) if a.is_negative() => Err(Refusal::new(Rule::Csh2, "实点金额不能为负数")),
        Some(a) if !pieces.is_empty() && a != from_pieces => Err(Refusal::new(
            Rule::Csh2,
            format!("实点金额 {} 与各券别合计 {} 不符；请重新清点", a.to_yuan(), from_pieces.to_yuan()),
        )),
        Some(a) => Ok(a),
        None if !pieces.is_empty() => Ok(from_pieces),
        None => Err(Refusal::new(Rule::Csh2, "请用 --amount 给出实点金额，或用 --pieces 列出各券别张数")),
    }
}

/// A voucher's net effect on cash, if it has one, and whether it moves
/// cash against 1901 (a count difference being settled).
pub fn settlement(v: &Voucher) -> Option<Money> {
    let cash: Money = v.lines().iter().filter(|l| l.account.starts_with(CASH)).map(|l| l.signed()).sum();
    let suspense = v.lines().iter().any(|l| l.account.starts_with(SUSPENSE));
    (suspense && !cash.is_zero()).then_some(cash)
}

/// A count with the voucher that settled its difference, if it has one and
/// it is settled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenDifference {
    pub count: CashCount,
    pub settled_by: Option<VoucherRef>,
    /// The difference against the book of the count's day as it stands now,
    /// when that book moved after the count, the count no longer agrees with
    /// it and no settlement covers it: the cash is to be counted again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<Money>,
}

/// The voucher settling a difference of `count`: a posted voucher moving
/// cash against 1901 by the difference, dated on or after the count in the
/// same month. A shortage still open when the cash is counted again shows in
/// that count too: one voucher settles both.
fn settled_by(c: &CashCount, settlements: &[(VoucherRef, Date, Money)]) -> Option<VoucherRef> {
    if c.difference().is_zero() {
        return None;
    }
    settlements
        .iter()
        .find(|(_, d, m)| *d >= c.date && Period::of(*d) == Period::of(c.date) && *m == c.difference())
        .map(|(r, _, _)| *r)
}

/// [CSH-2] every count with a difference, in the order recorded, each with
/// its settlement. Every count is kept: a recount is a count beside the
/// first, and a difference it does not repeat is still a difference to
/// settle. `settlements` are (voucher, date, cash effect).
pub fn differences(counts: &[CashCount], settlements: &[(VoucherRef, Date, Money)]) -> Vec<OpenDifference> {
    counts
        .iter()
        .filter(|c| !c.difference().is_zero())
        .map(|c| OpenDifference { count: c.clone(), settled_by: settled_by(c, settlements), now: None })
        .collect()
}

/// [CSH-2] the difference of a count the book moved past: `book_now` (the
/// book of the count's day as it stands now, posted and confirmed) is not
/// the book the count was recorded against, the cash counted does not agree
/// with it, and no settlement (a voucher moving cash against 1901 by that
/// difference, on or after the count in the same month) covers it. `None`
/// when the count still stands. A settlement dated the count's day is a
/// count's difference being booked, not a movement of cash: booked after the
/// count, it does not make the count stale.
pub fn moved_past(c: &CashCount, book_now: Money, settlements: &[(VoucherRef, Date, Money)]) -> Option<Money> {
    let now = c.counted - book_now;
    let settled_that_day: Money = settlements.iter().filter(|(_, d, _)| *d == c.date).map(|(_, _, m)| *m).sum();
    if book_now == c.book || book_now - settled_that_day == c.book || now.is_zero() {
        return None;
    }
    let covered = settlements.iter().any(|(_, d, m)| *d >= c.date && Period::of(*d) == Period::of(c.date) && *m == now);
    (!covered).then_some(now)
}

/// Day-end balances from `opening` (before `from`) over `moves` (date, net),
/// for every day from `from` to `to` that has a movement or is `to`.
pub fn day_ends(opening: Money, moves: &[(Date, Money)], from: Date, to: Date) -> Vec<(Date, Money)> {
    let mut sorted: Vec<&(Date, Money)> = moves.iter().filter(|(d, _)| *d <= to).collect();
    sorted.sort_by_key(|(d, _)| *d);
    let mut balance = opening;
    let mut out: Vec<(Date, Money)> = Vec::new();
    for (d, m) in sorted {
        balance += *m;
        if *d < from {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.0 == *d => last.1 = balance,
            _ => out.push((*d, balance)),
        }
    }
    if out.last().is_none_or(|l| l.0 != to) {
        out.push((to, balance));
    }
    out
}

/// [CSH-4] the days that closed above the cash-on-hand limit; a balance
/// carries over the days without movement.
pub fn days_above_limit(day_ends: &[(Date, Money)], limit: Money) -> Vec<(Date, Money)> {
    day_ends.iter().filter(|(_, b)| *b > limit).copied().collect()
}

/// How a voucher moves cash, for CSH-5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// Cash received from outside: to be deposited.
    Income,
    /// Cash taken out of the bank (提现), a surplus booked, an advance repaid.
    Other,
    /// Cash paid into the bank (送存).
    Deposit,
    /// Cash paid out.
    Payment,
}

/// Classifies a voucher's effect on cash (1001): the flow and its size.
pub fn flow(v: &Voucher) -> Option<(Flow, Money)> {
    let net = |prefix: &str| -> Money {
        v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(|l| l.signed()).sum()
    };
    let cash = net(CASH);
    if cash.is_zero() {
        return None;
    }
    let bank = net("1002");
    let red = v.reverses().is_some();
    let kind = if red {
        // A red reversal of an income takes it back; other reversals do not
        // change what is owed to the bank.
        if cash.is_negative() && bank.is_zero() && net(SUSPENSE).is_zero() && net("1122").is_zero() {
            return Some((Flow::Income, cash));
        }
        Flow::Other
    } else if cash.is_negative() {
        if bank.is_zero() {
            Flow::Payment
        } else {
            Flow::Deposit
        }
    } else if !bank.is_zero() || !net(SUSPENSE).is_zero() || !net("1122").is_zero() {
        Flow::Other
    } else {
        Flow::Income
    };
    Some((kind, cash.abs()))
}

/// The date by which cash received on `date` must be in the bank: `days`
/// business days later on the ledger's calendar (holidays and 调休 included).
pub fn deposit_deadline(date: Date, days: u32, calendar: &Calendar) -> Date {
    calendar.deposit_deadline(date, days)
}

/// The last business day of a month on the ledger's calendar.
pub fn last_business_day(period: Period, calendar: &Calendar) -> Date {
    calendar.last_business_day(period)
}

/// Cash income not yet deposited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Undeposited {
    pub voucher: VoucherRef,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub amount: Money,
    #[serde(with = "date_serde")]
    pub deadline: Date,
}

/// What the cash book says at the end of a day, for CSH-5.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CashPosition {
    pub balance: Money,
    pub undeposited: Vec<Undeposited>,
}

impl CashPosition {
    pub fn undeposited_total(&self) -> Money {
        self.undeposited.iter().map(|u| u.amount).sum()
    }

    /// Cash that may pay expenses: on hand less income waiting for the bank.
    pub fn available(&self) -> Money {
        self.balance - self.undeposited_total()
    }
}

/// [CSH-5] the cash position at the end of `through`: `opening` is the
/// balance before the first voucher and counts as available; deposits take
/// the oldest income first.
pub fn position(
    opening: Money,
    vouchers: &[Voucher],
    through: Date,
    deposit_days: u32,
    calendar: &Calendar,
) -> CashPosition {
    let mut sorted: Vec<&Voucher> = vouchers.iter().filter(|v| v.date() <= through).collect();
    sorted.sort_by_key(|v| (v.date(), v.reference()));
    let mut balance = opening;
    let mut queue: VecDeque<Undeposited> = VecDeque::new();
    for v in sorted {
        let Some((kind, amount)) = flow(v) else { continue };
        let cash: Money = v.lines().iter().filter(|l| l.account.starts_with(CASH)).map(|l| l.signed()).sum();
        balance += cash;
        match kind {
            Flow::Income if amount.is_negative() => take_back(&mut queue, -amount, true),
            Flow::Income => queue.push_back(Undeposited {
                voucher: v.reference(),
                date: v.date(),
                amount,
                deadline: deposit_deadline(v.date(), deposit_days, calendar),
            }),
            Flow::Deposit => take_back(&mut queue, amount, false),
            Flow::Other | Flow::Payment => {}
        }
    }
    CashPosition { balance, undeposited: queue.into_iter().collect() }
}

/// Takes `amount` off the queue: the oldest income first for a deposit, the
/// newest for a reversed income.
fn take_back(queue: &mut VecDeque<Undeposited>, mut amount: Money, newest: bool) {
    while amount.fen() > 0 {
        let item = if newest { queue.back_mut() } else { queue.front_mut() };
        let Some(item) = item else { return };
        if item.amount > amount {
            item.amount -= amount;
            return;
        }
        amount -= item.amount;
        if newest {
            queue.pop_back();
        } else {
            queue.pop_front();
        }
    }
}

/// [CSH-5] income past its deposit deadline on `day`.
pub fn overdue(position: &CashPosition, day: Date) -> Vec<&Undeposited> {
    position.undeposited.iter().filter(|u| u.deadline < day).collect()
}

/// [CSH-5] a cash payment is made only from cash that is not undeposited
/// income: at the end of the payment's day, what is on hand must still cover
/// the income waiting for the bank. `position` includes the payment.
pub fn check_no_zuozhi(v: &Voucher, position: &CashPosition) -> Option<Refusal> {
    let (Flow::Payment, amount) = flow(v)? else { return None };
    if position.available().fen() >= 0 {
        return None;
    }
    let waiting = position.undeposited_total();
    let before = position.available() + amount;
    Some(Refusal::new(
        Rule::Csh5,
        format!(
            "凭证 {} 以现金支付 {}，但 {} 日终库存现金 {} 中有 {} 是尚未送存银行的现金收入，不能坐支；\
             可用于支付的现金只有 {}。请先从银行提取现金（提现凭证写明用途），或先将收入送存银行后从银行支付",
            v.reference(),
            amount.to_yuan(),
            format_date(v.date()),
            (position.balance + amount).to_yuan(),
            waiting.to_yuan(),
            before.max(Money::ZERO).to_yuan(),
        ),
    ))
}

/// The cash book at the end of `day`: the balance before the day and the
/// day's movements, posted or confirmed (the money has moved).
pub fn book_at(books: &mut impl Books, day: Date) -> Result<Money, Failure> {
    let (before, vouchers) = books.vouchers_touching(CASH, day, day, true)?;
    Ok(before + vouchers.iter().map(cash_effect).sum())
}

/// A voucher's net effect on cash.
pub fn cash_effect(v: &Voucher) -> Money {
    v.lines().iter().filter(|l| l.account.starts_with(CASH)).map(|l| l.signed()).sum()
}

/// [CSH-2] records the cashier's count of `date` against the book; returns
/// the count with the book balance and the difference.
pub fn record_count(
    books: &mut impl Books,
    date: Date,
    counted: Money,
    pieces: Vec<Pieces>,
    counter: &str,
    today: Date,
) -> Result<CashCount, Failure> {
    let day = format_date(date);
    for on in [date, today] {
        let registry = books.registry();
        if let Some(r) = crate::people::frozen(registry.appointments(), &registry.kinship(), counter, on) {
            return refuse(Rule::Sep7, format!("{}；不能记录现金盘点，请由接任的出纳盘点", r.message));
        }
    }
    if date > today {
        return refuse(Rule::Csh2, format!("盘点日期 {day} 晚于今天 {}，不能预先盘点", format_date(today)));
    }
    let start = books.ledger().start;
    if Period::of(date) < start {
        return refuse(Rule::Csh2, format!("盘点日期 {day} 早于账套启用期间 {start}"));
    }
    if books.period_closed(Period::of(date))? {
        return refuse(
            Rule::Csh2,
            format!("{} 已结账（PER-1），不能再补录 {day} 的盘点；如确需更正，须先反结账", Period::of(date)),
        );
    }
    let book = book_at(books, date)?;
    let count = CashCount { date, counted, book, pieces, counter: counter.to_string() };
    books.append(Event::CashCounted { count: count.clone() })?;
    Ok(count)
}

/// [CSH-5] the cash position at the end of `day`, from the first day of the
/// month before: older income is past any deposit deadline and is no longer
/// told apart from other cash.
pub fn position_at(books: &mut impl Books, day: Date) -> Result<CashPosition, Failure> {
    let from = Period::of(day).prev().first_day().max(books.ledger().start.first_day());
    let (opening, vouchers) = books.vouchers_touching(CASH, from, day, true)?;
    Ok(position(opening, &vouchers, day, books.settings().deposit_days, &books.settings().calendar))
}

/// [CSH-5] checks a voucher that pays cash, with it counted in.
pub fn check_payment(books: &mut impl Books, v: &Voucher) -> Result<Option<Refusal>, Failure> {
    if !matches!(flow(v), Some((Flow::Payment, _))) {
        return Ok(None);
    }
    let from = Period::of(v.date()).prev().first_day().max(books.ledger().start.first_day());
    let (opening, mut vouchers) = books.vouchers_touching(CASH, from, v.date(), true)?;
    vouchers.retain(|o| o.reference() != v.reference());
    vouchers.push(v.clone());
    let p = position(opening, &vouchers, v.date(), books.settings().deposit_days, &books.settings().calendar);
    Ok(check_no_zuozhi(v, &p))
}

/// A day's closing balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DayEnd {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub balance: Money,
}

/// 现金盘点表: the count of a day against the book, with what is owed to the
/// bank and what is lent out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountSheet {
    pub ledger: String,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub book: Money,
    /// Every count of the day, in the order recorded, each with the voucher
    /// that settled its difference (CSH-2).
    pub counts: Vec<OpenDifference>,
    /// The differences of earlier days of the month, settled or not.
    pub earlier_differences: Vec<OpenDifference>,
    pub limit: Money,
    pub above_limit: bool,
    /// Days of the month so far that closed above the limit.
    pub days_above_limit: Vec<DayEnd>,
    pub undeposited: Vec<Undeposited>,
    pub overdue: Vec<Undeposited>,
    pub advances: Vec<crate::receipts::Advance>,
}

impl CountSheet {
    /// [CSH-2..5] the sheet for `date`; `advances` are the outstanding advances (CSH-3).
    pub fn build(
        books: &mut impl Books,
        date: Date,
        advances: Vec<crate::receipts::Advance>,
    ) -> Result<CountSheet, Failure> {
        let period = Period::of(date);
        let counts = books.cash_counts(period)?;
        // One scan from the first day of the month before: the month's
        // movements and the deposit position both come from it.
        let from = period.prev().first_day().max(books.ledger().start.first_day()).min(period.first_day());
        let (before, scanned) = books.vouchers_touching(CASH, from, period.last_day(), true)?;
        let opening = before + scanned.iter().filter(|v| v.date() < period.first_day()).map(cash_effect).sum();
        let month: Vec<&Voucher> = scanned.iter().filter(|v| v.date() >= period.first_day()).collect();
        let settlements: Vec<(VoucherRef, Date, Money)> =
            month.iter().filter_map(|v| settlement(v).map(|m| (v.reference(), v.date(), m))).collect();
        let moves: Vec<(Date, Money)> = month.iter().map(|v| (v.date(), cash_effect(v))).collect();
        let ends = day_ends(opening, &moves, period.first_day(), date);
        let book = ends.last().map_or(opening, |e| e.1);
        // A count is judged against the book as it stands now: vouchers of
        // the day or before confirmed or posted after it move the book.
        let of_day = counts
            .iter()
            .filter(|c| c.date == date)
            .map(|c| OpenDifference {
                count: c.clone(),
                settled_by: settled_by(c, &settlements),
                now: moved_past(c, book, &settlements),
            })
            .collect();
        let earlier_differences =
            differences(&counts, &settlements).into_iter().filter(|d| d.count.date < date).collect();
        let limit = books.settings().cash_limit;
        let position = position(before, &scanned, date, books.settings().deposit_days, &books.settings().calendar);
        let overdue = overdue(&position, date).into_iter().cloned().collect();
        Ok(CountSheet {
            ledger: books.ledger().name.clone(),
            date,
            book,
            counts: of_day,
            earlier_differences,
            limit,
            above_limit: book > limit,
            days_above_limit: days_above_limit(&ends, limit)
                .into_iter()
                .map(|(date, balance)| DayEnd { date, balance })
                .collect(),
            undeposited: position.undeposited,
            overdue,
            advances,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::voucher::{Draft, Line, Origin, Side};

    fn line(account: &str, side: Side, yuan: i64) -> Line {
        Line {
            summary: "x".into(),
            account: account.into(),
            side,
            amount: Money::from_fen(yuan * 100),
            fund: None,
            counterparty: None,
        }
    }

    fn voucher(n: u32, date: Date, lines: Vec<Line>) -> Voucher {
        let draft = Draft { date, lines, documents: vec![], authorization: None, reverses: None, source_ref: None };
        Voucher::accepted(VoucherRef { period: Period::of(date), number: n }, draft, Origin::Entered, "赵敏")
    }

    fn income(n: u32, date: Date, yuan: i64) -> Voucher {
        voucher(n, date, vec![line("1001", Side::Debit, yuan), line("4901", Side::Credit, yuan)])
    }

    fn pay(n: u32, date: Date, yuan: i64) -> Voucher {
        voucher(n, date, vec![line("5201", Side::Debit, yuan), line("1001", Side::Credit, yuan)])
    }

    fn deposit(n: u32, date: Date, yuan: i64) -> Voucher {
        voucher(n, date, vec![line("1002", Side::Debit, yuan), line("1001", Side::Credit, yuan)])
    }

    fn yuan(y: i64) -> Money {
        Money::from_fen(y * 100)
    }

    #[test]
    fn csh_2_pieces_and_amount_agree() {
        let p = parse_pieces("100x12, 50x1,0.5x4").unwrap();
        assert_eq!(p[0], Pieces { value: yuan(100), count: 12 });
        assert_eq!(counted_amount(None, &p).unwrap(), Money::from_fen(125_200));
        assert_eq!(counted_amount(Some(Money::from_fen(125_200)), &p).unwrap(), Money::from_fen(125_200));
        assert_eq!(counted_amount(Some(yuan(1)), &p).unwrap_err().rule, Rule::Csh2);
        assert_eq!(parse_pieces("3x1").unwrap_err().rule, Rule::Csh2, "no 3-yuan note");
        assert_eq!(parse_pieces("100x1,100x2").unwrap_err().rule, Rule::Csh2);
        assert_eq!(parse_pieces("100").unwrap_err().rule, Rule::Csh2);
        assert_eq!(counted_amount(None, &[]).unwrap_err().rule, Rule::Csh2);
        assert_eq!(counted_amount(Some(yuan(-1)), &[]).unwrap_err().rule, Rule::Csh2);
    }

    #[test]
    fn csh_2_a_difference_is_settled_through_1901_in_the_same_month() {
        let count = |d: Date, counted: i64, book: i64| CashCount {
            date: d,
            counted: yuan(counted),
            book: yuan(book),
            pieces: vec![],
            counter: "王芳".into(),
        };
        let counts = vec![
            count(date!(2025 - 04 - 10), 950, 1000),
            count(date!(2025 - 04 - 11), 1000, 1000),
            count(date!(2025 - 04 - 11), 990, 1000),
        ];
        let r = |n| VoucherRef { period: Period::parse("2025-04").unwrap(), number: n };
        let open = differences(&counts, &[]);
        assert_eq!(open.len(), 2, "a count without a difference has nothing to settle");
        let settled = differences(&counts, &[(r(7), date!(2025 - 04 - 10), yuan(-50))]);
        assert_eq!(settled[0].settled_by, Some(r(7)));
        assert_eq!(settled[1].settled_by, None, "a different amount settles nothing");
        let late = differences(&counts, &[(r(9), date!(2025 - 05 - 02), yuan(-50))]);
        assert_eq!(late[0].settled_by, None, "a settlement in the next month is too late");
        let v = voucher(3, date!(2025 - 04 - 10), vec![line("1901", Side::Debit, 50), line("1001", Side::Credit, 50)]);
        assert_eq!(settlement(&v), Some(yuan(-50)));
        assert_eq!(settlement(&pay(4, date!(2025 - 04 - 10), 50)), None);
        assert_eq!(describe_difference(yuan(-50)), "短款 ¥50.00");
        assert_eq!(describe_difference(yuan(3)), "长款 ¥3.00");
    }

    #[test]
    fn csh_2_a_recount_does_not_erase_a_shortage() {
        let count = |counted: i64| CashCount {
            date: date!(2025 - 04 - 10),
            counted: yuan(counted),
            book: yuan(1000),
            pieces: vec![],
            counter: "王芳".into(),
        };
        let counts = vec![count(990), count(1000)];
        let open = differences(&counts, &[]);
        assert_eq!(open.len(), 1, "the ¥10 shortage stays after a recount that finds none");
        assert_eq!(open[0].count.difference(), yuan(-10));
        assert_eq!(open[0].settled_by, None);
        // The shortage counted again the next day is the same shortage: one voucher settles both.
        let next = CashCount { date: date!(2025 - 04 - 11), ..count(990) };
        let r = VoucherRef { period: Period::parse("2025-04").unwrap(), number: 8 };
        let both = differences(&[count(990), next], &[(r, date!(2025 - 04 - 11), yuan(-10))]);
        assert_eq!(both.iter().map(|d| d.settled_by).collect::<Vec<_>>(), vec![Some(r), Some(r)]);
    }

    #[test]
    fn csh_4_days_above_the_limit_carry_over_quiet_days() {
        let moves = [(date!(2025 - 04 - 02), yuan(2500)), (date!(2025 - 04 - 05), yuan(-2000))];
        let ends = day_ends(yuan(1000), &moves, date!(2025 - 04 - 01), date!(2025 - 04 - 30));
        assert_eq!(
            ends,
            vec![
                (date!(2025 - 04 - 02), yuan(3500)),
                (date!(2025 - 04 - 05), yuan(1500)),
                (date!(2025 - 04 - 30), yuan(1500))
            ]
        );
        assert_eq!(days_above_limit(&ends, yuan(3000)), vec![(date!(2025 - 04 - 02), yuan(3500))]);
    }

    #[test]
    fn csh_5_deadline_skips_weekends() {
        assert_eq!(
            deposit_deadline(date!(2025 - 04 - 04), 1, &Calendar::default()),
            date!(2025 - 04 - 07),
            "Friday's income by Monday"
        );
        assert_eq!(deposit_deadline(date!(2025 - 04 - 07), 1, &Calendar::default()), date!(2025 - 04 - 08));
        assert_eq!(deposit_deadline(date!(2025 - 04 - 07), 0, &Calendar::default()), date!(2025 - 04 - 07));
        assert_eq!(last_business_day(Period::parse("2025-05").unwrap(), &Calendar::default()), date!(2025 - 05 - 30));
    }

    #[test]
    fn csh_5_income_is_not_spent_before_it_is_deposited() {
        let d = date!(2025 - 04 - 07);
        let mut vs = vec![income(1, d, 800)];
        // 200 of opening cash is free; 800 of income is not.
        let ok = pay(2, d, 150);
        vs.push(ok.clone());
        let p = position(yuan(200), &vs, d, 1, &Calendar::default());
        assert_eq!(p.available(), yuan(50));
        assert!(check_no_zuozhi(&ok, &p).is_none());
        let too_much = pay(3, d, 100);
        vs.push(too_much.clone());
        let p = position(yuan(200), &vs, d, 1, &Calendar::default());
        let r = check_no_zuozhi(&too_much, &p).unwrap();
        assert_eq!(r.rule, Rule::Csh5);
        assert!(
            r.message.contains("800.00") && r.message.contains("50.00") && r.message.contains("提取"),
            "{}",
            r.message
        );
        // Once deposited, the rest of the cash may be spent.
        vs.pop();
        vs.push(deposit(4, date!(2025 - 04 - 08), 800));
        let pay_after = pay(5, date!(2025 - 04 - 08), 40);
        vs.push(pay_after.clone());
        let p = position(yuan(200), &vs, date!(2025 - 04 - 08), 1, &Calendar::default());
        assert!(p.undeposited.is_empty());
        assert!(check_no_zuozhi(&pay_after, &p).is_none());
    }

    #[test]
    fn csh_5_overdue_income_and_fifo_deposits() {
        let vs = vec![
            income(1, date!(2025 - 04 - 01), 100),
            income(2, date!(2025 - 04 - 03), 300),
            deposit(3, date!(2025 - 04 - 03), 150),
        ];
        let p = position(Money::ZERO, &vs, date!(2025 - 04 - 10), 1, &Calendar::default());
        assert_eq!(p.undeposited.len(), 1, "the deposit took the oldest income first");
        assert_eq!(p.undeposited[0].amount, yuan(250));
        // Friday 04-04 is 清明节: Thursday's income is due on Monday.
        assert_eq!(p.undeposited[0].deadline, date!(2025 - 04 - 07));
        assert_eq!(overdue(&p, date!(2025 - 04 - 07)).len(), 0);
        assert_eq!(overdue(&p, date!(2025 - 04 - 08)).len(), 1);
        let withdraw =
            voucher(4, date!(2025 - 04 - 01), vec![line("1001", Side::Debit, 9), line("1002", Side::Credit, 9)]);
        assert_eq!(flow(&withdraw), Some((Flow::Other, yuan(9))));
        assert_eq!(flow(&deposit(5, date!(2025 - 04 - 01), 9)), Some((Flow::Deposit, yuan(9))));
    }
}
