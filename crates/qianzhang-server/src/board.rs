//! 财务公开: the officers' disclosure page (preview, the 居务监督委员会's
//! review, publishing) and the residents' public board, which needs no
//! sign-in and shows published months only (PUB-1, PUB-2, AUD-3).
//!
//! The board shows a month's disclosure exactly as the printed poster
//! (names already masked by the disclosure, PUB-2), with its fingerprint
//! and how to check it. An unknown ledger, an unknown month and a month not
//! published all answer the same 404, so the board tells no one which
//! ledgers or months exist beyond what was published.

use std::sync::Arc;

use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, PreEscaped};
use qianzhang_app::board as app;
use qianzhang_app::{Error, Ledger, Session};
use qianzhang_core::disclosure::{Disclosure, Review, Span};
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::{Period, Rule};
use qianzhang_db::Db as Store;
use qianzhang_report::Paper;
use serde::Deserialize;

use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, csrf, ledger_url, page, refusal, run};
use crate::state::State;

pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/l/{ledger}/disclosure", get(show))
        .route("/l/{ledger}/disclosure/poster", get(poster))
        .route("/l/{ledger}/disclosure/review", post(review))
        .route("/l/{ledger}/disclosure/publish", post(publish_form))
        .route("/board/{ledger}", get(board))
        .route("/board/{ledger}/{month}", get(board_month))
}

// ---------------------------------------------------------------------------
// Publication: the two calls the board rests on.

/// A month as published: the date on its poster and the fingerprint of
/// its close at publication (AUD-3).
#[derive(Clone, Debug)]
pub struct Published {
    pub period: Period,
    pub date: time::Date,
    pub fingerprint: String,
}

/// [PUB-1] publishes `period`'s disclosure on `date` (the accountant):
/// returns the fingerprint published.
fn publish(session: &mut Session<Store>, period: Period, date: time::Date) -> Result<String, Error> {
    app::publish(session, period, date).map(|p| p.fingerprint)
}

/// [PUB-1] every month published, latest publication of each month first
/// in the list's order of months (newest month first).
fn published(ledger: &Ledger<Store>) -> Result<Vec<Published>, Error> {
    let all = app::published(ledger)?
        .into_iter()
        .map(|p| Published { period: p.period, date: p.date, fingerprint: p.fingerprint })
        .collect();
    Ok(latest_each(all))
}

/// The latest publication of each month, newest month first.
fn latest_each(all: Vec<Published>) -> Vec<Published> {
    let mut out: Vec<Published> = Vec::new();
    for p in all {
        match out.iter_mut().find(|q| q.period == p.period) {
            Some(q) => *q = p,
            None => out.push(p),
        }
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.period));
    out
}

/// The poster of a disclosure: the same HTML `disclose --format html` writes.
// Where the poster renderer moves to `qianzhang_report::board`, this is
// `board::poster_html(d, Paper::A3, board::poster_url(d).as_deref())`.
fn poster_html(d: &Disclosure) -> String {
    qianzhang_report::board::poster_html(d, Paper::A3, qianzhang_report::board::poster_url(d).as_deref())
}

// ---------------------------------------------------------------------------
// The officers' page.

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    month: Option<String>,
}

/// The month shown: the one asked for, else the latest closed month, else
/// last month.
fn month_shown(ledger: &Ledger<Store>, asked: Option<&str>, today: time::Date) -> Result<Period, Error> {
    if let Some(m) = asked.and_then(|m| Period::parse(m.trim()).ok()) {
        return Ok(m);
    }
    let closed = qianzhang_app::month::closed_months(ledger, Period::of(today))?;
    Ok(closed.last().copied().unwrap_or(Period::of(today).prev()))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Review,
    Publish,
}

/// `GET /l/{ledger}/disclosure?month=YYYY-MM`.
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
    disclosure_page(&state, &o, q.month, None).await
}

