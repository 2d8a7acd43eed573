//! The public disclosure (财务收支公开表, PUB-1): what the whole community
//! reads on the notice board, by month, with the fixed assets and public-
//! welfare money by quarter and the budget against actual by year.
//!
//! Built as data from what the store holds: the posted vouchers of the span
//! with their signatures, per-period balances, fund totals, reviews, assets
//! and budgets. Renderers lay it out; every figure is computed here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::{AccountKind, Chart};
use crate::backend::{AccountBudget, FundTotalRow, PeriodTotalRow};
use crate::books::{Books, Event};
use crate::funds::{FundRow, FundsReport};
use crate::lifecycle::{SignKind, Signature};
use crate::money::Money;
use crate::people::{Registry, Role};
use crate::period::{date_serde, format_date, opt_date_serde, Period};
use crate::privacy::{mask_person, scrub};
use crate::receipts::{outstanding_advances, Advance};
use crate::rule::{refuse, Failure, Rule};
use crate::voucher::{Origin, Voucher, VoucherRef};

/// What a disclosure covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Span {
    Month { period: Period },
    Quarter { year: i32, quarter: u8 },
    Year { year: i32 },
}

impl Span {
    /// `2025-Q2`.
    pub fn parse_quarter(text: &str) -> Option<Span> {
        let (y, q) = text.trim().split_once(['-', ' '])?;
        let year: i32 = y.parse().ok()?;
        let quarter: u8 = q.trim_start_matches(['Q', 'q']).parse().ok()?;
        ((1..=4).contains(&quarter) && Period::new(year, 1).is_some()).then_some(Span::Quarter { year, quarter })
    }

    pub fn first(self) -> Period {
        match self {
            Span::Month { period } => period,
            Span::Quarter { year, quarter } => Period::new(year, quarter * 3 - 2).expect("valid quarter"),
            Span::Year { year } => Period::new(year, 1).expect("valid year"),
        }
    }

    pub fn last(self) -> Period {
        match self {
            Span::Month { period } => period,
            Span::Quarter { year, quarter } => Period::new(year, quarter * 3).expect("valid quarter"),
            Span::Year { year } => Period::new(year, 12).expect("valid year"),
        }
    }

    /// `2025年04月`, `2025年第二季度`, `2025年度`.
    pub fn label(self) -> String {
        match self {
            Span::Month { period } => period.to_chinese(),
            Span::Quarter { year, quarter } => {
                format!("{year}年第{}季度", ["一", "二", "三", "四"][usize::from(quarter - 1)])
            }
            Span::Year { year } => format!("{year}年度"),
        }
    }

    /// The key reviews are recorded under: `2025-04`, `2025-Q2`, `2025`.
    pub fn key(self) -> String {
        match self {
            Span::Month { period } => period.to_string(),
            Span::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Span::Year { year } => year.to_string(),
        }
    }

    pub fn periods(self) -> impl Iterator<Item = Period> {
        let last = self.last();
        std::iter::successors(Some(self.first()), move |p| (*p < last).then(|| p.next()))
    }
}

/// What an item on the statement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A line on an income account.
    Income,
    /// A line on an expense account.
    Expense,
    /// 资产购置: fixed assets, stock or a prepayment bought with money out
    /// (or owed). Residents call it spending, so it is listed as such.
    Purchase,
}

/// Accounts whose purchase is listed as spending (资产购置): fixed assets,
/// stock, prepayments.
pub const PURCHASE_ACCOUNTS: [&str; 3] = ["1501", "1201", "1141"];

/// Accounts a purchase is paid from or owed on: cash, bank, payables.
const PAID_FROM: [&str; 3] = ["1001", "1002", "2202"];

/// Accounts holding what was listed when bought: a voucher drawing only on
/// them (stock used, a prepayment settled, depreciation) lists nothing again.
const LISTED_HOLDINGS: [&str; 4] = ["1501", "1201", "1141", "1502"];

fn under(code: &str, parents: &[&str]) -> bool {
    parents.iter().any(|p| code.starts_with(p))
}

