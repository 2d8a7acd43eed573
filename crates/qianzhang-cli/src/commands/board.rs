//! What goes on the notice board (财务公开): the disclosure by month,
//! quarter or year, the 居务监督委员会's review, the fixed-asset register and
//! budgets.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use qianzhang_app::board as app;
use qianzhang_core::disclosure::{Disclosure, Review, Span};
use qianzhang_core::period::format_date;
use qianzhang_core::{Period, VoucherRef};
use qianzhang_report::{Format, Paper};

use crate::args::{date_value, named, period_value, voucher_value, Cli};
use crate::clock;
use crate::exit::Exit;
use crate::outcome::field;
use crate::output::out;
use crate::session::{open_ledger, open_session, sign_in};

/// `disclose`: the statement, or `disclose review`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct DiscloseArgs {
    #[command(subcommand)]
    pub(crate) review: Option<DiscloseCmd>,
    #[command(flatten)]
    span: SpanArgs,
    /// text | md | csv | json | html
    #[arg(long, value_enum, default_value_t = BoardFormat::Text)]
    format: BoardFormat,
    /// 输出文件（默认标准输出）/ output file
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// 纸张（HTML）/ paper for the HTML poster
    #[arg(long, value_parser = named::<Paper>(), default_value = "a3")]
    paper: Paper,
    /// 公布日期（默认今天）/ publication date (default today)
    #[arg(long, value_parser = date_value)]
    date: Option<time::Date>,
}

#[derive(Args, Debug)]
pub(crate) struct SpanArgs {
    /// 月度公开 / a month: YYYY-MM
    #[arg(long, value_parser = period_value, conflicts_with_all = ["quarter", "year"])]
    month: Option<Period>,
    /// 季度公开（加固定资产、公益事业收支）/ a quarter: YYYY-Qn
    #[arg(long, value_parser = quarter_value, conflicts_with = "year")]
    quarter: Option<Span>,
    /// 年度公开（加预算执行情况）/ a year
    #[arg(long)]
    year: Option<i32>,
}

impl SpanArgs {
    pub(crate) fn span(&self) -> Result<Span, Exit> {
        Ok(app::span(self.month, self.quarter, self.year)?)
    }
}

fn quarter_value(text: &str) -> Result<Span, String> {
    Span::parse_quarter(text).ok_or_else(|| format!("“{text}”不是季度，应写作 2025-Q2"))
}

