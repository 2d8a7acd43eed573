//! [`MemoryBooks`]: the smallest backend, every fact in memory.
//!
//! It is what a new backend must provide, and the books every core test
//! runs on. Compiled for tests and with the `testing` feature.
//! [`MemoryBackend`] holds any number of them, each with its hash-chained
//! log, as a [`crate::backend::Backend`].

mod backend;
#[cfg(test)]
mod tests;
mod verify;

pub use backend::MemoryBackend;

use std::collections::{BTreeMap, HashMap, HashSet};

use time::Date;

use crate::account::Chart;
use crate::approval::{Authorization, Settings};
use crate::backend::BackendError;
use crate::bank::{InTransit, StoredLine};
use crate::books::{Books, LedgerInfo};
use crate::cash::CashCount;
use crate::disclosure::{Asset, Review};
use crate::documents::doc_key;
use crate::event::Event;
use crate::lifecycle::Signature;
use crate::money::Money;
use crate::people::Registry;
use crate::period::Period;
use crate::projection::{counts_as_moved, reduce, Change, View};
use crate::receipts::{ReceiptBook, ReceiptState};
use crate::rule::Failure;
use crate::voucher::{Document, Line, Status, Voucher, VoucherRef};

/// The smallest `Books`: what a new backend must provide, in memory.
/// Its fields are public so tests can set up and inspect the books.
#[derive(Clone, Debug)]
pub struct MemoryBooks {
    pub info: LedgerInfo,
    pub chart: Chart,
    pub closed: Vec<Period>,
    pub vouchers: HashMap<VoucherRef, (Voucher, Status)>,
    /// Each file imported (its SHA-256) with when it was imported.
    pub imported: Vec<(String, String)>,
    pub events: Vec<Event>,
    pub registry: Registry,
    pub signed: HashMap<VoucherRef, Vec<Signature>>,
    pub settings: Settings,
    pub templates: std::collections::BTreeMap<String, crate::template::Template>,
    /// [OPN-1] opening balances by account, debit-positive.
    pub openings: BTreeMap<String, Money>,
    pub households: Vec<crate::collection::Household>,
    pub collections: Vec<crate::collection::Collection>,
    pub authorizations: HashMap<String, Authorization>,
    pub receipt_books: Vec<ReceiptBook>,
    pub receipts: HashMap<(String, u32), ReceiptState>,
    /// Cash and bank each held before any voucher, so tests can pay.
    pub opening_cash: Money,
    pub funds: Vec<crate::funds::Fund>,
    pub counts: Vec<CashCount>,
    pub statement: Vec<StoredLine>,
    pub statement_through: Vec<(String, Date)>,
    pub assets: Vec<Asset>,
    pub in_transit: HashMap<Period, Vec<InTransit>>,
    /// [CSH-1] prepared vouchers whose money moved ahead of posting.
    pub moved: HashSet<VoucherRef>,
    /// Posted totals per account and period, debit-positive.
    pub balances: HashMap<(String, Period), Money>,
    /// What each special fund holds (FND-1).
    pub fund_held: HashMap<String, Money>,
    /// [LIM-1] the absolute amounts recorded.
    pub turnover: Money,
    /// Posted debit and credit totals per account and period.
    pub period_totals: BTreeMap<(String, Period), (Money, Money)>,
    /// Money into and out of each special fund per period (FND-1).
    pub fund_totals: BTreeMap<(String, Period), (Money, Money)>,
    /// [STM-1] statement rows per period, part, account and fund.
    pub statement_totals: BTreeMap<crate::statements::RowKey, (Money, Money)>,
    /// Disclosure review opinions, in order.
    pub reviews: Vec<Review>,
    /// [PUB-1] publications of monthly disclosures, in order.
    pub publications: Vec<crate::publication::Publication>,
    /// [AUD-3] each period's latest close fingerprint: the log hash when a
    /// `MemoryBackend` keeps the books, a stand-in in bare books.
    pub close_hashes: HashMap<Period, String>,
    /// [DOC-1] the scans attached, in order.
    pub attached_scans: Vec<crate::scan::ScanInfo>,
    /// [DOC-1] scan bytes by SHA-256, kept once.
    pub scans: BTreeMap<String, (crate::scan::MediaType, Vec<u8>)>,
    /// Budgets per year and account.
    pub budgets: BTreeMap<(i32, String), Money>,
    /// The number (from 1, in `events`) of the event that last wrote each
    /// voucher's content.
    pub written: HashMap<VoucherRef, i64>,
    /// When the events now appended are made (RFC 3339), as a backend's
    /// log stamps them; empty for books used without one.
    pub at: String,
}

