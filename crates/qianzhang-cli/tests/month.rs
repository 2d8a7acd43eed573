//! The cashier's day and the month end (日清月结): the daily count (CSH-2,
//! CSH-4), no 坐支 (CSH-5), bank statements and reconciliation (BNK-1),
//! closing and reopening months (PER-1, PER-2) and the year-end
//! carry-forward, end to end through the CLI.

mod common;

use common::{fixture, january, Env};

fn statement(env: &Env) -> String {
    env.ok(&["--as", "王芳", "bank", "import", fixture("statement-2025-01.gbk.csv").to_str().unwrap()])
}

#[test]
fn bnk_1_statements_import_once_and_match_the_bank_journal() {
    let env = january();
    env.walk("2025-01");
    let first = statement(&env);
    assert!(first.contains("新增 4 行") && first.contains("GB18030") && first.contains("截至 2025-01-31"), "{first}");
    let again = statement(&env);
    assert!(again.contains("新增 0 行") && again.contains("重复行 4 行"), "{again}");
    let matched = env.ok(&["--as", "王芳", "bank", "match"]);
    assert!(matched.contains("自动勾对 4 笔"), "{matched}");
    env.ok(&["--as", "王芳", "bank", "unmatch", "4"]);
    // The fee in transit on both sides: the two adjusted balances still agree.
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-01"]);
    insta::assert_snapshot!("bank_reconciliation_2025_01", rec);
    let err = env.refused("BNK-1", &["--as", "王芳", "bank", "match", "--line", "4", "--voucher", "2025-01/记-0003"]);
    assert!(err.contains("已与对账单第 2 行勾对"), "{err}");
    env.refused("BNK-1", &["--as", "王芳", "bank", "unmatch", "4"]);
    env.ok(&["--as", "王芳", "bank", "match", "--line", "4", "--voucher", "2025-01/记-0006"]);
    let list = env.ok(&["bank", "list"]);
    assert!(!list.contains("未达"), "{list}");
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-01", "--format", "json"]);
    assert!(rec.contains("\"agrees\": true") && !rec.contains("\"what\""), "nothing left in transit: {rec}");
}

/// A bank that exports newest first, with several lines on the month's
/// last day: the statement's month-end balance is the day's close (after
/// the interest), not the first line the file lists last; the month
/// reconciles on it and February's statement continues from it.
#[test]
fn bnk_1_a_statement_exported_newest_first_reconciles_on_the_day_s_closing_balance() {
    let env = january().at(common::NOW);
    env.walk("2025-01");
    let newest_first = env.write(
        "一月对账单（倒序）.csv",
        "交易日期,交易流水号,摘要,对方户名,收入金额,支出金额,余额\n\
         20250131,C250131012,结息,,3.50,,\"108,593.50\"\n\
         20250131,C250131009,手续费,,,10.00,\"108,590.00\"\n\
         20250110,C250110007,代发,低保户（12户）,,\"12,000.00\",\"108,600.00\"\n\
         20250109,C250109003,现金存入,幸福里社区居民委员会,600.00,,\"120,600.00\"\n\
         20250106,C250106001,财政拨款,幸福街道办事处,\"20,000.00\",,\"120,000.00\"\n",
    );
    let out = env.ok(&["--as", "王芳", "bank", "import", newest_first.to_str().unwrap()]);
    assert!(out.contains("新增 5 行") && out.contains("截至 2025-01-31"), "{out}");
    let matched = env.ok(&["--as", "王芳", "bank", "match"]);
    assert!(matched.contains("自动勾对 4 笔"), "{matched}");
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-01", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&rec).unwrap();
    assert_eq!(json["statement_balance"], "108593.50", "{rec}");
    assert_eq!(json["bank_in_not_booked"][0]["amount"], "3.50", "the interest, not yet booked: {rec}");
    assert_eq!(json["agrees"], true, "{rec}");
    // February's statement starts from the close, ¥108,593.50.
    let february = "交易日期,收入金额,支出金额,余额\n2025-02-05,100,,108693.50\n";
    env.ok(&["--as", "王芳", "bank", "import", env.write("二月对账单.csv", february).to_str().unwrap()]);
}

