use super::*;
use time::macros::date;

fn spouse(a: &str, b: &str) -> KinFact {
    KinFact::Spouse { a: a.into(), b: b.into() }
}
fn parent(p: &str, c: &str) -> KinFact {
    KinFact::Parent { parent: p.into(), child: c.into() }
}
fn sibling(a: &str, b: &str) -> KinFact {
    KinFact::Sibling { a: a.into(), b: b.into() }
}

/// 李老汉 ─┬─ 李强 ═ 王芳        (═ spouse)
///         ├─ 李明 ─ 李小明
/// 李强 and 李明 siblings; 李明's child 李小明; 赵敏 a cousin through 赵家.
fn family() -> Kinship {
    let facts = [
        parent("李老汉", "李强"),
        sibling("李强", "李明"),
        parent("李明", "李小明"),
        spouse("王芳", "李强"),
        sibling("李明", "李红"),
        parent("李红", "赵敏"),
        parent("李老汉", "李大伯"),
        parent("李大伯", "李堂兄"),
        parent("李堂兄", "李侄孙"),
        KinFact::Kin { a: "周丽".into(), b: "李明".into() },
    ];
    Kinship::new(facts.iter())
}

fn rel(k: &Kinship, a: &str, b: &str) -> Option<String> {
    k.relation(a, b).map(|x| x.to_string())
}

#[test]
fn sep_3_derivation_matches_the_domain_definition() {
    let k = family();
    assert_eq!(rel(&k, "王芳", "李明").unwrap(), "王芳 → 配偶 李强 → 兄弟姐妹 李明：近姻亲");
    assert_eq!(rel(&k, "李明", "王芳").unwrap(), "李明 → 兄弟姐妹 李强 → 配偶 王芳：近姻亲");
    assert_eq!(rel(&k, "王芳", "李强").unwrap(), "王芳 → 配偶 李强：夫妻");
    // Lineal, both ways, and a parent shared through a sibling.
    assert_eq!(rel(&k, "李小明", "李明").unwrap(), "李小明 → 父母 李明：直系血亲");
    assert_eq!(rel(&k, "李明", "李小明").unwrap(), "李明 → 子女 李小明：直系血亲");
    assert_eq!(rel(&k, "李明", "李老汉").unwrap(), "李明 → 父母 李老汉：直系血亲");
    assert_eq!(rel(&k, "李小明", "李老汉").unwrap(), "李小明 → 父母 李明 → 父母 李老汉：直系血亲");
    // Collateral within three generations: siblings, uncle–nephew, cousins.
    assert_eq!(k.relation("李强", "李明").unwrap().relation, Relation::Collateral);
    assert_eq!(rel(&k, "李小明", "李强").unwrap(), "李小明 → 父母 李明 → 兄弟姐妹 李强：三代以内旁系血亲");
    assert_eq!(k.relation("李小明", "赵敏").unwrap().relation, Relation::Collateral, "first cousins");
    assert_eq!(k.relation("李小明", "李堂兄").unwrap().relation, Relation::Collateral, "cousins via a grandparent");
    // Beyond three generations: a cousin's child is not a close relative.
    assert_eq!(rel(&k, "李小明", "李侄孙"), None);
    // In-law: the spouse of a nephew's uncle is an in-law; a cousin's in-law is not registered so nothing.
    assert_eq!(k.relation("李小明", "王芳").unwrap().relation, Relation::InLaw);
    assert_eq!(rel(&k, "周丽", "李明").unwrap(), "周丽 → 近亲属 李明：近亲属（直接登记）");
    assert_eq!(rel(&k, "周丽", "李强"), None, "kin facts are not chained");
    assert_eq!(rel(&k, "王芳", "王芳"), None);
    assert_eq!(rel(&k, "王芳", "陌生人"), None);
}

/// An appointment from 2025-01-01, open-ended.
pub(crate) fn appoint(person: &str, role: Role, leader: bool, title: Option<&str>) -> Appointment {
    Appointment {
        person: person.into(),
        role,
        from: date!(2025 - 01 - 01),
        ended: None,
        leader,
        title: title.map(str::to_string),
        acting: false,
    }
}

#[test]
fn sep_1_one_person_is_not_accountant_and_cashier() {
    let k = Kinship::default();
    let existing = [appoint("赵敏", Role::Accountant, false, None)];
    assert_eq!(
        check_appointment(&existing, &k, &appoint("赵敏", Role::Cashier, false, None)).unwrap_err().rule,
        Rule::Sep1
    );
    let mut later = appoint("赵敏", Role::Cashier, false, None);
    let mut ended = existing[0].clone();
    ended.ended = Some(date!(2025 - 06 - 01));
    later.from = date!(2025 - 06 - 01);
    assert!(check_appointment(&[ended], &k, &later).is_ok(), "consecutive tenures share no day");
    assert!(check_appointment(&existing, &k, &appoint("赵敏", Role::Reviewer, false, None)).is_ok());
}

