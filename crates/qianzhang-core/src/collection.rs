//! Money raised from residents (居民筹资, FND-2): the collection register of
//! a fund (household, payer, amount, date, receipt), who has paid and who
//! has not, the register's total against the fund's income, and the
//! residents' decision (一事一议) that spending from it above a setting
//! cites.
//!
//! A collection is a cash income to a fund (FND-1) against a receipt issued
//! to the payer (RCP-2): `collection add` issues the receipt and writes the
//! register line; `collection book` prepares, as the paper practice does,
//! one income voucher for a day's receipts — a credit line per receipt, with
//! the receipt as its document — checked as any other voucher.
//!
//! A fund is raised from residents once its register has a line.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::approval::{AuthKind, Authorization};
use crate::books::{Books, Event};
use crate::lifecycle::nature;
use crate::money::Money;
use crate::period::{date_serde, format_date, Period};
use crate::receipts::ReceiptState;
use crate::rule::{refuse, Failure, Refusal, Rule};
use crate::voucher::{Document, Draft, Line, Origin, Side, Voucher, VoucherRef};

/// The longest 门牌 or name accepted.
pub const MAX_NAME_CHARS: usize = 40;

/// A household of the register (门牌 and, if known, 户主).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// 门牌, e.g. 3号院2户.
    pub door: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

/// One line of the collection register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    pub fund: String,
    pub household: String,
    pub payer: String,
    pub amount: Money,
    #[serde(with = "date_serde")]
    pub date: Date,
    /// The receipt issued to the payer (RCP-2), e.g. SJ0000001.
    pub receipt: String,
}

/// [FND-2] what a residents' decision records besides its number, date,
/// scope and cap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The resident-raised fund it spends.
    pub fund: String,
    /// How many residents (or representatives) attended.
    pub attendance: u32,
    #[serde(rename = "for")]
    pub votes_for: u32,
    pub against: u32,
}

impl Decision {
    /// `到会 38 人，同意 35 票，反对 2 票`.
    pub fn describe(&self) -> String {
        format!("到会 {} 人，同意 {} 票，反对 {} 票", self.attendance, self.votes_for, self.against)
    }
}

fn check_name(what: &str, text: &str) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME_CHARS || t.chars().any(char::is_control) {
        return Err(Refusal::new(Rule::Fnd2, format!("{what}“{t}”无效：不能为空，不超过 {MAX_NAME_CHARS} 个字")));
    }
    Ok(t.to_string())
}

/// [FND-2] a residents' decision names its fund and a vote passed by more
/// than half of those attending; other kinds carry no vote.
pub fn check_decision(a: &Authorization) -> Result<(), Refusal> {
    let fnd = |m: String| Err(Refusal::new(Rule::Fnd2, m));
    match (&a.decision, a.kind) {
        (None, AuthKind::Residents) => fnd(format!(
            "{} 是居民会议/议事会决议，须写明专项资金（--fund）、到会人数（--attendance）和表决结果（--for、--against）",
            a.number
        )),
        (Some(_), k) if k != AuthKind::Residents => {
            fnd(format!("到会人数和表决结果只属于居民会议/议事会决议；{} 是{}", a.number, k.chinese()))
        }
        (Some(d), _) => {
            check_name("专项资金", &d.fund)?;
            if d.attendance == 0 || d.votes_for.saturating_add(d.against) > d.attendance {
                return fnd(format!(
                    "{} 的表决结果不成立：到会 {} 人，同意与反对合计 {} 票；请核对会议记录",
                    a.number,
                    d.attendance,
                    d.votes_for.saturating_add(d.against)
                ));
            }
            if u64::from(d.votes_for) * 2 <= u64::from(d.attendance) {
                return fnd(format!(
                    "{} 未获通过：到会 {} 人，同意 {} 票，未过半数；未通过的事项不能作为支出依据",
                    a.number, d.attendance, d.votes_for
                ));
            }
            Ok(())
        }
        (None, _) => Ok(()),
    }
}

