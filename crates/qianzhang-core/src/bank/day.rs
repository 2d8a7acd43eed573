//! [BNK-1] which of a day's statement lines is its last (and its first).
//!
//! Lines are numbered in the order their file lists them, and a bank may
//! export the newest line first: on a day with several lines the highest
//! number is then the day's *earliest* line. The balances say the order:
//! each line's balance is the balance before it plus what came in less what
//! went out, so the day's last line is the one whose balance no other line
//! of the day starts from, and its first line the one whose starting
//! balance no other line of the day ends on. Where the balances leave a
//! choice (a day whose movements return to an earlier balance), the day's
//! opening balance decides the last line — the day closes on the opening
//! plus the day's movement — and only then the order of the file.

use std::collections::HashMap;

use time::Date;

use super::StoredLine;
use crate::money::Money;

/// The balance a line started from: its balance less its movement.
fn start_of(l: &StoredLine) -> Option<Money> {
    l.line.balance.checked_sub(l.line.amount())
}

/// How many lines of `day` each balance occurs as, keyed by fen.
fn count(balances: impl Iterator<Item = Option<Money>>) -> HashMap<i64, usize> {
    let mut out: HashMap<i64, usize> = HashMap::new();
    for b in balances.flatten() {
        *out.entry(b.fen()).or_default() += 1;
    }
    out
}

/// Whether another line than `l` has `balance` among `counted`: a balance
/// line (nothing in or out) starts and ends on its own balance, and does not
/// follow or precede itself.
fn another(counted: &HashMap<i64, usize>, balance: Option<Money>, l: &StoredLine) -> bool {
    let own = usize::from(l.line.is_balance_only());
    balance.is_some_and(|b| counted.get(&b.fen()).copied().unwrap_or(0) > own)
}

/// The line closing a day: `day` holds its lines, `opening` the balance it
/// started from when known (the previous day's close).
fn last_of_day<'a>(day: &[&'a StoredLine], opening: Option<Money>) -> &'a StoredLine {
    let starts = count(day.iter().map(|l| start_of(l)));
    let open: Vec<&'a StoredLine> =
        day.iter().copied().filter(|l| !another(&starts, Some(l.line.balance), l)).collect();
    if let [only] = open[..] {
        return only;
    }
    let pool = if open.is_empty() { day.to_vec() } else { open };
    let moved = day.iter().try_fold(Money::ZERO, |m, l| m.checked_add(l.line.amount()));
    if let Some(close) = opening.zip(moved).and_then(|(o, m)| o.checked_add(m)) {
        if let Some(l) = pool.iter().copied().filter(|l| l.line.balance == close).max_by_key(|l| l.id) {
            return l;
        }
    }
    pool.into_iter().max_by_key(|l| l.id).expect("a day has a line")
}

/// The line opening a day: the one no other line of the day leads to.
fn first_of_day<'a>(day: &[&'a StoredLine]) -> &'a StoredLine {
    let ends = count(day.iter().map(|l| Some(l.line.balance)));
    let open: Vec<&'a StoredLine> = day.iter().copied().filter(|l| !another(&ends, start_of(l), l)).collect();
    if let [only] = open[..] {
        return only;
    }
    let pool = if open.is_empty() { day.to_vec() } else { open };
    pool.into_iter().min_by_key(|l| l.id).expect("a day has a line")
}

/// The lines dated on or before `end`, by day, each day's in file order.
fn days_through(lines: &[StoredLine], end: Date) -> Vec<&StoredLine> {
    let mut upto: Vec<&StoredLine> = lines.iter().filter(|l| l.line.date <= end).collect();
    upto.sort_by_key(|l| (l.line.date, l.id));
    upto
}

/// [BNK-1] the statement's last line on or before `end`: on the latest day
/// with lines, the one closing the day. Its balance is the statement's
/// balance at the end of `end`.
pub fn last_line_through(lines: &[StoredLine], end: Date) -> Option<&StoredLine> {
    let upto = days_through(lines, end);
    let mut opening = None;
    let mut last = None;
    for day in upto.chunk_by(|a, b| a.line.date == b.line.date) {
        let close = last_of_day(day, opening);
        opening = Some(close.line.balance);
        last = Some(close);
    }
    last
}

/// [BNK-1] the statement's first line: on its earliest day, the one opening
/// the day.
pub fn first_line(lines: &[StoredLine]) -> Option<&StoredLine> {
    let first = lines.iter().map(|l| l.line.date).min()?;
    let day: Vec<&StoredLine> = days_through(lines, first);
    Some(first_of_day(&day))
}
