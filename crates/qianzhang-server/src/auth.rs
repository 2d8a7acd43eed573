//! Sign-in, sign-out, the session cookie and the CSRF token (OPR-1).
//!
//! The passphrase is checked by the application's own sign-in
//! (`qianzhang_app::session::check_sign_in`): the same argon2id records,
//! the same slowing and lockout after repeated failures, the same log
//! entries as the command line. A person is let into the ledgers where
//! their passphrase checks out and they hold a post.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Query, State as AxState};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use maud::html;
use qianzhang_app::{Claim, Ledger};
use qianzhang_core::backend::Backend;
use qianzhang_core::operator::{authorize, Act};

use crate::form::Fields;
use crate::page::{self, page};
use crate::state::{State, WebSession};

/// The session cookie's name.
pub const COOKIE: &str = "qianzhang_session";

/// A signed-in person, and the ledger the page is about once checked.
#[derive(Clone, Debug)]
pub struct Officer {
    /// The session's id (its cookie).
    pub id: String,
    pub person: String,
    pub ledgers: Vec<String>,
    pub csrf: String,
    pub ledger: Option<String>,
    /// Whether they may prepare vouchers (制单) today at the ledger the
    /// page is about: the core's own check of the act (OPR-1, SEP-5), read
    /// for a page under `/l/{ledger}` so the page offers 制单 only to
    /// those it is open to. Submitting is checked again, whatever this says.
    pub prepares: bool,
}

impl Officer {
    /// The officer at `ledger`: a ledger they did not sign in at does not
    /// exist for them (404).
    pub fn at(mut self, ledger: &str) -> Result<Officer, Response> {
        if !self.ledgers.iter().any(|l| l == ledger) {
            return Err(not_found_response());
        }
        self.ledger = Some(ledger.to_string());
        Ok(self)
    }

    pub fn ledger(&self) -> &str {
        self.ledger.as_deref().unwrap_or("")
    }

    /// [CSRF] the form's token (or htmx's header) is this session's.
    pub fn check(&self, fields: &Fields, headers: &HeaderMap) -> Result<(), Response> {
        let given =
            fields.get("csrf").or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok())).unwrap_or("");
        if same(given.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(page::forbidden("表单已过期或来源不明（CSRF 校验未通过），未作任何改动。请刷新页面后重新提交。"))
        }
    }
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

pub(crate) fn not_found_response() -> Response {
    (StatusCode::NOT_FOUND, page("找不到", None, html! { h1 { "找不到这个页面" } p { a href="/" { "回到首页" } } }))
        .into_response()
}

