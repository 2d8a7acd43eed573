//! The command line as typed: clap's types for every command and the
//! parsers of the values they take.

use std::path::PathBuf;

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::error::{ContextKind, ContextValue};
use clap::{Args, Parser, Subcommand, ValueEnum};
use qianzhang_core::account::AccountKind;
use qianzhang_core::approval::AuthKind;
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::lifecycle::SignKind;
use qianzhang_core::names::{Kinship, Named};
use qianzhang_core::people::Role;
use qianzhang_core::period::parse_date;
use qianzhang_core::{Period, VoucherRef};
use qianzhang_report::Format;

use crate::commands::{audit, board, month, opening};
/// 钱账 qianzhang — 社区财务复式记账：钱账分管、一支笔审批、财务公开。
/// Double-entry bookkeeping for community finance with enforced internal control.
#[derive(Parser, Debug)]
#[command(
    name = "qianzhang",
    version,
    about = "钱账：社区财务复式记账 / double-entry bookkeeping for community finance"
)]
pub(crate) struct Cli {
    /// 账簿：SQLite 文件路径，或 PostgreSQL 地址 postgres://用户:口令@主机/库名 / store file or PostgreSQL URL [default: qianzhang.db]
    // The value is never shown in --help: the URL may hold a password.
    #[arg(long, global = true, env = "QIANZHANG_DB", hide_env_values = true)]
    pub(crate) db: Option<PathBuf>,
    /// 账套名称 / ledger name (default: the only one)
    #[arg(long, global = true)]
    pub(crate) ledger: Option<String>,
    /// 操作人 / who acts (recorded in the log)
    #[arg(long = "as", global = true, env = "QIANZHANG_USER")]
    pub(crate) actor: Option<String>,
    /// 以 JSON 输出结果（建立或变更账目的命令）/ print one JSON object instead of the sentence
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// 供程序读取的 CSV：英文表头、无 BOM（默认的 CSV 为 Excel 准备：中文表头、带 BOM）/ machine CSV: English headers, no BOM
    #[arg(long, global = true)]
    pub(crate) plain: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
    /// 居民筹资收款名册（一事一议）/ money raised from residents (FND-2)
    #[command(subcommand)]
    Collection(crate::commands::collection::CollectionCmd),
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
    /// 期初余额：录入、导入、查看 / opening balances of the go-live month (OPN-1)
    #[command(subcommand)]
    Opening(opening::OpeningCmd),
    /// 现金日清：盘点 / the daily cash count (CSH-2, CSH-4)
    #[command(subcommand)]
    Cash(month::CashCmd),
    /// 银行对账单与对账 / bank statements and matching (BNK-1)
    #[command(subcommand)]
    Bank(month::BankCmd),
    /// 结账与反结账 / close and reopen months (PER-1, PER-2)
    #[command(subcommand)]
    Period(month::PeriodCmd),
    /// 街道代管资金（居账街管）：各社区份额与街道账户对账单核对 / the street office's view of its communities (FND-3)
    #[command(subcommand)]
    Street(crate::commands::street::StreetCmd),
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
    /// 导入凭证 CSV 或 Excel（.xlsx）/ import a voucher CSV or .xlsx (all or nothing)
    Import {
        file: PathBuf,
        /// Excel 工作表名（默认第一个）/ the worksheet of an .xlsx (default: the first)
        #[arg(long)]
        sheet: Option<String>,
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
        /// CSV 使用中文表头（现已是默认；--plain 为英文表头）/ Chinese CSV header (now the default; --plain for English)
        #[arg(long)]
        chinese_header: bool,
    },
    /// 报表 / reports
    Report {
        #[arg(value_parser = named::<qianzhang_app::reports::Kind>())]
        kind: qianzhang_app::reports::Kind,
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
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
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
    /// 将账套连同全部日志复制到另一账簿（迁移），副本校验后指纹与源账簿相同 / copy ledgers with their whole log to another store
    #[command(long_about = "将账套连同全部日志、扫描件复制到另一账簿：每个账套在目标账簿中一次写入（全部或全无），\n\
                      逐条重算哈希，复制后在目标上校验，指纹与源账簿相同，公布过的指纹在副本上照样可查。\n\
                      须由所复制各账套的管理员操作（--as 与口令在源账簿上核对）。\n\
                      源账簿的账目不会被改动（被拒绝时只在其日志中记下这次拒绝）；目标中已有同名账套、或目标就是源账簿本身时拒绝执行。\n\
                      账簿可以是文件，也可以是 PostgreSQL 地址 postgres://用户:口令@主机/库名（空库或钱账的库）。\n\
                      例：qianzhang copy --from 社区.db --to 街道.db --ledger 幸福里 --as 管理员\n\
                      例：qianzhang copy --from 街道.db --to postgres://qianzhang:口令@127.0.0.1/qianzhang --as 管理员\n\
                      Copy ledgers, with every log entry and scan, into another store; the copy verifies with the same fingerprint.")]
    Copy {
        /// 源账簿：文件路径或 PostgreSQL 地址（与 --db 相同）/ the store to copy from: a file or a postgres:// URL
        #[arg(long, value_name = "账簿")]
        from: PathBuf,
        /// 目标账簿：文件路径（不存在时新建）或 PostgreSQL 地址 / the store to copy into: a file (created when missing) or a postgres:// URL
        #[arg(long, value_name = "账簿")]
        to: PathBuf,
        /// 只复制该账套，可重复（默认全部账套）/ copy only this ledger; repeat for more (default: all)
        #[arg(long = "ledger", id = "ledger", value_name = "账套")]
        ledgers: Vec<String>,
    },
    /// 最近的日志 / the latest log entries
    Log {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// text | json
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
    },
    /// 演示 / build a sample community ledger and print its reports
    Demo,
    /// 网页办公 / the web office: serve [--listen 127.0.0.1:8080] [--demo]
    Serve {
        /// 监听地址 / address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// 用演示社区启动（临时账簿文件）/ serve the demo community
        #[arg(long)]
        demo: bool,
        /// 经 HTTPS 反向代理访问时加上，Cookie 标记 Secure / cookies marked Secure (behind TLS)
        #[arg(long)]
        https: bool,
    },
    /// 打印记账凭证和账页（HTML，PRN-1）/ print vouchers and book pages as HTML
    #[command(subcommand)]
    Print(crate::commands::print::PrintCmd),
    /// 待办事项：操作人（--as）今天待签字、盘点、对账、结账、审核的事项 / what waits for the operator today
    Todo {
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub(crate) struct Range {
    /// 起始期间 / first period (YYYY-MM)
    #[arg(long, value_parser = period_value)]
    pub(crate) from: Option<Period>,
    /// 截止期间 / last period (YYYY-MM)
    #[arg(long, value_parser = period_value)]
    pub(crate) to: Option<Period>,
    /// 单月 / one month (same as --from M --to M)
    #[arg(long, value_parser = period_value, conflicts_with_all = ["from", "to"])]
    pub(crate) month: Option<Period>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExportFormat {
    Csv,
    /// Excel 工作簿 / an Excel workbook (needs -o)
    #[value(alias = "excel")]
    Xlsx,
    Ledger,
}

#[derive(Subcommand, Debug)]
pub(crate) enum AccountCmd {
    /// 列出科目 / list accounts
    List {
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// 增设科目 / add an account: account add 520101 办公费
    Add {
        code: String,
        name: String,
        /// asset | liability | net-assets | income | expense（一级科目必填）
        #[arg(long, value_parser = named::<AccountKind>())]
        kind: Option<AccountKind>,
        /// 启用日期 / first day it takes postings
        #[arg(long, value_parser = date_value)]
        opened: Option<time::Date>,
    },
    /// 从科目表文件增设科目（CSV 或 Excel：科目编码、科目名称、类别）/ add the accounts of a file
    Import {
        file: PathBuf,
        /// Excel 工作表名（默认第一个）/ the worksheet of an .xlsx (default: the first)
        #[arg(long)]
        sheet: Option<String>,
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

#[derive(Subcommand, Debug)]
pub(crate) enum PersonCmd {
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
        #[arg(long, value_parser = named::<Role>())]
        role: Role,
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
        #[arg(long, value_parser = named::<Role>())]
        role: Role,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 登记亲属关系 / record a kinship fact (parent: A is a parent of B)
    Relate {
        a: String,
        b: String,
        #[arg(long, value_parser = named::<Kinship>())]
        kind: Kinship,
    },
    /// 说明两人的亲属关系 / explain how B is a close relative of A
    Relation { a: String, b: String },
    /// 设置或更改口令 / set or change a passphrase (one's own, or anyone's as admin)
    Passphrase { name: String },
}

#[derive(Subcommand, Debug)]
pub(crate) enum AuthCmd {
    /// 登记审批依据 / record a resolution or government approval
    Add {
        #[arg(long, value_parser = named::<AuthKind>())]
        kind: AuthKind,
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
        /// 居民决议（FND-2）：所用的居民筹资专项资金 / the resident-raised fund it spends
        #[arg(long, requires_all = ["attendance", "votes_for", "against"])]
        fund: Option<String>,
        /// 居民决议：到会人数 / how many attended
        #[arg(long, requires = "fund")]
        attendance: Option<u32>,
        /// 居民决议：同意票数 / votes for
        #[arg(long = "for", requires = "fund")]
        votes_for: Option<u32>,
        /// 居民决议：反对票数 / votes against
        #[arg(long, requires = "fund")]
        against: Option<u32>,
    },
    /// 审批依据及使用情况 / authorizations with what they have paid for
    List,
}

#[derive(Subcommand, Debug)]
pub(crate) enum ReceiptCmd {
    /// 登记收据本 / register a receipt book (admin): receipt book SJ --from 101 --to 200 --holder 王芳
    Book {
        /// 收据本前缀，如 SJ / the book's prefix
        book: String,
        /// 起始号 / the first number
        #[arg(long)]
        from: u32,
        /// 终止号 / the last number
        #[arg(long)]
        to: u32,
        /// 领用人 / to whom it is issued
        #[arg(long)]
        holder: String,
        /// 领用日期（默认今天）/ the day it is issued (default today)
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
pub(crate) enum SettingsCmd {
    /// 更改设置 / change a setting: threshold | split-window | cash-limit | deposit-days | match-window
    Set { key: String, value: String },
    /// 节假日：add 日期 [名称] 定为放假日；list [年] 列出当年放假与调休上班的日子
    Holiday {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
    /// 调休上班日：add 日期 [名称] 定为工作日
    Workday {
        #[command(subcommand)]
        cmd: CalendarCmd,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum CalendarCmd {
    /// 定一天 / mark a day
    Add {
        #[arg(value_parser = date_value)]
        date: time::Date,
        /// 节日名称或原因 / the holiday's name or the reason
        name: Option<String>,
    },
    /// 当年的节假日与调休上班日 / the effective calendar of a year
    List { year: Option<i32> },
}

#[derive(Subcommand, Debug)]
pub(crate) enum CheckCmd {
    /// 疑似拆分支出（APR-3）/ suspected splits under the threshold
    Splits {
        #[command(flatten)]
        range: Range,
    },
}

/// `voucher add`: a file, or the voucher in flags.
#[derive(Args, Debug)]
pub(crate) struct AddArgs {
    /// 凭证文件（.toml 或 .json）/ voucher file
    #[arg(long, conflicts_with_all = ["date", "summary", "debit", "credit", "authorization", "doc_type", "doc", "counterparty", "fund"])]
    pub(crate) file: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) fields: VoucherFields,
}

/// A voucher's fields typed as flags (`voucher add`, `voucher edit`).
#[derive(Args, Debug)]
pub(crate) struct VoucherFields {
    #[arg(long, value_parser = date_value)]
    pub(crate) date: Option<time::Date>,
    #[arg(long)]
    pub(crate) summary: Option<String>,
    /// 借方 科目=金额[@收付对象][#专项资金]，可重复 / ACCOUNT=AMOUNT[@COUNTERPARTY][#FUND], repeatable
    #[arg(long)]
    pub(crate) debit: Vec<String>,
    /// 贷方 科目=金额[@收付对象][#专项资金]，可重复 / ACCOUNT=AMOUNT[@COUNTERPARTY][#FUND], repeatable
    #[arg(long)]
    pub(crate) credit: Vec<String>,
    /// 审批依据文号 / the authorization cited
    #[arg(long)]
    pub(crate) authorization: Option<String>,
    /// 各行的收付对象（行内 @对象 优先）/ counterparty of every line not naming its own
    #[arg(long)]
    pub(crate) counterparty: Option<String>,
    /// 各行的专项资金（行内 #资金 优先）/ special fund of every line not naming its own (FND-1)
    #[arg(long)]
    pub(crate) fund: Option<String>,
    /// 原始凭证，可重复：类型=发票,号码=…,金额=…,经办人=…,验收人=… / a document, repeatable
    #[arg(long)]
    pub(crate) doc: Vec<String>,
    #[command(flatten)]
    pub(crate) document: DocArgs,
}

impl VoucherFields {
    /// The voucher as the application takes it.
    pub(crate) fn input(&self) -> qianzhang_app::voucher::FlagDraft {
        qianzhang_app::voucher::FlagDraft {
            date: self.date,
            summary: self.summary.clone(),
            debit: self.debit.clone(),
            credit: self.credit.clone(),
            authorization: self.authorization.clone(),
            document: self.document.input(),
            documents: self.doc.clone(),
            counterparty: self.counterparty.clone(),
            fund: self.fund.clone(),
        }
    }
}

/// One original document given with flags.
#[derive(Args, Debug)]
pub(crate) struct DocArgs {
    /// 单据类型：发票、收据、银行回单… / document type
    #[arg(long = "doc-type")]
    pub(crate) doc_type: Option<String>,
    /// 单据号；发票、财政票据写“代码-号码”，数电发票写 20 位号码 / document number (invoice: code-number)
    #[arg(long = "doc-no", requires = "doc_type")]
    pub(crate) doc_no: Option<String>,
    /// 开票单位 / issuer
    #[arg(long, requires = "doc_type")]
    pub(crate) issuer: Option<String>,
    /// 单据金额 / amount on the document
    #[arg(long = "doc-amount", requires = "doc_type")]
    pub(crate) doc_amount: Option<String>,
    /// 经办人 / handler
    #[arg(long, requires = "doc_type")]
    pub(crate) handler: Option<String>,
    /// 验收人 / checker of goods and services
    #[arg(long, requires = "doc_type")]
    pub(crate) checker: Option<String>,
    /// 单据日期 / date on the document
    #[arg(long = "doc-date", requires = "doc_type", value_parser = date_value)]
    pub(crate) doc_date: Option<time::Date>,
}

/// Vouchers named, or every one of a period waiting for the step.
#[derive(Args, Debug)]
pub(crate) struct Selection {
    #[arg(value_parser = voucher_value)]
    pub(crate) references: Vec<VoucherRef>,
    /// 该期间全部待办凭证 / every voucher of --period waiting for this step
    #[arg(long, requires = "period")]
    pub(crate) all: bool,
    #[arg(long, value_parser = period_value)]
    pub(crate) period: Option<Period>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum VoucherCmd {
    /// 制单 / prepare a voucher from a TOML/JSON file or from flags
    Add(Box<AddArgs>),
    /// 凭证列表 / list vouchers
    List {
        #[command(flatten)]
        range: Range,
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// 查看凭证 / show a voucher: voucher show 2025-03/记-0001
    Show {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
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
        /// 原始凭证，可重复：类型=发票,号码=…,金额=…,经办人=…,验收人=… / a document, repeatable
        #[arg(long)]
        doc: Vec<String>,
        #[command(flatten)]
        document: DocArgs,
        /// 原始凭证的扫描件（PDF、JPEG 或 PNG，不超过 10 MiB），可重复 / a scan of an original document, repeatable
        #[arg(long)]
        scan: Vec<PathBuf>,
    },
    /// 取出凭证所附的扫描件 / write a voucher's scan to a file: voucher scan 2025-03/记-0001 1a2b3c4d5e6f -o 发票.pdf
    Scan {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        /// SHA-256（或其前至少 6 位，见 voucher show）/ the scan's SHA-256 or a prefix of at least 6 hex digits
        sha256: String,
        /// 输出文件 / output file
        #[arg(short, long)]
        output: PathBuf,
    },
    /// 修改未记账的凭证（已有签字作废，须重新签字）/ revise a prepared voucher; what is not given stays
    Edit {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        #[command(flatten)]
        fields: Box<VoucherFields>,
    },
    /// 复制凭证为新凭证（新编号，不复制原始凭证）/ prepare a new voucher from an old one
    Copy {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        /// 新凭证日期 / the new voucher's date
        #[arg(long, value_parser = date_value)]
        date: time::Date,
    },
    /// 凭证模板 / voucher templates (the monthly water bill and the like)
    #[command(subcommand)]
    Template(TemplateCmd),
    /// 撤回本人签字 / withdraw one's own signature before posting
    Withdraw {
        #[arg(value_parser = voucher_value)]
        reference: VoucherRef,
        #[arg(long, value_parser = named::<SignKind>())]
        kind: SignKind,
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

#[derive(Subcommand, Debug)]
pub(crate) enum TemplateCmd {
    /// 把凭证的分录存为模板 / save a voucher's lines as a template
    Save {
        name: String,
        /// 取自哪张凭证 / the voucher whose lines are saved
        #[arg(long, value_parser = voucher_value)]
        from: VoucherRef,
    },
    /// 用模板制单 / prepare a voucher from a template
    Use {
        name: String,
        #[arg(long, value_parser = date_value)]
        date: time::Date,
        /// 金额（一借一贷的模板）/ the amount, for a one-debit-one-credit template
        #[arg(long)]
        amount: Option<String>,
    },
    /// 列出已存的模板 / the saved templates with their lines
    List,
}

pub(crate) fn period_value(text: &str) -> Result<Period, String> {
    Period::parse(text).map_err(|e| e.to_string())
}

pub(crate) fn date_value(text: &str) -> Result<time::Date, String> {
    parse_date(text).map_err(|e| e.to_string())
}

pub(crate) fn voucher_value(text: &str) -> Result<VoucherRef, String> {
    text.parse::<VoucherRef>().map_err(|e| e.message)
}

pub(crate) fn encoding_value(text: &str) -> Result<TextEncoding, String> {
    TextEncoding::parse(text).ok_or_else(|| format!("不认识的编码“{text}”，可选 utf-8、gbk、gb18030"))
}

impl Command {
    /// Commands that change a ledger: their refusals go into its log.
    pub(crate) fn changes_books(&self) -> bool {
        match self {
            Command::Account(c) => !matches!(c, AccountCmd::List { .. }),
            Command::Voucher(c) => !matches!(
                c,
                VoucherCmd::List { .. }
                    | VoucherCmd::Show { .. }
                    | VoucherCmd::Scan { .. }
                    | VoucherCmd::Template(TemplateCmd::List)
            ),
            Command::Import { .. } => true,
            Command::Person(c) => !matches!(c, PersonCmd::List { .. } | PersonCmd::Relation { .. }),
            Command::Auth(c) => matches!(c, AuthCmd::Add { .. }),
            Command::Collection(c) => c.changes_books(),
            Command::Receipt(c) => !matches!(c, ReceiptCmd::List),
            Command::Settings { cmd } => !matches!(
                cmd,
                None | Some(
                    SettingsCmd::Holiday { cmd: CalendarCmd::List { .. } }
                        | SettingsCmd::Workday { cmd: CalendarCmd::List { .. } }
                )
            ),
            Command::Fund(c) => !matches!(c, month::FundCmd::List),
            Command::Opening(c) => !matches!(c, opening::OpeningCmd::Show { .. }),
            Command::Cash(_) => true,
            Command::Bank(c) => !matches!(c, month::BankCmd::List { .. }),
            Command::Period(c) => !matches!(c, month::PeriodCmd::Check { .. }),
            Command::Disclose(a) => a.changes_books(),
            Command::Asset(c) => !matches!(c, board::AssetCmd::List { .. }),
            Command::Budget(c) => matches!(c, board::BudgetCmd::Set { .. }),
            Command::Handover(a) => a.complete.is_some(),
            Command::Init { .. } => false,
            _ => false,
        }
    }
}

impl DocArgs {
    /// The document as the application takes it.
    pub(crate) fn input(&self) -> qianzhang_app::voucher::DocumentInput {
        qianzhang_app::voucher::DocumentInput {
            doc_type: self.doc_type.clone(),
            number: self.doc_no.clone(),
            issuer: self.issuer.clone(),
            amount: self.doc_amount.clone(),
            handler: self.handler.clone(),
            checker: self.checker.clone(),
            date: self.doc_date,
        }
    }
}

impl Range {
    pub(crate) fn app(&self) -> qianzhang_app::reports::Range {
        qianzhang_app::reports::Range { from: self.from, to: self.to, month: self.month }
    }
}

/// The parser of a core kind from the names the core gives it
/// (`qianzhang_core::names`): help lists the English names; the Chinese
/// ones are accepted as aliases.
pub(crate) fn named<T: Named + Send + Sync>() -> NamedParser<T> {
    NamedParser(PhantomData)
}

#[derive(Clone, Copy)]
pub(crate) struct NamedParser<T>(PhantomData<T>);

fn possible_values<T: Named>() -> impl Iterator<Item = PossibleValue> {
    T::ALL.iter().map(|n| PossibleValue::new(n.name).aliases(n.aliases.iter().copied()).help(n.gloss))
}

impl<T: Named + Send + Sync> TypedValueParser for NamedParser<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<T, clap::Error> {
        let name = PossibleValuesParser::new(possible_values::<T>()).parse_ref(cmd, arg, value).map_err(|mut e| {
            // The values a refusal lists, each with its Chinese names: `cashier（出纳）`.
            let valid = T::ALL
                .iter()
                .map(|n| match n.aliases {
                    [] => n.name.to_string(),
                    aliases => format!("{}（{}）", n.name, aliases.join("、")),
                })
                .collect();
            e.insert(ContextKind::ValidValue, ContextValue::Strings(valid));
            e
        })?;
        T::from_name(&name).ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(possible_values::<T>()))
    }
}
