//! The SQLite store as a [`Backend`]: commands in one transaction each,
//! and the reads reports make.

use qianzhang_core::approval::Settings;
use qianzhang_core::audit::{Act, AuditVoucher, LogFact};
use qianzhang_core::backend::{
    AccountBudget, Actor, Anchor, AuthorizationUse, Backend, BackendError, FundTotalRow, HistoryRow, LedgerHandle,
    LogEntry, LogHead, PeriodTotalRow, ReceiptRow, VerifyReport,
};
use qianzhang_core::books::{Books, FirstAdmin, LedgerInfo};
use qianzhang_core::cash::CashCount;
use qianzhang_core::chain::GENESIS;
use qianzhang_core::disclosure::{Asset, Review, Voided};
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::Signature;
use qianzhang_core::people::Registry;
use qianzhang_core::receipts::ReceiptBook;
use qianzhang_core::{Chart, Event, Failure, Period, Refusals, Status, Voucher, VoucherRef};
use rusqlite::TransactionBehavior;
use time::Date;

use crate::writer::{LedgerState, Writer};
use crate::{queries, tx, verify, Error, Store};

impl Backend for Store {
    type Books<'a> = Writer<'a>;

    fn ledgers(&self) -> Result<Vec<LedgerHandle>, BackendError> {
        Ok(queries::ledgers(&self.conn)?)
    }

    fn verify(&self, ledger: &LedgerHandle) -> Result<VerifyReport, BackendError> {
        Ok(verify::verify(&self.conn, ledger, None)?)
    }

    fn verify_against(&self, ledger: &LedgerHandle, anchor: Anchor) -> Result<VerifyReport, BackendError> {
        Ok(verify::verify(&self.conn, ledger, Some(anchor))?)
    }

    fn fingerprint(&self, ledger: &LedgerHandle) -> Result<LogHead, BackendError> {
        Ok(queries::fingerprint(&self.conn, ledger)?)
    }

    fn fingerprint_at(&self, ledger: &LedgerHandle, date: Date) -> Result<Option<LogHead>, BackendError> {
        Ok(queries::fingerprint_at(&self.conn, ledger, date)?)
    }

    fn close_fingerprint(&self, ledger: &LedgerHandle, period: Period) -> Result<Option<LogHead>, BackendError> {
        Ok(queries::close_fingerprint(&self.conn, ledger, period)?)
    }

