//! The public disclosure (财务收支公开表) as text, Markdown, CSV, JSON and a
//! printable, self-contained HTML poster.

use std::fmt::Write as _;

use qianzhang_core::disclosure::{Disclosure, Item};
use qianzhang_core::period::format_date;
use qianzhang_core::Money;

use crate::{amount, json, Align, Format, Table};

/// Paper the poster is laid out for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    A3,
    A4,
}

const DRAFT: &str = "【草稿】本期尚未结账，仅供预览核对，不得张贴公布";

fn items_table(title: &str, items: &[Item], machine: bool) -> Table {
    let headers: &[(&str, Align)] = if machine {
        &[
            ("no", Align::Right),
            ("date", Align::Left),
            ("voucher", Align::Left),
            ("summary", Align::Left),
            ("account", Align::Left),
            ("account_name", Align::Left),
            ("counterparty", Align::Left),
            ("income", Align::Right),
            ("expense", Align::Right),
            ("handler", Align::Left),
            ("approver", Align::Left),
            ("basis", Align::Left),
            ("fund", Align::Left),
            ("reverses", Align::Left),
        ]
    } else {
        &[
            ("序号", Align::Right),
            ("日期", Align::Left),
            ("凭证号", Align::Left),
            ("摘要", Align::Left),
            ("科目", Align::Left),
            ("收付对象", Align::Left),
            ("收入", Align::Right),
            ("支出", Align::Right),
            ("经办人", Align::Left),
            ("审批人", Align::Left),
            ("审批依据", Align::Left),
        ]
    };
    let mut t = Table::new(title, headers);
    for i in items {
        if machine {
            t.row(vec![
                i.no.to_string(),
                format_date(i.date),
                i.voucher.to_string(),
                i.summary.clone(),
                i.account.clone(),
                i.account_name.clone(),
                i.counterparty.clone(),
                i.income.to_decimal_string(),
                i.expense.to_decimal_string(),
                i.handler.clone(),
                i.approver.clone(),
                i.basis.clone(),
                i.fund.clone().unwrap_or_default(),
                i.reverses.map(|r| r.to_string()).unwrap_or_default(),
            ]);
        } else {
            t.row(vec![
                i.no.to_string(),
                format_date(i.date),
                i.voucher.label(),
                summary_of(i),
                format!("{} {}", i.account, i.account_name),
                i.counterparty.clone(),
                amount(i.income),
                amount(i.expense),
                i.handler.clone(),
                i.approver.clone(),
                i.basis.clone(),
            ]);
        }
    }
    if !machine {
        let income: Money = items.iter().map(|i| i.income).sum();
        let expense: Money = items.iter().map(|i| i.expense).sum();
        let mut total = vec![String::new(); 11];
        total[3] = "合计".into();
        total[6] = income.to_string();
        total[7] = expense.to_string();
        t.total(total);
    }
    t
}

fn summary_of(i: &Item) -> String {
    let mut s = i.summary.clone();
    if let Some(r) = i.reverses.filter(|r| !i.summary.contains(&r.to_string())) {
        let _ = write!(s, "（红字冲销 {r}）");
    }
    if let Some(f) = &i.fund {
        let _ = write!(s, "［{f}］");
    }
    s
}

/// The fixed-asset register as a table, with its total.
pub(crate) fn assets_table(title: &str, assets: &[qianzhang_core::disclosure::Asset]) -> Table {
    let mut t = Table::new(
        title,
        &[
            ("编号", Align::Left),
            ("名称", Align::Left),
            ("数量", Align::Right),
            ("原值", Align::Right),
            ("存放地点", Align::Left),
            ("保管人", Align::Left),
            ("购置凭证", Align::Left),
        ],
    );
    for a in assets {
        t.row(vec![
            a.label(),
            a.name.clone(),
            a.quantity.to_string(),
            a.value.to_string(),
            a.location.clone(),
            a.custodian.clone(),
            a.voucher.to_string(),
        ]);
    }
    if assets.is_empty() {
        t.note("无。");
    } else {
        let total: Money = assets.iter().map(|a| a.value).sum();
        let mut cells = vec![String::new(); 7];
        cells[0] = "合计".into();
        cells[3] = total.to_string();
        t.total(cells);
    }
    t
}

