//! `voucher …` and `import`/`export`: parse, one application call, render.

use qianzhang_app::voucher::{self as app, ExportFormat as Export, Import};
use qianzhang_core::lifecycle::{Next, SignKind};
use qianzhang_core::Rule;
use qianzhang_report::Format;

use crate::args::{AddArgs, Cli, ExportFormat, Range, Selection, TemplateCmd, VoucherCmd};
use crate::clock;
use crate::exit::{bad_input, Exit};
use crate::outcome::field;
use crate::output::out;
use crate::session::{db_path, open_ledger, sign_in};

pub(crate) fn voucher(cli: &Cli, cmd: &VoucherCmd) -> Result<(), Exit> {
    match cmd {
        VoucherCmd::Add(args) => {
            let AddArgs { file, fields } = args.as_ref();
            let ledger = open_ledger(cli)?;
            let draft = match file {
                Some(path) => app::draft_from_file(&ledger, path)?,
                None => app::draft_from_flags(&ledger, &fields.input(), clock::today())?,
            };
            let reference = app::prepare(&mut sign_in(cli, ledger)?, draft)?;
            field("reference", reference.to_string());
            let mut text = format!("已制单 {reference}（待审核）\n");
            // What review will refuse, said now, while the documents are at hand.
            let mut ledger = open_ledger(cli)?;
            let missing = app::review_gaps(&ledger, reference)?;
            if !missing.is_empty() {
                text.push_str(
                    "提示：审核前须补齐（用 voucher attach 补附单据；单据信息填错的，用 voucher edit 更正）：\n",
                );
                for r in &missing {
                    text.push_str(&format!("  [{}] {}\n", r.rule, r.message));
                }
            }
            // And what approval will refuse, while there is time to seek it.
            if let Some(r) = app::approval_gap(&mut ledger, reference)? {
                text.push_str(
                    "提示：审批时将被拒绝（审批依据须由管理员用 auth add 登记，再用 voucher edit --authorization 注明）：\n",
                );
                text.push_str(&format!("  [{}] {}\n", r.rule, r.message));
            }
            out(&text)
        }
        VoucherCmd::List { range, format, output } => {
            let format = format.plain(cli.plain);
            let ledger = open_ledger(cli)?;
            let (from, to) = qianzhang_app::reports::span(&ledger, &range.app())?;
            let list = app::list(&ledger, from, to, clock::today())?;
            let text = qianzhang_report::voucher_list(&list.vouchers, &list.steps, &list.marks, format);
            crate::output::report(cli, output.as_deref(), format, &text)
        }
        VoucherCmd::Show { reference, format } => {
            let format = format.plain(cli.plain);
            let page = app::show(&open_ledger(cli)?, *reference, clock::today())?;
            let mut text = qianzhang_report::voucher_with_scans(
                &page.voucher,
                page.status,
                page.next,
                &page.signatures,
                &page.scans,
                &page.chart,
                format,
            );
            if let (Some(note), false) = (page.stand_aside, matches!(format, Format::Json | Format::Xlsx)) {
                text.push_str(&format!("［{note}］（SEP-6）\n"));
            }
            crate::output::report(cli, None, format, &text)
        }
        VoucherCmd::Review(sel) => sign(cli, sel, SignKind::Review),
        VoucherCmd::Approve(sel) => sign(cli, sel, SignKind::Approve),
        VoucherCmd::Confirm(sel) => sign(cli, sel, SignKind::Confirm),
        VoucherCmd::Attach { reference, doc, document, scan } => {
            let mut docs: Vec<_> = document.input().document()?.into_iter().collect();
            for text in doc {
                docs.push(app::document_from_text(text)?);
            }
            if docs.is_empty() && scan.is_empty() {
                return Err(bad_input(
                    Rule::Doc1,
                    "请用 --doc 类型=…,号码=… 或 --doc-type 等写明要附的单据，或用 --scan 文件 附上原始凭证的扫描件",
                ));
            }
            let files = scan.iter().map(|p| app::read_scan_file(p)).collect::<Result<Vec<_>, _>>()?;
            let ledger = open_ledger(cli)?;
            // Whether any signature lapses (DOC-1): said only when one does.
            let signed = app::is_signed(&ledger, *reference)?;
            let mut session = sign_in(cli, ledger)?;
            let mut text = String::new();
            if !docs.is_empty() {
                app::attach(&mut session, *reference, docs)?;
                text.push_str(&format!("已为 {reference} 附上单据\n"));
            }
            let mut shas = Vec::new();
            for (name, declared, bytes) in files {
                let s = app::attach_scan(&mut session, *reference, &name, declared, bytes)?;
                text.push_str(&format!(
                    "已为 {reference} 附上扫描件“{}”（{}，{} 字节，SHA-256 {}）\n",
                    s.file_name,
                    s.media.label(),
                    s.size,
                    s.sha_short()
                ));
                shas.push(s.sha256);
            }
            field("reference", reference.to_string());
            if !shas.is_empty() {
                field("scans", shas);
            }
            if signed {
                text.push_str("原有签字已作废，请重新审核、审批、确认\n");
            }
            out(&text)
        }
        VoucherCmd::Scan { reference, sha256, output } => {
            let (scan, bytes) = app::scan_of(&open_ledger(cli)?, *reference, sha256)?;
            crate::output::emit(&db_path(cli), Some(output), |w| Ok(w.write_all(&bytes)?))?;
            out(&format!(
                "已写出 {}：{reference} 的扫描件“{}”（{}，{} 字节，SHA-256 {}）\n",
                output.display(),
                scan.file_name,
                scan.media.label(),
                scan.size,
                scan.sha_short()
            ))
        }
        VoucherCmd::Edit { reference, fields } => {
            let ledger = open_ledger(cli)?;
            let draft = app::draft_for_edit(&ledger, *reference, &fields.input())?;
            let signed = app::is_signed(&ledger, *reference)?;
            app::edit(&mut sign_in(cli, ledger)?, *reference, draft)?;
            if signed {
                out(&format!("已修改 {reference}；原有签字已作废，请重新审核、审批、确认\n"))
            } else {
                out(&format!("已修改 {reference}（待审核）\n"))
            }
        }
        VoucherCmd::Copy { reference, date } => {
            let copy = app::copy(&mut sign_in(cli, open_ledger(cli)?)?, *reference, *date)?;
            out(&format!(
                "已制单 {copy}（复制自 {reference}，待审核）；原始凭证未复制：一张单据只能附在一张凭证上（DOC-2），请用 voucher attach {copy} 附上本次的单据\n"
            ))
        }
        VoucherCmd::Template(TemplateCmd::Save { name, from }) => {
            app::save_template(&mut sign_in(cli, open_ledger(cli)?)?, name, *from)?;
            out(&format!("已将 {from} 的分录存为凭证模板“{}”\n", name.trim()))
        }
        VoucherCmd::Template(TemplateCmd::Use { name, date, amount }) => {
            let v = app::use_template(&mut sign_in(cli, open_ledger(cli)?)?, name, *date, amount.as_deref())?;
            out(&format!(
                "已制单 {v}（模板“{}”，待审核）；请用 voucher attach {v} --doc 类型=…,号码=… 附上本次的原始凭证（DOC-1）\n",
                name.trim()
            ))
        }
        VoucherCmd::Template(TemplateCmd::List) => {
            let templates = app::templates(&mut open_ledger(cli)?)?;
            if templates.is_empty() {
                return out("还没有凭证模板；用 voucher template save 名称 --from 凭证号 把一张凭证存为模板\n");
            }
            let mut text = String::new();
            for t in &templates {
                text.push_str(&t.name);
                if let Some(a) = &t.authorization {
                    text.push_str(&format!("（审批依据 {a}）"));
                }
                text.push('\n');
                for l in &t.lines {
                    let side = if l.side == qianzhang_core::Side::Debit { "借" } else { "贷" };
                    text.push_str(&format!("  {side} {} {}  {}\n", l.account, l.amount.to_yuan(), l.summary));
                }
            }
            out(&text)
        }
        VoucherCmd::Withdraw { reference, kind } => {
            let kind = *kind;
            app::withdraw(&mut sign_in(cli, open_ledger(cli)?)?, *reference, kind)?;
            field("reference", reference.to_string());
            out(&format!("已撤回对 {reference} 的{}\n", kind.chinese()))
        }
        VoucherCmd::Post(sel) => {
            let batch = selected(cli, sel, Next::Post)?;
            if batch.refs.is_empty() {
                // Nothing to post: one who may not post is told so all the same.
                app::admit(&mut sign_in(cli, open_ledger(cli)?)?, qianzhang_core::operator::Act::Post)?;
            } else {
                app::post(&mut sign_in(cli, open_ledger(cli)?)?, &batch.refs)?;
            }
            out(&batch_report("记账", &batch))
        }
        VoucherCmd::Void { reference, reason } => {
            app::void(&mut sign_in(cli, open_ledger(cli)?)?, *reference, reason)?;
            field("reference", reference.to_string());
            out(&format!("已作废 {reference}（{}），编号保留，不再记账\n", reason.trim()))
        }
        VoucherCmd::Reverse { reference, date } => {
            let reversal = app::reverse(&mut sign_in(cli, open_ledger(cli)?)?, *reference, *date)?;
            field("reference", reversal.to_string());
            field("reverses", reference.to_string());
            out(&format!("已生成红字冲销凭证 {reversal}（冲销 {reference}，待记账）；如需更正，请另录正确凭证\n"))
        }
    }
}

