//! The admin's pages under `/l/{ledger}/admin`: people and appointments,
//! kinship with the relation explained, the chart of accounts,
//! authorizations with their remaining caps, receipt books, settings and
//! the calendar; and one's own passphrase, which every officer changes.
//!
//! Every page shows its records to every officer of the ledger; the forms
//! that change them are shown to whoever holds the post the act needs
//! (管理员; the cashier for receipts). Every write is the application's own
//! call through [`State::act`], so a refused attempt (a direct post by
//! someone without the post) is refused, and logged, by the same rule as
//! at the command line.

mod accounts;
mod office;
mod people;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use qianzhang_core::people::Role;

use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, ledger_url, page, refusal};
use crate::state::State;

pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/l/{ledger}/admin", get(index))
        .route("/l/{ledger}/admin/people", get(people::page))
        .route("/l/{ledger}/admin/people/{action}", post(people::act))
        .route("/l/{ledger}/admin/passphrase", get(people::passphrase_page).post(people::change_passphrase))
        .route("/l/{ledger}/admin/kinship", get(people::kinship_page))
        .route("/l/{ledger}/admin/kinship/relate", post(people::relate))
        .route("/l/{ledger}/admin/accounts", get(accounts::page))
        .route("/l/{ledger}/admin/accounts/import", post(accounts::import))
        .route("/l/{ledger}/admin/accounts/{action}", post(accounts::act))
        .route("/l/{ledger}/admin/authorizations", get(office::authorizations_page))
        .route("/l/{ledger}/admin/authorizations/add", post(office::record))
        .route("/l/{ledger}/admin/receipts", get(office::receipts_page))
        .route("/l/{ledger}/admin/receipts/{action}", post(office::receipts_act))
        .route("/l/{ledger}/admin/settings", get(office::settings_page))
        .route("/l/{ledger}/admin/settings/{action}", post(office::settings_act))
}

/// The pages of the admin section: path, title, what it keeps.
const PAGES: [(&str, &str, &str); 7] = [
    ("/admin/people", "人员与任职", "登记人员、任命与结束任职、重置口令"),
    ("/admin/kinship", "亲属关系", "登记亲属关系，查询两人是否近亲属及依据（回避）"),
    ("/admin/accounts", "会计科目", "科目表、增设、更名、停用、导入科目文件"),
    ("/admin/authorizations", "审批依据", "两委决议、政府批复、居民决议，限额与余额"),
    ("/admin/receipts", "收据", "收据本登记，开具与作废收据"),
    ("/admin/settings", "设置", "审批限额、现金限额等设置，节假日与调休上班日"),
    ("/admin/passphrase", "修改口令", "修改自己的登录口令"),
];

/// `GET /l/{ledger}/admin`.
async fn index(officer: Officer, axum::extract::Path(ledger): axum::extract::Path<String>) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let body = html! {
        h1 { "管理" }
        p.hint { "各页的登记内容所有在任人员都能查看；改动由管理员办理（开具、作废收据由出纳办理）。每项改动都记入日志。" }
        ul.admin-index {
            @for (path, title, what) in PAGES {
                li { a href=(ledger_url(&ledger, path)) { (title) } " — " (what) }
            }
        }
    };
    page("管理", Some(&o), body).into_response()
}

/// The links between the admin's pages.
fn subnav(ledger: &str) -> Markup {
    html! {
        nav.subnav.noprint {
            a href=(ledger_url(ledger, "/admin")) { "管理" }
            @for (path, title, _) in PAGES { " · " a href=(ledger_url(ledger, path)) { (title) } }
        }
    }
}

/// What a page says after a form was sent: which form, done or refused,
/// and what was typed (shown again when refused).
#[derive(Default)]
pub(crate) struct Said {
    form: String,
    notice: Option<String>,
    error: Option<qianzhang_app::Error>,
    /// What the act was done despite: conflicts it revealed (SEP-7).
    warnings: Vec<qianzhang_core::Refusal>,
    typed: Fields,
}

impl Said {
    fn new(form: &str, typed: Fields, outcome: Result<String, qianzhang_app::Error>) -> Said {
        let (notice, error) = match outcome {
            Ok(n) => (Some(n), None),
            Err(e) => (None, Some(e)),
        };
        Said { form: form.to_string(), notice, error, warnings: Vec::new(), typed }
    }

