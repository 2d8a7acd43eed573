//! The three statements (STM-1) read as JSON and tied to the trial balance
//! of the same month.

use super::Env;
use serde_json::Value;

/// The figures of line `n` of a statement given as JSON.
pub fn line(s: &Value, n: u64) -> Vec<f64> {
    let l = s["lines"].as_array().unwrap().iter().find(|l| l["number"] == n).unwrap_or_else(|| panic!("line {n}"));
    l["values"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().parse::<f64>().unwrap()).collect()
}

pub fn json(env: &Env, kind: &str, month: &str) -> Value {
    serde_json::from_str(&env.ok(&["report", kind, "--month", month, "--format", "json"])).unwrap()
}

/// A level-1 row of the trial balance: (code, kind, opening, debit, credit, closing).
pub type Row = (String, String, f64, f64, f64, f64);

pub fn trial_balance(env: &Env, args: &[&str]) -> Vec<Row> {
    let tb: Value =
        serde_json::from_str(&env.ok(&[&["report", "trial-balance", "--format", "json"][..], args].concat())).unwrap();
    let n = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    tb.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == 1)
        .map(|r| {
            (
                r["account"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
                n(&r["opening"]),
                n(&r["debit"]),
                n(&r["credit"]),
                n(&r["closing"]),
            )
        })
        .collect()
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

/// Ties the month's statements to its trial balance and to each other.
pub fn ties_to_the_trial_balance(env: &Env, month: &str) {
    let bs = json(env, "balance-sheet", month);
    let act = json(env, "activities", month);
    let cash = json(env, "cash-flow", month);
    for s in [&bs, &act, &cash] {
        assert_eq!(s["balanced"], true, "{}: {}", s["title"], s["notes"]);
    }
    let tb = trial_balance(env, &["--month", month]);
    let sum = |pick: &dyn Fn(&Row) -> Option<f64>| -> f64 { tb.iter().filter_map(pick).sum() };
    let cash_close = sum(&|r| ["1001", "1002"].contains(&r.0.as_str()).then_some(r.5));
    let cash_open = sum(&|r| ["1001", "1002"].contains(&r.0.as_str()).then_some(r.2));
    assert!(close(line(&bs, 1)[1], cash_close), "货币资金 = 1001 + 1002");
    let assets = sum(&|r| (r.1 == "asset").then_some(r.5));
    assert!(close(line(&bs, 60)[1], assets), "资产总计 = the assets' closing balances: {} {assets}", line(&bs, 60)[1]);
    assert!(close(line(&bs, 120)[1], assets), "负债和净资产总计 = 资产总计");
    let liabilities = -sum(&|r| (r.1 == "liability").then_some(r.5));
    assert!(close(line(&bs, 100)[1], liabilities), "负债合计");
    let income = sum(&|r| (r.1 == "income").then_some(r.4 - r.3));
    let expense = sum(&|r| (r.1 == "expense").then_some(r.3 - r.4));
    assert!(close(line(&act, 11)[2], income), "收入合计 本月 = the income accounts' turnover");
    assert!(close(line(&act, 35)[2], expense), "费用合计 本月 = the expense accounts' turnover");
    assert!(close(line(&cash, 61)[0], cash_close - cash_open), "现金净增加额 本月 = 货币资金's change");
    assert!(close(line(&act, 45)[5], line(&bs, 110)[1] - line(&bs, 110)[0]), "净资产变动额 = 净资产's change");
}
