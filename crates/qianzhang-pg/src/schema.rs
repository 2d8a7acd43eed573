//! Versioned schema migrations, applied in order inside one transaction
//! under an advisory lock, so two programs starting at once migrate once.
//! `schema_version` holds the number of migrations applied.
//!
//! Every table of a ledger's books is keyed by `ledger_id` first: the key
//! a distributed PostgreSQL (Citus, say) shards by, with each ledger's log,
//! chain head and projections on one node. Text is compared bytewise
//! (`COLLATE "C"`), as SQLite does: reports sort the same on either
//! backend, and a prefix `LIKE` on account codes uses the primary key.

use postgres::Client;

use crate::Error;

/// Each entry is one schema version. Never edit a released entry: add one.
const MIGRATIONS: &[&str] = &[
    // 1: the schema the SQLite store reached in its version 18, with the
    //    chain head of each ledger kept in a row of its own (the one row a
    //    write locks) and scans kept per ledger.
    r#"
    CREATE FUNCTION qianzhang_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '%', TG_ARGV[0];
    END
    $$;
    CREATE TABLE ledgers (
        id BIGINT PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL UNIQUE,
        start_period BIGINT NOT NULL,
        created_seq BIGINT NOT NULL
    );
    -- The last entry of each ledger's log: what the next entry links to.
    -- A write locks this row first (SELECT ... FOR UPDATE): writes to one
    -- ledger take turns, writes to different ledgers never wait for each other.
    CREATE TABLE chain_heads (
        ledger_id BIGINT PRIMARY KEY,
        seq BIGINT NOT NULL,
        hash BYTEA NOT NULL,
        at TEXT COLLATE "C" NOT NULL
    );
    -- The append-only, hash-chained log (AUD-1): the source of truth.
    CREATE TABLE log (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        at TEXT COLLATE "C" NOT NULL,
        actor TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        payload TEXT COLLATE "C" NOT NULL,
        prev_hash BYTEA NOT NULL,
        hash BYTEA NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE TRIGGER log_no_update BEFORE UPDATE OR DELETE ON log
        FOR EACH ROW EXECUTE FUNCTION qianzhang_guard('AUD-1: the log is append-only');
    CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON log
        FOR EACH STATEMENT EXECUTE FUNCTION qianzhang_guard('AUD-1: the log is append-only');
    REVOKE UPDATE, DELETE, TRUNCATE ON log FROM PUBLIC;
    CREATE TABLE accounts (
        ledger_id BIGINT NOT NULL,
        code TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        opened TEXT COLLATE "C",
        closed TEXT COLLATE "C",
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, code)
    );
    -- One row per voucher; its content is the log entry content_seq.
    CREATE TABLE vouchers (
        ledger_id BIGINT NOT NULL,
        period BIGINT NOT NULL,
        number BIGINT NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        origin TEXT COLLATE "C" NOT NULL,
        reverses_period BIGINT,
        reverses_number BIGINT,
        content_seq BIGINT NOT NULL,
        posted_seq BIGINT,
        auth_number TEXT COLLATE "C",
        moved BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (ledger_id, period, number)
    );
    CREATE INDEX vouchers_by_authorization ON vouchers (ledger_id, auth_number)
        WHERE auth_number IS NOT NULL;
    CREATE INDEX vouchers_reversals ON vouchers (ledger_id, reverses_period, reverses_number)
        WHERE reverses_period IS NOT NULL;
    CREATE INDEX vouchers_moved ON vouchers (ledger_id) WHERE moved;
    CREATE TRIGGER vouchers_posted_immutable BEFORE UPDATE ON vouchers
        FOR EACH ROW WHEN (OLD.status = 'posted')
        EXECUTE FUNCTION qianzhang_guard('VCH-5: posted vouchers are immutable');
    -- Posted totals per leaf account and period, so balances never rescan history.
    CREATE TABLE balances (
        ledger_id BIGINT NOT NULL,
        account TEXT COLLATE "C" NOT NULL,
        period BIGINT NOT NULL,
        debit BIGINT NOT NULL,
        credit BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, account, period)
    );
    CREATE TABLE periods (
        ledger_id BIGINT NOT NULL,
        period BIGINT NOT NULL,
        reason TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, period)
    );
    CREATE TABLE imports (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        sha256 TEXT COLLATE "C" NOT NULL,
        file TEXT COLLATE "C" NOT NULL,
        encoding TEXT COLLATE "C" NOT NULL,
        rows BIGINT NOT NULL,
        vouchers BIGINT NOT NULL,
        history BOOLEAN NOT NULL,
        at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE INDEX imports_by_digest ON imports (ledger_id, sha256);
    CREATE TABLE people (
        ledger_id BIGINT NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        passphrase TEXT COLLATE "C",
        seq BIGINT NOT NULL,
        reset BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (ledger_id, name)
    );
    CREATE TABLE appointments (
        ledger_id BIGINT NOT NULL,
        person TEXT COLLATE "C" NOT NULL,
        role TEXT COLLATE "C" NOT NULL,
        from_date TEXT COLLATE "C" NOT NULL,
        ended TEXT COLLATE "C",
        leader BOOLEAN NOT NULL,
        title TEXT COLLATE "C",
        seq BIGINT NOT NULL,
        acting BOOLEAN NOT NULL DEFAULT FALSE,
        PRIMARY KEY (ledger_id, person, role, from_date)
    );
    CREATE TABLE kinship (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        a TEXT COLLATE "C" NOT NULL,
        b TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    -- Signatures on vouchers (VCH-4); a withdrawn one keeps its row.
    CREATE TABLE signatures (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        period BIGINT NOT NULL,
        number BIGINT NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        person TEXT COLLATE "C" NOT NULL,
        appointment_from TEXT COLLATE "C" NOT NULL,
        at TEXT COLLATE "C" NOT NULL,
        withdrawn_seq BIGINT,
        resolution TEXT COLLATE "C",
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE INDEX signatures_by_voucher ON signatures (ledger_id, period, number);
    -- Documents known by type, issuer and number: each supports one voucher (DOC-2).
    CREATE TABLE documents (
        ledger_id BIGINT NOT NULL,
        doc_type TEXT COLLATE "C" NOT NULL,
        issuer TEXT COLLATE "C" NOT NULL,
        number TEXT COLLATE "C" NOT NULL,
        period BIGINT NOT NULL,
        voucher_number BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, doc_type, issuer, number)
    );
    CREATE INDEX documents_by_voucher ON documents (ledger_id, period, voucher_number);
    CREATE TABLE receipt_books (
        ledger_id BIGINT NOT NULL,
        book TEXT COLLATE "C" NOT NULL,
        first BIGINT NOT NULL,
        last BIGINT NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        holder TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, book)
    );
    -- Every serial used or voided (RCP-1); unused ones have no row.
    CREATE TABLE receipts (
        ledger_id BIGINT NOT NULL,
        book TEXT COLLATE "C" NOT NULL,
        serial BIGINT NOT NULL,
        state TEXT COLLATE "C" NOT NULL,
        payer TEXT COLLATE "C",
        amount BIGINT,
        date TEXT COLLATE "C",
        reason TEXT COLLATE "C",
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, book, serial)
    );
    -- Money into and out of each special fund per period, from posted vouchers (FND-1).
    CREATE TABLE fund_totals (
        ledger_id BIGINT NOT NULL,
        fund TEXT COLLATE "C" NOT NULL,
        period BIGINT NOT NULL,
        income BIGINT NOT NULL,
        spending BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, fund, period)
    );
    CREATE TABLE settings (
        ledger_id BIGINT NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, key)
    );
    CREATE TABLE authorizations (
        ledger_id BIGINT NOT NULL,
        number TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        scope TEXT COLLATE "C" NOT NULL,
        cap BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        stand_aside TEXT COLLATE "C",
        decision TEXT COLLATE "C",
        PRIMARY KEY (ledger_id, number)
    );
    CREATE TABLE funds (
        ledger_id BIGINT NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        restricted BOOLEAN NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, name)
    );
    CREATE TABLE cash_counts (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        counted BIGINT NOT NULL,
        book BIGINT NOT NULL,
        pieces TEXT COLLATE "C" NOT NULL,
        counter TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE INDEX cash_counts_by_date ON cash_counts (ledger_id, date);
    CREATE TABLE statement_lines (
        ledger_id BIGINT NOT NULL,
        id BIGINT NOT NULL,
        account TEXT COLLATE "C" NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        inflow BIGINT NOT NULL,
        outflow BIGINT NOT NULL,
        balance BIGINT NOT NULL,
        reference TEXT COLLATE "C" NOT NULL,
        counterparty TEXT COLLATE "C" NOT NULL,
        summary TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, id)
    );
    CREATE INDEX statement_lines_by_account ON statement_lines (ledger_id, account, date);
    CREATE TABLE bank_matches (
        ledger_id BIGINT NOT NULL,
        line_id BIGINT NOT NULL,
        period BIGINT NOT NULL,
        number BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, line_id),
        UNIQUE (ledger_id, period, number)
    );
    CREATE TABLE disclosure_reviews (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        span TEXT COLLATE "C" NOT NULL,
        reviewer TEXT COLLATE "C" NOT NULL,
        opinion TEXT COLLATE "C" NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE TABLE assets (
        ledger_id BIGINT NOT NULL,
        id BIGINT NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        quantity BIGINT NOT NULL,
        value BIGINT NOT NULL,
        location TEXT COLLATE "C" NOT NULL,
        custodian TEXT COLLATE "C" NOT NULL,
        period BIGINT NOT NULL,
        number BIGINT NOT NULL,
        acquired TEXT COLLATE "C" NOT NULL,
        disposed TEXT COLLATE "C",
        disposal_reason TEXT COLLATE "C",
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, id)
    );
    CREATE TABLE budgets (
        ledger_id BIGINT NOT NULL,
        year BIGINT NOT NULL,
        account TEXT COLLATE "C" NOT NULL,
        amount BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, year, account)
    );
    -- The auditor's reads: the log entries of the kinds it looks for.
    CREATE TABLE audit_events (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE TABLE in_transit (
        ledger_id BIGINT NOT NULL,
        period BIGINT NOT NULL,
        account TEXT COLLATE "C" NOT NULL,
        voucher_period BIGINT NOT NULL,
        voucher_number BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, period, account, voucher_period, voucher_number)
    );
    CREATE TABLE statement_reach (
        ledger_id BIGINT NOT NULL,
        account TEXT COLLATE "C" NOT NULL,
        through TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, account)
    );
    CREATE TABLE turnover (
        ledger_id BIGINT PRIMARY KEY,
        fen BIGINT NOT NULL
    );
    CREATE TABLE templates (
        ledger_id BIGINT NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        body TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, name)
    );
    CREATE TABLE openings (
        ledger_id BIGINT NOT NULL,
        account TEXT COLLATE "C" NOT NULL,
        fen BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, account)
    );
    CREATE TABLE calendar_days (
        ledger_id BIGINT NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, date)
    );
    CREATE TABLE households (
        ledger_id BIGINT NOT NULL,
        door TEXT COLLATE "C" NOT NULL,
        head TEXT COLLATE "C",
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, door)
    );
    CREATE TABLE collections (
        ledger_id BIGINT NOT NULL,
        receipt TEXT COLLATE "C" NOT NULL,
        fund TEXT COLLATE "C" NOT NULL,
        household TEXT COLLATE "C" NOT NULL,
        payer TEXT COLLATE "C" NOT NULL,
        amount BIGINT NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, receipt)
    );
    CREATE TABLE statement_totals (
        ledger_id BIGINT NOT NULL,
        period BIGINT NOT NULL,
        part TEXT COLLATE "C" NOT NULL,
        account TEXT COLLATE "C" NOT NULL,
        fund TEXT COLLATE "C" NOT NULL,
        debit BIGINT NOT NULL,
        credit BIGINT NOT NULL,
        PRIMARY KEY (ledger_id, period, part, account, fund)
    );
    CREATE TABLE publications (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        period BIGINT NOT NULL,
        date TEXT COLLATE "C" NOT NULL,
        fingerprint TEXT COLLATE "C" NOT NULL,
        by_person TEXT COLLATE "C" NOT NULL,
        at TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE INDEX publications_by_period ON publications (ledger_id, period);
    -- Scans of original documents (DOC-1): the bytes once per ledger and
    -- SHA-256, and which voucher each is attached to.
    CREATE TABLE scans (
        ledger_id BIGINT NOT NULL,
        sha256 TEXT COLLATE "C" NOT NULL,
        media TEXT COLLATE "C" NOT NULL,
        bytes BYTEA NOT NULL,
        PRIMARY KEY (ledger_id, sha256)
    );
    CREATE TRIGGER scans_no_update BEFORE UPDATE ON scans
        FOR EACH ROW EXECUTE FUNCTION qianzhang_guard('VCH-6: scans are never changed');
    CREATE TABLE voucher_scans (
        ledger_id BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        period BIGINT NOT NULL,
        number BIGINT NOT NULL,
        sha256 TEXT COLLATE "C" NOT NULL,
        media TEXT COLLATE "C" NOT NULL,
        size BIGINT NOT NULL,
        file_name TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    );
    CREATE INDEX voucher_scans_by_voucher ON voucher_scans (ledger_id, period, number);
    CREATE INDEX voucher_scans_by_sha ON voucher_scans (ledger_id, sha256);
    "#,
];

