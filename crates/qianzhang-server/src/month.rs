//! The month end (月末, 日清月结): the cash count by denomination (CSH-2),
//! the bank statement upload and matching by hand (BNK-1), closing the
//! month (PER-1) and reopening it with the approver's second sign-in
//! (PER-2). Each form makes the call the matching command makes (`cash
//! count`, `bank import|match|unmatch`, `period close|reopen`).

mod handover;

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use qianzhang_app::month as app;
use qianzhang_app::Error;
use qianzhang_core::bank::{BookEntry, Reconciliation, StoredLine};
use qianzhang_core::cash::{CountSheet, DENOMINATIONS};
use qianzhang_core::operator::Act;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::{Money, Period, Refusal, Rule, VoucherRef};
use serde::Deserialize;

use crate::auth::{may, Officer};
use crate::form::Fields;
use crate::page::{self, csrf, ledger_url, page, run, voucher_url};
use crate::state::State;

/// The largest bank statement file taken by upload (LIM-1): a community's
/// statement of a month is a few kilobytes.
pub const MAX_STATEMENT_UPLOAD: usize = 4 * 1024 * 1024;

pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/l/{ledger}/month", get(show))
        .route("/l/{ledger}/month/count", post(count))
        .route("/l/{ledger}/month/count/total", post(count_total))
        .route("/l/{ledger}/month/bank/import", post(import))
        .route("/l/{ledger}/month/bank/balance", post(record_balance))
        .route("/l/{ledger}/month/bank/match", post(match_line))
        .route("/l/{ledger}/month/bank/unmatch", post(unmatch))
        .route("/l/{ledger}/month/bank/auto", post(match_all))
        .route("/l/{ledger}/month/close", post(close))
        .route("/l/{ledger}/month/reopen", post(reopen))
        .merge(handover::routes())
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    month: Option<String>,
    account: Option<String>,
}

/// The forms of the page, by the anchor each sits under.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Count,
    Import,
    Balance,
    Match,
    Close,
    Reopen,
}

impl Form {
    fn code(self) -> &'static str {
        match self {
            Form::Count => "count",
            Form::Import => "import",
            Form::Balance => "balance",
            Form::Match => "match",
            Form::Close => "close",
            Form::Reopen => "reopen",
        }
    }

    fn of(code: &str) -> Option<Form> {
        [Form::Count, Form::Import, Form::Balance, Form::Match, Form::Close, Form::Reopen]
            .into_iter()
            .find(|f| f.code() == code)
    }
}

/// What a form's submission came to, shown beside it.
struct Outcome {
    form: Form,
    result: Result<String, Error>,
    typed: Fields,
}

/// Everything the page shows, read in one go.
struct Month {
    month: Period,
    /// The day the count form offers: the month's last business day once it has ended.
    count_day: time::Date,
    sheet: Result<CountSheet, Error>,
    /// The bank accounts (code, name) and the one shown.
    accounts: Vec<(String, String)>,
    account: Option<String>,
    lines: Vec<StoredLine>,
    candidates: Vec<BookEntry>,
    reconciliation: Option<Result<Reconciliation, Error>>,
    closed: bool,
    blockers: Result<Vec<Refusal>, Error>,
    /// The latest closed month: the only one that can be reopened.
    latest_closed: Option<Period>,
    /// Today: no statement reaches past it.
    today: time::Date,
    /// The forms this officer is offered.
    may: May,
}

/// [OPR-1] which of the page's acts the officer may do today, by the
/// core's check of the act each form's call makes: the count is the
/// cashier's (`Act::HandleCash`), the statement's import, balance and
/// matching are reconciling (`Act::Reconcile`), closing and reopening are
/// keeping the books (`Act::KeepBooks`). Others see what each section
/// says without its form; a submission is checked again whatever this says.
#[derive(Clone, Copy, Default)]
struct May {
    count: bool,
    reconcile: bool,
    close: bool,
}

/// The month a page is about: the one asked for, else the earliest month
/// that has ended and is not closed, else the present month.
fn month_of(start: Period, closed: &[Period], asked: Option<&str>, today: time::Date) -> Period {
    if let Some(m) = asked.and_then(|m| Period::parse(m.trim()).ok()) {
        return m;
    }
    let mut p = start;
    while p.last_day() < today {
        if !closed.contains(&p) {
            return p;
        }
        p = p.next();
    }
    Period::of(today)
}

