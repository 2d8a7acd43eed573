//! The storage seam: what a backend reports when it cannot read or write.
//!
//! A backend's faults are not refusals: no rule decided them, and the books
//! were not changed by them. Each says what went wrong in words a user can
//! act on; the front end maps each kind once to an exit code or a status.

mod verify;

pub use verify::{Anchor, AnchorEntry, Mismatch, SinceEntry, VerifyReport, SHORT_FINGERPRINT_DIGITS};

use crate::books::{Event, LedgerInfo};
use crate::chain::Fingerprint;

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
    #[error("账簿文件正被另一个命令使用，等待后仍未释放；本次操作没有执行，账簿未改动，请稍后再试")]
    Busy,
    /// Content the engine never writes, with where it is (table, row,
    /// column): a value of the wrong type, text that is not UTF-8, a log
    /// entry that does not parse, a period or state it does not know (AUD-2).
    #[error("账簿文件中有本程序不会写出的内容：{place}")]
    Corrupt { place: String },
    /// The books say they were written by a newer schema: a newer program,
    /// or a version number altered by hand.
    #[error(
        "账簿文件的版本 {found} 比本程序支持的 {supported} 新：请升级 qianzhang；若从未用过新版本，则该文件被改动过"
    )]
    NewerSchema { found: i64, supported: i64 },
    /// What was opened is not a qianzhang store at all.
    #[error("不是钱账的账簿文件：{0}")]
    NotAStore(String),
    /// The medium failed: a disk full, a file that cannot be written.
    #[error("读写账簿文件失败：{0}")]
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
