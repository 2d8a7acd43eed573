//! Verification (AUD-2): walk the chain, replay every event with the same
//! projector the commands use into temporary tables shadowing the
//! projections (`pg_temp` is searched first), and compare every projection
//! with the replay in the server (joined on its primary key, or as sets
//! with `EXCEPT ALL` both ways for a table of one row per ledger), all
//! inside one snapshot that is rolled back. The log is read, and its chain
//! checked, on a second connection in that snapshot, a batch ahead of the
//! replay.

use std::ops::Range;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::Duration;

use postgres::{Client, IsolationLevel};
use qianzhang_core::backend::{Anchor, AnchorWalk, Mismatch, VerifyReport};
use qianzhang_core::chain::{entry_hash, Fingerprint, GENESIS};
use qianzhang_core::Event;

use crate::db::{get, Cache, Tx};
use crate::projector::{voucher_of, Projector};
use crate::schema::{Projection, PROJECTIONS};
use crate::{Error, LedgerHandle};

/// How many log entries are read at a time.
const LOG_BATCH: i32 = 5000;

/// How many batches are read ahead of the replay (at the checker, or
/// checked and waiting).
const IN_FLIGHT: usize = 2;

/// [AUD-2] replays the log of `ledger` into temporary tables and compares.
pub(crate) fn verify(
    client: &mut Client,
    server: &crate::Server,
    wait: Duration,
    ledger: &LedgerHandle,
    anchor: Option<Anchor>,
) -> Result<VerifyReport, Error> {
    // Statements prepared here name the temporary tables: a cache of their own.
    let mut cache = Cache::new();
    let inner = client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).start()?;
    let mut tx = Tx::new(inner, &mut cache);
    let schema: String = get(&tx.inner()?.query_one("SELECT current_schema()::TEXT", &[])?, 0)?;
    let schema = quote(&schema);
    let mut shadows = String::new();
    for p in PROJECTIONS {
        shadows.push_str(&format!(
            "CREATE TEMP TABLE {t} (LIKE {schema}.{t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES) \
             ON COMMIT DROP;",
            t = p.table
        ));
    }
    // The comparisons hash whole tables: room to do it in memory.
    shadows.push_str("SET LOCAL work_mem = '256MB';");
    tx.inner()?.batch_execute(&shadows)?;

    let mut report = VerifyReport::new(&ledger.info.name);
    let mut walk = anchor.map(qianzhang_core::backend::AnchorWalk::new);
    let mut projector = Projector::new(ledger.id);
    let mut prev_at = String::new();
    // A second connection reads the log in this transaction's snapshot and
    // checks the chain (hashes, times, payloads), a batch at a time, while
    // this one replays the batch before into the temporary tables: the
    // server's reading and the client's checking overlap the replay.
    let snapshot: String = get(&tx.inner()?.query_one("SELECT pg_export_snapshot()", &[])?, 0)?;
    std::thread::scope(|scope| -> Result<(), Error> {
        let (checked_out, checked_in) = sync_channel::<Batch>(IN_FLIGHT);
        let snapshot = &snapshot;
        scope.spawn(move || {
            if let Err(e) = read_log(server, wait, snapshot, ledger.id, &checked_out) {
                let _ =
                    checked_out.send(Batch { text: String::new(), entries: Vec::new(), stop: Some(Stop::Fault(e)) });
            }
        });
        loop {
            let Ok(batch) = checked_in.recv() else { return Ok(()) };
            for e in &batch.entries {
                let (seq, computed) = (e.seq, e.computed);
                let text = |r: &Range<usize>| &batch.text[r.clone()];
                let (at, actor, kind) = (text(&e.at), text(&e.actor), text(&e.kind));
                let event = match Event::from_json(text(&e.payload)) {
                    Ok(event) => event,
                    Err(e) => {
                        report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条无法解析：{e}"));
                        return Ok(());
                    }
                };
                if event.kind() != kind {
                    report.mismatch =
                        log_mismatch(seq, format!("日志第 {seq} 条的类型 {kind} 与内容 {} 不符", event.kind()));
                    return Ok(());
                }
                if let Some(walk) = &mut walk {
                    walk.entry(&mut report, seq, at, actor, &event, computed);
                }
                if let Err(e) = projector.apply(&mut tx, seq, at, &event) {
                    report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条无法重放：{e}"));
                    return Ok(());
                }
                report.entries = seq;
                report.fingerprint = computed;
                prev_at.clear();
                prev_at.push_str(at);
            }
            match batch.stop {
                None => {}
                Some(Stop::Mismatch(m)) => {
                    report.mismatch = Some(m);
                    return Ok(());
                }
                Some(Stop::Fault(e)) => return Err(e),
            }
        }
    })?;
    if report.mismatch.is_some() {
        return Ok(report);
    }
    if report.entries == 0 {
        report.mismatch = log_mismatch(1, "账套没有任何日志记录".into());
        return Ok(report);
    }
    if let Some(missing) = walk.as_ref().and_then(|w: &AnchorWalk| w.missing(&report)) {
        report.mismatch = Some(missing);
        return Ok(report);
    }
    projector.flush(&mut tx)?;
    tx.send()?;
    tx.inner()?.execute(
        "INSERT INTO pg_temp.chain_heads (ledger_id, seq, hash, at) VALUES ($1, $2, $3, $4)",
        &[&ledger.id, &report.entries, &&report.fingerprint.0[..], &prev_at],
    )?;
    let mut found: Vec<Mismatch> = Vec::new();
    for p in PROJECTIONS {
        if let Some(m) = compare_table(&mut tx, &schema, ledger.id, p)? {
            found.push(m);
        }
    }
    if let Some(m) = scans(&mut tx, ledger.id)? {
        found.push(m);
    }
    // A row's own entry number is exact; a balance's is a guess (the first
    // voucher on that account that month) and the chain's head only sums
    // the log up: the exact ones come first.
    report.mismatch = found
        .into_iter()
        .min_by_key(|m| (matches!(m.table, "balances" | "fund_totals" | "chain_heads"), m.seq.unwrap_or(i64::MAX)));
    Ok(report)
}

