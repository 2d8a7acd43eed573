//! Where a command's output goes: standard output, or the file given with
//! `-o`. One helper for every `-o`, so that no output can land on the books.
//!
//! A file is written whole or not at all: into a temporary file beside it,
//! renamed over the target once complete. A target that is the store or one
//! of its journal files (`-journal`, `-wal`, `-shm`), by any path, symlink or
//! hard link, is refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::exit::Exit;

/// Runs `body` against the output and finishes it: flushed to standard
/// output (a reader that went away is not an error), or renamed into place.
pub(crate) fn emit<T>(
    store: &Path,
    target: Option<&Path>,
    body: impl FnOnce(&mut dyn Write) -> Result<T, Exit>,
) -> Result<T, Exit> {
    match target {
        None => {
            let mut sink = std::io::BufWriter::new(std::io::stdout().lock());
            let value = body(&mut sink)?;
            sink.flush()?;
            Ok(value)
        }
        Some(path) => {
            let dir = check_target(store, path)?;
            let tmp = tempfile::Builder::new()
                .prefix(".qianzhang-")
                .suffix(".tmp")
                .tempfile_in(&dir)
                .map_err(|e| cannot_write(path, &e))?;
            let mut sink = std::io::BufWriter::new(tmp);
            let value = body(&mut sink)?;
            let tmp = sink.into_inner().map_err(|e| cannot_write(path, e.error()))?;
            tmp.as_file().sync_all().map_err(|e| cannot_write(path, &e))?;
            tmp.persist(path).map_err(|e| cannot_write(path, &e.error))?;
            Ok(value)
        }
    }
}

/// The whole text to standard output or to the file.
pub(crate) fn emit_text(store: &Path, target: Option<&Path>, text: &str) -> Result<(), Exit> {
    emit(store, target, |w| Ok(w.write_all(text.as_bytes())?))
}

fn cannot_write(path: &Path, e: &std::io::Error) -> Exit {
    let why = match e.kind() {
        std::io::ErrorKind::PermissionDenied => "没有写入权限".to_string(),
        _ => e.to_string(),
    };
    Exit::BadInput(format!("无法写出 {}：{why}；没有写出任何内容，请换一个位置", path.display()))
}

/// The directory the output goes into, once the target is known to be a
/// plain file name there that is not the store's.
fn check_target(store: &Path, path: &Path) -> Result<PathBuf, Exit> {
    let name = path
        .file_name()
        .ok_or_else(|| Exit::BadInput(format!("输出路径 {} 不是文件名，请写出要生成的文件", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let real_dir = dir
        .canonicalize()
        .map_err(|_| Exit::BadInput(format!("输出目录 {} 不存在，请先建立该目录或换一个位置", dir.display())))?;
    if !real_dir.is_dir() {
        return Err(Exit::BadInput(format!("{} 不是目录，无法在其中写出 {}", dir.display(), path.display())));
    }
    if path.is_dir() {
        return Err(Exit::BadInput(format!("{} 是一个目录，请写出要生成的文件名", path.display())));
    }
    // The target as it will be reached: through a symlink, its real file.
    let real = path.canonicalize().unwrap_or_else(|_| real_dir.join(name));
    if is_store_file(store, path, &real) {
        return Err(Exit::BadInput(format!(
            "输出文件 {} 就是账簿文件（或其日志文件），写出会毁掉账簿；未写出任何内容，请换一个文件名",
            path.display()
        )));
    }
    Ok(dir)
}

const JOURNALS: [&str; 4] = ["", "-journal", "-wal", "-shm"];

fn is_store_file(store: &Path, target: &Path, real: &Path) -> bool {
    let Some(store_name) = store.file_name() else { return false };
    let store_dir = match store.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let real_store = store.canonicalize().ok();
    let real_store_dir =
        real_store.as_deref().and_then(Path::parent).map(Path::to_path_buf).or_else(|| store_dir.canonicalize().ok());
    let real_store_name = real_store.as_deref().and_then(Path::file_name).unwrap_or(store_name);
    for suffix in JOURNALS {
        let mut n = real_store_name.to_os_string();
        n.push(suffix);
        if real_store_dir.as_ref().is_some_and(|d| d.join(&n) == real) {
            return true;
        }
        let mut given = store_name.to_os_string();
        given.push(suffix);
        if same_file(&store_dir.join(&given), target) {
            return true;
        }
    }
    false
}

/// Two names of one file (a hard link, say).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

/// Writes the text to standard output.
/// With `--json` on a command that changes the books, the text becomes the
/// object's `message` instead (see [`crate::outcome`]).
pub(crate) fn out(text: &str) -> Result<(), Exit> {
    if crate::outcome::keep(text) || SILENT.with(|s| s.get()) {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

thread_local! {
    /// Set while the web office's demo is built: the commands replayed
    /// print nothing.
    static SILENT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps (or stops keeping) what commands print from the terminal.
pub(crate) fn silence(on: bool) {
    SILENT.with(|s| s.set(on));
}

/// A rendered report in `format` to standard output or to `-o FILE`. An
/// Excel workbook is bytes: it is written to the file given, and refused on
/// a terminal, where it would only be noise.
pub(crate) fn report(
    cli: &crate::args::Cli,
    target: Option<&Path>,
    format: qianzhang_report::Format,
    text: &str,
) -> Result<(), Exit> {
    use std::io::IsTerminal;
    let store = crate::session::db_path(cli);
    if format != qianzhang_report::Format::Xlsx {
        return match target {
            None => out(text),
            Some(_) => emit_text(&store, target, text),
        };
    }
    if target.is_none() && std::io::stdout().is_terminal() {
        return Err(Exit::BadInput(
            "Excel 文件（--format xlsx）是二进制内容，不能显示在终端上；请加 -o 文件名.xlsx 写到文件".into(),
        ));
    }
    let bytes = qianzhang_report::xlsx::workbook(text).map_err(Exit::BadInput)?;
    emit(&store, target, |w| Ok(w.write_all(&bytes)?))
}