    /// The value typed into `name` of `form` when that form was refused.
    fn value(&self, form: &str, name: &str) -> String {
        if self.form == form && self.error.is_some() {
            self.typed.text(name).to_string()
        } else {
            String::new()
        }
    }

    /// Like [`Said::value`], with `default` when nothing was typed.
    fn value_or(&self, form: &str, name: &str, default: &str) -> String {
        if self.form == form && self.error.is_some() {
            self.typed.text(name).to_string()
        } else {
            default.to_string()
        }
    }

    /// Whether the checkbox `name` of `form` was ticked when refused.
    fn checked(&self, form: &str, name: &str) -> bool {
        self.form == form && self.error.is_some() && self.typed.get(name).is_some()
    }

    /// The notice or refusal beside `form`.
    fn beside(&self, form: &str) -> Markup {
        html! {
            @if self.form == form {
                @if let Some(n) = &self.notice { (page::done(n)) }
                @if !self.warnings.is_empty() {
                    div.refusal role="alert" {
                        p { strong { "请注意：" } "已登记，但与现任职务冲突：" }
                        ul { @for w in &self.warnings { li { (page::reason(w, None)) } } }
                    }
                }
                @if let Some(e) = &self.error { (refusal(e, None)) }
            }
        }
    }

    fn status(&self) -> StatusCode {
        match &self.error {
            Some(qianzhang_app::Error::Backend(qianzhang_core::backend::BackendError::Busy)) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
            None => StatusCode::OK,
        }
    }
}

/// An admin page: the frame, the sub-navigation, the status the last
/// form's outcome asks for.
fn answer(o: &Officer, title: &str, said: &Said, body: Markup) -> Response {
    let body = html! { (subnav(o.ledger())) (body) };
    (said.status(), page(title, Some(o), body)).into_response()
}

/// The posts `person` holds at the ledger today.
fn roles_of(registry: &qianzhang_core::people::Registry, person: &str, today: time::Date) -> Vec<Role> {
    registry.in_force(today).filter(|a| a.person == person).map(|a| a.role).collect()
}

/// Shown in place of forms to someone without the post.
fn read_only(role: Role) -> Markup {
    html! { p.hint.readonly { "只读：这里的改动须由" (role.chinese()) "办理。" } }
}

/// A date typed into a form, for the rule that reads it.
fn date_field(
    fields: &Fields,
    name: &str,
    what: &str,
    rule: qianzhang_core::Rule,
) -> Result<Option<time::Date>, qianzhang_app::Error> {
    match fields.get(name) {
        None => Ok(None),
        Some(d) => qianzhang_core::period::parse_date(d)
            .map(Some)
            .map_err(|_| qianzhang_app::Error::refuse(rule, format!("{what}“{d}”无法识别：请写成 2025-04-10"))),
    }
}

/// A whole number typed into a form.
fn number_field(
    fields: &Fields,
    name: &str,
    what: &str,
    rule: qianzhang_core::Rule,
) -> Result<u32, qianzhang_app::Error> {
    let t = fields.text(name).trim();
    t.parse::<u32>().map_err(|_| qianzhang_app::Error::refuse(rule, format!("{what}“{t}”须为不小于 0 的整数")))
}

/// A kind typed as one of its names (English or Chinese).
fn named<T: qianzhang_core::names::Named>(
    fields: &Fields,
    name: &str,
    what: &str,
    rule: qianzhang_core::Rule,
) -> Result<T, qianzhang_app::Error> {
    let t = fields.text(name);
    T::from_name(t).ok_or_else(|| qianzhang_app::Error::refuse(rule, format!("{what}“{}”无法识别", t.trim())))
}

/// `<option>`s of a named kind, each shown by its first Chinese name,
/// `selected` chosen.
fn options<T: qianzhang_core::names::Named>(selected: &str) -> Markup {
    options_shown::<T>(selected, |n| n.aliases.first().copied().unwrap_or(n.gloss))
}

/// `<option>`s of a named kind, each shown as `shown` says.
fn options_shown<T: qianzhang_core::names::Named>(
    selected: &str,
    shown: impl Fn(&qianzhang_core::names::Names<T>) -> &'static str,
) -> Markup {
    html! {
        @for n in T::ALL {
            option value=(n.name) selected[n.name == selected] { (shown(n)) }
        }
    }
}