/// [PUB-1] the items a voucher puts on the statement, as (line index, kind):
/// lines on income and expense accounts, and asset purchases (a debit on
/// [`PURCHASE_ACCOUNTS`] against cash, bank or a payable). A voucher that
/// only draws on what was listed when bought (stock used, a prepayment
/// settled, depreciation) lists nothing: that money was listed once already.
/// Advances, money held for others and transfers between cash and bank are
/// never items; they are netted as 其他收付.
pub fn item_lines(chart: &Chart, v: &Voucher) -> Vec<(usize, ItemKind)> {
    let credits = || v.lines().iter().filter(|l| l.side == crate::voucher::Side::Credit);
    let conversion = credits().next().is_some() && credits().all(|l| under(&l.account, &LISTED_HOLDINGS));
    let paid = credits().any(|l| under(&l.account, &PAID_FROM));
    v.lines()
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let kind = match kind_of(chart, &l.account) {
                Some(AccountKind::Income) => ItemKind::Income,
                Some(AccountKind::Expense) if !conversion => ItemKind::Expense,
                _ if l.side == crate::voucher::Side::Debit
                    && paid
                    && !conversion
                    && under(&l.account, &PURCHASE_ACCOUNTS) =>
                {
                    ItemKind::Purchase
                }
                _ => return None,
            };
            Some((i, kind))
        })
        .collect()
}

/// A voucher number voided before posting, with why: the gap it leaves in
/// the numbering is explained on the statement and in the handover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Voided {
    pub voucher: VoucherRef,
    /// The voucher's own date.
    #[serde(with = "date_serde")]
    pub date: Date,
    pub summary: String,
    pub amount: Money,
    pub reason: String,
    /// Who voided it, and when.
    pub by: String,
    #[serde(with = "date_serde")]
    pub voided_on: Date,
}

/// One income or expense line on the statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub no: usize,
    pub kind: ItemKind,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub voucher: VoucherRef,
    pub summary: String,
    pub account: String,
    pub account_name: String,
    /// Who was paid or paid in, masked when a private individual.
    pub counterparty: String,
    pub income: Money,
    pub expense: Money,
    pub handler: String,
    pub approver: String,
    /// The resolution or government approval cited.
    pub basis: String,
    pub fund: Option<String>,
    /// The voucher this one reverses (红字冲销), if it is a reversal.
    pub reverses: Option<VoucherRef>,
}

/// Money on hand at the start and end, and what moved it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub opening_cash: Money,
    pub opening_bank: Money,
    pub opening: Money,
    pub income: Money,
    /// Every expense item, asset purchases included.
    pub expense: Money,
    /// The part of `expense` that bought assets (资产购置).
    pub purchases: Money,
    /// Receipts and payments that are neither income nor expense (advances,
    /// money held for others, transfers between cash and bank, paying what
    /// was owed…): what closes the arithmetic.
    pub other: Money,
    pub closing_cash: Money,
    pub closing_bank: Money,
    pub closing: Money,
}

/// Income and expense of one account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryTotal {
    pub account: String,
    pub name: String,
    /// Income for an income account; the rest are spending.
    pub kind: ItemKind,
    pub income: Money,
    pub expense: Money,
}

/// An opinion of the 居务监督委员会 / 民主理财小组 on a disclosure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The span reviewed: `2025-04`, `2025-Q2` or `2025`.
    pub span: String,
    pub by: String,
    pub opinion: String,
    #[serde(with = "date_serde")]
    pub date: Date,
}

/// A fixed asset in the register (固定资产登记簿).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub id: u32,
    pub name: String,
    pub quantity: u32,
    pub value: Money,
    pub location: String,
    pub custodian: String,
    pub voucher: VoucherRef,
    #[serde(with = "date_serde")]
    pub acquired: Date,
    #[serde(default, with = "opt_date_serde", skip_serializing_if = "Option::is_none")]
    pub disposed: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposal_reason: Option<String>,
}

