//! `person …`: people, appointments, kinship and passphrases.

use qianzhang_app::people;
use qianzhang_core::people::Appointment;
use qianzhang_core::Rule;

use crate::args::{Cli, PersonCmd};
use crate::clock;
use crate::exit::{bad_input, Exit};
use crate::outcome::field;
use crate::output::out;
use crate::session::{hash_new, new_passphrase, open_ledger, open_session};

pub(crate) fn person(cli: &Cli, cmd: &PersonCmd) -> Result<(), Exit> {
    match cmd {
        PersonCmd::Add { name } => {
            let hash = new_passphrase(name.trim())?.map(|p| hash_new(&p)).transpose()?;
            let note = if hash.is_some() { "" } else { "；尚未设置口令，请用 person passphrase 设置" };
            people::register(&mut open_session(cli)?, name, hash)?;
            field("name", name.trim());
            out(&format!("已登记 {}{note}\n", name.trim()))
        }
        PersonCmd::List { date } => {
            let date = date.unwrap_or_else(clock::today);
            out(&qianzhang_report::people(&people::registry(&open_ledger(cli)?)?, date))
        }
        PersonCmd::Appoint { name, role, from, leader, title, to, acting } => {
            let ended = to.map(people::ended_after).transpose()?;
            let appointment = Appointment {
                person: name.clone(),
                role: *role,
                from: from.unwrap_or_else(clock::today),
                ended,
                leader: *leader,
                title: title.clone(),
                acting: *acting,
            };
            let text = format!(
                "已任命 {} 为{}，{}\n",
                appointment.person,
                match (&appointment.title, appointment.acting) {
                    (Some(t), _) => t.as_str(),
                    (None, true) => "代理审批人",
                    (None, false) => appointment.role.chinese(),
                },
                appointment.tenure()
            );
            field("name", &appointment.person);
            field("role", qianzhang_core::names::Named::name(appointment.role));
            people::appoint_to(&mut open_session(cli)?, appointment)?;
            out(&text)
        }
        PersonCmd::End { name, role, date } => {
            let date = date.unwrap_or_else(clock::today);
            let role = *role;
            people::end(&mut open_session(cli)?, name, role, date)?;
            field("name", name);
            field("role", qianzhang_core::names::Named::name(role));
            field("ended", qianzhang_core::period::format_date(date));
            out(&format!("{name}的{}任职自 {} 起结束\n", role.chinese(), qianzhang_core::period::format_date(date)))
        }
        PersonCmd::Relate { a, b, kind } => {
            let fact = kind.fact(a.clone(), b.clone());
            field("a", a.trim());
            field("b", b.trim());
            field("kind", qianzhang_core::names::Named::name(*kind));
            let mut text = format!("已登记亲属关系：{}\n", qianzhang_core::books::describe_fact(&fact));
            for c in people::relate(&mut open_session(cli)?, fact)? {
                text.push_str(&format!("注意：{c}\n"));
            }
            out(&text)
        }
        PersonCmd::Passphrase { name } => {
            let Some(passphrase) = new_passphrase(name)? else {
                return Err(bad_input(
                    Rule::Opr1,
                    "请在终端中输入新口令，或为脚本设置环境变量 QIANZHANG_NEW_PASSPHRASE",
                ));
            };
            let hash = hash_new(&passphrase)?;
            people::set_passphrase_of(&mut open_session(cli)?, name, hash)?;
            field("name", name);
            out(&format!("已设置 {name} 的口令\n"))
        }
        PersonCmd::Relation { a, b } => match people::relation(&open_ledger(cli)?, a, b, clock::today())? {
            Some(x) => out(&format!("{x}\n")),
            None => out(&format!("{b}不是{a}的近亲属（按已登记的亲属关系）\n")),
        },
    }
}
