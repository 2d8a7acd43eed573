//! Operators: every change is made by a registered person, proved by a
//! passphrase (argon2id), who holds the role the act needs on the day of the
//! act.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::books::Event;
use crate::people::{Registry, Role};
use crate::period::format_date;
use crate::rule::{Refusal, Rule};

/// Passphrases shorter than this are refused.
pub const MIN_PASSPHRASE_CHARS: usize = 6;
/// And longer than this (argon2 takes any length; people do not need more).
pub const MAX_PASSPHRASE_CHARS: usize = 256;

/// What an operator is about to do, for the role check (DOMAIN §0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Accounts, people, appointments, kinship, settings.
    Administer,
    /// Prepare (制单), import, reverse, void, close the month.
    KeepBooks,
    /// Post (记账) prepared vouchers.
    Post,
    /// Migrate history from before go-live.
    MigrateHistory,
    /// Sign a voucher: review, approve or confirm. Any officer in office is
    /// admitted; `lifecycle::sign_voucher` checks the post the kind needs,
    /// SEP-5, and the deputy a resolution names under SEP-6.
    Sign,
    /// Issue and void receipts; count the cash.
    HandleCash,
    /// Import bank statements and match them with the books.
    Reconcile,
    /// Record the 居务监督委员会's review of a disclosure.
    Review,
}

impl Act {
    pub fn roles(self) -> &'static [Role] {
        match self {
            Act::Administer => &[Role::Admin],
            Act::KeepBooks | Act::Post => &[Role::Accountant],
            Act::MigrateHistory => &[Role::Accountant, Role::Admin],
            Act::Sign => &[Role::Reviewer, Role::Approver, Role::Cashier],
            Act::HandleCash => &[Role::Cashier],
            Act::Reconcile => &[Role::Cashier, Role::Accountant],
            Act::Review => &[Role::Auditor],
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            Act::Administer => "管理科目、人员、审批依据与设置",
            Act::KeepBooks => "做账（制单、导入、记账、结账、公开）",
            Act::Post => "记账",
            Act::MigrateHistory => "迁移历史数据或录入期初余额",
            Act::Sign => "在凭证上签字",
            Act::HandleCash => "开具或作废收据、盘点现金",
            Act::Reconcile => "导入银行对账单和对账",
            Act::Review => "审核财务公开",
        }
    }

    /// [SEP-5] posts whose holder never does this act, and why: the
    /// cashier keeps no books, the approver never posts.
    fn forbidden(self) -> &'static [(Role, &'static str)] {
        match self {
            Act::KeepBooks | Act::MigrateHistory => &[(Role::Cashier, "出纳不得制单、记账（钱账分管）")],
            Act::Post => &[(Role::Cashier, "出纳不得记账（钱账分管）"), (Role::Approver, "审批人不得记账")],
            _ => &[],
        }
    }
}

/// [OPR-1] hashes a new passphrase with argon2id and the given salt
/// (base64, from a random source the caller owns).
pub fn hash_passphrase(passphrase: &str, salt_b64: &str) -> Result<String, Refusal> {
    let n = passphrase.chars().count();
    if !(MIN_PASSPHRASE_CHARS..=MAX_PASSPHRASE_CHARS).contains(&n) {
        return Err(Refusal::new(
            Rule::Opr1,
            format!("口令须为 {MIN_PASSPHRASE_CHARS} 到 {MAX_PASSPHRASE_CHARS} 个字符，现为 {n} 个"),
        ));
    }
    let salt = SaltString::from_b64(salt_b64).map_err(|e| Refusal::new(Rule::Opr1, format!("盐值无效：{e}")))?;
    Argon2::default()
        .hash_password(passphrase.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Refusal::new(Rule::Opr1, format!("口令无法加密：{e}")))
}

