//! The month end in-process: the cash count by denomination (CSH-2), the
//! bank statement upload and matching (BNK-1), closing (PER-1), reopening
//! with the approver's second sign-in (PER-2), and the handover (HND-1).

mod common;
mod month_end;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use month_end::{closed, period, ready_to_close};

/// A multipart form post: `fields` as text parts, then the file.
async fn upload(b: &mut Browser, path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Page {
    const BOUNDARY: &str = "----qianzhang-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
    if let Some(c) = &b.cookie {
        req = req.header(header::COOKIE, c);
    }
    let page = b.send(req.body(Body::from(body)).expect("request")).await;
    match page.status {
        StatusCode::SEE_OTHER => {
            let to = page.location().split('#').next().unwrap_or_default().to_string(); // a browser keeps the #section to itself
            b.get(&to).await
        }
        _ => page,
    }
}

/// January's first three bank movements, as the bank prints them.
const STATEMENT: &str = "交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额\n\
20250106,C001,财政拨款,幸福街道办事处,\"30,000.00\",,\"130,000.00\"\n\
20250108,C002,取现,,,\"2,000.00\",\"128,000.00\"\n\
20250116,C003,存入,,\"3,260.00\",,\"131,260.00\"\n";

#[tokio::test]
async fn the_month_page_shows_the_count_the_bank_and_the_close() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/month")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    for want in ["现金盘点", "账面余额", "银行对账", "导入银行对账单", "结账", "2025-01"] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // The count by denomination is the cashier's form.
    let mut cashier = office.signed_in(CASHIER).await;
    let counted = cashier.get(&at("/month")).await.text();
    for want in ["100 元", "1 角", "记录盘点"] {
        assert!(counted.contains(want), "{want}: {counted}");
    }
    for anchor in ["id=\"count\"", "id=\"bank\"", "id=\"close\""] {
        assert!(page.body.contains(anchor), "{anchor}");
    }
    // January is the month to close, and what keeps it open is listed with its rule.
    assert!(text.contains("暂不能结账"), "{text}");
    assert!(text.contains("PER-1") || text.contains("CSH-2") || text.contains("BNK-1"), "{text}");
}

