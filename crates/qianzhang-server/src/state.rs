//! What the server holds between requests: where the books are, the clock
//! it was given, the signed-in sessions, and the writer lock.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use password_hash::rand_core::{OsRng, RngCore};
use qianzhang_app::{Claim, Ledger, Session};
use qianzhang_db::Db as Store;
use time::OffsetDateTime;

/// The time of an act, as the front end's caller reads it (the command line
/// passes its one clock; tests pin one).
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The largest request body: a scan (LIM-1) and its form.
pub const MAX_BODY: usize = 12 * 1024 * 1024;

/// How the office is run.
#[derive(Clone)]
pub struct Config {
    /// The store file.
    pub db: PathBuf,
    pub clock: Clock,
    /// A session unused this long is signed out (30 minutes).
    pub idle: Duration,
    /// Cookies are marked Secure: the office is reached over TLS (behind a
    /// proxy that terminates it).
    pub secure_cookies: bool,
    /// How long a write waits for a busy store before it says 系统繁忙.
    pub busy_wait: Duration,
    /// How a slowed sign-in waits (OPR-1); the server sleeps the request's
    /// own worker thread.
    pub pause: fn(Duration),
}

impl Config {
    pub fn new(db: PathBuf, clock: Clock) -> Config {
        Config {
            db,
            clock,
            idle: Duration::from_secs(30 * 60),
            secure_cookies: false,
            busy_wait: Duration::from_secs(3),
            pause: std::thread::sleep,
        }
    }
}

/// One browser's session: anonymous until its sign-in succeeds.
#[derive(Clone, Debug)]
pub struct WebSession {
    pub person: Option<String>,
    /// The ledgers the person signed in at and holds a post in.
    pub ledgers: Vec<String>,
    pub csrf: String,
    pub last_seen: Instant,
    /// What an act that succeeded said, for the page its redirect leads to
    /// (which form, and the words), shown once.
    pub flash: Option<(String, String)>,
}

/// The most sessions kept at once; the oldest anonymous ones go first.
const MAX_SESSIONS: usize = 10_000;

pub struct State {
    pub config: Config,
    sessions: Mutex<HashMap<String, WebSession>>,
    /// The write locks: one for the whole store on a SQLite file (it has one
    /// writer at a time), one per ledger on PostgreSQL (a write locks only
    /// its ledger's chain head, so different ledgers' writes go at once).
    writers: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Connections kept open between requests, their page caches warm.
    pool: Mutex<Vec<Store>>,
    /// The board's month pages as last made, by ledger, month and log head.
    board: Mutex<Vec<(String, Arc<String>)>>,
}

/// How many board pages are kept made.
const BOARD_PAGES: usize = 16;

/// The most connections kept open between requests.
const POOL: usize = 8;

/// A ledger opened for one request; its connection goes back to the pool.
pub struct Desk<'a> {
    ledger: Option<Ledger<Store>>,
    state: &'a State,
}

impl std::ops::Deref for Desk<'_> {
    type Target = Ledger<Store>;
    fn deref(&self) -> &Ledger<Store> {
        self.ledger.as_ref().expect("a desk holds its ledger until dropped")
    }
}

impl std::ops::DerefMut for Desk<'_> {
    fn deref_mut(&mut self) -> &mut Ledger<Store> {
        self.ledger.as_mut().expect("a desk holds its ledger until dropped")
    }
}

impl Desk<'_> {
    fn take(mut self) -> Ledger<Store> {
        self.ledger.take().expect("a desk holds its ledger until dropped")
    }
}

impl Drop for Desk<'_> {
    fn drop(&mut self) {
        if let Some(l) = self.ledger.take() {
            self.state.put_back(l.into_backend());
        }
    }
}