/// [OPR-1] the operator is registered, has a passphrase, and gave it. A
/// failure here is a failed sign-in (AUD-1): nobody is known to have acted.
pub fn check_passphrase(registry: &Registry, name: &str, passphrase: &str) -> Result<(), Refusal> {
    let opr = |m: String| Err(Refusal::new(Rule::Opr1, m));
    if !registry.is_registered(name) {
        return opr(format!("操作人“{name}”不是本账套登记的人员"));
    }
    let Some(hash) = registry.passphrase_hash(name) else {
        return opr(format!("{name}尚未设置口令，请管理员用 person passphrase {name} 设置"));
    };
    let parsed = PasswordHash::new(hash).map_err(|e| Refusal::new(Rule::Opr1, format!("{name}的口令记录无效：{e}")))?;
    if Argon2::default().verify_password(passphrase.as_bytes(), &parsed).is_err() {
        return opr(format!("{name}的口令不正确"));
    }
    Ok(())
}

/// [OPR-1] a signed-in operator acts on a passphrase of their own: after an
/// admin reset it, only setting their own is open to them.
pub fn check_own_passphrase(registry: &Registry, name: &str) -> Result<(), Refusal> {
    if registry.passphrase_reset(name) {
        return Err(Refusal::new(
            Rule::Opr1,
            format!("{name}的口令已由管理员重置：须先由{name}本人用 person passphrase {name} 设置自己的口令，才能办理其他事项"),
        ));
    }
    Ok(())
}

/// [OPR-1] the passphrase checks out and is the person's own.
pub fn authenticate(registry: &Registry, name: &str, passphrase: &str) -> Result<(), Refusal> {
    check_passphrase(registry, name, passphrase)?;
    check_own_passphrase(registry, name)
}

/// [OPR-1] the operator holds one of the roles `act` needs on `date`. When
/// they hold instead a post that SEP-5 keeps from the act (a cashier
/// posting), the refusal names SEP-5, the stronger reason.
pub fn authorize(registry: &Registry, name: &str, act: Act, date: Date) -> Result<(), Refusal> {
    let mut mine = registry.in_force(date).filter(|a| a.person == name);
    let admitted = match act {
        Act::Sign => mine.next().is_some(),
        _ => mine.any(|a| act.roles().contains(&a.role)),
    };
    if admitted {
        return Ok(());
    }
    let holds = |role: Role| registry.in_force(date).any(|a| a.person == name && a.role == role);
    if let Some((role, why)) = act.forbidden().iter().find(|(role, _)| holds(*role)) {
        return Err(Refusal::new(Rule::Sep5, format!("{name}是{}：{why}，不能{}", role.chinese(), act.chinese())));
    }
    let roles: Vec<&str> = act.roles().iter().map(|r| r.chinese()).collect();
    Err(Refusal::new(
        Rule::Opr1,
        format!("{name}在 {} 没有{}的任职，不能{}", format_date(date), roles.join("或"), act.chinese()),
    ))
}

/// [OPR-1] both checks: who the operator is and whether they may act.
pub fn admit(registry: &Registry, name: &str, passphrase: &str, act: Act, date: Date) -> Result<(), Refusal> {
    authenticate(registry, name, passphrase)?;
    authorize(registry, name, act, date)
}

/// [OPR-1] the checks after sign-in: the passphrase is the person's own,
/// and they hold a role for `act` on `date`.
pub fn admit_signed_in(registry: &Registry, name: &str, act: Act, date: Date) -> Result<(), Refusal> {
    check_own_passphrase(registry, name)?;
    authorize(registry, name, act, date)
}

/// The name the log files an unverified attempt under (AUD-1): the name
/// it claimed is in the entry, never in the actor column.
pub const UNVERIFIED: &str = "（身份未验证）";

/// [OPR-1] how guessing passphrases is slowed and stopped: after each
/// failed sign-in in a row for a name the answer waits longer, and
/// `max_failures` in a row lock the name for `lockout`. The count lives in
/// the log (each failure is an entry); attempts while locked are refused
/// unchecked and not logged, so a lockout costs the log `max_failures`
/// entries however long the guessing goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInPolicy {
    pub max_failures: u32,
    pub lockout: time::Duration,
    /// The wait after the first failure; it doubles with each further one.
    pub first_delay: std::time::Duration,
    pub max_delay: std::time::Duration,
}

/// The policy in force.
pub const SIGN_IN: SignInPolicy = SignInPolicy {
    max_failures: 5,
    lockout: time::Duration::minutes(15),
    first_delay: std::time::Duration::from_secs(1),
    max_delay: std::time::Duration::from_secs(8),
};

