//! The embedded store: one SQLite file holding any number of ledgers (账套).
//!
//! Architecture invariant: the store decides nothing about bookkeeping. It
//! runs a core command inside one SQLite transaction, appends the events the
//! command produced to the hash-chained log (AUD-1), projects them into the
//! tables reports read, and commits — or rolls everything back and logs only
//! the refusal.

mod chain;
mod projector;
mod schema;
mod verify;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use qianzhang_core::approval::{Authorization, SettingKey, Settings};
use qianzhang_core::audit::{self, AuditVoucher, LogFact};
use qianzhang_core::bank::{InTransit, StatementLine, StoredLine};
use qianzhang_core::books::{Books, FirstAdmin, LedgerInfo, StoreError};
use qianzhang_core::cash::CashCount;
use qianzhang_core::disclosure::{Asset, Review};
use qianzhang_core::documents::doc_key;
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::{SignKind, Signature};
use qianzhang_core::people::{Appointment, KinFact, Registry};
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::projection::Change;
use qianzhang_core::receipts::{ReceiptBook, ReceiptState};
use qianzhang_core::report::PeriodTotal;
use qianzhang_core::Document;
use qianzhang_core::{Account, Chart, Event, Failure, Money, Period, Refusals, Status, Voucher, VoucherRef};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

pub use chain::{entry_hash, Fingerprint, GENESIS};
pub use schema::SCHEMA_VERSION;
pub use verify::{Anchor, AnchorEntry, Mismatch, SinceEntry, VerifyReport, SHORT_FINGERPRINT_DIGITS};

/// Faults of the store itself, as opposed to refusals by a rule.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("SQLite: {0}")]
    Sqlite(rusqlite::Error),
    /// A log entry or a stored value that does not parse: the engine wrote
    /// none such, so the file was altered (AUD-2).
    #[error("账簿文件中有本程序不会写出的内容（日志内容无法解析）：{0}")]
    Json(#[from] serde_json::Error),
    /// The file says it was written by a newer schema: a newer program, or
    /// a `user_version` altered by hand.
    #[error("账簿文件的版本 {0} 比本程序支持的 {1} 新：请升级 qianzhang；若从未用过新版本，则该文件被改动过")]
    NewerSchema(i64, i64),
    /// Content the engine never writes, with where it is (table, row,
    /// column): a value of the wrong type, text that is not UTF-8, a period
    /// or state it does not know (AUD-2).
    #[error("账簿文件中有本程序不会写出的内容：{0}")]
    Corrupt(String),
    /// The caller's own output failed while the store was handing it rows.
    #[error("写出失败：{0}")]
    Output(#[from] std::io::Error),
}

impl From<rusqlite::Error> for Error {
    /// A value SQLite holds but not in the type or encoding the engine
    /// writes is damage to the file, not a fault of SQLite.
    fn from(e: rusqlite::Error) -> Error {
        use rusqlite::Error as E;
        match &e {
            E::InvalidColumnType(_, column, ty) => Error::Corrupt(format!("列 {column} 的值类型为 {ty}")),
            E::FromSqlConversionFailure(i, ty, err) => {
                Error::Corrupt(format!("查询的第 {} 列（类型 {ty}）无法读取：{err}", i + 1))
            }
            E::IntegralValueOutOfRange(i, v) => Error::Corrupt(format!("查询的第 {} 列的数值 {v} 超出范围", i + 1)),
            E::Utf8Error(err) => Error::Corrupt(format!("文本不是有效的 UTF-8：{err}")),
            E::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseCorrupt => {
                Error::Corrupt(format!("数据库页面损坏：{e}"))
            }
            _ => Error::Sqlite(e),
        }
    }
}

impl Error {
    /// Another process holds the store's write lock (an import, say) and
    /// did not let go within the wait.
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }

    /// The file holds what the engine never writes: an integrity failure
    /// (exit 3), not a fault of the program.
    pub fn is_damage(&self) -> bool {
        matches!(self, Error::Corrupt(_) | Error::Json(_) | Error::NewerSchema(..))
    }

    /// The store error inside a [`Failure::Store`], whichever layer boxed
    /// it (the `Books` port boxes SQLite and JSON errors as they come).
    pub fn from_boxed(
        e: Box<dyn std::error::Error + Send + Sync>,
    ) -> Result<Error, Box<dyn std::error::Error + Send + Sync>> {
        let e = match e.downcast::<Error>() {
            Ok(e) => return Ok(*e),
            Err(e) => e,
        };
        let e = match e.downcast::<rusqlite::Error>() {
            Ok(e) => return Ok(Error::from(*e)),
            Err(e) => e,
        };
        match e.downcast::<serde_json::Error>() {
            Ok(e) => Ok(Error::Json(*e)),
            Err(e) => Err(e),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Store(Box::new(e))
    }
}

/// Who acts, when, and with which command: recorded with every log entry.
#[derive(Clone, Debug)]
pub struct Actor {
    pub name: String,
    /// RFC 3339 time of the act, supplied by the caller (the core reads no clock).
    pub at: String,
    /// The command as typed, for the record of refused attempts.
    pub command: String,
}

/// A ledger chosen for a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerHandle {
    pub id: i64,
    pub info: LedgerInfo,
}

/// One entry of the log, as listed for people.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub event: Event,
    pub hash: Fingerprint,
}

/// The SQLite store.
pub struct Store {
    conn: Connection,
    /// How long this store may wait, in all, for other commands to let go.
    wait: Duration,
    /// How long it has waited so far.
    waited: Duration,
}

/// The default wait for a busy store.
pub const BUSY_WAIT: Duration = Duration::from_secs(10);

