//! Property tests of the accounting invariants over random command sequences.

mod common;

use proptest::prelude::*;
use qianzhang_core::approval::{AuthKind, Authorization, SettingKey};
use qianzhang_core::books::{
    appoint, change_setting, post_voucher, prepare_voucher, record_authorization, register_person, reverse_voucher,
    Books, FirstAdmin,
};
use qianzhang_core::lifecycle::{next_step, sign_voucher, Next};
use qianzhang_core::people::{Appointment, Role};
use qianzhang_core::report::TrialBalance;
use qianzhang_core::{Draft, Failure, Line, Money, Origin, Period, Side, Status, VoucherRef};
use qianzhang_store::{as_period_totals, Actor, Backend, LedgerHandle, Store};
use time::{Date, Month};

const ACCOUNTS: &[&str] = &["1001", "1002", "1122", "2209", "4401", "4901", "5101", "5201"];

#[derive(Clone, Debug)]
enum Op {
    /// A voucher on day `day` of month `month` (0-based from go-live).
    Add {
        month: u8,
        day: u8,
        lines: Vec<(usize, bool, i64)>,
    },
    Post(usize),
    Reverse(usize, u8),
}

fn op() -> impl Strategy<Value = Op> {
    let line = (0..ACCOUNTS.len(), any::<bool>(), -5i64..2_000_000);
    prop_oneof![
        4 => (0u8..4, 1u8..29, prop::collection::vec(line, 1..6)).prop_map(|(month, day, lines)| Op::Add { month, day, lines }),
        3 => (0usize..40).prop_map(Op::Post),
        1 => (0usize..40, 0u8..4).prop_map(|(i, m)| Op::Reverse(i, m)),
    ]
}

fn date(start: Period, month: u8, day: u8) -> Date {
    let mut p = start;
    for _ in 0..month {
        p = p.next();
    }
    Date::from_calendar_date(p.year(), Month::try_from(p.month()).unwrap(), day).unwrap()
}

const STANDING: &str = "两委决议〔2025〕1号";

const OFFICERS: [(&str, Role); 4] =
    [("会计", Role::Accountant), ("审核", Role::Reviewer), ("主任", Role::Approver), ("出纳", Role::Cashier)];

/// Every required signature by its officer, then posting by the accountant.
fn sign_and_post(w: &mut qianzhang_store::Writer<'_>, r: VoucherRef) -> Result<(), Failure> {
    let today = Date::from_calendar_date(2025, Month::June, 1).unwrap();
    let Some((v, _)) = w.voucher(r).map_err(Failure::Backend)? else {
        return post_voucher(w, r, "会计", today);
    };
    let chart = w.chart().clone();
    while let Next::Sign(kind) = next_step(&chart, &v, &w.signatures(r).map_err(Failure::Backend)?) {
        let who = OFFICERS.iter().find(|o| o.1 == kind.role()).unwrap().0;
        sign_voucher(w, r, kind, who, today, "2025-06-01T09:00:00+08:00")?;
    }
    post_voucher(w, r, "会计", today)
}

fn actor() -> Actor {
    Actor { name: "测试".into(), at: "2025-01-01T00:00:00+08:00".into(), command: "proptest".into() }
}

/// Lines as drawn, plus (usually) a balancing line so most vouchers pass VCH-1.
fn draft(start: Period, month: u8, day: u8, lines: &[(usize, bool, i64)], balance: bool) -> Draft {
    let mut out: Vec<Line> = lines
        .iter()
        .map(|(a, debit, fen)| Line {
            summary: "测试".into(),
            account: ACCOUNTS[*a].into(),
            side: if *debit { Side::Debit } else { Side::Credit },
            amount: Money::from_fen(*fen),
            fund: None,
            counterparty: None,
        })
        .collect();
    if balance {
        let net: i64 = out.iter().map(|l| l.signed().fen()).sum();
        if net != 0 {
            let side = if net > 0 { Side::Credit } else { Side::Debit };
            out.push(Line {
                summary: "平衡".into(),
                account: "1002".into(),
                side,
                amount: Money::from_fen(net.abs()),
                fund: None,
                counterparty: None,
            });
        }
    }
    Draft {
        date: date(start, month, day),
        lines: out,
        documents: vec![],
        authorization: None,
        reverses: None,
        source_ref: None,
    }
}

