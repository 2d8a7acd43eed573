//! Voucher commands: enter or import (prepare), post, attach a document,
//! void and reverse (VCH-1..VCH-5, DOC-1..DOC-4, CSH-1, LIM-1).

use time::Date;

use crate::books::Books;
use crate::documents::{check_new_documents, doc_key};
use crate::event::Event;
use crate::funds::check_fund_spending;
use crate::lifecycle::check_ready_to_post;
use crate::money::{Money, MAX_TOTAL_FEN};
use crate::period::{format_date, Period};
use crate::rule::{refuse, Failure, Refusal, Refusals, Rule};
use crate::voucher::{
    check_accounts, check_lines, check_reversal_lines, Document, Draft, Line, Origin, Status, Voucher, VoucherRef,
};

/// [VCH-3] the date's period takes vouchers of this origin: history only
/// before go-live, everything else from go-live on; never a closed period.
fn check_period(books: &mut impl Books, date: Date, origin: Origin) -> Result<(), Failure> {
    let period = Period::of(date);
    let start = books.ledger().start;
    let day = format_date(date);
    if origin == Origin::History {
        if period >= start {
            return refuse(
                Rule::Vch3,
                format!("历史凭证日期 {day} 不在启用期间 {start} 之前；启用后的凭证请不加 --history 导入"),
            );
        }
    } else if period < start {
        return refuse(
            Rule::Vch3,
            format!("凭证日期 {day} 早于账套启用期间 {start}；启用前的历史凭证请用 import --history 导入"),
        );
    }
    if books.period_closed(period)? {
        return refuse(
            Rule::Vch3,
            format!("会计期间 {period} 已结账，不能再录入凭证（PER-1）；更正请在当前未结账期间进行"),
        );
    }
    Ok(())
}

/// [LIM-1] the ledger can hold the voucher: with its lines, the absolute
/// amounts of everything recorded stay within `MAX_TOTAL_FEN`, so that no
/// balance or total can overflow.
fn check_total(books: &mut impl Books, lines: &[Line]) -> Result<Option<Refusal>, Failure> {
    let adding = Money::turnover(lines.iter().map(|l| l.amount));
    let held = books.turnover()?;
    if held.fen().saturating_add(adding.fen()) <= MAX_TOTAL_FEN {
        return Ok(None);
    }
    Ok(Some(Refusal::new(
        Rule::Lim1,
        format!(
            "账套已记录的金额合计 {}（借贷两方绝对值之和）加上本凭证的 {} 将超过本程序能记录的上限 {}；请核对金额是否多写了位数",
            held.to_yuan(),
            adding.to_yuan(),
            Money::from_fen(MAX_TOTAL_FEN).to_yuan()
        ),
    )))
}

/// [VCH-3] a voucher records what has happened: it is dated no later than
/// the day it is entered.
pub fn check_not_future(date: Date, today: Date) -> Result<(), Refusal> {
    if date > today {
        return Err(Refusal::new(
            Rule::Vch3,
            format!(
                "凭证日期 {} 晚于今天 {}：凭证只记已经发生的业务，请填写实际发生的日期",
                format_date(date),
                format_date(today)
            ),
        ));
    }
    Ok(())
}

/// [`prepare_voucher`] for a voucher entered on `today` (VCH-3: never dated
/// after it). Every front end enters vouchers through this.
pub fn enter_voucher(
    books: &mut impl Books,
    draft: Draft,
    origin: Origin,
    preparer: &str,
    today: Date,
) -> Result<VoucherRef, Failure> {
    check_not_future(draft.date, today)?;
    prepare_voucher(books, draft, origin, preparer)
}