fn read_month(state: &State, name: &str, q: &MonthQuery, count_day: Option<time::Date>) -> Result<Month, Error> {
    let today = state.now().date();
    let mut ledger = state.ledger(name)?;
    // No month after today's is closed.
    let closed_months = app::closed_months(&ledger, Period::of(today))?;
    let month = month_of(ledger.start(), &closed_months, q.month.as_deref(), today);
    // A month that has ended is counted on its last business day (CSH-2).
    let due = match month.last_day() < today {
        true => qianzhang_core::cash::last_business_day(month, &qianzhang_app::office::settings(&ledger)?.calendar),
        false => today,
    };
    let count_day = count_day.unwrap_or(due);
    let sheet = app::count_sheet(&mut ledger, count_day);
    let chart = qianzhang_app::accounts::chart(&ledger)?;
    let accounts = qianzhang_core::bank::bank_accounts(&chart);
    let account = match q.account.as_deref().map(str::trim) {
        Some(a) if accounts.iter().any(|(c, _)| c == a) => Some(a.to_string()),
        _ => accounts.first().map(|(c, _)| c.clone()),
    };
    let (lines, candidates, reconciliation) = match &account {
        Some(a) => (
            app::statement_lines(&mut ledger, a)?,
            app::match_candidates(&mut ledger, a)?,
            Some(app::reconciliation(&mut ledger, Some(a), month)),
        ),
        None => (Vec::new(), Vec::new(), None),
    };
    let closed = closed_months.contains(&month);
    let blockers = if closed { Ok(Vec::new()) } else { app::close_check(&mut ledger, month, today) };
    let latest_closed = closed_months.last().copied();
    Ok(Month {
        month,
        count_day,
        sheet,
        accounts,
        account,
        lines,
        candidates,
        reconciliation,
        closed,
        blockers,
        latest_closed,
        today,
        may: May::default(),
    })
}

/// `GET /l/{ledger}/month?month=YYYY-MM&account=…`.
async fn show(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    month_page(&state, &o, q, None).await
}

/// The page, with what a form just did or why it was refused.
async fn month_page(state: &Arc<State>, o: &Officer, q: MonthQuery, outcome: Option<Outcome>) -> Response {
    let outcome = outcome.or_else(|| {
        let (code, text) = state.take_flash(&o.id)?;
        Some(Outcome { form: Form::of(&code)?, result: Ok(text), typed: Fields::default() })
    });
    let count_day = outcome
        .as_ref()
        .filter(|x| x.form == Form::Count)
        .and_then(|x| x.typed.get("date").and_then(|d| parse_date(d).ok()));
    let (st, l) = (state.clone(), o.ledger().to_string());
    let mut m = match run(move || read_month(&st, &l, &q, count_day)).await {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    m.may = May {
        count: may(state, &o.person, o.ledger(), Act::HandleCash).await,
        reconcile: may(state, &o.person, o.ledger(), Act::Reconcile).await,
        close: o.prepares,
    };
    let refused = outcome.as_ref().is_some_and(|x| x.result.is_err());
    let body = render(o, &m, outcome.as_ref());
    let mut res = page(&format!("月末 · {}", m.month), Some(o), body).into_response();
    if refused {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// What a form came to, if it was this one.
fn beside(o: &Officer, outcome: Option<&Outcome>, form: Form) -> Markup {
    html! {
        @if let Some(x) = outcome.filter(|x| x.form == form) {
            @match &x.result {
                Ok(notice) => (page::done(notice)),
                Err(e) => (page::refusal_to(e, |rule| put_right(o, rule))),
            }
        }
    }
}

/// What was typed into `form`'s field `name`, to show it again.
fn typed<'a>(outcome: Option<&'a Outcome>, form: Form, name: &str) -> &'a str {
    outcome.filter(|x| x.form == form).map(|x| x.typed.text(name)).unwrap_or("")
}

fn denomination(fen: i64) -> String {
    if fen >= 100 {
        format!("{} 元", fen / 100)
    } else {
        format!("{} 角", fen / 10)
    }
}

fn render(o: &Officer, m: &Month, outcome: Option<&Outcome>) -> Markup {
    let ledger = o.ledger();
    let here = |rest: &str| ledger_url(ledger, rest);
    let month_q = format!("?month={}", m.month);
    let account_q = m.account.as_deref().map(|a| format!("&account={}", page::segment(a))).unwrap_or_default();
    html! {
        h1 { "月末 · " (m.month.to_chinese()) }
        form.inline method="get" action=(here("/month")) {
            label { "月份 " input type="month" name="month" value=(m.month.to_string()); }
            button type="submit" { "查看" }
            " "
            a href=(here(&format!("/month?month={}", m.month.prev()))) { "上月" }
            " "
            a href=(here(&format!("/month?month={}", m.month.next()))) { "下月" }
        }
        p.sub {
            "日清月结：出纳每天盘点现金；月末导入银行对账单并逐笔勾对；现金、银行都核对无误、凭证全部记账后，会计结账。"
        }

        section #count {
            h2 { "现金盘点（CSH-2）" }
            (count_section(o, m, outcome))
        }

        section #bank {
            h2 { "银行对账（BNK-1）" }
            @if m.accounts.is_empty() {
                p.empty { "科目表中没有 1002 银行存款的末级科目。" }
            } @else {
                @if m.accounts.len() > 1 {
                    form.inline method="get" action=(here("/month")) {
                        input type="hidden" name="month" value=(m.month.to_string());
                        label { "银行账户 "
                            select name="account" {
                                @for (code, name) in &m.accounts {
                                    option value=(code) selected[m.account.as_deref() == Some(code.as_str())] { (code) " " (name) }
                                }
                            }
                        }
                        button type="submit" { "切换" }
                    }
                }
                @if m.may.reconcile {
                    (import_form(o, m, outcome, &month_q, &account_q))
                    (balance_form(o, m, outcome, &month_q, &account_q))
                } @else {
                    (beside(o, outcome, Form::Import))
                    (beside(o, outcome, Form::Balance))
                }
                (lines_section(o, m, outcome, &month_q, &account_q))
                @if let Some(r) = &m.reconciliation {
                    h3 { "银行存款余额调节表 · " (m.month) }
                    @match r {
                        Ok(r) => (reconciliation_table(o, r)),
                        Err(e) => (page::refusal_to(e, |rule| put_right(o, rule))),
                    }
                }
            }
        }

        section #close {
            h2 { "结账（PER-1）与反结账（PER-2）" }
            (close_section(o, m, outcome, &month_q))
        }
    }
}

