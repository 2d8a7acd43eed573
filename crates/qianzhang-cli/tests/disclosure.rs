//! The public disclosure (PUB-1, PUB-2): January of the fixture closed and
//! published in every format, previews marked 草稿, names masked, the
//! quarter's assets and public-welfare money, the year's budget, and the
//! poster rendered by a real browser.

mod common;

use common::browser::{chromium, have_browser, to_pdf};
use common::{closed_january, closed_january_at_close, Env};

fn disclose_raw(env: &Env, format: &str) -> String {
    env.ok(&["disclose", "--month", "2025-01", "--format", format, "--date", "2025-02-05"])
}

/// The fingerprint printed on January's statement.
fn fingerprint(env: &Env) -> String {
    let json: serde_json::Value = serde_json::from_str(&disclose_raw(env, "json")).unwrap();
    json["fingerprint"].as_str().unwrap().to_string()
}

/// January's statement with its fingerprint blanked: passphrases are
/// salted at random, so the chain differs from run to run.
fn disclose(env: &Env, format: &str) -> String {
    let fp = fingerprint(env);
    disclose_raw(env, format).replace(&fp, "<指纹全文>").replace(&fp[..16], "<指纹>")
}

#[test]
fn pub_1_the_closed_month_in_every_format() {
    let env = closed_january();
    let text = disclose(&env, "text");
    assert!(!text.contains("草稿"), "{text}");
    insta::assert_snapshot!("disclosure_2025_01_text", text);
    insta::assert_snapshot!("disclosure_2025_01_md", disclose(&env, "md"));
    insta::assert_snapshot!("disclosure_2025_01_csv", disclose(&env, "csv"));
    insta::assert_snapshot!("disclosure_2025_01_json", disclose(&env, "json"));
    insta::assert_snapshot!("disclosure_2025_01_html", disclose(&env, "html"));
    // The totals agree with the trial balance of the month.
    let tb = env.ok(&["report", "trial-balance", "--month", "2025-01", "--format", "csv"]);
    assert!(tb.contains("4401,政府补助收入,1,0.00,0.00,20000.00,-20000.00"), "{tb}");
    assert!(tb.contains("4901,其他收入,1,0.00,0.00,600.00,-600.00"), "{tb}");
    assert!(text.contains("本期收入       20,600.00") && text.contains("本期支出       14,310.00"), "{text}");
    // The fingerprint printed is the hash of the entry that closed the month.
    let fp = fingerprint(&env);
    let log = env.ok(&["log", "--limit", "10"]);
    assert!(log.lines().any(|l| l.contains("结账 2025-01") && l.contains(&fp[..16])), "{fp}\n{log}");
}

#[test]
fn pub_1_a_month_not_closed_is_a_draft_in_every_format() {
    let env = closed_january();
    for format in ["text", "md", "csv", "json", "html"] {
        let out = env.ok(&["disclose", "--month", "2025-02", "--format", format]);
        assert!(out.contains("草稿") || out.contains("\"draft\": true"), "{format}: {out}");
        assert!(!out.contains("正式"), "{format}: {out}");
    }
    let html = env.ok(&["disclose", "--month", "2025-02", "--format", "html", "--paper", "a4"]);
    assert!(html.contains("class=\"watermark\">草稿") && html.contains("size: A4 portrait"), "{html}");
    env.fails(1, &["disclose"]);
    let path = env.path("poster.html");
    let out = env
        .command()
        .args(["disclose", "--month", "2025-01", "--format", "html", "--date", "2025-02-05", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stderr).contains("正式"));
    assert!(std::fs::read_to_string(&path).unwrap().contains("财务收支公开表（2025年01月）"));
}

#[test]
fn pub_2_private_names_are_masked_unless_the_ledger_says_otherwise() {
    let env = closed_january();
    let text = disclose(&env, "text");
    assert!(text.contains("王*") && !text.contains("王五"), "the payer of the hall fee: {text}");
    assert!(text.contains("张*") && !text.contains("张三"), "{text}");
    assert!(!text.contains("13812345678") && text.contains("***********"), "{text}");
    assert!(text.contains("0571-88886666"), "an office landline is printed: {text}");
    env.set_now("2025-03-31T18:00:00+08:00");
    env.admin(&["settings", "set", "mask-names", "no"]);
    let text = disclose(&env, "text");
    assert!(text.contains("王五") && !text.contains("13812345678"), "numbers never appear: {text}");
    env.refused("PUB-2", &["--as", "管理员", "settings", "set", "mask-names", "maybe"]);
}

