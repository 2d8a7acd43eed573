//! Controls around the books: who an attempt is filed under (AUD-1), sign-in
//! lockout and passphrase resets (OPR-1), the clock (AUD-1), output files that
//! must never land on the store, a busy store, and the store file's mode.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, NOW, PASSPHRASE};

/// Log entries of one kind.
fn logged(env: &Env, kind: &str) -> i64 {
    env.store.query(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM log WHERE kind = '{kind}'"))[0].parse().unwrap()
}

/// Runs as `who` with `passphrase`.
fn run_as(env: &Env, who: &str, passphrase: &str, args: &[&str]) -> std::process::Output {
    env.command().env("QIANZHANG_PASSPHRASE", passphrase).args([&["--as", who][..], args].concat()).output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const REVIEW: [&str; 3] = ["voucher", "review", "2025-03/记-0001"];

fn office_with_a_voucher() -> Env {
    let env = Env::with_office();
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-10",
        "--summary",
        "购买办公用品",
        "--debit",
        "520101=80",
        "--credit",
        "1001=80",
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发票",
        "--issuer",
        "文具店",
        "--doc-no",
        "FP0310",
        "--doc-amount",
        "80",
        "--handler",
        "张伟",
        "--checker",
        "李娜",
    ]);
    env
}

#[test]
fn aud_1_a_failed_sign_in_is_never_the_persons_act() {
    let env = office_with_a_voucher();
    let before = env.books();
    let out = run_as(&env, "李明", "猜的口令123", &REVIEW);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("[OPR-1] 李明的口令不正确"), "{}", stderr(&out));
    assert_eq!(env.books(), before);
    assert_eq!(env.log_head().1, "sign_in_failed");
    // Not in 李明's trail; in the exceptions as a failed sign-in with the name it claimed.
    let trail = env.ok(&["audit", "person", "李明"]);
    assert!(!trail.contains("review") && !trail.contains("口令不正确"), "{trail}");
    let exceptions = env.ok(&["audit", "exceptions"]);
    assert!(exceptions.contains("身份验证失败") && exceptions.contains("以“李明”的名义"), "{exceptions}");
    // A refusal found before the store, by someone whose passphrase was not
    // checked, is filed as unverified with the name claimed.
    let out = env
        .command()
        .env_remove("QIANZHANG_PASSPHRASE")
        .args(["--as", "李明", "voucher", "add", "--summary", "x", "--debit", "520101=abc", "--credit", "1001=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let last = "FROM log ORDER BY seq DESC LIMIT 1";
    let actor = env.store.query(&format!("SELECT actor {last}")).remove(0);
    let command = env.store.query(&format!("SELECT payload {last}")).remove(0);
    assert_eq!(actor, "（身份未验证）");
    assert!(command.contains("自称 李明"), "{command}");
    let trail = env.ok(&["audit", "person", "李明"]);
    assert!(!trail.contains("520101=abc"), "{trail}");
    // With the right passphrase the same refusal is 李明's.
    let out = run_as(&env, "李明", PASSPHRASE, &["voucher", "add", "--summary", "x", "--debit", "520101=abc"]);
    assert_eq!(out.status.code(), Some(1));
    let trail = env.ok(&["audit", "person", "李明"]);
    assert!(trail.contains("520101=abc"), "{trail}");
}

#[test]
fn aud_1_usage_errors_are_not_refusals_and_not_logged() {
    let env = Env::with_office();
    let before = env.log_head();
    for args in [
        &["report", "trial-balance", "--from", "2025-03", "--to", "2025-01"][..],
        &["voucher", "list", "--from", "2025-03", "--to", "2025-01"],
        &["audit", "exceptions", "--from", "2025-03", "--to", "2025-01"],
        &["export", "--format", "csv", "--from", "2025-03", "--to", "2025-01"],
    ] {
        let err = env.fails(2, args);
        assert!(err.contains("晚于") && !err.contains("[VCH-3]") && !err.contains("[AUD-1]"), "{args:?}: {err}");
    }
    let err = env.fails(2, &["--db", env.path("没有这个文件.db").to_str().unwrap(), "report", "trial-balance"]);
    assert!(err.contains("找不到账簿文件") && !err.contains("[LED-1]"), "{err}");
    assert_eq!(env.log_head(), before);
    // A file that starts like a database but is damaged is an integrity failure.
    let mut damaged = b"SQLite format 3\0".to_vec();
    damaged.extend(std::iter::repeat_n(0xA5u8, 8192));
    let path = env.write("damaged.db", damaged);
    let out = env.command().args(["--db", path.to_str().unwrap(), "report", "trial-balance"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("已损坏"), "{}", stderr(&out));
}

#[test]
fn opr_1_repeated_failures_wait_longer_then_lock_the_name_for_a_while() {
    let env = office_with_a_voucher();
    let before = env.books();
    for n in 1..=4 {
        let out = run_as(&env, "刘洋", "猜的口令123", &REVIEW);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains(&format!("连续第 {n} 次")), "{n}: {err}");
        // From the second failure on, the answer waits (not slept on a pinned clock).
        assert_eq!(err.contains("秒后核对"), n > 1, "{n}: {err}");
    }
    let err = stderr(&run_as(&env, "刘洋", "猜的口令123", &REVIEW));
    assert!(err.contains("已连续 5 次验证失败") && err.contains("锁定 15 分钟（至 2025-03-31 18:15:00）"), "{err}");
    assert_eq!(logged(&env, "sign_in_failed"), 5);
    // Locked: even the right passphrase is refused, unchecked and unlogged.
    let head = env.log_head();
    for _ in 0..10 {
        let out = run_as(&env, "刘洋", PASSPHRASE, &REVIEW);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("锁定至 2025-03-31 18:15"), "{}", stderr(&out));
    }
    assert_eq!(env.log_head(), head, "attempts while locked are not logged one by one");
    assert_eq!(env.books(), before);
    // Others are not locked out.
    env.ok(&["--as", "李明", "audit", "person", "李明"]);
    // Fifteen minutes on, the right passphrase works, and the count starts again.
    env.set_now("2025-03-31T18:16:00+08:00");
    let out = run_as(&env, "刘洋", PASSPHRASE, &REVIEW);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&run_as(&env, "刘洋", "猜的口令123", &REVIEW));
    assert!(err.contains("连续第 1 次"), "{err}");
}

