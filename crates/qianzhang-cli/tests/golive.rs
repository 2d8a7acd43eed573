//! A community goes live and keeps its first month (OPN-1, VCH-4, PRN-1,
//! STM-1): last year's closing trial balance read from an .xlsx as the
//! opening balances (a typing slip corrected before the first close),
//! January's vouchers typed, corrected before review, copied and made from a
//! template, then signed and posted; January's vouchers and cash journal
//! printed and checked in Chromium; the three statements tied to the trial
//! balance, each a golden file. And a community whose bank has nothing in or
//! out in its first month closes it on the statement's balance (BNK-1).

mod common;

use common::browser::{have_browser, ink, text, to_pdf};
use common::ties::{close, json, line, ties_to_the_trial_balance, trial_balance};
use common::Env;
use rust_xlsxwriter::{Format, Workbook};

/// Last year's closing trial balance as 用友 exports it: a title row, the
/// header, one row per leaf account with numbers as number cells, a total.
fn closing_trial_balance(rows: &[(&str, &str, f64, f64)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let money = Format::new().set_num_format("#,##0.00");
    sheet.write_string(0, 0, "科目余额表　2024年12月　幸福里社区居民委员会").unwrap();
    for (c, h) in ["科目编码", "科目名称", "期末借方", "期末贷方"].iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let (mut debit, mut credit) = (0.0, 0.0);
    for (i, (code, name, d, c)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        sheet.write_string(r, 0, *code).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        if *d != 0.0 {
            sheet.write_number_with_format(r, 2, *d, &money).unwrap();
        }
        if *c != 0.0 {
            sheet.write_number_with_format(r, 3, *c, &money).unwrap();
        }
        debit += d;
        credit += c;
    }
    let r = rows.len() as u32 + 2;
    sheet.write_string(r, 1, "合计").unwrap();
    sheet.write_number_with_format(r, 2, debit, &money).unwrap();
    sheet.write_number_with_format(r, 3, credit, &money).unwrap();
    book.save_to_buffer().unwrap()
}

/// `voucher add` with the common flags; returns the new reference.
fn add(env: &Env, args: &[&str]) -> String {
    let out = env.ok(&[&["voucher", "add"][..], args].concat());
    let at = out.find("2025-01/记-").unwrap_or_else(|| panic!("{out}"));
    out[at..at + "2025-01/记-0000".len()].to_string()
}

#[test]
fn a_community_goes_live_from_an_xlsx_and_keeps_january() {
    let env = Env::with_office_unfunded();
    env.set_now("2025-01-02T09:00:00+08:00");

    // 1. Opening balances: 3101 typed 151,000 instead of 150,000.
    let xlsx = closing_trial_balance(&[
        ("1001", "库存现金", 3_000.0, 0.0),
        ("1002", "银行存款", 120_000.0, 0.0),
        ("1501", "固定资产", 50_000.0, 0.0),
        ("1502", "累计折旧", 0.0, 10_000.0),
        ("2209", "其他应付款", 0.0, 2_000.0),
        ("3101", "非限定性净资产", 0.0, 151_000.0),
        ("3102", "限定性净资产", 0.0, 11_000.0),
    ]);
    let file = env.write("2024年末科目余额表.xlsx", xlsx);
    let out = env.ok(&["opening", "import", file.to_str().unwrap()]);
    assert!(out.contains("不平衡"), "the slip shows at once: {out}");
    let err = env.refused("OPN-1", &["opening", "set", "5201", "1"]);
    assert!(err.contains("末级科目"), "{err}");
    env.ok(&["opening", "set", "3101", "150,000"]);
    let shown = env.ok(&["opening", "show"]);
    assert!(shown.contains("平衡") && !shown.contains("不平衡"), "{shown}");
    assert!(shown.contains("173,000.00"), "debits = credits = ¥173,000: {shown}");

    // 2. January, each voucher typed on its day. The year's water and
    // power are decided by the two committees in one resolution.
    env.admin(&[
        "auth",
        "add",
        "--kind",
        "两委决议",
        "--number",
        "两委决议〔2025〕5号",
        "--date",
        "2025-01-03",
        "--scope",
        "2025年水电费",
        "--cap",
        "6,000",
    ]);
    // The street's office grant, received in the bank.
    env.set_now("2025-01-06T16:00:00+08:00");
    add(
        &env,
        &[
            "--date",
            "2025-01-06",
            "--summary",
            "收到街道拨付办公经费",
            "--debit",
            "1002=8000",
            "--credit",
            "440101=8000",
            "--counterparty",
            "幸福街道办事处",
            "--doc",
            "类型=银行回单,号码=HD0106,金额=8000,经办人=王芳",
        ],
    );
    // A purchase typed ¥330 and corrected to the invoice's ¥300 before review.
    env.set_now("2025-01-08T16:00:00+08:00");
    let paper = add(
        &env,
        &[
            "--date",
            "2025-01-08",
            "--summary",
            "购买打印纸",
            "--debit",
            "520101=330",
            "--credit",
            "1001=330",
            "--authorization",
            "两委决议〔2025〕1号",
            "--counterparty",
            "幸福文具店",
            "--doc",
            "类型=发票,号码=044001900111-00000108,金额=300,经办人=刘洋,验收人=赵敏",
        ],
    );
    env.ok(&["voucher", "edit", &paper, "--debit", "520101=300", "--credit", "1001=300"]);
    // The water bill, kept as a template for every month.
    env.set_now("2025-01-10T16:00:00+08:00");
    let water = add(
        &env,
        &[
            "--date",
            "2025-01-10",
            "--summary",
            "缴纳一月水电费",
            "--debit",
            "520102=420",
            "--credit",
            "1002=420",
            "--authorization",
            "两委决议〔2025〕5号",
            "--counterparty",
            "市自来水公司",
            "--doc",
            "类型=发票,号码=044001900111-00000110,金额=420,经办人=王芳,验收人=赵敏",
        ],
    );
    env.ok(&["voucher", "template", "save", "水电费", "--from", &water]);
    let saved = env.ok(&["voucher", "template", "list"]);
    assert!(saved.contains("水电费（审批依据 两委决议〔2025〕5号）") && saved.contains("借 520102 ¥420.00"), "{saved}");
    // More paper later in the month: a copy of the first purchase.
    env.set_now("2025-01-20T16:00:00+08:00");
    let out = env.ok(&["voucher", "copy", &paper, "--date", "2025-01-20"]);
    let again = out[out.find("2025-01/记-").unwrap()..][.."2025-01/记-0000".len()].to_string();
    env.ok(&[
        "voucher",
        "attach",
        &again,
        "--doc",
        "类型=发票,号码=044001900111-00000120,金额=300,经办人=刘洋,验收人=赵敏",
    ]);
    // February's bill comes early: the template, with this month's amount.
    env.set_now("2025-01-24T16:00:00+08:00");
    let out = env.ok(&["voucher", "template", "use", "水电费", "--date", "2025-01-24", "--amount", "385.50"]);
    let bill = out[out.find("2025-01/记-").unwrap()..][.."2025-01/记-0000".len()].to_string();
    env.ok(&[
        "voucher",
        "attach",
        &bill,
        "--doc",
        "类型=发票,号码=044001900111-00000124,金额=385.50,经办人=王芳,验收人=赵敏",
    ]);
    env.set_now("2025-01-27T17:00:00+08:00");
    env.walk("2025-01");
    let list = env.ok(&["voucher", "list", "--month", "2025-01"]);
    assert_eq!(list.matches("已记账").count(), 5, "{list}");

    // 3. The three statements tie out with the opening balances in them.
    ties_to_the_trial_balance(&env, "2025-01");
    let bs = json(&env, "balance-sheet", "2025-01");
    assert!(close(line(&bs, 1)[0], 123_000.0), "年初数 货币资金 = the opening cash and bank");
    assert!(close(line(&bs, 60)[0], 163_000.0), "年初数 资产总计 = 173,000 less 10,000 depreciation");
    let tb = trial_balance(&env, &["--month", "2025-01"]);
    let cash = tb.iter().find(|r| r.0 == "1001").unwrap();
    assert!(close(cash.2, 3_000.0) && close(cash.5, 2_400.0), "期初 3,000, 期末 2,400: {cash:?}");
    for kind in ["balance-sheet", "activities", "cash-flow"] {
        let out = env.ok(&["report", kind, "--month", "2025-01"]);
        insta::assert_snapshot!(format!("golive_{}_2025_01", kind.replace('-', "_")), out);
    }

    // 4. January's vouchers and cash journal printed, one voucher a page.
    let vouchers = env.ok(&["print", "voucher", "--period", "2025-01"]);
    for (n, page) in text(&vouchers).split("==== 分页 ====").filter(|p| !p.trim().is_empty()).enumerate() {
        insta::assert_snapshot!(format!("golive_voucher_page_{}", n + 1), page.trim());
    }
    let journal = env.ok(&["print", "cash-journal", "--month", "2025-01"]);
    insta::assert_snapshot!("golive_cash_journal", text(&journal));
    assert!(journal.contains("期初余额") || journal.contains("上年结转"), "the opening cash heads the book");
    if !have_browser() {
        return;
    }
    let (info, pages, pdf) = to_pdf(&env, "vouchers", &vouchers);
    assert!(info.contains("Pages:           5"), "one voucher a page: {info}");
    for (page, words) in
        pages.iter().zip(["收到街道拨付办公经费", "购买打印纸", "缴纳一月水电费", "购买打印纸", "缴纳一月水电费"])
    {
        assert!(page.contains("记字第") && page.contains(words) && page.contains("人民币"), "{page}");
    }
    assert!(ink(&env, &pdf, 1) > 0.01, "page 1 is not blank");
    let (info, pages, _) = to_pdf(&env, "cash", &journal);
    assert!(info.contains("Pages:           1"), "{info}");
    assert!(pages[0].contains("现金日记账") && pages[0].contains("购买打印纸"), "{}", pages[0]);
}

/// A new community goes live in January with money in the bank and the
/// bank has nothing in or out that month: its statement has no transaction
/// line, only the balance. The cashier records that balance; a wrong one, or
/// one dated before go-live, is refused with nothing changed; the month then
/// reconciles and closes.
#[test]
fn bnk_1_a_first_month_without_bank_movement_closes_on_the_statement_balance() {
    let env = Env::with_office_unfunded();
    env.set_now("2025-01-02T09:00:00+08:00");
    env.ok(&["opening", "set", "1001", "3,000"]);
    env.ok(&["opening", "set", "1002", "12,345.67"]);
    env.ok(&["opening", "set", "3101", "15,345.67"]);
    env.set_now("2025-01-31T17:00:00+08:00");
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "3000"]);
    env.set_now("2025-02-03T09:00:00+08:00");

    // What the bank sends: the header of its export and no line.
    let empty = env.write("一月对账单.csv", "交易日期,交易流水号,摘要,收入金额,支出金额,余额\n");
    let out = env.ok(&["--as", "王芳", "bank", "import", empty.to_str().unwrap(), "--through", "2025-01-31"]);
    assert!(out.contains("新增 0 行") && out.contains("截至 2025-01-31"), "{out}");
    let err = env.refused("BNK-1", &["period", "close", "2025-01"]);
    assert!(err.contains("还没有一行余额") && err.contains("bank balance --date 2025-01-31"), "{err}");

    // A slip in the balance: refused, naming BNK-1 and the balance the books call for.
    let err =
        env.refused("BNK-1", &["--as", "王芳", "bank", "balance", "--date", "2025-01-31", "--balance", "12,354.67"]);
    assert!(err.contains("应为 ¥12,345.67") && err.contains("相差 ¥9.00"), "{err}");

    // A balance dated before go-live, even the opening one: refused, saying
    // why and which day to give; a statement whose 期初余额 row is dated
    // before go-live likewise, naming the row.
    for (date, balance) in [("2024-12-31", "12,345.67"), ("2024-06-30", "0")] {
        let err = env.refused("BNK-1", &["--as", "王芳", "bank", "balance", "--date", date, "--balance", balance]);
        assert!(
            err.contains(&format!("日期 {date} 在账套启用期间 2025-01 之前"))
                && err.contains("请填写 2025-01-01 或之后"),
            "{err}"
        );
    }
    let early = env.write(
        "一月对账单（含期初）.csv",
        "交易日期,交易流水号,摘要,收入金额,支出金额,余额
2024-12-31,,期初余额,,,12345.67
2025-01-31,,期末余额,,,12345.67
",
    );
    let err = env.refused("BNK-1", &["--as", "王芳", "bank", "import", early.to_str().unwrap()]);
    assert!(err.contains("2024-12-31 的余额行") && err.contains("删去这一行"), "{err}");

    let out = env.ok(&["--as", "王芳", "bank", "balance", "--date", "2025-01-31", "--balance", "12,345.67"]);
    assert!(out.contains("已登记") && out.contains("¥12,345.67") && out.contains("截至 2025-01-31"), "{out}");
    let list = env.ok(&["bank", "list"]);
    assert!(list.contains("余额行") && !list.contains("未达"), "{list}");
    let rec = env.ok(&["report", "bank-reconciliation", "--month", "2025-01", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&rec).unwrap();
    assert_eq!(json["agrees"], true, "{rec}");
    assert_eq!(json["adjusted_book"], "12345.67", "{rec}");
    assert_eq!(json["adjusted_bank"], "12345.67", "{rec}");
    let out = env.ok(&["period", "close", "2025-01"]);
    assert!(out.contains("2025-01 已结账"), "{out}");

    // February again without movement: its balance follows January's.
    env.set_now("2025-03-03T09:00:00+08:00");
    let err = env.refused("BNK-1", &["--as", "王芳", "bank", "balance", "--date", "2025-02-28", "--balance", "12,000"]);
    assert!(err.contains("余额行") && err.contains("¥12,345.67"), "{err}");
    env.ok(&["--as", "王芳", "bank", "balance", "--date", "2025-02-28", "--balance", "12,345.67"]);
    // The log replays to the same books.
    env.ok(&["verify"]);
}
