//! End to end through the binary: a community's quarter, its reports as
//! golden files, export round trips, and tampering caught by `verify`.

mod common;

use common::{fixture, quarter, Env};

/// The clock of the month-2025-04 script and the example vouchers: April is done.
const APRIL: &str = "2025-04-30T18:00:00+08:00";

#[test]
fn reports_of_the_fixture_quarter_match_golden_files() {
    let env = quarter();
    let q = ["--from", "2025-01", "--to", "2025-03"];
    for format in ["text", "json", "csv", "md"] {
        let out = env.ok(&[&["report", "trial-balance", "--format", format][..], &q[..]].concat());
        insta::assert_snapshot!(format!("trial_balance_{format}"), out);
    }
    insta::assert_snapshot!(
        "journal_2025_02_text",
        env.ok(&["report", "journal", "--from", "2025-02", "--to", "2025-02"])
    );
    insta::assert_snapshot!(
        "journal_2025_02_json",
        env.ok(&["report", "journal", "--from", "2025-02", "--to", "2025-02", "--format", "json"])
    );
    insta::assert_snapshot!("ledger_1001_text", env.ok(&[&["report", "ledger", "1001"][..], &q[..]].concat()));
    insta::assert_snapshot!("ledger_5201_md", env.ok(&["report", "ledger", "管理费用", "--format", "md"]));
    insta::assert_snapshot!("ledger_112201_json", env.ok(&["report", "ledger", "112201", "--format", "json"]));
    insta::assert_snapshot!(
        "journal_2025_03_csv",
        env.ok(&["report", "journal", "--from", "2025-03", "--to", "2025-03", "--format", "csv"])
    );
    insta::assert_snapshot!("voucher_show_reversal", env.ok(&["voucher", "show", "2025-02/记-0003"]));
    insta::assert_snapshot!("funds_2025_q1_text", env.ok(&[&["report", "funds"][..], &q[..]].concat()));
    insta::assert_snapshot!(
        "cash_journal_2025_01_text",
        env.ok(&["report", "cash-journal", "--from", "2025-01", "--to", "2025-01"])
    );
    insta::assert_snapshot!(
        "bank_journal_2025_02_csv",
        env.ok(&["report", "bank-journal", "--from", "2025-02", "--to", "2025-02", "--format", "csv"])
    );
    insta::assert_snapshot!("account_list", env.ok(&["account", "list"]));
}