#[test]
fn pub_1_review_is_recorded_by_the_supervisory_committee() {
    let env = closed_january();
    env.refused(
        "OPR-1",
        &["--as", "陈静", "disclose", "review", "--month", "2025-01", "--by", "刘洋", "--opinion", "同意"],
    );
    env.refused(
        "OPR-1",
        &["--as", "刘洋", "disclose", "review", "--month", "2025-01", "--by", "刘洋", "--opinion", "同意"],
    );
    env.refused(
        "PUB-1",
        &["--as", "陈静", "disclose", "review", "--month", "2025-01", "--by", "陈静", "--opinion", " "],
    );
    let text = disclose(&env, "text");
    assert!(text.contains("经审核，收支属实，单据齐全。（陈静，2025-02-04）"), "{text}");
}

/// [PUB-1] a printer bought with a 街道批复 (debit 1501 固定资产, credit
/// bank) is an item of the spending, not hidden in 其他收付; a voided
/// voucher number is listed with its reason.
#[test]
fn pub_1_asset_purchases_are_items_and_voided_numbers_are_explained() {
    let env = closed_january();
    env.set_now("2025-02-28T10:00:00+08:00");
    let add = |summary: &str, debit: &str, credit: &str, doc: &str| {
        env.ok(&[
            "voucher",
            "add",
            "--date",
            "2025-02-10",
            "--summary",
            summary,
            "--debit",
            debit,
            "--credit",
            credit,
            "--authorization",
            "街道批复〔2025〕1号",
            "--doc-type",
            "发票",
            "--issuer",
            "办公设备公司",
            "--doc-no",
            doc,
            "--doc-amount",
            "1850",
            "--handler",
            "刘洋",
            "--checker",
            "赵敏",
        ])
    };
    add("购买打印机", "1501=1850", "1002=1850", "P-1");
    add("购买打印机（重复录入）", "1501=1850", "1002=1850", "P-2");
    env.ok(&["voucher", "void", "2025-02/记-0002", "--reason", "重复录入，已由记-0001 入账"]);
    env.sign_and_post(&["2025-02/记-0001"]);
    let text = env.ok(&["disclose", "--month", "2025-02", "--date", "2025-02-28"]);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("购买打印机［资产购置］") && text.contains("1501 固定资产"), "{text}");
    assert!(words.contains("本期支出 1,850.00") && words.contains("其中资产购置 1,850.00"), "{text}");
    assert!(words.contains("其他收付净额 0.00"), "not netted as other: {text}");
    assert!(
        text.contains("七、作废凭证")
            && text.contains("2025-02/记-0002")
            && text.contains("重复录入，已由记-0001 入账"),
        "{text}"
    );
    let html = env.ok(&["disclose", "--month", "2025-02", "--date", "2025-02-28", "--format", "html"]);
    assert!(html.contains("<h2>七、作废凭证</h2>") && html.contains("重复录入，已由记-0001 入账"), "{html}");
}

/// [PUB-1] the review comes before publication: a statement dated on the
/// day of the close (2025-02-03), before its review (2025-02-04), is
/// refused, naming the date to give; a review cannot be dated ahead of the
/// day it is entered, nor before the month's end.
#[test]
fn pub_1_review_dated_after_the_publication_date_is_refused() {
    let env = closed_january_at_close();
    for format in ["text", "html"] {
        let err = env.fails(1, &["disclose", "--month", "2025-01", "--format", format, "--date", "2025-02-03"]);
        assert!(err.contains("[PUB-1]") && err.contains("2025-02-04") && err.contains("--date"), "{err}");
    }
    let text = env.ok(&["disclose", "--month", "2025-01"]);
    assert!(text.contains("公布日期：2025-02-04"), "published the day it is reviewed: {text}");
    let review = |date: &str| {
        let args = ["--as", "陈静", "disclose", "review", "--month", "2025-01", "--opinion", "同意", "--date", date];
        env.refused("PUB-1", &args)
    };
    assert!(review("2025-02-05").contains("晚于今天 2025-02-04"));
    assert!(review("2025-01-15").contains("早于2025年01月的最后一天 2025-01-31"));
    let err = env.fails(1, &["disclose", "publish", "--month", "2025-01", "--date", "2025-02-05"]);
    assert!(err.contains("[PUB-1]") && err.contains("公布日期 2025-02-05 晚于今天 2025-02-04"), "{err}");
}