/// One table as an HTML section: its title, the table when it has rows, its notes.
pub(crate) fn html_section(t: &Table) -> String {
    let mut out = format!("<section><h2>{}</h2>\n", esc(t.title()));
    let headers: Vec<(&str, bool)> = t.headers().iter().map(|(h, a)| (h.as_str(), *a == Align::Right)).collect();
    if !t.rows().is_empty() {
        out.push_str(&html_table(&headers, t.rows()));
    }
    for n in t.notes() {
        let _ = writeln!(out, "<p>{}</p>", esc(n));
    }
    out.push_str("</section>\n");
    out
}

/// The sections every layout prints, as tables.
fn sections(d: &Disclosure) -> Vec<Table> {
    let s = &d.summary;
    let mut out = Vec::new();
    let mut t = Table::new("一、收支概况", &[("项目", Align::Left), ("金额", Align::Right), ("说明", Align::Left)]);
    let split = |cash: Money, bank: Money| format!("其中现金 {cash}，银行存款 {bank}");
    t.row(vec!["上期结余".into(), s.opening.to_string(), split(s.opening_cash, s.opening_bank)]);
    t.row(vec!["本期收入".into(), s.income.to_string(), d.income_words.clone()]);
    t.row(vec!["本期支出".into(), s.expense.to_string(), d.expense_words.clone()]);
    t.row(vec!["其他收付净额".into(), s.other.to_string(), "借款、代收代付等往来款项，不是收入支出".into()]);
    t.total(vec!["本期结余".into(), s.closing.to_string(), split(s.closing_cash, s.closing_bank)]);
    t.note(&format!("本期结余（大写）：{}", d.closing_words));
    out.push(t);
    out.push(items_table("二、收支明细", &d.items, false));
    let mut t = Table::new("三、按科目汇总", &[("科目", Align::Left), ("收入", Align::Right), ("支出", Align::Right)]);
    for c in &d.by_category {
        t.row(vec![format!("{} {}", c.account, c.name), amount(c.income), amount(c.expense)]);
    }
    t.total(vec!["合计".into(), s.income.to_string(), s.expense.to_string()]);
    out.push(t);
    let mut t = Table::new(
        "四、专项资金",
        &[
            ("资金", Align::Left),
            ("期初结余", Align::Right),
            ("本期收入", Align::Right),
            ("本期支出", Align::Right),
            ("期末结余", Align::Right),
        ],
    );
    for f in &d.funds {
        t.row(vec![
            f.fund.clone(),
            f.opening.to_string(),
            f.income.to_string(),
            f.spending.to_string(),
            f.closing.to_string(),
        ]);
    }
    if d.funds.is_empty() {
        t.note("本期无专项资金。");
    }
    out.push(t);
    let mut t = Table::new("五、未结清借款", &[("借款人", Align::Left), ("金额", Align::Right)]);
    for a in &d.advances {
        t.row(vec![a.borrower.clone(), a.outstanding.to_string()]);
    }
    if d.advances.is_empty() {
        t.note("无。");
    }
    out.push(t);
    let mut t =
        Table::new("六、红字冲销", &[("冲销凭证", Align::Left), ("冲销的原凭证", Align::Left), ("摘要", Align::Left)]);
    for i in d.items.iter().filter(|i| i.reverses.is_some()) {
        t.row(vec![i.voucher.to_string(), i.reverses.map(|r| r.to_string()).unwrap_or_default(), i.summary.clone()]);
    }
    if !d.items.iter().any(|i| i.reverses.is_some()) {
        t.note("无。");
    }
    out.push(t);
    if let Some(assets) = &d.assets {
        let t = assets_table("七、固定资产", assets);
        out.push(t);
    }
    if let Some(pw) = &d.public_welfare {
        let mut t = items_table("八、公益事业收支", &pw.items, false);
        if pw.items.is_empty() {
            t.note("本期无公益事业收支。");
        }
        out.push(t);
    }
    if let Some(budget) = &d.budget {
        let mut t = Table::new(
            "九、预算执行情况",
            &[
                ("科目", Align::Left),
                ("预算", Align::Right),
                ("实际", Align::Right),
                ("差额", Align::Right),
                ("执行率", Align::Right),
            ],
        );
        for b in budget {
            t.row(vec![
                format!("{} {}", b.account, b.name),
                b.budget.to_string(),
                b.actual.to_string(),
                b.difference.to_string(),
                b.percent.clone(),
            ]);
        }
        out.push(t);
    }
    out
}

