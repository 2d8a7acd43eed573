//! The reads reports make: one query each, into typed rows.

use qianzhang_core::approval::Settings;
use qianzhang_core::audit::{self, AuditVoucher, LogFact};
use qianzhang_core::backend::{
    AccountBudget, AuthorizationUse, BackendError, FundTotalRow, HistoryRow, LedgerHandle, LogEntry, LogHead,
    PeriodTotalRow, ReceiptRow,
};
use qianzhang_core::books::LedgerInfo;
use qianzhang_core::cash::CashCount;
use qianzhang_core::chain::Fingerprint;
use qianzhang_core::disclosure::{Asset, Review, Voided};
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::Signature;
use qianzhang_core::people::Registry;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::receipts::ReceiptBook;
use qianzhang_core::statements::{Part, StatementRow};
use qianzhang_core::{Chart, Event, Period, Status, Voucher, VoucherRef};
use rusqlite::{params, Connection, OptionalExtension};

use crate::rows::{
    checked_money, head, load_assets, load_authorizations, load_cash_counts, load_chart, load_citing, load_funds,
    load_receipt_books, load_receipts, load_registry, load_settings, load_signatures,
};
use crate::{projector, Error};

/// Every ledger in the store, in creation order.
pub(crate) fn ledgers(conn: &Connection) -> Result<Vec<LedgerHandle>, Error> {
    let mut stmt = conn.prepare("SELECT id, name, start_period FROM ledgers ORDER BY id")?;
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
        .ok_or_else(|| Error::Corrupt(format!("{}（账套“{name}”的启用期间）不是有效的期间", place("start_period"))))?;
        out.push(LedgerHandle { id, info: LedgerInfo { name, start } });
    }
    Ok(out)
}

/// The fixed-asset register.
pub(crate) fn assets(conn: &Connection, ledger: &LedgerHandle) -> Result<Vec<Asset>, Error> {
    load_assets(conn, ledger.id)
}

/// Every review opinion recorded, in order.
pub(crate) fn reviews(conn: &Connection, ledger: &LedgerHandle) -> Result<Vec<Review>, Error> {
    let mut stmt = conn.prepare_cached(
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

/// [PUB-1] every publication of a month's disclosure, in order.
pub(crate) fn publications(
    conn: &Connection,
    ledger: &LedgerHandle,
) -> Result<Vec<qianzhang_core::publication::Publication>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT period, date, fingerprint, by_person, at FROM publications WHERE ledger_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![ledger.id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (key, date): (u32, String) = (r.get(0)?, r.get(1)?);
        out.push(qianzhang_core::publication::Publication {
            period: Period::from_key(key)
                .ok_or_else(|| Error::Corrupt(format!("表 publications 中的期间 {key} 无效")))?,
            date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 publications：{e}")))?,
            fingerprint: r.get(2)?,
            by: r.get(3)?,
            at: r.get(4)?,
        });
    }
    Ok(out)
}

/// [DOC-1] the scans attached to a voucher, in order.
pub(crate) fn scans_of(
    conn: &Connection,
    ledger: &LedgerHandle,
    voucher: VoucherRef,
) -> Result<Vec<qianzhang_core::scan::ScanInfo>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT sha256, media, size, file_name FROM voucher_scans \
         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![ledger.id, voucher.period.key(), voucher.number])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let (media, size): (String, i64) = (r.get(1)?, r.get(2)?);
        out.push(qianzhang_core::scan::ScanInfo {
            voucher,
            sha256: r.get(0)?,
            media: media_of(&media, "voucher_scans")?,
            size: u64::try_from(size).map_err(|_| Error::Corrupt(format!("表 voucher_scans 中的大小 {size} 无效")))?,
            file_name: r.get(3)?,
        });
    }
    Ok(out)
}

fn media_of(text: &str, table: &str) -> Result<qianzhang_core::scan::MediaType, Error> {
    qianzhang_core::scan::MediaType::parse(text)
        .ok_or_else(|| Error::Corrupt(format!("表 {table} 中的文件类型 {text} 不认识")))
}