impl MemoryBooks {
    /// Empty books for `info`: no accounts, no people, nothing recorded.
    /// Feed it the events of `ledger::create_ledger` to start as a new
    /// ledger does.
    pub fn new(info: LedgerInfo) -> MemoryBooks {
        MemoryBooks {
            info,
            chart: Chart::default(),
            closed: Vec::new(),
            vouchers: HashMap::new(),
            imported: Vec::new(),
            events: Vec::new(),
            registry: Registry::default(),
            signed: HashMap::new(),
            settings: Settings::default(),
            templates: Default::default(),
            openings: BTreeMap::new(),
            households: Vec::new(),
            collections: Vec::new(),
            authorizations: HashMap::new(),
            receipt_books: Vec::new(),
            receipts: HashMap::new(),
            opening_cash: Money::ZERO,
            funds: Vec::new(),
            counts: Vec::new(),
            statement: Vec::new(),
            statement_through: Vec::new(),
            assets: Vec::new(),
            in_transit: HashMap::new(),
            moved: HashSet::new(),
            balances: HashMap::new(),
            fund_held: HashMap::new(),
            turnover: Money::ZERO,
            period_totals: BTreeMap::new(),
            fund_totals: BTreeMap::new(),
            statement_totals: BTreeMap::new(),
            reviews: Vec::new(),
            publications: Vec::new(),
            close_hashes: HashMap::new(),
            attached_scans: Vec::new(),
            scans: BTreeMap::new(),
            budgets: BTreeMap::new(),
            written: HashMap::new(),
            at: String::new(),
        }
    }

    /// Records an event without the text check `append` makes first: what
    /// a backend does with a refusal it logs and with a log it replays.
    pub(crate) fn record(&mut self, event: Event) -> Result<(), BackendError> {
        if let Event::PeriodClosed { period, .. } = &event {
            // Bare books have no log: the close's number stands in for its
            // hash; a `MemoryBackend` replaces it with the entry's hash.
            self.close_hashes.insert(*period, format!("{:064x}", self.events.len() + 1));
        }
        for change in reduce(&event, self)? {
            self.apply(change);
        }
        self.events.push(event);
        Ok(())
    }
}

