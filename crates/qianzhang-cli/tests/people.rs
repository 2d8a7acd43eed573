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
        ("UPDATE appointments SET leader = FALSE WHERE person = '李明';", "appointments"),
        ("UPDATE kinship SET kind = 'kin';", "kinship"),
        ("DELETE FROM kinship;", "kinship"),
    ] {
        let env = office();
        env.ok(&["verify"]);
        env.tamper(sql);
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
    let stored = env.store.query("SELECT passphrase FROM people WHERE name = '刘洋'").remove(0);
    assert!(stored.starts_with("$argon2id$") && !stored.contains(common::PASSPHRASE), "{stored}");
}

#[test]
fn vch_4_signatures_in_order_by_their_officers() {
    let env = Env::with_office();
    env.ok(&ADD);
    let r = "2025-03/记-0001";
    let err = env.refused("VCH-4", &["voucher", "post", r]);
    assert!(err.contains("尚未审核") && err.contains("尚未审批") && err.contains("尚未出纳确认"), "{err}");
    env.refused("SEP-5", &["--as", "王芳", "voucher", "review", r]);
    env.refused("VCH-4", &["--as", "李明", "voucher", "approve", r]);
    env.ok(&["--as", "刘洋", "voucher", "review", r]);
    env.refused("VCH-4", &["--as", "王芳", "voucher", "confirm", r]);
    env.refused("OPR-1", &["--as", "刘洋", "voucher", "approve", r]);
    env.ok(&["--as", "李明", "voucher", "approve", r]);
    env.refused("SEP-5", &["--as", "李明", "voucher", "post", r]);
    env.ok(&["--as", "王芳", "voucher", "confirm", r]);
    env.ok(&["--as", "王芳", "voucher", "withdraw", r, "--kind", "confirm"]);
    env.ok(&["--as", "王芳", "voucher", "confirm", r]);
    env.ok(&["voucher", "post", r]);
    let show = env.ok(&["voucher", "show", r]);
    assert!(show.contains("审核：刘洋") && show.contains("审批：李明") && show.contains("出纳确认：王芳"), "{show}");
}

/// ¥3,600 of repairs paid to the director's brother 李强, citing a 街道批复.
fn brothers_payment(env: &Env) {
    env.admin(&["person", "add", "李强"]);
    env.admin(&["person", "add", "张华"]);
    env.admin(&[
        "person",
        "appoint",
        "张华",
        "--role",
        "reviewer",
        "--leader",
        "--title",
        "副书记",
        "--from",
        "2025-01-01",
    ]);
    env.admin(&["person", "relate", "李强", "李明", "--kind", "sibling"]);
    env.admin(&[
        "auth",
        "add",
        "--kind",
        "government",
        "--number",
        "街道批复〔2025〕20号",
        "--date",
        "2025-03-01",
        "--scope",
        "活动室修缮",
        "--cap",
        "5000",
    ]);
    let file = env.write(
        "pay.toml",
        "date = \"2025-03-06\"\nauthorization = \"街道批复〔2025〕20号\"\n[[documents]]\ndoc_type = \"合同\"\namount = \"3600\"\nhandler = \"张伟\"\n[[lines]]\nsummary = \"支付修缮费\"\naccount = \"510102\"\ndebit = \"3600\"\ncounterparty = \"李强\"\n[[lines]]\nsummary = \"支付修缮费\"\naccount = \"1002\"\ncredit = \"3600\"\n",
    );
    env.ok(&["voucher", "add", "--file", file.to_str().unwrap()]);
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0001"]);
}