/// Checks a draft against VCH-1, VCH-2, VCH-3 and VCH-5 and records it:
/// prepared, or for history migrated and posted at once. Returns its number.
/// The clock is not consulted: front ends call [`enter_voucher`].
pub fn prepare_voucher(
    books: &mut impl Books,
    draft: Draft,
    origin: Origin,
    preparer: &str,
) -> Result<VoucherRef, Failure> {
    if preparer.trim().is_empty() {
        return refuse(Rule::Aud1, "未指明制单人；请用 --as 姓名 或环境变量 QIANZHANG_USER 指明操作人");
    }
    let draft = draft.normalized();
    let reasons = check_draft(books, &draft, origin, None)?;
    if !reasons.is_empty() {
        return Err(Failure::Refused(reasons));
    }
    let period = Period::of(draft.date);
    let number = books.next_number(period)?;
    let reference = VoucherRef { period, number };
    let mut draft = draft;
    if draft.source_ref.as_deref() == Some(reference.label().as_str()) {
        // The file's number is the engine's: nothing to keep.
        draft.source_ref = None;
    }
    let voucher = Voucher::accepted(reference, draft, origin, preparer);
    let event = match origin {
        Origin::History | Origin::Closing => Event::VoucherMigrated { voucher },
        Origin::Entered | Origin::Imported => Event::VoucherPrepared { voucher },
    };
    books.append(event)?;
    Ok(reference)
}

/// [VCH-1..3, DOC-1..2, FND-1, LIM-1] what is wrong with a normalized draft
/// of this origin; `own`: the voucher it revises, whose documents it may
/// keep.
fn check_draft(
    books: &mut impl Books,
    draft: &Draft,
    origin: Origin,
    own: Option<VoucherRef>,
) -> Result<Refusals, Failure> {
    let mut reasons = Refusals { reasons: Vec::new(), unlisted: 0 };
    let red = draft.reverses.is_some();
    for r in check_lines(&draft.lines, red) {
        reasons.push(r);
    }
    for r in crate::voucher::check_draft_text(draft) {
        reasons.push(r);
    }
    for r in check_accounts(books.chart(), &draft.lines, draft.date) {
        reasons.push(r);
    }
    if origin != Origin::History {
        let funds = books.funds()?;
        for r in crate::funds::check_declared(&draft.lines, &funds) {
            reasons.push(r);
        }
    }
    if draft.documents.len() > draft.lines.len().max(1) {
        reasons.push(Refusal::new(Rule::Lim1, "单据张数不能多于分录行数（每行分录最多附一张单据信息）"));
    }
    if origin != Origin::History {
        let mut used = Vec::new();
        for d in &draft.documents {
            used.push(crate::documents::live_holder(books, d)?.filter(|holder| Some(*holder) != own));
        }
        let mut used = used.into_iter();
        for r in check_new_documents(&draft.documents, |_| used.next().flatten()) {
            reasons.push(Refusal {
                row: None,
                message: format!("第 {} 张单据：{}", r.row.unwrap_or(0), r.message),
                ..r
            });
        }
    }
    if let Err(Failure::Refused(r)) = check_period(books, draft.date, origin) {
        reasons.reasons.extend(r.reasons);
    }
    if let Some(r) = check_total(books, &draft.lines)? {
        reasons.push(r);
    }
    if let Some(original_ref) = draft.reverses {
        if let Some(r) = check_reversal(books, original_ref, draft)? {
            reasons.push(r);
        }
    }
    Ok(reasons)
}

