//! One transaction on the server, with the statements this connection has
//! prepared kept for the next command, and typed reads of rows.

use std::collections::HashMap;
use std::io::Write;
use std::thread::{Scope, ScopedJoinHandle};

use bytes::{BufMut, BytesMut};
use postgres::types::{FromSql, IsNull, ToSql, Type};
use postgres::{CopyInWriter, Row, Statement, Transaction};
use qianzhang_core::backend::BackendError;
use qianzhang_core::Period;

use crate::Error;

/// Statements prepared on one connection, by their text.
pub(crate) type Cache = HashMap<&'static str, Statement>;

/// Parameters of a statement.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A log entry on its way to the server.
pub(crate) struct LogRow {
    pub ledger_id: i64,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: &'static str,
    pub payload: String,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// A new voucher's row on its way to the server.
pub(crate) struct VoucherRow {
    pub ledger_id: i64,
    pub period: i64,
    pub number: i64,
    pub date: String,
    pub status: &'static str,
    pub origin: &'static str,
    pub reverses: Option<(i64, i64)>,
    pub content_seq: i64,
    pub posted_seq: Option<i64>,
    pub auth_number: Option<String>,
}

impl VoucherRow {
    /// Runs `f` with the row's values, in the columns' order of INSERT and
    /// COPY alike.
    fn with_values<T>(&self, f: impl FnOnce(Params<'_>) -> T) -> T {
        let (reverses_period, reverses_number) = (self.reverses.map(|r| r.0), self.reverses.map(|r| r.1));
        f(&[
            &self.ledger_id,
            &self.period,
            &self.number,
            &self.date,
            &self.status,
            &self.origin,
            &reverses_period,
            &reverses_number,
            &self.content_seq,
            &self.posted_seq,
            &self.auth_number,
        ])
    }
}

/// How many rows are held before they are sent. A history import sends
/// a month's rows before it closes the month (8,333 vouchers a month in
/// the benchmark): batches of this size let two or three COPYs run behind
/// each month while the next rows are made. Smaller batches cost more in
/// round trips than they overlap (1,024: 9 s for a million vouchers
/// against 7.4 s); 20,000, more than a month, overlapped nothing.
const COPY_BATCH: usize = 4_096;

/// Up to how many rows are sent as INSERTs rather than with COPY (which
/// costs more round trips for a handful).
const FEW: usize = 8;

/// How many bytes of encoded rows are sent to the server at a time.
const COPY_CHUNK: usize = 256 * 1024;

/// Rows on their way to a `COPY … FROM STDIN (FORMAT binary)`: each value
/// encoded by its `ToSql`, framed as the binary COPY format frames a
/// tuple, and sent in large chunks (the server works on one while the
/// next is encoded; one message and one wake-up per chunk, not per row).
struct BinaryRows<'a> {
    out: CopyInWriter<'a>,
    buf: BytesMut,
    types: &'a [Type],
}

impl<'a> BinaryRows<'a> {
    fn new(out: CopyInWriter<'a>, types: &'a [Type]) -> BinaryRows<'a> {
        let mut buf = BytesMut::with_capacity(COPY_CHUNK + 4096);
        // The format's signature, flags and header extension length.
        buf.put_slice(b"PGCOPY\n\xff\r\n\0");
        buf.put_i32(0);
        buf.put_i32(0);
        BinaryRows { out, buf, types }
    }

