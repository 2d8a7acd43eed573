//! Bank statements (银行对账单), matching and the reconciliation statement
//! (银行存款余额调节表), BNK-1.
//!
//! A statement line is the bank's record of one movement on the community's
//! account; a book entry is a posted voucher's net effect on that bank
//! account. Lines and entries are matched one to one. Whatever is left
//! unmatched at a month's end explains the difference between the book
//! balance and the statement balance: the two adjusted balances must agree.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::account::Chart;
use crate::books::{Books, Event};
use crate::csvfile::{choose_encoding, decode_gb18030, scan_within, TextEncoding};
use crate::money::Money;
use crate::period::{date_serde, format_date, Period};
use crate::rule::{refuse, Failure, Refusal, Refusals, Rule};
use crate::voucher::{Status, Voucher, VoucherRef};

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
            Field::Balance => &["余额", "账户余额", "本次余额", "交易后余额", "balance"],
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
                    header.join("、")
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
    // A statement of a month without movement has no lines: it is read, and
    // says how far it reaches only with `bank import --through`.
    Ok(Statement { sha256: scanned.sha256, encoding, lines })
}

/// The order the lines of a file follow in time: the file's own, or the
/// reverse when the bank exported the newest line first.
fn chain_order(lines: &[StatementLine]) -> Vec<usize> {
    let newest_first = matches!((lines.first(), lines.last()), (Some(a), Some(b)) if a.date > b.date);
    if newest_first {
        (0..lines.len()).rev().collect()
    } else {
        (0..lines.len()).collect()
    }
}

/// The balance `previous` + in − out, unless it overflows.
fn balance_after(previous: Money, line: &StatementLine) -> Option<Money> {
    previous.checked_add(line.inflow)?.checked_add(Money::from_fen(line.outflow.fen().checked_neg()?))
}

/// [BNK-1] each line's balance follows from the line before it: its balance
/// plus what came in less what went out. The first line's predecessor is not
/// in the file. `rows` are the lines' rows in the file; the first break is
/// named.
pub fn check_balance_chain(lines: &[StatementLine], rows: &[usize]) -> Option<Refusal> {
    let order = chain_order(lines);
    for pair in order.windows(2) {
        let (prev, cur) = (&lines[pair[0]], &lines[pair[1]]);
        let expected = balance_after(prev.balance, cur);
        if expected != Some(cur.balance) {
            let row = rows.get(pair[1]).copied();
            let prev_row = rows.get(pair[0]).map_or(String::new(), |r| format!("（第 {r} 行）"));
            let mut r = Refusal::new(
                Rule::Bnk1,
                format!(
                    "对账单余额不连续：本行余额 {}，上一笔{prev_row}余额 {} 加收入 {} 减支出 {} 应为 {}；\
                     对账单可能缺行或被改动过，请从银行重新导出完整的对账单",
                    cur.balance.to_yuan(),
                    prev.balance.to_yuan(),
                    cur.inflow.to_yuan(),
                    cur.outflow.to_yuan(),
                    expected.map_or("（超出范围）".to_string(), |m| m.to_yuan())
                ),
            );
            if let Some(row) = row {
                r = r.at_row(row);
            }
            return Some(r);
        }
    }
    None
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
    if inflow.is_zero() == outflow.is_zero() {
        return Err("每行应有且只有一个收入或支出金额".to_string());
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

/// `2025-04-03`, `2025/4/3`, `20250403`, with or without a time after it.
pub fn parse_bank_date(text: &str) -> Result<Date, String> {
    let t = text.split_whitespace().next().unwrap_or("");
    let bad = || format!("交易日期“{text}”无法识别，应为 2025-04-03 或 20250403");
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let compact = format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..]);
        return crate::period::parse_date(&compact).map_err(|_| bad());
    }
    crate::period::parse_date(t).map_err(|_| bad())
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

/// A statement line as stored, with its id and its match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredLine {
    pub id: u64,
    pub account: String,
    #[serde(flatten)]
    pub line: StatementLine,
    pub matched: Option<VoucherRef>,
}

/// A book entry on a bank account not yet seen by the bank at a close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InTransit {
    pub account: String,
    pub voucher: VoucherRef,
}

/// A posted voucher's net effect on one bank account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BookEntry {
    pub voucher: VoucherRef,
    #[serde(with = "date_serde")]
    pub date: Date,
    /// Signed: positive into the account.
    pub amount: Money,
    pub summary: String,
    /// The voucher's own reference: the file's number and its documents'
    /// numbers, compared with the statement's reference.
    pub references: Vec<String>,
    /// In transit at the last close and carried from there.
    #[serde(skip)]
    pub carried: bool,
}

