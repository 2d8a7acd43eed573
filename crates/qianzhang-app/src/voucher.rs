//! Vouchers from preparation to posting (VCH-1..4, SEP-1..6), their import
//! and export.

use crate::backend::Backend;
use std::io::Write;
use std::path::Path;

use qianzhang_core::batch;
use qianzhang_core::books::{
    attach_document, copy_voucher, enter_voucher, post_voucher, reverse_voucher, revise_voucher, void_voucher,
};
use qianzhang_core::csvfile::{import_csv, CsvExporter, ImportOptions, ImportSummary, LedgerExporter, TextEncoding};
use qianzhang_core::lifecycle::Signature;
use qianzhang_core::lifecycle::{
    next_step, payees, sign_voucher, stand_aside_mark, stand_aside_note, withdraw_signature, Next, SignKind,
    StandAsideMark,
};
use qianzhang_core::operator::Act;
use qianzhang_core::people::Registry;
use qianzhang_core::scan::{self, MediaType, ScanInfo};
use qianzhang_core::voucher::{read_amount, DraftInput};
use qianzhang_core::{Chart, Document, Draft, Line, Money, Origin, Period, Rule, Side, Status, Voucher, VoucherRef};

use crate::backend::{BackendError, Fingerprint};
use crate::session::{Ledger, Session};
use crate::Error;

/// One original document as typed: its amount still text.
#[derive(Clone, Debug, Default)]
pub struct DocumentInput {
    pub doc_type: Option<String>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub amount: Option<String>,
    pub handler: Option<String>,
    pub checker: Option<String>,
    pub date: Option<time::Date>,
}

impl DocumentInput {
    /// The document, if a type was given.
    pub fn document(&self) -> Result<Option<Document>, Error> {
        let Some(doc_type) = self.doc_type.clone() else { return Ok(None) };
        let amount = match &self.amount {
            Some(a) => read_amount(a, "单据", false)?,
            None => None,
        };
        Ok(Some(Document {
            doc_type,
            issuer: self.issuer.clone(),
            number: self.number.clone(),
            amount,
            handler: self.handler.clone(),
            checker: self.checker.clone(),
            date: self.date,
        }))
    }
}

/// A voucher typed as flags: `ACCOUNT=AMOUNT[@COUNTERPARTY][#FUND]` lines.
#[derive(Clone, Debug, Default)]
pub struct FlagDraft {
    pub date: Option<time::Date>,
    pub summary: Option<String>,
    pub debit: Vec<String>,
    pub credit: Vec<String>,
    pub authorization: Option<String>,
    /// The document given with `--doc-type` and its companion flags.
    pub document: DocumentInput,
    /// Further documents, each `类型=发票,号码=…,金额=…,经办人=…,验收人=…`.
    pub documents: Vec<String>,
    /// 收付对象 of every line that names none itself.
    pub counterparty: Option<String>,
    /// 专项资金 of every line that names none itself (FND-1).
    pub fund: Option<String>,
}

/// The keys a `--doc` text may use, Chinese or English.
const DOC_KEYS: &[(&str, &str)] = &[
    ("类型", "type"),
    ("号码", "no"),
    ("开票单位", "issuer"),
    ("金额", "amount"),
    ("经办人", "handler"),
    ("验收人", "checker"),
    ("日期", "date"),
];

