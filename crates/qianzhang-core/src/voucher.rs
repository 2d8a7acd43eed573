//! Vouchers (记账凭证) and their lines.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::account::Chart;
use crate::money::{Money, MoneyError, MAX_LINE_FEN};
use crate::period::{date_serde, Period};
use crate::rule::{Refusal, Rule};

/// At most this many lines on one voucher.
pub const MAX_LINES: usize = 200;
/// Summaries, counterparties, funds and document fields are short texts.
pub const MAX_TEXT_CHARS: usize = 200;
/// The largest voucher file (`voucher add --file`, TOML or JSON), in bytes:
/// far more than `MAX_LINES` lines need (LIM-1).
pub const MAX_VOUCHER_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn chinese(self) -> &'static str {
        match self {
            Side::Debit => "借",
            Side::Credit => "贷",
        }
    }
}

/// A voucher's identity: its period and its number within the period,
/// printed `2025-03/记-0001`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VoucherRef {
    pub period: Period,
    pub number: u32,
}

impl VoucherRef {
    /// `记-0001`, the number as written on the voucher.
    pub fn label(&self) -> String {
        format!("记-{:04}", self.number)
    }

    /// Reads `2025-03/记-0001`, `2025-03/1` or `2025-03-0001`.
    pub fn parse(text: &str) -> Option<VoucherRef> {
        let t = text.trim();
        let (period, number) = match t.split_once('/') {
            Some(parts) => parts,
            None if t.len() > 8 && t.as_bytes()[7] == b'-' => (&t[..7], &t[8..]),
            None => return None,
        };
        let period = Period::parse(period).ok()?;
        let digits =
            number.trim().trim_start_matches("记").trim_start_matches(['-', '字', '第']).trim_end_matches('号');
        let number: u32 = digits.parse().ok()?;
        (number > 0).then_some(VoucherRef { period, number })
    }
}

impl fmt::Display for VoucherRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}/记-{:04}", self.period, self.number))
    }
}

impl FromStr for VoucherRef {
    type Err = Refusal;
    fn from_str(s: &str) -> Result<VoucherRef, Refusal> {
        VoucherRef::parse(s).ok_or_else(|| {
            Refusal::new(Rule::Vch4, format!("“{s}”不是凭证号，应写作 期间/记-编号，例如 2025-03/记-0001"))
        })
    }
}

impl Serialize for VoucherRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for VoucherRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<VoucherRef, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        VoucherRef::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("bad voucher reference {text}")))
    }
}

/// One line (分录) of a voucher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub summary: String,
    pub account: String,
    pub side: Side,
    /// Positive, except on a red reversal where every amount is negated.
    pub amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
}

impl Line {
    /// Signed debit-positive effect on the account balance.
    pub fn signed(&self) -> Money {
        match self.side {
            Side::Debit => self.amount,
            Side::Credit => -self.amount,
        }
    }

    pub fn debit(&self) -> Money {
        if self.side == Side::Debit {
            self.amount
        } else {
            Money::ZERO
        }
    }

    pub fn credit(&self) -> Money {
        if self.side == Side::Credit {
            self.amount
        } else {
            Money::ZERO
        }
    }
}

/// An original document (原始凭证) attached to a voucher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub doc_type: String,
    /// Who issued it (开票单位); with type and number it names the document (DOC-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// 经办人 (DOC-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// 验收人 for goods and services, not the handler (DOC-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checker: Option<String>,
    #[serde(default, with = "crate::period::opt_date_serde", skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// How a voucher came into the books.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Entered with `voucher add`.
    Entered,
    /// Imported from a file; goes through the life cycle like an entered one.
    Imported,
    /// Migrated history from before go-live: posted, unsigned, in closed periods.
    History,
    /// Generated by the year-end close (结转本年收支): posted as generated.
    Closing,
}

impl Origin {
    pub fn chinese(self) -> &'static str {
        match self {
            Origin::Entered => "录入",
            Origin::Imported => "导入",
            Origin::History => "历史迁移",
            Origin::Closing => "期末结转",
        }
    }
}

/// Where a voucher is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Prepared,
    Posted,
    /// A prepared voucher withdrawn before posting (作废): its number stays
    /// taken, it changes no balance and takes no signature.
    Voided,
}

