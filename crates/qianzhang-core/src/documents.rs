//! Original documents (原始凭证): no 白条 (DOC-1..DOC-4).

use crate::account::Chart;
use crate::backend::BackendError;
use crate::books::Books;
use crate::lifecycle::nature;
use crate::money::Money;
use crate::rule::{Refusal, Rule};
use crate::voucher::{Document, Status, Voucher, VoucherRef};

/// The document types a voucher may rest on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// 发票 (code and number).
    Invoice,
    /// 财政票据.
    FiscalReceipt,
    /// 收据 from the community's own receipt books.
    Receipt,
    /// 银行回单.
    BankSlip,
    /// 工资表.
    Payroll,
    /// 发放表, signed by the recipients.
    Distribution,
    /// 借款单, an approved cash advance.
    AdvanceNote,
    /// 合同.
    Contract,
    /// 计算表, a signed internal computation.
    Computation,
    /// 现金盘点表, the signed count sheet behind a cash difference (CSH-2).
    CountSheet,
}

const KINDS: &[(&str, DocKind)] = &[
    ("发票", DocKind::Invoice),
    ("财政票据", DocKind::FiscalReceipt),
    ("收据", DocKind::Receipt),
    ("银行回单", DocKind::BankSlip),
    ("工资表", DocKind::Payroll),
    ("发放表", DocKind::Distribution),
    ("借款单", DocKind::AdvanceNote),
    ("合同", DocKind::Contract),
    ("计算表", DocKind::Computation),
    ("现金盘点表", DocKind::CountSheet),
];

/// Words that name approvals, not evidence.
const APPROVALS: &[&str] = &["决议", "批复", "审批", "纪要", "批示", "请示"];

impl DocKind {
    /// Goods and services bought name who checked them (DOC-4).
    pub fn needs_checker(self) -> bool {
        self == DocKind::Invoice
    }
}

/// [DOC-1] reads a document type; a 白条 or an approval is no document.
pub fn doc_kind(text: &str) -> Result<DocKind, Refusal> {
    let t = text.trim();
    if let Some((_, k)) = KINDS.iter().find(|(name, _)| *name == t) {
        return Ok(*k);
    }
    let doc1 = |m: String| Err(Refusal::new(Rule::Doc1, m));
    if t.contains("白条") {
        return doc1("白条不是合法的原始凭证，不能入账；请取得发票、收据等正式单据".into());
    }
    if APPROVALS.iter().any(|w| t.contains(w)) {
        return doc1(format!("“{t}”是审批文件，不是原始凭证；审批依据请填在“审批依据”中，另附发票等单据"));
    }
    let names: Vec<&str> = KINDS.iter().map(|(n, _)| *n).collect();
    doc1(format!("不认识的单据类型“{t}”；可用：{}", names.join("、")))
}

/// The key a document is known by across vouchers (DOC-2): type, issuer,
/// number. An invoice (发票) or 财政票据 is known by its code and number
/// whatever issuer is typed, so its issuer is left out of the key: its
/// number is written `代码-号码` (a 数电发票 by its 20-digit number alone),
/// and the code and number may be separated by a hyphen, a slash or a space.
/// Other documents keep their issuer; without one, they are keyed on type and
/// number. A document without a number has no key.
pub fn doc_key(d: &Document) -> Option<(String, String, String)> {
    let doc_type = d.doc_type.trim();
    let kind = doc_kind(doc_type).ok();
    let number = normalize_number(d.number.as_deref()?, kind);
    if number.is_empty() {
        return None;
    }
    let issuer = match kind {
        Some(DocKind::Invoice | DocKind::FiscalReceipt) => String::new(),
        _ => d.issuer.as_deref().map(str::trim).unwrap_or_default().to_string(),
    };
    Some((doc_type.to_string(), issuer, number))
}

/// A document number as compared (DOC-2): full-width letters and digits
/// made half-width, letters upper-cased; for an invoice or 财政票据 the parts
/// of `代码-号码` joined by one hyphen whatever separated them.
fn normalize_number(number: &str, kind: Option<DocKind>) -> String {
    let half: String = number.trim().chars().map(crate::text::half_width).map(|c| c.to_ascii_uppercase()).collect();
    match kind {
        Some(DocKind::Invoice | DocKind::FiscalReceipt) => half
            .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '_' | '—' | '–' | '－'))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-"),
        _ => half,
    }
}

