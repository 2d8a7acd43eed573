//! Copying a ledger between stores (and other backends) with its whole log:
//! the SQLite side of `Backend::each_raw_entry` and `Backend::restore_ledger`.
//!
//! The source reads the ledger's scans and log rows inside one read
//! transaction and hands them on one at a time. The target appends each
//! entry with its own time, actor and payload text, after the core's
//! `RestoreCheck` has recomputed its hash from its predecessor's, and
//! projects it with the same `Projector` commands and `verify` use — all in
//! one IMMEDIATE transaction, so a refused or interrupted copy leaves the
//! target as it was.

use qianzhang_core::backend::{
    name_taken, BackendError, CopyItem, CopySink, LedgerHandle, RawEntry, RawScan, RestoreCheck,
};
use qianzhang_core::chain::Fingerprint;
use qianzhang_core::{Event, Failure};
use rusqlite::{params, Connection};

use crate::projector::Projector;
use crate::{tx, Error, Store};

/// How many entries a restore projects between flushes of the pending
/// balance changes (bounds what the projector holds for a large ledger).
const FLUSH_EVERY: i64 = 50_000;

impl Store {
    /// [DOC-1, AUD-1] the ledger's scans, then its log entries as stored.
    pub(crate) fn raw_entries<E: From<BackendError>>(
        &self,
        ledger: &LedgerHandle,
        mut f: impl FnMut(CopyItem) -> Result<(), E>,
    ) -> Result<(), E> {
        let tx = self.conn.unchecked_transaction().map_err(|e| BackendError::from(Error::from(e)))?;
        each_scan(&tx, ledger.id, &mut f)?;
        each_entry(&tx, ledger.id, &mut f)?;
        drop(tx);
        Ok(())
    }

    /// [LED-1, AUD-1, AUD-2, DOC-1] appends a copied ledger in one transaction.
    pub(crate) fn restore(
        &mut self,
        feed: impl FnOnce(&mut CopySink<'_>) -> Result<(), Failure>,
    ) -> Result<LedgerHandle, Failure> {
        let tx = tx::begin_immediate(&mut self.conn, self.wait, &mut self.waited)?;
        let id: i64 =
            tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM ledgers", [], |r| r.get(0)).map_err(Error::from)?;
        let mut check = RestoreCheck::new();
        let mut projector = Projector::new(id);
        let mut prev = qianzhang_core::chain::GENESIS;
        feed(&mut |item| {
            match item {
                CopyItem::Scan(scan) => {
                    check.scan(&scan)?;
                    tx.prepare_cached("INSERT OR IGNORE INTO scans (sha256, media, bytes) VALUES (?1, ?2, ?3)")
                        .and_then(|mut s| s.execute(params![scan.sha256, scan.media.mime(), scan.bytes]))
                        .map_err(Error::from)?;
                }
                CopyItem::Entry(entry) => {
                    let event = check.entry(&entry)?;
                    if entry.seq == 1 {
                        refuse_taken(&tx, &event)?;
                    }
                    append(&tx, id, &prev, &entry, &mut projector, &event)?;
                    prev = entry.hash;
                    if entry.seq % FLUSH_EVERY == 0 {
                        projector.flush(&tx)?;
                    }
                }
            }
            Ok(())
        })?;
        let (info, _) = check.finish()?;
        projector.flush(&tx)?;
        drop(projector);
        tx.commit().map_err(Error::from)?;
        Ok(LedgerHandle { id, info })
    }
}

/// [LED-1] a copy never lands on a ledger of the same name.
fn refuse_taken(conn: &Connection, event: &Event) -> Result<(), Failure> {
    let Event::LedgerCreated { name, .. } = event else { return Ok(()) };
    let taken = conn
        .prepare_cached("SELECT 1 FROM ledgers WHERE name = ?1")
        .and_then(|mut s| s.exists([name]))
        .map_err(Error::from)?;
    if taken {
        return Err(name_taken(name));
    }
    Ok(())
}

/// One checked entry into the log, with the hash given (equal to the one
/// recomputed), then into the projections.
fn append<'c>(
    conn: &'c Connection,
    id: i64,
    prev: &Fingerprint,
    entry: &RawEntry,
    projector: &mut Projector<'c>,
    event: &Event,
) -> Result<(), Error> {
    conn.prepare_cached(
        "INSERT INTO log (ledger_id, seq, at, actor, kind, payload, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        entry.seq,
        entry.at,
        entry.actor,
        entry.kind,
        entry.payload,
        &prev.0[..],
        &entry.hash.0[..]
    ])?;
    projector.apply(conn, entry.seq, &entry.at, event)?;
    Ok(())
}

/// Every scan a voucher of the ledger carries, once, in the order first
/// attached. A scan whose bytes are missing is left out: the target then
/// refuses the entry attaching it, as `verify` finds it missing.
fn each_scan<E: From<BackendError>>(
    conn: &Connection,
    ledger_id: i64,
    f: &mut impl FnMut(CopyItem) -> Result<(), E>,
) -> Result<(), E> {
    let read = |e: rusqlite::Error| E::from(BackendError::from(Error::from(e)));
    let mut stmt = conn
        .prepare(
            "SELECT v.sha256, s.media, s.bytes FROM \
             (SELECT sha256, MIN(seq) AS first FROM voucher_scans WHERE ledger_id = ?1 GROUP BY sha256) v \
             JOIN scans s ON s.sha256 = v.sha256 ORDER BY v.first",
        )
        .map_err(read)?;
    let mut rows = stmt.query([ledger_id]).map_err(read)?;
    while let Some(row) = rows.next().map_err(read)? {
        let sha256: String = row.get(0).map_err(read)?;
        let media: String = row.get(1).map_err(read)?;
        let media = qianzhang_core::scan::MediaType::parse(&media)
            .ok_or_else(|| BackendError::corrupt(format!("表 scans 中的文件类型 {media} 不认识")))?;
        let bytes: Vec<u8> = row.get(2).map_err(read)?;
        f(CopyItem::Scan(RawScan { sha256, media, bytes }))?;
    }
    Ok(())
}

/// Every log entry of the ledger in order, its payload text as stored.
fn each_entry<E: From<BackendError>>(
    conn: &Connection,
    ledger_id: i64,
    f: &mut impl FnMut(CopyItem) -> Result<(), E>,
) -> Result<(), E> {
    let read = |e: rusqlite::Error| E::from(BackendError::from(Error::from(e)));
    let mut stmt = conn
        .prepare("SELECT seq, at, actor, kind, payload, hash FROM log WHERE ledger_id = ?1 ORDER BY seq")
        .map_err(read)?;
    let mut rows = stmt.query([ledger_id]).map_err(read)?;
    while let Some(row) = rows.next().map_err(read)? {
        let seq: i64 = row.get(0).map_err(read)?;
        let hash: Vec<u8> = row.get(5).map_err(read)?;
        let hash = Fingerprint::from_slice(&hash)
            .map_err(|_| BackendError::corrupt(format!("日志第 {seq} 条的哈希长 {} 字节，应为 32 字节", hash.len())))?;
        let entry = RawEntry {
            seq,
            at: row.get(1).map_err(read)?,
            actor: row.get(2).map_err(read)?,
            kind: row.get(3).map_err(read)?,
            payload: row.get(4).map_err(read)?,
            hash,
        };
        f(CopyItem::Entry(entry))?;
    }
    Ok(())
}
