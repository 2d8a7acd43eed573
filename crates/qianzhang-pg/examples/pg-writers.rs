//! Concurrent offices on one PostgreSQL server: N connections, each
//! preparing vouchers one command at a time for a few seconds, on a ledger
//! of its own (or all on one ledger with `--same`). Prints commands per
//! second, the 99th percentile of a command's time, and whether every
//! chain verifies with every command logged.
//!
//!     cargo run --release -p qianzhang-pg --example pg-writers -- postgres://…/db 4 10 [--same]

use std::time::{Duration, Instant};

use qianzhang_core::backend::{Actor, Backend, LedgerHandle};
use qianzhang_core::books::FirstAdmin;
use qianzhang_core::voucher::{Draft, Line, Origin, Side};
use qianzhang_core::{Money, Period};
use qianzhang_pg::PgStore;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(n), Some(secs)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2).and_then(|s| s.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: pg-writers postgres://user:password@host/database WRITERS SECONDS [--same]");
        std::process::exit(2);
    };
    let same = args.iter().any(|a| a == "--same");
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        eprintln!("{what}: {e}");
        std::process::exit(1)
    };
    let wait = Duration::from_secs(30);
    let mut store = PgStore::connect(url, wait).unwrap_or_else(|e| fail("connect", &e));
    let start = Period::parse("2026-01").expect("a period");
    let today = time::Date::from_calendar_date(2026, time::Month::January, 31).expect("a date");
    let actor = Actor { name: "出纳".into(), at: "2026-01-31T09:00:00+08:00".into(), command: "bench".into() };
    let admin = FirstAdmin { name: "出纳".into(), passphrase_hash: "not used".into(), today };
    let tag = std::process::id();
    let ledgers: Vec<LedgerHandle> = (0..if same { 1 } else { n })
        .map(|i| {
            store.create_ledger(&format!("社区{tag}-{i}"), start, &admin, &actor).unwrap_or_else(|e| fail("create", &e))
        })
        .collect();
    let before: Vec<i64> = ledgers.iter().map(|l| store.fingerprint(l).expect("fingerprint").seq).collect();
    let until = Instant::now() + Duration::from_secs(secs);
    let mut latencies: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let ledger = ledgers[if same { 0 } else { i }].clone();
                let actor = actor.clone();
                s.spawn(move || {
                    let mut store = PgStore::connect(url, wait).unwrap_or_else(|e| fail("connect", &e));
                    let mut times = Vec::new();
                    while Instant::now() < until {
                        let t = Instant::now();
                        store
                            .write(&ledger, &actor, |w| {
                                qianzhang_core::books::prepare_voucher(w, deposit(today), Origin::Entered, "出纳")
                            })
                            .unwrap_or_else(|e| fail("write", &e));
                        times.push(t.elapsed());
                    }
                    times
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a writer")).collect()
    });
    latencies.sort();
    let total = latencies.len();
    let p99 = latencies[(total * 99 / 100).min(total.saturating_sub(1))];
    let logged: i64 =
        ledgers.iter().zip(&before).map(|(l, b)| store.fingerprint(l).expect("fingerprint").seq - b).sum();
    let clean = ledgers.iter().all(|l| store.verify(l).expect("verify").is_clean());
    println!(
        "{n} writer(s){}: {:.0} commands/s, p99 {:.1} ms, {total} commands, {logged} logged, every chain verifies: {clean}",
        if same { " on one ledger" } else { " on distinct ledgers" },
        total as f64 / secs as f64,
        p99.as_secs_f64() * 1000.0,
    );
}

/// Cash paid into the bank: one voucher of two lines.
fn deposit(date: time::Date) -> Draft {
    let line = |account: &str, side| Line {
        summary: "现金存入银行".into(),
        account: account.into(),
        side,
        amount: Money::from_fen(10_000),
        fund: None,
        counterparty: None,
    };
    Draft {
        date,
        lines: vec![line("1002", Side::Debit), line("1001", Side::Credit)],
        documents: vec![],
        authorization: None,
        reverses: None,
        source_ref: None,
    }
}
