//! The books of one ledger inside one transaction: the `Books` port the
//! core's commands run against.

use std::collections::HashMap;

use qianzhang_core::approval::{Authorization, Settings};
use qianzhang_core::audit;
use qianzhang_core::backend::BackendError;
use qianzhang_core::bank::{InTransit, StoredLine};
use qianzhang_core::books::{Books, LedgerInfo};
use qianzhang_core::cash::CashCount;
use qianzhang_core::chain::{self, Fingerprint, GENESIS};
use qianzhang_core::disclosure::Asset;
use qianzhang_core::documents::doc_key;
use qianzhang_core::funds::Fund;
use qianzhang_core::lifecycle::Signature;
use qianzhang_core::people::Registry;
use qianzhang_core::period::{format_date, parse_date};
use qianzhang_core::projection::Change;
use qianzhang_core::receipts::{ReceiptBook, ReceiptState};
use qianzhang_core::Document;
use qianzhang_core::{Chart, Event, Failure, Money, Period, Status, Voucher, VoucherRef};

use crate::db::{get, get_period, get_u32, pk, LogRow, Tx};
use crate::rows::{
    checked_money, load_assets, load_authorization, load_authorizations, load_cash_counts, load_chart, load_citing,
    load_funds, load_receipt_books, load_receipts, load_registry, load_settings, load_signatures, load_statement_lines,
};
use crate::{projector, Actor, Error, LedgerHandle};

/// How a writer takes the ledger's chain head.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Head {
    /// Locked (`FOR UPDATE`) until the transaction ends: a write.
    Lock,
    /// Read as the snapshot has it: a read, which appends nothing kept.
    Read,
}

/// The books of one ledger inside one transaction: what core commands see.
pub struct Writer<'c> {
    tx: Tx<'c>,
    ledger: LedgerHandle,
    actor: Actor,
    chart: Chart,
    registry: Registry,
    settings: Settings,
    head_seq: i64,
    head_hash: Fingerprint,
    /// The seq the head had when the transaction began: the head row is
    /// written at the end only if entries were appended.
    start_seq: i64,
    projector: projector::Projector,
    next_numbers: HashMap<Period, u32>,
    closed: HashMap<Period, bool>,
    /// [LIM-1] the absolute amounts of every voucher, read once when first
    /// asked and kept up to date as vouchers are appended.
    turnover: Option<i64>,
}

