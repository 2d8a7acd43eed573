//! The voucher CSV: one row per line, rows of a voucher consecutive.
//!
//! Reading is all or nothing: every row is checked, every error is listed
//! with its row (the header is row 1), and the caller's transaction is rolled
//! back if any is found. Encoding is UTF-8 (with or without BOM) or
//! GB18030/GBK as Chinese Excel saves it, detected or given.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use sha2::{Digest, Sha256};

use crate::account::Chart;
use crate::books::{enter_voucher, Books, Event};
use crate::money::Money;
use crate::period::{parse_date, Period};
use crate::rule::{Failure, Refusal, Refusals, Rule};
use crate::voucher::{one_side, read_amount, Document, Draft, Line, Origin, VoucherRef};

mod export;

pub use export::*;

/// A CSV file holds at most this many rows.
pub const MAX_ROWS: usize = 50_000_000;
/// The longest line of any file read (a CSV record, a line of a voucher
/// file), in bytes: a hundred times a full voucher row (LIM-1).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// The largest voucher CSV read, in bytes: `MAX_ROWS` rows of ordinary
/// length (LIM-1).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// Why a file could not be read, in Chinese for the common cases (the
/// system's own words, in English, otherwise).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件不存在，请核对文件名和路径".to_string(),
        K::PermissionDenied => "没有读取这个文件的权限".to_string(),
        K::IsADirectory => "这是一个文件夹，不是文件".to_string(),
        _ => e.to_string(),
    }
}

/// [LIM-1] reads at most `max` bytes of `input`; more is refused, so an
/// endless input (`/dev/zero`) ends in a refusal, not a hang.
pub fn read_at_most(input: impl Read, max: u64, what: &str) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::new();
    input
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Refusal::new(Rule::Csv1, format!("无法读取{what}：{}", io_reason(&e))))?;
    if bytes.len() as u64 > max {
        return Err(Refusal::new(Rule::Lim1, format!("{what}超过 {} 字节，不是本程序能读取的文件", max)));
    }
    Ok(bytes)
}

/// The text encodings a voucher file may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Gb18030,
}

impl TextEncoding {
    pub fn parse(name: &str) -> Option<TextEncoding> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Some(TextEncoding::Gb18030),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
        }
    }
}

/// What one streaming pass over a file tells: its digest and whether it
/// is UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    pub sha256: String,
    /// Byte offset of the first byte that is not UTF-8, if any.
    pub invalid_utf8_at: Option<u64>,
    /// Only ASCII (a BOM counts as not ASCII: it marks UTF-8).
    pub ascii: bool,
    /// [LIM-1] where the file went past a limit (a line longer than
    /// `max_line`, more than `max_bytes` or `MAX_ROWS` lines): reading
    /// stopped there.
    pub over_limit: Option<Refusal>,
    /// Bytes read.
    pub bytes: u64,
}

/// Reads `input` once in blocks: SHA-256 of the bytes and UTF-8 validity,
/// without holding the file in memory; stops at the first limit passed.
pub fn scan(input: impl Read) -> std::io::Result<Scan> {
    scan_within(input, MAX_LINE_BYTES, MAX_FILE_BYTES)
}

/// [`scan`] with the longest line and the most bytes allowed.
pub fn scan_within(mut input: impl Read, max_line: usize, max_bytes: u64) -> std::io::Result<Scan> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    // The first bytes of a character the end of the last block cut.
    let mut cut: Vec<u8> = Vec::with_capacity(4);
    let (mut offset, mut ascii, mut invalid) = (0u64, true, None);
    let (mut total, mut line_len, mut lines, mut over_limit) = (0u64, 0usize, 1usize, None);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        let block = &buf[..n];
        let mut start = 0;
        for newline in memchr::memchr_iter(b'\n', block) {
            line_len += newline - start;
            if line_len > max_line {
                break;
            }
            lines += 1;
            line_len = 0;
            start = newline + 1;
        }
        if line_len <= max_line {
            line_len += n - start;
        }
        let limit = if line_len > max_line {
            Some(format!("第 {lines} 行超过 {max_line} 字节，不是可读的表格行（是否选错了文件？）"))
        } else if total > max_bytes {
            Some(format!("文件超过 {max_bytes} 字节"))
        } else if lines > MAX_ROWS + 1 {
            Some(format!("文件超过 {MAX_ROWS} 行"))
        } else {
            None
        };
        if let Some(message) = limit {
            over_limit = Some(Refusal::new(Rule::Lim1, message));
            break;
        }
        hasher.update(block);
        if invalid.is_none() {
            invalid = check_utf8(block, &mut cut, &mut offset, &mut ascii);
        }
    }
    if invalid.is_none() && !cut.is_empty() {
        invalid = Some(offset);
    }
    let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Scan { sha256, invalid_utf8_at: invalid, ascii: ascii && invalid.is_none(), over_limit, bytes: total })
}

