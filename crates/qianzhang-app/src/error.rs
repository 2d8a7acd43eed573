//! What a use case can end in besides success.

use qianzhang_core::{Failure, Refusal, Refusals, Rule};

use crate::backend::BackendError;

#[derive(Debug)]
pub enum Error {
    /// Refused by a rule; nothing was changed. `logged` once the refusal is
    /// in the ledger's log (a write logs its own refusals; a refusal found
    /// before the write is logged by [`crate::session::log_refusal`]).
    Refused { refusals: Refusals, logged: bool },
    /// A request shaped wrongly (a reversed range, no operator named):
    /// caught before any rule, and not logged.
    Usage(String),
    /// The backend could not read or write.
    Backend(BackendError),
    /// The caller's own output failed while the books were being read.
    Io(std::io::Error),
    /// A fault that is no one's input.
    Internal(String),
}

impl Error {
    /// A refusal found before the books were touched (not yet logged).
    pub fn refuse(rule: Rule, message: impl Into<String>) -> Error {
        Error::from(Refusal::new(rule, message))
    }

    /// The refusals, when this is one.
    pub fn refusals(&self) -> Option<&Refusals> {
        match self {
            Error::Refused { refusals, .. } => Some(refusals),
            _ => None,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Refused { refusals, .. } => write!(f, "{refusals}"),
            Error::Usage(m) | Error::Internal(m) => write!(f, "{m}"),
            Error::Backend(e) => write!(f, "{e}"),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Failure> for Error {
    fn from(f: Failure) -> Error {
        crate::backend::failure_to_error(f)
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::Refused { refusals: Refusals::one(r), logged: false }
    }
}

impl From<Refusals> for Error {
    fn from(r: Refusals) -> Error {
        Error::Refused { refusals: r, logged: false }
    }
}

impl From<Vec<Refusal>> for Error {
    fn from(reasons: Vec<Refusal>) -> Error {
        Error::Refused { refusals: Refusals { reasons, unlisted: 0 }, logged: false }
    }
}

impl From<BackendError> for Error {
    fn from(e: BackendError) -> Error {
        Error::Backend(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Io(e)
    }
}