/// [DOC-1] one document written as `类型=发票,号码=…,金额=…,经办人=…,验收人=…`
/// (keys also in English: type, no, issuer, amount, handler, checker, date).
pub fn document_from_text(text: &str) -> Result<Document, Error> {
    let mut input = DocumentInput::default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for piece in text.split([',', '，']) {
        match piece.split_once('=') {
            Some((k, v)) if DOC_KEYS.iter().any(|(zh, en)| k.trim() == *zh || k.trim().eq_ignore_ascii_case(en)) => {
                fields.push((k.trim().to_string(), v.trim().to_string()))
            }
            Some((k, _)) => {
                return Err(Error::refuse(
                    Rule::Doc1,
                    format!("单据“{text}”里的“{}”不是单据的项；可用的项：类型 号码 开票单位 金额 经办人 验收人 日期", k.trim()),
                ))
            }
            None => match fields.last_mut() {
                // A comma inside a value (an amount written 1,200.00).
                Some((_, v)) => {
                    v.push(',');
                    v.push_str(piece.trim());
                }
                None => {
                    return Err(Error::refuse(
                        Rule::Doc1,
                        format!("单据“{text}”应写作 类型=发票,号码=…,金额=…,经办人=…，可用的项：类型 号码 开票单位 金额 经办人 验收人 日期"),
                    ))
                }
            },
        }
    }
    for (k, v) in fields {
        let key = DOC_KEYS.iter().find(|(zh, en)| k == *zh || k.eq_ignore_ascii_case(en)).map(|(zh, _)| *zh);
        let v = Some(v).filter(|v| !v.is_empty());
        match key {
            Some("类型") => input.doc_type = v,
            Some("号码") => input.number = v,
            Some("开票单位") => input.issuer = v,
            Some("金额") => input.amount = v,
            Some("经办人") => input.handler = v,
            Some("验收人") => input.checker = v,
            _ => {
                input.date = match v {
                    Some(d) => Some(
                        qianzhang_core::period::parse_date(&d)
                            .map_err(|e| Error::refuse(Rule::Doc1, format!("单据日期“{d}”无法识别：{e}")))?,
                    ),
                    None => None,
                }
            }
        }
    }
    input.document()?.ok_or_else(|| Error::refuse(Rule::Doc1, format!("单据“{text}”缺少类型：请写 类型=发票 等")))
}

/// A draft from a voucher file (.toml, or .json by its extension), its
/// accounts resolved against the chart.
pub fn draft_from_file<B: Backend>(ledger: &Ledger<B>, path: &Path) -> Result<Draft, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    let file = std::fs::File::open(path).map_err(|e| {
        Error::refuse(
            Rule::Csv1,
            format!("无法读取凭证文件 {}：{}", path.display(), qianzhang_core::csvfile::io_reason(&e)),
        )
    })?;
    let bytes =
        qianzhang_core::csvfile::read_at_most(file, qianzhang_core::voucher::MAX_VOUCHER_FILE_BYTES, "凭证文件")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::refuse(Rule::Csv2, "凭证文件不是有效的 UTF-8 编码，请另存为 UTF-8"))?;
    let input: DraftInput = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| Error::refuse(Rule::Csv1, format!("凭证文件格式错误：{e}")))?
    } else {
        toml::from_str(&text).map_err(|e| Error::refuse(Rule::Csv1, format!("凭证文件格式错误：{e}")))?
    };
    Ok(input.into_draft(&chart)?)
}

/// A draft from flags, dated `today` unless a date is given; accounts
/// named by name are resolved to their codes.
pub fn draft_from_flags<B: Backend>(ledger: &Ledger<B>, input: &FlagDraft, today: time::Date) -> Result<Draft, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    let date = input.date.unwrap_or(today);
    let summary = input.summary.clone().ok_or_else(|| Error::refuse(Rule::Vch1, "请用 --summary 填写摘要"))?;
    let mut lines = Vec::new();
    for d in &input.debit {
        lines.push(flag_line(d, Side::Debit, &summary)?);
    }
    for c in &input.credit {
        lines.push(flag_line(c, Side::Credit, &summary)?);
    }
    for l in &mut lines {
        if let Some(a) = chart.resolve(&l.account) {
            l.account = a.code().to_string();
        }
        if l.counterparty.is_none() {
            l.counterparty = input.counterparty.clone().filter(|c| !c.trim().is_empty());
        }
        if l.fund.is_none() {
            l.fund = input.fund.clone().filter(|f| !f.trim().is_empty());
        }
    }
    let mut documents: Vec<Document> = input.document.document()?.into_iter().collect();
    for d in &input.documents {
        documents.push(document_from_text(d)?);
    }
    Ok(Draft { date, lines, documents, authorization: input.authorization.clone(), reverses: None, source_ref: None })
}

