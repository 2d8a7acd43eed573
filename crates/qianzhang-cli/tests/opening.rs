//! Opening balances of the go-live month (OPN-1): a community goes live
//! with last year's closing trial balance instead of migrated history.

mod common;

use common::Env;

/// Last year's closing trial balance as the accountant's software exports
/// it: parent rows (blank balances here), the 合计 row, ¥ and commas.
const TRIAL_BALANCE: &str = "科目编码,科目名称,期初借方,期初贷方\n\
1001,库存现金,\"3,000.00\",\n\
1002,银行存款,\"¥100,000.00\",\n\
2202,应付账款,,\"1,500.00\"\n\
3101,非限定性净资产,,\"101,500.00\"\n\
,合计,\"103,000.00\",\"103,000.00\"\n";

fn live_with_openings() -> Env {
    let env = Env::with_office_unfunded();
    env.write("期初.csv", TRIAL_BALANCE);
    let out = env.ok(&["opening", "import", "期初.csv"]);
    assert!(out.contains("4 行") && out.contains("期初余额平衡"), "{out}");
    env
}

#[test]
fn opn_1_a_ledger_goes_live_with_openings_from_a_trial_balance_csv() {
    let env = live_with_openings();
    let show = env.ok(&["opening", "show"]);
    insta::assert_snapshot!("opening_show", show);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["opening", "show", "--format", "json"])).expect("JSON");
    assert_eq!((json["balanced"].clone(), json["totals"]["debit"].clone()), (true.into(), "103000.00".into()));
    let tb = env.ok(&["report", "trial-balance", "--month", "2025-01"]);
    insta::assert_snapshot!("opening_trial_balance_2025_01", tb);
    let journal = env.ok(&["report", "cash-journal", "--month", "2025-01"]);
    assert!(journal.contains("期初余额") && journal.contains("3,000.00"), "{journal}");
    // The cashier's count agrees with the opening cash.
    let count = env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-06", "--amount", "3000"]);
    assert!(count.contains("账面 ¥3,000.00") && !count.contains("短款") && !count.contains("长款"), "{count}");
    // The board's 上期结余 of the go-live month is the opening cash and bank.
    let board = env.ok(&["disclose", "--month", "2025-01"]);
    assert!(board.contains("103,000.00") && board.contains("其中现金 3,000.00，银行存款 100,000.00"), "{board}");
    // The bank reconciliation's book balance holds the opening bank.
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-01", "--format", "json"]);
    assert!(rec.contains("100000.00"), "{rec}");
    // Setting again is a correction, logged; the import is all or nothing.
    let out = env.ok(&["opening", "set", "1001", "￥2,900"]);
    assert!(out.contains("借 ¥2,900.00") && out.contains("原为 借 ¥3,000.00") && out.contains("尚不平衡"), "{out}");
    let log = env.ok(&["log", "--limit", "1"]);
    assert!(log.contains("期初余额 1001") && log.contains("原为 借 ¥3,000.00"), "{log}");
    let out = env.ok(&["opening", "set", "2202", "100", "--direction", "借"]);
    assert!(out.contains("借 ¥100.00"), "{out}");
    let out = env.ok(&["opening", "set", "2202", "1500"]);
    assert!(out.contains("贷 ¥1,500.00") && out.contains("原为 借 ¥100.00"), "{out}");
    // A negative amount stands on the side other than the account's normal one.
    let out = env.ok(&["opening", "set", "3101", "-1"]);
    assert!(out.contains("借 ¥1.00"), "{out}");
    env.ok(&["opening", "set", "3101", "101,500"]);
    let out = env.ok(&["--json", "opening", "set", "1001", "3000"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!((json["code"].clone(), json["direction"].clone()), ("1001".into(), "借".into()));
    // A file given twice replaces: nothing changes the second time.
    let out = env.ok(&["opening", "import", "期初.csv"]);
    assert!(out.contains("0 个科目有变动"), "{out}");
    // What `opening show` writes as CSV reads back as the same set.
    env.write("show.csv", env.ok(&["opening", "show", "--format", "csv"]));
    let out = env.ok(&["opening", "import", "show.csv"]);
    assert!(out.contains("4 行，0 个科目有变动"), "{out}");
    // And as a workbook: the title rows above and the note below are skipped.
    env.ok(&["opening", "show", "--format", "xlsx", "-o", env.path("show.xlsx").to_str().unwrap()]);
    let out = env.ok(&["opening", "import", "show.xlsx"]);
    assert!(out.contains("4 行，0 个科目有变动"), "{out}");
    // History is not migrated on top of openings.
    env.write(
        "history.csv",
        "date,voucher,summary,account,debit,credit\n2024-12-31,1,期初,1001,1,\n2024-12-31,1,期初,3101,,1\n",
    );
    env.refused("OPN-1", &["import", "--history", "history.csv"]);
}

#[test]
fn opn_1_a_bad_file_changes_nothing_and_names_every_row() {
    let env = live_with_openings();
    env.write("bad.csv", "科目编码,科目名称,余额,方向\n1001,银行存款,5,借\n9999,,1,借\n1002,,abc,借\n2202,,1,上\n");
    let err = env.refused("OPN-1", &["opening", "import", "bad.csv"]);
    for row in ["第 2 行：[OPN-1]", "第 3 行：[OPN-1]", "第 4 行：[CSV-2]", "第 5 行：[CSV-2]"] {
        assert!(err.contains(row), "{row} in {err}");
    }
    env.refused("OPN-1", &["opening", "set", "5", "1"]);
    let err = env.refused("SEP-5", &["--as", "王芳", "opening", "set", "1001", "1"]);
    assert!(err.contains("期初余额"), "{err}");
    let err = env.refused("OPN-1", &["opening", "set", "1001", "-1", "--direction", "贷"]);
    assert!(err.contains("不能为负数"), "{err}");
    let err = env.fails(2, &["opening", "set", "1001", "1", "--direction", "上"]);
    assert!(err.contains("借"), "{err}");
}

#[test]
fn opn_1_the_first_close_waits_for_balanced_openings_and_then_they_are_fixed() {
    let env = Env::with_office_unfunded().at(common::JANUARY_END);
    env.ok(&["opening", "set", "1001", "3000"]);
    env.ok(&["opening", "set", "3101", "2000"]);
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "3000"]);
    let todo = env.ok(&["todo"]);
    assert!(todo.contains("期初余额不平衡"), "{todo}");
    env.set_now("2025-02-03T09:00:00+08:00");
    let check = env.ok(&["period", "check", "2025-01"]);
    assert!(check.contains("[OPN-1] 期初余额不平衡"), "{check}");
    let err = env.refused("OPN-1", &["period", "close", "2025-01"]);
    assert!(err.contains("期初余额不平衡") && err.contains("相差 ¥1,000.00（借方多）"), "{err}");
    env.ok(&["opening", "set", "3101", "3000"]);
    env.ok(&["period", "close", "2025-01"]);
    let err = env.refused("OPN-1", &["opening", "set", "1001", "2000"]);
    assert!(err.contains("已经结过账") && err.contains("凭证"), "{err}");
    env.write("again.csv", "科目编码,期初借方,期初贷方\n1001,1,\n");
    env.refused("OPN-1", &["opening", "import", "again.csv"]);
    let verify = env.ok(&["verify"]);
    assert!(!verify.contains("不一致"), "{verify}");
    let tb = env.ok(&["report", "trial-balance", "--month", "2025-02"]);
    assert!(tb.contains("3,000.00"), "{tb}");
}

#[test]
fn opn_1_a_ledger_with_migrated_history_takes_no_openings() {
    let env = Env::with_office();
    let err = env.refused("OPN-1", &["opening", "set", "1001", "1"]);
    assert!(err.contains("历史凭证"), "{err}");
}
