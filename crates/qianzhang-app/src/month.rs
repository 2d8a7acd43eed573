//! The cashier's day and the accountant's month end (日清月结): special
//! funds (FND-1), the daily cash count (CSH-2..5), bank statements and
//! matching (BNK-1), closing and reopening months (PER-1, PER-2).

use crate::backend::Backend;
use std::path::Path;

use qianzhang_core::bank::{
    book_entries, import_statement, match_automatically, match_by_hand, parse_mapping, read_statement, reconcile,
    record_statement_balance, resolve_account, unmatch, BookEntry, Reconciliation, Statement, StatementImport,
    StoredLine,
};
use qianzhang_core::books::Books;
use qianzhang_core::cash::{
    counted_amount, overdue, parse_pieces, position_at, record_count, CashCount, CountSheet, Pieces, Undeposited,
};
use qianzhang_core::closing::{close_blockers, close_period, reopen_period};
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::funds::{declare_fund, Fund};
use qianzhang_core::operator::{authenticate, Act};
use qianzhang_core::receipts::outstanding_advances;
use qianzhang_core::voucher::read_amount;
use qianzhang_core::{Failure, Money, Period, Refusal, Refusals, Rule, VoucherRef};

use crate::backend::Fingerprint;
use crate::session::{as_rule, check_sign_in, Claim, Ledger, Session, Wait};
use crate::Error;

/// Declares a special fund (admin).
pub fn declare<B: Backend>(session: &mut Session<B>, fund: Fund) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| declare_fund(w, fund))
}

/// The funds with what each holds.
pub fn funds<B: Backend>(ledger: &Ledger<B>) -> Result<Vec<(Fund, Money)>, Error> {
    let totals = ledger.store().fund_totals(ledger.handle())?;
    Ok(ledger
        .store()
        .funds(ledger.handle())?
        .into_iter()
        .map(|f| {
            let held =
                totals.iter().filter(|t| t.fund == f.name).map(qianzhang_core::backend::FundTotalRow::held).sum();
            (f, held)
        })
        .collect())
}

/// [CSH-2] the amount counted, from the amount typed and/or the pieces
/// (`100x12,50x3`).
pub fn counted(amount: Option<&str>, pieces: Option<&str>) -> Result<(Money, Vec<Pieces>), Error> {
    let pieces = match pieces {
        Some(p) => parse_pieces(p)?,
        None => Vec::new(),
    };
    let amount = match amount {
        Some(a) => read_amount(a, "实点", false)?,
        None => None,
    };
    Ok((counted_amount(amount, &pieces)?, pieces))
}

/// A count as recorded, with what it calls for.
pub struct CountDone {
    pub count: CashCount,
    /// [CSH-4] the limit and what is above it, when the cash is.
    pub above_limit: Option<(Money, Money)>,
    /// [CSH-5] cash income not deposited in time.
    pub overdue: Vec<Undeposited>,
}

/// [CSH-2, CSH-4, CSH-5] records the day's count (cashier).
pub fn count<B: Backend>(
    session: &mut Session<B>,
    date: Option<time::Date>,
    counted: Money,
    pieces: Vec<Pieces>,
) -> Result<CountDone, Error> {
    let today = session.today();
    let date = date.unwrap_or(today);
    let count = session.change(Act::HandleCash, |w, who| record_count(w, date, counted, pieces, who, today))?;
    let ledger = session.ledger();
    let limit = ledger.store().settings(ledger.handle())?.cash_limit;
    let above_limit = (count.counted > limit).then(|| (limit, count.counted - limit));
    let position = ledger.read(|r| position_at(r, date))?;
    let overdue = overdue(&position, date).into_iter().cloned().collect();
    Ok(CountDone { count, above_limit, overdue })
}

/// [BNK-1] the bank account a statement is for: the one given, or the only one.
pub fn statement_account<B: Backend>(ledger: &Ledger<B>, given: Option<&str>) -> Result<String, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    Ok(resolve_account(&chart, given)?.0)
}