/// [DOC-1] a scan's type and bytes, only when attached to a voucher of `ledger`.
pub(crate) fn scan(
    conn: &Connection,
    ledger: &LedgerHandle,
    sha256: &str,
) -> Result<Option<(qianzhang_core::scan::MediaType, Vec<u8>)>, Error> {
    let row: Option<(String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT s.media, s.bytes FROM scans s WHERE s.sha256 = ?2 AND EXISTS \
             (SELECT 1 FROM voucher_scans v WHERE v.ledger_id = ?1 AND v.sha256 = ?2)",
        )?
        .query_row(params![ledger.id, sha256], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(media, bytes)| Ok((media_of(&media, "scans")?, bytes))).transpose()
}

/// The budgets of a year, per account.
pub(crate) fn budgets(conn: &Connection, ledger: &LedgerHandle, year: i32) -> Result<Vec<AccountBudget>, Error> {
    let mut stmt =
        conn.prepare_cached("SELECT account, amount FROM budgets WHERE ledger_id = ?1 AND year = ?2 ORDER BY account")?;
    let mut rows = stmt.query(params![ledger.id, year])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(AccountBudget { account: r.get(0)?, amount: checked_money(r.get(1)?, "budgets")? });
    }
    Ok(out)
}

/// Whether a period is closed now.
pub(crate) fn is_closed(conn: &Connection, ledger: &LedgerHandle, period: Period) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM periods WHERE ledger_id = ?1 AND period = ?2")?
        .exists(params![ledger.id, period.key()])?)
}

/// The fingerprint at the latest close of `period` (AUD-3): the hash of
/// the log entry that closed it, with that entry's number.
pub(crate) fn close_fingerprint(
    conn: &Connection,
    ledger: &LedgerHandle,
    period: Period,
) -> Result<Option<LogHead>, Error> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT seq, hash FROM log WHERE ledger_id = ?1 AND kind = 'period_closed' \
             AND json_extract(payload, '$.period') = ?2 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row(params![ledger.id, period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(seq, hash)| Ok(LogHead { seq, fingerprint: Fingerprint::from_slice(&hash)? })).transpose()
}