async fn disclosure_page(
    state: &Arc<State>,
    o: &Officer,
    month: Option<String>,
    outcome: Option<(Form, Result<String, Error>, Fields)>,
) -> Response {
    let (st, l) = (state.clone(), o.ledger().to_string());
    let today = state.now().date();
    let read = run(move || -> Result<_, Error> {
        let ledger = st.ledger(&l)?;
        let month = month_shown(&ledger, month.as_deref(), today)?;
        let list = published(&ledger)?;
        let d = app::disclosure(&ledger, Span::Month { period: month }, today);
        Ok((month, list, d))
    })
    .await;
    let (month, list, d) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let ledger = o.ledger();
    let typed = |form: Form, name: &str| -> String {
        outcome.as_ref().filter(|(f, _, _)| *f == form).map(|(_, _, t)| t.text(name).to_string()).unwrap_or_default()
    };
    let beside = |form: Form| -> Markup {
        html! {
            @if let Some((_, r, _)) = outcome.as_ref().filter(|(f, _, _)| *f == form) {
                @match r { Ok(n) => (page::done(n)), Err(e) => (refusal(e, Some(o.ledger()))) }
            }
        }
    };
    let this = list.iter().find(|p| p.period == month);
    let today_text = today.to_string();
    let body = html! {
        h1 { "财务公开 · " (month.to_chinese()) }
        form.inline method="get" action=(ledger_url(ledger, "/disclosure")) {
            label { "月份 " input type="month" name="month" value=(month.to_string()); }
            button type="submit" { "查看" }
            " "
            a href=(ledger_url(ledger, &format!("/disclosure?month={}", month.prev()))) { "上月" }
            " "
            a href=(ledger_url(ledger, &format!("/disclosure?month={}", month.next()))) { "下月" }
        }
        @match &d {
            Err(e) => (refusal(e, Some(o.ledger()))),
            Ok(d) => {
                p.sub {
                    @if d.draft { span.warn { "草稿（本月尚未结账）" } } @else { span.ok { "正式（已结账）" } }
                    " · 账簿指纹 " span.fingerprint { (d.fingerprint_short()) }
                    @if let Some(p) = this { " · 已于 " (format_date(p.date)) " 公布" } @else { " · 尚未公布" }
                }
                p {
                    a.button href=(ledger_url(ledger, &format!("/disclosure/poster?month={month}"))) { "海报预览（可打印）" }
                }
                (summary(d))
            }
        }
        section #review {
            h2 { "居务监督委员会审核意见（PUB-3）" }
            p.hint { "由监督委员会成员本人登录后录入；公布前须先审核，审核日期不得晚于公布日期。" }
            form method="post" action=(ledger_url(ledger, "/disclosure/review")) {
                (csrf(o))
                input type="hidden" name="month" value=(month.to_string());
                label { "审核意见 " input type="text" name="opinion" required size="40" value=(typed(Form::Review, "opinion")); }
                label { "日期 " input type="date" name="date" value=(match typed(Form::Review, "date") { t if t.is_empty() => today_text.clone(), t => t }); }
                button.primary type="submit" { "录入审核意见" }
            }
            (beside(Form::Review))
        }
        section #publish {
            h2 { "公布（PUB-1）" }
            p.hint { "已结账、经监督委员会审核的月份才能公布；公布后居民不用登录即可在公开栏网页上查看，海报上的指纹与网页一致。" }
            form method="post" action=(ledger_url(ledger, "/disclosure/publish")) {
                (csrf(o))
                input type="hidden" name="month" value=(month.to_string());
                label { "公布日期 " input type="date" name="date" value=(match typed(Form::Publish, "date") { t if t.is_empty() => today_text.clone(), t => t }); }
                button.primary type="submit" { "公布 " (month) }
            }
            (beside(Form::Publish))
            @if !list.is_empty() {
                p { "公开栏网页：" a href=(format!("/board/{}", page::segment(ledger))) { "/board/" (ledger) } }
            }
        }
    };
    let refused = outcome.as_ref().is_some_and(|(_, r, _)| r.is_err());
    let mut res = page(&format!("财务公开 · {month}"), Some(o), body).into_response();
    if refused {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// The preview's overview and items.
fn summary(d: &Disclosure) -> Markup {
    let s = &d.summary;
    html! {
        table.overview {
            tbody {
                tr { th { "期初余额" } td.num { (s.opening.to_yuan()) } th { "本期收入" } td.num { (s.income.to_yuan()) } }
                tr { th { "本期支出" } td.num { (s.expense.to_yuan()) } th { "期末余额" } td.num { (s.closing.to_yuan()) } }
            }
        }
        h3 { "收支明细（" (d.items.len()) " 笔）" }
        @if d.items.is_empty() { p.empty { "本期没有收支。" } } @else {
            div.scroll {
                table.items {
                    thead { tr { th { "序号" } th { "日期" } th { "凭证号" } th { "摘要" } th { "科目" } th.num { "收入" } th.num { "支出" } th { "经办人" } th { "审批人" } th { "审批依据" } } }
                    tbody {
                        @for i in &d.items {
                            tr {
                                td { (i.no) } td { (format_date(i.date)) } td { (i.voucher.label()) } td { (i.summary) }
                                td { (i.account_name) }
                                td.num { @if !i.income.is_zero() { (i.income.to_yuan()) } }
                                td.num { @if !i.expense.is_zero() { (i.expense.to_yuan()) } }
                                td { (i.handler) } td { (i.approver) } td { (i.basis) }
                            }
                        }
                    }
                }
            }
        }
        @if !d.reviews.is_empty() {
            h3 { "审核意见" }
            ul { @for r in &d.reviews { li { (r.opinion) "（" (r.by) "，" (format_date(r.date)) "）" } } }
        }
    }
}

/// The Content-Security-Policy of a poster: its own inline stylesheet and
/// SVG, nothing else (no script, no form, no frame).
const POSTER_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                          frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

fn poster_response(html: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POSTER_CSP)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        html,
    )
        .into_response()
}

