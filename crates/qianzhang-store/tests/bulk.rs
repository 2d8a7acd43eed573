//! [AUD-1, AUD-2] an import of many vouchers writes the same log as the
//! in-memory backend, entry for entry and hash for hash, whether the
//! entries are appended in bulk or one by one, with reads and other
//! entries between them; and the store verifies.

use qianzhang_core::backend::{Actor, Backend, LedgerHandle};
use qianzhang_core::books::FirstAdmin;
use qianzhang_core::csvfile::{import_csv_bytes, ImportOptions};
use qianzhang_core::memory::MemoryBackend;
use qianzhang_core::{Books, Event, Period, VoucherRef};
use qianzhang_store::Store;
use time::Date;

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
}

fn actor(minute: u32) -> Actor {
    Actor { name: "管理员".into(), at: format!("2026-01-10T09:{minute:02}:00+08:00"), command: "bulk".into() }
}

/// `n` balanced vouchers, numbered 记-0001 on within each month of `year`
/// (from `first_month`).
fn vouchers(n: usize, year: i32, first_month: u8, months: u8) -> Vec<u8> {
    let mut out = String::from("date,voucher,summary,account,debit,credit\n");
    let per = n.div_ceil(months as usize);
    for i in 0..n {
        let month = first_month + (i / per) as u8;
        let number = i % per + 1;
        let yuan = format!("{}.{:02}", 100 + i, i % 100);
        let date = format!("{year}-{month:02}-{:02}", 1 + number % 9);
        out.push_str(&format!("{date},记-{number:04},收到街道拨付办公经费{i},1002,{yuan},\n"));
        out.push_str(&format!("{date},记-{number:04},收到街道拨付办公经费{i},4401,,{yuan}\n"));
    }
    out.into_bytes()
}

/// The same commands on any backend: ten years of history, then a month
/// of prepared vouchers with a read and a posting in the same command, then
/// one more ordinary voucher.
fn script<B: Backend>(backend: &mut B) -> LedgerHandle {
    let admin =
        FirstAdmin { name: "管理员".into(), passphrase_hash: "not checked here".into(), today: day(2026, 1, 1) };
    let start = Period::parse("2026-01").unwrap();
    let l = backend.create_ledger("甲社区", start, &admin, &actor(0)).expect("a ledger");
    let history = vouchers(1_300, 2025, 1, 12);
    let opts = |history| ImportOptions {
        file_name: "v.csv",
        encoding: None,
        history,
        force: false,
        preparer: "管理员",
        today: day(2026, 1, 10),
    };
    let summary = backend.write(&l, &actor(1), |w| import_csv_bytes(w, &history, &opts(true))).expect("history");
    assert_eq!(summary.vouchers, 1_300);
    let month = vouchers(700, 2026, 1, 1);
    backend
        .write(&l, &actor(2), |w| {
            import_csv_bytes(w, &month, &opts(false))?;
            // A read and a posting after the bulk, and more bulk after them.
            let first = VoucherRef { period: start, number: 1 };
            assert!(w.voucher(first)?.is_some());
            w.append(Event::VoucherPosted { reference: first })?;
            let again = vouchers(400, 2026, 1, 1);
            import_csv_bytes(w, &again, &ImportOptions { force: true, ..opts(false) })?;
            w.append(Event::VoucherPosted { reference: VoucherRef { period: start, number: 650 } })
        })
        .expect("a month");
    backend
        .write(&l, &actor(3), |w| w.append(Event::VoucherPosted { reference: VoucherRef { period: start, number: 2 } }))
        .expect("a posting");
    l
}

#[test]
fn aud_1_bulk_appends_write_the_same_log_as_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bulk.db")).unwrap();
    let mut memory = MemoryBackend::new();
    let (ls, lm) = (script(&mut store), script(&mut memory));
    let entries = |b: &dyn Fn() -> Vec<qianzhang_core::backend::LogEntry>| -> Vec<String> {
        b().into_iter()
            .map(|e| format!("{} {} {} {} {}", e.seq, e.at, e.actor, serde_json::to_string(&e.event).unwrap(), e.hash))
            .collect()
    };
    let a = entries(&|| store.log_tail(&ls, usize::MAX >> 1).unwrap());
    let b = entries(&|| memory.log_tail(&lm, usize::MAX >> 1).unwrap());
    assert!(a.len() > 2_400, "{} entries", a.len());
    assert_eq!(a, b, "the logs differ");
    assert_eq!(store.fingerprint(&ls).unwrap(), memory.fingerprint(&lm).unwrap());
    let report = store.verify(&ls).unwrap();
    assert!(report.is_clean(), "{:?}", report.mismatch);
    assert_eq!(report.entries as usize, a.len());
}