impl Status {
    pub fn chinese(self) -> &'static str {
        match self {
            Status::Prepared => "已制单",
            Status::Posted => "已记账",
            Status::Voided => "已作废",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Prepared => "prepared",
            Status::Posted => "posted",
            Status::Voided => "voided",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Status> {
        match s {
            "prepared" => Some(Status::Prepared),
            "posted" => Some(Status::Posted),
            "voided" => Some(Status::Voided),
            _ => None,
        }
    }
}

/// A voucher as the engine keeps it. Built only through the checks in
/// [`crate::books`]; fields are read through getters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voucher {
    #[serde(rename = "ref")]
    reference: VoucherRef,
    #[serde(with = "date_serde")]
    date: Date,
    lines: Vec<Line>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    documents: Vec<Document>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authorization: Option<String>,
    origin: Origin,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reverses: Option<VoucherRef>,
    /// The number the voucher carried in the file it came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_ref: Option<String>,
    preparer: String,
}

impl Voucher {
    pub fn reference(&self) -> VoucherRef {
        self.reference
    }
    pub fn period(&self) -> Period {
        self.reference.period
    }
    pub fn date(&self) -> Date {
        self.date
    }
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }
    pub fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }
    pub fn origin(&self) -> Origin {
        self.origin
    }
    pub fn reverses(&self) -> Option<VoucherRef> {
        self.reverses
    }
    pub fn source_ref(&self) -> Option<&str> {
        self.source_ref.as_deref()
    }
    /// The voucher cut down to the lines of one special fund (FND-1), for
    /// reports by fund; `None` when no line carries the fund.
    pub fn fund_part(&self, fund: &str) -> Option<Voucher> {
        let lines: Vec<Line> = self.lines.iter().filter(|l| l.fund.as_deref() == Some(fund)).cloned().collect();
        (!lines.is_empty()).then(|| Voucher { lines, ..self.clone() })
    }

    pub fn preparer(&self) -> &str {
        &self.preparer
    }
    pub fn total_debit(&self) -> Money {
        self.lines.iter().map(Line::debit).sum()
    }
    pub fn total_credit(&self) -> Money {
        self.lines.iter().map(Line::credit).sum()
    }
}

/// A voucher before the engine has numbered and accepted it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub lines: Vec<Line>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub authorization: Option<String>,
    /// Set only for red reversals; the lines must negate the original's.
    #[serde(default)]
    pub reverses: Option<VoucherRef>,
    #[serde(default)]
    pub source_ref: Option<String>,
}

fn tidy(text: Option<String>) -> Option<String> {
    text.map(trimmed).filter(|t| !t.is_empty())
}

/// `text` trimmed, kept as it is when there is nothing to trim.
fn trimmed(text: String) -> String {
    if text.trim().len() == text.len() {
        text
    } else {
        text.trim().to_string()
    }
}

impl Draft {
    /// Texts trimmed, empty optional texts absent: the form every voucher is
    /// kept in, whichever way it was entered.
    pub fn normalized(mut self) -> Draft {
        for l in &mut self.lines {
            l.summary = trimmed(std::mem::take(&mut l.summary));
            l.account = trimmed(std::mem::take(&mut l.account));
            l.fund = tidy(l.fund.take());
            l.counterparty = tidy(l.counterparty.take());
        }
        for d in &mut self.documents {
            d.doc_type = trimmed(std::mem::take(&mut d.doc_type));
            d.issuer = tidy(d.issuer.take());
            d.number = tidy(d.number.take());
            d.handler = tidy(d.handler.take());
            d.checker = tidy(d.checker.take());
        }
        self.authorization = tidy(self.authorization.take());
        self.source_ref = tidy(self.source_ref.take());
        self
    }
}

