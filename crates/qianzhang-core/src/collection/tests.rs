use super::*;
use crate::approval::check_authorization;
use crate::books::{record_authorization, register_receipt_book};
use crate::funds::Fund;
use crate::memory::MemoryBooks;
use crate::receipts::ReceiptBook;
use crate::test_support::{draft, post, rule_of, TODAY};
use time::macros::date;

const FUND: &str = "物业金";

/// The 平房区's books: 物业金 declared, a receipt book, three households,
/// two of which paid ¥10 on 2025-03-05.
fn books() -> MemoryBooks {
    let mut b = MemoryBooks::fixture();
    b.funds.push(Fund { name: FUND.into(), restricted: true });
    crate::books::register_person(&mut b, "王芳", None).unwrap();
    register_receipt_book(
        &mut b,
        ReceiptBook { book: "SJ".into(), first: 1, last: 100, date: date!(2025 - 01 - 01), holder: "王芳".into() },
    )
    .unwrap();
    for (door, head) in [("3号院1户", Some("李四")), ("3号院2户", Some("张三")), ("3号院3户", None)] {
        register_household(&mut b, Household { door: door.into(), head: head.map(Into::into) }).unwrap();
    }
    for (door, payer) in [("3号院1户", "李四"), ("3号院2户", "张三")] {
        record_collection(&mut b, payment(door, payer)).unwrap();
    }
    b
}

fn payment(door: &str, payer: &str) -> Payment {
    Payment {
        fund: FUND.into(),
        household: door.into(),
        payer: payer.into(),
        amount: Money::from_fen(1_000),
        date: date!(2025 - 03 - 05),
        book: None,
        receipt: None,
    }
}

/// An expense of `fen` from 物业金 citing `authorization`.
fn repair(b: &mut MemoryBooks, fen: i64, authorization: &str) -> Voucher {
    let mut d = draft(date!(2025 - 03 - 20), fen);
    d.lines[0].summary = "修理自来水管".into();
    for l in &mut d.lines {
        l.fund = Some(FUND.into());
    }
    d.authorization = Some(authorization.into());
    let r = crate::books::prepare_voucher(b, d, Origin::Entered, "赵敏").unwrap();
    b.vouchers[&r].0.clone()
}

fn residents_decision(number: &str, votes_for: u32) -> Authorization {
    Authorization {
        number: number.into(),
        kind: AuthKind::Residents,
        date: date!(2025 - 03 - 15),
        scope: "修理平房区自来水管".into(),
        cap: Money::from_fen(80_000),
        stand_aside: None,
        decision: Some(Decision { fund: FUND.into(), attendance: 38, votes_for, against: 2 }),
    }
}

#[test]
fn fnd_2_a_payment_issues_its_receipt_and_the_day_is_one_voucher() {
    let mut b = books();
    assert_eq!(b.collections.len(), 2);
    assert_eq!(b.collections[1].receipt, "SJ0000002");
    let (r, n, total) = book_collections(&mut b, FUND, date!(2025 - 03 - 05), "4901", "赵敏", TODAY).unwrap();
    assert_eq!((n, total), (2, Money::from_fen(2_000)));
    let v = b.vouchers[&r].0.clone();
    assert_eq!(v.lines().len(), 3, "a debit to cash and a credit per receipt");
    assert_eq!(v.documents().len(), 2);
    assert!(crate::receipts::check_receipts(&mut b, &v).unwrap().is_none(), "RCP-2: each receipt is cited");
    // Booked once: the day has nothing left to book.
    assert_eq!(rule_of(book_collections(&mut b, FUND, date!(2025 - 03 - 05), "4901", "赵敏", TODAY)), Rule::Fnd2);
    post(&mut b, r).unwrap();
    let income = b.fund_totals.iter().filter(|((f, _), _)| f == FUND).map(|(_, (i, _))| *i).sum();
    let march = Period::parse("2025-03").unwrap();
    let reg = Register::build(FUND, &b.households, &b.collections, income, march, march);
    assert_eq!(reg.difference, None, "register total = fund income");
    assert_eq!(reg.register_to_date, Money::from_fen(2_000));
}

#[test]
fn fnd_2_booked_summaries_name_no_payer_and_the_cashier_handles_the_receipts() {
    let mut b = books();
    let (r, _, _) = book_collections(&mut b, FUND, date!(2025 - 03 - 05), "4901", "赵敏", TODAY).unwrap();
    let v = b.vouchers[&r].0.clone();
    for l in v.lines() {
        assert!(!l.summary.contains("李四") && !l.summary.contains("张三"), "no payer in a summary: {}", l.summary);
    }
    assert_eq!(v.lines()[1].summary, "收物业金 3号院1户（收据 SJ0000001）");
    assert_eq!(v.lines()[1].counterparty.as_deref(), Some("李四"), "the payer is the line's counterparty");
    for d in v.documents() {
        assert_eq!(d.handler.as_deref(), Some("王芳"), "经办人 is the receipt book's holder, not the payer");
    }
}

#[test]
fn fnd_2_register_total_differs_from_fund_income_is_flagged() {
    let b = books();
    let march = Period::parse("2025-03").unwrap();
    let reg = Register::build(FUND, &b.households, &b.collections, Money::ZERO, march, march);
    let d = reg.difference.expect("not yet booked: flagged");
    assert_eq!(d.rule, Rule::Fnd2);
    assert!(d.message.contains("相差 ¥20.00"), "{}", d.message);
}

