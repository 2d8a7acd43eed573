//! Authorizations, the threshold and suspected splits through the CLI
//! (APR-2, APR-3, APR-4).

mod common;

use common::Env;

static INVOICES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// A bank-paid expense dated 2025-03-05 on an invoice of its own, citing `authorization`.
fn expense(amount: &str, authorization: &str) -> Vec<String> {
    let invoice = format!("{:08}", INVOICES.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let debit = format!("520101={amount}");
    let credit = format!("1002={amount}");
    [
        "voucher",
        "add",
        "--date",
        "2025-03-05",
        "--summary",
        "办公用品",
        "--debit",
        &debit,
        "--credit",
        &credit,
        "--authorization",
        authorization,
        "--doc-type",
        "发票",
        "--doc-no",
        &invoice,
        "--doc-amount",
        amount,
        "--handler",
        "张伟",
        "--checker",
        "李娜",
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

fn run(env: &Env, args: &[String]) -> String {
    env.ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn approve_refused(env: &Env, reference: &str) -> String {
    env.ok(&["--as", "刘洋", "voucher", "review", reference]);
    env.refused("APR-2", &["--as", "李明", "voucher", "approve", reference])
}

#[test]
fn apr_2_below_the_threshold_a_resolution_decides() {
    let env = Env::with_office();
    run(&env, &expense("999.99", "街道批复〔2025〕9号"));
    let err = approve_refused(&env, "2025-03/记-0001");
    assert!(err.contains("不足 ¥1,000.00，由社区两委会议决议审批"), "{err}");
}

#[test]
fn apr_2_from_the_threshold_up_a_government_approval() {
    let env = Env::with_office();
    run(&env, &expense("1000", "两委决议〔2025〕1号"));
    let err = approve_refused(&env, "2025-03/记-0001");
    assert!(err.contains("支出 ¥1,000.00 达到 ¥1,000.00，须街道/镇政府批复"), "{err}");
}

#[test]
fn apr_2_unrecorded_late_or_over_the_cap() {
    let env = Env::with_office();
    run(&env, &expense("10", "两委决议〔2025〕99号"));
    assert!(approve_refused(&env, "2025-03/记-0001").contains("尚未登记"));
    run(&env, &expense("10", "街道批复〔2025〕12号"));
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0002"]);
    env.refused("APR-2", &["--as", "李明", "voucher", "approve", "2025-03/记-0002"]);
    run(&env, &expense("601", "两委决议〔2025〕2号"));
    let err = approve_refused(&env, "2025-03/记-0003");
    assert!(err.contains("限额 ¥600.00") && err.contains("超出限额"), "{err}");
    run(&env, &expense("1800", "街道批复〔2025〕9号"));
    run(&env, &expense("1800", "街道批复〔2025〕9号"));
    env.sign_and_post(&["2025-03/记-0004"]);
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0005"]);
    let err = env.refused("APR-2", &["--as", "李明", "voucher", "approve", "2025-03/记-0005"]);
    assert!(err.contains("限额 ¥3,300.00，已支出 ¥1,800.00"), "the first posting counts against the cap: {err}");
    let list = env.ok(&["auth", "list"]);
    assert!(
        list.lines().any(|l| l.contains("街道批复〔2025〕9号") && l.contains("1,800.00") && l.contains("1,500.00")),
        "{list}"
    );
}

#[test]
fn apr_2_authorizations_are_recorded_once_by_an_admin() {
    let env = Env::with_office();
    let add = ["auth", "add", "--kind", "resolution", "--number", "两委决议〔2025〕1号", "--date", "2025-01-01"];
    let err = env.refused("APR-2", &[&["--as", "管理员"][..], &add[..], &["--scope", "x", "--cap", "1"]].concat());
    assert!(err.contains("已经登记过"), "{err}");
    env.refused("OPR-1", &[&add[..], &["--scope", "x", "--cap", "1"]].concat());
}

#[test]
fn apr_4_the_threshold_is_a_setting_changed_by_an_admin() {
    let env = Env::with_office();
    assert!(env.ok(&["settings"]).lines().any(|l| l.split_whitespace().take(2).eq(["threshold", "1000.00"])));
    env.refused("OPR-1", &["settings", "set", "threshold", "2000"]);
    env.refused("APR-4", &["--as", "管理员", "settings", "set", "threshold", "0"]);
    env.refused("APR-4", &["--as", "管理员", "settings", "set", "colour", "red"]);
    env.admin(&["settings", "set", "threshold", "2,000"]);
    assert!(env.ok(&["settings"]).lines().any(|l| l.split_whitespace().take(2).eq(["threshold", "2000.00"])));
    run(&env, &expense("1500", "两委决议〔2025〕1号"));
    env.sign_and_post(&["2025-03/记-0001"]);
    assert!(env.ok(&["log", "--limit", "50"]).contains("设置 审批限额"));
}

#[test]
fn apr_3_suspected_splits_are_listed() {
    let env = Env::with_office();
    for (day, amount) in [("2025-03-03", "600"), ("2025-03-06", "500"), ("2025-03-25", "300")] {
        env.ok(&[
            "voucher",
            "add",
            "--date",
            day,
            "--summary",
            "购买文具",
            "--debit",
            &format!("520101={amount}"),
            "--credit",
            &format!("1002={amount}"),
            "--authorization",
            "两委决议〔2025〕1号",
            "--doc-type",
            "发票",
            "--doc-no",
            day,
            "--doc-amount",
            amount,
            "--handler",
            "张伟",
            "--checker",
            "李娜",
        ]);
    }
    let out = env.ok(&["check", "splits"]);
    assert!(out.contains("2025-03/记-0001、2025-03/记-0002") && out.contains("1,100.00"), "{out}");
    assert!(!out.contains("记-0003"), "{out}");
    env.admin(&["settings", "set", "split-window", "2"]);
    assert!(env.ok(&["check", "splits"]).contains("共 0 组"));
}

/// ¥1,500 advanced to 张伟 and settled with a ¥1,620 invoice (¥120 paid
/// more): the authorization has spent ¥1,620.00, not ¥3,120.00.
#[test]
fn apr_2_an_advance_and_its_settlement_count_once() {
    let env = Env::with_office();
    env.admin(&[
        "auth",
        "add",
        "--kind",
        "government",
        "--number",
        "街道批复〔2025〕30号",
        "--date",
        "2025-03-01",
        "--scope",
        "文艺汇演",
        "--cap",
        "1700",
    ]);
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-03-03",
        "--summary",
        "张伟借支汇演费用",
        "--debit",
        "112201=1500",
        "--credit",
        "1001=1500",
        "--authorization",
        "街道批复〔2025〕30号",
        "--doc-type",
        "借款单",
        "--doc-no",
        "JK-2025-030",
        "--doc-amount",
        "1500",
        "--handler",
        "张伟",
    ]);
    env.sign_and_post(&["2025-03/记-0001"]);
    let file = env.write(
        "settle.toml",
        "date = \"2025-03-10\"\nauthorization = \"街道批复〔2025〕30号\"\n[[documents]]\ndoc_type = \"发票\"\nnumber = \"03100777\"\namount = \"1620\"\nhandler = \"张伟\"\nchecker = \"李娜\"\n[[lines]]\nsummary = \"张伟报销汇演费用\"\naccount = \"510101\"\ndebit = \"1620\"\n[[lines]]\nsummary = \"张伟报销汇演费用\"\naccount = \"112201\"\ncredit = \"1500\"\n[[lines]]\nsummary = \"补付张伟\"\naccount = \"1001\"\ncredit = \"120\"\n",
    );
    env.ok(&["voucher", "add", "--file", file.to_str().unwrap()]);
    // Counted twice, ¥3,120 would exceed the ¥1,700 cap.
    env.sign_and_post(&["2025-03/记-0002"]);
    let list = env.ok(&["auth", "list"]);
    let line = list.lines().find(|l| l.contains("街道批复〔2025〕30号")).unwrap_or_default();
    assert!(line.contains("1,620.00") && line.contains("80.00") && !line.contains("3,120.00"), "{list}");
}

/// [VCH-4] approving a voucher that is no expense or payment is a refusal
/// naming the rule, logged under the approver, not a silent "nothing to do".
#[test]
fn vch_4_approving_a_non_expense_is_a_logged_refusal() {
    let env = common::january();
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-01/记-0002"]);
    let err = env.refused("VCH-4", &["--as", "李明", "voucher", "approve", "2025-01/记-0002"]);
    assert!(err.contains("不是支出或付款，不需要审批"), "{err}");
    let log = env.ok(&["log", "--limit", "1"]);
    assert!(log.contains("李明") && log.contains("[VCH-4]"), "{log}");
}

/// [APR-2] a voucher prepared without the authorization its expense needs
/// is prepared, and told at once what approval will refuse; one citing a
/// recorded authorization of the right kind is not.
#[test]
fn apr_2_a_voucher_without_its_authorization_is_told_so_when_prepared() {
    let env = Env::with_office();
    let add = |amount: &str, authorization: Option<&str>| {
        let mut args = expense(amount, authorization.unwrap_or_default());
        if authorization.is_none() {
            let at = args.iter().position(|a| a == "--authorization").expect("cited");
            args.drain(at..at + 2);
        }
        run(&env, &args)
    };
    let out = add("100", None);
    assert!(out.contains("已制单") && out.contains("审批时将被拒绝") && out.contains("[APR-2]"), "{out}");
    assert!(out.contains("须注明审批依据"), "{out}");
    let out = add("100", Some("两委决议〔2099〕9号"));
    assert!(out.contains("[APR-2]") && out.contains("尚未登记"), "{out}");
    let out = add("100", Some("两委决议〔2025〕1号"));
    assert!(out.contains("已制单") && !out.contains("审批时将被拒绝"), "{out}");
    // At the threshold a resolution is not enough: the street's approval is.
    let out = add("1500", Some("两委决议〔2025〕1号"));
    assert!(out.contains("已制单") && out.contains("[APR-2]"), "{out}");
}
