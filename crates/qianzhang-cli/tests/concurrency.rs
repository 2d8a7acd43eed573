//! Many officers at once: concurrent commands on one store each land whole
//! or are told the store is busy (exit 75), nothing is lost or numbered
//! twice, and the log still verifies.

mod common;

use std::collections::BTreeSet;

use common::Env;

const WRITERS: usize = 8;
const EACH: usize = 5;

#[test]
fn led_1_concurrent_writers_all_land_or_are_told_busy() {
    let env = Env::with_office();
    // Each writer is a thread running its commands one after another, as an
    // officer at their own desk would.
    let desks: Vec<Vec<std::process::Command>> = (0..WRITERS)
        .map(|w| {
            (0..EACH)
                .map(|i| {
                    let mut c = env.command();
                    c.args([
                        "voucher",
                        "add",
                        "--date",
                        "2025-03-10",
                        "--summary",
                        &format!("并发制单 {w}-{i}"),
                        "--debit",
                        "1002=10.00",
                        "--credit",
                        "4901=10.00",
                        "--doc-type",
                        "银行回单",
                        "--doc-no",
                        &format!("BX-{w}-{i}"),
                        "--issuer",
                        "农商银行",
                        "--handler",
                        "王芳",
                    ]);
                    c
                })
                .collect()
        })
        .collect();
    let outcomes: Vec<(i32, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = desks
            .into_iter()
            .map(|desk| {
                s.spawn(move || {
                    desk.into_iter()
                        .map(|mut c| {
                            let out = c.output().expect("run qianzhang");
                            (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });

    let landed = outcomes.iter().filter(|(code, _)| *code == 0).count();
    for (code, err) in &outcomes {
        assert!(*code == 0 || *code == 75, "a concurrent command ended with {code}: {err}");
    }
    assert!(landed > 0, "no concurrent command landed");
    eprintln!("{landed} of {} concurrent commands landed, the rest were told the store was busy", outcomes.len());

    // Every landed voucher is there once, numbered 1..=n without a gap.
    let list = env.ok(&["voucher", "list", "--month", "2025-03", "--format", "json"]);
    let items: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let mine: Vec<&serde_json::Value> =
        items.iter().filter(|v| v["summary"].as_str().is_some_and(|s| s.starts_with("并发制单"))).collect();
    assert_eq!(mine.len(), landed, "{list}");
    let numbers: BTreeSet<&str> = items.iter().filter_map(|v| v["voucher"].as_str()).collect();
    let expected: BTreeSet<String> = (1..=items.len()).map(|n| format!("2025-03/记-{n:04}")).collect();
    assert_eq!(numbers, expected.iter().map(String::as_str).collect::<BTreeSet<_>>());
    let out = env.ok(&["verify"]);
    assert!(out.contains("校验通过"), "{out}");
}
