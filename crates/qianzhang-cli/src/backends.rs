//! Where a store named on the command line is kept: [`open_backend`] opens
//! what was typed, a file or a PostgreSQL database (`qianzhang-db` decides).

use std::path::Path;

use crate::exit::Exit;
use crate::session::{open_store, Store};

/// Whether what was typed names a PostgreSQL server rather than a file.
pub(crate) fn is_server(spec: &Path) -> bool {
    !crate::session::is_file(spec)
}

/// Opens the store `spec` names (what `--db` accepts): a path is a SQLite
/// file, created when `create` and missing; a `postgres://` address names a
/// PostgreSQL database (its schema created when empty). Messages show the
/// address without its password.
pub(crate) fn open_backend(spec: &Path, create: bool) -> Result<Store, Exit> {
    let flag = if create { "--to" } else { "--from" };
    if !create && crate::session::is_file(spec) && !spec.exists() {
        return Err(Exit::Usage(format!(
            "找不到源账簿 {}；请用 --from 写出源账簿的文件路径或 PostgreSQL 地址",
            crate::session::missing(spec)
        )));
    }
    // The advice names the flag that was typed, not --db.
    open_store(spec).map_err(|e| match e {
        Exit::Usage(text) => Exit::Usage(text.replace("请用 --db 指明", &format!("请用 {flag} 指明"))),
        other => other,
    })
}

/// How a store is named to people: the path, or the address without its password.
pub(crate) fn shown(spec: &Path) -> String {
    qianzhang_db::Spec::of(spec).display()
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
