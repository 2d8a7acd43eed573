use super::*;
use crate::approval::AuthKind;
use time::macros::date;

fn appointment(person: &str, role: Role, from: Date, ended: Option<Date>) -> Appointment {
    Appointment { person: person.into(), role, from, ended, leader: false, title: None, acting: false }
}

fn office() -> Registry {
    let d = date!(2025 - 01 - 01);
    Registry::new(
        ["赵敏", "刘洋", "李明", "王芳", "管理员", "周强"].map(|p| (p.to_string(), None)),
        vec![
            appointment("赵敏", Role::Accountant, d, None),
            appointment("刘洋", Role::Reviewer, d, None),
            appointment("李明", Role::Approver, d, None),
            appointment("王芳", Role::Cashier, d, Some(date!(2025 - 02 - 15))),
            appointment("管理员", Role::Admin, d, None),
            appointment("周强", Role::Auditor, d, None),
        ],
        Vec::new(),
    )
}

const TODAY: Date = date!(2025 - 01 - 31);

fn duties(person: &str) -> Duties {
    Duties::of(&office(), person, TODAY)
}

fn waiting(n: u32, next: Next, preparer: &str) -> Waiting {
    Waiting {
        voucher: VoucherRef::parse(&format!("2025-01/记-{n:04}")).unwrap(),
        next,
        summary: "购办公用品".into(),
        amount: Money::from_fen(35_000),
        preparer: preparer.into(),
    }
}

fn subjects(items: &[Item]) -> Vec<String> {
    items.iter().map(|i| i.subject.clone()).collect()
}

#[test]
fn vch_4_each_voucher_waits_for_the_officer_of_its_next_step() {
    let all = [
        waiting(1, Next::Sign(SignKind::Review), "赵敏"),
        waiting(2, Next::Sign(SignKind::Approve), "赵敏"),
        waiting(3, Next::Sign(SignKind::Confirm), "赵敏"),
        waiting(4, Next::Post, "赵敏"),
    ];
    assert_eq!(subjects(&vouchers(&duties("刘洋"), "刘洋", &all)), ["2025-01/记-0001"]);
    assert_eq!(subjects(&vouchers(&duties("李明"), "李明", &all)), ["2025-01/记-0002"]);
    assert_eq!(subjects(&vouchers(&duties("王芳"), "王芳", &all)), ["2025-01/记-0003"]);
    let posting = vouchers(&duties("赵敏"), "赵敏", &all);
    assert_eq!(subjects(&posting), ["2025-01/记-0004"]);
    assert_eq!(posting[0].rule, Rule::Vch4);
    assert_eq!(posting[0].what, "购办公用品 ¥350.00", "the subject is the target; no command is named");
    assert!(vouchers(&duties("管理员"), "管理员", &all).is_empty());
}

#[test]
fn sep_5_no_review_or_approval_is_asked_of_the_one_who_prepared_it() {
    let own = [waiting(2, Next::Sign(SignKind::Approve), "李明")];
    assert!(vouchers(&duties("李明"), "李明", &own).is_empty());
    let own = [waiting(1, Next::Sign(SignKind::Review), "刘洋")];
    assert!(vouchers(&duties("刘洋"), "刘洋", &own).is_empty());
}

#[test]
fn csh_2_the_cashier_counts_every_day_the_ledger_holds_cash() {
    let cashier = duties("王芳");
    let item = cash_count(&cashier, true, false, TODAY).expect("due");
    assert_eq!((item.rule, item.kind, item.subject.as_str()), (Rule::Csh2, Kind::CountCash, "2025-01-31"));
    assert_eq!(cash_count(&cashier, true, true, TODAY), None, "counted today");
    assert_eq!(cash_count(&cashier, false, false, TODAY), None, "no cash");
    assert_eq!(cash_count(&duties("赵敏"), true, false, TODAY), None, "not the cashier");
}

