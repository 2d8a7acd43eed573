//! The street office's month view (FND-3, 居账街管): every community the
//! street keeps in its bank account is a ledger of one backend; the view
//! reads each ledger's share of that account for a month and checks the
//! shares against the account's balance on the bank's statement.
//!
//! Reading needs no passphrase (as every report); which ledgers a person may
//! see is the front end's: the command line reads the store it is given, the
//! web office only the ledgers the officer signed in at.

use std::path::Path;

use qianzhang_core::bank::reconcile;
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::street::{LedgerMonth, StatementBalance, StreetMonth, StreetRow, BANK};
use qianzhang_core::{Money, Period, Rule, Status};

use crate::backend::{Backend, LedgerHandle};
use crate::Error;

/// Where the street account's balance at the month's end comes from.
pub enum Statement<'a> {
    /// Not given: the view is shown without the check.
    None,
    /// Typed by the street's accountant (`--balance`).
    Balance(Money),
    /// A balance a statement gave earlier, with the words saying where it
    /// was read: the web office's downloads after an upload.
    Carried { balance: Money, source: &'a str },
    /// The street account's statement as the bank exports it (CSV or .xlsx),
    /// read by the same reader as `bank import` (BNK-1).
    File { path: &'a Path, sheet: Option<&'a str>, encoding: Option<TextEncoding>, map: Option<&'a str> },
    /// A statement uploaded to the web office.
    Upload { bytes: &'a [u8], name: &'a str },
}

/// What the street's month is asked for with.
pub struct Request<'a> {
    pub month: Period,
    /// The ledgers to list, in this order; empty: every ledger of the backend.
    pub ledgers: &'a [String],
    /// The bank account the shares are kept on (1002 when not given), the
    /// same code in every ledger.
    pub account: Option<&'a str>,
    pub statement: Statement<'a>,
}

/// [FND-3] the street's month over `backend`'s ledgers.
pub fn month<B: Backend>(backend: &mut B, req: &Request<'_>) -> Result<StreetMonth, Error> {
    let account = req.account.unwrap_or(BANK);
    if !account.starts_with(BANK) {
        return Err(Error::refuse(
            Rule::Fnd3,
            format!("“{account}”不是银行存款科目：各社区在街道账户中的份额记在 1002 银行存款或其下级科目"),
        ));
    }
    let handles = chosen(backend, req.ledgers)?;
    let balance = match &req.statement {
        Statement::None => None,
        Statement::Balance(b) => Some(StatementBalance::typed(*b)),
        Statement::Carried { balance, source } => Some(StatementBalance::carried(*balance, source)?),
        Statement::File { path, sheet, encoding, map } => {
            let s = crate::month::read_statement_file(path, *sheet, *encoding, *map)?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Some(StatementBalance::from_statement(&name, &s.lines, req.month)?)
        }
        Statement::Upload { bytes, name } => {
            let s = crate::month::read_statement_bytes(bytes, name, None, None, None)?;
            Some(StatementBalance::from_statement(name, &s.lines, req.month)?)
        }
    };
    let mut rows = Vec::with_capacity(handles.len());
    for handle in &handles {
        rows.push(row(backend, handle, account, req.month)?);
    }
    Ok(StreetMonth::build(req.month, account, rows, balance)?)
}

/// [LED-1] the ledgers named, each once, or every ledger held.
fn chosen<B: Backend>(backend: &B, names: &[String]) -> Result<Vec<LedgerHandle>, Error> {
    let all = backend.ledgers()?;
    if names.is_empty() {
        if all.is_empty() {
            return Err(Error::refuse(Rule::Led1, "账簿中还没有账套；请先用 qianzhang init 建立各社区的账套"));
        }
        return Ok(all);
    }
    let mut out: Vec<LedgerHandle> = Vec::new();
    for name in names {
        let Some(h) = all.iter().find(|h| &h.info.name == name) else {
            let known: Vec<&str> = all.iter().map(|h| h.info.name.as_str()).collect();
            return Err(Error::refuse(
                Rule::Led1,
                format!("没有名为“{name}”的账套；账簿中的账套：{}", known.join("、")),
            ));
        };
        if !out.iter().any(|o| o.id == h.id) {
            out.push(h.clone());
        }
    }
    Ok(out)
}

/// One community's row: its chart, balances and the month's vouchers.
fn row<B: Backend>(backend: &mut B, handle: &LedgerHandle, account: &str, month: Period) -> Result<StreetRow, Error> {
    let chart = backend.chart(handle)?;
    let name = &handle.info.name;
    if chart.get(account).is_none() {
        return Err(Error::refuse(
            Rule::Fnd3,
            format!("账套“{name}”的科目表中没有 {account}：各社区须用同一个科目记其在街道账户中的资金；请先在该账套增设此科目，或用 --account 指明"),
        ));
    }
    let totals = backend.period_totals(handle)?;
    let (mut posted, mut unposted) = (Vec::new(), 0);
    for (v, s) in backend.vouchers(handle, month, month)? {
        match s {
            Status::Posted => posted.push(v),
            Status::Voided => {}
            _ => unposted += 1,
        }
    }
    // Before go-live a ledger keeps the month only through migrated history,
    // which is posted and closed as it is imported.
    let start = handle.info.start;
    let history = match backend.period_span(handle)? {
        Some((first, _)) => first <= month,
        None => false,
    };
    let started = month >= start || history;
    let closed = backend.is_closed(handle, month)? || (month < start && history);
    // The ledger's own reconciliation, when the account is one statements
    // are kept for and a statement of its own reaches the month's end.
    let own_difference = if chart.is_leaf(account) {
        let code = account.to_string();
        let r = backend.read(handle, move |b| reconcile(b, &code, month))?;
        match (r.statement_complete(), r.adjusted_bank()) {
            (true, Some(bank)) => r.adjusted_book().checked_sub(bank),
            _ => None,
        }
    } else {
        None
    };
    Ok(StreetRow::build(
        month,
        &LedgerMonth {
            ledger: name,
            chart: &chart,
            account,
            totals: &totals,
            vouchers: &posted,
            closed,
            unposted,
            started,
            own_difference,
        },
    ))
}