    fn log_tail(&self, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, BackendError> {
        Ok(queries::log_tail(&self.conn, ledger, limit)?)
    }

    fn log_facts(&self, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, BackendError> {
        Ok(queries::log_facts(&self.conn, ledger, kinds)?)
    }

    fn failed_sign_ins(&self, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, BackendError> {
        Ok(queries::failed_sign_ins(&self.conn, ledger, name)?)
    }

    fn acts_of(&self, ledger: &LedgerHandle, person: &str, from: Date, to: Date) -> Result<Vec<Act>, BackendError> {
        Ok(queries::acts_of(&self.conn, ledger, person, from, to)?)
    }

    fn chart(&self, ledger: &LedgerHandle) -> Result<Chart, BackendError> {
        Ok(queries::chart(&self.conn, ledger)?)
    }

    fn registry(&self, ledger: &LedgerHandle) -> Result<Registry, BackendError> {
        Ok(queries::registry(&self.conn, ledger)?)
    }

    fn settings(&self, ledger: &LedgerHandle) -> Result<Settings, BackendError> {
        Ok(queries::settings(&self.conn, ledger)?)
    }

    fn collection_register(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<(Vec<qianzhang_core::collection::Household>, Vec<qianzhang_core::collection::Collection>), BackendError>
    {
        let households = crate::rows::load_households(&self.conn, ledger.id)?;
        Ok((households, crate::rows::load_collections(&self.conn, ledger.id)?))
    }

    fn funds(&self, ledger: &LedgerHandle) -> Result<Vec<Fund>, BackendError> {
        Ok(queries::funds(&self.conn, ledger)?)
    }

    fn openings(&self, ledger: &LedgerHandle) -> Result<Vec<qianzhang_core::opening::Opening>, BackendError> {
        Ok(queries::openings(&self.conn, ledger.id)?)
    }

    fn assets(&self, ledger: &LedgerHandle) -> Result<Vec<Asset>, BackendError> {
        Ok(queries::assets(&self.conn, ledger)?)
    }

    fn reviews(&self, ledger: &LedgerHandle) -> Result<Vec<Review>, BackendError> {
        Ok(queries::reviews(&self.conn, ledger)?)
    }

    fn publications(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<Vec<qianzhang_core::publication::Publication>, BackendError> {
        Ok(queries::publications(&self.conn, ledger)?)
    }

    fn scans_of(
        &self,
        ledger: &LedgerHandle,
        voucher: VoucherRef,
    ) -> Result<Vec<qianzhang_core::scan::ScanInfo>, BackendError> {
        Ok(queries::scans_of(&self.conn, ledger, voucher)?)
    }

    fn scan(
        &self,
        ledger: &LedgerHandle,
        sha256: &str,
    ) -> Result<Option<(qianzhang_core::scan::MediaType, Vec<u8>)>, BackendError> {
        Ok(queries::scan(&self.conn, ledger, sha256)?)
    }

    fn budgets(&self, ledger: &LedgerHandle, year: i32) -> Result<Vec<AccountBudget>, BackendError> {
        Ok(queries::budgets(&self.conn, ledger, year)?)
    }

    fn is_closed(&self, ledger: &LedgerHandle, period: Period) -> Result<bool, BackendError> {
        Ok(queries::is_closed(&self.conn, ledger, period)?)
    }

    fn period_totals(&self, ledger: &LedgerHandle) -> Result<Vec<PeriodTotalRow>, BackendError> {
        Ok(queries::period_totals(&self.conn, ledger)?)
    }

    fn fund_totals(&self, ledger: &LedgerHandle) -> Result<Vec<FundTotalRow>, BackendError> {
        Ok(queries::fund_totals(&self.conn, ledger)?)
    }

    fn statement_totals(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<Vec<qianzhang_core::statements::StatementRow>, BackendError> {
        Ok(queries::statement_totals(&self.conn, ledger)?)
    }

    fn period_span(&self, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, BackendError> {
        Ok(queries::period_span(&self.conn, ledger)?)
    }

    fn receipts(&self, ledger: &LedgerHandle) -> Result<(Vec<ReceiptBook>, Vec<ReceiptRow>), BackendError> {
        Ok(queries::receipts(&self.conn, ledger)?)
    }

    fn authorizations(&self, ledger: &LedgerHandle) -> Result<Vec<AuthorizationUse>, BackendError> {
        Ok(queries::authorizations(&self.conn, ledger)?)
    }

    fn signatures(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        Ok(queries::signatures(&self.conn, ledger, reference)?)
    }

    fn signatures_in(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<(VoucherRef, Vec<Signature>)>, BackendError> {
        Ok(queries::signatures_in(&self.conn, ledger, from, to)?)
    }

    fn voucher(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        Ok(queries::voucher(&self.conn, ledger, reference)?)
    }

    fn audit_vouchers(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<AuditVoucher>, BackendError> {
        Ok(queries::audit_vouchers(&self.conn, ledger, from, to)?)
    }

    fn history_summary(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<HistoryRow>, BackendError> {
        Ok(queries::history_summary(&self.conn, ledger, from, to)?)
    }

    fn voided(&self, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<Voided>, BackendError> {
        Ok(queries::voided(&self.conn, ledger, from, to)?)
    }

    fn cash_counts(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<CashCount>, BackendError> {
        Ok(queries::cash_counts(&self.conn, ledger, from, to)?)
    }

    /// Creates a ledger with the default chart and its first administrator.
    fn create_ledger(
        &mut self,
        name: &str,
        start: Period,
        admin: &FirstAdmin,
        actor: &Actor,
    ) -> Result<LedgerHandle, Failure> {
        let existing: Vec<LedgerInfo> = queries::ledgers(&self.conn)?.into_iter().map(|l| l.info).collect();
        let events = qianzhang_core::books::create_ledger(&existing, name, start, admin)?;
        let tx = tx::begin_immediate(&mut self.conn, self.wait, &mut self.waited)?;
        let id: i64 =
            tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM ledgers", [], |r| r.get(0)).map_err(Error::from)?;
        let info = LedgerInfo { name: name.trim().to_string(), start };
        let mut w =
            Writer::new(&tx, LedgerHandle { id, info: info.clone() }, actor, LedgerState::default(), 0, GENESIS);
        for e in events {
            w.append(e)?;
        }
        w.finish()?;
        drop(w);
        tx.commit().map_err(Error::from)?;
        Ok(LedgerHandle { id, info })
    }

    /// Runs `command` against the ledger in one transaction. On success the
    /// events it appended are committed; on refusal nothing is kept but a
    /// `Refused` entry in the log.
    fn write<T>(
        &mut self,
        ledger: &LedgerHandle,
        actor: &Actor,
        command: impl FnOnce(&mut Writer<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let outcome = {
            let tx = tx::begin_immediate(&mut self.conn, self.wait, &mut self.waited)?;
            let mut w = Writer::open(&tx, ledger.clone(), actor)?;
            match command(&mut w) {
                Ok(value) => {
                    w.finish()?;
                    drop(w);
                    tx.commit().map_err(Error::from)?;
                    Ok(value)
                }
                Err(e) => Err(e),
            }
        };
        if let Err(Failure::Refused(reasons)) = &outcome {
            self.log_refusal(ledger, actor, reasons)?;
        }
        outcome
    }

    /// Runs a core function that only reads (a report built through
    /// `Books`) inside a read transaction that is always rolled back.
    fn read<T>(
        &mut self,
        ledger: &LedgerHandle,
        query: impl FnOnce(&mut Writer<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(Error::from)?;
        let reader = Actor { name: String::new(), at: String::new(), command: "read".into() };
        let mut w = Writer::open(&tx, ledger.clone(), &reader)?;
        let out = query(&mut w);
        drop(w);
        tx.rollback().map_err(Error::from)?;
        out
    }

    fn log_refusal(&mut self, ledger: &LedgerHandle, actor: &Actor, reasons: &Refusals) -> Result<(), BackendError> {
        let tx = tx::begin_immediate(&mut self.conn, self.wait, &mut self.waited)?;
        let mut w = match Writer::open(&tx, ledger.clone(), actor) {
            Ok(w) => w,
            // An entry dated before the last cannot be logged (AUD-1).
            Err(Failure::Refused(_)) => return Ok(()),
            Err(Failure::Backend(e)) => return Err(e),
        };
        w.append_event(Event::refused(&actor.command, reasons))?;
        w.finish()?;
        drop(w);
        tx.commit().map_err(Error::from)?;
        Ok(())
    }

    fn each_raw_entry<E: From<BackendError>>(
        &self,
        ledger: &LedgerHandle,
        f: impl FnMut(qianzhang_core::backend::CopyItem) -> Result<(), E>,
    ) -> Result<(), E> {
        self.raw_entries(ledger, f)
    }

    fn restore_ledger(
        &mut self,
        feed: impl FnOnce(&mut qianzhang_core::backend::CopySink<'_>) -> Result<(), Failure>,
    ) -> Result<LedgerHandle, Failure> {
        self.restore(feed)
    }

    fn each_voucher(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
        f: impl FnMut(Voucher, Status) -> Result<(), BackendError>,
    ) -> Result<(), BackendError> {
        queries::each_voucher(&self.conn, ledger, from, to, f)
    }
}
