//! Original documents through the CLI: no 白条 (DOC-1..DOC-4).

mod common;

use common::Env;

const HEADER: &str = "日期,凭证号,摘要,科目,借方,贷方,单据类型,开票单位,单据号,单据金额,经办人,验收人,审批依据\n";

fn voucher(env: &Env, name: &str, doc: &str, amount: &str) -> String {
    let body = format!(
        "2025-03-05,1,购买办公用品,520101,{amount},,{doc},两委决议〔2025〕1号\n2025-03-05,1,购买办公用品,1002,,{amount},,,,,,,\n"
    );
    env.write(name, format!("{HEADER}{body}")).to_string_lossy().into_owned()
}

#[test]
fn doc_1_an_iou_is_no_document() {
    let env = Env::with_office();
    let file = voucher(&env, "iou.csv", "白条,,,300,张伟,李娜", "300");
    let err = env.refused("DOC-1", &["import", &file]);
    assert!(err.contains("白条不是合法的原始凭证"), "{err}");
    let file = voucher(&env, "approval.csv", "两委决议,,,300,张伟,李娜", "300");
    assert!(env.refused("DOC-1", &["import", &file]).contains("是审批文件"));
}

#[test]
fn doc_1_a_voucher_without_documents_is_not_reviewed() {
    let env = Env::with_office();
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-05",
        "--summary",
        "购买办公用品",
        "--debit",
        "520101=50",
        "--credit",
        "1002=50",
        "--authorization",
        "两委决议〔2025〕1号",
    ]);
    let err = env.refused("DOC-1", &["--as", "刘洋", "voucher", "review", "2025-03/记-0001"]);
    assert!(err.contains("没有附原始凭证"), "{err}");
}

#[test]
fn doc_2_an_invoice_is_reimbursed_once() {
    let env = Env::with_office();
    env.ok(&["import", &voucher(&env, "a.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300")]);
    let err = env.refused(
        "DOC-2",
        &["import", &voucher(&env, "b.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300.00")],
    );
    assert!(err.contains("已经是凭证 2025-03/记-0001 的附件"), "{err}");
}

#[test]
fn doc_2_an_invoice_is_the_same_whatever_issuer_is_typed() {
    let env = Env::with_office();
    env.ok(&["import", &voucher(&env, "a.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300")]);
    let typo = voucher(&env, "typo.csv", "发票,惠民文具,044001900111 04418822,300,张伟,李娜", "300");
    assert!(env.refused("DOC-2", &["import", &typo]).contains("记-0001"));
    let omitted = voucher(&env, "omitted.csv", "发票,,044001900111-04418822,300,张伟,李娜", "300");
    env.refused("DOC-2", &["import", &omitted]);
    let flags = [
        "voucher",
        "add",
        "--date",
        "2025-03-06",
        "--summary",
        "再次报销",
        "--debit",
        "520101=300",
        "--credit",
        "1002=300",
        "--authorization",
        "两委决议〔2025〕1号",
        "--doc-type",
        "发票",
        "--doc-no",
        "044001900111-04418822",
        "--doc-amount",
        "300",
        "--handler",
        "张伟",
        "--checker",
        "李娜",
    ];
    env.refused("DOC-2", &flags);
    // A 数电发票 is its 20-digit number alone.
    env.ok(&["import", &voucher(&env, "e.csv", "发票,某公司,25442000000012345678,300,张伟,李娜", "300")]);
    env.refused("DOC-2", &["import", &voucher(&env, "e2.csv", "发票,,25442000000012345678,300,张伟,李娜", "300")]);
    env.ok(&["verify"]);
}

#[test]
fn doc_2_a_voided_voucher_releases_its_invoice() {
    let env = Env::with_office();
    env.ok(&["import", &voucher(&env, "a.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300")]);
    env.ok(&["voucher", "void", "2025-03/记-0001", "--reason", "科目录错"]);
    env.ok(&["import", &voucher(&env, "b.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300.00")]);
    let again = voucher(&env, "c.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300.0");
    assert!(env.refused("DOC-2", &["import", &again]).contains("记-0002"));
    env.ok(&["verify"]);
}

#[test]
fn doc_2_a_reversed_voucher_s_invoice_is_cited_once_by_the_correction() {
    let env = Env::with_office();
    env.ok(&["import", &voucher(&env, "a.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300")]);
    env.sign_and_post(&["2025-03/记-0001"]);
    env.ok(&["voucher", "reverse", "2025-03/记-0001", "--date", "2025-03-06"]);
    let correction = voucher(&env, "b.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300.00");
    env.refused("DOC-2", &["import", &correction]);
    env.sign_and_post(&["2025-03/记-0002"]);
    env.ok(&["import", &correction]);
    let second = voucher(&env, "c.csv", "发票,惠民文具店,044001900111-04418822,300,张伟,李娜", "300.0");
    assert!(env.refused("DOC-2", &["import", &second]).contains("记-0003"));
    env.ok(&["verify"]);
}

#[test]
fn doc_3_documents_cover_the_amount_paid() {
    let env = Env::with_office();
    env.ok(&["import", &voucher(&env, "short.csv", "发票,惠民文具店,1,299.99,张伟,李娜", "300")]);
    let err = env.refused("DOC-3", &["--as", "刘洋", "voucher", "review", "2025-03/记-0001"]);
    assert!(err.contains("支出 ¥300.00，所附单据合计只有 ¥299.99"), "{err}");
}

