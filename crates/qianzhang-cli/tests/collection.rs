//! Money raised from residents (FND-2): the 平房区 collects 10元/户 for its
//! self-run property service; the register lists who has paid, its total
//! equals the fund's income, spending above the ledger's setting cites a
//! residents' decision (一事一议), and the board shows the collection and
//! every use.

mod common;

use common::*;

const FUND: &str = "物业金";

/// 20 households of the 平房区; 15 pay ¥10 on 2025-03-03 and the day is
/// booked as one income voucher (2025-03/记-0001), posted.
fn pingfang() -> Env {
    let env = Env::with_office();
    env.admin(&["fund", "add", FUND, "--kind", "restricted"]);
    let mut list = String::from("门牌,户主\n");
    for i in 1..=20 {
        list.push_str(&format!("平房{}号,户主{i}\n", i));
    }
    let file = env.write("households.csv", list);
    let out = env.admin(&["collection", "household", "import", file.to_str().unwrap()]);
    assert!(out.contains("已登记住户 20 户"), "{out}");
    for i in 1..=15 {
        let (door, payer) = (format!("平房{i}号"), format!("户主{i}"));
        let args = [
            "--as",
            "王芳",
            "collection",
            "add",
            "--fund",
            FUND,
            "--household",
            &door,
            "--payer",
            &payer,
            "--amount",
            "10",
            "--date",
            "2025-03-03",
        ];
        let out = env.ok(&args);
        assert!(out.contains(&format!("收据 SJ{:07}", 100 + i)), "{out}");
    }
    let out = env.ok(&["collection", "book", "--fund", FUND, "--date", "2025-03-03", "--account", "4901"]);
    assert!(out.contains("已制单 2025-03/记-0001") && out.contains("15 笔，合计 ¥150.00"), "{out}");
    env.sign_and_post(&["2025-03/记-0001"]);
    env
}

/// A repair paid from the bank out of 物业金, citing `authorization`.
fn repair(env: &Env, amount: &str, authorization: &str) -> String {
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-20",
        "--summary",
        "修理平房区自来水管",
        "--debit",
        &format!("510102={amount}"),
        "--credit",
        &format!("1002={amount}"),
        "--fund",
        FUND,
        "--counterparty",
        "更生便民服务队",
        "--authorization",
        authorization,
        "--doc",
        &format!("类型=发票,号码=044001900111-0005,金额={amount},经办人=张伟,验收人=李娜"),
    ])
}

#[test]
fn fnd_2_the_register_lists_who_paid_and_equals_the_fund_income() {
    let env = Env::with_office();
    env.admin(&["fund", "add", FUND, "--kind", "restricted"]);
    env.admin(&["collection", "household", "add", "平房1号", "张三"]);
    env.admin(&["collection", "household", "add", "平房2号"]);
    env.refused("FND-2", &["--as", ADMIN, "collection", "household", "add", "平房1号"]);
    let args = ["collection", "add", "--fund", FUND, "--household", "平房1号", "--payer", "张三", "--amount", "10"];
    let out = env.ok(&[&["--as", "王芳"][..], &args[..], &["--date", "2025-03-03"]].concat());
    assert!(out.contains("收据 SJ0000101（壹拾元整）"), "{out}");
    // A household not registered, a receipt already in the register.
    env.refused(
        "FND-2",
        &[
            "--as",
            "王芳",
            "collection",
            "add",
            "--fund",
            FUND,
            "--household",
            "平房9号",
            "--payer",
            "李四",
            "--amount",
            "10",
        ],
    );
    env.refused(
        "RCP-2",
        &[
            "--as",
            "王芳",
            "collection",
            "add",
            "--fund",
            FUND,
            "--household",
            "平房1号",
            "--payer",
            "张三",
            "--amount",
            "10",
            "--receipt",
            "SJ0000101",
        ],
    );
    let list = env.ok(&["collection", "list", "--fund", FUND, "--month", "2025-03"]);
    for line in
        ["平房1号", "张三", "SJ0000101", "已缴 1 户，未缴 1 户，共 2 户", "未缴：平房2号", "[FND-2]", "相差 ¥10.00"]
    {
        assert!(list.contains(line), "{line} missing in:\n{list}");
    }
    env.ok(&["collection", "book", "--fund", FUND, "--date", "2025-03-03", "--account", "4901"]);
    env.sign_and_post(&["2025-03/记-0001"]);
    let list = env.ok(&["collection", "list", "--fund", FUND, "--month", "2025-03"]);
    assert!(list.contains("名册合计 ¥10.00，与“物业金”已记账收入相符") && !list.contains("[FND-2]"), "{list}");
    env.ok(&["verify"]);
    let log = env.ok(&["log"]);
    assert!(log.contains("收物业金 平房1号 张三 ¥10.00，收据 SJ0000101"), "{log}");
}

