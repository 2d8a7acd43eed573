//! People, appointments and kinship through the CLI: SEP-1..SEP-4 refusals,
//! SEP-7 conflicts, explanations, and verification of the new tables.

mod common;

use common::Env;

/// 主任 李明 (leader), 会计 赵敏, 审核 刘洋; 李强 is 李明's brother, 王芳 is not yet related.
fn office() -> Env {
    let env = Env::with_ledger();
    for p in ["李明", "李强", "王芳", "赵敏", "刘洋", "孙丽"] {
        env.ok(&["person", "add", p]);
    }
    env.ok(&["person", "appoint", "李明", "--role", "approver", "--leader", "--title", "主任", "--from", "2025-01-01"]);
    env.ok(&["person", "appoint", "赵敏", "--role", "accountant", "--from", "2025-01-01"]);
    env.ok(&["person", "appoint", "刘洋", "--role", "reviewer", "--from", "2025-01-01"]);
    env.ok(&["person", "relate", "李强", "李明", "--kind", "sibling"]);
    env
}

#[test]
fn sep_1_accountant_cannot_also_be_cashier() {
    let env = office();
    let err = env.refused("SEP-1", &["person", "appoint", "赵敏", "--role", "cashier", "--from", "2025-02-01"]);
    assert!(err.contains("钱账必须分管"), "{err}");
}

#[test]
fn sep_2_a_leader_cannot_keep_money_or_books() {
    let env = office();
    env.refused("SEP-2", &["person", "appoint", "李明", "--role", "cashier", "--from", "2025-02-01"]);
    env.refused("SEP-2", &["person", "appoint", "孙丽", "--role", "cashier", "--leader", "--title", "副主任"]);
}

#[test]
fn sep_3_the_directors_in_law_cannot_be_cashier() {
    let env = office();
    env.ok(&["person", "relate", "王芳", "李强", "--kind", "spouse"]);
    let err = env.refused("SEP-3", &["person", "appoint", "王芳", "--role", "cashier", "--from", "2025-01-01"]);
    assert!(err.contains("[SEP-3] 王芳是主任李明的近姻亲（配偶的兄弟姐妹），不能担任出纳"), "{err}");
    env.ok(&["person", "appoint", "孙丽", "--role", "cashier", "--from", "2025-01-01"]);
}

#[test]
fn sep_4_the_cashier_is_no_relative_of_the_accountant() {
    let env = office();
    env.ok(&["person", "relate", "赵敏", "孙丽", "--kind", "parent"]);
    let err = env.refused("SEP-4", &["person", "appoint", "孙丽", "--role", "cashier", "--from", "2025-01-01"]);
    assert!(err.contains("孙丽是会计赵敏的直系血亲"), "{err}");
}

#[test]
fn sep_7_a_later_fact_is_recorded_and_reported() {
    let env = office();
    env.ok(&["person", "appoint", "王芳", "--role", "cashier", "--from", "2025-01-01"]);
    let out = env.ok(&["person", "relate", "王芳", "李强", "--kind", "spouse"]);
    assert!(
        out.contains("已登记亲属关系") && out.contains("[SEP-7]") && out.contains("出纳王芳的签字一律无效"),
        "{out}"
    );
    let list = env.ok(&["person", "list"]);
    assert!(list.contains("冲突：[SEP-7]"), "{list}");
    env.ok(&["person", "end", "王芳", "--role", "cashier", "--date", "2025-03-31"]);
    let list = env.ok(&["person", "list"]);
    assert!(!list.contains("冲突"), "the conflict ends with the appointment: {list}");
}

#[test]
fn person_relation_explains_the_chain() {
    let env = office();
    env.ok(&["person", "relate", "王芳", "李强", "--kind", "spouse"]);
    assert_eq!(env.ok(&["person", "relation", "王芳", "李明"]), "王芳 → 配偶 李强 → 兄弟姐妹 李明：近姻亲\n");
    assert!(env.ok(&["person", "relation", "孙丽", "李明"]).contains("不是"));
    let err = env.fails(1, &["person", "relation", "无名氏", "李明"]);
    assert!(err.contains("[PPL-1]"), "{err}");
}

#[test]
fn ppl_1_people_are_registered_once() {
    let env = office();
    env.refused("PPL-1", &["person", "add", "李明"]);
    env.refused("PPL-1", &["person", "appoint", "无名氏", "--role", "cashier"]);
    env.refused("PPL-1", &["person", "relate", "王芳", "无名氏", "--kind", "spouse"]);
    env.refused("PPL-1", &["person", "end", "刘洋", "--role", "cashier"]);
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