impl Asset {
    /// `ZC-0001`.
    pub fn label(&self) -> String {
        format!("ZC-{:04}", self.id)
    }

    pub fn held_on(&self, date: Date) -> bool {
        self.acquired <= date && self.disposed.is_none_or(|d| d > date)
    }
}

/// Budget against actual for one account and year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetRow {
    pub account: String,
    pub name: String,
    pub kind: AccountKind,
    pub budget: Money,
    pub actual: Money,
    pub difference: Money,
    /// Actual as a share of budget, `87.5%`; empty without a budget.
    pub percent: String,
}

/// The officers who sign the statement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Officers {
    pub director: String,
    pub accountant: String,
    pub cashier: String,
}

/// 公益事业收支: the items on public-welfare accounts or funds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PublicWelfare {
    pub items: Vec<Item>,
    pub income: Money,
    pub expense: Money,
}

/// The statement as printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub community: String,
    pub span: Span,
    pub title: String,
    /// Not closed yet: a preview, printed 草稿.
    pub draft: bool,
    pub summary: Summary,
    pub items: Vec<Item>,
    /// Voucher numbers of the span voided before posting, with why.
    pub voided: Vec<Voided>,
    pub by_category: Vec<CategoryTotal>,
    pub funds: Vec<FundRow>,
    pub advances: Vec<Advance>,
    pub reviews: Vec<Review>,
    pub officers: Officers,
    #[serde(with = "date_serde")]
    pub published: Date,
    pub contact: String,
    /// The log's head at the close (AUD-3); at printing for a draft.
    pub fingerprint: String,
    pub income_words: String,
    pub expense_words: String,
    pub closing_words: String,
    /// Quarter and year: the register of fixed assets held at the end.
    pub assets: Option<Vec<Asset>>,
    pub public_welfare: Option<PublicWelfare>,
    /// Year: budget against actual.
    pub budget: Option<Vec<BudgetRow>>,
    /// Year: the year's three statements (STM-1), as of December; filled
    /// by the caller, which reads the statement totals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statements: Option<crate::statements::Statements>,
    /// [FND-2] each fund raised from residents: the collection and every use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resident_funds: Vec<crate::collection::ResidentFund>,
    /// The ledger's `public-url` setting, where the web office serves the
    /// board: the poster's QR code points there. Filled by the caller,
    /// which reads the settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

impl Disclosure {
    /// The first 16 hex digits of the fingerprint, as printed large.
    pub fn fingerprint_short(&self) -> &str {
        &self.fingerprint[..self.fingerprint.len().min(16)]
    }
}

/// Everything a disclosure is built from.
pub struct DisclosureInput<'a> {
    pub community: &'a str,
    pub span: Span,
    pub chart: &'a Chart,
    pub registry: &'a Registry,
    /// Posted debit and credit per leaf account and period.
    pub totals: &'a [PeriodTotalRow],
    /// Posted vouchers of the span with their signatures.
    pub vouchers: Vec<(Voucher, Vec<Signature>)>,
    /// Vouchers of the span voided before posting.
    pub voided: Vec<Voided>,
    pub fund_totals: &'a [FundTotalRow],
    pub reviews: Vec<Review>,
    pub assets: Vec<Asset>,
    /// Budgets of the year per account.
    pub budgets: Vec<AccountBudget>,
    pub closed: bool,
    pub fingerprint: String,
    pub published: Date,
    pub contact: String,
    pub mask_names: bool,
    /// [FND-2] the resident-raised funds' sections, built by the caller.
    pub resident_funds: Vec<crate::collection::ResidentFund>,
}

fn kind_of(chart: &Chart, code: &str) -> Option<AccountKind> {
    chart.get(code).map(|a| a.kind())
}

/// A line is public-welfare money when its account or fund says 公益.
pub fn is_public_welfare(chart: &Chart, account: &str, fund: Option<&str>) -> bool {
    chart.full_name(account).contains("公益") || fund.is_some_and(|f| f.contains("公益"))
}

