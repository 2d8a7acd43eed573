//! Vouchers: the list, one voucher with what can be done to it, and the
//! entry form (制单) with its account picker, running totals and 大写.

use std::sync::Arc;

use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use qianzhang_app::voucher as app;
use qianzhang_core::lifecycle::{Next, SignKind};
use qianzhang_core::operator::Act;
use qianzhang_core::voucher::{AmountInput, DraftInput, LineInput};
use qianzhang_core::{Chart, Document, Money, Period, Side, Status, VoucherRef};
use serde::Deserialize;

use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, csrf, ledger_url, page, refusal, run, voucher_url};
use crate::state::State;

pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/l/{ledger}/vouchers", get(list))
        .route("/l/{ledger}/voucher/new", get(new_form).post(prepare))
        .route("/l/{ledger}/voucher/line", get(line_fragment))
        .route("/l/{ledger}/voucher/doc", get(doc_fragment))
        .route("/l/{ledger}/voucher/totals", post(totals))
        .route("/l/{ledger}/accounts/pick", get(pick))
        .route("/l/{ledger}/voucher/authorizations", get(authorizations))
        .route("/l/{ledger}/v/{period}/{number}", get(show))
        .route("/l/{ledger}/v/{period}/{number}/edit", get(edit_form).post(edit))
        .route("/l/{ledger}/v/{period}/{number}/do/{action}", post(act))
        .route("/l/{ledger}/v/{period}/{number}/scan", post(upload))
        .route("/l/{ledger}/scan/{sha}", get(scan))
}

/// The voucher a path names (a malformed one does not exist).
fn reference(period: &str, number: &str) -> Option<VoucherRef> {
    let period = Period::parse(period).ok()?;
    let number = number.parse().ok()?;
    Some(VoucherRef { period, number })
}

fn side_amounts(l: &qianzhang_core::Line) -> (String, String) {
    match l.side {
        Side::Debit => (l.amount.to_yuan(), String::new()),
        Side::Credit => (String::new(), l.amount.to_yuan()),
    }
}

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

/// `GET /l/{ledger}/vouchers?month=YYYY-MM`.
async fn list(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let today = state.now().date();
    let month = q.month.as_deref().and_then(|m| Period::parse(m).ok()).unwrap_or_else(|| Period::of(today));
    let (st, l) = (state.clone(), ledger.clone());
    let listed = match run(move || app::list(&*st.ledger(&l)?, month, month, today)).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let body = html! {
        h1 { "凭证 · " (month) }
        form.inline method="get" {
            label { "月份 " input type="month" name="month" value=(month.to_string()); }
            button type="submit" { "查看" }
            " "
            a href=(ledger_url(&ledger, &format!("/vouchers?month={}", month.prev()))) { "上月" }
            " "
            a href=(ledger_url(&ledger, &format!("/vouchers?month={}", month.next()))) { "下月" }
            " "
            @if o.prepares { a.button href=(ledger_url(&ledger, "/voucher/new")) { "制单" } }
        }
        @match &listed {
            Err(e) => (refusal(e, Some(o.ledger()))),
            Ok(list) if list.vouchers.is_empty() => p.empty { "这个月还没有凭证。" },
            Ok(list) => table.vouchers {
                thead { tr { th { "凭证号" } th { "日期" } th { "摘要" } th.num { "金额" } th { "制单" } th { "状态" } } }
                tbody {
                    @for (v, status) in &list.vouchers {
                        @let r = v.reference();
                        @let next = list.steps.iter().find(|(x, _)| *x == r).map(|(_, n)| n.chinese());
                        tr {
                            td { a href=(voucher_url(&ledger, r)) { (r.label()) } }
                            td { (qianzhang_core::period::format_date(v.date())) }
                            td { (v.lines().first().map(|l| l.summary.as_str()).unwrap_or("")) }
                            td.num { (v.total_debit().to_yuan()) }
                            td { (v.preparer()) }
                            td { (next.unwrap_or(status.chinese())) }
                        }
                    }
                }
            },
        }
    };
    page("凭证", Some(&o), body).into_response()
}

/// `GET /l/{ledger}/v/{period}/{number}`.
async fn show(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path((ledger, period, number)): Path<(String, String, String)>,
    Query(q): Query<Done>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Some(r) = reference(&period, &number) else { return page::not_found().await };
    let notice = q.done.as_deref().and_then(done_notice).map(str::to_string);
    voucher_page(&state, &o, r, notice, None).await
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

/// What an act that succeeded says on the page it leads back to (the act
/// answers with a redirect, so reloading the page repeats nothing).
fn done_notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "review" => "已审核签字",
        "approve" => "已审批签字",
        "confirm" => "已出纳确认",
        "post" => "已记账",
        "withdraw" => "已撤回签字",
        "void" => "已作废，编号保留，不再记账",
        "edit" => "已修改；原有签字已作废，请重新审核、审批、确认",
        "scan" => "已上传扫描件；原有签字已作废，请重新审核、审批、确认",
        _ => return None,
    })
}

