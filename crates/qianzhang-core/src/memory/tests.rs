//! The in-memory backend keeps the backend contract: every check of
//! `backend::contract`, each on a fresh `MemoryBackend`.

use super::MemoryBackend;
use crate::backend::contract;

macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                contract::$name(&mut MemoryBackend::new());
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

/// `run_all` runs the same checks.
#[test]
fn run_all_runs_every_check() {
    contract::run_all(MemoryBackend::new);
}
