//! `init` and `verify`: a ledger as a whole.

use qianzhang_app::ledger as app;
use qianzhang_core::period::show_time;
use qianzhang_core::Period;

use crate::args::Cli;
use crate::exit::Exit;
use crate::output::out;
use crate::session::{claim, db_path, hash_new, open_existing, open_store, own_passphrase};

/// `init --ledger NAME --start YYYY-MM`: the operator becomes its first admin.
pub(crate) fn init(cli: &Cli, start: Period) -> Result<(), Exit> {
    let name = app::new_name(cli.ledger.as_deref())?;
    let who = claim(cli)?;
    let hash = hash_new(&own_passphrase(&who.name)?)?;
    let created = app::create(open_store(&db_path(cli))?, &name, start, &who, hash)?;
    crate::outcome::field("accounts", created.accounts);
    crate::outcome::field("admin", &who.name);
    crate::outcome::field("start", created.ledger.start().to_string());
    crate::outcome::field("fingerprint", created.fingerprint.to_string());
    out(&format!(
        "已建立账套“{}”，启用期间 {}，预置科目 {} 个；{} 为管理员。\n指纹：{}\n",
        created.ledger.name(),
        created.ledger.start(),
        created.accounts,
        who.name,
        created.fingerprint
    ))
}

/// `verify [--fingerprint F [--month M]]`: exit 3 when any ledger fails.
pub(crate) fn verify(cli: &Cli, fingerprint: Option<&str>, month: Option<Period>) -> Result<(), Exit> {
    let store = open_existing(&db_path(cli))?;
    let reports = app::verify(&store, cli.ledger.as_deref(), fingerprint, month)?;
    if reports.is_empty() {
        // A new database (or file) holding no ledger: nothing verified is not "passed".
        return Err(Exit::Usage("账簿中还没有账套，没有可校验的内容；请先用 qianzhang init 建立账套".into()));
    }
    let mut text = String::new();
    let mut broken = Vec::new();
    for report in &reports {
        match &report.mismatch {
            None => {
                text.push_str(&format!(
                    "账套“{}”校验通过：日志 {} 条，哈希链完整，余额与日志重算一致。\n指纹：{}\n",
                    report.ledger, report.entries, report.fingerprint
                ));
                if let Some(a) = &report.anchor {
                    text.push_str(&format!(
                        "公布的指纹对应日志第 {} 条（{}，{}）：截至该条的历史与公布时一致，未被改写。\n",
                        a.seq,
                        show_time(&a.at),
                        a.description
                    ));
                    if let (Some(m), false) = (month, report.since.is_empty()) {
                        text.push_str(&format!(
                            "但公布之后，日志中又记有 {m} 的下列变动（公开表上的数字已不是现在的账）：\n"
                        ));
                        for e in &report.since {
                            text.push_str(&format!(
                                "  日志第 {} 条　{}　{}　{}\n",
                                e.seq,
                                show_time(&e.at),
                                e.actor,
                                e.description
                            ));
                            if e.closes {
                                text.push_str(&format!(
                                    "    重新结账后的指纹：{}（短指纹 {}）\n",
                                    e.fingerprint,
                                    e.fingerprint.short()
                                ));
                            }
                        }
                        if !report.since.last().is_some_and(|e| e.closes) {
                            text.push_str(&format!("  {m} 目前尚未重新结账。\n"));
                        }
                    }
                }
            }
            Some(m) => broken.push(format!(
                "[AUD-2] 账套“{}”校验失败：{}{}",
                report.ledger,
                m.seq.map(|s| format!("第一处不符在日志第 {s} 条。")).unwrap_or_default(),
                m.detail
            )),
        }
    }
    out(&text)?;
    if broken.is_empty() {
        Ok(())
    } else {
        Err(Exit::Integrity(broken.join("\n")))
    }
}
