//! Verification (AUD-2): walk the chain, replay every event into a scratch
//! database with the same projector the commands use, and compare every
//! projection table row by row with what is on disk.

use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use qianzhang_core::Event;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use crate::projector::Projector;
use crate::schema::{migrate, PROJECTIONS};
use crate::{Error, LedgerHandle};
use qianzhang_core::backend::{Anchor, AnchorWalk, Mismatch, VerifyReport};
use qianzhang_core::chain::{entry_hash_bytes, Fingerprint, GENESIS};

/// Log entries handed to the replay at a time.
const BATCH: usize = 512;

/// The scratch database's page cache, in KiB.
const SCRATCH_CACHE_KIB: u32 = 65536;

/// Log entries whose chain checked out, as stored: the text of each in one
/// buffer, their payloads not yet decoded.
#[derive(Default)]
struct Raw {
    text: String,
    payloads: Vec<u8>,
    entries: Vec<RawEntry>,
}

/// One entry of a [`Raw`] batch: where its fields are in the buffers.
struct RawEntry {
    seq: i64,
    at: Range<usize>,
    actor: Range<usize>,
    kind: Range<usize>,
    payload: Range<usize>,
    computed: Fingerprint,
}

impl Raw {
    fn push(&mut self, seq: i64, at: &str, actor: &str, kind: &str, payload: &[u8], computed: Fingerprint) {
        let mut put = |field: &str| {
            let start = self.text.len();
            self.text.push_str(field);
            start..self.text.len()
        };
        let (at, actor, kind) = (put(at), put(actor), put(kind));
        let start = self.payloads.len();
        self.payloads.extend_from_slice(payload);
        self.entries.push(RawEntry { seq, at, actor, kind, payload: start..self.payloads.len(), computed });
    }
}

/// The first entry that could not be decoded, with the last one before it.
struct Undecoded {
    mismatch: Mismatch,
    last_good: (i64, Fingerprint),
}

/// One log entry whose chain checked out, for the replay.
struct Checked {
    seq: i64,
    at: String,
    actor: String,
    event: Event,
    computed: Fingerprint,
}

/// What the replay thread gives back: the scratch database, the anchor's
/// walk and what it found, the first entry that could not be replayed
/// with the last one that could, and (when every entry was replayed) the
/// digests of the replayed tables.
struct Replayed {
    db: Connection,
    walk: Option<AnchorWalk>,
    anchor: VerifyReport,
    failed: Option<Mismatch>,
    last_good: (i64, Fingerprint),
    digests: Option<Result<Vec<[u8; 32]>, Error>>,
}

/// [AUD-2] replays the log of `ledger` into a scratch database and compares.
///
/// Three threads: this one reads the log and checks the chain; the second
/// decodes each entry that checked out; the third replays the entries, in
/// order, into the scratch database (and follows the anchor). Then two
/// read the projection tables,
/// one the store's and one the replay's, each into a digest per table; a
/// table whose digests differ is compared row by row to name the row.
/// What is reported is what a single pass, stopping at the first entry
/// that fails, reports.
pub(crate) fn verify(conn: &Connection, ledger: &LedgerHandle, anchor: Option<Anchor>) -> Result<VerifyReport, Error> {
    // One read transaction: the log and the tables as one commit left them,
    // whatever another process writes meanwhile.
    if !conn.is_autocommit() {
        return verify_within(conn, ledger, anchor);
    }
    conn.execute_batch("BEGIN DEFERRED")?;
    let result = verify_within(conn, ledger, anchor);
    let end = conn.execute_batch("COMMIT");
    let report = result?;
    end?;
    Ok(report)
}