#[test]
fn fnd_2_the_pingfang_repair_is_decided_by_the_council_and_shown_on_the_board() {
    let env = pingfang();
    let list = env.ok(&["collection", "list", "--fund", FUND, "--period", "2025-03"]);
    assert!(list.contains("已缴 15 户，未缴 5 户，共 20 户") && list.contains("相符"), "{list}");
    // ¥800 from the residents' money on a 两委 resolution: refused at approval.
    repair(&env, "800", "两委决议〔2025〕1号");
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0002"]);
    let err = env.refused("FND-2", &["--as", "李明", "voucher", "approve", "2025-03/记-0002"]);
    assert!(err.contains("超过 ¥500.00") && err.contains("一事一议"), "{err}");
    env.ok(&["voucher", "void", "2025-03/记-0002", "--reason", "须经议事会决议"]);
    // The council decides a ¥120 repair; the ledger's setting makes it need one.
    env.admin(&["settings", "set", "fund-decision-threshold", "100"]);
    let out = env.admin(&[
        "auth",
        "add",
        "--kind",
        "议事会决议",
        "--number",
        "议事会决议〔2025〕1号",
        "--date",
        "2025-03-10",
        "--scope",
        "修理平房区自来水管",
        "--cap",
        "120",
        "--fund",
        FUND,
        "--attendance",
        "38",
        "--for",
        "35",
        "--against",
        "2",
    ]);
    assert!(out.contains("到会 38 人，同意 35 票，反对 2 票"), "{out}");
    env.refused(
        "FND-2",
        &[
            "--as",
            "管理员",
            "auth",
            "add",
            "--kind",
            "居民决议",
            "--number",
            "议事会决议〔2025〕2号",
            "--date",
            "2025-03-10",
            "--scope",
            "x",
            "--cap",
            "10",
            "--fund",
            FUND,
            "--attendance",
            "38",
            "--for",
            "10",
            "--against",
            "20",
        ],
    );
    repair(&env, "120", "议事会决议〔2025〕1号");
    env.sign_and_post(&["2025-03/记-0003"]);
    let board = env.ok(&["disclose", "--month", "2025-03", "--date", "2025-04-02"]);
    let start = board.find("居民筹资：物业金").expect("the board has the fund's section");
    let section: String = board[start..].lines().take_while(|l| !l.starts_with("五、")).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("fnd_2_board_section", section);
    env.ok(&["verify"]);
}

