//! Operators: every change is made by a registered person, proved by a
//! passphrase (argon2id), who holds the role the act needs on the day of the
//! act.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use time::Date;

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
            Act::Administer => "管理科目、人员与设置",
            Act::KeepBooks => "制单、导入和记账",
            Act::Post => "记账",
            Act::MigrateHistory => "迁移历史数据",
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

/// [OPR-1] the operator is registered, has a passphrase, and gave it.
pub fn authenticate(registry: &Registry, name: &str, passphrase: &str) -> Result<(), Refusal> {
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
}
