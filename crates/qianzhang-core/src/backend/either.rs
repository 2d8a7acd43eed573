//! [`Either`]: one of two backends, chosen when the books are opened.
//!
//! A front end that opens "whatever `--db` names" holds an
//! `Either<Sqlite, Postgres>` and uses it as any [`Backend`]; each call goes
//! to the side that was opened. A command sees the chosen side's books
//! through `&mut dyn Books`, so the core's commands run unchanged.

use time::Date;

use super::*;
use crate::approval::Settings;
use crate::audit::{Act, AuditVoucher, LogFact};
use crate::books::{Books, Event, FirstAdmin};
use crate::cash::CashCount;
use crate::disclosure::{Asset, Review, Voided};
use crate::funds::Fund;
use crate::lifecycle::Signature;
use crate::people::Registry;
use crate::receipts::ReceiptBook;
use crate::{Chart, Failure, Period, Refusals, Status, Voucher, VoucherRef};

/// One backend or the other.
pub enum Either<L, R> {
    Left(L),
    Right(R),
}

macro_rules! by_side {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            Either::Left($b) => $e,
            Either::Right($b) => $e,
        }
    };
}

impl<L: Backend + 'static, R: Backend + 'static> Backend for Either<L, R> {
    type Books<'a>
        = &'a mut (dyn Books + 'a)
    where
        Self: 'a;

    fn write<T>(
        &mut self,
        ledger: &LedgerHandle,
        actor: &Actor,
        command: impl FnOnce(&mut Self::Books<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        match self {
            Either::Left(b) => b.write(ledger, actor, |books| command(&mut (books as &mut dyn Books))),
            Either::Right(b) => b.write(ledger, actor, |books| command(&mut (books as &mut dyn Books))),
        }
    }

    fn read<T>(
        &mut self,
        ledger: &LedgerHandle,
        query: impl FnOnce(&mut Self::Books<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        match self {
            Either::Left(b) => b.read(ledger, |books| query(&mut (books as &mut dyn Books))),
            Either::Right(b) => b.read(ledger, |books| query(&mut (books as &mut dyn Books))),
        }
    }

    fn ledgers(&self) -> Result<Vec<LedgerHandle>, BackendError> {
        by_side!(self, b => b.ledgers())
    }

    fn create_ledger(
        &mut self,
        name: &str,
        start: Period,
        admin: &FirstAdmin,
        actor: &Actor,
    ) -> Result<LedgerHandle, Failure> {
        by_side!(self, b => b.create_ledger(name, start, admin, actor))
    }

    fn log_refusal(&mut self, ledger: &LedgerHandle, actor: &Actor, reasons: &Refusals) -> Result<(), BackendError> {
        by_side!(self, b => b.log_refusal(ledger, actor, reasons))
    }

    fn verify(&self, ledger: &LedgerHandle) -> Result<VerifyReport, BackendError> {
        by_side!(self, b => b.verify(ledger))
    }

    fn verify_against(&self, ledger: &LedgerHandle, anchor: Anchor) -> Result<VerifyReport, BackendError> {
        by_side!(self, b => b.verify_against(ledger, anchor))
    }

    fn fingerprint(&self, ledger: &LedgerHandle) -> Result<LogHead, BackendError> {
        by_side!(self, b => b.fingerprint(ledger))
    }

    fn fingerprint_at(&self, ledger: &LedgerHandle, date: Date) -> Result<Option<LogHead>, BackendError> {
        by_side!(self, b => b.fingerprint_at(ledger, date))
    }

    fn close_fingerprint(&self, ledger: &LedgerHandle, period: Period) -> Result<Option<LogHead>, BackendError> {
        by_side!(self, b => b.close_fingerprint(ledger, period))
    }

    fn log_tail(&self, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, BackendError> {
        by_side!(self, b => b.log_tail(ledger, limit))
    }

    fn log_facts(&self, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, BackendError> {
        by_side!(self, b => b.log_facts(ledger, kinds))
    }

    fn failed_sign_ins(&self, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, BackendError> {
        by_side!(self, b => b.failed_sign_ins(ledger, name))
    }

    fn acts_of(&self, ledger: &LedgerHandle, person: &str, from: Date, to: Date) -> Result<Vec<Act>, BackendError> {
        by_side!(self, b => b.acts_of(ledger, person, from, to))
    }

    fn chart(&self, ledger: &LedgerHandle) -> Result<Chart, BackendError> {
        by_side!(self, b => b.chart(ledger))
    }

    fn registry(&self, ledger: &LedgerHandle) -> Result<Registry, BackendError> {
        by_side!(self, b => b.registry(ledger))
    }

    fn settings(&self, ledger: &LedgerHandle) -> Result<Settings, BackendError> {
        by_side!(self, b => b.settings(ledger))
    }

    fn funds(&self, ledger: &LedgerHandle) -> Result<Vec<Fund>, BackendError> {
        by_side!(self, b => b.funds(ledger))
    }

    fn assets(&self, ledger: &LedgerHandle) -> Result<Vec<Asset>, BackendError> {
        by_side!(self, b => b.assets(ledger))
    }

    fn openings(&self, ledger: &LedgerHandle) -> Result<Vec<crate::opening::Opening>, BackendError> {
        by_side!(self, b => b.openings(ledger))
    }

    fn reviews(&self, ledger: &LedgerHandle) -> Result<Vec<Review>, BackendError> {
        by_side!(self, b => b.reviews(ledger))
    }

    fn publications(&self, ledger: &LedgerHandle) -> Result<Vec<crate::publication::Publication>, BackendError> {
        by_side!(self, b => b.publications(ledger))
    }

    fn scans_of(&self, ledger: &LedgerHandle, voucher: VoucherRef) -> Result<Vec<crate::scan::ScanInfo>, BackendError> {
        by_side!(self, b => b.scans_of(ledger, voucher))
    }

    fn scan(
        &self,
        ledger: &LedgerHandle,
        sha256: &str,
    ) -> Result<Option<(crate::scan::MediaType, Vec<u8>)>, BackendError> {
        by_side!(self, b => b.scan(ledger, sha256))
    }

    fn budgets(&self, ledger: &LedgerHandle, year: i32) -> Result<Vec<AccountBudget>, BackendError> {
        by_side!(self, b => b.budgets(ledger, year))
    }

    fn is_closed(&self, ledger: &LedgerHandle, period: Period) -> Result<bool, BackendError> {
        by_side!(self, b => b.is_closed(ledger, period))
    }

    fn period_totals(&self, ledger: &LedgerHandle) -> Result<Vec<PeriodTotalRow>, BackendError> {
        by_side!(self, b => b.period_totals(ledger))
    }

    fn fund_totals(&self, ledger: &LedgerHandle) -> Result<Vec<FundTotalRow>, BackendError> {
        by_side!(self, b => b.fund_totals(ledger))
    }

    fn statement_totals(&self, ledger: &LedgerHandle) -> Result<Vec<crate::statements::StatementRow>, BackendError> {
        by_side!(self, b => b.statement_totals(ledger))
    }

    fn collection_register(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<(Vec<crate::collection::Household>, Vec<crate::collection::Collection>), BackendError> {
        by_side!(self, b => b.collection_register(ledger))
    }

    fn period_span(&self, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, BackendError> {
        by_side!(self, b => b.period_span(ledger))
    }

    fn receipts(&self, ledger: &LedgerHandle) -> Result<(Vec<ReceiptBook>, Vec<ReceiptRow>), BackendError> {
        by_side!(self, b => b.receipts(ledger))
    }

    fn authorizations(&self, ledger: &LedgerHandle) -> Result<Vec<AuthorizationUse>, BackendError> {
        by_side!(self, b => b.authorizations(ledger))
    }

    fn signatures(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        by_side!(self, b => b.signatures(ledger, reference))
    }

    fn signatures_in(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<(VoucherRef, Vec<Signature>)>, BackendError> {
        by_side!(self, b => b.signatures_in(ledger, from, to))
    }

    fn voucher(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        by_side!(self, b => b.voucher(ledger, reference))
    }

    fn each_voucher(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
        f: impl FnMut(Voucher, Status) -> Result<(), BackendError>,
    ) -> Result<(), BackendError> {
        by_side!(self, b => b.each_voucher(ledger, from, to, f))
    }

    fn audit_vouchers(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<AuditVoucher>, BackendError> {
        by_side!(self, b => b.audit_vouchers(ledger, from, to))
    }

    fn history_summary(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<HistoryRow>, BackendError> {
        by_side!(self, b => b.history_summary(ledger, from, to))
    }

    fn voided(&self, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<Voided>, BackendError> {
        by_side!(self, b => b.voided(ledger, from, to))
    }

    fn cash_counts(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<CashCount>, BackendError> {
        by_side!(self, b => b.cash_counts(ledger, from, to))
    }

    fn each_raw_entry<E: From<BackendError>>(
        &self,
        ledger: &LedgerHandle,
        f: impl FnMut(CopyItem) -> Result<(), E>,
    ) -> Result<(), E> {
        by_side!(self, b => b.each_raw_entry(ledger, f))
    }

    fn restore_ledger(
        &mut self,
        feed: impl FnOnce(&mut CopySink<'_>) -> Result<(), Failure>,
    ) -> Result<LedgerHandle, Failure> {
        by_side!(self, b => b.restore_ledger(feed))
    }
}
