//! The cashier's day and the accountant's month end (日清月结): special
//! funds, the daily cash count, bank statements and matching, closing and
//! reopening months. Each command parses, makes one core call, renders.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use qianzhang_core::backend::FundTotalRow;
use qianzhang_core::bank::{
    import_statement, match_automatically, match_by_hand, parse_mapping, read_statement, reconcile, resolve_account,
    unmatch,
};
use qianzhang_core::books::Books;
use qianzhang_core::cash::{
    counted_amount, describe_difference, overdue, parse_pieces, position_at, record_count, CountSheet,
};
use qianzhang_core::closing::{close_blockers, close_period, reopen_period};
use qianzhang_core::csvfile::TextEncoding;
use qianzhang_core::funds::{declare_fund, Fund};
use qianzhang_core::operator::{authenticate, Act};
use qianzhang_core::period::format_date;
use qianzhang_core::receipts::outstanding_advances;
use qianzhang_core::voucher::read_amount;
use qianzhang_core::{Failure, Money, Period, Refusals, Rule, VoucherRef};
use qianzhang_report::Format;
use qianzhang_store::{Backend, LedgerHandle, Store};

use crate::{
    bad_input, change, clock, date_value, encoding_value, open_ledger, out, period_value, voucher_value, Cli, Exit,
    FormatArg,
};

#[derive(Subcommand, Debug)]
pub(crate) enum FundCmd {
    /// 设立专项资金 / declare a special fund: fund add 低保 --kind restricted
    Add {
        name: String,
        /// restricted（限定性，年末结转 3102）| unrestricted（非限定性，结转 3101）
        #[arg(long, value_enum)]
        kind: FundKind,
    },
    /// 专项资金及结余 / the funds and what each holds
    List,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FundKind {
    Restricted,
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
    /// 导入银行对账单 CSV / import a bank statement (duplicate lines are skipped)
    Import {
        file: PathBuf,
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
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
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
            change(cli, Act::Administer, |w, _| declare_fund(w, fund))?;
            out(&text)
        }
        FundCmd::List => {
            let (store, ledger) = open_ledger(cli)?;
            let totals = store.fund_totals(&ledger)?;
            let list: Vec<(Fund, Money)> = store
                .funds(&ledger)?
                .into_iter()
                .map(|f| {
                    let held = totals.iter().filter(|t| t.fund == f.name).map(FundTotalRow::held).sum();
                    (f, held)
                })
                .collect();
            out(&qianzhang_report::fund_list(&list))
        }
    }
}

pub(crate) fn cash(cli: &Cli, cmd: &CashCmd) -> Result<(), Exit> {
    let CashCmd::Count { date, amount, pieces } = cmd;
    let date = date.unwrap_or_else(clock::today);
    let pieces = match pieces {
        Some(p) => parse_pieces(p)?,
        None => Vec::new(),
    };
    let amount = match amount {
        Some(a) => read_amount(a, "实点", false)?,
        None => None,
    };
    let counted = counted_amount(amount, &pieces)?;
    let today = clock::today();
    let (count, ..) = change(cli, Act::HandleCash, |w, who| record_count(w, date, counted, pieces, who, today))?;
    let diff = count.difference();
    let mut text = format!(
        "{} 现金盘点：实点 {}，账面 {}，{}\n",
        format_date(count.date),
        count.counted.to_yuan(),
        count.book.to_yuan(),
        describe_difference(diff)
    );
    if !diff.is_zero() {
        text.push_str(
            "差额已记录（CSH-2）：请查明原因，经审批后以凭证记入 1901 待处理财产损溢，月末结账前须处理完毕。\n",
        );
    }
    let (mut store, ledger) = open_ledger(cli)?;
    let limit = store.settings(&ledger)?.cash_limit;
    if count.counted > limit {
        text.push_str(&format!(
            "库存现金超过限额 {}（CSH-4），超出的 {} 应送存银行。\n",
            limit.to_yuan(),
            (count.counted - limit).to_yuan()
        ));
    }
    let position = store.read(&ledger, |r| position_at(r, date))?;
    for u in overdue(&position, date) {
        text.push_str(&format!(
            "{} 的现金收入 {} 应于 {} 前送存银行，已逾期（CSH-5）。\n",
            u.voucher,
            u.amount.to_yuan(),
            format_date(u.deadline)
        ));
    }
    out(&text)
}

