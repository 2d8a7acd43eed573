//! Printing (PRN-1): January's vouchers as the 记账凭证 form, one to a page,
//! and the books as bound-book pages with 承前页/过次页, checked as HTML and
//! through a real browser (page count, text layer, ink).

mod common;

use common::browser::{have_browser, ink, text, to_pdf};
use common::{closed_january, january, Env};

/// January's nine vouchers (summary, total in words) as `voucher list` has them.
const JANUARY: [(&str, &str); 9] = [
    ("收到街道拨付一月低保资金", "贰万元整"),
    ("收活动室场地费", "陆佰元整"),
    ("场地费送存银行", "陆佰元整"),
    ("发放一月低保金", "壹万贰仟元整"),
    ("购买打印纸", "叁佰元整"),
    ("银行手续费", "壹拾元整"),
    ("购买打印机", "壹仟捌佰元整"),
    ("重阳敬老公益活动", "伍佰元整"),
    ("冲销 2025-01/记-0005 购买打印纸", "（红字）负叁佰元整"),
];

/// [PRN-1] a month prints one voucher to a page, in number order, with the
/// unit, date, number, 附件张数, the total in figures and in 大写, and the
/// signature boxes filled from the signatures.
#[test]
fn prn_1_a_month_of_vouchers_prints_one_to_a_page() {
    let env = closed_january();
    let html = env.ok(&["print", "voucher", "--period", "2025-01"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"), "{html}");
    assert!(html.contains("size: A5 landscape"), "A5 landscape is the default");
    assert_eq!(html.matches("<section class=\"sheet\"").count(), 9);
    assert_eq!(html.matches("break-after: page").count(), 8, "a page break after every voucher but the last");
    let printed = text(&html);
    let pages: Vec<&str> = printed.split("==== 分页 ====").filter(|p| p.contains("记账凭证")).collect();
    assert_eq!(pages.len(), 9);
    for (i, (page, (summary, words))) in pages.iter().zip(JANUARY).enumerate() {
        assert!(page.contains(&format!("记字第 {:04} 号", i + 1)), "{page}");
        assert!(page.contains(summary), "{summary}: {page}");
        assert!(page.contains(&format!("人民币（大写）{words}")), "{words}: {page}");
        assert!(page.contains("编制单位：幸福里"), "{page}");
    }
    let first = pages[0];
    assert!(first.contains("2025 年 01 月 06 日") && first.contains("附件 1 张"), "{first}");
    assert!(first.contains("¥20,000.00 ¥20,000.00"), "{first}");
    // Income needs no approval (一支笔 approves spending); spending shows the approver.
    assert!(first.contains("主管/审批： 记账： 审核： 刘洋 出纳： 王芳 制单： 赵敏"), "{first}");
    assert!(pages[3].contains("主管/审批： 李明 记账： 审核： 刘洋 出纳： 王芳 制单： 赵敏"), "{}", pages[3]);
    assert!(!printed.contains("作废") && !printed.contains("未记账"), "every voucher is posted");
    insta::assert_snapshot!("print_voucher_2025_01", printed);
    // The same vouchers named one by one; A4 on request.
    let two = env.ok(&["print", "voucher", "2025-01/记-0002", "2025-01/1", "--paper", "a4"]);
    assert!(two.contains("size: A4 landscape"), "{two}");
    let two = text(&two);
    let at = |s: &str| two.find(s).unwrap_or_else(|| panic!("{s}: {two}"));
    assert!(at("记字第 0002 号") < at("记字第 0001 号"), "in the order named");
}

/// [PRN-1] a reference that does not exist is refused by name, and nothing
/// is printed; an empty month too.
#[test]
fn prn_1_a_missing_voucher_is_refused_by_name() {
    let env = closed_january();
    let before = env.books();
    let refused = |args: &[&str]| {
        let err = env.fails(1, args);
        assert!(err.contains("[PRN-1]"), "{err}");
        err
    };
    let err = refused(&["print", "voucher", "2025-01/记-0001", "2025-01/记-0042"]);
    assert!(err.contains("2025-01/记-0042") && !err.contains("2025-01/记-0001 不存在"), "{err}");
    let err = refused(&["print", "voucher", "--period", "2025-06"]);
    assert!(err.contains("2025-06 没有凭证"), "{err}");
    env.fails(2, &["print", "voucher"]);
    assert_eq!(env.books(), before);
}

/// [PRN-1] unposted vouchers print (the paper is signed at review) marked
/// 未记账; a voided one carries a 作废 stamp.
#[test]
fn prn_1_unposted_and_voided_vouchers_are_marked() {
    let env = january();
    env.ok(&["voucher", "void", "2025-01/记-0006", "--reason", "金额有误"]);
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-01/记-0002"]);
    let text = text(&env.ok(&["print", "voucher", "2025-01/记-0002", "2025-01/记-0006"]));
    let pages: Vec<&str> = text.split("==== 分页 ====").filter(|p| p.contains("记账凭证")).collect();
    assert_eq!(pages.len(), 2);
    assert!(pages[0].trim_start().starts_with("未记账") && !pages[0].contains("作废"), "{}", pages[0]);
    assert!(pages[0].contains("审核： 刘洋 出纳： 制单： 赵敏"), "{}", pages[0]);
    assert!(pages[1].trim_start().starts_with("作废") && !pages[1].contains("未记账"), "{}", pages[1]);
}

/// [PRN-1] `-o` writes the file (never over the books); `--json` then
/// reports the file and its pages.
#[test]
fn prn_1_output_file_and_json() {
    let env = closed_january();
    let out = env.ok(&["--json", "print", "voucher", "--period", "2025-01", "-o", "january.html"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["pages"], 9, "{json}");
    assert_eq!(json["file"], "january.html", "{json}");
    let html = std::fs::read_to_string(env.path("january.html")).unwrap();
    assert_eq!(html.matches("<section class=\"sheet\"").count(), 9);
    // The store's own file is never an output (on PostgreSQL there is no file to spare).
    if matches!(env.store.backend(), common::store::Backend::Sqlite) {
        let before = env.books();
        let err = env.fails(1, &["print", "cash-journal", "-o", "qianzhang.db"]);
        assert!(err.contains("就是账簿文件"), "{err}");
        assert_eq!(env.books(), before);
    }
    env.fails(2, &["--json", "print", "cash-journal"]);
}

/// [PRN-1] the account ledger and the journals print as book pages with
/// the reports' own figures.
#[test]
fn prn_1_books_print_with_the_reports_figures() {
    let env = closed_january();
    let cash = text(&env.ok(&["print", "cash-journal", "--month", "2025-01"]));
    assert!(cash.starts_with("现金日记账") && cash.contains("科目：1001 库存现金"), "{cash}");
    assert!(cash.contains("本月合计 600.00 1,100.00 借 4,500.00"), "{cash}");
    insta::assert_snapshot!("print_cash_journal_2025_01", cash);
    let bank = text(&env.ok(&["print", "bank-journal", "--month", "2025-01"]));
    assert!(bank.starts_with("银行存款日记账") && bank.contains("科目：1002 银行存款"), "{bank}");
    let ledger = text(&env.ok(&["print", "ledger", "5201", "--from", "2025-01", "--to", "2025-01"]));
    assert!(ledger.starts_with("明细账") && ledger.contains("520101 购买打印机"), "{ledger}");
    let report = env.ok(&["report", "ledger", "5201", "--month", "2025-01", "--format", "csv"]);
    assert!(report.contains("2025-01-31,,本月合计,,1810.00,0.00,1810.00"), "{report}");
    assert!(ledger.contains("本月合计 1,810.00 借 1,810.00"), "{ledger}");
    assert!(env.fails(1, &["print", "ledger", "9999"]).contains("[VCH-2]"));
}

/// A month of `n` cash receipts migrated as history into December 2024.
fn long_cash_month(n: usize) -> Env {
    let env = Env::with_office();
    let mut csv = String::from("date,voucher,summary,account,debit,credit\n");
    for i in 1..=n {
        let day = 1 + (i % 28);
        csv.push_str(&format!("2024-12-{day:02},{i},收活动室场地费（第{i}次）,1001,{i}.50,\n"));
        csv.push_str(&format!("2024-12-{day:02},{i},收活动室场地费（第{i}次）,4901,,{i}.50\n"));
    }
    env.write("december.csv", csv);
    env.ok(&["import", "--history", "december.csv"]);
    env
}

/// [PRN-1] a long cash journal goes over pages: 过次页 closes each page that
/// goes on and 承前页 opens the next with the same figures.
#[test]
fn prn_1_a_long_cash_journal_carries_its_totals() {
    let env = long_cash_month(40);
    let html = env.ok(&["print", "cash-journal", "--month", "2024-12"]);
    let text = text(&html);
    let pages: Vec<&str> = text.split("==== 分页 ====").filter(|p| p.contains("现金日记账")).collect();
    assert!(pages.len() >= 2, "{text}");
    let carried = |page: &str, label: &str| -> String {
        page.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("{label}: {page}")).replace(label, "")
    };
    for pair in pages.windows(2) {
        assert_eq!(carried(pair[0], "过次页"), carried(pair[1], "承前页"));
    }
    assert!(!pages[0].contains("承前页") && !pages.last().unwrap().contains("过次页"));
    assert!(pages[1].contains("第 2 页"), "{}", pages[1]);
}

/// [PRN-1] January's vouchers through a real browser: one PDF page a
/// voucher, each page's text with its summary and 大写, ink on the page.
#[test]
fn prn_1_january_vouchers_print_in_chromium_one_to_a_page() {
    if !have_browser() {
        return;
    }
    let env = closed_january();
    let html = env.ok(&["print", "voucher", "--period", "2025-01"]);
    let (info, pages, pdf) = to_pdf(&env, "vouchers", &html);
    assert_eq!(pages.len(), 9, "{info}");
    assert!(info.contains("(A5)"), "{info}");
    for (page, (summary, words)) in pages.iter().zip(JANUARY) {
        let flat = page.replace(char::is_whitespace, "");
        // A summary may wrap in its cell, and the text layer then interleaves
        // it with the next cells: its first characters are on one line.
        let start: String = summary.replace(' ', "").chars().take(8).collect();
        assert!(flat.contains(&start), "{summary} not on the page:\n{page}");
        assert!(flat.contains(words), "{words} not on the page:\n{page}");
        assert!(flat.contains("编制单位：幸福里") && flat.contains("制单：赵敏"), "{page}");
    }
    let inked = ink(&env, &pdf, 1);
    assert!(inked > 0.01, "the first voucher is blank: {inked}");
}

/// [PRN-1] the cash journal through a real browser: page 2 opens with 承前页.
#[test]
fn prn_1_a_long_cash_journal_prints_in_chromium_with_carried_totals() {
    if !have_browser() {
        return;
    }
    let env = long_cash_month(40);
    let html = env.ok(&["print", "cash-journal", "--month", "2024-12"]);
    let (info, pages, pdf) = to_pdf(&env, "cash", &html);
    assert!(pages.len() >= 2, "{info}");
    assert!(info.contains("(A4)"), "{info}");
    assert!(pages[0].contains("过次页") && !pages[0].contains("承前页"), "{}", pages[0]);
    assert!(pages[1].contains("承前页"), "{}", pages[1]);
    assert!(ink(&env, &pdf, 2) > 0.01, "page 2 is blank");
}

/// [PRN-1] a voucher of more lines than the form holds continues on a
/// second printed page marked 续页, its total on that page only.
#[test]
fn prn_1_a_long_voucher_prints_on_two_pages_with_the_total_on_the_second() {
    let env = january();
    let mut args = vec!["voucher", "add", "--date", "2025-01-21", "--summary", "购买活动室用品"];
    for _ in 0..7 {
        args.extend(["--debit", "520101=10"]);
    }
    args.extend(["--credit", "1002=70", "--authorization", "街道批复〔2025〕1号", "--doc-type", "发票"]);
    args.extend(["--issuer", "幸福文具店", "--doc-no", "FP0121", "--doc-amount", "70", "--handler", "刘洋"]);
    args.extend(["--checker", "赵敏"]);
    let out = env.ok(&args);
    let reference = out.split_whitespace().find(|w| w.starts_with("2025-01/记-")).expect("a reference").to_string();
    let reference = reference.trim_end_matches(|c: char| !c.is_ascii_digit());
    let html = env.ok(&["print", "voucher", reference]);
    assert_eq!(html.matches("<section class=\"sheet\"").count(), 2, "{html}");
    let printed = text(&html);
    let pages: Vec<&str> = printed.split("==== 分页 ====").filter(|p| p.contains("记账凭证")).collect();
    assert!(pages[0].contains("第 1/2 页") && pages[0].contains("（续下页）") && !pages[0].contains("大写"));
    assert!(pages[1].contains("第 2/2 页 续页") && pages[1].contains("人民币（大写）柒拾元整 ¥70.00 ¥70.00"));
    if !have_browser() {
        return;
    }
    let (info, pages, _) = to_pdf(&env, "long", &html);
    assert_eq!(pages.len(), 2, "{info}");
    let flat: Vec<String> = pages.iter().map(|p| p.replace(char::is_whitespace, "")).collect();
    assert!(flat[0].contains("续下页") && !flat[0].contains("柒拾元整"), "{}", pages[0]);
    assert!(flat[1].contains("续页") && flat[1].contains("柒拾元整"), "{}", pages[1]);
}
