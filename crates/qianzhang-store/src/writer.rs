//! The books of one ledger inside one transaction: the `Books` port the
//! core's commands run against.

use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use qianzhang_core::approval::{Authorization, Settings};
use qianzhang_core::audit;
use qianzhang_core::backend::BackendError;
use qianzhang_core::bank::{InTransit, StoredLine};
use qianzhang_core::books::{Books, LedgerInfo};
use qianzhang_core::cash::CashCount;
use qianzhang_core::disclosure::Asset;
use qianzhang_core::documents::doc_key;
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::Signature;
use qianzhang_core::people::Registry;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::projection::Change;
use qianzhang_core::receipts::{ReceiptBook, ReceiptState};
use qianzhang_core::Document;
use qianzhang_core::{Chart, Event, Failure, Money, Period, Status, Voucher, VoucherRef};
use rusqlite::{params, OptionalExtension, Transaction};

use crate::rows::{
    checked_money, head, last_at, load_assets, load_authorization, load_authorizations, load_cash_counts, load_chart,
    load_citing, load_funds, load_receipt_books, load_receipts, load_registry, load_settings, load_signatures,
    load_statement_lines,
};
use crate::{projector, Actor, Error, LedgerHandle};
use qianzhang_core::chain::{self, Fingerprint};

/// What a writer keeps in memory for the rules: small, read once per command.
#[derive(Default)]
pub(crate) struct LedgerState {
    chart: Chart,
    registry: Registry,
    settings: Settings,
}

/// The books of one ledger inside one transaction: what core commands see.
pub struct Writer<'t> {
    tx: &'t Transaction<'t>,
    ledger: LedgerHandle,
    actor: Actor,
    chart: Chart,
    registry: Registry,
    settings: Settings,
    head_seq: i64,
    head_hash: Fingerprint,
    projector: projector::Projector<'t>,
    next_numbers: HashMap<Period, u32>,
    closed: HashMap<Period, bool>,
    /// [LIM-1] the absolute amounts of every voucher, read once when first
    /// asked and kept up to date as vouchers are appended.
    turnover: Option<i64>,
    /// Voucher entries appended in bulk (an import) have their payloads
    /// written and hashed on another thread; counted until it is worth one.
    bulk: usize,
    chain: Option<ChainThread>,
}

/// Voucher entries appended in a row before their payloads are made on
/// another thread: an import, never an ordinary command.
const BULK_AFTER: usize = 256;
/// Entries handed to the chain thread at a time.
const CHAIN_BATCH: usize = 256;
/// Appends one log entry.
const INSERT_LOG_ROW: &str =
    "INSERT INTO log (ledger_id, seq, at, actor, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// One log row made by the chain thread.
struct LogRow {
    seq: i64,
    kind: &'static str,
    payload: String,
    prev_hash: Fingerprint,
    hash: Fingerprint,
}

/// [AUD-1] the thread that writes voucher entries' payloads and links
/// them into the chain, in order, while this one checks the next vouchers
/// and writes their projections; the log rows come back to be inserted
/// here, in the same transaction. Anything that reads the store first
/// waits for every row to be inserted ([`Writer::db`]).
struct ChainThread {
    send: SyncSender<Vec<(i64, Arc<Event>)>>,
    receive: Receiver<Result<Vec<LogRow>, String>>,
    thread: std::thread::JoinHandle<()>,
    batch: Vec<(i64, Arc<Event>)>,
    /// Batches sent and not yet inserted.
    in_flight: usize,
}

impl ChainThread {
    fn start(head: Fingerprint, at: String, actor: String) -> ChainThread {
        let (send, entries) = sync_channel::<Vec<(i64, Arc<Event>)>>(4);
        let (rows, receive) = sync_channel(4);
        let thread = std::thread::spawn(move || {
            let mut prev = head;
            for batch in entries {
                let mut out = Vec::with_capacity(batch.len());
                for (seq, event) in batch {
                    let payload = match serde_json::to_string(&*event) {
                        Ok(p) => p,
                        Err(e) => {
                            let _ = rows.send(Err(e.to_string()));
                            return;
                        }
                    };
                    let kind = event.kind();
                    let hash = chain::entry_hash(&prev, seq, &at, &actor, kind, &payload);
                    out.push(LogRow { seq, kind, payload, prev_hash: prev, hash });
                    prev = hash;
                }
                if rows.send(Ok(out)).is_err() {
                    return;
                }
            }
        });
        ChainThread { send, receive, thread, batch: Vec::with_capacity(CHAIN_BATCH), in_flight: 0 }
    }
}

