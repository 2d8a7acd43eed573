//! `copy --from A --to B`: ledgers move to another store with their whole
//! log, verify there with the same fingerprint, and a copy that fails
//! leaves the target as it was (AUD-1, AUD-2, LED-1, DOC-1).

mod common;

#[path = "../../../examples/support/generate.rs"]
mod generate;

use std::time::{Duration, Instant};

use common::{closed_january, Env, ADMIN};

/// The fingerprint lines `verify` prints, one per ledger.
fn fingerprints(env: &Env, db: &str) -> Vec<String> {
    let out = env.ok(&["--db", db, "verify"]);
    assert!(out.contains("校验通过"), "{out}");
    out.lines().filter(|l| l.starts_with("指纹：")).map(str::to_string).collect()
}

/// January closed and published, a March voucher with a scan, a refusal in
/// the log: what a community's file holds after a quarter's work.
fn office() -> Env {
    let env = closed_january();
    env.ok(&["disclose", "publish", "--month", "2025-01", "--date", "2025-02-05"]);
    let body = "日期,凭证号,摘要,科目,借方,贷方,单据类型,开票单位,单据号,单据金额,经办人,验收人,审批依据\n\
                2025-03-05,1,购买办公用品,520101,300,,发票,惠民文具店,88,300,张伟,李娜,两委决议〔2025〕1号\n\
                2025-03-05,1,购买办公用品,1002,,300,,,,,,,\n";
    let file = env.write("a.csv", body);
    env.ok(&["import", file.to_str().unwrap()]);
    let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    pdf.extend((0..=255u8).cycle().take(3000));
    pdf.extend(b"\n%%EOF\n");
    let scan = env.write("发票.pdf", &pdf);
    env.ok(&["voucher", "attach", "2025-03/记-0001", "--scan", scan.to_str().unwrap()]);
    env.fails(1, &["voucher", "post", "2025-03/记-0001"]);
    env
}

fn copy<'a>(from: &'a str, to: &'a str) -> Vec<&'a str> {
    vec!["--as", ADMIN, "copy", "--from", from, "--to", to]
}

#[test]
fn aud_2_a_copied_store_verifies_with_the_same_fingerprint_and_signs_in() {
    let env = office();
    let source = env.db();
    let source = source.to_str().unwrap();
    let before = std::fs::read(source).unwrap();
    let published = fingerprints(&env, source);
    let out = env.ok(&copy(source, "街道.db"));
    assert!(out.contains("已将账套“幸福里”复制到 街道.db") && out.contains("扫描件 1 份"), "{out}");
    assert!(out.contains("副本校验通过，指纹与源账簿相同"), "{out}");
    assert_eq!(fingerprints(&env, "街道.db"), published, "the copy verifies with the source's fingerprint");
    assert!(out.contains(&published[0]), "the copy prints the fingerprint: {out}");
    assert_eq!(std::fs::read(source).unwrap(), before, "the source is not written to");

    // The copy is a working store: the same people sign in, the published
    // month and the scan are there, the log goes on from the same chain.
    let on_copy = |args: &[&str]| env.ok(&[&["--db", "街道.db"][..], args].concat());
    assert!(on_copy(&["disclose", "published"]).contains("2025-02-05"));
    assert!(on_copy(&["voucher", "show", "2025-03/记-0001"]).contains("发票.pdf"));
    let taken = env.path("取出.pdf");
    let sha = qianzhang_core::scan::sha256_hex(&std::fs::read(env.path("发票.pdf")).unwrap());
    on_copy(&["voucher", "scan", "2025-03/记-0001", &sha[..12], "-o", taken.to_str().unwrap()]);
    assert_eq!(std::fs::read(&taken).unwrap(), std::fs::read(env.path("发票.pdf")).unwrap());
    let fingerprint = published[0].trim_start_matches("指纹：");
    let anchored = on_copy(&["verify", "--fingerprint", fingerprint]);
    assert!(anchored.contains("未被改写"), "{anchored}");
    on_copy(&["--as", ADMIN, "person", "add", "孙丽"]);
    assert!(on_copy(&["log", "--limit", "1"]).contains("孙丽"));
    assert_ne!(fingerprints(&env, "街道.db"), published, "the copy's chain goes on");
    // Under a wrong passphrase the copy refuses as the source would.
    let out = env
        .command()
        .args(["--db", "街道.db", "--as", ADMIN, "person", "add", "周强"])
        .env("QIANZHANG_PASSPHRASE", "不对")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("OPR-1"));
}

