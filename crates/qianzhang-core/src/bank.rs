//! Bank statements (银行对账单), matching and the reconciliation statement
//! (银行存款余额调节表), BNK-1.
//!
//! A statement line is the bank's record of one movement on the community's
//! account; a book entry is a posted voucher's net effect on that bank
//! account. Lines and entries are matched one to one. Whatever is left
//! unmatched at a month's end explains the difference between the book
//! balance and the statement balance: the two adjusted balances must agree.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::account::Chart;
use crate::books::{Books, Event};
use crate::money::Money;
use crate::period::{date_serde, format_date, Period};
use crate::rule::{refuse, Failure, Refusal, Rule};
use crate::voucher::{Status, Voucher, VoucherRef};

mod day;
pub(crate) mod statement;

use statement::{balance_after, chain_order};

pub use day::{first_line, last_line_through};
pub use statement::*;

/// A statement line as stored, with its id and its match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredLine {
    pub id: u64,
    pub account: String,
    #[serde(flatten)]
    pub line: StatementLine,
    pub matched: Option<VoucherRef>,
}

/// A book entry on a bank account not yet seen by the bank at a close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InTransit {
    pub account: String,
    pub voucher: VoucherRef,
}

/// A posted voucher's net effect on one bank account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BookEntry {
    pub voucher: VoucherRef,
    #[serde(with = "date_serde")]
    pub date: Date,
    /// Signed: positive into the account.
    pub amount: Money,
    pub summary: String,
    /// The voucher's own reference: the file's number and its documents'
    /// numbers, compared with the statement's reference.
    pub references: Vec<String>,
    /// In transit at the last close and carried from there.
    #[serde(skip)]
    pub carried: bool,
}

/// [BNK-1] pairs unmatched lines with unmatched entries: same amount and
/// direction, dates at most `window` days apart, a shared reference first,
/// then the nearest date, then the earliest.
pub fn auto_match(lines: &[StoredLine], entries: &[BookEntry], window: u32) -> Vec<(u64, VoucherRef)> {
    let taken: HashSet<VoucherRef> = lines.iter().filter_map(|l| l.matched).collect();
    let mut by_amount: HashMap<i64, Vec<&BookEntry>> = HashMap::new();
    for e in entries.iter().filter(|e| !taken.contains(&e.voucher)) {
        by_amount.entry(e.amount.fen()).or_default().push(e);
    }
    let mut used: HashSet<VoucherRef> = HashSet::new();
    let mut out = Vec::new();
    let window = Duration::days(i64::from(window));
    let mut open: Vec<&StoredLine> =
        lines.iter().filter(|l| l.matched.is_none() && !l.line.is_balance_only()).collect();
    open.sort_by_key(|l| (l.line.date, l.id));
    for l in open {
        let Some(candidates) = by_amount.get(&l.line.amount().fen()) else { continue };
        let best = candidates
            .iter()
            .filter(|e| !used.contains(&e.voucher) && (e.date - l.line.date).abs() <= window)
            .min_by_key(|e| {
                let shares = !l.line.reference.is_empty() && e.references.contains(&l.line.reference);
                (!shares, (e.date - l.line.date).abs(), e.date, e.voucher)
            });
        if let Some(e) = best {
            used.insert(e.voucher);
            out.push((l.id, e.voucher));
        }
    }
    out
}

/// One unmatched item on the reconciliation statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outstanding {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub amount: Money,
    pub what: String,
}

/// 银行存款余额调节表 for one bank account at a month's end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub account: String,
    pub account_name: String,
    pub period: Period,
    pub book_balance: Money,
    /// `None` when no statement line reaches the month.
    pub statement_balance: Option<Money>,
    /// The day the imported statements reach; the reconciliation stands only
    /// when it is the statement's end day or later (BNK-1).
    #[serde(with = "crate::period::opt_date_serde")]
    pub statement_through: Option<Date>,
    /// The day the reconciliation is made at: the month's last day, or a
    /// handover's day.
    #[serde(with = "date_serde")]
    pub end: Date,
    /// 银行已收、单位未收.
    pub bank_in_not_booked: Vec<Outstanding>,
    /// 银行已付、单位未付.
    pub bank_out_not_booked: Vec<Outstanding>,
    /// 单位已收、银行未收.
    pub booked_in_not_banked: Vec<Outstanding>,
    /// 单位已付、银行未付.
    pub booked_out_not_banked: Vec<Outstanding>,
    /// The vouchers behind the book side's items in transit.
    #[serde(skip)]
    pub in_transit: Vec<VoucherRef>,
}

