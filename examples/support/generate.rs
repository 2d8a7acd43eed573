//! Generates a community's vouchers in the voucher CSV: ten years
//! (2016-01 to 2025-12), balanced, cash and bank never negative, about 2.3
//! lines per voucher. Shared by `examples/gen-ledger.rs` and the tests.

use std::io::{self, Write};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The first year generated; ten years follow.
pub const FIRST_YEAR: i32 = 2016;

struct Books {
    cash: i64,
    bank: i64,
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Writes `n` vouchers. Same `n` and `seed`, same bytes.
pub fn generate(n: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut b = Books { cash: 0, bank: 0 };
    writeln!(out, "date,voucher,summary,account,debit,credit")?;
    let months = 120usize;
    for m in 0..months {
        let year = FIRST_YEAR + (m / 12) as i32;
        let month = m % 12 + 1;
        let count = n / months + usize::from(m < n % months);
        let days_in_month = match month {
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        for i in 0..count {
            let day = 1 + i * days_in_month / count.max(1);
            let date = format!("{year}-{month:02}-{day:02}");
            let label = format!("记-{:04}", i + 1);
            let mut row = |summary: &str, account: &str, debit: i64, credit: i64| -> io::Result<()> {
                let d = if debit > 0 { yuan(debit) } else { String::new() };
                let c = if credit > 0 { yuan(credit) } else { String::new() };
                writeln!(out, "{date},{label},{summary},{account},{d},{c}")
            };
            if i == 0 {
                // Each month opens with the street office's grant.
                let amount = rng.gen_range(2_000_000..6_000_000);
                b.bank += amount;
                row("收到街道拨付办公经费", "1002", amount, 0)?;
                row("收到街道拨付办公经费", "4401", 0, amount)?;
                continue;
            }
            let roll = rng.gen_range(0..100);
            if roll < 14 {
                let (a, c) = (rng.gen_range(1_000..300_000), rng.gen_range(1_000..300_000));
                if b.bank >= a + c {
                    b.bank -= a + c;
                    row("支付办公及活动费用", "5201", a, 0)?;
                    row("支付办公及活动费用", "5101", c, 0)?;
                    row("支付办公及活动费用", "1002", 0, a + c)?;
                    continue;
                }
            } else if roll < 28 {
                let (a, c, d) =
                    (rng.gen_range(1_000..90_000), rng.gen_range(1_000..90_000), rng.gen_range(1_000..50_000));
                if b.bank >= a + c + d {
                    b.bank -= a + c + d;
                    row("支付水电、维修及杂项", "5201", a, 0)?;
                    row("支付水电、维修及杂项", "5101", c, 0)?;
                    row("支付水电、维修及杂项", "5401", d, 0)?;
                    row("支付水电、维修及杂项", "1002", 0, a + c + d)?;
                    continue;
                }
            } else if roll < 40 {
                let amount = rng.gen_range(1_000..90_000);
                if b.cash >= amount {
                    b.cash -= amount;
                    row("现金支付办公用品", "5201", amount, 0)?;
                    row("现金支付办公用品", "1001", 0, amount)?;
                    continue;
                }
            } else if roll < 52 {
                let amount = rng.gen_range(10_000..500_000);
                if b.bank >= amount {
                    b.bank -= amount;
                    row("支付社区活动费用", "5101", amount, 0)?;
                    row("支付社区活动费用", "1002", 0, amount)?;
                    continue;
                }
            } else if roll < 64 {
                let amount = rng.gen_range(1_000..200_000);
                b.cash += amount;
                row("收到居民捐款", "1001", amount, 0)?;
                row("收到居民捐款", "4101", 0, amount)?;
                continue;
            } else if roll < 74 {
                if b.cash > 100_000 {
                    let amount = b.cash - rng.gen_range(0..50_000);
                    b.cash -= amount;
                    b.bank += amount;
                    row("现金存入银行", "1002", amount, 0)?;
                    row("现金存入银行", "1001", 0, amount)?;
                    continue;
                }
            } else if roll < 87 {
                let amount = rng.gen_range(100_000..2_000_000);
                row("收到民政拨付低保金", "1002", amount, 0)?;
                row("收到民政拨付低保金", "2601", 0, amount)?;
                continue;
            } else {
                let amount = rng.gen_range(50_000..300_000);
                if b.bank >= amount {
                    b.bank -= amount;
                    b.cash += amount;
                    row("提取备用金", "1001", amount, 0)?;
                    row("提取备用金", "1002", 0, amount)?;
                    continue;
                }
            }
            // Not enough money for what was drawn: interest, less the bank's fee.
            let gross = rng.gen_range(2_000..20_000);
            let fee = if rng.gen_bool(0.35) { rng.gen_range(100..1_000) } else { 0 };
            b.bank += gross - fee;
            row("收到银行利息扣除手续费", "1002", gross - fee, 0)?;
            if fee > 0 {
                row("收到银行利息扣除手续费", "5401", fee, 0)?;
            }
            row("收到银行利息扣除手续费", "4901", 0, gross)?;
        }
    }
    out.flush()
}
