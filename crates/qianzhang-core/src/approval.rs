//! Authorizations and the threshold (一支笔 and ¥1000): APR-2, APR-3, APR-4,
//! and the ledger settings they read.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::books::Books;
use crate::event::Event;
use crate::lifecycle::nature;
use crate::money::Money;
use crate::period::{date_serde, format_date};
use crate::rule::Failure;
use crate::rule::{Refusal, Rule};
use crate::voucher::{Status, Voucher, VoucherRef};

/// A ledger setting that can be changed, by an admin, on the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SettingKey {
    /// APR-2: expenses from this amount up need a government approval.
    Threshold,
    /// APR-3: days within which split expenses are looked for.
    SplitWindow,
    /// CSH-4: cash on hand above this is flagged.
    CashLimit,
    /// CSH-5: business days within which cash income is deposited.
    DepositDays,
    /// BNK-1: days a statement line and a book entry may lie apart and still match.
    MatchWindow,
    /// PUB-2: private individuals' given names are masked on disclosures (yes/no).
    MaskNames,
    /// PUB-1: who residents ask about the disclosure, as printed on it.
    Contact,
    /// FND-2: spending from money raised from residents above this cites a
    /// residents' decision.
    FundDecisionThreshold,
    /// PUB-1: where the web office serves the public board; the printed
    /// poster carries a QR code to its page there.
    PublicUrl,
}

impl SettingKey {
    pub fn parse(text: &str) -> Option<SettingKey> {
        match text {
            "threshold" => Some(SettingKey::Threshold),
            "split-window" => Some(SettingKey::SplitWindow),
            "cash-limit" => Some(SettingKey::CashLimit),
            "deposit-days" => Some(SettingKey::DepositDays),
            "match-window" => Some(SettingKey::MatchWindow),
            "mask-names" => Some(SettingKey::MaskNames),
            "contact" => Some(SettingKey::Contact),
            "fund-decision-threshold" => Some(SettingKey::FundDecisionThreshold),
            "public-url" => Some(SettingKey::PublicUrl),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SettingKey::Threshold => "threshold",
            SettingKey::SplitWindow => "split-window",
            SettingKey::CashLimit => "cash-limit",
            SettingKey::DepositDays => "deposit-days",
            SettingKey::MatchWindow => "match-window",
            SettingKey::MaskNames => "mask-names",
            SettingKey::Contact => "contact",
            SettingKey::FundDecisionThreshold => "fund-decision-threshold",
            SettingKey::PublicUrl => "public-url",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            SettingKey::Threshold => "审批限额（达到此数须街道/镇政府批复）",
            SettingKey::SplitWindow => "拆分支出检查天数",
            SettingKey::CashLimit => "库存现金限额",
            SettingKey::DepositDays => "现金收入送存银行期限（工作日）",
            SettingKey::MatchWindow => "银行对账日期容差（天）",
            SettingKey::MaskNames => "公开表隐去个人名字（yes/no）",
            SettingKey::Contact => "公开表咨询联系方式",
            SettingKey::FundDecisionThreshold => "居民筹资单笔支出超过此数须居民决议",
            SettingKey::PublicUrl => "公开网址（公开表海报上的二维码指向此处）",
        }
    }
}

/// The settings of a ledger, with the regulations' defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub threshold: Money,
    pub split_window_days: u32,
    pub cash_limit: Money,
    pub deposit_days: u32,
    pub match_window_days: u32,
    pub mask_names: bool,
    pub contact: String,
    /// FND-2: spending from a resident-raised fund above this needs a
    /// residents' decision.
    pub fund_decision_threshold: Money,
    /// PUB-1: the web office's address as residents reach it
    /// (`https://…`, no trailing slash), or none.
    pub public_url: Option<String>,
    /// PER-1/CSH-5: the ledger's amendments to the built-in holiday calendar.
    pub calendar: crate::calendar::Calendar,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            threshold: Money::from_fen(100_000),
            split_window_days: 7,
            cash_limit: Money::from_fen(300_000),
            deposit_days: 1,
            match_window_days: 5,
            mask_names: true,
            contact: String::new(),
            fund_decision_threshold: Money::from_fen(50_000),
            public_url: None,
            calendar: crate::calendar::Calendar::default(),
        }
    }
}

/// The longest deposit deadline and match window accepted, in days.
pub const MAX_DEPOSIT_DAYS: u32 = 30;

/// The longest split window accepted.
pub const MAX_SPLIT_WINDOW_DAYS: u32 = 366;

/// [LIM-1] the longest public URL accepted: the poster's QR code encodes
/// it with the board's path, and a shorter code scans more easily.
pub const MAX_PUBLIC_URL_CHARS: usize = 200;

