//! The fuzz targets: every parser users feed, driven through the same calls
//! the commands make, over an in-memory store.
//!
//! Shared by the cargo-fuzz targets in `fuzz_targets/` (open-ended, nightly)
//! and by `crates/qianzhang-store/tests/fuzz.rs`, which runs the committed
//! corpus and a fixed-seed mutation loop in every `cargo test`. Each target
//! asserts: no panic, and every input is either accepted (and then
//! consistent) or refused with rule IDs; a store fault is a bug.

#![allow(dead_code)]

use std::path::Path;

use qianzhang_core::bank::{import_statement, read_statement};
use qianzhang_core::books::{enter_voucher, FirstAdmin};
use qianzhang_core::calendar::Calendar;
use qianzhang_core::cash::{deposit_deadline, last_business_day};
use qianzhang_core::csvfile::{import_csv_bytes, ImportOptions};
use qianzhang_core::money::MAX_LINE_FEN;
use qianzhang_core::period::{format_date, in_range, parse_date};
use qianzhang_core::voucher::{read_amount, DraftInput, MAX_VOUCHER_FILE_BYTES};
use qianzhang_core::{Failure, Money, Origin, Period, Refusal};
use qianzhang_store::{Actor, Backend, LedgerHandle, Store};

/// What a target made of one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Refused,
}

/// One ledger in an in-memory store. Every input is tried in a transaction
/// that is rolled back, so each case meets the same books.
pub struct Harness {
    store: Store,
    ledger: LedgerHandle,
    today: time::Date,
}

impl Harness {
    pub fn new() -> Harness {
        let mut store = Store::open(Path::new(":memory:")).expect("in-memory store");
        let today = time::Date::from_calendar_date(2025, time::Month::December, 31).expect("a date");
        let admin = FirstAdmin { name: "管理员".into(), passphrase_hash: "未设".into(), today };
        let actor = Actor { name: "管理员".into(), at: "2025-12-31T09:00:00+08:00".into(), command: "fuzz".into() };
        let start = Period::parse("2025-01").expect("a period");
        let ledger = match store.create_ledger("模糊测试", start, &admin, &actor) {
            Ok(l) => l,
            Err(e) => panic!("ledger: {e}"),
        };
        Harness { store, ledger, today }
    }
}

impl Default for Harness {
    fn default() -> Harness {
        Harness::new()
    }
}

/// Every reason names a rule and says something.
fn refused(reasons: &[Refusal]) -> Outcome {
    assert!(!reasons.is_empty(), "a refusal without a reason");
    for r in reasons {
        assert!(!r.rule.id().is_empty() && !r.message.trim().is_empty(), "a reason without rule or words: {r:?}");
    }
    Outcome::Refused
}

fn settle<T>(result: Result<T, Failure>) -> Outcome {
    match result {
        Ok(_) => Outcome::Accepted,
        Err(Failure::Refused(r)) => refused(&r.reasons),
        Err(Failure::Backend(e)) => panic!("a store fault from input: {e}"),
    }
}

/// A voucher CSV, imported as current vouchers or (odd length) as history.
pub fn voucher_csv(h: &mut Harness, bytes: &[u8]) -> Outcome {
    let opts = ImportOptions {
        file_name: "fuzz.csv",
        encoding: None,
        history: bytes.len() % 2 == 1,
        force: false,
        preparer: "管理员",
        today: h.today,
    };
    settle(h.store.read(&h.ledger, |w| import_csv_bytes(w, bytes, &opts)))
}

/// A bank statement, read and then imported into 1002.
pub fn bank_statement(h: &mut Harness, bytes: &[u8]) -> Outcome {
    match read_statement(bytes, None, &[]) {
        Err(r) => refused(&r.reasons),
        Ok(statement) => {
            let today = h.today;
            settle(h.store.read(&h.ledger, |w| import_statement(w, "1002", "fuzz.csv", statement, None, today)))
        }
    }
}

