use super::*;
use crate::memory::MemoryBooks;
use crate::voucher::Status;

/// How the tests import: as 赵敏, on the tests' day, never forced.
fn options(history: bool) -> ImportOptions<'static> {
    ImportOptions {
        file_name: "t.csv",
        encoding: None,
        history,
        force: false,
        preparer: "赵敏",
        today: crate::test_support::TODAY,
    }
}

fn import(b: &mut MemoryBooks, text: &[u8], history: bool) -> Result<ImportSummary, Failure> {
    import_csv_bytes(b, text, &options(history))
}

fn reasons(r: Result<ImportSummary, Failure>) -> Vec<(Option<usize>, Rule)> {
    match r {
        Err(Failure::Refused(r)) => r.reasons.iter().map(|x| (x.row, x.rule)).collect(),
        other => panic!("expected refusal, got {other:?}"),
    }
}

#[test]
fn csv_1_english_or_chinese_headers_with_or_without_bom() {
    for header in [
        "date,voucher,summary,account,debit,credit",
        "\u{feff}日期,凭证号,摘要,科目,借方,贷方",
        "Date,Voucher,Summary,Account,Debit,Credit",
    ] {
        let mut b = MemoryBooks::fixture();
        let text = format!("{header}\n2025-01-05,V1,办公,5201,\"1,000.50\",\n2025-01-05,V1,办公,库存现金,,¥1000.5\n");
        let s = import(&mut b, text.as_bytes(), false).unwrap();
        assert_eq!((s.rows, s.vouchers), (2, 1), "{header}");
        let (v, status) = b.vouchers.values().next().unwrap();
        assert_eq!(*status, Status::Prepared);
        assert_eq!(v.lines()[1].account, "1001");
        assert_eq!(v.total_debit(), Money::from_fen(100_050));
        assert_eq!(v.source_ref(), Some("V1"));
    }
}

#[test]
fn scan_validates_utf8_across_block_boundaries() {
    let text = "摘要".repeat(40_000);
    let bytes = text.as_bytes();
    struct Dribble<'a>(&'a [u8]);
    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(7_777);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    // One line of 240,000 bytes: past the line limit, so without it.
    let s = scan_within(Dribble(bytes), usize::MAX, u64::MAX).unwrap();
    assert_eq!((s.invalid_utf8_at, s.ascii), (None, false));
    let mut cut = bytes.to_vec();
    cut.pop();
    assert_eq!(scan_within(&cut[..], usize::MAX, u64::MAX).unwrap().invalid_utf8_at, Some(cut.len() as u64 - 2));
    assert!(scan(&b"plain,ascii"[..]).unwrap().ascii);
}

mod scan_in_blocks {
    use super::*;
    use proptest::prelude::*;

    /// Hands out `bytes` in reads of the sizes given, in turn.
    struct Reads<'a>(&'a [u8], Vec<usize>, usize);
    impl Read for Reads<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let want = self.1[self.2 % self.1.len()];
            self.2 += 1;
            let n = buf.len().min(self.0.len()).min(want);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    proptest! {
        /// [CSV-2] however the reads cut the characters, the first byte
        /// that is not UTF-8 is where the whole text says it is.
        #[test]
        fn csv_2_utf8_is_checked_the_same_however_the_file_is_read(
            text in "[a-z,\n摘要收入¥😀]{0,60}",
            bad in proptest::option::of((0usize..200, 0x80u8..=0xff)),
            cut_at in 0usize..4,
            reads in proptest::collection::vec(1usize..9, 1..5),
        ) {
            let mut bytes = text.into_bytes();
            if let Some((at, byte)) = bad {
                bytes.insert(at.min(bytes.len()), byte);
            }
            bytes.truncate(bytes.len().saturating_sub(cut_at));
            let whole = std::str::from_utf8(&bytes);
            let got = scan_within(Reads(&bytes, reads, 0), usize::MAX, u64::MAX).unwrap();
            prop_assert_eq!(got.invalid_utf8_at, whole.err().map(|e| e.valid_up_to() as u64));
            prop_assert_eq!(got.ascii, bytes.is_ascii());
            prop_assert_eq!(got.bytes, bytes.len() as u64);
        }

        /// [LIM-1] a line over the limit is found, and named, however the
        /// reads cut it.
        #[test]
        fn lim_1_a_long_line_is_found_however_the_file_is_read(
            lengths in proptest::collection::vec(0usize..20, 1..8),
            reads in proptest::collection::vec(1usize..9, 1..5),
        ) {
            let text: String = lengths.iter().map(|n| format!("{}\n", "x".repeat(*n))).collect();
            let got = scan_within(Reads(text.as_bytes(), reads, 0), 10, u64::MAX).unwrap();
            let first_long = lengths.iter().position(|n| *n > 10);
            prop_assert_eq!(
                got.over_limit.map(|r| r.message),
                first_long.map(|i| format!("第 {} 行超过 10 字节，不是可读的表格行（是否选错了文件？）", i + 1))
            );
        }
    }
}

