//! The voucher life cycle with signatures (VCH-4): prepared → reviewed →
//! approved (expenses and payments) → confirmed by the cashier (cash and
//! bank) → posted. Who may sign what follows DOMAIN §0 and SEP-5/SEP-6/SEP-7.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::{AccountKind, Chart};
use crate::books::{Books, Event};
use crate::documents::check_documents_complete;
use crate::money::Money;
use crate::people::{frozen, Registry, Role};
use crate::period::format_date;
use crate::rule::{refuse, Failure, Refusal, Rule};
use crate::voucher::{Line, Side, Status, Voucher, VoucherRef};

/// What a signature attests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignKind {
    /// 审核 by the reviewer.
    Review,
    /// 审批 by the one approver (一支笔).
    Approve,
    /// 出纳签字 by the cashier, for cash and bank.
    Confirm,
}

impl SignKind {
    pub fn chinese(self) -> &'static str {
        match self {
            SignKind::Review => "审核",
            SignKind::Approve => "审批",
            SignKind::Confirm => "出纳确认",
        }
    }

    pub fn role(self) -> Role {
        match self {
            SignKind::Review => Role::Reviewer,
            SignKind::Approve => Role::Approver,
            SignKind::Confirm => Role::Cashier,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SignKind::Review => "review",
            SignKind::Approve => "approve",
            SignKind::Confirm => "confirm",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<SignKind> {
        match s {
            "review" => Some(SignKind::Review),
            "approve" => Some(SignKind::Approve),
            "confirm" => Some(SignKind::Confirm),
            _ => None,
        }
    }
}

/// A signature standing on a voucher: who, in which role, relying on which
/// appointment (identified by its first day), and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub kind: SignKind,
    pub person: String,
    #[serde(with = "crate::period::date_serde")]
    pub appointment_from: Date,
    pub at: String,
}

fn is_cash_or_bank(code: &str) -> bool {
    code.starts_with("1001") || code.starts_with("1002")
}

fn is_suspense(code: &str) -> bool {
    code.starts_with(crate::cash::SUSPENSE)
}

fn is_liability(chart: &Chart, code: &str) -> bool {
    chart.get(code).is_some_and(|a| a.kind() == AccountKind::Liability)
}

fn is_expense_account(chart: &Chart, code: &str) -> bool {
    chart.get(code).is_some_and(|a| a.kind() == AccountKind::Expense)
}

/// What the rules need to know about a voucher's money.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nature {
    /// Debits an expense account, or pays out for anything but a transfer
    /// between cash and bank or a liability already approved.
    pub expense: bool,
    /// Money leaves cash or bank, other than to the other of the two.
    pub payment: bool,
    /// A line on cash (1001) or bank (1002).
    pub touches_cash: bool,
    /// Cash or bank receives money from outside (income, repayments).
    pub cash_income: bool,
    /// The amount an expense is judged by: debits other than cash, bank and liabilities.
    pub expense_amount: Money,
}

/// Classifies a voucher (red reversals are neither expenses nor payments).
pub fn nature(chart: &Chart, v: &Voucher) -> Nature {
    let lines = v.lines();
    let red = v.reverses().is_some();
    let debits = || lines.iter().filter(|l| l.side == Side::Debit);
    let credits = || lines.iter().filter(|l| l.side == Side::Credit);
    let touches_cash = lines.iter().any(|l| is_cash_or_bank(&l.account));
    let pays_out = !red && credits().any(|l| is_cash_or_bank(&l.account));
    let only_transfer = debits().all(|l| is_cash_or_bank(&l.account));
    let payment = pays_out && !only_transfer;
    // A count difference booked to 1901 待处理财产损溢 is not yet an expense:
    // writing it off later is.
    let expense_lines =
        |l: &&Line| !is_cash_or_bank(&l.account) && !is_liability(chart, &l.account) && !is_suspense(&l.account);
    let expense = !red
        && (debits().any(|l| is_expense_account(chart, &l.account))
            || (pays_out && debits().filter(|l| !is_cash_or_bank(&l.account)).any(|l| expense_lines(&l))));
    let cash_income = !red
        && debits().any(|l| is_cash_or_bank(&l.account))
        && credits().any(|l| !is_cash_or_bank(&l.account) && !is_suspense(&l.account));
    let expense_amount = if expense { debits().filter(expense_lines).map(|l| l.amount).sum() } else { Money::ZERO };
    Nature { expense, payment, touches_cash, cash_income, expense_amount }
}

