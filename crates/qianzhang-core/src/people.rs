//! People, appointments and kinship: the facts behind 钱账分管.
//!
//! Kinship is recorded as facts (spouse, parent, sibling, kin) and close
//! relatives are derived from them as the regulations define 回避 relations:
//! spouses, lineal blood relatives, collateral blood relatives within three
//! generations, and close in-laws. Every derived relation comes with the chain
//! of facts that proves it, so a refusal can say why.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;

mod commands;

pub use commands::*;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::period::{format_date, opt_date_serde};
use crate::rule::{Refusal, Rule};

/// The roles of the finance office (DOMAIN §0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Accountant,
    Cashier,
    Reviewer,
    Approver,
    Auditor,
    Admin,
}

impl Role {
    pub fn chinese(self) -> &'static str {
        match self {
            Role::Accountant => "会计",
            Role::Cashier => "出纳",
            Role::Reviewer => "审核",
            Role::Approver => "审批人",
            Role::Auditor => "监督",
            Role::Admin => "管理员",
        }
    }

    /// Accountant and cashier: the two posts that keep money and books apart.
    pub fn keeps_money_or_books(self) -> bool {
        matches!(self, Role::Accountant | Role::Cashier)
    }
}

/// A person holding a role from a date; `ended` is the first day out of office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub person: String,
    pub role: Role,
    #[serde(with = "crate::period::date_serde")]
    pub from: Date,
    #[serde(default, with = "opt_date_serde", skip_serializing_if = "Option::is_none")]
    pub ended: Option<Date>,
    /// 书记, 副书记, 主任, 副主任 and 两委 members.
    #[serde(default)]
    pub leader: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// 代理审批 (APR-1): an approver appointment with a start and an end,
    /// during which this person alone signs approvals.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub acting: bool,
}

impl Appointment {
    pub fn in_force(&self, date: Date) -> bool {
        self.from <= date && self.ended.is_none_or(|e| date < e)
    }

    /// Whether the two tenures share at least one day.
    pub fn overlaps(&self, other: &Appointment) -> bool {
        let before = |a: &Appointment, b: &Appointment| a.ended.is_some_and(|e| e <= b.from);
        !before(self, other) && !before(other, self)
    }

    /// `主任李明`, `出纳王芳`, `代理审批人张华`: how messages name an officer.
    pub fn describe(&self) -> String {
        format!("{}{}", self.post(), self.person)
    }

    /// The post as people name it: the title (主任), else the role.
    pub fn post(&self) -> &str {
        match (&self.title, self.acting) {
            (Some(t), _) => t.as_str(),
            (None, true) => "代理审批人",
            (None, false) => self.role.chinese(),
        }
    }

    /// `2025-03-01 至 2025-03-14`, or `自 2025-03-01 起` while open-ended.
    pub fn tenure(&self) -> String {
        match self.ended.and_then(|e| e.previous_day()) {
            Some(last) => format!("{} 至 {}", format_date(self.from), format_date(last)),
            None => format!("自 {} 起", format_date(self.from)),
        }
    }
}

/// One recorded kinship fact. Facts are never refused (SEP-7).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KinFact {
    Spouse {
        a: String,
        b: String,
    },
    /// `parent` is a parent of `child`.
    Parent {
        parent: String,
        child: String,
    },
    Sibling {
        a: String,
        b: String,
    },
    /// A close relation stated directly when the people between are not registered.
    Kin {
        a: String,
        b: String,
    },
}

/// The kinds of close relative (近亲属).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Spouse,
    Lineal,
    Collateral,
    InLaw,
    Kin,
}

impl Relation {
    pub fn chinese(self) -> &'static str {
        match self {
            Relation::Spouse => "夫妻",
            Relation::Lineal => "直系血亲",
            Relation::Collateral => "三代以内旁系血亲",
            Relation::InLaw => "近姻亲",
            Relation::Kin => "近亲属（直接登记）",
        }
    }
}

/// One step of a chain: the next person and what they are to the previous one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub label: &'static str,
    pub person: String,
}

/// A derived close relation and the facts that make it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub from: String,
    pub relation: Relation,
    pub steps: Vec<Step>,
}