/// [FND-2] registers a household (门牌, 户主) for the paid/unpaid list.
pub fn register_household(books: &mut impl Books, household: Household) -> Result<(), Failure> {
    let door = check_name("门牌", &household.door)?;
    let head = match household.head.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) => Some(check_name("户主", h)?),
        None => None,
    };
    if books.households()?.iter().any(|h| h.door == door) {
        return refuse(Rule::Fnd2, format!("门牌“{door}”已经登记过"));
    }
    books.append(Event::HouseholdRegistered { household: Household { door, head } })?;
    Ok(())
}

/// [FND-2] reads a household list: one `门牌,户主` a line (户主 may be
/// empty), an optional header line `门牌,户主`; cells are not quoted.
pub fn parse_households(text: &str) -> Result<Vec<Household>, Refusal> {
    let mut out: Vec<Household> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Refusal::new(Rule::Csv2, format!("CSV 格式错误：{e}")).at_row(i + 1))?;
        let door = record.get(0).unwrap_or_default();
        let head = record.get(1).filter(|h| !h.is_empty());
        if door.is_empty() && head.is_none() {
            continue;
        }
        if i == 0 && is_household_header(door) {
            continue;
        }
        let row = |r: Refusal| r.at_row(i + 1);
        let door = check_name("门牌", door).map_err(row)?;
        let head = head.map(|h| check_name("户主", h)).transpose().map_err(row)?;
        if out.iter().any(|h| h.door == door) {
            return Err(Refusal::new(Rule::Fnd2, format!("门牌“{door}”重复")).at_row(i + 1));
        }
        out.push(Household { door, head });
    }
    if out.is_empty() {
        return Err(Refusal::new(Rule::Fnd2, "住户名单是空的：每行一户，写 门牌,户主"));
    }
    Ok(out)
}

/// Whether a first cell is the household list's header (门牌 or door): a
/// workbook's title rows above it are skipped.
pub fn is_household_header(cell: &str) -> bool {
    let cell = cell.trim().trim_start_matches('\u{feff}');
    cell == "门牌" || cell.eq_ignore_ascii_case("door")
}

/// What the cashier records for one payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub fund: String,
    pub household: String,
    pub payer: String,
    pub amount: Money,
    pub date: Date,
    /// Issue the next receipt of this book …
    pub book: Option<String>,
    /// … or cite a receipt already issued to the payer.
    pub receipt: Option<String>,
}

/// [FND-2]/[RCP-2] records a payment in the register: the fund is declared,
/// the household registered, and the payer gets a receipt — the next of
/// `book`, or one already issued to them for that amount and not yet in the
/// register. Returns the receipt's number.
pub fn record_collection(books: &mut impl Books, p: Payment) -> Result<String, Failure> {
    let fund = p.fund.trim().to_string();
    if !books.funds()?.iter().any(|f| f.name == fund) {
        return refuse(Rule::Fnd1, format!("专项资金“{fund}”未设立；请先用 fund add {fund} --kind restricted 设立"));
    }
    let door = p.household.trim().to_string();
    if !books.households()?.iter().any(|h| h.door == door) {
        return refuse(Rule::Fnd2, format!("门牌“{door}”未登记；请先用 collection household add {door} 登记"));
    }
    let payer = check_name("交款人", &p.payer)?;
    if payer.chars().count() > crate::text::NAME_CHARS {
        return refuse(Rule::Fnd2, format!("交款人姓名不超过 {} 个字", crate::text::NAME_CHARS));
    }
    if p.amount.fen() <= 0 {
        return refuse(Rule::Fnd2, "缴款金额须大于零");
    }
    let receipt = match (&p.book, &p.receipt) {
        (Some(_), Some(_)) => {
            return refuse(Rule::Rcp2, "--book 与 --receipt 只能给一个：开新收据，或引用已开出的收据")
        }
        (_, Some(number)) => {
            let number = number.trim().to_string();
            match crate::receipts::receipt_by_number(books, &number)? {
                Some(ReceiptState::Issued { payer: to, amount, .. }) if to == payer && amount == p.amount => {}
                Some(ReceiptState::Issued { payer: to, amount, .. }) => {
                    return refuse(
                        Rule::Rcp2,
                        format!(
                            "收据 {number} 开给 {to}，金额 {}；与本笔缴款（{payer}，{}）不符",
                            amount.to_yuan(),
                            p.amount.to_yuan()
                        ),
                    )
                }
                Some(ReceiptState::Voided { .. }) => return refuse(Rule::Rcp2, format!("收据 {number} 已作废")),
                None => return refuse(Rule::Rcp2, format!("收据 {number} 不是本账套已开出的收据")),
            }
            if books.collections()?.iter().any(|c| c.receipt == number) {
                return refuse(Rule::Rcp2, format!("收据 {number} 已登记在收款名册中，同一张收据不能登记两次"));
            }
            number
        }
        (book, None) => {
            let book = match book {
                Some(b) => b.trim().to_string(),
                None => {
                    let all = books.receipt_books()?;
                    match all.as_slice() {
                        [only] => only.book.clone(),
                        _ => {
                            return refuse(
                                Rule::Rcp2,
                                "请用 --book 指明开收据的收据本（或用 --receipt 引用已开出的收据）",
                            )
                        }
                    }
                }
            };
            crate::receipts::issue_receipt(books, &book, &payer, p.amount, p.date)?
        }
    };
    books.append(Event::CollectionRecorded {
        collection: Collection {
            fund,
            household: door,
            payer,
            amount: p.amount,
            date: p.date,
            receipt: receipt.clone(),
        },
    })?;
    Ok(receipt)
}