fn books_rows(path: &std::path::Path) -> Vec<String> {
    common::rows(path, &["accounts", "vouchers", "balances", "periods", "imports", "people", "appointments", "kinship"])
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let mut store = Store::open(&path).unwrap();
    let start = Period::parse("2025-01").unwrap();
    let admin =
        FirstAdmin { name: "管理员".into(), passphrase_hash: "not used here".into(), today: start.first_day() };
    let ledger: LedgerHandle = store.create_ledger("性质", start, &admin, &actor()).unwrap();
    store
        .write(&ledger, &actor(), |w| {
            // Every expense cites one standing resolution; the threshold is
            // raised so that it is always the right kind.
            change_setting(w, SettingKey::Threshold, "1000000000")?;
            let standing = Authorization {
                number: STANDING.into(),
                kind: AuthKind::Resolution,
                date: start.first_day(),
                scope: "全部".into(),
                cap: Money::from_fen(1_000_000_000_000),
                stand_aside: None,
                decision: None,
            };
            record_authorization(w, standing)?;
            for (person, role) in OFFICERS {
                register_person(w, person, None)?;
                let from = start.first_day();
                appoint(
                    w,
                    Appointment {
                        person: person.into(),
                        role,
                        from,
                        ended: None,
                        leader: false,
                        title: None,
                        acting: false,
                    },
                )?;
            }
            Ok::<_, Failure>(())
        })
        .unwrap();
    let mut refs: Vec<VoucherRef> = Vec::new();
    for (i, op) in ops.into_iter().enumerate() {
        let before = books_rows(&path);
        let result = match &op {
            Op::Add { month, day, lines } => {
                let d = draft(start, *month, *day, lines, i % 5 != 0);
                store.write(&ledger, &actor(), |w| prepare_voucher(w, d, Origin::Entered, "测试")).map(|r| refs.push(r))
            }
            Op::Post(k) if !refs.is_empty() => {
                let r = refs[k % refs.len()];
                store.write(&ledger, &actor(), |w| sign_and_post(w, r))
            }
            Op::Reverse(k, month) if !refs.is_empty() => {
                let r = refs[k % refs.len()];
                let d = date(start, *month, 28);
                store.write(&ledger, &actor(), |w| reverse_voucher(w, r, d, "测试", d)).map(|r| refs.push(r))
            }
            _ => Ok(()),
        };
        match result {
            Ok(()) => {}
            Err(Failure::Refused(_)) => {
                prop_assert_eq!(books_rows(&path), before, "a refusal changed the books: {:?}", op)
            }
            Err(e) => return Err(TestCaseError::fail(format!("store fault: {e}"))),
        }
    }

    // The trial balance balances in every column.
    let chart = store.chart(&ledger).unwrap();
    let totals = store.period_totals(&ledger).unwrap();
    let end = date(start, 3, 1);
    let tb = TrialBalance::build("性质", &chart, as_period_totals(&totals), start.next(), Period::of(end));
    prop_assert!(tb.is_balanced(), "{:?}", tb.totals);

    // The kept balances equal a recomputation from the posted vouchers.
    let mut recomputed = std::collections::BTreeMap::<(String, Period), (i64, i64)>::new();
    for (v, status) in store.vouchers(&ledger, start, Period::of(end)).unwrap() {
        if status == Status::Posted {
            for l in v.lines() {
                let e = recomputed.entry((l.account.clone(), v.period())).or_default();
                e.0 += l.debit().fen();
                e.1 += l.credit().fen();
            }
        }
    }
    let kept: std::collections::BTreeMap<_, _> =
        totals.into_iter().map(|t| ((t.account, t.period), (t.debit.fen(), t.credit.fen()))).collect();
    prop_assert_eq!(kept, recomputed);

    // Every voucher is numbered consecutively from 1 within its period.
    let mut by_period = std::collections::BTreeMap::<Period, Vec<u32>>::new();
    for (v, _) in store.vouchers(&ledger, start, Period::of(end)).unwrap() {
        by_period.entry(v.period()).or_default().push(v.reference().number);
    }
    for numbers in by_period.values() {
        prop_assert_eq!(numbers.clone(), (1..=numbers.len() as u32).collect::<Vec<_>>());
    }

    // LIM-1: what the store says the ledger holds is every voucher's
    // absolute amounts, read afresh and as kept up to date by a writer.
    let held: i64 = store
        .vouchers(&ledger, start.prev(), Period::of(end))
        .unwrap()
        .iter()
        .flat_map(|(v, _)| v.lines().iter().map(|l| l.amount.fen().abs()))
        .sum();
    let read = store.read(&ledger, |w| w.turnover().map_err(Failure::Backend)).unwrap();
    prop_assert_eq!(read, Money::from_fen(held));

    // And the log replays to exactly what is stored.
    let report = store.verify(&ledger).unwrap();
    prop_assert!(report.is_clean(), "{:?}", report.mismatch);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn vch_invariants_hold_under_random_commands(ops in prop::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
