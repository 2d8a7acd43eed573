//! Opening balances of the go-live month (期初余额, OPN-1): set one
//! account's, import the whole set from a file, show them. Entered by the
//! accountant or the admin, as migrated history is (`Act::MigrateHistory`).

use std::path::Path;

use qianzhang_core::opening::{self, OpeningImport, OpeningSheet};
use qianzhang_core::operator::Act;
use qianzhang_core::{Books, Money, Refusal, Rule, Side};

use crate::backend::Backend;
use crate::session::{Ledger, Session};
use crate::Error;

/// What `set` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpeningSet {
    pub code: String,
    pub name: String,
    /// Debit-positive.
    pub amount: Money,
    /// What it replaced (zero: none).
    pub previous: Money,
}

/// [OPN-1] sets `code`'s opening balance to `amount` as typed (¥, ￥ and
/// commas accepted): on `side` when given, else on the account's normal
/// side, a negative amount standing on the other one. Zero removes it.
pub fn set<B: Backend>(
    session: &mut Session<B>,
    code: &str,
    amount: &str,
    side: Option<Side>,
) -> Result<OpeningSet, Error> {
    let typed = Money::parse(amount).map_err(|e| Refusal::new(Rule::Csv2, format!("期初余额：{e}")))?;
    session.change(Act::MigrateHistory, |w, _| {
        let start = w.ledger().start;
        let account = opening::check_account(w.chart(), code, start)?.clone();
        let signed = opening::signed_amount(&account, typed, side)?;
        let previous = opening::set_opening(w, account.code(), signed)?;
        Ok(OpeningSet {
            code: account.code().to_string(),
            name: w.chart().full_name(account.code()),
            amount: signed,
            previous,
        })
    })
}

/// The bytes of an openings file as its CSV reader takes them: a CSV as
/// it is, an .xlsx's sheet (the first, or `sheet`) from its header row on.
/// An unreadable file or workbook is refused before anything is tried.
pub fn file_bytes(file: &Path, sheet: Option<&str>) -> Result<Vec<u8>, Error> {
    let is_header = |cells: &[String]| opening::is_header(cells);
    crate::excel::read_table_file(file, sheet, MAX_FILE_BYTES, "期初余额文件", &is_header)
}

/// The largest openings file read: a chart's worth of rows many times over.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// [OPN-1] replaces the whole set of openings with a file's: all or
/// nothing, every bad row listed; a refusal is logged.
pub fn import<B: Backend>(session: &mut Session<B>, file: &Path, sheet: Option<&str>) -> Result<OpeningImport, Error> {
    let records = opening::csv_records(&file_bytes(file, sheet)?);
    session.change(Act::MigrateHistory, |w, _| opening::import_openings(w, &records?))
}

/// The opening balances with their totals.
pub fn sheet<B: Backend>(ledger: &Ledger<B>) -> Result<OpeningSheet, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    let openings = ledger.store().openings(ledger.handle())?;
    Ok(OpeningSheet::build(ledger.name(), ledger.start(), &chart, &openings))
}