/// [DOC-2] the live voucher a document supports, if any. The books index a
/// document under the last voucher citing it (a voided voucher releases its
/// documents); a voucher cancelled by a posted red reversal no longer holds
/// them, so the correction that follows may cite them once more, and then
/// holds them itself.
pub fn live_holder(books: &mut impl Books, d: &Document) -> Result<Option<VoucherRef>, BackendError> {
    let Some(holder) = books.document_used(d)? else { return Ok(None) };
    if let Some(reversal) = books.reversed_by(holder)? {
        if matches!(books.voucher(reversal)?, Some((_, Status::Posted))) {
            return Ok(None);
        }
    }
    Ok(Some(holder))
}

/// [DOC-1, DOC-2, DOC-4] checks the documents of a voucher being prepared:
/// their types, that none already supports another voucher (`used`), and
/// that each names its handler and, for goods and services, a different
/// checker. Rows are the documents' positions (1-based).
pub fn check_new_documents(docs: &[Document], mut used: impl FnMut(&Document) -> Option<VoucherRef>) -> Vec<Refusal> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let n = i + 1;
        let kind = match doc_kind(&d.doc_type) {
            Ok(k) => k,
            Err(r) => {
                out.push(r.at_row(n));
                continue;
            }
        };
        if let Some(key) = doc_key(d) {
            if seen.contains(&key) {
                out.push(
                    Refusal::new(Rule::Doc2, format!("同一张{} {} 在本凭证中出现了两次", d.doc_type, key.2)).at_row(n),
                );
            } else if let Some(other) = used(d) {
                out.push(
                    Refusal::new(
                        Rule::Doc2,
                        format!(
                            "{} {} 已经是凭证 {other} 的附件，同一单据不能重复报销\
                             （发票、财政票据按代码和号码认定，与填写的开票单位无关）；\
                             如原凭证有误，请将其作废，已记账的则红字冲销并记账，更正凭证可再引用一次",
                            d.doc_type, key.2
                        ),
                    )
                    .at_row(n),
                );
            }
            seen.push(key);
        }
        match (&d.handler, &d.checker) {
            (None, _) => out.push(Refusal::new(Rule::Doc4, format!("{}须写明经办人", d.doc_type)).at_row(n)),
            (Some(_), None) if kind.needs_checker() => {
                out.push(Refusal::new(Rule::Doc4, format!("购买物品或服务的{}须写明验收人", d.doc_type)).at_row(n))
            }
            (Some(h), Some(c)) if h == c && kind.needs_checker() => out.push(
                Refusal::new(Rule::Doc4, format!("{}的经办人和验收人都是{h}；验收须由经办人以外的人进行", d.doc_type))
                    .at_row(n),
            ),
            _ => {}
        }
    }
    out
}