fn verify_within(conn: &Connection, ledger: &LedgerHandle, anchor: Option<Anchor>) -> Result<VerifyReport, Error> {
    let mut report = VerifyReport::new(&ledger.info.name);
    let walk = anchor.map(AnchorWalk::new);
    let (send_raw, receive_raw) = sync_channel::<Raw>(4);
    let (send, receive) = sync_channel::<Vec<Checked>>(4);
    let ledger_id = ledger.id;
    let name = ledger.info.name.clone();
    std::thread::scope(|scope| -> Result<VerifyReport, Error> {
        let replay = scope.spawn(move || replay_log(ledger_id, &name, walk, receive));
        let decode = scope.spawn(move || decode_log(receive_raw, send));
        let walked = walk_log(conn, ledger_id, &mut report, send_raw);
        // The store's side of the comparison while the replay catches up.
        let actual = match (&walked, &report.mismatch) {
            (Ok(()), None) => Some(digests(conn, ledger_id)),
            _ => None,
        };
        let undecoded = decode.join().map_err(|_| Error::Corrupt("解析日志的线程意外中止".into()))?;
        let replayed = replay.join().map_err(|_| Error::Corrupt("重放日志的线程意外中止".into()))??;
        walked?;
        let Replayed { db: replay, walk, anchor: found, failed, last_good, digests: expected } = replayed;
        report.anchor = found.anchor;
        report.anchor_matches = found.anchor_matches;
        report.since = found.since;
        // Each stage stops before any entry the one before it found wrong,
        // so an entry that could not be replayed comes first, then one that
        // could not be decoded, then the chain's.
        if failed.is_some() {
            report.mismatch = failed;
            (report.entries, report.fingerprint) = last_good;
        } else if let Some(Undecoded { mismatch, last_good }) = undecoded {
            report.mismatch = Some(mismatch);
            (report.entries, report.fingerprint) = last_good;
        }
        if report.mismatch.is_some() {
            return Ok(report);
        }
        if report.entries == 0 {
            report.mismatch = log_mismatch(1, "账套没有任何日志记录".into());
            return Ok(report);
        }
        if let Some(missing) = walk.as_ref().and_then(|w| w.missing(&report)) {
            report.mismatch = Some(missing);
            return Ok(report);
        }
        let (Some(actual), Some(expected)) = (actual, expected) else {
            return Err(Error::Corrupt("校验未能比对投影表".into()));
        };
        let (actual, expected) = (actual?, expected?);
        let mut found: Vec<Mismatch> = Vec::new();
        for (i, (table, sql, seq_column)) in PROJECTIONS.iter().enumerate() {
            if actual[i] == expected[i] {
                continue;
            }
            if let Some(m) = compare_table(conn, &replay, ledger_id, table, sql, seq_column)? {
                found.push(m);
            }
        }
        if let Some(m) = scans(conn, ledger_id)? {
            found.push(m);
        }
        // A row's own entry number is exact; a balance's is a guess (the first
        // voucher on that account that month): the exact ones come first.
        report.mismatch = found
            .into_iter()
            .min_by_key(|m| (matches!(m.table, "balances" | "fund_totals"), m.seq.unwrap_or(i64::MAX)));
        Ok(report)
    })
}

fn log_mismatch(seq: i64, detail: String) -> Option<Mismatch> {
    Some(Mismatch { seq: Some(seq), table: "log", detail })
}

