use proptest::prelude::*;
use time::macros::date;

use super::*;
use crate::people::Appointment;
use crate::report::TrialBalance;
use crate::voucher::{Document, Draft, Line, Side};

fn chart() -> Chart {
    let mut c = Chart::from_accounts(Chart::default_chart());
    for (code, name) in [("510104", "公益活动"), ("520101", "办公费")] {
        let a =
            c.check_new(&crate::NewAccount { code: code.into(), name: name.into(), kind: None, opened: None }).unwrap();
        c.insert(a);
    }
    c
}

fn voucher(n: u32, date: Date, lines: Vec<(&str, Side, i64)>, reverses: Option<VoucherRef>) -> Voucher {
    let lines = lines
        .into_iter()
        .map(|(a, side, fen)| Line {
            summary: "摘要".into(),
            account: a.into(),
            side,
            amount: Money::from_fen(fen),
            fund: None,
            counterparty: Some("张伟".into()),
        })
        .collect();
    let documents = vec![Document {
        doc_type: "发票".into(),
        issuer: None,
        number: None,
        amount: None,
        handler: Some("李娜 13812345678".into()),
        checker: None,
        date: None,
    }];
    let draft = Draft { date, lines, documents, authorization: Some("决议1".into()), reverses, source_ref: None };
    Voucher::accepted(VoucherRef { period: Period::of(date), number: n }, draft, Origin::Entered, "赵敏")
}

fn totals_of(vouchers: &[Voucher]) -> Vec<PeriodTotalRow> {
    let mut by: BTreeMap<(String, Period), (Money, Money)> = BTreeMap::new();
    for v in vouchers {
        for l in v.lines() {
            let e = by.entry((l.account.clone(), v.period())).or_default();
            e.0 += l.debit();
            e.1 += l.credit();
        }
    }
    by.into_iter()
        .map(|((account, period), (debit, credit))| PeriodTotalRow { account, period, debit, credit })
        .collect()
}

fn input<'a>(
    chart: &'a Chart,
    registry: &'a Registry,
    totals: &'a [PeriodTotalRow],
    span: Span,
    vouchers: Vec<Voucher>,
    closed: bool,
) -> DisclosureInput<'a> {
    DisclosureInput {
        community: "幸福里",
        span,
        chart,
        registry,
        totals,
        vouchers: vouchers.into_iter().map(|v| (v, vec![])).collect(),
        voided: vec![],
        fund_totals: &[],
        resident_funds: vec![],
        reviews: vec![],
        assets: vec![],
        budgets: vec![
            AccountBudget { account: "5201".into(), amount: Money::from_fen(80_000) },
            AccountBudget { account: "4901".into(), amount: Money::ZERO },
        ],
        closed,
        fingerprint: "ab".repeat(32),
        published: date!(2025 - 05 - 01),
        contact: "办公室 13900001111".into(),
        mask_names: true,
    }
}

#[test]
fn pub_1_spans_and_labels() {
    let q = Span::parse_quarter("2025-Q2").unwrap();
    assert_eq!(
        (q.first().to_string(), q.last().to_string(), q.label()),
        ("2025-04".into(), "2025-06".into(), "2025年第二季度".into())
    );
    assert_eq!(q.periods().count(), 3);
    assert_eq!(Span::parse_quarter("2025-Q5"), None);
    assert_eq!(Span::Year { year: 2025 }.label(), "2025年度");
    assert_eq!(Span::Month { period: Period::parse("2025-04").unwrap() }.key(), "2025-04");
}

