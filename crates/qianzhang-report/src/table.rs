//! A small table model rendered as aligned text (CJK-aware), Markdown, CSV
//! (plain for scripts, or with a BOM and Chinese headers for Excel) or an
//! Excel workbook (see [`crate::xlsx`]).

use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

use crate::Format;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Align {
    Left,
    Right,
}

/// What a column holds: how a workbook writes its cells and whether a CSV
/// may leave a cell unescaped (numbers only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnType {
    Text,
    /// Amounts: numeric cells shown `#,##0.00`.
    Money,
    /// Counts and levels: numeric cells without decimals.
    Integer,
    /// `YYYY-MM-DD` dates: date cells.
    Date,
}

impl ColumnType {
    /// The type a column gets from its alignment and header: right-aligned
    /// columns hold amounts, a column named `date` or `…日期` dates.
    fn guess(header: &str, align: Align) -> ColumnType {
        match align {
            Align::Right => ColumnType::Money,
            Align::Left if header == "date" || header.ends_with("日期") || header == "日期" => ColumnType::Date,
            Align::Left => ColumnType::Text,
        }
    }

    pub fn is_number(self) -> bool {
        matches!(self, ColumnType::Money | ColumnType::Integer)
    }
}

/// Rows of cells under a title, with total rows and notes below.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Table {
    title: String,
    headers: Vec<(String, Align)>,
    types: Vec<ColumnType>,
    rows: Vec<(Vec<String>, bool)>,
    notes: Vec<String>,
    /// Chinese headers of this table's machine columns where the shared
    /// word ([`chinese_header`]) is not the report's own (`opening` → 期初份额).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    labels: Vec<(String, String)>,
}

impl Table {
    pub fn new(title: &str, headers: &[(&str, Align)]) -> Table {
        Table {
            title: title.to_string(),
            headers: headers.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            types: headers.iter().map(|(h, a)| ColumnType::guess(h, *a)).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Heads the machine column `key` with `chinese` where a person reads
    /// the table (Excel CSV, workbook), instead of the shared word.
    pub fn label(&mut self, key: &str, chinese: &str) {
        self.labels.push((key.to_string(), chinese.to_string()));
    }

    pub fn column(&mut self, header: &str, align: Align) {
        self.headers.push((header.to_string(), align));
        self.types.push(ColumnType::guess(header, align));
    }

    /// Sets the type of the column headed `header` (when the guess from its
    /// alignment is wrong: a right-aligned count is an integer).
    pub fn set_type(&mut self, header: &str, ty: ColumnType) {
        if let Some(i) = self.headers.iter().position(|(h, _)| h == header) {
            self.types[i] = ty;
        }
    }

    pub fn types(&self) -> &[ColumnType] {
        &self.types
    }

    /// The table in `format` (JSON is the report's own, not the table's:
    /// it falls back to text here).
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Markdown => self.markdown(),
            Format::Csv => self.excel_csv(),
            Format::PlainCsv => self.csv(),
            Format::Xlsx => self.sheet(),
            Format::Text | Format::Json => self.text(),
        }
    }

    /// The table as handed to the workbook writer: an `--format xlsx`
    /// report renders to this text, and [`crate::xlsx::workbook`] turns it
    /// into the workbook's bytes where the output is written.
    pub fn sheet(&self) -> String {
        serde_json::to_string(self).expect("a table always serializes")
    }

    /// The headers as a person reads them: a machine header (`debit`) in
    /// Chinese (`借方`), a Chinese one as it is.
    pub fn chinese_headers(&self) -> Vec<String> {
        self.headers
            .iter()
            .map(|(h, _)| {
                let own = self.labels.iter().find(|(k, _)| k == h).map(|(_, c)| c.as_str());
                own.or_else(|| chinese_header(h)).unwrap_or(h).to_string()
            })
            .collect()
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push((cells, false));
    }

    /// A total row: set off by a rule in text, bold in Markdown.
    pub fn total(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push((cells, true));
    }

    pub fn note(&mut self, text: &str) {
        self.notes.push(text.to_string());
    }

