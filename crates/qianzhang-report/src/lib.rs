//! Renderers: report data from `qianzhang-core` as text, CSV, JSON or
//! Markdown.
//!
//! Architecture invariant: nothing here computes a figure. Every number
//! printed is a field of a core report struct; this crate only lays it out.

mod audit;
pub mod board;
mod disclosure;
mod month;
mod opening;
pub mod print;
mod publication;
mod statements;
pub mod street;
mod table;
mod todo;
pub mod xlsx;

use qianzhang_core::lifecycle::{Next, Signature};
use qianzhang_core::period::{format_date, show_time};
use qianzhang_core::report::{direction, AccountLedger, Journal, LedgerRowKind, TrialBalance};
use qianzhang_core::{Money, Origin, Status, Voucher};
use serde::Serialize;

pub use audit::{acts, exceptions, exceptions_table, handover, handover_html, handover_parts};
pub use disclosure::{disclosure, Paper};
pub use month::{cash_count, fund_list, reconciliation, statement_lines};
pub use opening::openings;
pub use publication::{publications, scan_note};
pub use statements::{statement, statement_table};
pub use street::{street_html, street_month};
pub use table::{chinese_header, Align, ColumnType, Table};
pub use todo::todo;

/// Output formats every report supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    /// CSV for Excel: a UTF-8 BOM and Chinese headers.
    Csv,
    /// CSV for scripts (`--plain`): English headers, no BOM.
    PlainCsv,
    Json,
    Markdown,
    /// An Excel workbook. A renderer gives [`Table::sheet`] text, which
    /// [`xlsx::workbook`] turns into the file's bytes.
    Xlsx,
}

/// The names a format is typed as (`--format md`).
impl qianzhang_core::names::Named for Format {
    const ALL: &'static [qianzhang_core::names::Names<Format>] = &[
        qianzhang_core::names::Names { value: Format::Text, name: "text", aliases: &["文本"], gloss: "文本" },
        qianzhang_core::names::Names { value: Format::Csv, name: "csv", aliases: &[], gloss: "CSV 表格" },
        qianzhang_core::names::Names { value: Format::Json, name: "json", aliases: &[], gloss: "JSON" },
        qianzhang_core::names::Names { value: Format::Markdown, name: "md", aliases: &["markdown"], gloss: "Markdown" },
        qianzhang_core::names::Names {
            value: Format::Xlsx,
            name: "xlsx",
            aliases: &["excel", "Excel"],
            gloss: "Excel 工作簿（须用 -o 写到文件）",
        },
    ];
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "text" | "txt" => Some(Format::Text),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Markdown),
            "xlsx" | "excel" | "Excel" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The formats built from the machine table (plain decimals, one row
    /// per item): both CSVs and the workbook.
    pub fn is_machine(self) -> bool {
        matches!(self, Format::Csv | Format::PlainCsv | Format::Xlsx)
    }

    /// The format with `--plain`: CSV for scripts instead of for Excel.
    pub fn plain(self, plain: bool) -> Format {
        if plain && self == Format::Csv {
            Format::PlainCsv
        } else {
            self
        }
    }
}

fn amount(m: Money) -> String {
    if m.is_zero() {
        String::new()
    } else {
        m.to_string()
    }
}

fn balance_cells(m: Money) -> [String; 2] {
    [direction(m).to_string(), if m.is_zero() { "0.00".into() } else { m.abs().to_string() }]
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report data always serializes");
    s.push('\n');
    s
}

