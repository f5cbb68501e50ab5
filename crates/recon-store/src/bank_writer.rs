//! The streaming writer of a bank import: each parsed row becomes a journal line (or a
//! reject), and lines go into the ledger in file order inside the import's transaction.
//!
//! Identity: a row's natural id (`ref:{id}`) where the format has one, else the §4
//! fingerprint (`fp:{sha256}` of date, amount, description and the occurrence of that
//! tuple in the file). Rows of removed batches leave tombstones: a re-import skips them
//! unless the user asks to restore them.

use crate::bank_import::BankImportOptions;
use crate::import_batches::is_tombstoned;
use crate::{Result, StoreError};
use chrono::{Datelike, NaiveDate};
use recon_core::import_identity::{known_key, KeyKind, KnownKey, LineFacts, RowOutcome, RowTally};
use recon_core::money::{format_minor, to_minor};
use recon_import::{fingerprint, Occurrences, ParsedRow, Reject};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts and hashes the bytes as they stream past.
pub(crate) struct Tap<'a, R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    progress: Option<&'a AtomicU64>,
}

impl<'a, R: Read> Tap<'a, R> {
    pub fn new(inner: R, progress: Option<&'a AtomicU64>) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            progress,
        }
    }

    /// The bytes read and their SHA-256 (hex).
    pub fn finish(self) -> (u64, String) {
        (self.bytes, hex::encode(self.hasher.finalize()))
    }
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
pub(crate) struct Line {
    /// `ref:{id}` or `fp:{fingerprint}`.
    key: String,
    /// Midnight UTC of the row's date, in Unix seconds: where its id goes.
    seconds: i64,
    /// `YYYY-MM-DD`.
    date: [u8; 10],
    amount_minor: i64,
    balance_minor: Option<i64>,
}

/// Keys of rows with a natural id start with this; fingerprints with `fp:`.
const REFERENCE_PREFIX: &str = "ref:";

impl Line {
    fn date(&self) -> &str {
        std::str::from_utf8(&self.date).expect("ASCII digits and dashes")
    }

