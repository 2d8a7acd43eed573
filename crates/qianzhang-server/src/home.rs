//! `/`: where a signed-in person goes; `/l/{ledger}`: what awaits them.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use qianzhang_core::lifecycle::SignKind;
use qianzhang_core::todo::Kind;
use qianzhang_core::{Period, VoucherRef};

use crate::auth::Officer;
use crate::page::{self, ledger_url, page, run, voucher_url};
use crate::state::State;

/// `GET /`: the sign-in page, the one ledger, or a choice of ledgers.
pub async fn root(officer: Result<Officer, Response>) -> Response {
    let officer = match officer {
        Ok(o) => o,
        Err(_) => return Redirect::to("/signin").into_response(),
    };
    if officer.ledgers.len() == 1 {
        return Redirect::to(&ledger_url(&officer.ledgers[0], "")).into_response();
    }
    let body = html! {
        h1 { "选择账套" }
        ul.ledgers {
            @for l in &officer.ledgers { li { a href=(ledger_url(l, "")) { (l) } } }
        }
    };
    page("选择账套", Some(&officer), body).into_response()
}

/// Where a to-do item is done, and what the link says: the item names its
/// act (its kind) and target (its subject); the page is the web office's.
fn item_link(ledger: &str, kind: Kind, subject: &str) -> Option<(String, &'static str)> {
    let month = |anchor: &str| match Period::parse(subject) {
        Ok(m) => ledger_url(ledger, &format!("/month?month={m}#{anchor}")),
        Err(_) => ledger_url(ledger, &format!("/month#{anchor}")),
    };
    Some(match kind {
        Kind::Sign(SignKind::Review) => (VoucherRef::parse(subject).map(|r| voucher_url(ledger, r))?, "去审核"),
        Kind::Sign(SignKind::Approve) => (VoucherRef::parse(subject).map(|r| voucher_url(ledger, r))?, "去审批"),
        Kind::Sign(SignKind::Confirm) => (VoucherRef::parse(subject).map(|r| voucher_url(ledger, r))?, "去确认"),
        Kind::Post => (VoucherRef::parse(subject).map(|r| voucher_url(ledger, r))?, "去记账"),
        Kind::CountCash => (ledger_url(ledger, "/month#count"), "去盘点"),
        Kind::Reconcile => (month("bank"), "去对账"),
        Kind::Close => (month("close"), "去结账"),
        Kind::ReviewDisclosure => match Period::parse(subject) {
            Ok(m) => (ledger_url(ledger, &format!("/disclosure?month={m}")), "去审核"),
            Err(_) => (ledger_url(ledger, "/disclosure"), "去审核"),
        },
        Kind::AppointmentEnds => (ledger_url(ledger, "/admin/people"), "去任命"),
        Kind::NearCap => (ledger_url(ledger, "/admin/authorizations"), "去录入"),
        Kind::Openings => (ledger_url(ledger, "/reports/opening"), "去查看"),
    })
}

/// `GET /l/{ledger}`: 待办 — what awaits the person today.
pub async fn home(AxState(state): AxState<Arc<State>>, officer: Officer, Path(ledger): Path<String>) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, person, l) = (state.clone(), o.person.clone(), ledger.clone());
    let list = match run(move || {
        let mut ledger = st.ledger(&l)?;
        qianzhang_app::todo::todo(&mut ledger, &person, st.now().date())
    })
    .await
    {
        Ok(Ok(list)) => list,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let body = html! {
        h1 { "待办事项" }
        p.sub {
            (list.person) " · " (qianzhang_core::period::format_date(list.date))
            @if let Some(p) = &list.posts { " · 职务：" (p) } @else { " · 今天不在任" }
        }
        @if list.items.is_empty() {
            p.empty { "今天没有等您办理的事项。" }
        } @else {
            table.todo {
                thead { tr { th { "事项" } th { "对象" } th { "要做什么" } th { "规则" } th { "办理" } } }
                tbody {
                    @for item in &list.items {
                        @let link = item_link(&ledger, item.kind, &item.subject);
                        tr {
                            td { (item.kind.chinese()) }
                            td.subject {
                                @match &link {
                                    Some((href, _)) => a href=(href) { (item.subject) },
                                    None => (item.subject),
                                }
                            }
                            td { (item.what) }
                            td.rule { (item.rule.to_string()) }
                            td.go { @if let Some((href, go)) = &link { a.button href=(href) { (go) } } }
                        }
                    }
                }
            }
        }
        p.actions {
            @if o.prepares { a.button href=(ledger_url(&ledger, "/voucher/new")) { "制单" } }
            a.button href=(ledger_url(&ledger, "/vouchers")) { "凭证列表" }
            a.button href=(ledger_url(&ledger, "/reports")) { "账表" }
        }
    };
    page("待办", Some(&o), body).into_response()
}