impl Explanation {
    /// The chain with each person's post beside their name, from `post`:
    /// `王芳 → 配偶 李强 → 兄弟姐妹 李明（主任）：近姻亲`.
    pub fn render(&self, post: impl Fn(&str) -> Option<String>) -> String {
        let name = |p: &str| match post(p) {
            Some(title) => format!("{p}（{title}）"),
            None => p.to_string(),
        };
        let mut out = name(&self.from);
        for s in &self.steps {
            out.push_str(&format!(" → {} {}", s.label, name(&s.person)));
        }
        format!("{out}：{}", self.relation.chinese())
    }

    /// `配偶的兄弟姐妹`: the chain as one phrase, for messages.
    pub fn path_phrase(&self) -> String {
        self.steps.iter().map(|s| s.label).collect::<Vec<_>>().join("的")
    }
}

impl fmt::Display for Explanation {
    /// `王芳 → 配偶 李强 → 兄弟姐妹 李明：近姻亲`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.from)?;
        for s in &self.steps {
            write!(f, " → {} {}", s.label, s.person)?;
        }
        write!(f, "：{}", self.relation.chinese())
    }
}

const PARENT: &str = "父母";
const CHILD: &str = "子女";
const SIBLING: &str = "兄弟姐妹";
const SPOUSE: &str = "配偶";
const KIN: &str = "近亲属";

/// Lineal chains are followed this many generations up or down.
const MAX_LINEAL_GENERATIONS: usize = 8;

/// Kinship facts indexed for derivation.
#[derive(Clone, Debug, Default)]
pub struct Kinship {
    parents: HashMap<String, BTreeSet<String>>,
    spouses: HashMap<String, BTreeSet<String>>,
    kin: HashMap<String, BTreeSet<String>>,
    /// Sibling groups: every member of a group shares the group's parents.
    sibling_group: HashMap<String, usize>,
    groups: Vec<BTreeSet<String>>,
}

/// A node when climbing towards common ancestors: a person, or the unnamed
/// parents shared by a sibling group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Person(String),
    Group(usize),
}