/// The defect found when the engine was tried: this payment reached the
/// cashier and was posted with no approval signature at all.
#[test]
fn sep_6_the_director_does_not_approve_paying_his_brother() {
    let env = Env::with_office();
    brothers_payment(&env);
    let r = "2025-03/记-0001";
    let err = env.refused("SEP-6", &["--as", "李明", "voucher", "approve", r]);
    assert!(err.contains("收款人李强是审批人李明的三代以内旁系血亲（兄弟姐妹）") && err.contains("两委会议"), "{err}");
    // The government approval does not stand in for the approval signature.
    let err = env.refused("SEP-6", &["--as", "王芳", "voucher", "confirm", r]);
    assert!(err.contains("尚未审批"), "{err}");
    env.refused("SEP-6", &["voucher", "post", r]);
    env.refused("SEP-6", &["--as", "张华", "voucher", "approve", r]);
    assert!(env.ok(&["voucher", "list", "--month", "2025-03"]).contains("支付修缮费［回避：待两委决议指定代签人］"));
    // The 两委 resolves without the director and names a deputy.
    let recorded = env.admin(&[
        "auth",
        "add",
        "--kind",
        "resolution",
        "--number",
        "两委决议〔2025〕7号",
        "--date",
        "2025-03-05",
        "--scope",
        "支付李强活动室修缮费",
        "--cap",
        "3600",
        "--payee",
        "李强",
        "--deputy",
        "张华",
        "--withdrawn",
        "李明",
    ]);
    assert!(recorded.contains("收款人 李强，李明 回避，由 张华 代为审批"), "{recorded}");
    let register = env.ok(&["auth", "list"]);
    assert!(
        register.contains("两委决议〔2025〕7号：审批人回避（SEP-6），收款人 李强，李明 回避，由 张华 代为审批"),
        "{register}"
    );
    env.ok(&["--as", "张华", "voucher", "approve", r]);
    env.ok(&["--as", "王芳", "voucher", "confirm", r]);
    env.ok(&["voucher", "post", r]);
    let show = env.ok(&["voucher", "show", r]);
    assert!(show.contains("审批：张华") && show.contains("代签，依决议 两委决议〔2025〕7号"), "{show}");
    assert!(
        show.contains("［回避：收款人李强是审批人李明的三代以内旁系血亲（兄弟姐妹）；依决议 两委决议〔2025〕7号，由张华代为审批］"),
        "{show}"
    );
    let journal = env.ok(&["report", "journal", "--from", "2025-03", "--to", "2025-03"]);
    assert!(journal.contains("支付修缮费［回避：收款人李强是审批人李明的"), "{journal}");
    let list = env.ok(&["voucher", "list", "--month", "2025-03"]);
    assert!(list.contains("支付修缮费［回避：两委决议〔2025〕7号，张华代签］"), "{list}");
    let list = env.ok(&["voucher", "list", "--month", "2025-03", "--format", "json"]);
    assert!(list.contains("\"stand_aside\": \"回避：收款人李强") && list.contains("由张华代为审批"), "{list}");
    let board = env.ok(&["disclose", "--month", "2025-03", "--format", "md"]);
    assert!(board.contains("张华（代签，审批人回避）"), "{board}");
    assert!(board.contains("街道批复〔2025〕20号、两委决议〔2025〕7号"), "{board}");
    assert!(!board.contains("两委会议（审批人回避）"), "{board}");
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
    assert!(handover.contains("出纳确认［回避：两委决议〔2025〕7号，张华代签］"), "{handover}");
    env.ok(&["verify"]);
}

#[test]
fn sep_6_the_deputy_is_a_leader_with_no_conflict_of_their_own() {
    let env = Env::with_office();
    brothers_payment(&env);
    let resolution = |deputy: &'static str| {
        [
            "--as",
            "管理员",
            "auth",
            "add",
            "--kind",
            "resolution",
            "--number",
            "两委决议〔2025〕8号",
            "--date",
            "2025-03-05",
            "--scope",
            "支付李强修缮费",
            "--cap",
            "3600",
            "--payee",
            "李强",
            "--deputy",
            deputy,
            "--withdrawn",
            "李明",
        ]
    };
    let err = env.refused("SEP-6", &resolution("刘洋"));
    assert!(err.contains("没有在任的领导职务"), "{err}");
    env.admin(&["person", "relate", "张华", "李强", "--kind", "spouse"]);
    let err = env.refused("SEP-6", &resolution("张华"));
    assert!(err.contains("代签人张华是收款人李强的夫妻"), "{err}");
}