#[test]
fn lim_1_scan_stops_at_a_line_or_a_file_too_long() {
    let long = scan(std::io::repeat(0).take(1 << 30)).unwrap();
    assert_eq!(long.over_limit.unwrap().rule, Rule::Lim1);
    let rows = format!("{}\n", "x".repeat(MAX_LINE_BYTES)).repeat(2);
    assert!(scan(rows.as_bytes()).unwrap().over_limit.is_none());
    let over = format!("a\n{}\n", "x".repeat(MAX_LINE_BYTES + 1));
    assert!(scan(over.as_bytes()).unwrap().over_limit.unwrap().message.contains("第 2 行"));
    let big = scan_within(std::io::repeat(b'\n').take(100), 10, 50).unwrap();
    assert!(big.over_limit.unwrap().message.contains("超过 50 字节"));
    let r = read_at_most(std::io::repeat(0), 1000, "凭证文件").unwrap_err();
    assert_eq!(r.rule, Rule::Lim1);
    assert_eq!(read_at_most(&b"abc"[..], 3, "x").unwrap(), b"abc");
}

#[test]
fn csv_1_missing_columns_are_named() {
    let mut b = MemoryBooks::fixture();
    let r = import(&mut b, "日期,凭证号,科目,借方\n".as_bytes(), false);
    let Err(Failure::Refused(r)) = r else { panic!() };
    assert_eq!(r.reasons[0].rule, Rule::Csv1);
    assert!(r.reasons[0].message.contains("摘要（summary）") && r.reasons[0].message.contains("贷方（credit）"));
}

#[test]
fn every_error_is_listed_with_its_row() {
    let mut b = MemoryBooks::fixture();
    let text = "date,voucher,summary,account,debit,credit\n\
                    2025-01-05,1,a,5201,1.001,\n\
                    2025-01-05,1,a,1001,,1\n\
                    2025-01-06,2,b,9999,5,\n\
                    2025-01-06,2,b,1001,,5\n\
                    2025-01-07,3,c,5201,5,\n\
                    2025-01-08,3,c,1001,,5\n\
                    2025-01-09,4,d,5201,3,\n\
                    2025-01-09,4,d,1001,,2\n";
    assert_eq!(
        reasons(import(&mut b, text.as_bytes(), false)),
        vec![(Some(2), Rule::Vch1), (Some(4), Rule::Vch2), (Some(7), Rule::Csv3), (Some(8), Rule::Vch1)]
    );
}