/// Walks the chain of the log, handing every entry that checks out on to
/// be decoded; stops at the first that does not (in `report`), or when the
/// next stage stops taking entries.
fn walk_log(conn: &Connection, ledger_id: i64, report: &mut VerifyReport, send: SyncSender<Raw>) -> Result<(), Error> {
    let mut stmt = conn
        .prepare("SELECT seq, at, actor, kind, payload, prev_hash, hash FROM log WHERE ledger_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([ledger_id])?;
    let mut prev = GENESIS;
    let mut prev_at = String::new();
    let mut expected_seq = 1i64;
    let mut batch = Raw::default();
    while let Some(row) = rows.next()? {
        // Every column as the engine writes it; anything else names the
        // entry and the column instead of failing the whole verification.
        let fields = (|| {
            Ok::<_, String>((
                integer(row, 0, "seq")?,
                text(row, 1, "at")?,
                text(row, 2, "actor")?,
                text(row, 3, "kind")?,
                text_bytes(row, 4, "payload")?,
                blob(row, 5, "prev_hash")?,
                blob(row, 6, "hash")?,
            ))
        })();
        let (seq, at, actor, kind, payload, prev_hash, hash) = match fields {
            Ok(f) => f,
            Err(detail) => {
                report.mismatch =
                    log_mismatch(expected_seq, format!("日志第 {expected_seq} 条{detail}：该条记录被改动过"));
                break;
            }
        };
        // A payload that is not text at all is named as such, whatever
        // else is wrong with its entry.
        let or_utf8 = |found: Option<Mismatch>| match std::str::from_utf8(payload) {
            Ok(_) => found,
            Err(_) => log_mismatch(
                expected_seq,
                format!("日志第 {expected_seq} 条的 payload 列不是有效的 UTF-8 文本：该条记录被改动过"),
            ),
        };
        if seq != expected_seq {
            report.mismatch =
                or_utf8(log_mismatch(expected_seq, format!("日志第 {expected_seq} 条缺失（其后为第 {seq} 条）")));
            break;
        }
        if prev_hash != prev.0 {
            // Either this entry's link was altered, or the entry before it
            // was altered and re-hashed: an entry whose own hash still
            // follows from the link it holds is intact, and the one before
            // it is the one changed.
            let link = Fingerprint::from_slice(prev_hash).unwrap_or(GENESIS);
            let intact =
                entry_hash_bytes(&link, seq, at.as_bytes(), actor.as_bytes(), kind.as_bytes(), payload).0 == hash;
            report.mismatch = or_utf8(if intact && seq > 1 {
                log_mismatch(
                    seq - 1,
                    format!("日志第 {} 条被改动过并重算了哈希：第 {seq} 条记录的前一条哈希仍是改动前的", seq - 1),
                )
            } else {
                log_mismatch(seq, format!("日志第 {seq} 条记录的前一条哈希与第 {} 条不符：该条记录被改动过", seq - 1))
            });
            break;
        }
        let computed = entry_hash_bytes(&prev, seq, at.as_bytes(), actor.as_bytes(), kind.as_bytes(), payload);
        if computed.0 != hash {
            report.mismatch =
                or_utf8(log_mismatch(seq, format!("日志第 {seq} 条的内容与其哈希不符：该条记录被改动过")));
            break;
        }
        if qianzhang_core::audit::log_time_goes_back(&prev_at, at) {
            report.mismatch = or_utf8(log_mismatch(
                seq,
                format!("日志第 {seq} 条的时间 {at} 早于第 {} 条的 {prev_at}：日志的时间倒退了", seq - 1),
            ));
            break;
        }
        prev_at.clear();
        prev_at.push_str(at);
        batch.push(seq, at, actor, kind, payload, computed);
        if batch.entries.len() == BATCH && send.send(std::mem::take(&mut batch)).is_err() {
            // A later stage stopped at an entry it could not take.
            return Ok(());
        }
        prev = computed;
        report.entries = seq;
        report.fingerprint = computed;
        expected_seq += 1;
    }
    if !batch.entries.is_empty() {
        let _ = send.send(batch);
    }
    Ok(())
}

/// Decodes the entries whose chain checked out, in order, and hands them to
/// the replay; stops at the first whose payload is not an event of its kind.
fn decode_log(receive: Receiver<Raw>, send: SyncSender<Vec<Checked>>) -> Option<Undecoded> {
    let mut last_good = (0, GENESIS);
    for raw in receive {
        let mut batch = Vec::with_capacity(raw.entries.len());
        for e in &raw.entries {
            let seq = e.seq;
            let (at, actor, kind) = (&raw.text[e.at.clone()], &raw.text[e.actor.clone()], &raw.text[e.kind.clone()]);
            let failure = match std::str::from_utf8(&raw.payloads[e.payload.clone()]) {
                Err(_) => Err(format!("日志第 {seq} 条的 payload 列不是有效的 UTF-8 文本：该条记录被改动过")),
                Ok(payload) => match Event::from_json(payload) {
                    Err(e) => Err(format!("日志第 {seq} 条无法解析：{e}")),
                    Ok(event) if event.kind() != kind => {
                        Err(format!("日志第 {seq} 条的类型 {kind} 与内容 {} 不符", event.kind()))
                    }
                    Ok(event) => Ok(event),
                },
            };
            match failure {
                Ok(event) => {
                    batch.push(Checked {
                        seq,
                        at: at.to_string(),
                        actor: actor.to_string(),
                        event,
                        computed: e.computed,
                    });
                }
                Err(detail) => {
                    // What decoded before it is still replayed.
                    let _ = send.send(batch);
                    return Some(Undecoded { mismatch: Mismatch { seq: Some(seq), table: "log", detail }, last_good });
                }
            }
            last_good = (seq, e.computed);
        }
        if send.send(batch).is_err() {
            // The replay stopped at an entry it could not replay.
            return None;
        }
    }
    None
}

/// Replays the entries as they come, into a scratch database, following
/// the anchor; stops at the first entry that cannot be replayed.
fn replay_log(
    ledger_id: i64,
    name: &str,
    mut walk: Option<AnchorWalk>,
    receive: Receiver<Vec<Checked>>,
) -> Result<Replayed, Error> {
    // A private temporary database: its pages stay in a bounded cache and
    // spill to a file SQLite deletes when it is closed, so a log of ten
    // million vouchers replays in the memory one of a million takes.
    let mut db = Connection::open("")?;
    db.execute_batch(&format!("PRAGMA cache_size = -{SCRATCH_CACHE_KIB}"))?;
    migrate(&mut db)?;
    db.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;")?;
    let mut projector = Projector::new(ledger_id);
    let mut anchor = VerifyReport::new(name);
    let mut last_good = (0, GENESIS);
    let mut failed = None;
    'entries: for batch in receive {
        for Checked { seq, at, actor, event, computed } in batch {
            if let Some(walk) = &mut walk {
                walk.entry(&mut anchor, seq, &at, &actor, &event, computed);
            }
            if let Err(e) = projector.apply(&db, seq, &at, &event) {
                failed = log_mismatch(seq, format!("日志第 {seq} 条无法重放：{e}"));
                break 'entries;
            }
            last_good = (seq, computed);
        }
    }
    let digests = match failed {
        Some(_) => None,
        None => Some(projector.flush(&db).and_then(|()| digests(&db, ledger_id))),
    };
    drop(projector);
    Ok(Replayed { db, walk, anchor, failed, last_good, digests })
}

