//! Moving a ledger between backends with its whole log (AUD-1, AUD-2, DOC-1).
//!
//! A source streams what it holds of one ledger as [`CopyItem`]s: first the
//! scans its vouchers carry, then every log entry exactly as stored
//! ([`RawEntry`]: the payload is the JSON text the hash covers, never a
//! re-serialization of the parsed event). The target checks the items with
//! a [`RestoreCheck`] — the same chain walk `verify` makes — and projects
//! each event as its write path does, all in one transaction: a copy is
//! either the whole ledger, hash for hash, or nothing.

use std::collections::BTreeSet;

use super::{Backend, BackendError, LedgerHandle};
use crate::books::LedgerInfo;
use crate::chain::{entry_hash, Fingerprint, GENESIS};
use crate::event::Event;
use crate::rule::{Failure, Refusal, Rule};
use crate::scan::MediaType;

/// One log entry exactly as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEntry {
    /// The entry's number in its ledger's log, from 1.
    pub seq: i64,
    /// RFC 3339 time of the act.
    pub at: String,
    pub actor: String,
    /// `Event::kind` as stored beside the payload.
    pub kind: String,
    /// The event's JSON text, byte for byte as hashed by
    /// [`crate::chain::entry_hash`].
    pub payload: String,
    /// The hash stored with the entry.
    pub hash: Fingerprint,
}

/// [DOC-1] the bytes of one scan, under the SHA-256 they are kept by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawScan {
    pub sha256: String,
    pub media: MediaType,
    pub bytes: Vec<u8>,
}

/// What a source yields of a ledger: every scan its vouchers carry (each
/// once), then every log entry in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyItem {
    Scan(RawScan),
    Entry(RawEntry),
}

/// Where a feed pushes the items of a ledger being restored: the target's
/// open transaction. An error stops the feed, and the target keeps nothing.
pub type CopySink<'s> = dyn FnMut(CopyItem) -> Result<(), Failure> + 's;

/// [AUD-1, AUD-2] the checks a target makes of a ledger as it arrives, in
/// the order `verify` makes them: entries numbered from 1 without a gap,
/// each hash recomputed from its predecessor's and equal to the one stored,
/// time never going back, a payload that parses into an event of its kind,
/// the first entry creating the ledger, and (DOC-1) every scan attached
/// delivered with bytes hashing to its address.
///
/// Every backend's `restore_ledger` runs its items through one of these, so
/// all refuse the same copies with the same words. A copy that fails these
/// checks is damage to its source, reported as [`BackendError::Corrupt`]
/// naming the entry (as `verify` would find it), and the target keeps
/// nothing of it.
#[derive(Debug)]
pub struct RestoreCheck {
    prev: Fingerprint,
    prev_at: String,
    next_seq: i64,
    info: Option<LedgerInfo>,
    scans: BTreeSet<String>,
}

impl Default for RestoreCheck {
    fn default() -> Self {
        RestoreCheck::new()
    }
}

impl RestoreCheck {
    pub fn new() -> RestoreCheck {
        RestoreCheck { prev: GENESIS, prev_at: String::new(), next_seq: 1, info: None, scans: BTreeSet::new() }
    }

    /// [DOC-1, AUD-2] a scan arriving: its bytes must hash to its address.
    pub fn scan(&mut self, scan: &RawScan) -> Result<(), Failure> {
        if crate::scan::sha256_hex(&scan.bytes) != scan.sha256 {
            return Err(damaged(format!(
                "源账簿中的扫描件 {} 的内容与其 SHA-256 不符：该文件被改动过，未复制",
                scan.sha256
            )));
        }
        self.scans.insert(scan.sha256.clone());
        Ok(())
    }

