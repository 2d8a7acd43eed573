//! Every kind of bad input: a clear Chinese error naming the rule, exit 1,
//! the books unchanged, the refusal logged.

mod common;

use common::{fixture, Env};

const HEADER: &str = "日期,凭证号,摘要,科目,借方,贷方\n";

/// `voucher add` from flags: one debit, one credit.
fn add<'a>(date: &'a str, summary: &'a str, debit: &'a str, credit: &'a str) -> Vec<&'a str> {
    vec!["voucher", "add", "--date", date, "--summary", summary, "--debit", debit, "--credit", credit]
}

fn csv(env: &Env, name: &str, body: &str) -> String {
    env.write(name, format!("{HEADER}{body}")).to_string_lossy().into_owned()
}

#[test]
fn vch_1_unbalanced_voucher() {
    let env = Env::with_ledger();
    let err = env.refused("VCH-1", &add("2025-01-10", "办公用品", "520101=100", "1001=99.99"));
    assert!(err.contains("借贷不平衡") && err.contains("相差 0.01"), "{err}");
}

#[test]
fn vch_1_three_decimals() {
    let env = Env::with_ledger();
    let err = env.refused("VCH-1", &add("2025-01-10", "x", "520101=1.234", "1001=1.234"));
    assert!(err.contains("超过两位小数"), "{err}");
}

#[test]
fn vch_1_negative_and_zero_amounts() {
    let env = Env::with_ledger();
    let err = env.refused("VCH-1", &add("2025-01-10", "x", "520101=-5", "1001=-5"));
    assert!(err.contains("负数"), "{err}");
    let err = env.refused("VCH-1", &add("2025-01-10", "x", "520101=0", "1001=0"));
    assert!(err.contains("金额为零"), "{err}");
    let file = csv(&env, "neg.csv", "2025-01-10,1,x,520101,-5,\n2025-01-10,1,x,1001,,-5\n");
    let err = env.refused("VCH-1", &["import", &file]);
    assert!(err.contains("第 2 行") && err.contains("第 3 行"), "{err}");
}

#[test]
fn vch_1_both_debit_and_credit_on_a_line() {
    let env = Env::with_ledger();
    let file = csv(&env, "both.csv", "2025-01-10,1,x,520101,5,5\n2025-01-10,1,x,1001,,5\n");
    let err = env.refused("VCH-1", &["import", &file]);
    assert!(err.contains("第 2 行") && err.contains("既有借方又有贷方"), "{err}");
    let toml = env.write("both.toml", "date = \"2025-01-10\"\n[[lines]]\nsummary = \"x\"\naccount = \"520101\"\ndebit = \"5\"\ncredit = \"5\"\n[[lines]]\nsummary = \"x\"\naccount = \"1001\"\ncredit = \"5\"\n");
    env.refused("VCH-1", &["voucher", "add", "--file", toml.to_str().unwrap()]);
}

#[test]
fn vch_2_unknown_non_leaf_and_closed_accounts() {
    let env = Env::with_ledger();
    let err = env.refused("VCH-2", &add("2025-01-10", "x", "9999=5", "1001=5"));
    assert!(err.contains("9999") && err.contains("不存在"), "{err}");
    let err = env.refused("VCH-2", &add("2025-01-10", "x", "5201=5", "1001=5"));
    assert!(err.contains("末级科目"), "{err}");
    env.admin(&["account", "add", "520104", "宣传费"]);
    env.admin(&["account", "close", "520104", "--date", "2025-01-01"]);
    let err = env.refused("VCH-2", &add("2025-01-10", "x", "520104=5", "1001=5"));
    assert!(err.contains("停用"), "{err}");
}

#[test]
fn vch_3_dates_before_go_live_or_in_a_closed_period() {
    let env = Env::with_ledger();
    let err = env.refused("VCH-3", &add("2024-12-10", "x", "520101=5", "1001=5"));
    assert!(err.contains("早于账套启用期间 2025-01") && err.contains("--history"), "{err}");
    let history = fixture("history-2024q4.gbk.csv");
    env.ok(&["import", "--history", history.to_str().unwrap()]);
    let late = csv(&env, "late.csv", "2024-12-30,1,补记,520101,5,\n2024-12-30,1,补记,1001,,5\n");
    let err = env.refused("VCH-3", &["import", "--history", &late]);
    assert!(err.contains("已结账"), "{err}");
    let after = csv(&env, "after.csv", "2025-01-30,1,x,520101,5,\n2025-01-30,1,x,1001,,5\n");
    env.refused("VCH-3", &["import", "--history", &after]);
}

