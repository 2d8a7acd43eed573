//! A ledger as a whole: creating one (LED-1), its log, and verifying its
//! hash chain and balances (AUD-2).

use qianzhang_core::books::FirstAdmin;
use qianzhang_core::{Period, Rule};

use crate::backend::{Anchor, Backend, Fingerprint, LogEntry, VerifyReport};
use crate::session::{Claim, Ledger};
use crate::Error;

/// A ledger just created.
pub struct Created<B: Backend> {
    pub ledger: Ledger<B>,
    pub fingerprint: Fingerprint,
    pub accounts: usize,
}

/// [LED-1] creates a ledger with the default chart; the operator becomes
/// its first administrator with the passphrase hashed as given.
pub fn create<B: Backend>(
    mut backend: B,
    name: &str,
    start: Period,
    operator: &Claim,
    passphrase_hash: String,
) -> Result<Created<B>, Error> {
    let admin = FirstAdmin { name: operator.name.clone(), passphrase_hash, today: operator.today() };
    let handle = backend.create_ledger(name, start, &admin, &operator.actor())?;
    let fingerprint = backend.fingerprint(&handle)?.fingerprint;
    let accounts = backend.chart(&handle)?.len();
    Ok(Created { ledger: Ledger::new(backend, handle), fingerprint, accounts })
}

/// The name a new ledger is created under, which must be given.
pub fn new_name(name: Option<&str>) -> Result<String, Error> {
    name.map(str::to_string).ok_or_else(|| Error::refuse(Rule::Led1, "请用 --ledger 名称 指明新账套的名称"))
}

/// The latest `limit` log entries.
pub fn log<B: Backend>(ledger: &Ledger<B>, limit: usize) -> Result<Vec<LogEntry>, Error> {
    Ok(ledger.store().log_tail(ledger.handle(), limit)?)
}

/// [AUD-2] verifies the chain and balances of the ledger named (every
/// ledger when none is named and no fingerprint is given), against a
/// published fingerprint if one is given.
pub fn verify<B: Backend>(
    backend: &B,
    name: Option<&str>,
    fingerprint: Option<&str>,
    month: Option<Period>,
) -> Result<Vec<VerifyReport>, Error> {
    let anchor = match fingerprint {
        Some(hex) => Some(Anchor::parse(hex, month).ok_or_else(|| {
            Error::refuse(
                Rule::Aud2,
                format!("“{hex}”不是指纹：应为公开表上的账簿指纹（16 位十六进制数）或“指纹全文”（64 位）"),
            )
        })?),
        None => None,
    };
    let ledgers = match (name, &anchor) {
        (None, None) => backend.ledgers()?,
        _ => vec![backend.select(name)?],
    };
    let mut reports = Vec::new();
    for ledger in &ledgers {
        let report = match &anchor {
            Some(a) => backend.verify_against(ledger, a.clone())?,
            None => backend.verify(ledger)?,
        };
        if report.anchor_matches.len() > 1 {
            let seqs: Vec<String> = report.anchor_matches.iter().map(|s| format!("第 {s} 条")).collect();
            return Err(Error::refuse(
                Rule::Aud2,
                format!(
                    "指纹 {} 与日志中不止一条相符（{}）：请用公开表上的“指纹全文”",
                    fingerprint.unwrap_or_default(),
                    seqs.join("、")
                ),
            ));
        }
        reports.push(report);
    }
    Ok(reports)
}
