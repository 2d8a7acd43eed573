//! Reading a bank's statement export (BNK-1): its columns, its lines, the
//! chain of balances they carry, and which lines are new.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::csvfile::{choose_encoding, decode_gb18030, scan_within, TextEncoding};
use crate::money::Money;
use crate::period::{date_serde, format_date};
use crate::rule::{Refusal, Refusals, Rule};

/// A statement file holds at most this many lines.
pub const MAX_STATEMENT_LINES: usize = 1_000_000;
/// The largest statement file read, in bytes (LIM-1).
pub const MAX_STATEMENT_BYTES: u64 = 256 * 1024 * 1024;

/// One line of a bank statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    #[serde(with = "date_serde")]
    pub date: Date,
    /// Money into the account (the bank's 贷方 / 收入).
    pub inflow: Money,
    /// Money out of the account (the bank's 借方 / 支出).
    pub outflow: Money,
    /// The account's balance after this line.
    pub balance: Money,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub counterparty: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
}

impl StatementLine {
    /// Signed: positive into the account.
    pub fn amount(&self) -> Money {
        self.inflow - self.outflow
    }

    /// A balance line (余额行): the bank's statement of the account's
    /// balance on a day, with nothing in or out — the 期初余额 or 期末余额
    /// row of a statement, or the whole statement of a month without
    /// movement (本月无发生额). Its balance is the line before's (BNK-1).
    pub fn is_balance_only(&self) -> bool {
        self.inflow.is_zero() && self.outflow.is_zero()
    }

    /// How the line is named in messages: its day and what it says.
    pub fn describe(&self) -> String {
        if self.is_balance_only() {
            format!("{} 的余额行（没有收支），余额 {}", format_date(self.date), self.balance.to_yuan())
        } else {
            format!(
                "{} 收入 {} 支出 {} 的一笔，余额 {}",
                format_date(self.date),
                self.inflow.to_yuan(),
                self.outflow.to_yuan(),
                self.balance.to_yuan()
            )
        }
    }

    /// What makes a line the same line when a statement is imported again.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            format_date(self.date),
            self.inflow.fen(),
            self.outflow.fen(),
            self.balance.fen(),
            self.reference
        )
    }
}

/// The fields a statement provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Date,
    Inflow,
    Outflow,
    Balance,
    Reference,
    Counterparty,
    Summary,
}

impl Field {
    const ALL: [Field; 7] = [
        Field::Date,
        Field::Inflow,
        Field::Outflow,
        Field::Balance,
        Field::Reference,
        Field::Counterparty,
        Field::Summary,
    ];

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name.trim())
    }

    /// The name used in `--map`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::Inflow => "in",
            Field::Outflow => "out",
            Field::Balance => "balance",
            Field::Reference => "reference",
            Field::Counterparty => "counterparty",
            Field::Summary => "summary",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            Field::Date => "交易日期",
            Field::Inflow => "收入金额（贷方发生额）",
            Field::Outflow => "支出金额（借方发生额）",
            Field::Balance => "余额",
            Field::Reference => "交易流水号",
            Field::Counterparty => "对方户名",
            Field::Summary => "摘要",
        }
    }

    fn required(self) -> bool {
        matches!(self, Field::Date | Field::Inflow | Field::Outflow | Field::Balance)
    }

    /// Column headers as Chinese banks export them.
    fn headers(self) -> &'static [&'static str] {
        match self {
            Field::Date => &["交易日期", "日期", "记账日期", "交易时间", "入账日期", "date"],
            Field::Inflow => &["收入金额", "收入", "贷方发生额", "贷方金额", "存入金额", "贷方", "in", "inflow"],
            Field::Outflow => &["支出金额", "支出", "借方发生额", "借方金额", "支取金额", "借方", "out", "outflow"],
            Field::Balance => &["余额", "账户余额", "本次余额", "交易后余额", "结余", "balance"],
            Field::Reference => &["交易流水号", "流水号", "凭证号", "交易参考号", "业务编号", "reference"],
            Field::Counterparty => &["对方户名", "对方账户名称", "对方单位", "对方名称", "counterparty"],
            Field::Summary => &["摘要", "用途", "附言", "备注", "summary"],
        }
    }
}

