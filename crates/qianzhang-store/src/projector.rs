//! Applies log events to the projection tables.
//!
//! The same code runs when a command appends an event and when `verify`
//! replays the log into a scratch database, so the two can be compared row
//! by row.

use std::collections::HashMap;

use qianzhang_core::documents::doc_key;
use qianzhang_core::funds::fund_effect;
use qianzhang_core::people::{KinFact, Role};
use qianzhang_core::period::format_date;
use qianzhang_core::{Event, Line, Money, Status, Voucher, VoucherRef};
use rusqlite::{params, Connection, OptionalExtension};

use crate::Error;

/// Pending balance changes, flushed into `balances` before commit.
#[derive(Default)]
pub(crate) struct Projector {
    ledger_id: i64,
    deltas: HashMap<(String, u32), (i64, i64)>,
    fund_deltas: HashMap<(String, u32), (i64, i64)>,
    /// Lines of vouchers prepared while this projector ran and not yet posted.
    unposted: HashMap<VoucherRef, Vec<Line>>,
    /// [LIM-1] absolute amounts of the vouchers recorded, not yet flushed
    /// into `turnover`.
    turnover: i64,
}

impl Projector {
    pub(crate) fn new(ledger_id: i64) -> Projector {
        Projector { ledger_id, ..Projector::default() }
    }

