//! The chart of accounts (会计科目表).
//!
//! Codes are hierarchical: a sub-account extends its parent's code by two
//! digits (`5201` → `520101`). Only leaves take postings. Accounts are added
//! and closed, never deleted.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::books::Books;
use crate::event::Event;
use crate::money::Money;
use crate::period::opt_date_serde;
use crate::rule::{Failure, Refusal, Refusals, Rule};

mod mnemonic;
pub use mnemonic::{matches, mnemonic};

/// The five element kinds of 民间非营利组织会计制度.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Asset,
    Liability,
    NetAssets,
    Income,
    Expense,
}

impl AccountKind {
    pub fn chinese(self) -> &'static str {
        match self {
            AccountKind::Asset => "资产",
            AccountKind::Liability => "负债",
            AccountKind::NetAssets => "净资产",
            AccountKind::Income => "收入",
            AccountKind::Expense => "费用",
        }
    }

    /// Assets and expenses normally carry debit balances.
    pub fn debit_normal(self) -> bool {
        matches!(self, AccountKind::Asset | AccountKind::Expense)
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.chinese())
    }
}

/// One account of the chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    code: String,
    name: String,
    kind: AccountKind,
    /// First day the account takes postings; `None`: since the ledger began.
    #[serde(default, with = "opt_date_serde", skip_serializing_if = "Option::is_none")]
    opened: Option<Date>,
    /// First day the account no longer takes postings.
    #[serde(default, with = "opt_date_serde", skip_serializing_if = "Option::is_none")]
    closed: Option<Date>,
}

/// Codes are 4 digits for a top-level account plus 2 per level, at most 10.
pub const MAX_CODE_LEN: usize = 10;
/// Account names are short labels, not descriptions.
pub const MAX_NAME_CHARS: usize = 40;

impl Account {
    /// An account as a backend stored it, after the rules let it in (ACC-1).
    pub fn stored(
        code: String,
        name: String,
        kind: AccountKind,
        opened: Option<Date>,
        closed: Option<Date>,
    ) -> Account {
        Account { code, name, kind, opened, closed }
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> AccountKind {
        self.kind
    }

    pub fn opened(&self) -> Option<Date> {
        self.opened
    }

    pub fn closed(&self) -> Option<Date> {
        self.closed
    }

    pub fn is_open_on(&self, date: Date) -> bool {
        self.opened.is_none_or(|o| o <= date) && self.closed.is_none_or(|c| date < c)
    }

    /// The parent's code, or `None` for a top-level account.
    pub fn parent_code(&self) -> Option<&str> {
        parent_of(&self.code)
    }

    pub fn level(&self) -> usize {
        1 + (self.code.len() - 4) / 2
    }

    fn with_closed(&self, date: Date) -> Account {
        Account { closed: Some(date), ..self.clone() }
    }
}

pub fn parent_of(code: &str) -> Option<&str> {
    (code.len() > 4).then(|| &code[..code.len() - 2])
}

/// The chart: every account by code, in code order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chart {
    accounts: BTreeMap<String, Account>,
}

const DEFAULT_CHART: &[(&str, &str, AccountKind)] = &[
    ("1001", "库存现金", AccountKind::Asset),
    ("1002", "银行存款", AccountKind::Asset),
    ("1122", "其他应收款", AccountKind::Asset),
    ("1141", "预付账款", AccountKind::Asset),
    ("1201", "存货", AccountKind::Asset),
    ("1501", "固定资产", AccountKind::Asset),
    ("1502", "累计折旧", AccountKind::Asset),
    ("1701", "受托代理资产", AccountKind::Asset),
    ("1901", "待处理财产损溢", AccountKind::Asset),
    ("2202", "应付账款", AccountKind::Liability),
    ("2204", "应付工资", AccountKind::Liability),
    ("2209", "其他应付款", AccountKind::Liability),
    ("2601", "受托代理负债", AccountKind::Liability),
    ("3101", "非限定性净资产", AccountKind::NetAssets),
    ("3102", "限定性净资产", AccountKind::NetAssets),
    ("4101", "捐赠收入", AccountKind::Income),
    ("4401", "政府补助收入", AccountKind::Income),
    ("4901", "其他收入", AccountKind::Income),
    ("5101", "业务活动成本", AccountKind::Expense),
    ("5201", "管理费用", AccountKind::Expense),
    ("5401", "其他费用", AccountKind::Expense),
];