/// `GET /l/{ledger}/disclosure/poster?month=…`: the poster as it prints,
/// dated today (a draft says so on its face).
async fn poster(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, l) = (state.clone(), o.ledger().to_string());
    let today = state.now().date();
    let made = run(move || -> Result<String, Error> {
        let ledger = st.ledger(&l)?;
        let month = month_shown(&ledger, q.month.as_deref(), today)?;
        // A month published shows the date it was published on.
        let date = published(&ledger)?.into_iter().find(|p| p.period == month).map_or(today, |p| p.date);
        Ok(poster_html(&app::disclosure(&ledger, Span::Month { period: month }, date)?))
    })
    .await;
    match made {
        Ok(Ok(html)) => poster_response(html, "no-store"),
        Ok(Err(e)) => page::failure(&e),
        Err(r) => r,
    }
}

fn month_field(f: &Fields, rule: Rule) -> Result<Period, Error> {
    let text = f.get("month").unwrap_or("");
    Period::parse(text).map_err(|_| Error::refuse(rule, format!("月份“{text}”无法识别，应写作 2025-04")))
}

fn date_field(f: &Fields, rule: Rule, today: time::Date) -> Result<time::Date, Error> {
    match f.get("date") {
        None => Ok(today),
        Some(d) => parse_date(d).map_err(|e| Error::refuse(rule, format!("日期“{d}”无法识别：{e}"))),
    }
}

/// `POST …/disclosure/review`: `disclose review --month M --opinion … --date D`,
/// by the member signed in.
async fn review(
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
    let today = state.now().date();
    let result = run(move || {
        let month = month_field(&f, Rule::Pub1)?;
        let date = date_field(&f, Rule::Pub1, today)?;
        let opinion = f.get("opinion").unwrap_or("").to_string();
        let review = Review { span: Span::Month { period: month }.key(), by: who.clone(), opinion, date };
        let text = format!("已记录 {} 对{}财务公开的审核意见：{}", who, month.to_chinese(), review.opinion);
        st.act(&who, &l, &format!("disclose review --month {month}"), |s| app::review(s, review))?;
        Ok(text)
    })
    .await;
    match result {
        Ok(r) => {
            disclosure_page(&state, &o, fields.get("month").map(str::to_string), Some((Form::Review, r, fields))).await
        }
        Err(resp) => resp,
    }
}

