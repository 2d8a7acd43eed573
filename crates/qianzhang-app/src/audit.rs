//! What the auditor runs: the exceptions of a span (AUD-1..3), one
//! person's trail, and the handover when an officer leaves (HND-1).

use crate::backend::Backend;
use qianzhang_core::audit::{exceptions, Act as Trail, AuditInput, Exception};
use qianzhang_core::bank::{bank_accounts, reconcile_at};
use qianzhang_core::handover::{complete_handover, Handover, HandoverInput, ReceiptBookState};
use qianzhang_core::operator::Act;
use qianzhang_core::people::Role;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::receipts::{outstanding_advances, ReceiptState};
use qianzhang_core::report::TrialBalance;
use qianzhang_core::{Event, Money, Period, Rule, Status};

use crate::backend::as_period_totals;
use crate::session::{Ledger, Session};
use crate::Error;
use qianzhang_core::backend::PeriodTotalRow;

/// A day (`2025-03-15`, `2025年3月15日`, …) or a month (`2025-03`,
/// `2025年3月`, …): a month stands for its first day (`first`) or its last.
pub fn day_or_month(text: &str, first: bool) -> Result<time::Date, Error> {
    use qianzhang_core::period::PeriodError;
    match parse_date(text) {
        Ok(d) => return Ok(d),
        // Written as a date, but not on the calendar or out of range: say so.
        Err(e @ (PeriodError::NoSuchDate { .. } | PeriodError::OutOfRange(_))) => {
            return Err(Error::Usage(e.to_string()))
        }
        Err(_) => {}
    }
    match Period::parse(text) {
        Ok(p) if first => Ok(p.first_day()),
        Ok(p) => Ok(p.last_day()),
        Err(e @ (PeriodError::NoSuchMonth(_) | PeriodError::OutOfRange(_))) => Err(Error::Usage(e.to_string())),
        Err(_) => Err(Error::Usage(format!(
            "“{text}”不是日期或月份，应写作 2025-03-15、2025/3/15、2025年3月15日、20250315，或月份 2025-03、2025年3月、202503"
        ))),
    }
}

/// The days asked for, from go-live (or the first history) to `today` by default.
pub fn days<B: Backend>(
    ledger: &Ledger<B>,
    from: Option<&str>,
    to: Option<&str>,
    today: time::Date,
) -> Result<(time::Date, time::Date), Error> {
    let first = ledger.store().period_span(ledger.handle())?.map(|(f, _)| f).unwrap_or(ledger.start()).first_day();
    let from = match from {
        Some(t) => day_or_month(t, true)?,
        None => first,
    };
    let to = match to {
        Some(t) => day_or_month(t, false)?,
        None => today,
    };
    if from > to {
        return Err(Error::Usage(format!(
            "--from {} 晚于 --to {}：起始须不晚于截止",
            format_date(from),
            format_date(to)
        )));
    }
    Ok((from, to))
}

