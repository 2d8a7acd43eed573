//! One file per command group: each command parses its arguments, makes
//! one application call and renders what comes back.

pub(crate) mod account;
pub(crate) mod audit;
pub(crate) mod board;
pub(crate) mod collection;
pub(crate) mod copy;
pub(crate) mod ledger;
pub(crate) mod month;
pub(crate) mod office;
pub(crate) mod opening;
pub(crate) mod person;
pub(crate) mod print;
pub(crate) mod report;
pub(crate) mod street;
pub(crate) mod todo;
pub(crate) mod voucher;