fn total(items: &[Outstanding]) -> Money {
    items.iter().map(|o| o.amount).sum()
}

impl Reconciliation {
    /// [BNK-1] builds the statement at the end of `period` from the lines and
    /// entries of one account. Entries before the statement's start
    /// ([`statement_start`]) are taken as reconciled (the statement starts
    /// where the bank's records start).
    pub fn build(
        account: &str,
        account_name: &str,
        period: Period,
        book_balance: Money,
        lines: &[StoredLine],
        entries: &[BookEntry],
        through: Option<Date>,
    ) -> Reconciliation {
        Reconciliation::build_at(account, account_name, period.last_day(), book_balance, lines, entries, through)
    }

    /// The statement at the end of any day (a handover's), labelled by its month.
    pub fn build_at(
        account: &str,
        account_name: &str,
        end: Date,
        book_balance: Money,
        lines: &[StoredLine],
        entries: &[BookEntry],
        through: Option<Date>,
    ) -> Reconciliation {
        let through = through.max(lines.iter().map(|l| l.line.date).max());
        let period = Period::of(end);
        let first = statement_start(lines);
        let entry_dates: HashMap<VoucherRef, Date> = entries.iter().map(|e| (e.voucher, e.date)).collect();
        let in_period: Vec<&StoredLine> = lines.iter().filter(|l| l.line.date <= end).collect();
        let statement_balance = last_line_through(lines, end).map(|l| l.line.balance);
        let matched_by_line: HashMap<VoucherRef, Date> =
            lines.iter().filter_map(|l| l.matched.map(|v| (v, l.line.date))).collect();
        let mut r = Reconciliation {
            account: account.to_string(),
            account_name: account_name.to_string(),
            period,
            book_balance,
            statement_balance,
            statement_through: through,
            end,
            bank_in_not_booked: vec![],
            bank_out_not_booked: vec![],
            booked_in_not_banked: vec![],
            booked_out_not_banked: vec![],
            in_transit: vec![],
        };
        for l in in_period.into_iter().filter(|l| !l.line.is_balance_only()) {
            // Matched to a voucher of an earlier month, or of this month up to the end.
            let booked = l.matched.is_some_and(|v| v.period < period || entry_dates.get(&v).is_some_and(|d| *d <= end));
            if booked {
                continue;
            }
            let what = [l.line.summary.as_str(), l.line.counterparty.as_str(), l.line.reference.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let item = Outstanding { date: l.line.date, amount: l.line.amount().abs(), what };
            if l.line.amount().is_negative() {
                r.bank_out_not_booked.push(item);
            } else {
                r.bank_in_not_booked.push(item);
            }
        }
        for e in entries.iter().filter(|e| e.date <= end && (e.carried || first.is_some_and(|f| e.date >= f))) {
            let banked = matched_by_line.get(&e.voucher).is_some_and(|d| *d <= end);
            if banked {
                continue;
            }
            r.in_transit.push(e.voucher);
            let item =
                Outstanding { date: e.date, amount: e.amount.abs(), what: format!("{} {}", e.voucher, e.summary) };
            if e.amount.is_negative() {
                r.booked_out_not_banked.push(item);
            } else {
                r.booked_in_not_banked.push(item);
            }
        }
        for list in [
            &mut r.bank_in_not_booked,
            &mut r.bank_out_not_booked,
            &mut r.booked_in_not_banked,
            &mut r.booked_out_not_banked,
        ] {
            list.sort_by(|a, b| (a.date, &a.what).cmp(&(b.date, &b.what)));
        }
        r
    }

    /// Whether the statements reach the reconciliation's end day (BNK-1).
    pub fn statement_complete(&self) -> bool {
        self.statement_balance.is_some() && self.statement_through.is_some_and(|t| t >= self.end)
    }

    /// 调节后的单位账面余额.
    pub fn adjusted_book(&self) -> Money {
        self.book_balance + total(&self.bank_in_not_booked) - total(&self.bank_out_not_booked)
    }

    /// 调节后的银行对账单余额.
    pub fn adjusted_bank(&self) -> Option<Money> {
        self.statement_balance.map(|b| b + total(&self.booked_in_not_banked) - total(&self.booked_out_not_banked))
    }

    /// The two adjusted balances agree on statements reaching the end day.
    pub fn agrees(&self) -> bool {
        self.statement_complete() && self.adjusted_bank() == Some(self.adjusted_book())
    }

    /// [BNK-1] why the month cannot close on this account's account, if it cannot.
    pub fn problem(&self) -> Option<Refusal> {
        let a = &self.account;
        let end = format_date(self.end);
        match self.adjusted_bank() {
            None => Some(Refusal::new(
                Rule::Bnk1,
                match self.statement_through {
                    Some(t) if t >= self.end => format!(
                        "{a} {} 已导入截至 {} 的对账单，但 {end} 以前的对账单上还没有一行余额，无从对账；\
                         本月银行没有收支的，请按银行对账单上的余额登记：bank balance --date {end} --balance 对账单余额",
                        self.account_name,
                        format_date(t)
                    ),
                    _ => format!(
                        "{a} {} 没有 {} 的银行对账单；请用 bank import 导入截至 {end} 的对账单，\
                         本月银行没有收支的用 bank balance --date {end} 登记对账单余额",
                        self.account_name, self.period
                    ),
                },
            )),
            Some(_) if !self.statement_complete() => Some(Refusal::new(
                Rule::Bnk1,
                format!(
                    "{a} {} 已导入的银行对账单只到 {}，没有截至 {end} 的对账单，不能据此对账；\
                     请用 bank import 导入截至 {end} 的对账单；期间没有交易的，用 bank balance --date {end} \
                     --balance 对账单余额 登记对账单上的余额（或导入时用 --through {end} 指明截止日期）",
                    self.account_name,
                    self.statement_through.map(format_date).unwrap_or_default(),
                ),
            )),
            Some(bank) if bank != self.adjusted_book() => Some(Refusal::new(
                Rule::Bnk1,
                format!(
                    "{a} {} {} 余额调节表不平：调节后单位账面余额 {}，调节后银行对账单余额 {}，相差 {}；请用 bank match 核对未达账项",
                    self.account_name,
                    self.period,
                    self.adjusted_book().to_yuan(),
                    bank.to_yuan(),
                    (self.adjusted_book() - bank).abs().to_yuan()
                ),
            )),
            Some(_) => None,
        }
    }
}

/// [BNK-1] the day an account's statements start: their first line's date,
/// or, when the first day's lines include a balance line, the first day of
/// its month — a balance line opening the statements states the balance of
/// a month in which the bank had nothing in or out before it (本月无发生额),
/// so every book entry of that month is still to be seen by the bank.
pub fn statement_start(lines: &[StoredLine]) -> Option<Date> {
    let first = lines.iter().map(|l| l.line.date).min()?;
    let opens_with_balance = lines.iter().any(|l| l.line.date == first && l.line.is_balance_only());
    Some(if opens_with_balance { Period::of(first).first_day() } else { first })
}

/// The bank accounts statements are kept for: the leaf accounts under 1002.
pub fn bank_accounts(chart: &Chart) -> Vec<(String, String)> {
    chart
        .iter()
        .filter(|a| a.code().starts_with(BANK) && chart.is_leaf(a.code()))
        .map(|a| (a.code().to_string(), chart.full_name(a.code())))
        .collect()
}

/// The bank account a command means: the one given, or the only one.
pub fn resolve_account(chart: &Chart, given: Option<&str>) -> Result<(String, String), Refusal> {
    let accounts = bank_accounts(chart);
    match given {
        Some(code) => accounts.into_iter().find(|(c, _)| c == code).ok_or_else(|| {
            Refusal::new(Rule::Bnk1, format!("“{code}”不是银行存款的明细科目；对账单须对应 1002 下的末级科目"))
        }),
        None if accounts.len() == 1 => Ok(accounts.into_iter().next().expect("one account")),
        None => Err(Refusal::new(
            Rule::Bnk1,
            format!(
                "有多个银行账户（{}），请用 --account 指明",
                accounts.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join("、")
            ),
        )),
    }
}

const BANK: &str = "1002";

/// What a statement import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementImport {
    pub account: String,
    pub new_lines: usize,
    pub duplicates: usize,
    pub first_id: u64,
    /// The latest day the account's statements now reach.
    #[serde(with = "date_serde")]
    pub reach: Date,
}

