//! The one event reducer: what each logged [`Event`] changes in the books'
//! projection, as a list of primitive [`Change`]s.
//!
//! Every backend applies `Change`s and none of them reads an `Event` to
//! decide what it means: the SQLite store writes them as rows (when a
//! command appends an event and when `verify` replays the log), its writer
//! keeps its in-memory caches from them, and [`crate::memory::MemoryBooks`]
//! keeps its maps from them. The domain facts of the projection live here:
//! which vouchers count in the balances and fund totals, the year-end
//! carry-forward's exception, and when a voucher's money has moved ahead of
//! its posting (the cashier's confirmation, CSH-1).

use std::borrow::Cow;

use time::Date;

use crate::account::Account;
use crate::approval::{Authorization, SettingKey};
use crate::bank::{InTransit, StatementLine};
use crate::cash::CashCount;
use crate::disclosure::{Asset, Review};
use crate::event::Event;
use crate::funds::{fund_effect, Fund};
use crate::lifecycle::{SignKind, Signature};
use crate::money::Money;
use crate::people::{Appointment, KinFact, Role};
use crate::period::Period;
use crate::receipts::{ReceiptBook, ReceiptState};
use crate::voucher::{Line, Status, Voucher, VoucherRef};

/// One primitive change to the projection. Borrowed from the event it
/// comes from, so reducing costs no copies.
#[derive(Clone, Debug, PartialEq)]
pub enum Change<'e> {
    LedgerCreated {
        name: &'e str,
        start: Period,
    },
    AccountAdded(&'e Account),
    AccountRenamed {
        code: &'e str,
        name: &'e str,
    },
    AccountClosed {
        code: &'e str,
        date: Date,
    },
    /// A new voucher, with the status it is recorded in (prepared, or
    /// posted for history and the year-end carry-forward).
    VoucherRecorded {
        voucher: &'e Voucher,
        status: Status,
    },
    /// A prepared voucher's content replaced; its number stays.
    VoucherRevised(&'e Voucher),
    /// A prepared voucher posted (记账).
    VoucherPosted(VoucherRef),
    /// A prepared voucher voided (作废).
    VoucherVoided(VoucherRef),
    /// [CSH-1] whether a prepared voucher's money has moved ahead of its
    /// posting: the cashier confirmed it. Such a voucher counts in cash and
    /// bank movements when the caller asks for confirmed ones too
    /// ([`counts_as_moved`]).
    MovedAhead {
        reference: VoucherRef,
        moved: bool,
    },
    /// Posted amounts added to an account's totals for a period.
    Balance {
        account: Cow<'e, str>,
        period: Period,
        debit: Money,
        credit: Money,
    },
    /// [STM-1] what a posted line adds to the statements' totals: the
    /// year-end voucher's lines, fund-tagged lines, cash counterparts.
    StatementTotal(crate::statements::StatementRow),
    /// Money into and out of a special fund in a period (FND-1).
    FundTotal {
        fund: Cow<'e, str>,
        period: Period,
        income: Money,
        spending: Money,
    },
    /// [LIM-1] absolute amounts added to what the ledger has recorded.
    Turnover(Money),
    /// A voucher's documents indexed under it (DOC-2): the last voucher
    /// citing a document holds it.
    DocumentsClaimed(&'e Voucher),
    /// A voided voucher's documents released (DOC-2).
    DocumentsReleased(VoucherRef),
    Signed {
        reference: VoucherRef,
        signature: &'e Signature,
    },
    SignatureWithdrawn {
        reference: VoucherRef,
        kind: SignKind,
        person: &'e str,
    },
    /// Every standing signature of a revised voucher withdrawn (VCH-4).
    SignaturesCleared(VoucherRef),
    PeriodClosed {
        period: Period,
        reason: &'e str,
        in_transit: &'e [InTransit],
    },
    /// A closed period reopened: its close and the entries in transit at it
    /// are gone.
    PeriodReopened(Period),
    FileImported {
        file: &'e str,
        sha256: &'e str,
        encoding: &'e str,
        rows: u64,
        vouchers: u64,
        history: bool,
    },
    PersonRegistered(&'e str),
    PassphraseSet {
        person: &'e str,
        hash: &'e str,
        reset: bool,
    },
    Appointed(&'e Appointment),
    AppointmentEnded {
        person: &'e str,
        role: Role,
        from: Date,
        ended: Date,
    },
    KinshipRecorded(&'e KinFact),
    Setting {
        key: SettingKey,
        value: &'e str,
    },
    AuthorizationRecorded(&'e Authorization),
    ReceiptBookRegistered(&'e ReceiptBook),
    ReceiptBookPassed {
        book: &'e str,
        holder: &'e str,
    },
    /// A receipt issued or voided.
    Receipt {
        book: &'e str,
        serial: u32,
        state: ReceiptState,
    },
    FundDeclared(&'e Fund),
    TemplateSaved(&'e crate::template::Template),
    /// [OPN-1] an account's opening balance, debit-positive; zero removes it.
    Opening {
        account: &'e str,
        amount: Money,
    },
    CalendarDay(&'e crate::calendar::MarkedDay),
    Household(&'e crate::collection::Household),
    Collection(&'e crate::collection::Collection),
    CashCounted(&'e CashCount),
    /// New statement lines of a bank account, numbered from `first_id`.
    StatementLines {
        account: &'e str,
        first_id: u64,
        lines: &'e [StatementLine],
    },
    /// The day a bank account's statements reach, if later than before.
    StatementReach {
        account: &'e str,
        through: Date,
    },
    BankMatched {
        line: u64,
        voucher: VoucherRef,
    },
    BankUnmatched {
        line: u64,
        voucher: VoucherRef,
    },
    DisclosureReviewed(&'e Review),
    /// [PUB-1] a month's disclosure published.
    Published {
        period: Period,
        date: Date,
        fingerprint: &'e str,
        by: &'e str,
    },
    /// [DOC-1] a scan attached to a voucher (its bytes are the backend's).
    ScanAttached(&'e crate::scan::ScanInfo),
    AssetRegistered(&'e Asset),
    AssetDisposed {
        id: u32,
        date: Date,
        reason: &'e str,
    },
    BudgetSet {
        year: i32,
        account: &'e str,
        amount: Money,
    },
}

/// The log asks for something the projection does not hold: the log or
/// the projection is damaged.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Inconsistent(pub String);

impl From<Inconsistent> for crate::backend::BackendError {
    /// A log that does not follow from itself: the books were altered (AUD-2).
    fn from(e: Inconsistent) -> Self {
        crate::backend::BackendError::corrupt(e.0)
    }
}

/// The few reads the reducer needs from the projection built so far.
pub trait View {
    type Error: From<Inconsistent>;
    /// The lines of a recorded voucher (asked when it is posted).
    fn voucher_lines(&mut self, reference: VoucherRef) -> Result<Option<Vec<Line>>, Self::Error>;
}

/// [CSH-1] whether a voucher's money counts as moved: posted, or — when
/// the caller counts what the cashier has confirmed (`confirmed`) — moved
/// ahead of its posting ([`Change::MovedAhead`]).
pub fn counts_as_moved(status: Status, moved_ahead: bool, confirmed: bool) -> bool {
    status == Status::Posted || (confirmed && moved_ahead && status == Status::Prepared)
}

/// The changes `event` makes to the projection.
pub fn reduce<'e, V: View>(event: &'e Event, view: &mut V) -> Result<Vec<Change<'e>>, V::Error> {
    let changes = match event {
        Event::LedgerCreated { name, start } => vec![Change::LedgerCreated { name, start: *start }],
        Event::AccountAdded { account } => vec![Change::AccountAdded(account)],
        Event::AccountRenamed { code, name } => vec![Change::AccountRenamed { code, name }],
        Event::AccountClosed { code, date } => vec![Change::AccountClosed { code, date: *date }],
        Event::VoucherPrepared { voucher } => recorded(voucher, Status::Prepared, false),
        Event::VoucherMigrated { voucher } => recorded(voucher, Status::Posted, true),
        // Carrying the year's result moves no money into or out of a fund:
        // each fund's lines net to zero, so fund totals skip it.
        Event::ClosingVoucher { voucher } => recorded(voucher, Status::Posted, false),
        Event::VoucherPosted { reference } => {
            let lines = view
                .voucher_lines(*reference)?
                .ok_or_else(|| Inconsistent(format!("表 vouchers 中没有要记账的凭证 {reference}")))?;
            let mut out = vec![Change::MovedAhead { reference: *reference, moved: false }];
            out.push(Change::VoucherPosted(*reference));
            statement_totals(&mut out, reference.period, &lines, false);
            posted_lines(&mut out, reference.period, lines.into_iter().map(Cow::Owned), true);
            out
        }
        Event::VoucherVoided { reference, .. } => vec![
            Change::MovedAhead { reference: *reference, moved: false },
            Change::VoucherVoided(*reference),
            Change::DocumentsReleased(*reference),
        ],
        Event::VoucherRevised { voucher } => {
            let reference = voucher.reference();
            vec![
                Change::VoucherRevised(voucher),
                Change::SignaturesCleared(reference),
                Change::MovedAhead { reference, moved: false },
                // A revision may drop documents: they are free again.
                Change::DocumentsReleased(reference),
                Change::DocumentsClaimed(voucher),
            ]
        }
        Event::VoucherSigned { reference, signature } => {
            let mut out = vec![Change::Signed { reference: *reference, signature }];
            if signature.kind == SignKind::Confirm {
                out.push(Change::MovedAhead { reference: *reference, moved: true });
            }
            out
        }
        Event::SignatureWithdrawn { reference, kind, person } => {
            let mut out = vec![Change::SignatureWithdrawn { reference: *reference, kind: *kind, person }];
            if *kind == SignKind::Confirm {
                out.push(Change::MovedAhead { reference: *reference, moved: false });
            }
            out
        }
        Event::PeriodClosed { period, reason, in_transit } => {
            vec![Change::PeriodClosed { period: *period, reason, in_transit }]
        }
        Event::PeriodReopened { period, .. } => vec![Change::PeriodReopened(*period)],
        Event::FileImported { file, sha256, encoding, rows, vouchers, history } => {
            vec![Change::FileImported { file, sha256, encoding, rows: *rows, vouchers: *vouchers, history: *history }]
        }
        Event::PersonRegistered { name } => vec![Change::PersonRegistered(name)],
        Event::PassphraseSet { person, hash, reset } => vec![Change::PassphraseSet { person, hash, reset: *reset }],
        Event::Appointed { appointment } => vec![Change::Appointed(appointment)],
        Event::AppointmentEnded { person, role, from, ended } => {
            vec![Change::AppointmentEnded { person, role: *role, from: *from, ended: *ended }]
        }
        Event::KinshipRecorded { fact } => vec![Change::KinshipRecorded(fact)],
        Event::SettingChanged { key, value } => vec![Change::Setting { key: *key, value }],
        Event::AuthorizationRecorded { authorization } => vec![Change::AuthorizationRecorded(authorization)],
        Event::ReceiptBookRegistered { book } => vec![Change::ReceiptBookRegistered(book)],
        Event::ReceiptBookPassed { book, holder, .. } => vec![Change::ReceiptBookPassed { book, holder }],
        Event::ReceiptIssued { book, serial, payer, amount, date } => vec![Change::Receipt {
            book,
            serial: *serial,
            state: ReceiptState::Issued { payer: payer.clone(), amount: *amount, date: *date },
        }],
        Event::ReceiptVoided { book, serial, reason } => {
            vec![Change::Receipt { book, serial: *serial, state: ReceiptState::Voided { reason: reason.clone() } }]
        }
        Event::FundDeclared { fund } => vec![Change::FundDeclared(fund)],
        Event::TemplateSaved { template } => vec![Change::TemplateSaved(template)],
        // [OPN-1] the opening balance counts as the posted totals of the
        // month before go-live, so every balance from go-live on holds it.
        Event::OpeningSet { period, account, amount, previous } => vec![
            Change::Opening { account, amount: *amount },
            Change::Balance {
                account: Cow::Borrowed(account),
                period: period.prev(),
                debit: (*amount).max(Money::ZERO) - (*previous).max(Money::ZERO),
                credit: (-*amount).max(Money::ZERO) - (-*previous).max(Money::ZERO),
            },
        ],
        Event::CalendarDayMarked { day } => vec![Change::CalendarDay(day)],
        Event::HouseholdRegistered { household } => vec![Change::Household(household)],
        Event::CollectionRecorded { collection } => vec![Change::Collection(collection)],
        Event::CashCounted { count } => vec![Change::CashCounted(count)],
        Event::StatementImported { account, first_id, lines, through, .. } => {
            let mut out = Vec::with_capacity(2);
            if let Some(t) = through {
                out.push(Change::StatementReach { account, through: *t });
            }
            out.push(Change::StatementLines { account, first_id: *first_id, lines });
            out
        }
        Event::BankMatched { pairs, .. } => {
            pairs.iter().map(|(line, voucher)| Change::BankMatched { line: *line, voucher: *voucher }).collect()
        }
        Event::BankUnmatched { line, voucher } => vec![Change::BankUnmatched { line: *line, voucher: *voucher }],
        Event::DisclosureReviewed { review } => vec![Change::DisclosureReviewed(review)],
        Event::DisclosurePublished { period, date, fingerprint, by } => {
            vec![Change::Published { period: *period, date: *date, fingerprint, by }]
        }
        // [VCH-4] what the reviewers signed for changed: as a revision, the
        // signatures lapse and the cashier's confirmation with them.
        Event::ScanAttached { scan } => vec![
            Change::ScanAttached(scan),
            Change::SignaturesCleared(scan.voucher),
            Change::MovedAhead { reference: scan.voucher, moved: false },
        ],
        Event::AssetRegistered { asset } => vec![Change::AssetRegistered(asset)],
        Event::AssetDisposed { id, date, reason } => vec![Change::AssetDisposed { id: *id, date: *date, reason }],
        Event::BudgetSet { year, account, amount } => vec![Change::BudgetSet { year: *year, account, amount: *amount }],
        // The handover's own effects are the appointment events before it;
        // refusals and failed sign-ins change nothing. They live in the log.
        Event::Refused { .. } | Event::SignInFailed { .. } | Event::HandoverCompleted { .. } => Vec::new(),
    };
    Ok(changes)
}

/// A voucher recorded: its row, its documents, its turnover, and when it
/// is recorded posted, its balances (and fund totals when `funds`).
fn recorded(voucher: &Voucher, status: Status, funds: bool) -> Vec<Change<'_>> {
    let mut out = Vec::with_capacity(3 + 2 * voucher.lines().len());
    out.push(Change::VoucherRecorded { voucher, status });
    out.push(Change::DocumentsClaimed(voucher));
    out.push(Change::Turnover(Money::turnover(voucher.lines().iter().map(|l| l.amount))));
    if status == Status::Posted {
        posted_lines(&mut out, voucher.period(), voucher.lines().iter().map(Cow::Borrowed), funds);
        let closing = voucher.origin() == crate::voucher::Origin::Closing;
        statement_totals(&mut out, voucher.period(), voucher.lines(), closing);
    }
    out
}

/// [STM-1] the statement rows of a posted voucher's lines.
fn statement_totals(out: &mut Vec<Change<'_>>, period: Period, lines: &[Line], closing: bool) {
    out.extend(crate::statements::line_rows(period, lines, closing).into_iter().map(Change::StatementTotal));
}

/// The balances, and with `funds` the fund totals, a posted voucher's lines add.
fn posted_lines<'e>(
    out: &mut Vec<Change<'e>>,
    period: Period,
    lines: impl Iterator<Item = Cow<'e, Line>>,
    funds: bool,
) {
    for line in lines {
        let fund = if funds { fund_effect(&line).map(|(_, into, out)| (into, out)) } else { None };
        match line {
            Cow::Borrowed(l) => {
                out.push(Change::Balance {
                    account: Cow::Borrowed(&l.account),
                    period,
                    debit: l.debit(),
                    credit: l.credit(),
                });
                if let (Some((income, spending)), Some(f)) = (fund, l.fund.as_deref()) {
                    out.push(Change::FundTotal { fund: Cow::Borrowed(f), period, income, spending });
                }
            }
            Cow::Owned(l) => {
                let (debit, credit) = (l.debit(), l.credit());
                out.push(Change::Balance { account: Cow::Owned(l.account), period, debit, credit });
                if let (Some((income, spending)), Some(f)) = (fund, l.fund) {
                    out.push(Change::FundTotal { fund: Cow::Owned(f), period, income, spending });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::test_support::draft;
    use crate::voucher::Origin;

    fn voucher(origin: Origin, fund: Option<&str>) -> Voucher {
        let mut d = draft(date!(2025 - 12 - 31), 500);
        d.lines[0].account = "5201".into();
        d.lines[0].fund = fund.map(str::to_string);
        let reference = VoucherRef { period: Period::of(d.date), number: 1 };
        Voucher::accepted(reference, d.normalized(), origin, "赵敏")
    }

    /// Holds no voucher.
    struct Empty;

    impl View for Empty {
        type Error = Inconsistent;
        fn voucher_lines(&mut self, _: VoucherRef) -> Result<Option<Vec<Line>>, Inconsistent> {
            Ok(None)
        }
    }

    fn fund_totals(changes: &[Change<'_>]) -> usize {
        changes.iter().filter(|c| matches!(c, Change::FundTotal { .. })).count()
    }

    #[test]
    fn fnd_1_the_year_end_carry_forward_moves_no_money_into_or_out_of_a_fund() {
        let migrated = Event::VoucherMigrated { voucher: voucher(Origin::History, Some("低保")) };
        let changes = reduce(&migrated, &mut Empty).unwrap();
        assert_eq!(fund_totals(&changes), 1, "a fund's spending is counted: {changes:?}");
        assert!(changes.iter().any(|c| matches!(c, Change::Balance { .. })));
        let closing = Event::ClosingVoucher { voucher: voucher(Origin::Closing, Some("低保")) };
        let changes = reduce(&closing, &mut Empty).unwrap();
        assert_eq!(fund_totals(&changes), 0, "{changes:?}");
        assert_eq!(changes.iter().filter(|c| matches!(c, Change::Balance { .. })).count(), 2);
    }

    #[test]
    fn csh_1_the_cashier_s_confirmation_moves_money_ahead_of_posting() {
        let reference = VoucherRef { period: Period::parse("2025-03").unwrap(), number: 1 };
        let signature = |kind| Signature {
            kind,
            person: "王芳".into(),
            appointment_from: date!(2025 - 01 - 01),
            at: "t".into(),
            resolution: None,
        };
        let moved = |event: &Event| {
            reduce(event, &mut Empty).unwrap().into_iter().find_map(|c| match c {
                Change::MovedAhead { moved, .. } => Some(moved),
                _ => None,
            })
        };
        let confirm = Event::VoucherSigned { reference, signature: signature(SignKind::Confirm) };
        assert_eq!(moved(&confirm), Some(true));
        let approve = Event::VoucherSigned { reference, signature: signature(SignKind::Approve) };
        assert_eq!(moved(&approve), None);
        let withdrawn = Event::SignatureWithdrawn { reference, kind: SignKind::Confirm, person: "王芳".into() };
        assert_eq!(moved(&withdrawn), Some(false));
        let voided = Event::VoucherVoided { reference, reason: "录错".into() };
        assert_eq!(moved(&voided), Some(false));
        assert!(counts_as_moved(Status::Posted, false, false));
        assert!(!counts_as_moved(Status::Prepared, true, false), "only when confirmed ones are asked for");
        assert!(counts_as_moved(Status::Prepared, true, true));
        assert!(!counts_as_moved(Status::Voided, true, true));
    }

    #[test]
    fn aud_2_posting_a_voucher_never_recorded_is_inconsistent() {
        let reference = VoucherRef { period: Period::parse("2025-03").unwrap(), number: 7 };
        let err = reduce(&Event::VoucherPosted { reference }, &mut Empty).unwrap_err();
        assert!(err.0.contains("2025-03/记-0007"), "{err}");
    }
}