/// [VCH-1] lines balance, each has one side and a positive amount in fen
/// (negative throughout for a red reversal); at least one debit and one
/// credit. Returns every violation found.
pub fn check_lines(lines: &[Line], red: bool) -> Vec<Refusal> {
    let mut out = Vec::new();
    let v = |m: String| Refusal::new(Rule::Vch1, m);
    if lines.len() < 2 {
        out.push(v(format!("凭证至少要有两行分录，现有 {} 行", lines.len())));
    }
    if lines.len() > MAX_LINES {
        out.push(Refusal::new(Rule::Lim1, format!("一张凭证最多 {MAX_LINES} 行分录，现有 {} 行", lines.len())));
    }
    for (i, l) in lines.iter().enumerate() {
        let n = i + 1;
        if l.amount.is_zero() {
            out.push(v("分录金额为零，金额须大于零".into()).at_row(n));
        } else if l.amount.is_negative() != red {
            if red {
                out.push(v(format!("红字冲销凭证的金额应为负数（红字），现为 {}", l.amount)).at_row(n));
            } else {
                out.push(v(format!("分录金额为负数 {}，金额须大于零；更正已记账凭证请用红字冲销", l.amount)).at_row(n));
            }
        }
        if l.summary.trim().is_empty() {
            out.push(v("分录缺少摘要".into()).at_row(n));
        }
        for (what, text, max) in [
            ("摘要", Some(&l.summary), MAX_TEXT_CHARS),
            ("资金", l.fund.as_ref(), MAX_TEXT_CHARS),
            ("往来单位", l.counterparty.as_ref(), MAX_TEXT_CHARS),
            ("科目", Some(&l.account), crate::text::NUMBER_CHARS),
        ] {
            if let Some(Err(r)) = text.map(|t| crate::text::check_text(what, t, max)) {
                out.push(r.at_row(n));
            }
        }
    }
    if !lines.is_empty() {
        if !lines.iter().any(|l| l.side == Side::Debit) {
            out.push(v("凭证没有借方分录，须至少一借一贷".into()));
        }
        if !lines.iter().any(|l| l.side == Side::Credit) {
            out.push(v("凭证没有贷方分录，须至少一借一贷".into()));
        }
    }
    let debit: i128 = lines.iter().map(|l| l.debit().fen() as i128).sum();
    let credit: i128 = lines.iter().map(|l| l.credit().fen() as i128).sum();
    if debit != credit {
        let d = Money::from_fen(debit as i64);
        let c = Money::from_fen(credit as i64);
        out.push(v(format!("借贷不平衡：借方合计 {d}，贷方合计 {c}，相差 {}", (d - c).abs())));
    }
    out
}

/// [LIM-1] the texts of a draft besides its lines: each document's fields,
/// the authorization cited and the file's own number.
pub fn check_draft_text(draft: &Draft) -> Vec<Refusal> {
    use crate::text::{check_text, NAME_CHARS, NUMBER_CHARS, SUMMARY_CHARS};
    let mut out = Vec::new();
    for (i, d) in draft.documents.iter().enumerate() {
        for (what, text, max) in [
            ("单据类型", Some(&d.doc_type), NUMBER_CHARS),
            ("开票单位", d.issuer.as_ref(), SUMMARY_CHARS),
            ("单据号", d.number.as_ref(), NUMBER_CHARS),
            ("经办人", d.handler.as_ref(), NAME_CHARS),
            ("验收人", d.checker.as_ref(), NAME_CHARS),
        ] {
            if let Some(Err(r)) = text.map(|t| check_text(what, t, max)) {
                out.push(Refusal { message: format!("第 {} 张单据：{}", i + 1, r.message), ..r });
            }
        }
    }
    for (what, text) in [("审批依据", draft.authorization.as_ref()), ("凭证号", draft.source_ref.as_ref())] {
        if let Some(Err(r)) = text.map(|t| check_text(what, t, NUMBER_CHARS)) {
            out.push(r);
        }
    }
    out
}

/// [VCH-2] every account exists, is a leaf and is open on `date`.
pub fn check_accounts(chart: &Chart, lines: &[Line], date: Date) -> Vec<Refusal> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let n = i + 1;
        match chart.get(&l.account) {
            None => out.push(
                Refusal::new(Rule::Vch2, format!("科目“{}”不存在，请先用 account add 设立", l.account)).at_row(n),
            ),
            Some(a) if !chart.is_leaf(a.code()) => out.push(
                Refusal::new(
                    Rule::Vch2,
                    format!(
                        "科目 {} {} 有下级科目，只能记入末级科目（如 {}）",
                        a.code(),
                        a.name(),
                        first_leaf(chart, a.code())
                    ),
                )
                .at_row(n),
            ),
            Some(a) if !a.is_open_on(date) => out.push(
                Refusal::new(
                    Rule::Vch2,
                    format!("科目 {} {} 在 {} 未启用或已停用", a.code(), a.name(), crate::period::format_date(date)),
                )
                .at_row(n),
            ),
            Some(_) => {}
        }
    }
    out
}

