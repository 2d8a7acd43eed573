//! 街道汇总 (FND-3, 居账街管): the street office's month over the ledgers
//! the officer signed in at — every community's share of the street
//! account, the totals, and the check against the account's statement
//! balance, typed or uploaded. The same `qianzhang_app::street::month` call
//! and the same renderer as `qianzhang street month`.
//!
//! Only the officer's own ledgers are read: a ledger asked for that the
//! officer holds no post in does not exist for them (404). Reading changes
//! nothing, so the typed balance is a GET; an uploaded statement is a POST
//! with the session's CSRF token, and is read, never stored.

use std::sync::Arc;

use axum::extract::{Multipart, RawQuery, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::html;
use qianzhang_app::street::{self as app, Request, Statement};
use qianzhang_app::Error;
use qianzhang_core::street::StreetMonth;
use qianzhang_core::{Period, Rule};
use qianzhang_report::Format;

use crate::auth::{not_found_response, Officer};
use crate::form::Fields;
use crate::page::{self, ledger_url, page, run};
use crate::state::State;

pub fn routes() -> Router<Arc<State>> {
    Router::new().route("/street", get(view).post(upload))
}

/// The path of the street page.
pub const URL: &str = "/street";

/// What the page is asked for.
#[derive(Clone)]
struct Ask {
    month: String,
    /// The ledgers ticked; all of the officer's when none.
    ledgers: Vec<String>,
    balance: String,
    /// Where `balance` was read, when a statement gave it: the download
    /// links after an upload carry the upload's balance and these words.
    source: String,
}

impl Ask {
    fn from(f: &Fields, o: &Officer, today: time::Date) -> Result<Ask, Response> {
        let month = f.get("month").filter(|m| !m.trim().is_empty()).map(str::to_string);
        let mut ledgers: Vec<String> = f.all("ledger").into_iter().map(str::to_string).collect();
        if ledgers.iter().any(|l| !o.ledgers.contains(l)) {
            return Err(not_found_response());
        }
        if ledgers.is_empty() {
            ledgers = o.ledgers.clone();
        }
        Ok(Ask {
            month: month.unwrap_or_else(|| Period::of(today).prev().to_string()),
            ledgers,
            balance: f.get("balance").unwrap_or("").trim().to_string(),
            source: f.get("source").unwrap_or("").trim().to_string(),
        })
    }

    fn period(&self) -> Result<Period, Error> {
        Period::parse(&self.month)
            .map_err(|_| Error::refuse(Rule::Fnd3, format!("月份“{}”无效：请写成 YYYY-MM，例如 2025-03", self.month)))
    }

    /// The ask the download links repeat: after an upload, the balance the
    /// statement gave and where it was read, as a typed balance would be.
    fn for_links(&self, m: &StreetMonth) -> Ask {
        match &m.statement {
            Some(s) if self.balance.is_empty() => {
                Ask { balance: s.balance.to_decimal_string(), source: s.source.clone(), ..self.clone() }
            }
            _ => self.clone(),
        }
    }

    /// The query string of this ask, for the download links.
    fn query(&self, format: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("month", &self.month);
        for l in &self.ledgers {
            q.append_pair("ledger", l);
        }
        if !self.balance.is_empty() {
            q.append_pair("balance", &self.balance);
            if !self.source.is_empty() {
                q.append_pair("source", &self.source);
            }
        }
        q.append_pair("format", format);
        q.finish()
    }
}

/// `GET /street?month=YYYY-MM[&ledger=…][&balance=…[&source=…]][&format=xlsx|csv|md|json|print]`.
async fn view(AxState(state): AxState<Arc<State>>, officer: Officer, RawQuery(query): RawQuery) -> Response {
    let f = Fields::parse(query.as_deref().unwrap_or("").as_bytes());
    let ask = match Ask::from(&f, &officer, state.now().date()) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let format = f.get("format").unwrap_or("").to_string();
    if !matches!(format.as_str(), "" | "html" | "xlsx" | "excel" | "csv" | "md" | "json" | "print") {
        return page::failure(&Error::Usage(format!(
            "不认识的格式“{format}”：可选 xlsx（Excel）、csv、md（Markdown）、json、print（打印版）"
        )));
    }
    let (st, month, ledgers) = (state.clone(), ask.period(), ask.ledgers.clone());
    let (balance, source) = (ask.balance.clone(), ask.source.clone());
    let result = match run(move || {
        let statement = match (balance.is_empty(), source.is_empty()) {
            (true, _) => Statement::None,
            (false, true) => Statement::Balance(qianzhang_core::bank::read_balance(
                &balance,
                qianzhang_core::Rule::Fnd3,
                "街道账户月末余额",
            )?),
            (false, false) => Statement::Carried {
                balance: qianzhang_core::bank::read_balance(&balance, qianzhang_core::Rule::Fnd3, "街道账户月末余额")?,
                source: &source,
            },
        };
        read(&st, month?, &ledgers, statement)
    })
    .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Ok(m) = &result {
        let name = format!("街道代管资金月报-{}", m.month);
        match format.as_str() {
            "xlsx" | "excel" => {
                return match qianzhang_report::xlsx::workbook(&qianzhang_report::street_month(m, Format::Xlsx)) {
                    Ok(bytes) => crate::reports::download(bytes, crate::reports::XLSX, &format!("{name}.xlsx")),
                    Err(e) => page::failure(&Error::Internal(e)),
                };
            }
            "csv" => {
                let text = qianzhang_report::street_month(m, Format::Csv);
                return crate::reports::download(text.into_bytes(), "text/csv; charset=utf-8", &format!("{name}.csv"));
            }
            "md" => {
                let text = qianzhang_report::street_month(m, Format::Markdown);
                return crate::reports::download(
                    text.into_bytes(),
                    "text/markdown; charset=utf-8",
                    &format!("{name}.md"),
                );
            }
            "json" => {
                let text = qianzhang_report::street_month(m, Format::Json);
                return crate::reports::download(text.into_bytes(), "application/json", &format!("{name}.json"));
            }
            "print" => return axum::response::Html(qianzhang_report::street_html(m)).into_response(),
            _ => {}
        }
    }
    render(&officer, &ask, result)
}

/// `POST /street` (multipart): the month checked against an uploaded statement.
async fn upload(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let up = crate::month::read_upload(multipart).await;
    if let Err(r) = officer.check(&up.fields, &headers) {
        return r;
    }
    let ask = match Ask::from(&up.fields, &officer, state.now().date()) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (st, month, ledgers) = (state.clone(), ask.period(), ask.ledgers.clone());
    let crate::month::Upload { file, problem, .. } = up;
    let result = match run(move || {
        if let Some(e) = problem {
            return Err(e);
        }
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return Err(Error::refuse(Rule::Fnd3, "没有收到对账单文件；请选择街道账户的银行对账单（CSV 或 Excel）"));
        };
        read(&st, month?, &ledgers, Statement::Upload { bytes: &bytes, name: &name })
    })
    .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    render(&officer, &ask, result)
}

