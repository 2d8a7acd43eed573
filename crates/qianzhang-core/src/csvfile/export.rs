//! Writing CSV: the voucher CSV and the ledger-cli journal, with every text
//! cell escaped so that a spreadsheet never runs it as a formula.

use std::collections::HashMap;
use std::io::Write;

use super::{header_chinese, header_english};
use crate::account::Chart;
use crate::money::Money;
use crate::period::format_date;
use crate::voucher::{Origin, Side, Status, Voucher};

/// Characters that make Excel and WPS read a cell as a formula (or, for tab
/// and carriage return, move it) when they open a CSV.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as it is written to any CSV the engine writes: a cell that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
/// gets a leading `'`, which spreadsheets show as text. A cell already
/// starting with `'` gets one more, so that [`unescape_text_cell`] gives
/// back exactly what was written. Numbers are not text cells: callers pass
/// only text columns.
pub fn escape_text_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_START) || cell.starts_with('\'') {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Undoes [`escape_text_cell`] on import: one leading `'` is dropped
/// when what follows would have been escaped. A `'` before anything else
/// is the user's own text and stays.
pub fn unescape_text_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) || rest.starts_with('\'') => rest,
        _ => cell,
    }
}

/// Whether a cell of a numeric column is a number as the engine writes
/// them (`-1850.00`, `1,850.00`, `12`): those are left as they are, so a
/// spreadsheet reads them as numbers.
pub fn is_number_cell(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && digits.starts_with(|c: char| c.is_ascii_digit())
}

/// Writes vouchers as the voucher CSV, one voucher at a time; reading the
/// output back gives the same vouchers. Documents go one to a row, on the
/// voucher's first rows; the authorization on its first row.
pub struct CsvExporter<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> CsvExporter<W> {
    pub fn new(out: W, chinese_header: bool) -> std::io::Result<CsvExporter<W>> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(if chinese_header { header_chinese() } else { header_english() })?;
        Ok(CsvExporter { writer })
    }

    pub fn write(&mut self, v: &Voucher) -> std::io::Result<()> {
        let label = v.reference().label();
        let date = format_date(v.date());
        let reverses = v.reverses().map(|r| r.to_string()).unwrap_or_default();
        for (i, l) in v.lines().iter().enumerate() {
            let doc = v.documents().get(i);
            let amount = l.amount.to_decimal_string();
            let (debit, credit) = match l.side {
                Side::Debit => (amount.as_str(), ""),
                Side::Credit => ("", amount.as_str()),
            };
            let auth = if i == 0 { v.authorization().unwrap_or("") } else { "" };
            let doc_amount = doc.and_then(|d| d.amount).map(Money::to_decimal_string).unwrap_or_default();
            let text = escape_text_cell;
            self.writer.write_record([
                date.as_str(),
                &text(&label),
                &text(&l.summary),
                &text(&l.account),
                debit,
                credit,
                &text(l.fund.as_deref().unwrap_or("")),
                &text(l.counterparty.as_deref().unwrap_or("")),
                &text(doc.map(|d| d.doc_type.as_str()).unwrap_or("")),
                &text(doc.and_then(|d| d.issuer.as_deref()).unwrap_or("")),
                &text(doc.and_then(|d| d.number.as_deref()).unwrap_or("")),
                doc_amount.as_str(),
                &text(doc.and_then(|d| d.handler.as_deref()).unwrap_or("")),
                &text(doc.and_then(|d| d.checker.as_deref()).unwrap_or("")),
                &doc.and_then(|d| d.date).map(format_date).unwrap_or_default(),
                &text(auth),
                reverses.as_str(),
            ])?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Writes vouchers as a ledger-cli / hledger journal, accounts named by
/// their full Chinese names (`管理费用:办公费`), so that `ledger bal` on the
/// output can be compared with the trial balance.
pub struct LedgerExporter<'c, W: Write> {
    out: W,
    chart: &'c Chart,
    names: HashMap<String, String>,
}

impl<'c, W: Write> LedgerExporter<'c, W> {
    pub fn new(mut out: W, chart: &'c Chart) -> std::io::Result<LedgerExporter<'c, W>> {
        writeln!(out, "; qianzhang export: amounts in CNY, debit positive")?;
        writeln!(out)?;
        Ok(LedgerExporter { out, chart, names: HashMap::new() })
    }

    /// Writes a posted voucher; others are skipped, so the journal holds the
    /// same postings as the trial balance.
    pub fn write(&mut self, v: &Voucher, status: Status) -> std::io::Result<()> {
        if status != Status::Posted {
            return Ok(());
        }
        let mark = "*";
        let summary = v.lines().first().map(|l| l.summary.as_str()).unwrap_or("");
        writeln!(
            self.out,
            "{} {mark} ({}) {}",
            format_date(v.date()),
            v.reference(),
            summary.replace(['\n', ';'], " ")
        )?;
        if v.origin() == Origin::History {
            writeln!(self.out, "    ; 历史迁移")?;
        }
        for l in v.lines() {
            let chart = self.chart;
            let name =
                self.names.entry(l.account.clone()).or_insert_with(|| chart.full_name(&l.account).replace('/', ":"));
            writeln!(self.out, "    {name}  {} CNY", l.signed().to_decimal_string())?;
        }
        writeln!(self.out)
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
