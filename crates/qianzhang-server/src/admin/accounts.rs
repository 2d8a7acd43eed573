//! The chart of accounts (ACC-1, ACC-2): list, add, rename, close, and a
//! chart file imported all or none.

use std::sync::Arc;

use axum::extract::{Multipart, Path, State as AxState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::html;
use qianzhang_app::accounts;
use qianzhang_core::account::AccountKind;
use qianzhang_core::names::Named;
use qianzhang_core::people::Role;
use qianzhang_core::period::format_date;
use qianzhang_core::{NewAccount, Rule};

use super::{answer, date_field, read_only, roles_of, Said};
use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, csrf, ledger_url, run};
use crate::state::State;

/// `GET /l/{ledger}/admin/accounts`.
pub async fn page(AxState(state): AxState<Arc<State>>, officer: Officer, Path(ledger): Path<String>) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    chart_page(&state, &o, Said::default()).await
}

async fn chart_page(state: &Arc<State>, o: &Officer, said: Said) -> Response {
    let (st, l) = (state.clone(), o.ledger().to_string());
    let today = state.now().date();
    let read = run(move || -> Result<_, qianzhang_app::Error> {
        let ledger = st.ledger(&l)?;
        Ok((accounts::chart(&ledger)?, qianzhang_app::people::registry(&ledger)?))
    })
    .await;
    let (chart, registry) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let admin = roles_of(&registry, &o.person, today).contains(&Role::Admin);
    let ledger = o.ledger();
    let action = |a: &str| ledger_url(ledger, &format!("/admin/accounts/{a}"));
    let body = html! {
        h1 { "会计科目" }
        p.sub { "共 " (chart.len()) " 个科目" }
        @if admin {
            section.actions.noprint {
                h2 #add { "增设科目" }
                p.hint { "明细科目的编码以上级科目编码开头（如 660201 在 6602 之下），类别随上级；一级科目须选类别（ACC-1）。" }
                (said.beside("add"))
                form method="post" action=(action("add")) {
                    (csrf(o))
                    label { "科目编码 " input type="text" name="code" value=(said.value("add", "code")) required; }
                    label { "科目名称 " input type="text" name="name" value=(said.value("add", "name")) required; }
                    label { "类别 "
                        select name="kind" {
                            option value="" { "（随上级科目）" }
                            @for n in AccountKind::ALL {
                                option value=(n.name) selected[said.value("add", "kind") == n.name] { (n.value.chinese()) }
                            }
                        }
                    }
                    label { "启用日期（可不填）" input type="date" name="opened" value=(said.value("add", "opened")); }
                    button.primary type="submit" { "增设" }
                }
                h2 #rename { "更名" }
                p.hint { "编码不变，已有凭证仍记在该科目。" }
                (said.beside("rename"))
                form method="post" action=(action("rename")) {
                    (csrf(o))
                    label { "科目编码 " input type="text" name="code" value=(said.value("rename", "code")) required; }
                    label { "新名称 " input type="text" name="name" value=(said.value("rename", "name")) required; }
                    button type="submit" { "更名" }
                }
                h2 #close { "停用" }
                p.hint { "余额为零的科目才能停用；停用日起不再记账（ACC-2）。" }
                (said.beside("close"))
                form method="post" action=(action("close")) {
                    (csrf(o))
                    label { "科目编码 " input type="text" name="code" value=(said.value("close", "code")) required; }
                    label { "停用日期 " input type="date" name="date" value=(said.value_or("close", "date", &format_date(today))); }
                    button type="submit" { "停用" }
                }
                h2 #import { "导入科目文件" }
                p.hint { "CSV（UTF-8 或 GBK）或 Excel .xlsx，列为 科目编码、科目名称，可加 类别；全部无误才导入，有错的行逐一列出（ACC-1）。" }
                (said.beside("import"))
                form method="post" action=(action("import")) enctype="multipart/form-data" {
                    (csrf(o))
                    label { "文件 " input type="file" name="file" accept=".csv,.xlsx,text/csv" required; }
                    label { "工作表（可不填）" input type="text" name="sheet" value=(said.value("import", "sheet")); }
                    button type="submit" { "导入" }
                }
            }
        } @else {
            (said.beside("add")) (said.beside("rename")) (said.beside("close")) (said.beside("import"))
            (read_only(Role::Admin))
        }
        h2 { "科目表" }
        table.chart {
            thead { tr {
                th { "科目编码" } th { "科目名称" } th { "类别" }
                th { "助记码" }
                th { "启用" } th { "停用" }
            } }
            tbody {
                @for a in chart.iter() {
                    tr.closed[a.closed().is_some_and(|c| c <= today)] {
                        td { (a.code()) }
                        td { ("　".repeat(a.level().saturating_sub(1))) (a.name()) }
                        td { (a.kind().chinese()) }
                        td { (qianzhang_core::account::mnemonic(a.name())) }
                        td { (a.opened().map(format_date).unwrap_or_default()) }
                        td { (a.closed().map(format_date).unwrap_or_default()) }
                    }
                }
            }
        }
    };
    answer(o, "会计科目", &said, body)
}