impl<'t> Writer<'t> {
    pub(crate) fn new(
        tx: &'t Transaction<'t>,
        ledger: LedgerHandle,
        actor: &Actor,
        state: LedgerState,
        head_seq: i64,
        head_hash: Fingerprint,
    ) -> Writer<'t> {
        let projector = projector::Projector::new(ledger.id);
        let LedgerState { chart, registry, settings } = state;
        Writer {
            tx,
            ledger,
            actor: actor.clone(),
            chart,
            registry,
            settings,
            head_seq,
            head_hash,
            projector,
            next_numbers: HashMap::new(),
            closed: HashMap::new(),
            turnover: None,
            bulk: 0,
            chain: None,
        }
    }

    pub(crate) fn open(tx: &'t Transaction<'t>, ledger: LedgerHandle, actor: &Actor) -> Result<Writer<'t>, Failure> {
        let chart = load_chart(tx, ledger.id)?;
        let registry = load_registry(tx, ledger.id)?;
        let settings = load_settings(tx, ledger.id)?;
        let (seq, hash) = head(tx, ledger.id)?;
        // The log's time never goes backwards (AUD-1); a read has no time.
        if !actor.at.is_empty() {
            if let Some(last) = last_at(tx, ledger.id)? {
                audit::check_log_time(&last, &actor.at)?;
            }
        }
        Ok(Writer::new(tx, ledger, actor, LedgerState { chart, registry, settings }, seq, hash))
    }

    pub(crate) fn finish(&mut self) -> Result<(), Error> {
        let tx = self.db()?;
        self.projector.flush(tx)
    }

    /// The transaction, once every log row made on the chain thread is in it.
    fn db(&mut self) -> Result<&'t Transaction<'t>, Error> {
        if let Some(mut chain) = self.chain.take() {
            if !chain.batch.is_empty() {
                let batch = std::mem::take(&mut chain.batch);
                chain.send.send(batch).map_err(|_| Error::Corrupt("写日志的线程意外中止".into()))?;
                chain.in_flight += 1;
            }
            while chain.in_flight > 0 {
                self.insert_rows(&chain.receive)?;
                chain.in_flight -= 1;
            }
            drop(chain.send);
            chain.thread.join().map_err(|_| Error::Corrupt("写日志的线程意外中止".into()))?;
        }
        Ok(self.tx)
    }

    /// Inserts the next batch of log rows from the chain thread. One row
    /// to a statement: a statement of several rows would need a statement
    /// journal, which SQLite spills to a file once it passes 64 KiB.
    fn insert_rows(&mut self, receive: &Receiver<Result<Vec<LogRow>, String>>) -> Result<(), Error> {
        let rows = receive
            .recv()
            .map_err(|_| Error::Corrupt("写日志的线程意外中止".into()))?
            .map_err(|e| Error::Corrupt(format!("日志内容无法写出：{e}")))?;
        let mut insert = self.tx.prepare_cached(INSERT_LOG_ROW)?;
        for r in &rows {
            self.bind_log_row(&mut insert, r)?;
            insert.raw_execute()?;
        }
        if let Some(last) = rows.last() {
            self.head_hash = last.hash;
        }
        Ok(())
    }

    /// Binds one log row to [`INSERT_LOG_ROW`]'s parameters.
    fn bind_log_row(&self, stmt: &mut rusqlite::Statement<'_>, r: &LogRow) -> Result<(), Error> {
        stmt.raw_bind_parameter(1, self.ledger.id)?;
        stmt.raw_bind_parameter(2, r.seq)?;
        stmt.raw_bind_parameter(3, &self.actor.at)?;
        stmt.raw_bind_parameter(4, &self.actor.name)?;
        stmt.raw_bind_parameter(5, r.kind)?;
        stmt.raw_bind_parameter(6, &r.payload)?;
        stmt.raw_bind_parameter(7, &r.prev_hash.0[..])?;
        stmt.raw_bind_parameter(8, &r.hash.0[..])?;
        Ok(())
    }

    pub(crate) fn append_event(&mut self, event: Event) -> Result<(), Error> {
        // A voucher recorded reads nothing back from the log: in bulk, its
        // payload and hash are made on the chain thread.
        let recorded = matches!(
            event,
            Event::VoucherMigrated { .. } | Event::VoucherPrepared { .. } | Event::ClosingVoucher { .. }
        );
        self.bulk = if recorded { self.bulk + 1 } else { 0 };
        if self.bulk <= BULK_AFTER {
            self.db()?;
            return self.append_here(event);
        }
        let seq = self.head_seq + 1;
        let event = Arc::new(event);
        let chain = match &mut self.chain {
            Some(c) => c,
            None => {
                self.chain.insert(ChainThread::start(self.head_hash, self.actor.at.clone(), self.actor.name.clone()))
            }
        };
        chain.batch.push((seq, Arc::clone(&event)));
        if chain.batch.len() == CHAIN_BATCH {
            let batch = std::mem::replace(&mut chain.batch, Vec::with_capacity(CHAIN_BATCH));
            chain.send.send(batch).map_err(|_| Error::Corrupt("写日志的线程意外中止".into()))?;
            chain.in_flight += 1;
        }
        // Insert the rows made, keeping a few batches ahead: never more in
        // flight than the two channels hold, so neither side waits on a full one.
        while self.chain.as_ref().is_some_and(|c| c.in_flight > 2) {
            let chain = self.chain.take().expect("checked above");
            let got = self.insert_rows(&chain.receive);
            let chain = self.chain.insert(chain);
            got?;
            chain.in_flight -= 1;
        }
        self.project(seq, &event)
    }

    /// Appends one entry on this thread: payload, hash, row, projection.
    fn append_here(&mut self, event: Event) -> Result<(), Error> {
        let payload = serde_json::to_string(&event)?;
        let seq = self.head_seq + 1;
        let kind = event.kind();
        let hash = chain::entry_hash(&self.head_hash, seq, &self.actor.at, &self.actor.name, kind, &payload);
        self.tx.prepare_cached(INSERT_LOG_ROW)?.execute(params![
            self.ledger.id,
            seq,
            self.actor.at,
            self.actor.name,
            kind,
            payload,
            &self.head_hash.0[..],
            &hash.0[..]
        ])?;
        self.project(seq, &event)?;
        self.head_hash = hash;
        Ok(())
    }

    /// Writes an appended entry's projection and keeps the caches.
    fn project(&mut self, seq: i64, event: &Event) -> Result<(), Error> {
        for change in self.projector.apply(self.tx, seq, &self.actor.at, event)? {
            self.chart.apply(&change);
            self.registry.apply(&change);
            match change {
                Change::Setting { key, value } => self.settings.set(key, value),
                Change::CalendarDay(day) => self.settings.calendar.mark(day),
                Change::VoucherRecorded { voucher, .. } => {
                    self.next_numbers.insert(voucher.period(), voucher.reference().number + 1);
                }
                Change::Turnover(amount) => {
                    if let Some(t) = &mut self.turnover {
                        *t = t.saturating_add(amount.fen());
                    }
                }
                Change::PeriodClosed { period, .. } => {
                    self.closed.insert(period, true);
                }
                Change::PeriodReopened(period) => {
                    self.closed.insert(period, false);
                }
                _ => {}
            }
        }
        self.head_seq = seq;
        Ok(())
    }
}

