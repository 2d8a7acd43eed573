//! Opening balances (期初余额, OPN-1): a ledger that goes live without
//! migrated history enters, for its go-live month, one amount per leaf
//! account as last year's closing trial balance has it.
//!
//! They are set one by one ([`set_opening`]) or from a file
//! ([`import_openings`], the whole set at once), corrected until the first
//! month is closed, and must balance (debits = credits) before that close
//! ([`close_blocker`]). Each is logged as an [`Event::OpeningSet`]; the
//! projection counts it as the posted totals of the month before go-live,
//! so every balance, report and check from go-live on includes it as 期初.
//! Openings are per account, not per fund.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::account::{Account, Chart};
use crate::books::{Books, Event};
use crate::money::Money;
use crate::period::Period;
use crate::rule::{Failure, Refusal, Refusals, Rule};
use crate::voucher::Side;

/// One account's opening balance, debit-positive (a credit balance is
/// negative).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub account: String,
    pub amount: Money,
}

impl Opening {
    /// The side the balance stands on, and its size.
    pub fn side(&self) -> (Side, Money) {
        side_of(self.amount)
    }
}

/// The side a debit-positive amount stands on, and its size.
pub fn side_and_size(amount: Money) -> (Side, Money) {
    side_of(amount)
}

fn side_of(amount: Money) -> (Side, Money) {
    if amount.is_negative() {
        (Side::Credit, amount.abs())
    } else {
        (Side::Debit, amount)
    }
}

/// The debit and credit totals of a set of openings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OpeningTotals {
    pub debit: Money,
    pub credit: Money,
}

impl OpeningTotals {
    pub fn of(openings: &[Opening]) -> OpeningTotals {
        let mut t = OpeningTotals::default();
        for o in openings {
            match o.side() {
                (Side::Debit, m) => t.debit += m,
                (Side::Credit, m) => t.credit += m,
            }
        }
        t
    }

    pub fn balanced(&self) -> bool {
        self.debit == self.credit
    }

    /// Debits less credits.
    pub fn difference(&self) -> Money {
        self.debit - self.credit
    }

    /// `借方合计 …，贷方合计 …，相差 …（借方多）`.
    pub fn describe(&self) -> String {
        let diff = self.difference();
        let more = if diff.is_negative() { "贷方多" } else { "借方多" };
        format!(
            "借方合计 {}，贷方合计 {}，相差 {}（{more}）",
            self.debit.to_yuan(),
            self.credit.to_yuan(),
            diff.abs().to_yuan()
        )
    }
}

/// One account of the opening balances as shown (`opening show`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SheetRow {
    pub code: String,
    /// The account's full name (`银行存款/工商银行`).
    pub name: String,
    /// 借 or 贷.
    pub direction: &'static str,
    pub debit: Money,
    pub credit: Money,
}

/// The opening balances of a ledger as shown: each account, the totals,
/// and whether they balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpeningSheet {
    pub ledger: String,
    /// The go-live month the openings are for.
    pub start: Period,
    pub rows: Vec<SheetRow>,
    pub totals: OpeningTotals,
    pub balanced: bool,
    /// Debits less credits.
    pub difference: Money,
}

impl OpeningSheet {
    pub fn build(ledger: &str, start: Period, chart: &Chart, openings: &[Opening]) -> OpeningSheet {
        let rows = openings
            .iter()
            .map(|o| {
                let (side, size) = o.side();
                let (debit, credit) = match side {
                    Side::Debit => (size, Money::ZERO),
                    Side::Credit => (Money::ZERO, size),
                };
                SheetRow {
                    code: o.account.clone(),
                    name: chart.full_name(&o.account),
                    direction: side.chinese(),
                    debit,
                    credit,
                }
            })
            .collect();
        let totals = OpeningTotals::of(openings);
        OpeningSheet {
            ledger: ledger.to_string(),
            start,
            rows,
            totals,
            balanced: totals.balanced(),
            difference: totals.difference(),
        }
    }
}

