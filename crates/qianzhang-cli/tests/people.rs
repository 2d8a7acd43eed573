//! People, appointments and kinship through the CLI: SEP-1..SEP-4 refusals,
//! SEP-7 conflicts, explanations, and verification of the new tables.

mod common;

use common::Env;

/// 主任 李明 (leader), 会计 赵敏 (from `with_ledger`), 审核 刘洋; 李强 is 李明's brother, 王芳 is not yet related.
fn office() -> Env {
    let env = Env::with_ledger();
    for p in ["李明", "李强", "王芳", "刘洋", "孙丽"] {
        env.admin(&["person", "add", p]);
    }
    env.admin(&[
        "person",
        "appoint",
        "李明",
        "--role",
        "approver",
        "--leader",
        "--title",
        "主任",
        "--from",
        "2025-01-01",
    ]);
    env.admin(&["person", "appoint", "刘洋", "--role", "reviewer", "--from", "2025-01-01"]);
    env.admin(&["person", "relate", "李强", "李明", "--kind", "sibling"]);
    env
}

#[test]
fn sep_1_accountant_cannot_also_be_cashier() {
    let env = office();
    let err = env.refused(
        "SEP-1",
        &["--as", "管理员", "person", "appoint", "赵敏", "--role", "cashier", "--from", "2025-02-01"],
    );
    assert!(err.contains("钱账必须分管"), "{err}");
}

#[test]
fn sep_2_a_leader_cannot_keep_money_or_books() {
    let env = office();
    env.refused("SEP-2", &["--as", "管理员", "person", "appoint", "李明", "--role", "cashier", "--from", "2025-02-01"]);
    env.refused(
        "SEP-2",
        &["--as", "管理员", "person", "appoint", "孙丽", "--role", "cashier", "--leader", "--title", "副主任"],
    );
}

#[test]
fn sep_3_the_directors_in_law_cannot_be_cashier() {
    let env = office();
    env.admin(&["person", "relate", "王芳", "李强", "--kind", "spouse"]);
    let err = env.refused(
        "SEP-3",
        &["--as", "管理员", "person", "appoint", "王芳", "--role", "cashier", "--from", "2025-01-01"],
    );
    assert!(err.contains("[SEP-3] 王芳是主任李明的近姻亲（配偶的兄弟姐妹），不能担任出纳"), "{err}");
    env.admin(&["person", "appoint", "孙丽", "--role", "cashier", "--from", "2025-01-01"]);
}

#[test]
fn sep_4_the_cashier_is_no_relative_of_the_accountant() {
    let env = office();
    env.admin(&["person", "relate", "赵敏", "孙丽", "--kind", "parent"]);
    let err = env.refused(
        "SEP-4",
        &["--as", "管理员", "person", "appoint", "孙丽", "--role", "cashier", "--from", "2025-01-01"],
    );
    assert!(err.contains("孙丽是会计赵敏的直系血亲"), "{err}");
}

#[test]
fn sep_7_a_later_fact_is_recorded_and_reported() {
    let env = office();
    env.admin(&["person", "appoint", "王芳", "--role", "cashier", "--from", "2025-01-01"]);
    let out = env.admin(&["person", "relate", "王芳", "李强", "--kind", "spouse"]);
    assert!(
        out.contains("已登记亲属关系") && out.contains("[SEP-7]") && out.contains("出纳王芳的签字一律无效"),
        "{out}"
    );
    let list = env.admin(&["person", "list"]);
    assert!(list.contains("冲突：[SEP-7]"), "{list}");
    env.admin(&["person", "end", "王芳", "--role", "cashier", "--date", "2025-03-31"]);
    let list = env.admin(&["person", "list"]);
    assert!(!list.contains("冲突"), "the conflict ends with the appointment: {list}");
}

#[test]
fn person_relation_explains_the_chain() {
    let env = office();
    env.admin(&["person", "relate", "王芳", "李强", "--kind", "spouse"]);
    assert_eq!(
        env.admin(&["person", "relation", "王芳", "李明"]),
        "王芳 → 配偶 李强 → 兄弟姐妹 李明（主任）：近姻亲\n"
    );
    assert!(env.admin(&["person", "relation", "孙丽", "李明"]).contains("不是"));
    let err = env.fails(1, &["person", "relation", "无名氏", "李明"]);
    assert!(err.contains("[PPL-1]"), "{err}");
}