/// The signatures a voucher needs before it is posted, in order.
pub fn required(chart: &Chart, v: &Voucher) -> Vec<SignKind> {
    let n = nature(chart, v);
    let mut out = vec![SignKind::Review];
    // A cash difference is settled only with the approver's signature (CSH-2).
    if n.expense || n.payment || v.lines().iter().any(|l| is_suspense(&l.account)) {
        out.push(SignKind::Approve);
    }
    if n.touches_cash && v.reverses().is_none() {
        out.push(SignKind::Confirm);
    }
    out
}

/// What a prepared voucher waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Sign(SignKind),
    Post,
}

/// The first required signature still missing, or posting when none is.
pub fn next_step(chart: &Chart, v: &Voucher, signed: &[Signature]) -> Next {
    required(chart, v).into_iter().find(|k| !signed.iter().any(|s| s.kind == *k)).map_or(Next::Post, Next::Sign)
}

/// People named as counterparties on a voucher who are registered: the
/// people it pays or receives from.
fn payees<'a>(registry: &Registry, v: &'a Voucher) -> Vec<&'a str> {
    let mut out: Vec<&str> =
        v.lines().iter().filter_map(|l| l.counterparty.as_deref()).filter(|c| registry.is_registered(c)).collect();
    out.sort();
    out.dedup();
    out
}

/// [SEP-6] the approver in office cannot approve a payment to themselves or a
/// close relative; returns why, if so.
pub fn approver_conflict(registry: &Registry, approver: &str, v: &Voucher) -> Option<String> {
    let kinship = registry.kinship();
    payees(registry, v).into_iter().find_map(|p| {
        if p == approver {
            Some(format!("凭证付款给审批人{approver}本人"))
        } else {
            kinship
                .relation(approver, p)
                .map(|x| format!("收款人{p}是审批人{approver}的{}（{}）", x.relation.chinese(), x.path_phrase()))
        }
    })
}

/// [SEP-6] whether a voucher's approval is given by a resolution instead of
/// the one pen: the approver in office on `today` may not approve it (it pays
/// them or a close relative) and it cites a recorded authorization that holds
/// under APR-2. Such vouchers are marked wherever they are shown.
pub fn approved_by_resolution(books: &mut impl Books, v: &Voucher, today: Date) -> Result<bool, Failure> {
    let registry = books.registry();
    let conflicted = registry
        .in_force(today)
        .filter(|a| a.role == Role::Approver)
        .any(|a| approver_conflict(registry, &a.person, v).is_some());
    if !conflicted || v.authorization().is_none() {
        return Ok(false);
    }
    Ok(crate::books::check_authorization(books, v)?.is_none())
}

/// [SEP-6] the mark every report shows on a payment the approver in office
/// on `date` had to stand aside from.
pub fn stand_aside_note(registry: &Registry, v: &Voucher, date: Date) -> Option<String> {
    registry
        .in_force(date)
        .filter(|a| a.role == Role::Approver)
        .find_map(|a| approver_conflict(registry, &a.person, v))
        .map(|why| format!("回避：{why}，由两委会议决议审批"))
}

/// The appointment of `person` in `role` in force on `date`, by its first day.
fn appointment_from(registry: &Registry, person: &str, role: Role, date: Date) -> Option<Date> {
    registry.in_force(date).find(|a| a.person == person && a.role == role).map(|a| a.from)
}

