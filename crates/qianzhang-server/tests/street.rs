//! 街道汇总 in-process (FND-3): the street's month over the officer's own
//! ledgers, checked against a typed balance or an uploaded statement, its
//! downloads, who may see which ledger, and one screenshot in a browser.

mod common;

use axum::http::{header, StatusCode};
use common::browser::{have_driver, screenshot, serve, sign_in, wait_text, Driver};
use common::*;
use qianzhang_app::street::{Request, Statement};
use qianzhang_core::{Money, Period};

/// A second community whose name HTML would misread; the administrator
/// holds a post at both, with ¥300 of the street account as its opening.
const SECOND: &str = "和平里<社区>&";

fn march() -> Period {
    Period::new(2025, 3).unwrap()
}

/// Adds the second ledger and returns the two communities' shares at March's end.
fn street_office() -> (Office, Money) {
    let office = Office::new();
    // The books are touched off the test's async thread (PostgreSQL's
    // synchronous client cannot run on it).
    let total = store::off_runtime(|| second_community(&office));
    (office, total)
}

fn second_community(office: &Office) -> Money {
    let claim = qianzhang_app::Claim::new(Some(ADMIN), NOW, "init").unwrap();
    let hash = qianzhang_app::session::hash_new(PASSPHRASE).unwrap();
    let store = qianzhang_db::open(&office.db, std::time::Duration::from_secs(10)).unwrap();
    let created = qianzhang_app::ledger::create(store, SECOND, Period::new(2025, 1).unwrap(), &claim, hash).unwrap();
    let mut s = qianzhang_app::session::sign_in(created.ledger, claim, PASSPHRASE, &mut |_, _, _| {}).unwrap();
    qianzhang_app::opening::set(&mut s, "1002", "300", None).unwrap();
    qianzhang_app::opening::set(&mut s, "3101", "300", None).unwrap();
    drop(s);
    let mut store = qianzhang_db::open(&office.db, std::time::Duration::from_secs(10)).unwrap();
    let req = Request { month: march(), ledgers: &[], account: None, statement: Statement::None };
    let m = qianzhang_app::street::month(&mut store, &req).unwrap();
    assert_eq!(m.rows.len(), 2);
    assert_eq!(m.rows[1].closing, Money::from_fen(30_000));
    m.totals.closing
}

#[tokio::test]
async fn fnd_3_the_street_page_lists_the_officers_ledgers_and_checks_the_balance() {
    let (office, total) = street_office();
    let mut b = office.signed_in(ADMIN).await;
    let before = office.log_len();

    let ok = b.get(&format!("/street?month=2025-03&balance={}", total.to_decimal_string())).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // The menu offers the page to an officer of several ledgers.
    assert!(ok.body.contains("href=\"/street\""), "no menu entry");
    let text = ok.text();
    assert!(text.contains(LEDGER) && text.contains("相符（FND-3）"), "{text}");
    // Every name is escaped where it is shown.
    assert!(ok.body.contains("和平里&lt;社区&gt;&amp;") && !ok.body.contains("和平里<社区>"), "unescaped name");

    // One fen more on the statement: the page says by how much, naming FND-3,
    // and points at the community whose month is not closed.
    let more = total + Money::from_fen(1);
    let bad = b.get(&format!("/street?month=2025-03&balance={}", more.to_decimal_string())).await;
    assert_eq!(bad.status, StatusCode::OK);
    let text = bad.text();
    assert!(text.contains("不符，相差 ¥0.01"), "{text}");
    assert!(text.contains("[FND-3]") && text.contains("对账单比份额合计多"), "{text}");
    assert!(bad.body.contains("verdict bad"));

    // One ledger only, ticked.
    let one = b.get(&format!("/street?month=2025-03&ledger={}", urlencode(SECOND))).await;
    let text = one.text();
    assert!(text.contains("未核对") && text.contains("合计 300.00 0.00 0.00 0.00 300.00"), "{text}");

    // The downloads carry the same rows.
    let xlsx = b.get(&format!("/street?month=2025-03&balance={}&format=xlsx", total.to_decimal_string())).await;
    assert_eq!(xlsx.headers.get(header::CONTENT_TYPE).unwrap(), qianzhang_xlsx_type());
    assert_eq!(&xlsx.bytes[..2], b"PK");
    let csv = b.get("/street?month=2025-03&format=csv").await;
    assert!(csv.body.starts_with('\u{feff}') && csv.body.contains("和平里<社区>&"), "{}", csv.body);
    let print = b.get("/street?month=2025-03&format=print").await;
    assert!(print.body.starts_with("<!DOCTYPE html>") && print.body.contains("和平里&lt;社区&gt;&amp;"));

    // An overdrawn street account's balance, typed below zero, is checked
    // like any other, not refused as a voucher amount would be.
    let overdrawn = b.get("/street?month=2025-03&balance=-5").await;
    assert_eq!(overdrawn.status, StatusCode::OK, "{}", overdrawn.text());
    let text = overdrawn.text();
    assert!(text.contains("-¥5.00") && text.contains("份额合计比对账单多") && !text.contains("VCH-1"), "{text}");

    // A bad month or amount is told beside the form.
    let r = b.get("/street?month=2025-13").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("FND-3") && r.text().contains("月份"), "{}", r.text());
    // A page that only reads says it could not show, not that an act was refused.
    assert!(r.text().contains("未能显示") && !r.text().contains("账簿未作任何改动"), "{}", r.text());
    // A format it does not make is refused, not answered with the page.
    let r = b.get("/street?month=2025-03&format=pdf").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不认识的格式“pdf”") && !r.text().contains("未办理"), "{}", r.text());
    let r = b.get("/street?month=2025-03&balance=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("FND-3") && r.text().contains("街道账户月末余额"), "{}", r.text());

    assert_eq!(office.log_len(), before, "reading writes nothing to the log");
}

