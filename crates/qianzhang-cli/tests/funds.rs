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
}
