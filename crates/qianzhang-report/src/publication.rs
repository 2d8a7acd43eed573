//! The months published on the notice board (PUB-1) and the scans of a
//! voucher's original documents (DOC-1), as listed.

use qianzhang_core::period::{format_date, show_time};
use qianzhang_core::publication::Publication;
use qianzhang_core::scan::ScanInfo;

use crate::{json, Align, Format, Table};

/// Every publication recorded: 月份, 公布日期, 指纹, 公布人 and when it was
/// recorded. Text and Markdown print the fingerprint's first 16 hex digits,
/// as the poster prints them large; CSV and JSON the whole of it.
pub fn publications(list: &[Publication], format: Format) -> String {
    if format == Format::Json {
        return json(list);
    }
    let mut t = Table::new(
        "财务公开公布记录",
        &[
            ("月份", Align::Left),
            ("公布日期", Align::Left),
            ("指纹", Align::Left),
            ("公布人", Align::Left),
            ("登记时间", Align::Left),
        ],
    );
    for p in list {
        let fingerprint = if format.is_machine() { p.fingerprint.as_str() } else { p.fingerprint_short() };
        t.row(vec![p.period.to_string(), format_date(p.date), fingerprint.to_string(), p.by.clone(), show_time(&p.at)]);
    }
    if list.is_empty() {
        t.note("还没有公布过任何月份：结账、监督委员会审核之后，用 disclose publish --month YYYY-MM 登记公布");
    }
    t.render(format)
}

/// One scan as a voucher lists it: file name, type, size, SHA-256's first 12.
pub fn scan_note(scan: &ScanInfo) -> String {
    format!("扫描件：{}　{}　{} 字节　SHA-256 {}", scan.file_name, scan.media.label(), scan.size, scan.sha_short())
}
