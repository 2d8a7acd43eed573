//! People, appointments, kinship and passphrases (PPL-1..3, OPR-1).

use crate::backend::Backend;
use qianzhang_core::books::Books;
use qianzhang_core::books::{appoint, end_appointment, record_kinship, register_person, set_passphrase};
use qianzhang_core::operator::{admit_signed_in, Act};
use qianzhang_core::people::{check_registered, Appointment, KinFact, Registry, Role};
use qianzhang_core::{Refusal, Rule};

use crate::session::{Ledger, Session};
use crate::Error;

pub fn registry<B: Backend>(ledger: &Ledger<B>) -> Result<Registry, Error> {
    Ok(ledger.store().registry(ledger.handle())?)
}

/// Registers a person, with their passphrase's hash if one was given (admin).
pub fn register<B: Backend>(
    session: &mut Session<B>,
    name: &str,
    passphrase_hash: Option<String>,
) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| register_person(w, name, passphrase_hash))
}

/// [OPR-1] registers a person with a temporary passphrase (admin): they
/// sign in with it and must set their own before doing anything else.
pub fn register_temporary<B: Backend>(
    session: &mut Session<B>,
    name: &str,
    passphrase_hash: String,
) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| qianzhang_core::people::register_person_temporary(w, name, passphrase_hash))
}

/// The day after the last day in office: when an appointment ends.
pub fn ended_after(last: time::Date) -> Result<time::Date, Error> {
    last.next_day().ok_or_else(|| Error::refuse(Rule::Ppl1, "任职最后一天超出了可记录的日期范围"))
}

/// Appoints a person to a role (admin).
pub fn appoint_to<B: Backend>(session: &mut Session<B>, appointment: Appointment) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| appoint(w, appointment))
}

/// Ends a person's appointment from `date` (admin).
pub fn end<B: Backend>(session: &mut Session<B>, name: &str, role: Role, date: time::Date) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| end_appointment(w, name, role, date))
}

/// [PPL-2] records a kinship fact (admin); returns the conflicts it makes
/// with appointments in force today.
pub fn relate<B: Backend>(session: &mut Session<B>, fact: KinFact) -> Result<Vec<Refusal>, Error> {
    let today = session.today();
    session.change(Act::Administer, |w, _| record_kinship(w, fact, today))
}

/// How `b` is a close relative of `a`, told with their posts on `today`;
/// `None` when they are not (by the kinship recorded).
pub fn relation<B: Backend>(ledger: &Ledger<B>, a: &str, b: &str, today: time::Date) -> Result<Option<String>, Error> {
    let registry = registry(ledger)?;
    for p in [a, b] {
        check_registered(&registry, p)?;
    }
    Ok(registry.kinship().relation(a, b).map(|x| x.render(|p| registry.posts(p, today))))
}

/// [OPR-1] sets a passphrase: one's own needs only the old one (even one
/// an admin reset); anyone else's needs an admin.
pub fn set_passphrase_of<B: Backend>(session: &mut Session<B>, name: &str, hash: String) -> Result<(), Error> {
    let today = session.today();
    session.write(|w, who| {
        if who != name {
            admit_signed_in(w.registry(), who, Act::Administer, today)?;
        }
        set_passphrase(w, name, hash, who)
    })
}
