//! `qianzhang demo`: a community ledger built from the fixtures, end to end
//! through the same calls the commands use.

use qianzhang_core::funds::{declare_fund, Fund};
use std::path::{Path, PathBuf};

use qianzhang_core::approval::Authorization;
use qianzhang_core::approval::SettingKey;
use qianzhang_core::bank::{import_statement, match_automatically, Statement, StatementLine};
use qianzhang_core::books::{
    add_account, appoint, issue_receipt, post_voucher, record_authorization, register_person, register_receipt_book,
    FirstAdmin,
};
use qianzhang_core::books::{change_setting, void_voucher, Books};
use qianzhang_core::cash::{book_at, last_business_day, record_count};
use qianzhang_core::closing::close_period;
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::csvfile::{import_csv_bytes, ImportOptions};
use qianzhang_core::disclosure::{record_review, Review, Span};
use qianzhang_core::lifecycle::{next_step, sign_voucher, Next};
use qianzhang_core::people::{Appointment, Role};
use qianzhang_core::receipts::ReceiptBook;
use qianzhang_core::report::{Journal, TrialBalance};
use qianzhang_core::VoucherRef;
use qianzhang_core::{Failure, Money, NewAccount, Period, Status};
use qianzhang_store::{as_period_totals, Actor, Backend, LedgerHandle, Store};

use clap::Parser;

use crate::{clock, out, Exit};

const ACCOUNTS: &str = include_str!("../../../fixtures/accounts.csv");
/// The special funds the fixture quarter uses: both restricted.
pub(crate) const FUNDS: [&str; 2] = ["低保", "楼道维修基金"];
const AUTHORIZATIONS: &str = include_str!("../../../fixtures/authorizations.csv");
const RECEIPTS: &str = include_str!("../../../fixtures/receipts.csv");
const APRIL: &str = include_str!("../../../fixtures/month-2025-04.txt");
/// Every demo officer's passphrase.
const DEMO_PASSPHRASE: &str = "幸福里-演示";
const HISTORY: &[u8] = include_bytes!("../../../fixtures/history-2024q4.gbk.csv");
const CURRENT: &[u8] = include_bytes!("../../../fixtures/vouchers-2025q1.csv");

const LEDGER: &str = "幸福里社区居委会";
const ACCOUNTANT: &str = "赵敏";
const ADMIN: &str = "管理员";
/// The four officers of the sample community, and the chair of the
/// 居务监督委员会 who reviews the disclosure.
const OFFICERS: [(&str, Role, bool, Option<&str>); 5] = [
    (ACCOUNTANT, Role::Accountant, false, None),
    ("王芳", Role::Cashier, false, None),
    ("刘洋", Role::Reviewer, false, None),
    ("李明", Role::Approver, true, Some("主任")),
    ("陈静", Role::Auditor, false, Some("居务监督委员会主任")),
];

fn officer(role: Role) -> &'static str {
    OFFICERS.iter().find(|o| o.1 == role).map(|o| o.0).expect("every signing role has an officer")
}

fn demo_path(given: Option<&Path>) -> Result<PathBuf, Exit> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => {
            let dir = std::env::temp_dir().join(format!("qianzhang-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(dir.join("demo.db"))
        }
    }
}

/// The demo's own day: its story runs January to April 2025 and ends on
/// April's poster, whatever the computer's clock says.
const STORY_NOW: time::OffsetDateTime = time::macros::datetime!(2025-05-01 09:00:00 +08:00);

