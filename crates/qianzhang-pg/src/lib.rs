//! The server store: ledgers (账套) in a PostgreSQL database, for a street,
//! district or city whose offices write to one server at once.
//!
//! Architecture invariant, as in the SQLite store: the store decides
//! nothing about bookkeeping. It runs a core command inside one
//! transaction, appends the events the command produced to the ledger's
//! hash-chained log (AUD-1), projects them into the tables reports read,
//! and commits — or rolls everything back and logs only the refusal. What
//! it offers is the core's [`Backend`] trait; `PgStore`'s own surface is
//! connecting.
//!
//! The chain is per ledger, and a ledger's chain head (one row of
//! `chain_heads`) is the only point of contention: every write locks it
//! first, so writes to one ledger take turns and writes to different
//! ledgers run in parallel.

mod backend;
mod copy;
mod db;
mod error;
mod projector;
mod queries;
mod rows;
mod schema;
mod tls;
mod verify;
mod writer;

use std::cell::RefCell;
use std::str::FromStr;
use std::time::Duration;

use postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

pub use error::Error;
pub use qianzhang_core::backend::{
    as_period_totals, Actor, Anchor, AnchorEntry, Backend, BackendError, LedgerHandle, LogEntry, LogHead, Mismatch,
    SinceEntry, VerifyReport, SHORT_FINGERPRINT_DIGITS,
};
pub use qianzhang_core::chain::{entry_hash, Fingerprint, GENESIS};
pub use schema::SCHEMA_VERSION;
pub use writer::Writer;

/// The default wait for a ledger another command is writing.
pub const BUSY_WAIT: Duration = Duration::from_secs(10);

/// One connection to the server, and the statements prepared on it.
struct Conn {
    client: Client,
    cache: db::Cache,
}

/// The PostgreSQL store: one connection. A server keeps a few, one per
/// worker, as it keeps SQLite stores. The client runs its own small
/// runtime: connect and call it off an async runtime's worker threads
/// (from `spawn_blocking`, as the web office calls every backend).
pub struct PgStore {
    conn: RefCell<Conn>,
    server: Server,
    wait: Duration,
}

/// Where the server is and how to reach it: the client's settings and its
/// TLS connector (none with `sslmode=disable`).
pub(crate) struct Server {
    config: postgres::Config,
    tls: Option<MakeRustlsConnect>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`),
    /// creates the schema in an empty database, migrates an older one, and
    /// refuses one written by a newer program. `wait` bounds the connection
    /// attempt and every wait for a lock (another command writing the same
    /// ledger).
    pub fn connect(url: &str, wait: Duration) -> Result<PgStore, Error> {
        let target = tls::target(url)?;
        let mut config = postgres::Config::from_str(&target.url).map_err(|e| Error::BadUrl(e.to_string()))?;
        config.ssl_mode(target.ssl_mode());
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(wait.max(Duration::from_secs(1)));
        }
        // As libpq: a password the address leaves out may come from
        // PGPASSWORD, which keeps it out of the address (and of every
        // command line a log records).
        if config.get_password().is_none() {
            if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
                config.password(password.as_encoded_bytes());
            }
        }
        if config.get_application_name().is_none() {
            config.application_name("qianzhang");
        }
        let tls = if target.mode == tls::Mode::Disable { None } else { Some(target.connector()?) };
        let server = Server { config, tls };
        let client = open(&server, wait)?;
        let store = PgStore { conn: RefCell::new(Conn { client, cache: db::Cache::new() }), server, wait };
        schema::migrate(&mut store.conn.borrow_mut().client)?;
        Ok(store)
    }

    /// Makes a store ready for another request (a server keeps a few): a
    /// connection the server closed (a restart, an idle timeout) is opened
    /// again, with the same wait.
    pub fn renew(&mut self) -> Result<(), Error> {
        let conn = self.conn.get_mut();
        if conn.client.is_closed() {
            conn.client = open(&self.server, self.wait)?;
            conn.cache.clear();
            schema::migrate(&mut conn.client)?;
        }
        Ok(())
    }
}

/// The buffers of a session's temporary tables: a replay of a ledger of a
/// million vouchers fits.
const TEMP_BUFFERS: &str = "512MB";

/// Opens one connection and sets how long it waits for a lock.
fn open(server: &Server, wait: Duration) -> Result<Client, Error> {
    let connected = match &server.tls {
        Some(tls) => server.config.connect(tls.clone()),
        None => server.config.connect(NoTls),
    };
    let mut client = connected.map_err(|e| {
        if e.as_db_error().is_some() {
            Error::Postgres(e)
        } else if server.tls.is_some() && e.to_string().contains("TLS") {
            Error::Connect(format!(
                "无法与 PostgreSQL 服务器建立 TLS 加密连接：{}；请检查服务器是否开启 ssl、证书是否由 sslrootcert 所指的根证书签发并写明连接地址中的主机名",
                source_of(&e)
            ))
        } else if source_of(&e).contains("password missing") {
            Error::Connect(
                "PostgreSQL 服务器要求口令，但连接地址中没有：请写成 postgres://用户:口令@主机/库名，\
                 或在环境变量 PGPASSWORD 中给出口令"
                    .into(),
            )
        } else {
            Error::Connect(format!(
                "无法连接 PostgreSQL 服务器（{}）；请检查连接地址中的主机和端口，以及服务器是否在运行",
                source_of(&e)
            ))
        }
    })?;
    // A lock not granted within the wait is `Busy`, never a hang; text
    // compares bytewise whatever the database's locale.
    // `verify` replays a ledger into temporary tables: room for a large
    // ledger's in the session's own buffers (taken only when used; the
    // setting must come before the session's first temporary table).
    client.batch_execute(&format!(
        "SET lock_timeout = {}; SET client_min_messages = warning; SET temp_buffers = '{TEMP_BUFFERS}'",
        wait.as_millis().clamp(1, i32::MAX as u128)
    ))?;
    Ok(client)
}

/// The innermost cause of a connection error: what TLS itself said.
fn source_of(e: &postgres::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