/// [VCH-1..3] prepares a new voucher dated `date` from `reference`'s lines
/// and authorization, whatever its status; documents are not copied (DOC-2),
/// and a red reversal is not copied (VCH-5). Returns the new number.
pub fn copy_voucher(
    books: &mut impl Books,
    reference: VoucherRef,
    date: Date,
    preparer: &str,
    today: Date,
) -> Result<VoucherRef, Failure> {
    let Some((voucher, _)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if voucher.reverses().is_some() {
        return refuse(Rule::Vch5, format!("凭证 {reference} 是红字冲销凭证，不能复制；冲销请用 voucher reverse"));
    }
    enter_voucher(books, voucher.copy_draft(date), Origin::Entered, preparer, today)
}

/// [VCH-4, VCH-5] revises (修改) a prepared voucher: `draft` replaces its
/// date, lines, documents and authorization, checked as when it was
/// prepared (VCH-1..3, DOC, FND-1, LIM-1; approval and DOC-3 at signing).
/// It keeps its number, so the date stays in its period; its signatures are
/// cleared. A posted voucher is corrected by red reversal instead (VCH-5).
/// `editor` becomes its preparer; `today` bounds the date (VCH-3).
pub fn revise_voucher(
    books: &mut impl Books,
    reference: VoucherRef,
    draft: Draft,
    editor: &str,
    today: Date,
) -> Result<(), Failure> {
    let Some((voucher, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    match status {
        Status::Posted => {
            return refuse(
                Rule::Vch5,
                format!("凭证 {reference} 已经记账，不能修改；如有错误请红字冲销（voucher reverse）后另录正确凭证"),
            )
        }
        Status::Voided => {
            return refuse(Rule::Vch4, format!("凭证 {reference} 已作废，不能修改；请另行制单"));
        }
        Status::Prepared => {}
    }
    if voucher.reverses().is_some() || !matches!(voucher.origin(), Origin::Entered | Origin::Imported) {
        return refuse(
            Rule::Vch5,
            format!(
                "凭证 {reference} 是{}凭证，不能修改；不需要时请作废",
                if voucher.reverses().is_some() { "红字冲销" } else { voucher.origin().chinese() }
            ),
        );
    }
    if editor.trim().is_empty() {
        return refuse(Rule::Aud1, "未指明修改人；请用 --as 姓名 或环境变量 QIANZHANG_USER 指明操作人");
    }
    check_not_future(draft.date, today)?;
    if Period::of(draft.date) != reference.period {
        return refuse(
            Rule::Vch3,
            format!(
                "凭证 {reference} 的编号属于 {} 期间，修改后的日期 {} 不在该期间；改到其他月份请作废本凭证后重新制单（或 voucher copy）",
                reference.period,
                format_date(draft.date)
            ),
        );
    }
    let mut draft = draft.normalized();
    draft.reverses = None;
    let reasons = check_draft(books, &draft, voucher.origin(), Some(reference))?;
    if !reasons.is_empty() {
        return Err(Failure::Refused(reasons));
    }
    if draft.source_ref.is_none() {
        draft.source_ref = voucher.source_ref().map(str::to_string);
    }
    let unchanged = draft.date == voucher.date()
        && draft.lines.as_slice() == voucher.lines()
        && draft.documents.as_slice() == voucher.documents()
        && draft.authorization.as_deref() == voucher.authorization();
    if unchanged {
        // A revision clears the signatures (VCH-4): one that changes nothing must not.
        return refuse(
            Rule::Vch4,
            format!("修改后的凭证 {reference} 与原凭证完全相同，没有要改的内容；凭证和已有的签字保持不变"),
        );
    }
    let revised = Voucher::accepted(reference, draft, voucher.origin(), editor);
    books.append(Event::VoucherRevised { voucher: revised })?;
    Ok(())
}

/// [VCH-5] a reversal cites a posted voucher that is neither a reversal nor
/// already reversed, is dated no earlier, and negates its lines.
fn check_reversal(books: &mut impl Books, original_ref: VoucherRef, draft: &Draft) -> Result<Option<Refusal>, Failure> {
    let v = |m: String| Ok(Some(Refusal::new(Rule::Vch5, m)));
    let Some((original, status)) = books.voucher(original_ref)? else {
        return v(format!("要冲销的凭证 {original_ref} 不存在"));
    };
    if status != Status::Posted {
        return v(format!("凭证 {original_ref} 未记账（{}），未记账的凭证作废即可，不需红字冲销", status.chinese()));
    }
    if original.reverses().is_some() {
        return v(format!("凭证 {original_ref} 本身是红字冲销凭证，不能再冲销；如需恢复请重新录入正确凭证"));
    }
    if let Some(existing) = books.reversed_by(original_ref)? {
        return v(format!("凭证 {original_ref} 已被 {existing} 冲销，不能重复冲销"));
    }
    if draft.date < original.date() {
        return v(format!(
            "冲销凭证日期 {} 早于原凭证 {original_ref} 的日期 {}",
            format_date(draft.date),
            format_date(original.date())
        ));
    }
    Ok(check_reversal_lines(&original, &draft.lines))
}

/// [VCH-4] posts (记账) a prepared voucher whose signatures are complete;
/// `poster` is the accountant acting on `today`.
pub fn post_voucher(books: &mut impl Books, reference: VoucherRef, poster: &str, today: Date) -> Result<(), Failure> {
    let Some((voucher, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if status == Status::Posted {
        return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，已记账凭证不能再次记账或修改"));
    }
    if status == Status::Voided {
        return refuse(Rule::Vch4, format!("凭证 {reference} 已作废"));
    }
    if books.period_closed(reference.period)? {
        return refuse(Rule::Vch3, format!("会计期间 {} 已结账，不能记账", reference.period));
    }
    let mut errs = check_accounts(books.chart(), voucher.lines(), voucher.date());
    errs.extend(check_ready_to_post(books, &voucher, poster, today)?);
    let mut held = std::collections::HashMap::new();
    for fund in voucher.lines().iter().filter_map(|l| l.fund.as_deref()) {
        if !held.contains_key(fund) {
            held.insert(fund.to_string(), books.fund_balance(fund)?);
        }
    }
    errs.extend(check_fund_spending(&voucher, |f| held.get(f).copied().unwrap_or_default()));
    errs.extend(check_cash_and_bank(books, &voucher, false)?);
    if !errs.is_empty() {
        return Err(Failure::Refused(Refusals { reasons: errs, unlisted: 0 }));
    }
    books.append(Event::VoucherPosted { reference })?;
    Ok(())
}

/// [CSH-1] cash and bank stay at or above zero on every day once `v` is in;
/// `confirmed`: count what the cashier has confirmed but not yet posted.
pub fn check_cash_and_bank(books: &mut impl Books, v: &Voucher, confirmed: bool) -> Result<Vec<Refusal>, Failure> {
    let mut out = Vec::new();
    for (prefix, name) in [("1001", "库存现金"), ("1002", "银行存款")] {
        let delta: Money = v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(Line::signed).sum();
        if delta.is_negative() {
            let (before, later) = books.movements_from(prefix, v.date(), confirmed)?;
            out.extend(crate::receipts::check_never_negative(name, before, &later, v.date(), delta));
        }
    }
    Ok(out)
}

/// [VCH-4, DOC-1..4] attaches an original document to a prepared voucher.
/// The voucher is revised, so its signatures are cleared and it is signed
/// again.
pub fn attach_document(books: &mut impl Books, reference: VoucherRef, document: Document) -> Result<(), Failure> {
    let Some((voucher, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if status == Status::Posted {
        return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，不能再附单据；如有错误请红字冲销"));
    }
    if status == Status::Voided {
        return refuse(Rule::Vch4, format!("凭证 {reference} 已作废"));
    }
    let draft_docs: Vec<Document> = voucher.documents().iter().cloned().chain([document.clone()]).collect();
    let draft = Draft {
        date: voucher.date(),
        lines: vec![],
        documents: draft_docs,
        authorization: None,
        reverses: None,
        source_ref: None,
    }
    .normalized();
    if draft.documents.len() > voucher.lines().len() {
        return refuse(Rule::Lim1, "单据张数不能多于分录行数（每行分录最多附一张单据信息）");
    }
    let used = crate::documents::live_holder(books, &document)?;
    let mut errs =
        check_new_documents(&draft.documents, |d| if doc_key(d) == doc_key(&document) { used } else { None });
    errs.retain(|r| r.row == Some(draft.documents.len()) || r.rule == Rule::Doc2);
    if !errs.is_empty() {
        return Err(Failure::Refused(Refusals { reasons: errs, unlisted: 0 }));
    }
    let added = draft.documents.last().cloned().unwrap_or(document);
    books.append(Event::VoucherRevised { voucher: voucher.with_document(added) })?;
    Ok(())
}

/// [VCH-4] voids (作废) a prepared voucher, with a reason: a posted one is
/// corrected by red reversal instead (VCH-5). The number stays taken.
pub fn void_voucher(books: &mut impl Books, reference: VoucherRef, reason: &str) -> Result<(), Failure> {
    let Some((_, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    match status {
        Status::Posted => {
            return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，不能作废；如有错误请红字冲销"));
        }
        Status::Voided => return refuse(Rule::Vch4, format!("凭证 {reference} 已经作废")),
        Status::Prepared => {}
    }
    if reason.trim().is_empty() {
        return refuse(Rule::Vch4, "作废凭证须写明原因（--reason）");
    }
    if books.period_closed(reference.period)? {
        return refuse(Rule::Vch3, format!("会计期间 {} 已结账", reference.period));
    }
    books.append(Event::VoucherVoided { reference, reason: reason.trim().to_string() })?;
    Ok(())
}

/// [VCH-5] prepares the red reversal of a posted voucher, dated `date`.
pub fn reverse_voucher(
    books: &mut impl Books,
    reference: VoucherRef,
    date: Date,
    preparer: &str,
    today: Date,
) -> Result<VoucherRef, Failure> {
    let Some((original, _)) = books.voucher(reference)? else {
        return refuse(Rule::Vch5, format!("要冲销的凭证 {reference} 不存在"));
    };
    let draft = original.reversal_draft(date);
    // The reversal's own conditions come first: they say more than the
    // line checks would about, say, the reversal of a reversal.
    if let Some(r) = check_reversal(books, reference, &draft)? {
        return Err(r.into());
    }
    enter_voucher(books, draft, Origin::Entered, preparer, today)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::books::Books;
    use crate::memory::MemoryBooks;
    use crate::test_support::{draft, post, rule_of, TODAY};

    #[test]
    fn vch_3_numbers_are_consecutive_per_period() {
        let mut b = MemoryBooks::fixture();
        let a = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        let c = prepare_voucher(&mut b, draft(date!(2025 - 01 - 03), 100), Origin::Entered, "赵敏").unwrap();
        let d = prepare_voucher(&mut b, draft(date!(2025 - 02 - 01), 100), Origin::Entered, "赵敏").unwrap();
        assert_eq!((a.number, c.number, d.number), (1, 2, 1));
        assert_eq!(a.label(), "记-0001");
    }

    #[test]
    fn vch_3_history_before_go_live_everything_else_after() {
        let mut b = MemoryBooks::fixture();
        assert_eq!(
            rule_of(prepare_voucher(&mut b, draft(date!(2024 - 12 - 31), 1), Origin::Entered, "赵敏")),
            Rule::Vch3
        );
        assert_eq!(
            rule_of(prepare_voucher(&mut b, draft(date!(2025 - 01 - 01), 1), Origin::History, "赵敏")),
            Rule::Vch3
        );
        assert_eq!(
            rule_of(prepare_voucher(&mut b, draft(date!(2024 - 06 - 10), 1), Origin::History, "赵敏")),
            Rule::Vch3
        );
        prepare_voucher(&mut b, draft(date!(2024 - 12 - 31), 1), Origin::History, "赵敏").unwrap();
        assert!(matches!(b.events.last(), Some(Event::VoucherMigrated { .. })));
        assert!(b.events.len() == 1, "refusals append nothing");
    }

    #[test]
    fn vch_4_post_only_what_exists_and_waits() {
        let mut b = MemoryBooks::fixture();
        let missing = VoucherRef { period: Period::parse("2025-01").unwrap(), number: 9 };
        assert_eq!(rule_of(post(&mut b, missing)), Rule::Vch4);
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(post(&mut b, r)), Rule::Vch5);
    }

    #[test]
    fn lim_1_a_voucher_that_would_take_the_ledger_past_what_it_holds_is_refused() {
        let mut b = MemoryBooks::fixture();
        // ¥100.00 on each side: 20,000 fen of absolute amounts.
        b.turnover = Money::from_fen(MAX_TOTAL_FEN - 20_000);
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 10_000), Origin::Entered, "赵敏").unwrap();
        assert_eq!(b.turnover().unwrap(), Money::from_fen(MAX_TOTAL_FEN));
        let before = b.events.len();
        let refused = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 1), Origin::Entered, "赵敏");
        assert_eq!(rule_of(refused), Rule::Lim1);
        assert_eq!(b.events.len(), before, "nothing recorded");
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", TODAY)), Rule::Lim1);
    }

    #[test]
    fn vch_3_a_voucher_is_never_dated_after_today() {
        let mut b = MemoryBooks::fixture();
        let today = date!(2025 - 01 - 05);
        let later = draft(date!(2025 - 01 - 06), 100);
        let before = b.events.len();
        let refused = enter_voucher(&mut b, later, Origin::Entered, "赵敏", today);
        assert_eq!(rule_of(refused), Rule::Vch3);
        assert_eq!(b.events.len(), before, "nothing recorded");
        enter_voucher(&mut b, draft(today, 100), Origin::Entered, "赵敏", today).unwrap();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 04), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", today)), Rule::Vch3);
    }

    /// A numbered receipt, keyed for DOC-2.
    fn receipt(number: &str) -> Document {
        Document {
            doc_type: "收据".into(),
            issuer: None,
            number: Some(number.into()),
            amount: Some(Money::from_fen(100)),
            handler: Some("张伟".into()),
            checker: None,
            date: None,
        }
    }

    #[test]
    fn vch_4_an_edited_voucher_keeps_its_number_and_is_checked_as_when_prepared() {
        let mut b = MemoryBooks::fixture();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        let mut d = draft(date!(2025 - 01 - 20), 250);
        d.lines[0].counterparty = Some("惠民文具店".into());
        revise_voucher(&mut b, r, d, "赵敏", TODAY).unwrap();
        let (v, status) = b.vouchers[&r].clone();
        assert_eq!(
            (status, v.date(), v.total_debit()),
            (Status::Prepared, date!(2025 - 01 - 20), Money::from_fen(250))
        );
        assert_eq!(v.lines()[0].counterparty.as_deref(), Some("惠民文具店"));
        assert!(matches!(b.events.last(), Some(Event::VoucherRevised { .. })));
        let before = b.events.len();
        let mut same = draft(date!(2025 - 01 - 20), 250);
        same.lines[0].counterparty = Some("惠民文具店".into());
        assert_eq!(rule_of(revise_voucher(&mut b, r, same, "赵敏", TODAY)), Rule::Vch4, "an edit that changes nothing");
        let mut unbalanced = draft(date!(2025 - 01 - 20), 250);
        unbalanced.lines[1].amount = Money::from_fen(240);
        assert_eq!(rule_of(revise_voucher(&mut b, r, unbalanced, "赵敏", TODAY)), Rule::Vch1);
        let mut closed_account = draft(date!(2025 - 01 - 20), 250);
        closed_account.lines[0].account = "9999".into();
        assert_eq!(rule_of(revise_voucher(&mut b, r, closed_account, "赵敏", TODAY)), Rule::Vch2);
        assert_eq!(
            rule_of(revise_voucher(&mut b, r, draft(date!(2025 - 02 - 03), 250), "赵敏", TODAY)),
            Rule::Vch3,
            "the number belongs to January"
        );
        assert_eq!(
            rule_of(revise_voucher(&mut b, r, draft(date!(2025 - 01 - 20), 250), "赵敏", date!(2025 - 01 - 10))),
            Rule::Vch3,
            "never dated after today"
        );
        let mut unknown_fund = draft(date!(2025 - 01 - 20), 250);
        unknown_fund.lines[0].fund = Some("未设立的资金".into());
        assert_eq!(rule_of(revise_voucher(&mut b, r, unknown_fund, "赵敏", TODAY)), Rule::Fnd1);
        assert_eq!(b.events.len(), before, "refusals record nothing");
    }

    #[test]
    fn doc_2_an_edit_keeps_its_own_documents_but_takes_no_one_elses() {
        let mut b = MemoryBooks::fixture();
        let mut d = draft(date!(2025 - 01 - 05), 100);
        d.documents = vec![receipt("0001")];
        let r = prepare_voucher(&mut b, d.clone(), Origin::Entered, "赵敏").unwrap();
        let mut other = draft(date!(2025 - 01 - 05), 100);
        other.documents = vec![receipt("0002")];
        prepare_voucher(&mut b, other, Origin::Entered, "赵敏").unwrap();
        d.lines[0].summary = "办公用品（改）".into();
        revise_voucher(&mut b, r, d.clone(), "赵敏", TODAY).unwrap();
        d.documents = vec![receipt("0002")];
        assert_eq!(rule_of(revise_voucher(&mut b, r, d.clone(), "赵敏", TODAY)), Rule::Doc2);
        // A document the edit drops is free for another voucher.
        d.documents = vec![receipt("0003")];
        revise_voucher(&mut b, r, d, "赵敏", TODAY).unwrap();
        let mut third = draft(date!(2025 - 01 - 06), 100);
        third.documents = vec![receipt("0001")];
        prepare_voucher(&mut b, third, Origin::Entered, "赵敏").unwrap();
    }

    #[test]
    fn vch_5_a_posted_voucher_is_reversed_not_edited() {
        let mut b = MemoryBooks::fixture();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        let Err(Failure::Refused(e)) = revise_voucher(&mut b, r, draft(date!(2025 - 01 - 05), 90), "赵敏", TODAY)
        else {
            panic!("a posted voucher was edited")
        };
        assert_eq!(e.first_rule(), Rule::Vch5);
        assert!(e.reasons[0].message.contains("红字冲销"), "{}", e.reasons[0].message);
        let v = prepare_voucher(&mut b, draft(date!(2025 - 01 - 06), 100), Origin::Entered, "赵敏").unwrap();
        void_voucher(&mut b, v, "重复录入").unwrap();
        assert_eq!(rule_of(revise_voucher(&mut b, v, draft(date!(2025 - 01 - 06), 90), "赵敏", TODAY)), Rule::Vch4);
        let red = reverse_voucher(&mut b, r, date!(2025 - 01 - 07), "赵敏", TODAY).unwrap();
        assert_eq!(rule_of(revise_voucher(&mut b, red, draft(date!(2025 - 01 - 07), 90), "赵敏", TODAY)), Rule::Vch5);
    }

    #[test]
    fn vch_3_a_copy_takes_a_new_number_and_no_documents() {
        let mut b = MemoryBooks::fixture();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        let c = copy_voucher(&mut b, r, date!(2025 - 02 - 05), "赵敏", TODAY).unwrap();
        assert_eq!(c.label(), "记-0001");
        assert_eq!(c.period, Period::parse("2025-02").unwrap());
        let (copy, status) = b.vouchers[&c].clone();
        let (original, _) = b.vouchers[&r].clone();
        assert_eq!(
            (status, copy.lines(), copy.authorization()),
            (Status::Prepared, original.lines(), original.authorization())
        );
        assert!(copy.documents().is_empty(), "DOC-2: documents are not copied");
        assert_eq!(
            rule_of(copy_voucher(&mut b, r, date!(2026 - 01 - 05), "赵敏", TODAY)),
            Rule::Vch3,
            "not after today"
        );
        let red = reverse_voucher(&mut b, r, date!(2025 - 01 - 07), "赵敏", TODAY).unwrap();
        assert_eq!(rule_of(copy_voucher(&mut b, red, date!(2025 - 02 - 07), "赵敏", TODAY)), Rule::Vch5);
    }

    #[test]
    fn vch_5_red_reversal_rules() {
        let mut b = MemoryBooks::fixture();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        assert_eq!(
            rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", TODAY)),
            Rule::Vch5,
            "not posted yet"
        );
        post(&mut b, r).unwrap();
        assert_eq!(
            rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 04), "赵敏", TODAY)),
            Rule::Vch5,
            "dated before the original"
        );
        let mut forged = b.vouchers[&r].0.reversal_draft(date!(2025 - 01 - 06));
        forged.lines[0].amount = Money::from_fen(-50);
        forged.lines[1].amount = Money::from_fen(-50);
        assert_eq!(
            rule_of(prepare_voucher(&mut b, forged, Origin::Entered, "赵敏")),
            Rule::Vch5,
            "lines must negate the original"
        );
        let red = reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", TODAY).unwrap();
        let (rv, _) = b.vouchers[&red].clone();
        assert_eq!(rv.reverses(), Some(r));
        assert_eq!(rv.total_debit(), Money::from_fen(-100));
        assert!(rv.lines()[0].summary.starts_with("冲销 2025-01/记-0001"));
        assert_eq!(
            rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 07), "赵敏", TODAY)),
            Rule::Vch5,
            "reversed twice"
        );
        post(&mut b, red).unwrap();
        assert_eq!(
            rule_of(reverse_voucher(&mut b, red, date!(2025 - 01 - 07), "赵敏", TODAY)),
            Rule::Vch5,
            "a reversal is not reversed"
        );
        assert_eq!(b.balance("5201").unwrap(), Money::ZERO);
    }

    #[test]
    fn csh_1_cash_never_goes_negative_on_any_day() {
        let mut b = MemoryBooks::fixture();
        b.opening_cash = Money::from_fen(10_000);
        let pay = |b: &mut MemoryBooks, day, fen| {
            let r = prepare_voucher(b, draft(day, fen), Origin::Entered, "赵敏").unwrap();
            post(b, r)
        };
        pay(&mut b, date!(2025 - 03 - 10), 6_000).unwrap();
        let Err(Failure::Refused(e)) = pay(&mut b, date!(2025 - 03 - 05), 5_000) else {
            panic!("a payment before a later one")
        };
        assert_eq!(e.reasons[0].rule, Rule::Csh1);
        assert!(
            e.reasons[0].message.contains("2025-03-10 日终余额将为 -¥10.00")
                && e.reasons[0].message.contains("短缺 ¥10.00"),
            "{}",
            e.reasons[0].message
        );
        pay(&mut b, date!(2025 - 03 - 12), 4_000).unwrap();
        assert_eq!(rule_of(pay(&mut b, date!(2025 - 03 - 12), 1)), Rule::Csh1);
    }

    #[test]
    fn aud_1_a_voucher_needs_its_preparer() {
        let mut b = MemoryBooks::fixture();
        assert_eq!(rule_of(prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 1), Origin::Entered, " ")), Rule::Aud1);
    }

    /// One step of the CSH-1 property: what moves, on which day of March, how much.
    #[derive(Clone, Copy, Debug)]
    enum Move {
        BankReceipt,
        CashPayment,
        BankPayment,
        Deposit,
        Withdrawal,
    }

    fn move_draft(m: Move, day: u8, fen: i64) -> Draft {
        let date = Date::from_calendar_date(2025, time::Month::March, day).unwrap();
        let mut d = draft(date, fen);
        let (debit, credit) = match m {
            Move::BankReceipt => ("1002", "4901"),
            Move::CashPayment => ("5201", "1001"),
            Move::BankPayment => ("5201", "1002"),
            Move::Deposit => ("1002", "1001"),
            Move::Withdrawal => ("1001", "1002"),
        };
        d.lines[0].account = debit.into();
        d.lines[1].account = credit.into();
        d
    }

    fn lowest_day_end(b: &MemoryBooks, prefix: &str) -> Money {
        let mut moves: Vec<(Date, Money)> = b
            .vouchers
            .values()
            .filter(|(_, s)| *s == Status::Posted)
            .map(|(v, _)| {
                (v.date(), v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(Line::signed).sum())
            })
            .collect();
        moves.sort_by_key(|(d, _)| *d);
        let mut balance = b.opening_cash;
        let mut lowest = balance;
        for (i, (d, m)) in moves.iter().enumerate() {
            balance += *m;
            if moves.get(i + 1).is_none_or(|(next, _)| next != d) {
                lowest = lowest.min(balance);
            }
        }
        lowest
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// [CSH-1] whatever receipts, payments and transfers are posted, in
        /// whatever order of dates, cash and bank close every day at zero or
        /// more; a refused posting is refused under CSH-1 and changes nothing.
        #[test]
        fn csh_1_cash_and_bank_never_go_negative(
            steps in proptest::collection::vec(
                (proptest::prelude::prop_oneof![
                    proptest::prelude::Just(Move::BankReceipt),
                    proptest::prelude::Just(Move::CashPayment),
                    proptest::prelude::Just(Move::BankPayment),
                    proptest::prelude::Just(Move::Deposit),
                    proptest::prelude::Just(Move::Withdrawal),
                ], 1u8..=28, 1i64..=5_000),
                1..40,
            )
        ) {
            let mut b = MemoryBooks::fixture();
            b.opening_cash = Money::from_fen(3_000);
            for (m, day, fen) in steps {
                let r = prepare_voucher(&mut b, move_draft(m, day, fen), Origin::Entered, "赵敏").unwrap();
                let posted_before = b.vouchers.values().filter(|(_, s)| *s == Status::Posted).count();
                match post(&mut b, r) {
                    Ok(()) => {}
                    Err(Failure::Refused(reasons)) => {
                        proptest::prop_assert!(reasons.reasons.iter().all(|x| x.rule == Rule::Csh1), "{reasons:?}");
                        let posted_after = b.vouchers.values().filter(|(_, s)| *s == Status::Posted).count();
                        proptest::prop_assert_eq!(posted_before, posted_after);
                    }
                    Err(e) => proptest::prop_assert!(false, "{e:?}"),
                }
                proptest::prop_assert!(!lowest_day_end(&b, "1001").is_negative());
                proptest::prop_assert!(!lowest_day_end(&b, "1002").is_negative());
            }
        }
    }
}
