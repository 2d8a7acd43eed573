//! 账表: every report of the command line as a page, each downloadable as
//! an Excel workbook, as the Chinese CSV and as a print-ready page; and the
//! printed vouchers and books (PRN-1, see [`print`]).
//!
//! A report is assembled by the same `qianzhang_app` call and rendered by
//! the same `qianzhang_report` renderer as `qianzhang report …`. The page
//! shows the renderer's workbook table ([`qianzhang_report::Table`], what
//! `--format xlsx` writes), so the page, the workbook and the CSV carry the
//! same rows; [`table_html`] lays any such table out as HTML.
//!
//! Reading needs no post beyond being signed in at the ledger, as the
//! command line's reports need no passphrase.

mod print;

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, DOCTYPE};
use qianzhang_app::reports::{self as app, Kind, Report, Request};
use qianzhang_core::names::Named;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::{Money, Period, VoucherRef};
use qianzhang_db::Db as Store;
use qianzhang_report::{ColumnType, Format, Table};

use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, ledger_url, page, run, voucher_url};
use crate::state::State;

pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/l/{ledger}/reports", get(index))
        .route("/l/{ledger}/reports/{which}", get(report))
        .merge(print::routes())
}

/// The content type of an Excel workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Which page of 账表.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sheet {
    Report(Kind),
    /// 例外事项清单 (`audit exceptions`).
    Exceptions,
    /// 某人的操作记录 (`audit person`).
    Person,
    /// 期初余额表 (`opening show`).
    Opening,
    /// 会计科目表 (`account list`).
    Accounts,
    /// 凭证列表 (`voucher list`).
    Vouchers,
}

/// What a report's form asks for.
#[derive(Clone, Copy, Default)]
struct Inputs {
    /// 月份, or 起始/截止 periods.
    range: bool,
    /// One month only.
    month: bool,
    /// 起始/截止 days or months (the auditor's reports).
    days: bool,
    account: bool,
    bank: bool,
    fund: bool,
    date: bool,
    person: bool,
}

/// Every page, in the order the index lists them.
const SHEETS: [Sheet; 16] = [
    Sheet::Report(Kind::TrialBalance),
    Sheet::Report(Kind::Journal),
    Sheet::Report(Kind::Ledger),
    Sheet::Report(Kind::CashJournal),
    Sheet::Report(Kind::BankJournal),
    Sheet::Report(Kind::BalanceSheet),
    Sheet::Report(Kind::Activities),
    Sheet::Report(Kind::CashFlow),
    Sheet::Report(Kind::Funds),
    Sheet::Report(Kind::CashCount),
    Sheet::Report(Kind::BankReconciliation),
    Sheet::Exceptions,
    Sheet::Person,
    Sheet::Opening,
    Sheet::Accounts,
    Sheet::Vouchers,
];