#[derive(Subcommand, Debug)]
pub(crate) enum DiscloseCmd {
    /// 居务监督委员会（民主理财小组）审核意见 / record the review of a disclosure
    Review {
        #[command(flatten)]
        span: SpanArgs,
        /// 审核人（监督委员会成员，须输入本人口令；默认操作人 --as）/ the reviewer (default: the operator)
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        opinion: String,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 登记某月财务公开已公布（须已结账、已审核；会计）/ record that a month's disclosure is published
    Publish {
        /// 月份 / the month: YYYY-MM
        #[arg(long, value_parser = period_value)]
        month: Period,
        /// 公布日期（默认今天）/ publication date (default today)
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 已公布的月份 / the months published
    Published {
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

impl DiscloseArgs {
    /// Reviewing and publishing change the books; the rest reads them.
    pub(crate) fn changes_books(&self) -> bool {
        matches!(self.review, Some(DiscloseCmd::Review { .. } | DiscloseCmd::Publish { .. }))
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BoardFormat {
    Text,
    Md,
    Csv,
    Json,
    Html,
    /// Excel 工作簿（收支明细）/ an Excel workbook of the items (needs -o)
    #[value(alias = "excel")]
    Xlsx,
}

#[derive(Subcommand, Debug)]
pub(crate) enum AssetCmd {
    /// 登记固定资产（须有已记账的购置凭证）/ register a fixed asset
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, default_value_t = 1)]
        quantity: u32,
        /// 原值 / original value
        #[arg(long)]
        value: String,
        /// 存放地点 / location
        #[arg(long)]
        location: String,
        /// 保管人 / custodian
        #[arg(long)]
        custodian: String,
        /// 购置凭证 / the voucher that bought it
        #[arg(long, value_parser = voucher_value)]
        voucher: VoucherRef,
        /// 购置日期（默认凭证日期）/ acquisition date (default the voucher's)
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 固定资产登记簿 / the register on a date
    List {
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
    /// 处置（报废、调出）/ take an asset off the register
    Dispose {
        /// 编号，如 1 或 ZC-0001 / the asset
        id: String,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum BudgetCmd {
    /// 编制预算 / set an account's budget for a year
    Set {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        account: String,
        #[arg(long)]
        amount: String,
    },
    /// 预算 / the budgets of a year
    List {
        #[arg(long)]
        year: i32,
    },
}

/// Renders a disclosure in the format asked for (`plain`: CSV for scripts);
/// the poster carries a QR code to the board when the ledger has a public URL.
pub(crate) fn render(d: &Disclosure, format: BoardFormat, paper: Paper, plain: bool) -> String {
    use qianzhang_report::board;
    match format {
        BoardFormat::Html => board::poster_html(d, paper, board::poster_url(d).as_deref()),
        BoardFormat::Text => qianzhang_report::disclosure(d, Format::Text),
        BoardFormat::Md => qianzhang_report::disclosure(d, Format::Markdown),
        BoardFormat::Csv => qianzhang_report::disclosure(d, Format::Csv.plain(plain)),
        BoardFormat::Json => qianzhang_report::disclosure(d, Format::Json),
        BoardFormat::Xlsx => qianzhang_report::disclosure(d, Format::Xlsx),
    }
}

pub(crate) fn disclose(cli: &Cli, args: &DiscloseArgs) -> Result<(), Exit> {
    match &args.review {
        Some(DiscloseCmd::Publish { month, date }) => {
            let date = date.unwrap_or_else(clock::today);
            let p = app::publish(&mut sign_in(cli, open_ledger(cli)?)?, *month, date)?;
            field("month", p.period.to_string());
            field("date", format_date(p.date));
            field("fingerprint", &p.fingerprint);
            return out(&format!(
                "已登记 {} 财务公开于 {} 公布（结账指纹 {}，公布人 {}）\n",
                p.period.to_chinese(),
                format_date(p.date),
                p.fingerprint_short(),
                p.by
            ));
        }
        Some(DiscloseCmd::Published { format, output }) => {
            let format = format.plain(cli.plain);
            let list = app::published(&open_ledger(cli)?)?;
            return crate::output::report(
                cli,
                output.as_deref(),
                format,
                &qianzhang_report::publications(&list, format),
            );
        }
        _ => {}
    }
    if let Some(DiscloseCmd::Review { span, by, opinion, date }) = &args.review {
        let span = span.span()?;
        // The reviewer enters their own opinion: without --by, the operator.
        let by = match by {
            Some(by) => by.trim().to_string(),
            None => crate::session::claim(cli)?.name,
        };
        let review = Review {
            span: span.key(),
            by,
            opinion: opinion.trim().to_string(),
            date: date.unwrap_or_else(clock::today),
        };
        app::check_reviewer(cli.actor.as_deref(), &review)?;
        let text = format!("已记录 {} 对 {} 财务公开的审核意见：{}\n", review.by, span.label(), review.opinion);
        field("span", span.label());
        field("by", &review.by);
        field("date", format_date(review.date));
        app::review(&mut open_session(cli)?, review)?;
        return out(&text);
    }
    let span = args.span.span()?;
    let d = app::disclosure(&open_ledger(cli)?, span, args.date.unwrap_or_else(clock::today))?;
    let text = render(&d, args.format, args.paper, cli.plain);
    let format = if args.format == BoardFormat::Xlsx { Format::Xlsx } else { Format::Text };
    match &args.output {
        Some(path) => {
            crate::output::report(cli, Some(path), format, &text)?;
            let state = if d.draft { "草稿（未结账）" } else { "正式" };
            eprintln!("已写出 {}：{}，{state}，指纹 {}", path.display(), d.title, d.fingerprint_short());
            Ok(())
        }
        None => crate::output::report(cli, None, format, &text),
    }
}

pub(crate) fn asset(cli: &Cli, cmd: &AssetCmd) -> Result<(), Exit> {
    match cmd {
        AssetCmd::Add { name, quantity, value, location, custodian, voucher, date } => {
            let value = qianzhang_app::amount(value, "原值")?;
            let ledger = open_ledger(cli)?;
            let acquired = app::acquired(&ledger, *voucher, *date)?;
            let new = app::NewAsset {
                name: name.clone(),
                quantity: *quantity,
                value,
                location: location.clone(),
                custodian: custodian.clone(),
                voucher: *voucher,
            };
            let a = app::register(&mut sign_in(cli, ledger)?, new, acquired)?;
            field("asset", a.label());
            field("name", &a.name);
            field("value", a.value.to_decimal_string());
            out(&format!("已登记固定资产 {} {} ×{}，原值 {}\n", a.label(), a.name, a.quantity, a.value.to_yuan()))
        }
        AssetCmd::List { date } => {
            let date = date.unwrap_or_else(clock::today);
            let (assets, total) = app::register_on(&open_ledger(cli)?, date)?;
            let mut text = format!("固定资产登记簿（{}）\n", format_date(date));
            for (a, state) in assets {
                let state = match state {
                    app::AssetState::Disposed { on, reason } => format!("已于 {} 处置：{reason}", format_date(on)),
                    app::AssetState::NotYetAcquired => "尚未购置".to_string(),
                    app::AssetState::InUse => "在用".to_string(),
                };
                text.push_str(&format!(
                    "{}  {} ×{}  原值 {}  {}  保管人 {}  {}  {}\n",
                    a.label(),
                    a.name,
                    a.quantity,
                    a.value,
                    a.location,
                    a.custodian,
                    a.voucher,
                    state
                ));
            }
            text.push_str(&format!("在用资产原值合计 {}\n", total.to_yuan()));
            out(&text)
        }
        AssetCmd::Dispose { id, date, reason } => {
            let id = app::asset_id(id)?;
            app::dispose(&mut open_session(cli)?, id, *date, reason)?;
            field("asset", format!("ZC-{id:04}"));
            out(&format!("已处置固定资产 ZC-{id:04}（{reason}）\n"))
        }
    }
}

pub(crate) fn budget(cli: &Cli, cmd: &BudgetCmd) -> Result<(), Exit> {
    match cmd {
        BudgetCmd::Set { year, account, amount } => {
            let amount = qianzhang_app::amount(amount, "预算")?;
            app::set_budget_of(&mut open_session(cli)?, *year, account, amount)?;
            field("year", year);
            field("account", account);
            field("amount", amount.to_decimal_string());
            out(&format!("已编制 {year} 年 {account} 预算 {}\n", amount.to_yuan()))
        }
        BudgetCmd::List { year } => {
            let mut text = format!("{year} 年预算\n");
            for (account, name, amount) in app::budgets(&open_ledger(cli)?, *year)? {
                text.push_str(&format!("{account} {name}  {amount}\n"));
            }
            out(&text)
        }
    }
}
