//! The sample community (`qianzhang demo`): a ledger built from the
//! fixtures through the same core commands every front end reaches, its
//! officers signing in their roles. The front end replays April's script
//! through its own command path in between.

use qianzhang_core::approval::{Authorization, SettingKey};
use qianzhang_core::bank::{import_statement, match_automatically, Statement, StatementLine};
use qianzhang_core::books::{
    add_account, appoint, change_setting, issue_receipt, post_voucher, record_authorization, register_person,
    register_receipt_book, void_voucher, Books, FirstAdmin,
};
use qianzhang_core::cash::{book_at, last_business_day, record_count};
use qianzhang_core::closing::close_period;
use qianzhang_core::csvfile::{import_csv_bytes, ImportOptions, ImportSummary, TextEncoding};
use qianzhang_core::disclosure::{record_review, Review, Span};
use qianzhang_core::funds::{declare_fund, Fund};
use qianzhang_core::lifecycle::{next_step, sign_voucher, Next};
use qianzhang_core::people::{Appointment, Role};
use qianzhang_core::receipts::ReceiptBook;
use qianzhang_core::report::{Journal, TrialBalance};
use qianzhang_core::{Failure, Money, NewAccount, Period, Status, VoucherRef};
use time::OffsetDateTime;

use crate::backend::{as_period_totals, Actor, Backend, VerifyReport};
use crate::session::{rfc3339, Ledger};
use crate::Error;

const ACCOUNTS: &str = include_str!("../../../fixtures/accounts.csv");
/// The special funds the fixture quarter uses: both restricted.
pub const FUNDS: [&str; 2] = ["低保", "楼道维修基金"];
const AUTHORIZATIONS: &str = include_str!("../../../fixtures/authorizations.csv");
const RECEIPTS: &str = include_str!("../../../fixtures/receipts.csv");
/// April's script: expected outcome | operator | command.
pub const APRIL: &str = include_str!("../../../fixtures/month-2025-04.txt");
/// Every demo officer's passphrase.
pub const PASSPHRASE: &str = "幸福里-演示";
const HISTORY: &[u8] = include_bytes!("../../../fixtures/history-2024q4.gbk.csv");
const CURRENT: &[u8] = include_bytes!("../../../fixtures/vouchers-2025q1.csv");

pub const LEDGER: &str = "幸福里社区居委会";
/// Where the demo's poster QR code points: the web office on this machine
/// at its default address (`qianzhang serve --demo`).
pub const PUBLIC_URL: &str = "http://127.0.0.1:8080";
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

/// Who signs in to the demo, with their posts as a person reads them.
pub const PEOPLE: [(&str, &str); 6] = [
    (ACCOUNTANT, "会计"),
    ("王芳", "出纳"),
    ("刘洋", "审核"),
    ("李明", "审批人、主任"),
    ("陈静", "监督，居务监督委员会主任"),
    (ADMIN, "管理员"),
];

fn officer(role: Role) -> &'static str {
    OFFICERS.iter().find(|o| o.1 == role).map(|o| o.0).unwrap_or(ACCOUNTANT)
}

/// The first quarter as seeded: its imports.
pub struct Seeded<B: Backend> {
    pub ledger: Ledger<B>,
    pub history: ImportSummary,
    pub current: ImportSummary,
}

