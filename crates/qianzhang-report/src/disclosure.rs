//! The public disclosure (财务收支公开表) as text, Markdown, CSV, JSON and a
//! printable, self-contained HTML poster.

use std::fmt::Write as _;

use qianzhang_core::disclosure::{Disclosure, Item, ItemKind, Voided};
use qianzhang_core::period::format_date;
use qianzhang_core::Money;

use crate::table::md_escape;
use crate::{amount, json, Align, Format, Table};

/// Paper the poster is laid out for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    A3,
    A4,
}

/// The names a paper is typed as (`--paper a4`).
impl qianzhang_core::names::Named for Paper {
    const ALL: &'static [qianzhang_core::names::Names<Paper>] = &[
        qianzhang_core::names::Names { value: Paper::A3, name: "a3", aliases: &["A3"], gloss: "A3 海报" },
        qianzhang_core::names::Names { value: Paper::A4, name: "a4", aliases: &["A4"], gloss: "A4" },
    ];
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
            ("kind", Align::Left),
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
                kind_name(i.kind).to_string(),
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

fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Income => "income",
        ItemKind::Expense => "expense",
        ItemKind::Purchase => "purchase",
    }
}

/// A total of one side: `0.00` when the account moved on that side and
/// netted to zero, blank when it is not that side's account.
fn side_amount(m: Money, shown: bool) -> String {
    if shown {
        m.to_string()
    } else {
        amount(m)
    }
}

