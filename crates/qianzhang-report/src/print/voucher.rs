//! The 记账凭证 form: unit, date, number, 附件张数, the lines under 摘要 /
//! 总账科目 / 明细科目 / 借方金额 / 贷方金额, the total in figures and in 大写,
//! and the signature boxes along the bottom. One voucher to a page; a
//! voucher of more lines than the form holds continues on 续页 with the
//! total on its last page only.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use qianzhang_core::lifecycle::{SignKind, Signature};
use qianzhang_core::voucher::Line;
use qianzhang_core::{Chart, Money, Status, Voucher};

use super::{figure, Printed, FONTS};

/// Lines on one page of the form, as on the paper 记账凭证 (5–6 lines).
pub const VOUCHER_LINES: usize = 6;

/// The paper a voucher is printed on, landscape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoucherPaper {
    A5,
    A4,
}

/// The names a paper is typed as (`--paper a5`).
impl qianzhang_core::names::Named for VoucherPaper {
    const ALL: &'static [qianzhang_core::names::Names<VoucherPaper>] = &[
        qianzhang_core::names::Names {
            value: VoucherPaper::A5,
            name: "a5",
            aliases: &["A5"],
            gloss: "A5 横向（凭证纸）",
        },
        qianzhang_core::names::Names { value: VoucherPaper::A4, name: "a4", aliases: &["A4"], gloss: "A4 横向" },
    ];
}

/// One voucher as it prints: its status and the signatures standing on it.
#[derive(Clone, Copy, Debug)]
pub struct VoucherSheet<'a> {
    pub voucher: &'a Voucher,
    pub status: Status,
    pub signatures: &'a [Signature],
}

/// One page of one voucher: which lines, and whether the total goes on it.
#[derive(Clone, Debug)]
pub struct SheetPage<'a> {
    /// 1-based; `of` pages in all.
    pub number: usize,
    pub of: usize,
    pub lines: &'a [Line],
}

/// The pages a voucher takes: [`VOUCHER_LINES`] lines to a page.
pub fn voucher_pages(voucher: &Voucher) -> Vec<SheetPage<'_>> {
    let chunks: Vec<&[Line]> = voucher.lines().chunks(VOUCHER_LINES).collect();
    let of = chunks.len().max(1);
    if chunks.is_empty() {
        return vec![SheetPage { number: 1, of, lines: &[] }];
    }
    chunks.into_iter().enumerate().map(|(i, lines)| SheetPage { number: i + 1, of, lines }).collect()
}

/// [PRN-1] the vouchers as one printable file, one page each (more for a
/// voucher of more than [`VOUCHER_LINES`] lines); `unit` is the 编制单位.
pub fn vouchers_html(unit: &str, sheets: &[VoucherSheet<'_>], chart: &Chart, paper: VoucherPaper) -> Printed {
    let pages: Vec<(&VoucherSheet<'_>, SheetPage<'_>)> =
        sheets.iter().flat_map(|s| voucher_pages(s.voucher).into_iter().map(move |p| (s, p))).collect();
    let count = pages.len();
    let title = match sheets {
        [one] => format!("记账凭证 {}", one.voucher.reference()),
        _ => format!("记账凭证（{} 张）", sheets.len()),
    };
    let html = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(css(paper))) }
            }
            body {
                @for (i, (sheet, page)) in pages.iter().enumerate() {
                    (sheet_page(unit, sheet, page, chart, i + 1 < count))
                }
            }
        }
    };
    Printed { html: html.into_string(), pages: count }
}

fn css(paper: VoucherPaper) -> String {
    // Page box, printable height, base type size, line height of the form.
    let (size, height, base, row) = match paper {
        VoucherPaper::A5 => ("A5", "130mm", "10.5pt", "9.5mm"),
        VoucherPaper::A4 => ("A4", "192mm", "14pt", "13.5mm"),
    };
    format!(
        "@page {{ size: {size} landscape; margin: 8mm 10mm; }}\n\
         * {{ box-sizing: border-box; }}\n\
         html, body {{ margin: 0; padding: 0; }}\n\
         body {{ font-family: {FONTS}; font-size: {base}; color: #000; }}\n\
         section.sheet {{ position: relative; height: {height}; overflow: hidden; break-inside: avoid; }}\n\
         @media screen {{ section.sheet {{ width: 260mm; margin: 6mm auto; padding: 4mm; border: 1px dashed #aaa; }} }}\n\
         h1 {{ text-align: center; font-size: 2em; font-weight: bold; letter-spacing: 0.6em; margin: 0 0 0.15em 0.6em; }}\n\
         h1 span {{ border-bottom: 3px double #000; padding: 0 0 0.05em 0.1em; }}\n\
         .meta {{ display: flex; justify-content: space-between; align-items: baseline; margin: 0.3em 0 0.3em; }}\n\
         .meta > span {{ flex: 1; white-space: nowrap; }}\n\
         .meta .mid {{ text-align: center; }}\n\
         .meta .end {{ text-align: right; }}\n\
         table {{ width: 100%; border-collapse: collapse; table-layout: fixed; border: 2px solid #000; }}\n\
         th, td {{ border: 1px solid #000; height: {row}; padding: 0 0.4em; vertical-align: middle; }}\n\
         th {{ font-weight: bold; text-align: center; letter-spacing: 0.3em; }}\n\
         td .c {{ max-height: 2.5em; overflow: hidden; line-height: 1.2; }}\n\
         td.num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; font-family: \"DejaVu Sans Mono\", Consolas, monospace; }}\n\
         tr.total td {{ font-weight: bold; border-top: 2px solid #000; }}\n\
         .words {{ font-weight: normal; }}\n\
         .signs {{ display: flex; justify-content: space-between; margin-top: 0.6em; }}\n\
         .signs span {{ flex: 1; white-space: nowrap; }}\n\
         .signs b {{ display: inline-block; min-width: 4.5em; border-bottom: 1px solid #000; padding: 0 0.2em; font-weight: normal; }}\n\
         .stamp {{ position: absolute; font-weight: bold; color: #c00; border: 0.12em solid #c00; padding: 0 0.25em; }}\n\
         .stamp.void {{ top: 38%; left: 35%; font-size: 4.5em; letter-spacing: 0.3em; transform: rotate(-18deg); opacity: 0.75; }}\n\
         .stamp.unposted {{ top: 0; right: 0; font-size: 1.1em; }}\n"
    )
}