#[test]
fn csv_2_gbk_is_detected_and_never_garbled() {
    let text = "日期,凭证号,摘要,科目,借方,贷方\n2025-01-05,1,购买办公用品,管理费用,5,\n2025-01-05,1,购买办公用品,库存现金,,5\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let gbk_scan = scan(&gbk[..]).unwrap();
    assert_eq!(choose_encoding(&gbk_scan, None), Ok(TextEncoding::Gb18030));
    assert_eq!(decode_gb18030(&gbk).unwrap(), text);
    assert_eq!(choose_encoding(&gbk_scan, Some(TextEncoding::Utf8)).unwrap_err().rule, Rule::Csv2);
    let utf8_scan = scan(text.as_bytes()).unwrap();
    assert_eq!(choose_encoding(&utf8_scan, Some(TextEncoding::Gb18030)).unwrap_err().rule, Rule::Csv2);
    assert_eq!(decode_gb18030(&[0x81, 0x20, 0xff]).unwrap_err().rule, Rule::Csv2);
    let mut b = MemoryBooks::fixture();
    import(&mut b, &gbk, false).unwrap();
    assert_eq!(b.vouchers.values().next().unwrap().0.lines()[0].summary, "购买办公用品");
}

#[test]
fn csv_4_the_same_bytes_twice() {
    let mut b = MemoryBooks::fixture();
    let text = b"date,voucher,summary,account,debit,credit\n2025-01-05,1,a,5201,1,\n2025-01-05,1,a,1001,,1\n";
    import(&mut b, text, false).unwrap();
    assert_eq!(reasons(import(&mut b, text, false)), vec![(None, Rule::Csv4)]);
    let Err(Failure::Refused(again)) = import(&mut b, text, false) else { panic!("refused above") };
    assert!(again.reasons[0].message.contains("--force"), "{again:?}");
    // History is migrated once: forcing it in again is not suggested.
    let history = b"date,voucher,summary,account,debit,credit\n2024-12-05,1,a,5201,1,\n2024-12-05,1,a,1001,,1\n";
    let mut h = MemoryBooks::fixture();
    import(&mut h, history, true).unwrap();
    let Err(Failure::Refused(twice)) = import(&mut h, history, true) else { panic!("the same history twice") };
    assert_eq!(twice.reasons[0].rule, Rule::Csv4);
    assert!(!twice.reasons[0].message.contains("--force"), "{twice:?}");
    import_csv_bytes(&mut b, text, &ImportOptions { force: true, ..options(false) }).unwrap();
}

#[test]
fn history_is_posted_and_closes_its_periods() {
    let mut b = MemoryBooks::fixture();
    let text = b"date,voucher,summary,account,debit,credit\n2024-11-05,1,a,5201,1,\n2024-11-05,1,a,1001,,1\n2024-12-05,1,b,5201,2,\n2024-12-05,1,b,1001,,2\n";
    let s = import(&mut b, text, true).unwrap();
    assert_eq!(s.periods_closed, vec![Period::parse("2024-11").unwrap(), Period::parse("2024-12").unwrap()]);
    assert!(b.vouchers.values().all(|(v, s)| *s == Status::Posted && v.origin() == Origin::History));
    assert!(matches!(b.events.last(), Some(Event::FileImported { history: true, vouchers: 2, .. })));
}

#[test]
fn red_reversal_rows_cite_the_original() {
    let mut b = MemoryBooks::fixture();
    let text = b"date,voucher,summary,account,debit,credit\n2024-12-05,1,a,5201,20,\n2024-12-05,1,a,1001,,20\n";
    import(&mut b, text, true).unwrap();
    let red = "date,voucher,summary,account,debit,credit,reverses\n2025-01-05,1,冲销,5201,-20,,2024-12/记-0001\n2025-01-05,1,冲销,1001,,-20,2024-12/记-0001\n";
    import(&mut b, red.as_bytes(), false).unwrap();
    let wrong = "date,voucher,summary,account,debit,credit,reverses\n2025-01-06,1,冲销,5201,-10,,2024-12/记-0001\n2025-01-06,1,冲销,1001,,-10,2024-12/记-0001\n";
    assert_eq!(reasons(import(&mut b, wrong.as_bytes(), false)), vec![(Some(2), Rule::Vch5)]);
}

