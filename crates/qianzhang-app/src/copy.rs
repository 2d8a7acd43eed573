//! Moving ledgers to another backend with their whole log (AUD-1, AUD-2,
//! LED-1, DOC-1): a street office that outgrows its file moves to a server
//! database, and every fingerprint it ever published still verifies there.
//!
//! Who may copy: an administrator of each ledger copied, signed in on the
//! source with their passphrase. A copy carries everything the ledger
//! holds — every voucher and scan, and the passphrase hashes of everyone
//! who signs in to it — to a place whose keepers may differ, so it is an
//! act of the person who manages the ledger's people and settings
//! (`Act::Administer`), not of any officer; and it is checked on the
//! source because the target holds no such ledger yet. The target's other
//! ledgers are never touched, and who may write into the target at all is
//! the target's own keeping (the file's permissions, the database role).
//!
//! A copy writes nothing into the source's log: the copy's fingerprint is
//! the source's, entry for entry. (A failed sign-in or a missing role is
//! logged in the source as any other, before anything is copied.)

use qianzhang_core::backend::{CopyItem, LogHead};
use qianzhang_core::chain::GENESIS;
use qianzhang_core::operator::Act;
use qianzhang_core::Rule;

use crate::backend::{Backend, BackendError, LedgerHandle};
use crate::session::{check_sign_in, resume, Claim, Ledger, Wait};
use crate::Error;

/// One ledger copied, verified on the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    pub ledger: String,
    /// Log entries copied; the copy verified with the same number.
    pub entries: i64,
    /// Scans copied.
    pub scans: usize,
    /// The source's fingerprint as copied, and the copy's as verified.
    pub fingerprint: qianzhang_core::chain::Fingerprint,
}

/// How a copy of several ledgers ended: each ledger is copied in one
/// transaction of its own, so when one fails those copied before it stay
/// (each whole and verified) and the failing one and those after it are
/// not in the target.
#[derive(Debug)]
pub struct Outcome {
    pub copied: Vec<Copied>,
    /// The ledger that could not be copied, with why, and the ledgers
    /// after it that were not tried.
    pub failed: Option<(String, Error, Vec<String>)>,
}

/// [LED-1, OPR-1, AUD-2] copies the ledgers named (every ledger of the
/// source when none is named) from `source` into `target`, once the
/// operator is signed in as an administrator of each and the target holds
/// none of their names; each copy is verified on the target and must show
/// the fingerprint the source had when it was read.
pub fn copy<S: Backend, T: Backend>(
    source: S,
    target: &mut T,
    names: &[String],
    claim: &Claim,
    passphrase: &str,
    wait: Wait<'_>,
) -> Result<Outcome, Error> {
    let mut chosen: Vec<LedgerHandle> = Vec::new();
    if names.is_empty() {
        chosen = source.ledgers()?;
        if chosen.is_empty() {
            return Err(Error::refuse(Rule::Led1, "源账簿中没有任何账套，无可复制"));
        }
    }
    for name in names {
        let handle = source.select(Some(name))?;
        if !chosen.contains(&handle) {
            chosen.push(handle);
        }
    }
    let mut source = source;
    for handle in &chosen {
        let mut ledger = Ledger::new(source, handle.clone());
        check_sign_in(&mut ledger, claim, passphrase, &mut *wait)?;
        let mut session = resume(ledger, claim.clone());
        // The role on the day, checked in a write that appends nothing (a
        // refusal is logged in the operator's name, AUD-1).
        session.change(Act::Administer, |_, _| Ok(()))?;
        source = session.into_ledger().into_backend();
    }
    let held: Vec<String> = target.ledgers()?.into_iter().map(|l| l.info.name).collect();
    let taken: Vec<&str> =
        chosen.iter().map(|h| h.info.name.as_str()).filter(|n| held.iter().any(|h| h == n)).collect();
    if !taken.is_empty() {
        return Err(Error::refuse(
            Rule::Led1,
            format!(
                "目标账簿中已有同名账套“{}”：复制不会覆盖已有账套；请改用另一个目标，或用 --ledger 只复制其余账套",
                taken.join("”“")
            ),
        ));
    }
    let mut copied = Vec::new();
    for (i, handle) in chosen.iter().enumerate() {
        match copy_one(&source, handle, target) {
            Ok(c) => copied.push(c),
            Err(e) => {
                let rest = chosen[i + 1..].iter().map(|h| h.info.name.clone()).collect();
                return Ok(Outcome { copied, failed: Some((handle.info.name.clone(), e, rest)) });
            }
        }
    }
    Ok(Outcome { copied, failed: None })
}

/// One ledger streamed into the target's transaction, then verified there.
fn copy_one<S: Backend, T: Backend>(source: &S, handle: &LedgerHandle, target: &mut T) -> Result<Copied, Error> {
    let mut head = LogHead { seq: 0, fingerprint: GENESIS };
    let mut scans = 0;
    let copy = target.restore_ledger(|sink| {
        source.each_raw_entry(handle, |item| {
            match &item {
                CopyItem::Scan(_) => scans += 1,
                CopyItem::Entry(e) => head = LogHead { seq: e.seq, fingerprint: e.hash },
            }
            sink(item)
        })
    });
    let copy = match copy {
        Ok(copy) => copy,
        // Nothing was kept, and the refusal has no ledger to be logged in.
        Err(qianzhang_core::Failure::Refused(refusals)) => return Err(Error::Refused { refusals, logged: false }),
        Err(other) => return Err(other.into()),
    };
    let report = target.verify(&copy)?;
    if let Some(m) = &report.mismatch {
        return Err(Error::Backend(BackendError::corrupt(format!(
            "复制后的账套“{}”校验不符（{}）：请勿使用该副本",
            copy.info.name, m.detail
        ))));
    }
    if (report.entries, report.fingerprint) != (head.seq, head.fingerprint) {
        return Err(Error::Backend(BackendError::corrupt(format!(
            "复制后的账套“{}”的指纹 {} 与源账簿的 {} 不同：请勿使用该副本",
            copy.info.name, report.fingerprint, head.fingerprint
        ))));
    }
    Ok(Copied { ledger: copy.info.name, entries: report.entries, scans, fingerprint: report.fingerprint })
}