/// [BNK-1] records the lines of a statement not imported before, and how
/// far the statement reaches: `through` (the end of the statement's period,
/// as the bank prints it) or else its last line's date. A statement without
/// lines needs `through`. The first line must follow from the last line
/// imported before it (its balance plus the line's movement; a balance line
/// recorded on its own, its neighbours' balance); an account's first lines
/// opening with a balance line must agree with the books
/// (`check_first_balance`); no balance line is dated before the ledger's
/// go-live; `today`: no statement reaches past today.
pub fn import_statement(
    books: &mut impl Books,
    account: &str,
    file: &str,
    statement: Statement,
    through: Option<Date>,
    today: Date,
) -> Result<StatementImport, Failure> {
    let last_line = statement.lines.iter().map(|l| l.date).max();
    if let (Some(t), Some(l)) = (through, last_line) {
        if t < l {
            return refuse(
                Rule::Bnk1,
                format!("--through {} 早于对账单最后一笔交易的日期 {}", format_date(t), format_date(l)),
            );
        }
    }
    if let Some(r) = check_after_go_live(&statement.lines, books.ledger().start, false) {
        return Err(r.into());
    }
    let Some(reach) = through.or(last_line) else {
        return refuse(
            Rule::Bnk1,
            "对账单没有交易行，也没有余额行；本期没有交易的，请按对账单登记余额：\
             bank balance --date 对账单截止日期 --balance 对账单余额（或在对账单中加一行只有日期和余额的期末余额行）",
        );
    };
    if reach > today {
        return refuse(Rule::Bnk1, format!("对账单截止日期 {} 晚于今天 {}", format_date(reach), format_date(today)));
    }
    let stored = books.statement_lines(account)?;
    let known: HashSet<String> = stored.iter().map(|l| l.line.key()).collect();
    let (fresh, duplicates) = new_lines(&known, statement.lines);
    if let [only] = fresh.as_slice() {
        if only.is_balance_only() {
            if let Some(r) = check_balance_line(&stored, only) {
                return Err(r.into());
            }
        }
    }
    if duplicates == 0 {
        if let Some(r) = check_follows(&stored, &fresh) {
            return Err(r.into());
        }
    }
    // [LIM-1] reconciliations add up an account's statement lines: what is
    // stored and what comes stays within what the engine can sum.
    let amounts = |l: &StatementLine| [l.inflow, l.outflow, l.balance];
    let held = Money::turnover(stored.iter().flat_map(|l| amounts(&l.line)).chain(fresh.iter().flat_map(amounts)));
    if held.fen() > crate::money::MAX_TOTAL_FEN {
        return Err(Refusal::new(
            Rule::Lim1,
            format!(
                "{account} 的银行对账单金额合计将超过本程序能记录的上限 {}；请核对金额",
                Money::from_fen(crate::money::MAX_TOTAL_FEN).to_yuan()
            ),
        )
        .into());
    }
    let first_id = books.next_statement_line()?;
    if stored.is_empty() {
        if let Some(r) = check_first_balance(books, account, &fresh, first_id)? {
            return Err(r.into());
        }
    }
    let known_reach = books.statement_through(account)?;
    let extends = known_reach.is_none_or(|known| reach > known);
    let summary = StatementImport {
        account: account.to_string(),
        new_lines: fresh.len(),
        duplicates,
        first_id,
        reach: known_reach.map_or(reach, |k| k.max(reach)),
    };
    if !fresh.is_empty() || extends {
        books.append(Event::StatementImported {
            account: account.to_string(),
            file: file.to_string(),
            sha256: statement.sha256,
            first_id,
            lines: fresh,
            duplicates: duplicates as u64,
            through: Some(reach),
        })?;
    }
    Ok(summary)
}

