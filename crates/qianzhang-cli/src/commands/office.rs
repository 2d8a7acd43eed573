//! `auth …`, `receipt …`, `settings`, `advances`, `check splits`: the
//! office's standing records.

use qianzhang_app::office;
use qianzhang_core::approval::{Authorization, StandAside};
use qianzhang_core::receipts::{describe_book, ReceiptBook};

use qianzhang_core::calendar::{DayKind, MarkedDay};
use qianzhang_core::collection::Decision;
use qianzhang_core::period::format_date;

use crate::args::{AuthCmd, CalendarCmd, CheckCmd, Cli, ReceiptCmd, SettingsCmd};
use crate::exit::Exit;
use crate::outcome::field;
use crate::output::out;
use crate::session::{open_ledger, open_session};

pub(crate) fn auth(cli: &Cli, cmd: &AuthCmd) -> Result<(), Exit> {
    match cmd {
        AuthCmd::Add {
            kind,
            number,
            date,
            scope,
            cap,
            payee,
            deputy,
            withdrawn,
            fund,
            attendance,
            votes_for,
            against,
        } => {
            let cap = qianzhang_app::amount(cap, "限额")?;
            let stand_aside = payee.as_ref().map(|payee| StandAside {
                payee: payee.trim().to_string(),
                deputy: deputy.as_deref().unwrap_or_default().trim().to_string(),
                withdrawn: withdrawn.iter().map(|w| w.trim().to_string()).collect(),
            });
            let mut text = String::new();
            if let Some(s) = &stand_aside {
                text = format!("收款人 {}，{} 回避，由 {} 代为审批\n", s.payee, s.withdrawn.join("、"), s.deputy);
            }
            let a = Authorization {
                number: number.trim().to_string(),
                kind: *kind,
                date: *date,
                scope: scope.clone(),
                cap,
                stand_aside,
                decision: fund.as_ref().map(|fund| Decision {
                    fund: fund.trim().to_string(),
                    attendance: attendance.unwrap_or_default(),
                    votes_for: votes_for.unwrap_or_default(),
                    against: against.unwrap_or_default(),
                }),
            };
            if let Some(d) = &a.decision {
                text.push_str(&format!("{}：{}\n", d.fund, d.describe()));
            }
            let text = format!("已登记审批依据 {a}，限额 {}\n{text}", a.cap.to_yuan());
            let (number, cap) = (a.number.clone(), a.cap.to_decimal_string());
            office::record(&mut open_session(cli)?, a)?;
            field("number", number);
            field("cap", cap);
            out(&text)
        }
        AuthCmd::List => out(&qianzhang_report::authorizations(&office::authorizations(&open_ledger(cli)?)?)),
    }
}

pub(crate) fn receipt(cli: &Cli, cmd: &ReceiptCmd) -> Result<(), Exit> {
    match cmd {
        ReceiptCmd::Book { book, from, to, holder, date } => {
            let b = ReceiptBook {
                book: book.trim().to_string(),
                first: *from,
                last: *to,
                date: date.unwrap_or_else(crate::clock::today),
                holder: holder.trim().to_string(),
            };
            let text = format!("已登记{}\n", describe_book(&b));
            field("book", &b.book);
            field("first", b.first);
            field("last", b.last);
            office::register_book(&mut open_session(cli)?, b)?;
            out(&text)
        }
        ReceiptCmd::Issue { book, payer, amount, date } => {
            let amount = qianzhang_app::amount(amount, "收据")?;
            let number = office::issue(&mut open_session(cli)?, book, payer, amount, *date)?;
            field("number", number.to_string());
            field("amount", amount.to_decimal_string());
            out(&format!(
                "已开出收据 {number}：交款人 {payer}，{}（{}）\n",
                amount.to_yuan(),
                amount.to_chinese_words()
            ))
        }
        ReceiptCmd::Void { book, serial, reason } => {
            office::void(&mut open_session(cli)?, book, *serial, reason)?;
            field("number", format!("{book}{serial:07}"));
            out(&format!("已作废收据 {book}{serial:07}（{reason}），留存备查\n"))
        }
        ReceiptCmd::List => {
            let (books, receipts) = office::receipts(&open_ledger(cli)?)?;
            out(&qianzhang_report::receipts(&books, &receipts))
        }
    }
}

pub(crate) fn settings(cli: &Cli, cmd: Option<&SettingsCmd>) -> Result<(), Exit> {
    match cmd {
        None => {
            let settings = office::settings(&open_ledger(cli)?)?;
            let mut text = String::new();
            let width = office::SETTING_KEYS.iter().map(|k| k.as_str().len()).max().unwrap_or(0);
            for key in office::SETTING_KEYS {
                text.push_str(&format!("{:<width$} {:<12} {}\n", key.as_str(), settings.get(key), key.chinese()));
            }
            out(&text)
        }
        Some(SettingsCmd::Set { key, value }) => {
            let key = office::setting_key(key)?;
            let value = office::set(&mut open_session(cli)?, key, value)?;
            field("key", key.as_str());
            field("value", value.to_string());
            out(&format!("已将{}设为 {value}\n", key.chinese()))
        }
        Some(SettingsCmd::Holiday { cmd }) => calendar(cli, cmd, DayKind::Holiday),
        Some(SettingsCmd::Workday { cmd }) => calendar(cli, cmd, DayKind::Workday),
    }
}

/// `settings holiday|workday add|list`: the ledger's calendar (PER-1, CSH-5).
fn calendar(cli: &Cli, cmd: &CalendarCmd, kind: DayKind) -> Result<(), Exit> {
    match cmd {
        CalendarCmd::Add { date, name } => {
            let name =
                name.clone().unwrap_or_else(|| if kind == DayKind::Holiday { "放假" } else { "调休上班" }.into());
            let day = MarkedDay { date: *date, kind, name };
            let text = format!("已将 {} 定为{}日（{}）\n", format_date(day.date), kind.chinese(), day.name.trim());
            office::mark_day(&mut open_session(cli)?, day)?;
            field("date", format_date(*date));
            field("kind", kind.as_str());
            out(&text)
        }
        CalendarCmd::List { year } => {
            let year = year.unwrap_or_else(|| crate::clock::today().year());
            let settings = office::settings(&open_ledger(cli)?)?;
            out(&qianzhang_report::calendar(year, &settings.calendar))
        }
    }
}

pub(crate) fn advances(cli: &Cli) -> Result<(), Exit> {
    out(&qianzhang_report::advances(&office::advances(&open_ledger(cli)?)?))
}

pub(crate) fn check(cli: &Cli, cmd: &CheckCmd) -> Result<(), Exit> {
    let CheckCmd::Splits { range } = cmd;
    let ledger = open_ledger(cli)?;
    let (from, to) = qianzhang_app::reports::span(&ledger, &range.app())?;
    let (splits, settings) = office::splits(&ledger, from, to)?;
    out(&qianzhang_report::splits(&splits, settings.threshold, settings.split_window_days))
}
