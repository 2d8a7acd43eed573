//! Batch commands (`voucher review|approve|confirm|post --all`): one
//! transaction, all or nothing, that says what it did. Every voucher is
//! tried, so that a refusal names each voucher that cannot go ahead and why,
//! not only the first; and the vouchers `--all` passed over are listed with
//! what they wait for.

use crate::books::Books;
use crate::lifecycle::Next;
use crate::rule::{Failure, Refusal, Refusals};
use crate::voucher::VoucherRef;

/// [VCH-4] applies `step` to each voucher in turn. The refusals of all of
/// them are collected, each naming its voucher (prefixed with the reference
/// unless the message already names it); any refusal refuses the whole
/// batch (the caller's transaction rolls back).
pub fn each_voucher<B: Books>(
    books: &mut B,
    refs: &[VoucherRef],
    mut step: impl FnMut(&mut B, VoucherRef) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut refused = Refusals { reasons: Vec::new(), unlisted: 0 };
    for r in refs {
        match step(books, *r) {
            Ok(()) => {}
            Err(Failure::Refused(rs)) => {
                let named = r.to_string();
                refused.reasons.extend(rs.reasons.into_iter().map(|x| {
                    if x.message.contains(&named) {
                        x
                    } else {
                        Refusal::new(x.rule, format!("{named}：{}", x.message))
                    }
                }));
                refused.unlisted += rs.unlisted;
            }
            Err(e) => return Err(e),
        }
    }
    if refused.reasons.is_empty() {
        Ok(())
    } else {
        Err(Failure::Refused(refused))
    }
}

/// What a voucher is waiting for, in Chinese: `待审批`, `待记账` …
pub fn waiting_for(next: Next) -> String {
    next.chinese().to_string()
}

/// Why `--all` passed a voucher over: `2025-02/记-0007 待审批，本次未记账`.
pub fn passed_over(reference: VoucherRef, next: Next, step: Next) -> String {
    format!("{reference} {}，本次未{}", waiting_for(next), waiting_for(step).trim_start_matches('待'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::SignKind;
    use crate::period::Period;

    #[test]
    fn vch_4_a_voucher_passed_over_says_what_it_waits_for() {
        let r = VoucherRef { period: Period::parse("2025-02").unwrap(), number: 7 };
        assert_eq!(passed_over(r, Next::Sign(SignKind::Approve), Next::Post), "2025-02/记-0007 待审批，本次未记账");
        assert_eq!(passed_over(r, Next::Post, Next::Sign(SignKind::Review)), "2025-02/记-0007 待记账，本次未审核");
    }
}