impl Disclosure {
    /// [PUB-1] builds the statement. Refused when a review of the span is
    /// dated after the publication date: a notice board shows a statement
    /// reviewed first and published after.
    pub fn build(input: DisclosureInput<'_>) -> Result<Disclosure, Failure> {
        let DisclosureInput { chart, registry, span, .. } = input;
        if let Some(r) = input.reviews.iter().filter(|r| r.span == span.key()).max_by_key(|r| r.date) {
            if r.date > input.published {
                return refuse(
                    Rule::Pub1,
                    format!(
                        "{}的审核意见（{}，{}）晚于公布日期 {}：须先审核后公布；请用 --date 写明不早于 {} 的公布日期",
                        span.label(),
                        r.by,
                        format_date(r.date),
                        format_date(input.published),
                        format_date(r.date)
                    ),
                );
            }
        }
        let (first, last) = (span.first(), span.last());
        let end = last.last_day();
        let person = |name: &str| -> String {
            if input.mask_names {
                mask_person(name, registry)
            } else {
                scrub(name)
            }
        };
        let mask = input.mask_names.then_some(registry);
        let mut vouchers = input.vouchers;
        vouchers.sort_by_key(|(v, _)| (v.date(), v.reference()));
        let mut items = Vec::new();
        for (v, signatures) in vouchers.iter().filter(|(v, _)| v.origin() != Origin::Closing) {
            // SEP-6: a deputy's approval shows the deputy and the resolution.
            let approval = signatures.iter().find(|s| s.kind == SignKind::Approve);
            let approver = approval
                .map(|s| match &s.resolution {
                    Some(_) => format!("{}（代签，审批人回避）", s.person),
                    None => s.person.clone(),
                })
                .unwrap_or_default();
            let mut basis: Vec<&str> = v.authorization().into_iter().collect();
            if let Some(r) = approval.and_then(|s| s.resolution.as_deref()).filter(|r| !basis.contains(r)) {
                basis.push(r);
            }
            let basis = basis.join("、");
            let handler = v.documents().iter().find_map(|d| d.handler.as_deref()).map(person).unwrap_or_default();
            for (index, kind) in item_lines(chart, v) {
                let l = &v.lines()[index];
                let (income, expense) = match kind {
                    ItemKind::Income => (-l.signed(), Money::ZERO),
                    ItemKind::Expense | ItemKind::Purchase => (Money::ZERO, l.signed()),
                };
                let counterparty = l
                    .counterparty
                    .as_deref()
                    .or_else(|| v.lines().iter().find_map(|x| x.counterparty.as_deref()))
                    .map(person)
                    .unwrap_or_default();
                items.push(Item {
                    no: items.len() + 1,
                    kind,
                    date: v.date(),
                    voucher: v.reference(),
                    summary: board_summary(&l.summary, v, mask),
                    account: l.account.clone(),
                    account_name: chart.full_name(&l.account),
                    counterparty,
                    income,
                    expense,
                    handler: handler.clone(),
                    approver: if expense.is_zero() { String::new() } else { approver.clone() },
                    basis: basis.clone(),
                    fund: l.fund.clone(),
                    reverses: v.reverses(),
                });
            }
        }
        let income: Money = items.iter().map(|i| i.income).sum();
        let expense: Money = items.iter().map(|i| i.expense).sum();
        let purchases: Money = items.iter().filter(|i| i.kind == ItemKind::Purchase).map(|i| i.expense).sum();
        let balance = |prefix: &str, through: Option<Period>| -> Money {
            input
                .totals
                .iter()
                .filter(|t| t.account.starts_with(prefix) && through.is_some_and(|through| t.period <= through))
                .map(PeriodTotalRow::net)
                .sum()
        };
        let before = Some(first.prev());
        let (opening_cash, opening_bank) = (balance("1001", before), balance("1002", before));
        let (closing_cash, closing_bank) = (balance("1001", Some(last)), balance("1002", Some(last)));
        let opening = opening_cash + opening_bank;
        let closing = closing_cash + closing_bank;
        let summary = Summary {
            opening_cash,
            opening_bank,
            opening,
            income,
            expense,
            purchases,
            other: closing - opening - income + expense,
            closing_cash,
            closing_bank,
            closing,
        };
        let mut by: BTreeMap<String, (ItemKind, Money, Money)> = BTreeMap::new();
        for i in &items {
            let e = by.entry(i.account.clone()).or_insert((i.kind, Money::ZERO, Money::ZERO));
            e.1 += i.income;
            e.2 += i.expense;
        }
        let by_category = by
            .into_iter()
            .map(|(account, (kind, income, expense))| CategoryTotal {
                name: chart.full_name(&account),
                kind,
                account,
                income,
                expense,
            })
            .collect();
        let fund_totals = input.fund_totals.iter().map(FundTotalRow::total);
        let funds = FundsReport::build(input.community, fund_totals, first, last).rows;
        let advances = outstanding_advances(
            chart,
            input.totals.iter().filter(|t| t.period <= last).map(|t| (t.account.as_str(), t.net())),
        )
        .into_iter()
        .map(|a| Advance { borrower: person(&a.borrower), ..a })
        .collect();
        let holder = |role: Role| -> String {
            // The director signs the disclosure, not an acting approver (APR-1).
            let mut holders = registry.in_force(end).filter(|a| a.role == role && !a.acting);
            holders.next().map(|a| a.person.clone()).unwrap_or_default()
        };
        let officers = Officers {
            director: holder(Role::Approver),
            accountant: holder(Role::Accountant),
            cashier: holder(Role::Cashier),
        };
        let quarterly = !matches!(span, Span::Month { .. });
        let assets = quarterly.then(|| {
            input
                .assets
                .iter()
                .filter(|a| a.held_on(end))
                .cloned()
                .map(|a| Asset { custodian: person(&a.custodian), ..a })
                .collect()
        });
        let public_welfare = quarterly.then(|| {
            let items: Vec<Item> =
                items.iter().filter(|i| is_public_welfare(chart, &i.account, i.fund.as_deref())).cloned().collect();
            PublicWelfare {
                income: items.iter().map(|i| i.income).sum(),
                expense: items.iter().map(|i| i.expense).sum(),
                items,
            }
        });
        let budget = matches!(span, Span::Year { .. }).then(|| budget_rows(chart, &input.budgets, &items));
        Ok(Disclosure {
            community: input.community.to_string(),
            span,
            title: format!("{}财务收支公开表（{}）", input.community, span.label()),
            draft: !input.closed,
            summary,
            items,
            voided: input
                .voided
                .into_iter()
                .map(|x| Voided { summary: scrub(&x.summary), reason: scrub(&x.reason), by: person(&x.by), ..x })
                .collect(),
            by_category,
            funds,
            advances,
            reviews: input.reviews.into_iter().filter(|r| r.span == span.key()).collect(),
            officers,
            published: input.published,
            contact: scrub(&input.contact),
            fingerprint: input.fingerprint,
            income_words: income.to_chinese_words(),
            expense_words: expense.to_chinese_words(),
            closing_words: closing.to_chinese_words(),
            assets,
            public_welfare,
            budget,
            statements: None,
            public_url: None,
            resident_funds: input
                .resident_funds
                .into_iter()
                .map(|mut f| {
                    for u in &mut f.uses {
                        u.summary = match vouchers.iter().find(|(v, _)| v.reference() == u.voucher) {
                            Some((v, _)) => board_summary(&u.summary, v, mask),
                            None => scrub(&u.summary),
                        };
                    }
                    f
                })
                .collect(),
        })
    }
}

