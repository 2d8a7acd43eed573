//! The books each office runs on, as the CLI's suites choose them: a copy
//! of a SQLite file by default; with `QIANZHANG_TEST_BACKEND=postgres` a
//! fresh PostgreSQL database on the server `QIANZHANG_TEST_PG` names (a
//! role that may create databases), made from a template seeded once per
//! test binary and dropped when the office is.
//!
//! The synchronous PostgreSQL client may not run on a thread that drives
//! async tasks (every test here is `#[tokio::test]`); what the harness
//! itself does on the server runs on a thread of its own ([`off_runtime`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use super::pg_server::{admin, database_url, server};

/// Which backend the offices of a run keep their books in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
}

/// Runs `f` on a thread outside any async runtime and returns what it gave.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
}

/// One office's books.
pub enum TestStore {
    Sqlite(PathBuf),
    Postgres { name: String, url: String },
}

impl TestStore {
    /// Fresh books holding what `seed` put in the run's template, for an
    /// office whose files live in `dir`.
    pub fn seeded(dir: &Path, seed: fn(&Path)) -> TestStore {
        match Backend::chosen() {
            Backend::Sqlite => {
                let path = dir.join("qianzhang.db");
                std::fs::copy(sqlite_template(seed), &path).expect("copy books");
                TestStore::Sqlite(path)
            }
            Backend::Postgres => {
                let template = postgres_template(seed);
                off_runtime(|| create(Some(template)))
            }
        }
    }

    /// What `Config::db` and `qianzhang_db::open` are given: the file, or
    /// the database's URL.
    pub fn path(&self) -> &Path {
        match self {
            TestStore::Sqlite(path) => path,
            TestStore::Postgres { url, .. } => Path::new(url),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            TestStore::Sqlite(_) => Backend::Sqlite,
            TestStore::Postgres { .. } => Backend::Postgres,
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let TestStore::Postgres { name, .. } = self {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            off_runtime(|| {
                let _ = admin().batch_execute(&sql);
            });
        }
    }
}

/// The seeded SQLite file, made once per test binary.
fn sqlite_template(seed: fn(&Path)) -> &'static PathBuf {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("qianzhang-server-template-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("template.db");
        let _ = std::fs::remove_file(&path);
        seed(&path);
        path
    })
}

/// The seeded PostgreSQL database, made once per test binary; its name.
fn postgres_template(seed: fn(&Path)) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        off_runtime(|| {
            let store = create(None);
            seed(store.path());
            let TestStore::Postgres { name, .. } = &store else { unreachable!("a database") };
            let name = name.clone();
            // Kept to the end of the run; the next run's sweep drops it.
            std::mem::forget(store);
            name
        })
    })
}

/// Creates a database `qzt_<pid>_<n>`, empty or from `template`.
fn create(template: Option<&str>) -> TestStore {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Creating from a template needs it idle: one creation at a time.
    static CREATING: Mutex<()> = Mutex::new(());
    let server = server();
    let name = format!("qzt_{}_s{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
    let _one = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
        None => format!("CREATE DATABASE {name}"),
    };
    admin().batch_execute(&sql).unwrap_or_else(|e| panic!("{sql} on {}: {e}", qianzhang_db::redact(&server)));
    let url = database_url(&server, &name);
    TestStore::Postgres { name, url }
}
