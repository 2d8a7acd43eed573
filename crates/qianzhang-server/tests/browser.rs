//! The office in a real browser: four officers in four browser sessions
//! keep a voucher from the account picker to posting, a refused attempt
//! shows its rule, and screenshots of the pages are kept and checked.

mod common;

use common::browser::{have_driver, screenshot, serve, sign_in, text, wait_text, Driver};
use common::*;
use fantoccini::{Client, Locator};

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
    fill(&accountant, "tr.line:nth-child(2) input[name=account]", "1001").await;
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

    // The accountant may not review their own voucher: the rule is shown.
    click(&accountant, "section.actions form button.primary").await;
    let refused = wait_text(&accountant, "未办理").await;
    assert!(refused.contains("SEP-5"), "{refused}");

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
    accountant.close().await.unwrap();
}
