//! The log's hash chain read and rewritten on either backend: what one who
//! holds the store and knows the chain's formula could do (AUD-2).

use qianzhang_core::chain::{entry_hash, Fingerprint, GENESIS};

/// One log entry as the chain hashes it.
pub struct Entry {
    pub seq: i64,
    pub prev: Fingerprint,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub payload: String,
}

/// The entries of the fixture's one ledger `filter` picks (`WHERE …`), in
/// order, read from either backend.
pub fn entries(env: &super::Env, filter: &str) -> Vec<Entry> {
    const SEP: char = '\u{1f}';
    let fields =
        format!("CAST(seq AS TEXT) || '{SEP}' || at || '{SEP}' || actor || '{SEP}' || kind || '{SEP}' || payload");
    let rows = env.store.texts(
        &format!("SELECT lower(hex(prev_hash)) || '{SEP}' || {fields} FROM log {filter} ORDER BY seq"),
        &format!("SELECT encode(prev_hash, 'hex') || '{SEP}' || {fields} FROM log {filter} ORDER BY seq"),
    );
    rows.iter()
        .map(|row| {
            let f: Vec<&str> = row.splitn(6, SEP).collect();
            Entry {
                prev: Fingerprint::parse_hex(f[0]).unwrap(),
                seq: f[1].parse().unwrap(),
                at: f[2].into(),
                actor: f[3].into(),
                kind: f[4].into(),
                payload: f[5].into(),
            }
        })
        .collect()
}

/// Sets the stored hashes of the entries given (guards off), on either backend.
pub fn store_hashes(env: &super::Env, hashes: &[(i64, Option<Fingerprint>, Fingerprint)]) {
    let (mut lite, mut pg) = (String::new(), String::new());
    for (seq, prev, hash) in hashes {
        let set = |blob: &dyn Fn(&Fingerprint) -> String| {
            let prev = prev.as_ref().map(|p| format!("prev_hash = {}, ", blob(p))).unwrap_or_default();
            format!("UPDATE log SET {prev}hash = {} WHERE seq = {seq};", blob(hash))
        };
        lite += &set(&|f| format!("X'{}'", f.to_hex()));
        pg += &set(&|f| format!("'\\x{}'::bytea", f.to_hex()));
    }
    env.store.tamper_each(&lite, &pg);
}

/// Recomputes every hash of the log from the first entry on (guards off),
/// so the chain holds together over whatever was changed in it; on
/// PostgreSQL the ledger's chain head too, as a rewriter would.
pub fn rehash(env: &super::Env) {
    let mut prev = GENESIS;
    let mut hashes = Vec::new();
    let mut head = None;
    for e in entries(env, "") {
        let hash = entry_hash(&prev, e.seq, &e.at, &e.actor, &e.kind, &e.payload);
        hashes.push((e.seq, Some(prev), hash));
        head = Some((e.seq, hash, e.at));
        prev = hash;
    }
    store_hashes(env, &hashes);
    if let (super::store::TestStore::Postgres { .. }, Some((seq, hash, at))) = (&env.store, head) {
        let hex = hash.to_hex();
        env.store
            .tamper_each("", &format!("UPDATE chain_heads SET seq = {seq}, hash = '\\x{hex}'::bytea, at = '{at}';"));
    }
}
