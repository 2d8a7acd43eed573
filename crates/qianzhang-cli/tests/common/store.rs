//! The store each test runs against, as the `--db` argument: a SQLite file
//! in the test's temp dir by default; with `QIANZHANG_TEST_BACKEND=postgres`
//! a fresh PostgreSQL database created for the test on the server
//! `QIANZHANG_TEST_PG` names (a role that may create databases), dropped
//! when the test ends.
//!
//! Tests that only read or tamper with rows do it on either backend
//! ([`TestStore::texts`], [`TestStore::tamper_each`]). Tests that inspect or
//! alter the SQLite file itself (file modes, locks, older schemas) are
//! SQLite-only: they build their `Env` with [`super::Env::sqlite`], or a
//! fixture inside [`super::on_sqlite`], and run on a file under either
//! setting.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use super::pg_server::{admin, database_url, server};

/// Which backend `Env::new` gives a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `QIANZHANG_TEST_BACKEND`: unset or `sqlite`, or `postgres`; anything
    /// else stops the run rather than testing the wrong thing.
    pub fn chosen() -> Backend {
        match std::env::var("QIANZHANG_TEST_BACKEND").as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("QIANZHANG_TEST_BACKEND={other}: expected sqlite or postgres"),
        }
    }

    /// The chosen backend, or SQLite inside [`super::on_sqlite`].
    pub fn current() -> Backend {
        if super::SQLITE_ONLY.with(|s| s.get()) {
            Backend::Sqlite
        } else {
            Backend::chosen()
        }
    }
}

/// One test's store.
pub enum TestStore {
    Sqlite(PathBuf),
    Postgres { name: String, url: String },
}

impl TestStore {
    /// A fresh, empty store of `backend` for a test whose files live in `dir`.
    pub fn fresh(backend: Backend, dir: &Path) -> TestStore {
        match backend {
            Backend::Sqlite => TestStore::Sqlite(dir.join("qianzhang.db")),
            Backend::Postgres => TestStore::create(None),
        }
    }

    /// A store holding what `master` holds: the SQLite file copied with the
    /// rest of the directory by the caller, or a PostgreSQL database made
    /// from the master's as its template.
    pub fn copy_of(master: &TestStore, dir: &Path) -> TestStore {
        match master {
            TestStore::Sqlite(_) => TestStore::Sqlite(dir.join("qianzhang.db")),
            TestStore::Postgres { name, .. } => TestStore::create(Some(name)),
        }
    }

    /// What `--db` (and `QIANZHANG_DB`) is given.
    pub fn spec(&self) -> String {
        match self {
            TestStore::Sqlite(path) => path.display().to_string(),
            TestStore::Postgres { url, .. } => url.clone(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            TestStore::Sqlite(_) => Backend::Sqlite,
            TestStore::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The rows of `sql` (a query returning text in its one column).
    pub fn texts(&self, sql_sqlite: &str, sql_postgres: &str) -> Vec<String> {
        match self {
            TestStore::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut stmt = conn.prepare(sql_sqlite).unwrap();
                let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
                rows.map(Result::unwrap).collect()
            }
            TestStore::Postgres { url, .. } => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                client.query(sql_postgres, &[]).unwrap().iter().map(|r| r.get::<_, String>(0)).collect()
            }
        }
    }

    /// The rows of `sql`, one query for both backends (text in its one
    /// column: `CAST(… AS TEXT)` reads the same on either).
    pub fn query(&self, sql: &str) -> Vec<String> {
        self.texts(sql, sql)
    }

    /// Runs one statement with the guards standing, as any client of the
    /// store could: `Err` with the store's message when it is refused.
    pub fn execute(&self, sql: &str) -> Result<(), String> {
        match self {
            TestStore::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.execute_batch(sql).map_err(|e| e.to_string())
            }
            TestStore::Postgres { url, .. } => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                client.batch_execute(sql).map_err(|e| e.to_string())
            }
        }
    }

    /// Runs `sql` (the dialect of the store's backend) with every guard
    /// trigger off, as the store's owner could: SQLite's dropped, the
    /// server's disabled for the statement and enabled again after.
    pub fn tamper_each(&self, sql_sqlite: &str, sql_postgres: &str) {
        match self {
            TestStore::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let triggers: Vec<String> = conn
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                for t in triggers {
                    conn.execute_batch(&format!("DROP TRIGGER {t}")).unwrap();
                }
                conn.execute_batch(sql_sqlite).unwrap_or_else(|e| panic!("{sql_sqlite}: {e}"));
            }
            TestStore::Postgres { url, .. } => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                let tables: Vec<String> = client
                    .query("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()", &[])
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                let toggle = |on: &str| -> String {
                    tables.iter().map(|t| format!("ALTER TABLE {t} {on} TRIGGER USER; ")).collect()
                };
                let sql = format!("BEGIN; {} {sql_postgres}; {} COMMIT;", toggle("DISABLE"), toggle("ENABLE"));
                client.batch_execute(&sql).unwrap_or_else(|e| panic!("{sql_postgres}: {e}"));
            }
        }
    }

    /// [`TestStore::tamper_each`] with SQL both backends read alike.
    pub fn tamper(&self, sql: &str) {
        self.tamper_each(sql, sql)
    }

    /// Creates a database `qzt_<pid>_<n>`, empty or from `template`.
    fn create(template: Option<&str>) -> TestStore {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        // Creating from a template needs it idle: one creation at a time.
        static CREATING: Mutex<()> = Mutex::new(());
        let server = server();
        let name = format!("qzt_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let _one = CREATING.lock().unwrap_or_else(|e| e.into_inner());
        let mut admin = admin();
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
            None => format!("CREATE DATABASE {name}"),
        };
        admin.batch_execute(&sql).unwrap_or_else(|e| panic!("{sql} on {server}: {e}"));
        let url = database_url(&server, &name);
        TestStore::Postgres { name, url }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let TestStore::Postgres { name, .. } = self {
            let _ = admin().batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
