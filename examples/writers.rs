//! Concurrent offices writing vouchers, for benchmarks: CLIENTS threads,
//! each with its own connection, each preparing WRITES vouchers one
//! transaction at a time, on a ledger of its own or (with `--one-ledger`)
//! all on the same one. Prints throughput and per-write latency, then
//! checks that nothing was lost (every voucher numbered and present) and
//! that every ledger written verifies (AUD-2).
//!
//!     cargo run --release --example writers -- postgres://u:p@127.0.0.1/db 4 2000
//!     cargo run --release --example writers -- /tmp/w.db 2 1000 --one-ledger
//!
//! A write is one `Backend::write` running the core's `prepare_voucher`
//! (the rules, the ledger's next number, the log entry and its hash, the
//! projections, the commit): what every command that changes the books
//! costs the backend, without the process start and the passphrase check
//! of the command line.

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use qianzhang_core::backend::{Actor, Backend, LedgerHandle};
use qianzhang_core::books::{prepare_voucher, FirstAdmin};
use qianzhang_core::{Draft, Line, Money, Origin, Period, Side};
use time::macros::date;

const AT: &str = "2026-01-20T10:00:00+08:00";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let one = args.iter().any(|a| a == "--one-ledger");
    let rest: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (Some(db), Some(clients), Some(writes)) = (
        rest.first(),
        rest.get(1).and_then(|n| n.parse::<usize>().ok()).filter(|&n| n > 0),
        rest.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: writers DB CLIENTS WRITES [--one-ledger]");
        std::process::exit(2);
    };
    if let Err(e) = run(Path::new(db.as_str()), clients, writes, one) {
        eprintln!("writers: {e}");
        std::process::exit(1);
    }
}

fn actor() -> Actor {
    Actor { name: "管理员".into(), at: AT.into(), command: "writers".into() }
}

fn run(db: &Path, clients: usize, writes: usize, one: bool) -> Result<(), String> {
    let wait = Duration::from_secs(60);
    let mut setup = qianzhang_db::open(db, wait).map_err(|e| e.to_string())?;
    // Names of this run's own, so that runs on one database do not collide.
    let run = format!("{}-{}", std::process::id(), Instant::now().elapsed().as_nanos() % 1000);
    let admin =
        FirstAdmin {
            name: "管理员".into(), passphrase_hash: "not checked here".into(), today: date!(2026 - 01 - 20)
        };
    let start = Period::new(2026, 1).ok_or("period")?;
    let count = if one { 1 } else { clients };
    let mut ledgers = Vec::new();
    for i in 0..count {
        let name = format!("办公室{i}-{run}");
        ledgers.push(setup.create_ledger(&name, start, &admin, &actor()).map_err(|e| e.to_string())?);
    }
    let before: Vec<i64> = ledgers
        .iter()
        .map(|l| setup.fingerprint(l).map(|h| h.seq))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;

    let barrier = Arc::new(Barrier::new(clients));
    let began = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let ledger: LedgerHandle = ledgers[if one { 0 } else { i }].clone();
            let barrier = barrier.clone();
            let db = db.to_path_buf();
            std::thread::spawn(move || -> Result<Vec<Duration>, String> {
                let mut backend = qianzhang_db::open(&db, wait).map_err(|e| e.to_string())?;
                barrier.wait();
                let mut took = Vec::with_capacity(writes);
                for n in 0..writes {
                    let t = Instant::now();
                    backend
                        .write(&ledger, &actor(), |books| {
                            prepare_voucher(books, deposit(i, n), Origin::Entered, "管理员")
                        })
                        .map_err(|e| e.to_string())?;
                    took.push(t.elapsed());
                }
                Ok(took)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in threads {
        all.extend(t.join().map_err(|_| "a client thread failed")??);
    }
    let wall = began.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1].as_secs_f64() * 1000.0;

    // Nothing lost: every ledger's log grew by exactly its writes, its
    // vouchers are numbered 1..=n without a gap, and it verifies.
    let mut verified = true;
    for (i, l) in ledgers.iter().enumerate() {
        let expected = if one { clients * writes } else { writes };
        let seq = setup.fingerprint(l).map_err(|e| e.to_string())?.seq;
        let vouchers = setup.vouchers(l, start, start).map_err(|e| e.to_string())?;
        let numbers_ok = vouchers.iter().enumerate().all(|(k, (v, _))| v.reference().number as usize == k + 1);
        let report = setup.verify(l).map_err(|e| e.to_string())?;
        if seq - before[i] != expected as i64 || vouchers.len() != expected || !numbers_ok || !report.is_clean() {
            verified = false;
            eprintln!(
                "ledger {}: {} entries, {} vouchers, numbering {}, verify {}",
                l.info.name,
                seq - before[i],
                vouchers.len(),
                if numbers_ok { "ok" } else { "GAPS" },
                if report.is_clean() { "ok" } else { "MISMATCH" }
            );
        }
    }
    println!(
        "clients {clients} ({}), writes {}, wall {:.2} s, {:.0} writes/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, nothing lost and every chain verifies: {}",
        if one { "one ledger" } else { "a ledger each" },
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
        if verified { "yes" } else { "NO" }
    );
    if verified {
        Ok(())
    } else {
        Err("a ledger lost or garbled a write".into())
    }
}

/// Cash paid into the bank: a voucher every rule accepts without documents.
fn deposit(client: usize, n: usize) -> Draft {
    let amount = Money::from_fen(100 + (client * 7919 + n) as i64 % 100_000);
    let line = |account: &str, side| Line {
        summary: "现金存入银行".into(),
        account: account.into(),
        side,
        amount,
        fund: None,
        counterparty: None,
    };
    Draft {
        date: date!(2026 - 01 - 15),
        lines: vec![line("1002", Side::Debit), line("1001", Side::Credit)],
        documents: vec![],
        authorization: None,
        reverses: None,
        source_ref: None,
    }
}
