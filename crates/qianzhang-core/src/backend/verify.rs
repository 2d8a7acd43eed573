//! What verifying a ledger (AUD-2) reports, whichever backend holds it.

use crate::chain::{Fingerprint, GENESIS};
use crate::event::Event;
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
    /// A report on `ledger` before any entry is walked.
    pub fn new(ledger: &str) -> VerifyReport {
        VerifyReport {
            ledger: ledger.to_string(),
            entries: 0,
            fingerprint: GENESIS,
            mismatch: None,
            anchor: None,
            anchor_matches: Vec::new(),
            since: Vec::new(),
        }
    }

    pub fn is_clean(&self) -> bool {
        self.mismatch.is_none()
    }
}

/// [AUD-2] follows a published fingerprint along the chain as a backend
/// walks it entry by entry: where it is found, and what was logged about
/// its month after it. Every backend verifies against an anchor alike.
#[derive(Clone, Debug)]
pub struct AnchorWalk {
    anchor: Anchor,
    /// The latest entry that closed the anchor's month, for the message when
    /// the published fingerprint is not found.
    month_closed_at: Option<(i64, Fingerprint)>,
    /// The first close of another month whose hash is the fingerprint
    /// published: the month was mistyped.
    elsewhere: Option<(Period, i64)>,
}

impl AnchorWalk {
    pub fn new(anchor: Anchor) -> AnchorWalk {
        AnchorWalk { anchor, month_closed_at: None, elsewhere: None }
    }

    /// Notes one entry whose hash (`computed`) checked out.
    pub fn entry(
        &mut self,
        report: &mut VerifyReport,
        seq: i64,
        at: &str,
        actor: &str,
        event: &Event,
        computed: Fingerprint,
    ) {
        let a = &self.anchor;
        if let (Some(m), Some(_)) = (a.month, &report.anchor) {
            if event.month() == Some(m) {
                report.since.push(SinceEntry {
                    seq,
                    at: at.to_string(),
                    actor: actor.to_string(),
                    description: event.describe(),
                    fingerprint: computed,
                    closes: matches!(event, Event::PeriodClosed { .. }),
                });
            }
        }
        let closes_month = match (event, a.month) {
            (Event::PeriodClosed { period, .. }, Some(m)) => *period == m,
            (_, Some(_)) => false,
            (_, None) => true,
        };
        if closes_month && a.month.is_some() {
            self.month_closed_at = Some((seq, computed));
        }
        if let (Event::PeriodClosed { period, .. }, Some(m)) = (event, a.month) {
            if *period != m && self.elsewhere.is_none() && a.matches(&computed) {
                self.elsewhere = Some((*period, seq));
            }
        }
        if closes_month && a.matches(&computed) {
            report.anchor_matches.push(seq);
            if report.anchor.is_none() {
                report.anchor =
                    Some(AnchorEntry { seq, at: at.to_string(), description: event.describe(), fingerprint: computed });
            }
        }
    }

    /// After the walk: why the published fingerprint was not found, if it
    /// was not.
    pub fn missing(&self, report: &VerifyReport) -> Option<Mismatch> {
        if report.anchor.is_some() {
            return None;
        }
        let published = self.anchor.published();
        // As many digits as were published, on both sides: a fingerprint
        // copied wrong in its last digit differs where it is shown.
        let short = &published[..SHORT_FINGERPRINT_DIGITS];
        let check = "（指纹若是抄来的，请先逐位核对）";
        Some(match (self.anchor.month, self.month_closed_at, self.elsewhere) {
            (Some(m), _, Some((other, seq))) => Mismatch {
                seq: Some(seq),
                table: "log",
                detail: format!(
                    "公布的指纹 {short} 是日志第 {seq} 条 {other} 结账的指纹，不是 {m} 的：请核对 --month 是否写错"
                ),
            },
            (Some(m), Some((seq, hash)), None) => Mismatch {
                seq: Some(seq),
                table: "log",
                detail: format!(
                    "公布的 {m} 结账指纹 {published} 与日志第 {seq} 条（{m} 结账）的哈希 {} 不符{check}；\
                     核对无误而仍不符，则结账以前的历史在公布之后被改写过",
                    &hash.to_hex()[..published.len()]
                ),
            },
            (Some(m), None, None) => Mismatch {
                seq: None,
                table: "log",
                detail: format!(
                    "日志中没有 {m} 的结账记录，公布的指纹 {short} 无从对应：{m} 没有结过账（请核对 --month 是否写错）；\
                     若公布栏上确有 {m} 的结账指纹，则结账记录被删除或改写过"
                ),
            },
            (None, _, _) => Mismatch {
                seq: None,
                table: "log",
                detail: format!(
                    "日志中没有哪一条的哈希是公布的指纹 {short}：公布之前的历史被改写过（或指纹抄错，请逐位核对）"
                ),
            },
        })
    }
}