impl Store {
    /// Opens (creating if needed) the store at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, Error> {
        Store::open_waiting(path, BUSY_WAIT)
    }

    /// Opens the store, waiting at most `wait` in all for another command
    /// holding it: the open and every transaction share the one wait.
    ///
    /// A new store file is created readable by its owner only (0600): it
    /// holds everyone's passphrase hashes. SQLite gives its journal the
    /// same mode.
    pub fn open_waiting(path: &Path, wait: Duration) -> Result<Store, Error> {
        let started = Instant::now();
        create_private(path);
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(wait)?;
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn, wait, waited: started.elapsed() })
    }

    /// Every ledger in the store, in creation order.
    pub fn ledgers(&self) -> Result<Vec<LedgerHandle>, Error> {
        let mut stmt = self.conn.prepare("SELECT id, name, start_period FROM ledgers ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, rusqlite::types::Value>(0)?,
                r.get::<_, rusqlite::types::Value>(1)?,
                r.get::<_, rusqlite::types::Value>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for (n, row) in rows.enumerate() {
            use rusqlite::types::Value;
            let (id, name, start) = row?;
            let place = |column: &str| format!("表 ledgers 第 {} 行的 {column} 列", n + 1);
            let Value::Integer(id) = id else { return Err(Error::Corrupt(format!("{}不是整数", place("id")))) };
            let Value::Text(name) = name else { return Err(Error::Corrupt(format!("{}不是文本", place("name")))) };
            let start = match start {
                Value::Integer(key) => u32::try_from(key).ok().and_then(Period::from_key),
                _ => None,
            }
            .ok_or_else(|| {
                Error::Corrupt(format!("{}（账套“{name}”的启用期间）不是有效的期间", place("start_period")))
            })?;
            out.push(LedgerHandle { id, info: LedgerInfo { name, start } });
        }
        Ok(out)
    }

    /// [LED-1] picks the ledger by name, or the only one when none is named.
    pub fn select(&self, name: Option<&str>) -> Result<LedgerHandle, Failure> {
        let all = self.ledgers()?;
        let infos: Vec<LedgerInfo> = all.iter().map(|l| l.info.clone()).collect();
        let index = qianzhang_core::books::select_ledger(&infos, name)?;
        Ok(all[index].clone())
    }

    /// Creates a ledger with the default chart and its first administrator.
    pub fn create_ledger(
        &mut self,
        name: &str,
        start: Period,
        admin: &FirstAdmin,
        actor: &Actor,
    ) -> Result<LedgerHandle, Failure> {
        let existing: Vec<LedgerInfo> = self.ledgers()?.into_iter().map(|l| l.info).collect();
        let events = qianzhang_core::books::create_ledger(&existing, name, start, admin)?;
        let tx = begin_immediate(&mut self.conn, self.wait, &mut self.waited)?;
        let id: i64 =
            tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM ledgers", [], |r| r.get(0)).map_err(Error::from)?;
        let info = LedgerInfo { name: name.trim().to_string(), start };
        let mut w =
            Writer::new(&tx, LedgerHandle { id, info: info.clone() }, actor, LedgerState::default(), 0, GENESIS);
        for e in events {
            w.append(e)?;
        }
        w.finish()?;
        tx.commit().map_err(Error::from)?;
        Ok(LedgerHandle { id, info })
    }

    /// Runs `command` against the ledger in one transaction. On success the
    /// events it appended are committed; on refusal nothing is kept but a
    /// `Refused` entry in the log.
    pub fn write<T>(
        &mut self,
        ledger: &LedgerHandle,
        actor: &Actor,
        command: impl FnOnce(&mut Writer<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let outcome = {
            let tx = begin_immediate(&mut self.conn, self.wait, &mut self.waited)?;
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
    /// [`Books`]) inside a read transaction that is always rolled back.
    pub fn read<T>(
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

    /// The fixed-asset register.
    pub fn assets(&self, ledger: &LedgerHandle) -> Result<Vec<Asset>, Error> {
        load_assets(&self.conn, ledger.id)
    }

    /// Every review opinion recorded, in order.
    pub fn reviews(&self, ledger: &LedgerHandle) -> Result<Vec<Review>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT span, reviewer, opinion, date FROM disclosure_reviews WHERE ledger_id = ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![ledger.id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let date: String = r.get(3)?;
            out.push(Review {
                span: r.get(0)?,
                by: r.get(1)?,
                opinion: r.get(2)?,
                date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 disclosure_reviews：{e}")))?,
            });
        }
        Ok(out)
    }

    /// The budgets of a year, per account.
    pub fn budgets(&self, ledger: &LedgerHandle, year: i32) -> Result<Vec<(String, Money)>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account, amount FROM budgets WHERE ledger_id = ?1 AND year = ?2 ORDER BY account",
        )?;
        let rows = stmt.query_map(params![ledger.id, year], |r| Ok((r.get(0)?, Money::from_fen(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether a period is closed now.
    pub fn is_closed(&self, ledger: &LedgerHandle, period: Period) -> Result<bool, Error> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM periods WHERE ledger_id = ?1 AND period = ?2")?
            .exists(params![ledger.id, period.key()])?)
    }

    /// The fingerprint at the latest close of `period` (AUD-3): the hash of
    /// the log entry that closed it, with that entry's number.
    pub fn close_fingerprint(
        &self,
        ledger: &LedgerHandle,
        period: Period,
    ) -> Result<Option<(i64, Fingerprint)>, Error> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT seq, hash FROM log WHERE ledger_id = ?1 AND kind = 'period_closed' \
                 AND json_extract(payload, '$.period') = ?2 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(params![ledger.id, period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(seq, hash)| {
            let bytes: [u8; 32] =
                hash.try_into().map_err(|_| Error::Corrupt(format!("表 log 第 {seq} 条的哈希不是 32 字节")))?;
            Ok((seq, Fingerprint(bytes)))
        })
        .transpose()
    }

    /// [AUD-1] vouchers entered since go-live and dated `from..=to`, with
    /// their signatures and the day their content was written.
    pub fn audit_vouchers(
        &self,
        ledger: &LedgerHandle,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<AuditVoucher>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.status, l.payload, l.at, l.seq FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
             WHERE v.ledger_id = ?1 AND v.origin != 'history' AND v.period BETWEEN ?2 AND ?3 AND v.date BETWEEN ?4 AND ?5 \
             ORDER BY v.period, v.number",
        )?;
        // History lies before go-live and nothing else does (VCH-3): the
        // months before it need not be read.
        let first = Period::of(from).max(ledger.info.start);
        let mut rows =
            stmt.query(params![ledger.id, first.key(), Period::of(to).key(), format_date(from), format_date(to)])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let status: String = row.get(0)?;
            let status = Status::from_str_opt(&status)
                .ok_or_else(|| Error::Corrupt(format!("表 vouchers 中的凭证状态 {status} 不认识")))?;
            let voucher = projector::voucher_of(row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?)?;
            let at: String = row.get(2)?;
            let seq: i64 = row.get(3)?;
            out.push((voucher, status, at, seq));
        }
        let mut result = Vec::with_capacity(out.len());
        for (voucher, status, at, entered_seq) in out {
            let signatures = load_signatures(&self.conn, ledger.id, voucher.reference())?;
            let entered = parse_date(at.get(..10).unwrap_or("")).unwrap_or(voucher.date());
            result.push(AuditVoucher { voucher, status, signatures, entered, entered_seq });
        }
        Ok(result)
    }

    /// Migrated history per period of `from..=to`: vouchers and debit total.
    pub fn history_summary(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<(Period, u64, Money)>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.period, COUNT(*), (SELECT COALESCE(SUM(b.debit), 0) FROM balances b WHERE b.ledger_id = v.ledger_id \
             AND b.period = v.period) FROM vouchers v WHERE v.ledger_id = ?1 AND v.origin = 'history' \
             AND v.period BETWEEN ?2 AND ?3 GROUP BY v.period ORDER BY v.period",
        )?;
        let to = to.min(ledger.info.start.prev());
        let rows = stmt.query_map(params![ledger.id, from.key(), to.key()], |r| {
            Ok((r.get::<_, u32>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (p, n, fen) = row?;
            let period = Period::from_key(p).ok_or_else(|| Error::Corrupt(format!("表 vouchers 中的期间 {p} 无效")))?;
            out.push((period, n as u64, Money::from_fen(fen)));
        }
        Ok(out)
    }

    /// [PUB-1, HND-1] the vouchers of `from..=to` voided before posting,
    /// with the reason, who voided each and when, in number order.
    pub fn voided(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<qianzhang_core::disclosure::Voided>, Error> {
        let mut vouchers = Vec::new();
        self.each_voucher(ledger, from, to, |v, s| {
            if s == Status::Voided {
                vouchers.push(v);
            }
            Ok(())
        })?;
        if vouchers.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, actor, payload FROM log WHERE ledger_id = ?1 AND kind = 'voucher_voided' ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![ledger.id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let at: String = r.get(0)?;
            let voided_on = parse_date(at.get(..10).unwrap_or("")).map_err(|e| Error::Corrupt(e.to_string()))?;
            let event: Event = serde_json::from_str(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?)?;
            let Event::VoucherVoided { reference, reason } = event else {
                return Err(Error::Corrupt(format!("log entry of kind voucher_voided holds {}", event.kind())));
            };
            if let Some(v) = vouchers.iter().find(|v| v.reference() == reference) {
                out.push(qianzhang_core::disclosure::Voided {
                    voucher: reference,
                    date: v.date(),
                    summary: v.lines().first().map(|l| l.summary.clone()).unwrap_or_default(),
                    amount: v.total_debit(),
                    reason,
                    by: r.get(1)?,
                    voided_on,
                });
            }
        }
        out.sort_by_key(|x| x.voucher);
        Ok(out)
    }

    /// Log entries of the given kinds (refused, period_closed,
    /// period_reopened, kinship_recorded, handover_completed), in order, with
    /// the day they were made.
    pub fn log_facts(&self, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, Error> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.seq, l.at, l.actor, l.kind, l.payload FROM audit_events a \
             JOIN log l ON l.ledger_id = a.ledger_id AND l.seq = a.seq WHERE a.ledger_id = ?1 ORDER BY a.seq",
        )?;
        let mut rows = stmt.query(params![ledger.id])?;
        while let Some(r) = rows.next()? {
            let kind: String = r.get(3)?;
            if !kinds.contains(&kind.as_str()) {
                continue;
            }
            let at: String = r.get(1)?;
            let date = parse_date(at.get(..10).unwrap_or(""))
                .map_err(|e| Error::Corrupt(format!("表 log 第 {} 条的时间：{e}", r.get::<_, i64>(0).unwrap_or(0))))?;
            let event: Event = serde_json::from_str(r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?)?;
            out.push(LogFact { seq: r.get(0)?, date, actor: r.get(2)?, event });
        }
        out.sort_by_key(|f| f.seq);
        Ok(out)
    }

    /// [OPR-1] the failed sign-ins claiming `name` since the person last
    /// acted or had a passphrase set, oldest first: what the lockout counts.
    pub fn failed_sign_ins(&self, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, Error> {
        let mut failures = Vec::new();
        for f in self.log_facts(ledger, &["sign_in_failed", "passphrase_set"])? {
            match &f.event {
                Event::PassphraseSet { person, .. } if person == name => failures.clear(),
                Event::SignInFailed { claimed, .. } if claimed == name => failures.push((f.seq, f.event)),
                _ => {}
            }
        }
        if let Some((first, _)) = failures.first() {
            let acted: Option<i64> = self
                .conn
                .prepare_cached("SELECT MAX(seq) FROM log WHERE ledger_id = ?1 AND seq > ?2 AND actor = ?3")?
                .query_row(params![ledger.id, first, name], |r| r.get(0))?;
            if let Some(acted) = acted {
                failures.retain(|(seq, _)| *seq > acted);
            }
        }
        Ok(failures.into_iter().map(|(_, e)| e).collect())
    }

    /// The cash counts of `from..=to`, in the order recorded.
    pub fn cash_counts(
        &self,
        ledger: &LedgerHandle,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<CashCount>, Error> {
        load_cash_counts(&self.conn, ledger.id, from, to)
    }

    /// [AUD-1] every act of a person between two days, as the log has it.
    pub fn acts_of(
        &self,
        ledger: &LedgerHandle,
        person: &str,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<audit::Act>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, payload, hash, actor FROM log WHERE ledger_id = ?1 \
             AND (actor = ?2 OR kind = 'passphrase_set') \
             AND substr(at, 1, 10) BETWEEN ?3 AND ?4 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![ledger.id, person, format_date(from), format_date(to)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let event: Event = serde_json::from_str(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?)?;
            let actor: String = r.get(4)?;
            // Someone else's act shows in the trail only when it reset this
            // person's passphrase.
            let description = match &event {
                _ if actor == person => None,
                Event::PassphraseSet { person: p, reset: true, .. } if p == person => {
                    Some(format!("{actor}：{}", event.describe()))
                }
                _ => continue,
            };
            let hash: Vec<u8> = r.get(3)?;
            let refused = match &event {
                Event::Refused { rule, .. } => Some(*rule),
                _ => None,
            };
            let description = description.unwrap_or_else(|| match &event {
                Event::Refused { reasons, .. } => format!(
                    "{}：{}",
                    event.describe(),
                    reasons.reasons.first().map(|x| x.message.as_str()).unwrap_or("")
                ),
                _ => event.describe(),
            });
            out.push(audit::Act { seq: r.get(0)?, at: r.get(1)?, description, refused, hash: hex::encode(hash) });
        }
        Ok(out)
    }

    /// The hash of the last log entry made on or before `date`: the
    /// fingerprint at that day's end.
    pub fn fingerprint_at(&self, ledger: &LedgerHandle, date: time::Date) -> Result<Option<(i64, Fingerprint)>, Error> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT seq, hash FROM log WHERE ledger_id = ?1 AND substr(at, 1, 10) <= ?2 ORDER BY seq DESC LIMIT 1",
            )?
            .query_row(params![ledger.id, format_date(date)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(seq, hash)| Ok((seq, Fingerprint::from_slice(&hash)?))).transpose()
    }

    /// The special funds of a ledger, in the order declared.
    pub fn funds(&self, ledger: &LedgerHandle) -> Result<Vec<Fund>, Error> {
        load_funds(&self.conn, ledger.id)
    }

    /// Records a refused attempt (AUD-1) that never reached a command, such
    /// as unreadable input; [`Store::write`] records its own refusals.
    pub fn log_refusal(&mut self, ledger: &LedgerHandle, actor: &Actor, reasons: &Refusals) -> Result<(), Error> {
        let tx = begin_immediate(&mut self.conn, self.wait, &mut self.waited)?;
        let mut w = match Writer::open(&tx, ledger.clone(), actor) {
            Ok(w) => w,
            // An entry dated before the last cannot be logged (AUD-1).
            Err(Failure::Refused(_)) => return Ok(()),
            Err(Failure::Store(e)) => {
                return Err(Error::from_boxed(e).unwrap_or_else(|e| Error::Corrupt(e.to_string())))
            }
        };
        let mut logged = reasons.clone();
        logged.unlisted += logged.reasons.len().saturating_sub(MAX_LOGGED_REASONS);
        logged.reasons.truncate(MAX_LOGGED_REASONS);
        w.append_event(Event::Refused { command: actor.command.clone(), rule: reasons.first_rule(), reasons: logged })?;
        w.finish()?;
        drop(w);
        tx.commit()?;
        Ok(())
    }

    /// The chart of accounts of a ledger.
    pub fn chart(&self, ledger: &LedgerHandle) -> Result<Chart, Error> {
        load_chart(&self.conn, ledger.id)
    }

    /// The people, appointments and kinship facts of a ledger.
    pub fn registry(&self, ledger: &LedgerHandle) -> Result<Registry, Error> {
        load_registry(&self.conn, ledger.id)
    }

    /// Posted debit/credit totals per leaf account and period.
    pub fn period_totals(&self, ledger: &LedgerHandle) -> Result<Vec<(String, Period, Money, Money)>, Error> {
        let mut stmt =
            self.conn.prepare_cached("SELECT account, period, debit, credit FROM balances WHERE ledger_id = ?1")?;
        let rows = stmt.query_map([ledger.id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (account, period, debit, credit) = row?;
            let period = Period::from_key(period)
                .ok_or_else(|| Error::Corrupt(format!("表 balances 中的期间 {period} 无效")))?;
            out.push((account, period, Money::from_fen(debit), Money::from_fen(credit)));
        }
        Ok(out)
    }

    /// Money into and out of each special fund per period.
    pub fn fund_totals(&self, ledger: &LedgerHandle) -> Result<Vec<(String, Period, Money, Money)>, Error> {
        let mut stmt =
            self.conn.prepare_cached("SELECT fund, period, income, spending FROM fund_totals WHERE ledger_id = ?1")?;
        let rows = stmt.query_map([ledger.id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (fund, period, income, spending) = row?;
            let period = Period::from_key(period)
                .ok_or_else(|| Error::Corrupt(format!("表 fund_totals 中的期间 {period} 无效")))?;
            out.push((fund, period, Money::from_fen(income), Money::from_fen(spending)));
        }
        Ok(out)
    }

    /// The first and last period holding vouchers, if any. Two single-ended
    /// queries, so each is one index probe rather than a scan.
    pub fn period_span(&self, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, Error> {
        let end = |order: &str| -> Result<Option<u32>, Error> {
            let sql = format!("SELECT period FROM vouchers WHERE ledger_id = ?1 ORDER BY period {order} LIMIT 1");
            Ok(self.conn.prepare_cached(&sql)?.query_row([ledger.id], |r| r.get(0)).optional()?)
        };
        Ok(match (end("ASC")?, end("DESC")?) {
            (Some(a), Some(b)) => Period::from_key(a).zip(Period::from_key(b)),
            _ => None,
        })
    }

    /// Receipt books and every receipt used or voided.
    #[allow(clippy::type_complexity)]
    pub fn receipts(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<(Vec<ReceiptBook>, Vec<(String, u32, ReceiptState)>), Error> {
        Ok((load_receipt_books(&self.conn, ledger.id)?, load_receipts(&self.conn, ledger.id, None)?))
    }

    pub fn settings(&self, ledger: &LedgerHandle) -> Result<Settings, Error> {
        load_settings(&self.conn, ledger.id)
    }

    /// Every authorization with what it has paid for so far.
    pub fn authorizations(&self, ledger: &LedgerHandle) -> Result<Vec<(Authorization, Money)>, Error> {
        let chart = self.chart(ledger)?;
        let mut out = Vec::new();
        for a in load_authorizations(&self.conn, ledger.id)? {
            let citing = load_citing(&self.conn, ledger.id, &a.number)?;
            let used = qianzhang_core::approval::spent(&chart, &citing, None);
            out.push((a, used));
        }
        Ok(out)
    }

    /// The signatures standing on a voucher.
    pub fn signatures(&self, ledger: &LedgerHandle, r: VoucherRef) -> Result<Vec<Signature>, Error> {
        load_signatures(&self.conn, ledger.id, r)
    }

    /// One voucher with its status.
    pub fn voucher(&self, ledger: &LedgerHandle, r: VoucherRef) -> Result<Option<(Voucher, Status)>, Error> {
        projector::load_voucher(&self.conn, ledger.id, r)
    }

    /// Calls `f` for every voucher of `from..=to` in period and number order.
    pub fn each_voucher(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
        mut f: impl FnMut(Voucher, Status) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.status, l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
             WHERE v.ledger_id = ?1 AND v.period BETWEEN ?2 AND ?3 ORDER BY v.period, v.number",
        )?;
        let mut rows = stmt.query(params![ledger.id, from.key(), to.key()])?;
        while let Some(row) = rows.next()? {
            let status: String = row.get(0)?;
            let status = Status::from_str_opt(&status)
                .ok_or_else(|| Error::Corrupt(format!("表 vouchers 中的凭证状态 {status} 不认识")))?;
            let payload = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            f(projector::voucher_of(payload)?, status)?;
        }
        Ok(())
    }

    /// The vouchers of `from..=to`.
    pub fn vouchers(&self, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<(Voucher, Status)>, Error> {
        let mut out = Vec::new();
        self.each_voucher(ledger, from, to, |v, s| {
            out.push((v, s));
            Ok(())
        })?;
        Ok(out)
    }

    /// The ledger's fingerprint: the hash of its last log entry, and its number.
    pub fn fingerprint(&self, ledger: &LedgerHandle) -> Result<(i64, Fingerprint), Error> {
        head(&self.conn, ledger.id)
    }

    /// The last `limit` log entries, newest last.
    pub fn log_tail(&self, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, Error> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, payload, hash FROM (SELECT * FROM log WHERE ledger_id = ?1 ORDER BY seq DESC LIMIT ?2) ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![ledger.id, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at, actor, payload, hash) = row?;
            out.push(LogEntry {
                seq,
                at,
                actor,
                event: serde_json::from_str(&payload)?,
                hash: Fingerprint::from_slice(&hash)?,
            });
        }
        Ok(out)
    }

    /// [AUD-2] recomputes the chain and every projection from the log.
    pub fn verify(&self, ledger: &LedgerHandle) -> Result<VerifyReport, Error> {
        verify::verify(&self.conn, ledger, None)
    }

    /// [AUD-2] verifies and proves that the history up to a fingerprint
    /// published earlier was not rewritten.
    pub fn verify_against(&self, ledger: &LedgerHandle, anchor: Anchor) -> Result<VerifyReport, Error> {
        verify::verify(&self.conn, ledger, Some(anchor))
    }
}

/// Refusals kept in one log entry; the rest are counted.
const MAX_LOGGED_REASONS: usize = 50;

fn head(conn: &Connection, ledger_id: i64) -> Result<(i64, Fingerprint), Error> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM log WHERE ledger_id = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([ledger_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((seq, hash)) => Ok((seq, Fingerprint::from_slice(&hash)?)),
        None => Ok((0, GENESIS)),
    }
}

/// The time of the ledger's last log entry.
fn last_at(conn: &Connection, ledger_id: i64) -> Result<Option<String>, Error> {
    Ok(conn
        .prepare_cached("SELECT at FROM log WHERE ledger_id = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([ledger_id], |r| r.get(0))
        .optional()?)
}

fn load_chart(conn: &Connection, ledger_id: i64) -> Result<Chart, Error> {
    let mut stmt = conn.prepare_cached("SELECT code, name, kind, opened, closed FROM accounts WHERE ledger_id = ?1")?;
    let rows = stmt.query_map([ledger_id], |r| {
        Ok(serde_json::json!({
            "code": r.get::<_, String>(0)?,
            "name": r.get::<_, String>(1)?,
            "kind": r.get::<_, String>(2)?,
            "opened": r.get::<_, Option<String>>(3)?,
            "closed": r.get::<_, Option<String>>(4)?,
        }))
    })?;
    let mut accounts = Vec::new();
    for row in rows {
        accounts.push(serde_json::from_value::<Account>(row?)?);
    }
    Ok(Chart::from_accounts(accounts))
}

fn load_receipt_books(conn: &Connection, ledger_id: i64) -> Result<Vec<ReceiptBook>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT book, first, last, date, holder FROM receipt_books WHERE ledger_id = ?1 ORDER BY book",
    )?;
    let rows = stmt.query_map([ledger_id], |r| {
        Ok(serde_json::json!({
            "book": r.get::<_, String>(0)?,
            "first": r.get::<_, u32>(1)?,
            "last": r.get::<_, u32>(2)?,
            "date": r.get::<_, String>(3)?,
            "holder": r.get::<_, String>(4)?,
        }))
    })?;
    let mut out = Vec::new();
    for row in rows {
        out.push(serde_json::from_value(row?)?);
    }
    Ok(out)
}

/// Receipts used or voided: of one serial, or all.
fn load_receipts(
    conn: &Connection,
    ledger_id: i64,
    one: Option<(&str, u32)>,
) -> Result<Vec<(String, u32, ReceiptState)>, Error> {
    let (book, serial) = one.map_or((None, None), |(b, s)| (Some(b), Some(s)));
    let mut stmt = conn.prepare_cached(
        "SELECT book, serial, state, payer, amount, date, reason FROM receipts \
         WHERE ledger_id = ?1 AND (?2 IS NULL OR (book = ?2 AND serial = ?3)) ORDER BY book, serial",
    )?;
    let rows = stmt.query_map(params![ledger_id, book, serial], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (book, serial, state, payer, amount, date, reason) = row?;
        let state = match state.as_str() {
            "issued" => ReceiptState::Issued {
                payer: payer.unwrap_or_default(),
                amount: Money::from_fen(amount.unwrap_or_default()),
                date: qianzhang_core::period::parse_date(&date.unwrap_or_default())
                    .map_err(|e| Error::Corrupt(format!("表 receipts 中收据 {book}{serial}：{e}")))?,
            },
            _ => ReceiptState::Voided { reason: reason.unwrap_or_default() },
        };
        out.push((book, serial, state));
    }
    Ok(out)
}

fn load_settings(conn: &Connection, ledger_id: i64) -> Result<Settings, Error> {
    let mut settings = Settings::default();
    let mut stmt = conn.prepare_cached("SELECT key, value FROM settings WHERE ledger_id = ?1")?;
    for row in stmt.query_map([ledger_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (key, value) = row?;
        let key =
            SettingKey::parse(&key).ok_or_else(|| Error::Corrupt(format!("表 settings 中的设置项 {key} 不认识")))?;
        settings.set(key, &value);
    }
    Ok(settings)
}

fn authorization_of(row: &rusqlite::Row<'_>) -> Result<serde_json::Value, rusqlite::Error> {
    Ok(serde_json::json!({
        "number": row.get::<_, String>(0)?,
        "kind": row.get::<_, String>(1)?,
        "date": row.get::<_, String>(2)?,
        "scope": row.get::<_, String>(3)?,
        "cap": Money::from_fen(row.get::<_, i64>(4)?),
        "stand_aside": match row.get::<_, Option<String>>(5)? {
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
            })?,
            None => serde_json::Value::Null,
        },
    }))
}

fn load_authorizations(conn: &Connection, ledger_id: i64) -> Result<Vec<Authorization>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, kind, date, scope, cap, stand_aside FROM authorizations WHERE ledger_id = ?1 \
         ORDER BY date, number",
    )?;
    let rows: Vec<serde_json::Value> = stmt.query_map([ledger_id], authorization_of)?.collect::<Result<_, _>>()?;
    Ok(rows.into_iter().map(serde_json::from_value).collect::<Result<_, _>>()?)
}

fn load_authorization(conn: &Connection, ledger_id: i64, number: &str) -> Result<Option<Authorization>, Error> {
    let row = conn
        .prepare_cached(
            "SELECT number, kind, date, scope, cap, stand_aside FROM authorizations \
             WHERE ledger_id = ?1 AND number = ?2",
        )?
        .query_row(params![ledger_id, number], authorization_of)
        .optional()?;
    Ok(row.map(serde_json::from_value).transpose()?)
}

fn load_citing(conn: &Connection, ledger_id: i64, number: &str) -> Result<Vec<(Voucher, Status)>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.status, l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
         WHERE v.ledger_id = ?1 AND v.authorization = ?2 ORDER BY v.period, v.number",
    )?;
    let rows = stmt.query_map(params![ledger_id, number], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (status, payload) = row?;
        let status = Status::from_str_opt(&status)
            .ok_or_else(|| Error::Corrupt(format!("表 vouchers 中的凭证状态 {status} 不认识")))?;
        out.push((projector::voucher_of(&payload)?, status));
    }
    Ok(out)
}

fn load_signatures(conn: &Connection, ledger_id: i64, r: VoucherRef) -> Result<Vec<Signature>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, person, appointment_from, at, resolution FROM signatures \
         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND withdrawn_seq IS NULL ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![ledger_id, r.period.key(), r.number], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, person, from, at, resolution) = row?;
        let kind = SignKind::from_str_opt(&kind)
            .ok_or_else(|| Error::Corrupt(format!("表 signatures 中凭证 {r} 的签字类型 {kind} 不认识")))?;
        let appointment_from = qianzhang_core::period::parse_date(&from)
            .map_err(|e| Error::Corrupt(format!("表 signatures 中凭证 {r} 的签字：{e}")))?;
        out.push(Signature { kind, person, appointment_from, at, resolution });
    }
    Ok(out)
}