/// [BNK-1] reads a statement file (CSV, or an .xlsx's first sheet or
/// `sheet`), its columns mapped as given.
pub fn read_statement_file(
    path: &Path,
    sheet: Option<&str>,
    encoding: Option<TextEncoding>,
    map: Option<&str>,
) -> Result<Statement, Error> {
    let mapping = match map {
        Some(m) => parse_mapping(m)?,
        None => Vec::new(),
    };
    if crate::excel::is_workbook(path) {
        // The statement reader finds the header under a bank's title rows itself.
        let csv = crate::excel::read_table_file(
            path,
            sheet,
            qianzhang_core::bank::MAX_STATEMENT_BYTES,
            "银行对账单",
            &|_| false,
        )?;
        return Ok(read_statement(&csv, Some(TextEncoding::Utf8), &mapping)?);
    }
    let opened = std::fs::File::open(path).map_err(|e| {
        Error::refuse(Rule::Bnk1, format!("无法读取 {}：{}", path.display(), qianzhang_core::csvfile::io_reason(&e)))
    })?;
    let bytes = qianzhang_core::csvfile::read_at_most(opened, qianzhang_core::bank::MAX_STATEMENT_BYTES, "银行对账单")?;
    Ok(read_statement(&bytes, encoding, &mapping)?)
}

/// [BNK-1] reads a statement uploaded as bytes (the web office's upload):
/// an .xlsx by its content (its first sheet or `sheet`), any other file as
/// CSV in `encoding` (detected when absent). `name` names it in messages.
/// At most [`qianzhang_core::bank::MAX_STATEMENT_BYTES`] are read (LIM-1).
pub fn read_statement_bytes(
    bytes: &[u8],
    name: &str,
    sheet: Option<&str>,
    encoding: Option<TextEncoding>,
    map: Option<&str>,
) -> Result<Statement, Error> {
    let mapping = match map {
        Some(m) => parse_mapping(m)?,
        None => Vec::new(),
    };
    if bytes.len() as u64 > qianzhang_core::bank::MAX_STATEMENT_BYTES {
        return Err(Error::refuse(Rule::Bnk1, format!("银行对账单 {name} 太大；请按月分开导入")));
    }
    if qianzhang_core::xlsx::sniff(bytes) != qianzhang_core::xlsx::Sniffed::Text {
        let csv = qianzhang_core::xlsx::sheet_as_csv(bytes, sheet, name, &|_| false)?;
        return Ok(read_statement(&csv, Some(TextEncoding::Utf8), &mapping)?);
    }
    Ok(read_statement(bytes, encoding, &mapping)?)
}

/// [BNK-1] the posted book entries on `account` no statement line is
/// matched with, dated within a month either side of the statement lines:
/// what a line may be matched with by hand.
pub fn match_candidates<B: Backend>(ledger: &mut Ledger<B>, account: &str) -> Result<Vec<BookEntry>, Error> {
    ledger.read(|r| {
        let lines = r.statement_lines(account)?;
        let taken: Vec<VoucherRef> = lines.iter().filter_map(|l| l.matched).collect();
        let (Some(first), Some(last)) =
            (lines.iter().map(|l| l.line.date).min(), lines.iter().map(|l| l.line.date).max())
        else {
            return Ok(Vec::new());
        };
        let month = time::Duration::days(31);
        let from = first.checked_sub(month).unwrap_or(first);
        let to = last.checked_add(month).unwrap_or(last);
        let mut entries = book_entries(r, account, from, to)?;
        entries.retain(|e| !taken.contains(&e.voucher));
        Ok(entries)
    })
}

/// [BNK-1] imports a statement (duplicate lines are skipped).
pub fn import_bank_statement<B: Backend>(
    session: &mut Session<B>,
    account: &str,
    file_name: &str,
    statement: Statement,
    through: Option<time::Date>,
) -> Result<StatementImport, Error> {
    let today = session.today();
    session.change(Act::Reconcile, |w, _| import_statement(w, account, file_name, statement, through, today))
}

/// [BNK-1] records the balance a statement states on `date` (a month
/// without bank movement: 本月无发生额) as a balance line; `balance` as
/// typed. The import, and the balance as read.
pub fn record_bank_balance<B: Backend>(
    session: &mut Session<B>,
    account: &str,
    date: time::Date,
    balance: &str,
) -> Result<(StatementImport, Money), Error> {
    let balance = qianzhang_core::bank::read_balance(balance, qianzhang_core::Rule::Bnk1, "银行对账单上的余额")?;
    let today = session.today();
    let done = session.change(Act::Reconcile, |w, _| record_statement_balance(w, account, date, balance, today))?;
    Ok((done, balance))
}

