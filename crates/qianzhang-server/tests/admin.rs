//! The admin's pages in-process: people and appointments, passphrases,
//! kinship explained, the chart, authorizations, receipts, settings.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;

fn registry(office: &Office) -> qianzhang_core::people::Registry {
    qianzhang_app::people::registry(&office.ledger()).expect("registry")
}

#[tokio::test]
async fn every_admin_page_answers_with_its_key_text() {
    let office = Office::new();
    let mut b = office.signed_in(ADMIN).await;
    for (path, keys) in [
        ("/admin", &["管理", "人员与任职", "亲属关系", "会计科目", "审批依据", "收据", "设置"][..]),
        ("/admin/people", &["人员与任职", "赵敏", "会计", "李明", "主任", "登记人员", "任命", "任职记录"][..]),
        ("/admin/kinship", &["亲属关系", "查询两人关系", "登记亲属关系", "SEP-3"][..]),
        ("/admin/accounts", &["会计科目", "520101", "办公费", "增设科目", "导入科目文件"][..]),
        ("/admin/authorizations", &["审批依据", "两委决议〔2025〕1号", "限额", "余额", "居民会议/议事会决议"][..]),
        ("/admin/receipts", &["收据", "收据本 SJ", "登记收据本"][..]),
        ("/admin/settings", &["设置", "库存现金限额", "cash-limit", "节假日与调休上班日", "劳动节"][..]),
        ("/admin/passphrase", &["修改口令", "原口令", "新口令"][..]),
    ] {
        let page = b.get(&at(path)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let text = page.text();
        for key in keys {
            assert!(text.contains(key), "{path} shows {key}: {text}");
        }
    }
    // Another ledger's admin pages do not exist for this person.
    let page = b.get("/l/%E5%88%AB%E5%A4%84/admin/people").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn opr_1_a_person_registered_and_appointed_signs_in_and_first_sets_their_own_passphrase() {
    let office = Office::new();
    let mut admin = office.signed_in(ADMIN).await;
    admin.get(&at("/admin/people")).await;
    let page = admin
        .post(
            &at("/admin/people/register"),
            &[("name", "孙丽"), ("passphrase", "临时口令-2025"), ("passphrase2", "临时口令-2025")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已登记 孙丽"), "{}", page.text());
    assert!(!page.body.contains("临时口令-2025"), "a passphrase is never shown again");
    let page = admin
        .post(&at("/admin/people/appoint"), &[("name", "孙丽"), ("role", "reviewer"), ("from", "2025-04-10")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已任命 孙丽 为审核，自 2025-04-10 起"), "{}", page.text());
    assert!(page.text().contains("已重置，待本人修改"), "{}", page.text());

    // She signs in with the temporary passphrase …
    let mut sun = office.browser();
    let signed = sun.sign_in("孙丽", "临时口令-2025").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    assert_eq!(signed.location(), at("/admin/passphrase"), "she is sent to set her own passphrase first");
    // … and does nothing else until she has set her own.
    sun.get(&at("/admin/kinship")).await;
    let refused = sun.post(&at("/admin/kinship/relate"), &[("a", "孙丽"), ("b", "赵敏"), ("kind", "kin")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("OPR-1") && refused.text().contains("已由管理员重置"), "{}", refused.text());

    let page = sun.get(&at("/admin/passphrase")).await;
    assert!(page.text().contains("管理员设的临时口令"), "{}", page.text());
    let wrong = sun
        .post(
            &at("/admin/passphrase"),
            &[("old", "不对的口令"), ("passphrase", "我自己的口令"), ("passphrase2", "我自己的口令")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("OPR-1"), "{}", wrong.text());
    let differ = sun
        .post(
            &at("/admin/passphrase"),
            &[("old", "临时口令-2025"), ("passphrase", "我自己的口令"), ("passphrase2", "我自己的口令X")],
        )
        .await;
    assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(differ.text().contains("两次输入的口令不一致"), "{}", differ.text());
    let changed = sun
        .post(
            &at("/admin/passphrase"),
            &[("old", "临时口令-2025"), ("passphrase", "我自己的口令"), ("passphrase2", "我自己的口令")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert!(changed.text().contains("口令已修改"), "{}", changed.text());
    assert!(!changed.text().contains("管理员设的临时口令"), "{}", changed.text());
    assert!(!registry(&office).passphrase_reset("孙丽"));

    let mut again = office.browser();
    assert_eq!(again.sign_in("孙丽", "临时口令-2025").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.sign_in("孙丽", "我自己的口令").await.status, StatusCode::SEE_OTHER);

    // Her appointment ends; the table says so.
    admin.get(&at("/admin/people")).await;
    let ended =
        admin.post(&at("/admin/people/end"), &[("name", "孙丽"), ("role", "reviewer"), ("date", "2025-04-11")]).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text());
    assert!(ended.text().contains("孙丽的审核任职自 2025-04-11 起结束"), "{}", ended.text());
}

#[tokio::test]
async fn sep_1_a_refused_appointment_shows_its_rule_and_keeps_what_was_typed() {
    let office = Office::new();
    let mut admin = office.signed_in(ADMIN).await;
    admin.get(&at("/admin/people")).await;
    let before = registry(&office).appointments().len();
    let page = admin
        .post(
            &at("/admin/people/appoint"),
            &[("name", "王芳"), ("role", "accountant"), ("from", "2025-04-10"), ("title", "兼职会计")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("SEP-1"), "{}", page.text());
    assert!(page.body.contains("value=\"兼职会计\""), "what was typed is shown again");
    assert_eq!(registry(&office).appointments().len(), before);
}

#[tokio::test]
async fn opr_1_a_non_admin_reads_the_pages_and_their_attempt_is_refused_with_nothing_changed() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/admin/people")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("只读"), "{}", page.text());
    assert!(!page.body.contains("/admin/people/register"), "no form for a non-admin");
    let before = office.log_len();
    let refused = b
        .post(
            &at("/admin/people/register"),
            &[("name", "孙丽"), ("passphrase", "临时口令-2025"), ("passphrase2", "临时口令-2025")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("OPR-1") && refused.text().contains("没有管理员的任职"), "{}", refused.text());
    assert!(!registry(&office).is_registered("孙丽"), "nothing changed");
    // The refusal is logged in the person's name, as at the command line.
    let log = qianzhang_app::ledger::log(&office.ledger(), 1_000_000).expect("log");
    assert_eq!(log.len(), before + 1);

    let settings = b.post(&at("/admin/settings/set"), &[("key", "cash-limit"), ("value", "9000")]).await;
    assert_eq!(settings.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(settings.text().contains("OPR-1"), "{}", settings.text());
    let kept = qianzhang_app::office::settings(&office.ledger()).expect("settings");
    assert_eq!(kept.cash_limit.to_decimal_string(), "3000.00");
}

#[tokio::test]
async fn a_missing_or_wrong_csrf_token_is_403_and_nothing_changed() {
    let office = Office::new();
    let mut b = office.signed_in(ADMIN).await;
    b.get(&at("/admin")).await;
    let before = office.log_len();
    for (path, fields) in [
        (
            "/admin/people/register",
            vec![("name", "孙丽"), ("passphrase", "临时口令-2025"), ("passphrase2", "临时口令-2025")],
        ),
        ("/admin/settings/set", vec![("key", "cash-limit"), ("value", "9000")]),
        ("/admin/kinship/relate", vec![("a", "王芳"), ("b", "李明"), ("kind", "kin")]),
        ("/admin/accounts/add", vec![("code", "520104"), ("name", "交通费")]),
        ("/admin/receipts/book", vec![("book", "XJ"), ("from", "1"), ("to", "50"), ("holder", "王芳")]),
        (
            "/admin/authorizations/add",
            vec![("kind", "resolution"), ("number", "X"), ("date", "2025-04-10"), ("scope", "x"), ("cap", "1")],
        ),
        (
            "/admin/passphrase",
            vec![("old", PASSPHRASE), ("passphrase", "新的口令12345"), ("passphrase2", "新的口令12345")],
        ),
    ] {
        let page = b.post_raw(&at(path), &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        let mut wrong = vec![("csrf", "0000")];
        wrong.extend(fields.iter().copied());
        assert_eq!(b.post_raw(&at(path), &wrong).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    // The upload too.
    let page = upload(&mut b, "", "科目编码,科目名称\n520104,交通费\n").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(office.log_len(), before, "nothing changed");
}

#[tokio::test]
async fn sep_7_kinship_recorded_and_the_relation_explained() {
    let office = Office::new();
    let mut b = office.signed_in(ADMIN).await;
    b.get(&at("/admin/kinship")).await;
    let page = b.post(&at("/admin/kinship/relate"), &[("a", "刘洋"), ("b", "李明"), ("kind", "sibling")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已登记亲属关系：刘洋 与 李明 是兄弟姐妹"), "{}", page.text());

    // A fact that makes the cashier a leader's close relative is recorded, with the conflict shown.
    let page = b.post(&at("/admin/kinship/relate"), &[("a", "王芳"), ("b", "李明"), ("kind", "child")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(
        page.text().contains("王芳 是 李明 的子女") || page.text().contains("李明 是 王芳 的父母"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("已登记，但与现任职务冲突： SEP-7"), "{}", page.text());

    let q = format!("/admin/kinship?a={}&b={}", urlencode("李明"), urlencode("刘洋"));
    let page = b.get(&at(&q)).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("刘洋是李明的近亲属"), "{text}");
    assert!(text.contains("兄弟姐妹") && text.contains("三代以内旁系血亲"), "{text}");
    assert!(text.contains("李明（主任）") && text.contains("刘洋（审核）"), "posts beside names: {text}");
    assert!(text.contains("现在：李明是审批人，付给刘洋的款项李明须回避") && text.contains("SEP-6"), "{text}");

    let q = format!("/admin/kinship?a={}&b={}", urlencode("李明"), urlencode("王芳"));
    let text = b.get(&at(&q)).await.text();
    assert!(text.contains("王芳是李明的近亲属") && text.contains("直系血亲"), "{text}");
    assert!(text.contains("SEP-7"), "the cashier's signatures are frozen: {text}");

    let q = format!("/admin/kinship?a={}&b={}", urlencode("赵敏"), urlencode("陈静"));
    let text = b.get(&at(&q)).await.text();
    assert!(text.contains("陈静不是赵敏的近亲属"), "{text}");
    let q = format!("/admin/kinship?a={}&b={}", urlencode("赵敏"), urlencode("无名氏"));
    let text = b.get(&at(&q)).await.text();
    assert!(text.contains("PPL-1"), "{text}");
    let q = format!("/admin/kinship?a={}&b={}", urlencode("<script>alert(1)</script>"), urlencode("赵敏"));
    let page = b.get(&at(&q)).await;
    assert!(!page.body.contains("<script>alert"), "what was typed is escaped");
    assert!(page.body.contains("&lt;script&gt;"), "{}", page.text());
}

#[tokio::test]
async fn a_setting_changed_is_shown_and_a_bad_value_refused_with_its_rule() {
    let office = Office::new();
    let mut b = office.signed_in(ADMIN).await;
    b.get(&at("/admin/settings")).await;
    let page = b.post(&at("/admin/settings/set"), &[("key", "cash-limit"), ("value", "5000")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已将库存现金限额设为 5000.00"), "{}", page.text());
    let page = b.get(&at("/admin/settings")).await;
    assert!(page.body.contains("5000.00"), "{}", page.text());

    let bad = b.post(&at("/admin/settings/set"), &[("key", "cash-limit"), ("value", "很多")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("CSH-4"), "{}", bad.text());
    assert!(bad.body.contains("value=\"很多\""), "what was typed is shown again");

    let day = b
        .post(&at("/admin/settings/day"), &[("date", "2025-06-03"), ("kind", "holiday"), ("name", "社区活动日")])
        .await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.text());
    assert!(day.text().contains("2025-06-03") && day.text().contains("社区活动日") && day.text().contains("本账套"));

    let later =
        b.post(&at("/admin/settings/day"), &[("date", "2027-01-04"), ("kind", "holiday"), ("name", "元旦补休")]).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text());
    assert!(later.text().contains("2027 年节假日与调休上班日") && later.text().contains("未内置"), "{}", later.text());
    let year = b.get(&at("/admin/settings?year=2027")).await.text();
    assert!(year.contains("2027-01-04") && year.contains("元旦补休"), "{year}");
}

#[tokio::test]
async fn acc_1_accounts_added_renamed_closed_and_imported() {
    let office = Office::new();
    let mut b = office.signed_in(ADMIN).await;
    b.get(&at("/admin/accounts")).await;
    let page = b.post(&at("/admin/accounts/add"), &[("code", "520104"), ("name", "交通费"), ("kind", "")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已增设科目 520104 交通费（费用）"), "{}", page.text());
    let page = b.post(&at("/admin/accounts/rename"), &[("code", "520104"), ("name", "市内交通费")]).await;
    assert!(page.text().contains("科目 520104 已更名为“市内交通费”"), "{}", page.text());
    let page = b.post(&at("/admin/accounts/close"), &[("code", "520104"), ("date", "2025-04-10")]).await;
    assert!(page.text().contains("科目 520104 自 2025-04-10 起停用"), "{}", page.text());
    let dup = b.post(&at("/admin/accounts/add"), &[("code", "520101"), ("name", "办公费")]).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.text().contains("ACC-1"), "{}", dup.text());

    let token = b.csrf.clone().unwrap_or_default();
    let page = upload(&mut b, &token, "科目编码,科目名称\n520105,差旅费\n520106,印刷费\n").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已增设科目 2 个"), "{}", page.text());
    assert!(page.text().contains("520106 印刷费"), "{}", page.text());
    let token = b.csrf.clone().unwrap_or_default();
    let bad = upload(&mut b, &token, "科目编码,科目名称\n520107,\n9,坏\n").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("ACC-1") && bad.text().contains("第"), "every bad row named: {}", bad.text());
    let chart = qianzhang_app::accounts::chart(&office.ledger()).expect("chart");
    assert!(chart.get("520105").is_some() && chart.get("520107").is_none(), "all or none");

    let before = office.log_len();
    let token = b.csrf.clone().unwrap_or_default();
    let huge = format!("科目编码,科目名称\n{}", "520108,很长的名称\n".repeat(700_000));
    let page = upload(&mut b, &token, &huge).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.text().contains("LIM-1"), "{}", page.text());
    assert_eq!(office.log_len(), before, "nothing changed");
}

#[tokio::test]
async fn apr_2_an_authorization_recorded_with_its_cap_and_fnd_2_a_residents_decision() {
    let office = Office::new();
    let mut b = office.signed_in(ADMIN).await;
    b.get(&at("/admin/authorizations")).await;
    let page = b
        .post(
            &at("/admin/authorizations/add"),
            &[
                ("kind", "resolution"),
                ("number", "两委决议〔2025〕7号"),
                ("date", "2025-04-10"),
                ("scope", "五月文体活动"),
                ("cap", "800"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已登记审批依据 两委决议〔2025〕7号"), "{}", page.text());
    assert!(page.text().contains("800.00"), "{}", page.text());
    let lost = b
        .post(
            &at("/admin/authorizations/add"),
            &[
                ("kind", "residents"),
                ("number", "居民决议〔2025〕1号"),
                ("date", "2025-04-10"),
                ("scope", "楼道维修"),
                ("cap", "3000"),
                ("fund", "楼道维修基金"),
                ("attendance", "40"),
                ("for", "15"),
                ("against", "20"),
            ],
        )
        .await;
    assert_eq!(lost.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(lost.text().contains("FND-2"), "{}", lost.text());
    let passed = b
        .post(
            &at("/admin/authorizations/add"),
            &[
                ("kind", "residents"),
                ("number", "居民决议〔2025〕1号"),
                ("date", "2025-04-10"),
                ("scope", "楼道维修"),
                ("cap", "3000"),
                ("fund", "楼道维修基金"),
                ("attendance", "40"),
                ("for", "35"),
                ("against", "2"),
            ],
        )
        .await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.text());
    assert!(passed.text().contains("到会 40 人，同意 35 票，反对 2 票"), "{}", passed.text());
}

#[tokio::test]
async fn rcp_1_a_book_registered_a_receipt_issued_and_voided_by_the_cashier() {
    let office = Office::new();
    let mut admin = office.signed_in(ADMIN).await;
    admin.get(&at("/admin/receipts")).await;
    let page = admin
        .post(&at("/admin/receipts/book"), &[("book", "XJ"), ("from", "1"), ("to", "50"), ("holder", "王芳")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已登记收据本 XJ"), "{}", page.text());
    // The admin is no cashier.
    let refused =
        admin.post(&at("/admin/receipts/issue"), &[("book", "XJ"), ("payer", "张三"), ("amount", "10")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("OPR-1"), "{}", refused.text());

    let mut cashier = office.signed_in(CASHIER).await;
    let page = cashier.get(&at("/admin/receipts")).await;
    assert!(page.body.contains("/admin/receipts/issue"), "the cashier's forms");
    let page = cashier
        .post(
            &at("/admin/receipts/issue"),
            &[("book", "XJ"), ("payer", "张三"), ("amount", "10"), ("date", "2025-04-10")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已开出收据 XJ0000001"), "{}", page.text());
    let page =
        cashier.post(&at("/admin/receipts/void"), &[("book", "XJ"), ("serial", "1"), ("reason", "写错金额")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已作废收据 XJ0000001") && page.text().contains("作废 1 张"), "{}", page.text());
}

/// Posts a chart file to the import form as a browser does (multipart).
async fn upload(b: &mut Browser, token: &str, csv: &str) -> Page {
    let boundary = "----qianzhang-test-boundary";
    let mut body = String::new();
    if !token.is_empty() {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chart.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let mut req = Request::builder()
        .method("POST")
        .uri(at("/admin/accounts/import"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
    if let Some(c) = &b.cookie {
        req = req.header(header::COOKIE, c);
    }
    b.send(req.body(Body::from(body)).expect("request")).await
}
