//! The store's own faults, and the one place they become backend faults.

use qianzhang_core::backend::BackendError;
use qianzhang_core::Failure;

/// Faults of the store itself, as opposed to refusals by a rule.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("SQLite: {0}")]
    Sqlite(rusqlite::Error),
    /// A log entry or a stored value that does not parse: the engine wrote
    /// none such, so the file was altered (AUD-2).
    #[error("账簿文件中有本程序不会写出的内容（日志内容无法解析）：{0}")]
    Json(#[from] serde_json::Error),
    /// The file says it was written by a newer schema: a newer program, or
    /// a `user_version` altered by hand.
    #[error("账簿文件的版本 {0} 比本程序支持的 {1} 新：请升级 qianzhang；若从未用过新版本，则该文件被改动过")]
    NewerSchema(i64, i64),
    /// Content the engine never writes, with where it is (table, row,
    /// column): a value of the wrong type, text that is not UTF-8, a period
    /// or state it does not know (AUD-2).
    #[error("账簿文件中有本程序不会写出的内容：{0}")]
    Corrupt(String),
    /// A fault found by a layer that already speaks the backend's terms.
    #[error("{0}")]
    Backend(#[from] BackendError),
}

impl From<rusqlite::Error> for Error {
    /// A value SQLite holds but not in the type or encoding the engine
    /// writes is damage to the file, not a fault of SQLite.
    fn from(e: rusqlite::Error) -> Error {
        use rusqlite::Error as E;
        match &e {
            E::InvalidColumnType(_, column, ty) => Error::Corrupt(format!("列 {column} 的值类型为 {ty}")),
            E::FromSqlConversionFailure(i, ty, err) => {
                Error::Corrupt(format!("查询的第 {} 列（类型 {ty}）无法读取：{err}", i + 1))
            }
            E::IntegralValueOutOfRange(i, v) => Error::Corrupt(format!("查询的第 {} 列的数值 {v} 超出范围", i + 1)),
            E::Utf8Error(err) => Error::Corrupt(format!("文本不是有效的 UTF-8：{err}")),
            E::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseCorrupt => {
                Error::Corrupt(format!("数据库页面损坏：{e}"))
            }
            _ => Error::Sqlite(e),
        }
    }
}

impl Error {
    /// Another process holds the store's write lock (an import, say) and
    /// did not let go within the wait.
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }

    /// The file holds what the engine never writes: an integrity failure
    /// (exit 3), not a fault of the program.
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            Error::Corrupt(_)
                | Error::Json(_)
                | Error::NewerSchema(..)
                | Error::Backend(BackendError::Corrupt { .. } | BackendError::NewerSchema { .. })
        )
    }
}

impl From<Error> for BackendError {
    /// The one place a store fault becomes a backend fault: busy, damage to
    /// the file, a file that is not a store, the medium, or a bug.
    fn from(e: Error) -> BackendError {
        use rusqlite::ErrorCode as C;
        match e {
            Error::Backend(e) => e,
            Error::Corrupt(place) => BackendError::Corrupt { place },
            Error::Json(e) => BackendError::corrupt(format!("日志内容无法解析：{e}")),
            Error::NewerSchema(found, supported) => BackendError::NewerSchema { found, supported },
            Error::Sqlite(rusqlite::Error::SqliteFailure(f, m)) => {
                let text = m.unwrap_or_else(|| f.to_string());
                match f.code {
                    C::DatabaseBusy | C::DatabaseLocked => BackendError::Busy,
                    C::NotADatabase => BackendError::NotAStore("文件不是数据库".into()),
                    C::DatabaseCorrupt => BackendError::corrupt(format!("数据库页面损坏：{text}")),
                    // A table, column or constraint the migrated schema has
                    // but the file lacks: the file was changed by hand.
                    C::Unknown | C::ConstraintViolation | C::TypeMismatch | C::SchemaChanged => {
                        BackendError::corrupt(format!("数据库结构与本程序写出的不符：{text}"))
                    }
                    C::SystemIoFailure
                    | C::DiskFull
                    | C::CannotOpen
                    | C::PermissionDenied
                    | C::ReadOnly
                    | C::FileLockingProtocolFailed
                    | C::NoLargeFileSupport
                    | C::OutOfMemory => BackendError::Io(text),
                    _ => BackendError::Internal(format!("SQLite：{text}")),
                }
            }
            // An expected row missing is content the engine never leaves.
            Error::Sqlite(rusqlite::Error::QueryReturnedNoRows) => BackendError::corrupt("缺少应有的记录"),
            Error::Sqlite(e) => BackendError::Internal(format!("SQLite：{e}")),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Backend(e.into())
    }
}