/// [FND-2] a household list kept in Excel imports as its CSV would: the
/// title rows above the 门牌 header skipped, a quoted CSV cell read whole,
/// and a list given twice refused as a whole.
#[test]
fn fnd_2_the_household_list_imports_from_an_xlsx_and_a_quoted_csv() {
    let env = Env::with_office();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "平房区住户名单（2025年）").unwrap();
    sheet.write_string(1, 0, "门牌").unwrap();
    sheet.write_string(1, 1, "户主").unwrap();
    for (r, (door, head)) in [("平房1号", "张三"), ("平房2号", "李四"), ("平房3号", "")].into_iter().enumerate()
    {
        sheet.write_string(r as u32 + 2, 0, door).unwrap();
        if !head.is_empty() {
            sheet.write_string(r as u32 + 2, 1, head).unwrap();
        }
    }
    let file = env.write("住户名单.xlsx", book.save_to_buffer().unwrap());
    let out = env.admin(&["collection", "household", "import", file.to_str().unwrap()]);
    assert!(out.contains("已登记住户 3 户"), "{out}");
    let list = env.ok(&["collection", "household", "list"]);
    assert!(list.contains("平房2号  李四") && list.contains("共 3 户"), "{list}");
    let csv = env.write("more.csv", "门牌,户主\n\"平房4号,东屋\",王五\n");
    env.admin(&["collection", "household", "import", csv.to_str().unwrap()]);
    assert!(env.ok(&["collection", "household", "list"]).contains("平房4号,东屋  王五"));
    let before = env.books();
    env.refused("FND-2", &["--as", ADMIN, "collection", "household", "import", file.to_str().unwrap()]);
    assert_eq!(env.books(), before, "a list with a door already registered changes nothing");
}

/// [FND-2]/[PUB-2] with names masked, the board names no payer in full: the
/// summaries `collection book` writes carry the 门牌 and the receipt, the
/// payer is the masked counterparty, and the receipts' 经办人 is the cashier
/// who holds the receipt book — in text, HTML (which has the fund's section)
/// and CSV alike.
#[test]
fn fnd_2_pub_2_the_board_masks_payers_and_the_poster_has_the_fund_section() {
    let env = pingfang();
    env.admin(&["settings", "set", "mask-names", "yes"]);
    for (door, payer) in [("平房16号", "张三"), ("平房17号", "李四")] {
        let args = ["--as", "王芳", "collection", "add", "--fund", FUND, "--household", door, "--payer", payer];
        env.ok(&[&args[..], &["--amount", "10", "--date", "2025-03-05"]].concat());
    }
    let out = env.ok(&["collection", "book", "--fund", FUND, "--date", "2025-03-05", "--account", "4901"]);
    assert!(out.contains("已制单 2025-03/记-0002"), "{out}");
    env.sign_and_post(&["2025-03/记-0002"]);
    let text = env.ok(&["disclose", "--month", "2025-03", "--date", "2025-04-02"]);
    let html_file = env.path("board.html");
    env.ok(&[
        "disclose",
        "--month",
        "2025-03",
        "--date",
        "2025-04-02",
        "--format",
        "html",
        "-o",
        html_file.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&html_file).unwrap();
    let csv = env.ok(&["disclose", "--month", "2025-03", "--date", "2025-04-02", "--format", "csv"]);
    let json = env.ok(&["disclose", "--month", "2025-03", "--date", "2025-04-02", "--format", "json"]);
    for (format, board) in [("text", &text), ("html", &html), ("csv", &csv), ("json", &json)] {
        for name in ["张三", "李四"] {
            assert!(!board.contains(name), "{format} names {name} in full:\n{board}");
        }
        assert!(board.contains("收物业金 平房16号（收据 SJ0000116）"), "{format}:\n{board}");
        assert!(board.contains("张*") && board.contains("李*"), "{format} shows the masked payer:\n{board}");
    }
    // The receipts' 经办人 is the cashier, named in full as an officer.
    let line = text.lines().find(|l| l.contains("平房17号")).expect("the payment is an item");
    assert!(line.contains("王芳") && !line.contains("张*"), "{line}");
    assert!(html.contains("<h2>居民筹资：物业金（收取与使用）</h2>"), "{html}");
    assert!(html.contains("本期收取：已缴 17 户 / 共 20 户，合计 ¥170.00"), "{html}");
    assert!(json.contains("\"resident_funds\""), "{json}");
    env.ok(&["verify"]);
}
