//! `qianzhang`: parse the command, open the store, make one library call,
//! render, and map the outcome to an exit code. No bookkeeping rule lives
//! here.

mod audit;
mod board;
mod clock;
mod demo;
mod month;
mod output;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use password_hash::rand_core::OsRng;
use password_hash::SaltString;
use qianzhang_core::approval::{suspected_splits, AuthKind, Authorization, ExpenseItem, SettingKey, StandAside};
use qianzhang_core::backend::{BackendError, FundTotalRow, PeriodTotalRow};
use qianzhang_core::batch;
use qianzhang_core::books::{
    appoint, attach_document, change_setting, close_account, describe_fact, end_appointment, enter_voucher,
    issue_receipt, post_voucher, record_authorization, record_kinship, register_person, register_receipt_book,
    reverse_voucher, set_passphrase, void_receipt,
};
use qianzhang_core::books::{Books, FirstAdmin};
use qianzhang_core::csvfile::{import_csv, CsvExporter, ImportOptions, LedgerExporter, TextEncoding};
use qianzhang_core::funds::FundsReport;
use qianzhang_core::lifecycle::{
    next_step, payees, sign_voucher, stand_aside_mark, stand_aside_note, withdraw_signature, Next, SignKind,
    StandAsideMark,
};
use qianzhang_core::operator::{admit_signed_in, check_passphrase, hash_passphrase, Act, Gate, SIGN_IN, UNVERIFIED};
use qianzhang_core::people::{check_registered, Appointment, KinFact, Role};
use qianzhang_core::period::parse_date;
use qianzhang_core::receipts::{describe_book, outstanding_advances, ReceiptBook};
use qianzhang_core::report::{AccountLedger, Journal, TrialBalance};
use qianzhang_core::voucher::{read_amount, DraftInput};
use qianzhang_core::{
    AccountKind, Document, Failure, Line, Money, NewAccount, Origin, Period, Refusal, Rule, Side, Status, VoucherRef,
};
use qianzhang_report::Format;
use qianzhang_store::{as_period_totals, Actor, Backend, LedgerHandle, Store, Writer};

