//! Bank and payment files into a wallet: CSV through a mapping profile, OFX, CAMT, MT940
//! (SPEC §4). Files are streamed: rows go straight from the reader into one IMMEDIATE
//! transaction, so memory stays flat and a refused batch leaves nothing behind.
//!
//! Identity: a row's natural id (`ref:{id}`) where the format has one, else the §4
//! fingerprint (`fp:{sha256}` of date, amount, description and the occurrence of that
//! tuple in the file). Rows of removed batches leave tombstones: a re-import skips them
//! unless the user asks to restore them.

use crate::audit::{append, AuditEntry};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use recon_core::money::{format_minor, to_minor};
use recon_import::{
    fingerprint, read_csv, read_statement, FileSummary, Format, Occurrences, ParsedRow, Profile,
    ReadError, Reject, RowResult, StatementInfo,
};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};

/// Rejects kept in memory for the report; beyond this only the count grows.
pub const MAX_REPORTED_REJECTS: usize = 100_000;

/// How to read one file.
// One per file: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum FileReading {
    Csv(Profile),
    /// OFX, CAMT or MT940.
    Statement(Format),
}

impl FileReading {
    /// Streams the file's rows to `on_row` with the reader this way of reading needs.
    pub fn read<R: Read, E>(
        &self,
        reader: R,
        on_row: impl FnMut(RowResult) -> std::result::Result<(), E>,
    ) -> std::result::Result<FileSummary, ReadError<E>> {
        match self {
            FileReading::Csv(profile) => read_csv(reader, profile, on_row),
            FileReading::Statement(format) => read_statement(reader, *format, on_row),
        }
    }

    fn format_name(&self) -> &'static str {
        match self {
            FileReading::Csv(_) => "csv",
            FileReading::Statement(f) => f.as_str(),
        }
    }
}

/// One file to import: its name as the user knows it, a reader over its bytes, how to read it.
pub struct BankFile<'a> {
    pub name: String,
    pub reader: Box<dyn Read + 'a>,
    pub reading: FileReading,
    /// The file's size when known (0 if not): big imports may write the ledger more cheaply.
    pub size_bytes: u64,
}

/// Imports at least this big write each page once when they have the ledger to themselves
/// (see [`Store::import_bank_files`]).
pub const BULK_IMPORT_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BankImportOptions {
    /// Import the valid rows and keep the rejects on the batch (default: a bad row refuses all).
    pub valid_rows_only: bool,
    /// Bring back rows of removed batches instead of skipping them.
    pub restore_removed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    pub column: Option<String>,
    pub raw_value: String,
    pub reason: String,
    pub raw: String,
}

