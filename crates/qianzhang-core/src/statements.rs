//! The three statements of 民间非营利组织会计制度 (STM-1): 资产负债表
//! (会民非01表), 业务活动表 (会民非02表) and 现金流量表 (会民非03表), derived
//! from the books for any month, every line in the form's order with its
//! line number (行次).
//!
//! They are built from two kinds of per-period totals, never from a walk of
//! the ledger: the posted totals per leaf account ([`PeriodTotalRow`], the
//! same the trial balance reads, opening balances included), and the
//! [`StatementRow`]s a voucher contributes (see [`statement_rows`]): the
//! lines of the year-end voucher, the fund-tagged lines of the others, and
//! the counterpart lines of vouchers that move cash or bank.
//!
//! How an account finds its line is one table, [`ASSET_LINES`] and its
//! siblings, matched by code prefix (the longest wins), so sub-accounts and
//! accounts a user adds under a known code land on their parent's line; a
//! code no prefix knows falls to the 其他 line of its kind, never dropped.
//!
//! Restricted (限定性) money is what a restricted special fund carries
//! (FND-1), the same split the year-end carry-forward makes: income lines
//! tagged with a restricted fund (or a fund not declared) are 限定性, the rest
//! 非限定性. Expenses are shown under 非限定性, as the standard has them; what
//! restricted funds spent is released through line 40 (限定性净资产转为
//! 非限定性净资产). On the balance sheet, the year's income and expense not
//! yet carried forward are part of net assets, split the same way.
//!
//! The statements tie out, and a broken tie is a note on the statement, not
//! silence: 资产总计 (60) = 负债和净资产总计 (120); the activities' 净资产变动额
//! (45) = the change of 净资产合计 (110) since 年初, less what was posted to
//! net-asset accounts directly (shown as its own note); 现金及现金等价物净增加额
//! (61) = the change of 货币资金 (1).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::account::{AccountKind, Chart};
use crate::backend::PeriodTotalRow;
use crate::funds::Fund;
use crate::money::Money;
use crate::period::Period;
use crate::voucher::{Line, Origin, Voucher};

/// Which of the three forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    BalanceSheet,
    Activities,
    CashFlow,
}

impl Form {
    pub fn title(self) -> &'static str {
        match self {
            Form::BalanceSheet => "资产负债表",
            Form::Activities => "业务活动表",
            Form::CashFlow => "现金流量表",
        }
    }

    /// The form's number in the standard.
    pub fn code(self) -> &'static str {
        match self {
            Form::BalanceSheet => "会民非01表",
            Form::Activities => "会民非02表",
            Form::CashFlow => "会民非03表",
        }
    }
}

/// What a voucher line contributes to the statements beyond the period totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// A line of the year-end voucher (结转本年收支, [`Origin::Closing`]).
    Closing,
    /// A fund-tagged line on a non-asset account of any other voucher.
    Fund,
    /// A counterpart line of a voucher that moves cash or bank: its credit
    /// is cash received, its debit cash paid.
    Cash,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Closing => "closing",
            Part::Fund => "fund",
            Part::Cash => "cash",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Part> {
        match s {
            "closing" => Some(Part::Closing),
            "fund" => Some(Part::Fund),
            "cash" => Some(Part::Cash),
            _ => None,
        }
    }
}

/// Posted debit and credit of one account in one period for one [`Part`]
/// (and fund, for closing and fund rows).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatementRow {
    pub period: Period,
    pub part: Part,
    pub account: String,
    pub fund: Option<String>,
    pub debit: Money,
    pub credit: Money,
}

/// The codes of 货币资金: cash (1001), bank (1002), other monetary funds (1009).
pub const CASH_PREFIXES: &[&str] = &["1001", "1002", "1009"];

pub fn is_cash(account: &str) -> bool {
    CASH_PREFIXES.iter().any(|p| account.starts_with(p))
}

/// What one posted voucher contributes, line by line (not yet summed).
pub fn statement_rows(v: &Voucher) -> Vec<StatementRow> {
    line_rows(v.period(), v.lines(), v.origin() == Origin::Closing)
}

/// What the lines of a voucher posted in `period` contribute; `closing` for
/// the year-end voucher.
pub fn line_rows(period: Period, lines: &[Line], closing: bool) -> Vec<StatementRow> {
    let row = |part, l: &Line, fund: Option<String>| StatementRow {
        period,
        part,
        account: l.account.clone(),
        fund,
        debit: l.debit(),
        credit: l.credit(),
    };
    if closing {
        return lines.iter().map(|l| row(Part::Closing, l, l.fund.clone())).collect();
    }
    let mut out = Vec::new();
    for l in lines {
        if l.fund.is_some() && !l.account.starts_with('1') {
            out.push(row(Part::Fund, l, l.fund.clone()));
        }
    }
    if lines.iter().any(|l| is_cash(&l.account)) {
        out.extend(lines.iter().filter(|l| !is_cash(&l.account)).map(|l| row(Part::Cash, l, None)));
    }
    out
}

/// A row's key: period, part, account, fund.
pub type RowKey = (Period, Part, String, Option<String>);

impl StatementRow {
    pub fn key(&self) -> RowKey {
        (self.period, self.part, self.account.clone(), self.fund.clone())
    }
}

/// Summed rows as a list, in key order.
pub fn rows_of(sums: &BTreeMap<RowKey, (Money, Money)>) -> Vec<StatementRow> {
    sums.iter()
        .map(|((period, part, account, fund), (debit, credit))| StatementRow {
            period: *period,
            part: *part,
            account: account.clone(),
            fund: fund.clone(),
            debit: *debit,
            credit: *credit,
        })
        .collect()
}

/// The rows of many vouchers, summed per period, part, account and fund.
pub fn sum_rows<'a>(vouchers: impl IntoIterator<Item = &'a Voucher>) -> Vec<StatementRow> {
    let mut by: BTreeMap<RowKey, (Money, Money)> = BTreeMap::new();
    for v in vouchers {
        for r in statement_rows(v) {
            let e = by.entry(r.key()).or_default();
            e.0 += r.debit;
            e.1 += r.credit;
        }
    }
    rows_of(&by)
}

