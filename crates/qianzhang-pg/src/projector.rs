//! Applies log events to the projection tables.
//!
//! The core's reducer (`qianzhang_core::projection::reduce`) says what each
//! event changes; this writes each [`Change`] as rows. The same code runs
//! when a command appends an event and when `verify` replays the log into
//! temporary tables shadowing the projections, so the two can be compared.

use std::collections::HashMap;

use qianzhang_core::documents::doc_key;
use qianzhang_core::people::{KinFact, Role};
use qianzhang_core::period::format_date;
use qianzhang_core::projection::{reduce, Change, Inconsistent, View};
use qianzhang_core::receipts::ReceiptState;
use qianzhang_core::statements::StatementRow;
use qianzhang_core::{Event, Line, Money, Status, Voucher, VoucherRef};

use crate::db::{get, pk, Tx, VoucherRow};
use crate::Error;

/// Pending balance changes, flushed into `balances` before commit.
#[derive(Default)]
pub(crate) struct Projector {
    ledger_id: i64,
    deltas: HashMap<(String, u32), (i64, i64)>,
    fund_deltas: HashMap<(String, u32), (i64, i64)>,
    /// [STM-1] pending statement rows: (period, part, account, fund).
    statement_deltas: HashMap<(u32, &'static str, String, String), (i64, i64)>,
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

    /// Applies one logged event: the changes the core's reducer finds in
    /// it, returned so the writer can keep its caches from them.
    pub(crate) fn apply<'e>(
        &mut self,
        tx: &mut Tx<'_>,
        seq: i64,
        at: &str,
        event: &'e Event,
    ) -> Result<Vec<Change<'e>>, Error> {
        if event.is_audited() {
            tx.exec(
                "INSERT INTO audit_events (ledger_id, seq, kind) VALUES ($1, $2, $3)",
                &[&self.ledger_id, &seq, &event.kind()],
            )?;
        }
        let mut lookup = Lookup { tx, ledger_id: self.ledger_id, unposted: &mut self.unposted };
        let changes = reduce(event, &mut lookup)?;
        for change in &changes {
            self.apply_change(tx, seq, at, change)?;
        }
        Ok(changes)
    }

    /// Writes one change of the projection.
    fn apply_change(&mut self, tx: &mut Tx<'_>, seq: i64, at: &str, change: &Change<'_>) -> Result<(), Error> {
        let id = self.ledger_id;
        match change {
            Change::LedgerCreated { name, start } => {
                tx.exec(
                    "INSERT INTO ledgers (id, name, start_period, created_seq) VALUES ($1, $2, $3, $4)",
                    &[&id, name, &pk(*start), &seq],
                )?;
            }
            Change::AccountAdded(account) => {
                tx.exec(
                    "INSERT INTO accounts (ledger_id, code, name, kind, opened, closed, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &id,
                        &account.code(),
                        &account.name(),
                        &serde_json::to_value(account.kind())?.as_str().unwrap_or_default(),
                        &account.opened().map(format_date),
                        &account.closed().map(format_date),
                        &seq,
                    ],
                )?;
            }
            Change::AccountRenamed { code, name } => {
                tx.exec(
                    "UPDATE accounts SET name = $3, seq = $4 WHERE ledger_id = $1 AND code = $2",
                    &[&id, code, name, &seq],
                )?;
            }
            Change::AccountClosed { code, date } => {
                tx.exec(
                    "UPDATE accounts SET closed = $3, seq = $4 WHERE ledger_id = $1 AND code = $2",
                    &[&id, code, &format_date(*date), &seq],
                )?;
            }
            Change::VoucherRecorded { voucher, status } => self.insert_voucher(tx, seq, voucher, *status)?,
            Change::VoucherPosted(reference) => {
                let changed = tx.exec(
                    "UPDATE vouchers SET status = 'posted', posted_seq = $4 \
                     WHERE ledger_id = $1 AND period = $2 AND number = $3 AND status = 'prepared'",
                    &[&id, &pk(reference.period), &i64::from(reference.number), &seq],
                )?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中凭证 {reference} 不是待记账状态")));
                }
                self.unposted.remove(reference);
            }
            Change::VoucherVoided(reference) => {
                let changed = tx.exec(
                    "UPDATE vouchers SET status = 'voided' \
                     WHERE ledger_id = $1 AND period = $2 AND number = $3 AND status = 'prepared'",
                    &[&id, &pk(reference.period), &i64::from(reference.number)],
                )?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中要作废的凭证 {reference} 不是待记账状态")));
                }
                self.unposted.remove(reference);
            }
            Change::VoucherRevised(voucher) => {
                let r = voucher.reference();
                let changed = tx.exec(
                    "UPDATE vouchers SET content_seq = $4, auth_number = $5, date = $6 \
                     WHERE ledger_id = $1 AND period = $2 AND number = $3 AND status = 'prepared'",
                    &[
                        &id,
                        &pk(r.period),
                        &i64::from(r.number),
                        &seq,
                        &voucher.authorization(),
                        &format_date(voucher.date()),
                    ],
                )?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 vouchers 中要修改的凭证 {r} 不是待记账状态")));
                }
                self.unposted.insert(r, voucher.lines().to_vec());
            }
            Change::MovedAhead { reference, moved } => {
                tx.exec(
                    "UPDATE vouchers SET moved = $4 \
                     WHERE ledger_id = $1 AND period = $2 AND number = $3 AND moved <> $4",
                    &[&id, &pk(reference.period), &i64::from(reference.number), moved],
                )?;
            }
            Change::Balance { account, period, debit, credit } => {
                let e = self.deltas.entry((account.to_string(), period.key())).or_default();
                e.0 += debit.fen();
                e.1 += credit.fen();
            }
            Change::FundTotal { fund, period, income, spending } => {
                let f = self.fund_deltas.entry((fund.to_string(), period.key())).or_default();
                f.0 += income.fen();
                f.1 += spending.fen();
            }
            Change::Turnover(amount) => self.turnover = self.turnover.saturating_add(amount.fen()),
            Change::StatementTotal(r) => self.add_statement_row(r),
            Change::DocumentsClaimed(voucher) => self.index_documents(tx, seq, voucher)?,
            Change::DocumentsReleased(reference) => {
                tx.exec(
                    "DELETE FROM documents WHERE ledger_id = $1 AND period = $2 AND voucher_number = $3",
                    &[&id, &pk(reference.period), &i64::from(reference.number)],
                )?;
            }
            Change::SignaturesCleared(r) => {
                tx.exec(
                    "UPDATE signatures SET withdrawn_seq = $4 \
                     WHERE ledger_id = $1 AND period = $2 AND number = $3 AND withdrawn_seq IS NULL",
                    &[&id, &pk(r.period), &i64::from(r.number), &seq],
                )?;
            }
            Change::PeriodClosed { period, reason, in_transit } => {
                tx.exec(
                    "INSERT INTO periods (ledger_id, period, reason, seq) VALUES ($1, $2, $3, $4)",
                    &[&id, &pk(*period), reason, &seq],
                )?;
                for t in in_transit.iter() {
                    tx.exec(
                        "INSERT INTO in_transit (ledger_id, period, account, voucher_period, voucher_number, seq) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[&id, &pk(*period), &t.account, &pk(t.voucher.period), &i64::from(t.voucher.number), &seq],
                    )?;
                }
            }
            Change::FileImported { file, sha256, encoding, rows, vouchers, history } => {
                tx.exec(
                    "INSERT INTO imports (ledger_id, seq, sha256, file, encoding, rows, vouchers, history, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[&id, &seq, sha256, file, encoding, &(*rows as i64), &(*vouchers as i64), history, &at],
                )?;
            }
            Change::PersonRegistered(name) => {
                tx.exec("INSERT INTO people (ledger_id, name, seq) VALUES ($1, $2, $3)", &[&id, name, &seq])?;
            }
            Change::PassphraseSet { person, hash, reset } => {
                tx.exec(
                    "UPDATE people SET passphrase = $3, seq = $4, reset = $5 WHERE ledger_id = $1 AND name = $2",
                    &[&id, person, hash, &seq, reset],
                )?;
            }
            Change::Appointed(a) => {
                tx.exec(
                    "INSERT INTO appointments (ledger_id, person, role, from_date, ended, leader, title, acting, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &id,
                        &a.person,
                        &role_str(a.role)?,
                        &format_date(a.from),
                        &a.ended.map(format_date),
                        &a.leader,
                        &a.title,
                        &a.acting,
                        &seq,
                    ],
                )?;
            }
            Change::AppointmentEnded { person, role, from, ended } => {
                let changed = tx.exec(
                    "UPDATE appointments SET ended = $5, seq = $6 \
                     WHERE ledger_id = $1 AND person = $2 AND role = $3 AND from_date = $4",
                    &[&id, person, &role_str(*role)?, &format_date(*from), &format_date(*ended), &seq],
                )?;
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
                tx.exec(
                    "INSERT INTO kinship (ledger_id, seq, kind, a, b) VALUES ($1, $2, $3, $4, $5)",
                    &[&id, &seq, &kind, a, b],
                )?;
            }
            Change::Signed { reference, signature: sg } => {
                tx.exec(
                    "INSERT INTO signatures (ledger_id, seq, period, number, kind, person, appointment_from, at, \
                     resolution) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &id,
                        &seq,
                        &pk(reference.period),
                        &i64::from(reference.number),
                        &sg.kind.as_str(),
                        &sg.person,
                        &format_date(sg.appointment_from),
                        &sg.at,
                        &sg.resolution,
                    ],
                )?;
            }
            Change::SignatureWithdrawn { reference, kind, person } => {
                let changed = tx.exec(
                    "UPDATE signatures SET withdrawn_seq = $6 WHERE ledger_id = $1 AND period = $2 AND number = $3 \
                     AND kind = $4 AND person = $5 AND withdrawn_seq IS NULL",
                    &[&id, &pk(reference.period), &i64::from(reference.number), &kind.as_str(), person, &seq],
                )?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 signatures 中凭证 {reference} 没有要撤回的签字")));
                }
            }
            Change::TemplateSaved(t) => {
                tx.exec(
                    "INSERT INTO templates (ledger_id, name, body, seq) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (ledger_id, name) DO UPDATE SET body = excluded.body, seq = excluded.seq",
                    &[&id, &t.name, &serde_json::to_string(t)?, &seq],
                )?;
            }
            Change::Opening { account, amount } => {
                if amount.is_zero() {
                    tx.exec("DELETE FROM openings WHERE ledger_id = $1 AND account = $2", &[&id, account])?;
                } else {
                    tx.exec(
                        "INSERT INTO openings (ledger_id, account, fen, seq) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (ledger_id, account) DO UPDATE SET fen = excluded.fen, seq = excluded.seq",
                        &[&id, account, &amount.fen(), &seq],
                    )?;
                }
            }
            Change::Household(h) => {
                tx.exec(
                    "INSERT INTO households (ledger_id, door, head, seq) VALUES ($1, $2, $3, $4)",
                    &[&id, &h.door, &h.head, &seq],
                )?;
            }
            Change::Collection(c) => {
                tx.exec(
                    "INSERT INTO collections (ledger_id, receipt, fund, household, payer, amount, date, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[&id, &c.receipt, &c.fund, &c.household, &c.payer, &c.amount.fen(), &format_date(c.date), &seq],
                )?;
            }
            Change::CalendarDay(day) => {
                tx.exec(
                    "INSERT INTO calendar_days (ledger_id, date, kind, name, seq) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (ledger_id, date) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
                     seq = excluded.seq",
                    &[&id, &format_date(day.date), &day.kind.as_str(), &day.name, &seq],
                )?;
            }
            Change::Setting { key, value } => {
                tx.exec(
                    "INSERT INTO settings (ledger_id, key, value, seq) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (ledger_id, key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
                    &[&id, &key.as_str(), value, &seq],
                )?;
            }
            Change::AuthorizationRecorded(a) => {
                tx.exec(
                    "INSERT INTO authorizations (ledger_id, number, kind, date, scope, cap, stand_aside, seq, decision) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &id,
                        &a.number,
                        &serde_json::to_value(a.kind)?.as_str().unwrap_or_default(),
                        &format_date(a.date),
                        &a.scope,
                        &a.cap.fen(),
                        &a.stand_aside.as_ref().map(serde_json::to_string).transpose()?,
                        &seq,
                        &a.decision.as_ref().map(serde_json::to_string).transpose()?,
                    ],
                )?;
            }
            Change::ReceiptBookRegistered(b) => {
                tx.exec(
                    "INSERT INTO receipt_books (ledger_id, book, first, last, date, holder, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[&id, &b.book, &i64::from(b.first), &i64::from(b.last), &format_date(b.date), &b.holder, &seq],
                )?;
            }
            Change::ReceiptBookPassed { book, holder } => {
                let changed = tx.exec(
                    "UPDATE receipt_books SET holder = $3, seq = $4 WHERE ledger_id = $1 AND book = $2",
                    &[&id, book, holder, &seq],
                )?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("passing receipt book {book}, which is not registered")));
                }
            }
            Change::Receipt { book, serial, state: ReceiptState::Issued { payer, amount, date } } => {
                tx.exec(
                    "INSERT INTO receipts (ledger_id, book, serial, state, payer, amount, date, seq) \
                     VALUES ($1, $2, $3, 'issued', $4, $5, $6, $7)",
                    &[&id, book, &i64::from(*serial), payer, &amount.fen(), &format_date(*date), &seq],
                )?;
            }
            Change::Receipt { book, serial, state: ReceiptState::Voided { reason } } => {
                tx.exec(
                    "INSERT INTO receipts (ledger_id, book, serial, state, reason, seq) \
                     VALUES ($1, $2, $3, 'voided', $4, $5) \
                     ON CONFLICT (ledger_id, book, serial) DO UPDATE SET state = 'voided', reason = excluded.reason, \
                     seq = excluded.seq",
                    &[&id, book, &i64::from(*serial), reason, &seq],
                )?;
            }
            Change::FundDeclared(fund) => {
                tx.exec(
                    "INSERT INTO funds (ledger_id, name, restricted, seq) VALUES ($1, $2, $3, $4)",
                    &[&id, &fund.name, &fund.restricted, &seq],
                )?;
            }
            Change::CashCounted(c) => {
                tx.exec(
                    "INSERT INTO cash_counts (ledger_id, seq, date, counted, book, pieces, counter) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &id,
                        &seq,
                        &format_date(c.date),
                        &c.counted.fen(),
                        &c.book.fen(),
                        &serde_json::to_string(&c.pieces)?,
                        &c.counter,
                    ],
                )?;
            }
            Change::StatementReach { account, through } => {
                tx.exec(
                    "INSERT INTO statement_reach (ledger_id, account, through, seq) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (ledger_id, account) DO UPDATE SET through = excluded.through, seq = excluded.seq \
                     WHERE excluded.through > statement_reach.through",
                    &[&id, account, &format_date(*through), &seq],
                )?;
            }
            Change::StatementLines { account, first_id, lines } => {
                for (i, l) in lines.iter().enumerate() {
                    tx.exec(
                        "INSERT INTO statement_lines (ledger_id, id, account, date, inflow, outflow, balance, \
                         reference, counterparty, summary, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        &[
                            &id,
                            &((*first_id + i as u64) as i64),
                            account,
                            &format_date(l.date),
                            &l.inflow.fen(),
                            &l.outflow.fen(),
                            &l.balance.fen(),
                            &l.reference,
                            &l.counterparty,
                            &l.summary,
                            &seq,
                        ],
                    )?;
                }
            }
            Change::BankMatched { line, voucher: v } => {
                tx.exec(
                    "INSERT INTO bank_matches (ledger_id, line_id, period, number, seq) VALUES ($1, $2, $3, $4, $5)",
                    &[&id, &(*line as i64), &pk(v.period), &i64::from(v.number), &seq],
                )?;
            }
            Change::BankUnmatched { line, voucher } => {
                let changed = tx.exec(
                    "DELETE FROM bank_matches WHERE ledger_id = $1 AND line_id = $2 AND period = $3 AND number = $4",
                    &[&id, &(*line as i64), &pk(voucher.period), &i64::from(voucher.number)],
                )?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 bank_matches 中对账单第 {line} 行并未勾对")));
                }
            }
            Change::PeriodReopened(period) => {
                tx.exec("DELETE FROM in_transit WHERE ledger_id = $1 AND period = $2", &[&id, &pk(*period)])?;
                let changed =
                    tx.exec("DELETE FROM periods WHERE ledger_id = $1 AND period = $2", &[&id, &pk(*period)])?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 periods 中 {period} 并未结账")));
                }
            }
            Change::DisclosureReviewed(r) => {
                tx.exec(
                    "INSERT INTO disclosure_reviews (ledger_id, seq, span, reviewer, opinion, date) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[&id, &seq, &r.span, &r.by, &r.opinion, &format_date(r.date)],
                )?;
            }
            Change::Published { period, date, fingerprint, by } => {
                tx.exec(
                    "INSERT INTO publications (ledger_id, seq, period, date, fingerprint, by_person, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[&id, &seq, &pk(*period), &format_date(*date), fingerprint, by, &at],
                )?;
            }
            Change::ScanAttached(scan) => {
                tx.exec(
                    "INSERT INTO voucher_scans (ledger_id, seq, period, number, sha256, media, size, file_name) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &id,
                        &seq,
                        &pk(scan.voucher.period),
                        &i64::from(scan.voucher.number),
                        &scan.sha256,
                        &scan.media.mime(),
                        &i64::try_from(scan.size).unwrap_or(i64::MAX),
                        &scan.file_name,
                    ],
                )?;
            }
            Change::AssetRegistered(a) => {
                tx.exec(
                    "INSERT INTO assets (ledger_id, id, name, quantity, value, location, custodian, period, number, \
                     acquired, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    &[
                        &id,
                        &i64::from(a.id),
                        &a.name,
                        &i64::from(a.quantity),
                        &a.value.fen(),
                        &a.location,
                        &a.custodian,
                        &pk(a.voucher.period),
                        &i64::from(a.voucher.number),
                        &format_date(a.acquired),
                        &seq,
                    ],
                )?;
            }
            Change::AssetDisposed { id: asset, date, reason } => {
                let changed = tx.exec(
                    "UPDATE assets SET disposed = $3, disposal_reason = $4, seq = $5 \
                     WHERE ledger_id = $1 AND id = $2 AND disposed IS NULL",
                    &[&id, &i64::from(*asset), &format_date(*date), reason, &seq],
                )?;
                if changed != 1 {
                    return Err(Error::Corrupt(format!("表 assets 中资产 {asset} 不在册")));
                }
            }
            Change::BudgetSet { year, account, amount } => {
                tx.exec(
                    "INSERT INTO budgets (ledger_id, year, account, amount, seq) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (ledger_id, year, account) DO UPDATE SET amount = excluded.amount, seq = excluded.seq",
                    &[&id, &i64::from(*year), account, &amount.fen(), &seq],
                )?;
            }
        }
        Ok(())
    }

    /// Indexes a voucher's documents under it (DOC-2). The core has checked
    /// that no live voucher holds them, so the last voucher citing a
    /// document holds it: the correction after a reversal takes it over.
    fn index_documents(&self, tx: &mut Tx<'_>, seq: i64, v: &Voucher) -> Result<(), Error> {
        let reference = v.reference();
        for d in v.documents() {
            if let Some((doc_type, issuer, number)) = doc_key(d) {
                tx.exec(
                    "INSERT INTO documents (ledger_id, doc_type, issuer, number, period, voucher_number, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ledger_id, doc_type, issuer, number) \
                     DO UPDATE SET period = excluded.period, voucher_number = excluded.voucher_number, seq = excluded.seq",
                    &[
                        &self.ledger_id,
                        &doc_type,
                        &issuer,
                        &number,
                        &pk(reference.period),
                        &i64::from(reference.number),
                        &seq,
                    ],
                )?;
            }
        }
        Ok(())
    }

    /// [LIM-1] what the vouchers recorded by this projector add to the
    /// ledger's turnover, not yet flushed.
    pub(crate) fn pending_turnover(&self) -> i64 {
        self.turnover
    }

    fn insert_voucher(&mut self, tx: &mut Tx<'_>, seq: i64, v: &Voucher, status: Status) -> Result<(), Error> {
        let reference = v.reference();
        tx.push_voucher(VoucherRow {
            ledger_id: self.ledger_id,
            period: pk(reference.period),
            number: i64::from(reference.number),
            date: format_date(v.date()),
            status: status.as_str(),
            origin: origin_str(v.origin()),
            reverses: v.reverses().map(|r| (pk(r.period), i64::from(r.number))),
            content_seq: seq,
            posted_seq: (status == Status::Posted).then_some(seq),
            auth_number: v.authorization().map(str::to_string),
        })?;
        if status == Status::Prepared {
            self.unposted.insert(reference, v.lines().to_vec());
        }
        Ok(())
    }

    fn add_statement_row(&mut self, r: &StatementRow) {
        let key = (r.period.key(), r.part.as_str(), r.account.clone(), r.fund.clone().unwrap_or_default());
        let e = self.statement_deltas.entry(key).or_default();
        e.0 += r.debit.fen();
        e.1 += r.credit.fen();
    }

    /// Writes the pending balance changes.
    pub(crate) fn flush(&mut self, tx: &mut Tx<'_>) -> Result<(), Error> {
        let id = self.ledger_id;
        let mut rows: Vec<_> = self.statement_deltas.drain().collect();
        rows.sort();
        for ((period, part, account, fund), (debit, credit)) in rows {
            tx.exec(
                "INSERT INTO statement_totals (ledger_id, period, part, account, fund, debit, credit) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (ledger_id, period, part, account, fund) \
                 DO UPDATE SET debit = statement_totals.debit + excluded.debit, \
                 credit = statement_totals.credit + excluded.credit",
                &[&id, &i64::from(period), &part, &account, &fund, &debit, &credit],
            )?;
        }
        let mut deltas: Vec<_> = self.deltas.drain().collect();
        deltas.sort();
        for ((account, period), (debit, credit)) in deltas {
            tx.exec(
                "INSERT INTO balances (ledger_id, account, period, debit, credit) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (ledger_id, account, period) DO UPDATE SET debit = balances.debit + excluded.debit, \
                 credit = balances.credit + excluded.credit",
                &[&id, &account, &i64::from(period), &debit, &credit],
            )?;
        }
        let mut funds: Vec<_> = self.fund_deltas.drain().collect();
        funds.sort();
        for ((fund, period), (income, spending)) in funds {
            tx.exec(
                "INSERT INTO fund_totals (ledger_id, fund, period, income, spending) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (ledger_id, fund, period) DO UPDATE SET income = fund_totals.income + excluded.income, \
                 spending = fund_totals.spending + excluded.spending",
                &[&id, &fund, &i64::from(period), &income, &spending],
            )?;
        }
        if self.turnover != 0 {
            tx.exec(
                "INSERT INTO turnover (ledger_id, fen) VALUES ($1, $2) \
                 ON CONFLICT (ledger_id) DO UPDATE SET fen = turnover.fen + excluded.fen",
                &[&id, &self.turnover],
            )?;
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
    match Event::from_json(payload)? {
        Event::VoucherPrepared { voucher }
        | Event::VoucherMigrated { voucher }
        | Event::VoucherRevised { voucher }
        | Event::ClosingVoucher { voucher } => Ok(voucher),
        other => Err(Error::Corrupt(format!("表 log 中凭证内容所指的一条是 {}，不是凭证", other.kind()))),
    }
}

/// Reads one voucher and its status through its content entry in the log.
pub(crate) fn load_voucher(tx: &mut Tx<'_>, ledger_id: i64, r: VoucherRef) -> Result<Option<(Voucher, Status)>, Error> {
    let Some(row) = tx.opt(
        "SELECT v.status, l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
         WHERE v.ledger_id = $1 AND v.period = $2 AND v.number = $3",
        &[&ledger_id, &pk(r.period), &i64::from(r.number)],
    )?
    else {
        return Ok(None);
    };
    let status: &str = get(&row, 0)?;
    let status = Status::from_str_opt(status)
        .ok_or_else(|| Error::Corrupt(format!("表 vouchers 中凭证 {r} 的状态 {status} 不认识")))?;
    let voucher = voucher_of(get(&row, 1)?)?;
    if voucher.reference() != r {
        return Err(Error::Corrupt(format!("表 vouchers 中凭证 {r} 指向的是凭证 {} 的内容", voucher.reference())));
    }
    Ok(Some((voucher, status)))
}

/// Sum of the posted balance of one account over all periods.
pub(crate) fn account_balance(tx: &mut Tx<'_>, ledger_id: i64, code: &str) -> Result<Money, Error> {
    let row = tx.one(
        "SELECT COALESCE(SUM(debit - credit), 0)::BIGINT FROM balances WHERE ledger_id = $1 AND account = $2",
        &[&ledger_id, &code],
    )?;
    crate::rows::checked_money(get(&row, 0)?, "balances")
}

/// The projection as the reducer reads it while the projector writes it:
/// a voucher's lines come from those prepared in this run, or its row.
struct Lookup<'a, 'c> {
    tx: &'a mut Tx<'c>,
    ledger_id: i64,
    unposted: &'a mut HashMap<VoucherRef, Vec<Line>>,
}

impl View for Lookup<'_, '_> {
    type Error = Error;
    fn voucher_lines(&mut self, reference: VoucherRef) -> Result<Option<Vec<Line>>, Error> {
        if let Some(lines) = self.unposted.remove(&reference) {
            return Ok(Some(lines));
        }
        Ok(load_voucher(self.tx, self.ledger_id, reference)?.map(|(v, _)| v.lines().to_vec()))
    }
}

impl From<Inconsistent> for Error {
    fn from(e: Inconsistent) -> Error {
        Error::Corrupt(e.0)
    }
}