/// `POST /l/{ledger}/admin/accounts/{add|rename|close}`.
pub async fn act(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path((ledger, action)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    if !["add", "rename", "close"].contains(&action.as_str()) {
        return page::not_found().await;
    }
    let (st, who, l, f, a) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone(), action.clone());
    let outcome = run(move || -> Result<String, qianzhang_app::Error> {
        let code = f.text("code").trim().to_string();
        let name = f.text("name").trim().to_string();
        match a.as_str() {
            "add" => st.act(&who, &l, &format!("account add {code} {name}"), |s| {
                let kind =
                    match f.get("kind") {
                        None => None,
                        Some(k) => Some(AccountKind::from_name(k).ok_or_else(|| {
                            qianzhang_app::Error::refuse(Rule::Acc1, format!("科目类别“{k}”无法识别"))
                        })?),
                    };
                let opened = date_field(&f, "opened", "启用日期", Rule::Acc1)?;
                let account = accounts::add(s, &NewAccount { code: code.clone(), name: name.clone(), kind, opened })?;
                Ok(format!("已增设科目 {} {}（{}）", account.code(), account.name(), account.kind()))
            }),
            "rename" => st.act(&who, &l, &format!("account rename {code} {name}"), |s| {
                accounts::rename(s, &code, &name)?;
                Ok(format!("科目 {code} 已更名为“{name}”；编码不变，已有凭证仍记在该科目"))
            }),
            _ => st.act(&who, &l, &format!("account close {code}"), |s| {
                let date = date_field(&f, "date", "停用日期", Rule::Acc2)?;
                let date = accounts::close(s, &code, date)?;
                Ok(format!("科目 {code} 自 {} 起停用", format_date(date)))
            }),
        }
    })
    .await;
    match outcome {
        Ok(outcome) => chart_page(&state, &o, Said::new(&action, fields, outcome)).await,
        Err(r) => r,
    }
}

/// `POST /l/{ledger}/admin/accounts/import` (multipart): the file is
/// written to a private temporary directory and read from there by the
/// application, as `account import FILE` reads it.
pub async fn import(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut fields = Fields::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut broken = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let file_name = field.file_name().map(str::to_string);
                match field.bytes().await {
                    Ok(bytes) if name == "file" => {
                        file = Some((file_name.unwrap_or_default(), bytes.to_vec()));
                    }
                    Ok(bytes) => fields.0.push((name, String::from_utf8_lossy(&bytes).into_owned())),
                    Err(_) => {
                        broken = true;
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                broken = true;
                break;
            }
        }
    }
    if broken {
        let why =
            "上传的文件太大或不完整，未作任何改动：科目文件不超过 4 MB，Excel 工作簿不超过请求上限 12 MB（LIM-1）。";
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            crate::page::page("未能导入", Some(&o), html! { h1 { "未能导入" } p { (why) } }),
        )
            .into_response();
    }
    // The token is checked before anything the form says is looked at.
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    let (st, who, l, f) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone());
    let outcome = run(move || -> Result<String, qianzhang_app::Error> {
        let (file_name, bytes) = match file {
            Some((n, b)) if !b.is_empty() => (n, b),
            _ => {
                return Err(qianzhang_app::Error::refuse(
                    Rule::Csv1,
                    "没有收到科目文件（或上传不完整）：请选择 CSV 或 .xlsx 文件后再导入",
                ))
            }
        };
        let dir = tempfile::TempDir::new().map_err(qianzhang_app::Error::Io)?;
        // Only the extension of the name given is kept; the file is read by its content.
        let ext = std::path::Path::new(&file_name)
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()) && e.len() <= 5)
            .unwrap_or("csv");
        let path = dir.path().join(format!("科目文件.{ext}"));
        std::fs::write(&path, &bytes).map_err(qianzhang_app::Error::Io)?;
        let sheet = f.get("sheet").map(str::to_string);
        let added =
            st.act(&who, &l, &format!("account import {file_name}"), |s| accounts::import(s, &path, sheet.as_deref()))?;
        let mut text = format!("已增设科目 {} 个", added.len());
        if !added.is_empty() {
            let shown: Vec<String> = added.iter().take(20).map(|a| format!("{} {}", a.code(), a.name())).collect();
            text.push_str(&format!("：{}", shown.join("、")));
            if added.len() > 20 {
                text.push_str(" 等");
            }
        }
        Ok(text)
    })
    .await;
    match outcome {
        Ok(outcome) => chart_page(&state, &o, Said::new("import", fields, outcome)).await,
        Err(r) => r,
    }
}