/// The trial balance (科目余额表).
pub fn trial_balance(tb: &TrialBalance, format: Format) -> String {
    match format {
        Format::Json => json(&tb.rows),
        Format::Csv | Format::PlainCsv | Format::Xlsx => {
            let mut t = Table::new(
                &format!("科目余额表　账套：{}　期间：{} 至 {}", tb.ledger, tb.from, tb.to),
                &[("account", Align::Left), ("name", Align::Left)],
            );
            for h in ["level", "opening", "debit", "credit", "closing"] {
                t.column(h, Align::Right);
            }
            t.set_type("level", ColumnType::Integer);
            for r in &tb.rows {
                t.row(vec![
                    r.account.clone(),
                    r.name.clone(),
                    r.level.to_string(),
                    r.opening.to_decimal_string(),
                    r.debit.to_decimal_string(),
                    r.credit.to_decimal_string(),
                    r.closing.to_decimal_string(),
                ]);
            }
            if format == Format::Xlsx {
                // The workbook shows the totals a person checks; the CSVs stay one row per account.
                let s = &tb.totals;
                let mut total = vec!["合计".to_string(), String::new(), String::new(), String::new()];
                total.extend([s.debit.to_decimal_string(), s.credit.to_decimal_string(), String::new()]);
                t.total(total);
            }
            t.render(format)
        }
        Format::Text | Format::Markdown => {
            let mut t = Table::new(
                &format!("科目余额表　账套：{}　期间：{} 至 {}", tb.ledger, tb.from, tb.to),
                &[("科目编码", Align::Left), ("科目名称", Align::Left)],
            );
            for h in ["期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方"] {
                t.column(h, Align::Right);
            }
            for r in &tb.rows {
                let (od, oc) = split(r.opening);
                let (cd, cc) = split(r.closing);
                let indent = "　".repeat(r.level - 1);
                t.row(vec![
                    r.account.clone(),
                    format!("{indent}{}", r.name),
                    od,
                    oc,
                    amount(r.debit),
                    amount(r.credit),
                    cd,
                    cc,
                ]);
            }
            let s = &tb.totals;
            t.total(vec![
                "合计".into(),
                String::new(),
                amount(s.opening_debit),
                amount(s.opening_credit),
                amount(s.debit),
                amount(s.credit),
                amount(s.closing_debit),
                amount(s.closing_credit),
            ]);
            let check = if tb.is_balanced() { "试算平衡" } else { "试算不平衡！" };
            t.note(&format!(
                "{check}：本期借方合计 {}（{}），贷方合计 {}",
                s.debit,
                s.debit.to_chinese_words(),
                s.credit
            ));
            if format == Format::Text {
                t.text()
            } else {
                t.markdown()
            }
        }
    }
}

fn split(balance: Money) -> (String, String) {
    if balance.is_negative() {
        (String::new(), amount(-balance))
    } else {
        (amount(balance), String::new())
    }
}

fn marks(status: Status, origin: Origin, reverses: bool) -> String {
    marks_with((status != Status::Posted).then(|| status.chinese()), origin, reverses)
}

/// The marks after a voucher's number, its state (if any) first.
fn marks_with(state: Option<&str>, origin: Origin, reverses: bool) -> String {
    let mut m = Vec::new();
    m.extend(state);
    if origin == Origin::History {
        m.push("历史迁移");
    }
    if reverses {
        m.push("红字冲销");
    }
    if m.is_empty() {
        String::new()
    } else {
        format!("［{}］", m.join("，"))
    }
}

