//! The voucher life cycle with signatures (VCH-4): prepared → reviewed →
//! approved (expenses and payments) → confirmed by the cashier (cash and
//! bank) → posted. Who may sign what follows DOMAIN §0 and SEP-5/SEP-6/SEP-7.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::{AccountKind, Chart};
use crate::approval::{AuthKind, Authorization};
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
    /// [SEP-6] set when a deputy signs the approval in the approver's
    /// place: the number of the 两委 resolution that names them. Their
    /// `appointment_from` is then that of their leader appointment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
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

impl Next {
    /// What the voucher list shows for a prepared voucher: 待审核, 待审批,
    /// 待出纳确认 or 待记账.
    pub fn chinese(self) -> &'static str {
        match self {
            Next::Sign(SignKind::Review) => "待审核",
            Next::Sign(SignKind::Approve) => "待审批",
            Next::Sign(SignKind::Confirm) => "待出纳确认",
            Next::Post => "待记账",
        }
    }

    /// The step as machine-readable output names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Next::Sign(k) => k.as_str(),
            Next::Post => "post",
        }
    }
}

impl Serialize for Next {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The first required signature still missing, or posting when none is.
pub fn next_step(chart: &Chart, v: &Voucher, signed: &[Signature]) -> Next {
    required(chart, v).into_iter().find(|k| !signed.iter().any(|s| s.kind == *k)).map_or(Next::Post, Next::Sign)
}

/// People named as counterparties on a voucher who are registered: the
/// people it pays or receives from.
pub fn payees<'a>(registry: &Registry, v: &'a Voucher) -> Vec<&'a str> {
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

/// [SEP-6] whether the one who holds the pen on `date` (APR-1: the acting
/// approver, else the approver) must stand aside from `v`: who, and why.
pub fn stand_aside(registry: &Registry, v: &Voucher, date: Date) -> Option<(String, String)> {
    let pen = registry.pen_holder(date)?;
    approver_conflict(registry, &pen.person, v).map(|why| (pen.person.clone(), why))
}

/// [SEP-6] what every report shows on a voucher the approver stands aside
/// from: why, and once a deputy has signed, the resolution and the deputy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StandAsideMark {
    /// Why the one who holds the pen on the day shown may not approve.
    pub why: Option<String>,
    /// The resolution the deputy signed under.
    pub resolution: Option<String>,
    /// The deputy who signed the approval.
    pub deputy: Option<String>,
}

impl StandAsideMark {
    /// `回避：收款人李强是…；两委决议〔2025〕7号，由张华代为审批`.
    pub fn note(&self) -> String {
        let why = self.why.as_deref().map(|w| format!("{w}；")).unwrap_or_default();
        match (&self.resolution, &self.deputy) {
            (Some(r), Some(d)) => format!("回避：{why}依决议 {r}，由{d}代为审批"),
            _ => format!("回避：{why}须两委会议决议指定代签人审批"),
        }
    }

    /// `回避：两委决议〔2025〕7号，张华代签`, for lists.
    pub fn short(&self) -> String {
        match (&self.resolution, &self.deputy) {
            (Some(r), Some(d)) => format!("回避：{r}，{d}代签"),
            _ => "回避：待两委决议指定代签人".to_string(),
        }
    }
}

/// [SEP-6] the mark of a voucher: from a deputy's approval signature when
/// there is one, else from who holds the pen on `date` while it waits for
/// approval. `None` for every other voucher.
pub fn stand_aside_mark(
    registry: &Registry,
    v: &Voucher,
    signatures: &[Signature],
    date: Date,
) -> Option<StandAsideMark> {
    let approval = signatures.iter().find(|s| s.kind == SignKind::Approve);
    let why = || stand_aside(registry, v, date).map(|(_, why)| why);
    match approval {
        Some(s) if s.resolution.is_some() => {
            Some(StandAsideMark { why: why(), resolution: s.resolution.clone(), deputy: Some(s.person.clone()) })
        }
        Some(_) => None,
        None => why().map(|why| StandAsideMark { why: Some(why), resolution: None, deputy: None }),
    }
}

/// [SEP-6] [`StandAsideMark::note`] of [`stand_aside_mark`].
pub fn stand_aside_note(registry: &Registry, v: &Voucher, signatures: &[Signature], date: Date) -> Option<String> {
    stand_aside_mark(registry, v, signatures, date).map(|m| m.note())
}