impl Books for Writer<'_> {
    fn ledger(&self) -> &LedgerInfo {
        &self.ledger.info
    }

    fn chart(&self) -> &Chart {
        &self.chart
    }

    fn registry(&self) -> &Registry {
        &self.registry
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, BackendError> {
        Ok(load_authorization(self.db()?, self.ledger.id, number)?)
    }

    fn authorizations(&mut self) -> Result<Vec<Authorization>, BackendError> {
        Ok(load_authorizations(self.db()?, self.ledger.id)?)
    }

    fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, BackendError> {
        Ok(load_citing(self.db()?, self.ledger.id, number)?)
    }

    fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, BackendError> {
        Ok(load_receipt_books(self.db()?, self.ledger.id)?)
    }

    fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, BackendError> {
        typed(|| {
            Ok(self
                .tx
                .prepare_cached("SELECT MAX(serial) FROM receipts WHERE ledger_id = ?1 AND book = ?2")?
                .query_row(params![self.ledger.id, book], |r| r.get(0))?)
        })
    }

    fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, BackendError> {
        typed(|| Ok(load_receipts(self.db()?, self.ledger.id, Some((book, serial)))?.pop().map(|r| r.state)))
    }

    fn document_used(&mut self, document: &Document) -> Result<Option<VoucherRef>, BackendError> {
        typed(|| {
            let Some((doc_type, issuer, number)) = doc_key(document) else { return Ok(None) };
            let row: Option<(u32, u32)> = self
                .tx
                .prepare_cached(
                    "SELECT period, voucher_number FROM documents \
                     WHERE ledger_id = ?1 AND doc_type = ?2 AND issuer = ?3 AND number = ?4",
                )?
                .query_row(params![self.ledger.id, doc_type, issuer, number], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            Ok(row.and_then(|(p, n)| Period::from_key(p).map(|period| VoucherRef { period, number: n })))
        })
    }

    fn period_closed(&mut self, period: Period) -> Result<bool, BackendError> {
        typed(|| {
            if let Some(c) = self.closed.get(&period) {
                return Ok(*c);
            }
            let closed = self
                .tx
                .prepare_cached("SELECT 1 FROM periods WHERE ledger_id = ?1 AND period = ?2")?
                .exists(params![self.ledger.id, period.key()])?;
            self.closed.insert(period, closed);
            Ok(closed)
        })
    }

    fn next_number(&mut self, period: Period) -> Result<u32, BackendError> {
        typed(|| {
            if let Some(n) = self.next_numbers.get(&period) {
                return Ok(*n);
            }
            let n: u32 = self
                .tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM vouchers WHERE ledger_id = ?1 AND period = ?2",
                )?
                .query_row(params![self.ledger.id, period.key()], |r| r.get(0))?;
            self.next_numbers.insert(period, n);
            Ok(n)
        })
    }

    fn voucher(&mut self, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        Ok(projector::load_voucher(self.db()?, self.ledger.id, reference)?)
    }

    fn reversed_by(&mut self, r: VoucherRef) -> Result<Option<VoucherRef>, BackendError> {
        typed(|| {
            let row: Option<(u32, u32)> = self
                .tx
                .prepare_cached(
                    "SELECT period, number FROM vouchers WHERE ledger_id = ?1 AND reverses_period = ?2 AND reverses_number = ?3 LIMIT 1",
                )?
                .query_row(params![self.ledger.id, r.period.key(), r.number], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            Ok(row.and_then(|(p, n)| Period::from_key(p).map(|period| VoucherRef { period, number: n })))
        })
    }

    fn signatures(&mut self, r: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        Ok(load_signatures(self.db()?, self.ledger.id, r)?)
    }

    fn movements_from(
        &mut self,
        prefix: &str,
        date: time::Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<(time::Date, Money)>), BackendError> {
        typed(|| {
            let tx = self.db()?;
            self.projector.flush(tx)?;
            let period = Period::of(date);
            let like = format!("{prefix}%");
            let mut before: i64 = self
                .tx
                .prepare_cached(
                    "SELECT COALESCE(SUM(debit - credit), 0) FROM balances WHERE ledger_id = ?1 AND account LIKE ?2 AND period < ?3",
                )?
                .query_row(params![self.ledger.id, like, period.key()], |r| r.get(0))?;
            let mut later = Vec::new();
            let mut stmt = self.db()?.prepare_cached(
                "SELECT l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE v.ledger_id = ?1 AND v.period >= ?2 AND v.status = 'posted' \
                 UNION ALL \
                 SELECT l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE ?3 AND v.ledger_id = ?1 AND v.moved = 1 AND NOT (v.period >= ?2 AND v.status = 'posted')",
            )?;
            let mut rows = stmt.query(params![self.ledger.id, period.key(), confirmed])?;
            while let Some(row) = rows.next()? {
                let v = projector::voucher_of(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)?;
                let net: Money = v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(|l| l.signed()).sum();
                if v.date() < date {
                    before += net.fen();
                } else if !net.is_zero() {
                    later.push((v.date(), net));
                }
            }
            Ok((checked_money(before, "balances")?, later))
        })
    }

    fn fund_balance(&mut self, fund: &str) -> Result<Money, BackendError> {
        typed(|| {
            let tx = self.db()?;
            self.projector.flush(tx)?;
            let fen: i64 = self
                .tx
                .prepare_cached(
                    "SELECT COALESCE(SUM(income - spending), 0) FROM fund_totals WHERE ledger_id = ?1 AND fund = ?2",
                )?
                .query_row(params![self.ledger.id, fund], |r| r.get(0))?;
            checked_money(fen, "fund_totals")
        })
    }

    fn balance(&mut self, code: &str) -> Result<Money, BackendError> {
        let tx = self.db()?;
        self.projector.flush(tx)?;
        Ok(projector::account_balance(self.db()?, self.ledger.id, code)?)
    }

    fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, BackendError> {
        typed(|| {
            Ok(self
                .tx
                .prepare_cached("SELECT at FROM imports WHERE ledger_id = ?1 AND sha256 = ?2 ORDER BY seq LIMIT 1")?
                .query_row(params![self.ledger.id, sha256], |r| r.get(0))
                .optional()?)
        })
    }

    fn templates(&mut self) -> Result<Vec<qianzhang_core::template::Template>, BackendError> {
        typed(|| {
            let mut stmt =
                self.db()?.prepare_cached("SELECT body FROM templates WHERE ledger_id = ?1 ORDER BY name")?;
            let bodies = stmt.query_map(params![self.ledger.id], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for body in bodies {
                out.push(serde_json::from_str(&body?)?);
            }
            Ok(out)
        })
    }

    fn template(&mut self, name: &str) -> Result<Option<qianzhang_core::template::Template>, BackendError> {
        typed(|| {
            let body: Option<String> = self
                .tx
                .prepare_cached("SELECT body FROM templates WHERE ledger_id = ?1 AND name = ?2")?
                .query_row(params![self.ledger.id, name], |r| r.get(0))
                .optional()?;
            Ok(match body {
                Some(b) => Some(serde_json::from_str(&b)?),
                None => None,
            })
        })
    }

    fn openings(&mut self) -> Result<Vec<qianzhang_core::opening::Opening>, BackendError> {
        Ok(crate::queries::openings(self.db()?, self.ledger.id)?)
    }

    fn ever_closed(&mut self) -> Result<bool, BackendError> {
        typed(|| {
            // Months before go-live are closed by migrated history: not a close.
            let start = self.ledger.info.start;
            // The closes are listed in `audit_events`: the log itself holds
            // a million vouchers and has no index by kind.
            let mut stmt = self.db()?.prepare_cached(
                "SELECT l.payload FROM audit_events a JOIN log l ON l.ledger_id = a.ledger_id AND l.seq = a.seq \
                 WHERE a.ledger_id = ?1 AND a.kind = 'period_closed' ORDER BY a.seq",
            )?;
            let mut rows = stmt.query(params![self.ledger.id])?;
            while let Some(row) = rows.next()? {
                let payload: String = row.get(0)?;
                match Event::from_json(&payload)? {
                    Event::PeriodClosed { period, .. } if period >= start => return Ok(true),
                    _ => {}
                }
            }
            Ok(false)
        })
    }
    fn households(&mut self) -> Result<Vec<qianzhang_core::collection::Household>, BackendError> {
        Ok(crate::rows::load_households(self.db()?, self.ledger.id)?)
    }

    fn collections(&mut self) -> Result<Vec<qianzhang_core::collection::Collection>, BackendError> {
        Ok(crate::rows::load_collections(self.db()?, self.ledger.id)?)
    }

    fn funds(&mut self) -> Result<Vec<Fund>, BackendError> {
        Ok(load_funds(self.db()?, self.ledger.id)?)
    }

    fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, BackendError> {
        Ok(load_cash_counts(self.db()?, self.ledger.id, period.first_day(), period.last_day())?)
    }

    fn vouchers_touching(
        &mut self,
        prefix: &str,
        from: time::Date,
        to: time::Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<Voucher>), BackendError> {
        typed(|| {
            let tx = self.db()?;
            self.projector.flush(tx)?;
            let like = format!("{prefix}%");
            let first = Period::of(from);
            let mut before: i64 = self
                .tx
                .prepare_cached(
                    "SELECT COALESCE(SUM(debit - credit), 0) FROM balances WHERE ledger_id = ?1 AND account LIKE ?2 AND period < ?3",
                )?
                .query_row(params![self.ledger.id, like, first.key()], |r| r.get(0))?;
            let mut out = Vec::new();
            // Two selects, not one with OR: the posted ones are one range of
            // the primary key, and without `confirmed` the second is not
            // run at all (an OR would scan every voucher of the ledger).
            let mut stmt = self.db()?.prepare_cached(
                "SELECT l.payload, v.date, v.period, v.number FROM vouchers v \
                 JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE v.ledger_id = ?1 AND v.period BETWEEN ?2 AND ?3 AND v.status = 'posted' AND v.date <= ?4 \
                 UNION ALL \
                 SELECT l.payload, v.date, v.period, v.number FROM vouchers v \
                 JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE ?5 AND v.ledger_id = ?1 AND v.moved = 1 AND v.date <= ?4 \
                 AND NOT (v.period BETWEEN ?2 AND ?3 AND v.status = 'posted') \
                 ORDER BY 2, 3, 4",
            )?;
            let mut rows =
                stmt.query(params![self.ledger.id, first.key(), Period::of(to).key(), format_date(to), confirmed])?;
            while let Some(row) = rows.next()? {
                let v = projector::voucher_of(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)?;
                let on = v.lines().iter().filter(|l| l.account.starts_with(prefix));
                let mut any = false;
                let mut net = Money::ZERO;
                for l in on {
                    any = true;
                    net += l.signed();
                }
                if !any {
                    continue;
                }
                if v.date() < from {
                    before += net.fen();
                } else {
                    out.push(v);
                }
            }
            Ok((checked_money(before, "balances")?, out))
        })
    }

    fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, BackendError> {
        typed(|| {
            let mut stmt = self.db()?.prepare_cached(
                "SELECT number FROM vouchers WHERE ledger_id = ?1 AND period = ?2 AND status = 'prepared' ORDER BY number",
            )?;
            let rows = stmt.query_map(params![self.ledger.id, period.key()], |r| r.get::<_, u32>(0))?;
            let mut out = Vec::new();
            for n in rows {
                out.push(VoucherRef { period, number: n? });
            }
            Ok(out)
        })
    }

    fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, BackendError> {
        typed(|| {
            let tx = self.db()?;
            self.projector.flush(tx)?;
            let fen: i64 = self
                .tx
                .prepare_cached(
                    "SELECT COALESCE(SUM(debit - credit), 0) FROM balances WHERE ledger_id = ?1 AND account LIKE ?2 AND period <= ?3",
                )?
                .query_row(params![self.ledger.id, format!("{prefix}%"), period.key()], |r| r.get(0))?;
            checked_money(fen, "balances")
        })
    }

    fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, BackendError> {
        Ok(load_statement_lines(self.db()?, self.ledger.id, account)?)
    }

    fn statement_through(&mut self, account: &str) -> Result<Option<time::Date>, BackendError> {
        typed(|| {
            let through: Option<String> = self
                .tx
                .prepare_cached(
                    "SELECT MAX(d) FROM (SELECT MAX(date) AS d FROM statement_lines WHERE ledger_id = ?1 AND account = ?2 \
                     UNION ALL SELECT through FROM statement_reach WHERE ledger_id = ?1 AND account = ?2)",
                )?
                .query_row(params![self.ledger.id, account], |r| r.get(0))?;
            match through {
                None => Ok(None),
                Some(t) => Ok(Some(parse_date(&t).map_err(|_| Error::Corrupt(format!("statement date {t}")))?)),
            }
        })
    }

    fn next_statement_line(&mut self) -> Result<u64, BackendError> {
        typed(|| {
            let n: i64 = self
                .tx
                .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM statement_lines WHERE ledger_id = ?1")?
                .query_row(params![self.ledger.id], |r| r.get(0))?;
            Ok(n as u64)
        })
    }

    fn assets(&mut self) -> Result<Vec<Asset>, BackendError> {
        Ok(load_assets(self.db()?, self.ledger.id)?)
    }

    fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, BackendError> {
        typed(|| {
            let last: Option<u32> = self
                .tx
                .prepare_cached("SELECT MAX(period) FROM periods WHERE ledger_id = ?1 AND period < ?2")?
                .query_row(params![self.ledger.id, period.key()], |r| r.get(0))?;
            let Some(key) = last else { return Ok(None) };
            let closed =
                Period::from_key(key).ok_or_else(|| Error::Corrupt(format!("表 periods 中的期间 {key} 无效")))?;
            let mut stmt = self.db()?.prepare_cached(
                "SELECT account, voucher_period, voucher_number FROM in_transit WHERE ledger_id = ?1 AND period = ?2",
            )?;
            let mut rows = stmt.query(params![self.ledger.id, key])?;
            let mut list = Vec::new();
            while let Some(r) = rows.next()? {
                let p: u32 = r.get(1)?;
                list.push(InTransit {
                    account: r.get(0)?,
                    voucher: VoucherRef {
                        period: Period::from_key(p)
                            .ok_or_else(|| Error::Corrupt(format!("表 in_transit 中的期间 {p} 无效")))?,
                        number: r.get(2)?,
                    },
                });
            }
            Ok(Some((closed, list)))
        })
    }

    fn turnover(&mut self) -> Result<Money, BackendError> {
        typed(|| {
            if let Some(t) = self.turnover {
                return Ok(Money::from_fen(t));
            }
            // Kept by the projector as vouchers are recorded (migration 10), so
            // no command rescans the log for it.
            let stored: i64 = self
                .tx
                .prepare_cached("SELECT COALESCE((SELECT fen FROM turnover WHERE ledger_id = ?1), 0)")?
                .query_row(params![self.ledger.id], |r| r.get(0))?;
            let fen = stored.saturating_add(self.projector.pending_turnover());
            self.turnover = Some(fen);
            Ok(Money::from_fen(fen))
        })
    }

    fn reviews(&mut self) -> Result<Vec<qianzhang_core::disclosure::Review>, BackendError> {
        typed(|| crate::queries::reviews(self.db()?, &self.ledger))
    }

    fn publications(&mut self) -> Result<Vec<qianzhang_core::publication::Publication>, BackendError> {
        typed(|| crate::queries::publications(self.db()?, &self.ledger))
    }

    fn close_fingerprint(&mut self, period: Period) -> Result<Option<String>, BackendError> {
        typed(|| {
            Ok(crate::queries::close_fingerprint(self.db()?, &self.ledger, period)?.map(|h| h.fingerprint.to_hex()))
        })
    }

    fn scans_of(&mut self, reference: VoucherRef) -> Result<Vec<qianzhang_core::scan::ScanInfo>, BackendError> {
        typed(|| crate::queries::scans_of(self.db()?, &self.ledger, reference))
    }

    fn put_scan(
        &mut self,
        sha256: &str,
        media: qianzhang_core::scan::MediaType,
        bytes: &[u8],
    ) -> Result<(), BackendError> {
        typed(|| {
            self.db()?
                .prepare_cached("INSERT OR IGNORE INTO scans (sha256, media, bytes) VALUES (?1, ?2, ?3)")?
                .execute(params![sha256, media.mime(), bytes])?;
            Ok(())
        })
    }

    fn append(&mut self, event: Event) -> Result<(), Failure> {
        qianzhang_core::text::check_event(&event)?;
        Ok(self.append_event(event)?)
    }
}

/// A store result as the `Books` port reports it.
fn typed<T>(read: impl FnOnce() -> Result<T, Error>) -> Result<T, BackendError> {
    read().map_err(BackendError::from)
}
