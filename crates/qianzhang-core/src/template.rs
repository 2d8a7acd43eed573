//! Voucher templates (凭证模板): the lines and authorization of a voucher
//! that recurs (the monthly water bill), saved under a name as ledger data
//! and used to prepare a new voucher (VCH-1..3).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::books::Books;
use crate::entry::enter_voucher;
use crate::event::Event;
use crate::money::Money;
use crate::rule::{refuse, Failure, Rule};
use crate::voucher::{Draft, Line, Origin, VoucherRef};

/// The longest template name, in characters.
pub const MAX_TEMPLATE_NAME_CHARS: usize = 50;

/// A saved template: a voucher's lines and authorization, without date,
/// number or documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub lines: Vec<Line>,
    #[serde(default)]
    pub authorization: Option<String>,
}

/// [VCH-1] saves `reference`'s lines and authorization as the template
/// `name`, replacing one of the same name. A red reversal is no template
/// (VCH-5).
pub fn save_template(books: &mut impl Books, name: &str, reference: VoucherRef) -> Result<(), Failure> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TEMPLATE_NAME_CHARS {
        return refuse(Rule::Lim1, format!("模板名称须为 1 至 {MAX_TEMPLATE_NAME_CHARS} 个字"));
    }
    let Some((voucher, _)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if voucher.reverses().is_some() {
        return refuse(Rule::Vch5, format!("凭证 {reference} 是红字冲销凭证，不能存为模板"));
    }
    let template = Template {
        name: name.to_string(),
        lines: voucher.lines().to_vec(),
        authorization: voucher.authorization().map(str::to_string),
    };
    books.append(Event::TemplateSaved { template })?;
    Ok(())
}

/// [VCH-1..3] prepares a voucher dated `date` from the template `name`,
/// without documents (DOC-2: attach this time's). `amount` replaces the
/// amount of a template of one debit and one credit line.
pub fn use_template(
    books: &mut impl Books,
    name: &str,
    date: Date,
    amount: Option<Money>,
    preparer: &str,
    today: Date,
) -> Result<VoucherRef, Failure> {
    let Some(template) = books.template(name.trim())? else {
        return refuse(Rule::Vch1, format!("没有名为“{}”的凭证模板；请先用 voucher template save 保存", name.trim()));
    };
    let mut lines = template.lines;
    if let Some(amount) = amount {
        if lines.len() != 2 {
            return refuse(
                Rule::Vch1,
                format!(
                    "模板“{}”有 {} 行分录，--amount 只适用于一借一贷的模板；请制单后用 voucher edit 修改各行金额",
                    template.name,
                    lines.len()
                ),
            );
        }
        for l in &mut lines {
            l.amount = amount;
        }
    }
    let draft = Draft {
        date,
        lines,
        documents: Vec::new(),
        authorization: template.authorization,
        reverses: None,
        source_ref: None,
    };
    enter_voucher(books, draft, Origin::Entered, preparer, today)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::books::prepare_voucher;
    use crate::memory::MemoryBooks;
    use crate::test_support::{draft, rule_of, TODAY};
    use crate::voucher::Status;

    #[test]
    fn vch_1_a_template_prepares_a_voucher_with_a_new_amount() {
        let mut b = MemoryBooks::fixture();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        save_template(&mut b, "水费", r).unwrap();
        let v = use_template(&mut b, "水费", date!(2025 - 02 - 05), Some(Money::from_fen(130)), "赵敏", TODAY).unwrap();
        let (voucher, status) = b.vouchers[&v].clone();
        assert_eq!(
            (status, voucher.total_debit(), voucher.total_credit()),
            (Status::Prepared, Money::from_fen(130), Money::from_fen(130))
        );
        assert!(voucher.documents().is_empty());
        assert_eq!(rule_of(use_template(&mut b, "电费", date!(2025 - 02 - 05), None, "赵敏", TODAY)), Rule::Vch1);
        assert_eq!(rule_of(use_template(&mut b, "水费", date!(2024 - 12 - 05), None, "赵敏", TODAY)), Rule::Vch3);
        assert_eq!(rule_of(save_template(&mut b, " ", r)), Rule::Lim1);
    }
}