/// The amount a stand-aside resolution must cover: what the voucher moves.
fn paid(v: &Voucher) -> Money {
    v.total_debit()
}

/// [SEP-6] the resolution under which `deputy` may approve `v` in place of
/// `approver`: a recorded 两委 resolution for one of the voucher's payees
/// naming `deputy`, dated on or before the voucher, noting that `approver`
/// withdrew, whose cap covers the payment. The one the voucher cites comes
/// first, then the latest.
fn deputy_resolution(
    books: &mut impl Books,
    v: &Voucher,
    deputy: &str,
    approver: &str,
    why: &str,
) -> Result<Authorization, Failure> {
    let registry = books.registry();
    let paying: Vec<String> = payees(registry, v).into_iter().map(str::to_string).collect();
    let mut named: Vec<Authorization> = books
        .authorizations()?
        .into_iter()
        .filter(|a| {
            a.kind == AuthKind::Resolution
                && a.stand_aside.as_ref().is_some_and(|s| s.deputy == deputy && paying.contains(&s.payee))
        })
        .collect();
    let r = v.reference();
    if named.is_empty() {
        return refuse(
            Rule::Sep6,
            format!(
                "{why}，审批人须回避；{deputy}不是审批人，也没有两委决议指定其为凭证 {r} 的代签人\
                 （请先登记决议：auth add --kind resolution … --payee 收款人 --deputy 代签人 --withdrawn {approver}）"
            ),
        );
    }
    named.sort_by_key(|a| (v.authorization() == Some(a.number.as_str()), a.date));
    // The preferred resolution's defect is the one reported.
    let mut reason = None;
    for a in named.iter().rev() {
        let withdrawn = a.stand_aside.as_ref().map(|s| s.withdrawn.clone()).unwrap_or_default();
        let defect = if a.date > v.date() {
            format!(
                "两委决议 {} 的日期 {} 晚于凭证日期 {}：须先决议后支付",
                a.number,
                format_date(a.date),
                format_date(v.date())
            )
        } else if !withdrawn.iter().any(|w| w == approver) {
            format!("两委决议 {} 没有载明审批人{approver}回避（回避人：{}）", a.number, withdrawn.join("、"))
        } else if paid(v) > a.cap {
            format!("两委决议 {} 的限额 {} 不足以支付凭证 {r} 的 {}", a.number, a.cap.to_yuan(), paid(v).to_yuan())
        } else {
            return Ok(a.clone());
        };
        reason.get_or_insert(defect);
    }
    refuse(Rule::Sep6, reason.unwrap_or_default())
}

/// [APR-1, SEP-6] on what standing `person` approves `v` on `today`: the
/// first day of the appointment they sign under, and the resolution when
/// they sign as a deputy. The pen holder approves unless the voucher pays
/// them or a close relative; then only the deputy a resolution names, a
/// leader in office with no conflict of their own, approves instead.
fn approval_standing(
    books: &mut impl Books,
    v: &Voucher,
    person: &str,
    today: Date,
) -> Result<(Date, Option<String>), Failure> {
    let registry = books.registry();
    let day = format_date(today);
    let r = v.reference();
    let pen = registry.pen_holder(today).cloned();
    if let Some(p) = pen.as_ref().filter(|p| p.person == person) {
        if let Some(why) = approver_conflict(registry, person, v) {
            // Point at the deputy a resolution already names, if one does.
            let paying: Vec<String> = payees(registry, v).into_iter().map(str::to_string).collect();
            let named = books.authorizations()?.into_iter().find_map(|a| {
                a.stand_aside
                    .filter(|s| a.kind == AuthKind::Resolution && paying.contains(&s.payee))
                    .map(|s| (a.number, s.deputy))
            });
            let next = match named {
                Some((number, deputy)) => format!("{number} 已指定{deputy}代为审批，请由{deputy}审批"),
                None => format!(
                    "此笔支付须由两委会议作出决议，指定一名无利害关系的领导代为审批\
                     （auth add --kind resolution … --payee 收款人 --deputy 代签人 --withdrawn {person}）"
                ),
            };
            return refuse(Rule::Sep6, format!("{why}，审批人须回避；{next}"));
        }
        return Ok((p.from, None));
    }
    if let Some((approver, why)) = stand_aside(registry, v, today) {
        let resolution = deputy_resolution(books, v, person, &approver, &why)?;
        let registry = books.registry();
        let Some(leader) = registry.leader_appointment(person, today) else {
            return refuse(
                Rule::Sep6,
                format!(
                    "两委决议 {} 指定的代签人{person}在 {day} 没有在任的领导职务（书记、副书记、主任、副主任或两委委员），不能代为审批",
                    resolution.number
                ),
            );
        };
        if let Some(own) = approver_conflict(registry, person, v) {
            return refuse(
                Rule::Sep6,
                format!("{}；代签人{person}同样须回避，不能审批凭证 {r}", own.replace("审批人", "代签人")),
            );
        }
        return Ok((leader.from, Some(resolution.number)));
    }
    let own = registry.in_force(today).any(|a| a.person == person && a.role == Role::Approver);
    match pen {
        Some(p) if own && p.acting => refuse(
            Rule::Apr1,
            format!("{}在 {} 代理审批，期间由代理审批人一人签字；{person}不能审批（{r}）", p.describe(), p.tenure()),
        ),
        _ => refuse(Rule::Opr1, format!("{person}在 {day} 没有审批人的任职，不能审批（{r}）")),
    }
}

