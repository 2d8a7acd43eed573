//! What the auditor looks at (AUD-1..3, HND-1): the exceptions of a span —
//! every item the 居务监督委员会 and the 街道 departure audit should look at
//! closely — and the trail of one person's acts.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::account::Chart;
use crate::approval::{suspected_splits, AuthKind, ExpenseItem, Settings};
use crate::backend::{AuthorizationUse, HistoryRow};
use crate::books::Event;
use crate::cash::{day_ends, days_above_limit, differences, settlement, CashCount, CASH};
use crate::lifecycle::{approver_conflict, nature, SignKind, Signature};
use crate::money::Money;
use crate::people::{frozen, Kinship, Registry};
use crate::period::{date_serde, format_date, Period};
use crate::rule::Rule;
use crate::voucher::{Origin, Status, Voucher, VoucherRef};

/// One exception.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exception {
    pub rule: Rule,
    /// What kind of exception, in Chinese: `大额支出`, `红字冲销` …
    pub kind: &'static str,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub voucher: Option<VoucherRef>,
    pub people: Vec<String>,
    pub amount: Option<Money>,
    pub detail: String,
}

/// A log entry the exceptions read: refusals, reopened months, kinship.
#[derive(Clone, Debug)]
pub struct LogFact {
    pub seq: i64,
    pub date: Date,
    pub actor: String,
    pub event: Event,
}

/// A voucher of the span, posted or not, with what was signed and when it
/// was entered.
#[derive(Clone, Debug)]
pub struct AuditVoucher {
    pub voucher: Voucher,
    pub status: Status,
    pub signatures: Vec<Signature>,
    /// The day its content was written, and the log entry that wrote it.
    pub entered: Date,
    pub entered_seq: i64,
}

/// Everything the exceptions are found in.
pub struct AuditInput<'a> {
    pub chart: &'a Chart,
    pub registry: &'a Registry,
    pub settings: &'a Settings,
    pub from: Date,
    pub to: Date,
    /// Vouchers entered after go-live, dated in the span.
    pub vouchers: Vec<AuditVoucher>,
    /// Migrated history in the span: per period, the number of vouchers and
    /// their debit total.
    pub history: Vec<HistoryRow>,
    pub authorizations: &'a [AuthorizationUse],
    /// Refusals, reopened months and kinship facts in the span, in log order.
    pub log: Vec<LogFact>,
    pub counts: Vec<CashCount>,
    /// Cash on hand (posted) at the later of the span's start and go-live.
    pub opening_cash: Money,
    /// The ledger's go-live month: days above the cash limit are looked for
    /// from there on.
    pub start: Period,
    /// The log entry that first closed each period.
    pub first_closes: Vec<(Period, i64)>,
}

