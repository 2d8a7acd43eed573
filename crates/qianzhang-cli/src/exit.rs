//! How a command ends: the one place where every outcome maps to its exit
//! code (docs/reference/rules.md) — 0 done (or the reader went away),
//! 1 refused or bad input, 2 usage, 3 integrity, 75 busy, 101 a bug.

use std::io::Write;
use std::process::ExitCode;

use clap::error::ContextValue;
use qianzhang_app::backend::BackendError;
use qianzhang_core::{Refusal, Rule};

use crate::clock;

/// What ends a command besides success, with its exit code.
pub(crate) enum Exit {
    /// The reader of our output went away (`| head`): not an error.
    BrokenPipe,
    /// Refused by a rule; `logged` once the refusal is in the ledger's log.
    Refused {
        reasons: Vec<Refusal>,
        unlisted: usize,
        logged: bool,
    },
    /// Input that is not what the command needs, caught before any rule:
    /// an output path that cannot be written, say. Not logged.
    BadInput(String),
    /// A command typed wrongly (a reversed range, no `--as`, a `--db` that
    /// is not a store): exit 2 like a bad flag. Not logged.
    Usage(String),
    Integrity(String),
    /// A check that found something (a read, nothing was refused or
    /// changed): exit 1 with what it found, e.g. FND-3's shares that do not
    /// add up to the statement.
    Findings(Vec<Refusal>),
    /// Another command held the store longer than we waited: try again.
    Busy(String),
    Internal(String),
}

impl Exit {
    /// Tells the user how the command ended; the exit code.
    pub(crate) fn report(self) -> ExitCode {
        match self {
            Exit::BrokenPipe => ExitCode::SUCCESS,
            Exit::Refused { reasons, unlisted, .. } => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "已拒绝，账簿未作任何改动：");
                for r in &reasons {
                    let _ = writeln!(err, "  {r}");
                }
                if unlisted > 0 {
                    let _ = writeln!(err, "  另有 {unlisted} 处错误未列出");
                }
                ExitCode::from(1)
            }
            Exit::Findings(found) => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "核对未通过（只是查看，账簿未作任何改动）：");
                for r in &found {
                    let _ = writeln!(err, "  {r}");
                }
                ExitCode::from(1)
            }
            Exit::BadInput(msg) => {
                eprintln!("未执行，账簿未作任何改动：{msg}");
                ExitCode::from(1)
            }
            Exit::Usage(msg) => {
                eprintln!("用法错误：{msg}\n（qianzhang --help 列出命令与参数）");
                ExitCode::from(2)
            }
            Exit::Integrity(msg) => {
                eprintln!("{msg}");
                ExitCode::from(3)
            }
            Exit::Busy(msg) => {
                eprintln!("{msg}");
                ExitCode::from(75)
            }
            Exit::Internal(msg) => {
                eprintln!("内部错误：{msg}");
                ExitCode::from(101)
            }
        }
    }
}

/// A refusal found by the command line itself (not yet logged).
pub(crate) fn bad_input(rule: Rule, message: impl Into<String>) -> Exit {
    Exit::from(Refusal::new(rule, message))
}

impl From<qianzhang_app::Error> for Exit {
    fn from(e: qianzhang_app::Error) -> Exit {
        use qianzhang_app::Error as E;
        match e {
            E::Refused { refusals, logged } => {
                Exit::Refused { reasons: refusals.reasons, unlisted: refusals.unlisted, logged }
            }
            E::Usage(m) => Exit::Usage(m),
            E::Backend(e) => Exit::from(e),
            E::Io(e) => Exit::from(e),
            E::Internal(m) => Exit::Internal(m),
        }
    }
}

impl From<qianzhang_core::Failure> for Exit {
    fn from(f: qianzhang_core::Failure) -> Exit {
        Exit::from(qianzhang_app::Error::from(f))
    }
}

/// What a command is told when another command holds the store past the wait.
fn busy_message() -> String {
    format!(
        "账簿正被另一个命令使用（例如正在导入或结账），等待 {} 秒后仍未释放；本次操作没有执行，账簿未改动，请稍后再试",
        clock::busy_wait().as_secs_f64()
    )
}