// ---------------------------------------------------------------------------
// The mapping: account code prefix → line number. The longest prefix wins.

/// 资产负债表, assets: `(prefix, line)`; any other asset code: 其他流动资产 18.
pub const ASSET_LINES: &[(&str, u8)] = &[
    ("1001", 1),
    ("1002", 1),
    ("1009", 1),
    ("1101", 2),
    ("1102", 2),
    ("1111", 3),
    ("1121", 3),
    ("1122", 3),
    ("1131", 3),
    ("1141", 4),
    ("1201", 8),
    ("1202", 8),
    ("1301", 9),
    ("1401", 21),
    ("1402", 24),
    ("1421", 21),
    ("1501", 31),
    ("1502", 32),
    ("1505", 34),
    ("1506", 35),
    ("1509", 38),
    ("1601", 41),
    ("1701", 51),
    ("1901", 18),
];
pub const OTHER_ASSET_LINE: u8 = 18;

/// 资产负债表, liabilities; any other liability code: 其他流动负债 78.
pub const LIABILITY_LINES: &[(&str, u8)] = &[
    ("2101", 61),
    ("2201", 62),
    ("2202", 62),
    ("2209", 62),
    ("2203", 66),
    ("2204", 63),
    ("2206", 65),
    ("2301", 71),
    ("2401", 72),
    ("2501", 81),
    ("2502", 84),
    ("2601", 91),
];
pub const OTHER_LIABILITY_LINE: u8 = 78;

/// 资产负债表, net assets: 3102 限定性 105; any other net-asset code: 非限定性 101.
pub const NET_ASSET_LINES: &[(&str, u8)] = &[("3101", 101), ("3102", 105)];
pub const UNRESTRICTED_LINE: u8 = 101;
pub const RESTRICTED_LINE: u8 = 105;

/// 业务活动表, income; any other income code: 其他收入 9.
pub const INCOME_LINES: &[(&str, u8)] =
    &[("4101", 1), ("4201", 2), ("4301", 3), ("4501", 4), ("4401", 5), ("4601", 6), ("4901", 9)];
pub const OTHER_INCOME_LINE: u8 = 9;

/// 业务活动表, expense; any other expense code: 其他费用 28.
pub const EXPENSE_LINES: &[(&str, u8)] = &[("5101", 12), ("5201", 21), ("5301", 24), ("5401", 28)];
pub const OTHER_EXPENSE_LINE: u8 = 28;

/// 现金流量表: the counterpart's code prefix → (line of cash received, line
/// of cash paid). Income and expense not listed, and every other code: 8 / 19.
pub const CASH_FLOW_LINES: &[(&str, u8, u8)] = &[
    ("4101", 1, 19),
    ("4201", 2, 19),
    ("4301", 3, 19),
    ("4501", 4, 19),
    ("4401", 5, 19),
    ("2204", 8, 15),
    ("5101", 8, 16),
    ("1141", 8, 16),
    ("1201", 8, 16),
    ("2202", 8, 16),
    ("1101", 25, 36),
    ("1401", 25, 36),
    ("1402", 25, 36),
    ("4601", 26, 39),
    ("1501", 27, 35),
    ("1505", 27, 35),
    ("1506", 27, 35),
    ("1509", 27, 35),
    ("1601", 27, 35),
    ("2101", 45, 51),
    ("2501", 45, 51),
    ("2502", 48, 55),
    ("5301", 48, 52),
];
pub const OTHER_CASH_IN_LINE: u8 = 8;
pub const OTHER_CASH_OUT_LINE: u8 = 19;

