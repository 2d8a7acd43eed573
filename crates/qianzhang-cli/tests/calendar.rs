//! The ledger's holiday calendar: PER-1's last business day and CSH-5's
//! deposit deadline follow the State Council's notices and the ledger's own
//! amendments (`settings holiday|workday add|list`).

mod common;

use common::*;

/// [PER-1] January 2025 ends in the Spring Festival holiday (1-28 to 2-4):
/// the cash to count is that of Monday 1-27; a local day off the ledger
/// records moves it to the make-up Sunday 1-26, then to Friday 1-24. The amendment is logged, listed and
/// verified.
#[test]
fn per_1_last_business_day_follows_the_notice_and_the_ledger() {
    let env = january();
    env.set_now("2025-02-05T09:00:00+08:00");
    let err = env.refused("PER-1", &["period", "close", "2025-01"]);
    assert!(err.contains("[CSH-2] 没有 2025-01-27（本月最后一个工作日）"), "{err}");
    let out = env.admin(&["settings", "holiday", "add", "2025-01-27", "本地补休"]);
    assert!(out.contains("已将 2025-01-27 定为放假日（本地补休）"), "{out}");
    // Sunday 1-26 is a make-up working day (调休上班) of the notice.
    let err = env.refused("PER-1", &["period", "close", "2025-01"]);
    assert!(err.contains("[CSH-2] 没有 2025-01-26（本月最后一个工作日）"), "{err}");
    env.admin(&["settings", "holiday", "add", "2025-01-26", "本地补休"]);
    let err = env.refused("PER-1", &["period", "close", "2025-01"]);
    assert!(err.contains("[CSH-2] 没有 2025-01-24（本月最后一个工作日）"), "{err}");
    let list = env.ok(&["settings", "holiday", "list", "2025"]);
    for line in ["2025-01-28", "春节", "国务院办公厅通知", "本地补休", "本账套", "2025-10-11", "上班"]
    {
        assert!(list.contains(line), "{line} missing in:\n{list}");
    }
    let out = env.admin(&["settings", "workday", "add", "2025-01-25"]);
    assert!(out.contains("定为上班日（调休上班）"), "{out}");
    let err = env.refused("PER-1", &["period", "close", "2025-01"]);
    assert!(err.contains("[CSH-2] 没有 2025-01-25（本月最后一个工作日）"), "{err}");
    env.ok(&["verify"]);
    let log = env.ok(&["log"]);
    assert!(log.contains("将 2025-01-27 定为放假日（本地补休）"), "{log}");
    // Only the admin keeps the calendar; a year not built in says so.
    env.refused("OPR-1", &["--as", "王芳", "settings", "holiday", "add", "2025-03-03"]);
    let list = env.ok(&["settings", "holiday", "list", "2031"]);
    assert!(list.contains("未内置"), "{list}");
}

/// [CSH-5] cash received on Thursday 2025-04-03 is due at the bank on
/// Monday 4-07: Friday 4-04 is 清明节. The cash-count sheet says so, and
/// calls it overdue only from 4-08.
#[test]
fn csh_5_the_deposit_deadline_skips_qingming() {
    let env = Env::with_office().at("2025-04-10T18:00:00+08:00");
    env.ok(&[
        "--as",
        "王芳",
        "receipt",
        "issue",
        "--book",
        "SJ",
        "--payer",
        "居民甲",
        "--amount",
        "200",
        "--date",
        "2025-04-03",
    ]);
    env.ok(&[
        "voucher",
        "add",
        "--date",
        "2025-04-03",
        "--summary",
        "收场地费",
        "--debit",
        "1001=200",
        "--credit",
        "4901=200",
        "--doc",
        "类型=收据,号码=SJ0000101,金额=200,经办人=王芳",
    ]);
    env.sign_and_post(&["2025-04/记-0001"]);
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-04-07"]);
    assert!(sheet.contains("2025-04-03 收入，应于 2025-04-07 前送存银行；不得坐支"), "{sheet}");
    let sheet = env.ok(&["report", "cash-count", "--date", "2025-04-08"]);
    assert!(sheet.contains("应于 2025-04-07 前送存银行，已逾期"), "{sheet}");
}