#[test]
fn pub_1_the_quarter_adds_assets_and_public_welfare_and_the_year_the_budget() {
    let env = closed_january();
    let q = env.ok(&["disclose", "--quarter", "2025-Q1", "--date", "2025-04-05"]);
    assert!(
        q.contains("八、固定资产") && q.contains("ZC-0001") && q.contains("打印机") && q.contains("1,800.00"),
        "{q}"
    );
    assert!(q.contains("九、公益事业收支") && q.contains("重阳敬老公益活动"), "{q}");
    assert!(q.contains("草稿"), "February and March are open: {q}");
    env.refused(
        "AST-1",
        &[
            "asset",
            "add",
            "--name",
            "桌",
            "--value",
            "1",
            "--location",
            "x",
            "--custodian",
            "刘洋",
            "--voucher",
            "2025-02/记-0001",
            "--date",
            "2025-02-01",
        ],
    );
    env.refused("AST-1", &["asset", "dispose", "ZC-0009", "--date", "2025-03-01", "--reason", "报废"]);
    env.ok(&["asset", "dispose", "ZC-0001", "--date", "2025-03-01", "--reason", "损坏报废"]);
    let list = env.ok(&["asset", "list", "--date", "2025-03-31"]);
    assert!(list.contains("已于 2025-03-01 处置：损坏报废"), "{list}");
    env.ok(&["budget", "set", "--year", "2025", "--account", "5201", "--amount", "10000"]);
    env.ok(&["budget", "set", "--year", "2025", "--account", "4401", "--amount", "80000"]);
    env.refused("BUD-1", &["budget", "set", "--year", "2025", "--account", "1001", "--amount", "1"]);
    let y = env.ok(&["disclose", "--year", "2025", "--format", "csv"]);
    assert!(y.contains("草稿"), "{y}");
    let y = env.ok(&["disclose", "--year", "2025"]);
    assert!(y.contains("十、预算执行情况"), "{y}");
    assert!(y.contains("5201 管理费用      10,000.00   1,810.00   -8,190.00   18.1%"), "{y}");
    assert!(y.contains("4401 政府补助收入  80,000.00  20,000.00  -60,000.00   25.0%"), "{y}");
}

/// The poster through a real browser: one A3 page, the totals and the
/// fingerprint in the text layer, and ink on the page.
#[test]
fn pub_1_the_poster_prints_on_one_a3_page() {
    if !have_browser() {
        return;
    }
    let env = closed_january();
    let html = env.path("poster.html");
    std::fs::write(&html, disclose_raw(&env, "html")).unwrap();
    let (info, pages, _) = to_pdf(&env, "poster", &disclose_raw(&env, "html"));
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")), "{info}");
    assert!(info.contains("(A3)"), "{info}");
    let text = pages.concat().replace(char::is_whitespace, "");
    let fp = fingerprint(&env);
    for needle in ["20,600.00", "14,310.00", "贰万零陆佰元整", fp.as_str()] {
        assert!(text.contains(needle), "{needle} not in the PDF text:\n{text}");
    }
    let png = env.path("poster.png");
    chromium(&env, &html, &[format!("--screenshot={}", png.display()), "--window-size=1123,1587".into()]);
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let channels = frame.color_type.samples();
    let pixels = &buf[..frame.buffer_size()];
    let inked = pixels.chunks(channels).filter(|p| p.iter().take(3).any(|c| *c < 128)).count();
    let total = pixels.len() / channels;
    assert!(inked * 200 > total, "the poster is blank: {inked} of {total} pixels inked");
}

/// A month of `n` items, migrated as history into December 2024: income and
/// spending alternate, some summaries long enough to wrap.
fn long_month(n: usize) -> Env {
    let env = Env::with_office();
    let mut csv = String::from("date,voucher,summary,account,debit,credit\n");
    for i in 1..=n {
        let day = 1 + (i % 28);
        let summary = match i % 3 {
            0 => format!("收活动室场地费（第{i}次）"),
            1 => format!("购买社区活动室用品：桌椅、茶具、打印纸、墨盒等（第{i}批）"),
            _ => format!("支付楼道保洁费{i}"),
        };
        let (debit, credit) = if i % 3 == 0 { ("1002", "4901") } else { ("520101", "1002") };
        csv.push_str(&format!("2024-12-{day:02},{i},{summary},{debit},{i}0.50,\n"));
        csv.push_str(&format!("2024-12-{day:02},{i},{summary},{credit},,{i}0.50\n"));
    }
    env.write("december.csv", csv);
    env.ok(&["import", "--history", "december.csv"]);
    env
}

