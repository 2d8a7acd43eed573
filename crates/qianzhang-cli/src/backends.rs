//! Where a store named on the command line is kept: [`open_backend`] is the
//! one function that decides it from what was typed.

use std::path::Path;

use crate::exit::Exit;
use crate::session::{open_existing, open_store, Store};

/// A store opened, in the backend it is kept in.
pub(crate) enum Opened {
    /// A SQLite file: a path.
    Sqlite(Store),
}

/// Whether what was typed names a PostgreSQL server rather than a file.
pub(crate) fn is_server(spec: &Path) -> bool {
    spec.to_str().is_some_and(|s| {
        let s = s.trim_start().to_ascii_lowercase();
        s.starts_with("postgres://") || s.starts_with("postgresql://")
    })
}

/// Opens the store `spec` names (what `--db` accepts): a path is a SQLite
/// file, created when `create` and missing; a `postgres://` address names a
/// PostgreSQL database, which this build cannot open. The address is never
/// echoed: it may hold a password.
pub(crate) fn open_backend(spec: &Path, create: bool) -> Result<Opened, Exit> {
    refuse_server(spec)?;
    let store = if create { open_store(spec)? } else { open_existing(spec)? };
    Ok(Opened::Sqlite(store))
}

/// A `postgres://` address where this build opens only files (`--db`
/// too): a usage error, not a file of that odd name.
pub(crate) fn refuse_server(spec: &Path) -> Result<(), Exit> {
    if is_server(spec) {
        return Err(Exit::Usage(
            "postgres:// 地址指向 PostgreSQL 数据库，但本程序未内置 PostgreSQL 支持；目前只能使用账簿文件（文件路径）"
                .into(),
        ));
    }
    Ok(())
}

/// Whether two specs name the same store: the same file, however the path
/// is written (relative, through a link, a hard link), or the same text.
pub(crate) fn same_store(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    if is_server(a) || is_server(b) {
        return false;
    }
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else { return false };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()) {
            return true;
        }
    }
    let _ = (ma, mb);
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Removes a store file this command created and left empty, with its
/// journal, so a copy that failed leaves the target as it was: absent.
pub(crate) fn remove_created(spec: &Path) {
    if is_server(spec) {
        return;
    }
    let _ = std::fs::remove_file(spec);
    let mut journal = spec.as_os_str().to_owned();
    journal.push("-journal");
    let _ = std::fs::remove_file(journal);
}