    /// The same table under another title.
    pub fn retitled(mut self, title: &str) -> Table {
        self.title = title.to_string();
        self
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn headers(&self) -> &[(String, Align)] {
        &self.headers
    }

    /// Rows with whether each is a total row.
    pub fn rows(&self) -> &[(Vec<String>, bool)] {
        &self.rows
    }

    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Aligned plain text; CJK characters count two columns.
    pub fn text(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|(h, _)| h.width()).collect();
        for (cells, _) in &self.rows {
            for (w, c) in widths.iter_mut().zip(cells) {
                *w = (*w).max(c.width());
            }
        }
        let line = |cells: &[String]| -> String {
            let mut out = String::new();
            for (i, ((c, (_, align)), w)) in cells.iter().zip(&self.headers).zip(&widths).enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                let pad = " ".repeat(w.saturating_sub(c.width()));
                match align {
                    Align::Left => {
                        out.push_str(c);
                        out.push_str(&pad);
                    }
                    Align::Right => {
                        out.push_str(&pad);
                        out.push_str(c);
                    }
                }
            }
            out.trim_end().to_string()
        };
        let total_width: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
        let rule = "-".repeat(total_width);
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&self.title);
            out.push('\n');
        }
        let headers: Vec<String> = self.headers.iter().map(|(h, _)| h.clone()).collect();
        out.push_str(&line(&headers));
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        let mut after_total = false;
        for (cells, total) in &self.rows {
            if *total && !after_total {
                out.push_str(&rule);
                out.push('\n');
            }
            after_total = *total;
            out.push_str(&line(cells));
            out.push('\n');
        }
        for n in &self.notes {
            out.push_str(n);
            out.push('\n');
        }
        out
    }

    /// A GitHub-flavoured Markdown table. Every text is escaped with
    /// [`md_escape`]: Markdown is often shown as HTML, so a summary holding
    /// `<script>` must reach the reader as text.
    pub fn markdown(&self) -> String {
        let esc = md_escape;
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("## {}\n\n", esc(&self.title)));
        }
        out.push('|');
        for (h, _) in &self.headers {
            out.push_str(&format!(" {} |", esc(h)));
        }
        out.push_str("\n|");
        for (_, a) in &self.headers {
            out.push_str(if *a == Align::Right { " ---: |" } else { " --- |" });
        }
        out.push('\n');
        for (cells, total) in &self.rows {
            out.push('|');
            for c in cells {
                if *total && !c.is_empty() {
                    out.push_str(&format!(" **{}** |", esc(c)));
                } else {
                    out.push_str(&format!(" {} |", esc(c)));
                }
            }
            out.push('\n');
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                out.push_str(&format!("{}\n\n", esc(n)));
            }
        }
        out
    }

    /// CSV for scripts: the headers as given (English for machine tables)
    /// as the first row, no BOM; titles and notes are left out. Text that a
    /// spreadsheet would run as a formula is escaped; the cells of numeric
    /// columns stay numbers when they are ones.
    pub fn csv(&self) -> String {
        let headers: Vec<String> = self.headers.iter().map(|(h, _)| h.clone()).collect();
        self.csv_with(&headers)
    }

    /// CSV for Excel: a UTF-8 BOM (so that Excel reads the Chinese) and
    /// Chinese headers, cells as in [`Table::csv`].
    pub fn excel_csv(&self) -> String {
        let mut out = String::from("\u{FEFF}");
        out.push_str(&self.csv_with(&self.chinese_headers()));
        out
    }

    fn csv_with(&self, headers: &[String]) -> String {
        use qianzhang_core::csvfile::{escape_text_cell, is_number_cell};
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(headers.iter().map(|h| escape_text_cell(h).into_owned())).expect("writing to memory");
        for (cells, _) in &self.rows {
            let cells = cells.iter().zip(&self.types).map(|(c, ty)| {
                if ty.is_number() && is_number_cell(c) {
                    c.clone()
                } else {
                    escape_text_cell(c).into_owned()
                }
            });
            w.write_record(cells).expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("writing to memory")).expect("cells are UTF-8")
    }
}

/// The Chinese header of a machine table's English column name.
pub fn chinese_header(key: &str) -> Option<&'static str> {
    Some(match key {
        "account" => "科目编码",
        "name" | "account_name" => "科目名称",
        "level" => "级次",
        "opening" => "期初余额",
        "debit" => "借方",
        "credit" => "贷方",
        "closing" => "期末余额",
        "date" => "日期",
        "voucher" => "凭证号",
        "summary" => "摘要",
        "origin" => "来源",
        "reverses" => "冲销凭证",
        "balance" => "余额",
        "direction" => "方向",
        "kind" => "类别",
        "counterparty" => "收付对象",
        "in" | "income" => "收入",
        "out" | "expense" => "支出",
        "fund" => "资金",
        "rule" => "规则",
        "people" => "人员",
        "amount" => "金额",
        "detail" => "说明",
        "status" => "状态",
        "acts" => "操作记录",
        "no" => "序号",
        "handler" => "经办人",
        "approver" => "审批人",
        "basis" => "审批依据",
        "ledger" => "账套",
        "other" => "其他收付",
        "lowest" => "月内最低",
        _ => return None,
    })
}

/// Text for Markdown: HTML-significant characters as entities (Markdown is
/// often rendered to HTML, where raw HTML would run), table pipes and
/// backslashes escaped, line breaks as spaces so that a cell stays on its row.
pub fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_aligns_chinese_by_display_width() {
        let mut t = Table::new("标题", &[("科目", Align::Left), ("金额", Align::Right)]);
        t.row(vec!["库存现金".into(), "1.00".into()]);
        t.row(vec!["x".into(), "1,000.00".into()]);
        t.total(vec!["合计".into(), "1,001.00".into()]);
        insta::assert_snapshot!(t.text(), @r"
        标题
        科目          金额
        ------------------
        库存现金      1.00
        x         1,000.00
        ------------------
        合计      1,001.00
        ");
    }

    #[test]
    fn markdown_escapes_html_and_csv_escapes_formulas_in_text_cells_only() {
        let mut t = Table::new("<b>标题</b>", &[("摘要", Align::Left), ("金额", Align::Right), ("n", Align::Right)]);
        t.row(vec!["<script>alert(1)</script>".into(), "-1,850.00".into(), "-x".into()]);
        t.row(vec!["=1+1".into(), "12".into(), "@A1".into()]);
        t.note("a & b\\|c\nd");
        let md = t.markdown();
        assert!(!md.contains('<') && md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
        assert!(md.contains("## &lt;b&gt;标题&lt;/b&gt;") && md.contains("a &amp; b\\\\\\|c d"), "{md}");
        assert_eq!(
            t.csv(),
            "摘要,金额,n\n<script>alert(1)</script>,\"-1,850.00\",'-x\n'=1+1,12,'@A1\n",
            "numbers stay numbers; text that would run as a formula gets a quote"
        );
    }

    #[test]
    fn markdown_escapes_pipes_and_right_aligns() {
        let mut t = Table::new("", &[("a|b", Align::Left), ("n", Align::Right)]);
        t.row(vec!["x".into(), "1".into()]);
        assert_eq!(t.markdown(), "| a\\|b | n |\n| --- | ---: |\n| x | 1 |\n");
    }
}