pub fn run(db: Option<&Path>) -> Result<(), Exit> {
    clock::pin(STORY_NOW);
    let path = demo_path(db)?;
    let mut store = crate::open_store(&path)?;
    let actor = |command: &str| Actor {
        name: ACCOUNTANT.into(),
        at: clock::now_rfc3339(),
        command: format!("demo: {command}"),
    };
    let start = Period::parse("2025-01").expect("fixed period");
    let passphrase_hash = crate::hash_new(DEMO_PASSPHRASE)?;
    let admin = FirstAdmin { name: ADMIN.into(), passphrase_hash: passphrase_hash.clone(), today: clock::today() };
    let ledger = store.create_ledger(LEDGER, start, &admin, &actor("init"))?;

    let actor_as = |name: &str, command: &str| Actor {
        name: name.into(),
        at: clock::now_rfc3339(),
        command: format!("demo: voucher {command}"),
    };
    let admin_actor = actor_as(ADMIN, "person");
    store.write(&ledger, &admin_actor, |w| {
        for (person, role, leader, title) in OFFICERS {
            register_person(w, person, Some(passphrase_hash.clone()))?;
            let from = start.first_day();
            appoint(
                w,
                Appointment {
                    person: person.into(),
                    role,
                    from,
                    ended: None,
                    leader,
                    title: title.map(str::to_string),
                    acting: false,
                },
            )?;
        }
        Ok::<_, Failure>(())
    })?;

    store.write(&ledger, &admin_actor, |w| {
        let mut rows = csv::Reader::from_reader(AUTHORIZATIONS.as_bytes());
        for row in rows.deserialize::<Authorization>() {
            record_authorization(w, row.expect("the fixture authorizations are well-formed"))?;
        }
        for name in FUNDS {
            declare_fund(w, Fund { name: name.to_string(), restricted: true })?;
        }
        let book = ReceiptBook {
            book: "SJ".into(),
            first: 101,
            last: 200,
            date: start.first_day(),
            holder: officer(Role::Cashier).into(),
        };
        register_receipt_book(w, book)
    })?;

    let mut reader = csv_rows(ACCOUNTS);
    store.write(&ledger, &actor("account add"), |w| {
        for (code, name) in reader.by_ref() {
            add_account(w, &NewAccount { code, name, kind: None, opened: None })?;
        }
        Ok::<_, Failure>(())
    })?;

    let history = ImportOptions {
        file_name: "history-2024q4.gbk.csv",
        encoding: None,
        history: true,
        force: false,
        preparer: ACCOUNTANT,
        today: clock::today(),
    };
    let h = store.write(&ledger, &actor("import --history"), |w| import_csv_bytes(w, HISTORY, &history))?;
    let current = ImportOptions { file_name: "vouchers-2025q1.csv", history: false, ..history };
    let c = store.write(&ledger, &actor("import"), |w| import_csv_bytes(w, CURRENT, &current))?;

    // Each voucher goes through review, approval, the cashier's confirmation
    // and posting, each signed by the officer whose role it is.
    // The cashier issued a receipt for every cash income.
    store.write(&ledger, &actor_as(officer(Role::Cashier), "receipt issue"), |w| {
        let mut rows = csv::Reader::from_reader(RECEIPTS.as_bytes());
        for row in rows.deserialize::<(String, String, Money, String)>() {
            let (book, payer, amount, date) = row.expect("the fixture receipts are well-formed");
            let date = qianzhang_core::period::parse_date(&date).expect("fixture dates are valid");
            issue_receipt(w, &book, &payer, amount, date)?;
        }
        Ok::<_, Failure>(())
    })?;

    let end = Period::parse("2025-03").expect("fixed period");
    let prepared: Vec<_> = store
        .vouchers(&ledger, start, end)?
        .into_iter()
        .filter(|(_, s)| *s == Status::Prepared)
        .map(|(v, _)| v.reference())
        .collect();
    let chart = store.chart(&ledger)?;
    let today = clock::today();
    for r in prepared {
        loop {
            let (v, _) = store.voucher(&ledger, r)?.expect("just imported");
            match next_step(&chart, &v, &store.signatures(&ledger, r)?) {
                Next::Sign(kind) => {
                    let who = officer(kind.role());
                    let at = clock::now_rfc3339();
                    store
                        .write(&ledger, &actor_as(who, kind.as_str()), |w| sign_voucher(w, r, kind, who, today, &at))?;
                }
                Next::Post => {
                    store.write(&ledger, &actor("voucher post"), |w| post_voucher(w, r, ACCOUNTANT, today))?;
                    break;
                }
            }
        }
    }

    drop(store);
    let april = replay_april(&path)?;
    let mut store = crate::open_store(&path)?;
    let end = Period::parse("2025-04").expect("fixed period");
    let poster = month_end(&mut store, &ledger, start, end, &path)?;
    let totals = store.period_totals(&ledger)?;
    let tb = TrialBalance::build(LEDGER, &chart, as_period_totals(&totals), start, end);
    let april_vouchers: Vec<_> =
        store.vouchers(&ledger, end, end)?.into_iter().filter(|(_, s)| *s == Status::Posted).collect();
    let journal = Journal::build(LEDGER, &chart, april_vouchers, end, end);
    let report = store.verify(&ledger)?;

    let mut text = format!(
        "\n演示账套“{LEDGER}”：迁移 2024 年第四季度历史凭证 {} 张（{}编码），导入并记账 2025 年第一季度凭证 {} 张，\n\
         重放四月份的 {} 项操作，其中 {} 项按规则被拒绝、账簿未受影响：\n",
        h.vouchers,
        h.encoding.name(),
        c.vouchers,
        april.len(),
        april.iter().filter(|(_, r)| r.is_some()).count()
    );
    for (line, rule) in &april {
        if let Some(rule) = rule {
            text.push_str(&format!("  [{rule}] {line}\n"));
        }
    }
    text.push('\n');
    text.push_str(&qianzhang_report::trial_balance(&tb, qianzhang_report::Format::Text));
    text.push('\n');
    text.push_str(&qianzhang_report::journal(&journal, qianzhang_report::Format::Text));
    text.push('\n');
    match &report.mismatch {
        None => text.push_str(&format!("校验通过，日志 {} 条。指纹：{}\n", report.entries, report.fingerprint)),
        Some(m) => return Err(Exit::Integrity(format!("[AUD-2] 演示账套校验失败：{}", m.detail))),
    }
    text.push('\n');
    text.push_str(&poster.text);
    text.push_str(&format!(
        "\n一至四月已逐月盘点现金、核对银行对账单并结账；四月的公开表海报：{}\n\
         账簿文件：{}\n继续查看：qianzhang --db {} report journal --from 2025-01\n",
        poster.html.display(),
        path.display(),
        path.display()
    ));
    out(&text)
}

