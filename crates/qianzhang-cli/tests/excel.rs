//! Excel end to end: .xlsx read wherever a CSV is, reports written as
//! .xlsx, and CSV for Excel (BOM, Chinese headers) unless `--plain`.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HEADER: [&str; 12] = [
    "日期",
    "凭证号",
    "摘要",
    "科目",
    "借方",
    "贷方",
    "往来单位",
    "单据类型",
    "开票单位",
    "单据号",
    "单据金额",
    "经办人",
];

/// A voucher workbook as 用友 exports one: a title row above the header,
/// dates as date cells, account codes and amounts as number cells.
fn voucher_workbook(amount: f64) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(0, 0, "记账凭证导入　幸福里社区").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let day = ExcelDateTime::from_ymd(2025, 1, 20).unwrap();
    // Voucher 1: an amount typed 1234.1; voucher 2: a sum Excel holds as 0.30000000000000004.
    let rows: [(u32, &str, f64, f64, bool); 4] = [
        (1, "收到社会捐赠", 1002.0, amount, true),
        (1, "收到社会捐赠", 410102.0, amount, false),
        (2, "收到零星捐赠", 1002.0, 0.1 + 0.2, true),
        (2, "收到零星捐赠", 410102.0, 0.3, false),
    ];
    for (i, (no, summary, account, money, debit)) in rows.into_iter().enumerate() {
        let r = i as u32 + 2;
        sheet.write_datetime_with_format(r, 0, &day, &date).unwrap();
        sheet.write_number(r, 1, no).unwrap();
        sheet.write_string(r, 2, summary).unwrap();
        sheet.write_number(r, 3, account).unwrap();
        sheet.write_number(r, if debit { 4 } else { 5 }, money).unwrap();
        if debit {
            sheet.write_string(r, 6, "幸福街道办事处").unwrap();
            sheet.write_string(r, 7, "银行回单").unwrap();
            sheet.write_string(r, 8, "建设银行").unwrap();
            sheet.write_string(r, 9, format!("HD-X{no}")).unwrap();
            sheet.write_number(r, 10, money).unwrap();
            sheet.write_string(r, 11, "王芳").unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn read_sheet(bytes: Vec<u8>) -> calamine::Range<Data> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let first = book.sheet_names()[0].clone();
    book.worksheet_range(&first).expect("its first sheet")
}

fn row_of(range: &calamine::Range<Data>, r: usize) -> Vec<String> {
    (0..range.width()).map(|c| range.get((r, c)).map(|d| d.to_string()).unwrap_or_default()).collect()
}

#[test]
fn csv_1_vouchers_import_from_an_xlsx_with_a_title_row_date_cells_and_float_amounts() {
    let env = january();
    let file = env.write("凭证.xlsx", voucher_workbook(1234.1));
    let out = env.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("2 张凭证（Excel 工作簿）"), "{out}");
    let list = env.ok(&["voucher", "list", "--month", "2025-01", "--format", "csv", "--plain"]);
    assert!(list.contains(",2025-01-20,待审核,收到社会捐赠,\"1,234.10\"\n"), "{list}");
    assert!(list.contains(",2025-01-20,待审核,收到零星捐赠,0.30\n"), "float noise rounded to the cent: {list}");
    // The same file again is the same file (CSV-4).
    env.refused("CSV-4", &["import", file.to_str().unwrap()]);
}

#[test]
fn vch_1_an_xlsx_amount_beyond_cents_is_refused_as_in_a_csv() {
    let env = january();
    let before = env.books();
    let file = env.write("分.xlsx", voucher_workbook(1234.567));
    let err = env.refused("VCH-1", &["import", file.to_str().unwrap()]);
    assert!(err.contains("“1234.567”超过两位小数"), "{err}");
    assert_eq!(env.books(), before, "nothing changed");
}

