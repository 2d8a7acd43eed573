//! `street month`: the street office's view of the communities it keeps in
//! its bank account (FND-3, 居账街管), one ledger each, and the check of
//! their shares against the street account's statement.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use qianzhang_app::street::{self as app, Request, Statement};
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::Period;
use qianzhang_report::Format;

use crate::args::{encoding_value, period_value, Cli};
use crate::exit::Exit;
use crate::session::{db_path, open_existing};

#[derive(Subcommand, Debug)]
pub(crate) enum StreetCmd {
    /// 街道代管资金月报：各社区的期初份额、收入、支出、期末份额与合计，并与街道账户对账单余额核对（FND-3）
    /// / the street's month: every community's share, income, expense, totals, checked against the statement
    Month {
        /// 月份 / the month: YYYY-MM
        #[arg(value_parser = period_value)]
        month: Period,
        /// 只列这些账套，逗号分隔（默认账簿中的全部账套）/ only these ledgers (default: every ledger)
        #[arg(long, value_delimiter = ',')]
        ledgers: Vec<String>,
        /// 记各社区份额的银行存款科目（默认 1002；各账套须相同）/ the bank account holding the shares
        #[arg(long)]
        account: Option<String>,
        /// 街道账户的银行对账单（CSV 或 .xlsx，与 bank import 相同的格式）/ the street account's bank statement
        #[arg(long, conflicts_with = "balance")]
        statement: Option<PathBuf>,
        /// 对账单的 Excel 工作表名 / the worksheet of an .xlsx statement
        #[arg(long, requires = "statement")]
        sheet: Option<String>,
        /// 对账单列名映射，如 "date=交易时间,in=收入,out=支出,balance=余额" / the statement's columns
        #[arg(long, requires = "statement")]
        map: Option<String>,
        /// 对账单编码：utf-8 | gbk | gb18030（默认自动识别）/ the statement's encoding
        #[arg(long, value_parser = encoding_value, requires = "statement")]
        encoding: Option<TextEncoding>,
        /// 街道账户月末余额（手工录入，如 12,345.60；透支写负数，如 -5）/ the street account's balance at the month's end, typed
        #[arg(long, allow_hyphen_values = true)]
        balance: Option<String>,
        /// text | md | csv | json | html | xlsx
        #[arg(long, value_enum, default_value_t = StreetFormat::Text)]
        format: StreetFormat,
        /// 输出文件（默认标准输出）/ output file
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreetFormat {
    Text,
    Md,
    Csv,
    Json,
    Html,
    /// Excel 工作簿（须用 -o 写到文件）/ an Excel workbook (needs -o)
    #[value(alias = "excel")]
    Xlsx,
}

pub(crate) fn street(cli: &Cli, cmd: &StreetCmd) -> Result<(), Exit> {
    let StreetCmd::Month { month, ledgers, account, statement, sheet, map, encoding, balance, format, output } = cmd;
    if cli.ledger.is_some() {
        return Err(Exit::Usage("street month 汇总多个账套：请用 --ledgers 甲,乙 指明账套，而不是 --ledger".into()));
    }
    let statement = match (statement, balance) {
        (Some(path), _) => Statement::File { path, sheet: sheet.as_deref(), encoding: *encoding, map: map.as_deref() },
        (None, Some(text)) => Statement::Balance(qianzhang_core::bank::read_balance(
            text,
            qianzhang_core::Rule::Fnd3,
            "街道账户月末余额",
        )?),
        (None, None) => Statement::None,
    };
    // "甲, 乙" and "甲,,乙" name the ledgers 甲 and 乙.
    let ledgers: Vec<String> = ledgers.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    let request = Request { month: *month, ledgers: &ledgers, account: account.as_deref(), statement };
    // The global --json asks for what --format json gives.
    let format = if cli.json && *format == StreetFormat::Text { &StreetFormat::Json } else { format };
    let mut store = open_existing(&db_path(cli))?;
    let m = app::month(&mut store, &request)?;
    let (text, as_format) = match format {
        StreetFormat::Html => (qianzhang_report::street_html(&m), Format::Text),
        StreetFormat::Text => (qianzhang_report::street_month(&m, Format::Text), Format::Text),
        StreetFormat::Md => (qianzhang_report::street_month(&m, Format::Markdown), Format::Markdown),
        StreetFormat::Csv => {
            let f = Format::Csv.plain(cli.plain);
            (qianzhang_report::street_month(&m, f), f)
        }
        StreetFormat::Json => (qianzhang_report::street_month(&m, Format::Json), Format::Json),
        StreetFormat::Xlsx => (qianzhang_report::street_month(&m, Format::Xlsx), Format::Xlsx),
    };
    crate::output::report(cli, output.as_deref(), as_format, &text)?;
    // The view is written in full either way; a share below zero or shares
    // that do not add up to the statement end the command with exit 1.
    if m.findings.is_empty() {
        Ok(())
    } else {
        Err(Exit::Findings(m.findings))
    }
}