impl<'c> Writer<'c> {
    /// The books of a ledger just being created: nothing stored yet.
    pub(crate) fn create(tx: Tx<'c>, ledger: LedgerHandle, actor: &Actor) -> Writer<'c> {
        Writer {
            tx,
            projector: projector::Projector::new(ledger.id),
            ledger,
            actor: actor.clone(),
            chart: Chart::default(),
            registry: Registry::default(),
            settings: Settings::default(),
            head_seq: 0,
            head_hash: GENESIS,
            start_seq: -1,
            next_numbers: HashMap::new(),
            closed: HashMap::new(),
            turnover: None,
        }
    }

    /// Opens the books of `ledger`: takes its chain head first (locked for
    /// a write, so writes to one ledger take turns), then reads what the
    /// rules keep in memory as the previous writer left it.
    pub(crate) fn open(mut tx: Tx<'c>, ledger: LedgerHandle, actor: &Actor, head: Head) -> Result<Writer<'c>, Failure> {
        let row = match head {
            Head::Lock => {
                tx.opt("SELECT seq, hash, at FROM chain_heads WHERE ledger_id = $1 FOR UPDATE", &[&ledger.id])?
            }
            Head::Read => tx.opt("SELECT seq, hash, at FROM chain_heads WHERE ledger_id = $1", &[&ledger.id])?,
        };
        let Some(row) = row else {
            return Err(Error::Corrupt(format!("账套“{}”没有日志链头（表 chain_heads）", ledger.info.name)).into());
        };
        let seq: i64 = get(&row, 0)?;
        let hash = Fingerprint::from_slice(get::<&[u8]>(&row, 1)?)
            .map_err(|_| Error::Corrupt("表 chain_heads 中的哈希长度不对".into()))?;
        let last_at: String = get(&row, 2)?;
        // The log's time never goes backwards (AUD-1); a read has no time.
        if !actor.at.is_empty() && seq > 0 {
            audit::check_log_time(&last_at, &actor.at)?;
        }
        let chart = load_chart(&mut tx, ledger.id)?;
        let registry = load_registry(&mut tx, ledger.id)?;
        let settings = load_settings(&mut tx, ledger.id)?;
        let mut w = Writer::create(tx, ledger, actor);
        w.chart = chart;
        w.registry = registry;
        w.settings = settings;
        w.head_seq = seq;
        w.head_hash = hash;
        w.start_seq = seq;
        Ok(w)
    }

    /// Writes what is pending and the new chain head, and commits; returns
    /// how many entries were appended.
    pub(crate) fn commit(mut self) -> Result<i64, Error> {
        self.projector.flush(&mut self.tx)?;
        if self.start_seq < 0 {
            self.tx.exec(
                "INSERT INTO chain_heads (ledger_id, seq, hash, at) VALUES ($1, $2, $3, $4)",
                &[&self.ledger.id, &self.head_seq, &&self.head_hash.0[..], &self.actor.at],
            )?;
        } else if self.head_seq != self.start_seq {
            self.tx.exec(
                "UPDATE chain_heads SET seq = $2, hash = $3, at = $4 WHERE ledger_id = $1",
                &[&self.ledger.id, &self.head_seq, &&self.head_hash.0[..], &self.actor.at],
            )?;
        }
        let appended = self.head_seq - self.start_seq.max(0);
        self.tx.commit()?;
        Ok(appended)
    }

    pub(crate) fn append_event(&mut self, event: Event) -> Result<(), Error> {
        let payload = serde_json::to_string(&event)?;
        let seq = self.head_seq + 1;
        let kind = event.kind();
        let hash = chain::entry_hash(&self.head_hash, seq, &self.actor.at, &self.actor.name, kind, &payload);
        self.tx.push_log(LogRow {
            ledger_id: self.ledger.id,
            seq,
            at: self.actor.at.clone(),
            actor: self.actor.name.clone(),
            kind,
            payload,
            prev_hash: self.head_hash.0,
            hash: hash.0,
        })?;
        for change in self.projector.apply(&mut self.tx, seq, &self.actor.at, &event)? {
            self.chart.apply(&change);
            self.registry.apply(&change);
            match change {
                Change::Setting { key, value } => self.settings.set(key, value),
                Change::CalendarDay(day) => self.settings.calendar.mark(day),
                Change::VoucherRecorded { voucher, .. } => {
                    self.next_numbers.insert(voucher.period(), voucher.reference().number + 1);
                }
                Change::Turnover(amount) => {
                    if let Some(t) = &mut self.turnover {
                        *t = t.saturating_add(amount.fen());
                    }
                }
                Change::PeriodClosed { period, .. } => {
                    self.closed.insert(period, true);
                }
                Change::PeriodReopened(period) => {
                    self.closed.insert(period, false);
                }
                _ => {}
            }
        }
        self.head_seq = seq;
        self.head_hash = hash;
        Ok(())
    }

    /// Writes the pending balance, fund and statement totals, so a read of
    /// them sees this command's entries.
    fn flush(&mut self) -> Result<(), Error> {
        self.projector.flush(&mut self.tx)
    }
}

impl Books for Writer<'_> {
    fn ledger(&self) -> &LedgerInfo {
        &self.ledger.info
    }

    fn chart(&self) -> &Chart {
        &self.chart
    }

    fn registry(&self) -> &Registry {
        &self.registry
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn authorization(&mut self, number: &str) -> Result<Option<Authorization>, BackendError> {
        Ok(load_authorization(&mut self.tx, self.ledger.id, number)?)
    }

    fn authorizations(&mut self) -> Result<Vec<Authorization>, BackendError> {
        Ok(load_authorizations(&mut self.tx, self.ledger.id)?)
    }

    fn vouchers_citing(&mut self, number: &str) -> Result<Vec<(Voucher, Status)>, BackendError> {
        Ok(load_citing(&mut self.tx, self.ledger.id, number)?)
    }

    fn receipt_books(&mut self) -> Result<Vec<ReceiptBook>, BackendError> {
        Ok(load_receipt_books(&mut self.tx, self.ledger.id)?)
    }

    fn receipt_last_used(&mut self, book: &str) -> Result<Option<u32>, BackendError> {
        typed(|| {
            let row = self.tx.one(
                "SELECT MAX(serial) FROM receipts WHERE ledger_id = $1 AND book = $2",
                &[&self.ledger.id, &book],
            )?;
            match get::<Option<i64>>(&row, 0)? {
                None => Ok(None),
                Some(_) => Ok(Some(get_u32(&row, 0)?)),
            }
        })
    }

    fn receipt(&mut self, book: &str, serial: u32) -> Result<Option<ReceiptState>, BackendError> {
        typed(|| Ok(load_receipts(&mut self.tx, self.ledger.id, Some((book, serial)))?.pop().map(|r| r.state)))
    }

    fn document_used(&mut self, document: &Document) -> Result<Option<VoucherRef>, BackendError> {
        typed(|| {
            let Some((doc_type, issuer, number)) = doc_key(document) else { return Ok(None) };
            let row = self.tx.opt(
                "SELECT period, voucher_number FROM documents \
                 WHERE ledger_id = $1 AND doc_type = $2 AND issuer = $3 AND number = $4",
                &[&self.ledger.id, &doc_type, &issuer, &number],
            )?;
            row.map(|r| Ok(VoucherRef { period: get_period(&r, 0, "documents")?, number: get_u32(&r, 1)? })).transpose()
        })
    }

    fn period_closed(&mut self, period: Period) -> Result<bool, BackendError> {
        typed(|| {
            if let Some(c) = self.closed.get(&period) {
                return Ok(*c);
            }
            let closed = self
                .tx
                .opt("SELECT 1 FROM periods WHERE ledger_id = $1 AND period = $2", &[&self.ledger.id, &pk(period)])?
                .is_some();
            self.closed.insert(period, closed);
            Ok(closed)
        })
    }

    fn next_number(&mut self, period: Period) -> Result<u32, BackendError> {
        typed(|| {
            if let Some(n) = self.next_numbers.get(&period) {
                return Ok(*n);
            }
            let row = self.tx.one(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM vouchers WHERE ledger_id = $1 AND period = $2",
                &[&self.ledger.id, &pk(period)],
            )?;
            let n = get_u32(&row, 0)?;
            self.next_numbers.insert(period, n);
            Ok(n)
        })
    }

    fn voucher(&mut self, reference: VoucherRef) -> Result<Option<(Voucher, Status)>, BackendError> {
        Ok(projector::load_voucher(&mut self.tx, self.ledger.id, reference)?)
    }

    fn reversed_by(&mut self, r: VoucherRef) -> Result<Option<VoucherRef>, BackendError> {
        typed(|| {
            let row = self.tx.opt(
                "SELECT period, number FROM vouchers \
                 WHERE ledger_id = $1 AND reverses_period = $2 AND reverses_number = $3 LIMIT 1",
                &[&self.ledger.id, &pk(r.period), &i64::from(r.number)],
            )?;
            row.map(|row| Ok(VoucherRef { period: get_period(&row, 0, "vouchers")?, number: get_u32(&row, 1)? }))
                .transpose()
        })
    }

    fn signatures(&mut self, r: VoucherRef) -> Result<Vec<Signature>, BackendError> {
        Ok(load_signatures(&mut self.tx, self.ledger.id, r)?)
    }

    fn movements_from(
        &mut self,
        prefix: &str,
        date: time::Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<(time::Date, Money)>), BackendError> {
        typed(|| {
            self.flush()?;
            let period = Period::of(date);
            let like = format!("{prefix}%");
            let row = self.tx.one(
                "SELECT COALESCE(SUM(debit - credit), 0)::BIGINT FROM balances \
                 WHERE ledger_id = $1 AND account LIKE $2 AND period < $3",
                &[&self.ledger.id, &like, &pk(period)],
            )?;
            let mut before: i64 = get(&row, 0)?;
            let mut later = Vec::new();
            let rows = self.tx.query(
                "SELECT l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE v.ledger_id = $1 AND v.period >= $2 AND v.status = 'posted' \
                 UNION ALL \
                 SELECT l.payload FROM vouchers v JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE $3 AND v.ledger_id = $1 AND v.moved AND NOT (v.period >= $2 AND v.status = 'posted')",
                &[&self.ledger.id, &pk(period), &confirmed],
            )?;
            for row in &rows {
                let v = projector::voucher_of(get(row, 0)?)?;
                let net: Money = v.lines().iter().filter(|l| l.account.starts_with(prefix)).map(|l| l.signed()).sum();
                if v.date() < date {
                    before += net.fen();
                } else if !net.is_zero() {
                    later.push((v.date(), net));
                }
            }
            Ok((checked_money(before, "balances")?, later))
        })
    }

    fn fund_balance(&mut self, fund: &str) -> Result<Money, BackendError> {
        typed(|| {
            self.flush()?;
            let row = self.tx.one(
                "SELECT COALESCE(SUM(income - spending), 0)::BIGINT FROM fund_totals WHERE ledger_id = $1 AND fund = $2",
                &[&self.ledger.id, &fund],
            )?;
            checked_money(get(&row, 0)?, "fund_totals")
        })
    }

    fn balance(&mut self, code: &str) -> Result<Money, BackendError> {
        typed(|| {
            self.flush()?;
            projector::account_balance(&mut self.tx, self.ledger.id, code)
        })
    }

    fn file_imported(&mut self, sha256: &str) -> Result<Option<String>, BackendError> {
        typed(|| {
            let row = self.tx.opt(
                "SELECT at FROM imports WHERE ledger_id = $1 AND sha256 = $2 ORDER BY seq LIMIT 1",
                &[&self.ledger.id, &sha256],
            )?;
            row.map(|r| get(&r, 0)).transpose()
        })
    }

    fn templates(&mut self) -> Result<Vec<qianzhang_core::template::Template>, BackendError> {
        typed(|| {
            let rows =
                self.tx.query("SELECT body FROM templates WHERE ledger_id = $1 ORDER BY name", &[&self.ledger.id])?;
            rows.iter().map(|r| Ok(serde_json::from_str(get(r, 0)?)?)).collect()
        })
    }

    fn template(&mut self, name: &str) -> Result<Option<qianzhang_core::template::Template>, BackendError> {
        typed(|| {
            let row = self
                .tx
                .opt("SELECT body FROM templates WHERE ledger_id = $1 AND name = $2", &[&self.ledger.id, &name])?;
            match row {
                Some(r) => Ok(Some(serde_json::from_str(get(&r, 0)?)?)),
                None => Ok(None),
            }
        })
    }

    fn openings(&mut self) -> Result<Vec<qianzhang_core::opening::Opening>, BackendError> {
        Ok(crate::queries::openings(&mut self.tx, self.ledger.id)?)
    }

    fn ever_closed(&mut self) -> Result<bool, BackendError> {
        typed(|| {
            // Months before go-live are closed by migrated history: not a close.
            let start = self.ledger.info.start;
            let rows = self.tx.query(
                "SELECT l.payload FROM audit_events a JOIN log l ON l.ledger_id = a.ledger_id AND l.seq = a.seq \
                 WHERE a.ledger_id = $1 AND a.kind = 'period_closed' ORDER BY a.seq",
                &[&self.ledger.id],
            )?;
            for row in &rows {
                if let Event::PeriodClosed { period, .. } = Event::from_json(get(row, 0)?)? {
                    if period >= start {
                        return Ok(true);
                    }
                }
            }
            Ok(false)
        })
    }

    fn households(&mut self) -> Result<Vec<qianzhang_core::collection::Household>, BackendError> {
        Ok(crate::rows::load_households(&mut self.tx, self.ledger.id)?)
    }

    fn collections(&mut self) -> Result<Vec<qianzhang_core::collection::Collection>, BackendError> {
        Ok(crate::rows::load_collections(&mut self.tx, self.ledger.id)?)
    }

    fn funds(&mut self) -> Result<Vec<Fund>, BackendError> {
        Ok(load_funds(&mut self.tx, self.ledger.id)?)
    }

    fn cash_counts(&mut self, period: Period) -> Result<Vec<CashCount>, BackendError> {
        Ok(load_cash_counts(&mut self.tx, self.ledger.id, period.first_day(), period.last_day())?)
    }

    fn vouchers_touching(
        &mut self,
        prefix: &str,
        from: time::Date,
        to: time::Date,
        confirmed: bool,
    ) -> Result<(Money, Vec<Voucher>), BackendError> {
        typed(|| {
            self.flush()?;
            let like = format!("{prefix}%");
            let first = Period::of(from);
            let row = self.tx.one(
                "SELECT COALESCE(SUM(debit - credit), 0)::BIGINT FROM balances \
                 WHERE ledger_id = $1 AND account LIKE $2 AND period < $3",
                &[&self.ledger.id, &like, &pk(first)],
            )?;
            let mut before: i64 = get(&row, 0)?;
            let mut out = Vec::new();
            // Two selects, not one with OR: the posted ones are one range of
            // the primary key, and without `confirmed` the second reads nothing.
            let rows = self.tx.query(
                "SELECT l.payload, v.date, v.period, v.number FROM vouchers v \
                 JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE v.ledger_id = $1 AND v.period BETWEEN $2 AND $3 AND v.status = 'posted' AND v.date <= $4 \
                 UNION ALL \
                 SELECT l.payload, v.date, v.period, v.number FROM vouchers v \
                 JOIN log l ON l.ledger_id = v.ledger_id AND l.seq = v.content_seq \
                 WHERE $5 AND v.ledger_id = $1 AND v.moved AND v.date <= $4 \
                 AND NOT (v.period BETWEEN $2 AND $3 AND v.status = 'posted') \
                 ORDER BY 2, 3, 4",
                &[&self.ledger.id, &pk(first), &pk(Period::of(to)), &format_date(to), &confirmed],
            )?;
            for row in &rows {
                let v = projector::voucher_of(get(row, 0)?)?;
                let mut any = false;
                let mut net = Money::ZERO;
                for l in v.lines().iter().filter(|l| l.account.starts_with(prefix)) {
                    any = true;
                    net += l.signed();
                }
                if !any {
                    continue;
                }
                if v.date() < from {
                    before += net.fen();
                } else {
                    out.push(v);
                }
            }
            Ok((checked_money(before, "balances")?, out))
        })
    }

    fn unposted(&mut self, period: Period) -> Result<Vec<VoucherRef>, BackendError> {
        typed(|| {
            let rows = self.tx.query(
                "SELECT number FROM vouchers WHERE ledger_id = $1 AND period = $2 AND status = 'prepared' ORDER BY number",
                &[&self.ledger.id, &pk(period)],
            )?;
            rows.iter().map(|r| Ok(VoucherRef { period, number: get_u32(r, 0)? })).collect()
        })
    }

    fn balance_through(&mut self, prefix: &str, period: Period) -> Result<Money, BackendError> {
        typed(|| {
            self.flush()?;
            let row = self.tx.one(
                "SELECT COALESCE(SUM(debit - credit), 0)::BIGINT FROM balances \
                 WHERE ledger_id = $1 AND account LIKE $2 AND period <= $3",
                &[&self.ledger.id, &format!("{prefix}%"), &pk(period)],
            )?;
            checked_money(get(&row, 0)?, "balances")
        })
    }

    fn statement_lines(&mut self, account: &str) -> Result<Vec<StoredLine>, BackendError> {
        Ok(load_statement_lines(&mut self.tx, self.ledger.id, account)?)
    }

    fn statement_through(&mut self, account: &str) -> Result<Option<time::Date>, BackendError> {
        typed(|| {
            let row = self.tx.one(
                "SELECT MAX(d) FROM (SELECT MAX(date) AS d FROM statement_lines WHERE ledger_id = $1 AND account = $2 \
                 UNION ALL SELECT through FROM statement_reach WHERE ledger_id = $1 AND account = $2) AS reach",
                &[&self.ledger.id, &account],
            )?;
            match get::<Option<String>>(&row, 0)? {
                None => Ok(None),
                Some(t) => Ok(Some(parse_date(&t).map_err(|_| Error::Corrupt(format!("statement date {t}")))?)),
            }
        })
    }

    fn next_statement_line(&mut self) -> Result<u64, BackendError> {
        typed(|| {
            let row = self
                .tx
                .one("SELECT COALESCE(MAX(id), 0) + 1 FROM statement_lines WHERE ledger_id = $1", &[&self.ledger.id])?;
            let n: i64 = get(&row, 0)?;
            Ok(n as u64)
        })
    }

    fn assets(&mut self) -> Result<Vec<Asset>, BackendError> {
        Ok(load_assets(&mut self.tx, self.ledger.id)?)
    }

    fn last_close_before(&mut self, period: Period) -> Result<Option<(Period, Vec<InTransit>)>, BackendError> {
        typed(|| {
            let row = self.tx.one(
                "SELECT MAX(period) FROM periods WHERE ledger_id = $1 AND period < $2",
                &[&self.ledger.id, &pk(period)],
            )?;
            if get::<Option<i64>>(&row, 0)?.is_none() {
                return Ok(None);
            }
            let closed = get_period(&row, 0, "periods")?;
            let rows = self.tx.query(
                "SELECT account, voucher_period, voucher_number FROM in_transit WHERE ledger_id = $1 AND period = $2",
                &[&self.ledger.id, &pk(closed)],
            )?;
            let mut list = Vec::new();
            for r in &rows {
                list.push(InTransit {
                    account: get(r, 0)?,
                    voucher: VoucherRef { period: get_period(r, 1, "in_transit")?, number: get_u32(r, 2)? },
                });
            }
            Ok(Some((closed, list)))
        })
    }

    fn turnover(&mut self) -> Result<Money, BackendError> {
        typed(|| {
            if let Some(t) = self.turnover {
                return Ok(Money::from_fen(t));
            }
            let row = self.tx.one(
                "SELECT COALESCE((SELECT fen FROM turnover WHERE ledger_id = $1), 0)::BIGINT",
                &[&self.ledger.id],
            )?;
            let stored: i64 = get(&row, 0)?;
            let fen = stored.saturating_add(self.projector.pending_turnover());
            self.turnover = Some(fen);
            Ok(Money::from_fen(fen))
        })
    }

    fn reviews(&mut self) -> Result<Vec<qianzhang_core::disclosure::Review>, BackendError> {
        typed(|| crate::queries::reviews(&mut self.tx, &self.ledger))
    }

    fn publications(&mut self) -> Result<Vec<qianzhang_core::publication::Publication>, BackendError> {
        typed(|| crate::queries::publications(&mut self.tx, &self.ledger))
    }

    fn close_fingerprint(&mut self, period: Period) -> Result<Option<String>, BackendError> {
        typed(|| {
            Ok(crate::queries::close_fingerprint(&mut self.tx, &self.ledger, period)?.map(|h| h.fingerprint.to_hex()))
        })
    }

    fn scans_of(&mut self, reference: VoucherRef) -> Result<Vec<qianzhang_core::scan::ScanInfo>, BackendError> {
        typed(|| crate::queries::scans_of(&mut self.tx, &self.ledger, reference))
    }

    fn put_scan(
        &mut self,
        sha256: &str,
        media: qianzhang_core::scan::MediaType,
        bytes: &[u8],
    ) -> Result<(), BackendError> {
        typed(|| {
            self.tx.exec(
                "INSERT INTO scans (ledger_id, sha256, media, bytes) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (ledger_id, sha256) DO NOTHING",
                &[&self.ledger.id, &sha256, &media.mime(), &bytes],
            )?;
            Ok(())
        })
    }

    fn append(&mut self, event: Event) -> Result<(), Failure> {
        qianzhang_core::text::check_event(&event)?;
        Ok(self.append_event(event)?)
    }
}

/// A store result as the `Books` port reports it.
fn typed<T>(read: impl FnOnce() -> Result<T, Error>) -> Result<T, BackendError> {
    read().map_err(BackendError::from)
}