/// [BNK-1] pairs unmatched lines with unmatched entries: same amount and
/// direction, dates at most `window` days apart, a shared reference first,
/// then the nearest date, then the earliest.
pub fn auto_match(lines: &[StoredLine], entries: &[BookEntry], window: u32) -> Vec<(u64, VoucherRef)> {
    let taken: HashSet<VoucherRef> = lines.iter().filter_map(|l| l.matched).collect();
    let mut by_amount: HashMap<i64, Vec<&BookEntry>> = HashMap::new();
    for e in entries.iter().filter(|e| !taken.contains(&e.voucher)) {
        by_amount.entry(e.amount.fen()).or_default().push(e);
    }
    let mut used: HashSet<VoucherRef> = HashSet::new();
    let mut out = Vec::new();
    let window = Duration::days(i64::from(window));
    let mut open: Vec<&StoredLine> = lines.iter().filter(|l| l.matched.is_none()).collect();
    open.sort_by_key(|l| (l.line.date, l.id));
    for l in open {
        let Some(candidates) = by_amount.get(&l.line.amount().fen()) else { continue };
        let best = candidates
            .iter()
            .filter(|e| !used.contains(&e.voucher) && (e.date - l.line.date).abs() <= window)
            .min_by_key(|e| {
                let shares = !l.line.reference.is_empty() && e.references.contains(&l.line.reference);
                (!shares, (e.date - l.line.date).abs(), e.date, e.voucher)
            });
        if let Some(e) = best {
            used.insert(e.voucher);
            out.push((l.id, e.voucher));
        }
    }
    out
}

/// One unmatched item on the reconciliation statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outstanding {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub amount: Money,
    pub what: String,
}

/// 银行存款余额调节表 for one bank account at a month's end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub account: String,
    pub account_name: String,
    pub period: Period,
    pub book_balance: Money,
    /// `None` when no statement line reaches the month.
    pub statement_balance: Option<Money>,
    /// The day the imported statements reach; the reconciliation stands only
    /// when it is the statement's end day or later (BNK-1).
    #[serde(with = "crate::period::opt_date_serde")]
    pub statement_through: Option<Date>,
    /// The day the reconciliation is made at: the month's last day, or a
    /// handover's day.
    #[serde(with = "date_serde")]
    pub end: Date,
    /// 银行已收、单位未收.
    pub bank_in_not_booked: Vec<Outstanding>,
    /// 银行已付、单位未付.
    pub bank_out_not_booked: Vec<Outstanding>,
    /// 单位已收、银行未收.
    pub booked_in_not_banked: Vec<Outstanding>,
    /// 单位已付、银行未付.
    pub booked_out_not_banked: Vec<Outstanding>,
    /// The vouchers behind the book side's items in transit.
    #[serde(skip)]
    pub in_transit: Vec<VoucherRef>,
}

fn total(items: &[Outstanding]) -> Money {
    items.iter().map(|o| o.amount).sum()
}

impl Reconciliation {
    /// [BNK-1] builds the statement at the end of `period` from the lines and
    /// entries of one account. Entries before the first statement line are
    /// taken as reconciled (the statement starts where the bank's records
    /// start).
    pub fn build(
        account: &str,
        account_name: &str,
        period: Period,
        book_balance: Money,
        lines: &[StoredLine],
        entries: &[BookEntry],
        through: Option<Date>,
    ) -> Reconciliation {
        Reconciliation::build_at(account, account_name, period.last_day(), book_balance, lines, entries, through)
    }