/// [AUD-1..3] every exception of the span, by date.
pub fn exceptions(input: AuditInput<'_>) -> Vec<Exception> {
    let AuditInput { chart, registry, settings, from, to, .. } = input;
    let mut out = Vec::new();
    let mut push = |rule, kind, date, voucher, people: Vec<String>, amount, detail: String| {
        out.push(Exception { rule, kind, date, voucher, people, amount, detail });
    };
    let posted: Vec<&AuditVoucher> =
        input.vouchers.iter().filter(|v| v.status == Status::Posted && v.voucher.origin() != Origin::Closing).collect();
    let mut expense_items = Vec::new();
    for av in &posted {
        let v = &av.voucher;
        let r = v.reference();
        let n = nature(chart, v);
        let approver = av.signatures.iter().find(|s| s.kind == SignKind::Approve).map(|s| s.person.clone());
        let people: Vec<String> = std::iter::once(v.preparer().to_string()).chain(approver.clone()).collect::<Vec<_>>();
        if n.expense && n.expense_amount >= settings.threshold {
            let basis = v.authorization().unwrap_or("（未引用）");
            push(
                Rule::Apr2,
                "大额支出",
                v.date(),
                Some(r),
                people.clone(),
                Some(n.expense_amount),
                format!("支出达到 {}，审批依据 {basis}", settings.threshold.to_yuan()),
            );
        }
        if n.expense {
            expense_items.push(ExpenseItem {
                voucher: r,
                date: v.date(),
                amount: n.expense_amount,
                counterparty: v.lines().iter().find_map(|l| l.counterparty.clone()),
                purpose: v.lines().first().map(|l| l.summary.clone()).unwrap_or_default(),
            });
        }
        if n.payment {
            let officers: Vec<&str> = registry.in_force(v.date()).map(|a| a.person.as_str()).collect();
            let related =
                officers.iter().find_map(|o| approver_conflict(registry, o, v).map(|why| (o.to_string(), why)));
            if let Some((officer, why)) = related {
                let why = why.replace("审批人", "干部");
                push(Rule::Sep6, "付款给干部或其近亲属", v.date(), Some(r), vec![officer], Some(v.total_debit()), why);
            }
        }
        if let Some(original) = v.reverses() {
            push(
                Rule::Vch5,
                "红字冲销",
                v.date(),
                Some(r),
                people.clone(),
                Some(v.total_debit().abs()),
                format!("冲销 {original}"),
            );
        }
        let closed_first = input.first_closes.iter().find(|(p, _)| *p == v.period()).map(|(_, seq)| *seq);
        if closed_first.is_some_and(|seq| av.entered_seq > seq) {
            push(
                Rule::Per2,
                "补记凭证",
                v.date(),
                Some(r),
                people.clone(),
                Some(v.total_debit()),
                format!("{} 结账后反结账补记，{} 录入", v.period(), format_date(av.entered)),
            );
        }
    }
    // Posting refuses short documents; a voucher still waiting may have them.
    for av in input.vouchers.iter().filter(|v| v.status != Status::Voided && v.voucher.reverses().is_none()) {
        let v = &av.voucher;
        let n = nature(chart, v);
        let documented: Money = v.documents().iter().filter_map(|d| d.amount).sum();
        if n.expense && documented < n.expense_amount {
            push(
                Rule::Doc3,
                "单据不足",
                v.date(),
                Some(v.reference()),
                vec![v.preparer().to_string()],
                Some(n.expense_amount),
                format!(
                    "所附单据合计 {}，少于支出 {}（{}）",
                    documented.to_yuan(),
                    n.expense_amount.to_yuan(),
                    av.status.chinese()
                ),
            );
        }
    }
    for s in suspected_splits(&expense_items, settings.threshold, settings.split_window_days) {
        let detail = format!(
            "{}：{} 张凭证合计 {}（{}）",
            s.key,
            s.vouchers.len(),
            s.total.to_yuan(),
            s.vouchers.iter().map(VoucherRef::to_string).collect::<Vec<_>>().join("、")
        );
        push(Rule::Apr3, "疑似拆分支出", s.first, s.vouchers.first().copied(), vec![], Some(s.total), detail);
    }
    for AuthorizationUse { authorization: a, used: spent } in input.authorizations {
        if *spent >= a.cap && a.date <= to {
            let kind = match a.kind {
                AuthKind::Government => "街道/镇政府批复",
                AuthKind::Resolution => "两委决议",
                AuthKind::Residents => "居民会议/议事会决议",
            };
            push(
                Rule::Apr2,
                "审批限额用尽",
                a.date,
                None,
                vec![],
                Some(*spent),
                format!("{kind} {} 限额 {}，已支出 {}", a.number, a.cap.to_yuan(), spent.to_yuan()),
            );
        }
    }
    let mut reset_by: BTreeMap<String, String> = BTreeMap::new();
    for fact in &input.log {
        match &fact.event {
            Event::Refused { command, rule, reasons } => {
                let why = reasons.reasons.first().map(|r| r.message.clone()).unwrap_or_default();
                push(
                    *rule,
                    "被拒绝的操作",
                    fact.date,
                    None,
                    vec![fact.actor.clone()],
                    None,
                    format!("{command}：{why}"),
                );
            }
            Event::SignInFailed { claimed, command, reason, failures, locked_until } => push(
                Rule::Opr1,
                "身份验证失败",
                fact.date,
                None,
                vec![],
                None,
                format!(
                    "以“{claimed}”的名义（连续第 {failures} 次{}）：{reason}；命令 {command}",
                    if locked_until.is_some() { "，已锁定" } else { "" }
                ),
            ),
            Event::PassphraseSet { person, reset: true, .. } => {
                reset_by.insert(person.clone(), fact.actor.clone());
                push(
                    Rule::Opr1,
                    "口令被重置",
                    fact.date,
                    None,
                    vec![person.clone(), fact.actor.clone()],
                    None,
                    format!("{} 重置了 {person} 的口令；{person}须先设置自己的口令才能办理事项", fact.actor),
                )
            }
            Event::PassphraseSet { person, reset: false, .. } => {
                if let Some(by) = reset_by.remove(person) {
                    push(
                        Rule::Opr1,
                        "重置后首次使用",
                        fact.date,
                        None,
                        vec![person.clone()],
                        None,
                        format!("{person} 以 {by} 重置的口令登录，设置了自己的口令"),
                    );
                }
            }
            Event::PeriodReopened { period, reason, accountant, approver } => push(
                Rule::Per2,
                "反结账",
                fact.date,
                None,
                vec![accountant.clone(), approver.clone()],
                None,
                format!("反结账 {period}：{reason}"),
            ),
            _ => {}
        }
    }
    for (person, since, until, why) in kinship_conflicts(registry, &input.log, to) {
        let days = (until - since).whole_days() + 1;
        push(
            Rule::Sep7,
            "亲属关系冲突",
            since,
            None,
            vec![person],
            None,
            format!("{} 至 {}（{days} 天）：{why}", format_date(since), format_date(until)),
        );
    }
    let settlements: Vec<(VoucherRef, Date, Money)> = posted
        .iter()
        .filter_map(|v| settlement(&v.voucher).map(|m| (v.voucher.reference(), v.voucher.date(), m)))
        .collect();
    for d in differences(&input.counts, &settlements) {
        let state = match d.settled_by {
            Some(r) => format!("已由 {r} 处理"),
            None => "尚未处理".into(),
        };
        push(
            Rule::Csh2,
            "现金盘点差额",
            d.count.date,
            d.settled_by,
            vec![d.count.counter.clone()],
            Some(d.count.difference()),
            format!(
                "{}（实点 {}，账面 {}），{state}",
                crate::cash::describe_difference(d.count.difference()),
                d.count.counted.to_yuan(),
                d.count.book.to_yuan()
            ),
        );
    }
    let live_from = from.max(input.start.first_day());
    if live_from <= to {
        let opening = input.opening_cash
            + posted
                .iter()
                .filter(|v| v.voucher.date() < live_from)
                .map(|v| crate::cash::cash_effect(&v.voucher))
                .sum::<Money>();
        let moves: Vec<(Date, Money)> = posted
            .iter()
            .filter(|v| v.voucher.date() >= live_from && v.voucher.lines().iter().any(|l| l.account.starts_with(CASH)))
            .map(|v| (v.voucher.date(), crate::cash::cash_effect(&v.voucher)))
            .collect();
        let mut ends = day_ends(opening, &moves, live_from, to);
        // Only days with movement close anew; carry-over days are the same cash.
        ends.retain(|(d, _)| moves.iter().any(|(m, _)| m == d));
        for (day, balance) in days_above_limit(&ends, settings.cash_limit) {
            push(
                Rule::Csh4,
                "库存现金超限额",
                day,
                None,
                vec![],
                Some(balance),
                format!("日终 {}，超过限额 {}", balance.to_yuan(), settings.cash_limit.to_yuan()),
            );
        }
    }
    for HistoryRow { period, vouchers: count, debit: total } in &input.history {
        push(
            Rule::Vch3,
            "迁移的历史数据",
            period.last_day(),
            None,
            vec![],
            Some(*total),
            format!("{period} 迁移历史凭证 {count} 张：启用前的记录，未经本系统的审批和签字"),
        );
    }
    out.retain(|e| e.date >= from && e.date <= to || e.rule == Rule::Sep7);
    out.sort_by(|a, b| (a.date, a.rule.id(), a.voucher).cmp(&(b.date, b.rule.id(), b.voucher)));
    out
}