#[test]
fn csv_1_missing_column() {
    let env = Env::with_ledger();
    let file = env.write("nocredit.csv", "日期,凭证号,摘要,科目,借方\n2025-01-10,1,x,520101,5\n");
    let err = env.refused("CSV-1", &["import", file.to_str().unwrap()]);
    assert!(err.contains("贷方（credit）"), "{err}");
}

#[test]
fn csv_2_unreadable_amount_and_bad_date_all_listed() {
    let env = Env::with_ledger();
    let file = csv(
        &env,
        "bad.csv",
        "2025-01-10,1,x,520101,12块,\n2025-01-10,1,x,1001,,5\n2025-02-30,2,y,520101,5,\n2025-02-30,2,y,1001,,5\n",
    );
    let err = env.refused("CSV-2", &["import", &file]);
    assert!(err.contains("第 2 行") && err.contains("12块"), "{err}");
    assert!(err.contains("第 4 行") && err.contains("2025-02-30"), "{err}");
}

#[test]
fn csv_3_rows_of_one_voucher_not_consecutive() {
    let env = Env::with_ledger();
    let file = csv(
        &env,
        "split.csv",
        "2025-01-10,1,x,520101,5,\n2025-01-10,2,y,520101,7,\n2025-01-10,2,y,1001,,7\n2025-01-10,1,x,1001,,5\n",
    );
    let err = env.refused("CSV-3", &["import", &file]);
    assert!(err.contains("第 5 行") && err.contains("不连续"), "{err}");
}

#[test]
fn vch_5_voucher_reversed_twice() {
    let env = Env::with_office();
    let doc = ["--doc-type", "发票", "--doc-no", "1", "--doc-amount", "100", "--handler", "张伟", "--checker", "李娜"];
    let cited = ["--authorization", "两委决议〔2025〕1号"];
    env.ok(&[&add("2025-01-10", "办公用品", "520101=100", "1001=100")[..], &cited, &doc].concat());
    env.refused("VCH-5", &["voucher", "reverse", "2025-01/记-0001"]);
    env.sign_and_post(&["2025-01/记-0001"]);
    env.ok(&["voucher", "reverse", "2025-01/记-0001", "--date", "2025-01-12"]);
    let err = env.refused("VCH-5", &["voucher", "reverse", "2025-01/记-0001", "--date", "2025-01-13"]);
    assert!(err.contains("已被 2025-01/记-0002 冲销"), "{err}");
    let err = env.refused("VCH-5", &["voucher", "post", "2025-01/记-0001"]);
    assert!(err.contains("已经记账"), "{err}");
}

#[test]
fn csv_2_non_utf8_file_read_with_the_wrong_encoding() {
    let env = Env::with_ledger();
    let gbk = fixture("history-2024q4.gbk.csv");
    let err = env.refused("CSV-2", &["import", "--history", "--encoding", "utf-8", gbk.to_str().unwrap()]);
    assert!(err.contains("不是有效的 UTF-8") && err.contains("--encoding gbk"), "{err}");
    let utf8 = fixture("vouchers-2025q1.csv");
    let err = env.refused("CSV-2", &["import", "--encoding", "gbk", utf8.to_str().unwrap()]);
    assert!(err.contains("乱码"), "{err}");
}

#[test]
fn csv_4_same_file_imported_twice() {
    let env = Env::with_ledger();
    let file = csv(&env, "once.csv", "2025-01-10,1,x,520101,5,\n2025-01-10,1,x,1001,,5\n");
    env.ok(&["import", &file]);
    let err = env.refused("CSV-4", &["import", &file]);
    assert!(err.contains("--force"), "{err}");
    env.ok(&["import", "--force", &file]);
    assert!(env.ok(&["voucher", "list"]).contains("2025-01/记-0002"));
}

#[test]
fn aud_1_changes_need_a_named_operator() {
    let env = Env::with_ledger();
    let before = env.log_head();
    let out = env.command().env_remove("QIANZHANG_USER").args(["account", "add", "520105", "培训费"]).output().unwrap();
    // A command typed without its operator is a usage error: no rule, not logged.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("须指明操作人") && !err.contains("[AUD-1]"), "{err}");
    assert_eq!(env.log_head(), before);
}

