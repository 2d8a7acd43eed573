//! The books as the rules see them, and the commands that change them.
//!
//! A command reads facts through [`Books`], applies the rules, and appends
//! [`Event`]s. The store implements `Books` inside one transaction: if a
//! command fails, the store rolls everything back and logs only the refusal.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::{Account, Chart, NewAccount};
use crate::approval::{
    check_expense_authorization, check_new_authorization, spent, Authorization, SettingKey, Settings,
};
use crate::backend::BackendError;
use crate::bank::{InTransit, StatementLine, StoredLine};
use crate::cash::CashCount;
use crate::disclosure::{Asset, Review};
use crate::documents::{check_new_documents, doc_key};
use crate::funds::check_fund_spending;
use crate::funds::Fund;
use crate::lifecycle::{check_ready_to_post, SignKind, Signature};
use crate::money::{Money, MAX_TOTAL_FEN};
use crate::people::{check_appointment, check_person_name, check_registered, Appointment, KinFact, Registry, Role};
use crate::period::{date_serde, format_date, Period};
use crate::receipts::{check_new_book, check_void, describe_book, next_serial, ReceiptBook, ReceiptState};
use crate::rule::{refuse, Failure, Refusal, Refusals, Rule};
use crate::voucher::{
    check_accounts, check_lines, check_reversal_lines, Document, Draft, Line, Origin, Status, Voucher, VoucherRef,
};

/// A ledger (账套): its name and its go-live month (启用期间).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerInfo {
    pub name: String,
    pub start: Period,
}

/// Ledger names are short and printable.
pub const MAX_LEDGER_NAME_CHARS: usize = 40;

/// Every change to a ledger, as recorded in the hash-chained log (AUD-1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    LedgerCreated {
        name: String,
        start: Period,
    },
    AccountAdded {
        account: Account,
    },
    /// An account renamed; its code, and so every voucher on it, stays (ACC-1).
    AccountRenamed {
        code: String,
        name: String,
    },
    AccountClosed {
        code: String,
        #[serde(with = "date_serde")]
        date: Date,
    },
    /// A voucher entered or imported, waiting to be posted.
    VoucherPrepared {
        voucher: Voucher,
    },
    VoucherPosted {
        #[serde(rename = "ref")]
        reference: VoucherRef,
    },
    /// A prepared voucher revised (a document attached): its signatures are
    /// cleared (VCH-4).
    VoucherRevised {
        voucher: Voucher,
    },
    /// A prepared voucher withdrawn before posting (作废), with the reason.
    VoucherVoided {
        #[serde(rename = "ref")]
        reference: VoucherRef,
        reason: String,
    },
    /// A voucher of migrated history: posted as it arrives, without signatures.
    VoucherMigrated {
        voucher: Voucher,
    },
    PeriodClosed {
        period: Period,
        reason: String,
        /// Book entries on bank accounts still in transit at the close
        /// (单位已收/已付、银行未收/未付), carried to the next reconciliation.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        in_transit: Vec<InTransit>,
    },
    FileImported {
        file: String,
        sha256: String,
        encoding: String,
        rows: u64,
        vouchers: u64,
        history: bool,
    },
    PersonRegistered {
        name: String,
    },
    /// A passphrase set or changed: its argon2id hash, never the passphrase.
    /// `reset` when someone else replaced a passphrase the person had: until
    /// they set their own, nobody acts as them (OPR-1).
    PassphraseSet {
        person: String,
        hash: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        reset: bool,
    },
    Appointed {
        appointment: Appointment,
    },
    AppointmentEnded {
        person: String,
        role: Role,
        #[serde(with = "date_serde")]
        from: Date,
        #[serde(with = "date_serde")]
        ended: Date,
    },
    /// A kinship fact: always recorded, even when it reveals a conflict (SEP-7).
    KinshipRecorded {
        fact: KinFact,
    },
    VoucherSigned {
        #[serde(rename = "ref")]
        reference: VoucherRef,
        signature: Signature,
    },
    SignatureWithdrawn {
        #[serde(rename = "ref")]
        reference: VoucherRef,
        kind: SignKind,
        person: String,
    },
    /// A ledger setting changed by an admin (APR-4, CSH-4).
    SettingChanged {
        key: SettingKey,
        value: String,
    },
    /// A 两委 resolution or a government approval, recorded before it is cited.
    AuthorizationRecorded {
        authorization: Authorization,
    },
    ReceiptBookRegistered {
        book: ReceiptBook,
    },
    ReceiptIssued {
        book: String,
        serial: u32,
        payer: String,
        amount: Money,
        #[serde(with = "date_serde")]
        date: Date,
    },
    ReceiptVoided {
        book: String,
        serial: u32,
        reason: String,
    },
    /// A receipt book passed to a new holder: at a cashier's handover, the
    /// successor takes the departing cashier's books (RCP-1).
    ReceiptBookPassed {
        book: String,
        holder: String,
        #[serde(with = "date_serde")]
        date: Date,
    },
    /// A special fund declared, restricted (限定性) or not (FND-1).
    FundDeclared {
        fund: Fund,
    },
    /// The cashier's daily count against the book (CSH-2).
    CashCounted {
        count: CashCount,
    },
    /// The new lines of a bank statement; lines already imported are skipped
    /// and only counted (BNK-1). Lines are numbered from `first_id`.
    StatementImported {
        account: String,
        file: String,
        sha256: String,
        first_id: u64,
        lines: Vec<StatementLine>,
        duplicates: u64,
        /// The day the statement reaches (BNK-1): the end of its period as
        /// the bank printed it, or its last line's date.
        #[serde(default, with = "crate::period::opt_date_serde", skip_serializing_if = "Option::is_none")]
        through: Option<Date>,
    },
    /// Statement lines paired with book entries, by `bank match` (BNK-1).
    BankMatched {
        pairs: Vec<(u64, VoucherRef)>,
        auto: bool,
    },
    BankUnmatched {
        line: u64,
        voucher: VoucherRef,
    },
    /// The year-end carry-forward voucher, generated and posted by the close
    /// of December (PER-1).
    ClosingVoucher {
        voucher: Voucher,
    },
    /// The 居务监督委员会 / 民主理财小组 opinion on a disclosure (PUB-1).
    DisclosureReviewed {
        review: Review,
    },
    /// A fixed asset entered in the register (AST-1).
    AssetRegistered {
        asset: Asset,
    },
    AssetDisposed {
        id: u32,
        #[serde(with = "date_serde")]
        date: Date,
        reason: String,
    },
    /// A handover recorded (HND-1): the appointment that ended and the one
    /// that started are their own events, just before this one.
    HandoverCompleted {
        officer: String,
        role: Role,
        #[serde(with = "date_serde")]
        date: Date,
        successor: String,
        supervisor: String,
    },
    /// The budget of an account for a year (BUD-1).
    BudgetSet {
        year: i32,
        account: String,
        amount: Money,
    },
    /// A closed month reopened (反结账) by the accountant and the approver
    /// together (PER-2).
    PeriodReopened {
        period: Period,
        reason: String,
        accountant: String,
        approver: String,
    },
    /// An attempt whose passphrase did not check out (AUD-1, OPR-1): logged
    /// under the name it claimed, never as that person's act. `failures`
    /// counts the failures in a row for the name, this one included;
    /// `locked_until` (RFC 3339) is set on the failure that locks the name.
    SignInFailed {
        claimed: String,
        command: String,
        reason: String,
        failures: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        locked_until: Option<String>,
    },
    /// A refused attempt: who tried what and which rule stopped it.
    Refused {
        command: String,
        rule: Rule,
        reasons: Refusals,
    },
}

