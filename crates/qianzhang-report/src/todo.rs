//! 待办事项: what waits for one officer on one day.

use qianzhang_core::period::format_date;
use qianzhang_core::todo::TodoList;

use crate::{json, Align, Format, Table};

/// Said when nothing waits.
pub const NOTHING: &str = "今天没有待办事项";

/// The list in text, Markdown, CSV or JSON; an empty list says so plainly.
pub fn todo(list: &TodoList, format: Format) -> String {
    if format == Format::Json {
        return json(list);
    }
    let posts = match &list.posts {
        Some(p) => format!("（{p}）"),
        None => "（当日无任职）".to_string(),
    };
    let title = format!("待办事项　{}{posts}　{}", list.person, format_date(list.date));
    if list.items.is_empty() && format == Format::Text {
        // No empty table to read: the title and the plain sentence.
        return format!("{title}\n{NOTHING}\n");
    }
    let mut t = Table::new(
        &title,
        &[
            ("序号", Align::Right),
            ("事项", Align::Left),
            ("对象", Align::Left),
            ("说明", Align::Left),
            ("规则", Align::Left),
        ],
    );
    for (i, item) in list.items.iter().enumerate() {
        t.row(vec![
            (i + 1).to_string(),
            item.kind.chinese().to_string(),
            item.subject.clone(),
            item.what.clone(),
            item.rule.id().to_string(),
        ]);
    }
    if list.items.is_empty() {
        t.note(NOTHING);
    } else {
        t.note(&format!("共 {} 项", list.items.len()));
    }
    match format {
        Format::Markdown => t.markdown(),
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        _ => t.text(),
    }
}
