use time::macros::date;

use super::*;
use crate::csvfile::TextEncoding;

#[test]
fn lim_1_statements_stay_within_what_the_engine_sums() {
    let mut b = crate::memory::MemoryBooks::fixture();
    let big = crate::money::MAX_TOTAL_FEN / 4;
    b.statement.push(line(1, date!(2025 - 01 - 02), big, big, "A"));
    let more = |reference: &str| Statement {
        sha256: "x".into(),
        encoding: TextEncoding::Utf8,
        lines: vec![line(2, date!(2025 - 01 - 03), big, 2 * big, reference).line],
    };
    let refused = import_statement(&mut b, "1002", "s.csv", more("B"), None, date!(2025 - 01 - 31));
    assert!(matches!(refused, Err(Failure::Refused(r)) if r.first_rule() == Rule::Lim1));
    let small = Statement {
        sha256: "y".into(),
        encoding: TextEncoding::Utf8,
        lines: vec![line(2, date!(2025 - 01 - 03), 100, big + 100, "C").line],
    };
    import_statement(&mut b, "1002", "s.csv", small, None, date!(2025 - 01 - 31)).unwrap();
}

fn line(id: u64, d: Date, amount: i64, balance: i64, reference: &str) -> StoredLine {
    StoredLine {
        id,
        account: "1002".into(),
        line: StatementLine {
            date: d,
            inflow: Money::from_fen(amount.max(0)),
            outflow: Money::from_fen((-amount).max(0)),
            balance: Money::from_fen(balance),
            reference: reference.into(),
            counterparty: String::new(),
            summary: String::new(),
        },
        matched: None,
    }
}

fn entry(n: u32, d: Date, amount: i64, reference: &str) -> BookEntry {
    BookEntry {
        voucher: VoucherRef { period: Period::of(d), number: n },
        date: d,
        amount: Money::from_fen(amount),
        summary: "x".into(),
        references: vec![reference.into()],
        carried: false,
    }
}

#[test]
fn bnk_1_reads_a_bank_export_with_title_rows_and_gbk() {
    let text = "中国农业银行账户明细\n账号,6228xxxx\n交易日期,交易流水号,摘要,收入金额,支出金额,余额,对方户名\n\
                    20250403 10:22:01,A001,拨款,\"5,000.00\",,105000.00,街道办事处\n2025-04-05,A002,转账,,300,104700,某物业\n合计,,,5000,300,,\n";
    let gbk = encoding_rs::GBK.encode(text).0.into_owned();
    for bytes in [text.as_bytes().to_vec(), gbk] {
        let s = read_statement(&bytes, None, &[]).unwrap();
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0].date, date!(2025 - 04 - 03));
        assert_eq!(s.lines[0].inflow, Money::from_fen(500_000));
        assert_eq!(s.lines[1].outflow, Money::from_fen(30_000));
        assert_eq!(s.lines[1].counterparty, "某物业");
    }
}

#[test]
fn bnk_1_names_the_missing_columns_and_takes_a_mapping() {
    let text = "时间,进账,出账,结余\n2025-04-03,10,,10\n";
    let err = read_statement(text.as_bytes(), None, &[]).unwrap_err();
    assert_eq!(err.reasons[0].rule, Rule::Bnk1);
    assert!(err.reasons[0].message.contains("交易日期") && err.reasons[0].message.contains("余额"));
    let map = parse_mapping("date=时间,in=进账,out=出账,balance=结余").unwrap();
    let s = read_statement(text.as_bytes(), None, &map).unwrap();
    assert_eq!(s.lines[0].balance, Money::from_fen(1_000));
    assert_eq!(parse_mapping("when=时间").unwrap_err().rule, Rule::Bnk1);
    let bad = "交易日期,收入,支出,余额\n2025-13-01,1,,1\n2025-04-02,1,1,1\n";
    let err = read_statement(bad.as_bytes(), None, &[]).unwrap_err();
    assert_eq!(err.reasons.iter().map(|r| r.row).collect::<Vec<_>>(), vec![Some(2), Some(3)]);
}

