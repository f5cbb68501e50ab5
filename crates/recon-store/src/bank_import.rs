//! Bank and payment files into a wallet: CSV through a mapping profile, OFX, CAMT, MT940
//! (SPEC §4). Files are streamed: rows go straight from the reader into one IMMEDIATE
//! transaction, so memory stays flat and a refused batch leaves nothing behind. How a row
//! becomes a line and is written is [`crate::bank_writer`]'s; this module runs the batch.

use crate::bank_writer::{to_line, BankWriter, Tap};
use crate::import_batches::{close_batch, open_batch};
use crate::write::{Audit, Change, LocalOnly};
use crate::{Result, Store, StoreError, Wallet};
use chrono::{DateTime, Utc};
use recon_core::import_identity::RowTally;
use recon_import::{
    read_csv, read_statement, FileSummary, Format, Occurrences, Profile, ReadError, Reject,
    RowResult, StatementInfo,
};
use rusqlite::{params, Transaction};
use serde::Serialize;
use serde_json::json;
use std::io::Read;
use std::sync::atomic::AtomicU64;

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
        wallet: &Wallet,
        files: Vec<BankFile<'_>>,
        options: BankImportOptions,
        progress: Option<&AtomicU64>,
    ) -> Result<BankImportSummary> {
        self.write(actor, now, |tx| {
            let mut batch = BankBatch::open(tx, actor, now, wallet, &files, options)?;
            for (position, file) in files.into_iter().enumerate() {
                batch.import_file(position, file, progress)?;
            }
            batch.finish()
        })
    }
}

/// One bank batch being written: its writer (whose statements borrow the transaction)
/// and its summary so far.
struct BankBatch<'tx> {
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
    fn open(
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
    fn import_file(
        &mut self,
        position: usize,
        file: BankFile<'_>,
        progress: Option<&AtomicU64>,
    ) -> Result<()> {
        let name = file.name.clone();
        let profile_toml = match &file.reading {
            FileReading::Csv(p) => Some(p.to_toml()),
            FileReading::Statement(_) => None,
        };
        let read = self.read_rows(position, &name, file, progress)?;
        self.check_statement_currency(&name, &read.summary)?;
        let mut tally = self.writer.finish_file().map_err(in_file(&name))?;
        tally.rejected = read.rejected;
        tally.accounts_for(read.summary.read).map_err(|e| {
            StoreError::Invalid(format!("internal error: {name}: {e}; nothing was saved"))
        })?;
        self.record_file(position, &name, &read, &tally, profile_toml)?;
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
        let summary = match file.reading.read(&mut tap, &mut on_row) {
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
    ) -> Result<()> {
        let info = read.summary.statement.as_ref();
        self.tx
            .prepare_cached(
                "INSERT INTO import_batch_files (batch_id, position, file_name, sha256, size_bytes, read, inserted, duplicates,
                    format, encoding, rejected, profile_toml, opening_balance, closing_balance, balances_agree)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                self.summary.batch_id, position as i64, name, read.sha256, read.size_bytes as i64,
                read.summary.read as i64, tally.inserted as i64, tally.duplicates as i64,
                read.summary.format.as_str(), read.summary.encoding, tally.rejected as i64, profile_toml,
                info.and_then(|i| i.opening_balance.map(|b| b.to_string())),
                info.and_then(|i| i.closing_balance.map(|b| b.to_string())),
                info.and_then(|i| i.balances_agree),
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
    fn finish(self) -> Result<Change<BankImportSummary>> {
        let Self {
            tx,
            wallet,
            options,
            format,
            writer,
            summary,
        } = self;
        drop(writer);
        if summary.rejected > 0 && !options.valid_rows_only {
            // The write path rolls the transaction back: nothing is half-written.
            return Err(StoreError::RowsRejected(Box::new(summary)));
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
        Ok(Change::local(summary, audit, LocalOnly::BankStatementLines))
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