/// 256 random bits, hex.
pub fn random_id() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl State {
    pub fn new(config: Config) -> State {
        State {
            config,
            sessions: Mutex::new(HashMap::new()),
            writers: Mutex::new(HashMap::new()),
            pool: Mutex::new(Vec::new()),
            board: Mutex::new(Vec::new()),
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.config.clock)()
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, WebSession>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The live session `id` names, touched; an idle one is ended.
    pub fn session(&self, id: &str) -> Option<WebSession> {
        let mut sessions = self.sessions();
        let idle = self.config.idle;
        let s = sessions.get_mut(id)?;
        if s.last_seen.elapsed() > idle {
            sessions.remove(id);
            return None;
        }
        s.last_seen = Instant::now();
        Some(s.clone())
    }

    /// A new session; returns its id.
    pub fn open_session(&self, person: Option<String>, ledgers: Vec<String>) -> (String, WebSession) {
        let id = random_id();
        let s = WebSession { person, ledgers, csrf: random_id(), last_seen: Instant::now(), flash: None };
        let mut sessions = self.sessions();
        if sessions.len() >= MAX_SESSIONS {
            let idle = self.config.idle;
            sessions.retain(|_, s| s.last_seen.elapsed() <= idle);
            if sessions.len() >= MAX_SESSIONS {
                let oldest = sessions
                    .iter()
                    .filter(|(_, s)| s.person.is_none())
                    .min_by_key(|(_, s)| s.last_seen)
                    .or_else(|| sessions.iter().min_by_key(|(_, s)| s.last_seen))
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    sessions.remove(&k);
                }
            }
        }
        sessions.insert(id.clone(), s.clone());
        (id, s)
    }

    /// Keeps what an act said for the next page of session `id`.
    pub fn flash(&self, id: &str, form: &str, text: String) {
        if let Some(s) = self.sessions().get_mut(id) {
            s.flash = Some((form.to_string(), text));
        }
    }

    /// What the last act said, once.
    pub fn take_flash(&self, id: &str) -> Option<(String, String)> {
        self.sessions().get_mut(id).and_then(|s| s.flash.take())
    }

    pub fn end_session(&self, id: &str) {
        self.sessions().remove(id);
    }

    /// A connection for one request: a pooled one, else a new one.
    pub fn store(&self) -> Result<Store, qianzhang_app::Error> {
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        if let Some(mut store) = pooled {
            if qianzhang_db::renew(&mut store).is_ok() {
                return Ok(store);
            }
        }
        qianzhang_db::open(&self.config.db, self.config.busy_wait).map_err(qianzhang_app::Error::Backend)
    }

    /// A board page made for `key` (ledger, month and the log's head).
    pub fn cached_board(&self, key: &str) -> Option<Arc<String>> {
        let pages = self.board.lock().unwrap_or_else(|e| e.into_inner());
        pages.iter().find(|(k, _)| k == key).map(|(_, p)| p.clone())
    }

    pub fn cache_board(&self, key: String, page: Arc<String>) {
        let mut pages = self.board.lock().unwrap_or_else(|e| e.into_inner());
        pages.retain(|(k, _)| *k != key);
        if pages.len() >= BOARD_PAGES {
            pages.remove(0);
        }
        pages.push((key, page));
    }

    fn put_back(&self, store: Store) {
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < POOL {
            pool.push(store);
        }
    }

    /// The ledger named, for one request.
    pub fn ledger(&self, name: &str) -> Result<Desk<'_>, qianzhang_app::Error> {
        let store = self.store()?;
        Ok(Desk { ledger: Some(Ledger::select(store, Some(name))?), state: self })
    }

    /// The lock a write to `ledger` holds: officers queue here rather than
    /// in the store. The ledger is one the store has (named after opening it).
    fn write_lock(&self, ledger: &str) -> Arc<Mutex<()>> {
        let key = match qianzhang_db::Spec::of(&self.config.db) {
            qianzhang_db::Spec::Server(_) => ledger,
            qianzhang_db::Spec::File(_) => "",
        };
        let mut locks = self.writers.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(locks.entry(key.to_string()).or_default())
    }

    /// Runs `act` as the signed-in `person` at `ledger`, one write at a
    /// time (per ledger on PostgreSQL). A refusal found before the books were touched is logged in the
    /// person's name (AUD-1), as the command line logs it.
    pub fn act<T>(
        &self,
        person: &str,
        ledger: &str,
        command: &str,
        act: impl FnOnce(&mut Session<Store>) -> Result<T, qianzhang_app::Error>,
    ) -> Result<T, qianzhang_app::Error> {
        let ledger = self.ledger(ledger)?.take();
        let lock = self.write_lock(&ledger.handle().info.name);
        let _writer = lock.lock().unwrap_or_else(|e| e.into_inner());
        let claim = Claim::new(Some(person), self.now(), format!("网页 {command}"))?;
        let mut session = qianzhang_app::session::resume(ledger, claim);
        let done = match act(&mut session) {
            Err(qianzhang_app::Error::Refused { refusals, logged: false }) => match session.log_refusal(&refusals) {
                Ok(()) => Err(qianzhang_app::Error::Refused { refusals, logged: true }),
                Err(e) => Err(e),
            },
            other => other,
        };
        self.put_back(session.into_ledger().into_backend());
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(db: &str) -> State {
        State::new(Config::new(PathBuf::from(db), Arc::new(|| OffsetDateTime::UNIX_EPOCH)))
    }

    /// [AUD-1] on a SQLite file every write takes the one lock (the file
    /// has one writer); on PostgreSQL a write takes its ledger's, so two
    /// communities' officers write at once and one ledger's queue.
    #[test]
    fn aud_1_writes_queue_per_file_and_per_ledger_on_a_server() {
        let file = state("/tmp/社区.db");
        assert!(Arc::ptr_eq(&file.write_lock("幸福里"), &file.write_lock("和平里")));
        let server = state("postgres://qianzhang@db.example/street");
        assert!(!Arc::ptr_eq(&server.write_lock("幸福里"), &server.write_lock("和平里")));
        assert!(Arc::ptr_eq(&server.write_lock("幸福里"), &server.write_lock("幸福里")));
    }
}
