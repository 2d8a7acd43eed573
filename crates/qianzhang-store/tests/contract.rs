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

macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                on_a_fresh_store(contract::$name);
            }
        )*
    };
}

checks!(
    ledgers_are_created_listed_and_selected,
    ledgers_are_kept_apart,
    a_committed_write_is_visible_to_reads_and_the_log,
    a_refused_write_changes_nothing_and_logs_one_refusal,
    a_refusal_before_any_command_is_logged_once,
    a_read_never_commits,
    the_log_is_one_hash_chain,
    voucher_numbers_run_on_within_and_across_writes,
    period_totals_count_posted_vouchers_only,
    each_voucher_walks_in_order_and_stops_at_an_error,
    verify_is_clean_on_an_untouched_ledger,
    the_log_is_dated_forward_and_fingerprinted_by_day,
);

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