/// The log's description of an [`Event::OpeningSet`].
pub fn describe_set(period: Period, account: &str, amount: Money, previous: Money) -> String {
    let show = |m: Money| {
        if m.is_zero() {
            "无".to_string()
        } else {
            let (side, size) = side_of(m);
            format!("{} {}", side.chinese(), size.to_yuan())
        }
    };
    if previous.is_zero() {
        format!("{period} 期初余额 {account}：{}", show(amount))
    } else {
        format!("{period} 期初余额 {account}：{}（原为 {}）", show(amount), show(previous))
    }
}

/// [OPN-1] openings may be entered only until the first month is closed,
/// and not in a ledger whose balances come from migrated history.
fn check_still_open(books: &mut impl Books) -> Result<(), Failure> {
    let start = books.ledger().start;
    if let Some((history, _)) = books.last_close_before(start)? {
        return Err(Refusal::new(
            Rule::Opn1,
            format!(
                "账套已导入启用前的历史凭证（至 {history}），期初余额已由历史凭证得出，不能再另录期初余额；\
                 历史数据有误，请在当前未结账期间用凭证更正"
            ),
        )
        .into());
    }
    if books.ever_closed()? {
        return Err(Refusal::new(
            Rule::Opn1,
            format!(
                "账套已经结过账，期初余额（启用期间 {start}）不能再修改，反结账后也不能；\
                 发现期初有误，请在当前未结账期间用凭证更正（如以 3101 非限定性净资产为对方科目）"
            ),
        )
        .into());
    }
    Ok(())
}

/// [OPN-1] history is not migrated into a ledger that has opening
/// balances: both would count the same money.
pub fn check_no_openings(books: &mut impl Books) -> Result<(), Failure> {
    let openings = books.openings()?;
    if !openings.is_empty() {
        return Err(Refusal::new(
            Rule::Opn1,
            format!(
                "账套已录入 {} 个科目的期初余额，启用前的余额已由期初余额给出，不能再导入历史凭证；\
                 确要改用历史凭证，请先用 opening set 科目 0 逐个删除期初余额（第一次结账以前）",
                openings.len()
            ),
        )
        .into());
    }
    Ok(())
}

/// [OPN-1] the account takes an opening balance: it exists, is a leaf and
/// is open on the go-live month's first day.
pub fn check_account<'c>(chart: &'c Chart, code: &str, start: Period) -> Result<&'c Account, Refusal> {
    let code = code.trim();
    let Some(account) = chart.get(code) else {
        return Err(Refusal::new(Rule::Opn1, format!("科目 {code} 不存在；请先用 account add 增设，或核对科目编码")));
    };
    if !chart.is_leaf(code) {
        return Err(Refusal::new(
            Rule::Opn1,
            format!(
                "科目 {code} {} 有下级科目，期初余额只填末级科目；请把余额分别填在它的下级科目上（汇总行不必填）",
                account.name()
            ),
        ));
    }
    if !account.is_open_on(start.first_day()) {
        return Err(Refusal::new(
            Rule::Opn1,
            format!("科目 {code} {} 在启用期间 {start} 第一天不在使用中，不能有期初余额", account.name()),
        ));
    }
    Ok(account)
}

/// The debit-positive amount of `amount` typed for `account`: on `side`
/// when given, else on the account's normal side (assets and expenses 借,
/// the rest 贷), a negative amount standing on the other side. A negative
/// amount with an explicit side is refused as ambiguous.
pub fn signed_amount(account: &Account, amount: Money, side: Option<Side>) -> Result<Money, Refusal> {
    match side {
        Some(_) if amount.is_negative() => {
            Err(Refusal::new(Rule::Opn1, "指定了方向（借/贷）时金额不能为负数；请写正数并用 --direction 指明余额方向"))
        }
        Some(Side::Debit) => Ok(amount),
        Some(Side::Credit) => Ok(-amount),
        None if account.kind().debit_normal() => Ok(amount),
        None => Ok(-amount),
    }
}