/// [PUB-1] a month of more items than the first A3 page holds (about 40)
/// continues on a second page headed 续页 with the table's heading repeated;
/// no page holds a stray line or two, and the review is never left alone.
#[test]
fn pub_1_a_long_month_continues_on_a_second_page_with_repeated_headings() {
    let env = long_month(60);
    let html = env.ok(&["disclose", "--month", "2024-12", "--format", "html", "--date", "2025-01-05"]);
    assert_eq!(html.matches("二、收支明细").count(), 1, "one table, broken across pages by the browser");
    assert!(html.contains("@page :first") && html.contains("续页（第 "), "{html}");
    assert!(html.contains("thead { display: table-header-group; }"), "the heading repeats on every page");
    if !have_browser() {
        return;
    }
    let (info, pages, _) = to_pdf(&env, "long", &html);
    assert!(info.contains("(A3)"), "{info}");
    assert_eq!(pages.len(), 2, "{info}");
    for (i, page) in pages.iter().enumerate() {
        let lines = page.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(lines > 20, "page {} holds only {lines} lines:\n{page}", i + 1);
    }
    let items = |page: &str| page.lines().filter(|l| l.contains(" 2024-12-")).count();
    assert!((35..=45).contains(&items(&pages[0])), "about 40 items on the first page: {}", items(&pages[0]));
    assert_eq!(items(&pages[0]) + items(&pages[1]), 60);
    assert!(pages[0].contains("一、收支概况") && !pages[0].contains("续页"), "{}", pages[0]);
    let second = &pages[1];
    assert!(second.contains("幸福里财务收支公开表（2024年12月）") && second.contains("续页（第 2 页）"), "{second}");
    assert!(second.contains("序号") && second.contains("凭证号") && second.contains("合计"), "{second}");
    assert!(second.contains("审核与公布") && second.contains("指纹全文"), "{second}");
    let short = long_month(12).ok(&["disclose", "--month", "2024-12", "--format", "html", "--date", "2025-01-05"]);
    let (_, short_pages, _) = to_pdf(&env, "short", &short);
    assert_eq!(short_pages.len(), 1, "a month that fits is one page");
}

#[test]
fn vch_4_a_prepared_voucher_is_voided_with_a_reason_and_keeps_its_number() {
    let env = Env::with_office();
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-05",
        "--summary",
        "电费",
        "--debit",
        "520102=1200",
        "--credit",
        "1002=1200",
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发票",
        "--issuer",
        "供电公司",
        "--doc-no",
        "D1",
        "--doc-amount",
        "1200",
        "--handler",
        "刘洋",
        "--checker",
        "赵敏",
    ]);
    env.refused("VCH-4", &["voucher", "void", "2025-03/记-0001", "--reason", " "]);
    env.refused("SEP-5", &["--as", "王芳", "voucher", "void", "2025-03/记-0001", "--reason", "缺批复"]);
    env.ok(&["voucher", "void", "2025-03/记-0001", "--reason", "缺街道批复"]);
    env.refused("VCH-4", &["voucher", "void", "2025-03/记-0001", "--reason", "再次"]);
    env.refused("VCH-4", &["--as", "刘洋", "voucher", "review", "2025-03/记-0001"]);
    env.refused("VCH-4", &["voucher", "post", "2025-03/记-0001"]);
    let list = env.ok(&["voucher", "list", "--month", "2025-03"]);
    assert!(list.contains("已作废"), "{list}");
    let next = env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-06",
        "--summary",
        "x",
        "--debit",
        "1001=1",
        "--credit",
        "1002=1",
    ]);
    assert!(next.contains("2025-03/记-0002"), "the number stays taken: {next}");
    let csv = env.ok(&["export", "--format", "csv"]);
    assert!(!csv.contains("电费"), "a voided voucher is not exported for re-import: {csv}");
    env.ok(&["verify"]);
}

#[test]
fn aud_2_catches_edits_to_the_board_tables() {
    let env = closed_january();
    env.ok(&["budget", "set", "--year", "2025", "--account", "5201", "--amount", "10000"]);
    env.ok(&["verify"]);
    for (sql, table) in [
        ("UPDATE disclosure_reviews SET opinion = '同意';", "disclosure_reviews"),
        ("UPDATE assets SET value = 1;", "assets"),
        ("DELETE FROM budgets;", "budgets"),
    ] {
        let env = env.fork();
        env.tamper(sql);
        let err = env.fails(3, &["verify"]);
        assert!(err.contains(&format!("表 {table}")), "{sql}\n{err}");
    }
}

/// [PUB-1] the opinion is the operator's own: without `--by` the one signed
/// in is the reviewer; with neither `--by` nor `--as`, no one is.
#[test]
fn pub_1_the_operator_is_the_reviewer_without_by() {
    let env = closed_january();
    env.ok(&[
        "--as",
        "陈静",
        "disclose",
        "review",
        "--month",
        "2025-01",
        "--opinion",
        "复核无误。",
        "--date",
        "2025-02-05",
    ]);
    let text = disclose(&env, "text");
    assert!(text.contains("复核无误。（陈静，2025-02-05）"), "{text}");
    let nobody = env
        .command()
        .args(["disclose", "review", "--month", "2025-01", "--opinion", "同意"])
        .env_remove("QIANZHANG_USER")
        .output()
        .unwrap();
    assert_eq!(nobody.status.code(), Some(2), "{}", String::from_utf8_lossy(&nobody.stderr));
}
