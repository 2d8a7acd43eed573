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

    /// A GitHub-flavoured Markdown table.
    pub fn markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("## {}\n\n", self.title));
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
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(self.headers.iter().map(|(h, _)| h.as_str())).expect("writing to memory");
        for (cells, _) in &self.rows {
            w.write_record(cells).expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("writing to memory")).expect("cells are UTF-8")
    }
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
    fn markdown_escapes_pipes_and_right_aligns() {
        let mut t = Table::new("", &[("a|b", Align::Left), ("n", Align::Right)]);
        t.row(vec!["x".into(), "1".into()]);
        assert_eq!(t.markdown(), "| a\\|b | n |\n| --- | ---: |\n| x | 1 |\n");
    }
}