/// [BNK-1] a balance line states the bank's balance on a day the books
/// keep: the go-live month (`start`) or later. Before go-live the books keep
/// no days, only the opening balances, which stand as the month before's:
/// an account's first balance line there is checked against nothing the
/// kept months reconcile (a date slipped to last June meets a balance of
/// zero), and since a line is never taken back, every later statement would
/// have to follow it. `typed`: the balance was typed (`bank balance`, the
/// month page's form), not read from a file.
fn check_after_go_live(lines: &[StatementLine], start: Period, typed: bool) -> Option<Refusal> {
    let go_live = start.first_day();
    let early = lines.iter().find(|l| l.is_balance_only() && l.date < go_live)?;
    let why = format!(
        "账套自 {start} 启用，启用以前的银行存款余额已作为期初余额记账，银行对账从 {} 开始",
        format_date(go_live)
    );
    Some(Refusal::new(
        Rule::Bnk1,
        if typed {
            format!(
                "对账单余额的日期 {} 在账套启用期间 {start} 之前；{why}；\
                 请填写 {} 或之后对账单上的日期和余额，例如 {start} 月末 {} 的余额",
                format_date(early.date),
                format_date(go_live),
                format_date(start.last_day()),
            )
        } else {
            format!(
                "对账单中有账套启用以前的余额行：{}，在账套启用期间 {start} 之前；{why}；\
                 请从对账单中删去这一行（启用前的期初余额不用导入），或从银行导出自 {} 起的对账单，再重新导入",
                early.describe(),
                format_date(go_live),
            )
        },
    ))
}

