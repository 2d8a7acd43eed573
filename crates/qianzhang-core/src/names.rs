//! The names users type for the core's kinds: the English word scripts use
//! and the Chinese words an office uses (`--role 出纳` is `--role cashier`).
//! Front ends build their parsers from these lists, so no front end keeps a
//! mirror of a core enum.

use crate::account::AccountKind;
use crate::approval::AuthKind;
use crate::lifecycle::SignKind;
use crate::people::{KinFact, Role};

/// One value and every name it is typed as.
#[derive(Clone, Copy, Debug)]
pub struct Names<T: 'static> {
    pub value: T,
    /// The English name: shown in help, used by scripts.
    pub name: &'static str,
    /// Other names accepted: the Chinese ones.
    pub aliases: &'static [&'static str],
    /// What it means, in Chinese, for help.
    pub gloss: &'static str,
}

/// A kind with names users type.
pub trait Named: Copy + PartialEq + Sized + 'static {
    /// Every value with its names, in the order help lists them.
    const ALL: &'static [Names<Self>];

    /// The value typed as `text` (English or Chinese, surrounding spaces ignored).
    fn from_name(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL.iter().find(|n| n.name == text || n.aliases.contains(&text)).map(|n| n.value)
    }

    /// The English name of `self`.
    fn name(self) -> &'static str {
        Self::ALL.iter().find(|n| n.value == self).map(|n| n.name).unwrap_or_default()
    }
}

const fn names<T>(value: T, name: &'static str, aliases: &'static [&'static str], gloss: &'static str) -> Names<T> {
    Names { value, name, aliases, gloss }
}

impl Named for Role {
    const ALL: &'static [Names<Role>] = &[
        names(Role::Accountant, "accountant", &["会计"], "会计"),
        names(Role::Cashier, "cashier", &["出纳"], "出纳"),
        names(Role::Reviewer, "reviewer", &["审核", "审核人"], "审核"),
        names(Role::Approver, "approver", &["审批人", "审批", "主任"], "审批人（一支笔）"),
        names(Role::Auditor, "auditor", &["监督", "监督委员会"], "居务监督委员会"),
        names(Role::Admin, "admin", &["管理员"], "管理员"),
    ];
}

impl Named for crate::voucher::Side {
    const ALL: &'static [Names<crate::voucher::Side>] = &[
        names(crate::voucher::Side::Debit, "debit", &["借", "借方"], "借方"),
        names(crate::voucher::Side::Credit, "credit", &["贷", "贷方"], "贷方"),
    ];
}

impl Named for SignKind {
    const ALL: &'static [Names<SignKind>] = &[
        names(SignKind::Review, "review", &["审核"], "审核"),
        names(SignKind::Approve, "approve", &["审批"], "审批"),
        names(SignKind::Confirm, "confirm", &["出纳确认", "确认"], "出纳确认"),
    ];
}

impl Named for AuthKind {
    const ALL: &'static [Names<AuthKind>] = &[
        names(AuthKind::Resolution, "resolution", &["决议", "两委决议"], "两委会议决议"),
        names(AuthKind::Government, "government", &["批复", "政府批复"], "街道/镇政府批复"),
        names(
            AuthKind::Residents,
            "residents",
            &["居民决议", "居民会议决议", "议事会决议", "一事一议"],
            "居民会议/议事会决议",
        ),
    ];
}

impl Named for AccountKind {
    const ALL: &'static [Names<AccountKind>] = &[
        names(AccountKind::Asset, "asset", &["资产"], "资产"),
        names(AccountKind::Liability, "liability", &["负债"], "负债"),
        names(AccountKind::NetAssets, "net-assets", &["净资产"], "净资产"),
        names(AccountKind::Income, "income", &["收入"], "收入"),
        names(AccountKind::Expense, "expense", &["费用", "支出"], "费用"),
    ];
}

/// How two people are related, as typed for `person relate A B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kinship {
    Spouse,
    /// A is a parent of B.
    Parent,
    /// A is a child of B.
    Child,
    Sibling,
    /// Another close relative.
    Kin,
}

impl Kinship {
    /// The fact that A and B are so related.
    pub fn fact(self, a: String, b: String) -> KinFact {
        match self {
            Kinship::Spouse => KinFact::Spouse { a, b },
            Kinship::Parent => KinFact::Parent { parent: a, child: b },
            Kinship::Child => KinFact::Parent { parent: b, child: a },
            Kinship::Sibling => KinFact::Sibling { a, b },
            Kinship::Kin => KinFact::Kin { a, b },
        }
    }
}

impl Named for Kinship {
    const ALL: &'static [Names<Kinship>] = &[
        names(Kinship::Spouse, "spouse", &["配偶"], "配偶"),
        names(Kinship::Parent, "parent", &["父母", "父亲", "母亲"], "A 是 B 的父亲或母亲"),
        names(Kinship::Child, "child", &["子女", "儿子", "女儿"], "A 是 B 的子女"),
        names(Kinship::Sibling, "sibling", &["兄弟姐妹"], "兄弟姐妹"),
        names(Kinship::Kin, "kin", &["亲属", "近亲属"], "其他近亲属"),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_name_is_one_value<T: Named + std::fmt::Debug>() {
        let mut seen = Vec::new();
        for n in T::ALL {
            for name in std::iter::once(&n.name).chain(n.aliases) {
                assert!(!seen.contains(name), "{name} names two values");
                seen.push(*name);
                assert_eq!(T::from_name(name), Some(n.value));
            }
            assert_eq!(n.value.name(), n.name);
        }
    }

    #[test]
    fn names_are_unambiguous() {
        every_name_is_one_value::<Role>();
        every_name_is_one_value::<SignKind>();
        every_name_is_one_value::<AuthKind>();
        every_name_is_one_value::<AccountKind>();
        every_name_is_one_value::<Kinship>();
    }

    #[test]
    fn roles_and_kinship_take_chinese_names() {
        assert_eq!(Role::from_name("出纳"), Some(Role::Cashier));
        assert_eq!(Role::from_name("主任"), Some(Role::Approver));
        assert_eq!(Role::from_name(" accountant "), Some(Role::Accountant));
        assert_eq!(Role::from_name("书记"), None);
        assert_eq!(Kinship::from_name("母亲"), Some(Kinship::Parent));
        let fact = Kinship::from_name("子女").map(|k| k.fact("小明".into(), "王芳".into()));
        assert_eq!(fact, Some(KinFact::Parent { parent: "王芳".into(), child: "小明".into() }));
    }
}
