//! The in-memory backend keeps the backend contract: every check of
//! `backend::contract`, each on a fresh `MemoryBackend`.

use time::macros::date;

use super::MemoryBackend;
use crate::backend::{contract, Actor, Anchor, Backend, LedgerHandle, Mismatch};
use crate::books::{Books, Event, FirstAdmin};
use crate::voucher::{Draft, Line, Origin, Side, Status, Voucher, VoucherRef};
use crate::{Money, Period};

/// Runs one check on a fresh in-memory backend.
fn on_a_fresh_backend(check: fn(&mut MemoryBackend)) {
    check(&mut MemoryBackend::new());
}

crate::backend_contract_tests!(on_a_fresh_backend);

/// `run_all` runs the same checks.
#[test]
fn run_all_runs_every_check() {
    contract::run_all(MemoryBackend::new);
}

#[test]
fn two_memory_backends_keep_the_same_books() {
    contract::two_backends_keep_the_same_books(&mut MemoryBackend::new(), &mut MemoryBackend::new());
}

/// A ledger with one voucher posted (entries 1..n), its handle and its backend.
fn posted_ledger() -> (MemoryBackend, LedgerHandle, VoucherRef) {
    let mut backend = MemoryBackend::new();
    let admin = FirstAdmin { name: "管理员".into(), passphrase_hash: "h".into(), today: date!(2025 - 01 - 01) };
    let actor = Actor { name: "管理员".into(), at: "2025-01-31T09:00:00+08:00".into(), command: "test".into() };
    let l = backend.create_ledger("甲社区", Period::parse("2025-01").unwrap(), &admin, &actor).unwrap();
    let r = backend
        .write(&l, &actor, |w| {
            let number = w.next_number(l.info.start)?;
            let line = |account: &str, side| Line {
                summary: "现金存入银行".into(),
                account: account.into(),
                side,
                amount: Money::from_fen(100),
                fund: None,
                counterparty: None,
            };
            let draft = Draft {
                date: date!(2025 - 01 - 05),
                lines: vec![line("1002", Side::Debit), line("1001", Side::Credit)],
                documents: vec![],
                authorization: None,
                reverses: None,
                source_ref: None,
            };
            let r = VoucherRef { period: l.info.start, number };
            w.append(Event::VoucherPrepared { voucher: Voucher::accepted(r, draft, Origin::Entered, "管理员") })?;
            w.append(Event::VoucherPosted { reference: r })?;
            Ok(r)
        })
        .unwrap();
    assert!(backend.verify(&l).unwrap().is_clean());
    (backend, l, r)
}

fn mismatch(backend: &MemoryBackend, l: &LedgerHandle) -> Mismatch {
    backend.verify(l).unwrap().mismatch.expect("verify finds the change")
}

#[test]
fn aud_2_verify_finds_a_voucher_changed_behind_the_log() {
    let (mut backend, l, r) = posted_ledger();
    let prepared = backend.fingerprint(&l).unwrap().seq - 1;
    backend.books_mut(&l).unwrap().vouchers.get_mut(&r).unwrap().1 = Status::Voided;
    let m = mismatch(&backend, &l);
    assert_eq!((m.table, m.seq), ("vouchers", Some(prepared)), "{}", m.detail);
}

#[test]
fn aud_2_verify_finds_a_balance_changed_behind_the_log() {
    let (mut backend, l, r) = posted_ledger();
    let totals = &mut backend.books_mut(&l).unwrap().period_totals;
    totals.get_mut(&("1002".to_string(), r.period)).unwrap().0 = Money::from_fen(1);
    assert_eq!(mismatch(&backend, &l).table, "balances");
}

#[test]
fn aud_2_verify_finds_a_log_entry_altered_or_removed() {
    let (mut backend, l, _) = posted_ledger();
    let mut altered = backend.clone();
    altered.log_mut(&l).unwrap()[1].actor = "别人".into();
    let m = mismatch(&altered, &l);
    assert_eq!((m.table, m.seq), ("log", Some(2)), "{}", m.detail);
    backend.log_mut(&l).unwrap().remove(1);
    let m = mismatch(&backend, &l);
    assert_eq!((m.table, m.seq), ("log", Some(2)), "{}", m.detail);
    assert!(m.detail.contains("缺失"), "{}", m.detail);
}

#[test]
fn aud_2_verify_against_a_fingerprint_never_logged_is_a_mismatch() {
    let (backend, l, _) = posted_ledger();
    let head = backend.fingerprint(&l).unwrap();
    let report = backend.verify_against(&l, Anchor::of(head.fingerprint, None)).unwrap();
    assert!(report.is_clean());
    assert_eq!(report.anchor.map(|a| a.seq), Some(head.seq));
    let never = Anchor::parse(&"0".repeat(64), None).unwrap();
    let report = backend.verify_against(&l, never).unwrap();
    assert_eq!(report.mismatch.map(|m| m.table), Some("log"));
}