fn review_lines(d: &Disclosure) -> Vec<String> {
    let mut out = vec![format!(
        "主任：{}　　会计：{}　　出纳：{}",
        d.officers.director, d.officers.accountant, d.officers.cashier
    )];
    if d.reviews.is_empty() {
        out.push("居务监督委员会（民主理财小组）意见：（待审核）".into());
    }
    for r in &d.reviews {
        out.push(format!("居务监督委员会（民主理财小组）意见：{}（{}，{}）", r.opinion, r.by, format_date(r.date)));
    }
    out.push(format!(
        "公布日期：{}　　咨询：{}",
        format_date(d.published),
        if d.contact.is_empty() { "社区居委会办公室" } else { &d.contact }
    ));
    out.push(format!("账簿指纹（{}）：{}", if d.draft { "预览时，未结账" } else { "结账时" }, d.fingerprint_short()));
    out.push(format!("指纹全文：{}", d.fingerprint));
    out.push("凭指纹可用 qianzhang verify 核验：公布后账簿若被改写，核验不能通过。".into());
    out
}

/// The disclosure as text, Markdown, CSV (the items) or JSON.
pub fn disclosure(d: &Disclosure, format: Format) -> String {
    match format {
        Format::Json => json(d),
        Format::Csv => {
            // One row per item; every row says whether the statement is final.
            let mut t = items_table("", &d.items, true);
            t.column("status", Align::Left);
            let status = if d.draft { "草稿" } else { "正式" };
            let mut with_status =
                Table::new("", t.headers().iter().map(|(h, a)| (h.as_str(), *a)).collect::<Vec<_>>().as_slice());
            for (cells, _) in t.rows() {
                let mut cells = cells.clone();
                cells.push(status.to_string());
                with_status.row(cells);
            }
            // The last row totals the items, so that even an empty statement says what it is.
            let mut total = vec![String::new(); with_status.headers().len()];
            total[3] = "合计".into();
            total[7] = d.summary.income.to_decimal_string();
            total[8] = d.summary.expense.to_decimal_string();
            total[14] = status.to_string();
            with_status.row(total);
            with_status.csv()
        }
        Format::Markdown => {
            let mut out = String::new();
            if d.draft {
                let _ = writeln!(out, "> **{DRAFT}**\n");
            }
            let _ = writeln!(out, "# {}\n", d.title);
            for t in sections(d) {
                out.push_str(&t.markdown());
                out.push('\n');
            }
            for l in review_lines(d) {
                let _ = writeln!(out, "{l}  ");
            }
            out
        }
        Format::Text => {
            let mut out = String::new();
            if d.draft {
                let _ = writeln!(out, "{DRAFT}\n");
            }
            let _ = writeln!(out, "{}\n", d.title);
            for t in sections(d) {
                out.push_str(&t.text());
                out.push('\n');
            }
            for l in review_lines(d) {
                let _ = writeln!(out, "{l}");
            }
            if d.draft {
                let _ = writeln!(out, "\n{DRAFT}");
            }
            out
        }
    }
}

pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Fonts a Debian machine (Noto CJK, WenQuanYi) or a Windows machine
/// (Microsoft YaHei, SimHei, SimSun) has; never fetched from the network.
const FONTS: &str = "\"Noto Sans CJK SC\", \"Noto Sans SC\", \"Source Han Sans SC\", \"WenQuanYi Micro Hei\", \
                     \"WenQuanYi Zen Hei\", \"Microsoft YaHei\", \"SimHei\", \"SimSun\", sans-serif";

pub(crate) fn css(paper: Paper) -> String {
    let (size, base) = match paper {
        Paper::A3 => ("A3", "10pt"),
        Paper::A4 => ("A4", "7.5pt"),
    };
    format!(
        "@page {{ size: {size} portrait; margin: 10mm; }}\n\
         * {{ box-sizing: border-box; }}\n\
         body {{ font-family: {FONTS}; font-size: {base}; color: #111; margin: 0; }}\n\
         @media screen {{ body {{ max-width: 290mm; margin: 8mm auto; }} }}\n\
         h1 {{ text-align: center; font-size: 2.1em; margin: 0.2em 0 0.1em; letter-spacing: 0.05em; }}\n\
         .meta {{ text-align: center; margin-bottom: 0.6em; }}\n\
         h2 {{ font-size: 1.15em; margin: 0.6em 0 0.25em; border-left: 0.3em solid #b22; padding-left: 0.4em; }}\n\
         p {{ margin: 0.25em 0; }}\n\
         table {{ border-collapse: collapse; width: 100%; }}\n\
         thead {{ display: table-header-group; }}\n\
         tr {{ break-inside: avoid; page-break-inside: avoid; }}\n\
         th, td {{ border: 1px solid #555; padding: 0.15em 0.35em; vertical-align: top; }}\n\
         th {{ background: #eee; font-weight: bold; }}\n\
         td.num, th.num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}\n\
         td.nw, th.nw {{ white-space: nowrap; }}\n\
         section {{ break-inside: avoid; }}\n\
         tr.total td {{ font-weight: bold; background: #f6f6f6; }}\n\
         .cols {{ display: flex; gap: 1.2em; }} .cols > div {{ flex: 1; }}\n\
         .draft {{ border: 0.25em solid #c00; color: #c00; font-size: 1.6em; font-weight: bold; text-align: center; padding: 0.3em; }}\n\
         .watermark {{ position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 12em; color: rgba(200,0,0,0.12); transform: rotate(-30deg); pointer-events: none; }}\n\
         .sign p {{ margin: 0.3em 0; }}\n\
         .fp {{ font-family: \"DejaVu Sans Mono\", Consolas, monospace; word-break: break-all; }}\n\
         .fp-short {{ font-size: 1.6em; font-weight: bold; letter-spacing: 0.08em; }}\n\
         svg text {{ font-family: {FONTS}; }}\n"
    )
}

/// Columns kept on one line: dates, numbers, names.
const NOWRAP: &[&str] = &["序号", "日期", "凭证号", "经办人", "审批人", "编号", "冲销凭证", "冲销的原凭证"];

