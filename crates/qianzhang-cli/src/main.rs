//! `qianzhang`: parse the command, open the store, make one application
//! call, render, and map the outcome to an exit code. No bookkeeping rule
//! and no accounting decision lives here: those are `qianzhang-core`'s and
//! `qianzhang-app`'s.

mod args;
mod backends;
mod clock;
mod commands;
mod demo;
mod exit;
mod outcome;
mod output;
mod serve;
mod session;

use std::process::ExitCode;

/// An import or a verify hands rows and events between threads by the
/// million; the system allocator's arenas then spend a fifth of the time
/// in lock waits (measured in docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory as _, FromArgMatches as _};

use args::{Cli, Command};
use commands::{account, audit, board, ledger, month, office, opening, person, report, todo, voucher};
use exit::Exit;

/// Runs one command; a refusal found before the store is logged too (AUD-1).
fn execute(cli: &Cli, command: &str) -> Result<(), Exit> {
    if outcome::wanted(cli) {
        outcome::capture();
    }
    let mut outcome = run(cli).and_then(|()| outcome::finish(cli, command));
    if let Err(Exit::Refused { reasons, unlisted, logged: false }) = &outcome {
        if cli.command.changes_books() {
            if let Err(e) = session::log_refusal(cli, reasons, *unlisted) {
                outcome = Err(e);
            }
        }
    }
    outcome
}

fn main() -> ExitCode {
    let parsed = Cli::command().try_get_matches().and_then(|m| Ok((Cli::from_arg_matches(&m)?, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return exit::clap_error(&e),
    };
    match execute(&cli, &outcome::command_name(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

fn run(cli: &Cli) -> Result<(), Exit> {
    match &cli.command {
        Command::Init { start } => ledger::init(cli, *start),
        Command::Account(cmd) => account::account(cli, cmd),
        Command::Voucher(cmd) => voucher::voucher(cli, cmd),
        Command::Person(cmd) => person::person(cli, cmd),
        Command::Auth(cmd) => office::auth(cli, cmd),
        Command::Collection(cmd) => commands::collection::collection(cli, cmd),
        Command::Receipt(cmd) => office::receipt(cli, cmd),
        Command::Advances => office::advances(cli),
        Command::Settings { cmd } => office::settings(cli, cmd.as_ref()),
        Command::Check(cmd) => office::check(cli, cmd),
        Command::Fund(cmd) => month::fund(cli, cmd),
        Command::Opening(cmd) => opening::opening(cli, cmd),
        Command::Cash(cmd) => month::cash(cli, cmd),
        Command::Bank(cmd) => month::bank(cli, cmd),
        Command::Period(cmd) => month::period(cli, cmd),
        Command::Disclose(args) => board::disclose(cli, args),
        Command::Street(cmd) => commands::street::street(cli, cmd),
        Command::Asset(cmd) => board::asset(cli, cmd),
        Command::Budget(cmd) => board::budget(cli, cmd),
        Command::Audit(cmd) => audit::audit(cli, cmd),
        Command::Handover(args) => audit::handover(cli, args),
        Command::Import { file, history, encoding, sheet, force } => {
            voucher::import(cli, file, *history, *encoding, sheet.as_deref(), *force)
        }
        Command::Export { format, range, output, chinese_header } => {
            voucher::export(cli, *format, range, output.as_deref(), *chinese_header)
        }
        Command::Report { kind, account, range, fund, date, format, output } => report::report(
            cli,
            report::ReportArgs {
                kind: *kind,
                account: account.as_deref(),
                range,
                fund: fund.as_deref(),
                date: *date,
                format: format.plain(cli.plain),
                output: output.as_deref(),
            },
        ),
        Command::Verify { fingerprint, month } => ledger::verify(cli, fingerprint.as_deref(), *month),
        Command::Copy { from, to, ledgers } => commands::copy::copy(cli, from, to, ledgers),
        Command::Log { limit, format } => report::log(cli, *limit, *format),
        Command::Demo => demo::run(cli.db.as_deref()),
        Command::Serve { listen, demo, https } => serve::serve(cli, *listen, *demo, *https),
        Command::Todo { format, output } => todo::todo(cli, format.plain(cli.plain), output.as_deref()),
        Command::Print(cmd) => commands::print::print(cli, cmd),
    }
}
