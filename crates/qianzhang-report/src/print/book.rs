//! Bound-book pages of an account ledger (三栏式 明细账) or of the cash and
//! bank journals (日记账): a fixed number of lines to an A4 portrait page,
//! each page after the first opening with 承前页 and each page that goes on
//! closing with 过次页, both carrying the month's debit and credit so far
//! and the balance, as a hand-kept book does.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use qianzhang_core::report::{direction, AccountLedger, AccountLedgerRow, LedgerRowKind};
use qianzhang_core::Money;

use super::{figure, Printed, FONTS};

/// Lines on one page, the 承前页 and 过次页 lines included.
pub const BOOK_ROWS: usize = 30;

/// Which book is printed: its title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookKind {
    /// 明细账 of one account (三栏式).
    Ledger,
    /// 现金日记账 (1001).
    CashJournal,
    /// 银行存款日记账 (1002).
    BankJournal,
}

impl BookKind {
    pub fn title(self) -> &'static str {
        match self {
            BookKind::Ledger => "明细账",
            BookKind::CashJournal => "现金日记账",
            BookKind::BankJournal => "银行存款日记账",
        }
    }
}

/// What a 承前页 or 过次页 line carries: the debit and credit of the month
/// so far (from its first entry to the end of the page), and the balance
/// after the page's last line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Carry {
    pub debit: Money,
    pub credit: Money,
    pub balance: Money,
}

/// A line of a printed page.
#[derive(Clone, Copy, Debug)]
pub enum BookLine<'a> {
    /// 承前页, the first line of every page after the first.
    Brought(Carry),
    Row(&'a AccountLedgerRow),
    /// 过次页, the last line of every page that goes on.
    Forward(Carry),
}

/// One page: its number and its lines (at most [`BOOK_ROWS`]).
#[derive(Clone, Debug)]
pub struct BookPage<'a> {
    pub number: usize,
    pub lines: Vec<BookLine<'a>>,
}

/// The ledger's rows laid out on pages of [`BOOK_ROWS`] lines. The month's
/// debit and credit so far count the entries only (not the day's or the
/// month's totals) and start again after each 本月合计.
pub fn book_pages(ledger: &AccountLedger) -> Vec<BookPage<'_>> {
    let mut pages = Vec::new();
    let mut carry = Carry::default();
    let mut brought: Option<Carry> = None;
    let mut rest: &[AccountLedgerRow] = &ledger.rows;
    loop {
        let mut lines = Vec::with_capacity(BOOK_ROWS);
        if let Some(c) = brought {
            lines.push(BookLine::Brought(c));
        }
        let room = BOOK_ROWS - lines.len();
        let last = rest.len() <= room;
        let take = if last { rest.len() } else { room - 1 };
        for row in &rest[..take] {
            match row.kind {
                LedgerRowKind::Entry => {
                    carry.debit += row.debit;
                    carry.credit += row.credit;
                }
                LedgerRowKind::MonthTotal => {
                    carry.debit = Money::ZERO;
                    carry.credit = Money::ZERO;
                }
                _ => {}
            }
            carry.balance = row.balance;
            lines.push(BookLine::Row(row));
        }
        rest = &rest[take..];
        if !last {
            lines.push(BookLine::Forward(carry));
            brought = Some(carry);
        }
        pages.push(BookPage { number: pages.len() + 1, lines });
        if last {
            return pages;
        }
    }
}

/// [PRN-1] the ledger as bound-book pages; `unit` is the ledger's name.
pub fn book_html(ledger: &AccountLedger, kind: BookKind) -> Printed {
    let pages = book_pages(ledger);
    let of = pages.len();
    let title = format!("{}（{} {}，{}—{}）", kind.title(), ledger.account, ledger.name, ledger.from, ledger.to);
    let html = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(format!("{CSS_HEAD}{FONTS}{CSS}"))) }
            }
            body {
                @for page in &pages {
                    (book_page(ledger, kind, page, of))
                }
            }
        }
    };
    Printed { html: html.into_string(), pages: of }
}

