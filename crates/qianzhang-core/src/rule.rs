//! Rule identifiers and refusals.
//!
//! Every refusal names the rule it enforces. The domain rules (VCH-, PER-, …)
//! come from the community's finance regulations; the input rules (CSV-, ACC-,
//! LED-, LIM-) are the project's own and are listed in
//! `docs/reference/rules.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::backend::BackendError;

/// A stable rule identifier, printed as `[VCH-1]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// Balanced lines, one side per line, positive amounts in fen.
    #[serde(rename = "VCH-1")]
    Vch1,
    /// Accounts exist, are leaves and are open on the voucher date.
    #[serde(rename = "VCH-2")]
    Vch2,
    /// Date in an open period; consecutive numbering.
    #[serde(rename = "VCH-3")]
    Vch3,
    /// Voucher life cycle.
    #[serde(rename = "VCH-4")]
    Vch4,
    /// Posted vouchers are immutable; corrections by red reversal.
    #[serde(rename = "VCH-5")]
    Vch5,
    /// Nothing is deleted.
    #[serde(rename = "VCH-6")]
    Vch6,
    /// The accountant and the cashier are different people.
    #[serde(rename = "SEP-1")]
    Sep1,
    /// No leader is accountant or cashier.
    #[serde(rename = "SEP-2")]
    Sep2,
    /// No close relative of a leader is accountant or cashier.
    #[serde(rename = "SEP-3")]
    Sep3,
    /// The cashier is not a close relative of the accountant.
    #[serde(rename = "SEP-4")]
    Sep4,
    /// Who may sign what on a voucher.
    #[serde(rename = "SEP-5")]
    Sep5,
    /// Nobody approves a payment to themselves or a close relative.
    #[serde(rename = "SEP-6")]
    Sep6,
    /// Appointments breaking SEP-1..4 are refused; kinship conflicts freeze signatures.
    #[serde(rename = "SEP-7")]
    Sep7,
    /// Every expense is approved by the one approver in office.
    #[serde(rename = "APR-1")]
    Apr1,
    /// Every expense cites a valid authorization of the right kind, within its cap.
    #[serde(rename = "APR-2")]
    Apr2,
    /// Suspected splits under the threshold are listed.
    #[serde(rename = "APR-3")]
    Apr3,
    /// Threshold and split window are ledger settings.
    #[serde(rename = "APR-4")]
    Apr4,
    /// Every voucher has an original document; no 白条.
    #[serde(rename = "DOC-1")]
    Doc1,
    /// A document supports one voucher only.
    #[serde(rename = "DOC-2")]
    Doc2,
    /// Documents cover the amount paid.
    #[serde(rename = "DOC-3")]
    Doc3,
    /// Documents name their handler and, for goods and services, a different checker.
    #[serde(rename = "DOC-4")]
    Doc4,
    /// Receipt books: serials used in order, none skipped or used twice.
    #[serde(rename = "RCP-1")]
    Rcp1,
    /// Every cash income cites an issued receipt.
    #[serde(rename = "RCP-2")]
    Rcp2,
    /// Cash lent out exists only as an approved 借款单 on 1122 per person.
    #[serde(rename = "CSH-3")]
    Csh3,
    /// Cash-on-hand limit is a ledger setting.
    #[serde(rename = "CSH-4")]
    Csh4,
    /// Cash and bank never go negative on any day.
    #[serde(rename = "CSH-1")]
    Csh1,
    /// Daily count: differences are recorded and settled through 1901.
    #[serde(rename = "CSH-2")]
    Csh2,
    /// No 坐支: cash income is deposited and does not pay expenses.
    #[serde(rename = "CSH-5")]
    Csh5,
    /// Bank statements are imported and matched; the reconciliation agrees.
    #[serde(rename = "BNK-1")]
    Bnk1,
    /// Reopening a month needs the approver and the accountant and a reason.
    #[serde(rename = "PER-2")]
    Per2,
    /// The monthly disclosure and its review.
    #[serde(rename = "PUB-1")]
    Pub1,
    /// Privacy on the notice board: names masked, no ID or mobile numbers.
    #[serde(rename = "PUB-2")]
    Pub2,
    /// The three statements (资产负债表, 业务活动表, 现金流量表).
    #[serde(rename = "STM-1")]
    Stm1,
    /// The fixed-asset register.
    #[serde(rename = "AST-1")]
    Ast1,
    /// Budgets per account and year.
    #[serde(rename = "BUD-1")]
    Bud1,
    /// The handover when an officer leaves a post.
    #[serde(rename = "HND-1")]
    Hnd1,
    /// Spending from a special fund never exceeds what it holds.
    #[serde(rename = "FND-1")]
    Fnd1,
    /// Money raised from residents: a collection register equal to the
    /// fund's income; spending above a setting cites a residents' decision.
    #[serde(rename = "FND-2")]
    Fnd2,
    /// A street keeping several communities' money in its own bank account
    /// keeps each as its own ledger: their shares add up to the account's
    /// statement balance, and none pays from another's money.
    #[serde(rename = "FND-3")]
    Fnd3,
    /// Closed periods take no vouchers.
    #[serde(rename = "PER-1")]
    Per1,
    /// Opening balances of the go-live month: leaf accounts, balanced before the first close.
    #[serde(rename = "OPN-1")]
    Opn1,
    /// The append-only, hash-chained log.
    #[serde(rename = "AUD-1")]
    Aud1,
    /// Verification of the chain and the balances.
    #[serde(rename = "AUD-2")]
    Aud2,
    /// Chart of accounts: codes, names, sub-accounts.
    #[serde(rename = "ACC-1")]
    Acc1,
    /// Closing an account.
    #[serde(rename = "ACC-2")]
    Acc2,
    /// CSV layout: header and columns.
    #[serde(rename = "CSV-1")]
    Csv1,
    /// CSV values: dates, amounts, encoding.
    #[serde(rename = "CSV-2")]
    Csv2,
    /// CSV grouping: rows of one voucher are consecutive and agree.
    #[serde(rename = "CSV-3")]
    Csv3,
    /// The same file is not imported twice by accident.
    #[serde(rename = "CSV-4")]
    Csv4,
    /// Ledgers (账套): names, selection, go-live month.
    #[serde(rename = "LED-1")]
    Led1,
    /// People: registered once, named in every act.
    #[serde(rename = "PPL-1")]
    Ppl1,
    /// Operators: a registered person, proved by a passphrase, in the role the act needs.
    #[serde(rename = "OPR-1")]
    Opr1,
    /// Size limits on every input.
    #[serde(rename = "LIM-1")]
    Lim1,
    /// Printing: vouchers as the 记账凭证 form, books as bound-book pages.
    #[serde(rename = "PRN-1")]
    Prn1,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::Vch1 => "VCH-1",
            Rule::Vch2 => "VCH-2",
            Rule::Vch3 => "VCH-3",
            Rule::Vch4 => "VCH-4",
            Rule::Vch5 => "VCH-5",
            Rule::Vch6 => "VCH-6",
            Rule::Sep1 => "SEP-1",
            Rule::Sep2 => "SEP-2",
            Rule::Sep3 => "SEP-3",
            Rule::Sep4 => "SEP-4",
            Rule::Sep5 => "SEP-5",
            Rule::Sep6 => "SEP-6",
            Rule::Sep7 => "SEP-7",
            Rule::Apr1 => "APR-1",
            Rule::Apr2 => "APR-2",
            Rule::Apr3 => "APR-3",
            Rule::Apr4 => "APR-4",
            Rule::Doc1 => "DOC-1",
            Rule::Doc2 => "DOC-2",
            Rule::Doc3 => "DOC-3",
            Rule::Doc4 => "DOC-4",
            Rule::Rcp1 => "RCP-1",
            Rule::Rcp2 => "RCP-2",
            Rule::Csh3 => "CSH-3",
            Rule::Csh4 => "CSH-4",
            Rule::Csh1 => "CSH-1",
            Rule::Csh2 => "CSH-2",
            Rule::Csh5 => "CSH-5",
            Rule::Bnk1 => "BNK-1",
            Rule::Per2 => "PER-2",
            Rule::Pub1 => "PUB-1",
            Rule::Pub2 => "PUB-2",
            Rule::Stm1 => "STM-1",
            Rule::Ast1 => "AST-1",
            Rule::Bud1 => "BUD-1",
            Rule::Hnd1 => "HND-1",
            Rule::Fnd1 => "FND-1",
            Rule::Fnd2 => "FND-2",
            Rule::Fnd3 => "FND-3",
            Rule::Per1 => "PER-1",
            Rule::Opn1 => "OPN-1",
            Rule::Aud1 => "AUD-1",
            Rule::Aud2 => "AUD-2",
            Rule::Acc1 => "ACC-1",
            Rule::Acc2 => "ACC-2",
            Rule::Csv1 => "CSV-1",
            Rule::Csv2 => "CSV-2",
            Rule::Csv3 => "CSV-3",
            Rule::Csv4 => "CSV-4",
            Rule::Led1 => "LED-1",
            Rule::Ppl1 => "PPL-1",
            Rule::Opr1 => "OPR-1",
            Rule::Lim1 => "LIM-1",
            Rule::Prn1 => "PRN-1",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One reason a command was refused: the rule, a plain-Chinese message, and