fn longest<'a, T: Copy>(table: &'a [(&'a str, T)], code: &str) -> Option<T> {
    table.iter().filter(|(p, _)| code.starts_with(p)).max_by_key(|(p, _)| p.len()).map(|(_, l)| *l)
}

/// The kind of an account: the chart's, else told by its first digit.
pub fn kind_of(chart: &Chart, code: &str) -> AccountKind {
    if let Some(a) = chart.get(code) {
        return a.kind();
    }
    match code.chars().next() {
        Some('2') => AccountKind::Liability,
        Some('3') => AccountKind::NetAssets,
        Some('4') => AccountKind::Income,
        Some('5') => AccountKind::Expense,
        _ => AccountKind::Asset,
    }
}

/// The balance-sheet line of an asset, liability or net-asset account.
pub fn balance_sheet_line(kind: AccountKind, code: &str) -> u8 {
    match kind {
        AccountKind::Asset => longest(ASSET_LINES, code).unwrap_or(OTHER_ASSET_LINE),
        AccountKind::Liability => longest(LIABILITY_LINES, code).unwrap_or(OTHER_LIABILITY_LINE),
        _ => longest(NET_ASSET_LINES, code).unwrap_or(UNRESTRICTED_LINE),
    }
}

/// The activities line of an income or expense account.
pub fn activities_line(kind: AccountKind, code: &str) -> u8 {
    match kind {
        AccountKind::Expense => longest(EXPENSE_LINES, code).unwrap_or(OTHER_EXPENSE_LINE),
        _ => longest(INCOME_LINES, code).unwrap_or(OTHER_INCOME_LINE),
    }
}

/// The cash-flow line of a counterpart account: (received, paid).
pub fn cash_flow_lines(code: &str) -> (u8, u8) {
    CASH_FLOW_LINES
        .iter()
        .filter(|(p, _, _)| code.starts_with(p))
        .max_by_key(|(p, _, _)| p.len())
        .map(|(_, i, o)| (*i, *o))
        .unwrap_or((OTHER_CASH_IN_LINE, OTHER_CASH_OUT_LINE))
}

// ---------------------------------------------------------------------------
// The forms' layouts: (line number or 0 for a heading, label, how the value is had).

#[derive(Clone, Copy)]
enum Cell {
    /// A heading: no figures.
    Heading,
    /// Summed from the accounts mapped to it.
    Item,
    /// The sum (or difference, negative sign) of other lines.
    Total(&'static [i16]),
}

const BALANCE_SHEET: &[(u8, &str, Cell)] = &[
    (0, "资产：", Cell::Heading),
    (0, "流动资产：", Cell::Heading),
    (1, "货币资金", Cell::Item),
    (2, "短期投资", Cell::Item),
    (3, "应收款项", Cell::Item),
    (4, "预付账款", Cell::Item),
    (8, "存货", Cell::Item),
    (9, "待摊费用", Cell::Item),
    (15, "一年内到期的长期债权投资", Cell::Item),
    (18, "其他流动资产", Cell::Item),
    (20, "流动资产合计", Cell::Total(&[1, 2, 3, 4, 8, 9, 15, 18])),
    (0, "长期投资：", Cell::Heading),
    (21, "长期股权投资", Cell::Item),
    (24, "长期债权投资", Cell::Item),
    (30, "长期投资合计", Cell::Total(&[21, 24])),
    (0, "固定资产：", Cell::Heading),
    (31, "固定资产原价", Cell::Item),
    (32, "减：累计折旧", Cell::Item),
    (33, "固定资产净值", Cell::Total(&[31, -32])),
    (34, "在建工程", Cell::Item),
    (35, "文物文化资产", Cell::Item),
    (38, "固定资产清理", Cell::Item),
    (40, "固定资产合计", Cell::Total(&[33, 34, 35, 38])),
    (0, "无形资产：", Cell::Heading),
    (41, "无形资产", Cell::Item),
    (0, "受托代理资产：", Cell::Heading),
    (51, "受托代理资产", Cell::Item),
    (60, "资产总计", Cell::Total(&[20, 30, 40, 41, 51])),
    (0, "负债和净资产：", Cell::Heading),
    (0, "流动负债：", Cell::Heading),
    (61, "短期借款", Cell::Item),
    (62, "应付款项", Cell::Item),
    (63, "应付工资", Cell::Item),
    (65, "应交税金", Cell::Item),
    (66, "预收账款", Cell::Item),
    (71, "预提费用", Cell::Item),
    (72, "预计负债", Cell::Item),
    (74, "一年内到期的长期负债", Cell::Item),
    (78, "其他流动负债", Cell::Item),
    (80, "流动负债合计", Cell::Total(&[61, 62, 63, 65, 66, 71, 72, 74, 78])),
    (0, "长期负债：", Cell::Heading),
    (81, "长期借款", Cell::Item),
    (84, "长期应付款", Cell::Item),
    (88, "其他长期负债", Cell::Item),
    (90, "长期负债合计", Cell::Total(&[81, 84, 88])),
    (0, "受托代理负债：", Cell::Heading),
    (91, "受托代理负债", Cell::Item),
    (100, "负债合计", Cell::Total(&[80, 90, 91])),
    (0, "净资产：", Cell::Heading),
    (101, "非限定性净资产", Cell::Item),
    (105, "限定性净资产", Cell::Item),
    (110, "净资产合计", Cell::Total(&[101, 105])),
    (120, "负债和净资产总计", Cell::Total(&[100, 110])),
];

const ACTIVITIES: &[(u8, &str, Cell)] = &[
    (0, "一、收入", Cell::Heading),
    (1, "其中：捐赠收入", Cell::Item),
    (2, "会费收入", Cell::Item),
    (3, "提供服务收入", Cell::Item),
    (4, "商品销售收入", Cell::Item),
    (5, "政府补助收入", Cell::Item),
    (6, "投资收益", Cell::Item),
    (9, "其他收入", Cell::Item),
    (11, "收入合计", Cell::Total(&[1, 2, 3, 4, 5, 6, 9])),
    (0, "二、费用", Cell::Heading),
    (12, "（一）业务活动成本", Cell::Item),
    (21, "（二）管理费用", Cell::Item),
    (24, "（三）筹资费用", Cell::Item),
    (28, "（四）其他费用", Cell::Item),
    (35, "费用合计", Cell::Total(&[12, 21, 24, 28])),
    (40, "三、限定性净资产转为非限定性净资产", Cell::Item),
    (45, "四、净资产变动额（若为净资产减少额，以“-”号填列）", Cell::Total(&[11, -35, 40])),
];

const CASH_FLOW: &[(u8, &str, Cell)] = &[
    (0, "一、业务活动产生的现金流量：", Cell::Heading),
    (1, "接受捐赠收到的现金", Cell::Item),
    (2, "收取会费收到的现金", Cell::Item),
    (3, "提供服务收到的现金", Cell::Item),
    (4, "销售商品收到的现金", Cell::Item),
    (5, "政府补助收到的现金", Cell::Item),
    (8, "收到的其他与业务活动有关的现金", Cell::Item),
    (13, "现金流入小计", Cell::Total(&[1, 2, 3, 4, 5, 8])),
    (14, "提供捐赠或者资助支付的现金", Cell::Item),
    (15, "支付给员工以及为员工支付的现金", Cell::Item),
    (16, "购买商品、接受服务支付的现金", Cell::Item),
    (19, "支付的其他与业务活动有关的现金", Cell::Item),
    (23, "现金流出小计", Cell::Total(&[14, 15, 16, 19])),
    (24, "业务活动产生的现金流量净额", Cell::Total(&[13, -23])),
    (0, "二、投资活动产生的现金流量：", Cell::Heading),
    (25, "收回投资所收到的现金", Cell::Item),
    (26, "取得投资收益所收到的现金", Cell::Item),
    (27, "处置固定资产和无形资产所收回的现金", Cell::Item),
    (30, "收到的其他与投资活动有关的现金", Cell::Item),
    (34, "现金流入小计", Cell::Total(&[25, 26, 27, 30])),
    (35, "购建固定资产和无形资产所支付的现金", Cell::Item),
    (36, "对外投资所支付的现金", Cell::Item),
    (39, "支付的其他与投资活动有关的现金", Cell::Item),
    (43, "现金流出小计", Cell::Total(&[35, 36, 39])),
    (44, "投资活动产生的现金流量净额", Cell::Total(&[34, -43])),
    (0, "三、筹资活动产生的现金流量：", Cell::Heading),
    (45, "借款所收到的现金", Cell::Item),
    (48, "收到的其他与筹资活动有关的现金", Cell::Item),
    (50, "现金流入小计", Cell::Total(&[45, 48])),
    (51, "偿还借款所支付的现金", Cell::Item),
    (52, "偿付利息所支付的现金", Cell::Item),
    (55, "支付的其他与筹资活动有关的现金", Cell::Item),
    (58, "现金流出小计", Cell::Total(&[51, 52, 55])),
    (59, "筹资活动产生的现金流量净额", Cell::Total(&[50, -58])),
    (60, "四、汇率变动对现金的影响额", Cell::Item),
    (61, "五、现金及现金等价物净增加额", Cell::Total(&[24, 44, 59, 60])),
];

/// The lines of a form, in order: what the mapping may name.
pub fn form_lines(form: Form) -> Vec<(u8, &'static str)> {
    layout(form).iter().filter(|(n, _, _)| *n != 0).map(|(n, l, _)| (*n, *l)).collect()
}

fn layout(form: Form) -> &'static [(u8, &'static str, Cell)] {
    match form {
        Form::BalanceSheet => BALANCE_SHEET,
        Form::Activities => ACTIVITIES,
        Form::CashFlow => CASH_FLOW,
    }
}

