//! Opening the SQLite file, and the one wait every transaction shares.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::{schema, Error};

/// Opens (creating it readable by its owner only) and migrates the store at
/// `path`, waiting at most `wait` for another command holding it; returns
/// the connection and how long the open waited.
pub(crate) fn connect(path: &Path, wait: Duration) -> Result<(Connection, Duration), Error> {
    let started = Instant::now();
    // SQLite's name for a database in memory is not a file to create.
    if path != Path::new(":memory:") {
        create_private(path);
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(wait)?;
    conn.pragma_update(None, "page_size", 16384)?;
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -65536)?;
    schema::migrate(&mut conn)?;
    Ok((conn, started.elapsed()))
}

/// Begins a write transaction within what is left of the store's one wait,
/// and counts the time it took.
pub(crate) fn begin_immediate<'c>(
    conn: &'c mut Connection,
    wait: Duration,
    waited: &mut Duration,
) -> Result<Transaction<'c>, Error> {
    conn.busy_timeout(wait.saturating_sub(*waited))?;
    let began = Instant::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate);
    *waited += began.elapsed();
    Ok(tx?)
}

/// Creates a new store file readable by its owner only; an existing file is
/// left as it is, and any failure is left for SQLite to report.
fn create_private(path: &Path) {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = options.open(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_in_memory_creates_no_file() {
        let (conn, _) = connect(Path::new(":memory:"), Duration::from_secs(1)).unwrap();
        drop(conn);
        assert!(!Path::new(":memory:").exists(), "opening SQLite's in-memory name left a file behind");
    }
}