/// `ACCOUNT=AMOUNT[@COUNTERPARTY][#FUND]` as typed.
fn flag_line(text: &str, side: Side, summary: &str) -> Result<Line, Error> {
    let (text, fund) = match text.split_once('#') {
        Some((t, f)) => (t, Some(f.trim().to_string()).filter(|f| !f.is_empty())),
        None => (text, None),
    };
    let (text, counterparty) = match text.split_once('@') {
        Some((t, c)) => (t, Some(c.trim().to_string()).filter(|c| !c.is_empty())),
        None => (text, None),
    };
    let (account, amount) = text
        .rsplit_once('=')
        .ok_or_else(|| Error::refuse(Rule::Vch1, format!("“{text}”应写作 科目=金额，例如 520101=350.00")))?;
    let what = if side == Side::Debit { "借方" } else { "贷方" };
    let amount = read_amount(amount, what, false)?.unwrap_or(Money::ZERO);
    Ok(Line { summary: summary.to_string(), account: account.trim().to_string(), side, amount, fund, counterparty })
}

/// [VCH-1] prepares (制单) a voucher.
pub fn prepare<B: Backend>(session: &mut Session<B>, draft: Draft) -> Result<VoucherRef, Error> {
    let today = session.today();
    session.change(Act::KeepBooks, |w, who| enter_voucher(w, draft, Origin::Entered, who, today))
}

/// The draft `voucher edit` makes of a prepared voucher: what the flags give
/// replaces, what they leave out stays. Lines given (`--debit`/`--credit`)
/// replace every line (the summary, when not given, is the first old
/// line's); `--summary`, `--counterparty` or `--fund` alone apply to every
/// old line; documents given (`--doc`, `--doc-type`) replace the old ones.
pub fn draft_for_edit<B: Backend>(ledger: &Ledger<B>, r: VoucherRef, input: &FlagDraft) -> Result<Draft, Error> {
    let (old, _) = ledger
        .store()
        .voucher(ledger.handle(), r)?
        .ok_or_else(|| Error::refuse(Rule::Vch4, format!("凭证 {r} 不存在")))?;
    let lines = if input.debit.is_empty() && input.credit.is_empty() {
        let mut lines = old.lines().to_vec();
        for l in &mut lines {
            if let Some(s) = &input.summary {
                l.summary = s.clone();
            }
            if let Some(c) = &input.counterparty {
                l.counterparty = Some(c.clone()).filter(|c| !c.trim().is_empty());
            }
            if let Some(f) = &input.fund {
                l.fund = Some(f.clone()).filter(|f| !f.trim().is_empty());
            }
        }
        lines
    } else {
        let summary = input.summary.clone().or_else(|| old.lines().first().map(|l| l.summary.clone()));
        let typed = FlagDraft { summary, documents: Vec::new(), document: DocumentInput::default(), ..input.clone() };
        draft_from_flags(ledger, &typed, old.date())?.lines
    };
    let mut documents: Vec<Document> = input.document.document()?.into_iter().collect();
    for d in &input.documents {
        documents.push(document_from_text(d)?);
    }
    if documents.is_empty() {
        documents = old.documents().to_vec();
    }
    Ok(Draft {
        date: input.date.unwrap_or(old.date()),
        lines,
        documents,
        authorization: match &input.authorization {
            Some(a) => Some(a.clone()).filter(|a| !a.trim().is_empty()),
            None => old.authorization().map(str::to_string),
        },
        reverses: None,
        source_ref: old.source_ref().map(str::to_string),
    })
}