/// [AUD-1] vouchers entered since go-live and dated `from..=to`, with
/// their signatures and the day their content was written.
pub(crate) fn audit_vouchers(
    conn: &Connection,
    ledger: &LedgerHandle,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<AuditVoucher>, Error> {
    let mut stmt = conn.prepare_cached(
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
        let signatures = load_signatures(conn, ledger.id, voucher.reference())?;
        let entered = parse_date(at.get(..10).unwrap_or("")).unwrap_or(voucher.date());
        result.push(AuditVoucher { voucher, status, signatures, entered, entered_seq });
    }
    Ok(result)
}

/// Migrated history per period of `from..=to`: vouchers and debit total.
pub(crate) fn history_summary(
    conn: &Connection,
    ledger: &LedgerHandle,
    from: Period,
    to: Period,
) -> Result<Vec<HistoryRow>, Error> {
    let mut stmt = conn.prepare_cached(
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
        out.push(HistoryRow { period, vouchers: n as u64, debit: checked_money(fen, "balances")? });
    }
    Ok(out)
}

/// [PUB-1, HND-1] the vouchers of `from..=to` voided before posting,
/// with the reason, who voided each and when, in number order.
pub(crate) fn voided(conn: &Connection, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<Voided>, Error> {
    let mut vouchers = Vec::new();
    each_voucher(conn, ledger, from, to, |v, s| {
        if s == Status::Voided {
            vouchers.push(v);
        }
        Ok::<(), Error>(())
    })?;
    if vouchers.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, payload FROM log WHERE ledger_id = ?1 AND kind = 'voucher_voided' ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![ledger.id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let at: String = r.get(0)?;
        let voided_on = parse_date(at.get(..10).unwrap_or("")).map_err(|e| Error::Corrupt(e.to_string()))?;
        let event = Event::from_json(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?)?;
        let Event::VoucherVoided { reference, reason } = event else {
            return Err(Error::Corrupt(format!("log entry of kind voucher_voided holds {}", event.kind())));
        };
        if let Some(v) = vouchers.iter().find(|v| v.reference() == reference) {
            out.push(Voided {
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
pub(crate) fn log_facts(conn: &Connection, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, Error> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
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
        let event = Event::from_json(r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?)?;
        out.push(LogFact { seq: r.get(0)?, date, actor: r.get(2)?, event });
    }
    out.sort_by_key(|f| f.seq);
    Ok(out)
}

/// [OPR-1] the failed sign-ins claiming `name` since the person last
/// acted or had a passphrase set, oldest first: what the lockout counts.
pub(crate) fn failed_sign_ins(conn: &Connection, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, Error> {
    let facts = log_facts(conn, ledger, &["sign_in_failed", "passphrase_set"])?;
    qianzhang_core::operator::failures_in_a_row(name, facts.into_iter().map(|f| (f.seq, f.event)), |first| {
        conn.prepare_cached("SELECT MAX(seq) FROM log WHERE ledger_id = ?1 AND seq > ?2 AND actor = ?3")?
            .query_row(params![ledger.id, first, name], |r| r.get(0))
            .map_err(Error::from)
    })
}

/// The cash counts of `from..=to`, in the order recorded.
pub(crate) fn cash_counts(
    conn: &Connection,
    ledger: &LedgerHandle,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<CashCount>, Error> {
    load_cash_counts(conn, ledger.id, from, to)
}

/// [AUD-1] every act of a person between two days, as the log has it.
pub(crate) fn acts_of(
    conn: &Connection,
    ledger: &LedgerHandle,
    person: &str,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<audit::Act>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, payload, hash, actor FROM log WHERE ledger_id = ?1 \
         AND (actor = ?2 OR kind = 'passphrase_set') \
         AND substr(at, 1, 10) BETWEEN ?3 AND ?4 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![ledger.id, person, format_date(from), format_date(to)])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let event = Event::from_json(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?)?;
        let actor: String = r.get(4)?;
        let hash: Vec<u8> = r.get(3)?;
        let at: String = r.get(1)?;
        out.extend(audit::act_of(person, r.get(0)?, &at, &actor, &event, hex::encode(hash)));
    }
    Ok(out)
}

/// The hash of the last log entry made on or before `date`: the
/// fingerprint at that day's end.
pub(crate) fn fingerprint_at(
    conn: &Connection,
    ledger: &LedgerHandle,
    date: time::Date,
) -> Result<Option<LogHead>, Error> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT seq, hash FROM log WHERE ledger_id = ?1 AND substr(at, 1, 10) <= ?2 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row(params![ledger.id, format_date(date)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(seq, hash)| Ok(LogHead { seq, fingerprint: Fingerprint::from_slice(&hash)? })).transpose()
}

/// The special funds of a ledger, in the order declared.
pub(crate) fn funds(conn: &Connection, ledger: &LedgerHandle) -> Result<Vec<Fund>, Error> {
    load_funds(conn, ledger.id)
}

/// The chart of accounts of a ledger.
pub(crate) fn chart(conn: &Connection, ledger: &LedgerHandle) -> Result<Chart, Error> {
    load_chart(conn, ledger.id)
}

/// The people, appointments and kinship facts of a ledger.
pub(crate) fn registry(conn: &Connection, ledger: &LedgerHandle) -> Result<Registry, Error> {
    load_registry(conn, ledger.id)
}

/// Posted debit/credit totals per leaf account and period.
pub(crate) fn period_totals(conn: &Connection, ledger: &LedgerHandle) -> Result<Vec<PeriodTotalRow>, Error> {
    let mut stmt = conn.prepare_cached("SELECT account, period, debit, credit FROM balances WHERE ledger_id = ?1")?;
    let rows = stmt.query_map([ledger.id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (account, period, debit, credit) = row?;
        let period =
            Period::from_key(period).ok_or_else(|| Error::Corrupt(format!("表 balances 中的期间 {period} 无效")))?;
        let (debit, credit) = (checked_money(debit, "balances")?, checked_money(credit, "balances")?);
        out.push(PeriodTotalRow { account, period, debit, credit });
    }
    Ok(out)
}

/// Money into and out of each special fund per period.
pub(crate) fn fund_totals(conn: &Connection, ledger: &LedgerHandle) -> Result<Vec<FundTotalRow>, Error> {
    let mut stmt =
        conn.prepare_cached("SELECT fund, period, income, spending FROM fund_totals WHERE ledger_id = ?1")?;
    let rows = stmt.query_map([ledger.id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (fund, period, income, spending) = row?;
        let period =
            Period::from_key(period).ok_or_else(|| Error::Corrupt(format!("表 fund_totals 中的期间 {period} 无效")))?;
        let (income, spending) = (checked_money(income, "fund_totals")?, checked_money(spending, "fund_totals")?);
        out.push(FundTotalRow { fund, period, income, spending });
    }
    Ok(out)
}

/// [STM-1] the statements' rows, in the core's key order.
pub(crate) fn statement_totals(conn: &Connection, ledger: &LedgerHandle) -> Result<Vec<StatementRow>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT period, part, account, fund, debit, credit FROM statement_totals WHERE ledger_id = ?1",
    )?;
    let rows = stmt.query_map([ledger.id], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (period, part, account, fund, debit, credit) = row?;
        let bad = |what: String| Error::Corrupt(format!("表 statement_totals 中的{what}无效"));
        let period = Period::from_key(period).ok_or_else(|| bad(format!("期间 {period} ")))?;
        let part = Part::from_str_opt(&part).ok_or_else(|| bad(format!("类别 {part} ")))?;
        let (debit, credit) = (checked_money(debit, "statement_totals")?, checked_money(credit, "statement_totals")?);
        let fund = (!fund.is_empty()).then_some(fund);
        out.push(StatementRow { period, part, account, fund, debit, credit });
    }
    out.sort();
    Ok(out)
}

/// The first and last period holding vouchers, if any. Two single-ended
/// queries, so each is one index probe rather than a scan.
pub(crate) fn period_span(conn: &Connection, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, Error> {
    let end = |order: &str| -> Result<Option<u32>, Error> {
        let sql = format!("SELECT period FROM vouchers WHERE ledger_id = ?1 ORDER BY period {order} LIMIT 1");
        Ok(conn.prepare_cached(&sql)?.query_row([ledger.id], |r| r.get(0)).optional()?)
    };
    Ok(match (end("ASC")?, end("DESC")?) {
        (Some(a), Some(b)) => Period::from_key(a).zip(Period::from_key(b)),
        _ => None,
    })
}

/// Receipt books and every receipt used or voided.
#[allow(clippy::type_complexity)]
pub(crate) fn receipts(conn: &Connection, ledger: &LedgerHandle) -> Result<(Vec<ReceiptBook>, Vec<ReceiptRow>), Error> {
    Ok((load_receipt_books(conn, ledger.id)?, load_receipts(conn, ledger.id, None)?))
}

pub(crate) fn settings(conn: &Connection, ledger: &LedgerHandle) -> Result<Settings, Error> {
    load_settings(conn, ledger.id)
}

/// Every authorization with what it has paid for so far.
pub(crate) fn authorizations(conn: &Connection, ledger: &LedgerHandle) -> Result<Vec<AuthorizationUse>, Error> {
    let chart = chart(conn, ledger)?;
    let mut out = Vec::new();
    for a in load_authorizations(conn, ledger.id)? {
        let citing = load_citing(conn, ledger.id, &a.number)?;
        let used = qianzhang_core::approval::spent(&chart, &citing, None);
        out.push(AuthorizationUse { authorization: a, used });
    }
    Ok(out)
}

/// The signatures standing on a voucher.
pub(crate) fn signatures(conn: &Connection, ledger: &LedgerHandle, r: VoucherRef) -> Result<Vec<Signature>, Error> {
    load_signatures(conn, ledger.id, r)
}

/// The signatures standing on the vouchers of `from..=to`, per voucher.
pub(crate) fn signatures_in(
    conn: &Connection,
    ledger: &LedgerHandle,
    from: Period,
    to: Period,
) -> Result<Vec<(VoucherRef, Vec<Signature>)>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT period, number, kind, person, appointment_from, at, resolution FROM signatures \
         WHERE ledger_id = ?1 AND period BETWEEN ?2 AND ?3 AND withdrawn_seq IS NULL ORDER BY period, number, seq",
    )?;
    let mut rows = stmt.query(params![ledger.id, from.key(), to.key()])?;
    let mut out: Vec<(VoucherRef, Vec<Signature>)> = Vec::new();
    while let Some(row) = rows.next()? {
        let key: u32 = row.get(0)?;
        let period =
            Period::from_key(key).ok_or_else(|| Error::Corrupt(format!("表 signatures 中的期间 {key} 无效")))?;
        let r = VoucherRef { period, number: row.get(1)? };
        let kind: String = row.get(2)?;
        let kind = qianzhang_core::lifecycle::SignKind::from_str_opt(&kind)
            .ok_or_else(|| Error::Corrupt(format!("表 signatures 中凭证 {r} 的签字类型 {kind} 不认识")))?;
        let from: String = row.get(4)?;
        let appointment_from =
            parse_date(&from).map_err(|e| Error::Corrupt(format!("表 signatures 中凭证 {r} 的签字：{e}")))?;
        let signature =
            Signature { kind, person: row.get(3)?, appointment_from, at: row.get(5)?, resolution: row.get(6)? };
        match out.last_mut() {
            Some((last, list)) if *last == r => list.push(signature),
            _ => out.push((r, vec![signature])),
        }
    }
    Ok(out)
}

/// One voucher with its status.
pub(crate) fn voucher(
    conn: &Connection,
    ledger: &LedgerHandle,
    r: VoucherRef,
) -> Result<Option<(Voucher, Status)>, Error> {
    projector::load_voucher(conn, ledger.id, r)
}

/// Calls `f` for every voucher of `from..=to` in period and number order.
pub(crate) fn each_voucher<E: From<BackendError>>(
    conn: &Connection,
    ledger: &LedgerHandle,
    from: Period,
    to: Period,
    mut f: impl FnMut(Voucher, Status) -> Result<(), E>,
) -> Result<(), E> {
    let fault = |e: rusqlite::Error| BackendError::from(Error::from(e));
    let mut stmt = conn
        .prepare_cached(
            "SELECT v.status, l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
             WHERE v.ledger_id = ?1 AND v.period BETWEEN ?2 AND ?3 ORDER BY v.period, v.number",
        )
        .map_err(fault)?;
    let mut rows = stmt.query(params![ledger.id, from.key(), to.key()]).map_err(fault)?;
    while let Some(row) = rows.next().map_err(fault)? {
        let (voucher, status) = voucher_and_status(row).map_err(BackendError::from)?;
        f(voucher, status)?;
    }
    Ok(())
}

/// A voucher read from its content's log entry, with its status.
fn voucher_and_status(row: &rusqlite::Row<'_>) -> Result<(Voucher, Status), Error> {
    let status: String = row.get(0)?;
    let status = Status::from_str_opt(&status)
        .ok_or_else(|| Error::Corrupt(format!("表 vouchers 中的凭证状态 {status} 不认识")))?;
    let payload = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
    Ok((projector::voucher_of(payload)?, status))
}

/// The ledger's fingerprint: the hash of its last log entry, and its number.
pub(crate) fn fingerprint(conn: &Connection, ledger: &LedgerHandle) -> Result<LogHead, Error> {
    let (seq, fingerprint) = head(conn, ledger.id)?;
    Ok(LogHead { seq, fingerprint })
}

/// The last `limit` log entries, newest last.
pub(crate) fn log_tail(conn: &Connection, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, Error> {
    let mut stmt = conn.prepare(
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
            event: Event::from_json(&payload)?,
            hash: Fingerprint::from_slice(&hash)?,
        });
    }
    Ok(out)
}

/// [OPN-1] the opening balances of a ledger, by account code.
pub(crate) fn openings(conn: &Connection, ledger_id: i64) -> Result<Vec<qianzhang_core::opening::Opening>, Error> {
    let mut stmt = conn.prepare_cached("SELECT account, fen FROM openings WHERE ledger_id = ?1 ORDER BY account")?;
    let rows = stmt.query_map([ledger_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (account, fen) = row?;
        out.push(qianzhang_core::opening::Opening { account, amount: checked_money(fen, "openings")? });
    }
    Ok(out)
}