/// [VCH-4] signs a voucher. The signer must hold the role on `today`, not be
/// frozen by a conflict (SEP-7), not review their own voucher nor be the
/// cashier reviewing (SEP-5), not approve a payment to themselves or a close
/// relative (SEP-6), and sign in order: review, approval, cashier's
/// confirmation (a payment only after approval).
pub fn sign_voucher(
    books: &mut impl Books,
    reference: VoucherRef,
    kind: SignKind,
    person: &str,
    today: Date,
    at: &str,
) -> Result<(), Failure> {
    let Some((v, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if status == Status::Posted {
        return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，不能再签字"));
    }
    if status == Status::Voided {
        return refuse(Rule::Vch4, format!("凭证 {reference} 已作废"));
    }
    let registry = books.registry();
    let day = format_date(today);
    let Some(from) = appointment_from(registry, person, kind.role(), today) else {
        let rule = if kind == SignKind::Approve { Rule::Apr1 } else { Rule::Vch4 };
        return refuse(
            rule,
            format!("{person}在 {day} 没有{}的任职，不能{}（{reference}）", kind.role().chinese(), kind.chinese()),
        );
    };
    if let Some(r) = frozen(registry.appointments(), &registry.kinship(), person, today) {
        return Err(r.into());
    }
    let holds = |role: Role| registry.in_force(today).any(|a| a.person == person && a.role == role);
    if kind == SignKind::Review && v.preparer() == person {
        return refuse(Rule::Sep5, format!("{person}是凭证 {reference} 的制单人，不能审核自己制的凭证"));
    }
    if kind == SignKind::Review && holds(Role::Cashier) {
        return refuse(Rule::Sep5, format!("{person}是出纳，出纳不得审核凭证"));
    }
    if kind == SignKind::Confirm && holds(Role::Approver) {
        return refuse(Rule::Sep5, format!("{person}是审批人，审批人不得经手付款"));
    }
    if kind == SignKind::Approve {
        if let Some(why) = approver_conflict(registry, person, &v) {
            return refuse(Rule::Sep6, format!("{why}，审批人须回避；此笔支付应由两委会议决议审批"));
        }
    }
    let needed = required(books.chart(), &v);
    if !needed.contains(&kind) {
        let why = match kind {
            SignKind::Approve => "不是支出或付款",
            SignKind::Confirm => "不涉及现金或银行存款",
            SignKind::Review => "",
        };
        return refuse(Rule::Vch4, format!("凭证 {reference} {why}，不需要{}", kind.chinese()));
    }
    let signed = books.signatures(reference)?;
    if let Some(s) = signed.iter().find(|s| s.kind == kind) {
        return refuse(Rule::Vch4, format!("凭证 {reference} 已由{}{}", s.person, kind.chinese()));
    }
    let has = |k: SignKind| signed.iter().any(|s| s.kind == k);
    if kind != SignKind::Review && !has(SignKind::Review) {
        return refuse(Rule::Vch4, format!("凭证 {reference} 尚未审核，须先审核再{}", kind.chinese()));
    }
    if kind == SignKind::Confirm
        && nature(books.chart(), &v).payment
        && !has(SignKind::Approve)
        && !approved_by_resolution(books, &v, today)?
    {
        return refuse(Rule::Vch4, format!("凭证 {reference} 是付款，须先经审批人审批，出纳才能付款确认"));
    }
    if kind == SignKind::Approve {
        if let Some(r) = crate::books::check_authorization(books, &v)? {
            return Err(r.into());
        }
    }
    if kind == SignKind::Confirm {
        if let Some(r) = crate::books::check_receipts(books, &v)? {
            return Err(r.into());
        }
        // The cashier pays only out of money that is there (CSH-1).
        let mut short = crate::books::check_cash_and_bank(books, &v, true)?;
        // ...and never out of cash income waiting for the bank (CSH-5).
        short.extend(crate::cash::check_payment(books, &v)?);
        if !short.is_empty() {
            return Err(Failure::Refused(crate::rule::Refusals { reasons: short, unlisted: 0 }));
        }
    }
    if kind == SignKind::Review {
        // 稽核: the reviewer signs only a voucher whose documents hold.
        let mut missing = check_documents_complete(books.chart(), &v);
        missing.extend(crate::receipts::check_advance(books.chart(), &v));
        if !missing.is_empty() {
            return Err(Failure::Refused(crate::rule::Refusals { reasons: missing, unlisted: 0 }));
        }
    }
    let signature = Signature { kind, person: person.to_string(), appointment_from: from, at: at.to_string() };
    books.append(Event::VoucherSigned { reference, signature })?;
    Ok(())
}

/// [VCH-4] a signer withdraws their own signature before posting.
pub fn withdraw_signature(
    books: &mut impl Books,
    reference: VoucherRef,
    kind: SignKind,
    person: &str,
) -> Result<(), Failure> {
    let Some((_, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if status == Status::Posted {
        return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，签字不能撤回"));
    }
    if status == Status::Voided {
        return refuse(Rule::Vch4, format!("凭证 {reference} 已作废"));
    }
    match books.signatures(reference)?.iter().find(|s| s.kind == kind) {
        Some(s) if s.person == person => {}
        Some(s) => {
            return refuse(Rule::Vch4, format!("{}是{}签的，只有签字人本人才能撤回", kind.chinese(), s.person));
        }
        None => return refuse(Rule::Vch4, format!("凭证 {reference} 没有{}签字可撤回", kind.chinese())),
    }
    books.append(Event::SignatureWithdrawn { reference, kind, person: person.to_string() })?;
    Ok(())
}

/// [VCH-4, SEP-5] what posting a voucher still lacks, as refusals: the
/// poster is no cashier or approver, and every required signature stands.
pub fn check_ready_to_post(
    books: &mut impl Books,
    v: &Voucher,
    poster: &str,
    today: Date,
) -> Result<Vec<Refusal>, Failure> {
    let reference = v.reference();
    let mut out = Vec::new();
    let registry = books.registry();
    for role in [Role::Cashier, Role::Approver] {
        if registry.in_force(today).any(|a| a.person == poster && a.role == role) {
            out.push(Refusal::new(Rule::Sep5, format!("{poster}是{}，不能记账", role.chinese())));
        }
    }
    if let Some(r) = crate::books::check_authorization(books, v)? {
        out.push(r);
    }
    out.extend(check_documents_complete(books.chart(), v));
    out.extend(crate::receipts::check_advance(books.chart(), v));
    out.extend(crate::books::check_receipts(books, v)?);
    let signed = books.signatures(reference)?;
    let by_resolution = approved_by_resolution(books, v, today)?;
    for kind in required(books.chart(), v) {
        if kind == SignKind::Approve && by_resolution {
            continue;
        }
        if !signed.iter().any(|s| s.kind == kind) {
            out.push(Refusal::new(Rule::Vch4, format!("凭证 {reference} 尚未{}，不能记账", kind.chinese())));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::tests::{draft, MemoryBooks};
    use crate::books::{appoint, post_voucher, prepare_voucher, record_kinship, register_person};
    use crate::people::{Appointment, KinFact};
    use crate::voucher::Origin;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 03 - 10);

    fn office() -> MemoryBooks {
        let mut b = MemoryBooks::new();
        for p in ["赵敏", "王芳", "刘洋", "李明", "李强"] {
            register_person(&mut b, p, None).unwrap();
        }
        for (p, role, leader) in [
            ("赵敏", Role::Accountant, false),
            ("王芳", Role::Cashier, false),
            ("刘洋", Role::Reviewer, false),
            ("李明", Role::Approver, true),
        ] {
            let a =
                Appointment { person: p.into(), role, from: date!(2025 - 01 - 01), ended: None, leader, title: None };
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
    fn apr_1_only_the_approver_in_office_approves() {
        let mut b = office();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
        sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
        assert_eq!(rule_of(sign(&mut b, r, SignKind::Approve, "刘洋")), Rule::Apr1);
        assert_eq!(rule_of(sign_voucher(&mut b, r, SignKind::Approve, "李明", date!(2024 - 12 - 31), "t")), Rule::Apr1);
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
            },
        )
        .unwrap();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 03 - 05), 100), Origin::Entered, "赵敏").unwrap();
        assert_eq!(rule_of(sign(&mut b, r, SignKind::Review, "赵敏")), Rule::Sep5, "not one's own voucher");
        appoint(
            &mut b,
            Appointment {
                person: "李明".into(),
                role: Role::Accountant,
                from: date!(2025 - 03 - 01),
                ended: None,
                leader: false,
                title: None,
            },
        )
        .ok();
        let v = b.vouchers[&r].0.clone();
        let ready = check_ready_to_post(&mut b, &v, "王芳", TODAY).unwrap();
        assert!(ready.iter().any(|x| x.rule == Rule::Sep5), "the cashier never posts");
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

    #[test]
    fn sep_6_a_resolution_approves_instead_and_the_payment_proceeds() {
        let mut b = office();
        record_kinship(&mut b, KinFact::Sibling { a: "李强".into(), b: "李明".into() }, TODAY).unwrap();
        let mut d = draft(date!(2025 - 03 - 05), 100);
        d.lines[0].counterparty = Some("李强".into());
        let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
        let v = b.vouchers[&r].0.clone();
        assert!(approved_by_resolution(&mut b, &v, TODAY).unwrap(), "it cites a valid resolution");
        sign(&mut b, r, SignKind::Review, "刘洋").unwrap();
        sign(&mut b, r, SignKind::Confirm, "王芳").unwrap();
        post_voucher(&mut b, r, "赵敏", TODAY).unwrap();
        let mut d = draft(date!(2025 - 03 - 06), 100);
        d.lines[0].counterparty = Some("李强".into());
        d.authorization = None;
        let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
        let v = b.vouchers[&r].0.clone();
        assert!(!approved_by_resolution(&mut b, &v, TODAY).unwrap(), "no resolution cited");
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
            let mut m = MemoryBooks::new();
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
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::approval::{AuthKind, Authorization};
    use crate::books::tests::{draft, MemoryBooks};
    use crate::books::{appoint, post_voucher, prepare_voucher, record_authorization, record_kinship, register_person};
    use crate::people::{Appointment, KinFact};
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
    const OFFICE: [(usize, Role, bool); 4] = [
        (0, Role::Accountant, false),
        (1, Role::Cashier, false),
        (2, Role::Reviewer, false),
        (3, Role::Approver, true),
    ];

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
            let mut b = MemoryBooks::new();
            b.authorizations.clear();
            for p in PEOPLE {
                register_person(&mut b, p, None).unwrap();
            }
            for (number, kind) in [(AUTHS[0], AuthKind::Resolution), (AUTHS[1], AuthKind::Government)] {
                let a = Authorization { number: number.into(), kind, date: date!(2025 - 01 - 01), scope: "x".into(), cap: Money::from_fen(100_000_000) };
                record_authorization(&mut b, a).unwrap();
            }
            for (person, role, leader) in OFFICE {
                let a = Appointment { person: PEOPLE[person].into(), role, from: date!(2025 - 01 - 01), ended: None, leader, title: None };
                appoint(&mut b, a).unwrap();
            }
            let mut refs = Vec::new();
            for op in ops {
                let _ = match op {
                    Op::Appoint { person, role, leader, month } => {
                        let from = time::Date::from_calendar_date(2025, time::Month::try_from(month).unwrap(), 1).unwrap();
                        let a = Appointment { person: PEOPLE[person].into(), role: ROLES[role], from, ended: None, leader, title: None };
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
                match signed.iter().find(|s| s.kind == SignKind::Approve) {
                    Some(approval) => prop_assert!(b.registry.appointments().iter().any(|a| a.person == approval.person
                        && a.role == Role::Approver && a.from == approval.appointment_from && a.in_force(today))),
                    // SEP-6: only when the approver in office had to stand aside.
                    None => prop_assert!(
                        b.registry.in_force(today).any(|a| a.role == Role::Approver && approver_conflict(&b.registry, &a.person, v).is_some()),
                        "posted expense without approval"
                    ),
                }
                let cited = b.authorizations.get(v.authorization().unwrap_or(""));
                prop_assert!(cited.is_some(), "posted expense without a recorded authorization");
                let need = if nature(&b.chart, v).expense_amount >= b.settings.threshold { AuthKind::Government } else { AuthKind::Resolution };
                prop_assert_eq!(cited.unwrap().kind, need);
                prop_assert!(!v.documents().is_empty(), "posted expense without a document");
            }
            let apps = b.registry.appointments();
            for x in apps.iter().filter(|a| a.role == Role::Accountant) {
                for y in apps.iter().filter(|a| a.role == Role::Cashier) {
                    prop_assert!(!(x.person == y.person && x.overlaps(y)), "{} is accountant and cashier", x.person);
                }
            }
        }
    }
}