/// A request to add an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub code: String,
    pub name: String,
    /// Required for a top-level account; a sub-account takes its parent's.
    #[serde(default)]
    pub kind: Option<AccountKind>,
    #[serde(default, with = "opt_date_serde")]
    pub opened: Option<Date>,
}

impl Chart {
    /// The default chart of 民间非营利组织会计制度 with Chinese names.
    pub fn default_chart() -> Vec<Account> {
        DEFAULT_CHART
            .iter()
            .map(|(code, name, kind)| Account {
                code: code.to_string(),
                name: name.to_string(),
                kind: *kind,
                opened: None,
                closed: None,
            })
            .collect()
    }

    pub fn from_accounts(accounts: impl IntoIterator<Item = Account>) -> Chart {
        Chart { accounts: accounts.into_iter().map(|a| (a.code.clone(), a)).collect() }
    }

    pub fn get(&self, code: &str) -> Option<&Account> {
        self.accounts.get(code)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.accounts.values()
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    pub fn is_leaf(&self, code: &str) -> bool {
        self.children(code).next().is_none()
    }

    /// Direct and indirect sub-accounts of `code`.
    pub fn children<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Account> + 'a {
        self.accounts
            .range::<str, _>((std::ops::Bound::Excluded(code), std::ops::Bound::Unbounded))
            .take_while(move |(c, _)| c.starts_with(code))
            .map(|(_, a)| a)
    }

    /// `管理费用/办公费` for `520101`.
    pub fn full_name(&self, code: &str) -> String {
        let mut names = Vec::new();
        let mut current = Some(code);
        while let Some(c) = current {
            if let Some(a) = self.accounts.get(c) {
                names.push(a.name.as_str());
            }
            current = parent_of(c);
        }
        names.reverse();
        names.join("/")
    }

    /// Finds an account by code, full name (`管理费用/办公费`, also with `-`
    /// or `_` between levels) or a leaf name that is unique in the chart.
    pub fn resolve(&self, text: &str) -> Option<&Account> {
        let t = text.trim();
        if let Some(a) = self.accounts.get(t) {
            return Some(a);
        }
        let normalized: String = t.chars().map(|c| if c == '-' || c == '_' || c == '\\' { '/' } else { c }).collect();
        let mut by_name = None;
        for a in self.accounts.values() {
            if self.full_name(&a.code) == normalized {
                return Some(a);
            }
            if a.name == t {
                if by_name.is_some() {
                    return None;
                }
                by_name = Some(a);
            }
        }
        by_name
    }

    /// [ACC-1] checks a new account against the chart and returns it.
    pub fn check_new(&self, new: &NewAccount) -> Result<Account, Refusal> {
        let code = new.code.trim();
        let name = new.name.trim();
        let fail = |msg: String| Err(Refusal::new(Rule::Acc1, msg));
        if code.len() < 4
            || code.len() > MAX_CODE_LEN
            || !code.len().is_multiple_of(2)
            || !code.bytes().all(|b| b.is_ascii_digit())
        {
            return fail(format!(
                "科目编码“{code}”无效：一级科目为 4 位数字，每下一级加 2 位（如 520101），最长 {MAX_CODE_LEN} 位"
            ));
        }
        crate::text::check_text("科目名称", name, MAX_NAME_CHARS)?;
        if name.is_empty() || name.contains('/') {
            return fail(format!("科目名称“{name}”无效：不能为空、不能含“/”，且不超过 {MAX_NAME_CHARS} 个字"));
        }
        if let Some(existing) = self.accounts.get(code) {
            return fail(format!("科目 {code} 已存在（{}），科目一经设立不能重复设立", existing.name));
        }
        let kind = match parent_of(code) {
            Some(parent_code) => {
                let Some(parent) = self.accounts.get(parent_code) else {
                    return fail(format!("上级科目 {parent_code} 不存在，请先设立上级科目"));
                };
                if let Some(k) = new.kind {
                    if k != parent.kind {
                        return fail(format!(
                            "下级科目 {code} 的类别须与上级 {parent_code} {} 相同（{}）",
                            parent.name, parent.kind
                        ));
                    }
                }
                parent.kind
            }
            None => match new.kind {
                Some(k) => k,
                None => return fail(format!("一级科目 {code} 须指明类别（资产、负债、净资产、收入、费用）")),
            },
        };
        let parent = parent_of(code);
        if let Some(twin) = self.accounts.values().find(|a| a.name == name && parent_of(&a.code) == parent) {
            return fail(format!("同一级已有名为“{name}”的科目 {}，科目全称须唯一", twin.code));
        }
        Ok(Account { code: code.to_string(), name: name.to_string(), kind, opened: new.opened, closed: None })
    }