impl RejectedRow {
    /// A reader's reject, named with the file it came from.
    pub fn from_reject(file: &str, r: Reject) -> Self {
        Self {
            file: file.to_owned(),
            line: r.line,
            column: r.column,
            raw_value: r.raw_value,
            reason: r.reason,
            raw: r.raw,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankFileSummary {
    pub file_name: String,
    pub sha256: String,
    pub format: String,
    pub encoding: String,
    pub read: u64,
    pub inserted: u64,
    pub duplicates: u64,
    /// Of the duplicates: rows skipped because their batch was removed.
    pub removed_earlier: u64,
    pub rejected: u64,
    pub statement: Option<StatementInfo>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankImportSummary {
    pub batch_id: String,
    pub wallet: String,
    pub read: u64,
    pub inserted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub files: Vec<BankFileSummary>,
    pub rejects: Vec<RejectedRow>,
}

impl BankImportSummary {
    /// Every bad row, one per line: file, line, column, raw value, reason.
    pub fn rejects_text(&self) -> String {
        let mut out = String::new();
        for r in &self.rejects {
            out.push_str(&format!(
                "\n  {}: line {}{}: '{}': {}",
                r.file,
                r.line,
                r.column
                    .as_deref()
                    .map(|c| format!(", column '{c}'"))
                    .unwrap_or_default(),
                r.raw_value,
                r.reason
            ));
        }
        if (self.rejects.len() as u64) < self.rejected {
            out.push_str(&format!(
                "\n  … and {} more",
                self.rejected - self.rejects.len() as u64
            ));
        }
        out
    }
}

/// Counts and hashes the bytes as they stream past.
struct Tap<'a, R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    progress: Option<&'a AtomicU64>,
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        if let Some(p) = self.progress {
            p.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// What a row turns into in the ledger. The row itself stays with the caller (a reject
/// needs its raw text).
struct Line {
    /// `ref:{id}` or `fp:{fingerprint}`.
    key: String,
    /// Midnight UTC of the row's date, in Unix seconds: where its id goes.
    seconds: i64,
    /// `YYYY-MM-DD`.
    date: [u8; 10],
    amount_minor: i64,
    balance_minor: Option<i64>,
}

impl Line {
    fn date(&self) -> &str {
        std::str::from_utf8(&self.date).expect("ASCII digits and dashes")
    }
}

/// A reject for a row that parsed but cannot be stored as written.
fn reject(row: ParsedRow, column: &str, raw_value: String, reason: String) -> Reject {
    Reject {
        line: row.line,
        column: Some(column.to_owned()),
        raw_value,
        reason,
        raw: row.raw,
    }
}

/// `YYYY-MM-DD` of a date inside [`crate::journal_ids::FIRST_DATE`]..[`crate::journal_ids::LAST_DATE`] (four-digit years).
fn iso_date(date: NaiveDate) -> [u8; 10] {
    let mut out = *b"0000-00-00";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, date.year() as u32);
    put(5, 2, date.month());
    put(8, 2, date.day());
    out
}

/// Turns a parsed row into ledger terms, or hands the row back with the reason it cannot be
/// stored.
fn to_line(
    row: ParsedRow,
    wallet_currency: &str,
    scale: u8,
    occurrences: &mut Occurrences,
) -> std::result::Result<(Line, ParsedRow), Reject> {
    if let Some(c) = row.currency.as_deref() {
        if !c.eq_ignore_ascii_case(wallet_currency) {
            let c = c.to_owned();
            let why = format!("the row is in {c} but the wallet holds {wallet_currency}");
            return Err(reject(row, "currency", c, why));
        }
    }
    if let Some(why) = crate::journal_ids::out_of_range(row.date) {
        let text = row.date.to_string();
        return Err(reject(row, "date", text, why));
    }
    // Never rounded: a value finer than the currency's scale is the row's error.
    let exact = |value: Decimal| {
        to_minor(value, scale).map_err(|_| {
            let text = value.to_string();
            let why = format!("'{text}' has more decimals than {wallet_currency} allows ({scale})");
            (text, why)
        })
    };
    let amount_minor = match exact(row.amount) {
        Ok(m) => m,
        Err((text, why)) => return Err(reject(row, "amount", text, why)),
    };
    let balance_minor = match row.balance.map(exact) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err((text, why))) => return Err(reject(row, "balance", text, why)),
    };
    let key = match row
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(r) => format!("ref:{r}"),
        None => {
            let n = occurrences.next(row.date, &row.amount, &row.description);
            format!(
                "fp:{}",
                fingerprint(row.date, &row.amount, &row.description, n)
            )
        }
    };
    let line = Line {
        key,
        seconds: crate::journal_ids::seconds_of_day(row.date),
        date: iso_date(row.date),
        amount_minor,
        balance_minor,
    };
    Ok((line, row))
}

/// Writes a batch's row before its lines (they name it by number); the counts come with
/// [`close_batch`]. Returns the batch's number.
pub(crate) fn open_batch(
    tx: &Transaction<'_>,
    batch_id: &str,
    wallet_id: &str,
    format: &str,
    actor: &str,
    now: DateTime<Utc>,
    valid_rows_only: bool,
) -> Result<i64> {
    Ok(tx.query_row(
        "INSERT INTO import_batches (id, no, wallet_id, format, read, inserted, duplicates, rejected, actor, at, valid_rows_only)
         VALUES (?1, (SELECT COALESCE(MAX(no), 0) + 1 FROM import_batches), ?2, ?3, 0, 0, 0, 0, ?4, ?5, ?6)
         RETURNING no",
        params![batch_id, wallet_id, format, actor, timestamp(now), valid_rows_only],
        |r| r.get(0),
    )?)
}

/// A batch's final counts: read, inserted, duplicates, rejected.
pub(crate) fn close_batch(tx: &Transaction<'_>, batch_id: &str, counts: [u64; 4]) -> Result<()> {
    let [read, inserted, duplicates, rejected] = counts.map(|n| n as i64);
    tx.execute(
        "UPDATE import_batches SET read = ?2, inserted = ?3, duplicates = ?4, rejected = ?5 WHERE id = ?1",
        params![batch_id, read, inserted, duplicates, rejected],
    )?;
    Ok(())
}

/// Whether `natural_key` belongs to a row of a removed batch of this wallet.
pub(crate) fn is_tombstoned(
    tx: &Transaction<'_>,
    wallet_id: &str,
    natural_key: &str,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM import_tombstones WHERE wallet_id = ?1 AND natural_key = ?2",
        )?
        .query_row(params![wallet_id, natural_key], |_| Ok(()))
        .optional()?
        .is_some())
}

