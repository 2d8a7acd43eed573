//! Copying a ledger between backends with its whole log: the PostgreSQL
//! side of `Backend::each_raw_entry` and `Backend::restore_ledger`.
//!
//! The source streams the ledger's scans and log rows from one read-only
//! snapshot. The target appends each entry with its own time, actor and
//! payload text, after the core's `RestoreCheck` has recomputed its hash
//! from its predecessor's, and projects it with the same `Projector`
//! commands and `verify` use — all in one transaction (log rows sent with
//! COPY), so a refused or interrupted copy leaves the target as it was.

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::IsolationLevel;
use qianzhang_core::backend::{
    name_taken, BackendError, CopyItem, CopySink, LedgerHandle, RawEntry, RawScan, RestoreCheck,
};
use qianzhang_core::{Event, Failure};

use crate::backend::CREATE_LOCK;
use crate::db::{get, LogRow, Tx};
use crate::projector::Projector;
use crate::queries::fingerprint_of;
use crate::{Error, PgStore};

/// How many entries a restore projects between flushes of the pending
/// balance changes (bounds what the projector holds for a large ledger).
const FLUSH_EVERY: i64 = 50_000;

impl PgStore {
    /// [DOC-1, AUD-1] the ledger's scans, then its log entries as stored,
    /// streamed from one snapshot.
    pub(crate) fn raw_entries<E: From<BackendError>>(
        &self,
        ledger: &LedgerHandle,
        mut f: impl FnMut(CopyItem) -> Result<(), E>,
    ) -> Result<(), E> {
        let fault = |e: Error| E::from(BackendError::from(e));
        let mut guard = self
            .conn
            .try_borrow_mut()
            .map_err(|_| E::from(BackendError::Internal("PostgreSQL 连接正被同一命令的另一次读取占用".into())))?;
        let mut tx = guard
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| fault(e.into()))?;
        // The scans' addresses first (small), then each scan's bytes on its own.
        let scans = tx
            .query(
                "SELECT sha256 FROM voucher_scans WHERE ledger_id = $1 GROUP BY sha256 ORDER BY MIN(seq)",
                &[&ledger.id],
            )
            .map_err(|e| fault(e.into()))?;
        for row in &scans {
            let sha256: String = get(row, 0).map_err(fault)?;
            let Some(scan) = tx
                .query_opt(
                    "SELECT media, bytes FROM scans WHERE ledger_id = $1 AND sha256 = $2",
                    &[&ledger.id, &sha256],
                )
                .map_err(|e| fault(e.into()))?
            else {
                // Missing bytes: the target refuses the entry attaching it,
                // as `verify` finds it missing.
                continue;
            };
            let media: String = get(&scan, 0).map_err(fault)?;
            let media = qianzhang_core::scan::MediaType::parse(&media)
                .ok_or_else(|| fault(Error::Corrupt(format!("表 scans 中的文件类型 {media} 不认识"))))?;
            let bytes: Vec<u8> = get(&scan, 1).map_err(fault)?;
            f(CopyItem::Scan(RawScan { sha256, media, bytes }))?;
        }
        let params: [&(dyn ToSql + Sync); 1] = [&ledger.id];
        let mut rows = tx
            .query_raw(
                "SELECT seq, at, actor, kind, payload, hash FROM log WHERE ledger_id = $1 ORDER BY seq",
                params.iter().copied(),
            )
            .map_err(|e| fault(e.into()))?;
        while let Some(row) = rows.next().map_err(|e| fault(e.into()))? {
            let entry = (|| -> Result<RawEntry, Error> {
                Ok(RawEntry {
                    seq: get(&row, 0)?,
                    at: get(&row, 1)?,
                    actor: get(&row, 2)?,
                    kind: get(&row, 3)?,
                    payload: get(&row, 4)?,
                    hash: fingerprint_of(get(&row, 5)?, "log")?,
                })
            })()
            .map_err(fault)?;
            f(CopyItem::Entry(entry))?;
        }
        drop(rows);
        tx.commit().map_err(|e| fault(e.into()))?;
        Ok(())
    }

    /// [LED-1, AUD-1, AUD-2, DOC-1] appends a copied ledger in one transaction.
    pub(crate) fn restore(
        &mut self,
        feed: impl FnOnce(&mut CopySink<'_>) -> Result<(), Failure>,
    ) -> Result<LedgerHandle, Failure> {
        let conn = self.conn.get_mut();
        let mut tx = Tx::new(conn.client.transaction().map_err(Error::from)?, &mut conn.cache);
        tx.exec("SELECT pg_advisory_xact_lock($1)", &[&CREATE_LOCK])?;
        let id: i64 = get(&tx.one("SELECT COALESCE(MAX(id), 0) + 1 FROM ledgers", &[])?, 0)?;
        let mut check = RestoreCheck::new();
        let mut projector = Projector::new(id);
        let mut prev = qianzhang_core::chain::GENESIS;
        let mut last_at = String::new();
        feed(&mut |item| {
            match item {
                CopyItem::Scan(scan) => {
                    check.scan(&scan)?;
                    tx.exec(
                        "INSERT INTO scans (ledger_id, sha256, media, bytes) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (ledger_id, sha256) DO NOTHING",
                        &[&id, &scan.sha256, &scan.media.mime(), &scan.bytes],
                    )?;
                }
                CopyItem::Entry(entry) => {
                    let event = check.entry(&entry)?;
                    if entry.seq == 1 {
                        refuse_taken(&mut tx, &event)?;
                    }
                    tx.push_log(LogRow {
                        ledger_id: id,
                        seq: entry.seq,
                        at: entry.at.clone(),
                        actor: entry.actor.clone(),
                        kind: event.kind(),
                        payload: entry.payload.clone(),
                        prev_hash: prev.0,
                        hash: entry.hash.0,
                    })?;
                    projector.apply(&mut tx, entry.seq, &entry.at, &event)?;
                    prev = entry.hash;
                    last_at = entry.at;
                    if entry.seq % FLUSH_EVERY == 0 {
                        projector.flush(&mut tx)?;
                    }
                }
            }
            Ok(())
        })?;
        let (info, head) = check.finish()?;
        projector.flush(&mut tx)?;
        let seq = check_seq(&mut tx, id)?;
        tx.exec(
            "INSERT INTO chain_heads (ledger_id, seq, hash, at) VALUES ($1, $2, $3, $4)",
            &[&id, &seq, &&head.0[..], &last_at],
        )?;
        tx.commit()?;
        self.after_bulk(seq);
        Ok(LedgerHandle { id, info })
    }
}

/// The number of the last entry restored.
fn check_seq(tx: &mut Tx<'_>, id: i64) -> Result<i64, Error> {
    let row = tx.one("SELECT COALESCE(MAX(seq), 0) FROM log WHERE ledger_id = $1", &[&id])?;
    get(&row, 0)
}

/// [LED-1] a copy never lands on a ledger of the same name.
fn refuse_taken(tx: &mut Tx<'_>, event: &Event) -> Result<(), Failure> {
    let Event::LedgerCreated { name, .. } = event else { return Ok(()) };
    if tx.opt("SELECT 1 FROM ledgers WHERE name = $1", &[name])?.is_some() {
        return Err(name_taken(name));
    }
    Ok(())
}
