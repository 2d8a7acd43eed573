//! The PostgreSQL store as a [`Backend`]: commands in one transaction each,
//! and the reads reports make.

use postgres::IsolationLevel;
use qianzhang_core::approval::Settings;
use qianzhang_core::audit::{Act, AuditVoucher, LogFact};
use qianzhang_core::backend::{
    AccountBudget, Actor, Anchor, AuthorizationUse, Backend, BackendError, FundTotalRow, HistoryRow, LedgerHandle,
    LogEntry, LogHead, PeriodTotalRow, ReceiptRow, VerifyReport,
};
use qianzhang_core::books::{Books, FirstAdmin, LedgerInfo};
use qianzhang_core::cash::CashCount;
use qianzhang_core::disclosure::{Asset, Review, Voided};
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::Signature;
use qianzhang_core::people::Registry;
use qianzhang_core::receipts::ReceiptBook;
use qianzhang_core::{Chart, Event, Failure, Period, Refusals, Status, Voucher, VoucherRef};
use time::Date;

use crate::db::{get, Tx};
use crate::writer::{Head, Writer};
use crate::{queries, rows, verify, Conn, Error, PgStore};

/// The advisory lock creating a ledger holds: names are unique across the
/// database, so two creations take turns (nothing else waits for it).
pub(crate) const CREATE_LOCK: i64 = 0x7169_616e_6c65_6467;

impl PgStore {
    /// Runs `f` in a read-only transaction on one snapshot.
    fn reading<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T, Error>) -> Result<T, BackendError> {
        let mut guard = self
            .conn
            .try_borrow_mut()
            .map_err(|_| BackendError::Internal("PostgreSQL 连接正被同一命令的另一次读取占用".into()))?;
        let conn: &mut Conn = &mut guard;
        let inner = conn
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(Error::from)?;
        let mut tx = Tx::new(inner, &mut conn.cache);
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// A write transaction on this store's connection.
    fn begin(&mut self) -> Result<Tx<'_>, Error> {
        let conn = self.conn.get_mut();
        let inner = conn.client.transaction()?;
        Ok(Tx::new(inner, &mut conn.cache))
    }
}

impl Backend for PgStore {
    type Books<'a> = Writer<'a>;

    fn ledgers(&self) -> Result<Vec<LedgerHandle>, BackendError> {
        self.reading(queries::ledgers)
    }

    fn verify(&self, ledger: &LedgerHandle) -> Result<VerifyReport, BackendError> {
        self.verify_with(ledger, None)
    }

    fn verify_against(&self, ledger: &LedgerHandle, anchor: Anchor) -> Result<VerifyReport, BackendError> {
        self.verify_with(ledger, Some(anchor))
    }

    fn fingerprint(&self, ledger: &LedgerHandle) -> Result<LogHead, BackendError> {
        self.reading(|tx| queries::fingerprint(tx, ledger))
    }

    fn fingerprint_at(&self, ledger: &LedgerHandle, date: Date) -> Result<Option<LogHead>, BackendError> {
        self.reading(|tx| queries::fingerprint_at(tx, ledger, date))
    }

    fn close_fingerprint(&self, ledger: &LedgerHandle, period: Period) -> Result<Option<LogHead>, BackendError> {
        self.reading(|tx| queries::close_fingerprint(tx, ledger, period))
    }

