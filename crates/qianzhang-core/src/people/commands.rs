//! People commands: register, passphrases, appointments and kinship
//! (PPL-1, OPR-1, SEP-1..SEP-4, SEP-7).

use time::Date;

use super::{check_appointment, check_person_name, check_registered, Appointment, KinFact, Role};
use crate::books::Books;
use crate::event::Event;
use crate::period::format_date;
use crate::rule::{refuse, Failure, Refusal, Rule};

/// `王芳 与 李强 是配偶`.
pub fn describe_fact(fact: &KinFact) -> String {
    match fact {
        KinFact::Spouse { a, b } => format!("{a} 与 {b} 是配偶"),
        KinFact::Parent { parent, child } => format!("{parent} 是 {child} 的父母"),
        KinFact::Sibling { a, b } => format!("{a} 与 {b} 是兄弟姐妹"),
        KinFact::Kin { a, b } => format!("{a} 与 {b} 是近亲属"),
    }
}

/// [PPL-1] registers a person, with their first passphrase hash if given.
pub fn register_person(books: &mut impl Books, name: &str, passphrase_hash: Option<String>) -> Result<(), Failure> {
    check_person_name(books.registry(), name)?;
    let name = name.trim().to_string();
    books.append(Event::PersonRegistered { name: name.clone() })?;
    if let Some(hash) = passphrase_hash {
        books.append(Event::PassphraseSet { person: name, hash, reset: false })?;
    }
    Ok(())
}

/// [PPL-1, OPR-1] registers a person with a first passphrase an admin
/// chose for them: like a reset, it admits only its owner setting their own.
pub fn register_person_temporary(books: &mut impl Books, name: &str, hash: String) -> Result<(), Failure> {
    check_person_name(books.registry(), name)?;
    let name = name.trim().to_string();
    books.append(Event::PersonRegistered { name: name.clone() })?;
    books.append(Event::PassphraseSet { person: name, hash, reset: true })?;
    Ok(())
}

/// [OPR-1] sets a registered person's passphrase hash, `by` the person
/// themselves or an admin. An admin replacing a passphrase the person had is
/// a reset: nobody acts as them until they set their own.
pub fn set_passphrase(books: &mut impl Books, person: &str, hash: String, by: &str) -> Result<(), Failure> {
    check_registered(books.registry(), person)?;
    let reset = by != person && books.registry().passphrase_hash(person).is_some();
    books.append(Event::PassphraseSet { person: person.to_string(), hash, reset })?;
    Ok(())
}

/// [SEP-1..SEP-4, SEP-7] appoints a registered person to a role.
pub fn appoint(books: &mut impl Books, appointment: Appointment) -> Result<(), Failure> {
    let registry = books.registry();
    check_registered(registry, &appointment.person)?;
    check_appointment(registry.appointments(), &registry.kinship(), &appointment)?;
    books.append(Event::Appointed { appointment })?;
    Ok(())
}

/// [PPL-1] ends the appointment of `person` as `role` in force the day
/// before `ended`; from `ended` on they no longer hold it.
pub fn end_appointment(books: &mut impl Books, person: &str, role: Role, ended: Date) -> Result<(), Failure> {
    check_registered(books.registry(), person)?;
    let Some(a) = books
        .registry()
        .appointments()
        .iter()
        .find(|a| a.person == person && a.role == role && a.from < ended && a.ended.is_none_or(|e| e > ended))
    else {
        return refuse(Rule::Ppl1, format!("{person}在 {} 前没有仍在任的{}任职", format_date(ended), role.chinese()));
    };
    let from = a.from;
    books.append(Event::AppointmentEnded { person: person.to_string(), role, from, ended })?;
    Ok(())
}

/// [SEP-7] records a kinship fact between registered people. Facts are
/// never refused for the conflicts they reveal; the conflicts on `today`
/// are returned so the caller can say whose signatures are now frozen.
pub fn record_kinship(books: &mut impl Books, fact: KinFact, today: Date) -> Result<Vec<Refusal>, Failure> {
    let (a, b) = match &fact {
        KinFact::Spouse { a, b } | KinFact::Sibling { a, b } | KinFact::Kin { a, b } => (a, b),
        KinFact::Parent { parent, child } => (parent, child),
    };
    check_registered(books.registry(), a)?;
    check_registered(books.registry(), b)?;
    if a == b {
        return refuse(Rule::Ppl1, format!("亲属关系须在两个不同的人之间登记（{a}）"));
    }
    if books.registry().facts().contains(&fact) {
        return refuse(Rule::Ppl1, format!("该亲属关系已登记：{}", describe_fact(&fact)));
    }
    books.append(Event::KinshipRecorded { fact })?;
    Ok(books.registry().conflicts(today))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::memory::MemoryBooks;
    use crate::test_support::rule_of;

    use crate::people::tests::appoint as officer;

    #[test]
    fn ppl_1_people_are_registered_once_and_before_they_act() {
        let mut b = MemoryBooks::fixture();
        register_person(&mut b, "李明", None).unwrap();
        assert_eq!(rule_of(register_person(&mut b, "李明", None)), Rule::Ppl1);
        assert_eq!(rule_of(register_person(&mut b, " ", None)), Rule::Ppl1);
        assert_eq!(rule_of(appoint(&mut b, officer("王芳", Role::Cashier, false, None))), Rule::Ppl1);
        let spouse = KinFact::Spouse { a: "王芳".into(), b: "李明".into() };
        assert_eq!(rule_of(record_kinship(&mut b, spouse, date!(2025 - 01 - 01))), Rule::Ppl1);
        appoint(&mut b, officer("李明", Role::Approver, true, Some("主任"))).unwrap();
        assert_eq!(rule_of(end_appointment(&mut b, "李明", Role::Cashier, date!(2025 - 02 - 01))), Rule::Ppl1);
        assert_eq!(rule_of(end_appointment(&mut b, "李明", Role::Approver, date!(2025 - 01 - 01))), Rule::Ppl1);
        end_appointment(&mut b, "李明", Role::Approver, date!(2025 - 02 - 01)).unwrap();
        assert!(!b.registry.appointments()[0].in_force(date!(2025 - 02 - 01)));
    }

    #[test]
    fn sep_7_kinship_is_recorded_and_reports_the_conflict() {
        let mut b = MemoryBooks::fixture();
        for p in ["李明", "李强", "王芳"] {
            register_person(&mut b, p, None).unwrap();
        }
        appoint(&mut b, officer("李明", Role::Approver, true, Some("主任"))).unwrap();
        appoint(&mut b, officer("王芳", Role::Cashier, false, None)).unwrap();
        let day = date!(2025 - 03 - 01);
        assert!(record_kinship(&mut b, KinFact::Sibling { a: "李强".into(), b: "李明".into() }, day)
            .unwrap()
            .is_empty());
        let conflicts = record_kinship(&mut b, KinFact::Spouse { a: "王芳".into(), b: "李强".into() }, day).unwrap();
        assert_eq!(conflicts.len(), 1);
        assert!(conflicts[0].message.contains("王芳是主任李明的近姻亲（配偶的兄弟姐妹）"), "{}", conflicts[0].message);
        assert_eq!(b.registry.facts().len(), 2, "the fact is recorded despite the conflict");
        let again = KinFact::Spouse { a: "王芳".into(), b: "李强".into() };
        assert_eq!(rule_of(record_kinship(&mut b, again, day)), Rule::Ppl1);
        assert_eq!(rule_of(appoint(&mut b, officer("李强", Role::Accountant, false, None))), Rule::Sep3);
    }
}