#[test]
fn sep_2_no_leader_keeps_money_or_books() {
    let k = Kinship::default();
    assert_eq!(
        check_appointment(&[], &k, &appoint("李明", Role::Cashier, true, Some("主任"))).unwrap_err().rule,
        Rule::Sep2
    );
    let director = [appoint("李明", Role::Approver, true, Some("主任"))];
    let refused = check_appointment(&director, &k, &appoint("李明", Role::Accountant, false, None)).unwrap_err();
    assert_eq!(refused.rule, Rule::Sep2);
    assert_eq!(refused.message, "李明是主任，不能同时担任会计", "the name is said once");
    let accountant = [appoint("赵敏", Role::Accountant, false, None)];
    assert_eq!(
        check_appointment(&accountant, &k, &appoint("赵敏", Role::Approver, true, Some("副主任"))).unwrap_err().rule,
        Rule::Sep2
    );
}

#[test]
fn sep_3_no_close_relative_of_a_leader_keeps_money_or_books() {
    let k = family();
    let director = [appoint("李明", Role::Approver, true, Some("主任"))];
    let r = check_appointment(&director, &k, &appoint("王芳", Role::Cashier, false, None)).unwrap_err();
    assert_eq!(r.rule, Rule::Sep3);
    assert_eq!(r.message, "王芳是主任李明的近姻亲（配偶的兄弟姐妹），不能担任出纳");
    let cashier = [appoint("王芳", Role::Cashier, false, None)];
    assert_eq!(
        check_appointment(&cashier, &k, &appoint("李明", Role::Approver, true, Some("主任"))).unwrap_err().rule,
        Rule::Sep3
    );
    assert!(check_appointment(&director, &k, &appoint("陌生人", Role::Cashier, false, None)).is_ok());
    assert!(
        check_appointment(&director, &k, &appoint("王芳", Role::Reviewer, false, None)).is_ok(),
        "other posts are free"
    );
}

#[test]
fn sep_4_cashier_is_no_close_relative_of_the_accountant() {
    let k = family();
    let accountant = [appoint("李强", Role::Accountant, false, None)];
    let r = check_appointment(&accountant, &k, &appoint("王芳", Role::Cashier, false, None)).unwrap_err();
    assert_eq!((r.rule, r.message.as_str()), (Rule::Sep4, "王芳是会计李强的夫妻（配偶），出纳不得是会计的近亲属"));
    assert!(check_appointment(&accountant, &k, &appoint("陌生人", Role::Cashier, false, None)).is_ok());
}

fn acting(person: &str, from: Date, last: Date) -> Appointment {
    Appointment { from, ended: last.next_day(), acting: true, ..appoint(person, Role::Approver, true, None) }
}

#[test]
fn apr_1_one_pen_at_a_time() {
    let k = Kinship::default();
    let director = [appoint("李明", Role::Approver, true, Some("主任"))];
    let second = check_appointment(&director, &k, &appoint("张华", Role::Approver, true, None)).unwrap_err();
    assert_eq!(second.rule, Rule::Apr1);
    assert!(second.message.contains("李明已是审批人（自 2025-01-01 起）"), "{}", second.message);
    let away = acting("张华", date!(2025 - 03 - 01), date!(2025 - 03 - 15));
    assert!(check_appointment(&director, &k, &away).is_ok(), "an acting approver with a start and an end");
    let open_ended = Appointment { ended: None, ..away.clone() };
    assert_eq!(check_appointment(&director, &k, &open_ended).unwrap_err().rule, Rule::Apr1);
    let both = [director[0].clone(), away.clone()];
    let again = acting("王强", date!(2025 - 03 - 15), date!(2025 - 03 - 20));
    let e = check_appointment(&both, &k, &again).unwrap_err();
    assert!(e.rule == Rule::Apr1 && e.message.contains("两段代理审批的日期不能重叠"), "{}", e.message);
    let after = acting("王强", date!(2025 - 03 - 16), date!(2025 - 03 - 20));
    assert!(check_appointment(&both, &k, &after).is_ok(), "one acting approver after the other");
    let cashier = Appointment { role: Role::Cashier, leader: false, ..away };
    assert_eq!(check_appointment(&[], &k, &cashier).unwrap_err().rule, Rule::Apr1, "only approvers act");
    let mut ended = director[0].clone();
    ended.ended = Some(date!(2025 - 06 - 01));
    let successor = Appointment { from: date!(2025 - 06 - 01), ..appoint("张华", Role::Approver, true, None) };
    assert!(check_appointment(&[ended], &k, &successor).is_ok(), "consecutive approvers");
}

