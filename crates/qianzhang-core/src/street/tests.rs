use std::collections::BTreeMap;

use time::macros::date;

use super::*;
use crate::test_support::voucher;
use crate::voucher::Side;

fn march() -> Period {
    Period::of(date!(2026 - 03 - 01))
}

fn chart() -> Chart {
    Chart::from_accounts(Chart::default_chart())
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

fn row(name: &str, vouchers: &[Voucher]) -> StreetRow {
    row_started(name, vouchers, true)
}

fn row_started(name: &str, vouchers: &[Voucher], started: bool) -> StreetRow {
    let chart = chart();
    let totals = totals_of(vouchers);
    let month: Vec<Voucher> = vouchers.iter().filter(|v| v.period() == march()).cloned().collect();
    StreetRow::build(
        march(),
        &LedgerMonth {
            ledger: name,
            chart: &chart,
            account: BANK,
            totals: &totals,
            vouchers: &month,
            closed: true,
            unposted: 0,
            started,
            own_difference: None,
        },
    )
}

use Side::{Credit as C, Debit as D};

/// 幸福里: ¥1,000 brought into March, ¥500 subsidy, ¥120 office costs
/// paid, ¥200 cash drawn.
fn xingfuli() -> StreetRow {
    row(
        "幸福里社区",
        &[
            voucher(1, date!(2026 - 02 - 10), &[("1002", D, 100_000), ("4401", C, 100_000)]),
            voucher(1, date!(2026 - 03 - 05), &[("1002", D, 50_000), ("4401", C, 50_000)]),
            voucher(2, date!(2026 - 03 - 12), &[("5201", D, 12_000), ("1002", C, 12_000)]),
            voucher(3, date!(2026 - 03 - 20), &[("1001", D, 20_000), ("1002", C, 20_000)]),
        ],
    )
}

/// 和平里: ¥300 in March, ¥50 spent in cash (not from the bank).
fn hepingli() -> StreetRow {
    row(
        "和平里社区",
        &[
            voucher(1, date!(2026 - 03 - 02), &[("1002", D, 30_000), ("4101", C, 30_000)]),
            voucher(2, date!(2026 - 03 - 03), &[("5201", D, 5_000), ("1001", C, 5_000)]),
        ],
    )
}

#[test]
fn fnd_3_a_row_is_the_share_with_the_disclosures_income_and_expense() {
    let r = xingfuli();
    assert_eq!(r.opening, Money::from_fen(100_000));
    assert_eq!(r.income, Money::from_fen(50_000));
    assert_eq!(r.expense, Money::from_fen(12_000));
    assert_eq!(r.closing, Money::from_fen(118_000));
    // The cash drawn is neither income nor expense: it is 其他收付.
    assert_eq!(r.other, Money::from_fen(-20_000));
    assert_eq!(r.opening + r.income - r.expense + r.other, r.closing);
    assert!(!r.lowest.is_negative());

    // Expense paid in cash is the community's expense, but not a movement of its share.
    let h = hepingli();
    assert_eq!(
        (h.income, h.expense, h.closing),
        (Money::from_fen(30_000), Money::from_fen(5_000), Money::from_fen(30_000))
    );
    assert_eq!(h.other, Money::from_fen(5_000));
}

#[test]
fn fnd_3_totals_add_every_community_and_agree_with_the_statement() {
    let m = StreetMonth::build(
        march(),
        BANK,
        vec![xingfuli(), hepingli()],
        Some(StatementBalance::typed(Money::from_fen(148_000))),
    )
    .unwrap();
    assert_eq!(m.totals.opening, Money::from_fen(100_000));
    assert_eq!(m.totals.income, Money::from_fen(80_000));
    assert_eq!(m.totals.expense, Money::from_fen(17_000));
    assert_eq!(m.totals.closing, Money::from_fen(148_000));
    assert_eq!(m.difference, Some(Money::ZERO));
    assert!(m.findings.is_empty());
    assert_eq!(m.agrees(), Some(true));
}

#[test]
fn fnd_3_without_a_statement_balance_nothing_is_checked() {
    let m = StreetMonth::build(march(), BANK, vec![xingfuli()], None).unwrap();
    assert_eq!(m.agrees(), None);
    assert!(m.findings.is_empty());
}

#[test]
fn fnd_3_a_mismatch_says_how_much_which_way_and_names_the_community_not_final() {
    let mut h = hepingli();
    h.closed = false;
    h.unposted = 2;
    let m =
        StreetMonth::build(march(), BANK, vec![xingfuli(), h], Some(StatementBalance::typed(Money::from_fen(150_000))))
            .unwrap();
    assert_eq!(m.difference, Some(Money::from_fen(2_000)));
    assert_eq!(m.agrees(), Some(false));
    let f = &m.findings[0];
    assert_eq!(f.rule, Rule::Fnd3);
    assert!(f.message.contains("相差 ¥20.00（对账单比份额合计多）"), "{}", f.message);
    assert!(f.message.contains("差额很可能在这里：和平里社区（有 2 张凭证未记账）"), "{}", f.message);

    // Every community final: the message says where else to look.
    let m = StreetMonth::build(
        march(),
        BANK,
        vec![xingfuli(), hepingli()],
        Some(StatementBalance::typed(Money::from_fen(140_000))),
    )
    .unwrap();
    let f = &m.findings[0].message;
    assert!(f.contains("份额合计比对账单多"), "{f}");
    assert!(f.contains("没有记入任何社区账的收付"), "{f}");
}

#[test]
fn fnd_3_a_share_below_zero_is_paying_from_another_communitys_money() {
    // 和平里 pays ¥400 from a share of ¥300 on 03-10, then receives ¥200.
    let r = row(
        "和平里社区",
        &[
            voucher(1, date!(2026 - 03 - 02), &[("1002", D, 30_000), ("4101", C, 30_000)]),
            voucher(2, date!(2026 - 03 - 10), &[("5201", D, 40_000), ("1002", C, 40_000)]),
            voucher(3, date!(2026 - 03 - 11), &[("1002", D, 20_000), ("4101", C, 20_000)]),
        ],
    );
    assert_eq!(r.closing, Money::from_fen(10_000));
    assert_eq!((r.lowest, r.lowest_on), (Money::from_fen(-10_000), Some(date!(2026 - 03 - 10))));
    // The street total still agrees, and yet a community used another's money.
    let m =
        StreetMonth::build(march(), BANK, vec![xingfuli(), r], Some(StatementBalance::typed(Money::from_fen(128_000))))
            .unwrap();
    assert_eq!(m.difference, Some(Money::ZERO));
    assert_eq!(m.agrees(), Some(false));
    assert_eq!(m.findings[0].rule, Rule::Fnd3);
    assert!(m.findings[0].message.contains("和平里社区在街道账户中的份额 2026-03-10 日终为 -¥100.00"));
    assert!(m.findings[0].message.contains("动用了其他社区的资金 ¥100.00"));
}

fn line(date: Date, inflow: i64, outflow: i64, balance: i64) -> StatementLine {
    StatementLine {
        date,
        inflow: Money::from_fen(inflow),
        outflow: Money::from_fen(outflow),
        balance: Money::from_fen(balance),
        reference: String::new(),
        counterparty: String::new(),
        summary: String::new(),
    }
}

#[test]
fn fnd_3_the_statement_balance_is_at_the_months_end() {
    let lines = vec![
        line(date!(2026 - 03 - 05), 50_000, 0, 150_000),
        line(date!(2026 - 03 - 28), 0, 2_000, 148_000),
        line(date!(2026 - 04 - 02), 1_000, 0, 149_000),
    ];
    let s = StatementBalance::from_statement("街道.csv", &lines, march()).unwrap();
    assert_eq!(s.balance, Money::from_fen(148_000));
    assert!(s.source.contains("2026-03-28"));
    // Newest first, as some banks export: the same balance.
    let mut reversed = lines.clone();
    reversed.reverse();
    assert_eq!(
        StatementBalance::from_statement("街道.csv", &reversed, march()).unwrap().balance,
        Money::from_fen(148_000)
    );
    // Only April's lines: the balance before the first one.
    let april = &lines[2..];
    assert_eq!(StatementBalance::from_statement("街道.csv", april, march()).unwrap().balance, Money::from_fen(148_000));
    // Nothing of March or later, or nothing at all: refused, naming FND-3.
    let january = [line(date!(2026 - 01 - 30), 1, 0, 1)];
    let r = StatementBalance::from_statement("旧.csv", &january, march()).unwrap_err();
    assert_eq!(r.rule, Rule::Fnd3);
    assert!(r.message.contains("早于 2026-03"));
    assert_eq!(StatementBalance::from_statement("空.csv", &[], march()).unwrap_err().rule, Rule::Fnd3);
}

#[test]
fn fnd_3_totals_past_what_an_amount_holds_are_refused_not_wrapped() {
    let mut a = xingfuli();
    a.closing = Money::from_fen(i64::MAX - 1);
    let b = xingfuli();
    let r = StreetMonth::build(march(), BANK, vec![a, b], None).unwrap_err();
    assert_eq!(r.rule, Rule::Lim1);
}

#[test]
fn fnd_3_a_communitys_own_reconciliation_and_go_live_show_in_its_state_and_the_finding() {
    let mut a = xingfuli();
    a.own_difference = Some(Money::from_fen(1_000));
    a.closed = false;
    let mut b = hepingli();
    b.started = false;
    assert_eq!(a.state(), "未结账；本账对账不符 ¥10.00");
    assert_eq!(b.state(), "本月尚未启用");
    let mut c = hepingli();
    c.own_difference = Some(Money::ZERO);
    assert_eq!(c.state(), "已结账；本账对账相符");
    let m = StreetMonth::build(march(), BANK, vec![a, b, c], Some(StatementBalance::typed(Money::ZERO))).unwrap();
    let f = &m.findings[0].message;
    assert!(
        f.contains(
            "请先查这些社区：幸福里社区（本账银行对账不符，相差 ¥10.00）；和平里社区（本月尚未启用，其资金不在账上）"
        ),
        "{f}"
    );
}

/// A month before the community went live holds none of its money: the
/// balances it went live with (counted before its go-live month) are not a
/// share of this month, whatever the totals before it say.
#[test]
fn fnd_3_a_month_before_go_live_is_a_share_of_zero() {
    let vouchers = [
        voucher(1, date!(2026 - 02 - 10), &[("1002", D, 100_000), ("4401", C, 100_000)]),
        voucher(1, date!(2026 - 03 - 05), &[("1002", D, 50_000), ("4401", C, 50_000)]),
    ];
    let r = row_started("新社区", &vouchers, false);
    assert_eq!(
        (r.opening, r.income, r.expense, r.other, r.closing, r.lowest),
        (Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO, Money::ZERO)
    );
    assert_eq!(r.state(), "本月尚未启用");
}

/// [FND-3] 月内最低 is the lowest day-end share of the month: the opening
/// counts only while the month's first days end on it.
#[test]
fn fnd_3_the_lowest_share_is_a_day_end_of_the_month() {
    // ¥1,000 brought in; ¥500 in on 1 March, ¥120 out on 12 March.
    let first_day_moves = row(
        "幸福里社区",
        &[
            voucher(1, date!(2026 - 02 - 10), &[("1002", D, 100_000), ("4401", C, 100_000)]),
            voucher(1, date!(2026 - 03 - 01), &[("1002", D, 50_000), ("4401", C, 50_000)]),
            voucher(2, date!(2026 - 03 - 12), &[("5201", D, 12_000), ("1002", C, 12_000)]),
        ],
    );
    assert_eq!(
        (first_day_moves.lowest, first_day_moves.lowest_on),
        (Money::from_fen(138_000), Some(date!(2026 - 03 - 12)))
    );
    // Nothing moves until the 5th: the first four days end on the opening.
    let r = xingfuli();
    assert_eq!((r.lowest, r.lowest_on), (Money::from_fen(100_000), None));
}