/// The page, before and after the font list.
const CSS_HEAD: &str = concat!(
    "@page { size: A4 portrait; margin: 10mm 12mm; }\n",
    "* { box-sizing: border-box; }\n",
    "html, body { margin: 0; padding: 0; }\n",
    "body { font-size: 9.5pt; color: #000; font-family: ",
);
const CSS: &str = concat!(
    "; }\n",
    "section.page { height: 275mm; overflow: hidden; break-inside: avoid; }\n",
    "@media screen { section.page { width: 190mm; margin: 6mm auto; border: 1px dashed #aaa; padding: 3mm; } }\n",
    "h1 { text-align: center; font-size: 1.9em; letter-spacing: 0.4em; margin: 0 0 0.2em 0.4em; }\n",
    "h1 span { border-bottom: 3px double #000; }\n",
    ".meta { display: flex; justify-content: space-between; margin: 0.4em 0; }\n",
    ".meta > span { flex: 1; } .meta .mid { text-align: center; } .meta .end { text-align: right; }\n",
    "table { width: 100%; border-collapse: collapse; table-layout: fixed; border: 2px solid #000; }\n",
    "th, td { border: 1px solid #000; height: 7.9mm; padding: 0 0.35em; vertical-align: middle; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }\n",
    "th { text-align: center; font-weight: bold; }\n",
    "thead th { border-bottom: 2px solid #000; }\n",
    "td.num { text-align: right; font-variant-numeric: tabular-nums; font-family: \"DejaVu Sans Mono\", Consolas, monospace; }\n",
    "td.mid { text-align: center; }\n",
    "tr.total td { font-weight: bold; }\n",
    "tr.carry td { font-weight: bold; background: #f2f2f2; }\n",
    "tr.total td.sum, tr.carry td.sum { text-align: center; letter-spacing: 0.2em; }\n",
);

fn month_day(row: &AccountLedgerRow) -> String {
    format!("{:02}-{:02}", row.date.month() as u8, row.date.day())
}

fn book_page(ledger: &AccountLedger, kind: BookKind, page: &BookPage<'_>, of: usize) -> Markup {
    let blank = BOOK_ROWS.saturating_sub(page.lines.len());
    let year = page
        .lines
        .iter()
        .find_map(|l| match l {
            BookLine::Row(r) => Some(r.date.year()),
            _ => None,
        })
        .unwrap_or(ledger.to.year());
    html! {
        section.page style=[(page.number < of).then_some("break-after: page")] {
            h1 { span { (kind.title()) } }
            div.meta {
                span { "单位：" (ledger.ledger) }
                span.mid { "科目：" (ledger.account) " " (ledger.name) }
                span.end { (year) " 年" }
            }
            table {
                colgroup {
                    col style="width: 10%";
                    col style="width: 10%";
                    col style="width: 30%";
                    col style="width: 15%";
                    col style="width: 15%";
                    col style="width: 7%";
                    col style="width: 13%";
                }
                thead { tr { th { "日期" } th { "凭证号" } th { "摘要" } th { "借方" } th { "贷方" } th { "借或贷" } th { "余额" } } }
                tbody {
                    @for line in &page.lines {
                        @match line {
                            BookLine::Brought(c) => (carry_row("承前页", c)),
                            BookLine::Forward(c) => (carry_row("过次页", c)),
                            BookLine::Row(r) => (row(r)),
                        }
                    }
                    @for _ in 0..blank { tr { td {} td {} td {} td {} td {} td {} td {} } }
                }
            }
            div.meta {
                span { (ledger.from) " 至 " (ledger.to) }
                span.end { "第 " (page.number) " 页　共 " (of) " 页" }
            }
        }
    }
}

fn carry_row(label: &str, c: &Carry) -> Markup {
    html! {
        tr.carry {
            td {} td {} td.sum { (label) }
            td.num { (c.debit.to_string()) }
            td.num { (c.credit.to_string()) }
            td.mid { (direction(c.balance)) }
            td.num { (c.balance.abs().to_string()) }
        }
    }
}

fn row(r: &AccountLedgerRow) -> Markup {
    let total = !matches!(r.kind, LedgerRowKind::Entry);
    let summary = match (&r.account, r.kind) {
        (Some(a), LedgerRowKind::Entry) => format!("{a} {}", r.summary),
        _ => r.summary.clone(),
    };
    let balance = if r.balance.is_zero() { "0.00".to_string() } else { r.balance.abs().to_string() };
    html! {
        tr class=[total.then_some("total")] {
            td.mid { (month_day(r)) }
            td.mid { @if let Some(v) = r.voucher { (v.label()) } }
            td class=[total.then_some("sum")] { (summary) }
            td.num { (figure(r.debit)) }
            td.num { (figure(r.credit)) }
            td.mid { (direction(r.balance)) }
            td.num { (balance) }
        }
    }
}