#[test]
fn bnk_1_a_statement_in_an_unknown_layout_names_the_missing_columns() {
    let env = january();
    let path = env.write("odd.csv", "时间,进账,出账\n2025-01-06,20000,\n");
    let err = env.refused("BNK-1", &["--as", "王芳", "bank", "import", path.to_str().unwrap()]);
    assert!(err.contains("缺少 交易日期、余额 列") || (err.contains("交易日期") && err.contains("余额")), "{err}");
    let mapped = env.write("mapped.csv", "时间,进账,出账,结余\n2025-01-06,20000,,120000\n");
    let out = env.ok(&[
        "--as",
        "王芳",
        "bank",
        "import",
        mapped.to_str().unwrap(),
        "--map",
        "date=时间,in=进账,out=出账,balance=结余",
    ]);
    assert!(out.contains("新增 1 行"), "{out}");
    env.refused("OPR-1", &["--as", "刘洋", "bank", "match"]);
}

#[test]
fn bnk_1_a_reconciliation_that_does_not_agree_blocks_the_close() {
    let env = january();
    env.walk("2025-01");
    let path = env.write(
        "short.csv",
        // The bank's balances start 10.00 lower than the books: a December
        // fee nobody booked.
        "交易日期,收入金额,支出金额,余额\n2025-01-06,20000,,119990\n2025-01-10,,12000,107990\n",
    );
    let path = path.to_str().unwrap();
    env.ok(&["--as", "王芳", "bank", "import", path, "--through", "2025-01-31"]);
    env.ok(&["--as", "王芳", "bank", "match"]);
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-01", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&rec).unwrap();
    assert_eq!(json["agrees"], false);
    assert_eq!(json["adjusted_book"], "108590.00");
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4700"]);
    env.set_now("2025-02-03T09:00:00+08:00");
    let err = env.refused("BNK-1", &["period", "close", "2025-01"]);
    assert!(err.contains("余额调节表不平") && err.contains("相差"), "{err}");
}

#[test]
fn csh_2_counts_are_compared_with_the_book_and_differences_settled_before_the_close() {
    let env = january();
    env.walk("2025-01");
    // A count by denomination: 4,650 against a book of 4,700.
    let out = env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--pieces", "100x46,50x1"]);
    assert!(out.contains("实点 ¥4,650.00") && out.contains("账面 ¥4,700.00") && out.contains("短款 ¥50.00"), "{out}");
    assert!(out.contains("库存现金超过限额 ¥3,000.00（CSH-4），超出的 ¥1,650.00 应送存银行"), "{out}");
    let err = env.fails(1, &["report", "cash-count", "--date", "2025-01-31", "--fund", "低保"]);
    assert!(err.contains("[FND-1]") && err.contains("不分专项资金"), "{err}");
    env.refused(
        "CSH-2",
        &["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "1", "--pieces", "100x1"],
    );
    env.refused("CSH-2", &["--as", "王芳", "cash", "count", "--date", "2025-04-01", "--amount", "1"]);
    env.refused("OPR-1", &["cash", "count", "--date", "2025-01-31", "--amount", "4650"]);
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-01-31"]);
    insta::assert_snapshot!("cash_count_2025_01_31", sheet);
}

#[test]
fn csh_2_a_count_the_book_moved_past_blocks_the_close() {
    let env = january();
    env.walk("2025-01");
    statement(&env);
    env.ok(&["--as", "王芳", "bank", "match"]);
    // The count agrees with the book of the day: 4,700.
    let out = env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4700"]);
    assert!(out.contains("账实相符"), "{out}");
    // Afterwards a cash payment dated before the count is posted.
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-01-21",
        "--summary",
        "购买胶水",
        "--debit",
        "520101=12.34",
        "--credit",
        "1001=12.34",
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发票",
        "--issuer",
        "幸福文具店",
        "--doc-no",
        "FP0121",
        "--doc-amount",
        "12.34",
        "--handler",
        "刘洋",
        "--checker",
        "赵敏",
    ]);
    env.sign_and_post(&["2025-01/记-0007"]);
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-01-31"]);
    assert!(
        sheet.contains("长款 ¥12.34（盘点时账面 4,700.00，现账面 4,687.66）盘点后账面有变动，请重新盘点"),
        "{sheet}"
    );
    assert!(!sheet.contains("账实相符"), "{sheet}");
    env.set_now("2025-02-03T09:00:00+08:00");
    let err = env.refused("CSH-2", &["period", "close", "2025-01"]);
    for part in ["2025-01-31 盘点后账面有变动", "现在账面 ¥4,687.66", "长款 ¥12.34", "cash count --date 2025-01-31"]
    {
        assert!(err.contains(part), "{part}: {err}");
    }
    // The cashier counts again (第 2 次) against the book as it stands: the month closes.
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4687.66"]);
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-01-31"]);
    assert!(sheet.contains("第 2 次") && sheet.contains("账实相符（盘点时账面 4,687.66）"), "{sheet}");
    let out = env.ok(&["period", "close", "2025-01"]);
    assert!(out.contains("2025-01 已结账"), "{out}");
}

