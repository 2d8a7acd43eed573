//! Verification (AUD-2): walk the chain, replay every event into a scratch
//! database with the same projector the commands use, and compare every
//! projection table row by row with what is on disk.

use qianzhang_core::Event;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use crate::projector::Projector;
use crate::schema::{migrate, PROJECTIONS};
use crate::{Error, LedgerHandle};
use qianzhang_core::backend::{Anchor, AnchorWalk, Mismatch, VerifyReport};
use qianzhang_core::chain::{entry_hash, Fingerprint, GENESIS};

/// Log entries handed to the replay at a time.
const BATCH: usize = 512;

/// The scratch database's page cache, in KiB.
const SCRATCH_CACHE_KIB: u32 = 65536;

/// One log entry whose chain checked out, for the replay.
struct Checked {
    seq: i64,
    at: String,
    actor: String,
    event: Event,
    computed: Fingerprint,
}

/// What the replay thread gives back: the scratch database, the anchor's
/// walk and what it found, and the first entry that could not be replayed
/// with the last one that could.
struct Replayed {
    db: Connection,
    projector: Projector,
    walk: Option<AnchorWalk>,
    anchor: VerifyReport,
    failed: Option<Mismatch>,
    last_good: (i64, Fingerprint),
}

/// [AUD-2] replays the log of `ledger` into a scratch database and compares.
///
/// Two threads: this one reads the log, checks the chain and decodes each
/// entry; the other replays the entries, in order, into the scratch
/// database (and follows the anchor). Then both read the projection tables,
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
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Checked>>(4);
    let ledger_id = ledger.id;
    let name = ledger.info.name.clone();
    std::thread::scope(|scope| -> Result<VerifyReport, Error> {
        let replay = scope.spawn(move || replay_log(ledger_id, &name, walk, receive));
        let walked = walk_log(conn, ledger_id, &mut report, send);
        let replayed = replay.join().map_err(|_| Error::Corrupt("重放日志的线程意外中止".into()))??;
        walked?;
        let Replayed { db: replay, mut projector, walk, anchor: found, failed, last_good } = replayed;
        report.anchor = found.anchor;
        report.anchor_matches = found.anchor_matches;
        report.since = found.since;
        // The replay stops before any entry the walk found wrong, so an
        // entry that could not be replayed comes first.
        if failed.is_some() {
            report.mismatch = failed;
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
        projector.flush(&replay)?;
        let expected = scope.spawn(move || digests(&replay, ledger_id).map(|d| (replay, d)));
        let actual = digests(conn, ledger_id);
        let (replay, expected) = expected.join().map_err(|_| Error::Corrupt("比对线程意外中止".into()))??;
        let actual = actual?;
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

/// Walks the chain of the log, handing every entry that checks out to the
/// replay; stops at the first that does not (in `report`), or when the
/// replay stops taking entries.
fn walk_log(
    conn: &Connection,
    ledger_id: i64,
    report: &mut VerifyReport,
    send: std::sync::mpsc::SyncSender<Vec<Checked>>,
) -> Result<(), Error> {
    let mut stmt = conn
        .prepare("SELECT seq, at, actor, kind, payload, prev_hash, hash FROM log WHERE ledger_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([ledger_id])?;
    let mut prev = GENESIS;
    let mut prev_at = String::new();
    let mut expected_seq = 1i64;
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.next()? {
        // Every column as the engine writes it; anything else names the
        // entry and the column instead of failing the whole verification.
        let fields = (|| {
            Ok::<_, String>((
                integer(row, 0, "seq")?,
                text(row, 1, "at")?,
                text(row, 2, "actor")?,
                text(row, 3, "kind")?,
                text(row, 4, "payload")?,
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
        if seq != expected_seq {
            report.mismatch = log_mismatch(expected_seq, format!("日志第 {expected_seq} 条缺失（其后为第 {seq} 条）"));
            break;
        }
        if prev_hash != prev.0 {
            // Either this entry's link was altered, or the entry before it
            // was altered and re-hashed: an entry whose own hash still
            // follows from the link it holds is intact, and the one before
            // it is the one changed.
            let intact =
                entry_hash(&Fingerprint::from_slice(prev_hash).unwrap_or(GENESIS), seq, at, actor, kind, payload).0
                    == hash;
            report.mismatch = if intact && seq > 1 {
                log_mismatch(
                    seq - 1,
                    format!("日志第 {} 条被改动过并重算了哈希：第 {seq} 条记录的前一条哈希仍是改动前的", seq - 1),
                )
            } else {
                log_mismatch(seq, format!("日志第 {seq} 条记录的前一条哈希与第 {} 条不符：该条记录被改动过", seq - 1))
            };
            break;
        }
        let computed = entry_hash(&prev, seq, at, actor, kind, payload);
        if computed.0 != hash {
            report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条的内容与其哈希不符：该条记录被改动过"));
            break;
        }
        if qianzhang_core::audit::log_time_goes_back(&prev_at, at) {
            report.mismatch = log_mismatch(
                seq,
                format!("日志第 {seq} 条的时间 {at} 早于第 {} 条的 {prev_at}：日志的时间倒退了", seq - 1),
            );
            break;
        }
        prev_at.clear();
        prev_at.push_str(at);
        let event = match Event::from_json(payload) {
            Ok(e) => e,
            Err(e) => {
                report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条无法解析：{e}"));
                break;
            }
        };
        if event.kind() != kind {
            report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条的类型 {kind} 与内容 {} 不符", event.kind()));
            break;
        }
        batch.push(Checked { seq, at: at.to_string(), actor: actor.to_string(), event, computed });
        if batch.len() == BATCH && send.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err() {
            // The replay stopped at an entry it could not replay.
            return Ok(());
        }
        prev = computed;
        report.entries = seq;
        report.fingerprint = computed;
        expected_seq += 1;
    }
    if !batch.is_empty() {
        let _ = send.send(batch);
    }
    Ok(())
}

/// Replays the entries as they come, into a scratch database, following
/// the anchor; stops at the first entry that cannot be replayed.
fn replay_log(
    ledger_id: i64,
    name: &str,
    mut walk: Option<AnchorWalk>,
    receive: std::sync::mpsc::Receiver<Vec<Checked>>,
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
    Ok(Replayed { db, projector, walk, anchor, failed, last_good })
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