#[test]
fn ppl_1_people_are_registered_once() {
    let env = office();
    env.refused("PPL-1", &["--as", "管理员", "person", "add", "李明"]);
    env.refused("PPL-1", &["--as", "管理员", "person", "appoint", "无名氏", "--role", "cashier"]);
    env.refused("PPL-1", &["--as", "管理员", "person", "relate", "王芳", "无名氏", "--kind", "spouse"]);
    env.refused("PPL-1", &["--as", "管理员", "person", "end", "刘洋", "--role", "cashier"]);
}

#[test]
fn aud_2_catches_edited_people_appointments_and_kinship() {
    for (sql, table) in [
        ("UPDATE people SET name = '李名' WHERE name = '李明';", "people"),
        ("UPDATE appointments SET ended = '2025-02-01' WHERE person = '赵敏';", "appointments"),
        ("UPDATE appointments SET leader = 0 WHERE person = '李明';", "appointments"),
        ("UPDATE kinship SET kind = 'kin';", "kinship"),
        ("DROP TRIGGER kinship_no_delete; DELETE FROM kinship;", "kinship"),
    ] {
        let env = office();
        env.ok(&["verify"]);
        env.sql(sql);
        let err = env.fails(3, &["verify"]);
        assert!(err.contains(&format!("表 {table}")), "{sql}: {err}");
    }
}

const ADD: [&str; 22] = [
    "voucher",
    "add",
    "--date",
    "2025-03-05",
    "--summary",
    "办公用品",
    "--debit",
    "520101=10",
    "--credit",
    "1001=10",
    "--authorization",
    "两委决议〔2025〕1号",
    "--doc-type",
    "发票",
    "--doc-no",
    "04419001",
    "--doc-amount",
    "10",
    "--handler",
    "张伟",
    "--checker",
    "李娜",
];

#[test]
fn opr_1_a_wrong_or_missing_passphrase_is_refused_and_logged() {
    let env = office();
    let before = env.books();
    let (entries, _) = env.log_head();
    let out = env.command().env("QIANZHANG_PASSPHRASE", "猜的口令123").args(ADD).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[OPR-1] 赵敏的口令不正确"), "{err}");
    assert_eq!(env.books(), before);
    // A failed sign-in, not an act of 赵敏 (AUD-1).
    assert_eq!(env.log_head(), (entries + 1, "sign_in_failed".to_string()));
    let out = env.command().env_remove("QIANZHANG_PASSPHRASE").args(ADD).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("QIANZHANG_PASSPHRASE"));
    assert_eq!(env.log_head(), (entries + 2, "refused".to_string()));
    // Reading needs no passphrase.
    let out = env.command().env_remove("QIANZHANG_PASSPHRASE").args(["report", "trial-balance"]).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn opr_1_only_the_role_may_act() {
    let env = office();
    let err = env.refused("OPR-1", &[&["--as", "刘洋"][..], &ADD[..]].concat());
    assert!(err.contains("刘洋在 2025-03-31 没有会计的任职"), "{err}");
    env.refused("OPR-1", &["account", "add", "520105", "培训费"]);
    let err = env.fails(1, &["--as", "无名氏", "person", "add", "某人"]);
    assert!(err.contains("[OPR-1] 操作人“无名氏”不是本账套登记的人员"), "{err}");
    assert_eq!(env.log_head().1, "sign_in_failed");
    env.ok(&ADD);
}