/// Whether a name may try its passphrase now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Yes, after waiting `delay`; `failures` in a row so far.
    Open { failures: u32, delay: std::time::Duration },
    /// Not until then.
    Locked { until: OffsetDateTime },
}

/// [OPR-1] the failed sign-ins claiming `name` that are still in a row,
/// oldest first: from `facts` (the log's `sign_in_failed` and
/// `passphrase_set` entries with their sequence numbers, in order), those
/// after the name's passphrase was last set and after the person last
/// acted. `last_act_after(seq)` tells the latest entry after `seq` made by
/// the person, if any.
pub fn failures_in_a_row<E>(
    name: &str,
    facts: impl IntoIterator<Item = (i64, Event)>,
    last_act_after: impl FnOnce(i64) -> Result<Option<i64>, E>,
) -> Result<Vec<Event>, E> {
    let mut failures = Vec::new();
    for (seq, event) in facts {
        match &event {
            Event::PassphraseSet { person, .. } if person == name => failures.clear(),
            Event::SignInFailed { claimed, .. } if claimed == name => failures.push((seq, event)),
            _ => {}
        }
    }
    if let Some(&(first, _)) = failures.first() {
        if let Some(acted) = last_act_after(first)? {
            failures.retain(|(seq, _)| *seq > acted);
        }
    }
    Ok(failures.into_iter().map(|(_, e)| e).collect())
}

impl SignInPolicy {
    /// Reads the failed sign-ins claiming a name since they last acted (or
    /// had a passphrase set), oldest first: only those after the last
    /// lockout ended count.
    pub fn gate<'a>(&self, failures: impl IntoIterator<Item = &'a Event>, now: OffsetDateTime) -> Gate {
        let mut streak = 0u32;
        let mut locked = None;
        for e in failures {
            let Event::SignInFailed { locked_until, .. } = e else { continue };
            match locked_until.as_deref().map(|u| OffsetDateTime::parse(u, &Rfc3339)) {
                Some(Ok(until)) => {
                    locked = (now < until).then_some(until);
                    streak = 0;
                }
                // An unreadable lock still locks: for one lockout from now.
                Some(Err(_)) => {
                    locked = Some(now + self.lockout);
                    streak = 0;
                }
                None => streak += 1,
            }
        }
        match locked {
            Some(until) => Gate::Locked { until },
            None if streak >= self.max_failures => Gate::Locked { until: now + self.lockout },
            None => Gate::Open { failures: streak, delay: self.delay(streak) },
        }
    }

    /// The wait before answering after `failures` in a row.
    pub fn delay(&self, failures: u32) -> std::time::Duration {
        if failures == 0 {
            return std::time::Duration::ZERO;
        }
        let doubled = self.first_delay.saturating_mul(1u32 << (failures - 1).min(16));
        doubled.min(self.max_delay)
    }

    /// One more failure after `prior` in a row: the log entry (under
    /// [`UNVERIFIED`]) and what the person at the keyboard is told.
    pub fn failed(
        &self,
        prior: u32,
        claimed: &str,
        command: &str,
        why: Refusal,
        now: OffsetDateTime,
    ) -> (Event, Refusal) {
        let failures = prior + 1;
        let locked_until = (failures >= self.max_failures).then(|| now + self.lockout);
        let until_text = locked_until.and_then(|u| u.format(&Rfc3339).ok());
        let note = match locked_until {
            Some(u) => format!(
                "；已连续 {failures} 次验证失败，“{claimed}”锁定 {} 分钟（至 {}），期间不受理以其名义的操作",
                self.lockout.whole_minutes(),
                clock_text(u)
            ),
            None => format!(
                "（连续第 {failures} 次；连续 {} 次将锁定 {} 分钟）",
                self.max_failures,
                self.lockout.whole_minutes()
            ),
        };
        let event = Event::SignInFailed {
            claimed: claimed.to_string(),
            command: command.to_string(),
            reason: why.message.clone(),
            failures,
            locked_until: until_text,
        };
        (event, Refusal::new(why.rule, format!("{}{note}", why.message)))
    }

    /// What is said to an attempt while the name is locked.
    pub fn locked(&self, claimed: &str, until: OffsetDateTime) -> Refusal {
        Refusal::new(
            Rule::Opr1,
            format!(
                "“{claimed}”的口令已连续 {} 次验证失败，锁定至 {}；请届时再试，忘记口令请找管理员重置",
                self.max_failures,
                clock_text(until)
            ),
        )
    }
}