#[test]
fn trial_balance_json_rows_carry_signed_two_decimal_strings() {
    let env = quarter();
    let out = env.ok(&["report", "trial-balance", "--from", "2025-01", "--to", "2025-03", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let cash = rows.iter().find(|r| r["account"] == "1001").unwrap();
    assert_eq!(cash["name"], "库存现金");
    assert_eq!(cash["opening"], "2113.00");
    assert_eq!(cash["debit"], "5880.00");
    assert_eq!(cash["credit"], "5504.30");
    assert_eq!(cash["closing"], "2488.70");
    let net = rows.iter().find(|r| r["account"] == "3101").unwrap();
    assert_eq!(net["closing"], "-48740.00");
    let leaf_sum: i64 = rows
        .iter()
        .filter(|r| r["level"] == 1)
        .map(|r| qianzhang_core::Money::parse(r["closing"].as_str().unwrap()).unwrap().fen())
        .sum();
    assert_eq!(leaf_sum, 0, "closing balances of top-level accounts sum to zero");
}

#[test]
fn migrated_history_is_marked_in_every_report() {
    let env = quarter();
    let journal = env.ok(&["report", "journal", "--from", "2024-12", "--to", "2024-12"]);
    assert!(journal.contains("［历史迁移］"), "{journal}");
    let json = env.ok(&["report", "journal", "--from", "2024-12", "--to", "2024-12", "--format", "json"]);
    assert!(json.contains("\"origin\": \"history\""));
    let csv = env.ok(&["report", "journal", "--from", "2024-12", "--to", "2024-12", "--format", "csv"]);
    assert!(csv.lines().nth(1).unwrap().contains(",history,"), "{csv}");
    assert!(env.ok(&["report", "ledger", "1001", "--from", "2024-12", "--to", "2024-12"]).contains("［历史迁移］"));
}

#[test]
fn export_csv_round_trips() {
    let env = quarter();
    let history = env.ok(&["export", "--format", "csv", "--to", "2024-12"]);
    let current = env.ok(&["export", "--format", "csv", "--from", "2025-01", "--chinese-header"]);
    let copy = Env::with_office_unfunded();
    copy.write("h.csv", &history);
    copy.write("c.csv", &current);
    copy.ok(&["import", "--history", "h.csv"]);
    copy.ok(&["import", "c.csv"]);
    copy.issue_fixture_receipts();
    for p in ["2025-01", "2025-02", "2025-03"] {
        copy.walk(p);
    }
    assert_eq!(copy.ok(&["export", "--format", "csv", "--to", "2024-12"]), history);
    assert_eq!(copy.ok(&["export", "--format", "csv", "--from", "2025-01", "--chinese-header"]), current);
    let tb = ["report", "trial-balance", "--format", "json"];
    assert_eq!(copy.ok(&tb), env.ok(&tb));
}

#[test]
fn export_ledger_agrees_with_ledger_cli() {
    let env = quarter();
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-31",
        "--summary",
        "未记账",
        "--debit",
        "520101=1000",
        "--credit",
        "1001=1000",
    ]);
    let journal = env.ok(&["export", "--format", "ledger"]);
    assert!(!journal.contains("未记账"), "only posted vouchers are exported to ledger: {journal}");
    assert!(journal.contains("2025-02-18 * (2025-02/记-0003)"), "{journal}");
    assert!(journal.contains("    管理费用:水电费  -199.00 CNY"), "{journal}");
    let path = env.write("all.journal", &journal);
    // CI installs ledger-cli and hledger and must run them; on a developer's
    // machine without them the journal text checks above still run.
    for tool in ["ledger", "hledger"] {
        let Ok(out) = std::process::Command::new(tool)
            .args(["-f", path.to_str().unwrap(), "bal", "--flat", "--no-total"])
            .output()
        else {
            assert!(std::env::var_os("CI").is_none(), "CI must install {tool} for the cross-check");
            eprintln!("{tool} is not installed: the cross-check with it is skipped");
            continue;
        };
        assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        for (amount, name) in [
            ("2488.70 CNY", "库存现金"),
            ("95793.80 CNY", "银行存款"),
            ("-48740.00 CNY", "非限定性净资产"),
            ("398.00 CNY", "管理费用:通讯费"),
        ] {
            assert!(
                text.lines().any(|l| l.trim_start().starts_with(amount) && l.trim_end().ends_with(name)),
                "{tool}: {name} {amount} in\n{text}"
            );
        }
    }
}

#[test]
fn verify_passes_on_a_clean_store_and_prints_the_fingerprint() {
    let env = quarter();
    let out = env.ok(&["verify"]);
    assert!(out.contains("校验通过"), "{out}");
    let head = "FROM log ORDER BY seq DESC LIMIT 1";
    let hex = env
        .store
        .texts(&format!("SELECT lower(hex(hash)) {head}"), &format!("SELECT encode(hash, 'hex') {head}"))
        .remove(0);
    assert!(out.contains(&hex), "{out}");
}

