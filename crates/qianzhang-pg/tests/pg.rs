//! What the PostgreSQL store adds to the contract: writes to one ledger
//! from several connections take turns and lose nothing while other
//! ledgers write alongside; the guards on the log; `verify` finding every
//! kind of tampering done with the guards dropped; faults of connecting
//! reported in words, never a panic.

mod common;

use std::time::Duration;

use qianzhang_core::backend::{Actor, Backend, BackendError, LedgerHandle};
use qianzhang_core::books::{Books, Event, FirstAdmin};
use qianzhang_core::voucher::{Draft, Line, Origin, Side, VoucherRef};
use qianzhang_core::{Failure, Money, Period};
use qianzhang_pg::{Error, PgStore, SCHEMA_VERSION};
use time::Date;

fn start() -> Period {
    Period::parse("2025-01").expect("a period")
}

fn day(d: u8) -> Date {
    Date::from_calendar_date(2025, time::Month::January, d).expect("a date")
}

fn actor(minute: u32) -> Actor {
    Actor { name: "管理员".into(), at: format!("2025-01-31T09:{minute:02}:00+08:00"), command: "test".into() }
}

fn ledger(store: &mut PgStore, name: &str) -> LedgerHandle {
    let admin = FirstAdmin { name: "管理员".into(), passphrase_hash: "not checked here".into(), today: day(1) };
    store.create_ledger(name, start(), &admin, &actor(0)).expect("create ledger")
}

/// Prepares the next voucher of January: `fen` from cash into the bank.
fn prepare<B: Books>(books: &mut B, fen: i64) -> Result<VoucherRef, Failure> {
    let line = |account: &str, side| Line {
        summary: "现金存入银行".into(),
        account: account.into(),
        side,
        amount: Money::from_fen(fen),
        fund: None,
        counterparty: None,
    };
    let draft = Draft {
        date: day(5),
        lines: vec![line("1002", Side::Debit), line("1001", Side::Credit)],
        documents: vec![],
        authorization: None,
        reverses: None,
        source_ref: None,
    };
    qianzhang_core::books::prepare_voucher(books, draft, Origin::Entered, "管理员")
}

/// A ledger with posted and unposted vouchers and a refusal in its log.
fn books(store: &mut PgStore) -> LedgerHandle {
    let l = ledger(store, "甲社区");
    store
        .write(&l, &actor(1), |w| {
            let a = prepare(w, 10_000)?;
            prepare(w, 250)?;
            let c = prepare(w, 3_000)?;
            w.append(Event::VoucherPosted { reference: a })?;
            w.append(Event::VoucherPosted { reference: c })
        })
        .expect("write");
    let _ = store
        .write(&l, &actor(2), |_| qianzhang_core::rule::refuse::<()>(qianzhang_core::rule::Rule::Vch1, "借贷不平衡"));
    let clean = store.verify(&l).expect("verify");
    assert!(clean.is_clean(), "{:?}", clean.mismatch);
    l
}

/// [AUD-1] several connections writing one ledger take turns on its chain
/// head while others write another ledger: no error, no entry lost, every
/// voucher number used once, and every chain verifies.
#[test]
fn writes_to_one_ledger_take_turns_and_ledgers_write_in_parallel() {
    let Some(db) = common::TestDb::new() else { return };
    let mut store = db.store();
    let a = ledger(&mut store, "甲社区");
    let b = ledger(&mut store, "乙社区");
    let before = [store.fingerprint(&a).expect("fingerprint").seq, store.fingerprint(&b).expect("fingerprint").seq];
    const WRITERS_PER_LEDGER: usize = 3;
    const WRITES: usize = 15;
    std::thread::scope(|s| {
        for l in [&a, &b] {
            for _ in 0..WRITERS_PER_LEDGER {
                let url = db.url.clone();
                s.spawn(move || {
                    let mut store = PgStore::connect(&url, common::WAIT).expect("connect");
                    for _ in 0..WRITES {
                        store.write(l, &actor(1), |w| prepare(w, 100)).expect("a write waits its turn, never fails");
                    }
                });
            }
        }
    });
    for (l, before) in [(&a, before[0]), (&b, before[1])] {
        let head = store.fingerprint(l).expect("fingerprint");
        assert_eq!(head.seq, before + (WRITERS_PER_LEDGER * WRITES) as i64, "every write logged once");
        let numbers: Vec<u32> =
            store.vouchers(l, start(), start()).expect("vouchers").iter().map(|(v, _)| v.reference().number).collect();
        assert_eq!(numbers, (1..=(WRITERS_PER_LEDGER * WRITES) as u32).collect::<Vec<_>>());
        let report = store.verify(l).expect("verify");
        assert!(report.is_clean(), "{:?}", report.mismatch);
        assert_eq!((report.entries, report.fingerprint), (head.seq, head.fingerprint));
    }
}

