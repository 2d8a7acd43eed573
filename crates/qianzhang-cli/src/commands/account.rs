//! `account …`: the chart of accounts.

use qianzhang_app::accounts;
use qianzhang_core::NewAccount;

use crate::args::{AccountCmd, Cli};
use crate::exit::Exit;
use crate::outcome::field;
use crate::output::out;
use crate::session::{open_ledger, open_session};

pub(crate) fn account(cli: &Cli, cmd: &AccountCmd) -> Result<(), Exit> {
    match cmd {
        AccountCmd::List { format, output } => {
            let format = format.plain(cli.plain);
            let text = qianzhang_report::chart(&accounts::chart(&open_ledger(cli)?)?, format);
            crate::output::report(cli, output.as_deref(), format, &text)
        }
        AccountCmd::Add { code, name, kind, opened } => {
            let new = NewAccount { code: code.clone(), name: name.clone(), kind: *kind, opened: *opened };
            let account = accounts::add(&mut open_session(cli)?, &new)?;
            field("code", account.code());
            field("name", account.name());
            out(&format!("已增设科目 {} {}（{}）\n", account.code(), account.name(), account.kind()))
        }
        AccountCmd::Import { file, sheet } => {
            let added = accounts::import(&mut open_session(cli)?, file, sheet.as_deref())?;
            field("accounts", added.len());
            let mut text = format!("已增设科目 {} 个\n", added.len());
            for a in &added {
                text.push_str(&format!("  {} {}（{}）\n", a.code(), a.name(), a.kind()));
            }
            out(&text)
        }
        AccountCmd::Rename { code, name } => {
            accounts::rename(&mut open_session(cli)?, code, name)?;
            field("code", code);
            field("name", name.trim());
            out(&format!("科目 {code} 已更名为“{}”；编码不变，已有凭证仍记在该科目\n", name.trim()))
        }
        AccountCmd::Close { code, date } => {
            let date = accounts::close(&mut open_session(cli)?, code, *date)?;
            field("code", code);
            field("closed", qianzhang_core::period::format_date(date));
            out(&format!("科目 {code} 自 {} 起停用\n", qianzhang_core::period::format_date(date)))
        }
    }
}
