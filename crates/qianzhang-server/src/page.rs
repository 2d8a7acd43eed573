//! The frame every page shares: head, navigation, the refusal box, the
//! static files, the security headers, and the error pages.

use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use crate::auth::Officer;

const HTMX: &str = include_str!("../static/htmx-2.0.11.min.js");
const STYLE: &str = include_str!("../static/office.css");
const SCRIPT: &str = include_str!("../static/office.js");

/// `/static/{file}`: the vendored htmx, our stylesheet and script.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "office.css" => (STYLE, "text/css; charset=utf-8"),
        "office.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        _ => return not_found().await,
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// Headers on every answer: no framing, no sniffing, scripts and styles
/// only from this server, no referrer leaving it; signed-in pages are not
/// cached.
pub async fn headers(req: Request, next: Next) -> Response {
    let public = req.uri().path().starts_with("/board/") || req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A page that set its own policy (a printed voucher's or the board's
    // poster's inline styles) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        );
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !public && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A whole page: the officer's navigation when signed in.
pub fn page(title: &str, officer: Option<&Officer>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}"#;
                title { (title) " · 钱账" }
                link rel="stylesheet" href="/static/office.css";
                script src="/static/htmx.min.js" defer {}
                script src="/static/office.js" defer {}
            }
            @match officer {
                Some(o) => {
                    body data-csrf=(o.csrf) {
                        (nav(o))
                        main { (body) }
                    }
                }
                None => {
                    body { main { (body) } }
                }
            }
        }
    }
}

fn nav(o: &Officer) -> Markup {
    let l = o.ledger.as_deref();
    html! {
        header.top.noprint {
            span.brand { "钱账" }
            @if let Some(l) = l {
                a href=(ledger_url(l, "")) { "待办" }
                a href=(ledger_url(l, "/vouchers")) { "凭证" }
                @if o.prepares { a href=(ledger_url(l, "/voucher/new")) { "制单" } }
                a href=(ledger_url(l, "/reports")) { "账表" }
                a href=(ledger_url(l, "/month")) { "月末" }
                a href=(ledger_url(l, "/disclosure")) { "财务公开" }
                a href=(ledger_url(l, "/handover")) { "离任交接" }
                a href=(ledger_url(l, "/admin")) { "管理" }
            }
            @if o.ledgers.len() > 1 { a href=(crate::street::URL) { "街道汇总" } }
            span.who {
                @if let Some(l) = l { span.ledger { (l) } " · " }
                (o.person)
                form.inline method="post" action="/signout" {
                    input type="hidden" name="csrf" value=(o.csrf);
                    button type="submit" { "退出" }
                }
            }
        }
    }
}

/// A path under the ledger's pages, its name percent-encoded.
pub fn ledger_url(ledger: &str, rest: &str) -> String {
    format!("/l/{}{rest}", segment(ledger))
}