/// [PUB-2] a voucher line's summary as the board prints it: ID and mobile
/// numbers blanked and, when names are masked, every private person the
/// voucher names as a counterparty masked wherever the summary names them
/// too (a summary typed "收物业金 平房1号 张三" prints "… 张*").
fn board_summary(text: &str, v: &Voucher, mask: Option<&Registry>) -> String {
    let mut out = scrub(text);
    let Some(registry) = mask else { return out };
    let names: std::collections::BTreeSet<String> = v
        .lines()
        .iter()
        .filter_map(|l| l.counterparty.as_deref())
        .map(|n| scrub(n.trim()))
        .filter(|n| !n.is_empty())
        .collect();
    // Longest first, so 张三丰 is masked whole before 张三 is looked for.
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    for name in names {
        let masked = mask_person(&name, registry);
        if masked != name {
            out = out.replace(&name, &masked);
        }
    }
    out
}

/// [PUB-1] budget against actual: every account budgeted or with actual
/// income or expense, income accounts first.
fn budget_rows(chart: &Chart, budgets: &[AccountBudget], items: &[Item]) -> Vec<BudgetRow> {
    // Budgets are set on income and expense accounts: asset purchases are not counted against them.
    let items: Vec<&Item> = items.iter().filter(|i| i.kind != ItemKind::Purchase).collect();
    let mut actual: BTreeMap<String, Money> = BTreeMap::new();
    for i in &items {
        // Budgets are set on any level: count each item on its account and every parent.
        let mut code = Some(i.account.as_str());
        while let Some(c) = code {
            *actual.entry(c.to_string()).or_default() += i.income + i.expense;
            code = crate::account::parent_of(c);
        }
    }
    let mut codes: Vec<String> = budgets.iter().map(|b| b.account.clone()).collect();
    // Accounts with actual figures and no budget (at their top level) are shown too.
    for i in &items {
        let top = &i.account[..4.min(i.account.len())];
        let covered =
            budgets.iter().map(|b| &b.account).any(|b| i.account.starts_with(b.as_str()) || b.starts_with(top));
        if !covered && !codes.iter().any(|c| c == top) {
            codes.push(top.to_string());
        }
    }
    codes.sort_by_key(|c| (kind_of(chart, c) != Some(AccountKind::Income), c.clone()));
    codes
        .into_iter()
        .map(|code| {
            let budget = budgets.iter().find(|b| b.account == code).map(|b| b.amount).unwrap_or_default();
            let actual = actual.get(&code).copied().unwrap_or_default();
            let percent = if budget.is_zero() {
                String::new()
            } else {
                // Per mille, rounded half up, printed to one decimal.
                let pm = (i128::from(actual.fen()) * 2000 / i128::from(budget.fen()) + 1).div_euclid(2);
                format!("{}.{}%", pm.div_euclid(10), pm.rem_euclid(10))
            };
            BudgetRow {
                name: chart.full_name(&code),
                kind: kind_of(chart, &code).unwrap_or(AccountKind::Expense),
                account: code,
                budget,
                actual,
                difference: actual - budget,
                percent,
            }
        })
        .collect()
}

