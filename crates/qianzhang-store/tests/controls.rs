//! Property test of the internal controls over random command sequences:
//! expenses (some paying the director's brother), cash advances and their
//! settlements, signatures by anyone in any order, batch posting, voids,
//! reversals and their corrections, cash counts and sign-ins with wrong
//! passphrases. Whatever the sequence:
//! - no expense or payment is confirmed or posted without an approval
//!   signature by the approver, or by the deputy a stand-aside resolution
//!   names (SEP-6, APR-1);
//! - no document supports two live vouchers (DOC-2);
//! - no authorization pays beyond its cap, counting each yuan once (APR-2);
//! - every cash count ever recorded is still listed (CSH-2);
//! - five failed sign-ins in a row lock the name, and a failed sign-in is
//!   never filed under the name it claimed (AUD-1, OPR-1);
//! - a refusal changes nothing, and the log replays to what is stored.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use qianzhang_core::account::NewAccount;
use qianzhang_core::approval::{AuthKind, Authorization, StandAside};
use qianzhang_core::books::{
    add_account, appoint, post_voucher, prepare_voucher, record_authorization, record_kinship, register_person,
    reverse_voucher, void_voucher, Books, FirstAdmin,
};
use qianzhang_core::cash::record_count;
use qianzhang_core::lifecycle::{approval_defects, nature, next_step, required, sign_voucher, Next, SignKind};
use qianzhang_core::operator::{admit_signed_in, check_passphrase, hash_passphrase, Act, Gate, SIGN_IN, UNVERIFIED};
use qianzhang_core::people::{Appointment, KinFact, Role};
use qianzhang_core::{Document, Draft, Failure, Line, Money, Origin, Period, Side, Status, VoucherRef};
use qianzhang_store::{Actor, Backend, LedgerHandle, Store};
use time::macros::{date, datetime};
use time::Date;

const AT: &str = "2025-01-31T18:00:00+08:00";
const TODAY: Date = date!(2025 - 01 - 31);
const PASSPHRASE: &str = "正确的口令-2025";

const ACCOUNTANT: &str = "会计";
const REVIEWER: &str = "审核";
const DIRECTOR: &str = "主任";
const CASHIER: &str = "出纳";
const DEPUTY: &str = "副主任";
const BROTHER: &str = "主任弟";
const VENDOR: &str = "惠民文具店";
const PEOPLE: [&str; 6] = [ACCOUNTANT, REVIEWER, DIRECTOR, CASHIER, DEPUTY, BROTHER];

const SMALL: &str = "两委决议〔2025〕1号";
const LARGE: &str = "街道批复〔2025〕1号";
const STAND_ASIDE: &str = "两委决议〔2025〕2号";
const CAPS: [(&str, i64); 3] = [(SMALL, 300_000), (LARGE, 500_000), (STAND_ASIDE, 200_000)];