/// [AUD-1..3] the exceptions of `from..=to`.
pub fn exceptions_between<B: Backend>(
    ledger: &Ledger<B>,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<Exception>, Error> {
    let (store, handle) = (ledger.store(), ledger.handle());
    let chart = store.chart(handle)?;
    let registry = store.registry(handle)?;
    let settings = store.settings(handle)?;
    let authorizations = store.authorizations(handle)?;
    let totals = store.period_totals(handle)?;
    // Cash at the start of what the engine kept: days above the limit are
    // looked for from go-live on.
    let live_from = Period::of(from).max(ledger.start());
    let opening_cash: Money =
        totals.iter().filter(|t| t.account.starts_with("1001") && t.period < live_from).map(PeriodTotalRow::net).sum();
    let facts = store.log_facts(
        handle,
        &["refused", "period_reopened", "kinship_recorded", "period_closed", "sign_in_failed", "passphrase_set"],
    )?;
    let mut first_closes: Vec<(Period, i64)> = Vec::new();
    for f in &facts {
        if let Event::PeriodClosed { period, .. } = &f.event {
            if !first_closes.iter().any(|(p, _)| p == period) {
                first_closes.push((*period, f.seq));
            }
        }
    }
    let log = facts
        .into_iter()
        .filter(|f| match f.event {
            Event::KinshipRecorded { .. } => true,
            Event::PeriodClosed { .. } => false,
            _ => f.date >= from && f.date <= to,
        })
        .collect();
    Ok(exceptions(AuditInput {
        chart: &chart,
        registry: &registry,
        settings: &settings,
        from,
        to,
        vouchers: store.audit_vouchers(handle, from, to)?,
        history: store.history_summary(handle, Period::of(from), Period::of(to))?,
        authorizations: &authorizations,
        log,
        counts: store.cash_counts(handle, from, to)?,
        opening_cash,
        start: ledger.start(),
        first_closes,
    }))
}

/// Every act of a person in `from..=to`, refused ones too, with their log hashes.
pub fn acts_of<B: Backend>(
    ledger: &Ledger<B>,
    person: &str,
    from: time::Date,
    to: time::Date,
) -> Result<Vec<Trail>, Error> {
    Ok(ledger.store().acts_of(ledger.handle(), person.trim(), from, to)?)
}

/// The five parties of a handover, every one needed (HND-1).
pub struct Parties {
    pub officer: String,
    pub role: Role,
    pub date: time::Date,
    pub to: String,
    pub supervisor: String,
}

impl Parties {
    /// The parties as typed; a missing one is named.
    pub fn new(
        officer: Option<&str>,
        role: Option<Role>,
        date: Option<time::Date>,
        to: Option<&str>,
        supervisor: Option<&str>,
    ) -> Result<Parties, Error> {
        let missing = |flag: &str| {
            Error::refuse(Rule::Hnd1, format!("交接须写明 --{flag}（移交人、岗位、日期、接交人、监交人缺一不可）"))
        };
        Ok(Parties {
            officer: officer.map(|s| s.trim().to_string()).ok_or_else(|| missing("officer"))?,
            role: role.ok_or_else(|| missing("role"))?,
            date: date.ok_or_else(|| missing("date"))?,
            to: to.map(|s| s.trim().to_string()).ok_or_else(|| missing("to"))?,
            supervisor: supervisor.map(|s| s.trim().to_string()).ok_or_else(|| missing("supervisor"))?,
        })
    }
}

/// [HND-1] records the handover (admin): the officer's appointment ends,
/// the successor's begins on the day.
pub fn complete<B: Backend>(session: &mut Session<B>, p: &Parties) -> Result<(), Error> {
    session.change(Act::Administer, |b, _| complete_handover(b, &p.officer, p.role, p.date, &p.to, &p.supervisor))
}

/// [HND-1] the handover report: the books at the end of the handover day.
pub fn handover<B: Backend>(ledger: &mut Ledger<B>, w: &Parties) -> Result<Handover, Error> {
    let registry = ledger.store().registry(ledger.handle())?;
    let tenure = registry
        .appointments()
        .iter()
        .filter(|a| a.person == w.officer && a.role == w.role && a.from <= w.date)
        .max_by_key(|a| a.from)
        .cloned()
        .ok_or_else(|| {
            Error::refuse(
                Rule::Hnd1,
                format!("{}在 {} 前没有{}的任职", w.officer, format_date(w.date), w.role.chinese()),
            )
        })?;
    let chart = ledger.store().chart(ledger.handle())?;
    let period = Period::of(w.date);
    let start = ledger.start();
    let live = ledger.store().audit_vouchers(ledger.handle(), start.first_day().min(tenure.from), w.date)?;
    // Balances at the day's end: earlier months from the projection, this
    // month from its posted vouchers up to the day.
    let mut totals: Vec<PeriodTotalRow> =
        ledger.store().period_totals(ledger.handle())?.into_iter().filter(|t| t.period < period).collect();
    let mut month = Vec::new();
    ledger.store().each_voucher(ledger.handle(), period, period, |v, s| {
        if s == Status::Posted && v.date() <= w.date {
            month.push(v);
        }
        Ok(())
    })?;
    for v in &month {
        for l in v.lines() {
            totals.push(PeriodTotalRow { account: l.account.clone(), period, debit: l.debit(), credit: l.credit() });
        }
    }
    let tb = TrialBalance::build(ledger.name(), &chart, as_period_totals(&totals), period, period);
    let cash_book: Money = totals.iter().filter(|t| t.account.starts_with("1001")).map(PeriodTotalRow::net).sum();
    let cash_count = ledger.store().cash_counts(ledger.handle(), w.date, w.date)?.into_iter().last();
    let mut bank = Vec::new();
    for (account, _) in bank_accounts(&chart) {
        bank.push(ledger.read(|b| reconcile_at(b, &account, w.date))?);
    }
    let advances = outstanding_advances(&chart, totals.iter().map(|t| (t.account.as_str(), t.net())));
    let (books, receipts) = ledger.store().receipts(ledger.handle())?;
    let receipt_books = books
        .iter()
        .filter(|b| b.date <= w.date)
        .map(|b| {
            let mine: Vec<_> = receipts.iter().filter(|r| r.book == b.book).collect();
            let voided = mine.iter().filter(|r| matches!(r.state, ReceiptState::Voided { .. })).count();
            let last = mine.iter().map(|r| r.serial).max();
            let next = match last {
                Some(l) if l >= b.last => None,
                Some(l) => Some(b.number(l + 1)),
                None => Some(b.number(b.first)),
            };
            ReceiptBookState {
                book: b.book.clone(),
                range: format!("{} 至 {}", b.number(b.first), b.number(b.last)),
                used: mine.len() - voided,
                voided,
                unused: (b.last - b.first + 1) as usize - mine.len(),
                next,
                holder: b.holder.clone(),
            }
        })
        .collect();
    let unposted = live.iter().filter(|v| v.status == Status::Prepared).map(|v| v.voucher.reference()).collect();
    let mut open_months = Vec::new();
    let mut p = start;
    while p <= period {
        if !ledger.store().is_closed(ledger.handle(), p)? {
            open_months.push(p);
        }
        p = p.next();
    }
    let stand_aside = live
        .iter()
        .filter_map(|v| {
            qianzhang_core::lifecycle::stand_aside_mark(&registry, &v.voucher, &v.signatures, v.voucher.date())
                .map(|m| (v.voucher.reference(), m.short()))
        })
        .collect();
    let vouchers = live
        .into_iter()
        .filter(|v| v.voucher.date() >= tenure.from && v.status != Status::Voided)
        .map(|v| (v.voucher, v.status, v.signatures))
        .collect();
    let exceptions = exceptions_between(ledger, tenure.from, w.date)?;
    let assets = ledger.store().assets(ledger.handle())?.into_iter().filter(|a| a.held_on(w.date)).collect();
    let fingerprint =
        ledger.store().fingerprint_at(ledger.handle(), w.date)?.map(|h| h.fingerprint.to_string()).unwrap_or_default();
    Ok(Handover::build(HandoverInput {
        ledger: ledger.name().to_string(),
        officer: w.officer.clone(),
        role: w.role,
        role_name: tenure.title.clone().unwrap_or_else(|| w.role.chinese().to_string()),
        tenure_from: tenure.from,
        date: w.date,
        successor: w.to.clone(),
        supervisor: w.supervisor.clone(),
        trial_balance: tb,
        cash_book,
        cash_count,
        bank,
        advances,
        receipt_books,
        vouchers,
        unposted,
        open_months,
        voided: ledger.store().voided(ledger.handle(), start.min(Period::of(tenure.from)), period)?,
        exceptions,
        assets,
        fingerprint,
        stand_aside,
    }))
}