/// [RCP-2] the receipt of a register line as a voucher's document;
/// `handler` (经办人) is the cashier who took the money, never the payer.
pub fn receipt_document(c: &Collection, handler: Option<String>) -> Document {
    Document {
        doc_type: "收据".into(),
        issuer: None,
        number: Some(c.receipt.clone()),
        amount: Some(c.amount),
        handler,
        checker: None,
        date: Some(c.date),
    }
}

/// [FND-2]/[PUB-2] the summary of a register line's voucher line: the fund,
/// the 门牌 and the receipt — no person's name, so the notice board prints
/// it as it stands; the payer goes in the line's counterparty, which the
/// board masks.
pub fn collection_summary(c: &Collection) -> String {
    format!("收{} {}（收据 {}）", c.fund, c.household, c.receipt)
}

/// [FND-2] prepares the income voucher of `fund`'s collections of `date`
/// not yet on a voucher: 借 1001 the day's total, 贷 `account` one line per
/// receipt with the fund and the payer as counterparty, each receipt its
/// line's document with the receipt book's holder as 经办人. No summary
/// names a person (PUB-2).
pub fn book_collections(
    books: &mut impl Books,
    fund: &str,
    date: Date,
    account: &str,
    preparer: &str,
    today: Date,
) -> Result<(VoucherRef, usize, Money), Failure> {
    let mut open = Vec::new();
    for c in books.collections()?.into_iter().filter(|c| c.fund == fund && c.date == date) {
        if books.document_used(&receipt_document(&c, None))?.is_none() {
            open.push(c);
        }
    }
    if open.is_empty() {
        return refuse(
            Rule::Fnd2,
            format!("“{fund}”在 {} 没有尚未入账的缴款；请用 collection list --fund {fund} 查看", format_date(date)),
        );
    }
    // One voucher holds MAX_LINES lines (LIM-1): the rest of a very busy day
    // goes on the next voucher, booked by running the command again.
    open.truncate(crate::voucher::MAX_LINES - 1);
    let total: Money = open.iter().map(|c| c.amount).sum();
    let mut lines = vec![Line {
        summary: format!("收{fund} {} 户", open.len()),
        account: crate::cash::CASH.into(),
        side: Side::Debit,
        amount: total,
        fund: Some(fund.to_string()),
        counterparty: None,
    }];
    for c in &open {
        lines.push(Line {
            summary: collection_summary(c),
            account: account.to_string(),
            side: Side::Credit,
            amount: c.amount,
            fund: Some(fund.to_string()),
            counterparty: Some(c.payer.clone()),
        });
    }
    // The receipt's 经办人 is the holder of the book it was written from:
    // the cashier who took the money (RCP-1 records to whom a book went).
    let holders = books.receipt_books()?;
    let documents = open
        .iter()
        .map(|c| {
            let holder = holders.iter().find(|b| b.serial_of(&c.receipt).is_some()).map(|b| b.holder.clone());
            receipt_document(c, holder)
        })
        .collect();
    let draft = Draft { date, lines, documents, authorization: None, reverses: None, source_ref: None };
    let r = crate::entry::enter_voucher(books, draft, Origin::Entered, preparer, today)?;
    Ok((r, open.len(), total))
}