/// `2025-03-31 18:15:00` in the time's own offset.
fn clock_text(t: OffsetDateTime) -> String {
    crate::period::show_clock(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Appointment;
    use time::macros::date;

    const SALT: &str = "c2FsdHNhbHRzYWx0c2FsdA";

    fn registry() -> Registry {
        let hash = hash_passphrase("正确的口令123", SALT).unwrap();
        let admin = Appointment {
            person: "管理员".into(),
            role: Role::Admin,
            from: date!(2025 - 01 - 01),
            ended: Some(date!(2025 - 07 - 01)),
            leader: false,
            title: None,
            acting: false,
        };
        Registry::new([("管理员".to_string(), Some(hash)), ("新人".to_string(), None)], vec![admin], vec![])
    }

    #[test]
    fn opr_1_passphrases_are_argon2id_and_checked() {
        let r = registry();
        assert!(r.passphrase_hash("管理员").unwrap().starts_with("$argon2id$"));
        authenticate(&r, "管理员", "正确的口令123").unwrap();
        assert_eq!(authenticate(&r, "管理员", "错误的口令123").unwrap_err().rule, Rule::Opr1);
        assert!(authenticate(&r, "新人", "whatever").unwrap_err().message.contains("尚未设置口令"));
        assert!(authenticate(&r, "陌生人", "whatever").unwrap_err().message.contains("不是本账套登记的人员"));
        assert_eq!(hash_passphrase("短", SALT).unwrap_err().rule, Rule::Opr1);
    }

    #[test]
    fn sep_5_is_named_where_it_and_the_missing_post_both_refuse() {
        let on = date!(2025 - 03 - 01);
        let post = |person: &str, role| Appointment {
            person: person.into(),
            role,
            from: date!(2025 - 01 - 01),
            ended: None,
            leader: false,
            title: None,
            acting: false,
        };
        let r = Registry::new(
            ["王芳", "李明", "刘洋"].map(|p| (p.to_string(), None)),
            vec![post("王芳", Role::Cashier), post("李明", Role::Approver), post("刘洋", Role::Reviewer)],
            vec![],
        );
        let e = authorize(&r, "王芳", Act::Post, on).unwrap_err();
        assert_eq!((e.rule, e.message.as_str()), (Rule::Sep5, "王芳是出纳：出纳不得记账（钱账分管），不能记账"));
        assert_eq!(authorize(&r, "王芳", Act::KeepBooks, on).unwrap_err().rule, Rule::Sep5);
        // Closing a month and publishing are keeping the books too: the
        // refusal names them, not only preparing and posting.
        let e = authorize(&r, "王芳", Act::KeepBooks, on).unwrap_err();
        assert!(e.message.contains("结账") && e.message.contains("公开"), "{}", e.message);
        assert_eq!(authorize(&r, "李明", Act::Post, on).unwrap_err().rule, Rule::Sep5);
        assert_eq!(authorize(&r, "李明", Act::KeepBooks, on).unwrap_err().rule, Rule::Opr1, "SEP-5 lets him prepare");
        assert_eq!(authorize(&r, "刘洋", Act::Post, on).unwrap_err().rule, Rule::Opr1);
        authorize(&r, "刘洋", Act::Sign, on).unwrap();
        assert_eq!(authorize(&r, "陌生人", Act::Sign, on).unwrap_err().rule, Rule::Opr1);
    }

    #[test]
    fn opr_1_the_act_needs_a_role_in_force_that_day() {
        let r = registry();
        authorize(&r, "管理员", Act::Administer, date!(2025 - 03 - 01)).unwrap();
        authorize(&r, "管理员", Act::MigrateHistory, date!(2025 - 03 - 01)).unwrap();
        let e = authorize(&r, "管理员", Act::KeepBooks, date!(2025 - 03 - 01)).unwrap_err();
        assert!(e.message.contains("没有会计的任职"), "{}", e.message);
        assert!(authorize(&r, "管理员", Act::Administer, date!(2025 - 07 - 01)).is_err(), "after the tenure");
    }

    fn failure(locked_until: Option<&str>) -> Event {
        Event::SignInFailed {
            claimed: "管理员".into(),
            command: "account add".into(),
            reason: "口令不正确".into(),
            failures: 0,
            locked_until: locked_until.map(str::to_string),
        }
    }

    #[test]
    fn opr_1_failures_in_a_row_wait_longer_then_lock_for_a_while() {
        use time::macros::datetime;
        let policy = SignInPolicy { max_failures: 3, ..SIGN_IN };
        let now = datetime!(2025-03-31 18:00 +08:00);
        assert_eq!(policy.gate(&[], now), Gate::Open { failures: 0, delay: std::time::Duration::ZERO });
        let two = [failure(None), failure(None)];
        assert_eq!(policy.gate(&two, now), Gate::Open { failures: 2, delay: std::time::Duration::from_secs(2) });
        let why = Refusal::new(Rule::Opr1, "管理员的口令不正确");
        let (event, told) = policy.failed(2, "管理员", "account add", why, now);
        let Event::SignInFailed { failures: 3, locked_until: Some(until), .. } = &event else { panic!("{event:?}") };
        assert_eq!(until, "2025-03-31T18:15:00+08:00");
        assert!(told.message.contains("锁定 15 分钟（至 2025-03-31 18:15:00）"), "{}", told.message);
        let log = [failure(None), failure(None), event];
        assert!(matches!(policy.gate(&log, now + time::Duration::minutes(14)), Gate::Locked { .. }));
        // Once the lockout is over the count starts again.
        assert_eq!(
            policy.gate(&log, now + time::Duration::minutes(15)),
            Gate::Open { failures: 0, delay: std::time::Duration::ZERO }
        );
        assert_eq!(SIGN_IN.delay(1), std::time::Duration::from_secs(1));
        assert_eq!(SIGN_IN.delay(30), SIGN_IN.max_delay);
    }

    #[test]
    fn opr_1_a_reset_passphrase_admits_only_its_owner_setting_their_own() {
        let r = registry().with_resets(["管理员".to_string()]);
        check_passphrase(&r, "管理员", "正确的口令123").unwrap();
        let e = authenticate(&r, "管理员", "正确的口令123").unwrap_err();
        assert!(e.message.contains("已由管理员重置"), "{}", e.message);
        assert!(admit_signed_in(&r, "管理员", Act::Administer, date!(2025 - 03 - 01)).is_err());
    }

    fn failed(name: &str) -> Event {
        Event::SignInFailed {
            claimed: name.into(),
            command: "post".into(),
            reason: "口令不符".into(),
            failures: 1,
            locked_until: None,
        }
    }

    #[test]
    fn opr_1_failures_in_a_row_restart_when_the_person_acts_or_a_passphrase_is_set() {
        let set = Event::PassphraseSet { person: "赵敏".into(), hash: "h".into(), reset: true };
        let facts = vec![(1, failed("赵敏")), (2, failed("钱伟")), (3, set), (5, failed("赵敏")), (7, failed("赵敏"))];
        let none = |_| Ok::<_, ()>(None);
        // The failure before the passphrase was set and another name's are not counted.
        assert_eq!(failures_in_a_row("赵敏", facts.clone(), none).unwrap().len(), 2);
        assert_eq!(failures_in_a_row("钱伟", facts.clone(), none).unwrap().len(), 1);
        // The person acted at entry 6, after the first counted failure: only the later one counts.
        let acted = |first: i64| {
            assert_eq!(first, 5, "asked from the first failure counted");
            Ok::<_, ()>(Some(6))
        };
        assert_eq!(failures_in_a_row("赵敏", facts.clone(), acted).unwrap().len(), 1);
        assert_eq!(failures_in_a_row("孙丽", facts, |_| Err("never asked")), Ok(Vec::new()));
    }
}
