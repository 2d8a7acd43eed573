//! Versioned schema migrations, applied in order inside one transaction.
//! `PRAGMA user_version` holds the number of migrations applied.

use rusqlite::Connection;

/// Each entry is one schema version. Never edit a released entry: add one.
const MIGRATIONS: &[&str] = &[
    // 1: the log, the ledgers and the projections read by reports.
    r#"
    CREATE TABLE ledgers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        start_period INTEGER NOT NULL,
        created_seq INTEGER NOT NULL
    );
    -- The append-only, hash-chained log (AUD-1): the source of truth.
    CREATE TABLE log (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    CREATE TRIGGER log_no_update BEFORE UPDATE ON log
        BEGIN SELECT RAISE(ABORT, 'AUD-1: the log is append-only'); END;
    CREATE TRIGGER log_no_delete BEFORE DELETE ON log
        BEGIN SELECT RAISE(ABORT, 'AUD-1: the log is append-only'); END;
    CREATE TABLE accounts (
        ledger_id INTEGER NOT NULL,
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        opened TEXT,
        closed TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, code)
    ) WITHOUT ROWID;
    CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
        BEGIN SELECT RAISE(ABORT, 'VCH-6: accounts are never deleted'); END;
    -- One row per voucher; its content is the log entry content_seq.
    CREATE TABLE vouchers (
        ledger_id INTEGER NOT NULL,
        period INTEGER NOT NULL,
        number INTEGER NOT NULL,
        date TEXT NOT NULL,
        status TEXT NOT NULL,
        origin TEXT NOT NULL,
        reverses_period INTEGER,
        reverses_number INTEGER,
        content_seq INTEGER NOT NULL,
        posted_seq INTEGER,
        authorization TEXT,
        PRIMARY KEY (ledger_id, period, number)
    ) WITHOUT ROWID;
    CREATE INDEX vouchers_by_authorization ON vouchers (ledger_id, authorization)
        WHERE authorization IS NOT NULL;
    CREATE INDEX vouchers_reversals ON vouchers (ledger_id, reverses_period, reverses_number)
        WHERE reverses_period IS NOT NULL;
    CREATE TRIGGER vouchers_no_delete BEFORE DELETE ON vouchers
        BEGIN SELECT RAISE(ABORT, 'VCH-6: vouchers are never deleted'); END;
    CREATE TRIGGER vouchers_posted_immutable BEFORE UPDATE ON vouchers
        WHEN OLD.status = 'posted'
        BEGIN SELECT RAISE(ABORT, 'VCH-5: posted vouchers are immutable'); END;
    -- Posted totals per leaf account and period, so balances never rescan history.
    CREATE TABLE balances (
        ledger_id INTEGER NOT NULL,
        account TEXT NOT NULL,
        period INTEGER NOT NULL,
        debit INTEGER NOT NULL,
        credit INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, account, period)
    ) WITHOUT ROWID;
    CREATE TABLE periods (
        ledger_id INTEGER NOT NULL,
        period INTEGER NOT NULL,
        reason TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, period)
    ) WITHOUT ROWID;
    CREATE TABLE imports (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        file TEXT NOT NULL,
        encoding TEXT NOT NULL,
        rows INTEGER NOT NULL,
        vouchers INTEGER NOT NULL,
        history INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX imports_by_digest ON imports (ledger_id, sha256);
    "#,
    // 2: people (with argon2id passphrase hashes), appointments, kinship facts
    //    (钱账分管), signatures on vouchers, documents, receipt books and
    //    receipts, special-fund totals, settings and authorizations.
    r#"
    CREATE TABLE people (
        ledger_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        passphrase TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, name)
    ) WITHOUT ROWID;
    CREATE TABLE appointments (
        ledger_id INTEGER NOT NULL,
        person TEXT NOT NULL,
        role TEXT NOT NULL,
        from_date TEXT NOT NULL,
        ended TEXT,
        leader INTEGER NOT NULL,
        title TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, person, role, from_date)
    ) WITHOUT ROWID;
    CREATE TABLE kinship (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    -- Signatures on vouchers (VCH-4); a withdrawn one keeps its row.
    CREATE TABLE signatures (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        period INTEGER NOT NULL,
        number INTEGER NOT NULL,
        kind TEXT NOT NULL,
        person TEXT NOT NULL,
        appointment_from TEXT NOT NULL,
        at TEXT NOT NULL,
        withdrawn_seq INTEGER,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX signatures_by_voucher ON signatures (ledger_id, period, number);
    CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
        BEGIN SELECT RAISE(ABORT, 'VCH-6: signatures are never deleted'); END;
    -- Documents known by type, issuer and number: each supports one voucher (DOC-2).
    CREATE TABLE documents (
        ledger_id INTEGER NOT NULL,
        doc_type TEXT NOT NULL,
        issuer TEXT NOT NULL,
        number TEXT NOT NULL,
        period INTEGER NOT NULL,
        voucher_number INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, doc_type, issuer, number)
    ) WITHOUT ROWID;
    CREATE TABLE receipt_books (
        ledger_id INTEGER NOT NULL,
        book TEXT NOT NULL,
        first INTEGER NOT NULL,
        last INTEGER NOT NULL,
        date TEXT NOT NULL,
        holder TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, book)
    ) WITHOUT ROWID;
    -- Every serial used or voided (RCP-1); unused ones have no row.
    CREATE TABLE receipts (
        ledger_id INTEGER NOT NULL,
        book TEXT NOT NULL,
        serial INTEGER NOT NULL,
        state TEXT NOT NULL,
        payer TEXT,
        amount INTEGER,
        date TEXT,
        reason TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, book, serial)
    ) WITHOUT ROWID;
    -- Money into and out of each special fund per period, from posted vouchers (FND-1).
    CREATE TABLE fund_totals (
        ledger_id INTEGER NOT NULL,
        fund TEXT NOT NULL,
        period INTEGER NOT NULL,
        income INTEGER NOT NULL,
        spending INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, fund, period)
    ) WITHOUT ROWID;
    CREATE TABLE settings (
        ledger_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE authorizations (
        ledger_id INTEGER NOT NULL,
        number TEXT NOT NULL,
        kind TEXT NOT NULL,
        date TEXT NOT NULL,
        scope TEXT NOT NULL,
        cap INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, number)
    ) WITHOUT ROWID;
    CREATE TRIGGER authorizations_no_delete BEFORE DELETE ON authorizations
        BEGIN SELECT RAISE(ABORT, 'VCH-6: authorizations are never deleted'); END;
    CREATE TRIGGER people_no_delete BEFORE DELETE ON people
        BEGIN SELECT RAISE(ABORT, 'VCH-6: people are never deleted'); END;
    CREATE TRIGGER appointments_no_delete BEFORE DELETE ON appointments
        BEGIN SELECT RAISE(ABORT, 'VCH-6: appointments are never deleted'); END;
    CREATE TRIGGER kinship_no_delete BEFORE DELETE ON kinship
        BEGIN SELECT RAISE(ABORT, 'VCH-6: kinship facts are never deleted'); END;
    "#,
    // 3: the cashier's month: special funds declared, daily cash counts,
    //    bank statement lines and their matches with book entries.
    r#"
    CREATE TABLE funds (
        ledger_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        restricted INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, name)
    ) WITHOUT ROWID;
    CREATE TABLE cash_counts (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        date TEXT NOT NULL,
        counted INTEGER NOT NULL,
        book INTEGER NOT NULL,
        pieces TEXT NOT NULL,
        counter TEXT NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX cash_counts_by_date ON cash_counts (ledger_id, date);
    CREATE TABLE statement_lines (
        ledger_id INTEGER NOT NULL,
        id INTEGER NOT NULL,
        account TEXT NOT NULL,
        date TEXT NOT NULL,
        inflow INTEGER NOT NULL,
        outflow INTEGER NOT NULL,
        balance INTEGER NOT NULL,
        reference TEXT NOT NULL,
        counterparty TEXT NOT NULL,
        summary TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, id)
    ) WITHOUT ROWID;
    CREATE INDEX statement_lines_by_account ON statement_lines (ledger_id, account, date);
    CREATE TRIGGER statement_lines_no_delete BEFORE DELETE ON statement_lines
        BEGIN SELECT RAISE(ABORT, 'VCH-6: statement lines are never deleted'); END;
    CREATE TRIGGER funds_no_delete BEFORE DELETE ON funds
        BEGIN SELECT RAISE(ABORT, 'VCH-6: funds are never deleted'); END;
    CREATE TRIGGER cash_counts_no_delete BEFORE DELETE ON cash_counts
        BEGIN SELECT RAISE(ABORT, 'VCH-6: cash counts are never deleted'); END;
    CREATE TABLE bank_matches (
        ledger_id INTEGER NOT NULL,
        line_id INTEGER NOT NULL,
        period INTEGER NOT NULL,
        number INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, line_id),
        UNIQUE (ledger_id, period, number)
    ) WITHOUT ROWID;
    "#,
    // 4: what the notice board needs: review opinions on disclosures, the
    //    fixed-asset register and budgets per account and year.
    r#"
    CREATE TABLE disclosure_reviews (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        span TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        opinion TEXT NOT NULL,
        date TEXT NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE assets (
        ledger_id INTEGER NOT NULL,
        id INTEGER NOT NULL,
        name TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        value INTEGER NOT NULL,
        location TEXT NOT NULL,
        custodian TEXT NOT NULL,
        period INTEGER NOT NULL,
        number INTEGER NOT NULL,
        acquired TEXT NOT NULL,
        disposed TEXT,
        disposal_reason TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, id)
    ) WITHOUT ROWID;
    CREATE TRIGGER assets_no_delete BEFORE DELETE ON assets
        BEGIN SELECT RAISE(ABORT, 'VCH-6: assets are never deleted'); END;
    CREATE TRIGGER disclosure_reviews_no_delete BEFORE DELETE ON disclosure_reviews
        BEGIN SELECT RAISE(ABORT, 'VCH-6: reviews are never deleted'); END;
    CREATE TABLE budgets (
        ledger_id INTEGER NOT NULL,
        year INTEGER NOT NULL,
        account TEXT NOT NULL,
        amount INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, year, account)
    ) WITHOUT ROWID;
    "#,
    // 5: the auditor's reads: the log entries of the kinds it looks for
    //    (refusals, closes and reopenings, kinship, handovers), listed as
    //    they are appended, so that neither the import of millions of
    //    vouchers pays for an index on the log nor the audit scans it.
    r#"
    CREATE TABLE audit_events (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    "#,
    // 6: bank entries in transit at each month's close, carried to the next
    //    reconciliation so that it reads only what came after the close.
    r#"
    CREATE TABLE in_transit (
        ledger_id INTEGER NOT NULL,
        period INTEGER NOT NULL,
        account TEXT NOT NULL,
        voucher_period INTEGER NOT NULL,
        voucher_number INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, period, account, voucher_period, voucher_number)
    ) WITHOUT ROWID;
    "#,
    // 7: acting approvers (APR-1); the stand-aside resolution naming a
    //    deputy signer (SEP-6, JSON of payee, deputy and who withdrew); the
    //    resolution under which a deputy signed an approval.
    r#"
    ALTER TABLE appointments ADD COLUMN acting INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE authorizations ADD COLUMN stand_aside TEXT;
    ALTER TABLE signatures ADD COLUMN resolution TEXT;
    "#,
    // 8: how far the bank statements of each account reach (BNK-1, PER-1):
    //    the latest `through` date given at import. The lines' own dates
    //    count too, so a statement imported before this table has the reach
    //    of its last line.
    r#"
    CREATE TABLE statement_reach (
        ledger_id INTEGER NOT NULL,
        account TEXT NOT NULL,
        through TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, account)
    ) WITHOUT ROWID;
    "#,
    // 9: sign-ins (OPR-1): a passphrase an admin reset, until its owner sets
    //    their own; failed sign-ins and passphrase changes among the log
    //    entries the auditor reads (the lockout counts them), including the
    //    passphrase changes logged before this version.
    r#"
    ALTER TABLE people ADD COLUMN reset INTEGER NOT NULL DEFAULT 0;
    INSERT OR IGNORE INTO audit_events (ledger_id, seq, kind)
        SELECT ledger_id, seq, kind FROM log WHERE kind = 'passphrase_set';
    "#,
    // 10: every voucher's absolute amounts, added up as vouchers are
    //     recorded (LIM-1): the bound on what the ledger holds is read, not
    //     recomputed from the log by every command.
    r#"
    CREATE TABLE turnover (
        ledger_id INTEGER PRIMARY KEY,
        fen INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO turnover (ledger_id, fen)
        SELECT l.ledger_id, SUM(ABS(CAST(REPLACE(json_extract(j.value, '$.amount'), '.', '') AS INTEGER)))
        FROM log l, json_each(l.payload, '$.voucher.lines') j
        WHERE l.kind IN ('voucher_prepared', 'voucher_migrated', 'closing_voucher') AND json_valid(l.payload)
        GROUP BY l.ledger_id;
    "#,
    // 11: a prepared voucher whose money has moved ahead of its posting —
    //     the cashier confirmed it (CSH-1) — is marked as the core's reducer
    //     says, so cash and bank queries read a flag instead of knowing
    //     which signature moves money.
    r#"
    ALTER TABLE vouchers ADD COLUMN moved INTEGER NOT NULL DEFAULT 0;
    UPDATE vouchers SET moved = 1 WHERE status = 'prepared' AND EXISTS (
        SELECT 1 FROM signatures s WHERE s.ledger_id = vouchers.ledger_id AND s.period = vouchers.period
        AND s.number = vouchers.number AND s.kind = 'confirm' AND s.withdrawn_seq IS NULL);
    "#,
    // 12: voucher templates (凭证模板), by name; a store written before has
    //     none, so nothing is rebuilt.
    r#"
    CREATE TABLE templates (
        ledger_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, name)
    ) WITHOUT ROWID;
    "#,
    // 13: opening balances of the go-live month (期初余额, OPN-1), per
    //     account, debit-positive in fen; a store written before has none.
    r#"
    CREATE TABLE openings (
        ledger_id INTEGER NOT NULL,
        account TEXT NOT NULL,
        fen INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, account)
    ) WITHOUT ROWID;
    "#,
    // 14: the ledger's amendments to the holiday calendar (节假日与调休上班,
    //     PER-1, CSH-5); a store written before has none.
    r#"
    CREATE TABLE calendar_days (
        ledger_id INTEGER NOT NULL,
        date TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, date)
    ) WITHOUT ROWID;
    "#,
    // 15: money raised from residents (FND-2): the households and the
    //     collection register, and the vote of a residents' decision.
    r#"
    CREATE TABLE households (
        ledger_id INTEGER NOT NULL,
        door TEXT NOT NULL,
        head TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, door)
    ) WITHOUT ROWID;
    CREATE TABLE collections (
        ledger_id INTEGER NOT NULL,
        receipt TEXT NOT NULL,
        fund TEXT NOT NULL,
        household TEXT NOT NULL,
        payer TEXT NOT NULL,
        amount INTEGER NOT NULL,
        date TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, receipt)
    ) WITHOUT ROWID;
    ALTER TABLE authorizations ADD COLUMN decision TEXT;
    "#,
    // 16: the statements' totals (STM-1) per period, part (closing, fund,
    //     cash), account and fund ('' for none), from posted vouchers; an
    //     older store has it filled from its posted vouchers when migrated.
    r#"
    CREATE TABLE statement_totals (
        ledger_id INTEGER NOT NULL,
        period INTEGER NOT NULL,
        part TEXT NOT NULL,
        account TEXT NOT NULL,
        fund TEXT NOT NULL,
        debit INTEGER NOT NULL,
        credit INTEGER NOT NULL,
        PRIMARY KEY (ledger_id, period, part, account, fund)
    ) WITHOUT ROWID;
    "#,
    // 17: months whose disclosure was published (PUB-1), with the close
    //     fingerprint at publication; a store written before has none.
    r#"
    CREATE TABLE publications (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        period INTEGER NOT NULL,
        date TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        by_person TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX publications_by_period ON publications (ledger_id, period);
    CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
        BEGIN SELECT RAISE(ABORT, 'VCH-6: publications are never deleted'); END;
    "#,
    // 18: scans of original documents (DOC-1): the bytes once per SHA-256,
    //     whatever ledger or voucher holds them (a rowid table: its rows are
    //     large), and which voucher of which ledger each is attached to.
    r#"
    CREATE TABLE scans (
        sha256 TEXT PRIMARY KEY,
        media TEXT NOT NULL,
        bytes BLOB NOT NULL
    );
    CREATE TRIGGER scans_no_delete BEFORE DELETE ON scans
        BEGIN SELECT RAISE(ABORT, 'VCH-6: scans are never deleted'); END;
    CREATE TRIGGER scans_no_update BEFORE UPDATE ON scans
        BEGIN SELECT RAISE(ABORT, 'VCH-6: scans are never changed'); END;
    CREATE TABLE voucher_scans (
        ledger_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        period INTEGER NOT NULL,
        number INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        media TEXT NOT NULL,
        size INTEGER NOT NULL,
        file_name TEXT NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX voucher_scans_by_voucher ON voucher_scans (ledger_id, period, number);
    CREATE INDEX voucher_scans_by_sha ON voucher_scans (ledger_id, sha256);
    CREATE TRIGGER voucher_scans_no_delete BEFORE DELETE ON voucher_scans
        BEGIN SELECT RAISE(ABORT, 'VCH-6: attached scans are never deleted'); END;
    "#,
];

/// The first version holding `statement_totals`: an older store has it
/// filled from its posted vouchers when migrated past it.
const STATEMENT_TOTALS: i64 = 16;

/// The first version whose `documents` index keys invoices by code and number
/// and drops voided vouchers' documents (DOC-2): an older store has its index
/// rebuilt from the log when it is migrated past it.
const DOCUMENTS_REKEYED: i64 = 8;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`SCHEMA_VERSION`]. Refuses a newer database.
pub fn migrate(conn: &mut Connection) -> Result<(), crate::Error> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(crate::Error::NewerSchema(version, SCHEMA_VERSION));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    if version > 0 && version < DOCUMENTS_REKEYED {
        crate::projector::reindex_documents(&tx)?;
    }
    if version > 0 && version < STATEMENT_TOTALS {
        crate::projector::fill_statement_totals(&tx)?;
    }
    tx.commit()?;
    Ok(())
}