/// The session id the request's cookie carries.
pub fn cookie_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()).filter_map(Result::ok).collect::<Vec<_>>())
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The Set-Cookie header for session `id` (empty: the cookie is removed).
pub fn set_cookie(state: &State, id: &str) -> HeaderValue {
    let mut c = Cookie::build((COOKIE, id.to_string()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies)
        .path("/");
    if id.is_empty() {
        c = c.max_age(cookie::time::Duration::ZERO);
    }
    HeaderValue::from_str(&c.build().to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl FromRequestParts<Arc<State>> for Officer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<State>) -> Result<Officer, Response> {
        let found = cookie_id(&parts.headers).and_then(|id| state.session(&id).map(|s| (id, s)));
        match found {
            Some((id, WebSession { person: Some(person), ledgers, csrf, .. })) => {
                let mut o = Officer { id, person, ledgers, csrf, ledger: None, prepares: false };
                // A fragment (htmx) shows no navigation: nothing to read.
                let about = ledger_of(parts.uri.path()).filter(|l| o.ledgers.contains(l));
                if let Some(l) = about.filter(|_| !parts.headers.contains_key("hx-request")) {
                    o.prepares = may(state, &o.person, &l, Act::KeepBooks).await;
                }
                Ok(o)
            }
            _ => {
                // A page asked for again after sign-in; a form's target is
                // not a page, so a form sent while signed out leads home.
                let next = match parts.method == axum::http::Method::GET {
                    true => parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"),
                    false => "/",
                };
                let to = format!("/signin?next={}", page::segment(next));
                Err(if parts.headers.contains_key("hx-request") {
                    // A fragment (the running totals, the picker) is not
                    // swapped: the page and what was typed on it stay, and
                    // office.js says the sign-in has lapsed.
                    StatusCode::UNAUTHORIZED.into_response()
                } else {
                    Redirect::to(&to).into_response()
                })
            }
        }
    }
}

/// The ledger a path under `/l/{ledger}` is about.
fn ledger_of(path: &str) -> Option<String> {
    let segment = path.strip_prefix("/l/")?.split('/').next()?;
    percent_encoding::percent_decode_str(segment).decode_utf8().ok().map(|l| l.into_owned())
}

/// Whether `person` may do `act` today at `ledger`, by the core's rule
/// for it (`operator::authorize`, the check every act is made under).
/// Anything unreadable answers no: the page then offers less, and the act
/// itself says why.
pub async fn may(state: &Arc<State>, person: &str, ledger: &str, act: Act) -> bool {
    matches!(admitted(state, person, ledger, act).await, Ok(Ok(())))
}

/// Whether `person` may do `act` today at `ledger`, and if not the
/// core's refusal saying why (SEP-5 for a cashier preparing).
pub async fn admitted(
    state: &Arc<State>,
    person: &str,
    ledger: &str,
    act: Act,
) -> Result<Result<(), qianzhang_app::Error>, Response> {
    let (st, who, l) = (state.clone(), person.to_string(), ledger.to_string());
    let today = state.now().date();
    page::run(move || {
        let registry = qianzhang_app::people::registry(&*st.ledger(&l)?)?;
        authorize(&registry, &who, act, today).map_err(qianzhang_app::Error::from)
    })
    .await
}

/// Whether `person` holds `role` in force today at `ledger` (a signature's
/// post, `SignKind::role`). Anything unreadable answers no.
pub async fn holds(state: &Arc<State>, person: &str, ledger: &str, role: qianzhang_core::people::Role) -> bool {
    let (st, who, l) = (state.clone(), person.to_string(), ledger.to_string());
    let today = state.now().date();
    let held = page::run(move || {
        let registry = qianzhang_app::people::registry(&*st.ledger(&l)?)?;
        let held = registry.in_force(today).any(|a| a.person == who && a.role == role);
        Ok::<_, qianzhang_app::Error>(held)
    })
    .await;
    matches!(held, Ok(Ok(true)))
}

#[derive(serde::Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

/// Only a path of this office is followed after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/l/") && !n.contains("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// `GET /signin`: the form, in an anonymous session of its own.
pub async fn sign_in_page(
    AxState(state): AxState<Arc<State>>,
    headers: HeaderMap,
    Query(next): Query<Next>,
) -> Response {
    sign_in_form(&state, &headers, next.next.as_deref(), "", None)
}

fn sign_in_form(
    state: &State,
    headers: &HeaderMap,
    next: Option<&str>,
    name: &str,
    error: Option<&qianzhang_app::Error>,
) -> Response {
    let existing = cookie_id(headers).and_then(|id| state.session(&id).map(|s| (id, s)));
    let (id, session) = match existing {
        Some((id, s)) if s.person.is_none() => (id, s),
        _ => state.open_session(None, Vec::new()),
    };
    let body = html! {
        section.signin {
            h1 { "钱账 · 登录" }
            p.hint { "社区财务办公：会计制单，审核、审批、出纳确认，记账，月末结账，财务公开。" }
            @if let Some(e) = error {
                div.refusal role="alert" {
                    @match e.refusals() {
                        Some(r) => { @for x in &r.reasons { p { (page::reason(x, None)) } } }
                        None => { p { (qianzhang_core::todo::plain(&e.to_string())) } }
                    }
                }
            }
            form method="post" action="/signin" {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="next" value=(safe_next(next));
                label { "姓名" input type="text" name="name" value=(name) autocomplete="username" required autofocus; }
                label { "口令" input type="password" name="passphrase" autocomplete="current-password" required; }
                button type="submit" { "登录" }
            }
            p.hint { "居民查看财务公开，不用登录：扫公开栏海报上的二维码，或打开 /board/社区名称。" }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut res = (status, page("登录", None, body)).into_response();
    res.headers_mut().insert(header::SET_COOKIE, set_cookie(state, &id));
    res
}

/// `POST /signin`.
pub async fn sign_in(AxState(state): AxState<Arc<State>>, headers: HeaderMap, fields: Fields) -> Response {
    // The form must come from this office's own sign-in page.
    let anonymous = cookie_id(&headers).and_then(|id| state.session(&id).map(|s| (id, s)));
    let Some((old_id, session)) = anonymous else {
        return sign_in_form(&state, &headers, fields.get("next"), "", None);
    };
    if !same(fields.text("csrf").as_bytes(), session.csrf.as_bytes()) {
        return page::forbidden("登录表单已过期（CSRF 校验未通过）。请刷新登录页后重新登录。");
    }
    let name = fields.text("name").trim().to_string();
    let passphrase = fields.text("passphrase").to_string();
    let next = safe_next(fields.get("next"));
    let st = state.clone();
    let who = name.clone();
    let checked = tokio::task::spawn_blocking(move || check(&st, &who, &passphrase)).await;
    let (ledgers, reset) = match checked {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => return sign_in_form(&state, &headers, Some(&next), &name, Some(&e)),
        Err(_) => return page::failure(&qianzhang_app::Error::Internal("登录未能完成".into())),
    };
    state.end_session(&old_id);
    let (id, _) = state.open_session(Some(name), ledgers.clone());
    // A passphrase an admin set is replaced by its owner before anything else (OPR-1).
    let to = match (reset, next.as_str()) {
        (Some(l), _) => page::ledger_url(&l, "/admin/passphrase"),
        (None, "/") if ledgers.len() == 1 => page::ledger_url(&ledgers[0], ""),
        _ => next,
    };
    let mut res = Redirect::to(&to).into_response();
    res.headers_mut().insert(header::SET_COOKIE, set_cookie(&state, &id));
    res
}

/// [OPR-1] checks the passphrase at every ledger that knows the name;
/// returns the ledgers where it checks out and the person holds a post, and
/// the first of them where the passphrase is one an admin set.
fn check(state: &State, name: &str, passphrase: &str) -> Result<(Vec<String>, Option<String>), qianzhang_app::Error> {
    let now = state.now();
    let claim = Claim::new(Some(name), now, "网页 登录")?;
    let store = state.store()?;
    let handles = store.ledgers()?;
    drop(store);
    if handles.is_empty() {
        return Err(qianzhang_app::Error::Usage("还没有账套：请先用 qianzhang init 建立账套".into()));
    }
    let mut admitted = Vec::new();
    let mut reset = None;
    let mut known = Vec::new();
    for h in &handles {
        let ledger = Ledger::select(state.store()?, Some(&h.info.name))?;
        if qianzhang_app::people::registry(&ledger)?.is_registered(name) {
            known.push(h.info.name.clone());
        }
    }
    // A person may keep a passphrase per ledger: where it matches, only
    // those ledgers are signed in, and the others (not entered) log no
    // failure. Where it matches nowhere, every ledger knowing the name logs
    // one (OPR-1); a name no ledger knows is checked and logged at the first.
    let mut matching = Vec::new();
    for l in &known {
        let ledger = Ledger::select(state.store()?, Some(l))?;
        if qianzhang_app::session::passphrase_matches(&ledger, name, passphrase)? {
            matching.push(l.clone());
        }
    }
    let tried = match (matching.is_empty(), known.is_empty()) {
        (false, _) => matching,
        (true, false) => known,
        (true, true) => vec![handles[0].info.name.clone()],
    };
    let mut first_error = None;
    let pause = state.config.pause;
    for l in tried {
        let mut ledger = Ledger::select(state.store()?, Some(&l))?;
        let mut wait = |_: &str, _: u32, d: std::time::Duration| pause(d);
        match qianzhang_app::session::check_sign_in(&mut ledger, &claim, passphrase, &mut wait) {
            Ok(()) => {
                let registry = qianzhang_app::people::registry(&ledger)?;
                if registry.posts(name, now.date()).is_some() {
                    if registry.passphrase_reset(name) && reset.is_none() {
                        reset = Some(l.clone());
                    }
                    admitted.push(l);
                }
            }
            Err(e) => {
                first_error.get_or_insert(generic(e));
            }
        }
    }
    match (admitted.is_empty(), first_error) {
        (false, _) => Ok((admitted, reset)),
        (true, Some(e)) => Err(e),
        (true, None) => Err(qianzhang_app::Error::refuse(
            qianzhang_core::Rule::Opr1,
            format!("{name} 今天在任何账套都没有在任的职务，不能登录办公；请管理员先任命"),
        )),
    }
}

/// A failed sign-in says the same whether the name or the passphrase was
/// wrong (the log keeps which); a lockout says until when.
fn generic(e: qianzhang_app::Error) -> qianzhang_app::Error {
    match &e {
        qianzhang_app::Error::Refused { refusals, .. } if !refusals.to_string().contains("锁定至") => {
            qianzhang_app::Error::refuse(
                qianzhang_core::Rule::Opr1,
                "姓名或口令不正确。连续输错会越等越久，连续五次将锁定 15 分钟。",
            )
        }
        _ => e,
    }
}

/// `POST /signout`.
pub async fn sign_out(AxState(state): AxState<Arc<State>>, headers: HeaderMap, fields: Fields) -> Response {
    if let Some(id) = cookie_id(&headers) {
        if let Some(s) = state.session(&id) {
            if !same(fields.text("csrf").as_bytes(), s.csrf.as_bytes()) {
                return page::forbidden("表单已过期（CSRF 校验未通过）。请刷新页面后再退出。");
            }
            state.end_session(&id);
        }
    }
    let mut res = Redirect::to("/signin").into_response();
    res.headers_mut().insert(header::SET_COOKIE, set_cookie(&state, ""));
    res
}
