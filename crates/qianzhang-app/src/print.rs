//! Printing (PRN-1): what the printed vouchers and books are made of. The
//! vouchers come with their status and the signatures standing on them, read
//! in bulk for a month; the books are the reports' own account ledgers, so
//! a printed balance is the one every report shows.

use std::collections::HashMap;

use qianzhang_core::lifecycle::Signature;
use qianzhang_core::report::AccountLedger;
use qianzhang_core::{Chart, Period, Rule, Status, Voucher, VoucherRef};

use crate::backend::Backend;
use crate::reports::{self, Kind, Report, Request};
use crate::session::Ledger;
use crate::Error;

/// Which vouchers to print.
#[derive(Clone, Debug)]
pub enum Which {
    /// These, in the order given (each once).
    Refs(Vec<VoucherRef>),
    /// Every voucher of the month, in number order.
    Period(Period),
}

/// One voucher to print.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub voucher: Voucher,
    pub status: Status,
    pub signatures: Vec<Signature>,
}

/// The vouchers to print, with the ledger's name (the 编制单位) and the
/// chart that names their accounts.
pub struct VoucherPrint {
    pub unit: String,
    pub chart: Chart,
    pub sheets: Vec<Sheet>,
}

/// [PRN-1] the vouchers named, or a month's: posted, prepared (the paper is
/// signed at review) and voided ones alike. A month is read in one pass,
/// its signatures in another; a reference that does not exist is refused.
pub fn vouchers<B: Backend>(ledger: &Ledger<B>, which: &Which) -> Result<VoucherPrint, Error> {
    let store = ledger.store();
    let h = ledger.handle();
    let sheets = match which {
        Which::Period(p) => {
            let mut signed: HashMap<VoucherRef, Vec<Signature>> = store.signatures_in(h, *p, *p)?.into_iter().collect();
            let sheets: Vec<Sheet> = store
                .vouchers(h, *p, *p)?
                .into_iter()
                .map(|(voucher, status)| {
                    let signatures = signed.remove(&voucher.reference()).unwrap_or_default();
                    Sheet { voucher, status, signatures }
                })
                .collect();
            if sheets.is_empty() {
                return Err(Error::refuse(
                    Rule::Prn1,
                    format!("{p} 没有凭证可打印；voucher list --month {p} 可核对该期间的凭证"),
                ));
            }
            sheets
        }
        Which::Refs(refs) => {
            let mut seen = Vec::new();
            let mut missing = Vec::new();
            let mut sheets = Vec::new();
            for r in refs {
                if seen.contains(r) {
                    continue;
                }
                seen.push(*r);
                match store.voucher(h, *r)? {
                    Some((voucher, status)) => {
                        let signatures = store.signatures(h, *r)?;
                        sheets.push(Sheet { voucher, status, signatures });
                    }
                    None => missing.push(r.to_string()),
                }
            }
            if !missing.is_empty() {
                return Err(Error::refuse(
                    Rule::Prn1,
                    format!(
                        "凭证 {} 不存在，未打印任何凭证；voucher list --month YYYY-MM 列出已有的凭证号",
                        missing.join("、")
                    ),
                ));
            }
            if sheets.is_empty() {
                return Err(Error::refuse(Rule::Prn1, "请写出要打印的凭证号，或用 --period YYYY-MM 打印一个月的凭证"));
            }
            sheets
        }
    };
    Ok(VoucherPrint { unit: ledger.name().to_string(), chart: store.chart(h)?, sheets })
}

/// Which book to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Book {
    /// 明细账 of one account.
    Ledger,
    CashJournal,
    BankJournal,
}

/// [PRN-1] a book's rows, as the report of the same name has them: the
/// account ledger of `account`, or the cash or bank journal, over `range`.
pub fn book<B: Backend>(
    ledger: &mut Ledger<B>,
    book: Book,
    account: Option<&str>,
    range: reports::Range,
    today: time::Date,
) -> Result<AccountLedger, Error> {
    let kind = match book {
        Book::Ledger => Kind::Ledger,
        Book::CashJournal => Kind::CashJournal,
        Book::BankJournal => Kind::BankJournal,
    };
    let request = Request { account: account.map(str::to_string), range, fund: None, date: None };
    match reports::report(ledger, kind, &request, today)? {
        Report::Ledger(l) | Report::CashJournal(l) => Ok(l),
        _ => Err(Error::Internal("明细账或日记账的数据不是账页".into())),
    }
}
