//! The office's standing records: authorizations (APR-1..3), receipt books
//! (RCP-1, RCP-2), settings, outstanding advances (CSH-3) and the split
//! check (APR-3).

use crate::backend::Backend;
use qianzhang_core::approval::{suspected_splits, Authorization, ExpenseItem, SettingKey, Settings, SuspectedSplit};
use qianzhang_core::books::{change_setting, issue_receipt, record_authorization, register_receipt_book, void_receipt};
use qianzhang_core::operator::Act;
use qianzhang_core::receipts::{outstanding_advances, Advance, ReceiptBook};
use qianzhang_core::{Money, Period, Rule};

use crate::session::{Ledger, Session};
use crate::Error;

/// Records a resolution or government approval (admin).
pub fn record<B: Backend>(session: &mut Session<B>, authorization: Authorization) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| record_authorization(w, authorization))
}

/// The authorizations with what each has paid for.
pub fn authorizations<B: Backend>(ledger: &Ledger<B>) -> Result<Vec<qianzhang_core::backend::AuthorizationUse>, Error> {
    Ok(ledger.store().authorizations(ledger.handle())?)
}

/// Registers a receipt book (admin).
pub fn register_book<B: Backend>(session: &mut Session<B>, book: ReceiptBook) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| register_receipt_book(w, book))
}

/// [RCP-1] issues the next receipt of a book (cashier); its number.
pub fn issue<B: Backend>(
    session: &mut Session<B>,
    book: &str,
    payer: &str,
    amount: Money,
    date: Option<time::Date>,
) -> Result<String, Error> {
    let date = date.unwrap_or(session.today());
    session.change(Act::HandleCash, |w, _| issue_receipt(w, book, payer, amount, date))
}

/// [RCP-2] voids a receipt, keeping it (cashier).
pub fn void<B: Backend>(session: &mut Session<B>, book: &str, serial: u32, reason: &str) -> Result<(), Error> {
    session.change(Act::HandleCash, |w, _| void_receipt(w, book, serial, reason))
}

/// Every receipt issued or voided: its book, serial and state.
pub type Receipts = Vec<qianzhang_core::backend::ReceiptRow>;

/// Receipt books and the receipts of each.
pub fn receipts<B: Backend>(ledger: &Ledger<B>) -> Result<(Vec<ReceiptBook>, Receipts), Error> {
    Ok(ledger.store().receipts(ledger.handle())?)
}

/// Every setting key, in the order they are listed.
pub const SETTING_KEYS: [SettingKey; 9] = [
    SettingKey::Threshold,
    SettingKey::SplitWindow,
    SettingKey::CashLimit,
    SettingKey::DepositDays,
    SettingKey::MatchWindow,
    SettingKey::MaskNames,
    SettingKey::Contact,
    SettingKey::FundDecisionThreshold,
    SettingKey::PublicUrl,
];

pub fn settings<B: Backend>(ledger: &Ledger<B>) -> Result<Settings, Error> {
    Ok(ledger.store().settings(ledger.handle())?)
}

/// The setting named `key` as typed.
pub fn setting_key(key: &str) -> Result<SettingKey, Error> {
    SettingKey::parse(key).ok_or_else(|| {
        Error::refuse(
            Rule::Apr4,
            format!(
                "没有名为“{key}”的设置；可设置 threshold、split-window、cash-limit、deposit-days、match-window、mask-names、contact、fund-decision-threshold、public-url"
            ),
        )
    })
}

/// Changes a setting (admin); the value as kept.
pub fn set<B: Backend>(session: &mut Session<B>, key: SettingKey, value: &str) -> Result<String, Error> {
    session.change(Act::Administer, |w, _| change_setting(w, key, value))
}

/// [PER-1]/[CSH-5] marks a day of the ledger's calendar (admin).
pub fn mark_day<B: Backend>(session: &mut Session<B>, day: qianzhang_core::calendar::MarkedDay) -> Result<(), Error> {
    session.change(Act::Administer, |w, _| qianzhang_core::approval::mark_calendar_day(w, day))
}

/// [CSH-3] the advances not yet settled.
pub fn advances<B: Backend>(ledger: &Ledger<B>) -> Result<Vec<Advance>, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    let totals = ledger.store().period_totals(ledger.handle())?;
    Ok(outstanding_advances(&chart, totals.iter().map(|t| (t.account.as_str(), t.net()))))
}

/// [APR-3] the suspected splits of `from..=to`, with the settings they
/// were looked for under.
pub fn splits<B: Backend>(
    ledger: &Ledger<B>,
    from: Period,
    to: Period,
) -> Result<(Vec<SuspectedSplit>, Settings), Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    let settings = ledger.store().settings(ledger.handle())?;
    let mut items = Vec::new();
    ledger.store().each_voucher(ledger.handle(), from, to, |v, _| {
        let n = qianzhang_core::lifecycle::nature(&chart, &v);
        if n.expense {
            items.push(ExpenseItem {
                voucher: v.reference(),
                date: v.date(),
                amount: n.expense_amount,
                counterparty: v.lines().iter().find_map(|l| l.counterparty.clone()),
                purpose: v.lines().first().map(|l| l.summary.clone()).unwrap_or_default(),
            });
        }
        Ok(())
    })?;
    let splits = suspected_splits(&items, settings.threshold, settings.split_window_days);
    Ok((splits, settings))
}