/// A batch of the log whose links, hashes and times are checked: the
/// entries' text in one buffer (few allocations cross between the
/// threads), and where each checker stopped, if it did.
struct Batch {
    text: String,
    entries: Vec<Linked>,
    stop: Option<Stop>,
}

/// One checked entry of a batch: its number, where its time, actor, kind
/// and payload are in the batch's text, and its hash.
struct Linked {
    seq: i64,
    at: Range<usize>,
    actor: Range<usize>,
    kind: Range<usize>,
    payload: Range<usize>,
    computed: Fingerprint,
}

/// Why the checker stopped: the log differs from its chain, or a row
/// could not be read.
enum Stop {
    Mismatch(Mismatch),
    Fault(Error),
}

fn log_mismatch(seq: i64, detail: String) -> Option<Mismatch> {
    Some(Mismatch { seq: Some(seq), table: "log", detail })
}

/// [AUD-2] reads the log of `ledger_id` on a connection of its own, in
/// the snapshot `snapshot` exported by the replay's transaction, and walks
/// the chain, sending each batch's entries in order. Stops after the first
/// mismatch, or when the replay hangs up.
fn read_log(
    server: &crate::Server,
    wait: Duration,
    snapshot: &str,
    ledger_id: i64,
    checked: &SyncSender<Batch>,
) -> Result<(), Error> {
    let mut client = crate::open(server, wait)?;
    let mut tx = client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
    // The snapshot's name comes from the server; `SET TRANSACTION SNAPSHOT`
    // takes a literal only.
    tx.batch_execute(&format!("SET TRANSACTION SNAPSHOT '{}'", snapshot.replace('\'', "''")))?;
    // One query read through a portal a batch at a time: one plan for the
    // whole log, whatever the statistics say.
    let walk_log =
        tx.prepare("SELECT seq, at, actor, kind, payload, prev_hash, hash FROM log WHERE ledger_id = $1 ORDER BY seq")?;
    let portal = tx.bind(&walk_log, &[&ledger_id])?;
    let mut prev = GENESIS;
    let mut prev_at = String::new();
    let mut expected_seq = 1i64;
    loop {
        let batch = tx.query_portal(&portal, LOG_BATCH)?;
        if batch.is_empty() {
            return Ok(());
        }
        let mut out = Batch { text: String::new(), entries: Vec::with_capacity(batch.len()), stop: None };
        for r in &batch {
            if let Err(stop) = check_entry(r, &mut prev, &mut prev_at, expected_seq, &mut out) {
                out.stop = Some(stop);
                break;
            }
            expected_seq += 1;
        }
        let stop = out.stop.is_some();
        if checked.send(out).is_err() || stop {
            return Ok(());
        }
    }
}