#[test]
fn pub_1_items_summary_reversals_and_privacy() {
    let chart = chart();
    let registry = Registry::default();
    let april = Period::parse("2025-04").unwrap();
    let opening =
        voucher(1, date!(2025 - 03 - 31), vec![("1001", Side::Debit, 10_000), ("3101", Side::Credit, 10_000)], None);
    let grant =
        voucher(1, date!(2025 - 04 - 03), vec![("1002", Side::Debit, 50_000), ("4401", Side::Credit, 50_000)], None);
    let pay =
        voucher(2, date!(2025 - 04 - 05), vec![("520101", Side::Debit, 3_000), ("1001", Side::Credit, 3_000)], None);
    let red = voucher(
        3,
        date!(2025 - 04 - 06),
        vec![("520101", Side::Debit, -3_000), ("1001", Side::Credit, -3_000)],
        Some(pay.reference()),
    );
    let lend = voucher(4, date!(2025 - 04 - 07), vec![("112201", Side::Debit, 500), ("1001", Side::Credit, 500)], None);
    let all = vec![opening, grant.clone(), pay.clone(), red.clone(), lend.clone()];
    let totals = totals_of(&all);
    let d = Disclosure::build(input(
        &chart,
        &registry,
        &totals,
        Span::Month { period: april },
        vec![grant, pay, red, lend],
        false,
    ))
    .unwrap();
    assert!(d.draft);
    assert_eq!(d.items.len(), 3, "the loan is no income or expense");
    assert_eq!(d.summary.opening, Money::from_fen(10_000));
    assert_eq!(
        (d.summary.income, d.summary.expense),
        (Money::from_fen(50_000), Money::ZERO),
        "the reversal cancels the payment"
    );
    assert_eq!(d.summary.other, Money::from_fen(-500), "the advance closes the arithmetic");
    assert_eq!(d.summary.closing, Money::from_fen(59_500));
    assert_eq!(d.items[2].reverses, Some(VoucherRef { period: april, number: 2 }));
    assert_eq!(d.items[2].expense, Money::from_fen(-3_000));
    assert_eq!(d.items[1].counterparty, "张*");
    assert_eq!(d.items[1].handler, "李娜 ***********", "a phone number never appears");
    assert_eq!(d.contact, "办公室 ***********");
    assert_eq!(d.income_words, "伍佰元整");
    assert!(d.assets.is_none() && d.budget.is_none());
}

#[test]
fn pub_1_quarter_and_year_add_assets_welfare_and_budget() {
    let chart = chart();
    let mut registry = Registry::default();
    registry.register("王芳");
    registry.appoint(Appointment {
        person: "王芳".into(),
        role: Role::Cashier,
        from: date!(2025 - 01 - 01),
        ended: None,
        leader: false,
        title: None,
        acting: false,
    });
    let welfare =
        voucher(1, date!(2025 - 05 - 09), vec![("510104", Side::Debit, 20_000), ("1002", Side::Credit, 20_000)], None);
    let office =
        voucher(2, date!(2025 - 05 - 10), vec![("520101", Side::Debit, 70_000), ("1002", Side::Credit, 70_000)], None);
    let all = vec![welfare.clone(), office.clone()];
    let totals = totals_of(&all);
    let asset = |id: u32, disposed: Option<Date>| Asset {
        id,
        name: "会议桌".into(),
        quantity: 2,
        value: Money::from_fen(300_000),
        location: "活动室".into(),
        custodian: "王芳".into(),
        voucher: office.reference(),
        acquired: date!(2025 - 05 - 10),
        disposed,
        disposal_reason: None,
    };
    let mut i = input(&chart, &registry, &totals, Span::Quarter { year: 2025, quarter: 2 }, all.clone(), true);
    i.assets = vec![asset(1, None), asset(2, Some(date!(2025 - 06 - 01)))];
    let q = Disclosure::build(i).unwrap();
    assert!(!q.draft);
    assert_eq!(q.assets.as_ref().unwrap().iter().map(|a| a.id).collect::<Vec<_>>(), vec![1], "disposed before the end");
    assert_eq!(q.assets.as_ref().unwrap()[0].custodian, "王芳", "officers are named");
    let pw = q.public_welfare.unwrap();
    assert_eq!((pw.items.len(), pw.expense), (1, Money::from_fen(20_000)));
    let y = Disclosure::build(input(&chart, &registry, &totals, Span::Year { year: 2025 }, all, true)).unwrap();
    let budget = y.budget.unwrap();
    let office_row = budget.iter().find(|b| b.account == "5201").unwrap();
    assert_eq!(
        (office_row.actual, office_row.difference, office_row.percent.as_str()),
        (Money::from_fen(70_000), Money::from_fen(-10_000), "87.5%")
    );
    let welfare_row = budget.iter().find(|b| b.account == "5101").unwrap();
    assert_eq!((welfare_row.budget, welfare_row.percent.as_str()), (Money::ZERO, ""), "spent without a budget: shown");
    assert_eq!(budget[0].account, "4901", "income first");
}

