//! The three statements (STM-1) as their forms print them: 编制单位, the
//! month, 单位：元, and every line with its 行次, built on [`Table`] so each
//! format (and any later one rendered from a table) gets them alike.

use qianzhang_core::statements::{Form, Statement};
use qianzhang_core::Money;

use crate::table::{Align, ColumnType, Table};
use crate::{json, Format};

/// The date line of a form: a balance sheet is at the month's last day,
/// the other two cover the month.
fn when(s: &Statement) -> String {
    match s.form {
        Form::BalanceSheet => {
            let d = s.period.last_day();
            format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
        }
        _ => format!("{}年{}月", s.period.year(), s.period.month()),
    }
}

/// The statement as a table: 项目, 行次, then its columns. With `machine`
/// (CSV), amounts are plain decimals so that spreadsheets read numbers.
pub fn statement_table(s: &Statement, machine: bool) -> Table {
    let title = format!("{}　{}\n编制单位：{}　　{}　　单位：元", s.title, s.code, s.ledger, when(s));
    let mut t = Table::new(&title, &[("项目", Align::Left), ("行次", Align::Right)]);
    t.set_type("行次", ColumnType::Integer);
    for c in &s.columns {
        t.column(c, Align::Right);
    }
    let cell = |m: &Money| if machine { m.to_decimal_string() } else { m.to_string() };
    for line in &s.lines {
        let mut cells = vec![line.label.clone(), line.number.map(|n| n.to_string()).unwrap_or_default()];
        if line.values.is_empty() {
            cells.extend(s.columns.iter().map(|_| String::new()));
        } else {
            cells.extend(line.values.iter().map(cell));
        }
        if line.total {
            t.total(cells);
        } else {
            t.row(cells);
        }
    }
    for n in &s.notes {
        t.note(n);
    }
    t
}

/// One statement (资产负债表, 业务活动表 or 现金流量表) in `format`.
pub fn statement(s: &Statement, format: Format) -> String {
    if format == Format::Json {
        return json(s);
    }
    statement_table(s, format.is_machine()).render(format)
}
