//! Publishing a month's disclosure (PUB-1) and scans of original documents
//! (DOC-1, LIM-1) through the command line, with the tampering `verify`
//! must catch (AUD-2).

mod common;

use common::{closed_january, Env};

/// January's close fingerprint, as the statement prints it.
fn fingerprint(env: &Env) -> String {
    let text = env.ok(&["disclose", "--month", "2025-01", "--format", "json", "--date", "2025-02-05"]);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["fingerprint"].as_str().unwrap().to_string()
}

fn publish(date: &str) -> Vec<&str> {
    vec!["disclose", "publish", "--month", "2025-01", "--date", date]
}

#[test]
fn pub_1_a_month_is_published_once_per_close_and_listed() {
    let env = closed_january();
    assert!(env.ok(&["disclose", "published"]).contains("还没有公布过任何月份"));
    let err = env.refused("PUB-1", &["disclose", "publish", "--month", "2025-02", "--date", "2025-03-05"]);
    assert!(err.contains("尚未结账"), "{err}");
    // Reviewed on 2025-02-04: not published before.
    let err = env.refused("PUB-1", &publish("2025-02-03"));
    assert!(err.contains("2025-02-04") && err.contains("--date"), "{err}");
    let err = env.refused("PUB-1", &publish("2025-01-30"));
    assert!(err.contains("早于2025年01月的最后一天"), "{err}");
    // The cashier does not publish: the accountant does.
    env.fails(1, &[&["--as", "王芳"][..], &publish("2025-02-05")].concat());

    let fp = fingerprint(&env);
    let done = env.ok(&publish("2025-02-05"));
    assert!(done.contains("已登记 2025年01月 财务公开于 2025-02-05 公布") && done.contains(&fp[..16]), "{done}");
    let list = env.ok(&["disclose", "published"]);
    for text in ["月份", "公布日期", "指纹", "公布人", "2025-01", "2025-02-05", &fp[..16], "赵敏"] {
        assert!(list.contains(text), "{text} in {list}");
    }
    assert!(env.ok(&["disclose", "published", "--format", "csv"]).contains(&fp), "CSV has the whole fingerprint");
    assert!(env.ok(&["disclose", "published", "--format", "md"]).contains("| 2025-01 |"));
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["disclose", "published", "--format", "json"])).unwrap();
    assert_eq!(json[0]["fingerprint"], fp.as_str());
    assert_eq!(json[0]["period"], "2025-01");
    assert_eq!(json[0]["by"], "赵敏");

    let err = env.refused("PUB-1", &publish("2025-02-06"));
    assert!(err.contains("已于 2025-02-05 由 赵敏 公布") && err.contains("反结账"), "{err}");

    // Reopened and closed again: a new close, published again.
    env.ok(&["period", "reopen", "2025-01", "--reason", "补记漏记的电话费", "--approver", "李明"]);
    assert!(env.refused("PUB-1", &publish("2025-03-31")).contains("尚未结账"));
    env.ok(&["period", "close", "2025-01"]);
    env.ok(&publish("2025-03-31"));
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["disclose", "published", "--format", "json"])).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{json}");
    assert_eq!(rows[1]["date"], "2025-03-31");
    assert_ne!(rows[1]["fingerprint"], rows[0]["fingerprint"], "a new close, a new fingerprint");
    env.ok(&["verify"]);
    // [AUD-2] a publication altered in the table is caught.
    env.tamper("UPDATE publications SET date = '2025-02-01' WHERE period = 202501;");
    let err = env.fails(3, &["verify"]);
    assert!(err.contains("表 publications"), "{err}");
}

const HEADER: &str = "日期,凭证号,摘要,科目,借方,贷方,单据类型,开票单位,单据号,单据金额,经办人,验收人,审批依据\n";

/// A prepared voucher of 2025-03 paying ¥300 for office supplies.
fn prepared(env: &Env) -> &'static str {
    let body = "2025-03-05,1,购买办公用品,520101,300,,发票,惠民文具店,88,300,张伟,李娜,两委决议〔2025〕1号\n\
                2025-03-05,1,购买办公用品,1002,,300,,,,,,,\n";
    let file = env.write("a.csv", format!("{HEADER}{body}"));
    env.ok(&["import", file.to_str().unwrap()]);
    "2025-03/记-0001"
}

/// A small PDF-looking file: the type is told by its first bytes.
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(5000));
    bytes.extend(b"\n%%EOF\n");
    bytes
}

