//! Excel workbooks given where a CSV is read.
//!
//! A workbook is recognised by its content (the ZIP signature of .xlsx), not
//! by its name, and turned into the CSV text the CSV readers take, so every
//! rule and every message is the same for both. One worksheet is read: the
//! first, or the one named. Rows above the header (a bank's or 用友's title
//! and account lines) are left out when the caller can tell its header.
//!
//! Cells become text as they read in the sheet: a date cell `YYYY-MM-DD`
//! (with the time when it has one), a number cell its decimal value with the
//! binary floating-point noise of a spreadsheet's arithmetic rounded away at
//! the cent (`0.1+0.2` is `0.3`, not `0.30000000000000004`); a value that
//! really has more than two decimals stays as it is, for the CSV reader to
//! refuse as it would in a CSV.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::rule::{Refusal, Rule};

/// The first bytes of a ZIP archive, as every .xlsx is.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The first bytes of an OLE compound file: an old binary .xls, or an .xlsx
/// encrypted with a password (Excel stores those the same way).
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// How many rows at the top may stand above the header.
const HEADER_SEARCH_ROWS: usize = 30;
/// The most a workbook may unpack to (LIM-1): a small file that inflates to
/// gigabytes is refused before it is read.
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;

/// What a file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A ZIP archive: read as .xlsx.
    Workbook,
    /// An old .xls or a password-protected workbook: refused.
    Compound,
    /// Anything else: read as CSV text.
    Text,
}

pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(ZIP_MAGIC) {
        Sniffed::Workbook
    } else if head.starts_with(OLE_MAGIC) {
        Sniffed::Compound
    } else {
        Sniffed::Text
    }
}

/// The worksheet of a workbook as UTF-8 CSV, from its header row on.
///
/// `file` names the file in messages. `is_header` tells a header row; the
/// first of the top rows it accepts is the first row written (when none is,
/// the first non-empty row is, and the CSV reader names what is missing).
/// A workbook that cannot be read, an old .xls, a missing or empty sheet is
/// refused with a message naming the file; nothing here panics on any bytes.
pub fn sheet_as_csv(
    bytes: &[u8],
    sheet: Option<&str>,
    file: &str,
    is_header: &dyn Fn(&[String]) -> bool,
) -> Result<Vec<u8>, Refusal> {
    let refuse = |why: String| Refusal::new(Rule::Csv1, format!("无法读取 Excel 文件 {file}：{why}"));
    match sniff(bytes) {
        Sniffed::Workbook => {}
        Sniffed::Compound => {
            return Err(refuse(
                "这是旧版 Excel 97-2003 工作簿（.xls）或设置了打开密码的工作簿，本程序只读 .xlsx；\
                 请在 Excel 中取消密码后“另存为”Excel 工作簿（.xlsx）或 CSV 再导入"
                    .into(),
            ))
        }
        Sniffed::Text => return Err(refuse("不是 .xlsx 工作簿（文件开头不是 ZIP 格式）".into())),
    }
    if let Some(size) = unpacked_size(bytes).filter(|s| *s > MAX_UNPACKED_BYTES) {
        return Err(Refusal::new(
            Rule::Lim1,
            format!(
                "无法读取 Excel 文件 {file}：解压后有 {size} 字节，超过 {MAX_UNPACKED_BYTES} 字节，\
                 不是本程序能读取的工作簿；请分成几个文件或另存为 CSV"
            ),
        ));
    }
    // The reader of a third party on untrusted bytes: a panic in it is
    // caught and told as a damaged file, never an abort.
    let read = std::panic::catch_unwind(|| read_sheet(bytes, sheet));
    let rows = match read {
        Ok(Ok(rows)) => rows,
        Ok(Err(why)) => return Err(refuse(why)),
        Err(_) => return Err(refuse("文件已损坏，无法解析".into())),
    };
    let Some(first) = rows.iter().position(|r| r.iter().any(|c| !c.trim().is_empty())) else {
        let name = sheet.map(|s| format!("“{s}”")).unwrap_or_else(|| "第一个工作表".into());
        return Err(refuse(format!("工作表{name}是空的，没有表头和数据；请确认选对了文件或用 --sheet 指定工作表")));
    };
    let start = rows
        .iter()
        .enumerate()
        .skip(first)
        .take(HEADER_SEARCH_ROWS)
        .find(|(_, r)| is_header(r))
        .map(|(i, _)| i)
        .unwrap_or(first);
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for row in &rows[start..] {
        w.write_record(row).map_err(|e| refuse(e.to_string()))?;
    }
    w.into_inner().map_err(|e| refuse(e.to_string()))
}