#[test]
fn csv_1_broken_old_empty_or_other_workbooks_are_refused_naming_the_file() {
    let env = january();
    let before = env.books();
    let corrupt = env.write("坏.xlsx", b"PK\x03\x04\x14\x00\x00\x00broken beyond repair");
    let err = env.refused("CSV-1", &["import", corrupt.to_str().unwrap()]);
    assert!(err.contains("坏.xlsx") && err.contains("损坏"), "{err}");
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    // Named .xlsx, but an old .xls (or a password-protected workbook) by content.
    let old = env.write("旧.xlsx", &ole);
    let err = env.refused("CSV-1", &["import", old.to_str().unwrap()]);
    assert!(err.contains("旧.xlsx") && err.contains(".xls") && err.contains("密码"), "{err}");
    let mut book = Workbook::new();
    book.add_worksheet();
    let empty = env.write("空.xlsx", book.save_to_buffer().unwrap());
    let err = env.refused("CSV-1", &["import", empty.to_str().unwrap()]);
    assert!(err.contains("空.xlsx") && err.contains("是空的"), "{err}");
    let good = env.write("好.xlsx", voucher_workbook(1.0));
    let err = env.refused("CSV-1", &["import", good.to_str().unwrap(), "--sheet", "二月"]);
    assert!(err.contains("没有名为“二月”的工作表") && err.contains("Sheet1"), "{err}");
    assert_eq!(env.books(), before, "nothing changed");
}

#[test]
fn bnk_1_a_bank_statement_imports_from_an_xlsx_under_the_banks_title_rows() {
    let env = january();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("交易明细").unwrap();
    let date = Format::new().set_num_format("yyyy/m/d");
    sheet.write_string(0, 0, "中国建设银行单位账户交易明细").unwrap();
    sheet.write_string(1, 0, "账号：6217 0000 1234 5678").unwrap();
    for (c, h) in ["交易日期", "摘要", "收入金额", "支出金额", "余额"].iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let lines = [(6, "财政拨款", 20000.0, 0.0, 120000.0), (10, "代发", 0.0, 12000.0, 108000.0)];
    for (i, (day, summary, income, out, balance)) in lines.into_iter().enumerate() {
        let r = i as u32 + 3;
        sheet.write_datetime_with_format(r, 0, ExcelDateTime::from_ymd(2025, 1, day).unwrap(), &date).unwrap();
        sheet.write_string(r, 1, summary).unwrap();
        for (c, v) in [(2, income), (3, out)] {
            if v != 0.0 {
                sheet.write_number(r, c, v).unwrap();
            }
        }
        sheet.write_number(r, 4, balance).unwrap();
    }
    let path = env.write("对账单.xlsx", book.save_to_buffer().unwrap());
    let out = env.ok(&["--as", "王芳", "bank", "import", path.to_str().unwrap(), "--sheet", "交易明细"]);
    assert!(out.contains("新增 2 行"), "{out}");
    let lines = env.ok(&["bank", "list", "--format", "csv", "--plain"]);
    assert!(lines.contains("1,1002,2025-01-06,\"20,000.00\",,\"120,000.00\""), "{lines}");
}

