//! The street's month (FND-3, 居账街管): every community's share of the
//! street account, the totals and the check against the statement, as
//! text, Markdown, CSV, JSON, a workbook or a printable HTML page.

use maud::{html, Markup, DOCTYPE};
use qianzhang_core::street::StreetMonth;
use qianzhang_core::Money;
use serde::Serialize;

use crate::table::{Align, Table};
use crate::Format;

/// The report's title.
pub fn title(m: &StreetMonth) -> String {
    format!("街道代管资金月报（居账街管）　{}　科目 {}", m.month, m.account)
}

/// What the check found, in one sentence.
pub fn verdict(m: &StreetMonth) -> String {
    match (&m.statement, m.difference) {
        (Some(s), Some(d)) => {
            let head = format!(
                "街道账户月末余额 {}（{}），各社区份额合计 {}",
                s.balance.to_yuan(),
                s.source,
                m.totals.closing.to_yuan()
            );
            if d.is_zero() {
                format!("{head}：相符（FND-3）。")
            } else {
                format!("{head}：不符，相差 {}（FND-3）。", d.abs().to_yuan())
            }
        }
        _ => "未核对：没有提供街道账户的对账单或月末余额。".to_string(),
    }
}

/// The table every format but JSON and HTML is rendered from: machine
/// headers and plain decimals for CSV and the workbook, Chinese headers and
/// separated amounts otherwise.
pub fn table(m: &StreetMonth, machine: bool) -> Table {
    // One set of words in every format: the machine keys name the columns
    // for scripts (plain CSV), the Chinese heads them everywhere a person reads.
    const COLUMNS: [(&str, &str, Align); 8] = [
        ("ledger", "社区（账套）", Align::Left),
        ("opening", "期初份额", Align::Right),
        ("income", "本月收入", Align::Right),
        ("expense", "本月支出", Align::Right),
        ("other", "其他收付", Align::Right),
        ("closing", "期末份额", Align::Right),
        ("lowest", "月内最低", Align::Right),
        ("status", "状态", Align::Left),
    ];
    let headers: Vec<(&str, Align)> =
        COLUMNS.iter().map(|(key, chinese, align)| (if machine { *key } else { *chinese }, *align)).collect();
    let money = |v: Money| if machine { v.to_decimal_string() } else { v.to_string() };
    let mut t = Table::new(&title(m), &headers);
    if machine {
        for (key, chinese, _) in COLUMNS {
            t.label(key, chinese);
        }
    }
    for r in &m.rows {
        t.row(vec![
            r.ledger.clone(),
            money(r.opening),
            money(r.income),
            money(r.expense),
            money(r.other),
            money(r.closing),
            money(r.lowest),
            r.state(),
        ]);
    }
    let s = &m.totals;
    t.total(vec![
        "合计".into(),
        money(s.opening),
        money(s.income),
        money(s.expense),
        money(s.other),
        money(s.closing),
        String::new(),
        String::new(),
    ]);
    t.note("份额：各社区账上该银行存款科目的余额；收入、支出与各社区财务公开表的口径相同（含资产购置）；其他收付为存取现金、代收代付、借款等。");
    t.note(&verdict(m));
    for f in &m.findings {
        t.note(&f.to_string());
    }
    t
}

#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    month: &'a StreetMonth,
    /// `true` when the shares add up and none went below zero; `null` unchecked.
    agrees: Option<bool>,
}

/// The street's month in `format`.
pub fn street_month(m: &StreetMonth, format: Format) -> String {
    match format {
        Format::Json => crate::json(&Json { month: m, agrees: m.agrees() }),
        Format::Csv | Format::PlainCsv | Format::Xlsx => table(m, true).render(format),
        Format::Markdown => table(m, false).markdown(),
        Format::Text => table(m, false).text(),
    }
}

/// The month's rows and check as an HTML fragment: the office's page and
/// the printable page share it. Every cell is escaped (maud).
pub fn section(m: &StreetMonth) -> Markup {
    let t = table(m, false);
    let ok = m.agrees();
    html! {
        section.street {
            table.report {
                thead { tr { @for (h, a) in t.headers() { th.num[*a == Align::Right] { (h) } } } }
                tbody {
                    @for (cells, total) in t.rows() {
                        tr.total[*total] {
                            @for (i, c) in cells.iter().enumerate() {
                                td.num[t.headers().get(i).is_some_and(|(_, a)| *a == Align::Right)] { (c) }
                            }
                        }
                    }
                }
            }
            p.verdict.ok[ok == Some(true)].bad[ok == Some(false)] { (verdict(m)) }
            @if !m.findings.is_empty() {
                ul.findings { @for f in &m.findings { li { (f.to_string()) } } }
            }
            p.note { (t.notes()[0]) }
        }
    }
}

const CSS: &str = "body{font-family:'Noto Sans CJK SC','Source Han Sans SC',sans-serif;margin:2em;color:#222}\
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;padding:.3em .6em}\
th{background:#eee}.num{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:bold}\
.verdict.ok{color:#075}.verdict.bad,.findings{color:#a00}.note{color:#555;font-size:.9em}\
.unit{text-align:right;margin:0 0 .3em}.signatures{display:flex;justify-content:space-between;margin-top:3em}\
.signatures span{min-width:12em}@page{size:A4 landscape;margin:15mm}";