/// The appointment of `person` in `role` in force on `date`, by its first day.
fn appointment_from(registry: &Registry, person: &str, role: Role, date: Date) -> Option<Date> {
    registry.in_force(date).find(|a| a.person == person && a.role == role).map(|a| a.from)
}

/// [SEP-5, OPR-1] whether `person` may give a review or a cashier's
/// confirmation at all on `today`, whatever the voucher: the cashier
/// reviews nothing, the approver pays nothing, and the signer holds the
/// post; returns the day the post began. `what` ends the OPR-1 message
/// (the voucher, or nothing). An approval's standing depends on the
/// voucher (APR-1, a resolution's deputy) and is not judged here.
pub fn may_sign(registry: &Registry, person: &str, kind: SignKind, today: Date, what: &str) -> Result<Date, Failure> {
    let holds = |role: Role| registry.in_force(today).any(|a| a.person == person && a.role == role);
    match kind {
        SignKind::Review if holds(Role::Cashier) => {
            return refuse(Rule::Sep5, format!("{person}是出纳，出纳不得审核凭证"));
        }
        SignKind::Confirm if holds(Role::Approver) => {
            return refuse(Rule::Sep5, format!("{person}是审批人，审批人不得经手付款"));
        }
        _ => {}
    }
    match appointment_from(registry, person, kind.role(), today) {
        Some(from) => Ok(from),
        None if kind == SignKind::Approve => Ok(today),
        None => refuse(
            Rule::Opr1,
            format!(
                "{person}在 {} 没有{}的任职，不能{}{what}",
                format_date(today),
                kind.role().chinese(),
                kind.chinese()
            ),
        ),
    }
}

