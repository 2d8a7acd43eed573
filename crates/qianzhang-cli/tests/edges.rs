//! The edges of what the engine accepts: dates at and beyond the calendar
//! it keeps books for, amounts at and beyond what it can add up, and text
//! that could forge a line of output. Nothing here may end in exit 101.

mod common;

use common::{Env, ADMIN};

/// Dates and months outside the range, impossible in the calendar, and the
/// range's own last day and month.
const DATES: [&str; 5] = ["9999-12-31", "0001-01-01", "2025-02-30", "2199-12-31", "1900-01-01"];
const MONTHS: [&str; 5] = ["9999-12", "0001-01", "2025-13", "2199-12", "1900-01"];

/// Every command that takes a date (`{D}`) or a month (`{M}`).
const TEMPLATES: &[&str] = &[
    "init --ledger 新账套 --start {M}",
    "report trial-balance --month {M}",
    "report trial-balance --from {M} --to {M}",
    "report journal --from {M}",
    "report ledger 1001 --to {M}",
    "report cash-journal --month {M}",
    "report bank-journal --month {M}",
    "report funds --month {M}",
    "report cash-count --date {D}",
    "report bank-reconciliation 1002 --month {M}",
    "export --month {M}",
    "voucher list --month {M}",
    "voucher add --date {D} --summary 办公用品 --debit 520101=10 --credit 1001=10",
    "voucher add --date 2025-03-05 --summary 办公用品 --debit 520101=10 --credit 1001=10 --doc-type 发票 --doc-date {D}",
    "voucher review --all --period {M}",
    "voucher reverse 2024-09/记-0001 --date {D}",
    "period close {M}",
    "period check {M}",
    "period reopen {M} --approver 李明 --reason 测试",
    "disclose --month {M}",
    "disclose --month 2025-03 --date {D}",
    "disclose --quarter {M}",
    "audit exceptions --from {M} --to {M}",
    "audit exceptions --to {D}",
    "audit person 赵敏 --from {D} --to {M}",
    "handover --role accountant --date {D}",
    "asset list --date {D}",
    "asset dispose 1 --reason 报废 --date {D}",
    "account add 520199 杂项 --opened {D}",
    "account close 520101 --date {D}",
    "person list --date {D}",
    "person appoint 刘洋 --role auditor --from {D}",
    "person end 刘洋 --role reviewer --date {D}",
    "auth add --kind resolution --number 测试-1 --date {D} --scope 测试 --cap 100",
    "receipt issue --book SJ --payer 张三 --amount 10 --date {D}",
    "receipt void --book SJ --reason 填错 --date {D}",
    "receipt book SK --from 1 --to 10 --holder 王芳 --date {D}",
    "cash count --date {D} --amount 10",
    "verify --fingerprint 0123456789abcdef --month {M}",
];

#[test]
fn vch_3_no_date_or_month_ends_in_a_crash() {
    let env = Env::with_office();
    let mut runs = 0;
    for template in TEMPLATES {
        for (date, month) in DATES.iter().zip(MONTHS) {
            let line = template.replace("{D}", date).replace("{M}", month);
            let args: Vec<&str> = line.split(' ').collect();
            let out = env.run(&args);
            runs += 1;
            let err = String::from_utf8_lossy(&out.stderr);
            assert_ne!(out.status.code(), Some(101), "qianzhang {line}\n{err}");
            assert!(!err.contains("panicked"), "qianzhang {line}\n{err}");
            if ["9999", "0001"].iter().any(|y| date.starts_with(y) || month.starts_with(y)) && !out.status.success() {
                // Out of range: said so, never "internal error".
                assert!(!err.contains("内部错误"), "qianzhang {line}\n{err}");
            }
        }
    }
    assert_eq!(runs, TEMPLATES.len() * DATES.len());
    env.ok(&["verify"]);
}