#[test]
fn fnd_2_paid_and_unpaid_list() {
    let b = books();
    let march = Period::parse("2025-03").unwrap();
    let reg = Register::build(FUND, &b.households, &b.collections, Money::from_fen(2_000), march, march);
    let doors = |rows: &[HouseholdRow]| rows.iter().map(|h| h.door.clone()).collect::<Vec<_>>();
    assert_eq!(doors(&reg.paid), ["3号院1户", "3号院2户"]);
    assert_eq!(doors(&reg.unpaid), ["3号院3户"]);
    assert_eq!(reg.total, Money::from_fen(2_000));
    assert_eq!(reg.paid[1].receipts, ["SJ0000002"]);
    // April: nobody has paid yet.
    let april = Period::parse("2025-04").unwrap();
    let reg = Register::build(FUND, &b.households, &b.collections, Money::from_fen(2_000), april, april);
    assert_eq!(reg.unpaid.len(), 3);
}

#[test]
fn fnd_2_a_payment_needs_a_registered_household_and_a_receipt() {
    let mut b = books();
    assert_eq!(rule_of(record_collection(&mut b, payment("9号院1户", "王五"))), Rule::Fnd2);
    // A receipt already issued for another amount is not this payment's.
    let other =
        crate::receipts::issue_receipt(&mut b, "SJ", "王五", Money::from_fen(5_000), date!(2025 - 03 - 06)).unwrap();
    let p = Payment { receipt: Some(other.clone()), ..payment("3号院3户", "王五") };
    assert_eq!(rule_of(record_collection(&mut b, p)), Rule::Rcp2);
    // The receipts of the register are not cited twice.
    let p = Payment { receipt: Some("SJ0000001".into()), ..payment("3号院1户", "李四") };
    assert_eq!(rule_of(record_collection(&mut b, p)), Rule::Rcp2);
    let long = "张".repeat(crate::text::NAME_CHARS + 1);
    assert_eq!(rule_of(record_collection(&mut b, payment("3号院3户", &long))), Rule::Fnd2);
    assert_eq!(b.collections.len(), 2, "nothing recorded");
}

#[test]
fn fnd_2_spending_above_the_threshold_without_a_decision_is_refused() {
    let mut b = books();
    let v = repair(&mut b, 80_000, crate::test_support::STANDING);
    let r = check_authorization(&mut b, &v).unwrap().expect("a 两委 resolution is not the residents' decision");
    assert_eq!(r.rule, Rule::Fnd2);
    assert!(r.message.contains("居民会议或居民议事会决议") && r.message.contains("¥800.00"), "{}", r.message);
    // At or under the setting the community's own resolution is enough.
    let v = repair(&mut b, 50_000, crate::test_support::STANDING);
    assert_eq!(check_authorization(&mut b, &v).unwrap(), None);
    // The setting is the ledger's.
    crate::books::change_setting(&mut b, crate::approval::SettingKey::FundDecisionThreshold, "1000").unwrap();
    let v = repair(&mut b, 80_000, crate::test_support::STANDING);
    assert_eq!(check_authorization(&mut b, &v).unwrap(), None);
}

#[test]
fn fnd_2_spending_with_a_residents_decision_is_accepted() {
    let mut b = books();
    record_authorization(&mut b, residents_decision("议事会决议〔2025〕1号", 35)).unwrap();
    let v = repair(&mut b, 80_000, "议事会决议〔2025〕1号");
    assert_eq!(check_authorization(&mut b, &v).unwrap(), None);
    // It decides its own fund's spending only.
    let mut d = draft(date!(2025 - 03 - 20), 10_000);
    d.authorization = Some("议事会决议〔2025〕1号".into());
    let r = crate::books::prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
    let other = b.vouchers[&r].0.clone();
    assert_eq!(check_authorization(&mut b, &other).unwrap().unwrap().rule, Rule::Apr2);
    // Its cap counts as any authorization's does (APR-2).
    let v = repair(&mut b, 80_001, "议事会决议〔2025〕1号");
    assert_eq!(check_authorization(&mut b, &v).unwrap().unwrap().rule, Rule::Apr2);
}

#[test]
fn fnd_2_a_decision_records_a_passed_vote_for_a_fund() {
    let mut b = books();
    assert_eq!(rule_of(record_authorization(&mut b, residents_decision("议事会决议〔2025〕2号", 19))), Rule::Fnd2);
    let mut no_vote = residents_decision("议事会决议〔2025〕3号", 35);
    no_vote.decision = None;
    assert_eq!(rule_of(record_authorization(&mut b, no_vote)), Rule::Fnd2);
    let mut too_many = residents_decision("议事会决议〔2025〕4号", 37);
    too_many.decision.as_mut().unwrap().against = 5;
    assert_eq!(rule_of(record_authorization(&mut b, too_many)), Rule::Fnd2);
    assert!(b.authorizations.len() == 1, "only the standing resolution");
    // The largest vote is counted without overflow.
    let mut huge = residents_decision("议事会决议〔2025〕5号", u32::MAX);
    huge.decision.as_mut().unwrap().attendance = u32::MAX;
    huge.decision.as_mut().unwrap().against = 0;
    record_authorization(&mut b, huge).unwrap();
}

#[test]
fn fnd_2_household_list_is_read_from_text() {
    let list = parse_households("\u{feff}门牌,户主\n1号院1户,王一\n1号院2户,\n\n").unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].head, None);
    assert_eq!(parse_households("1号院1户\n1号院1户\n").unwrap_err().row, Some(2));
    assert!(parse_households("门牌,户主\n").is_err());
}
