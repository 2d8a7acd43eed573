//! The office's standing records: authorizations and their remaining caps
//! (APR-2, SEP-6, FND-2), receipt books and receipts (RCP-1, RCP-2),
//! settings and the calendar (APR-4, CSH-4, CSH-5, PER-1 …).

use std::sync::Arc;

use axum::extract::{Path, Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use qianzhang_app::office;
use qianzhang_core::approval::{AuthKind, Authorization, StandAside};
use qianzhang_core::calendar::{DayKind, MarkedDay};
use qianzhang_core::collection::Decision;
use qianzhang_core::people::Role;
use qianzhang_core::period::format_date;
use qianzhang_core::receipts::{describe_book, ReceiptBook, ReceiptState};
use qianzhang_core::Rule;

use super::{answer, date_field, named, number_field, options_shown, read_only, roles_of, Said};
use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, csrf, ledger_url, run};
use crate::state::State;

/// The posts the signed-in person holds today at the ledger.
async fn roles(state: &Arc<State>, o: &Officer) -> Result<Vec<Role>, Response> {
    let (st, l, who) = (state.clone(), o.ledger().to_string(), o.person.clone());
    let today = state.now().date();
    match run(move || qianzhang_app::people::registry(&*st.ledger(&l)?)).await {
        Ok(Ok(r)) => Ok(roles_of(&r, &who, today)),
        Ok(Err(e)) => Err(page::failure(&e)),
        Err(r) => Err(r),
    }
}

/// Runs the officer's checks for a form post: the ledger, then the token.
fn checked(officer: Officer, ledger: &str, fields: &Fields, headers: &HeaderMap) -> Result<Officer, Response> {
    let o = officer.at(ledger)?;
    o.check(fields, headers)?;
    Ok(o)
}

/// `GET /l/{ledger}/admin/authorizations`.
pub async fn authorizations_page(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    authorizations(&state, &o, Said::default()).await
}