#[test]
fn sep_5_the_approver_is_never_accountant_or_cashier() {
    let k = Kinship::default();
    let approver = [appoint("周丽", Role::Approver, false, None)];
    for post in [Role::Accountant, Role::Cashier] {
        let e = check_appointment(&approver, &k, &appoint("周丽", post, false, None)).unwrap_err();
        assert_eq!(e.rule, Rule::Sep5, "{}", e.message);
        let held = [appoint("周丽", post, false, None)];
        let e = check_appointment(&held, &k, &appoint("周丽", Role::Approver, false, None)).unwrap_err();
        assert_eq!(e.rule, Rule::Sep5, "{}", e.message);
    }
    assert!(check_appointment(&approver, &k, &appoint("周丽", Role::Reviewer, false, None)).is_ok());
}

#[test]
fn ppl_1_the_same_post_twice_is_refused() {
    let k = Kinship::default();
    let cashier = [appoint("王芳", Role::Cashier, false, None)];
    let e = check_appointment(&cashier, &k, &appoint("王芳", Role::Cashier, false, None)).unwrap_err();
    assert_eq!(e.rule, Rule::Ppl1);
    assert!(e.message.contains("王芳已是出纳（自 2025-01-01 起），不能重复任命"), "{}", e.message);
    let later = Appointment { from: date!(2025 - 05 - 01), ..cashier[0].clone() };
    assert_eq!(check_appointment(&cashier, &k, &later).unwrap_err().rule, Rule::Ppl1, "overlapping tenures");
}

#[test]
fn sep_7_a_later_kinship_fact_freezes_the_officer() {
    let appointments =
        [appoint("李明", Role::Approver, true, Some("主任")), appoint("王芳", Role::Cashier, false, None)];
    let before = Kinship::new([sibling("李强", "李明")].iter());
    assert!(frozen(&appointments, &before, "王芳", date!(2025 - 03 - 01)).is_none());
    let after = Kinship::new([sibling("李强", "李明"), spouse("王芳", "李强")].iter());
    let r = frozen(&appointments, &after, "王芳", date!(2025 - 03 - 01)).unwrap();
    assert_eq!(r.rule, Rule::Sep7);
    assert!(r.message.contains("出纳王芳的签字一律无效"), "{}", r.message);
    let mut ended = appointments.clone();
    ended[1].ended = Some(date!(2025 - 04 - 01));
    assert!(frozen(&ended, &after, "王芳", date!(2025 - 04 - 01)).is_none(), "free once the appointment ends");
    assert!(frozen(&appointments, &after, "李明", date!(2025 - 03 - 01)).is_none(), "the leader signs on");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const NAMES: [&str; 7] = ["甲", "乙", "丙", "丁", "戊", "己", "庚"];

    fn fact() -> impl Strategy<Value = KinFact> {
        (0..4u8, 0..NAMES.len(), 0..NAMES.len()).prop_filter("two people", |(_, a, b)| a != b).prop_map(|(k, a, b)| {
            let (a, b) = (NAMES[a].to_string(), NAMES[b].to_string());
            match k {
                0 => KinFact::Spouse { a, b },
                1 => KinFact::Parent { parent: a, child: b },
                2 => KinFact::Sibling { a, b },
                _ => KinFact::Kin { a, b },
            }
        })
    }

    proptest! {
        #[test]
        fn sep_3_close_relation_is_symmetric_and_explained(facts in prop::collection::vec(fact(), 0..10)) {
            let k = Kinship::new(facts.iter());
            for a in NAMES {
                for b in NAMES {
                    let ab = k.relation(a, b);
                    prop_assert_eq!(ab.is_some(), k.relation(b, a).is_some(), "{} {}", a, b);
                    if let Some(x) = ab {
                        prop_assert_eq!(x.steps.last().map(|s| s.person.as_str()), Some(b));
                        prop_assert!(!x.steps.is_empty());
                    }
                }
            }
        }
    }
}

#[test]
fn opr_1_a_person_registered_with_a_temporary_passphrase_must_set_their_own() {
    let mut b = crate::memory::MemoryBooks::fixture();
    register_person_temporary(&mut b, " 孙丽 ", "临时".into()).unwrap();
    let r = crate::books::Books::registry(&b);
    assert!(r.is_registered("孙丽"));
    assert_eq!(r.passphrase_hash("孙丽"), Some("临时"));
    assert!(r.passphrase_reset("孙丽"), "the person must set their own first");
    set_passphrase(&mut b, "孙丽", "自己的".into(), "孙丽").unwrap();
    assert!(!crate::books::Books::registry(&b).passphrase_reset("孙丽"));
    assert!(register_person_temporary(&mut b, "孙丽", "再来".into()).is_err(), "registered once");
}
