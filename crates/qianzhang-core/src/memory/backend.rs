//! [`MemoryBackend`]: the [`Backend`] trait over [`MemoryBooks`], every
//! ledger and its hash-chained log in memory.
//!
//! It keeps the same log the SQLite store keeps (the same fields hashed the
//! same way, so fingerprints agree) and answers every read from the books
//! and the log. A write runs on a copy of the ledger's books and keeps it
//! only when the command succeeds. Verifying is in `verify.rs`.

use time::Date;

use super::MemoryBooks;
use crate::approval::{spent, Settings};
use crate::audit::{self, Act, AuditVoucher, LogFact};
use crate::backend::{
    name_taken, AccountBudget, Actor, Anchor, AuthorizationUse, Backend, BackendError, CopyItem, CopySink,
    FundTotalRow, HistoryRow, LedgerHandle, LogEntry, LogHead, PeriodTotalRow, RawEntry, RawScan, ReceiptRow,
    RestoreCheck, VerifyReport,
};
use crate::books::{Books, Event, FirstAdmin, LedgerInfo};
use crate::cash::CashCount;
use crate::chain::{entry_hash, GENESIS};
use crate::disclosure::{Asset, Review, Voided};
use crate::funds::Fund;
use crate::lifecycle::Signature;
use crate::people::Registry;
use crate::period::{format_date, parse_date};
use crate::receipts::ReceiptBook;
use crate::rule::{Failure, Refusals};
use crate::voucher::{Origin, Status, Voucher, VoucherRef};
use crate::{Chart, Period};

/// Every ledger in memory, each with its books and its log.
#[derive(Clone, Debug, Default)]
pub struct MemoryBackend {
    ledgers: Vec<Ledger>,
}

#[derive(Clone, Debug)]
pub(super) struct Ledger {
    pub(super) handle: LedgerHandle,
    pub(super) books: MemoryBooks,
    pub(super) log: Vec<LogEntry>,
}

impl MemoryBackend {
    /// A backend holding no ledger.
    pub fn new() -> MemoryBackend {
        MemoryBackend::default()
    }

    /// The live books of a ledger, for tests that alter them behind the
    /// log's back (what `verify` must then find).
    pub fn books_mut(&mut self, ledger: &LedgerHandle) -> Option<&mut MemoryBooks> {
        self.ledgers.iter_mut().find(|l| l.handle.id == ledger.id).map(|l| &mut l.books)
    }

    /// The log of a ledger, for tests that tamper with it.
    pub fn log_mut(&mut self, ledger: &LedgerHandle) -> Option<&mut Vec<LogEntry>> {
        self.ledgers.iter_mut().find(|l| l.handle.id == ledger.id).map(|l| &mut l.log)
    }

    fn ledger(&self, ledger: &LedgerHandle) -> Result<&Ledger, BackendError> {
        self.ledgers
            .iter()
            .find(|l| l.handle.id == ledger.id)
            .ok_or_else(|| BackendError::Internal(format!("没有编号为 {} 的账套", ledger.id)))
    }

    fn ledger_mut(&mut self, ledger: &LedgerHandle) -> Result<&mut Ledger, BackendError> {
        self.ledgers
            .iter_mut()
            .find(|l| l.handle.id == ledger.id)
            .ok_or_else(|| BackendError::Internal(format!("没有编号为 {} 的账套", ledger.id)))
    }

    fn books(&self, ledger: &LedgerHandle) -> Result<&MemoryBooks, BackendError> {
        Ok(&self.ledger(ledger)?.books)
    }
}

impl Ledger {
    /// [AUD-1] the log's time never goes backwards; a read has no time.
    fn check_time(&self, actor: &Actor) -> Result<(), Failure> {
        match self.log.last() {
            Some(last) if !actor.at.is_empty() => Ok(audit::check_log_time(&last.at, &actor.at)?),
            _ => Ok(()),
        }
    }