async fn authorizations(state: &Arc<State>, o: &Officer, said: Said) -> Response {
    let roles = match roles(state, o).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    let items = match run(move || office::authorizations(&*st.ledger(&l)?)).await {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let admin = roles.contains(&Role::Admin);
    let v = |n: &str| said.value("add", n);
    let body = html! {
        h1 { "审批依据" }
        p.hint { "支出凭证引用的两委会议决议、街道/镇政府批复或居民会议决议；每项依据的支出合计不得超过限额（APR-2）。" }
        @if items.is_empty() { p.empty { "还没有登记审批依据。" } }
        @else {
            table.authorizations {
                thead { tr { th { "文号" } th { "类别" } th { "日期" } th { "事项" } th.num { "限额" } th.num { "已支出" } th.num { "余额" } th { "说明" } } }
                tbody {
                    @for u in &items {
                        @let a = &u.authorization;
                        @let left = a.cap - u.used;
                        tr {
                            td { (a.number) }
                            td { (a.kind.chinese()) }
                            td { (format_date(a.date)) }
                            td { (a.scope) }
                            td.num { (a.cap.to_yuan()) }
                            td.num { (u.used.to_yuan()) }
                            td.num { span.warn[left.fen() <= 0] { (left.to_yuan()) } }
                            td {
                                @if let Some(s) = &a.stand_aside {
                                    "审批人回避（SEP-6）：收款人 " (s.payee) "，" (s.withdrawn.join("、")) " 回避，由 " (s.deputy) " 代为审批"
                                }
                                @if let Some(d) = &a.decision { (d.fund) "：" (d.describe()) }
                            }
                        }
                    }
                }
            }
        }
        @if admin {
            section.actions.noprint {
                h2 #add { "登记审批依据" }
                (said.beside("add"))
                form method="post" action=(ledger_url(o.ledger(), "/admin/authorizations/add")) {
                    (csrf(o))
                    label { "类别 " select name="kind" { (options_shown::<AuthKind>(&v("kind"), |n| n.value.chinese())) } }
                    label { "文号 " input type="text" name="number" value=(v("number")) required; }
                    label { "日期 " input type="date" name="date" value=(v("date")) required; }
                    label { "事项范围 " input type="text" name="scope" value=(v("scope")) required; }
                    label { "限额（元）" input.amount type="text" name="cap" value=(v("cap")) required; }
                    fieldset {
                        legend { "审批人回避（SEP-6，仅两委决议，可不填）" }
                        label { "收款人 " input type="text" name="payee" value=(v("payee")); }
                        label { "代签人 " input type="text" name="deputy" value=(v("deputy")); }
                        label { "回避的人（用顿号分隔）" input type="text" name="withdrawn" value=(v("withdrawn")); }
                    }
                    fieldset {
                        legend { "居民会议/议事会决议（FND-2，动用居民筹资时填写）" }
                        label { "专项资金 " input type="text" name="fund" value=(v("fund")); }
                        label { "到会人数 " input type="number" min="0" name="attendance" value=(v("attendance")); }
                        label { "同意 " input type="number" min="0" name="for" value=(v("for")); }
                        label { "反对 " input type="number" min="0" name="against" value=(v("against")); }
                    }
                    button.primary type="submit" { "登记" }
                }
            }
        } @else {
            (said.beside("add"))
            (read_only(Role::Admin))
        }
    };
    answer(o, "审批依据", &said, body)
}

/// `POST /l/{ledger}/admin/authorizations/add`.
pub async fn record(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    fields: Fields,
) -> Response {
    let o = match checked(officer, &ledger, &fields, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, who, l, f) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone());
    let outcome = run(move || -> Result<String, qianzhang_app::Error> {
        let number = f.text("number").trim().to_string();
        st.act(&who, &l, &format!("auth add --number {number}"), |s| {
            let kind: AuthKind = named(&f, "kind", "审批依据类别", Rule::Apr2)?;
            let date = date_field(&f, "date", "日期", Rule::Apr2)?
                .ok_or_else(|| qianzhang_app::Error::refuse(Rule::Apr2, "审批依据须写明日期"))?;
            let cap = qianzhang_app::amount(f.text("cap"), "限额")?;
            let stand_aside = f.get("payee").map(|payee| StandAside {
                payee: payee.to_string(),
                deputy: f.text("deputy").trim().to_string(),
                withdrawn: f
                    .text("withdrawn")
                    .split(['、', ',', '，', ' '])
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
            let decision = match f.get("fund") {
                None => None,
                Some(fund) => Some(Decision {
                    fund: fund.to_string(),
                    attendance: number_field(&f, "attendance", "到会人数", Rule::Fnd2)?,
                    votes_for: number_field(&f, "for", "同意票数", Rule::Fnd2)?,
                    against: number_field(&f, "against", "反对票数", Rule::Fnd2)?,
                }),
            };
            let a = Authorization {
                number: number.clone(),
                kind,
                date,
                scope: f.text("scope").to_string(),
                cap,
                stand_aside,
                decision,
            };
            let mut text = format!("已登记审批依据 {a}，限额 {}", a.cap.to_yuan());
            if let Some(s) = &a.stand_aside {
                text.push_str(&format!(
                    "；收款人 {}，{} 回避，由 {} 代为审批",
                    s.payee,
                    s.withdrawn.join("、"),
                    s.deputy
                ));
            }
            if let Some(d) = &a.decision {
                text.push_str(&format!("；{}：{}", d.fund, d.describe()));
            }
            office::record(s, a)?;
            Ok(text)
        })
    })
    .await;
    match outcome {
        Ok(outcome) => authorizations(&state, &o, Said::new("add", fields, outcome)).await,
        Err(r) => r,
    }
}

/// `GET /l/{ledger}/admin/receipts`.
pub async fn receipts_page(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    receipts(&state, &o, Said::default()).await
}

async fn receipts(state: &Arc<State>, o: &Officer, said: Said) -> Response {
    let roles = match roles(state, o).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    let (books, used) = match run(move || office::receipts(&*st.ledger(&l)?)).await {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let today = format_date(state.now().date());
    let action = |a: &str| ledger_url(o.ledger(), &format!("/admin/receipts/{a}"));
    let book_select = |form: &str| {
        let chosen = said.value(form, "book");
        html! { select name="book" required { @for b in &books { option value=(b.book) selected[chosen == b.book] { (b.book) } } } }
    };
    let body = html! {
        h1 { "收据" }
        p.hint { "收据按本登记，连续编号开具；开错的收据作废留存，不得撕毁（RCP-1、RCP-2）。" }
        @if books.is_empty() { p.empty { "还没有登记收据本。" } }
        @for b in &books {
            @let mine: Vec<_> = used.iter().filter(|r| r.book == b.book).collect();
            @let voided = mine.iter().filter(|r| matches!(r.state, ReceiptState::Voided { .. })).count();
            h2 { (describe_book(b)) }
            p.sub {
                "已用 " (mine.len() - voided) " 张，作废 " (voided) " 张，未用 "
                ((b.last - b.first + 1) as usize - mine.len()) " 张"
            }
            @if !mine.is_empty() {
                table.receipts {
                    thead { tr { th { "收据号" } th { "状态" } th { "交款人/原因" } th { "日期" } th.num { "金额" } } }
                    tbody {
                        @for r in &mine {
                            tr {
                                td { (b.number(r.serial)) }
                                @match &r.state {
                                    ReceiptState::Issued { payer, amount, date } => {
                                        td { "已用" } td { (payer) } td { (format_date(*date)) } td.num { (amount.to_yuan()) }
                                    }
                                    ReceiptState::Voided { reason } => {
                                        td.warn { "作废" } td { (reason) } td {} td.num {}
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if roles.contains(&Role::Cashier) && !books.is_empty() {
            section.actions.noprint {
                h2 #issue { "开具收据" }
                (said.beside("issue"))
                form method="post" action=(action("issue")) {
                    (csrf(o))
                    label { "收据本 " (book_select("issue")) }
                    label { "交款人 " input type="text" name="payer" value=(said.value("issue", "payer")) required; }
                    label { "金额（元）" input.amount type="text" name="amount" value=(said.value("issue", "amount")) required; }
                    label { "日期 " input type="date" name="date" value=(said.value_or("issue", "date", &today)); }
                    button.primary type="submit" { "开具" }
                }
                h2 #void { "作废收据" }
                (said.beside("void"))
                form method="post" action=(action("void")) {
                    (csrf(o))
                    label { "收据本 " (book_select("void")) }
                    label { "序号 " input type="number" min="0" name="serial" value=(said.value("void", "serial")) required; }
                    label { "原因 " input type="text" name="reason" value=(said.value("void", "reason")) required; }
                    button type="submit" { "作废" }
                }
            }
        } @else {
            (said.beside("issue")) (said.beside("void"))
            @if !books.is_empty() { (read_only(Role::Cashier)) }
        }
        @if roles.contains(&Role::Admin) {
            section.actions.noprint {
                h2 #book { "登记收据本" }
                (said.beside("book"))
                form method="post" action=(action("book")) {
                    (csrf(o))
                    label { "字头 " input type="text" name="book" value=(said.value("book", "book")) placeholder="如 SJ" required; }
                    label { "起始序号 " input type="number" min="0" name="from" value=(said.value("book", "from")) required; }
                    label { "终止序号 " input type="number" min="0" name="to" value=(said.value("book", "to")) required; }
                    label { "领用人 " input type="text" name="holder" value=(said.value("book", "holder")) required; }
                    label { "领用日期 " input type="date" name="date" value=(said.value_or("book", "date", &today)); }
                    button type="submit" { "登记" }
                }
            }
        } @else {
            (said.beside("book"))
            (read_only(Role::Admin))
        }
    };
    answer(o, "收据", &said, body)
}

/// `POST /l/{ledger}/admin/receipts/{book|issue|void}`.
pub async fn receipts_act(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path((ledger, action)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let o = match checked(officer, &ledger, &fields, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if !["book", "issue", "void"].contains(&action.as_str()) {
        return page::not_found().await;
    }
    let (st, who, l, f, a) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone(), action.clone());
    let outcome = run(move || -> Result<String, qianzhang_app::Error> {
        let book = f.text("book").trim().to_string();
        match a.as_str() {
            "book" => st.act(&who, &l, &format!("receipt book {book}"), |s| {
                let b = ReceiptBook {
                    book: book.clone(),
                    first: number_field(&f, "from", "起始序号", Rule::Rcp1)?,
                    last: number_field(&f, "to", "终止序号", Rule::Rcp1)?,
                    date: date_field(&f, "date", "领用日期", Rule::Rcp1)?.unwrap_or(s.today()),
                    holder: f.text("holder").trim().to_string(),
                };
                let text = format!("已登记{}", describe_book(&b));
                office::register_book(s, b)?;
                Ok(text)
            }),
            "issue" => st.act(&who, &l, &format!("receipt issue {book}"), |s| {
                let payer = f.text("payer").trim().to_string();
                let amount = qianzhang_app::amount(f.text("amount"), "收据")?;
                let date = date_field(&f, "date", "日期", Rule::Rcp1)?;
                let number = office::issue(s, &book, &payer, amount, date)?;
                Ok(format!(
                    "已开出收据 {number}：交款人 {payer}，{}（{}）",
                    amount.to_yuan(),
                    amount.to_chinese_words()
                ))
            }),
            _ => st.act(&who, &l, &format!("receipt void {book}"), |s| {
                let serial = number_field(&f, "serial", "序号", Rule::Rcp2)?;
                let reason = f.text("reason").trim().to_string();
                office::void(s, &book, serial, &reason)?;
                Ok(format!("已作废收据 {book}{serial:07}（{reason}），留存备查"))
            }),
        }
    })
    .await;
    match outcome {
        Ok(outcome) => receipts(&state, &o, Said::new(&action, fields, outcome)).await,
        Err(r) => r,
    }
}

/// `GET /l/{ledger}/admin/settings`.
pub async fn settings_page(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    settings(&state, &o, Said::default(), q.year).await
}

#[derive(serde::Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

/// The settings, and the calendar of `year` (default this year).
async fn settings(state: &Arc<State>, o: &Officer, said: Said, year: Option<i32>) -> Response {
    let roles = match roles(state, o).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    let settings = match run(move || office::settings(&*st.ledger(&l)?)).await {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let admin = roles.contains(&Role::Admin);
    let today = state.now().date();
    let year = year.filter(|y| (1900..=9999).contains(y)).unwrap_or(today.year());
    let days = settings.calendar.year(year);
    let action = |a: &str| ledger_url(o.ledger(), &format!("/admin/settings/{a}"));
    const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    let body = html! {
        h1 { "设置" }
        (said.beside("set"))
        table.settings {
            thead { tr { th { "设置" } th { "当前值" } th { "键名" } @if admin { th.noprint { "修改" } } } }
            tbody {
                @for key in office::SETTING_KEYS {
                    tr {
                        td { (key.chinese()) }
                        td { (settings.get(key)) }
                        td { code { (key.as_str()) } }
                        @if admin {
                            td.noprint {
                                form.inline method="post" action=(action("set")) {
                                    (csrf(o))
                                    input type="hidden" name="key" value=(key.as_str());
                                    @let typed = if said.typed.text("key") == key.as_str() { said.value("set", "value") } else { String::new() };
                                    input type="text" name="value" value=(if typed.is_empty() { settings.get(key) } else { typed }) required;
                                    button type="submit" { "保存" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !admin { (read_only(Role::Admin)) }
        h2 #calendar { (year) " 年节假日与调休上班日" }
        form.inline.noprint method="get" action=(ledger_url(o.ledger(), "/admin/settings")) {
            label { "年份 " input type="number" name="year" min="1900" max="9999" value=(year); }
            button type="submit" { "查看" }
        }
        @if !qianzhang_core::calendar::OFFICIAL_YEARS.contains(&year) {
            p.warn { (year) " 年的国务院办公厅节假日安排未内置：请逐日登记，否则只按周六、周日休息计算工作日。" }
        }
        p.hint { "工作日按国务院办公厅的放假通知计算（结账期限、现金送存期限都按工作日算，PER-1、CSH-5）；通知未内置的年份或本地另有安排时，在这里逐日登记。" }
        (said.beside("day"))
        @if days.is_empty() { p.empty { "没有节假日或调休上班日。" } }
        @else {
            table.calendar {
                thead { tr { th { "日期" } th { "星期" } th { "安排" } th { "名称" } th { "来源" } } }
                tbody {
                    @for (day, own) in &days {
                        tr {
                            td { (format_date(day.date)) }
                            td { (WEEKDAYS[day.date.weekday().number_days_from_monday() as usize]) }
                            td { (day.kind.chinese()) }
                            td { (day.name) }
                            td { @if *own { "本账套" } @else { "国务院办公厅通知" } }
                        }
                    }
                }
            }
        }
        @if admin {
            form method="post" action=(action("day")) {
                (csrf(o))
                label { "日期 " input type="date" name="date" value=(said.value("day", "date")) required; }
                label { "定为 "
                    select name="kind" {
                        option value="holiday" selected[said.value("day", "kind") != "workday"] { "放假" }
                        option value="workday" selected[said.value("day", "kind") == "workday"] { "调休上班" }
                    }
                }
                label { "名称（可不填）" input type="text" name="name" value=(said.value("day", "name")) placeholder="如 春节"; }
                button type="submit" { "登记" }
            }
        }
    };
    answer(o, "设置", &said, body)
}

/// `POST /l/{ledger}/admin/settings/{set|day}`.
pub async fn settings_act(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path((ledger, action)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let o = match checked(officer, &ledger, &fields, &headers) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if !["set", "day"].contains(&action.as_str()) {
        return page::not_found().await;
    }
    let (st, who, l, f, a) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone(), action.clone());
    let outcome = run(move || -> Result<String, qianzhang_app::Error> {
        if a == "set" {
            let key = f.text("key").trim().to_string();
            st.act(&who, &l, &format!("settings set {key}"), |s| {
                let key = office::setting_key(&key)?;
                let value = office::set(s, key, f.text("value"))?;
                Ok(format!("已将{}设为 {value}", key.chinese()))
            })
        } else {
            let kind = if f.text("kind") == "workday" { DayKind::Workday } else { DayKind::Holiday };
            let verb = if kind == DayKind::Holiday { "holiday" } else { "workday" };
            st.act(&who, &l, &format!("settings {verb} add"), |s| {
                let date = date_field(&f, "date", "日期", Rule::Per1)?
                    .ok_or_else(|| qianzhang_app::Error::refuse(Rule::Per1, "请写明日期"))?;
                let name = f
                    .get("name")
                    .map(str::to_string)
                    .unwrap_or_else(|| if kind == DayKind::Holiday { "放假" } else { "调休上班" }.into());
                let day = MarkedDay { date, kind, name };
                let text = format!("已将 {} 定为{}日（{}）", format_date(day.date), kind.chinese(), day.name.trim());
                office::mark_day(s, day)?;
                Ok(text)
            })
        }
    })
    .await;
    match outcome {
        Ok(outcome) => {
            let year = fields.get("date").and_then(|d| qianzhang_core::period::parse_date(d).ok()).map(|d| d.year());
            settings(&state, &o, Said::new(&action, fields, outcome), year).await
        }
        Err(r) => r,
    }
}