pub(crate) fn html_table(headers: &[(&str, bool)], rows: &[(Vec<String>, bool)]) -> String {
    let class = |h: &str, num: bool| match (num, NOWRAP.contains(&h)) {
        (true, _) => " class=\"num\"",
        (false, true) => " class=\"nw\"",
        _ => "",
    };
    let mut out = String::from("<table><thead><tr>");
    for (h, num) in headers {
        let _ = write!(out, "<th{}>{}</th>", class(h, *num), esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for (cells, total) in rows {
        out.push_str(if *total { "<tr class=\"total\">" } else { "<tr>" });
        for (c, (h, num)) in cells.iter().zip(headers) {
            let _ = write!(out, "<td{}>{}</td>", class(h, *num), esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
    out
}

/// A bar chart of the period's income and expense by account, as inline SVG.
fn chart(d: &Disclosure) -> String {
    let rows: Vec<(String, Money, bool)> = d
        .by_category
        .iter()
        .flat_map(|c| {
            let mut v = Vec::new();
            if c.income.fen() > 0 {
                v.push((c.name.clone(), c.income, true));
            }
            if c.expense.fen() > 0 {
                v.push((c.name.clone(), c.expense, false));
            }
            v
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|r| r.1.fen()).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (200.0, 300.0, 20.0);
    let height = rows.len() as f64 * row_h + 30.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {height}\" width=\"100%\" role=\"img\" \
         aria-label=\"本期收入与支出（按科目）\">",
        label_w + bar_w + 140.0
    );
    let _ = write!(
        out,
        "<rect x=\"0\" y=\"2\" width=\"12\" height=\"12\" fill=\"#2e7d32\"/><text x=\"16\" y=\"13\" font-size=\"12\">收入</text>\
         <rect x=\"60\" y=\"2\" width=\"12\" height=\"12\" fill=\"#c62828\"/><text x=\"76\" y=\"13\" font-size=\"12\">支出</text>"
    );
    for (i, (name, m, income)) in rows.iter().enumerate() {
        let y = 26.0 + i as f64 * row_h;
        let w = (m.fen() as f64 / max as f64 * bar_w).max(1.0);
        let color = if *income { "#2e7d32" } else { "#c62828" };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>\
             <rect x=\"{}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{color}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(name),
            label_w,
            y + 3.0,
            row_h - 6.0,
            label_w + w + 6.0,
            y + 14.0,
            m
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The poster: one self-contained HTML file (inline CSS and SVG, no
/// scripts, no network fonts) that prints on A3 (or A4) portrait.
pub fn disclosure_html(d: &Disclosure, paper: Paper) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        esc(&d.title),
        css(paper)
    );
    if d.draft {
        let _ = writeln!(out, "<div class=\"watermark\">草稿</div>\n<div class=\"draft\">{}</div>", esc(DRAFT));
    }
    let _ = write!(
        out,
        "<h1>{}</h1>\n<div class=\"meta\">公布日期：{}　　账簿指纹：<span class=\"fp\">{}</span></div>\n",
        esc(&d.title),
        format_date(d.published),
        d.fingerprint_short()
    );
    // Overview and chart side by side, the items across the page, then the
    // smaller tables in two columns, so that a month fits one sheet.
    let tables = sections(d);
    let section = html_section;
    let starts = |prefix: &'static str| tables.iter().filter(move |t| t.title().starts_with(prefix));
    out.push_str("<div class=\"cols\"><div>");
    starts("一、").for_each(|t| out.push_str(&section(t)));
    out.push_str("</div><div><section><h2>收支图示</h2>\n");
    out.push_str(&chart(d));
    out.push_str("</section></div></div>\n");
    starts("二、").for_each(|t| out.push_str(&section(t)));
    out.push_str("<div class=\"cols\"><div>");
    starts("三、").for_each(|t| out.push_str(&section(t)));
    starts("六、").for_each(|t| out.push_str(&section(t)));
    out.push_str("</div><div>");
    starts("四、").for_each(|t| out.push_str(&section(t)));
    starts("五、").for_each(|t| out.push_str(&section(t)));
    out.push_str("</div></div>\n");
    for prefix in ["七、", "八、", "九、"] {
        starts(prefix).for_each(|t| out.push_str(&section(t)));
    }
    out.push_str("<h2>审核与公布</h2>\n<div class=\"sign\">\n");
    for (i, l) in review_lines(d).iter().enumerate() {
        if l.starts_with("账簿指纹") {
            let _ = writeln!(out, "<p class=\"fp-short\">{}</p>", esc(l));
        } else if i > 0 && l.starts_with("指纹全文") {
            let _ = writeln!(out, "<p class=\"fp\">{}</p>", esc(l));
        } else {
            let _ = writeln!(out, "<p>{}</p>", esc(l));
        }
    }
    out.push_str("</div>\n");
    if d.draft {
        let _ = writeln!(out, "<div class=\"draft\">{}</div>", esc(DRAFT));
    }
    out.push_str("</body>\n</html>\n");
    out
}