impl Books for MemoryBooks {
    fn ledger(&self) -> &LedgerInfo {
        &self.info
    }
    fn chart(&self) -> &Chart {
        &self.chart
    }
    fn registry(&self) -> &Registry {
        &self.registry
    }
    fn period_closed(&mut self, period: Period) -> Result<bool, BackendError> {
        Ok(self.closed.contains(&period))
    }
    fn next_number(&mut self, period: Period) -> Result<u32, BackendError> {
        Ok(1 + self.vouchers.keys().filter(|r| r.period == period).count() as u32)
    }
    fn voucher(&mut self, r: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        Ok(self.vouchers.get(&r).cloned())
    }
    fn reversed_by(&mut self, r: VoucherRef) -> Result<Option<VoucherRef>, BackendError> {
        Ok(self.vouchers.values().find(|(v, _)| v.reverses() == Some(r)).map(|(v, _)| v.reference()))
    }
    fn settings(&self) -> &Settings {
        &self.settings
    }
    fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, BackendError> {
        Ok(self.authorizations.get(number).cloned())
    }
    fn authorizations(&mut self) -> Result<Vec<Authorization>, BackendError> {
        let mut all: Vec<Authorization> = self.authorizations.values().cloned().collect();
        all.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
        Ok(all)
    }
    fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, BackendError> {
        let mut books = self.receipt_books.clone();
        books.sort_by(|a, b| a.book.cmp(&b.book));
        Ok(books)
    }
    fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, BackendError> {
        Ok(self.receipts.keys().filter(|(b, _)| b == book).map(|(_, s)| *s).max())
    }
    fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, BackendError> {
        Ok(self.receipts.get(&(book.to_string(), serial)).cloned())
    }
    fn document_used(&mut self, d: &Document) -> Result<Option<VoucherRef>, BackendError> {
        let key = doc_key(d);
        Ok(key.and_then(|k| {
            self.vouchers
                .values()
                .filter(|(v, s)| *s != Status::Voided && v.documents().iter().any(|x| doc_key(x).as_ref() == Some(&k)))
                .map(|(v, _)| v.reference())
                .max()
        }))
    }
    fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, BackendError> {
        Ok(self.vouchers.values().filter(|(v, _)| v.authorization() == Some(number)).cloned().collect())
    }
    fn signatures(&mut self, r: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        Ok(self.signed.get(&r).cloned().unwrap_or_default())
    }
    fn movements_from(
        &mut self,
        prefix: &str,
        date: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<(Date, Money)>), BackendError> {
        let mut before = self.opening_cash + self.opening_under(prefix, Period::of(date));
        let mut later = Vec::new();
        for (v, s) in self.vouchers.values() {
            if !counts_as_moved(*s, self.moved.contains(&v.reference()), confirmed) {
                continue;
            }
            let net: Money = v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(Line::signed).sum();
            if v.date() < date {
                before += net;
            } else if !net.is_zero() {
                later.push((v.date(), net));
            }
        }
        Ok((before, later))
    }
    fn households(&mut self) -> Result<Vec<crate::collection::Household>, BackendError> {
        Ok(self.households.clone())
    }
    fn collections(&mut self) -> Result<Vec<crate::collection::Collection>, BackendError> {
        Ok(self.collections.clone())
    }
    fn template(&mut self, name: &str) -> Result<Option<crate::template::Template>, BackendError> {
        Ok(self.templates.get(name).cloned())
    }
    fn templates(&mut self) -> Result<Vec<crate::template::Template>, BackendError> {
        Ok(self.templates.values().cloned().collect())
    }
    fn openings(&mut self) -> Result<Vec<crate::opening::Opening>, BackendError> {
        Ok(self.opening_list())
    }
    fn ever_closed(&mut self) -> Result<bool, BackendError> {
        let start = self.info.start;
        Ok(self.closed.iter().any(|p| *p >= start)
            || self.events.iter().any(|e| matches!(e, Event::PeriodClosed { period, .. } if *period >= start)))
    }
    fn funds(&mut self) -> Result<Vec<crate::funds::Fund>, BackendError> {
        Ok(self.funds.clone())
    }
    fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, BackendError> {
        Ok(self.counts.iter().filter(|c| Period::of(c.date) == period).cloned().collect())
    }
    fn vouchers_touching(
        &mut self,
        prefix: &str,
        from: Date,
        to: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<Voucher>), BackendError> {
        let cash = prefix.starts_with("1001") || prefix.starts_with("1002");
        let mut before = if cash { self.opening_cash } else { Money::ZERO };
        before += self.opening_under(prefix, Period::of(from));
        let mut out = Vec::new();
        for (v, s) in self.vouchers.values() {
            if !counts_as_moved(*s, self.moved.contains(&v.reference()), confirmed) {
                continue;
            }
            let on: Vec<&Line> = v.lines().iter().filter(|l| l.account.starts_with(prefix)).collect();
            if on.is_empty() {
                continue;
            }
            if v.date() < from {
                before += on.iter().map(|l| l.signed()).sum();
            } else if v.date() <= to {
                out.push(v.clone());
            }
        }
        out.sort_by_key(|v| v.reference());
        Ok((before, out))
    }
    fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, BackendError> {
        let mut out: Vec<VoucherRef> = self
            .vouchers
            .values()
            .filter(|(v, s)| *s == Status::Prepared && v.period() == period)
            .map(|(v, _)| v.reference())
            .collect();
        out.sort();
        Ok(out)
    }
    fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, BackendError> {
        let (before, _) = self.vouchers_touching(prefix, period.next().first_day(), period.first_day(), false)?;
        Ok(before)
    }
    fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, BackendError> {
        Ok(self.statement.iter().filter(|l| l.account == account).cloned().collect())
    }
    fn next_statement_line(&mut self) -> Result<u64, BackendError> {
        Ok(self.statement.len() as u64 + 1)
    }
    fn statement_through(&mut self, account: &str) -> Result<Option<Date>, BackendError> {
        let lines = self.statement.iter().filter(|l| l.account == account).map(|l| l.line.date);
        let given = self.statement_through.iter().filter(|(a, _)| a == account).map(|(_, d)| *d);
        Ok(lines.chain(given).max())
    }
    fn assets(&mut self) -> Result<Vec<Asset>, BackendError> {
        Ok(self.assets.clone())
    }
    fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, BackendError> {
        let last = self.closed.iter().filter(|p| **p < period).max().copied();
        Ok(last.map(|p| (p, self.in_transit.get(&p).cloned().unwrap_or_default())))
    }
    fn fund_balance(&mut self, fund: &str) -> Result<Money, BackendError> {
        Ok(self.fund_held.get(fund).copied().unwrap_or_default())
    }
    fn balance(&mut self, code: &str) -> Result<Money, BackendError> {
        Ok(self.balances.iter().filter(|((a, _), _)| a == code).map(|(_, m)| *m).sum())
    }
    fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, BackendError> {
        let first = self.imported.iter().find(|(s, _)| s == sha256);
        Ok(first.map(|(_, at)| if at.is_empty() { "之前".to_string() } else { at.clone() }))
    }
    fn turnover(&mut self) -> Result<Money, BackendError> {
        Ok(self.turnover)
    }
    fn reviews(&mut self) -> Result<Vec<Review>, BackendError> {
        Ok(self.reviews.clone())
    }
    fn publications(&mut self) -> Result<Vec<crate::publication::Publication>, BackendError> {
        Ok(self.publications.clone())
    }
    fn close_fingerprint(&mut self, period: Period) -> Result<Option<String>, BackendError> {
        Ok(self.close_hashes.get(&period).cloned())
    }
    fn scans_of(&mut self, reference: VoucherRef) -> Result<Vec<crate::scan::ScanInfo>, BackendError> {
        Ok(self.attached_scans.iter().filter(|s| s.voucher == reference).cloned().collect())
    }
    fn put_scan(&mut self, sha256: &str, media: crate::scan::MediaType, bytes: &[u8]) -> Result<(), BackendError> {
        self.scans.entry(sha256.to_string()).or_insert_with(|| (media, bytes.to_vec()));
        Ok(())
    }
    fn append(&mut self, event: Event) -> Result<(), Failure> {
        crate::text::check_event(&event)?;
        Ok(self.record(event)?)
    }
}