#[test]
fn doc_1_a_scan_is_attached_listed_and_taken_out_byte_for_byte() {
    let env = Env::with_office();
    let r = prepared(&env);
    env.ok(&["--as", "刘洋", "voucher", "review", r]);
    let bytes = pdf();
    let sha = qianzhang_core::scan::sha256_hex(&bytes);
    let scan = env.write("发票扫描.pdf", &bytes);
    let done = env.ok(&["voucher", "attach", r, "--scan", scan.to_str().unwrap()]);
    assert!(done.contains("附上扫描件“发票扫描.pdf”（PDF") && done.contains(&sha[..12]), "{done}");
    assert!(done.contains("原有签字已作废"), "{done}");
    // With no signature left, none is said to lapse.
    let mut back = pdf();
    back.extend(b"% back page\n");
    let back = env.write("发票背面.pdf", &back);
    let again = env.ok(&["voucher", "attach", r, "--scan", back.to_str().unwrap()]);
    assert!(again.contains("附上扫描件“发票背面.pdf”") && !again.contains("签字已作废"), "{again}");
    let show = env.ok(&["voucher", "show", r]);
    assert!(
        show.contains(&format!("扫描件：发票扫描.pdf　PDF　{} 字节　SHA-256 {}", bytes.len(), &sha[..12])),
        "{show}"
    );
    assert!(!show.contains("审核：刘洋"), "the review lapsed: {show}");
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["voucher", "show", r, "--format", "json"])).unwrap();
    assert_eq!(json["scans"][0]["sha256"], sha.as_str());
    assert_eq!(json["scans"][0]["media"], "application/pdf");

    // Out again, the same bytes.
    let out = env.path("取出.pdf");
    env.ok(&["voucher", "scan", r, &sha[..12], "-o", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    env.fails(1, &["voucher", "scan", r, "000000", "-o", out.to_str().unwrap()]);

    // A PNG named .pdf is mislabelled; a GIF is no scan; the same file twice is refused.
    let png = env.write("收据.pdf", [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
    let err = env.refused("DOC-1", &["voucher", "attach", r, "--scan", png.to_str().unwrap()]);
    assert!(err.contains("声称是 PDF，内容却是 PNG"), "{err}");
    let gif = env.write("照片.gif", b"GIF89a\x01\x00\x01\x00");
    env.refused("DOC-1", &["voucher", "attach", r, "--scan", gif.to_str().unwrap()]);
    env.refused("DOC-2", &["voucher", "attach", r, "--scan", scan.to_str().unwrap()]);
    // [LIM-1] over 10 MiB.
    let mut big = pdf();
    big.resize(qianzhang_core::scan::MAX_SCAN_BYTES + 1, b' ');
    let big = env.write("大.pdf", &big);
    assert!(env.refused("LIM-1", &["voucher", "attach", r, "--scan", big.to_str().unwrap()]).contains("10 MiB"));

    // Posted, it takes no more scans.
    env.sign_and_post(&[r]);
    let jpg = env.write("照片.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F']);
    env.refused("VCH-5", &["voucher", "attach", r, "--scan", jpg.to_str().unwrap()]);
    env.ok(&["verify"]);
}

/// A scan taken out is never written over the store's file (a file store
/// only: a server's books have no path to write over).
#[test]
fn doc_1_a_scan_is_never_taken_out_over_the_store() {
    let env = common::on_sqlite(Env::with_office);
    let r = prepared(&env);
    let bytes = pdf();
    let sha = qianzhang_core::scan::sha256_hex(&bytes);
    let scan = env.write("发票扫描.pdf", &bytes);
    env.ok(&["voucher", "attach", r, "--scan", scan.to_str().unwrap()]);
    let before = std::fs::read(env.db()).unwrap();
    let db = env.db();
    let err = env.fails(1, &["voucher", "scan", r, &sha, "-o", db.to_str().unwrap()]);
    assert!(err.contains("就是账簿文件"), "{err}");
    assert_eq!(std::fs::read(env.db()).unwrap(), before);
}

#[test]
fn aud_2_a_scan_changed_in_the_store_is_caught() {
    let env = Env::with_office();
    let r = prepared(&env);
    let scan = env.write("发票.pdf", pdf());
    env.ok(&["voucher", "attach", r, "--scan", scan.to_str().unwrap(), "--doc", "类型=合同,金额=300,经办人=张伟"]);
    env.ok(&["verify"]);
    env.store.tamper_each(
        "UPDATE scans SET bytes = CAST('%PDF-1.4 forged' AS BLOB);",
        "UPDATE scans SET bytes = convert_to('%PDF-1.4 forged', 'UTF8');",
    );
    let err = env.fails(3, &["verify"]);
    assert!(err.contains("扫描件") && err.contains("被改动过"), "{err}");
}