impl Event {
    /// The event's kind as stored beside it in the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::LedgerCreated { .. } => "ledger_created",
            Event::AccountAdded { .. } => "account_added",
            Event::AccountClosed { .. } => "account_closed",
            Event::AccountRenamed { .. } => "account_renamed",
            Event::VoucherPrepared { .. } => "voucher_prepared",
            Event::VoucherPosted { .. } => "voucher_posted",
            Event::VoucherRevised { .. } => "voucher_revised",
            Event::VoucherMigrated { .. } => "voucher_migrated",
            Event::VoucherVoided { .. } => "voucher_voided",
            Event::PeriodClosed { .. } => "period_closed",
            Event::FileImported { .. } => "file_imported",
            Event::PersonRegistered { .. } => "person_registered",
            Event::PassphraseSet { .. } => "passphrase_set",
            Event::Appointed { .. } => "appointed",
            Event::AppointmentEnded { .. } => "appointment_ended",
            Event::KinshipRecorded { .. } => "kinship_recorded",
            Event::VoucherSigned { .. } => "voucher_signed",
            Event::SettingChanged { .. } => "setting_changed",
            Event::ReceiptBookRegistered { .. } => "receipt_book_registered",
            Event::ReceiptIssued { .. } => "receipt_issued",
            Event::ReceiptBookPassed { .. } => "receipt_book_passed",
            Event::ReceiptVoided { .. } => "receipt_voided",
            Event::AuthorizationRecorded { .. } => "authorization_recorded",
            Event::SignatureWithdrawn { .. } => "signature_withdrawn",
            Event::FundDeclared { .. } => "fund_declared",
            Event::CashCounted { .. } => "cash_counted",
            Event::StatementImported { .. } => "statement_imported",
            Event::BankMatched { .. } => "bank_matched",
            Event::BankUnmatched { .. } => "bank_unmatched",
            Event::ClosingVoucher { .. } => "closing_voucher",
            Event::PeriodReopened { .. } => "period_reopened",
            Event::DisclosureReviewed { .. } => "disclosure_reviewed",
            Event::AssetRegistered { .. } => "asset_registered",
            Event::AssetDisposed { .. } => "asset_disposed",
            Event::BudgetSet { .. } => "budget_set",
            Event::HandoverCompleted { .. } => "handover_completed",
            Event::Refused { .. } => "refused",
            Event::SignInFailed { .. } => "sign_in_failed",
        }
    }

    /// A short Chinese description for log listings.
    pub fn describe(&self) -> String {
        match self {
            Event::LedgerCreated { name, start } => format!("建立账套 {name}，启用期间 {start}"),
            Event::AccountAdded { account } => format!("增设科目 {} {}", account.code(), account.name()),
            Event::AccountClosed { code, date } => format!("停用科目 {code}，自 {}", format_date(*date)),
            Event::AccountRenamed { code, name } => format!("科目 {code} 更名为“{name}”"),
            Event::VoucherPrepared { voucher } => format!("制单 {}", voucher.reference()),
            Event::VoucherPosted { reference } => format!("记账 {reference}"),
            Event::VoucherRevised { voucher } => format!("修改 {}（附单据），已有签字作废", voucher.reference()),
            Event::VoucherMigrated { voucher } => format!("迁移历史凭证 {}", voucher.reference()),
            Event::VoucherVoided { reference, reason } => format!("作废 {reference}：{reason}"),
            Event::PeriodClosed { period, reason, .. } => format!("结账 {period}（{reason}）"),
            Event::FileImported { file, rows, vouchers, .. } => {
                format!("导入文件 {file}：{rows} 行，{vouchers} 张凭证")
            }
            Event::PersonRegistered { name } => format!("登记人员 {name}"),
            Event::PassphraseSet { person, reset: false, .. } => format!("设置 {person} 的口令"),
            Event::PassphraseSet { person, reset: true, .. } => {
                format!("重置 {person} 的口令（{person}须先设置自己的口令才能办理事项）")
            }
            Event::Appointed { appointment: a } => {
                format!(
                    "任命 {} 为{}，自 {}",
                    a.person,
                    a.title.as_deref().unwrap_or(a.role.chinese()),
                    format_date(a.from)
                )
            }
            Event::AppointmentEnded { person, role, ended, .. } => {
                format!("{person}的{}任职自 {} 结束", role.chinese(), format_date(*ended))
            }
            Event::KinshipRecorded { fact } => format!("登记亲属关系 {}", describe_fact(fact)),
            Event::VoucherSigned { reference, signature } => {
                format!("{} {}{}", signature.person, signature.kind.chinese(), reference)
            }
            Event::SettingChanged { key, value } => format!("设置 {} 为 {value}", key.chinese()),
            Event::ReceiptBookRegistered { book } => format!("登记{}", describe_book(book)),
            Event::ReceiptBookPassed { book, holder, date } => {
                format!("{} 收据本 {book} 移交 {holder} 保管使用", format_date(*date))
            }
            Event::ReceiptIssued { book, serial, payer, amount, .. } => {
                format!("开出收据 {book}{serial:07}，交款人 {payer}，{}", amount.to_yuan())
            }
            Event::ReceiptVoided { book, serial, reason } => format!("作废收据 {book}{serial:07}：{reason}"),
            Event::AuthorizationRecorded { authorization: a } => {
                format!("登记审批依据 {a}，限额 {}", a.cap.to_yuan())
            }
            Event::SignatureWithdrawn { reference, kind, person } => {
                format!("{person} 撤回对 {reference} 的{}", kind.chinese())
            }
            Event::FundDeclared { fund } => {
                format!("设立专项资金“{}”（{}）", fund.name, if fund.restricted { "限定性" } else { "非限定性" })
            }
            Event::CashCounted { count } => format!(
                "{} 现金盘点：实点 {}，账面 {}，{}",
                format_date(count.date),
                count.counted.to_yuan(),
                count.book.to_yuan(),
                crate::cash::describe_difference(count.difference())
            ),
            Event::StatementImported { account, file, lines, duplicates, through, .. } => {
                let reach = through.map(|t| format!("，截至 {}", format_date(t))).unwrap_or_default();
                format!("导入 {account} 银行对账单 {file}：新增 {} 行，重复 {duplicates} 行{reach}", lines.len())
            }
            Event::BankMatched { pairs, auto } => {
                format!("{}勾对银行对账单 {} 笔", if *auto { "自动" } else { "手工" }, pairs.len())
            }
            Event::BankUnmatched { line, voucher } => format!("取消对账单第 {line} 行与 {voucher} 的勾对"),
            Event::ClosingVoucher { voucher } => format!("生成期末结转凭证 {}", voucher.reference()),
            Event::PeriodReopened { period, reason, accountant, approver } => {
                format!("反结账 {period}（{reason}；会计 {accountant}、审批人 {approver}）")
            }
            Event::DisclosureReviewed { review } => {
                format!("{} 审核 {} 财务公开：{}", review.by, review.span, review.opinion)
            }
            Event::AssetRegistered { asset } => format!(
                "登记固定资产 {} {} ×{}，原值 {}",
                asset.label(),
                asset.name,
                asset.quantity,
                asset.value.to_yuan()
            ),
            Event::AssetDisposed { id, date, reason } => {
                format!("处置固定资产 ZC-{id:04}，{}：{reason}", format_date(*date))
            }
            Event::BudgetSet { year, account, amount } => format!("{year} 年 {account} 预算 {}", amount.to_yuan()),
            Event::HandoverCompleted { officer, role, date, successor, supervisor } => format!(
                "{} {officer} 将{}工作移交 {successor}，监交人 {supervisor}",
                format_date(*date),
                role.chinese()
            ),
            Event::Refused { command, rule, .. } => format!("拒绝 {command} [{rule}]"),
            Event::SignInFailed { claimed, command, reason, failures, locked_until } => format!(
                "以“{claimed}”的名义验证身份失败（连续第 {failures} 次{}）：{reason}；命令 {command}",
                locked_until.as_deref().map(|u| format!("，锁定至 {u}")).unwrap_or_default()
            ),
        }
    }
}

/// What the rules need to know about the books, and where they write.
pub trait Books {
    fn ledger(&self) -> &LedgerInfo;
    fn chart(&self) -> &Chart;
    fn registry(&self) -> &Registry;
    fn settings(&self) -> &Settings;
    fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, BackendError>;
    /// Every authorization recorded, by date (SEP-6 looks for the
    /// resolution that names a deputy signer).
    fn authorizations(&mut self) -> Result<Vec<Authorization>, BackendError>;
    /// The voucher a document is indexed under (by `documents::doc_key`):
    /// the last voucher citing it that is not voided (DOC-2).
    fn document_used(&mut self, document: &Document) -> Result<Option<VoucherRef>, BackendError>;
    fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, BackendError>;
    /// The highest serial of `book` issued or voided.
    fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, BackendError>;
    fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, BackendError>;
    /// Every voucher whose authorization is `number`.
    fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, BackendError>;
    /// Whether a period has been closed (结账).
    fn period_closed(&mut self, period: Period) -> Result<bool, BackendError>;
    /// The number the next voucher of `period` gets.
    fn next_number(&mut self, period: Period) -> Result<u32, BackendError>;
    fn voucher(&mut self, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError>;
    /// The reversal that cites `reference`, if one exists.
    fn reversed_by(&mut self, reference: VoucherRef) -> Result<Option<VoucherRef>, BackendError>;
    /// The signatures standing on a voucher (withdrawn ones excluded).
    fn signatures(&mut self, reference: VoucherRef) -> Result<Vec<Signature>, BackendError>;
    /// Movements of the accounts under `prefix`: the balance before `date`,
    /// and each voucher's net effect from `date` on (CSH-1). Posted vouchers
    /// count; with `confirmed`, so do vouchers the cashier has confirmed but
    /// the accountant not yet posted — the money has moved.
    fn movements_from(
        &mut self,
        prefix: &str,
        date: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<(Date, Money)>), BackendError>;
    /// What a special fund holds, from posted vouchers (FND-1).
    fn fund_balance(&mut self, fund: &str) -> Result<Money, BackendError>;
    /// Posted balance of a leaf account over all periods, debit-positive.
    fn balance(&mut self, code: &str) -> Result<Money, BackendError>;
    /// When a file with this SHA-256 was imported, if it was.
    fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, BackendError>;
    /// The special funds declared (FND-1).
    fn funds(&mut self) -> Result<Vec<Fund>, BackendError>;
    /// The cash counts recorded for days of `period`, in the order recorded.
    fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, BackendError>;
    /// The balance of the accounts under `prefix` before `from`, and the
    /// vouchers dated `from..=to` with a line on them: posted, and with
    /// `confirmed` also those the cashier has confirmed. An empty prefix
    /// takes every voucher.
    fn vouchers_touching(
        &mut self,
        prefix: &str,
        from: Date,
        to: Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<Voucher>), BackendError>;
    /// Vouchers of `period` not yet posted.
    fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, BackendError>;
    /// Posted balance of the accounts under `prefix` through `period`.
    fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, BackendError>;
    /// The statement lines imported for a bank account, with their matches.
    fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, BackendError>;
    /// The number the next imported statement line gets.
    fn next_statement_line(&mut self) -> Result<u64, BackendError>;
    /// The latest day the statements imported for a bank account reach:
    /// their `through` dates and their lines' dates (BNK-1).
    fn statement_through(&mut self, account: &str) -> Result<Option<Date>, BackendError>;
    /// The fixed-asset register, disposed assets included.
    fn assets(&mut self) -> Result<Vec<Asset>, BackendError>;
    /// The latest closed period before `period`, with the bank entries in
    /// transit at its close.
    fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, BackendError>;
    /// [LIM-1] the sum of the absolute amounts of every line of every
    /// voucher recorded, whatever its status (at most `MAX_TOTAL_FEN`).
    fn turnover(&mut self) -> Result<Money, BackendError>;
    /// Records an event. Every backend first passes it through
    /// `text::check_event` (LIM-1) and returns the refusal if its text may
    /// not be stored.
    fn append(&mut self, event: Event) -> Result<(), Failure>;
}

/// [LED-1] checks a new ledger's name.
pub fn check_ledger_name(name: &str) -> Result<(), Refusal> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_LEDGER_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(Refusal::new(
            Rule::Led1,
            format!("账套名称“{name}”无效：不能为空，不超过 {MAX_LEDGER_NAME_CHARS} 个字"),
        ));
    }
    Ok(())
}