/// What `settings set public-url` takes to mean "none".
const NO_PUBLIC_URL: [&str; 3] = ["", "none", "无"];

/// [PUB-1]/[LIM-1] a public URL as kept: an absolute `http://` or
/// `https://` address of printable ASCII, with a host, no user name, query
/// or fragment (the board's paths are appended to it), and no trailing
/// slash; the scheme lowercased. An empty value clears the setting.
pub fn check_public_url(value: &str) -> Result<String, Refusal> {
    let v = value.trim();
    if NO_PUBLIC_URL.contains(&v) {
        return Ok(String::new());
    }
    crate::text::check_text("公开网址", v, MAX_PUBLIC_URL_CHARS)?;
    let example = "如 https://xingfuli.example.cn 或 http://192.168.1.10:8080";
    let refuse = |why: String| Err(Refusal::new(Rule::Pub1, format!("公开网址“{v}”{why}")));
    if let Some(c) = v.chars().find(|c| !c.is_ascii_graphic() || "\"'<>\\`{}|^".contains(*c)) {
        let what = match c {
            ' ' | '\u{3000}' => "空格".to_string(),
            '"' | '\'' | '“' | '”' | '‘' | '’' => "引号".to_string(),
            c if !c.is_ascii() => format!("非英文字符“{c}”（中文域名请写成 xn-- 开头的形式）"),
            c => format!("字符“{c}”"),
        };
        return refuse(format!("含有{what}：网址只能由英文字母、数字和 / : . - _ ~ % 等符号组成，{example}"));
    }
    let lower = v.to_ascii_lowercase();
    let Some((scheme, rest)) =
        ["https://", "http://"].iter().find_map(|s| lower.strip_prefix(s).map(|_| (*s, &v[s.len()..])))
    else {
        return refuse(format!("须以 http:// 或 https:// 开头，{example}"));
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return refuse(format!("缺少主机名，{example}"));
    }
    if host.contains('@') {
        return refuse("不能含用户名或口令（@ 之前的部分）：海报是公开张贴的".into());
    }
    if rest.contains('?') || rest.contains('#') {
        return refuse("不能带 ? 或 # 之后的部分：公开表的网页路径接在网址后面".into());
    }
    Ok(format!("{scheme}{}", rest.trim_end_matches('/')))
}

impl Settings {
    /// [APR-4]/[CSH-4] reads a new value for `key`; returns it normalized.
    pub fn check(key: SettingKey, value: &str) -> Result<String, Refusal> {
        let rule = match key {
            SettingKey::CashLimit => Rule::Csh4,
            SettingKey::DepositDays => Rule::Csh5,
            SettingKey::MatchWindow => Rule::Bnk1,
            SettingKey::MaskNames => Rule::Pub2,
            SettingKey::FundDecisionThreshold => Rule::Fnd2,
            SettingKey::Contact | SettingKey::PublicUrl => Rule::Pub1,
            SettingKey::Threshold | SettingKey::SplitWindow => Rule::Apr4,
        };
        match key {
            SettingKey::Threshold | SettingKey::CashLimit | SettingKey::FundDecisionThreshold => {
                match Money::parse(value) {
                    Ok(m) if m.fen() > 0 => Ok(m.to_decimal_string()),
                    _ => Err(Refusal::new(rule, format!("{}须为大于零的金额，“{value}”不是", key.chinese()))),
                }
            }
            SettingKey::SplitWindow => match value.trim().parse::<u32>() {
                Ok(d) if (1..=MAX_SPLIT_WINDOW_DAYS).contains(&d) => Ok(d.to_string()),
                _ => Err(Refusal::new(rule, format!("{}须为 1 到 {MAX_SPLIT_WINDOW_DAYS} 的整数天数", key.chinese()))),
            },
            SettingKey::MaskNames => match value.trim() {
                "yes" | "是" => Ok("yes".into()),
                "no" | "否" => Ok("no".into()),
                _ => Err(Refusal::new(rule, format!("{}须为 yes 或 no", key.chinese()))),
            },
            SettingKey::Contact => {
                let v = value.trim();
                if v.is_empty() || v.chars().count() > 100 || v.chars().any(char::is_control) {
                    Err(Refusal::new(rule, format!("{}须为 1 到 100 个字", key.chinese())))
                } else {
                    Ok(v.to_string())
                }
            }
            SettingKey::DepositDays | SettingKey::MatchWindow => match value.trim().parse::<u32>() {
                Ok(d) if d <= MAX_DEPOSIT_DAYS => Ok(d.to_string()),
                _ => Err(Refusal::new(rule, format!("{}须为 0 到 {MAX_DEPOSIT_DAYS} 的整数天数", key.chinese()))),
            },
            SettingKey::PublicUrl => check_public_url(value),
        }
    }

