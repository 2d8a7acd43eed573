//! Chinese everywhere a user types or reads: every spelling of a date, a
//! month and an amount, in flags and in files; clap's errors in Chinese;
//! log times to the second.

mod common;

use common::Env;

const DATES: [&str; 5] = ["2025-03-05", "2025/3/5", "2025.3.5", "2025年3月5日", "20250305"];
const MONTHS: [&str; 5] = ["2025-03", "2025/3", "2025.3", "2025年3月", "202503"];
const AMOUNTS: [&str; 5] = ["1234.50", "1,234.50", "¥1,234.50", "￥1,234.50", "1234.50元"];

#[test]
fn lim_1_every_spelling_of_a_date_in_a_flag_is_the_same_day() {
    let env = Env::with_office();
    let canonical = env.ok(&["person", "list", "--date", "2025-03-05"]);
    assert!(canonical.contains("2025-03-05"), "{canonical}");
    for date in DATES {
        assert_eq!(env.ok(&["person", "list", "--date", date]), canonical, "{date}");
    }
    for (i, date) in DATES.iter().enumerate() {
        let summary = format!("办公用品{i}");
        env.ok(&[
            "voucher",
            "add",
            "--date",
            date,
            "--summary",
            &summary,
            "--debit",
            "520101=10",
            "--credit",
            "1001=10",
        ]);
    }
    let list = env.ok(&["voucher", "list", "--month", "2025-03"]);
    assert_eq!(list.matches("2025-03-05").count(), DATES.len(), "{list}");
}

#[test]
fn lim_1_every_spelling_of_a_month_is_the_same_month() {
    let env = Env::with_office();
    env.ok(&[
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
    ]);
    let canonical = env.ok(&["voucher", "list", "--month", "2025-03"]);
    assert!(canonical.contains("2025-03/记-0001"), "{canonical}");
    for month in MONTHS {
        assert_eq!(env.ok(&["voucher", "list", "--month", month]), canonical, "{month}");
        assert_eq!(env.ok(&["voucher", "list", "--from", month, "--to", month]), canonical, "{month}");
    }
    // A day or a month where either is taken.
    let trail = |from: &str, to: &str| env.admin(&["audit", "person", "赵敏", "--from", from, "--to", to]);
    let canonical = trail("2025-03", "2025-03-31");
    assert_eq!(trail("2025年3月", "2025年3月31日"), canonical);
    assert_eq!(trail("202503", "20250331"), canonical);
}

#[test]
fn every_spelling_of_an_amount_in_a_flag_is_the_same_amount() {
    let env = Env::with_office();
    for (i, amount) in AMOUNTS.iter().enumerate() {
        let summary = format!("办公用品{i}");
        let (debit, credit) = (format!("520101={amount}"), format!("1001={amount}"));
        env.ok(&[
            "voucher",
            "add",
            "--date",
            "2025-03-05",
            "--summary",
            &summary,
            "--debit",
            &debit,
            "--credit",
            &credit,
        ]);
        let number = format!("两委决议〔2025〕9{i}号");
        env.admin(&[
            "auth",
            "add",
            "--kind",
            "两委决议",
            "--number",
            &number,
            "--date",
            DATES[i],
            "--scope",
            "办公用品",
            "--cap",
            amount,
        ]);
    }
    let list = env.ok(&["voucher", "list", "--month", "2025-03"]);
    assert_eq!(list.matches("1,234.50").count(), AMOUNTS.len(), "{list}");
    let auths = env.ok(&["auth", "list"]);
    let new: Vec<&str> = auths.lines().filter(|l| l.starts_with("两委决议〔2025〕9")).collect();
    assert_eq!(new.len(), AMOUNTS.len(), "{auths}");
    assert!(new.iter().all(|l| l.contains("2025-03-05") && l.contains("1,234.50")), "{auths}");
    env.admin(&["settings", "set", "threshold", "¥2,000元"]);
    assert!(env.ok(&["settings"]).lines().any(|l| l.split_whitespace().take(2).eq(["threshold", "2000.00"])));
}

