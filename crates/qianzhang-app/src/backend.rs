//! The one door to the storage backend: the use cases are written against
//! the core's [`Backend`] trait, so any backend that passes the
//! backend-contract suite (SQLite today) serves every front end.

pub use qianzhang_core::backend::{
    as_period_totals, Actor, Anchor, Backend, BackendError, LedgerHandle, LogEntry, VerifyReport,
};
pub use qianzhang_core::chain::Fingerprint;

use qianzhang_core::Failure;

/// A failure of a write as the backend reports it.
pub(crate) fn failure_to_error(f: Failure) -> crate::Error {
    match f {
        Failure::Refused(r) => crate::Error::Refused { refusals: r, logged: true },
        Failure::Backend(e) => crate::Error::Backend(e),
    }
}
