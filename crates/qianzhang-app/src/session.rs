//! Who acts: the ledger a request is about, the operator's sign-in (OPR-1),
//! the role each act needs, and which refusals are logged in whose name
//! (AUD-1).
//!
//! A front end supplies the time of the act and every passphrase; it also
//! does the waiting the sign-in policy asks for (a terminal sleeps, a web
//! server answers later), through the `wait` callback.

use std::time::Duration;

use password_hash::rand_core::OsRng;
use password_hash::SaltString;
use qianzhang_core::books::Books;
use qianzhang_core::operator::{admit_signed_in, check_passphrase, hash_passphrase, Act, Gate, SIGN_IN, UNVERIFIED};
use qianzhang_core::{Failure, Period, Refusals, Rule};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::backend::{Actor, Backend, LedgerHandle};
use crate::Error;

/// What a front end does while a sign-in waits (OPR-1): told the name,
/// the failures in a row so far and how long to wait.
pub type Wait<'a> = &'a mut dyn FnMut(&str, u32, Duration);

/// One ledger of an opened backend; what every read is made against.
pub struct Ledger<B: Backend> {
    backend: B,
    handle: LedgerHandle,
}

impl<B: Backend> Ledger<B> {
    /// [LED-1] the ledger named, or the only one when none is named.
    pub fn select(backend: B, name: Option<&str>) -> Result<Ledger<B>, Error> {
        let handle = backend.select(name)?;
        Ok(Ledger { backend, handle })
    }

    pub(crate) fn new(backend: B, handle: LedgerHandle) -> Ledger<B> {
        Ledger { backend, handle }
    }

    pub fn name(&self) -> &str {
        &self.handle.info.name
    }

    /// The go-live month.
    pub fn start(&self) -> Period {
        self.handle.info.start
    }

    pub fn handle(&self) -> &LedgerHandle {
        &self.handle
    }

    /// The backend back, for a front end that keeps it open between acts.
    pub fn into_backend(self) -> B {
        self.backend
    }

    pub(crate) fn store(&self) -> &B {
        &self.backend
    }

    pub(crate) fn store_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// Runs a core reader against the books (nothing is written).
    pub(crate) fn read<T>(&mut self, query: impl FnOnce(&mut B::Books<'_>) -> Result<T, Failure>) -> Result<T, Error> {
        let handle = self.handle.clone();
        Ok(self.backend.read(&handle, query)?)
    }
}

/// Who says they act, when, and the request as given (for the log).
#[derive(Clone, Debug)]
pub struct Claim {
    pub name: String,
    pub now: OffsetDateTime,
    pub command: String,
}

impl Claim {
    /// The operator named (`None` or blank: a usage error); the name goes
    /// into every log entry's actor column, so it is checked as text (LIM-1).
    pub fn new(name: Option<&str>, now: OffsetDateTime, command: impl Into<String>) -> Result<Claim, Error> {
        let name = name.map(str::trim).filter(|n| !n.is_empty()).ok_or_else(|| {
            Error::Usage("改动账簿的命令须指明操作人：加 --as 姓名，或设置环境变量 QIANZHANG_USER".into())
        })?;
        qianzhang_core::text::check_text("操作人", name, qianzhang_core::text::NAME_CHARS)?;
        Ok(Claim { name: name.to_string(), now, command: command.into() })
    }

    /// The time of the act as the log records it.
    pub fn at(&self) -> String {
        rfc3339(self.now)
    }

    pub fn today(&self) -> Date {
        self.now.date()
    }