/// The vouchers named, plus with `--all` those of the period waiting for `step`.
/// The ledger is opened only to look for `--all`'s vouchers.
fn selected(cli: &Cli, sel: &Selection, step: Next) -> Result<app::Batch, Exit> {
    match (sel.all, sel.period) {
        (true, Some(p)) => Ok(app::select(&sel.references, Some((&open_ledger(cli)?, p)), step)?),
        _ => Ok(app::select::<crate::session::Store>(&sel.references, None, step)?),
    }
}

/// What a batch did, and what `--all` passed over.
fn batch_report(done: &str, batch: &app::Batch) -> String {
    field("count", batch.refs.len());
    field("references", batch.refs.iter().map(ToString::to_string).collect::<Vec<_>>());
    field("passed_over", batch.passed_over.iter().map(ToString::to_string).collect::<Vec<_>>());
    let mut text = if batch.refs.is_empty() {
        format!("没有等待{done}的凭证，未作任何改动\n")
    } else {
        format!("已{done} {} 张凭证\n", batch.refs.len())
    };
    if !batch.passed_over.is_empty() {
        text.push_str(&format!("未处理 {} 张：\n", batch.passed_over.len()));
        for p in &batch.passed_over {
            text.push_str(&format!("  {p}\n"));
        }
    }
    text
}

