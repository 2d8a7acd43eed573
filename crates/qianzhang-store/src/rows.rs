//! Loading stored rows into the core's types.

use qianzhang_core::account::AccountKind;
use qianzhang_core::approval::{AuthKind, Authorization, SettingKey, Settings, StandAside};
use qianzhang_core::backend::ReceiptRow;
use qianzhang_core::bank::{StatementLine, StoredLine};
use qianzhang_core::calendar::{DayKind, MarkedDay};
use qianzhang_core::cash::CashCount;
use qianzhang_core::chain::{Fingerprint, GENESIS};
use qianzhang_core::collection::{Collection, Household};
use qianzhang_core::disclosure::Asset;
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::{SignKind, Signature};
use qianzhang_core::money::MAX_TOTAL_FEN;
use qianzhang_core::people::{Appointment, KinFact, Registry, Role};
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::receipts::{ReceiptBook, ReceiptState};
use qianzhang_core::{Account, Chart, Money, Period, Status, Voucher, VoucherRef};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{projector, Error};

/// A unit variant stored as its snake_case name (an account kind, a role).
fn key<T: serde::de::DeserializeOwned>(text: &str, place: &str) -> Result<T, Error> {
    use serde::de::value::{Error as ValueError, StrDeserializer};
    T::deserialize(StrDeserializer::<ValueError>::new(text))
        .map_err(|_| Error::Corrupt(format!("{place}：“{text}”不认识")))
}

/// A day stored as `YYYY-MM-DD`.
fn date(text: &str, place: &str) -> Result<time::Date, Error> {
    parse_date(text).map_err(|e| Error::Corrupt(format!("{place}：{e}")))
}

fn optional_date(text: Option<String>, place: &str) -> Result<Option<time::Date>, Error> {
    text.map(|t| date(&t, place)).transpose()
}

/// An amount as stored: past what any ledger can hold (LIM-1) it is not
/// something the engine wrote.
pub(crate) fn checked_money(fen: i64, table: &str) -> Result<Money, Error> {
    if fen.checked_abs().is_some_and(|a| a <= MAX_TOTAL_FEN) {
        Ok(Money::from_fen(fen))
    } else {
        Err(Error::Corrupt(format!("表 {table} 中的金额 {fen} 分超出本程序能记录的范围")))
    }
}

pub(crate) fn head(conn: &Connection, ledger_id: i64) -> Result<(i64, Fingerprint), Error> {
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
pub(crate) fn last_at(conn: &Connection, ledger_id: i64) -> Result<Option<String>, Error> {
    Ok(conn
        .prepare_cached("SELECT at FROM log WHERE ledger_id = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([ledger_id], |r| r.get(0))
        .optional()?)
}

pub(crate) fn load_chart(conn: &Connection, ledger_id: i64) -> Result<Chart, Error> {
    let mut stmt = conn.prepare_cached("SELECT code, name, kind, opened, closed FROM accounts WHERE ledger_id = ?1")?;
    let mut rows = stmt.query([ledger_id])?;
    let mut accounts = Vec::new();
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        let place = format!("表 accounts 中科目 {code}");
        let kind = key::<AccountKind>(&r.get::<_, String>(2)?, &place)?;
        let opened = optional_date(r.get(3)?, &place)?;
        let closed = optional_date(r.get(4)?, &place)?;
        accounts.push(Account::stored(code, r.get(1)?, kind, opened, closed));
    }
    Ok(Chart::from_accounts(accounts))
}

pub(crate) fn load_receipt_books(conn: &Connection, ledger_id: i64) -> Result<Vec<ReceiptBook>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT book, first, last, date, holder FROM receipt_books WHERE ledger_id = ?1 ORDER BY book",
    )?;
    let mut rows = stmt.query([ledger_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let book: String = r.get(0)?;
        let date = date(&r.get::<_, String>(3)?, &format!("表 receipt_books 中收据本 {book}"))?;
        out.push(ReceiptBook { book, first: r.get(1)?, last: r.get(2)?, date, holder: r.get(4)? });
    }
    Ok(out)
}

/// Receipts used or voided: of one serial, or all.
pub(crate) fn load_receipts(
    conn: &Connection,
    ledger_id: i64,
    one: Option<(&str, u32)>,
) -> Result<Vec<ReceiptRow>, Error> {
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
                amount: checked_money(amount.unwrap_or_default(), "receipts")?,
                date: qianzhang_core::period::parse_date(&date.unwrap_or_default())
                    .map_err(|e| Error::Corrupt(format!("表 receipts 中收据 {book}{serial}：{e}")))?,
            },
            _ => ReceiptState::Voided { reason: reason.unwrap_or_default() },
        };
        out.push(ReceiptRow { book, serial, state });
    }
    Ok(out)
}