/// `POST …/disclosure/publish`: publishes the month's disclosure (PUB-1).
async fn publish_form(
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
    let today = state.now().date();
    let result = run(move || {
        let month = month_field(&f, Rule::Pub1)?;
        let date = date_field(&f, Rule::Pub1, today)?;
        let fp = st.act(&who, &l, &format!("disclose publish --month {month}"), |s| publish(s, month, date))?;
        let short = &fp[..fp.len().min(16)];
        Ok(format!(
            "已公布{}财务公开（公布日期 {}，指纹 {short}）；居民可在公开栏网页查看。",
            month.to_chinese(),
            format_date(date)
        ))
    })
    .await;
    match result {
        Ok(r) => {
            disclosure_page(&state, &o, fields.get("month").map(str::to_string), Some((Form::Publish, r, fields))).await
        }
        Err(resp) => resp,
    }
}

// ---------------------------------------------------------------------------
// The public board: no sign-in, published months only.

/// How long a phone or a proxy may keep a board page.
const BOARD_CACHE: &str = "public, max-age=300";

/// The one answer for whatever is not on the board.
fn not_on_board() -> Response {
    let body = html! {
        h1 { "没有找到这份财务公开" }
        p { "这个地址没有已公布的财务公开表。请核对公开栏海报上的网址，或向居委会咨询。" }
    };
    let mut res = (StatusCode::NOT_FOUND, page("财务公开", None, body)).into_response();
    // Kept briefly: a month published a minute later shows soon.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    res
}

/// A ledger on the board and what it published.
type OnBoard<'a> = (crate::state::Desk<'a>, Vec<Published>);

/// The ledger's publications; `None` when the ledger does not exist or
/// published nothing (the board does not tell the two apart).
fn board_list<'a>(state: &'a State, name: &str) -> Result<Option<OnBoard<'a>>, Error> {
    let ledger = match state.ledger(name) {
        Ok(l) => l,
        Err(Error::Backend(qianzhang_core::backend::BackendError::Busy)) => {
            return Err(Error::Backend(qianzhang_core::backend::BackendError::Busy))
        }
        Err(_) => return Ok(None),
    };
    let list = published(&ledger)?;
    Ok(if list.is_empty() { None } else { Some((ledger, list)) })
}

/// `GET /board/{ledger}`: the months published.
async fn board(AxState(state): AxState<Arc<State>>, Path(ledger): Path<String>) -> Response {
    let (st, l) = (state.clone(), ledger.clone());
    let list = match run(move || board_list(&st, &l).map(|x| x.map(|(_, list)| list))).await {
        Ok(Ok(Some(list))) => list,
        Ok(Ok(None)) => return not_on_board(),
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let body = html! {
        h1 { (ledger) " · 财务公开" }
        p.sub { "居委会每月公布的财务收支公开表，与公开栏张贴的海报相同。" }
        ul.ledgers {
            @for p in &list {
                li {
                    a href=(format!("/board/{}/{}", page::segment(&ledger), p.period)) { (p.period.to_chinese()) "财务收支公开表" }
                    " " small { "（" (format_date(p.date)) " 公布）" }
                }
            }
        }
    };
    let mut res = page(&format!("{ledger} 财务公开"), None, body).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(BOARD_CACHE));
    res
}