/// A write to a ledger whose chain head another transaction holds waits at
/// most the store's wait and then reports `Busy`, changing nothing.
#[test]
fn a_write_waiting_past_its_wait_is_busy() {
    let Some(db) = common::TestDb::new() else { return };
    let mut store = db.store();
    let l = ledger(&mut store, "甲社区");
    let mut holder = db.client();
    let mut tx = holder.transaction().expect("begin");
    tx.execute("SELECT seq FROM chain_heads WHERE ledger_id = $1 FOR UPDATE", &[&l.id]).expect("lock the head");
    let mut impatient = PgStore::connect(&db.url, Duration::from_millis(200)).expect("connect");
    let before = store.fingerprint(&l).expect("fingerprint");
    let outcome = impatient.write(&l, &actor(1), |w| prepare(w, 100));
    assert!(matches!(outcome, Err(Failure::Backend(BackendError::Busy))), "{outcome:?}");
    tx.rollback().expect("rollback");
    assert_eq!(store.fingerprint(&l).expect("fingerprint"), before);
}

/// [AUD-1] the log refuses UPDATE, DELETE and TRUNCATE while its guards
/// stand, and so do the tables whose rows are never deleted.
#[test]
fn the_guards_refuse_changes_to_the_log() {
    let Some(db) = common::TestDb::new() else { return };
    let mut store = db.store();
    let l = books(&mut store);
    let mut client = db.client();
    for sql in [
        "UPDATE log SET actor = 'x' WHERE seq = 1",
        "DELETE FROM log WHERE seq = 1",
        "TRUNCATE log",
        "DELETE FROM vouchers",
        "TRUNCATE vouchers",
        "UPDATE vouchers SET date = '2025-01-06' WHERE status = 'posted'",
        "DELETE FROM accounts",
    ] {
        let e = client.batch_execute(sql).expect_err(sql);
        let text = e.as_db_error().map(|d| d.message().to_string()).unwrap_or_default();
        assert!(text.contains("AUD-1") || text.contains("VCH-"), "{sql}: {e}");
    }
    assert!(store.verify(&l).expect("verify").is_clean());
}

/// Runs `sql` as the database's owner with the guards dropped, and returns
/// what `verify` then reports: the table and the entry named.
fn tampered(sql: &str) -> Option<(String, Option<i64>, String)> {
    let db = common::TestDb::new()?;
    let mut store = db.store();
    let l = books(&mut store);
    let mut client = db.client();
    client
        .batch_execute(&format!(
            "ALTER TABLE log DISABLE TRIGGER USER; ALTER TABLE vouchers DISABLE TRIGGER USER; \
             ALTER TABLE accounts DISABLE TRIGGER USER; {sql}"
        ))
        .expect(sql);
    let report = store.verify(&l).expect("verify reports, never fails, on tampered books");
    let m = report.mismatch.expect("verify must report the tampering");
    Some((m.table.to_string(), m.seq, m.detail))
}

/// [AUD-2] an edited payload is found at its entry.
#[test]
fn verify_finds_an_edited_payload() {
    let Some((table, seq, detail)) = tampered(
        "UPDATE log SET payload = replace(payload, '现金存入银行', '现金存入银行（改）') \
         WHERE ledger_id = 1 AND seq = (SELECT MIN(seq) FROM log WHERE kind = 'voucher_prepared')",
    ) else {
        return;
    };
    assert_eq!(table, "log", "{detail}");
    assert!(seq.is_some(), "{detail}");
    assert!(detail.contains("哈希"), "{detail}");
}