#[test]
fn vch_3_dates_outside_the_range_are_refused_with_the_range() {
    let env = Env::with_office();
    let out = env.run(&[
        "voucher",
        "add",
        "--date",
        "9999-12-31",
        "--summary",
        "x",
        "--debit",
        "520101=1",
        "--credit",
        "1001=1",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("1900-01-01 至 2199-12-31"), "{err}");
    let out = env.run(&["period", "close", "9999-12"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("超出可记账的日期范围"), "{err}");
    let file =
        env.write("far.csv", "日期,凭证号,摘要,科目,借方,贷方\n9999-12-31,1,x,520101,5,\n9999-12-31,1,x,1001,,5\n");
    let err = env.refused("CSV-2", &["import", file.to_str().unwrap()]);
    assert!(err.contains("超出可记账的日期范围"), "{err}");
}

#[test]
fn vch_3_a_voucher_dated_after_today_is_refused() {
    // The pinned clock says 2025-03-31.
    let env = Env::with_office();
    let err = env.refused(
        "VCH-3",
        &["voucher", "add", "--date", "2025-04-01", "--summary", "预付", "--debit", "520101=10", "--credit", "1001=10"],
    );
    assert!(err.contains("晚于今天 2025-03-31"), "{err}");
    let file =
        env.write("later.csv", "日期,凭证号,摘要,科目,借方,贷方\n2025-04-01,1,x,520101,5,\n2025-04-01,1,x,1001,,5\n");
    let err = env.refused("VCH-3", &["import", file.to_str().unwrap()]);
    assert!(err.contains("第 2 行") && err.contains("晚于今天"), "{err}");
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-31",
        "--summary",
        "x",
        "--debit",
        "520101=10",
        "--credit",
        "1001=10",
    ]);
}

#[test]
fn lim_1_an_amount_past_what_the_engine_holds_is_refused() {
    let env = Env::with_office();
    // The amount that once imported 93,000 times wrapped the trial balance.
    let err = env.refused(
        "LIM-1",
        &[
            "voucher",
            "add",
            "--date",
            "2025-03-05",
            "--summary",
            "x",
            "--debit",
            "520101=1000000000000",
            "--credit",
            "1001=1000000000000",
        ],
    );
    assert!(err.contains("¥99,999,999,999.99"), "{err}");
    let file = env.write(
        "huge.csv",
        "日期,凭证号,摘要,科目,借方,贷方\n2024-09-30,2,期初,1002,\"1,000,000,000,000.00\",\n2024-09-30,2,期初,3101,,\"1,000,000,000,000.00\"\n",
    );
    let err = env.refused("LIM-1", &["import", "--history", file.to_str().unwrap()]);
    assert!(err.contains("第 2 行") && err.contains("第 3 行"), "{err}");
    // The largest amount is taken, and written out in words in full.
    let file = env.write(
        "largest.csv",
        "日期,凭证号,摘要,科目,借方,贷方\n2024-08-31,1,期初,1002,99999999999.99,\n2024-08-31,1,期初,3101,,99999999999.99\n",
    );
    env.ok(&["import", "--history", file.to_str().unwrap()]);
    let shown = env.ok(&["voucher", "show", "2024-08/记-0001"]);
    assert!(shown.contains("玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"), "{shown}");
    let tb = env.ok(&["report", "trial-balance", "--from", "2024-08", "--to", "2025-03"]);
    assert!(tb.contains("100,000,099,999.99") && !tb.contains("-9"), "{tb}");
    env.ok(&["verify"]);
}

