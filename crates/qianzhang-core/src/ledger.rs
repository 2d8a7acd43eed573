//! Ledgers (账套, LED-1): their names, choosing one, and the events that
//! create one with its first administrator.

use time::Date;

use crate::account::Chart;
use crate::books::LedgerInfo;
use crate::event::Event;
use crate::people::{check_person_name, Appointment, Registry, Role};
use crate::period::Period;
use crate::rule::{Refusal, Rule};

/// Ledger names are short and printable.
pub const MAX_LEDGER_NAME_CHARS: usize = 40;

/// [LED-1] checks a new ledger's name.
pub fn check_ledger_name(name: &str) -> Result<(), Refusal> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_LEDGER_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(Refusal::new(
            Rule::Led1,
            format!("账套名称“{name}”无效：不能为空，不超过 {MAX_LEDGER_NAME_CHARS} 个字"),
        ));
    }
    Ok(())
}

/// [LED-1] picks a ledger by name, or the only one when none is named.
/// Returns its index in `ledgers`.
pub fn select_ledger(ledgers: &[LedgerInfo], name: Option<&str>) -> Result<usize, Refusal> {
    let names = || ledgers.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join("、");
    let led = |m: String| Err(Refusal::new(Rule::Led1, m));
    match (name, ledgers.len()) {
        (Some(n), _) => match ledgers.iter().position(|l| l.name == n) {
            Some(i) => Ok(i),
            None if ledgers.is_empty() => led(format!("没有名为“{n}”的账套；库中还没有账套，请先用 init 建立")),
            None => led(format!("没有名为“{n}”的账套；现有账套：{}", names())),
        },
        (None, 0) => led("库中还没有账套，请先运行 qianzhang init --ledger 名称 --start YYYY-MM".into()),
        (None, 1) => Ok(0),
        (None, _) => led(format!("库中有多个账套（{}），请用 --ledger 指明", names())),
    }
}

/// The first administrator of a new ledger.
#[derive(Clone, Debug)]
pub struct FirstAdmin {
    pub name: String,
    /// argon2id hash of their passphrase ([`crate::operator::hash_passphrase`]).
    pub passphrase_hash: String,
    /// The day of `init`: the admin appointment runs from it.
    pub today: Date,
}

/// [LED-1] the events that create a ledger with the default chart and its
/// first administrator; the name must be new among `existing`.
pub fn create_ledger(
    existing: &[LedgerInfo],
    name: &str,
    start: Period,
    admin: &FirstAdmin,
) -> Result<Vec<Event>, Refusal> {
    check_ledger_name(name)?;
    check_person_name(&Registry::default(), &admin.name)?;
    if existing.iter().any(|l| l.name == name.trim()) {
        return Err(Refusal::new(Rule::Led1, format!("账套“{}”已存在，不能重复建立", name.trim())));
    }
    let mut events = vec![Event::LedgerCreated { name: name.trim().to_string(), start }];
    events.extend(Chart::default_chart().into_iter().map(|account| Event::AccountAdded { account }));
    let person = admin.name.trim().to_string();
    events.push(Event::PersonRegistered { name: person.clone() });
    events.push(Event::PassphraseSet { person: person.clone(), hash: admin.passphrase_hash.clone(), reset: false });
    events.push(Event::Appointed {
        appointment: Appointment {
            person,
            role: Role::Admin,
            from: admin.today,
            ended: None,
            leader: false,
            title: None,
            acting: false,
        },
    });
    Ok(events)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn led_1_ledger_names_and_selection() {
        let start = Period::parse("2025-01").unwrap();
        let admin = FirstAdmin { name: "管理员".into(), passphrase_hash: "h".into(), today: date!(2025 - 01 - 01) };
        let events = create_ledger(&[], "幸福里社区", start, &admin).unwrap();
        assert_eq!(events.len(), 25);
        assert!(matches!(&events[24], Event::Appointed { appointment } if appointment.role == Role::Admin));
        assert_eq!(create_ledger(&[], "  ", start, &admin).unwrap_err().rule, Rule::Led1);
        let one = [LedgerInfo { name: "幸福里社区".into(), start }];
        assert_eq!(create_ledger(&one, "幸福里社区", start, &admin).unwrap_err().rule, Rule::Led1);
        assert_eq!(select_ledger(&one, None), Ok(0));
        assert_eq!(select_ledger(&[], None).unwrap_err().rule, Rule::Led1);
        let two = [one[0].clone(), LedgerInfo { name: "和平里".into(), start }];
        assert_eq!(select_ledger(&two, Some("和平里")), Ok(1));
        assert!(select_ledger(&two, None).unwrap_err().message.contains("幸福里社区、和平里"));
        assert_eq!(select_ledger(&two, Some("无")).unwrap_err().rule, Rule::Led1);
    }
}
