//! 账表 in-process: every report as a page, its downloads (Excel, CSV,
//! print-ready), and the printed vouchers and books (PRN-1).

mod common;

use axum::http::{header, StatusCode};
use common::*;

fn header_of(page: &Page, name: header::HeaderName) -> &str {
    page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn the_index_offers_every_report_with_its_form() {
    let office = Office::new();
    let mut b = office.signed_in(AUDITOR).await;
    let page = b.get(&at("/reports")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    for title in [
        "试算平衡表",
        "序时账",
        "明细账",
        "现金日记账",
        "银行存款日记账",
        "专项资金收支表",
        "现金盘点表",
        "银行存款余额调节表",
        "资产负债表",
        "业务活动表",
        "现金流量表",
        "例外事项清单",
        "个人操作记录",
        "期初余额表",
        "会计科目表",
        "凭证列表",
        "记账凭证",
    ] {
        assert!(text.contains(title), "{title} missing from the index");
    }
    for slug in [
        "trial-balance",
        "journal",
        "ledger",
        "cash-journal",
        "bank-journal",
        "funds",
        "cash-count",
        "bank-reconciliation",
        "balance-sheet",
        "activities",
        "cash-flow",
        "exceptions",
        "person",
        "opening",
        "accounts",
        "vouchers",
    ] {
        assert!(page.body.contains(&format!("/reports/{slug}\"")), "no form for {slug}");
    }
    // Pickers: accounts, funds, people.
    assert!(page.body.contains("<datalist id=\"accounts\">"));
    assert!(page.body.contains("value=\"1001\""));
    assert!(page.body.contains("楼道维修基金"));
    assert!(page.body.contains(&format!("value=\"{ACCOUNTANT}\"")));
}

#[tokio::test]
async fn the_trial_balance_of_march_shows_its_balances_and_totals() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    let page = b.get(&at("/reports/trial-balance?month=2025-03")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(text.contains("科目余额表"), "{text}");
    assert!(text.contains("2025-03 至 2025-03"), "{text}");
    assert!(text.contains("合计"), "{text}");
    assert!(text.contains("库存现金"), "{text}");
    assert!(text.contains("期末余额"), "{text}");
    // Amounts right-aligned with thousands separators, the total row bold.
    assert!(page.body.contains("<td class=\"num\">"), "no amount cell");
    assert!(page.body.contains("<tr class=\"total\">"), "no total row");
    // Downloads offered.
    assert!(page.body.contains("format=xlsx"));
    assert!(page.body.contains("format=csv"));
    assert!(page.body.contains("format=print"));
}

/// Every report page answers with its key text.
#[tokio::test]
async fn every_report_page_shows_its_report() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let cases: &[(&str, &[&str])] = &[
        ("/reports/journal?month=2025-03", &["序时账", "凭证号", "合计"]),
        ("/reports/ledger?account=1001&month=2025-03", &["明细账", "1001", "期初余额", "本月合计"]),
        ("/reports/ledger?account=1001+%E5%BA%93%E5%AD%98%E7%8E%B0%E9%87%91&month=2025-03", &["明细账", "本月合计"]),
        ("/reports/cash-journal?month=2025-03", &["现金日记账", "收入", "支出", "本日合计"]),
        ("/reports/bank-journal?month=2025-03", &["银行存款日记账", "余额"]),
        ("/reports/funds?from=2025-01&to=2025-03", &["专项资金收支表", "低保", "楼道维修基金"]),
        ("/reports/funds?month=2025-03&fund=%E4%BD%8E%E4%BF%9D", &["专项资金收支表", "低保"]),
        ("/reports/cash-count?date=2025-03-31", &["现金盘点表", "账面余额", "实点金额"]),
        ("/reports/bank-reconciliation?month=2025-03", &["银行存款余额调节表", "调节后的单位账面余额"]),
        ("/reports/balance-sheet?month=2025-03", &["资产负债表", "会民非01表", "编制单位", "单位：元", "行次"]),
        ("/reports/activities?month=2025-03", &["业务活动表", "会民非02表"]),
        ("/reports/cash-flow?month=2025-03", &["现金流量表", "会民非03表"]),
        ("/reports/exceptions?from=2025-01&to=2025-03", &["例外事项清单", "规则"]),
        ("/reports/person?name=%E8%B5%B5%E6%95%8F&from=2025-01", &["赵敏 的操作记录", "哈希", "共"]),
        ("/reports/opening", &["期初余额表", "期初借方", "合计", "平衡"]),
        ("/reports/accounts", &["会计科目表", "1001", "库存现金"]),
        ("/reports/vouchers?month=2025-03", &["凭证列表", "2025-03/记-0001", "共"]),
    ];
    for (path, wanted) in cases {
        let page = b.get(&at(path)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text());
        let text = page.text();
        for w in *wanted {
            assert!(text.contains(w), "{path} lacks {w}: {text}");
        }
        assert!(!text.contains("未办理"), "{path}: {text}");
    }
}

#[tokio::test]
async fn a_statement_without_a_month_shows_last_month() {
    let office = Office::new();
    let mut b = office.signed_in(APPROVER).await;
    let page = b.get(&at("/reports/balance-sheet")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("2025年3月31日"), "{}", page.text());
    assert!(page.body.contains("value=\"2025-03\""));
}

#[tokio::test]
async fn voucher_numbers_link_to_their_vouchers() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/journal?month=2025-03")).await;
    assert!(page.body.contains(&format!("href=\"{}\"", at("/v/2025-03/1"))), "{}", page.body);
}

