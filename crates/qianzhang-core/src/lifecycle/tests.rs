use super::*;
use crate::books::{appoint, post_voucher, prepare_voucher, record_authorization, record_kinship, register_person};
use crate::memory::MemoryBooks;
use crate::people::{Appointment, KinFact};
use crate::test_support::draft;
use crate::voucher::Origin;
use time::macros::date;

const TODAY: Date = date!(2025 - 03 - 10);

fn office() -> MemoryBooks {
    let mut b = MemoryBooks::fixture();
    for p in ["赵敏", "王芳", "刘洋", "李明", "李强"] {
        register_person(&mut b, p, None).unwrap();
    }
    for (p, role, leader) in [
        ("赵敏", Role::Accountant, false),
        ("王芳", Role::Cashier, false),
        ("刘洋", Role::Reviewer, false),
        ("李明", Role::Approver, true),
    ] {
        let a = Appointment {
            person: p.into(),
            role,
            from: date!(2025 - 01 - 01),
            ended: None,
            leader,
            title: None,
            acting: false,
        };
        appoint(&mut b, a).unwrap();
    }
    b
}

fn rule_of<T: std::fmt::Debug>(r: Result<T, Failure>) -> Rule {
    match r {
        Err(Failure::Refused(r)) => r.first_rule(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn sign(b: &mut MemoryBooks, r: VoucherRef, kind: SignKind, who: &str) -> Result<(), Failure> {
    sign_voucher(b, r, kind, who, TODAY, "2025-03-10T10:00:00+08:00")
}

#[test]
fn vch_4_an_expense_paid_in_cash_needs_every_signature_in_order() {
    let mut b = office();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
    assert_eq!(required(&b.chart, &b.vouchers[&r].0), vec![SignKind::Review, SignKind::Approve, SignKind::Confirm]);
    assert_eq!(rule_of(post_voucher(&mut b, r, "赵敏", TODAY)), Rule::Vch4);
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "李明")), Rule::Vch4, "review first");
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Review, "刘洋")), Rule::Vch4, "once");
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Confirm, "王芳")), Rule::Vch4, "payment after approval");
    sign(&mut b, r, SignKind::Approve, "李明").unwrap();
    sign(&mut b, r, SignKind::Confirm, "王芳").unwrap();
    post_voucher(&mut b, r, "赵敏", TODAY).unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Review, "刘洋")), Rule::Vch5);
}

#[test]
fn vch_4_a_transfer_needs_no_approval_and_signatures_can_be_withdrawn() {
    let mut b = office();
    let mut d = draft(date!(2025 - 03 - 05), 100);
    d.lines[0].account = "1001".into();
    d.lines[1].account = "1002".into();
    let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
    assert_eq!(required(&b.chart, &b.vouchers[&r].0), vec![SignKind::Review, SignKind::Confirm]);
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "李明")), Rule::Vch4);
    assert_eq!(rule_of(withdraw_signature(&mut b, r, SignKind::Review, "王芳")), Rule::Vch4, "only one's own");
    withdraw_signature(&mut b, r, SignKind::Review, "刘洋").unwrap();
    assert!(b.signatures(r).unwrap().is_empty());
}

#[test]
fn vch_4_an_edit_clears_every_signature() {
    let mut b = office();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    sign(&mut b, r, SignKind::Approve, "李明").unwrap();
    crate::books::revise_voucher(&mut b, r, draft(date!(2025 - 03 - 06), 120), "赵敏", TODAY).unwrap();
    assert!(b.signatures(r).unwrap().is_empty(), "signed again after the edit");
    assert_eq!(next_step(&b.chart, &b.vouchers[&r].0, &[]), Next::Sign(SignKind::Review));
}

#[test]
fn apr_1_only_the_approver_in_office_approves() {
    let mut b = office();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "刘洋")), Rule::Opr1, "no such post: OPR-1");
    assert_eq!(rule_of(sign_voucher(&mut b, r, SignKind::Approve, "李明", date!(2024 - 12 - 31), "t")), Rule::Opr1);
}

