//! [AUD-2] verifying a ledger of [`super::MemoryBackend`]: the chain
//! recomputed entry by entry, the events replayed into fresh books, and
//! every projection compared with the live books, as the store does.

use super::backend::{payload, Ledger};
use super::MemoryBooks;
use crate::audit;
use crate::backend::{Anchor, AnchorWalk, BackendError, Mismatch, VerifyReport};
use crate::chain::{entry_hash, GENESIS};
use crate::voucher::VoucherRef;

/// [AUD-2] walks the chain recomputing every hash, replays the events into
/// fresh books and compares them with the live ones, as the store does.
pub(super) fn verify(ledger: &Ledger, anchor: Option<Anchor>) -> Result<VerifyReport, BackendError> {
    let mut report = VerifyReport::new(&ledger.handle.info.name);
    let log_mismatch = |seq: i64, detail: String| Some(Mismatch { seq: Some(seq), table: "log", detail });
    let mut walk = anchor.map(AnchorWalk::new);
    let mut replay = MemoryBooks::new(ledger.handle.info.clone());
    let mut prev = GENESIS;
    let mut prev_at = "";
    for (i, e) in ledger.log.iter().enumerate() {
        let (seq, at, event) = (i as i64 + 1, e.at.as_str(), &e.event);
        if e.seq != seq {
            report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条缺失（其后为第 {} 条）", e.seq));
            break;
        }
        let computed = entry_hash(&prev, seq, at, &e.actor, event.kind(), &payload(event)?);
        if computed != e.hash {
            report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条的内容与其哈希不符：该条记录被改动过"));
            break;
        }
        if audit::log_time_goes_back(prev_at, at) {
            report.mismatch = log_mismatch(
                seq,
                format!("日志第 {seq} 条的时间 {at} 早于第 {} 条的 {prev_at}：日志的时间倒退了", seq - 1),
            );
            break;
        }
        prev_at = at;
        if let Some(walk) = &mut walk {
            walk.entry(&mut report, seq, at, &e.actor, event, computed);
        }
        replay.at = e.at.clone();
        if let Err(err) = replay.record(event.clone()) {
            report.mismatch = log_mismatch(seq, format!("日志第 {seq} 条无法重放：{err}"));
            break;
        }
        prev = computed;
        report.entries = seq;
        report.fingerprint = computed;
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
    report.mismatch = compare(&ledger.books, &replay).or_else(|| scans(ledger));
    Ok(report)
}

/// The first difference between the live books and those replayed from
/// the log, table by table, as the store names its projection tables.
fn compare(actual: &MemoryBooks, expected: &MemoryBooks) -> Option<Mismatch> {
    for (table, a, e) in [
        ("vouchers", vouchers(actual), vouchers(expected)),
        ("balances", rows(&actual.period_totals), rows(&expected.period_totals)),
        ("fund_totals", rows(&actual.fund_totals), rows(&expected.fund_totals)),
        ("statement_totals", rows(&actual.statement_totals), rows(&expected.statement_totals)),
        ("periods", periods(actual), periods(expected)),
        ("signatures", rows(&actual.signed), rows(&expected.signed)),
        ("receipts", rows(&actual.receipts), rows(&expected.receipts)),
        ("receipt_books", rows(&actual.receipt_books), rows(&expected.receipt_books)),
        ("authorizations", rows(&actual.authorizations), rows(&expected.authorizations)),
        ("accounts", vec![format!("{:?}", actual.chart)], vec![format!("{:?}", expected.chart)]),
        ("people", vec![format!("{:?}", actual.registry)], vec![format!("{:?}", expected.registry)]),
        ("settings", vec![format!("{:?}", actual.settings)], vec![format!("{:?}", expected.settings)]),
        ("funds", rows(&actual.funds), rows(&expected.funds)),
        ("cash_counts", rows(&actual.counts), rows(&expected.counts)),
        ("statement_lines", rows(&actual.statement), rows(&expected.statement)),
        ("statement_reach", rows(&actual.statement_through), rows(&expected.statement_through)),
        ("assets", rows(&actual.assets), rows(&expected.assets)),
        ("disclosure_reviews", rows(&actual.reviews), rows(&expected.reviews)),
        ("publications", rows(&actual.publications), rows(&expected.publications)),
        ("voucher_scans", rows(&actual.attached_scans), rows(&expected.attached_scans)),
        ("budgets", rows(&actual.budgets), rows(&expected.budgets)),
        ("imports", rows(&actual.imported), rows(&expected.imported)),
        ("openings", rows(&actual.openings), rows(&expected.openings)),
    ] {
        let differing = (0..a.len().max(e.len())).find(|i| a.get(*i) != e.get(*i));
        if let Some(i) = differing {
            let detail = match (e.get(i), a.get(i)) {
                (Some(e), Some(a)) => format!("表 {table} 的记录被改动：日志重算为 {e}，库中为 {a}"),
                (Some(e), None) => format!("表 {table} 缺少记录 {e}（被删除）"),
                (None, Some(a)) => format!("表 {table} 多出日志中没有的记录 {a}"),
                (None, None) => continue,
            };
            let seq = match table {
                // The entry that wrote the first voucher that differs.
                "vouchers" => {
                    let mut refs: Vec<&VoucherRef> = expected.vouchers.keys().chain(actual.vouchers.keys()).collect();
                    refs.sort();
                    refs.dedup();
                    let same = |r: &VoucherRef| {
                        actual.vouchers.get(r) == expected.vouchers.get(r)
                            && actual.moved.contains(r) == expected.moved.contains(r)
                    };
                    refs.into_iter()
                        .find(|r| !same(r))
                        .and_then(|r| expected.written.get(r).or(actual.written.get(r)).copied())
                }
                _ => None,
            };
            return Some(Mismatch { seq, table, detail });
        }
    }
    None
}

/// [AUD-2] every scan the log says was attached is kept, and its bytes
/// still hash to its address: the first that does not, with the log entry
/// that attached it.
fn scans(ledger: &Ledger) -> Option<Mismatch> {
    ledger.log.iter().find_map(|e| {
        let crate::event::Event::ScanAttached { scan } = &e.event else { return None };
        let detail = match ledger.books.scans.get(&scan.sha256) {
            None => format!("扫描件 {} 缺失（被删除）", scan.sha256),
            Some((_, bytes)) if crate::scan::sha256_hex(bytes) != scan.sha256 => {
                format!("扫描件 {} 的内容与其 SHA-256 不符：该文件被改动过", scan.sha256)
            }
            Some(_) => return None,
        };
        Some(Mismatch { seq: Some(e.seq), table: "scans", detail })
    })
}

/// The rows of a projection, each as text, in a stable order.
fn rows<T: std::fmt::Debug>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    let mut out: Vec<String> = items.into_iter().map(|x| format!("{x:?}")).collect();
    out.sort();
    out
}

/// Each voucher with its status, and whether its money moved ahead of posting.
fn vouchers(books: &MemoryBooks) -> Vec<String> {
    let mut all: Vec<_> = books.vouchers.iter().collect();
    all.sort_by_key(|(r, _)| **r);
    all.into_iter().map(|(r, (v, s))| format!("{v:?}, {s:?}, {}", books.moved.contains(r))).collect()
}

/// The closed periods with the bank entries in transit at each close.
fn periods(books: &MemoryBooks) -> Vec<String> {
    rows(books.closed.iter().map(|p| (p, books.in_transit.get(p))))
}