/// Creates the sample ledger at `now` and books January to March: the
/// officers, authorizations, funds, receipt book and chart; the fourth
/// quarter of 2024 migrated as history; the first quarter imported, every
/// voucher signed by the officer whose role it is and posted.
pub fn seed<B: Backend>(mut store: B, now: OffsetDateTime, passphrase_hash: String) -> Result<Seeded<B>, Error> {
    let at = rfc3339(now);
    let today = now.date();
    let actor = |command: &str| Actor { name: ACCOUNTANT.into(), at: at.clone(), command: format!("demo: {command}") };
    let start = Period::new(2025, 1).ok_or_else(|| Error::Internal("fixed period".into()))?;
    let admin = FirstAdmin { name: ADMIN.into(), passphrase_hash: passphrase_hash.clone(), today };
    let ledger = store.create_ledger(LEDGER, start, &admin, &actor("init"))?;

    let actor_as = |name: &str, command: &str| Actor {
        name: name.into(),
        at: at.clone(),
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
        let mut rows = csv_reader(AUTHORIZATIONS);
        for row in rows.deserialize::<Authorization>() {
            record_authorization(w, row.map_err(fixture)?)?;
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

    store.write(&ledger, &actor("account add"), |w| {
        for row in csv_reader(ACCOUNTS).into_deserialize::<(String, String)>() {
            let (code, name) = row.map_err(fixture)?;
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
        today,
    };
    let h = store.write(&ledger, &actor("import --history"), |w| import_csv_bytes(w, HISTORY, &history))?;
    let current = ImportOptions { file_name: "vouchers-2025q1.csv", history: false, ..history };
    let c = store.write(&ledger, &actor("import"), |w| import_csv_bytes(w, CURRENT, &current))?;

    // The cashier issued a receipt for every cash income.
    store.write(&ledger, &actor_as(officer(Role::Cashier), "receipt issue"), |w| {
        let mut rows = csv_reader(RECEIPTS);
        for row in rows.deserialize::<(String, String, Money, String)>() {
            let (book, payer, amount, date) = row.map_err(fixture)?;
            let date = qianzhang_core::period::parse_date(&date)
                .map_err(|e| Failure::Backend(qianzhang_core::backend::BackendError::Internal(e.to_string())))?;
            issue_receipt(w, &book, &payer, amount, date)?;
        }
        Ok::<_, Failure>(())
    })?;

    // Each voucher goes through review, approval, the cashier's confirmation
    // and posting, each signed by the officer whose role it is.
    let end = Period::new(2025, 3).ok_or_else(|| Error::Internal("fixed period".into()))?;
    let prepared: Vec<_> = store
        .vouchers(&ledger, start, end)?
        .into_iter()
        .filter(|(_, s)| *s == Status::Prepared)
        .map(|(v, _)| v.reference())
        .collect();
    let chart = store.chart(&ledger)?;
    for r in prepared {
        while let Some((v, _)) = store.voucher(&ledger, r)? {
            match next_step(&chart, &v, &store.signatures(&ledger, r)?) {
                Next::Sign(kind) => {
                    let who = officer(kind.role());
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
    Ok(Seeded { ledger: Ledger::new(store, ledger), history: h, current: c })
}

fn csv_reader(text: &'static str) -> csv::Reader<&'static [u8]> {
    csv::Reader::from_reader(text.as_bytes())
}

/// A fixture row that does not read: the program is broken, not the books.
fn fixture(e: csv::Error) -> Failure {
    Failure::Backend(qianzhang_core::backend::BackendError::Internal(e.to_string()))
}

/// Closes January to `end` the way the office would: the cashier counts the
/// cash of each month's last business day, the bank's statement (here made
/// from the bank journal, as the bank would print it) is imported and
/// matched, the accountant closes the month. April's voucher that never got
/// its government approval is voided first. The 居务监督委员会 then reviews
/// the last month's disclosure.
pub fn month_end<B: Backend>(
    ledger: &mut Ledger<B>,
    now: OffsetDateTime,
    start: Period,
    end: Period,
) -> Result<(), Error> {
    // The story's own days: each month is counted on its last business day
    // and closed on the first day of the next.
    let stamp = rfc3339(now);
    let at =
        |name: &str, command: &str| Actor { name: name.into(), at: stamp.clone(), command: format!("demo: {command}") };
    let handle = ledger.handle().clone();
    let store = ledger.store_mut();
    let unapproved = VoucherRef { period: end, number: 3 };
    store.write(&handle, &at(ACCOUNTANT, "voucher void"), |w| {
        void_voucher(w, unapproved, "超过限额的电费缺街道/镇政府批复，退回经办人补办后重新制单")
    })?;
    let cashier = officer(Role::Cashier);
    let mut period = start;
    while period <= end {
        store.write(&handle, &at(cashier, "cash count"), |w| {
            let day = last_business_day(period, &w.settings().calendar);
            let counted = book_at(w, day)?;
            record_count(w, day, counted, Vec::new(), cashier, day).map(|_| ())
        })?;
        store.write(&handle, &at(cashier, "bank import"), |w| {
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
        store.write(&handle, &at(ACCOUNTANT, "period close"), |w| close_period(w, period, ACCOUNTANT, closed_on))?;
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
    store.write(&handle, &at(auditor, "disclose review"), |w| record_review(w, review, end.next().first_day()))?;
    // The accountant puts the reviewed month on the board (and the web office's public page).
    store.write(&handle, &at(ACCOUNTANT, "disclose publish"), |w| {
        qianzhang_core::publication::publish_disclosure(
            w,
            end,
            end.next().first_day(),
            ACCOUNTANT,
            end.next().first_day(),
        )
        .map(|_| ())
    })?;
    store.write(&handle, &at(ADMIN, "settings set contact"), |w| {
        change_setting(w, SettingKey::Contact, "幸福里社区居委会财务室，每周一至周五 9:00–17:00").map(|_| ())
    })?;
    store.write(&handle, &at(ADMIN, "settings set public-url"), |w| {
        change_setting(w, SettingKey::PublicUrl, PUBLIC_URL).map(|_| ())
    })?;
    Ok(())
}

/// What the demo ends on: the trial balance of `start..=end`, the last
/// month's journal of posted vouchers, and the verification.
pub fn summary<B: Backend>(
    ledger: &Ledger<B>,
    start: Period,
    end: Period,
) -> Result<(TrialBalance, Journal, VerifyReport), Error> {
    let (store, handle) = (ledger.store(), ledger.handle());
    let chart = store.chart(handle)?;
    let totals = store.period_totals(handle)?;
    let tb = TrialBalance::build(LEDGER, &chart, as_period_totals(&totals), start, end);
    let posted: Vec<_> = store.vouchers(handle, end, end)?.into_iter().filter(|(_, s)| *s == Status::Posted).collect();
    let journal = Journal::build(LEDGER, &chart, posted, end, end);
    let report = store.verify(handle)?;
    Ok((tb, journal, report))
}