/// Matches a statement line with a voucher by hand.
pub fn match_line<B: Backend>(
    session: &mut Session<B>,
    account: &str,
    line: u64,
    voucher: VoucherRef,
) -> Result<(), Error> {
    session.change(Act::Reconcile, |w, _| match_by_hand(w, account, line, voucher))
}

/// Matches what can be matched automatically: the pairs.
pub fn match_all<B: Backend>(session: &mut Session<B>, account: &str) -> Result<Vec<(u64, VoucherRef)>, Error> {
    session.change(Act::Reconcile, |w, _| match_automatically(w, account))
}

pub fn unmatch_line<B: Backend>(session: &mut Session<B>, account: &str, line: u64) -> Result<(), Error> {
    session.change(Act::Reconcile, |w, _| unmatch(w, account, line))
}

/// The statement lines of an account and their matches.
pub fn statement_lines<B: Backend>(ledger: &mut Ledger<B>, account: &str) -> Result<Vec<StoredLine>, Error> {
    ledger.read(|r| Ok(r.statement_lines(account)?))
}

/// [PER-1] closes a month (accountant): the year-end carry-forward voucher
/// if one was made, and the fingerprint at the close.
pub fn close<B: Backend>(session: &mut Session<B>, period: Period) -> Result<(Option<VoucherRef>, Fingerprint), Error> {
    let today = session.today();
    let carried = session.change(Act::KeepBooks, |w, who| close_period(w, period, who, today))?;
    let ledger = session.ledger();
    let fp = ledger.store().fingerprint(ledger.handle())?.fingerprint;
    Ok((carried, fp))
}

/// [PER-1] what keeps a month from closing.
pub fn close_check<B: Backend>(
    ledger: &mut Ledger<B>,
    period: Period,
    today: time::Date,
) -> Result<Vec<Refusal>, Error> {
    ledger.read(|r| close_blockers(r, period, today))
}

/// [PER-1] the closed months from the ledger's first month through `through`.
pub fn closed_months<B: Backend>(ledger: &Ledger<B>, through: Period) -> Result<Vec<Period>, Error> {
    let mut closed = Vec::new();
    let mut p = ledger.start();
    while p <= through {
        if ledger.store().is_closed(ledger.handle(), p)? {
            closed.push(p);
        }
        p = p.next();
    }
    Ok(closed)
}

/// The approver of a reopen, signed in (PER-2).
pub struct Approver {
    name: String,
    passphrase: String,
}

/// [PER-2, OPR-1] the approver's passphrase at a reopen is a sign-in like
/// any other: failures are slowed, counted toward the lockout and filed
/// under no one's name; told as PER-2, the rule that asked for it.
pub fn approver_sign_in<B: Backend>(
    ledger: &mut Ledger<B>,
    claim: &Claim,
    passphrase: &str,
    wait: Wait<'_>,
) -> Result<Approver, Error> {
    check_sign_in(ledger, claim, passphrase, wait).map_err(|e| as_rule(e, Rule::Per2))?;
    Ok(Approver { name: claim.name.clone(), passphrase: passphrase.to_string() })
}

/// [PER-2] reopens the latest closed month: the accountant with the approver.
pub fn reopen<B: Backend>(
    session: &mut Session<B>,
    approver: &Approver,
    period: Period,
    reason: &str,
) -> Result<(), Error> {
    let today = session.today();
    session.change(Act::KeepBooks, |w, who| {
        authenticate(w.registry(), &approver.name, &approver.passphrase)
            .map_err(|r| Failure::Refused(Refusals::one(Refusal { rule: Rule::Per2, ..r })))?;
        reopen_period(w, period, reason, who, &approver.name, today)
    })
}

/// [CSH-2..5] the count sheet of a day, with the advances outstanding then.
pub fn count_sheet<B: Backend>(ledger: &mut Ledger<B>, date: time::Date) -> Result<CountSheet, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    let totals = ledger.store().period_totals(ledger.handle())?;
    let through = Period::of(date);
    let advances = outstanding_advances(
        &chart,
        totals.iter().filter(|t| t.period <= through).map(|t| (t.account.as_str(), t.net())),
    );
    ledger.read(|r| CountSheet::build(r, date, advances))
}

/// [BNK-1] the bank reconciliation at a month's end.
pub fn reconciliation<B: Backend>(
    ledger: &mut Ledger<B>,
    account: Option<&str>,
    period: Period,
) -> Result<Reconciliation, Error> {
    let account = statement_account(ledger, account)?;
    ledger.read(|b| reconcile(b, &account, period))
}