/// [OPN-1] sets `code`'s opening balance to `amount` (debit-positive),
/// replacing the one it had; zero removes it. Returns the one replaced.
pub fn set_opening(books: &mut impl Books, code: &str, amount: Money) -> Result<Money, Failure> {
    check_still_open(books)?;
    let start = books.ledger().start;
    let code = check_account(books.chart(), code, start)?.code().to_string();
    let previous = books.openings()?.into_iter().find(|o| o.account == code).map(|o| o.amount).unwrap_or_default();
    if previous != amount {
        books.append(Event::OpeningSet { period: start, account: code, amount, previous })?;
    }
    Ok(previous)
}

/// What an import of openings did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpeningImport {
    /// Rows read with an account on them.
    pub rows: usize,
    /// Accounts whose opening changed (set, corrected or removed).
    pub changed: usize,
    /// Accounts that had an opening and are not in the file: removed.
    pub removed: usize,
    pub totals: OpeningTotals,
}

/// One row of an openings file, read.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    row: usize,
    code: String,
    amount: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Code,
    Name,
    Debit,
    Credit,
    Balance,
    Direction,
}

/// The spellings of each column a trial balance export uses.
const HEADERS: &[(Col, &[&str])] = &[
    (Col::Code, &["科目编码", "科目代码", "编码", "代码", "科目编号", "code", "account"]),
    (Col::Name, &["科目名称", "名称", "科目", "name"]),
    (
        Col::Debit,
        &["期初借方", "期初借方余额", "借方余额", "年初借方", "年初借方余额", "期末借方", "期末借方余额", "debit"],
    ),
    (
        Col::Credit,
        &["期初贷方", "期初贷方余额", "贷方余额", "年初贷方", "年初贷方余额", "期末贷方", "期末贷方余额", "credit"],
    ),
    (Col::Balance, &["余额", "期初余额", "年初余额", "期末余额", "金额", "balance", "amount"]),
    (Col::Direction, &["方向", "余额方向", "借贷方向", "借或贷", "direction"]),
];

fn col_of(header: &str) -> Option<Col> {
    let h = header.trim().trim_matches('\u{feff}').trim();
    let lower = h.to_ascii_lowercase();
    HEADERS.iter().find(|(_, names)| names.iter().any(|n| *n == h || *n == lower)).map(|(c, _)| *c)
}

/// Whether a row is an openings file's header: it names the account-code
/// column. A workbook's title rows above it are skipped.
pub fn is_header(cells: &[String]) -> bool {
    cells.iter().any(|c| col_of(c) == Some(Col::Code))
}

/// The records (rows of cells, the header first) of an openings CSV, as
/// UTF-8 (with or without BOM) or GBK/GB18030: the one step from a file to
/// what [`import_openings`] reads. A spreadsheet reader gives the same
/// records from a sheet.
pub fn csv_records(bytes: &[u8]) -> Result<Vec<Vec<String>>, Refusal> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => std::borrow::Cow::Owned(crate::csvfile::decode_gb18030(bytes)?),
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Refusal::new(Rule::Csv2, format!("CSV 格式错误：{e}")).at_row(i + 1))?;
        out.push(record.iter().map(str::to_string).collect());
    }
    Ok(out)
}