impl Sheet {
    /// The path segment: the command line's own name of the report.
    fn slug(self) -> &'static str {
        match self {
            Sheet::Report(k) => k.name(),
            Sheet::Exceptions => "exceptions",
            Sheet::Person => "person",
            Sheet::Opening => "opening",
            Sheet::Accounts => "accounts",
            Sheet::Vouchers => "vouchers",
        }
    }

    fn from_slug(slug: &str) -> Option<Sheet> {
        SHEETS.into_iter().find(|s| s.slug() == slug)
    }

    fn title(self) -> &'static str {
        match self {
            Sheet::Report(k) => match k {
                Kind::TrialBalance => "试算平衡表",
                Kind::Journal => "序时账",
                Kind::Ledger => "明细账",
                Kind::CashJournal => "现金日记账",
                Kind::BankJournal => "银行存款日记账",
                Kind::Funds => "专项资金收支表",
                Kind::CashCount => "现金盘点表",
                Kind::BankReconciliation => "银行存款余额调节表",
                Kind::BalanceSheet => "资产负债表",
                Kind::Activities => "业务活动表",
                Kind::CashFlow => "现金流量表",
            },
            Sheet::Exceptions => "例外事项清单",
            Sheet::Person => "个人操作记录",
            Sheet::Opening => "期初余额表",
            Sheet::Accounts => "会计科目表",
            Sheet::Vouchers => "凭证列表",
        }
    }

    /// One line on the index saying what it is.
    fn gloss(self) -> &'static str {
        match self {
            Sheet::Report(k) => match k {
                Kind::TrialBalance => "各科目期初余额、本期发生额、期末余额及借贷合计",
                Kind::Journal => "按日期顺序列出已记账凭证的每一行",
                Kind::Ledger => "一个科目的逐笔发生额和余额（三栏式）",
                Kind::CashJournal => "库存现金（1001）逐笔收支、本日合计、本月合计",
                Kind::BankJournal => "银行存款（1002）逐笔收支、本日合计、本月合计",
                Kind::Funds => "每项专项资金的期初结余、本期收入、支出和期末结余",
                Kind::CashCount => "某日的账面余额、实点金额（按面值）和长短款",
                Kind::BankReconciliation => "银行存款日记账与银行对账单的未达账项调节",
                Kind::BalanceSheet => "会民非01表，月末的资产、负债和净资产",
                Kind::Activities => "会民非02表，本月和本年累计的收入、费用",
                Kind::CashFlow => "会民非03表，本月的现金流入和流出",
            },
            Sheet::Exceptions => "审批越权、拆分支出、超限额现金、被拒绝的操作、反结账等",
            Sheet::Person => "某人的全部操作（含被拒绝的）及其日志哈希",
            Sheet::Opening => "启用期间各科目的期初余额，借贷是否平衡",
            Sheet::Accounts => "科目编码、名称、类别、启用和停用日期",
            Sheet::Vouchers => "凭证号、日期、状态、摘要、金额",
        }
    }

    fn inputs(self) -> Inputs {
        let none = Inputs::default();
        match self {
            Sheet::Report(k) => match k {
                Kind::TrialBalance | Kind::Journal | Kind::CashJournal | Kind::BankJournal | Kind::Funds => {
                    Inputs { range: true, fund: true, ..none }
                }
                Kind::Ledger => Inputs { range: true, account: true, fund: true, ..none },
                Kind::CashCount => Inputs { date: true, ..none },
                Kind::BankReconciliation => Inputs { month: true, bank: true, ..none },
                Kind::BalanceSheet | Kind::Activities | Kind::CashFlow => Inputs { month: true, ..none },
            },
            Sheet::Exceptions => Inputs { days: true, ..none },
            Sheet::Person => Inputs { days: true, person: true, ..none },
            Sheet::Opening | Sheet::Accounts => none,
            Sheet::Vouchers => Inputs { range: true, ..none },
        }
    }

    /// The book printed as bound-book pages (PRN-1), when there is one.
    fn printed(self) -> Option<&'static str> {
        match self {
            Sheet::Report(Kind::Ledger) => Some("/print/ledger"),
            Sheet::Report(Kind::CashJournal) => Some("/print/cash-journal"),
            Sheet::Report(Kind::BankJournal) => Some("/print/bank-journal"),
            Sheet::Vouchers => Some("/print/vouchers"),
            _ => None,
        }
    }
}

/// How a report is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Page,
    Print,
    Xlsx,
    Csv,
}

impl Output {
    fn parse(text: Option<&str>) -> Result<Output, qianzhang_app::Error> {
        match text {
            None | Some("html") => Ok(Output::Page),
            Some("print") => Ok(Output::Print),
            Some("xlsx" | "excel") => Ok(Output::Xlsx),
            Some("csv") => Ok(Output::Csv),
            Some(other) => Err(qianzhang_app::Error::Usage(format!(
                "不认识的格式“{other}”：可选 xlsx（Excel）、csv、print（打印版）"
            ))),
        }
    }
}

