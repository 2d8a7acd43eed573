//! Printing (PRN-1): vouchers as the 记账凭证 form and the books as
//! bound-book pages, the very HTML `qianzhang print …` writes.
//!
//! That HTML is one self-contained file with its own `<style>`; the
//! office's Content-Security-Policy forbids inline styles, so these answers
//! carry a policy of their own: inline styles allowed, still no script,
//! nothing fetched, no form.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as AxState};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::html;
use qianzhang_app::print::{self as app, Book, Which};
use qianzhang_core::names::Named;
use qianzhang_core::{Period, VoucherRef};
use qianzhang_report::print::{book_html, vouchers_html, BookKind, Printed, VoucherPaper, VoucherSheet};

use super::{status_of, Ask};
use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, ledger_url, page, run};
use crate::state::State;

pub fn routes() -> Router<Arc<State>> {
    Router::new()
        .route("/l/{ledger}/print/voucher/{period}/{number}", get(voucher))
        .route("/l/{ledger}/print/vouchers", get(vouchers))
        .route("/l/{ledger}/print/ledger", get(ledger_book))
        .route("/l/{ledger}/print/cash-journal", get(cash_journal))
        .route("/l/{ledger}/print/bank-journal", get(bank_journal))
}

/// What a printed page may do: show itself with its own styles.
const PRINTED_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                              frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

fn printed(p: Printed) -> Response {
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], p.html).into_response();
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PRINTED_POLICY));
    res
}

/// Nothing printed: the refusal, in the office's frame.
fn refused(o: &Officer, what: &str, e: &qianzhang_app::Error) -> Response {
    let body = html! {
        h1 { (what) }
        (page::read_refusal(e, Some(o.ledger())))
        p { a href=(ledger_url(o.ledger(), "/reports")) { "← 回到账表" } }
    };
    (status_of(e), page(what, Some(o), body)).into_response()
}

fn paper(fields: &Fields) -> Result<VoucherPaper, qianzhang_app::Error> {
    match fields.get("paper") {
        None => Ok(VoucherPaper::A5),
        Some(p) => VoucherPaper::from_name(p)
            .ok_or_else(|| qianzhang_app::Error::Usage(format!("不认识的纸张“{p}”：可选 a5（凭证纸）或 a4"))),
    }
}

async fn print_vouchers(
    state: &Arc<State>,
    o: &Officer,
    which: Which,
    paper: VoucherPaper,
) -> Result<Result<Printed, qianzhang_app::Error>, Response> {
    let (st, l) = (state.clone(), o.ledger().to_string());
    run(move || {
        let batch = app::vouchers(&*st.ledger(&l)?, &which)?;
        let sheets: Vec<VoucherSheet<'_>> = batch
            .sheets
            .iter()
            .map(|s| VoucherSheet { voucher: &s.voucher, status: s.status, signatures: &s.signatures })
            .collect();
        Ok(vouchers_html(&batch.unit, &sheets, &batch.chart, paper))
    })
    .await
}

/// `GET /l/{ledger}/print/voucher/{period}/{number}?paper=a5|a4`: one voucher.
async fn voucher(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path((ledger, period, number)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (Ok(period), Ok(number)) = (Period::parse(&period), number.parse::<u32>()) else {
        return page::not_found().await;
    };
    let fields = Fields::parse(query.as_deref().unwrap_or("").as_bytes());
    let paper = match paper(&fields) {
        Ok(p) => p,
        Err(e) => return refused(&o, "打印记账凭证", &e),
    };
    let r = VoucherRef { period, number };
    match print_vouchers(&state, &o, Which::Refs(vec![r]), paper).await {
        Ok(Ok(p)) => printed(p),
        // A voucher that does not exist is not found, as its page is.
        Ok(Err(qianzhang_app::Error::Refused { .. })) => page::not_found().await,
        Ok(Err(e)) => refused(&o, "打印记账凭证", &e),
        Err(resp) => resp,
    }
}

/// `GET /l/{ledger}/print/vouchers?month=YYYY-MM&paper=a5|a4`: a month's vouchers.
async fn vouchers(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let fields = Fields::parse(query.as_deref().unwrap_or("").as_bytes());
    let month = match fields.get("month") {
        Some(m) => Period::parse(m).map_err(|e| qianzhang_app::Error::Usage(e.to_string())),
        None => Err(qianzhang_app::Error::Usage("请选择要打印凭证的月份".into())),
    };
    let (month, paper) = match (month, paper(&fields)) {
        (Ok(m), Ok(p)) => (m, p),
        (Err(e), _) | (_, Err(e)) => return refused(&o, "打印记账凭证", &e),
    };
    match print_vouchers(&state, &o, Which::Period(month), paper).await {
        Ok(Ok(p)) => printed(p),
        Ok(Err(e)) => refused(&o, "打印记账凭证", &e),
        Err(resp) => resp,
    }
}

async fn ledger_book(s: AxState<Arc<State>>, o: Officer, l: Path<String>, q: RawQuery) -> Response {
    book(s, o, l, q, Book::Ledger).await
}

async fn cash_journal(s: AxState<Arc<State>>, o: Officer, l: Path<String>, q: RawQuery) -> Response {
    book(s, o, l, q, Book::CashJournal).await
}

async fn bank_journal(s: AxState<Arc<State>>, o: Officer, l: Path<String>, q: RawQuery) -> Response {
    book(s, o, l, q, Book::BankJournal).await
}

/// `GET /l/{ledger}/print/{ledger|cash-journal|bank-journal}?account=&month=&from=&to=`:
/// a book as bound-book pages.
async fn book(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    RawQuery(query): RawQuery,
    which: Book,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (kind, what) = match which {
        Book::Ledger => (BookKind::Ledger, "打印明细账"),
        Book::CashJournal => (BookKind::CashJournal, "打印现金日记账"),
        Book::BankJournal => (BookKind::BankJournal, "打印银行存款日记账"),
    };
    let ask = Ask::from_fields(&Fields::parse(query.as_deref().unwrap_or("").as_bytes()));
    let today = state.now().date();
    let (st, l) = (state.clone(), ledger.clone());
    let done = run(move || {
        let range = ask.range()?;
        let account = ask.account();
        let rows = app::book(&mut *st.ledger(&l)?, which, account.as_deref(), range, today)?;
        Ok(book_html(&rows, kind))
    })
    .await;
    match done {
        Ok(Ok(p)) => printed(p),
        Ok(Err(e)) => refused(&o, what, &e),
        Err(r) => r,
    }
}