#[derive(Clone, Copy)]
enum Outcome {
    Inserted,
    Duplicate,
    RemovedEarlier,
}

/// What one file's rows came to.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    inserted: u64,
    /// Includes `removed_earlier`.
    duplicates: u64,
    removed_earlier: u64,
}

/// Keys looked up together while rows have been duplicates.
const PROBE_BATCH: usize = 64;

/// A row waiting for its key to be looked up with others.
struct Pending {
    line: Line,
    row: ParsedRow,
    /// Id and amount of the wallet's row with this key, once looked up.
    stored: Option<(i64, Option<i64>)>,
}

/// Writes one batch's rows, in file order. While rows are new, each is simply inserted
/// (the insert's own uniqueness check finds a duplicate); once rows turn out to be
/// duplicates (a re-import, an overlapping export), their keys are looked up
/// [`PROBE_BATCH`] at a time, and only the missing rows are inserted.
struct BankWriter<'tx> {
    tx: &'tx Transaction<'tx>,
    wallet_id: &'tx str,
    scale: u8,
    restore: bool,
    check_tombstones: bool,
    ids: crate::journal_ids::RowIds,
    insert: rusqlite::Statement<'tx>,
    probe_one: rusqlite::Statement<'tx>,
    probe_many: rusqlite::Statement<'tx>,
    /// The last rows were mostly duplicates: look keys up before inserting.
    expect_duplicate: bool,
    pending: Vec<Pending>,
    counts: Counts,
}

