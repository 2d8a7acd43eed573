//! What the auditor runs: the exceptions of a span, one person's trail, and
//! the handover when an officer leaves (HND-1).

use clap::Subcommand;
use qianzhang_app::audit as app;
use qianzhang_core::people::Role;
use qianzhang_core::period::format_date;
use qianzhang_report::Format;

use crate::args::{date_value, named, Cli};
use crate::clock;
use crate::commands::board::BoardFormat;
use crate::exit::Exit;
use crate::output::out;
use crate::session::{open_ledger, open_session};

#[derive(Subcommand, Debug)]
pub(crate) enum AuditCmd {
    /// 例外事项清单 / every exception of a span: audit exceptions --from 2025-01 --to 2025-12
    Exceptions {
        /// 起始（YYYY-MM 或 YYYY-MM-DD）/ first month or day
        #[arg(long)]
        from: Option<String>,
        /// 截止（YYYY-MM 或 YYYY-MM-DD）/ last month or day
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// 某人的全部操作（含被拒绝的）及日志哈希 / every act of a person
    Person {
        name: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
}

/// `handover`: the report, or `handover complete` to record it.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct HandoverArgs {
    #[command(subcommand)]
    pub(crate) complete: Option<HandoverCmd>,
    #[command(flatten)]
    who: HandoverWho,
    /// text | md | csv | json | html
    #[arg(long, value_enum, default_value_t = BoardFormat::Text)]
    format: BoardFormat,
    /// 输出文件 / output file
    #[arg(short, long)]
    output: Option<std::path::PathBuf>,
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct HandoverWho {
    /// 移交人 / the officer leaving
    #[arg(long)]
    officer: Option<String>,
    /// 岗位 / the post handed over
    #[arg(long, value_parser = named::<Role>())]
    role: Option<Role>,
    /// 交接日期 / the day of the handover
    #[arg(long, value_parser = date_value)]
    date: Option<time::Date>,
    /// 接交人 / the successor
    #[arg(long)]
    to: Option<String>,
    /// 监交人 / who supervises it
    #[arg(long)]
    supervisor: Option<String>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum HandoverCmd {
    /// 记录交接：结束移交人任职，接交人自交接日起任职 / record the handover
    Complete {
        #[command(flatten)]
        who: HandoverWho,
    },
}

pub(crate) fn audit(cli: &Cli, cmd: &AuditCmd) -> Result<(), Exit> {
    let ledger = open_ledger(cli)?;
    match cmd {
        AuditCmd::Exceptions { from, to, format, output } => {
            let format = format.plain(cli.plain);
            let (from, to) = app::days(&ledger, from.as_deref(), to.as_deref(), clock::today())?;
            let items = app::exceptions_between(&ledger, from, to)?;
            let title = format!("例外事项清单　账套：{}　{} 至 {}", ledger.name(), format_date(from), format_date(to));
            crate::output::report(cli, output.as_deref(), format, &qianzhang_report::exceptions(&title, &items, format))
        }
        AuditCmd::Person { name, from, to, format, output } => {
            let format = format.plain(cli.plain);
            let (from, to) = app::days(&ledger, from.as_deref(), to.as_deref(), clock::today())?;
            let acts = app::acts_of(&ledger, name, from, to)?;
            let title = format!("{} 的操作记录　{} 至 {}", name.trim(), format_date(from), format_date(to));
            crate::output::report(cli, output.as_deref(), format, &qianzhang_report::acts(&title, &acts, format))
        }
    }
}

fn parties(w: &HandoverWho) -> Result<app::Parties, Exit> {
    Ok(app::Parties::new(w.officer.as_deref(), w.role, w.date, w.to.as_deref(), w.supervisor.as_deref())?)
}

pub(crate) fn handover(cli: &Cli, args: &HandoverArgs) -> Result<(), Exit> {
    if let Some(HandoverCmd::Complete { who: w }) = &args.complete {
        let w = parties(w)?;
        let text = format!(
            "已记录交接：{} 起 {} 的{}工作由 {} 接任，监交人 {}。\n",
            format_date(w.date),
            w.officer,
            w.role.chinese(),
            w.to,
            w.supervisor
        );
        app::complete(&mut open_session(cli)?, &w)?;
        crate::outcome::field("date", format_date(w.date));
        crate::outcome::field("officer", &w.officer);
        crate::outcome::field("role", qianzhang_core::names::Named::name(w.role));
        crate::outcome::field("to", &w.to);
        crate::outcome::field("supervisor", &w.supervisor);
        return out(&text);
    }
    let w = parties(&args.who)?;
    let h = app::handover(&mut open_ledger(cli)?, &w)?;
    let text = match args.format {
        BoardFormat::Html => qianzhang_report::handover_html(&h),
        BoardFormat::Text => qianzhang_report::handover(&h, Format::Text),
        BoardFormat::Md => qianzhang_report::handover(&h, Format::Markdown),
        BoardFormat::Csv => qianzhang_report::handover(&h, Format::Csv.plain(cli.plain)),
        BoardFormat::Json => qianzhang_report::handover(&h, Format::Json),
        BoardFormat::Xlsx => qianzhang_report::handover(&h, Format::Xlsx),
    };
    let format = if args.format == BoardFormat::Xlsx { Format::Xlsx } else { Format::Text };
    match &args.output {
        Some(path) => {
            crate::output::report(cli, Some(path), format, &text)?;
            eprintln!("已写出 {}", path.display());
            Ok(())
        }
        None => crate::output::report(cli, None, format, &text),
    }
}