fn first_leaf(chart: &Chart, code: &str) -> String {
    chart.children(code).find(|c| chart.is_leaf(c.code())).map(|c| c.code().to_string()).unwrap_or_default()
}

/// [VCH-5] a red reversal negates exactly the lines of the original.
pub fn check_reversal_lines(original: &Voucher, lines: &[Line]) -> Option<Refusal> {
    let key = |l: &Line, negate: bool| (l.account.clone(), l.side, if negate { -l.amount } else { l.amount });
    let mut want: Vec<_> = original.lines().iter().map(|l| key(l, true)).collect();
    let mut got: Vec<_> = lines.iter().map(|l| key(l, false)).collect();
    want.sort();
    got.sort();
    (want != got).then(|| {
        Refusal::new(
            Rule::Vch5,
            format!(
                "红字冲销凭证的分录须与原凭证 {} 相同、金额取负数；请用 voucher reverse 自动生成",
                original.reference()
            ),
        )
    })
}

impl Voucher {
    /// Assembles a voucher whose checks have passed. Only the books module
    /// calls this, after VCH-1..VCH-3 and VCH-5.
    pub(crate) fn accepted(reference: VoucherRef, draft: Draft, origin: Origin, preparer: &str) -> Voucher {
        Voucher {
            reference,
            date: draft.date,
            lines: draft.lines,
            documents: draft.documents,
            authorization: draft.authorization,
            origin,
            reverses: draft.reverses,
            source_ref: draft.source_ref,
            preparer: preparer.to_string(),
        }
    }

    /// The same voucher with one more document (a revision of a prepared voucher).
    pub(crate) fn with_document(&self, document: Document) -> Voucher {
        let mut v = self.clone();
        v.documents.push(document);
        v
    }

    /// The draft of a copy dated `date`: the same lines and authorization,
    /// no documents (DOC-2: a document supports one live voucher).
    pub fn copy_draft(&self, date: Date) -> Draft {
        Draft {
            date,
            lines: self.lines.clone(),
            documents: Vec::new(),
            authorization: self.authorization.clone(),
            reverses: None,
            source_ref: None,
        }
    }

    /// The red reversal's draft: the same lines negated, citing the original.
    pub fn reversal_draft(&self, date: Date) -> Draft {
        let tag = format!("冲销 {}", self.reference);
        Draft {
            date,
            lines: self
                .lines
                .iter()
                .map(|l| Line { summary: format!("{tag} {}", l.summary), amount: -l.amount, ..l.clone() })
                .collect(),
            documents: Vec::new(),
            authorization: None,
            reverses: Some(self.reference),
            source_ref: None,
        }
    }
}

/// [VCH-1]/[CSV-2] reads one typed amount; empty text is `None`. A negative
/// amount is accepted only on a red reversal.
pub fn read_amount(text: &str, what: &str, red: bool) -> Result<Option<Money>, Refusal> {
    match Money::parse(text) {
        Err(MoneyError::Empty) => Ok(None),
        Ok(m) if m.is_negative() && !red => Err(Refusal::new(
            Rule::Vch1,
            format!("{what}金额为负数“{}”；金额须大于零，更正已记账凭证请用红字冲销", text.trim()),
        )),
        Ok(m) => Ok(Some(m)),
        Err(MoneyError::TooManyDecimals(t)) => {
            Err(Refusal::new(Rule::Vch1, format!("{what}金额“{t}”超过两位小数，金额只能记到分")))
        }
        Err(MoneyError::OutOfRange(t)) => Err(Refusal::new(
            Rule::Lim1,
            format!(
                "{what}金额“{t}”超过一笔金额的上限 {}，请核对是否多写了位数",
                Money::from_fen(MAX_LINE_FEN).to_yuan()
            ),
        )),
        Err(e) => Err(Refusal::new(Rule::Csv2, format!("{what}{e}"))),
    }
}