impl<'tx> BankWriter<'tx> {
    fn new(
        tx: &'tx Transaction<'tx>,
        wallet: &'tx crate::Wallet,
        batch_no: i64,
        options: BankImportOptions,
        check_tombstones: bool,
    ) -> Result<Self> {
        let wallet_no = wallet.no;
        let many = (1..=PROBE_BATCH)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Self {
            tx,
            wallet_id: &wallet.id,
            scale: wallet.scale,
            restore: options.restore_removed,
            check_tombstones,
            ids: crate::journal_ids::RowIds::new(),
            // Wallet and batch are fixed for the statement (integers, written in); fewer
            // values to bind per row.
            insert: tx.prepare(&format!(
                "INSERT INTO journal_entries (rowid_pk, wallet_no, natural_key, date, ref_type, description,
                    amount_minor, balance_minor, counterparty, source_line, batch_no)
                 VALUES (?1, {wallet_no}, ?2, ?3, CASE WHEN ?4 < 0 THEN 'bank_debit' ELSE 'bank_credit' END,
                    ?5, ?4, ?6, ?7, ?8, {batch_no})
                 ON CONFLICT (wallet_no, natural_key) DO NOTHING",
            ))?,
            probe_one: tx.prepare(&format!(
                "SELECT rowid_pk, amount_minor FROM journal_entries
                 WHERE wallet_no = {wallet_no} AND natural_key = ?1"
            ))?,
            probe_many: tx.prepare(&format!(
                "SELECT natural_key, rowid_pk, amount_minor FROM journal_entries
                 WHERE wallet_no = {wallet_no} AND natural_key IN ({many})"
            ))?,
            expect_duplicate: false,
            pending: Vec::with_capacity(PROBE_BATCH),
            counts: Counts::default(),
        })
    }

    /// Takes one row; it may wait in the lookup batch.
    fn push(&mut self, line: Line, row: ParsedRow) -> Result<()> {
        if self.expect_duplicate {
            self.pending.push(Pending {
                line,
                row,
                stored: None,
            });
            if self.pending.len() == PROBE_BATCH {
                self.flush()?;
            }
            return Ok(());
        }
        let outcome = self.insert_new(&line, &row)?;
        self.expect_duplicate = !matches!(outcome, Outcome::Inserted);
        self.count(outcome);
        Ok(())
    }

    /// Settles the waiting rows: one lookup for all their keys, then each in file order.
    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut pending = std::mem::take(&mut self.pending);
        {
            let mut at: HashMap<&str, usize> = HashMap::with_capacity(pending.len());
            for (i, p) in pending.iter().enumerate().rev() {
                at.insert(&p.line.key, i); // the first of a key repeated in the batch wins
            }
            let last = pending.len() - 1;
            // A short batch repeats its last key: the IN list has a fixed length.
            let keys = (0..PROBE_BATCH).map(|i| pending[i.min(last)].line.key.as_str());
            let mut rows = self.probe_many.query(rusqlite::params_from_iter(keys))?;
            let mut found: Vec<(usize, i64, Option<i64>)> = Vec::with_capacity(pending.len());
            while let Some(r) = rows.next()? {
                let key = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                if let Some(&i) = at.get(key) {
                    found.push((i, r.get(1)?, r.get(2)?));
                }
            }
            drop(rows);
            drop(at);
            for (i, rowid, amount) in found {
                pending[i].stored = Some((rowid, amount));
            }
        }
        let mut new_rows = 0;
        for p in &pending {
            let outcome = match p.stored {
                Some(stored) => self.duplicate(&p.line, &p.row, stored)?,
                None => {
                    new_rows += 1;
                    self.insert_new(&p.line, &p.row)?
                }
            };
            self.count(outcome);
        }
        self.expect_duplicate = new_rows * 2 <= pending.len();
        pending.clear();
        self.pending = pending;
        Ok(())
    }

    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Inserted => self.counts.inserted += 1,
            Outcome::Duplicate => self.counts.duplicates += 1,
            Outcome::RemovedEarlier => {
                self.counts.duplicates += 1;
                self.counts.removed_earlier += 1;
            }
        }
    }

    /// Inserts a row not known to be in the wallet (a removed one stays out).
    fn insert_new(&mut self, line: &Line, row: &ParsedRow) -> Result<Outcome> {
        let key = line.key.as_str();
        if !self.restore && self.check_tombstones && is_tombstoned(self.tx, self.wallet_id, key)? {
            return Ok(Outcome::RemovedEarlier);
        }
        let rowid = self.ids.allocate(self.tx, line.seconds)?;
        let changed = self.insert.execute(params![
            rowid,
            key,
            line.date(),
            line.amount_minor,
            row.description,
            line.balance_minor,
            row.counterparty,
            row.line as i64,
        ])?;
        if changed == 1 {
            if self.restore {
                self.tx
                    .prepare_cached(
                        "DELETE FROM import_tombstones WHERE wallet_id = ?1 AND natural_key = ?2",
                    )?
                    .execute(params![self.wallet_id, key])?;
            }
            return Ok(Outcome::Inserted);
        }
        // The wallet holds the key after all (or this file had it earlier in the batch).
        let stored = self
            .probe_one
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .expect("an insert ignored on (wallet, key) means the row exists");
        self.duplicate(line, row, stored)
    }

    /// A row whose key the wallet holds: a duplicate, unless a natural id now comes with a
    /// different date or amount (fingerprints include both, so only a natural id can).
    /// The stored row's id carries its date (see [`crate::journal_ids`]).
    fn duplicate(
        &self,
        line: &Line,
        row: &ParsedRow,
        (rowid, amount): (i64, Option<i64>),
    ) -> Result<Outcome> {
        let key = line.key.as_str();
        let same_day = rowid >> crate::journal_ids::SEQUENCE_BITS == line.seconds;
        if key.starts_with("ref:") && (!same_day || amount != Some(line.amount_minor)) {
            let date: String = self.tx.query_row(
                "SELECT date FROM journal_entries WHERE rowid_pk = ?1",
                [rowid],
                |r| r.get(0),
            )?;
            return Err(StoreError::Conflict(format!(
                "line {}: transaction {} was already imported with date {date} and amount {}, but this file says {} and {}",
                row.line,
                &key[4..],
                amount.map(|a| format_minor(a, self.scale)).unwrap_or_else(|| "none".into()),
                line.date(),
                format_minor(line.amount_minor, self.scale)
            )));
        }
        Ok(Outcome::Duplicate)
    }

    /// Settles the file's last rows and hands back its counts, starting the next file at zero.
    fn finish_file(&mut self) -> Result<Counts> {
        self.flush()?;
        Ok(std::mem::take(&mut self.counts))
    }
}

impl Store {
    /// Imports bank/payment files into `wallet_name` as one batch. By default any bad row
    /// refuses the whole batch ([`StoreError::RowsRejected`] lists every one); with
    /// `valid_rows_only` the valid rows land and the rejects are kept on the batch.
    /// Always: read = inserted + duplicates + rejected.
    pub fn import_bank_files(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        wallet_name: &str,
        files: Vec<BankFile<'_>>,
        options: BankImportOptions,
        progress: Option<&AtomicU64>,
    ) -> Result<BankImportSummary> {
        if files.is_empty() {
            return Err(StoreError::Invalid("no files to import".into()));
        }
        let wallet = self.wallet_by_name(wallet_name)?;
        let bulk = files.iter().map(|f| f.size_bytes).sum::<u64>() >= BULK_IMPORT_BYTES
            && self.enter_bulk_mode()?;
        let imported = self.import_bank_files_tx(actor, now, &wallet, files, options, progress);
        if bulk {
            self.leave_bulk_mode();
        }
        imported
    }