/// The journal (序时账).
pub fn journal(j: &Journal, format: Format) -> String {
    if format == Format::Json {
        return json(j);
    }
    let machine = format.is_machine();
    let headers: &[(&str, Align)] = if machine {
        &[
            ("date", Align::Left),
            ("voucher", Align::Left),
            ("summary", Align::Left),
            ("account", Align::Left),
            ("account_name", Align::Left),
            ("debit", Align::Right),
            ("credit", Align::Right),
            ("origin", Align::Left),
            ("reverses", Align::Left),
        ]
    } else {
        &[
            ("日期", Align::Left),
            ("凭证号", Align::Left),
            ("摘要", Align::Left),
            ("科目", Align::Left),
            ("借方", Align::Right),
            ("贷方", Align::Right),
        ]
    };
    let mut t = Table::new(&format!("序时账　账套：{}　期间：{} 至 {}", j.ledger, j.from, j.to), headers);
    for e in &j.entries {
        for (i, l) in e.lines.iter().enumerate() {
            if machine {
                t.row(vec![
                    format_date(e.date),
                    e.reference.to_string(),
                    l.summary.clone(),
                    l.account.clone(),
                    l.account_name.clone(),
                    l.debit.to_decimal_string(),
                    l.credit.to_decimal_string(),
                    format!("{:?}", e.origin).to_lowercase(),
                    e.reverses.map(|r| r.to_string()).unwrap_or_default(),
                ]);
            } else {
                let first = i == 0;
                let summary = if first {
                    let notes: String = e.notes.iter().map(|n| format!("［{n}］")).collect();
                    format!("{}{}{notes}", l.summary, marks(e.status, e.origin, e.reverses.is_some()))
                } else {
                    l.summary.clone()
                };
                t.row(vec![
                    if first { format_date(e.date) } else { String::new() },
                    if first { e.reference.to_string() } else { String::new() },
                    summary,
                    format!("{} {}", l.account, l.account_name),
                    amount(l.debit),
                    amount(l.credit),
                ]);
            }
        }
    }
    if machine {
        if format == Format::Xlsx {
            let mut total = vec!["合计".to_string(), format!("{} 张", j.entries.len())];
            total.extend([String::new(), String::new(), String::new()]);
            total.extend([j.total_debit.to_decimal_string(), j.total_credit.to_decimal_string()]);
            total.extend([String::new(), String::new()]);
            t.total(total);
        }
        return t.render(format);
    }
    t.total(vec![
        "合计".into(),
        format!("{} 张", j.entries.len()),
        String::new(),
        String::new(),
        j.total_debit.to_string(),
        j.total_credit.to_string(),
    ]);
    if format == Format::Text {
        t.text()
    } else {
        t.markdown()
    }
}

/// The account ledger (明细账).
pub fn account_ledger(l: &AccountLedger, format: Format) -> String {
    if format == Format::Json {
        return json(l);
    }
    let machine = format.is_machine();
    let headers: &[(&str, Align)] = if machine {
        &[
            ("date", Align::Left),
            ("voucher", Align::Left),
            ("summary", Align::Left),
            ("account", Align::Left),
            ("debit", Align::Right),
            ("credit", Align::Right),
            ("balance", Align::Right),
        ]
    } else {
        &[
            ("日期", Align::Left),
            ("凭证号", Align::Left),
            ("摘要", Align::Left),
            ("借方", Align::Right),
            ("贷方", Align::Right),
            ("方向", Align::Left),
            ("余额", Align::Right),
        ]
    };
    let mut t = Table::new(
        &format!("明细账　账套：{}　科目：{} {}　期间：{} 至 {}", l.ledger, l.account, l.name, l.from, l.to),
        headers,
    );
    for r in &l.rows {
        let voucher = r.voucher.map(|v| v.to_string()).unwrap_or_default();
        if machine {
            t.row(vec![
                format_date(r.date),
                voucher,
                r.summary.clone(),
                r.account.clone().unwrap_or_default(),
                r.debit.to_decimal_string(),
                r.credit.to_decimal_string(),
                r.balance.to_decimal_string(),
            ]);
            continue;
        }
        let mut summary = r.summary.clone();
        if let Some(sub) = &r.account {
            summary = format!("{summary}（{sub}）");
        }
        if r.history {
            summary.push_str("［历史迁移］");
        }
        let [dir, bal] = balance_cells(r.balance);
        let row = vec![format_date(r.date), voucher, summary, amount(r.debit), amount(r.credit), dir, bal];
        match r.kind {
            LedgerRowKind::Opening | LedgerRowKind::Entry => t.row(row),
            LedgerRowKind::DayTotal | LedgerRowKind::MonthTotal | LedgerRowKind::YearTotal => t.total(row),
        }
    }
    match format {
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        Format::Markdown => t.markdown(),
        _ => t.text(),
    }
}