/// The tables whose rows are never deleted, with the rule that says so:
/// guarded against DELETE and TRUNCATE by migration 1.
const NEVER_DELETED: &[(&str, &str)] = &[
    ("accounts", "VCH-6: accounts are never deleted"),
    ("vouchers", "VCH-6: vouchers are never deleted"),
    ("signatures", "VCH-6: signatures are never deleted"),
    ("authorizations", "VCH-6: authorizations are never deleted"),
    ("people", "VCH-6: people are never deleted"),
    ("appointments", "VCH-6: appointments are never deleted"),
    ("kinship", "VCH-6: kinship facts are never deleted"),
    ("statement_lines", "VCH-6: statement lines are never deleted"),
    ("funds", "VCH-6: funds are never deleted"),
    ("cash_counts", "VCH-6: cash counts are never deleted"),
    ("assets", "VCH-6: assets are never deleted"),
    ("disclosure_reviews", "VCH-6: reviews are never deleted"),
    ("publications", "VCH-6: publications are never deleted"),
    ("scans", "VCH-6: scans are never deleted"),
    ("voucher_scans", "VCH-6: attached scans are never deleted"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The advisory lock key migrations hold: "qianzhang" in ASCII, truncated.
const MIGRATION_LOCK: i64 = 0x7169_616e_7a68_616e;

/// The version the database holds: 0 when it has no schema yet.
fn version(client: &mut impl postgres::GenericClient) -> Result<i64, Error> {
    let exists: bool = client.query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?.try_get(0)?;
    if !exists {
        return Ok(0);
    }
    let row = client.query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_version", &[])?;
    Ok(row.try_get(0)?)
}

/// Brings the database up to [`SCHEMA_VERSION`]. Refuses a newer database.
/// A database already current is only read, so a role that may not
/// create tables runs against one migrated by its owner.
pub fn migrate(client: &mut Client) -> Result<(), Error> {
    let found = version(client)?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema(found, SCHEMA_VERSION));
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    // Another program may have migrated while this one waited.
    let found = version(&mut tx)?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema(found, SCHEMA_VERSION));
    }
    if found == 0 {
        // Tables, views or sequences but no version: another program's
        // database, never written into (its names may be the store's own).
        let taken: Option<String> = tx
            .query_one(
                "SELECT string_agg(relname, '、' ORDER BY relname) FROM ( \
                     SELECT c.relname::TEXT AS relname FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') \
                     ORDER BY c.relname LIMIT 5) t",
                &[],
            )?
            .try_get(0)?;
        if let Some(tables) = taken {
            return Err(Error::Backend(qianzhang_core::backend::BackendError::NotAStore(format!(
                "数据库中已有别的程序的表（{tables} 等），却没有钱账的版本记录；\
                 钱账只使用空数据库或自己建立的数据库，请另建一个空数据库"
            ))));
        }
        tx.batch_execute("CREATE TABLE schema_version (version BIGINT NOT NULL)")?;
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql)?;
        if i == 0 {
            for (table, rule) in NEVER_DELETED {
                tx.batch_execute(&format!(
                    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} \
                     FOR EACH ROW EXECUTE FUNCTION qianzhang_guard('{rule}'); \
                     CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                     FOR EACH STATEMENT EXECUTE FUNCTION qianzhang_guard('{rule}'); \
                     REVOKE DELETE, TRUNCATE ON {table} FROM PUBLIC;"
                ))?;
            }
        }
    }
    tx.execute("DELETE FROM schema_version", &[])?;
    tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&SCHEMA_VERSION])?;
    tx.commit()?;
    Ok(())
}

