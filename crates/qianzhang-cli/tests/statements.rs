//! The three statements (STM-1): each form's text as a golden file, and
//! their totals tied to the trial balance of the same month.

mod common;

use common::ties::{close, json, line, ties_to_the_trial_balance, trial_balance};
use common::{closed_january, quarter};
use serde_json::Value;

#[test]
fn stm_1_closed_january_statements_as_the_forms_print_them() {
    let env = closed_january();
    for kind in ["balance-sheet", "activities", "cash-flow"] {
        let out = env.ok(&["report", kind, "--month", "2025-01"]);
        insta::assert_snapshot!(format!("{}_2025_01_text", kind.replace('-', "_")), out);
    }
    ties_to_the_trial_balance(&env, "2025-01");
    // The Chinese names are the same reports.
    assert_eq!(
        env.ok(&["report", "资产负债表", "--month", "2025-01"]),
        env.ok(&["report", "balance-sheet", "--month", "2025-01"])
    );
    let md = env.ok(&["report", "业务活动表", "--month", "2025-01", "--format", "md"]);
    assert!(md.contains("| 项目 | 行次 |") && md.contains("会民非02表"), "{md}");
    let csv = env.ok(&["report", "现金流量表", "--month", "2025-01", "--format", "csv"]);
    assert!(csv.starts_with("\u{feff}项目,行次,本月数,本年累计数\n") && csv.contains("现金流入小计,13,"), "{csv}");
}

#[test]
fn stm_1_a_quarter_ties_out_month_by_month_with_history_before_it() {
    let env = quarter();
    for month in ["2025-01", "2025-02", "2025-03"] {
        ties_to_the_trial_balance(&env, month);
    }
    // 年初数 is the end of 2024, as the history left it.
    let bs = json(&env, "balance-sheet", "2025-03");
    let tb = trial_balance(&env, &["--from", "2025-01", "--to", "2025-03"]);
    let opening: f64 = tb.iter().filter(|r| r.1 == "asset").map(|r| r.2).sum();
    assert!(close(line(&bs, 60)[0], opening), "年初数 资产总计 = the assets at the end of 2024");
    // 本年累计数 sums the quarter.
    let act = json(&env, "activities", "2025-03");
    let income: f64 = tb.iter().filter(|r| r.1 == "income").map(|r| r.4 - r.3).sum();
    assert!(close(line(&act, 11)[5], income), "收入合计 本年累计数");
}

#[test]
fn stm_1_a_statement_is_not_cut_by_fund() {
    let env = closed_january();
    let err = env.fails(1, &["report", "balance-sheet", "--month", "2025-01", "--fund", "低保"]);
    assert!(err.contains("FND-1") && err.contains("不能按专项资金编制") && err.contains("report funds"), "{err}");
}

#[test]
fn stm_1_the_years_disclosure_carries_the_three_statements_and_a_months_does_not() {
    let env = closed_january();
    let year = env.ok(&["disclose", "--year", "2025"]);
    for title in ["十一、资产负债表　会民非01表", "十二、业务活动表　会民非02表", "十三、现金流量表　会民非03表"]
    {
        assert!(year.contains(title), "{title}: {year}");
    }
    assert!(year.contains("编制单位：幸福里　　2025年12月31日　　单位：元"), "{year}");
    let json: Value = serde_json::from_str(&env.ok(&["disclose", "--year", "2025", "--format", "json"])).unwrap();
    assert_eq!(json["statements"]["balance_sheet"]["balanced"], true);
    let html = env.ok(&["disclose", "--year", "2025", "--format", "html"]);
    assert!(html.contains("十三、现金流量表"), "the poster has them too");
    let month = env.ok(&["disclose", "--month", "2025-01"]);
    assert!(!month.contains("资产负债表"), "{month}");
}

#[test]
fn stm_1_statement_totals_are_verified() {
    let env = closed_january();
    env.tamper("UPDATE statement_totals SET credit = credit + 1 WHERE part = 'cash';");
    let err = env.fails(3, &["verify"]);
    assert!(err.contains("表 statement_totals"), "{err}");
}

#[test]
fn stm_1_statement_totals_are_filled_for_an_older_store() {
    // A SQLite file of an older schema: the downgrade is the file format's own.
    let env = common::on_sqlite(closed_january);
    let before = env.ok(&["report", "cash-flow", "--month", "2025-01"]);
    // A store written before the table existed has it filled when opened.
    env.sql(
        "DROP TABLE statement_totals; DROP TABLE openings; DROP TABLE calendar_days; DROP TABLE households; \
         DROP TABLE collections; ALTER TABLE authorizations DROP COLUMN decision; DROP TABLE publications; DROP TABLE voucher_scans; DROP TABLE scans; PRAGMA user_version = 12;",
    );
    assert_eq!(env.ok(&["report", "cash-flow", "--month", "2025-01"]), before);
    env.ok(&["verify"]);
}

#[test]
fn stm_1_pub_1_a_span_before_go_live_is_refused_unless_history_covers_it() {
    // Going live in 2025-01 with openings: they stand as the totals of 2024-12.
    let env = common::Env::with_office_unfunded();
    env.write("期初.csv", "科目编码,科目名称,期初借方,期初贷方\n1001,库存现金,3000,\n1002,银行存款,100000,\n3101,非限定性净资产,,103000\n");
    env.ok(&["opening", "import", "期初.csv"]);
    for kind in ["balance-sheet", "activities", "cash-flow"] {
        for month in ["2024-12", "1900-01"] {
            let err = env.fails(1, &["report", kind, "--month", month]);
            assert!(err.contains("[STM-1]") && err.contains("账套启用期间 2025-01"), "{kind} {month}: {err}");
        }
    }
    for span in [["--month", "2024-12"], ["--quarter", "2024-Q4"], ["--year", "2024"]] {
        let err = env.fails(1, &["disclose", span[0], span[1]]);
        assert!(err.contains("[PUB-1]") && err.contains("账套启用期间 2025-01"), "{span:?}: {err}");
    }
    // The go-live month itself is reported as before.
    let flow = env.ok(&["report", "cash-flow", "--month", "2025-01"]);
    assert!(!flow.contains("勾稽不符"), "{flow}");
    env.ok(&["disclose", "--month", "2025-01"]);
    // Migrated history before go-live is the old books: its months are reported.
    let env = quarter();
    let flow = env.ok(&["report", "cash-flow", "--month", "2024-12"]);
    assert!(!flow.contains("勾稽不符"), "{flow}");
    env.ok(&["report", "balance-sheet", "--month", "2024-11"]);
    env.ok(&["disclose", "--quarter", "2024-Q4"]);
    env.ok(&["disclose", "--month", "2024-10"]);
    let err = env.fails(1, &["report", "balance-sheet", "--month", "2024-09"]);
    assert!(err.contains("[STM-1]") && err.contains("账套启用期间 2025-01"), "{err}");
}