#[test]
fn apr_1_one_pen_at_a_time_and_an_acting_approver_with_an_end() {
    // The office keeps March as it happens: the acting days are still ahead.
    let env = Env::with_office().at("2025-03-05T09:00:00+08:00");
    env.admin(&["person", "add", "张华"]);
    let err = env.refused(
        "APR-1",
        &["--as", "管理员", "person", "appoint", "张华", "--role", "approver", "--from", "2025-03-01"],
    );
    assert!(err.contains("李明已是审批人（自 2025-01-01 起）"), "{err}");
    env.refused(
        "APR-1",
        &["--as", "管理员", "person", "appoint", "张华", "--role", "approver", "--acting", "--from", "2025-03-01"],
    );
    let done = env.admin(&[
        "person",
        "appoint",
        "张华",
        "--role",
        "approver",
        "--acting",
        "--from",
        "2025-03-01",
        "--to",
        "2025-03-15",
    ]);
    assert!(done.contains("已任命 张华 为代理审批人，2025-03-01 至 2025-03-15"), "{done}");
    let people = env.ok(&["person", "list", "--date", "2025-03-10"]);
    assert!(people.contains("代理审批人"), "{people}");
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-05",
        "--summary",
        "办公用品",
        "--debit",
        "520101=100",
        "--credit",
        "1002=100",
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发票",
        "--doc-no",
        "01010101",
        "--doc-amount",
        "100",
        "--handler",
        "张伟",
        "--checker",
        "李娜",
    ]);
    let r = "2025-03/记-0001";
    env.set_now("2025-03-10T10:00:00+08:00");
    env.ok(&["--as", "刘洋", "voucher", "review", r]);
    let err = env.refused("APR-1", &["--as", "李明", "voucher", "approve", r]);
    assert!(err.contains("代理审批人张华在 2025-03-01 至 2025-03-15 代理审批"), "{err}");
    env.ok(&["--as", "张华", "voucher", "approve", r]);
    env.ok(&["--as", "王芳", "voucher", "confirm", r]);
    env.ok(&["voucher", "post", r]);
    env.ok(&["verify"]);
}

#[test]
fn sep_5_the_approver_is_not_also_accountant_or_cashier() {
    let env = office();
    env.admin(&["person", "add", "周丽"]);
    env.admin(&["person", "end", "李明", "--role", "approver", "--date", "2025-02-01"]);
    env.admin(&["person", "appoint", "周丽", "--role", "approver", "--from", "2025-02-01"]);
    let err = env.refused(
        "SEP-5",
        &["--as", "管理员", "person", "appoint", "周丽", "--role", "accountant", "--from", "2025-03-01"],
    );
    assert!(err.contains("周丽不能同时担任审批人和会计"), "{err}");
    env.refused("SEP-5", &["--as", "管理员", "person", "appoint", "周丽", "--role", "cashier", "--from", "2025-03-01"]);
}

/// Appointing the same person to the same post twice used to reach the
/// store's UNIQUE constraint and exit 101.
#[test]
fn ppl_1_the_same_appointment_twice_is_refused_not_a_crash() {
    let env = office();
    let err = env.refused(
        "PPL-1",
        &["--as", "管理员", "person", "appoint", "刘洋", "--role", "reviewer", "--from", "2025-01-01"],
    );
    assert!(err.contains("刘洋已是审核（自 2025-01-01 起），不能重复任命"), "{err}");
    env.ok(&["verify"]);
}

/// Roles and kinship are typed in Chinese as an office says them, or in
/// English as before; a name that is neither is a usage error.
#[test]
fn roles_and_kinship_take_their_chinese_names() {
    let env = office();
    env.admin(&["person", "appoint", "孙丽", "--role", "出纳", "--from", "2025-01-01"]);
    env.admin(&["person", "relate", "王芳", "刘洋", "--kind", "配偶"]);
    env.admin(&["person", "relate", "李强", "孙丽", "--kind", "子女"]);
    let list = env.admin(&["person", "list", "--date", "2025-01-02"]);
    assert!(list.contains("孙丽") && list.contains("出纳"), "{list}");
    let spouse = env.admin(&["person", "relation", "王芳", "刘洋"]);
    assert!(spouse.contains("配偶"), "{spouse}");
    // 李强 is 孙丽's child: she is his parent, and so 李明's parent too.
    let parent = env.admin(&["person", "relation", "李明", "孙丽"]);
    assert!(!parent.contains("不是"), "{parent}");
    env.fails(2, &["--as", "管理员", "person", "appoint", "孙丽", "--role", "书记"]);
    // Report kinds too.
    assert_eq!(env.ok(&["report", "试算平衡表"]), env.ok(&["report", "trial-balance"]));
}