#[test]
fn bnk_1_a_file_that_is_no_statement_is_named_in_a_line_not_echoed() {
    // An HTML page saved by mistake: one long "header" of many cells.
    let page = format!("<!DOCTYPE html><html><head><title>网上银行</title>{}</head>\n", "<meta a=b>,".repeat(400));
    let err = read_statement(page.as_bytes(), None, &[]).unwrap_err();
    let message = &err.reasons[0].message;
    assert_eq!(err.reasons[0].rule, Rule::Bnk1);
    assert!(message.contains("对账单格式不认识") && message.contains("共 401 列"), "{message}");
    assert!(message.chars().count() < 400, "{} characters: {message}", message.chars().count());
}

#[test]
fn bnk_1_a_balance_that_does_not_follow_is_refused_naming_the_line() {
    let text = "交易日期,收入金额,支出金额,余额\n2025-02-03,100,,1100\n2025-02-05,,50,1050\n2025-02-09,,30,1000\n";
    let err = read_statement(text.as_bytes(), None, &[]).unwrap_err();
    assert_eq!(err.reasons.len(), 1);
    let r = &err.reasons[0];
    assert_eq!((r.rule, r.row), (Rule::Bnk1, Some(4)), "{}", r.message);
    assert!(r.message.contains("余额 ¥1,050.00") && r.message.contains("应为 ¥1,020.00"), "{}", r.message);
    // Exported newest first, the same lines follow from one another.
    let newest_first =
        "交易日期,收入金额,支出金额,余额\n2025-02-09,,30,1020\n2025-02-05,,50,1050\n2025-02-03,100,,1100\n";
    assert_eq!(read_statement(newest_first.as_bytes(), None, &[]).unwrap().lines.len(), 3);
}

#[test]
fn bnk_1_a_statement_continues_from_the_last_line_imported() {
    use crate::memory::MemoryBooks;
    let mut b = MemoryBooks::fixture();
    let today = date!(2025 - 03 - 31);
    let read = |t: &str| read_statement(format!("交易日期,收入金额,支出金额,余额\n{t}").as_bytes(), None, &[]).unwrap();
    import_statement(&mut b, "1002", "1.csv", read("2025-01-06,100,,1100\n"), None, today).unwrap();
    let gap = import_statement(&mut b, "1002", "2.csv", read("2025-02-06,100,,1300\n"), None, today);
    match gap {
        Err(Failure::Refused(r)) => assert!(r.reasons[0].message.contains("应为 ¥1,200.00"), "{:?}", r.reasons),
        other => panic!("a missing line must be refused: {other:?}"),
    }
    import_statement(&mut b, "1002", "2.csv", read("2025-02-06,100,,1200\n"), None, today).unwrap();
    assert_eq!(b.statement_through("1002").unwrap(), Some(date!(2025 - 02 - 06)));
    let quiet = read("");
    assert!(import_statement(&mut b, "1002", "3.csv", quiet.clone(), None, today).is_err(), "no lines, no reach");
    import_statement(&mut b, "1002", "3.csv", quiet.clone(), Some(date!(2025 - 02 - 28)), today).unwrap();
    assert_eq!(b.statement_through("1002").unwrap(), Some(date!(2025 - 02 - 28)));
    assert!(import_statement(&mut b, "1002", "4.csv", quiet, Some(date!(2025 - 04 - 30)), today).is_err(), "future");
}

#[test]
fn bnk_1_a_statement_short_of_the_month_end_is_not_balanced() {
    let p = Period::parse("2025-02").unwrap();
    let mut lines = vec![line(1, date!(2025 - 01 - 31), 1_000, 11_000, "")];
    let entries = vec![entry(1, date!(2025 - 01 - 31), 1_000, "")];
    lines[0].matched = Some(entries[0].voucher);
    let book = Money::from_fen(11_000);
    let r = Reconciliation::build("1002", "银行存款", p, book, &lines, &entries, None);
    assert_eq!(r.adjusted_bank(), Some(r.adjusted_book()), "the figures agree");
    assert!(!r.agrees() && !r.statement_complete(), "but January's statement says nothing of February");
    let problem = r.problem().unwrap();
    assert_eq!(problem.rule, Rule::Bnk1);
    assert!(
        problem.message.contains("只到 2025-01-31") && problem.message.contains("2025-02-28"),
        "{}",
        problem.message
    );
    let full = Reconciliation::build("1002", "银行存款", p, book, &lines, &entries, Some(date!(2025 - 02 - 28)));
    assert!(full.agrees() && full.problem().is_none());
}

