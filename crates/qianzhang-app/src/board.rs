//! What goes on the notice board (财务公开, PUB-1..3): the disclosure by
//! month, quarter or year, the 居务监督委员会's review, the fixed-asset
//! register (AST-1) and budgets.

use crate::backend::Backend;
use qianzhang_core::collection::ResidentFund;
use qianzhang_core::disclosure::{
    dispose_asset, record_review, register_asset, set_budget, Asset, Disclosure, DisclosureInput, Review, Span,
};
use qianzhang_core::operator::Act;
use qianzhang_core::publication::{publish_disclosure, Publication};
use qianzhang_core::{Money, Period, Rule, Status, VoucherRef};

use crate::session::{Ledger, Session};
use crate::Error;

/// [PUB-1] the disclosure of `span`, published on `published`. A span whose
/// months are all closed prints the fingerprint taken at its last close;
/// a draft prints the fingerprint of the books as they are.
pub fn disclosure<B: Backend>(ledger: &Ledger<B>, span: Span, published: time::Date) -> Result<Disclosure, Error> {
    crate::reports::kept(ledger, Rule::Pub1, "财务收支公开表", span.first(), span.last())?;
    let (store, handle) = (ledger.store(), ledger.handle());
    let chart = store.chart(handle)?;
    let registry = store.registry(handle)?;
    let settings = store.settings(handle)?;
    let totals = store.period_totals(handle)?;
    let fund_totals = store.fund_totals(handle)?;
    let mut posted = Vec::new();
    store.each_voucher(handle, span.first(), span.last(), |v, s| {
        if s == Status::Posted {
            posted.push(v);
        }
        Ok(())
    })?;
    let mut vouchers = Vec::with_capacity(posted.len());
    for v in posted {
        let signatures = store.signatures(handle, v.reference())?;
        vouchers.push((v, signatures));
    }
    let mut closed = true;
    for p in span.periods() {
        closed &= store.is_closed(handle, p)?;
    }
    let fingerprint = match (closed, store.close_fingerprint(handle, span.last())?) {
        (true, Some(close)) => close.fingerprint.to_string(),
        _ => store.fingerprint(handle)?.fingerprint.to_string(),
    };
    let resident_funds = resident_funds(store, handle, span, &vouchers, &fund_totals)?;
    let budgets = match span {
        Span::Year { year } => store.budgets(handle, year)?,
        _ => Vec::new(),
    };
    // [STM-1] the year's disclosure carries the year's statements; a
    // month's poster (December's too) keeps to its month.
    let december = match span {
        Span::Year { year } => Period::new(year, 12),
        _ => None,
    };
    let mut disclosure = Disclosure::build(DisclosureInput {
        community: &handle.info.name,
        span,
        chart: &chart,
        registry: &registry,
        totals: &totals,
        vouchers,
        voided: store.voided(handle, span.first(), span.last())?,
        fund_totals: &fund_totals,
        reviews: store.reviews(handle)?,
        assets: store.assets(handle)?,
        budgets,
        closed,
        fingerprint,
        published,
        contact: settings.contact.clone(),
        mask_names: settings.mask_names,
        resident_funds,
    })?;
    if let Some(december) = december {
        disclosure.statements = Some(crate::reports::statements(ledger, december)?);
    }
    disclosure.public_url = settings.public_url;
    Ok(disclosure)
}

/// [FND-2] the sections of the funds raised from residents: the span's
/// collection, every use with the decision it cites, the balance.
fn resident_funds<B: Backend>(
    store: &B,
    handle: &qianzhang_core::backend::LedgerHandle,
    span: Span,
    vouchers: &[(qianzhang_core::Voucher, Vec<qianzhang_core::lifecycle::Signature>)],
    fund_totals: &[qianzhang_core::backend::FundTotalRow],
) -> Result<Vec<ResidentFund>, Error> {
    let (households, collections) = store.collection_register(handle)?;
    let funds: std::collections::BTreeSet<&str> = collections.iter().map(|c| c.fund.as_str()).collect();
    if funds.is_empty() {
        return Ok(Vec::new());
    }
    let authorizations = store.authorizations(handle)?;
    let uses: Vec<_> = vouchers
        .iter()
        .filter(|(v, _)| v.origin() != qianzhang_core::Origin::Closing)
        .map(|(v, _)| {
            let a = v.authorization().and_then(|n| {
                authorizations.iter().find(|u| u.authorization.number == n).map(|u| u.authorization.clone())
            });
            (v.clone(), a)
        })
        .collect();
    Ok(funds
        .into_iter()
        .map(|fund| {
            let balance = fund_totals
                .iter()
                .filter(|t| t.fund == fund && t.period <= span.last())
                .map(qianzhang_core::backend::FundTotalRow::held)
                .sum();
            ResidentFund::build(fund, &households, &collections, (span.first(), span.last()), &uses, balance)
        })
        .collect())
}

/// [PUB-1] the span of a disclosure as asked for: a month, a quarter or a year.
pub fn span(month: Option<Period>, quarter: Option<Span>, year: Option<i32>) -> Result<Span, Error> {
    match (month, quarter, year) {
        (Some(period), _, _) => Ok(Span::Month { period }),
        (_, Some(q), _) => Ok(q),
        (_, _, Some(year)) if Period::new(year, 1).is_some() => Ok(Span::Year { year }),
        (_, _, Some(year)) => Err(Error::refuse(Rule::Pub1, format!("年度 {year} 无效"))),
        _ => Err(Error::refuse(Rule::Pub1, "请指明公开的期间：--month YYYY-MM、--quarter YYYY-Qn 或 --year YYYY")),
    }
}