    pub(crate) fn apply(&mut self, conn: &Connection, seq: i64, at: &str, event: &Event) -> Result<(), Error> {
        let id = self.ledger_id;
        if matches!(
            event,
            Event::Refused { .. }
                | Event::PeriodClosed { .. }
                | Event::PeriodReopened { .. }
                | Event::KinshipRecorded { .. }
                | Event::HandoverCompleted { .. }
                | Event::SignInFailed { .. }
                | Event::PassphraseSet { .. }
        ) {
            conn.prepare_cached("INSERT INTO audit_events (ledger_id, seq, kind) VALUES (?1, ?2, ?3)")?
                .execute(params![id, seq, event.kind()])?;
        }
        match event {
            Event::LedgerCreated { name, start } => {
                conn.prepare_cached(
                    "INSERT INTO ledgers (id, name, start_period, created_seq) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, name, start.key(), seq])?;
            }
            Event::AccountAdded { account } => {
                conn.prepare_cached(
                    "INSERT INTO accounts (ledger_id, code, name, kind, opened, closed, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    id,
                    account.code(),
                    account.name(),
                    serde_json::to_value(account.kind())?.as_str().unwrap_or_default(),
                    account.opened().map(format_date),
                    account.closed().map(format_date),
                    seq
                ])?;
            }
            Event::AccountRenamed { code, name } => {
                conn.prepare_cached("UPDATE accounts SET name = ?3, seq = ?4 WHERE ledger_id = ?1 AND code = ?2")?
                    .execute(params![id, code, name, seq])?;
            }
            Event::AccountClosed { code, date } => {
                conn.prepare_cached("UPDATE accounts SET closed = ?3, seq = ?4 WHERE ledger_id = ?1 AND code = ?2")?
                    .execute(params![id, code, format_date(*date), seq])?;
            }
            Event::VoucherPrepared { voucher } => {
                self.insert_voucher(conn, seq, voucher, Status::Prepared)?;
                self.unposted.insert(voucher.reference(), voucher.lines().to_vec());
            }
            Event::VoucherMigrated { voucher } => {
                self.insert_voucher(conn, seq, voucher, Status::Posted)?;
                self.add_deltas(voucher.period().key(), voucher.lines(), true);
            }
            Event::VoucherPosted { reference } => {
                let lines = match self.unposted.remove(reference) {
                    Some(lines) => lines,
                    None => load_voucher(conn, id, *reference)?
                        .map(|(v, _)| v.lines().to_vec())
                        .ok_or_else(|| Error::Corrupt(format!("表 vouchers 中没有要记账的凭证 {reference}")))?,
                };
                let changed = conn
                    .prepare_cached(
                        "UPDATE vouchers SET status = 'posted', posted_seq = ?4 \
                         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND status = 'prepared'",
                    )?
                    .execute(params![id, reference.period.key(), reference.number, seq])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中凭证 {reference} 不是待记账状态")));
                }
                self.add_deltas(reference.period.key(), &lines, true);
            }
            Event::VoucherVoided { reference, .. } => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE vouchers SET status = 'voided' \
                         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND status = 'prepared'",
                    )?
                    .execute(params![id, reference.period.key(), reference.number])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中要作废的凭证 {reference} 不是待记账状态")));
                }
                release_documents(conn, id, *reference)?;
                self.unposted.remove(reference);
            }
            Event::VoucherRevised { voucher } => {
                let r = voucher.reference();
                let changed = conn
                    .prepare_cached(
                        "UPDATE vouchers SET content_seq = ?4, authorization = ?5 \
                         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND status = 'prepared'",
                    )?
                    .execute(params![id, r.period.key(), r.number, seq, voucher.authorization()])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中要修改的凭证 {r} 不是待记账状态")));
                }
                conn.prepare_cached(
                    "UPDATE signatures SET withdrawn_seq = ?4 \
                     WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND withdrawn_seq IS NULL",
                )?
                .execute(params![id, r.period.key(), r.number, seq])?;
                self.index_documents(conn, seq, voucher)?;
                self.unposted.insert(r, voucher.lines().to_vec());
            }
            Event::PeriodClosed { period, reason, in_transit } => {
                conn.prepare_cached("INSERT INTO periods (ledger_id, period, reason, seq) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![id, period.key(), reason, seq])?;
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO in_transit (ledger_id, period, account, voucher_period, voucher_number, seq) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for t in in_transit {
                    stmt.execute(params![id, period.key(), t.account, t.voucher.period.key(), t.voucher.number, seq])?;
                }
            }
            Event::FileImported { file, sha256, encoding, rows, vouchers, history } => {
                conn.prepare_cached(
                    "INSERT INTO imports (ledger_id, seq, sha256, file, encoding, rows, vouchers, history, at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    id,
                    seq,
                    sha256,
                    file,
                    encoding,
                    *rows as i64,
                    *vouchers as i64,
                    *history,
                    at
                ])?;
            }
            Event::PersonRegistered { name } => {
                conn.prepare_cached("INSERT INTO people (ledger_id, name, seq) VALUES (?1, ?2, ?3)")?
                    .execute(params![id, name, seq])?;
            }
            Event::PassphraseSet { person, hash, reset } => {
                conn.prepare_cached(
                    "UPDATE people SET passphrase = ?3, seq = ?4, reset = ?5 WHERE ledger_id = ?1 AND name = ?2",
                )?
                .execute(params![id, person, hash, seq, reset])?;
            }
            Event::Appointed { appointment: a } => {
                conn.prepare_cached(
                    "INSERT INTO appointments (ledger_id, person, role, from_date, ended, leader, title, acting, seq) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    id,
                    a.person,
                    role_str(a.role)?,
                    format_date(a.from),
                    a.ended.map(format_date),
                    a.leader,
                    a.title,
                    a.acting,
                    seq
                ])?;
            }
            Event::AppointmentEnded { person, role, from, ended } => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE appointments SET ended = ?5, seq = ?6 \
                         WHERE ledger_id = ?1 AND person = ?2 AND role = ?3 AND from_date = ?4",
                    )?
                    .execute(params![id, person, role_str(*role)?, format_date(*from), format_date(*ended), seq])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 appointments 中没有 {person} 要结束的任职")));
                }
            }
            Event::KinshipRecorded { fact } => {
                let (kind, a, b) = match fact {
                    KinFact::Spouse { a, b } => ("spouse", a, b),
                    KinFact::Parent { parent, child } => ("parent", parent, child),
                    KinFact::Sibling { a, b } => ("sibling", a, b),
                    KinFact::Kin { a, b } => ("kin", a, b),
                };
                conn.prepare_cached("INSERT INTO kinship (ledger_id, seq, kind, a, b) VALUES (?1, ?2, ?3, ?4, ?5)")?
                    .execute(params![id, seq, kind, a, b])?;
            }
            Event::VoucherSigned { reference, signature: sg } => {
                conn.prepare_cached(
                    "INSERT INTO signatures (ledger_id, seq, period, number, kind, person, appointment_from, at, \
                     resolution) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    id,
                    seq,
                    reference.period.key(),
                    reference.number,
                    sg.kind.as_str(),
                    sg.person,
                    format_date(sg.appointment_from),
                    sg.at,
                    sg.resolution
                ])?;
            }
            Event::SignatureWithdrawn { reference, kind, person } => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE signatures SET withdrawn_seq = ?6 WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 \
                         AND kind = ?4 AND person = ?5 AND withdrawn_seq IS NULL",
                    )?
                    .execute(params![id, reference.period.key(), reference.number, kind.as_str(), person, seq])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 signatures 中凭证 {reference} 没有要撤回的签字")));
                }
            }
            Event::SettingChanged { key, value } => {
                conn.prepare_cached(
                    "INSERT INTO settings (ledger_id, key, value, seq) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (ledger_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
                )?
                .execute(params![id, key.as_str(), value, seq])?;
            }
            Event::AuthorizationRecorded { authorization: a } => {
                conn.prepare_cached(
                    "INSERT INTO authorizations (ledger_id, number, kind, date, scope, cap, stand_aside, seq) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    id,
                    a.number,
                    serde_json::to_value(a.kind)?.as_str().unwrap_or_default(),
                    format_date(a.date),
                    a.scope,
                    a.cap.fen(),
                    a.stand_aside.as_ref().map(serde_json::to_string).transpose()?,
                    seq
                ])?;
            }
            Event::ReceiptBookRegistered { book: b } => {
                conn.prepare_cached(
                    "INSERT INTO receipt_books (ledger_id, book, first, last, date, holder, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, b.book, b.first, b.last, format_date(b.date), b.holder, seq])?;
            }
            Event::ReceiptBookPassed { book, holder, .. } => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE receipt_books SET holder = ?3, seq = ?4 WHERE ledger_id = ?1 AND book = ?2",
                    )?
                    .execute(params![id, book, holder, seq])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("passing receipt book {book}, which is not registered")));
                }
            }
            Event::ReceiptIssued { book, serial, payer, amount, date } => {
                conn.prepare_cached(
                    "INSERT INTO receipts (ledger_id, book, serial, state, payer, amount, date, seq) \
                     VALUES (?1, ?2, ?3, 'issued', ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, book, serial, payer, amount.fen(), format_date(*date), seq])?;
            }
            Event::ReceiptVoided { book, serial, reason } => {
                conn.prepare_cached(
                    "INSERT INTO receipts (ledger_id, book, serial, state, reason, seq) VALUES (?1, ?2, ?3, 'voided', ?4, ?5) \
                     ON CONFLICT (ledger_id, book, serial) DO UPDATE SET state = 'voided', reason = excluded.reason, seq = excluded.seq",
                )?
                .execute(params![id, book, serial, reason, seq])?;
            }
            Event::FundDeclared { fund } => {
                conn.prepare_cached("INSERT INTO funds (ledger_id, name, restricted, seq) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![id, fund.name, fund.restricted, seq])?;
            }
            Event::CashCounted { count: c } => {
                conn.prepare_cached(
                    "INSERT INTO cash_counts (ledger_id, seq, date, counted, book, pieces, counter) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    id,
                    seq,
                    format_date(c.date),
                    c.counted.fen(),
                    c.book.fen(),
                    serde_json::to_string(&c.pieces)?,
                    c.counter
                ])?;
            }
            Event::StatementImported { account, first_id, lines, through, .. } => {
                if let Some(t) = through {
                    conn.prepare_cached(
                        "INSERT INTO statement_reach (ledger_id, account, through, seq) VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT (ledger_id, account) DO UPDATE SET through = excluded.through, seq = excluded.seq \
                         WHERE excluded.through > statement_reach.through",
                    )?
                    .execute(params![id, account, format_date(*t), seq])?;
                }
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO statement_lines (ledger_id, id, account, date, inflow, outflow, balance, reference, \
                     counterparty, summary, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?;
                for (i, l) in lines.iter().enumerate() {
                    stmt.execute(params![
                        id,
                        (*first_id + i as u64) as i64,
                        account,
                        format_date(l.date),
                        l.inflow.fen(),
                        l.outflow.fen(),
                        l.balance.fen(),
                        l.reference,
                        l.counterparty,
                        l.summary,
                        seq
                    ])?;
                }
            }
            Event::BankMatched { pairs, .. } => {
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO bank_matches (ledger_id, line_id, period, number, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for (line, v) in pairs {
                    stmt.execute(params![id, *line as i64, v.period.key(), v.number, seq])?;
                }
            }
            Event::BankUnmatched { line, voucher } => {
                let changed = conn
                    .prepare_cached(
                        "DELETE FROM bank_matches WHERE ledger_id = ?1 AND line_id = ?2 AND period = ?3 AND number = ?4",
                    )?
                    .execute(params![id, *line as i64, voucher.period.key(), voucher.number])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 bank_matches 中对账单第 {line} 行并未勾对")));
                }
            }
            Event::ClosingVoucher { voucher } => {
                self.insert_voucher(conn, seq, voucher, Status::Posted)?;
                // Carrying the year's result moves no money into or out of a
                // fund: each fund's lines net to zero, so fund totals skip it.
                self.add_deltas(voucher.period().key(), voucher.lines(), false);
            }
            Event::PeriodReopened { period, .. } => {
                conn.prepare_cached("DELETE FROM in_transit WHERE ledger_id = ?1 AND period = ?2")?
                    .execute(params![id, period.key()])?;
                let changed = conn
                    .prepare_cached("DELETE FROM periods WHERE ledger_id = ?1 AND period = ?2")?
                    .execute(params![id, period.key()])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 periods 中 {period} 并未结账")));
                }
            }
            Event::DisclosureReviewed { review: r } => {
                conn.prepare_cached(
                    "INSERT INTO disclosure_reviews (ledger_id, seq, span, reviewer, opinion, date) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![id, seq, r.span, r.by, r.opinion, format_date(r.date)])?;
            }
            Event::AssetRegistered { asset: a } => {
                conn.prepare_cached(
                    "INSERT INTO assets (ledger_id, id, name, quantity, value, location, custodian, period, number, \
                     acquired, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )?
                .execute(params![
                    id,
                    a.id,
                    a.name,
                    a.quantity,
                    a.value.fen(),
                    a.location,
                    a.custodian,
                    a.voucher.period.key(),
                    a.voucher.number,
                    format_date(a.acquired),
                    seq
                ])?;
            }
            Event::AssetDisposed { id: asset, date, reason } => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE assets SET disposed = ?3, disposal_reason = ?4, seq = ?5 \
                         WHERE ledger_id = ?1 AND id = ?2 AND disposed IS NULL",
                    )?
                    .execute(params![id, asset, format_date(*date), reason, seq])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 assets 中资产 {asset} 不在册")));
                }
            }
            Event::BudgetSet { year, account, amount } => {
                conn.prepare_cached(
                    "INSERT INTO budgets (ledger_id, year, account, amount, seq) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (ledger_id, year, account) DO UPDATE SET amount = excluded.amount, seq = excluded.seq",
                )?
                .execute(params![id, year, account, amount.fen(), seq])?;
            }
            // The handover's own effects are the appointment events before it;
            // the record itself lives in the log.
            Event::Refused { .. } | Event::SignInFailed { .. } | Event::HandoverCompleted { .. } => {}
        }
        Ok(())
    }

    /// Indexes a voucher's documents under it (DOC-2). The core has checked
    /// that no live voucher holds them, so the last voucher citing a
    /// document holds it: the correction after a reversal takes it over.
    fn index_documents(&self, conn: &Connection, seq: i64, v: &Voucher) -> Result<(), Error> {
        let reference = v.reference();
        for d in v.documents() {
            if let Some((doc_type, issuer, number)) = doc_key(d) {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO documents (ledger_id, doc_type, issuer, number, period, voucher_number, seq) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![self.ledger_id, doc_type, issuer, number, reference.period.key(), reference.number, seq])?;
            }
        }
        Ok(())
    }

    /// [LIM-1] what the vouchers recorded by this projector add to the
    /// ledger's turnover, not yet flushed.
    pub(crate) fn pending_turnover(&self) -> i64 {
        self.turnover
    }

    fn insert_voucher(&mut self, conn: &Connection, seq: i64, v: &Voucher, status: Status) -> Result<(), Error> {
        let reference = v.reference();
        self.turnover = self.turnover.saturating_add(Money::turnover(v.lines().iter().map(|l| l.amount)).fen());
        self.index_documents(conn, seq, v)?;
        conn.prepare_cached(
            "INSERT INTO vouchers (ledger_id, period, number, date, status, origin, reverses_period, reverses_number, \
             content_seq, posted_seq, authorization) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            self.ledger_id,
            reference.period.key(),
            reference.number,
            format_date(v.date()),
            status.as_str(),
            origin_str(v.origin()),
            v.reverses().map(|r| r.period.key()),
            v.reverses().map(|r| r.number),
            seq,
            (status == Status::Posted).then_some(seq),
            v.authorization(),
        ])?;
        Ok(())
    }

    fn add_deltas(&mut self, period: u32, lines: &[Line], funds: bool) {
        for l in lines {
            let e = self.deltas.entry((l.account.clone(), period)).or_default();
            e.0 += l.debit().fen();
            e.1 += l.credit().fen();
            if let Some((fund, into, out)) = fund_effect(l).filter(|_| funds) {
                let f = self.fund_deltas.entry((fund.to_string(), period)).or_default();
                f.0 += into.fen();
                f.1 += out.fen();
            }
        }
    }

    /// Writes the pending balance changes.
    pub(crate) fn flush(&mut self, conn: &Connection) -> Result<(), Error> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO balances (ledger_id, account, period, debit, credit) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (ledger_id, account, period) DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit",
        )?;
        let mut deltas: Vec<_> = self.deltas.drain().collect();
        deltas.sort();
        for ((account, period), (debit, credit)) in deltas {
            stmt.execute(params![self.ledger_id, account, period, debit, credit])?;
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO fund_totals (ledger_id, fund, period, income, spending) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (ledger_id, fund, period) DO UPDATE SET income = income + excluded.income, \
             spending = spending + excluded.spending",
        )?;
        let mut funds: Vec<_> = self.fund_deltas.drain().collect();
        funds.sort();
        for ((fund, period), (income, spending)) in funds {
            stmt.execute(params![self.ledger_id, fund, period, income, spending])?;
        }
        if self.turnover != 0 {
            conn.prepare_cached(
                "INSERT INTO turnover (ledger_id, fen) VALUES (?1, ?2) \
                 ON CONFLICT (ledger_id) DO UPDATE SET fen = fen + excluded.fen",
            )?
            .execute(params![self.ledger_id, self.turnover])?;
            self.turnover = 0;
        }
        Ok(())
    }
}