/// The page's download links (xlsx, csv, print), as a browser follows them.
fn download_links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with("/street?") && href.contains("format="))
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

fn qianzhang_xlsx_type() -> &'static str {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

#[tokio::test]
async fn fnd_3_an_uploaded_statement_of_the_street_account_is_checked() {
    let (office, total) = street_office();
    let mut b = office.signed_in(ADMIN).await;
    b.get("/street").await;
    let opening = total - Money::from_fen(100);
    let statement = format!(
        "交易日期,收入金额,支出金额,余额\n20250320,1.00,,{}\n20250402,5.00,,{}\n",
        total.to_decimal_string(),
        (total + Money::from_fen(500)).to_decimal_string()
    );
    let _ = opening;
    let page = b.upload("/street", "file", "街道账户.csv", "text/csv", statement.as_bytes()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text().contains("对账单 街道账户.csv（2025-03 月内最后一笔 2025-03-20）"), "{}", page.text());
    assert!(page.text().contains("相符（FND-3）"), "{}", page.text());

    // The downloads carry the upload's check: the balance the statement
    // gave and where it was read, in the link as a typed balance would be.
    let source = "对账单 街道账户.csv（2025-03 月内最后一笔 2025-03-20）";
    let links = download_links(&page.body);
    assert_eq!(links.len(), 5, "Excel, CSV, Markdown, JSON, print: {links:?}");
    for link in &links {
        assert!(link.contains(&format!("balance={}", total.to_decimal_string())), "{link}");
    }
    let print = b.get(links.iter().find(|l| l.contains("format=print")).unwrap()).await;
    assert_eq!(print.status, StatusCode::OK, "{}", print.body);
    assert!(print.body.contains(source) && print.body.contains("相符（FND-3）"), "{}", print.body);
    assert!(!print.body.contains("手工录入") && !print.body.contains("未核对"), "{}", print.body);
    let xlsx = b.get(links.iter().find(|l| l.contains("format=xlsx")).unwrap()).await;
    let sheet = qianzhang_core::xlsx::sheet_as_csv(&xlsx.bytes, None, "下载.xlsx", &|_| true).unwrap();
    let sheet = String::from_utf8(sheet).unwrap();
    assert!(sheet.contains(source) && sheet.contains("相符（FND-3）"), "{sheet}");
    let csv = b.get(links.iter().find(|l| l.contains("format=csv")).unwrap()).await;
    assert!(csv.body.contains("和平里<社区>&"), "{}", csv.body);
    // A typed balance's downloads say it was typed.
    let typed = b.get(&format!("/street?month=2025-03&balance={}", total.to_decimal_string())).await;
    let print = b.get(download_links(&typed.body).iter().find(|l| l.contains("format=print")).unwrap()).await;
    assert!(print.body.contains("手工录入的对账单余额") && !print.body.contains("街道账户.csv"), "{}", print.body);
    // The words carried are checked as typed text (LIM-1).
    let forged = b.get("/street?month=2025-03&balance=1&source=%E5%AF%B9%0A%E8%B4%A6").await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(forged.text().contains("LIM-1"), "{}", forged.text());

    // Not a statement: the statement reader's refusal, beside the form.
    let page = b.upload("/street", "file", "乱.csv", "text/csv", "甲,乙\n1,2\n".as_bytes()).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("BNK-1"), "{}", page.text());

    // Without the session's token nothing is read.
    b.csrf = Some("forged".into());
    let page = b.upload("/street", "file", "街道账户.csv", "text/csv", statement.as_bytes()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn fnd_3_an_officer_sees_only_the_ledgers_they_hold_a_post_in() {
    let (office, _) = street_office();
    let mut b = office.signed_in(ACCOUNTANT).await;
    // No menu entry for one ledger, and another community does not exist for them.
    let home = b.get(&at("")).await;
    assert!(!home.body.contains("href=\"/street\""));
    let other = b.get(&format!("/street?month=2025-03&ledger={}", urlencode(SECOND))).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // Their own ledger alone.
    let own = b.get("/street?month=2025-03").await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text().contains(LEDGER) && !own.body.contains("和平里"), "{}", own.text());
    // Signed out: the sign-in page.
    let mut anon = office.browser();
    let page = anon.get("/street").await;
    assert!(page.status.is_redirection() || page.status == StatusCode::UNAUTHORIZED, "{:?}", page.status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fnd_3_the_street_page_in_a_browser() {
    if !have_driver() {
        return;
    }
    let (office, total) = street_office();
    let addr = serve(office.router.clone()).await;
    let base = format!("http://{addr}");
    let driver = Driver::start().await;
    let c = driver.browser(1280, 800).await;
    sign_in(&c, &base, ADMIN, PASSPHRASE).await;
    wait_text(&c, "选择账套").await;
    let more = total + Money::from_fen(1_234);
    c.goto(&format!("{base}/street?month=2025-03&balance={}", more.to_decimal_string())).await.unwrap();
    let text = wait_text(&c, "街道代管资金月报").await;
    assert!(text.contains("和平里<社区>&") && text.contains("不符，相差 ¥12.34"), "{text}");
    screenshot(&c, "street-month").await;
    c.close().await.unwrap();
}

/// [OPR-1] a person keeping a passphrase per ledger signs in where it
/// matches; the ledgers it does not open log no failed sign-in, so a
/// street officer is never locked out of one community by signing in to
/// another. A passphrase matching nowhere is still logged everywhere.
#[tokio::test]
async fn opr_1_a_passphrase_of_one_ledger_logs_no_failure_in_another() {
    const THIRD: &str = "第三社区";
    const OTHER: &str = "第三社区的另一个口令";
    let (office, _) = street_office();
    store::off_runtime(|| {
        let claim = qianzhang_app::Claim::new(Some(ADMIN), NOW, "init").unwrap();
        let store = qianzhang_db::open(&office.db, std::time::Duration::from_secs(10)).unwrap();
        let hash = qianzhang_app::session::hash_new(OTHER).unwrap();
        qianzhang_app::ledger::create(store, THIRD, Period::new(2025, 1).unwrap(), &claim, hash).unwrap();
    });
    let failures = |name: &str| {
        store::off_runtime(|| {
            let store = qianzhang_db::open(&office.db, std::time::Duration::from_secs(10)).unwrap();
            let ledger = qianzhang_app::Ledger::select(store, Some(name)).unwrap();
            let log = qianzhang_app::ledger::log(&ledger, 1_000_000).unwrap();
            log.iter().filter(|e| e.event.kind() == "sign_in_failed").count()
        })
    };

    for _ in 0..6 {
        let mut b = office.browser();
        assert_eq!(b.sign_in(ADMIN, PASSPHRASE).await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(failures(THIRD), 0, "signing in to the other two is no failure at the third");
    let mut b = office.browser();
    assert_eq!(b.sign_in(ADMIN, OTHER).await.status, StatusCode::SEE_OTHER, "and the third still opens");
    assert_eq!((failures(LEDGER), failures(SECOND)), (0, 0));

    let mut b = office.browser();
    assert_ne!(b.sign_in(ADMIN, "谁的口令都不是").await.status, StatusCode::SEE_OTHER);
    assert_eq!((failures(LEDGER), failures(SECOND), failures(THIRD)), (1, 1, 1), "a wrong one is logged at each");
}

#[tokio::test]
async fn fnd_3_the_street_page_offers_markdown_and_json_and_leads_to_each_ledger() {
    let (office, _) = street_office();
    let mut b = office.signed_in(ADMIN).await;
    let page = b.get("/street?month=2025-03").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for format in ["xlsx", "csv", "md", "json", "print"] {
        assert!(page.body.contains(&format!("format={format}\"")), "no {format} download: {}", page.body);
    }
    let md = b.get("/street?month=2025-03&format=md").await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/markdown"));
    assert!(md.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().contains(".md"));
    assert!(
        md.body.contains("| 社区（账套） |") && md.body.contains(LEDGER) && md.body.contains("和平里"),
        "{}",
        md.body
    );
    let json = b.get("/street?month=2025-03&format=json").await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("application/json"));
    let v: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{v}");
    assert!(rows.iter().any(|r| r["ledger"] == SECOND), "{v}");

    // Each community's row leads to its own books, for an officer there.
    for l in [LEDGER, SECOND] {
        let home = format!("/l/{}", urlencode(l));
        assert!(page.body.contains(&format!("href=\"{home}\"")), "no link to {l}'s 待办: {}", page.body);
        assert!(page.body.contains(&format!("href=\"{home}/month?month=2025-03\"")), "no link to {l}'s month");
        let opened = b.get(&home).await;
        assert_eq!(opened.status, StatusCode::OK, "{l}");
    }
    // One who holds a post in one ledger sees that one only.
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    let own = accountant.get("/street?month=2025-03").await;
    assert!(own.body.contains(&format!("href=\"{}\"", at(""))), "{}", own.body);
    assert!(!own.body.contains(&format!("href=\"/l/{}\"", urlencode(SECOND))));
}