/// [BNK-1] a balance line recorded on its own sits among the lines imported
/// before it: its balance is the balance of the latest line on or before
/// its day (the day's close, [`last_line_through`]), or, before every line,
/// the balance the first line ([`first_line`]) started from.
fn check_balance_line(stored: &[StoredLine], line: &StatementLine) -> Option<Refusal> {
    let before = last_line_through(stored, line.date);
    let (expected, whose) = match before {
        Some(p) => (
            Some(p.line.balance),
            format!("已导入的上一笔（第 {} 行，{}）余额 {}", p.id, format_date(p.line.date), p.line.balance.to_yuan()),
        ),
        None => {
            let next = first_line(stored)?;
            let start = next.line.balance.checked_add(Money::from_fen(next.line.amount().fen().checked_neg()?));
            (
                start,
                format!(
                    "已导入的下一笔（第 {} 行，{}）之前的余额为 {}",
                    next.id,
                    format_date(next.line.date),
                    start.map_or("（超出范围）".to_string(), |m| m.to_yuan())
                ),
            )
        }
    };
    (expected != Some(line.balance)).then(|| {
        Refusal::new(
            Rule::Bnk1,
            format!(
                "对账单余额不连续：{}；{whose}，余额行的余额须与之相同；\
                 请核对银行对账单上的余额和日期后重新登记",
                line.describe()
            ),
        )
    })
}

