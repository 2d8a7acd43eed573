//! The application's sign-in and refusal logging, against a real store:
//! what the command line and the web office share (OPR-1, AUD-1).

use std::time::Duration;

use qianzhang_app::session::{self, Claim};
use qianzhang_app::{accounts, ledger, Error, Ledger};
use qianzhang_core::operator::UNVERIFIED;
use qianzhang_core::{NewAccount, Period, Refusal, Refusals, Rule};
use qianzhang_store::Store;
use time::macros::datetime;

const NOW: time::OffsetDateTime = datetime!(2025-03-03 09:00:00 +08:00);
const PASSPHRASE: &str = "管理员的口令-2025";

fn claim(name: &str) -> Claim {
    Claim::new(Some(name), NOW, "test").expect("a plain name")
}

fn books(dir: &tempfile::TempDir) -> Ledger<Store> {
    let path = dir.path().join("books.db");
    let hash = session::hash_new(PASSPHRASE).expect("hashes");
    let start = Period::new(2025, 1).expect("valid");
    ledger::create(Store::open(&path).expect("opens"), "幸福里", start, &claim("管理员"), hash).expect("creates");
    Ledger::select(Store::open(&path).expect("opens"), None).expect("selects")
}

fn reopen(dir: &tempfile::TempDir) -> Ledger<Store> {
    Ledger::select(Store::open(&dir.path().join("books.db")).expect("opens"), None).expect("selects")
}

fn rule(e: &Error) -> Option<Rule> {
    e.refusals().and_then(|r| r.reasons.first()).map(|r| r.rule)
}

#[test]
fn opr_1_the_front_end_is_told_to_wait_and_failures_are_logged_unverified() {
    let dir = tempfile::tempdir().expect("temp dir");
    let waits = std::cell::RefCell::new(Vec::new());
    let mut wait =
        |name: &str, failures: u32, delay: Duration| waits.borrow_mut().push((name.to_string(), failures, delay));
    let first = session::sign_in(books(&dir), claim("管理员"), "猜错的口令", &mut wait).err().expect("refused");
    assert_eq!(rule(&first), Some(Rule::Opr1));
    assert!(matches!(first, Error::Refused { logged: true, .. }), "the failed sign-in is its own log entry");
    // The second guess is answered only after the wait the policy asks for,
    // which the application leaves to the front end.
    let second = session::sign_in(reopen(&dir), claim("管理员"), "又猜错了", &mut wait).err().expect("refused");
    assert_eq!(rule(&second), Some(Rule::Opr1));
    assert_eq!(*waits.borrow(), vec![("管理员".to_string(), 1, Duration::from_secs(1))]);
    let log = ledger::log(&reopen(&dir), 2).expect("log");
    assert!(log.iter().all(|e| e.actor == UNVERIFIED), "{:?}", log.iter().map(|e| &e.actor).collect::<Vec<_>>());
    // The right passphrase still signs in (no lockout yet) and acts as admin.
    let mut s = session::sign_in(reopen(&dir), claim("管理员"), PASSPHRASE, &mut wait).expect("signed in");
    let new = NewAccount { code: "520109".into(), name: "杂项".into(), kind: None, opened: None };
    let account = accounts::add(&mut s, &new).expect("an admin adds accounts");
    assert_eq!(account.code(), "520109");
}

#[test]
fn aud_1_a_refusal_before_the_books_is_logged_under_the_name_claimed_as_unverified() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ledger = books(&dir);
    let refusals = Refusals::one(Refusal::new(Rule::Vch1, "借贷不平"));
    let mut no_wait = |_: &str, _: u32, _: Duration| {};
    session::log_refusal(
        &mut ledger,
        Some(&claim("赵敏")),
        None,
        "2025-03-03T09:00:00+08:00",
        "voucher add",
        &refusals,
        &mut no_wait,
    )
    .expect("logged");
    let log = ledger::log(&ledger, 1).expect("log");
    assert_eq!(log[0].actor, UNVERIFIED);
    assert!(log[0].event.describe().contains("VCH-1"), "{}", log[0].event.describe());
    // With the passphrase checked, the refusal is the operator's.
    session::log_refusal(
        &mut ledger,
        Some(&claim("管理员")),
        Some(PASSPHRASE),
        "",
        "voucher add",
        &refusals,
        &mut no_wait,
    )
    .expect("logged");
    assert_eq!(ledger::log(&ledger, 1).expect("log")[0].actor, "管理员");
}

#[test]
fn a_blank_operator_is_a_usage_error_not_a_refusal() {
    assert!(matches!(Claim::new(Some("  "), NOW, "x"), Err(Error::Usage(_))));
    assert!(matches!(Claim::new(None, NOW, "x"), Err(Error::Usage(_))));
}