#[test]
fn formula_like_text_is_escaped_on_export_and_restored_on_import() {
    for (raw, written) in [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'quoted", "''quoted"),
        ("购买打印纸", "购买打印纸"),
        ("", ""),
    ] {
        assert_eq!(escape_text_cell(raw), written, "{raw:?}");
        assert_eq!(unescape_text_cell(written), raw, "{written:?}");
    }
    assert_eq!(unescape_text_cell("'abc"), "'abc", "a user's own quote stays");
    assert!(is_number_cell("-1850.00") && is_number_cell("1,850.00") && is_number_cell("12"));
    assert!(!is_number_cell("-") && !is_number_cell("-=1") && !is_number_cell("") && !is_number_cell("1e5"));
    let mut b = MemoryBooks::fixture();
    let text = "date,voucher,summary,account,debit,credit,counterparty\n\
                    2025-01-05,1,=1+1,5201,1,,@张三\n2025-01-05,1,=1+1,1001,,1,\n";
    import(&mut b, text.as_bytes(), false).unwrap();
    let mut out = Vec::new();
    let mut ex = CsvExporter::new(&mut out, false).unwrap();
    ex.write(&b.vouchers.values().next().unwrap().0).unwrap();
    ex.finish().unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains(",'=1+1,5201,1.00,,,'@张三,"), "{out}");
    let mut again = MemoryBooks::fixture();
    import(&mut again, out.as_bytes(), false).unwrap();
    let v = &again.vouchers.values().next().unwrap().0;
    assert_eq!((v.lines()[0].summary.as_str(), v.lines()[0].counterparty.as_deref()), ("=1+1", Some("@张三")));
}

mod round_trip {
    use super::*;
    use crate::test_support::draft;
    use proptest::prelude::*;

    fn export(b: &MemoryBooks) -> Vec<u8> {
        let mut vouchers: Vec<_> = b.vouchers.values().collect();
        vouchers.sort_by_key(|(v, _)| v.reference());
        let mut out = Vec::new();
        let mut ex = CsvExporter::new(&mut out, false).unwrap();
        for (v, _) in vouchers {
            ex.write(v).unwrap();
        }
        ex.finish().unwrap();
        out
    }

    proptest! {
        #[test]
        fn export_then_import_gives_the_same_vouchers(
            vouchers in prop::collection::vec((0u8..3, 1u8..28, 1i64..10_000_000, prop::option::of("[a-z，、 =+@'-]{0,12}")), 1..30)
        ) {
            let mut a = MemoryBooks::fixture();
            for (month, day, fen, note) in vouchers {
                let date = time::Date::from_calendar_date(2025, time::Month::try_from(month + 1).unwrap(), day).unwrap();
                let mut d = draft(date, fen);
                d.lines[0].counterparty = note.clone();
                d.authorization = note;
                crate::books::prepare_voucher(&mut a, d, Origin::Imported, "赵敏").unwrap();
            }
            let first = export(&a);
            let mut b = MemoryBooks::fixture();
            import(&mut b, &first, false).unwrap();
            prop_assert_eq!(&export(&b), &first);
            for (r, (v, _)) in &a.vouchers {
                let (w, _) = &b.vouchers[r];
                prop_assert_eq!((v.date(), v.lines(), v.authorization()), (w.date(), w.lines(), w.authorization()));
            }
        }
    }
}