/// 钱账 qianzhang — 社区财务复式记账：钱账分管、一支笔审批、财务公开。
/// Double-entry bookkeeping for community finance with enforced internal control.
#[derive(Parser, Debug)]
#[command(
    name = "qianzhang",
    version,
    about = "钱账：社区财务复式记账 / double-entry bookkeeping for community finance"
)]
struct Cli {
    /// 数据库文件 / store file [default: qianzhang.db]
    #[arg(long, global = true, env = "QIANZHANG_DB")]
    db: Option<PathBuf>,
    /// 账套名称 / ledger name (default: the only one)
    #[arg(long, global = true)]
    ledger: Option<String>,
    /// 操作人 / who acts (recorded in the log)
    #[arg(long = "as", global = true, env = "QIANZHANG_USER")]
    actor: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 建立账套 / create a ledger: init --ledger NAME --start YYYY-MM
    Init {
        /// 启用期间 / go-live month
        #[arg(long, value_parser = period_value)]
        start: Period,
    },
    /// 会计科目 / chart of accounts
    #[command(subcommand)]
    Account(AccountCmd),
    /// 记账凭证 / vouchers
    #[command(subcommand)]
    Voucher(VoucherCmd),
    /// 人员、任职与亲属关系 / people, appointments and kinship
    #[command(subcommand)]
    Person(PersonCmd),
    /// 审批依据：两委决议、街道/镇政府批复 / authorizations
    #[command(subcommand)]
    Auth(AuthCmd),
    /// 账套设置 / ledger settings (threshold, split-window, cash-limit, deposit-days, match-window)
    Settings {
        #[command(subcommand)]
        cmd: Option<SettingsCmd>,
    },
    /// 检查 / checks
    #[command(subcommand)]
    Check(CheckCmd),
    /// 收据本与收据 / receipt books and receipts (RCP-1, RCP-2)
    #[command(subcommand)]
    Receipt(ReceiptCmd),
    /// 未结清的借款 / outstanding cash advances (CSH-3)
    Advances,
    /// 专项资金 / special funds (FND-1)
    #[command(subcommand)]
    Fund(month::FundCmd),
    /// 现金日清：盘点 / the daily cash count (CSH-2, CSH-4)
    #[command(subcommand)]
    Cash(month::CashCmd),
    /// 银行对账单与对账 / bank statements and matching (BNK-1)
    #[command(subcommand)]
    Bank(month::BankCmd),
    /// 结账与反结账 / close and reopen months (PER-1, PER-2)
    #[command(subcommand)]
    Period(month::PeriodCmd),
    /// 财务公开 / the public disclosure by month, quarter or year (PUB-1); `disclose review` records the opinion
    Disclose(Box<board::DiscloseArgs>),
    /// 审计：例外事项、个人操作记录 / audit: exceptions and a person's trail
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    /// 离任交接清册；handover complete 记录交接 / the handover report, or record it
    Handover(Box<audit::HandoverArgs>),
    /// 固定资产登记簿 / the fixed-asset register
    #[command(subcommand)]
    Asset(board::AssetCmd),
    /// 预算 / budgets per account and year
    #[command(subcommand)]
    Budget(board::BudgetCmd),
    /// 导入凭证 CSV / import a voucher CSV (all or nothing)
    Import {
        file: PathBuf,
        /// 启用前的历史数据：直接记账并结账 / migrated history before go-live
        #[arg(long)]
        history: bool,
        /// utf-8 | gbk | gb18030 (默认自动识别 / detected when absent)
        #[arg(long, value_parser = encoding_value)]
        encoding: Option<TextEncoding>,
        /// 同一文件再次导入 / import a file seen before
        #[arg(long)]
        force: bool,
    },
    /// 导出 / export vouchers as CSV or a ledger-cli journal
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        range: Range,
        /// 输出文件（默认标准输出）/ output file
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// CSV 使用中文表头 / Chinese CSV header
        #[arg(long)]
        chinese_header: bool,
    },
    /// 报表 / reports
    Report {
        #[arg(value_enum)]
        kind: ReportKind,
        /// 科目（明细账；余额调节表的银行科目）/ account for the ledger or the reconciliation
        account: Option<String>,
        #[command(flatten)]
        range: Range,
        /// 只看一项专项资金 / only the lines of one special fund
        #[arg(long)]
        fund: Option<String>,
        /// 盘点日期（现金盘点表）/ the day of the cash-count sheet
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
    /// 校验日志链与余额；--fingerprint 对照公开栏上公布的指纹 / verify the chain and balances, optionally against a published fingerprint
    Verify {
        /// 公布的指纹（64 位十六进制）/ a fingerprint published earlier
        #[arg(long)]
        fingerprint: Option<String>,
        /// 该指纹是哪个月结账时公布的 / the month whose close it was printed for
        #[arg(long, value_parser = period_value, requires = "fingerprint")]
        month: Option<Period>,
    },
    /// 最近的日志 / the latest log entries
    Log {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// 演示 / build a sample community ledger and print its reports
    Demo,
}

#[derive(Args, Debug)]
struct Range {
    /// 起始期间 / first period (YYYY-MM)
    #[arg(long, value_parser = period_value)]
    from: Option<Period>,
    /// 截止期间 / last period (YYYY-MM)
    #[arg(long, value_parser = period_value)]
    to: Option<Period>,
    /// 单月 / one month (same as --from M --to M)
    #[arg(long, value_parser = period_value, conflicts_with_all = ["from", "to"])]
    month: Option<Period>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExportFormat {
    Csv,
    Ledger,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ReportKind {
    TrialBalance,
    Journal,
    Ledger,
    /// 现金日记账 (1001)
    CashJournal,
    /// 银行存款日记账 (1002)
    BankJournal,
    /// 专项资金收支表 / special funds (FND-1)
    Funds,
    /// 现金盘点表 --date D (CSH-2..5)
    CashCount,
    /// 银行存款余额调节表 --month M (BNK-1)
    BankReconciliation,
}

#[derive(Subcommand, Debug)]
enum AccountCmd {
    /// 列出科目 / list accounts
    List {
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
    /// 增设科目 / add an account: account add 520101 办公费
    Add {
        code: String,
        name: String,
        /// asset | liability | net-assets | income | expense（一级科目必填）
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// 启用日期 / first day it takes postings
        #[arg(long, value_parser = date_value)]
        opened: Option<time::Date>,
    },
    /// 科目更名（编码不变）/ rename an account; its code stays
    Rename { code: String, name: String },
    /// 停用科目 / close an account from a date
    Close {
        code: String,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum KindArg {
    Asset,
    Liability,
    NetAssets,
    Income,
    Expense,
}

#[derive(Subcommand, Debug)]
enum PersonCmd {
    /// 登记人员 / register a person
    Add { name: String },
    /// 人员与任职 / people, appointments in force and conflicts on a date
    List {
        /// 查看日期（默认今天）/ the date (default today)
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 任命 / appoint a person to a role from a date
    Appoint {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// 任职开始日期（默认今天）/ first day in office (default today)
        #[arg(long, value_parser = date_value)]
        from: Option<time::Date>,
        /// 领导职务（书记、主任、两委委员……）/ a leader
        #[arg(long)]
        leader: bool,
        /// 职务名称，如 主任、副主任 / title
        #[arg(long)]
        title: Option<String>,
        /// 任职最后一天（含）；不写则长期任职 / last day in office
        #[arg(long, value_parser = date_value)]
        to: Option<time::Date>,
        /// 代理审批（APR-1）：审批人外出期间代签，须写明 --from 和 --to / acting approver
        #[arg(long)]
        acting: bool,
    },
    /// 结束任职 / end an appointment: from --date on the person no longer holds the role
    End {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 登记亲属关系 / record a kinship fact (parent: A is a parent of B)
    Relate {
        a: String,
        b: String,
        #[arg(long, value_enum)]
        kind: KinArg,
    },
    /// 说明两人的亲属关系 / explain how B is a close relative of A
    Relation { a: String, b: String },
    /// 设置或更改口令 / set or change a passphrase (one's own, or anyone's as admin)
    Passphrase { name: String },
}

#[derive(Subcommand, Debug)]
enum AuthCmd {
    /// 登记审批依据 / record a resolution or government approval
    Add {
        #[arg(long, value_enum)]
        kind: AuthKindArg,
        /// 文号 / document number
        #[arg(long)]
        number: String,
        #[arg(long, value_parser = date_value)]
        date: time::Date,
        /// 事项范围 / scope
        #[arg(long)]
        scope: String,
        /// 限额 / cap
        #[arg(long)]
        cap: String,
        /// 审批人回避时（SEP-6）：本决议所为付款的收款人 / payee of the stand-aside payment
        #[arg(long, requires_all = ["deputy", "withdrawn"])]
        payee: Option<String>,
        /// 决议指定的代签人（无利害关系的领导）/ deputy who signs the approval
        #[arg(long, requires = "payee")]
        deputy: Option<String>,
        /// 回避的人（可重复）/ who withdrew (repeatable)
        #[arg(long, requires = "payee")]
        withdrawn: Vec<String>,
    },
    /// 审批依据及使用情况 / authorizations with what they have paid for
    List,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum AuthKindArg {
    /// 两委会议决议
    Resolution,
    /// 街道/镇政府批复
    Government,
}

#[derive(Subcommand, Debug)]
enum ReceiptCmd {
    /// 登记收据本 / register a receipt book (admin): receipt book SJ --from 101 --to 200 --holder 王芳
    Book {
        book: String,
        #[arg(long)]
        from: u32,
        #[arg(long)]
        to: u32,
        /// 领用人 / to whom it is issued
        #[arg(long)]
        holder: String,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 开收据（按号顺序）/ issue the next receipt (cashier)
    Issue {
        #[arg(long)]
        book: String,
        /// 交款人 / payer
        #[arg(long)]
        payer: String,
        #[arg(long)]
        amount: String,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 作废收据（留存，注明原因）/ void a receipt, keeping it (cashier)
    Void {
        #[arg(long)]
        book: String,
        #[arg(long)]
        serial: u32,
        #[arg(long)]
        reason: String,
    },
    /// 收据使用情况：已用、作废、未用 / used, voided and unused serials
    List,
}

#[derive(Subcommand, Debug)]
enum SettingsCmd {
    /// 更改设置 / change a setting: threshold | split-window | cash-limit | deposit-days | match-window
    Set { key: String, value: String },
}

#[derive(Subcommand, Debug)]
enum CheckCmd {
    /// 疑似拆分支出（APR-3）/ suspected splits under the threshold
    Splits {
        #[command(flatten)]
        range: Range,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum RoleArg {
    Accountant,
    Cashier,
    Reviewer,
    Approver,
    Auditor,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Accountant => Role::Accountant,
            RoleArg::Cashier => Role::Cashier,
            RoleArg::Reviewer => Role::Reviewer,
            RoleArg::Approver => Role::Approver,
            RoleArg::Auditor => Role::Auditor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// `voucher add`: a file, or the voucher in flags.
#[derive(Args, Debug)]
struct AddArgs {
    /// 凭证文件（.toml 或 .json）/ voucher file
    #[arg(long, conflicts_with_all = ["date", "summary", "debit", "credit", "authorization", "doc_type"])]
    file: Option<PathBuf>,
    #[arg(long, value_parser = date_value)]
    date: Option<time::Date>,
    #[arg(long)]
    summary: Option<String>,
    /// 借方 科目=金额，可重复 / ACCOUNT=AMOUNT, repeatable
    #[arg(long)]
    debit: Vec<String>,
    /// 贷方 科目=金额，可重复 / ACCOUNT=AMOUNT, repeatable
    #[arg(long)]
    credit: Vec<String>,
    /// 审批依据文号 / the authorization cited
    #[arg(long)]
    authorization: Option<String>,
    #[command(flatten)]
    document: DocArgs,
}

/// One original document given with flags.
#[derive(Args, Debug)]
struct DocArgs {
    /// 单据类型：发票、收据、银行回单… / document type
    #[arg(long = "doc-type")]
    doc_type: Option<String>,
    /// 单据号；发票、财政票据写“代码-号码”，数电发票写 20 位号码 / document number (invoice: code-number)
    #[arg(long = "doc-no", requires = "doc_type")]
    doc_no: Option<String>,
    /// 开票单位 / issuer
    #[arg(long, requires = "doc_type")]
    issuer: Option<String>,
    /// 单据金额 / amount on the document
    #[arg(long = "doc-amount", requires = "doc_type")]
    doc_amount: Option<String>,
    /// 经办人 / handler
    #[arg(long, requires = "doc_type")]
    handler: Option<String>,
    /// 验收人 / checker of goods and services
    #[arg(long, requires = "doc_type")]
    checker: Option<String>,
    /// 单据日期 / date on the document
    #[arg(long = "doc-date", requires = "doc_type", value_parser = date_value)]
    doc_date: Option<time::Date>,
}

impl DocArgs {
    fn document(&self) -> Result<Option<Document>, Exit> {
        let Some(doc_type) = self.doc_type.clone() else { return Ok(None) };
        let amount = match &self.doc_amount {
            Some(a) => read_amount(a, "单据", false)?,
            None => None,
        };
        Ok(Some(Document {
            doc_type,
            issuer: self.issuer.clone(),
            number: self.doc_no.clone(),
            amount,
            handler: self.handler.clone(),
            checker: self.checker.clone(),
            date: self.doc_date,
        }))
    }
}

/// Vouchers named, or every one of a period waiting for the step.
#[derive(Args, Debug)]
struct Selection {
    #[arg(value_parser = voucher_value)]
    references: Vec<VoucherRef>,
    /// 该期间全部待办凭证 / every voucher of --period waiting for this step
    #[arg(long, requires = "period")]
    all: bool,
    #[arg(long, value_parser = period_value)]
    period: Option<Period>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum SignArg {
    Review,
    Approve,
    Confirm,
}

impl From<SignArg> for SignKind {
    fn from(k: SignArg) -> SignKind {
        match k {
            SignArg::Review => SignKind::Review,
            SignArg::Approve => SignKind::Approve,
            SignArg::Confirm => SignKind::Confirm,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum KinArg {
    Spouse,
    Parent,
    Sibling,
    Kin,
}

#[derive(Subcommand, Debug)]
enum VoucherCmd {
    /// 制单 / prepare a voucher from a TOML/JSON file or from flags
    Add(Box<AddArgs>),
    /// 凭证列表 / list vouchers
    List {
        #[command(flatten)]
        range: Range,
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
    /// 查看凭证 / show a voucher: voucher show 2025-03/记-0001
    Show {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
    /// 审核 / review (reviewer)
    Review(Selection),
    /// 审批 / approve (the one approver)
    Approve(Selection),
    /// 出纳确认 / confirm a cash or bank voucher (cashier)
    Confirm(Selection),
    /// 附原始凭证（已有签字作废，须重新签字）/ attach a document to a prepared voucher
    Attach {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        #[command(flatten)]
        document: DocArgs,
    },
    /// 撤回本人签字 / withdraw one's own signature before posting
    Withdraw {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        #[arg(long, value_enum)]
        kind: SignArg,
    },
    /// 记账 / post vouchers whose signatures are complete (accountant)
    Post(Selection),
    /// 作废未记账的凭证（编号保留）/ void a prepared voucher, keeping its number
    Void {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        /// 作废原因 / why
        #[arg(long)]
        reason: String,
    },
    /// 红字冲销 / red reversal of a posted voucher
    Reverse {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        /// 冲销日期（默认今天）/ date of the reversal (default today)
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
}

/// What ends a command besides success, with its exit code.
enum Exit {
    /// The reader of our output went away (`| head`): not an error.
    BrokenPipe,
    /// Refused by a rule; `logged` once the refusal is in the ledger's log.
    Refused {
        reasons: Vec<Refusal>,
        unlisted: usize,
        logged: bool,
    },
    /// Input that is not what the command needs, caught before any rule:
    /// an output path that cannot be written, say. Not logged.
    BadInput(String),
    /// A command typed wrongly (a reversed range, no `--as`, a `--db` that
    /// is not a store): exit 2 like a bad flag. Not logged.
    Usage(String),
    Integrity(String),
    /// Another command held the store longer than we waited: try again.
    Busy(String),
    Internal(String),
}

impl From<Failure> for Exit {
    fn from(f: Failure) -> Exit {
        match f {
            // Store::write logs the refusals it returns.
            Failure::Refused(r) => Exit::Refused { reasons: r.reasons, unlisted: r.unlisted, logged: true },
            Failure::Backend(e) => Exit::from(e),
        }
    }
}

impl From<BackendError> for Exit {
    /// Each backend fault maps to one exit code, here only.
    fn from(e: BackendError) -> Exit {
        match e {
            BackendError::Busy => Exit::Busy(busy_message()),
            BackendError::Corrupt { .. } | BackendError::NewerSchema { .. } => {
                Exit::Integrity(format!("[AUD-2] {e}；请用 qianzhang verify 查明，并从备份恢复账簿文件"))
            }
            BackendError::NotAStore(_) => Exit::Usage(format!("{e}；请用 --db 指明账簿文件")),
            BackendError::Io(_) => Exit::BadInput(e.to_string()),
            BackendError::Internal(_) => Exit::Internal(e.to_string()),
        }
    }
}

/// What a command is told when another command holds the store past the wait.
fn busy_message() -> String {
    format!(
        "账簿文件正被另一个命令使用（例如正在导入或结账），等待 {} 秒后仍未释放；本次操作没有执行，账簿未改动，请稍后再试",
        clock::busy_wait().as_secs_f64()
    )
}

impl From<Refusal> for Exit {
    fn from(r: Refusal) -> Exit {
        Exit::Refused { reasons: vec![r], unlisted: 0, logged: false }
    }
}

impl From<qianzhang_store::Error> for Exit {
    fn from(e: qianzhang_store::Error) -> Exit {
        Exit::from(BackendError::from(e))
    }
}

/// The reader of our output went away, however the writer wrapped it.
fn is_broken_pipe(e: &std::io::Error) -> bool {
    let pipe = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
    pipe(e)
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<csv::Error>())
            .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if pipe(io)))
}

impl From<std::io::Error> for Exit {
    fn from(e: std::io::Error) -> Exit {
        if is_broken_pipe(&e) {
            Exit::BrokenPipe
        } else {
            Exit::Internal(e.to_string())
        }
    }
}

/// Runs one command; a refusal found before the store is logged too (AUD-1).
fn execute(cli: &Cli) -> Result<(), Exit> {
    let mut outcome = run(cli);
    if let Err(Exit::Refused { reasons, unlisted, logged: false }) = &outcome {
        if cli.command.changes_books() {
            if let Err(e) = log_refusal(cli, reasons, *unlisted) {
                outcome = Err(e);
            }
        }
    }
    outcome
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(&cli) {
        Ok(()) | Err(Exit::BrokenPipe) => ExitCode::SUCCESS,
        Err(Exit::Refused { reasons, unlisted, .. }) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "已拒绝，账簿未作任何改动：");
            for r in &reasons {
                let _ = writeln!(err, "  {r}");
            }
            if unlisted > 0 {
                let _ = writeln!(err, "  另有 {unlisted} 处错误未列出");
            }
            ExitCode::from(1)
        }
        Err(Exit::BadInput(msg)) => {
            eprintln!("未执行，账簿未作任何改动：{msg}");
            ExitCode::from(1)
        }
        Err(Exit::Usage(msg)) => {
            eprintln!("用法错误：{msg}\n（qianzhang --help 列出命令与参数）");
            ExitCode::from(2)
        }
        Err(Exit::Integrity(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(3)
        }
        Err(Exit::Busy(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(75)
        }
        Err(Exit::Internal(msg)) => {
            eprintln!("内部错误：{msg}");
            ExitCode::from(101)
        }
    }
}

impl Command {
    /// Commands that change a ledger: their refusals go into its log.
    fn changes_books(&self) -> bool {
        match self {
            Command::Account(c) => !matches!(c, AccountCmd::List { .. }),
            Command::Voucher(c) => !matches!(c, VoucherCmd::List { .. } | VoucherCmd::Show { .. }),
            Command::Import { .. } => true,
            Command::Person(c) => !matches!(c, PersonCmd::List { .. } | PersonCmd::Relation { .. }),
            Command::Auth(c) => matches!(c, AuthCmd::Add { .. }),
            Command::Receipt(c) => !matches!(c, ReceiptCmd::List),
            Command::Settings { cmd } => cmd.is_some(),
            Command::Fund(c) => !matches!(c, month::FundCmd::List),
            Command::Cash(_) => true,
            Command::Bank(c) => !matches!(c, month::BankCmd::List { .. }),
            Command::Period(c) => !matches!(c, month::PeriodCmd::Check { .. }),
            Command::Disclose(a) => a.review.is_some(),
            Command::Asset(c) => !matches!(c, board::AssetCmd::List { .. }),
            Command::Budget(c) => matches!(c, board::BudgetCmd::Set { .. }),
            Command::Handover(a) => a.complete.is_some(),
            Command::Init { .. } => false,
            _ => false,
        }
    }
}

/// Logs a refusal found before the command reached the store (AUD-1), when
/// there is a ledger to log it in. It is attributed to the operator only
/// once their passphrase (given to the script; a terminal is not asked
/// again) checks out; else it is filed as unverified, with the name claimed.
fn log_refusal(cli: &Cli, reasons: &[Refusal], unlisted: usize) -> Result<(), Exit> {
    let path = db_path(cli);
    if !path.exists() {
        return Ok(());
    }
    let mut store = open_store(&path)?;
    let Ok(ledger) = store.select(cli.ledger.as_deref()) else { return Ok(()) };
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let claimed = actor(cli).ok();
    let verified = match (&claimed, std::env::var("QIANZHANG_PASSPHRASE")) {
        (Some(who), Ok(passphrase)) => {
            // A wrong passphrase is a failed sign-in, logged as such in place of the refusal.
            sign_in(&mut store, &ledger, &Operator { actor: who.clone(), passphrase })?;
            true
        }
        _ => false,
    };
    let who = match claimed {
        Some(who) if verified => who,
        Some(who) => {
            Actor { name: UNVERIFIED.into(), at: who.at, command: format!("（自称 {}）{command}", who.name) }
        }
        None => Actor { name: UNVERIFIED.into(), at: clock::now_rfc3339(), command },
    };
    let refusals = qianzhang_core::Refusals { reasons: reasons.to_vec(), unlisted };
    store.log_refusal(&ledger, &who, &refusals)?;
    Ok(())
}

/// [OPR-1, AUD-1] checks the operator's passphrase before anything is done
/// or logged in their name. A name locked after repeated failures is
/// refused unchecked; each earlier failure waits longer before it is
/// answered, and is logged as a failed sign-in under the name it claimed.
pub(crate) fn sign_in(store: &mut Store, ledger: &LedgerHandle, op: &Operator) -> Result<(), Exit> {
    let name = &op.actor.name;
    let now = clock::now();
    let failures = store.failed_sign_ins(ledger, name)?;
    let prior = match SIGN_IN.gate(&failures, now) {
        // Refused without a check and not logged: the lockout entry stands for it.
        Gate::Locked { until } => {
            return Err(Exit::Refused { reasons: vec![SIGN_IN.locked(name, until)], unlisted: 0, logged: true })
        }
        Gate::Open { failures, delay } => {
            if !delay.is_zero() {
                eprintln!("“{name}”的口令已连续错误 {failures} 次，{} 秒后核对……", delay.as_secs());
                clock::pause(delay);
            }
            failures
        }
    };
    let registry = store.registry(ledger)?;
    let Err(why) = check_passphrase(&registry, name, &op.passphrase) else { return Ok(()) };
    let (event, refusal) = SIGN_IN.failed(prior, name, &op.actor.command, why, now);
    let unverified = Actor { name: UNVERIFIED.into(), at: op.actor.at.clone(), command: op.actor.command.clone() };
    store.write(ledger, &unverified, |w| w.append(event))?;
    Err(Exit::Refused { reasons: vec![refusal], unlisted: 0, logged: true })
}

fn bad_input(rule: Rule, message: impl Into<String>) -> Exit {
    Exit::from(Refusal::new(rule, message))
}

/// Output formats as typed.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FormatArg {
    Text,
    Csv,
    Json,
    Md,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Md => Format::Markdown,
        }
    }
}

fn period_value(text: &str) -> Result<Period, String> {
    Period::parse(text).map_err(|e| e.to_string())
}

fn date_value(text: &str) -> Result<time::Date, String> {
    parse_date(text).map_err(|e| e.to_string())
}

fn voucher_value(text: &str) -> Result<VoucherRef, String> {
    text.parse::<VoucherRef>().map_err(|e| e.message)
}

fn encoding_value(text: &str) -> Result<TextEncoding, String> {
    TextEncoding::parse(text).ok_or_else(|| format!("不认识的编码“{text}”，可选 utf-8、gbk、gb18030"))
}

fn actor(cli: &Cli) -> Result<Actor, Exit> {
    let name =
        cli.actor.clone().filter(|a| !a.trim().is_empty()).ok_or_else(|| {
            Exit::Usage("改动账簿的命令须指明操作人：加 --as 姓名，或设置环境变量 QIANZHANG_USER".into())
        })?;
    // The name goes into every log entry's actor column (LIM-1).
    qianzhang_core::text::check_text("操作人", name.trim(), qianzhang_core::text::NAME_CHARS)?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    Ok(Actor { name: name.trim().to_string(), at: clock::now_rfc3339(), command: args.join(" ") })
}

/// Who acts and the passphrase they gave.
pub(crate) struct Operator {
    pub(crate) actor: Actor,
    pub(crate) passphrase: String,
}

fn operator(cli: &Cli) -> Result<Operator, Exit> {
    let actor = actor(cli)?;
    let passphrase = own_passphrase(&actor.name)?;
    Ok(Operator { actor, passphrase })
}

/// The operator's passphrase: `QIANZHANG_PASSPHRASE` for scripts, else asked
/// for on the terminal.
fn own_passphrase(name: &str) -> Result<String, Exit> {
    if let Ok(p) = std::env::var("QIANZHANG_PASSPHRASE") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(format!("{name} 的口令："))?);
    }
    Err(bad_input(Rule::Opr1, "改动账簿须输入操作人的口令：请在终端中运行，或为脚本设置环境变量 QIANZHANG_PASSPHRASE"))
}

/// A new passphrase for `name`: `QIANZHANG_NEW_PASSPHRASE`, else asked for
/// twice on the terminal; `None` when neither is possible.
fn new_passphrase(name: &str) -> Result<Option<String>, Exit> {
    if let Ok(p) = std::env::var("QIANZHANG_NEW_PASSPHRASE") {
        return Ok(Some(p));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let first = rpassword::prompt_password(format!("为 {name} 设置口令："))?;
    let second = rpassword::prompt_password("再输入一次：")?;
    if first != second {
        return Err(bad_input(Rule::Opr1, "两次输入的口令不一致"));
    }
    Ok(Some(first))
}

/// Hashes a new passphrase with a fresh random salt.
pub(crate) fn hash_new(passphrase: &str) -> Result<String, Exit> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hash_passphrase(passphrase, salt.as_str())?)
}

/// [SEP-6] the stand-aside marks of `vouchers`: signatures are read only
/// for vouchers paying someone registered.
fn stand_aside_marks<'a>(
    store: &Store,
    ledger: &LedgerHandle,
    registry: &qianzhang_core::people::Registry,
    vouchers: impl Iterator<Item = &'a qianzhang_core::Voucher>,
) -> Result<Vec<(VoucherRef, StandAsideMark)>, Exit> {
    let today = clock::today();
    let mut out = Vec::new();
    for v in vouchers.filter(|v| !payees(registry, v).is_empty()) {
        let signatures = store.signatures(ledger, v.reference())?;
        if let Some(m) = stand_aside_mark(registry, v, &signatures, today) {
            out.push((v.reference(), m));
        }
    }
    Ok(out)
}

/// Runs `command` in one transaction as the operator, once their passphrase
/// and their role for `act` on today's date are checked (OPR-1).
fn change<T>(
    cli: &Cli,
    act: Act,
    command: impl FnOnce(&mut Writer<'_>, &str) -> Result<T, Failure>,
) -> Result<(T, Store, LedgerHandle), Exit> {
    let (mut store, ledger) = open_ledger(cli)?;
    let op = operator(cli)?;
    sign_in(&mut store, &ledger, &op)?;
    let today = clock::today();
    let value = store.write(&ledger, &op.actor, |w| {
        admit_signed_in(w.registry(), &op.actor.name, act, today)?;
        command(w, &op.actor.name)
    })?;
    Ok((value, store, ledger))
}

/// Opens an existing store; reading a store that does not exist is a usage
/// error (the wrong `--db`), not an empty result.
fn open_existing(path: &Path) -> Result<Store, Exit> {
    if !path.exists() {
        return Err(Exit::Usage(format!(
            "找不到账簿文件 {}；请先运行 qianzhang init，或用 --db 指明文件",
            path.display()
        )));
    }
    open_store(path)
}

/// Opens or creates the store, waiting for a busy one at most once.
pub(crate) fn open_store(path: &Path) -> Result<Store, Exit> {
    Store::open_waiting(path, clock::busy_wait()).map_err(|e| {
        if e.is_busy() {
            return Exit::from(e);
        }
        match e {
            // A file SQLite cannot open: ours but damaged, or not ours at all.
            qianzhang_store::Error::Sqlite(e) if has_sqlite_header(path) => Exit::Integrity(format!(
                "账簿文件 {} 已损坏，无法打开（{e}）；请用备份恢复，账簿文件未作任何改动",
                path.display()
            )),
            qianzhang_store::Error::Sqlite(e) => {
                Exit::Usage(format!("{} 不是钱账的账簿文件，无法打开（{e}）；请用 --db 指明账簿文件", path.display()))
            }
            // A newer program, or a version number altered by hand: not what this one wrote.
            qianzhang_store::Error::NewerSchema(..) => Exit::Integrity(format!("[AUD-2] {e}")),
            qianzhang_store::Error::Corrupt(m) => Exit::Integrity(format!("账簿文件 {} 已损坏：{m}", path.display())),
            other => Exit::from(other),
        }
    })
}

/// Whether the file starts as every SQLite database does.
fn has_sqlite_header(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3\0"
}

/// The store file named by `--db` or `QIANZHANG_DB`, else `./qianzhang.db`.
fn db_path(cli: &Cli) -> PathBuf {
    cli.db.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DB))
}

const DEFAULT_DB: &str = "qianzhang.db";

fn open_ledger(cli: &Cli) -> Result<(Store, LedgerHandle), Exit> {
    let store = open_existing(&db_path(cli))?;
    let ledger = store.select(cli.ledger.as_deref())?;
    Ok((store, ledger))
}

fn out(text: &str) -> Result<(), Exit> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The span a report covers: the given bounds, else every period with vouchers.
fn span(store: &Store, ledger: &LedgerHandle, range: &Range) -> Result<(Period, Period), Exit> {
    if let Some(m) = range.month {
        return Ok((m, m));
    }
    let (first, last) = store.period_span(ledger)?.unwrap_or((ledger.info.start, ledger.info.start));
    let from = range.from.unwrap_or(first);
    let to = range.to.unwrap_or(last.max(from));
    if from > to {
        return Err(Exit::Usage(format!("--from {from} 晚于 --to {to}：起始期间须不晚于截止期间")));
    }
    Ok((from, to))
}

fn run(cli: &Cli) -> Result<(), Exit> {
    match &cli.command {
        Command::Init { start } => {
            let start = *start;
            let name =
                cli.ledger.clone().ok_or_else(|| bad_input(Rule::Led1, "请用 --ledger 名称 指明新账套的名称"))?;
            let who = actor(cli)?;
            let passphrase = own_passphrase(&who.name)?;
            let admin =
                FirstAdmin { name: who.name.clone(), passphrase_hash: hash_new(&passphrase)?, today: clock::today() };
            let mut store = open_store(&db_path(cli))?;
            let ledger = store.create_ledger(&name, start, &admin, &who)?;
            let fp = store.fingerprint(&ledger)?.fingerprint;
            out(&format!(
                "已建立账套“{}”，启用期间 {}，预置科目 {} 个；{} 为管理员。\n指纹：{}\n",
                ledger.info.name,
                ledger.info.start,
                store.chart(&ledger)?.len(),
                admin.name,
                fp
            ))
        }
        Command::Account(cmd) => account(cli, cmd),
        Command::Voucher(cmd) => voucher(cli, cmd),
        Command::Person(cmd) => person(cli, cmd),
        Command::Auth(AuthCmd::Add { kind, number, date, scope, cap, payee, deputy, withdrawn }) => {
            let cap = read_amount(cap, "限额", false)?.unwrap_or(Money::ZERO);
            let kind = match kind {
                AuthKindArg::Resolution => AuthKind::Resolution,
                AuthKindArg::Government => AuthKind::Government,
            };
            let stand_aside = payee.as_ref().map(|payee| StandAside {
                payee: payee.trim().to_string(),
                deputy: deputy.as_deref().unwrap_or_default().trim().to_string(),
                withdrawn: withdrawn.iter().map(|w| w.trim().to_string()).collect(),
            });
            let mut text = String::new();
            if let Some(s) = &stand_aside {
                text = format!("收款人 {}，{} 回避，由 {} 代为审批\n", s.payee, s.withdrawn.join("、"), s.deputy);
            }
            let a = Authorization {
                number: number.trim().to_string(),
                kind,
                date: *date,
                scope: scope.clone(),
                cap,
                stand_aside,
            };
            let text = format!("已登记审批依据 {a}，限额 {}\n{text}", a.cap.to_yuan());
            change(cli, Act::Administer, |w, _| record_authorization(w, a))?;
            out(&text)
        }
        Command::Receipt(ReceiptCmd::Book { book, from, to, holder, date }) => {
            let b = ReceiptBook {
                book: book.trim().to_string(),
                first: *from,
                last: *to,
                date: date.unwrap_or_else(clock::today),
                holder: holder.trim().to_string(),
            };
            let text = format!("已登记{}\n", describe_book(&b));
            change(cli, Act::Administer, |w, _| register_receipt_book(w, b))?;
            out(&text)
        }
        Command::Receipt(ReceiptCmd::Issue { book, payer, amount, date }) => {
            let amount = read_amount(amount, "收据", false)?.unwrap_or(Money::ZERO);
            let date = date.unwrap_or_else(clock::today);
            let (number, ..) = change(cli, Act::HandleCash, |w, _| issue_receipt(w, book, payer, amount, date))?;
            out(&format!(
                "已开出收据 {number}：交款人 {payer}，{}（{}）\n",
                amount.to_yuan(),
                amount.to_chinese_words()
            ))
        }
        Command::Receipt(ReceiptCmd::Void { book, serial, reason }) => {
            change(cli, Act::HandleCash, |w, _| void_receipt(w, book, *serial, reason))?;
            out(&format!("已作废收据 {book}{serial:07}（{reason}），留存备查\n"))
        }
        Command::Receipt(ReceiptCmd::List) => {
            let (store, ledger) = open_ledger(cli)?;
            let (books, receipts) = store.receipts(&ledger)?;
            out(&qianzhang_report::receipts(&books, &receipts))
        }
        Command::Advances => {
            let (store, ledger) = open_ledger(cli)?;
            let chart = store.chart(&ledger)?;
            let totals = store.period_totals(&ledger)?;
            let advances = outstanding_advances(&chart, totals.iter().map(|t| (t.account.as_str(), t.net())));
            out(&qianzhang_report::advances(&advances))
        }
        Command::Fund(cmd) => month::fund(cli, cmd),
        Command::Cash(cmd) => month::cash(cli, cmd),
        Command::Bank(cmd) => month::bank(cli, cmd),
        Command::Period(cmd) => month::period(cli, cmd),
        Command::Disclose(args) => board::disclose(cli, args),
        Command::Asset(cmd) => board::asset(cli, cmd),
        Command::Audit(cmd) => audit::audit(cli, cmd),
        Command::Handover(args) => audit::handover(cli, args),
        Command::Budget(cmd) => board::budget(cli, cmd),
        Command::Auth(AuthCmd::List) => {
            let (store, ledger) = open_ledger(cli)?;
            out(&qianzhang_report::authorizations(&store.authorizations(&ledger)?))
        }
        Command::Settings { cmd: None } => {
            let (store, ledger) = open_ledger(cli)?;
            let settings = store.settings(&ledger)?;
            let mut text = String::new();
            for key in [
                SettingKey::Threshold,
                SettingKey::SplitWindow,
                SettingKey::CashLimit,
                SettingKey::DepositDays,
                SettingKey::MatchWindow,
                SettingKey::MaskNames,
                SettingKey::Contact,
            ] {
                text.push_str(&format!("{:<13} {:<12} {}\n", key.as_str(), settings.get(key), key.chinese()));
            }
            out(&text)
        }
        Command::Settings { cmd: Some(SettingsCmd::Set { key, value }) } => {
            let key = SettingKey::parse(key).ok_or_else(|| {
                bad_input(
                    Rule::Apr4,
                    format!(
                        "没有名为“{key}”的设置；可设置 threshold、split-window、cash-limit、deposit-days、match-window、mask-names、contact"
                    ),
                )
            })?;
            let (value, ..) = change(cli, Act::Administer, |w, _| change_setting(w, key, value))?;
            out(&format!("已将{}设为 {value}\n", key.chinese()))
        }
        Command::Check(CheckCmd::Splits { range }) => {
            let (store, ledger) = open_ledger(cli)?;
            let (from, to) = span(&store, &ledger, range)?;
            let chart = store.chart(&ledger)?;
            let settings = store.settings(&ledger)?;
            let mut items = Vec::new();
            store.each_voucher(&ledger, from, to, |v, _| {
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
            out(&qianzhang_report::splits(&splits, settings.threshold, settings.split_window_days))
        }
        Command::Import { file, history, encoding, force } => {
            let encoding = *encoding;
            let file_name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let act = if *history { Act::MigrateHistory } else { Act::KeepBooks };
            let (summary, store, ledger) = change(cli, act, |w, who| {
                let opts = ImportOptions {
                    file_name: &file_name,
                    encoding,
                    history: *history,
                    force: *force,
                    preparer: who,
                    today: clock::today(),
                };
                import_csv(w, || std::fs::File::open(file), &opts)
            })?;
            let fp = store.fingerprint(&ledger)?.fingerprint;
            let mut msg = format!(
                "已导入 {} 行、{} 张凭证（{}编码）{}。\n",
                summary.rows,
                summary.vouchers,
                summary.encoding.name(),
                match (summary.first, summary.last) {
                    (Some(a), Some(b)) => format!("，编号 {a} 至 {b}"),
                    _ => String::new(),
                }
            );
            if *history {
                let periods: Vec<String> = summary.periods_closed.iter().map(|p| p.to_string()).collect();
                msg.push_str(&format!("历史凭证已直接记账，并已结账期间：{}\n", periods.join("、")));
            } else {
                msg.push_str("凭证为已制单状态，请审核后记账（voucher post）。\n");
            }
            msg.push_str(&format!("指纹：{fp}\n"));
            out(&msg)
        }
        Command::Export { format, range, output, chinese_header } => {
            let (store, ledger) = open_ledger(cli)?;
            let (from, to) = span(&store, &ledger, range)?;
            // An exporter's write error is kept aside, so that a reader gone
            // away (`| head`) ends the command quietly.
            let mut fault: Option<std::io::Error> = None;
            let mut keep = |e: std::io::Error| {
                let err = io_fault(&e);
                fault = Some(e);
                err
            };
            let done = output::emit(&db_path(cli), output.as_deref(), |sink| {
                match format {
                    ExportFormat::Csv => {
                        let mut ex = CsvExporter::new(sink, *chinese_header)?;
                        // A voided voucher is kept in the books, not in a file meant for re-import.
                        store.each_voucher(&ledger, from, to, |v, s| {
                            if s == Status::Voided {
                                return Ok(());
                            }
                            ex.write(&v).map_err(&mut keep)
                        })?;
                        ex.finish()?;
                    }
                    ExportFormat::Ledger => {
                        let chart = store.chart(&ledger)?;
                        let mut ex = LedgerExporter::new(sink, &chart)?;
                        store.each_voucher(&ledger, from, to, |v, s| ex.write(&v, s).map_err(&mut keep))?;
                        ex.finish()?;
                    }
                }
                Ok(())
            });
            match (done, fault) {
                (Err(_), Some(e)) => Err(Exit::from(e)),
                (done, _) => done,
            }
        }
        Command::Report { kind, account, range, fund, date, format } => {
            let format = Format::from(*format);
            let (store, ledger) = open_ledger(cli)?;
            let (from, to) = span(&store, &ledger, range)?;
            let chart = store.chart(&ledger)?;
            let fund = fund.as_deref();
            if let Some(f) = fund {
                if !store.funds(&ledger)?.iter().any(|x| x.name == f) {
                    return Err(bad_input(Rule::Fnd1, format!("专项资金“{f}”未设立；fund list 列出已设立的资金")));
                }
            }
            let name = &match fund {
                Some(f) => format!("{}（专项资金：{f}）", ledger.info.name),
                None => ledger.info.name.clone(),
            };
            // Balances by fund come from the fund's lines; the rest from the projection.
            let period_totals = |store: &Store| -> Result<Vec<PeriodTotalRow>, Exit> {
                match fund {
                    None => Ok(store.period_totals(&ledger)?),
                    Some(f) => {
                        let mut vouchers = Vec::new();
                        let first = Period::new(1900, 1).expect("valid");
                        store.each_voucher(&ledger, first, to, |v, s| {
                            if s == Status::Posted {
                                vouchers.extend(v.fund_part(f));
                            }
                            Ok(())
                        })?;
                        Ok(qianzhang_core::funds::fund_period_totals(&vouchers, f))
                    }
                }
            };
            let cut = |v: qianzhang_core::Voucher| match fund {
                Some(f) => v.fund_part(f),
                None => Some(v),
            };
            if fund.is_some() && matches!(kind, ReportKind::CashCount | ReportKind::BankReconciliation) {
                return Err(bad_input(
                    Rule::Fnd1,
                    "现金盘点表和银行存款余额调节表按账户编制，不分专项资金；请去掉 --fund，或用 cash-journal/bank-journal --fund",
                ));
            }
            let text = match kind {
                ReportKind::CashCount => {
                    drop(store);
                    month::cash_count_report(cli, date.unwrap_or_else(clock::today), format)?
                }
                ReportKind::BankReconciliation => {
                    if range.month.is_none() && range.to.is_none() {
                        return Err(bad_input(Rule::Bnk1, "余额调节表须指明月份：--month YYYY-MM"));
                    }
                    drop(store);
                    month::reconciliation_report(cli, account.as_deref(), to, format)?
                }
                ReportKind::TrialBalance => {
                    let totals = period_totals(&store)?;
                    let tb = TrialBalance::build(name, &chart, as_period_totals(&totals), from, to);
                    qianzhang_report::trial_balance(&tb, format)
                }
                ReportKind::Journal => {
                    let mut vouchers = Vec::new();
                    store.each_voucher(&ledger, from, to, |v, s| {
                        if s == Status::Posted {
                            vouchers.extend(cut(v).map(|v| (v, s)));
                        }
                        Ok(())
                    })?;
                    let registry = store.registry(&ledger)?;
                    let notes = stand_aside_marks(&store, &ledger, &registry, vouchers.iter().map(|(v, _)| v))?;
                    let notes: Vec<_> = notes.into_iter().map(|(r, m)| (r, m.note())).collect();
                    let mut journal = Journal::build(name, &chart, vouchers, from, to);
                    for (r, n) in notes {
                        journal.note(r, n);
                    }
                    qianzhang_report::journal(&journal, format)
                }
                ReportKind::Ledger => {
                    let text = account
                        .as_deref()
                        .ok_or_else(|| bad_input(Rule::Vch2, "明细账须指明科目，例如 report ledger 1001"))?;
                    let code = chart
                        .resolve(text)
                        .map(|a| a.code().to_string())
                        .ok_or_else(|| bad_input(Rule::Vch2, format!("科目“{text}”不存在")))?;
                    let totals = period_totals(&store)?;
                    let mut vouchers = Vec::new();
                    store.each_voucher(&ledger, from, to, |v, s| {
                        if s == Status::Posted && v.lines().iter().any(|l| l.account.starts_with(&code)) {
                            vouchers.extend(cut(v).filter(|v| v.lines().iter().any(|l| l.account.starts_with(&code))));
                        }
                        Ok(())
                    })?;
                    let al =
                        AccountLedger::build(name, &chart, &code, as_period_totals(&totals), vouchers, from, to, false);
                    qianzhang_report::account_ledger(&al, format)
                }
                ReportKind::Funds => {
                    let mut totals = store.fund_totals(&ledger)?;
                    if let Some(f) = fund {
                        totals.retain(|t| t.fund == f);
                    }
                    let totals = totals.iter().map(FundTotalRow::total);
                    qianzhang_report::funds(&FundsReport::build(name, totals, from, to), format)
                }
                ReportKind::CashJournal | ReportKind::BankJournal => {
                    let code = if *kind == ReportKind::CashJournal { "1001" } else { "1002" };
                    let totals = period_totals(&store)?;
                    let mut vouchers = Vec::new();
                    store.each_voucher(&ledger, from, to, |v, s| {
                        if s == Status::Posted && v.lines().iter().any(|l| l.account.starts_with(code)) {
                            vouchers.extend(cut(v).filter(|v| v.lines().iter().any(|l| l.account.starts_with(code))));
                        }
                        Ok(())
                    })?;
                    let j =
                        AccountLedger::build(name, &chart, code, as_period_totals(&totals), vouchers, from, to, true);
                    qianzhang_report::cash_journal(&j, format)
                }
            };
            out(&text)
        }
        Command::Verify { fingerprint, month } => verify(cli, fingerprint.as_deref(), *month),
        Command::Log { limit } => {
            let (store, ledger) = open_ledger(cli)?;
            let mut text = String::new();
            for e in store.log_tail(&ledger, *limit)? {
                text.push_str(&format!(
                    "#{:<6} {}  {}  {}  {}\n",
                    e.seq,
                    e.at,
                    e.actor,
                    e.event.describe(),
                    e.hash.short()
                ));
            }
            out(&text)
        }
        Command::Demo => demo::run(cli.db.as_deref()),
    }
}

fn io_fault(e: &std::io::Error) -> BackendError {
    BackendError::Io(e.to_string())
}

fn verify(cli: &Cli, fingerprint: Option<&str>, month: Option<Period>) -> Result<(), Exit> {
    let store = open_existing(&db_path(cli))?;
    let anchor = match fingerprint {
        Some(hex) => Some(qianzhang_store::Anchor::parse(hex, month).ok_or_else(|| {
            bad_input(
                Rule::Aud2,
                format!("“{hex}”不是指纹：应为公开表上的账簿指纹（16 位十六进制数）或“指纹全文”（64 位）"),
            )
        })?),
        None => None,
    };
    let ledgers = match (&cli.ledger, &anchor) {
        (None, None) => store.ledgers()?,
        _ => vec![store.select(cli.ledger.as_deref())?],
    };
    let mut text = String::new();
    let mut broken = Vec::new();
    for ledger in &ledgers {
        let report = match &anchor {
            Some(a) => store.verify_against(ledger, a.clone())?,
            None => store.verify(ledger)?,
        };
        if report.anchor_matches.len() > 1 {
            let seqs: Vec<String> = report.anchor_matches.iter().map(|s| format!("第 {s} 条")).collect();
            return Err(bad_input(
                Rule::Aud2,
                format!(
                    "指纹 {} 与日志中不止一条相符（{}）：请用公开表上的“指纹全文”",
                    fingerprint.unwrap_or_default(),
                    seqs.join("、")
                ),
            ));
        }
        match &report.mismatch {
            None => {
                text.push_str(&format!(
                    "账套“{}”校验通过：日志 {} 条，哈希链完整，余额与日志重算一致。\n指纹：{}\n",
                    report.ledger, report.entries, report.fingerprint
                ));
                if let Some(a) = &report.anchor {
                    text.push_str(&format!(
                        "公布的指纹对应日志第 {} 条（{}，{}）：截至该条的历史与公布时一致，未被改写。\n",
                        a.seq, a.at, a.description
                    ));
                    if let (Some(m), false) = (month, report.since.is_empty()) {
                        text.push_str(&format!(
                            "但公布之后，日志中又记有 {m} 的下列变动（公开表上的数字已不是现在的账）：\n"
                        ));
                        for e in &report.since {
                            text.push_str(&format!(
                                "  日志第 {} 条　{}　{}　{}\n",
                                e.seq, e.at, e.actor, e.description
                            ));
                            if e.closes {
                                text.push_str(&format!(
                                    "    重新结账后的指纹：{}（短指纹 {}）\n",
                                    e.fingerprint,
                                    e.fingerprint.short()
                                ));
                            }
                        }
                        if !report.since.last().is_some_and(|e| e.closes) {
                            text.push_str(&format!("  {m} 目前尚未重新结账。\n"));
                        }
                    }
                }
            }
            Some(m) => broken.push(format!(
                "[AUD-2] 账套“{}”校验失败：{}{}",
                report.ledger,
                m.seq.map(|s| format!("第一处不符在日志第 {s} 条。")).unwrap_or_default(),
                m.detail
            )),
        }
    }
    out(&text)?;
    if broken.is_empty() {
        Ok(())
    } else {
        Err(Exit::Integrity(broken.join("\n")))
    }
}

fn account(cli: &Cli, cmd: &AccountCmd) -> Result<(), Exit> {
    match cmd {
        AccountCmd::List { format } => {
            let format = Format::from(*format);
            let (store, ledger) = open_ledger(cli)?;
            out(&qianzhang_report::chart(&store.chart(&ledger)?, format))
        }
        AccountCmd::Add { code, name, kind, opened } => {
            let new = NewAccount {
                code: code.clone(),
                name: name.clone(),
                kind: kind.map(|k| match k {
                    KindArg::Asset => AccountKind::Asset,
                    KindArg::Liability => AccountKind::Liability,
                    KindArg::NetAssets => AccountKind::NetAssets,
                    KindArg::Income => AccountKind::Income,
                    KindArg::Expense => AccountKind::Expense,
                }),
                opened: *opened,
            };
            let (account, ..) = change(cli, Act::Administer, |w, _| qianzhang_core::books::add_account(w, &new))?;
            out(&format!("已增设科目 {} {}（{}）\n", account.code(), account.name(), account.kind()))
        }
        AccountCmd::Rename { code, name } => {
            change(cli, Act::Administer, |w, _| qianzhang_core::books::rename_account(w, code, name))?;
            out(&format!("科目 {code} 已更名为“{}”；编码不变，已有凭证仍记在该科目\n", name.trim()))
        }
        AccountCmd::Close { code, date } => {
            let date = match date {
                Some(d) => *d,
                None => clock::today(),
            };
            change(cli, Act::Administer, |w, _| close_account(w, code, date))?;
            out(&format!("科目 {code} 自 {} 起停用\n", qianzhang_core::period::format_date(date)))
        }
    }
}

fn person(cli: &Cli, cmd: &PersonCmd) -> Result<(), Exit> {
    match cmd {
        PersonCmd::Add { name } => {
            let hash = new_passphrase(name.trim())?.map(|p| hash_new(&p)).transpose()?;
            let note = if hash.is_some() { "" } else { "；尚未设置口令，请用 person passphrase 设置" };
            change(cli, Act::Administer, |w, _| register_person(w, name, hash))?;
            out(&format!("已登记 {}{note}\n", name.trim()))
        }
        PersonCmd::List { date } => {
            let (store, ledger) = open_ledger(cli)?;
            let date = date.unwrap_or_else(clock::today);
            out(&qianzhang_report::people(&store.registry(&ledger)?, date))
        }
        PersonCmd::Appoint { name, role, from, leader, title, to, acting } => {
            let ended = match to {
                Some(last) => {
                    Some(last.next_day().ok_or_else(|| bad_input(Rule::Ppl1, "任职最后一天超出了可记录的日期范围"))?)
                }
                None => None,
            };
            let appointment = Appointment {
                person: name.clone(),
                role: Role::from(*role),
                from: from.unwrap_or_else(clock::today),
                ended,
                leader: *leader,
                title: title.clone(),
                acting: *acting,
            };
            let text = format!(
                "已任命 {} 为{}，{}\n",
                appointment.person,
                match (&appointment.title, appointment.acting) {
                    (Some(t), _) => t.as_str(),
                    (None, true) => "代理审批人",
                    (None, false) => appointment.role.chinese(),
                },
                appointment.tenure()
            );
            change(cli, Act::Administer, |w, _| appoint(w, appointment))?;
            out(&text)
        }
        PersonCmd::End { name, role, date } => {
            let date = date.unwrap_or_else(clock::today);
            change(cli, Act::Administer, |w, _| end_appointment(w, name, Role::from(*role), date))?;
            out(&format!(
                "{name}的{}任职自 {} 起结束\n",
                Role::from(*role).chinese(),
                qianzhang_core::period::format_date(date)
            ))
        }
        PersonCmd::Relate { a, b, kind } => {
            let (a, b) = (a.clone(), b.clone());
            let fact = match kind {
                KinArg::Spouse => KinFact::Spouse { a, b },
                KinArg::Parent => KinFact::Parent { parent: a, child: b },
                KinArg::Sibling => KinFact::Sibling { a, b },
                KinArg::Kin => KinFact::Kin { a, b },
            };
            let mut text = format!("已登记亲属关系：{}\n", describe_fact(&fact));
            let (conflicts, ..) = change(cli, Act::Administer, |w, _| record_kinship(w, fact, clock::today()))?;
            for c in conflicts {
                text.push_str(&format!("注意：{c}\n"));
            }
            out(&text)
        }
        PersonCmd::Passphrase { name } => {
            let Some(passphrase) = new_passphrase(name)? else {
                return Err(bad_input(
                    Rule::Opr1,
                    "请在终端中输入新口令，或为脚本设置环境变量 QIANZHANG_NEW_PASSPHRASE",
                ));
            };
            let hash = hash_new(&passphrase)?;
            let (mut store, ledger) = open_ledger(cli)?;
            let op = operator(cli)?;
            sign_in(&mut store, &ledger, &op)?;
            let today = clock::today();
            store.write(&ledger, &op.actor, |w| {
                // One's own passphrase needs only the old one (even one an
                // admin reset); anyone else's needs an admin.
                if op.actor.name != *name {
                    admit_signed_in(w.registry(), &op.actor.name, Act::Administer, today)?;
                }
                set_passphrase(w, name, hash, &op.actor.name)
            })?;
            out(&format!("已设置 {name} 的口令\n"))
        }
        PersonCmd::Relation { a, b } => {
            let (store, ledger) = open_ledger(cli)?;
            let registry = store.registry(&ledger)?;
            for p in [a, b] {
                check_registered(&registry, p)?;
            }
            let today = clock::today();
            match registry.kinship().relation(a, b) {
                Some(x) => out(&format!("{}\n", x.render(|p| registry.posts(p, today)))),
                None => out(&format!("{b}不是{a}的近亲属（按已登记的亲属关系）\n")),
            }
        }
    }
}

/// `ACCOUNT=AMOUNT` from the command line.
fn flag_line(text: &str, side: Side, summary: &str) -> Result<Line, Exit> {
    let (account, amount) = text
        .rsplit_once('=')
        .ok_or_else(|| bad_input(Rule::Vch1, format!("“{text}”应写作 科目=金额，例如 520101=350.00")))?;
    let what = if side == Side::Debit { "借方" } else { "贷方" };
    let amount = read_amount(amount, what, false)?.unwrap_or(Money::ZERO);
    Ok(Line {
        summary: summary.to_string(),
        account: account.trim().to_string(),
        side,
        amount,
        fund: None,
        counterparty: None,
    })
}

/// The vouchers named, plus with `--all` every prepared voucher of the
/// period whose next step is `step`; and why `--all` passed over the other
/// prepared vouchers of the period (VCH-4).
fn selected(cli: &Cli, sel: &Selection, step: Next) -> Result<(Vec<VoucherRef>, Vec<String>), Exit> {
    let mut refs = sel.references.clone();
    let mut passed_over = Vec::new();
    if let (true, Some(p)) = (sel.all, sel.period) {
        let (store, ledger) = open_ledger(cli)?;
        let chart = store.chart(&ledger)?;
        for (v, status) in store.vouchers(&ledger, p, p)? {
            if status != Status::Prepared || refs.contains(&v.reference()) {
                continue;
            }
            match next_step(&chart, &v, &store.signatures(&ledger, v.reference())?) {
                next if next == step => refs.push(v.reference()),
                next => passed_over.push(batch::passed_over(v.reference(), next, step)),
            }
        }
    }
    if refs.is_empty() {
        let mut text = "没有待办的凭证：请写出凭证号，或用 --all --period YYYY-MM".to_string();
        if !passed_over.is_empty() {
            text.push_str(&format!("（该期间的凭证：{}）", passed_over.join("；")));
        }
        return Err(bad_input(Rule::Vch4, text));
    }
    Ok((refs, passed_over))
}

/// What a batch did, and what `--all` passed over.
fn batch_report(done: &str, refs: &[VoucherRef], passed_over: &[String]) -> String {
    let mut text = format!("已{done} {} 张凭证\n", refs.len());
    if !passed_over.is_empty() {
        text.push_str(&format!("未处理 {} 张：\n", passed_over.len()));
        for p in passed_over {
            text.push_str(&format!("  {p}\n"));
        }
    }
    text
}

fn sign(cli: &Cli, sel: &Selection, kind: SignKind) -> Result<(), Exit> {
    let (refs, passed_over) = selected(cli, sel, Next::Sign(kind))?;
    let today = clock::today();
    let at = clock::now_rfc3339();
    change(cli, Act::Sign, |w, who| batch::each_voucher(w, &refs, |w, r| sign_voucher(w, r, kind, who, today, &at)))?;
    out(&batch_report(kind.chinese(), &refs, &passed_over))
}

fn voucher(cli: &Cli, cmd: &VoucherCmd) -> Result<(), Exit> {
    match cmd {
        VoucherCmd::Add(args) => {
            let AddArgs { file, date, summary, debit, credit, authorization, document } = args.as_ref();
            let (store, ledger) = open_ledger(cli)?;
            let chart = store.chart(&ledger)?;
            let draft = match file {
                Some(path) => {
                    let file = std::fs::File::open(path)
                        .map_err(|e| bad_input(Rule::Csv1, format!("无法读取凭证文件 {}：{e}", path.display())))?;
                    let bytes = qianzhang_core::csvfile::read_at_most(
                        file,
                        qianzhang_core::voucher::MAX_VOUCHER_FILE_BYTES,
                        "凭证文件",
                    )?;
                    let text = String::from_utf8(bytes)
                        .map_err(|_| bad_input(Rule::Csv2, "凭证文件不是有效的 UTF-8 编码，请另存为 UTF-8"))?;
                    let input: DraftInput = if path.extension().is_some_and(|e| e == "json") {
                        serde_json::from_str(&text)
                            .map_err(|e| bad_input(Rule::Csv1, format!("凭证文件格式错误：{e}")))?
                    } else {
                        toml::from_str(&text).map_err(|e| bad_input(Rule::Csv1, format!("凭证文件格式错误：{e}")))?
                    };
                    input.into_draft(&chart).map_err(|reasons| Exit::Refused { reasons, unlisted: 0, logged: false })?
                }
                None => {
                    let date = date.unwrap_or_else(clock::today);
                    let summary = summary.clone().ok_or_else(|| bad_input(Rule::Vch1, "请用 --summary 填写摘要"))?;
                    let mut lines = Vec::new();
                    for d in debit {
                        lines.push(flag_line(d, Side::Debit, &summary)?);
                    }
                    for c in credit {
                        lines.push(flag_line(c, Side::Credit, &summary)?);
                    }
                    for l in &mut lines {
                        if let Some(a) = chart.resolve(&l.account) {
                            l.account = a.code().to_string();
                        }
                    }
                    qianzhang_core::Draft {
                        date,
                        lines,
                        documents: document.document()?.into_iter().collect(),
                        authorization: authorization.clone(),
                        reverses: None,
                        source_ref: None,
                    }
                }
            };
            drop(store);
            let (reference, ..) =
                change(cli, Act::KeepBooks, |w, who| enter_voucher(w, draft, Origin::Entered, who, clock::today()))?;
            out(&format!("已制单 {reference}（待记账）\n"))
        }
        VoucherCmd::List { range, format } => {
            let format = Format::from(*format);
            let (store, ledger) = open_ledger(cli)?;
            let (from, to) = span(&store, &ledger, range)?;
            let vouchers = store.vouchers(&ledger, from, to)?;
            let registry = store.registry(&ledger)?;
            let notes = stand_aside_marks(&store, &ledger, &registry, vouchers.iter().map(|(v, _)| v))?;
            out(&qianzhang_report::voucher_list(&vouchers, &notes, format))
        }
        VoucherCmd::Show { reference, format } => {
            let format = Format::from(*format);
            let r = *reference;
            let (store, ledger) = open_ledger(cli)?;
            let (v, status) =
                store.voucher(&ledger, r)?.ok_or_else(|| bad_input(Rule::Vch4, format!("凭证 {r} 不存在")))?;
            let signatures = store.signatures(&ledger, r)?;
            let mut text = qianzhang_report::voucher(&v, status, &signatures, &store.chart(&ledger)?, format);
            let registry = store.registry(&ledger)?;
            if let (Some(note), true) =
                (stand_aside_note(&registry, &v, &signatures, clock::today()), format != Format::Json)
            {
                text.push_str(&format!("［{note}］（SEP-6）\n"));
            }
            out(&text)
        }
        VoucherCmd::Review(sel) => sign(cli, sel, SignKind::Review),
        VoucherCmd::Approve(sel) => sign(cli, sel, SignKind::Approve),
        VoucherCmd::Confirm(sel) => sign(cli, sel, SignKind::Confirm),
        VoucherCmd::Attach { reference, document } => {
            let Some(doc) = document.document()? else {
                return Err(bad_input(Rule::Doc1, "请用 --doc-type 等写明要附的单据"));
            };
            change(cli, Act::KeepBooks, |w, _| attach_document(w, *reference, doc))?;
            out(&format!("已为 {reference} 附上单据；原有签字已作废，请重新审核、审批、确认\n"))
        }
        VoucherCmd::Withdraw { reference, kind } => {
            let kind = SignKind::from(*kind);
            change(cli, Act::Sign, |w, who| withdraw_signature(w, *reference, kind, who))?;
            out(&format!("已撤回对 {reference} 的{}\n", kind.chinese()))
        }
        VoucherCmd::Post(sel) => {
            let (refs, passed_over) = selected(cli, sel, Next::Post)?;
            let today = clock::today();
            change(cli, Act::Post, |w, who| batch::each_voucher(w, &refs, |w, r| post_voucher(w, r, who, today)))?;
            out(&batch_report("记账", &refs, &passed_over))
        }
        VoucherCmd::Void { reference, reason } => {
            change(cli, Act::KeepBooks, |w, _| qianzhang_core::books::void_voucher(w, *reference, reason))?;
            out(&format!("已作废 {reference}（{}），编号保留，不再记账\n", reason.trim()))
        }
        VoucherCmd::Reverse { reference, date } => {
            let r = *reference;
            let date = match date {
                Some(d) => *d,
                None => clock::today(),
            };
            let (reversal, ..) =
                change(cli, Act::KeepBooks, |w, who| reverse_voucher(w, r, date, who, clock::today()))?;
            out(&format!("已生成红字冲销凭证 {reversal}（冲销 {r}，待记账）；如需更正，请另录正确凭证\n"))
        }
    }
}