/// Back to the voucher's page, saying what was done.
fn done(ledger: &str, r: VoucherRef, code: &str) -> Response {
    Redirect::to(&format!("{}?done={code}", voucher_url(ledger, r))).into_response()
}

/// The voucher's page, with what was just done or refused.
async fn voucher_page(
    state: &Arc<State>,
    o: &Officer,
    r: VoucherRef,
    notice: Option<String>,
    error: Option<(String, qianzhang_app::Error)>,
) -> Response {
    let (st, l) = (state.clone(), o.ledger().to_string());
    let today = state.now().date();
    let shown = match run(move || {
        let mut desk = st.ledger(&l)?;
        let shown = app::show(&desk, r, today)?;
        // What the next signatures will refuse, said while it can be put right.
        let gaps = match shown.next {
            Some(Next::Sign(SignKind::Review)) => {
                (app::review_gaps(&desk, r)?, app::approval_gap(&mut desk, r)?.into_iter().collect())
            }
            Some(Next::Sign(SignKind::Approve)) => (Vec::new(), app::approval_gap(&mut desk, r)?.into_iter().collect()),
            _ => (Vec::new(), Vec::new()),
        };
        Ok::<_, qianzhang_app::Error>((shown, gaps))
    })
    .await
    {
        Ok(Ok(p)) => p,
        Ok(Err(_)) => return page::not_found().await,
        Err(resp) => return resp,
    };
    let (shown, (review_gaps, approval_gaps)) = shown;
    let ledger = o.ledger();
    let v = &shown.voucher;
    // [OPR-1] each form is offered to those the act it posts to admits:
    // copy, red reversal, void, edit and scans are the preparer's
    // (`Act::KeepBooks`), the next step is signing (`Act::Sign`, the post
    // and SEP rules then checked by the act) or posting (`Act::Post`), and a
    // signature is withdrawn only by the one who gave it. A signature is
    // offered to the holder of its post; when the approver must stand aside
    // (SEP-6) a deputy named by a resolution may approve, so the approval is
    // then offered to every officer the act admits and checked when given.
    let next = match shown.next {
        Some(n @ Next::Sign(SignKind::Approve))
            if shown.stand_aside.is_some() && crate::auth::may(state, &o.person, ledger, Act::Sign).await =>
        {
            Some(n)
        }
        Some(n @ Next::Sign(kind)) if crate::auth::holds(state, &o.person, ledger, kind.role()).await => Some(n),
        Some(Next::Post) if crate::auth::may(state, &o.person, ledger, Act::Post).await => Some(Next::Post),
        _ => None,
    };
    let mine: Vec<SignKind> = [SignKind::Review, SignKind::Approve, SignKind::Confirm]
        .into_iter()
        .filter(|k| shown.signatures.iter().any(|s| s.kind == *k && s.person == o.person))
        .collect();
    let action = |a: &str| ledger_url(ledger, &format!("/v/{}/{}/do/{a}", r.period, r.number));
    let error_for = |form: &str| error.as_ref().filter(|(f, _)| f == form).map(|(_, e)| refusal(e, Some(ledger)));
    let body = html! {
        h1 { "记账凭证 " (r.to_string()) }
        @if let Some(n) = &notice { (page::done(n)) }
        @if let Some(e) = error_for("") { (e) }
        p.sub {
            (qianzhang_core::period::format_date(v.date())) " · 制单 " (v.preparer()) " · "
            strong { (shown.next.map(|n| n.chinese()).unwrap_or(shown.status.chinese())) }
            @if let Some(a) = v.authorization() { " · 审批依据 " (a) }
            @if let Some(x) = v.reverses() { " · 冲销 " a href=(voucher_url(ledger, x)) { (x.label()) } }
        }
        @for (words, gaps) in [("审核时将被拒绝，请先补齐：", &review_gaps), ("审批时将被拒绝，请先登记或注明审批依据：", &approval_gaps)] {
            @if !gaps.is_empty() {
                div.refusal.gaps {
                    p { strong { (words) } }
                    ul { @for g in gaps.iter() { li { (page::reason(g, Some(ledger))) } } }
                }
            }
        }
        (lines_table(v.lines(), &shown.chart))
        h2 { "原始凭证（附件 " (v.documents().len()) " 张）" }
        @if v.documents().is_empty() { p.empty { "没有附原始凭证。" } }
        @else { (documents_table(v.documents())) }
        h2 { "扫描件" }
        @if shown.scans.is_empty() { p.empty { "没有上传扫描件。" } }
        @else {
            ul.scans {
                @for sc in &shown.scans {
                    li {
                        a href=(ledger_url(ledger, &format!("/scan/{}", sc.sha256))) { (sc.file_name) }
                        " · " (sc.media.label()) " · " (size_text(sc.size)) " · "
                        span.fingerprint title="SHA-256" { (sc.sha256.get(..12).unwrap_or("")) }
                    }
                }
            }
        }
        @if shown.status == Status::Prepared && o.prepares {
            form.noprint method="post" enctype="multipart/form-data" action=(ledger_url(ledger, &format!("/v/{}/{}/scan", r.period, r.number))) {
                (csrf(o))
                label { "上传单据扫描件（PDF、JPEG、PNG，不超过 10 MB）"
                    input type="file" name="scan" accept="application/pdf,image/jpeg,image/png" required; }
                button type="submit" { "上传" }
                p.hint { "上传后原有签字作废，须重新审核、审批、确认。" }
            }
            @if let Some(e) = error_for("scan") { (e) }
        }
        h2 { "签字" }
        @if shown.signatures.is_empty() { p.empty { "还没有人签字。" } }
        @else {
            ul.signatures {
                @for s in &shown.signatures {
                    li { (s.kind.chinese()) "：" (s.person) " · " (qianzhang_core::period::show_time(&s.at))
                        @if let Some(res) = &s.resolution { "（代签，依据 " (res) "）" } }
                }
            }
        }
        @if let Some(note) = &shown.stand_aside { p.note { (note) "（SEP-6）" } }
        @if shown.status == Status::Prepared {
            section.actions.noprint {
                h2 { "办理" }
                @if let Some(next) = next {
                    form method="post" action=(action(next_action(next))) {
                        (csrf(o))
                        button.primary type="submit" { (next_label(next)) }
                    }
                }
                @if let Some(e) = error_for("next") { (e) }
                @if !mine.is_empty() {
                    form method="post" action=(action("withdraw")) {
                        (csrf(o))
                        label { "撤回我的 "
                            select name="kind" {
                                @for k in &mine { option value=(sign_code(*k)) { (k.chinese()) } }
                            }
                        }
                        button type="submit" { "撤回签字" }
                    }
                }
                @if let Some(e) = error_for("withdraw") { (e) }
                @if o.prepares {
                    p { a.button href=(ledger_url(ledger, &format!("/v/{}/{}/edit", r.period, r.number))) { "修改凭证" } }
                    form method="post" action=(action("void")) {
                        (csrf(o))
                        label { "作废原因 " input type="text" name="reason" required; }
                        button type="submit" { "作废" }
                    }
                }
                @if let Some(e) = error_for("void") { (e) }
            }
        }
        @if shown.status == Status::Posted {
            section.actions.noprint {
                h2 { "更正" }
                p.hint { "已记账的凭证不能修改或删除；如有错误，用红字冲销后另录正确凭证。" }
                @if o.prepares {
                    form method="post" action=(action("reverse")) {
                        (csrf(o))
                        label { "冲销日期 " input type="date" name="date" value=(today.to_string()); }
                        button type="submit" { "红字冲销" }
                    }
                }
                @if let Some(e) = error_for("reverse") { (e) }
            }
        }
        section.actions.noprint {
            @if o.prepares {
                form method="post" action=(action("copy")) {
                    (csrf(o))
                    label { "复制为新凭证，日期 " input type="date" name="date" value=(today.to_string()); }
                    button type="submit" { "复制" }
                }
            }
            @if let Some(e) = error_for("copy") { (e) }
            p { a href=(ledger_url(ledger, &format!("/print/voucher/{}/{}", r.period, r.number))) { "打印记账凭证" } }
        }
    };
    page(&r.to_string(), Some(o), body).into_response()
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// `POST …/scan`: a scan of an original document (DOC-1, LIM-1), its type
/// told by its content, stored once by its SHA-256 with the hash in the log.
async fn upload(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path((ledger, period, number)): Path<(String, String, String)>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Some(r) = reference(&period, &number) else { return page::not_found().await };
    let mut token = Fields::default();
    let mut file: Option<(String, Option<String>, Vec<u8>)> = None;
    let mut too_big = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => {
                    let text = field.text().await.unwrap_or_default();
                    token.0.push(("csrf".into(), text));
                }
                Some("scan") => {
                    let name = field.file_name().unwrap_or("扫描件").to_string();
                    let declared = field.content_type().map(str::to_string);
                    match field.bytes().await {
                        Ok(b) => file = Some((name, declared, b.to_vec())),
                        Err(_) => too_big = true,
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                too_big = true;
                break;
            }
        }
    }
    if let Err(resp) = o.check(&token, &headers) {
        return resp;
    }
    let (st, who, l) = (state.clone(), o.person.clone(), ledger.clone());
    let outcome = run(move || {
        let (name, declared, bytes) = match (file, too_big) {
            (_, true) => {
                return Err(qianzhang_app::Error::refuse(
                    qianzhang_core::Rule::Lim1,
                    "上传的文件太大或不完整：扫描件不超过 10 MB，请压缩后重新上传",
                ))
            }
            (None, _) => return Err(qianzhang_app::Error::refuse(qianzhang_core::Rule::Doc1, "请选择要上传的扫描件")),
            (Some(f), _) => f,
        };
        // A browser that cannot tell the type sends octet-stream: the content decides.
        let declared = declared.filter(|d| d != "application/octet-stream");
        st.act(&who, &l, &format!("voucher attach {r} --scan"), |s| {
            app::attach_scan(s, r, &name, declared.as_deref(), bytes)
        })
    })
    .await;
    match outcome {
        Err(resp) => resp,
        Ok(Ok(_)) => done(&ledger, r, "scan"),
        Ok(Err(e)) => {
            let mut res = voucher_page(&state, &o, r, None, Some(("scan".into(), e))).await;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

/// `GET /l/{ledger}/scan/{sha}`: a scan attached to a voucher of this
/// ledger; any other hash does not exist here.
async fn scan(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path((ledger, sha)): Path<(String, String)>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    match run(move || app::scan(&*st.ledger(&l)?, &sha)).await {
        Ok(Ok(Some((media, bytes)))) => {
            use axum::http::header;
            let disposition = if media == qianzhang_core::scan::MediaType::Pdf { "attachment" } else { "inline" };
            (
                [
                    (header::CONTENT_TYPE, media.mime()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'; img-src 'self'"),
                    (header::CACHE_CONTROL, "private, max-age=3600"),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(Ok(None)) => page::not_found().await,
        Ok(Err(e)) => page::failure(&e),
        Err(resp) => resp,
    }
}

fn next_action(next: Next) -> &'static str {
    match next {
        Next::Sign(SignKind::Review) => "review",
        Next::Sign(SignKind::Approve) => "approve",
        Next::Sign(SignKind::Confirm) => "confirm",
        Next::Post => "post",
    }
}

/// The withdraw form's code for a kind of signature.
fn sign_code(kind: SignKind) -> &'static str {
    match kind {
        SignKind::Review => "review",
        SignKind::Approve => "approve",
        SignKind::Confirm => "confirm",
    }
}

fn next_label(next: Next) -> &'static str {
    match next {
        Next::Sign(SignKind::Review) => "审核签字",
        Next::Sign(SignKind::Approve) => "审批签字",
        Next::Sign(SignKind::Confirm) => "出纳确认",
        Next::Post => "记账",
    }
}

fn lines_table(lines: &[qianzhang_core::Line], chart: &Chart) -> Markup {
    let debit: Money = Money::turnover(lines.iter().filter(|l| l.side == Side::Debit).map(|l| l.amount));
    let credit: Money = Money::turnover(lines.iter().filter(|l| l.side == Side::Credit).map(|l| l.amount));
    html! {
        table.lines {
            thead { tr { th { "摘要" } th { "科目" } th { "收付对象" } th { "专项资金" } th.num { "借方金额" } th.num { "贷方金额" } } }
            tbody {
                @for l in lines {
                    @let (d, c) = side_amounts(l);
                    tr {
                        td { (l.summary) }
                        td { (l.account) " " (chart.full_name(&l.account)) }
                        td { (l.counterparty.as_deref().unwrap_or("")) }
                        td { (l.fund.as_deref().unwrap_or("")) }
                        td.num { (d) } td.num { (c) }
                    }
                }
            }
            tfoot {
                tr.total {
                    td colspan="4" { "合计：" (debit.to_chinese_words()) }
                    td.num { (debit.to_yuan()) } td.num { (credit.to_yuan()) }
                }
            }
        }
    }
}

fn documents_table(docs: &[Document]) -> Markup {
    html! {
        table.docs {
            thead { tr { th { "类型" } th { "号码" } th { "开票单位" } th.num { "金额" } th { "经办人" } th { "验收人" } } }
            tbody {
                @for d in docs {
                    tr {
                        td { (d.doc_type) } td { (d.number.as_deref().unwrap_or("")) } td { (d.issuer.as_deref().unwrap_or("")) }
                        td.num { (d.amount.map(|a| a.to_yuan()).unwrap_or_default()) }
                        td { (d.handler.as_deref().unwrap_or("")) } td { (d.checker.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
    }
}

/// `POST …/do/{action}`: sign, post, withdraw, void, copy, reverse.
async fn act(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path((ledger, period, number, action)): Path<(String, String, String, String)>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    let Some(r) = reference(&period, &number) else { return page::not_found().await };
    let (st, who, l) = (state.clone(), o.person.clone(), ledger.clone());
    let today = state.now().date();
    let f = fields.clone();
    let a = action.clone();
    // What was done: a notice, or a new voucher to go to.
    let outcome = run(move || -> Result<(String, Option<VoucherRef>), qianzhang_app::Error> {
        let date = |f: &Fields| match f.get("date") {
            Some(d) => qianzhang_core::period::parse_date(d).map_err(|e| {
                qianzhang_app::Error::refuse(qianzhang_core::Rule::Vch1, format!("日期“{d}”无法识别：{e}"))
            }),
            None => Ok(today),
        };
        match a.as_str() {
            "review" | "approve" | "confirm" => {
                let kind = match a.as_str() {
                    "review" => SignKind::Review,
                    "approve" => SignKind::Approve,
                    _ => SignKind::Confirm,
                };
                st.act(&who, &l, &format!("voucher {a} {r}"), |s| app::sign(s, &[r], kind))?;
                Ok((format!("已{}签字", kind.chinese()), None))
            }
            "post" => {
                st.act(&who, &l, &format!("voucher post {r}"), |s| app::post(s, &[r]))?;
                Ok(("已记账".into(), None))
            }
            "withdraw" => {
                let kind = match f.get("kind") {
                    Some("approve") => SignKind::Approve,
                    Some("confirm") => SignKind::Confirm,
                    _ => SignKind::Review,
                };
                st.act(&who, &l, &format!("voucher withdraw {r}"), |s| app::withdraw(s, r, kind))?;
                Ok((format!("已撤回{}签字", kind.chinese()), None))
            }
            "void" => {
                let reason = f.text("reason").to_string();
                st.act(&who, &l, &format!("voucher void {r}"), |s| app::void(s, r, &reason))?;
                Ok(("已作废，编号保留，不再记账".into(), None))
            }
            "copy" => {
                let d = date(&f)?;
                let copy = st.act(&who, &l, &format!("voucher copy {r}"), |s| app::copy(s, r, d))?;
                Ok((format!("已复制为 {}（待审核）；请附上本次的原始凭证", copy.label()), Some(copy)))
            }
            "reverse" => {
                let d = date(&f)?;
                let red = st.act(&who, &l, &format!("voucher reverse {r}"), |s| app::reverse(s, r, Some(d)))?;
                Ok((format!("已生成红字冲销凭证 {}", red.label()), Some(red)))
            }
            _ => Err(qianzhang_app::Error::Usage("没有这项操作".into())),
        }
    })
    .await;
    let form = match action.as_str() {
        "review" | "approve" | "confirm" | "post" => "next",
        other => other,
    };
    match outcome {
        Err(resp) => resp,
        Ok(Ok((_, Some(new)))) => Redirect::to(&voucher_url(&ledger, new)).into_response(),
        Ok(Ok((_, None))) => done(&ledger, r, &action),
        Ok(Err(e)) => {
            let mut res = voucher_page(&state, &o, r, None, Some((form.to_string(), e))).await;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

/// What an officer typed into the voucher form, kept to show it again.
#[derive(Clone, Debug, Default)]
struct Typed {
    date: String,
    authorization: String,
    /// 摘要, 科目, 借方, 贷方, 收付对象, 专项资金.
    lines: Vec<[String; 6]>,
    /// 类型, 号码, 开票单位, 金额, 经办人, 验收人.
    docs: Vec<[String; 6]>,
}

const LINE_FIELDS: [&str; 6] = ["summary", "account", "debit", "credit", "counterparty", "fund"];
const DOC_FIELDS: [&str; 6] = ["doc_type", "doc_number", "doc_issuer", "doc_amount", "doc_handler", "doc_checker"];

fn rows<const N: usize>(fields: &Fields, names: [&str; N]) -> Vec<[String; N]> {
    let cols: Vec<Vec<&str>> = names.iter().map(|n| fields.all(n)).collect();
    let count = cols.iter().map(Vec::len).max().unwrap_or(0);
    (0..count)
        .map(|i| std::array::from_fn(|c| cols[c].get(i).map(|v| v.trim().to_string()).unwrap_or_default()))
        .filter(|row: &[String; N]| row.iter().any(|v| !v.is_empty()))
        .collect()
}

impl Typed {
    fn from_fields(fields: &Fields) -> Typed {
        Typed {
            date: fields.text("date").trim().to_string(),
            authorization: fields.text("authorization").trim().to_string(),
            lines: rows(fields, LINE_FIELDS),
            docs: rows(fields, DOC_FIELDS),
        }
    }

    fn from_voucher(v: &qianzhang_core::Voucher) -> Typed {
        Typed {
            date: v.date().to_string(),
            authorization: v.authorization().unwrap_or("").to_string(),
            lines: v
                .lines()
                .iter()
                .map(|l| {
                    let (d, c) = side_amounts(l);
                    [
                        l.summary.clone(),
                        l.account.clone(),
                        d,
                        c,
                        l.counterparty.clone().unwrap_or_default(),
                        l.fund.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
            docs: v
                .documents()
                .iter()
                .map(|d| {
                    [
                        d.doc_type.clone(),
                        d.number.clone().unwrap_or_default(),
                        d.issuer.clone().unwrap_or_default(),
                        d.amount.map(|a| a.to_yuan()).unwrap_or_default(),
                        d.handler.clone().unwrap_or_default(),
                        d.checker.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        }
    }

    /// [VCH-1, DOC-1] the draft, read by the core's own voucher reader; a
    /// line's blank summary is the first line's.
    fn draft(&self, chart: &Chart) -> Result<qianzhang_core::Draft, qianzhang_app::Error> {
        let date = qianzhang_core::period::parse_date(&self.date).map_err(|e| {
            qianzhang_app::Error::refuse(qianzhang_core::Rule::Vch1, format!("日期“{}”无法识别：{e}", self.date))
        })?;
        let first = self.lines.first().map(|l| l[0].clone()).unwrap_or_default();
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let lines = self
            .lines
            .iter()
            .map(|[summary, account, debit, credit, cp, fund]| LineInput {
                summary: if summary.is_empty() { first.clone() } else { summary.clone() },
                // A picked account reads `5201 办公费`: its code.
                account: half_width(account.split_whitespace().next().unwrap_or("")),
                debit: opt(debit).map(AmountInput::Text),
                credit: opt(credit).map(AmountInput::Text),
                counterparty: opt(cp),
                fund: opt(fund),
            })
            .collect();
        let mut documents = Vec::new();
        for [doc_type, number, issuer, amount, handler, checker] in &self.docs {
            let input = app::DocumentInput {
                doc_type: Some(doc_type.clone()).filter(|t| !t.is_empty()).or_else(|| Some(String::new())),
                number: opt(number),
                issuer: opt(issuer),
                amount: opt(amount),
                handler: opt(handler),
                checker: opt(checker),
                date: None,
            };
            if let Some(d) = input.document()? {
                documents.push(d);
            }
        }
        let input = DraftInput { date, lines, documents, authorization: opt(&self.authorization) };
        Ok(input.into_draft(chart)?)
    }
}

/// A code typed with a Chinese input method (５２０１０１) as the chart writes it.
fn half_width(text: &str) -> String {
    text.chars().map(qianzhang_core::text::half_width).collect()
}

fn line_row(values: &[String; 6], ledger: &str) -> Markup {
    let pick = ledger_url(ledger, "/accounts/pick");
    html! {
        tr.line {
            td { input type="text" name="summary" value=(values[0]) placeholder="摘要"; }
            td.account {
                input.acct type="text" name="account" value=(values[1]) placeholder="科目：编码、名称或助记码"
                    autocomplete="off" hx-get=(pick) hx-trigger="input changed delay:200ms, focus"
                    hx-target="next .pick" hx-swap="innerHTML";
                div.pick {}
            }
            td { input.amount type="text" name="debit" value=(values[2]) inputmode="decimal" placeholder="借方"; }
            td { input.amount type="text" name="credit" value=(values[3]) inputmode="decimal" placeholder="贷方"; }
            td { input type="text" name="counterparty" value=(values[4]) placeholder="收付对象"; }
            td { input type="text" name="fund" value=(values[5]) placeholder="专项资金"; }
            td.noprint { button.remove type="button" data-remove="tr" title="删除这一行" { "删除" } }
        }
    }
}

fn doc_row(values: &[String; 6]) -> Markup {
    html! {
        tr.doc {
            td { input type="text" name="doc_type" value=(values[0]) placeholder="发票、收据……" list="doc-types"; }
            td { input type="text" name="doc_number" value=(values[1]) placeholder="号码"; }
            td { input type="text" name="doc_issuer" value=(values[2]) placeholder="开票单位"; }
            td { input.amount type="text" name="doc_amount" value=(values[3]) inputmode="decimal" placeholder="金额"; }
            td { input type="text" name="doc_handler" value=(values[4]) placeholder="经办人"; }
            td { input type="text" name="doc_checker" value=(values[5]) placeholder="验收人"; }
            td.noprint { button.remove type="button" data-remove="tr" title="删除这张单据" { "删除" } }
        }
    }
}

/// The voucher form: new (`to` the new-voucher path) or an edit.
fn voucher_form(o: &Officer, title: &str, to: &str, typed: &Typed, error: Option<&qianzhang_app::Error>) -> Markup {
    let ledger = o.ledger();
    let mut lines = typed.lines.clone();
    while lines.len() < 2 {
        lines.push(Default::default());
    }
    let mut docs = typed.docs.clone();
    if docs.is_empty() {
        docs.push(Default::default());
    }
    html! {
        h1 { (title) }
        @if let Some(e) = error { (refusal(e, Some(o.ledger()))) }
        form #voucher-form method="post" action=(to) {
            (csrf(o))
            p.head {
                label { "日期 " input type="date" name="date" value=(typed.date) required; }
                label { "审批依据 " input type="text" name="authorization" value=(typed.authorization) placeholder="支出须写明：两委决议或上级批复文号（APR-2）" list="authorizations"; }
            }
            table.entry {
                thead { tr { th { "摘要" } th { "会计科目" } th { "借方金额" } th { "贷方金额" } th { "收付对象" } th { "专项资金" } th {} } }
                tbody #lines { @for l in &lines { (line_row(l, ledger)) } }
            }
            p.noprint {
                button type="button" hx-get=(ledger_url(ledger, "/voucher/line")) hx-target="#lines" hx-swap="beforeend" { "增加一行" }
            }
            div #totals hx-post=(ledger_url(ledger, "/voucher/totals")) hx-trigger="load, input from:#voucher-form delay:300ms, click from:#voucher-form delay:50ms" hx-include="#voucher-form" {
                (totals_markup(&typed.lines))
            }
            h2 { "原始凭证" }
            datalist #authorizations hx-get=(ledger_url(ledger, "/voucher/authorizations")) hx-trigger="load" hx-swap="innerHTML" {}
            datalist #doc-types { @for t in ["发票", "收据", "报销单", "银行回单", "工资表", "合同", "验收单"] { option value=(t) {} } }
            table.entry {
                thead { tr { th { "类型" } th { "号码" } th { "开票单位" } th { "金额" } th { "经办人" } th { "验收人" } th {} } }
                tbody #docs { @for d in &docs { (doc_row(d)) } }
            }
            p.noprint {
                button type="button" hx-get=(ledger_url(ledger, "/voucher/doc")) hx-target="#docs" hx-swap="beforeend" { "增加一张单据" }
            }
            p.hint { "保存后可在凭证页面上传单据的扫描件（PDF、JPEG、PNG）。" }
            p { button.primary type="submit" { "保存（制单）" } }
        }
    }
}

/// Running totals: debit, credit, the difference, and the total in 大写.
fn totals_markup(lines: &[[String; 6]]) -> Markup {
    let sum = |col: usize| {
        let mut total = Money::ZERO;
        let mut unreadable = false;
        for l in lines {
            match qianzhang_core::voucher::read_amount(&l[col], "金额", false) {
                Ok(Some(a)) => total = total.checked_add(a).unwrap_or(total),
                Ok(None) => {}
                Err(_) => unreadable = true,
            }
        }
        (total, unreadable)
    };
    let (debit, bad_d) = sum(2);
    let (credit, bad_c) = sum(3);
    let balanced = debit == credit && !debit.is_zero();
    html! {
        p.totals {
            "借方合计 " strong { (debit.to_yuan()) } "　贷方合计 " strong { (credit.to_yuan()) }
            @if balanced {
                "　" span.ok { "借贷平衡" } "　大写：" span.words { (debit.to_chinese_words()) }
            } @else if !debit.is_zero() || !credit.is_zero() {
                "　" span.warn { "差额 " (debit.checked_sub(credit).map(|d| d.to_yuan()).unwrap_or_default()) }
            }
            @if bad_d || bad_c { "　" span.warn { "有金额无法识别" } }
        }
    }
}

/// `GET /l/{ledger}/voucher/new`.
async fn new_form(AxState(state): AxState<Arc<State>>, officer: Officer, Path(ledger): Path<String>) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    // One who may not prepare (a cashier, SEP-5) is told so here, not
    // after filling the form in; the act itself checks again.
    match crate::auth::admitted(&state, &o.person, &ledger, Act::KeepBooks).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let body = html! {
                h1 { "制单 · 记账凭证" }
                (refusal(&e, Some(&ledger)))
                p { a href=(ledger_url(&ledger, "")) { "回到待办" } }
            };
            return (StatusCode::FORBIDDEN, page("制单", Some(&o), body)).into_response();
        }
        Err(r) => return r,
    }
    let typed = Typed { date: state.now().date().to_string(), ..Typed::default() };
    let to = ledger_url(&ledger, "/voucher/new");
    page("制单", Some(&o), voucher_form(&o, "制单 · 记账凭证", &to, &typed, None)).into_response()
}

/// `POST /l/{ledger}/voucher/new`: prepares the voucher (VCH-1).
async fn prepare(
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
    let typed = Typed::from_fields(&fields);
    if o.check(&fields, &headers).is_err() {
        let to = ledger_url(&ledger, "/voucher/new");
        return stale(page("制单", Some(&o), voucher_form(&o, "制单 · 记账凭证", &to, &typed, Some(&stale_error()))));
    }
    let (st, who, l, t) = (state.clone(), o.person.clone(), ledger.clone(), typed.clone());
    let prepared = run(move || {
        st.act(&who, &l, "voucher add", |s| {
            let chart = qianzhang_app::accounts::chart(s.ledger())?;
            let draft = t.draft(&chart)?;
            app::prepare(s, draft)
        })
    })
    .await;
    match prepared {
        Err(r) => r,
        Ok(Ok(r)) => Redirect::to(&voucher_url(&ledger, r)).into_response(),
        Ok(Err(e)) => {
            let to = ledger_url(&ledger, "/voucher/new");
            let mut res =
                page("制单", Some(&o), voucher_form(&o, "制单 · 记账凭证", &to, &typed, Some(&e))).into_response();
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

/// The refusal a form from an earlier session gets: nothing was saved,
/// and what was typed comes back to be sent again.
fn stale_error() -> qianzhang_app::Error {
    qianzhang_app::Error::Usage(
        "这张表单来自上一次登录（CSRF 校验未通过），没有保存。填写的内容都还在下面，核对后再点一次“保存”即可。".into(),
    )
}

/// A stale form shown again: 403, nothing changed.
fn stale(markup: Markup) -> Response {
    (axum::http::StatusCode::FORBIDDEN, markup).into_response()
}

/// `GET …/edit`: the form filled with the prepared voucher.
async fn edit_form(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path((ledger, period, number)): Path<(String, String, String)>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Some(r) = reference(&period, &number) else { return page::not_found().await };
    let (st, l) = (state.clone(), ledger.clone());
    let today = state.now().date();
    let shown = match run(move || app::show(&*st.ledger(&l)?, r, today)).await {
        Ok(Ok(p)) => p,
        Ok(Err(_)) => return page::not_found().await,
        Err(resp) => return resp,
    };
    let to = ledger_url(&ledger, &format!("/v/{}/{}/edit", r.period, r.number));
    let typed = Typed::from_voucher(&shown.voucher);
    page("修改凭证", Some(&o), voucher_form(&o, &format!("修改 {}", r.label()), &to, &typed, None)).into_response()
}

/// `POST …/edit`: replaces a prepared voucher's lines and documents (VCH-2);
/// its signatures are void.
async fn edit(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path((ledger, period, number)): Path<(String, String, String)>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let Some(r) = reference(&period, &number) else { return page::not_found().await };
    let typed = Typed::from_fields(&fields);
    if o.check(&fields, &headers).is_err() {
        let to = ledger_url(&ledger, &format!("/v/{}/{}/edit", r.period, r.number));
        let form = voucher_form(&o, &format!("修改 {}", r.label()), &to, &typed, Some(&stale_error()));
        return stale(page("修改凭证", Some(&o), form));
    }
    let (st, who, l, t) = (state.clone(), o.person.clone(), ledger.clone(), typed.clone());
    let outcome = run(move || {
        st.act(&who, &l, &format!("voucher edit {r}"), |s| {
            let chart = qianzhang_app::accounts::chart(s.ledger())?;
            let draft = t.draft(&chart)?;
            app::edit(s, r, draft)
        })
    })
    .await;
    match outcome {
        Err(resp) => resp,
        Ok(Ok(())) => done(&ledger, r, "edit"),
        Ok(Err(e)) => {
            let to = ledger_url(&ledger, &format!("/v/{}/{}/edit", r.period, r.number));
            let mut res =
                page("修改凭证", Some(&o), voucher_form(&o, &format!("修改 {}", r.label()), &to, &typed, Some(&e)))
                    .into_response();
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
    }
}

/// `GET …/voucher/line`: one more empty line (htmx).
async fn line_fragment(officer: Officer, Path(ledger): Path<String>) -> Response {
    match officer.at(&ledger) {
        Ok(_) => line_row(&Default::default(), &ledger).into_response(),
        Err(r) => r,
    }
}

/// `GET …/voucher/doc`: one more empty document row (htmx).
async fn doc_fragment(officer: Officer, Path(ledger): Path<String>) -> Response {
    match officer.at(&ledger) {
        Ok(_) => doc_row(&Default::default()).into_response(),
        Err(r) => r,
    }
}

/// `POST …/voucher/totals`: the running totals of the form as typed (htmx).
async fn totals(officer: Officer, headers: HeaderMap, Path(ledger): Path<String>, fields: Fields) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    totals_markup(&Typed::from_fields(&fields).lines).into_response()
}

/// `GET …/voucher/authorizations`: the recorded authorizations with what
/// remains of each, offered in the 审批依据 box (htmx).
async fn authorizations(AxState(state): AxState<Arc<State>>, officer: Officer, Path(ledger): Path<String>) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    match run(move || qianzhang_app::office::authorizations(&*st.ledger(&l)?)).await {
        Ok(Ok(list)) => html! {
            @for a in &list {
                option value=(a.authorization.number) { (a.authorization.scope) }
            }
        }
        .into_response(),
        Ok(Err(_)) => html! {}.into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct Pick {
    #[serde(default)]
    account: String,
}

/// The most accounts the picker offers at once.
const PICKS: usize = 12;

/// `GET …/accounts/pick?account=…`: open leaf accounts whose code, name or
/// 助记码 match what is typed (htmx).
async fn pick(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    Query(q): Query<Pick>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    let today = state.now().date();
    let chart = match run(move || qianzhang_app::accounts::chart(&*st.ledger(&l)?)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return refusal(&e, None).into_response(),
        Err(r) => return r,
    };
    let query = q.account.split_whitespace().next().unwrap_or("").to_string();
    let found: Vec<_> = chart
        .iter()
        .filter(|a| chart.is_leaf(a.code()) && a.is_open_on(today))
        .filter(|a| query.is_empty() || matches(a, &query))
        .take(PICKS)
        .collect();
    html! {
        @if found.is_empty() { span.none { "没有匹配的末级科目" } }
        @for a in found {
            button.pick-item type="button" data-pick=(format!("{} {}", a.code(), chart.full_name(a.code()))) {
                span.code { (a.code()) } " " (chart.full_name(a.code())) " " small { (mnemonic(a.name())) }
            }
        }
    }
    .into_response()
}

/// The account's 助记码: the pinyin initials of its name.
fn mnemonic(name: &str) -> String {
    qianzhang_core::account::mnemonic(name)
}

fn matches(a: &qianzhang_core::Account, query: &str) -> bool {
    qianzhang_core::account::matches(a, query)
}