impl Kinship {
    pub fn new<'a>(facts: impl IntoIterator<Item = &'a KinFact>) -> Kinship {
        let mut k = Kinship::default();
        let mut sibling_pairs = Vec::new();
        for f in facts {
            match f {
                KinFact::Spouse { a, b } => {
                    k.spouses.entry(a.clone()).or_default().insert(b.clone());
                    k.spouses.entry(b.clone()).or_default().insert(a.clone());
                }
                KinFact::Parent { parent, child } => {
                    k.parents.entry(child.clone()).or_default().insert(parent.clone());
                }
                KinFact::Sibling { a, b } => sibling_pairs.push((a.clone(), b.clone())),
                KinFact::Kin { a, b } => {
                    k.kin.entry(a.clone()).or_default().insert(b.clone());
                    k.kin.entry(b.clone()).or_default().insert(a.clone());
                }
            }
        }
        // Sibling groups by union: a sibling of a sibling is a sibling.
        for (a, b) in sibling_pairs {
            match (k.sibling_group.get(&a).copied(), k.sibling_group.get(&b).copied()) {
                (Some(x), Some(y)) if x != y => {
                    let moved = std::mem::take(&mut k.groups[y]);
                    for m in &moved {
                        k.sibling_group.insert(m.clone(), x);
                    }
                    k.groups[x].extend(moved);
                }
                (Some(_), Some(_)) => {}
                (Some(x), None) => {
                    k.groups[x].insert(b.clone());
                    k.sibling_group.insert(b, x);
                }
                (None, Some(y)) => {
                    k.groups[y].insert(a.clone());
                    k.sibling_group.insert(a, y);
                }
                (None, None) => {
                    k.groups.push([a.clone(), b.clone()].into_iter().collect());
                    let g = k.groups.len() - 1;
                    k.sibling_group.insert(a, g);
                    k.sibling_group.insert(b, g);
                }
            }
        }
        k
    }

    /// Registered parents of `p`, including those of p's siblings.
    fn parents_of(&self, p: &str) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.parents.get(p).cloned().unwrap_or_default();
        if let Some(g) = self.sibling_group.get(p) {
            for s in &self.groups[*g] {
                out.extend(self.parents.get(s).cloned().unwrap_or_default());
            }
        }
        out
    }

    /// `b` is an ancestor of `a`: the chain of parents from a up to b.
    fn ancestor_chain(&self, a: &str, b: &str) -> Option<Vec<Step>> {
        let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut queue = VecDeque::from([(a.to_string(), 0usize)]);
        seen.insert(a.to_string(), None);
        while let Some((p, depth)) = queue.pop_front() {
            if p == b && depth > 0 {
                let mut chain = Vec::new();
                let mut cur = p;
                while let Some(Some(prev)) = seen.get(&cur) {
                    chain.push(Step { label: PARENT, person: cur.clone() });
                    cur = prev.clone();
                }
                chain.reverse();
                return Some(chain);
            }
            if depth == MAX_LINEAL_GENERATIONS {
                continue;
            }
            for parent in self.parents_of(&p) {
                if !seen.contains_key(&parent) {
                    seen.insert(parent.clone(), Some(p.clone()));
                    queue.push_back((parent, depth + 1));
                }
            }
        }
        None
    }

    fn lineal(&self, a: &str, b: &str) -> Option<Vec<Step>> {
        if let Some(up) = self.ancestor_chain(a, b) {
            return Some(up);
        }
        // b is a descendant of a: walk the chain from b up to a, then read it downwards.
        let up = self.ancestor_chain(b, a)?;
        let mut people: Vec<String> = vec![b.to_string()];
        people.extend(up.iter().map(|s| s.person.clone()));
        people.pop(); // a itself
        people.reverse();
        Some(people.into_iter().map(|p| Step { label: CHILD, person: p }).collect())
    }

    /// Nodes within two generations above `p`, with the path to each.
    fn ancestors_within_two(&self, p: &str) -> BTreeMap<Node, Vec<Node>> {
        let mut out: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
        let mut frontier = vec![(p.to_string(), vec![Node::Person(p.to_string())])];
        for _ in 0..2 {
            let mut next = Vec::new();
            for (person, path) in frontier {
                let mut ups: Vec<Node> = self.parents_of(&person).into_iter().map(Node::Person).collect();
                if let Some(g) = self.sibling_group.get(&person) {
                    ups.push(Node::Group(*g));
                }
                for up in ups {
                    let mut path = path.clone();
                    path.push(up.clone());
                    if !out.contains_key(&up) {
                        out.insert(up.clone(), path.clone());
                        if let Node::Person(name) = &up {
                            next.push((name.clone(), path));
                        }
                    }
                }
            }
            frontier = next;
        }
        out
    }

    /// Collateral within three generations: a common ancestor at most two
    /// generations above each, and not lineal.
    fn collateral(&self, a: &str, b: &str) -> Option<Vec<Step>> {
        if a == b {
            return None;
        }
        let up_a = self.ancestors_within_two(a);
        let up_b = self.ancestors_within_two(b);
        // Shortest chain; on a tie, "sibling" says it more plainly than
        // "parent's child".
        let (_, pa, pb) = up_a
            .iter()
            .filter_map(|(node, pa)| {
                up_b.get(node).map(|pb| ((pa.len() + pb.len(), matches!(node, Node::Person(_))), pa, pb))
            })
            .min_by_key(|(key, _, _)| *key)?;
        // Path a … X … b: up along pa, then down along pb reversed.
        let mut nodes: Vec<Node> = pa.clone();
        nodes.extend(pb.iter().rev().skip(1).cloned());
        let mut steps = Vec::new();
        let apex = pa.len() - 1;
        let mut i = 1;
        while i < nodes.len() {
            match &nodes[i] {
                Node::Group(_) => {
                    // Up into the shared parents and down to a sibling.
                    if let Some(Node::Person(s)) = nodes.get(i + 1) {
                        steps.push(Step { label: SIBLING, person: s.clone() });
                    }
                    i += 2;
                }
                Node::Person(p) => {
                    steps.push(Step { label: if i <= apex { PARENT } else { CHILD }, person: p.clone() });
                    i += 1;
                }
            }
        }
        Some(steps)
    }

    fn blood(&self, a: &str, b: &str) -> Option<(Relation, Vec<Step>)> {
        if let Some(steps) = self.lineal(a, b) {
            return Some((Relation::Lineal, steps));
        }
        self.collateral(a, b).map(|steps| (Relation::Collateral, steps))
    }

    /// How `b` is a close relative of `a`, with the shortest explanation;
    /// `None` when they are not close relatives.
    pub fn relation(&self, a: &str, b: &str) -> Option<Explanation> {
        if a == b {
            return None;
        }
        let explain = |relation, steps| Some(Explanation { from: a.to_string(), relation, steps });
        if self.spouses.get(a).is_some_and(|s| s.contains(b)) {
            return explain(Relation::Spouse, vec![Step { label: SPOUSE, person: b.to_string() }]);
        }
        if let Some((relation, steps)) = self.blood(a, b) {
            return explain(relation, steps);
        }
        if self.kin.get(a).is_some_and(|s| s.contains(b)) {
            return explain(Relation::Kin, vec![Step { label: KIN, person: b.to_string() }]);
        }
        let mut best: Option<Vec<Step>> = None;
        let mut consider = |steps: Vec<Step>| {
            if best.as_ref().is_none_or(|b| steps.len() < b.len()) {
                best = Some(steps);
            }
        };
        // A blood relative of one's spouse.
        for s in self.spouses.get(a).into_iter().flatten() {
            if let Some((_, rest)) = self.blood(s, b) {
                let mut steps = vec![Step { label: SPOUSE, person: s.clone() }];
                steps.extend(rest);
                consider(steps);
            }
        }
        // The spouse of one's blood relative.
        for t in self.spouses.get(b).into_iter().flatten() {
            if let Some((_, mut steps)) = self.blood(a, t) {
                steps.push(Step { label: SPOUSE, person: b.to_string() });
                consider(steps);
            }
        }
        best.and_then(|steps| explain(Relation::InLaw, steps))
    }

    pub fn close(&self, a: &str, b: &str) -> bool {
        self.relation(a, b).is_some()
    }
}