/// Checks one block of a file as UTF-8 after the `offset` bytes before it
/// were found good, `cut` holding the start of a character the last block
/// ended in; returns the offset of the first byte that is not UTF-8.
fn check_utf8(block: &[u8], cut: &mut Vec<u8>, offset: &mut u64, ascii: &mut bool) -> Option<u64> {
    let mut rest = block;
    // Finish the character cut at the end of the last block (at most
    // three bytes more).
    while !cut.is_empty() {
        let Some((first, after)) = rest.split_first() else { break };
        cut.push(*first);
        rest = after;
        match std::str::from_utf8(cut) {
            Ok(_) => {
                *offset += cut.len() as u64;
                *ascii = false;
                cut.clear();
            }
            Err(e) if e.error_len().is_some() => return Some(*offset),
            Err(_) => {}
        }
    }
    let valid = match std::str::from_utf8(rest) {
        Ok(_) => rest.len(),
        Err(e) if e.error_len().is_some() => return Some(*offset + e.valid_up_to() as u64),
        // A character cut by the end of the block: finish it next block.
        Err(e) => {
            cut.extend_from_slice(&rest[e.valid_up_to()..]);
            e.valid_up_to()
        }
    };
    *ascii = *ascii && rest[..valid].is_ascii();
    *offset += valid as u64;
    None
}

/// [CSV-2] settles the encoding, refusing rather than garbling: a file that
/// is not valid UTF-8 is read as GB18030 only when detected or asked for, and
/// a UTF-8 file with Chinese text is not read as GBK.
pub fn choose_encoding(scan: &Scan, asked: Option<TextEncoding>) -> Result<TextEncoding, Refusal> {
    match (asked, scan.invalid_utf8_at) {
        (None | Some(TextEncoding::Utf8), None) => Ok(TextEncoding::Utf8),
        (Some(TextEncoding::Utf8), Some(at)) => Err(Refusal::new(
            Rule::Csv2,
            format!(
                "文件不是有效的 UTF-8 编码（第 {} 字节起无法识别）；如果是 Excel 另存的 GBK 文件，请加 --encoding gbk 或不指定编码由系统识别",
                at + 1
            ),
        )),
        (Some(TextEncoding::Gb18030), None) if !scan.ascii => Err(Refusal::new(
            Rule::Csv2,
            "文件是 UTF-8 编码，按 GBK 读取会成乱码；请去掉 --encoding gbk 或改为 --encoding utf-8",
        )),
        (None | Some(TextEncoding::Gb18030), _) => Ok(TextEncoding::Gb18030),
    }
}

/// Decodes a whole GB18030/GBK text; malformed bytes are refused.
pub fn decode_gb18030(bytes: &[u8]) -> Result<String, Refusal> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(Refusal::new(
            Rule::Csv2,
            "文件既不是 UTF-8 也不是 GBK/GB18030 编码，无法读取；请用 Excel 另存为“CSV UTF-8”",
        ));
    }
    Ok(text.into_owned())
}

/// The columns of the voucher CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(usize)]
enum Column {
    Date,
    Voucher,
    Summary,
    Account,
    Debit,
    Credit,
    Fund,
    Counterparty,
    DocType,
    Issuer,
    DocNo,
    DocAmount,
    Handler,
    Checker,
    DocDate,
    Authorization,
    Reverses,
}

const COLUMNS: &[(Column, &str, &str, bool)] = &[
    (Column::Date, "date", "日期", true),
    (Column::Voucher, "voucher", "凭证号", true),
    (Column::Summary, "summary", "摘要", true),
    (Column::Account, "account", "科目", true),
    (Column::Debit, "debit", "借方", true),
    (Column::Credit, "credit", "贷方", true),
    (Column::Fund, "fund", "资金", false),
    (Column::Counterparty, "counterparty", "往来单位", false),
    (Column::DocType, "doc_type", "单据类型", false),
    (Column::Issuer, "issuer", "开票单位", false),
    (Column::DocNo, "doc_no", "单据号", false),
    (Column::DocAmount, "doc_amount", "单据金额", false),
    (Column::Handler, "handler", "经办人", false),
    (Column::Checker, "checker", "验收人", false),
    (Column::DocDate, "doc_date", "单据日期", false),
    (Column::Authorization, "authorization", "审批依据", false),
    (Column::Reverses, "reverses", "冲销凭证", false),
];