#[test]
fn led_1_unknown_ledger_and_usage_errors() {
    let env = Env::with_ledger();
    let err = env.fails(1, &["--ledger", "不存在", "report", "trial-balance"]);
    assert!(err.contains("[LED-1]") && err.contains("幸福里"), "{err}");
    env.fails(2, &["report", "income-statement"]);
    env.fails(2, &["voucher", "frobnicate"]);
    let err = env.fails(2, &["report", "trial-balance", "--from", "2025-13"]);
    assert!(err.contains("不是有效的会计期间"), "{err}");
    env.fails(2, &["voucher", "show", "记-0001"]);
    env.fails(2, &["report", "journal", "--format", "pdf"]);
    // A --db that is not a store is a usage error (exit 2), with no rule ID.
    let not_a_store = env.write("notes.db", "这不是数据库，只是一段足够长的文字，长过数据库文件头的长度。");
    let err = env.fails(2, &["--db", not_a_store.to_str().unwrap(), "report", "trial-balance"]);
    assert!(err.contains("不是钱账的账簿文件") && !err.contains("[LED-1]"), "{err}");
}

/// A second writer that waits past the lock timeout is told to try again
/// (exit 75), and the books are as the first writer leaves them: the first
/// holds SQLite's write lock, or on PostgreSQL the ledger's chain head that
/// every write locks first.
#[test]
fn a_busy_store_is_a_plain_message_not_an_internal_error() {
    let env = Env::with_ledger();
    let before = env.books();
    let busy = || {
        let out = env
            .command()
            .env("QIANZHANG_BUSY_WAIT_MS", "1000")
            .args(["--as", "管理员", "account", "add", "520109", "杂项"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("正被另一个命令使用") && !err.contains("内部错误"), "{err}");
    };
    match &env.store {
        common::store::TestStore::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE;").unwrap();
            busy();
            conn.execute_batch("ROLLBACK;").unwrap();
        }
        common::store::TestStore::Postgres { url, .. } => {
            let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
            let mut tx = client.transaction().unwrap();
            assert_eq!(tx.execute("SELECT 1 FROM chain_heads FOR UPDATE", &[]).unwrap(), 1);
            busy();
            tx.rollback().unwrap();
        }
    }
    assert_eq!(env.books(), before);
}

#[test]
fn acc_1_renaming_keeps_the_code_and_every_voucher_on_it() {
    let env = Env::with_ledger();
    env.refused("ACC-1", &["--as", "管理员", "account", "rename", "520101", "水电费"]);
    env.refused("ACC-1", &["--as", "管理员", "account", "rename", "529999", "杂项"]);
    env.refused("OPR-1", &["account", "rename", "520101", "办公用品费"]);
    let out = env.admin(&["account", "rename", "520101", "办公用品费"]);
    assert!(out.contains("已更名为“办公用品费”"), "{out}");
    let list = env.ok(&["account", "list"]);
    assert!(list.contains("办公用品费") && !list.contains("办公费 "), "{list}");
    let log = env.ok(&["log", "--limit", "1"]);
    assert!(log.contains("科目 520101 更名为“办公用品费”"), "{log}");
    env.ok(&["verify"]);
}

/// A file that is not there is said so in Chinese, whichever command reads it.
#[test]
fn csv_1_a_missing_file_is_said_in_chinese() {
    let env = Env::with_ledger();
    for (rule, args) in [
        ("CSV-1", &["import", "没有这个文件.csv"][..]),
        ("CSV-1", &["voucher", "add", "--file", "没有这个文件.toml"][..]),
    ] {
        let err = env.refused(rule, args);
        assert!(err.contains("文件不存在") && !err.contains("os error"), "{args:?}: {err}");
    }
    let err = env.fails(1, &["street", "month", "2025-01", "--statement", "没有这个文件.csv"]);
    assert!(err.contains("[BNK-1]") && err.contains("文件不存在") && !err.contains("os error"), "{err}");
}

/// `serve` on books it cannot open (a file that is no store; on
/// PostgreSQL, a server refusing the sign-in) stops before it listens, in
/// words, rather than starting an office whose every page fails.
#[test]
fn serve_refuses_books_it_cannot_open_before_it_listens() {
    let env = Env::new();
    env.write("名册.csv", "姓名,电话\n张伟,1\n");
    let mut child = env
        .command()
        .args(["--db", "名册.csv", "serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run qianzhang");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve started on a file that is no store");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let out = child.wait_with_output().expect("output");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("名册.csv 不是钱账的账簿文件") && !err.contains("已启动"), "{err}");
}