/// The cash or bank journal (现金/银行存款日记账) in the layout of a bound
/// cash book: 收入, 支出 and 余额, with 本日合计, 本月合计 and 本年累计.
pub fn cash_journal(l: &AccountLedger, format: Format) -> String {
    if format == Format::Json {
        return json(l);
    }
    let title = if l.account.starts_with("1001") { "现金日记账" } else { "银行存款日记账" };
    let machine = format.is_machine();
    let headers: &[(&str, Align)] = if machine {
        &[
            ("date", Align::Left),
            ("voucher", Align::Left),
            ("kind", Align::Left),
            ("summary", Align::Left),
            ("counterparty", Align::Left),
            ("in", Align::Right),
            ("out", Align::Right),
            ("balance", Align::Right),
        ]
    } else {
        &[
            ("日期", Align::Left),
            ("凭证号", Align::Left),
            ("摘要", Align::Left),
            ("对方单位", Align::Left),
            ("收入", Align::Right),
            ("支出", Align::Right),
            ("余额", Align::Right),
        ]
    };
    let mut t = Table::new(&format!("{title}　账套：{}　期间：{} 至 {}", l.ledger, l.from, l.to), headers);
    for r in &l.rows {
        let voucher = r.voucher.map(|v| v.to_string()).unwrap_or_default();
        let counterparty = r.counterparty.clone().unwrap_or_default();
        if machine {
            let kind =
                serde_json::to_value(r.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            t.row(vec![
                format_date(r.date),
                voucher,
                kind,
                r.summary.clone(),
                counterparty,
                r.debit.to_decimal_string(),
                r.credit.to_decimal_string(),
                r.balance.to_decimal_string(),
            ]);
            continue;
        }
        let mut summary = r.summary.clone();
        if r.history {
            summary.push_str("［历史迁移］");
        }
        let row = vec![
            format_date(r.date),
            voucher,
            summary,
            counterparty,
            amount(r.debit),
            amount(r.credit),
            r.balance.to_string(),
        ];
        match r.kind {
            LedgerRowKind::Opening | LedgerRowKind::Entry => t.row(row),
            _ => t.total(row),
        }
    }
    match format {
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        Format::Markdown => t.markdown(),
        _ => t.text(),
    }
}

/// One voucher as the printed form shows it.
/// `next`: what a prepared voucher waits for (VCH-4), shown in place of 已制单.
pub fn voucher(
    v: &Voucher,
    status: Status,
    next: Option<Next>,
    signatures: &[Signature],
    chart: &qianzhang_core::Chart,
    format: Format,
) -> String {
    voucher_with_scans(v, status, next, signatures, &[], chart, format)
}

/// One voucher as [`voucher`] shows it, with the scans of its original
/// documents (DOC-1) listed below its documents.
pub fn voucher_with_scans(
    v: &Voucher,
    status: Status,
    next: Option<Next>,
    signatures: &[Signature],
    scans: &[qianzhang_core::scan::ScanInfo],
    chart: &qianzhang_core::Chart,
    format: Format,
) -> String {
    if format == Format::Json {
        #[derive(Serialize)]
        struct Shown<'a> {
            status: Status,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_step: Option<Next>,
            signatures: &'a [Signature],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            scans: &'a [qianzhang_core::scan::ScanInfo],
            #[serde(flatten)]
            voucher: &'a Voucher,
        }
        return json(&Shown { status, next_step: next, signatures, scans, voucher: v });
    }
    // Fund and counterparty columns when any line names one.
    let extra = v.lines().iter().any(|l| l.fund.is_some() || l.counterparty.is_some());
    let mut t = Table::new(
        &format!(
            "记账凭证　{}　日期：{}　{}",
            v.reference(),
            format_date(v.date()),
            marks_with((status != Status::Posted).then(|| stage(status, next)), v.origin(), v.reverses().is_some())
        ),
        &voucher_columns(extra),
    );
    for l in v.lines() {
        let mut row = vec![
            l.summary.clone(),
            format!("{} {}", l.account, chart.full_name(&l.account)),
            amount(l.debit()),
            amount(l.credit()),
        ];
        if extra {
            row.push(l.fund.clone().unwrap_or_default());
            row.push(l.counterparty.clone().unwrap_or_default());
        }
        t.row(row);
    }
    let mut total = vec![
        format!("合计：{}", v.total_debit().to_chinese_words()),
        String::new(),
        v.total_debit().to_string(),
        v.total_credit().to_string(),
    ];
    if extra {
        total.extend([String::new(), String::new()]);
    }
    t.total(total);
    t.note(&format!("状态：{}　来源：{}　制单：{}", stage(status, next), v.origin().chinese(), v.preparer()));
    for sg in signatures {
        match &sg.resolution {
            Some(r) => {
                t.note(&format!("{}：{}（{}；代签，依决议 {r}）", sg.kind.chinese(), sg.person, show_time(&sg.at)))
            }
            None => t.note(&format!("{}：{}（{}）", sg.kind.chinese(), sg.person, show_time(&sg.at))),
        }
    }
    if let Some(r) = v.reverses() {
        t.note(&format!("冲销：{r}"));
    }
    if let Some(a) = v.authorization() {
        t.note(&format!("审批依据：{a}"));
    }
    for d in v.documents() {
        let mut parts = vec![d.doc_type.clone()];
        parts.extend(d.number.clone());
        parts.extend(d.amount.map(|m| m.to_yuan()));
        parts.extend(d.issuer.as_ref().map(|i| format!("开票单位 {i}")));
        parts.extend(d.handler.as_ref().map(|h| format!("经办人 {h}")));
        parts.extend(d.checker.as_ref().map(|c| format!("验收人 {c}")));
        t.note(&format!("附单据：{}", parts.join("　")));
    }
    for scan in scans {
        t.note(&scan_note(scan));
    }
    if let Some(s) = v.source_ref() {
        t.note(&format!("原凭证号：{s}"));
    }
    match format {
        Format::Markdown => t.markdown(),
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        _ => t.text(),
    }
}