/// Each tampering (the guards off) is caught with exit 3, naming the table
/// and the entry.
fn tampered(sql: &str, expect: &[&str]) {
    let env = quarter();
    env.tamper(sql);
    let err = env.fails(3, &["verify"]);
    assert!(err.contains("[AUD-2]"), "{err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
}

#[test]
fn aud_2_catches_an_edited_log_entry() {
    tampered(
        "UPDATE log SET payload = replace(payload, '356.80', '35.68') WHERE payload LIKE '%356.80%';",
        &["内容与其哈希不符", "第一处不符在日志第"],
    );
}

#[test]
fn aud_2_catches_a_deleted_log_entry() {
    tampered("DELETE FROM log WHERE seq = 40;", &["日志第 40 条缺失"]);
}

#[test]
fn aud_2_catches_the_last_log_entry_deleted() {
    tampered("DELETE FROM log WHERE seq = (SELECT MAX(seq) FROM log);", &["vouchers"]);
}

#[test]
fn aud_2_catches_an_edited_voucher_row() {
    tampered(
        "UPDATE vouchers SET date = '2025-01-11' WHERE period = 202501 AND number = 3;",
        &["表 vouchers 的记录被改动", "2025-01-11"],
    );
}

#[test]
fn aud_2_catches_a_deleted_voucher_row() {
    tampered("DELETE FROM vouchers WHERE period = 202502 AND number = 2;", &["表 vouchers"]);
}

#[test]
fn aud_2_catches_an_edited_balance() {
    tampered(
        "UPDATE balances SET debit = debit + 100 WHERE account = '1001' AND period = 202502;",
        &["表 balances", "1001"],
    );
}

#[test]
fn aud_2_catches_a_deleted_balance() {
    tampered("DELETE FROM balances WHERE account = '520102' AND period = 202501;", &["表 balances"]);
}

#[test]
fn aud_2_catches_an_edited_account() {
    tampered("UPDATE accounts SET name = '招待费' WHERE code = '520101';", &["表 accounts", "招待费"]);
}

#[test]
fn aud_2_catches_a_reopened_period() {
    tampered("DELETE FROM periods WHERE period = 202412;", &["表 periods", "缺少记录"]);
}

#[test]
fn aud_2_catches_an_edited_ledger() {
    tampered("UPDATE ledgers SET start_period = 202410;", &["表 ledgers"]);
}

#[test]
fn aud_2_catches_a_forgotten_import() {
    tampered("DELETE FROM imports;", &["表 imports"]);
}

#[test]
fn posted_data_cannot_be_changed_through_sql_while_the_guards_stand() {
    let env = quarter();
    for sql in [
        "UPDATE log SET actor = 'x' WHERE seq = 1",
        "DELETE FROM log WHERE seq = 1",
        "UPDATE vouchers SET date = '2025-01-01' WHERE status = 'posted'",
        "DELETE FROM vouchers",
        "DELETE FROM accounts",
    ] {
        assert!(env.store.execute(sql).is_err(), "{sql} went through");
    }
    // The rows are as they were.
    env.ok(&["verify"]);
}

#[test]
fn several_ledgers_in_one_store() {
    let env = Env::with_ledger();
    env.ok(&["init", "--ledger", "和平里", "--start", "2025-03"]);
    let err = env.fails(1, &["report", "trial-balance"]);
    assert!(err.contains("[LED-1]") && err.contains("和平里"), "{err}");
    // 赵敏 administers 和平里; its accountant is 钱七.
    env.ok(&["--ledger", "和平里", "person", "add", "钱七"]);
    env.ok(&["--ledger", "和平里", "person", "appoint", "钱七", "--role", "accountant", "--from", "2025-03-01"]);
    let add = ["--ledger", "和平里", "voucher", "add", "--date", "2025-03-02", "--summary", "拨款"];
    let lines = ["--debit", "1002=500", "--credit", "4401=500", "--doc-type", "银行回单", "--handler", "吴九"];
    let err = env.fails(1, &[&add[..], &lines[..]].concat());
    assert!(err.contains("[OPR-1]") && err.contains("没有会计的任职"), "an administrator does not keep books: {err}");
    env.ok(&[&["--as", "钱七"][..], &add[..], &lines[..]].concat());
    for (who, role) in [("周八", "reviewer"), ("吴九", "cashier")] {
        env.ok(&["--ledger", "和平里", "person", "add", who]);
        env.ok(&["--ledger", "和平里", "person", "appoint", who, "--role", role, "--from", "2025-03-01"]);
    }
    env.ok(&["--as", "周八", "--ledger", "和平里", "voucher", "review", "2025-03/记-0001"]);
    env.ok(&["--as", "吴九", "--ledger", "和平里", "voucher", "confirm", "2025-03/记-0001"]);
    env.ok(&["--as", "钱七", "--ledger", "和平里", "voucher", "post", "2025-03/记-0001"]);
    let tb = env.ok(&["--ledger", "和平里", "report", "trial-balance"]);
    assert!(tb.contains("500.00"), "{tb}");
    assert!(!env.ok(&["--ledger", "幸福里", "report", "trial-balance"]).contains("500.00"));
    let out = env.ok(&["verify"]);
    assert_eq!(out.matches("校验通过").count(), 2, "{out}");
    env.fails(1, &["init", "--ledger", "和平里", "--start", "2025-03"]);
}

#[test]
fn voucher_from_a_toml_file_and_its_life_cycle() {
    let env = Env::with_office();
    let file = env.write(
        "v.toml",
        r#"date = "2025-01-10"
authorization = "街道批复〔2025〕3号"
[[lines]]
summary = "购买办公用品"
account = "管理费用/办公费"
debit = "1,356.80"
counterparty = "惠民文具店"
[[lines]]
summary = "购买办公用品"
account = "1002"
credit = 1356.8
[[documents]]
doc_type = "发票"
number = "04418822"
amount = "1356.80"
handler = "张伟"
checker = "李娜"
"#,
    );
    let opening = env.ok(&["report", "trial-balance", "--format", "json"]);
    assert!(env.ok(&["voucher", "add", "--file", file.to_str().unwrap()]).contains("2025-01/记-0001"));
    let json = env.write("v.json", r#"{"date":"2025-01-11","lines":[{"summary":"拨款","account":"1002","debit":"800"},{"summary":"拨款","account":"440101","credit":"800"}],"documents":[{"doc_type":"银行回单","amount":"800","handler":"王芳"}]}"#);
    env.ok(&["voucher", "add", "--file", json.to_str().unwrap()]);
    let before = env.ok(&["report", "trial-balance", "--format", "json"]);
    assert_eq!(before, opening, "prepared vouchers do not touch balances");
    env.sign_and_post(&["2025-01/记-0001", "2025-01/2"]);
    let list = env.ok(&["voucher", "list", "--from", "2025-01", "--to", "2025-01"]);
    assert_eq!(list.matches("已记账").count(), 2, "{list}");
    let show = env.ok(&["voucher", "show", "2025-01/记-0001"]);
    assert!(
        show.contains("壹仟叁佰伍拾陆元捌角整") && show.contains("发票") && show.contains("街道批复〔2025〕3号"),
        "{show}"
    );
    let rev = env.ok(&["voucher", "reverse", "2025-01/记-0001"]);
    assert!(rev.contains("2025-03/记-0001"), "dated today by the pinned clock: {rev}");
    env.sign_and_post(&["2025-03/记-0001"]);
    let tb = env.ok(&["report", "trial-balance", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&tb).unwrap();
    assert!(rows.iter().all(|r| r["account"] != "520101"), "the red reversal nets the expense to nothing: {tb}");
    let bank = rows.iter().find(|r| r["account"] == "1002").unwrap();
    assert_eq!(
        (bank["debit"].as_str(), bank["credit"].as_str(), bank["closing"].as_str()),
        (Some("100800.00"), Some("0.00"), Some("100800.00"))
    );
}

#[test]
fn demo_builds_the_quarter_and_verifies() {
    let env = Env::new();
    // The demo plays April too: its vouchers are dated no later than today (VCH-3).
    env.set_now("2025-05-06T09:00:00+08:00");
    let out = env.ok(&["demo", "--db", env.path("demo.db").to_str().unwrap()]);
    assert!(out.contains("科目余额表") && out.contains("试算平衡") && out.contains("校验通过"), "{out}");
    assert!(out.contains("124,437.00") && out.contains("2,688.70"), "{out}");
    assert!(out.contains("重放四月份的 32 项操作，其中 14 项按规则被拒绝"), "{out}");
    // It ends on April's closed month: the statement, and its poster beside the store.
    assert!(out.contains("幸福里社区居委会财务收支公开表（2025年04月）") && !out.contains("草稿"), "{out}");
    assert!(out.contains("本期收入       30,200.00") && out.contains("账簿指纹（结账时）"), "{out}");
    let poster = std::fs::read_to_string(env.path("财务公开-2025-04.html")).unwrap();
    assert!(poster.starts_with("<!DOCTYPE html>") && poster.contains("<svg"), "{poster}");
    // Its QR code points to April's page on the demo's web office.
    let board =
        "http://127.0.0.1:8080/board/%E5%B9%B8%E7%A6%8F%E9%87%8C%E7%A4%BE%E5%8C%BA%E5%B1%85%E5%A7%94%E4%BC%9A/2025-04";
    assert!(poster.contains("扫码核对本表") && poster.contains(board), "{poster}");
    // April's balance sheet, tied out, and April's vouchers printed beside the store.
    assert!(out.contains("资产负债表　会民非01表") && out.contains("资产总计 = 负债和净资产总计"), "{out}");
    let printed = std::fs::read_to_string(env.path("记账凭证-2025-04.html")).unwrap();
    assert!(printed.contains("记字第") && printed.matches("人民币（大写）").count() >= 4, "{printed}");
    assert!(out.contains("四月的记账凭证"), "{out}");
    let check = env.ok(&["--db", env.path("demo.db").to_str().unwrap(), "period", "check", "2025-05"]);
    assert!(check.contains("2025-05"), "{check}");
}

#[test]
fn the_example_voucher_files_are_accepted() {
    let env = Env::with_office().at(APRIL);
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for (file, reference) in [("voucher.toml", "2025-04/记-0001"), ("voucher.json", "2025-04/记-0002")] {
        let out = env.ok(&["voucher", "add", "--file", examples.join(file).to_str().unwrap()]);
        assert!(out.contains(reference), "{file}: {out}");
    }
    env.walk("2025-04");
    let tb = env.ok(&["report", "trial-balance", "--format", "csv"]);
    assert!(tb.contains("1002,银行存款,1,0.00,105000.00,1356.80,103643.20"), "{tb}");
}

/// The April script of fixtures/month-2025-04.txt, played by the four
/// officers after the fixture quarter: every step ends as written, the
/// refusals change nothing, and April's trial balance is as computed by hand.
#[test]
fn a_month_of_work_with_its_refusals() {
    let env = quarter().at(APRIL);
    let script = std::fs::read_to_string(fixture("month-2025-04.txt")).unwrap();
    let mut refused = 0;
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let parts: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        let (expect, who, args) = (parts[0], parts[1], parts[2]);
        let argv: Vec<&str> = ["--as", who].into_iter().chain(args.split_whitespace()).collect();
        if expect == "ok" {
            env.ok(&argv);
        } else {
            env.refused(expect, &argv);
            refused += 1;
        }
    }
    assert!(refused >= 10, "{refused} refusals");
    let logged = env.store.query("SELECT CAST(COUNT(*) AS TEXT) FROM log WHERE kind = 'refused'").remove(0);
    assert_eq!(logged, refused.to_string(), "every refusal of the month is in the log");
    let tb = env.ok(&["report", "trial-balance", "--from", "2025-04", "--to", "2025-04", "--format", "csv"]);
    for row in [
        "1001,库存现金,1,2488.70,200.00,0.00,2688.70",
        "1002,银行存款,1,95793.80,30000.00,1356.80,124437.00",
        "410102,社会捐赠,2,-600.00,0.00,200.00,-800.00",
        "440101,街道办公经费,2,-54000.00,0.00,30000.00,-84000.00",
        "520101,办公费,2,753.30,1356.80,0.00,2110.10",
    ] {
        assert!(tb.lines().any(|l| l == row), "{row} in\n{tb}");
    }
    // The 1,200.00 electricity bill cited the wrong kind of authorization: it waits, unposted.
    let list = env.ok(&["voucher", "list", "--from", "2025-04", "--to", "2025-04"]);
    assert!(list.lines().any(|l| l.contains("2025-04/记-0003") && l.contains("待审批")), "{list}");
    env.ok(&["verify"]);
}