/// The month end the demo closes with, and the poster it ends on.
struct Poster {
    html: PathBuf,
    text: String,
}

/// Closes January to `end` the way the office would: the cashier counts the
/// cash of each month's last business day, the bank's statement (here made
/// from the bank journal, as the bank would print it) is imported and
/// matched, the accountant closes the month. April's voucher that never got
/// its government approval is voided first. The 居务监督委员会 then reviews
/// April's disclosure, and its poster is written beside the store.
fn month_end(
    store: &mut Store,
    ledger: &LedgerHandle,
    start: Period,
    end: Period,
    path: &Path,
) -> Result<Poster, Exit> {
    // The story's own days: each month is counted on its last business day
    // and closed on the first day of the next.
    let at = |name: &str, command: &str| Actor {
        name: name.into(),
        at: clock::now_rfc3339(),
        command: format!("demo: {command}"),
    };
    let unapproved = VoucherRef { period: end, number: 3 };
    store.write(ledger, &at(ACCOUNTANT, "voucher void"), |w| {
        void_voucher(w, unapproved, "超过限额的电费缺街道/镇政府批复，退回经办人补办后重新制单")
    })?;
    let cashier = officer(Role::Cashier);
    let mut period = start;
    while period <= end {
        store.write(ledger, &at(cashier, "cash count"), |w| {
            let day = last_business_day(period);
            let counted = book_at(w, day)?;
            record_count(w, day, counted, Vec::new(), cashier, day).map(|_| ())
        })?;
        store.write(ledger, &at(cashier, "bank import"), |w| {
            let (first, last) = (period.first_day(), period.last_day());
            let (mut balance, vouchers) = w.vouchers_touching("1002", first, last, false)?;
            let mut lines = Vec::new();
            for (i, v) in vouchers.iter().enumerate() {
                let amount: Money =
                    v.lines().iter().filter(|l| l.account.starts_with("1002")).map(|l| l.signed()).sum();
                balance += amount;
                lines.push(StatementLine {
                    date: v.date(),
                    inflow: amount.max(Money::ZERO),
                    outflow: (-amount).max(Money::ZERO),
                    balance,
                    reference: format!("{}{:03}", period.key(), i + 1),
                    counterparty: v.lines().iter().find_map(|l| l.counterparty.clone()).unwrap_or_default(),
                    summary: v.lines().first().map(|l| l.summary.clone()).unwrap_or_default(),
                });
            }
            let statement = Statement { sha256: format!("demo-{period}"), encoding: TextEncoding::Utf8, lines };
            let end = period.last_day();
            import_statement(w, "1002", &format!("对账单-{period}.csv"), statement, Some(end), end)?;
            match_automatically(w, "1002").map(|_| ())
        })?;
        let closed_on = period.next().first_day();
        store.write(ledger, &at(ACCOUNTANT, "period close"), |w| close_period(w, period, ACCOUNTANT, closed_on))?;
        period = period.next();
    }
    let auditor = officer(Role::Auditor);
    let span = Span::Month { period: end };
    let review = Review {
        span: span.key(),
        by: auditor.into(),
        opinion: "经审核，本月收支真实，单据齐全，审批手续完备；未获批复的电费凭证已作废。".into(),
        date: end.next().first_day(),
    };
    store.write(ledger, &at(auditor, "disclose review"), |w| record_review(w, review))?;
    store.write(ledger, &at(ADMIN, "settings set contact"), |w| {
        change_setting(w, SettingKey::Contact, "幸福里社区居委会财务室，每周一至周五 9:00–17:00").map(|_| ())
    })?;
    let published = end.next().first_day();
    let disclosure = crate::board::build(store, ledger, span, published)?;
    let html = path.with_file_name(format!("财务公开-{end}.html"));
    let poster = crate::board::render(&disclosure, crate::board::BoardFormat::Html, crate::board::PaperArg::A3);
    std::fs::write(&html, poster)?;
    let text = crate::board::render(&disclosure, crate::board::BoardFormat::Text, crate::board::PaperArg::A3);
    Ok(Poster { html, text })
}

