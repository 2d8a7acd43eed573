//! Special funds (专款专用, FND-1): restricted money tracked by a fund tag on
//! each line.
//!
//! A fund is fed and spent through its sources and uses — income, net
//! assets, liabilities, expenses — never through the asset lines that only
//! show where the money sits: a fund-tagged credit to a non-asset account is
//! money coming into the fund, a fund-tagged debit to one is money going out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::backend::PeriodTotalRow;
use crate::books::{Books, Event};
use crate::money::Money;
use crate::period::Period;
use crate::rule::{refuse, Failure, Refusal, Rule};
use crate::voucher::{Line, Side, Voucher};

/// A special fund declared for the ledger. Restricted money (限定性: 低保,
/// 救灾, 党组织工作经费, money collected from residents for a purpose) is
/// carried to 3102 at year end; the rest to 3101.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fund {
    pub name: String,
    pub restricted: bool,
}

/// A fund's name is at most this long.
pub const MAX_FUND_NAME_CHARS: usize = 40;

/// [FND-1] declares a fund: a new, printable name.
pub fn declare_fund(books: &mut impl Books, fund: Fund) -> Result<(), Failure> {
    let name = fund.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_FUND_NAME_CHARS || name.chars().any(char::is_control) {
        return refuse(Rule::Fnd1, format!("专项资金名称“{name}”无效：不能为空，不超过 {MAX_FUND_NAME_CHARS} 个字"));
    }
    if books.funds()?.iter().any(|f| f.name == name) {
        return refuse(Rule::Fnd1, format!("专项资金“{name}”已经设立"));
    }
    books.append(Event::FundDeclared { fund: Fund { name, restricted: fund.restricted } })?;
    Ok(())
}

/// [FND-1] every fund a voucher's lines name has been declared.
pub fn check_declared(lines: &[Line], funds: &[Fund]) -> Vec<Refusal> {
    let mut out: Vec<Refusal> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(name) = l.fund.as_deref() else { continue };
        if !funds.iter().any(|f| f.name == name) && !out.iter().any(|r| r.message.contains(&format!("“{name}”"))) {
            out.push(Refusal::new(
                Rule::Fnd1,
                format!("第 {} 行分录的专项资金“{name}”未设立；请先用 fund add 设立并说明是否限定用途", i + 1),
            ));
        }
    }
    out
}

/// Debit and credit totals per account and period of the lines carrying
/// `fund`, from posted vouchers: what the balance-based reports read when
/// they are cut by fund.
pub fn fund_period_totals<'a>(vouchers: impl IntoIterator<Item = &'a Voucher>, fund: &str) -> Vec<PeriodTotalRow> {
    let mut by: BTreeMap<(String, Period), (Money, Money)> = BTreeMap::new();
    for v in vouchers {
        for l in v.lines().iter().filter(|l| l.fund.as_deref() == Some(fund)) {
            let e = by.entry((l.account.clone(), v.period())).or_default();
            e.0 += l.debit();
            e.1 += l.credit();
        }
    }
    by.into_iter()
        .map(|((account, period), (debit, credit))| PeriodTotalRow { account, period, debit, credit })
        .collect()
}

/// Asset accounts (1xxx) move money without changing what a fund holds.
pub fn counts_for_fund(account: &str) -> bool {
    !account.starts_with('1')
}

/// What one line does to its fund: (fund, into the fund, out of the fund).
pub fn fund_effect(line: &Line) -> Option<(&str, Money, Money)> {
    let fund = line.fund.as_deref()?;
    if !counts_for_fund(&line.account) {
        return None;
    }
    Some(match line.side {
        Side::Credit => (fund, line.amount, Money::ZERO),
        Side::Debit => (fund, Money::ZERO, line.amount),
    })
}

/// [FND-1] spending from a fund never exceeds what it holds: `held` gives a
/// fund's balance before this voucher.
pub fn check_fund_spending(v: &Voucher, mut held: impl FnMut(&str) -> Money) -> Option<Refusal> {
    let mut net: BTreeMap<&str, Money> = BTreeMap::new();
    for (fund, into, out) in v.lines().iter().filter_map(fund_effect) {
        *net.entry(fund).or_default() += into - out;
    }
    net.into_iter().filter(|(_, n)| n.is_negative()).find_map(|(fund, n)| {
        let before = held(fund);
        (before + n).is_negative().then(|| {
            Refusal::new(
                Rule::Fnd1,
                format!(
                    "专项资金“{fund}”结余 {}，凭证 {} 支出 {}，超出结余 {}；专款专用，不能超支",
                    before.to_yuan(),
                    v.reference(),
                    (-n).to_yuan(),
                    (-(before + n)).to_yuan()
                ),
            )
        })
    })
}