#[test]
fn csh_4_a_day_above_the_cash_limit_is_flagged() {
    let env = january();
    env.admin(&["settings", "set", "cash-limit", "4000"]);
    env.walk("2025-01");
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-01-31", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&sheet).unwrap();
    assert_eq!(json["above_limit"], true, "{sheet}");
    assert_eq!(json["days_above_limit"][0]["date"], "2025-01-08", "{sheet}");
    assert_eq!(json["days_above_limit"][0]["balance"], "5600.00", "{sheet}");
}

#[test]
fn csh_5_cash_income_is_deposited_before_it_pays_anything() {
    let env = january().at(common::NOW);
    env.walk("2025-01");
    env.ok(&[
        "--as",
        "王芳",
        "receipt",
        "issue",
        "--book",
        "SJ",
        "--payer",
        "赵六",
        "--amount",
        "3000",
        "--date",
        "2025-02-10",
    ]);
    env.admin(&[
        "auth",
        "add",
        "--kind",
        "government",
        "--number",
        "街道批复〔2025〕2号",
        "--date",
        "2025-02-01",
        "--scope",
        "演出服装",
        "--cap",
        "6000",
    ]);
    let file = env.write(
        "february.csv",
        "日期,凭证号,摘要,科目,借方,贷方,单据类型,开票单位,单据号,单据金额,经办人,验收人,审批依据\n\
         2025-02-10,1,收文艺汇演赞助,1001,3000,,收据,幸福里社区居委会,SJ0000102,3000,王芳,,\n\
         2025-02-10,1,收文艺汇演赞助,4901,,3000,,,,,,,\n\
         2025-02-10,2,购买演出服装,520101,5000,,发票,服装店,FP0210,5000,刘洋,赵敏,街道批复〔2025〕2号\n\
         2025-02-10,2,购买演出服装,1001,,5000,,,,,,,\n\
         2025-02-10,3,提取现金备付服装款,1001,1000,,银行回单,建设银行,ZQ0210,1000,王芳,,\n\
         2025-02-10,3,提取现金备付服装款,1002,,1000,,,,,,,\n",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    env.sign_and_post(&["2025-02/记-0001"]);
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-02/记-0002"]);
    env.ok(&["--as", "李明", "voucher", "approve", "2025-02/记-0002"]);
    // 4,700 + 3,000 on hand, 3,000 of it income waiting for the bank: 5,000 would be 坐支.
    let err = env.refused("CSH-5", &["--as", "王芳", "voucher", "confirm", "2025-02/记-0002"]);
    assert!(err.contains("¥3,000.00 是尚未送存银行的现金收入") && err.contains("只有 ¥4,700.00"), "{err}");
    assert!(err.contains("从银行提取现金"), "{err}");
    // After a withdrawal stating its purpose the payment is covered.
    env.sign_and_post(&["2025-02/记-0003"]);
    env.ok(&["--as", "王芳", "voucher", "confirm", "2025-02/记-0002"]);
    env.ok(&["voucher", "post", "2025-02/记-0002"]);
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-02-12"]);
    assert!(sheet.contains("未送存现金收入 2025-02/记-0001") && sheet.contains("已逾期"), "{sheet}");
    assert!(sheet.contains("3,000.00") && sheet.contains("3,700.00"), "{sheet}");
    let out = env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-02-12", "--amount", "3700"]);
    assert!(out.contains("2025-02/记-0001 的现金收入 ¥3,000.00 应于 2025-02-11 前送存银行，已逾期（CSH-5）"), "{out}");
}

/// The last day of `2025-MM`.
fn month_end_of(period: &str) -> String {
    let m: u32 = period[5..].parse().unwrap();
    let days = match m {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{period}-{days}")
}

/// Counts the cash of a month's last business day at the book balance.
fn count_at_book(env: &Env, day: &str) {
    let sheet = env.ok(&["report", "cash-count", "--date", day, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&sheet).unwrap();
    let book = json["book"].as_str().unwrap().to_string();
    env.ok(&["--as", "王芳", "cash", "count", "--date", day, "--amount", &book]);
}

#[test]
fn per_1_a_year_closes_month_by_month_and_december_carries_the_result_forward() {
    let env = january();
    env.set_now("2025-02-03T09:00:00+08:00");
    // Nothing is ready: every reason is listed at once.
    let err = env.refused("PER-1", &["period", "close", "2025-01"]);
    for reason in [
        "[PER-1] 2025-01 还有未记账的凭证：记-0001、",
        "[CSH-2] 没有 2025-01-27（本月最后一个工作日）",
        "[BNK-1] 1002 银行存款 没有 2025-01 的银行对账单",
    ] {
        assert!(err.contains(reason), "{reason} missing in:\n{err}");
    }
    let err = env.refused("PER-1", &["period", "close", "2025-02"]);
    assert!(err.contains("请先结账 2025-01"), "{err}");
    env.walk("2025-01");
    statement(&env);
    env.ok(&["--as", "王芳", "bank", "match"]);
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--pieces", "100x46,50x1"]);
    let err = env.refused("CSH-2", &["period", "close", "2025-01"]);
    assert!(err.contains("盘点短款 ¥50.00 尚未处理"), "{err}");
    // The shortage goes to 1901 with the approver's signature.
    let file = env.write(
        "shortage.csv",
        "日期,凭证号,摘要,科目,借方,贷方,单据类型,单据号,单据金额,经办人\n\
         2025-01-31,1,1月31日盘点短款待查,1901,50,,现金盘点表,PD0131,50,王芳\n\
         2025-01-31,1,1月31日盘点短款待查,1001,,50,,,,\n",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-01/记-0007"]);
    env.refused("VCH-4", &["--as", "王芳", "voucher", "confirm", "2025-01/记-0007"]);
    env.ok(&["--as", "李明", "voucher", "approve", "2025-01/记-0007"]);
    env.ok(&["--as", "王芳", "voucher", "confirm", "2025-01/记-0007"]);
    env.ok(&["voucher", "post", "2025-01/记-0007"]);
    let out = env.ok(&["period", "close", "2025-01"]);
    assert!(out.contains("2025-01 已结账") && out.contains("结账时指纹"), "{out}");
    env.refused(
        "VCH-3",
        &["voucher", "add", "--date", "2025-01-31", "--summary", "x", "--debit", "1001=1", "--credit", "4901=1"],
    );
    env.refused("CSH-2", &["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4650"]);
    // February to November: nothing moves; each month is counted, its
    // statement (no lines) imported, and closed in turn.
    let quiet = env.write("quiet.csv", "交易日期,收入金额,支出金额,余额\n");
    let quiet = quiet.to_str().unwrap();
    for m in 2..=11 {
        let period = format!("2025-{m:02}");
        let day = env.ok(&["period", "check", &period]);
        let last = day.split("没有 ").nth(1).map(|s| s[..10].to_string());
        env.set_now(&format!("2025-{:02}-01T09:00:00+08:00", m + 1));
        let last = last.unwrap_or_else(|| panic!("{period}: {day}"));
        count_at_book(&env, &last);
        let month_end = env.ok(&["period", "check", &period]);
        assert!(month_end.contains("只到") && month_end.contains("--through"), "{period}: {month_end}");
        env.ok(&["--as", "王芳", "bank", "import", quiet, "--through", &month_end_of(&period)]);
        env.ok(&["period", "close", &period]);
    }
    env.set_now("2026-01-05T09:00:00+08:00");
    count_at_book(&env, "2025-12-31");
    env.ok(&["--as", "王芳", "bank", "import", quiet, "--through", "2025-12-31"]);
    let out = env.ok(&["period", "close", "2025-12"]);
    assert!(out.contains("已生成年末结转凭证 2025-12/记-0001"), "{out}");
    // By hand: 低保 received 20,000 and paid 12,000 → 8,000 to 3102 (restricted);
    // 场地费 600 less 310 of office costs → 290 to 3101, which opened at 105,000.
    let tb = env.ok(&["report", "trial-balance", "--month", "2025-12", "--format", "csv"]);
    for row in [
        "3101,非限定性净资产,1,-105000.00,0.00,290.00,-105290.00",
        "3102,限定性净资产,1,0.00,0.00,8000.00,-8000.00",
        "4401,政府补助收入,1,-20000.00,20000.00,0.00,0.00",
        "4901,其他收入,1,-600.00,600.00,0.00,0.00",
        "5101,业务活动成本,1,12000.00,0.00,12000.00,0.00",
        "5201,管理费用,1,310.00,0.00,310.00,0.00",
        "1901,待处理财产损溢,1,50.00,0.00,0.00,50.00",
    ] {
        assert!(tb.contains(row), "{row} missing in:\n{tb}");
    }
    let carry = env.ok(&["voucher", "show", "2025-12/记-0001"]);
    insta::assert_snapshot!("year_end_carry_forward_2025", carry);
    let funds = env.ok(&["report", "funds", "--format", "csv"]);
    assert!(funds.contains("低保,0.00,20000.00,12000.00,8000.00"), "the carry-forward leaves each fund whole: {funds}");
    // Reopening: the accountant with the approver, the latest month first.
    env.refused("PER-2", &["period", "reopen", "2025-11", "--reason", "补记", "--approver", "李明"]);
    env.refused("PER-2", &["period", "reopen", "2025-12", "--reason", "补记", "--approver", "刘洋"]);
    let wrong = env
        .command()
        .args(["period", "reopen", "2025-12", "--reason", "补记", "--approver", "李明"])
        .env("QIANZHANG_APPROVER_PASSPHRASE", "不是这个口令")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("[PER-2] 李明的口令不正确"));
    env.refused("PER-2", &["period", "reopen", "2025-12", "--reason", " ", "--approver", "李明"]);
    let out = env.ok(&["period", "reopen", "2025-12", "--reason", "补记12月银行利息", "--approver", "李明"]);
    assert!(out.contains("已反结账"), "{out}");
    let log = env.ok(&["log", "--limit", "1"]);
    assert!(log.contains("反结账 2025-12（补记12月银行利息；会计 赵敏、审批人 李明）"), "{log}");
    // Closing again carries nothing more: the year's result is already in net assets.
    let out = env.ok(&["period", "close", "2025-12"]);
    assert!(!out.contains("结转凭证"), "{out}");
    env.ok(&["verify"]);
}

#[test]
fn aud_2_catches_edits_to_the_month_end_tables() {
    let env = january();
    env.walk("2025-01");
    statement(&env);
    env.ok(&["--as", "王芳", "bank", "match"]);
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4650"]);
    env.ok(&["verify"]);
    for (sql, table) in [
        ("UPDATE statement_lines SET inflow = inflow + 100 WHERE id = 1;", "statement_lines"),
        ("DELETE FROM bank_matches WHERE line_id = 4;", "bank_matches"),
        ("UPDATE cash_counts SET counted = book;", "cash_counts"),
        ("UPDATE funds SET restricted = FALSE WHERE name = '低保';", "funds"),
    ] {
        let env = env.fork();
        env.tamper(sql);
        let err = env.fails(3, &["verify"]);
        assert!(err.contains(&format!("表 {table}")), "{sql}\n{err}");
    }
}

#[test]
fn per_1_february_does_not_close_on_january_s_statement() {
    let env = common::closed_january();
    env.set_now("2025-03-03T09:00:00+08:00");
    count_at_book(&env, "2025-02-28");
    let err = env.refused("BNK-1", &["period", "close", "2025-02"]);
    assert!(err.contains("只到 2025-01-31") && err.contains("2025-02-28"), "{err}");
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-02"]);
    assert!(!rec.contains("两者相符") && rec.contains("未能对账"), "{rec}");
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["report", "bank-reconciliation", "--month", "2025-02", "--format", "json"]))
            .unwrap();
    assert_eq!(json["agrees"], false, "{json}");
    // February's statement: no movement, running to the 28th.
    let quiet = env.write("2025-02.csv", "交易日期,收入金额,支出金额,余额\n");
    env.ok(&["--as", "王芳", "bank", "import", quiet.to_str().unwrap(), "--through", "2025-02-28"]);
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-02"]);
    assert!(rec.contains("银行对账单截至 2025-02-28。两者相符。"), "{rec}");
    env.ok(&["period", "close", "2025-02"]);
    env.ok(&["verify"]);
}

#[test]
fn bnk_1_a_statement_whose_balance_breaks_is_refused_naming_the_line() {
    let env = january().at(common::NOW);
    // The third line's balance does not follow: a line is missing or was edited.
    let broken = env.write(
        "broken.csv",
        "交易日期,收入金额,支出金额,余额\n2025-01-06,20000,,120000\n2025-01-09,600,,120600\n2025-01-10,,12000,108000\n",
    );
    let err = env.refused("BNK-1", &["--as", "王芳", "bank", "import", broken.to_str().unwrap()]);
    assert!(err.contains("第 4 行") && err.contains("应为 ¥108,600.00"), "{err}");
    env.ok(&["--as", "王芳", "bank", "import", fixture("statement-2025-01.gbk.csv").to_str().unwrap()]);
    // February's statement must start from January's last balance, 108,590.00.
    let gap = env.write("2025-02.csv", "交易日期,收入金额,支出金额,余额\n2025-02-05,100,,108700\n");
    let err = env.refused("BNK-1", &["--as", "王芳", "bank", "import", gap.to_str().unwrap()]);
    assert!(err.contains("应为 ¥108,690.00"), "{err}");
    let future = env.write("late.csv", "交易日期,收入金额,支出金额,余额\n");
    env.refused("BNK-1", &["--as", "王芳", "bank", "import", future.to_str().unwrap(), "--through", "2025-04-30"]);
}

#[test]
fn csh_2_a_recount_does_not_erase_a_ten_yuan_shortage() {
    let env = january();
    env.walk("2025-01");
    statement(&env);
    env.ok(&["--as", "王芳", "bank", "match"]);
    let first = env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4690"]);
    assert!(first.contains("短款 ¥10.00"), "{first}");
    let again = env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4700"]);
    assert!(again.contains("账实相符"), "{again}");
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-01-31"]);
    assert!(sheet.contains("实点金额（第 1 次）") && sheet.contains("实点金额（第 2 次）"), "{sheet}");
    assert!(sheet.contains("短款 ¥10.00") && sheet.contains("未处理"), "{sheet}");
    let exceptions = env.ok(&["audit", "exceptions", "--from", "2025-01-01", "--to", "2025-01-31"]);
    assert!(exceptions.contains("短款 ¥10.00") && exceptions.contains("尚未处理"), "{exceptions}");
    env.admin(&["person", "add", "周杰"]);
    env.admin(&["person", "add", "陈静"]);
    let handover = env.ok(&[
        "handover",
        "--officer",
        "王芳",
        "--role",
        "cashier",
        "--date",
        "2025-01-31",
        "--to",
        "周杰",
        "--supervisor",
        "陈静",
    ]);
    assert!(handover.contains("短款 ¥10.00") && handover.contains("尚未处理"), "{handover}");
    env.set_now("2025-02-03T09:00:00+08:00");
    let err = env.refused("CSH-2", &["period", "close", "2025-01"]);
    assert!(err.contains("盘点短款 ¥10.00 尚未处理"), "{err}");
    let file = env.write(
        "shortage.csv",
        "日期,凭证号,摘要,科目,借方,贷方,单据类型,单据号,单据金额,经办人\n\
         2025-01-31,1,1月31日盘点短款待查,1901,10,,现金盘点表,PD0131,10,王芳\n\
         2025-01-31,1,1月31日盘点短款待查,1001,,10,,,,\n",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    env.sign_and_post(&["2025-01/记-0007"]);
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-01-31"]);
    assert!(sheet.contains("短款 ¥10.00") && sheet.contains("已由 2025-01/记-0007 转入待处理财产损溢"), "{sheet}");
    let exceptions = env.ok(&["audit", "exceptions", "--from", "2025-01-01", "--to", "2025-01-31"]);
    assert!(exceptions.contains("短款 ¥10.00") && exceptions.contains("已由 2025-01/记-0007 处理"), "{exceptions}");
    env.ok(&["period", "close", "2025-01"]);
    env.ok(&["verify"]);
}

#[test]
fn csh_2_a_cashier_frozen_by_sep_7_records_no_count() {
    let env = january();
    env.walk("2025-01");
    // The cashier turns out to be the accountant's spouse: her acts are frozen.
    env.admin(&["person", "relate", "王芳", "赵敏", "--kind", "spouse"]);
    let err = env.refused("SEP-7", &["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4700"]);
    assert!(err.contains("不能记录现金盘点"), "{err}");
}

/// The approver's passphrase asked at a reopen is a sign-in like any other:
/// guessing it is slowed and locked out, and filed under no one's name.
#[test]
fn opr_1_the_approvers_passphrase_at_a_reopen_counts_toward_the_lockout() {
    let env = common::closed_january();
    let reopen = |passphrase: &str| {
        env.command()
            .args(["period", "reopen", "2025-01", "--reason", "补记", "--approver", "李明"])
            .env("QIANZHANG_APPROVER_PASSPHRASE", passphrase)
            .output()
            .unwrap()
    };
    for _ in 0..5 {
        let wrong = reopen("猜一个口令");
        assert_eq!(wrong.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&wrong.stderr).contains("[PER-2] 李明的口令不正确"));
    }
    let right = reopen(common::PASSPHRASE);
    assert_eq!(right.status.code(), Some(1), "locked: even the right passphrase waits");
    assert!(String::from_utf8_lossy(&right.stderr).contains("锁定"), "{}", String::from_utf8_lossy(&right.stderr));
    let trail = env.ok(&["audit", "person", "李明", "--from", "2025-01", "--to", "2025-03"]);
    assert!(!trail.contains("猜") && !trail.contains("反结账"), "the guesses are not 李明's acts: {trail}");
    assert!(env.ok(&["verify"]).contains("校验通过"));
}