/// Names are short and printable.
pub const MAX_PERSON_NAME_CHARS: usize = crate::text::NAME_CHARS;

/// The people of a ledger, their appointments and the kinship facts: what
/// the separation rules read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    /// Each person with the argon2id hash of their passphrase, once set.
    people: BTreeMap<String, Option<String>>,
    appointments: Vec<Appointment>,
    facts: Vec<KinFact>,
    /// People whose passphrase an admin reset and who have not yet set
    /// their own (OPR-1).
    reset: std::collections::BTreeSet<String>,
}

impl Registry {
    pub fn new(
        people: impl IntoIterator<Item = (String, Option<String>)>,
        appointments: Vec<Appointment>,
        facts: Vec<KinFact>,
    ) -> Registry {
        Registry { people: people.into_iter().collect(), appointments, facts, reset: Default::default() }
    }

    /// The same registry with these people's passphrases marked as reset.
    pub fn with_resets(mut self, names: impl IntoIterator<Item = String>) -> Registry {
        self.reset.extend(names);
        self
    }

    /// [OPR-1] an admin reset the person's passphrase and they have not yet
    /// set their own.
    pub fn passphrase_reset(&self, name: &str) -> bool {
        self.reset.contains(name)
    }

    pub fn people(&self) -> impl Iterator<Item = &str> {
        self.people.keys().map(String::as_str)
    }

    pub fn is_registered(&self, name: &str) -> bool {
        self.people.contains_key(name)
    }

    pub fn passphrase_hash(&self, name: &str) -> Option<&str> {
        self.people.get(name).and_then(|h| h.as_deref())
    }

    pub fn appointments(&self) -> &[Appointment] {
        &self.appointments
    }

    pub fn facts(&self) -> &[KinFact] {
        &self.facts
    }

    pub fn kinship(&self) -> Kinship {
        Kinship::new(self.facts.iter())
    }

    /// The posts a person holds on `date`, as printed: `主任`, `会计、审核`.
    pub fn posts(&self, person: &str, date: Date) -> Option<String> {
        let posts: Vec<&str> = self
            .in_force(date)
            .filter(|a| a.person == person)
            .map(|a| a.title.as_deref().unwrap_or(a.role.chinese()))
            .collect();
        (!posts.is_empty()).then(|| posts.join("、"))
    }

    /// Appointments in force on `date`.
    pub fn in_force(&self, date: Date) -> impl Iterator<Item = &Appointment> {
        self.appointments.iter().filter(move |a| a.in_force(date))
    }

    /// [APR-1] who holds the one pen on `date`: the acting approver while an
    /// acting appointment is in force, else the approver.
    pub fn pen_holder(&self, date: Date) -> Option<&Appointment> {
        let approvers = || self.in_force(date).filter(|a| a.role == Role::Approver);
        approvers().find(|a| a.acting).or_else(|| approvers().next())
    }

    /// Whether `person` holds an appointment in force on `date` with the
    /// leader flag (书记, 副书记, 主任, 副主任, 两委委员).
    pub fn leader_appointment(&self, person: &str, date: Date) -> Option<&Appointment> {
        self.in_force(date).find(|a| a.person == person && a.leader)
    }

