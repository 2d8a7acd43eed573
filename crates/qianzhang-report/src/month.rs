//! The cashier's and the accountant's month: the cash count sheet
//! (现金盘点表), bank statement lines, the reconciliation statement
//! (银行存款余额调节表), funds and the reasons a month cannot close.

use qianzhang_core::bank::{Outstanding, Reconciliation, StoredLine};
use qianzhang_core::cash::{describe_difference, CountSheet};
use qianzhang_core::funds::Fund;
use qianzhang_core::period::format_date;
use qianzhang_core::Money;

use crate::{amount, json, Align, Format, Table};

fn render(t: &Table, format: Format) -> String {
    match format {
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        Format::Markdown => t.markdown(),
        _ => t.text(),
    }
}

/// 现金盘点表 for one day.
pub fn cash_count(s: &CountSheet, format: Format) -> String {
    if format == Format::Json {
        return json(s);
    }
    let mut t = Table::new(
        &format!("现金盘点表　账套：{}　盘点日期：{}", s.ledger, format_date(s.date)),
        &[("项目", Align::Left), ("金额", Align::Right), ("说明", Align::Left)],
    );
    let row = |t: &mut Table, item: &str, m: Option<Money>, note: String| {
        t.row(vec![item.to_string(), m.map(|m| m.to_string()).unwrap_or_default(), note]);
    };
    row(&mut t, "账面余额", Some(s.book), "截至当日日终（已记账及出纳已确认的凭证）".into());
    if s.counts.is_empty() {
        row(&mut t, "实点金额", None, "当日尚未盘点".into());
    }
    let several = s.counts.len() > 1;
    for (i, d) in s.counts.iter().enumerate() {
        let c = &d.count;
        let nth = if several { format!("（第 {} 次）", i + 1) } else { String::new() };
        row(&mut t, &format!("实点金额{nth}"), Some(c.counted), format!("盘点人 {}", c.counter));
        for p in &c.pieces {
            let sum = Money::from_fen(p.value.fen() * i64::from(p.count));
            let face = p.value.to_decimal_string();
            let face = face.trim_end_matches('0').trim_end_matches('.');
            row(&mut t, &format!("　其中 {face} 元"), Some(sum), format!("{} 张", p.count));
        }
        let diff = c.difference();
        let note = match d.now {
            // The book of the day moved after the count: judged against it now.
            Some(now) => format!(
                "{}（盘点时账面 {}，现账面 {}）盘点后账面有变动，请重新盘点",
                describe_difference(now),
                c.book,
                s.book
            ),
            None => {
                format!("{}（盘点时账面 {}）{}", describe_difference(diff), c.book, settlement_note(diff, d.settled_by))
            }
        };
        row(&mut t, &format!("盘点差额{nth}"), Some(d.now.unwrap_or(diff)), note);
    }
    for d in &s.earlier_differences {
        let c = &d.count;
        let diff = c.difference();
        row(
            &mut t,
            &format!("　{} 盘点差额", format_date(c.date)),
            Some(diff),
            format!(
                "{}（实点 {}，账面 {}，盘点人 {}）{}",
                describe_difference(diff),
                c.counted,
                c.book,
                c.counter,
                settlement_note(diff, d.settled_by)
            ),
        );
    }
    let limit_note = if s.above_limit { "超过限额，超出部分应当日送存银行" } else { "未超过限额" };
    row(&mut t, "库存现金限额", Some(s.limit), limit_note.into());
    for d in &s.days_above_limit {
        row(&mut t, &format!("　{} 日终超限额", format_date(d.date)), Some(d.balance), String::new());
    }
    for u in &s.undeposited {
        let late = if s.overdue.iter().any(|o| o.voucher == u.voucher) { "，已逾期" } else { "" };
        row(
            &mut t,
            &format!("未送存现金收入 {}", u.voucher),
            Some(u.amount),
            format!("{} 收入，应于 {} 前送存银行{late}；不得坐支", format_date(u.date), format_date(u.deadline)),
        );
    }
    let mut lent = Money::ZERO;
    for a in &s.advances {
        lent += a.outstanding;
        row(
            &mut t,
            &format!("未结清借款 {}", a.borrower),
            Some(a.outstanding),
            format!("{} 借款单，不是库存现金", a.account),
        );
    }
    if !s.advances.is_empty() {
        t.total(vec!["借款合计".into(), lent.to_string(), "白条不得抵库".into()]);
    }
    t.note("出纳（盘点人）：__________　监盘人：__________　会计：__________");
    render(&t, format)
}

