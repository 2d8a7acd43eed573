//! The hash chain of the log (AUD-1).
//!
//! Each entry's hash covers the previous entry's hash and everything the
//! entry records, so changing, removing or reordering any entry changes
//! every hash after it. The newest hash is the ledger's fingerprint.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::backend::BackendError;

/// A SHA-256 hash of a log entry; the newest one is the ledger's fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

/// The "previous hash" of the first entry.
pub const GENESIS: Fingerprint = Fingerprint([0; 32]);

impl Fingerprint {
    /// A stored hash; any length but 32 bytes is not what the engine wrote.
    pub fn from_slice(bytes: &[u8]) -> Result<Fingerprint, BackendError> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| BackendError::corrupt(format!("哈希长 {} 字节，应为 32 字节", bytes.len())))?;
        Ok(Fingerprint(arr))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The first 16 hex digits, for printing beside the full form.
    pub fn short(&self) -> String {
        self.to_hex()[..16].to_string()
    }

    pub fn parse_hex(text: &str) -> Option<Fingerprint> {
        let bytes = hex::decode(text.trim()).ok()?;
        Fingerprint::from_slice(&bytes).ok()
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.short())
    }
}

/// The hash of one entry: length-prefixed fields after the previous hash, so
/// no two different entries encode to the same bytes.
pub fn entry_hash(prev: &Fingerprint, seq: i64, at: &str, actor: &str, kind: &str, payload: &str) -> Fingerprint {
    entry_hash_bytes(prev, seq, at.as_bytes(), actor.as_bytes(), kind.as_bytes(), payload.as_bytes())
}

/// [`entry_hash`] over the fields' bytes as stored, for a reader that
/// checks the chain before it decodes the text (verification).
pub fn entry_hash_bytes(
    prev: &Fingerprint,
    seq: i64,
    at: &[u8],
    actor: &[u8],
    kind: &[u8],
    payload: &[u8],
) -> Fingerprint {
    let mut h = Sha256::new();
    h.update(b"qianzhang-log-v1");
    h.update(prev.0);
    h.update(seq.to_be_bytes());
    for field in [at, actor, kind, payload] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    Fingerprint(h.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aud_1_every_field_changes_the_hash() {
        let base = entry_hash(&GENESIS, 1, "t", "a", "k", "p");
        assert_ne!(base, entry_hash(&Fingerprint([1; 32]), 1, "t", "a", "k", "p"));
        assert_ne!(base, entry_hash(&GENESIS, 2, "t", "a", "k", "p"));
        assert_ne!(base, entry_hash(&GENESIS, 1, "u", "a", "k", "p"));
        assert_ne!(base, entry_hash(&GENESIS, 1, "t", "b", "k", "p"));
        assert_ne!(base, entry_hash(&GENESIS, 1, "t", "a", "j", "p"));
        assert_ne!(base, entry_hash(&GENESIS, 1, "t", "a", "k", "q"));
        assert_ne!(entry_hash(&GENESIS, 1, "ta", "", "k", "p"), entry_hash(&GENESIS, 1, "t", "a", "k", "p"));
        assert_eq!(base, entry_hash_bytes(&GENESIS, 1, b"t", b"a", b"k", b"p"));
        assert_eq!(base, entry_hash(&GENESIS, 1, "t", "a", "k", "p"));
    }

    #[test]
    fn fingerprints_print_and_parse() {
        let f = entry_hash(&GENESIS, 1, "t", "a", "k", "p");
        assert_eq!(Fingerprint::parse_hex(&f.to_hex()), Some(f));
        assert_eq!(f.short().len(), 16);
        assert_eq!(Fingerprint::parse_hex("zz"), None);
    }
}
