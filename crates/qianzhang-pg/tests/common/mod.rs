//! A fresh PostgreSQL database per test, on the server `QIANZHANG_TEST_PG`
//! names (a role that may CREATE DATABASE), dropped when the test ends.
//! Without the variable the tests pass after saying they were skipped —
//! except under CI, where a missing server fails the run.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use qianzhang_pg::PgStore;

pub const WAIT: Duration = Duration::from_secs(20);

/// The server's address, or `None` (the tests are skipped) outside CI.
pub fn server() -> Option<String> {
    match std::env::var("QIANZHANG_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "QIANZHANG_TEST_PG is not set: CI must run the PostgreSQL tests against a server \
             (postgres://user:password@host/database, a role that may CREATE DATABASE)"
        ),
        _ => {
            // Said once per test binary, on the terminal past the test
            // harness's capture where there is one.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                use std::io::Write;
                let note = "PostgreSQL tests skipped: set QIANZHANG_TEST_PG=postgres://user:password@host/database \
                            to run them";
                match std::fs::OpenOptions::new().append(true).open("/dev/stderr") {
                    Ok(mut terminal) => {
                        let _ = writeln!(terminal, "{note}");
                    }
                    Err(_) => eprintln!("{note}"),
                }
            });
            None
        }
    }
}

/// A database of its own, dropped with this value.
pub struct TestDb {
    admin: String,
    pub name: String,
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A new empty database, or `None` when the tests are skipped.
    pub fn new() -> Option<TestDb> {
        let admin = server()?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("qz_test_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connecting to QIANZHANG_TEST_PG");
        client.batch_execute(&format!("CREATE DATABASE {name}")).expect("CREATE DATABASE");
        let url = with_database(&admin, &name);
        Some(TestDb { admin, name, url })
    }

    /// A new store on this database.
    pub fn store(&self) -> PgStore {
        PgStore::connect(&self.url, WAIT).expect("connecting a store to the test database")
    }

    /// A plain client on this database, as its owner, for tampering.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connecting to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
    let host = rest.split_once('/').map_or(rest, |(h, _)| h);
    match query {
        Some(q) => format!("{scheme}://{host}/{name}?{q}"),
        None => format!("{scheme}://{host}/{name}"),
    }
}