/// Whether `fund` is raised from residents: its register has a line.
pub fn raised_from_residents(collections: &[Collection], fund: &str) -> bool {
    collections.iter().any(|c| c.fund == fund)
}

/// What a voucher spends from each fund (fund-tagged debits to non-asset
/// accounts, less credits back).
pub fn spending_by_fund(v: &Voucher) -> BTreeMap<String, Money> {
    let mut out: BTreeMap<String, Money> = BTreeMap::new();
    for (fund, into, spent) in v.lines().iter().filter_map(crate::funds::fund_effect) {
        *out.entry(fund.to_string()).or_default() += spent - into;
    }
    out.retain(|_, m| !m.is_negative() && !m.is_zero());
    out
}

/// [FND-2] spending from a resident-raised fund above the ledger's
/// `fund-decision-threshold` cites a residents' decision for that fund,
/// dated on or before the expense. At or above the APR-2 threshold the
/// voucher cites the government approval, and a residents' decision for the
/// fund, recorded by then with a cap that covers the amount, must exist.
pub fn check_residents_decision(
    books: &mut impl Books,
    v: &Voucher,
    cited: Option<&Authorization>,
) -> Result<Option<Refusal>, Failure> {
    if !nature(books.chart(), v).expense {
        return Ok(None);
    }
    let limit = books.settings().fund_decision_threshold;
    let spending = spending_by_fund(v);
    if spending.values().all(|m| *m <= limit) {
        return Ok(None);
    }
    let collections = books.collections()?;
    for (fund, amount) in spending.into_iter().filter(|(f, m)| *m > limit && raised_from_residents(&collections, f)) {
        let for_fund = |a: &Authorization| {
            a.kind == AuthKind::Residents && a.decision.as_ref().is_some_and(|d| d.fund == fund) && a.date <= v.date()
        };
        let ok = match cited {
            Some(a) if a.kind == AuthKind::Residents => for_fund(a),
            Some(a) if a.kind == AuthKind::Government => {
                books.authorizations()?.iter().any(|d| for_fund(d) && d.cap >= amount)
            }
            _ => false,
        };
        if ok {
            continue;
        }
        let why = match cited {
            Some(a) if a.kind == AuthKind::Residents => {
                let on = a.decision.as_ref().map(|d| d.fund.as_str()).unwrap_or_default();
                if on != fund {
                    format!("凭证引用的 {} 是为“{on}”作出的决议", a.number)
                } else {
                    format!("{} 的日期 {} 晚于支出日期", a.number, format_date(a.date))
                }
            }
            _ => "凭证没有引用这样的决议".into(),
        };
        return Ok(Some(Refusal::new(
            Rule::Fnd2,
            format!(
                "凭证 {} 从居民筹集的“{fund}”支出 {}，超过 {}，须经居民会议或居民议事会决议（一事一议），{why}；\
                 请先用 auth add --kind 居民决议 --fund {fund} 登记决议（日期、到会人数、表决结果），并在凭证中引用",
                v.reference(),
                amount.to_yuan(),
                limit.to_yuan()
            ),
        )));
    }
    Ok(None)
}

/// One household on the paid/unpaid list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseholdRow {
    pub door: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// What it paid in the span, and the receipts.
    pub paid: Money,
    pub receipts: Vec<String>,
}

/// [FND-2] the register of a fund for a span: who has paid and who has not,
/// with the register's total against the fund's income.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Register {
    pub fund: String,
    pub from: Period,
    pub to: Period,
    pub lines: Vec<Collection>,
    pub paid: Vec<HouseholdRow>,
    pub unpaid: Vec<HouseholdRow>,
    pub total: Money,
    /// Every line of the register through `to`, and the fund's income
    /// (posted vouchers) through `to`: they must be equal.
    pub register_to_date: Money,
    pub income_to_date: Money,
    /// The [FND-2] flag when the two differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Refusal>,
}