/// `GET /board/{ledger}/{YYYY-MM}`: the month's poster as published.
async fn board_month(AxState(state): AxState<Arc<State>>, Path((ledger, month)): Path<(String, String)>) -> Response {
    let Ok(period) = Period::parse(&month) else { return not_on_board() };
    let (st, l) = (state.clone(), ledger.clone());
    let made = run(move || -> Result<Option<Arc<String>>, Error> {
        let Some((ledger, list)) = board_list(&st, &l)? else { return Ok(None) };
        let Some(p) = list.into_iter().find(|p| p.period == period) else { return Ok(None) };
        // The page is made once for the books as they stand: any act since
        // moves the log's head, and the page is made again.
        let head = qianzhang_app::ledger::log(&ledger, 1)?.first().map(|e| e.hash.to_string()).unwrap_or_default();
        let key = format!("{l}\n{period}\n{head}");
        if let Some(page) = st.cached_board(&key) {
            return Ok(Some(page));
        }
        let d = app::disclosure(&ledger, Span::Month { period }, p.date)?;
        let page = Arc::new(board_poster(&l, &d, &p));
        st.cache_board(key, page.clone());
        Ok(Some(page))
    })
    .await;
    match made {
        Ok(Ok(Some(html))) => poster_response(html.as_ref().clone(), BOARD_CACHE),
        Ok(Ok(None)) => not_on_board(),
        Ok(Err(e)) => page::failure(&e),
        Err(r) => r,
    }
}

/// The published poster for a phone: the poster itself, with a viewport,
/// a narrow-screen layout, and how to check its fingerprint. A month
/// reopened since it was published shows that it is being corrected, not
/// figures that are no longer the published ones.
fn board_poster(ledger: &str, d: &Disclosure, p: &Published) -> String {
    let changed = d.draft || d.fingerprint != p.fingerprint;
    let explain = html! {
        section.check {
            h2 { "怎样核对这张公开表" }
            @if changed {
                p.changed { "本月账目在公布后已反结账更正，更正后的公开表将重新公布；下面是更正前公布时的指纹。" }
            }
            p { "公布时的账簿指纹：" }
            p.fp { (p.fingerprint) }
            p {
                "账簿指纹是一串由账簿内容算出来的字母和数字。钱账把每一笔记账、签字、结账都按顺序记入日志，"
                "每一条都连着前一条；月末结账时，日志最后一条的指纹就是本月的账簿指纹。"
                "账目里任何一笔被事后改动，指纹就对不上了。"
            }
            p {
                "核对方法：把上面的指纹和居委会公开栏张贴的纸质公开表上的“账簿指纹”逐字对照，应当完全相同。"
                "任何居民都可以请居务监督委员会在居委会的电脑上运行下面的命令核验，"
                "它会说明公布以后账簿有没有被改写，以及此后有没有反结账、补记凭证："
            }
            p.fp { "qianzhang --ledger " (ledger) " verify --fingerprint " (p.fingerprint) " --month " (p.period) }
            @if !d.contact.is_empty() { p { "有疑问请咨询：" (d.contact) } }
            p { a href=(format!("/board/{}", page::segment(ledger))) { "查看其他月份" } }
        }
    };
    if changed {
        return html! {
            (maud::DOCTYPE)
            html lang="zh-CN" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (d.title) }
                    style { (PreEscaped(PHONE)) }
                }
                body { h1 { (d.title) } (explain) }
            }
        }
        .into_string();
    }
    let mut html = poster_html(d);
    if let Some(i) = html.find("<head>\n") {
        html.insert_str(i + "<head>\n".len(), VIEWPORT);
    }
    if let Some(i) = html.find("</style>") {
        html.insert_str(i, PHONE);
    }
    if let Some(i) = html.rfind("</body>") {
        html.insert_str(i, &explain.into_string());
    }
    html
}

const VIEWPORT: &str = "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";

/// The poster on a narrow screen: one column, tables scroll sideways.
const PHONE: &str = "\n.check { margin-top: 1.5em; border-top: 2px solid #b22; padding-top: 0.5em; }\n\
.check .fp { font-family: \"DejaVu Sans Mono\", Consolas, monospace; word-break: break-all; }\n\
.changed { color: #b22; font-weight: bold; }\n\
@media screen and (max-width: 700px) {\n\
  body { margin: 3mm; font-size: 14px; }\n\
  .cols { display: block; }\n\
  section { overflow-x: auto; }\n\
  td, th { white-space: nowrap; }\n\
  h1 { font-size: 1.4em; }\n\
  .watermark { font-size: 5em; }\n\
}\n";
