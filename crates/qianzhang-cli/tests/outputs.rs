//! Hostile text in what the engine writes (RPT-1): a summary that a
//! spreadsheet would run as a formula is escaped in every CSV, and HTML in a
//! summary reaches the reader as text in every Markdown and HTML output.

mod common;

use common::closed_january;

const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=HYPERLINK(\"http://x\",\"点我\")";

/// January closed, and in February two posted payments whose summaries are
/// hostile.
fn hostile_february() -> common::Env {
    let env = closed_january();
    env.set_now("2025-02-28T10:00:00+08:00");
    for (summary, doc) in [(SCRIPT, "H-1"), (FORMULA, "H-2")] {
        env.ok(&[
            "voucher",
            "add",
            "--date",
            "2025-02-10",
            "--summary",
            summary,
            "--debit",
            "520101=10",
            "--credit",
            "1002=10",
            "--authorization",
            "两委决议〔2025〕1号",
            "--doc-type",
            "发票",
            "--issuer",
            "幸福文具店",
            "--doc-no",
            doc,
            "--doc-amount",
            "10",
            "--handler",
            "刘洋",
            "--checker",
            "赵敏",
        ]);
    }
    env.sign_and_post(&["2025-02/记-0001", "2025-02/记-0002"]);
    env
}

#[test]
fn rpt_1_html_in_a_summary_is_escaped_in_every_markdown_and_html_output() {
    let env = hostile_february();
    let disclose = ["disclose", "--month", "2025-02", "--date", "2025-02-28", "--format"];
    let handover = [
        "handover",
        "--officer",
        "赵敏",
        "--role",
        "accountant",
        "--date",
        "2025-02-28",
        "--to",
        "刘洋",
        "--supervisor",
    ];
    let outputs: Vec<(String, String)> = vec![
        ("disclose md".into(), env.ok(&[&disclose[..], &["md"]].concat())),
        ("disclose html".into(), env.ok(&[&disclose[..], &["html"]].concat())),
        ("handover md".into(), env.ok(&[&handover[..], &["陈静", "--format", "md"]].concat())),
        ("handover html".into(), env.ok(&[&handover[..], &["陈静", "--format", "html"]].concat())),
        ("journal md".into(), env.ok(&["report", "journal", "--from", "2025-02", "--to", "2025-02", "--format", "md"])),
        ("ledger md".into(), env.ok(&["report", "ledger", "520101", "--format", "md"])),
        (
            "bank journal md".into(),
            env.ok(&["report", "bank-journal", "--from", "2025-02", "--to", "2025-02", "--format", "md"]),
        ),
    ];
    for (name, out) in outputs {
        assert!(!out.contains("<script"), "{name} passes HTML through:\n{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{name} lost the summary:\n{out}");
    }
}

#[test]
fn rpt_1_formula_like_text_is_escaped_in_every_csv_and_amounts_stay_numbers() {
    let env = hostile_february();
    let escaped = "'=HYPERLINK(\"\"http://x\"\",\"\"点我\"\")";
    let outputs: Vec<(&str, String)> = vec![
        ("disclose", env.ok(&["disclose", "--month", "2025-02", "--date", "2025-02-28", "--format", "csv"])),
        ("export", env.ok(&["export", "--format", "csv"])),
        ("journal", env.ok(&["report", "journal", "--from", "2025-02", "--to", "2025-02", "--format", "csv"])),
        ("ledger", env.ok(&["report", "ledger", "520101", "--format", "csv"])),
        (
            "bank journal",
            env.ok(&["report", "bank-journal", "--from", "2025-02", "--to", "2025-02", "--format", "csv"]),
        ),
        (
            "handover",
            env.ok(&[
                "handover",
                "--officer",
                "赵敏",
                "--role",
                "accountant",
                "--date",
                "2025-02-28",
                "--to",
                "刘洋",
                "--supervisor",
                "陈静",
                "--format",
                "csv",
            ]),
        ),
    ];
    for (name, csv) in &outputs {
        assert!(csv.contains(escaped), "{name} does not escape the formula:\n{csv}");
        assert!(!csv.contains(",\"=") && !csv.contains(",="), "{name} writes a formula raw:\n{csv}");
    }
    // A refusal's command line starts with `--as`: escaped too in the audit CSV.
    let audit = env.ok(&["audit", "exceptions", "--from", "2025-01", "--to", "2025-03", "--format", "csv"]);
    assert!(audit.contains(",'--as ") && !audit.contains(",--as "), "{audit}");
    // A negative amount in a numeric column stays a number.
    let january = env.ok(&["disclose", "--month", "2025-01", "--date", "2025-02-05", "--format", "csv"]);
    assert!(january.contains(",0.00,-300.00,"), "{january}");
    // The export reads back: the formula is the summary again, not '=….
    let export = &outputs[1].1;
    let fresh = common::Env::with_office();
    let february: String = export
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.starts_with("2025-02-"))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    fresh.write("february.csv", february);
    fresh.ok(&["import", "february.csv"]);
    let shown = fresh.ok(&["voucher", "show", "2025-02/记-0002", "--format", "json"]);
    assert!(shown.contains("\"summary\": \"=HYPERLINK(\\\"http://x\\\",\\\"点我\\\")\""), "{shown}");
}