#[test]
fn pub_1_asset_purchases_are_spending_and_only_advances_agency_and_transfers_are_other() {
    let chart = chart();
    let registry = Registry::default();
    let june = Period::parse("2025-06").unwrap();
    let v = |n, lines| voucher(n, date!(2025 - 06 - 10), lines, None);
    let printer = v(1, vec![("1501", Side::Debit, 185_000), ("1002", Side::Credit, 185_000)]);
    let rice = v(2, vec![("1201", Side::Debit, 60_000), ("1001", Side::Credit, 60_000)]);
    let rice_given = v(3, vec![("510104", Side::Debit, 20_000), ("1201", Side::Credit, 20_000)]);
    let depreciation = v(4, vec![("520101", Side::Debit, 3_000), ("1502", Side::Credit, 3_000)]);
    let advance = v(5, vec![("1122", Side::Debit, 50_000), ("1001", Side::Credit, 50_000)]);
    let held = v(6, vec![("1002", Side::Debit, 90_000), ("2601", Side::Credit, 90_000)]);
    let to_cash = v(7, vec![("1001", Side::Debit, 70_000), ("1002", Side::Credit, 70_000)]);
    let all = vec![printer, rice, rice_given, depreciation, advance, held, to_cash];
    let totals = totals_of(&all);
    let d = Disclosure::build(input(&chart, &registry, &totals, Span::Month { period: june }, all, true)).unwrap();
    let listed: Vec<(String, ItemKind, Money)> =
        d.items.iter().map(|i| (i.account.clone(), i.kind, i.expense)).collect();
    assert_eq!(
        listed,
        vec![
            ("1501".into(), ItemKind::Purchase, Money::from_fen(185_000)),
            ("1201".into(), ItemKind::Purchase, Money::from_fen(60_000)),
        ],
        "the printer and the rice are listed once, when bought"
    );
    assert_eq!((d.summary.expense, d.summary.purchases), (Money::from_fen(245_000), Money::from_fen(245_000)));
    assert_eq!(d.summary.other, Money::from_fen(40_000), "the advance out, the money held in");
    let s = &d.summary;
    assert_eq!(s.opening + s.income - s.expense + s.other, s.closing);
    assert_eq!(d.by_category[0].kind, ItemKind::Purchase);
}