    fn kind(&self) -> KeyKind {
        if self.key.starts_with(REFERENCE_PREFIX) {
            KeyKind::NaturalId
        } else {
            KeyKind::Fingerprint
        }
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
pub(crate) fn to_line(
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
        Some(r) => format!("{REFERENCE_PREFIX}{r}"),
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
pub(crate) struct BankWriter<'tx> {
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
    counts: RowTally,
    /// The file's lines the wallet now holds (inserted or duplicate), summed: what its
    /// statement balances are checked against.
    held_minor: i64,
    wallet_no: i64,
    batch_no: i64,
    /// The inserted rows, hashed as they go in: what the batch's audit record attests.
    rows: recon_core::audit::RowSetDigest,
}

impl<'tx> BankWriter<'tx> {
    pub fn new(
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
                    amount_minor, balance_minor, counterparty, source_line, batch_no, value_date)
                 VALUES (?1, {wallet_no}, ?2, ?3, CASE WHEN ?4 < 0 THEN 'bank_debit' ELSE 'bank_credit' END,
                    ?5, ?4, ?6, ?7, ?8, {batch_no}, ?9)
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
            counts: RowTally::default(),
            held_minor: 0,
            wallet_no,
            batch_no,
            rows: Default::default(),
        })
    }

    /// Takes one row; it may wait in the lookup batch.
    pub fn push(&mut self, line: Line, row: ParsedRow) -> Result<()> {
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
        self.expect_duplicate = outcome != RowOutcome::Inserted;
        self.count(outcome, line.amount_minor);
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
            self.count(outcome, p.line.amount_minor);
        }
        self.expect_duplicate = new_rows * 2 <= pending.len();
        pending.clear();
        self.pending = pending;
        Ok(())
    }

    fn count(&mut self, outcome: RowOutcome, amount_minor: i64) {
        if matches!(outcome, RowOutcome::Inserted | RowOutcome::Duplicate) {
            self.held_minor = self.held_minor.saturating_add(amount_minor);
        }
        self.counts.count(outcome);
    }

    /// Inserts a row not known to be in the wallet (a removed one stays out).
    fn insert_new(&mut self, line: &Line, row: &ParsedRow) -> Result<RowOutcome> {
        let key = line.key.as_str();
        if !self.restore && self.check_tombstones && is_tombstoned(self.tx, self.wallet_id, key)? {
            return Ok(RowOutcome::RemovedEarlier);
        }
        let rowid = self.ids.allocate(self.tx, line.seconds)?;
        let ref_type = if line.amount_minor < 0 {
            "bank_debit"
        } else {
            "bank_credit"
        };
        let changed = self.insert.execute(params![
            rowid,
            key,
            line.date(),
            line.amount_minor,
            row.description,
            line.balance_minor,
            row.counterparty,
            row.line as i64,
            row.value_date,
        ])?;
        if changed == 1 {
            self.attest(rowid, line, row, ref_type);
            if self.restore {
                self.tx
                    .prepare_cached(
                        "DELETE FROM import_tombstones WHERE wallet_id = ?1 AND natural_key = ?2",
                    )?
                    .execute(params![self.wallet_id, key])?;
            }
            return Ok(RowOutcome::Inserted);
        }
        // The wallet holds the key after all (or this file had it earlier in the batch).
        let stored = self
            .probe_one
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .expect("an insert ignored on (wallet, key) means the row exists");
        self.duplicate(line, row, stored)
    }

    /// Hashes the row just inserted, from the values bound to the insert.
    fn attest(&mut self, rowid: i64, line: &Line, row: &ParsedRow, ref_type: &str) {
        let hash = crate::audit_digest::journal_row(&crate::audit_digest::JournalRow {
            rowid,
            wallet_no: self.wallet_no,
            natural_key: &line.key,
            esi_id: None,
            date: line.date(),
            ref_type,
            description: &row.description,
            reason: None,
            amount_minor: Some(line.amount_minor),
            amount_raw: None,
            balance_minor: line.balance_minor,
            balance_raw: None,
            first_party_id: None,
            second_party_id: None,
            context_id: None,
            context_id_type: None,
            tax_minor: None,
            tax_raw: None,
            tax_receiver_id: None,
            batch_no: self.batch_no,
            counterparty: row.counterparty.as_deref(),
            source_line: Some(row.line as i64),
        });
        self.rows.add(rowid, hash);
    }

    /// The digest of every row this writer inserted.
    pub fn rows_digest(&mut self) -> String {
        std::mem::take(&mut self.rows).finish()
    }

    /// A row whose key the wallet holds: a duplicate, unless a natural id now comes with a
    /// different day or amount (see [`known_key`]). The stored row's id carries its day
    /// (see [`crate::journal_ids`]).
    fn duplicate(
        &self,
        line: &Line,
        row: &ParsedRow,
        (rowid, amount): (i64, Option<i64>),
    ) -> Result<RowOutcome> {
        let stored = LineFacts {
            date: rowid >> crate::journal_ids::SEQUENCE_BITS,
            amount_minor: amount,
        };
        let incoming = LineFacts {
            date: line.seconds,
            amount_minor: Some(line.amount_minor),
        };
        if known_key(line.kind(), &stored, &incoming) == KnownKey::Duplicate {
            return Ok(RowOutcome::Duplicate);
        }
        let date: String = self
            .tx
            .prepare_cached("SELECT date FROM journal_entries WHERE rowid_pk = ?1")?
            .query_row([rowid], |r| r.get(0))?;
        Err(StoreError::Conflict(format!(
            "line {}: transaction {} was already imported with date {date} and amount {}, but this file says {} and {}",
            row.line,
            &line.key[REFERENCE_PREFIX.len()..],
            amount.map(|a| format_minor(a, self.scale)).unwrap_or_else(|| "none".into()),
            line.date(),
            format_minor(line.amount_minor, self.scale)
        )))
    }

    /// Settles the file's last rows and hands back its counts and the sum of its lines the
    /// wallet holds, starting the next file at zero.
    pub fn finish_file(&mut self) -> Result<(RowTally, i64)> {
        self.flush()?;
        Ok((
            std::mem::take(&mut self.counts),
            std::mem::take(&mut self.held_minor),
        ))
    }
}