    /// Applies a value that [`Settings::check`] accepted.
    pub fn set(&mut self, key: SettingKey, value: &str) {
        match key {
            SettingKey::Threshold => self.threshold = Money::parse(value).unwrap_or(self.threshold),
            SettingKey::CashLimit => self.cash_limit = Money::parse(value).unwrap_or(self.cash_limit),
            SettingKey::SplitWindow => self.split_window_days = value.parse().unwrap_or(self.split_window_days),
            SettingKey::DepositDays => self.deposit_days = value.parse().unwrap_or(self.deposit_days),
            SettingKey::MatchWindow => self.match_window_days = value.parse().unwrap_or(self.match_window_days),
            SettingKey::MaskNames => self.mask_names = value != "no",
            SettingKey::Contact => self.contact = value.to_string(),
            SettingKey::FundDecisionThreshold => {
                self.fund_decision_threshold = Money::parse(value).unwrap_or(self.fund_decision_threshold)
            }
            SettingKey::PublicUrl => self.public_url = Some(value.to_string()).filter(|v| !v.is_empty()),
        }
    }

    pub fn get(&self, key: SettingKey) -> String {
        match key {
            SettingKey::Threshold => self.threshold.to_decimal_string(),
            SettingKey::CashLimit => self.cash_limit.to_decimal_string(),
            SettingKey::SplitWindow => self.split_window_days.to_string(),
            SettingKey::DepositDays => self.deposit_days.to_string(),
            SettingKey::MatchWindow => self.match_window_days.to_string(),
            SettingKey::MaskNames => if self.mask_names { "yes" } else { "no" }.to_string(),
            SettingKey::Contact => self.contact.clone(),
            SettingKey::FundDecisionThreshold => self.fund_decision_threshold.to_decimal_string(),
            SettingKey::PublicUrl => self.public_url.clone().unwrap_or_default(),
        }
    }
}

/// The two kinds of authorization an expense can cite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// 两委会议决议: below the threshold.
    Resolution,
    /// 街道/镇政府批复: at or above the threshold.
    Government,
    /// 居民会议/议事会决议 (一事一议): spending money raised from residents
    /// (FND-2); below the threshold it stands for the 两委 resolution.
    Residents,
}

impl AuthKind {
    pub fn chinese(self) -> &'static str {
        match self {
            AuthKind::Resolution => "两委会议决议",
            AuthKind::Government => "街道/镇政府批复",
            AuthKind::Residents => "居民会议/议事会决议",
        }
    }
}

/// A resolution or approval recorded before the expenses that cite it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub number: String,
    pub kind: AuthKind,
    #[serde(with = "date_serde")]
    pub date: Date,
    pub scope: String,
    pub cap: Money,
    /// [SEP-6] a resolution recorded for a payment the approver stands aside
    /// from: to whom it pays, who signs in the approver's place, who withdrew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stand_aside: Option<StandAside>,
    /// [FND-2] a residents' decision: for which fund, who came, how they voted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<crate::collection::Decision>,
}

/// [SEP-6] what a 两委 resolution for a stand-aside payment records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandAside {
    /// The counterparty paid: the approver or their close relative.
    pub payee: String,
    /// The leader who signs the approval in the approver's place.
    pub deputy: String,
    /// Who withdrew from the meeting (回避), the approver among them.
    pub withdrawn: Vec<String>,
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}，{}）", self.number, self.kind.chinese(), format_date(self.date))
    }
}

/// [APR-2] checks a new authorization: a number not used before, a scope, a cap.
pub fn check_new_authorization(existing: Option<&Authorization>, a: &Authorization) -> Result<(), Refusal> {
    let apr = |m: String| Err(Refusal::new(Rule::Apr2, m));
    if a.number.trim().is_empty() || a.number.chars().count() > 60 {
        return apr("审批依据须有文号（不超过 60 个字）".into());
    }
    if existing.is_some() {
        return apr(format!("文号 {} 已经登记过", a.number));
    }
    if a.scope.trim().is_empty() {
        return apr(format!("{} 须写明事项范围", a.number));
    }
    if a.cap.fen() <= 0 {
        return apr(format!("{} 的限额须大于零", a.number));
    }
    crate::collection::check_decision(a)
}

