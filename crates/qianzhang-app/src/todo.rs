//! What waits for whom (待办事项): for the operator, what their posts on the
//! day ask of them — vouchers to sign or post (VCH-4), the day's cash count
//! (CSH-2), the month to reconcile and close (BNK-1, PER-1), the disclosure
//! to review (PUB-1); for the administrator, appointments about to end
//! (APR-1) and authorizations near their cap (APR-2). The rules of what is
//! due are `qianzhang_core::todo`'s; this gathers what they look at.
//!
//! A read: it changes nothing, so like every report it asks for no
//! passphrase; it needs only the name of the person it is for.

use qianzhang_core::cash::book_at;
use qianzhang_core::closing::close_blockers;
use qianzhang_core::lifecycle::next_step;
use qianzhang_core::people::{check_registered, Role};
use qianzhang_core::todo::{self, Duties, TodoList, Waiting};
use qianzhang_core::{Period, Status};
use time::Date;

use crate::backend::Backend;
use crate::session::Ledger;
use crate::Error;

/// What waits for `person` on `today`.
pub fn todo<B: Backend>(ledger: &mut Ledger<B>, person: &str, today: Date) -> Result<TodoList, Error> {
    qianzhang_core::text::check_text("操作人", person, qianzhang_core::text::NAME_CHARS)?;
    let registry = ledger.store().registry(ledger.handle())?;
    check_registered(&registry, person)?;
    let duties = Duties::of(&registry, person, today);
    let mut items = Vec::new();

    // [VCH-4] the prepared vouchers of the months not yet closed.
    if [Role::Reviewer, Role::Cashier, Role::Accountant].iter().any(|r| duties.holds(*r)) || duties.pen {
        let waiting = waiting(ledger)?;
        items.extend(todo::vouchers(&duties, person, &waiting));
    }

    // [CSH-2] the day's count, while the ledger holds cash.
    if duties.holds(Role::Cashier) {
        let holds_cash = !ledger.read(|b| book_at(b, today))?.is_zero();
        let counted = !ledger.store().cash_counts(ledger.handle(), today, today)?.is_empty();
        items.extend(todo::cash_count(&duties, holds_cash, counted, today));
    }

    // [OPN-1] openings that do not balance, before the first close.
    if duties.holds(Role::Accountant) {
        let blocker = ledger.read(|b| qianzhang_core::opening::close_blocker(b))?;
        items.extend(todo::openings(&duties, ledger.start(), blocker));
    }

    // [PER-1, BNK-1] the month that has ended and is not closed.
    if duties.holds(Role::Accountant) {
        let month = month_to_close(ledger, today)?;
        let blockers = match month {
            Some(m) => ledger.read(|b| close_blockers(b, m, today))?,
            None => Vec::new(),
        };
        items.extend(todo::month_end(&duties, month, &blockers));
    }

    // [PUB-1] closed months whose disclosure has no review yet.
    if duties.holds(Role::Auditor) {
        let reviewed: Vec<String> = ledger.store().reviews(ledger.handle())?.into_iter().map(|r| r.span).collect();
        let mut unreviewed = Vec::new();
        let mut p = ledger.start();
        while p <= Period::of(today) {
            if ledger.store().is_closed(ledger.handle(), p)? && !reviewed.contains(&p.to_string()) {
                unreviewed.push(p);
            }
            p = p.next();
        }
        items.extend(todo::disclosures(&duties, &unreviewed));
    }

    // [APR-1, APR-2] for the administrator.
    if duties.holds(Role::Admin) {
        items.extend(todo::appointments_ending(&duties, registry.appointments(), today));
        let uses: Vec<_> =
            ledger.store().authorizations(ledger.handle())?.into_iter().map(|u| (u.authorization, u.used)).collect();
        items.extend(todo::near_cap(&duties, &uses));
    }

    Ok(TodoList { person: person.to_string(), date: today, posts: registry.posts(person, today), items })
}

/// [VCH-4] every prepared voucher of the months not closed, with its next step.
fn waiting<B: Backend>(ledger: &Ledger<B>) -> Result<Vec<Waiting>, Error> {
    let Some((first, last)) = ledger.store().period_span(ledger.handle())? else { return Ok(Vec::new()) };
    let chart = ledger.store().chart(ledger.handle())?;
    let mut out = Vec::new();
    let mut p = first.max(ledger.start());
    while p <= last {
        if !ledger.store().is_closed(ledger.handle(), p)? {
            for (v, status) in ledger.store().vouchers(ledger.handle(), p, p)? {
                if status != Status::Prepared {
                    continue;
                }
                let signed = ledger.store().signatures(ledger.handle(), v.reference())?;
                out.push(Waiting {
                    voucher: v.reference(),
                    next: next_step(&chart, &v, &signed),
                    summary: v.lines().first().map(|l| l.summary.clone()).unwrap_or_default(),
                    amount: v.total_debit(),
                    preparer: v.preparer().to_string(),
                });
            }
        }
        p = p.next();
    }
    Ok(out)
}

/// [PER-1] the first month from go-live that has reached its last day and is not closed.
fn month_to_close<B: Backend>(ledger: &Ledger<B>, today: Date) -> Result<Option<Period>, Error> {
    let mut closed = Vec::new();
    let mut p = ledger.start();
    while p.last_day() <= today {
        if !ledger.store().is_closed(ledger.handle(), p)? {
            break;
        }
        closed.push(p);
        p = p.next();
    }
    Ok(todo::month_to_close(ledger.start(), today, |m| closed.contains(&m)))
}
