//! Printable HTML (PRN-1): vouchers as the familiar 记账凭证 form, one to a
//! page, and the books (三栏式 明细账, 现金/银行存款日记账) as bound-book pages
//! carrying their totals from page to page (承前页/过次页).
//!
//! Every page is built with `maud`, which escapes every text it is given:
//! no string of HTML is assembled by hand. The output is one self-contained
//! UTF-8 file (inline CSS, system fonts) that any browser prints.

mod book;
mod voucher;

pub use book::{book_html, book_pages, BookKind, BookLine, BookPage, BOOK_ROWS};
pub use voucher::{voucher_pages, vouchers_html, SheetPage, VoucherPaper, VoucherSheet, VOUCHER_LINES};

/// A printed file: its HTML and how many pages it holds.
#[derive(Clone, Debug)]
pub struct Printed {
    pub html: String,
    pub pages: usize,
}

/// Fonts a Debian machine (Noto CJK, WenQuanYi) or a Windows machine
/// (SimSun, Microsoft YaHei) has; never fetched from the network.
const FONTS: &str = "\"Noto Serif CJK SC\", \"Noto Sans CJK SC\", \"Source Han Serif SC\", \"WenQuanYi Micro Hei\", \
                     \"SimSun\", \"Microsoft YaHei\", serif";

