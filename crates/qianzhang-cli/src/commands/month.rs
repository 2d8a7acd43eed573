//! The cashier's day and the accountant's month end (日清月结): special
//! funds, the daily cash count, bank statements and matching, closing and
//! reopening months. Each command parses, makes one application call,
//! renders.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use qianzhang_app::month as app;
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::funds::Fund;
use qianzhang_core::period::format_date;
use qianzhang_core::{Period, VoucherRef};
use qianzhang_report::Format;

use crate::args::{date_value, encoding_value, named, period_value, voucher_value, Cli};
use crate::clock;
use crate::exit::Exit;
use crate::outcome::field;
use crate::output::out;
use crate::session::{approver_passphrase, command_line, open_ledger, open_session, pause, sign_in};

#[derive(Subcommand, Debug)]
pub(crate) enum FundCmd {
    /// 设立专项资金 / declare a special fund: fund add 低保 --kind restricted
    Add {
        name: String,
        /// restricted 或 限定性（年末结转 3102）| unrestricted 或 非限定性（结转 3101）
        #[arg(long, value_enum)]
        kind: FundKind,
    },
    /// 专项资金及结余 / the funds and what each holds
    List,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FundKind {
    #[value(alias = "限定性")]
    Restricted,
    #[value(alias = "非限定性")]
    Unrestricted,
}

#[derive(Subcommand, Debug)]
pub(crate) enum CashCmd {
    /// 现金盘点 / record the daily count (cashier): cash count --date D --amount X [--pieces 100x12,50x3]
    Count {
        /// 盘点日期（默认今天）/ the day counted (default today)
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
        /// 实点金额 / the amount counted
        #[arg(long)]
        amount: Option<String>,
        /// 券别 面额x张数，逗号分隔 / denominations: 100x12,50x3,0.5x4
        #[arg(long)]
        pieces: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum BankCmd {
    /// 导入银行对账单 CSV 或 Excel（.xlsx）/ import a bank statement, CSV or .xlsx (duplicate lines are skipped)
    Import {
        file: PathBuf,
        /// Excel 工作表名（默认第一个）/ the worksheet of an .xlsx (default: the first)
        #[arg(long)]
        sheet: Option<String>,
        /// 银行存款明细科目（只有一个时可省略）/ the bank account under 1002
        #[arg(long)]
        account: Option<String>,
        /// utf-8 | gbk | gb18030 (默认自动识别 / detected when absent)
        #[arg(long, value_parser = encoding_value)]
        encoding: Option<TextEncoding>,
        /// 列名映射 / column mapping: "date=交易时间,in=收入,out=支出,balance=余额"
        #[arg(long)]
        map: Option<String>,
        /// 对账单截止日期（银行打印的对账期间末日；默认为最后一笔交易的日期）/ the day the statement reaches
        #[arg(long, value_parser = date_value)]
        through: Option<time::Date>,
    },
    /// 登记对账单余额（本月银行没有收支、对账单只有余额时）/ record the balance a statement states on a day
    Balance {
        /// 对账单日期，一般为月末 / the statement's day, usually the month's last
        #[arg(long, value_parser = date_value)]
        date: time::Date,
        /// 对账单上的余额，如 12,345.67 / the balance the statement states
        #[arg(long, allow_hyphen_values = true)]
        balance: String,
        /// 银行存款明细科目（只有一个时可省略）/ the bank account under 1002
        #[arg(long)]
        account: Option<String>,
    },
    /// 勾对：不带参数时自动勾对，或 --line N --voucher REF 手工勾对 / match automatically or by hand
    Match {
        #[arg(long)]
        account: Option<String>,
        /// 对账单行号 / statement line
        #[arg(long, requires = "voucher")]
        line: Option<u64>,
        #[arg(long, value_parser = voucher_value, requires = "line")]
        voucher: Option<VoucherRef>,
    },
    /// 取消勾对 / undo a match
    Unmatch {
        line: u64,
        #[arg(long)]
        account: Option<String>,
    },
    /// 对账单行及勾对情况 / statement lines and their matches
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum PeriodCmd {
    /// 结账 / close a month (accountant); refused with every reason while anything is open
    Close {
        #[arg(value_parser = period_value)]
        period: Period,
    },
    /// 结账检查 / list what keeps a month from closing, without closing it
    Check {
        #[arg(value_parser = period_value)]
        period: Period,
    },
    /// 反结账 / reopen the latest closed month: the accountant (--as) with the approver (--approver)
    Reopen {
        #[arg(value_parser = period_value)]
        period: Period,
        /// 原因 / why
        #[arg(long)]
        reason: String,
        /// 一同确认的审批人 / the approver who agrees; their passphrase comes from
        /// QIANZHANG_APPROVER_PASSPHRASE or the terminal
        #[arg(long)]
        approver: String,
    },
}

pub(crate) fn fund(cli: &Cli, cmd: &FundCmd) -> Result<(), Exit> {
    match cmd {
        FundCmd::Add { name, kind } => {
            let fund = Fund { name: name.trim().to_string(), restricted: *kind == FundKind::Restricted };
            let text = format!(
                "已设立专项资金“{}”（{}）\n",
                fund.name,
                if fund.restricted { "限定性，年末结转 3102" } else { "非限定性，年末结转 3101" }
            );
            field("fund", &fund.name);
            field("restricted", fund.restricted);
            app::declare(&mut open_session(cli)?, fund)?;
            out(&text)
        }
        FundCmd::List => out(&qianzhang_report::fund_list(&app::funds(&open_ledger(cli)?)?)),
    }
}

pub(crate) fn cash(cli: &Cli, cmd: &CashCmd) -> Result<(), Exit> {
    let CashCmd::Count { date, amount, pieces } = cmd;
    let (counted, pieces) = app::counted(amount.as_deref(), pieces.as_deref())?;
    let done = app::count(&mut open_session(cli)?, *date, counted, pieces)?;
    let count = &done.count;
    let diff = count.difference();
    field("date", format_date(count.date));
    field("counted", count.counted.to_decimal_string());
    field("book", count.book.to_decimal_string());
    field("difference", diff.to_decimal_string());
    let mut text = format!(
        "{} 现金盘点：实点 {}，账面 {}，{}\n",
        format_date(count.date),
        count.counted.to_yuan(),
        count.book.to_yuan(),
        qianzhang_core::cash::describe_difference(diff)
    );
    if !diff.is_zero() {
        text.push_str(
            "差额已记录（CSH-2）：请查明原因，经审批后以凭证记入 1901 待处理财产损溢，月末结账前须处理完毕。\n",
        );
    }
    if let Some((limit, excess)) = done.above_limit {
        text.push_str(&format!(
            "库存现金超过限额 {}（CSH-4），超出的 {} 应送存银行。\n",
            limit.to_yuan(),
            excess.to_yuan()
        ));
    }
    for u in &done.overdue {
        text.push_str(&format!(
            "{} 的现金收入 {} 应于 {} 前送存银行，已逾期（CSH-5）。\n",
            u.voucher,
            u.amount.to_yuan(),
            format_date(u.deadline)
        ));
    }
    out(&text)
}

pub(crate) fn bank(cli: &Cli, cmd: &BankCmd) -> Result<(), Exit> {
    match cmd {
        BankCmd::Import { file, sheet, account, encoding, map, through } => {
            let ledger = open_ledger(cli)?;
            let account = app::statement_account(&ledger, account.as_deref())?;
            let statement = app::read_statement_file(file, sheet.as_deref(), *encoding, map.as_deref())?;
            let name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let encoding = statement.encoding;
            let done = app::import_bank_statement(&mut sign_in(cli, ledger)?, &account, &name, statement, *through)?;
            field("account", account.to_string());
            field("new_lines", done.new_lines);
            field("duplicates", done.duplicates);
            field("through", format_date(done.reach));
            let source = if qianzhang_app::excel::is_workbook(file) {
                "Excel 工作簿".to_string()
            } else {
                format!("{}编码", encoding.name())
            };
            out(&format!(
                "已导入 {account} 银行对账单：新增 {} 行，已导入过的重复行 {} 行（{source}）；对账单截至 {}。\n",
                done.new_lines,
                done.duplicates,
                format_date(done.reach)
            ))
        }
        BankCmd::Balance { date, balance, account } => {
            let ledger = open_ledger(cli)?;
            let account = app::statement_account(&ledger, account.as_deref())?;
            let (done, balance) = app::record_bank_balance(&mut sign_in(cli, ledger)?, &account, *date, balance)?;
            field("account", account.to_string());
            field("new_lines", done.new_lines);
            field("duplicates", done.duplicates);
            field("through", format_date(done.reach));
            let what = if done.new_lines == 0 { "该余额已登记过" } else { "已登记" };
            out(&format!(
                "{what}：{account} 银行对账单 {} 余额 {}（余额行，没有收支）；对账单截至 {}。\n",
                format_date(*date),
                balance.to_yuan(),
                format_date(done.reach)
            ))
        }
        BankCmd::Match { account, line, voucher } => {
            let ledger = open_ledger(cli)?;
            let account = app::statement_account(&ledger, account.as_deref())?;
            match (line, voucher) {
                (Some(line), Some(voucher)) => {
                    app::match_line(&mut sign_in(cli, ledger)?, &account, *line, *voucher)?;
                    field("matched", [serde_json::json!({ "line": line, "reference": voucher.to_string() })]);
                    out(&format!("已将对账单第 {line} 行与 {voucher} 勾对\n"))
                }
                _ => {
                    let pairs = app::match_all(&mut sign_in(cli, ledger)?, &account)?;
                    let matched: Vec<_> = pairs
                        .iter()
                        .map(|(l, v)| serde_json::json!({ "line": l, "reference": v.to_string() }))
                        .collect();
                    field("matched", matched);
                    let mut text = format!("自动勾对 {} 笔（金额、方向相同，日期相近，流水号优先）\n", pairs.len());
                    for (l, v) in &pairs {
                        text.push_str(&format!("  第 {l} 行 ↔ {v}\n"));
                    }
                    out(&text)
                }
            }
        }
        BankCmd::Unmatch { line, account } => {
            let ledger = open_ledger(cli)?;
            let account = app::statement_account(&ledger, account.as_deref())?;
            app::unmatch_line(&mut sign_in(cli, ledger)?, &account, *line)?;
            field("line", line);
            out(&format!("已取消对账单第 {line} 行的勾对\n"))
        }
        BankCmd::List { account, format, output } => {
            let format = format.plain(cli.plain);
            let mut ledger = open_ledger(cli)?;
            let account = app::statement_account(&ledger, account.as_deref())?;
            let lines = app::statement_lines(&mut ledger, &account)?;
            crate::output::report(cli, output.as_deref(), format, &qianzhang_report::statement_lines(&lines, format))
        }
    }
}

pub(crate) fn period(cli: &Cli, cmd: &PeriodCmd) -> Result<(), Exit> {
    match cmd {
        PeriodCmd::Close { period } => {
            let (carried, fp) = app::close(&mut open_session(cli)?, *period)?;
            field("period", period.to_string());
            field("carried_forward", carried.map(|r| r.to_string()));
            field("fingerprint", fp.to_string());
            let mut text = format!("{period} 已结账。\n");
            if let Some(r) = carried {
                text.push_str(&format!("已生成年末结转凭证 {r}：本年收入、费用结转至净资产（3101/3102）。\n"));
            }
            text.push_str(&format!("结账时指纹：{fp}\n"));
            out(&text)
        }
        PeriodCmd::Check { period } => {
            let blockers = app::close_check(&mut open_ledger(cli)?, *period, clock::today())?;
            if blockers.is_empty() {
                return out(&format!("{period} 可以结账。\n"));
            }
            let mut text = format!("{period} 暂不能结账：\n");
            for b in blockers {
                text.push_str(&format!("  {b}\n"));
            }
            out(&text)
        }
        PeriodCmd::Reopen { period, reason, approver } => {
            let second = approver_passphrase(approver)?;
            let mut ledger = open_ledger(cli)?;
            let claim = qianzhang_app::Claim { name: approver.clone(), now: clock::now(), command: command_line() };
            let approver = app::approver_sign_in(&mut ledger, &claim, &second, &mut pause)?;
            app::reopen(&mut sign_in(cli, ledger)?, &approver, *period, reason)?;
            field("period", period.to_string());
            out(&format!("{period} 已反结账（{reason}），由会计与审批人 {} 共同确认，已记入日志。\n", claim.name))
        }
    }
}
