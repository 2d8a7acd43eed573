//! What every backend must do, as checks any backend's tests can run.
//!
//! Each check takes a fresh, empty backend and panics with what it found
//! when the backend falls short. [`run_all`] runs every one; a backend's
//! test calls it with a function that makes a fresh backend (a temp file,
//! a new schema, …).

use time::Date;

use super::{copy_ledger, Actor, Backend, BackendError, CopyItem, LedgerHandle, PeriodTotalRow};
use crate::books::{Books, Event, FirstAdmin};
use crate::chain::{entry_hash, GENESIS};
use crate::rule::{refuse, Failure, Refusal, Refusals, Rule};
use crate::voucher::{Draft, Line, Origin, Side, Status, Voucher, VoucherRef};
use crate::{Money, Period};

/// Defines one `#[test]` per check of this suite, each handed by
/// `$on_fresh` (a `fn(fn(&mut B))`) a fresh backend of its own, so a
/// failure names the check. A backend's test file calls it once:
/// `qianzhang_core::backend_contract_tests!(on_a_fresh_store);`.
#[macro_export]
macro_rules! backend_contract_tests {
    ($on_fresh:path) => {
        $crate::backend_contract_tests!(@each $on_fresh;
            ledgers_are_created_listed_and_selected,
            ledgers_are_kept_apart,
            a_committed_write_is_visible_to_reads_and_the_log,
            a_refused_write_changes_nothing_and_logs_one_refusal,
            a_refusal_before_any_command_is_logged_once,
            a_read_never_commits,
            the_log_is_one_hash_chain,
            voucher_numbers_run_on_within_and_across_writes,
            period_totals_count_posted_vouchers_only,
            openings_are_read_back_and_count_before_go_live,
            each_voucher_walks_in_order_and_stops_at_an_error,
            verify_is_clean_on_an_untouched_ledger,
            the_log_is_dated_forward_and_fingerprinted_by_day,
            a_publication_records_the_close_fingerprint,
            scans_are_kept_once_and_served_only_to_their_ledger,
            a_ledger_is_copied_in_with_its_whole_log,
            a_ledger_is_copied_out_with_its_whole_log,
            a_tampered_or_broken_copy_is_refused_and_leaves_nothing,
            a_copy_never_lands_on_a_ledger_of_the_same_name,
        );
    };
    (@each $on_fresh:path; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $on_fresh($crate::backend::contract::$name);
            }
        )*
    };
}

/// Runs every check, each on a backend of its own from `fresh`.
pub fn run_all<B: Backend>(mut fresh: impl FnMut() -> B) {
    ledgers_are_created_listed_and_selected(&mut fresh());
    ledgers_are_kept_apart(&mut fresh());
    a_committed_write_is_visible_to_reads_and_the_log(&mut fresh());
    a_refused_write_changes_nothing_and_logs_one_refusal(&mut fresh());
    a_refusal_before_any_command_is_logged_once(&mut fresh());
    a_read_never_commits(&mut fresh());
    the_log_is_one_hash_chain(&mut fresh());
    voucher_numbers_run_on_within_and_across_writes(&mut fresh());
    period_totals_count_posted_vouchers_only(&mut fresh());
    openings_are_read_back_and_count_before_go_live(&mut fresh());
    each_voucher_walks_in_order_and_stops_at_an_error(&mut fresh());
    verify_is_clean_on_an_untouched_ledger(&mut fresh());
    the_log_is_dated_forward_and_fingerprinted_by_day(&mut fresh());
    a_publication_records_the_close_fingerprint(&mut fresh());
    scans_are_kept_once_and_served_only_to_their_ledger(&mut fresh());
    a_ledger_is_copied_in_with_its_whole_log(&mut fresh());
    a_ledger_is_copied_out_with_its_whole_log(&mut fresh());
    a_tampered_or_broken_copy_is_refused_and_leaves_nothing(&mut fresh());
    a_copy_never_lands_on_a_ledger_of_the_same_name(&mut fresh());
}

const START: &str = "2025-01";

fn start() -> Period {
    Period::parse(START).expect("a period")
}

fn day(d: u8) -> Date {
    Date::from_calendar_date(2025, time::Month::January, d).expect("a date")
}

fn actor(minute: u32) -> Actor {
    Actor { name: "管理员".into(), at: format!("2025-01-31T09:{minute:02}:00+08:00"), command: "contract".into() }
}

fn admin() -> FirstAdmin {
    FirstAdmin { name: "管理员".into(), passphrase_hash: "not checked here".into(), today: day(1) }
}

fn ledger(backend: &mut impl Backend, name: &str) -> LedgerHandle {
    match backend.create_ledger(name, start(), &admin(), &actor(0)) {
        Ok(l) => l,
        Err(e) => panic!("creating ledger {name}: {e}"),
    }
}

/// A deposit of `fen` from cash into the bank, numbered `number` of January.
fn deposit(number: u32, d: u8, fen: i64) -> Voucher {
    let line = |account: &str, side| Line {
        summary: "现金存入银行".into(),
        account: account.into(),
        side,
        amount: Money::from_fen(fen),
        fund: None,
        counterparty: None,
    };
    let draft = Draft {
        date: day(d),
        lines: vec![line("1002", Side::Debit), line("1001", Side::Credit)],
        documents: vec![],
        authorization: None,
        reverses: None,
        source_ref: None,
    };
    Voucher::accepted(VoucherRef { period: start(), number }, draft, Origin::Entered, "管理员")
}

/// Prepares the next voucher of January through the books, as a command would.
fn prepare<B: Books>(books: &mut B, d: u8, fen: i64) -> Result<VoucherRef, Failure> {
    let number = books.next_number(start())?;
    let voucher = deposit(number, d, fen);
    let reference = voucher.reference();
    books.append(Event::VoucherPrepared { voucher })?;
    Ok(reference)
}

fn seq(backend: &impl Backend, ledger: &LedgerHandle) -> i64 {
    backend.fingerprint(ledger).expect("fingerprint").seq
}