/// One line of a statement as printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// 行次; `None` for a heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u8>,
    pub label: String,
    /// A total or subtotal line.
    pub total: bool,
    /// One figure per column; empty for a heading.
    pub values: Vec<Money>,
}

/// One of the three statements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub form: Form,
    pub title: String,
    /// 会民非01表 …
    pub code: String,
    /// 编制单位.
    pub ledger: String,
    pub period: Period,
    /// Column headers after 项目 and 行次.
    pub columns: Vec<String>,
    pub lines: Vec<StatementLine>,
    /// Ties that hold, explanations, and any tie that breaks.
    pub notes: Vec<String>,
    /// Whether every tie holds.
    pub balanced: bool,
}

impl Statement {
    /// The figures of line `number`, if the form has it.
    pub fn line(&self, number: u8) -> Option<&[Money]> {
        self.lines.iter().find(|l| l.number == Some(number)).map(|l| l.values.as_slice())
    }

    fn lay_out(
        form: Form,
        ledger: &str,
        period: Period,
        columns: &[&str],
        items: &BTreeMap<u8, Vec<Money>>,
    ) -> Statement {
        let width = columns.len();
        let mut values: BTreeMap<u8, Vec<Money>> = BTreeMap::new();
        let mut lines = Vec::new();
        for (n, label, cell) in layout(form) {
            let (v, total) = match cell {
                Cell::Heading => (Vec::new(), false),
                Cell::Item => (items.get(n).cloned().unwrap_or_else(|| vec![Money::ZERO; width]), false),
                Cell::Total(parts) => {
                    let mut sum = vec![Money::ZERO; width];
                    for p in *parts {
                        let src = values.get(&(p.unsigned_abs() as u8)).cloned().unwrap_or_default();
                        for (s, x) in sum.iter_mut().zip(src) {
                            if *p < 0 {
                                *s -= x;
                            } else {
                                *s += x;
                            }
                        }
                    }
                    (sum, true)
                }
            };
            if *n != 0 {
                values.insert(*n, v.clone());
            }
            lines.push(StatementLine { number: (*n != 0).then_some(*n), label: label.to_string(), total, values: v });
        }
        Statement {
            form,
            title: form.title().to_string(),
            code: form.code().to_string(),
            ledger: ledger.to_string(),
            period,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            lines,
            notes: Vec::new(),
            balanced: true,
        }
    }

    fn broken(&mut self, text: String) {
        self.balanced = false;
        self.notes.push(format!("勾稽不符：{text}；可能有未归入报表项目的科目或程序缺陷，请核对试算平衡表"));
    }
}

/// The three statements of one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statements {
    pub balance_sheet: Statement,
    pub activities: Statement,
    pub cash_flow: Statement,
}

/// What the statements are built from.
pub struct Source<'a> {
    pub ledger: &'a str,
    pub chart: &'a Chart,
    pub funds: &'a [Fund],
    /// Posted totals per leaf account and period (opening balances included).
    pub totals: &'a [PeriodTotalRow],
    /// Summed [`StatementRow`]s of posted vouchers.
    pub rows: &'a [StatementRow],
}

impl Source<'_> {
    fn restricted(&self, fund: Option<&str>) -> bool {
        match fund {
            None => false,
            // As the carry-forward: a fund not declared counts as restricted.
            Some(f) => self.funds.iter().find(|x| x.name == f).is_none_or(|x| x.restricted),
        }
    }

    /// Signed balances (debit-positive) per leaf account at the end of `through`.
    fn balances(&self, through: Period) -> BTreeMap<&str, Money> {
        let mut out: BTreeMap<&str, Money> = BTreeMap::new();
        for t in self.totals.iter().filter(|t| t.period <= through) {
            *out.entry(t.account.as_str()).or_default() += t.debit - t.credit;
        }
        out
    }

    /// Signed (debit-positive) restricted part of income and expense through `through`.
    fn restricted_result(&self, through: Period) -> Money {
        self.rows
            .iter()
            .filter(|r| r.period <= through && matches!(r.part, Part::Closing | Part::Fund))
            .filter(|r| matches!(kind_of(self.chart, &r.account), AccountKind::Income | AccountKind::Expense))
            .filter(|r| self.restricted(r.fund.as_deref()))
            .map(|r| r.debit - r.credit)
            .sum()
    }
}