#[test]
fn opr_1_after_a_reset_only_the_owner_setting_their_own_passphrase_is_open() {
    let env = office_with_a_voucher();
    let reset = env
        .command()
        .env("QIANZHANG_NEW_PASSPHRASE", "管理员给的口令")
        .args(["--as", "管理员", "person", "passphrase", "刘洋"])
        .output()
        .unwrap();
    assert!(reset.status.success(), "{}", stderr(&reset));
    // The admin knows the passphrase: nobody may act as 刘洋 with it.
    let out = run_as(&env, "刘洋", "管理员给的口令", &REVIEW);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("[OPR-1] 刘洋的口令已由管理员重置"), "{}", stderr(&out));
    // The admin may not set it again in 刘洋's name either: only 刘洋 can.
    let out = env
        .command()
        .env("QIANZHANG_PASSPHRASE", "管理员给的口令")
        .env("QIANZHANG_NEW_PASSPHRASE", "刘洋自己的口令")
        .args(["--as", "刘洋", "person", "passphrase", "刘洋"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run_as(&env, "刘洋", "刘洋自己的口令", &REVIEW);
    assert!(out.status.success(), "{}", stderr(&out));
    // The reset and the first use are in 刘洋's trail and in the exceptions.
    let trail = env.ok(&["audit", "person", "刘洋"]);
    assert!(trail.contains("管理员：重置 刘洋 的口令") && trail.contains("设置 刘洋 的口令"), "{trail}");
    let exceptions = env.ok(&["audit", "exceptions"]);
    assert!(exceptions.contains("口令被重置") && exceptions.contains("重置后首次使用"), "{exceptions}");
    env.ok(&["verify"]);
}

#[test]
fn aud_1_the_logs_time_never_goes_backwards() {
    let env = Env::with_office();
    env.admin(&["account", "add", "520108", "宣传费"]);
    let before = (env.books(), env.log_head());
    env.set_now("2025-03-01T09:00:00+08:00");
    let err = env.fails(1, &["--as", "管理员", "account", "add", "520109", "杂项"]);
    assert!(err.contains("[AUD-1]") && err.contains("时钟"), "{err}");
    assert_eq!((env.books(), env.log_head()), before, "refused and not logged: it would be dated before the log");
    env.set_now(NOW);
    env.admin(&["account", "add", "520109", "杂项"]);
    // A log whose time goes backwards, even re-hashed, fails verification naming the entry.
    let last: i64 = env.store.query("SELECT CAST(MAX(seq) AS TEXT) FROM log")[0].parse().unwrap();
    env.tamper(&format!("UPDATE log SET at = '2025-01-15T09:00:00+08:00' WHERE seq = {last};"));
    common::chain::rehash(&env);
    let out = env.run(&["verify"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("日志第 {last} 条的时间")) && stderr(&out).contains("倒退"),
        "{}",
        stderr(&out)
    );
}

/// `-o` onto the store or its journals, through any name, is refused and
/// the books stay; bad targets are plain refusals, never exit 101.
#[test]
fn an_output_file_never_lands_on_the_store() {
    // The store's file and its journals: a file store only.
    let env = common::on_sqlite(Env::with_office);
    let before = env.books();
    let store = env.db();
    std::os::unix::fs::symlink(&store, env.path("link.db")).unwrap();
    std::fs::hard_link(&store, env.path("hard.db")).unwrap();
    for target in ["qianzhang.db", "./qianzhang.db", "link.db", "hard.db", "qianzhang.db-journal", "qianzhang.db-wal"] {
        for args in [
            &["disclose", "--month", "2025-03", "--format", "html", "-o", target][..],
            &["export", "--format", "csv", "-o", target],
            &[
                "handover",
                "--officer",
                "赵敏",
                "--role",
                "accountant",
                "--date",
                "2025-03-31",
                "--to",
                "孙丽",
                "--supervisor",
                "刘洋",
                "-o",
                target,
            ],
        ] {
            let err = env.fails(1, args);
            assert!(err.contains("就是账簿文件"), "{args:?}: {err}");
        }
    }
    assert_eq!(env.books(), before);
    env.ok(&["verify"]);
    assert!(!env.path("qianzhang.db-journal").exists());
    // A missing directory, a directory: refused in plain words.
    let err = env.fails(1, &["export", "--format", "csv", "-o", "没有的目录/x.csv"]);
    assert!(err.contains("输出目录") && err.contains("不存在"), "{err}");
    let err = env.fails(1, &["export", "--format", "csv", "-o", env.dir.path().to_str().unwrap()]);
    assert!(err.contains("是一个目录") || err.contains("不是文件名"), "{err}");
    // A good target is written whole, with nothing left beside it.
    env.ok(&["export", "--format", "csv", "-o", "out.csv"]);
    assert!(std::fs::read_to_string(env.path("out.csv")).unwrap().contains("期初余额"));
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `export | head -1`: the reader going away ends the export quietly.
#[test]
fn export_to_a_closed_pipe_exits_quietly() {
    let env = Env::with_office();
    let mut csv = String::from("date,voucher,summary,account,debit,credit\n");
    for n in 1..=600 {
        csv.push_str(&format!(
            "2025-03-{:02},{n},第{n}笔很长很长的摘要用来把导出撑过管道缓冲区,520101,1.00,\n\
             2025-03-{:02},{n},第{n}笔很长很长的摘要用来把导出撑过管道缓冲区,1001,,1.00\n",
            n % 28 + 1,
            n % 28 + 1
        ));
    }
    env.write("many.csv", csv);
    env.ok(&["import", "many.csv"]);
    let mut child = env
        .command()
        .args(["export", "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("内部错误"), "{}", stderr(&out));
}

/// Another command holding the store: exit 75 with a plain message after
/// one bounded wait, for readers and writers alike, and never LED-1. (A
/// SQLite file's lock; on PostgreSQL readers never wait for a writer, and a
/// writer waiting is `bad_input`'s busy store.)
#[test]
fn a_busy_store_is_exit_75_after_one_wait() {
    let env = common::on_sqlite(Env::with_office);
    let before = env.books();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    for args in [&["report", "trial-balance"][..], &["--as", "管理员", "account", "add", "520109", "杂项"]] {
        let started = Instant::now();
        let out = env.command().env("QIANZHANG_BUSY_WAIT_MS", "1500").args(args).output().unwrap();
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(75), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("正被另一个命令使用") && !err.contains("[LED-1]"), "{err}");
        assert!(took >= Duration::from_millis(1400) && took < Duration::from_millis(2900), "{args:?} waited {took:?}");
    }
    conn.execute_batch("ROLLBACK;").unwrap();
    drop(conn);
    assert_eq!(env.books(), before);
}

/// The store holds everyone's passphrase hashes: only its owner reads it.
#[test]
fn the_store_file_and_its_journal_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = common::on_sqlite(Env::with_ledger);
    let mode = std::fs::metadata(env.db()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "store mode {mode:o}");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("BEGIN; UPDATE settings SET value = value; CREATE TABLE scratch (x);").unwrap();
    let journal = env.path("qianzhang.db-journal");
    let mode = std::fs::metadata(&journal).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "journal mode {mode:o}");
    conn.execute_batch("ROLLBACK;").unwrap();
}

/// An electricity bill over the threshold cited against a 两委 resolution
/// only: the approver cannot approve it (APR-2).
fn electricity(env: &Env, day: &str, amount: &str, doc: &str) {
    let debit = format!("520102={amount}");
    let credit = format!("1002={amount}");
    env.ok(&[
        "voucher",
        "add",
        "--date",
        day,
        "--summary",
        "支付电费",
        "--debit",
        &debit,
        "--credit",
        &credit,
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发票",
        "--issuer",
        "国网供电公司",
        "--doc-no",
        doc,
        "--doc-amount",
        amount,
        "--handler",
        "张伟",
        "--checker",
        "李娜",
    ]);
}

#[test]
fn vch_4_a_batch_names_every_voucher_it_refuses_and_every_one_it_passes_over() {
    let env = office_with_a_voucher();
    electricity(&env, "2025-03-12", "1200", "DF0312");
    electricity(&env, "2025-03-13", "1300", "DF0313");
    let out = env.ok(&["--as", "刘洋", "voucher", "review", "--all", "--period", "2025-03"]);
    assert!(out.contains("已审核 3 张凭证"), "{out}");
    // All or nothing, and every refusal named by its voucher.
    let err = env.refused("APR-2", &["--as", "李明", "voucher", "approve", "--all", "--period", "2025-03"]);
    assert!(err.contains("2025-03/记-0002") && err.contains("2025-03/记-0003"), "{err}");
    assert!(!err.contains("2025-03/记-0001"), "{err}");
    let reasons: Vec<&str> = err.lines().filter(|l| l.trim_start().starts_with('[')).collect();
    assert!(reasons.len() >= 2 && reasons.iter().all(|l| l.contains("2025-03/记-")), "{err}");
    let show = env.ok(&["voucher", "show", "2025-03/记-0001"]);
    assert!(!show.contains("审批：李明"), "the batch was refused whole: {show}");
    // The rest of the batch passes over what waits for something else, and says so.
    env.ok(&["--as", "李明", "voucher", "approve", "2025-03/记-0001"]);
    let out = env.ok(&["--as", "王芳", "voucher", "confirm", "--all", "--period", "2025-03"]);
    assert!(out.contains("已出纳确认 1 张凭证") && out.contains("2025-03/记-0002 待审批，本次未出纳确认"), "{out}");
    let out = env.ok(&["voucher", "post", "--all", "--period", "2025-03"]);
    assert!(out.contains("已记账 1 张凭证") && out.contains("未处理 2 张"), "{out}");
    assert!(
        out.contains("2025-03/记-0002 待审批，本次未记账") && out.contains("2025-03/记-0003 待审批，本次未记账"),
        "{out}"
    );
    // Nothing left to post: done, with nothing changed or logged, and
    // still saying what the period's vouchers wait for.
    let head = env.log_head();
    let out = env.ok(&["voucher", "post", "--all", "--period", "2025-03"]);
    assert!(out.contains("没有等待记账的凭证") && out.contains("2025-03/记-0003 待审批，本次未记账"), "{out}");
    assert_eq!(env.log_head(), head, "nothing to do is not logged");
    // Naming no voucher at all is still a mistake.
    env.refused("VCH-4", &["voucher", "post"]);
    // One who may not post is told so, not that nothing waits.
    let err = env.refused("SEP-5", &["--as", "王芳", "voucher", "post", "--all", "--period", "2025-03"]);
    assert!(!err.contains("没有等待"), "{err}");
    // So is a cashier asked to review, and one who holds no cashier's post asked to confirm.
    let err = env.refused("SEP-5", &["--as", "王芳", "voucher", "review", "--all", "--period", "2025-03"]);
    assert!(err.contains("出纳不得审核凭证") && !err.contains("没有等待"), "{err}");
    let err = env.refused("OPR-1", &["--as", "刘洋", "voucher", "confirm", "--all", "--period", "2025-03"]);
    assert!(err.contains("没有出纳的任职") && !err.contains("没有等待"), "{err}");
}