/// The English header written on export.
pub fn header_english() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.1).collect()
}

/// The Chinese header written on export with `--chinese-header`.
pub fn header_chinese() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.2).collect()
}

fn column_of(header: &str) -> Option<Column> {
    let h = header.trim().trim_matches('\u{feff}');
    let lower = h.to_ascii_lowercase();
    COLUMNS.iter().find(|(_, en, zh, _)| *en == lower || *zh == h).map(|c| c.0)
}

/// Where each column sits in the file, indexed by `Column as usize`.
type ColumnMap = [Option<usize>; COLUMNS.len()];

/// [CSV-1] maps header cells to columns; refuses missing or repeated ones.
/// Whether a row is a voucher CSV's header (all required columns named):
/// where an .xlsx's rows above it are skipped.
pub fn is_voucher_header(cells: &[String]) -> bool {
    map_header(&csv::StringRecord::from(cells.to_vec())).is_ok()
}

fn map_header(record: &csv::StringRecord) -> Result<ColumnMap, Refusal> {
    let mut map: ColumnMap = [None; COLUMNS.len()];
    let mut unknown = Vec::new();
    for (i, cell) in record.iter().enumerate() {
        match column_of(cell) {
            Some(c) => {
                if map[c as usize].replace(i).is_some() {
                    return Err(Refusal::new(Rule::Csv1, format!("表头“{}”出现了两次", cell.trim())).at_row(1));
                }
            }
            None if cell.trim().is_empty() => {}
            None => unknown.push(cell.trim().to_string()),
        }
    }
    let missing: Vec<String> = COLUMNS
        .iter()
        .filter(|(c, _, _, required)| *required && map[*c as usize].is_none())
        .map(|(_, en, zh, _)| format!("{zh}（{en}）"))
        .collect();
    if !missing.is_empty() {
        let mut msg = format!(
            "缺少必需的列：{}。表头须包含 日期、凭证号、摘要、科目、借方、贷方（中文或英文均可）",
            missing.join("、")
        );
        if !unknown.is_empty() {
            msg.push_str(&format!("；无法识别的列：{}", unknown.join("、")));
        }
        return Err(Refusal::new(Rule::Csv1, msg).at_row(1));
    }
    Ok(map)
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: u64,
    pub vouchers: u64,
    pub encoding: TextEncoding,
    pub sha256: String,
    pub first: Option<VoucherRef>,
    pub last: Option<VoucherRef>,
    pub periods_closed: Vec<Period>,
}

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions<'a> {
    pub file_name: &'a str,
    pub encoding: Option<TextEncoding>,
    /// Migrated history before go-live: posted at once, periods closed.
    pub history: bool,
    /// Import even if the same file was imported before.
    pub force: bool,
    pub preparer: &'a str,
    /// The day of the import: no voucher may be dated after it (VCH-3).
    pub today: time::Date,
}

struct PendingVoucher {
    label: String,
    first_row: usize,
    date: Option<time::Date>,
    date_text: String,
    lines: Vec<Line>,
    documents: Vec<Document>,
    authorization: Option<String>,
    reverses: Option<VoucherRef>,
    broken: bool,
}

/// Imports a voucher CSV into `books`. All rows are checked; on any error
/// the caller must discard what was appended (the store's transaction).
pub fn import_csv<R: Read + Send>(
    books: &mut impl Books,
    mut open: impl FnMut() -> std::io::Result<R>,
    opts: &ImportOptions,
) -> Result<ImportSummary, Failure> {
    let unreadable =
        |e: std::io::Error| Failure::from(Refusal::new(Rule::Csv1, format!("无法读取文件：{}", io_reason(&e))));
    let scanned = scan(open().map_err(unreadable)?).map_err(unreadable)?;
    if let Some(r) = scanned.over_limit {
        return Err(r.into());
    }
    if !opts.force {
        if let Some(when) = books.file_imported(&scanned.sha256)? {
            let when = crate::period::show_time(&when);
            // History is migrated once: its months are closed, so forcing it
            // in again could only be refused voucher by voucher.
            let advice = if opts.history {
                "历史数据已在账上，无须再导入"
            } else {
                "确需再次导入请加 --force"
            };
            return Err(Refusal::new(
                Rule::Csv4,
                format!("同一文件已于 {when} 导入过（内容完全相同），为防止重复记账已拒绝；{advice}"),
            )
            .into());
        }
    }
    let encoding = choose_encoding(&scanned, opts.encoding)?;
    let read_ahead = scanned.bytes >= READ_AHEAD_BYTES;
    match encoding {
        TextEncoding::Utf8 => {
            let mut input = std::io::BufReader::with_capacity(1 << 16, open().map_err(unreadable)?);
            if input.fill_buf().map_err(unreadable)?.starts_with(b"\xEF\xBB\xBF") {
                input.consume(3);
            }
            import_text(books, input, encoding, scanned.sha256, read_ahead, opts)
        }
        TextEncoding::Gb18030 => {
            let mut bytes = Vec::new();
            open().map_err(unreadable)?.read_to_end(&mut bytes).map_err(unreadable)?;
            let text = decode_gb18030(&bytes)?;
            drop(bytes);
            import_text(books, text.as_bytes(), encoding, scanned.sha256, read_ahead, opts)
        }
    }
}

