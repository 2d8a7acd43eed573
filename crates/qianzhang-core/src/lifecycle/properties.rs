use super::*;
use crate::approval::{AuthKind, Authorization};
use crate::books::{appoint, post_voucher, prepare_voucher, record_authorization, record_kinship, register_person};
use crate::memory::MemoryBooks;
use crate::people::{Appointment, KinFact};
use crate::test_support::draft;
use crate::voucher::Origin;
use proptest::prelude::*;
use time::macros::date;

const PEOPLE: [&str; 5] = ["甲", "乙", "丙", "丁", "戊"];
const ROLES: [Role; 4] = [Role::Accountant, Role::Cashier, Role::Reviewer, Role::Approver];
const AUTHS: [&str; 3] = ["两委决议〔2025〕1号", "街道批复〔2025〕1号", "未登记〔2025〕1号"];
const KINDS: [SignKind; 3] = [SignKind::Review, SignKind::Approve, SignKind::Confirm];

#[derive(Clone, Debug)]
enum Op {
    Appoint {
        person: usize,
        role: usize,
        leader: bool,
        month: u8,
    },
    Relate {
        a: usize,
        b: usize,
    },
    /// `auth`: an authorization drawn at random, or (None) the right one.
    Prepare {
        fen: i64,
        auth: Option<usize>,
        documented: bool,
        payee: Option<usize>,
    },
    Sign {
        voucher: usize,
        kind: usize,
        person: usize,
    },
    Post {
        voucher: usize,
        person: usize,
    },
    /// Review, approve, confirm and post, each by the baseline officer
    /// unless another person is drawn for the step.
    Walk {
        voucher: usize,
        others: [Option<usize>; 4],
    },
}

