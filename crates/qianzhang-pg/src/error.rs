//! The PostgreSQL store's own faults, and the one place they become backend faults.

use qianzhang_core::backend::BackendError;
use qianzhang_core::Failure;

/// Faults of the store itself, as opposed to refusals by a rule.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What the server or the client library reported.
    #[error("{}", postgres_error(.0))]
    Postgres(#[from] postgres::Error),
    /// The connection address does not parse.
    #[error("PostgreSQL 连接地址无效：{0}")]
    BadUrl(String),
    /// The server could not be reached or refused the sign-in.
    #[error("{0}")]
    Connect(String),
    /// A log entry or a stored value that does not parse: the engine wrote
    /// none such, so the database was altered (AUD-2).
    #[error("账簿数据库中有本程序不会写出的内容（日志内容无法解析）：{0}")]
    Json(#[from] serde_json::Error),
    /// The database says it was written by a newer schema.
    #[error("账簿数据库的版本 {0} 比本程序支持的 {1} 新：请升级 qianzhang；若从未用过新版本，则该数据库被改动过")]
    NewerSchema(i64, i64),
    /// Content the engine never writes, with where it is (AUD-2).
    #[error("账簿数据库中有本程序不会写出的内容：{0}")]
    Corrupt(String),
    /// A fault found by a layer that already speaks the backend's terms.
    #[error("{0}")]
    Backend(#[from] BackendError),
}

impl Error {
    /// Another command holds the ledger's chain head (or a lock the
    /// migration needs) and did not let go within the wait.
    pub fn is_busy(&self) -> bool {
        matches!(backend_error(self), BackendError::Busy)
    }

    /// The database holds what the engine never writes: an integrity
    /// failure (exit 3), not a fault of the program.
    pub fn is_damage(&self) -> bool {
        matches!(backend_error(self), BackendError::Corrupt { .. } | BackendError::NewerSchema { .. })
    }
}

/// The SQLSTATE classes and codes the store tells apart.
fn backend_error(e: &Error) -> BackendError {
    match e {
        Error::Backend(e) => e.clone(),
        Error::Corrupt(place) => BackendError::Corrupt { place: place.clone() },
        Error::Json(e) => BackendError::corrupt(format!("日志内容无法解析：{e}")),
        Error::NewerSchema(found, supported) => BackendError::NewerSchema { found: *found, supported: *supported },
        Error::BadUrl(text) => BackendError::NotAStore(format!("PostgreSQL 连接地址无效：{text}")),
        Error::Connect(text) => BackendError::Io(text.clone()),
        Error::Postgres(e) => postgres_error(e),
    }
}

fn postgres_error(e: &postgres::Error) -> BackendError {
    let Some(db) = e.as_db_error() else {
        if e.is_closed() {
            return BackendError::Io("与 PostgreSQL 服务器的连接已断开；本次操作没有完成，请稍后再试".into());
        }
        let text = e.to_string();
        // A value that does not decode into the type the engine writes.
        if text.contains("error deserializing column") {
            return BackendError::corrupt(format!("数据库中的值类型与本程序写出的不符：{text}"));
        }
        return BackendError::Io(format!("与 PostgreSQL 服务器通信失败：{text}"));
    };
    let code = db.code().code();
    let text = db.message().to_string();
    match code {
        // lock_not_available (lock_timeout), serialization failure, deadlock.
        "55P03" | "40001" | "40P01" => BackendError::Busy,
        // Integrity constraints, undefined tables and columns, datatype
        // mismatches, a guard trigger's exception: the database was changed
        // by hand.
        _ if code.starts_with("23") => BackendError::corrupt(format!("数据库结构与本程序写出的不符：{text}")),
        "42P01" | "42703" | "42804" | "42883" | "P0001" | "22P02" => {
            BackendError::corrupt(format!("数据库结构与本程序写出的不符：{text}"))
        }
        // duplicate table, object or function: a name the schema creates
        // is another program's.
        "42P07" | "42710" | "42723" => {
            BackendError::NotAStore(format!("数据库中已有同名的表或对象，不是钱账的账簿：{text}"))
        }
        // What the server said is kept, after the reason in Chinese: it is
        // in the server's language, and what its administrator will search for.
        "42501" => BackendError::Io(format!("PostgreSQL 拒绝了本操作：这个用户权限不足（服务器原话：{text}）")),
        "28P01" => BackendError::Io(format!("PostgreSQL 拒绝了登录：用户名或口令不对（服务器原话：{text}）")),
        "28000" => BackendError::Io(format!(
            "PostgreSQL 拒绝了登录：服务器不允许这个用户从这台机器登录，须由数据库管理员在 pg_hba.conf 中准许（服务器原话：{text}）"
        )),
        "3D000" => BackendError::NotAStore(format!("PostgreSQL 上没有这个数据库（服务器原话：{text}）")),
        "53100" => BackendError::Io(format!("PostgreSQL 服务器磁盘已满（服务器原话：{text}）")),
        _ if code.starts_with("53") || code.starts_with("57") || code.starts_with("08") || code.starts_with("58") => {
            BackendError::Io(format!("PostgreSQL 服务器暂时无法完成本操作（服务器原话：{text}）"))
        }
        _ => BackendError::Internal(format!("PostgreSQL（{code}）：{text}")),
    }
}

impl From<Error> for BackendError {
    /// The one place a store fault becomes a backend fault.
    fn from(e: Error) -> BackendError {
        match e {
            Error::Backend(e) => e,
            other => backend_error(&other),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Backend(e.into())
    }
}