pub(crate) fn load_settings(conn: &Connection, ledger_id: i64) -> Result<Settings, Error> {
    let mut settings = Settings::default();
    let mut stmt = conn.prepare_cached("SELECT key, value FROM settings WHERE ledger_id = ?1")?;
    for row in stmt.query_map([ledger_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (key, value) = row?;
        let key =
            SettingKey::parse(&key).ok_or_else(|| Error::Corrupt(format!("表 settings 中的设置项 {key} 不认识")))?;
        settings.set(key, &value);
    }
    let mut stmt = conn.prepare_cached("SELECT date, kind, name FROM calendar_days WHERE ledger_id = ?1")?;
    for row in
        stmt.query_map([ledger_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
    {
        let (day, kind, name) = row?;
        let place = format!("表 calendar_days 中的 {day}");
        let kind = DayKind::parse(&kind).ok_or_else(|| Error::Corrupt(format!("{place}：“{kind}”不认识")))?;
        settings.calendar.mark(&MarkedDay { date: date(&day, &place)?, kind, name });
    }
    Ok(settings)
}

pub(crate) fn authorization_of(r: &rusqlite::Row<'_>) -> Result<Authorization, Error> {
    let number: String = r.get(0)?;
    let place = format!("表 authorizations 中的 {number}");
    let stand_aside = match r.get::<_, Option<String>>(5)? {
        // The stand-aside record is kept as a JSON document in its column.
        Some(text) => Some(serde_json::from_str::<StandAside>(&text)?),
        None => None,
    };
    Ok(Authorization {
        kind: key::<AuthKind>(&r.get::<_, String>(1)?, &place)?,
        date: date(&r.get::<_, String>(2)?, &place)?,
        scope: r.get(3)?,
        cap: checked_money(r.get(4)?, "authorizations")?,
        stand_aside,
        decision: match r.get::<_, Option<String>>(6)? {
            Some(text) => Some(serde_json::from_str(&text)?),
            None => None,
        },
        number,
    })
}

pub(crate) fn load_authorizations(conn: &Connection, ledger_id: i64) -> Result<Vec<Authorization>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, kind, date, scope, cap, stand_aside, decision FROM authorizations WHERE ledger_id = ?1 \
         ORDER BY date, number",
    )?;
    let mut rows = stmt.query([ledger_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(authorization_of(r)?);
    }
    Ok(out)
}

pub(crate) fn load_authorization(
    conn: &Connection,
    ledger_id: i64,
    number: &str,
) -> Result<Option<Authorization>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, kind, date, scope, cap, stand_aside, decision FROM authorizations WHERE ledger_id = ?1 AND number = ?2",
    )?;
    let mut rows = stmt.query(params![ledger_id, number])?;
    rows.next()?.map(authorization_of).transpose()
}

pub(crate) fn load_citing(conn: &Connection, ledger_id: i64, number: &str) -> Result<Vec<(Voucher, Status)>, Error> {
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

pub(crate) fn load_signatures(conn: &Connection, ledger_id: i64, r: VoucherRef) -> Result<Vec<Signature>, Error> {
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

pub(crate) fn load_registry(conn: &Connection, ledger_id: i64) -> Result<Registry, Error> {
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
    let mut rows = stmt.query([ledger_id])?;
    while let Some(r) = rows.next()? {
        let person: String = r.get(0)?;
        let place = format!("表 appointments 中 {person} 的任职");
        appointments.push(Appointment {
            role: key::<Role>(&r.get::<_, String>(1)?, &place)?,
            from: date(&r.get::<_, String>(2)?, &place)?,
            ended: optional_date(r.get(3)?, &place)?,
            leader: r.get(4)?,
            title: r.get(5)?,
            acting: r.get(6)?,
            person,
        });
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

pub(crate) fn load_assets(conn: &Connection, ledger_id: i64) -> Result<Vec<Asset>, Error> {
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
            value: checked_money(r.get(3)?, "assets")?,
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

pub(crate) fn load_cash_counts(
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
            counted: checked_money(r.get(1)?, "cash_counts")?,
            book: checked_money(r.get(2)?, "cash_counts")?,
            pieces: serde_json::from_str(&pieces)?,
            counter: r.get(4)?,
        });
    }
    Ok(out)
}

pub(crate) fn load_households(conn: &Connection, ledger_id: i64) -> Result<Vec<Household>, Error> {
    let mut stmt = conn.prepare_cached("SELECT door, head FROM households WHERE ledger_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map(params![ledger_id], |r| Ok(Household { door: r.get(0)?, head: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn load_collections(conn: &Connection, ledger_id: i64) -> Result<Vec<Collection>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT fund, household, payer, amount, date, receipt FROM collections WHERE ledger_id = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![ledger_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let receipt: String = r.get(5)?;
        let place = format!("表 collections 中收据 {receipt}");
        out.push(Collection {
            fund: r.get(0)?,
            household: r.get(1)?,
            payer: r.get(2)?,
            amount: checked_money(r.get(3)?, "collections")?,
            date: date(&r.get::<_, String>(4)?, &place)?,
            receipt,
        });
    }
    Ok(out)
}

pub(crate) fn load_funds(conn: &Connection, ledger_id: i64) -> Result<Vec<Fund>, Error> {
    let mut stmt = conn.prepare_cached("SELECT name, restricted FROM funds WHERE ledger_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map(params![ledger_id], |r| Ok(Fund { name: r.get(0)?, restricted: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn load_statement_lines(conn: &Connection, ledger_id: i64, account: &str) -> Result<Vec<StoredLine>, Error> {
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
                inflow: checked_money(r.get(3)?, "statement_lines")?,
                outflow: checked_money(r.get(4)?, "statement_lines")?,
                balance: checked_money(r.get(5)?, "statement_lines")?,
                reference: r.get(6)?,
                counterparty: r.get(7)?,
                summary: r.get(8)?,
            },
            matched,
        });
    }
    Ok(out)
}
