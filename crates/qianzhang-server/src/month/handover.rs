//! The handover (离任交接, HND-1): the form naming the five parties, the
//! handover report as tables (and as an Excel download), and recording the
//! handover (`handover`, `handover complete`).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use qianzhang_app::audit::{self as app, Parties};
use qianzhang_app::Error;
use qianzhang_core::names::Named;
use qianzhang_core::people::Role;
use qianzhang_core::Rule;
use qianzhang_report::{Align, Format, Table};

use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, csrf, ledger_url, page, refusal, run};
use crate::state::State;

pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/l/{ledger}/handover", get(show))
        .route("/l/{ledger}/handover/xlsx", get(xlsx))
        .route("/l/{ledger}/handover/complete", post(complete))
}

const ROLES: [Role; 6] = [Role::Accountant, Role::Cashier, Role::Reviewer, Role::Approver, Role::Auditor, Role::Admin];
const FIELDS: [&str; 5] = ["officer", "role", "date", "to", "supervisor"];

/// The parties as typed (`None`: nothing typed yet).
fn parties(f: &Fields) -> Option<Result<Parties, Error>> {
    if FIELDS.iter().all(|n| f.get(n).is_none()) {
        return None;
    }
    let role = match f.get("role") {
        None => None,
        Some(r) => match Role::from_name(r) {
            Some(r) => Some(r),
            None => return Some(Err(Error::refuse(Rule::Hnd1, format!("岗位“{r}”无法识别；请从列表中选择")))),
        },
    };
    let date = match f.get("date") {
        None => None,
        Some(d) => match qianzhang_core::period::parse_date(d) {
            Ok(d) => Some(d),
            Err(e) => return Some(Err(Error::refuse(Rule::Hnd1, format!("交接日期“{d}”无法识别：{e}")))),
        },
    };
    Some(Parties::new(f.get("officer"), role, date, f.get("to"), f.get("supervisor")).map_err(|e| match e {
        // The web form names its fields, not the command's flags.
        Error::Refused { .. } => {
            Error::refuse(Rule::Hnd1, "交接须填写移交人、岗位、交接日期、接交人、监交人，缺一不可")
        }
        other => other,
    }))
}

fn query_fields(q: Option<String>) -> Fields {
    Fields::parse(q.unwrap_or_default().as_bytes())
}

/// `GET /l/{ledger}/handover[?officer=…&role=…&date=…&to=…&supervisor=…]`:
/// the form, and the report once the parties are named.
async fn show(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    handover_page(&state, &o, query_fields(q), None).await
}

