//! `todo`: what waits for the operator today. A read, like every report:
//! it names the person (`--as`) but asks for no passphrase. Each item says
//! what to do and to what; here it also says the command that does it (the
//! web office links to the page instead).

use qianzhang_core::period::format_date;
use qianzhang_core::todo::{Item, Kind};
use qianzhang_core::Period;
use qianzhang_report::Format;

use crate::args::Cli;
use crate::clock;
use crate::exit::Exit;
use crate::session::open_ledger;

pub(crate) fn todo(cli: &Cli, format: Format, output: Option<&std::path::Path>) -> Result<(), Exit> {
    let name = cli
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Exit::Usage("待办事项是谁的？请加 --as 姓名，或设置环境变量 QIANZHANG_USER".into()))?;
    let mut ledger = open_ledger(cli)?;
    let mut list = qianzhang_app::todo::todo(&mut ledger, name, clock::today())?;
    for item in &mut list.items {
        item.what = format!("{}（{}）", item.what, command(item));
    }
    crate::output::report(cli, output, format, &qianzhang_report::todo(&list, format))
}

/// The command that does the item, on its subject.
fn command(item: &Item) -> String {
    let s = &item.subject;
    match item.kind {
        Kind::Sign(k) => format!("voucher {} {s}", k.as_str()),
        Kind::Post => format!("voucher post {s}"),
        Kind::CountCash => "cash count".to_string(),
        Kind::Reconcile => {
            let last = s.parse::<Period>().map(|p| format_date(p.last_day())).unwrap_or_default();
            format!("bank import 对账单文件，bank match；或 bank balance --date {last} --balance 余额")
        }
        Kind::Close => format!("period check {s}，period close {s}"),
        Kind::ReviewDisclosure => format!("disclose review --month {s} --opinion 意见"),
        Kind::AppointmentEnds => "person appoint".to_string(),
        Kind::NearCap => "auth add".to_string(),
        Kind::Openings => "opening show，opening set 或 opening import".to_string(),
    }
}
