//! Writes N balanced vouchers over ten years (2016-01 to 2025-12) in the
//! voucher CSV, for benchmarks:
//!
//!     cargo run --release --example gen-ledger -- 1000000 big.csv
//!     qianzhang --db big.db --as 基准 init --ledger 基准 --start 2026-01
//!     qianzhang --db big.db --as 基准 import --history big.csv

#[path = "support/generate.rs"]
mod generate;

use std::io::BufWriter;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(path)) = (args.first().and_then(|n| n.parse::<usize>().ok()), args.get(1)) else {
        eprintln!("usage: gen-ledger N OUT.csv [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2025);
    let file = std::fs::File::create(path).unwrap_or_else(|e| {
        eprintln!("cannot create {path}: {e}");
        std::process::exit(1);
    });
    let mut out = BufWriter::with_capacity(1 << 20, file);
    if let Err(e) = generate::generate(n, seed, &mut out) {
        eprintln!("writing {path}: {e}");
        std::process::exit(1);
    }
}