#[tokio::test]
async fn the_ledger_and_the_trail_first_ask_what_to_show() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/ledger")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("请填写科目后查看"), "{}", page.text());
    let page = b.get(&at("/reports/person")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("请填写人员姓名后查看"), "{}", page.text());
}

#[tokio::test]
async fn a_bad_month_is_refused_beside_the_form() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/trial-balance?month=2025-13")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    let text = page.text();
    assert!(
        text.contains("未能显示") && !text.contains("未办理"),
        "a report is shown or not, never refused as an act: {text}"
    );
    assert!(text.contains("一年只有 12 个月"), "{text}");
    // The form is still there with what was typed.
    assert!(page.body.contains("value=\"2025-13\""), "{}", page.body);
    let page = b.get(&at("/reports/journal?month=%E4%B8%89%E6%9C%88")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("不是有效的会计期间"), "{}", page.text());
    // A download of a bad month is the same refusal, not a broken file.
    let page = b.get(&at("/reports/journal?month=2025-13&format=xlsx")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("一年只有 12 个月"));
    // A reversed range and an unknown format.
    let page = b.get(&at("/reports/journal?from=2025-03&to=2025-01")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("晚于"), "{}", page.text());
    let page = b.get(&at("/reports/journal?format=pdf")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("不认识的格式"), "{}", page.text());
}

#[tokio::test]
async fn rule_refusals_show_their_rule() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/ledger?account=9999")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("VCH-2"), "{}", page.text());
    let page = b.get(&at("/reports/trial-balance?fund=%E6%B2%A1%E6%9C%89")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("FND-1"), "{}", page.text());
    let page = b.get(&at("/reports/balance-sheet?month=2025-03&fund=%E4%BD%8E%E4%BF%9D")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("FND-1"), "{}", page.text());
}

