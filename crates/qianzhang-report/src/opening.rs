//! 期初余额表: the opening balances of the go-live month (OPN-1).

use qianzhang_core::opening::OpeningSheet;

use crate::{json, Align, Format, Table};

/// The opening balances in text, Markdown, CSV or JSON: each account, the
/// debit and credit totals, and 平衡 or 不平衡 with the difference.
pub fn openings(sheet: &OpeningSheet, format: Format) -> String {
    if format == Format::Json {
        return json(sheet);
    }
    let mut t = Table::new(
        &format!("期初余额表　{}　启用期间 {}", sheet.ledger, sheet.start),
        &[
            ("科目编码", Align::Left),
            ("科目名称", Align::Left),
            ("方向", Align::Left),
            ("期初借方", Align::Right),
            ("期初贷方", Align::Right),
        ],
    );
    let show = |m: qianzhang_core::Money| if m.is_zero() { String::new() } else { m.to_plain() };
    for r in &sheet.rows {
        t.row(vec![r.code.clone(), r.name.clone(), r.direction.to_string(), show(r.debit), show(r.credit)]);
    }
    t.total(vec![
        "合计".into(),
        String::new(),
        String::new(),
        sheet.totals.debit.to_plain(),
        sheet.totals.credit.to_plain(),
    ]);
    if sheet.rows.is_empty() {
        t.note("尚未录入期初余额：用 opening set 逐个录入，或用 opening import 从科目余额表导入");
    }
    t.note(&if sheet.balanced {
        "平衡：借方合计等于贷方合计".to_string()
    } else {
        format!("不平衡：{}；第一次结账前须更正（OPN-1）", sheet.totals.describe())
    });
    t.render(format)
}