/// Imports a voucher CSV from a slice already in memory.
pub fn import_csv_bytes(books: &mut impl Books, bytes: &[u8], opts: &ImportOptions) -> Result<ImportSummary, Failure> {
    import_csv(books, || Ok(bytes), opts)
}

fn import_text<R: Read + Send>(
    books: &mut impl Books,
    text: R,
    encoding: TextEncoding,
    sha256: String,
    read_ahead: bool,
    opts: &ImportOptions,
) -> Result<ImportSummary, Failure> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Lines::new(text));
    let mut record = csv::StringRecord::new();
    if !reader.read_record(&mut record).map_err(|e| Failure::from(csv_error(e, 1)))? {
        return Err(Refusal::new(Rule::Csv1, "文件是空的，没有表头").into());
    }
    let cols = map_header(&record)?;
    if opts.history {
        crate::opening::check_no_openings(books)?;
    }
    let rows = RowReader {
        reader,
        record,
        cols,
        settling: Settling { seen: SeenLabels::default(), chart: books.chart().clone(), accounts: HashMap::new() },
        pending: None,
        row: 1,
        rows: 0,
        ended: false,
    };
    let mut entry = Entry {
        origin: if opts.history { Origin::History } else { Origin::Imported },
        errors: Refusals { reasons: Vec::new(), unlisted: 0 },
        summary: ImportSummary {
            rows: 0,
            vouchers: 0,
            encoding,
            sha256: sha256.clone(),
            first: None,
            last: None,
            periods_closed: Vec::new(),
        },
        history_periods: Vec::new(),
    };
    entry.summary.rows =
        if read_ahead { rows.read_ahead(books, &mut entry, opts)? } else { rows.read_here(books, &mut entry, opts)? };
    let Entry { mut errors, mut summary, mut history_periods, .. } = entry;
    if summary.rows == 0 && errors.is_empty() {
        errors.push(Refusal::new(Rule::Csv1, "文件只有表头，没有凭证行"));
    }
    if !errors.is_empty() {
        return Err(Failure::Refused(errors));
    }
    if opts.history {
        history_periods.sort();
        history_periods.dedup();
        for period in &history_periods {
            books.append(Event::PeriodClosed {
                period: *period,
                reason: "历史数据迁移".into(),
                in_transit: Vec::new(),
            })?;
        }
        summary.periods_closed = history_periods;
    }
    books.append(Event::FileImported {
        file: opts.file_name.to_string(),
        sha256,
        encoding: encoding.name().to_string(),
        rows: summary.rows,
        vouchers: summary.vouchers,
        history: opts.history,
    })?;
    Ok(summary)
}

fn csv_error(e: csv::Error, row: usize) -> Refusal {
    Refusal::new(Rule::Csv2, format!("CSV 格式错误：{e}")).at_row(row)
}

/// Items the reading of a large file hands over at a time.
const READ_BATCH: usize = 256;
/// Files at least this large are read on a thread of their own while the
/// vouchers already read are checked and recorded.
const READ_AHEAD_BYTES: u64 = 1 << 20;

/// What reading the rows finds, in the file's order: what the checking of
/// the vouchers meets in the same order, so the refusals are listed as
/// the file has them whether or not the reading ran ahead.
enum Found {
    /// A row refused while it was read (CSV-2, CSV-3, LIM-1).
    Refused(Refusal),
    /// A voucher whose rows were all read well, to be checked and recorded.
    Voucher(PendingVoucher),
}

