//! The schema already fits a distribution key: every table of a ledger's
//! books has `ledger_id` as the first column of its primary key (and of
//! every other unique constraint), so a distributed PostgreSQL (Citus) can
//! shard each by `ledger_id`, with one ledger's log, chain head and
//! projections on one node and every command a single-node transaction.
//! Only the list of ledgers (its names unique across the database: a
//! reference table, replicated) and the schema's version stand apart.

mod common;

/// The tables that are not a ledger's books.
const SHARED: &[&str] = &["ledgers", "schema_version"];

#[test]
fn every_table_of_the_books_is_keyed_by_ledger_first() {
    let Some(db) = common::TestDb::new() else { return };
    drop(db.store()); // creates the schema
    let mut client = db.client();
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            &[],
        )
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.len() > 30, "the whole schema is there: {tables:?}");
    let mut checked = 0;
    for table in tables.iter().filter(|t| !SHARED.contains(&t.as_str())) {
        // Every unique constraint, the primary key first: its first column.
        let keys = client
            .query(
                "SELECT c.conname::text, c.contype::text, a.attname::text
                 FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1]
                 WHERE n.nspname = 'public' AND t.relname = $1 AND c.contype IN ('p', 'u')",
                &[table],
            )
            .expect("constraints");
        assert!(keys.iter().any(|k| k.get::<_, String>(1) == "p"), "{table} has a primary key");
        for k in &keys {
            let (name, first): (String, String) = (k.get(0), k.get(2));
            assert_eq!(first, "ledger_id", "{table}: constraint {name} must begin with ledger_id");
        }
        // Every index too, so that each is local to a shard.
        let indexes = client
            .query(
                "SELECT i.relname::text, a.attname::text
                 FROM pg_index x
                 JOIN pg_class t ON t.oid = x.indrelid
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
                 WHERE n.nspname = 'public' AND t.relname = $1",
                &[table],
            )
            .expect("indexes");
        for i in &indexes {
            let (name, first): (String, Option<String>) = (i.get(0), i.get(1));
            assert_eq!(first.as_deref(), Some("ledger_id"), "{table}: index {name} must begin with ledger_id");
        }
        checked += 1;
    }
    assert_eq!(checked, tables.len() - SHARED.len(), "every other table is a ledger's: {tables:?}");
}