/// The columns of a shown voucher; `extra`: with 资金 and 收付对象.
fn voucher_columns(extra: bool) -> Vec<(&'static str, Align)> {
    let mut c = vec![("摘要", Align::Left), ("科目", Align::Left), ("借方", Align::Right), ("贷方", Align::Right)];
    if extra {
        c.extend([("资金", Align::Left), ("收付对象", Align::Left)]);
    }
    c
}

/// A voucher's state as lists show it: the next step of a prepared one
/// (待审核, 待审批, 待出纳确认, 待记账), else its status.
fn stage(status: Status, next: Option<Next>) -> &'static str {
    match (status, next) {
        (Status::Prepared, Some(n)) => n.chinese(),
        _ => status.chinese(),
    }
}

/// A list of vouchers, one line each.
/// `steps`: what each prepared voucher waits for (VCH-4).
/// `notes`: vouchers approved by resolution because the approver stood
/// aside (SEP-6), with why.
pub fn voucher_list(
    vouchers: &[(Voucher, Status)],
    steps: &[(qianzhang_core::VoucherRef, Next)],
    notes: &[(qianzhang_core::VoucherRef, qianzhang_core::lifecycle::StandAsideMark)],
    format: Format,
) -> String {
    let note_of = |v: &Voucher| notes.iter().find(|(r, _)| *r == v.reference()).map(|(_, n)| n);
    let next_of = |v: &Voucher| steps.iter().find(|(r, _)| *r == v.reference()).map(|(_, n)| *n);
    if format == Format::Json {
        #[derive(Serialize)]
        struct Item<'a> {
            voucher: String,
            date: String,
            status: Status,
            #[serde(skip_serializing_if = "Option::is_none")]
            next_step: Option<Next>,
            origin: Origin,
            summary: &'a str,
            amount: Money,
            #[serde(skip_serializing_if = "Option::is_none")]
            stand_aside: Option<String>,
        }
        let items: Vec<Item> = vouchers
            .iter()
            .map(|(v, s)| Item {
                voucher: v.reference().to_string(),
                date: format_date(v.date()),
                status: *s,
                next_step: next_of(v),
                origin: v.origin(),
                summary: v.lines().first().map(|l| l.summary.as_str()).unwrap_or(""),
                amount: v.total_debit(),
                stand_aside: note_of(v).map(|m| m.note()),
            })
            .collect();
        return json(&items);
    }
    let mut t = Table::new(
        "凭证列表",
        &[
            ("凭证号", Align::Left),
            ("日期", Align::Left),
            ("状态", Align::Left),
            ("摘要", Align::Left),
            ("金额", Align::Right),
        ],
    );
    for (v, s) in vouchers {
        let summary = v.lines().first().map(|l| l.summary.clone()).unwrap_or_default();
        t.row(vec![
            v.reference().to_string(),
            format_date(v.date()),
            stage(*s, next_of(v)).to_string(),
            format!(
                "{summary}{}{}",
                marks(Status::Posted, v.origin(), v.reverses().is_some()),
                note_of(v).map(|m| format!("［{}］", m.short())).unwrap_or_default()
            ),
            v.total_debit().to_string(),
        ]);
    }
    t.note(&format!("共 {} 张", vouchers.len()));
    match format {
        Format::Markdown => t.markdown(),
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        _ => t.text(),
    }
}

