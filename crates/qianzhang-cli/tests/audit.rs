//! What the auditor runs (AUD-1..3, HND-1): verification against a published
//! fingerprint, the exceptions of a tenure, a person's trail, and the
//! handover of an accountant whose successor continues the same books.

mod common;

use common::chain::{entries, rehash, store_hashes};
use common::{closed_january, closed_january_at_close, Env};
use qianzhang_core::chain::entry_hash;

/// The fingerprint printed on January's statement.
fn published(env: &Env) -> String {
    let json = env.ok(&["disclose", "--month", "2025-01", "--format", "json", "--date", "2025-02-05"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["fingerprint"].as_str().unwrap().to_string()
}

/// SQLite's guards on the log and the vouchers, for the tests on the file.
const UNLOCK: &str = "DROP TRIGGER IF EXISTS log_no_update; DROP TRIGGER IF EXISTS log_no_delete; \
                      DROP TRIGGER IF EXISTS vouchers_posted_immutable; DROP TRIGGER IF EXISTS vouchers_no_delete;";

#[test]
fn aud_2_the_history_behind_a_published_fingerprint_cannot_be_rewritten() {
    let env = closed_january();
    let fp = published(&env);
    let ok = env.ok(&["verify", "--fingerprint", &fp, "--month", "2025-01"]);
    assert!(ok.contains("公布的指纹对应日志第") && ok.contains("结账 2025-01"), "{ok}");
    env.ok(&["verify", "--fingerprint", &fp]);
    // January's fingerprint given for February: the month was mistyped.
    let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-02"]);
    assert!(err.contains("2025-01 结账的指纹，不是 2025-02 的") && err.contains("请核对 --month"), "{err}");
    // A month never closed: said so before any talk of tampering.
    let other = "ab".repeat(32);
    let err = env.fails(3, &["verify", "--fingerprint", &other, "--month", "2025-02"]);
    assert!(err.contains("没有 2025-02 的结账记录") && err.contains("2025-02 没有结过账"), "{err}");
    // A fingerprint copied wrong in its last digit: both shown whole, where they differ.
    let last = fp.chars().last().unwrap();
    let typo = format!("{}{}", &fp[..fp.len() - 1], if last == '0' { '1' } else { '0' });
    let err = env.fails(3, &["verify", "--fingerprint", &typo, "--month", "2025-01"]);
    assert!(err.contains(&typo) && err.contains(&fp) && err.contains("逐位核对"), "{err}");
    env.fails(1, &["verify", "--fingerprint", "12ab"]);
    let cases = [
        ("UPDATE balances SET debit = debit + 1 WHERE account = '1001' AND period = 202501;", "balances"),
        ("UPDATE vouchers SET date = '2025-01-07' WHERE period = 202501 AND number = 2;", "vouchers"),
        ("UPDATE accounts SET name = '招待费' WHERE code = '520101';", "accounts"),
        ("DELETE FROM periods WHERE period = 202501;", "periods"),
        ("UPDATE statement_lines SET outflow = 0 WHERE id = 4;", "statement_lines"),
        ("UPDATE cash_counts SET counted = 1;", "cash_counts"),
        ("UPDATE signatures SET person = '刘洋' WHERE kind = 'approve';", "signatures"),
        ("UPDATE assets SET value = 1;", "assets"),
        ("DELETE FROM log WHERE seq = (SELECT MAX(seq) FROM log);", "disclosure_reviews"),
        (
            "UPDATE log SET payload = replace(payload, '\"600.00\"', '\"60.00\"') WHERE kind = 'voucher_prepared';",
            "日志第",
        ),
    ];
    for (sql, what) in cases {
        let env = env.fork();
        env.tamper(sql);
        let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-01"]);
        assert!(err.contains("[AUD-2]") && err.contains(what), "{sql}\n{err}");
    }
    // Every table holding ledger data, emptied behind the log's back (the
    // server's record of its schema's version aside).
    let tables = env.store.texts(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('log', 'ledgers') ORDER BY name",
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
         AND tablename NOT IN ('log', 'ledgers', 'schema_version') ORDER BY 1",
    );
    let mut covered = 0;
    for table in &tables {
        if env.store.query(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}")) == ["0"] {
            continue;
        }
        let env = env.fork();
        env.tamper(&format!("DELETE FROM {table};"));
        let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-01"]);
        assert!(err.contains(&format!("表 {table}")), "{table}\n{err}");
        covered += 1;
    }
    assert!(covered >= 20, "only {covered} of {} tables hold rows", tables.len());
    // A history rewritten and re-hashed end to end: every table agrees with
    // the new log, so plain verification passes, but the published
    // fingerprint is no longer in it.
    rehash_with_actor_changed(&env, 5, "某人");
    env.ok(&["verify"]);
    let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-01"]);
    assert!(err.contains("历史在公布之后被改写过"), "{err}");
}

/// Rewrites entry `seq`'s actor and recomputes every hash from there on.
fn rehash_with_actor_changed(env: &Env, seq: i64, actor: &str) {
    env.tamper(&format!("UPDATE log SET actor = '{actor}' WHERE seq = {seq};"));
    rehash(env);
}

/// January closed, then reopened for a forgotten bill and closed again, and a
/// February holding every other kind of exception.
fn eventful_tenure() -> Env {
    let env = closed_january_at_close();
    env.admin(&[
        "auth",
        "add",
        "--kind",
        "resolution",
        "--number",
        "两委决议〔2025〕5号",
        "--date",
        "2025-02-01",
        "--scope",
        "文具",
        "--cap",
        "1100",
    ]);
    env.admin(&["person", "add", "李强"]);
    // January: reopened, a bill booked late, closed again.
    env.set_now("2025-02-05T09:00:00+08:00");
    env.ok(&["period", "reopen", "2025-01", "--reason", "漏记一月电话费", "--approver", "李明"]);
    book_the_late_phone_bill(&env);
    // February.
    env.set_now("2025-02-28T18:00:00+08:00");
    let file = env.write(
        "february.csv",
        "日期,凭证号,摘要,科目,借方,贷方,往来单位,单据类型,开票单位,单据号,单据金额,经办人,验收人,审批依据\n\
         2025-02-10,1,购买文具,520101,600,,幸福文具店,发票,幸福文具店,W1,600,刘洋,赵敏,两委决议〔2025〕5号\n\
         2025-02-10,1,购买文具,1002,,600,,,,,,,,\n\
         2025-02-12,2,购买文具,520101,500,,幸福文具店,发票,幸福文具店,W2,500,刘洋,赵敏,两委决议〔2025〕5号\n\
         2025-02-12,2,购买文具,1002,,500,,,,,,,,\n\
         2025-02-14,3,报销垫付的快递费,520101,80,,王芳,发票,顺丰速运,K1,80,王芳,刘洋,两委决议〔2025〕1号\n\
         2025-02-14,3,报销垫付的快递费,1001,,80,王芳,,,,,,,\n\
         2025-02-20,4,购买茶叶,520101,300,,茶叶店,发票,茶叶店,C1,200,刘洋,赵敏,两委决议〔2025〕1号\n\
         2025-02-20,4,购买茶叶,1001,,300,,,,,,,,\n",
    );
    env.ok(&["import", file.to_str().unwrap()]);
    env.sign_and_post(&["2025-02/记-0001", "2025-02/记-0002", "2025-02/记-0003"]);
    env.refused("SEP-5", &["--as", "王芳", "voucher", "post", "2025-02/记-0004"]);
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-02-14", "--amount", "4400"]);
    // The cashier turns out to be married to the director's brother.
    env.set_now("2025-03-31T18:00:00+08:00");
    env.admin(&["person", "relate", "李强", "李明", "--kind", "sibling"]);
    env.admin(&["person", "relate", "王芳", "李强", "--kind", "spouse"]);
    env
}

#[test]
fn aud_1_the_exceptions_of_a_tenure_hold_every_kind() {
    let env = eventful_tenure();
    let text = env.ok(&["audit", "exceptions", "--from", "2024-09", "--to", "2025-03"]);
    for kind in [
        "[VCH-3] 迁移的历史数据",
        "大额支出",
        "审批限额用尽",
        "疑似拆分支出",
        "付款给干部或其近亲属",
        "红字冲销",
        "补记凭证",
        "反结账",
        "现金盘点差额",
        "库存现金超限额",
        "被拒绝的操作",
        "亲属关系冲突",
        "单据不足",
    ] {
        let kind = kind.trim_start_matches("[VCH-3] ");
        assert!(text.contains(kind), "{kind} missing:\n{text}");
    }
    insta::assert_snapshot!("exceptions_2024_09_to_2025_03", text);
    let json = env.ok(&["audit", "exceptions", "--from", "2025-02", "--to", "2025-02", "--format", "json"]);
    let items: serde_json::Value = serde_json::from_str(&json).unwrap();
    let split = items.as_array().unwrap().iter().find(|e| e["rule"] == "APR-3").unwrap();
    assert_eq!(split["amount"], "1100.00");
    let csv = env.ok(&["audit", "exceptions", "--from", "2025-02", "--to", "2025-02", "--format", "csv", "--plain"]);
    assert!(csv.starts_with("rule,kind,date,voucher,people,amount,detail"), "{csv}");
    let csv = env.ok(&["audit", "exceptions", "--from", "2025-02", "--to", "2025-02", "--format", "csv"]);
    assert!(csv.starts_with("\u{FEFF}规则,类别,日期,凭证号,人员,金额,说明"), "{csv}");
}

#[test]
fn aud_1_a_persons_trail_lists_every_act_and_attempt_with_its_hash() {
    let env = eventful_tenure();
    let trail = env.ok(&["audit", "person", "王芳", "--from", "2025-02-01", "--to", "2025-02-28", "--format", "md"]);
    assert!(trail.contains("被拒绝 [SEP-5]") && trail.contains("2025-02-14 现金盘点"), "{trail}");
    assert!(trail.contains("出纳确认 2025-02/记-0003"), "{trail}");
    let json = env.ok(&["audit", "person", "王芳", "--format", "json"]);
    let acts: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(acts.as_array().unwrap().iter().all(|a| a["hash"].as_str().unwrap().len() == 64));
}

#[test]
fn hnd_1_an_accountant_hands_over_and_the_successor_continues_the_books() {
    let env = closed_january();
    env.set_now("2025-03-31T18:00:00+08:00");
    env.admin(&["person", "add", "孙丽"]);
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-20",
        "--summary",
        "购买墨盒",
        "--debit",
        "520101=90",
        "--credit",
        "1001=90",
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发票",
        "--issuer",
        "幸福文具店",
        "--doc-no",
        "M1",
        "--doc-amount",
        "90",
        "--handler",
        "刘洋",
        "--checker",
        "赵敏",
    ]);
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-21",
        "--summary",
        "=购买墨盒（重复）",
        "--debit",
        "520101=90",
        "--credit",
        "1001=90",
    ]);
    env.ok(&["voucher", "void", "2025-03/记-0002", "--reason", "与记-0001 重复"]);
    let args =
        ["--officer", "赵敏", "--role", "accountant", "--date", "2025-03-31", "--to", "孙丽", "--supervisor", "陈静"];
    let report = env.ok(&[&["handover"][..], &args].concat());
    assert!(
        report.contains("尚不能完成交接") && report.contains("没有现金盘点") && report.contains("2025-03/记-0001"),
        "{report}"
    );
    let err = env.refused("HND-1", &[&["--as", "管理员", "handover", "complete"][..], &args].concat());
    assert!(err.contains("没有现金盘点") && err.contains("尚未记账：2025-03/记-0001"), "{err}");
    env.sign_and_post(&["2025-03/记-0001"]);
    env.ok(&["--as", "王芳", "cash", "count", "--date", "2025-03-31", "--amount", "4410"]);
    let report = env.ok(&[&["handover"][..], &args].concat());
    assert!(report.contains("交接条件已具备"), "{report}");
    for needle in [
        "一、科目余额",
        "二、库存现金",
        "三、银行存款余额调节",
        "四、未结清借款",
        "五、收据",
        "六、未记账凭证",
        "七、赵敏 任期内经手的凭证",
        "八、赵敏 任期内作废的凭证",
        "九、任期内的例外事项",
        "十、固定资产",
        "一式三份",
    ] {
        assert!(report.contains(needle), "{needle}:\n{report}");
    }
    // HND-1: the voucher the officer voided is listed with its reason, and
    // balances read 借/贷 with positive amounts.
    let voided = report.lines().find(|l| l.starts_with("2025-03/记-0002")).unwrap_or_else(|| panic!("{report}"));
    assert!(voided.contains("与记-0001 重复") && voided.contains("=购买墨盒（重复）"), "{voided}");
    let equity = report.lines().find(|l| l.starts_with("3101")).unwrap();
    assert!(equity.contains("贷") && equity.contains("105,000.00") && !equity.contains('-'), "{equity}");
    let csv = env.ok(&[&["handover"][..], &args, &["--format", "csv"]].concat());
    assert!(!csv.contains(",=") && csv.contains("2025-03/记-0001"), "{csv}");
    let md = env.ok(&[&["handover"][..], &args, &["--format", "md"]].concat());
    assert!(md.contains("| 2025-03/记-0002 |") && md.contains("与记-0001 重复"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&[&["handover"][..], &args, &["--format", "json"]].concat())).unwrap();
    let fp = json["fingerprint"].as_str().unwrap().to_string();
    insta::assert_snapshot!("handover_zhaomin_text", report.replace(&fp, "<指纹>"));
    let html = env.ok(&[&["handover"][..], &args, &["--format", "html"]].concat());
    assert_eq!(html.matches("class=\"copy\"").count(), 3, "three copies to sign");
    env.refused(
        "HND-1",
        &[
            "--as",
            "管理员",
            "handover",
            "complete",
            "--officer",
            "赵敏",
            "--role",
            "accountant",
            "--date",
            "2025-03-31",
            "--to",
            "孙丽",
            "--supervisor",
            "赵敏",
        ],
    );
    env.ok(&[&["--as", "管理员", "handover", "complete"][..], &args].concat());
    // The successor keeps the same books; the predecessor no longer can.
    env.set_now("2025-04-02T09:00:00+08:00");
    env.refused(
        "OPR-1",
        &[
            "--as",
            "赵敏",
            "voucher",
            "add",
            "--date",
            "2025-04-01",
            "--summary",
            "x",
            "--debit",
            "1001=1",
            "--credit",
            "1002=1",
        ],
    );
    let out = env.ok(&[
        "--as",
        "孙丽",
        "voucher",
        "add",
        "--date",
        "2025-04-01",
        "--summary",
        "提取备用金",
        "--debit",
        "1001=500",
        "--credit",
        "1002=500",
        "--doc-type",
        "银行回单",
        "--doc-no",
        "ZQ0401",
        "--doc-amount",
        "500",
        "--handler",
        "王芳",
    ]);
    assert!(out.contains("2025-04/记-0001"), "{out}");
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-04/记-0001"]);
    env.ok(&["--as", "王芳", "voucher", "confirm", "2025-04/记-0001"]);
    env.ok(&["--as", "孙丽", "voucher", "post", "2025-04/记-0001"]);
    let log = env.ok(&["log", "--limit", "12"]);
    assert!(log.contains("赵敏 将会计工作移交 孙丽，监交人 陈静"), "{log}");
    env.ok(&["verify"]);
}