#[derive(Clone, Debug)]
enum Op {
    /// A purchase paid by bank, to the shop or the director's brother; the invoice is one of a few, its issuer typed one of three ways.
    Expense {
        day: u8,
        yuan: i64,
        invoice: u8,
        issuer: u8,
        brother: bool,
        cite: u8,
    },
    /// Cash lent to 张伟 on a 借款单, citing the small-spending resolution.
    Advance {
        day: u8,
        yuan: i64,
    },
    /// 张伟 settles his advance with an invoice of `yuan`.
    Settle {
        day: u8,
        yuan: i64,
        invoice: u8,
    },
    Sign {
        pick: usize,
        kind: u8,
        signer: usize,
    },
    /// Each signature the voucher waits for, by the officer whose it is
    /// (the deputy for the director's brother), then posting.
    Walk {
        pick: usize,
    },
    /// The accountant posts several vouchers in one command.
    PostBatch {
        picks: Vec<usize>,
    },
    Void {
        pick: usize,
    },
    Reverse {
        pick: usize,
    },
    /// A new voucher with the lines and documents of an old one.
    Correct {
        pick: usize,
        day: u8,
    },
    Count {
        day: u8,
        yuan: i64,
        counter: usize,
    },
    SignIn {
        person: usize,
        right: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (2u8..29, 50i64..2_500, 0u8..4, 0u8..3, prop::bool::weighted(0.3), 0u8..3)
            .prop_map(|(day, yuan, invoice, issuer, brother, cite)| Op::Expense { day, yuan, invoice, issuer, brother, cite }),
        1 => (2u8..29, 100i64..1_500).prop_map(|(day, yuan)| Op::Advance { day, yuan }),
        1 => (2u8..29, 100i64..2_000, 0u8..4).prop_map(|(day, yuan, invoice)| Op::Settle { day, yuan, invoice }),
        6 => (0usize..30, 0u8..3, 0usize..6).prop_map(|(pick, kind, signer)| Op::Sign { pick, kind, signer }),
        5 => (0usize..30).prop_map(|pick| Op::Walk { pick }),
        2 => prop::collection::vec(0usize..30, 1..4).prop_map(|picks| Op::PostBatch { picks }),
        1 => (0usize..30).prop_map(|pick| Op::Void { pick }),
        1 => (0usize..30).prop_map(|pick| Op::Reverse { pick }),
        1 => (0usize..30, 2u8..29).prop_map(|(pick, day)| Op::Correct { pick, day }),
        1 => (2u8..29, 4_000i64..6_000, 0usize..6).prop_map(|(day, yuan, counter)| Op::Count { day, yuan, counter }),
        2 => (0usize..6, prop::bool::weighted(0.3)).prop_map(|(person, right)| Op::SignIn { person, right }),
    ]
}

fn actor(name: &str) -> Actor {
    Actor { name: name.into(), at: AT.into(), command: "proptest".into() }
}

fn day(d: u8) -> Date {
    Date::from_calendar_date(2025, time::Month::January, d).unwrap()
}

fn line(account: &str, side: Side, fen: i64, counterparty: Option<&str>) -> Line {
    Line {
        summary: "测试".into(),
        account: account.into(),
        side,
        amount: Money::from_fen(fen),
        fund: None,
        counterparty: counterparty.map(str::to_string),
    }
}

fn invoice(n: u8, issuer: Option<&str>, fen: i64) -> Document {
    Document {
        doc_type: "发票".into(),
        issuer: issuer.map(str::to_string),
        number: Some(format!("044001900111-0000000{n}")),
        amount: Some(Money::from_fen(fen)),
        handler: Some("张伟".into()),
        checker: Some("李娜".into()),
        date: None,
    }
}

fn draft(date: Date, lines: Vec<Line>, documents: Vec<Document>, authorization: &str) -> Draft {
    Draft { date, lines, documents, authorization: Some(authorization.into()), reverses: None, source_ref: None }
}

/// What a voucher takes from its authorization, as the test's own model
/// counts it: an expense its amount, an advance when lent, a settlement
/// only what it pays beyond the advance (or less what comes back).
#[derive(Clone, Debug)]
struct Counted {
    authorization: String,
    fen: i64,
}

struct Office {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: Store,
    ledger: LedgerHandle,
}

fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("controls.db");
    let mut store = Store::open(&path).unwrap();
    let start = Period::parse("2025-01").unwrap();
    let hash = hash_passphrase(PASSPHRASE, "c2FsdHNhbHRzYWx0c2FsdA").unwrap();
    let admin = FirstAdmin { name: "管理员".into(), passphrase_hash: hash.clone(), today: start.first_day() };
    let ledger = store.create_ledger("控制", start, &admin, &actor("管理员")).unwrap();
    store
        .write(&ledger, &actor("管理员"), |w| {
            for p in PEOPLE {
                register_person(w, p, Some(hash.clone()))?;
            }
            let from = start.first_day();
            for (person, role, leader, title) in [
                (ACCOUNTANT, Role::Accountant, false, None),
                (REVIEWER, Role::Reviewer, false, None),
                (DIRECTOR, Role::Approver, true, Some("主任")),
                (CASHIER, Role::Cashier, false, None),
                (DEPUTY, Role::Auditor, true, Some("副主任")),
            ] {
                let title = title.map(str::to_string);
                appoint(
                    w,
                    Appointment { person: person.into(), role, from, ended: None, leader, title, acting: false },
                )?;
            }
            record_kinship(w, KinFact::Sibling { a: DIRECTOR.into(), b: BROTHER.into() }, from)?;
            add_account(w, &NewAccount { code: "112201".into(), name: "张伟".into(), kind: None, opened: None })?;
            for (number, kind, cap) in [(SMALL, AuthKind::Resolution, 300_000), (LARGE, AuthKind::Government, 500_000)]
            {
                let scope = "办公用品".into();
                let a = Authorization {
                    number: number.into(),
                    kind,
                    date: from,
                    scope,
                    cap: Money::from_fen(cap),
                    stand_aside: None,
                    decision: None,
                };
                record_authorization(w, a)?;
            }
            let stand_aside =
                StandAside { payee: BROTHER.into(), deputy: DEPUTY.into(), withdrawn: vec![DIRECTOR.into()] };
            record_authorization(
                w,
                Authorization {
                    number: STAND_ASIDE.into(),
                    kind: AuthKind::Resolution,
                    date: from,
                    scope: "向主任弟采购办公用品（主任回避）".into(),
                    cap: Money::from_fen(200_000),
                    stand_aside: Some(stand_aside),
                    decision: None,
                },
            )?;
            // Money to pay from, migrated as history before go-live.
            let opening = Draft {
                date: date!(2024 - 12 - 31),
                lines: vec![
                    line("1001", Side::Debit, 500_000, None),
                    line("1002", Side::Debit, 10_000_000, None),
                    line("3101", Side::Credit, 10_500_000, None),
                ],
                documents: vec![],
                authorization: None,
                reverses: None,
                source_ref: None,
            };
            prepare_voucher(w, opening, Origin::History, ACCOUNTANT)?;
            Ok::<_, Failure>(())
        })
        .unwrap();
    Office { _dir: dir, path, store, ledger }
}

fn books_rows(path: &std::path::Path) -> Vec<String> {
    common::rows(path, &["vouchers", "balances", "signatures", "documents", "cash_counts", "people", "appointments"])
}

