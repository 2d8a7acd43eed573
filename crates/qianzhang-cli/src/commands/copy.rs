//! `copy --from A --to B [--ledger N]…`: ledgers moved to another store
//! with their whole log, each verified there with the source's fingerprint.

use std::path::Path;

use qianzhang_app::backend::Backend;
use qianzhang_app::copy::Outcome;
use qianzhang_app::Claim;

use crate::args::Cli;
use crate::backends::{open_backend, remove_created, same_store, shown};
use crate::exit::Exit;
use crate::output::out;
use crate::session::{claim, own_passphrase, pause};

/// What the copy was asked, whichever backends hold the two stores.
struct Request<'a> {
    to: &'a Path,
    ledgers: &'a [String],
    who: Claim,
}

/// Copies the ledgers named (all when none) from `from` into `to`.
pub(crate) fn copy(cli: &Cli, from: &Path, to: &Path, ledgers: &[String]) -> Result<(), Exit> {
    if same_store(from, to) {
        return Err(Exit::Usage("--from 与 --to 是同一个账簿：复制不会写入源账簿，请另指定目标账簿".into()));
    }
    let who = claim(cli)?;
    let source = open_backend(from, false)?;
    let request = Request { to, ledgers, who };
    let created = !to.exists();
    let outcome = into_target(source, &request);
    // A target this command created and filled with nothing is removed:
    // a failed copy leaves the target as it was.
    if created && !matches!(&outcome, Ok(o) if !o.copied.is_empty()) {
        remove_created(to);
    }
    render(outcome?, to)
}

/// Opens the target, in whichever backend it is kept, and copies.
fn into_target<S: Backend>(source: S, r: &Request<'_>) -> Result<Outcome, Exit> {
    let mut target = open_backend(r.to, true)?;
    run(source, &mut target, r)
}

/// Both stores open: the operator's passphrase, then the copy.
fn run<S: Backend, T: Backend>(source: S, target: &mut T, r: &Request<'_>) -> Result<Outcome, Exit> {
    let passphrase = own_passphrase(&r.who.name)?;
    Ok(qianzhang_app::copy::copy(source, target, r.ledgers, &r.who, &passphrase, &mut pause)?)
}

fn render(outcome: Outcome, to: &Path) -> Result<(), Exit> {
    let mut text = String::new();
    for c in &outcome.copied {
        text.push_str(&format!(
            "已将账套“{}”复制到 {}：日志 {} 条，扫描件 {} 份；副本校验通过，指纹与源账簿相同。\n指纹：{}\n",
            c.ledger,
            shown(to),
            c.entries,
            c.scans,
            c.fingerprint
        ));
    }
    out(&text)?;
    match outcome.failed {
        None => Ok(()),
        Some((ledger, error, rest)) => {
            let mut note = format!("账套“{ledger}”未复制，目标账簿中没有它的任何记录");
            if !rest.is_empty() {
                note.push_str(&format!("；其后的账套“{}”未复制", rest.join("”“")));
            }
            if !outcome.copied.is_empty() {
                note.push_str("；以上已复制的账套完整有效");
            }
            eprintln!("{note}。");
            Err(Exit::from(error))
        }
    }
}
