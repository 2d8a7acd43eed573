//! Any [`Table`] as an Excel workbook: the title above (bold), 编制单位 and
//! period under it, Chinese headers in a frozen row, amounts as numeric
//! cells shown `#,##0.00`, dates as date cells, counts as numbers, total
//! rows bold, notes below; columns as wide as their text (a CJK character
//! counts two). Every text cell is written as a string: text that looks
//! like a formula (`=1+1`) is never run as one.
//!
//! The sheet is written in constant-memory mode (rows go to a temporary
//! file as written), so a year's journal does not sit in memory twice.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

use crate::table::{ColumnType, Table};

/// The widest column, in characters.
const MAX_WIDTH: usize = 60;

/// The workbook of a table handed over as [`Table::sheet`] text.
pub fn workbook(sheet: &str) -> Result<Vec<u8>, String> {
    let table: Table = serde_json::from_str(sheet).map_err(|e| format!("报表数据无法转为 Excel：{e}"))?;
    table_workbook(&table).map_err(|e| format!("无法生成 Excel 文件：{e}"))
}

struct Styles {
    title: Format,
    subtitle: Format,
    header: Format,
    text: [Format; 2],
    money: [Format; 2],
    integer: [Format; 2],
    date: [Format; 2],
}

impl Styles {
    fn new() -> Styles {
        let both = |f: Format| [f.clone(), f.set_bold()];
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new(),
            header: Format::new().set_bold().set_background_color("#E7E6E6").set_border_bottom(FormatBorder::Thin),
            text: both(Format::new()),
            money: both(Format::new().set_num_format("#,##0.00")),
            integer: both(Format::new().set_num_format("0")),
            date: both(Format::new().set_num_format("yyyy-mm-dd")),
        }
    }
}

/// The workbook of `table`, one worksheet.
pub fn table_workbook(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let styles = Styles::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name(table.title()))?;
    write_table(sheet, table, &styles)?;
    book.save_to_buffer()
}

/// A worksheet's name: the report's name (before the first 　), within
/// Excel's 31 characters and without the characters it forbids.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .split('\u{3000}')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let name = name.trim().trim_matches('\'').to_string();
    if name.is_empty() {
        "Sheet1".into()
    } else {
        name
    }
}

fn write_table(sheet: &mut Worksheet, table: &Table, styles: &Styles) -> Result<(), XlsxError> {
    let headers = table.chinese_headers();
    let types = table.types();
    let mut row: u32 = 0;
    // The title, then 编制单位 (the ledger) and the period on the next row.
    let mut parts = table.title().split('\u{3000}').filter(|p| !p.trim().is_empty());
    if let Some(title) = parts.next() {
        sheet.write_string_with_format(row, 0, title, &styles.title)?;
        row += 1;
        let rest: Vec<String> = parts.map(|p| p.replacen("账套：", "编制单位：", 1)).collect();
        if !rest.is_empty() {
            sheet.write_string_with_format(row, 0, rest.join("　"), &styles.subtitle)?;
            row += 1;
        }
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for (cells, _) in table.rows() {
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(c.width());
        }
    }
    for (col, (w, ty)) in widths.iter().zip(types).enumerate() {
        let col = col as u16;
        sheet.set_column_width(col, (*w).clamp(6, MAX_WIDTH) as f64 + 2.0)?;
        // A cell written without a format takes its column's: the rows go
        // through the fast path, only the bold totals name a format.
        match ty {
            ColumnType::Money => sheet.set_column_format(col, &styles.money[0])?,
            ColumnType::Integer => sheet.set_column_format(col, &styles.integer[0])?,
            ColumnType::Date => sheet.set_column_format(col, &styles.date[0])?,
            ColumnType::Text => sheet,
        };
    }
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, h, &styles.header)?;
    }
    row += 1;
    sheet.set_freeze_panes(row, 0)?;
    for (cells, total) in table.rows() {
        for (col, (cell, ty)) in cells.iter().zip(types).enumerate() {
            let col = col as u16;
            if cell.is_empty() {
                if *total {
                    sheet.write_blank(row, col, &styles.text[1])?;
                }
                continue;
            }
            let typed = match ty {
                ColumnType::Money | ColumnType::Integer => number(cell).map(Typed::Number),
                ColumnType::Date => date(cell).map(Typed::Date),
                ColumnType::Text => None,
            };
            match (typed, *total) {
                (Some(Typed::Number(n)), false) => sheet.write_number(row, col, n)?,
                (Some(Typed::Number(n)), true) => {
                    let f = if *ty == ColumnType::Money { &styles.money[1] } else { &styles.integer[1] };
                    sheet.write_number_with_format(row, col, n, f)?
                }
                (Some(Typed::Date(d)), false) => sheet.write_datetime(row, col, d)?,
                (Some(Typed::Date(d)), true) => sheet.write_datetime_with_format(row, col, d, &styles.date[1])?,
                (None, false) => sheet.write_string(row, col, cell)?,
                (None, true) => sheet.write_string_with_format(row, col, cell, &styles.text[1])?,
            };
        }
        row += 1;
    }
    for note in table.notes() {
        row += 1;
        sheet.write_string(row, 0, note)?;
    }
    Ok(())
}

enum Typed {
    Number(f64),
    Date(ExcelDateTime),
}