/// The file as the CSV parser reads it, noting where its lines end, so a
/// row is named by the line it begins on as an editor or Excel numbers
/// it: the parser skips blank lines without counting them.
struct Lines<R> {
    inner: R,
    /// Bytes handed to the parser so far.
    read: u64,
    /// Lines ended before the first of `ends`.
    passed: usize,
    /// Where each line not yet passed ends (its `\n`), and whether it was
    /// blank (nothing, or only `\r`, before its end).
    ends: std::collections::VecDeque<(u64, bool)>,
    /// Where the last line ended (`None` before the first), and the last byte handed over.
    last_end: Option<u64>,
    last_byte: u8,
    /// Where the last line counted in `passed` ended.
    last_passed: Option<u64>,
}

/// Line ends kept at most: a run of blank lines longer than this (the
/// parser skips it whole) is counted as it is read, so memory stays flat.
const LINE_ENDS_KEPT: usize = 1 << 16;

impl<R: Read> Lines<R> {
    fn new(inner: R) -> Lines<R> {
        Lines {
            inner,
            read: 0,
            passed: 0,
            ends: Default::default(),
            last_end: None,
            last_byte: b'\n',
            last_passed: None,
        }
    }

    /// The line a record begins on, given where the parser began reading
    /// it: after the line ends before that, and any blank lines the parser
    /// skipped from there.
    fn line_at(&mut self, start: u64) -> usize {
        // The line ends before the record, and the `\n` of a `\r\n` that
        // ended the record before (the parser stops at its `\r`).
        while let Some(&(end, blank)) = self.ends.front() {
            if end > start || (end == start && blank) {
                break;
            }
            self.pass();
        }
        // Blank lines already counted (a long run) carry the run on.
        let mut expect = self.last_passed.map_or(start, |end| start.max(end + 1));
        let mut line = self.passed + 1;
        for (end, blank) in &self.ends {
            // A blank line is `\n`, or `\r\n` one byte later.
            if !blank || *end > expect + 1 {
                break;
            }
            line += 1;
            expect = end + 1;
        }
        line
    }