    pub(crate) fn actor(&self) -> Actor {
        Actor { name: self.name.clone(), at: self.at(), command: self.command.clone() }
    }
}

/// The time of an act as the log stores it: RFC 3339, to the second.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// [OPR-1, AUD-1] checks a passphrase before anything is done or logged in
/// the name claimed. A name locked after repeated failures is refused
/// unchecked; each earlier failure waits longer before it is answered, and
/// is logged as a failed sign-in under the name it claimed.
pub fn check_sign_in<B: Backend>(
    ledger: &mut Ledger<B>,
    claim: &Claim,
    passphrase: &str,
    wait: Wait<'_>,
) -> Result<(), Error> {
    let name = &claim.name;
    let now = claim.now;
    let failures = ledger.store().failed_sign_ins(ledger.handle(), name)?;
    let prior = match SIGN_IN.gate(&failures, now) {
        // Refused without a check and not logged: the lockout entry stands for it.
        Gate::Locked { until } => {
            return Err(Error::Refused { refusals: Refusals::one(SIGN_IN.locked(name, until)), logged: true })
        }
        Gate::Open { failures, delay } => {
            if !delay.is_zero() {
                wait(name, failures, delay);
            }
            failures
        }
    };
    let registry = ledger.store().registry(ledger.handle())?;
    let Err(why) = check_passphrase(&registry, name, passphrase) else { return Ok(()) };
    let (event, refusal) = SIGN_IN.failed(prior, name, &claim.command, why, now);
    let unverified = Actor { name: UNVERIFIED.into(), at: claim.at(), command: claim.command.clone() };
    let handle = ledger.handle().clone();
    ledger.store_mut().write(&handle, &unverified, |w| w.append(event))?;
    Err(Error::Refused { refusals: Refusals::one(refusal), logged: true })
}

/// Whether `passphrase` is `name`'s in this ledger, checked without waiting
/// or logging anything: for a front end that offers one sign-in across
/// several ledgers, where a person may keep a passphrase per ledger. Only
/// the ledgers where it matches are then signed in with
/// [`check_sign_in`]; if it matches in none, every ledger knowing the name
/// is tried and logs its failure (OPR-1).
pub fn passphrase_matches<B: Backend>(ledger: &Ledger<B>, name: &str, passphrase: &str) -> Result<bool, Error> {
    let registry = ledger.store().registry(ledger.handle())?;
    Ok(check_passphrase(&registry, name, passphrase).is_ok())
}

/// A signed-in operator at one ledger: what every change is made through.
pub struct Session<B: Backend> {
    ledger: Ledger<B>,
    operator: Claim,
}

/// Signs the operator in (OPR-1) and opens their session.
pub fn sign_in<B: Backend>(
    mut ledger: Ledger<B>,
    claim: Claim,
    passphrase: &str,
    wait: Wait<'_>,
) -> Result<Session<B>, Error> {
    check_sign_in(&mut ledger, &claim, passphrase, wait)?;
    Ok(Session { ledger, operator: claim })
}

/// The session of an operator whose sign-in the front end already checked
/// with [`check_sign_in`] and keeps itself (the web office's signed-in
/// session): every act still checks the operator's role on its day.
pub fn resume<B: Backend>(ledger: Ledger<B>, claim: Claim) -> Session<B> {
    Session { ledger, operator: claim }
}

impl<B: Backend> Session<B> {
    /// [AUD-1] logs a refusal found before a change reached the books, in
    /// the signed-in operator's name.
    pub fn log_refusal(&mut self, refusals: &Refusals) -> Result<(), Error> {
        let who = self.operator.actor();
        let handle = self.ledger.handle().clone();
        self.ledger.store_mut().log_refusal(&handle, &who, refusals)?;
        Ok(())
    }

    pub fn operator(&self) -> &str {
        &self.operator.name
    }

    pub fn today(&self) -> Date {
        self.operator.today()
    }

    /// The time of the act, RFC 3339.
    pub fn at(&self) -> String {
        self.operator.at()
    }

    pub fn ledger(&mut self) -> &mut Ledger<B> {
        &mut self.ledger
    }

    /// The ledger back, once the session's acts are done.
    pub fn into_ledger(self) -> Ledger<B> {
        self.ledger
    }

    /// Runs `command` in one transaction as the operator, once their role
    /// for `act` on the day of the act is checked (OPR-1).
    pub(crate) fn change<T>(
        &mut self,
        act: Act,
        command: impl FnOnce(&mut B::Books<'_>, &str) -> Result<T, Failure>,
    ) -> Result<T, Error> {
        let today = self.today();
        self.write(|w, who| {
            admit_signed_in(w.registry(), who, act, today)?;
            command(w, who)
        })
    }

    /// Runs `command` in one transaction as the operator, who is signed in
    /// but whose role the command checks itself.
    pub(crate) fn write<T>(
        &mut self,
        command: impl FnOnce(&mut B::Books<'_>, &str) -> Result<T, Failure>,
    ) -> Result<T, Error> {
        let actor = self.operator.actor();
        let handle = self.ledger.handle.clone();
        Ok(self.ledger.backend.write(&handle, &actor, |w| command(w, &actor.name))?)
    }
}

/// [AUD-1] logs a refusal found before a change reached the books. It is
/// attributed to the operator only once their passphrase checks out (a
/// wrong one is a failed sign-in, logged as such in place of the
/// refusal); else it is filed as unverified, with the name claimed.
pub fn log_refusal<B: Backend>(
    ledger: &mut Ledger<B>,
    claim: Option<&Claim>,
    passphrase: Option<&str>,
    at: &str,
    command: &str,
    refusals: &Refusals,
    wait: Wait<'_>,
) -> Result<(), Error> {
    let who = match (claim, passphrase) {
        (Some(c), Some(p)) => {
            check_sign_in(ledger, c, p, wait)?;
            c.actor()
        }
        (Some(c), None) => {
            Actor { name: UNVERIFIED.into(), at: c.at(), command: format!("（自称 {}）{}", c.name, c.command) }
        }
        (None, _) => Actor { name: UNVERIFIED.into(), at: at.to_string(), command: command.to_string() },
    };
    let handle = ledger.handle().clone();
    ledger.store_mut().log_refusal(&handle, &who, refusals)?;
    Ok(())
}

/// Hashes a new passphrase with a fresh random salt (OPR-1 bounds its length).
pub fn hash_new(passphrase: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hash_passphrase(passphrase, salt.as_str())?)
}

/// A refusal told under another rule (the approver's sign-in at a reopen
/// is asked for by PER-2).
pub(crate) fn as_rule(e: Error, rule: Rule) -> Error {
    match e {
        Error::Refused { refusals, logged } => Error::Refused {
            refusals: Refusals {
                reasons: refusals.reasons.into_iter().map(|r| qianzhang_core::Refusal { rule, ..r }).collect(),
                unlisted: refusals.unlisted,
            },
            logged,
        },
        other => other,
    }
}
