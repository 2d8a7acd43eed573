//! The SQLite store keeps the backend contract: every check of
//! `qianzhang_core::backend::contract`, each on a fresh store file.

use qianzhang_core::backend::contract;
use qianzhang_store::Store;

/// A fresh store in a directory of its own, removed when the test ends.
fn fresh(dirs: &mut Vec<tempfile::TempDir>) -> Store {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Store::open(&dir.path().join("contract.db")).expect("a new store");
    dirs.push(dir);
    store
}

#[test]
fn sqlite_keeps_the_backend_contract() {
    let mut dirs = Vec::new();
    contract::run_all(|| fresh(&mut dirs));
}