#[test]
fn pub_1_review_dated_after_publication_is_refused() {
    let chart = chart();
    let registry = Registry::default();
    let span = Span::Month { period: Period::parse("2025-04").unwrap() };
    let review = |date| Review { span: "2025-04".into(), by: "陈静".into(), opinion: "属实".into(), date };
    let mut i = input(&chart, &registry, &[], span, vec![], true);
    i.reviews = vec![review(date!(2025 - 04 - 30)), review(date!(2025 - 05 - 02))];
    let Err(Failure::Refused(r)) = Disclosure::build(i) else { panic!("a review after publication is refused") };
    assert_eq!(r.reasons[0].rule, Rule::Pub1);
    assert!(r.reasons[0].message.contains("2025-05-02") && r.reasons[0].message.contains("--date"), "{r:?}");
    let mut i = input(&chart, &registry, &[], span, vec![], true);
    i.reviews = vec![review(date!(2025 - 05 - 01))];
    i.voided = vec![Voided {
        voucher: VoucherRef { period: Period::parse("2025-04").unwrap(), number: 3 },
        date: date!(2025 - 04 - 09),
        summary: "电费".into(),
        amount: Money::from_fen(120_000),
        reason: "重复录入，经办人 13812345678".into(),
        by: "赵敏".into(),
        voided_on: date!(2025 - 04 - 10),
    }];
    let d = Disclosure::build(i).unwrap();
    assert_eq!(d.reviews.len(), 1, "reviewed the day it is published");
    assert_eq!(d.voided[0].reason, "重复录入，经办人 ***********", "a phone number never appears");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// [PUB-1] the statement's income is the trial balance's income for
    /// the month; its expense is the trial balance's expense plus what
    /// bought assets (资产购置, a debit on 1501 or 1201 against cash or
    /// bank), less what only used up assets listed when bought (an
    /// expense against 1501 or 1201). Whatever the month holds, the
    /// arithmetic closes: opening + income − expense ± other = closing.
    #[test]
    fn pub_1_totals_equal_the_trial_balance_plus_asset_purchases(
        moves in proptest::collection::vec((0usize..9, 0usize..9, 1i64..1_000_000, 1u8..=28, any::<bool>()), 1..30)
    ) {
        let chart = chart();
        let registry = Registry::default();
        let accounts = ["1001", "1002", "4401", "4901", "520101", "510104", "1501", "1201", "1122"];
        let month = Period::parse("2025-06").unwrap();
        let mut vouchers = Vec::new();
        let (mut purchases, mut used_up) = (Money::ZERO, Money::ZERO);
        for (i, (a, b, fen, day, red)) in moves.into_iter().enumerate() {
            let (debit, credit) = (accounts[a], accounts[(b + if a == b { 1 } else { 0 }) % accounts.len()]);
            let fen = if red { -fen } else { fen };
            let assets = ["1501", "1201"];
            if assets.contains(&debit) && ["1001", "1002"].contains(&credit) {
                purchases += Money::from_fen(fen);
            }
            if debit.starts_with('5') && assets.contains(&credit) {
                used_up += Money::from_fen(fen);
            }
            let date = Date::from_calendar_date(2025, time::Month::June, day).unwrap();
            vouchers.push(voucher(i as u32 + 1, date, vec![(debit, Side::Debit, fen), (credit, Side::Credit, fen)], None));
        }
        let totals = totals_of(&vouchers);
        let d = Disclosure::build(input(&chart, &registry, &totals, Span::Month { period: month }, vouchers, true)).unwrap();
        let tb = TrialBalance::build(
            "幸福里",
            &chart,
            totals.iter().map(PeriodTotalRow::total),
            month,
            month,
        );
        let leaf = |kind| tb.rows.iter().filter(move |r| r.leaf && r.kind == kind);
        let income: Money = leaf(AccountKind::Income).map(|r| r.credit - r.debit).sum();
        let expense: Money = leaf(AccountKind::Expense).map(|r| r.debit - r.credit).sum();
        prop_assert_eq!(d.summary.income, income);
        prop_assert_eq!(d.summary.expense, expense - used_up + purchases);
        prop_assert_eq!(d.summary.purchases, purchases);
        let by_category: Money = d.by_category.iter().map(|c| c.income - c.expense).sum();
        prop_assert_eq!(by_category, d.summary.income - d.summary.expense);
        prop_assert_eq!(d.summary.opening + d.summary.income - d.summary.expense + d.summary.other, d.summary.closing);
    }
}

/// [PUB-2] a summary that names the voucher's private counterparty (as
/// `collection book` used to write: "收物业金 平房1号 张三") prints it masked
/// when names are masked, and in full when they are not.
#[test]
fn pub_2_a_counterparty_named_in_a_summary_is_masked() {
    let chart = chart();
    let registry = Registry::default();
    let april = Period::parse("2025-04").unwrap();
    let mut v =
        voucher(1, date!(2025 - 04 - 03), vec![("1001", Side::Debit, 1_000), ("4901", Side::Credit, 1_000)], None);
    let mut draft = Draft {
        date: v.date(),
        lines: v.lines().to_vec(),
        documents: v.documents().to_vec(),
        authorization: None,
        reverses: None,
        source_ref: None,
    };
    for l in &mut draft.lines {
        l.summary = "收物业金 平房1号 张伟".into();
    }
    v = Voucher::accepted(v.reference(), draft, Origin::Entered, "赵敏");
    let totals = totals_of(std::slice::from_ref(&v));
    let span = Span::Month { period: april };
    let d = Disclosure::build(input(&chart, &registry, &totals, span, vec![v.clone()], true)).unwrap();
    let item = &d.items[0];
    assert_eq!(item.summary, "收物业金 平房1号 张*");
    assert_eq!(item.counterparty, "张*");
    let mut unmasked = input(&chart, &registry, &totals, span, vec![v], true);
    unmasked.mask_names = false;
    assert_eq!(Disclosure::build(unmasked).unwrap().items[0].summary, "收物业金 平房1号 张伟");
}