/// [VCH-4] revises a prepared voucher (the accountant): checked as when
/// prepared, its signatures cleared; a posted one is refused (VCH-5).
pub fn edit<B: Backend>(session: &mut Session<B>, r: VoucherRef, draft: Draft) -> Result<(), Error> {
    let today = session.today();
    session.change(Act::KeepBooks, |w, who| revise_voucher(w, r, draft, who, today))
}

/// [VCH-1..3] prepares a copy of `r` dated `date` (the accountant); its
/// documents are not copied (DOC-2).
pub fn copy<B: Backend>(session: &mut Session<B>, r: VoucherRef, date: time::Date) -> Result<VoucherRef, Error> {
    let today = session.today();
    session.change(Act::KeepBooks, |w, who| copy_voucher(w, r, date, who, today))
}

/// Saves `r`'s lines and authorization as the template `name` (the
/// accountant).
pub fn save_template<B: Backend>(session: &mut Session<B>, name: &str, r: VoucherRef) -> Result<(), Error> {
    session.change(Act::KeepBooks, |w, _| qianzhang_core::template::save_template(w, name, r))
}

/// The saved templates, each as last saved, by name.
pub fn templates<B: Backend>(ledger: &mut Ledger<B>) -> Result<Vec<qianzhang_core::template::Template>, Error> {
    ledger.read(|b| Ok(qianzhang_core::Books::templates(b)?))
}

/// [VCH-1..3] prepares a voucher dated `date` from the template `name`,
/// `amount` (as typed) replacing a one-debit-one-credit template's amount.
pub fn use_template<B: Backend>(
    session: &mut Session<B>,
    name: &str,
    date: time::Date,
    amount: Option<&str>,
) -> Result<VoucherRef, Error> {
    let amount = match amount {
        Some(a) => Some(read_amount(a, "模板", false)?.unwrap_or(Money::ZERO)),
        None => None,
    };
    let today = session.today();
    session.change(Act::KeepBooks, |w, who| qianzhang_core::template::use_template(w, name, date, amount, who, today))
}

/// The vouchers of a span with their stand-aside marks (SEP-6).
pub struct VoucherList {
    pub vouchers: Vec<(Voucher, Status)>,
    /// [VCH-4] what each prepared voucher waits for.
    pub steps: Vec<(VoucherRef, Next)>,
    pub marks: Vec<(VoucherRef, StandAsideMark)>,
}

pub fn list<B: Backend>(ledger: &Ledger<B>, from: Period, to: Period, today: time::Date) -> Result<VoucherList, Error> {
    let vouchers = ledger.store().vouchers(ledger.handle(), from, to)?;
    let registry = ledger.store().registry(ledger.handle())?;
    let marks = stand_aside_marks(ledger, &registry, vouchers.iter().map(|(v, _)| v), today)?;
    let steps = next_steps(ledger, vouchers.iter().filter(|(_, s)| *s == Status::Prepared).map(|(v, _)| v))?;
    Ok(VoucherList { vouchers, steps, marks })
}

/// [VCH-4] what each of `vouchers` (prepared ones) waits for next.
pub(crate) fn next_steps<'a, B: Backend>(
    ledger: &Ledger<B>,
    vouchers: impl Iterator<Item = &'a Voucher>,
) -> Result<Vec<(VoucherRef, Next)>, Error> {
    let chart = ledger.store().chart(ledger.handle())?;
    let mut out = Vec::new();
    for v in vouchers {
        let signed = ledger.store().signatures(ledger.handle(), v.reference())?;
        out.push((v.reference(), next_step(&chart, v, &signed)));
    }
    Ok(out)
}

/// One voucher with what its page shows.
pub struct VoucherPage {
    pub voucher: Voucher,
    pub status: Status,
    /// [VCH-4] what it waits for, while prepared.
    pub next: Option<Next>,
    pub signatures: Vec<Signature>,
    pub chart: Chart,
    /// Who stood aside for its payee (SEP-6).
    pub stand_aside: Option<String>,
    /// [DOC-1] the scans of its original documents, in the order attached.
    pub scans: Vec<ScanInfo>,
}