/// [OPN-1, CSV-1, CSV-2] replaces the whole set of openings with the
/// records of a file (the header first): an account the file leaves out
/// loses its opening. All or nothing: every bad row is refused with its
/// row number (the header is row 1) and rule, and nothing changes.
pub fn import_openings(books: &mut impl Books, records: &[Vec<String>]) -> Result<OpeningImport, Failure> {
    check_still_open(books)?;
    let start = books.ledger().start;
    let rows = read_rows(books.chart(), start, records)?;
    let mut wanted: BTreeMap<String, Money> = BTreeMap::new();
    for r in &rows {
        if !r.amount.is_zero() {
            wanted.insert(r.code.clone(), r.amount);
        }
    }
    let current: BTreeMap<String, Money> = books.openings()?.into_iter().map(|o| (o.account, o.amount)).collect();
    let mut changed = 0;
    let mut removed = 0;
    for (code, previous) in &current {
        if !wanted.contains_key(code) {
            removed += 1;
            changed += 1;
            books.append(Event::OpeningSet {
                period: start,
                account: code.clone(),
                amount: Money::ZERO,
                previous: *previous,
            })?;
        }
    }
    for (code, amount) in &wanted {
        let previous = current.get(code).copied().unwrap_or_default();
        if previous != *amount {
            changed += 1;
            books.append(Event::OpeningSet { period: start, account: code.clone(), amount: *amount, previous })?;
        }
    }
    let set: Vec<Opening> = wanted.into_iter().map(|(account, amount)| Opening { account, amount }).collect();
    Ok(OpeningImport { rows: rows.len(), changed, removed, totals: OpeningTotals::of(&set) })
}