/// One entry of the chain, after `prev` (the hash of the entry before,
/// written at `prev_at`).
fn check_entry(
    row: &postgres::Row,
    prev: &mut Fingerprint,
    prev_at: &mut String,
    expected_seq: i64,
    out: &mut Batch,
) -> Result<(), Stop> {
    let mismatch = |seq: i64, detail: String| Stop::Mismatch(Mismatch { seq: Some(seq), table: "log", detail });
    let read = || -> Result<_, Error> {
        let seq: i64 = get(row, 0)?;
        let (at, actor, kind, payload): (&str, &str, &str, &str) =
            (get(row, 1)?, get(row, 2)?, get(row, 3)?, get(row, 4)?);
        let (prev_hash, hash): (&[u8], &[u8]) = (get(row, 5)?, get(row, 6)?);
        Ok((seq, at, actor, kind, payload, prev_hash, hash))
    };
    let (seq, at, actor, kind, payload, prev_hash, hash) = read().map_err(Stop::Fault)?;
    if seq != expected_seq {
        return Err(mismatch(expected_seq, format!("日志第 {expected_seq} 条缺失（其后为第 {seq} 条）")));
    }
    for (column, bytes) in [("prev_hash", prev_hash), ("hash", hash)] {
        if bytes.len() != 32 {
            return Err(mismatch(
                seq,
                format!("日志第 {seq} 条的 {column} 列长 {} 字节，应为 32 字节的哈希：该条记录被改动过", bytes.len()),
            ));
        }
    }
    if prev_hash[..] != prev.0[..] {
        // Either this entry's link was altered, or the entry before it
        // was altered and re-hashed: an entry whose own hash still
        // follows from the link it holds is intact, and the one before
        // it is the one changed.
        let intact = entry_hash(&Fingerprint::from_slice(prev_hash).unwrap_or(GENESIS), seq, at, actor, kind, payload)
            .0[..]
            == hash[..];
        return Err(if intact && seq > 1 {
            mismatch(
                seq - 1,
                format!("日志第 {} 条被改动过并重算了哈希：第 {seq} 条记录的前一条哈希仍是改动前的", seq - 1),
            )
        } else {
            mismatch(seq, format!("日志第 {seq} 条记录的前一条哈希与第 {} 条不符：该条记录被改动过", seq - 1))
        });
    }
    let computed = entry_hash(prev, seq, at, actor, kind, payload);
    if computed.0[..] != hash[..] {
        return Err(mismatch(seq, format!("日志第 {seq} 条的内容与其哈希不符：该条记录被改动过")));
    }
    if qianzhang_core::audit::log_time_goes_back(prev_at, at) {
        return Err(mismatch(
            seq,
            format!("日志第 {seq} 条的时间 {at} 早于第 {} 条的 {prev_at}：日志的时间倒退了", seq - 1),
        ));
    }
    prev_at.clear();
    prev_at.push_str(at);
    *prev = computed;
    let mut put = |t: &str| {
        let start = out.text.len();
        out.text.push_str(t);
        start..out.text.len()
    };
    let (at, actor, kind, payload) = (put(at), put(actor), put(kind), put(payload));
    out.entries.push(Linked { seq, at, actor, kind, payload, computed });
    Ok(())
}