/// [SEP-6] checks what a stand-aside resolution records: a 两委 resolution
/// naming registered people, noting who withdrew, whose deputy is a leader
/// in office on its date, neither the payee nor among those who withdrew,
/// and no close relative of the payee.
pub fn check_stand_aside(registry: &crate::people::Registry, a: &Authorization) -> Result<(), Refusal> {
    let Some(s) = &a.stand_aside else {
        return Ok(());
    };
    let sep = |m: String| Err(Refusal::new(Rule::Sep6, m));
    if a.kind != AuthKind::Resolution {
        return sep(format!("{} 是{}；代签人只能由两委会议决议指定（--kind resolution）", a.number, a.kind.chinese()));
    }
    for name in std::iter::once(&s.payee).chain([&s.deputy]).chain(&s.withdrawn) {
        crate::people::check_registered(registry, name)?;
    }
    if s.withdrawn.is_empty() {
        return sep(format!("{} 须载明回避的人（--withdrawn 审批人）", a.number));
    }
    if s.deputy == s.payee || s.withdrawn.contains(&s.deputy) {
        return sep(format!("代签人{}是收款人或已回避，不能代为审批", s.deputy));
    }
    if let Some(x) = registry.kinship().relation(&s.deputy, &s.payee) {
        return sep(format!(
            "代签人{}是收款人{}的{}（{}），同样须回避；请指定另一名无利害关系的领导",
            s.deputy,
            s.payee,
            x.relation.chinese(),
            x.path_phrase()
        ));
    }
    if registry.leader_appointment(&s.deputy, a.date).is_none() {
        return sep(format!(
            "代签人{}在 {} 没有在任的领导职务（书记、副书记、主任、副主任或两委委员）",
            s.deputy,
            format_date(a.date)
        ));
    }
    Ok(())
}

/// Cash advances (借款) are lent on the borrower's sub-account of 1122.
const ADVANCES: &str = "1122";

/// [APR-2] what one expense counts against its authorization's cap: the
/// money that left for its purpose, once. A cash advance counts when paid
/// (it debits 1122); its settlement counts only what it pays beyond the
/// advance it clears (credits to 1122 are taken off), so that money
/// returned reduces the total. An advance and its settlement cite the same
/// authorization.
pub fn counted(chart: &crate::account::Chart, v: &Voucher) -> Money {
    let n = nature(chart, v);
    if !n.expense {
        return Money::ZERO;
    }
    let cleared: Money = v
        .lines()
        .iter()
        .filter(|l| l.side == crate::voucher::Side::Credit && l.account.starts_with(ADVANCES))
        .map(|l| l.amount)
        .sum();
    n.expense_amount - cleared
}

/// [APR-2] what an authorization has paid for so far: [`counted`] over the
/// posted vouchers citing it.
pub fn spent(chart: &crate::account::Chart, citing: &[(Voucher, Status)], except: Option<VoucherRef>) -> Money {
    citing
        .iter()
        .filter(|(v, s)| *s == Status::Posted && Some(v.reference()) != except)
        .map(|(v, _)| counted(chart, v))
        .sum()
}

/// [APR-2] an expense cites an authorization recorded beforehand, of the
/// kind its amount needs, dated no later, with room left under its cap.
/// `authorization` is the one cited (if recorded); `spent` what it has paid.
pub fn check_expense_authorization(
    chart: &crate::account::Chart,
    settings: &Settings,
    v: &Voucher,
    authorization: Option<&Authorization>,
    spent: Money,
) -> Option<Refusal> {
    let n = nature(chart, v);
    if !n.expense {
        return None;
    }
    let amount = n.expense_amount;
    let r = v.reference();
    let apr = |m: String| Some(Refusal::new(Rule::Apr2, m));
    let need = if amount >= settings.threshold { AuthKind::Government } else { AuthKind::Resolution };
    let Some(cited) = v.authorization() else {
        return apr(format!("支出 {} 须注明审批依据（{}）；凭证 {r} 没有", amount.to_yuan(), need.chinese()));
    };
    let Some(a) = authorization else {
        return apr(format!(
            "凭证 {r} 引用的审批依据“{cited}”尚未登记；支出 {} 须有{}，请管理员先用 auth add 登记",
            amount.to_yuan(),
            need.chinese()
        ));
    };
    // A residents' decision (一事一议) is the community deciding for itself:
    // below the threshold it stands for the 两委 resolution when the expense
    // spends the fund it was made for (FND-2).
    let stands_in = a.kind == AuthKind::Residents
        && need == AuthKind::Resolution
        && a.decision.as_ref().is_some_and(|d| crate::collection::spending_by_fund(v).contains_key(&d.fund));
    if a.kind != need && !stands_in {
        return match need {
            AuthKind::Government => apr(format!(
                "支出 {} 达到 {}，须{}；{} 是{}，不能代替批复",
                amount.to_yuan(),
                settings.threshold.to_yuan(),
                need.chinese(),
                a.number,
                a.kind.chinese()
            )),
            AuthKind::Resolution | AuthKind::Residents => apr(format!(
                "支出 {} 不足 {}，由社区两委会议决议审批，{} 不能代替决议",
                amount.to_yuan(),
                settings.threshold.to_yuan(),
                a.kind.chinese()
            )),
        };
    }
    if a.date > v.date() {
        return apr(format!(
            "{} 的日期 {} 晚于支出日期 {}：须先批准后支出",
            a.number,
            format_date(a.date),
            format_date(v.date())
        ));
    }
    let adds = counted(chart, v);
    if spent + adds > a.cap {
        return apr(format!(
            "{} 限额 {}，已支出 {}，本笔 {} 将超出限额",
            a.number,
            a.cap.to_yuan(),
            spent.to_yuan(),
            adds.to_yuan()
        ));
    }
    None
}