fn count_section(o: &Officer, m: &Month, outcome: Option<&Outcome>) -> Markup {
    let ledger = o.ledger();
    let date = match typed(outcome, Form::Count, "date") {
        "" => m.count_day.to_string(),
        d => d.to_string(),
    };
    html! {
        @match &m.sheet {
            Err(e) => (page::refusal_to(e, |rule| put_right(o, rule))),
            Ok(sheet) => {
                p {
                    (format_date(sheet.date)) " 现金账面余额 "
                    strong #book { (sheet.book.to_yuan()) }
                    " · 库存现金限额 " (sheet.limit.to_yuan())
                    @if sheet.above_limit { " · " span.warn { "超过限额，超出部分应送存银行（CSH-4）" } }
                }
                @if !sheet.counts.is_empty() {
                    table.counts {
                        thead { tr { th { "盘点" } th.num { "实点" } th.num { "账面" } th { "结果" } th { "盘点人" } } }
                        tbody {
                            @for (i, c) in sheet.counts.iter().enumerate() {
                                tr {
                                    td { "第 " (i + 1) " 次" }
                                    td.num { (c.count.counted.to_yuan()) }
                                    td.num { (c.count.book.to_yuan()) }
                                    td {
                                        (qianzhang_core::cash::describe_difference(c.count.difference()))
                                        @if let Some(v) = c.settled_by { "，已由 " (v.label()) " 处理" }
                                        @if let Some(now) = c.now { "；账面已变动，现差 " (now.to_yuan()) "，请重新盘点" }
                                    }
                                    td { (c.count.counter) }
                                }
                            }
                        }
                    }
                }
                @for u in &sheet.overdue {
                    p.warn { (u.voucher.label()) " 的现金收入 " (u.amount.to_yuan()) " 应于 " (format_date(u.deadline)) " 前送存银行，已逾期（CSH-5）" }
                }
            }
        }
        @if m.may.count {
            form #count-form method="post" action=(ledger_url(ledger, "/month/count")) {
                (csrf(o))
                label { "盘点日期 " input type="date" name="date" value=(date); }
                table.denominations {
                    thead { tr { th { "券别" } th.num { "张（枚）数" } } }
                    tbody {
                        @for fen in DENOMINATIONS {
                            @let name = format!("n{fen}");
                            tr {
                                td { (denomination(fen)) }
                                td.num { input.amount type="number" min="0" step="1" inputmode="numeric" name=(name) value=(typed(outcome, Form::Count, &name)); }
                            }
                    }
                }
            }
            label { "或直接填实点金额 " input.amount type="text" inputmode="decimal" name="amount" value=(typed(outcome, Form::Count, "amount")); }
            div #count-total hx-post=(ledger_url(ledger, "/month/count/total")) hx-trigger="load, input from:#count-form delay:200ms" hx-include="#count-form" {
                (total_markup(&pieces_of(outcome.filter(|x| x.form == Form::Count).map(|x| &x.typed).unwrap_or(&Fields::default()))))
            }
            button.primary type="submit" { "记录盘点" }
        }
        }
        (beside(o, outcome, Form::Count))
    }
}

/// The pieces typed: (denomination in fen, count), the blank ones left out.
fn pieces_of(fields: &Fields) -> Vec<(i64, String)> {
    DENOMINATIONS.iter().filter_map(|fen| fields.get(&format!("n{fen}")).map(|c| (*fen, c.to_string()))).collect()
}

fn total_markup(pieces: &[(i64, String)]) -> Markup {
    let total: Option<i64> = pieces.iter().try_fold(0i64, |sum, (fen, c)| {
        let n: i64 = c.parse().ok().filter(|n| (0..=i64::from(qianzhang_core::cash::MAX_PIECES)).contains(n))?;
        sum.checked_add(fen.checked_mul(n)?)
    });
    html! {
        p {
            "按券别合计 "
            @match total {
                Some(t) => strong { (Money::from_fen(t).to_yuan()) },
                None => span.warn { "张数须为整数" },
            }
        }
    }
}

