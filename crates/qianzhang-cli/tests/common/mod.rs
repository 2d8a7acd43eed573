//! Hermetic CLI harness: a temp dir, a cleared environment, a pinned clock.

#![allow(dead_code)]

pub mod browser;
pub mod chain;
pub mod pg_server;
pub mod store;
pub mod ties;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_qianzhang");
pub const NOW: &str = "2025-03-31T18:00:00+08:00";
/// When the fixture office is set up: the log's time never goes backwards,
/// so fixtures are built at the start of the year and move forward.
pub const SETUP: &str = "2025-01-01T09:00:00+08:00";
/// When January's fixture work is done.
pub const JANUARY_END: &str = "2025-01-31T18:00:00+08:00";
/// Everyone's passphrase in the tests.
pub const PASSPHRASE: &str = "测试口令-2025";
/// The administrator `init` creates; commands run as the accountant 赵敏 unless told.
pub const ADMIN: &str = "管理员";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

/// Fixtures built once per test binary: the first test to ask builds it in a
/// directory kept for the binary's life; every test gets a copy of its files.
/// Fixtures are kept per backend: a SQLite-only test under a PostgreSQL run
/// (see [`on_sqlite`]) gets its own copy built on a file.
pub fn cached(key: &'static str, build: fn() -> Env) -> Env {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    struct Master {
        dir: tempfile::TempDir,
        store: store::TestStore,
        now: String,
    }
    type Fixtures = Mutex<HashMap<(&'static str, store::Backend), Arc<OnceLock<Master>>>>;
    static BUILT: OnceLock<Fixtures> = OnceLock::new();
    // The map's lock is held only to find the fixture's cell, so a fixture
    // built on another may itself be cached.
    let cell = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry((key, store::Backend::current()))
        .or_default()
        .clone();
    let master = cell.get_or_init(|| {
        let env = build();
        Master { now: env.now.into_inner(), dir: env.dir, store: env.store }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store::TestStore::copy_of(&master.store, dir.path());
    let env = Env { dir, store, now: std::cell::RefCell::new(NOW.to_string()) };
    copy_files(master.dir.path(), env.dir.path());
    env.set_now(&master.now);
    env
}

thread_local! {
    static SQLITE_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// What `make` builds (a fixture, usually) on a SQLite file whatever the
/// run tests: for the tests that read or alter the file itself.
pub fn on_sqlite<T>(make: impl FnOnce() -> T) -> T {
    let was = SQLITE_ONLY.with(|s| s.replace(true));
    let made = make();
    SQLITE_ONLY.with(|s| s.set(was));
    made
}

/// The files of `from` (not its directories) into `to`.
fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

pub struct Env {
    pub dir: tempfile::TempDir,
    /// The store the test's commands run against (`QIANZHANG_DB`).
    pub store: store::TestStore,
    /// The pinned clock, [`NOW`] unless a test moves it on.
    now: std::cell::RefCell<String>,
}

impl Env {
    /// A fresh environment on the backend the run tests
    /// (`QIANZHANG_TEST_BACKEND`, SQLite by default).
    pub fn new() -> Env {
        Env::on(store::Backend::current())
    }

    /// A fresh environment on a SQLite file whatever the run tests: for
    /// tests that read or alter the file itself.
    pub fn sqlite() -> Env {
        Env::on(store::Backend::Sqlite)
    }

    fn on(backend: store::Backend) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store::TestStore::fresh(backend, dir.path());
        Env { dir, store, now: std::cell::RefCell::new(NOW.to_string()) }
    }

    /// Moves the pinned clock, e.g. to the day a month is closed.
    pub fn set_now(&self, now: &str) {
        *self.now.borrow_mut() = now.to_string();
    }

    /// The same environment with the clock at `now`.
    pub fn at(self, now: &str) -> Env {
        self.set_now(now);
        self
    }

    /// A ledger `幸福里` going live 2025-01 with the fixture sub-accounts,
    /// administered by 管理员, with 赵敏 as accountant from 2025-01-01.
    pub fn with_ledger() -> Env {
        Env::ledger_setup().at(NOW)
    }

    fn ledger_setup() -> Env {
        cached("ledger_setup", Env::build_ledger_setup)
    }

    fn build_ledger_setup() -> Env {
        let env = Env::new().at(SETUP);
        env.admin(&["init", "--ledger", "幸福里", "--start", "2025-01"]);
        let accounts = std::fs::read_to_string(fixture("accounts.csv")).unwrap();
        let mut rdr = csv::Reader::from_reader(accounts.as_bytes());
        for row in rdr.deserialize::<(String, String)>() {
            let (code, name) = row.unwrap();
            env.admin(&["account", "add", &code, &name]);
        }
        env.admin(&["person", "add", "赵敏"]);
        env.admin(&["person", "appoint", "赵敏", "--role", "accountant", "--from", "2025-01-01"]);
        env
    }

    /// `with_office_unfunded` with money to pay from: opening balances of
    /// ¥5,000 cash and ¥100,000 bank migrated as history at 2024-09-30.
    pub fn with_office() -> Env {
        Env::office_setup().at(NOW)
    }

    fn office_setup() -> Env {
        cached("office_setup", Env::build_office_setup)
    }

    fn build_office_setup() -> Env {
        let env = Env::office_unfunded_setup();
        env.write(
            "opening.csv",
            "date,voucher,summary,account,debit,credit\n2024-09-30,1,期初余额,1001,5000,\n\
             2024-09-30,1,期初余额,1002,100000,\n2024-09-30,1,期初余额,3101,,105000\n",
        );
        env.ok(&["import", "--history", "opening.csv"]);
        env
    }

    /// `with_ledger` plus the officers who sign: 刘洋 reviewer, 李明 主任 and
    /// approver, 王芳 cashier, all from 2025-01-01.
    pub fn with_office_unfunded() -> Env {
        Env::office_unfunded_setup().at(NOW)
    }

    fn office_unfunded_setup() -> Env {
        cached("office_unfunded_setup", Env::build_office_unfunded_setup)
    }

    fn build_office_unfunded_setup() -> Env {
        let env = Env::ledger_setup();
        for (person, role) in [("刘洋", "reviewer"), ("李明", "approver"), ("王芳", "cashier")] {
            env.admin(&["person", "add", person]);
            let mut args = vec!["person", "appoint", person, "--role", role, "--from", "2025-01-01"];
            if person == "李明" {
                args.extend(["--leader", "--title", "主任"]);
            }
            env.admin(&args);
        }
        env.admin(&[
            "receipt",
            "book",
            "SJ",
            "--from",
            "101",
            "--to",
            "200",
            "--holder",
            "王芳",
            "--date",
            "2025-01-02",
        ]);
        for fund in ["低保", "楼道维修基金"] {
            env.admin(&["fund", "add", fund, "--kind", "restricted"]);
        }
        let auths = std::fs::read_to_string(fixture("authorizations.csv")).unwrap();
        let mut rdr = csv::Reader::from_reader(auths.as_bytes());
        for row in rdr.deserialize::<(String, String, String, String, String)>() {
            let (number, kind, date, scope, cap) = row.unwrap();
            env.admin(&[
                "auth", "add", "--kind", &kind, "--number", &number, "--date", &date, "--scope", &scope, "--cap", &cap,
            ]);
        }
        env
    }

    /// The cashier issues the fixture quarter's receipts (SJ0000101–103).
    pub fn issue_fixture_receipts(&self) {
        let text = std::fs::read_to_string(fixture("receipts.csv")).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        for row in rdr.deserialize::<(String, String, String, String)>() {
            let (book, payer, amount, date) = row.unwrap();
            self.ok(&[
                "--as", "王芳", "receipt", "issue", "--book", &book, "--payer", &payer, "--amount", &amount, "--date",
                &date,
            ]);
        }
    }

    /// Every voucher of `period` through review, approval, confirmation and
    /// posting, each step by its officer.
    pub fn walk(&self, period: &str) {
        for (who, step) in [("刘洋", "review"), ("李明", "approve"), ("王芳", "confirm"), ("赵敏", "post")] {
            self.ok(&["--as", who, "voucher", step, "--all", "--period", period]);
        }
    }

    /// Signs and posts the named vouchers, in order.
    pub fn sign_and_post(&self, refs: &[&str]) {
        for r in refs {
            for (who, step) in [("刘洋", "review"), ("李明", "approve"), ("王芳", "confirm")] {
                let out = self.run(&["--as", who, "voucher", step, r]);
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(out.status.success() || err.contains("不需要"), "{who} {step} {r}: {err}");
            }
            self.ok(&["voucher", "post", r]);
        }
    }

    /// Runs as the administrator and expects success.
    pub fn admin(&self, args: &[&str]) -> String {
        self.ok(&[&["--as", ADMIN][..], args].concat())
    }

    /// The SQLite file, for tests that read or alter it: SQLite-only
    /// (their `Env` comes from [`Env::sqlite`] or a SQLite run).
    pub fn db(&self) -> PathBuf {
        match &self.store {
            store::TestStore::Sqlite(path) => path.clone(),
            store::TestStore::Postgres { .. } => {
                panic!("this test reads the SQLite file itself: it is SQLite-only (Env::sqlite)")
            }
        }
    }

    /// What `--db` is given: the SQLite file's path or the test database's address.
    pub fn store(&self) -> String {
        self.store.spec()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TZ", "Asia/Shanghai")
            .env("QIANZHANG_NOW", self.now.borrow().as_str())
            .env("QIANZHANG_USER", "赵敏")
            .env("QIANZHANG_PASSPHRASE", PASSPHRASE)
            .env("QIANZHANG_NEW_PASSPHRASE", PASSPHRASE)
            .env("QIANZHANG_APPROVER_PASSPHRASE", PASSPHRASE)
            .env("QIANZHANG_DB", self.store())
            .current_dir(self.dir.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run qianzhang")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "qianzhang {args:?} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// Runs and expects exit `code`; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "qianzhang {args:?}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("UTF-8 output")
    }

    /// Every row of every table holding ledger data except the log.
    pub fn books(&self) -> String {
        let mut out = String::new();
        for table in [
            "ledgers",
            "accounts",
            "vouchers",
            "balances",
            "periods",
            "imports",
            "people",
            "appointments",
            "kinship",
            "funds",
            "cash_counts",
            "statement_lines",
            "bank_matches",
            "openings",
        ] {
            if let store::TestStore::Postgres { .. } = &self.store {
                let sql = format!("SELECT t::text FROM {table} t ORDER BY 1");
                for row in self.store.texts("", &sql) {
                    out.push_str(&format!("{table}: {row}\n"));
                }
                continue;
            }
            let conn = rusqlite::Connection::open(self.db()).unwrap();
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2, 3")).unwrap();
            let n = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                let cells: Vec<String> =
                    (0..n).map(|i| format!("{:?}", row.get::<_, rusqlite::types::Value>(i).unwrap())).collect();
                out.push_str(&format!("{table}: {}\n", cells.join(" | ")));
            }
        }
        out
    }

    /// (number of log entries, kind of the last one).
    pub fn log_head(&self) -> (i64, String) {
        let query = "(SELECT kind FROM log ORDER BY ledger_id DESC, seq DESC LIMIT 1)";
        let row = self.store.texts(
            &format!("SELECT COUNT(*) || ' ' || COALESCE({query}, '') FROM log"),
            &format!("SELECT COUNT(*)::text || ' ' || COALESCE({query}, '') FROM log"),
        );
        let (count, kind) = row[0].split_once(' ').unwrap();
        (count.parse().unwrap(), kind.to_string())
    }

    /// Runs a command that must be refused under `rule`: exit 1, the rule in
    /// the message, the books unchanged, one `refused` entry logged.
    pub fn refused(&self, rule: &str, args: &[&str]) -> String {
        let before = self.books();
        let (entries, _) = self.log_head();
        let err = self.fails(1, args);
        assert!(err.contains(&format!("[{rule}]")), "expected [{rule}] in:\n{err}");
        assert_eq!(self.books(), before, "a refused command changed the books");
        assert_eq!(self.log_head(), (entries + 1, "refused".to_string()), "the refusal is logged once");
        err
    }

    /// Alters the store's rows with its guards off (tampering), in SQL both
    /// backends read alike; see [`store::TestStore::tamper_each`].
    pub fn tamper(&self, sql: &str) {
        self.store.tamper(sql)
    }

    /// A copy of this environment, files and store, on the same backend:
    /// a clean state to tamper with again and again.
    pub fn fork(&self) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store::TestStore::copy_of(&self.store, dir.path());
        copy_files(self.dir.path(), dir.path());
        Env { dir, store, now: std::cell::RefCell::new(self.now.borrow().clone()) }
    }

    /// Runs SQL on the SQLite file (tampering, mostly): SQLite-only.
    pub fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.execute_batch(sql).unwrap();
    }
}

