//! What verifying a ledger (AUD-2) reports, whichever backend holds it.

use crate::chain::Fingerprint;
use crate::Period;

/// The first place where the store disagrees with its log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The log entry that does not match, when one can be named.
    pub seq: Option<i64>,
    /// `log` or the projection table that differs.
    pub table: &'static str,
    pub detail: String,
}

#[derive(Clone, Debug)]
pub struct VerifyReport {
    pub ledger: String,
    /// Log entries whose chain checked out.
    pub entries: i64,
    /// The hash of the last good entry: the fingerprint when nothing mismatched.
    pub fingerprint: Fingerprint,
    pub mismatch: Option<Mismatch>,
    /// With a published fingerprint: the entry it is the hash of.
    pub anchor: Option<AnchorEntry>,
    /// Every entry whose hash the published fingerprint (or its short form)
    /// matches; more than one means the short form is ambiguous.
    pub anchor_matches: Vec<i64>,
    /// With a published month's fingerprint: what was logged about that
    /// month after it (a reopen, vouchers added, voided or posted in it, a
    /// new close), in order (AUD-2).
    pub since: Vec<SinceEntry>,
}

/// A fingerprint published earlier (AUD-2, AUD-3), optionally as the one
/// printed at a month's close: the full 64 hex digits, or the first 16 or
/// more (the short form printed large on the notice board).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    prefix: String,
    pub month: Option<Period>,
}

/// The fewest hex digits of a fingerprint accepted: the short form.
pub const SHORT_FINGERPRINT_DIGITS: usize = 16;

impl Anchor {
    /// `None` unless `hex` is 16 to 64 hex digits (spaces ignored).
    pub fn parse(hex: &str, month: Option<Period>) -> Option<Anchor> {
        let prefix: String = hex.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        let ok =
            (SHORT_FINGERPRINT_DIGITS..=64).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then_some(Anchor { prefix, month })
    }

    pub fn of(fingerprint: Fingerprint, month: Option<Period>) -> Anchor {
        Anchor { prefix: fingerprint.to_hex(), month }
    }

    /// The fingerprint as published (short or full).
    pub fn published(&self) -> &str {
        &self.prefix
    }

    /// Whether `hash` is the fingerprint published (or begins with it).
    pub fn matches(&self, hash: &Fingerprint) -> bool {
        hash.to_hex().starts_with(&self.prefix)
    }
}

/// The log entry a published fingerprint is the hash of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorEntry {
    pub seq: i64,
    pub at: String,
    pub description: String,
    pub fingerprint: Fingerprint,
}

/// An entry about the published month logged after its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinceEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub description: String,
    /// The entry's hash: for a new close, the month's new fingerprint.
    pub fingerprint: Fingerprint,
    pub closes: bool,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.mismatch.is_none()
    }
}