/// [OPR-1] a review is entered by the reviewer themself: checked against
/// the operator claimed before their passphrase is asked for, and again
/// against the one signed in.
pub fn check_reviewer(operator: Option<&str>, review: &Review) -> Result<(), Error> {
    if operator.is_some_and(|a| a.trim() != review.by) {
        return Err(Error::refuse(
            Rule::Opr1,
            format!("审核意见须由审核人 {} 本人录入（--as {}）", review.by, review.by),
        ));
    }
    Ok(())
}

/// [PUB-3] records the 居务监督委员会's review of a disclosure.
pub fn review<B: Backend>(session: &mut Session<B>, review: Review) -> Result<(), Error> {
    check_reviewer(Some(session.operator()), &review)?;
    let today = session.today();
    session.change(Act::Review, |w, _| record_review(w, review, today))
}

/// [PUB-1] records that the disclosure of a closed, reviewed month is
/// published on `date`. The accountant publishes (`Act::KeepBooks`): who
/// prepares the disclosure puts it up. Refused before the close, without a
/// review dated on or before `date`, before the month's end, and a second
/// time for the same close (after a reopen and a new close it is a
/// re-publication, recorded too).
pub fn publish<B: Backend>(session: &mut Session<B>, period: Period, date: time::Date) -> Result<Publication, Error> {
    let at = session.at();
    let today = session.today();
    let mut p = session.change(Act::KeepBooks, |w, who| publish_disclosure(w, period, date, who, today))?;
    p.at = at;
    Ok(p)
}

/// [PUB-1] every publication recorded, in order: the months the public
/// board shows.
pub fn published<B: Backend>(ledger: &Ledger<B>) -> Result<Vec<Publication>, Error> {
    Ok(ledger.store().publications(ledger.handle())?)
}

/// An asset as typed.
pub struct NewAsset {
    pub name: String,
    pub quantity: u32,
    pub value: Money,
    pub location: String,
    pub custodian: String,
    pub voucher: VoucherRef,
}

/// The acquisition date of a new asset: the one given, else its voucher's.
pub fn acquired<B: Backend>(
    ledger: &Ledger<B>,
    voucher: VoucherRef,
    date: Option<time::Date>,
) -> Result<time::Date, Error> {
    match date {
        Some(d) => Ok(d),
        None => ledger
            .store()
            .voucher(ledger.handle(), voucher)?
            .map(|(v, _)| v.date())
            .ok_or_else(|| Error::refuse(Rule::Ast1, format!("购置凭证 {voucher} 不存在"))),
    }
}

/// [AST-1] registers a fixed asset bought by a posted voucher.
pub fn register<B: Backend>(session: &mut Session<B>, new: NewAsset, acquired: time::Date) -> Result<Asset, Error> {
    let asset = Asset {
        id: 0,
        name: new.name.trim().to_string(),
        quantity: new.quantity,
        value: new.value,
        location: new.location.trim().to_string(),
        custodian: new.custodian.trim().to_string(),
        voucher: new.voucher,
        acquired,
        disposed: None,
        disposal_reason: None,
    };
    session.change(Act::KeepBooks, |w, _| register_asset(w, asset))
}

/// Where an asset stands on a day.
pub enum AssetState {
    InUse,
    NotYetAcquired,
    Disposed { on: time::Date, reason: String },
}

/// The register on `date`: every asset with its state, and the original
/// value of those in use.
pub fn register_on<B: Backend>(
    ledger: &Ledger<B>,
    date: time::Date,
) -> Result<(Vec<(Asset, AssetState)>, Money), Error> {
    let mut total = Money::ZERO;
    let mut rows = Vec::new();
    for a in ledger.store().assets(ledger.handle())? {
        let state = match (&a.disposed, &a.disposal_reason) {
            (Some(d), reason) if *d <= date => {
                AssetState::Disposed { on: *d, reason: reason.clone().unwrap_or_default() }
            }
            _ if a.acquired > date => AssetState::NotYetAcquired,
            _ => {
                total += a.value;
                AssetState::InUse
            }
        };
        rows.push((a, state));
    }
    Ok((rows, total))
}

/// An asset's number as typed: `ZC-0001` or `1`.
pub fn asset_id(text: &str) -> Result<u32, Error> {
    let t = text.trim().trim_start_matches("ZC-").trim_start_matches("zc-");
    t.parse().map_err(|_| Error::refuse(Rule::Ast1, format!("“{text}”不是资产编号，应写作 ZC-0001 或 1")))
}

/// Takes an asset off the register from `date` (else today).
pub fn dispose<B: Backend>(
    session: &mut Session<B>,
    id: u32,
    date: Option<time::Date>,
    reason: &str,
) -> Result<(), Error> {
    let date = date.unwrap_or(session.today());
    session.change(Act::KeepBooks, |w, _| dispose_asset(w, id, date, reason))
}

/// Sets an account's budget for a year.
pub fn set_budget_of<B: Backend>(
    session: &mut Session<B>,
    year: i32,
    account: &str,
    amount: Money,
) -> Result<(), Error> {
    session.change(Act::KeepBooks, |w, _| set_budget(w, year, account.trim(), amount))
}

/// The budgets of a year: account, its full name, amount.
pub fn budgets<B: Backend>(ledger: &Ledger<B>, year: i32) -> Result<Vec<(String, String, Money)>, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    Ok(ledger
        .store()
        .budgets(ledger.handle(), year)?
        .into_iter()
        .map(|qianzhang_core::backend::AccountBudget { account, amount }| {
            let name = chart.full_name(&account);
            (account, name, amount)
        })
        .collect())
}