    /// Officers whose signatures a recorded kinship freezes on `date` (SEP-7).
    pub fn conflicts(&self, date: Date) -> Vec<Refusal> {
        let kinship = self.kinship();
        let officers: BTreeSet<&str> =
            self.in_force(date).filter(|a| a.role.keeps_money_or_books()).map(|a| a.person.as_str()).collect();
        officers.into_iter().filter_map(|p| frozen(&self.appointments, &kinship, p, date)).collect()
    }

    pub fn register(&mut self, name: &str) {
        self.people.entry(name.to_string()).or_insert(None);
    }

    pub fn set_passphrase(&mut self, name: &str, hash: &str) {
        self.people.insert(name.to_string(), Some(hash.to_string()));
    }

    pub fn appoint(&mut self, appointment: Appointment) {
        self.appointments.push(appointment);
    }

    /// Records the end of the appointment of `person` as `role` that began on `from`.
    pub fn end(&mut self, person: &str, role: Role, from: Date, ended: Date) {
        if let Some(a) = self.appointments.iter_mut().find(|a| a.person == person && a.role == role && a.from == from) {
            a.ended = Some(ended);
        }
    }

    pub fn relate(&mut self, fact: KinFact) {
        self.facts.push(fact);
    }

    /// Follows the projection: the people changes change the registry,
    /// others do not.
    pub fn apply(&mut self, change: &crate::projection::Change<'_>) {
        use crate::projection::Change;
        match change {
            Change::PersonRegistered(name) => self.register(name),
            Change::PassphraseSet { person, hash, reset } => {
                self.set_passphrase(person, hash);
                if *reset {
                    self.reset.insert(person.to_string());
                } else {
                    self.reset.remove(*person);
                }
            }
            Change::Appointed(appointment) => self.appoint((*appointment).clone()),
            Change::AppointmentEnded { person, role, from, ended } => self.end(person, *role, *from, *ended),
            Change::KinshipRecorded(fact) => self.relate((*fact).clone()),
            _ => {}
        }
    }
}

/// [PPL-1] a name fit to register.
pub fn check_person_name(registry: &Registry, name: &str) -> Result<(), Refusal> {
    let n = name.trim();
    crate::text::check_text("姓名", n, MAX_PERSON_NAME_CHARS)?;
    if n.is_empty() || n.contains('/') {
        return Err(Refusal::new(
            Rule::Ppl1,
            format!("姓名“{name}”无效：不能为空、不能含“/”，不超过 {MAX_PERSON_NAME_CHARS} 个字"),
        ));
    }
    if registry.is_registered(n) {
        return Err(Refusal::new(Rule::Ppl1, format!("{n}已经登记过，每人在一个账套中只登记一次")));
    }
    Ok(())
}

/// [PPL-1] a person named in a command is registered.
pub fn check_registered(registry: &Registry, name: &str) -> Result<(), Refusal> {
    if registry.is_registered(name) {
        Ok(())
    } else {
        Err(Refusal::new(Rule::Ppl1, format!("{name}尚未登记，请先用 person add {name} 登记")))
    }
}