/// `王芳 与 李强 是配偶`.
pub fn describe_fact(fact: &KinFact) -> String {
    match fact {
        KinFact::Spouse { a, b } => format!("{a} 与 {b} 是配偶"),
        KinFact::Parent { parent, child } => format!("{parent} 是 {child} 的父母"),
        KinFact::Sibling { a, b } => format!("{a} 与 {b} 是兄弟姐妹"),
        KinFact::Kin { a, b } => format!("{a} 与 {b} 是近亲属"),
    }
}

/// [PPL-1] registers a person, with their first passphrase hash if given.
pub fn register_person(books: &mut impl Books, name: &str, passphrase_hash: Option<String>) -> Result<(), Failure> {
    check_person_name(books.registry(), name)?;
    let name = name.trim().to_string();
    books.append(Event::PersonRegistered { name: name.clone() })?;
    if let Some(hash) = passphrase_hash {
        books.append(Event::PassphraseSet { person: name, hash, reset: false })?;
    }
    Ok(())
}

/// [OPR-1] sets a registered person's passphrase hash, `by` the person
/// themselves or an admin. An admin replacing a passphrase the person had is
/// a reset: nobody acts as them until they set their own.
pub fn set_passphrase(books: &mut impl Books, person: &str, hash: String, by: &str) -> Result<(), Failure> {
    check_registered(books.registry(), person)?;
    let reset = by != person && books.registry().passphrase_hash(person).is_some();
    books.append(Event::PassphraseSet { person: person.to_string(), hash, reset })?;
    Ok(())
}

/// [SEP-1..SEP-4, SEP-7] appoints a registered person to a role.
pub fn appoint(books: &mut impl Books, appointment: Appointment) -> Result<(), Failure> {
    let registry = books.registry();
    check_registered(registry, &appointment.person)?;
    check_appointment(registry.appointments(), &registry.kinship(), &appointment)?;
    books.append(Event::Appointed { appointment })?;
    Ok(())
}

/// [PPL-1] ends the appointment of `person` as `role` in force the day
/// before `ended`; from `ended` on they no longer hold it.
pub fn end_appointment(books: &mut impl Books, person: &str, role: Role, ended: Date) -> Result<(), Failure> {
    check_registered(books.registry(), person)?;
    let Some(a) = books
        .registry()
        .appointments()
        .iter()
        .find(|a| a.person == person && a.role == role && a.from < ended && a.ended.is_none_or(|e| e > ended))
    else {
        return refuse(Rule::Ppl1, format!("{person}在 {} 前没有仍在任的{}任职", format_date(ended), role.chinese()));
    };
    let from = a.from;
    books.append(Event::AppointmentEnded { person: person.to_string(), role, from, ended })?;
    Ok(())
}

/// [SEP-7] records a kinship fact between registered people. Facts are
/// never refused for the conflicts they reveal; the conflicts on `today`
/// are returned so the caller can say whose signatures are now frozen.
pub fn record_kinship(books: &mut impl Books, fact: KinFact, today: Date) -> Result<Vec<Refusal>, Failure> {
    let (a, b) = match &fact {
        KinFact::Spouse { a, b } | KinFact::Sibling { a, b } | KinFact::Kin { a, b } => (a, b),
        KinFact::Parent { parent, child } => (parent, child),
    };
    check_registered(books.registry(), a)?;
    check_registered(books.registry(), b)?;
    if a == b {
        return refuse(Rule::Ppl1, format!("亲属关系须在两个不同的人之间登记（{a}）"));
    }
    if books.registry().facts().contains(&fact) {
        return refuse(Rule::Ppl1, format!("该亲属关系已登记：{}", describe_fact(&fact)));
    }
    books.append(Event::KinshipRecorded { fact })?;
    Ok(books.registry().conflicts(today))
}

/// [APR-4]/[CSH-4] changes a ledger setting.
pub fn change_setting(books: &mut impl Books, key: SettingKey, value: &str) -> Result<String, Failure> {
    let value = Settings::check(key, value)?;
    books.append(Event::SettingChanged { key, value: value.clone() })?;
    Ok(value)
}

/// [APR-2] records a resolution or government approval; [SEP-6] a
/// resolution for a stand-aside payment names its deputy signer.
pub fn record_authorization(books: &mut impl Books, authorization: Authorization) -> Result<(), Failure> {
    let existing = books.authorization(&authorization.number)?;
    check_new_authorization(existing.as_ref(), &authorization)?;
    crate::approval::check_stand_aside(books.registry(), &authorization)?;
    books.append(Event::AuthorizationRecorded { authorization })?;
    Ok(())
}

/// [RCP-1] registers a receipt book issued to a registered holder.
pub fn register_receipt_book(books: &mut impl Books, book: ReceiptBook) -> Result<(), Failure> {
    let existing = books.receipt_books()?.into_iter().find(|b| b.book == book.book);
    let holder_registered = books.registry().is_registered(&book.holder);
    check_new_book(existing.as_ref(), &book, holder_registered)?;
    books.append(Event::ReceiptBookRegistered { book })?;
    Ok(())
}

fn find_book(books: &mut impl Books, book: &str) -> Result<ReceiptBook, Failure> {
    match books.receipt_books()?.into_iter().find(|b| b.book == book) {
        Some(b) => Ok(b),
        None => refuse(Rule::Rcp1, format!("收据本 {book} 尚未登记")),
    }
}

/// [RCP-1] issues the next receipt of a book; returns its number.
pub fn issue_receipt(
    books: &mut impl Books,
    book: &str,
    payer: &str,
    amount: Money,
    date: Date,
) -> Result<String, Failure> {
    let b = find_book(books, book)?;
    if payer.trim().is_empty() || amount.fen() <= 0 {
        return refuse(Rule::Rcp1, "收据须写明交款人和大于零的金额");
    }
    if date < b.date {
        return refuse(
            Rule::Rcp1,
            format!(
                "收据本 {book} 于 {} 登记领用，不能开出日期为 {} 的收据；请核对收据日期，或使用当时已领用的收据本",
                format_date(b.date),
                format_date(date)
            ),
        );
    }
    let serial = next_serial(&b, books.receipt_last_used(book)?)?;
    books.append(Event::ReceiptIssued {
        book: book.to_string(),
        serial,
        payer: payer.trim().to_string(),
        amount,
        date,
    })?;
    Ok(b.number(serial))
}

/// [RCP-1] voids a receipt, keeping it, with the reason.
pub fn void_receipt(books: &mut impl Books, book: &str, serial: u32, reason: &str) -> Result<(), Failure> {
    let b = find_book(books, book)?;
    let last = books.receipt_last_used(book)?;
    let state = books.receipt(book, serial)?;
    check_void(&b, serial, last, state.as_ref(), reason)?;
    books.append(Event::ReceiptVoided { book: book.to_string(), serial, reason: reason.trim().to_string() })?;
    Ok(())
}

/// The state of the receipt a number names, in whichever book holds it.
pub fn receipt_by_number(books: &mut impl Books, number: &str) -> Result<Option<ReceiptState>, Failure> {
    for b in books.receipt_books()? {
        if let Some(serial) = b.serial_of(number) {
            return Ok(books.receipt(&b.book, serial)?);
        }
    }
    Ok(None)
}

/// [RCP-2] the receipts a cash income cites.
pub fn check_receipts(books: &mut impl Books, v: &Voucher) -> Result<Option<Refusal>, Failure> {
    if crate::receipts::receives_cash(v).is_none() {
        return Ok(None);
    }
    let mut states = std::collections::HashMap::new();
    for d in v.documents().iter().filter(|d| d.doc_type == "收据") {
        if let Some(n) = &d.number {
            states.insert(n.clone(), receipt_by_number(books, n)?);
        }
    }
    Ok(crate::receipts::check_cash_income_receipts(v, |n| states.get(n).cloned().flatten()))
}

