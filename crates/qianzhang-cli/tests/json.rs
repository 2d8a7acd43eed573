//! `--json` on the commands that create or change something, and
//! `log --format json`: one object a script parses instead of a sentence.

mod common;

use common::Env;
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not one JSON object ({e}): {text}"))
}

const ADD: [&str; 16] = [
    "voucher",
    "add",
    "--date",
    "2025-03-02",
    "--summary",
    "提取备用金",
    "--debit",
    "1001=500",
    "--credit",
    "1002=500",
    "--doc-type",
    "银行回单",
    "--doc-amount",
    "500",
    "--handler",
    "王芳",
];

fn last_entry(env: &Env) -> Value {
    let log = json(&env.ok(&["log", "--limit", "1", "--format", "json"]));
    log["entries"][0].clone()
}

#[test]
fn init_json_gives_the_ledger_and_its_fingerprint() {
    let env = Env::new();
    let out = json(&env.admin(&["--json", "init", "--ledger", "幸福里", "--start", "2025-01"]));
    assert_eq!(out["ok"], true);
    assert_eq!(out["command"], "init");
    assert_eq!(out["ledger"], "幸福里");
    assert_eq!(out["start"], "2025-01");
    assert!(out["accounts"].as_u64().unwrap() > 0, "{out}");
    let fingerprint = out["fingerprint"].as_str().unwrap();
    let verify = env.ok(&["verify"]);
    assert!(verify.contains(fingerprint), "the fingerprint verify prints: {verify} / {out}");
    assert!(out["message"].as_str().unwrap().starts_with("已建立账套“幸福里”"), "{out}");
}

#[test]
fn voucher_add_json_gives_the_reference_and_signing_gives_counts() {
    let env = Env::with_office();
    let out = json(&env.ok(&[&["--json"][..], &ADD[..]].concat()));
    assert_eq!(out["command"], "voucher add");
    assert_eq!(out["reference"], "2025-03/记-0001");
    let entry = last_entry(&env);
    assert_eq!(out["seq"], entry["seq"]);
    assert_eq!(out["fingerprint"], entry["hash"], "the fingerprint after the act is the log's last hash");
    let review = json(&env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0001", "--json"]));
    assert_eq!(review["command"], "voucher review");
    assert_eq!(review["count"], 1);
    assert_eq!(review["references"], serde_json::json!(["2025-03/记-0001"]));
    assert_eq!(review["passed_over"], serde_json::json!([]));
}

#[test]
fn receipt_issue_json_gives_the_number() {
    let env = Env::with_office();
    let args =
        ["--as", "王芳", "--json", "receipt", "issue", "--book", "SJ", "--payer", "居民甲", "--amount", "¥1,010"];
    let out = json(&env.ok(&args));
    assert_eq!(out["command"], "receipt issue");
    assert_eq!(out["number"], "SJ0000101");
    assert_eq!(out["amount"], "1010.00", "{out}");
    assert_eq!(last_entry(&env)["kind"], "receipt_issued");
}

#[test]
fn log_format_json_lists_entries_with_stable_keys() {
    let env = Env::with_office();
    let log = json(&env.ok(&["log", "--limit", "3", "--format", "json"]));
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for e in entries {
        for key in ["seq", "at", "actor", "kind", "description", "hash"] {
            assert!(!e[key].is_null(), "{key} in {e}");
        }
    }
    assert!(entries[0]["seq"].as_i64() < entries[2]["seq"].as_i64(), "oldest first, as the text: {log}");
    assert_eq!(json(&env.ok(&["--json", "log", "--limit", "3"])), log, "--json says the same");
}

#[test]
fn refusal_with_json_keeps_its_text_on_stderr_and_its_exit_code() {
    let env = Env::with_office();
    let args = ["--json", "receipt", "issue", "--book", "SJ", "--payer", "x", "--amount", "1"];
    let out = env.run(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[OPR-1]"), "{err}");
}

#[test]
fn without_json_the_sentence_is_unchanged() {
    let env = Env::with_office();
    assert_eq!(env.ok(&ADD), "已制单 2025-03/记-0001（待审核）\n");
    let log = env.ok(&["log", "--limit", "1"]);
    assert!(log.starts_with('#'), "{log}");
}

#[test]
fn import_json_gives_counts_and_the_fingerprint_after_it() {
    let env = Env::with_office_unfunded();
    env.write(
        "opening.csv",
        "date,voucher,summary,account,debit,credit\n2024-09-30,1,期初余额,1001,5000,\n\
         2024-09-30,1,期初余额,1002,100000,\n2024-09-30,1,期初余额,3101,,105000\n",
    );
    let out = json(&env.ok(&["import", "--history", "opening.csv", "--json"]));
    assert_eq!(out["command"], "import");
    assert_eq!(out["rows"], 3);
    assert_eq!(out["vouchers"], 1);
    assert!(out["first"].as_str().unwrap().starts_with("2024-09/"), "{out}");
    assert!(!out["periods_closed"].as_array().unwrap().is_empty(), "{out}");
    assert_eq!(out["fingerprint"], last_entry(&env)["hash"], "{out}");
}

#[test]
fn person_relate_json_names_the_pair_in_english_keys() {
    let env = Env::with_office();
    let out = json(&env.admin(&["--json", "person", "relate", "刘洋", "李明", "--kind", "兄弟姐妹"]));
    assert_eq!(out["command"], "person relate");
    assert_eq!(
        (out["a"].as_str(), out["b"].as_str(), out["kind"].as_str()),
        (Some("刘洋"), Some("李明"), Some("sibling"))
    );
}