fn summary_of(i: &Item) -> String {
    let mut s = i.summary.clone();
    if i.kind == ItemKind::Purchase {
        s.push_str("［资产购置］");
    }
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

/// [FND-2] a fund raised from residents: the collection, every use with the
/// residents' decision it cites, the balance.
fn resident_fund(f: &qianzhang_core::collection::ResidentFund) -> Table {
    let mut t = Table::new(
        &format!("居民筹资：{}（收取与使用）", f.fund),
        &[("日期", Align::Left), ("摘要", Align::Left), ("金额", Align::Right), ("决议依据", Align::Left)],
    );
    for u in &f.uses {
        t.row(vec![format_date(u.date), u.summary.clone(), u.amount.to_string(), u.decision.clone()]);
    }
    t.note(&format!(
        "本期收取：已缴 {} 户 / 共 {} 户，合计 {}",
        f.households_paid,
        f.households,
        f.collected.to_yuan()
    ));
    if f.uses.is_empty() {
        t.note("本期没有使用。");
    }
    t.note(&format!("期末结余 {}", f.balance.to_yuan()));
    t
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
    if !s.purchases.is_zero() {
        t.row(vec!["　其中资产购置".into(), s.purchases.to_string(), "购置固定资产、存货等，已列入支出明细".into()]);
    }
    t.row(vec!["其他收付净额".into(), s.other.to_string(), "借款、代收代付、存取现金等往来款项，不是收入支出".into()]);
    t.total(vec!["本期结余".into(), s.closing.to_string(), split(s.closing_cash, s.closing_bank)]);
    t.note(&format!("本期结余（大写）：{}", d.closing_words));
    out.push(t);
    out.push(items_table("二、收支明细", &d.items, false));
    let mut t = Table::new("三、按科目汇总", &[("科目", Align::Left), ("收入", Align::Right), ("支出", Align::Right)]);
    for c in &d.by_category {
        let income = c.kind == ItemKind::Income;
        t.row(vec![
            format!("{} {}", c.account, c.name),
            side_amount(c.income, income),
            side_amount(c.expense, !income),
        ]);
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
    for f in &d.resident_funds {
        out.push(resident_fund(f));
    }
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
    out.push(voided_table("七、作废凭证", &d.voided, "本期无作废凭证。"));
    if let Some(assets) = &d.assets {
        let t = assets_table("八、固定资产", assets);
        out.push(t);
    }
    if let Some(pw) = &d.public_welfare {
        let mut t = items_table("九、公益事业收支", &pw.items, false);
        if pw.items.is_empty() {
            t.note("本期无公益事业收支。");
        }
        out.push(t);
    }
    if let Some(budget) = &d.budget {
        let mut t = Table::new(
            "十、预算执行情况",
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
    if let Some(st) = &d.statements {
        // The year's statements, each a section of its own.
        for (n, s) in ["十一、", "十二、", "十三、"].iter().zip([&st.balance_sheet, &st.activities, &st.cash_flow])
        {
            let t = crate::statements::statement_table(s, false);
            let title = format!("{n}{}", t.title());
            out.push(t.retitled(&title));
        }
    }
    out
}

/// Voucher numbers voided before posting, with why: the gaps in the
/// numbering explained.
pub(crate) fn voided_table(title: &str, voided: &[Voided], none: &str) -> Table {
    let mut t = Table::new(
        title,
        &[
            ("凭证号", Align::Left),
            ("日期", Align::Left),
            ("摘要", Align::Left),
            ("金额", Align::Right),
            ("作废原因", Align::Left),
            ("作废日期", Align::Left),
        ],
    );
    for v in voided {
        t.row(vec![
            v.voucher.to_string(),
            format_date(v.date),
            v.summary.clone(),
            v.amount.to_string(),
            v.reason.clone(),
            format_date(v.voided_on),
        ]);
    }
    if voided.is_empty() {
        t.note(none);
    } else {
        t.note("作废的凭证未记账，不影响收支；其编号保留不再使用。");
    }
    t
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
        Format::Csv | Format::PlainCsv | Format::Xlsx => {
            // One row per item; every row says whether the statement is final.
            let mut t = items_table("", &d.items, true);
            t.column("status", Align::Left);
            let status = if d.draft { "草稿" } else { "正式" };
            let mut with_status =
                Table::new(&d.title, t.headers().iter().map(|(h, a)| (h.as_str(), *a)).collect::<Vec<_>>().as_slice());
            with_status.set_type("no", crate::ColumnType::Integer);
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
            let last = total.len() - 1;
            total[last] = status.to_string();
            with_status.total(total);
            with_status.render(format)
        }
        Format::Markdown => {
            let mut out = String::new();
            if d.draft {
                let _ = writeln!(out, "> **{DRAFT}**\n");
            }
            let _ = writeln!(out, "# {}\n", md_escape(&d.title));
            for t in sections(d) {
                out.push_str(&t.markdown());
                out.push('\n');
            }
            for l in review_lines(d) {
                let _ = writeln!(out, "{}  ", md_escape(&l));
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
         section.items {{ break-inside: auto; }}\n\
         h2 {{ break-after: avoid; page-break-after: avoid; }}\n\
         .sign, .tail {{ break-inside: avoid; page-break-inside: avoid; }}\n\
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
const NOWRAP: &[&str] =
    &["项目", "科目", "序号", "日期", "凭证号", "经办人", "审批人", "编号", "冲销凭证", "冲销的原凭证"];

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

/// The items as one table that the browser breaks across pages: a month
/// that does not fit the first sheet (about 40 items on A3) continues on the
/// next with the table's heading repeated (`thead` is a header group) and
/// the page's top margin saying 续页 (see [`page_margins`]). Rows never break
/// inside, and what follows the table flows on after it, so no page holds a
/// stray line or two.
fn items_section(t: &Table) -> String {
    let headers: Vec<(&str, bool)> = t.headers().iter().map(|(h, a)| (h.as_str(), *a == Align::Right)).collect();
    let mut out = format!("<section class=\"items\"><h2>{}</h2>\n", esc(t.title()));
    out.push_str(&html_table(&headers, t.rows()));
    out.push_str("</section>\n");
    out
}

/// Text as a CSS string literal: quotes, backslashes and `<` (which could
/// close the style element) escaped.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("\\3C "),
            '>' => out.push_str("\\3E "),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The printed page's margins: every page after the first is headed with
/// the statement's title and 续页; every page is numbered 第 n 页，共 m 页.
fn page_margins(d: &Disclosure) -> String {
    format!(
        "@page {{ @top-center {{ content: {} \"　续页（第 \" counter(page) \" 页）\"; font-size: 9pt; }}\n\
         \x20 @bottom-right {{ content: \"第 \" counter(page) \" 页，共 \" counter(pages) \" 页\"; font-size: 8pt; }} }}\n\
         @page :first {{ @top-center {{ content: none; }} }}\n",
        css_string(&d.title)
    )
}

/// The QR code's place in the review block: floated beside the officers'
/// lines, so that it takes no height of its own on a month's one sheet.
const QR_CSS: &str = ".qr { float: right; width: 13em; margin: 0 0 0.3em 1.2em; text-align: center; break-inside: avoid; }\n\
     .qr svg { display: block; width: 10em; height: 10em; margin: 0 auto; }\n\
     .qr figcaption { font-size: 0.9em; line-height: 1.3; }\n\
     .qr .url { display: block; font-size: 0.75em; font-family: \"DejaVu Sans Mono\", Consolas, monospace; word-break: break-all; }\n\
     .sign::after { content: \"\"; display: block; clear: both; }\n";

/// The poster (see [`crate::board::poster_html`]); `qr` is the address
/// and its QR code as SVG.
pub(crate) fn poster(d: &Disclosure, paper: Paper, qr: Option<(&str, String)>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{}{}{}</style>\n</head>\n<body>\n",
        esc(&d.title),
        css(paper),
        page_margins(d),
        if qr.is_some() { QR_CSS } else { "" }
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
    starts("二、").for_each(|t| out.push_str(&items_section(t)));
    // What follows the items stays together: when it does not fit under
    // them it starts the next page whole, never leaving the review alone.
    out.push_str("<div class=\"tail\">\n<div class=\"cols\"><div>");
    starts("三、").for_each(|t| out.push_str(&section(t)));
    starts("六、").for_each(|t| out.push_str(&section(t)));
    out.push_str("</div><div>");
    starts("四、").for_each(|t| out.push_str(&section(t)));
    // [FND-2] each fund raised from residents, under the special funds.
    starts("居民筹资").for_each(|t| out.push_str(&section(t)));
    starts("五、").for_each(|t| out.push_str(&section(t)));
    starts("七、").for_each(|t| out.push_str(&section(t)));
    out.push_str("</div></div>\n");
    for prefix in ["八、", "九、", "十、", "十一、", "十二、", "十三、"] {
        starts(prefix).for_each(|t| out.push_str(&section(t)));
    }
    out.push_str("<h2>审核与公布</h2>\n<div class=\"sign\">\n");
    if let Some((url, svg)) = &qr {
        let _ = writeln!(
            out,
            "<figure class=\"qr\" aria-label=\"二维码：{0}\">{svg}<figcaption><b>扫码核对本表</b><br>手机扫描二维码，在网上查看本表，核对金额和账簿指纹<span class=\"url\">{0}</span></figcaption></figure>",
            esc(url)
        );
    }
    for (i, l) in review_lines(d).iter().enumerate() {
        if l.starts_with("账簿指纹") {
            let _ = writeln!(out, "<p class=\"fp-short\">{}</p>", esc(l));
        } else if i > 0 && l.starts_with("指纹全文") {
            let _ = writeln!(out, "<p class=\"fp\">{}</p>", esc(l));
        } else {
            let _ = writeln!(out, "<p>{}</p>", esc(l));
        }
    }
    out.push_str("</div>\n</div>\n");
    if d.draft {
        let _ = writeln!(out, "<div class=\"draft\">{}</div>", esc(DRAFT));
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use qianzhang_core::disclosure::{CategoryTotal, Officers, Span, Summary};
    use qianzhang_core::{Period, VoucherRef};
    use time::macros::date;

    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>";

    /// A month whose office expense was paid and reversed (it nets to
    /// zero), with hostile text wherever a user types text.
    fn sample() -> Disclosure {
        let period = Period::parse("2025-04").unwrap();
        let voucher = VoucherRef { period, number: 1 };
        let item = |no, expense: i64| Item {
            no,
            kind: ItemKind::Expense,
            date: date!(2025 - 04 - 03),
            voucher,
            summary: format!("=1+1 {HOSTILE} a|b"),
            account: "520101".into(),
            account_name: "管理费用/办公费".into(),
            counterparty: "@供应商".into(),
            income: Money::ZERO,
            expense: Money::from_fen(expense),
            handler: "-刘洋".into(),
            approver: "李明".into(),
            basis: HOSTILE.into(),
            fund: None,
            reverses: None,
        };
        Disclosure {
            community: "幸福里".into(),
            span: Span::Month { period },
            title: format!("幸福里{HOSTILE}财务收支公开表（2025年04月）"),
            draft: false,
            summary: Summary::default(),
            items: vec![item(1, 30_000), item(2, -30_000)],
            voided: vec![Voided {
                voucher: VoucherRef { period, number: 2 },
                date: date!(2025 - 04 - 04),
                summary: HOSTILE.into(),
                amount: Money::from_fen(100),
                reason: format!("+{HOSTILE}"),
                by: "赵敏".into(),
                voided_on: date!(2025 - 04 - 05),
            }],
            by_category: vec![CategoryTotal {
                account: "520101".into(),
                name: "管理费用/办公费".into(),
                kind: ItemKind::Expense,
                income: Money::ZERO,
                expense: Money::ZERO,
            }],
            funds: vec![],
            resident_funds: vec![],
            advances: vec![],
            reviews: vec![],
            officers: Officers::default(),
            published: date!(2025 - 05 - 02),
            contact: HOSTILE.into(),
            fingerprint: "ab".repeat(32),
            income_words: "零元整".into(),
            expense_words: "零元整".into(),
            closing_words: "零元整".into(),
            assets: None,
            public_welfare: None,
            budget: None,
            statements: None,
            public_url: None,
        }
    }

    #[test]
    fn pub_1_an_account_netting_to_zero_shows_0_00() {
        let text = disclosure(&sample(), Format::Text);
        let row = text.lines().find(|l| l.starts_with("520101 管理费用/办公费")).unwrap();
        assert!(row.trim_end().ends_with("0.00"), "{row}");
        assert_eq!(row.matches("0.00").count(), 1, "the income side of an expense account stays blank: {row}");
    }

    #[test]
    fn rpt_1_hostile_text_is_escaped_in_markdown_html_and_csv() {
        let d = sample();
        let html = crate::board::poster_html(&d, Paper::A3, Some("https://example.cn/board/x"));
        for (name, out) in [("md", disclosure(&d, Format::Markdown)), ("html", html)] {
            assert!(!out.contains("<script"), "{name}: {out}");
            assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{name}: {out}");
        }
        let md = disclosure(&d, Format::Markdown);
        assert!(md.contains("a\\|b"), "a pipe does not split the cell: {md}");
        let csv = disclosure(&d, Format::Csv);
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let first = rows.records().next().unwrap().unwrap();
        assert_eq!(&first[3], "'=1+1 <script>alert(1)</script> a|b", "{csv}");
        assert_eq!((&first[6], &first[9]), ("'@供应商", "'-刘洋"));
        assert!(csv.contains(",0.00,-300.00,"), "a negative amount stays a number: {csv}");
    }
}