/// The seq of the log entry of `kind` whose payload contains `needle`.
fn entry(env: &Env, kind: &str, needle: &str) -> i64 {
    let filter = format!("WHERE kind = '{kind}' AND payload LIKE '%{needle}%'");
    entries(env, &filter)[0].seq
}

/// Re-hashes entry `seq` alone after its payload was changed, leaving the
/// next entry's link as it was.
fn rehash_one(env: &Env, seq: i64) {
    let e = entries(env, &format!("WHERE seq = {seq}")).remove(0);
    store_hashes(env, &[(seq, None, entry_hash(&e.prev, seq, &e.at, &e.actor, &e.kind, &e.payload))]);
}

#[test]
fn aud_2_verification_names_the_entry_altered_not_a_neighbour() {
    let env = closed_january();
    let content = entry(&env, "voucher_prepared", "2025-01/记-0002");
    let posting = entry(&env, "voucher_posted", "2025-01/记-0002");
    assert!(posting > content + 1, "the fixture posts 记-0002 well after preparing it");
    let amount = |env: &Env| {
        env.tamper(&format!(
            "UPDATE log SET payload = replace(payload, '\"summary\":\"', '\"summary\":\"改') WHERE seq = {content};"
        ))
    };
    // Changed in place: its own hash no longer matches.
    let changed = env.fork();
    amount(&changed);
    let err = changed.fails(3, &["verify"]);
    assert!(err.contains(&format!("第一处不符在日志第 {content} 条")), "{err}");
    // Changed and re-hashed: the next entry still links to the old hash,
    // yet it is the changed entry that is named, not the next one.
    let changed = env.fork();
    amount(&changed);
    rehash_one(&changed, content);
    let err = changed.fails(3, &["verify"]);
    assert!(err.contains(&format!("第一处不符在日志第 {content} 条")) && err.contains("重算了哈希"), "{err}");
    // The next entry's link itself altered: that entry is named.
    let changed = env.fork();
    let next = content + 1;
    changed.store.tamper_each(
        &format!("UPDATE log SET prev_hash = zeroblob(32) WHERE seq = {next};"),
        &format!("UPDATE log SET prev_hash = decode(repeat('00', 32), 'hex') WHERE seq = {next};"),
    );
    let err = changed.fails(3, &["verify"]);
    assert!(err.contains(&format!("第一处不符在日志第 {} 条", content + 1)), "{err}");
    // A posted voucher set back to prepared: the posting is what the
    // table no longer shows, not the voucher's content.
    let env = env.fork();
    env.tamper("UPDATE vouchers SET status = 'prepared' WHERE period = 202501 AND number = 2;");
    let err = env.fails(3, &["verify"]);
    assert!(err.contains(&format!("第一处不符在日志第 {posting} 条")), "{err}");
}