fn load_registry(conn: &Connection, ledger_id: i64) -> Result<Registry, Error> {
    let mut people = Vec::new();
    let mut resets = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT name, passphrase, reset FROM people WHERE ledger_id = ?1 ORDER BY name")?;
    let rows = stmt.query_map([ledger_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, bool>(2)?))
    })?;
    for row in rows {
        let (name, hash, reset) = row?;
        if reset {
            resets.push(name.clone());
        }
        people.push((name, hash));
    }
    let mut appointments = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT person, role, from_date, ended, leader, title, acting FROM appointments WHERE ledger_id = ?1 \
         ORDER BY seq",
    )?;
    let rows = stmt.query_map([ledger_id], |r| {
        Ok(serde_json::json!({
            "person": r.get::<_, String>(0)?,
            "role": r.get::<_, String>(1)?,
            "from": r.get::<_, String>(2)?,
            "ended": r.get::<_, Option<String>>(3)?,
            "leader": r.get::<_, bool>(4)?,
            "title": r.get::<_, Option<String>>(5)?,
            "acting": r.get::<_, bool>(6)?,
        }))
    })?;
    for row in rows {
        appointments.push(serde_json::from_value::<Appointment>(row?)?);
    }
    let mut facts = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT kind, a, b FROM kinship WHERE ledger_id = ?1 ORDER BY seq")?;
    let rows =
        stmt.query_map([ledger_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    for row in rows {
        let (kind, a, b) = row?;
        facts.push(match kind.as_str() {
            "spouse" => KinFact::Spouse { a, b },
            "parent" => KinFact::Parent { parent: a, child: b },
            "sibling" => KinFact::Sibling { a, b },
            "kin" => KinFact::Kin { a, b },
            other => return Err(Error::Corrupt(format!("表 kinship 中的亲属关系类型 {other} 不认识"))),
        });
    }
    Ok(Registry::new(people, appointments, facts).with_resets(resets))
}

/// What a writer keeps in memory for the rules: small, read once per command.
#[derive(Default)]
struct LedgerState {
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
    projector: projector::Projector,
    next_numbers: HashMap<Period, u32>,
    closed: HashMap<Period, bool>,
    /// [LIM-1] the absolute amounts of every voucher, read once when first
    /// asked and kept up to date as vouchers are appended.
    turnover: Option<i64>,
}

impl<'t> Writer<'t> {
    fn new(
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
        }
    }

    fn open(tx: &'t Transaction<'t>, ledger: LedgerHandle, actor: &Actor) -> Result<Writer<'t>, Failure> {
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

    fn finish(&mut self) -> Result<(), Error> {
        self.projector.flush(self.tx)
    }

    fn append_event(&mut self, event: Event) -> Result<(), Error> {
        let payload = serde_json::to_string(&event)?;
        let seq = self.head_seq + 1;
        let kind = event.kind();
        let hash = chain::entry_hash(&self.head_hash, seq, &self.actor.at, &self.actor.name, kind, &payload);
        self.tx
            .prepare_cached(
                "INSERT INTO log (ledger_id, seq, at, actor, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![self.ledger.id, seq, self.actor.at, self.actor.name, kind, payload, &self.head_hash.0[..], &hash.0[..]])?;
        for change in self.projector.apply(self.tx, seq, &self.actor.at, &event)? {
            self.chart.apply(&change);
            self.registry.apply(&change);
            match change {
                Change::Setting { key, value } => self.settings.set(key, value),
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
        self.head_hash = hash;
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

    fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, StoreError> {
        Ok(load_authorization(self.tx, self.ledger.id, number)?)
    }

    fn authorizations(&mut self) -> Result<Vec<Authorization>, StoreError> {
        Ok(load_authorizations(self.tx, self.ledger.id)?)
    }

    fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, StoreError> {
        Ok(load_citing(self.tx, self.ledger.id, number)?)
    }

    fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, StoreError> {
        Ok(load_receipt_books(self.tx, self.ledger.id)?)
    }

    fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, StoreError> {
        Ok(self
            .tx
            .prepare_cached("SELECT MAX(serial) FROM receipts WHERE ledger_id = ?1 AND book = ?2")?
            .query_row(params![self.ledger.id, book], |r| r.get(0))?)
    }

    fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, StoreError> {
        Ok(load_receipts(self.tx, self.ledger.id, Some((book, serial)))?.pop().map(|(_, _, s)| s))
    }

    fn document_used(&mut self, document: &Document) -> Result<Option<VoucherRef>, StoreError> {
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
    }

    fn period_closed(&mut self, period: Period) -> Result<bool, StoreError> {
        if let Some(c) = self.closed.get(&period) {
            return Ok(*c);
        }
        let closed = self
            .tx
            .prepare_cached("SELECT 1 FROM periods WHERE ledger_id = ?1 AND period = ?2")?
            .exists(params![self.ledger.id, period.key()])?;
        self.closed.insert(period, closed);
        Ok(closed)
    }

    fn next_number(&mut self, period: Period) -> Result<u32, StoreError> {
        if let Some(n) = self.next_numbers.get(&period) {
            return Ok(*n);
        }
        let n: u32 = self
            .tx
            .prepare_cached("SELECT COALESCE(MAX(number), 0) + 1 FROM vouchers WHERE ledger_id = ?1 AND period = ?2")?
            .query_row(params![self.ledger.id, period.key()], |r| r.get(0))?;
        self.next_numbers.insert(period, n);
        Ok(n)
    }

    fn voucher(&mut self, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, StoreError> {
        Ok(projector::load_voucher(self.tx, self.ledger.id, reference)?)
    }

    fn reversed_by(&mut self, r: VoucherRef) -> Result<Option<VoucherRef>, StoreError> {
        let row: Option<(u32, u32)> = self
            .tx
            .prepare_cached(
                "SELECT period, number FROM vouchers WHERE ledger_id = ?1 AND reverses_period = ?2 AND reverses_number = ?3 LIMIT 1",
            )?
            .query_row(params![self.ledger.id, r.period.key(), r.number], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(p, n)| Period::from_key(p).map(|period| VoucherRef { period, number: n })))
    }

    fn signatures(&mut self, r: VoucherRef) -> Result<Vec<Signature>, StoreError> {
        Ok(load_signatures(self.tx, self.ledger.id, r)?)
    }

    fn movements_from(
        &mut self,
        prefix: &str,
        date: time::Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<(time::Date, Money)>), StoreError> {
        self.projector.flush(self.tx)?;
        let period = Period::of(date);
        let like = format!("{prefix}%");
        let mut before: i64 = self
            .tx
            .prepare_cached(
                "SELECT COALESCE(SUM(debit - credit), 0) FROM balances WHERE ledger_id = ?1 AND account LIKE ?2 AND period < ?3",
            )?
            .query_row(params![self.ledger.id, like, period.key()], |r| r.get(0))?;
        let mut later = Vec::new();
        let mut stmt = self.tx.prepare_cached(
            "SELECT l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
             WHERE v.ledger_id = ?1 AND ((v.period >= ?2 AND v.status = 'posted') OR (?3 AND v.moved = 1))",
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
        Ok((Money::from_fen(before), later))
    }

    fn fund_balance(&mut self, fund: &str) -> Result<Money, StoreError> {
        self.projector.flush(self.tx)?;
        let fen: i64 = self
            .tx
            .prepare_cached(
                "SELECT COALESCE(SUM(income - spending), 0) FROM fund_totals WHERE ledger_id = ?1 AND fund = ?2",
            )?
            .query_row(params![self.ledger.id, fund], |r| r.get(0))?;
        Ok(Money::from_fen(fen))
    }

    fn balance(&mut self, code: &str) -> Result<Money, StoreError> {
        self.projector.flush(self.tx)?;
        Ok(projector::account_balance(self.tx, self.ledger.id, code)?)
    }

    fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .tx
            .prepare_cached("SELECT at FROM imports WHERE ledger_id = ?1 AND sha256 = ?2 ORDER BY seq LIMIT 1")?
            .query_row(params![self.ledger.id, sha256], |r| r.get(0))
            .optional()?)
    }

    fn funds(&mut self) -> Result<Vec<Fund>, StoreError> {
        Ok(load_funds(self.tx, self.ledger.id)?)
    }

    fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, StoreError> {
        Ok(load_cash_counts(self.tx, self.ledger.id, period.first_day(), period.last_day())?)
    }

    fn vouchers_touching(
        &mut self,
        prefix: &str,
        from: time::Date,
        to: time::Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<Voucher>), StoreError> {
        self.projector.flush(self.tx)?;
        let like = format!("{prefix}%");
        let first = Period::of(from);
        let mut before: i64 = self
            .tx
            .prepare_cached(
                "SELECT COALESCE(SUM(debit - credit), 0) FROM balances WHERE ledger_id = ?1 AND account LIKE ?2 AND period < ?3",
            )?
            .query_row(params![self.ledger.id, like, first.key()], |r| r.get(0))?;
        let mut out = Vec::new();
        let mut stmt = self.tx.prepare_cached(
            "SELECT l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
             WHERE v.ledger_id = ?1 AND v.date <= ?4 AND ((v.period BETWEEN ?2 AND ?3 AND v.status = 'posted') \
             OR (?5 AND v.moved = 1)) \
             ORDER BY v.date, v.period, v.number",
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
        Ok((Money::from_fen(before), out))
    }

    fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, StoreError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT number FROM vouchers WHERE ledger_id = ?1 AND period = ?2 AND status = 'prepared' ORDER BY number",
        )?;
        let rows = stmt.query_map(params![self.ledger.id, period.key()], |r| r.get::<_, u32>(0))?;
        let mut out = Vec::new();
        for n in rows {
            out.push(VoucherRef { period, number: n? });
        }
        Ok(out)
    }

    fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, StoreError> {
        self.projector.flush(self.tx)?;
        let fen: i64 = self
            .tx
            .prepare_cached(
                "SELECT COALESCE(SUM(debit - credit), 0) FROM balances WHERE ledger_id = ?1 AND account LIKE ?2 AND period <= ?3",
            )?
            .query_row(params![self.ledger.id, format!("{prefix}%"), period.key()], |r| r.get(0))?;
        Ok(Money::from_fen(fen))
    }

    fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, StoreError> {
        Ok(load_statement_lines(self.tx, self.ledger.id, account)?)
    }

    fn statement_through(&mut self, account: &str) -> Result<Option<time::Date>, StoreError> {
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
    }

    fn next_statement_line(&mut self) -> Result<u64, StoreError> {
        let n: i64 = self
            .tx
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM statement_lines WHERE ledger_id = ?1")?
            .query_row(params![self.ledger.id], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn assets(&mut self) -> Result<Vec<Asset>, StoreError> {
        Ok(load_assets(self.tx, self.ledger.id)?)
    }

    fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, StoreError> {
        let last: Option<u32> = self
            .tx
            .prepare_cached("SELECT MAX(period) FROM periods WHERE ledger_id = ?1 AND period < ?2")?
            .query_row(params![self.ledger.id, period.key()], |r| r.get(0))?;
        let Some(key) = last else { return Ok(None) };
        let closed = Period::from_key(key).ok_or_else(|| Error::Corrupt(format!("表 periods 中的期间 {key} 无效")))?;
        let mut stmt = self.tx.prepare_cached(
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
    }

    fn turnover(&mut self) -> Result<Money, StoreError> {
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
    }

    fn append(&mut self, event: Event) -> Result<(), StoreError> {
        qianzhang_core::text::check_event(&event)?;
        Ok(self.append_event(event)?)
    }
}

fn load_assets(conn: &Connection, ledger_id: i64) -> Result<Vec<Asset>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, quantity, value, location, custodian, period, number, acquired, disposed, disposal_reason \
         FROM assets WHERE ledger_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query(params![ledger_id])?;
    let mut out = Vec::new();
    let date = |t: String| parse_date(&t).map_err(|e| Error::Corrupt(format!("表 assets：{e}")));
    while let Some(r) = rows.next()? {
        let period: u32 = r.get(6)?;
        out.push(Asset {
            id: r.get(0)?,
            name: r.get(1)?,
            quantity: r.get(2)?,
            value: Money::from_fen(r.get(3)?),
            location: r.get(4)?,
            custodian: r.get(5)?,
            voucher: VoucherRef {
                period: Period::from_key(period)
                    .ok_or_else(|| Error::Corrupt(format!("表 assets 中的期间 {period} 无效")))?,
                number: r.get(7)?,
            },
            acquired: date(r.get(8)?)?,
            disposed: r.get::<_, Option<String>>(9)?.map(date).transpose()?,
            disposal_reason: r.get(10)?,
        });
    }
    Ok(out)
}

fn load_cash_counts(
    conn: &Connection,
    ledger_id: i64,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<CashCount>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT date, counted, book, pieces, counter FROM cash_counts \
         WHERE ledger_id = ?1 AND date BETWEEN ?2 AND ?3 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![ledger_id, format_date(from), format_date(to)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        let pieces: String = r.get(3)?;
        out.push(CashCount {
            date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 cash_counts：{e}")))?,
            counted: Money::from_fen(r.get(1)?),
            book: Money::from_fen(r.get(2)?),
            pieces: serde_json::from_str(&pieces)?,
            counter: r.get(4)?,
        });
    }
    Ok(out)
}

fn load_funds(conn: &Connection, ledger_id: i64) -> Result<Vec<Fund>, Error> {
    let mut stmt = conn.prepare_cached("SELECT name, restricted FROM funds WHERE ledger_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map(params![ledger_id], |r| Ok(Fund { name: r.get(0)?, restricted: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn load_statement_lines(conn: &Connection, ledger_id: i64, account: &str) -> Result<Vec<StoredLine>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.account, s.date, s.inflow, s.outflow, s.balance, s.reference, s.counterparty, s.summary, \
         m.period, m.number FROM statement_lines s LEFT JOIN bank_matches m ON m.ledger_id = s.ledger_id \
         AND m.line_id = s.id WHERE s.ledger_id = ?1 AND s.account = ?2 ORDER BY s.id",
    )?;
    let mut rows = stmt.query(params![ledger_id, account])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get(2)?;
        let matched = match (r.get::<_, Option<u32>>(9)?, r.get::<_, Option<u32>>(10)?) {
            (Some(p), Some(number)) => Some(VoucherRef {
                period: Period::from_key(p)
                    .ok_or_else(|| Error::Corrupt(format!("表 bank_matches 中的期间 {p} 无效")))?,
                number,
            }),
            _ => None,
        };
        out.push(StoredLine {
            id: r.get::<_, i64>(0)? as u64,
            account: r.get(1)?,
            line: StatementLine {
                date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 statement_lines：{e}")))?,
                inflow: Money::from_fen(r.get(3)?),
                outflow: Money::from_fen(r.get(4)?),
                balance: Money::from_fen(r.get(5)?),
                reference: r.get(6)?,
                counterparty: r.get(7)?,
                summary: r.get(8)?,
            },
            matched,
        });
    }
    Ok(out)
}

/// Period totals in the shape report builders take.
pub fn as_period_totals(rows: &[(String, Period, Money, Money)]) -> impl Iterator<Item = PeriodTotal<'_>> {
    rows.iter().map(|(account, period, debit, credit)| PeriodTotal {
        account,
        period: *period,
        debit: *debit,
        credit: *credit,
    })
}

/// Begins a write transaction within what is left of the store's one wait,
/// and counts the time it took.
fn begin_immediate<'c>(
    conn: &'c mut Connection,
    wait: Duration,
    waited: &mut Duration,
) -> Result<Transaction<'c>, Error> {
    conn.busy_timeout(wait.saturating_sub(*waited))?;
    let began = Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate);
    *waited += began.elapsed();
    Ok(tx?)
}

/// Creates a new store file readable by its owner only; an existing file is
/// left as it is, and any failure is left for SQLite to report.
fn create_private(path: &Path) {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = options.open(path);
}