#[test]
fn led_1_ledgers_are_copied_by_name_beside_others_and_never_over_one() {
    let env = office();
    let source = env.db();
    let source = source.to_str().unwrap();
    env.admin(&["--db", "街道.db", "init", "--ledger", "街道本级", "--start", "2025-01"]);
    let street = fingerprints(&env, "街道.db");
    env.ok(&[&copy(source, "街道.db")[..], &["--ledger", "幸福里"]].concat());
    let both = fingerprints(&env, "街道.db");
    assert_eq!(both.len(), 2);
    assert_eq!(both[0], street[0], "the ledger already there is untouched");
    assert_eq!(both[1], fingerprints(&env, source)[0]);

    // [LED-1] a second copy of the same name is refused; the target is as it was.
    let target = std::fs::read(env.path("街道.db")).unwrap();
    let err = env.fails(1, &copy(source, "街道.db"));
    assert!(err.contains("[LED-1]") && err.contains("已有同名账套“幸福里”"), "{err}");
    assert_eq!(std::fs::read(env.path("街道.db")).unwrap(), target);
    // A ledger the source does not hold.
    let err = env.fails(1, &[&copy(source, "新.db")[..], &["--ledger", "没有这个"]].concat());
    assert!(err.contains("[LED-1]"), "{err}");
    assert!(!env.path("新.db").exists(), "a failed copy leaves no new file behind");
}

#[test]
fn the_source_is_never_the_target() {
    let env = office();
    let before = std::fs::read(env.db()).unwrap();
    let db = env.db();
    let abs = db.to_str().unwrap();
    for to in [abs, "qianzhang.db", "./qianzhang.db"] {
        let err = env.fails(2, &copy(abs, to));
        assert!(err.contains("同一个账簿"), "{to}: {err}");
    }
    std::fs::hard_link(env.db(), env.path("别名.db")).unwrap();
    assert!(env.fails(2, &copy("qianzhang.db", "别名.db")).contains("同一个账簿"));
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
    // A source that does not exist is not created.
    let err = env.fails(2, &copy("无.db", "街道.db"));
    assert!(err.contains("找不到源账簿 无.db") && err.contains("--from") && !err.contains("--db"), "{err}");
    assert!(!env.path("无.db").exists() && !env.path("街道.db").exists());
    // A source that is no store is named with the flag that was typed.
    env.write("名册.csv", "姓名\n张伟\n");
    let err = env.fails(2, &copy("名册.csv", "街道.db"));
    assert!(err.contains("请用 --from 指明") && !err.contains("--db"), "{err}");
}

#[test]
fn opr_1_only_an_administrator_signed_in_on_the_source_copies() {
    let env = office();
    let db = env.db();
    let source = db.to_str().unwrap();
    // The accountant keeps the books but does not administer them.
    let err = env.fails(1, &["copy", "--from", source, "--to", "街道.db"]);
    assert!(err.contains("[OPR-1]") || err.contains("[SEP-"), "{err}");
    assert!(!env.path("街道.db").exists());
    let (entries, last) = env.log_head();
    assert_eq!(last, "refused", "the refusal is logged in the source, in the operator's name");
    // A wrong passphrase is a failed sign-in on the source.
    let out = env.command().args(copy(source, "街道.db")).env("QIANZHANG_PASSPHRASE", "不对").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(env.log_head(), (entries + 1, "sign_in_failed".to_string()));
    assert!(!env.path("街道.db").exists());
}

#[test]
fn aud_2_a_tampered_source_is_refused_and_the_target_keeps_nothing() {
    let env = office();
    let db = env.db();
    let source = db.to_str().unwrap();
    env.admin(&["--db", "街道.db", "init", "--ledger", "街道本级", "--start", "2025-01"]);
    let target = std::fs::read(env.path("街道.db")).unwrap();
    env.sql(
        "DROP TRIGGER log_no_update; \
         UPDATE log SET payload = replace(payload, '购买办公用品', '购买办公家具') WHERE kind = 'voucher_prepared' \
         AND payload LIKE '%购买办公用品%';",
    );
    let err = env.fails(3, &copy(source, "街道.db"));
    assert!(err.contains("[AUD-2]") && err.contains("与其哈希不符") && err.contains("未复制"), "{err}");
    assert!(err.contains("账套“幸福里”未复制"), "{err}");
    assert_eq!(std::fs::read(env.path("街道.db")).unwrap(), target, "the target is as it was");
    env.fails(3, &copy(source, "新.db"));
    assert!(!env.path("新.db").exists(), "a new target is not left behind");
    env.fails(3, &["verify"]);
}