/// for file input the row (1-based, the header being row 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub rule: Rule,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

impl Refusal {
    pub fn new(rule: Rule, message: impl Into<String>) -> Refusal {
        Refusal { rule, message: message.into(), row: None }
    }

    pub fn at_row(mut self, row: usize) -> Refusal {
        self.row = Some(row);
        self
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "第 {row} 行：[{}] {}", self.rule, self.message),
            None => write!(f, "[{}] {}", self.rule, self.message),
        }
    }
}

/// How many refusals one command lists before summarising the rest.
pub const MAX_LISTED_REFUSALS: usize = 1000;

/// A refused command: every reason, in input order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusals {
    pub reasons: Vec<Refusal>,
    /// Reasons found beyond [`MAX_LISTED_REFUSALS`], counted but not listed.
    #[serde(default)]
    pub unlisted: usize,
}

impl Refusals {
    pub fn one(refusal: Refusal) -> Refusals {
        Refusals { reasons: vec![refusal], unlisted: 0 }
    }

    pub fn push(&mut self, refusal: Refusal) {
        if self.reasons.len() < MAX_LISTED_REFUSALS {
            self.reasons.push(refusal);
        } else {
            self.unlisted += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }

    pub fn total(&self) -> usize {
        self.reasons.len() + self.unlisted
    }

    /// The first rule broken, which the log records as the reason.
    pub fn first_rule(&self) -> Rule {
        self.reasons.first().map(|r| r.rule).unwrap_or(Rule::Aud1)
    }
}

impl From<Refusal> for Refusals {
    fn from(r: Refusal) -> Refusals {
        Refusals::one(r)
    }
}

impl fmt::Display for Refusals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{r}")?;
        }
        if self.unlisted > 0 {
            write!(f, "\n另有 {} 处错误未列出（共 {} 处）", self.unlisted, self.total())?;
        }
        Ok(())
    }
}

/// What a command against the books can end in besides success.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A rule refused the command; nothing was changed.
    #[error("{0}")]
    Refused(Refusals),
    /// The backend could not read or write; a fault, not a rule.
    #[error("存储错误：{0}")]
    Backend(BackendError),
}

impl std::error::Error for Refusal {}

impl From<BackendError> for Failure {
    fn from(e: BackendError) -> Failure {
        Failure::Backend(e)
    }
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure::Refused(Refusals::one(r))
    }
}

impl From<Refusals> for Failure {
    fn from(r: Refusals) -> Failure {
        Failure::Refused(r)
    }
}

/// Shorthand for building a refusal.
pub fn refuse<T>(rule: Rule, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::from(Refusal::new(rule, message)))
}
