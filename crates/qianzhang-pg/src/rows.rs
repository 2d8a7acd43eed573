//! Loading stored rows into the core's types.

use postgres::Row;
use qianzhang_core::account::AccountKind;
use qianzhang_core::approval::{AuthKind, Authorization, SettingKey, Settings, StandAside};
use qianzhang_core::backend::ReceiptRow;
use qianzhang_core::bank::{StatementLine, StoredLine};
use qianzhang_core::calendar::{DayKind, MarkedDay};
use qianzhang_core::cash::CashCount;
use qianzhang_core::collection::{Collection, Household};
use qianzhang_core::disclosure::Asset;
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::{SignKind, Signature};
use qianzhang_core::money::MAX_TOTAL_FEN;
use qianzhang_core::people::{Appointment, KinFact, Registry, Role};
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::receipts::{ReceiptBook, ReceiptState};
use qianzhang_core::{Account, Chart, Money, Status, Voucher, VoucherRef};

use crate::db::{get, get_period, get_u32, pk, Tx};
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

pub(crate) fn load_chart(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Chart, Error> {
    let rows = tx.query("SELECT code, name, kind, opened, closed FROM accounts WHERE ledger_id = $1", &[&ledger_id])?;
    let mut accounts = Vec::new();
    for r in &rows {
        let code: String = get(r, 0)?;
        let place = format!("表 accounts 中科目 {code}");
        let kind = key::<AccountKind>(&get::<String>(r, 2)?, &place)?;
        let opened = optional_date(get(r, 3)?, &place)?;
        let closed = optional_date(get(r, 4)?, &place)?;
        accounts.push(Account::stored(code, get(r, 1)?, kind, opened, closed));
    }
    Ok(Chart::from_accounts(accounts))
}

pub(crate) fn load_receipt_books(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Vec<ReceiptBook>, Error> {
    let rows = tx.query(
        "SELECT book, first, last, date, holder FROM receipt_books WHERE ledger_id = $1 ORDER BY book",
        &[&ledger_id],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let book: String = get(r, 0)?;
        let date = date(&get::<String>(r, 3)?, &format!("表 receipt_books 中收据本 {book}"))?;
        out.push(ReceiptBook { book, first: get_u32(r, 1)?, last: get_u32(r, 2)?, date, holder: get(r, 4)? });
    }
    Ok(out)
}

/// Receipts used or voided: of one serial, or all.
pub(crate) fn load_receipts(
    tx: &mut Tx<'_>,
    ledger_id: i64,
    one: Option<(&str, u32)>,
) -> Result<Vec<ReceiptRow>, Error> {
    let rows = match one {
        Some((book, serial)) => tx.query(
            "SELECT book, serial, state, payer, amount, date, reason FROM receipts \
             WHERE ledger_id = $1 AND book = $2 AND serial = $3",
            &[&ledger_id, &book, &i64::from(serial)],
        )?,
        None => tx.query(
            "SELECT book, serial, state, payer, amount, date, reason FROM receipts \
             WHERE ledger_id = $1 ORDER BY book, serial",
            &[&ledger_id],
        )?,
    };
    let mut out = Vec::new();
    for r in &rows {
        let book: String = get(r, 0)?;
        let serial = get_u32(r, 1)?;
        let state: String = get(r, 2)?;
        let state = match state.as_str() {
            "issued" => ReceiptState::Issued {
                payer: get::<Option<String>>(r, 3)?.unwrap_or_default(),
                amount: checked_money(get::<Option<i64>>(r, 4)?.unwrap_or_default(), "receipts")?,
                date: parse_date(&get::<Option<String>>(r, 5)?.unwrap_or_default())
                    .map_err(|e| Error::Corrupt(format!("表 receipts 中收据 {book}{serial}：{e}")))?,
            },
            _ => ReceiptState::Voided { reason: get::<Option<String>>(r, 6)?.unwrap_or_default() },
        };
        out.push(ReceiptRow { book, serial, state });
    }
    Ok(out)
}

pub(crate) fn load_settings(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Settings, Error> {
    let mut settings = Settings::default();
    for r in &tx.query("SELECT key, value FROM settings WHERE ledger_id = $1", &[&ledger_id])? {
        let (key, value): (String, String) = (get(r, 0)?, get(r, 1)?);
        let key =
            SettingKey::parse(&key).ok_or_else(|| Error::Corrupt(format!("表 settings 中的设置项 {key} 不认识")))?;
        settings.set(key, &value);
    }
    for r in &tx.query("SELECT date, kind, name FROM calendar_days WHERE ledger_id = $1", &[&ledger_id])? {
        let (day, kind, name): (String, String, String) = (get(r, 0)?, get(r, 1)?, get(r, 2)?);
        let place = format!("表 calendar_days 中的 {day}");
        let kind = DayKind::parse(&kind).ok_or_else(|| Error::Corrupt(format!("{place}：“{kind}”不认识")))?;
        settings.calendar.mark(&MarkedDay { date: date(&day, &place)?, kind, name });
    }
    Ok(settings)
}

pub(crate) fn authorization_of(r: &Row) -> Result<Authorization, Error> {
    let number: String = get(r, 0)?;
    let place = format!("表 authorizations 中的 {number}");
    let stand_aside = match get::<Option<String>>(r, 5)? {
        // The stand-aside record is kept as a JSON document in its column.
        Some(text) => Some(serde_json::from_str::<StandAside>(&text)?),
        None => None,
    };
    Ok(Authorization {
        kind: key::<AuthKind>(&get::<String>(r, 1)?, &place)?,
        date: date(&get::<String>(r, 2)?, &place)?,
        scope: get(r, 3)?,
        cap: checked_money(get(r, 4)?, "authorizations")?,
        stand_aside,
        decision: match get::<Option<String>>(r, 6)? {
            Some(text) => Some(serde_json::from_str(&text)?),
            None => None,
        },
        number,
    })
}

pub(crate) fn load_authorizations(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Vec<Authorization>, Error> {
    tx.query(
        "SELECT number, kind, date, scope, cap, stand_aside, decision FROM authorizations WHERE ledger_id = $1 \
         ORDER BY date, number",
        &[&ledger_id],
    )?
    .iter()
    .map(authorization_of)
    .collect()
}

pub(crate) fn load_authorization(
    tx: &mut Tx<'_>,
    ledger_id: i64,
    number: &str,
) -> Result<Option<Authorization>, Error> {
    tx.opt(
        "SELECT number, kind, date, scope, cap, stand_aside, decision FROM authorizations \
         WHERE ledger_id = $1 AND number = $2",
        &[&ledger_id, &number],
    )?
    .as_ref()
    .map(authorization_of)
    .transpose()
}

/// A voucher's status as stored.
pub(crate) fn status_of(text: &str) -> Result<Status, Error> {
    Status::from_str_opt(text).ok_or_else(|| Error::Corrupt(format!("表 vouchers 中的凭证状态 {text} 不认识")))
}

pub(crate) fn load_citing(tx: &mut Tx<'_>, ledger_id: i64, number: &str) -> Result<Vec<(Voucher, Status)>, Error> {
    let rows = tx.query(
        "SELECT v.status, l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
         WHERE v.ledger_id = $1 AND v.auth_number = $2 ORDER BY v.period, v.number",
        &[&ledger_id, &number],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let status = status_of(get(r, 0)?)?;
        out.push((projector::voucher_of(get(r, 1)?)?, status));
    }
    Ok(out)
}

/// A signature as stored, from columns `at..at + 5` (kind, person,
/// appointment_from, at, resolution).
pub(crate) fn signature_of(row: &Row, at: usize, r: VoucherRef) -> Result<Signature, Error> {
    let kind: String = get(row, at)?;
    let kind = SignKind::from_str_opt(&kind)
        .ok_or_else(|| Error::Corrupt(format!("表 signatures 中凭证 {r} 的签字类型 {kind} 不认识")))?;
    let from: String = get(row, at + 2)?;
    let appointment_from =
        parse_date(&from).map_err(|e| Error::Corrupt(format!("表 signatures 中凭证 {r} 的签字：{e}")))?;
    Ok(Signature {
        kind,
        person: get(row, at + 1)?,
        appointment_from,
        at: get(row, at + 3)?,
        resolution: get(row, at + 4)?,
    })
}

pub(crate) fn load_signatures(tx: &mut Tx<'_>, ledger_id: i64, r: VoucherRef) -> Result<Vec<Signature>, Error> {
    let rows = tx.query(
        "SELECT kind, person, appointment_from, at, resolution FROM signatures \
         WHERE ledger_id = $1 AND period = $2 AND number = $3 AND withdrawn_seq IS NULL ORDER BY seq",
        &[&ledger_id, &pk(r.period), &i64::from(r.number)],
    )?;
    rows.iter().map(|row| signature_of(row, 0, r)).collect()
}

pub(crate) fn load_registry(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Registry, Error> {
    let mut people = Vec::new();
    let mut resets = Vec::new();
    for r in
        &tx.query("SELECT name, passphrase, reset FROM people WHERE ledger_id = $1 ORDER BY name", &[&ledger_id])?
    {
        let (name, hash, reset): (String, Option<String>, bool) = (get(r, 0)?, get(r, 1)?, get(r, 2)?);
        if reset {
            resets.push(name.clone());
        }
        people.push((name, hash));
    }
    let mut appointments = Vec::new();
    for r in &tx.query(
        "SELECT person, role, from_date, ended, leader, title, acting FROM appointments WHERE ledger_id = $1 \
         ORDER BY seq",
        &[&ledger_id],
    )? {
        let person: String = get(r, 0)?;
        let place = format!("表 appointments 中 {person} 的任职");
        appointments.push(Appointment {
            role: key::<Role>(&get::<String>(r, 1)?, &place)?,
            from: date(&get::<String>(r, 2)?, &place)?,
            ended: optional_date(get(r, 3)?, &place)?,
            leader: get(r, 4)?,
            title: get(r, 5)?,
            acting: get(r, 6)?,
            person,
        });
    }
    let mut facts = Vec::new();
    for r in &tx.query("SELECT kind, a, b FROM kinship WHERE ledger_id = $1 ORDER BY seq", &[&ledger_id])? {
        let (kind, a, b): (String, String, String) = (get(r, 0)?, get(r, 1)?, get(r, 2)?);
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

pub(crate) fn load_assets(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Vec<Asset>, Error> {
    let rows = tx.query(
        "SELECT id, name, quantity, value, location, custodian, period, number, acquired, disposed, disposal_reason \
         FROM assets WHERE ledger_id = $1 ORDER BY id",
        &[&ledger_id],
    )?;
    let date = |t: String| parse_date(&t).map_err(|e| Error::Corrupt(format!("表 assets：{e}")));
    let mut out = Vec::new();
    for r in &rows {
        out.push(Asset {
            id: get_u32(r, 0)?,
            name: get(r, 1)?,
            quantity: get_u32(r, 2)?,
            value: checked_money(get(r, 3)?, "assets")?,
            location: get(r, 4)?,
            custodian: get(r, 5)?,
            voucher: VoucherRef { period: get_period(r, 6, "assets")?, number: get_u32(r, 7)? },
            acquired: date(get(r, 8)?)?,
            disposed: get::<Option<String>>(r, 9)?.map(date).transpose()?,
            disposal_reason: get(r, 10)?,
        });
    }
    Ok(out)
}

pub(crate) fn load_cash_counts(
    tx: &mut Tx<'_>,
    ledger_id: i64,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<CashCount>, Error> {
    let rows = tx.query(
        "SELECT date, counted, book, pieces, counter FROM cash_counts \
         WHERE ledger_id = $1 AND date BETWEEN $2 AND $3 ORDER BY seq",
        &[&ledger_id, &format_date(from), &format_date(to)],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let date: String = get(r, 0)?;
        let pieces: String = get(r, 3)?;
        out.push(CashCount {
            date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 cash_counts：{e}")))?,
            counted: checked_money(get(r, 1)?, "cash_counts")?,
            book: checked_money(get(r, 2)?, "cash_counts")?,
            pieces: serde_json::from_str(&pieces)?,
            counter: get(r, 4)?,
        });
    }
    Ok(out)
}

pub(crate) fn load_households(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Vec<Household>, Error> {
    tx.query("SELECT door, head FROM households WHERE ledger_id = $1 ORDER BY seq", &[&ledger_id])?
        .iter()
        .map(|r| Ok(Household { door: get(r, 0)?, head: get(r, 1)? }))
        .collect()
}

pub(crate) fn load_collections(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Vec<Collection>, Error> {
    let rows = tx.query(
        "SELECT fund, household, payer, amount, date, receipt FROM collections WHERE ledger_id = $1 ORDER BY seq",
        &[&ledger_id],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let receipt: String = get(r, 5)?;
        let place = format!("表 collections 中收据 {receipt}");
        out.push(Collection {
            fund: get(r, 0)?,
            household: get(r, 1)?,
            payer: get(r, 2)?,
            amount: checked_money(get(r, 3)?, "collections")?,
            date: date(&get::<String>(r, 4)?, &place)?,
            receipt,
        });
    }
    Ok(out)
}

pub(crate) fn load_funds(tx: &mut Tx<'_>, ledger_id: i64) -> Result<Vec<Fund>, Error> {
    tx.query("SELECT name, restricted FROM funds WHERE ledger_id = $1 ORDER BY seq", &[&ledger_id])?
        .iter()
        .map(|r| Ok(Fund { name: get(r, 0)?, restricted: get(r, 1)? }))
        .collect()
}

pub(crate) fn load_statement_lines(tx: &mut Tx<'_>, ledger_id: i64, account: &str) -> Result<Vec<StoredLine>, Error> {
    let rows = tx.query(
        "SELECT s.id, s.account, s.date, s.inflow, s.outflow, s.balance, s.reference, s.counterparty, s.summary, \
         m.period, m.number FROM statement_lines s LEFT JOIN bank_matches m ON m.ledger_id = s.ledger_id \
         AND m.line_id = s.id WHERE s.ledger_id = $1 AND s.account = $2 ORDER BY s.id",
        &[&ledger_id, &account],
    )?;
    let mut out = Vec::new();
    for r in &rows {
        let date: String = get(r, 2)?;
        let matched = match (get::<Option<i64>>(r, 9)?, get::<Option<i64>>(r, 10)?) {
            (Some(_), Some(_)) => {
                Some(VoucherRef { period: get_period(r, 9, "bank_matches")?, number: get_u32(r, 10)? })
            }
            _ => None,
        };
        let id: i64 = get(r, 0)?;
        out.push(StoredLine {
            id: u64::try_from(id).map_err(|_| Error::Corrupt(format!("表 statement_lines 中的编号 {id} 无效")))?,
            account: get(r, 1)?,
            line: StatementLine {
                date: parse_date(&date).map_err(|e| Error::Corrupt(format!("表 statement_lines：{e}")))?,
                inflow: checked_money(get(r, 3)?, "statement_lines")?,
                outflow: checked_money(get(r, 4)?, "statement_lines")?,
                balance: checked_money(get(r, 5)?, "statement_lines")?,
                reference: get(r, 6)?,
                counterparty: get(r, 7)?,
                summary: get(r, 8)?,
            },
            matched,
        });
    }
    Ok(out)
}