/// The chart of accounts, each account with its 助记码 (pinyin initials).
pub fn chart(chart: &qianzhang_core::Chart, format: Format) -> String {
    if format == Format::Json {
        return json(&chart.iter().collect::<Vec<_>>());
    }
    let mut t = Table::new(
        "会计科目表",
        &[
            ("科目编码", Align::Left),
            ("科目名称", Align::Left),
            ("助记码", Align::Left),
            ("类别", Align::Left),
            ("启用", Align::Left),
            ("停用", Align::Left),
        ],
    );
    for a in chart.iter() {
        let indent = "　".repeat(a.level() - 1);
        t.row(vec![
            a.code().to_string(),
            format!("{indent}{}", a.name()),
            a.mnemonic(),
            a.kind().chinese().to_string(),
            a.opened().map(format_date).unwrap_or_default(),
            a.closed().map(format_date).unwrap_or_default(),
        ]);
    }
    match format {
        Format::Markdown => t.markdown(),
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        _ => t.text(),
    }
}

/// People, the appointments in force on `date`, and any SEP-7 conflicts.
pub fn people(registry: &qianzhang_core::people::Registry, date: time::Date) -> String {
    let mut t = Table::new(
        &format!("人员与任职（{}）", format_date(date)),
        &[("姓名", Align::Left), ("职务", Align::Left), ("任职起", Align::Left), ("任职止", Align::Left)],
    );
    for person in registry.people() {
        let mut any = false;
        for a in registry.appointments().iter().filter(|a| a.person == person && a.in_force(date)) {
            any = true;
            let post = match (&a.title, a.leader) {
                _ if a.acting => "代理审批人".to_string(),
                (Some(title), _) => format!("{title}（{}）", a.role.chinese()),
                (None, true) => format!("{}（领导）", a.role.chinese()),
                (None, false) => a.role.chinese().to_string(),
            };
            t.row(vec![person.to_string(), post, format_date(a.from), a.ended.map(format_date).unwrap_or_default()]);
        }
        if !any {
            t.row(vec![person.to_string(), "（无任职）".into(), String::new(), String::new()]);
        }
    }
    for c in registry.conflicts(date) {
        t.note(&format!("冲突：{c}"));
    }
    t.text()
}