    /// The statement at the end of any day (a handover's), labelled by its month.
    pub fn build_at(
        account: &str,
        account_name: &str,
        end: Date,
        book_balance: Money,
        lines: &[StoredLine],
        entries: &[BookEntry],
        through: Option<Date>,
    ) -> Reconciliation {
        let through = through.max(lines.iter().map(|l| l.line.date).max());
        let period = Period::of(end);
        let first = lines.iter().map(|l| l.line.date).min();
        let entry_dates: HashMap<VoucherRef, Date> = entries.iter().map(|e| (e.voucher, e.date)).collect();
        let mut in_period: Vec<&StoredLine> = lines.iter().filter(|l| l.line.date <= end).collect();
        in_period.sort_by_key(|l| (l.line.date, l.id));
        let statement_balance = in_period.last().map(|l| l.line.balance);
        let matched_by_line: HashMap<VoucherRef, Date> =
            lines.iter().filter_map(|l| l.matched.map(|v| (v, l.line.date))).collect();
        let mut r = Reconciliation {
            account: account.to_string(),
            account_name: account_name.to_string(),
            period,
            book_balance,
            statement_balance,
            statement_through: through,
            end,
            bank_in_not_booked: vec![],
            bank_out_not_booked: vec![],
            booked_in_not_banked: vec![],
            booked_out_not_banked: vec![],
            in_transit: vec![],
        };
        for l in in_period {
            // Matched to a voucher of an earlier month, or of this month up to the end.
            let booked = l.matched.is_some_and(|v| v.period < period || entry_dates.get(&v).is_some_and(|d| *d <= end));
            if booked {
                continue;
            }
            let what = [l.line.summary.as_str(), l.line.counterparty.as_str(), l.line.reference.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let item = Outstanding { date: l.line.date, amount: l.line.amount().abs(), what };
            if l.line.amount().is_negative() {
                r.bank_out_not_booked.push(item);
            } else {
                r.bank_in_not_booked.push(item);
            }
        }
        for e in entries.iter().filter(|e| e.date <= end && (e.carried || first.is_some_and(|f| e.date >= f))) {
            let banked = matched_by_line.get(&e.voucher).is_some_and(|d| *d <= end);
            if banked {
                continue;
            }
            r.in_transit.push(e.voucher);
            let item =
                Outstanding { date: e.date, amount: e.amount.abs(), what: format!("{} {}", e.voucher, e.summary) };
            if e.amount.is_negative() {
                r.booked_out_not_banked.push(item);
            } else {
                r.booked_in_not_banked.push(item);
            }
        }
        for list in [
            &mut r.bank_in_not_booked,
            &mut r.bank_out_not_booked,
            &mut r.booked_in_not_banked,
            &mut r.booked_out_not_banked,
        ] {
            list.sort_by(|a, b| (a.date, &a.what).cmp(&(b.date, &b.what)));
        }
        r
    }

    /// Whether the statements reach the reconciliation's end day (BNK-1).
    pub fn statement_complete(&self) -> bool {
        self.statement_balance.is_some() && self.statement_through.is_some_and(|t| t >= self.end)
    }

    /// 调节后的单位账面余额.
    pub fn adjusted_book(&self) -> Money {
        self.book_balance + total(&self.bank_in_not_booked) - total(&self.bank_out_not_booked)
    }

    /// 调节后的银行对账单余额.
    pub fn adjusted_bank(&self) -> Option<Money> {
        self.statement_balance.map(|b| b + total(&self.booked_in_not_banked) - total(&self.booked_out_not_banked))
    }

    /// The two adjusted balances agree on statements reaching the end day.
    pub fn agrees(&self) -> bool {
        self.statement_complete() && self.adjusted_bank() == Some(self.adjusted_book())
    }

    /// [BNK-1] why the month cannot close on this account's account, if it cannot.
    pub fn problem(&self) -> Option<Refusal> {
        let a = &self.account;
        let end = format_date(self.end);
        match self.adjusted_bank() {
            None => Some(Refusal::new(
                Rule::Bnk1,
                format!(
                    "{a} {} 没有 {} 的银行对账单；请用 bank import 导入截至 {end} 的对账单",
                    self.account_name, self.period
                ),
            )),
            Some(_) if !self.statement_complete() => Some(Refusal::new(
                Rule::Bnk1,
                format!(
                    "{a} {} 已导入的银行对账单只到 {}，没有截至 {end} 的对账单，不能据此对账；\
                     请用 bank import 导入截至 {end} 的对账单（期间没有交易的，用 --through {end} 指明截止日期）",
                    self.account_name,
                    self.statement_through.map(format_date).unwrap_or_default(),
                ),
            )),
            Some(bank) if bank != self.adjusted_book() => Some(Refusal::new(
                Rule::Bnk1,
                format!(
                    "{a} {} {} 余额调节表不平：调节后单位账面余额 {}，调节后银行对账单余额 {}，相差 {}；请用 bank match 核对未达账项",
                    self.account_name,
                    self.period,
                    self.adjusted_book().to_yuan(),
                    bank.to_yuan(),
                    (self.adjusted_book() - bank).abs().to_yuan()
                ),
            )),
            Some(_) => None,
        }
    }
}

/// The bank accounts statements are kept for: the leaf accounts under 1002.
pub fn bank_accounts(chart: &Chart) -> Vec<(String, String)> {
    chart
        .iter()
        .filter(|a| a.code().starts_with(BANK) && chart.is_leaf(a.code()))
        .map(|a| (a.code().to_string(), chart.full_name(a.code())))
        .collect()
}

/// The bank account a command means: the one given, or the only one.
pub fn resolve_account(chart: &Chart, given: Option<&str>) -> Result<(String, String), Refusal> {
    let accounts = bank_accounts(chart);
    match given {
        Some(code) => accounts.into_iter().find(|(c, _)| c == code).ok_or_else(|| {
            Refusal::new(Rule::Bnk1, format!("“{code}”不是银行存款的明细科目；对账单须对应 1002 下的末级科目"))
        }),
        None if accounts.len() == 1 => Ok(accounts.into_iter().next().expect("one account")),
        None => Err(Refusal::new(
            Rule::Bnk1,
            format!(
                "有多个银行账户（{}），请用 --account 指明",
                accounts.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join("、")
            ),
        )),
    }
}

const BANK: &str = "1002";

/// What a statement import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementImport {
    pub account: String,
    pub new_lines: usize,
    pub duplicates: usize,
    pub first_id: u64,
    /// The latest day the account's statements now reach.
    #[serde(with = "date_serde")]
    pub reach: Date,
}