/// January closed: the fixture vouchers, a printer bought by bank (still in
/// transit at the month's end), a public-welfare outing paid in cash, the
/// office paper reversed, the cash counted, the statement matched, the
/// month closed, and the 居务监督委员会's opinion recorded. The clock then
/// stands at [`NOW`].
pub fn closed_january() -> Env {
    closed_january_at_close().at(NOW)
}

/// `closed_january` with the clock left on the day of the review, 2025-02-04
/// (the month was closed on the 3rd).
pub fn closed_january_at_close() -> Env {
    cached("closed_january", build_closed_january_at_close)
}

fn build_closed_january_at_close() -> Env {
    let env = january();
    env.admin(&["account", "add", "510104", "公益活动"]);
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-01-20",
        "--summary",
        "购买打印机",
        "--debit",
        "520101=1800",
        "--credit",
        "1002=1800",
        "--authorization",
        "街道批复〔2025〕1号",
        "--doc-type",
        "发票",
        "--issuer",
        "幸福电器行",
        "--doc-no",
        "FP0120",
        "--doc-amount",
        "1800",
        "--handler",
        "刘洋",
        "--checker",
        "赵敏",
    ]);
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-01-25",
        "--summary",
        "重阳敬老公益活动（报名电话 13812345678）",
        "--debit",
        "510104=500",
        "--credit",
        "1001=500",
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发放表",
        "--doc-no",
        "FF0125",
        "--doc-amount",
        "500",
        "--handler",
        "张三",
    ]);
    env.walk("2025-01");
    env.ok(&["voucher", "reverse", "2025-01/记-0005", "--date", "2025-01-26"]);
    env.sign_and_post(&["2025-01/记-0009"]);
    env.ok(&["--as", "王芳", "bank", "import", fixture("statement-2025-01.gbk.csv").to_str().unwrap()]);
    env.ok(&["--as", "王芳", "bank", "match"]);
    // 5,000 + 600 − 600 − 300 − 500 + 300 (the reversal) = 4,500.
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-01-31", "--amount", "4500"]);
    env.ok(&[
        "asset",
        "add",
        "--name",
        "打印机",
        "--value",
        "1800",
        "--location",
        "居委会办公室",
        "--custodian",
        "刘洋",
        "--voucher",
        "2025-01/记-0007",
    ]);
    env.admin(&["person", "add", "陈静"]);
    env.admin(&[
        "person",
        "appoint",
        "陈静",
        "--role",
        "auditor",
        "--title",
        "居务监督委员会主任",
        "--from",
        "2025-01-01",
    ]);
    env.admin(&["settings", "set", "contact", "幸福里社区居委会财务室 0571-88886666"]);
    env.set_now("2025-02-03T09:00:00+08:00");
    env.ok(&["period", "close", "2025-01"]);
    // The supervisors review the next day (PUB-1: a review is dated no
    // later than the day it is entered).
    env.set_now("2025-02-04T10:00:00+08:00");
    env.ok(&[
        "--as",
        "陈静",
        "disclose",
        "review",
        "--month",
        "2025-01",
        "--by",
        "陈静",
        "--opinion",
        "经审核，收支属实，单据齐全。",
        "--date",
        "2025-02-04",
    ]);
    env
}