/// [BNK-1] an account's first statement lines opening with a balance line:
/// every book entry before its month is taken as reconciled and the bank had
/// nothing in or out that month before the line, so its balance must agree
/// with the books at its day — the reconciliation there, on these lines
/// alone, agrees. Every later line follows from this one and no line is
/// ever taken back, so a slip here could never be reconciled away.
fn check_first_balance(
    books: &mut impl Books,
    account: &str,
    fresh: &[StatementLine],
    first_id: u64,
) -> Result<Option<Refusal>, Failure> {
    let Some(day) = fresh.iter().map(|l| l.date).min() else { return Ok(None) };
    let Some(opening) = fresh.iter().find(|l| l.date == day && l.is_balance_only()) else { return Ok(None) };
    let lines: Vec<StoredLine> = fresh
        .iter()
        .enumerate()
        .map(|(i, l)| StoredLine {
            id: first_id + i as u64,
            account: account.to_string(),
            line: l.clone(),
            matched: None,
        })
        .collect();
    let period = Period::of(day);
    let entries = entries_for(books, account, &lines, day)?;
    let book = if day == period.last_day() {
        books.balance_through(account, period)?
    } else {
        let month: Money = book_entries(books, account, period.first_day(), day)?.iter().map(|e| e.amount).sum();
        books.balance_through(account, period.prev())? + month
    };
    let name = books.chart().full_name(account);
    let r = Reconciliation::build_at(account, &name, day, book, &lines, &entries, Some(day));
    let Some(bank) = r.adjusted_bank() else { return Ok(None) };
    if bank == r.adjusted_book() {
        return Ok(None);
    }
    let expected = opening.balance + (r.adjusted_book() - bank);
    Ok(Some(Refusal::new(
        Rule::Bnk1,
        format!(
            "{account} {name} 还没有银行对账单，第一行的余额须与账面相符：{}，按此截至 {} 调节后银行对账单余额 {}，\
             调节后单位账面余额 {}，相差 {}，对账单余额应为 {}（{} 之前的账目视为已与银行一致）；\
             以后各行都要与第一行衔接，且不能删改，请核对银行对账单上的余额后重新登记；本月银行有收支的，请导入银行导出的对账单明细",
            opening.describe(),
            format_date(day),
            bank.to_yuan(),
            r.adjusted_book().to_yuan(),
            (r.adjusted_book() - bank).abs().to_yuan(),
            expected.to_yuan(),
            format_date(period.first_day()),
        ),
    )))
}

/// [BNK-1, FND-3] reads a balance typed from a bank statement (`what`
/// names it in a refusal under `rule`): it may be below zero (an overdrawn
/// account); empty text is refused, never taken for zero.
pub fn read_balance(text: &str, rule: Rule, what: &str) -> Result<Money, Refusal> {
    Money::parse(text).map_err(|e| match e {
        crate::money::MoneyError::Empty => Refusal::new(rule, format!("请填写{what}，例如 12,345.67")),
        e => Refusal::new(rule, format!("{what}：{e}")),
    })
}

/// The summary of a balance line the cashier records by hand.
pub const RECORDED_BALANCE: &str = "对账单余额";

/// [BNK-1] records the balance a bank statement states on `date` as a
/// balance line, for a statement without transaction lines (a month
/// without movement: 本月无发生额): the statement then reaches `date`. The
/// balance must be the balance of the line before it, or, for the
/// account's first line, agree with the books (see `import_statement`);
/// its day is in the go-live month or later.
pub fn record_statement_balance(
    books: &mut impl Books,
    account: &str,
    date: Date,
    balance: Money,
    today: Date,
) -> Result<StatementImport, Failure> {
    let line = StatementLine {
        date,
        inflow: Money::ZERO,
        outflow: Money::ZERO,
        balance,
        reference: String::new(),
        counterparty: String::new(),
        summary: RECORDED_BALANCE.to_string(),
    };
    if let Some(r) = check_after_go_live(std::slice::from_ref(&line), books.ledger().start, true) {
        return Err(r.into());
    }
    let statement =
        Statement { sha256: String::new(), encoding: crate::csvfile::TextEncoding::Utf8, lines: vec![line] };
    import_statement(books, account, "", statement, None, today)
}

/// [BNK-1] a new statement's first line follows from the latest line
/// imported before it (the close of its day), when the new lines all come
/// after it.
fn check_follows(stored: &[StoredLine], fresh: &[StatementLine]) -> Option<Refusal> {
    let previous = last_line_through(stored, Date::MAX)?;
    let first = &fresh[*chain_order(fresh).first()?];
    if first.date < previous.line.date {
        return None;
    }
    let expected = balance_after(previous.line.balance, first);
    (expected != Some(first.balance)).then(|| {
        Refusal::new(
            Rule::Bnk1,
            format!(
                "对账单余额不连续：{}；已导入的上一笔（第 {} 行，{}）余额 {}，\
                 应为 {}；请导入接续的完整对账单",
                first.describe(),
                previous.id,
                format_date(previous.line.date),
                previous.line.balance.to_yuan(),
                expected.map_or("（超出范围）".to_string(), |m| m.to_yuan())
            ),
        )
    })
}