/// [VCH-1] a line has exactly one of debit and credit. A zero beside an
/// amount on the other side counts as empty, as spreadsheets write it.
pub fn one_side(debit: Option<Money>, credit: Option<Money>) -> Result<(Side, Money), Refusal> {
    let none = || Refusal::new(Rule::Vch1, "借方和贷方都没有金额；每行须填借方或贷方之一");
    match (debit, credit) {
        (Some(d), Some(c)) if d.is_zero() && c.is_zero() => Err(none()),
        (Some(d), Some(c)) if c.is_zero() => Ok((Side::Debit, d)),
        (Some(d), Some(c)) if d.is_zero() => Ok((Side::Credit, c)),
        (Some(_), Some(_)) => Err(Refusal::new(Rule::Vch1, "同一行既有借方又有贷方金额；每行只能填借方或贷方之一")),
        (Some(d), None) => Ok((Side::Debit, d)),
        (None, Some(c)) => Ok((Side::Credit, c)),
        (None, None) => Err(none()),
    }
}

/// An amount as typed in a voucher file: a string (`"1,234.50"`) or an
/// integer. Floats are read through their shortest decimal form.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AmountInput {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl AmountInput {
    fn text(&self) -> String {
        match self {
            AmountInput::Text(t) => t.clone(),
            AmountInput::Integer(i) => i.to_string(),
            AmountInput::Float(f) => f.to_string(),
        }
    }
}

/// A line as written in a voucher file (TOML or JSON): `debit` or `credit`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub summary: String,
    pub account: String,
    #[serde(default)]
    pub debit: Option<AmountInput>,
    #[serde(default)]
    pub credit: Option<AmountInput>,
    #[serde(default)]
    pub fund: Option<String>,
    #[serde(default)]
    pub counterparty: Option<String>,
}

/// A voucher as written in a file for `voucher add`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub lines: Vec<LineInput>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub authorization: Option<String>,
}