/// [APR-2] the authorization a voucher cites, checked against the
/// threshold, its date and what it has already paid for.
pub fn check_authorization(books: &mut impl Books, v: &Voucher) -> Result<Option<Refusal>, Failure> {
    let (cited, spent_so_far) = match v.authorization() {
        Some(number) => {
            let cited = books.authorization(number)?;
            let citing = books.vouchers_citing(number)?;
            (cited, spent(books.chart(), &citing, Some(v.reference())))
        }
        None => (None, Money::ZERO),
    };
    Ok(check_expense_authorization(books.chart(), books.settings(), v, cited.as_ref(), spent_so_far))
}

/// [LED-1] picks a ledger by name, or the only one when none is named.
/// Returns its index in `ledgers`.
pub fn select_ledger(ledgers: &[LedgerInfo], name: Option<&str>) -> Result<usize, Refusal> {
    let names = || ledgers.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join("、");
    let led = |m: String| Err(Refusal::new(Rule::Led1, m));
    match (name, ledgers.len()) {
        (Some(n), _) => match ledgers.iter().position(|l| l.name == n) {
            Some(i) => Ok(i),
            None if ledgers.is_empty() => led(format!("没有名为“{n}”的账套；库中还没有账套，请先用 init 建立")),
            None => led(format!("没有名为“{n}”的账套；现有账套：{}", names())),
        },
        (None, 0) => led("库中还没有账套，请先运行 qianzhang init --ledger 名称 --start YYYY-MM".into()),
        (None, 1) => Ok(0),
        (None, _) => led(format!("库中有多个账套（{}），请用 --ledger 指明", names())),
    }
}

/// The first administrator of a new ledger.
#[derive(Clone, Debug)]
pub struct FirstAdmin {
    pub name: String,
    /// argon2id hash of their passphrase ([`crate::operator::hash_passphrase`]).
    pub passphrase_hash: String,
    /// The day of `init`: the admin appointment runs from it.
    pub today: Date,
}

/// [LED-1] the events that create a ledger with the default chart and its
/// first administrator; the name must be new among `existing`.
pub fn create_ledger(
    existing: &[LedgerInfo],
    name: &str,
    start: Period,
    admin: &FirstAdmin,
) -> Result<Vec<Event>, Refusal> {
    check_ledger_name(name)?;
    check_person_name(&Registry::default(), &admin.name)?;
    if existing.iter().any(|l| l.name == name.trim()) {
        return Err(Refusal::new(Rule::Led1, format!("账套“{}”已存在，不能重复建立", name.trim())));
    }
    let mut events = vec![Event::LedgerCreated { name: name.trim().to_string(), start }];
    events.extend(Chart::default_chart().into_iter().map(|account| Event::AccountAdded { account }));
    let person = admin.name.trim().to_string();
    events.push(Event::PersonRegistered { name: person.clone() });
    events.push(Event::PassphraseSet { person: person.clone(), hash: admin.passphrase_hash.clone(), reset: false });
    events.push(Event::Appointed {
        appointment: Appointment {
            person,
            role: Role::Admin,
            from: admin.today,
            ended: None,
            leader: false,
            title: None,
            acting: false,
        },
    });
    Ok(events)
}

/// [ACC-1] adds an account.
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

/// [VCH-3] the date's period takes vouchers of this origin: history only
/// before go-live, everything else from go-live on; never a closed period.
fn check_period(books: &mut impl Books, date: Date, origin: Origin) -> Result<(), Failure> {
    let period = Period::of(date);
    let start = books.ledger().start;
    let day = format_date(date);
    if origin == Origin::History {
        if period >= start {
            return refuse(
                Rule::Vch3,
                format!("历史凭证日期 {day} 不在启用期间 {start} 之前；启用后的凭证请不加 --history 导入"),
            );
        }
    } else if period < start {
        return refuse(
            Rule::Vch3,
            format!("凭证日期 {day} 早于账套启用期间 {start}；启用前的历史凭证请用 import --history 导入"),
        );
    }
    if books.period_closed(period)? {
        return refuse(
            Rule::Vch3,
            format!("会计期间 {period} 已结账，不能再录入凭证（PER-1）；更正请在当前未结账期间进行"),
        );
    }
    Ok(())
}

/// [LIM-1] the ledger can hold the voucher: with its lines, the absolute
/// amounts of everything recorded stay within `MAX_TOTAL_FEN`, so that no
/// balance or total can overflow.
fn check_total(books: &mut impl Books, lines: &[Line]) -> Result<Option<Refusal>, Failure> {
    let adding = Money::turnover(lines.iter().map(|l| l.amount));
    let held = books.turnover()?;
    if held.fen().saturating_add(adding.fen()) <= MAX_TOTAL_FEN {
        return Ok(None);
    }
    Ok(Some(Refusal::new(
        Rule::Lim1,
        format!(
            "账套已记录的金额合计 {}（借贷两方绝对值之和）加上本凭证的 {} 将超过本程序能记录的上限 {}；请核对金额是否多写了位数",
            held.to_yuan(),
            adding.to_yuan(),
            Money::from_fen(MAX_TOTAL_FEN).to_yuan()
        ),
    )))
}

/// [VCH-3] a voucher records what has happened: it is dated no later than
/// the day it is entered.
pub fn check_not_future(date: Date, today: Date) -> Result<(), Refusal> {
    if date > today {
        return Err(Refusal::new(
            Rule::Vch3,
            format!(
                "凭证日期 {} 晚于今天 {}：凭证只记已经发生的业务，请填写实际发生的日期",
                format_date(date),
                format_date(today)
            ),
        ));
    }
    Ok(())
}

/// [`prepare_voucher`] for a voucher entered on `today` (VCH-3: never dated
/// after it). Every front end enters vouchers through this.
pub fn enter_voucher(
    books: &mut impl Books,
    draft: Draft,
    origin: Origin,
    preparer: &str,
    today: Date,
) -> Result<VoucherRef, Failure> {
    check_not_future(draft.date, today)?;
    prepare_voucher(books, draft, origin, preparer)
}

/// Checks a draft against VCH-1, VCH-2, VCH-3 and VCH-5 and records it:
/// prepared, or for history migrated and posted at once. Returns its number.
/// The clock is not consulted: front ends call [`enter_voucher`].
pub fn prepare_voucher(
    books: &mut impl Books,
    draft: Draft,
    origin: Origin,
    preparer: &str,
) -> Result<VoucherRef, Failure> {
    if preparer.trim().is_empty() {
        return refuse(Rule::Aud1, "未指明制单人；请用 --as 姓名 或环境变量 QIANZHANG_USER 指明操作人");
    }
    let draft = draft.normalized();
    let mut reasons = Refusals { reasons: Vec::new(), unlisted: 0 };
    let red = draft.reverses.is_some();
    for r in check_lines(&draft.lines, red) {
        reasons.push(r);
    }
    for r in crate::voucher::check_draft_text(&draft) {
        reasons.push(r);
    }
    for r in check_accounts(books.chart(), &draft.lines, draft.date) {
        reasons.push(r);
    }
    if origin != Origin::History {
        let funds = books.funds()?;
        for r in crate::funds::check_declared(&draft.lines, &funds) {
            reasons.push(r);
        }
    }
    if draft.documents.len() > draft.lines.len().max(1) {
        reasons.push(Refusal::new(Rule::Lim1, "单据张数不能多于分录行数（每行分录最多附一张单据信息）"));
    }
    if origin != Origin::History {
        let mut used = Vec::new();
        for d in &draft.documents {
            used.push(crate::documents::live_holder(books, d)?);
        }
        let mut used = used.into_iter();
        for r in check_new_documents(&draft.documents, |_| used.next().flatten()) {
            reasons.push(Refusal {
                row: None,
                message: format!("第 {} 张单据：{}", r.row.unwrap_or(0), r.message),
                ..r
            });
        }
    }
    if let Err(Failure::Refused(r)) = check_period(books, draft.date, origin) {
        reasons.reasons.extend(r.reasons);
    }
    if let Some(r) = check_total(books, &draft.lines)? {
        reasons.push(r);
    }
    if let Some(original_ref) = draft.reverses {
        if let Some(r) = check_reversal(books, original_ref, &draft)? {
            reasons.push(r);
        }
    }
    if !reasons.is_empty() {
        return Err(Failure::Refused(reasons));
    }
    let period = Period::of(draft.date);
    let number = books.next_number(period)?;
    let reference = VoucherRef { period, number };
    let mut draft = draft;
    if draft.source_ref.as_deref() == Some(reference.label().as_str()) {
        // The file's number is the engine's: nothing to keep.
        draft.source_ref = None;
    }
    let voucher = Voucher::accepted(reference, draft, origin, preparer);
    let event = match origin {
        Origin::History | Origin::Closing => Event::VoucherMigrated { voucher },
        Origin::Entered | Origin::Imported => Event::VoucherPrepared { voucher },
    };
    books.append(event)?;
    Ok(reference)
}

