//! Times the PostgreSQL store on a voucher CSV: the import of history (one
//! command), `verify`, and the trial balance's reads (the chart and the
//! posted totals per account and period), on an empty database.
//!
//!     cargo run --release --example gen-ledger -- 1000000 big.csv
//!     createdb qz_bench
//!     cargo run --release -p qianzhang-pg --example pg-bench -- postgres://…/qz_bench big.csv
//!
//! Prints one line per measure: what, wall seconds (the trial balance and a
//! month's vouchers: the median of several reads, in milliseconds).

use std::time::{Duration, Instant};

use qianzhang_core::backend::{as_period_totals, Actor, Backend};
use qianzhang_core::books::FirstAdmin;
use qianzhang_core::csvfile::{import_csv, ImportOptions};
use qianzhang_core::Period;
use qianzhang_pg::PgStore;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(csv)) = (args.first(), args.get(1)) else {
        eprintln!("usage: pg-bench postgres://user:password@host/database vouchers.csv [LEDGER]");
        std::process::exit(2);
    };
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        eprintln!("{what}: {e}");
        std::process::exit(1)
    };
    let mut store = PgStore::connect(url, Duration::from_secs(30)).unwrap_or_else(|e| fail("connect", &e));
    let today = time::Date::from_calendar_date(2026, time::Month::January, 31).expect("a date");
    let actor = Actor { name: "bench".into(), at: "2026-01-31T09:00:00+08:00".into(), command: "bench".into() };
    let admin = FirstAdmin { name: "bench".into(), passphrase_hash: "not used".into(), today };
    let start = Period::parse("2026-01").expect("a period");
    let name = args.get(2).map_or("bench", String::as_str);
    // With `--verify-only` (or the CSV given as `-`), the ledger imported by an earlier run is measured again.
    let again = csv == "-" || args.iter().any(|a| a == "--verify-only");
    if again {
        let ledger = store.select(Some(name)).unwrap_or_else(|e| fail("select ledger", &e));
        measure_reads(&mut store, &ledger);
        return;
    }
    let ledger = store.create_ledger(name, start, &admin, &actor).unwrap_or_else(|e| fail("create ledger", &e));

    let t = Instant::now();
    let opts = ImportOptions {
        file_name: "vouchers.csv",
        encoding: None,
        history: true,
        force: false,
        preparer: "bench",
        today,
    };
    let summary = store
        .write(&ledger, &actor, |w| import_csv(w, || std::fs::File::open(csv), &opts))
        .unwrap_or_else(|e| fail("import --history", &e));
    println!("import --history: {:.2} s ({} vouchers)", t.elapsed().as_secs_f64(), summary.vouchers);
    measure_reads(&mut store, &ledger);
}

/// `verify`, then the trial balance's reads.
fn measure_reads(store: &mut PgStore, ledger: &qianzhang_core::backend::LedgerHandle) {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        eprintln!("{what}: {e}");
        std::process::exit(1)
    };
    let ledger = ledger.clone();
    let t = Instant::now();
    let report = store.verify(&ledger).unwrap_or_else(|e| fail("verify", &e));
    println!("verify: {:.2} s ({} entries, clean: {})", t.elapsed().as_secs_f64(), report.entries, report.is_clean());
    if let Some(m) = &report.mismatch {
        println!("  mismatch: {} {:?} {}", m.table, m.seq, m.detail);
    }

    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let chart = store.chart(&ledger).unwrap_or_else(|e| fail("chart", &e));
        let totals = store.period_totals(&ledger).unwrap_or_else(|e| fail("period totals", &e));
        std::hint::black_box((chart, as_period_totals(&totals).count()));
        times.push(t.elapsed());
    }
    times.sort();
    println!("trial balance reads: {:.1} ms (median of 21)", times[10].as_secs_f64() * 1000.0);

    let month = Period::parse("2020-06").expect("a period");
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..5 {
        let t = Instant::now();
        count = store.vouchers(&ledger, month, month).unwrap_or_else(|e| fail("vouchers", &e)).len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "one month's vouchers (2020-06): {:.1} ms ({count} vouchers, median of 5)",
        times[2].as_secs_f64() * 1000.0
    );
}
