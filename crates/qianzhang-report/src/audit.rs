//! The auditor's reports: exceptions and a person's trail.

use qianzhang_core::audit::{count_by_kind, Act, Exception};
use qianzhang_core::handover::Handover;
use qianzhang_core::period::format_date;

use crate::table::md_escape;
use crate::{json, Align, Format, Table};

/// The exceptions table.
pub fn exceptions_table(title: &str, items: &[Exception], machine: bool) -> Table {
    let headers: &[(&str, Align)] = if machine {
        &[
            ("rule", Align::Left),
            ("kind", Align::Left),
            ("date", Align::Left),
            ("voucher", Align::Left),
            ("people", Align::Left),
            ("amount", Align::Right),
            ("detail", Align::Left),
        ]
    } else {
        &[
            ("规则", Align::Left),
            ("类别", Align::Left),
            ("日期", Align::Left),
            ("凭证号", Align::Left),
            ("人员", Align::Left),
            ("金额", Align::Right),
            ("说明", Align::Left),
        ]
    };
    let mut t = Table::new(title, headers);
    for e in items {
        t.row(vec![
            e.rule.to_string(),
            e.kind.to_string(),
            format_date(e.date),
            e.voucher.map(|v| v.to_string()).unwrap_or_default(),
            e.people.join("、"),
            e.amount.map(|m| if machine { m.to_decimal_string() } else { m.to_string() }).unwrap_or_default(),
            e.detail.clone(),
        ]);
    }
    if !machine {
        let counts: Vec<String> = count_by_kind(items).into_iter().map(|(k, n)| format!("{k} {n} 项")).collect();
        t.note(&if items.is_empty() {
            "未发现例外事项。".to_string()
        } else {
            format!("共 {} 项：{}", items.len(), counts.join("，"))
        });
    }
    t
}

/// `audit exceptions` in any format.
pub fn exceptions(title: &str, items: &[Exception], format: Format) -> String {
    match format {
        Format::Json => json(items),
        Format::Csv | Format::PlainCsv | Format::Xlsx => exceptions_table(title, items, true).render(format),
        Format::Markdown => exceptions_table(title, items, false).markdown(),
        Format::Text => exceptions_table(title, items, false).text(),
    }
}

/// `audit person`: every act, with the hash of its log entry.
pub fn acts(title: &str, items: &[Act], format: Format) -> String {
    if format == Format::Json {
        return json(items);
    }
    let mut t = Table::new(
        title,
        &[
            ("日志", Align::Right),
            ("时间", Align::Left),
            ("操作", Align::Left),
            ("结果", Align::Left),
            ("哈希", Align::Left),
        ],
    );
    for a in items {
        t.row(vec![
            a.seq.to_string(),
            qianzhang_core::period::show_time(&a.at),
            a.description.clone(),
            a.refused.map(|r| format!("被拒绝 [{r}]")).unwrap_or_else(|| "完成".into()),
            if format == Format::Text { a.hash[..16].to_string() } else { a.hash.clone() },
        ]);
    }
    let refused = items.iter().filter(|a| a.refused.is_some()).count();
    t.note(&format!("共 {} 次操作，其中 {refused} 次被拒绝。", items.len()));
    match format {
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        Format::Markdown => t.markdown(),
        _ => t.text(),
    }
}