fn refusal(backend: &impl Backend, ledger: &LedgerHandle) -> Option<Refusals> {
    let tail = backend.log_tail(ledger, 1).expect("log tail");
    match tail.last().map(|e| &e.event) {
        Some(Event::Refused { reasons, .. }) => Some(reasons.clone()),
        _ => None,
    }
}

/// [LED-1] ledgers are listed in creation order, picked by name or as the
/// only one; a second ledger of the same name is refused.
pub fn ledgers_are_created_listed_and_selected(backend: &mut impl Backend) {
    assert!(backend.ledgers().expect("ledgers").is_empty(), "a fresh backend holds no ledger");
    assert!(matches!(backend.select(None), Err(Failure::Refused(_))), "no ledger to select is a refusal");
    let a = ledger(backend, "甲社区");
    assert_eq!(backend.select(None).expect("the only ledger"), a);
    let b = ledger(backend, "乙社区");
    assert_ne!(a.id, b.id);
    let names: Vec<String> = backend.ledgers().expect("ledgers").into_iter().map(|l| l.info.name).collect();
    assert_eq!(names, ["甲社区", "乙社区"]);
    assert_eq!(backend.select(Some("乙社区")).expect("by name"), b);
    assert!(matches!(backend.select(None), Err(Failure::Refused(_))), "two ledgers need a name");
    assert!(matches!(backend.select(Some("丙社区")), Err(Failure::Refused(_))));
    let again = backend.create_ledger("甲社区", start(), &admin(), &actor(1));
    assert!(matches!(again, Err(Failure::Refused(_))), "a second ledger of one name is refused");
    assert_eq!(backend.ledgers().expect("ledgers").len(), 2);
    assert!(!backend.chart(&a).expect("chart").is_empty(), "a new ledger has the default chart");
    assert!(backend.registry(&a).expect("registry").is_registered("管理员"), "and its first administrator");
}

/// What is written to one ledger is not seen in another.
pub fn ledgers_are_kept_apart(backend: &mut impl Backend) {
    let a = ledger(backend, "甲社区");
    let b = ledger(backend, "乙社区");
    let before = backend.fingerprint(&b).expect("fingerprint");
    backend.write(&a, &actor(1), |w| prepare(w, 5, 100)).expect("write");
    assert_eq!(backend.vouchers(&b, start(), start()).expect("vouchers").len(), 0);
    assert_eq!(backend.fingerprint(&b).expect("fingerprint"), before);
    assert_eq!(backend.vouchers(&a, start(), start()).expect("vouchers").len(), 1);
}

/// A write that succeeds is committed: the voucher reads back, the log's
/// last entry is its event, and the fingerprint moved to that entry.
pub fn a_committed_write_is_visible_to_reads_and_the_log(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let before = seq(backend, &l);
    let r = backend.write(&l, &actor(1), |w| prepare(w, 5, 12_345)).expect("write");
    let (v, status) = backend.voucher(&l, r).expect("voucher").expect("the voucher written");
    assert_eq!((v, status), (deposit(r.number, 5, 12_345), Status::Prepared));
    let head = backend.fingerprint(&l).expect("fingerprint");
    assert_eq!(head.seq, before + 1, "one event, one log entry");
    let tail = backend.log_tail(&l, 1).expect("log tail");
    let last = tail.last().expect("an entry");
    assert_eq!((last.seq, last.hash), (head.seq, head.fingerprint));
    assert_eq!((last.actor.as_str(), last.at.as_str()), ("管理员", actor(1).at.as_str()));
    assert!(matches!(&last.event, Event::VoucherPrepared { voucher } if voucher.reference() == r));
    // Inside the next write the books see it too.
    let seen = backend.write(&l, &actor(2), |w| Ok(w.voucher(r)?.map(|(_, s)| s))).expect("write");
    assert_eq!(seen, Some(Status::Prepared));
}

/// [AUD-1] a refused write keeps nothing it appended, and the log gains
/// exactly one `Refused` entry with the reasons.
pub fn a_refused_write_changes_nothing_and_logs_one_refusal(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let before = seq(backend, &l);
    let out: Result<(), Failure> = backend.write(&l, &actor(1), |w| {
        prepare(w, 5, 100)?;
        refuse(Rule::Vch1, "借贷不平衡")
    });
    let Err(Failure::Refused(reasons)) = out else { panic!("the refusal is returned: {out:?}") };
    assert_eq!(reasons.first_rule(), Rule::Vch1);
    assert!(backend.vouchers(&l, start(), start()).expect("vouchers").is_empty(), "nothing appended is kept");
    assert_eq!(seq(backend, &l), before + 1, "exactly one entry: the refusal");
    assert_eq!(refusal(backend, &l).map(|r| r.first_rule()), Some(Rule::Vch1));
    // A backend fault is no refusal, and is not logged as one.
    let fault: Result<(), Failure> =
        backend.write(&l, &actor(2), |_| Err(Failure::Backend(BackendError::Internal("contract".into()))));
    assert!(matches!(fault, Err(Failure::Backend(_))));
    assert_eq!(seq(backend, &l), before + 1);
}

/// [AUD-1] a refusal found before any command is logged once, in order.
pub fn a_refusal_before_any_command_is_logged_once(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let before = seq(backend, &l);
    let reasons = Refusals::one(Refusal::new(Rule::Csv1, "第 2 行：金额不是数字"));
    backend.log_refusal(&l, &actor(1), &reasons).expect("logged");
    assert_eq!(seq(backend, &l), before + 1);
    assert_eq!(refusal(backend, &l), Some(reasons.clone()));
    // An attempt dated before the log's last entry is not logged (AUD-1).
    let earlier = Actor { at: "2025-01-31T08:00:00+08:00".into(), ..actor(0) };
    backend.log_refusal(&l, &earlier, &reasons).expect("not an error");
    assert_eq!(seq(backend, &l), before + 1);
}