/// What the form was filled in with, as typed (blank is absent).
#[derive(Clone, Debug, Default)]
struct Ask {
    month: Option<String>,
    from: Option<String>,
    to: Option<String>,
    account: Option<String>,
    fund: Option<String>,
    date: Option<String>,
    name: Option<String>,
}

impl Ask {
    fn from_fields(f: &Fields) -> Ask {
        let get = |k: &str| f.get(k).map(str::to_string);
        Ask {
            month: get("month"),
            from: get("from"),
            to: get("to"),
            account: get("account"),
            fund: get("fund"),
            date: get("date"),
            name: get("name"),
        }
    }

    /// The query string that asks for the same report (`format` added).
    fn query(&self, format: Option<&str>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        let pairs = [
            ("month", &self.month),
            ("from", &self.from),
            ("to", &self.to),
            ("account", &self.account),
            ("fund", &self.fund),
            ("date", &self.date),
            ("name", &self.name),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        if let Some(f) = format {
            s.append_pair("format", f);
        }
        s.finish()
    }

    /// The periods asked for, as the command line's `--month/--from/--to`.
    fn range(&self) -> Result<app::Range, qianzhang_app::Error> {
        let period = |t: &Option<String>| -> Result<Option<Period>, qianzhang_app::Error> {
            t.as_deref().map(|t| Period::parse(t).map_err(|e| qianzhang_app::Error::Usage(e.to_string()))).transpose()
        };
        Ok(app::Range { from: period(&self.from)?, to: period(&self.to)?, month: period(&self.month)? })
    }

    /// The account as the picker fills it (`1001 库存现金`) or as typed.
    fn account(&self) -> Option<String> {
        let a = self.account.as_deref()?;
        match a.split_whitespace().next() {
            Some(code) if code.bytes().all(|b| b.is_ascii_digit()) => Some(code.to_string()),
            _ => Some(a.to_string()),
        }
    }
}

/// A report's data, as the application gave it.
enum Data {
    Report(Report),
    Exceptions { title: String, items: Vec<qianzhang_core::audit::Exception> },
    Acts { title: String, items: Vec<qianzhang_core::audit::Act> },
    Opening(qianzhang_core::opening::OpeningSheet),
    Chart(qianzhang_core::Chart),
    Vouchers(qianzhang_app::voucher::VoucherList),
}

impl Data {
    /// The report in `format`, by the command line's renderer.
    fn render(&self, format: Format) -> String {
        use qianzhang_report as r;
        match self {
            Data::Report(report) => match report {
                Report::TrialBalance(tb) => r::trial_balance(tb, format),
                Report::Journal(j) => r::journal(j, format),
                Report::Ledger(l) => r::account_ledger(l, format),
                Report::CashJournal(j) => r::cash_journal(j, format),
                Report::Funds(f) => r::funds(f, format),
                Report::CashCount(sheet) => r::cash_count(sheet, format),
                Report::BankReconciliation(rec) => r::reconciliation(rec, format),
                Report::Statement(s) => r::statement(s, format),
            },
            Data::Exceptions { title, items } => r::exceptions(title, items, format),
            Data::Acts { title, items } => r::acts(title, items, format),
            Data::Opening(sheet) => r::openings(sheet, format),
            Data::Chart(chart) => r::chart(chart, format),
            Data::Vouchers(list) => r::voucher_list(&list.vouchers, &list.steps, &list.marks, format),
        }
    }
}

/// The report asked for, and the name its download is given (without
/// the extension): `幸福社区_试算平衡表_2025-03`.
fn build(
    ledger: &mut qianzhang_app::Ledger<Store>,
    sheet: Sheet,
    ask: &Ask,
    today: time::Date,
) -> Result<(Data, String), qianzhang_app::Error> {
    use qianzhang_app::audit;
    let span_name = |from: Period, to: Period| if from == to { from.to_string() } else { format!("{from}至{to}") };
    let days =
        |ledger: &qianzhang_app::Ledger<Store>| audit::days(ledger, ask.from.as_deref(), ask.to.as_deref(), today);
    let days_name = |from: time::Date, to: time::Date| format!("{}至{}", format_date(from), format_date(to));
    let (data, when) = match sheet {
        Sheet::Report(kind) => {
            let date = ask
                .date
                .as_deref()
                .map(|d| parse_date(d).map_err(|e| qianzhang_app::Error::Usage(e.to_string())))
                .transpose()?;
            let request = Request { account: ask.account(), range: ask.range()?, fund: ask.fund.clone(), date };
            let report = app::report(ledger, kind, &request, today)?;
            let span = |ledger: &qianzhang_app::Ledger<Store>| {
                app::span(ledger, &request.range).map(|(from, to)| span_name(from, to))
            };
            let when = match &report {
                Report::CashCount(s) => format_date(s.date),
                Report::BankReconciliation(r) => r.period.to_string(),
                Report::Statement(s) => s.period.to_string(),
                Report::Ledger(l) => format!("{}_{}", l.account, span(ledger)?),
                _ => span(ledger)?,
            };
            (Data::Report(report), when)
        }
        Sheet::Exceptions => {
            let (from, to) = days(ledger)?;
            let items = audit::exceptions_between(ledger, from, to)?;
            let title = format!("例外事项清单　账套：{}　{} 至 {}", ledger.name(), format_date(from), format_date(to));
            (Data::Exceptions { title, items }, days_name(from, to))
        }
        Sheet::Person => {
            let name = ask.name.clone().ok_or_else(|| qianzhang_app::Error::Usage("请写出要查看的人员姓名".into()))?;
            let (from, to) = days(ledger)?;
            let items = audit::acts_of(ledger, &name, from, to)?;
            let title = format!("{} 的操作记录　{} 至 {}", name.trim(), format_date(from), format_date(to));
            (Data::Acts { title, items }, format!("{}_{}", name.trim(), days_name(from, to)))
        }
        Sheet::Opening => {
            let sheet = qianzhang_app::opening::sheet(ledger)?;
            let when = sheet.start.to_string();
            (Data::Opening(sheet), when)
        }
        Sheet::Accounts => (Data::Chart(qianzhang_app::accounts::chart(ledger)?), String::new()),
        Sheet::Vouchers => {
            let (from, to) = app::span(ledger, &ask.range()?)?;
            (Data::Vouchers(qianzhang_app::voucher::list(ledger, from, to, today)?), span_name(from, to))
        }
    };
    let mut name = format!("{}_{}", ledger.name(), sheet.title());
    if !when.is_empty() {
        name.push('_');
        name.push_str(&when);
    }
    Ok((data, name))
}

/// A report in the form it is answered in.
enum Rendered {
    Table(Table),
    Csv(String),
    Xlsx(Vec<u8>),
}

fn render(data: &Data, output: Output) -> Result<Rendered, qianzhang_app::Error> {
    Ok(match output {
        Output::Page | Output::Print => {
            let sheet = data.render(Format::Xlsx);
            let table = serde_json::from_str(&sheet)
                .map_err(|e| qianzhang_app::Error::Internal(format!("报表数据无法显示：{e}")))?;
            Rendered::Table(table)
        }
        Output::Csv => Rendered::Csv(data.render(Format::Csv)),
        Output::Xlsx => Rendered::Xlsx(
            qianzhang_report::xlsx::workbook(&data.render(Format::Xlsx)).map_err(qianzhang_app::Error::Internal)?,
        ),
    })
}

/// What the forms offer to pick from: accounts, funds, people.
struct Choices {
    accounts: Vec<(String, String)>,
    banks: Vec<(String, String)>,
    funds: Vec<String>,
    people: Vec<String>,
}

fn choices(ledger: &qianzhang_app::Ledger<Store>, wanted: Inputs) -> Result<Choices, qianzhang_app::Error> {
    let mut c = Choices { accounts: Vec::new(), banks: Vec::new(), funds: Vec::new(), people: Vec::new() };
    if wanted.account || wanted.bank {
        let chart = qianzhang_app::accounts::chart(ledger)?;
        c.accounts = chart.iter().map(|a| (a.code().to_string(), chart.full_name(a.code()))).collect();
        c.banks = qianzhang_core::bank::bank_accounts(&chart);
    }
    if wanted.fund {
        c.funds = qianzhang_app::month::funds(ledger)?.into_iter().map(|(f, _)| f.name).collect();
    }
    if wanted.person {
        c.people = qianzhang_app::people::registry(ledger)?.people().map(str::to_string).collect();
    }
    Ok(c)
}

/// The lists the forms' inputs pick from (`<datalist>`: typing searches
/// code and name; anything may still be typed).
fn datalists(c: &Choices) -> Markup {
    html! {
        @if !c.accounts.is_empty() {
            datalist #accounts {
                @for (code, name) in &c.accounts { option value=(code) label=(format!("{code} {name}")) {} }
            }
        }
        @if !c.funds.is_empty() { datalist #funds { @for f in &c.funds { option value=(f) {} } } }
        @if !c.people.is_empty() { datalist #people { @for p in &c.people { option value=(p) {} } } }
    }
}

/// A report's small form, filled with `ask`.
fn report_form(ledger: &str, sheet: Sheet, ask: &Ask, c: &Choices, month_default: Option<Period>) -> Markup {
    let i = sheet.inputs();
    let v = |x: &Option<String>| x.clone().unwrap_or_default();
    let month = ask.month.clone().or_else(|| month_default.map(|m| m.to_string())).unwrap_or_default();
    html! {
        form.report method="get" action=(ledger_url(ledger, &format!("/reports/{}", sheet.slug()))) {
            @if i.person {
                label { "人员 " input type="text" name="name" value=(v(&ask.name)) list="people" required autocomplete="off"; }
            }
            @if i.account {
                label { "科目 " input.acct type="text" name="account" value=(v(&ask.account)) list="accounts"
                    placeholder="编码或名称" required autocomplete="off"; }
            }
            @if i.bank && c.banks.len() > 1 {
                label { "银行账户 "
                    select name="account" {
                        @for (code, name) in &c.banks {
                            option value=(code) selected[ask.account.as_deref() == Some(code.as_str())] { (code) " " (name) }
                        }
                    }
                }
            }
            @if i.range || i.month {
                label { "月份 " input type="month" name="month" value=(month) placeholder="YYYY-MM" required[i.month]; }
            }
            @if i.range {
                label { "或 自 " input type="month" name="from" value=(v(&ask.from)) placeholder="YYYY-MM"; }
                label { "至 " input type="month" name="to" value=(v(&ask.to)) placeholder="YYYY-MM"; }
            }
            @if i.days {
                label { "自 " input type="text" name="from" value=(v(&ask.from)) placeholder="2025-01 或 2025-01-05"; }
                label { "至 " input type="text" name="to" value=(v(&ask.to)) placeholder="默认今天"; }
            }
            @if i.fund && !c.funds.is_empty() {
                label { "专项资金 " input type="text" name="fund" value=(v(&ask.fund)) list="funds" placeholder="全部"; }
            }
            @if i.date {
                label { "盘点日期 " input type="date" name="date" value=(v(&ask.date)); }
            }
            button type="submit" { "查看" }
        }
    }
}

/// `GET /l/{ledger}/reports`: every report with its small form.
async fn index(AxState(state): AxState<Arc<State>>, officer: Officer, Path(ledger): Path<String>) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), ledger.clone());
    let every = Inputs { account: true, bank: true, fund: true, person: true, ..Inputs::default() };
    let c = match run(move || choices(&*st.ledger(&l)?, every)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let last_month = Period::of(state.now().date()).prev();
    let ask = Ask::default();
    let groups: [(&str, &[Sheet]); 6] = [
        ("账簿", &SHEETS[0..5]),
        ("会计报表", &SHEETS[5..8]),
        ("专项资金", &SHEETS[8..9]),
        ("月末", &SHEETS[9..11]),
        ("审计", &SHEETS[11..13]),
        ("基础资料", &SHEETS[13..16]),
    ];
    let body = html! {
        h1 { "账表" }
        p.hint { "每张账表都可以在页面上查看，也可以下载 Excel、CSV 或打开打印版。月份留空表示全部期间。" }
        (datalists(&c))
        @for (group, sheets) in groups {
            h2 { (group) }
            @for s in sheets.iter().copied() {
                section.report-item {
                    h3 { a href=(ledger_url(&ledger, &format!("/reports/{}", s.slug()))) { (s.title()) } }
                    p.hint { (s.gloss()) }
                    (report_form(&ledger, s, &ask, &c, s.inputs().month.then_some(last_month)))
                }
            }
        }
        h2 { "打印（账页、凭证）" }
        p.hint { "按纸质账簿和记账凭证的格式排版，在浏览器中打印或另存为 PDF。" }
        section.report-item {
            h3 { "记账凭证" }
            form.report method="get" action=(ledger_url(&ledger, "/print/vouchers")) {
                label { "月份 " input type="month" name="month" value=(last_month.to_string()) required; }
                label { "纸张 " select name="paper" { option value="a5" { "A5 横向（凭证纸）" } option value="a4" { "A4 横向" } } }
                button type="submit" { "打印本月凭证" }
            }
        }
        section.report-item {
            h3 { "明细账账页" }
            form.report method="get" action=(ledger_url(&ledger, "/print/ledger")) {
                label { "科目 " input.acct type="text" name="account" list="accounts" placeholder="编码或名称" required autocomplete="off"; }
                label { "自 " input type="month" name="from"; }
                label { "至 " input type="month" name="to"; }
                button type="submit" { "打印" }
            }
        }
        @for (path, title) in [("/print/cash-journal", "现金日记账账页"), ("/print/bank-journal", "银行存款日记账账页")] {
            section.report-item {
                h3 { (title) }
                form.report method="get" action=(ledger_url(&ledger, path)) {
                    label { "自 " input type="month" name="from"; }
                    label { "至 " input type="month" name="to"; }
                    button type="submit" { "打印" }
                }
            }
        }
    };
    page("账表", Some(&o), body).into_response()
}

