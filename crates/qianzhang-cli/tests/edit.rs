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

/// [VCH-4] `voucher edit` changes what it is given, keeps the rest and the
/// number, and clears the signatures; the store still verifies.
#[test]
fn vch_4_an_edit_changes_the_voucher_and_clears_its_signatures() {
    let env = Env::with_office();
    purchase(&env, &["--doc", "类型=发票,号码=044001900111-04418822,金额=300,经办人=张伟,验收人=李娜"]);
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0001"]);
    let out = env.ok(&[
        "voucher",
        "edit",
        "2025-03/记-0001",
        "--date",
        "2025-03-06",
        "--debit",
        "520101=280",
        "--credit",
        "1002=280",
        "--counterparty",
        "惠民文具店",
    ]);
    assert!(out.contains("已修改 2025-03/记-0001") && out.contains("签字已作废"), "{out}");
    let shown = env.ok(&["voucher", "show", "2025-03/记-0001"]);
    assert!(shown.contains("2025-03-06") && shown.contains("280.00") && shown.contains("惠民文具店"), "{shown}");
    assert!(shown.contains("待审核") && !shown.contains("审核：刘洋"), "signatures cleared: {shown}");
    // Edited again with no signature on it: none is said to lapse.
    let again = env.ok(&["voucher", "edit", "2025-03/记-0001", "--summary", "购买办公用品（更正）"]);
    assert!(again.contains("已修改 2025-03/记-0001（待审核）") && !again.contains("签字已作废"), "{again}");
    env.ok(&["voucher", "edit", "2025-03/记-0001", "--summary", "购买办公用品"]);
    assert!(
        shown.contains("044001900111-04418822") && shown.contains("购买办公用品"),
        "documents and summary kept: {shown}"
    );
    let err = env.refused("VCH-3", &["voucher", "edit", "2025-03/记-0001", "--date", "2025-02-27"]);
    assert!(err.contains("作废本凭证后重新制单"), "{err}");
    env.refused("VCH-1", &["voucher", "edit", "2025-03/记-0001", "--debit", "520101=280", "--credit", "1002=270"]);
    env.ok(&["verify"]);
    env.sign_and_post(&["2025-03/记-0001"]);
    let posted = env.ok(&["voucher", "show", "2025-03/记-0001"]);
    assert!(posted.contains("已记账"), "{posted}");
}

/// [VCH-5] a posted voucher is corrected by red reversal, never edited; a
/// voided one is not edited either; only the accountant edits.
#[test]
fn vch_5_a_posted_voucher_is_not_edited() {
    let env = Env::with_office();
    purchase(&env, &["--doc", "类型=发票,号码=044001900111-04418822,金额=300,经办人=张伟,验收人=李娜"]);
    env.refused("SEP-5", &["--as", "王芳", "voucher", "edit", "2025-03/记-0001", "--summary", "改"]);
    env.sign_and_post(&["2025-03/记-0001"]);
    let err = env.refused("VCH-5", &["voucher", "edit", "2025-03/记-0001", "--summary", "改"]);
    assert!(err.contains("已经记账，不能修改") && err.contains("红字冲销"), "{err}");
    purchase(&env, &["--doc", "类型=收据,号码=7,经办人=张伟"]);
    env.ok(&["voucher", "void", "2025-03/记-0002", "--reason", "重复录入"]);
    env.refused("VCH-4", &["voucher", "edit", "2025-03/记-0002", "--summary", "改"]);
}

/// [VCH-3] `voucher copy` prepares a new voucher with a new number from an
/// old one's lines; its documents are not copied (DOC-2), and the output
/// says so.
#[test]
fn vch_3_a_copy_is_a_new_voucher_without_documents() {
    let env = Env::with_office();
    purchase(
        &env,
        &[
            "--counterparty",
            "惠民文具店",
            "--doc",
            "类型=发票,号码=044001900111-04418822,金额=300,经办人=张伟,验收人=李娜",
        ],
    );
    env.sign_and_post(&["2025-03/记-0001"]);
    let out = env.ok(&["voucher", "copy", "2025-03/记-0001", "--date", "2025-03-20"]);
    assert!(out.contains("已制单 2025-03/记-0002") && out.contains("原始凭证未复制") && out.contains("DOC-2"), "{out}");
    let shown = env.ok(&["voucher", "show", "2025-03/记-0002"]);
    assert!(shown.contains("2025-03-20") && shown.contains("惠民文具店") && shown.contains("300.00"), "{shown}");
    assert!(!shown.contains("附单据"), "{shown}");
    let err = env.refused("DOC-1", &["--as", "刘洋", "voucher", "review", "2025-03/记-0002"]);
    assert!(err.contains("没有附原始凭证"), "{err}");
    env.ok(&[
        "voucher",
        "attach",
        "2025-03/记-0002",
        "--doc-type",
        "发票",
        "--doc-no",
        "044001900111-04418830",
        "--doc-amount",
        "300",
        "--handler",
        "张伟",
        "--checker",
        "李娜",
    ]);
    env.sign_and_post(&["2025-03/记-0002"]);
}

/// [VCH-1] a template keeps a voucher's lines under a name; using it
/// prepares a new voucher, with a new amount, and no documents (DOC-1); the
/// template is ledger data the store verifies.
#[test]
fn vch_1_a_template_prepares_the_monthly_bill() {
    let env = Env::with_office();
    purchase(
        &env,
        &[
            "--counterparty",
            "自来水公司",
            "--doc",
            "类型=发票,号码=044001900111-04418822,金额=300,经办人=张伟,验收人=李娜",
        ],
    );
    let out = env.ok(&["voucher", "template", "save", "水费", "--from", "2025-03/记-0001"]);
    assert!(out.contains("凭证模板“水费”"), "{out}");
    let out = env.ok(&["voucher", "template", "use", "水费", "--date", "2025-03-25", "--amount", "312.40"]);
    assert!(out.contains("已制单 2025-03/记-0002") && out.contains("voucher attach"), "{out}");
    let shown = env.ok(&["voucher", "show", "2025-03/记-0002"]);
    assert!(shown.contains("312.40") && shown.contains("自来水公司") && !shown.contains("附单据"), "{shown}");
    env.refused("VCH-1", &["voucher", "template", "use", "电费", "--date", "2025-03-25"]);
    env.ok(&["verify"]);
    let log = env.ok(&["log"]);
    assert!(log.contains("保存凭证模板“水费”"), "{log}");
}

/// [DOC-1] an item a document does not have (单位=, 备注=) is refused by
/// name, not swallowed into the item before it.
#[test]
fn doc_1_an_unknown_document_item_is_refused_by_name() {
    let env = Env::with_office();
    let before = env.books();
    let err = env.refused(
        "DOC-1",
        &[
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
            "--doc",
            "类型=发票,号码=044001900111-04418822,金额=1,200.00,经办人=张伟,验收人=李娜,备注=abc",
        ],
    );
    assert!(err.contains("“备注”不是单据的项") && err.contains("验收人"), "{err}");
    assert_eq!(env.books(), before);
}