/// A digest of each projection table of [`PROJECTIONS`], in its order:
/// every value with its type and length, row after row.
fn digests(conn: &Connection, ledger_id: i64) -> Result<Vec<[u8; 32]>, Error> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::with_capacity(PROJECTIONS.len());
    for (_, sql, _) in PROJECTIONS {
        let mut stmt = conn.prepare(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query([ledger_id])?;
        let mut h = Sha256::new();
        while let Some(row) = rows.next()? {
            h.update(b"r");
            for i in 0..width {
                match row.get_ref(i)? {
                    ValueRef::Null => h.update(b"n"),
                    ValueRef::Integer(n) => {
                        h.update(b"i");
                        h.update(n.to_be_bytes());
                    }
                    ValueRef::Real(f) => {
                        h.update(b"f");
                        h.update(f.to_bits().to_be_bytes());
                    }
                    ValueRef::Text(t) => {
                        h.update(b"t");
                        h.update((t.len() as u64).to_be_bytes());
                        h.update(t);
                    }
                    ValueRef::Blob(b) => {
                        h.update(b"b");
                        h.update((b.len() as u64).to_be_bytes());
                        h.update(b);
                    }
                }
            }
        }
        out.push(h.finalize().into());
    }
    Ok(out)
}

/// [AUD-2] every scan attached in this ledger is stored and its bytes still
/// hash to its address; the first that does not is named with the log
/// entry that attached it. (The replay cannot rebuild the bytes: the log
/// holds their hash, which is what is checked.)
fn scans(conn: &Connection, ledger_id: i64) -> Result<Option<Mismatch>, Error> {
    let mut stmt = conn.prepare(
        "SELECT MIN(v.seq), v.sha256, s.bytes FROM voucher_scans v LEFT JOIN scans s ON s.sha256 = v.sha256 \
         WHERE v.ledger_id = ?1 GROUP BY v.sha256 ORDER BY MIN(v.seq)",
    )?;
    let mut rows = stmt.query([ledger_id])?;
    while let Some(row) = rows.next()? {
        let (seq, sha): (i64, String) = (row.get(0)?, row.get(1)?);
        let detail = match row.get_ref(2)? {
            ValueRef::Null => format!("扫描件 {sha} 缺失（被删除）"),
            ValueRef::Blob(bytes) if qianzhang_core::scan::sha256_hex(bytes) == sha => continue,
            _ => format!("扫描件 {sha} 的内容与其 SHA-256 不符：该文件被改动过"),
        };
        return Ok(Some(Mismatch { seq: Some(seq), table: "scans", detail }));
    }
    Ok(None)
}