/// [VCH-5] a reversal cites a posted voucher that is neither a reversal nor
/// already reversed, is dated no earlier, and negates its lines.
fn check_reversal(books: &mut impl Books, original_ref: VoucherRef, draft: &Draft) -> Result<Option<Refusal>, Failure> {
    let v = |m: String| Ok(Some(Refusal::new(Rule::Vch5, m)));
    let Some((original, status)) = books.voucher(original_ref)? else {
        return v(format!("要冲销的凭证 {original_ref} 不存在"));
    };
    if status != Status::Posted {
        return v(format!("凭证 {original_ref} 未记账（{}），未记账的凭证作废即可，不需红字冲销", status.chinese()));
    }
    if original.reverses().is_some() {
        return v(format!("凭证 {original_ref} 本身是红字冲销凭证，不能再冲销；如需恢复请重新录入正确凭证"));
    }
    if let Some(existing) = books.reversed_by(original_ref)? {
        return v(format!("凭证 {original_ref} 已被 {existing} 冲销，不能重复冲销"));
    }
    if draft.date < original.date() {
        return v(format!(
            "冲销凭证日期 {} 早于原凭证 {original_ref} 的日期 {}",
            format_date(draft.date),
            format_date(original.date())
        ));
    }
    Ok(check_reversal_lines(&original, &draft.lines))
}