/// The handover's sections as tables.
fn handover_tables(h: &Handover) -> Vec<Table> {
    let mut out = Vec::new();
    // Balances as a bound ledger shows them: a direction (借/贷/平) and a
    // positive amount, never a negative credit.
    let mut t = Table::new(
        "一、科目余额（截至交接日）",
        &[
            ("科目", Align::Left),
            ("名称", Align::Left),
            ("方向", Align::Left),
            ("期初余额", Align::Right),
            ("本期借方", Align::Right),
            ("本期贷方", Align::Right),
            ("方向", Align::Left),
            ("交接日余额", Align::Right),
        ],
    );
    for r in h.trial_balance.rows.iter().filter(|r| r.level == 1) {
        let [opening_dir, opening] = crate::balance_cells(r.opening);
        let [closing_dir, closing] = crate::balance_cells(r.closing);
        t.row(vec![
            r.account.clone(),
            r.name.clone(),
            opening_dir,
            opening,
            r.debit.to_string(),
            r.credit.to_string(),
            closing_dir,
            closing,
        ]);
    }
    out.push(t);
    let mut t = Table::new("二、库存现金", &[("项目", Align::Left), ("金额", Align::Right), ("说明", Align::Left)]);
    t.row(vec!["账面余额".into(), h.cash_book.to_string(), format!("截至 {}", format_date(h.date))]);
    match &h.cash_count {
        Some(c) => {
            t.row(vec!["当日实点".into(), c.counted.to_string(), format!("盘点人 {}", c.counter)]);
            t.row(vec![
                "差额".into(),
                c.difference().to_string(),
                qianzhang_core::cash::describe_difference(c.difference()),
            ]);
        }
        None => t.note("警告：交接当日没有现金盘点记录。"),
    }
    out.push(t);
    let mut t = Table::new(
        "三、银行存款余额调节",
        &[
            ("科目", Align::Left),
            ("账面余额", Align::Right),
            ("对账单余额", Align::Right),
            ("调节后账面", Align::Right),
            ("调节后银行", Align::Right),
            ("结论", Align::Left),
        ],
    );
    for r in &h.bank {
        t.row(vec![
            format!("{} {}", r.account, r.account_name),
            r.book_balance.to_string(),
            r.statement_balance.map(|m| m.to_string()).unwrap_or_else(|| "无对账单".into()),
            r.adjusted_book().to_string(),
            r.adjusted_bank().map(|m| m.to_string()).unwrap_or_default(),
            match (r.agrees(), r.statement_through) {
                (true, _) => "相符".into(),
                (false, Some(d)) if !r.statement_complete() => format!("对账单只到 {}，未能对账", format_date(d)),
                (false, _) => "不符".into(),
            },
        ]);
    }
    out.push(t);
    let mut t = Table::new("四、未结清借款", &[("借款人", Align::Left), ("科目", Align::Left), ("金额", Align::Right)]);
    for a in &h.advances {
        t.row(vec![a.borrower.clone(), a.account.clone(), a.outstanding.to_string()]);
    }
    if h.advances.is_empty() {
        t.note("无。");
    }
    out.push(t);
    let mut t = Table::new(
        "五、收据",
        &[
            ("收据本", Align::Left),
            ("号段", Align::Left),
            ("已用", Align::Right),
            ("作废", Align::Right),
            ("未用", Align::Right),
            ("下一张", Align::Left),
            ("领用人", Align::Left),
        ],
    );
    for b in &h.receipt_books {
        t.row(vec![
            b.book.clone(),
            b.range.clone(),
            b.used.to_string(),
            b.voided.to_string(),
            b.unused.to_string(),
            b.next.clone().unwrap_or_else(|| "已用完".into()),
            b.holder.clone(),
        ]);
    }
    out.push(t);
    let mut t = Table::new("六、未记账凭证与未结账月份", &[("项目", Align::Left), ("内容", Align::Left)]);
    let list = |v: Vec<String>| if v.is_empty() { "无".to_string() } else { v.join("、") };
    t.row(vec!["未记账凭证".into(), list(h.unposted.iter().map(|r| r.to_string()).collect())]);
    t.row(vec!["未结账月份".into(), list(h.open_months.iter().map(|p| p.to_string()).collect())]);
    out.push(t);
    let mut t = Table::new(
        &format!("七、{} 任期内经手的凭证（{} 至 {}）", h.officer, format_date(h.tenure_from), format_date(h.date)),
        &[
            ("凭证号", Align::Left),
            ("日期", Align::Left),
            ("摘要", Align::Left),
            ("金额", Align::Right),
            ("状态", Align::Left),
            ("经手", Align::Left),
        ],
    );
    for x in &h.handled {
        t.row(vec![
            x.voucher.to_string(),
            format_date(x.date),
            x.summary.clone(),
            x.amount.to_string(),
            x.status.chinese().into(),
            format!(
                "{}{}",
                x.acts.join("、"),
                x.stand_aside.as_deref().map(|m| format!("［{m}］")).unwrap_or_default()
            ),
        ]);
    }
    for total in &h.handled_totals {
        t.total(vec![
            format!("{}合计", total.act),
            String::new(),
            format!("{} 张", total.vouchers),
            total.amount.to_string(),
            String::new(),
            String::new(),
        ]);
    }
    out.push(t);
    let title = format!("八、{} 任期内作废的凭证", h.officer);
    out.push(crate::disclosure::voided_table(&title, &h.voided, "任期内没有作废凭证。"));
    out.push(exceptions_table("九、任期内的例外事项", &h.exceptions, false));
    let t = crate::disclosure::assets_table("十、固定资产", &h.assets);
    out.push(t);
    out
}