/// [BNK-1] records the lines of a statement not imported before, and how
/// far the statement reaches: `through` (the end of the statement's period,
/// as the bank prints it) or else its last line's date. A statement without
/// lines needs `through`. The first line must follow from the last line
/// imported before it (its balance plus the line's movement); `today`: no
/// statement reaches past today.
pub fn import_statement(
    books: &mut impl Books,
    account: &str,
    file: &str,
    statement: Statement,
    through: Option<Date>,
    today: Date,
) -> Result<StatementImport, Failure> {
    let last_line = statement.lines.iter().map(|l| l.date).max();
    if let (Some(t), Some(l)) = (through, last_line) {
        if t < l {
            return refuse(
                Rule::Bnk1,
                format!("--through {} 早于对账单最后一笔交易的日期 {}", format_date(t), format_date(l)),
            );
        }
    }
    let Some(reach) = through.or(last_line) else {
        return refuse(
            Rule::Bnk1,
            "对账单没有交易行；本期没有交易的，请用 --through 指明对账单截止日期（银行打印的对账期间末日）",
        );
    };
    if reach > today {
        return refuse(Rule::Bnk1, format!("对账单截止日期 {} 晚于今天 {}", format_date(reach), format_date(today)));
    }
    let stored = books.statement_lines(account)?;
    let known: HashSet<String> = stored.iter().map(|l| l.line.key()).collect();
    let (fresh, duplicates) = new_lines(&known, statement.lines);
    if duplicates == 0 {
        if let Some(r) = check_follows(&stored, &fresh) {
            return Err(r.into());
        }
    }
    // [LIM-1] reconciliations add up an account's statement lines: what is
    // stored and what comes stays within what the engine can sum.
    let amounts = |l: &StatementLine| [l.inflow, l.outflow, l.balance];
    let held = Money::turnover(stored.iter().flat_map(|l| amounts(&l.line)).chain(fresh.iter().flat_map(amounts)));
    if held.fen() > crate::money::MAX_TOTAL_FEN {
        return Err(Refusal::new(
            Rule::Lim1,
            format!(
                "{account} 的银行对账单金额合计将超过本程序能记录的上限 {}；请核对金额",
                Money::from_fen(crate::money::MAX_TOTAL_FEN).to_yuan()
            ),
        )
        .into());
    }
    let first_id = books.next_statement_line()?;
    let known_reach = books.statement_through(account)?;
    let extends = known_reach.is_none_or(|known| reach > known);
    let summary = StatementImport {
        account: account.to_string(),
        new_lines: fresh.len(),
        duplicates,
        first_id,
        reach: known_reach.map_or(reach, |k| k.max(reach)),
    };
    if !fresh.is_empty() || extends {
        books.append(Event::StatementImported {
            account: account.to_string(),
            file: file.to_string(),
            sha256: statement.sha256,
            first_id,
            lines: fresh,
            duplicates: duplicates as u64,
            through: Some(reach),
        })?;
    }
    Ok(summary)
}

/// [BNK-1] a new statement's first line follows from the latest line
/// imported before it, when the new lines all come after it.
fn check_follows(stored: &[StoredLine], fresh: &[StatementLine]) -> Option<Refusal> {
    let previous = stored.iter().max_by_key(|l| (l.line.date, l.id))?;
    let first = &fresh[*chain_order(fresh).first()?];
    if first.date < previous.line.date {
        return None;
    }
    let expected = balance_after(previous.line.balance, first);
    (expected != Some(first.balance)).then(|| {
        Refusal::new(
            Rule::Bnk1,
            format!(
                "对账单余额不连续：{} 收入 {} 支出 {} 的一笔，余额 {}；已导入的上一笔（第 {} 行，{}）余额 {}，\
                 应为 {}；请导入接续的完整对账单",
                format_date(first.date),
                first.inflow.to_yuan(),
                first.outflow.to_yuan(),
                first.balance.to_yuan(),
                previous.id,
                format_date(previous.line.date),
                previous.line.balance.to_yuan(),
                expected.map_or("（超出范围）".to_string(), |m| m.to_yuan())
            ),
        )
    })
}

