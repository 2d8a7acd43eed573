//! Files given where a CSV is read may be Excel workbooks: one call turns a
//! file into the bytes its CSV reader takes.

use std::io::Read;
use std::path::Path;

use qianzhang_core::rule::Rule;
use qianzhang_core::xlsx::{sheet_as_csv, sniff, Sniffed};

use crate::Error;

/// The largest workbook read, in bytes (LIM-1): a workbook is read whole.
pub const MAX_WORKBOOK_BYTES: u64 = 256 * 1024 * 1024;

/// Whether the file at `path` is (by its first bytes, whatever its name) a
/// workbook: an .xlsx, or an .xls / password-protected one to refuse.
pub fn is_workbook(path: &Path) -> bool {
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    sniff(&head[..n]) != Sniffed::Text
}

/// The bytes a CSV reader takes from the file at `path`: a workbook's sheet
/// (the first, or `sheet`) as UTF-8 CSV from the row `is_header` accepts,
/// any other file as it is. `what` names the file in messages ("银行对账单").
/// At most `max_bytes` of text, [`MAX_WORKBOOK_BYTES`] of a workbook, are
/// read (LIM-1).
pub fn read_table_file(
    path: &Path,
    sheet: Option<&str>,
    max_bytes: u64,
    what: &str,
    is_header: &dyn Fn(&[String]) -> bool,
) -> Result<Vec<u8>, Error> {
    let limit = if is_workbook(path) { MAX_WORKBOOK_BYTES } else { max_bytes };
    let file = std::fs::File::open(path).map_err(|e| {
        Error::refuse(
            Rule::Csv1,
            format!("无法读取{what} {}：{}", path.display(), qianzhang_core::csvfile::io_reason(&e)),
        )
    })?;
    let bytes = qianzhang_core::csvfile::read_at_most(file, limit, what)?;
    if sniff(&bytes) == Sniffed::Text {
        return Ok(bytes);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    Ok(sheet_as_csv(&bytes, sheet, &name, is_header)?)
}
