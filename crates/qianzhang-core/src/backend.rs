//! The storage seam: what a backend reports when it cannot read or write.
//!
//! A backend's faults are not refusals: no rule decided them, and the books
//! were not changed by them. Each says what went wrong in words a user can
//! act on; the front end maps each kind once to an exit code or a status.

#[cfg(any(test, feature = "testing"))]
pub mod contract;
mod copy;
mod either;
mod rows;
mod verify;

pub use copy::{copy_ledger, name_taken, CopyItem, CopySink, RawEntry, RawScan, RestoreCheck};
pub use either::Either;
pub use rows::{
    as_period_totals, AccountBudget, AuthorizationUse, FundTotalRow, HistoryRow, LogHead, PeriodTotalRow, ReceiptRow,
};
pub use verify::{Anchor, AnchorEntry, AnchorWalk, Mismatch, SinceEntry, VerifyReport, SHORT_FINGERPRINT_DIGITS};

use time::Date;

use crate::approval::Settings;
use crate::audit::{Act, AuditVoucher, LogFact};
use crate::books::{Books, Event, FirstAdmin, LedgerInfo};
use crate::cash::CashCount;
use crate::chain::Fingerprint;
use crate::disclosure::{Asset, Review, Voided};
use crate::funds::Fund;
use crate::lifecycle::Signature;
use crate::people::Registry;
use crate::receipts::ReceiptBook;
use crate::{Chart, Failure, Period, Refusals, Status, Voucher, VoucherRef};

/// Where the books are kept: any number of ledgers, each a hash-chained log
/// of events (AUD-1) and the projections reports read.
///
/// A backend decides nothing about bookkeeping. It runs a core command
/// against [`Books`] inside one transaction, appends the events the command
/// made to the log and projects them, and commits — or, on a refusal, keeps
/// nothing but one `Refused` entry in the log. Reads never change the books.
/// `contract` (feature `testing`) checks what every backend must do.
pub trait Backend {
    /// The books of one ledger inside one transaction: what commands see.
    type Books<'a>: Books
    where
        Self: 'a;

    /// Every ledger held, in creation order.
    fn ledgers(&self) -> Result<Vec<LedgerHandle>, BackendError>;

    /// [LED-1] picks the ledger by name, or the only one when none is named.
    fn select(&self, name: Option<&str>) -> Result<LedgerHandle, Failure> {
        let all = self.ledgers()?;
        let infos: Vec<LedgerInfo> = all.iter().map(|l| l.info.clone()).collect();
        let index = crate::books::select_ledger(&infos, name)?;
        Ok(all[index].clone())
    }

    /// [LED-1] creates a ledger with the default chart and its first administrator.
    fn create_ledger(
        &mut self,
        name: &str,
        start: Period,
        admin: &FirstAdmin,
        actor: &Actor,
    ) -> Result<LedgerHandle, Failure>;