/// [CSV-3] a label begun before is found whatever its form: numbered
/// (记-0001, with the width of its number told apart), far ahead of the
/// numbers seen, or with no number at all; and only in its own period.
#[test]
fn csv_3_seen_labels_find_every_repeat() {
    let jan = Period::new(2024, 1).unwrap();
    let feb = Period::new(2024, 2).unwrap();
    let mut seen = SeenLabels::default();
    assert_eq!(seen.insert(jan, "记-0001", 2), None);
    assert_eq!(seen.insert(jan, "记-0002", 4), None);
    assert_eq!(seen.insert(jan, "记-001", 6), None, "another width is another label");
    assert_eq!(seen.insert(feb, "记-0001", 8), None, "another period");
    assert_eq!(seen.insert(jan, "记-9000000", 10), None, "another width");
    assert_eq!(seen.insert(jan, "收-0001", 12), None, "another word");
    assert_eq!(seen.insert(jan, "甲", 14), None, "no number");
    assert_eq!(seen.insert(jan, "0", 16), None);
    assert_eq!(seen.insert(jan, "12345678901", 18), None, "too long a number: kept whole");
    assert_eq!(seen.insert(jan, "记-0001", 20), Some(2));
    assert_eq!(seen.insert(jan, "记-001", 22), Some(6));
    assert_eq!(seen.insert(feb, "记-0001", 24), Some(8));
    assert_eq!(seen.insert(jan, "记-9000000", 26), Some(10));
    assert_eq!(seen.insert(jan, "收-0001", 28), Some(12));
    assert_eq!(seen.insert(jan, "甲", 30), Some(14));
    assert_eq!(seen.insert(jan, "0", 32), Some(16));
    assert_eq!(seen.insert(jan, "12345678901", 34), Some(18));
    // Numbers past 9999 (a month of more than 9,999 vouchers) are listed
    // from the first one, not kept whole.
    let mut seen = SeenLabels::default();
    for n in 1..=30_000usize {
        assert_eq!(seen.insert(jan, &format!("记-{n:04}"), n + 1), None);
    }
    assert!(seen.other.is_empty(), "{} labels kept whole", seen.other[&jan].len());
    assert_eq!(seen.insert(jan, "记-25000", 99), Some(25_001));
    assert_eq!(seen.insert(jan, "记-0042", 99), Some(43));
    // A number first seen ahead, then reached by the numbers before it.
    let mut seen = SeenLabels::default();
    assert_eq!(seen.insert(jan, "记-100", 2), None);
    for (i, n) in (1..=100).enumerate() {
        let found = seen.insert(jan, &format!("记-{n:03}"), 3 + i);
        assert_eq!(found, (n == 100).then_some(2), "记-{n:03}");
    }
}

/// A file of `n` two-row vouchers over 2024-12 (history), with a mistake of each kind
/// every so often when `mistakes` is set.
fn many_vouchers(n: usize, mistakes: bool) -> String {
    let mut text = String::from("date,voucher,summary,account,debit,credit\n");
    for i in 1..=n {
        let day = 1 + i % 28;
        let (label, debit, account, credit) = match i % 500 {
            _ if !mistakes => (format!("记-{i:05}"), "12.50", "5201", "12.50"),
            101 => (String::new(), "12.50", "5201", "12.50"),
            202 => (format!("记-{i:05}"), "1.001", "5201", "12.50"),
            303 => (format!("记-{i:05}"), "12.50", "9999", "12.50"),
            404 => (format!("记-{i:05}"), "12.50", "5201", "12.00"),
            455 => (format!("记-{:05}", i - 2), "12.50", "5201", "12.50"),
            _ => (format!("记-{i:05}"), "12.50", "5201", "12.50"),
        };
        text.push_str(&format!("2024-12-{day:02},{label},办公用品,{account},{debit},\n"));
        text.push_str(&format!("2024-12-{day:02},{label},办公用品,库存现金,,{credit}\n"));
    }
    text
}

fn import_reading(text: &str, read_ahead: bool) -> (Result<ImportSummary, Failure>, String) {
    let mut b = MemoryBooks::fixture();
    let got = import_text(&mut b, text.as_bytes(), TextEncoding::Utf8, "digest".into(), read_ahead, &options(true));
    (got, format!("{:?}", b.events))
}