/// What the archive's directory says its files unpack to; `None` when the
/// directory cannot be read (the workbook reader then says the file is
/// damaged).
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        total = total.saturating_add(archive.by_index_raw(i).ok()?.size());
    }
    Some(total)
}

/// The rows of the sheet as text cells, trailing empty cells dropped.
fn read_sheet(bytes: &[u8], sheet: Option<&str>) -> Result<Vec<Vec<String>>, String> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("文件已损坏或不是 .xlsx 工作簿（{e}）"))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.trim() == wanted.trim())
            .cloned()
            .ok_or_else(|| format!("没有名为“{wanted}”的工作表；工作簿中的工作表有：{}", names.join("、")))?,
        None => names.first().cloned().ok_or_else(|| "工作簿中没有工作表".to_string())?,
    };
    let range = book.worksheet_range(&name).map_err(|e| format!("工作表“{name}”无法读取（{e}）"))?;
    let top = range.start().map(|(r, _)| r).unwrap_or(0);
    let left = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
    let mut rows = Vec::with_capacity(range.height());
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); left];
        for (j, cell) in row.iter().enumerate() {
            let text = cell_text(cell)
                .map_err(|why| format!("第 {} 行第 {} 列{why}", top as usize + i + 1, column_letters(left + j)))?;
            cells.push(text);
        }
        while cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        rows.push(cells);
    }
    Ok(rows)
}

/// One cell as the CSV text it stands for.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(d) => number_text(d.as_f64()),
        Data::DateTimeIso(s) => match s.split_once('T') {
            Some((date, "00:00:00")) => date.to_string(),
            Some((date, time)) => format!("{date} {time}"),
            None => s.clone(),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("是 Excel 错误值 {e}，请在表格中改正该单元格后再导入")),
    })
}

/// A number cell as decimal text. The shortest text that reads back as the
/// same float is the number the user typed; when it has more than two
/// decimals only because binary floating point cannot hold cents exactly
/// (a sum like `0.1+0.2`), it is rounded to the cent.
pub fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let exact = format!("{f}");
    let decimals = exact.split_once('.').map(|(_, d)| d.len()).unwrap_or(0);
    if decimals <= 2 {
        return exact;
    }
    let cents = (f * 100.0).round() / 100.0;
    // Noise is many orders below a cent; a typed 1.234 is not noise.
    if (f - cents).abs() <= f.abs().max(1.0) * 1e-12 {
        let text = format!("{cents:.2}");
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        trimmed.to_string()
    } else {
        exact
    }
}

