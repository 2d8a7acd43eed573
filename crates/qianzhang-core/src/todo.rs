//! What waits for whom on a day (待办事项): the rules that make an item due
//! for an officer, each named after the rule it comes from. VCH-4: a
//! prepared voucher waits for a signature or for posting; CSH-2: the
//! cashier counts the cash every day; PER-1 and BNK-1: a month that has
//! ended is reconciled and closed; PUB-1: a closed month's disclosure is
//! reviewed by the supervisor; APR-1: an appointment about to end is
//! renewed or succeeded; APR-2: an authorization near its cap is renewed.
//!
//! Every function here is pure: the application reads the books and hands
//! over what it found; nothing here reads a clock or the store.
//!
//! An item says what to do (its [`Kind`]), to what (its subject: a voucher,
//! a day, a month, a person, an authorization) and why, in words that name
//! no command and no page: the command line renders the command that does
//! it, the web office a link to the page where it is done.

use serde::Serialize;
use time::Date;

use crate::approval::Authorization;
use crate::lifecycle::{Next, SignKind};
use crate::money::Money;
use crate::people::{Appointment, Registry, Role};
use crate::period::{format_date, Period};
use crate::rule::{Refusal, Rule};
use crate::voucher::VoucherRef;

/// How many days ahead an appointment's end is shown to the administrator (APR-1).
pub const APPOINTMENT_NOTICE_DAYS: i64 = 30;

/// Below this share of its cap (in percent) an authorization is shown as
/// near its cap (APR-2).
pub const NEAR_CAP_PERCENT: i64 = 10;

/// What an item asks the officer to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 审核, 审批 or 出纳确认 a voucher.
    Sign(SignKind),
    /// 记账.
    Post,
    /// 现金盘点.
    CountCash,
    /// 银行对账.
    Reconcile,
    /// 结账.
    Close,
    /// 审核财务公开.
    ReviewDisclosure,
    /// An appointment that ends soon.
    AppointmentEnds,
    /// An authorization whose cap is nearly spent.
    NearCap,
    /// 期初余额 to correct before the first close (OPN-1).
    Openings,
}

impl Kind {
    pub fn chinese(self) -> &'static str {
        match self {
            Kind::Sign(SignKind::Review) => "审核凭证",
            Kind::Sign(SignKind::Approve) => "审批凭证",
            Kind::Sign(SignKind::Confirm) => "出纳确认",
            Kind::Post => "记账",
            Kind::CountCash => "现金盘点",
            Kind::Reconcile => "银行对账",
            Kind::Close => "月末结账",
            Kind::ReviewDisclosure => "审核财务公开",
            Kind::AppointmentEnds => "任职到期",
            Kind::NearCap => "审批依据将用完",
            Kind::Openings => "更正期初余额",
        }
    }
}

/// One thing waiting for the officer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub rule: Rule,
    pub kind: Kind,
    /// What it is about, the target of the act: a voucher (its reference),
    /// a day, a month (`YYYY-MM`), a person, an authorization (its number).
    pub subject: String,
    /// What to do and why, in plain words naming no command or page.
    pub what: String,
}

/// What waits for one person on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TodoList {
    pub person: String,
    #[serde(with = "crate::period::date_serde")]
    pub date: Date,
    /// The posts they hold that day, as printed (`会计、审核`); none when out of office.
    pub posts: Option<String>,
    pub items: Vec<Item>,
}

/// The duties a person holds on a day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Duties {
    pub roles: Vec<Role>,
    /// [APR-1] holds the one pen that day (the acting approver, else the approver).
    pub pen: bool,
}

impl Duties {
    /// What `person` holds on `date`.
    pub fn of(registry: &Registry, person: &str, date: Date) -> Duties {
        let mut roles: Vec<Role> = registry.in_force(date).filter(|a| a.person == person).map(|a| a.role).collect();
        roles.sort();
        roles.dedup();
        let pen = registry.pen_holder(date).is_some_and(|a| a.person == person);
        Duties { roles, pen }
    }

    pub fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the step is theirs: review by the reviewer, approval by the
    /// one who holds the pen, confirmation by the cashier, posting by the
    /// accountant (VCH-4, APR-1).
    fn does(&self, step: Next) -> bool {
        match step {
            Next::Sign(SignKind::Review) => self.holds(Role::Reviewer),
            Next::Sign(SignKind::Approve) => self.pen,
            Next::Sign(SignKind::Confirm) => self.holds(Role::Cashier),
            Next::Post => self.holds(Role::Accountant),
        }
    }
}

/// A prepared voucher as the list of what waits needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub voucher: VoucherRef,
    pub next: Next,
    pub summary: String,
    pub amount: Money,
    pub preparer: String,
}

