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

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_secure_behind_tls() {
    let office = Office::new();
    let mut b = office.browser();
    let page = b.sign_in(ACCOUNTANT, PASSPHRASE).await;
    let cookie = page.set_cookie().expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let id = cookie.split(';').next().unwrap().split('=').nth(1).unwrap();
    assert_eq!(id.len(), 64, "256 bits in hex: {cookie}");

    let tls = Office::with(|c| c.secure_cookies = true);
    let mut b = tls.browser();
    let page = b.sign_in(ACCOUNTANT, PASSPHRASE).await;
    assert!(page.set_cookie().unwrap().contains("Secure"));
}

#[tokio::test]
async fn sign_in_gets_a_new_session_id_and_sign_out_ends_it() {
    let office = Office::new();
    let mut b = office.browser();
    b.get("/signin").await;
    let before = b.cookie.clone().unwrap();
    b.post("/signin", &[("name", ACCOUNTANT), ("passphrase", PASSPHRASE)]).await;
    let after = b.cookie.clone().unwrap();
    assert_ne!(before, after, "the anonymous session's id is not kept");
    assert_eq!(b.get(&at("")).await.status, StatusCode::OK);
    let out = b.post("/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    // The old cookie no longer opens anything.
    b.cookie = Some(after);
    assert_eq!(b.get(&at("")).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let office = Office::with(|c| c.idle = std::time::Duration::from_millis(300));
    let mut b = office.signed_in(ACCOUNTANT).await;
    assert_eq!(b.get(&at("")).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    let page = b.get(&at("")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/signin"));
}

#[tokio::test]
async fn opr_1_repeated_wrong_passphrases_slow_the_sign_in_then_lock_it() {
    let office = Office::new();
    let mut b = office.browser();
    PAUSES.lock().unwrap().clear();
    let mut last = String::new();
    for _ in 0..6 {
        last = b.sign_in(CASHIER, "猜一猜").await.text();
    }
    let pauses = PAUSES.lock().unwrap().clone();
    assert!(pauses.iter().any(|d| !d.is_zero()), "later failures wait: {pauses:?}");
    assert!(last.contains("OPR-1"), "{last}");
    // Every failure is in the log, and no passphrase is.
    let log = qianzhang_app::ledger::log(&office.ledger(), 1000).unwrap();
    let text: String = log.iter().map(|e| format!("{} {} {:?}\n", e.actor, e.event.describe(), e.event)).collect();
    assert!(text.contains("王芳"), "failed sign-ins are logged under the name claimed");
    assert!(!text.contains("猜一猜") && !text.contains(PASSPHRASE), "no passphrase in the log");
}

#[tokio::test]
async fn no_passphrase_in_any_url() {
    let office = Office::new();
    let mut b = office.browser();
    let form = b.get("/signin").await;
    assert!(form.body.contains(r#"method="post""#) && form.body.contains(r#"type="password""#));
    let page = b.sign_in(ACCOUNTANT, PASSPHRASE).await;
    assert!(!page.location().contains(&urlencode(PASSPHRASE)) && !page.location().contains(PASSPHRASE));
}

#[tokio::test]
async fn csrf_missing_or_wrong_is_403_and_changes_nothing() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let before = office.log_len();
    let fields = [
        ("date", "2025-04-10"),
        ("summary", "购买打印纸"),
        ("account", "520101"),
        ("debit", "50"),
        ("credit", ""),
        ("summary", ""),
        ("account", "1001"),
        ("debit", ""),
        ("credit", "50"),
        ("doc_type", "发票"),
        ("doc_number", "NO-1"),
        ("doc_handler", "赵敏"),
        ("doc_checker", "刘洋"),
    ];
    let none = b.post_raw(&at("/voucher/new"), &fields).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let mut wrong = vec![("csrf", "0000")];
    wrong.extend_from_slice(&fields);
    assert_eq!(b.post_raw(&at("/voucher/new"), &wrong).await.status, StatusCode::FORBIDDEN);
    assert_eq!(office.log_len(), before, "nothing was logged or changed");
    // With the token it goes through.
    let ok = b.post(&at("/voucher/new"), &fields).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
}

#[tokio::test]
async fn another_ledgers_pages_do_not_exist_for_the_officer() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let other = format!("/l/{}/vouchers", urlencode("别的社区"));
    assert_eq!(b.get(&other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&at("/v/2025-03/9999")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&at("/v/不是期间/1")).await.status, StatusCode::NOT_FOUND);
}

/// A small cash payment, typed into the form as the accountant would.
pub fn payment(summary: &str, amount: &str) -> Vec<(String, String)> {
    [
        ("date", "2025-04-10"),
        ("authorization", "两委决议〔2025〕1号"),
        ("summary", summary),
        ("account", "520101 管理费用-办公费"),
        ("debit", amount),
        ("credit", ""),
        ("summary", ""),
        ("account", "1001"),
        ("debit", ""),
        ("credit", amount),
        ("doc_type", "发票"),
        ("doc_number", "FP-0410"),
        ("doc_amount", amount),
        ("doc_handler", "赵敏"),
        ("doc_checker", "刘洋"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn a_summary_with_a_script_tag_is_shown_escaped() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let made = b.post(&at("/voucher/new"), &pairs(&payment("<script>alert(1)</script>买纸", "20"))).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let page = b.get(made.location()).await;
    assert!(!page.body.contains("<script>alert(1)"), "raw script on the page");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;买纸"));
    let list = b.get(&at("/vouchers?month=2025-04")).await;
    assert!(!list.body.contains("<script>alert(1)"));
}

#[tokio::test]
async fn vch_1_an_unbalanced_voucher_is_refused_beside_the_form_with_what_was_typed() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let before = office.log_len();
    let mut typed = payment("买墨盒", "80");
    typed[9].1 = "70".into();
    let page = b.post(&at("/voucher/new"), &pairs(&typed)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("VCH-1"), "{}", page.text());
    assert!(page.body.contains(r#"value="买墨盒""#), "what was typed is kept");
    assert!(page.body.contains(r#"value="70""#));
    // Only the refusal is logged.
    assert_eq!(office.log_len(), before + 1);
}

#[tokio::test]
async fn sep_a_voucher_goes_from_preparer_to_reviewer_cashier_and_back_to_be_posted() {
    let office = Office::new();
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    accountant.get(&at("/voucher/new")).await;
    let made = accountant.post(&at("/voucher/new"), &pairs(&payment("购买打印纸", "120"))).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let voucher = made.location().to_string();
    let shown = accountant.get(&voucher).await;
    assert!(shown.text().contains("待审核"), "{}", shown.text());
    assert!(shown.text().contains("壹佰贰拾元整"), "大写 on the page");

    // The preparer may not review their own voucher (SEP-5).
    let own = accountant.post_follow(&format!("{voucher}/do/review"), &[]).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().contains("SEP-"), "{}", own.text());

    let mut reviewer = office.signed_in(REVIEWER).await;
    reviewer.get(&voucher).await;
    let page = reviewer.post_follow(&format!("{voucher}/do/review"), &[]).await;
    assert!(page.text().contains("待审批"), "{}", page.text());

    // 一支笔: the approver signs every expense.
    let mut approver = office.signed_in(APPROVER).await;
    approver.get(&voucher).await;
    let page = approver.post_follow(&format!("{voucher}/do/approve"), &[]).await;
    assert!(page.text().contains("待出纳确认"), "{}", page.text());

    let mut cashier = office.signed_in(CASHIER).await;
    cashier.get(&voucher).await;
    let page = cashier.post_follow(&format!("{voucher}/do/confirm"), &[]).await;
    assert!(page.text().contains("待记账"), "{}", page.text());
    // A cashier's session cannot post.
    let before = office.log_len();
    let refused = cashier.post_follow(&format!("{voucher}/do/post"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("OPR-1") || refused.text().contains("SEP-"), "{}", refused.text());
    assert_eq!(office.log_len(), before + 1, "only the refusal is logged");

    let page = accountant.post_follow(&format!("{voucher}/do/post"), &[]).await;
    assert!(page.text().contains("已记账"), "{}", page.text());
}

#[tokio::test]
async fn the_account_picker_finds_accounts_by_code_and_name() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let by_code = b.get(&at("/accounts/pick?account=520")).await;
    assert!(by_code.text().contains("办公费"), "{}", by_code.text());
    let by_name = b.get(&at(&format!("/accounts/pick?account={}", urlencode("现金")))).await;
    assert!(by_name.text().contains("1001"), "{}", by_name.text());
}

#[tokio::test]
async fn the_running_totals_show_the_difference_or_the_amount_in_words() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let even = b.post(&at("/voucher/totals"), &pairs(&payment("买纸", "1005.50"))).await;
    assert!(even.text().contains("借贷平衡") && even.text().contains("壹仟零伍元伍角"), "{}", even.text());
    let mut odd = payment("买纸", "100");
    odd[9].1 = "90".into();
    let uneven = b.post(&at("/voucher/totals"), &pairs(&odd)).await;
    assert!(uneven.text().contains("差额 ¥10.00"), "{}", uneven.text());
}

#[tokio::test]
async fn doc_1_a_scan_is_uploaded_listed_and_served_to_the_ledgers_officers_only() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let made = b.post(&at("/voucher/new"), &pairs(&payment("购买打印纸", "30"))).await;
    let voucher = made.location().to_string();
    b.get(&voucher).await;
    let page = b.upload(&format!("{voucher}/scan"), "scan", "发票.png", "image/png", PNG).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已上传扫描件") && page.text().contains("发票.png"), "{}", page.text());
    let sha = page.body.split("/scan/").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    assert_eq!(sha.len(), 64);
    let served = b.get(&at(&format!("/scan/{sha}"))).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.bytes, PNG, "the same bytes back");
    assert_eq!(served.headers["content-type"], "image/png");
    // Not to someone signed out, and no made-up hash.
    assert_eq!(office.browser().get(&at(&format!("/scan/{sha}"))).await.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get(&at(&format!("/scan/{}", "0".repeat(64)))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn doc_1_lim_1_a_mislabelled_or_oversize_upload_is_refused_and_changes_nothing() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let made = b.post(&at("/voucher/new"), &pairs(&payment("购买打印纸", "30"))).await;
    let voucher = made.location().to_string();
    b.get(&voucher).await;
    let before = office.log_len();

    let mislabelled = b.upload(&format!("{voucher}/scan"), "scan", "发票.pdf", "application/pdf", PNG).await;
    assert_eq!(mislabelled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mislabelled.text().contains("DOC-1"), "{}", mislabelled.text());

    let script =
        b.upload(&format!("{voucher}/scan"), "scan", "x.html", "text/html", b"<script>alert(1)</script>").await;
    assert_eq!(script.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(script.text().contains("DOC-1"), "{}", script.text());

    let mut big = PNG.to_vec();
    big.resize(11 * 1024 * 1024, 0);
    let oversize = b.upload(&format!("{voucher}/scan"), "scan", "大.png", "image/png", &big).await;
    assert_eq!(oversize.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(oversize.text().contains("LIM-1"), "{}", oversize.text());

    let mut huge = PNG.to_vec();
    huge.resize(13 * 1024 * 1024, 0);
    let refused = b.upload(&format!("{voucher}/scan"), "scan", "更大.png", "image/png", &huge).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);

    assert!(office.log_len() <= before + 4, "only refusals are logged");
    let scans =
        qianzhang_app::voucher::scans(&office.ledger(), qianzhang_core::VoucherRef::parse("2025-04/记-0001").unwrap())
            .unwrap();
    assert!(scans.is_empty(), "no scan was kept");
}

#[tokio::test]
async fn a_write_that_meets_a_busy_store_says_so_and_keeps_what_was_typed() {
    let office = Office::with(|c| c.busy_wait = std::time::Duration::from_millis(200));
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    // Another program holds the store's write lock.
    let other = office.other_client();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let before_typed = payment("购买订书钉", "15");
    let page = b.post(&at("/voucher/new"), &pairs(&before_typed)).await;
    assert!(page.text().contains("系统繁忙，请重试"), "{}", page.text());
    assert!(page.body.contains(r#"value="购买订书钉""#), "what was typed is kept");
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    // Sent again, it goes through.
    let page = b.post(&at("/voucher/new"), &pairs(&before_typed)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
}

#[tokio::test]
async fn opr_1_a_wrong_name_and_a_wrong_passphrase_read_the_same() {
    let office = Office::new();
    let mut b = office.browser();
    let wrong_pass = b.sign_in(REVIEWER, "不是这个").await.text();
    let wrong_name = b.sign_in("没有这个人", "不是这个").await.text();
    assert!(wrong_pass.contains("姓名或口令不正确"), "{wrong_pass}");
    assert!(wrong_name.contains("姓名或口令不正确"), "{wrong_name}");
    assert!(!wrong_name.contains("没有这个人”不是"), "the page does not say which names exist");
}

#[tokio::test]
async fn a_voucher_form_from_an_earlier_sign_in_comes_back_as_typed() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let stale = b.csrf.clone().unwrap();
    // Signed out in another tab and in again: the form's token is the old one.
    b.post("/signout", &[]).await;
    b.sign_in(ACCOUNTANT, PASSPHRASE).await;
    let before = office.log_len();
    let mut typed = vec![("csrf".to_string(), stale)];
    typed.extend(payment("购买信封", "12"));
    let page = b.post_raw(&at("/voucher/new"), &pairs(&typed)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains(r#"value="购买信封""#), "what was typed comes back");
    assert_eq!(office.log_len(), before, "nothing changed");
    // Sent again from the page it came back on, it is saved.
    let again = b.post(&at("/voucher/new"), &pairs(&payment("购买信封", "12"))).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text());
}

#[tokio::test]
async fn an_act_answers_with_a_redirect_so_reloading_repeats_nothing() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    b.get(&at("/month")).await;
    let before = office.log_len();
    let page = b.post(&at("/month/count"), &[("date", "2025-04-10"), ("amount", "100")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let shown = b.get(page.location()).await;
    assert!(shown.text().contains("已记录 2025-04-10 现金盘点"), "{}", shown.text());
    // Reloading shows the page again, without the notice, and records nothing.
    let reloaded = b.get(page.location()).await;
    assert!(!reloaded.text().contains("已记录 2025-04-10 现金盘点"));
    assert_eq!(office.log_len(), before + 1);
}

#[tokio::test]
async fn vch_1_codes_and_amounts_typed_full_width_are_read() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let mut typed = payment("购买便签", "１２．５０");
    typed[3].1 = "５２０１０１".into();
    let page = b.post(&at("/voucher/new"), &pairs(&typed)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
}

/// 待办 in the web office: each item links to the page where it is done
/// (the voucher, the month end, the admin's pages), and no item tells the
/// officer to run a command — that is the command line's `todo`.
#[tokio::test]
async fn todo_items_link_to_their_pages_and_name_no_command() {
    let office = Office::new();
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    accountant.get(&at("/voucher/new")).await;
    let made = accountant.post(&at("/voucher/new"), &pairs(&payment("购买打印纸", "120"))).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let voucher = made.location().to_string();

    // Who, and the page each of their items must link to.
    let expected = [
        (REVIEWER, voucher.as_str(), "去审核"),
        (ACCOUNTANT, "/month?month=2025-01#bank", "去对账"),
        (ACCOUNTANT, "/month?month=2025-01#close", "去结账"),
        (CASHIER, "/month#count", "去盘点"),
        (ADMIN, "/admin/authorizations", "去录入"),
    ];
    for (name, target, go) in expected {
        let mut b = office.signed_in(name).await;
        let home = b.get(&at("")).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let link = if target.starts_with("/l/") { target.to_string() } else { at(target) };
        let href = format!("href=\"{}\"", link.replace('&', "&amp;"));
        assert!(home.body.contains(&format!("{href}>{go}</a>")), "{name}: no {go} link to {link}: {}", home.body);
        let text = home.text();
        for command in
            ["qianzhang ", "voucher ", "period ", "cash count", "bank import", "bank match", "auth add", " --"]
        {
            assert!(!text.contains(command), "{name}'s 待办 names the command {command:?}: {text}");
        }
        let page = b.get(link.split('#').next().unwrap()).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {link} does not open");
    }
}

#[tokio::test]
async fn sep_5_only_those_who_may_prepare_are_offered_the_new_voucher_form() {
    let office = Office::new();
    let new = at("/voucher/new");
    let link = format!("href=\"{new}\"");
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    for path in ["", "/vouchers", "/reports"] {
        let page = accountant.get(&at(path)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(&link), "the accountant is offered 制单 on {path:?}: {}", page.body);
    }
    for who in [CASHIER, REVIEWER, APPROVER, AUDITOR, ADMIN] {
        let mut b = office.signed_in(who).await;
        for path in ["", "/vouchers", "/reports"] {
            let page = b.get(&at(path)).await;
            assert_eq!(page.status, StatusCode::OK, "{who} {path}");
            assert!(!page.body.contains(&link), "{who} is offered 制单 on {path:?}: {}", page.body);
        }
    }

    // A cashier who types the address is told why at once, with no form
    // to fill in; a submission anyway is still refused and changes nothing.
    let mut cashier = office.signed_in(CASHIER).await;
    let page = cashier.get(&new).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let text = page.text();
    assert!(text.contains("SEP-5") && text.contains("出纳不得制单"), "{text}");
    assert!(!page.body.contains(r#"name="summary""#), "no voucher form: {}", page.body);
    let before = office.log_len();
    let made = cashier.post(&new, &pairs(&payment("买墨盒", "80"))).await;
    assert_eq!(made.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", made.text());
    assert!(made.text().contains("SEP-5"), "{}", made.text());
    assert_eq!(office.log_len(), before + 1, "only the refusal is logged");
}

#[tokio::test]
async fn the_todo_page_keeps_a_month_on_one_line_and_spaces_its_buttons() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let home = b.get(&at("")).await;
    assert_eq!(home.status, StatusCode::OK);
    // The 对象 cell (a month such as 2025-01) is a cell the stylesheet keeps on one line.
    assert!(home.body.contains(r#"<td class="subject"><a href="#), "{}", home.body);
    let css = b.get("/static/office.css").await.body;
    let nowrap = css.lines().find(|l| l.contains("td.subject")).unwrap_or_default();
    assert!(nowrap.contains("white-space: nowrap"), "{nowrap}");
    // The buttons under the list sit apart.
    assert!(home.body.contains(r#"<p class="actions">"#), "{}", home.body);
    let actions = css.lines().find(|l| l.starts_with("p.actions")).unwrap_or_default();
    assert!(actions.contains("gap:"), "{actions}");
}

/// Whether the page has a button reading `label`.
fn has_button(body: &str, label: &str) -> bool {
    body.contains(&format!("\">{label}</button>"))
}

#[tokio::test]
async fn opr_1_a_voucher_page_offers_each_act_only_to_those_it_admits() {
    let office = Office::new();
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    accountant.get(&at("/voucher/new")).await;
    let made = accountant.post(&at("/voucher/new"), &pairs(&payment("购买打印纸", "120"))).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let voucher = made.location().to_string();
    let mut reviewer = office.signed_in(REVIEWER).await;
    reviewer.get(&voucher).await;
    let page = reviewer.post_follow(&format!("{voucher}/do/review"), &[]).await;
    assert!(page.text().contains("待审批"), "{}", page.text());

    // Waiting for the approver: the preparer's forms are the accountant's.
    let page = accountant.get(&voucher).await;
    for label in ["上传", "作废", "复制"] {
        assert!(has_button(&page.body, label), "the accountant is not offered {label}: {}", page.body);
    }
    assert!(!has_button(&page.body, "撤回签字"), "the accountant has signed nothing: {}", page.body);
    assert!(!has_button(&page.body, "审批签字"), "the accountant signs nothing: {}", page.body);
    let mut approver = office.signed_in(APPROVER).await;
    let mut cashier = office.signed_in(CASHIER).await;
    let mut auditor = office.signed_in(AUDITOR).await;
    for (who, b) in
        [(REVIEWER, &mut reviewer), (APPROVER, &mut approver), (CASHIER, &mut cashier), (AUDITOR, &mut auditor)]
    {
        let page = b.get(&voucher).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        for label in ["上传", "作废", "复制"] {
            assert!(!has_button(&page.body, label), "{who} is offered {label}: {}", page.body);
        }
        assert!(!page.body.contains("修改凭证"), "{who} is offered 修改凭证: {}", page.body);
        // Only the reviewer has a signature to withdraw, and only that kind.
        assert_eq!(has_button(&page.body, "撤回签字"), who == REVIEWER, "{who}: {}", page.body);
        if who == REVIEWER {
            assert!(page.body.contains(r#"<option value="review">审核</option>"#), "{}", page.body);
            assert!(!page.body.contains(r#"value="approve""#), "{}", page.body);
        }
        // The approval is offered to the approver alone.
        assert_eq!(has_button(&page.body, "审批签字"), who == APPROVER, "{who}: {}", page.body);
    }

    // Signed through and posted: the red reversal and the copy are the accountant's.
    approver.post_follow(&format!("{voucher}/do/approve"), &[]).await;
    cashier.post_follow(&format!("{voucher}/do/confirm"), &[]).await;
    let page = accountant.get(&voucher).await;
    assert!(has_button(&page.body, "记账"), "the accountant posts: {}", page.body);
    let page = cashier.get(&voucher).await;
    assert!(!has_button(&page.body, "记账"), "the cashier does not post: {}", page.body);
    let page = accountant.post_follow(&format!("{voucher}/do/post"), &[]).await;
    assert!(page.text().contains("已记账"), "{}", page.text());
    for label in ["红字冲销", "复制"] {
        assert!(has_button(&page.body, label), "the accountant is not offered {label}: {}", page.body);
    }
    for (who, b) in [(CASHIER, &mut cashier), (APPROVER, &mut approver), (AUDITOR, &mut auditor)] {
        let page = b.get(&voucher).await;
        for label in ["红字冲销", "复制", "撤回签字"] {
            assert!(!has_button(&page.body, label), "{who} is offered {label} on a posted voucher: {}", page.body);
        }
    }
}

/// [DOC-1, APR-2] a voucher saved without its documents or its
/// authorization says on its page what review and approval will refuse,
/// while it can be put right; a complete one says nothing of the kind.
#[tokio::test]
async fn doc_1_apr_2_the_voucher_page_says_what_the_next_signatures_will_refuse() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/voucher/new")).await;
    let bare: Vec<(String, String)> = payment("购买打印纸", "30")
        .into_iter()
        .filter(|(k, _)| k == "date" || k == "summary" || k == "account" || k == "debit" || k == "credit")
        .collect();
    let made = b.post(&at("/voucher/new"), &pairs(&bare)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let page = b.get(made.location()).await.text();
    assert!(page.contains("审核时将被拒绝") && page.contains("DOC-1"), "{page}");
    assert!(page.contains("审批时将被拒绝") && page.contains("APR-2"), "{page}");
    let whole = b.post(&at("/voucher/new"), &pairs(&payment("购买信封", "12"))).await;
    let page = b.get(whole.location()).await.text();
    assert!(page.contains("待审核") && !page.contains("将被拒绝"), "{page}");
}