    fn log_tail(&self, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, BackendError> {
        self.reading(|tx| queries::log_tail(tx, ledger, limit))
    }

    fn log_facts(&self, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, BackendError> {
        self.reading(|tx| queries::log_facts(tx, ledger, kinds))
    }

    fn failed_sign_ins(&self, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, BackendError> {
        self.reading(|tx| queries::failed_sign_ins(tx, ledger, name))
    }

    fn acts_of(&self, ledger: &LedgerHandle, person: &str, from: Date, to: Date) -> Result<Vec<Act>, BackendError> {
        self.reading(|tx| queries::acts_of(tx, ledger, person, from, to))
    }

    fn chart(&self, ledger: &LedgerHandle) -> Result<Chart, BackendError> {
        self.reading(|tx| rows::load_chart(tx, ledger.id))
    }

    fn registry(&self, ledger: &LedgerHandle) -> Result<Registry, BackendError> {
        self.reading(|tx| rows::load_registry(tx, ledger.id))
    }

    fn settings(&self, ledger: &LedgerHandle) -> Result<Settings, BackendError> {
        self.reading(|tx| rows::load_settings(tx, ledger.id))
    }

    fn collection_register(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<(Vec<qianzhang_core::collection::Household>, Vec<qianzhang_core::collection::Collection>), BackendError>
    {
        self.reading(|tx| Ok((rows::load_households(tx, ledger.id)?, rows::load_collections(tx, ledger.id)?)))
    }

    fn funds(&self, ledger: &LedgerHandle) -> Result<Vec<Fund>, BackendError> {
        self.reading(|tx| rows::load_funds(tx, ledger.id))
    }

    fn openings(&self, ledger: &LedgerHandle) -> Result<Vec<qianzhang_core::opening::Opening>, BackendError> {
        self.reading(|tx| queries::openings(tx, ledger.id))
    }

    fn assets(&self, ledger: &LedgerHandle) -> Result<Vec<Asset>, BackendError> {
        self.reading(|tx| rows::load_assets(tx, ledger.id))
    }

    fn reviews(&self, ledger: &LedgerHandle) -> Result<Vec<Review>, BackendError> {
        self.reading(|tx| queries::reviews(tx, ledger))
    }

    fn publications(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<Vec<qianzhang_core::publication::Publication>, BackendError> {
        self.reading(|tx| queries::publications(tx, ledger))
    }

    fn scans_of(
        &self,
        ledger: &LedgerHandle,
        voucher: VoucherRef,
    ) -> Result<Vec<qianzhang_core::scan::ScanInfo>, BackendError> {
        self.reading(|tx| queries::scans_of(tx, ledger, voucher))
    }

    fn scan(
        &self,
        ledger: &LedgerHandle,
        sha256: &str,
    ) -> Result<Option<(qianzhang_core::scan::MediaType, Vec<u8>)>, BackendError> {
        self.reading(|tx| queries::scan(tx, ledger, sha256))
    }

    fn budgets(&self, ledger: &LedgerHandle, year: i32) -> Result<Vec<AccountBudget>, BackendError> {
        self.reading(|tx| queries::budgets(tx, ledger, year))
    }

    fn is_closed(&self, ledger: &LedgerHandle, period: Period) -> Result<bool, BackendError> {
        self.reading(|tx| queries::is_closed(tx, ledger, period))
    }

    fn period_totals(&self, ledger: &LedgerHandle) -> Result<Vec<PeriodTotalRow>, BackendError> {
        self.reading(|tx| queries::period_totals(tx, ledger))
    }

    fn fund_totals(&self, ledger: &LedgerHandle) -> Result<Vec<FundTotalRow>, BackendError> {
        self.reading(|tx| queries::fund_totals(tx, ledger))
    }

    fn statement_totals(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<Vec<qianzhang_core::statements::StatementRow>, BackendError> {
        self.reading(|tx| queries::statement_totals(tx, ledger))
    }

    fn period_span(&self, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, BackendError> {
        self.reading(|tx| queries::period_span(tx, ledger))
    }

    fn receipts(&self, ledger: &LedgerHandle) -> Result<(Vec<ReceiptBook>, Vec<ReceiptRow>), BackendError> {
        self.reading(|tx| Ok((rows::load_receipt_books(tx, ledger.id)?, rows::load_receipts(tx, ledger.id, None)?)))
    }

    fn authorizations(&self, ledger: &LedgerHandle) -> Result<Vec<AuthorizationUse>, BackendError> {
        self.reading(|tx| queries::authorizations(tx, ledger))
    }

    fn signatures(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        self.reading(|tx| rows::load_signatures(tx, ledger.id, reference))
    }

    fn signatures_in(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<(VoucherRef, Vec<Signature>)>, BackendError> {
        self.reading(|tx| queries::signatures_in(tx, ledger, from, to))
    }

    fn voucher(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        self.reading(|tx| crate::projector::load_voucher(tx, ledger.id, reference))
    }

    fn audit_vouchers(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<AuditVoucher>, BackendError> {
        self.reading(|tx| queries::audit_vouchers(tx, ledger, from, to))
    }

    fn history_summary(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<HistoryRow>, BackendError> {
        self.reading(|tx| queries::history_summary(tx, ledger, from, to))
    }

    fn voided(&self, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<Voided>, BackendError> {
        self.reading(|tx| queries::voided(tx, ledger, from, to))
    }

    fn cash_counts(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<CashCount>, BackendError> {
        self.reading(|tx| rows::load_cash_counts(tx, ledger.id, from, to))
    }

    /// Creates a ledger with the default chart and its first administrator.
    fn create_ledger(
        &mut self,
        name: &str,
        start: Period,
        admin: &FirstAdmin,
        actor: &Actor,
    ) -> Result<LedgerHandle, Failure> {
        let mut tx = self.begin()?;
        tx.exec("SELECT pg_advisory_xact_lock($1)", &[&CREATE_LOCK])?;
        let existing: Vec<LedgerInfo> = queries::ledgers(&mut tx)?.into_iter().map(|l| l.info).collect();
        let events = qianzhang_core::books::create_ledger(&existing, name, start, admin)?;
        let id: i64 = get(&tx.one("SELECT COALESCE(MAX(id), 0) + 1 FROM ledgers", &[])?, 0)?;
        let handle = LedgerHandle { id, info: LedgerInfo { name: name.trim().to_string(), start } };
        let mut w = Writer::create(tx, handle.clone(), actor);
        for e in events {
            w.append(e)?;
        }
        w.commit()?;
        Ok(handle)
    }

    /// Runs `command` against the ledger in one transaction, its chain
    /// head locked from the start. On success the events it appended are
    /// committed; on refusal nothing is kept but a `Refused` entry.
    fn write<T>(
        &mut self,
        ledger: &LedgerHandle,
        actor: &Actor,
        command: impl FnOnce(&mut Writer<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        // Full batches of rows go to the server on threads of this scope
        // while the command makes the next (`Tx::behind`); the scope ends
        // only when the last is done, committed or rolled back.
        let outcome = std::thread::scope(|scope| {
            let tx = self.begin()?.behind(scope);
            let mut w = Writer::open(tx, ledger.clone(), actor, Head::Lock)?;
            match command(&mut w) {
                Ok(value) => Ok((value, w.commit()?)),
                // Dropping the writer rolls its transaction back.
                Err(e) => Err(e),
            }
        });
        match outcome {
            Ok((value, appended)) => {
                self.after_bulk(appended);
                Ok(value)
            }
            Err(Failure::Refused(reasons)) => {
                self.log_refusal(ledger, actor, &reasons)?;
                Err(Failure::Refused(reasons))
            }
            Err(e) => Err(e),
        }
    }

    /// Runs a core function that only reads (a report built through
    /// `Books`) in a read-only transaction that is never committed.
    fn read<T>(
        &mut self,
        ledger: &LedgerHandle,
        query: impl FnOnce(&mut Writer<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let conn = self.conn.get_mut();
        let inner = conn
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .start()
            .map_err(Error::from)?;
        let tx = Tx::new(inner, &mut conn.cache);
        let reader = Actor { name: String::new(), at: String::new(), command: "read".into() };
        let mut w = Writer::open(tx, ledger.clone(), &reader, Head::Read)?;
        // Dropping the writer rolls back whatever the query appended.
        query(&mut w)
    }

    fn log_refusal(&mut self, ledger: &LedgerHandle, actor: &Actor, reasons: &Refusals) -> Result<(), BackendError> {
        let tx = self.begin()?;
        let mut w = match Writer::open(tx, ledger.clone(), actor, Head::Lock) {
            Ok(w) => w,
            // An entry dated before the last cannot be logged (AUD-1).
            Err(Failure::Refused(_)) => return Ok(()),
            Err(Failure::Backend(e)) => return Err(e),
        };
        w.append_event(Event::refused(&actor.command, reasons))?;
        w.commit()?;
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

    /// Reads the vouchers a batch at a time and calls `f` between batches,
    /// with no transaction open, so `f` may read the store itself.
    fn each_voucher(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
        mut f: impl FnMut(Voucher, Status) -> Result<(), BackendError>,
    ) -> Result<(), BackendError> {
        let mut after = None;
        loop {
            let (batch, next) = self.reading(|tx| queries::voucher_batch(tx, ledger, from, to, after))?;
            for (v, s) in batch {
                f(v, s)?;
            }
            match next {
                Some(n) => after = Some(n),
                None => return Ok(()),
            }
        }
    }
}

/// Past how many entries a command counts as a bulk write (a history
/// import, a restored copy), after which the planner's statistics are
/// refreshed.
const BULK: i64 = 50_000;

impl PgStore {
    /// After a bulk write, the tables it filled are analyzed at once, so
    /// the next command's plans know their size rather than wait for the
    /// autovacuum daemon (a role that does not own them is skipped with a
    /// warning, and the daemon does it later).
    pub(crate) fn after_bulk(&mut self, appended: i64) {
        if appended >= BULK {
            // Statistics are a hint to the planner: the books are committed
            // whatever becomes of it, and a connection lost here is reported
            // by the next command.
            let _ = self.conn.get_mut().client.batch_execute("ANALYZE log, vouchers, audit_events");
        }
    }

    fn verify_with(&self, ledger: &LedgerHandle, anchor: Option<Anchor>) -> Result<VerifyReport, BackendError> {
        let mut guard = self
            .conn
            .try_borrow_mut()
            .map_err(|_| BackendError::Internal("PostgreSQL 连接正被同一命令的另一次读取占用".into()))?;
        Ok(verify::verify(&mut guard.client, &self.server, self.wait, ledger, anchor)?)
    }
}