    /// [ACC-2] checks closing `code` from `date`: it exists, is open, has no
    /// open sub-account and carries no balance. `balance` is its balance.
    pub fn check_close(&self, code: &str, date: Date, balance: crate::Money) -> Result<Account, Refusal> {
        let fail = |msg: String| Err(Refusal::new(Rule::Acc2, msg));
        let Some(account) = self.accounts.get(code) else {
            return fail(format!("科目 {code} 不存在"));
        };
        if account.closed.is_some() {
            return fail(format!("科目 {code} {} 已经停用", account.name));
        }
        if let Some(child) = self.children(code).find(|c| c.closed.is_none()) {
            return fail(format!("科目 {code} 下还有未停用的下级科目 {} {}，请先停用下级科目", child.code, child.name));
        }
        if !balance.is_zero() {
            return fail(format!("科目 {code} {} 尚有余额 {}，余额为零才能停用", account.name, balance));
        }
        Ok(account.with_closed(date))
    }

    /// [ACC-1] checks renaming `code`: it exists, and the new name is valid
    /// and unique among its siblings. Codes never change; every voucher
    /// keeps pointing at the same account.
    pub fn check_rename(&self, code: &str, name: &str) -> Result<String, Refusal> {
        let name = name.trim();
        let fail = |msg: String| Err(Refusal::new(Rule::Acc1, msg));
        let Some(account) = self.accounts.get(code) else {
            return fail(format!("科目 {code} 不存在"));
        };
        crate::text::check_text("科目名称", name, MAX_NAME_CHARS)?;
        if name.is_empty() || name.contains('/') {
            return fail(format!("科目名称“{name}”无效：不能为空、不能含“/”，且不超过 {MAX_NAME_CHARS} 个字"));
        }
        if account.name == name {
            return fail(format!("科目 {code} 已经叫“{name}”"));
        }
        let parent = parent_of(code);
        if let Some(twin) = self.accounts.values().find(|a| a.name == name && parent_of(&a.code) == parent) {
            return fail(format!("同一级已有名为“{name}”的科目 {}，科目全称须唯一", twin.code));
        }
        Ok(name.to_string())
    }

    /// Records a new name (the checks are in [`Chart::check_rename`]).
    pub fn rename(&mut self, code: &str, name: &str) {
        if let Some(a) = self.accounts.get_mut(code) {
            a.name = name.to_string();
        }
    }

    /// Records that `code` is closed from `date` (the checks are in [`Chart::check_close`]).
    pub fn close(&mut self, code: &str, date: Date) {
        if let Some(a) = self.accounts.get_mut(code) {
            a.closed = Some(date);
        }
    }

    pub fn insert(&mut self, account: Account) {
        self.accounts.insert(account.code.clone(), account);
    }

    /// Follows the projection: the account changes change the chart,
    /// others do not.
    pub fn apply(&mut self, change: &crate::projection::Change<'_>) {
        use crate::projection::Change;
        match change {
            Change::AccountAdded(account) => self.insert((*account).clone()),
            Change::AccountRenamed { code, name } => self.rename(code, name),
            Change::AccountClosed { code, date } => self.close(code, *date),
            _ => {}
        }
    }
}

/// [ACC-1] adds an account.
/// Whether a row is a chart file's header: it names the code column.
pub fn is_chart_header(cells: &[String]) -> bool {
    cells.iter().any(|c| chart_column(c) == Some(0))
}