pub fn show<B: Backend>(ledger: &Ledger<B>, r: VoucherRef, today: time::Date) -> Result<VoucherPage, Error> {
    let (voucher, status) = ledger
        .store()
        .voucher(ledger.handle(), r)?
        .ok_or_else(|| Error::refuse(Rule::Vch4, format!("凭证 {r} 不存在")))?;
    let signatures = ledger.store().signatures(ledger.handle(), r)?;
    let chart = ledger.store().chart(ledger.handle())?;
    let registry = ledger.store().registry(ledger.handle())?;
    let stand_aside = stand_aside_note(&registry, &voucher, &signatures, today);
    let next = (status == Status::Prepared).then(|| next_step(&chart, &voucher, &signatures));
    let scans = ledger.store().scans_of(ledger.handle(), r)?;
    Ok(VoucherPage { voucher, status, next, signatures, chart, stand_aside, scans })
}

/// [DOC-1] attaches a scan (PDF, JPEG or PNG, told by its content; at most
/// `scan::MAX_SCAN_BYTES`) of an original document to a prepared voucher,
/// as the accountant, who attaches documents. The signatures so far lapse,
/// as with `attach`. `declared_media` is what the upload claims to be
/// (a MIME type or extension): a different content is refused.
pub fn attach_scan<B: Backend>(
    session: &mut Session<B>,
    reference: VoucherRef,
    file_name: &str,
    declared_media: Option<&str>,
    bytes: Vec<u8>,
) -> Result<ScanInfo, Error> {
    session.change(Act::KeepBooks, |w, _| scan::attach_scan(w, reference, file_name, declared_media, &bytes))
}

/// A scan file as the command line gives it: its name, the type its
/// extension declares (when it names one of the three; the content decides
/// and must agree) and at most one byte more than `scan::MAX_SCAN_BYTES`
/// (enough for the core to refuse an oversize file without reading it all).
pub fn read_scan_file(path: &Path) -> Result<(String, Option<&'static str>, Vec<u8>), Error> {
    use std::io::Read;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let declared = path.extension().and_then(|e| MediaType::parse(&e.to_string_lossy())).map(MediaType::mime);
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(scan::MAX_SCAN_BYTES as u64 + 1).read_to_end(&mut bytes)).map_err(
        |e| {
            Error::refuse(
                Rule::Doc1,
                format!("无法读取扫描件 {}：{}", path.display(), qianzhang_core::csvfile::io_reason(&e)),
            )
        },
    )?;
    Ok((name, declared, bytes))
}

/// [DOC-1] the scans attached to a voucher, in the order attached.
pub fn scans<B: Backend>(ledger: &Ledger<B>, reference: VoucherRef) -> Result<Vec<ScanInfo>, Error> {
    Ok(ledger.store().scans_of(ledger.handle(), reference)?)
}

/// [DOC-1] a scan's type and bytes by its SHA-256, when it is attached to
/// a voucher of this ledger; `None` for any other hash, another ledger's
/// included, so a front end serving scans never leaks one.
pub fn scan<B: Backend>(ledger: &Ledger<B>, sha256: &str) -> Result<Option<(MediaType, Vec<u8>)>, Error> {
    let sha = sha256.trim().to_ascii_lowercase();
    if !scan::is_sha256(&sha) {
        return Ok(None);
    }
    Ok(ledger.store().scan(ledger.handle(), &sha)?)
}