/// 张华, 副主任: a leader with no post of the finance office but review.
fn with_deputy(b: &mut MemoryBooks) {
    register_person(b, "张华", None).unwrap();
    let a = Appointment {
        person: "张华".into(),
        role: Role::Reviewer,
        from: date!(2025 - 01 - 01),
        ended: None,
        leader: true,
        title: Some("副主任".into()),
        acting: false,
    };
    appoint(b, a).unwrap();
}

#[test]
fn apr_1_the_acting_approver_alone_signs_during_the_acting_days() {
    let mut b = office();
    with_deputy(&mut b);
    let acting = Appointment {
        person: "张华".into(),
        role: Role::Approver,
        from: date!(2025 - 03 - 01),
        ended: Some(date!(2025 - 03 - 16)),
        leader: true,
        title: None,
        acting: true,
    };
    appoint(&mut b, acting).unwrap();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    let Err(Failure::Refused(e)) = sign(&mut b, r, SignKind::Approve, "李明") else { panic!() };
    assert_eq!(e.reasons[0].rule, Rule::Apr1);
    assert!(e.reasons[0].message.contains("代理审批人张华在 2025-03-01 至 2025-03-15 代理审批"), "{e}");
    sign(&mut b, r, SignKind::Approve, "张华").unwrap();
    assert_eq!(b.signed[&r][1].appointment_from, date!(2025 - 03 - 01), "signed as the acting approver");
    let later = prepare_voucher(&mut b, draft(date!(2025 - 03 - 06), 100), Origin::Entered, "赵敏").unwrap();
    sign(&mut b, later, SignKind::Review, "刘洋").unwrap();
    let after = date!(2025 - 03 - 16);
    assert_eq!(rule_of(sign_voucher(&mut b, later, SignKind::Approve, "张华", after, "t")), Rule::Opr1);
    sign_voucher(&mut b, later, SignKind::Approve, "李明", after, "t").unwrap();
    assert_eq!(approval_defects(&mut b, date!(2025 - 01 - 01), date!(2025 - 12 - 31)).unwrap(), vec![]);
}

#[test]
fn sep_5_separation_of_signatures() {
    let mut b = office();
    appoint(
        &mut b,
        Appointment {
            person: "赵敏".into(),
            role: Role::Reviewer,
            from: date!(2025 - 01 - 01),
            ended: None,
            leader: false,
            title: None,
            acting: false,
        },
    )
    .unwrap();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Review, "赵敏")), Rule::Sep5, "not one's own voucher");
    let v = b.vouchers[&r].0.clone();
    let ready = check_ready_to_post(&mut b, &v, "王芳", TODAY).unwrap();
    assert!(ready.iter().any(|x| x.rule == Rule::Sep5), "the cashier never posts");
    let ready = check_ready_to_post(&mut b, &v, "李明", TODAY).unwrap();
    assert!(ready.iter().any(|x| x.rule == Rule::Sep5), "the approver never posts");
}

#[test]
fn sep_5_is_named_before_the_missing_post() {
    let mut b = office();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
    // Neither the cashier nor the preparer holds the reviewer's post; SEP-5 says more.
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Review, "王芳")), Rule::Sep5);
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Review, "赵敏")), Rule::Sep5);
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Review, "李明")), Rule::Opr1, "no post, no SEP-5: OPR-1");
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "赵敏")), Rule::Sep5, "the preparer never approves");
    sign(&mut b, r, SignKind::Approve, "李明").unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Confirm, "李明")), Rule::Sep5, "the approver never pays");
}

#[test]
fn sep_5_no_one_approves_a_voucher_they_prepared() {
    let mut b = office();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "李明").unwrap();
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    let Err(Failure::Refused(e)) = sign(&mut b, r, SignKind::Approve, "李明") else { panic!() };
    assert_eq!(e.reasons[0].rule, Rule::Sep5);
    assert!(e.reasons[0].message.contains("不能审批自己制的凭证"), "{e}");
}