/// The register of authorizations with what each has paid for.
pub fn authorizations(items: &[qianzhang_core::backend::AuthorizationUse]) -> String {
    let mut t = Table::new(
        "审批依据登记簿",
        &[
            ("文号", Align::Left),
            ("类别", Align::Left),
            ("日期", Align::Left),
            ("事项", Align::Left),
            ("限额", Align::Right),
            ("已支出", Align::Right),
            ("余额", Align::Right),
        ],
    );
    for qianzhang_core::backend::AuthorizationUse { authorization: a, used } in items {
        t.row(vec![
            a.number.clone(),
            a.kind.chinese().to_string(),
            format_date(a.date),
            a.scope.clone(),
            a.cap.to_string(),
            used.to_string(),
            (a.cap - *used).to_string(),
        ]);
    }
    for a in items.iter().map(|u| &u.authorization) {
        if let Some(s) = &a.stand_aside {
            t.note(&format!(
                "{}：审批人回避（SEP-6），收款人 {}，{} 回避，由 {} 代为审批",
                a.number,
                s.payee,
                s.withdrawn.join("、"),
                s.deputy
            ));
        }
    }
    t.text()
}

/// Suspected splits (APR-3).
pub fn splits(items: &[qianzhang_core::approval::SuspectedSplit], threshold: Money, window_days: u32) -> String {
    let mut t = Table::new(
        &format!("疑似拆分支出（{window_days} 天内单笔不足 {}、合计达到限额）", threshold.to_yuan()),
        &[
            ("依据", Align::Left),
            ("凭证", Align::Left),
            ("起", Align::Left),
            ("止", Align::Left),
            ("合计", Align::Right),
        ],
    );
    for s in items {
        let refs: Vec<String> = s.vouchers.iter().map(|r| r.to_string()).collect();
        t.row(vec![s.key.clone(), refs.join("、"), format_date(s.first), format_date(s.last), s.total.to_string()]);
    }
    t.note(&format!("共 {} 组", items.len()));
    t.text()
}

/// Receipt books with every serial's fate (RCP-1): used, voided, unused.
pub fn receipts(
    books: &[qianzhang_core::receipts::ReceiptBook],
    used: &[qianzhang_core::backend::ReceiptRow],
) -> String {
    use qianzhang_core::receipts::ReceiptState;
    let mut t = Table::new(
        "收据使用情况",
        &[
            ("收据号", Align::Left),
            ("状态", Align::Left),
            ("交款人/原因", Align::Left),
            ("日期", Align::Left),
            ("金额", Align::Right),
        ],
    );
    for b in books {
        let mine: Vec<_> = used.iter().filter(|r| r.book == b.book).collect();
        for r in &mine {
            let serial = &r.serial;
            match &r.state {
                ReceiptState::Issued { payer, amount, date } => {
                    t.row(vec![b.number(*serial), "已用".into(), payer.clone(), format_date(*date), amount.to_string()])
                }
                ReceiptState::Voided { reason } => {
                    t.row(vec![b.number(*serial), "作废".into(), reason.clone(), String::new(), String::new()])
                }
            }
        }
        let voided = mine.iter().filter(|r| matches!(r.state, ReceiptState::Voided { .. })).count();
        let total = (b.last - b.first + 1) as usize;
        t.note(&format!(
            "{}：已用 {} 张，作废 {} 张，未用 {} 张",
            qianzhang_core::receipts::describe_book(b),
            mine.len() - voided,
            voided,
            total - mine.len()
        ));
    }
    t.text()
}

/// Outstanding cash advances (CSH-3): an advance is not cash.
pub fn advances(items: &[qianzhang_core::receipts::Advance]) -> String {
    let mut t =
        Table::new("未结清借款", &[("科目", Align::Left), ("借款人", Align::Left), ("未结清金额", Align::Right)]);
    let mut total = Money::ZERO;
    for a in items {
        total += a.outstanding;
        t.row(vec![a.account.clone(), a.borrower.clone(), a.outstanding.to_string()]);
    }
    t.total(vec!["合计".into(), String::new(), total.to_string()]);
    t.text()
}

