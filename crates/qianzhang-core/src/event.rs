//! Every change to a ledger, as recorded in the hash-chained log (AUD-1),
//! with its kind and its Chinese description for log listings.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::account::Account;
use crate::approval::{Authorization, SettingKey};
use crate::bank::{InTransit, StatementLine};
use crate::cash::CashCount;
use crate::disclosure::{Asset, Review};
use crate::funds::Fund;
use crate::lifecycle::{SignKind, Signature};
use crate::money::Money;
use crate::people::{describe_fact, Appointment, KinFact, Role};
use crate::period::{date_serde, format_date, Period};
use crate::receipts::{describe_book, ReceiptBook};
use crate::rule::{Refusals, Rule};
use crate::voucher::{Voucher, VoucherRef};

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
    /// A voucher template saved under its name (replacing one of that name).
    TemplateSaved {
        template: crate::template::Template,
    },
    /// [OPN-1] an account's opening balance (期初余额) for the go-live month
    /// `period`, debit-positive, replacing `previous` (zero: none); zero
    /// removes it.
    OpeningSet {
        period: Period,
        account: String,
        amount: Money,
        #[serde(default)]
        previous: Money,
    },
    /// A household registered for a collection register (FND-2).
    HouseholdRegistered {
        household: crate::collection::Household,
    },
    /// A payment recorded in a fund's collection register (FND-2).
    CollectionRecorded {
        collection: crate::collection::Collection,
    },
    /// A day of the ledger's calendar marked a holiday or a make-up working
    /// day (PER-1, CSH-5).
    CalendarDayMarked {
        day: crate::calendar::MarkedDay,
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
    /// and only counted (BNK-1). Lines are numbered from `first_id`. A
    /// balance the cashier records by hand (`bank balance`) is one balance
    /// line with no file: `file` and `sha256` are empty.
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
    /// [PUB-1] a month's disclosure published on `date`, with the month's
    /// close fingerprint as it was then; again after a reopen and a new
    /// close, a re-publication.
    DisclosurePublished {
        period: Period,
        #[serde(with = "date_serde")]
        date: Date,
        fingerprint: String,
        by: String,
    },
    /// [DOC-1] a scan of an original document attached to a prepared
    /// voucher: its SHA-256, type, size and file name (the bytes are kept
    /// by the backend under the hash). The voucher's signatures lapse.
    ScanAttached {
        scan: crate::scan::ScanInfo,
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

/// Refusals kept in one `refused` log entry; the rest are counted.
pub const MAX_LOGGED_REASONS: usize = 50;

/// The kinds of log entry the auditor reads (refusals, closes and
/// reopenings, kinship, handovers, sign-ins and passphrases): a backend
/// indexes them so that its audit reads need not scan the log.
pub const AUDITED_KINDS: &[&str] = &[
    "refused",
    "period_closed",
    "period_reopened",
    "kinship_recorded",
    "handover_completed",
    "sign_in_failed",
    "passphrase_set",
];

/// The kinds of event that carry a whole voucher: nearly every entry of a
/// ledger's log, so [`Event::from_json`] reads them without the buffering
/// an internally tagged enum needs.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum VoucherKind {
    VoucherPrepared,
    VoucherRevised,
    VoucherMigrated,
    ClosingVoucher,
}

#[derive(Deserialize)]
struct VoucherEntry {
    event: VoucherKind,
    voucher: Voucher,
}

impl Event {
    /// Reads an event from its log payload: the same value and the same
    /// errors as `serde_json::from_str::<Event>`, faster for the voucher
    /// events (read field by field; anything else, or anything that does
    /// not read that way, goes through the general path).
    pub fn from_json(payload: &str) -> Result<Event, serde_json::Error> {
        // The engine writes the tag first, as a string; a tag written any
        // other way (a variant's number, say) is the general path's to read.
        let voucher_tag = ["{\"event\":\"voucher_", "{\"event\":\"closing_voucher\""];
        if !voucher_tag.iter().any(|t| payload.starts_with(t)) {
            return serde_json::from_str(payload);
        }
        if let Ok(VoucherEntry { event, voucher }) = serde_json::from_str::<VoucherEntry>(payload) {
            return Ok(match event {
                VoucherKind::VoucherPrepared => Event::VoucherPrepared { voucher },
                VoucherKind::VoucherRevised => Event::VoucherRevised { voucher },
                VoucherKind::VoucherMigrated => Event::VoucherMigrated { voucher },
                VoucherKind::ClosingVoucher => Event::ClosingVoucher { voucher },
            });
        }
        serde_json::from_str(payload)
    }

    /// [AUD-1] the log entry of a refused attempt: the first rule, and at
    /// most [`MAX_LOGGED_REASONS`] reasons, the rest counted.
    pub fn refused(command: &str, reasons: &Refusals) -> Event {
        let mut logged = reasons.clone();
        logged.unlisted += logged.reasons.len().saturating_sub(MAX_LOGGED_REASONS);
        logged.reasons.truncate(MAX_LOGGED_REASONS);
        Event::Refused { command: command.to_string(), rule: reasons.first_rule(), reasons: logged }
    }

    /// Whether the auditor reads entries of this kind ([`AUDITED_KINDS`]).
    pub fn is_audited(&self) -> bool {
        AUDITED_KINDS.contains(&self.kind())
    }

    /// The month an event is about, when it is about one: a voucher's
    /// period, or the month closed or reopened (AUD-2 lists what was
    /// logged about a published month since its close).
    pub fn month(&self) -> Option<Period> {
        match self {
            Event::VoucherPrepared { voucher }
            | Event::VoucherMigrated { voucher }
            | Event::VoucherRevised { voucher }
            | Event::ClosingVoucher { voucher } => Some(voucher.reference().period),
            Event::VoucherPosted { reference } | Event::VoucherVoided { reference, .. } => Some(reference.period),
            Event::ScanAttached { scan } => Some(scan.voucher.period),
            Event::PeriodClosed { period, .. } | Event::PeriodReopened { period, .. } => Some(*period),
            _ => None,
        }
    }

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
            Event::TemplateSaved { .. } => "template_saved",
            Event::OpeningSet { .. } => "opening_set",
            Event::CalendarDayMarked { .. } => "calendar_day_marked",
            Event::HouseholdRegistered { .. } => "household_registered",
            Event::CollectionRecorded { .. } => "collection_recorded",
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
            Event::DisclosurePublished { .. } => "disclosure_published",
            Event::ScanAttached { .. } => "scan_attached",
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
            Event::VoucherRevised { voucher } => format!("修改 {}，已有签字作废", voucher.reference()),
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
                format!("{} {} {}", signature.person, signature.kind.chinese(), reference)
            }
            Event::SettingChanged { key, value } => format!("设置 {} 为 {value}", key.chinese()),
            Event::TemplateSaved { template } => format!("保存凭证模板“{}”", template.name),
            Event::OpeningSet { period, account, amount, previous } => {
                crate::opening::describe_set(*period, account, *amount, *previous)
            }
            Event::HouseholdRegistered { household: h } => match &h.head {
                Some(head) => format!("登记住户 {}（户主 {head}）", h.door),
                None => format!("登记住户 {}", h.door),
            },
            Event::CollectionRecorded { collection: c } => format!(
                "{} 收{} {} {} {}，收据 {}",
                format_date(c.date),
                c.fund,
                c.household,
                c.payer,
                c.amount.to_yuan(),
                c.receipt
            ),
            Event::CalendarDayMarked { day } => {
                format!("将 {} 定为{}日（{}）", format_date(day.date), day.kind.chinese(), day.name)
            }
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
            Event::StatementImported { account, sha256, lines, .. } if sha256.is_empty() && lines.len() == 1 => {
                format!("登记 {account} 银行对账单余额：{}", lines[0].describe())
            }
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
            Event::DisclosurePublished { period, date, fingerprint, by } => format!(
                "{by} 公布 {} 财务公开，公布日期 {}，结账指纹 {}",
                period.to_chinese(),
                format_date(*date),
                &fingerprint[..fingerprint.len().min(16)]
            ),
            Event::ScanAttached { scan } => format!(
                "为 {} 附扫描件“{}”（{}，{} 字节，SHA-256 {}），已有签字作废",
                scan.voucher,
                scan.file_name,
                scan.media.label(),
                scan.size,
                scan.sha_short()
            ),
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
                locked_until
                    .as_deref()
                    .map(|u| format!("，锁定至 {}", crate::period::show_time(u)))
                    .unwrap_or_default()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOUCHER: &str = r#"{"ref":"2016-01/记-0075","date":"2016-01-01","lines":[{"summary":"收到银行利息","account":"1002","side":"debit","amount":"131.97"},{"summary":"收到银行利息","account":"4901","side":"credit","amount":"131.97"}],"origin":"history","source_ref":"记-75","preparer":"bench"}"#;

    /// [AUD-2] the fast reading of a voucher entry gives what the general
    /// one gives, for every voucher kind and any field order; anything else
    /// reads (or fails) exactly as before.
    #[test]
    fn from_json_reads_as_the_general_path_does() {
        let mut payloads: Vec<String> = ["voucher_prepared", "voucher_revised", "voucher_migrated", "closing_voucher"]
            .iter()
            .map(|k| format!(r#"{{"event":"{k}","voucher":{VOUCHER}}}"#))
            .collect();
        payloads.push(format!(r#"{{"voucher":{VOUCHER},"event":"voucher_migrated"}}"#));
        payloads.push(format!(r#"{{"event":"voucher_migrated","voucher":{VOUCHER},"extra":1}}"#));
        payloads.push(r#"{"event":"voucher_posted","ref":"2016-01/记-0075"}"#.to_string());
        payloads.push(r#"{"event":"ledger_created","name":"甲","start":"2026-01"}"#.to_string());
        for p in &payloads {
            let general: Event = serde_json::from_str(p).unwrap();
            assert_eq!(Event::from_json(p).unwrap(), general, "{p}");
        }
        // What the engine writes reads back to the same event.
        let migrated: Event = serde_json::from_str(&payloads[2]).unwrap();
        assert_eq!(Event::from_json(&serde_json::to_string(&migrated).unwrap()).unwrap(), migrated);
        let bad = [
            format!(r#"{{"event":"voucher_migrated","voucher":{VOUCHER},"voucher":{VOUCHER}}}"#),
            format!(r#"{{"event":0,"voucher":{VOUCHER}}}"#),
            r#"{"event":"voucher_migrated","voucher":{"ref":"2016-01/记-0075"}}"#.to_string(),
            r#"{"event":"voucher_migrated""#.to_string(),
        ];
        for p in &bad {
            let general = serde_json::from_str::<Event>(p).unwrap_err().to_string();
            assert_eq!(Event::from_json(p).unwrap_err().to_string(), general, "{p}");
        }
    }
}
