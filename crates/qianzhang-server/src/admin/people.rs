//! People, appointments and passphrases (PPL-1, OPR-1, SEP-1..5); kinship
//! and the relation explained (SEP-3, SEP-4, SEP-6, SEP-7).

use std::sync::Arc;

use axum::extract::{Path, Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use qianzhang_app::people;
use qianzhang_core::names::{Kinship, Named};
use qianzhang_core::people::{frozen, Appointment, Registry, Role};
use qianzhang_core::period::format_date;
use qianzhang_core::Rule;
use serde::Deserialize;

use super::{answer, date_field, named, options, read_only, roles_of, Said};
use crate::auth::Officer;
use crate::form::Fields;
use crate::page::{self, csrf, ledger_url, run};
use crate::state::State;

/// `GET /l/{ledger}/admin/people`.
pub async fn page(AxState(state): AxState<Arc<State>>, officer: Officer, Path(ledger): Path<String>) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    people_page(&state, &o, Said::default()).await
}

async fn people_page(state: &Arc<State>, o: &Officer, said: Said) -> Response {
    let (st, l) = (state.clone(), o.ledger().to_string());
    let registry = match run(move || people::registry(&*st.ledger(&l)?)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let today = state.now().date();
    let admin = roles_of(&registry, &o.person, today).contains(&Role::Admin);
    let ledger = o.ledger();
    let action = |a: &str| ledger_url(ledger, &format!("/admin/people/{a}"));
    let today_text = format_date(today);
    let body = html! {
        h1 { "人员与任职" }
        p.sub { (format_date(today)) " 在任情况" }
        table.people {
            thead { tr { th { "姓名" } th { "今天的职务" } th { "口令" } } }
            tbody {
                @for p in registry.people() {
                    tr {
                        td { (p) }
                        td { @match registry.posts(p, today) { Some(x) => (x), None => span.empty { "（无任职）" } } }
                        td {
                            @if registry.passphrase_hash(p).is_none() { span.warn { "未设置" } }
                            @else if registry.passphrase_reset(p) { "已重置，待本人修改" }
                            @else { "已设置" }
                        }
                    }
                }
            }
        }
        @let conflicts = registry.conflicts(today);
        @if !conflicts.is_empty() {
            div.refusal {
                p { strong { "任职冲突：" } "以下人员的签字在冲突消除前一律无效。" }
                ul { @for c in &conflicts { li { (page::reason(c, None)) } } }
            }
        }
        h2 { "任职记录" }
        (said.beside("end"))
        table.appointments {
            thead { tr { th { "姓名" } th { "职务" } th { "任期" } th { "领导职务" } th { "状态" } @if admin { th.noprint { "结束任职" } } } }
            tbody {
                @for a in registry.appointments() {
                    tr {
                        td { (a.person) }
                        td { (post(a)) }
                        td { (a.tenure()) }
                        td { @if a.leader { "是" } }
                        td { @if a.in_force(today) { "在任" } @else if a.from > today { "未到任" } @else { "已结束" } }
                        @if admin {
                            td.noprint {
                                @if a.ended.is_none() {
                                    form.inline method="post" action=(action("end")) {
                                        (csrf(o))
                                        input type="hidden" name="name" value=(a.person);
                                        input type="hidden" name="role" value=(a.role.name());
                                        label { "自 " input type="date" name="date" value=(today_text) required; " 起不再担任" }
                                        button type="submit" { "结束" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if admin {
            section.actions.noprint {
                h2 #register { "登记人员" }
                p.hint { "为新人员设一个临时口令并当面告知；本人用它登录后，须先在“修改口令”页设置自己的口令，才能办理其他事项（OPR-1）。" }
                (said.beside("register"))
                form method="post" action=(action("register")) {
                    (csrf(o))
                    label { "姓名 " input type="text" name="name" value=(said.value("register", "name")) required; }
                    label { "临时口令 " input type="password" name="passphrase" autocomplete="new-password" required; }
                    label { "再输入一次 " input type="password" name="passphrase2" autocomplete="new-password" required; }
                    button.primary type="submit" { "登记" }
                }
                h2 #appoint { "任命" }
                p.hint { "会计与出纳不得为同一人，领导及其近亲属不得担任会计或出纳，出纳不得是会计的近亲属（SEP-1 至 SEP-4）；审批人不得兼任会计或出纳（SEP-5）。" }
                (said.beside("appoint"))
                form method="post" action=(action("appoint")) {
                    (csrf(o))
                    label { "姓名 "
                        select name="name" required {
                            @for p in registry.people() {
                                option value=(p) selected[said.value("appoint", "name") == p] { (p) }
                            }
                        }
                    }
                    label { "职务 " select name="role" { (options::<Role>(&said.value("appoint", "role"))) } }
                    label { "职务名称 " input type="text" name="title" placeholder="如 主任、副主任" value=(said.value("appoint", "title")); }
                    label { input type="checkbox" name="leader" value="yes" checked[said.checked("appoint", "leader")]; " 领导职务（书记、主任、两委委员等）" }
                    label { input type="checkbox" name="acting" value="yes" checked[said.checked("appoint", "acting")]; " 代理审批（须写明起止日期，APR-1）" }
                    br;
                    label { "任职起 " input type="date" name="from" value=(said.value_or("appoint", "from", &today_text)) required; }
                    label { "任职最后一天（含，可不填）" input type="date" name="to" value=(said.value("appoint", "to")); }
                    button.primary type="submit" { "任命" }
                }
                h2 #reset { "重置口令" }
                p.hint { "有人忘记口令时，由管理员设一个临时口令；本人登录后须先设置自己的口令（OPR-1）。" }
                (said.beside("reset"))
                form method="post" action=(action("reset")) {
                    (csrf(o))
                    label { "姓名 "
                        select name="name" required {
                            @for p in registry.people() {
                                option value=(p) selected[said.value("reset", "name") == p] { (p) }
                            }
                        }
                    }
                    label { "临时口令 " input type="password" name="passphrase" autocomplete="new-password" required; }
                    label { "再输入一次 " input type="password" name="passphrase2" autocomplete="new-password" required; }
                    button type="submit" { "重置" }
                }
            }
        } @else {
            (said.beside("register")) (said.beside("appoint")) (said.beside("reset"))
            (read_only(Role::Admin))
        }
        p { a href=(ledger_url(ledger, "/admin/passphrase")) { "修改我自己的口令" } }
    };
    answer(o, "人员与任职", &said, body)
}

/// How the post of an appointment reads in the table.
fn post(a: &Appointment) -> String {
    match (&a.title, a.acting) {
        (_, true) => "代理审批人".to_string(),
        (Some(t), _) => format!("{t}（{}）", a.role.chinese()),
        (None, false) => a.role.chinese().to_string(),
    }
}

/// The two passphrases typed agree; the hash of the first.
fn new_hash(fields: &Fields) -> Result<String, qianzhang_app::Error> {
    let p = fields.text("passphrase");
    if p != fields.text("passphrase2") {
        return Err(qianzhang_app::Error::refuse(Rule::Opr1, "两次输入的口令不一致，请重新输入"));
    }
    qianzhang_app::session::hash_new(p)
}

/// `POST /l/{ledger}/admin/people/{register|appoint|end|reset}`.
pub async fn act(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path((ledger, action)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    if !["register", "appoint", "end", "reset"].contains(&action.as_str()) {
        return page::not_found().await;
    }
    let (st, who, l, f, a) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone(), action.clone());
    let today = state.now().date();
    let outcome = run(move || -> Result<String, qianzhang_app::Error> {
        let name = f.text("name").trim().to_string();
        match a.as_str() {
            "register" => {
                st.act(&who, &l, &format!("person add {name}"), |s| {
                    let hash = new_hash(&f)?;
                    people::register_temporary(s, &name, hash)
                })?;
                Ok(format!("已登记 {name}，临时口令已设置；请当面告知本人，登录后须先修改口令。可在下方任命职务。"))
            }
            "appoint" => {
                let text = st.act(&who, &l, &format!("person appoint {name}"), |s| {
                    let role: Role = named(&f, "role", "职务", Rule::Ppl1)?;
                    let from = date_field(&f, "from", "任职起", Rule::Ppl1)?.unwrap_or(today);
                    let ended =
                        date_field(&f, "to", "任职最后一天", Rule::Ppl1)?.map(people::ended_after).transpose()?;
                    let appointment = Appointment {
                        person: name.clone(),
                        role,
                        from,
                        ended,
                        leader: f.get("leader").is_some(),
                        title: f.get("title").map(str::to_string),
                        acting: f.get("acting").is_some(),
                    };
                    let text = format!("已任命 {} 为{}，{}", name, post(&appointment), appointment.tenure());
                    people::appoint_to(s, appointment)?;
                    Ok(text)
                })?;
                Ok(text)
            }
            "end" => st.act(&who, &l, &format!("person end {name}"), |s| {
                let role: Role = named(&f, "role", "职务", Rule::Ppl1)?;
                let date = date_field(&f, "date", "结束日期", Rule::Ppl1)?.unwrap_or(today);
                people::end(s, &name, role, date)?;
                Ok(format!("{name}的{}任职自 {} 起结束", role.chinese(), format_date(date)))
            }),
            _ => {
                st.act(&who, &l, &format!("person passphrase {name}"), |s| {
                    let hash = new_hash(&f)?;
                    people::set_passphrase_of(s, &name, hash)
                })?;
                Ok(format!("已重置 {name} 的口令；本人登录后须先设置自己的口令"))
            }
        }
    })
    .await;
    match outcome {
        Ok(outcome) => people_page(&state, &o, Said::new(&action, without_passphrases(fields), outcome)).await,
        Err(r) => r,
    }
}

/// What was typed, less any passphrase (never shown again).
fn without_passphrases(fields: Fields) -> Fields {
    Fields(fields.0.into_iter().filter(|(k, _)| !k.starts_with("passphrase") && k != "old").collect())
}

/// `GET /l/{ledger}/admin/passphrase`: one's own passphrase.
pub async fn passphrase_page(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let (st, l, who) = (state.clone(), ledger.clone(), o.person.clone());
    let reset = match run(move || people::registry(&*st.ledger(&l)?).map(|r| r.passphrase_reset(&who))).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    own_passphrase(&o, Said::default(), reset)
}

fn own_passphrase(o: &Officer, said: Said, reset: bool) -> Response {
    let body = html! {
        h1 { "修改口令" }
        p.sub { (o.person) " · " (o.ledger()) }
        @if reset {
            p.warn { "您现在的口令是管理员设的临时口令：请先在这里设置自己的口令，才能办理其他事项（OPR-1）。" }
        }
        p.hint { "口令 6 到 256 个字符，可用中文。管理员重置口令后，须先在这里设置自己的口令，才能办理其他事项（OPR-1）。" }
        (said.beside("passphrase"))
        form method="post" action=(ledger_url(o.ledger(), "/admin/passphrase")) {
            (csrf(o))
            label { "原口令 " input type="password" name="old" autocomplete="current-password" required; }
            label { "新口令 " input type="password" name="passphrase" autocomplete="new-password" required; }
            label { "再输入一次 " input type="password" name="passphrase2" autocomplete="new-password" required; }
            button.primary type="submit" { "修改" }
        }
    };
    answer(o, "修改口令", &said, body)
}

/// `POST /l/{ledger}/admin/passphrase`: the old passphrase is checked as a
/// sign-in is (a wrong one counts toward the lockout), then the new one set.
pub async fn change_passphrase(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    let (st, who, l, f) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone());
    let done = run(move || {
        let outcome = (|| -> Result<String, qianzhang_app::Error> {
            let claim = qianzhang_app::Claim::new(Some(&who), st.now(), "网页 person passphrase")?;
            let mut ledger = st.ledger(&l)?;
            let pause = st.config.pause;
            let mut wait = |_: &str, _: u32, d: std::time::Duration| pause(d);
            qianzhang_app::session::check_sign_in(&mut ledger, &claim, f.text("old"), &mut wait)?;
            drop(ledger);
            st.act(&who, &l, &format!("person passphrase {who}"), |s| {
                let hash = new_hash(&f)?;
                people::set_passphrase_of(s, &who, hash)
            })?;
            Ok("口令已修改；下次登录请用新口令".to_string())
        })();
        // Whether the temporary passphrase is still the one in force.
        let reset = st.ledger(&l).and_then(|l| people::registry(&l)).is_ok_and(|r| r.passphrase_reset(&who));
        (outcome, reset)
    })
    .await;
    match done {
        Ok((outcome, reset)) => own_passphrase(&o, Said::new("passphrase", Fields::default(), outcome), reset),
        Err(r) => r,
    }
}

#[derive(Deserialize, Default)]
pub struct RelationQuery {
    a: Option<String>,
    b: Option<String>,
}

/// `GET /l/{ledger}/admin/kinship[?a=…&b=…]`: the facts, and how B is a
/// close relative of A.
pub async fn kinship_page(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    Path(ledger): Path<String>,
    Query(q): Query<RelationQuery>,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    kinship(&state, &o, q, Said::default()).await
}

/// The answer to a relation lookup.
enum Lookup {
    None,
    Related { explained: String, a: String, b: String },
    NotRelated { a: String, b: String },
    Refused(qianzhang_app::Error),
}

async fn kinship(state: &Arc<State>, o: &Officer, q: RelationQuery, said: Said) -> Response {
    let (st, l) = (state.clone(), o.ledger().to_string());
    let today = state.now().date();
    let (a, b) = (q.a.unwrap_or_default().trim().to_string(), q.b.unwrap_or_default().trim().to_string());
    let read = run(move || -> Result<(Registry, Lookup), qianzhang_app::Error> {
        let ledger = st.ledger(&l)?;
        let registry = people::registry(&ledger)?;
        let lookup = if a.is_empty() || b.is_empty() {
            Lookup::None
        } else {
            match people::relation(&ledger, &a, &b, today) {
                Ok(Some(explained)) => Lookup::Related { explained, a, b },
                Ok(None) => Lookup::NotRelated { a, b },
                Err(e) => Lookup::Refused(e),
            }
        };
        Ok((registry, lookup))
    })
    .await;
    let (registry, lookup) = match read {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return page::failure(&e),
        Err(r) => return r,
    };
    let admin = roles_of(&registry, &o.person, today).contains(&Role::Admin);
    let ledger = o.ledger();
    let frozen_of = |p: &str| frozen(registry.appointments(), &registry.kinship(), p, today);
    let body = html! {
        h1 { "亲属关系" }
        p.hint {
            "近亲属指：配偶、直系血亲、三代以内旁系血亲和近姻亲。领导的近亲属不得担任会计或出纳（SEP-3），"
            "出纳不得是会计的近亲属（SEP-4），审批人不审批付给自己或近亲属的款项（SEP-6）。"
            "亲属关系一经登记即生效，不会被拒绝；如与现任职务冲突，有关人员的签字在冲突消除前一律无效（SEP-7）。"
        }
        h2 #relation { "查询两人关系" }
        form method="get" action=(ledger_url(ledger, "/admin/kinship")) {
            label { "甲 " (people_select(&registry, "a", &lookup_name(&lookup, true))) }
            label { "乙 " (people_select(&registry, "b", &lookup_name(&lookup, false))) }
            button type="submit" { "说明关系" }
        }
        @match &lookup {
            Lookup::None => {},
            Lookup::Refused(e) => (page::refusal(e, Some(o.ledger()))),
            Lookup::NotRelated { a, b } => div.done role="status" { (b) "不是" (a) "的近亲属（按已登记的亲属关系）。" },
            Lookup::Related { explained, a, b } => div.explained role="status" {
                p { strong { (b) "是" (a) "的近亲属。" } }
                p { "依据：" (explained) }
                p { "因此：" }
                ul {
                    li { "若一方是领导（书记、主任、两委委员等），另一方不得担任会计或出纳（SEP-3）。" }
                    li { "两人不得一为会计、一为出纳（SEP-4）。" }
                    li { "一方是审批人时，付给另一方的款项由两委决议指定的代签人审批，审批人回避（SEP-6）。" }
                }
                @for (x, y) in [(a, b), (b, a)] {
                    @if roles_of(&registry, x, today).contains(&Role::Approver) {
                        p.warn { "现在：" (x) "是审批人，付给" (y) "的款项" (x) "须回避，由两委决议指定的代签人审批（SEP-6）。" }
                    }
                }
                @for p in [a, b] {
                    @if let Some(r) = frozen_of(p) {
                        p.warn { (page::reason(&r, None)) }
                    }
                }
            },
        }
        h2 { "已登记的亲属关系" }
        @if registry.facts().is_empty() { p.empty { "还没有登记亲属关系。" } }
        @else {
            ul.facts { @for f in registry.facts() { li { (qianzhang_core::books::describe_fact(f)) } } }
        }
        @let conflicts = registry.conflicts(today);
        @if !conflicts.is_empty() {
            div.refusal {
                p { strong { "现有冲突：" } }
                ul { @for c in &conflicts { li { (page::reason(c, None)) } } }
            }
        }
        @if admin {
            section.actions.noprint {
                h2 #relate { "登记亲属关系" }
                (said.beside("relate"))
                form method="post" action=(ledger_url(ledger, "/admin/kinship/relate")) {
                    (csrf(o))
                    label { "甲 " (people_select(&registry, "a", &said.value("relate", "a"))) }
                    label { "是乙的 " select name="kind" { (options::<Kinship>(&said.value("relate", "kind"))) } }
                    label { "乙 " (people_select(&registry, "b", &said.value("relate", "b"))) }
                    button.primary type="submit" { "登记" }
                }
                p.hint { "“父母”：甲是乙的父亲或母亲；“子女”：甲是乙的子女；中间的人未登记时，可直接登记为“亲属”。" }
            }
        } @else {
            (said.beside("relate"))
            (read_only(Role::Admin))
        }
    };
    answer(o, "亲属关系", &said, body)
}

fn lookup_name(lookup: &Lookup, first: bool) -> String {
    match lookup {
        Lookup::Related { a, b, .. } | Lookup::NotRelated { a, b } => if first { a } else { b }.clone(),
        _ => String::new(),
    }
}

fn people_select(registry: &Registry, name: &str, selected: &str) -> maud::Markup {
    html! {
        select name=(name) required {
            @for p in registry.people() { option value=(p) selected[p == selected] { (p) } }
        }
    }
}

/// `POST /l/{ledger}/admin/kinship/relate`.
pub async fn relate(
    AxState(state): AxState<Arc<State>>,
    officer: Officer,
    headers: HeaderMap,
    Path(ledger): Path<String>,
    fields: Fields,
) -> Response {
    let o = match officer.at(&ledger) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if let Err(r) = o.check(&fields, &headers) {
        return r;
    }
    let (st, who, l, f) = (state.clone(), o.person.clone(), ledger.clone(), fields.clone());
    let outcome = run(move || -> Result<(String, Vec<qianzhang_core::Refusal>), qianzhang_app::Error> {
        let (a, b) = (f.text("a").trim().to_string(), f.text("b").trim().to_string());
        st.act(&who, &l, &format!("person relate {a} {b}"), |s| {
            let kind: Kinship = named(&f, "kind", "亲属关系", Rule::Ppl1)?;
            let fact = kind.fact(a.clone(), b.clone());
            let text = format!("已登记亲属关系：{}", qianzhang_core::books::describe_fact(&fact));
            let conflicts = people::relate(s, fact)?;
            Ok((text, conflicts))
        })
    })
    .await;
    let q = RelationQuery { a: fields.get("a").map(str::to_string), b: fields.get("b").map(str::to_string) };
    match outcome {
        Ok(Ok((text, conflicts))) => {
            let mut said = Said::new("relate", fields, Ok(text));
            said.warnings = conflicts;
            kinship(&state, &o, q, said).await
        }
        Ok(Err(e)) => kinship(&state, &o, q, Said::new("relate", fields, Err(e))).await,
        Err(r) => r,
    }
}