#[tokio::test]
async fn csh_2_the_cashier_counts_by_denomination() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    b.get(&at("/month")).await;
    let before = office.log_len();
    let page = b.post_follow(&at("/month/count"), &[("date", "2025-04-10"), ("n10000", "2"), ("n50", "3")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(text.contains("已记录 2025-04-10 现金盘点：实点 ¥201.50"), "{text}");
    assert_eq!(office.log_len(), before + 1);
    // The running total of the pieces typed.
    let total = b.post_follow(&at("/month/count/total"), &[("n10000", "2"), ("n10", "7")]).await;
    assert!(total.text().contains("¥200.70"), "{}", total.text());
}

#[tokio::test]
async fn csh_2_a_count_of_nothing_or_of_no_number_is_refused_beside_the_form() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    b.get(&at("/month")).await;
    let before = office.log_len();
    let page = b.post_follow(&at("/month/count"), &[("date", "2025-04-10")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("CSH-2"), "{}", page.text());
    let page = b.post_follow(&at("/month/count"), &[("n100", "三张")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("CSH-2"), "{}", page.text());
    assert!(page.body.contains("value=\"三张\""), "what was typed stays");
    let page = b.post_follow(&at("/month/count"), &[("n10000", "1"), ("amount", "50")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("与各券别合计"), "{}", page.text());
    assert_eq!(office.log_len(), before, "nothing written");
}

#[tokio::test]
async fn opr_1_the_accountant_does_not_count_cash() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/month")).await;
    let page = b.post_follow(&at("/month/count"), &[("amount", "100")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("OPR-1") || page.text().contains("SEP-5"), "{}", page.text());
    assert!(page.text().contains("账簿未作任何改动"));
}

#[tokio::test]
async fn csrf_missing_on_the_month_forms_is_403_and_nothing_changes() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    let before = office.log_len();
    for (path, fields) in [
        ("/month/count", vec![("amount", "100")]),
        ("/month/bank/auto", vec![("account", "1002")]),
        ("/month/bank/balance", vec![("account", "1002"), ("date", "2025-01-31"), ("balance", "1")]),
        ("/month/close", vec![("month", "2025-01")]),
        ("/month/reopen", vec![("month", "2025-01"), ("approver", APPROVER), ("approver_passphrase", PASSPHRASE)]),
        ("/handover/complete", vec![("officer", CASHIER)]),
    ] {
        let page = b.post_raw(&at(path), &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let page =
        upload(&mut b, &at("/month/bank/import"), &[("account", "1002")], Some(("s.csv", STATEMENT.as_bytes()))).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(office.log_len(), before);
}

#[tokio::test]
async fn bnk_1_a_statement_is_uploaded_and_matched_by_hand() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    b.get(&at("/month?month=2025-01")).await;
    let token = b.csrf.clone().unwrap_or_default();
    let page = upload(
        &mut b,
        &at("/month/bank/import?month=2025-01"),
        &[("csrf", &token), ("account", "1002")],
        Some(("对账单-2025-01.csv", STATEMENT.as_bytes())),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("新增 3 行"), "{}", page.text());
    // Each unmatched line offers the posted vouchers of the same amount first.
    let r = qianzhang_core::VoucherRef::parse("2025-01-1").expect("voucher");
    assert!(page.body.contains(&format!("<option value=\"{r}\">")), "{}", page.body);
    let lines = qianzhang_app::month::statement_lines(&mut office.ledger(), "1002").expect("lines");
    let first = lines.iter().find(|l| l.line.reference == "C001").expect("line").id.to_string();
    let second = lines.iter().find(|l| l.line.reference == "C002").expect("line").id.to_string();
    let voucher = "2025-01-1";

    // A line matched with a voucher of another amount is refused, with its rule.
    let before = office.log_len();
    let page = b
        .post_follow(
            &at("/month/bank/match?month=2025-01"),
            &[("account", "1002"), ("line", &second), ("voucher", voucher)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("BNK-1") && page.text().contains("金额不符"), "{}", page.text());
    assert_eq!(office.log_len(), before + 1, "the refusal is logged in the cashier's name");

    let page = b
        .post_follow(
            &at("/month/bank/match?month=2025-01"),
            &[("account", "1002"), ("line", &first), ("voucher", voucher)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains(&format!("已将对账单第 {first} 行与")), "{}", page.text());
    assert!(page.text().contains("取消匹配"));
    let matched = qianzhang_app::month::statement_lines(&mut office.ledger(), "1002").expect("lines");
    assert!(matched.iter().any(|l| l.id.to_string() == first && l.matched.is_some()));

    let page = b.post_follow(&at("/month/bank/unmatch?month=2025-01"), &[("account", "1002"), ("line", &first)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已取消对账单第"), "{}", page.text());

    let page = b.post_follow(&at("/month/bank/auto?month=2025-01"), &[("account", "1002")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("自动勾对 3 笔"), "{}", page.text());
    // The reconciliation of the month is shown.
    assert!(page.text().contains("银行存款余额调节表"), "{}", page.text());
}

#[tokio::test]
async fn lim_1_an_oversize_statement_is_refused_and_nothing_is_imported() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    b.get(&at("/month")).await;
    let token = b.csrf.clone().unwrap_or_default();
    let before = office.log_len();
    let big = vec![b'a'; 5 * 1024 * 1024];
    let page = upload(&mut b, &at("/month/bank/import"), &[("csrf", &token)], Some(("big.csv", &big))).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    assert!(page.text().contains("LIM-1"), "{}", page.text());
    let page =
        upload(&mut b, &at("/month/bank/import"), &[("csrf", &token)], Some(("x.csv", b"not,a\nstatement\n"))).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    assert!(page.text().contains("BNK-1") || page.text().contains("CSV-1"), "{}", page.text());
    assert_eq!(office.log_len(), before);
}

#[tokio::test]
async fn per_1_a_close_is_refused_with_every_reason_then_done() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/month")).await;
    let page = b.post_follow(&at("/month/close"), &[("month", "2025-01")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("PER-1") || page.text().contains("BNK-1"), "{}", page.text());
    assert!(closed(&office, "2025-03").is_empty());

    ready_to_close(&office, "2025-01");
    let page = b.get(&at("/month?month=2025-01")).await;
    assert!(page.text().contains("可以结账"), "{}", page.text());
    let page = b.post_follow(&at("/month/close?month=2025-01"), &[("month", "2025-01")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("2025年01月 已结账") || page.text().contains("已结账。"), "{}", page.text());
    assert!(page.text().contains("结账时指纹"), "{}", page.text());
    assert_eq!(closed(&office, "2025-03"), vec![period("2025-01")]);
}

#[tokio::test]
async fn per_2_a_reopen_needs_the_approvers_own_passphrase() {
    let office = Office::new();
    ready_to_close(&office, "2025-01");
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/month")).await;
    let page = b.post_follow(&at("/month/close"), &[("month", "2025-01")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("反结账 2025-01"), "the reopen form: {}", page.text());

    // Without the approver's passphrase: refused before anything is checked.
    let before = office.log_len();
    let reopen = |pass: &'static str| {
        vec![
            ("month", "2025-01"),
            ("reason", "补记一笔漏记的银行手续费"),
            ("approver", APPROVER),
            ("approver_passphrase", pass),
        ]
    };
    let page = b.post_follow(&at("/month/reopen"), &reopen("")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("PER-2"), "{}", page.text());
    assert!(page.body.contains("补记一笔漏记的银行手续费"), "the reason typed stays");
    assert_eq!(office.log_len(), before);

    // A wrong one: a failed sign-in of the approver, told as PER-2.
    let page = b.post_follow(&at("/month/reopen"), &reopen("不对的口令")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("PER-2"), "{}", page.text());
    assert!(!page.body.contains("不对的口令"), "a passphrase is never shown again");
    assert_eq!(closed(&office, "2025-03"), vec![period("2025-01")]);
    assert_eq!(office.log_len(), before + 1, "the failed sign-in is logged");

    // The approver's own: reopened.
    let page = b.post_follow(&at("/month/reopen"), &reopen(PASSPHRASE)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已反结账"), "{}", page.text());
    assert!(page.text().contains(APPROVER));
    assert!(closed(&office, "2025-03").is_empty());
}

#[tokio::test]
async fn hnd_1_the_handover_report_and_its_completion() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/handover")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("移交人") && page.text().contains("监交人"), "{}", page.text());

    // A party missing: refused with the rule.
    let page = b
        .get(&at(&format!(
            "/handover?officer={}&role=cashier&date=2025-04-10&to={}",
            urlencode(CASHIER),
            urlencode(REVIEWER)
        )))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("HND-1"), "{}", page.text());

    let query = format!(
        "officer={}&role=cashier&date=2025-04-10&to={}&supervisor={}",
        urlencode(CASHIER),
        urlencode(REVIEWER),
        urlencode(APPROVER)
    );
    let page = b.get(&at(&format!("/handover?{query}"))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(text.contains("离任交接清册"), "{text}");
    assert!(text.contains("一、科目余额"), "{text}");
    assert!(text.contains("下载 Excel"));
    let xlsx = b.get(&at(&format!("/handover/xlsx?{query}"))).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "an .xlsx is a zip");

    // Recording it is the administrator's: the accountant is refused.
    let fields =
        [("officer", CASHIER), ("role", "cashier"), ("date", "2025-04-10"), ("to", REVIEWER), ("supervisor", APPROVER)];
    let page = b.post_follow(&at("/handover/complete"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    assert!(page.text().contains("OPR-1") || page.text().contains("HND-1"), "{}", page.text());

    // The administrator records it once the day's cash is counted.
    let mut cashier = office.signed_in(CASHIER).await;
    cashier.get(&at("/month")).await;
    let book = qianzhang_app::month::count_sheet(&mut office.ledger(), time::macros::date!(2025 - 04 - 10))
        .expect("sheet")
        .book;
    let page = cashier.post_follow(&at("/month/count"), &[("amount", &book.to_decimal_string())]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let mut admin = office.signed_in(ADMIN).await;
    admin.get(&at(&format!("/handover?{query}"))).await;
    let page = admin.post_follow(&at("/handover/complete"), &fields).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("已记录交接"), "{}", page.text());
}

#[tokio::test]
async fn opr_1_each_month_end_form_refuses_the_wrong_post() {
    let office = Office::new();
    // The reviewer reconciles nothing and the cashier closes no month.
    let mut reviewer = office.signed_in(REVIEWER).await;
    reviewer.get(&at("/month")).await;
    let page = reviewer.post_follow(&at("/month/bank/auto"), &[("account", "1002")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    let page = reviewer.post_follow(&at("/month/bank/unmatch"), &[("account", "1002"), ("line", "1")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    let mut cashier = office.signed_in(CASHIER).await;
    cashier.get(&at("/month")).await;
    let page = cashier.post_follow(&at("/month/close"), &[("month", "2025-01")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("SEP-5") || page.text().contains("OPR-1"), "{}", page.text());
    assert!(closed(&office, "2025-03").is_empty());
}

#[tokio::test]
async fn the_month_end_pages_need_a_sign_in_and_take_odd_input_without_failing() {
    let office = Office::new();
    let mut anonymous = office.browser();
    for path in [at("/month"), at("/handover"), at("/disclosure")] {
        let page = anonymous.get(&path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(page.location().starts_with("/signin"), "{path}");
    }
    let mut b = office.signed_in(ACCOUNTANT).await;
    for path in [
        "/month?month=1900-01",
        "/month?month=9999-12",
        "/month?month=%3Cscript%3Ealert(1)%3C/script%3E",
        "/month?account=9999",
    ] {
        let page = b.get(&at(path)).await;
        assert!(page.status == StatusCode::OK || page.status == StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(!page.body.contains("<script>alert"), "{path}");
    }
    let page = b.get(&at("/handover?officer=%3Cscript%3E&role=nobody&date=2025-13-40")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("HND-1"), "{}", page.text());
    assert!(!page.body.contains("<script>"), "what was typed is escaped");
    let page = b.post_follow(&at("/month/bank/match"), &[("line", "x"), ("voucher", "?")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("BNK-1"), "{}", page.text());
    let page = b.post_follow(&at("/month/close"), &[("month", "13月")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("PER-1"), "{}", page.text());
}

#[tokio::test]
async fn bnk_1_the_cashier_records_a_statement_balance_on_the_bank_page() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    let page = b.get(&at("/month?month=2025-01")).await;
    assert!(page.text().contains("登记对账单余额"), "{}", page.text());
    assert!(qianzhang_app::month::statement_lines(&mut office.ledger(), "1002").expect("lines").is_empty());
    // The account's first statement line: a balance on January 31 must be
    // December's closing bank balance, January's entries being in transit.
    let december = qianzhang_app::month::reconciliation(&mut office.ledger(), Some("1002"), period("2024-12"))
        .expect("reconciliation")
        .book_balance;

    // A balance that disagrees with the books: refused, logged, nothing recorded.
    let before = office.log_len();
    let wrong = (december + qianzhang_core::Money::from_fen(100)).to_decimal_string();
    let page = b
        .post_follow(
            &at("/month/bank/balance?month=2025-01"),
            &[("account", "1002"), ("date", "2025-01-31"), ("balance", &wrong)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    let text = page.text();
    assert!(text.contains("BNK-1") && text.contains(&format!("应为 {}", december.to_yuan())), "{text}");
    assert_eq!(office.log_len(), before + 1, "the refusal is logged in the cashier's name");
    assert!(qianzhang_app::month::statement_lines(&mut office.ledger(), "1002").expect("lines").is_empty());

    let page = b
        .post_follow(
            &at("/month/bank/balance?month=2025-01"),
            &[("account", "1002"), ("date", "2025-01-31"), ("balance", &december.to_decimal_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(text.contains("已登记") && text.contains("余额行"), "{text}");
    assert!(text.contains("调节后余额相符"), "January's entries in transit explain the difference: {text}");
    let lines = qianzhang_app::month::statement_lines(&mut office.ledger(), "1002").expect("lines");
    assert_eq!(lines.len(), 1);
    assert!(lines[0].line.is_balance_only() && lines[0].line.balance == december);
    // The statement table shows the balance line with empty inflow and outflow.
    let row = page.body.split("<td>2025-01-31</td>").nth(1).expect("the balance line's row");
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(row.contains("余额行") && !row.contains("¥0.00"), "{row}");
}

/// The balance form offers the month's end, or today while the month runs
/// (a statement reaches no later); a balance recorded leads back to the
/// bank section, where what was recorded is shown.
#[tokio::test]
async fn bnk_1_the_balance_form_offers_no_day_after_today_and_leads_back_to_the_bank() {
    let office = Office::new();
    let mut b = office.signed_in(CASHIER).await;
    let page = b.get(&at("/month?month=2025-04")).await;
    assert!(page.body.contains(r#"name="date" value="2025-04-10" required"#), "today, not 2025-04-30: {}", page.body);
    let page = b.get(&at("/month?month=2025-01")).await;
    assert!(page.body.contains(r#"name="date" value="2025-01-31" required"#), "{}", page.body);
    let december = qianzhang_app::month::reconciliation(&mut office.ledger(), Some("1002"), period("2024-12"))
        .expect("reconciliation")
        .book_balance;
    let page = b
        .post(
            &at("/month/bank/balance?month=2025-01"),
            &[("account", "1002"), ("date", "2025-01-31"), ("balance", &december.to_decimal_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().ends_with("/month?month=2025-01#bank"), "{}", page.location());
}

#[tokio::test]
async fn per_1_the_month_page_says_where_on_it_a_reason_is_put_right_never_a_command() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    let page = b.get(&at("/month?month=2025-01")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("暂不能结账"), "{}", page.body);
    assert!(page.body.contains("BNK-1"), "{}", page.body);
    assert!(page.body.contains(r##"<a href="#bank">"##), "the reason leads to the bank section: {}", page.body);
    for command in ["bank import", "bank balance", "bank match", "--through", "cash count", "请用 "] {
        assert!(!page.body.contains(command), "the page shows the command line's {command:?}: {}", page.body);
    }
}

/// The refusal box of a page: what is between its opening and its end.
fn refusal_box(body: &str) -> &str {
    let start = body.find(r#"class="refusal""#).unwrap_or_else(|| panic!("no refusal box: {body}"));
    let end = body[start..].find("</div>").map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// What the command line's advice looks like; no refusal box shows it.
const COMMANDS: [&str; 9] =
    ["bank import", "bank balance", "bank match", "cash count", "--through", "--map", "--date", "请用 ", "请出纳用 "];

#[tokio::test]
async fn a_refusal_beside_a_form_names_no_command_and_leads_to_where_it_is_put_right() {
    let office = Office::new();
    let mut b = office.signed_in(ACCOUNTANT).await;
    b.get(&at("/month?month=2025-01")).await;
    let page = b.post_follow(&at("/month/close?month=2025-01"), &[("month", "2025-01")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refusal = refusal_box(&page.body);
    assert!(refusal.contains("BNK-1"), "{refusal}");
    // The month's own bank section, not the command that imports a statement.
    assert!(refusal.contains(r##"<a href="#bank">"##), "{refusal}");
    for command in COMMANDS {
        assert!(!refusal.contains(command), "the refusal shows the command line's {command:?}: {refusal}");
    }

    // A statement whose columns the import does not know: the refusal says
    // which, not which flag names them.
    let mut cashier = office.signed_in(CASHIER).await;
    cashier.get(&at("/month?month=2025-01")).await;
    let token = cashier.csrf.clone().unwrap_or_default();
    let page = upload(
        &mut cashier,
        &at("/month/bank/import?month=2025-01"),
        &[("csrf", &token), ("account", "1002")],
        Some(("对账单.csv", "时间,备注\n2025-01-06,拨款\n".as_bytes())),
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.text());
    let refusal = refusal_box(&page.body);
    assert!(refusal.contains("缺少"), "{refusal}");
    for command in COMMANDS {
        assert!(!refusal.contains(command), "the refusal shows the command line's {command:?}: {refusal}");
    }
}

#[tokio::test]
async fn opr_1_the_month_page_offers_each_form_only_to_those_its_act_admits() {
    let office = Office::new();
    let form = |rest: &str| format!("action=\"{}", at(rest));
    let count = format!("{}\"", form("/month/count"));
    // (who, counts cash, reconciles, closes)
    for (who, counts, reconciles, closes) in [
        (ACCOUNTANT, false, true, true),
        (CASHIER, true, true, false),
        (AUDITOR, false, false, false),
        (REVIEWER, false, false, false),
        (APPROVER, false, false, false),
    ] {
        let mut b = office.signed_in(who).await;
        let page = b.get(&at("/month")).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        let body = &page.body;
        assert_eq!(body.contains(&count), counts, "{who}: 记录盘点: {body}");
        assert_eq!(body.contains("记录盘点"), counts, "{who}: 记录盘点: {body}");
        assert_eq!(body.contains(&form("/month/bank/import")), reconciles, "{who}: 导入: {body}");
        assert_eq!(body.contains(&form("/month/bank/balance")), reconciles, "{who}: 登记余额: {body}");
        assert_eq!(body.contains(&form("/month/close")), closes, "{who}: 结账: {body}");
        // What each section says is everyone's.
        let text = page.text();
        for want in ["现金盘点", "账面余额", "银行对账", "银行存款余额调节表", "暂不能结账"] {
            assert!(text.contains(want), "{who} does not see {want}: {text}");
        }
    }

    // Once a month is closed, reopening is offered to the accountant alone.
    ready_to_close(&office, "2025-01");
    let mut accountant = office.signed_in(ACCOUNTANT).await;
    accountant.get(&at("/month")).await;
    let page = accountant.post_follow(&at("/month/close"), &[("month", "2025-01")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let reopen = form("/month/reopen");
    assert!(page.body.contains(&reopen), "the accountant is offered 反结账: {}", page.body);
    for who in [CASHIER, AUDITOR, APPROVER] {
        let mut b = office.signed_in(who).await;
        let page = b.get(&at("/month?month=2025-01")).await;
        assert!(page.text().contains("已结账"), "{who}: {}", page.text());
        assert!(!page.body.contains(&reopen), "{who} is offered 反结账: {}", page.body);
        assert!(!page.body.contains(">反结账</button>"), "{who} is offered 反结账: {}", page.body);
    }
}