    /// Logs the events `books` appended after the first `from`, and keeps
    /// the books.
    fn commit(&mut self, mut books: MemoryBooks, from: usize, actor: &Actor) -> Result<(), BackendError> {
        let mut log = Vec::with_capacity(books.events.len() - from);
        let mut prev = self.log.last().map_or(GENESIS, |e| e.hash);
        for (i, event) in books.events[from..].iter().enumerate() {
            let seq = (self.log.len() + i) as i64 + 1;
            let payload = payload(event)?;
            let hash = entry_hash(&prev, seq, &actor.at, &actor.name, event.kind(), &payload);
            if let Event::PeriodClosed { period, .. } = event {
                books.close_hashes.insert(*period, hash.to_string());
            }
            log.push(LogEntry { seq, at: actor.at.clone(), actor: actor.name.clone(), event: event.clone(), hash });
            prev = hash;
        }
        self.log.extend(log);
        self.books = books;
        Ok(())
    }

    fn head(&self) -> LogHead {
        self.log
            .last()
            .map_or(LogHead { seq: 0, fingerprint: GENESIS }, |e| LogHead { seq: e.seq, fingerprint: e.hash })
    }

    /// The vouchers of `from..=to`, in period and number order.
    fn vouchers_of(&self, from: Period, to: Period) -> Vec<&(Voucher, Status)> {
        let mut out: Vec<&(Voucher, Status)> =
            self.books.vouchers.values().filter(|(v, _)| (from..=to).contains(&v.period())).collect();
        out.sort_by_key(|(v, _)| v.reference());
        out
    }
}

/// An event as the log stores it: its JSON.
pub(super) fn payload(event: &Event) -> Result<String, BackendError> {
    serde_json::to_string(event).map_err(|e| BackendError::Internal(format!("事件无法写成 JSON：{e}")))
}