fn sign(cli: &Cli, sel: &Selection, kind: SignKind) -> Result<(), Exit> {
    let batch = selected(cli, sel, Next::Sign(kind))?;
    if batch.refs.is_empty() {
        // Nothing to sign: one who may not sign so is told so all the same.
        app::admit_sign(&mut sign_in(cli, open_ledger(cli)?)?, kind)?;
    } else {
        app::sign(&mut sign_in(cli, open_ledger(cli)?)?, &batch.refs, kind)?;
    }
    out(&batch_report(kind.chinese(), &batch))
}

/// `import FILE`.
pub(crate) fn import(
    cli: &Cli,
    file: &std::path::Path,
    history: bool,
    encoding: Option<qianzhang_core::csvfile::TextEncoding>,
    sheet: Option<&str>,
    force: bool,
) -> Result<(), Exit> {
    let mut session = sign_in(cli, open_ledger(cli)?)?;
    let (summary, fp) = app::import(&mut session, &Import { file, encoding, sheet, history, force })?;
    field("rows", summary.rows);
    field("vouchers", summary.vouchers);
    field("first", summary.first.map(|r| r.to_string()));
    field("last", summary.last.map(|r| r.to_string()));
    field("encoding", summary.encoding.name());
    field("fingerprint", fp.to_string());
    if history {
        field("periods_closed", summary.periods_closed.iter().map(ToString::to_string).collect::<Vec<_>>());
    }
    let source = if qianzhang_app::excel::is_workbook(file) {
        "Excel 工作簿".to_string()
    } else {
        format!("{}编码", summary.encoding.name())
    };
    let mut msg = format!(
        "已导入 {} 行、{} 张凭证（{source}）{}。\n",
        summary.rows,
        summary.vouchers,
        match (summary.first, summary.last) {
            (Some(a), Some(b)) => format!("，编号 {a} 至 {b}"),
            _ => String::new(),
        }
    );
    if history {
        let periods: Vec<String> = summary.periods_closed.iter().map(|p| p.to_string()).collect();
        msg.push_str(&format!("历史凭证已直接记账，并已结账期间：{}\n", periods.join("、")));
    } else {
        msg.push_str("凭证为已制单状态，请审核后记账（voucher post）。\n");
    }
    msg.push_str(&format!("指纹：{fp}\n"));
    out(&msg)
}