/// [VCH-4] the prepared vouchers whose next step is the officer's: a
/// voucher waits for one signature at a time, in order, then for posting.
/// No one reviews or approves a voucher they prepared (SEP-5), so those
/// are left out.
pub fn vouchers(duties: &Duties, person: &str, waiting: &[Waiting]) -> Vec<Item> {
    waiting
        .iter()
        .filter(|w| duties.does(w.next))
        .filter(|w| !(matches!(w.next, Next::Sign(SignKind::Review | SignKind::Approve)) && w.preparer == person))
        .map(|w| {
            let kind = match w.next {
                Next::Sign(k) => Kind::Sign(k),
                Next::Post => Kind::Post,
            };
            Item {
                rule: Rule::Vch4,
                kind,
                subject: w.voucher.to_string(),
                what: format!("{} ¥{}", w.summary, w.amount),
            }
        })
        .collect()
}

/// [CSH-2] the cashier counts the cash every day the ledger holds cash;
/// due until a count of `today` is recorded.
pub fn cash_count(duties: &Duties, holds_cash: bool, counted_today: bool, today: Date) -> Option<Item> {
    (duties.holds(Role::Cashier) && holds_cash && !counted_today).then(|| Item {
        rule: Rule::Csh2,
        kind: Kind::CountCash,
        subject: format_date(today),
        what: "今天的现金尚未盘点，请盘点库存现金".to_string(),
    })
}

/// [PER-1] the month the accountant closes next: the first month from
/// go-live, not closed, that has reached its last day (a month is closed
/// from its last day on). `closed` answers whether a month is closed.
pub fn month_to_close(start: Period, today: Date, mut closed: impl FnMut(Period) -> bool) -> Option<Period> {
    let mut p = start;
    while p.last_day() <= today {
        if !closed(p) {
            return Some(p);
        }
        p = p.next();
    }
    None
}

/// [PER-1, BNK-1] for the accountant: the month that has ended and is not
/// closed, and each bank account not reconciled against a statement
/// reaching its end (the BNK-1 reasons its close would be refused for).
pub fn month_end(duties: &Duties, month: Option<Period>, blockers: &[Refusal]) -> Vec<Item> {
    let (true, Some(month)) = (duties.holds(Role::Accountant), month) else { return Vec::new() };
    let mut out: Vec<Item> = blockers
        .iter()
        .filter(|r| r.rule == Rule::Bnk1)
        .map(|r| Item {
            rule: Rule::Bnk1,
            kind: Kind::Reconcile,
            subject: month.to_string(),
            what: format!(
                "{}；请导入截至 {} 的对账单并勾对，本月银行没有收支的登记对账单余额",
                finding(&r.message),
                format_date(month.last_day())
            ),
        })
        .collect();
    out.push(Item {
        rule: Rule::Per1,
        kind: Kind::Close,
        subject: month.to_string(),
        what: format!("{month} 已到月末，尚未结账；先查看还差什么，办妥后结账"),
    });
    out
}

/// [OPN-1] for the accountant: the opening balances do not balance and
/// the first close is still ahead (`blocker` from
/// [`crate::opening::close_blocker`]).
pub fn openings(duties: &Duties, start: Period, blocker: Option<Refusal>) -> Option<Item> {
    let blocker = blocker.filter(|_| duties.holds(Role::Accountant))?;
    Some(Item {
        rule: Rule::Opn1,
        kind: Kind::Openings,
        subject: start.to_string(),
        what: format!("{}；请更正期初余额", finding(&blocker.message)),
    })
}

/// [PUB-1] for the supervisor (监督), who records the 居务监督委员会's
/// opinion: every closed month whose disclosure has no review yet.
pub fn disclosures(duties: &Duties, closed_unreviewed: &[Period]) -> Vec<Item> {
    if !duties.holds(Role::Auditor) {
        return Vec::new();
    }
    closed_unreviewed
        .iter()
        .map(|p| Item {
            rule: Rule::Pub1,
            kind: Kind::ReviewDisclosure,
            subject: p.to_string(),
            what: format!("{p} 已结账，财务公开尚未审核；请审阅后录入居务监督委员会的意见"),
        })
        .collect()
}

/// [APR-1] for the administrator: appointments ending within
/// [`APPOINTMENT_NOTICE_DAYS`], so a successor or a renewal is appointed
/// in time (an acting approver's days end, the pen returns).
pub fn appointments_ending(duties: &Duties, appointments: &[Appointment], today: Date) -> Vec<Item> {
    if !duties.holds(Role::Admin) {
        return Vec::new();
    }
    appointments
        .iter()
        .filter_map(|a| {
            let last = a.ended?.previous_day()?;
            let days = (last - today).whole_days();
            (0..APPOINTMENT_NOTICE_DAYS).contains(&days).then(|| Item {
                rule: Rule::Apr1,
                kind: Kind::AppointmentEnds,
                subject: a.person.clone(),
                what: format!(
                    "{}的任职到 {} 为止（还有 {days} 天）；如需继续，请及时任命接任人或续任",
                    a.describe(),
                    format_date(last)
                ),
            })
        })
        .collect()
}

