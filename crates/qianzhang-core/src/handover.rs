//! The handover when an officer leaves a post (离任交接, HND-1): what the
//! departing officer hands over, checked by a supervisor, signed in
//! triplicate; and recording it, which ends the appointment and starts the
//! successor's.

use serde::Serialize;
use time::Date;

use crate::audit::Exception;
use crate::bank::Reconciliation;
use crate::books::{appoint, end_appointment, Books, Event};
use crate::cash::CashCount;
use crate::disclosure::{Asset, Voided};
use crate::lifecycle::SignKind;
use crate::money::Money;
use crate::people::{Appointment, Role};
use crate::period::{date_serde, format_date, Period};
use crate::receipts::Advance;
use crate::report::TrialBalance;
use crate::rule::{refuse, Failure, Refusal, Refusals, Rule};
use crate::voucher::{Status, Voucher, VoucherRef};

/// One voucher the officer handled in the tenure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Handled {
    pub voucher: VoucherRef,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub summary: String,
    pub amount: Money,
    pub status: Status,
    /// 制单, 审核, 审批, 出纳确认 — what the officer did on it.
    pub acts: Vec<&'static str>,
    /// SEP-6: the approver stood aside; the resolution and its deputy
    /// (`回避：两委决议〔2025〕7号，张华代签`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stand_aside: Option<String>,
}

/// Totals of the vouchers handled, by act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HandledTotal {
    pub act: &'static str,
    pub vouchers: usize,
    pub amount: Money,
}

/// A receipt book's state at the handover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReceiptBookState {
    pub book: String,
    pub range: String,
    pub used: usize,
    pub voided: usize,
    pub unused: usize,
    /// The next serial to issue, if any is left.
    pub next: Option<String>,
    /// Who holds the book (RCP-1): the cashier it was issued to, or the
    /// successor it passed to at a handover.
    pub holder: String,
}

/// The handover report (移交清册).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub ledger: String,
    pub officer: String,
    pub role: Role,
    pub role_name: String,
    #[serde(with = "date_serde")]
    pub tenure_from: Date,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub successor: String,
    pub supervisor: String,
    pub trial_balance: TrialBalance,
    pub cash_book: Money,
    pub cash_count: Option<CashCount>,
    pub bank: Vec<Reconciliation>,
    pub advances: Vec<Advance>,
    pub receipt_books: Vec<ReceiptBookState>,
    pub unposted: Vec<VoucherRef>,
    pub open_months: Vec<Period>,
    pub handled: Vec<Handled>,
    pub handled_totals: Vec<HandledTotal>,
    /// Vouchers the officer voided in the tenure, with the reasons.
    pub voided: Vec<Voided>,
    pub exceptions: Vec<Exception>,
    pub assets: Vec<Asset>,
    pub fingerprint: String,
    /// What keeps `handover complete` from being recorded.
    pub blockers: Vec<String>,
}

/// What a handover report is built from.
pub struct HandoverInput {
    pub ledger: String,
    pub officer: String,
    pub role: Role,
    pub role_name: String,
    pub tenure_from: Date,
    pub date: Date,
    pub successor: String,
    pub supervisor: String,
    pub trial_balance: TrialBalance,
    pub cash_book: Money,
    pub cash_count: Option<CashCount>,
    pub bank: Vec<Reconciliation>,
    pub advances: Vec<Advance>,
    pub receipt_books: Vec<ReceiptBookState>,
    /// Every voucher dated in the tenure with its signatures.
    pub vouchers: Vec<(Voucher, Status, Vec<crate::lifecycle::Signature>)>,
    pub unposted: Vec<VoucherRef>,
    pub open_months: Vec<Period>,
    /// Every voucher voided up to the day, whoever voided it.
    pub voided: Vec<Voided>,
    pub exceptions: Vec<Exception>,
    pub assets: Vec<Asset>,
    pub fingerprint: String,
    /// Vouchers the approver stood aside from, with their short mark
    /// ([`crate::lifecycle::StandAsideMark::short`]).
    pub stand_aside: Vec<(VoucherRef, String)>,
}

const ACTS: [&str; 4] = ["制单", "审核", "审批", "出纳确认"];

