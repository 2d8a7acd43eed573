//! Every report's data, assembled from the books: the trial balance, the
//! journals and ledgers (whole, or cut to one special fund, FND-1), the
//! funds statement, the cash-count sheet and the bank reconciliation.

use crate::backend::Backend;
use qianzhang_core::bank::Reconciliation;
use qianzhang_core::cash::CountSheet;
use qianzhang_core::funds::{fund_period_totals, FundsReport};
use qianzhang_core::names::{Named, Names};
use qianzhang_core::report::{AccountLedger, Journal, TrialBalance};
use qianzhang_core::statements::{Source, Statement, Statements};
use qianzhang_core::{Period, Rule, Status, Voucher};

use crate::backend::as_period_totals;
use crate::session::Ledger;
use crate::Error;

/// The periods a report is asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Range {
    pub from: Option<Period>,
    pub to: Option<Period>,
    /// One month (the same as `from` = `to`).
    pub month: Option<Period>,
}

/// The span a report covers: the given bounds, else every period with vouchers.
pub fn span<B: Backend>(ledger: &Ledger<B>, range: &Range) -> Result<(Period, Period), Error> {
    if let Some(m) = range.month {
        return Ok((m, m));
    }
    let (first, last) = ledger.store().period_span(ledger.handle())?.unwrap_or((ledger.start(), ledger.start()));
    let from = range.from.unwrap_or(first);
    let to = range.to.unwrap_or(last.max(from));
    if from > to {
        return Err(Error::Usage(format!("--from {from} 晚于 --to {to}：起始期间须不晚于截止期间")));
    }
    Ok((from, to))
}

/// Which report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    TrialBalance,
    Journal,
    Ledger,
    CashJournal,
    BankJournal,
    Funds,
    CashCount,
    BankReconciliation,
    BalanceSheet,
    Activities,
    CashFlow,
}

/// The names a report is asked for by (`report trial-balance`, `report 试算平衡表`).
impl Named for Kind {
    const ALL: &'static [Names<Kind>] = &[
        Names {
            value: Kind::TrialBalance,
            name: "trial-balance",
            aliases: &["试算平衡表", "科目余额表"],
            gloss: "试算平衡表",
        },
        Names { value: Kind::Journal, name: "journal", aliases: &["序时账"], gloss: "序时账" },
        Names { value: Kind::Ledger, name: "ledger", aliases: &["明细账"], gloss: "明细账（须指明科目）" },
        Names {
            value: Kind::CashJournal, name: "cash-journal", aliases: &["现金日记账"], gloss: "现金日记账 (1001)"
        },
        Names {
            value: Kind::BankJournal,
            name: "bank-journal",
            aliases: &["银行存款日记账"],
            gloss: "银行存款日记账 (1002)",
        },
        Names {
            value: Kind::Funds,
            name: "funds",
            aliases: &["专项资金收支表"],
            gloss: "专项资金收支表 / special funds (FND-1)",
        },
        Names {
            value: Kind::CashCount,
            name: "cash-count",
            aliases: &["现金盘点表"],
            gloss: "现金盘点表 --date D (CSH-2..5)",
        },
        Names {
            value: Kind::BankReconciliation,
            name: "bank-reconciliation",
            aliases: &["银行存款余额调节表", "余额调节表"],
            gloss: "银行存款余额调节表 --month M (BNK-1)",
        },
        Names {
            value: Kind::BalanceSheet,
            name: "balance-sheet",
            aliases: &["资产负债表"],
            gloss: "资产负债表 会民非01表 --month M (STM-1)",
        },
        Names {
            value: Kind::Activities,
            name: "activities",
            aliases: &["业务活动表"],
            gloss: "业务活动表 会民非02表 --month M (STM-1)",
        },
        Names {
            value: Kind::CashFlow,
            name: "cash-flow",
            aliases: &["现金流量表"],
            gloss: "现金流量表 会民非03表 --month M (STM-1)",
        },
    ];
}

/// What a report is asked for with.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The account of a ledger, or the bank account of a reconciliation.
    pub account: Option<String>,
    pub range: Range,
    /// Only the lines of one special fund.
    pub fund: Option<String>,
    /// The day of a cash-count sheet (default today).
    pub date: Option<time::Date>,
}

/// A report's data.
pub enum Report {
    TrialBalance(TrialBalance),
    Journal(Journal),
    Ledger(AccountLedger),
    /// The cash or bank journal (daily balances).
    CashJournal(AccountLedger),
    Funds(FundsReport),
    CashCount(CountSheet),
    BankReconciliation(Reconciliation),
    /// One of the three statements (STM-1).
    Statement(Statement),
}