    fn import_bank_files_tx(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        wallet: &crate::Wallet,
        files: Vec<BankFile<'_>>,
        options: BankImportOptions,
        progress: Option<&AtomicU64>,
    ) -> Result<BankImportSummary> {
        let batch_id = uuid::Uuid::new_v4().to_string();
        let tx = self.write_tx()?;
        // Most wallets never had a batch removed: skip a lookup per row for them.
        let check_tombstones: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM import_tombstones WHERE wallet_id = ?1)",
            [&wallet.id],
            |r| r.get(0),
        )?;
        let format = files
            .iter()
            .map(|f| f.reading.format_name())
            .reduce(|a, b| if a == b { a } else { "mixed" })
            .unwrap_or("csv");
        let batch_no = open_batch(
            &tx,
            &batch_id,
            &wallet.id,
            format,
            actor,
            now,
            options.valid_rows_only,
        )?;
        let mut summary = BankImportSummary {
            batch_id: batch_id.clone(),
            wallet: wallet.name.clone(),
            read: 0,
            inserted: 0,
            duplicates: 0,
            rejected: 0,
            files: Vec::new(),
            rejects: Vec::new(),
        };
        // The writer's statements borrow the transaction; it goes before the commit.
        let mut writer = BankWriter::new(&tx, wallet, batch_no, options, check_tombstones)?;
        for (position, file) in files.into_iter().enumerate() {
            let name = file.name.clone();
            let profile_toml = match &file.reading {
                FileReading::Csv(p) => Some(p.to_toml()),
                FileReading::Statement(_) => None,
            };
            let mut tap = Tap {
                inner: file.reader,
                hasher: Sha256::new(),
                bytes: 0,
                progress,
            };
            let mut rejected = 0u64;
            let in_file = |e: StoreError| match e {
                StoreError::Conflict(m) => StoreError::Conflict(format!("{name}: {m}")),
                other => other,
            };
            let mut occurrences = Occurrences::new();
            let mut file_rejects: Vec<RejectedRow> = Vec::new();
            let mut on_row = |result: RowResult| -> Result<()> {
                let reject = match result {
                    RowResult::Row(row) => {
                        match to_line(row, &wallet.currency, wallet.scale, &mut occurrences) {
                            Ok((line, row)) => return writer.push(line, row).map_err(in_file),
                            Err(r) => r,
                        }
                    }
                    RowResult::Reject(r) => r,
                };
                let reject = RejectedRow::from_reject(&name, reject);
                rejected += 1;
                if options.valid_rows_only {
                    tx.prepare_cached(
                        "INSERT INTO import_rejects (batch_id, position, line, column_name, raw_value, reason, raw)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![batch_id, position as i64, reject.line as i64, reject.column, reject.raw_value, reject.reason, reject.raw])?;
                }
                if file_rejects.len() + summary.rejects.len() < MAX_REPORTED_REJECTS {
                    file_rejects.push(reject);
                }
                Ok(())
            };
            let file_summary: FileSummary = match file.reading.read(&mut tap, &mut on_row) {
                Ok(s) => s,
                Err(ReadError::Callback(e)) => return Err(e),
                Err(ReadError::Import(e)) => {
                    return Err(StoreError::Invalid(format!("{name}: {e}")))
                }
            };
            if let Some(info) = &file_summary.statement {
                if let Some(c) = info.currency.as_deref() {
                    if !c.eq_ignore_ascii_case(&wallet.currency) {
                        return Err(StoreError::Invalid(format!(
                            "{name}: the statement is in {c} but wallet '{}' holds {}; choose a {c} wallet",
                            wallet.name, wallet.currency
                        )));
                    }
                }
            }
            let Counts {
                inserted,
                duplicates,
                removed_earlier,
            } = writer.finish_file().map_err(in_file)?;
            assert_eq!(
                file_summary.read,
                inserted + duplicates + rejected,
                "every row read is inserted, a duplicate or rejected"
            );
            let sha256 = hex::encode(tap.hasher.finalize());
            let info = file_summary.statement.clone();
            tx.execute(
                "INSERT INTO import_batch_files (batch_id, position, file_name, sha256, size_bytes, read, inserted, duplicates,
                    format, encoding, rejected, profile_toml, opening_balance, closing_balance, balances_agree)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    batch_id, position as i64, name, sha256, tap.bytes as i64, file_summary.read as i64,
                    inserted as i64, duplicates as i64, file_summary.format.as_str(), file_summary.encoding,
                    rejected as i64, profile_toml,
                    info.as_ref().and_then(|i| i.opening_balance.map(|b| b.to_string())),
                    info.as_ref().and_then(|i| i.closing_balance.map(|b| b.to_string())),
                    info.as_ref().and_then(|i| i.balances_agree),
                ],
            )?;
            summary.read += file_summary.read;
            summary.inserted += inserted;
            summary.duplicates += duplicates;
            summary.rejected += rejected;
            summary.rejects.extend(file_rejects);
            summary.files.push(BankFileSummary {
                file_name: name,
                sha256,
                format: file_summary.format.as_str().to_owned(),
                encoding: file_summary.encoding,
                read: file_summary.read,
                inserted,
                duplicates,
                removed_earlier,
                rejected,
                statement: file_summary.statement,
                notes: file_summary.notes,
            });
        }
        drop(writer);
        if summary.rejected > 0 && !options.valid_rows_only {
            // Dropping the transaction rolls everything back: nothing is half-written.
            return Err(StoreError::RowsRejected(Box::new(summary)));
        }
        close_batch(
            &tx,
            &batch_id,
            [
                summary.read,
                summary.inserted,
                summary.duplicates,
                summary.rejected,
            ],
        )?;
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "import.batch",
                entity: "import_batch",
                entity_id: &batch_id,
                before: None,
                after: Some(json!({
                    "wallet": wallet.name, "format": format,
                    "read": summary.read, "inserted": summary.inserted,
                    "duplicates": summary.duplicates, "rejected": summary.rejected,
                    "valid_rows_only": options.valid_rows_only,
                    "files": summary.files.iter().map(|f| json!({"file_name": f.file_name, "sha256": f.sha256})).collect::<Vec<_>>(),
                })),
            },
        )?;
        tx.commit()?;
        Ok(summary)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchFileView {
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub format: Option<String>,
    pub encoding: Option<String>,
    pub read: i64,
    pub inserted: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub opening_balance: Option<String>,
    pub closing_balance: Option<String>,
    pub balances_agree: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchView {
    pub id: String,
    pub wallet: String,
    pub format: String,
    pub read: i64,
    pub inserted: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub valid_rows_only: bool,
    pub actor: String,
    pub at: String,
    pub removed_at: Option<String>,
    pub removed_by: Option<String>,
    /// Rows of the batch still in the journal.
    pub rows_held: i64,
    pub files: Vec<BatchFileView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileView {
    pub name: String,
    pub toml: String,
    pub created_at: String,
    pub created_by: String,
}

impl Store {
    /// Every import batch, newest first, with its files.
    pub fn import_batches(&self) -> Result<Vec<BatchView>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.id, w.name, b.format, b.read, b.inserted, b.duplicates, b.rejected, b.valid_rows_only,
                    b.actor, b.at, b.removed_at, b.removed_by,
                    COALESCE(held.n, 0)
             FROM import_batches b JOIN wallets w ON w.id = b.wallet_id
             LEFT JOIN (SELECT batch_no, COUNT(*) AS n FROM journal_entries GROUP BY batch_no) held
                ON held.batch_no = b.no
             ORDER BY b.at DESC, b.rowid DESC",
        )?;
        let mut batches: Vec<BatchView> = stmt
            .query_map([], |r| {
                Ok(BatchView {
                    id: r.get(0)?,
                    wallet: r.get(1)?,
                    format: r.get(2)?,
                    read: r.get(3)?,
                    inserted: r.get(4)?,
                    duplicates: r.get(5)?,
                    rejected: r.get(6)?,
                    valid_rows_only: r.get(7)?,
                    actor: r.get(8)?,
                    at: r.get(9)?,
                    removed_at: r.get(10)?,
                    removed_by: r.get(11)?,
                    rows_held: r.get(12)?,
                    files: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut files = self.conn.prepare(
            "SELECT file_name, sha256, size_bytes, format, encoding, read, inserted, duplicates, rejected,
                    opening_balance, closing_balance, balances_agree
             FROM import_batch_files WHERE batch_id = ?1 ORDER BY position",
        )?;
        for b in &mut batches {
            b.files = files
                .query_map([&b.id], |r| {
                    Ok(BatchFileView {
                        file_name: r.get(0)?,
                        sha256: r.get(1)?,
                        size_bytes: r.get(2)?,
                        format: r.get(3)?,
                        encoding: r.get(4)?,
                        read: r.get(5)?,
                        inserted: r.get(6)?,
                        duplicates: r.get(7)?,
                        rejected: r.get(8)?,
                        opening_balance: r.get(9)?,
                        closing_balance: r.get(10)?,
                        balances_agree: r.get(11)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(batches)
    }

    /// The rows a "valid rows only" import left out, with their raw text.
    pub fn batch_rejects(&self, batch_id: &str) -> Result<Vec<RejectedRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.file_name, r.line, r.column_name, r.raw_value, r.reason, r.raw
             FROM import_rejects r
             JOIN import_batch_files f ON f.batch_id = r.batch_id AND f.position = r.position
             WHERE r.batch_id = ?1 ORDER BY r.position, r.line",
        )?;
        let rows = stmt
            .query_map([batch_id], |r| {
                Ok(RejectedRow {
                    file: r.get(0)?,
                    line: r.get::<_, i64>(1)? as u64,
                    column: r.get(2)?,
                    raw_value: r.get(3)?,
                    reason: r.get(4)?,
                    raw: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Removes a batch's rows from the journal, keeping tombstones so a re-import does not
    /// bring them back. Refused once any of its rows has been matched or reviewed.
    pub fn remove_batch(&mut self, actor: &str, now: DateTime<Utc>, batch_id: &str) -> Result<u64> {
        let tx = self.write_tx()?;
        let batch: Option<(String, Option<String>, i64, i64)> = tx
            .query_row(
                "SELECT wallet_id, removed_at, inserted, no FROM import_batches WHERE id = ?1",
                [batch_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((wallet_id, removed_at, inserted, batch_no)) = batch else {
            return Err(StoreError::NotFound {
                what: "import batch",
                name: batch_id.to_owned(),
            });
        };
        if let Some(at) = removed_at {
            return Err(StoreError::Conflict(format!(
                "batch {batch_id} was already removed at {at}"
            )));
        }
        let matched: i64 = tx.query_row(
            "SELECT COUNT(*) FROM journal_entries j WHERE j.batch_no = ?1 AND (
                EXISTS (SELECT 1 FROM match_links l WHERE l.journal_rowid = j.rowid_pk)
                OR EXISTS (SELECT 1 FROM receipt_rejections r WHERE r.journal_rowid = j.rowid_pk))",
            [batch_no],
            |r| r.get(0),
        )?;
        if matched > 0 {
            return Err(StoreError::Conflict(format!(
                "batch {batch_id} cannot be removed: {matched} of its rows have been matched or reviewed; unlink them first"
            )));
        }
        let tombstoned = tx.execute(
            "INSERT OR REPLACE INTO import_tombstones (wallet_id, natural_key, batch_id, date, amount_minor, description)
             SELECT w.id, j.natural_key, ?2, j.date, j.amount_minor, j.description
             FROM journal_entries j JOIN wallets w ON w.no = j.wallet_no WHERE j.batch_no = ?1",
            params![batch_no, batch_id],
        )?;
        let deleted = tx.execute(
            "DELETE FROM journal_entries WHERE batch_no = ?1",
            [batch_no],
        )?;
        assert_eq!(tombstoned, deleted, "every removed row leaves a tombstone");
        tx.execute(
            "UPDATE import_batches SET removed_at = ?2, removed_by = ?3 WHERE id = ?1",
            params![batch_id, timestamp(now), actor],
        )?;
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "import.remove",
                entity: "import_batch",
                entity_id: batch_id,
                before: Some(
                    json!({"wallet_id": wallet_id, "rows": deleted, "inserted": inserted}),
                ),
                after: Some(json!({"rows": 0, "tombstones": tombstoned})),
            },
        )?;
        tx.commit()?;
        Ok(deleted as u64)
    }

    /// Saves (or replaces) a CSV mapping profile under `name`; the TOML is validated first.
    pub fn save_profile(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        name: &str,
        toml: &str,
    ) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(StoreError::Invalid(
                "a profile name is 1 to 100 characters".into(),
            ));
        }
        let profile = Profile::from_toml(toml).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let canonical = profile.to_toml();
        let before: Option<String> = self
            .conn
            .query_row(
                "SELECT toml FROM mapping_profiles WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO mapping_profiles (name, toml, created_at, created_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET toml = excluded.toml",
            params![name, canonical, timestamp(now), actor],
        )?;
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "profile.save",
                entity: "mapping_profile",
                entity_id: name,
                before: before.map(serde_json::Value::String),
                after: Some(serde_json::Value::String(canonical.clone())),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn profiles(&self) -> Result<Vec<ProfileView>> {
        let mut stmt = self.conn.prepare(
            "SELECT name, toml, created_at, created_by FROM mapping_profiles ORDER BY name",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ProfileView {
                    name: r.get(0)?,
                    toml: r.get(1)?,
                    created_at: r.get(2)?,
                    created_by: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn profile(&self, name: &str) -> Result<Profile> {
        let toml: String = self
            .conn
            .query_row(
                "SELECT toml FROM mapping_profiles WHERE name = ?1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "profile",
                name: name.to_owned(),
            })?;
        Profile::from_toml(&toml)
            .map_err(|e| StoreError::Invalid(format!("saved profile '{name}': {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::NewWallet;

    fn csv(rows: usize) -> String {
        csv_of(0..rows)
    }

    /// Row `i` is the same in every file.
    fn csv_of(rows: impl IntoIterator<Item = usize>) -> String {
        let mut s = String::from("date,text,amount,id\n");
        for i in rows {
            s.push_str(&format!(
                "2026-03-{:02},row {i},{}.25,T{i}\n",
                1 + i % 28,
                i + 1
            ));
        }
        s
    }

    #[test]
    fn a_re_import_with_new_and_repeated_rows_counts_each_row_once() {
        let (_dir, mut store) = setup();
        assert_eq!(import(&mut store, &csv(200), 0).inserted, 200);
        // Known rows (looked up in batches), new rows among them, a key twice in the file.
        let rows = (0..150)
            .chain(200..230)
            .chain(150..200)
            .chain([210, 5])
            .chain(230..260);
        let s = import(&mut store, &csv_of(rows), 0);
        assert_eq!((s.read, s.inserted, s.duplicates), (262, 60, 202));
        assert_eq!(store.wallet_by_name("Giro").unwrap().entry_count, 260);
        // Once more: nothing new.
        let s = import(&mut store, &csv(260), 0);
        assert_eq!((s.inserted, s.duplicates), (0, 260));
    }

    fn import(store: &mut Store, text: &str, size_bytes: u64) -> BankImportSummary {
        let profile = Profile::from_toml(
            "date = \"date\"\ndate_format = \"%Y-%m-%d\"\namount = \"amount\"\ndescription = \"text\"\nreference = \"id\"\n",
        )
        .unwrap();
        let file = BankFile {
            name: "big.csv".into(),
            reader: Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            reading: FileReading::Csv(profile),
            size_bytes,
        };
        store
            .import_bank_files(
                "me",
                now(),
                "Giro",
                vec![file],
                BankImportOptions::default(),
                None,
            )
            .unwrap()
    }

    fn journal_mode(store: &Store) -> String {
        store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    }

    fn setup() -> (tempfile::TempDir, Store) {
        let (dir, mut store) = temp_store();
        store
            .add_wallet(
                "me",
                now(),
                NewWallet {
                    name: "Giro".into(),
                    kind: "bank".into(),
                    owner_id: None,
                    division: None,
                    currency: "EUR".into(),
                    receiving: false,
                },
            )
            .unwrap();
        (dir, store)
    }

    #[test]
    fn a_big_import_alone_with_the_ledger_leaves_it_in_wal_mode_with_every_row() {
        let (dir, mut store) = setup();
        let s = import(&mut store, &csv(500), BULK_IMPORT_BYTES);
        assert_eq!((s.read, s.inserted), (500, 500));
        assert_eq!(journal_mode(&store), "wal");
        let other = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
        assert_eq!(other.wallet_by_name("Giro").unwrap().entry_count, 500);
    }

    #[test]
    fn a_big_import_while_another_connection_reads_stays_in_wal_mode() {
        let (dir, mut store) = setup();
        let reader = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
        assert_eq!(reader.wallet_by_name("Giro").unwrap().entry_count, 0);
        let s = import(&mut store, &csv(300), BULK_IMPORT_BYTES);
        assert_eq!(s.inserted, 300);
        assert_eq!(journal_mode(&store), "wal");
        // The reader was never locked out and sees the batch.
        assert_eq!(reader.wallet_by_name("Giro").unwrap().entry_count, 300);
    }

    #[test]
    fn bulk_mode_is_taken_only_when_nobody_else_has_the_ledger_open() {
        let (dir, mut store) = setup();
        assert!(store.enter_bulk_mode().unwrap());
        assert_eq!(journal_mode(&store), "delete");
        store.leave_bulk_mode();
        assert_eq!(journal_mode(&store), "wal");
        let _reader = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
        assert!(!store.enter_bulk_mode().unwrap());
        assert_eq!(journal_mode(&store), "wal");
    }
}
