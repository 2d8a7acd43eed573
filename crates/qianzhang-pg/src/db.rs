//! One transaction on the server, with the statements this connection has
//! prepared kept for the next command, and typed reads of rows.

use std::collections::HashMap;

use postgres::types::{FromSql, ToSql};
use postgres::{Row, Statement, Transaction};
use qianzhang_core::Period;

use crate::Error;

/// Statements prepared on one connection, by their text.
pub(crate) type Cache = HashMap<&'static str, Statement>;

/// Parameters of a statement.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A transaction, and the statements prepared on its connection.
pub(crate) struct Tx<'c> {
    pub(crate) inner: Transaction<'c>,
    cache: &'c mut Cache,
}

impl<'c> Tx<'c> {
    pub(crate) fn new(inner: Transaction<'c>, cache: &'c mut Cache) -> Tx<'c> {
        Tx { inner, cache }
    }

    fn prepared(&mut self, sql: &'static str) -> Result<Statement, Error> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let s = self.inner.prepare(sql)?;
        self.cache.insert(sql, s.clone());
        Ok(s)
    }

    pub(crate) fn query(&mut self, sql: &'static str, params: Params<'_>) -> Result<Vec<Row>, Error> {
        let s = self.prepared(sql)?;
        Ok(self.inner.query(&s, params)?)
    }

    pub(crate) fn opt(&mut self, sql: &'static str, params: Params<'_>) -> Result<Option<Row>, Error> {
        let s = self.prepared(sql)?;
        Ok(self.inner.query_opt(&s, params)?)
    }

    pub(crate) fn one(&mut self, sql: &'static str, params: Params<'_>) -> Result<Row, Error> {
        let s = self.prepared(sql)?;
        self.inner.query_opt(&s, params)?.ok_or_else(|| Error::Corrupt("缺少应有的记录".into()))
    }

    pub(crate) fn exec(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64, Error> {
        let s = self.prepared(sql)?;
        Ok(self.inner.execute(&s, params)?)
    }

    pub(crate) fn commit(self) -> Result<(), Error> {
        Ok(self.inner.commit()?)
    }
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