/// Builds the report asked for.
pub fn report<B: Backend>(
    ledger: &mut Ledger<B>,
    kind: Kind,
    req: &Request,
    today: time::Date,
) -> Result<Report, Error> {
    let (from, to) = span(ledger, &req.range)?;
    let chart = ledger.store().chart(ledger.handle())?;
    let fund = req.fund.as_deref();
    if let Some(f) = fund {
        if !ledger.store().funds(ledger.handle())?.iter().any(|x| x.name == f) {
            return Err(Error::refuse(Rule::Fnd1, format!("专项资金“{f}”未设立；fund list 列出已设立的资金")));
        }
    }
    let name = &match fund {
        Some(f) => format!("{}（专项资金：{f}）", ledger.name()),
        None => ledger.name().to_string(),
    };
    if fund.is_some() && matches!(kind, Kind::CashCount | Kind::BankReconciliation) {
        return Err(Error::refuse(
            Rule::Fnd1,
            "现金盘点表和银行存款余额调节表按账户编制，不分专项资金；请去掉 --fund，或用 cash-journal/bank-journal --fund",
        ));
    }
    Ok(match kind {
        Kind::BalanceSheet | Kind::Activities | Kind::CashFlow => {
            if fund.is_some() {
                return Err(Error::refuse(
                    Rule::Fnd1,
                    "会计报表反映整个单位的资产、负债、净资产和收支，不能按专项资金编制（STM-1）；\
                     请去掉 --fund，专项资金的收支和结余用 report funds 查看",
                ));
            }
            kept(ledger, Rule::Stm1, "会计报表", to, to)?;
            Report::Statement(statement(ledger, kind, to)?)
        }
        Kind::CashCount => Report::CashCount(crate::month::count_sheet(ledger, req.date.unwrap_or(today))?),
        Kind::BankReconciliation => {
            if req.range.month.is_none() && req.range.to.is_none() {
                return Err(Error::refuse(Rule::Bnk1, "余额调节表须指明月份：--month YYYY-MM"));
            }
            Report::BankReconciliation(crate::month::reconciliation(ledger, req.account.as_deref(), to)?)
        }
        Kind::TrialBalance => {
            let totals = period_totals(ledger, fund, to)?;
            Report::TrialBalance(TrialBalance::build(name, &chart, as_period_totals(&totals), from, to))
        }
        Kind::Journal => {
            let vouchers: Vec<_> =
                posted(ledger, from, to, fund, |_| true)?.into_iter().map(|v| (v, Status::Posted)).collect();
            let registry = ledger.store().registry(ledger.handle())?;
            let marks = crate::voucher::stand_aside_marks(ledger, &registry, vouchers.iter().map(|(v, _)| v), today)?;
            let mut journal = Journal::build(name, &chart, vouchers, from, to);
            for (r, m) in marks {
                journal.note(r, m.note());
            }
            Report::Journal(journal)
        }
        Kind::Ledger => {
            let text = req
                .account
                .as_deref()
                .ok_or_else(|| Error::refuse(Rule::Vch2, "明细账须指明科目，例如 report ledger 1001"))?;
            let code = chart
                .resolve(text)
                .map(|a| a.code().to_string())
                .ok_or_else(|| Error::refuse(Rule::Vch2, format!("科目“{text}”不存在")))?;
            let totals = period_totals(ledger, fund, to)?;
            let vouchers = posted(ledger, from, to, fund, |v| touches(v, &code))?;
            Report::Ledger(AccountLedger::build(
                name,
                &chart,
                &code,
                as_period_totals(&totals),
                vouchers,
                from,
                to,
                false,
                openings_in(ledger, fund)?,
            ))
        }
        Kind::Funds => {
            let mut totals = ledger.store().fund_totals(ledger.handle())?;
            if let Some(f) = fund {
                totals.retain(|t| t.fund == f);
            }
            let totals = totals.iter().map(qianzhang_core::backend::FundTotalRow::total);
            Report::Funds(FundsReport::build(name, totals, from, to))
        }
        Kind::CashJournal | Kind::BankJournal => {
            let code = if kind == Kind::CashJournal { "1001" } else { "1002" };
            let totals = period_totals(ledger, fund, to)?;
            let vouchers = posted(ledger, from, to, fund, |v| touches(v, code))?;
            Report::CashJournal(AccountLedger::build(
                name,
                &chart,
                code,
                as_period_totals(&totals),
                vouchers,
                from,
                to,
                true,
                openings_in(ledger, fund)?,
            ))
        }
    })
}