#[test]
fn every_spelling_of_a_date_and_an_amount_in_a_file_is_read() {
    let env = Env::with_office();
    let mut csv = String::from("日期,凭证号,摘要,科目,借方,贷方\n");
    for (i, (date, amount)) in DATES.iter().zip(AMOUNTS).enumerate() {
        csv.push_str(&format!(
            "{date},{n},办公用品,520101,\"{amount}\",\n{date},{n},办公用品,1001,,\"{amount}\"\n",
            n = i + 1
        ));
    }
    env.write("march.csv", csv);
    env.ok(&["import", "march.csv"]);
    let list = env.ok(&["voucher", "list", "--month", "2025年3月"]);
    assert_eq!(list.matches("2025-03-05").count(), DATES.len(), "{list}");
    assert_eq!(list.matches("1,234.50").count(), AMOUNTS.len(), "{list}");
}

#[test]
fn lim_1_a_day_not_on_the_calendar_is_refused_in_chinese_with_exit_2() {
    let env = Env::with_office();
    let err = env.fails(2, &["person", "list", "--date", "2025年2月30日"]);
    assert!(
        err.contains("参数 --date 的值“2025年2月30日”无效") && err.contains("2025年2月只有 28 天，没有 30 日"),
        "{err}"
    );
    assert!(!err.contains("error:") && !err.contains("invalid value"), "{err}");
    let err = env.fails(2, &["voucher", "list", "--month", "2025-13"]);
    assert!(err.contains("“2025-13”不是有效的会计期间：一年只有 12 个月"), "{err}");
    let err = env.fails(2, &["person", "list", "--date", "2200-01-01"]);
    assert!(err.contains("超出可记账的日期范围"), "{err}");
    // An amount that is not one is refused by its rule, in Chinese.
    let err = env.fails(
        1,
        &[
            "voucher",
            "add",
            "--date",
            "2025-03-05",
            "--summary",
            "办公",
            "--debit",
            "520101=一百元",
            "--credit",
            "1001=100",
        ],
    );
    assert!(err.contains("不是可读的金额") && err.contains("1234.50元"), "{err}");
}

#[test]
fn clap_errors_are_told_in_chinese_naming_the_flag_the_value_and_the_choices() {
    let env = Env::with_office();
    let err = env.fails(2, &["person", "appoint", "王芳", "--role", "秘书"]);
    assert!(err.contains("参数 --role 的值“秘书”不是可选的值"), "{err}");
    assert!(err.contains("cashier（出纳）") && err.contains("approver（审批人、审批、主任）"), "{err}");
    let err = env.fails(2, &["voucher", "list", "--bogus"]);
    assert!(err.contains("不认识的参数“--bogus”"), "{err}");
    let err = env.fails(2, &["voucher", "list", "多余"]);
    assert!(err.contains("多余的参数“多余”"), "{err}");
    let err = env.fails(2, &["person", "appoint", "王芳"]);
    assert!(err.contains("缺少必需的参数：--role"), "{err}");
    let err = env.fails(2, &["voucher", "lst"]);
    assert!(err.contains("不认识的命令“lst”"), "{err}");
    let err = env.fails(2, &["voucher"]);
    assert!(err.contains("qianzhang voucher 须跟一个子命令：add、list"), "{err}");
    let err = env.fails(2, &["voucher", "list", "--month", "2025-03", "--from", "2025-01"]);
    assert!(err.contains("参数 --month 不能与 --from 同时使用"), "{err}");
    assert!(!err.contains("error:") && !err.contains("For more information"), "{err}");
    let err = env.fails(2, &["log", "--limit", "二十"]);
    assert!(err.contains("参数 --limit 的值“二十”无效：须是不带小数点的整数"), "{err}");
    // Help stays as it was.
    assert!(env.ok(&["--help"]).contains("Usage"));
}

#[test]
fn aud_1_log_times_are_written_and_shown_to_the_second() {
    let env = Env::with_office();
    // The real clock, with its fraction of a second.
    let out =
        env.command().env_remove("QIANZHANG_NOW").args(["--as", "管理员", "person", "add", "孙丽"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let at = env.store.query("SELECT at FROM log ORDER BY seq DESC LIMIT 1").remove(0);
    assert!(!at.contains('.'), "stored to the second: {at}");
    let log = env.ok(&["log", "--limit", "3"]);
    let shown = format!("{} {}", &at[..10], &at[11..19]);
    assert!(log.contains(&shown), "{shown} in\n{log}");
    assert!(!log.contains("+08:00"), "{log}");
    // Entries written by the pinned clock are shown the same way.
    assert!(env.ok(&["log", "--limit", "200"]).contains("2025-01-01 09:00:00"));
}