/// Replays the April script through the same command path the binary
/// takes, as each officer with the demo passphrase. Returns each step with
/// the rule that refused it, if one did.
fn replay_april(path: &Path) -> Result<Vec<(String, Option<String>)>, Exit> {
    // The commands read passphrases the way scripts give them.
    std::env::set_var("QIANZHANG_PASSPHRASE", DEMO_PASSPHRASE);
    std::env::set_var("QIANZHANG_NEW_PASSPHRASE", DEMO_PASSPHRASE);
    let mut steps = Vec::new();
    for line in APRIL.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut parts = line.splitn(3, '|').map(str::trim);
        let (_expect, who, args) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let mut argv =
            vec!["qianzhang".to_string(), "--db".into(), path.display().to_string(), "--as".into(), who.into()];
        argv.extend(args.split_whitespace().map(str::to_string));
        let cli =
            crate::Cli::try_parse_from(&argv).map_err(|e| Exit::Internal(format!("演示脚本有误：{line}：{e}")))?;
        println!("› {who}：{args}");
        let rule = match crate::execute(&cli) {
            Ok(()) => None,
            Err(Exit::Refused { reasons, .. }) => {
                for r in &reasons {
                    println!("  已拒绝：{r}");
                }
                reasons.first().map(|r| r.rule.to_string())
            }
            Err(other) => return Err(other),
        };
        steps.push((format!("{who}：{args}"), rule));
    }
    std::env::remove_var("QIANZHANG_PASSPHRASE");
    std::env::remove_var("QIANZHANG_NEW_PASSPHRASE");
    Ok(steps)
}

/// `code,name` rows of the fixture chart.
fn csv_rows(text: &'static str) -> impl Iterator<Item = (String, String)> {
    csv::Reader::from_reader(text.as_bytes())
        .into_deserialize::<(String, String)>()
        .map(|row| row.expect("the fixture chart is well-formed"))
}