#[test]
fn bnk_1_duplicate_lines_are_recognised() {
    let a = line(1, date!(2025 - 04 - 03), 100, 100, "A1").line;
    let b = line(2, date!(2025 - 04 - 04), 100, 200, "A2").line;
    let known: HashSet<String> = [a.key()].into();
    let (fresh, dups) = new_lines(&known, vec![a.clone(), b.clone(), b.clone()]);
    assert_eq!((fresh, dups), (vec![b], 2));
}

#[test]
fn bnk_1_auto_match_prefers_reference_then_nearest_date() {
    let lines = vec![line(1, date!(2025 - 04 - 05), -300, 0, "X9"), line(2, date!(2025 - 04 - 20), 500, 0, "")];
    let entries = vec![
        entry(1, date!(2025 - 04 - 04), -300, ""),
        entry(2, date!(2025 - 04 - 08), -300, "X9"),
        entry(3, date!(2025 - 04 - 01), 500, ""),
    ];
    let m = auto_match(&lines, &entries, 5);
    assert_eq!(m, vec![(1, entries[1].voucher)], "the 500 is 19 days away: outside the window");
}

#[test]
fn bnk_1_reconciliation_balances_with_items_in_transit() {
    let p = Period::parse("2025-04").unwrap();
    let mut lines = vec![
        line(1, date!(2025 - 04 - 02), 1_000, 11_000, ""),
        line(2, date!(2025 - 04 - 30), -50, 10_950, ""), // bank fee not booked yet
    ];
    let entries = vec![
        entry(1, date!(2025 - 04 - 02), 1_000, ""),
        entry(2, date!(2025 - 04 - 30), -400, ""), // cheque not yet presented
    ];
    lines[0].matched = Some(entries[0].voucher);
    let book = Money::from_fen(10_000 + 1_000 - 400);
    let end = Some(date!(2025 - 04 - 30));
    let r = Reconciliation::build("1002", "银行存款", p, book, &lines, &entries, end);
    assert_eq!(r.bank_out_not_booked.len(), 1);
    assert_eq!(r.booked_out_not_banked.len(), 1);
    assert_eq!(r.adjusted_book(), Money::from_fen(10_550));
    assert_eq!(r.adjusted_bank(), Some(Money::from_fen(10_550)));
    assert!(r.agrees() && r.problem().is_none());
    let off = Reconciliation::build("1002", "银行存款", p, book + Money::from_fen(7), &lines, &entries, end);
    let problem = off.problem().unwrap();
    assert_eq!(problem.rule, Rule::Bnk1);
    assert!(problem.message.contains("0.07"), "{}", problem.message);
    let none = Reconciliation::build("1002", "银行存款", p, book, &[], &entries, None);
    assert!(none.problem().unwrap().message.contains("bank import"));
}

/// A ledger going live in January 2025 with ¥12,345.67 in the bank and
/// nothing else: the books the balance-line tests start from.
fn gone_live_with_bank(fen: i64) -> crate::memory::MemoryBooks {
    let mut b = crate::memory::MemoryBooks::fixture();
    b.opening_cash = Money::ZERO;
    b.openings.insert("1002".into(), Money::from_fen(fen));
    b
}