/// `GET /l/{ledger}/reports/{which}?month=&from=&to=&account=&fund=&date=&name=&format=`.
async fn report(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path((ledger, which)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Some(sheet) = Sheet::from_slug(&which) else { return page::not_found().await };
    let fields = Fields::parse(query.as_deref().unwrap_or("").as_bytes());
    let mut ask = Ask::from_fields(&fields);
    let today = state.now().date();
    // A statement or reconciliation opened without a month shows last month.
    if sheet.inputs().month && ask.month.is_none() && ask.from.is_none() && ask.to.is_none() {
        ask.month = Some(Period::of(today).prev().to_string());
    }
    // A page that needs a name or an account first shows its form.
    let waiting = (sheet.inputs().person && ask.name.is_none()) || (sheet.inputs().account && ask.account.is_none());
    let output = Output::parse(fields.get("format"));
    let print = output.as_ref().is_ok_and(|o| *o == Output::Print);
    let (st, l, a) = (state.clone(), ledger.clone(), ask.clone());
    let answered = run(move || -> Result<_, qianzhang_app::Error> {
        let mut ledger = st.ledger(&l)?;
        let c = choices(&ledger, sheet.inputs())?;
        let shown = (|| {
            let output = output?;
            if waiting && output == Output::Page {
                return Ok(None);
            }
            let (data, name) = build(&mut ledger, sheet, &a, today)?;
            Ok(Some((render(&data, output)?, name)))
        })();
        Ok((c, shown))
    })
    .await;
    let (c, shown, error) = match answered {
        Ok(Ok((c, Ok(shown)))) => (c, shown, None),
        Ok(Ok((c, Err(e)))) => (c, None, Some(e)),
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    match shown {
        Some((Rendered::Xlsx(bytes), name)) => download(bytes, XLSX, &format!("{name}.xlsx")),
        Some((Rendered::Csv(text), name)) => {
            download(text.into_bytes(), "text/csv; charset=utf-8", &format!("{name}.csv"))
        }
        Some((Rendered::Table(table), _)) if print => print_page(sheet, &table),
        shown => {
            let table = shown.and_then(|(r, _)| match r {
                Rendered::Table(t) => Some(t),
                _ => None,
            });
            let status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
            let body = html! {
                h1 { (sheet.title()) }
                p.sub.noprint { a href=(ledger_url(&ledger, "/reports")) { "← 全部账表" } " · " (sheet.gloss()) }
                (datalists(&c))
                (report_form(&ledger, sheet, &ask, &c, None))
                @if let Some(e) = &error { (page::read_refusal(e, Some(o.ledger()))) }
                @if let Some(t) = &table {
                    p.downloads.noprint {
                        "下载："
                        a.button href=(format!("?{}", ask.query(Some("xlsx")))) download { "Excel" } " "
                        a.button href=(format!("?{}", ask.query(Some("csv")))) download { "CSV" } " "
                        a.button href=(format!("?{}", ask.query(Some("print")))) target="_blank" { "打印版" }
                        @if let Some(p) = sheet.printed() {
                            " "
                            a.button href=(format!("{}?{}", ledger_url(&ledger, p), ask.query(None))) target="_blank" { "账页打印" }
                        }
                    }
                    (table_with(t, Some(&ledger), notes_remedy(sheet, &ledger)))
                }
                @if table.is_none() && error.is_none() {
                    p.empty { @if sheet.inputs().person { "请填写人员姓名后查看。" } @else { "请填写科目后查看。" } }
                }
            };
            (status, page(sheet.title(), Some(&o), body)).into_response()
        }
    }
}

/// The status a page showing `e` answers with.
fn status_of(e: &qianzhang_app::Error) -> StatusCode {
    use qianzhang_app::Error;
    use qianzhang_core::backend::BackendError;
    match e {
        Error::Refused { .. } | Error::Usage(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Backend(BackendError::Busy) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A file to save: `filename*` carries the Chinese name (RFC 6266/5987),
/// `filename` an ASCII stand-in for old clients.
pub(crate) fn download(bytes: Vec<u8>, kind: &'static str, name: &str) -> Response {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    // RFC 5987 attr-char: letters, digits and !#$&+-.^_`|~ go as they are.
    const ATTR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let ext = name.rsplit('.').next().unwrap_or("bin");
    let disposition =
        format!("attachment; filename=\"report.{ext}\"; filename*=UTF-8''{}", utf8_percent_encode(name, ATTR));
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The print-ready page of a report: the table alone, on A4 (landscape
/// when it is wide), with the office's print rules.
fn print_page(sheet: Sheet, table: &Table) -> Response {
    let wide = table.headers().len() > 6;
    let markup = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (sheet.title()) " · 钱账" }
                link rel="stylesheet" href="/static/office.css";
                script src="/static/office.js" defer {}
            }
            body.print.wide[wide] {
                main {
                    p.noprint { button type="button" data-print { "打印" } " 或按 Ctrl+P；可在打印对话框中另存为 PDF。" }
                    (table_html(table, None))
                }
            }
        }
    };
    markup.into_response()
}

/// Machine words some workbook tables carry in a cell, as a person reads
/// them.
fn cell_words(header: &str, cell: &str) -> Option<&'static str> {
    Some(match (header, cell) {
        ("kind", "opening") => "期初余额",
        ("kind", "entry") => "发生额",
        ("kind", "day_total") => "本日合计",
        ("kind", "month_total") => "本月合计",
        ("kind", "year_total") => "本年累计",
        ("origin", "entered") => "录入",
        ("origin", "imported") => "导入",
        ("origin", "history") => "历史迁移",
        ("origin", "closing") => "年末结转",
        _ => return None,
    })
}

/// The totals a ledger's rows carry in their summary.
fn is_total_text(cell: &str) -> bool {
    matches!(cell, "合计" | "本日合计" | "本月合计" | "本年累计" | "day_total" | "month_total" | "year_total")
}

/// Any report table as HTML: its title, Chinese headers, amounts
/// right-aligned with thousands separators, total rows bold, notes below.
/// With `ledger`, voucher numbers link to their vouchers.
pub fn table_html(t: &Table, ledger: Option<&str>) -> Markup {
    table_with(t, ledger, None)
}

/// Where on the office a report's notes are put right: the bank
/// reconciliation's (no statement, or one that stops short) at the month
/// end's bank section (BNK-1).
fn notes_remedy(sheet: Sheet, ledger: &str) -> Option<(String, &'static str)> {
    match sheet {
        Sheet::Report(Kind::BankReconciliation) => page::remedy(qianzhang_core::Rule::Bnk1, ledger),
        _ => None,
    }
}

/// [`table_html`] whose notes read as every page's reasons do: the core's
/// words without the command line's advice (`todo::plain`), and where that
/// advice was left out, `remedy`'s link in its place.
fn table_with(t: &Table, ledger: Option<&str>, remedy: Option<(String, &'static str)>) -> Markup {
    let headers = t.chinese_headers();
    let keys: Vec<&str> = t.headers().iter().map(|(h, _)| h.as_str()).collect();
    let types = t.types();
    let numeric: Vec<bool> = types.iter().map(|ty| ty.is_number()).collect();
    let mut lines = t.title().lines();
    let first = lines.next().unwrap_or("");
    let cell = |i: usize, c: &str| -> Markup {
        let key = keys.get(i).copied().unwrap_or("");
        if let Some(words) = cell_words(key, c) {
            return html! { (words) };
        }
        if types.get(i) == Some(&ColumnType::Money) {
            if let Ok(m) = Money::parse(c) {
                return html! { (m.to_string()) };
            }
        }
        if let (Some(l), "voucher" | "凭证号") = (ledger, key) {
            if let Some(r) = VoucherRef::parse(c) {
                return html! { a href=(voucher_url(l, r)) { (c) } };
            }
        }
        html! { (c) }
    };
    html! {
        section.report-table {
            @if !first.is_empty() {
                h2.report-title { (first) }
                @for l in lines { p.sub { (l) } }
            }
            div.scroll {
                table.report {
                    thead {
                        tr { @for (i, h) in headers.iter().enumerate() { th.num[numeric[i]] { (h) } } }
                    }
                    tbody {
                        @for (cells, total) in t.rows() {
                            tr.total[*total || cells.iter().any(|c| is_total_text(c))] {
                                @for (i, c) in cells.iter().enumerate() {
                                    td.num[numeric.get(i) == Some(&true)] { (cell(i, c)) }
                                }
                            }
                        }
                        @if t.rows().is_empty() {
                            tr { td.empty colspan=(headers.len().max(1)) { "没有数据" } }
                        }
                    }
                }
            }
            @for n in t.notes() {
                @let shown = qianzhang_core::todo::plain(n);
                p.note {
                    (shown)
                    @if let Some((href, words)) = remedy.as_ref().filter(|_| shown != *n) { "；" a href=(href) { (words) } }
                }
            }
        }
    }
}