/// [DOC-1] a scan of a voucher named by its SHA-256 or a prefix of it of
/// at least 6 hex digits (`voucher show` lists the first 12), with its
/// bytes.
pub fn scan_of<B: Backend>(ledger: &Ledger<B>, reference: VoucherRef, sha: &str) -> Result<(ScanInfo, Vec<u8>), Error> {
    let wanted = sha.trim().to_ascii_lowercase();
    let scans = scans(ledger, reference)?;
    let found: Vec<&ScanInfo> = scans.iter().filter(|s| wanted.len() >= 6 && s.sha256.starts_with(&wanted)).collect();
    let info = match found.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(Error::refuse(
                Rule::Doc1,
                format!("凭证 {reference} 没有 SHA-256 以“{sha}”开头的扫描件；用 voucher show {reference} 查看所附扫描件（至少写前 6 位）"),
            ))
        }
        _ => {
            return Err(Error::refuse(
                Rule::Doc1,
                format!("凭证 {reference} 有多份扫描件的 SHA-256 以“{sha}”开头；请多写几位"),
            ))
        }
    };
    let (_, bytes) = ledger
        .store()
        .scan(ledger.handle(), &info.sha256)?
        .ok_or_else(|| Error::refuse(Rule::Aud2, format!("扫描件 {} 不在库中；请运行 verify 检查账套", info.sha256)))?;
    Ok((info, bytes))
}

/// [SEP-6] the stand-aside marks of `vouchers`: signatures are read only
/// for vouchers paying someone registered.
pub(crate) fn stand_aside_marks<'a, B: Backend>(
    ledger: &Ledger<B>,
    registry: &Registry,
    vouchers: impl Iterator<Item = &'a Voucher>,
    today: time::Date,
) -> Result<Vec<(VoucherRef, StandAsideMark)>, Error> {
    let mut out = Vec::new();
    for v in vouchers.filter(|v| !payees(registry, v).is_empty()) {
        let signatures = ledger.store().signatures(ledger.handle(), v.reference())?;
        if let Some(m) = stand_aside_mark(registry, v, &signatures, today) {
            out.push((v.reference(), m));
        }
    }
    Ok(out)
}

/// [DOC-1, DOC-3] what review will refuse of voucher `r` as it stands: no
/// document, or an expense's documents short of what it pays. Said when a
/// voucher is prepared, while the documents are at hand.
pub fn review_gaps<B: Backend>(ledger: &Ledger<B>, r: VoucherRef) -> Result<Vec<qianzhang_core::rule::Refusal>, Error> {
    let Some((v, _)) = ledger.store().voucher(ledger.handle(), r)? else { return Ok(Vec::new()) };
    let chart = ledger.store().chart(ledger.handle())?;
    Ok(qianzhang_core::documents::check_documents_complete(&chart, &v))
}

/// [APR-2] what approval will refuse of voucher `r` as it stands: an
/// expense with no authorization cited, one not recorded, of the wrong
/// kind for its amount, dated after it or past its cap. Said when a
/// voucher is prepared, so the authorization is sought before the voucher
/// reaches the approver.
pub fn approval_gap<B: Backend>(
    ledger: &mut Ledger<B>,
    r: VoucherRef,
) -> Result<Option<qianzhang_core::rule::Refusal>, Error> {
    let Some((v, _)) = ledger.store().voucher(ledger.handle(), r)? else { return Ok(None) };
    ledger.read(|books| qianzhang_core::approval::check_authorization(books, &v))
}

/// Whether voucher `r` carries a signature (that an edit or an attached
/// document makes lapse).
pub fn is_signed<B: Backend>(ledger: &Ledger<B>, r: VoucherRef) -> Result<bool, Error> {
    Ok(!ledger.store().signatures(ledger.handle(), r)?.is_empty())
}

/// The vouchers a batch acts on, and why `--all` passed over others.
pub struct Batch {
    pub refs: Vec<VoucherRef>,
    pub passed_over: Vec<String>,
}