/// One expense as the split check sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpenseItem {
    pub voucher: VoucherRef,
    pub date: Date,
    pub amount: Money,
    pub counterparty: Option<String>,
    pub purpose: String,
}

/// A group of expenses, each under the threshold, that together reach it
/// within the window, to the same counterparty or for the same purpose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SuspectedSplit {
    /// `往来单位 X` or `摘要 Y`.
    pub key: String,
    pub vouchers: Vec<VoucherRef>,
    pub total: Money,
    #[serde(with = "date_serde")]
    pub first: Date,
    #[serde(with = "date_serde")]
    pub last: Date,
}

/// [APR-3] finds suspected splits (拆分规避): for each counterparty and each
/// purpose, the largest runs of sub-threshold expenses whose dates lie within
/// `window_days` and whose sum reaches `threshold`.
pub fn suspected_splits(items: &[ExpenseItem], threshold: Money, window_days: u32) -> Vec<SuspectedSplit> {
    let mut groups: BTreeMap<String, Vec<&ExpenseItem>> = BTreeMap::new();
    for item in items.iter().filter(|i| i.amount < threshold && i.amount.fen() > 0) {
        if let Some(c) = &item.counterparty {
            groups.entry(format!("往来单位 {c}")).or_default().push(item);
        }
        groups.entry(format!("摘要 {}", item.purpose)).or_default().push(item);
    }
    let mut out = Vec::new();
    for (key, mut group) in groups {
        group.sort_by_key(|i| (i.date, i.voucher));
        // The widest window from each expense; one contained in the window
        // reported before it adds nothing.
        let mut reported_to: Option<usize> = None;
        for i in 0..group.len() {
            let mut j = i;
            while j + 1 < group.len() && (group[j + 1].date - group[i].date).whole_days() < i64::from(window_days) {
                j += 1;
            }
            if j == i || reported_to.is_some_and(|end| j <= end) {
                continue;
            }
            let window = &group[i..=j];
            let total: Money = window.iter().map(|x| x.amount).sum();
            if total >= threshold {
                out.push(SuspectedSplit {
                    key: key.clone(),
                    vouchers: window.iter().map(|x| x.voucher).collect(),
                    total,
                    first: window[0].date,
                    last: window[window.len() - 1].date,
                });
                reported_to = Some(j);
            }
        }
    }
    out
}

/// [APR-4]/[CSH-4] changes a ledger setting.
pub fn change_setting(books: &mut impl Books, key: SettingKey, value: &str) -> Result<String, Failure> {
    let value = Settings::check(key, value)?;
    books.append(Event::SettingChanged { key, value: value.clone() })?;
    Ok(value)
}

/// [PER-1]/[CSH-5] marks a day of the ledger's calendar as a holiday or a
/// make-up working day (admin), overriding the built-in notice for it.
pub fn mark_calendar_day(books: &mut impl Books, day: crate::calendar::MarkedDay) -> Result<(), Failure> {
    let name = day.name.trim();
    if name.chars().count() > 40 || name.chars().any(char::is_control) {
        return Err(Refusal::new(Rule::Per1, "节假日名称须不超过 40 个字").into());
    }
    let day = crate::calendar::MarkedDay { name: name.to_string(), ..day };
    books.append(Event::CalendarDayMarked { day })?;
    Ok(())
}

/// [APR-2] records a resolution or government approval; [SEP-6] a
/// resolution for a stand-aside payment names its deputy signer.
pub fn record_authorization(books: &mut impl Books, authorization: Authorization) -> Result<(), Failure> {
    let existing = books.authorization(&authorization.number)?;
    check_new_authorization(existing.as_ref(), &authorization)?;
    crate::approval::check_stand_aside(books.registry(), &authorization)?;
    books.append(Event::AuthorizationRecorded { authorization })?;
    Ok(())
}

