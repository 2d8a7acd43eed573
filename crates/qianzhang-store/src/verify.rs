//! Verification (AUD-2): walk the chain, replay every event into a scratch
//! database with the same projector the commands use, and compare every
//! projection table row by row with what is on disk.

use qianzhang_core::Event;
use rusqlite::types::Value;
use rusqlite::Connection;

use crate::chain::{entry_hash, Fingerprint, GENESIS};
use crate::projector::Projector;
use crate::schema::{migrate, PROJECTIONS};
use crate::{Error, LedgerHandle};

/// The first place where the store disagrees with its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The log entry that does not match, when one can be named.
    pub seq: Option<i64>,
    /// `log` or the projection table that differs.
    pub table: &'static str,
    pub detail: String,
}

#[derive(Clone, Debug)]
pub struct VerifyReport {
    pub ledger: String,
    /// Log entries whose chain checked out.
    pub entries: i64,
    /// The hash of the last good entry: the fingerprint when nothing mismatched.
    pub fingerprint: Fingerprint,
    pub mismatch: Option<Mismatch>,
    /// With a published fingerprint: the entry it is the hash of.
    pub anchor: Option<AnchorEntry>,
}

/// A fingerprint published earlier (AUD-2, AUD-3), optionally as the one
/// printed at a month's close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub fingerprint: Fingerprint,
    pub month: Option<qianzhang_core::Period>,
}

/// The log entry a published fingerprint is the hash of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorEntry {
    pub seq: i64,
    pub at: String,
    pub description: String,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.mismatch.is_none()
    }
}

pub(crate) fn verify(conn: &Connection, ledger: &LedgerHandle, anchor: Option<Anchor>) -> Result<VerifyReport, Error> {
    let mut replay = Connection::open_in_memory()?;
    migrate(&mut replay)?;
    replay.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;")?;
    let mut report = VerifyReport {
        ledger: ledger.info.name.clone(),
        entries: 0,
        fingerprint: GENESIS,
        mismatch: None,
        anchor: None,
    };
    // The latest entry that closed the anchor's month, for the message when
    // the published fingerprint is not found.
    let mut month_closed_at: Option<(i64, Fingerprint)> = None;
    let mut projector = Projector::new(ledger.id);
    let mut stmt = conn
        .prepare("SELECT seq, at, actor, kind, payload, prev_hash, hash FROM log WHERE ledger_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([ledger.id])?;
    let mut prev = GENESIS;
    let mut prev_at = String::new();
    let mut expected_seq = 1i64;
    let log_mismatch = |seq: i64, detail: String| Some(Mismatch { seq: Some(seq), table: "log", detail });
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let at = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let actor = row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        let kind = row.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
        let payload = row.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?;
        let prev_hash = row.get_ref(5)?.as_blob().map_err(rusqlite::Error::from)?;
        let hash = row.get_ref(6)?.as_blob().map_err(rusqlite::Error::from)?;
        if seq != expected_seq {
            report.mismatch = log_mismatch(expected_seq, format!("日志第 {expected_seq} 条缺失（其后为第 {seq} 条）"));
            break;
        }
        if prev_hash != prev.0 {
            report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条记录的前一条哈希与第 {} 条不符", seq - 1));
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
        let event: Event = match serde_json::from_str(payload) {
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
        if let Some(a) = anchor {
            let closes_month = match (&event, a.month) {
                (Event::PeriodClosed { period, .. }, Some(m)) => *period == m,
                (_, Some(_)) => false,
                (_, None) => true,
            };
            if closes_month && a.month.is_some() {
                month_closed_at = Some((seq, computed));
            }
            if closes_month && computed == a.fingerprint && report.anchor.is_none() {
                report.anchor = Some(AnchorEntry { seq, at: at.to_string(), description: event.describe() });
            }
        }
        if let Err(e) = projector.apply(&replay, seq, at, &event) {
            report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条无法重放：{e}"));
            break;
        }
        prev = computed;
        report.entries = seq;
        report.fingerprint = computed;
        expected_seq += 1;
    }
    if report.mismatch.is_some() {
        return Ok(report);
    }
    if report.entries == 0 {
        report.mismatch = log_mismatch(1, "账套没有任何日志记录".into());
        return Ok(report);
    }
    if let (Some(a), None) = (anchor, &report.anchor) {
        let short = a.fingerprint.short();
        report.mismatch = Some(match (a.month, month_closed_at) {
            (Some(m), Some((seq, hash))) => Mismatch {
                seq: Some(seq),
                table: "log",
                detail: format!(
                    "公布的 {m} 结账指纹 {short} 与日志第 {seq} 条（{m} 结账）的哈希 {} 不符：结账以前的历史在公布之后被改写过",
                    hash.short()
                ),
            },
            (Some(m), None) => Mismatch {
                seq: None,
                table: "log",
                detail: format!("日志中没有 {m} 的结账记录，公布的指纹 {short} 无从对应：结账记录被删除或改写"),
            },
            (None, _) => Mismatch {
                seq: None,
                table: "log",
                detail: format!(
                    "日志中没有哪一条的哈希是公布的指纹 {short}：公布之前的历史被改写过（或指纹抄错，请逐位核对）"
                ),
            },
        });
        return Ok(report);
    }
    projector.flush(&replay)?;
    let mut found: Vec<Mismatch> = Vec::new();
    for (table, sql, seq_column) in PROJECTIONS {
        if let Some(m) = compare_table(conn, &replay, ledger.id, table, sql, seq_column)? {
            found.push(m);
        }
    }
    report.mismatch = found.into_iter().min_by_key(|m| m.seq.unwrap_or(i64::MAX));
    Ok(report)
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
    let seq_index = a_stmt.column_names().iter().position(|c| *c == seq_column);
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
        let seq = match (&e, &a, seq_index) {
            (Some(row), _, Some(i)) | (None, Some(row), Some(i)) => match row[i] {
                Value::Integer(s) => Some(s),
                _ => None,
            },
            _ => balance_seq(expected, ledger_id, e.as_ref().or(a.as_ref()))?,
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

/// For a balance row, the first log entry posting to that period.
fn balance_seq(expected: &Connection, ledger_id: i64, row: Option<&Vec<Value>>) -> Result<Option<i64>, Error> {
    let Some(Value::Integer(period)) = row.and_then(|r| r.get(1)) else { return Ok(None) };
    Ok(expected.query_row(
        "SELECT MIN(posted_seq) FROM vouchers WHERE ledger_id = ?1 AND period = ?2",
        [ledger_id, *period],
        |r| r.get(0),
    )?)
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
