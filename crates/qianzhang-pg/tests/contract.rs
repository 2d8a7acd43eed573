//! The PostgreSQL store keeps the backend contract: every check of
//! `qianzhang_core::backend::contract`, each on a fresh database.

mod common;

use qianzhang_pg::PgStore;

/// Runs one check on a fresh store in a database of its own.
fn on_a_fresh_store(check: fn(&mut PgStore)) {
    let Some(db) = common::TestDb::new() else { return };
    let mut store = db.store();
    check(&mut store);
    drop(store);
}

qianzhang_core::backend_contract_tests!(on_a_fresh_store);

/// The in-memory backend, given the same commands, keeps the same log hash
/// for hash and answers every read as the store does.
#[test]
fn the_memory_backend_keeps_the_same_books_as_the_store() {
    let Some(db) = common::TestDb::new() else { return };
    let mut store = db.store();
    qianzhang_core::backend::contract::two_backends_keep_the_same_books(
        &mut store,
        &mut qianzhang_core::memory::MemoryBackend::new(),
    );
}

/// The store as one side of an `Either` (what a front end holds when
/// `--db` may name either engine) keeps the same contract.
#[test]
fn as_one_side_of_either_it_keeps_the_contract() {
    use qianzhang_core::backend::Either;
    use qianzhang_core::memory::MemoryBackend;
    if common::server().is_none() {
        return;
    }
    let mut dbs = Vec::new();
    qianzhang_core::backend::contract::run_all(|| {
        let db = common::TestDb::new().expect("a test database");
        let store = db.store();
        dbs.push(db);
        Either::<MemoryBackend, PgStore>::Right(store)
    });
}
