//! The office in-process: a copy of the sample community's books (the
//! first quarter of 2025 kept and closed) on the backend the run chose
//! ([`store`]: SQLite, or PostgreSQL with `QIANZHANG_TEST_BACKEND=postgres`),
//! a router over it with a pinned clock, and a small browser that keeps its
//! cookie and CSRF token.
#![allow(dead_code)]

pub mod browser;
#[path = "../../../qianzhang-cli/tests/common/pg_server.rs"]
pub mod pg_server;
pub mod store;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use qianzhang_db::Db as Store;
use qianzhang_server::{Clock, Config};
use time::macros::datetime;
use time::OffsetDateTime;
use tower::ServiceExt;

pub const LEDGER: &str = qianzhang_app::demo::LEDGER;
pub const PASSPHRASE: &str = qianzhang_app::demo::PASSPHRASE;
pub const ACCOUNTANT: &str = "赵敏";
pub const CASHIER: &str = "王芳";
pub const REVIEWER: &str = "刘洋";
pub const APPROVER: &str = "李明";
pub const AUDITOR: &str = "陈静";
pub const ADMIN: &str = "管理员";

/// The smallest PNG: a 1×1 image.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0xE9, 0xFA, 0xDC, 0xD8, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The day the tests act on: April is open, the first quarter closed.
pub const NOW: OffsetDateTime = datetime!(2025-04-10 10:00:00 +08:00);

/// Seeds the books `db` names (a file or a database URL): the template
/// every office's books are copied from, made once per test binary.
fn seed(db: &Path) {
    let hash = qianzhang_app::session::hash_new(PASSPHRASE).expect("hash");
    let seeded = qianzhang_app::demo::seed(
        qianzhang_db::open(db, std::time::Duration::from_secs(10)).expect("store"),
        NOW,
        hash,
    )
    .expect("seed");
    drop(seeded);
}

/// One office over its own copy of the books.
pub struct Office {
    pub dir: tempfile::TempDir,
    /// What `--db` would name: the SQLite file, or the PostgreSQL URL.
    pub db: PathBuf,
    pub router: Router,
    pub now: Arc<Mutex<OffsetDateTime>>,
    /// The books; a PostgreSQL database is dropped with the office.
    pub store: store::TestStore,
}

/// Sign-in waits (OPR-1) the office asked for, in order.
pub static PAUSES: Mutex<Vec<Duration>> = Mutex::new(Vec::new());

fn record_pause(d: Duration) {
    PAUSES.lock().unwrap_or_else(|e| e.into_inner()).push(d);
}

impl Office {
    pub fn new() -> Office {
        Office::with(|_| {})
    }

    /// An office whose config `tune` adjusts.
    pub fn with(tune: impl FnOnce(&mut Config)) -> Office {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store::TestStore::seeded(dir.path(), seed);
        let db = store.path().to_path_buf();
        let now = Arc::new(Mutex::new(NOW));
        let n = now.clone();
        let clock: Clock = Arc::new(move || *n.lock().unwrap_or_else(|e| e.into_inner()));
        let mut config = Config::new(db.clone(), clock);
        config.pause = record_pause;
        tune(&mut config);
        let router = qianzhang_server::router(config);
        Office { dir, db, router, now, store }
    }

    pub fn set_now(&self, t: OffsetDateTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }

    /// A browser with no cookie yet.
    pub fn browser(&self) -> Browser {
        Browser { router: self.router.clone(), cookie: None, csrf: None }
    }

    /// A browser signed in as `name` with the demo passphrase.
    pub async fn signed_in(&self, name: &str) -> Browser {
        let mut b = self.browser();
        let page = b.sign_in(name, PASSPHRASE).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{name} signs in: {}", page.body);
        b
    }

    /// The ledger as the application reads it (to check what changed).
    /// On PostgreSQL, whose synchronous client cannot run on the test's
    /// async thread, it is a verified copy of the office's database taken
    /// now into a SQLite file (the administrator copies it, as `qianzhang
    /// copy` does): it reads what the office holds; writes to it stay in
    /// the copy.
    pub fn ledger(&self) -> qianzhang_app::Ledger<Store> {
        let wait = std::time::Duration::from_secs(10);
        let open = |db: &Path| qianzhang_db::open(db, wait).expect("open");
        if self.store.backend() == store::Backend::Sqlite {
            return qianzhang_app::Ledger::select(open(&self.db), Some(LEDGER)).expect("ledger");
        }
        let now = *self.now.lock().unwrap_or_else(|e| e.into_inner());
        store::off_runtime(|| {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut copy = open(&self.dir.path().join(format!("copy-{n}.db")));
            let claim = qianzhang_app::session::Claim { name: ADMIN.into(), now, command: "test: read".into() };
            let done = qianzhang_app::copy::copy(
                open(&self.db),
                &mut copy,
                &[LEDGER.to_string()],
                &claim,
                PASSPHRASE,
                &mut |_, _, _| {},
            )
            .expect("copy");
            assert!(done.failed.is_none(), "{:?}", done.failed);
            qianzhang_app::Ledger::select(copy, Some(LEDGER)).expect("ledger")
        })
    }