#[test]
fn per_1_a_month_is_due_for_closing_from_its_last_day() {
    let start = Period::of(date!(2025 - 01 - 01));
    assert_eq!(month_to_close(start, date!(2025 - 01 - 30), |_| false), None);
    assert_eq!(month_to_close(start, TODAY, |_| false), Some(start));
    assert_eq!(month_to_close(start, date!(2025 - 03 - 10), |p| p == start), Some(start.next()));
    let items = month_end(&duties("赵敏"), Some(start), &[]);
    assert_eq!((items.len(), items[0].rule, items[0].kind), (1, Rule::Per1, Kind::Close));
    assert!(month_end(&duties("王芳"), Some(start), &[]).is_empty());
    assert!(month_end(&duties("赵敏"), None, &[]).is_empty());
}

#[test]
fn bnk_1_an_unreconciled_bank_account_waits_for_the_accountant() {
    let start = Period::of(date!(2025 - 01 - 01));
    let blockers = [
        Refusal::new(Rule::Bnk1, "银行存款 1002 没有截至 2025-01-31 的对账单"),
        Refusal::new(Rule::Csh2, "没有现金盘点"),
    ];
    let items = month_end(&duties("赵敏"), Some(start), &blockers);
    let rules: Vec<Rule> = items.iter().map(|i| i.rule).collect();
    assert_eq!(rules, [Rule::Bnk1, Rule::Per1], "only the bank's reasons become items; the close comes last");
    assert!(items[0].what.contains("1002"));
}

#[test]
fn pub_1_a_closed_month_waits_for_the_supervisors_review() {
    let months = [Period::of(date!(2025 - 01 - 01))];
    let items = disclosures(&duties("周强"), &months);
    assert_eq!((items.len(), items[0].rule, items[0].subject.as_str()), (1, Rule::Pub1, "2025-01"));
    assert!(disclosures(&duties("刘洋"), &months).is_empty(), "the voucher reviewer records no opinion");
}

#[test]
fn apr_1_the_admin_sees_appointments_ending_within_thirty_days() {
    let registry = office();
    let items = appointments_ending(&duties("管理员"), registry.appointments(), TODAY);
    assert_eq!(subjects(&items), ["王芳"]);
    assert!(items[0].what.contains("2025-02-14") && items[0].what.contains("还有 14 天"), "{}", items[0].what);
    let later = appointments_ending(
        &Duties::of(&registry, "管理员", date!(2024 - 12 - 01)),
        registry.appointments(),
        date!(2024 - 12 - 01),
    );
    assert!(later.is_empty(), "not yet in force, or further than 30 days");
    assert!(appointments_ending(&duties("赵敏"), registry.appointments(), TODAY).is_empty());
}

#[test]
fn apr_2_the_admin_sees_authorizations_under_a_tenth_of_their_cap() {
    let auth = |number: &str| Authorization {
        number: number.into(),
        kind: AuthKind::Resolution,
        date: date!(2025 - 01 - 02),
        scope: "办公用品".into(),
        cap: Money::from_fen(100_000),
        stand_aside: None,
        decision: None,
    };
    let list = [
        (auth("决议1"), Money::from_fen(95_000)),
        (auth("决议2"), Money::from_fen(90_000)),
        (auth("决议3"), Money::from_fen(100_000)),
    ];
    let items = near_cap(&duties("管理员"), &list);
    assert_eq!(subjects(&items), ["决议1", "决议3"], "exactly a tenth left is not under it");
    assert_eq!(items[0].rule, Rule::Apr2);
    assert!(near_cap(&duties("李明"), &list).is_empty());
}