#[test]
fn opr_1_passphrases_are_changed_by_their_owner_or_an_admin() {
    let env = office();
    let out = env
        .command()
        .env("QIANZHANG_NEW_PASSPHRASE", "赵敏的新口令")
        .args(["person", "passphrase", "赵敏"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = env.fails(1, &ADD);
    assert!(err.contains("[OPR-1] 赵敏的口令不正确"), "{err}");
    let out = env.command().env("QIANZHANG_PASSPHRASE", "赵敏的新口令").args(ADD).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Someone else's passphrase needs an administrator.
    let out = env
        .command()
        .env("QIANZHANG_PASSPHRASE", "赵敏的新口令")
        .args(["person", "passphrase", "刘洋"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    env.admin(&["person", "passphrase", "刘洋"]);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let stored: String = conn.query_row("SELECT passphrase FROM people WHERE name = '刘洋'", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(common::PASSPHRASE), "{stored}");
}

#[test]
fn vch_4_signatures_in_order_by_their_officers() {
    let env = Env::with_office();
    env.ok(&ADD);
    let r = "2025-03/记-0001";
    let err = env.refused("VCH-4", &["voucher", "post", r]);
    assert!(err.contains("尚未审核") && err.contains("尚未审批") && err.contains("尚未出纳确认"), "{err}");
    env.refused("VCH-4", &["--as", "王芳", "voucher", "review", r]);
    env.refused("VCH-4", &["--as", "李明", "voucher", "approve", r]);
    env.ok(&["--as", "刘洋", "voucher", "review", r]);
    env.refused("VCH-4", &["--as", "王芳", "voucher", "confirm", r]);
    env.refused("APR-1", &["--as", "刘洋", "voucher", "approve", r]);
    env.ok(&["--as", "李明", "voucher", "approve", r]);
    env.refused("OPR-1", &["--as", "李明", "voucher", "post", r]);
    env.ok(&["--as", "王芳", "voucher", "confirm", r]);
    env.ok(&["--as", "王芳", "voucher", "withdraw", r, "--kind", "confirm"]);
    env.ok(&["--as", "王芳", "voucher", "confirm", r]);
    env.ok(&["voucher", "post", r]);
    let show = env.ok(&["voucher", "show", r]);
    assert!(show.contains("审核：刘洋") && show.contains("审批：李明") && show.contains("出纳确认：王芳"), "{show}");
}

#[test]
fn sep_6_the_director_does_not_approve_paying_his_brother() {
    let env = Env::with_office();
    env.admin(&["person", "add", "李强"]);
    env.admin(&["person", "relate", "李强", "李明", "--kind", "sibling"]);
    let file = env.write(
        "pay.toml",
        "date = \"2025-03-06\"\nauthorization = \"两委决议〔2025〕1号\"\n[[documents]]\ndoc_type = \"合同\"\namount = \"300\"\nhandler = \"张伟\"\n[[lines]]\nsummary = \"支付修缮费\"\naccount = \"510102\"\ndebit = \"300\"\ncounterparty = \"李强\"\n[[lines]]\nsummary = \"支付修缮费\"\naccount = \"1002\"\ncredit = \"300\"\n",
    );
    env.ok(&["voucher", "add", "--file", file.to_str().unwrap()]);
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0001"]);
    let err = env.refused("SEP-6", &["--as", "李明", "voucher", "approve", "2025-03/记-0001"]);
    assert!(
        err.contains("收款人李强是审批人李明的三代以内旁系血亲（兄弟姐妹）") && err.contains("两委会议决议"),
        "{err}"
    );
    // The resolution it cites approves instead; the payment proceeds and is marked.
    env.ok(&["--as", "王芳", "voucher", "confirm", "2025-03/记-0001"]);
    env.ok(&["voucher", "post", "2025-03/记-0001"]);
    let show = env.ok(&["voucher", "show", "2025-03/记-0001"]);
    assert!(show.contains("［回避：收款人李强是审批人李明的三代以内旁系血亲") && !show.contains("审批："), "{show}");
    let journal = env.ok(&["report", "journal", "--from", "2025-03", "--to", "2025-03"]);
    assert!(journal.contains("支付修缮费［回避：收款人李强是审批人李明的"), "{journal}");
    assert!(env.ok(&["report", "journal", "--format", "json"]).contains("\"notes\""));
    let list = env.ok(&["voucher", "list", "--month", "2025-03"]);
    assert!(list.contains("支付修缮费［回避］"), "{list}");
    let list = env.ok(&["voucher", "list", "--month", "2025-03", "--format", "json"]);
    assert!(list.contains("\"stand_aside\": \"回避：收款人李强"), "{list}");
    let handover = env.ok(&[
        "handover",
        "--officer",
        "王芳",
        "--role",
        "cashier",
        "--date",
        "2025-03-31",
        "--to",
        "孙丽",
        "--supervisor",
        "刘洋",
    ]);
    assert!(handover.contains("出纳确认［回避］"), "{handover}");
}