/// The posted vouchers' entries on a bank account dated `from..=to`.
pub fn book_entries(books: &mut impl Books, account: &str, from: Date, to: Date) -> Result<Vec<BookEntry>, Failure> {
    let (_, vouchers) = books.vouchers_touching(account, from, to, false)?;
    Ok(vouchers.iter().filter_map(|v| entry_of(v, account)).collect())
}

fn entry_of(v: &Voucher, account: &str) -> Option<BookEntry> {
    let on: Vec<_> = v.lines().iter().filter(|l| l.account.starts_with(account)).collect();
    let amount: Money = on.iter().map(|l| l.signed()).sum();
    if amount.is_zero() {
        return None;
    }
    let mut references: Vec<String> = v.source_ref().map(str::to_string).into_iter().collect();
    references.extend(v.documents().iter().filter_map(|d| d.number.clone()));
    Some(BookEntry {
        voucher: v.reference(),
        date: v.date(),
        amount,
        summary: on.first().map(|l| l.summary.clone()).unwrap_or_default(),
        references,
        carried: false,
    })
}

fn window_around(lines: &[StoredLine], days: u32) -> Option<(Date, Date)> {
    let w = Duration::days(i64::from(days));
    let first = lines.iter().map(|l| l.line.date).min()?;
    let last = lines.iter().map(|l| l.line.date).max()?;
    Some((first.checked_sub(w).unwrap_or(Date::MIN), last.checked_add(w).unwrap_or(Date::MAX)))
}

/// [BNK-1] matches what can be matched automatically; returns the pairs.
pub fn match_automatically(books: &mut impl Books, account: &str) -> Result<Vec<(u64, VoucherRef)>, Failure> {
    let lines = books.statement_lines(account)?;
    let window = books.settings().match_window_days;
    let Some((from, to)) = window_around(&lines, window) else {
        return refuse(Rule::Bnk1, format!("{account} 还没有导入银行对账单；请先用 bank import 导入"));
    };
    let entries = book_entries(books, account, from, to)?;
    let pairs = auto_match(&lines, &entries, window);
    if !pairs.is_empty() {
        books.append(Event::BankMatched { pairs: pairs.clone(), auto: true })?;
    }
    Ok(pairs)
}

fn find_line(lines: Vec<StoredLine>, id: u64) -> Result<StoredLine, Failure> {
    match lines.into_iter().find(|l| l.id == id) {
        Some(l) => Ok(l),
        None => refuse(Rule::Bnk1, format!("对账单第 {id} 行不存在；请用 bank list 查看行号")),
    }
}

/// [BNK-1] matches a statement line with a posted voucher by hand: same
/// account, same amount and direction, neither matched already.
pub fn match_by_hand(books: &mut impl Books, account: &str, id: u64, voucher: VoucherRef) -> Result<(), Failure> {
    let lines = books.statement_lines(account)?;
    if let Some(other) = lines.iter().find(|l| l.matched == Some(voucher)) {
        return refuse(
            Rule::Bnk1,
            format!("凭证 {voucher} 已与对账单第 {} 行勾对；请先 bank unmatch {}", other.id, other.id),
        );
    }
    let line = find_line(lines, id)?;
    if line.line.is_balance_only() {
        return refuse(
            Rule::Bnk1,
            format!("对账单第 {id} 行是余额行（{}），没有收支，不需要勾对", line.line.describe()),
        );
    }
    if let Some(v) = line.matched {
        return refuse(Rule::Bnk1, format!("对账单第 {id} 行已与 {v} 勾对；请先 bank unmatch {id}"));
    }
    let entry = match books.voucher(voucher)? {
        Some((v, Status::Posted)) => entry_of(&v, account),
        Some(_) => return refuse(Rule::Bnk1, format!("凭证 {voucher} 尚未记账，记账后才能勾对")),
        None => return refuse(Rule::Bnk1, format!("凭证 {voucher} 不存在")),
    };
    let Some(entry) = entry else {
        return refuse(Rule::Bnk1, format!("凭证 {voucher} 没有 {account} 的发生额"));
    };
    if entry.amount != line.line.amount() {
        return refuse(
            Rule::Bnk1,
            format!(
                "金额不符：对账单第 {id} 行 {}，凭证 {voucher} {}；银行存款的勾对须金额与方向一致",
                signed_text(line.line.amount()),
                signed_text(entry.amount)
            ),
        );
    }
    books.append(Event::BankMatched { pairs: vec![(id, voucher)], auto: false })?;
    Ok(())
}