/// Runs one act as `who`, admitted for `act` the way every front end does.
fn act<T>(
    o: &mut Office,
    who: &str,
    act: Act,
    f: impl FnOnce(&mut qianzhang_store::Writer<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    o.store.write(&o.ledger, &actor(who), |w| {
        admit_signed_in(w.registry(), who, act, TODAY)?;
        f(w)
    })
}

/// A sign-in as the CLI makes it: the lockout gate, the passphrase check,
/// and a failure logged under no one's name. Returns whether it was let in.
fn sign_in(o: &mut Office, name: &str, passphrase: &str) -> bool {
    let now = datetime!(2025-01-31 18:00 +8);
    let failures = o.store.failed_sign_ins(&o.ledger, name).unwrap();
    let prior = match SIGN_IN.gate(&failures, now) {
        Gate::Locked { .. } => return false,
        Gate::Open { failures, .. } => failures,
    };
    let registry = o.store.registry(&o.ledger).unwrap();
    let Err(why) = check_passphrase(&registry, name, passphrase) else { return true };
    let (event, _) = SIGN_IN.failed(prior, name, "proptest", why, now);
    o.store.write(&o.ledger, &actor(UNVERIFIED), |w| w.append(event)).unwrap();
    false
}

/// Signs `r` step by step as its officers would, then posts it; stops at
/// the first refusal, having checked that it changed nothing. Each step is
/// a command of its own, so the walk as a whole is not one.
fn walk(o: &mut Office, r: VoucherRef) -> Result<(), Failure> {
    loop {
        let Some((v, status)) = o.store.voucher(&o.ledger, r).unwrap() else { return Ok(()) };
        if status != Status::Prepared {
            return Ok(());
        }
        let chart = o.store.chart(&o.ledger).unwrap();
        let signed = o.store.signatures(&o.ledger, r).unwrap();
        match next_step(&chart, &v, &signed) {
            Next::Sign(kind) => {
                let brother = v.lines().iter().any(|l| l.counterparty.as_deref() == Some(BROTHER));
                let who = match kind {
                    SignKind::Review => REVIEWER,
                    SignKind::Approve if brother => DEPUTY,
                    SignKind::Approve => DIRECTOR,
                    SignKind::Confirm => CASHIER,
                };
                let before = books_rows(&o.path);
                match act(o, who, Act::Sign, |w| sign_voucher(w, r, kind, who, TODAY, AT)) {
                    Ok(()) => {}
                    Err(Failure::Refused(_)) => {
                        assert_eq!(books_rows(&o.path), before, "a refused signature changed the books");
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                }
            }
            Next::Post => return act(o, ACCOUNTANT, Act::Post, |w| post_voucher(w, r, ACCOUNTANT, TODAY)),
        }
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut o = office();
    let mut refs: Vec<VoucherRef> = Vec::new();
    let mut counted: BTreeMap<VoucherRef, Counted> = BTreeMap::new();
    let mut advance: Option<(i64, String)> = None;
    let mut counts: Vec<(Date, i64, String)> = Vec::new();
    let mut streak: BTreeMap<&str, u32> = BTreeMap::new();
    let mut locked: BTreeSet<&str> = BTreeSet::new();
    let pick = |refs: &[VoucherRef], k: usize| (!refs.is_empty()).then(|| refs[k % refs.len()]);

    for op in ops {
        let before = books_rows(&o.path);
        let result: Result<(), Failure> = match &op {
            Op::Expense { day: d, yuan, invoice: n, issuer, brother, cite } => {
                let fen = yuan * 100 + 37;
                let payee = if *brother { BROTHER } else { VENDOR };
                let issuer = [None, Some(VENDOR), Some("惠民文具店（总店）")][*issuer as usize];
                let cited = if *brother { STAND_ASIDE } else { [SMALL, LARGE, SMALL][*cite as usize] };
                let lines =
                    vec![line("5201", Side::Debit, fen, Some(payee)), line("1002", Side::Credit, fen, Some(payee))];
                let d = draft(day(*d), lines, vec![invoice(*n, issuer, fen)], cited);
                act(&mut o, ACCOUNTANT, Act::KeepBooks, |w| prepare_voucher(w, d, Origin::Entered, ACCOUNTANT)).map(
                    |r| {
                        counted.insert(r, Counted { authorization: cited.into(), fen });
                        refs.push(r);
                    },
                )
            }
            Op::Advance { day: d, yuan } => {
                let fen = yuan * 100;
                let slip = Document {
                    doc_type: "借款单".into(),
                    issuer: None,
                    number: Some(format!("JK-{}", refs.len())),
                    amount: Some(Money::from_fen(fen)),
                    handler: Some("张伟".into()),
                    checker: None,
                    date: None,
                };
                let lines = vec![line("112201", Side::Debit, fen, None), line("1001", Side::Credit, fen, None)];
                let d = draft(day(*d), lines, vec![slip], SMALL);
                act(&mut o, ACCOUNTANT, Act::KeepBooks, |w| prepare_voucher(w, d, Origin::Entered, ACCOUNTANT)).map(
                    |r| {
                        counted.insert(r, Counted { authorization: SMALL.into(), fen });
                        advance = Some((fen, SMALL.into()));
                        refs.push(r);
                    },
                )
            }
            Op::Settle { day: d, yuan, invoice: n } => match advance.clone() {
                None => Ok(()),
                Some((lent, cited)) => {
                    let spent = yuan * 100;
                    let mut lines =
                        vec![line("5201", Side::Debit, spent, Some(VENDOR)), line("112201", Side::Credit, lent, None)];
                    match spent - lent {
                        0 => {}
                        more if more > 0 => lines.push(line("1001", Side::Credit, more, None)),
                        back => lines.push(line("1001", Side::Debit, -back, None)),
                    }
                    let d = draft(day(*d), lines, vec![invoice(10 + n, Some(VENDOR), spent)], &cited);
                    act(&mut o, ACCOUNTANT, Act::KeepBooks, |w| prepare_voucher(w, d, Origin::Entered, ACCOUNTANT)).map(
                        |r| {
                            counted.insert(r, Counted { authorization: cited, fen: spent - lent });
                            advance = None;
                            refs.push(r);
                        },
                    )
                }
            },
            Op::Sign { pick: k, kind, signer } => match pick(&refs, *k) {
                None => Ok(()),
                Some(r) => {
                    let kind = [SignKind::Review, SignKind::Approve, SignKind::Confirm][*kind as usize];
                    let who = PEOPLE[*signer];
                    act(&mut o, who, Act::Sign, |w| sign_voucher(w, r, kind, who, TODAY, AT))
                }
            },
            Op::Walk { pick: k } => match pick(&refs, *k) {
                None => Ok(()),
                Some(r) => walk(&mut o, r),
            },
            Op::PostBatch { picks } => {
                let batch: Vec<VoucherRef> = picks.iter().filter_map(|k| pick(&refs, *k)).collect();
                act(&mut o, ACCOUNTANT, Act::Post, |w| {
                    qianzhang_core::batch::each_voucher(w, &batch, |w, r| post_voucher(w, r, ACCOUNTANT, TODAY))
                })
            }
            Op::Void { pick: k } => match pick(&refs, *k) {
                None => Ok(()),
                Some(r) => act(&mut o, ACCOUNTANT, Act::KeepBooks, |w| void_voucher(w, r, "录错")),
            },
            Op::Reverse { pick: k } => match pick(&refs, *k) {
                None => Ok(()),
                Some(r) => act(&mut o, ACCOUNTANT, Act::KeepBooks, |w| reverse_voucher(w, r, TODAY, ACCOUNTANT, TODAY))
                    .map(|x| refs.push(x)),
            },
            Op::Correct { pick: k, day: d } => match pick(&refs, *k) {
                None => Ok(()),
                Some(r) => {
                    let (v, _) = o.store.voucher(&o.ledger, r).unwrap().unwrap();
                    match (v.reverses(), v.authorization(), counted.get(&r).cloned()) {
                        (None, Some(cited), Some(c)) => {
                            let d = draft(day(*d), v.lines().to_vec(), v.documents().to_vec(), cited);
                            act(&mut o, ACCOUNTANT, Act::KeepBooks, |w| {
                                prepare_voucher(w, d, Origin::Entered, ACCOUNTANT)
                            })
                            .map(|x| {
                                counted.insert(x, c);
                                refs.push(x);
                            })
                        }
                        _ => Ok(()),
                    }
                }
            },
            Op::Count { day: d, yuan, counter } => {
                let who = PEOPLE[*counter];
                act(&mut o, who, Act::HandleCash, |w| {
                    record_count(w, day(*d), Money::from_fen(yuan * 100), vec![], who, TODAY)
                })
                .map(|c| counts.push((c.date, c.counted.fen(), c.counter)))
            }
            Op::SignIn { person, right } => {
                let name = PEOPLE[*person];
                let let_in = sign_in(&mut o, name, if *right { PASSPHRASE } else { "猜的口令" });
                prop_assert_eq!(let_in, *right && !locked.contains(name), "{} {:?}", name, op);
                if !*right && !locked.contains(name) {
                    let n = streak.entry(name).or_default();
                    *n += 1;
                    if *n >= SIGN_IN.max_failures {
                        locked.insert(name);
                    }
                } else if let_in {
                    streak.insert(name, 0);
                }
                Ok(())
            }
        };
        match result {
            Ok(()) => {}
            Err(Failure::Refused(_)) => {
                prop_assert_eq!(books_rows(&o.path), before, "a refusal changed the books: {:?}", op)
            }
            Err(e) => return Err(TestCaseError::fail(format!("store fault on {op:?}: {e}"))),
        }
    }

    let vouchers =
        o.store.vouchers(&o.ledger, Period::parse("2025-01").unwrap(), Period::parse("2025-01").unwrap()).unwrap();
    let chart = o.store.chart(&o.ledger).unwrap();
    let registry = o.store.registry(&o.ledger).unwrap();

    // SEP-6, APR-1: every expense or payment confirmed or posted carries an
    // approval by the director, or, paying the director's brother, by the
    // deputy under the stand-aside resolution, never by the director.
    let defects = o
        .store
        .read(&o.ledger, |w| approval_defects(w, date!(2025 - 01 - 01), TODAY))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(defects.is_empty(), "{:?}", defects);
    for (v, status) in &vouchers {
        let signed = o.store.signatures(&o.ledger, v.reference()).unwrap();
        let confirmed = signed.iter().any(|s| s.kind == SignKind::Confirm);
        let n = nature(&chart, v);
        if !(n.expense || n.payment) || !(*status == Status::Posted || confirmed) {
            continue;
        }
        prop_assert!(required(&chart, v).contains(&SignKind::Approve));
        let approval = signed.iter().find(|s| s.kind == SignKind::Approve);
        let pays_brother = v.lines().iter().any(|l| l.counterparty.as_deref() == Some(BROTHER));
        match approval {
            None => prop_assert!(false, "{} {:?} without an approval", v.reference(), status),
            Some(s) if pays_brother => {
                prop_assert_eq!(&s.person, DEPUTY, "{} pays the director's brother", v.reference());
                prop_assert_eq!(s.resolution.as_deref(), Some(STAND_ASIDE));
            }
            Some(s) => prop_assert_eq!(&s.person, DIRECTOR, "{}", v.reference()),
        }
    }

    // DOC-2: a document supports at most one live voucher: one neither
    // voided nor reversed by a posted red reversal.
    let posted_reversal_of: BTreeSet<VoucherRef> = vouchers
        .iter()
        .filter(|(v, s)| *s == Status::Posted && v.reverses().is_some())
        .filter_map(|(v, _)| v.reverses())
        .collect();
    let mut holders: BTreeMap<String, Vec<VoucherRef>> = BTreeMap::new();
    for (v, status) in &vouchers {
        if *status == Status::Voided || posted_reversal_of.contains(&v.reference()) {
            continue;
        }
        for d in v.documents() {
            // An invoice is its number, whatever issuer was typed.
            let key = format!("{}:{}", d.doc_type, d.number.clone().unwrap_or_default());
            holders.entry(key).or_default().push(v.reference());
        }
    }
    for (doc, live) in &holders {
        prop_assert!(live.len() <= 1, "{} supports {:?}", doc, live);
    }

    // APR-2: each authorization's posted spending, each yuan counted once,
    // stays within its cap.
    let mut spent: BTreeMap<&str, i64> = BTreeMap::new();
    for (v, status) in &vouchers {
        if *status == Status::Posted && v.reverses().is_none() {
            if let Some(c) = counted.get(&v.reference()) {
                let reversed = posted_reversal_of.contains(&v.reference());
                if !reversed {
                    *spent.entry(CAPS.iter().find(|(n, _)| *n == c.authorization).unwrap().0).or_default() += c.fen;
                }
            }
        }
    }
    for (number, cap) in CAPS {
        prop_assert!(spent.get(number).copied().unwrap_or(0) <= cap, "{} spent {:?} of {}", number, spent, cap);
    }

    // CSH-2: every count recorded is still listed, recounts beside the first.
    let listed = o
        .store
        .read(&o.ledger, |w| Ok(w.cash_counts(Period::parse("2025-01").unwrap())?))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let listed: Vec<(Date, i64, String)> = listed.into_iter().map(|c| (c.date, c.counted.fen(), c.counter)).collect();
    let mut expected = counts.clone();
    expected.sort();
    let mut got = listed.clone();
    got.sort();
    prop_assert_eq!(got, expected);

    // AUD-1: a failed sign-in is filed under no one's name.
    for entry in o.store.log_tail(&o.ledger, 10_000).unwrap() {
        if matches!(entry.event, qianzhang_core::Event::SignInFailed { .. }) {
            prop_assert_eq!(&entry.actor, UNVERIFIED);
        }
    }
    prop_assert!(registry.is_registered(DEPUTY));

    let report = o.store.verify(&o.ledger).unwrap();
    prop_assert!(report.is_clean(), "{:?}", report.mismatch);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn controls_hold_under_random_commands(ops in prop::collection::vec(op(), 5..45)) {
        run(ops)?;
    }
}