impl From<Refusal> for Exit {
    fn from(r: Refusal) -> Exit {
        Exit::Refused { reasons: vec![r], unlisted: 0, logged: false }
    }
}

impl From<BackendError> for Exit {
    /// Each backend fault maps to one exit code, here only.
    fn from(e: BackendError) -> Exit {
        match e {
            BackendError::Busy => Exit::Busy(busy_message()),
            BackendError::Corrupt { .. } | BackendError::NewerSchema { .. } => {
                Exit::Integrity(format!("[AUD-2] {e}；请用 qianzhang verify 查明，并从备份恢复账簿"))
            }
            BackendError::NotAStore(_) => Exit::Usage(format!("{e}；请用 --db 指明账簿文件或数据库")),
            BackendError::Io(_) => Exit::BadInput(e.to_string()),
            BackendError::Internal(_) => Exit::Internal(e.to_string()),
        }
    }
}

/// The reader of our output went away, however the writer wrapped it.
fn is_broken_pipe(e: &std::io::Error) -> bool {
    let pipe = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
    pipe(e)
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<csv::Error>())
            .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if pipe(io)))
}

impl From<std::io::Error> for Exit {
    fn from(e: std::io::Error) -> Exit {
        if is_broken_pipe(&e) {
            Exit::BrokenPipe
        } else {
            Exit::Internal(e.to_string())
        }
    }
}

/// Opening the store file failed: busy, damaged, or not a store at all.
pub(crate) fn cannot_open(path: &std::path::Path, e: BackendError) -> Exit {
    if let qianzhang_db::Spec::Server(url) = qianzhang_db::Spec::of(path) {
        return cannot_connect(&qianzhang_db::redact(url), e);
    }
    match e {
        // A file the backend cannot open: ours but damaged, or not ours at all.
        BackendError::NotAStore(m) | BackendError::Io(m) if has_sqlite_header(path) => Exit::Integrity(format!(
            "账簿文件 {} 已损坏，无法打开（{m}）；请用备份恢复，账簿文件未作任何改动",
            path.display()
        )),
        BackendError::NotAStore(m) | BackendError::Io(m) | BackendError::Internal(m) => Exit::Usage(format!(
            "{} 不是钱账的账簿文件，无法打开（{m}）；请用 --db 指明账簿文件",
            qianzhang_db::redact(&path.display().to_string())
        )),
        // A newer program, or a version number altered by hand: not what this one wrote.
        BackendError::NewerSchema { .. } => Exit::Integrity(format!("[AUD-2] {e}")),
        BackendError::Corrupt { place } => Exit::Integrity(format!("账簿文件 {} 已损坏：{place}", path.display())),
        BackendError::Busy => Exit::from(e),
    }
}

/// A PostgreSQL database that cannot be used: the server's words, with the
/// URL shown without its password.
fn cannot_connect(url: &str, e: BackendError) -> Exit {
    match e {
        BackendError::NewerSchema { .. } => Exit::Integrity(format!("[AUD-2] 数据库 {url}：{e}")),
        BackendError::Corrupt { place } => Exit::Integrity(format!("数据库 {url} 中的账簿已损坏：{place}")),
        BackendError::Busy => Exit::from(e),
        // A database that does not exist: the name is wrong, or it is yet to be made.
        BackendError::NotAStore(m) if m.contains("没有这个数据库") => {
            Exit::Usage(format!("无法使用数据库 {url}：{m}；请检查地址中的库名，新库须先建立（createdb）"))
        }
        // A URL that does not parse (sslmode, sslrootcert …): the message says what to fix.
        BackendError::NotAStore(m) => Exit::Usage(format!("无法使用数据库 {url}：{m}")),
        // The server down or refusing the sign-in: nothing was changed.
        BackendError::Io(m) if m.contains("拒绝了登录") => {
            Exit::BadInput(format!("无法使用数据库 {url}：{m}；请检查地址中的用户名和口令"))
        }
        BackendError::Io(m) => Exit::BadInput(format!("无法使用数据库 {url}：{m}")),
        BackendError::Internal(m) => Exit::Internal(format!("数据库 {url}：{m}")),
    }
}

