//! The books one string names, as front ends take it from `--db` or
//! `QIANZHANG_DB`: a `postgres://` or `postgresql://` URL selects the
//! PostgreSQL backend; anything else is the path of a SQLite file.
//!
//! Front ends hold a [`Db`] and use it as any `Backend`; only opening
//! depends on which engine it is. Nothing here decides bookkeeping.

use std::path::Path;
use std::time::Duration;

use qianzhang_core::backend::{BackendError, Either};
use qianzhang_pg::PgStore;
use qianzhang_store::Store;

/// The books, on either engine.
pub type Db = Either<Store, PgStore>;

/// What a `--db` value names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spec<'a> {
    /// A SQLite file.
    File(&'a Path),
    /// A PostgreSQL database, by its connection URL.
    Server(&'a str),
}

impl<'a> Spec<'a> {
    /// Reads a `--db` value: a URL with the `postgres` or `postgresql`
    /// scheme names a server; anything else is a file path.
    pub fn of(db: &'a Path) -> Spec<'a> {
        match db.to_str() {
            Some(url) if is_server_url(url) => Spec::Server(url),
            _ => Spec::File(db),
        }
    }

    /// How the books are named to people: the file's path, or the URL with
    /// its password left out (a message may be shown or logged anywhere).
    pub fn display(&self) -> String {
        match self {
            // A mistyped address (`postgress://…`) is a file name, shown as
            // an address would be.
            Spec::File(path) => redact(&path.display().to_string()),
            Spec::Server(url) => redact(url),
        }
    }
}

/// Whether `db` is a PostgreSQL connection URL.
pub fn is_server_url(db: &str) -> bool {
    let lower = db.get(..13).unwrap_or(db).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The URL without its password: `postgres://user:secret@host/db` is shown
/// as `postgres://user:***@host/db`, and a password given as a parameter
/// (`?password=secret`) as `?password=***`. The user information ends at
/// the last `@`, so a password holding `/`, `?` or `@` unescaped is hidden
/// whole.
pub fn redact(url: &str) -> String {
    let shown = redact_user_info(url);
    let Some(q) = shown.find('?') else { return shown };
    let params: Vec<&str> =
        shown[q + 1..]
            .split('&')
            .map(|kv| {
                if kv.split('=').next().is_some_and(|k| k.eq_ignore_ascii_case("password")) {
                    "password=***"
                } else {
                    kv
                }
            })
            .collect();
    format!("{}?{}", &shown[..q], params.join("&"))
}

fn redact_user_info(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let rest = &url[scheme_end..];
    let Some(at) = rest.rfind('@') else { return url.to_string() };
    match rest[..at].find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..scheme_end], &rest[..colon], &rest[at..]),
        None => url.to_string(),
    }
}

/// Opens (creating if needed) the books `db` names, waiting at most `wait`
/// for another command holding them. A new SQLite file is created; an empty
/// PostgreSQL database gets the schema.
pub fn open(db: &Path, wait: Duration) -> Result<Db, BackendError> {
    match Spec::of(db) {
        Spec::File(path) => Ok(Either::Left(Store::open_waiting(path, wait)?)),
        Spec::Server(url) => Ok(Either::Right(PgStore::connect(url, wait)?)),
    }
}

/// Makes an open backend ready for another request (a server keeps a few).
pub fn renew(db: &mut Db) -> Result<(), BackendError> {
    match db {
        Either::Left(store) => Ok(store.renew()?),
        Either::Right(store) => Ok(store.renew()?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_a_server_and_anything_else_a_file() {
        assert_eq!(Spec::of(Path::new("postgres://u@h/db")), Spec::Server("postgres://u@h/db"));
        assert_eq!(Spec::of(Path::new("POSTGRESQL://u@h/db")), Spec::Server("POSTGRESQL://u@h/db"));
        assert_eq!(Spec::of(Path::new("qianzhang.db")), Spec::File(Path::new("qianzhang.db")));
        assert_eq!(Spec::of(Path::new("./postgres:/x")), Spec::File(Path::new("./postgres:/x")));
        assert_eq!(Spec::of(Path::new("")), Spec::File(Path::new("")));
    }

    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(redact("postgres://qz:secret@127.0.0.1/qz"), "postgres://qz:***@127.0.0.1/qz");
        assert_eq!(
            redact("postgres://qz:s@cret@host:5432/qz?sslmode=disable"),
            "postgres://qz:***@host:5432/qz?sslmode=disable"
        );
        assert_eq!(redact("postgres://qz@host/qz"), "postgres://qz@host/qz");
        assert_eq!(redact("postgres://host/qz"), "postgres://host/qz");
        assert_eq!(redact("postgres://qz:a/b?c@host/qz"), "postgres://qz:***@host/qz");
        assert_eq!(redact("postgres://qz:secret@host"), "postgres://qz:***@host");
        assert_eq!(Spec::of(Path::new("postgres://a:b@h/d")).display(), "postgres://a:***@h/d");
        assert_eq!(redact("postgres://qz@host/qz?password=secret"), "postgres://qz@host/qz?password=***");
        assert_eq!(
            redact("postgres://qz@host/qz?sslmode=disable&PASSWORD=secret&application_name=x"),
            "postgres://qz@host/qz?sslmode=disable&password=***&application_name=x"
        );
        assert_eq!(redact("postgres://qz:s?x@host/qz?password=y"), "postgres://qz:***@host/qz?password=***");
    }
}