/// An identifier quoted for SQL.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// [AUD-2] every scan attached in this ledger is stored and its bytes still
/// hash to its address; the first that does not is named with the log
/// entry that attached it.
fn scans(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Option<Mismatch>, Error> {
    let rows = tx.inner()?.query(
        "SELECT MIN(v.seq), v.sha256, s.bytes FROM voucher_scans v \
         LEFT JOIN scans s ON s.ledger_id = v.ledger_id AND s.sha256 = v.sha256 \
         WHERE v.ledger_id = $1 GROUP BY v.sha256, s.bytes ORDER BY MIN(v.seq)",
        &[&ledger_id],
    )?;
    for row in &rows {
        let (seq, sha): (i64, String) = (get(row, 0)?, get(row, 1)?);
        let detail = match get::<Option<&[u8]>>(row, 2)? {
            None => format!("扫描件 {sha} 缺失（被删除）"),
            Some(bytes) if qianzhang_core::scan::sha256_hex(bytes) == sha => continue,
            Some(_) => format!("扫描件 {sha} 的内容与其 SHA-256 不符：该文件被改动过"),
        };
        return Ok(Some(Mismatch { seq: Some(seq), table: "scans", detail }));
    }
    Ok(None)
}

/// The first row, in key order, where the table and its replay differ.
fn compare_table(tx: &mut Tx<'_>, schema: &str, ledger_id: i64, p: &Projection) -> Result<Option<Mismatch>, Error> {
    let columns: Vec<&str> = p.columns.split(',').map(str::trim).collect();
    let keys = &columns[..p.key];
    let (t, lc, cols) = (p.table, p.ledger_column, p.columns);
    let shown = |side: &str| columns.iter().map(|c| format!("{side}.{c}::TEXT")).collect::<Vec<_>>().join(", ");
    let sql = if keys.is_empty() {
        // One row per ledger at most: the rows as sets.
        format!(
            "WITH e AS (SELECT {cols}, TRUE AS here FROM pg_temp.{t} WHERE {lc} = $1 \
                        EXCEPT ALL SELECT {cols}, TRUE FROM {schema}.{t} WHERE {lc} = $1), \
                  a AS (SELECT {cols}, TRUE AS here FROM {schema}.{t} WHERE {lc} = $1 \
                        EXCEPT ALL SELECT {cols}, TRUE FROM pg_temp.{t} WHERE {lc} = $1) \
             SELECT e.here IS NOT NULL, a.here IS NOT NULL, {e}, {a} FROM e FULL JOIN a ON TRUE LIMIT 1",
            e = shown("e"),
            a = shown("a"),
        )
    } else {
        // Keyed by the primary key: the two sides joined on it (a merge
        // along both keys, no hashing of whole rows), the rows that differ
        // kept, the first by key reported.
        let on = keys.iter().map(|k| format!("e.{k} = a.{k}")).collect::<Vec<_>>().join(" AND ");
        let order = keys.iter().map(|k| format!("COALESCE(e.{k}, a.{k})")).collect::<Vec<_>>().join(", ");
        let row = |side: &str| columns.iter().map(|c| format!("{side}.{c}")).collect::<Vec<_>>().join(", ");
        let k = keys[0];
        format!(
            "SELECT e.{k} IS NOT NULL, a.{k} IS NOT NULL, {es}, {as_} \
             FROM (SELECT {cols} FROM pg_temp.{t} WHERE {lc} = $1) e \
             FULL JOIN (SELECT {cols} FROM {schema}.{t} WHERE {lc} = $1) a ON {on} \
             WHERE ROW({er}) IS DISTINCT FROM ROW({ar}) ORDER BY {order} LIMIT 1",
            es = shown("e"),
            as_ = shown("a"),
            er = row("e"),
            ar = row("a"),
        )
    };
    let Some(row) = tx.inner()?.query_opt(&sql, &[&ledger_id])? else { return Ok(None) };
    let width = columns.len();
    let side = |from: usize, here: bool| -> Result<Option<Vec<Option<String>>>, Error> {
        if !here {
            return Ok(None);
        }
        (from..from + width).map(|i| get::<Option<String>>(&row, i)).collect::<Result<Vec<_>, _>>().map(Some)
    };
    let e = side(2, get(&row, 0)?)?;
    let a = side(2 + width, get(&row, 1)?)?;
    // The entry that wrote the value that differs: a voucher's content
    // and its posting, a signature and its withdrawal are different entries.
    let differing = match (&e, &a) {
        (Some(e), Some(a)) => (0..width).find(|i| e[*i] != a[*i]).map(|i| columns[i]),
        _ => None,
    };
    let column = match (t, differing) {
        ("vouchers", Some("status" | "posted_seq")) => "posted_seq",
        ("signatures", Some("withdrawn_seq")) => "withdrawn_seq",
        _ => p.seq_column,
    };
    let seq_of = |row: &Vec<Option<String>>, column: &str| {
        columns.iter().position(|c| *c == column).and_then(|i| row[i].as_deref()).and_then(|s| s.parse::<i64>().ok())
    };
    let seq = match e.as_ref().or(a.as_ref()) {
        // The head stored past the log's end: the first entry missing.
        Some(row) if t == "chain_heads" => {
            let a = a.as_ref().and_then(|a| seq_of(a, "seq"));
            seq_of(row, "seq").max(a)
        }
        Some(row) if p.seq_column.is_empty() => balance_seq(tx, schema, ledger_id, row)?,
        Some(row) => seq_of(row, column).or_else(|| seq_of(row, p.seq_column)),
        None => None,
    };
    let detail = match (&e, &a) {
        (Some(e), Some(a)) => format!("表 {t} 的记录被改动：日志重算为 {}，库中为 {}", show(e), show(a)),
        (Some(e), None) => format!("表 {t} 缺少记录 {}（被删除）", show(e)),
        (None, Some(a)) => format!("表 {t} 多出日志中没有的记录 {}", show(a)),
        (None, None) => return Ok(None),
    };
    Ok(Some(Mismatch { seq, table: t, detail }))
}

/// For a balance row (account, period, …), the first posted voucher of
/// that period with a line on that account: the entry whose content the
/// balance was built from, as the store's log has it.
fn balance_seq(tx: &mut Tx<'_>, schema: &str, ledger_id: i64, row: &[Option<String>]) -> Result<Option<i64>, Error> {
    let (Some(Some(account)), Some(Some(period))) = (row.first(), row.get(1)) else { return Ok(None) };
    let Ok(period) = period.parse::<i64>() else { return Ok(None) };
    // The store's own vouchers, not their replay in `pg_temp`.
    let sql = format!(
        "SELECT v.content_seq, l.payload FROM {schema}.vouchers v \
         JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
         WHERE v.ledger_id = $1 AND v.period = $2 AND v.posted_seq IS NOT NULL ORDER BY v.content_seq"
    );
    let rows = tx.inner()?.query(&sql, &[&ledger_id, &period])?;
    for r in &rows {
        if let Ok(v) = voucher_of(get(r, 1)?) {
            if v.lines().iter().any(|l| &l.account == account) {
                return Ok(Some(get(r, 0)?));
            }
        }
    }
    Ok(None)
}

fn show(row: &[Option<String>]) -> String {
    let cells: Vec<String> = row
        .iter()
        .map(|v| match v.as_deref() {
            None => "空".to_string(),
            Some(t) => t.strip_prefix("\\x").unwrap_or(t).to_string(),
        })
        .collect();
    format!("({})", cells.join(", "))
}