/// [BNK-1] reads `date=交易时间,in=收入` into a mapping of fields to headers.
pub fn parse_mapping(text: &str) -> Result<Vec<(Field, String)>, Refusal> {
    let mut out = Vec::new();
    for part in text.split([',', '，']).filter(|p| !p.trim().is_empty()) {
        let Some((field, header)) = part.split_once('=') else {
            return Err(Refusal::new(Rule::Bnk1, format!("映射“{part}”应写作 字段=列名，例如 date=交易时间")));
        };
        let Some(f) = Field::parse(field) else {
            return Err(Refusal::new(
                Rule::Bnk1,
                format!("映射中的字段“{field}”不认识；可用 date、in、out、balance、reference、counterparty、summary"),
            ));
        };
        out.push((f, header.trim().to_string()));
    }
    Ok(out)
}

/// A statement file as read: its digest, encoding and lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub sha256: String,
    pub encoding: TextEncoding,
    pub lines: Vec<StatementLine>,
}

/// [BNK-1] reads a statement CSV (UTF-8 with or without BOM, or GBK). Every
/// bad row is listed; a header without the needed columns names them.
pub fn read_statement(
    bytes: &[u8],
    asked: Option<TextEncoding>,
    mapping: &[(Field, String)],
) -> Result<Statement, Refusals> {
    let scanned = scan_within(bytes, crate::csvfile::MAX_LINE_BYTES, MAX_STATEMENT_BYTES)
        .map_err(|e| Refusals::one(Refusal::new(Rule::Bnk1, e.to_string())))?;
    if let Some(r) = scanned.over_limit {
        return Err(Refusals::one(r));
    }
    let encoding = choose_encoding(&scanned, asked).map_err(Refusals::one)?;
    let text = match encoding {
        TextEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
        TextEncoding::Gb18030 => decode_gb18030(bytes).map_err(Refusals::one)?,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut records: Vec<csv::StringRecord> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) => records.push(r),
            Err(e) => {
                return Err(Refusals::one(Refusal::new(Rule::Bnk1, format!("对账单无法读取：{e}")).at_row(i + 1)));
            }
        }
    }
    // Banks put a title and the account number above the header: the header
    // is the first row naming a date column, else the first row.
    let cells_of = |r: &csv::StringRecord| r.iter().map(|c| c.trim().to_string()).collect::<Vec<String>>();
    let header_index = records
        .iter()
        .take(20)
        .position(|r| map_columns(&cells_of(r), mapping).contains_key(&Field::Date))
        .unwrap_or(0);
    let Some(header_record) = records.get(header_index) else {
        return Err(Refusals::one(Refusal::new(Rule::Bnk1, "对账单是空的")));
    };
    let header = cells_of(header_record);
    let columns = map_columns(&header, mapping);
    let header_row = header_index + 1;
    let missing: Vec<&str> =
        Field::ALL.into_iter().filter(|f| f.required() && !columns.contains_key(f)).map(Field::chinese).collect();
    if !missing.is_empty() {
        return Err(Refusals::one(
            Refusal::new(
                Rule::Bnk1,
                format!(
                    "对账单格式不认识：缺少 {} 列（表头为：{}）；请用 --map 指明列名，例如 --map \"date=交易时间,in=收入,out=支出,balance=余额\"",
                    missing.join("、"),
                    shown_header(&header)
                ),
            )
            .at_row(header_row),
        ));
    }
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    let mut errors = Refusals { reasons: Vec::new(), unlisted: 0 };
    for (i, record) in records.iter().enumerate().skip(header_row) {
        let row = i + 1;
        let cell = |f: Field| columns.get(&f).and_then(|&i| record.get(i)).map(str::trim).unwrap_or("");
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Totals rows (合计) at the bottom carry no date.
        if cell(Field::Date).is_empty() || cell(Field::Date).contains("合计") {
            continue;
        }
        match read_line(&cell) {
            Ok(l) => {
                lines.push(l);
                rows.push(row);
            }
            Err(m) => errors.push(Refusal::new(Rule::Bnk1, m).at_row(row)),
        }
        if lines.len() > MAX_STATEMENT_LINES {
            errors.push(Refusal::new(Rule::Lim1, format!("对账单超过 {MAX_STATEMENT_LINES} 行，请分月导入")));
            break;
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(r) = check_balance_chain(&lines, &rows) {
        return Err(Refusals::one(r));
    }
    // A statement of a month without movement has no transaction lines: it
    // states the balance on a balance line (期末余额), or, with none, is read
    // and says how far it reaches only with `bank import --through`.
    Ok(Statement { sha256: scanned.sha256, encoding, lines })
}

/// The order the lines of a file follow in time: the file's own, or the
/// reverse when the bank exported the newest line first — its first line
/// dated after its last, or, all on one day, the balances following one
/// another only read from the bottom up.
pub(crate) fn chain_order(lines: &[StatementLine]) -> Vec<usize> {
    let forward: Vec<usize> = (0..lines.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    let newest_first = match (lines.first(), lines.last()) {
        (Some(a), Some(b)) if a.date != b.date => a.date > b.date,
        _ => first_break(lines, &forward).is_some() && first_break(lines, &backward).is_none(),
    };
    if newest_first {
        backward
    } else {
        forward
    }
}

/// The first pair of lines in `order` whose balance does not follow.
fn first_break(lines: &[StatementLine], order: &[usize]) -> Option<(usize, usize)> {
    order
        .windows(2)
        .map(|p| (p[0], p[1]))
        .find(|&(a, b)| balance_after(lines[a].balance, &lines[b]) != Some(lines[b].balance))
}

/// The balance `previous` + in − out, unless it overflows.
pub(crate) fn balance_after(previous: Money, line: &StatementLine) -> Option<Money> {
    previous.checked_add(line.inflow)?.checked_add(Money::from_fen(line.outflow.fen().checked_neg()?))
}

/// [BNK-1] each line's balance follows from the line before it: its balance
/// plus what came in less what went out. The first line's predecessor is not
/// in the file. `rows` are the lines' rows in the file; the first break is
/// named.
pub fn check_balance_chain(lines: &[StatementLine], rows: &[usize]) -> Option<Refusal> {
    let (p, c) = first_break(lines, &chain_order(lines))?;
    let (prev, cur) = (&lines[p], &lines[c]);
    let expected = balance_after(prev.balance, cur);
    let prev_row = rows.get(p).map_or(String::new(), |r| format!("（第 {r} 行）"));
    let message = if cur.is_balance_only() {
        format!(
            "对账单余额不连续：本行是余额行（没有收支），余额 {}，应与上一笔{prev_row}的余额 {} 相同；\
             请核对对账单上的余额，或从银行重新导出完整的对账单",
            cur.balance.to_yuan(),
            prev.balance.to_yuan(),
        )
    } else {
        format!(
            "对账单余额不连续：本行余额 {}，上一笔{prev_row}余额 {} 加收入 {} 减支出 {} 应为 {}；\
             对账单可能缺行或被改动过，请从银行重新导出完整的对账单",
            cur.balance.to_yuan(),
            prev.balance.to_yuan(),
            cur.inflow.to_yuan(),
            cur.outflow.to_yuan(),
            expected.map_or("（超出范围）".to_string(), |m| m.to_yuan())
        )
    };
    let r = Refusal::new(Rule::Bnk1, message);
    Some(match rows.get(c) {
        Some(&row) => r.at_row(row),
        None => r,
    })
}

fn map_columns(cells: &[String], mapping: &[(Field, String)]) -> HashMap<Field, usize> {
    let mut out = HashMap::new();
    for f in Field::ALL {
        let given = mapping.iter().find(|(m, _)| *m == f).map(|(_, h)| h.as_str());
        let found = match given {
            Some(h) => cells.iter().position(|c| c == h),
            None => cells.iter().position(|c| f.headers().iter().any(|h| c.eq_ignore_ascii_case(h))),
        };
        if let Some(i) = found {
            out.insert(f, i);
        }
    }
    out
}

fn read_line<'a>(cell: &dyn Fn(Field) -> &'a str) -> Result<StatementLine, String> {
    let date = parse_bank_date(cell(Field::Date))?;
    let amount = |f: Field| -> Result<Money, String> {
        let t = cell(f).trim_start_matches('+');
        if t.is_empty() || t == "-" {
            return Ok(Money::ZERO);
        }
        Money::parse(t).map_err(|e| format!("{}“{t}”不是金额：{e}", f.chinese()))
    };
    let (mut inflow, mut outflow) = (amount(Field::Inflow)?, amount(Field::Outflow)?);
    // Some banks print outflows as negative numbers in one column.
    if inflow.is_negative() {
        outflow += -inflow;
        inflow = Money::ZERO;
    }
    if outflow.is_negative() {
        outflow = -outflow;
    }
    if !inflow.is_zero() && !outflow.is_zero() {
        return Err("每行只能有一个收入或支出金额".to_string());
    }
    // A row with a date and a balance but no amount is a balance line
    // (期初余额, 期末余额, 本月无发生额); without a balance it says nothing.
    if inflow.is_zero() && outflow.is_zero() && cell(Field::Balance).is_empty() {
        return Err("这一行既没有收入或支出金额，也没有余额".to_string());
    }
    let balance = Money::parse(cell(Field::Balance)).map_err(|_| format!("余额“{}”不是金额", cell(Field::Balance)))?;
    Ok(StatementLine {
        date,
        inflow,
        outflow,
        balance,
        reference: cell(Field::Reference).to_string(),
        counterparty: cell(Field::Counterparty).to_string(),
        summary: cell(Field::Summary).to_string(),
    })
}

/// Any spelling of a date (`2025-04-03`, `2025/4/3`, `2025年4月3日`,
/// `20250403`: `period::parse_date`), with or without a time after it.
pub fn parse_bank_date(text: &str) -> Result<Date, String> {
    let t = text.split_whitespace().next().unwrap_or("");
    crate::period::parse_date(t).map_err(|e| format!("交易日期：{e}"))
}

/// The new lines of a statement and how many were already imported.
pub fn new_lines(known: &HashSet<String>, lines: Vec<StatementLine>) -> (Vec<StatementLine>, usize) {
    let mut seen = HashSet::new();
    let mut fresh = Vec::new();
    let mut duplicates = 0;
    for l in lines {
        let k = l.key();
        if known.contains(&k) || !seen.insert(k) {
            duplicates += 1;
        } else {
            fresh.push(l);
        }
    }
    (fresh, duplicates)
}

/// A header row as a message shows it: the first eight cells, each cut at
/// twenty characters (a file that is no statement, an HTML page say, has
/// a "header" of thousands).
fn shown_header(header: &[String]) -> String {
    const CELLS: usize = 8;
    const CHARS: usize = 20;
    let mut cells: Vec<String> = header
        .iter()
        .take(CELLS)
        .map(|c| match c.char_indices().nth(CHARS) {
            Some((cut, _)) => format!("{}…", &c[..cut]),
            None => c.clone(),
        })
        .collect();
    if header.len() > CELLS {
        cells.push(format!("…共 {} 列", header.len()));
    }
    cells.join("、")
}