/// [SEP-7] who was in conflict, from when to when, and why: from the day a
/// kinship fact made an officer's post conflict until the post or the span
/// ended.
fn kinship_conflicts(registry: &Registry, log: &[LogFact], to: Date) -> Vec<(String, Date, Date, String)> {
    let mut facts = Vec::new();
    let mut out: BTreeMap<(String, Date), (Date, String)> = BTreeMap::new();
    for fact in log {
        let Event::KinshipRecorded { fact: f } = &fact.event else { continue };
        facts.push(f.clone());
        let kinship = Kinship::new(facts.iter());
        for a in registry.appointments().iter().filter(|a| a.in_force(fact.date) && a.role.keeps_money_or_books()) {
            if let Some(r) = frozen(registry.appointments(), &kinship, &a.person, fact.date) {
                let until = a.ended.map(|e| e.previous_day().unwrap_or(e)).unwrap_or(to).min(to);
                out.entry((a.person.clone(), fact.date)).or_insert((until, r.message));
            }
        }
    }
    out.into_iter().map(|((p, since), (until, why))| (p, since, until, why)).collect()
}

/// [AUD-1] the log's time never goes backwards: an act timed before the
/// log's last entry is refused (the computer's clock is behind the log).
pub fn check_log_time(last: &str, at: &str) -> Result<(), crate::rule::Refusal> {
    if log_time_goes_back(last, at) {
        return Err(crate::rule::Refusal::new(
            Rule::Aud1,
            format!(
                "这台电脑的时钟（{}）比账簿日志的最后一条记录（{}）还早：时钟慢了或被调回过去。\
                 请校准电脑时间后再操作；本次未作任何改动",
                crate::period::show_time(at),
                crate::period::show_time(last)
            ),
        ));
    }
    Ok(())
}