/// How a count's difference stands (CSH-2).
fn settlement_note(diff: Money, settled_by: Option<qianzhang_core::VoucherRef>) -> String {
    match (diff.is_zero(), settled_by) {
        (true, _) => String::new(),
        (false, Some(r)) => format!("，已由 {r} 转入待处理财产损溢"),
        (false, None) => "，未处理：须经审批后记入 1901 待处理财产损溢，月末结账前处理完毕".into(),
    }
}

/// The statement lines of a bank account with their matches.
pub fn statement_lines(lines: &[StoredLine], format: Format) -> String {
    if format == Format::Json {
        return json(lines);
    }
    let mut t = Table::new(
        "银行对账单",
        &[
            ("行号", Align::Right),
            ("科目", Align::Left),
            ("日期", Align::Left),
            ("收入", Align::Right),
            ("支出", Align::Right),
            ("余额", Align::Right),
            ("流水号", Align::Left),
            ("对方户名", Align::Left),
            ("摘要", Align::Left),
            ("勾对凭证", Align::Left),
        ],
    );
    for l in lines {
        t.row(vec![
            l.id.to_string(),
            l.account.clone(),
            format_date(l.line.date),
            amount(l.line.inflow),
            amount(l.line.outflow),
            l.line.balance.to_string(),
            l.line.reference.clone(),
            l.line.counterparty.clone(),
            l.line.summary.clone(),
            match l.matched {
                Some(v) => v.to_string(),
                None if l.line.is_balance_only() => "余额行".into(),
                None => "未达".into(),
            },
        ]);
    }
    render(&t, format)
}

/// 银行存款余额调节表.
pub fn reconciliation(r: &Reconciliation, format: Format) -> String {
    if format == Format::Json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            r: &'a Reconciliation,
            adjusted_book: Money,
            adjusted_bank: Option<Money>,
            agrees: bool,
        }
        return json(&Out {
            r,
            adjusted_book: r.adjusted_book(),
            adjusted_bank: r.adjusted_bank(),
            agrees: r.agrees(),
        });
    }
    let mut t = Table::new(
        &format!("银行存款余额调节表　科目：{} {}　期间：{}", r.account, r.account_name, r.period),
        &[("项目", Align::Left), ("日期", Align::Left), ("金额", Align::Right), ("摘要", Align::Left)],
    );
    let head = |t: &mut Table, item: &str, m: Option<Money>| {
        t.row(vec![
            item.to_string(),
            String::new(),
            m.map(|m| m.to_string()).unwrap_or_else(|| "无".into()),
            String::new(),
        ]);
    };
    let items = |t: &mut Table, title: &str, list: &[Outstanding]| {
        t.row(vec![
            title.to_string(),
            String::new(),
            if list.is_empty() { "0.00".into() } else { String::new() },
            String::new(),
        ]);
        for o in list {
            t.row(vec![String::new(), format_date(o.date), o.amount.to_string(), o.what.clone()]);
        }
    };
    head(&mut t, "单位银行存款日记账余额", Some(r.book_balance));
    items(&mut t, "加：银行已收、单位未收", &r.bank_in_not_booked);
    items(&mut t, "减：银行已付、单位未付", &r.bank_out_not_booked);
    t.total(vec!["调节后的单位账面余额".into(), String::new(), r.adjusted_book().to_string(), String::new()]);
    head(&mut t, "银行对账单余额", r.statement_balance);
    items(&mut t, "加：单位已收、银行未收", &r.booked_in_not_banked);
    items(&mut t, "减：单位已付、银行未付", &r.booked_out_not_banked);
    t.total(vec![
        "调节后的银行对账单余额".into(),
        String::new(),
        r.adjusted_bank().map(|m| m.to_string()).unwrap_or_else(|| "无".into()),
        String::new(),
    ]);
    let reach = match r.statement_through {
        Some(d) => format!("银行对账单截至 {}。", format_date(d)),
        None => "尚未导入银行对账单。".into(),
    };
    match r.problem() {
        None => t.note(&format!("{reach}两者相符。")),
        Some(p) if !r.statement_complete() => t.note(&format!("{reach}未能对账：{}", p.message)),
        Some(p) => t.note(&format!("{reach}不符：{}", p.message)),
    }
    t.note("出纳：__________　会计：__________");
    render(&t, format)
}

/// The funds declared, with what each holds.
pub fn fund_list(funds: &[(Fund, Money)]) -> String {
    let mut t = Table::new("专项资金", &[("资金", Align::Left), ("性质", Align::Left), ("结余", Align::Right)]);
    for (f, held) in funds {
        let kind =
            if f.restricted { "限定性（年末结转 3102）" } else { "非限定性（年末结转 3101）" };
        t.row(vec![f.name.clone(), kind.into(), held.to_string()]);
    }
    t.text()
}
