//! The books as the rules see them: the [`Books`] trait every backend
//! implements, and the ledger it serves.
//!
//! A command reads facts through [`Books`], applies the rules, and appends
//! [`Event`]s. The store implements `Books` inside one transaction: if a
//! command fails, the store rolls everything back and logs only the refusal.
//! The commands live in their domain modules (`entry`, `people`, `receipts`,
//! `account`, `approval`, `ledger`, …); they are re-exported here under the
//! paths front ends have always used.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::Chart;
use crate::approval::{Authorization, Settings};
use crate::backend::BackendError;
use crate::bank::{InTransit, StoredLine};
use crate::cash::CashCount;
use crate::disclosure::Asset;
use crate::funds::Fund;
use crate::lifecycle::Signature;
use crate::money::Money;
use crate::people::Registry;
use crate::period::Period;
use crate::receipts::{ReceiptBook, ReceiptState};
use crate::rule::Failure;
use crate::voucher::{Document, Status, Voucher, VoucherRef};

pub use crate::account::{add_account, close_account, rename_account};
pub use crate::approval::{change_setting, check_authorization, record_authorization};
pub use crate::entry::{
    attach_document, check_cash_and_bank, check_not_future, copy_voucher, enter_voucher, post_voucher, prepare_voucher,
    reverse_voucher, revise_voucher, void_voucher,
};
pub use crate::event::Event;
pub use crate::ledger::{check_ledger_name, create_ledger, select_ledger, FirstAdmin, MAX_LEDGER_NAME_CHARS};
pub use crate::people::{appoint, describe_fact, end_appointment, record_kinship, register_person, set_passphrase};
pub use crate::receipts::{check_receipts, issue_receipt, receipt_by_number, register_receipt_book, void_receipt};

/// A ledger (账套): its name and its go-live month (启用期间).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerInfo {
    pub name: String,
    pub start: Period,
}