#[test]
fn sep_6_no_approval_of_a_payment_to_a_relative() {
    let mut b = office();
    record_kinship(&mut b, KinFact::Sibling { a: "李强".into(), b: "李明".into() }, TODAY).unwrap();
    let mut d = draft(date!(2025 - 03 - 05), 100);
    d.lines[0].counterparty = Some("李强".into());
    let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    let Err(Failure::Refused(e)) = sign(&mut b, r, SignKind::Approve, "李明") else { panic!() };
    assert_eq!(e.reasons[0].rule, Rule::Sep6);
    assert!(e.reasons[0].message.contains("收款人李强是审批人李明的三代以内旁系血亲"), "{}", e.reasons[0].message);
}

/// The director's brother 李强 is paid `fen`, citing `cited`.
fn brother_paid(b: &mut MemoryBooks, fen: i64, cited: &str) -> VoucherRef {
    record_kinship(b, KinFact::Sibling { a: "李强".into(), b: "李明".into() }, TODAY).ok();
    let mut d = draft(date!(2025 - 03 - 05), fen);
    d.lines[0].summary = "支付修缮费".into();
    d.lines[0].counterparty = Some("李强".into());
    d.authorization = Some(cited.into());
    let r = prepare_voucher(b, d, Origin::Entered, "赵敏").unwrap();
    sign(b, r, SignKind::Review, "刘洋").unwrap();
    r
}

fn stand_aside_resolution(number: &str, deputy: &str, cap: i64) -> Authorization {
    Authorization {
        number: number.into(),
        kind: AuthKind::Resolution,
        date: date!(2025 - 03 - 01),
        scope: "支付李强修缮费".into(),
        cap: Money::from_fen(cap),
        stand_aside: Some(crate::approval::StandAside {
            payee: "李强".into(),
            deputy: deputy.into(),
            withdrawn: vec!["李明".into()],
        }),
        decision: None,
    }
}

fn government(number: &str) -> Authorization {
    Authorization {
        number: number.into(),
        kind: AuthKind::Government,
        date: date!(2025 - 03 - 01),
        scope: "修缮".into(),
        cap: Money::from_fen(1_000_000),
        stand_aside: None,
        decision: None,
    }
}

fn rules(r: Vec<Refusal>) -> Vec<Rule> {
    r.into_iter().map(|x| x.rule).collect()
}

#[test]
fn sep_6_without_a_resolution_the_payment_goes_no_further() {
    let mut b = office();
    let r = brother_paid(&mut b, 10_000, crate::test_support::STANDING);
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "李明")), Rule::Sep6);
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Confirm, "王芳")), Rule::Sep6, "not to the cashier");
    let Err(Failure::Refused(e)) = post_voucher(&mut b, r, "赵敏", TODAY) else { panic!() };
    assert!(e.reasons.iter().any(|x| x.rule == Rule::Sep6 && x.message.contains("尚未审批")), "{e}");
    let v = b.vouchers[&r].0.clone();
    let mark = stand_aside_mark(&b.registry, &v, &[], TODAY).unwrap();
    assert_eq!(mark.short(), "回避：待两委决议指定代签人");
}

#[test]
fn sep_6_deputy_signs_a_stand_aside_payment() {
    let mut b = office();
    with_deputy(&mut b);
    record_authorization(&mut b, stand_aside_resolution("两委决议〔2025〕7号", "张华", 50_000)).unwrap();
    let r = brother_paid(&mut b, 30_000, "两委决议〔2025〕7号");
    // The director, standing aside, is pointed at the deputy named.
    let Err(Failure::Refused(e)) = sign(&mut b, r, SignKind::Approve, "李明") else { panic!() };
    assert_eq!(e.reasons[0].rule, Rule::Sep6);
    assert!(e.reasons[0].message.ends_with("；两委决议〔2025〕7号 已指定张华代为审批，请由张华审批"), "{e}");
    sign(&mut b, r, SignKind::Approve, "张华").unwrap();
    let approval = b.signed[&r].iter().find(|s| s.kind == SignKind::Approve).unwrap().clone();
    assert_eq!(approval.resolution.as_deref(), Some("两委决议〔2025〕7号"));
    sign(&mut b, r, SignKind::Confirm, "王芳").unwrap();
    post_voucher(&mut b, r, "赵敏", TODAY).unwrap();
    assert_eq!(approval_defect(&mut b, r).unwrap(), None);
    let v = b.vouchers[&r].0.clone();
    let mark = stand_aside_mark(&b.registry, &v, &b.signed[&r], TODAY).unwrap();
    assert_eq!(mark.short(), "回避：两委决议〔2025〕7号，张华代签");
    assert!(mark.note().starts_with("回避：收款人李强是审批人李明的三代以内旁系血亲"), "{}", mark.note());
    assert!(mark.note().ends_with("；依决议 两委决议〔2025〕7号，由张华代为审批"), "{}", mark.note());
}

