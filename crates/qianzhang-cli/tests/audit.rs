//! What the auditor runs (AUD-1..3, HND-1): verification against a published
//! fingerprint, the exceptions of a tenure, a person's trail, and the
//! handover of an accountant whose successor continues the same books.

mod common;

use common::{closed_january, closed_january_at_close, Env};

/// The fingerprint printed on January's statement.
fn published(env: &Env) -> String {
    let json = env.ok(&["disclose", "--month", "2025-01", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["fingerprint"].as_str().unwrap().to_string()
}

const UNLOCK: &str = "DROP TRIGGER IF EXISTS log_no_update; DROP TRIGGER IF EXISTS log_no_delete; \
                      DROP TRIGGER IF EXISTS vouchers_posted_immutable; DROP TRIGGER IF EXISTS vouchers_no_delete;";

#[test]
fn aud_2_the_history_behind_a_published_fingerprint_cannot_be_rewritten() {
    let env = closed_january();
    let fp = published(&env);
    let ok = env.ok(&["verify", "--fingerprint", &fp, "--month", "2025-01"]);
    assert!(ok.contains("公布的指纹对应日志第") && ok.contains("结账 2025-01"), "{ok}");
    env.ok(&["verify", "--fingerprint", &fp]);
    let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-02"]);
    assert!(err.contains("没有 2025-02 的结账记录"), "{err}");
    env.fails(1, &["verify", "--fingerprint", "12ab"]);
    let clean = std::fs::read(env.db()).unwrap();
    let cases: Vec<(String, &str)> = vec![
        ("UPDATE balances SET debit = debit + 1 WHERE account = '1001' AND period = 202501;".into(), "balances"),
        (format!("{UNLOCK} UPDATE vouchers SET date = '2025-01-07' WHERE period = 202501 AND number = 2;"), "vouchers"),
        ("UPDATE accounts SET name = '招待费' WHERE code = '520101';".into(), "accounts"),
        ("DELETE FROM periods WHERE period = 202501;".into(), "periods"),
        ("UPDATE statement_lines SET outflow = 0 WHERE id = 4;".into(), "statement_lines"),
        ("UPDATE cash_counts SET counted = 1;".into(), "cash_counts"),
        ("UPDATE signatures SET person = '刘洋' WHERE kind = 'approve';".into(), "signatures"),
        ("UPDATE assets SET value = 1;".into(), "assets"),
        (format!("{UNLOCK} DELETE FROM log WHERE seq = (SELECT MAX(seq) FROM log);"), "disclosure_reviews"),
        (format!("{UNLOCK} UPDATE log SET payload = replace(payload, '\"600.00\"', '\"60.00\"') WHERE kind = 'voucher_prepared';"), "日志第"),
    ];
    for (sql, what) in cases {
        std::fs::write(env.db(), &clean).unwrap();
        env.sql(&sql);
        let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-01"]);
        assert!(err.contains("[AUD-2]") && err.contains(what), "{sql}\n{err}");
    }
    // Every table holding ledger data, emptied behind the log's back.
    let tables: Vec<String> = {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('log', 'ledgers') ORDER BY name",
            )
            .unwrap();
        let names = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect();
        names
    };
    let mut covered = 0;
    for table in &tables {
        std::fs::write(env.db(), &clean).unwrap();
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let rows: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        if rows == 0 {
            continue;
        }
        let triggers: Vec<String> = {
            let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").unwrap();
            let names = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect();
            names
        };
        for t in triggers {
            conn.execute_batch(&format!("DROP TRIGGER {t};")).unwrap();
        }
        conn.execute_batch(&format!("DELETE FROM {table};")).unwrap();
        drop(conn);
        let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-01"]);
        assert!(err.contains(&format!("表 {table}")), "{table}\n{err}");
        covered += 1;
    }
    assert!(covered >= 20, "only {covered} of {} tables hold rows", tables.len());
    // A history rewritten and re-hashed end to end: every table agrees with
    // the new log, so plain verification passes, but the published
    // fingerprint is no longer in it.
    std::fs::write(env.db(), &clean).unwrap();
    rehash_with_actor_changed(&env, 5, "某人");
    env.ok(&["verify"]);
    let err = env.fails(3, &["verify", "--fingerprint", &fp, "--month", "2025-01"]);
    assert!(err.contains("历史在公布之后被改写过"), "{err}");
}

/// Rewrites entry `seq`'s actor and recomputes every hash from there on.
fn rehash_with_actor_changed(env: &Env, seq: i64, actor: &str) {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(UNLOCK).unwrap();
    conn.execute("UPDATE log SET actor = ?1 WHERE seq = ?2", rusqlite::params![actor, seq]).unwrap();
    let rows: Vec<(i64, i64, String, String, String, String)> = {
        let mut stmt =
            conn.prepare("SELECT ledger_id, seq, at, actor, kind, payload FROM log ORDER BY ledger_id, seq").unwrap();
        let rows =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let mut prev = qianzhang_store::GENESIS;
    for (ledger, s, at, who, kind, payload) in rows {
        let hash = qianzhang_store::entry_hash(&prev, s, &at, &who, &kind, &payload);
        conn.execute(
            "UPDATE log SET prev_hash = ?1, hash = ?2 WHERE ledger_id = ?3 AND seq = ?4",
            rusqlite::params![&prev.0[..], &hash.0[..], ledger, s],
        )
        .unwrap();
        prev = hash;
    }
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
    env.refused("OPR-1", &["--as", "王芳", "voucher", "post", "2025-02/记-0004"]);
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
    let csv = env.ok(&["audit", "exceptions", "--from", "2025-02", "--to", "2025-02", "--format", "csv"]);
    assert!(csv.starts_with("rule,kind,date,voucher,people,amount,detail"), "{csv}");
}

#[test]
fn aud_1_a_persons_trail_lists_every_act_and_attempt_with_its_hash() {
    let env = eventful_tenure();
    let trail = env.ok(&["audit", "person", "王芳", "--from", "2025-02-01", "--to", "2025-02-28", "--format", "md"]);
    assert!(trail.contains("被拒绝 [OPR-1]") && trail.contains("2025-02-14 现金盘点"), "{trail}");
    assert!(trail.contains("出纳确认2025-02/记-0003"), "{trail}");
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
        "八、任期内的例外事项",
        "九、固定资产",
        "一式三份",
    ] {
        assert!(report.contains(needle), "{needle}:\n{report}");
    }
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