/// The name in a signature box: the signer, a deputy marked 代 (SEP-6).
fn signer(signatures: &[Signature], kind: SignKind) -> String {
    signatures
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| if s.resolution.is_some() { format!("{}（代）", s.person) } else { s.person.clone() })
        .collect::<Vec<_>>()
        .join("、")
}

/// 总账科目 and 明细科目 of a line's account: `1001 库存现金`, and the
/// sub-account's names below it (`办公费`).
fn accounts(chart: &Chart, code: &str) -> (String, String) {
    let top = code.get(..4).unwrap_or(code);
    let full = chart.full_name(code);
    let mut names = full.split('/');
    let general = match names.next() {
        Some(n) if !n.is_empty() => format!("{top} {n}"),
        _ => code.to_string(),
    };
    let detail: Vec<&str> = names.collect();
    let detail = if detail.is_empty() { String::new() } else { format!("{} {}", code, detail.join("/")) };
    (general, detail)
}

/// The total in 大写; a red reversal's is marked red (红字) and reads 负….
fn words(total: Money) -> String {
    let red = if total.is_negative() { "（红字）" } else { "" };
    format!("{red}{}", total.to_chinese_words())
}

fn sheet_page(unit: &str, sheet: &VoucherSheet<'_>, page: &SheetPage<'_>, chart: &Chart, more: bool) -> Markup {
    let v = sheet.voucher;
    let r = v.reference();
    let date = v.date();
    let last = page.number == page.of;
    let blank = VOUCHER_LINES.saturating_sub(page.lines.len());
    let boxes = [
        ("主管/审批", signer(sheet.signatures, SignKind::Approve)),
        ("记账", String::new()),
        ("审核", signer(sheet.signatures, SignKind::Review)),
        ("出纳", signer(sheet.signatures, SignKind::Confirm)),
        ("制单", v.preparer().to_string()),
    ];
    html! {
        section.sheet style=[more.then_some("break-after: page")] {
            @match sheet.status {
                Status::Voided => div.stamp.void { "作废" },
                Status::Prepared => div.stamp.unposted { "未记账" },
                Status::Posted => {},
            }
            h1 { span { "记账凭证" } }
            div.meta {
                span { "编制单位：" (unit) }
                span.mid { (date.year()) " 年 " (format!("{:02}", date.month() as u8)) " 月 " (format!("{:02}", date.day())) " 日" }
                span.end { "记字第 " (format!("{:04}", r.number)) " 号" }
            }
            div.meta {
                span { "凭证号 " (r.to_string())
                    @if let Some(o) = v.reverses() { "　冲销 " (o.to_string()) }
                }
                span.mid {
                    @if page.of > 1 { "第 " (page.number) "/" (page.of) " 页" @if page.number > 1 { "　续页" } }
                }
                span.end { "附件 " (v.documents().len()) " 张" }
            }
            table {
                colgroup {
                    col style="width: 34%";
                    col style="width: 17%";
                    col style="width: 19%";
                    col style="width: 15%";
                    col style="width: 15%";
                }
                thead { tr { th { "摘要" } th { "总账科目" } th { "明细科目" } th { "借方金额" } th { "贷方金额" } } }
                tbody {
                    @for l in page.lines {
                        @let (general, detail) = accounts(chart, &l.account);
                        tr {
                            td { div.c { (l.summary) } }
                            td { div.c { (general) } }
                            td { div.c { (detail) } }
                            td.num { (figure(l.debit())) }
                            td.num { (figure(l.credit())) }
                        }
                    }
                    @for _ in 0..blank { tr { td {} td {} td {} td {} td {} } }
                    tr.total {
                        @if last {
                            td colspan="3" { "合　计　" span.words { "人民币（大写）" (words(v.total_debit())) } }
                            td.num { "¥" (v.total_debit().to_string()) }
                            td.num { "¥" (v.total_credit().to_string()) }
                        } @else {
                            td colspan="3" { "（续下页）" } td {} td {}
                        }
                    }
                }
            }
            div.signs {
                @for (label, name) in &boxes {
                    span { (label) "：" b { (name) } }
                }
            }
        }
    }
}