/// [APR-2] the authorization a voucher cites, checked against the
/// threshold, its date and what it has already paid for.
pub fn check_authorization(books: &mut impl Books, v: &Voucher) -> Result<Option<Refusal>, Failure> {
    let (cited, spent_so_far) = match v.authorization() {
        Some(number) => {
            let cited = books.authorization(number)?;
            let citing = books.vouchers_citing(number)?;
            (cited, spent(books.chart(), &citing, Some(v.reference())))
        }
        None => (None, Money::ZERO),
    };
    if let Some(r) = check_expense_authorization(books.chart(), books.settings(), v, cited.as_ref(), spent_so_far) {
        return Ok(Some(r));
    }
    crate::collection::check_residents_decision(books, v, cited.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::{prepare_voucher, Books};
    use crate::memory::MemoryBooks;
    use crate::period::Period;
    use crate::test_support::draft;
    use crate::voucher::Origin;
    use time::macros::date;

    fn auth(number: &str, kind: AuthKind, d: Date, cap: i64) -> Authorization {
        Authorization {
            number: number.into(),
            kind,
            date: d,
            scope: "办公".into(),
            cap: Money::from_fen(cap),
            stand_aside: None,
            decision: None,
        }
    }

    fn expense(fen: i64, cited: Option<&str>) -> (MemoryBooks, Voucher) {
        let mut b = MemoryBooks::fixture();
        let mut d = draft(date!(2025 - 03 - 05), fen);
        d.authorization = cited.map(str::to_string);
        let r = prepare_voucher(&mut b, d, Origin::Entered, "赵敏").unwrap();
        let v = b.vouchers[&r].0.clone();
        (b, v)
    }

    #[test]
    fn apr_2_the_kind_follows_the_threshold() {
        let s = Settings::default();
        let resolution = auth("两委决议〔2025〕1号", AuthKind::Resolution, date!(2025 - 03 - 01), 500_000);
        let government = auth("街道批复〔2025〕3号", AuthKind::Government, date!(2025 - 03 - 01), 500_000);
        let (b, small) = expense(99_999, Some("两委决议〔2025〕1号"));
        assert_eq!(check_expense_authorization(&b.chart, &s, &small, Some(&resolution), Money::ZERO), None);
        let e = check_expense_authorization(&b.chart, &s, &small, Some(&government), Money::ZERO).unwrap();
        assert!(e.message.contains("不能代替决议"), "{}", e.message);
        let (b, big) = expense(100_000, Some("x"));
        let e = check_expense_authorization(&b.chart, &s, &big, Some(&resolution), Money::ZERO).unwrap();
        assert!(e.message.contains("支出 ¥1,000.00 达到 ¥1,000.00，须街道/镇政府批复"), "{}", e.message);
        assert_eq!(check_expense_authorization(&b.chart, &s, &big, Some(&government), Money::ZERO), None);
    }

    #[test]
    fn apr_2_cited_recorded_dated_before_and_within_cap() {
        let s = Settings::default();
        let (b, none) = expense(5_000, None);
        assert_eq!(check_expense_authorization(&b.chart, &s, &none, None, Money::ZERO).unwrap().rule, Rule::Apr2);
        let (b, v) = expense(5_000, Some("两委决议〔2025〕9号"));
        assert!(check_expense_authorization(&b.chart, &s, &v, None, Money::ZERO).unwrap().message.contains("尚未登记"));
        let late = auth("两委决议〔2025〕9号", AuthKind::Resolution, date!(2025 - 03 - 06), 10_000);
        assert!(check_expense_authorization(&b.chart, &s, &v, Some(&late), Money::ZERO)
            .unwrap()
            .message
            .contains("晚于支出日期"));
        let capped = auth("两委决议〔2025〕9号", AuthKind::Resolution, date!(2025 - 03 - 01), 10_000);
        assert_eq!(check_expense_authorization(&b.chart, &s, &v, Some(&capped), Money::from_fen(5_000)), None);
        let e = check_expense_authorization(&b.chart, &s, &v, Some(&capped), Money::from_fen(5_001)).unwrap();
        assert!(e.message.contains("超出限额"), "{}", e.message);
    }

    /// ¥1,500 advanced to 张伟, settled with a ¥1,620 invoice: ¥120 more paid out.
    #[test]
    fn apr_2_an_advance_and_its_settlement_count_once() {
        use crate::voucher::{Line, Side};
        let mut b = MemoryBooks::fixture();
        b.settings.threshold = Money::from_fen(1_000_000);
        let borrower =
            crate::account::NewAccount { code: "112201".into(), name: "张伟".into(), kind: None, opened: None };
        b.chart.insert(b.chart.check_new(&borrower).unwrap());
        let cited = crate::test_support::STANDING;
        let voucher = |b: &mut MemoryBooks, day: Date, lines: &[(&str, Side, i64)]| {
            let mut d = draft(day, 1);
            d.lines = lines
                .iter()
                .map(|(account, side, fen)| Line {
                    summary: "文艺汇演".into(),
                    account: account.to_string(),
                    side: *side,
                    amount: Money::from_fen(*fen),
                    fund: None,
                    counterparty: None,
                })
                .collect();
            d.documents[0].amount = lines.iter().map(|l| Money::from_fen(l.2)).max();
            if lines[0].0 == "112201" {
                d.documents[0].doc_type = "借款单".into();
            }
            let r = prepare_voucher(b, d, Origin::Entered, "赵敏").unwrap();
            if !lines.iter().any(|l| l.0 == "1001" && l.1 == Side::Debit) {
                crate::test_support::post(b, r).unwrap();
            }
            b.vouchers[&r].0.clone()
        };
        let advance = voucher(
            &mut b,
            date!(2025 - 02 - 26),
            &[("112201", Side::Debit, 150_000), ("1001", Side::Credit, 150_000)],
        );
        assert_eq!(counted(&b.chart, &advance), Money::from_fen(150_000), "an advance counts when paid");
        let settlement = voucher(
            &mut b,
            date!(2025 - 03 - 03),
            &[("5201", Side::Debit, 162_000), ("112201", Side::Credit, 150_000), ("1001", Side::Credit, 12_000)],
        );
        assert_eq!(counted(&b.chart, &settlement), Money::from_fen(12_000), "only what is paid beyond the advance");
        let citing = b.vouchers_citing(cited).unwrap();
        assert_eq!(spent(&b.chart, &citing, None), Money::from_fen(162_000), "¥1,620.00, not ¥3,120.00");
        // The cap is judged by the same count: a ¥1,700 cap holds both.
        let cap = auth(cited, AuthKind::Resolution, date!(2025 - 01 - 01), 170_000);
        let before = spent(&b.chart, &citing, Some(settlement.reference()));
        let s = Settings { threshold: Money::from_fen(1_000_000), ..Settings::default() };
        assert_eq!(check_expense_authorization(&b.chart, &s, &settlement, Some(&cap), before), None);
        // Money returned reduces the total: ¥1,380 spent of a ¥1,500 advance.
        let returned = voucher(
            &mut b,
            date!(2025 - 03 - 04),
            &[("5201", Side::Debit, 138_000), ("1001", Side::Debit, 12_000), ("112201", Side::Credit, 150_000)],
        );
        assert_eq!(counted(&b.chart, &returned), Money::from_fen(-12_000));
    }

    #[test]
    fn apr_4_settings_are_checked() {
        assert_eq!(Settings::check(SettingKey::Threshold, "2,000"), Ok("2000.00".into()));
        assert_eq!(Settings::check(SettingKey::Threshold, "0").unwrap_err().rule, Rule::Apr4);
        assert_eq!(Settings::check(SettingKey::SplitWindow, "0").unwrap_err().rule, Rule::Apr4);
        assert_eq!(Settings::check(SettingKey::CashLimit, "-1").unwrap_err().rule, Rule::Csh4);
        let mut s = Settings::default();
        s.set(SettingKey::SplitWindow, "10");
        assert_eq!(s.split_window_days, 10);
    }

    /// [PUB-1] the public URL: an absolute http(s) address, kept without
    /// its trailing slash; anything a QR code or a path cannot carry is
    /// refused naming what is wrong; the length is LIM-1's.
    #[test]
    fn pub_1_public_url_is_an_absolute_http_address() {
        let check = |v: &str| Settings::check(SettingKey::PublicUrl, v);
        for (typed, kept) in [
            ("https://xingfuli.example.cn", "https://xingfuli.example.cn"),
            (" HTTPS://Xingfuli.example.cn/ ", "https://Xingfuli.example.cn"),
            ("http://192.168.1.10:8080/qianzhang//", "http://192.168.1.10:8080/qianzhang"),
            ("https://example.cn/a%20b", "https://example.cn/a%20b"),
            ("", ""),
            ("none", ""),
            ("无", ""),
        ] {
            assert_eq!(check(typed), Ok(kept.to_string()), "{typed}");
        }
        for (bad, says) in [
            ("xingfuli.example.cn", "http://"),
            ("ftp://example.cn", "http://"),
            ("javascript:alert(1)", "http://"),
            ("https://", "主机名"),
            ("https:///board", "主机名"),
            ("https://:8080", "主机名"),
            ("https://exa mple.cn", "空格"),
            ("https://example.cn/\"x", "引号"),
            ("https://example.cn/'x", "引号"),
            ("https://example.cn/<x>", "字符“<”"),
            ("https://幸福里.cn", "xn--"),
            ("https://user:pw@example.cn", "口令"),
            ("https://example.cn/?a=1", "?"),
            ("https://example.cn/#top", "#"),
        ] {
            let r = check(bad).unwrap_err();
            assert_eq!(r.rule, Rule::Pub1, "{bad}");
            assert!(r.message.contains(says) && r.message.contains("公开网址"), "{bad}: {}", r.message);
        }
        let long = format!("https://example.cn/{}", "a".repeat(MAX_PUBLIC_URL_CHARS));
        assert_eq!(check(&long).unwrap_err().rule, Rule::Lim1);
        assert_eq!(check("https://example.cn/\u{1b}[2J").unwrap_err().rule, Rule::Lim1);
        let mut s = Settings::default();
        assert_eq!(s.public_url, None);
        s.set(SettingKey::PublicUrl, "https://example.cn");
        assert_eq!(
            (s.public_url.as_deref(), s.get(SettingKey::PublicUrl).as_str()),
            (Some("https://example.cn"), "https://example.cn")
        );
        s.set(SettingKey::PublicUrl, "");
        assert_eq!((s.public_url.clone(), s.get(SettingKey::PublicUrl)), (None, String::new()));
    }

    /// [PUB-1] a public URL of the longest length is recorded, and so is a
    /// contact of 100 characters: the event's check allows what the
    /// settings' own checks do.
    #[test]
    fn pub_1_the_longest_public_url_and_contact_are_recorded() {
        let mut b = MemoryBooks::fixture();
        let url = format!("https://example.cn/{}", "a".repeat(MAX_PUBLIC_URL_CHARS - 19));
        assert_eq!(change_setting(&mut b, SettingKey::PublicUrl, &url).unwrap(), url);
        assert_eq!(b.settings().public_url, Some(url));
        let contact = "居委会财务室".repeat(16);
        assert!(contact.chars().count() <= 100);
        change_setting(&mut b, SettingKey::Contact, &contact).unwrap();
    }

    #[test]
    fn csh_5_and_bnk_1_deadlines_are_settings() {
        let s = Settings::default();
        assert_eq!((s.deposit_days, s.match_window_days), (1, 5), "next business day; five days apart");
        assert_eq!(Settings::check(SettingKey::DepositDays, "2"), Ok("2".into()));
        assert_eq!(Settings::check(SettingKey::DepositDays, "x").unwrap_err().rule, Rule::Csh5);
        assert_eq!(Settings::check(SettingKey::MatchWindow, "31").unwrap_err().rule, Rule::Bnk1);
        let mut s = s;
        s.set(SettingKey::MatchWindow, "0");
        assert_eq!(s.get(SettingKey::MatchWindow), "0");
        assert_eq!(SettingKey::parse("deposit-days"), Some(SettingKey::DepositDays));
    }

    fn item(n: u32, d: Date, fen: i64, cp: &str, purpose: &str) -> ExpenseItem {
        ExpenseItem {
            voucher: VoucherRef { period: Period::of(d), number: n },
            date: d,
            amount: Money::from_fen(fen),
            counterparty: Some(cp.into()),
            purpose: purpose.into(),
        }
    }

    #[test]
    fn apr_3_sub_threshold_expenses_that_add_up_within_the_window() {
        let t = Money::from_fen(100_000);
        let items = [
            item(1, date!(2025 - 03 - 01), 60_000, "惠民文具店", "办公用品"),
            item(2, date!(2025 - 03 - 05), 50_000, "惠民文具店", "文具"),
            item(3, date!(2025 - 03 - 20), 90_000, "惠民文具店", "纸张"),
            item(4, date!(2025 - 03 - 21), 20_000, "别家", "纸张"),
        ];
        let splits = suspected_splits(&items, t, 7);
        assert_eq!(splits.len(), 2, "{splits:?}");
        assert_eq!(splits[0].key, "往来单位 惠民文具店");
        assert_eq!(splits[0].vouchers.len(), 2);
        assert_eq!(splits[0].total, Money::from_fen(110_000));
        assert_eq!(splits[1].key, "摘要 纸张");
        assert!(suspected_splits(&items, t, 3).iter().all(|s| s.key == "摘要 纸张"), "outside a 3-day window");
        let big = [item(5, date!(2025 - 03 - 01), 150_000, "x", "y"), item(6, date!(2025 - 03 - 02), 10_000, "x", "y")];
        assert!(suspected_splits(&big, t, 7).is_empty(), "an expense over the threshold was approved as such");
    }
}