/// The posted vouchers' entries on a bank account dated `from..=to`.
pub fn book_entries(books: &mut impl Books, account: &str, from: Date, to: Date) -> Result<Vec<BookEntry>, Failure> {
    let (_, vouchers) = books.vouchers_touching(account, from, to, false)?;
    Ok(vouchers.iter().filter_map(|v| entry_of(v, account)).collect())
}

fn entry_of(v: &Voucher, account: &str) -> Option<BookEntry> {
    let on: Vec<_> = v.lines().iter().filter(|l| l.account.starts_with(account)).collect();
    let amount: Money = on.iter().map(|l| l.signed()).sum();
    if amount.is_zero() {
        return None;
    }
    let mut references: Vec<String> = v.source_ref().map(str::to_string).into_iter().collect();
    references.extend(v.documents().iter().filter_map(|d| d.number.clone()));
    Some(BookEntry {
        voucher: v.reference(),
        date: v.date(),
        amount,
        summary: on.first().map(|l| l.summary.clone()).unwrap_or_default(),
        references,
        carried: false,
    })
}

fn window_around(lines: &[StoredLine], days: u32) -> Option<(Date, Date)> {
    let w = Duration::days(i64::from(days));
    let first = lines.iter().map(|l| l.line.date).min()?;
    let last = lines.iter().map(|l| l.line.date).max()?;
    Some((first.checked_sub(w).unwrap_or(Date::MIN), last.checked_add(w).unwrap_or(Date::MAX)))
}

/// [BNK-1] matches what can be matched automatically; returns the pairs.
pub fn match_automatically(books: &mut impl Books, account: &str) -> Result<Vec<(u64, VoucherRef)>, Failure> {
    let lines = books.statement_lines(account)?;
    let window = books.settings().match_window_days;
    let Some((from, to)) = window_around(&lines, window) else {
        return refuse(Rule::Bnk1, format!("{account} 还没有导入银行对账单；请先用 bank import 导入"));
    };
    let entries = book_entries(books, account, from, to)?;
    let pairs = auto_match(&lines, &entries, window);
    if !pairs.is_empty() {
        books.append(Event::BankMatched { pairs: pairs.clone(), auto: true })?;
    }
    Ok(pairs)
}

fn find_line(lines: Vec<StoredLine>, id: u64) -> Result<StoredLine, Failure> {
    match lines.into_iter().find(|l| l.id == id) {
        Some(l) => Ok(l),
        None => refuse(Rule::Bnk1, format!("对账单第 {id} 行不存在；请用 bank list 查看行号")),
    }
}

/// [BNK-1] matches a statement line with a posted voucher by hand: same
/// account, same amount and direction, neither matched already.
pub fn match_by_hand(books: &mut impl Books, account: &str, id: u64, voucher: VoucherRef) -> Result<(), Failure> {
    let lines = books.statement_lines(account)?;
    if let Some(other) = lines.iter().find(|l| l.matched == Some(voucher)) {
        return refuse(
            Rule::Bnk1,
            format!("凭证 {voucher} 已与对账单第 {} 行勾对；请先 bank unmatch {}", other.id, other.id),
        );
    }
    let line = find_line(lines, id)?;
    if let Some(v) = line.matched {
        return refuse(Rule::Bnk1, format!("对账单第 {id} 行已与 {v} 勾对；请先 bank unmatch {id}"));
    }
    let entry = match books.voucher(voucher)? {
        Some((v, Status::Posted)) => entry_of(&v, account),
        Some(_) => return refuse(Rule::Bnk1, format!("凭证 {voucher} 尚未记账，记账后才能勾对")),
        None => return refuse(Rule::Bnk1, format!("凭证 {voucher} 不存在")),
    };
    let Some(entry) = entry else {
        return refuse(Rule::Bnk1, format!("凭证 {voucher} 没有 {account} 的发生额"));
    };
    if entry.amount != line.line.amount() {
        return refuse(
            Rule::Bnk1,
            format!(
                "金额不符：对账单第 {id} 行 {}，凭证 {voucher} {}；银行存款的勾对须金额与方向一致",
                signed_text(line.line.amount()),
                signed_text(entry.amount)
            ),
        );
    }
    books.append(Event::BankMatched { pairs: vec![(id, voucher)], auto: false })?;
    Ok(())
}