fn statement_account(store: &Store, ledger: &LedgerHandle, given: Option<&str>) -> Result<String, Exit> {
    let chart = store.chart(ledger)?;
    Ok(resolve_account(&chart, given)?.0)
}

pub(crate) fn bank(cli: &Cli, cmd: &BankCmd) -> Result<(), Exit> {
    match cmd {
        BankCmd::Import { file, account, encoding, map, through } => {
            let (store, ledger) = open_ledger(cli)?;
            let account = statement_account(&store, &ledger, account.as_deref())?;
            drop(store);
            let mapping = match map {
                Some(m) => parse_mapping(m)?,
                None => Vec::new(),
            };
            let opened = std::fs::File::open(file)
                .map_err(|e| bad_input(Rule::Bnk1, format!("无法读取 {}：{e}", file.display())))?;
            let bytes =
                qianzhang_core::csvfile::read_at_most(opened, qianzhang_core::bank::MAX_STATEMENT_BYTES, "银行对账单")?;
            let statement = read_statement(&bytes, *encoding, &mapping).map_err(|r| Exit::Refused {
                reasons: r.reasons,
                unlisted: r.unlisted,
                logged: false,
            })?;
            let name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let encoding = statement.encoding;
            let today = clock::today();
            let (done, ..) =
                change(cli, Act::Reconcile, |w, _| import_statement(w, &account, &name, statement, *through, today))?;
            out(&format!(
                "已导入 {account} 银行对账单：新增 {} 行，已导入过的重复行 {} 行（{}编码）；对账单截至 {}。\n",
                done.new_lines,
                done.duplicates,
                encoding.name(),
                format_date(done.reach)
            ))
        }
        BankCmd::Match { account, line, voucher } => {
            let (store, ledger) = open_ledger(cli)?;
            let account = statement_account(&store, &ledger, account.as_deref())?;
            drop(store);
            match (line, voucher) {
                (Some(line), Some(voucher)) => {
                    change(cli, Act::Reconcile, |w, _| match_by_hand(w, &account, *line, *voucher))?;
                    out(&format!("已将对账单第 {line} 行与 {voucher} 勾对\n"))
                }
                _ => {
                    let (pairs, ..) = change(cli, Act::Reconcile, |w, _| match_automatically(w, &account))?;
                    let mut text = format!("自动勾对 {} 笔（金额、方向相同，日期相近，流水号优先）\n", pairs.len());
                    for (l, v) in &pairs {
                        text.push_str(&format!("  第 {l} 行 ↔ {v}\n"));
                    }
                    out(&text)
                }
            }
        }
        BankCmd::Unmatch { line, account } => {
            let (store, ledger) = open_ledger(cli)?;
            let account = statement_account(&store, &ledger, account.as_deref())?;
            drop(store);
            change(cli, Act::Reconcile, |w, _| unmatch(w, &account, *line))?;
            out(&format!("已取消对账单第 {line} 行的勾对\n"))
        }
        BankCmd::List { account, format } => {
            let (mut store, ledger) = open_ledger(cli)?;
            let account = statement_account(&store, &ledger, account.as_deref())?;
            let lines = store.read(&ledger, |r| Ok(r.statement_lines(&account)?))?;
            out(&qianzhang_report::statement_lines(&lines, Format::from(*format)))
        }
    }
}