impl DraftInput {
    /// [VCH-1] each line has exactly one of debit and credit, readable and
    /// with at most two decimals; accounts are found by code or name.
    pub fn into_draft(self, chart: &Chart) -> Result<Draft, Vec<Refusal>> {
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for (i, l) in self.lines.into_iter().enumerate() {
            let n = i + 1;
            let read =
                |a: &Option<AmountInput>, what| a.as_ref().map_or(Ok(None), |a| read_amount(&a.text(), what, false));
            let sided = match (read(&l.debit, "借方"), read(&l.credit, "贷方")) {
                (Ok(d), Ok(c)) => one_side(d, c).map_err(|e| vec![e]),
                (d, c) => Err([d.err(), c.err()].into_iter().flatten().collect()),
            };
            let (side, amount) = match sided {
                Ok(sa) => sa,
                Err(es) => {
                    errors.extend(es.into_iter().map(|e| e.at_row(n)));
                    continue;
                }
            };
            let account = chart.resolve(&l.account).map(|a| a.code().to_string()).unwrap_or(l.account);
            lines.push(Line { summary: l.summary, account, side, amount, fund: l.fund, counterparty: l.counterparty });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Draft {
            date: self.date,
            lines,
            documents: self.documents,
            authorization: self.authorization,
            reverses: None,
            source_ref: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    pub(crate) fn line(account: &str, side: Side, fen: i64) -> Line {
        Line {
            summary: "测试".into(),
            account: account.into(),
            side,
            amount: Money::from_fen(fen),
            fund: None,
            counterparty: None,
        }
    }

    fn rules(v: &[Refusal]) -> Vec<Rule> {
        v.iter().map(|r| r.rule).collect()
    }

    #[test]
    fn vch_1_balanced_voucher_passes() {
        let lines = [line("5201", Side::Debit, 1000), line("1001", Side::Credit, 1000)];
        assert!(check_lines(&lines, false).is_empty());
    }

    #[test]
    fn vch_1_refuses_unbalanced_zero_negative_and_one_sided() {
        let unbalanced = [line("5201", Side::Debit, 1000), line("1001", Side::Credit, 999)];
        let errs = check_lines(&unbalanced, false);
        assert_eq!(rules(&errs), vec![Rule::Vch1]);
        assert!(errs[0].message.contains("相差 0.01"), "{}", errs[0].message);
        assert_eq!(
            rules(&check_lines(&[line("5201", Side::Debit, 0), line("1001", Side::Credit, 0)], false)),
            vec![Rule::Vch1, Rule::Vch1]
        );
        assert!(!check_lines(&[line("5201", Side::Debit, -5), line("1001", Side::Credit, -5)], false).is_empty());
        assert!(!check_lines(&[line("5201", Side::Debit, 5), line("1001", Side::Debit, 5)], false).is_empty());
        assert!(!check_lines(&[line("5201", Side::Debit, 5)], false).is_empty());
    }

    #[test]
    fn vch_1_one_side_per_line_as_typed() {
        let m = |t: &str| read_amount(t, "借方", false);
        assert_eq!(m(""), Ok(None));
        assert_eq!(m("¥1,000.50"), Ok(Some(Money::from_fen(100_050))));
        assert_eq!(m("-1").unwrap_err().rule, Rule::Vch1);
        assert_eq!(read_amount("-1", "借方", true), Ok(Some(Money::from_fen(-100))));
        assert_eq!(m("1.005").unwrap_err().rule, Rule::Vch1);
        assert_eq!(m("一百").unwrap_err().rule, Rule::Csv2);
        let (d, z) = (Some(Money::from_fen(5)), Some(Money::ZERO));
        assert_eq!(one_side(d, None), Ok((Side::Debit, Money::from_fen(5))));
        assert_eq!(one_side(z, d), Ok((Side::Credit, Money::from_fen(5))), "a zero beside an amount is empty");
        assert_eq!(one_side(z, None), Ok((Side::Debit, Money::ZERO)), "a lone zero is left for check_lines");
        assert_eq!(one_side(d, d).unwrap_err().rule, Rule::Vch1);
        assert_eq!(one_side(z, z).unwrap_err().rule, Rule::Vch1);
        assert_eq!(one_side(None, None).unwrap_err().rule, Rule::Vch1);
    }

    #[test]
    fn vch_1_red_reversal_is_all_negative() {
        let red = [line("5201", Side::Debit, -1000), line("1001", Side::Credit, -1000)];
        assert!(check_lines(&red, true).is_empty());
        assert!(!check_lines(&red, false).is_empty());
    }

    #[test]
    fn vch_2_accounts_exist_are_leaves_and_open() {
        let mut chart = Chart::from_accounts(Chart::default_chart());
        let sub = chart
            .check_new(&crate::account::NewAccount {
                code: "520101".into(),
                name: "办公费".into(),
                kind: None,
                opened: None,
            })
            .unwrap();
        chart.insert(sub);
        let d = date!(2025 - 03 - 10);
        assert!(check_accounts(&chart, &[line("520101", Side::Debit, 1), line("1001", Side::Credit, 1)], d).is_empty());
        let errs = check_accounts(&chart, &[line("5201", Side::Debit, 1), line("9999", Side::Credit, 1)], d);
        assert_eq!(rules(&errs), vec![Rule::Vch2, Rule::Vch2]);
        assert!(errs[0].message.contains("520101"));
        let closed = chart.check_close("520101", d, Money::ZERO).unwrap();
        chart.insert(closed);
        assert_eq!(rules(&check_accounts(&chart, &[line("520101", Side::Debit, 1)], d)), vec![Rule::Vch2]);
    }

    #[test]
    fn voucher_refs_parse_in_every_written_form() {
        let r = VoucherRef { period: Period::parse("2025-03").unwrap(), number: 7 };
        for text in ["2025-03/记-0007", "2025-03/7", "2025-03-0007", "2025-03/记字第0007号"] {
            assert_eq!(VoucherRef::parse(text), Some(r), "{text}");
        }
        assert_eq!(r.to_string(), "2025-03/记-0007");
        assert_eq!(VoucherRef::parse("2025-03/0"), None);
        assert_eq!(VoucherRef::parse("记-0007"), None);
    }
}
