//! One bank batch being written, as named steps: open the batch, then for each file read
//! its rows into the streaming writer, check it, record it; then refuse the batch or
//! close it with its audit record. [`Store::import_bank_files`] runs it in the write path.

use crate::bank_import::{
    BankFile, BankFileSummary, BankImportOptions, BankImportSummary, FileReading, RejectedRow,
    MAX_REPORTED_REJECTS,
};
use crate::bank_writer::{to_line, BankWriter, Tap};
use crate::import_batches::{close_batch, open_batch};
use crate::write::{Audit, Change, LocalOnly};
use crate::{Result, StoreError, Wallet};
use chrono::{DateTime, Utc};
use recon_core::import_identity::RowTally;
use recon_import::{FileSummary, Occurrences, ReadError, RowResult};
use rusqlite::{params, Transaction};
use serde_json::json;
use std::sync::atomic::AtomicU64;

/// One bank batch being written: its writer (whose statements borrow the transaction)
/// and its summary so far.
pub(crate) struct BankBatch<'tx> {
    tx: &'tx Transaction<'tx>,
    wallet: &'tx Wallet,
    options: BankImportOptions,
    /// The files' format, or "mixed".
    format: &'static str,
    writer: BankWriter<'tx>,
    summary: BankImportSummary,
}

/// One file as read: what the reader said, its rejects, its bytes' size and hash.
struct FileRead {
    summary: FileSummary,
    rejected: u64,
    /// At most [`MAX_REPORTED_REJECTS`] over the batch.
    rejects: Vec<RejectedRow>,
    size_bytes: u64,
    sha256: String,
}

/// Names the file in a conflict's message.
fn in_file(name: &str) -> impl Fn(StoreError) -> StoreError + '_ {
    move |e| match e {
        StoreError::Conflict(m) => StoreError::Conflict(format!("{name}: {m}")),
        other => other,
    }
}

impl<'tx> BankBatch<'tx> {
    /// Writes the batch's row (its counts come at the end) and readies the writer.
    pub(crate) fn open(
        tx: &'tx Transaction<'tx>,
        actor: &str,
        now: DateTime<Utc>,
        wallet: &'tx Wallet,
        files: &[BankFile<'_>],
        options: BankImportOptions,
    ) -> Result<Self> {
        let batch_id = uuid::Uuid::new_v4().to_string();
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
            tx,
            &batch_id,
            &wallet.id,
            format,
            actor,
            now,
            options.valid_rows_only,
        )?;
        Ok(Self {
            tx,
            wallet,
            options,
            format,
            writer: BankWriter::new(tx, wallet, batch_no, options, check_tombstones)?,
            summary: BankImportSummary {
                batch_id,
                wallet: wallet.name.clone(),
                read: 0,
                inserted: 0,
                duplicates: 0,
                rejected: 0,
                files: Vec::new(),
                rejects: Vec::new(),
            },
        })
    }

    /// Reads one file into the batch: its rows, then its `import_batch_files` row.
    pub(crate) fn import_file(
        &mut self,
        position: usize,
        file: BankFile<'_>,
        progress: Option<&AtomicU64>,
    ) -> Result<()> {
        let name = file.name.clone();
        let profile_toml = match &file.reading {
            FileReading::Csv(p) => Some(p.to_toml()),
            FileReading::Statement(_) | FileReading::Qif(_) => None,
        };
        let read = self.read_rows(position, &name, file, progress)?;
        self.check_statement_currency(&name, &read.summary)?;
        let (mut tally, held_minor) = self.writer.finish_file().map_err(in_file(&name))?;
        tally.rejected = read.rejected;
        tally.accounts_for(read.summary.read).map_err(|e| {
            StoreError::Invalid(format!("internal error: {name}: {e}; nothing was saved"))
        })?;
        self.record_file(position, &name, &read, &tally, profile_toml, held_minor)?;
        self.add_to_summary(name, read, tally);
        Ok(())
    }

    /// Streams the file's rows into the writer; rejects are counted, reported (up to
    /// [`MAX_REPORTED_REJECTS`]) and, for a "valid rows only" import, kept on the batch.
    fn read_rows(
        &mut self,
        position: usize,
        name: &str,
        file: BankFile<'_>,
        progress: Option<&AtomicU64>,
    ) -> Result<FileRead> {
        let (tx, wallet, options) = (self.tx, self.wallet, self.options);
        let batch_id = self.summary.batch_id.as_str();
        let reported_before = self.summary.rejects.len();
        let writer = &mut self.writer;
        let mut tap = Tap::new(file.reader, progress);
        let mut occurrences = Occurrences::new();
        let mut rejected = 0u64;
        let mut rejects: Vec<RejectedRow> = Vec::new();
        let mut on_row = |result: RowResult| -> Result<()> {
            let reject = match result {
                RowResult::Row(row) => {
                    match to_line(row, &wallet.currency, wallet.scale, &mut occurrences) {
                        Ok((line, row)) => return writer.push(line, row).map_err(in_file(name)),
                        Err(r) => r,
                    }
                }
                RowResult::Reject(r) => r,
            };
            let reject = RejectedRow::from_reject(name, reject);
            rejected += 1;
            if options.valid_rows_only {
                keep_reject(tx, batch_id, position, &reject)?;
            }
            if rejects.len() + reported_before < MAX_REPORTED_REJECTS {
                rejects.push(reject);
            }
            Ok(())
        };
        let summary = match file
            .reading
            .read(&mut tap, Some(&wallet.currency), &mut on_row)
        {
            Ok(s) => s,
            Err(ReadError::Callback(e)) => return Err(e),
            Err(ReadError::Import(e)) => return Err(StoreError::Invalid(format!("{name}: {e}"))),
        };
        let (size_bytes, sha256) = tap.finish();
        Ok(FileRead {
            summary,
            rejected,
            rejects,
            size_bytes,
            sha256,
        })
    }