/// The second person of PER-2 proves who they are with their own passphrase.
fn approver_passphrase(name: &str) -> Result<String, Exit> {
    if let Ok(p) = std::env::var("QIANZHANG_APPROVER_PASSPHRASE") {
        return Ok(p);
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Ok(rpassword::prompt_password(format!("审批人 {name} 的口令："))?);
    }
    Err(bad_input(
        Rule::Per2,
        format!("反结账须审批人 {name} 输入口令：请在终端中运行，或为脚本设置 QIANZHANG_APPROVER_PASSPHRASE"),
    ))
}

pub(crate) fn period(cli: &Cli, cmd: &PeriodCmd) -> Result<(), Exit> {
    let today = clock::today();
    match cmd {
        PeriodCmd::Close { period } => {
            let (carried, store, ledger) = change(cli, Act::KeepBooks, |w, who| close_period(w, *period, who, today))?;
            let fp = store.fingerprint(&ledger)?.fingerprint;
            let mut text = format!("{period} 已结账。\n");
            if let Some(r) = carried {
                text.push_str(&format!("已生成年末结转凭证 {r}：本年收入、费用结转至净资产（3101/3102）。\n"));
            }
            text.push_str(&format!("结账时指纹：{fp}\n"));
            out(&text)
        }
        PeriodCmd::Check { period } => {
            let (mut store, ledger) = open_ledger(cli)?;
            let blockers = store.read(&ledger, |r| close_blockers(r, *period, today))?;
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
            // The approver's passphrase is a sign-in like any other (OPR-1):
            // failures are slowed, counted toward the lockout and filed under
            // no one's name; told as PER-2, the rule that asked for it.
            let (mut store, ledger) = open_ledger(cli)?;
            let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
            let actor = qianzhang_store::Actor { name: approver.clone(), at: clock::now_rfc3339(), command };
            crate::sign_in(&mut store, &ledger, &crate::Operator { actor, passphrase: second.clone() }).map_err(
                |e| match e {
                    Exit::Refused { reasons, unlisted, logged } => Exit::Refused {
                        reasons: reasons
                            .into_iter()
                            .map(|r| qianzhang_core::Refusal { rule: Rule::Per2, ..r })
                            .collect(),
                        unlisted,
                        logged,
                    },
                    other => other,
                },
            )?;
            drop(store);
            change(cli, Act::KeepBooks, |w, who| {
                authenticate(w.registry(), approver, &second)
                    .map_err(|r| Failure::Refused(Refusals::one(qianzhang_core::Refusal { rule: Rule::Per2, ..r })))?;
                reopen_period(w, *period, reason, who, approver, today)
            })?;
            out(&format!("{period} 已反结账（{reason}），由会计与审批人 {approver} 共同确认，已记入日志。\n"))
        }
    }
}

/// `report cash-count`: the count sheet of a day with the outstanding advances.
pub(crate) fn cash_count_report(cli: &Cli, date: time::Date, format: Format) -> Result<String, Exit> {
    let (mut store, ledger) = open_ledger(cli)?;
    let chart = store.chart(&ledger)?;
    let totals = store.period_totals(&ledger)?;
    let through = Period::of(date);
    let advances = outstanding_advances(
        &chart,
        totals.iter().filter(|t| t.period <= through).map(|t| (t.account.as_str(), t.net())),
    );
    let sheet = store.read(&ledger, |r| CountSheet::build(r, date, advances))?;
    Ok(qianzhang_report::cash_count(&sheet, format))
}

/// `report bank-reconciliation`: 银行存款余额调节表 at a month's end.
pub(crate) fn reconciliation_report(
    cli: &Cli,
    account: Option<&str>,
    period: Period,
    format: Format,
) -> Result<String, Exit> {
    let (mut store, ledger) = open_ledger(cli)?;
    let account = statement_account(&store, &ledger, account)?;
    let r = store.read(&ledger, |b| reconcile(b, &account, period))?;
    Ok(qianzhang_report::reconciliation(&r, format))
}