#[tokio::test]
async fn the_excel_download_is_a_workbook_named_in_chinese() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/trial-balance?month=2025-03&format=xlsx")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(&page.bytes[..2], b"PK", "a zip");
    assert_eq!(
        header_of(&page, header::CONTENT_TYPE),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = header_of(&page, header::CONTENT_DISPOSITION);
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let name = format!("{LEDGER}_试算平衡表_2025-03.xlsx");
    assert!(disposition.contains(&format!("filename*=UTF-8''{}", urlencode(&name))), "{disposition}");
    // Every report downloads.
    for path in [
        "/reports/journal?month=2025-03",
        "/reports/ledger?account=1001&month=2025-03",
        "/reports/cash-journal?month=2025-03",
        "/reports/bank-journal?month=2025-03",
        "/reports/funds",
        "/reports/cash-count?date=2025-03-31",
        "/reports/bank-reconciliation?month=2025-03",
        "/reports/balance-sheet?month=2025-03",
        "/reports/activities?month=2025-03",
        "/reports/cash-flow?month=2025-03",
        "/reports/exceptions",
        "/reports/person?name=%E7%8E%8B%E8%8A%B3",
        "/reports/opening",
        "/reports/accounts",
        "/reports/vouchers?month=2025-02",
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let page = b.get(&at(&format!("{path}{sep}format=xlsx"))).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text());
        assert_eq!(&page.bytes[..2], b"PK", "{path}");
    }
}

#[tokio::test]
async fn the_csv_download_is_the_chinese_csv_with_its_bom() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/journal?month=2025-03&format=csv")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    assert!(header_of(&page, header::CONTENT_TYPE).starts_with("text/csv"));
    assert!(header_of(&page, header::CONTENT_DISPOSITION).contains(".csv"));
    assert!(page.body.contains("日期,凭证号,摘要"), "{}", page.body);
    // A ledger's file is named with its account.
    let page = b.get(&at("/reports/ledger?account=1001&month=2025-03&format=csv")).await;
    assert_eq!(page.status, StatusCode::OK);
    let name = format!("{LEDGER}_明细账_1001_2025-03.csv");
    assert!(header_of(&page, header::CONTENT_DISPOSITION).contains(&urlencode(&name)));
    // A download without its account is refused, not an empty file.
    let page = b.get(&at("/reports/ledger?format=csv")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("VCH-2"), "{}", page.text());
}

#[tokio::test]
async fn the_print_version_is_the_table_without_the_office_around_it() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/trial-balance?month=2025-03&format=print")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<body class=\"print wide\">"), "{}", page.body);
    assert!(page.text().contains("合计"));
    assert!(!page.body.contains("class=\"top"), "no navigation");
    assert!(page.body.contains("/static/office.css"));
    let css = b.get("/static/office.css").await;
    assert!(css.body.contains("size: A4"));
}