/// The projection tables verification compares, with their key order.
pub const PROJECTIONS: &[(&str, &str, &str)] = &[
    ("ledgers", "SELECT id, name, start_period, created_seq FROM ledgers WHERE id = ?1", "created_seq"),
    ("accounts", "SELECT code, name, kind, opened, closed, seq FROM accounts WHERE ledger_id = ?1 ORDER BY code", "seq"),
    (
        "vouchers",
        "SELECT period, number, date, status, origin, reverses_period, reverses_number, content_seq, posted_seq, \
         authorization, moved FROM vouchers WHERE ledger_id = ?1 ORDER BY period, number",
        "content_seq",
    ),
    ("balances", "SELECT account, period, debit, credit FROM balances WHERE ledger_id = ?1 ORDER BY account, period", ""),
    ("periods", "SELECT period, reason, seq FROM periods WHERE ledger_id = ?1 ORDER BY period", "seq"),
    (
        "imports",
        "SELECT seq, sha256, file, encoding, rows, vouchers, history, at FROM imports WHERE ledger_id = ?1 ORDER BY seq",
        "seq",
    ),
    ("people", "SELECT name, passphrase, seq, reset FROM people WHERE ledger_id = ?1 ORDER BY name", "seq"),
    (
        "appointments",
        "SELECT person, role, from_date, ended, leader, title, acting, seq FROM appointments WHERE ledger_id = ?1 \
         ORDER BY person, role, from_date",
        "seq",
    ),
    ("kinship", "SELECT seq, kind, a, b FROM kinship WHERE ledger_id = ?1 ORDER BY seq", "seq"),
    (
        "documents",
        "SELECT doc_type, issuer, number, period, voucher_number, seq FROM documents WHERE ledger_id = ?1 \
         ORDER BY doc_type, issuer, number",
        "seq",
    ),
    ("receipt_books", "SELECT book, first, last, date, holder, seq FROM receipt_books WHERE ledger_id = ?1 ORDER BY book", "seq"),
    (
        "receipts",
        "SELECT book, serial, state, payer, amount, date, reason, seq FROM receipts WHERE ledger_id = ?1 ORDER BY book, serial",
        "seq",
    ),
    ("fund_totals", "SELECT fund, period, income, spending FROM fund_totals WHERE ledger_id = ?1 ORDER BY fund, period", ""),
    (
        "statement_totals",
        "SELECT period, part, account, fund, debit, credit FROM statement_totals WHERE ledger_id = ?1 \
         ORDER BY period, part, account, fund",
        "",
    ),
    ("turnover", "SELECT fen FROM turnover WHERE ledger_id = ?1", ""),
    ("settings", "SELECT key, value, seq FROM settings WHERE ledger_id = ?1 ORDER BY key", "seq"),
    ("templates", "SELECT name, body, seq FROM templates WHERE ledger_id = ?1 ORDER BY name", "seq"),
    ("openings", "SELECT account, fen, seq FROM openings WHERE ledger_id = ?1 ORDER BY account", "seq"),
    ("households", "SELECT door, head, seq FROM households WHERE ledger_id = ?1 ORDER BY door", "seq"),
    (
        "collections",
        "SELECT receipt, fund, household, payer, amount, date, seq FROM collections WHERE ledger_id = ?1 ORDER BY receipt",
        "seq",
    ),
    ("calendar_days", "SELECT date, kind, name, seq FROM calendar_days WHERE ledger_id = ?1 ORDER BY date", "seq"),
    (
        "authorizations",
        "SELECT number, kind, date, scope, cap, stand_aside, decision, seq FROM authorizations WHERE ledger_id = ?1 ORDER BY number",
        "seq",
    ),
    ("funds", "SELECT name, restricted, seq FROM funds WHERE ledger_id = ?1 ORDER BY name", "seq"),
    (
        "cash_counts",
        "SELECT seq, date, counted, book, pieces, counter FROM cash_counts WHERE ledger_id = ?1 ORDER BY seq",
        "seq",
    ),
    (
        "statement_lines",
        "SELECT id, account, date, inflow, outflow, balance, reference, counterparty, summary, seq \
         FROM statement_lines WHERE ledger_id = ?1 ORDER BY id",
        "seq",
    ),
    (
        "bank_matches",
        "SELECT line_id, period, number, seq FROM bank_matches WHERE ledger_id = ?1 ORDER BY line_id",
        "seq",
    ),
    ("audit_events", "SELECT seq, kind FROM audit_events WHERE ledger_id = ?1 ORDER BY seq", "seq"),
    (
        "statement_reach",
        "SELECT account, through, seq FROM statement_reach WHERE ledger_id = ?1 ORDER BY account",
        "seq",
    ),
    (
        "in_transit",
        "SELECT period, account, voucher_period, voucher_number, seq FROM in_transit WHERE ledger_id = ?1 \
         ORDER BY period, account, voucher_period, voucher_number",
        "seq",
    ),
    (
        "disclosure_reviews",
        "SELECT seq, span, reviewer, opinion, date FROM disclosure_reviews WHERE ledger_id = ?1 ORDER BY seq",
        "seq",
    ),
    (
        "publications",
        "SELECT seq, period, date, fingerprint, by_person, at FROM publications WHERE ledger_id = ?1 ORDER BY seq",
        "seq",
    ),
    (
        "voucher_scans",
        "SELECT seq, period, number, sha256, media, size, file_name FROM voucher_scans WHERE ledger_id = ?1 ORDER BY seq",
        "seq",
    ),
    (
        "assets",
        "SELECT id, name, quantity, value, location, custodian, period, number, acquired, disposed, disposal_reason, seq \
         FROM assets WHERE ledger_id = ?1 ORDER BY id",
        "seq",
    ),
    (
        "budgets",
        "SELECT year, account, amount, seq FROM budgets WHERE ledger_id = ?1 ORDER BY year, account",
        "seq",
    ),
    (
        "signatures",
        "SELECT seq, period, number, kind, person, appointment_from, at, resolution, withdrawn_seq FROM signatures \
         WHERE ledger_id = ?1 ORDER BY seq",
        "seq",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_refuse_a_newer_store() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        assert!(matches!(migrate(&mut conn), Err(crate::Error::NewerSchema(v, _)) if v == SCHEMA_VERSION + 1));
    }
}