/// Who signs the printed month (会计基础工作规范: a report handed out bears
/// the signatures of those answerable for it).
const SIGNERS: [&str; 4] = ["街道负责人", "会计", "出纳", "复核"];

/// A printable page of the month.
pub fn street_html(m: &StreetMonth) -> String {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head { meta charset="utf-8"; title { (title(m)) } style { (maud::PreEscaped(CSS)) } }
            body {
                h1 { (title(m)) }
                p.unit { "单位：元" }
                (section(m))
                div.signatures { @for who in SIGNERS { span { (who) "：" } } }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use qianzhang_core::street::{StatementBalance, StreetRow};
    use qianzhang_core::Period;

    use super::*;

    fn row(name: &str, opening: i64, income: i64, expense: i64, other: i64) -> StreetRow {
        let m = Money::from_fen;
        StreetRow {
            ledger: name.into(),
            account: "1002".into(),
            opening: m(opening),
            income: m(income),
            expense: m(expense),
            other: m(other),
            closing: m(opening + income - expense + other),
            lowest: m(opening),
            lowest_on: None,
            closed: true,
            unposted: 0,
            started: true,
            own_difference: None,
        }
    }

    fn month(balance: Option<i64>) -> StreetMonth {
        let rows =
            vec![row("幸福里社区", 100_000, 50_000, 12_000, -20_000), row("<b>和平里</b>", 0, 30_000, 5_000, 5_000)];
        let statement = balance.map(|b| StatementBalance::typed(Money::from_fen(b)));
        StreetMonth::build(Period::parse("2026-03").unwrap(), "1002", rows, statement).unwrap()
    }

    #[test]
    fn fnd_3_street_month_text_and_markdown() {
        let m = month(Some(148_000));
        insta::assert_snapshot!("street_month_text", street_month(&m, Format::Text));
        insta::assert_snapshot!("street_month_md", street_month(&m, Format::Markdown));
    }

    #[test]
    fn fnd_3_street_month_csv_and_json() {
        let m = month(Some(150_000));
        insta::assert_snapshot!("street_month_csv", street_month(&m, Format::Csv));
        insta::assert_snapshot!("street_month_plain_csv", street_month(&m, Format::PlainCsv));
        insta::assert_snapshot!("street_month_json", street_month(&m, Format::Json));
        let v: serde_json::Value = serde_json::from_str(&street_month(&m, Format::Json)).unwrap();
        assert_eq!(v["agrees"], false);
        assert_eq!(v["difference"], "20.00");
        assert_eq!(v["findings"][0]["rule"], "FND-3");
    }

    /// The Excel CSV, the workbook, the text, Markdown and the page head the
    /// columns with the same words: a share is 份额 everywhere, never a
    /// 余额 in one format and a 份额 in another.
    #[test]
    fn fnd_3_every_format_heads_its_columns_with_the_same_words() {
        let m = month(Some(148_000));
        let words = table(&m, false).chinese_headers();
        assert_eq!(words[1], "期初份额");
        assert_eq!(table(&m, true).chinese_headers(), words, "workbook");
        let csv = street_month(&m, Format::Csv);
        assert_eq!(csv.trim_start_matches('\u{feff}').lines().next().unwrap(), words.join(","));
        let text = street_month(&m, Format::Text);
        let md = street_month(&m, Format::Markdown);
        let page = street_html(&m);
        for w in &words {
            assert!(text.contains(w.as_str()) && md.contains(w.as_str()) && page.contains(w.as_str()), "{w}");
        }
        for other in [&csv, &text, &md, &page] {
            assert!(!other.contains("期初余额") && !other.contains("期末余额"), "{other}");
        }
    }

    #[test]
    fn fnd_3_street_month_unchecked_says_so() {
        let m = month(None);
        let text = street_month(&m, Format::Text);
        assert!(text.contains("未核对"), "{text}");
        let v: serde_json::Value = serde_json::from_str(&street_month(&m, Format::Json)).unwrap();
        assert!(v["agrees"].is_null());
    }

    #[test]
    fn fnd_3_street_month_html_escapes_and_marks_the_check() {
        let m = month(Some(150_000));
        let page = street_html(&m);
        insta::assert_snapshot!("street_month_html", page);
        assert!(page.contains("&lt;b&gt;和平里&lt;/b&gt;") && !page.contains("<b>和平里"));
        assert!(page.contains("verdict bad"));
        assert!(street_html(&month(Some(148_000))).contains("verdict ok"));
        // The printed month says its unit and leaves room for its signatures.
        assert!(page.contains("单位：元"));
        for who in SIGNERS {
            assert!(page.contains(&format!("<span>{who}：</span>")), "{who}");
        }
    }

    #[test]
    fn fnd_3_street_month_workbook_has_typed_cells() {
        let m = month(Some(148_000));
        let sheet = street_month(&m, Format::Xlsx);
        let bytes = crate::xlsx::workbook(&sheet).unwrap();
        use calamine::{Data, Reader, Xlsx};
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).unwrap();
        let cells: Vec<&Data> = range.rows().flatten().collect();
        assert!(cells.contains(&&Data::String("幸福里社区".into())), "{cells:?}");
        assert!(cells.contains(&&Data::String("社区（账套）".into())), "{cells:?}");
        assert!(cells.contains(&&Data::String("期末份额".into())), "{cells:?}");
        assert!(cells.contains(&&Data::Float(1480.0)), "{cells:?}");
    }
}