    fn write(&mut self, values: &[&(dyn ToSql + Sync)]) -> Result<(), Error> {
        debug_assert_eq!(values.len(), self.types.len());
        self.buf.put_i16(self.types.len() as i16);
        for (value, ty) in values.iter().zip(self.types) {
            let at = self.buf.len();
            self.buf.put_i32(0);
            let len = match value.to_sql_checked(ty, &mut self.buf) {
                Ok(IsNull::Yes) => -1,
                Ok(IsNull::No) => i32::try_from(self.buf.len() - at - 4)
                    .map_err(|_| Error::Corrupt(format!("一个 {ty} 值超过 2 GB，无法写入")))?,
                Err(e) => return Err(Error::Corrupt(format!("一个 {ty} 值无法写入：{e}"))),
            };
            self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        if self.buf.len() >= COPY_CHUNK {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<(), Error> {
        let result = self.out.write_all(&self.buf);
        self.buf.clear();
        result.map_err(|e| {
            let text = e.to_string();
            match e.into_inner().map(|inner| inner.downcast::<postgres::Error>()) {
                Some(Ok(pg)) => Error::Postgres(*pg),
                _ => Error::Connect(format!("向 PostgreSQL 服务器发送数据失败：{text}")),
            }
        })
    }

    fn finish(mut self) -> Result<u64, Error> {
        // The trailer: a tuple of -1 fields.
        self.buf.put_i16(-1);
        self.send()?;
        Ok(self.out.finish()?)
    }
}

/// A COPY running behind the command on a thread of its own: the
/// transaction comes back with how the COPY went.
type Copying<'c> = ScopedJoinHandle<'c, (Transaction<'c>, Result<(), Error>)>;

/// A COPY's work, handed to the thread that runs it.
type CopyJob<'c> = Box<dyn FnOnce() -> (Transaction<'c>, Result<(), Error>) + Send + 'c>;

/// Where a write transaction's COPYs may run behind the command: the scope
/// the transaction lives in (`std::thread::Scope`, its environment's
/// lifetime left out of the type).
pub(crate) trait Behind<'c> {
    /// Starts `job` on a thread of the scope; a thread the system will not
    /// give is an error (the job, and the transaction in it, dropped:
    /// rolled back), never a panic.
    fn run(&'c self, job: CopyJob<'c>) -> std::io::Result<Copying<'c>>;
}

impl<'c, 'e> Behind<'c> for Scope<'c, 'e> {
    fn run(&'c self, job: CopyJob<'c>) -> std::io::Result<Copying<'c>> {
        std::thread::Builder::new().name("qianzhang-copy".into()).spawn_scoped(self, job)
    }
}

/// A transaction, and the statements prepared on its connection.
///
/// New log entries and voucher rows are held and sent with `COPY`, many at
/// a time: a history import of a million vouchers is a few hundred COPYs,
/// not two million round trips. Every other statement sends what is held
/// first, so whatever a command reads sees all it wrote.
///
/// In a write that may run COPYs behind it ([`Tx::behind`]), a full batch
/// is sent on a thread of its own while the command goes on making the
/// next: the server stores one batch while the client parses and checks
/// the next. The transaction is the COPY thread's until the COPY is done;
/// any other statement, and the commit, wait for it first
/// ([`Tx::inner`]), so the order of the statements is the order the
/// command made them in, and a failed COPY fails the command.
pub(crate) struct Tx<'c> {
    /// None while a COPY behind the command holds it.
    txn: Option<Transaction<'c>>,
    behind: Option<&'c dyn Behind<'c>>,
    copying: Option<Copying<'c>>,
    cache: &'c mut Cache,
    logs: Vec<LogRow>,
    vouchers: Vec<VoucherRow>,
}

