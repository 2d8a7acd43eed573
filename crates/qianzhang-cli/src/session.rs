//! Who acts, as the command line learns it: the store file and ledger
//! named, the operator (`--as`), and passphrases from the environment
//! (scripts) or the terminal. The sign-in itself is the application's.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use qianzhang_app::{Claim, Ledger, Session};
use qianzhang_core::{Refusal, Refusals, Rule};
/// The backend the command line opens: the SQLite file, or the PostgreSQL
/// database a `postgres://` URL names.
pub(crate) use qianzhang_db::Db as Store;

use crate::args::Cli;
use crate::clock;
use crate::exit::{bad_input, cannot_open, Exit};

/// The store named by `--db` or `QIANZHANG_DB` (a file, or a `postgres://`
/// URL), else `./qianzhang.db`.
pub(crate) fn db_path(cli: &Cli) -> PathBuf {
    cli.db.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DB))
}

const DEFAULT_DB: &str = "qianzhang.db";

/// Whether `--db` names a file (SQLite) rather than a database server.
pub(crate) fn is_file(db: &Path) -> bool {
    matches!(qianzhang_db::Spec::of(db), qianzhang_db::Spec::File(_))
}

/// Opens or creates the store, waiting for a busy one at most once.
pub(crate) fn open_store(path: &Path) -> Result<Store, Exit> {
    qianzhang_db::open(path, clock::busy_wait()).map_err(|e| cannot_open(path, e))
}

/// A store file that is not there, as a message names it: an address with
/// its password left out, and a word on how a PostgreSQL address begins
/// when the scheme was mistyped (`postgress://…` is taken for a file).
pub(crate) fn missing(path: &Path) -> String {
    let shown = qianzhang_db::Spec::of(path).display();
    if shown.contains("://") {
        format!("{shown}（PostgreSQL 地址以 postgres:// 或 postgresql:// 开头）")
    } else {
        shown
    }
}

/// Opens an existing store; reading a store that does not exist is a usage
/// error (the wrong `--db`), not an empty result.
pub(crate) fn open_existing(path: &Path) -> Result<Store, Exit> {
    if is_file(path) && !path.exists() {
        return Err(Exit::Usage(format!(
            "找不到账簿文件 {}；请先运行 qianzhang init，或用 --db 指明文件",
            missing(path)
        )));
    }
    open_store(path)
}

/// The ledger the command is about.
pub(crate) fn open_ledger(cli: &Cli) -> Result<Ledger<Store>, Exit> {
    let store = open_existing(&db_path(cli))?;
    Ok(Ledger::select(store, cli.ledger.as_deref())?)
}

/// The command as typed, for the log.
/// A PostgreSQL address is recorded without its password: the log is kept
/// for ever and anyone may read it.
pub(crate) fn command_line() -> String {
    std::env::args_os().skip(1).map(|a| shown_arg(&a.to_string_lossy())).collect::<Vec<_>>().join(" ")
}

/// One argument as the log records it: an address in it (`postgres://…`
/// as `--db=…` or alone, or any `scheme://`, a mistyped one included) with
/// its password left out.
fn shown_arg(arg: &str) -> String {
    if arg.contains("://") {
        qianzhang_db::redact(arg)
    } else {
        arg.to_string()
    }
}

/// The operator `--as` names, acting now.
pub(crate) fn claim(cli: &Cli) -> Result<Claim, Exit> {
    Ok(Claim::new(cli.actor.as_deref(), clock::now(), command_line())?)
}

/// How a terminal waits out a slowed sign-in (OPR-1).
pub(crate) fn pause(name: &str, failures: u32, delay: Duration) {
    eprintln!("“{name}”的口令已连续错误 {failures} 次，{} 秒后核对……", delay.as_secs());
    clock::pause(delay);
}

/// Signs the operator in at `ledger` with their passphrase (OPR-1).
pub(crate) fn sign_in(cli: &Cli, ledger: Ledger<Store>) -> Result<Session<Store>, Exit> {
    let claim = claim(cli)?;
    let passphrase = own_passphrase(&claim.name)?;
    Ok(qianzhang_app::session::sign_in(ledger, claim, &passphrase, &mut pause)?)
}