    /// [AUD-1, AUD-2] the next entry: checked against its predecessor and
    /// parsed. The first must create the ledger ([`RestoreCheck::ledger`]
    /// then names it).
    pub fn entry(&mut self, entry: &RawEntry) -> Result<Event, Failure> {
        let seq = self.next_seq;
        if entry.seq != seq {
            return Err(damaged(format!("源账簿日志第 {seq} 条缺失（其后为第 {} 条），未复制", entry.seq)));
        }
        let computed = entry_hash(&self.prev, seq, &entry.at, &entry.actor, &entry.kind, &entry.payload);
        if computed != entry.hash {
            return Err(damaged(format!("源账簿日志第 {seq} 条的内容与其哈希不符：该条记录被改动过，未复制")));
        }
        if crate::audit::log_time_goes_back(&self.prev_at, &entry.at) {
            return Err(damaged(format!(
                "源账簿日志第 {seq} 条的时间 {} 早于第 {} 条的 {}：日志的时间倒退了，未复制",
                entry.at,
                seq - 1,
                self.prev_at
            )));
        }
        let event: Event = serde_json::from_str(&entry.payload)
            .map_err(|e| damaged(format!("源账簿日志第 {seq} 条无法解析（{e}），未复制")))?;
        if event.kind() != entry.kind {
            return Err(damaged(format!(
                "源账簿日志第 {seq} 条的类型 {} 与内容 {} 不符，未复制",
                entry.kind,
                event.kind()
            )));
        }
        match (&event, &self.info) {
            (Event::LedgerCreated { name, start }, None) => {
                self.info = Some(LedgerInfo { name: name.clone(), start: *start });
            }
            (_, None) => {
                return Err(damaged("源账簿日志的第 1 条不是建立账套的记录，未复制".to_string()));
            }
            (Event::LedgerCreated { .. }, Some(_)) => {
                return Err(damaged(format!("源账簿日志第 {seq} 条再次建立账套，未复制")));
            }
            _ => {}
        }
        if let Event::ScanAttached { scan } = &event {
            if !self.scans.contains(&scan.sha256) {
                return Err(damaged(format!(
                    "源账簿日志第 {seq} 条附上的扫描件 {} 缺失（被删除），未复制",
                    scan.sha256
                )));
            }
        }
        self.prev = computed;
        self.prev_at.clone_from(&entry.at);
        self.next_seq += 1;
        Ok(event)
    }

    /// The ledger the first entry created, once it has arrived.
    pub fn ledger(&self) -> Option<&LedgerInfo> {
        self.info.as_ref()
    }

    /// The end of the feed: at least the entry creating the ledger arrived.
    /// Returns the ledger and its fingerprint.
    pub fn finish(&self) -> Result<(LedgerInfo, Fingerprint), Failure> {
        match &self.info {
            Some(info) => Ok((info.clone(), self.prev)),
            None => Err(damaged("源账套没有任何日志记录，未复制".to_string())),
        }
    }
}

/// Copies one ledger of `source` into `target` with its whole log, the
/// source streaming into the target's one transaction; returns the
/// target's handle of the copy.
pub fn copy_ledger<S: Backend, T: Backend>(
    source: &S,
    ledger: &LedgerHandle,
    target: &mut T,
) -> Result<LedgerHandle, Failure> {
    target.restore_ledger(|sink| source.each_raw_entry(ledger, sink))
}

/// [LED-1] the refusal of a copy into a backend already holding a ledger
/// of that name: a copy never writes over a ledger.
pub fn name_taken(name: &str) -> Failure {
    Failure::Refused(
        Refusal::new(Rule::Led1, format!("目标账簿中已有名为“{name}”的账套：复制不会覆盖已有账套，未复制")).into(),
    )
}

/// [AUD-2] what the source holds is not what the engine writes: damage to
/// the source (exit 3 where verify's failures exit 3), not a refusal of
/// the request.
fn damaged(message: String) -> Failure {
    Failure::Backend(BackendError::corrupt(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;

    fn entry(prev: &Fingerprint, seq: i64, at: &str, event: &Event) -> RawEntry {
        let payload = serde_json::to_string(event).unwrap();
        let hash = entry_hash(prev, seq, at, "张三", event.kind(), &payload);
        RawEntry { seq, at: at.into(), actor: "张三".into(), kind: event.kind().into(), payload, hash }
    }

    fn created() -> Event {
        Event::LedgerCreated { name: "东风社区".into(), start: Period::new(2024, 1).unwrap() }
    }

    #[test]
    fn aud_2_a_chain_arrives_whole_or_is_refused() {
        let first = entry(&GENESIS, 1, "2024-01-02T09:00:00+08:00", &created());
        let mut check = RestoreCheck::new();
        check.entry(&first).unwrap();
        assert_eq!(check.ledger().unwrap().name, "东风社区");
        assert_eq!(check.finish().unwrap().1, first.hash);

        let mut altered = first.clone();
        altered.actor = "李四".into();
        let err = RestoreCheck::new().entry(&altered).unwrap_err();
        assert!(format!("{err}").contains("与其哈希不符"), "{err}");

        let mut gap = first.clone();
        gap.seq = 2;
        assert!(RestoreCheck::new().entry(&gap).is_err());
        assert!(RestoreCheck::new().finish().is_err(), "an empty feed is no ledger");
    }

    #[test]
    fn doc_1_a_scan_must_hash_to_its_address() {
        let bytes = b"%PDF-1.4 scan".to_vec();
        let good = RawScan { sha256: crate::scan::sha256_hex(&bytes), media: MediaType::Pdf, bytes };
        RestoreCheck::new().scan(&good).unwrap();
        let mut bad = good.clone();
        bad.bytes.push(b'!');
        assert!(RestoreCheck::new().scan(&bad).is_err());
    }
}
