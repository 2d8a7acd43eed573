//! `qianzhang demo`: a community ledger built from the fixtures, end to end
//! through the same calls the commands use: the application seeds the
//! first quarter, April is replayed through this binary's own command path,
//! and the application closes the months.

use std::path::{Path, PathBuf};

use clap::Parser;
use qianzhang_app::demo;
use qianzhang_core::disclosure::Span;
use qianzhang_core::Period;
use qianzhang_report::print::{vouchers_html, VoucherPaper, VoucherSheet};
use qianzhang_report::Paper;

use crate::clock;
use crate::commands::board::{render, BoardFormat};
use crate::exit::Exit;
use crate::output::out;
use crate::session::{hash_new, open_store};

fn demo_path(given: Option<&Path>) -> Result<PathBuf, Exit> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => {
            let dir = std::env::temp_dir().join(format!("qianzhang-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(dir.join("demo.db"))
        }
    }
}

/// The demo's own day: its story runs January to April 2025 and ends on
/// April's poster, whatever the computer's clock says.
pub(crate) const STORY_NOW: time::OffsetDateTime = time::macros::datetime!(2025-05-01 09:00:00 +08:00);

pub fn run(db: Option<&Path>) -> Result<(), Exit> {
    let (_, text) = build(db, false)?;
    out(&text)
}

/// Builds the demo community's books (at `db`, or a new temporary file)
/// and returns where, with the story told; `quiet` keeps April's replay
/// from being printed step by step.
pub fn build(db: Option<&Path>, quiet: bool) -> Result<(PathBuf, String), Exit> {
    clock::pin(STORY_NOW);
    let path = demo_path(db)?;
    let seeded = demo::seed(open_store(&path)?, clock::now(), hash_new(demo::PASSPHRASE)?)?;
    let (h, c) = (seeded.history, seeded.current);
    drop(seeded.ledger);
    let april = replay_april(&path, quiet)?;
    let mut ledger = qianzhang_app::Ledger::select(open_store(&path)?, Some(demo::LEDGER))?;
    let (start, end) = (Period::new(2025, 1), Period::new(2025, 4));
    let (Some(start), Some(end)) = (start, end) else { return Err(Exit::Internal("演示的期间无效".into())) };
    demo::month_end(&mut ledger, clock::now(), start, end)?;
    let published = end.next().first_day();
    let disclosure = qianzhang_app::board::disclosure(&ledger, Span::Month { period: end }, published)?;
    // The printouts go beside the store file, or to a temporary folder
    // when the books are on a database server.
    let beside = |name: String| match crate::session::is_file(&path) {
        true => Ok::<_, Exit>(path.with_file_name(name)),
        false => {
            let dir = std::env::temp_dir().join(format!("qianzhang-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(dir.join(name))
        }
    };
    let html = beside(format!("财务公开-{end}.html"))?;
    std::fs::write(&html, render(&disclosure, BoardFormat::Html, Paper::A3, false))?;
    let (tb, journal, report) = demo::summary(&ledger, start, end)?;
    let statements = qianzhang_app::reports::statements(&ledger, end)?;
    let batch = qianzhang_app::print::vouchers(&ledger, &qianzhang_app::print::Which::Period(end))?;
    let sheets: Vec<VoucherSheet<'_>> = batch
        .sheets
        .iter()
        .map(|s| VoucherSheet { voucher: &s.voucher, status: s.status, signatures: &s.signatures })
        .collect();
    let printed = beside(format!("记账凭证-{end}.html"))?;
    std::fs::write(&printed, vouchers_html(&batch.unit, &sheets, &batch.chart, VoucherPaper::A5).html)?;

    let mut text = format!(
        "\n演示账套“{}”：迁移 2024 年第四季度历史凭证 {} 张（{}编码），导入并记账 2025 年第一季度凭证 {} 张，\n\
         重放四月份的 {} 项操作，其中 {} 项按规则被拒绝、账簿未受影响：\n",
        demo::LEDGER,
        h.vouchers,
        h.encoding.name(),
        c.vouchers,
        april.len(),
        april.iter().filter(|(_, r)| r.is_some()).count()
    );
    for (line, rule) in &april {
        if let Some(rule) = rule {
            text.push_str(&format!("  [{rule}] {line}\n"));
        }
    }
    text.push('\n');
    text.push_str(&qianzhang_report::trial_balance(&tb, qianzhang_report::Format::Text));
    text.push('\n');
    text.push_str(&qianzhang_report::journal(&journal, qianzhang_report::Format::Text));
    text.push('\n');
    match &report.mismatch {
        None => text.push_str(&format!("校验通过，日志 {} 条。指纹：{}\n", report.entries, report.fingerprint)),
        Some(m) => return Err(Exit::Integrity(format!("[AUD-2] 演示账套校验失败：{}", m.detail))),
    }
    text.push('\n');
    text.push_str(&qianzhang_report::statement(&statements.balance_sheet, qianzhang_report::Format::Text));
    text.push('\n');
    text.push_str(&render(&disclosure, BoardFormat::Text, Paper::A3, false));
    let shown = qianzhang_db::Spec::of(&path).display();
    text.push_str(&format!(
        "\n一至四月已逐月盘点现金、核对银行对账单并结账；四月的公开表海报：{}\n\
         四月的记账凭证（{} 张，每张一页，可直接打印）：{}\n\
         {}：{}\n继续查看：qianzhang --db {} report journal --from 2025-01\n\
         三张会计报表：qianzhang --db {} report balance-sheet|activities|cash-flow --month 2025-04\n",
        html.display(),
        sheets.len(),
        printed.display(),
        if crate::session::is_file(&path) { "账簿文件" } else { "账簿数据库" },
        shown,
        shown,
        shown
    ));
    Ok((path, text))
}

/// Replays the April script through the same command path the binary
/// takes, as each officer with the demo passphrase. Returns each step with
/// the rule that refused it, if one did.
fn replay_april(path: &Path, quiet: bool) -> Result<Vec<(String, Option<String>)>, Exit> {
    // The commands read passphrases the way scripts give them.
    std::env::set_var("QIANZHANG_PASSPHRASE", demo::PASSPHRASE);
    std::env::set_var("QIANZHANG_NEW_PASSPHRASE", demo::PASSPHRASE);
    let mut steps = Vec::new();
    crate::output::silence(quiet);
    for line in demo::APRIL.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut parts = line.splitn(3, '|').map(str::trim);
        let (_expect, who, args) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let mut argv =
            vec!["qianzhang".to_string(), "--db".into(), path.display().to_string(), "--as".into(), who.into()];
        argv.extend(args.split_whitespace().map(str::to_string));
        let cli = crate::args::Cli::try_parse_from(&argv)
            .map_err(|e| Exit::Internal(format!("演示脚本有误：{line}：{e}")))?;
        if !quiet {
            println!("› {who}：{args}");
        }
        let rule = match crate::execute(&cli, "") {
            Ok(()) => None,
            Err(Exit::Refused { reasons, .. }) => {
                for r in reasons.iter().filter(|_| !quiet) {
                    println!("  已拒绝：{r}");
                }
                reasons.first().map(|r| r.rule.to_string())
            }
            Err(other) => return Err(other),
        };
        steps.push((format!("{who}：{args}"), rule));
    }
    crate::output::silence(false);
    std::env::remove_var("QIANZHANG_PASSPHRASE");
    std::env::remove_var("QIANZHANG_NEW_PASSPHRASE");
    Ok(steps)
}