impl<'c> Tx<'c> {
    pub(crate) fn new(inner: Transaction<'c>, cache: &'c mut Cache) -> Tx<'c> {
        Tx { txn: Some(inner), behind: None, copying: None, cache, logs: Vec::new(), vouchers: Vec::new() }
    }

    /// Lets full batches be sent behind the command, on threads of `scope`.
    pub(crate) fn behind(mut self, scope: &'c dyn Behind<'c>) -> Tx<'c> {
        self.behind = Some(scope);
        self
    }

    /// The transaction, once a COPY behind the command is done with it.
    pub(crate) fn inner(&mut self) -> Result<&mut Transaction<'c>, Error> {
        self.settle()?;
        self.txn.as_mut().ok_or_else(lost)
    }

    /// Waits for the COPY behind the command, if one runs, and takes the
    /// transaction back; its failure is the command's.
    fn settle(&mut self) -> Result<(), Error> {
        if let Some(copying) = self.copying.take() {
            let (txn, result) = copying.join().map_err(|_| lost())?;
            self.txn = Some(txn);
            result?;
        }
        Ok(())
    }

    /// Holds a log entry, to be sent with the next batch.
    pub(crate) fn push_log(&mut self, row: LogRow) -> Result<(), Error> {
        self.logs.push(row);
        if self.logs.len() >= COPY_BATCH {
            self.send_behind()?;
        }
        Ok(())
    }

    /// Holds a new voucher's row, to be sent with the next batch.
    pub(crate) fn push_voucher(&mut self, row: VoucherRow) -> Result<(), Error> {
        self.vouchers.push(row);
        if self.vouchers.len() >= COPY_BATCH {
            self.send_behind()?;
        }
        Ok(())
    }

    /// Sends a full batch behind the command where it may, else at once.
    fn send_behind(&mut self) -> Result<(), Error> {
        let Some(behind) = self.behind else {
            return self.send();
        };
        self.settle()?;
        let mut txn = self.txn.take().ok_or_else(lost)?;
        let (logs, vouchers) = (std::mem::take(&mut self.logs), std::mem::take(&mut self.vouchers));
        let copying = behind.run(Box::new(move || {
            let result = copy_rows(&mut txn, logs, vouchers);
            (txn, result)
        }));
        self.copying = Some(copying.map_err(|e| {
            Error::Backend(BackendError::Io(format!(
                "系统资源不足，无法启动向 PostgreSQL 写入数据的线程（{e}）；本次操作未保存，请稍后再试"
            )))
        })?);
        Ok(())
    }

    /// Sends the rows held: a few as prepared INSERTs (a command's own
    /// entries), more with one COPY per table.
    pub(crate) fn send(&mut self) -> Result<(), Error> {
        if self.logs.len() + self.vouchers.len() <= FEW {
            return self.insert_few();
        }
        let (logs, vouchers) = (std::mem::take(&mut self.logs), std::mem::take(&mut self.vouchers));
        copy_rows(self.inner()?, logs, vouchers)
    }

    /// Inserts the few rows held one statement each.
    fn insert_few(&mut self) -> Result<(), Error> {
        for r in std::mem::take(&mut self.logs) {
            let s = self.statement(
                "INSERT INTO log (ledger_id, seq, at, actor, kind, payload, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )?;
            self.inner()?.execute(
                &s,
                &[&r.ledger_id, &r.seq, &r.at, &r.actor, &r.kind, &r.payload, &&r.prev_hash[..], &&r.hash[..]],
            )?;
        }
        for r in std::mem::take(&mut self.vouchers) {
            let s = self.statement(
                "INSERT INTO vouchers (ledger_id, period, number, date, status, origin, reverses_period, \
                 reverses_number, content_seq, posted_seq, auth_number) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )?;
            let txn = self.inner()?;
            r.with_values(|values| txn.execute(&s, values))?;
        }
        Ok(())
    }

    fn prepared(&mut self, sql: &'static str) -> Result<Statement, Error> {
        if !self.logs.is_empty() || !self.vouchers.is_empty() {
            self.send()?;
        }
        self.statement(sql)
    }

    /// The statement prepared for `sql` on this connection.
    fn statement(&mut self, sql: &'static str) -> Result<Statement, Error> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let s = self.inner()?.prepare(sql)?;
        self.cache.insert(sql, s.clone());
        Ok(s)
    }

    pub(crate) fn query(&mut self, sql: &'static str, params: Params<'_>) -> Result<Vec<Row>, Error> {
        let s = self.prepared(sql)?;
        Ok(self.inner()?.query(&s, params)?)
    }

    pub(crate) fn opt(&mut self, sql: &'static str, params: Params<'_>) -> Result<Option<Row>, Error> {
        let s = self.prepared(sql)?;
        Ok(self.inner()?.query_opt(&s, params)?)
    }

    pub(crate) fn one(&mut self, sql: &'static str, params: Params<'_>) -> Result<Row, Error> {
        let s = self.prepared(sql)?;
        self.inner()?.query_opt(&s, params)?.ok_or_else(|| Error::Corrupt("缺少应有的记录".into()))
    }

    pub(crate) fn exec(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64, Error> {
        let s = self.prepared(sql)?;
        Ok(self.inner()?.execute(&s, params)?)
    }

    pub(crate) fn commit(mut self) -> Result<(), Error> {
        self.send()?;
        self.settle()?;
        Ok(self.txn.take().ok_or_else(lost)?.commit()?)
    }
}

/// The transaction went with a COPY thread that did not come back (it
/// panicked): nothing of the command is committed.
fn lost() -> Error {
    Error::Backend(BackendError::Internal("向 PostgreSQL 写入数据的线程意外中止，本次操作未保存".into()))
}

/// Sends `logs` and `vouchers` with one COPY per table.
fn copy_rows(txn: &mut Transaction<'_>, logs: Vec<LogRow>, vouchers: Vec<VoucherRow>) -> Result<(), Error> {
    if !logs.is_empty() {
        let sink = txn.copy_in(
            "COPY log (ledger_id, seq, at, actor, kind, payload, prev_hash, hash) FROM STDIN (FORMAT binary)",
        )?;
        let types = [Type::INT8, Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::BYTEA, Type::BYTEA];
        let mut w = BinaryRows::new(sink, &types);
        for r in logs {
            w.write(&[&r.ledger_id, &r.seq, &r.at, &r.actor, &r.kind, &r.payload, &&r.prev_hash[..], &&r.hash[..]])?;
        }
        w.finish()?;
    }
    if !vouchers.is_empty() {
        let sink = txn.copy_in(
            "COPY vouchers (ledger_id, period, number, date, status, origin, reverses_period, reverses_number, \
             content_seq, posted_seq, auth_number) FROM STDIN (FORMAT binary)",
        )?;
        let types = [
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
        ];
        let mut w = BinaryRows::new(sink, &types);
        for r in vouchers {
            r.with_values(|values| w.write(values))?;
        }
        w.finish()?;
    }
    Ok(())
}

/// Column `i` of a row, in the type the engine writes; anything else is
/// content the engine never wrote, named by its column.
pub(crate) fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T, Error> {
    row.try_get(i).map_err(|e| {
        let column = row.columns().get(i).map(|c| c.name().to_string()).unwrap_or_else(|| i.to_string());
        Error::Corrupt(format!("列 {column} 的值无法读取：{e}"))
    })
}

/// A count or number the engine keeps within `u32` (a voucher number, a serial).
pub(crate) fn get_u32(row: &Row, i: usize) -> Result<u32, Error> {
    let n: i64 = get(row, i)?;
    u32::try_from(n).map_err(|_| {
        let column = row.columns().get(i).map(|c| c.name().to_string()).unwrap_or_default();
        Error::Corrupt(format!("列 {column} 的数值 {n} 超出范围"))
    })
}

/// A period stored as its key (`YYYYMM`).
pub(crate) fn get_period(row: &Row, i: usize, table: &str) -> Result<Period, Error> {
    let key: i64 = get(row, i)?;
    u32::try_from(key)
        .ok()
        .and_then(Period::from_key)
        .ok_or_else(|| Error::Corrupt(format!("表 {table} 中的期间 {key} 无效")))
}

/// A period's key as stored.
pub(crate) fn pk(p: Period) -> i64 {
    i64::from(p.key())
}