/// Whether the file starts as every SQLite database does.
fn has_sqlite_header(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3\0"
}

/// A command line clap could not read, told in Chinese from the error's
/// kind and context (never from clap's English text); exit 2 as clap's own.
/// Help and the version print as clap prints them.
pub(crate) fn clap_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            let _ = e.print();
            ExitCode::from(e.exit_code().clamp(0, 255) as u8)
        }
        K::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprintln!("用法错误：命令不完整，缺少子命令或参数；可用的子命令与参数如下\n");
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => Exit::Usage(clap_message(e)).report(),
    }
}

/// The Chinese sentence for a clap error: which flag, what was given, and
/// what it must be.
fn clap_message(e: &clap::Error) -> String {
    use clap::error::{ContextKind as C, ErrorKind as K};
    let text = |kind: C| match e.get(kind) {
        Some(ContextValue::String(s)) => flag(s),
        Some(ContextValue::Strings(v)) => v.iter().map(|s| flag(s)).collect::<Vec<_>>().join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let list = |kind: C| match e.get(kind) {
        Some(ContextValue::Strings(v)) if !v.is_empty() => v.join("、"),
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let suggested = |kind: C| match list(kind) {
        s if s.is_empty() => String::new(),
        s => format!("；是否想写 {s}？"),
    };
    let (arg, value) = (text(C::InvalidArg), list(C::InvalidValue));
    match e.kind() {
        K::InvalidValue if value.is_empty() => match list(C::ValidValue) {
            valid if valid.is_empty() => format!("参数 {arg} 缺少取值"),
            valid => format!("参数 {arg} 缺少取值；可选：{valid}"),
        },
        K::InvalidValue => {
            format!(
                "参数 {arg} 的值“{value}”不是可选的值；可选：{}{}",
                list(C::ValidValue),
                suggested(C::SuggestedValue)
            )
        }
        K::ValueValidation => match std::error::Error::source(e) {
            // The standard library's own reasons are English: say it plainly.
            Some(why) if why.downcast_ref::<std::num::ParseIntError>().is_some() => {
                format!("参数 {arg} 的值“{value}”无效：须是不带小数点的整数，如 20")
            }
            Some(why) => format!("参数 {arg} 的值“{value}”无效：{why}"),
            None => format!("参数 {arg} 的值“{value}”无效"),
        },
        K::UnknownArgument if !arg.starts_with('-') => format!("多余的参数“{arg}”：这个命令不需要它"),
        K::UnknownArgument => format!("不认识的参数“{arg}”{}", suggested(C::SuggestedArg)),
        K::InvalidSubcommand => {
            format!("不认识的命令“{}”{}", text(C::InvalidSubcommand), suggested(C::SuggestedSubcommand))
        }
        K::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        K::MissingSubcommand => {
            format!("{} 须跟一个子命令：{}", text(C::InvalidSubcommand), list(C::ValidSubcommand))
        }
        K::ArgumentConflict => match text(C::PriorArg) {
            prior if prior.is_empty() => format!("参数 {arg} 不能与其他参数同时使用"),
            prior => format!("参数 {arg} 不能与 {prior} 同时使用"),
        },
        K::NoEquals => format!("参数 {arg} 的值须用等号写出，如 {arg}=值"),
        K::TooManyValues => format!("参数 {arg} 给了过多的值“{value}”"),
        K::TooFewValues | K::WrongNumberOfValues => format!("参数 {arg} 的值的个数不对"),
        K::InvalidUtf8 => "命令行含有无法读取的字符（不是 UTF-8）".to_string(),
        _ if arg.is_empty() => "命令行无法识别".to_string(),
        _ => format!("参数 {arg} 无法识别"),
    }
}

/// `--role <ROLE>` as the flag typed: `--role`; a positional stays `<KIND>`.
fn flag(s: &str) -> String {
    match s.split_once(' ') {
        Some((name, _)) if name.starts_with('-') => name.to_string(),
        _ => s.to_string(),
    }
}
