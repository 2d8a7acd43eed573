//! The test server of both end-to-end harnesses (the command line's and
//! the web office's): where it is, a connection to create and drop the
//! tests' databases on, and a database's address on it. The web office's
//! harness includes this file by path.

use std::path::Path;
use std::sync::OnceLock;

/// `QIANZHANG_TEST_PG`: required when the backend is PostgreSQL, in CI and
/// out of it (a missing server fails the run, never skips it).
pub fn server() -> String {
    std::env::var("QIANZHANG_TEST_PG").unwrap_or_else(|_| {
        panic!("QIANZHANG_TEST_BACKEND=postgres needs QIANZHANG_TEST_PG=postgres://user:pass@host/db (a role with CREATEDB)")
    })
}

/// A connection to the server's own database, for creating and dropping
/// the tests' ones; the first in a process also drops what earlier runs
/// left behind (databases of processes no longer running).
pub fn admin() -> postgres::Client {
    static SWEPT: OnceLock<()> = OnceLock::new();
    let mut client = postgres::Client::connect(&server(), postgres::NoTls)
        .unwrap_or_else(|e| panic!("QIANZHANG_TEST_PG: cannot connect: {e}"));
    SWEPT.get_or_init(|| {
        let rows = client.query("SELECT datname::text FROM pg_database WHERE datname LIKE 'qzt\\_%'", &[]).unwrap();
        for row in rows {
            let name: String = row.get(0);
            let pid = name.split('_').nth(1).and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|p| p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists()) {
                let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    });
    client
}

/// The server's address with its database name replaced by `name`.
pub fn database_url(server: &str, name: &str) -> String {
    let (head, query) = match server.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (server, String::new()),
    };
    let authority_end = head.find("://").map_or(0, |i| i + 3);
    let base = match head[authority_end..].find('/') {
        Some(slash) => &head[..authority_end + slash],
        None => head,
    };
    format!("{base}/{name}{query}")
}
