//! Special funds (FND-1): spending from a fund never exceeds what it holds.

mod common;

use common::Env;

fn relief(env: &Env, summary: &str, debit: &str, credit: &str, doc: &str, amount: &str) {
    let file = env.write(
        &format!("{summary}.toml"),
        format!(
            "date = \"2025-03-05\"\nauthorization = \"两委决议〔2025〕3号\"\n[[documents]]\ndoc_type = \"{doc}\"\namount = \"{amount}\"\nhandler = \"王芳\"\n\
             [[lines]]\nsummary = \"{summary}\"\naccount = \"{debit}\"\ndebit = \"{amount}\"\nfund = \"救灾\"\n\
             [[lines]]\nsummary = \"{summary}\"\naccount = \"{credit}\"\ncredit = \"{amount}\"\nfund = \"救灾\"\n"
        ),
    );
    env.ok(&["voucher", "add", "--file", file.to_str().unwrap()]);
}

#[test]
fn fnd_1_a_fund_is_not_overspent() {
    let env = Env::with_office();
    let file = env.write(
        "undeclared.toml",
        "date = \"2025-03-05\"\n[[lines]]\nsummary = \"x\"\naccount = \"1002\"\ndebit = \"1\"\nfund = \"救灾\"\n\
         [[lines]]\nsummary = \"x\"\naccount = \"4901\"\ncredit = \"1\"\nfund = \"救灾\"\n",
    );
    let err = env.refused("FND-1", &["voucher", "add", "--file", file.to_str().unwrap()]);
    assert!(err.contains("“救灾”未设立"), "{err}");
    env.admin(&["fund", "add", "救灾", "--kind", "restricted"]);
    env.refused("FND-1", &["--as", "管理员", "fund", "add", "救灾", "--kind", "unrestricted"]);
    relief(&env, "救灾物资", "5401", "1002", "发放表", "500");
    env.ok(&["--as", "刘洋", "voucher", "review", "2025-03/记-0001"]);
    env.ok(&["--as", "李明", "voucher", "approve", "2025-03/记-0001"]);
    env.ok(&["--as", "王芳", "voucher", "confirm", "2025-03/记-0001"]);
    let err = env.refused("FND-1", &["voucher", "post", "2025-03/记-0001"]);
    assert!(err.contains("专项资金“救灾”结余 ¥0.00") && err.contains("超出结余 ¥500.00"), "{err}");
    relief(&env, "收到救灾拨款", "1002", "4901", "银行回单", "800");
    env.sign_and_post(&["2025-03/记-0002"]);
    env.ok(&["voucher", "post", "2025-03/记-0001"]);
    let funds = env.ok(&["report", "funds", "--format", "csv"]);
    assert!(funds.contains("救灾,0.00,800.00,500.00,300.00"), "{funds}");
    let list = env.ok(&["fund", "list"]);
    assert!(list.contains("救灾") && list.contains("限定性") && list.contains("300.00"), "{list}");
    // Every report cuts by fund: only the fund's lines count.
    let tb = env.ok(&["report", "trial-balance", "--fund", "救灾", "--format", "csv"]);
    assert!(tb.contains("1002,银行存款,1,0.00,800.00,500.00,300.00"), "{tb}");
    assert!(!tb.contains("1001,"), "cash has no line of the fund: {tb}");
    let journal = env.ok(&["report", "journal", "--fund", "救灾", "--month", "2025-03"]);
    assert!(journal.contains("救灾物资") && journal.contains("收到救灾拨款"), "{journal}");
    let bank = env.ok(&["report", "bank-journal", "--fund", "救灾", "--month", "2025-03", "--format", "csv"]);
    assert!(bank.contains("300.00"), "{bank}");
    env.fails(1, &["report", "journal", "--fund", "不存在的资金"]);
}
