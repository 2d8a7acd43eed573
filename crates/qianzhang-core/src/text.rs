//! [LIM-1] text as it may enter the books.
//!
//! Everything a person types is printed again: on reports, in the journal,
//! in exports and on the notice board. A newline in a summary forges a line
//! of the journal, an ESC sequence repaints a terminal, a bidirectional
//! override reverses what a reader sees. So no stored text holds a control
//! character, a line or paragraph separator or a bidi control, and every
//! field has a length cap. [`check_text`] is the one validator; every
//! command's events pass [`check_event`] before they are recorded (the
//! `Books::append` contract), and voucher lines are checked row by row in
//! `voucher::check_lines` so a file's refusals name their rows.

use crate::books::Event;
use crate::rule::{Refusal, Rule};

/// Names of people (姓名) and the operator typed with `--as`.
pub const NAME_CHARS: usize = 20;
/// Codes, numbers and short names: document and authorization numbers,
/// receipt books, account, ledger, fund and asset names, titles.
pub const NUMBER_CHARS: usize = 64;
/// Summaries (摘要), counterparties, issuers, locations.
pub const SUMMARY_CHARS: usize = 200;
/// Reasons, scopes and opinions.
pub const REASON_CHARS: usize = 500;
/// File names recorded with an import.
pub const FILE_NAME_CHARS: usize = 255;

/// [LIM-1] `value`, typed into `field`, holds no control character and at
/// most `max_chars` characters.
/// A full-width character as typed by a Chinese input method (ＡＢ１２３，．－)
/// as its ASCII twin, the ideographic space as a space; others as they are.
pub fn half_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

pub fn check_text(field: &str, value: &str, max_chars: usize) -> Result<(), Refusal> {
    // One pass over the bytes settles the usual text: every forbidden
    // character is an ASCII control or begins with byte C2, D8 or E2.
    let (mut chars, mut suspect) = (0usize, false);
    for &b in value.as_bytes() {
        chars += usize::from(!(0x80..0xC0).contains(&b));
        suspect |= b < 0x20 || matches!(b, 0x7F | 0xC2 | 0xD8 | 0xE2);
    }
    if !suspect && chars <= max_chars {
        return Ok(());
    }
    if let Some((i, c)) = value.chars().enumerate().find(|(_, c)| forbidden(*c)) {
        let what = match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => "换行",
            '\t' => "制表符",
            _ => "控制字符",
        };
        return Err(Refusal::new(
            Rule::Lim1,
            format!(
                "{field}中含有{what}（第 {} 个字符 U+{:04X}）：这类字符会打乱账簿的打印和导出，请删去后重试",
                i + 1,
                c as u32
            ),
        ));
    }
    let n = value.chars().count();
    if n > max_chars {
        return Err(Refusal::new(Rule::Lim1, format!("{field}最多 {max_chars} 个字，现有 {n} 个字")));
    }
    Ok(())
}

/// Control characters (C0, DEL, C1), line and paragraph separators, and
/// the bidirectional controls.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// [LIM-1] every text an event would record. A refused attempt is logged
/// as typed (it is evidence, and its printing is the reports' concern).
pub fn check_event(event: &Event) -> Result<(), Refusal> {
    match event {
        Event::Refused { .. } => return Ok(()),
        // The hot path of an import: a voucher's fields are read as they
        // are, not serialized to be walked.
        Event::VoucherPrepared { voucher }
        | Event::VoucherMigrated { voucher }
        | Event::VoucherRevised { voucher }
        | Event::ClosingVoucher { voucher } => return check_voucher(voucher),
        _ => {}
    }
    let value = serde_json::to_value(event).map_err(|e| Refusal::new(Rule::Lim1, e.to_string()))?;
    let kind = event.kind();
    walk(kind, None, &value)
}