fn signed_text(m: Money) -> String {
    if m.is_negative() {
        format!("付出 {}", (-m).to_yuan())
    } else {
        format!("收入 {}", m.to_yuan())
    }
}

/// [BNK-1] undoes a match, unless it lies in a closed month.
pub fn unmatch(books: &mut impl Books, account: &str, id: u64) -> Result<(), Failure> {
    let line = find_line(books.statement_lines(account)?, id)?;
    let Some(voucher) = line.matched else {
        return refuse(Rule::Bnk1, format!("对账单第 {id} 行没有勾对，无需取消"));
    };
    for p in [Period::of(line.line.date), voucher.period] {
        if books.period_closed(p)? {
            return refuse(Rule::Per1, format!("{p} 已结账，其银行对账结果不能再改；如确需更正，须先反结账"));
        }
    }
    books.append(Event::BankUnmatched { line: id, voucher })?;
    Ok(())
}

/// [BNK-1] the book entries a reconciliation at the end of `end` needs:
/// those still in transit at the last close before its month, and those
/// dated after that close (from the first statement line on). Earlier
/// entries were reconciled at that close and are not read again.
fn entries_for(
    books: &mut impl Books,
    account: &str,
    lines: &[StoredLine],
    end: Date,
) -> Result<Vec<BookEntry>, Failure> {
    let period = Period::of(end);
    let first_line = lines.iter().map(|l| l.line.date).min();
    let (from, carried) = match books.last_close_before(period)? {
        Some((closed, list)) => (closed.next().first_day(), list),
        None => (first_line.unwrap_or(period.first_day()), Vec::new()),
    };
    let from = first_line.map_or(from, |f| from.max(f));
    let mut entries = if from <= end { book_entries(books, account, from, end)? } else { Vec::new() };
    for t in carried.iter().filter(|t| t.account == account) {
        if let Some((v, Status::Posted)) = books.voucher(t.voucher)? {
            if let Some(mut e) = entry_of(&v, account) {
                e.carried = true;
                entries.push(e);
            }
        }
    }
    Ok(entries)
}

/// [BNK-1] the reconciliation statement of one bank account at the end of
/// `date` (a handover's day).
pub fn reconcile_at(books: &mut impl Books, account: &str, date: Date) -> Result<Reconciliation, Failure> {
    let lines = books.statement_lines(account)?;
    let name = books.chart().full_name(account);
    let period = Period::of(date);
    let entries = entries_for(books, account, &lines, date)?;
    let before = books.balance_through(account, period.prev())?;
    let month: Money = book_entries(books, account, period.first_day(), date)?.iter().map(|e| e.amount).sum();
    let through = books.statement_through(account)?;
    Ok(Reconciliation::build_at(account, &name, date, before + month, &lines, &entries, through))
}

