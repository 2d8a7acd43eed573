//! `print`: vouchers as the 记账凭证 form and the books as bound-book pages
//! (PRN-1), one printable HTML file to standard output or to `-o FILE`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use qianzhang_app::print::{self as app, Book, Which};
use qianzhang_core::{Period, VoucherRef};
use qianzhang_report::print::{book_html, vouchers_html, BookKind, Printed, VoucherPaper, VoucherSheet};

use crate::args::{named, period_value, voucher_value, Cli, Range};
use crate::clock;
use crate::exit::Exit;
use crate::session::{db_path, open_ledger};

#[derive(Subcommand, Debug)]
pub(crate) enum PrintCmd {
    /// 记账凭证（每张一页，A5/A4 横向）/ vouchers, one to a page: print voucher REF… | --period M
    Voucher {
        /// 凭证号，如 2025-01/记-0001 / voucher references
        #[arg(value_parser = voucher_value, required_unless_present = "period")]
        refs: Vec<VoucherRef>,
        /// 打印该月全部凭证（按凭证号）/ every voucher of the month
        #[arg(long, alias = "month", value_parser = period_value, conflicts_with = "refs")]
        period: Option<Period>,
        /// 纸张 / paper: a5 (default) or a4, landscape
        #[arg(long, value_parser = named::<VoucherPaper>(), default_value = "a5")]
        paper: VoucherPaper,
        #[command(flatten)]
        out: OutArgs,
    },
    /// 三栏式明细账 / the account ledger of ACCOUNT as book pages
    Ledger {
        /// 科目代码或名称 / account code or name
        account: String,
        #[command(flatten)]
        range: Range,
        #[command(flatten)]
        out: OutArgs,
    },
    /// 现金日记账（账页）/ the cash journal as book pages
    CashJournal {
        #[command(flatten)]
        range: Range,
        #[command(flatten)]
        out: OutArgs,
    },
    /// 银行存款日记账（账页）/ the bank journal as book pages
    BankJournal {
        #[command(flatten)]
        range: Range,
        #[command(flatten)]
        out: OutArgs,
    },
}

#[derive(Args, Debug)]
pub(crate) struct OutArgs {
    /// 输出的 HTML 文件（默认标准输出）/ output file
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub(crate) fn print(cli: &Cli, cmd: &PrintCmd) -> Result<(), Exit> {
    let (printed, out, what) = match cmd {
        PrintCmd::Voucher { refs, period, paper, out } => {
            let which = match period {
                Some(p) => Which::Period(*p),
                None => Which::Refs(refs.clone()),
            };
            let batch = app::vouchers(&open_ledger(cli)?, &which)?;
            let sheets: Vec<VoucherSheet<'_>> = batch
                .sheets
                .iter()
                .map(|s| VoucherSheet { voucher: &s.voucher, status: s.status, signatures: &s.signatures })
                .collect();
            let what = format!("记账凭证 {} 张", sheets.len());
            (vouchers_html(&batch.unit, &sheets, &batch.chart, *paper), out, what)
        }
        PrintCmd::Ledger { account, range, out } => {
            (book(cli, Book::Ledger, Some(account), range)?, out, "明细账".to_string())
        }
        PrintCmd::CashJournal { range, out } => (book(cli, Book::CashJournal, None, range)?, out, "现金日记账".into()),
        PrintCmd::BankJournal { range, out } => {
            (book(cli, Book::BankJournal, None, range)?, out, "银行存款日记账".into())
        }
    };
    write(cli, &printed, out.output.as_deref(), &what)
}

fn book(cli: &Cli, book: Book, account: Option<&str>, range: &Range) -> Result<Printed, Exit> {
    let ledger = app::book(&mut open_ledger(cli)?, book, account, range.app(), clock::today())?;
    let kind = match book {
        Book::Ledger => BookKind::Ledger,
        Book::CashJournal => BookKind::CashJournal,
        Book::BankJournal => BookKind::BankJournal,
    };
    Ok(book_html(&ledger, kind))
}

/// The HTML to standard output, or to the file with a line saying what was
/// written (with `--json`, `{"file", "pages"}`).
fn write(cli: &Cli, printed: &Printed, target: Option<&std::path::Path>, what: &str) -> Result<(), Exit> {
    let Some(path) = target else {
        if cli.json {
            return Err(Exit::Usage("--json 只用于写出文件时（-o FILE）报告文件名和页数；请加上 -o".into()));
        }
        return crate::output::emit_text(&db_path(cli), None, &printed.html);
    };
    crate::output::emit_text(&db_path(cli), Some(path), &printed.html)?;
    if cli.json {
        let mut text = serde_json::json!({ "file": path.display().to_string(), "pages": printed.pages }).to_string();
        text.push('\n');
        return crate::output::out(&text);
    }
    eprintln!("已写出 {}：{what}，共 {} 页", path.display(), printed.pages);
    Ok(())
}
