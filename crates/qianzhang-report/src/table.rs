//! A small table model rendered as aligned text (CJK-aware), Markdown or CSV.

use unicode_width::UnicodeWidthStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Rows of cells under a title, with total rows and notes below.
#[derive(Clone, Debug)]
pub struct Table {
    title: String,
    headers: Vec<(String, Align)>,
    rows: Vec<(Vec<String>, bool)>,
    notes: Vec<String>,
}

impl Table {
    pub fn new(title: &str, headers: &[(&str, Align)]) -> Table {
        Table {
            title: title.to_string(),
            headers: headers.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn column(&mut self, header: &str, align: Align) {
        self.headers.push((header.to_string(), align));
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

    /// CSV with the headers as the first row; titles and notes are left out.
    /// Text that a spreadsheet would run as a formula is escaped; the cells
    /// of right-aligned (numeric) columns stay numbers when they are ones.
    pub fn csv(&self) -> String {
        use qianzhang_core::csvfile::{escape_text_cell, is_number_cell};
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(self.headers.iter().map(|(h, _)| escape_text_cell(h).into_owned())).expect("writing to memory");
        for (cells, _) in &self.rows {
            let cells = cells.iter().zip(&self.headers).map(|(c, (_, align))| {
                if *align == Align::Right && is_number_cell(c) {
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
