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