#[test]
fn csv_2_a_file_read_ahead_on_its_own_thread_gives_the_same_vouchers_and_refusals() {
    // Twelve batches and more, each handed over from the reading thread.
    let clean = many_vouchers(3_000, false);
    let (here, here_log) = import_reading(&clean, false);
    let (ahead, ahead_log) = import_reading(&clean, true);
    assert_eq!(
        here.as_ref().map(|s| (s.rows, s.vouchers)).map_err(|e| format!("{e:?}").chars().take(400).collect::<String>()),
        Ok((6_000, 3_000))
    );
    assert_eq!(format!("{here:?}"), format!("{ahead:?}"));
    assert_eq!(here_log, ahead_log);

    let wrong = many_vouchers(3_000, true);
    let (here, _) = import_reading(&wrong, false);
    let (ahead, _) = import_reading(&wrong, true);
    let Err(Failure::Refused(listed)) = &here else { panic!("expected refusals, got {here:?}") };
    // Each kind of mistake, six times over, in the file's order.
    let rules: Vec<Rule> = listed.reasons.iter().take(6).map(|r| r.rule).collect();
    assert_eq!(rules, vec![Rule::Csv2, Rule::Csv2, Rule::Vch1, Rule::Vch2, Rule::Vch1, Rule::Csv3]);
    assert!(listed.total() >= 30, "{}", listed.total());
    assert_eq!(format!("{here:?}"), format!("{ahead:?}"));
}

/// [CSV-2] a refusal names the line the row begins on in the file, as an
/// editor or Excel numbers it: blank lines count.
#[test]
fn csv_2_rows_are_numbered_as_the_file_numbers_its_lines() {
    let mut b = MemoryBooks::fixture();
    let text = "date,voucher,summary,account,debit,credit\n\
                2025-01-05,1,a,5201,1,\n\
                2025-01-05,1,a,1001,,1\n\
                \n\
                \r\n\
                2025-01-06,2,\"两行\n摘要\",5201,5,\n\
                2025-01-06,2,b,1001,,12.5x\n";
    assert_eq!(reasons(import(&mut b, text.as_bytes(), false)), vec![(Some(8), Rule::Csv2)]);
    // Lines that end in `\r` alone are counted as rows.
    let mut b = MemoryBooks::fixture();
    let old_mac = text.replace("\r\n", "\r").replace('\n', "\r");
    assert_eq!(reasons(import(&mut b, old_mac.as_bytes(), false)), vec![(Some(5), Rule::Csv2)]);
}

mod lines {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every record is named by the line it begins on, whatever blank
        /// lines (`\n` or `\r\n`) and quoted line breaks come before it.
        #[test]
        fn csv_2_each_record_begins_on_the_line_an_editor_shows(
            records in proptest::collection::vec((0usize..3, any::<bool>(), any::<bool>(), any::<bool>()), 1..12),
        ) {
            let mut text = String::new();
            let mut starts = Vec::new();
            for (i, (blanks, crlf, quoted_break, crlf_end)) in records.iter().enumerate() {
                for _ in 0..*blanks {
                    text.push_str(if *crlf { "\r\n" } else { "\n" });
                }
                starts.push(text.matches('\n').count() + 1);
                let cell = if *quoted_break { "\"a\nb\"".to_string() } else { format!("r{i}") };
                text.push_str(&format!("{cell},x{}", if *crlf_end { "\r\n" } else { "\n" }));
            }
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Lines::new(text.as_bytes()));
            let mut record = csv::StringRecord::new();
            let mut got = Vec::new();
            while reader.read_record(&mut record).unwrap() {
                let at = record.position().unwrap().byte();
                got.push(reader.get_mut().line_at(at));
            }
            prop_assert_eq!(got, starts, "{:?}", text);
        }
    }
}

/// [CSV-2, LIM-1] a run of blank lines longer than the line ends kept is
/// counted as it is read: the row after it is still named by its line.
#[test]
fn csv_2_a_long_run_of_blank_lines_is_counted() {
    let mut b = MemoryBooks::fixture();
    let blanks = "\n".repeat(LINE_ENDS_KEPT * 3 + 7);
    let text =
        format!("date,voucher,summary,account,debit,credit\n2025-01-05,1,a,5201,1,\n{blanks}2025-01-05,1,a,1001,,1x\n");
    assert_eq!(reasons(import(&mut b, text.as_bytes(), false)), vec![(Some(3 + LINE_ENDS_KEPT * 3 + 7), Rule::Csv2)]);
}
