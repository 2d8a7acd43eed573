//! The web office of qianzhang (`qianzhang serve`): the officers' pages and
//! the residents' public board, rendered on the server.
//!
//! A page handler parses the request, makes one call into
//! `qianzhang-app` (the same call the command line makes, so every rule,
//! refusal and log entry is the same) and renders what comes back with
//! maud, which escapes everything it shows. htmx, vendored as a static
//! file, swaps small fragments in place (the account picker, a voucher's
//! running totals, a new voucher line); no page needs script to work
//! except those conveniences.
//!
//! Who is signed in is kept on the server: a random 256-bit id in an
//! HttpOnly, SameSite=Strict cookie names an entry in memory that holds
//! the person, the ledgers they signed in at and the CSRF token every form
//! carries. The books are the store `--db` names: one connection per
//! request, reads in parallel; writes one at a time on a SQLite file (the
//! store's own lock, and a process-wide write lock in front of it so
//! officers queue here rather than in SQLite), one at a time per ledger on
//! PostgreSQL (a write there locks only its ledger's chain head).

// Handlers answer a refusal with the page that says so: `Result<_, Response>`.
#![allow(clippy::result_large_err)]

mod admin;
mod auth;
mod board;
mod form;
mod home;
mod month;
mod page;
mod reports;
mod state;
mod street;
mod vouchers;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use state::State;
pub use state::{Clock, Config};

/// Everything the office serves.
pub fn router(config: Config) -> Router {
    let state = Arc::new(State::new(config));
    Router::new()
        .route("/", get(home::root))
        .route("/signin", get(auth::sign_in_page).post(auth::sign_in))
        .route("/signout", post(auth::sign_out))
        .route("/static/{file}", get(page::asset))
        .route("/l/{ledger}", get(home::home))
        .merge(vouchers::routes())
        .merge(reports::routes())
        .merge(month::routes())
        .merge(admin::routes())
        .merge(board::routes())
        .merge(street::routes())
        .fallback(page::not_found)
        .layer(DefaultBodyLimit::max(state::MAX_BODY))
        .layer(axum::middleware::from_fn(page::headers))
        .with_state(state)
}

/// Serves the office on `listen` until the process is stopped.
pub async fn serve(config: Config, listen: SocketAddr) -> std::io::Result<()> {
    let app = router(config);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await
}

/// Serves the office on `listen`, on a runtime of its own, until the
/// process is stopped; `ready` is told the address once it listens.
pub fn run(config: Config, listen: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        ready(listener.local_addr()?);
        axum::serve(listener, router(config)).with_graceful_shutdown(shutdown()).await
    })
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