/// An entry rewritten into what is not an event of its kind, with the chain
/// re-hashed over it: the chain holds, and that entry is named.
#[test]
fn aud_2_a_rehashed_entry_that_is_no_event_of_its_kind_is_named() {
    let env = closed_january();
    let content = entry(&env, "voucher_prepared", "2025-01/记-0002");
    for (sql, says) in [
        (format!("UPDATE log SET payload = '{{\"event\":\"voucher_prepared\"' WHERE seq = {content};"), "无法解析"),
        (format!("UPDATE log SET kind = 'voucher_voided' WHERE seq = {content};"), "与内容 voucher_prepared 不符"),
    ] {
        let changed = env.fork();
        changed.tamper(&sql);
        rehash(&changed);
        let err = changed.fails(3, &["verify"]);
        assert!(err.contains(&format!("第一处不符在日志第 {content} 条")) && err.contains(says), "{sql}\n{err}");
    }
}

#[test]
fn aud_2_a_month_reopened_after_publication_says_what_changed_since() {
    let env = closed_january();
    let fp = published(&env);
    let ok = env.ok(&["verify", "--fingerprint", &fp, "--month", "2025-01"]);
    assert!(!ok.contains("公布之后"), "{ok}");
    env.set_now("2025-02-05T09:00:00+08:00");
    env.ok(&["period", "reopen", "2025-01", "--reason", "漏记一月电话费", "--approver", "李明"]);
    let ok = env.ok(&["verify", "--fingerprint", &fp, "--month", "2025-01"]);
    assert!(ok.contains("未被改写") && ok.contains("反结账 2025-01（漏记一月电话费"), "{ok}");
    assert!(ok.contains("2025-01 目前尚未重新结账"), "{ok}");
    book_the_late_phone_bill(&env);
    let ok = env.ok(&["verify", "--fingerprint", &fp, "--month", "2025-01"]);
    for what in [
        "公布之后",
        "反结账 2025-01",
        "李明",
        "制单 2025-01/记-0010",
        "记账 2025-01/记-0010",
        "结账 2025-01",
        "重新结账后的指纹",
    ] {
        assert!(ok.contains(what), "{what} missing in:\n{ok}");
    }
    assert!(!ok.contains("目前尚未重新结账"), "{ok}");
    let new_fp = published(&env);
    assert!(ok.contains(&new_fp), "the new close's fingerprint is printed:\n{ok}");
    // The new fingerprint has nothing after it.
    let ok = env.ok(&["verify", "--fingerprint", &new_fp, "--month", "2025-01"]);
    assert!(!ok.contains("公布之后"), "{ok}");
}