/// [APR-2] for the administrator: authorizations with less than
/// [`NEAR_CAP_PERCENT`] of their cap left, so a new resolution or approval
/// is recorded before the next expense is refused.
pub fn near_cap(duties: &Duties, authorizations: &[(Authorization, Money)]) -> Vec<Item> {
    if !duties.holds(Role::Admin) {
        return Vec::new();
    }
    authorizations
        .iter()
        .filter_map(|(a, used)| {
            let left = a.cap.checked_sub(*used).unwrap_or(Money::ZERO);
            (a.cap.fen() > 0 && i128::from(left.fen()) * 100 < i128::from(a.cap.fen()) * i128::from(NEAR_CAP_PERCENT))
                .then(|| Item {
                    rule: Rule::Apr2,
                    kind: Kind::NearCap,
                    subject: a.number.clone(),
                    what: format!(
                        "{} {}（{}）额度 ¥{}，已用 ¥{}，余 ¥{}；如需继续支出，请先录入新的审批依据",
                        a.kind.chinese(),
                        a.number,
                        a.scope,
                        a.cap,
                        used,
                        left
                    ),
                })
        })
        .collect()
}

/// What a refusal found, without the advice on which command remedies it
/// (`…；请用 bank import 导入…`, `…；请出纳用 cash count 盘点`): the item's
/// kind says what to do, and each front end says how.
pub fn finding(message: &str) -> &str {
    let advice = ["请用 ", "请出纳用 "].iter().filter_map(|a| message.find(a)).min();
    match advice {
        Some(i) => message[..i].trim_end_matches(['；', '，', ',', ';', ' ']),
        None => message,
    }
}

/// A refusal's message for a reader who is not at the command line (the
/// web office): what is wrong, and any advice that names no command, with
/// every command-line remedy left out — an aside naming a command or flag
/// (`（cash count --date …）`, `（--reason）`) and the sentence or clause
/// of advice from the first command or flag on (`；请用 bank import …`,
/// `，请先用 account add 设立`). Text quoted “…” (a name someone typed) is
/// never taken for a command. The rule stays with the refusal; a front end
/// says where its own remedy is.
pub fn plain(message: &str) -> String {
    let text = without_command_asides(message);
    let Some(at) = command_at(&text) else {
        return text;
    };
    let before = &text[..at];
    let sentence = before.rfind(['；', '。', ';']);
    let clause = before.rfind(['，', '：', ',', ':']);
    let trim = |s: &str| s.trim_end_matches(['；', '，', '：', '。', ',', ';', ':', ' ']).to_string();
    for cut in [sentence, clause].into_iter().flatten() {
        let kept = trim(&text[..cut]);
        if !kept.is_empty() {
            return kept;
        }
    }
    // The advice is the whole message (`请用 --amount 给出实点金额`): keep
    // its words, leave out the command and flags.
    let mut text = text;
    while let Some(at) = command_at(&text) {
        let rest = &text[at..];
        let len = if rest.starts_with("用 ") {
            "用 ".len()
        } else {
            // The flag or the command's words, and the space after them.
            let word = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
            let after = &rest[word..];
            word + after.len() - after.trim_start_matches(' ').len()
        };
        text.replace_range(at..at + len.max(1), "");
    }
    trim(text.trim())
}

/// Leaves out the full-width asides `（…）` that name a command or flag.
fn without_command_asides(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('（') {
        let mut depth = 0usize;
        let close = rest[open..].char_indices().find_map(|(i, c)| {
            match c {
                '（' => depth += 1,
                '）' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(open + i)
        });
        let Some(close) = close else { break };
        let aside = &rest[open..close + '）'.len_utf8()];
        out.push_str(&rest[..open]);
        if command_at(aside).is_none() {
            out.push_str(aside);
        }
        rest = &rest[close + '）'.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Where the first command-line mention begins, outside “quotes”: a flag
/// (`--map`), a command after 用 (`用 bank import`), or two lowercase
/// words (`cash count`, `qianzhang init`).
fn command_at(text: &str) -> Option<usize> {
    let mut quoted = false;
    let word = |s: &str| s.bytes().take_while(u8::is_ascii_lowercase).count();
    for (i, c) in text.char_indices() {
        match c {
            '“' => quoted = true,
            '”' => quoted = false,
            _ if quoted => {}
            '-' if text[i..].starts_with("--") && text[i + 2..].starts_with(|c: char| c.is_ascii_lowercase()) => {
                return Some(i);
            }
            '用' if text[i + '用'.len_utf8()..].starts_with(' ')
                && text[i + '用'.len_utf8() + 1..].starts_with(|c: char| c.is_ascii_lowercase() || c == '-') =>
            {
                return Some(i);
            }
            c if c.is_ascii_lowercase() && !text[..i].ends_with(|p: char| p.is_ascii_alphanumeric()) => {
                let first = word(&text[i..]);
                let after = &text[i + first..];
                if first >= 2 && after.starts_with(' ') && word(&after[1..]) >= 2 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
