//! The one door to the storage backend: every store call of this crate
//! goes through the names re-exported here, so that a `Backend` trait can
//! take the concrete SQLite store's place without touching the use cases.

pub use qianzhang_store::{
    as_period_totals, Actor, Anchor, Error as BackendError, Fingerprint, LedgerHandle, LogEntry, Store as Backend,
    VerifyReport, Writer,
};

use qianzhang_core::Failure;

/// The backend's error inside a core [`Failure`], whichever layer boxed it.
pub(crate) fn unbox(e: Box<dyn std::error::Error + Send + Sync>) -> Result<BackendError, String> {
    BackendError::from_boxed(e).map_err(|e| e.to_string())
}

/// A failure of a write as the backend reports it.
pub(crate) fn failure_to_error(f: Failure) -> crate::Error {
    match f {
        Failure::Refused(r) => crate::Error::Refused { refusals: r, logged: true },
        Failure::Store(e) => match unbox(e) {
            Ok(e) => crate::Error::Backend(e),
            Err(e) => crate::Error::Internal(e),
        },
    }
}