/// The `cash count --pieces` text of the pieces typed (`100x12,0.5x4`).
fn pieces_text(pieces: &[(i64, String)]) -> Result<Option<String>, Error> {
    if pieces.is_empty() {
        return Ok(None);
    }
    let mut parts = Vec::new();
    for (fen, c) in pieces {
        if c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::refuse(Rule::Csh2, format!("{}的张数“{c}”应为 0 或正整数", denomination(*fen))));
        }
        parts.push(format!("{}x{c}", Money::from_fen(*fen).to_decimal_string()));
    }
    Ok(Some(parts.join(",")))
}

fn import_form(o: &Officer, m: &Month, outcome: Option<&Outcome>, month_q: &str, account_q: &str) -> Markup {
    let ledger = o.ledger();
    html! {
        h3 { "导入银行对账单" }
        form method="post" enctype="multipart/form-data" action=(ledger_url(ledger, &format!("/month/bank/import{month_q}{account_q}"))) {
            (csrf(o))
            input type="hidden" name="account" value=(m.account.as_deref().unwrap_or(""));
            label { "对账单文件（CSV 或 Excel .xlsx）" input type="file" name="file" accept=".csv,.xlsx,text/csv" required; }
            label { "截止日期（可不填）" input type="date" name="through" value=(typed(outcome, Form::Import, "through")); }
            details {
                summary { "列名映射（银行的列名与常见写法不同时填写）" }
                label { "映射 " input type="text" name="map" placeholder="date=交易时间,in=收入,out=支出,balance=余额" value=(typed(outcome, Form::Import, "map")); }
            }
            button.primary type="submit" { "导入" }
        }
        p.hint { "已导入过的行会自动跳过；文件不超过 " (MAX_STATEMENT_UPLOAD / 1024 / 1024) " MB。" }
        (beside(o, outcome, Form::Import))
    }
}

/// [BNK-1] a statement without transaction lines still states the
/// account's balance: the cashier records it as a balance line.
fn balance_form(o: &Officer, m: &Month, outcome: Option<&Outcome>, month_q: &str, account_q: &str) -> Markup {
    let ledger = o.ledger();
    let date = match typed(outcome, Form::Balance, "date") {
        // The month's end, or today while the month runs: a statement reaches no later.
        "" => format_date(m.month.last_day().min(m.today)),
        d => d.to_string(),
    };
    html! {
        h3 { "登记对账单余额" }
        form method="post" action=(ledger_url(ledger, &format!("/month/bank/balance{month_q}{account_q}"))) {
            (csrf(o))
            input type="hidden" name="account" value=(m.account.as_deref().unwrap_or(""));
            label { "对账单日期" input type="date" name="date" value=(date) required; }
            label { "对账单余额（元）" input type="text" name="balance" inputmode="decimal" placeholder="12,345.67" value=(typed(outcome, Form::Balance, "balance")) required; }
            button type="submit" { "登记余额" }
        }
        p.hint { "本月银行没有收支（对账单只有期末余额、本月无发生额）时，按对账单上的余额登记；余额须与上一行对账单的余额相同，第一行须与账面相符。" }
        (beside(o, outcome, Form::Balance))
    }
}

fn signed(m: Money) -> (String, String) {
    if m.is_negative() {
        (String::new(), (-m).to_yuan())
    } else {
        (m.to_yuan(), String::new())
    }
}