/// One path segment, percent-encoded.
pub fn segment(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

/// The hidden CSRF field every form carries.
pub fn csrf(o: &Officer) -> Markup {
    html! { input type="hidden" name="csrf" value=(o.csrf); }
}

/// What went wrong, beside the form: each refusal with its rule, in the
/// words of [`reason`]. `ledger`, when the page is about one, lets a
/// reason link the page that puts it right.
pub fn refusal(e: &qianzhang_app::Error, ledger: Option<&str>) -> Markup {
    refusal_to(e, |rule| ledger.and_then(|l| remedy(rule, l)))
}

/// A page that only reads (a report, the street's month, a printout) and
/// could not be shown: the reasons, without the words of an act refused.
pub fn read_refusal(e: &qianzhang_app::Error, ledger: Option<&str>) -> Markup {
    match e {
        qianzhang_app::Error::Refused { refusals, .. } => html! {
            div.refusal role="alert" {
                p { strong { "未能显示：" } }
                ul {
                    @for r in &refusals.reasons {
                        li { (reason(r, ledger)) }
                    }
                    @if refusals.unlisted > 0 { li { "另有 " (refusals.unlisted) " 条同类问题未列出" } }
                }
            }
        },
        qianzhang_app::Error::Usage(m) => html! {
            div.refusal role="alert" { p { strong { "未能显示：" } (qianzhang_core::todo::plain(m)) } }
        },
        other => refusal(other, ledger),
    }
}

/// [`refusal`] with the page's own links, as [`reason_to`].
pub fn refusal_to(
    e: &qianzhang_app::Error,
    link: impl Fn(qianzhang_core::Rule) -> Option<(String, &'static str)>,
) -> Markup {
    use qianzhang_app::Error;
    use qianzhang_core::backend::BackendError;
    html! {
        div.refusal role="alert" {
            @match e {
                Error::Refused { refusals, .. } => {
                    p { strong { "未办理：" } "账簿未作任何改动。" }
                    ul {
                        @for r in &refusals.reasons {
                            li { (reason_to(r, &link)) }
                        }
                        @if refusals.unlisted > 0 { li { "另有 " (refusals.unlisted) " 条同类问题未列出" } }
                    }
                }
                Error::Backend(BackendError::Busy) => {
                    p { strong { "系统繁忙，请重试。" } "别人正在保存，刚才填写的内容仍在表单里，稍后再点一次即可。" }
                }
                Error::Usage(m) => { p { strong { "未办理：" } (qianzhang_core::todo::plain(m)) } }
                other => { p { strong { "出错了：" } (qianzhang_core::todo::plain(&other.to_string())) } }
            }
        }
    }
}

/// One reason a rule gives, as every page shows it: the rule, the row,
/// and what is wrong in the core's words without the command line's
/// advice (`todo::plain`). Where that advice was left out and a page of
/// this office puts the matter right, a link to it takes the advice's
/// place.
pub fn reason(r: &qianzhang_core::rule::Refusal, ledger: Option<&str>) -> Markup {
    reason_to(r, |rule| ledger.and_then(|l| remedy(rule, l)))
}

/// [`reason`] with the page's own links: `link` says where the matter
/// of a rule is put right (a section of the same page, say).
pub fn reason_to(
    r: &qianzhang_core::rule::Refusal,
    link: impl Fn(qianzhang_core::Rule) -> Option<(String, &'static str)>,
) -> Markup {
    let shown = qianzhang_core::todo::plain(&r.message);
    let remedy = if shown != r.message { link(r.rule) } else { None };
    html! {
        span.rule { (r.rule.to_string()) } " "
        @if let Some(row) = r.row { "第 " (row) " 行：" }
        (shown)
        @if let Some((href, words)) = remedy {
            "；" a href=(href) { (words) }
        }
    }
}

/// The page of this office where what rule `rule` asks is done.
pub fn remedy(rule: qianzhang_core::Rule, ledger: &str) -> Option<(String, &'static str)> {
    use qianzhang_core::Rule;
    let (rest, words) = match rule {
        Rule::Bnk1 => ("/month#bank", "到月末页“银行对账”一节导入对账单、勾对或登记对账单余额"),
        Rule::Csh2 => ("/month#count", "请出纳在月末页“现金盘点”一节盘点"),
        Rule::Pub1 => ("/disclosure", "到“财务公开”页办理"),
        Rule::Ppl1 => ("/admin/people", "到“人员与任职”页办理"),
        Rule::Vch2 | Rule::Acc1 | Rule::Acc2 => ("/admin/accounts", "到“会计科目”页办理"),
        Rule::Apr1 | Rule::Apr2 => ("/admin/authorizations", "到“审批依据”页登记"),
        Rule::Opr1 => ("/admin/passphrase", "到“修改口令”页设置"),
        Rule::Opn1 => ("/reports/opening", "到“期初余额表”查看"),
        _ => return None,
    };
    Some((ledger_url(ledger, rest), words))
}

/// A plain notice that something was done.
pub fn done(text: &str) -> Markup {
    html! { div.done role="status" { (text) } }
}

pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, page("找不到", None, html! { h1 { "找不到这个页面" } p { a href="/" { "回到首页" } } }))
        .into_response()
}

pub fn forbidden(why: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        page("不能办理", None, html! { h1 { "不能办理" } p { (why) } p { a href="/" { "回到首页" } } }),
    )
        .into_response()
}

/// A failure that is no one's input: the store could not be read.
pub fn failure(e: &qianzhang_app::Error) -> Response {
    use qianzhang_app::Error;
    use qianzhang_core::backend::BackendError;
    let status = match e {
        Error::Refused { .. } | Error::Usage(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Backend(BackendError::Busy) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (
        status,
        page("未能显示", None, html! { h1 { "未能显示" } (read_refusal(e, None)) p { a href="/" { "回到首页" } } }),
    )
        .into_response()
}

/// Runs blocking work (the store is SQLite) off the async workers.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Response> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| failure(&qianzhang_app::Error::Internal("服务器内部错误，未作任何改动".into())))
}

/// The page of voucher `r`.
pub fn voucher_url(ledger: &str, r: qianzhang_core::VoucherRef) -> String {
    ledger_url(ledger, &format!("/v/{}/{}", r.period, r.number))
}