impl Handover {
    /// [HND-1] builds the report and says what still blocks the handover.
    /// The vouchers the officer voided in the tenure are listed with their
    /// reasons.
    pub fn build(input: HandoverInput) -> Handover {
        let mut handled = Vec::new();
        let mut officer_unposted = Vec::new();
        for (v, status, signatures) in &input.vouchers {
            let mut acts = Vec::new();
            if v.preparer() == input.officer {
                acts.push(ACTS[0]);
            }
            for (kind, name) in
                [(SignKind::Review, ACTS[1]), (SignKind::Approve, ACTS[2]), (SignKind::Confirm, ACTS[3])]
            {
                if signatures.iter().any(|s| s.kind == kind && s.person == input.officer) {
                    acts.push(name);
                }
            }
            if acts.is_empty() {
                continue;
            }
            if *status == Status::Prepared {
                officer_unposted.push(v.reference());
            }
            handled.push(Handled {
                voucher: v.reference(),
                date: v.date(),
                summary: v.lines().first().map(|l| l.summary.clone()).unwrap_or_default(),
                amount: v.total_debit(),
                status: *status,
                acts,
                stand_aside: input.stand_aside.iter().find(|(r, _)| *r == v.reference()).map(|(_, m)| m.clone()),
            });
        }
        handled.sort_by_key(|h| (h.date, h.voucher));
        let handled_totals = ACTS
            .iter()
            .map(|act| {
                let mine: Vec<&Handled> = handled.iter().filter(|h| h.acts.contains(act)).collect();
                HandledTotal { act, vouchers: mine.len(), amount: mine.iter().map(|h| h.amount).sum() }
            })
            .filter(|t| t.vouchers > 0)
            .collect();
        let mut blockers = Vec::new();
        if input.cash_count.is_none() {
            blockers.push(format!(
                "{} 没有现金盘点：交接当日须由出纳当面盘点库存现金（cash count --date {}）",
                format_date(input.date),
                format_date(input.date)
            ));
        }
        if !officer_unposted.is_empty() {
            blockers.push(format!(
                "{} 经手的凭证尚未记账：{}；须记账或作废后才能交接",
                input.officer,
                officer_unposted.iter().map(VoucherRef::to_string).collect::<Vec<_>>().join("、")
            ));
        }
        let tenure = input.tenure_from..=input.date;
        let voided =
            input.voided.into_iter().filter(|x| x.by == input.officer && tenure.contains(&x.voided_on)).collect();
        Handover {
            ledger: input.ledger,
            officer: input.officer,
            role: input.role,
            role_name: input.role_name,
            tenure_from: input.tenure_from,
            date: input.date,
            successor: input.successor,
            supervisor: input.supervisor,
            trial_balance: input.trial_balance,
            cash_book: input.cash_book,
            cash_count: input.cash_count,
            bank: input.bank,
            advances: input.advances,
            receipt_books: input.receipt_books,
            unposted: input.unposted,
            open_months: input.open_months,
            handled,
            handled_totals,
            voided,
            exceptions: input.exceptions,
            assets: input.assets,
            fingerprint: input.fingerprint,
            blockers,
        }
    }
}

/// [HND-1] records a handover: the officer's appointment ends on `date` and
/// the successor's starts that day (SEP-1..4 apply to it). Refused while the
/// cash of that day is not counted or a voucher the officer prepared or
/// signed is not posted.
pub fn complete_handover(
    books: &mut impl Books,
    officer: &str,
    role: Role,
    date: Date,
    successor: &str,
    supervisor: &str,
) -> Result<(), Failure> {
    let hnd = |m: String| Refusal::new(Rule::Hnd1, m);
    let mut reasons = Vec::new();
    if supervisor.trim().is_empty() || supervisor == officer || supervisor == successor {
        reasons.push(hnd("监交人须另有其人，不能是移交人或接交人".into()));
    }
    if !books.registry().is_registered(supervisor) {
        reasons.push(hnd(format!("监交人“{supervisor}”不是本账套登记的人员")));
    }
    let tenure = books
        .registry()
        .appointments()
        .iter()
        .find(|a| a.person == officer && a.role == role && a.in_force(date))
        .cloned();
    let Some(tenure) = tenure else {
        return refuse(Rule::Hnd1, format!("{officer}在 {} 没有{}的任职，无从交接", format_date(date), role.chinese()));
    };
    if !books.cash_counts(Period::of(date))?.iter().any(|c| c.date == date) {
        reasons.push(hnd(format!("{} 没有现金盘点：交接当日须当面盘点库存现金", format_date(date))));
    }
    let mut pending = Vec::new();
    let mut period = books.ledger().start;
    while period <= Period::of(date) {
        for r in books.unposted(period)? {
            if let Some((v, _)) = books.voucher(r)? {
                let signed = books.signatures(r)?.iter().any(|s| s.person == officer);
                if v.preparer() == officer || signed {
                    pending.push(r.to_string());
                }
            }
        }
        period = period.next();
    }
    if !pending.is_empty() {
        reasons.push(hnd(format!("{officer} 经手的凭证尚未记账：{}；须记账或作废后才能交接", pending.join("、"))));
    }
    if !reasons.is_empty() {
        return Err(Failure::Refused(Refusals { reasons, unlisted: 0 }));
    }
    end_appointment(books, officer, role, date)?;
    if role == Role::Cashier {
        // The departing cashier's receipt books pass to the successor (RCP-1).
        for b in books.receipt_books()?.into_iter().filter(|b| b.holder == officer) {
            books.append(Event::ReceiptBookPassed { book: b.book, holder: successor.to_string(), date })?;
        }
    }
    appoint(
        books,
        Appointment {
            person: successor.to_string(),
            role,
            from: date,
            ended: None,
            // The post is the same: a leader's post stays a leader's (SEP-2/3 apply).
            leader: tenure.leader,
            title: tenure.title.clone(),
            acting: false,
        },
    )?;
    books.append(Event::HandoverCompleted {
        officer: officer.to_string(),
        role,
        date,
        successor: successor.to_string(),
        supervisor: supervisor.to_string(),
    })?;
    Ok(())
}