/// [VCH-4] the vouchers named, plus with `all` every prepared voucher of
/// the period in that ledger whose next step is `step`; and why the other prepared vouchers
/// of the period were passed over. With `all`, a period with nothing
/// waiting for `step` is an empty batch, not a refusal: a daily `--all`
/// finds nothing to do on most days.
pub fn select<B: Backend>(named: &[VoucherRef], all: Option<(&Ledger<B>, Period)>, step: Next) -> Result<Batch, Error> {
    let mut refs = named.to_vec();
    let mut passed_over = Vec::new();
    let batch = all.is_some();
    if let Some((ledger, p)) = all {
        let chart = ledger.store().chart(ledger.handle())?;
        for (v, status) in ledger.store().vouchers(ledger.handle(), p, p)? {
            if status != Status::Prepared || refs.contains(&v.reference()) {
                continue;
            }
            match next_step(&chart, &v, &ledger.store().signatures(ledger.handle(), v.reference())?) {
                next if next == step => refs.push(v.reference()),
                next => passed_over.push(batch::passed_over(v.reference(), next, step)),
            }
        }
    }
    if refs.is_empty() && !batch {
        return Err(Error::refuse(Rule::Vch4, "没有写出凭证：请写出凭证号，或用 --all --period YYYY-MM"));
    }
    Ok(Batch { refs, passed_over })
}

/// [SEP-1..6] signs each voucher as reviewer, approver or cashier.
pub fn sign<B: Backend>(session: &mut Session<B>, refs: &[VoucherRef], kind: SignKind) -> Result<(), Error> {
    let today = session.today();
    let at = session.at();
    session.change(Act::Sign, |w, who| batch::each_voucher(w, refs, |w, r| sign_voucher(w, r, kind, who, today, &at)))
}

/// [OPR-1] refuses (logged as any refusal) when the operator's role does
/// not allow `act` today, and changes nothing otherwise: a batch with
/// nothing to do tells one who may not do it so first.
pub fn admit<B: Backend>(session: &mut Session<B>, act: Act) -> Result<(), Error> {
    session.change(act, |_, _| Ok(()))
}

/// [SEP-5, OPR-1] as `admit`, for a signature of `kind`: a batch with
/// nothing to sign tells a cashier asked to review, or one without the
/// post, so first.
pub fn admit_sign<B: Backend>(session: &mut Session<B>, kind: SignKind) -> Result<(), Error> {
    let today = session.today();
    session.change(Act::Sign, |w, who| {
        qianzhang_core::lifecycle::may_sign(qianzhang_core::Books::registry(w), who, kind, today, "").map(|_| ())
    })
}

/// [VCH-3] posts each voucher whose signatures are complete.
pub fn post<B: Backend>(session: &mut Session<B>, refs: &[VoucherRef]) -> Result<(), Error> {
    let today = session.today();
    session.change(Act::Post, |w, who| batch::each_voucher(w, refs, |w, r| post_voucher(w, r, who, today)))
}

/// [DOC-1] attaches a document; the signatures so far lapse.
pub fn attach<B: Backend>(session: &mut Session<B>, r: VoucherRef, documents: Vec<Document>) -> Result<(), Error> {
    session.change(Act::KeepBooks, |w, _| documents.into_iter().try_for_each(|d| attach_document(w, r, d)))
}

/// Withdraws the operator's own signature before posting.
pub fn withdraw<B: Backend>(session: &mut Session<B>, r: VoucherRef, kind: SignKind) -> Result<(), Error> {
    session.change(Act::Sign, |w, who| withdraw_signature(w, r, kind, who))
}

/// [VCH-4] voids an unposted voucher, keeping its number.
pub fn void<B: Backend>(session: &mut Session<B>, r: VoucherRef, reason: &str) -> Result<(), Error> {
    session.change(Act::KeepBooks, |w, _| void_voucher(w, r, reason))
}

/// [VCH-4] the red reversal of a posted voucher, dated `date` (else today).
pub fn reverse<B: Backend>(
    session: &mut Session<B>,
    r: VoucherRef,
    date: Option<time::Date>,
) -> Result<VoucherRef, Error> {
    let today = session.today();
    let date = date.unwrap_or(today);
    session.change(Act::KeepBooks, |w, who| reverse_voucher(w, r, date, who, today))
}

