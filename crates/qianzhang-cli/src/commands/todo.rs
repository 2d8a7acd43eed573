//! `todo`: what waits for the operator today. A read, like every report:
//! it names the person (`--as`) but asks for no passphrase.

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
    let list = qianzhang_app::todo::todo(&mut ledger, name, clock::today())?;
    crate::output::report(cli, output, format, &qianzhang_report::todo(&list, format))
}