fn compare_table(
    actual: &Connection,
    expected: &Connection,
    ledger_id: i64,
    table: &'static str,
    sql: &str,
    seq_column: &str,
) -> Result<Option<Mismatch>, Error> {
    let mut a_stmt = actual.prepare(sql)?;
    let mut e_stmt = expected.prepare(sql)?;
    let columns: Vec<String> = a_stmt.column_names().iter().map(|c| c.to_string()).collect();
    let width = a_stmt.column_count();
    let mut a_rows = a_stmt.query([ledger_id])?;
    let mut e_rows = e_stmt.query([ledger_id])?;
    let read = |row: &rusqlite::Row<'_>| -> Result<Vec<Value>, rusqlite::Error> {
        (0..width).map(|i| row.get::<_, Value>(i)).collect()
    };
    loop {
        let a = a_rows.next()?.map(read).transpose()?;
        let e = e_rows.next()?.map(read).transpose()?;
        if a == e {
            if a.is_none() {
                return Ok(None);
            }
            continue;
        }
        // The entry that wrote the value that differs: a voucher's content
        // and its posting, a signature and its withdrawal are different
        // entries.
        let differing = match (&e, &a) {
            (Some(e), Some(a)) => (0..width).find(|i| e[*i] != a[*i]).map(|i| columns[i].as_str()),
            _ => None,
        };
        let column = match (table, differing) {
            ("vouchers", Some("status" | "posted_seq")) => "posted_seq",
            ("signatures", Some("withdrawn_seq")) => "withdrawn_seq",
            _ => seq_column,
        };
        let seq_of = |row: &Vec<Value>, column: &str| {
            columns.iter().position(|c| c == column).and_then(|i| match row[i] {
                Value::Integer(s) => Some(s),
                _ => None,
            })
        };
        let seq = match e.as_ref().or(a.as_ref()) {
            _ if seq_column.is_empty() => balance_seq(actual, ledger_id, e.as_ref().or(a.as_ref()))?,
            Some(row) => seq_of(row, column).or_else(|| seq_of(row, seq_column)),
            None => None,
        };
        let detail = match (&e, &a) {
            (Some(e), Some(a)) => format!("表 {table} 的记录被改动：日志重算为 {}，库中为 {}", show(e), show(a)),
            (Some(e), None) => format!("表 {table} 缺少记录 {}（被删除）", show(e)),
            (None, Some(a)) => format!("表 {table} 多出日志中没有的记录 {}", show(a)),
            (None, None) => unreachable!("equal rows are skipped"),
        };
        return Ok(Some(Mismatch { seq, table, detail }));
    }
}

/// For a balance row (account, period, …), the first voucher of that
/// period with a line on that account: the entry whose content the balance
/// was built from, as the store's log has it.
fn balance_seq(actual: &Connection, ledger_id: i64, row: Option<&Vec<Value>>) -> Result<Option<i64>, Error> {
    let (Some(Value::Text(account)), Some(Value::Integer(period))) =
        (row.and_then(|r| r.first()), row.and_then(|r| r.get(1)))
    else {
        return Ok(None);
    };
    let seq = actual
        .query_row(
            "SELECT MIN(v.content_seq) FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
             WHERE v.ledger_id = ?1 AND v.period = ?2 AND v.posted_seq IS NOT NULL AND json_valid(l.payload) \
             AND EXISTS (SELECT 1 FROM json_each(l.payload, '$.voucher.lines') j \
             WHERE json_extract(j.value, '$.account') = ?3)",
            rusqlite::params![ledger_id, period, account],
            |r| r.get(0),
        )
        .unwrap_or(None);
    Ok(seq)
}

fn integer(row: &rusqlite::Row<'_>, i: usize, column: &str) -> Result<i64, String> {
    match row.get_ref(i).map_err(|e| e.to_string())? {
        ValueRef::Integer(n) => Ok(n),
        other => Err(format!("的 {column} 列应为整数，实为 {}", other.data_type())),
    }
}

fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize, column: &str) -> Result<&'r str, String> {
    match row.get_ref(i).map_err(|e| e.to_string())? {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).map_err(|_| format!("的 {column} 列不是有效的 UTF-8 文本")),
        other => Err(format!("的 {column} 列应为文本，实为 {}", other.data_type())),
    }
}

fn text_bytes<'r>(row: &'r rusqlite::Row<'_>, i: usize, column: &str) -> Result<&'r [u8], String> {
    match row.get_ref(i).map_err(|e| e.to_string())? {
        ValueRef::Text(bytes) => Ok(bytes),
        other => Err(format!("的 {column} 列应为文本，实为 {}", other.data_type())),
    }
}

fn blob<'r>(row: &'r rusqlite::Row<'_>, i: usize, column: &str) -> Result<&'r [u8], String> {
    match row.get_ref(i).map_err(|e| e.to_string())? {
        ValueRef::Blob(bytes) if bytes.len() == 32 => Ok(bytes),
        ValueRef::Blob(bytes) => Err(format!("的 {column} 列长 {} 字节，应为 32 字节的哈希", bytes.len())),
        other => Err(format!("的 {column} 列应为 32 字节的二进制哈希，实为 {}", other.data_type())),
    }
}

fn show(row: &[Value]) -> String {
    let cells: Vec<String> = row
        .iter()
        .map(|v| match v {
            Value::Null => "空".to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Text(t) => t.clone(),
            Value::Blob(b) => hex::encode(b),
        })
        .collect();
    format!("({})", cells.join(", "))
}