#[test]
fn lim_1_control_characters_never_enter_the_books() {
    let env = Env::with_office();
    let add = |summary: &str| -> Vec<String> {
        ["voucher", "add", "--date", "2025-03-05", "--summary", summary, "--debit", "520101=10", "--credit", "1001=10"]
            .map(String::from)
            .to_vec()
    };
    let forged = "办公用品\n2025-03-05 记-0099 管理费用 9,999.00";
    for summary in [forged, "清屏\u{1b}[2J", "反向\u{202e}00.01", "a\tb", "a\rb"] {
        let args = add(summary);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = env.refused("LIM-1", &args);
        assert!(err.contains("摘要中含有"), "{err}");
    }
    let err = env.refused("LIM-1", &["--as", ADMIN, "person", "add", "张伟\u{1b}[31m"]);
    assert!(err.contains("姓名"), "{err}");
    env.refused(
        "LIM-1",
        &[
            "--as",
            ADMIN,
            "auth",
            "add",
            "--kind",
            "resolution",
            "--number",
            "决议\n1号",
            "--date",
            "2025-03-01",
            "--scope",
            "x",
            "--cap",
            "10",
        ],
    );
    env.refused(
        "LIM-1",
        &[
            "--as",
            ADMIN,
            "auth",
            "add",
            "--kind",
            "resolution",
            "--number",
            "决议2号",
            "--date",
            "2025-03-01",
            "--scope",
            "范围\n伪造",
            "--cap",
            "10",
        ],
    );
    let file = env.write(
        "nl.csv",
        "日期,凭证号,摘要,科目,借方,贷方\n2025-03-05,1,\"第一行\n第二行\",520101,5,\n2025-03-05,1,x,1001,,5\n",
    );
    let err = env.refused("LIM-1", &["import", file.to_str().unwrap()]);
    assert!(err.contains("第 2 行") && err.contains("换行"), "{err}");
    // The operator's name is written into every log entry.
    let err = env.fails(1, &["--as", "赵敏\n管理员", "voucher", "void", "2025-03/记-0001", "--reason", "x"]);
    assert!(err.contains("[LIM-1]") && err.contains("操作人"), "{err}");
    env.ok(&["verify"]);
}

#[test]
fn lim_1_every_text_field_has_a_length_cap() {
    let env = Env::with_office();
    let long_number = "9".repeat(100_000);
    let err = env.refused(
        "LIM-1",
        &[
            "voucher",
            "add",
            "--date",
            "2025-03-05",
            "--summary",
            "x",
            "--debit",
            "520101=10",
            "--credit",
            "1001=10",
            "--doc-type",
            "收据",
            "--doc-no",
            &long_number,
            "--doc-amount",
            "10",
            "--handler",
            "刘洋",
        ],
    );
    assert!(err.contains("单据号最多 64 个字"), "{err}");
    let err = env.refused("LIM-1", &["--as", ADMIN, "person", "add", &"张".repeat(21)]);
    assert!(err.contains("最多 20 个字"), "{err}");
    env.ok(&["voucher", "add", "--date", "2025-03-05", "--summary", "x", "--debit", "520101=1", "--credit", "1001=1"]);
    let reason = "因".repeat(501);
    let err = env.refused("LIM-1", &["voucher", "void", "2025-03/记-0001", "--reason", &reason]);
    assert!(err.contains("原因最多 500 个字"), "{err}");
    let summary = "摘".repeat(201);
    env.refused(
        "LIM-1",
        &["voucher", "add", "--date", "2025-03-05", "--summary", &summary, "--debit", "520101=1", "--credit", "1001=1"],
    );
}

#[test]
fn lim_1_endless_or_unbroken_input_is_refused_without_hanging() {
    let env = Env::with_office();
    let started = std::time::Instant::now();
    for args in [
        &["import", "/dev/zero"][..],
        &["import", "--history", "/dev/zero"],
        &["bank", "import", "/dev/zero", "--account", "1002"],
        &["voucher", "add", "--file", "/dev/zero"],
    ] {
        let err = env.fails(1, args);
        assert!(err.contains("[LIM-1]"), "{args:?}\n{err}");
    }
    let one_line = env.write("one-line.csv", "日期,".repeat(50_000));
    let err = env.fails(1, &["import", one_line.to_str().unwrap()]);
    assert!(err.contains("[LIM-1]") && err.contains("第 1 行超过 65536 字节"), "{err}");
    let big = env.write("big.toml", format!("# {}\n", "x".repeat(2 * 1024 * 1024)));
    let err = env.fails(1, &["voucher", "add", "--file", big.to_str().unwrap()]);
    assert!(err.contains("[LIM-1]") && err.contains("凭证文件超过"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "took {:?}", started.elapsed());
}