/// Whether `at` is earlier than `last` (both RFC 3339) by a second or more:
/// the log is written to the second, and entries written before that kept a
/// fraction, which a later act in the same second must not be refused for.
/// Times that do not parse are not compared here (verification names them
/// on its own).
pub fn log_time_goes_back(last: &str, at: &str) -> bool {
    use time::format_description::well_known::Rfc3339;
    let second = |t: time::OffsetDateTime| t.replace_nanosecond(0).unwrap_or(t);
    match (time::OffsetDateTime::parse(last, &Rfc3339), time::OffsetDateTime::parse(at, &Rfc3339)) {
        (Ok(l), Ok(a)) => second(a) < second(l),
        _ => false,
    }
}

/// One act of a person, as the log records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Act {
    pub seq: i64,
    pub at: String,
    pub description: String,
    /// The rule that refused it, when it was refused.
    pub refused: Option<Rule>,
    pub hash: String,
}

/// [AUD-1] a log entry as a line of `person`'s trail, or `None` when it is
/// not theirs: their own acts, and someone else's act only when it reset
/// their passphrase.
pub fn act_of(person: &str, seq: i64, at: &str, actor: &str, event: &Event, hash: String) -> Option<Act> {
    let description = match event {
        _ if actor == person => match event {
            Event::Refused { reasons, .. } => {
                format!("{}：{}", event.describe(), reasons.reasons.first().map(|x| x.message.as_str()).unwrap_or(""))
            }
            _ => event.describe(),
        },
        Event::PassphraseSet { person: p, reset: true, .. } if p == person => format!("{actor}：{}", event.describe()),
        _ => return None,
    };
    let refused = match event {
        Event::Refused { rule, .. } => Some(*rule),
        _ => None,
    };
    Some(Act { seq, at: at.to_string(), description, refused, hash })
}

/// Exceptions counted by kind, for the heading of a report.
pub fn count_by_kind(items: &[Exception]) -> Vec<(&'static str, usize)> {
    let mut by: BTreeMap<&'static str, usize> = BTreeMap::new();
    for e in items {
        *by.entry(e.kind).or_default() += 1;
    }
    by.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Refusal, Refusals};

    #[test]
    fn aud_1_the_log_time_is_compared_to_the_second() {
        // An entry written with a fraction, then an act in the same second written without one.
        assert!(check_log_time("2026-01-05T09:30:15.900000000+08:00", "2026-01-05T09:30:15+08:00").is_ok());
        let e = check_log_time("2026-01-05T09:30:15+08:00", "2026-01-05T09:30:14+08:00").unwrap_err();
        assert_eq!(e.rule, Rule::Aud1);
        assert!(e.message.contains("2026-01-05 09:30:14") && !e.message.contains('T'), "{}", e.message);
    }

    #[test]
    fn aud_1_a_person_s_trail_holds_their_acts_and_the_resets_of_their_passphrase() {
        let own = Event::PersonRegistered { name: "钱伟".into() };
        let act = act_of("赵敏", 4, "2025-03-01T09:00:00+08:00", "赵敏", &own, "ab".into()).unwrap();
        assert_eq!((act.seq, act.refused, act.hash.as_str()), (4, None, "ab"));
        assert_eq!(act.description, own.describe());

        let refused = Event::Refused {
            command: "voucher post 2025-03/记-0001".into(),
            rule: Rule::Sep1,
            reasons: Refusals::one(Refusal::new(Rule::Sep1, "出纳不得记账")),
        };
        let act = act_of("赵敏", 5, "t", "赵敏", &refused, String::new()).unwrap();
        assert_eq!(act.refused, Some(Rule::Sep1));
        assert!(act.description.ends_with("：出纳不得记账"), "{}", act.description);

        let reset = Event::PassphraseSet { person: "赵敏".into(), hash: "h".into(), reset: true };
        let act = act_of("赵敏", 6, "t", "管理员", &reset, String::new()).unwrap();
        assert!(act.description.starts_with("管理员："), "{}", act.description);
        // Someone else's own passphrase, or any other act of theirs, is not in the trail.
        let theirs = Event::PassphraseSet { person: "管理员".into(), hash: "h".into(), reset: false };
        assert!(act_of("赵敏", 7, "t", "管理员", &theirs, String::new()).is_none());
        assert!(act_of("赵敏", 8, "t", "管理员", &own, String::new()).is_none());
    }
}