/// Reads and checks every row; every fault is listed.
fn read_rows(chart: &Chart, start: Period, records: &[Vec<String>]) -> Result<Vec<Row>, Refusals> {
    let mut errors = Refusals { reasons: Vec::new(), unlisted: 0 };
    let Some(header) = records.first() else {
        errors.push(Refusal::new(Rule::Csv1, "文件是空的，没有表头"));
        return Err(errors);
    };
    let mut map: BTreeMap<usize, Col> = BTreeMap::new();
    let mut seen: Vec<Col> = Vec::new();
    for (i, cell) in header.iter().enumerate() {
        if let Some(c) = col_of(cell) {
            if seen.contains(&c) {
                errors.push(
                    Refusal::new(
                        Rule::Csv1,
                        format!(
                            "表头“{}”与前面的列重复（期初与期末余额列只能保留一组：去年的期末即今年的期初）",
                            cell.trim()
                        ),
                    )
                    .at_row(1),
                );
            }
            seen.push(c);
            map.insert(i, c);
        }
    }
    let has = |c: Col| seen.contains(&c);
    if !has(Col::Code) {
        errors.push(Refusal::new(Rule::Csv1, "缺少“科目编码”列").at_row(1));
    }
    let pair = has(Col::Debit) || has(Col::Credit);
    let single = has(Col::Balance);
    if pair && single {
        errors.push(Refusal::new(Rule::Csv1, "同时有借方/贷方余额列和“余额”列，只能用其中一种写法").at_row(1));
    } else if pair && !(has(Col::Debit) && has(Col::Credit)) {
        errors.push(Refusal::new(Rule::Csv1, "借方余额列与贷方余额列须同时给出（如“期初借方”“期初贷方”）").at_row(1));
    } else if single && !has(Col::Direction) {
        errors.push(Refusal::new(Rule::Csv1, "有“余额”列时须有“方向”列（借/贷/平）").at_row(1));
    } else if !pair && !single {
        errors.push(
            Refusal::new(
                Rule::Csv1,
                "缺少余额列：须有“期初借方”和“期初贷方”（或“借方余额”和“贷方余额”），或“余额”和“方向”",
            )
            .at_row(1),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut first_row: BTreeMap<String, usize> = BTreeMap::new();
    let code_col = map.iter().find(|(_, c)| **c == Col::Code).map(|(j, _)| *j);
    for (i, record) in records.iter().enumerate().skip(1) {
        let row = i + 1;
        let cell = |c: Col| -> &str {
            map.iter().find(|(_, col)| **col == c).and_then(|(i, _)| record.get(*i)).map(|s| s.trim()).unwrap_or("")
        };
        let code = cell(Col::Code);
        if matches!(code, "合计" | "总计") {
            // The totals row, as `opening show --format csv` writes it.
            continue;
        }
        if !code.starts_with(|c: char| c.is_ascii_digit())
            && record.iter().enumerate().all(|(j, c)| Some(j) == code_col || c.trim().is_empty())
        {
            // A note under the table (平衡：借方合计等于贷方合计, as `opening
            // show` writes it) holds text where the code goes and nothing else.
            continue;
        }
        if code.is_empty() {
            // Blank lines and the 合计 row carry no account.
            if record.iter().all(|c| c.trim().is_empty()) || record.iter().any(|c| c.contains("合计")) {
                continue;
            }
            errors.push(Refusal::new(Rule::Opn1, "没有科目编码").at_row(row));
            continue;
        }
        let account = match check_account(chart, code, start) {
            Ok(a) => a,
            Err(e) => {
                errors.push(e.at_row(row));
                continue;
            }
        };
        let name = cell(Col::Name);
        if !name.is_empty() && name != account.name() && name != chart.full_name(code) {
            errors.push(
                Refusal::new(
                    Rule::Opn1,
                    format!("科目 {code} 在科目表中叫“{}”，文件中写的是“{name}”；请核对科目编码", account.name()),
                )
                .at_row(row),
            );
            continue;
        }
        let amount = |c: Col, what: &str| -> Result<Money, Refusal> {
            let text = cell(c);
            if text.is_empty() || text == "-" {
                return Ok(Money::ZERO);
            }
            Money::parse(text).map_err(|e| Refusal::new(Rule::Csv2, format!("{what}：{e}")).at_row(row))
        };
        let value = if pair {
            match (amount(Col::Debit, "借方余额"), amount(Col::Credit, "贷方余额")) {
                (Ok(d), Ok(c)) if !d.is_zero() && !c.is_zero() => Err(Refusal::new(
                    Rule::Opn1,
                    format!("科目 {code} 借方和贷方都有余额；一个科目的期初余额只在一方，请填两者之差"),
                )
                .at_row(row)),
                (Ok(d), Ok(c)) => Ok(d - c),
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        } else {
            amount(Col::Balance, "余额").and_then(|m| {
                let direction = cell(Col::Direction);
                match direction {
                    "借" | "借方" | "debit" => Ok(m),
                    "贷" | "贷方" | "credit" => Ok(-m),
                    "平" | "" if m.is_zero() => Ok(Money::ZERO),
                    _ => Err(Refusal::new(
                        Rule::Csv2,
                        format!("方向“{direction}”无法识别，应为 借、贷 或 平（余额为零时）"),
                    )
                    .at_row(row)),
                }
            })
        };
        match value {
            Ok(amount) => {
                if let Some(earlier) = first_row.insert(code.to_string(), row) {
                    errors.push(
                        Refusal::new(Rule::Opn1, format!("科目 {code} 在第 {earlier} 行已出现过；每个科目只填一行"))
                            .at_row(row),
                    );
                    continue;
                }
                rows.push(Row { row, code: code.to_string(), amount });
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    rows.sort_by_key(|r| r.row);
    Ok(rows)
}

/// [OPN-1] why the first close must wait: the openings do not balance.
/// `None` once a month was ever closed, or when they balance.
pub fn close_blocker(books: &mut impl Books) -> Result<Option<Refusal>, Failure> {
    if books.ever_closed()? {
        return Ok(None);
    }
    let totals = OpeningTotals::of(&books.openings()?);
    if totals.balanced() {
        return Ok(None);
    }
    Ok(Some(Refusal::new(
        Rule::Opn1,
        format!(
            "期初余额不平衡：{}；第一次结账前须借贷相等，请用 opening set 或 opening import 更正（opening show 可查看）",
            totals.describe()
        ),
    )))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::closing::close_period;
    use crate::memory::MemoryBooks;
    use crate::test_support::rule_of;

    fn books() -> MemoryBooks {
        let mut b = MemoryBooks::fixture();
        b.opening_cash = Money::ZERO;
        b.closed.clear();
        b
    }

    fn yuan(y: i64) -> Money {
        Money::from_fen(y * 100)
    }

    fn records(csv: &str) -> Vec<Vec<String>> {
        csv_records(csv.as_bytes()).unwrap()
    }

    #[test]
    fn opn_1_an_unbalanced_first_close_is_refused() {
        let mut b = books();
        set_opening(&mut b, "1001", yuan(500)).unwrap();
        set_opening(&mut b, "3101", -yuan(400)).unwrap();
        let err = close_period(&mut b, Period::parse("2025-01").unwrap(), "赵敏", date!(2025 - 02 - 01)).unwrap_err();
        let Failure::Refused(r) = err else { panic!("{err:?}") };
        let opn = r.reasons.iter().find(|r| r.rule == Rule::Opn1).expect("an OPN-1 reason");
        assert!(opn.message.contains("相差 ¥100.00"), "{}", opn.message);
        set_opening(&mut b, "3101", -yuan(500)).unwrap();
        let blockers =
            crate::closing::close_blockers(&mut b, Period::parse("2025-01").unwrap(), date!(2025 - 02 - 01)).unwrap();
        assert!(blockers.iter().all(|r| r.rule != Rule::Opn1), "{blockers:?}");
    }

    #[test]
    fn opn_1_an_opening_set_after_the_first_close_is_refused_even_when_reopened() {
        let mut b = books();
        set_opening(&mut b, "1002", yuan(500)).unwrap();
        set_opening(&mut b, "3101", -yuan(500)).unwrap();
        b.append(Event::PeriodClosed {
            period: Period::parse("2025-01").unwrap(),
            reason: "月末结账".into(),
            in_transit: vec![],
        })
        .unwrap();
        b.closed.retain(|p| *p != Period::parse("2025-01").unwrap());
        let err = set_opening(&mut b, "1002", yuan(600));
        assert_eq!(rule_of(err), Rule::Opn1);
        assert_eq!(rule_of(import_openings(&mut b, &records("科目编码,期初借方,期初贷方\n1002,1,\n"))), Rule::Opn1);
        assert_eq!(b.openings["1002"], yuan(500));
    }

    #[test]
    fn opn_1_a_ledger_with_migrated_history_takes_no_openings() {
        let mut b = books();
        b.closed.push(Period::parse("2024-12").unwrap());
        let err = set_opening(&mut b, "1001", yuan(1));
        assert_eq!(rule_of(err), Rule::Opn1);
        assert!(!b.ever_closed().unwrap(), "history's closes are not the first close");
    }

    #[test]
    fn opn_1_a_parent_or_unknown_account_is_refused() {
        let mut b = books();
        b.chart.insert(Account::stored("100201".into(), "工商银行".into(), crate::AccountKind::Asset, None, None));
        assert_eq!(rule_of(set_opening(&mut b, "1002", yuan(1))), Rule::Opn1);
        assert_eq!(rule_of(set_opening(&mut b, "9999", yuan(1))), Rule::Opn1);
        set_opening(&mut b, "100201", yuan(1)).unwrap();
        assert!(b.events.iter().all(|e| !matches!(e, Event::OpeningSet { account, .. } if account == "1002")));
    }

    #[test]
    fn opn_1_a_correction_replaces_and_zero_removes() {
        let mut b = books();
        assert_eq!(set_opening(&mut b, "1001", yuan(100)).unwrap(), Money::ZERO);
        assert_eq!(set_opening(&mut b, "1001", yuan(80)).unwrap(), yuan(100));
        assert_eq!(b.opening_list(), vec![Opening { account: "1001".into(), amount: yuan(80) }]);
        assert_eq!(b.balance("1001").unwrap(), yuan(80));
        assert!(
            b.events.last().unwrap().describe().contains("原为 借 ¥100.00"),
            "{}",
            b.events.last().unwrap().describe()
        );
        set_opening(&mut b, "1001", Money::ZERO).unwrap();
        assert!(b.opening_list().is_empty());
        assert_eq!(b.balance("1001").unwrap(), Money::ZERO);
    }

    #[test]
    fn opn_1_balances_and_cash_include_the_openings() {
        let mut b = books();
        set_opening(&mut b, "1001", yuan(300)).unwrap();
        set_opening(&mut b, "3101", -yuan(300)).unwrap();
        let start = Period::parse("2025-01").unwrap();
        assert_eq!(b.balance_through("1001", start).unwrap(), yuan(300));
        assert_eq!(b.balance_through("3", start).unwrap(), -yuan(300));
        let (before, _) = b.movements_from("1001", date!(2025 - 01 - 05), false).unwrap();
        assert_eq!(before, yuan(300), "CSH-1 sees the opening cash");
        let totals: Vec<_> = b.period_totals.iter().filter(|((_, p), _)| *p == start.prev()).collect();
        assert_eq!(totals.len(), 2, "the openings are the totals of the month before go-live: {totals:?}");
    }

    #[test]
    fn opn_1_reports_show_the_openings_as_the_go_live_month_s_opening() {
        use crate::report::{PeriodTotal, TrialBalance};
        let mut b = books();
        set_opening(&mut b, "1001", yuan(300)).unwrap();
        set_opening(&mut b, "3101", -yuan(300)).unwrap();
        let start = Period::parse("2025-01").unwrap();
        let totals = b.period_totals.iter().map(|((account, period), (debit, credit))| PeriodTotal {
            account,
            period: *period,
            debit: *debit,
            credit: *credit,
        });
        let tb = TrialBalance::build("测试", &b.chart, totals, start, start);
        let cash = tb.rows.iter().find(|r| r.account == "1001").unwrap();
        assert_eq!((cash.opening, cash.debit, cash.closing), (yuan(300), Money::ZERO, yuan(300)));
        assert_eq!((tb.totals.opening_debit, tb.totals.opening_credit), (yuan(300), yuan(300)));
        let sheet = OpeningSheet::build("测试", start, &b.chart, &b.opening_list());
        assert!(sheet.balanced);
        assert_eq!(sheet.rows[1].direction, "贷");
    }

    #[test]
    fn opn_1_an_import_replaces_the_set_and_lists_every_bad_row() {
        let mut b = books();
        set_opening(&mut b, "1002", yuan(7)).unwrap();
        let done = import_openings(
            &mut b,
            &records("科目编码,科目名称,期初借方,期初贷方\n1001,库存现金,\"1,200.00\",\n3101,非限定性净资产,,￥1200\n,合计,1200,1200\n"),
        )
        .unwrap();
        assert_eq!((done.rows, done.removed), (2, 1));
        assert!(done.totals.balanced());
        assert_eq!(b.openings.get("1002"), None);
        assert_eq!(b.openings["3101"], -yuan(1200));
        let before = b.events.len();
        let bad = import_openings(
            &mut b,
            &records("科目编码,科目名称,余额,方向\n1001,银行存款,5,借\n9999,,1,借\n1002,,abc,借\n1002,,1,上\n"),
        );
        let Err(Failure::Refused(r)) = bad else { panic!("{bad:?}") };
        let rows: Vec<_> = r.reasons.iter().map(|r| (r.row, r.rule)).collect();
        assert_eq!(
            rows,
            vec![(Some(2), Rule::Opn1), (Some(3), Rule::Opn1), (Some(4), Rule::Csv2), (Some(5), Rule::Csv2)]
        );
        assert_eq!(b.events.len(), before);
        assert_eq!(rule_of(import_openings(&mut b, &records("科目编码,金额\n1001,1\n"))), Rule::Csv1);
    }

    #[test]
    fn opn_1_the_amount_stands_on_the_normal_side_unless_told() {
        let chart = Chart::from_accounts(Chart::default_chart());
        let cash = chart.get("1001").unwrap();
        let net = chart.get("3101").unwrap();
        assert_eq!(signed_amount(cash, yuan(5), None).unwrap(), yuan(5));
        assert_eq!(signed_amount(net, yuan(5), None).unwrap(), -yuan(5));
        assert_eq!(signed_amount(net, -yuan(5), None).unwrap(), yuan(5));
        assert_eq!(signed_amount(cash, yuan(5), Some(Side::Credit)).unwrap(), -yuan(5));
        assert_eq!(signed_amount(cash, -yuan(5), Some(Side::Credit)).unwrap_err().rule, Rule::Opn1);
    }
}