impl Register {
    pub fn build(
        fund: &str,
        households: &[Household],
        collections: &[Collection],
        income_to_date: Money,
        from: Period,
        to: Period,
    ) -> Register {
        let mine: Vec<&Collection> = collections.iter().filter(|c| c.fund == fund).collect();
        let lines: Vec<Collection> =
            mine.iter().filter(|c| (from..=to).contains(&Period::of(c.date))).map(|c| (*c).clone()).collect();
        let register_to_date: Money = mine.iter().filter(|c| Period::of(c.date) <= to).map(|c| c.amount).sum();
        let mut by_door: BTreeMap<&str, (Money, Vec<String>)> = BTreeMap::new();
        for c in &lines {
            let e = by_door.entry(c.household.as_str()).or_default();
            e.0 += c.amount;
            e.1.push(c.receipt.clone());
        }
        let mut paid = Vec::new();
        let mut unpaid = Vec::new();
        let known: BTreeSet<&str> = households.iter().map(|h| h.door.as_str()).collect();
        for h in households {
            match by_door.get(h.door.as_str()) {
                Some((m, r)) => paid.push(HouseholdRow {
                    door: h.door.clone(),
                    head: h.head.clone(),
                    paid: *m,
                    receipts: r.clone(),
                }),
                None => unpaid.push(HouseholdRow {
                    door: h.door.clone(),
                    head: h.head.clone(),
                    paid: Money::ZERO,
                    receipts: vec![],
                }),
            }
        }
        debug_assert!(by_door.keys().all(|d| known.contains(d)));
        let total = lines.iter().map(|c| c.amount).sum();
        let difference = (register_to_date != income_to_date).then(|| {
            Refusal::new(
                Rule::Fnd2,
                format!(
                    "截至 {to} 收款名册合计 {}，“{fund}”已记账收入 {}，相差 {}；请把未入账的缴款用 collection book 制单并记账，或查明不属于名册的收入",
                    register_to_date.to_yuan(),
                    income_to_date.to_yuan(),
                    (register_to_date - income_to_date).abs().to_yuan()
                ),
            )
        });
        Register {
            fund: fund.to_string(),
            from,
            to,
            lines,
            paid,
            unpaid,
            total,
            register_to_date,
            income_to_date,
            difference,
        }
    }
}

/// One use of a resident-raised fund, as the board shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FundUse {
    #[serde(with = "date_serde")]
    pub date: Date,
    pub voucher: VoucherRef,
    pub summary: String,
    pub amount: Money,
    /// The decision cited: number, kind, date, and the vote for a
    /// residents' decision.
    pub decision: String,
}

/// [FND-2] a resident-raised fund's month on the board: the collection, every
/// use, the balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResidentFund {
    pub fund: String,
    pub households: usize,
    pub households_paid: usize,
    pub collected: Money,
    pub uses: Vec<FundUse>,
    pub balance: Money,
}

impl ResidentFund {
    /// `uses` are the span's posted vouchers with the authorization each
    /// cites (those not spending from the fund are left out); `balance`
    /// what the fund holds at the span's end.
    pub fn build(
        fund: &str,
        households: &[Household],
        collections: &[Collection],
        (first, last): (Period, Period),
        uses: &[(Voucher, Option<Authorization>)],
        balance: Money,
    ) -> ResidentFund {
        let month: Vec<&Collection> =
            collections.iter().filter(|c| c.fund == fund && (first..=last).contains(&Period::of(c.date))).collect();
        let paid: BTreeSet<&str> = month.iter().map(|c| c.household.as_str()).collect();
        let uses = uses
            .iter()
            .filter_map(|(v, a)| {
                let amount = *spending_by_fund(v).get(fund)?;
                let decision = match a {
                    Some(a) => match &a.decision {
                        Some(d) => format!("{}（{}，{}）", a.number, format_date(a.date), d.describe()),
                        None => a.to_string(),
                    },
                    None => String::new(),
                };
                let summary = v.lines().first().map(|l| l.summary.clone()).unwrap_or_default();
                Some(FundUse { date: v.date(), voucher: v.reference(), summary, amount, decision })
            })
            .collect();
        ResidentFund {
            fund: fund.to_string(),
            households: households.len(),
            households_paid: paid.len(),
            collected: month.iter().map(|c| c.amount).sum(),
            uses,
            balance,
        }
    }
}

#[cfg(test)]
mod tests;
