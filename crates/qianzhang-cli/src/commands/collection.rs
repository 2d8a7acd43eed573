//! `collection …`: money raised from residents (FND-2) — households, the
//! register, the day's income voucher, who has paid and who has not.

use std::path::PathBuf;

use clap::Subcommand;
use qianzhang_app::collection as app;
use qianzhang_core::collection::{Household, Payment};
use qianzhang_core::period::format_date;

use crate::args::{date_value, period_value, Cli, Range};
use crate::exit::Exit;
use crate::outcome::field;
use crate::output::out;
use crate::session::{open_ledger, open_session};

#[derive(Subcommand, Debug)]
pub(crate) enum CollectionCmd {
    /// 住户名单 / the households (admin)
    #[command(subcommand)]
    Household(HouseholdCmd),
    /// 登记一笔缴款并开收据（出纳）/ record a payment and issue its receipt (cashier)
    Add {
        /// 专项资金 / the fund, e.g. 物业金
        #[arg(long)]
        fund: String,
        /// 门牌 / the household
        #[arg(long)]
        household: String,
        /// 交款人 / who paid
        #[arg(long)]
        payer: String,
        /// 金额，如 10 或 ¥10.00 / the amount paid
        #[arg(long)]
        amount: String,
        /// 缴款日期（默认今天）/ the day paid (default today)
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
        /// 开新收据的收据本（只登记了一本时可省略）/ the receipt book to issue from
        #[arg(long, conflicts_with = "receipt")]
        book: Option<String>,
        /// 已开出的收据号（如 SJ0000101）/ a receipt already issued to the payer
        #[arg(long)]
        receipt: Option<String>,
    },
    /// 按日汇总制收款凭证（会计）/ prepare the income voucher of a day's payments (accountant)
    Book {
        /// 专项资金 / the fund
        #[arg(long)]
        fund: String,
        /// 收款日期 / the day whose payments are booked
        #[arg(long, value_parser = date_value)]
        date: time::Date,
        /// 贷方收入科目 / the income account credited, e.g. 4901
        #[arg(long)]
        account: String,
    },
    /// 收款名册：已缴与未缴的住户，名册合计与专项资金收入核对 / the register: paid and unpaid
    List {
        /// 专项资金 / the fund
        #[arg(long)]
        fund: String,
        /// 单月（同 --month）/ one month (same as --month)
        #[arg(long, value_parser = period_value, conflicts_with_all = ["from", "to", "month"])]
        period: Option<qianzhang_core::Period>,
        #[command(flatten)]
        range: Range,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum HouseholdCmd {
    /// 登记一户 / register a household: collection household add 3号院2户 [户主]
    Add { door: String, head: Option<String> },
    /// 从文件登记住户名单（每行 门牌,户主）/ register a list from a file (门牌,户主 a line)
    Import {
        file: PathBuf,
        /// Excel 工作表名（默认第一个）/ the worksheet of an .xlsx (default: the first)
        #[arg(long)]
        sheet: Option<String>,
    },
    /// 列出住户 / list the households
    List,
}

impl CollectionCmd {
    pub(crate) fn changes_books(&self) -> bool {
        !matches!(self, CollectionCmd::List { .. } | CollectionCmd::Household(HouseholdCmd::List))
    }
}

pub(crate) fn collection(cli: &Cli, cmd: &CollectionCmd) -> Result<(), Exit> {
    match cmd {
        CollectionCmd::Household(HouseholdCmd::Add { door, head }) => {
            let h = Household { door: door.trim().to_string(), head: head.clone() };
            let text = format!("已登记住户 {}\n", h.door);
            field("household", &h.door);
            app::add_household(&mut open_session(cli)?, h)?;
            out(&text)
        }
        CollectionCmd::Household(HouseholdCmd::Import { file, sheet }) => {
            let list = app::households_of_file(file, sheet.as_deref())?;
            let n = app::add_households(&mut open_session(cli)?, list)?;
            field("households", n);
            out(&format!("已登记住户 {n} 户\n"))
        }
        CollectionCmd::Household(HouseholdCmd::List) => {
            let list = app::households(&open_ledger(cli)?)?;
            let mut text = format!("住户名单（共 {} 户）\n", list.len());
            for h in &list {
                text.push_str(&format!("{}  {}\n", h.door, h.head.as_deref().unwrap_or("")));
            }
            out(&text)
        }
        CollectionCmd::Add { fund, household, payer, amount, date, book, receipt } => {
            let amount = qianzhang_app::amount(amount, "缴款")?;
            let mut session = open_session(cli)?;
            let date = date.unwrap_or_else(|| session.today());
            let p = Payment {
                fund: fund.clone(),
                household: household.clone(),
                payer: payer.clone(),
                amount,
                date,
                book: book.clone(),
                receipt: receipt.clone(),
            };
            let number = app::add(&mut session, p)?;
            field("receipt", &number);
            field("amount", amount.to_decimal_string());
            out(&format!(
                "已登记 {} {} {} 缴{} {}，收据 {number}（{}）\n",
                format_date(date),
                household.trim(),
                payer.trim(),
                fund.trim(),
                amount.to_yuan(),
                amount.to_chinese_words()
            ))
        }
        CollectionCmd::Book { fund, date, account } => {
            let (r, n, total) = app::book(&mut open_session(cli)?, fund.trim(), *date, account.trim())?;
            field("voucher", r.to_string());
            field("total", total.to_decimal_string());
            out(&format!(
                "已制单 {r}：{} 收{} {n} 笔，合计 {}，附收据 {n} 张；请审核、记账\n",
                format_date(*date),
                fund.trim(),
                total.to_yuan()
            ))
        }
        CollectionCmd::List { fund, period, range } => {
            let ledger = open_ledger(cli)?;
            let (from, to) = match period {
                Some(p) => (*p, *p),
                None => qianzhang_app::reports::span(&ledger, &range.app())?,
            };
            let register = app::register(&ledger, fund.trim(), from, to)?;
            out(&qianzhang_report::collection_register(&register))
        }
    }
}