/// An amount as a printed form shows it: blank when zero.
fn figure(m: qianzhang_core::Money) -> String {
    if m.is_zero() {
        String::new()
    } else {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use qianzhang_core::lifecycle::{SignKind, Signature};
    use qianzhang_core::report::{AccountLedger, AccountLedgerRow, LedgerRowKind};
    use qianzhang_core::{Chart, Money, Period, Status, Voucher, VoucherRef};
    use time::macros::date;

    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>";

    /// A voucher of `lines` debit lines of ¥100 to 520101 against one
    /// credit to 1001, with one document.
    fn voucher(number: u32, lines: usize, summary: &str) -> Voucher {
        let mut json = serde_json::json!({
            "ref": format!("2025-01/{number}"),
            "date": "2025-01-06",
            "lines": [],
            "documents": [{ "doc_type": "发票" }],
            "origin": "entered",
            "preparer": "赵敏",
        });
        let list = json["lines"].as_array_mut().unwrap();
        for i in 0..lines {
            list.push(serde_json::json!({
                "summary": format!("{summary}{i}"), "account": "520101", "side": "debit", "amount": "100.00"
            }));
        }
        list.push(serde_json::json!({
            "summary": summary, "account": "1001", "side": "credit", "amount": format!("{}.00", 100 * lines)
        }));
        serde_json::from_value(json).expect("a voucher")
    }

    fn chart() -> Chart {
        let mut accounts = Chart::default_chart();
        accounts.push(qianzhang_core::account::Account::stored(
            "520101".into(),
            "办公费".into(),
            qianzhang_core::account::AccountKind::Expense,
            None,
            None,
        ));
        Chart::from_accounts(accounts)
    }

    fn signed(kind: SignKind, person: &str) -> Signature {
        Signature {
            kind,
            person: person.into(),
            appointment_from: date!(2025 - 01 - 01),
            at: "2025-01-07T09:00:00+08:00".into(),
            resolution: None,
        }
    }

    fn print(vouchers: &[(Voucher, Status, Vec<Signature>)]) -> Printed {
        let sheets: Vec<VoucherSheet<'_>> = vouchers
            .iter()
            .map(|(voucher, status, signatures)| VoucherSheet { voucher, status: *status, signatures })
            .collect();
        vouchers_html("幸福里", &sheets, &chart(), VoucherPaper::A5)
    }

    /// The text a reader sees: tags stripped, entities of the few
    /// characters escaped put back.
    fn text(html: &str) -> String {
        let body = &html[html.find("<body>").unwrap_or(0)..];
        let body = body
            .replace("</div></td>", "</td>")
            .replace("</tr>", "</tr>\n")
            .replace("</h1>", "</h1>\n")
            .replace("</div>", "</div>\n");
        let mut out = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        let out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", "\"");
        out.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn prn_1_one_page_per_voucher_with_the_total_in_words_and_the_signatures() {
        let posted = vec![
            signed(SignKind::Review, "刘洋"),
            signed(SignKind::Approve, "李明"),
            signed(SignKind::Confirm, "王芳"),
        ];
        let printed = print(&[
            (voucher(1, 2, "购买办公用品"), Status::Posted, posted),
            (voucher(2, 1, "付保洁费"), Status::Prepared, vec![signed(SignKind::Review, "刘洋")]),
            (voucher(3, 1, "付水费"), Status::Posted, vec![]),
        ]);
        assert_eq!(printed.pages, 3);
        // Every page but the last breaks after it: one page a voucher.
        assert_eq!(printed.html.matches("break-after: page").count(), 2);
        assert_eq!(printed.html.matches("<section class=\"sheet\"").count(), 3);
        assert!(printed.html.contains("size: A5 landscape"), "{}", printed.html);
        let text = text(&printed.html);
        assert!(text.contains("合 计 人民币（大写）贰佰元整 ¥200.00 ¥200.00"), "{text}");
        assert!(text.contains("人民币（大写）壹佰元整"), "{text}");
        assert!(text.contains("主管/审批： 李明 记账： 审核： 刘洋 出纳： 王芳 制单： 赵敏"), "{text}");
        // Unsigned boxes stay empty; the preparer always fills 制单.
        assert!(text.contains("主管/审批： 记账： 审核： 刘洋 出纳： 制单： 赵敏"), "{text}");
        assert!(text.contains("主管/审批： 记账： 审核： 出纳： 制单： 赵敏"), "{text}");
        assert!(text.contains("编制单位：幸福里 2025 年 01 月 06 日 记字第 0001 号"), "{text}");
        assert!(text.contains("附件 1 张"), "{text}");
        assert!(text.contains("520101 管理费用/办公费") || text.contains("520101 办公费"), "{text}");
        assert!(text.contains("5201 管理费用"), "{text}");
        assert_eq!(text.matches("未记账").count(), 1, "the prepared voucher is marked: {text}");
        assert!(!text.contains("作废"), "{text}");
    }

    #[test]
    fn prn_1_a_voided_voucher_prints_marked_void() {
        let printed = print(&[(voucher(4, 1, "作废前"), Status::Voided, vec![])]);
        assert!(printed.html.contains("<div class=\"stamp void\">作废</div>"), "{}", printed.html);
        assert_eq!(printed.pages, 1);
        assert_eq!(printed.html.matches("break-after: page").count(), 0);
    }

    /// A voucher longer than the form continues on 续页, numbered 第 1/2 页,
    /// with the total on its last page only.
    #[test]
    fn prn_1_a_long_voucher_continues_with_the_total_on_its_last_page() {
        let printed = print(&[(voucher(5, VOUCHER_LINES + 2, "购物"), Status::Posted, vec![])]);
        assert_eq!(printed.pages, 2);
        let pages: Vec<&str> = printed.html.split("<section class=\"sheet\"").skip(1).collect();
        assert_eq!(pages.len(), 2);
        let (first, second) = (text(pages[0]), text(pages[1]));
        assert!(first.contains("第 1/2 页") && first.contains("（续下页）") && !first.contains("大写"), "{first}");
        assert!(second.contains("第 2/2 页 续页") && second.contains("人民币（大写）捌佰元整"), "{second}");
        assert_eq!(first.matches("购物").count(), VOUCHER_LINES, "{first}");
    }

    /// Whatever a user typed is escaped, never markup.
    #[test]
    fn prn_1_text_is_escaped() {
        let printed = print(&[(voucher(6, 1, HOSTILE), Status::Posted, vec![signed(SignKind::Review, HOSTILE)])]);
        assert!(!printed.html.contains(HOSTILE), "{}", printed.html);
        assert!(printed.html.contains("&lt;script&gt;"), "{}", printed.html);
        let ledger = sample_ledger(3);
        let mut ledger = ledger;
        ledger.ledger = HOSTILE.into();
        assert!(!book_html(&ledger, BookKind::CashJournal).html.contains(HOSTILE));
    }

    /// A month of `n` cash entries of ¥(i) each, alternating in and out,
    /// as `AccountLedger::build` lays out a journal without day totals.
    fn sample_ledger(n: usize) -> AccountLedger {
        let period = Period::parse("2025-01").unwrap();
        let row = |kind, summary: &str, debit: i64, credit: i64, balance: i64, number: Option<u32>| AccountLedgerRow {
            kind,
            date: date!(2025 - 01 - 10),
            voucher: number.map(|number| VoucherRef { period, number }),
            summary: summary.into(),
            account: None,
            counterparty: None,
            debit: Money::from_fen(debit),
            credit: Money::from_fen(credit),
            balance: Money::from_fen(balance),
            history: false,
        };
        let mut balance = 100_000;
        let mut rows = vec![row(LedgerRowKind::Opening, "期初余额", 0, 0, balance, None)];
        let (mut d, mut c) = (0, 0);
        for i in 1..=n as i64 {
            let (debit, credit) = if i % 2 == 0 { (i * 100, 0) } else { (0, i * 10) };
            balance += debit - credit;
            d += debit;
            c += credit;
            rows.push(row(LedgerRowKind::Entry, "收付", debit, credit, balance, Some(i as u32)));
        }
        rows.push(row(LedgerRowKind::MonthTotal, "本月合计", d, c, balance, None));
        rows.push(row(LedgerRowKind::YearTotal, "本年累计", d, c, balance, None));
        AccountLedger {
            ledger: "幸福里".into(),
            account: "1001".into(),
            name: "库存现金".into(),
            from: period,
            to: period,
            rows,
        }
    }

    /// [PRN-1] 过次页 carries the month's debit and credit to the end of its
    /// page and the balance there; the next page's 承前页 repeats them; and
    /// what is carried plus the last page's entries is the 本月合计.
    #[test]
    fn prn_1_carried_totals_add_up_across_pages() {
        let ledger = sample_ledger(70);
        let pages = book_pages(&ledger);
        assert_eq!(pages.len(), 3, "73 rows: 29 + 28 + 16");
        let mut entries_so_far = (Money::ZERO, Money::ZERO);
        for (i, page) in pages.iter().enumerate() {
            assert!(page.lines.len() <= BOOK_ROWS);
            assert_eq!(matches!(page.lines.first(), Some(BookLine::Brought(_))), i > 0, "page {}", i + 1);
            let mut last_balance = None;
            for line in &page.lines {
                match line {
                    BookLine::Brought(c) => {
                        assert_eq!((c.debit, c.credit), entries_so_far, "承前页 on page {}", i + 1);
                    }
                    BookLine::Row(r) => {
                        if r.kind == LedgerRowKind::Entry {
                            entries_so_far.0 += r.debit;
                            entries_so_far.1 += r.credit;
                        }
                        if r.kind == LedgerRowKind::MonthTotal {
                            assert_eq!((r.debit, r.credit), entries_so_far, "本月合计 = 承前页 + this page");
                        }
                        last_balance = Some(r.balance);
                    }
                    BookLine::Forward(c) => {
                        assert_eq!((c.debit, c.credit), entries_so_far, "过次页 on page {}", i + 1);
                        assert_eq!(Some(c.balance), last_balance, "过次页 carries the page's last balance");
                    }
                }
            }
            let forward = matches!(page.lines.last(), Some(BookLine::Forward(_)));
            assert_eq!(forward, i + 1 < pages.len(), "page {}", i + 1);
        }
        // Page 1: the opening and 28 entries: 2+4+…+28 yuan in, 1+3+…+27 ×0.1 out.
        let BookLine::Forward(c) = pages[0].lines[BOOK_ROWS - 1] else { panic!("过次页") };
        let (din, dout): (i64, i64) =
            (1..=28).fold((0, 0), |(a, b), i| if i % 2 == 0 { (a + i * 100, b) } else { (a, b + i * 10) });
        assert_eq!((c.debit.fen(), c.credit.fen(), c.balance.fen()), (din, dout, 100_000 + din - dout));
        let printed = book_html(&ledger, BookKind::CashJournal);
        assert_eq!(printed.pages, 3);
        let text = text(&printed.html);
        assert_eq!(text.matches("承前页").count(), 2, "{text}");
        assert_eq!(text.matches("过次页").count(), 2, "{text}");
        assert!(text.contains(&format!("过次页 {} {} 借", c.debit, c.credit)), "{text}");
        assert!(text.contains("第 2 页 共 3 页"), "{text}");
    }

    /// A book that fits one page has neither 承前页 nor 过次页.
    #[test]
    fn prn_1_a_short_book_is_one_page() {
        let printed = book_html(&sample_ledger(5), BookKind::Ledger);
        assert_eq!(printed.pages, 1);
        assert!(!printed.html.contains("承前页") && !printed.html.contains("过次页"));
        assert!(printed.html.contains("size: A4 portrait"));
    }

    #[test]
    fn prn_1_printed_text_snapshot() {
        let v = voucher(7, 2, "购买办公用品");
        let printed = print(&[(v, Status::Posted, vec![signed(SignKind::Review, "刘洋")])]);
        insta::assert_snapshot!("print_voucher_text", text(&printed.html));
        let book = book_html(&sample_ledger(3), BookKind::CashJournal);
        insta::assert_snapshot!("print_cash_journal_text", text(&book.html));
    }
}