/// A cell of digits (commas grouping thousands, one decimal point, a
/// leading minus) as its number; anything else is text.
fn number(cell: &str) -> Option<f64> {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let ok = digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b',')
        && digits.bytes().filter(|c| *c == b'.').count() <= 1;
    if !ok {
        None
    } else if cell.contains(',') {
        cell.replace(',', "").parse().ok()
    } else {
        cell.parse().ok()
    }
}

/// A `YYYY-MM-DD` cell as a date.
fn date(cell: &str) -> Option<ExcelDateTime> {
    let b = cell.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: u16 = cell[..4].parse().ok()?;
    let m: u8 = cell[5..7].parse().ok()?;
    let d: u8 = cell[8..].parse().ok()?;
    ExcelDateTime::from_ymd(y, m, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Align;
    use calamine::{Data, Reader, Xlsx};

    fn read_back(bytes: Vec<u8>) -> (Vec<String>, calamine::Range<Data>) {
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        let names = book.sheet_names();
        let range = book.worksheet_range(&names[0]).expect("the sheet");
        (names, range)
    }

    #[test]
    fn cells_are_typed_headers_chinese_titles_above_and_formulas_stay_text() {
        let mut t = Table::new(
            "序时账　账套：平安社区　期间：2026-01 至 2026-01",
            &[("date", Align::Left), ("summary", Align::Left), ("debit", Align::Right), ("level", Align::Right)],
        );
        t.set_type("level", ColumnType::Integer);
        t.row(vec!["2026-01-05".into(), "=1+1".into(), "1234.10".into(), "2".into()]);
        t.row(vec!["2026-01-06".into(), "-x".into(), "-0.30".into(), "1".into()]);
        t.total(vec![String::new(), "合计".into(), "1,233.80".into(), String::new()]);
        let (names, range) = read_back(table_workbook(&t).expect("written"));
        assert_eq!(names, ["序时账"]);
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("序时账".into())));
        assert_eq!(range.get_value((1, 0)), Some(&Data::String("编制单位：平安社区　期间：2026-01 至 2026-01".into())));
        let header: Vec<String> = (0..4).map(|c| range.get_value((2, c)).unwrap().to_string()).collect();
        assert_eq!(header, ["日期", "摘要", "借方", "级次"]);
        match range.get_value((3, 0)) {
            Some(Data::DateTime(d)) => assert_eq!(d.to_ymd_hms_milli().0..=d.to_ymd_hms_milli().0, 2026..=2026),
            other => panic!("a date cell, not {other:?}"),
        }
        assert_eq!(range.get_value((3, 1)), Some(&Data::String("=1+1".into())), "text, never a formula");
        assert_eq!(range.get_value((3, 2)), Some(&Data::Float(1234.1)));
        assert_eq!(range.get_value((3, 3)), Some(&Data::Float(2.0)));
        assert_eq!(range.get_value((4, 2)), Some(&Data::Float(-0.3)));
        assert_eq!(range.get_value((5, 2)), Some(&Data::Float(1233.8)));
    }

    #[test]
    fn the_header_row_is_frozen() {
        let mut t = Table::new("科目余额表", &[("科目", Align::Left)]);
        t.row(vec!["1001".into()]);
        let bytes = table_workbook(&t).expect("written");
        let mut zip = String::from_utf8_lossy(&inflate_entry(&bytes, "xl/worksheets/sheet1.xml")).into_owned();
        zip.retain(|c| !c.is_whitespace());
        assert!(zip.contains(r#"state="frozen""#), "{zip}");
        assert!(zip.contains(r#"ySplit="2""#), "frozen below the title and the header: {zip}");
    }

    /// A year's journal on the 1M-voucher store is about 250,000 lines:
    /// `cargo test --release -p qianzhang-report -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn a_year_of_journal_lines_as_a_workbook() {
        let lines = 250_000;
        let mut t = Table::new(
            "序时账　账套：幸福里　期间：2025-01 至 2025-12",
            &[
                ("date", Align::Left),
                ("voucher", Align::Left),
                ("summary", Align::Left),
                ("account", Align::Left),
                ("account_name", Align::Left),
                ("debit", Align::Right),
                ("credit", Align::Right),
                ("origin", Align::Left),
                ("reverses", Align::Left),
            ],
        );
        for i in 0..lines {
            let amount = format!("{}.{:02}", i % 100_000, i % 100);
            let (debit, credit) = if i % 2 == 0 { (amount, String::new()) } else { (String::new(), amount) };
            t.row(vec![
                format!("2025-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
                format!("2025-{:02}/记-{:04}", i % 12 + 1, i / 24),
                "支付社区活动室水电费".into(),
                "520102".into(),
                "水电费".into(),
                debit,
                credit,
                "entered".into(),
                String::new(),
            ]);
        }
        let start = std::time::Instant::now();
        let sheet = t.sheet();
        let handed = start.elapsed();
        let bytes = workbook(&sheet).expect("written");
        println!("{lines} lines: handoff {handed:?}, workbook {:?}, {} bytes", start.elapsed(), bytes.len());
    }

    fn inflate_entry(bytes: &[u8], name: &str) -> Vec<u8> {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut entry = archive.by_name(name).expect("the entry");
        let mut out = Vec::new();
        entry.read_to_end(&mut out).expect("inflated");
        out
    }
}