/// The day of a log entry's time.
fn day_of(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

impl Backend for MemoryBackend {
    type Books<'a> = MemoryBooks;

    fn ledgers(&self) -> Result<Vec<LedgerHandle>, BackendError> {
        Ok(self.ledgers.iter().map(|l| l.handle.clone()).collect())
    }

    fn create_ledger(
        &mut self,
        name: &str,
        start: Period,
        admin: &FirstAdmin,
        actor: &Actor,
    ) -> Result<LedgerHandle, Failure> {
        let existing: Vec<LedgerInfo> = self.ledgers.iter().map(|l| l.handle.info.clone()).collect();
        let events = crate::books::create_ledger(&existing, name, start, admin)?;
        let id = self.ledgers.iter().map(|l| l.handle.id).max().unwrap_or(0) + 1;
        let info = LedgerInfo { name: name.trim().to_string(), start };
        let mut books = MemoryBooks::new(info.clone());
        books.at = actor.at.clone();
        for e in events {
            books.append(e)?;
        }
        let handle = LedgerHandle { id, info };
        let mut ledger =
            Ledger { handle: handle.clone(), books: MemoryBooks::new(handle.info.clone()), log: Vec::new() };
        ledger.commit(books, 0, actor)?;
        self.ledgers.push(ledger);
        Ok(handle)
    }

    fn write<T>(
        &mut self,
        ledger: &LedgerHandle,
        actor: &Actor,
        command: impl FnOnce(&mut MemoryBooks) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let l = self.ledger_mut(ledger)?;
        // A command dated before the log's last entry is refused unlogged.
        l.check_time(actor)?;
        let mut books = l.books.clone();
        books.at = actor.at.clone();
        let from = books.events.len();
        let outcome = command(&mut books);
        match &outcome {
            Ok(_) => l.commit(books, from, actor)?,
            Err(Failure::Refused(reasons)) => self.log_refusal(ledger, actor, reasons)?,
            Err(Failure::Backend(_)) => {}
        }
        outcome
    }

    fn read<T>(
        &mut self,
        ledger: &LedgerHandle,
        query: impl FnOnce(&mut MemoryBooks) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let mut books = self.books(ledger)?.clone();
        query(&mut books)
    }

    fn log_refusal(&mut self, ledger: &LedgerHandle, actor: &Actor, reasons: &Refusals) -> Result<(), BackendError> {
        let l = self.ledger_mut(ledger)?;
        // An entry dated before the last cannot be logged (AUD-1).
        if l.check_time(actor).is_err() {
            return Ok(());
        }
        let mut books = l.books.clone();
        books.at = actor.at.clone();
        let from = books.events.len();
        books.record(Event::refused(&actor.command, reasons))?;
        l.commit(books, from, actor)
    }

    fn verify(&self, ledger: &LedgerHandle) -> Result<VerifyReport, BackendError> {
        super::verify::verify(self.ledger(ledger)?, None)
    }

    fn verify_against(&self, ledger: &LedgerHandle, anchor: Anchor) -> Result<VerifyReport, BackendError> {
        super::verify::verify(self.ledger(ledger)?, Some(anchor))
    }

    fn fingerprint(&self, ledger: &LedgerHandle) -> Result<LogHead, BackendError> {
        Ok(self.ledger(ledger)?.head())
    }

    fn fingerprint_at(&self, ledger: &LedgerHandle, date: Date) -> Result<Option<LogHead>, BackendError> {
        let day = format_date(date);
        let log = &self.ledger(ledger)?.log;
        Ok(log
            .iter()
            .rev()
            .find(|e| day_of(&e.at) <= day.as_str())
            .map(|e| LogHead { seq: e.seq, fingerprint: e.hash }))
    }

    fn close_fingerprint(&self, ledger: &LedgerHandle, period: Period) -> Result<Option<LogHead>, BackendError> {
        let log = &self.ledger(ledger)?.log;
        Ok(log
            .iter()
            .rev()
            .find(|e| matches!(&e.event, Event::PeriodClosed { period: p, .. } if *p == period))
            .map(|e| LogHead { seq: e.seq, fingerprint: e.hash }))
    }

    fn log_tail(&self, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, BackendError> {
        let log = &self.ledger(ledger)?.log;
        Ok(log[log.len().saturating_sub(limit)..].to_vec())
    }

    fn log_facts(&self, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, BackendError> {
        let mut out = Vec::new();
        for e in &self.ledger(ledger)?.log {
            let kind = e.event.kind();
            if !crate::event::AUDITED_KINDS.contains(&kind) || !kinds.contains(&kind) {
                continue;
            }
            let date = parse_date(day_of(&e.at))
                .map_err(|err| BackendError::corrupt(format!("日志第 {} 条的时间：{err}", e.seq)))?;
            out.push(LogFact { seq: e.seq, date, actor: e.actor.clone(), event: e.event.clone() });
        }
        Ok(out)
    }

    fn failed_sign_ins(&self, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, BackendError> {
        let mut failures = Vec::new();
        for f in self.log_facts(ledger, &["sign_in_failed", "passphrase_set"])? {
            match &f.event {
                Event::PassphraseSet { person, .. } if person == name => failures.clear(),
                Event::SignInFailed { claimed, .. } if claimed == name => failures.push((f.seq, f.event)),
                _ => {}
            }
        }
        if let Some((first, _)) = failures.first() {
            let log = &self.ledger(ledger)?.log;
            let acted = log.iter().filter(|e| e.seq > *first && e.actor == name).map(|e| e.seq).max();
            if let Some(acted) = acted {
                failures.retain(|(seq, _)| *seq > acted);
            }
        }
        Ok(failures.into_iter().map(|(_, e)| e).collect())
    }

    fn acts_of(&self, ledger: &LedgerHandle, person: &str, from: Date, to: Date) -> Result<Vec<Act>, BackendError> {
        let (from, to) = (format_date(from), format_date(to));
        let mut out = Vec::new();
        for e in &self.ledger(ledger)?.log {
            let event = &e.event;
            if !(from.as_str()..=to.as_str()).contains(&day_of(&e.at)) {
                continue;
            }
            // Someone else's act shows in the trail only when it reset this
            // person's passphrase.
            let description = match event {
                _ if e.actor == person => match event {
                    Event::Refused { reasons, .. } => format!(
                        "{}：{}",
                        event.describe(),
                        reasons.reasons.first().map(|x| x.message.as_str()).unwrap_or("")
                    ),
                    _ => event.describe(),
                },
                Event::PassphraseSet { person: p, reset: true, .. } if p == person => {
                    format!("{}：{}", e.actor, event.describe())
                }
                _ => continue,
            };
            let refused = match event {
                Event::Refused { rule, .. } => Some(*rule),
                _ => None,
            };
            out.push(Act { seq: e.seq, at: e.at.clone(), description, refused, hash: e.hash.to_hex() });
        }
        Ok(out)
    }

    fn chart(&self, ledger: &LedgerHandle) -> Result<Chart, BackendError> {
        Ok(self.books(ledger)?.chart.clone())
    }

    fn registry(&self, ledger: &LedgerHandle) -> Result<Registry, BackendError> {
        Ok(self.books(ledger)?.registry.clone())
    }

    fn settings(&self, ledger: &LedgerHandle) -> Result<Settings, BackendError> {
        Ok(self.books(ledger)?.settings.clone())
    }

    fn collection_register(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<(Vec<crate::collection::Household>, Vec<crate::collection::Collection>), BackendError> {
        let books = self.books(ledger)?;
        Ok((books.households.clone(), books.collections.clone()))
    }

    fn funds(&self, ledger: &LedgerHandle) -> Result<Vec<Fund>, BackendError> {
        Ok(self.books(ledger)?.funds.clone())
    }

    fn openings(&self, ledger: &LedgerHandle) -> Result<Vec<crate::opening::Opening>, BackendError> {
        Ok(self.books(ledger)?.opening_list())
    }

    fn assets(&self, ledger: &LedgerHandle) -> Result<Vec<Asset>, BackendError> {
        let mut assets = self.books(ledger)?.assets.clone();
        assets.sort_by_key(|a| a.id);
        Ok(assets)
    }

    fn reviews(&self, ledger: &LedgerHandle) -> Result<Vec<Review>, BackendError> {
        Ok(self.books(ledger)?.reviews.clone())
    }

    fn publications(&self, ledger: &LedgerHandle) -> Result<Vec<crate::publication::Publication>, BackendError> {
        Ok(self.books(ledger)?.publications.clone())
    }

    fn scans_of(&self, ledger: &LedgerHandle, voucher: VoucherRef) -> Result<Vec<crate::scan::ScanInfo>, BackendError> {
        Ok(self.books(ledger)?.attached_scans.iter().filter(|s| s.voucher == voucher).cloned().collect())
    }

    fn scan(
        &self,
        ledger: &LedgerHandle,
        sha256: &str,
    ) -> Result<Option<(crate::scan::MediaType, Vec<u8>)>, BackendError> {
        let books = self.books(ledger)?;
        if !books.attached_scans.iter().any(|s| s.sha256 == sha256) {
            return Ok(None);
        }
        Ok(books.scans.get(sha256).cloned())
    }

    fn budgets(&self, ledger: &LedgerHandle, year: i32) -> Result<Vec<AccountBudget>, BackendError> {
        let books = self.books(ledger)?;
        Ok(books
            .budgets
            .iter()
            .filter(|((y, _), _)| *y == year)
            .map(|((_, account), amount)| AccountBudget { account: account.clone(), amount: *amount })
            .collect())
    }

    fn is_closed(&self, ledger: &LedgerHandle, period: Period) -> Result<bool, BackendError> {
        Ok(self.books(ledger)?.closed.contains(&period))
    }

    fn period_totals(&self, ledger: &LedgerHandle) -> Result<Vec<PeriodTotalRow>, BackendError> {
        let books = self.books(ledger)?;
        Ok(books
            .period_totals
            .iter()
            .map(|((account, period), (debit, credit))| PeriodTotalRow {
                account: account.clone(),
                period: *period,
                debit: *debit,
                credit: *credit,
            })
            .collect())
    }

    fn statement_totals(&self, ledger: &LedgerHandle) -> Result<Vec<crate::statements::StatementRow>, BackendError> {
        Ok(crate::statements::rows_of(&self.books(ledger)?.statement_totals))
    }

    fn fund_totals(&self, ledger: &LedgerHandle) -> Result<Vec<FundTotalRow>, BackendError> {
        let books = self.books(ledger)?;
        Ok(books
            .fund_totals
            .iter()
            .map(|((fund, period), (income, spending))| FundTotalRow {
                fund: fund.clone(),
                period: *period,
                income: *income,
                spending: *spending,
            })
            .collect())
    }

    fn period_span(&self, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, BackendError> {
        let books = self.books(ledger)?;
        let periods = || books.vouchers.keys().map(|r| r.period);
        Ok(periods().min().zip(periods().max()))
    }

    fn receipts(&self, ledger: &LedgerHandle) -> Result<(Vec<ReceiptBook>, Vec<ReceiptRow>), BackendError> {
        let books = self.books(ledger)?;
        let mut receipt_books = books.receipt_books.clone();
        receipt_books.sort_by(|a, b| a.book.cmp(&b.book));
        let mut rows: Vec<ReceiptRow> = books
            .receipts
            .iter()
            .map(|((book, serial), state)| ReceiptRow { book: book.clone(), serial: *serial, state: state.clone() })
            .collect();
        rows.sort_by(|a, b| (&a.book, a.serial).cmp(&(&b.book, b.serial)));
        Ok((receipt_books, rows))
    }

    fn authorizations(&self, ledger: &LedgerHandle) -> Result<Vec<AuthorizationUse>, BackendError> {
        let books = self.books(ledger)?;
        let mut all: Vec<_> = books.authorizations.values().cloned().collect();
        all.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
        Ok(all
            .into_iter()
            .map(|a| {
                let mut citing: Vec<(Voucher, Status)> = books
                    .vouchers
                    .values()
                    .filter(|(v, _)| v.authorization() == Some(a.number.as_str()))
                    .cloned()
                    .collect();
                citing.sort_by_key(|(v, _)| v.reference());
                let used = spent(&books.chart, &citing, None);
                AuthorizationUse { authorization: a, used }
            })
            .collect())
    }

    fn signatures(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        Ok(self.books(ledger)?.signed.get(&reference).cloned().unwrap_or_default())
    }

    fn signatures_in(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<(VoucherRef, Vec<Signature>)>, BackendError> {
        let mut out: Vec<(VoucherRef, Vec<Signature>)> = self
            .books(ledger)?
            .signed
            .iter()
            .filter(|(r, s)| r.period >= from && r.period <= to && !s.is_empty())
            .map(|(r, s)| (*r, s.clone()))
            .collect();
        out.sort_by_key(|(r, _)| *r);
        Ok(out)
    }

    fn voucher(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        Ok(self.books(ledger)?.vouchers.get(&reference).cloned())
    }

    fn each_voucher(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
        mut f: impl FnMut(Voucher, Status) -> Result<(), BackendError>,
    ) -> Result<(), BackendError> {
        for (v, s) in self.ledger(ledger)?.vouchers_of(from, to) {
            f(v.clone(), *s)?;
        }
        Ok(())
    }

    fn audit_vouchers(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<AuditVoucher>, BackendError> {
        let l = self.ledger(ledger)?;
        // History lies before go-live and nothing else does (VCH-3).
        let first = Period::of(from).max(l.handle.info.start);
        let mut out = Vec::new();
        for (voucher, status) in l.vouchers_of(first, Period::of(to)) {
            if voucher.origin() == Origin::History || voucher.date() < from || voucher.date() > to {
                continue;
            }
            let reference = voucher.reference();
            let entered_seq = l.books.written.get(&reference).copied().unwrap_or(0);
            let at = l.log.get((entered_seq - 1).max(0) as usize).map_or("", |e| e.at.as_str());
            out.push(AuditVoucher {
                voucher: voucher.clone(),
                status: *status,
                signatures: l.books.signed.get(&reference).cloned().unwrap_or_default(),
                entered: parse_date(day_of(at)).unwrap_or(voucher.date()),
                entered_seq,
            });
        }
        Ok(out)
    }

    fn history_summary(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<HistoryRow>, BackendError> {
        let l = self.ledger(ledger)?;
        let to = to.min(l.handle.info.start.prev());
        let mut out: Vec<HistoryRow> = Vec::new();
        for (v, _) in l.vouchers_of(from, to) {
            if v.origin() != Origin::History {
                continue;
            }
            match out.last_mut() {
                Some(row) if row.period == v.period() => row.vouchers += 1,
                _ => {
                    let debit = l.books.period_totals.iter().filter(|((_, p), _)| *p == v.period()).map(|(_, t)| t.0);
                    out.push(HistoryRow { period: v.period(), vouchers: 1, debit: debit.sum() });
                }
            }
        }
        Ok(out)
    }

    fn voided(&self, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<Voided>, BackendError> {
        let l = self.ledger(ledger)?;
        let vouchers: Vec<&Voucher> =
            l.vouchers_of(from, to).into_iter().filter(|(_, s)| *s == Status::Voided).map(|(v, _)| v).collect();
        let mut out = Vec::new();
        for e in &l.log {
            let Event::VoucherVoided { reference, reason } = &e.event else { continue };
            let Some(v) = vouchers.iter().find(|v| v.reference() == *reference) else { continue };
            let voided_on = parse_date(day_of(&e.at))
                .map_err(|err| BackendError::corrupt(format!("日志第 {} 条：{err}", e.seq)))?;
            out.push(Voided {
                voucher: *reference,
                date: v.date(),
                summary: v.lines().first().map(|l| l.summary.clone()).unwrap_or_default(),
                amount: v.total_debit(),
                reason: reason.clone(),
                by: e.actor.clone(),
                voided_on,
            });
        }
        out.sort_by_key(|x| x.voucher);
        Ok(out)
    }

    fn cash_counts(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<CashCount>, BackendError> {
        let books = self.books(ledger)?;
        Ok(books.counts.iter().filter(|c| (from..=to).contains(&c.date)).cloned().collect())
    }

    fn each_raw_entry<E: From<BackendError>>(
        &self,
        ledger: &LedgerHandle,
        mut f: impl FnMut(CopyItem) -> Result<(), E>,
    ) -> Result<(), E> {
        let l = self.ledger(ledger)?;
        let mut sent = std::collections::BTreeSet::new();
        for info in &l.books.attached_scans {
            if !sent.insert(info.sha256.as_str()) {
                continue;
            }
            // A scan missing from the books is left out: the target refuses
            // the entry attaching it, as verify would find it missing.
            if let Some((media, bytes)) = l.books.scans.get(&info.sha256) {
                f(CopyItem::Scan(RawScan { sha256: info.sha256.clone(), media: *media, bytes: bytes.clone() }))?;
            }
        }
        for e in &l.log {
            // The memory log keeps events; their JSON is what it hashes.
            let entry = RawEntry {
                seq: e.seq,
                at: e.at.clone(),
                actor: e.actor.clone(),
                kind: e.event.kind().to_string(),
                payload: payload(&e.event)?,
                hash: e.hash,
            };
            f(CopyItem::Entry(entry))?;
        }
        Ok(())
    }

    /// Builds the ledger aside and adds it only when the whole feed checked.
    /// The memory log keeps events, not their text: an entry whose payload
    /// is not the JSON this program writes for its event cannot be held
    /// here, and is refused as an internal limit (a real backend keeps the
    /// text).
    fn restore_ledger(
        &mut self,
        feed: impl FnOnce(&mut CopySink<'_>) -> Result<(), Failure>,
    ) -> Result<LedgerHandle, Failure> {
        let id = self.ledgers.iter().map(|l| l.handle.id).max().unwrap_or(0) + 1;
        let taken: Vec<String> = self.ledgers.iter().map(|l| l.handle.info.name.clone()).collect();
        let mut check = RestoreCheck::new();
        let mut scans = std::collections::BTreeMap::new();
        let mut ledger: Option<Ledger> = None;
        feed(&mut |item| {
            match item {
                CopyItem::Scan(scan) => {
                    check.scan(&scan)?;
                    scans.insert(scan.sha256, (scan.media, scan.bytes));
                }
                CopyItem::Entry(entry) => {
                    let event = check.entry(&entry)?;
                    if payload(&event)? != entry.payload {
                        return Err(BackendError::Internal(format!(
                            "日志第 {} 条的文本与本程序写出的不同，内存账簿无法原样保存",
                            entry.seq
                        ))
                        .into());
                    }
                    let l = match &mut ledger {
                        Some(l) => l,
                        None => {
                            let info = check
                                .ledger()
                                .cloned()
                                .ok_or_else(|| BackendError::Internal("复制的第一条日志没有给出账套".into()))?;
                            if taken.contains(&info.name) {
                                return Err(name_taken(&info.name));
                            }
                            let handle = LedgerHandle { id, info: info.clone() };
                            ledger.insert(Ledger { handle, books: MemoryBooks::new(info), log: Vec::new() })
                        }
                    };
                    if let Event::ScanAttached { scan } = &event {
                        if let Some((media, bytes)) = scans.get(&scan.sha256) {
                            l.books.put_scan(&scan.sha256, *media, bytes)?;
                        }
                    }
                    l.books.at.clone_from(&entry.at);
                    l.books.record(event.clone())?;
                    if let Event::PeriodClosed { period, .. } = &event {
                        l.books.close_hashes.insert(*period, entry.hash.to_string());
                    }
                    l.log.push(LogEntry { seq: entry.seq, at: entry.at, actor: entry.actor, event, hash: entry.hash });
                }
            }
            Ok(())
        })?;
        check.finish()?;
        let ledger = ledger.ok_or_else(|| BackendError::Internal("复制的账套没有日志".into()))?;
        let handle = ledger.handle.clone();
        self.ledgers.push(ledger);
        Ok(handle)
    }
}
