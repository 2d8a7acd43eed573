//! Helpers the core tests share: the day they act on, a standing
//! resolution, a ready-made expense draft, a recorded voucher of any
//! lines, and posting with every signature in place.

use time::macros::date;
use time::Date;

use crate::account::Chart;
use crate::approval::{AuthKind, Authorization};
use crate::books::LedgerInfo;
use crate::entry::post_voucher;
use crate::funds::Fund;
use crate::lifecycle::Signature;
use crate::memory::MemoryBooks;
use crate::money::Money;
use crate::period::Period;
use crate::rule::{Failure, Rule};
use crate::voucher::{Document, Draft, Line, Origin, Side, Voucher, VoucherRef};

/// The day the tests act on: after every voucher they enter.
pub(crate) const TODAY: Date = date!(2025 - 12 - 31);

/// Posts with every required signature in place (the signing rules are
/// tested in `lifecycle`).
pub(crate) fn post(b: &mut MemoryBooks, r: VoucherRef) -> Result<(), Failure> {
    if let Some((v, _)) = b.vouchers.get(&r) {
        let signatures = crate::lifecycle::required(&b.chart, v)
            .into_iter()
            .map(|kind| Signature {
                kind,
                person: "签字人".into(),
                appointment_from: date!(2025 - 01 - 01),
                at: "t".into(),
                resolution: None,
            })
            .collect();
        b.signed.insert(r, signatures);
    }
    post_voucher(b, r, "赵敏", date!(2025 - 03 - 31))
}

/// A resolution every test expense may cite.
pub(crate) const STANDING: &str = "两委决议〔2025〕1号";

pub(crate) fn draft(date: Date, fen: i64) -> Draft {
    let line = |account: &str, side| Line {
        summary: "办公用品".into(),
        account: account.into(),
        side,
        amount: Money::from_fen(fen),
        fund: None,
        counterparty: None,
    };
    Draft {
        date,
        lines: vec![line("5201", Side::Debit), line("1001", Side::Credit)],
        documents: vec![Document {
            doc_type: "计算表".into(),
            issuer: None,
            number: None,
            amount: Some(Money::from_fen(fen)),
            handler: Some("张伟".into()),
            checker: None,
            date: None,
        }],
        authorization: Some(STANDING.into()),
        reverses: None,
        source_ref: None,
    }
}

pub(crate) fn rule_of<T: std::fmt::Debug>(r: Result<T, Failure>) -> Rule {
    match r {
        Err(Failure::Refused(r)) => r.first_rule(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

impl MemoryBooks {
    /// The books most tests start from: the default chart, cash and bank
    /// holding plenty, three restricted funds, June 2024 closed and the
    /// standing resolution [`STANDING`] recorded.
    pub(crate) fn fixture() -> MemoryBooks {
        let mut books =
            MemoryBooks::new(LedgerInfo { name: "测试".into(), start: Period::parse("2025-01").unwrap() });
        books.chart = Chart::from_accounts(Chart::default_chart());
        books.opening_cash = Money::from_fen(100_000_000_000);
        books.funds = ["低保", "救灾", "楼道维修基金"].map(|name| Fund { name: name.into(), restricted: true }).into();
        books.closed.push(Period::parse("2024-06").unwrap());
        let standing = Authorization {
            number: STANDING.into(),
            kind: AuthKind::Resolution,
            date: date!(2024 - 01 - 01),
            scope: "日常办公".into(),
            cap: Money::from_fen(10_000_000_000),
            stand_aside: None,
            decision: None,
        };
        books.authorizations.insert(STANDING.into(), standing);
        books
    }
}

/// Voucher `n` of its month, entered on `date` with one 发票 and the
/// lines given as (account, side, fen), each summarised 摘要.
pub(crate) fn voucher(n: u32, date: Date, lines: &[(&str, Side, i64)]) -> Voucher {
    let lines = lines
        .iter()
        .map(|&(a, side, fen)| Line {
            summary: "摘要".into(),
            account: a.into(),
            side,
            amount: Money::from_fen(fen),
            fund: None,
            counterparty: None,
        })
        .collect();
    let documents = vec![Document {
        doc_type: "发票".into(),
        issuer: None,
        number: None,
        amount: None,
        handler: None,
        checker: None,
        date: None,
    }];
    let draft = Draft { date, lines, documents, authorization: None, reverses: None, source_ref: None };
    Voucher::accepted(VoucherRef { period: Period::of(date), number: n }, draft, Origin::Entered, "赵敏")
}