/// A read sees the books but keeps nothing, whatever it appends.
pub fn a_read_never_commits(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let before = backend.fingerprint(&l).expect("fingerprint");
    let r = backend.read(&l, |b| prepare(b, 5, 100)).expect("read");
    assert_eq!(r.number, 1);
    assert_eq!(backend.voucher(&l, r).expect("voucher"), None);
    assert_eq!(backend.fingerprint(&l).expect("fingerprint"), before);
    let refused: Result<(), Failure> = backend.read(&l, |_| refuse(Rule::Vch1, "只读"));
    assert!(matches!(refused, Err(Failure::Refused(_))));
    assert_eq!(backend.fingerprint(&l).expect("fingerprint"), before, "a read logs no refusal");
}

/// [AUD-1] entries are numbered from 1 without gaps, and each hash covers
/// the one before it and everything the entry records.
pub fn the_log_is_one_hash_chain(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    backend.write(&l, &actor(1), |w| prepare(w, 5, 100)).expect("write");
    let _ = backend.write(&l, &actor(2), |_| refuse::<()>(Rule::Vch1, "借贷不平衡"));
    let head = backend.fingerprint(&l).expect("fingerprint");
    let log = backend.log_tail(&l, usize::MAX >> 1).expect("the whole log");
    assert_eq!(log.len() as i64, head.seq);
    let mut prev = GENESIS;
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "entries are numbered without gaps");
        let payload = serde_json::to_string(&e.event).expect("an event serializes");
        let hash = entry_hash(&prev, e.seq, &e.at, &e.actor, e.event.kind(), &payload);
        assert_eq!(e.hash, hash, "entry {} does not chain", e.seq);
        prev = hash;
    }
    assert_eq!(prev, head.fingerprint);
    assert!(matches!(log.first().map(|e| &e.event), Some(Event::LedgerCreated { .. })));
}

/// [VCH-4] the next number follows the vouchers appended in the same
/// write and those committed before.
pub fn voucher_numbers_run_on_within_and_across_writes(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let refs = backend
        .write(&l, &actor(1), |w| {
            let a = prepare(w, 5, 100)?;
            let b = prepare(w, 6, 200)?;
            Ok([a.number, b.number])
        })
        .expect("write");
    assert_eq!(refs, [1, 2]);
    let next = backend.write(&l, &actor(2), |w| prepare(w, 7, 300)).expect("write");
    assert_eq!(next.number, 3);
    let other = backend.write(&l, &actor(3), |w| Ok(w.next_number(start().next())?)).expect("write");
    assert_eq!(other, 1, "each period is numbered on its own");
}

/// Period totals, balances and fund reads count posted vouchers only.
pub fn period_totals_count_posted_vouchers_only(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let posted = backend
        .write(&l, &actor(1), |w| {
            let a = prepare(w, 5, 10_000)?;
            prepare(w, 6, 99)?;
            w.append(Event::VoucherPosted { reference: a })?;
            Ok(a)
        })
        .expect("write");
    assert_eq!(backend.voucher(&l, posted).expect("voucher").map(|(_, s)| s), Some(Status::Posted));
    let mut totals = backend.period_totals(&l).expect("period totals");
    totals.retain(|t| !(t.debit.is_zero() && t.credit.is_zero()));
    totals.sort_by(|a, b| a.account.cmp(&b.account));
    let row = |account: &str, debit, credit| PeriodTotalRow {
        account: account.into(),
        period: start(),
        debit: Money::from_fen(debit),
        credit: Money::from_fen(credit),
    };
    assert_eq!(totals, [row("1001", 0, 10_000), row("1002", 10_000, 0)]);
    let bank = backend.write(&l, &actor(2), |w| Ok(w.balance("1002")?)).expect("write");
    assert_eq!(bank, Money::from_fen(10_000));
    let unposted = backend.write(&l, &actor(3), |w| Ok(w.unposted(start())?)).expect("write");
    assert_eq!(unposted, [VoucherRef { period: start(), number: 2 }]);
}

/// [OPN-1] opening balances are read back by account, a correction
/// replaces and zero removes; they count as the totals of the month before
/// go-live in every balance; a close is seen by `ever_closed` even when
/// reopened; `verify` replays them.
pub fn openings_are_read_back_and_count_before_go_live(backend: &mut impl Backend) {
    use crate::opening::{set_opening, Opening};
    let l = ledger(backend, "甲社区");
    let yuan = |y: i64| Money::from_fen(y * 100);
    backend
        .write(&l, &actor(1), |w| {
            set_opening(w, "1001", yuan(300))?;
            set_opening(w, "1002", yuan(9))?;
            set_opening(w, "3101", -yuan(500))?;
            Ok(())
        })
        .expect("write");
    backend
        .write(&l, &actor(2), |w| {
            set_opening(w, "1002", yuan(200))?;
            set_opening(w, "1001", Money::ZERO)?;
            set_opening(w, "1001", yuan(300))?;
            Ok(())
        })
        .expect("write");
    let openings = backend.openings(&l).expect("openings");
    let o = |account: &str, amount| Opening { account: account.into(), amount };
    assert_eq!(openings, [o("1001", yuan(300)), o("1002", yuan(200)), o("3101", -yuan(500))]);
    let mut totals = backend.period_totals(&l).expect("period totals");
    totals.retain(|t| !(t.debit.is_zero() && t.credit.is_zero()));
    totals.sort_by(|a, b| a.account.cmp(&b.account));
    let before = start().prev();
    let row = |account: &str, debit, credit| PeriodTotalRow { account: account.into(), period: before, debit, credit };
    assert_eq!(
        totals,
        [row("1001", yuan(300), Money::ZERO), row("1002", yuan(200), Money::ZERO), row("3101", Money::ZERO, yuan(500))]
    );
    let seen = backend
        .write(&l, &actor(3), |w| {
            Ok((
                w.balance("1002")?,
                w.balance_through("1", start())?,
                w.movements_from("1001", day(2), false)?.0,
                w.vouchers_touching("1002", day(1), day(31), false)?.0,
                w.ever_closed()?,
            ))
        })
        .expect("write");
    assert_eq!(seen, (yuan(200), yuan(500), yuan(300), yuan(200), false));
    backend
        .write(&l, &actor(4), |w| {
            w.append(Event::PeriodClosed { period: start(), reason: "月末结账".into(), in_transit: vec![] })?;
            w.append(Event::PeriodReopened {
                period: start(),
                reason: "更正".into(),
                accountant: "会计".into(),
                approver: "主任".into(),
            })?;
            Ok(())
        })
        .expect("write");
    assert!(backend.write(&l, &actor(5), |w| Ok(w.ever_closed()?)).expect("write"), "a reopened month was closed");
    let report = backend.verify(&l).expect("verify");
    assert!(report.mismatch.is_none(), "{:?}", report.mismatch);
}