/// A street office that outgrows its file moves to PostgreSQL and, should
/// it need to, back: every move verifies with the fingerprint residents
/// were shown, and the same officers sign in on the server.
#[test]
fn aud_2_a_store_moves_to_postgres_and_back_with_the_same_fingerprint() {
    if std::env::var_os("QIANZHANG_TEST_PG").is_none() && std::env::var_os("CI").is_none() {
        eprintln!("skipped: set QIANZHANG_TEST_PG=postgres://… to move a store to PostgreSQL and back");
        return;
    }
    let env = office();
    let source = env.store();
    let published = fingerprints(&env, &source);
    let server = common::store::TestStore::fresh(common::store::Backend::Postgres, env.dir.path());
    let url = server.spec();
    // A new database holds no ledger: verify says so rather than passing nothing.
    let out = env.run(&["--db", &url, "verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("账簿中还没有账套"));
    let out = env.ok(&copy(&source, &url));
    assert!(out.contains("副本校验通过，指纹与源账簿相同") && out.contains("扫描件 1 份"), "{out}");
    assert!(url.contains(":qianzhang@") && !out.contains(":qianzhang@"), "the password is never shown: {out}");
    assert_eq!(fingerprints(&env, &url), published, "the server's copy verifies with the same fingerprint");
    // The password may stay out of the address, in PGPASSWORD as for psql;
    // missing from both, the server's demand for it is said in words.
    let bare = url.replacen(":qianzhang@", "@", 1);
    let err = env.fails(1, &["--db", &bare, "verify"]);
    assert!(err.contains("要求口令") && err.contains("PGPASSWORD"), "{err}");
    let out = env.command().args(["--db", &bare, "verify"]).env("PGPASSWORD", "qianzhang").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    env.ok(&["--db", &url, "--as", ADMIN, "person", "add", "新来的出纳"]);
    let out = env.ok(&copy(&url, "回到文件.db"));
    assert!(out.contains("已将账套“幸福里”复制到 回到文件.db"), "{out}");
    let back = fingerprints(&env, "回到文件.db");
    assert_eq!(back, fingerprints(&env, &url), "and back, with the server's fingerprint");
    assert_ne!(back, published, "which went on from the published one");

    // Rewritten on the server with its guards switched off by the owner —
    // an entry edited, one deleted, two swapped — a copy no longer
    // verifies: exit 3 (AUD-2).
    let tamper = [
        "UPDATE log SET payload = replace(payload, '购买办公用品', '购买办公家具') WHERE payload LIKE '%购买办公用品%'",
        "DELETE FROM log WHERE seq = (SELECT max(seq) - 3 FROM log)",
        "UPDATE log SET seq = -5 WHERE seq = 5; UPDATE log SET seq = 5 WHERE seq = 6; UPDATE log SET seq = 6 WHERE seq = -5",
    ];
    for sql in tamper {
        let server = common::store::TestStore::fresh(common::store::Backend::Postgres, env.dir.path());
        let url = server.spec();
        env.ok(&copy(&source, &url));
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.batch_execute(&format!("ALTER TABLE log DISABLE TRIGGER USER; {sql}")).unwrap();
        let out = env.run(&["--db", &url, "verify"]);
        assert_eq!(out.status.code(), Some(3), "{sql}: {}", String::from_utf8_lossy(&out.stdout));
    }
}

/// An address the program cannot read (an unknown sslmode, a root
/// certificate file that is not there) says what is wrong with it, and
/// not that the database is missing.
#[test]
fn a_postgres_address_that_does_not_parse_is_not_called_a_missing_database() {
    let env = Env::sqlite();
    for (url, says) in [
        ("postgres://qianzhang:口令@localhost/qianzhang?sslmode=bogus", "sslmode=bogus 无法识别"),
        (
            "postgres://qianzhang:口令@localhost/qianzhang?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
            "/nonexistent/ca.pem",
        ),
    ] {
        let out = env.command().args(["--db", url, "verify"]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(err.contains(says), "{url}: {err}");
        assert!(!err.contains("createdb") && !err.contains("库名"), "{url}: {err}");
    }
}

/// A PostgreSQL address holds a password: a server that cannot be reached
/// is said so in words, with the address shown without it, and nothing is
/// made on disk.
#[test]
fn a_postgres_address_is_never_echoed_with_its_password() {
    let env = Env::sqlite();
    for args in [
        &["--as", ADMIN, "init", "--ledger", "幸福里", "--start", "2025-01"][..],
        &["verify"][..],
        &copy("postgres://qianzhang:机密口令@127.0.0.1:1/qianzhang", "街道.db")[..],
    ] {
        let out = env
            .command()
            .args(args)
            .env("QIANZHANG_DB", "postgres://qianzhang:机密口令@127.0.0.1:1/qianzhang")
            .env("QIANZHANG_BUSY_WAIT_MS", "1000")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("无法连接 PostgreSQL 服务器") && err.contains("qianzhang:***@127.0.0.1:1"), "{err}");
        assert!(!err.contains("机密口令"), "{err}");
    }
    assert_eq!(std::fs::read_dir(env.dir.path()).unwrap().count(), 0, "no file of that name is made");
}

/// Kills land during copies of 2,000 vouchers into a target already holding
/// a ledger: the target afterwards opens, verifies, and holds its own
/// ledger and the copy wholly or not at all.
#[test]
fn a_killed_copy_leaves_the_target_as_it_was_or_whole() {
    let env = Env::new();
    env.set_now("2026-01-15T09:00:00+08:00");
    env.admin(&["init", "--ledger", "基准", "--start", "2026-01"]);
    let mut csv = Vec::new();
    generate::generate(2_000, 7, &mut csv).unwrap();
    let file = env.write("big.csv", &csv);
    env.ok(&["--as", ADMIN, "import", "--history", file.to_str().unwrap()]);
    let db = env.db();
    let source = db.to_str().unwrap();
    let published = fingerprints(&env, source);
    env.admin(&["--db", "街道.db", "init", "--ledger", "街道本级", "--start", "2026-01"]);
    let template = env.path("template.db");
    std::fs::copy(env.path("街道.db"), &template).unwrap();
    let street = fingerprints(&env, "街道.db");

    let started = Instant::now();
    env.ok(&copy(source, "街道.db"));
    let full = started.elapsed();
    assert_eq!(fingerprints(&env, "街道.db"), [street.clone(), published.clone()].concat());

    let (mut absent, mut whole) = (0, 0);
    for run in 0..6u32 {
        for suffix in ["", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", env.path("街道.db").display()));
        }
        std::fs::copy(&template, env.path("街道.db")).unwrap();
        let mut child =
            env.command().args(copy(source, "街道.db")).stdout(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(full.mul_f64(0.15 + 0.15 * f64::from(run)).min(Duration::from_secs(20)));
        let _ = child.kill();
        let _ = child.wait();
        let after = fingerprints(&env, "街道.db");
        if after == street {
            absent += 1;
        } else {
            assert_eq!(after, [street.clone(), published.clone()].concat(), "run {run}");
            whole += 1;
        }
    }
    assert!(absent > 0, "no kill landed during a copy; the test proved nothing");
    eprintln!("6 kills: {absent} left the target as it was, {whole} with the whole copy");
}

/// Several ledgers go one transaction each: when the second fails, the
/// first stays whole and verified, and the output says which is which.
#[test]
fn aud_2_ledgers_before_a_failing_one_stay_copied_whole() {
    let env = office();
    let db = env.db();
    let source = db.to_str().unwrap();
    env.admin(&["init", "--ledger", "第二社区", "--start", "2025-01"]);
    env.admin(&["--ledger", "第二社区", "person", "add", "吴桐"]);
    env.sql(
        "DROP TRIGGER log_no_update; UPDATE log SET actor = '别人' \
         WHERE ledger_id = (SELECT id FROM ledgers WHERE name = '第二社区') AND seq = 2;",
    );
    let out = env.run(&copy(source, "街道.db"));
    assert_eq!(out.status.code(), Some(3));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("已将账套“幸福里”复制到"), "{stdout}");
    assert!(stderr.contains("账套“第二社区”未复制") && stderr.contains("以上已复制的账套完整有效"), "{stderr}");
    assert!(stderr.contains("日志第 2 条"), "{stderr}");
    let copied = fingerprints(&env, "街道.db");
    assert_eq!(copied.len(), 1, "only the first ledger is in the target");
    assert_eq!(copied[0], env.ok(&["--ledger", "幸福里", "verify"]).lines().nth(1).unwrap());
}