    /// Runs `command` against the ledger in one transaction. On success the
    /// events it appended are committed; on a refusal nothing is kept but a
    /// `Refused` entry in the log.
    fn write<T>(
        &mut self,
        ledger: &LedgerHandle,
        actor: &Actor,
        command: impl FnOnce(&mut Self::Books<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure>;

    /// Runs a core function that only reads (a report built through
    /// [`Books`]); whatever it appends is discarded.
    fn read<T>(
        &mut self,
        ledger: &LedgerHandle,
        query: impl FnOnce(&mut Self::Books<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure>;

    /// [AUD-1] records a refused attempt that never reached a command, such
    /// as unreadable input; [`Backend::write`] records its own refusals. An
    /// entry that would be dated before the log's last is not recorded.
    fn log_refusal(&mut self, ledger: &LedgerHandle, actor: &Actor, reasons: &Refusals) -> Result<(), BackendError>;

    /// [AUD-2] recomputes the chain and every projection from the log.
    fn verify(&self, ledger: &LedgerHandle) -> Result<VerifyReport, BackendError>;

    /// [AUD-2] verifies, and proves that the history up to a fingerprint
    /// published earlier was not rewritten.
    fn verify_against(&self, ledger: &LedgerHandle, anchor: Anchor) -> Result<VerifyReport, BackendError>;

    /// The ledger's fingerprint: its last log entry's number and hash
    /// (0 and [`crate::chain::GENESIS`] for an empty log).
    fn fingerprint(&self, ledger: &LedgerHandle) -> Result<LogHead, BackendError>;

    /// The last log entry made on or before `date`: the fingerprint at that day's end.
    fn fingerprint_at(&self, ledger: &LedgerHandle, date: Date) -> Result<Option<LogHead>, BackendError>;

    /// [AUD-3] the log entry of the latest close of `period`.
    fn close_fingerprint(&self, ledger: &LedgerHandle, period: Period) -> Result<Option<LogHead>, BackendError>;

    /// The last `limit` log entries, newest last.
    fn log_tail(&self, ledger: &LedgerHandle, limit: usize) -> Result<Vec<LogEntry>, BackendError>;

    /// Log entries of the given kinds (`Event::kind`: refused,
    /// period_closed, …), in order, with the day they were made.
    fn log_facts(&self, ledger: &LedgerHandle, kinds: &[&str]) -> Result<Vec<LogFact>, BackendError>;

    /// [OPR-1] the failed sign-ins claiming `name` since the person last
    /// acted or had a passphrase set, oldest first: what the lockout counts.
    fn failed_sign_ins(&self, ledger: &LedgerHandle, name: &str) -> Result<Vec<Event>, BackendError>;

    /// [AUD-1] every act of a person between two days, as the log has it,
    /// with the resets of their passphrase by others.
    fn acts_of(&self, ledger: &LedgerHandle, person: &str, from: Date, to: Date) -> Result<Vec<Act>, BackendError>;

    /// The chart of accounts.
    fn chart(&self, ledger: &LedgerHandle) -> Result<Chart, BackendError>;

    /// The people, appointments and kinship facts.
    fn registry(&self, ledger: &LedgerHandle) -> Result<Registry, BackendError>;

    /// The ledger's settings.
    fn settings(&self, ledger: &LedgerHandle) -> Result<Settings, BackendError>;

    /// The special funds, in the order declared (FND-1).
    fn funds(&self, ledger: &LedgerHandle) -> Result<Vec<Fund>, BackendError>;

    /// The fixed-asset register.
    fn assets(&self, ledger: &LedgerHandle) -> Result<Vec<Asset>, BackendError>;

    /// [OPN-1] the opening balances of the go-live month, by account code.
    fn openings(&self, ledger: &LedgerHandle) -> Result<Vec<crate::opening::Opening>, BackendError>;

    /// Every disclosure review opinion recorded, in order.
    fn reviews(&self, ledger: &LedgerHandle) -> Result<Vec<Review>, BackendError>;

    /// [PUB-1] every publication of a month's disclosure, in the order
    /// recorded (a re-publication after a reopen and a new close follows
    /// the first).
    fn publications(&self, ledger: &LedgerHandle) -> Result<Vec<crate::publication::Publication>, BackendError>;

    /// [DOC-1] the scans attached to a voucher of this ledger, in the order attached.
    fn scans_of(&self, ledger: &LedgerHandle, voucher: VoucherRef) -> Result<Vec<crate::scan::ScanInfo>, BackendError>;

    /// [DOC-1] the type and bytes of the scan with this SHA-256, only when
    /// it is attached to a voucher of this ledger: a scan of another ledger
    /// is `None`, as one never stored, so a front end serving scans by hash
    /// cannot leak one ledger's documents to another's users.
    fn scan(
        &self,
        ledger: &LedgerHandle,
        sha256: &str,
    ) -> Result<Option<(crate::scan::MediaType, Vec<u8>)>, BackendError>;

    /// The budgets of a year, per account.
    fn budgets(&self, ledger: &LedgerHandle, year: i32) -> Result<Vec<AccountBudget>, BackendError>;

    /// Whether a period is closed now.
    fn is_closed(&self, ledger: &LedgerHandle, period: Period) -> Result<bool, BackendError>;

    /// Posted debit and credit totals per leaf account and period.
    fn period_totals(&self, ledger: &LedgerHandle) -> Result<Vec<PeriodTotalRow>, BackendError>;

    /// Money into and out of each special fund per period, from posted vouchers.
    fn fund_totals(&self, ledger: &LedgerHandle) -> Result<Vec<FundTotalRow>, BackendError>;

    /// [STM-1] the statements' rows per period, part, account and fund,
    /// from posted vouchers (`statements::statement_rows`), in key order.
    fn statement_totals(&self, ledger: &LedgerHandle) -> Result<Vec<crate::statements::StatementRow>, BackendError>;
    /// [FND-2] the households and every line of the collection registers,
    /// in the order recorded.
    fn collection_register(
        &self,
        ledger: &LedgerHandle,
    ) -> Result<(Vec<crate::collection::Household>, Vec<crate::collection::Collection>), BackendError>;

    /// The first and last period holding vouchers, if any.
    fn period_span(&self, ledger: &LedgerHandle) -> Result<Option<(Period, Period)>, BackendError>;

    /// Receipt books, and every receipt used or voided.
    fn receipts(&self, ledger: &LedgerHandle) -> Result<(Vec<ReceiptBook>, Vec<ReceiptRow>), BackendError>;

    /// Every authorization with what it has paid for so far.
    fn authorizations(&self, ledger: &LedgerHandle) -> Result<Vec<AuthorizationUse>, BackendError>;

    /// The signatures standing on a voucher (withdrawn ones excluded).
    fn signatures(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Vec<Signature>, BackendError>;

    /// The signatures standing on the vouchers of `from..=to` (withdrawn ones
    /// excluded), in one read: per voucher in period and number order, each
    /// voucher's in the order signed; vouchers without any are left out.
    fn signatures_in(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<(VoucherRef, Vec<Signature>)>, BackendError>;

    /// One voucher with its status.
    fn voucher(&self, ledger: &LedgerHandle, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError>;

    /// Calls `f` for every voucher of `from..=to` in period and number
    /// order; the first error `f` returns stops the walk. (A caller whose
    /// own output fails keeps that error aside and returns
    /// [`BackendError::Io`] to stop.)
    fn each_voucher(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
        f: impl FnMut(Voucher, Status) -> Result<(), BackendError>,
    ) -> Result<(), BackendError>;

    /// The vouchers of `from..=to`, in period and number order.
    fn vouchers(
        &self,
        ledger: &LedgerHandle,
        from: Period,
        to: Period,
    ) -> Result<Vec<(Voucher, Status)>, BackendError> {
        let mut out = Vec::new();
        self.each_voucher(ledger, from, to, |v, s| {
            out.push((v, s));
            Ok(())
        })?;
        Ok(out)
    }

    /// [AUD-1] vouchers entered since go-live and dated `from..=to`, with
    /// their signatures and the day their content was written.
    fn audit_vouchers(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<AuditVoucher>, BackendError>;

    /// Migrated history per period of `from..=to`: vouchers and debit total.
    fn history_summary(&self, ledger: &LedgerHandle, from: Period, to: Period)
        -> Result<Vec<HistoryRow>, BackendError>;

    /// [PUB-1, HND-1] the vouchers of `from..=to` voided before posting,
    /// with the reason, who voided each and when, in number order.
    fn voided(&self, ledger: &LedgerHandle, from: Period, to: Period) -> Result<Vec<Voided>, BackendError>;

    /// The cash counts of days `from..=to`, in the order recorded.
    fn cash_counts(&self, ledger: &LedgerHandle, from: Date, to: Date) -> Result<Vec<CashCount>, BackendError>;

    /// [DOC-1, AUD-1] streams a ledger as it is stored, for a copy into
    /// another backend: first every scan a voucher of the ledger carries
    /// (each once), then every log entry in order, each exactly as stored
    /// (its payload is the text its hash covers). All from one consistent
    /// reading of the books; nothing is held in memory beyond the item
    /// handed to `f`. The first error `f` returns stops the walk and is
    /// returned (`E` is the caller's error: a target's [`Failure`] passes
    /// through unchanged).
    fn each_raw_entry<E: From<BackendError>>(
        &self,
        ledger: &LedgerHandle,
        f: impl FnMut(CopyItem) -> Result<(), E>,
    ) -> Result<(), E>;

    /// [LED-1, AUD-1, AUD-2, DOC-1] restores a ledger copied from another
    /// backend, in one transaction: `feed` is called once with a sink and
    /// pushes the source's items into it (a source streams straight into
    /// this open transaction). Each scan is kept under its SHA-256; each
    /// entry is appended with its own number, time, actor, kind and payload
    /// text after its hash is recomputed from its predecessor's and found
    /// equal to the one given ([`RestoreCheck`]), and is projected as the
    /// write path projects it. Refused, keeping nothing, when the chain or
    /// a scan does not check, when the feed fails, or when this backend
    /// already holds a ledger of the name the first entry gives
    /// ([`name_taken`]). The ledger's key is this backend's own (the hash
    /// does not cover it). A refusal is not logged: there is no ledger to
    /// log it in.
    fn restore_ledger(
        &mut self,
        feed: impl FnOnce(&mut CopySink<'_>) -> Result<(), Failure>,
    ) -> Result<LedgerHandle, Failure>;
}

/// Who acts, when, and with which command: recorded with every log entry.
#[derive(Clone, Debug)]
pub struct Actor {
    pub name: String,
    /// RFC 3339 time of the act, supplied by the caller (the core reads no clock).
    pub at: String,
    /// The command as typed, for the record of refused attempts.
    pub command: String,
}

/// A ledger chosen for a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerHandle {
    /// The backend's key for the ledger.
    pub id: i64,
    pub info: LedgerInfo,
}

/// One entry of the log, as listed for people.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub event: Event,
    pub hash: Fingerprint,
}

/// A fault of the backend holding the books, as opposed to a refusal by a rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// Another command holds the books and did not let go within the wait.
    #[error("账簿正被另一个命令使用，等待后仍未释放；本次操作没有执行，账簿未改动，请稍后再试")]
    Busy,
    /// Content the engine never writes, with where it is (table, row,
    /// column): a value of the wrong type, text that is not UTF-8, a log
    /// entry that does not parse, a period or state it does not know (AUD-2).
    #[error("账簿中有本程序不会写出的内容：{place}")]
    Corrupt { place: String },
    /// The books say they were written by a newer schema: a newer program,
    /// or a version number altered by hand.
    #[error("账簿的版本 {found} 比本程序支持的 {supported} 新：请升级 qianzhang；若从未用过新版本，则账簿被改动过")]
    NewerSchema { found: i64, supported: i64 },
    /// What was opened is not a qianzhang store at all.
    #[error("不是钱账的账簿（文件或数据库）：{0}")]
    NotAStore(String),
    /// The medium failed: a disk full, a file that cannot be written.
    #[error("读写账簿失败：{0}")]
    Io(String),
    /// The backend was asked something it cannot answer as asked: always a
    /// bug of the program, never of the books.
    #[error("{0}")]
    Internal(String),
}

impl BackendError {
    /// Content the engine never writes, at `place`.
    pub fn corrupt(place: impl Into<String>) -> BackendError {
        BackendError::Corrupt { place: place.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::BackendError;

    /// The books may be a SQLite file or a PostgreSQL database: a backend
    /// fault speaks of the books (账簿), never of a file the reader may not have.
    #[test]
    fn backend_faults_are_worded_for_a_file_and_a_database_alike() {
        let faults = [
            BackendError::Busy,
            BackendError::Corrupt { place: "log 第 3 行".into() },
            BackendError::NewerSchema { found: 99, supported: 18 },
            BackendError::NotAStore("缺少 log 表".into()),
            BackendError::Io("磁盘已满".into()),
        ];
        for e in faults {
            let text = e.to_string();
            assert!(text.contains("账簿") && !text.contains("账簿文件") && !text.contains("该文件"), "{text}");
        }
    }
}