/// How to import a voucher CSV.
pub struct Import<'a> {
    pub file: &'a Path,
    pub encoding: Option<TextEncoding>,
    /// The worksheet of an .xlsx to read (else its first).
    pub sheet: Option<&'a str>,
    /// Migrated history before go-live: posted and closed at once.
    pub history: bool,
    pub force: bool,
}

/// [CSV-1..3] imports a voucher CSV, all or nothing; with the ledger's
/// fingerprint after it. An .xlsx (told by its content) is read as the CSV
/// its sheet holds, from its header row on.
pub fn import<B: Backend>(
    session: &mut Session<B>,
    import: &Import<'_>,
) -> Result<(ImportSummary, Fingerprint), Error> {
    let file_name = import.file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let act = if import.history { Act::MigrateHistory } else { Act::KeepBooks };
    let today = session.today();
    let workbook = if crate::excel::is_workbook(import.file) {
        let is_header = |cells: &[String]| qianzhang_core::csvfile::is_voucher_header(cells);
        Some(crate::excel::read_table_file(
            import.file,
            import.sheet,
            qianzhang_core::csvfile::MAX_FILE_BYTES,
            "凭证文件",
            &is_header,
        )?)
    } else {
        None
    };
    let summary = session.change(act, |w, who| {
        let opts = ImportOptions {
            file_name: &file_name,
            encoding: if workbook.is_some() { Some(TextEncoding::Utf8) } else { import.encoding },
            history: import.history,
            force: import.force,
            preparer: who,
            today,
        };
        match &workbook {
            Some(csv) => import_csv(w, || Ok(&csv[..]), &opts),
            None => import_csv(w, || std::fs::File::open(import.file), &opts),
        }
    })?;
    let ledger = session.ledger();
    let fp = ledger.store().fingerprint(ledger.handle())?.fingerprint;
    Ok((summary, fp))
}

/// What an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The import CSV, voided vouchers left out; `bom`: a UTF-8 BOM first,
    /// so that Excel reads the Chinese.
    Csv { chinese_header: bool, bom: bool },
    /// A ledger-cli journal.
    Ledger,
}

/// Writes the vouchers of `from..=to` to `sink`. A write error of the sink
/// comes back as [`Error::Io`] as the sink raised it.
pub fn export<B: Backend>(
    ledger: &Ledger<B>,
    from: Period,
    to: Period,
    format: ExportFormat,
    sink: &mut dyn Write,
) -> Result<(), Error> {
    // A sink's write error is kept aside, so that a reader gone away
    // (`| head`) is told as such.
    let mut fault: Option<std::io::Error> = None;
    let mut keep = |e: std::io::Error| {
        let err = BackendError::Io(e.to_string());
        fault = Some(e);
        err
    };
    let done: Result<(), Error> = (|| {
        match format {
            ExportFormat::Csv { chinese_header, bom } => {
                if bom {
                    sink.write_all("\u{FEFF}".as_bytes()).map_err(&mut keep)?;
                }
                let mut ex = CsvExporter::new(&mut *sink, chinese_header)?;
                // A voided voucher is kept in the books, not in a file meant for re-import.
                ledger.store().each_voucher(ledger.handle(), from, to, |v, s| {
                    if s == Status::Voided {
                        return Ok(());
                    }
                    ex.write(&v).map_err(&mut keep)
                })?;
                ex.finish()?;
            }
            ExportFormat::Ledger => {
                let chart = ledger.store().chart(ledger.handle())?;
                let mut ex = LedgerExporter::new(&mut *sink, &chart)?;
                ledger.store().each_voucher(ledger.handle(), from, to, |v, s| ex.write(&v, s).map_err(&mut keep))?;
                ex.finish()?;
            }
        }
        Ok(())
    })();
    match (done, fault) {
        (Err(_), Some(e)) => Err(Error::Io(e)),
        (done, _) => done,
    }
}