/// [DOC-1, DOC-3] a voucher rests on at least one document (red reversals
/// excepted), and an expense's documents add up to what it pays.
pub fn check_documents_complete(chart: &Chart, v: &Voucher) -> Vec<Refusal> {
    if v.reverses().is_some() {
        return Vec::new();
    }
    let r = v.reference();
    if v.documents().is_empty() {
        return vec![Refusal::new(
            Rule::Doc1,
            format!("凭证 {r} 没有附原始凭证（发票、收据、银行回单等），不能审核或记账"),
        )];
    }
    let n = nature(chart, v);
    let total: Money = v.documents().iter().filter_map(|d| d.amount).sum();
    if n.expense && total < n.expense_amount {
        return vec![Refusal::new(
            Rule::Doc3,
            format!("凭证 {r} 支出 {}，所附单据合计只有 {}", n.expense_amount.to_yuan(), total.to_yuan()),
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::prepare_voucher;
    use crate::memory::MemoryBooks;
    use crate::test_support::draft;
    use crate::voucher::Origin;
    use time::macros::date;

    fn doc(kind: &str, number: &str, fen: i64, handler: &str, checker: Option<&str>) -> Document {
        Document {
            doc_type: kind.into(),
            issuer: Some("惠民文具店".into()),
            number: Some(number.into()),
            amount: Some(Money::from_fen(fen)),
            handler: Some(handler.into()),
            checker: checker.map(str::to_string),
            date: None,
        }
    }

    fn rules(v: &[Refusal]) -> Vec<Rule> {
        v.iter().map(|r| r.rule).collect()
    }

    #[test]
    fn doc_1_no_iou_and_no_approval_as_evidence() {
        assert_eq!(doc_kind("发票"), Ok(DocKind::Invoice));
        assert!(doc_kind("白条").unwrap_err().message.contains("白条不是合法的原始凭证"));
        assert!(doc_kind("两委会议决议").unwrap_err().message.contains("是审批文件"));
        assert!(doc_kind("街道批复").unwrap_err().message.contains("是审批文件"));
        assert_eq!(doc_kind("便条").unwrap_err().rule, Rule::Doc1);
    }

    #[test]
    fn doc_2_a_document_supports_one_voucher() {
        let twice = [doc("发票", "001", 100, "张伟", Some("李娜")), doc("发票", "001", 100, "张伟", Some("李娜"))];
        assert_eq!(rules(&check_new_documents(&twice, |_| None)), vec![Rule::Doc2]);
        let r = VoucherRef { period: crate::Period::parse("2025-01").unwrap(), number: 3 };
        let once = [doc("发票", "001", 100, "张伟", Some("李娜"))];
        let e = check_new_documents(&once, |_| Some(r));
        assert!(e[0].message.contains("已经是凭证 2025-01/记-0003 的附件"), "{}", e[0].message);
    }

    fn invoice(issuer: Option<&str>, number: &str) -> Document {
        Document { issuer: issuer.map(str::to_string), ..doc("发票", number, 10_000, "张伟", Some("李娜")) }
    }

    fn with_doc(d: Document) -> crate::voucher::Draft {
        let mut v = draft(date!(2025 - 03 - 05), 10_000);
        v.documents = vec![d];
        v
    }

    fn prepare(b: &mut MemoryBooks, d: Document) -> Result<VoucherRef, crate::rule::Failure> {
        prepare_voucher(b, with_doc(d), Origin::Entered, "赵敏")
    }

    fn refused_rule(r: Result<VoucherRef, crate::rule::Failure>) -> Rule {
        match r {
            Err(crate::rule::Failure::Refused(r)) => r.first_rule(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn doc_2_an_invoice_is_its_code_and_number_whatever_issuer_is_typed() {
        let key = |d: &Document| doc_key(d).unwrap();
        let a = invoice(Some("惠民文具店"), "044001900111-04418822");
        assert_eq!(key(&a), key(&invoice(Some("惠民文具"), "044001900111-04418822")));
        assert_eq!(key(&a), key(&invoice(None, " 044001900111 04418822 ")));
        assert_eq!(key(&a), key(&invoice(None, "０４４００１９００１１１／０４４１８８２２")), "full-width");
        assert_ne!(key(&a), key(&invoice(None, "044001900112-04418822")), "another code is another invoice");
        let receipt =
            |issuer: Option<&str>| Document { issuer: issuer.map(str::to_string), ..doc("收据", "7", 1, "x", None) };
        assert_ne!(key(&receipt(Some("甲"))), key(&receipt(Some("乙"))), "other documents keep their issuer");
        assert_eq!(key(&receipt(None)).1, "", "no issuer: type and number");

        let mut b = MemoryBooks::fixture();
        prepare(&mut b, a.clone()).unwrap();
        for again in [invoice(Some("惠民文具"), "044001900111-04418822"), invoice(None, "044001900111 04418822")] {
            assert_eq!(refused_rule(prepare(&mut b, again)), Rule::Doc2, "issuer typed differently or left out");
        }
        // A 数电发票 is its 20-digit number alone.
        prepare(&mut b, invoice(Some("某公司"), "25442000000012345678")).unwrap();
        assert_eq!(refused_rule(prepare(&mut b, invoice(None, "25442000000012345678"))), Rule::Doc2);
        let fiscal = |issuer: &str| Document {
            issuer: Some(issuer.into()),
            ..doc("财政票据", "4401-0001", 10_000, "张伟", None)
        };
        prepare(&mut b, fiscal("区财政局")).unwrap();
        assert_eq!(refused_rule(prepare(&mut b, fiscal("某某局"))), Rule::Doc2);
    }

    #[test]
    fn doc_2_a_voided_voucher_releases_its_invoice() {
        let mut b = MemoryBooks::fixture();
        let first = prepare(&mut b, invoice(Some("惠民文具店"), "044001900111-1")).unwrap();
        crate::books::void_voucher(&mut b, first, "金额录错").unwrap();
        prepare(&mut b, invoice(Some("惠民文具店"), "044001900111-1")).unwrap();
        assert_eq!(refused_rule(prepare(&mut b, invoice(None, "044001900111-1"))), Rule::Doc2);
    }

    #[test]
    fn doc_2_a_reversed_voucher_s_invoice_is_cited_once_more() {
        let mut b = MemoryBooks::fixture();
        let original = prepare(&mut b, invoice(Some("惠民文具店"), "044001900111-2")).unwrap();
        crate::test_support::post(&mut b, original).unwrap();
        assert_eq!(refused_rule(prepare(&mut b, invoice(None, "044001900111-2"))), Rule::Doc2, "still live");
        let reversal =
            crate::books::reverse_voucher(&mut b, original, date!(2025 - 03 - 06), "赵敏", date!(2025 - 03 - 06))
                .unwrap();
        assert_eq!(
            refused_rule(prepare(&mut b, invoice(None, "044001900111-2"))),
            Rule::Doc2,
            "the reversal is not posted yet: the original still stands"
        );
        crate::test_support::post(&mut b, reversal).unwrap();
        let correction = prepare(&mut b, invoice(Some("惠民文具店"), "044001900111-2")).unwrap();
        match prepare(&mut b, invoice(Some("惠民文具店"), "044001900111-2")) {
            Err(crate::rule::Failure::Refused(r)) => {
                assert_eq!(r.first_rule(), Rule::Doc2);
                assert!(r.reasons[0].message.contains(&correction.to_string()), "{}", r.reasons[0].message);
            }
            other => panic!("a second citation must be refused, got {other:?}"),
        }
    }

    #[test]
    fn doc_4_handler_and_a_different_checker() {
        assert!(check_new_documents(&[doc("发票", "1", 1, "张伟", Some("李娜"))], |_| None).is_empty());
        assert_eq!(rules(&check_new_documents(&[doc("发票", "1", 1, "张伟", None)], |_| None)), vec![Rule::Doc4]);
        assert_eq!(
            rules(&check_new_documents(&[doc("发票", "1", 1, "张伟", Some("张伟"))], |_| None)),
            vec![Rule::Doc4]
        );
        assert!(
            check_new_documents(&[doc("银行回单", "1", 1, "王芳", None)], |_| None).is_empty(),
            "no goods, no checker"
        );
        let mut nobody = doc("收据", "1", 1, "x", None);
        nobody.handler = None;
        assert_eq!(rules(&check_new_documents(&[nobody], |_| None)), vec![Rule::Doc4]);
    }

    #[test]
    fn doc_1_and_doc_3_at_review_and_posting() {
        let mut b = MemoryBooks::fixture();
        let mut bare = draft(date!(2025 - 03 - 05), 10_000);
        bare.documents.clear();
        let bare = prepare_voucher(&mut b, bare, Origin::Entered, "赵敏").unwrap();
        assert_eq!(rules(&check_documents_complete(&b.chart, &b.vouchers[&bare].0)), vec![Rule::Doc1]);
        let mut d = draft(date!(2025 - 03 - 05), 10_000);
        d.documents = vec![doc("发票", "9", 9_999, "张伟", Some("李娜"))];
        let short = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
        let e = check_documents_complete(&b.chart, &b.vouchers[&short].0);
        assert_eq!(rules(&e), vec![Rule::Doc3]);
        assert!(e[0].message.contains("支出 ¥100.00，所附单据合计只有 ¥99.99"), "{}", e[0].message);
    }
}