/// `export --format csv|xlsx|ledger`. The CSV is for Excel (BOM, Chinese
/// header) unless `--plain`; the workbook holds the same columns, so that
/// either imports back.
pub(crate) fn export(
    cli: &Cli,
    format: ExportFormat,
    range: &Range,
    output: Option<&std::path::Path>,
    chinese_header: bool,
) -> Result<(), Exit> {
    let ledger = open_ledger(cli)?;
    let (from, to) = qianzhang_app::reports::span(&ledger, &range.app())?;
    let format = match format {
        ExportFormat::Csv => Export::Csv { chinese_header: chinese_header || !cli.plain, bom: !cli.plain },
        ExportFormat::Ledger => Export::Ledger,
        ExportFormat::Xlsx => {
            let mut csv = Vec::new();
            app::export(&ledger, from, to, Export::Csv { chinese_header: true, bom: false }, &mut csv)?;
            let title = format!("记账凭证　账套：{}　期间：{from} 至 {to}", ledger.name());
            let table = export_table(&title, &csv)?;
            return crate::output::report(cli, output, qianzhang_report::Format::Xlsx, &table.sheet());
        }
    };
    crate::output::emit(&db_path(cli), output, |sink| Ok(app::export(&ledger, from, to, format, sink)?))
}

/// The voucher CSV as a table for the workbook: amounts and dates typed,
/// the CSV's formula escapes undone (a workbook's text cell is never run).
fn export_table(title: &str, csv: &[u8]) -> Result<qianzhang_report::Table, Exit> {
    use qianzhang_core::csvfile::unescape_text_cell;
    use qianzhang_report::{Align, Table};
    let bad = |e: csv::Error| Exit::BadInput(format!("无法生成 Excel 文件：{e}"));
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv);
    let mut records = reader.records();
    let header = match records.next() {
        Some(h) => h.map_err(bad)?,
        None => return Ok(Table::new(title, &[])),
    };
    let amounts = ["借方", "贷方", "单据金额"];
    let columns: Vec<(&str, Align)> =
        header.iter().map(|h| (h, if amounts.contains(&h) { Align::Right } else { Align::Left })).collect();
    let mut table = Table::new(title, &columns);
    for record in records {
        let record = record.map_err(bad)?;
        let cells = record
            .iter()
            .zip(&columns)
            .map(
                |(c, (_, align))| {
                    if *align == Align::Right {
                        c.to_string()
                    } else {
                        unescape_text_cell(c).to_string()
                    }
                },
            )
            .collect();
        table.row(cells);
    }
    Ok(table)
}