fn signed_text(m: Money) -> String {
    if m.is_negative() {
        format!("付出 {}", (-m).to_yuan())
    } else {
        format!("收入 {}", m.to_yuan())
    }
}

/// [BNK-1] undoes a match, unless it lies in a closed month.
pub fn unmatch(books: &mut impl Books, account: &str, id: u64) -> Result<(), Failure> {
    let line = find_line(books.statement_lines(account)?, id)?;
    let Some(voucher) = line.matched else {
        return refuse(Rule::Bnk1, format!("对账单第 {id} 行没有勾对，无需取消"));
    };
    for p in [Period::of(line.line.date), voucher.period] {
        if books.period_closed(p)? {
            return refuse(Rule::Per1, format!("{p} 已结账，其银行对账结果不能再改；如确需更正，须先反结账"));
        }
    }
    books.append(Event::BankUnmatched { line: id, voucher })?;
    Ok(())
}

/// [BNK-1] the book entries a reconciliation at the end of `end` needs:
/// those still in transit at the last close before its month, and those
/// dated after that close (from the first statement line on). Earlier
/// entries were reconciled at that close and are not read again.
fn entries_for(
    books: &mut impl Books,
    account: &str,
    lines: &[StoredLine],
    end: Date,
) -> Result<Vec<BookEntry>, Failure> {
    let period = Period::of(end);
    let first_line = statement_start(lines);
    let (from, carried) = match books.last_close_before(period)? {
        Some((closed, list)) => (closed.next().first_day(), list),
        None => (first_line.unwrap_or(period.first_day()), Vec::new()),
    };
    let from = first_line.map_or(from, |f| from.max(f));
    let mut entries = if from <= end { book_entries(books, account, from, end)? } else { Vec::new() };
    for t in carried.iter().filter(|t| t.account == account) {
        if let Some((v, Status::Posted)) = books.voucher(t.voucher)? {
            if let Some(mut e) = entry_of(&v, account) {
                e.carried = true;
                entries.push(e);
            }
        }
    }
    Ok(entries)
}

/// [BNK-1] the reconciliation statement of one bank account at the end of
/// `date` (a handover's day).
pub fn reconcile_at(books: &mut impl Books, account: &str, date: Date) -> Result<Reconciliation, Failure> {
    let lines = books.statement_lines(account)?;
    let name = books.chart().full_name(account);
    let period = Period::of(date);
    let entries = entries_for(books, account, &lines, date)?;
    let before = books.balance_through(account, period.prev())?;
    let month: Money = book_entries(books, account, period.first_day(), date)?.iter().map(|e| e.amount).sum();
    let through = books.statement_through(account)?;
    Ok(Reconciliation::build_at(account, &name, date, before + month, &lines, &entries, through))
}

/// [BNK-1] the reconciliation statement of one bank account at the end of `period`.
pub fn reconcile(books: &mut impl Books, account: &str, period: Period) -> Result<Reconciliation, Failure> {
    let lines = books.statement_lines(account)?;
    let name = books.chart().full_name(account);
    let entries = entries_for(books, account, &lines, period.last_day())?;
    let balance = books.balance_through(account, period)?;
    let through = books.statement_through(account)?;
    Ok(Reconciliation::build(account, &name, period, balance, &lines, &entries, through))
}

#[cfg(test)]
mod tests;
