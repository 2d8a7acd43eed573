//! The office in a real browser: four officers in four browser sessions
//! keep a voucher from the account picker to posting, a refused attempt
//! shows its rule, and screenshots of the pages are kept and checked.

mod common;
mod month_end;

use common::browser::{have_driver, screenshot, serve, sign_in, text, wait_text, Driver};
use common::*;
use fantoccini::{Client, Locator};
use qianzhang_core::Period;

async fn fill(c: &Client, css: &str, value: &str) {
    let el = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(value).await.expect("type");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.expect("click");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_officers_keep_a_voucher_in_four_browsers() {
    if !have_driver() {
        return;
    }
    let office = Office::new();
    let addr = serve(office.router.clone()).await;
    let base = format!("http://{addr}");
    close_first_quarter(&office, &base);
    let driver = Driver::start().await;

    // The accountant prepares a payment with the account picker.
    let accountant = driver.browser(1280, 900).await;
    sign_in(&accountant, &base, ACCOUNTANT, PASSPHRASE).await;
    wait_text(&accountant, "待办事项").await;
    screenshot(&accountant, "home-accountant").await;
    accountant.goto(&format!("{base}{}", at("/voucher/new"))).await.unwrap();
    fill(&accountant, "input[name=authorization]", "两委决议〔2025〕1号").await;
    fill(&accountant, "tr.line:nth-child(1) input[name=summary]", "购买打印纸").await;
    fill(&accountant, "tr.line:nth-child(1) input[name=account]", "办公").await;
    // The list follows what is typed (it first shows every account on focus).
    let pick = accountant
        .wait()
        .for_element(Locator::Css("tr.line:nth-child(1) .pick-item[data-pick^='520101']"))
        .await
        .expect("the picker offers 520101 for 办公");
    pick.click().await.unwrap();
    let picked = accountant
        .find(Locator::Css("tr.line:nth-child(1) input[name=account]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(picked.starts_with("520101"), "picked: {picked}");
    fill(&accountant, "tr.line:nth-child(1) input[name=debit]", "120").await;
    fill(&accountant, "tr.line:nth-child(2) input[name=account]", "1002").await;
    fill(&accountant, "tr.line:nth-child(2) input[name=credit]", "120").await;
    // A third line added and removed in place.
    click(&accountant, "button[hx-get$='/voucher/line']").await;
    accountant.wait().for_element(Locator::Css("tr.line:nth-child(3)")).await.expect("a new line");
    click(&accountant, "tr.line:nth-child(3) button.remove").await;
    assert_eq!(accountant.find_all(Locator::Css("tr.line")).await.unwrap().len(), 2);
    fill(&accountant, "tr.doc:nth-child(1) input[name=doc_type]", "发票").await;
    fill(&accountant, "tr.doc:nth-child(1) input[name=doc_number]", "FP-20250410").await;
    fill(&accountant, "tr.doc:nth-child(1) input[name=doc_amount]", "120").await;
    fill(&accountant, "tr.doc:nth-child(1) input[name=doc_handler]", ACCOUNTANT).await;
    fill(&accountant, "tr.doc:nth-child(1) input[name=doc_checker]", REVIEWER).await;
    let totals = wait_text(&accountant, "借贷平衡").await;
    assert!(totals.contains("壹佰贰拾元整"), "{totals}");
    screenshot(&accountant, "voucher-form").await;
    click(&accountant, "form#voucher-form button.primary").await;
    wait_text(&accountant, "待审核").await;
    let voucher = accountant.current_url().await.unwrap().to_string();

    // A scan of the invoice, attached from a file on the accountant's desk.
    let scan = office.dir.path().join("发票扫描.png");
    std::fs::write(&scan, PNG).unwrap();
    accountant
        .find(Locator::Css("input[type=file][name=scan]"))
        .await
        .unwrap()
        .send_keys(&scan.display().to_string())
        .await
        .unwrap();
    click(&accountant, "form[enctype='multipart/form-data'] button").await;
    let shown = wait_text(&accountant, "已上传扫描件").await;
    assert!(shown.contains("发票扫描.png"), "{shown}");

    // The accountant holds no reviewer's post: no signature is offered.
    let sign = accountant.find(Locator::Css("section.actions form button.primary")).await;
    assert!(sign.is_err(), "the accountant is offered a signature");

    // Reviewer, approver and cashier each sign in their own browser.
    for (who, step, after) in
        [(REVIEWER, "审核签字", "待审批"), (APPROVER, "审批签字", "待出纳确认"), (CASHIER, "出纳确认", "待记账")]
    {
        let c = driver.browser(1280, 900).await;
        sign_in(&c, &base, who, PASSPHRASE).await;
        let home = text(&c).await;
        assert!(home.contains("2025-04/记-0001"), "{who}'s home lists the voucher: {home}");
        c.goto(&voucher).await.unwrap();
        let button = c.find(Locator::Css("section.actions form button.primary")).await.unwrap();
        assert_eq!(button.text().await.unwrap(), step);
        button.click().await.unwrap();
        wait_text(&c, after).await;
        c.close().await.unwrap();
    }

    accountant.goto(&voucher).await.unwrap();
    click(&accountant, "section.actions form button.primary").await;
    wait_text(&accountant, "已记账").await;
    screenshot(&accountant, "voucher-posted").await;

    // May: April's month end.
    office.set_now(time::macros::datetime!(2025-05-06 10:00:00 +08:00));
    let april = Period::new(2025, 4).unwrap();
    let (cash, bank) = balances(&office, april);

    // The cashier counts April's last business day and brings the bank's statement.
    let cashier = driver.browser(1280, 900).await;
    sign_in(&cashier, &base, CASHIER, PASSPHRASE).await;
    cashier.goto(&format!("{base}{}", at("/month?month=2025-04"))).await.unwrap();
    // Browsers take a date box's value in their own order; set it as a date.
    cashier
        .execute("document.querySelector('#count-form input[name=date]').value = '2025-04-30'", vec![])
        .await
        .unwrap();
    fill(&cashier, "#count-form input[name=amount]", &cash.to_decimal_string()).await;
    click(&cashier, "#count-form button.primary").await;
    let counted = wait_text(&cashier, "已记录").await;
    assert!(counted.contains("盘点"), "{counted}");
    let statement = office.dir.path().join("对账单-2025-04.csv");
    std::fs::write(
        &statement,
        format!(
            "交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额\n20250410,C250410001,购买打印纸,文具店,,120.00,{}\n",
            bank.to_decimal_string()
        ),
    )
    .unwrap();
    cashier
        .find(Locator::Css("input[type=file][name=file]"))
        .await
        .unwrap()
        .send_keys(&statement.display().to_string())
        .await
        .unwrap();
    // The statement runs to the month's end.
    cashier.execute("document.querySelector('input[name=through]').value = '2025-04-30'", vec![]).await.unwrap();
    click(&cashier, "form[action*='/month/bank/import'] button.primary").await;
    wait_text(&cashier, "已导入").await;
    // Matched by hand: the statement line to the voucher.
    click(&cashier, "form[action*='/month/bank/match'] button").await;
    wait_text(&cashier, "取消匹配").await;
    screenshot(&cashier, "month-end").await;
    cashier.close().await.unwrap();

    // The accountant closes April.
    accountant.goto(&format!("{base}{}", at("/month?month=2025-04"))).await.unwrap();
    click(&accountant, "form[action*='/month/close'] button.primary").await;
    let closed = wait_text(&accountant, "2025年04月 已结账").await;
    assert!(!closed.contains("未办理"), "{closed}");

    // The committee reviews April's disclosure; the accountant publishes it.
    let auditor = driver.browser(1280, 900).await;
    sign_in(&auditor, &base, AUDITOR, PASSPHRASE).await;
    auditor.goto(&format!("{base}{}", at("/disclosure?month=2025-04"))).await.unwrap();
    fill(&auditor, "input[name=opinion]", "经审核，本月收支真实，单据齐全。").await;
    click(&auditor, "form[action*='/disclosure/review'] button.primary").await;
    wait_text(&auditor, "已记录").await;
    auditor.close().await.unwrap();
    accountant.goto(&format!("{base}{}", at("/disclosure?month=2025-04"))).await.unwrap();
    click(&accountant, "form[action*='/disclosure/publish'] button.primary").await;
    wait_text(&accountant, "已公布").await;
    accountant.close().await.unwrap();

    // A resident's phone opens the page the printed poster's QR code names.
    let target = poster_target(&office, april);
    assert!(target.starts_with(&base), "{target}");
    let phone = driver.browser(390, 844).await;
    phone.goto(&target).await.unwrap();
    let board = wait_text(&phone, "财务收支公开表").await;
    assert!(board.contains("指纹"), "{board}");
    assert!(board.contains("购买打印纸"), "{board}");
    screenshot(&phone, "board-phone").await;
    phone.close().await.unwrap();
}

/// January to March kept to the close (counts, statements, closes), and the
/// board's public address set to this office.
fn close_first_quarter(office: &Office, base: &str) {
    for month in ["2025-01", "2025-02", "2025-03"] {
        month_end::ready_to_close(office, month);
        let claim = qianzhang_app::Claim::new(Some(ACCOUNTANT), NOW, "period close").unwrap();
        let mut accountant = qianzhang_app::session::resume(office.ledger(), claim);
        qianzhang_app::month::close(&mut accountant, month_end::period(month)).expect("closed");
    }
    let claim = qianzhang_app::Claim::new(Some(ADMIN), NOW, "settings set public-url").unwrap();
    let mut admin = qianzhang_app::session::resume(office.ledger(), claim);
    let key = qianzhang_app::office::setting_key("public-url").unwrap();
    qianzhang_app::office::set(&mut admin, key, base).expect("public url");
}

/// The cash book at April's last business day, and the bank's balance the
/// statement ends on.
fn balances(office: &Office, month: Period) -> (qianzhang_core::Money, qianzhang_core::Money) {
    let mut ledger = office.ledger();
    let cash = qianzhang_app::month::count_sheet(&mut ledger, month.last_day()).unwrap().book;
    let bank = qianzhang_app::month::reconciliation(&mut ledger, Some("1002"), month).unwrap().book_balance;
    (cash, bank)
}

/// Where the printed poster's QR code points.
fn poster_target(office: &Office, month: Period) -> String {
    let ledger = office.ledger();
    let published = qianzhang_app::board::published(&ledger).unwrap();
    let on = published.iter().find(|p| p.period == month).expect("published").date;
    let span = qianzhang_core::disclosure::Span::Month { period: month };
    let d = qianzhang_app::board::disclosure(&ledger, span, on).unwrap();
    let url = qianzhang_report::board::poster_url(&d).expect("the poster names its page");
    let html = qianzhang_report::board::poster_html(&d, qianzhang_report::Paper::A3, Some(&url));
    assert!(html.contains("<svg"), "the poster carries the QR code");
    url
}