/// Vouchers come in period and number order, and the walk stops at the
/// first error the caller returns.
pub fn each_voucher_walks_in_order_and_stops_at_an_error(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    backend
        .write(&l, &actor(1), |w| {
            for d in [9, 3, 5] {
                prepare(w, d, 100)?;
            }
            Ok(())
        })
        .expect("write");
    let numbers: Vec<u32> =
        backend.vouchers(&l, start(), start()).expect("vouchers").iter().map(|(v, _)| v.reference().number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    let mut seen = 0;
    let out = backend.each_voucher(&l, start(), start(), |_, _| {
        seen += 1;
        Err(BackendError::Io("the reader went away".into()))
    });
    assert_eq!(out, Err(BackendError::Io("the reader went away".into())));
    assert_eq!(seen, 1);
    assert!(backend.vouchers(&l, start().next(), start().next()).expect("vouchers").is_empty());
}

/// [AUD-2] an untouched ledger verifies clean, up to its fingerprint.
pub fn verify_is_clean_on_an_untouched_ledger(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    backend
        .write(&l, &actor(1), |w| {
            let a = prepare(w, 5, 10_000)?;
            w.append(Event::VoucherPosted { reference: a })
        })
        .expect("write");
    let _ = backend.write(&l, &actor(2), |_| refuse::<()>(Rule::Vch1, "借贷不平衡"));
    let head = backend.fingerprint(&l).expect("fingerprint");
    let report = backend.verify(&l).expect("verify");
    assert!(report.is_clean(), "{:?}", report.mismatch);
    assert_eq!((report.entries, report.fingerprint), (head.seq, head.fingerprint));
    let anchored = backend.verify_against(&l, super::Anchor::of(head.fingerprint, None)).expect("verify");
    assert!(anchored.is_clean(), "{:?}", anchored.mismatch);
    assert_eq!(anchored.anchor.map(|a| a.seq), Some(head.seq));
}

/// [AUD-1, AUD-3] a write dated before the log's last entry is refused and
/// leaves no trace, not even a refusal; the fingerprint at a day's end and
/// at a month's close are read from the entries' dates and kinds.
pub fn the_log_is_dated_forward_and_fingerprinted_by_day(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let created = backend.fingerprint(&l).expect("fingerprint");
    let earlier = Actor { at: "2025-01-31T08:00:00+08:00".into(), ..actor(0) };
    let out = backend.write(&l, &earlier, |w| prepare(w, 5, 100));
    let Err(Failure::Refused(reasons)) = out else { panic!("a write back in time is refused: {out:?}") };
    assert_eq!(reasons.first_rule(), Rule::Aud1);
    assert_eq!(backend.fingerprint(&l).expect("fingerprint"), created, "nothing is logged");
    assert!(backend.vouchers(&l, start(), start()).expect("vouchers").is_empty(), "nothing is kept");
    let next_day = Actor { at: "2025-02-01T09:00:00+08:00".into(), ..actor(0) };
    backend
        .write(&l, &next_day, |w| {
            prepare(w, 5, 100)?;
            w.append(Event::PeriodClosed { period: start(), reason: "contract".into(), in_transit: vec![] })
        })
        .expect("write");
    let head = backend.fingerprint(&l).expect("fingerprint");
    assert_eq!(backend.fingerprint_at(&l, day(30)).expect("fingerprint at"), None, "no entry before the ledger");
    assert_eq!(backend.fingerprint_at(&l, day(31)).expect("fingerprint at"), Some(created));
    let february = Date::from_calendar_date(2025, time::Month::February, 1).expect("a date");
    assert_eq!(backend.fingerprint_at(&l, february).expect("fingerprint at"), Some(head));
    assert_eq!(backend.close_fingerprint(&l, start()).expect("close fingerprint"), Some(head));
    assert!(backend.is_closed(&l, start()).expect("is closed"));
    assert_eq!(backend.close_fingerprint(&l, start().next()).expect("close fingerprint"), None);
}

/// [PUB-1] publishing a closed, reviewed month records the fingerprint of
/// the log entry that closed it, who published it and when; the other
/// ledger sees nothing.
pub fn a_publication_records_the_close_fingerprint(backend: &mut impl Backend) {
    let l = ledger(backend, "甲社区");
    let other = ledger(backend, "乙社区");
    backend
        .write(&l, &actor(1), |w| {
            w.append(Event::PeriodClosed { period: start(), reason: "contract".into(), in_transit: vec![] })
        })
        .expect("closed");
    let close = backend.close_fingerprint(&l, start()).expect("close fingerprint").expect("a close");
    backend
        .write(&l, &actor(2), |w| {
            let review = crate::disclosure::Review {
                span: START.into(),
                by: "管理员".into(),
                opinion: "经审核，收支属实".into(),
                date: day(31),
            };
            crate::disclosure::record_review(w, review, day(31))?;
            crate::publication::publish_disclosure(w, start(), day(31), "管理员", day(31))
        })
        .expect("published");
    let published = backend.publications(&l).expect("publications");
    assert_eq!(published.len(), 1, "{published:?}");
    let p = &published[0];
    assert_eq!((p.period, p.date, p.by.as_str(), p.at.as_str()), (start(), day(31), "管理员", actor(2).at.as_str()));
    assert_eq!(p.fingerprint, close.fingerprint.to_hex());
    let again = backend
        .write(&l, &actor(3), |w| crate::publication::publish_disclosure(w, start(), day(31), "管理员", day(31)));
    assert!(matches!(again, Err(Failure::Refused(_))), "the same close is published once");
    assert_eq!(backend.publications(&l).expect("publications").len(), 1);
    assert!(backend.publications(&other).expect("publications").is_empty());
    let report = backend.verify(&l).expect("verify");
    assert!(report.is_clean(), "{:?}", report.mismatch);
}

/// [DOC-1] a scan's bytes are kept once under their SHA-256 in the write
/// that attaches them, listed with their voucher, and read back only
/// through a ledger holding a voucher they are attached to.
pub fn scans_are_kept_once_and_served_only_to_their_ledger(backend: &mut impl Backend) {
    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n";
    let a = ledger(backend, "甲社区");
    let b = ledger(backend, "乙社区");
    let sha = crate::scan::sha256_hex(PDF);
    let (r1, r2) = backend.write(&a, &actor(1), |w| Ok((prepare(w, 5, 100)?, prepare(w, 6, 200)?))).expect("write");
    // A refused write keeps no bytes either.
    let refused: Result<(), Failure> = backend.write(&a, &actor(2), |w| {
        crate::scan::attach_scan(w, r1, "发票.pdf", None, PDF)?;
        refuse(Rule::Vch1, "借贷不平衡")
    });
    assert!(matches!(refused, Err(Failure::Refused(_))));
    assert!(backend.scans_of(&a, r1).expect("scans of").is_empty());
    assert_eq!(backend.scan(&a, &sha).expect("scan"), None);
    let info =
        backend.write(&a, &actor(3), |w| crate::scan::attach_scan(w, r1, "发票.pdf", None, PDF)).expect("attached");
    backend.write(&a, &actor(4), |w| crate::scan::attach_scan(w, r2, "副本.pdf", None, PDF)).expect("attached");
    assert_eq!(backend.scans_of(&a, r1).expect("scans of"), vec![info.clone()]);
    assert_eq!(backend.scans_of(&a, r2).expect("scans of").len(), 1);
    assert_eq!(backend.scan(&a, &sha).expect("scan"), Some((crate::scan::MediaType::Pdf, PDF.to_vec())));
    assert_eq!(backend.scan(&a, &"0".repeat(64)).expect("scan"), None);
    assert_eq!(backend.scan(&b, &sha).expect("scan"), None, "another ledger's scan is never served");
    assert!(backend.scans_of(&b, r1).expect("scans of").is_empty());
    let rb = backend.write(&b, &actor(5), |w| prepare(w, 5, 100)).expect("write");
    backend.write(&b, &actor(6), |w| crate::scan::attach_scan(w, rb, "发票.pdf", None, PDF)).expect("attached");
    assert_eq!(backend.scan(&b, &sha).expect("scan").map(|(m, _)| m), Some(crate::scan::MediaType::Pdf));
    for l in [&a, &b] {
        let report = backend.verify(l).expect("verify");
        assert!(report.is_clean(), "{:?}", report.mismatch);
    }
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n";

/// A ledger to copy: vouchers posted and prepared, a scan, a refused
/// command, a refusal logged before any command, and January closed.
fn copy_source<B: Backend>(backend: &mut B) -> LedgerHandle {
    let l = ledger(backend, "甲社区");
    let (r1, r2) = backend.write(&l, &actor(1), |w| Ok((prepare(w, 5, 12_345)?, prepare(w, 6, 200)?))).expect("write");
    backend.write(&l, &actor(2), |w| w.append(Event::VoucherPosted { reference: r1 })).expect("posted");
    backend.write(&l, &actor(3), |w| crate::scan::attach_scan(w, r2, "发票.pdf", None, PDF)).expect("attached");
    backend.write(&l, &actor(4), |w| w.append(Event::VoucherPosted { reference: r2 })).expect("posted");
    let _ = backend.write(&l, &actor(5), |_| refuse::<()>(Rule::Vch1, "借贷不平衡"));
    let reasons = Refusals::one(Refusal::new(Rule::Csv1, "第 2 行：金额不是数字"));
    backend.log_refusal(&l, &actor(6), &reasons).expect("logged");
    backend
        .write(&l, &actor(7), |w| {
            w.append(Event::PeriodClosed { period: start(), reason: "contract".into(), in_transit: vec![] })
        })
        .expect("closed");
    l
}

/// The copy holds the source's log entry for entry and hash for hash,
/// verifies clean with the same fingerprint, and reads the same.
fn same_copy(source: &impl Backend, ls: &LedgerHandle, target: &impl Backend, lt: &LedgerHandle) {
    assert_eq!(ls.info, lt.info, "the copy keeps the ledger's name and start");
    let entries = |backend: &dyn Fn() -> Vec<super::LogEntry>| -> Vec<String> {
        backend()
            .into_iter()
            .map(|e| format!("{} {} {} {:?} {}", e.seq, e.at, e.actor, e.event, e.hash.to_hex()))
            .collect()
    };
    let log_s = entries(&|| source.log_tail(ls, usize::MAX >> 1).expect("log"));
    let log_t = entries(&|| target.log_tail(lt, usize::MAX >> 1).expect("log"));
    assert!(log_s.len() >= 10, "the source has a log worth copying: {log_s:?}");
    assert_eq!(log_s, log_t, "the copy's log differs");
    let (vs, vt) = (source.verify(ls).expect("verify"), target.verify(lt).expect("verify"));
    assert!(vs.is_clean() && vt.is_clean(), "{:?} {:?}", vs.mismatch, vt.mismatch);
    assert_eq!((vs.entries, vs.fingerprint), (vt.entries, vt.fingerprint), "the copy's fingerprint differs");
    assert_eq!(source.fingerprint(ls).expect("fingerprint"), target.fingerprint(lt).expect("fingerprint"));
    assert_eq!(
        source.close_fingerprint(ls, start()).expect("close"),
        target.close_fingerprint(lt, start()).expect("close")
    );
    assert!(target.is_closed(lt, start()).expect("closed"), "the closed month stays closed");
    let vouchers = |b: &dyn Fn() -> Vec<(Voucher, Status)>| format!("{:?}", b());
    assert_eq!(
        vouchers(&|| source.vouchers(ls, start(), start()).expect("vouchers")),
        vouchers(&|| target.vouchers(lt, start(), start()).expect("vouchers"))
    );
    assert_eq!(target.vouchers(lt, start(), start()).expect("vouchers").len(), 2);
    let sorted = |mut rows: Vec<PeriodTotalRow>| {
        rows.retain(|t| !(t.debit.is_zero() && t.credit.is_zero()));
        rows.sort_by(|x, y| (&x.account, x.period).cmp(&(&y.account, y.period)));
        rows
    };
    assert_eq!(sorted(source.period_totals(ls).expect("totals")), sorted(target.period_totals(lt).expect("totals")));
    assert_eq!(format!("{:?}", source.registry(ls)), format!("{:?}", target.registry(lt)));
    let r2 = VoucherRef { period: start(), number: 2 };
    assert_eq!(target.scans_of(lt, r2).expect("scans of"), source.scans_of(ls, r2).expect("scans of"));
    let sha = crate::scan::sha256_hex(PDF);
    assert_eq!(target.scan(lt, &sha).expect("scan"), Some((crate::scan::MediaType::Pdf, PDF.to_vec())));
    let facts = |b: &dyn Fn() -> Vec<crate::audit::LogFact>| format!("{:?}", b());
    assert_eq!(
        facts(&|| source.log_facts(ls, &["refused", "period_closed"]).expect("facts")),
        facts(&|| target.log_facts(lt, &["refused", "period_closed"]).expect("facts"))
    );
}

/// [AUD-1, AUD-2, DOC-1] a ledger copied into this backend from another
/// keeps its whole log hash for hash, its scans and its closed month, and
/// verifies with the source's fingerprint; the copy gets this backend's
/// own key beside the ledgers already here, and its chain goes on.
pub fn a_ledger_is_copied_in_with_its_whole_log(backend: &mut impl Backend) {
    let mut source = crate::memory::MemoryBackend::new();
    let ls = copy_source(&mut source);
    let here = ledger(backend, "乙社区");
    let before = backend.fingerprint(&here).expect("fingerprint");
    let lt = copy_ledger(&source, &ls, backend).expect("copied");
    assert_ne!(lt.id, here.id, "the copy has a key of its own");
    assert_eq!(backend.ledgers().expect("ledgers").len(), 2);
    assert_eq!(backend.select(Some("甲社区")).expect("selected"), lt);
    assert_eq!(backend.fingerprint(&here).expect("fingerprint"), before, "the ledger already here is untouched");
    same_copy(&source, &ls, backend, &lt);
    let draft = Draft {
        date: day(20),
        lines: deposit(1, 20, 300).lines().to_vec(),
        documents: vec![],
        authorization: None,
        reverses: None,
        source_ref: None,
    };
    let closed = backend.write(&lt, &actor(8), |w| crate::books::prepare_voucher(w, draft, Origin::Entered, "管理员"));
    assert!(matches!(closed, Err(Failure::Refused(_))), "January stays closed in the copy: {closed:?}");
    assert_eq!(seq(backend, &lt), seq(&source, &ls) + 1, "the copy's chain goes on with the refusal");
    let report = backend.verify(&lt).expect("verify");
    assert!(report.is_clean(), "{:?}", report.mismatch);
}

/// [AUD-1, AUD-2, DOC-1] a ledger of this backend streams out whole: a
/// copy built from what it yields holds the same log, hash for hash, the
/// same scans, and verifies with the same fingerprint; a second ledger
/// held here is not part of it.
pub fn a_ledger_is_copied_out_with_its_whole_log(backend: &mut impl Backend) {
    let other = ledger(backend, "乙社区");
    backend.write(&other, &actor(1), |w| prepare(w, 5, 999)).expect("write");
    let ls = copy_source(backend);
    let mut items = (0, 0);
    backend
        .each_raw_entry(&ls, |item| {
            match item {
                CopyItem::Scan(_) => items.0 += 1,
                CopyItem::Entry(e) => {
                    assert_eq!(e.seq, items.1 + 1, "entries in order");
                    items.1 += 1;
                }
            }
            Ok::<_, BackendError>(())
        })
        .expect("walk");
    assert_eq!(items, (1, seq(backend, &ls)), "one scan, then every entry");
    let stop = backend.each_raw_entry(&ls, |_| Err(BackendError::Io("stop".into())));
    assert_eq!(stop, Err(BackendError::Io("stop".into())), "the first error stops the walk");
    let mut target = crate::memory::MemoryBackend::new();
    let lt = copy_ledger(backend, &ls, &mut target).expect("copied");
    same_copy(backend, &ls, &target, &lt);
    assert_eq!(target.ledgers().expect("ledgers").len(), 1);
}

/// [AUD-2, DOC-1] a copy whose chain does not check (an entry altered at
/// its source), whose scan does not hash to its address (both damage to
/// the source: `Corrupt`), or whose feed fails half-way is refused, and
/// this backend keeps nothing of it: no
/// ledger, no log entry, its other ledgers as they were.
pub fn a_tampered_or_broken_copy_is_refused_and_leaves_nothing(backend: &mut impl Backend) {
    let here = ledger(backend, "乙社区");
    let before = backend.fingerprint(&here).expect("fingerprint");
    let untouched = |backend: &mut dyn FnMut() -> (usize, super::LogHead)| {
        assert_eq!(backend(), (1, before), "a refused copy left something behind");
    };
    let fresh_source = || {
        let mut source = crate::memory::MemoryBackend::new();
        let l = copy_source(&mut source);
        (source, l)
    };

    let (mut source, ls) = fresh_source();
    source.log_mut(&ls).expect("log")[3].actor = "李四".into();
    let refused = copy_ledger(&source, &ls, backend);
    match refused {
        Err(Failure::Backend(BackendError::Corrupt { place })) => {
            assert!(place.contains("第 4 条") && place.contains("哈希"), "{place}");
        }
        other => panic!("a tampered entry is damage to the source, refused: {other:?}"),
    }
    untouched(&mut || (backend.ledgers().expect("ledgers").len(), backend.fingerprint(&here).expect("fingerprint")));

    let (mut source, ls) = fresh_source();
    let books = source.books_mut(&ls).expect("books");
    for (_, bytes) in books.scans.values_mut() {
        bytes.push(b'!');
    }
    let refused = copy_ledger(&source, &ls, backend);
    assert!(
        matches!(&refused, Err(Failure::Backend(BackendError::Corrupt { place })) if place.contains("扫描件")),
        "{refused:?}"
    );
    untouched(&mut || (backend.ledgers().expect("ledgers").len(), backend.fingerprint(&here).expect("fingerprint")));

    let (source, ls) = fresh_source();
    let total = seq(&source, &ls);
    let mut sent = 0;
    let broken = backend.restore_ledger(|sink| {
        source.each_raw_entry(&ls, |item| {
            if matches!(item, CopyItem::Entry(_)) {
                sent += 1;
                if sent == total {
                    return Err(Failure::Backend(BackendError::Io("源账簿读取中断".into())));
                }
            }
            sink(item)
        })
    });
    assert!(
        matches!(&broken, Err(Failure::Backend(BackendError::Io(m))) if m == "源账簿读取中断"),
        "the feed's own error comes back: {broken:?}"
    );
    untouched(&mut || (backend.ledgers().expect("ledgers").len(), backend.fingerprint(&here).expect("fingerprint")));
    assert!(backend.select(Some("甲社区")).is_err(), "no half-copied ledger");

    // After all that, the same copy from an intact source goes through.
    let (source, ls) = fresh_source();
    let lt = copy_ledger(&source, &ls, backend).expect("copied");
    same_copy(&source, &ls, backend, &lt);
}

/// [LED-1] a copy is refused when this backend already holds a ledger of
/// that name, and the ledger here is left as it was.
pub fn a_copy_never_lands_on_a_ledger_of_the_same_name(backend: &mut impl Backend) {
    let mut source = crate::memory::MemoryBackend::new();
    let ls = copy_source(&mut source);
    let here = ledger(backend, "甲社区");
    let before = backend.fingerprint(&here).expect("fingerprint");
    let refused = copy_ledger(&source, &ls, backend);
    assert!(matches!(&refused, Err(Failure::Refused(r)) if r.first_rule() == Rule::Led1), "{refused:?}");
    assert_eq!(backend.ledgers().expect("ledgers"), vec![here.clone()]);
    assert_eq!(backend.fingerprint(&here).expect("fingerprint"), before);
    let report = backend.verify(&here).expect("verify");
    assert!(report.is_clean(), "{:?}", report.mismatch);
}

/// The same commands, in the same order, on two backends: what each
/// [`two_backends_keep_the_same_books`] compares.
fn same_script<B: Backend>(backend: &mut B) -> LedgerHandle {
    let l = ledger(backend, "甲社区");
    let entered = backend
        .write(&l, &actor(1), |w| {
            let draft = Draft {
                date: day(5),
                lines: deposit(1, 5, 12_345).lines().to_vec(),
                documents: vec![],
                authorization: None,
                reverses: None,
                source_ref: None,
            };
            crate::books::prepare_voucher(w, draft, Origin::Entered, "管理员")
        })
        .expect("a voucher prepared by the command");
    backend
        .write(&l, &actor(2), |w| {
            prepare(w, 6, 200)?;
            prepare(w, 7, 300)?;
            w.append(Event::VoucherPosted { reference: entered })
        })
        .expect("write");
    let third = VoucherRef { period: start(), number: 3 };
    backend.write(&l, &actor(3), |w| crate::books::void_voucher(w, third, "金额写错")).expect("voided");
    backend
        .write(&l, &actor(4), |w| {
            crate::books::register_person(w, "李会计", Some("first".into()))?;
            crate::books::set_passphrase(w, "李会计", "reset".into(), "管理员")
        })
        .expect("a person");
    backend
        .write(&l, &actor(5), |w| {
            w.append(Event::SignInFailed {
                claimed: "李会计".into(),
                command: "contract".into(),
                reason: "口令不对".into(),
                failures: 1,
                locked_until: None,
            })?;
            w.append(Event::BudgetSet { year: 2025, account: "1002".into(), amount: Money::from_fen(500_000) })?;
            w.append(Event::VoucherSigned {
                reference: VoucherRef { period: start(), number: 2 },
                signature: crate::lifecycle::Signature {
                    kind: crate::lifecycle::SignKind::Review,
                    person: "李会计".into(),
                    appointment_from: day(1),
                    at: actor(5).at,
                    resolution: None,
                },
            })?;
            w.append(Event::HouseholdRegistered {
                household: crate::collection::Household { door: "3号院2户".into(), head: Some("张三".into()) },
            })?;
            w.append(Event::CollectionRecorded {
                collection: crate::collection::Collection {
                    fund: "物业金".into(),
                    household: "3号院2户".into(),
                    payer: "张三".into(),
                    amount: Money::from_fen(1_000),
                    date: day(6),
                    receipt: "SJ0000001".into(),
                },
            })?;
            crate::approval::mark_calendar_day(
                w,
                crate::calendar::MarkedDay {
                    date: day(30),
                    kind: crate::calendar::DayKind::Holiday,
                    name: "补休".into(),
                },
            )?;
            w.append(Event::FileImported {
                file: "一月.csv".into(),
                sha256: "ab".repeat(32),
                encoding: "UTF-8".into(),
                rows: 0,
                vouchers: 0,
                history: false,
            })
        })
        .expect("write");
    let _ = backend.write(&l, &actor(6), |_| refuse::<()>(Rule::Vch1, "借贷不平衡"));
    let reasons = Refusals::one(Refusal::new(Rule::Csv1, "第 2 行：金额不是数字"));
    backend.log_refusal(&l, &actor(7), &reasons).expect("logged");
    backend
        .write(&l, &actor(8), |w| {
            w.append(Event::PeriodClosed { period: start(), reason: "contract".into(), in_transit: vec![] })
        })
        .expect("closed");
    backend
        .write(&l, &actor(9), |w| {
            let review = crate::disclosure::Review {
                span: START.into(),
                by: "管理员".into(),
                opinion: "经审核，收支属实".into(),
                date: day(31),
            };
            crate::disclosure::record_review(w, review, day(31))?;
            crate::publication::publish_disclosure(w, start(), day(31), "管理员", day(31))
        })
        .expect("published");
    l
}

/// Two backends given the same commands keep the same log, entry for entry
/// and hash for hash (so a fingerprint published from one verifies on the
/// other), and answer every read the same. Run with a reference backend
/// (the SQLite store) as `a` and a new one as `b`.
pub fn two_backends_keep_the_same_books(a: &mut impl Backend, b: &mut impl Backend) {
    let (la, lb) = (same_script(a), same_script(b));
    let same = |what: &str, x: String, y: String| assert_eq!(x, y, "the backends differ in {what}");
    let entries = |log: Vec<super::LogEntry>| -> Vec<String> {
        log.into_iter()
            .map(|e| {
                let payload = serde_json::to_string(&e.event).expect("an event serializes");
                format!("{} {} {} {payload} {}", e.seq, e.at, e.actor, e.hash.to_hex())
            })
            .collect()
    };
    let (log_a, log_b) =
        (a.log_tail(&la, usize::MAX >> 1).expect("log"), b.log_tail(&lb, usize::MAX >> 1).expect("log"));
    assert_eq!(entries(log_a), entries(log_b), "the logs differ");
    assert_eq!(a.fingerprint(&la).expect("fingerprint"), b.fingerprint(&lb).expect("fingerprint"));
    let sorted = |mut rows: Vec<PeriodTotalRow>| {
        rows.retain(|t| !(t.debit.is_zero() && t.credit.is_zero()));
        rows.sort_by(|x, y| (&x.account, x.period).cmp(&(&y.account, y.period)));
        rows
    };
    assert_eq!(sorted(a.period_totals(&la).expect("totals")), sorted(b.period_totals(&lb).expect("totals")));
    let (from, to) = (day(1), day(31));
    macro_rules! same {
        ($($read:ident ( $($arg:expr),* )),* $(,)?) => {
            $(
                same(
                    stringify!($read),
                    format!("{:?}", a.$read(&la, $($arg),*).expect(stringify!($read))),
                    format!("{:?}", b.$read(&lb, $($arg),*).expect(stringify!($read))),
                );
            )*
        };
    }
    same!(
        vouchers(start(), start()),
        voided(start(), start()),
        audit_vouchers(from, to),
        history_summary(start().prev(), start()),
        log_facts(&["refused", "period_closed", "passphrase_set", "sign_in_failed"]),
        failed_sign_ins("李会计"),
        acts_of("管理员", from, to),
        acts_of("李会计", from, to),
        fingerprint_at(day(31)),
        close_fingerprint(start()),
        is_closed(start()),
        period_span(),
        budgets(2025),
        chart(),
        registry(),
        settings(),
        funds(),
        fund_totals(),
        statement_totals(),
        collection_register(),
        assets(),
        reviews(),
        publications(),
        receipts(),
        authorizations(),
        cash_counts(from, to),
        signatures(VoucherRef { period: start(), number: 1 }),
        signatures(VoucherRef { period: start(), number: 2 }),
        signatures_in(start().prev(), start()),
    );
    let sha = "ab".repeat(32);
    let when_a = a.read(&la, |w| Ok(w.file_imported(&sha)?)).expect("file imported");
    let when_b = b.read(&lb, |w| Ok(w.file_imported(&sha)?)).expect("file imported");
    assert_eq!(when_a, when_b, "the backends differ in when a file was imported");
    assert_eq!(when_a.as_deref(), Some(actor(5).at.as_str()));
    // What was compared is there, not two empty answers.
    assert_eq!(a.voided(&la, start(), start()).expect("voided").len(), 1);
    assert_eq!(a.audit_vouchers(&la, from, to).expect("audit vouchers").len(), 3);
    assert_eq!(a.failed_sign_ins(&la, "李会计").expect("failed sign-ins").len(), 1);
    assert_eq!(a.acts_of(&la, "李会计", from, to).expect("acts").len(), 1, "the reset by the admin");
    assert_eq!(a.budgets(&la, 2025).expect("budgets").len(), 1);
    let signed = a.signatures_in(&la, start().prev(), start()).expect("signatures in");
    assert_eq!(signed.len(), 1, "one voucher signed: {signed:?}");
    assert_eq!(signed[0].0, VoucherRef { period: start(), number: 2 });
    assert!(a.signatures_in(&la, start().next(), start().next()).expect("signatures in").is_empty());
    assert!(a.close_fingerprint(&la, start()).expect("close fingerprint").is_some());
    assert_eq!(a.publications(&la).expect("publications").len(), 1);
    let (va, vb) = (a.verify(&la).expect("verify"), b.verify(&lb).expect("verify"));
    assert!(va.is_clean() && vb.is_clean(), "{:?} {:?}", va.mismatch, vb.mismatch);
    assert_eq!((va.entries, va.fingerprint), (vb.entries, vb.fingerprint));
}