/// [VCH-4] signs a voucher. The signer must not sign against SEP-5 (the
/// preparer reviews or approves nothing of their own, the cashier reviews
/// nothing, the approver pays nothing), must hold the post on `today`
/// (OPR-1; for approval the pen holder of APR-1 or a resolution's deputy
/// under SEP-6), not be frozen by a conflict (SEP-7), and sign in order:
/// review, approval, cashier's confirmation (an expense or payment only
/// after approval).
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
    // SEP-5 before the post: where both refuse, SEP-5 is the stronger reason.
    match kind {
        SignKind::Review if v.preparer() == person => {
            return refuse(Rule::Sep5, format!("{person}是凭证 {reference} 的制单人，不能审核自己制的凭证"));
        }
        SignKind::Approve if v.preparer() == person => {
            return refuse(Rule::Sep5, format!("{person}是凭证 {reference} 的制单人，不能审批自己制的凭证"));
        }
        _ => {}
    }
    let (from, resolution) = match kind {
        SignKind::Approve => approval_standing(books, &v, person, today)?,
        _ => (may_sign(books.registry(), person, kind, today, &format!("（{reference}）"))?, None),
    };
    let registry = books.registry();
    if let Some(r) = frozen(registry.appointments(), &registry.kinship(), person, today) {
        return Err(r.into());
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
    if kind == SignKind::Confirm && !has(SignKind::Approve) {
        if let Some(r) = missing_approval(books, &v, today, "出纳才能付款确认") {
            return Err(r.into());
        }
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
    let signature =
        Signature { kind, person: person.to_string(), appointment_from: from, at: at.to_string(), resolution };
    books.append(Event::VoucherSigned { reference, signature })?;
    Ok(())
}

/// [VCH-4, SEP-6] the refusal for an expense or payment that has no approval
/// signature yet and is about to go further (`then`: to the cashier, to
/// posting): no expense or payment is paid or posted unapproved. `None`
/// when the voucher needs no approval.
fn missing_approval(books: &impl Books, v: &Voucher, today: Date, then: &str) -> Option<Refusal> {
    if !required(books.chart(), v).contains(&SignKind::Approve) {
        return None;
    }
    let r = v.reference();
    Some(match stand_aside(books.registry(), v, today) {
        Some((approver, why)) => Refusal::new(
            Rule::Sep6,
            format!("凭证 {r} 尚未审批：{why}，审批人{approver}须回避，须由两委会议决议指定的代签人审批后，{then}"),
        ),
        None => Refusal::new(Rule::Vch4, format!("凭证 {r} 尚未审批，须先经审批人审批，{then}")),
    })
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

/// [VCH-4, SEP-5, SEP-6] what posting a voucher still lacks, as refusals:
/// the poster is no cashier or approver, and every required signature
/// stands (an expense or payment is never posted without its approval).
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
    for kind in required(books.chart(), v) {
        if signed.iter().any(|s| s.kind == kind) {
            continue;
        }
        match missing_approval(books, v, today, "才能记账").filter(|_| kind == SignKind::Approve) {
            Some(r) => out.push(r),
            None => out.push(Refusal::new(Rule::Vch4, format!("凭证 {reference} 尚未{}，不能记账", kind.chinese()))),
        }
    }
    Ok(out)
}

/// [APR-1, SEP-6] the invariant behind every approval, for tests and audits:
/// why a posted (or cashier-confirmed) expense or payment lacks an approval
/// signature by the approver, the acting approver or a resolution's deputy.
/// `None` when the voucher needs no approval, is not that far along, or is
/// properly approved. The signer is judged by the appointment the signature
/// names and, for a deputy, by the resolution it names.
pub fn approval_defect(books: &mut impl Books, reference: VoucherRef) -> Result<Option<String>, Failure> {
    let Some((v, status)) = books.voucher(reference)? else {
        return Ok(None);
    };
    let n = nature(books.chart(), &v);
    if !(n.expense || n.payment) {
        return Ok(None);
    }
    let signed = books.signatures(reference)?;
    let confirmed = signed.iter().any(|s| s.kind == SignKind::Confirm);
    if status != Status::Posted && !confirmed {
        return Ok(None);
    }
    let Some(approval) = signed.iter().find(|s| s.kind == SignKind::Approve) else {
        return Ok(Some(format!("凭证 {reference} 没有审批签字")));
    };
    let registry = books.registry();
    // The appointment the signature relied on, by its person and first day.
    let relied_on = |held: fn(&crate::people::Appointment) -> bool| {
        registry
            .appointments()
            .iter()
            .any(|a| a.person == approval.person && a.from == approval.appointment_from && held(a))
    };
    let Some(number) = &approval.resolution else {
        return Ok(if relied_on(|a| a.role == Role::Approver) {
            None
        } else {
            Some(format!("凭证 {reference} 的审批人{}没有审批人（或代理审批）任职", approval.person))
        });
    };
    if !relied_on(|a| a.leader) {
        return Ok(Some(format!("凭证 {reference} 的代签人{}没有领导职务", approval.person)));
    }
    let paying: Vec<String> = payees(registry, &v).into_iter().map(str::to_string).collect();
    Ok(match books.authorization(number)?.and_then(|a| a.stand_aside) {
        Some(s) if s.deputy == approval.person && paying.contains(&s.payee) => None,
        _ => Some(format!("凭证 {reference} 的代签人{}不是两委决议 {number} 为此笔付款指定的代签人", approval.person)),
    })
}

/// [APR-1, SEP-6] [`approval_defect`] over every posted or confirmed voucher
/// dated `from..=to`.
pub fn approval_defects(books: &mut impl Books, from: Date, to: Date) -> Result<Vec<(VoucherRef, String)>, Failure> {
    let (_, vouchers) = books.vouchers_touching("", from, to, true)?;
    let mut out = Vec::new();
    for v in vouchers {
        if let Some(why) = approval_defect(books, v.reference())? {
            out.push((v.reference(), why));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
