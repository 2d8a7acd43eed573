//! 财务公开 in-process: the officers' preview, the review and publishing,
//! and the residents' public board, which needs no sign-in and shows
//! published months only (PUB-1, PUB-2, AUD-3).

mod common;
mod month_end;

use axum::http::{header, StatusCode};
use common::*;
use month_end::ready_to_close;

fn board(rest: &str) -> String {
    format!("/board/{}{rest}", urlencode(LEDGER))
}

#[tokio::test]
async fn pub_1_the_preview_of_a_month_not_closed_is_a_draft() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/disclosure?month=2025-01")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    for want in ["财务公开 · 2025年01月", "草稿", "收支明细", "账簿指纹", "尚未公布", "居务监督委员会审核意见", "公布"]
    {
        assert!(text.contains(want), "{want}: {text}");
    }
    // The poster as it prints: its own inline stylesheet, allowed on that page only.
    let poster = b.get(&at("/disclosure/poster?month=2025-01")).await;
    assert_eq!(poster.status, StatusCode::OK);
    assert!(poster.body.contains("<style>") && poster.body.contains("财务收支公开表"), "{}", poster.body);
    let csp = poster.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(csp.contains("style-src 'unsafe-inline'") && !csp.contains("script-src"), "{csp}");
    let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"), "other pages keep theirs: {csp}");
}

#[tokio::test]
async fn pub_1_the_committee_records_its_review_and_no_one_else_does() {
    let office = Office::new();
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    accountant.get(&at("/disclosure?month=2025-01")).await;
    let before = office.log_len();
    let fields = [("month", "2025-01"), ("opinion", "收支真实，单据齐全"), ("date", "2025-04-10")];
    let page = accountant.post_follow(&at("/disclosure/review"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("OPR-1"), "{}", page.text());
    assert!(page.body.contains("收支真实，单据齐全"), "what was typed stays");
    assert_eq!(office.log_len(), before + 1, "the refusal is logged");

    let mut auditor = office.signed_in(AUDITOR).await;
    auditor.get(&at("/disclosure?month=2025-01")).await;
    let page = auditor.post_follow(&at("/disclosure/review"), &fields).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已记录 陈静 对2025年01月财务公开的审核意见"), "{}", page.text());
    assert!(page.text().contains("收支真实，单据齐全（陈静，2025-04-10）"), "{}", page.text());
}

#[tokio::test]
async fn csrf_missing_on_the_disclosure_forms_is_403_and_nothing_changes() {
    let office = Office::new();
    let mut b = office.signed_in(AUDITOR).await;
    let before = office.log_len();
    for path in ["/disclosure/review", "/disclosure/publish"] {
        let page = b.post_raw(&at(path), &[("month", "2025-01"), ("opinion", "同意"), ("date", "2025-04-10")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(office.log_len(), before);
}

#[tokio::test]
async fn pub_1_nothing_unpublished_is_on_the_board() {
    let office = Office::new();
    let mut resident = office.browser();
    let unpublished = resident.get(&board("/2025-01")).await;
    assert_eq!(unpublished.status, StatusCode::NOT_FOUND);
    let unknown = resident.get(&format!("/board/{}/2025-01", urlencode("没有这个社区"))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unpublished.body, unknown.body, "an unknown ledger and an unpublished month answer alike");
    let list = resident.get(&board("")).await;
    assert_eq!(list.status, StatusCode::NOT_FOUND, "a ledger that published nothing is not listed");
    assert_eq!(list.body, unknown.body);
    for bad in ["/1900-13", "/..", "/2025-01/extra"] {
        assert_eq!(resident.get(&board(bad)).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // A month not published cannot be published before it is closed and reviewed.
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/disclosure?month=2025-01")).await;
    let page = b.post_follow(&at("/disclosure/publish"), &[("month", "2025-01"), ("date", "2025-04-10")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    assert_eq!(resident.get(&board("/2025-01")).await.status, StatusCode::NOT_FOUND);
}

/// Publishing calls `qianzhang_app::board::publish`, which the board's
/// `publish` and `published` wait for (see `board.rs`, TODO(publish)).
#[tokio::test]
async fn pub_1_a_published_month_is_on_the_board_without_sign_in() {
    let office = Office::new();
    ready_to_close(&office, "2025-01");
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    accountant.get(&at("/month")).await;
    let page = accountant.post_follow(&at("/month/close"), &[("month", "2025-01")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let mut auditor = office.signed_in(AUDITOR).await;
    auditor.get(&at("/disclosure?month=2025-01")).await;
    let review = [("month", "2025-01"), ("opinion", "收支真实，单据齐全"), ("date", "2025-04-10")];
    assert_eq!(auditor.post_follow(&at("/disclosure/review"), &review).await.status, StatusCode::OK);

    accountant.get(&at("/disclosure?month=2025-01")).await;
    let page =
        accountant.post_follow(&at("/disclosure/publish"), &[("month", "2025-01"), ("date", "2025-04-10")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已公布2025年01月财务公开"), "{}", page.text());
    // Once per close.
    let again =
        accountant.post_follow(&at("/disclosure/publish"), &[("month", "2025-01"), ("date", "2025-04-10")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("PUB-1"), "{}", again.text());

    let mut resident = office.browser();
    let list = resident.get(&board("")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("2025年01月财务收支公开表"), "{}", list.text());
    let cache = list.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(cache.starts_with("public"), "{cache}");

    let month = resident.get(&board("/2025-01")).await;
    assert_eq!(month.status, StatusCode::OK);
    let span = qianzhang_core::disclosure::Span::Month { period: month_end::period("2025-01") };
    let closed = qianzhang_app::board::disclosure(&office.ledger(), span, NOW.date()).expect("disclosure");
    let fingerprint = closed.fingerprint.clone();
    assert!(month.body.contains(&fingerprint), "the full fingerprint is on the page");
    assert!(month.body.contains(&fingerprint[..16]), "and the poster's short one");
    assert!(month.body.contains("name=\"viewport\""), "readable on a phone");
    assert!(month.text().contains("怎样核对这张公开表") && month.text().contains("verify --fingerprint"));
    let csp = month.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(csp.contains("style-src 'unsafe-inline'"), "{csp}");
    let cache = month.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(cache.starts_with("public") && cache.contains("max-age"), "{cache}");
    assert_eq!(resident.get(&board("/2025-02")).await.status, StatusCode::NOT_FOUND);

    // Reopened after publication: the page (made once and kept) is made
    // again and says the month is being corrected.
    assert_eq!(resident.get(&board("/2025-01")).await.body, month.body, "the kept page is the same");
    let reason =
        [("month", "2025-01"), ("reason", "补记漏记凭证"), ("approver", APPROVER), ("approver_passphrase", PASSPHRASE)];
    let reopened = accountant.post_follow(&at("/month/reopen"), &reason).await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.text());
    let corrected = resident.get(&board("/2025-01")).await;
    assert!(corrected.text().contains("反结账更正"), "{}", corrected.text());
}
