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