#[tokio::test]
async fn prn_1_a_voucher_prints_as_the_voucher_form() {
    let office = Office::new();
    let mut b = office.signed_in(REVIEWER).await;
    let page = b.get(&at("/print/voucher/2025-03/1")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("记账凭证"), "{}", page.text());
    assert!(page.text().contains("大写"), "{}", page.text());
    // Its own inline styles are allowed, script still is not.
    let csp = header_of(&page, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("style-src 'unsafe-inline'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    // The office's pages keep the strict policy.
    let other = b.get(&at("/reports")).await;
    let csp = header_of(&other, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    // A4.
    let a4 = b.get(&at("/print/voucher/2025-03/1?paper=a4")).await;
    assert_eq!(a4.status, StatusCode::OK);
    assert!(a4.body.contains("A4"), "{}", a4.body);
    // A voucher that does not exist is not found.
    assert_eq!(b.get(&at("/print/voucher/2025-03/999")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&at("/print/voucher/2025-13/1")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn prn_1_a_months_vouchers_and_the_books_print() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    let page = b.get(&at("/print/vouchers?month=2025-02")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("记账凭证"));
    assert!(page.text().contains("2025-02"));
    let page = b.get(&at("/print/ledger?account=1001&from=2025-01&to=2025-03")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("明细账"), "{}", page.text());
    assert!(page.text().contains("过次页") || page.text().contains("本月合计"), "{}", page.text());
    let page = b.get(&at("/print/cash-journal?month=2025-03")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("现金日记账"));
    let page = b.get(&at("/print/bank-journal?month=2025-03")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("银行存款日记账"));
    assert!(header_of(&page, header::CONTENT_SECURITY_POLICY).contains("'unsafe-inline'"));
}

#[tokio::test]
async fn prn_1_nothing_to_print_is_refused_with_its_rule() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    let page = b.get(&at("/print/vouchers?month=2025-08")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("PRN-1"), "{}", page.text());
    let page = b.get(&at("/print/vouchers?month=2025-13")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("一年只有 12 个月"), "{}", page.text());
    let page = b.get(&at("/print/ledger?account=9999")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("VCH-2"), "{}", page.text());
    // The refusal is an office page: the strict policy.
    assert!(!header_of(&page, header::CONTENT_SECURITY_POLICY).contains("unsafe-inline"));
}

#[tokio::test]
async fn signed_out_goes_to_the_sign_in_page() {
    let office = Office::new();
    let mut b = office.browser();
    for path in [
        at("/reports"),
        at("/reports/trial-balance?month=2025-03"),
        at("/reports/trial-balance?month=2025-03&format=xlsx"),
        at("/print/voucher/2025-03/1"),
        at("/print/ledger?account=1001"),
    ] {
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/signin?next="), "{path} → {}", page.location());
    }
}

#[tokio::test]
async fn another_ledger_is_not_found() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    for path in [
        "/l/%E5%88%AB%E7%9A%84%E7%A4%BE%E5%8C%BA/reports",
        "/l/%E5%88%AB%E7%9A%84%E7%A4%BE%E5%8C%BA/reports/trial-balance?format=xlsx",
        "/l/%E5%88%AB%E7%9A%84%E7%A4%BE%E5%8C%BA/print/voucher/2025-03/1",
        "/l/%E5%88%AB%E7%9A%84%E7%A4%BE%E5%8C%BA/print/vouchers?month=2025-03",
    ] {
        assert_eq!(b.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // An unknown report is not found either.
    assert_eq!(b.get(&at("/reports/nonsense")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reading_reports_changes_nothing() {
    let office = Office::new();
    let before = office.log_len();
    let mut b = office.signed_in(AUDITOR).await;
    let after_sign_in = office.log_len();
    for path in ["/reports/trial-balance?month=2025-03", "/reports/exceptions", "/print/vouchers?month=2025-03"] {
        assert_eq!(b.get(&at(path)).await.status, StatusCode::OK, "{path}");
    }
    assert_eq!(office.log_len(), after_sign_in);
    assert!(after_sign_in >= before);
}

#[tokio::test]
async fn a_summary_with_markup_is_shown_as_text() {
    // Report cells come from officers' typing: shown escaped on the page
    // and on the print-ready page.
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let hostile = "<script>alert(1)</script>";
    let made = b
        .post(
            &at("/voucher/new"),
            &[
                ("date", "2025-04-10"),
                ("summary", hostile),
                ("account", "520101"),
                ("debit", "10.00"),
                ("credit", ""),
                ("summary", hostile),
                ("account", "1001"),
                ("debit", ""),
                ("credit", "10.00"),
                ("doc_type", "发票"),
                ("doc_number", "1"),
                ("doc_issuer", "文具店"),
                ("doc_amount", "10.00"),
                ("doc_handler", CASHIER),
                ("doc_checker", REVIEWER),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    for path in ["/reports/vouchers?month=2025-04", "/reports/vouchers?month=2025-04&format=print"] {
        let page = b.get(&at(path)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}: {}", page.body);
        assert!(!page.body.contains(hostile), "{path}");
    }
    let page = b.get(&at("/print/vouchers?month=2025-04")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(hostile));
}

#[tokio::test]
async fn bnk_1_the_bank_reconciliation_report_names_no_command_and_links_the_bank_section() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/reports/bank-reconciliation?month=2025-01")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let text = page.text();
    for command in ["bank import", "bank balance", "--through", "--date", "--balance", "请用 "] {
        assert!(!text.contains(command), "the report names {command:?}: {text}");
    }
    assert!(
        page.body.contains(&format!("href=\"{}\"", at("/month#bank"))),
        "no link to the bank section: {}",
        page.body
    );
}