/// An item names no command and no page: the command line and the web
/// office each say how from its kind and subject. A refusal's advice on
/// which command remedies it is left out of the item's words.
#[test]
fn an_item_names_no_command_whatever_its_kind() {
    let month = Period::of(TODAY);
    let bank = Refusal::new(
        Rule::Bnk1,
        "1002 银行存款 没有 2025-01 的银行对账单；请用 bank import 导入截至 2025-01-31 的对账单",
    );
    let openings_off = Refusal::new(
        Rule::Opn1,
        "期初余额不平衡：借方 ¥10.00，贷方 ¥0.00；第一次结账前须借贷相等，请用 opening set 或 opening import 更正（opening show 可查看）",
    );
    let mut items = month_end(&duties("赵敏"), Some(month), &[bank]);
    items.extend(openings(&duties("赵敏"), month, Some(openings_off)));
    items.extend(cash_count(&duties("王芳"), true, false, TODAY));
    items.extend(disclosures(&duties("周强"), &[month]));
    items.extend(appointments_ending(&duties("管理员"), office().appointments(), TODAY));
    items.extend(vouchers(&duties("刘洋"), "刘洋", &[waiting(1, Next::Sign(SignKind::Review), "赵敏")]));
    assert_eq!(items.len(), 7, "{items:?}");
    for item in &items {
        for command in ["bank ", "opening ", "period ", "cash count", "disclose ", "person ", "voucher ", "--", "请用"]
        {
            assert!(!item.what.contains(command), "{command:?} in {}", item.what);
        }
    }
    assert_eq!(items[0].what, "1002 银行存款 没有 2025-01 的银行对账单；请导入截至 2025-01-31 的对账单并勾对，本月银行没有收支的登记对账单余额");
    assert!(
        items[2].what.starts_with("期初余额不平衡：借方 ¥10.00，贷方 ¥0.00；第一次结账前须借贷相等；"),
        "{}",
        items[2].what
    );
}

#[test]
fn a_plain_refusal_keeps_what_is_wrong_and_names_no_command() {
    let cases = [
        // The sentence of advice goes.
        ("没有 2025-01-31（本月最后一个工作日）的现金盘点；请出纳用 cash count 盘点", "没有 2025-01-31（本月最后一个工作日）的现金盘点"),
        (
            "对账单格式不认识：缺少 日期 列（表头为：时间,收入）；请用 --map 指明列名，例如 --map \"date=交易时间\"",
            "对账单格式不认识：缺少 日期 列（表头为：时间,收入）",
        ),
        ("王五已是出纳（2025-01-01 起），不能重复任命；如需改任期，请先用 person end 结束原任职", "王五已是出纳（2025-01-01 起），不能重复任命"),
        // Or the clause, when the advice shares the sentence.
        ("科目“5999”不存在，请先用 account add 设立", "科目“5999”不存在"),
        ("代理审批须写明起止日期：请用 --from 和 --to 写明李四代理的第一天和最后一天", "代理审批须写明起止日期"),
        // An aside naming a command goes, the advice in words stays.
        ("作废凭证须写明原因（--reason）", "作废凭证须写明原因"),
        (
            "一月尚未结账，不能公布：公开的是结账后的数字；请先结账（period close --month 2025-01）再公布",
            "一月尚未结账，不能公布：公开的是结账后的数字；请先结账再公布",
        ),
        (
            "实点 ¥1.00 与账面 ¥2.00 相差 ¥1.00；请出纳重新盘点（cash count --date 2025-01-31），如仍有差额，经审批后以凭证记入 1901 待处理财产损溢",
            "实点 ¥1.00 与账面 ¥2.00 相差 ¥1.00；请出纳重新盘点，如仍有差额，经审批后以凭证记入 1901 待处理财产损溢",
        ),
        // Advice that is the whole message keeps its words.
        ("请用 --amount 给出实点金额，或用 --pieces 列出各券别张数", "请给出实点金额，或列出各券别张数"),
        // No command: unchanged; a quoted name is never a command.
        ("王芳是出纳：出纳不得制单、记账（钱账分管），不能做账", "王芳是出纳：出纳不得制单、记账（钱账分管），不能做账"),
        ("科目“petty cash”余额不足", "科目“petty cash”余额不足"),
    ];
    for (message, shown) in cases {
        assert_eq!(plain(message), shown, "{message}");
    }
}