#[test]
fn doc_4_goods_name_a_checker_other_than_the_handler() {
    let env = Env::with_office();
    let err = env.refused("DOC-4", &["import", &voucher(&env, "a.csv", "发票,惠民文具店,1,300,张伟,", "300")]);
    assert!(err.contains("须写明验收人"), "{err}");
    let err = env.refused("DOC-4", &["import", &voucher(&env, "b.csv", "发票,惠民文具店,1,300,张伟,张伟", "300")]);
    assert!(err.contains("经办人和验收人都是张伟"), "{err}");
}

#[test]
fn vch_4_attaching_a_document_clears_the_signatures() {
    let env = Env::with_office();
    env.ok(&["import", &voucher(&env, "a.csv", "发票,惠民文具店,77,200,张伟,李娜", "300")]);
    let r = "2025-03/记-0001";
    env.refused("DOC-3", &["--as", "刘洋", "voucher", "review", r]);
    let attach = ["voucher", "attach", r, "--doc-type", "发票", "--issuer", "惠民文具店", "--doc-no", "78"];
    let rest = ["--doc-amount", "100", "--handler", "张伟", "--checker", "李娜", "--doc-date", "2025-03-05"];
    env.ok(&[&attach[..], &rest].concat());
    env.ok(&["--as", "刘洋", "voucher", "review", r]);
    env.refused("LIM-1", &["voucher", "attach", r, "--doc-type", "收据", "--doc-amount", "1", "--handler", "张伟"]);
    let show = env.ok(&["voucher", "show", r]);
    assert!(show.contains("审核：刘洋") && show.matches("附单据：发票").count() == 2, "{show}");

    env.ok(&["import", &voucher(&env, "b.csv", "发票,别家,1,300,张伟,李娜", "300")]);
    let b = "2025-03/记-0002";
    env.ok(&["--as", "刘洋", "voucher", "review", b]);
    let dup = ["voucher", "attach", b, "--doc-type", "发票", "--issuer", "惠民文具店", "--doc-no", "77"];
    env.refused("DOC-2", &[&dup[..], &["--doc-amount", "1", "--handler", "张伟", "--checker", "李娜"]].concat());
    env.ok(&["voucher", "attach", b, "--doc-type", "合同", "--doc-amount", "300", "--handler", "张伟"]);
    assert!(!env.ok(&["voucher", "show", b]).contains("审核："), "editing a prepared voucher clears its signatures");
    env.ok(&["verify"]);
}

#[test]
fn doc_2_an_older_store_has_its_document_index_rebuilt() {
    // A SQLite file of an older schema: the downgrade is the file format's own.
    let env = common::on_sqlite(Env::with_office);
    env.ok(&["import", &voucher(&env, "a.csv", "发票,惠民文具店,044001900111-1,300,张伟,李娜", "300")]);
    env.ok(&["voucher", "void", "2025-03/记-0001", "--reason", "科目录错"]);
    env.ok(&["import", &voucher(&env, "b.csv", "发票,惠民文具店,044001900111-2,300,张伟,李娜", "300")]);
    // As a store of schema 7 held them: keyed with the issuer, the voided
    // voucher's kept; the later migrations' changes undone.
    env.sql(
        "ALTER TABLE vouchers DROP COLUMN moved; DROP TABLE statement_reach; DROP TABLE templates; DROP TABLE openings; \
         DROP TABLE turnover; ALTER TABLE people DROP COLUMN reset; DELETE FROM documents; DROP TABLE statement_totals; \
         DROP TABLE calendar_days; DROP TABLE households; DROP TABLE collections; \
         ALTER TABLE authorizations DROP COLUMN decision; \
         INSERT INTO documents SELECT id, '发票', '惠民文具店', '044001900111-1', 202503, 1, 1 FROM ledgers; \
         INSERT INTO documents SELECT id, '发票', '惠民文具店', '044001900111-2', 202503, 2, 1 FROM ledgers; \
         DROP TABLE publications; DROP TABLE voucher_scans; DROP TABLE scans; PRAGMA user_version = 7;",
    );
    env.ok(&["verify"]);
    env.ok(&["import", &voucher(&env, "c.csv", "发票,,044001900111-1,300,张伟,李娜", "300")]);
    env.refused("DOC-2", &["import", &voucher(&env, "d.csv", "发票,,044001900111-2,300,张伟,李娜", "300")]);
}

/// [DOC-1, DOC-3] a voucher prepared without its documents, or with too
/// few, is prepared, and told at once what review will refuse; a complete
/// one is not.
#[test]
fn doc_1_a_voucher_without_its_documents_is_told_so_when_prepared() {
    let env = Env::with_office();
    let bare = [
        "voucher",
        "add",
        "--date",
        "2025-01-10",
        "--summary",
        "办公用品",
        "--debit",
        "520101=100",
        "--credit",
        "1001=100",
    ];
    let out = env.ok(&bare);
    assert!(out.contains("已制单") && out.contains("审核前须补齐") && out.contains("[DOC-1]"), "{out}");
    let short = [&bare[..], &["--doc-type", "收据", "--doc-amount", "60", "--handler", "张伟"]].concat();
    let out = env.ok(&short);
    assert!(out.contains("[DOC-3]") && out.contains("60.00"), "{out}");
    let whole = [&bare[..], &["--doc-type", "收据", "--doc-amount", "100", "--handler", "张伟"]].concat();
    let out = env.ok(&whole);
    assert!(out.contains("已制单") && !out.contains("审核前须补齐"), "{out}");
}