#[test]
fn aud_2_the_short_fingerprint_on_the_board_is_accepted() {
    let env = closed_january();
    let fp = published(&env);
    let ok = env.ok(&["verify", "--fingerprint", &fp[..16], "--month", "2025-01"]);
    assert!(ok.contains("公布的指纹对应日志第") && ok.contains("未被改写"), "{ok}");
    let upper = fp[..16].to_uppercase();
    env.ok(&["verify", "--fingerprint", &upper]);
    let spaced = format!("{} {}", &fp[..8], &fp[8..16]);
    env.ok(&["verify", "--fingerprint", &spaced, "--month", "2025-01"]);
    let err = env.fails(1, &["verify", "--fingerprint", &fp[..15]]);
    assert!(err.contains("[AUD-2]") && err.contains("16 位"), "{err}");
    let wrong = format!("{}{}", if fp.starts_with('0') { "1" } else { "0" }, &fp[1..16]);
    let err = env.fails(3, &["verify", "--fingerprint", &wrong, "--month", "2025-01"]);
    assert!(err.contains("[AUD-2]"), "{err}");
}

/// Values of the wrong type in a column: SQLite's files take them, a
/// PostgreSQL column's type refuses them.
#[test]
fn aud_2_store_content_the_engine_never_writes_is_an_integrity_failure() {
    let env = common::on_sqlite(closed_january);
    let clean = std::fs::read(env.db()).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (format!("{UNLOCK} UPDATE log SET hash = hex(hash) WHERE seq = 5;"), "日志第 5 条的 hash 列"),
        (format!("{UNLOCK} UPDATE log SET prev_hash = hex(prev_hash) WHERE seq = 6;"), "日志第 6 条的 prev_hash 列"),
        (
            format!("{UNLOCK} UPDATE log SET payload = CAST(X'7BFF22' AS TEXT) WHERE seq = 7;"),
            "日志第 7 条的 payload 列不是有效的 UTF-8",
        ),
        (format!("{UNLOCK} UPDATE log SET at = CAST(at AS BLOB) WHERE seq = 8;"), "日志第 8 条的 at 列"),
        (format!("{UNLOCK} UPDATE log SET seq = 'x' WHERE seq = 9;"), "日志第 9 条"),
        ("UPDATE ledgers SET start_period = 999913;".into(), "表 ledgers"),
        ("UPDATE ledgers SET start_period = 'abc';".into(), "start_period"),
        ("PRAGMA user_version = 9999;".into(), "版本 9999"),
        ("UPDATE imports SET at = CAST(at AS BLOB);".into(), "表 imports"),
        (format!("{UNLOCK} UPDATE vouchers SET date = X'00' WHERE number = 1;"), "表 vouchers"),
    ];
    let total = cases.len();
    for (sql, place) in cases {
        std::fs::write(env.db(), &clean).unwrap();
        env.sql(&sql);
        let err = env.fails(3, &["verify"]);
        assert!(err.contains("[AUD-2]") && err.contains(place), "{sql}\n{err}");
        // Other commands over the same file fail as cleanly, or work.
        for args in [
            &["report", "trial-balance", "--month", "2025-01"][..],
            &["voucher", "list", "--month", "2025-01"],
            &["audit", "exceptions", "--from", "2025-01", "--to", "2025-01"],
            &["voucher", "add", "--date", "2025-01-31", "--summary", "x", "--debit", "520101=1", "--credit", "1001=1"],
        ] {
            let out = env.run(args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(matches!(out.status.code(), Some(0 | 1 | 3)), "{sql}\n{args:?}\n{err}");
        }
    }
    assert_eq!(total, 10);
}

