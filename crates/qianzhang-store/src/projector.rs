//! Applies log events to the projection tables.
//!
//! The core's reducer (`qianzhang_core::projection::reduce`) says what each
//! event changes; this writes each [`Change`] as rows. The same code runs
//! when a command appends an event and when `verify` replays the log into a
//! scratch database, so the two can be compared row by row.

use std::collections::HashMap;

use qianzhang_core::documents::doc_key;
use qianzhang_core::people::{KinFact, Role};
use qianzhang_core::period::format_date;
use qianzhang_core::projection::{reduce, Change, Inconsistent, View};
use qianzhang_core::receipts::ReceiptState;
use qianzhang_core::statements::{statement_rows, StatementRow};
use qianzhang_core::{Event, Line, Money, Period, Status, Voucher, VoucherRef};
use rusqlite::{params, CachedStatement, Connection, OptionalExtension};

use crate::Error;

/// Pending balance changes, flushed into `balances` before commit.
#[derive(Default)]
pub(crate) struct Projector<'c> {
    ledger_id: i64,
    /// By period, then account: looked up by the `&str` a line holds, so
    /// a line of a known account allocates nothing.
    deltas: HashMap<u32, Totals>,
    /// By period, then fund.
    fund_deltas: HashMap<u32, Totals>,
    /// [STM-1] pending statement rows: by (period, part), account, fund.
    statement_deltas: HashMap<(u32, &'static str), HashMap<String, Totals>>,
    /// Lines of vouchers prepared while this projector ran and not yet posted.
    unposted: HashMap<VoucherRef, Vec<Line>>,
    /// [LIM-1] absolute amounts of the vouchers recorded, not yet flushed
    /// into `turnover`.
    turnover: i64,
    /// The statement inserting a voucher's row, with the connection it was
    /// made on, kept from one voucher to the next: an import inserts a
    /// million, and taking it from the connection's cache each time cost
    /// a tenth of the import's own thread.
    insert_voucher: Option<(*const Connection, CachedStatement<'c>)>,
}

/// Inserts a voucher's row.
const INSERT_VOUCHER: &str = "INSERT INTO vouchers (ledger_id, period, number, date, status, origin, reverses_period, \
                              reverses_number, content_seq, posted_seq, authorization) \
                              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

impl<'c> Projector<'c> {
    pub(crate) fn new(ledger_id: i64) -> Projector<'c> {
        Projector { ledger_id, ..Projector::default() }
    }

    /// Applies one logged event: the changes the core's reducer finds in
    /// it, returned so the writer can keep its caches from them.
    pub(crate) fn apply<'e>(
        &mut self,
        conn: &'c Connection,
        seq: i64,
        at: &str,
        event: &'e Event,
    ) -> Result<Vec<Change<'e>>, Error> {
        if event.is_audited() {
            conn.prepare_cached("INSERT INTO audit_events (ledger_id, seq, kind) VALUES (?1, ?2, ?3)")?
                .execute(params![self.ledger_id, seq, event.kind()])?;
        }
        let mut lookup = Lookup { conn, ledger_id: self.ledger_id, unposted: &mut self.unposted };
        let changes = reduce(event, &mut lookup)?;
        for change in &changes {
            self.apply_change(conn, seq, at, change)?;
        }
        Ok(changes)
    }

    /// Writes one change of the projection.
    fn apply_change(&mut self, conn: &'c Connection, seq: i64, at: &str, change: &Change<'_>) -> Result<(), Error> {
        let id = self.ledger_id;
        match change {
            Change::LedgerCreated { name, start } => {
                conn.prepare_cached(
                    "INSERT INTO ledgers (id, name, start_period, created_seq) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, name, start.key(), seq])?;
            }
            Change::AccountAdded(account) => {
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
            Change::AccountRenamed { code, name } => {
                conn.prepare_cached("UPDATE accounts SET name = ?3, seq = ?4 WHERE ledger_id = ?1 AND code = ?2")?
                    .execute(params![id, code, name, seq])?;
            }
            Change::AccountClosed { code, date } => {
                conn.prepare_cached("UPDATE accounts SET closed = ?3, seq = ?4 WHERE ledger_id = ?1 AND code = ?2")?
                    .execute(params![id, code, format_date(*date), seq])?;
            }
            Change::VoucherRecorded { voucher, status } => self.insert_voucher(conn, seq, voucher, *status)?,
            Change::VoucherPosted(reference) => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE vouchers SET status = 'posted', posted_seq = ?4 \
                         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND status = 'prepared'",
                    )?
                    .execute(params![id, reference.period.key(), reference.number, seq])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中凭证 {reference} 不是待记账状态")));
                }
                self.unposted.remove(reference);
            }
            Change::VoucherVoided(reference) => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE vouchers SET status = 'voided' \
                         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND status = 'prepared'",
                    )?
                    .execute(params![id, reference.period.key(), reference.number])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中要作废的凭证 {reference} 不是待记账状态")));
                }
                self.unposted.remove(reference);
            }
            Change::VoucherRevised(voucher) => {
                let r = voucher.reference();
                let changed = conn
                    .prepare_cached(
                        "UPDATE vouchers SET content_seq = ?4, authorization = ?5, date = ?6 \
                         WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND status = 'prepared'",
                    )?
                    .execute(params![
                        id,
                        r.period.key(),
                        r.number,
                        seq,
                        voucher.authorization(),
                        format_date(voucher.date())
                    ])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中要修改的凭证 {r} 不是待记账状态")));
                }
                self.unposted.insert(r, voucher.lines().to_vec());
            }
            Change::MovedAhead { reference, moved } => {
                conn.prepare_cached(
                    "UPDATE vouchers SET moved = ?4 \
                     WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND moved <> ?4",
                )?
                .execute(params![id, reference.period.key(), reference.number, moved])?;
            }
            Change::Balance { account, period, debit, credit } => {
                add(self.deltas.entry(period.key()).or_default(), account, debit.fen(), credit.fen());
            }
            Change::FundTotal { fund, period, income, spending } => {
                add(self.fund_deltas.entry(period.key()).or_default(), fund, income.fen(), spending.fen());
            }
            Change::Turnover(amount) => self.turnover = self.turnover.saturating_add(amount.fen()),
            Change::StatementTotal(r) => self.add_statement_row(r),
            Change::DocumentsClaimed(voucher) => self.index_documents(conn, seq, voucher)?,
            Change::DocumentsReleased(reference) => release_documents(conn, id, *reference)?,
            Change::SignaturesCleared(r) => {
                conn.prepare_cached(
                    "UPDATE signatures SET withdrawn_seq = ?4 \
                     WHERE ledger_id = ?1 AND period = ?2 AND number = ?3 AND withdrawn_seq IS NULL",
                )?
                .execute(params![id, r.period.key(), r.number, seq])?;
            }
            Change::PeriodClosed { period, reason, in_transit } => {
                conn.prepare_cached("INSERT INTO periods (ledger_id, period, reason, seq) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![id, period.key(), reason, seq])?;
                let mut stmt = conn.prepare_cached(
                    "INSERT INTO in_transit (ledger_id, period, account, voucher_period, voucher_number, seq) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for t in in_transit.iter() {
                    stmt.execute(params![id, period.key(), t.account, t.voucher.period.key(), t.voucher.number, seq])?;
                }
            }
            Change::FileImported { file, sha256, encoding, rows, vouchers, history } => {
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
            Change::PersonRegistered(name) => {
                conn.prepare_cached("INSERT INTO people (ledger_id, name, seq) VALUES (?1, ?2, ?3)")?
                    .execute(params![id, name, seq])?;
            }
            Change::PassphraseSet { person, hash, reset } => {
                conn.prepare_cached(
                    "UPDATE people SET passphrase = ?3, seq = ?4, reset = ?5 WHERE ledger_id = ?1 AND name = ?2",
                )?
                .execute(params![id, person, hash, seq, reset])?;
            }
            Change::Appointed(a) => {
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
            Change::AppointmentEnded { person, role, from, ended } => {
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
            Change::KinshipRecorded(fact) => {
                let (kind, a, b) = match fact {
                    KinFact::Spouse { a, b } => ("spouse", a, b),
                    KinFact::Parent { parent, child } => ("parent", parent, child),
                    KinFact::Sibling { a, b } => ("sibling", a, b),
                    KinFact::Kin { a, b } => ("kin", a, b),
                };
                conn.prepare_cached("INSERT INTO kinship (ledger_id, seq, kind, a, b) VALUES (?1, ?2, ?3, ?4, ?5)")?
                    .execute(params![id, seq, kind, a, b])?;
            }
            Change::Signed { reference, signature: sg } => {
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
            Change::SignatureWithdrawn { reference, kind, person } => {
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
            Change::TemplateSaved(t) => {
                conn.prepare_cached(
                    "INSERT INTO templates (ledger_id, name, body, seq) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (ledger_id, name) DO UPDATE SET body = excluded.body, seq = excluded.seq",
                )?
                .execute(params![id, t.name, serde_json::to_string(t)?, seq])?;
            }
            Change::Opening { account, amount } => {
                if amount.is_zero() {
                    conn.prepare_cached("DELETE FROM openings WHERE ledger_id = ?1 AND account = ?2")?
                        .execute(params![id, account])?;
                } else {
                    conn.prepare_cached(
                        "INSERT INTO openings (ledger_id, account, fen, seq) VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT (ledger_id, account) DO UPDATE SET fen = excluded.fen, seq = excluded.seq",
                    )?
                    .execute(params![id, account, amount.fen(), seq])?;
                }
            }
            Change::Household(h) => {
                conn.prepare_cached("INSERT INTO households (ledger_id, door, head, seq) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![id, h.door, h.head, seq])?;
            }
            Change::Collection(c) => {
                conn.prepare_cached(
                    "INSERT INTO collections (ledger_id, receipt, fund, household, payer, amount, date, seq) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    id,
                    c.receipt,
                    c.fund,
                    c.household,
                    c.payer,
                    c.amount.fen(),
                    format_date(c.date),
                    seq
                ])?;
            }
            Change::CalendarDay(day) => {
                conn.prepare_cached(
                    "INSERT INTO calendar_days (ledger_id, date, kind, name, seq) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (ledger_id, date) DO UPDATE SET kind = excluded.kind, name = excluded.name, seq = excluded.seq",
                )?
                .execute(params![id, format_date(day.date), day.kind.as_str(), day.name, seq])?;
            }
            Change::Setting { key, value } => {
                conn.prepare_cached(
                    "INSERT INTO settings (ledger_id, key, value, seq) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (ledger_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
                )?
                .execute(params![id, key.as_str(), value, seq])?;
            }
            Change::AuthorizationRecorded(a) => {
                conn.prepare_cached(
                    "INSERT INTO authorizations (ledger_id, number, kind, date, scope, cap, stand_aside, seq, decision) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    id,
                    a.number,
                    serde_json::to_value(a.kind)?.as_str().unwrap_or_default(),
                    format_date(a.date),
                    a.scope,
                    a.cap.fen(),
                    a.stand_aside.as_ref().map(serde_json::to_string).transpose()?,
                    seq,
                    a.decision.as_ref().map(serde_json::to_string).transpose()?,
                ])?;
            }
            Change::ReceiptBookRegistered(b) => {
                conn.prepare_cached(
                    "INSERT INTO receipt_books (ledger_id, book, first, last, date, holder, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, b.book, b.first, b.last, format_date(b.date), b.holder, seq])?;
            }
            Change::ReceiptBookPassed { book, holder } => {
                let changed = conn
                    .prepare_cached(
                        "UPDATE receipt_books SET holder = ?3, seq = ?4 WHERE ledger_id = ?1 AND book = ?2",
                    )?
                    .execute(params![id, book, holder, seq])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("passing receipt book {book}, which is not registered")));
                }
            }
            Change::Receipt { book, serial, state: ReceiptState::Issued { payer, amount, date } } => {
                conn.prepare_cached(
                    "INSERT INTO receipts (ledger_id, book, serial, state, payer, amount, date, seq) \
                     VALUES (?1, ?2, ?3, 'issued', ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, book, serial, payer, amount.fen(), format_date(*date), seq])?;
            }
            Change::Receipt { book, serial, state: ReceiptState::Voided { reason } } => {
                conn.prepare_cached(
                    "INSERT INTO receipts (ledger_id, book, serial, state, reason, seq) VALUES (?1, ?2, ?3, 'voided', ?4, ?5) \
                     ON CONFLICT (ledger_id, book, serial) DO UPDATE SET state = 'voided', reason = excluded.reason, seq = excluded.seq",
                )?
                .execute(params![id, book, serial, reason, seq])?;
            }
            Change::FundDeclared(fund) => {
                conn.prepare_cached("INSERT INTO funds (ledger_id, name, restricted, seq) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![id, fund.name, fund.restricted, seq])?;
            }
            Change::CashCounted(c) => {
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
            Change::StatementReach { account, through } => {
                conn.prepare_cached(
                    "INSERT INTO statement_reach (ledger_id, account, through, seq) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (ledger_id, account) DO UPDATE SET through = excluded.through, seq = excluded.seq \
                     WHERE excluded.through > statement_reach.through",
                )?
                .execute(params![id, account, format_date(*through), seq])?;
            }
            Change::StatementLines { account, first_id, lines } => {
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
            Change::BankMatched { line, voucher: v } => {
                conn.prepare_cached(
                    "INSERT INTO bank_matches (ledger_id, line_id, period, number, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![id, *line as i64, v.period.key(), v.number, seq])?;
            }
            Change::BankUnmatched { line, voucher } => {
                let changed = conn
                    .prepare_cached(
                        "DELETE FROM bank_matches WHERE ledger_id = ?1 AND line_id = ?2 AND period = ?3 AND number = ?4",
                    )?
                    .execute(params![id, *line as i64, voucher.period.key(), voucher.number])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 bank_matches 中对账单第 {line} 行并未勾对")));
                }
            }
            Change::PeriodReopened(period) => {
                conn.prepare_cached("DELETE FROM in_transit WHERE ledger_id = ?1 AND period = ?2")?
                    .execute(params![id, period.key()])?;
                let changed = conn
                    .prepare_cached("DELETE FROM periods WHERE ledger_id = ?1 AND period = ?2")?
                    .execute(params![id, period.key()])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 periods 中 {period} 并未结账")));
                }
            }
            Change::DisclosureReviewed(r) => {
                conn.prepare_cached(
                    "INSERT INTO disclosure_reviews (ledger_id, seq, span, reviewer, opinion, date) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![id, seq, r.span, r.by, r.opinion, format_date(r.date)])?;
            }
            Change::Published { period, date, fingerprint, by } => {
                conn.prepare_cached(
                    "INSERT INTO publications (ledger_id, seq, period, date, fingerprint, by_person, at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, seq, period.key(), format_date(*date), fingerprint, by, at])?;
            }
            Change::ScanAttached(scan) => {
                conn.prepare_cached(
                    "INSERT INTO voucher_scans (ledger_id, seq, period, number, sha256, media, size, file_name) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    id,
                    seq,
                    scan.voucher.period.key(),
                    scan.voucher.number,
                    scan.sha256,
                    scan.media.mime(),
                    i64::try_from(scan.size).unwrap_or(i64::MAX),
                    scan.file_name
                ])?;
            }
            Change::AssetRegistered(a) => {
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
            Change::AssetDisposed { id: asset, date, reason } => {
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
            Change::BudgetSet { year, account, amount } => {
                conn.prepare_cached(
                    "INSERT INTO budgets (ledger_id, year, account, amount, seq) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (ledger_id, year, account) DO UPDATE SET amount = excluded.amount, seq = excluded.seq",
                )?
                .execute(params![id, year, account, amount.fen(), seq])?;
            }
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

    fn insert_voucher(&mut self, conn: &'c Connection, seq: i64, v: &Voucher, status: Status) -> Result<(), Error> {
        let reference = v.reference();
        let insert = match &mut self.insert_voucher {
            Some((made_on, insert)) if std::ptr::eq(*made_on, conn) => insert,
            held => &mut held.insert((conn, conn.prepare_cached(INSERT_VOUCHER)?)).1,
        };
        insert.execute(params![
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
        if status == Status::Prepared {
            self.unposted.insert(reference, v.lines().to_vec());
        }
        Ok(())
    }

    fn add_statement_row(&mut self, r: &StatementRow) {
        let accounts = self.statement_deltas.entry((r.period.key(), r.part.as_str())).or_default();
        if !accounts.contains_key(r.account.as_str()) {
            accounts.insert(r.account.clone(), Totals::new());
        }
        let funds = accounts.get_mut(r.account.as_str()).expect("inserted above");
        add(funds, r.fund.as_deref().unwrap_or_default(), r.debit.fen(), r.credit.fen());
    }

    /// Writes the pending balance changes.
    pub(crate) fn flush(&mut self, conn: &Connection) -> Result<(), Error> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO statement_totals (ledger_id, period, part, account, fund, debit, credit) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (ledger_id, period, part, account, fund) \
             DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit",
        )?;
        let mut rows: Vec<_> = self
            .statement_deltas
            .drain()
            .flat_map(|((period, part), accounts)| {
                accounts.into_iter().flat_map(move |(account, funds)| {
                    funds.into_iter().map(move |(fund, totals)| ((period, part, account.clone(), fund), totals))
                })
            })
            .collect();
        rows.sort();
        for ((period, part, account, fund), (debit, credit)) in rows {
            stmt.execute(params![self.ledger_id, period, part, account, fund, debit, credit])?;
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO balances (ledger_id, account, period, debit, credit) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (ledger_id, account, period) DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit",
        )?;
        let mut deltas: Vec<_> = unnest(&mut self.deltas);
        deltas.sort();
        for ((account, period), (debit, credit)) in deltas {
            stmt.execute(params![self.ledger_id, account, period, debit, credit])?;
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO fund_totals (ledger_id, fund, period, income, spending) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (ledger_id, fund, period) DO UPDATE SET income = income + excluded.income, \
             spending = spending + excluded.spending",
        )?;
        let mut funds: Vec<_> = unnest(&mut self.fund_deltas);
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

/// Pending (debit, credit) or (income, spending) totals by account or fund.
type Totals = HashMap<String, (i64, i64)>;

fn add(totals: &mut Totals, key: &str, a: i64, b: i64) {
    match totals.get_mut(key) {
        Some(t) => {
            t.0 += a;
            t.1 += b;
        }
        None => {
            totals.insert(key.to_string(), (a, b));
        }
    }
}

/// The pending totals as ((account or fund, period), totals), emptied.
fn unnest(by_period: &mut HashMap<u32, Totals>) -> Vec<((String, u32), (i64, i64))> {
    by_period.drain().flat_map(|(period, totals)| totals.into_iter().map(move |(key, t)| ((key, period), t))).collect()
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
    match Event::from_json(payload)? {
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
        let Ok(event) = Event::from_json(payload) else { continue };
        let projector = Projector::new(ledger_id);
        for change in reduce(&event, &mut NoVouchers)? {
            match change {
                Change::DocumentsClaimed(voucher) => projector.index_documents(conn, seq, voucher)?,
                Change::DocumentsReleased(reference) => release_documents(conn, ledger_id, reference)?,
                _ => {}
            }
        }
    }
    Ok(())
}

/// [STM-1] fills `statement_totals` from every posted voucher, for a store
/// written before the table existed.
pub(crate) fn fill_statement_totals(conn: &Connection) -> Result<(), Error> {
    conn.execute("DELETE FROM statement_totals", [])?;
    let refs: Vec<(i64, u32, u32)> = conn
        .prepare(
            "SELECT ledger_id, period, number FROM vouchers WHERE status = 'posted' ORDER BY ledger_id, period, number",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut projector: Option<Projector> = None;
    for (ledger_id, period, number) in refs {
        if projector.as_ref().is_some_and(|p| p.ledger_id != ledger_id) {
            projector.take().expect("checked").flush(conn)?;
        }
        let p = projector.get_or_insert_with(|| Projector::new(ledger_id));
        let period =
            Period::from_key(period).ok_or_else(|| Error::Corrupt(format!("表 vouchers 中的期间 {period} 无效")))?;
        if let Some((v, _)) = load_voucher(conn, ledger_id, VoucherRef { period, number })? {
            for r in statement_rows(&v) {
                p.add_statement_row(&r);
            }
        }
    }
    if let Some(mut p) = projector {
        p.flush(conn)?;
    }
    Ok(())
}

/// The projection as the reducer reads it while the projector writes it:
/// a voucher's lines come from those prepared in this run, or its row.
struct Lookup<'a> {
    conn: &'a Connection,
    ledger_id: i64,
    unposted: &'a mut HashMap<VoucherRef, Vec<Line>>,
}

impl View for Lookup<'_> {
    type Error = Error;
    fn voucher_lines(&mut self, reference: VoucherRef) -> Result<Option<Vec<Line>>, Error> {
        if let Some(lines) = self.unposted.remove(&reference) {
            return Ok(Some(lines));
        }
        Ok(load_voucher(self.conn, self.ledger_id, reference)?.map(|(v, _)| v.lines().to_vec()))
    }
}

/// Rebuilding the documents index reads no voucher.
struct NoVouchers;

impl View for NoVouchers {
    type Error = Error;
    fn voucher_lines(&mut self, _: VoucherRef) -> Result<Option<Vec<Line>>, Error> {
        Ok(None)
    }
}

impl From<Inconsistent> for Error {
    fn from(e: Inconsistent) -> Error {
        Error::Corrupt(e.0)
    }
}