/// [VCH-4] posts (记账) a prepared voucher whose signatures are complete;
/// `poster` is the accountant acting on `today`.
pub fn post_voucher(books: &mut impl Books, reference: VoucherRef, poster: &str, today: Date) -> Result<(), Failure> {
    let Some((voucher, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if status == Status::Posted {
        return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，已记账凭证不能再次记账或修改"));
    }
    if status == Status::Voided {
        return refuse(Rule::Vch4, format!("凭证 {reference} 已作废"));
    }
    if books.period_closed(reference.period)? {
        return refuse(Rule::Vch3, format!("会计期间 {} 已结账，不能记账", reference.period));
    }
    let mut errs = check_accounts(books.chart(), voucher.lines(), voucher.date());
    errs.extend(check_ready_to_post(books, &voucher, poster, today)?);
    let mut held = std::collections::HashMap::new();
    for fund in voucher.lines().iter().filter_map(|l| l.fund.as_deref()) {
        if !held.contains_key(fund) {
            held.insert(fund.to_string(), books.fund_balance(fund)?);
        }
    }
    errs.extend(check_fund_spending(&voucher, |f| held.get(f).copied().unwrap_or_default()));
    errs.extend(check_cash_and_bank(books, &voucher, false)?);
    if !errs.is_empty() {
        return Err(Failure::Refused(Refusals { reasons: errs, unlisted: 0 }));
    }
    books.append(Event::VoucherPosted { reference })?;
    Ok(())
}

/// [CSH-1] cash and bank stay at or above zero on every day once `v` is in;
/// `confirmed`: count what the cashier has confirmed but not yet posted.
pub fn check_cash_and_bank(books: &mut impl Books, v: &Voucher, confirmed: bool) -> Result<Vec<Refusal>, Failure> {
    let mut out = Vec::new();
    for (prefix, name) in [("1001", "库存现金"), ("1002", "银行存款")] {
        let delta: Money = v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(Line::signed).sum();
        if delta.is_negative() {
            let (before, later) = books.movements_from(prefix, v.date(), confirmed)?;
            out.extend(crate::receipts::check_never_negative(name, before, &later, v.date(), delta));
        }
    }
    Ok(out)
}

/// [VCH-4, DOC-1..4] attaches an original document to a prepared voucher.
/// The voucher is revised, so its signatures are cleared and it is signed
/// again.
pub fn attach_document(books: &mut impl Books, reference: VoucherRef, document: Document) -> Result<(), Failure> {
    let Some((voucher, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    if status == Status::Posted {
        return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，不能再附单据；如有错误请红字冲销"));
    }
    if status == Status::Voided {
        return refuse(Rule::Vch4, format!("凭证 {reference} 已作废"));
    }
    let draft_docs: Vec<Document> = voucher.documents().iter().cloned().chain([document.clone()]).collect();
    let draft = Draft {
        date: voucher.date(),
        lines: vec![],
        documents: draft_docs,
        authorization: None,
        reverses: None,
        source_ref: None,
    }
    .normalized();
    if draft.documents.len() > voucher.lines().len() {
        return refuse(Rule::Lim1, "单据张数不能多于分录行数（每行分录最多附一张单据信息）");
    }
    let used = crate::documents::live_holder(books, &document)?;
    let mut errs =
        check_new_documents(&draft.documents, |d| if doc_key(d) == doc_key(&document) { used } else { None });
    errs.retain(|r| r.row == Some(draft.documents.len()) || r.rule == Rule::Doc2);
    if !errs.is_empty() {
        return Err(Failure::Refused(Refusals { reasons: errs, unlisted: 0 }));
    }
    let added = draft.documents.last().cloned().unwrap_or(document);
    books.append(Event::VoucherRevised { voucher: voucher.with_document(added) })?;
    Ok(())
}

/// [VCH-4] voids (作废) a prepared voucher, with a reason: a posted one is
/// corrected by red reversal instead (VCH-5). The number stays taken.
pub fn void_voucher(books: &mut impl Books, reference: VoucherRef, reason: &str) -> Result<(), Failure> {
    let Some((_, status)) = books.voucher(reference)? else {
        return refuse(Rule::Vch4, format!("凭证 {reference} 不存在"));
    };
    match status {
        Status::Posted => {
            return refuse(Rule::Vch5, format!("凭证 {reference} 已经记账，不能作废；如有错误请红字冲销"));
        }
        Status::Voided => return refuse(Rule::Vch4, format!("凭证 {reference} 已经作废")),
        Status::Prepared => {}
    }
    if reason.trim().is_empty() {
        return refuse(Rule::Vch4, "作废凭证须写明原因（--reason）");
    }
    if books.period_closed(reference.period)? {
        return refuse(Rule::Vch3, format!("会计期间 {} 已结账", reference.period));
    }
    books.append(Event::VoucherVoided { reference, reason: reason.trim().to_string() })?;
    Ok(())
}

/// [VCH-5] prepares the red reversal of a posted voucher, dated `date`.
pub fn reverse_voucher(
    books: &mut impl Books,
    reference: VoucherRef,
    date: Date,
    preparer: &str,
    today: Date,
) -> Result<VoucherRef, Failure> {
    let Some((original, _)) = books.voucher(reference)? else {
        return refuse(Rule::Vch5, format!("要冲销的凭证 {reference} 不存在"));
    };
    let draft = original.reversal_draft(date);
    // The reversal's own conditions come first: they say more than the
    // line checks would about, say, the reversal of a reversal.
    if let Some(r) = check_reversal(books, reference, &draft)? {
        return Err(r.into());
    }
    enter_voucher(books, draft, Origin::Entered, preparer, today)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use time::macros::date;

    use super::*;
    use crate::voucher::{Line, Side};

    /// The day the tests act on: after every voucher they enter.
    pub(crate) const TODAY: Date = date!(2025 - 12 - 31);

    /// The smallest `Books`: what a new backend must provide, in memory.
    pub(crate) struct MemoryBooks {
        pub info: LedgerInfo,
        pub chart: Chart,
        pub closed: Vec<Period>,
        pub vouchers: HashMap<VoucherRef, (Voucher, Status)>,
        pub imported: Vec<String>,
        pub events: Vec<Event>,
        pub registry: Registry,
        pub signed: HashMap<VoucherRef, Vec<Signature>>,
        pub settings: Settings,
        pub authorizations: HashMap<String, Authorization>,
        pub receipt_books: Vec<ReceiptBook>,
        pub receipts: HashMap<(String, u32), ReceiptState>,
        /// Cash and bank each held before any voucher, so tests can pay.
        pub opening_cash: Money,
        pub funds: Vec<crate::funds::Fund>,
        pub counts: Vec<CashCount>,
        pub statement: Vec<StoredLine>,
        pub statement_through: Vec<(String, Date)>,
        pub assets: Vec<Asset>,
        pub in_transit: HashMap<Period, Vec<InTransit>>,
        /// Amounts held besides `vouchers` (LIM-1 tests).
        pub turnover_base: Money,
    }

    impl MemoryBooks {
        pub(crate) fn new() -> MemoryBooks {
            let mut books = MemoryBooks {
                info: LedgerInfo { name: "测试".into(), start: Period::parse("2025-01").unwrap() },
                chart: Chart::from_accounts(Chart::default_chart()),
                closed: Vec::new(),
                vouchers: HashMap::new(),
                imported: Vec::new(),
                events: Vec::new(),
                registry: Registry::default(),
                signed: HashMap::new(),
                settings: Settings::default(),
                authorizations: HashMap::new(),
                receipt_books: Vec::new(),
                receipts: HashMap::new(),
                opening_cash: Money::from_fen(100_000_000_000),
                funds: ["低保", "救灾", "楼道维修基金"]
                    .map(|name| crate::funds::Fund { name: name.into(), restricted: true })
                    .into(),
                counts: Vec::new(),
                statement: Vec::new(),
                statement_through: Vec::new(),
                assets: Vec::new(),
                in_transit: HashMap::new(),
                turnover_base: Money::ZERO,
            };
            books.closed.push(Period::parse("2024-06").unwrap());
            let standing = Authorization {
                number: STANDING.into(),
                kind: crate::approval::AuthKind::Resolution,
                date: date!(2024 - 01 - 01),
                scope: "日常办公".into(),
                cap: Money::from_fen(10_000_000_000),
                stand_aside: None,
            };
            books.authorizations.insert(STANDING.into(), standing);
            books
        }
    }

    impl Books for MemoryBooks {
        fn ledger(&self) -> &LedgerInfo {
            &self.info
        }
        fn chart(&self) -> &Chart {
            &self.chart
        }
        fn registry(&self) -> &Registry {
            &self.registry
        }
        fn period_closed(&mut self, period: Period) -> Result<bool, BackendError> {
            Ok(self.closed.contains(&period))
        }
        fn next_number(&mut self, period: Period) -> Result<u32, BackendError> {
            Ok(1 + self.vouchers.keys().filter(|r| r.period == period).count() as u32)
        }
        fn voucher(&mut self, r: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
            Ok(self.vouchers.get(&r).cloned())
        }
        fn reversed_by(&mut self, r: VoucherRef) -> Result<Option<VoucherRef>, BackendError> {
            Ok(self.vouchers.values().find(|(v, _)| v.reverses() == Some(r)).map(|(v, _)| v.reference()))
        }
        fn settings(&self) -> &Settings {
            &self.settings
        }
        fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, BackendError> {
            Ok(self.authorizations.get(number).cloned())
        }
        fn authorizations(&mut self) -> Result<Vec<Authorization>, BackendError> {
            let mut all: Vec<Authorization> = self.authorizations.values().cloned().collect();
            all.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
            Ok(all)
        }
        fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, BackendError> {
            Ok(self.receipt_books.clone())
        }
        fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, BackendError> {
            Ok(self.receipts.keys().filter(|(b, _)| b == book).map(|(_, s)| *s).max())
        }
        fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, BackendError> {
            Ok(self.receipts.get(&(book.to_string(), serial)).cloned())
        }
        fn document_used(&mut self, d: &Document) -> Result<Option<VoucherRef>, BackendError> {
            let key = doc_key(d);
            Ok(key.and_then(|k| {
                self.vouchers
                    .values()
                    .filter(|(v, s)| {
                        *s != Status::Voided && v.documents().iter().any(|x| doc_key(x).as_ref() == Some(&k))
                    })
                    .map(|(v, _)| v.reference())
                    .max()
            }))
        }
        fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, BackendError> {
            Ok(self.vouchers.values().filter(|(v, _)| v.authorization() == Some(number)).cloned().collect())
        }
        fn signatures(&mut self, r: VoucherRef) -> Result<Vec<Signature>, BackendError> {
            Ok(self.signed.get(&r).cloned().unwrap_or_default())
        }
        fn movements_from(
            &mut self,
            prefix: &str,
            date: Date,
            confirmed: bool,
        ) -> Result<(Money, Vec<(Date, Money)>), BackendError> {
            let mut before = self.opening_cash;
            let mut later = Vec::new();
            for (v, s) in self.vouchers.values() {
                let is_confirmed = self
                    .signed
                    .get(&v.reference())
                    .is_some_and(|sig| sig.iter().any(|x| x.kind == crate::lifecycle::SignKind::Confirm));
                if *s != Status::Posted && !(confirmed && is_confirmed) {
                    continue;
                }
                let net: Money = v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(Line::signed).sum();
                if v.date() < date {
                    before += net;
                } else if !net.is_zero() {
                    later.push((v.date(), net));
                }
            }
            Ok((before, later))
        }
        fn funds(&mut self) -> Result<Vec<crate::funds::Fund>, BackendError> {
            Ok(self.funds.clone())
        }
        fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, BackendError> {
            Ok(self.counts.iter().filter(|c| Period::of(c.date) == period).cloned().collect())
        }
        fn vouchers_touching(
            &mut self,
            prefix: &str,
            from: Date,
            to: Date,
            confirmed: bool,
        ) -> Result<(Money, Vec<Voucher>), BackendError> {
            let cash = prefix.starts_with("1001") || prefix.starts_with("1002");
            let mut before = if cash { self.opening_cash } else { Money::ZERO };
            let mut out = Vec::new();
            for (v, s) in self.vouchers.values() {
                let is_confirmed = self
                    .signed
                    .get(&v.reference())
                    .is_some_and(|sig| sig.iter().any(|x| x.kind == crate::lifecycle::SignKind::Confirm));
                if *s != Status::Posted && !(confirmed && is_confirmed) {
                    continue;
                }
                let on: Vec<&Line> = v.lines().iter().filter(|l| l.account.starts_with(prefix)).collect();
                if on.is_empty() {
                    continue;
                }
                if v.date() < from {
                    before += on.iter().map(|l| l.signed()).sum();
                } else if v.date() <= to {
                    out.push(v.clone());
                }
            }
            out.sort_by_key(|v| v.reference());
            Ok((before, out))
        }
        fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, BackendError> {
            let mut out: Vec<VoucherRef> = self
                .vouchers
                .values()
                .filter(|(v, s)| *s == Status::Prepared && v.period() == period)
                .map(|(v, _)| v.reference())
                .collect();
            out.sort();
            Ok(out)
        }
        fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, BackendError> {
            let (before, _) = self.vouchers_touching(prefix, period.next().first_day(), period.first_day(), false)?;
            Ok(before)
        }
        fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, BackendError> {
            Ok(self.statement.iter().filter(|l| l.account == account).cloned().collect())
        }
        fn next_statement_line(&mut self) -> Result<u64, BackendError> {
            Ok(self.statement.len() as u64 + 1)
        }
        fn statement_through(&mut self, account: &str) -> Result<Option<Date>, BackendError> {
            let lines = self.statement.iter().filter(|l| l.account == account).map(|l| l.line.date);
            let given = self.statement_through.iter().filter(|(a, _)| a == account).map(|(_, d)| *d);
            Ok(lines.chain(given).max())
        }
        fn assets(&mut self) -> Result<Vec<Asset>, BackendError> {
            Ok(self.assets.clone())
        }
        fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, BackendError> {
            let last = self.closed.iter().filter(|p| **p < period).max().copied();
            Ok(last.map(|p| (p, self.in_transit.get(&p).cloned().unwrap_or_default())))
        }
        fn fund_balance(&mut self, fund: &str) -> Result<Money, BackendError> {
            Ok(self
                .vouchers
                .values()
                .filter(|(_, s)| *s == Status::Posted)
                .flat_map(|(v, _)| v.lines().iter().filter_map(crate::funds::fund_effect).collect::<Vec<_>>())
                .filter(|(f, _, _)| *f == fund)
                .map(|(_, into, out)| into - out)
                .sum())
        }
        fn balance(&mut self, code: &str) -> Result<Money, BackendError> {
            Ok(self
                .vouchers
                .values()
                .filter(|(_, s)| *s == Status::Posted)
                .flat_map(|(v, _)| v.lines().iter().filter(|l| l.account == code).map(Line::signed).collect::<Vec<_>>())
                .sum())
        }
        fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, BackendError> {
            Ok(self.imported.iter().any(|s| s == sha256).then(|| "之前".to_string()))
        }
        fn turnover(&mut self) -> Result<Money, BackendError> {
            Ok(self.turnover_base
                + Money::turnover(self.vouchers.values().flat_map(|(v, _)| v.lines().iter().map(|l| l.amount))))
        }
        fn append(&mut self, event: Event) -> Result<(), Failure> {
            crate::text::check_event(&event)?;
            match &event {
                Event::VoucherPrepared { voucher } => {
                    self.vouchers.insert(voucher.reference(), (voucher.clone(), Status::Prepared));
                }
                Event::VoucherMigrated { voucher } => {
                    self.vouchers.insert(voucher.reference(), (voucher.clone(), Status::Posted));
                }
                Event::VoucherPosted { reference } => {
                    if let Some(e) = self.vouchers.get_mut(reference) {
                        e.1 = Status::Posted;
                    }
                }
                Event::VoucherVoided { reference, .. } => {
                    if let Some(e) = self.vouchers.get_mut(reference) {
                        e.1 = Status::Voided;
                    }
                }
                Event::VoucherRevised { voucher } => {
                    self.vouchers.insert(voucher.reference(), (voucher.clone(), Status::Prepared));
                    self.signed.remove(&voucher.reference());
                }
                Event::PeriodClosed { period, in_transit, .. } => {
                    self.closed.push(*period);
                    self.in_transit.insert(*period, in_transit.clone());
                }
                Event::PeriodReopened { period, .. } => self.closed.retain(|p| p != period),
                Event::ClosingVoucher { voucher } => {
                    self.vouchers.insert(voucher.reference(), (voucher.clone(), Status::Posted));
                }
                Event::FundDeclared { fund } => self.funds.push(fund.clone()),
                Event::AssetRegistered { asset } => self.assets.push(asset.clone()),
                Event::AssetDisposed { id, date, reason } => {
                    if let Some(a) = self.assets.iter_mut().find(|a| a.id == *id) {
                        a.disposed = Some(*date);
                        a.disposal_reason = Some(reason.clone());
                    }
                }
                Event::CashCounted { count } => self.counts.push(count.clone()),
                Event::StatementImported { account, first_id, lines, through, .. } => {
                    if let Some(t) = through {
                        self.statement_through.push((account.clone(), *t));
                    }
                    for (i, line) in lines.iter().enumerate() {
                        self.statement.push(StoredLine {
                            id: first_id + i as u64,
                            account: account.clone(),
                            line: line.clone(),
                            matched: None,
                        });
                    }
                }
                Event::BankMatched { pairs, .. } => {
                    for (id, v) in pairs {
                        if let Some(l) = self.statement.iter_mut().find(|l| l.id == *id) {
                            l.matched = Some(*v);
                        }
                    }
                }
                Event::BankUnmatched { line, .. } => {
                    if let Some(l) = self.statement.iter_mut().find(|l| l.id == *line) {
                        l.matched = None;
                    }
                }
                Event::FileImported { sha256, .. } => self.imported.push(sha256.clone()),
                Event::VoucherSigned { reference, signature } => {
                    self.signed.entry(*reference).or_default().push(signature.clone())
                }
                Event::SettingChanged { key, value } => self.settings.set(*key, value),
                Event::ReceiptBookRegistered { book } => self.receipt_books.push(book.clone()),
                Event::ReceiptBookPassed { book, holder, .. } => {
                    if let Some(b) = self.receipt_books.iter_mut().find(|b| b.book == *book) {
                        b.holder = holder.clone();
                    }
                }
                Event::ReceiptIssued { book, serial, payer, amount, date } => {
                    let state = ReceiptState::Issued { payer: payer.clone(), amount: *amount, date: *date };
                    self.receipts.insert((book.clone(), *serial), state);
                }
                Event::ReceiptVoided { book, serial, reason } => {
                    self.receipts.insert((book.clone(), *serial), ReceiptState::Voided { reason: reason.clone() });
                }
                Event::AuthorizationRecorded { authorization } => {
                    self.authorizations.insert(authorization.number.clone(), authorization.clone());
                }
                Event::SignatureWithdrawn { reference, kind, .. } => {
                    self.signed.entry(*reference).or_default().retain(|s| s.kind != *kind)
                }
                Event::AccountAdded { account } => self.chart.insert(account.clone()),
                Event::AccountRenamed { code, name } => self.chart.rename(code, name),
                Event::AccountClosed { code, date } => self.chart.close(code, *date),
                _ => self.registry.apply(&event),
            }
            self.events.push(event);
            Ok(())
        }
    }

    /// Posts with every required signature in place (the signing rules are
    /// tested in `lifecycle`).
    pub(crate) fn post(b: &mut MemoryBooks, r: VoucherRef) -> Result<(), Failure> {
        if let Some((v, _)) = b.vouchers.get(&r) {
            let signatures = crate::lifecycle::required(&b.chart, v)
                .into_iter()
                .map(|kind| Signature {
                    kind,
                    person: "签字人".into(),
                    appointment_from: date!(2025 - 01 - 01),
                    at: "t".into(),
                    resolution: None,
                })
                .collect();
            b.signed.insert(r, signatures);
        }
        post_voucher(b, r, "赵敏", date!(2025 - 03 - 31))
    }

    /// A resolution every test expense may cite.
    pub(crate) const STANDING: &str = "两委决议〔2025〕1号";

    pub(crate) fn draft(date: Date, fen: i64) -> Draft {
        let line = |account: &str, side| Line {
            summary: "办公用品".into(),
            account: account.into(),
            side,
            amount: Money::from_fen(fen),
            fund: None,
            counterparty: None,
        };
        Draft {
            date,
            lines: vec![line("5201", Side::Debit), line("1001", Side::Credit)],
            documents: vec![Document {
                doc_type: "计算表".into(),
                issuer: None,
                number: None,
                amount: Some(Money::from_fen(fen)),
                handler: Some("张伟".into()),
                checker: None,
                date: None,
            }],
            authorization: Some(STANDING.into()),
            reverses: None,
            source_ref: None,
        }
    }

    fn rule_of<T: std::fmt::Debug>(r: Result<T, Failure>) -> Rule {
        match r {
            Err(Failure::Refused(r)) => r.first_rule(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn vch_3_numbers_are_consecutive_per_period() {
        let mut b = MemoryBooks::new();
        let a = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        let c = prepare_voucher(&mut b, draft(date!(2025 - 01 - 03), 100), Origin::Entered, "赵敏").unwrap();
        let d = prepare_voucher(&mut b, draft(date!(2025 - 02 - 01), 100), Origin::Entered, "赵敏").unwrap();
        assert_eq!((a.number, c.number, d.number), (1, 2, 1));
        assert_eq!(a.label(), "记-0001");
    }

    #[test]
    fn vch_3_history_before_go_live_everything_else_after() {
        let mut b = MemoryBooks::new();
        assert_eq!(
            rule_of(prepare_voucher(&mut b, draft(date!(2024 - 12 - 31), 1), Origin::Entered, "赵敏")),
            Rule::Vch3
        );
        assert_eq!(
            rule_of(prepare_voucher(&mut b, draft(date!(2025 - 01 - 01), 1), Origin::History, "赵敏")),
            Rule::Vch3
        );
        assert_eq!(
            rule_of(prepare_voucher(&mut b, draft(date!(2024 - 06 - 10), 1), Origin::History, "赵敏")),
            Rule::Vch3
        );
        prepare_voucher(&mut b, draft(date!(2024 - 12 - 31), 1), Origin::History, "赵敏").unwrap();
        assert!(matches!(b.events.last(), Some(Event::VoucherMigrated { .. })));
        assert!(b.events.len() == 1, "refusals append nothing");
    }

    #[test]
    fn vch_4_post_only_what_exists_and_waits() {
        let mut b = MemoryBooks::new();
        let missing = VoucherRef { period: Period::parse("2025-01").unwrap(), number: 9 };
        assert_eq!(rule_of(post(&mut b, missing)), Rule::Vch4);
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(post(&mut b, r)), Rule::Vch5);
    }

    #[test]
    fn lim_1_a_voucher_that_would_take_the_ledger_past_what_it_holds_is_refused() {
        let mut b = MemoryBooks::new();
        // ¥100.00 on each side: 20,000 fen of absolute amounts.
        b.turnover_base = Money::from_fen(MAX_TOTAL_FEN - 20_000);
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 10_000), Origin::Entered, "赵敏").unwrap();
        assert_eq!(b.turnover().unwrap(), Money::from_fen(MAX_TOTAL_FEN));
        let before = b.events.len();
        let refused = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 1), Origin::Entered, "赵敏");
        assert_eq!(rule_of(refused), Rule::Lim1);
        assert_eq!(b.events.len(), before, "nothing recorded");
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", TODAY)), Rule::Lim1);
    }

    #[test]
    fn vch_3_a_voucher_is_never_dated_after_today() {
        let mut b = MemoryBooks::new();
        let today = date!(2025 - 01 - 05);
        let later = draft(date!(2025 - 01 - 06), 100);
        let before = b.events.len();
        let refused = enter_voucher(&mut b, later, Origin::Entered, "赵敏", today);
        assert_eq!(rule_of(refused), Rule::Vch3);
        assert_eq!(b.events.len(), before, "nothing recorded");
        enter_voucher(&mut b, draft(today, 100), Origin::Entered, "赵敏", today).unwrap();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 04), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", today)), Rule::Vch3);
    }

    #[test]
    fn vch_5_red_reversal_rules() {
        let mut b = MemoryBooks::new();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        assert_eq!(
            rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", TODAY)),
            Rule::Vch5,
            "not posted yet"
        );
        post(&mut b, r).unwrap();
        assert_eq!(
            rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 04), "赵敏", TODAY)),
            Rule::Vch5,
            "dated before the original"
        );
        let mut forged = b.vouchers[&r].0.reversal_draft(date!(2025 - 01 - 06));
        forged.lines[0].amount = Money::from_fen(-50);
        forged.lines[1].amount = Money::from_fen(-50);
        assert_eq!(
            rule_of(prepare_voucher(&mut b, forged, Origin::Entered, "赵敏")),
            Rule::Vch5,
            "lines must negate the original"
        );
        let red = reverse_voucher(&mut b, r, date!(2025 - 01 - 06), "赵敏", TODAY).unwrap();
        let (rv, _) = b.vouchers[&red].clone();
        assert_eq!(rv.reverses(), Some(r));
        assert_eq!(rv.total_debit(), Money::from_fen(-100));
        assert!(rv.lines()[0].summary.starts_with("冲销 2025-01/记-0001"));
        assert_eq!(
            rule_of(reverse_voucher(&mut b, r, date!(2025 - 01 - 07), "赵敏", TODAY)),
            Rule::Vch5,
            "reversed twice"
        );
        post(&mut b, red).unwrap();
        assert_eq!(
            rule_of(reverse_voucher(&mut b, red, date!(2025 - 01 - 07), "赵敏", TODAY)),
            Rule::Vch5,
            "a reversal is not reversed"
        );
        assert_eq!(b.balance("5201").unwrap(), Money::ZERO);
    }

    #[test]
    fn acc_2_close_refuses_a_balance() {
        let mut b = MemoryBooks::new();
        let r = prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 100), Origin::Entered, "赵敏").unwrap();
        post(&mut b, r).unwrap();
        assert_eq!(rule_of(close_account(&mut b, "5201", date!(2025 - 02 - 01))), Rule::Acc2);
        close_account(&mut b, "5401", date!(2025 - 02 - 01)).unwrap();
        assert!(!b.chart.get("5401").unwrap().is_open_on(date!(2025 - 02 - 01)));
    }

    #[test]
    fn csh_1_cash_never_goes_negative_on_any_day() {
        let mut b = MemoryBooks::new();
        b.opening_cash = Money::from_fen(10_000);
        let pay = |b: &mut MemoryBooks, day, fen| {
            let r = prepare_voucher(b, draft(day, fen), Origin::Entered, "赵敏").unwrap();
            post(b, r)
        };
        pay(&mut b, date!(2025 - 03 - 10), 6_000).unwrap();
        let Err(Failure::Refused(e)) = pay(&mut b, date!(2025 - 03 - 05), 5_000) else {
            panic!("a payment before a later one")
        };
        assert_eq!(e.reasons[0].rule, Rule::Csh1);
        assert!(
            e.reasons[0].message.contains("2025-03-10 日终余额将为 -¥10.00")
                && e.reasons[0].message.contains("短缺 ¥10.00"),
            "{}",
            e.reasons[0].message
        );
        pay(&mut b, date!(2025 - 03 - 12), 4_000).unwrap();
        assert_eq!(rule_of(pay(&mut b, date!(2025 - 03 - 12), 1)), Rule::Csh1);
    }

    #[test]
    fn aud_1_a_voucher_needs_its_preparer() {
        let mut b = MemoryBooks::new();
        assert_eq!(rule_of(prepare_voucher(&mut b, draft(date!(2025 - 01 - 05), 1), Origin::Entered, " ")), Rule::Aud1);
    }

    use crate::people::tests::appoint as officer;

    #[test]
    fn ppl_1_people_are_registered_once_and_before_they_act() {
        let mut b = MemoryBooks::new();
        register_person(&mut b, "李明", None).unwrap();
        assert_eq!(rule_of(register_person(&mut b, "李明", None)), Rule::Ppl1);
        assert_eq!(rule_of(register_person(&mut b, " ", None)), Rule::Ppl1);
        assert_eq!(rule_of(appoint(&mut b, officer("王芳", Role::Cashier, false, None))), Rule::Ppl1);
        let spouse = KinFact::Spouse { a: "王芳".into(), b: "李明".into() };
        assert_eq!(rule_of(record_kinship(&mut b, spouse, date!(2025 - 01 - 01))), Rule::Ppl1);
        appoint(&mut b, officer("李明", Role::Approver, true, Some("主任"))).unwrap();
        assert_eq!(rule_of(end_appointment(&mut b, "李明", Role::Cashier, date!(2025 - 02 - 01))), Rule::Ppl1);
        assert_eq!(rule_of(end_appointment(&mut b, "李明", Role::Approver, date!(2025 - 01 - 01))), Rule::Ppl1);
        end_appointment(&mut b, "李明", Role::Approver, date!(2025 - 02 - 01)).unwrap();
        assert!(!b.registry.appointments()[0].in_force(date!(2025 - 02 - 01)));
    }

    #[test]
    fn sep_7_kinship_is_recorded_and_reports_the_conflict() {
        let mut b = MemoryBooks::new();
        for p in ["李明", "李强", "王芳"] {
            register_person(&mut b, p, None).unwrap();
        }
        appoint(&mut b, officer("李明", Role::Approver, true, Some("主任"))).unwrap();
        appoint(&mut b, officer("王芳", Role::Cashier, false, None)).unwrap();
        let day = date!(2025 - 03 - 01);
        assert!(record_kinship(&mut b, KinFact::Sibling { a: "李强".into(), b: "李明".into() }, day)
            .unwrap()
            .is_empty());
        let conflicts = record_kinship(&mut b, KinFact::Spouse { a: "王芳".into(), b: "李强".into() }, day).unwrap();
        assert_eq!(conflicts.len(), 1);
        assert!(conflicts[0].message.contains("王芳是主任李明的近姻亲（配偶的兄弟姐妹）"), "{}", conflicts[0].message);
        assert_eq!(b.registry.facts().len(), 2, "the fact is recorded despite the conflict");
        let again = KinFact::Spouse { a: "王芳".into(), b: "李强".into() };
        assert_eq!(rule_of(record_kinship(&mut b, again, day)), Rule::Ppl1);
        assert_eq!(rule_of(appoint(&mut b, officer("李强", Role::Accountant, false, None))), Rule::Sep3);
    }

    #[test]
    fn led_1_ledger_names_and_selection() {
        let start = Period::parse("2025-01").unwrap();
        let admin = FirstAdmin { name: "管理员".into(), passphrase_hash: "h".into(), today: date!(2025 - 01 - 01) };
        let events = create_ledger(&[], "幸福里社区", start, &admin).unwrap();
        assert_eq!(events.len(), 25);
        assert!(matches!(&events[24], Event::Appointed { appointment } if appointment.role == Role::Admin));
        assert_eq!(create_ledger(&[], "  ", start, &admin).unwrap_err().rule, Rule::Led1);
        let one = [LedgerInfo { name: "幸福里社区".into(), start }];
        assert_eq!(create_ledger(&one, "幸福里社区", start, &admin).unwrap_err().rule, Rule::Led1);
        assert_eq!(select_ledger(&one, None), Ok(0));
        assert_eq!(select_ledger(&[], None).unwrap_err().rule, Rule::Led1);
        let two = [one[0].clone(), LedgerInfo { name: "和平里".into(), start }];
        assert_eq!(select_ledger(&two, Some("和平里")), Ok(1));
        assert!(select_ledger(&two, None).unwrap_err().message.contains("幸福里社区、和平里"));
        assert_eq!(select_ledger(&two, Some("无")).unwrap_err().rule, Rule::Led1);
    }

    /// One step of the CSH-1 property: what moves, on which day of March, how much.
    #[derive(Clone, Copy, Debug)]
    enum Move {
        BankReceipt,
        CashPayment,
        BankPayment,
        Deposit,
        Withdrawal,
    }

    fn move_draft(m: Move, day: u8, fen: i64) -> Draft {
        let date = Date::from_calendar_date(2025, time::Month::March, day).unwrap();
        let mut d = draft(date, fen);
        let (debit, credit) = match m {
            Move::BankReceipt => ("1002", "4901"),
            Move::CashPayment => ("5201", "1001"),
            Move::BankPayment => ("5201", "1002"),
            Move::Deposit => ("1002", "1001"),
            Move::Withdrawal => ("1001", "1002"),
        };
        d.lines[0].account = debit.into();
        d.lines[1].account = credit.into();
        d
    }

    fn lowest_day_end(b: &MemoryBooks, prefix: &str) -> Money {
        let mut moves: Vec<(Date, Money)> = b
            .vouchers
            .values()
            .filter(|(_, s)| *s == Status::Posted)
            .map(|(v, _)| {
                (v.date(), v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(Line::signed).sum())
            })
            .collect();
        moves.sort_by_key(|(d, _)| *d);
        let mut balance = b.opening_cash;
        let mut lowest = balance;
        for (i, (d, m)) in moves.iter().enumerate() {
            balance += *m;
            if moves.get(i + 1).is_none_or(|(next, _)| next != d) {
                lowest = lowest.min(balance);
            }
        }
        lowest
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// [CSH-1] whatever receipts, payments and transfers are posted, in
        /// whatever order of dates, cash and bank close every day at zero or
        /// more; a refused posting is refused under CSH-1 and changes nothing.
        #[test]
        fn csh_1_cash_and_bank_never_go_negative(
            steps in proptest::collection::vec(
                (proptest::prelude::prop_oneof![
                    proptest::prelude::Just(Move::BankReceipt),
                    proptest::prelude::Just(Move::CashPayment),
                    proptest::prelude::Just(Move::BankPayment),
                    proptest::prelude::Just(Move::Deposit),
                    proptest::prelude::Just(Move::Withdrawal),
                ], 1u8..=28, 1i64..=5_000),
                1..40,
            )
        ) {
            let mut b = MemoryBooks::new();
            b.opening_cash = Money::from_fen(3_000);
            for (m, day, fen) in steps {
                let r = prepare_voucher(&mut b, move_draft(m, day, fen), Origin::Entered, "赵敏").unwrap();
                let posted_before = b.vouchers.values().filter(|(_, s)| *s == Status::Posted).count();
                match post(&mut b, r) {
                    Ok(()) => {}
                    Err(Failure::Refused(reasons)) => {
                        proptest::prop_assert!(reasons.reasons.iter().all(|x| x.rule == Rule::Csh1), "{reasons:?}");
                        let posted_after = b.vouchers.values().filter(|(_, s)| *s == Status::Posted).count();
                        proptest::prop_assert_eq!(posted_before, posted_after);
                    }
                    Err(e) => proptest::prop_assert!(false, "{e:?}"),
                }
                proptest::prop_assert!(!lowest_day_end(&b, "1001").is_negative());
                proptest::prop_assert!(!lowest_day_end(&b, "1002").is_negative());
            }
        }
    }
}