/// 0 for the code column, 1 for the name, 2 for the kind.
fn chart_column(header: &str) -> Option<usize> {
    let h = header.trim().trim_start_matches('\u{feff}').trim();
    match h.to_ascii_lowercase().as_str() {
        "科目编码" | "科目代码" | "编码" | "代码" | "科目编号" | "code" | "account" => Some(0),
        "科目名称" | "名称" | "name" => Some(1),
        "类别" | "科目类别" | "类型" | "kind" => Some(2),
        _ => None,
    }
}

/// [ACC-1, CSV-1, CSV-2] the accounts of a chart file's records (the
/// header first: 科目编码, 科目名称, optionally 类别), in code order so a
/// parent comes before its sub-accounts, each with its row number. A
/// missing column or an unknown kind is refused with its row; blank rows
/// are skipped.
pub fn chart_rows(records: &[Vec<String>]) -> Result<Vec<(usize, NewAccount)>, Refusals> {
    let mut errors = Refusals { reasons: Vec::new(), unlisted: 0 };
    let Some(header) = records.first() else {
        errors.push(Refusal::new(Rule::Csv1, "文件是空的，没有表头"));
        return Err(errors);
    };
    let col = |n: usize| header.iter().position(|h| chart_column(h) == Some(n));
    let (Some(code_col), Some(name_col)) = (col(0), col(1)) else {
        errors.push(Refusal::new(Rule::Csv1, "缺少必需的列：科目编码、科目名称").at_row(1));
        return Err(errors);
    };
    let kind_col = col(2);
    let mut rows = Vec::new();
    for (i, record) in records.iter().enumerate().skip(1) {
        let cell = |c: usize| record.get(c).map(|s| s.trim()).unwrap_or("");
        let (code, name) = (cell(code_col), cell(name_col));
        if code.is_empty() && name.is_empty() {
            continue;
        }
        let kind = match kind_col.map(cell).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => match <AccountKind as crate::names::Named>::from_name(k) {
                Some(kind) => Some(kind),
                None => {
                    errors.push(
                        Refusal::new(Rule::Csv2, format!("科目类别“{k}”不认识：写 资产、负债、净资产、收入 或 费用"))
                            .at_row(i + 1),
                    );
                    continue;
                }
            },
        };
        rows.push((i + 1, NewAccount { code: code.to_string(), name: name.to_string(), kind, opened: None }));
    }
    if !errors.reasons.is_empty() {
        return Err(errors);
    }
    rows.sort_by(|a, b| a.1.code.cmp(&b.1.code));
    Ok(rows)
}

/// [ACC-1] adds every account of a chart file, all or none: each refusal
/// is listed with its row.
pub fn add_accounts(books: &mut impl Books, rows: &[(usize, NewAccount)]) -> Result<Vec<Account>, Failure> {
    let mut added = Vec::new();
    let mut errors = Refusals { reasons: Vec::new(), unlisted: 0 };
    for (row, new) in rows {
        match add_account(books, new) {
            Ok(a) => added.push(a),
            Err(Failure::Refused(r)) => {
                for reason in r.reasons {
                    errors.push(reason.at_row(*row));
                }
            }
            Err(e) => return Err(e),
        }
    }
    if errors.reasons.is_empty() {
        Ok(added)
    } else {
        Err(Failure::Refused(errors))
    }
}

pub fn add_account(books: &mut impl Books, new: &NewAccount) -> Result<Account, Failure> {
    let account = books.chart().check_new(new)?;
    books.append(Event::AccountAdded { account: account.clone() })?;
    Ok(account)
}

/// [ACC-1] renames an account; its code stays.
pub fn rename_account(books: &mut impl Books, code: &str, name: &str) -> Result<(), Failure> {
    let name = books.chart().check_rename(code, name)?;
    books.append(Event::AccountRenamed { code: code.to_string(), name })?;
    Ok(())
}

