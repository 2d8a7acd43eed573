//! The use cases of qianzhang: one function per thing a user does, for
//! every front end (the command line today, the web office next).
//!
//! A front end parses what the user typed, opens the backend, makes one
//! call here and renders what comes back. What each act needs — who must
//! be signed in, the role the act asks for, the second person some acts
//! need, which refusals go into the log — and how every report's data is
//! assembled from the books is decided here or in `qianzhang-core`; the
//! rules themselves live in the core. This crate reads no clock and no
//! terminal: the time of an act and every passphrase come from the caller.

pub mod accounts;
pub mod audit;
pub mod backend;
pub mod board;
pub mod collection;
pub mod copy;
pub mod demo;
mod error;
pub mod excel;
pub mod ledger;
pub mod month;
pub mod office;
pub mod opening;
pub mod people;
pub mod print;
pub mod reports;
pub mod session;
pub mod street;
pub mod todo;
pub mod voucher;

pub use error::Error;

/// An amount as typed (`1,234.50`, `1234.5元`): what it is for names it in a
/// refusal; an empty amount is zero.
pub fn amount(text: &str, what: &str) -> Result<qianzhang_core::Money, Error> {
    Ok(qianzhang_core::voucher::read_amount(text, what, false)?.unwrap_or(qianzhang_core::Money::ZERO))
}

pub use session::{Claim, Ledger, Session};