#[test]
fn sep_6_the_deputy_is_a_leader_with_no_conflict() {
    let mut b = office();
    with_deputy(&mut b);
    // Named at the record: a deputy who is no leader, or the payee's relative.
    let e = record_authorization(&mut b, stand_aside_resolution("两委决议〔2025〕8号", "刘洋", 50_000));
    assert_eq!(rule_of(e), Rule::Sep6, "刘洋 is no leader");
    record_kinship(&mut b, KinFact::Sibling { a: "李强".into(), b: "李明".into() }, TODAY).unwrap();
    record_authorization(&mut b, stand_aside_resolution("两委决议〔2025〕7号", "张华", 50_000)).unwrap();
    let r = brother_paid(&mut b, 30_000, "两委决议〔2025〕7号");
    // Someone the resolution does not name.
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "刘洋")), Rule::Sep6);
    // A conflict recorded after the resolution.
    record_kinship(&mut b, KinFact::Spouse { a: "张华".into(), b: "李强".into() }, TODAY).unwrap();
    let Err(Failure::Refused(e)) = sign(&mut b, r, SignKind::Approve, "张华") else { panic!() };
    assert_eq!(e.reasons[0].rule, Rule::Sep6);
    assert!(e.reasons[0].message.contains("代签人张华同样须回避"), "{e}");
    // A deputy whose leader appointment has ended by the day of signing.
    let mut b = office();
    with_deputy(&mut b);
    record_authorization(&mut b, stand_aside_resolution("两委决议〔2025〕7号", "张华", 50_000)).unwrap();
    let r = brother_paid(&mut b, 30_000, "两委决议〔2025〕7号");
    crate::books::end_appointment(&mut b, "张华", Role::Reviewer, date!(2025 - 03 - 08)).unwrap();
    let Err(Failure::Refused(e)) = sign(&mut b, r, SignKind::Approve, "张华") else { panic!() };
    assert!(e.reasons[0].rule == Rule::Sep6 && e.reasons[0].message.contains("没有在任的领导职务"), "{e}");
    // A resolution that does not note the approver withdrew, or too small.
    let mut b = office();
    with_deputy(&mut b);
    let mut silent = stand_aside_resolution("两委决议〔2025〕7号", "张华", 10_000);
    silent.stand_aside.as_mut().unwrap().withdrawn = vec!["刘洋".into()];
    record_authorization(&mut b, silent).unwrap();
    let r = brother_paid(&mut b, 5_000, crate::test_support::STANDING);
    let Err(Failure::Refused(e)) = sign(&mut b, r, SignKind::Approve, "张华") else { panic!() };
    assert!(e.reasons[0].message.contains("没有载明审批人李明回避"), "{e}");
}

#[test]
fn sep_6_at_the_threshold_the_government_approval_is_needed_as_well() {
    let mut b = office();
    with_deputy(&mut b);
    record_authorization(&mut b, stand_aside_resolution("两委决议〔2025〕7号", "张华", 500_000)).unwrap();
    record_authorization(&mut b, government("街道批复〔2025〕3号")).unwrap();
    // The resolution alone does not approve ¥3,600 (APR-2).
    let r = brother_paid(&mut b, 360_000, "两委决议〔2025〕7号");
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "张华")), Rule::Apr2);
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Confirm, "王芳")), Rule::Sep6);
    // The voucher cites the government approval; the deputy signs under the resolution.
    let r = brother_paid(&mut b, 360_000, "街道批复〔2025〕3号");
    sign(&mut b, r, SignKind::Approve, "张华").unwrap();
    assert_eq!(b.signed[&r][1].resolution.as_deref(), Some("两委决议〔2025〕7号"));
    sign(&mut b, r, SignKind::Confirm, "王芳").unwrap();
    post_voucher(&mut b, r, "赵敏", TODAY).unwrap();
}