    /// A statement that names its currency must be in the wallet's.
    fn check_statement_currency(&self, name: &str, file: &FileSummary) -> Result<()> {
        let stated = file.statement.as_ref().and_then(|i| i.currency.as_deref());
        match stated {
            Some(c) if !c.eq_ignore_ascii_case(&self.wallet.currency) => {
                Err(StoreError::Invalid(format!(
                    "{name}: the statement is in {c} but wallet '{}' holds {}; choose a {c} wallet",
                    self.wallet.name, self.wallet.currency
                )))
            }
            _ => Ok(()),
        }
    }

    fn record_file(
        &self,
        position: usize,
        name: &str,
        read: &FileRead,
        tally: &RowTally,
        profile_toml: Option<String>,
        held_minor: i64,
    ) -> Result<()> {
        let info = read.summary.statement.as_ref();
        self.tx
            .prepare_cached(
                "INSERT INTO import_batch_files (batch_id, position, file_name, sha256, size_bytes, read, inserted, duplicates,
                    format, encoding, rejected, profile_toml, opening_balance, closing_balance, balances_agree, held_minor, lines_sum)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![
                self.summary.batch_id, position as i64, name, read.sha256, read.size_bytes as i64,
                read.summary.read as i64, tally.inserted as i64, tally.duplicates as i64,
                read.summary.format.as_str(), read.summary.encoding, tally.rejected as i64, profile_toml,
                info.and_then(|i| i.opening_balance.map(|b| b.to_string())),
                info.and_then(|i| i.closing_balance.map(|b| b.to_string())),
                info.and_then(|i| i.balances_agree),
                held_minor,
                info.and_then(|i| i.lines_sum.map(|s| s.to_string())),
            ])?;
        Ok(())
    }

    fn add_to_summary(&mut self, name: String, read: FileRead, tally: RowTally) {
        let summary = &mut self.summary;
        summary.read += read.summary.read;
        summary.inserted += tally.inserted;
        summary.duplicates += tally.duplicates;
        summary.rejected += tally.rejected;
        summary.rejects.extend(read.rejects);
        summary.files.push(BankFileSummary {
            file_name: name,
            sha256: read.sha256,
            format: read.summary.format.as_str().to_owned(),
            encoding: read.summary.encoding,
            read: read.summary.read,
            inserted: tally.inserted,
            duplicates: tally.duplicates,
            removed_earlier: tally.removed_earlier,
            rejected: tally.rejected,
            statement: read.summary.statement,
            notes: read.summary.notes,
        });
    }

    /// Refuses the batch if a row was bad (unless only valid rows were asked for), else
    /// sets its counts and hands the change to the write path with its audit record.
    pub(crate) fn finish(self) -> Result<Change<BankImportSummary>> {
        let Self {
            tx,
            wallet,
            options,
            format,
            mut writer,
            summary,
        } = self;
        let rows_digest = writer.rows_digest();
        drop(writer);
        if summary.rejected > 0 && !options.valid_rows_only {
            // The write path rolls the transaction back: nothing is half-written.
            return Err(StoreError::RowsRejected(Box::new(summary)));
        }
        if summary.read == 0 {
            // No rows, no batch: rolled back like a refusal, reported as a success.
            return Err(StoreError::NoRows(Box::new(summary)));
        }
        close_batch(
            tx,
            &summary.batch_id,
            [
                summary.read,
                summary.inserted,
                summary.duplicates,
                summary.rejected,
            ],
        )?;
        let audit = Audit {
            action: "import.batch",
            entity: "import_batch",
            entity_id: summary.batch_id.clone(),
            before: None,
            after: Some(json!({
                "wallet": wallet.name, "format": format,
                "read": summary.read, "inserted": summary.inserted,
                "duplicates": summary.duplicates, "rejected": summary.rejected,
                "valid_rows_only": options.valid_rows_only,
                "files": summary.files.iter().map(|f| json!({"file_name": f.file_name, "sha256": f.sha256})).collect::<Vec<_>>(),
            })),
        };
        Ok(Change::local(summary, audit, LocalOnly::BankStatementLines).attesting(rows_digest))
    }
}

/// Keeps a "valid rows only" import's reject on its batch, with its raw text.
fn keep_reject(
    tx: &Transaction<'_>,
    batch_id: &str,
    position: usize,
    reject: &RejectedRow,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO import_rejects (batch_id, position, line, column_name, raw_value, reason, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        batch_id,
        position as i64,
        reject.line as i64,
        reject.column,
        reject.raw_value,
        reject.reason,
        reject.raw
    ])?;
    Ok(())
}