/// [AUD-2] a deleted log entry is found as missing.
#[test]
fn verify_finds_a_deleted_entry() {
    let Some((table, seq, detail)) = tampered("DELETE FROM log WHERE ledger_id = 1 AND seq = 3") else { return };
    assert_eq!((table.as_str(), seq), ("log", Some(3)), "{detail}");
    assert!(detail.contains("缺失"), "{detail}");
}

/// [AUD-2] two entries swapped in order are found.
#[test]
fn verify_finds_reordered_entries() {
    let Some((table, seq, detail)) = tampered(
        "UPDATE log SET seq = -seq WHERE ledger_id = 1 AND seq IN (3, 4); \
         UPDATE log SET seq = 4 WHERE ledger_id = 1 AND seq = -3; \
         UPDATE log SET seq = 3 WHERE ledger_id = 1 AND seq = -4;",
    ) else {
        return;
    };
    assert_eq!(table, "log", "{detail}");
    assert!(matches!(seq, Some(3 | 4)), "{seq:?}: {detail}");
}

/// [AUD-2] a projection row changed by hand is found, with its table.
#[test]
fn verify_finds_a_changed_projection_row() {
    let Some((table, _, detail)) = tampered("UPDATE balances SET debit = debit + 1 WHERE account = '1002'") else {
        return;
    };
    assert_eq!(table, "balances", "{detail}");
    assert!(detail.contains("被改动"), "{detail}");
}

/// [AUD-2] a voucher deleted from the projection is found as missing.
#[test]
fn verify_finds_a_deleted_voucher_row() {
    let Some((table, seq, detail)) = tampered("DELETE FROM vouchers WHERE ledger_id = 1 AND number = 2") else {
        return;
    };
    assert_eq!(table, "vouchers", "{detail}");
    assert!(seq.is_some(), "{detail}");
    assert!(detail.contains("被删除"), "{detail}");
}

/// [AUD-2] a row added to a projection is found.
#[test]
fn verify_finds_an_added_projection_row() {
    let Some((table, _, detail)) =
        tampered("INSERT INTO accounts (ledger_id, code, name, kind, seq) VALUES (1, '9999', '虚增科目', 'asset', 1)")
    else {
        return;
    };
    assert_eq!(table, "accounts", "{detail}");
    assert!(detail.contains("多出"), "{detail}");
}

/// [AUD-2] a moved chain head (the fingerprint people are shown) is found.
#[test]
fn verify_finds_a_moved_chain_head() {
    let Some((table, _, detail)) = tampered("UPDATE chain_heads SET seq = seq - 1") else { return };
    assert_eq!(table, "chain_heads", "{detail}");
}

/// Faults of connecting are errors in words, never a panic: an address
/// that does not parse, a server that does not answer, a wrong
/// passphrase, a database that does not exist.
#[test]
fn connecting_fails_in_words() {
    let bad = PgStore::connect("postgres://[not a url", Duration::from_secs(1)).err().expect("a bad address fails");
    assert!(matches!(bad, Error::BadUrl(_)), "{bad:?}");
    assert!(BackendError::from(bad).to_string().contains("连接地址无效"));
    let down =
        PgStore::connect("postgres://nobody:x@127.0.0.1:1/none", Duration::from_secs(2)).err().expect("no server");
    assert!(matches!(BackendError::from(down), BackendError::Io(text) if text.contains("无法连接")));
    let Some(server) = common::server() else { return };
    let (scheme_user, rest) = server.split_once('@').expect("user@host");
    let user = scheme_user.rsplit_once(':').map_or(scheme_user, |(u, _)| u);
    let wrong = format!("{user}:wrong-passphrase@{rest}");
    let refused = PgStore::connect(&wrong, Duration::from_secs(5)).err().expect("a wrong passphrase fails");
    let text = BackendError::from(refused).to_string();
    assert!(text.contains("拒绝了登录") || text.contains("无法连接"), "{text}");
    let missing = common::with_database(&server, "qz_no_such_database");
    let gone = PgStore::connect(&missing, Duration::from_secs(5)).err().expect("a missing database fails");
    assert!(gone.to_string().contains("没有这个数据库"), "{gone}");
    assert!(matches!(BackendError::from(gone), BackendError::NotAStore(_)));
}

