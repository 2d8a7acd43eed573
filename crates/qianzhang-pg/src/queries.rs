//! The reads reports make: one query each, into typed rows.

use qianzhang_core::audit::{self, AuditVoucher, LogFact};
use qianzhang_core::backend::{
    AccountBudget, AuthorizationUse, FundTotalRow, HistoryRow, LedgerHandle, LogEntry, LogHead, PeriodTotalRow,
};
use qianzhang_core::books::LedgerInfo;
use qianzhang_core::chain::{Fingerprint, GENESIS};
use qianzhang_core::disclosure::{Review, Voided};
use qianzhang_core::lifecycle::Signature;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::statements::{Part, StatementRow};
use qianzhang_core::{Event, Period, Status, Voucher, VoucherRef};

use crate::db::{get, get_period, get_u32, pk, Tx};
use crate::rows::{checked_money, load_authorizations, load_chart, load_citing, signature_of, status_of};
use crate::{projector, Error};

/// A stored hash: 32 bytes, or content the engine never wrote.
pub(crate) fn fingerprint_of(bytes: &[u8], table: &str) -> Result<Fingerprint, Error> {
    Fingerprint::from_slice(bytes)
        .map_err(|_| Error::Corrupt(format!("表 {table} 中的哈希长 {} 字节，应为 32 字节", bytes.len())))
}

/// Every ledger in the store, in creation order.
pub(crate) fn ledgers(tx: &mut Tx<'_>) -> Result<Vec<LedgerHandle>, Error> {
    let rows = tx.query("SELECT id, name, start_period FROM ledgers ORDER BY id", &[])?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = get(r, 0)?;
        let name: String = get(r, 1)?;
        let key: i64 = get(r, 2)?;
        let start = u32::try_from(key)
            .ok()
            .and_then(Period::from_key)
            .ok_or_else(|| Error::Corrupt(format!("表 ledgers 中账套“{name}”的启用期间 {key} 不是有效的期间")))?;
        out.push(LedgerHandle { id, info: LedgerInfo { name, start } });
    }
    Ok(out)
}

/// Every review opinion recorded, in order.
pub(crate) fn reviews(tx: &mut Tx<'_>, ledger: &LedgerHandle) -> Result<Vec<Review>, Error> {
    let rows = tx.query(
        "SELECT span, reviewer, opinion, date FROM disclosure_reviews WHERE ledger_id = $1 ORDER BY seq",
        &[&ledger.id],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let date: String = get(r, 3)?;
        out.push(Review {
            span: get(r, 0)?,
            by: get(r, 1)?,
            opinion: get(r, 2)?,
            date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 disclosure_reviews：{e}")))?,
        });
    }
    Ok(out)
}

/// [PUB-1] every publication of a month's disclosure, in order.
pub(crate) fn publications(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
) -> Result<Vec<qianzhang_core::publication::Publication>, Error> {
    let rows = tx.query(
        "SELECT period, date, fingerprint, by_person, at FROM publications WHERE ledger_id = $1 ORDER BY seq",
        &[&ledger.id],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let date: String = get(r, 1)?;
        out.push(qianzhang_core::publication::Publication {
            period: get_period(r, 0, "publications")?,
            date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 publications：{e}")))?,
            fingerprint: get(r, 2)?,
            by: get(r, 3)?,
            at: get(r, 4)?,
        });
    }
    Ok(out)
}