impl MemoryBooks {
    /// [OPN-1] the opening balances, by account code.
    pub fn opening_list(&self) -> Vec<crate::opening::Opening> {
        self.openings.iter().map(|(a, m)| crate::opening::Opening { account: a.clone(), amount: *m }).collect()
    }

    /// [OPN-1] the openings of the accounts under `prefix`, counted before
    /// the days of `period` when it is the go-live month or later (they are
    /// the totals of the month before go-live).
    fn opening_under(&self, prefix: &str, period: Period) -> Money {
        if period < self.info.start {
            return Money::ZERO;
        }
        self.openings.iter().filter(|(a, _)| a.starts_with(prefix)).map(|(_, m)| *m).sum()
    }
}

impl View for MemoryBooks {
    type Error = BackendError;
    fn voucher_lines(&mut self, reference: VoucherRef) -> Result<Option<Vec<Line>>, BackendError> {
        Ok(self.vouchers.get(&reference).map(|(v, _)| v.lines().to_vec()))
    }
}

impl MemoryBooks {
    /// Applies one change of the projection.
    fn apply(&mut self, change: Change<'_>) {
        self.chart.apply(&change);
        self.registry.apply(&change);
        let status = |books: &mut MemoryBooks, r: VoucherRef, status: Status| {
            if let Some(e) = books.vouchers.get_mut(&r) {
                e.1 = status;
            }
        };
        // The event being applied is the next in `events`.
        let seq = self.events.len() as i64 + 1;
        match change {
            Change::VoucherRecorded { voucher, status } => {
                self.vouchers.insert(voucher.reference(), (voucher.clone(), status));
                self.written.insert(voucher.reference(), seq);
            }
            Change::VoucherRevised(voucher) => {
                self.vouchers.insert(voucher.reference(), (voucher.clone(), Status::Prepared));
                self.written.insert(voucher.reference(), seq);
            }
            Change::VoucherPosted(r) => status(self, r, Status::Posted),
            Change::VoucherVoided(r) => status(self, r, Status::Voided),
            Change::MovedAhead { reference, moved: true } => {
                self.moved.insert(reference);
            }
            Change::MovedAhead { reference, moved: false } => {
                self.moved.remove(&reference);
            }
            Change::Balance { account, period, debit, credit } => {
                let key = (account.into_owned(), period);
                *self.balances.entry(key.clone()).or_default() += debit - credit;
                let total = self.period_totals.entry(key).or_default();
                total.0 += debit;
                total.1 += credit;
            }
            Change::FundTotal { fund, period, income, spending } => {
                let fund = fund.into_owned();
                *self.fund_held.entry(fund.clone()).or_default() += income - spending;
                let total = self.fund_totals.entry((fund, period)).or_default();
                total.0 += income;
                total.1 += spending;
            }
            Change::Turnover(m) => self.turnover += m,
            Change::StatementTotal(r) => {
                let total = self.statement_totals.entry(r.key()).or_default();
                total.0 += r.debit;
                total.1 += r.credit;
            }
            // The documents a voucher holds are read from the vouchers.
            Change::DocumentsClaimed(_) | Change::DocumentsReleased(_) => {}
            Change::Signed { reference, signature } => {
                self.signed.entry(reference).or_default().push(signature.clone())
            }
            Change::SignatureWithdrawn { reference, kind, .. } => {
                self.signed.entry(reference).or_default().retain(|s| s.kind != kind)
            }
            Change::SignaturesCleared(r) => {
                self.signed.remove(&r);
            }
            Change::PeriodClosed { period, in_transit, .. } => {
                self.closed.push(period);
                self.in_transit.insert(period, in_transit.to_vec());
            }
            Change::PeriodReopened(period) => self.closed.retain(|p| *p != period),
            Change::FileImported { sha256, .. } => self.imported.push((sha256.to_string(), self.at.clone())),
            Change::Setting { key, value } => self.settings.set(key, value),
            Change::CalendarDay(day) => self.settings.calendar.mark(day),
            Change::Household(h) => self.households.push(h.clone()),
            Change::Collection(c) => self.collections.push(c.clone()),
            Change::TemplateSaved(t) => {
                self.templates.insert(t.name.clone(), t.clone());
            }
            Change::Opening { account, amount } => {
                if amount.is_zero() {
                    self.openings.remove(account);
                } else {
                    self.openings.insert(account.to_string(), amount);
                }
            }
            Change::AuthorizationRecorded(a) => {
                self.authorizations.insert(a.number.clone(), a.clone());
            }
            Change::ReceiptBookRegistered(book) => self.receipt_books.push(book.clone()),
            Change::ReceiptBookPassed { book, holder } => {
                if let Some(b) = self.receipt_books.iter_mut().find(|b| b.book == book) {
                    b.holder = holder.to_string();
                }
            }
            Change::Receipt { book, serial, state } => {
                self.receipts.insert((book.to_string(), serial), state);
            }
            Change::FundDeclared(fund) => self.funds.push(fund.clone()),
            Change::CashCounted(count) => self.counts.push(count.clone()),
            Change::StatementReach { account, through } => self.statement_through.push((account.to_string(), through)),
            Change::StatementLines { account, first_id, lines } => {
                for (i, line) in lines.iter().enumerate() {
                    self.statement.push(StoredLine {
                        id: first_id + i as u64,
                        account: account.to_string(),
                        line: line.clone(),
                        matched: None,
                    });
                }
            }
            Change::BankMatched { line, voucher } => {
                if let Some(l) = self.statement.iter_mut().find(|l| l.id == line) {
                    l.matched = Some(voucher);
                }
            }
            Change::BankUnmatched { line, .. } => {
                if let Some(l) = self.statement.iter_mut().find(|l| l.id == line) {
                    l.matched = None;
                }
            }
            Change::AssetRegistered(asset) => self.assets.push(asset.clone()),
            Change::DisclosureReviewed(review) => self.reviews.push(review.clone()),
            Change::Published { period, date, fingerprint, by } => {
                self.publications.push(crate::publication::Publication {
                    period,
                    date,
                    fingerprint: fingerprint.to_string(),
                    by: by.to_string(),
                    at: self.at.clone(),
                })
            }
            Change::ScanAttached(scan) => self.attached_scans.push(scan.clone()),
            Change::BudgetSet { year, account, amount } => {
                self.budgets.insert((year, account.to_string()), amount);
            }
            Change::AssetDisposed { id, date, reason } => {
                if let Some(a) = self.assets.iter_mut().find(|a| a.id == id) {
                    a.disposed = Some(date);
                    a.disposal_reason = Some(reason.to_string());
                }
            }
            // The chart and the registry follow these above; the rest is
            // not read back through `Books`.
            Change::LedgerCreated { .. }
            | Change::AccountAdded(_)
            | Change::AccountRenamed { .. }
            | Change::AccountClosed { .. }
            | Change::PersonRegistered(_)
            | Change::PassphraseSet { .. }
            | Change::Appointed(_)
            | Change::AppointmentEnded { .. }
            | Change::KinshipRecorded(_) => {}
        }
    }
}