/// The balance sheet's figures at the end of `through`: line → amount.
fn balance_sheet_items(src: &Source<'_>, through: Period) -> BTreeMap<u8, Money> {
    let mut items: BTreeMap<u8, Money> = BTreeMap::new();
    let mut result = Money::ZERO;
    for (code, balance) in src.balances(through) {
        let kind = kind_of(src.chart, code);
        match kind {
            AccountKind::Income | AccountKind::Expense => result += balance,
            AccountKind::Asset => {
                let line = balance_sheet_line(kind, code);
                // 累计折旧 prints as a positive amount to be deducted.
                *items.entry(line).or_default() += if line == 32 { -balance } else { balance };
            }
            _ => *items.entry(balance_sheet_line(kind, code)).or_default() -= balance,
        }
    }
    let restricted = src.restricted_result(through);
    *items.entry(RESTRICTED_LINE).or_default() -= restricted;
    *items.entry(UNRESTRICTED_LINE).or_default() -= result - restricted;
    items
}

/// The December before `period`'s year (at the first year the engine
/// keeps, a month before any book, so every total through it is zero).
fn december_before(period: Period) -> Period {
    Period::new(period.year(), 1).map_or(period, Period::prev)
}

/// [STM-1] 资产负债表 at the end of `period`, with 年初数 (end of the previous year).
pub fn balance_sheet(src: &Source<'_>, period: Period) -> Statement {
    let opening = balance_sheet_items(src, december_before(period));
    let closing = balance_sheet_items(src, period);
    let mut items: BTreeMap<u8, Vec<Money>> = BTreeMap::new();
    for n in opening.keys().chain(closing.keys()) {
        items
            .insert(*n, vec![opening.get(n).copied().unwrap_or_default(), closing.get(n).copied().unwrap_or_default()]);
    }
    let mut s = Statement::lay_out(Form::BalanceSheet, src.ledger, period, &["年初数", "期末数"], &items);
    let (assets, other) = (s.line(60).map(<[Money]>::to_vec), s.line(120).map(<[Money]>::to_vec));
    if let (Some(a), Some(o)) = (assets, other) {
        for (col, (x, y)) in ["年初数", "期末数"].iter().zip(a.iter().zip(&o)) {
            if x != y {
                s.broken(format!("{col}资产总计 {x} ≠ 负债和净资产总计 {y}，差额 {}", *x - *y));
            }
        }
    }
    if s.balanced {
        s.notes.push("资产总计 = 负债和净资产总计".to_string());
    }
    s
}

/// Income and expense figures of `from..=to` per activities line:
/// [非限定性, 限定性, 合计]; and what was posted to net assets directly.
fn activities_items(src: &Source<'_>, from: Period, to: Period) -> (BTreeMap<u8, [Money; 3]>, [Money; 2]) {
    let within = |p: Period| from <= p && p <= to;
    // Turnover per account, less the year-end voucher's lines.
    let mut net: BTreeMap<&str, Money> = BTreeMap::new();
    for t in src.totals.iter().filter(|t| within(t.period)) {
        *net.entry(t.account.as_str()).or_default() += t.debit - t.credit;
    }
    let mut restricted: BTreeMap<&str, Money> = BTreeMap::new();
    for r in src.rows.iter().filter(|r| within(r.period)) {
        match r.part {
            Part::Closing => *net.entry(r.account.as_str()).or_default() -= r.debit - r.credit,
            Part::Fund if src.restricted(r.fund.as_deref()) => {
                *restricted.entry(r.account.as_str()).or_default() += r.debit - r.credit
            }
            _ => {}
        }
    }
    let mut items: BTreeMap<u8, [Money; 3]> = BTreeMap::new();
    let mut released = Money::ZERO;
    // Net-asset postings other than the carry-forward: [非限定性, 限定性], credit-positive.
    let mut direct = [Money::ZERO; 2];
    for (code, n) in net {
        let kind = kind_of(src.chart, code);
        let r = restricted.get(code).copied().unwrap_or_default();
        match kind {
            AccountKind::Income => {
                let line = activities_line(kind, code);
                let e = items.entry(line).or_default();
                e[0] += -(n - r);
                e[1] += -r;
                e[2] += -n;
            }
            AccountKind::Expense => {
                let line = activities_line(kind, code);
                let e = items.entry(line).or_default();
                e[0] += n;
                e[2] += n;
                released += r;
            }
            AccountKind::NetAssets => {
                let col = if balance_sheet_line(kind, code) == RESTRICTED_LINE { 1 } else { 0 };
                direct[col] -= n;
            }
            _ => {}
        }
    }
    items.insert(40, [released, -released, Money::ZERO]);
    (items, direct)
}

/// [STM-1] 业务活动表 of `period`: 本月数 and 本年累计数, each 非限定性/限定性/合计.
pub fn activities(src: &Source<'_>, period: Period) -> Statement {
    let january = Period::new(period.year(), 1).expect("January");
    let (month, _) = activities_items(src, period, period);
    let (year, direct) = activities_items(src, january, period);
    let mut items: BTreeMap<u8, Vec<Money>> = BTreeMap::new();
    for n in month.keys().chain(year.keys()) {
        let m = month.get(n).copied().unwrap_or_default();
        let y = year.get(n).copied().unwrap_or_default();
        items.insert(*n, m.iter().chain(y.iter()).copied().collect());
    }
    let columns = [
        "本月数·非限定性",
        "本月数·限定性",
        "本月数·合计",
        "本年累计数·非限定性",
        "本年累计数·限定性",
        "本年累计数·合计",
    ];
    let mut s = Statement::lay_out(Form::Activities, src.ledger, period, &columns, &items);
    // The tie: the year's change per column against the balance sheet's.
    let opening = balance_sheet_items(src, december_before(period));
    let closing = balance_sheet_items(src, period);
    let change =
        |line: u8| closing.get(&line).copied().unwrap_or_default() - opening.get(&line).copied().unwrap_or_default();
    let result = s.line(45).map(<[Money]>::to_vec).unwrap_or_default();
    if direct.iter().any(|d| !d.is_zero()) {
        s.notes.push(format!(
            "本年直接记入净资产科目（未经收入费用）的金额：非限定性 {}，限定性 {}",
            direct[0], direct[1]
        ));
    }
    for (i, (line, name)) in [(UNRESTRICTED_LINE, "非限定性"), (RESTRICTED_LINE, "限定性")].iter().enumerate() {
        let want = change(*line);
        let got = result.get(3 + i).copied().unwrap_or_default() + direct[i];
        if want != got {
            s.broken(format!(
                "{name}净资产本年变动 {want}（资产负债表），业务活动表净资产变动额加直接记入数为 {got}，差额 {}",
                want - got
            ));
        }
    }
    if s.balanced {
        s.notes.push("本年累计净资产变动额 = 资产负债表净资产期末数 − 年初数".to_string());
    }
    s
}