/// Money in and out of one fund in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundTotal<'a> {
    pub fund: &'a str,
    pub period: Period,
    pub income: Money,
    pub spending: Money,
}

/// One fund's line in the funds report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FundRow {
    pub fund: String,
    pub opening: Money,
    pub income: Money,
    pub spending: Money,
    pub closing: Money,
}

/// The funds report (专项资金收支表) for `from..=to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FundsReport {
    pub ledger: String,
    pub from: Period,
    pub to: Period,
    pub rows: Vec<FundRow>,
}

impl FundsReport {
    pub fn build<'a>(
        ledger: &str,
        totals: impl IntoIterator<Item = FundTotal<'a>>,
        from: Period,
        to: Period,
    ) -> FundsReport {
        let mut by_fund: BTreeMap<String, FundRow> = BTreeMap::new();
        for t in totals.into_iter().filter(|t| t.period <= to) {
            let row = by_fund.entry(t.fund.to_string()).or_insert_with(|| FundRow {
                fund: t.fund.to_string(),
                opening: Money::ZERO,
                income: Money::ZERO,
                spending: Money::ZERO,
                closing: Money::ZERO,
            });
            if t.period < from {
                row.opening += t.income - t.spending;
            } else {
                row.income += t.income;
                row.spending += t.spending;
            }
        }
        let rows = by_fund
            .into_values()
            .map(|mut r| {
                r.closing = r.opening + r.income - r.spending;
                r
            })
            .collect();
        FundsReport { ledger: ledger.to_string(), from, to, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::prepare_voucher;
    use crate::memory::MemoryBooks;
    use crate::test_support::draft;
    use crate::voucher::Origin;
    use time::macros::date;

    #[test]
    fn fnd_1_spending_never_exceeds_what_the_fund_holds() {
        let mut b = MemoryBooks::fixture();
        let mut d = draft(date!(2025 - 03 - 10), 320_000);
        d.lines[0].account = "5101".into();
        d.lines[0].fund = Some("楼道维修基金".into());
        d.lines[1].account = "1002".into();
        d.lines[1].fund = Some("楼道维修基金".into());
        let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
        let v = b.vouchers[&r].0.clone();
        assert!(check_fund_spending(&v, |_| Money::from_fen(320_000)).is_none());
        let e = check_fund_spending(&v, |_| Money::from_fen(6_000)).unwrap();
        assert_eq!(e.rule, Rule::Fnd1);
        assert!(e.message.contains("结余 ¥60.00") && e.message.contains("超出结余 ¥3,140.00"), "{}", e.message);
    }

    #[test]
    fn fnd_1_the_report_by_fund() {
        let p = |s| Period::parse(s).unwrap();
        let totals = [
            FundTotal {
                fund: "楼道维修基金",
                period: p("2024-10"),
                income: Money::from_fen(518_000),
                spending: Money::ZERO,
            },
            FundTotal {
                fund: "楼道维修基金",
                period: p("2025-01"),
                income: Money::from_fen(326_000),
                spending: Money::ZERO,
            },
            FundTotal {
                fund: "楼道维修基金",
                period: p("2025-03"),
                income: Money::ZERO,
                spending: Money::from_fen(320_000),
            },
            FundTotal {
                fund: "低保",
                period: p("2025-03"),
                income: Money::from_fen(1_740_000),
                spending: Money::from_fen(1_740_000),
            },
        ];
        let r = FundsReport::build("测试", totals, p("2025-03"), p("2025-03"));
        assert_eq!(r.rows.len(), 2);
        let repair = r.rows.iter().find(|x| x.fund == "楼道维修基金").unwrap();
        assert_eq!(
            (repair.opening, repair.spending, repair.closing),
            (Money::from_fen(844_000), Money::from_fen(320_000), Money::from_fen(524_000))
        );
    }
}