fn role_str(role: Role) -> Result<String, Error> {
    Ok(serde_json::to_value(role)?.as_str().unwrap_or_default().to_string())
}

pub(crate) fn origin_str(origin: qianzhang_core::Origin) -> &'static str {
    match origin {
        qianzhang_core::Origin::Entered => "entered",
        qianzhang_core::Origin::Imported => "imported",
        qianzhang_core::Origin::History => "history",
        qianzhang_core::Origin::Closing => "closing",
    }
}

/// Decodes a voucher-carrying log payload.
pub(crate) fn voucher_of(payload: &str) -> Result<Voucher, Error> {
    match serde_json::from_str::<Event>(payload)? {
        Event::VoucherPrepared { voucher }
        | Event::VoucherMigrated { voucher }
        | Event::VoucherRevised { voucher }
        | Event::ClosingVoucher { voucher } => Ok(voucher),
        other => Err(Error::Corrupt(format!("表 log 中凭证内容所指的一条是 {}，不是凭证", other.kind()))),
    }
}

/// Reads one voucher and its status through its content entry in the log.
pub(crate) fn load_voucher(
    conn: &Connection,
    ledger_id: i64,
    r: VoucherRef,
) -> Result<Option<(Voucher, Status)>, Error> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT v.status, l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
             WHERE v.ledger_id = ?1 AND v.period = ?2 AND v.number = ?3",
        )?
        .query_row(params![ledger_id, r.period.key(), r.number], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let Some((status, payload)) = row else { return Ok(None) };
    let status = Status::from_str_opt(&status)
        .ok_or_else(|| Error::Corrupt(format!("表 vouchers 中凭证 {r} 的状态 {status} 不认识")))?;
    let voucher = voucher_of(&payload)?;
    if voucher.reference() != r {
        return Err(Error::Corrupt(format!("表 vouchers 中凭证 {r} 指向的是凭证 {} 的内容", voucher.reference())));
    }
    Ok(Some((voucher, status)))
}