/// Cash received and paid of `from..=to` per cash-flow line.
fn cash_flow_items(src: &Source<'_>, from: Period, to: Period) -> BTreeMap<u8, Money> {
    let mut items: BTreeMap<u8, Money> = BTreeMap::new();
    for r in src.rows.iter().filter(|r| r.part == Part::Cash && from <= r.period && r.period <= to) {
        let (received, paid) = cash_flow_lines(&r.account);
        *items.entry(received).or_default() += r.credit;
        *items.entry(paid).or_default() += r.debit;
    }
    items
}

fn cash_balance(src: &Source<'_>, through: Period) -> Money {
    src.balances(through).into_iter().filter(|(c, _)| is_cash(c)).map(|(_, b)| b).sum()
}

/// [STM-1] 现金流量表 of `period` (direct method): 本月数 and 本年累计数.
pub fn cash_flow(src: &Source<'_>, period: Period) -> Statement {
    let january = Period::new(period.year(), 1).expect("January");
    let month = cash_flow_items(src, period, period);
    let year = cash_flow_items(src, january, period);
    let mut items: BTreeMap<u8, Vec<Money>> = BTreeMap::new();
    for n in month.keys().chain(year.keys()) {
        items.insert(*n, vec![month.get(n).copied().unwrap_or_default(), year.get(n).copied().unwrap_or_default()]);
    }
    let mut s = Statement::lay_out(Form::CashFlow, src.ledger, period, &["本月数", "本年累计数"], &items);
    let end = cash_balance(src, period);
    let changes = [end - cash_balance(src, period.prev()), end - cash_balance(src, december_before(period))];
    let got = s.line(61).map(<[Money]>::to_vec).unwrap_or_default();
    for (i, col) in ["本月数", "本年累计数"].iter().enumerate() {
        let g = got.get(i).copied().unwrap_or_default();
        if g != changes[i] {
            s.broken(format!("{col}现金净增加额 {g} ≠ 货币资金变动 {}，差额 {}", changes[i], g - changes[i]));
        }
    }
    if s.balanced {
        s.notes
            .push("现金及现金等价物净增加额 = 货币资金期末数 − 期初数（库存现金与银行存款之间的划转不计）".to_string());
    }
    s
}

