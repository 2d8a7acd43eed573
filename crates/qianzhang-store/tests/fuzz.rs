//! The fuzz corpus and a fixed-seed mutation loop of every parser users
//! feed, in every `cargo test` (the same targets run open-ended with
//! `cargo fuzz`, see `crates/qianzhang-core/fuzz/README.md`).

#[path = "../../qianzhang-core/fuzz/targets.rs"]
mod targets;

use std::path::PathBuf;

use targets::Harness;

/// Mutations per target on top of the committed seeds: a few thousand,
/// fewer where a case is a whole import into the store (about 4 ms each in
/// a debug build), so the run stays within a few seconds.
const CASES: usize = 3000;
const IMPORT_CASES: usize = 1500;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../qianzhang-core/fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.into_iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn fuzz(target: &str, cases: usize, seed: u64, run: impl FnMut(&[u8]) -> targets::Outcome) {
    let seeds = seeds(target);
    let ran = targets::run(target, &seeds, cases, seed, run);
    assert_eq!(ran, seeds.len() + cases);
    println!("{target}: {ran} cases");
}

#[test]
fn lim_1_fuzz_voucher_csv() {
    let mut h = Harness::new();
    fuzz("voucher_csv", IMPORT_CASES, 0x5eed_0001, |b| targets::voucher_csv(&mut h, b));
}

#[test]
fn lim_1_fuzz_bank_statement() {
    let mut h = Harness::new();
    fuzz("bank_statement", CASES, 0x5eed_0002, |b| targets::bank_statement(&mut h, b));
}

#[test]
fn lim_1_fuzz_voucher_file() {
    let mut h = Harness::new();
    fuzz("voucher_file", CASES, 0x5eed_0003, |b| targets::voucher_file(&mut h, b));
}

#[test]
fn lim_1_fuzz_amounts() {
    fuzz("amount", CASES, 0x5eed_0004, targets::amount);
}

#[test]
fn lim_1_fuzz_dates() {
    fuzz("date", CASES, 0x5eed_0005, targets::date);
}

#[test]
fn lim_1_fuzz_periods() {
    fuzz("period", CASES, 0x5eed_0006, targets::period);
}

#[test]
fn lim_1_fuzz_opening_balances() {
    let mut h = Harness::new();
    fuzz("opening_balances", IMPORT_CASES, 0x5eed_0007, |b| targets::opening_balances(&mut h, b));
}

#[test]
fn lim_1_fuzz_account_chart() {
    let mut h = Harness::new();
    fuzz("account_chart", IMPORT_CASES, 0x5eed_0009, |b| targets::account_chart(&mut h, b));
}

#[test]
fn lim_1_fuzz_household_list() {
    fuzz("household_list", CASES, 0x5eed_0008, targets::household_list);
}

/// [LIM-1] no bytes given as an .xlsx panic: arbitrary bytes behind the ZIP
/// signature, and a real workbook with bytes overwritten or cut short, are
/// read or refused.
#[test]
fn lim_1_fuzz_xlsx_never_panics() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use qianzhang_core::xlsx::sheet_as_csv;

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["日期", "凭证号", "摘要", "科目", "借方", "贷方"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 1, 21).unwrap();
    sheet.write_datetime_with_format(1, 0, day, &date).unwrap();
    sheet.write_string(1, 2, "=1+1").unwrap();
    sheet.write_number(1, 4, 0.1 + 0.2).unwrap();
    let seed = book.save_to_buffer().unwrap();
    let any_header = |_: &[String]| true;
    let mut runner = TestRunner::new(Config { cases: 400, failure_persistence: None, ..Config::default() });
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..600),
        proptest::collection::vec((0..seed.len(), any::<u8>()), 1..6),
        0..=seed.len(),
    );
    runner
        .run(&strategy, |(tail, flips, cut)| {
            let mut junk = b"PK\x03\x04".to_vec();
            junk.extend(tail);
            let _ = sheet_as_csv(&junk, None, "x.xlsx", &any_header);
            let mut mutated = seed.clone();
            for (at, byte) in flips {
                mutated[at] = byte;
            }
            let _ = sheet_as_csv(&mutated, None, "x.xlsx", &any_header);
            let _ = sheet_as_csv(&seed[..cut], Some("Sheet1"), "x.xlsx", &any_header);
            Ok(())
        })
        .unwrap();
    let csv = sheet_as_csv(&seed, None, "x.xlsx", &any_header).unwrap();
    assert_eq!(String::from_utf8(csv).unwrap(), "日期,凭证号,摘要,科目,借方,贷方\n2025-01-21,,=1+1,,0.3\n");
}
