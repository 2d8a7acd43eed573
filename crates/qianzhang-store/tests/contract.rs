//! The SQLite store keeps the backend contract: every check of
//! `qianzhang_core::backend::contract`, each on a fresh store file.

use qianzhang_core::backend::contract;
use qianzhang_store::Store;

/// Runs one check on a fresh store in a directory of its own.
fn on_a_fresh_store(check: fn(&mut Store)) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut store = Store::open(&dir.path().join("contract.db")).expect("a new store");
    check(&mut store);
}

qianzhang_core::backend_contract_tests!(on_a_fresh_store);

/// `run_all` is what another backend's test calls; it runs the same checks.
#[test]
fn run_all_runs_every_check() {
    let mut dirs = Vec::new();
    contract::run_all(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(&dir.path().join("contract.db")).expect("a new store");
        dirs.push(dir);
        store
    });
}

/// The in-memory backend, given the same commands, keeps the same log hash
/// for hash and answers every read as the store does.
#[test]
fn the_memory_backend_keeps_the_same_books_as_the_store() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut store = Store::open(&dir.path().join("contract.db")).expect("a new store");
    contract::two_backends_keep_the_same_books(&mut store, &mut qianzhang_core::memory::MemoryBackend::new());
}

/// A store opened as one side of an `Either` (what a front end holds when
/// `--db` may name either engine) keeps the same contract, on either side.
#[test]
fn either_side_keeps_the_contract() {
    use qianzhang_core::backend::Either;
    use qianzhang_core::memory::MemoryBackend;
    let mut dirs = Vec::new();
    contract::run_all(|| {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(&dir.path().join("contract.db")).expect("a new store");
        dirs.push(dir);
        Either::<MemoryBackend, Store>::Right(store)
    });
    contract::run_all(|| Either::<MemoryBackend, Store>::Left(MemoryBackend::new()));
}
