//! The rows a backend's report reads return, named rather than tupled.

use crate::approval::Authorization;
use crate::chain::Fingerprint;
use crate::funds::FundTotal;
use crate::receipts::ReceiptState;
use crate::report::PeriodTotal;
use crate::{Money, Period};

/// Posted debit and credit totals of one leaf account in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodTotalRow {
    pub account: String,
    pub period: Period,
    pub debit: Money,
    pub credit: Money,
}

impl PeriodTotalRow {
    /// Debit less credit.
    pub fn net(&self) -> Money {
        self.debit - self.credit
    }

    /// The row in the shape report builders take.
    pub fn total(&self) -> PeriodTotal<'_> {
        PeriodTotal { account: &self.account, period: self.period, debit: self.debit, credit: self.credit }
    }
}

/// Period totals in the shape report builders take.
pub fn as_period_totals(rows: &[PeriodTotalRow]) -> impl Iterator<Item = PeriodTotal<'_>> {
    rows.iter().map(PeriodTotalRow::total)
}

/// Money into and out of one special fund in one period (FND-1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundTotalRow {
    pub fund: String,
    pub period: Period,
    pub income: Money,
    pub spending: Money,
}

impl FundTotalRow {
    /// What the period added to the fund: income less spending.
    pub fn held(&self) -> Money {
        self.income - self.spending
    }

    /// The row in the shape the funds report takes.
    pub fn total(&self) -> FundTotal<'_> {
        FundTotal { fund: &self.fund, period: self.period, income: self.income, spending: self.spending }
    }
}

/// Migrated history of one period: how many vouchers, and their debit total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    pub period: Period,
    pub vouchers: u64,
    pub debit: Money,
}

/// The budget of one account for a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountBudget {
    pub account: String,
    pub amount: Money,
}

/// An authorization with what has been paid under it so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationUse {
    pub authorization: Authorization,
    pub used: Money,
}

/// A receipt issued or voided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptRow {
    pub book: String,
    pub serial: u32,
    pub state: ReceiptState,
}

/// A log entry's number and hash: the fingerprint of the log up to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogHead {
    pub seq: i64,
    pub fingerprint: Fingerprint,
}