fn handover_title(h: &Handover) -> String {
    format!(
        "{}　{}离任交接清册（{} 于 {} 移交 {}）",
        h.ledger,
        h.role_name,
        h.officer,
        format_date(h.date),
        h.successor
    )
}

fn handover_footer(h: &Handover) -> Vec<String> {
    let mut out = Vec::new();
    if h.blockers.is_empty() {
        out.push("交接条件已具备：可由管理员执行 handover complete 记录交接。".to_string());
    } else {
        out.push("尚不能完成交接：".to_string());
        out.extend(h.blockers.iter().map(|b| format!("  · {b}")));
    }
    out.push(format!("交接日账簿指纹：{}", h.fingerprint));
    out.push(format!(
        "移交人：{}（签字）________　接交人：{}（签字）________　监交人：{}（签字）________　日期：________",
        h.officer, h.successor, h.supervisor
    ));
    out.push("本清册一式三份，移交人、接交人、监交人各执一份。".to_string());
    out
}

/// The handover as its parts, for a front end that lays them out itself
/// (the web office): the title, the tables, the closing lines.
pub fn handover_parts(h: &Handover) -> (String, Vec<Table>, Vec<String>) {
    (handover_title(h), handover_tables(h), handover_footer(h))
}

/// The handover report as text, Markdown or JSON (CSV: the vouchers handled).
pub fn handover(h: &Handover, format: Format) -> String {
    match format {
        Format::Json => json(h),
        Format::Csv | Format::PlainCsv | Format::Xlsx => {
            let mut t = Table::new(
                &handover_title(h),
                &[
                    ("voucher", Align::Left),
                    ("date", Align::Left),
                    ("summary", Align::Left),
                    ("amount", Align::Right),
                    ("status", Align::Left),
                    ("acts", Align::Left),
                ],
            );
            for x in &h.handled {
                t.row(vec![
                    x.voucher.to_string(),
                    format_date(x.date),
                    x.summary.clone(),
                    x.amount.to_decimal_string(),
                    x.status.as_str().into(),
                    x.acts.join("、"),
                ]);
            }
            t.render(format)
        }
        Format::Markdown | Format::Text => {
            let md = format == Format::Markdown;
            let title = handover_title(h);
            let mut out = if md { format!("# {}\n\n", md_escape(&title)) } else { format!("{title}\n\n") };
            for t in handover_tables(h) {
                out.push_str(&if md { t.markdown() } else { t.text() });
                out.push('\n');
            }
            for l in handover_footer(h) {
                out.push_str(&if md { md_escape(&l) } else { l });
                out.push_str(if md { "  \n" } else { "\n" });
            }
            out
        }
    }
}

/// The handover as a printable HTML file: three identical copies, each on
/// its own pages, for the three signatures.
pub fn handover_html(h: &Handover) -> String {
    use crate::disclosure::{css, esc, html_section};
    let mut copy = String::new();
    for t in handover_tables(h) {
        copy.push_str(&html_section(&t));
    }
    let mut sign = String::from("<div class=\"sign\">\n");
    for l in handover_footer(h) {
        sign.push_str(&format!("<p>{}</p>\n", esc(&l)));
    }
    sign.push_str("</div>\n");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{}\
         .copy {{ break-after: page; page-break-after: always; }} .copy:last-child {{ break-after: auto; }}\n</style>\n</head>\n<body>\n",
        esc(&handover_title(h)),
        css(crate::Paper::A4)
    );
    for (i, copy_name) in ["第一联 移交人留存", "第二联 接交人留存", "第三联 监交人留存"].iter().enumerate()
    {
        out.push_str(&format!(
            "<div class=\"copy\" id=\"copy-{}\">\n<h1>{}</h1>\n<div class=\"meta\">{}</div>\n{copy}{sign}</div>\n",
            i + 1,
            esc(&handover_title(h)),
            esc(copy_name)
        ));
    }
    out.push_str("</body>\n</html>\n");
    out
}
