//! The street office's month (FND-3, 居账街管) end to end: a store with
//! three communities' ledgers, their December of migrated history, and the
//! street account's statement, matching and not.

mod common;

use common::{cached, Env, SETUP};
use serde_json::Value;

/// Three communities in one store, each with its share of the street
/// account brought in on 2024-11-30 and December's vouchers:
/// 幸福里 ¥500 → +¥200 subsidy, −¥12 office costs = ¥688;
/// 和平里 ¥300 → +¥8 donation, −¥25 a purchase (资产购置), −¥5 cash drawn = ¥278;
/// 光明里 ¥100, no movement. Together ¥1,066.
fn street() -> Env {
    cached("street", build_street).at(common::NOW)
}

fn build_street() -> Env {
    let env = Env::new().at(SETUP);
    let history: [(&str, &str); 3] = [
        (
            "幸福里",
            "2024-11-30,1,期初余额,1002,500,\n2024-11-30,1,期初余额,3101,,500\n\
             2024-12-05,1,街道拨付办公经费,1002,200,\n2024-12-05,1,街道拨付办公经费,4401,,200\n\
             2024-12-18,2,购买办公用品,5201,12,\n2024-12-18,2,购买办公用品,1002,,12\n",
        ),
        (
            "和平里",
            "2024-11-30,1,期初余额,1002,300,\n2024-11-30,1,期初余额,3101,,300\n\
             2024-12-10,1,居民捐赠,1002,8,\n2024-12-10,1,居民捐赠,4101,,8\n\
             2024-12-20,2,购置打印机,1501,25,\n2024-12-20,2,购置打印机,1002,,25\n\
             2024-12-20,3,提取备用金,1001,5,\n2024-12-20,3,提取备用金,1002,,5\n",
        ),
        ("光明里", "2024-11-30,1,期初余额,1002,100,\n2024-11-30,1,期初余额,3101,,100\n"),
    ];
    for (name, rows) in history {
        env.admin(&["--ledger", name, "init", "--start", "2025-01"]);
        env.admin(&["--ledger", name, "person", "add", "赵敏"]);
        env.admin(&["--ledger", name, "person", "appoint", "赵敏", "--role", "accountant", "--from", "2025-01-01"]);
        let file = format!("{name}.csv");
        env.write(&file, format!("date,voucher,summary,account,debit,credit\n{rows}"));
        env.ok(&["--ledger", name, "import", "--history", &file]);
    }
    env
}

/// The street account's December as the bank exports it; `interest` adds a
/// line no community has booked.
fn statement(env: &Env, name: &str, interest: bool) -> String {
    let mut text = String::from(
        "幸福街道办事处 单位账户交易明细\n交易日期,摘要,收入金额,支出金额,余额\n\
         20241205,拨款,200.00,,1100.00\n20241210,捐赠,8.00,,1108.00\n\
         20241218,办公用品,,12.00,1096.00\n20241220,打印机,,25.00,1071.00\n20241220,取现,,5.00,1066.00\n",
    );
    if interest {
        text.push_str("20241221,结息,1.23,,1067.23\n");
    }
    text.push_str("20250106,拨款,100.00,,1167.23\n");
    if !interest {
        text = text.replace("1167.23", "1166.00");
    }
    env.write(name, text);
    name.to_string()
}

#[test]
fn fnd_3_the_street_month_lists_every_community_and_agrees_with_the_statement() {
    let env = street();
    let file = statement(&env, "街道账户.csv", false);
    let out = env.ok(&["street", "month", "2024-12", "--statement", &file]);
    insta::assert_snapshot!("street_month_2024_12_text", out);
    assert!(out.contains("各社区份额合计 ¥1,066.00：相符（FND-3）"), "{out}");

    // The figures, as a script reads them.
    let json: Value =
        serde_json::from_str(&env.ok(&["street", "month", "2024-12", "--balance", "1066", "--format", "json"]))
            .unwrap();
    assert_eq!(json["agrees"], true);
    let rows = json["rows"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["ledger"].as_str().unwrap()).collect();
    assert_eq!(names, ["幸福里", "和平里", "光明里"]);
    let hepingli = &rows[1];
    assert_eq!(
        [&hepingli["opening"], &hepingli["income"], &hepingli["expense"], &hepingli["other"], &hepingli["closing"]],
        ["300.00", "8.00", "25.00", "-5.00", "278.00"]
    );
    assert_eq!(json["totals"]["closing"], "1066.00");
    assert_eq!(json["totals"]["income"], "208.00");

    // Named ledgers only, in the order given: the check is of those shares.
    let two =
        env.ok(&["street", "month", "2024-12", "--ledgers", "光明里,幸福里", "--balance", "788", "--format", "csv"]);
    let lines: Vec<&str> = two.lines().collect();
    assert!(
        lines[1].starts_with("光明里,") && lines[2].starts_with("幸福里,") && lines[3].starts_with("合计,"),
        "{two}"
    );
    assert!(lines[3].contains(",788.00,"), "{two}");
    // Spaces after the commas, and empty names, as a hand types them.
    let spaced =
        env.ok(&["street", "month", "2024-12", "--ledgers", "光明里, 幸福里,,", "--balance", "788", "--format", "csv"]);
    assert_eq!(spaced, two);

    // Without a statement the month is shown and says it was not checked.
    let unchecked = env.ok(&["street", "month", "2024-12"]);
    assert!(unchecked.contains("未核对"), "{unchecked}");
}

