//! The chart of accounts (ACC-1..3).

use crate::backend::Backend;
use qianzhang_core::books::{add_account, close_account, rename_account};
use qianzhang_core::operator::Act;
use qianzhang_core::{Account, Chart, NewAccount};

use crate::session::{Ledger, Session};
use crate::Error;

pub fn chart<B: Backend>(ledger: &Ledger<B>) -> Result<Chart, Error> {
    Ok(ledger.store().chart(ledger.handle())?)
}

/// Adds an account (admin).
pub fn add<B: Backend>(session: &mut Session<B>, new: &NewAccount) -> Result<Account, Error> {
    session.change(Act::Administer, |w, _| add_account(w, new))
}

/// The largest chart file read (LIM-1).
pub const MAX_CHART_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// [ACC-1] adds the accounts of a chart file (admin), all or none: a CSV
/// (UTF-8 or GBK) or an .xlsx sheet (the first, or `sheet`) with the
/// columns 科目编码, 科目名称 and optionally 类别; every bad row is listed.
pub fn import<B: Backend>(
    session: &mut Session<B>,
    file: &std::path::Path,
    sheet: Option<&str>,
) -> Result<Vec<Account>, Error> {
    let is_header = |cells: &[String]| qianzhang_core::account::is_chart_header(cells);
    let bytes = crate::excel::read_table_file(file, sheet, MAX_CHART_FILE_BYTES, "科目文件", &is_header)?;
    let rows = qianzhang_core::opening::csv_records(&bytes)
        .map_err(qianzhang_core::Refusals::one)
        .and_then(|r| qianzhang_core::account::chart_rows(&r));
    session.change(Act::Administer, |w, _| qianzhang_core::account::add_accounts(w, &rows?))
}

/// Renames an account; its code stays (admin).
pub fn rename<B: Backend>(session: &mut Session<B>, code: &str, name: &str) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| rename_account(w, code, name))
}

/// Closes an account from `date`, else from today (admin).
pub fn close<B: Backend>(session: &mut Session<B>, code: &str, date: Option<time::Date>) -> Result<time::Date, Error> {
    let date = date.unwrap_or(session.today());
    session.change(Act::Administer, |w, _| close_account(w, code, date))?;
    Ok(date)
}
