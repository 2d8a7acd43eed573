//! The officers' pages in-process: sign-in, sessions, CSRF, vouchers.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn signed_out_goes_to_the_sign_in_page() {
    let office = Office::new();
    let mut b = office.browser();
    for path in [at(""), at("/vouchers"), at("/voucher/new")] {
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/signin?next="), "{path} → {}", page.location());
    }
    let page = b.get("/signin").await;
    assert!(page.text().contains("登录"));
}

#[tokio::test]
async fn opr_1_sign_in_with_the_right_passphrase_opens_the_ledger() {
    let office = Office::new();
    let mut b = office.browser();
    let wrong = b.sign_in(ACCOUNTANT, "不对").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("OPR-1"), "{}", wrong.text());
    let right = b.sign_in(ACCOUNTANT, PASSPHRASE).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.location(), at(""));
    let home = b.get(&at("")).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("待办事项"), "{}", home.text());
    assert!(home.text().contains("赵敏"));
}
