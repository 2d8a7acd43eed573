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