/// [SEP-1..SEP-5, APR-1, PPL-1] checks a new appointment against the
/// appointments that share a day with it: no one holds the same post twice,
/// one approver at a time except an acting approver with a start and an end,
/// the approver neither accountant nor cashier. SEP-7: an appointment that
/// would break SEP-1..4 is refused.
pub fn check_appointment(existing: &[Appointment], kinship: &Kinship, new: &Appointment) -> Result<(), Refusal> {
    if new.ended.is_some_and(|e| e <= new.from) {
        return Err(Refusal::new(
            Rule::Sep7,
            format!(
                "任职结束日期 {} 不晚于开始日期 {}",
                format_date(new.ended.unwrap_or(new.from)),
                format_date(new.from)
            ),
        ));
    }
    if new.acting && new.role != Role::Approver {
        return Err(Refusal::new(
            Rule::Apr1,
            format!("只有审批人可以代理（代理审批）；{}的{}任职不能标为代理", new.person, new.role.chinese()),
        ));
    }
    if new.acting && new.ended.is_none() {
        return Err(Refusal::new(
            Rule::Apr1,
            format!("代理审批须写明起止日期：请用 --from 和 --to 写明{}代理的第一天和最后一天", new.person),
        ));
    }
    if new.leader && new.role.keeps_money_or_books() {
        return Err(Refusal::new(
            Rule::Sep2,
            format!("{}是领导职务，不能兼任{}（会计、出纳不得由领导担任）", new.describe(), new.role.chinese()),
        ));
    }
    for e in existing.iter().filter(|e| e.overlaps(new)) {
        let same = e.person == new.person;
        if same && e.role == new.role {
            return Err(Refusal::new(
                Rule::Ppl1,
                format!(
                    "{}已是{}（{}），不能重复任命；如需改任期，请先用 person end 结束原任职",
                    new.person,
                    e.role.chinese(),
                    e.tenure()
                ),
            ));
        }
        if !same && e.role == Role::Approver && new.role == Role::Approver && e.acting == new.acting {
            let message = if new.acting {
                format!("{}已代理审批（{}），两段代理审批的日期不能重叠", e.describe(), e.tenure())
            } else {
                format!(
                    "{}已是审批人（{}）；一支笔：同一天只能有一名审批人。审批人外出时，请用 --acting --from --to 任命代理审批人",
                    e.person,
                    e.tenure()
                )
            };
            return Err(Refusal::new(Rule::Apr1, message));
        }
        let pair = [e.role, new.role];
        let money_and_books = pair.contains(&Role::Accountant) && pair.contains(&Role::Cashier);
        if same && money_and_books {
            return Err(Refusal::new(
                Rule::Sep1,
                format!("{}同时担任会计和出纳：钱账必须分管，会计、出纳不得由同一人担任", new.person),
            ));
        }
        if same && ((e.leader && new.role.keeps_money_or_books()) || (new.leader && e.role.keeps_money_or_books())) {
            let (leader, post) = if e.leader { (e, new) } else { (new, e) };
            return Err(Refusal::new(
                Rule::Sep2,
                format!("{}是{}，不能同时担任{}", leader.person, leader.post(), post.role.chinese()),
            ));
        }
        if same && pair.contains(&Role::Approver) && (pair.contains(&Role::Accountant) || pair.contains(&Role::Cashier))
        {
            let post = if pair.contains(&Role::Accountant) { Role::Accountant } else { Role::Cashier };
            return Err(Refusal::new(
                Rule::Sep5,
                format!(
                    "{}不能同时担任审批人和{}：审批人不得记账或经手付款，制单人不得审批自己的凭证",
                    new.person,
                    post.chinese()
                ),
            ));
        }
        if same {
            continue;
        }
        let conflict = |leader: &Appointment, officer: &Appointment| {
            kinship.relation(&officer.person, &leader.person).map(|x| (leader.clone(), officer.clone(), x))
        };
        let sep3 = if e.leader && new.role.keeps_money_or_books() {
            conflict(e, new)
        } else if new.leader && e.role.keeps_money_or_books() {
            conflict(new, e)
        } else {
            None
        };
        if let Some((leader, officer, x)) = sep3 {
            return Err(Refusal::new(
                Rule::Sep3,
                format!(
                    "{}是{}的{}（{}），不能担任{}",
                    officer.person,
                    leader.describe(),
                    x.relation.chinese(),
                    x.path_phrase(),
                    officer.role.chinese()
                ),
            ));
        }
        if money_and_books {
            if let Some(x) = kinship.relation(&new.person, &e.person) {
                return Err(Refusal::new(
                    Rule::Sep4,
                    format!(
                        "{}是{}的{}（{}），出纳不得是会计的近亲属",
                        new.person,
                        e.describe(),
                        x.relation.chinese(),
                        x.path_phrase()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// [SEP-7] why an officer's signatures are frozen on `date`: a recorded
/// kinship makes their post conflict with another appointment in force.
pub fn frozen(appointments: &[Appointment], kinship: &Kinship, person: &str, date: Date) -> Option<Refusal> {
    let in_force: Vec<&Appointment> = appointments.iter().filter(|a| a.in_force(date)).collect();
    for mine in in_force.iter().filter(|a| a.person == person && a.role.keeps_money_or_books()) {
        let others: Vec<Appointment> = in_force.iter().filter(|a| a.person != person).map(|a| (*a).clone()).collect();
        if let Err(r) = check_appointment(&others, kinship, mine) {
            return Some(Refusal::new(
                Rule::Sep7,
                format!("{}；在该任职结束前，{}的签字一律无效", r.message, mine.describe()),
            ));
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests;