/// [STM-1] the three statements of `period`.
pub fn statements(src: &Source<'_>, period: Period) -> Statements {
    Statements {
        balance_sheet: balance_sheet(src, period),
        activities: activities(src, period),
        cash_flow: cash_flow(src, period),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::account::Account;
    use crate::books::{prepare_voucher, Books, Event};
    use crate::memory::MemoryBooks;
    use crate::test_support::{draft, post};
    use crate::voucher::{Draft, Side, Status, VoucherRef};

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn yuan(fen: i64) -> Money {
        Money::from_fen(fen)
    }

    /// The totals and rows the statements read, from the books' posted vouchers.
    fn inputs(b: &MemoryBooks) -> (Vec<PeriodTotalRow>, Vec<StatementRow>) {
        let totals = b
            .period_totals
            .iter()
            .map(|((account, period), (debit, credit))| PeriodTotalRow {
                account: account.clone(),
                period: *period,
                debit: *debit,
                credit: *credit,
            })
            .collect();
        (totals, rows_of(&b.statement_totals))
    }

    fn build(b: &MemoryBooks, period: Period) -> Statements {
        let (totals, rows) = inputs(b);
        let src = Source { ledger: "测试", chart: &b.chart, funds: &b.funds, totals: &totals, rows: &rows };
        statements(&src, period)
    }

    /// Prepares and posts `debit`/`credit` for `fen`, all lines tagged `fund`.
    fn entry(b: &mut MemoryBooks, date: time::Date, debit: &str, credit: &str, fen: i64, fund: Option<&str>) {
        let mut d = draft(date, fen);
        d.lines[0].account = debit.into();
        d.lines[1].account = credit.into();
        for l in &mut d.lines {
            l.fund = fund.map(str::to_string);
        }
        let r = prepare_voucher(b, d, Origin::Entered, "赵敏").unwrap();
        post(b, r).unwrap();
    }

    /// 2025: a 低保 grant of 1,000 by bank (restricted) and a donation of
    /// 500; 300 of the grant paid out; a fixed asset of 200 bought and
    /// depreciated by 10; 50 of office costs owed; 20 drawn from the bank
    /// into the cash box.
    fn year() -> MemoryBooks {
        let mut b = MemoryBooks::fixture();
        entry(&mut b, date!(2025 - 01 - 10), "1002", "4401", 100_000, Some("低保"));
        entry(&mut b, date!(2025 - 01 - 12), "1002", "4101", 50_000, None);
        entry(&mut b, date!(2025 - 02 - 10), "5101", "1002", 30_000, Some("低保"));
        entry(&mut b, date!(2025 - 02 - 11), "1501", "1002", 20_000, None);
        entry(&mut b, date!(2025 - 03 - 31), "5201", "1502", 1_000, None);
        entry(&mut b, date!(2025 - 03 - 31), "5201", "2202", 5_000, None);
        entry(&mut b, date!(2025 - 03 - 31), "1001", "1002", 2_000, None);
        b
    }

    fn check_ties(s: &Statements) {
        for st in [&s.balance_sheet, &s.activities, &s.cash_flow] {
            assert!(st.balanced, "{}: {:?}", st.title, st.notes);
        }
    }

    /// [STM-1] the first and last months the engine keeps make statements
    /// (empty ones), never a panic: the year before the first is nothing.
    #[test]
    fn stm_1_the_first_and_last_months_kept_make_statements() {
        let b = year();
        for period in [Period::new(1900, 1), Period::new(1900, 12), Period::new(2199, 12)].into_iter().flatten() {
            let s = build(&b, period);
            check_ties(&s);
            let assets = s.balance_sheet.line(60).map(<[Money]>::to_vec).unwrap_or_default();
            assert_eq!(assets.iter().all(|m| m.is_zero()), period.year() == 1900, "{period}: {assets:?}");
        }
    }

    #[test]
    fn stm_1_lines_follow_the_forms_order_and_numbers() {
        let numbers = |f| form_lines(f).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            numbers(Form::BalanceSheet),
            vec![
                1, 2, 3, 4, 8, 9, 15, 18, 20, 21, 24, 30, 31, 32, 33, 34, 35, 38, 40, 41, 51, 60, 61, 62, 63, 65, 66,
                71, 72, 74, 78, 80, 81, 84, 88, 90, 91, 100, 101, 105, 110, 120
            ]
        );
        assert_eq!(numbers(Form::Activities), vec![1, 2, 3, 4, 5, 6, 9, 11, 12, 21, 24, 28, 35, 40, 45]);
        let cash = numbers(Form::CashFlow);
        assert_eq!(cash[..13], [1, 2, 3, 4, 5, 8, 13, 14, 15, 16, 19, 23, 24]);
        assert_eq!(*cash.last().unwrap(), 61);
        let labels: Vec<_> = form_lines(Form::BalanceSheet).into_iter().map(|(_, l)| l).collect();
        assert_eq!((labels[0], labels[21], labels[41]), ("货币资金", "资产总计", "负债和净资产总计"));
        // Every line the mapping names is on its form.
        for (_, n) in ASSET_LINES.iter().chain(LIABILITY_LINES).chain(NET_ASSET_LINES) {
            assert!(numbers(Form::BalanceSheet).contains(n), "{n}");
        }
        for (_, n) in INCOME_LINES.iter().chain(EXPENSE_LINES) {
            assert!(numbers(Form::Activities).contains(n), "{n}");
        }
        for (_, i, o) in CASH_FLOW_LINES {
            assert!(cash.contains(i) && cash.contains(o), "{i} {o}");
        }
        // A line with no account still prints, with 0.
        let s = build(&year(), p("2025-03"));
        assert_eq!(s.balance_sheet.line(15), Some(&[Money::ZERO, Money::ZERO][..]));
    }

    #[test]
    fn stm_1_statements_tie_out_with_income_expense_fund_fixed_asset_and_payables() {
        let b = year();
        let posted = sum_rows(b.vouchers.values().filter(|(_, s)| *s == Status::Posted).map(|(v, _)| v));
        assert_eq!(rows_of(&b.statement_totals), posted, "the projection holds what the vouchers give");
        assert!(posted.iter().all(|r| r.account != "1001" || r.part != Part::Cash), "a transfer is no flow");
        let s = build(&b, p("2025-03"));
        check_ties(&s);
        let bs = &s.balance_sheet;
        // Bank 1,500 − 300 − 200 − 20 = 980, cash 20; the fixture's cash box starts empty here.
        assert_eq!(bs.line(1), Some(&[Money::ZERO, yuan(100_000)][..]));
        assert_eq!(bs.line(31).unwrap()[1], yuan(20_000));
        assert_eq!(bs.line(32).unwrap()[1], yuan(1_000), "累计折旧 printed as a deduction");
        assert_eq!(bs.line(33).unwrap()[1], yuan(19_000));
        assert_eq!(bs.line(62).unwrap()[1], yuan(5_000), "应付账款 under 应付款项");
        assert_eq!(bs.line(105).unwrap()[1], yuan(70_000), "the grant less what it paid");
        assert_eq!(bs.line(101).unwrap()[1], yuan(50_000 - 6_000));
        assert_eq!(bs.line(60).unwrap()[1], yuan(119_000));
        assert_eq!(bs.line(60), bs.line(120));
        let a = &s.activities;
        // Year to date: [非限定性, 限定性, 合计] after the month's three.
        assert_eq!(a.line(5).unwrap()[3..], [Money::ZERO, yuan(100_000), yuan(100_000)]);
        assert_eq!(a.line(1).unwrap()[3..], [yuan(50_000), Money::ZERO, yuan(50_000)]);
        assert_eq!(a.line(12).unwrap()[3..], [yuan(30_000), Money::ZERO, yuan(30_000)]);
        assert_eq!(a.line(21).unwrap()[..3], [yuan(6_000), Money::ZERO, yuan(6_000)], "March alone");
        assert_eq!(
            a.line(40).unwrap()[3..],
            [yuan(30_000), yuan(-30_000), Money::ZERO],
            "the grant's spending released"
        );
        assert_eq!(a.line(45).unwrap()[3..], [yuan(44_000), yuan(70_000), yuan(114_000)]);
        let c = &s.cash_flow;
        assert_eq!(c.line(5).unwrap()[1], yuan(100_000));
        assert_eq!(c.line(1).unwrap()[1], yuan(50_000));
        assert_eq!(c.line(16).unwrap()[1], yuan(30_000), "业务活动成本 paid");
        assert_eq!(c.line(35).unwrap()[1], yuan(20_000), "the fixed asset bought");
        assert_eq!(c.line(61).unwrap(), &[Money::ZERO, yuan(100_000)], "March only moved cash into the cash box");
    }

    #[test]
    fn stm_1_december_keeps_the_year_end_voucher_out_of_the_activities() {
        let mut b = year();
        b.info.start = p("2025-01");
        entry(&mut b, date!(2025 - 12 - 05), "5201", "1001", 1_000, None);
        let before = build(&b, p("2025-12"));
        let voucher = crate::closing::carry_forward(&mut b, p("2025-12"), "赵敏").unwrap().unwrap();
        assert_eq!(voucher.origin(), Origin::Closing);
        b.append(Event::ClosingVoucher { voucher }).unwrap();
        let after = build(&b, p("2025-12"));
        check_ties(&after);
        assert_eq!(before.activities.lines, after.activities.lines, "the carry-forward is no activity");
        assert_eq!(after.activities.line(21).unwrap()[..3], [yuan(1_000), Money::ZERO, yuan(1_000)]);
        assert_eq!(after.balance_sheet.line(105).unwrap()[1], yuan(70_000), "carried to 3102");
        assert_eq!(before.balance_sheet.line(110), after.balance_sheet.line(110));
        // The next year opens with it as 年初数, and nothing happened yet.
        let next = build(&b, p("2026-01"));
        check_ties(&next);
        assert_eq!(next.balance_sheet.line(110).unwrap()[0], after.balance_sheet.line(110).unwrap()[1]);
        assert_eq!(next.activities.line(45).unwrap(), &[Money::ZERO; 6]);
    }

    #[test]
    fn stm_1_a_user_added_account_lands_on_its_parents_line_or_the_other_line_of_its_kind() {
        let mut b = year();
        let mut accounts: Vec<Account> = b.chart.iter().cloned().collect();
        for (code, name, kind) in [
            ("220201", "某供应商", AccountKind::Liability),
            ("1999", "自设资产", AccountKind::Asset),
            ("5601", "自设费用", AccountKind::Expense),
        ] {
            accounts.push(Account::stored(code.into(), name.into(), kind, None, None));
        }
        b.chart = Chart::from_accounts(accounts);
        entry(&mut b, date!(2025 - 03 - 20), "5201", "220201", 700, None);
        entry(&mut b, date!(2025 - 03 - 21), "1999", "1002", 300, None);
        entry(&mut b, date!(2025 - 03 - 22), "5601", "1002", 200, None);
        let s = build(&b, p("2025-03"));
        check_ties(&s);
        assert_eq!(s.balance_sheet.line(62).unwrap()[1], yuan(5_700), "with its parent 2202");
        assert_eq!(s.balance_sheet.line(18).unwrap()[1], yuan(300), "其他流动资产");
        assert_eq!(s.activities.line(28).unwrap()[2], yuan(200), "其他费用");
        assert_eq!(s.cash_flow.line(19).unwrap()[0], yuan(200 + 300), "paid for other activities");
        assert_eq!(balance_sheet_line(AccountKind::Asset, "100201"), 1);
        assert_eq!(activities_line(AccountKind::Income, "490101"), 9);
    }

    #[test]
    fn stm_1_a_broken_tie_is_a_note_on_the_statement() {
        let b = year();
        let (mut totals, rows) = inputs(&b);
        // A total the vouchers do not explain: the sheet says so.
        totals.push(PeriodTotalRow {
            account: "1002".into(),
            period: p("2025-03"),
            debit: yuan(1),
            credit: Money::ZERO,
        });
        let src = Source { ledger: "测试", chart: &b.chart, funds: &b.funds, totals: &totals, rows: &rows };
        let s = statements(&src, p("2025-03"));
        assert!(!s.balance_sheet.balanced && s.balance_sheet.notes.iter().any(|n| n.starts_with("勾稽不符")));
        assert!(!s.cash_flow.balanced);
    }

    fn voucher(period: Period, number: u32, lines: Vec<Line>, origin: Origin) -> Voucher {
        let draft = Draft {
            date: period.first_day(),
            lines,
            documents: vec![],
            authorization: None,
            reverses: None,
            source_ref: None,
        };
        Voucher::accepted(VoucherRef { period, number }, draft, origin, "赵敏")
    }

    /// Records a posted voucher as the projection would.
    fn book(b: &mut MemoryBooks, v: Voucher) {
        for r in statement_rows(&v) {
            let e = b.statement_totals.entry(r.key()).or_default();
            e.0 += r.debit;
            e.1 += r.credit;
        }
        for l in v.lines() {
            let e = b.period_totals.entry((l.account.clone(), v.period())).or_default();
            e.0 += l.debit();
            e.1 += l.credit();
        }
        b.vouchers.insert(v.reference(), (v, Status::Posted));
    }

    const ACCOUNTS: &[&str] = &[
        "1001", "1002", "1122", "1501", "1502", "2202", "2209", "3101", "3102", "4101", "4401", "490101", "5101",
        "520101", "5401",
    ];

    proptest::proptest! {
        #[test]
        fn stm_1_random_balanced_vouchers_tie_out(
            entries in proptest::collection::vec(
                (0usize..24, 0usize..ACCOUNTS.len(), 0usize..ACCOUNTS.len(), 1i64..1_000_000, 0usize..3),
                1..40,
            ),
        ) {
            let mut b = MemoryBooks::fixture();
            b.funds.push(Fund { name: "自筹".into(), restricted: false });
            let funds = [None, Some("低保"), Some("自筹")];
            for (month, d, c, fen, f) in entries.iter() {
                let period = Period::new(2025 + (*month as i32) / 12, 1 + (*month % 12) as u8).unwrap();
                let line = |account: &str, side| Line {
                    summary: "x".into(),
                    account: account.into(),
                    side,
                    amount: Money::from_fen(*fen),
                    fund: funds[*f].map(str::to_string),
                    counterparty: None,
                };
                let lines = vec![line(ACCOUNTS[*d], Side::Debit), line(ACCOUNTS[*c], Side::Credit)];
                let number = b.vouchers.keys().filter(|r| r.period == period).count() as u32 + 1;
                book(&mut b, voucher(period, number, lines, Origin::Entered));
            }
            if let Some(v) = crate::closing::carry_forward(&mut b, p("2025-12"), "赵敏").unwrap() {
                book(&mut b, v);
            }
            for m in ["2025-01", "2025-06", "2025-12", "2026-01", "2026-12"] {
                let s = build(&b, p(m));
                for st in [&s.balance_sheet, &s.activities, &s.cash_flow] {
                    proptest::prop_assert!(st.balanced, "{} {}: {:?}", m, st.title, st.notes);
                }
                let a = s.activities.line(45).unwrap();
                let bs = s.balance_sheet.line(110).unwrap();
                let direct = s.activities.notes.iter().any(|n| n.starts_with("本年直接记入"));
                if !direct {
                    proptest::prop_assert_eq!(a[5], bs[1] - bs[0]);
                }
            }
        }
    }
}
