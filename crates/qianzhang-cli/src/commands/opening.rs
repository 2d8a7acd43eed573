//! `opening set|import|show`: the opening balances of the go-live month
//! (期初余额, OPN-1).

use std::path::PathBuf;

use clap::Subcommand;
use qianzhang_app::opening as app;
use qianzhang_core::opening::side_and_size;
use qianzhang_core::Side;
use qianzhang_report::Format;

use crate::args::{named, Cli};
use crate::exit::Exit;
use crate::outcome::field;
use crate::output::out;
use crate::session::{open_ledger, open_session};

#[derive(Subcommand, Debug)]
pub(crate) enum OpeningCmd {
    /// 录入或更正一个末级科目的期初余额 / set an account's opening balance:
    /// opening set 1001 1,200.00 (资产、费用默认在借方，负债、净资产、收入默认在贷方；负数或 --direction 表示另一方；0 删除)
    Set {
        /// 科目编码 / the leaf account's code
        code: String,
        /// 金额，可写 ¥1,200.00 / the amount (¥, ￥ and commas accepted)
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// 余额方向 借|贷（默认为科目的正常方向）/ the side: debit (借) or credit (贷)
        #[arg(long, value_parser = named::<Side>())]
        direction: Option<Side>,
    },
    /// 从科目余额表导入全部期初余额（整体替换）/ import the whole set from a CSV (replaces it)
    Import {
        /// CSV 或 Excel (.xlsx)：科目编码、科目名称（可选）、期初借方/期初贷方（或 借方余额/贷方余额，或 余额+方向）
        file: PathBuf,
        /// Excel 工作表名（默认第一个）/ the worksheet of an .xlsx (default: the first)
        #[arg(long)]
        sheet: Option<String>,
    },
    /// 期初余额表及借贷是否平衡 / the opening balances and whether they balance
    Show {
        #[arg(long, value_parser = named::<Format>(), default_value = "text")]
        format: Format,
        /// 输出文件（默认标准输出；xlsx 必须指定）/ output file (required for xlsx)
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

pub(crate) fn opening(cli: &Cli, cmd: &OpeningCmd) -> Result<(), Exit> {
    match cmd {
        OpeningCmd::Set { code, amount, direction } => {
            let set = app::set(&mut open_session(cli)?, code, amount, *direction)?;
            let (side, size) = side_and_size(set.amount);
            field("code", &set.code);
            field("name", &set.name);
            field("direction", side.chinese());
            field("amount", size);
            field("previous", set.previous);
            let what = if set.amount.is_zero() {
                format!("已删除科目 {} {} 的期初余额", set.code, set.name)
            } else {
                format!("科目 {} {} 期初余额：{} {}", set.code, set.name, side.chinese(), size.to_yuan())
            };
            let was = if set.previous.is_zero() || set.previous == set.amount {
                String::new()
            } else {
                let (s, m) = side_and_size(set.previous);
                format!("（原为 {} {}）", s.chinese(), m.to_yuan())
            };
            let sheet = app::sheet(&open_ledger(cli)?)?;
            out(&format!("{what}{was}\n{}\n", balance_line(&sheet)))
        }
        OpeningCmd::Import { file, sheet } => {
            let done = app::import(&mut open_session(cli)?, file, sheet.as_deref())?;
            field("rows", done.rows);
            field("changed", done.changed);
            field("removed", done.removed);
            field("debit", done.totals.debit);
            field("credit", done.totals.credit);
            field("balanced", done.totals.balanced());
            let removed = if done.removed > 0 {
                format!("，{} 个文件中没有的科目已删除期初余额", done.removed)
            } else {
                String::new()
            };
            let sheet = app::sheet(&open_ledger(cli)?)?;
            out(&format!(
                "已导入期初余额：{} 行，{} 个科目有变动{removed}\n{}\n",
                done.rows,
                done.changed,
                balance_line(&sheet)
            ))
        }
        OpeningCmd::Show { format, output } => {
            let format = format.plain(cli.plain);
            let text = qianzhang_report::openings(&app::sheet(&open_ledger(cli)?)?, format);
            crate::output::report(cli, output.as_deref(), format, &text)
        }
    }
}

fn balance_line(sheet: &qianzhang_core::opening::OpeningSheet) -> String {
    if sheet.balanced {
        format!("期初余额平衡：借方合计 {}，贷方合计 {}", sheet.totals.debit.to_yuan(), sheet.totals.credit.to_yuan())
    } else {
        format!("期初余额尚不平衡：{}；第一次结账前须更正（OPN-1）", sheet.totals.describe())
    }
}