/// Opens the ledger and signs the operator in.
pub(crate) fn open_session(cli: &Cli) -> Result<Session<Store>, Exit> {
    let ledger = open_ledger(cli)?;
    sign_in(cli, ledger)
}

/// Logs a refusal found before the command reached the store (AUD-1), when
/// there is a ledger to log it in; in whose name is the application's
/// policy. The passphrase given to a script counts; a terminal is not
/// asked again.
pub(crate) fn log_refusal(cli: &Cli, reasons: &[Refusal], unlisted: usize) -> Result<(), Exit> {
    let path = db_path(cli);
    if is_file(path.as_path()) && !path.exists() {
        return Ok(());
    }
    let store = open_store(&path)?;
    let Ok(mut ledger) = Ledger::select(store, cli.ledger.as_deref()) else { return Ok(()) };
    let claimed = claim(cli).ok();
    let passphrase = std::env::var("QIANZHANG_PASSPHRASE").ok();
    let refusals = Refusals { reasons: reasons.to_vec(), unlisted };
    qianzhang_app::session::log_refusal(
        &mut ledger,
        claimed.as_ref(),
        passphrase.as_deref(),
        &clock::now_rfc3339(),
        &command_line(),
        &refusals,
        &mut pause,
    )?;
    Ok(())
}

/// The operator's passphrase: `QIANZHANG_PASSPHRASE` for scripts, else asked
/// for on the terminal.
pub(crate) fn own_passphrase(name: &str) -> Result<String, Exit> {
    if let Ok(p) = std::env::var("QIANZHANG_PASSPHRASE") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(format!("{name} 的口令："))?);
    }
    Err(bad_input(Rule::Opr1, "改动账簿须输入操作人的口令：请在终端中运行，或为脚本设置环境变量 QIANZHANG_PASSPHRASE"))
}

/// A new passphrase for `name`: `QIANZHANG_NEW_PASSPHRASE`, else asked for
/// twice on the terminal; `None` when neither is possible.
pub(crate) fn new_passphrase(name: &str) -> Result<Option<String>, Exit> {
    if let Ok(p) = std::env::var("QIANZHANG_NEW_PASSPHRASE") {
        return Ok(Some(p));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let first = rpassword::prompt_password(format!("为 {name} 设置口令："))?;
    let second = rpassword::prompt_password("再输入一次：")?;
    if first != second {
        return Err(bad_input(Rule::Opr1, "两次输入的口令不一致"));
    }
    Ok(Some(first))
}

/// The second person of PER-2 proves who they are with their own passphrase.
pub(crate) fn approver_passphrase(name: &str) -> Result<String, Exit> {
    if let Ok(p) = std::env::var("QIANZHANG_APPROVER_PASSPHRASE") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(format!("审批人 {name} 的口令："))?);
    }
    Err(bad_input(
        Rule::Per2,
        format!("反结账须审批人 {name} 输入口令：请在终端中运行，或为脚本设置 QIANZHANG_APPROVER_PASSPHRASE"),
    ))
}

/// Hashes a new passphrase.
pub(crate) fn hash_new(passphrase: &str) -> Result<String, Exit> {
    Ok(qianzhang_app::session::hash_new(passphrase)?)
}

#[cfg(test)]
mod tests {
    use super::shown_arg;

    #[test]
    fn aud_1_a_database_password_never_reaches_the_log() {
        assert_eq!(shown_arg("postgres://qz:机密@127.0.0.1/qz"), "postgres://qz:***@127.0.0.1/qz");
        assert_eq!(shown_arg("--db=POSTGRESQL://qz:机密@h/qz"), "--db=POSTGRESQL://qz:***@h/qz");
        assert_eq!(shown_arg("--to=postgres://qz@h/qz"), "--to=postgres://qz@h/qz");
        assert_eq!(shown_arg("--db=postgress://qz:机密@h/qz"), "--db=postgress://qz:***@h/qz");
        assert_eq!(shown_arg("postgres://qz@h/qz?password=机密"), "postgres://qz@h/qz?password=***");
        assert_eq!(shown_arg("街道.db"), "街道.db");
        assert_eq!(shown_arg("postgres 的说明"), "postgres 的说明");
    }
}