/// [LIM-1] every text a voucher carries, with the caps [`field_of`] gives
/// the same keys. What is not listed here the engine writes itself (dates,
/// amounts, the reference, the origin).
fn check_voucher(v: &crate::voucher::Voucher) -> Result<(), Refusal> {
    let optional = |field: &str, text: Option<&String>, max: usize| text.map_or(Ok(()), |t| check_text(field, t, max));
    for l in v.lines() {
        check_text("摘要", &l.summary, SUMMARY_CHARS)?;
        check_text("科目", &l.account, NUMBER_CHARS)?;
        optional("资金", l.fund.as_ref(), SUMMARY_CHARS)?;
        optional("往来单位", l.counterparty.as_ref(), SUMMARY_CHARS)?;
    }
    for d in v.documents() {
        check_text("单据类型", &d.doc_type, NUMBER_CHARS)?;
        optional("开票单位", d.issuer.as_ref(), SUMMARY_CHARS)?;
        optional("编号", d.number.as_ref(), NUMBER_CHARS)?;
        optional("姓名", d.handler.as_ref(), NAME_CHARS)?;
        optional("姓名", d.checker.as_ref(), NAME_CHARS)?;
    }
    if let Some(a) = v.authorization() {
        check_text("审批依据", a, NUMBER_CHARS)?;
    }
    if let Some(r) = v.source_ref() {
        check_text("编号", r, NUMBER_CHARS)?;
    }
    check_text("文字", v.preparer(), REASON_CHARS)
}

fn walk(kind: &str, key: Option<&str>, value: &serde_json::Value) -> Result<(), Refusal> {
    match value {
        serde_json::Value::String(text) => {
            let key = key.unwrap_or("");
            let (field, max) = field_of(kind, key);
            check_text(field, text, max)
        }
        serde_json::Value::Array(items) => items.iter().try_for_each(|v| walk(kind, key, v)),
        serde_json::Value::Object(map) => map.iter().try_for_each(|(k, v)| walk(kind, Some(k), v)),
        _ => Ok(()),
    }
}