/// The defect found when the engine was tried: ¥3,600 to the director's
/// brother citing a 街道批复 reached the cashier and was posted with no
/// approval signature at all.
#[test]
fn sep_6_a_government_approval_never_replaces_the_approval_signature() {
    let mut b = office();
    record_authorization(&mut b, government("街道批复〔2025〕3号")).unwrap();
    let r = brother_paid(&mut b, 360_000, "街道批复〔2025〕3号");
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Confirm, "王芳")), Rule::Sep6);
    let v = b.vouchers[&r].0.clone();
    assert!(rules(check_ready_to_post(&mut b, &v, "赵敏", TODAY).unwrap()).contains(&Rule::Sep6));
    assert_eq!(rule_of(post_voucher(&mut b, r, "赵敏", TODAY)), Rule::Sep6);
    assert_eq!(b.vouchers[&r].1, Status::Prepared);
}

#[test]
fn sep_7_a_frozen_officer_cannot_sign() {
    let mut b = office();
    let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
    sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
    sign(&mut b, r, SignKind::Approve, "李明").unwrap();
    record_kinship(&mut b, KinFact::Spouse { a: "王芳".into(), b: "李明".into() }, TODAY).unwrap();
    assert_eq!(rule_of(sign(&mut b, r, SignKind::Confirm, "王芳")), Rule::Sep7);
}

#[test]
fn nature_of_common_vouchers() {
    let b = office();
    let mut chart = b.chart.clone();
    chart.insert(
        chart
            .check_new(&crate::account::NewAccount {
                code: "112201".into(),
                name: "张伟".into(),
                kind: None,
                opened: None,
            })
            .unwrap(),
    );
    let v = |lines: Vec<(&str, Side, i64)>| {
        let mut d = draft(date!(2025 - 03 - 05), 1);
        d.lines = lines
            .into_iter()
            .map(|(a, side, fen)| Line {
                summary: "x".into(),
                account: a.into(),
                side,
                amount: Money::from_fen(fen),
                fund: None,
                counterparty: None,
            })
            .collect();
        let mut m = MemoryBooks::fixture();
        m.chart = chart.clone();
        let r = prepare_voucher(&mut m, d, Origin::Entered, "赵敏").unwrap();
        nature(&chart, &m.vouchers[&r].0)
    };
    let office_supplies = v(vec![("5201", Side::Debit, 500), ("1001", Side::Credit, 500)]);
    assert!(office_supplies.expense && office_supplies.payment && office_supplies.touches_cash);
    assert_eq!(office_supplies.expense_amount, Money::from_fen(500));
    let dibao = v(vec![("2601", Side::Debit, 500), ("1002", Side::Credit, 500)]);
    assert!(!dibao.expense && dibao.payment, "paying out a liability is a payment, not an expense");
    let advance = v(vec![("112201", Side::Debit, 500), ("1001", Side::Credit, 500)]);
    assert!(advance.expense && advance.payment);
    let deposit = v(vec![("1002", Side::Debit, 500), ("1001", Side::Credit, 500)]);
    assert!(!deposit.expense && !deposit.payment && !deposit.cash_income);
    let grant = v(vec![("1002", Side::Debit, 500), ("4401", Side::Credit, 500)]);
    assert!(grant.cash_income && !grant.payment && !grant.expense);
    let settlement = v(vec![("5101", Side::Debit, 480), ("1001", Side::Debit, 20), ("112201", Side::Credit, 500)]);
    assert!(settlement.expense && !settlement.payment);
    assert_eq!(settlement.expense_amount, Money::from_fen(480));
}