fn read(state: &State, month: Period, ledgers: &[String], statement: Statement<'_>) -> Result<StreetMonth, Error> {
    let mut store = state.store()?;
    app::month(&mut store, &Request { month, ledgers, account: None, statement })
}

fn render(o: &Officer, ask: &Ask, result: Result<StreetMonth, Error>) -> Response {
    let status = match &result {
        Ok(_) => StatusCode::OK,
        Err(Error::Refused { .. } | Error::Usage(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = html! {
        h1 { "街道代管资金月报" }
        p.sub { "居账街管（FND-3）：各社区在街道账户中的份额、本月收支与合计，并与街道账户的对账单余额核对。" }
        form.street-ask method="get" action=(URL) {
            label { "月份 " input type="month" name="month" value=(ask.month); }
            fieldset.ledgers {
                legend { "社区（账套）" }
                @for l in &o.ledgers {
                    label { input type="checkbox" name="ledger" value=(l) checked[ask.ledgers.contains(l)]; " " (l) }
                }
            }
            label { "街道账户月末余额 " input type="text" name="balance" value=(ask.balance) placeholder="如 12,345.60"; }
            button type="submit" { "查看并核对" }
        }
        form.street-upload method="post" action=(URL) enctype="multipart/form-data" {
            (page::csrf(o))
            input type="hidden" name="month" value=(ask.month);
            @for l in &ask.ledgers { input type="hidden" name="ledger" value=(l); }
            label { "或上传街道账户的银行对账单 " input type="file" name="file" accept=".csv,.xlsx,text/csv"; }
            button type="submit" { "按对账单核对" }
        }
        @match &result {
            Ok(m) => {
                h2 { (qianzhang_report::street::title(m)) }
                (qianzhang_report::street::section(m))
                @let links = ask.for_links(m);
                p.downloads.noprint {
                    "下载："
                    a.button href=(format!("{URL}?{}", links.query("xlsx"))) download { "Excel" } " "
                    a.button href=(format!("{URL}?{}", links.query("csv"))) download { "CSV" } " "
                    a.button href=(format!("{URL}?{}", links.query("md"))) download { "Markdown" } " "
                    a.button href=(format!("{URL}?{}", links.query("json"))) download { "JSON" } " "
                    a.button href=(format!("{URL}?{}", links.query("print"))) target="_blank" { "打印版" }
                }
                (ledger_links(o, m))
            }
            Err(e) => (page::read_refusal(e, None)),
        }
    };
    (status, page("街道汇总", Some(o), body)).into_response()
}

/// Each community of the month the officer holds a post in, with the way
/// to its books: 待办, 账表, and the month's 月末 and vouchers.
fn ledger_links(o: &Officer, m: &StreetMonth) -> maud::Markup {
    let open: Vec<&str> =
        m.rows.iter().map(|r| r.ledger.as_str()).filter(|l| o.ledgers.iter().any(|x| x == l)).collect();
    html! {
        @if !open.is_empty() {
            h3.noprint { "各社区账簿" }
            table.street-ledgers.noprint {
                tbody {
                    @for l in open {
                        tr {
                            td { (l) }
                            td.go {
                                a href=(ledger_url(l, "")) { "待办" } " · "
                                a href=(ledger_url(l, "/reports")) { "账表" } " · "
                                a href=(ledger_url(l, &format!("/month?month={}", m.month))) { (m.month) " 月末" } " · "
                                a href=(ledger_url(l, &format!("/vouchers?month={}", m.month))) { (m.month) " 凭证" }
                            }
                        }
                    }
                }
            }
        }
    }
}
