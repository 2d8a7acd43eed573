//! Typing and correcting vouchers before review: counterparties, funds and
//! several documents on `voucher add` (DOC-1, FND-1).

mod common;

use common::Env;

/// `voucher add` for a ¥300 purchase of office supplies paid from the bank.
fn purchase(env: &Env, extra: &[&str]) -> String {
    let mut args = vec![
        "voucher",
        "add",
        "--date",
        "2025-03-05",
        "--summary",
        "购买办公用品",
        "--debit",
        "520101=300",
        "--credit",
        "1002=300",
        "--authorization",
        "两委决议〔2025〕1号",
    ];
    args.extend_from_slice(extra);
    env.ok(&args)
}

/// [DOC-1] a typed voucher names its counterparty on every line, carries
/// two documents, and the board's 收付对象 column shows the counterparty.
#[test]
fn doc_1_a_typed_voucher_names_its_counterparty_and_documents() {
    let env = Env::with_office();
    let out = purchase(
        &env,
        &[
            "--counterparty",
            "惠民文具店",
            "--doc",
            "类型=发票,号码=044001900111-04418822,金额=200,经办人=张伟,验收人=李娜",
            "--doc",
            "type=发票,no=044001900111-04418823,amount=100,handler=张伟,checker=李娜",
        ],
    );
    assert!(out.contains("已制单 2025-03/记-0001"), "{out}");
    let shown = env.ok(&["voucher", "show", "2025-03/记-0001"]);
    assert!(shown.contains("收付对象") && shown.matches("惠民文具店").count() >= 2, "{shown}");
    assert!(shown.contains("044001900111-04418823") && shown.contains("验收人 李娜"), "{shown}");
    env.sign_and_post(&["2025-03/记-0001"]);
    let board = env.ok(&["disclose", "--month", "2025-03"]);
    assert!(board.contains("惠民文具店"), "{board}");
}

/// [FND-1] a line names its own fund and counterparty (`@对象#资金`); an
/// undeclared fund is refused as before.
#[test]
fn fnd_1_a_line_names_its_fund_and_counterparty() {
    let env = Env::with_office();
    let err = env.refused(
        "FND-1",
        &[
            "voucher",
            "add",
            "--date",
            "2025-03-05",
            "--summary",
            "慰问",
            "--debit",
            "520101=300@张三#不存在的资金",
            "--credit",
            "1002=300",
            "--doc",
            "类型=发放表,号码=1,金额=300,经办人=张伟",
        ],
    );
    assert!(err.contains("不存在的资金"), "{err}");
    let out = purchase(
        &env,
        &["--debit", "520101=0.5@李四", "--credit", "1002=0.5", "--doc", "类型=收据,号码=9,经办人=张伟"],
    );
    assert!(out.contains("已制单"), "{out}");
    let shown = env.ok(&["voucher", "show", "2025-03/记-0001"]);
    assert!(shown.contains("李四"), "{shown}");
}