fn refusal<T: std::fmt::Debug>(r: Result<T, Failure>) -> Refusal {
    match r {
        Err(Failure::Refused(r)) => r.reasons[0].clone(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn bnk_1_balance_only_statement_reaches_month_end() {
    let mut b = gone_live_with_bank(1_234_567);
    let jan = Period::parse("2025-01").unwrap();
    let today = date!(2025 - 02 - 03);
    // January had no bank movement: the bank's statement has no
    // transaction line, and nothing imported says what the balance is.
    let r = reconcile(&mut b, "1002", jan).unwrap();
    assert!(!r.agrees(), "{r:?}");
    assert!(r.problem().unwrap().message.contains("bank balance --date 2025-01-31"), "{r:?}");
    let header_only = read_statement("交易日期,收入金额,支出金额,余额\n".as_bytes(), None, &[]).unwrap();
    import_statement(&mut b, "1002", "一月.csv", header_only, Some(date!(2025 - 01 - 31)), today).unwrap();
    let r = reconcile(&mut b, "1002", jan).unwrap();
    assert_eq!(r.statement_balance, None);
    let problem = r.problem().unwrap();
    assert_eq!(problem.rule, Rule::Bnk1);
    assert!(problem.message.contains("还没有一行余额") && problem.message.contains("bank balance"), "{problem:?}");

    // A wrong balance as the account's first line is refused: every later
    // line would follow from it and none is ever taken back.
    let wrong =
        refusal(record_statement_balance(&mut b, "1002", date!(2025 - 01 - 31), Money::from_fen(1_200_000), today));
    assert_eq!(wrong.rule, Rule::Bnk1);
    assert!(wrong.message.contains("应为 ¥12,345.67") && wrong.message.contains("相差 ¥345.67"), "{}", wrong.message);
    assert!(b.statement.is_empty(), "nothing recorded");

    // The statement's 期末余额 recorded: the statement reaches the month's
    // end, with a balance, and the two adjusted balances agree.
    let done =
        record_statement_balance(&mut b, "1002", date!(2025 - 01 - 31), Money::from_fen(1_234_567), today).unwrap();
    assert_eq!((done.new_lines, done.reach), (1, date!(2025 - 01 - 31)));
    let r = reconcile(&mut b, "1002", jan).unwrap();
    assert_eq!(r.statement_balance, Some(Money::from_fen(1_234_567)));
    assert_eq!(r.adjusted_bank(), Some(r.adjusted_book()));
    assert!(r.agrees() && r.problem().is_none(), "{r:?}");
    assert!(r.bank_in_not_booked.is_empty() && r.bank_out_not_booked.is_empty(), "a balance line is no movement");
    // Recorded again, it is the same line.
    let again =
        record_statement_balance(&mut b, "1002", date!(2025 - 01 - 31), Money::from_fen(1_234_567), today).unwrap();
    assert_eq!((again.new_lines, again.duplicates), (0, 1));

    // A balance line has nothing to match.
    let id = b.statement[0].id;
    let v = VoucherRef { period: jan, number: 1 };
    assert!(refusal(match_by_hand(&mut b, "1002", id, v)).message.contains("余额行"));

    // February's must follow from January's: the bank had nothing in or out.
    let broken = refusal(record_statement_balance(
        &mut b,
        "1002",
        date!(2025 - 02 - 28),
        Money::from_fen(1_234_500),
        date!(2025 - 03 - 03),
    ));
    assert_eq!(broken.rule, Rule::Bnk1);
    assert!(broken.message.contains("余额行") && broken.message.contains("¥12,345.67"), "{}", broken.message);
    record_statement_balance(&mut b, "1002", date!(2025 - 02 - 28), Money::from_fen(1_234_567), date!(2025 - 03 - 03))
        .unwrap();
    assert!(reconcile(&mut b, "1002", Period::parse("2025-02").unwrap()).unwrap().agrees());
}

#[test]
fn bnk_1_a_balance_line_leaves_the_month_s_book_entries_in_transit() {
    use crate::books::prepare_voucher;
    use crate::test_support::{draft, post};
    use crate::voucher::Origin;
    let mut b = gone_live_with_bank(1_234_567);
    let jan = Period::parse("2025-01").unwrap();
    let today = date!(2025 - 02 - 03);
    // A cheque written on January 20 the bank has not yet paid.
    let mut d = draft(date!(2025 - 01 - 20), 50_000);
    d.lines[1].account = "1002".into();
    let cheque = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
    post(&mut b, cheque).unwrap();
    // The bank's balance is the opening one: the books' ¥11,845.67 is refused.
    let wrong =
        refusal(record_statement_balance(&mut b, "1002", date!(2025 - 01 - 31), Money::from_fen(1_184_567), today));
    assert!(wrong.message.contains("应为 ¥12,345.67"), "{}", wrong.message);
    record_statement_balance(&mut b, "1002", date!(2025 - 01 - 31), Money::from_fen(1_234_567), today).unwrap();
    let r = reconcile(&mut b, "1002", jan).unwrap();
    assert_eq!(r.booked_out_not_banked.len(), 1, "{r:?}");
    assert_eq!(r.adjusted_book(), Money::from_fen(1_184_567));
    assert_eq!(r.adjusted_bank(), Some(Money::from_fen(1_184_567)));
    assert!(r.agrees(), "{r:?}");
}

#[test]
fn bnk_1_a_statement_s_balance_rows_are_balance_lines_in_the_chain() {
    let text = "交易日期,摘要,收入金额,支出金额,余额\n2025-02-01,期初余额,,,1000\n2025-02-03,拨款,100,,1100\n\
                2025-02-28,期末余额,,,1100\n";
    let s = read_statement(text.as_bytes(), None, &[]).unwrap();
    assert_eq!(s.lines.iter().map(StatementLine::is_balance_only).collect::<Vec<_>>(), vec![true, false, true]);
    let off = text.replace("2025-02-28,期末余额,,,1100", "2025-02-28,期末余额,,,1000");
    let err = read_statement(off.as_bytes(), None, &[]).unwrap_err();
    let r = &err.reasons[0];
    assert_eq!((r.rule, r.row), (Rule::Bnk1, Some(4)));
    assert!(r.message.contains("余额行") && r.message.contains("¥1,100.00"), "{}", r.message);
    // A row with neither an amount nor a balance says nothing: refused.
    let empty = "交易日期,收入金额,支出金额,余额\n2025-02-01,,,\n";
    assert_eq!(read_statement(empty.as_bytes(), None, &[]).unwrap_err().reasons[0].row, Some(2));
}

#[test]
fn bnk_1_fnd_3_a_typed_balance_may_be_overdrawn_but_never_empty() {
    assert_eq!(read_balance("-5", Rule::Fnd3, "街道账户月末余额").unwrap(), Money::from_fen(-500));
    assert_eq!(read_balance("¥12,345.67", Rule::Bnk1, "对账单余额").unwrap(), Money::from_fen(1_234_567));
    for (text, says) in [("", "请填写"), ("  ", "请填写"), ("abc", "不是可读的金额"), ("1.234", "两位小数")]
    {
        let r = read_balance(text, Rule::Fnd3, "街道账户月末余额").unwrap_err();
        assert_eq!(r.rule, Rule::Fnd3, "{text:?}");
        assert!(r.message.contains("街道账户月末余额") && r.message.contains(says), "{text:?}: {}", r.message);
    }
    let r = read_balance("99999999999999999999", Rule::Bnk1, "对账单余额").unwrap_err();
    assert_eq!(r.rule, Rule::Bnk1);
}

#[test]
fn bnk_1_a_balance_line_before_go_live_is_refused() {
    let mut b = gone_live_with_bank(1_234_567);
    let today = date!(2025 - 02 - 03);
    // Typed: the day before go-live with the opening balance, and a date
    // slipped to last June, where the books hold nothing and would call for
    // a balance of zero. Each is refused and nothing is recorded.
    for (day, fen) in
        [(date!(2024 - 12 - 31), 1_234_567), (date!(2024 - 06 - 30), 0), (date!(2024 - 06 - 30), 1_234_567)]
    {
        let r = refusal(record_statement_balance(&mut b, "1002", day, Money::from_fen(fen), today));
        assert_eq!(r.rule, Rule::Bnk1, "{day}");
        assert!(
            r.message.contains(&format!("日期 {}", format_date(day)))
                && r.message.contains("启用期间 2025-01 之前")
                && r.message.contains("期初余额")
                && r.message.contains("请填写 2025-01-01 或之后")
                && r.message.contains("2025-01-31"),
            "{}",
            r.message
        );
        assert!(b.statement.is_empty() && b.events.is_empty(), "{day}: nothing recorded");
        assert_eq!(b.statement_through("1002").unwrap(), None);
    }

    // A January statement opening with a 期初余额 row dated the day before
    // go-live: refused, naming the row and what to do.
    let text = "交易日期,摘要,收入金额,支出金额,余额\n2024-12-31,期初余额,,,12345.67\n\
                2025-01-06,拨款,100,,12445.67\n2025-01-31,期末余额,,,12445.67\n";
    let early = read_statement(text.as_bytes(), None, &[]).unwrap();
    let r = refusal(import_statement(&mut b, "1002", "一月.csv", early, None, today));
    assert_eq!(r.rule, Rule::Bnk1);
    assert!(
        r.message.contains("2024-12-31 的余额行")
            && r.message.contains("启用期间 2025-01 之前")
            && r.message.contains("删去这一行"),
        "{}",
        r.message
    );
    assert!(b.statement.is_empty() && b.events.is_empty(), "nothing imported");

    // The same statement with the row dated on go-live day is taken whole.
    let on_time = read_statement(text.replace("2024-12-31", "2025-01-01").as_bytes(), None, &[]).unwrap();
    let done = import_statement(&mut b, "1002", "一月.csv", on_time, None, today).unwrap();
    assert_eq!(done.new_lines, 3);
    assert!(reconcile(&mut b, "1002", Period::parse("2025-01").unwrap()).unwrap().statement_balance.is_some());
}

/// January as the bank lists it: a grant on the 10th, then three lines on
/// the 31st — a payment, interest and a fee — and the 期末余额 row.
fn january_lines() -> Vec<StoredLine> {
    let mut l = vec![
        line(0, date!(2025 - 01 - 10), 20_000, 120_000, "A1"),
        line(0, date!(2025 - 01 - 31), -1_000, 119_000, "A2"),
        line(0, date!(2025 - 01 - 31), 50, 119_050, "A3"),
        line(0, date!(2025 - 01 - 31), -10, 119_040, "A4"),
        line(0, date!(2025 - 01 - 31), 0, 119_040, ""),
    ];
    l[4].line.summary = "期末余额".into();
    l
}

/// The lines numbered in file order, oldest first or newest first.
fn numbered(mut lines: Vec<StoredLine>, newest_first: bool) -> Vec<StoredLine> {
    if newest_first {
        lines.reverse();
    }
    for (i, l) in lines.iter_mut().enumerate() {
        l.id = i as u64 + 1;
    }
    lines
}

#[test]
fn bnk_1_the_month_end_balance_is_the_day_s_closing_balance_in_either_file_order() {
    let jan = Period::parse("2025-01").unwrap();
    let end = Some(date!(2025 - 01 - 31));
    for newest_first in [false, true] {
        // With and without the 期末余额 row: the day closes on ¥1,190.40.
        for rows in [5, 4] {
            let lines = numbered(january_lines()[..rows].to_vec(), newest_first);
            let r = Reconciliation::build("1002", "银行存款", jan, Money::ZERO, &lines, &[], end);
            assert_eq!(
                r.statement_balance,
                Some(Money::from_fen(119_040)),
                "newest first: {newest_first}, {rows} rows"
            );
            let last = last_line_through(&lines, date!(2025 - 01 - 31)).unwrap();
            assert_eq!(last.line.balance, Money::from_fen(119_040));
            let first = first_line(&lines).unwrap();
            assert_eq!(first.line.reference, "A1", "the month's first line");
        }
        // Mid-month, the 10th's balance.
        let lines = numbered(january_lines(), newest_first);
        assert_eq!(last_line_through(&lines, date!(2025 - 01 - 30)).unwrap().line.reference, "A1");

        // A day whose movements return to where it began (+1.00, −1.00):
        // the balances alone do not say which came last; the day opened on
        // the 10th's ¥1,200.00 and moved nothing, so it closes there.
        let round = numbered(
            vec![
                line(0, date!(2025 - 01 - 10), 20_000, 120_000, "B1"),
                line(0, date!(2025 - 01 - 31), 100, 120_100, "B2"),
                line(0, date!(2025 - 01 - 31), -100, 120_000, "B3"),
            ],
            newest_first,
        );
        let r = Reconciliation::build("1002", "银行存款", jan, Money::ZERO, &round, &[], end);
        assert_eq!(r.statement_balance, Some(Money::from_fen(120_000)), "newest first: {newest_first}");
        // With no day before it to say where it opened, the file's order decides.
        let alone = numbered(round[..].iter().filter(|l| l.line.reference != "B1").cloned().collect(), false);
        let last = last_line_through(&alone, date!(2025 - 01 - 31)).unwrap();
        assert_eq!(last.id, 2, "the chain does not decide: the file's last line");
    }
}

#[test]
fn bnk_1_a_statement_exported_newest_first_reconciles_and_continues_on_its_closing_balance() {
    let header = "交易日期,交易流水号,摘要,收入金额,支出金额,余额\n";
    let rows = [
        "2025-01-10,A1,拨款,200.00,,1200.00",
        "2025-01-31,A2,付款,,10.00,1190.00",
        "2025-01-31,A3,利息,0.50,,1190.50",
        "2025-01-31,A4,手续费,,0.10,1190.40",
    ];
    let today = date!(2025 - 02 - 28);
    let jan = Period::parse("2025-01").unwrap();
    for newest_first in [false, true] {
        let mut ordered: Vec<&str> = rows.to_vec();
        if newest_first {
            ordered.reverse();
        }
        let text = format!("{header}{}\n", ordered.join("\n"));
        let mut b = gone_live_with_bank(100_000);
        let s = read_statement(text.as_bytes(), None, &[]).unwrap();
        import_statement(&mut b, "1002", "一月.csv", s, None, today).unwrap();
        let r = reconcile(&mut b, "1002", jan).unwrap();
        assert_eq!(r.statement_balance, Some(Money::from_fen(119_040)), "newest first: {newest_first}");

        // The 31st's balance typed again is the day's close, not its first line's.
        let early = record_statement_balance(&mut b, "1002", date!(2025 - 01 - 31), Money::from_fen(119_000), today);
        assert!(refusal(early).message.contains("余额 ¥1,190.40"), "newest first: {newest_first}");
        record_statement_balance(&mut b, "1002", date!(2025 - 01 - 31), Money::from_fen(119_040), today).unwrap();

        // February continues from ¥1,190.40.
        let feb = |t: &str| read_statement(format!("{header}{t}\n").as_bytes(), None, &[]).unwrap();
        let gap =
            refusal(import_statement(&mut b, "1002", "二月.csv", feb("2025-02-05,B1,拨款,1.00,,1191.00"), None, today));
        assert!(gap.message.contains("余额 ¥1,190.40") && gap.message.contains("应为 ¥1,191.40"), "{}", gap.message);
        import_statement(&mut b, "1002", "二月.csv", feb("2025-02-05,B1,拨款,1.00,,1191.40"), None, today).unwrap();
        assert_eq!(b.statement.len(), 6);
    }
}

#[test]
fn bnk_1_a_one_day_statement_exported_newest_first_follows_from_the_bottom_up() {
    let text = "交易日期,收入金额,支出金额,余额\n2025-01-31,,0.10,1190.40\n2025-01-31,0.50,,1190.50\n\
                2025-01-31,,10.00,1190.00\n";
    let s = read_statement(text.as_bytes(), None, &[]).unwrap();
    assert_eq!(chain_order(&s.lines), vec![2, 1, 0]);
    // In the order written it follows too: read as written.
    let oldest_first = "交易日期,收入金额,支出金额,余额\n2025-01-31,,10.00,1190.00\n2025-01-31,0.50,,1190.50\n";
    let s = read_statement(oldest_first.as_bytes(), None, &[]).unwrap();
    assert_eq!(chain_order(&s.lines), vec![0, 1]);
    // Broken either way: refused naming the row.
    let broken = "交易日期,收入金额,支出金额,余额\n2025-01-31,,0.10,1190.40\n2025-01-31,0.50,,1190.60\n";
    assert_eq!(read_statement(broken.as_bytes(), None, &[]).unwrap_err().reasons[0].row, Some(3));
}