/// [ACC-2] closes an account from `date`.
pub fn close_account(books: &mut impl Books, code: &str, date: Date) -> Result<(), Failure> {
    let balance = if books.chart().get(code).is_some() { books.balance(code)? } else { Money::ZERO };
    books.chart().check_close(code, date, balance)?;
    books.append(Event::AccountClosed { code: code.to_string(), date })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn chart() -> Chart {
        Chart::from_accounts(Chart::default_chart())
    }

    fn new(code: &str, name: &str) -> NewAccount {
        NewAccount { code: code.into(), name: name.into(), kind: None, opened: None }
    }

    #[test]
    fn default_chart_has_the_domain_accounts() {
        let c = chart();
        assert_eq!(c.len(), 21);
        assert_eq!(c.get("1001").unwrap().name(), "库存现金");
        assert_eq!(c.get("2601").unwrap().kind(), AccountKind::Liability);
        assert_eq!(c.get("5201").unwrap().kind(), AccountKind::Expense);
        assert!(c.iter().all(|a| c.is_leaf(a.code())));
    }

    #[test]
    fn acc_1_sub_accounts_extend_the_parent_code() {
        let mut c = chart();
        let office = c.check_new(&new("520101", "办公费")).unwrap();
        assert_eq!(office.kind(), AccountKind::Expense);
        c.insert(office);
        assert!(!c.is_leaf("5201"));
        assert_eq!(c.full_name("520101"), "管理费用/办公费");
        assert_eq!(c.resolve("管理费用/办公费").unwrap().code(), "520101");
        assert_eq!(c.resolve("管理费用-办公费").unwrap().code(), "520101");
        assert_eq!(c.resolve("办公费").unwrap().code(), "520101");
        for (code, name) in
            [("52010", "x"), ("5299", ""), ("529901", "x"), ("520101", "办公"), ("ab01", "x"), ("520102", "办公费")]
        {
            let r = c.check_new(&new(code, name));
            assert!(r.is_err(), "{code} {name}");
            assert_eq!(r.unwrap_err().rule, Rule::Acc1);
        }
        let top = NewAccount { code: "1601".into(), name: "在建工程".into(), kind: None, opened: None };
        assert!(c.check_new(&top).is_err(), "a top-level account needs a kind");
    }

    #[test]
    fn acc_2_close_needs_zero_balance_and_closed_children() {
        let mut c = chart();
        c.insert(c.check_new(&new("520101", "办公费")).unwrap());
        let d = date!(2025 - 03 - 01);
        assert_eq!(c.check_close("5201", d, crate::Money::ZERO).unwrap_err().rule, Rule::Acc2);
        assert_eq!(c.check_close("520101", d, crate::Money::from_fen(1)).unwrap_err().rule, Rule::Acc2);
        let closed = c.check_close("520101", d, crate::Money::ZERO).unwrap();
        assert!(closed.is_open_on(date!(2025 - 02 - 28)));
        assert!(!closed.is_open_on(d));
    }

    #[test]
    fn acc_1_an_account_is_renamed_but_keeps_its_code() {
        let mut c = Chart::from_accounts(Chart::default_chart());
        c.insert(c.check_new(&new("520101", "办公费")).unwrap());
        c.insert(c.check_new(&new("520102", "水电费")).unwrap());
        assert_eq!(c.check_rename("520101", " 办公用品费 ").unwrap(), "办公用品费");
        assert_eq!(c.check_rename("520101", "水电费").unwrap_err().rule, Rule::Acc1, "siblings stay unique");
        assert_eq!(c.check_rename("520109", "x").unwrap_err().rule, Rule::Acc1);
        assert_eq!(c.check_rename("520101", "a/b").unwrap_err().rule, Rule::Acc1);
        assert_eq!(c.check_rename("520101", "办公费").unwrap_err().rule, Rule::Acc1, "same name");
        c.rename("520101", "办公用品费");
        assert_eq!(c.full_name("520101"), "管理费用/办公用品费");
        assert_eq!(c.resolve("管理费用/办公用品费").unwrap().code(), "520101");
    }

    #[test]
    fn acc_2_close_refuses_a_balance() {
        use crate::entry::prepare_voucher;
        use crate::memory::MemoryBooks;
        use crate::test_support::{draft, post, rule_of};
        use crate::voucher::Origin;

        let mut b = MemoryBooks::fixture();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(close_account(&mut b, "5201", date!(2025 - 02 - 01))), Rule::Acc2);
        close_account(&mut b, "5401", date!(2025 - 02 - 01)).unwrap();
        assert!(!b.chart.get("5401").unwrap().is_open_on(date!(2025 - 02 - 01)));
    }
}