/// Opening balances as `opening import` reads them (OPN-1): the file's
/// records, then the whole set replaced.
pub fn opening_balances(h: &mut Harness, bytes: &[u8]) -> Outcome {
    match qianzhang_core::opening::csv_records(bytes) {
        Err(r) => refused(std::slice::from_ref(&r)),
        Ok(records) => settle(h.store.read(&h.ledger, |w| qianzhang_core::opening::import_openings(w, &records))),
    }
}

/// A chart file as `account import` reads it (ACC-1): the rows, then
/// every account added or none.
pub fn account_chart(h: &mut Harness, bytes: &[u8]) -> Outcome {
    let rows = match qianzhang_core::opening::csv_records(bytes) {
        Err(r) => return refused(std::slice::from_ref(&r)),
        Ok(records) => qianzhang_core::account::chart_rows(&records),
    };
    match rows {
        Err(r) => refused(&r.reasons),
        Ok(rows) => settle(h.store.read(&h.ledger, |w| qianzhang_core::account::add_accounts(w, &rows))),
    }
}

/// A household list as `collection household import` reads it (FND-2).
pub fn household_list(bytes: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    match qianzhang_core::collection::parse_households(&text) {
        Err(r) => refused(std::slice::from_ref(&r)),
        Ok(_) => Outcome::Accepted,
    }
}

/// A voucher file as `voucher add --file` reads it: JSON when it opens
/// with `{`, TOML otherwise.
pub fn voucher_file(h: &mut Harness, bytes: &[u8]) -> Outcome {
    if bytes.len() as u64 > MAX_VOUCHER_FILE_BYTES {
        return Outcome::Refused;
    }
    let Ok(text) = std::str::from_utf8(bytes) else { return Outcome::Refused };
    let input: Result<DraftInput, String> = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        toml::from_str(text).map_err(|e| e.to_string())
    };
    let Ok(input) = input else { return Outcome::Refused };
    let chart = match h.store.chart(&h.ledger) {
        Ok(c) => c,
        Err(e) => panic!("chart: {e}"),
    };
    match input.into_draft(&chart) {
        Err(reasons) => refused(&reasons),
        Ok(draft) => {
            let today = h.today;
            settle(h.store.read(&h.ledger, |w| enter_voucher(w, draft, Origin::Entered, "管理员", today)))
        }
    }
}

/// An amount as typed anywhere.
pub fn amount(bytes: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    for red in [false, true] {
        match read_amount(&text, "借方", red) {
            Err(r) => {
                refused(&[r]);
            }
            Ok(None) => {}
            Ok(Some(m)) => {
                assert!(m.fen().abs() <= MAX_LINE_FEN, "{text:?} read as {m}");
                assert!(red || !m.is_negative(), "{text:?} read as {m}");
            }
        }
    }
    match Money::parse(&text) {
        Err(e) => {
            assert!(!e.to_string().is_empty());
            Outcome::Refused
        }
        Ok(m) => {
            assert!(m.fen().abs() <= MAX_LINE_FEN, "{text:?} read as {m}");
            assert_eq!(Money::parse(&m.to_string()), Ok(m), "{text:?}");
            assert_eq!(Money::parse(&m.to_decimal_string()), Ok(m), "{text:?}");
            assert_eq!(Money::parse(&m.to_yuan()), Ok(m), "{text:?}");
            assert!(m.to_chinese_words().ends_with(['整', '分']), "{text:?}");
            Outcome::Accepted
        }
    }
}

/// A date as typed anywhere, and what the engine computes from it.
pub fn date(bytes: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    match parse_date(&text) {
        Err(e) => {
            assert!(!e.to_string().is_empty());
            Outcome::Refused
        }
        Ok(d) => {
            assert!(in_range(d), "{text:?} read as {d}");
            assert_eq!(parse_date(&format_date(d)), Ok(d));
            let p = Period::of(d);
            assert!(p.first_day() <= d && d <= p.last_day(), "{text:?}");
            assert!(deposit_deadline(d, 400, &Calendar::default()) > d);
            assert!(last_business_day(p, &Calendar::default()) <= p.last_day());
            Outcome::Accepted
        }
    }
}