/// A stored amount past what any ledger can hold (LIM-1) is damage to the
/// store: every report reading it fails with exit 3, never an overflow (101).
#[test]
fn aud_2_an_amount_no_ledger_can_hold_is_an_integrity_failure() {
    let clean = closed_january();
    let trial_balance = &["report", "trial-balance", "--month", "2025-01"][..];
    let funds = &["report", "funds", "--month", "2025-01"][..];
    for (sql, table, reader) in [
        ("UPDATE balances SET debit = 9223372036854775807;", "表 balances", trial_balance),
        ("UPDATE balances SET credit = -9223372036854775807;", "表 balances", trial_balance),
        ("UPDATE fund_totals SET income = 9223372036854775807;", "表 fund_totals", funds),
    ] {
        let env = clean.fork();
        env.tamper(sql);
        let err = env.fails(3, reader);
        assert!(
            err.contains("[AUD-2]") && err.contains(table) && err.contains("超出本程序能记录的范围"),
            "{sql}\n{err}"
        );
        // Every other report over the same file fails as cleanly, or works.
        for args in [
            trial_balance,
            funds,
            &["disclose", "--month", "2025-01"],
            &["audit", "exceptions", "--from", "2025-01", "--to", "2025-01"],
        ] {
            let out = env.run(args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(matches!(out.status.code(), Some(0 | 3)), "{sql}\n{args:?}\n{err}");
        }
    }
}

/// January reopened: the phone bill booked late, signed, posted, and the
/// month closed again.
fn book_the_late_phone_bill(env: &Env) {
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-01-31",
        "--summary",
        "补记一月电话费",
        "--debit",
        "520103=120",
        "--credit",
        "2209=120",
        "--authorization",
        "两委决议〔2025〕2号",
        "--doc-type",
        "发票",
        "--issuer",
        "中国电信",
        "--doc-no",
        "T0131",
        "--doc-amount",
        "120",
        "--handler",
        "刘洋",
        "--checker",
        "赵敏",
    ]);
    env.sign_and_post(&["2025-01/记-0010"]);
    env.ok(&["period", "close", "2025-01"]);
}
