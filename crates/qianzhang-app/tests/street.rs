//! The street's month (FND-3) is a use case over the core's `Backend`
//! trait: the same books on the embedded store and on the in-memory
//! backend give the same month, row for row.

use qianzhang_app::street::{month, Request, Statement};
use qianzhang_core::backend::{Actor, Backend};
use qianzhang_core::books::{Books, Event, FirstAdmin};
use qianzhang_core::memory::MemoryBackend;
use qianzhang_core::street::StreetMonth;
use qianzhang_core::{Money, Period, Rule, Side, Voucher, VoucherRef};
use qianzhang_store::Store;
use time::macros::date;
use time::Date;

fn march() -> Period {
    Period::new(2025, 3).expect("a month")
}

fn actor() -> Actor {
    Actor { name: "管理员".into(), at: "2025-04-01T09:00:00+08:00".into(), command: "test".into() }
}

/// A voucher as the log carries it (the core builds vouchers only through
/// its checks; the test writes the event, as a migration would).
fn voucher(number: u32, d: Date, lines: &[(&str, Side, i64)]) -> Voucher {
    let lines: Vec<serde_json::Value> = lines
        .iter()
        .map(|&(account, side, fen)| {
            serde_json::json!({
                "summary": "摘要",
                "account": account,
                "side": side,
                "amount": Money::from_fen(fen),
            })
        })
        .collect();
    let reference = VoucherRef { period: Period::of(d), number };
    serde_json::from_value(serde_json::json!({
        "ref": reference,
        "date": qianzhang_core::period::format_date(d),
        "lines": lines,
        "origin": "entered",
        "preparer": "管理员",
    }))
    .expect("a voucher")
}

/// Two communities: 甲 with ¥500 in, ¥120 paid, one voucher left unposted;
/// 乙 with ¥300 in. Vouchers go in as raw events, as the contract suite's do.
fn books<B: Backend>(backend: &mut B) {
    let admin =
        FirstAdmin { name: "管理员".into(), passphrase_hash: "not checked".into(), today: date!(2025 - 01 - 01) };
    let start = Period::new(2025, 1).expect("a month");
    let scripts: [(&str, Vec<(Voucher, bool)>); 2] = [
        (
            "甲社区",
            vec![
                (
                    voucher(1, date!(2025 - 03 - 03), &[("1002", Side::Debit, 50_000), ("4401", Side::Credit, 50_000)]),
                    true,
                ),
                (
                    voucher(2, date!(2025 - 03 - 10), &[("5201", Side::Debit, 12_000), ("1002", Side::Credit, 12_000)]),
                    true,
                ),
                (
                    voucher(3, date!(2025 - 03 - 20), &[("5201", Side::Debit, 1_000), ("1002", Side::Credit, 1_000)]),
                    false,
                ),
            ],
        ),
        (
            "乙社区",
            vec![(
                voucher(1, date!(2025 - 03 - 05), &[("1002", Side::Debit, 30_000), ("4101", Side::Credit, 30_000)]),
                true,
            )],
        ),
    ];
    for (name, vouchers) in scripts {
        let l = backend.create_ledger(name, start, &admin, &actor()).expect("ledger");
        backend
            .write(&l, &actor(), |w| {
                for (voucher, post) in vouchers {
                    let reference = voucher.reference();
                    w.append(Event::VoucherPrepared { voucher })?;
                    if post {
                        w.append(Event::VoucherPosted { reference })?;
                    }
                }
                Ok(())
            })
            .expect("write");
    }
}

fn street<B: Backend>(backend: &mut B, balance: i64) -> StreetMonth {
    let req = Request {
        month: march(),
        ledgers: &[],
        account: None,
        statement: Statement::Balance(Money::from_fen(balance)),
    };
    month(backend, &req).expect("the month")
}

#[test]
fn fnd_3_the_street_month_is_the_same_on_every_backend() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sqlite = Store::open(&dir.path().join("street.db")).expect("store");
    let mut memory = MemoryBackend::new();
    books(&mut sqlite);
    books(&mut memory);
    let on_sqlite = street(&mut sqlite, 68_000);
    assert_eq!(on_sqlite, street(&mut memory, 68_000));

    let jia = &on_sqlite.rows[0];
    assert_eq!(
        (jia.income, jia.expense, jia.closing),
        (Money::from_fen(50_000), Money::from_fen(12_000), Money::from_fen(38_000))
    );
    assert_eq!(jia.unposted, 1);
    assert_eq!(on_sqlite.totals.closing, Money::from_fen(68_000));
    assert_eq!(on_sqlite.agrees(), Some(true));

    // The unposted ¥10 left the bank but not the shares: the finding names 甲社区 first.
    let off = street(&mut memory, 67_000);
    assert_eq!(off, street(&mut sqlite, 67_000));
    assert_eq!(off.findings[0].rule, Rule::Fnd3);
    assert!(
        off.findings[0]
            .message
            .contains("份额合计比对账单多）。请先查这些社区：甲社区（有 1 张凭证未记账）；乙社区（本月尚未结账）"),
        "{}",
        off.findings[0].message
    );
}