/// An empty database gets the schema; a database written by a newer
/// program is refused, not changed.
#[test]
fn a_newer_schema_is_refused() {
    let Some(db) = common::TestDb::new() else { return };
    drop(db.store());
    let mut client = db.client();
    let version: i64 = client.query_one("SELECT version FROM schema_version", &[]).expect("version").get(0);
    assert_eq!(version, SCHEMA_VERSION);
    drop(db.store());
    client.execute("UPDATE schema_version SET version = version + 1", &[]).expect("bump");
    let refused = PgStore::connect(&db.url, common::WAIT).err().expect("a newer schema is refused");
    assert!(matches!(BackendError::from(refused), BackendError::NewerSchema { found, supported }
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION));
}

/// [AUD-2] a ledger copied from one PostgreSQL database to another, and
/// on into the memory backend and back, keeps its whole log: the copy
/// verifies with the same fingerprint, and a ledger written after the copy
/// goes on from the same chain head.
#[test]
fn a_ledger_copied_between_databases_keeps_its_fingerprint() {
    let Some(source_db) = common::TestDb::new() else { return };
    let Some(target_db) = common::TestDb::new() else { return };
    let mut source = source_db.store();
    let mut target = target_db.store();
    ledger(&mut target, "乙社区");
    let l = books(&mut source);
    let head = source.fingerprint(&l).expect("fingerprint");
    let copied = qianzhang_core::backend::copy_ledger(&source, &l, &mut target).expect("copy");
    assert_eq!(copied.info, l.info);
    assert_ne!(copied.id, l.id, "the target keys the ledger itself");
    let report = target.verify(&copied).expect("verify");
    assert!(report.is_clean(), "{:?}", report.mismatch);
    assert_eq!((report.entries, report.fingerprint), (head.seq, head.fingerprint));
    assert_eq!(target.fingerprint(&copied).expect("fingerprint"), head);
    target.write(&copied, &actor(3), |w| prepare(w, 500)).expect("a write after the copy");
    assert!(target.verify(&copied).expect("verify").is_clean());
    let mut memory = qianzhang_core::memory::MemoryBackend::new();
    let there = qianzhang_core::backend::copy_ledger(&target, &copied, &mut memory).expect("copy out");
    let back_db = common::TestDb::new().expect("a third database");
    let mut back = back_db.store();
    let home = qianzhang_core::backend::copy_ledger(&memory, &there, &mut back).expect("copy back");
    assert_eq!(back.fingerprint(&home).expect("fingerprint"), target.fingerprint(&copied).expect("fingerprint"));
    assert!(back.verify(&home).expect("verify").is_clean());
}

/// A database holding tables of the store's names but no version record
/// is not taken for a store, and nothing is created in it.
#[test]
fn a_database_of_something_else_is_not_a_store() {
    let Some(db) = common::TestDb::new() else { return };
    db.client().batch_execute("CREATE TABLE log (line TEXT)").expect("a foreign table");
    let refused = PgStore::connect(&db.url, common::WAIT).err().expect("not a store");
    assert!(matches!(BackendError::from(refused), BackendError::NotAStore(_)));
    // Nor is one holding only tables of other names (nothing written into it either).
    let Some(other) = common::TestDb::new() else { return };
    other.client().batch_execute("CREATE TABLE customers (id INT)").expect("a foreign table");
    let refused = PgStore::connect(&other.url, common::WAIT).err().expect("not a store");
    match BackendError::from(refused) {
        BackendError::NotAStore(why) => assert!(why.contains("customers"), "{why}"),
        other => panic!("{other:?}"),
    }
    let created: i64 = other
        .client()
        .query_one("SELECT count(*) FROM pg_tables WHERE tablename IN ('vouchers', 'schema_version')", &[])
        .expect("count")
        .get(0);
    assert_eq!(created, 0);
    let created: i64 = db
        .client()
        .query_one("SELECT count(*) FROM pg_tables WHERE tablename = 'vouchers'", &[])
        .expect("count")
        .get(0);
    assert_eq!(created, 0);
}