/// [PUB-1] records the 居务监督委员会 / 民主理财小组 opinion on a disclosure,
/// dated no later than `today` and, for a month, not before its last day.
pub fn record_review(books: &mut impl Books, review: Review, today: Date) -> Result<(), Failure> {
    if review.opinion.trim().is_empty() {
        return refuse(Rule::Pub1, "审核意见不能为空；请用 --opinion 写明意见，如“经审核，收支属实”");
    }
    if review.opinion.chars().count() > 500 {
        return refuse(Rule::Lim1, "审核意见不超过 500 个字");
    }
    let on = crate::period::format_date(review.date);
    if review.date > today {
        return refuse(
            Rule::Pub1,
            format!(
                "审核日期 {on} 晚于今天 {}：审核意见不能预先录入；请写明审核的实际日期",
                crate::period::format_date(today)
            ),
        );
    }
    if let Ok(period) = Period::parse(&review.span) {
        if review.date < period.last_day() {
            let last = crate::period::format_date(period.last_day());
            return refuse(
                Rule::Pub1,
                format!(
                    "审核日期 {on} 早于{}的最后一天 {last}：审核的是月末之后的财务公开；请写明不早于 {last} 的审核日期",
                    period.to_chinese()
                ),
            );
        }
    }
    // [PUB-1] a month published at its present close shows the review it
    // was published with: an opinion added after would change the board
    // residents were shown.
    if let Ok(period) = Period::parse(&review.span) {
        if let Some(fingerprint) = books.close_fingerprint(period)? {
            if let Some(p) =
                books.publications()?.into_iter().find(|p| p.period == period && p.fingerprint == fingerprint)
            {
                return refuse(
                    Rule::Pub1,
                    format!(
                        "{}的财务公开已于 {} 公布，公布后不能再录入审核意见（公开栏上的内容须与张贴的海报一致）；如需更正，须反结账、更正、重新结账后再审核、公布",
                        period.to_chinese(),
                        crate::period::format_date(p.date)
                    ),
                );
            }
        }
    }
    books.append(Event::DisclosureReviewed { review })?;
    Ok(())
}