/// The field a JSON key of an event holds, as users know it, and its cap.
fn field_of(kind: &str, key: &str) -> (&'static str, usize) {
    match (kind, key) {
        ("person_registered", "name") => ("姓名", NAME_CHARS),
        // A setting's own check caps it (a contact 100, a public URL 200).
        ("setting_changed", "value") => ("设置值", SUMMARY_CHARS),
        (_, "name") => ("名称", NUMBER_CHARS),
        (
            _,
            "person" | "holder" | "handler" | "checker" | "counter" | "by" | "reviewer" | "accountant" | "approver"
            | "custodian" | "a" | "b" | "parent" | "child",
        ) => ("姓名", NAME_CHARS),
        (_, "payer") => ("交款人", NUMBER_CHARS),
        (_, "title") => ("职务", NAME_CHARS),
        (_, "number" | "doc_no") => ("编号", NUMBER_CHARS),
        (_, "authorization") => ("审批依据", NUMBER_CHARS),
        (_, "book") => ("收据本", NUMBER_CHARS),
        (_, "reference" | "source_ref" | "ref") => ("编号", NUMBER_CHARS),
        (_, "doc_type") => ("单据类型", NUMBER_CHARS),
        (_, "code" | "account") => ("科目", NUMBER_CHARS),
        (_, "value") => ("设置值", NUMBER_CHARS),
        (_, "summary") => ("摘要", SUMMARY_CHARS),
        (_, "counterparty") => ("往来单位", SUMMARY_CHARS),
        (_, "issuer") => ("开票单位", SUMMARY_CHARS),
        (_, "fund") => ("资金", SUMMARY_CHARS),
        (_, "location") => ("存放地点", SUMMARY_CHARS),
        (_, "file" | "file_name") => ("文件名", FILE_NAME_CHARS),
        (_, "reason" | "disposal_reason") => ("原因", REASON_CHARS),
        (_, "scope") => ("审批范围", REASON_CHARS),
        (_, "opinion") => ("审核意见", REASON_CHARS),
        _ => ("文字", REASON_CHARS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// [LIM-1] the one-pass check of the usual text refuses exactly
        /// what walking the characters refuses, with the same words.
        #[test]
        fn lim_1_the_quick_check_agrees_with_the_characters(value in "\\PC{0,12}|[\\x00-\\x{a0}\\x{2000}-\\x{2070}\\x{61c}摘要¥]{0,12}", max in 0usize..14) {
            let walked = match value.chars().enumerate().find(|(_, c)| forbidden(*c)) {
                Some(_) => false,
                None => value.chars().count() <= max,
            };
            let checked = check_text("摘要", &value, max);
            proptest::prop_assert_eq!(checked.is_ok(), walked, "{:?}", value);
        }
    }

    #[test]
    fn lim_1_control_characters_and_long_text_are_refused() {
        for bad in
            ["第一行\n第二行", "a\rb", "\u{1b}[2J清屏", "tab\there", "x\u{7f}", "\u{202e}反向", "a\u{2028}b", "\u{85}"]
        {
            let r = check_text("摘要", bad, 200).unwrap_err();
            assert_eq!(r.rule, Rule::Lim1, "{bad:?}");
            assert!(r.message.contains("U+"), "{}", r.message);
        }
        assert!(check_text("摘要", "购买办公用品（A4 纸 5 包）", 200).is_ok());
        assert!(check_text("编号", &"9".repeat(64), 64).is_ok());
        let r = check_text("编号", &"9".repeat(100_000), 64).unwrap_err();
        assert!(r.message.contains("最多 64 个字") && r.message.contains("100000"), "{}", r.message);
        assert!(check_text("姓名", &"张".repeat(21), NAME_CHARS).is_err());
    }

    #[test]
    fn lim_1_every_text_of_an_event_is_checked() {
        let ok = Event::PersonRegistered { name: "张伟".into() };
        assert!(check_event(&ok).is_ok());
        let forged = Event::PersonRegistered { name: "张伟\n2025-03-01 管理员 删除".into() };
        assert_eq!(check_event(&forged).unwrap_err().rule, Rule::Lim1);
        let long = Event::PersonRegistered { name: "张".repeat(21) };
        assert!(check_event(&long).unwrap_err().message.contains("姓名"));
        let reason = Event::PeriodClosed {
            period: crate::Period::parse("2025-01").unwrap(),
            reason: "月末结账\u{1b}]0;x\u{7}".into(),
            in_transit: Vec::new(),
        };
        assert!(check_event(&reason).unwrap_err().message.contains("原因"));
    }

    /// The voucher's own path checks what walking its JSON would: every text
    /// field, a control character anywhere refused.
    #[test]
    fn lim_1_a_voucher_event_is_checked_field_by_field() {
        let good = r#"{"ref":"2025-03/记-0001","date":"2025-03-02","origin":"entered","preparer":"赵敏",
            "authorization":"两委决议〔2025〕1号","source_ref":"7",
            "lines":[{"summary":"办公用品","account":"520101","side":"debit","amount":"10.00","fund":"低保","counterparty":"惠民店"},
                     {"summary":"办公用品","account":"1002","side":"credit","amount":"10.00"}],
            "documents":[{"doc_type":"发票","issuer":"惠民店","number":"0101","handler":"张伟","checker":"李娜"}]}"#;
        let event = |json: &str| Event::VoucherPrepared { voucher: serde_json::from_str(json).unwrap() };
        assert!(check_event(&event(good)).is_ok());
        for field in [
            "赵敏",
            "两委决议〔2025〕1号",
            "\"7\"",
            "办公用品",
            "520101",
            "低保",
            "惠民店",
            "发票",
            "0101",
            "张伟",
            "李娜",
        ] {
            let bad = good.replacen(field, &format!("{}\\u001b", field.trim_end_matches('"')), 1);
            let bad = if field.starts_with('"') { good.replacen(field, "\"7\\u001b\"", 1) } else { bad };
            let r = check_event(&event(&bad)).expect_err(field);
            assert_eq!(r.rule, Rule::Lim1, "{field}");
        }
    }
}