#[test]
fn rpt_1_the_trial_balance_and_journal_as_xlsx_read_back_typed() {
    let env = quarter();
    let path = env.path("余额表.xlsx");
    env.ok(&["report", "trial-balance", "--month", "2025-01", "--format", "xlsx", "-o", path.to_str().unwrap()]);
    let range = read_sheet(std::fs::read(&path).unwrap());
    assert_eq!(range.get((0, 0)), Some(&Data::String("科目余额表".into())));
    assert!(row_of(&range, 1)[0].starts_with("编制单位：幸福里"), "{:?}", row_of(&range, 1));
    assert_eq!(row_of(&range, 2), ["科目编码", "科目名称", "级次", "期初余额", "借方", "贷方", "期末余额"]);
    let cash = (3..range.height()).find(|r| range.get((*r, 0)) == Some(&Data::String("1001".into()))).expect("1001");
    let plain = env.ok(&["report", "trial-balance", "--month", "2025-01", "--format", "csv", "--plain"]);
    let opening: f64 =
        plain.lines().find(|l| l.starts_with("1001,")).unwrap().split(',').nth(3).unwrap().parse().unwrap();
    assert_eq!(range.get((cash, 3)), Some(&Data::Float(opening)), "opening as a number");
    assert_eq!(range.get((cash, 2)), Some(&Data::Float(1.0)), "level as a number");
    let last = range.height() - 1;
    assert_eq!(range.get((last, 0)), Some(&Data::String("合计".into())));
    assert!(matches!(range.get((last, 4)), Some(Data::Float(f)) if *f > 0.0), "{:?}", row_of(&range, last));

    // Excel, by another name; to standard output when it is not a terminal.
    let out = env.run(&["report", "journal", "--month", "2025-01", "--format", "Excel"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    let range = read_sheet(out.stdout);
    assert_eq!(row_of(&range, 2)[..7], ["日期", "凭证号", "摘要", "科目编码", "科目名称", "借方", "贷方"]);
    assert!(
        matches!(range.get((3, 0)), Some(Data::DateTime(d)) if d.to_ymd_hms_milli().0 == 2025),
        "{:?}",
        range.get((3, 0))
    );
    assert!(matches!(range.get((3, 5)), Some(Data::Float(f)) if *f > 0.0), "{:?}", row_of(&range, 3));
    let last = range.height() - 1;
    assert_eq!(range.get((last, 0)), Some(&Data::String("合计".into())), "{:?}", row_of(&range, last));
    assert_eq!(range.get((last, 5)), range.get((last, 6)), "the journal's debits equal its credits");
}

#[test]
fn rpt_1_the_store_is_never_overwritten_by_an_xlsx() {
    // A file store only: a server's books have no path to write over.
    let env = on_sqlite(january);
    let before = env.books();
    let db = env.db();
    let err = env.fails(1, &["report", "journal", "--format", "xlsx", "-o", db.to_str().unwrap()]);
    assert!(err.contains("账簿文件"), "{err}");
    assert_eq!(env.books(), before);
}

#[test]
fn csv_for_excel_has_a_bom_and_chinese_headers_and_plain_has_neither() {
    let env = january();
    let excel = env.ok(&["report", "trial-balance", "--month", "2025-01", "--format", "csv"]);
    assert!(excel.starts_with("\u{FEFF}科目编码,科目名称,级次,期初余额,借方,贷方,期末余额\n"), "{excel}");
    let plain = env.ok(&["report", "trial-balance", "--month", "2025-01", "--format", "csv", "--plain"]);
    assert!(plain.starts_with("account,name,level,opening,debit,credit,closing\n"), "{plain}");
    let list = env.ok(&["voucher", "list", "--month", "2025-01", "--format", "csv"]);
    assert!(list.starts_with("\u{FEFF}凭证号,日期,状态,摘要,金额\n"), "{list}");
}

#[test]
fn csv_2_formula_text_is_escaped_in_csv_and_kept_as_text_in_xlsx() {
    let env = january();
    let file = env.write(
        "formula.csv",
        "日期,凭证号,摘要,科目,借方,贷方,往来单位,单据类型,开票单位,单据号,单据金额,经办人\n\
         2025-01-21,1,=HYPERLINK(\"http://x\"),1002,5.00,,幸福街道办事处,银行回单,建设银行,HD-F1,5.00,王芳\n\
         2025-01-21,1,=HYPERLINK(\"http://x\"),410102,,5.00,,,,,,\n",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    for extra in [None, Some("--plain")] {
        let mut args = vec!["voucher", "list", "--month", "2025-01", "--format", "csv"];
        args.extend(extra);
        let csv = env.ok(&args);
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    }
    let out = env.run(&["voucher", "list", "--month", "2025-01", "--format", "xlsx"]);
    let range = read_sheet(out.stdout);
    let found =
        (0..range.height()).any(|r| range.get((r, 3)) == Some(&Data::String("=HYPERLINK(\"http://x\")".into())));
    assert!(found, "the text as a string cell, never a formula");
}

#[test]
fn csv_3_export_then_import_round_trips_as_excel_csv_plain_csv_and_xlsx() {
    let env = january();
    let plain = env.ok(&["export", "--format", "csv", "--plain", "--month", "2025-01"]);
    assert!(plain.starts_with("date,voucher,summary"), "{plain}");
    let excel = env.ok(&["export", "--format", "csv", "--month", "2025-01"]);
    assert!(excel.starts_with("\u{FEFF}日期,凭证号,摘要"), "{excel}");
    let xlsx = env.path("凭证.xlsx");
    env.ok(&["export", "--format", "xlsx", "--month", "2025-01", "-o", xlsx.to_str().unwrap()]);
    let range = read_sheet(std::fs::read(&xlsx).unwrap());
    assert_eq!(row_of(&range, 2)[..6], ["日期", "凭证号", "摘要", "科目", "借方", "贷方"]);
    let journal = |env: &Env| env.ok(&["report", "journal", "--month", "2025-01", "--format", "csv", "--plain"]);
    let expected = journal(&env);
    for (name, bytes) in [
        ("plain.csv", plain.into_bytes()),
        ("excel.csv", excel.into_bytes()),
        ("x.xlsx", std::fs::read(&xlsx).unwrap()),
    ] {
        let fresh = january_before_import();
        let file = fresh.write(name, bytes);
        fresh.ok(&["import", file.to_str().unwrap()]);
        assert_eq!(journal(&fresh), expected, "{name} imports back to the same journal");
    }
}

#[test]
fn rpt_1_the_disclosure_items_as_xlsx() {
    let env = quarter();
    let path = env.path("公开.xlsx");
    env.ok(&["disclose", "--month", "2025-01", "--format", "xlsx", "-o", path.to_str().unwrap()]);
    let range = read_sheet(std::fs::read(&path).unwrap());
    assert!(row_of(&range, 0)[0].contains("财务收支公开"), "{:?}", row_of(&range, 0));
    let header = row_of(&range, 1);
    assert_eq!(header[..4], ["序号", "日期", "凭证号", "摘要"], "{header:?}");
    assert_eq!(range.get((2, 0)), Some(&Data::Float(1.0)), "序号 as a number");
}

/// [ACC-1] a chart kept in Excel adds its accounts: title rows skipped, a
/// top-level account with its 类别, sub-accounts after their parents
/// whatever the order; a file with a bad row adds nothing and names it.
#[test]
fn acc_1_accounts_import_from_an_xlsx_and_a_bad_file_adds_nothing() {
    let env = Env::with_ledger();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "科目表　幸福里社区").unwrap();
    for (c, h) in ["科目编码", "科目名称", "类别"].iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for (r, (code, name, kind)) in
        [("160101", "活动中心改造", ""), ("1601", "在建工程", "资产"), ("520104", "会议费", "")].into_iter().enumerate()
    {
        sheet.write_string(r as u32 + 2, 0, code).unwrap();
        sheet.write_string(r as u32 + 2, 1, name).unwrap();
        sheet.write_string(r as u32 + 2, 2, kind).unwrap();
    }
    let file = env.write("科目表.xlsx", book.save_to_buffer().unwrap());
    let out = env.admin(&["account", "import", file.to_str().unwrap()]);
    assert!(out.contains("已增设科目 3 个") && out.contains("160101 活动中心改造"), "{out}");
    let chart = env.ok(&["account", "list"]);
    assert!(chart.contains("520104") && chart.contains("在建工程"), "{chart}");
    let bad = env.write("bad.csv", "科目编码,科目名称,类别\n520105,差旅费,\n1701x,错误,\n1602,其他,未知类别\n");
    let before = env.books();
    let err = env.refused("CSV-2", &["--as", ADMIN, "account", "import", bad.to_str().unwrap()]);
    assert!(err.contains("第 4 行") && err.contains("未知类别"), "{err}");
    assert_eq!(env.books(), before, "nothing added");
    let bad = env.write("bad2.csv", "科目编码,科目名称\n520105,差旅费\n1701x,错误\n");
    let err = env.refused("ACC-1", &["--as", ADMIN, "account", "import", bad.to_str().unwrap()]);
    assert!(err.contains("第 3 行"), "{err}");
    assert_eq!(env.books(), before, "nothing added");
}
