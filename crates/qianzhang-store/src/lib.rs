//! The embedded store: one SQLite file holding any number of ledgers (账套).
//!
//! Architecture invariant: the store decides nothing about bookkeeping. It
//! runs a core command inside one SQLite transaction, appends the events the
//! command produced to the hash-chained log (AUD-1), projects them into the
//! tables reports read, and commits — or rolls everything back and logs only
//! the refusal. What it offers is the core's [`Backend`] trait; `Store`'s own
//! surface is opening a file.

mod backend;
mod copy;
mod error;
mod projector;
mod queries;
mod rows;
mod schema;
mod tx;
mod verify;
mod writer;

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

pub use error::Error;
pub use qianzhang_core::backend::{
    as_period_totals, Actor, Anchor, AnchorEntry, Backend, BackendError, LedgerHandle, LogEntry, LogHead, Mismatch,
    SinceEntry, VerifyReport, SHORT_FINGERPRINT_DIGITS,
};
pub use qianzhang_core::chain::{entry_hash, Fingerprint, GENESIS};
pub use schema::SCHEMA_VERSION;
pub use writer::Writer;

/// The SQLite store.
pub struct Store {
    conn: Connection,
    /// How long this store may wait, in all, for other commands to let go.
    wait: Duration,
    /// How long it has waited so far.
    waited: Duration,
}

/// The default wait for a busy store.
pub const BUSY_WAIT: Duration = Duration::from_secs(10);
impl Store {
    /// Opens (creating if needed) the store at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, Error> {
        Store::open_waiting(path, BUSY_WAIT)
    }

    /// Opens the store, waiting at most `wait` in all for another command
    /// holding it: the open and every transaction share the one wait.
    ///
    /// A new store file is created readable by its owner only (0600): it
    /// holds everyone's passphrase hashes. SQLite gives its journal the
    /// same mode.
    pub fn open_waiting(path: &Path, wait: Duration) -> Result<Store, Error> {
        let (conn, waited) = tx::connect(path, wait)?;
        Ok(Store { conn, wait, waited })
    }

    /// Makes an open store ready for another request (a server keeps a few
    /// open, their page caches warm): the whole wait is its own again.
    pub fn renew(&mut self) -> Result<(), Error> {
        self.waited = Duration::ZERO;
        self.conn.busy_timeout(self.wait)?;
        Ok(())
    }
}