/// `renew` opens a connection the server closed, and the store works on.
#[test]
fn renew_reconnects_after_the_server_closed_the_connection() {
    let Some(db) = common::TestDb::new() else { return };
    let mut store = db.store();
    let l = ledger(&mut store, "甲社区");
    let mut client = db.client();
    client
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = 'qianzhang'",
        )
        .expect("terminate");
    std::thread::sleep(Duration::from_millis(200));
    assert!(store.fingerprint(&l).is_err(), "the closed connection fails in words");
    store.renew().expect("renew");
    store.write(&l, &actor(1), |w| prepare(w, 100)).expect("write after renew");
    assert!(store.verify(&l).expect("verify").is_clean());
}

/// [AUD-1] a command appending many entries sends full batches behind it
/// while it goes on making the next, with reads between them: every entry
/// lands in order, the log is the memory backend's hash for hash, and the
/// store verifies. A command refused after several batches were sent keeps
/// nothing of them, only its refusal.
#[test]
fn aud_1_batches_sent_behind_a_command_land_in_order_and_a_refused_one_keeps_none() {
    use qianzhang_core::csvfile::{import_csv_bytes, ImportOptions};
    let Some(db) = common::TestDb::new() else { return };
    const MANY: usize = 12_000;
    /// `MANY` balanced vouchers of `month`, 记-00001 on.
    fn history(month: &str) -> Vec<u8> {
        let mut out = String::from("date,voucher,summary,account,debit,credit\n");
        for i in 1..=MANY {
            let yuan = format!("{}.{:02}", 100 + i, i % 100);
            out.push_str(&format!("{month}-{:02},记-{i:05},收到街道拨付办公经费,1002,{yuan},\n", 1 + i % 28));
            out.push_str(&format!("{month}-{:02},记-{i:05},收到街道拨付办公经费,4401,,{yuan}\n", 1 + i % 28));
        }
        out.into_bytes()
    }
    fn script<B: Backend>(backend: &mut B, csv: &[u8]) -> LedgerHandle {
        let admin = FirstAdmin { name: "管理员".into(), passphrase_hash: "not checked here".into(), today: day(1) };
        let l = backend.create_ledger("甲社区", start(), &admin, &actor(0)).expect("create ledger");
        let opts = ImportOptions {
            file_name: "v.csv",
            encoding: None,
            history: true,
            force: false,
            preparer: "管理员",
            today: day(10),
        };
        let summary = backend.write(&l, &actor(1), |w| import_csv_bytes(w, csv, &opts)).expect("history");
        assert_eq!(summary.vouchers, MANY as u64);
        l
    }
    let csv = history("2024-06");
    let mut store = db.store();
    let l = script(&mut store, &csv);
    let mut memory = qianzhang_core::memory::MemoryBackend::new();
    let m = script(&mut memory, &csv);
    let head = store.fingerprint(&l).expect("fingerprint");
    assert_eq!(head, memory.fingerprint(&m).expect("fingerprint"), "the same log as the memory backend's");
    let june = Period::parse("2024-06").expect("a period");
    let numbers: Vec<u32> =
        store.vouchers(&l, june, june).expect("vouchers").iter().map(|(v, _)| v.reference().number).collect();
    assert!(
        numbers.iter().copied().eq(1..=MANY as u32),
        "every voucher once, in order: {} stored, from {:?} to {:?}",
        numbers.len(),
        numbers.first(),
        numbers.last()
    );
    let report = store.verify(&l).expect("verify");
    assert!(report.is_clean(), "{:?}", report.mismatch);
    assert_eq!((report.entries, report.fingerprint), (head.seq, head.fingerprint));

    let refused = store.write(&l, &actor(2), |w| {
        import_csv_bytes(
            w,
            &history("2024-07"),
            &ImportOptions {
                file_name: "w.csv",
                encoding: None,
                history: true,
                force: true,
                preparer: "管理员",
                today: day(10),
            },
        )?;
        qianzhang_core::rule::refuse::<()>(qianzhang_core::rule::Rule::Vch1, "借贷不平衡")
    });
    assert!(matches!(refused, Err(Failure::Refused(_))), "{refused:?}");
    assert_eq!(store.fingerprint(&l).expect("fingerprint").seq, head.seq + 1, "only the refusal is logged");
    let july = Period::parse("2024-07").expect("a period");
    assert!(store.vouchers(&l, july, july).expect("vouchers").is_empty());
    assert!(store.verify(&l).expect("verify").is_clean());
}