/// The longest asset name, location or reason accepted.
pub const MAX_ASSET_TEXT: usize = 60;

/// [AST-1] registers a fixed asset bought by a posted voucher.
pub fn register_asset(books: &mut impl Books, mut asset: Asset) -> Result<Asset, Failure> {
    let ast = |m: String| -> Result<Asset, Failure> { refuse(Rule::Ast1, m) };
    for (what, text) in [("名称", &asset.name), ("存放地点", &asset.location), ("保管人", &asset.custodian)] {
        if text.trim().is_empty() || text.chars().count() > MAX_ASSET_TEXT {
            return ast(format!("资产的{what}不能为空，不超过 {MAX_ASSET_TEXT} 个字"));
        }
    }
    if asset.quantity == 0 || asset.value.fen() <= 0 {
        return ast("资产的数量和原值须大于零".to_string());
    }
    match books.voucher(asset.voucher)? {
        Some((_, crate::voucher::Status::Posted)) => {}
        Some(_) => return ast(format!("购置凭证 {} 尚未记账；记账后再登记资产", asset.voucher)),
        None => return ast(format!("购置凭证 {} 不存在", asset.voucher)),
    }
    asset.id = books.assets()?.iter().map(|a| a.id).max().unwrap_or(0) + 1;
    asset.disposed = None;
    asset.disposal_reason = None;
    books.append(Event::AssetRegistered { asset: asset.clone() })?;
    Ok(asset)
}

/// [AST-1] records that an asset left the register (报废、调出…), with a reason.
pub fn dispose_asset(books: &mut impl Books, id: u32, date: Date, reason: &str) -> Result<(), Failure> {
    let Some(asset) = books.assets()?.into_iter().find(|a| a.id == id) else {
        return refuse(Rule::Ast1, format!("资产 ZC-{id:04} 不存在"));
    };
    if asset.disposed.is_some() {
        return refuse(Rule::Ast1, format!("资产 {} 已经处置", asset.label()));
    }
    if date < asset.acquired {
        return refuse(Rule::Ast1, format!("处置日期早于资产 {} 的购置日期", asset.label()));
    }
    if reason.trim().is_empty() {
        return refuse(Rule::Ast1, "处置资产须写明原因（--reason）");
    }
    books.append(Event::AssetDisposed { id, date, reason: reason.trim().to_string() })?;
    Ok(())
}

/// [BUD-1] sets the budget of an income or expense account for a year.
pub fn set_budget(books: &mut impl Books, year: i32, account: &str, amount: Money) -> Result<(), Failure> {
    match books.chart().get(account).map(|a| a.kind()) {
        Some(AccountKind::Income | AccountKind::Expense) => {}
        Some(_) => return refuse(Rule::Bud1, format!("预算只编在收入、费用科目上，{account} 不是")),
        None => return refuse(Rule::Bud1, format!("科目 {account} 不存在")),
    }
    if amount.is_negative() {
        return refuse(Rule::Bud1, "预算金额不能为负数");
    }
    if Period::new(year, 1).is_none() {
        return refuse(Rule::Bud1, format!("年度 {year} 无效"));
    }
    books.append(Event::BudgetSet { year, account: account.to_string(), amount })?;
    Ok(())
}

#[cfg(test)]
mod tests;
