//! `report KIND`: the application assembles, the report crate renders.

use qianzhang_app::reports::{self as app, Kind, Report, Request};
use qianzhang_report::Format;

use crate::args::{Cli, Range};
use crate::clock;
use crate::exit::Exit;
use crate::output::out;
use crate::session::open_ledger;

pub(crate) struct ReportArgs<'a> {
    pub(crate) kind: Kind,
    pub(crate) account: Option<&'a str>,
    pub(crate) range: &'a Range,
    pub(crate) fund: Option<&'a str>,
    pub(crate) date: Option<time::Date>,
    pub(crate) format: Format,
    pub(crate) output: Option<&'a std::path::Path>,
}

pub(crate) fn report(cli: &Cli, args: ReportArgs<'_>) -> Result<(), Exit> {
    let format = args.format;
    let request = Request {
        account: args.account.map(str::to_string),
        range: args.range.app(),
        fund: args.fund.map(str::to_string),
        date: args.date,
    };
    let text = match app::report(&mut open_ledger(cli)?, args.kind, &request, clock::today())? {
        Report::TrialBalance(tb) => qianzhang_report::trial_balance(&tb, format),
        Report::Journal(j) => qianzhang_report::journal(&j, format),
        Report::Ledger(l) => qianzhang_report::account_ledger(&l, format),
        Report::CashJournal(j) => qianzhang_report::cash_journal(&j, format),
        Report::Funds(f) => qianzhang_report::funds(&f, format),
        Report::CashCount(sheet) => qianzhang_report::cash_count(&sheet, format),
        Report::BankReconciliation(r) => qianzhang_report::reconciliation(&r, format),
        Report::Statement(s) => qianzhang_report::statement(&s, format),
    };
    crate::output::report(cli, args.output, format, &text)
}

/// `log`: the latest log entries; with `--format json` (or `--json`) one
/// object `{"entries": [{seq, at, actor, kind, description, hash}]}`.
pub(crate) fn log(cli: &Cli, limit: usize, format: Format) -> Result<(), Exit> {
    let entries = qianzhang_app::ledger::log(&open_ledger(cli)?, limit)?;
    if format == Format::Json || cli.json {
        let entries: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "seq": e.seq,
                    "at": e.at,
                    "actor": e.actor,
                    "kind": e.event.kind(),
                    "description": e.event.describe(),
                    "hash": e.hash.to_string(),
                })
            })
            .collect();
        let mut text = serde_json::json!({ "entries": entries }).to_string();
        text.push('\n');
        return out(&text);
    }
    let mut text = String::new();
    for e in entries {
        let at = qianzhang_core::period::show_time(&e.at);
        text.push_str(&format!("#{:<6} {at}  {}  {}  {}\n", e.seq, e.actor, e.event.describe(), e.hash.short()));
    }
    out(&text)
}