/// Sum of the posted balance of one account over all periods.
pub(crate) fn account_balance(conn: &Connection, ledger_id: i64, code: &str) -> Result<Money, Error> {
    let fen: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(debit - credit), 0) FROM balances WHERE ledger_id = ?1 AND account = ?2")?
        .query_row(params![ledger_id, code], |r| r.get(0))?;
    crate::rows::checked_money(fen, "balances")
}

/// A voided voucher releases its documents (DOC-2).
fn release_documents(conn: &Connection, ledger_id: i64, reference: VoucherRef) -> Result<(), Error> {
    conn.prepare_cached("DELETE FROM documents WHERE ledger_id = ?1 AND period = ?2 AND voucher_number = ?3")?
        .execute(params![ledger_id, reference.period.key(), reference.number])?;
    Ok(())
}

/// Rebuilds the `documents` index of every ledger from the log, for a store
/// written before documents were keyed by `documents::doc_key` as they are
/// now (an invoice by its code and number alone) and released by voiding
/// (DOC-2): afterwards the index is what replaying the log gives, so
/// `verify` agrees with it. An entry that does not parse is left to
/// `verify` to report.
pub(crate) fn reindex_documents(conn: &Connection) -> Result<(), Error> {
    conn.execute("DELETE FROM documents", [])?;
    let mut stmt = conn.prepare(
        "SELECT ledger_id, seq, payload FROM log WHERE kind IN \
         ('voucher_prepared', 'voucher_migrated', 'voucher_revised', 'voucher_voided', 'closing_voucher') \
         ORDER BY ledger_id, seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (ledger_id, seq): (i64, i64) = (row.get(0)?, row.get(1)?);
        let Ok(payload) = row.get_ref(2)?.as_str() else { continue };
        let Ok(event) = serde_json::from_str::<Event>(payload) else { continue };
        let projector = Projector::new(ledger_id);
        match &event {
            Event::VoucherPrepared { voucher }
            | Event::VoucherMigrated { voucher }
            | Event::VoucherRevised { voucher }
            | Event::ClosingVoucher { voucher } => projector.index_documents(conn, seq, voucher)?,
            Event::VoucherVoided { reference, .. } => release_documents(conn, ledger_id, *reference)?,
            _ => {}
        }
    }
    Ok(())
}