/// The baseline office: 甲 accountant, 乙 cashier, 丙 reviewer, 丁 approver.
const OFFICE: [(usize, Role, bool); 4] =
    [(0, Role::Accountant, false), (1, Role::Cashier, false), (2, Role::Reviewer, false), (3, Role::Approver, true)];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..5usize, 0..4usize, any::<bool>(), 1u8..4).prop_map(|(person, role, leader, month)| Op::Appoint { person, role, leader, month }),
        1 => (0..5usize, 0..5usize).prop_map(|(a, b)| Op::Relate { a, b }),
        3 => (1i64..300_000, prop::option::weighted(0.3, 0..3usize), prop::bool::weighted(0.85), prop::option::weighted(0.3, 0..5usize))
            .prop_map(|(fen, auth, documented, payee)| Op::Prepare { fen, auth, documented, payee }),
        4 => (0..10usize, 0..3usize, 0..5usize).prop_map(|(voucher, kind, person)| Op::Sign { voucher, kind, person }),
        2 => (0..10usize, 0..5usize).prop_map(|(voucher, person)| Op::Post { voucher, person }),
        4 => (0..10usize, prop::array::uniform4(prop::option::weighted(0.2, 0..5usize)))
            .prop_map(|(voucher, others)| Op::Walk { voucher, others }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever anyone tries: no posted expense lacks an approval by an
    /// approver in office, a valid authorization of the right kind, and a
    /// document; and no one is accountant and cashier on the same day.
    #[test]
    fn apr_1_sep_1_no_command_sequence_breaks_internal_control(ops in prop::collection::vec(op(), 1..40)) {
        let today = date!(2025 - 03 - 20);
        let mut b = MemoryBooks::fixture();
        b.authorizations.clear();
        for p in PEOPLE {
            register_person(&mut b, p, None).unwrap();
        }
        for (number, kind) in [(AUTHS[0], AuthKind::Resolution), (AUTHS[1], AuthKind::Government)] {
            let a = Authorization { number: number.into(), kind, date: date!(2025 - 01 - 01), scope: "x".into(), cap: Money::from_fen(100_000_000), stand_aside: None, decision: None };
            record_authorization(&mut b, a).unwrap();
        }
        for (person, role, leader) in OFFICE {
            let a = Appointment { person: PEOPLE[person].into(), role, from: date!(2025 - 01 - 01), ended: None, leader, title: None, acting: false };
            appoint(&mut b, a).unwrap();
        }
        let mut refs = Vec::new();
        for op in ops {
            let _ = match op {
                Op::Appoint { person, role, leader, month } => {
                    let from = time::Date::from_calendar_date(2025, time::Month::try_from(month).unwrap(), 1).unwrap();
                    let a = Appointment { person: PEOPLE[person].into(), role: ROLES[role], from, ended: None, leader, title: None, acting: false };
                    appoint(&mut b, a).map(|_| ())
                }
                Op::Relate { a, b: other } => record_kinship(&mut b, KinFact::Spouse { a: PEOPLE[a].into(), b: PEOPLE[other].into() }, today).map(|_| ()),
                Op::Prepare { fen, auth, documented, payee } => {
                    let mut d = draft(date!(2025 - 03 - 10), fen);
                    let right = if Money::from_fen(fen) >= b.settings.threshold { 1 } else { 0 };
                    d.authorization = Some(AUTHS[auth.unwrap_or(right)].into());
                    if !documented {
                        d.documents.clear();
                    }
                    d.lines[0].counterparty = payee.map(|p| PEOPLE[p].to_string());
                    prepare_voucher(&mut b, d, Origin::Entered, "甲").map(|r| refs.push(r))
                }
                Op::Sign { voucher, kind, person } if !refs.is_empty() => {
                    let r = refs[voucher % refs.len()];
                    sign_voucher(&mut b, r, KINDS[kind], PEOPLE[person], today, "t")
                }
                Op::Walk { voucher, others } if !refs.is_empty() => {
                    let r = refs[voucher % refs.len()];
                    let who = |step: usize, baseline: usize| PEOPLE[others[step].unwrap_or(baseline)];
                    let _ = sign_voucher(&mut b, r, SignKind::Review, who(0, 2), today, "t");
                    let _ = sign_voucher(&mut b, r, SignKind::Approve, who(1, 3), today, "t");
                    let _ = sign_voucher(&mut b, r, SignKind::Confirm, who(2, 1), today, "t");
                    let poster = who(3, 0);
                    if b.registry.in_force(today).any(|a| a.person == poster && a.role == Role::Accountant) {
                        post_voucher(&mut b, r, poster, today)
                    } else {
                        Ok(())
                    }
                }
                Op::Post { voucher, person } if !refs.is_empty() => {
                    let r = refs[voucher % refs.len()];
                    let poster = PEOPLE[person];
                    if b.registry.in_force(today).any(|a| a.person == poster && a.role == Role::Accountant) {
                        post_voucher(&mut b, r, poster, today)
                    } else {
                        Ok(())
                    }
                }
                _ => Ok(()),
            };
        }
        for (v, status) in b.vouchers.values() {
            if *status != Status::Posted || !nature(&b.chart, v).expense {
                continue;
            }
            let signed = b.signed.get(&v.reference()).cloned().unwrap_or_default();
            let approval = signed.iter().find(|s| s.kind == SignKind::Approve);
            prop_assert!(approval.is_some(), "posted expense without approval");
            let approval = approval.unwrap();
            prop_assert!(b.registry.appointments().iter().any(|a| a.person == approval.person
                && a.role == Role::Approver && a.from == approval.appointment_from && a.in_force(today)));
            let cited = b.authorizations.get(v.authorization().unwrap_or(""));
            prop_assert!(cited.is_some(), "posted expense without a recorded authorization");
            let need = if nature(&b.chart, v).expense_amount >= b.settings.threshold { AuthKind::Government } else { AuthKind::Resolution };
            prop_assert_eq!(cited.unwrap().kind, need);
            prop_assert!(!v.documents().is_empty(), "posted expense without a document");
        }
        let day = |m: u8| time::Date::from_calendar_date(2025, time::Month::try_from(m).unwrap(), 1).unwrap();
        prop_assert_eq!(approval_defects(&mut b, day(1), day(12)).unwrap(), vec![]);
        let apps = b.registry.appointments();
        for x in apps.iter().filter(|a| a.role == Role::Accountant) {
            for y in apps.iter().filter(|a| a.role == Role::Cashier) {
                prop_assert!(!(x.person == y.person && x.overlaps(y)), "{} is accountant and cashier", x.person);
            }
        }
    }
}
