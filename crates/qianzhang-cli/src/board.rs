//! What goes on the notice board (财务公开): the disclosure by month,
//! quarter or year, the 居务监督委员会's review, the fixed-asset register and
//! budgets.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use qianzhang_core::backend::AccountBudget;
use qianzhang_core::disclosure::{
    dispose_asset, record_review, register_asset, set_budget, Asset, Disclosure, DisclosureInput, Review, Span,
};
use qianzhang_core::operator::Act;
use qianzhang_core::period::format_date;
use qianzhang_core::voucher::read_amount;
use qianzhang_core::{Money, Period, Rule, Status, VoucherRef};
use qianzhang_report::{Format, Paper};
use qianzhang_store::{Backend, LedgerHandle, Store};

use crate::{bad_input, change, clock, date_value, open_ledger, out, period_value, voucher_value, Cli, Exit};

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
    #[arg(long, value_enum, default_value_t = PaperArg::A3)]
    paper: PaperArg,
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
    fn span(&self) -> Result<Span, Exit> {
        match (self.month, self.quarter, self.year) {
            (Some(period), _, _) => Ok(Span::Month { period }),
            (_, Some(q), _) => Ok(q),
            (_, _, Some(year)) if Period::new(year, 1).is_some() => Ok(Span::Year { year }),
            (_, _, Some(year)) => Err(bad_input(Rule::Pub1, format!("年度 {year} 无效"))),
            _ => Err(bad_input(Rule::Pub1, "请指明公开的期间：--month YYYY-MM、--quarter YYYY-Qn 或 --year YYYY")),
        }
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
        /// 审核人（监督委员会成员，须输入本人口令）/ the reviewer
        #[arg(long)]
        by: String,
        #[arg(long)]
        opinion: String,
        #[arg(long, value_parser = date_value)]
        date: Option<time::Date>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BoardFormat {
    Text,
    Md,
    Csv,
    Json,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PaperArg {
    A3,
    A4,
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

/// Builds the disclosure of `span` from the store.
pub(crate) fn build(
    store: &Store,
    ledger: &LedgerHandle,
    span: Span,
    published: time::Date,
) -> Result<Disclosure, Exit> {
    let chart = store.chart(ledger)?;
    let registry = store.registry(ledger)?;
    let settings = store.settings(ledger)?;
    let totals = store.period_totals(ledger)?;
    let fund_totals = store.fund_totals(ledger)?;
    let mut posted = Vec::new();
    store.each_voucher(ledger, span.first(), span.last(), |v, s| {
        if s == Status::Posted {
            posted.push(v);
        }
        Ok(())
    })?;
    let mut vouchers = Vec::with_capacity(posted.len());
    for v in posted {
        let signatures = store.signatures(ledger, v.reference())?;
        vouchers.push((v, signatures));
    }
    let mut closed = true;
    for p in span.periods() {
        closed &= store.is_closed(ledger, p)?;
    }
    let fingerprint = match (closed, store.close_fingerprint(ledger, span.last())?) {
        (true, Some(close)) => close.fingerprint.to_string(),
        _ => store.fingerprint(ledger)?.fingerprint.to_string(),
    };
    let budgets = match span {
        Span::Year { year } => store.budgets(ledger, year)?,
        _ => Vec::new(),
    };
    Ok(Disclosure::build(DisclosureInput {
        community: &ledger.info.name,
        span,
        chart: &chart,
        registry: &registry,
        totals: &totals,
        vouchers,
        voided: store.voided(ledger, span.first(), span.last())?,
        fund_totals: &fund_totals,
        reviews: store.reviews(ledger)?,
        assets: store.assets(ledger)?,
        budgets,
        closed,
        fingerprint,
        published,
        contact: settings.contact.clone(),
        mask_names: settings.mask_names,
    })?)
}

/// Renders a disclosure in the format asked for.
pub(crate) fn render(d: &Disclosure, format: BoardFormat, paper: PaperArg) -> String {
    let paper = match paper {
        PaperArg::A3 => Paper::A3,
        PaperArg::A4 => Paper::A4,
    };
    match format {
        BoardFormat::Html => qianzhang_report::disclosure_html(d, paper),
        BoardFormat::Text => qianzhang_report::disclosure(d, Format::Text),
        BoardFormat::Md => qianzhang_report::disclosure(d, Format::Markdown),
        BoardFormat::Csv => qianzhang_report::disclosure(d, Format::Csv),
        BoardFormat::Json => qianzhang_report::disclosure(d, Format::Json),
    }
}

pub(crate) fn disclose(cli: &Cli, args: &DiscloseArgs) -> Result<(), Exit> {
    if let Some(DiscloseCmd::Review { span, by, opinion, date }) = &args.review {
        let span = span.span()?;
        let review = Review {
            span: span.key(),
            by: by.trim().to_string(),
            opinion: opinion.trim().to_string(),
            date: date.unwrap_or_else(clock::today),
        };
        if cli.actor.as_deref().is_some_and(|a| a.trim() != review.by) {
            return Err(bad_input(
                Rule::Opr1,
                format!("审核意见须由审核人 {} 本人录入（--as {}）", review.by, review.by),
            ));
        }
        let text = format!("已记录 {} 对 {} 财务公开的审核意见：{}\n", review.by, span.label(), review.opinion);
        change(cli, Act::Review, |w, _| record_review(w, review))?;
        return out(&text);
    }
    let span = args.span.span()?;
    let (store, ledger) = open_ledger(cli)?;
    let d = build(&store, &ledger, span, args.date.unwrap_or_else(clock::today))?;
    let text = render(&d, args.format, args.paper);
    match &args.output {
        Some(path) => {
            crate::output::emit_text(&crate::db_path(cli), Some(path), &text)?;
            let state = if d.draft { "草稿（未结账）" } else { "正式" };
            eprintln!("已写出 {}：{}，{state}，指纹 {}", path.display(), d.title, d.fingerprint_short());
            Ok(())
        }
        None => out(&text),
    }
}

fn asset_id(text: &str) -> Result<u32, Exit> {
    let t = text.trim().trim_start_matches("ZC-").trim_start_matches("zc-");
    t.parse().map_err(|_| bad_input(Rule::Ast1, format!("“{text}”不是资产编号，应写作 ZC-0001 或 1")))
}

pub(crate) fn asset(cli: &Cli, cmd: &AssetCmd) -> Result<(), Exit> {
    match cmd {
        AssetCmd::Add { name, quantity, value, location, custodian, voucher, date } => {
            let value = read_amount(value, "原值", false)?.unwrap_or(Money::ZERO);
            let (store, ledger) = open_ledger(cli)?;
            let acquired = match date {
                Some(d) => *d,
                None => store
                    .voucher(&ledger, *voucher)?
                    .map(|(v, _)| v.date())
                    .ok_or_else(|| bad_input(Rule::Ast1, format!("购置凭证 {voucher} 不存在")))?,
            };
            drop(store);
            let asset = Asset {
                id: 0,
                name: name.trim().to_string(),
                quantity: *quantity,
                value,
                location: location.trim().to_string(),
                custodian: custodian.trim().to_string(),
                voucher: *voucher,
                acquired,
                disposed: None,
                disposal_reason: None,
            };
            let (a, ..) = change(cli, Act::KeepBooks, |w, _| register_asset(w, asset))?;
            out(&format!("已登记固定资产 {} {} ×{}，原值 {}\n", a.label(), a.name, a.quantity, a.value.to_yuan()))
        }
        AssetCmd::List { date } => {
            let (store, ledger) = open_ledger(cli)?;
            let date = date.unwrap_or_else(clock::today);
            let mut text = format!("固定资产登记簿（{}）\n", format_date(date));
            let mut total = Money::ZERO;
            for a in store.assets(&ledger)? {
                let state = match (&a.disposed, &a.disposal_reason) {
                    (Some(d), reason) if *d <= date => {
                        format!("已于 {} 处置：{}", format_date(*d), reason.as_deref().unwrap_or(""))
                    }
                    _ if a.acquired > date => "尚未购置".to_string(),
                    _ => {
                        total += a.value;
                        "在用".to_string()
                    }
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
            let id = asset_id(id)?;
            let date = date.unwrap_or_else(clock::today);
            change(cli, Act::KeepBooks, |w, _| dispose_asset(w, id, date, reason))?;
            out(&format!("已处置固定资产 ZC-{id:04}（{reason}）\n"))
        }
    }
}

pub(crate) fn budget(cli: &Cli, cmd: &BudgetCmd) -> Result<(), Exit> {
    match cmd {
        BudgetCmd::Set { year, account, amount } => {
            let amount = read_amount(amount, "预算", false)?.unwrap_or(Money::ZERO);
            change(cli, Act::KeepBooks, |w, _| set_budget(w, *year, account.trim(), amount))?;
            out(&format!("已编制 {year} 年 {account} 预算 {}\n", amount.to_yuan()))
        }
        BudgetCmd::List { year } => {
            let (store, ledger) = open_ledger(cli)?;
            let chart = store.chart(&ledger)?;
            let mut text = format!("{year} 年预算\n");
            for AccountBudget { account, amount } in store.budgets(&ledger, *year)? {
                text.push_str(&format!("{account} {}  {amount}\n", chart.full_name(&account)));
            }
            out(&text)
        }
    }
}