/// A month as typed anywhere, and its neighbours.
pub fn period(bytes: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(bytes);
    match Period::parse(&text) {
        Err(e) => {
            assert!(!e.to_string().is_empty());
            Outcome::Refused
        }
        Ok(p) => {
            assert_eq!(Period::parse(&p.to_string()), Ok(p));
            assert_eq!(Period::from_key(p.key()), Some(p));
            assert_eq!(p.last_day().next_day(), Some(p.next().first_day()), "{p}");
            assert_eq!(p.prev().last_day().next_day(), Some(p.first_day()), "{p}");
            assert!(p.next().last_day() > p.last_day());
            Outcome::Accepted
        }
    }
}

/// A small deterministic generator (xorshift64*): the same cases on every
/// run and machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Pieces that matter to the parsers: separators, quotes, signs, edges of
/// the calendar and of amounts, control characters, headers, encodings.
const TOKENS: &[&str] = &[
    ",",
    "\n",
    "\r\n",
    "\"",
    "\"\"",
    "-",
    ".",
    "/",
    "¥",
    "￥",
    "，",
    "0",
    "00",
    "9999",
    "99999999999.99",
    "100000000000",
    "1e5",
    "-0.01",
    "1,234.50",
    "12.345",
    "2025-02-30",
    "9999-12-31",
    "0001-01-01",
    "2199-12-31",
    "1900-01-01",
    "2025-13",
    "2024-12/记-0002",
    "记-0001",
    "\u{1b}[2J",
    "\t",
    "\u{202e}",
    "\u{feff}",
    "日期",
    "凭证号",
    "摘要",
    "科目",
    "借方",
    "贷方",
    "余额",
    "交易日期",
    "收入",
    "支出",
    "1001",
    "1002",
    "520101",
    "9999",
    "[[lines]]",
    "=",
    "{",
    "}",
    "[",
    "]",
    "\"debit\"",
    "\"credit\"",
    "date = ",
    "amount",
    "冲销",
    "发票",
    "\u{0}",
    "\u{ffff}",
];

/// One mutation of `input`, sometimes spliced with another seed.
pub fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            2 if !out.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 if !out.is_empty() => {
                let from = rng.below(out.len());
                let end = (from + 1 + rng.below(64)).min(out.len());
                let piece = out[from..end].to_vec();
                let at = at.min(out.len());
                out.splice(at..at, piece);
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let end = (from + 1 + rng.below(128)).min(other.len());
                    out.splice(at..at, other[from..end].iter().copied());
                }
            }
            5 if !out.is_empty() => {
                // Repeat a line, as files grow.
                let start = out[..at.min(out.len())].iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
                let end = out[start..].iter().position(|b| *b == b'\n').map_or(out.len(), |p| start + p + 1);
                let line = out[start..end].to_vec();
                for _ in 0..1 + rng.below(3) {
                    out.splice(end..end, line.iter().copied());
                }
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
        }
    }
    out.truncate(1 << 16);
    out
}

/// Runs `target` over every seed, then over `cases` mutations of them;
/// a panic names the case. Returns how many inputs ran.
pub fn run(name: &str, seeds: &[Vec<u8>], cases: usize, seed: u64, mut target: impl FnMut(&[u8]) -> Outcome) -> usize {
    assert!(!seeds.is_empty(), "no seeds for {name}");
    let mut rng = Rng::new(seed);
    let mut ran = 0;
    let mut check = |input: &[u8]| {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(input)));
        if outcome.is_err() {
            panic!("fuzz target {name} failed on input {:?}", String::from_utf8_lossy(input));
        }
    };
    for s in seeds {
        check(s);
        ran += 1;
    }
    for _ in 0..cases {
        let base = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, base, seeds);
        check(&input);
        ran += 1;
    }
    ran
}