#[test]
fn fnd_3_shares_that_do_not_add_up_print_the_month_and_exit_1_naming_the_rule() {
    let env = street();
    let file = statement(&env, "街道账户.csv", true);
    let before = env.books();
    let out = env.run(&["street", "month", "2024-12", "--statement", &file]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("幸福里") && stdout.contains("不符，相差 ¥1.23"), "{stdout}");
    assert!(stderr.contains("[FND-3] 街道账户 2024-12 月末余额 ¥1,067.23"), "{stderr}");
    assert!(stderr.contains("相差 ¥1.23（对账单比份额合计多）"), "{stderr}");
    assert!(stderr.contains("没有记入任何社区账的收付"), "{stderr}");
    assert_eq!(env.books(), before, "reading changes nothing");

    // A typed balance the shares exceed, written to a file: the file holds the view.
    let page = env.path("街道.html");
    let err = env.fails(
        1,
        &["street", "month", "2024-12", "--balance", "1,000", "--format", "html", "-o", page.to_str().unwrap()],
    );
    assert!(err.contains("份额合计比对账单多"), "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<td class=\"\">和平里</td>") && html.contains("verdict bad"), "{html}");
}

#[test]
fn fnd_3_every_format_and_the_workbook() {
    let env = street();
    let md = env.ok(&["street", "month", "2024-12", "--balance", "1066", "--format", "md"]);
    assert!(md.contains("| **合计** | **900.00** | **208.00** | **37.00** | **-5.00** | **1,066.00** |"), "{md}");
    let plain = env.ok(&["--plain", "street", "month", "2024-12", "--format", "csv"]);
    assert!(plain.starts_with("ledger,opening,income,expense,other,closing,lowest,status\n"), "{plain}");
    let book = env.path("街道.xlsx");
    env.ok(&["street", "month", "2024-12", "--format", "xlsx", "-o", book.to_str().unwrap()]);
    assert_eq!(&std::fs::read(&book).unwrap()[..2], b"PK");
    // The global --json gives what --format json gives.
    let json = env.ok(&["--json", "street", "month", "2024-12", "--balance", "1066"]);
    assert_eq!(json, env.ok(&["street", "month", "2024-12", "--balance", "1066", "--format", "json"]));
    assert!(json.trim_start().starts_with('{'), "{json}");
}

#[test]
fn fnd_3_bad_requests_are_refused_plainly() {
    let env = street();
    let err = env.fails(1, &["street", "month", "2024-12", "--ledgers", "幸福里,不存在"]);
    assert!(err.contains("[LED-1] 没有名为“不存在”的账套"), "{err}");
    // A statement of another month says nothing of December.
    env.write("旧.csv", "交易日期,收入金额,支出金额,余额\n20241005,1.00,,1.00\n");
    let err = env.fails(1, &["street", "month", "2024-12", "--statement", "旧.csv"]);
    assert!(err.contains("[FND-3]") && err.contains("早于 2024-12"), "{err}");
    // Not a statement at all: the statement reader's own refusal.
    env.write("乱.csv", "甲,乙\n1,2\n");
    assert!(env.fails(1, &["street", "month", "2024-12", "--statement", "乱.csv"]).contains("[BNK-1]"));
    let err = env.fails(1, &["street", "month", "2024-12", "--account", "1001"]);
    assert!(err.contains("[FND-3]") && err.contains("不是银行存款科目"), "{err}");
    let err = env.fails(1, &["street", "month", "2024-12", "--account", "100299"]);
    assert!(err.contains("[FND-3]") && err.contains("幸福里"), "{err}");
    assert!(env.fails(1, &["street", "month", "2024-12", "--balance", "一千"]).contains("不是"));
    // Usage: --ledger is one ledger; both sources at once; a bad month.
    env.fails(2, &["--ledger", "幸福里", "street", "month", "2024-12"]);
    env.fails(2, &["street", "month", "2024-12", "--balance", "1", "--statement", "x.csv"]);
    env.fails(2, &["street", "month", "2024-13"]);
    // A store that does not exist (a file), or holds no ledger yet (a new database).
    let empty = Env::new();
    match empty.store.backend() {
        common::store::Backend::Sqlite => drop(empty.fails(2, &["street", "month", "2024-12"])),
        common::store::Backend::Postgres => {
            assert!(empty.fails(1, &["street", "month", "2024-12"]).contains("[LED-1] 账簿中还没有账套"))
        }
    }
}

/// An overdrawn street account's balance is typed with a minus, as
/// `--balance -5` or `--balance -¥1,066.00`: read as a balance below zero,
/// never as an unknown flag, and checked against the shares like any other.
#[test]
fn fnd_3_a_negative_balance_is_a_balance_not_a_flag() {
    let env = street();
    for (typed, read) in [("-5", "-5.00"), ("-¥1,066.00", "-1066.00")] {
        let out = env.run(&["street", "month", "2024-12", "--balance", typed, "--format", "json"]);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["statement"]["balance"], read, "{json}");
        assert_eq!(json["agrees"], false);
        assert!(stderr.contains("[FND-3]") && stderr.contains("份额合计比对账单多"), "{stderr}");
    }
}
