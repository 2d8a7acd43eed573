//! Rules checked through what the books print: the cash journal (CSH-6),
//! every report in every format (RPT-1), the fingerprint on the board
//! (AUD-3) and retention (VCH-6).

mod common;

use common::{closed_january, quarter};
use serde_json::Value;

fn fen(v: &Value) -> i64 {
    let text = v.as_str().unwrap_or_else(|| panic!("an amount as a string: {v}"));
    let (yuan, cents) = text.split_once('.').unwrap();
    let sign = if yuan.starts_with('-') { -1 } else { 1 };
    sign * (yuan.trim_start_matches('-').parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap())
}

#[test]
fn csh_6_cash_and_bank_journals_run_day_by_day_with_month_and_year_totals() {
    let env = quarter();
    for kind in ["cash-journal", "bank-journal"] {
        let out = env.ok(&["report", kind, "--from", "2025-01", "--to", "2025-03", "--format", "json"]);
        let journal: Value = serde_json::from_str(&out).unwrap();
        let rows = journal["rows"].as_array().unwrap();
        assert_eq!(rows[0]["kind"], "opening", "{kind}");
        let mut balance = fen(&rows[0]["balance"]);
        let (mut day, mut month, mut year) = ((0, 0), (0, 0), (0, 0));
        let mut last_date = String::new();
        let mut days = 0;
        for row in &rows[1..] {
            let (d, c) = (fen(&row["debit"]), fen(&row["credit"]));
            match row["kind"].as_str().unwrap() {
                "entry" => {
                    let date = row["date"].as_str().unwrap().to_string();
                    assert!(date >= last_date, "{kind}: entries in date order");
                    last_date = date;
                    balance += d - c;
                    assert_eq!(fen(&row["balance"]), balance, "{kind}: running balance at {row}");
                    day = (day.0 + d, day.1 + c);
                }
                "day_total" => {
                    assert_eq!((d, c), day, "{kind}: 本日合计 {row}");
                    assert_eq!(fen(&row["balance"]), balance);
                    month = (month.0 + d, month.1 + c);
                    day = (0, 0);
                    days += 1;
                }
                "month_total" => {
                    assert_eq!(day, (0, 0), "{kind}: every day is closed by its total before the month's");
                    assert_eq!((d, c), month, "{kind}: 本月合计 {row}");
                    year = (year.0 + d, year.1 + c);
                    month = (0, 0);
                }
                "year_total" => assert_eq!((d, c), year, "{kind}: 本年累计 {row}"),
                other => panic!("{kind}: unexpected row kind {other}"),
            }
        }
        assert!(days >= 3, "{kind}: the fixture quarter moves money on several days");
        let text = env.ok(&["report", kind, "--month", "2025-02"]);
        for label in ["期初余额", "本日合计", "本月合计", "本年累计"] {
            assert!(text.contains(label), "{kind}: {label} in\n{text}");
        }
    }
}

#[test]
fn rpt_1_every_report_renders_as_text_csv_json_and_markdown() {
    let env = quarter();
    let reports: [&[&str]; 6] = [
        &["report", "trial-balance"],
        &["report", "journal"],
        &["report", "ledger", "1001"],
        &["report", "cash-journal"],
        &["report", "bank-journal"],
        &["report", "funds"],
    ];
    for report in reports {
        fn args<'a>(report: &[&'a str], format: &'a str) -> Vec<&'a str> {
            [report, &["--from", "2025-01", "--to", "2025-03", "--format", format]].concat()
        }
        let text = env.ok(&args(report, "text"));
        assert!(text.lines().count() > 3, "{report:?} text:\n{text}");
        let json: Value = serde_json::from_str(&env.ok(&args(report, "json"))).unwrap();
        assert!(json.is_array() || json.is_object(), "{report:?}");
        let csv = env.ok(&args(report, "csv"));
        let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(csv.as_bytes());
        let rows = rdr.records().collect::<Result<Vec<_>, _>>().unwrap_or_else(|e| panic!("{report:?} csv: {e}"));
        assert!(!rows.is_empty(), "{report:?} csv:\n{csv}");
        let md = env.ok(&args(report, "md"));
        assert!(md.lines().any(|l| l.starts_with('|') && l.contains("---")), "{report:?} md:\n{md}");
    }
    // Amounts carry thousands separators in text.
    let tb = env.ok(&["report", "trial-balance", "--from", "2025-01", "--to", "2025-03"]);
    assert!(tb.contains("95,793.80"), "{tb}");
}

#[test]
fn aud_3_the_board_prints_the_fingerprint_of_the_entry_that_closed_the_month() {
    let env = closed_january();
    let json: Value =
        serde_json::from_str(&env.ok(&["disclose", "--month", "2025-01", "--format", "json", "--date", "2025-02-05"]))
            .unwrap();
    let printed = json["fingerprint"].as_str().unwrap().to_string();
    let closed = "FROM log WHERE kind = 'period_closed' ORDER BY seq DESC LIMIT 1";
    let hex = env
        .store
        .texts(&format!("SELECT lower(hex(hash)) {closed}"), &format!("SELECT encode(hash, 'hex') {closed}"))
        .remove(0);
    assert_eq!(printed, hex, "the board anchors the month's close");
    // Later entries (the review) do not move it, and verify proves it.
    let out = env.ok(&["verify", "--fingerprint", &printed, "--month", "2025-01"]);
    assert!(out.contains("校验通过"), "{out}");
}

#[test]
fn vch_6_nothing_the_engine_stores_is_ever_deleted() {
    let env = closed_january();
    env.set_now(common::NOW);
    env.admin(&["person", "add", "李华"]);
    env.admin(&["person", "relate", "李明", "李华", "--kind", "sibling"]);
    let tables = env.store.texts(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
    );
    let guarded = [
        "log",
        "accounts",
        "vouchers",
        "signatures",
        "authorizations",
        "people",
        "appointments",
        "kinship",
        "statement_lines",
        "funds",
        "cash_counts",
        "assets",
        "disclosure_reviews",
    ];
    for table in guarded {
        assert!(tables.iter().any(|t| t == table), "{table} exists");
        let n = env.store.query(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}")).remove(0);
        assert_ne!(n, "0", "{table} holds rows in the fixture, so the delete below means something");
        assert!(env.store.execute(&format!("DELETE FROM {table}")).is_err(), "{table} refuses deletes");
    }
    assert!(env.store.execute("UPDATE log SET kind = 'x'").is_err(), "the log refuses updates");
    // The reversed office paper and its red reversal are both still listed.
    let list = env.ok(&["voucher", "list", "--month", "2025-01"]);
    assert!(list.contains("2025-01/记-0005") && list.contains("2025-01/记-0009"), "{list}");
    assert!(env.ok(&["verify"]).contains("校验通过"));
}