/// A projection table verification compares: its name, the column its
/// ledger is in, the columns compared, how many of them (from the first)
/// are its key, and the column naming the log entry that wrote a row.
pub(crate) struct Projection {
    pub table: &'static str,
    pub ledger_column: &'static str,
    pub columns: &'static str,
    pub key: usize,
    pub seq_column: &'static str,
}

const fn p(table: &'static str, columns: &'static str, key: usize, seq_column: &'static str) -> Projection {
    Projection { table, ledger_column: "ledger_id", columns, key, seq_column }
}

/// The projection tables verification compares, with their keys.
pub(crate) const PROJECTIONS: &[Projection] = &[
    Projection {
        table: "ledgers",
        ledger_column: "id",
        columns: "id, name, start_period, created_seq",
        key: 1,
        seq_column: "created_seq",
    },
    p("chain_heads", "seq, hash, at", 0, "seq"),
    p("accounts", "code, name, kind, opened, closed, seq", 1, "seq"),
    p(
        "vouchers",
        "period, number, date, status, origin, reverses_period, reverses_number, content_seq, posted_seq, auth_number, moved",
        2,
        "content_seq",
    ),
    p("balances", "account, period, debit, credit", 2, ""),
    p("periods", "period, reason, seq", 1, "seq"),
    p("imports", "seq, sha256, file, encoding, rows, vouchers, history, at", 1, "seq"),
    p("people", "name, passphrase, seq, reset", 1, "seq"),
    p("appointments", "person, role, from_date, ended, leader, title, acting, seq", 3, "seq"),
    p("kinship", "seq, kind, a, b", 1, "seq"),
    p("documents", "doc_type, issuer, number, period, voucher_number, seq", 3, "seq"),
    p("receipt_books", "book, first, last, date, holder, seq", 1, "seq"),
    p("receipts", "book, serial, state, payer, amount, date, reason, seq", 2, "seq"),
    p("fund_totals", "fund, period, income, spending", 2, ""),
    p("statement_totals", "period, part, account, fund, debit, credit", 4, ""),
    p("turnover", "fen", 0, ""),
    p("settings", "key, value, seq", 1, "seq"),
    p("templates", "name, body, seq", 1, "seq"),
    p("openings", "account, fen, seq", 1, "seq"),
    p("households", "door, head, seq", 1, "seq"),
    p("collections", "receipt, fund, household, payer, amount, date, seq", 1, "seq"),
    p("calendar_days", "date, kind, name, seq", 1, "seq"),
    p("authorizations", "number, kind, date, scope, cap, stand_aside, decision, seq", 1, "seq"),
    p("funds", "name, restricted, seq", 1, "seq"),
    p("cash_counts", "seq, date, counted, book, pieces, counter", 1, "seq"),
    p(
        "statement_lines",
        "id, account, date, inflow, outflow, balance, reference, counterparty, summary, seq",
        1,
        "seq",
    ),
    p("bank_matches", "line_id, period, number, seq", 1, "seq"),
    p("audit_events", "seq, kind", 1, "seq"),
    p("statement_reach", "account, through, seq", 1, "seq"),
    p("in_transit", "period, account, voucher_period, voucher_number, seq", 4, "seq"),
    p("disclosure_reviews", "seq, span, reviewer, opinion, date", 1, "seq"),
    p("publications", "seq, period, date, fingerprint, by_person, at", 1, "seq"),
    p("voucher_scans", "seq, period, number, sha256, media, size, file_name", 1, "seq"),
    p(
        "assets",
        "id, name, quantity, value, location, custodian, period, number, acquired, disposed, disposal_reason, seq",
        1,
        "seq",
    ),
    p("budgets", "year, account, amount, seq", 2, "seq"),
    p("signatures", "seq, period, number, kind, person, appointment_from, at, resolution, withdrawn_seq", 1, "seq"),
];