/// `with_office` plus the accounts, the approval and the receipt the
/// January fixture needs, and January's vouchers imported as prepared. The
/// clock stands at [`JANUARY_END`].
pub fn january() -> Env {
    cached("january", build_january)
}

/// The January fixture up to its import: accounts, authorization, receipt.
pub fn january_before_import() -> Env {
    let env = Env::office_setup().at(JANUARY_END);
    env.admin(&["account", "add", "440103", "低保资金"]);
    env.admin(&["account", "add", "510103", "低保金发放"]);
    env.admin(&[
        "auth",
        "add",
        "--kind",
        "government",
        "--number",
        "街道批复〔2025〕1号",
        "--date",
        "2025-01-02",
        "--scope",
        "2025年一季度低保金发放及办公设备",
        "--cap",
        "36000",
    ]);
    env.ok(&[
        "--as",
        "王芳",
        "receipt",
        "issue",
        "--book",
        "SJ",
        "--payer",
        "王五",
        "--amount",
        "600",
        "--date",
        "2025-01-08",
    ]);
    env
}

fn build_january() -> Env {
    let env = january_before_import();
    let file = fixture("vouchers-2025-01-close.csv");
    env.ok(&["import", file.to_str().unwrap()]);
    env
}

/// The fixture quarter: history migrated, the first quarter imported and posted.
pub fn quarter() -> Env {
    cached("quarter", build_quarter)
}

fn build_quarter() -> Env {
    let env = Env::with_office_unfunded();
    let history = fixture("history-2024q4.gbk.csv");
    let out = env.ok(&["import", "--history", history.to_str().unwrap()]);
    assert!(out.contains("9 张凭证（GB18030编码）") && out.contains("2024-10、2024-11、2024-12"), "{out}");
    let current = fixture("vouchers-2025q1.csv");
    let out = env.ok(&["import", current.to_str().unwrap()]);
    assert!(out.contains("24 张凭证"), "{out}");
    env.issue_fixture_receipts();
    for p in ["2025-01", "2025-02", "2025-03"] {
        env.walk(p);
    }
    env
}