fn lines_section(o: &Officer, m: &Month, outcome: Option<&Outcome>, month_q: &str, account_q: &str) -> Markup {
    let ledger = o.ledger();
    let account = m.account.as_deref().unwrap_or("");
    let action = |a: &str| ledger_url(ledger, &format!("/month/bank/{a}{month_q}{account_q}"));
    // Unmatched lines, and the month's matched ones.
    let shown: Vec<&StoredLine> =
        m.lines.iter().filter(|l| l.matched.is_none() || Period::of(l.line.date) == m.month).collect();
    html! {
        h3 { "勾对" }
        @if m.lines.is_empty() {
            p.empty { "还没有导入这个账户的银行对账单。" }
        } @else {
            @if m.may.reconcile {
                form.inline method="post" action=(action("auto")) {
                    (csrf(o))
                    input type="hidden" name="account" value=(account);
                    button type="submit" { "自动匹配" }
                }
                span.hint { " 金额、方向相同，日期相近，流水号相同的优先。" }
            }
            table.statement {
                thead { tr { th { "行" } th { "日期" } th { "摘要 / 对方" } th.num { "收入" } th.num { "支出" } th.num { "余额" } th { "勾对" } } }
                tbody {
                    @for l in shown {
                        // A balance line has no inflow or outflow, not one of ¥0.00.
                        @let (inflow, outflow) = if l.line.is_balance_only() { Default::default() } else { signed(l.line.amount()) };
                        tr {
                            td { (l.id) }
                            td { (format_date(l.line.date)) }
                            td { (l.line.summary) @if !l.line.counterparty.is_empty() { " · " (l.line.counterparty) } }
                            td.num { (inflow) } td.num { (outflow) }
                            td.num { (l.line.balance.to_yuan()) }
                            td {
                                @match l.matched {
                                    None if l.line.is_balance_only() => span.hint { "余额行" },
                                    Some(v) => {
                                        a href=(voucher_url(ledger, v)) { (v.label()) } " "
                                        @if m.may.reconcile {
                                            form.inline method="post" action=(action("unmatch")) {
                                                (csrf(o))
                                                input type="hidden" name="account" value=(account);
                                                input type="hidden" name="line" value=(l.id);
                                                button type="submit" { "取消匹配" }
                                            }
                                        }
                                    }
                                    None if !m.may.reconcile => span.hint { "未勾对" },
                                    None => {
                                        form.inline method="post" action=(action("match")) {
                                            (csrf(o))
                                            input type="hidden" name="account" value=(account);
                                            input type="hidden" name="line" value=(l.id);
                                            select name="voucher" {
                                                (candidate_options(l, &m.candidates))
                                            }
                                            button type="submit" { "匹配" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (beside(o, outcome, Form::Match))
    }
}

/// A line's candidates: same amount and direction first, nearest date first.
fn candidate_options(l: &StoredLine, candidates: &[BookEntry]) -> Markup {
    let amount = l.line.amount();
    let mut same: Vec<&BookEntry> = candidates.iter().filter(|e| e.amount == amount).collect();
    same.sort_by_key(|e| ((e.date - l.line.date).abs(), e.voucher));
    let mut other: Vec<&BookEntry> = candidates.iter().filter(|e| e.amount != amount).collect();
    other.sort_by_key(|e| ((e.date - l.line.date).abs(), e.voucher));
    let option = |e: &BookEntry| {
        let (i, out) = signed(e.amount);
        let money = if i.is_empty() { format!("付 {out}") } else { format!("收 {i}") };
        html! { option value=(e.voucher.to_string()) { (e.voucher.label()) " " (format_date(e.date)) " " (money) " " (e.summary) } }
    };
    html! {
        @if same.is_empty() { option value="" { "（没有金额相同的记账凭证）" } }
        @for e in same { (option(e)) }
        @if !other.is_empty() {
            optgroup label="金额不同" { @for e in other { (option(e)) } }
        }
    }
}

fn reconciliation_table(o: &Officer, r: &Reconciliation) -> Markup {
    let items = |title: &str, list: &[qianzhang_core::bank::Outstanding]| {
        html! {
            @if list.is_empty() { tr { td { (title) } td.num { "—" } } }
            @for x in list { tr { td { (title) "：" (format_date(x.date)) " " (x.what) } td.num { (x.amount.to_yuan()) } } }
        }
    };
    html! {
        p.sub {
            (r.account) " " (r.account_name) " · 截至 " (format_date(r.end))
            @if let Some(t) = r.statement_through { " · 对账单截至 " (format_date(t)) }
        }
        div.cols2 {
            table.recon {
                thead { tr { th { "单位银行存款日记账" } th.num { "金额" } } }
                tbody {
                    tr { td { "账面余额" } td.num { (r.book_balance.to_yuan()) } }
                    (items("加：银行已收、单位未收", &r.bank_in_not_booked))
                    (items("减：银行已付、单位未付", &r.bank_out_not_booked))
                    tr.total { td { "调节后余额" } td.num { (r.adjusted_book().to_yuan()) } }
                }
            }
            table.recon {
                thead { tr { th { "银行对账单" } th.num { "金额" } } }
                tbody {
                    tr { td { "对账单余额" } td.num { (r.statement_balance.map(|b| b.to_yuan()).unwrap_or_else(|| "（无）".into())) } }
                    (items("加：单位已收、银行未收", &r.booked_in_not_banked))
                    (items("减：单位已付、银行未付", &r.booked_out_not_banked))
                    tr.total { td { "调节后余额" } td.num { (r.adjusted_bank().map(|b| b.to_yuan()).unwrap_or_else(|| "（无）".into())) } }
                }
            }
        }
        @match r.problem() {
            None => p.ok { "调节后余额相符。" },
            Some(p) => p.warn { (blocker(o, &p)) },
        }
    }
}

/// A rule's reason as this page shows it (`page::reason_to`): what is
/// wrong, and the section of this page where it is put right — never the
/// command line's advice the core's message ends with.
fn blocker(o: &Officer, r: &Refusal) -> Markup {
    page::reason_to(r, |rule| put_right(o, rule))
}

/// Where on this page (or another of the office) what `rule` asks is done.
fn put_right(o: &Officer, rule: Rule) -> Option<(String, &'static str)> {
    match rule {
        Rule::Bnk1 => Some((
            "#bank".into(),
            "到“银行对账”一节导入截至月末的对账单并勾对；本月银行没有收支的，在那里登记对账单余额",
        )),
        Rule::Csh2 => Some(("#count".into(), "请出纳在“现金盘点”一节盘点")),
        other => page::remedy(other, o.ledger()),
    }
}

fn close_section(o: &Officer, m: &Month, outcome: Option<&Outcome>, month_q: &str) -> Markup {
    let ledger = o.ledger();
    html! {
        @if m.closed {
            p.ok { (m.month.to_chinese()) " 已结账。" }
        } @else {
            @match &m.blockers {
                Err(e) => (page::refusal_to(e, |rule| put_right(o, rule))),
                Ok(b) if b.is_empty() => p.ok { (m.month.to_chinese()) " 可以结账。" },
                Ok(b) => {
                    p { (m.month.to_chinese()) " 暂不能结账：" }
                    ul.blockers { @for r in b { li { (blocker(o, r)) } } }
                }
            }
            @if m.may.close {
                form method="post" action=(ledger_url(ledger, &format!("/month/close{month_q}"))) {
                    (csrf(o))
                    input type="hidden" name="month" value=(m.month.to_string());
                    button.primary type="submit" { "结账 " (m.month) }
                }
            }
        }
        (beside(o, outcome, Form::Close))
        @if let Some(latest) = m.latest_closed.filter(|_| m.may.close) {
            h3 { "反结账 " (latest) }
            p.hint { "只能反结账最近一个已结账的月份。须写明原因，并由审批人当场输入本人口令一同确认；反结账会记入日志，并出现在以后的审计和交接报告中。" }
            form method="post" action=(ledger_url(ledger, &format!("/month/reopen{month_q}"))) autocomplete="off" {
                (csrf(o))
                input type="hidden" name="month" value=(latest.to_string());
                label { "原因 " input type="text" name="reason" required value=(typed(outcome, Form::Reopen, "reason")); }
                label { "审批人 " input type="text" name="approver" required value=(typed(outcome, Form::Reopen, "approver")) autocomplete="off"; }
                label { "审批人口令 " input type="password" name="approver_passphrase" autocomplete="new-password"; }
                button type="submit" { "反结账" }
            }
        }
        // A reopen done leaves no month to reopen: its notice still shows.
        (beside(o, outcome, Form::Reopen))
    }
}

/// `POST …/month/count/total`: the total of the pieces typed (htmx).
async fn count_total(officer: Officer, headers: HeaderMap, Path(ledger): Path<String>, fields: Fields) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    total_markup(&pieces_of(&fields)).into_response()
}

/// Runs one form's act and shows the page with what came of it.
async fn submit(
    state: Arc<State>,
    o: Officer,
    q: MonthQuery,
    form: Form,
    fields: Fields,
    act: impl FnOnce(&State, &str, &str, &Fields) -> Result<String, Error> + Send + 'static,
) -> Response {
    let (st, who, l, f) = (state.clone(), o.person.clone(), o.ledger().to_string(), fields.clone());
    let result = match run(move || act(&st, &who, &l, &f)).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    match result {
        Ok(text) => done(&state, &o, &q, form, text),
        result => month_page(&state, &o, q, Some(Outcome { form, result, typed: fields })).await,
    }
}

/// Back to the month page (so reloading it repeats nothing), where what
/// the act said is shown once beside its form.
fn done(state: &State, o: &Officer, q: &MonthQuery, form: Form, text: String) -> Response {
    state.flash(&o.id, form.code(), text);
    let mut to = "/month?".to_string();
    if let Some(m) = q.month.as_deref().and_then(|m| Period::parse(m.trim()).ok()) {
        to.push_str(&format!("month={m}&"));
    }
    if let Some(a) =
        q.account.as_deref().map(str::trim).filter(|a| a.chars().all(|c| c.is_ascii_digit()) && !a.is_empty())
    {
        to.push_str(&format!("account={a}"));
    }
    // Back to the section of the form, where what it did is shown.
    let section = match form {
        Form::Count => "#count",
        Form::Import | Form::Balance | Form::Match => "#bank",
        Form::Close | Form::Reopen => "#close",
    };
    let to = format!("{}{section}", to.trim_end_matches(['?', '&']));
    axum::response::Redirect::to(&ledger_url(o.ledger(), &to)).into_response()
}

/// The date typed into `name`, if any.
fn date_field(fields: &Fields, name: &str, rule: Rule) -> Result<Option<time::Date>, Error> {
    match fields.get(name) {
        None => Ok(None),
        Some(d) => parse_date(d).map(Some).map_err(|e| Error::refuse(rule, format!("日期“{d}”无法识别：{e}"))),
    }
}

/// `POST …/month/count`: `cash count --date D [--amount X] [--pieces …]`.
async fn count(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    submit(state, o, q, Form::Count, fields, |st, who, l, f| {
        let date = date_field(f, "date", Rule::Csh2)?;
        let pieces = pieces_text(&pieces_of(f))?;
        let (counted, pieces) = app::counted(f.get("amount"), pieces.as_deref())?;
        let done = st.act(who, l, "cash count", |s| app::count(s, date, counted, pieces))?;
        let c = &done.count;
        let diff = c.difference();
        let mut text = format!(
            "已记录 {} 现金盘点：实点 {}，账面 {}，{}。",
            format_date(c.date),
            c.counted.to_yuan(),
            c.book.to_yuan(),
            qianzhang_core::cash::describe_difference(diff)
        );
        if !diff.is_zero() {
            text.push_str(
                "差额已记录（CSH-2）：请查明原因，经审批后以凭证记入 1901 待处理财产损溢，月末结账前须处理完毕。",
            );
        }
        if let Some((limit, excess)) = done.above_limit {
            text.push_str(&format!(
                "库存现金超过限额 {}（CSH-4），超出的 {} 应送存银行。",
                limit.to_yuan(),
                excess.to_yuan()
            ));
        }
        Ok(text)
    })
    .await
}

/// A statement upload as read: the form's fields and the file.
pub(crate) struct Upload {
    pub(crate) fields: Fields,
    pub(crate) file: Option<(String, Vec<u8>)>,
    /// Why the upload could not be read whole.
    pub(crate) problem: Option<Error>,
}

/// Reads a multipart upload, the file at most `MAX_STATEMENT_UPLOAD` bytes.
pub(crate) async fn read_upload(mut multipart: Multipart) -> Upload {
    let mut up = Upload { fields: Fields::default(), file: None, problem: None };
    let broken = || Error::refuse(Rule::Bnk1, "上传的内容没有读完整；请重新选择文件后再导入");
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                up.problem = Some(broken());
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("对账单").to_string();
            let mut bytes = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if bytes.len() + chunk.len() > MAX_STATEMENT_UPLOAD {
                            up.problem = Some(Error::refuse(
                                Rule::Lim1,
                                format!(
                                    "对账单文件超过 {} MB，未导入；请按月导出较小的对账单",
                                    MAX_STATEMENT_UPLOAD / 1024 / 1024
                                ),
                            ));
                            break;
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(_) => {
                        up.problem = Some(broken());
                        break;
                    }
                }
            }
            if up.problem.is_some() {
                // The rest is not read; the CSRF token comes first in the form.
                break;
            }
            up.file = Some((file_name, bytes));
        } else if up.fields.0.len() < 20 {
            match field.text().await {
                Ok(t) if t.len() <= 4096 => up.fields.0.push((name, t)),
                _ => {
                    up.problem = Some(broken());
                    break;
                }
            }
        }
    }
    up
}

/// `POST …/month/bank/import` (multipart): `bank import FILE [--account A] [--through D] [--map M]`.
async fn import(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    multipart: Multipart,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let up = read_upload(multipart).await;
    if let Err(r) = o.check(&up.fields, &headers) {
        return r;
    }
    let Upload { fields, file, problem } = up;
    submit(state, o, q, Form::Import, fields, move |st, who, l, f| {
        if let Some(e) = problem {
            return Err(e);
        }
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return Err(Error::refuse(Rule::Bnk1, "没有收到对账单文件；请选择银行导出的 CSV 或 Excel 文件"));
        };
        let through = date_field(f, "through", Rule::Bnk1)?;
        let account = app::statement_account(&*st.ledger(l)?, f.get("account"))?;
        let statement = app::read_statement_bytes(&bytes, &name, None, None, f.get("map"))?;
        let source = if statement.encoding == qianzhang_core::csvfile::TextEncoding::Utf8 {
            "UTF-8".to_string()
        } else {
            format!("{}编码", statement.encoding.name())
        };
        let done = st.act(who, l, &format!("bank import {name} --account {account}"), |s| {
            app::import_bank_statement(s, &account, &name, statement, through)
        })?;
        Ok(format!(
            "已导入 {account} 银行对账单 {name}：新增 {} 行，已导入过的重复行 {} 行（{source}）；对账单截至 {}。",
            done.new_lines,
            done.duplicates,
            format_date(done.reach)
        ))
    })
    .await
}

fn line_field(f: &Fields) -> Result<u64, Error> {
    let text = f.get("line").unwrap_or("");
    text.parse().map_err(|_| Error::refuse(Rule::Bnk1, format!("对账单行号“{text}”不是数字")))
}

/// `POST …/month/bank/balance`: `bank balance --date D --balance B [--account A]`.
async fn record_balance(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    submit(state, o, q, Form::Balance, fields, |st, who, l, f| {
        let Some(date) = date_field(f, "date", Rule::Bnk1)? else {
            return Err(Error::refuse(Rule::Bnk1, "请填写对账单日期（一般为月末）"));
        };
        let typed = f.get("balance").unwrap_or("");
        let account = app::statement_account(&*st.ledger(l)?, f.get("account"))?;
        let (done, balance) =
            st.act(who, l, &format!("bank balance --date {} --account {account}", format_date(date)), |s| {
                app::record_bank_balance(s, &account, date, typed)
            })?;
        let what = if done.new_lines == 0 { "该余额已登记过" } else { "已登记" };
        Ok(format!(
            "{what}：{account} 银行对账单 {} 余额 {}（余额行，没有收支）；对账单截至 {}。",
            format_date(date),
            balance.to_yuan(),
            format_date(done.reach)
        ))
    })
    .await
}

/// `POST …/month/bank/match`: `bank match --line N --voucher REF`.
async fn match_line(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    submit(state, o, q, Form::Match, fields, |st, who, l, f| {
        let line = line_field(f)?;
        let text = f.get("voucher").unwrap_or("");
        let voucher = VoucherRef::parse(text).ok_or_else(|| {
            Error::refuse(Rule::Bnk1, format!("凭证号“{text}”无法识别；请从列表中选择要勾对的记账凭证"))
        })?;
        let account = app::statement_account(&*st.ledger(l)?, f.get("account"))?;
        st.act(who, l, &format!("bank match --line {line} --voucher {voucher}"), |s| {
            app::match_line(s, &account, line, voucher)
        })?;
        Ok(format!("已将对账单第 {line} 行与 {} 勾对。", voucher.label()))
    })
    .await
}

/// `POST …/month/bank/unmatch`: `bank unmatch N`.
async fn unmatch(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    submit(state, o, q, Form::Match, fields, |st, who, l, f| {
        let line = line_field(f)?;
        let account = app::statement_account(&*st.ledger(l)?, f.get("account"))?;
        st.act(who, l, &format!("bank unmatch {line}"), |s| app::unmatch_line(s, &account, line))?;
        Ok(format!("已取消对账单第 {line} 行的勾对。"))
    })
    .await
}

/// `POST …/month/bank/auto`: `bank match`.
async fn match_all(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    submit(state, o, q, Form::Match, fields, |st, who, l, f| {
        let account = app::statement_account(&*st.ledger(l)?, f.get("account"))?;
        let pairs = st.act(who, l, "bank match", |s| app::match_all(s, &account))?;
        let mut text = format!("自动勾对 {} 笔", pairs.len());
        if !pairs.is_empty() {
            let list: Vec<String> = pairs.iter().map(|(n, v)| format!("第 {n} 行 ↔ {}", v.label())).collect();
            text.push_str(&format!("：{}", list.join("；")));
        }
        text.push('。');
        Ok(text)
    })
    .await
}

fn month_field(f: &Fields, rule: Rule) -> Result<Period, Error> {
    let text = f.get("month").unwrap_or("");
    Period::parse(text).map_err(|_| Error::refuse(rule, format!("月份“{text}”无法识别，应写作 2025-04")))
}

/// `POST …/month/close`: `period close M`.
async fn close(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    submit(state, o, q, Form::Close, fields, |st, who, l, f| {
        let month = month_field(f, Rule::Per1)?;
        let (carried, fp) = st.act(who, l, &format!("period close {month}"), |s| app::close(s, month))?;
        let mut text = format!("{} 已结账。", month.to_chinese());
        if let Some(r) = carried {
            text.push_str(&format!("已生成年末结转凭证 {}：本年收入、费用结转至净资产（3101/3102）。", r.label()));
        }
        text.push_str(&format!("结账时指纹：{fp}"));
        Ok(text)
    })
    .await
}

/// `POST …/month/reopen`: `period reopen M --reason R --approver A` with
/// the approver's passphrase typed by the approver (PER-2), checked as a
/// sign-in of its own (OPR-1: slowed, counted toward the lockout).
async fn reopen(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    // The passphrase is never shown again.
    let mut kept = fields.clone();
    kept.0.retain(|(k, _)| k != "approver_passphrase");
    let (st, who, l) = (state.clone(), o.person.clone(), o.ledger().to_string());
    let result = run(move || {
        let month = month_field(&fields, Rule::Per2)?;
        let reason = fields.get("reason").unwrap_or("").to_string();
        let approver = fields.get("approver").unwrap_or("").to_string();
        let passphrase = fields.text("approver_passphrase").to_string();
        if approver.is_empty() {
            return Err(Error::refuse(
                Rule::Per2,
                "反结账须由审批人一同确认：请填写审批人姓名，并由审批人输入本人口令",
            ));
        }
        if passphrase.is_empty() {
            return Err(Error::refuse(
                Rule::Per2,
                format!("反结账须审批人 {approver} 当场输入本人口令一同确认；请审批人输入口令后再提交"),
            ));
        }
        let claim =
            qianzhang_app::Claim::new(Some(&approver), st.now(), format!("网页 period reopen {month}（审批人确认）"))?;
        let pause = st.config.pause;
        let command = format!("period reopen {month} --approver {approver}");
        st.act(&who, &l, &command, |s| {
            let mut wait = |_: &str, _: u32, d: std::time::Duration| pause(d);
            let approver = app::approver_sign_in(s.ledger(), &claim, &passphrase, &mut wait)?;
            app::reopen(s, &approver, month, &reason)
        })?;
        Ok(format!(
            "{} 已反结账（{reason}），由会计 {who} 与审批人 {approver} 共同确认，已记入日志。",
            month.to_chinese()
        ))
    })
    .await;
    let result = match result {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    match result {
        Ok(text) => done(&state, &o, &q, Form::Reopen, text),
        result => month_page(&state, &o, q, Some(Outcome { form: Form::Reopen, result, typed: kept })).await,
    }
}
