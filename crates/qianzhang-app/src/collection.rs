//! Money raised from residents (FND-2): the households, the collection
//! register, the day's income voucher, the paid/unpaid list.

use qianzhang_core::backend::Backend;
use qianzhang_core::collection::{
    book_collections, record_collection, register_household, Household, Payment, Register,
};
use qianzhang_core::operator::Act;
use qianzhang_core::{Money, Period, VoucherRef};
use time::Date;

use crate::session::{Ledger, Session};
use crate::Error;

/// Registers a household (admin).
pub fn add_household<B: Backend>(session: &mut Session<B>, household: Household) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| register_household(w, household))
}

/// Registers many households at once (admin): all or none.
pub fn add_households<B: Backend>(session: &mut Session<B>, households: Vec<Household>) -> Result<usize, Error> {
    let n = households.len();
    session.change(Act::Administer, |w, _| {
        for h in households {
            register_household(w, h)?;
        }
        Ok(n)
    })
}

/// [FND-2]/[RCP-2] records a payment and issues its receipt (cashier); the
/// receipt's number.
/// The largest household list read (LIM-1): a street's worth many times over.
pub const MAX_HOUSEHOLD_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// [FND-2] the households of a list file: a CSV (UTF-8 or GBK, 门牌,户主 a
/// line, the header optional) or an .xlsx sheet (the first, or `sheet`)
/// from its 门牌 header row on.
pub fn households_of_file(file: &std::path::Path, sheet: Option<&str>) -> Result<Vec<Household>, Error> {
    let is_header =
        |cells: &[String]| cells.first().is_some_and(|c| qianzhang_core::collection::is_household_header(c));
    let bytes = crate::excel::read_table_file(file, sheet, MAX_HOUSEHOLD_FILE_BYTES, "住户名单", &is_header)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => qianzhang_core::csvfile::decode_gb18030(e.as_bytes())?,
    };
    Ok(qianzhang_core::collection::parse_households(&text)?)
}

pub fn add<B: Backend>(session: &mut Session<B>, payment: Payment) -> Result<String, Error> {
    session.change(Act::HandleCash, |w, _| record_collection(w, payment))
}

/// [FND-2] prepares the income voucher of a day's collections (accountant):
/// its reference, how many receipts and the total.
pub fn book<B: Backend>(
    session: &mut Session<B>,
    fund: &str,
    date: Date,
    account: &str,
) -> Result<(VoucherRef, usize, Money), Error> {
    let today = session.today();
    session.change(Act::KeepBooks, |w, who| book_collections(w, fund, date, account, who, today))
}

/// [FND-2] the register of `fund` for `from..=to`: who paid, who did not,
/// and the register's total against the fund's posted income.
pub fn register<B: Backend>(ledger: &Ledger<B>, fund: &str, from: Period, to: Period) -> Result<Register, Error> {
    let income: Money = ledger
        .store()
        .fund_totals(ledger.handle())?
        .iter()
        .filter(|t| t.fund == fund && t.period <= to)
        .map(|t| t.income)
        .sum();
    let (households, collections) = ledger.store().collection_register(ledger.handle())?;
    if !ledger.store().funds(ledger.handle())?.iter().any(|f| f.name == fund) {
        return Err(Error::refuse(qianzhang_core::Rule::Fnd1, format!("专项资金“{fund}”未设立")));
    }
    Ok(Register::build(fund, &households, &collections, income, from, to))
}

/// The households registered.
pub fn households<B: Backend>(ledger: &Ledger<B>) -> Result<Vec<Household>, Error> {
    Ok(ledger.store().collection_register(ledger.handle())?.0)
}