/// [BNK-1] the reconciliation statement of one bank account at the end of `period`.
pub fn reconcile(books: &mut impl Books, account: &str, period: Period) -> Result<Reconciliation, Failure> {
    let lines = books.statement_lines(account)?;
    let name = books.chart().full_name(account);
    let entries = entries_for(books, account, &lines, period.last_day())?;
    let balance = books.balance_through(account, period)?;
    let through = books.statement_through(account)?;
    Ok(Reconciliation::build(account, &name, period, balance, &lines, &entries, through))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn lim_1_statements_stay_within_what_the_engine_sums() {
        let mut b = crate::memory::MemoryBooks::fixture();
        let big = crate::money::MAX_TOTAL_FEN / 4;
        b.statement.push(line(1, date!(2025 - 01 - 02), big, big, "A"));
        let more = |reference: &str| Statement {
            sha256: "x".into(),
            encoding: TextEncoding::Utf8,
            lines: vec![line(2, date!(2025 - 01 - 03), big, 2 * big, reference).line],
        };
        let refused = import_statement(&mut b, "1002", "s.csv", more("B"), None, date!(2025 - 01 - 31));
        assert!(matches!(refused, Err(Failure::Refused(r)) if r.first_rule() == Rule::Lim1));
        let small = Statement {
            sha256: "y".into(),
            encoding: TextEncoding::Utf8,
            lines: vec![line(2, date!(2025 - 01 - 03), 100, big + 100, "C").line],
        };
        import_statement(&mut b, "1002", "s.csv", small, None, date!(2025 - 01 - 31)).unwrap();
    }

    fn line(id: u64, d: Date, amount: i64, balance: i64, reference: &str) -> StoredLine {
        StoredLine {
            id,
            account: "1002".into(),
            line: StatementLine {
                date: d,
                inflow: Money::from_fen(amount.max(0)),
                outflow: Money::from_fen((-amount).max(0)),
                balance: Money::from_fen(balance),
                reference: reference.into(),
                counterparty: String::new(),
                summary: String::new(),
            },
            matched: None,
        }
    }

    fn entry(n: u32, d: Date, amount: i64, reference: &str) -> BookEntry {
        BookEntry {
            voucher: VoucherRef { period: Period::of(d), number: n },
            date: d,
            amount: Money::from_fen(amount),
            summary: "x".into(),
            references: vec![reference.into()],
            carried: false,
        }
    }

    #[test]
    fn bnk_1_reads_a_bank_export_with_title_rows_and_gbk() {
        let text = "中国农业银行账户明细\n账号,6228xxxx\n交易日期,交易流水号,摘要,收入金额,支出金额,余额,对方户名\n\
                    20250403 10:22:01,A001,拨款,\"5,000.00\",,105000.00,街道办事处\n2025-04-05,A002,转账,,300,104700,某物业\n合计,,,5000,300,,\n";
        let gbk = encoding_rs::GBK.encode(text).0.into_owned();
        for bytes in [text.as_bytes().to_vec(), gbk] {
            let s = read_statement(&bytes, None, &[]).unwrap();
            assert_eq!(s.lines.len(), 2);
            assert_eq!(s.lines[0].date, date!(2025 - 04 - 03));
            assert_eq!(s.lines[0].inflow, Money::from_fen(500_000));
            assert_eq!(s.lines[1].outflow, Money::from_fen(30_000));
            assert_eq!(s.lines[1].counterparty, "某物业");
        }
    }

    #[test]
    fn bnk_1_names_the_missing_columns_and_takes_a_mapping() {
        let text = "时间,进账,出账,结余\n2025-04-03,10,,10\n";
        let err = read_statement(text.as_bytes(), None, &[]).unwrap_err();
        assert_eq!(err.reasons[0].rule, Rule::Bnk1);
        assert!(err.reasons[0].message.contains("交易日期") && err.reasons[0].message.contains("余额"));
        let map = parse_mapping("date=时间,in=进账,out=出账,balance=结余").unwrap();
        let s = read_statement(text.as_bytes(), None, &map).unwrap();
        assert_eq!(s.lines[0].balance, Money::from_fen(1_000));
        assert_eq!(parse_mapping("when=时间").unwrap_err().rule, Rule::Bnk1);
        let bad = "交易日期,收入,支出,余额\n2025-13-01,1,,1\n2025-04-02,,,1\n";
        let err = read_statement(bad.as_bytes(), None, &[]).unwrap_err();
        assert_eq!(err.reasons.iter().map(|r| r.row).collect::<Vec<_>>(), vec![Some(2), Some(3)]);
    }

    #[test]
    fn bnk_1_a_balance_that_does_not_follow_is_refused_naming_the_line() {
        let text = "交易日期,收入金额,支出金额,余额\n2025-02-03,100,,1100\n2025-02-05,,50,1050\n2025-02-09,,30,1000\n";
        let err = read_statement(text.as_bytes(), None, &[]).unwrap_err();
        assert_eq!(err.reasons.len(), 1);
        let r = &err.reasons[0];
        assert_eq!((r.rule, r.row), (Rule::Bnk1, Some(4)), "{}", r.message);
        assert!(r.message.contains("余额 ¥1,050.00") && r.message.contains("应为 ¥1,020.00"), "{}", r.message);
        // Exported newest first, the same lines follow from one another.
        let newest_first =
            "交易日期,收入金额,支出金额,余额\n2025-02-09,,30,1020\n2025-02-05,,50,1050\n2025-02-03,100,,1100\n";
        assert_eq!(read_statement(newest_first.as_bytes(), None, &[]).unwrap().lines.len(), 3);
    }

    #[test]
    fn bnk_1_a_statement_continues_from_the_last_line_imported() {
        use crate::memory::MemoryBooks;
        let mut b = MemoryBooks::fixture();
        let today = date!(2025 - 03 - 31);
        let read =
            |t: &str| read_statement(format!("交易日期,收入金额,支出金额,余额\n{t}").as_bytes(), None, &[]).unwrap();
        import_statement(&mut b, "1002", "1.csv", read("2025-01-06,100,,1100\n"), None, today).unwrap();
        let gap = import_statement(&mut b, "1002", "2.csv", read("2025-02-06,100,,1300\n"), None, today);
        match gap {
            Err(Failure::Refused(r)) => assert!(r.reasons[0].message.contains("应为 ¥1,200.00"), "{:?}", r.reasons),
            other => panic!("a missing line must be refused: {other:?}"),
        }
        import_statement(&mut b, "1002", "2.csv", read("2025-02-06,100,,1200\n"), None, today).unwrap();
        assert_eq!(b.statement_through("1002").unwrap(), Some(date!(2025 - 02 - 06)));
        let quiet = read("");
        assert!(import_statement(&mut b, "1002", "3.csv", quiet.clone(), None, today).is_err(), "no lines, no reach");
        import_statement(&mut b, "1002", "3.csv", quiet.clone(), Some(date!(2025 - 02 - 28)), today).unwrap();
        assert_eq!(b.statement_through("1002").unwrap(), Some(date!(2025 - 02 - 28)));
        assert!(
            import_statement(&mut b, "1002", "4.csv", quiet, Some(date!(2025 - 04 - 30)), today).is_err(),
            "future"
        );
    }

    #[test]
    fn bnk_1_a_statement_short_of_the_month_end_is_not_balanced() {
        let p = Period::parse("2025-02").unwrap();
        let mut lines = vec![line(1, date!(2025 - 01 - 31), 1_000, 11_000, "")];
        let entries = vec![entry(1, date!(2025 - 01 - 31), 1_000, "")];
        lines[0].matched = Some(entries[0].voucher);
        let book = Money::from_fen(11_000);
        let r = Reconciliation::build("1002", "银行存款", p, book, &lines, &entries, None);
        assert_eq!(r.adjusted_bank(), Some(r.adjusted_book()), "the figures agree");
        assert!(!r.agrees() && !r.statement_complete(), "but January's statement says nothing of February");
        let problem = r.problem().unwrap();
        assert_eq!(problem.rule, Rule::Bnk1);
        assert!(
            problem.message.contains("只到 2025-01-31") && problem.message.contains("2025-02-28"),
            "{}",
            problem.message
        );
        let full = Reconciliation::build("1002", "银行存款", p, book, &lines, &entries, Some(date!(2025 - 02 - 28)));
        assert!(full.agrees() && full.problem().is_none());
    }

    #[test]
    fn bnk_1_duplicate_lines_are_recognised() {
        let a = line(1, date!(2025 - 04 - 03), 100, 100, "A1").line;
        let b = line(2, date!(2025 - 04 - 04), 100, 200, "A2").line;
        let known: HashSet<String> = [a.key()].into();
        let (fresh, dups) = new_lines(&known, vec![a.clone(), b.clone(), b.clone()]);
        assert_eq!((fresh, dups), (vec![b], 2));
    }

    #[test]
    fn bnk_1_auto_match_prefers_reference_then_nearest_date() {
        let lines = vec![line(1, date!(2025 - 04 - 05), -300, 0, "X9"), line(2, date!(2025 - 04 - 20), 500, 0, "")];
        let entries = vec![
            entry(1, date!(2025 - 04 - 04), -300, ""),
            entry(2, date!(2025 - 04 - 08), -300, "X9"),
            entry(3, date!(2025 - 04 - 01), 500, ""),
        ];
        let m = auto_match(&lines, &entries, 5);
        assert_eq!(m, vec![(1, entries[1].voucher)], "the 500 is 19 days away: outside the window");
    }

    #[test]
    fn bnk_1_reconciliation_balances_with_items_in_transit() {
        let p = Period::parse("2025-04").unwrap();
        let mut lines = vec![
            line(1, date!(2025 - 04 - 02), 1_000, 11_000, ""),
            line(2, date!(2025 - 04 - 30), -50, 10_950, ""), // bank fee not booked yet
        ];
        let entries = vec![
            entry(1, date!(2025 - 04 - 02), 1_000, ""),
            entry(2, date!(2025 - 04 - 30), -400, ""), // cheque not yet presented
        ];
        lines[0].matched = Some(entries[0].voucher);
        let book = Money::from_fen(10_000 + 1_000 - 400);
        let end = Some(date!(2025 - 04 - 30));
        let r = Reconciliation::build("1002", "银行存款", p, book, &lines, &entries, end);
        assert_eq!(r.bank_out_not_booked.len(), 1);
        assert_eq!(r.booked_out_not_banked.len(), 1);
        assert_eq!(r.adjusted_book(), Money::from_fen(10_550));
        assert_eq!(r.adjusted_bank(), Some(Money::from_fen(10_550)));
        assert!(r.agrees() && r.problem().is_none());
        let off = Reconciliation::build("1002", "银行存款", p, book + Money::from_fen(7), &lines, &entries, end);
        let problem = off.problem().unwrap();
        assert_eq!(problem.rule, Rule::Bnk1);
        assert!(problem.message.contains("0.07"), "{}", problem.message);
        let none = Reconciliation::build("1002", "银行存款", p, book, &[], &entries, None);
        assert!(none.problem().unwrap().message.contains("bank import"));
    }
}
