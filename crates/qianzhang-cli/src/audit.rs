//! What the auditor runs: the exceptions of a span, one person's trail, and
//! the handover when an officer leaves (HND-1).

use clap::Subcommand;
use qianzhang_core::audit::{exceptions, AuditInput, Exception};
use qianzhang_core::backend::PeriodTotalRow;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::{Money, Period, Rule};
use qianzhang_report::Format;
use qianzhang_store::{Backend, LedgerHandle, Store};

use crate::{bad_input, open_ledger, out, Cli, Exit, FormatArg};

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
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
    /// 某人的全部操作（含被拒绝的）及日志哈希 / every act of a person
    Person {
        name: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
    },
}

/// `2025-03` or `2025-03-15`: a month stands for its first day (`from`) or
/// its last (`to`).
pub(crate) fn day_or_month(text: &str, first: bool) -> Result<time::Date, Exit> {
    if let Ok(d) = parse_date(text) {
        return Ok(d);
    }
    match Period::parse(text) {
        Ok(p) if first => Ok(p.first_day()),
        Ok(p) => Ok(p.last_day()),
        Err(_) => Err(Exit::Usage(format!("“{text}”不是日期或月份，应写作 2025-03 或 2025-03-15"))),
    }
}

/// The span asked for, from go-live (or the first history) to today by default.
fn span(
    store: &Store,
    ledger: &LedgerHandle,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(time::Date, time::Date), Exit> {
    let first = store.period_span(ledger)?.map(|(f, _)| f).unwrap_or(ledger.info.start).first_day();
    let from = match from {
        Some(t) => day_or_month(t, true)?,
        None => first,
    };
    let to = match to {
        Some(t) => day_or_month(t, false)?,
        None => crate::clock::today(),
    };
    if from > to {
        return Err(Exit::Usage(format!(
            "--from {} 晚于 --to {}：起始须不晚于截止",
            format_date(from),
            format_date(to)
        )));
    }
    Ok((from, to))
}

/// [AUD-1..3] the exceptions of `from..=to` from the store.
pub(crate) fn exceptions_between(
    store: &Store,
    ledger: &LedgerHandle,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<Exception>, Exit> {
    let chart = store.chart(ledger)?;
    let registry = store.registry(ledger)?;
    let settings = store.settings(ledger)?;
    let authorizations = store.authorizations(ledger)?;
    let totals = store.period_totals(ledger)?;
    // Cash at the start of what the engine kept: days above the limit are
    // looked for from go-live on.
    let live_from = Period::of(from).max(ledger.info.start);
    let opening_cash: Money =
        totals.iter().filter(|t| t.account.starts_with("1001") && t.period < live_from).map(PeriodTotalRow::net).sum();
    let facts = store.log_facts(
        ledger,
        &["refused", "period_reopened", "kinship_recorded", "period_closed", "sign_in_failed", "passphrase_set"],
    )?;
    let mut first_closes: Vec<(Period, i64)> = Vec::new();
    for f in &facts {
        if let qianzhang_core::Event::PeriodClosed { period, .. } = &f.event {
            if !first_closes.iter().any(|(p, _)| p == period) {
                first_closes.push((*period, f.seq));
            }
        }
    }
    let log = facts
        .into_iter()
        .filter(|f| match f.event {
            qianzhang_core::Event::KinshipRecorded { .. } => true,
            qianzhang_core::Event::PeriodClosed { .. } => false,
            _ => f.date >= from && f.date <= to,
        })
        .collect();
    Ok(exceptions(AuditInput {
        chart: &chart,
        registry: &registry,
        settings: &settings,
        from,
        to,
        vouchers: store.audit_vouchers(ledger, from, to)?,
        history: store.history_summary(ledger, Period::of(from), Period::of(to))?,
        authorizations: &authorizations,
        log,
        counts: store.cash_counts(ledger, from, to)?,
        opening_cash,
        start: ledger.info.start,
        first_closes,
    }))
}

pub(crate) fn audit(cli: &Cli, cmd: &AuditCmd) -> Result<(), Exit> {
    let (store, ledger) = open_ledger(cli)?;
    match cmd {
        AuditCmd::Exceptions { from, to, format } => {
            let (from, to) = span(&store, &ledger, from.as_deref(), to.as_deref())?;
            let items = exceptions_between(&store, &ledger, from, to)?;
            let title =
                format!("例外事项清单　账套：{}　{} 至 {}", ledger.info.name, format_date(from), format_date(to));
            out(&qianzhang_report::exceptions(&title, &items, Format::from(*format)))
        }
        AuditCmd::Person { name, from, to, format } => {
            let (from, to) = span(&store, &ledger, from.as_deref(), to.as_deref())?;
            let acts = store.acts_of(&ledger, name.trim(), from, to)?;
            let title = format!("{} 的操作记录　{} 至 {}", name.trim(), format_date(from), format_date(to));
            out(&qianzhang_report::acts(&title, &acts, Format::from(*format)))
        }
    }
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
    #[arg(long, value_enum, default_value_t = crate::board::BoardFormat::Text)]
    format: crate::board::BoardFormat,
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
    #[arg(long, value_enum)]
    role: Option<crate::RoleArg>,
    /// 交接日期 / the day of the handover
    #[arg(long, value_parser = crate::date_value)]
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

struct Who {
    officer: String,
    role: qianzhang_core::people::Role,
    date: time::Date,
    to: String,
    supervisor: String,
}

fn who(w: &HandoverWho) -> Result<Who, Exit> {
    let missing = |flag: &str| {
        bad_input(Rule::Hnd1, format!("交接须写明 --{flag}（移交人、岗位、日期、接交人、监交人缺一不可）"))
    };
    Ok(Who {
        officer: w.officer.clone().map(|s| s.trim().to_string()).ok_or_else(|| missing("officer"))?,
        role: w.role.map(qianzhang_core::people::Role::from).ok_or_else(|| missing("role"))?,
        date: w.date.ok_or_else(|| missing("date"))?,
        to: w.to.clone().map(|s| s.trim().to_string()).ok_or_else(|| missing("to"))?,
        supervisor: w.supervisor.clone().map(|s| s.trim().to_string()).ok_or_else(|| missing("supervisor"))?,
    })
}

/// [HND-1] gathers the handover report from the store.
fn build_handover(
    store: &mut Store,
    ledger: &LedgerHandle,
    w: &Who,
) -> Result<qianzhang_core::handover::Handover, Exit> {
    use qianzhang_core::bank::{bank_accounts, reconcile_at};
    use qianzhang_core::handover::{Handover, HandoverInput, ReceiptBookState};
    use qianzhang_core::receipts::{outstanding_advances, ReceiptState};
    use qianzhang_core::report::TrialBalance;
    use qianzhang_core::Status;

    let registry = store.registry(ledger)?;
    let tenure = registry
        .appointments()
        .iter()
        .filter(|a| a.person == w.officer && a.role == w.role && a.from <= w.date)
        .max_by_key(|a| a.from)
        .cloned()
        .ok_or_else(|| {
            bad_input(Rule::Hnd1, format!("{}在 {} 前没有{}的任职", w.officer, format_date(w.date), w.role.chinese()))
        })?;
    let chart = store.chart(ledger)?;
    let period = Period::of(w.date);
    let start = ledger.info.start.first_day();
    let live = store.audit_vouchers(ledger, start.min(tenure.from), w.date)?;
    // Balances at the day's end: earlier months from the projection, this
    // month from its posted vouchers up to the day.
    let mut totals: Vec<PeriodTotalRow> =
        store.period_totals(ledger)?.into_iter().filter(|t| t.period < period).collect();
    let mut month = Vec::new();
    store.each_voucher(ledger, period, period, |v, s| {
        if s == Status::Posted && v.date() <= w.date {
            month.push(v);
        }
        Ok(())
    })?;
    for v in &month {
        for l in v.lines() {
            totals.push(PeriodTotalRow { account: l.account.clone(), period, debit: l.debit(), credit: l.credit() });
        }
    }
    let tb = TrialBalance::build(&ledger.info.name, &chart, qianzhang_store::as_period_totals(&totals), period, period);
    let cash_book: Money = totals.iter().filter(|t| t.account.starts_with("1001")).map(PeriodTotalRow::net).sum();
    let cash_count = store.cash_counts(ledger, w.date, w.date)?.into_iter().last();
    let mut bank = Vec::new();
    for (account, _) in bank_accounts(&chart) {
        bank.push(store.read(ledger, |b| reconcile_at(b, &account, w.date))?);
    }
    let advances = outstanding_advances(&chart, totals.iter().map(|t| (t.account.as_str(), t.net())));
    let (books, receipts) = store.receipts(ledger)?;
    let receipt_books = books
        .iter()
        .filter(|b| b.date <= w.date)
        .map(|b| {
            let mine: Vec<_> = receipts.iter().filter(|r| r.book == b.book).collect();
            let voided = mine.iter().filter(|r| matches!(r.state, ReceiptState::Voided { .. })).count();
            let last = mine.iter().map(|r| r.serial).max();
            let next = match last {
                Some(l) if l >= b.last => None,
                Some(l) => Some(b.number(l + 1)),
                None => Some(b.number(b.first)),
            };
            ReceiptBookState {
                book: b.book.clone(),
                range: format!("{} 至 {}", b.number(b.first), b.number(b.last)),
                used: mine.len() - voided,
                voided,
                unused: (b.last - b.first + 1) as usize - mine.len(),
                next,
                holder: b.holder.clone(),
            }
        })
        .collect();
    let unposted = live.iter().filter(|v| v.status == Status::Prepared).map(|v| v.voucher.reference()).collect();
    let mut open_months = Vec::new();
    let mut p = ledger.info.start;
    while p <= period {
        if !store.is_closed(ledger, p)? {
            open_months.push(p);
        }
        p = p.next();
    }
    let stand_aside = live
        .iter()
        .filter_map(|v| {
            qianzhang_core::lifecycle::stand_aside_mark(&registry, &v.voucher, &v.signatures, v.voucher.date())
                .map(|m| (v.voucher.reference(), m.short()))
        })
        .collect();
    let vouchers = live
        .into_iter()
        .filter(|v| v.voucher.date() >= tenure.from && v.status != Status::Voided)
        .map(|v| (v.voucher, v.status, v.signatures))
        .collect();
    let exceptions = exceptions_between(store, ledger, tenure.from, w.date)?;
    let assets = store.assets(ledger)?.into_iter().filter(|a| a.held_on(w.date)).collect();
    let fingerprint = store.fingerprint_at(ledger, w.date)?.map(|h| h.fingerprint.to_string()).unwrap_or_default();
    Ok(Handover::build(HandoverInput {
        ledger: ledger.info.name.clone(),
        officer: w.officer.clone(),
        role: w.role,
        role_name: tenure.title.clone().unwrap_or_else(|| w.role.chinese().to_string()),
        tenure_from: tenure.from,
        date: w.date,
        successor: w.to.clone(),
        supervisor: w.supervisor.clone(),
        trial_balance: tb,
        cash_book,
        cash_count,
        bank,
        advances,
        receipt_books,
        vouchers,
        unposted,
        open_months,
        voided: store.voided(ledger, ledger.info.start.min(Period::of(tenure.from)), period)?,
        exceptions,
        assets,
        fingerprint,
        stand_aside,
    }))
}

pub(crate) fn handover(cli: &Cli, args: &HandoverArgs) -> Result<(), Exit> {
    if let Some(HandoverCmd::Complete { who: w }) = &args.complete {
        let w = who(w)?;
        let text = format!(
            "已记录交接：{} 起 {} 的{}工作由 {} 接任，监交人 {}。\n",
            format_date(w.date),
            w.officer,
            w.role.chinese(),
            w.to,
            w.supervisor
        );
        crate::change(cli, qianzhang_core::operator::Act::Administer, |b, _| {
            qianzhang_core::handover::complete_handover(b, &w.officer, w.role, w.date, &w.to, &w.supervisor)
        })?;
        return out(&text);
    }
    let w = who(&args.who)?;
    let (mut store, ledger) = open_ledger(cli)?;
    let h = build_handover(&mut store, &ledger, &w)?;
    let text = match args.format {
        crate::board::BoardFormat::Html => qianzhang_report::handover_html(&h),
        crate::board::BoardFormat::Text => qianzhang_report::handover(&h, Format::Text),
        crate::board::BoardFormat::Md => qianzhang_report::handover(&h, Format::Markdown),
        crate::board::BoardFormat::Csv => qianzhang_report::handover(&h, Format::Csv),
        crate::board::BoardFormat::Json => qianzhang_report::handover(&h, Format::Json),
    };
    match &args.output {
        Some(path) => {
            crate::output::emit_text(&crate::db_path(cli), Some(path), &text)?;
            eprintln!("已写出 {}", path.display());
            Ok(())
        }
        None => out(&text),
    }
}