async fn handover_page(state: &Arc<State>, o: &Officer, f: Fields, done: Option<Result<String, Error>>) -> Response {
    let asked = parties(&f);
    let (st, l) = (state.clone(), o.ledger().to_string());
    let report = match asked {
        None => None,
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(p)) => match run(move || app::handover(&mut *st.ledger(&l)?, &p)).await {
            Ok(r) => Some(r),
            Err(resp) => return resp,
        },
    };
    let refused = matches!(report, Some(Err(_))) || matches!(done, Some(Err(_)));
    let ledger = o.ledger();
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(FIELDS.iter().map(|n| (*n, f.text(n).trim())))
        .finish();
    let today = state.now().date().to_string();
    let date = match f.text("date").trim() {
        "" => today,
        d => d.to_string(),
    };
    let body = html! {
        h1 { "离任交接（HND-1）" }
        p.hint { "会计、出纳等离任时，须在监交人监督下办理交接：科目余额、现金、银行对账、借款、收据、未记账凭证、未结账月份、任期内经手的凭证和例外事项，逐项列明，一式三份签字。" }
        form method="get" action=(ledger_url(ledger, "/handover")) {
            label { "移交人 " input type="text" name="officer" required value=(f.text("officer")); }
            label { "岗位 "
                select name="role" {
                    @for r in ROLES {
                        option value=(r.name()) selected[Role::from_name(f.text("role")) == Some(r)] { (r.chinese()) }
                    }
                }
            }
            label { "交接日期 " input type="date" name="date" required value=(date); }
            label { "接交人 " input type="text" name="to" required value=(f.text("to")); }
            label { "监交人 " input type="text" name="supervisor" required value=(f.text("supervisor")); }
            button.primary type="submit" { "生成交接清册" }
        }
        @match &report {
            None => {}
            Some(Err(e)) => (refusal(e, Some(o.ledger()))),
            Some(Ok(h)) => {
                @let (title, tables, footer) = qianzhang_report::handover_parts(h);
                p.noprint {
                    a.button href=(ledger_url(ledger, &format!("/handover/xlsx?{query}"))) { "下载 Excel" }
                }
                h2 { (title) }
                @for t in &tables { (table(t)) }
                div.sign {
                    @for l in &footer { p { (l) } }
                }
                section.actions.noprint {
                    h2 { "记录交接" }
                    p.hint { "由管理员在交接完成后记录：移交人的任职于交接日结束，接交人自交接日起任职。" }
                    form method="post" action=(ledger_url(ledger, "/handover/complete")) {
                        (csrf(o))
                        @for n in FIELDS { input type="hidden" name=(n) value=(f.text(n).trim()); }
                        button.primary type="submit" { "完成交接" }
                    }
                }
            }
        }
        @match &done {
            Some(Ok(n)) => (page::done(n)),
            Some(Err(e)) => (refusal(e, Some(o.ledger()))),
            None => {}
        }
    };
    let mut res = page("离任交接", Some(o), body).into_response();
    if refused {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// A report table as HTML.
fn table(t: &Table) -> Markup {
    let headers = t.chinese_headers();
    let right: Vec<bool> = t.headers().iter().map(|(_, a)| *a == Align::Right).collect();
    html! {
        h3 { (t.title()) }
        div.scroll {
            table {
                thead { tr { @for (i, h) in headers.iter().enumerate() { th.num[right[i]] { (h) } } } }
                tbody {
                    @for (cells, total) in t.rows() {
                        tr.total[*total] {
                            @for (i, c) in cells.iter().enumerate() {
                                td.num[right.get(i).copied().unwrap_or(false)] { (c) }
                            }
                        }
                    }
                }
            }
        }
        @for n in t.notes() { p.hint { (n) } }
    }
}

/// `GET …/handover/xlsx?…`: the report as an Excel workbook.
async fn xlsx(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let f = query_fields(q);
    let p = match parties(&f) {
        Some(Ok(p)) => p,
        _ => return handover_page(&state, &o, f, None).await,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    let made = run(move || {
        let h = app::handover(&mut *st.ledger(&l)?, &p)?;
        qianzhang_report::xlsx::workbook(&qianzhang_report::handover(&h, Format::Xlsx)).map_err(Error::Internal)
    })
    .await;
    match made {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"handover.xlsx\""),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(_)) => handover_page(&state, &o, f, None).await,
        Err(r) => r,
    }
}

/// `POST …/handover/complete`: `handover complete --officer … --role … --date … --to … --supervisor …`.
async fn complete(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    let (st, who, l, f) = (state.clone(), o.person.clone(), o.ledger().to_string(), fields.clone());
    let done = run(move || {
        let p = parties(&f).unwrap_or_else(|| {
            Err(Error::refuse(Rule::Hnd1, "交接须填写移交人、岗位、交接日期、接交人、监交人，缺一不可"))
        })?;
        let command = format!("handover complete --officer {} --role {} --to {}", p.officer, p.role.name(), p.to);
        st.act(&who, &l, &command, |s| app::complete(s, &p))?;
        Ok(format!(
            "已记录交接：{} 起 {} 的{}工作由 {} 接任，监交人 {}。",
            qianzhang_core::period::format_date(p.date),
            p.officer,
            p.role.chinese(),
            p.to,
            p.supervisor
        ))
    })
    .await;
    match done {
        Ok(d) => handover_page(&state, &o, fields, Some(d)).await,
        Err(r) => r,
    }
}