/// [DOC-1] the scans attached to a voucher, in order.
pub(crate) fn scans_of(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    voucher: VoucherRef,
) -> Result<Vec<qianzhang_core::scan::ScanInfo>, Error> {
    let rows = tx.query(
        "SELECT sha256, media, size, file_name FROM voucher_scans \
         WHERE ledger_id = $1 AND period = $2 AND number = $3 ORDER BY seq",
        &[&ledger.id, &pk(voucher.period), &i64::from(voucher.number)],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let size: i64 = get(r, 2)?;
        out.push(qianzhang_core::scan::ScanInfo {
            voucher,
            sha256: get(r, 0)?,
            media: media_of(get(r, 1)?, "voucher_scans")?,
            size: u64::try_from(size).map_err(|_| Error::Corrupt(format!("表 voucher_scans 中的大小 {size} 无效")))?,
            file_name: get(r, 3)?,
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
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    sha256: &str,
) -> Result<Option<(qianzhang_core::scan::MediaType, Vec<u8>)>, Error> {
    let row = tx.opt(
        "SELECT s.media, s.bytes FROM scans s WHERE s.ledger_id = $1 AND s.sha256 = $2 AND EXISTS \
         (SELECT 1 FROM voucher_scans v WHERE v.ledger_id = $1 AND v.sha256 = $2)",
        &[&ledger.id, &sha256],
    )?;
    row.map(|r| Ok((media_of(get(&r, 0)?, "scans")?, get::<Vec<u8>>(&r, 1)?))).transpose()
}

/// The budgets of a year, per account.
pub(crate) fn budgets(tx: &mut Tx<'_>, ledger: &LedgerHandle, year: i32) -> Result<Vec<AccountBudget>, Error> {
    tx.query(
        "SELECT account, amount FROM budgets WHERE ledger_id = $1 AND year = $2 ORDER BY account",
        &[&ledger.id, &i64::from(year)],
    )?
    .iter()
    .map(|r| Ok(AccountBudget { account: get(r, 0)?, amount: checked_money(get(r, 1)?, "budgets")? }))
    .collect()
}

/// Whether a period is closed now.
pub(crate) fn is_closed(tx: &mut Tx<'_>, ledger: &LedgerHandle, period: Period) -> Result<bool, Error> {
    Ok(tx.opt("SELECT 1 FROM periods WHERE ledger_id = $1 AND period = $2", &[&ledger.id, &pk(period)])?.is_some())
}

/// The fingerprint at the latest close of `period` (AUD-3): the hash of
/// the log entry that closed it, with that entry's number. The closes are
/// listed in `audit_events`; the log has no index by kind.
pub(crate) fn close_fingerprint(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    period: Period,
) -> Result<Option<LogHead>, Error> {
    let rows = tx.query(
        "SELECT l.seq, l.hash, l.payload FROM audit_events a JOIN log l ON l.ledger_id = a.ledger_id AND l.seq = a.seq \
         WHERE a.ledger_id = $1 AND a.kind = 'period_closed' ORDER BY a.seq DESC",
        &[&ledger.id],
    )?;
    for r in &rows {
        if let Event::PeriodClosed { period: closed, .. } = Event::from_json(get(r, 2)?)? {
            if closed == period {
                return Ok(Some(LogHead { seq: get(r, 0)?, fingerprint: fingerprint_of(get(r, 1)?, "log")? }));
            }
        }
    }
    Ok(None)
}

/// [AUD-1] vouchers entered since go-live and dated `from..=to`, with
/// their signatures and the day their content was written.
pub(crate) fn audit_vouchers(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<AuditVoucher>, Error> {
    // History lies before go-live and nothing else does (VCH-3): the
    // months before it need not be read.
    let first = Period::of(from).max(ledger.info.start);
    let rows = tx.query(
        "SELECT v.status, l.payload, l.at, l.seq FROM vouchers v \
         JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
         WHERE v.ledger_id = $1 AND v.origin <> 'history' AND v.period BETWEEN $2 AND $3 AND v.date BETWEEN $4 AND $5 \
         ORDER BY v.period, v.number",
        &[&ledger.id, &pk(first), &pk(Period::of(to)), &format_date(from), &format_date(to)],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let status = status_of(get(r, 0)?)?;
        let voucher = projector::voucher_of(get(r, 1)?)?;
        let at: String = get(r, 2)?;
        let entered_seq: i64 = get(r, 3)?;
        let signatures = crate::rows::load_signatures(tx, ledger.id, voucher.reference())?;
        let entered = parse_date(at.get(..10).unwrap_or("")).unwrap_or(voucher.date());
        out.push(AuditVoucher { voucher, status, signatures, entered, entered_seq });
    }
    Ok(out)
}

/// Migrated history per period of `from..=to`: vouchers and debit total.
pub(crate) fn history_summary(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    from: Period,
    to: Period,
) -> Result<Vec<HistoryRow>, Error> {
    let to = to.min(ledger.info.start.prev());
    let rows = tx.query(
        "SELECT v.period, COUNT(*)::BIGINT, (SELECT COALESCE(SUM(b.debit), 0)::BIGINT FROM balances b \
         WHERE b.ledger_id = v.ledger_id AND b.period = v.period) FROM vouchers v \
         WHERE v.ledger_id = $1 AND v.origin = 'history' AND v.period BETWEEN $2 AND $3 \
         GROUP BY v.ledger_id, v.period ORDER BY v.period",
        &[&ledger.id, &pk(from), &pk(to)],
    )?;
    rows.iter()
        .map(|r| {
            let n: i64 = get(r, 1)?;
            Ok(HistoryRow {
                period: get_period(r, 0, "vouchers")?,
                vouchers: n as u64,
                debit: checked_money(get(r, 2)?, "balances")?,
            })
        })
        .collect()
}

/// [PUB-1, HND-1] the vouchers of `from..=to` voided before posting,
/// with the reason, who voided each and when, in number order.
pub(crate) fn voided(tx: &mut Tx<'_>, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<Voided>, Error> {
    let rows = tx.query(
        "SELECT v.status, l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
         WHERE v.ledger_id = $1 AND v.period BETWEEN $2 AND $3 AND v.status = 'voided' ORDER BY v.period, v.number",
        &[&ledger.id, &pk(from), &pk(to)],
    )?;
    let mut vouchers = Vec::new();
    for r in &rows {
        vouchers.push(projector::voucher_of(get(r, 1)?)?);
    }
    if vouchers.is_empty() {
        return Ok(Vec::new());
    }
    let rows = tx.query(
        "SELECT at, actor, payload FROM log WHERE ledger_id = $1 AND kind = 'voucher_voided' ORDER BY seq",
        &[&ledger.id],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let at: String = get(r, 0)?;
        let voided_on = parse_date(at.get(..10).unwrap_or("")).map_err(|e| Error::Corrupt(e.to_string()))?;
        let event = Event::from_json(get(r, 2)?)?;
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
                by: get(r, 1)?,
                voided_on,
            });
        }
    }
    out.sort_by_key(|x| x.voucher);
    Ok(out)
}

/// Log entries of the given kinds, in order, with the day they were made.
pub(crate) fn log_facts(tx: &mut Tx<'_>, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, Error> {
    let kinds: Vec<&str> = kinds.to_vec();
    let rows = tx.query(
        "SELECT l.seq, l.at, l.actor, l.kind, l.payload FROM audit_events a \
         JOIN log l ON l.ledger_id = a.ledger_id AND l.seq = a.seq \
         WHERE a.ledger_id = $1 AND a.kind = ANY($2) ORDER BY a.seq",
        &[&ledger.id, &kinds],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let seq: i64 = get(r, 0)?;
        let at: String = get(r, 1)?;
        let date = parse_date(at.get(..10).unwrap_or(""))
            .map_err(|e| Error::Corrupt(format!("表 log 第 {seq} 条的时间：{e}")))?;
        let event = Event::from_json(get(r, 4)?)?;
        out.push(LogFact { seq, date, actor: get(r, 2)?, event });
    }
    Ok(out)
}

/// [OPR-1] the failed sign-ins claiming `name` since the person last
/// acted or had a passphrase set, oldest first: what the lockout counts.
pub(crate) fn failed_sign_ins(tx: &mut Tx<'_>, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, Error> {
    let facts = log_facts(tx, ledger, &["sign_in_failed", "passphrase_set"])?;
    qianzhang_core::operator::failures_in_a_row(name, facts.into_iter().map(|f| (f.seq, f.event)), |first| {
        let row = tx.one(
            "SELECT MAX(seq) FROM log WHERE ledger_id = $1 AND seq > $2 AND actor = $3",
            &[&ledger.id, &first, &name],
        )?;
        get::<Option<i64>>(&row, 0)
    })
}

/// [AUD-1] every act of a person between two days, as the log has it.
pub(crate) fn acts_of(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    person: &str,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<audit::Act>, Error> {
    let rows = tx.query(
        "SELECT seq, at, payload, hash, actor FROM log WHERE ledger_id = $1 \
         AND (actor = $2 OR kind = 'passphrase_set') \
         AND substr(at, 1, 10) BETWEEN $3 AND $4 ORDER BY seq",
        &[&ledger.id, &person, &format_date(from), &format_date(to)],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let event = Event::from_json(get(r, 2)?)?;
        let actor: String = get(r, 4)?;
        let hash: &[u8] = get(r, 3)?;
        let at: String = get(r, 1)?;
        out.extend(audit::act_of(person, get(r, 0)?, &at, &actor, &event, hex::encode(hash)));
    }
    Ok(out)
}

/// The hash of the last log entry made on or before `date`: the
/// fingerprint at that day's end.
pub(crate) fn fingerprint_at(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    date: time::Date,
) -> Result<Option<LogHead>, Error> {
    let row = tx.opt(
        "SELECT seq, hash FROM log WHERE ledger_id = $1 AND substr(at, 1, 10) <= $2 ORDER BY seq DESC LIMIT 1",
        &[&ledger.id, &format_date(date)],
    )?;
    row.map(|r| Ok(LogHead { seq: get(&r, 0)?, fingerprint: fingerprint_of(get(&r, 1)?, "log")? })).transpose()
}

/// Posted debit/credit totals per leaf account and period.
pub(crate) fn period_totals(tx: &mut Tx<'_>, ledger: &LedgerHandle) -> Result<Vec<PeriodTotalRow>, Error> {
    tx.query("SELECT account, period, debit, credit FROM balances WHERE ledger_id = $1", &[&ledger.id])?
        .iter()
        .map(|r| {
            Ok(PeriodTotalRow {
                account: get(r, 0)?,
                period: get_period(r, 1, "balances")?,
                debit: checked_money(get(r, 2)?, "balances")?,
                credit: checked_money(get(r, 3)?, "balances")?,
            })
        })
        .collect()
}

/// Money into and out of each special fund per period.
pub(crate) fn fund_totals(tx: &mut Tx<'_>, ledger: &LedgerHandle) -> Result<Vec<FundTotalRow>, Error> {
    tx.query("SELECT fund, period, income, spending FROM fund_totals WHERE ledger_id = $1", &[&ledger.id])?
        .iter()
        .map(|r| {
            Ok(FundTotalRow {
                fund: get(r, 0)?,
                period: get_period(r, 1, "fund_totals")?,
                income: checked_money(get(r, 2)?, "fund_totals")?,
                spending: checked_money(get(r, 3)?, "fund_totals")?,
            })
        })
        .collect()
}

/// [STM-1] the statements' rows, in the core's key order.
pub(crate) fn statement_totals(tx: &mut Tx<'_>, ledger: &LedgerHandle) -> Result<Vec<StatementRow>, Error> {
    let rows = tx.query(
        "SELECT period, part, account, fund, debit, credit FROM statement_totals WHERE ledger_id = $1",
        &[&ledger.id],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let part: String = get(r, 1)?;
        let part = Part::from_str_opt(&part)
            .ok_or_else(|| Error::Corrupt(format!("表 statement_totals 中的类别 {part} 无效")))?;
        let fund: String = get(r, 3)?;
        out.push(StatementRow {
            period: get_period(r, 0, "statement_totals")?,
            part,
            account: get(r, 2)?,
            fund: (!fund.is_empty()).then_some(fund),
            debit: checked_money(get(r, 4)?, "statement_totals")?,
            credit: checked_money(get(r, 5)?, "statement_totals")?,
        });
    }
    out.sort();
    Ok(out)
}

/// The first and last period holding vouchers, if any: each one probe of
/// the primary key.
pub(crate) fn period_span(tx: &mut Tx<'_>, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, Error> {
    let first =
        tx.opt("SELECT period FROM vouchers WHERE ledger_id = $1 ORDER BY period ASC LIMIT 1", &[&ledger.id])?;
    let last =
        tx.opt("SELECT period FROM vouchers WHERE ledger_id = $1 ORDER BY period DESC LIMIT 1", &[&ledger.id])?;
    Ok(match (first, last) {
        (Some(a), Some(b)) => Some((get_period(&a, 0, "vouchers")?, get_period(&b, 0, "vouchers")?)),
        _ => None,
    })
}

/// Every authorization with what it has paid for so far.
pub(crate) fn authorizations(tx: &mut Tx<'_>, ledger: &LedgerHandle) -> Result<Vec<AuthorizationUse>, Error> {
    let chart = load_chart(tx, ledger.id)?;
    let mut out = Vec::new();
    for a in load_authorizations(tx, ledger.id)? {
        let citing = load_citing(tx, ledger.id, &a.number)?;
        let used = qianzhang_core::approval::spent(&chart, &citing, None);
        out.push(AuthorizationUse { authorization: a, used });
    }
    Ok(out)
}

/// The signatures standing on the vouchers of `from..=to`, per voucher.
pub(crate) fn signatures_in(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    from: Period,
    to: Period,
) -> Result<Vec<(VoucherRef, Vec<Signature>)>, Error> {
    let rows = tx.query(
        "SELECT period, number, kind, person, appointment_from, at, resolution FROM signatures \
         WHERE ledger_id = $1 AND period BETWEEN $2 AND $3 AND withdrawn_seq IS NULL ORDER BY period, number, seq",
        &[&ledger.id, &pk(from), &pk(to)],
    )?;
    let mut out: Vec<(VoucherRef, Vec<Signature>)> = Vec::new();
    for row in &rows {
        let r = VoucherRef { period: get_period(row, 0, "signatures")?, number: get_u32(row, 1)? };
        let signature = signature_of(row, 2, r)?;
        match out.last_mut() {
            Some((last, list)) if *last == r => list.push(signature),
            _ => out.push((r, vec![signature])),
        }
    }
    Ok(out)
}

/// How many vouchers `each_voucher` reads at a time.
const VOUCHER_BATCH: i64 = 2000;

/// One batch of the vouchers of `from..=to` after `after` (period key and
/// number), in period and number order, with where the next batch starts
/// (`None` after the last).
#[allow(clippy::type_complexity)]
pub(crate) fn voucher_batch(
    tx: &mut Tx<'_>,
    ledger: &LedgerHandle,
    from: Period,
    to: Period,
    after: Option<(i64, i64)>,
) -> Result<(Vec<(Voucher, Status)>, Option<(i64, i64)>), Error> {
    let after = after.unwrap_or((pk(from), 0));
    let rows = tx.query(
        "SELECT v.status, l.payload, v.period, v.number FROM vouchers v \
         JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
         WHERE v.ledger_id = $1 AND (v.period, v.number) > ($2, $3) AND v.period BETWEEN $2 AND $4 \
         ORDER BY v.period, v.number LIMIT $5",
        &[&ledger.id, &after.0, &after.1, &pk(to), &VOUCHER_BATCH],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let status = status_of(get(row, 0)?)?;
        out.push((projector::voucher_of(get(row, 1)?)?, status));
    }
    let next = match rows.last() {
        Some(last) if rows.len() as i64 == VOUCHER_BATCH => Some((get(last, 2)?, get(last, 3)?)),
        _ => None,
    };
    Ok((out, next))
}

/// The ledger's fingerprint: its chain head, the hash of its last log
/// entry and its number.
pub(crate) fn fingerprint(tx: &mut Tx<'_>, ledger: &LedgerHandle) -> Result<LogHead, Error> {
    match tx.opt("SELECT seq, hash FROM chain_heads WHERE ledger_id = $1", &[&ledger.id])? {
        Some(r) => Ok(LogHead { seq: get(&r, 0)?, fingerprint: fingerprint_of(get(&r, 1)?, "chain_heads")? }),
        None => Ok(LogHead { seq: 0, fingerprint: GENESIS }),
    }
}

/// The last `limit` log entries, newest last.
pub(crate) fn log_tail(tx: &mut Tx<'_>, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, Error> {
    let rows = tx.query(
        "SELECT seq, at, actor, payload, hash FROM (SELECT * FROM log WHERE ledger_id = $1 ORDER BY seq DESC LIMIT $2) \
         AS tail ORDER BY seq",
        &[&ledger.id, &i64::try_from(limit).unwrap_or(i64::MAX)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(LogEntry {
                seq: get(r, 0)?,
                at: get(r, 1)?,
                actor: get(r, 2)?,
                event: Event::from_json(get(r, 3)?)?,
                hash: fingerprint_of(get(r, 4)?, "log")?,
            })
        })
        .collect()
}

/// [OPN-1] the opening balances of a ledger, by account code.
pub(crate) fn openings(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Vec<qianzhang_core::opening::Opening>, Error> {
    tx.query("SELECT account, fen FROM openings WHERE ledger_id = $1 ORDER BY account", &[&ledger_id])?
        .iter()
        .map(|r| {
            Ok(qianzhang_core::opening::Opening { account: get(r, 0)?, amount: checked_money(get(r, 1)?, "openings")? })
        })
        .collect()
}