/// What the rules need to know about the books, and where they write.
pub trait Books {
    fn ledger(&self) -> &LedgerInfo;
    fn chart(&self) -> &Chart;
    fn registry(&self) -> &Registry;
    fn settings(&self) -> &Settings;
    fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, BackendError>;
    /// Every authorization recorded, by date (SEP-6 looks for the
    /// resolution that names a deputy signer).
    fn authorizations(&mut self) -> Result<Vec<Authorization>, BackendError>;
    /// The voucher a document is indexed under (by `documents::doc_key`):
    /// the last voucher citing it that is not voided (DOC-2).
    fn document_used(&mut self, document: &Document) -> Result<Option<VoucherRef>, BackendError>;
    fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, BackendError>;
    /// The highest serial of `book` issued or voided.
    fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, BackendError>;
    fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, BackendError>;
    /// Every voucher whose authorization is `number`.
    fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, BackendError>;
    /// Whether a period has been closed (结账).
    fn period_closed(&mut self, period: Period) -> Result<bool, BackendError>;
    /// The number the next voucher of `period` gets.
    fn next_number(&mut self, period: Period) -> Result<u32, BackendError>;
    fn voucher(&mut self, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError>;
    /// The reversal that cites `reference`, if one exists.
    fn reversed_by(&mut self, reference: VoucherRef) -> Result<Option<VoucherRef>, BackendError>;
    /// The signatures standing on a voucher (withdrawn ones excluded).
    fn signatures(&mut self, reference: VoucherRef) -> Result<Vec<Signature>, BackendError>;
    /// Movements of the accounts under `prefix`: the balance before `date`,
    /// and each voucher's net effect from `date` on (CSH-1). Posted vouchers
    /// count; with `confirmed`, so do vouchers the cashier has confirmed but
    /// the accountant not yet posted — the money has moved.
    fn movements_from(
        &mut self,
        prefix: &str,
        date: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<(Date, Money)>), BackendError>;
    /// What a special fund holds, from posted vouchers (FND-1).
    fn fund_balance(&mut self, fund: &str) -> Result<Money, BackendError>;
    /// Posted balance of a leaf account over all periods, debit-positive.
    fn balance(&mut self, code: &str) -> Result<Money, BackendError>;
    /// When a file with this SHA-256 was imported, if it was.
    fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, BackendError>;
    /// The special funds declared (FND-1).
    fn funds(&mut self) -> Result<Vec<Fund>, BackendError>;
    /// The households of the collection register (FND-2), in the order registered.
    fn households(&mut self) -> Result<Vec<crate::collection::Household>, BackendError>;
    /// Every line of the collection register (FND-2), in the order recorded.
    fn collections(&mut self) -> Result<Vec<crate::collection::Collection>, BackendError>;
    /// The voucher template saved under `name`.
    fn template(&mut self, name: &str) -> Result<Option<crate::template::Template>, BackendError>;
    /// Every voucher template saved, by name.
    fn templates(&mut self) -> Result<Vec<crate::template::Template>, BackendError>;
    /// [OPN-1] the opening balances of the go-live month, by account code.
    fn openings(&mut self) -> Result<Vec<crate::opening::Opening>, BackendError>;
    /// [OPN-1] whether any month was ever closed, reopened ones included.
    fn ever_closed(&mut self) -> Result<bool, BackendError>;
    /// The cash counts recorded for days of `period`, in the order recorded.
    fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, BackendError>;
    /// The balance of the accounts under `prefix` before `from`, and the
    /// vouchers dated `from..=to` with a line on them: posted, and with
    /// `confirmed` also those the cashier has confirmed. An empty prefix
    /// takes every voucher.
    fn vouchers_touching(
        &mut self,
        prefix: &str,
        from: Date,
        to: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<Voucher>), BackendError>;
    /// Vouchers of `period` not yet posted.
    fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, BackendError>;
    /// Posted balance of the accounts under `prefix` through `period`.
    fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, BackendError>;
    /// The statement lines imported for a bank account, with their matches.
    fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, BackendError>;
    /// The number the next imported statement line gets.
    fn next_statement_line(&mut self) -> Result<u64, BackendError>;
    /// The latest day the statements imported for a bank account reach:
    /// their `through` dates and their lines' dates (BNK-1).
    fn statement_through(&mut self, account: &str) -> Result<Option<Date>, BackendError>;
    /// The fixed-asset register, disposed assets included.
    fn assets(&mut self) -> Result<Vec<Asset>, BackendError>;
    /// The latest closed period before `period`, with the bank entries in
    /// transit at its close.
    fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, BackendError>;
    /// [LIM-1] the sum of the absolute amounts of every line of every
    /// voucher recorded, whatever its status (at most `MAX_TOTAL_FEN`).
    fn turnover(&mut self) -> Result<Money, BackendError>;
    /// [PUB-1] the review opinions on disclosures, in the order recorded.
    fn reviews(&mut self) -> Result<Vec<crate::disclosure::Review>, BackendError>;
    /// [PUB-1] every publication of a month's disclosure, in the order recorded.
    fn publications(&mut self) -> Result<Vec<crate::publication::Publication>, BackendError>;
    /// [AUD-3] the fingerprint (full hex) of the log entry of `period`'s
    /// latest close, if it was ever closed.
    fn close_fingerprint(&mut self, period: Period) -> Result<Option<String>, BackendError>;
    /// [DOC-1] the scans attached to a voucher, in the order attached.
    fn scans_of(&mut self, reference: VoucherRef) -> Result<Vec<crate::scan::ScanInfo>, BackendError>;
    /// [DOC-1] keeps a scan's bytes under their SHA-256, once, in the same
    /// transaction as the events appended with it.
    fn put_scan(&mut self, sha256: &str, media: crate::scan::MediaType, bytes: &[u8]) -> Result<(), BackendError>;
    /// Records an event. Every backend first passes it through
    /// `text::check_event` (LIM-1) and returns the refusal if its text may
    /// not be stored.
    fn append(&mut self, event: Event) -> Result<(), Failure>;
}

/// A command's books seen through a reference: what lets one backend hand
/// another's books to a command (`backend::Either` passes `&mut dyn Books`).
impl<T: Books + ?Sized> Books for &mut T {
    fn ledger(&self) -> &LedgerInfo {
        (**self).ledger()
    }
    fn chart(&self) -> &Chart {
        (**self).chart()
    }
    fn registry(&self) -> &Registry {
        (**self).registry()
    }
    fn settings(&self) -> &Settings {
        (**self).settings()
    }
    fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, BackendError> {
        (**self).authorization(number)
    }
    fn authorizations(&mut self) -> Result<Vec<Authorization>, BackendError> {
        (**self).authorizations()
    }
    fn document_used(&mut self, document: &Document) -> Result<Option<VoucherRef>, BackendError> {
        (**self).document_used(document)
    }
    fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, BackendError> {
        (**self).receipt_books()
    }
    fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, BackendError> {
        (**self).receipt_last_used(book)
    }
    fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, BackendError> {
        (**self).receipt(book, serial)
    }
    fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, BackendError> {
        (**self).vouchers_citing(number)
    }
    fn period_closed(&mut self, period: Period) -> Result<bool, BackendError> {
        (**self).period_closed(period)
    }
    fn next_number(&mut self, period: Period) -> Result<u32, BackendError> {
        (**self).next_number(period)
    }
    fn voucher(&mut self, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        (**self).voucher(reference)
    }
    fn reversed_by(&mut self, reference: VoucherRef) -> Result<Option<VoucherRef>, BackendError> {
        (**self).reversed_by(reference)
    }
    fn signatures(&mut self, reference: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        (**self).signatures(reference)
    }
    fn movements_from(
        &mut self,
        prefix: &str,
        date: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<(Date, Money)>), BackendError> {
        (**self).movements_from(prefix, date, confirmed)
    }
    fn fund_balance(&mut self, fund: &str) -> Result<Money, BackendError> {
        (**self).fund_balance(fund)
    }
    fn balance(&mut self, code: &str) -> Result<Money, BackendError> {
        (**self).balance(code)
    }
    fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, BackendError> {
        (**self).file_imported(sha256)
    }
    fn funds(&mut self) -> Result<Vec<Fund>, BackendError> {
        (**self).funds()
    }
    fn households(&mut self) -> Result<Vec<crate::collection::Household>, BackendError> {
        (**self).households()
    }
    fn collections(&mut self) -> Result<Vec<crate::collection::Collection>, BackendError> {
        (**self).collections()
    }
    fn template(&mut self, name: &str) -> Result<Option<crate::template::Template>, BackendError> {
        (**self).template(name)
    }
    fn templates(&mut self) -> Result<Vec<crate::template::Template>, BackendError> {
        (**self).templates()
    }
    fn openings(&mut self) -> Result<Vec<crate::opening::Opening>, BackendError> {
        (**self).openings()
    }
    fn ever_closed(&mut self) -> Result<bool, BackendError> {
        (**self).ever_closed()
    }
    fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, BackendError> {
        (**self).cash_counts(period)
    }
    fn vouchers_touching(
        &mut self,
        prefix: &str,
        from: Date,
        to: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<Voucher>), BackendError> {
        (**self).vouchers_touching(prefix, from, to, confirmed)
    }
    fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, BackendError> {
        (**self).unposted(period)
    }
    fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, BackendError> {
        (**self).balance_through(prefix, period)
    }
    fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, BackendError> {
        (**self).statement_lines(account)
    }
    fn next_statement_line(&mut self) -> Result<u64, BackendError> {
        (**self).next_statement_line()
    }
    fn statement_through(&mut self, account: &str) -> Result<Option<Date>, BackendError> {
        (**self).statement_through(account)
    }
    fn assets(&mut self) -> Result<Vec<Asset>, BackendError> {
        (**self).assets()
    }
    fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, BackendError> {
        (**self).last_close_before(period)
    }
    fn turnover(&mut self) -> Result<Money, BackendError> {
        (**self).turnover()
    }
    fn reviews(&mut self) -> Result<Vec<crate::disclosure::Review>, BackendError> {
        (**self).reviews()
    }
    fn publications(&mut self) -> Result<Vec<crate::publication::Publication>, BackendError> {
        (**self).publications()
    }
    fn close_fingerprint(&mut self, period: Period) -> Result<Option<String>, BackendError> {
        (**self).close_fingerprint(period)
    }
    fn scans_of(&mut self, reference: VoucherRef) -> Result<Vec<crate::scan::ScanInfo>, BackendError> {
        (**self).scans_of(reference)
    }
    fn put_scan(&mut self, sha256: &str, media: crate::scan::MediaType, bytes: &[u8]) -> Result<(), BackendError> {
        (**self).put_scan(sha256, media, bytes)
    }
    fn append(&mut self, event: Event) -> Result<(), Failure> {
        (**self).append(event)
    }
}