    /// Counts the first line end kept as passed.
    fn pass(&mut self) {
        if let Some((end, _)) = self.ends.pop_front() {
            self.passed += 1;
            self.last_passed = Some(end);
        }
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let block = &buf[..n];
        for at in memchr::memchr_iter(b'\n', block) {
            let end = self.read + at as u64;
            let from = self.last_end.map_or(0, |e| e + 1);
            let before = if at > 0 { block[at - 1] } else { self.last_byte };
            let blank = end == from || (end == from + 1 && before == b'\r');
            self.ends.push_back((end, blank));
            self.last_end = Some(end);
            if self.ends.len() > LINE_ENDS_KEPT {
                self.pass();
            }
        }
        if let Some(last) = block.last() {
            self.last_byte = *last;
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// [CSV-2, CSV-3] reads the rows after the header into whole vouchers.
struct RowReader<R> {
    reader: csv::Reader<Lines<R>>,
    record: csv::StringRecord,
    cols: ColumnMap,
    settling: Settling,
    pending: Option<PendingVoucher>,
    /// The row last read (the header is row 1).
    row: usize,
    /// Rows that are not blank.
    rows: u64,
    ended: bool,
}

impl<R: Read> RowReader<R> {
    /// Reads all the rows on this thread, entering each voucher as it is read.
    fn read_here(mut self, books: &mut impl Books, entry: &mut Entry, opts: &ImportOptions) -> Result<u64, Failure> {
        let mut batch = Vec::with_capacity(READ_BATCH);
        while !self.ended {
            self.fill(&mut batch);
            entry.take(books, batch.drain(..), opts)?;
        }
        Ok(self.rows)
    }

    /// Reads the rows on a thread of their own, a batch ahead of the
    /// entering of the vouchers on this one; the same items in the same
    /// order as [`RowReader::read_here`]. Reads here when no thread can be started.
    fn read_ahead(self, books: &mut impl Books, entry: &mut Entry, opts: &ImportOptions) -> Result<u64, Failure>
    where
        R: Send,
    {
        std::thread::scope(|scope| {
            let (hand, take) = std::sync::mpsc::sync_channel::<RowReader<R>>(1);
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Found>>(4);
            let reading = std::thread::Builder::new().name("读取凭证行".into()).spawn_scoped(scope, move || {
                let Ok(mut rows) = take.recv() else { return 0 };
                while !rows.ended {
                    let mut batch = Vec::with_capacity(READ_BATCH);
                    rows.fill(&mut batch);
                    // The entering side stopped early (a failure): stop reading.
                    if send.send(batch).is_err() {
                        break;
                    }
                }
                rows.rows
            });
            let Ok(reading) = reading else { return self.read_here(books, entry, opts) };
            if let Err(std::sync::mpsc::SendError(rows)) = hand.send(self) {
                return rows.read_here(books, entry, opts);
            }
            let entered = receive.iter().try_for_each(|batch| entry.take(books, batch.into_iter(), opts));
            drop(receive);
            let rows = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            entered.map(|()| rows)
        })
    }

    /// Reads on until `out` holds a batch or the file has ended.
    fn fill(&mut self, out: &mut Vec<Found>) {
        while out.len() < READ_BATCH && !self.ended {
            match self.reader.read_record(&mut self.record) {
                Ok(true) => self.read_record(out),
                Ok(false) => self.end(out),
                Err(e) => {
                    let start = e.position().map(csv::Position::byte);
                    let row = start.map_or(0, |at| self.reader.get_mut().line_at(at)).max(self.row + 1);
                    out.push(Found::Refused(csv_error(e, row)));
                    self.end(out);
                }
            }
        }
    }

    fn end(&mut self, out: &mut Vec<Found>) {
        if let Some(done) = self.pending.take() {
            self.settling.settle(done, out);
        }
        self.ended = true;
    }

    fn read_record(&mut self, out: &mut Vec<Found>) {
        // A file whose lines end in `\r` alone has no `\n` to count: rows
        // are counted there, as the records come.
        let start = self.record.position().map(csv::Position::byte);
        self.row = start.map_or(0, |at| self.reader.get_mut().line_at(at)).max(self.row + 1);
        let row = self.row;
        if row > MAX_ROWS {
            out.push(Found::Refused(Refusal::new(Rule::Lim1, format!("文件超过 {MAX_ROWS} 行"))));
            return self.end(out);
        }
        let record = &self.record;
        if record.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        self.rows += 1;
        let label = cell(&self.cols, record, Column::Voucher).trim();
        if label.is_empty() {
            out.push(Found::Refused(Refusal::new(Rule::Csv2, "凭证号为空").at_row(row)));
        }
        // A voucher is a run of rows sharing its number within one period:
        // exported files restart 记-0001 every month.
        let row_period = parse_date(cell(&self.cols, record, Column::Date)).ok().map(Period::of);
        let starts_new = |p: &PendingVoucher| {
            p.label != label || matches!((p.date.map(Period::of), row_period), (Some(a), Some(b)) if a != b)
        };
        if self.pending.as_ref().is_some_and(starts_new) {
            let done = self.pending.take().expect("checked above");
            self.settling.settle(done, out);
        }
        let p = self.pending.get_or_insert_with(|| PendingVoucher {
            label: label.to_string(),
            first_row: row,
            date: None,
            date_text: String::new(),
            lines: Vec::new(),
            documents: Vec::new(),
            authorization: None,
            reverses: None,
            broken: label.is_empty(),
        });
        read_row(&self.cols, &self.record, row, p, out);
    }
}

/// What settles a voucher once its rows are read.
struct Settling {
    /// The vouchers begun so far, to find split ones (CSV-3).
    seen: SeenLabels,
    /// The chart as the import began: an import adds no account.
    chart: Chart,
    /// Account text → code, so each distinct text is resolved once.
    accounts: HashMap<String, Option<String>>,
}

impl Settling {
    /// A voucher's rows are all read: refused if its number began earlier
    /// in the period (CSV-3), dropped if a row was refused, else handed on
    /// with its accounts' texts resolved to codes where the chart knows them.
    fn settle(&mut self, mut p: PendingVoucher, out: &mut Vec<Found>) {
        let Some(date) = p.date else { return };
        if let Some(first) = self.seen.insert(Period::of(date), &p.label, p.first_row) {
            out.push(Found::Refused(
                Refusal::new(
                    Rule::Csv3,
                    format!("凭证“{}”的行不连续（第 {first} 行已出现过）；同一凭证的各行须排在一起", p.label),
                )
                .at_row(p.first_row),
            ));
            return;
        }
        if p.broken {
            return;
        }
        // Freed here, by the thread that made it.
        p.date_text = String::new();
        for line in &mut p.lines {
            let code = match self.accounts.get(&line.account) {
                Some(code) => code,
                None => {
                    let code = self.chart.resolve(&line.account).map(|a| a.code().to_string());
                    self.accounts.entry(line.account.clone()).or_insert(code)
                }
            };
            if let Some(c) = code.as_ref().filter(|c| **c != line.account) {
                line.account = c.clone();
            }
        }
        out.push(Found::Voucher(p));
    }
}

/// [CSV-3] every voucher label begun so far in each period, with the row
/// it began on. A file of ten million vouchers holds ten million labels, so
/// the usual ones — a word and a number, 记-0001 — take four bytes each:
/// per period, word and width of the number, the first row of each number
/// in a list indexed by it (from the first number seen). Any other label,
/// or a number far from those seen, is kept whole.
#[derive(Default)]
struct SeenLabels {
    numbered: HashMap<Period, HashMap<String, Vec<Numbered>>>,
    other: HashMap<Period, HashMap<String, usize>>,
}

/// The labels of one word and number width in one period.
struct Numbered {
    width: usize,
    /// The number `rows[0]` is for: the first one seen.
    low: usize,
    /// The row each number began on; 0 for a number not seen.
    rows: Vec<u32>,
    count: usize,
}

impl SeenLabels {
    /// Notes that voucher `label` of `period` begins at `row`; returns the
    /// row it began on before, if it did.
    fn insert(&mut self, period: Period, label: &str, row: usize) -> Option<usize> {
        let width = label.bytes().rev().take_while(u8::is_ascii_digit).count();
        let (word, digits) = label.split_at(label.len() - width);
        let number = digits.parse::<usize>().ok().filter(|_| (1..=9).contains(&width));
        let (Some(number), Ok(row32)) = (number, u32::try_from(row)) else {
            return self.insert_other(period, label, row);
        };
        let words = self.numbered.entry(period).or_default();
        if !words.contains_key(word) {
            words.insert(word.to_string(), Vec::new());
        }
        let widths = words.get_mut(word).expect("inserted above");
        let i = match widths.iter().position(|n| n.width == width) {
            Some(i) => i,
            None => {
                widths.push(Numbered { width, low: number, rows: Vec::new(), count: 0 });
                widths.len() - 1
            }
        };
        let n = &mut widths[i];
        // Numbers run on from the first seen; one before it, or far
        // ahead, is kept whole rather than widen the list for it.
        let Some(at) = number.checked_sub(n.low).filter(|at| *at < n.rows.len() || *at <= 2 * n.count + 64) else {
            return self.insert_other(period, label, row);
        };
        if at >= n.rows.len() {
            n.rows.resize(at + 1, 0);
        }
        if n.rows[at] != 0 {
            return Some(n.rows[at] as usize);
        }
        n.rows[at] = row32.max(1);
        n.count += 1;
        // The same label may have been kept whole when it was out of reach.
        self.other.get(&period).and_then(|labels| labels.get(label)).copied()
    }

    fn insert_other(&mut self, period: Period, label: &str, row: usize) -> Option<usize> {
        let labels = self.other.entry(period).or_default();
        if let Some(first) = labels.get(label) {
            return Some(*first);
        }
        labels.insert(label.to_string(), row);
        None
    }
}

/// The checking and recording of the vouchers read, in the file's order.
struct Entry {
    origin: Origin,
    errors: Refusals,
    summary: ImportSummary,
    history_periods: Vec<Period>,
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A cell with the `'` the engine's own export put before a formula-like
/// text taken off again.
fn cell<'r>(cols: &ColumnMap, record: &'r csv::StringRecord, column: Column) -> &'r str {
    unescape_text_cell(cols[column as usize].and_then(|i| record.get(i)).unwrap_or(""))
}

/// Reads one row into the voucher it belongs to; what is wrong with it
/// goes to `out` and marks the voucher broken.
fn read_row(cols: &ColumnMap, record: &csv::StringRecord, row: usize, p: &mut PendingVoucher, out: &mut Vec<Found>) {
    let mut fail = |p: &mut PendingVoucher, r: Refusal| {
        p.broken = true;
        out.push(Found::Refused(r.at_row(row)));
    };
    let cell = |column| cell(cols, record, column);
    let date_text = cell(Column::Date).trim();
    if p.lines.is_empty() && p.date.is_none() && p.date_text.is_empty() {
        p.date_text = date_text.to_string();
        match parse_date(date_text) {
            Ok(d) => p.date = Some(d),
            Err(e) => fail(p, Refusal::new(Rule::Csv2, e.to_string())),
        }
    } else if date_text != p.date_text && parse_date(date_text).ok() != p.date {
        fail(
            p,
            Refusal::new(Rule::Csv3, format!("同一凭证“{}”的日期不一致：{} 与 {}", p.label, p.date_text, date_text)),
        );
    }
    let reverses_text = cell(Column::Reverses).trim();
    if !reverses_text.is_empty() {
        match VoucherRef::parse(reverses_text) {
            Some(r) if p.reverses.is_none() || p.reverses == Some(r) => p.reverses = Some(r),
            Some(_) => fail(p, Refusal::new(Rule::Csv3, format!("同一凭证“{}”冲销了不同的凭证", p.label))),
            None => fail(
                p,
                Refusal::new(Rule::Csv2, format!("冲销凭证号“{reverses_text}”无法识别，应写作 2025-03/记-0007")),
            ),
        }
    }
    let red = p.reverses.is_some();
    let debit = read_amount(cell(Column::Debit), "借方", red);
    let credit = read_amount(cell(Column::Credit), "贷方", red);
    let side_amount = match (debit, credit) {
        (Ok(d), Ok(c)) => one_side(d, c).map_err(|e| fail(p, e)).ok(),
        (d, c) => {
            for e in [d.err(), c.err()].into_iter().flatten() {
                fail(p, e);
            }
            None
        }
    };
    let account = cell(Column::Account).trim().to_string();
    let line_fields =
        (optional(cell(Column::Summary)), optional(cell(Column::Fund)), optional(cell(Column::Counterparty)));
    if let Some(doc_type) = optional(cell(Column::DocType)) {
        let amount = match optional(cell(Column::DocAmount)) {
            None => None,
            Some(t) => match Money::parse(&t) {
                Ok(m) if m.fen() > 0 => Some(m),
                _ => {
                    fail(p, Refusal::new(Rule::Csv2, format!("单据金额“{t}”无法识别，须为大于零、最多两位小数的金额")));
                    None
                }
            },
        };
        let doc_date = match optional(cell(Column::DocDate)) {
            None => None,
            Some(t) => match parse_date(&t) {
                Ok(d) => Some(d),
                Err(e) => {
                    fail(p, Refusal::new(Rule::Csv2, format!("单据日期{e}")));
                    None
                }
            },
        };
        p.documents.push(Document {
            doc_type,
            issuer: optional(cell(Column::Issuer)),
            checker: optional(cell(Column::Checker)),
            date: doc_date,
            number: optional(cell(Column::DocNo)),
            amount,
            handler: optional(cell(Column::Handler)),
        });
    }
    if let Some(auth) = optional(cell(Column::Authorization)) {
        match &p.authorization {
            Some(a) if *a != auth => {
                fail(p, Refusal::new(Rule::Csv3, format!("同一凭证“{}”的审批依据不一致：{a} 与 {auth}", p.label)))
            }
            _ => p.authorization = Some(auth),
        }
    }
    if let Some((side, amount)) = side_amount {
        p.lines.push(Line {
            summary: line_fields.0.unwrap_or_default(),
            account,
            side,
            amount,
            fund: line_fields.1,
            counterparty: line_fields.2,
        });
    }
}

impl Entry {
    /// Checks and records the vouchers read, listing the refusals met.
    fn take(
        &mut self,
        books: &mut impl Books,
        found: impl Iterator<Item = Found>,
        opts: &ImportOptions,
    ) -> Result<(), Failure> {
        for item in found {
            match item {
                Found::Refused(r) => self.errors.push(r),
                Found::Voucher(p) => self.enter(books, p, opts)?,
            }
        }
        Ok(())
    }

    /// Checks and records one voucher read whole; its refusals are listed
    /// at the rows they concern.
    fn enter(&mut self, books: &mut impl Books, p: PendingVoucher, opts: &ImportOptions) -> Result<(), Failure> {
        let Some(date) = p.date else { return Ok(()) };
        let period = Period::of(date);
        let first_row = p.first_row;
        let draft = Draft {
            date,
            lines: p.lines,
            documents: p.documents,
            authorization: p.authorization,
            reverses: p.reverses,
            source_ref: Some(p.label),
        };
        match enter_voucher(books, draft, self.origin, opts.preparer, opts.today) {
            Ok(reference) => {
                self.summary.vouchers += 1;
                self.summary.first.get_or_insert(reference);
                self.summary.last = Some(reference);
                if self.origin == Origin::History && self.history_periods.last() != Some(&period) {
                    self.history_periods.push(period);
                }
                Ok(())
            }
            Err(Failure::Refused(r)) => {
                for reason in r.reasons {
                    let row = first_row + reason.row.map(|n| n - 1).unwrap_or(0);
                    self.errors.push(Refusal { row: Some(row), ..reason });
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