    /// How many entries the ledger's log holds.
    pub fn log_len(&self) -> usize {
        store::off_runtime(|| {
            let ledger = qianzhang_app::Ledger::select(
                qianzhang_db::open(&self.db, std::time::Duration::from_secs(10)).expect("open"),
                Some(LEDGER),
            )
            .expect("ledger");
            qianzhang_app::ledger::log(&ledger, 1_000_000).expect("log").len()
        })
    }

    pub fn path(&self) -> &Path {
        &self.db
    }

    /// Another client of the office's books, as another program would hold
    /// them (see [`OtherClient::execute_batch`]).
    pub fn other_client(&self) -> OtherClient {
        match &self.store {
            store::TestStore::Sqlite(path) => OtherClient::Sqlite(rusqlite::Connection::open(path).expect("open")),
            store::TestStore::Postgres { url, .. } => {
                let (to, from) = std::sync::mpsc::channel::<(String, std::sync::mpsc::Sender<Result<(), String>>)>();
                let url = url.clone();
                // The synchronous client lives on a thread of its own.
                std::thread::spawn(move || {
                    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
                    for (sql, answer) in from {
                        let _ = answer.send(client.batch_execute(&sql).map_err(|e| e.to_string()));
                    }
                });
                OtherClient::Postgres(to)
            }
        }
    }
}

/// Another program's connection to the office's books.
pub enum OtherClient {
    Sqlite(rusqlite::Connection),
    Postgres(std::sync::mpsc::Sender<(String, std::sync::mpsc::Sender<Result<(), String>>)>),
}

impl OtherClient {
    /// Runs `sql` as SQLite reads it. On PostgreSQL, `BEGIN IMMEDIATE`
    /// (SQLite's write lock, taken at once) is a transaction locking every
    /// ledger's chain head, the row each write locks first; anything else
    /// is run as given.
    pub fn execute_batch(&self, sql: &str) -> Result<(), String> {
        match self {
            OtherClient::Sqlite(conn) => conn.execute_batch(sql).map_err(|e| e.to_string()),
            OtherClient::Postgres(to) => {
                let sql = match sql.trim() {
                    "BEGIN IMMEDIATE" => "BEGIN; SELECT 1 FROM chain_heads FOR UPDATE".to_string(),
                    other => other.to_string(),
                };
                let (answer, answered) = std::sync::mpsc::channel();
                to.send((sql, answer)).map_err(|e| e.to_string())?;
                answered.recv().map_err(|e| e.to_string())?
            }
        }
    }
}

impl Drop for Office {
    /// The router holds the office's open books: on PostgreSQL they are
    /// closed off the test's async thread, as the server's own threads would.
    fn drop(&mut self) {
        let router = std::mem::take(&mut self.router);
        store::off_runtime(move || drop(router));
    }
}

/// What came back.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn set_cookie(&self) -> Option<String> {
        self.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).map(str::to_string)
    }

    /// The page's text with tags and runs of space removed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in self.body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    out.push(' ');
                }
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// A browser: keeps the session cookie and the last CSRF token it saw.
pub struct Browser {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

/// The ledger's pages under `/l/…`.
pub fn at(rest: &str) -> String {
    format!("/l/{}{rest}", urlencode(LEDGER))
}

pub fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

fn csrf_in(body: &str) -> Option<String> {
    for marker in ["data-csrf=\"", "name=\"csrf\" value=\""] {
        if let Some(i) = body.find(marker) {
            let rest = &body[i + marker.len()..];
            return rest.split('"').next().map(str::to_string);
        }
    }
    None
}

impl Browser {
    pub async fn send(&mut self, req: Request<Body>) -> Page {
        let res = self.router.clone().oneshot(req).await.expect("answer");
        let status = res.status();
        let headers = res.headers().clone();
        if let Some(c) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            let pair = c.split(';').next().unwrap_or("").to_string();
            if pair.ends_with('=') {
                self.cookie = None;
            } else {
                self.cookie = Some(pair);
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes().to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = csrf_in(&body) {
            self.csrf = Some(t);
        }
        Page { status, headers, body, bytes }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.request("GET", path).body(Body::empty()).expect("request");
        self.send(req).await
    }

    /// A form post with this browser's CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A form post, then the page a redirect leads to (as a browser goes on).
    pub async fn post_follow(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.post(path, fields).await;
        match page.status {
            StatusCode::SEE_OTHER => {
                let to = page.location().split('#').next().unwrap_or_default().to_string(); // a browser keeps the #section to itself
                self.get(&to).await
            }
            _ => page,
        }
    }

    /// A form post exactly as given (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish();
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// A file upload (multipart) with this browser's CSRF token, then the
    /// page a redirect leads to.
    pub async fn upload(&mut self, path: &str, field: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Page {
        let boundary = "qianzhang-test-boundary-7d1f";
        let token = self.csrf.clone().unwrap_or_default();
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n").as_bytes(),
        );
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("request");
        let page = self.send(req).await;
        match page.status {
            StatusCode::SEE_OTHER => {
                let to = page.location().split('#').next().unwrap_or_default().to_string(); // a browser keeps the #section to itself
                self.get(&to).await
            }
            _ => page,
        }
    }

    /// Opens the sign-in page, then signs in.
    pub async fn sign_in(&mut self, name: &str, passphrase: &str) -> Page {
        let form = self.get("/signin").await;
        assert_eq!(form.status, StatusCode::OK);
        self.post("/signin", &[("name", name), ("passphrase", passphrase), ("next", "/")]).await
    }
}
