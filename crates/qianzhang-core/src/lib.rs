//! The domain of qianzhang: money, periods, the chart of accounts, vouchers,
//! the rules that govern them, and the report data built from them.
//!
//! Architecture invariant: this crate does no IO, reads no clock and knows
//! nothing of SQL. Time comes in as arguments; facts about the books come in
//! through the [`books::Books`] trait, which the store implements.

pub mod account;
pub mod approval;
pub mod audit;
pub mod backend;
pub mod bank;
pub mod batch;
pub mod books;
pub mod calendar;
pub mod cash;
pub mod chain;
pub mod closing;
pub mod collection;
pub mod csvfile;
pub mod disclosure;
pub mod documents;
pub mod entry;
pub mod event;
pub mod funds;
pub mod handover;
pub mod ledger;
pub mod lifecycle;
#[cfg(any(test, feature = "testing"))]
pub mod memory;
pub mod money;
pub mod names;
pub mod opening;
pub mod operator;
pub mod people;
pub mod period;
pub mod privacy;
pub mod projection;
pub mod publication;
pub mod receipts;
pub mod report;
pub mod rule;
pub mod scan;
pub mod statements;
pub mod street;
pub mod template;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod todo;
pub mod voucher;
pub mod xlsx;

pub use account::{Account, AccountKind, Chart, NewAccount};
pub use backend::BackendError;
pub use books::{Books, Event, LedgerInfo};
pub use money::Money;
pub use period::Period;
pub use rule::{Failure, Refusal, Refusals, Rule};
pub use voucher::{Document, Draft, Line, Origin, Side, Status, Voucher, VoucherRef};