/// The special funds report (专项资金收支表, FND-1).
pub fn funds(r: &qianzhang_core::funds::FundsReport, format: Format) -> String {
    if format == Format::Json {
        return json(&r.rows);
    }
    let machine = format.is_machine();
    let headers: &[(&str, Align)] = if machine {
        &[
            ("fund", Align::Left),
            ("opening", Align::Right),
            ("in", Align::Right),
            ("out", Align::Right),
            ("closing", Align::Right),
        ]
    } else {
        &[
            ("资金", Align::Left),
            ("期初结余", Align::Right),
            ("本期收入", Align::Right),
            ("本期支出", Align::Right),
            ("期末结余", Align::Right),
        ]
    };
    let mut t = Table::new(&format!("专项资金收支表　账套：{}　期间：{} 至 {}", r.ledger, r.from, r.to), headers);
    for row in &r.rows {
        let cells = [row.opening, row.income, row.spending, row.closing];
        let mut out = vec![row.fund.clone()];
        out.extend(cells.iter().map(|m| if machine { m.to_decimal_string() } else { m.to_string() }));
        t.row(out);
    }
    match format {
        Format::Csv | Format::PlainCsv | Format::Xlsx => t.render(format),
        Format::Markdown => t.markdown(),
        _ => t.text(),
    }
}

/// The effective holiday calendar of a year (PER-1, CSH-5): the built-in
/// notice's days and the ledger's own amendments.
pub fn calendar(year: i32, calendar: &qianzhang_core::calendar::Calendar) -> String {
    const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    let mut t = Table::new(
        &format!("{year} 年节假日与调休上班日"),
        &[
            ("日期", Align::Left),
            ("星期", Align::Left),
            ("安排", Align::Left),
            ("名称", Align::Left),
            ("来源", Align::Left),
        ],
    );
    let days = calendar.year(year);
    for (day, own) in &days {
        t.row(vec![
            format_date(day.date),
            WEEKDAYS[day.date.weekday().number_days_from_monday() as usize].into(),
            day.kind.chinese().into(),
            day.name.clone(),
            if *own { "本账套" } else { "国务院办公厅通知" }.into(),
        ]);
    }
    if !qianzhang_core::calendar::OFFICIAL_YEARS.contains(&year) {
        t.note(&format!(
            "{year} 年的国务院办公厅节假日安排未内置；请用 settings holiday add 和 settings workday add 逐日登记，否则只按周六、周日休息计算工作日"
        ));
    }
    if days.is_empty() {
        t.note("没有节假日或调休上班日");
    }
    t.text()
}

/// [FND-2] a fund's collection register: every payment, who has paid and
/// who has not, and the register against the fund's income.
pub fn collection_register(r: &qianzhang_core::collection::Register) -> String {
    let span = if r.from == r.to { r.from.to_string() } else { format!("{}—{}", r.from, r.to) };
    let mut t = Table::new(
        &format!("“{}”收款名册 {span}", r.fund),
        &[
            ("日期", Align::Left),
            ("门牌", Align::Left),
            ("交款人", Align::Left),
            ("金额", Align::Right),
            ("收据号", Align::Left),
        ],
    );
    for c in &r.lines {
        t.row(vec![format_date(c.date), c.household.clone(), c.payer.clone(), c.amount.to_string(), c.receipt.clone()]);
    }
    let households = r.paid.len() + r.unpaid.len();
    t.note(&format!(
        "合计 {} 笔 {}；已缴 {} 户，未缴 {} 户，共 {households} 户",
        r.lines.len(),
        r.total.to_yuan(),
        r.paid.len(),
        r.unpaid.len()
    ));
    let show = |rows: &[qianzhang_core::collection::HouseholdRow]| -> String {
        rows.iter()
            .map(|h| match &h.head {
                Some(head) => format!("{}（{head}）", h.door),
                None => h.door.clone(),
            })
            .collect::<Vec<_>>()
            .join("、")
    };
    if !r.paid.is_empty() {
        t.note(&format!("已缴：{}", show(&r.paid)));
    }
    if !r.unpaid.is_empty() {
        t.note(&format!("未缴：{}", show(&r.unpaid)));
    }
    match &r.difference {
        Some(d) => t.note(&d.to_string()),
        None => {
            t.note(&format!("截至 {} 名册合计 {}，与“{}”已记账收入相符", r.to, r.register_to_date.to_yuan(), r.fund))
        }
    }
    t.text()
}
