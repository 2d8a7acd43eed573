//! What waits for whom (VCH-4, CSH-2, BNK-1, PER-1, PUB-1, APR-1, APR-2):
//! the voucher list's next step and `todo` for each post, end to end.

mod common;

use common::{closed_january, fixture, january, Env, ADMIN};

fn todo(env: &Env, who: &str) -> String {
    env.ok(&["--as", who, "todo"])
}

#[test]
fn vch_4_the_list_shows_what_each_prepared_voucher_waits_for() {
    let env = january();
    insta::assert_snapshot!("list_prepared", env.ok(&["voucher", "list", "--month", "2025-01"]));
    env.ok(&["--as", "刘洋", "voucher", "review", "--all", "--period", "2025-01"]);
    insta::assert_snapshot!("list_reviewed", env.ok(&["voucher", "list", "--month", "2025-01"]));
    let json = env.ok(&["voucher", "list", "--month", "2025-01", "--format", "json"]);
    let items: serde_json::Value = serde_json::from_str(&json).unwrap();
    let steps: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["next_step"].as_str().unwrap()).collect();
    assert!(steps.contains(&"approve") && steps.iter().all(|s| ["approve", "confirm", "post"].contains(s)), "{json}");
    let csv = env.ok(&["voucher", "list", "--month", "2025-01", "--format", "csv"]);
    assert!(csv.contains(",待审批,"), "{csv}");
    let show = env.ok(&["voucher", "show", "2025-01/记-0001"]);
    assert!(show.contains("状态：待") && !show.contains("已制单"), "{show}");
    let shown = env.ok(&["voucher", "show", "2025-01/记-0001", "--format", "json"]);
    assert!(shown.contains("\"next_step\""), "{shown}");
    env.walk("2025-01");
    let posted = env.ok(&["voucher", "list", "--month", "2025-01", "--format", "json"]);
    assert!(!posted.contains("next_step"), "posted vouchers wait for nothing: {posted}");
}

#[test]
fn vch_4_each_signer_sees_the_vouchers_awaiting_their_signature() {
    let env = january();
    insta::assert_snapshot!("reviewer", todo(&env, "刘洋"));
    assert!(todo(&env, "李明").contains("今天没有待办事项"), "nothing is reviewed yet");
    env.ok(&["--as", "刘洋", "voucher", "review", "--all", "--period", "2025-01"]);
    insta::assert_snapshot!("approver", todo(&env, "李明"));
    assert!(todo(&env, "刘洋").contains("今天没有待办事项"));
}

#[test]
fn csh_2_the_cashier_is_asked_for_the_days_count_and_confirmations() {
    let env = january();
    env.ok(&["--as", "刘洋", "voucher", "review", "--all", "--period", "2025-01"]);
    env.ok(&["--as", "李明", "voucher", "approve", "--all", "--period", "2025-01"]);
    insta::assert_snapshot!("cashier", todo(&env, "王芳"));
    env.ok(&["--as", "王芳", "voucher", "confirm", "--all", "--period", "2025-01"]);
    env.ok(&["--as", "王芳", "cash", "count", "--amount", "4700"]);
    assert!(todo(&env, "王芳").contains("今天没有待办事项"), "counted and confirmed");
}

#[test]
fn per_1_bnk_1_the_accountant_is_asked_to_post_reconcile_and_close() {
    let env = january();
    env.ok(&["--as", "刘洋", "voucher", "review", "--all", "--period", "2025-01"]);
    env.ok(&["--as", "李明", "voucher", "approve", "--all", "--period", "2025-01"]);
    env.ok(&["--as", "王芳", "voucher", "confirm", "--all", "--period", "2025-01"]);
    insta::assert_snapshot!("accountant", todo(&env, "赵敏"));
    let md = env.ok(&["--as", "赵敏", "todo", "--format", "md"]);
    assert!(md.contains("| 序号 |") && md.contains("PER-1"), "{md}");
    let json = env.ok(&["--as", "赵敏", "todo", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rules: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"VCH-4") && rules.contains(&"BNK-1") && rules.last() == Some(&"PER-1"), "{json}");
    // Before the month's last day nothing is due for closing.
    env.set_now("2025-01-30T18:00:00+08:00");
    assert!(!todo(&env, "赵敏").contains("PER-1"));
}

#[test]
fn pub_1_the_supervisor_is_asked_to_review_a_closed_months_disclosure() {
    let env = january();
    env.admin(&["person", "add", "陈静"]);
    env.admin(&["person", "appoint", "陈静", "--role", "auditor", "--from", "2025-01-01"]);
    env.walk("2025-01");
    env.ok(&["--as", "王芳", "bank", "import", fixture("statement-2025-01.gbk.csv").to_str().unwrap()]);
    env.ok(&["--as", "王芳", "bank", "match"]);
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4700"]);
    assert!(todo(&env, "陈静").contains("今天没有待办事项"), "January is not closed yet");
    env.set_now("2025-02-03T09:00:00+08:00");
    env.ok(&["period", "close", "2025-01"]);
    insta::assert_snapshot!("supervisor", todo(&env, "陈静"));
    let args = ["--as", "陈静", "disclose", "review", "--month", "2025-01", "--by", "陈静", "--opinion", "同意"];
    env.ok(&args);
    assert!(todo(&env, "陈静").contains("今天没有待办事项"));
}

#[test]
fn apr_1_apr_2_the_admin_sees_appointments_ending_and_authorizations_near_their_cap() {
    let env = january();
    env.admin(&["person", "add", "张华"]);
    env.admin(&[
        "person",
        "appoint",
        "张华",
        "--role",
        "approver",
        "--acting",
        "--from",
        "2025-02-03",
        "--to",
        "2025-02-14",
    ]);
    env.admin(&[
        "auth",
        "add",
        "--kind",
        "resolution",
        "--number",
        "两委决议〔2025〕9号",
        "--date",
        "2025-01-02",
        "--scope",
        "茶叶",
        "--cap",
        "100",
    ]);
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-01-20",
        "--summary",
        "买茶叶",
        "--debit",
        "520101=95",
        "--credit",
        "1001=95",
        "--authorization",
        "两委决议〔2025〕9号",
        "--doc-type",
        "发票",
        "--doc-amount",
        "95",
        "--handler",
        "刘洋",
        "--checker",
        "赵敏",
    ]);
    env.sign_and_post(&["2025-01/记-0007"]);
    insta::assert_snapshot!("admin", todo(&env, ADMIN));
}

#[test]
fn an_empty_list_says_so_and_a_read_needs_no_passphrase() {
    let env = closed_january();
    let out = env.command().args(["--as", "陈静", "todo"]).env_remove("QIANZHANG_PASSPHRASE").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("今天没有待办事项"));
    let who = env.command().arg("todo").env_remove("QIANZHANG_USER").output().unwrap();
    assert_eq!(who.status.code(), Some(2), "{}", String::from_utf8_lossy(&who.stderr));
    let stranger = env.fails(1, &["--as", "路人甲", "todo"]);
    assert!(stranger.contains("[PPL-1]") && stranger.contains("尚未登记"), "{stranger}");
}