fn column_letters(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_noise_rounds_to_the_cent_and_real_decimals_stay() {
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1234.1), "1234.1");
        assert_eq!(number_text(1234.0), "1234");
        assert_eq!(number_text(-56.78), "-56.78");
        assert_eq!(number_text(100.0 * 1.1), "110");
        assert_eq!(number_text(1.234), "1.234", "a third decimal is the CSV reader's to refuse");
        assert_eq!(number_text(10.0 / 3.0), "3.3333333333333335");
        assert_eq!(number_text(99_999_999.99), "99999999.99");
    }

    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn csv_of(book: &mut Workbook, sheet: Option<&str>) -> Result<String, Refusal> {
        let bytes = book.save_to_buffer().unwrap();
        let header = |cells: &[String]| crate::csvfile::is_voucher_header(cells);
        sheet_as_csv(&bytes, sheet, "凭证.xlsx", &header).map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn title_rows_are_skipped_and_cells_read_as_the_sheet_holds_them() {
        let mut book = Workbook::new();
        let s = book.add_worksheet();
        s.write_string(0, 0, "记账凭证　幸福里社区").unwrap();
        s.write_string(1, 0, "编制单位：幸福里社区居民委员会").unwrap();
        for (c, h) in ["日期", "凭证号", "摘要", "科目", "借方", "贷方"].iter().enumerate() {
            s.write_string(2, c as u16, *h).unwrap();
        }
        let date = Format::new().set_num_format("yyyy年m月d日");
        s.write_datetime_with_format(3, 0, ExcelDateTime::from_ymd(2025, 1, 5).unwrap(), &date).unwrap();
        s.write_number(3, 1, 1.0).unwrap();
        s.write_string(3, 2, "=买\"水\"").unwrap();
        s.write_number(3, 3, 520101.0).unwrap();
        s.write_number(3, 4, 0.1 + 0.2).unwrap();
        let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let noon = ExcelDateTime::parse_from_str("2025-01-05 12:30:00").unwrap();
        s.write_datetime_with_format(4, 0, noon, &stamp).unwrap();
        s.write_boolean(4, 1, true).unwrap();
        s.write_number(4, 5, 1234.1).unwrap();
        let csv = csv_of(&mut book, None).unwrap();
        assert_eq!(
            csv,
            "日期,凭证号,摘要,科目,借方,贷方\n2025-01-05,1,\"=买\"\"水\"\"\",520101,0.3\n\
             2025-01-05 12:30:00,TRUE,,,,1234.1\n"
        );
    }

    #[test]
    fn a_named_sheet_is_read_and_an_unknown_or_empty_one_refused() {
        let mut book = Workbook::new();
        book.add_worksheet().set_name("封面").unwrap();
        let s = book.add_worksheet().set_name("一月").unwrap();
        s.write_string(0, 0, "日期").unwrap();
        assert_eq!(csv_of(&mut book, Some("一月")).unwrap(), "日期\n");
        let e = csv_of(&mut book, None).unwrap_err();
        assert!(e.message.contains("凭证.xlsx") && e.message.contains("是空的"), "{}", e.message);
        let e = csv_of(&mut book, Some("二月")).unwrap_err();
        assert!(e.message.contains("没有名为“二月”的工作表") && e.message.contains("封面、一月"), "{}", e.message);
    }

    #[test]
    fn a_workbook_cut_short_is_refused_not_a_panic() {
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "日期").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        for cut in [4, 30, bytes.len() / 2, bytes.len() - 1] {
            let e = sheet_as_csv(&bytes[..cut], None, "断.xlsx", &|_| true).unwrap_err();
            assert!(e.message.contains("断.xlsx"), "{}", e.message);
        }
    }

    #[test]
    fn lim_1_a_workbook_that_unpacks_past_the_limit_is_refused() {
        // An archive whose one entry says it unpacks to 2 GiB (stored, so
        // the few bytes here are all there is).
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        std::io::Write::write_all(&mut zip, b"<x/>").unwrap();
        let mut bytes = zip.finish().unwrap().into_inner();
        // Patch the central directory's uncompressed size (offset 24 of its header).
        let cd = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        bytes[cd + 24..cd + 28].copy_from_slice(&0x8000_0000u32.to_le_bytes());
        assert_eq!(unpacked_size(&bytes), Some(0x8000_0000));
        let e = sheet_as_csv(&bytes, None, "大.xlsx", &|_| true).unwrap_err();
        assert_eq!(e.rule, Rule::Lim1);
        assert!(e.message.contains("大.xlsx") && e.message.contains("解压后"), "{}", e.message);
    }

    #[test]
    fn columns_are_lettered_as_excel_does() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn old_xls_and_plain_text_and_broken_zip_are_refused_with_the_file_named() {
        let any = |_: &[String]| true;
        let mut xls = OLE_MAGIC.to_vec();
        xls.extend_from_slice(&[0; 512]);
        let e = sheet_as_csv(&xls, None, "旧表.xls", &any).unwrap_err();
        assert!(e.message.contains("旧表.xls") && e.message.contains(".xls"), "{}", e.message);
        let e = sheet_as_csv(b"PK\x03\x04garbage", None, "坏.xlsx", &any).unwrap_err();
        assert!(e.message.contains("坏.xlsx") && e.message.contains("损坏"), "{}", e.message);
        let e = sheet_as_csv(b"a,b\n", None, "x.xlsx", &any).unwrap_err();
        assert!(e.message.contains("不是 .xlsx"), "{}", e.message);
        assert_eq!(sniff(b"PK\x03\x04rest"), Sniffed::Workbook);
        assert_eq!(sniff(b"\xEF\xBB\xBF\xE6\x97\xA5"), Sniffed::Text);
    }
}