/// [STM-1, PUB-1] refuses a span wholly before go-live, unless migrated
/// history covers part of it (a month before go-live is closed only by the
/// history migrated into it).
pub fn kept<B: Backend>(ledger: &Ledger<B>, rule: Rule, what: &str, first: Period, last: Period) -> Result<(), Error> {
    let start = ledger.start();
    let mut history = false;
    if last < start {
        let mut p = first;
        while p <= last && !history {
            history = ledger.store().is_closed(ledger.handle(), p)?;
            p = p.next();
        }
    }
    qianzhang_core::period::before_go_live(rule, what, first, last, start, history)?;
    Ok(())
}

/// [STM-1] one statement of `period`.
fn statement<B: Backend>(ledger: &Ledger<B>, kind: Kind, period: Period) -> Result<Statement, Error> {
    let store = ledger.store();
    let handle = ledger.handle();
    let (chart, funds) = (store.chart(handle)?, store.funds(handle)?);
    let (totals, rows) = (store.period_totals(handle)?, store.statement_totals(handle)?);
    let src = Source { ledger: ledger.name(), chart: &chart, funds: &funds, totals: &totals, rows: &rows };
    Ok(match kind {
        Kind::Activities => qianzhang_core::statements::activities(&src, period),
        Kind::CashFlow => qianzhang_core::statements::cash_flow(&src, period),
        _ => qianzhang_core::statements::balance_sheet(&src, period),
    })
}

/// [STM-1] the three statements of `period`, from the per-period totals and
/// the statements' rows the store keeps (no walk of the vouchers).
pub fn statements<B: Backend>(ledger: &Ledger<B>, period: Period) -> Result<Statements, Error> {
    kept(ledger, Rule::Stm1, "会计报表", period, period)?;
    let store = ledger.store();
    let handle = ledger.handle();
    let chart = store.chart(handle)?;
    let funds = store.funds(handle)?;
    let totals = store.period_totals(handle)?;
    let rows = store.statement_totals(handle)?;
    let src = Source { ledger: ledger.name(), chart: &chart, funds: &funds, totals: &totals, rows: &rows };
    Ok(qianzhang_core::statements::statements(&src, period))
}

fn touches(v: &Voucher, code: &str) -> bool {
    v.lines().iter().any(|l| l.account.starts_with(code))
}

/// The posted vouchers of `from..=to` that `keep` keeps, cut to `fund`'s
/// lines when one is asked for (and kept only if the cut still does).
fn posted<B: Backend>(
    ledger: &Ledger<B>,
    from: Period,
    to: Period,
    fund: Option<&str>,
    keep: impl Fn(&Voucher) -> bool,
) -> Result<Vec<Voucher>, Error> {
    let mut vouchers = Vec::new();
    ledger.store().each_voucher(ledger.handle(), from, to, |v, s| {
        if s == Status::Posted && keep(&v) {
            let cut = match fund {
                Some(f) => v.fund_part(f),
                None => Some(v),
            };
            vouchers.extend(cut.filter(|v| keep(v)));
        }
        Ok(())
    })?;
    Ok(vouchers)
}

/// Balances by period: of one fund, from its posted lines through `to`;
/// else the projection's.
/// [OPN-1] the month whose totals are the opening balances set for go-live
/// (the month before it), when there are any; a fund's totals are made
/// from its vouchers and hold none.
fn openings_in<B: Backend>(ledger: &Ledger<B>, fund: Option<&str>) -> Result<Option<Period>, Error> {
    if fund.is_some() || ledger.store().openings(ledger.handle())?.is_empty() {
        return Ok(None);
    }
    Ok(Some(ledger.handle().info.start.prev()))
}

fn period_totals<B: Backend>(
    ledger: &Ledger<B>,
    fund: Option<&str>,
    to: Period,
) -> Result<Vec<qianzhang_core::backend::PeriodTotalRow>, Error> {
    match fund {
        None => Ok(ledger.store().period_totals(ledger.handle())?),
        Some(f) => {
            let mut vouchers = Vec::new();
            let first = Period::new(1900, 1).expect("valid");
            ledger.store().each_voucher(ledger.handle(), first, to, |v, s| {
                if s == Status::Posted {
                    vouchers.extend(v.fund_part(f));
                }
                Ok(())
            })?;
            Ok(fund_period_totals(&vouchers, f))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_has_one_english_name_and_takes_its_chinese_one() {
        for n in Kind::ALL {
            assert_eq!(Kind::from_name(n.name), Some(n.value));
            assert_eq!(n.value.name(), n.name);
            for alias in n.aliases {
                assert_eq!(Kind::from_name(alias), Some(n.value), "{alias}");
            }
        }
        assert_eq!(Kind::from_name("试算平衡表"), Some(Kind::TrialBalance));
    }
}
