//! Bank and payment files into a wallet: CSV through a mapping profile, OFX, CAMT, MT940
//! (SPEC §4). Files are streamed: rows go straight from the reader into one IMMEDIATE
//! transaction, so memory stays flat and a refused batch leaves nothing behind. How a row
//! becomes a line and is written is [`crate::bank_writer`]'s, how a batch runs
//! [`crate::bank_batch`]'s; this module is what an import takes and reports.

use crate::bank_batch::BankBatch;
use crate::{Result, Store, StoreError, Wallet};
use chrono::{DateTime, Utc};
use recon_import::{
    read_csv_in, read_statement, FileSummary, Format, Profile, ReadError, Reject, RowResult,
    StatementInfo,
};
use serde::Serialize;
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
    /// OFX, CAMT, MT940 or QIF, read as the file says.
    Statement(Format),
    /// A QIF whose dates read both ways, in the order the user chose.
    Qif(recon_import::DayOrder),
}

impl FileReading {
    /// Streams the file's rows to `on_row` with the reader this way of reading needs.
    /// `wallet_currency`, when known, is what a currency written inside a CSV amount cell
    /// must name (unless a currency column or the profile says otherwise).
    pub fn read<R: Read, E>(
        &self,
        reader: R,
        wallet_currency: Option<&str>,
        on_row: impl FnMut(RowResult) -> std::result::Result<(), E>,
    ) -> std::result::Result<FileSummary, ReadError<E>> {
        match self {
            FileReading::Csv(profile) => read_csv_in(reader, profile, wallet_currency, on_row),
            FileReading::Statement(format) => read_statement(reader, *format, on_row),
            FileReading::Qif(order) => {
                let options = recon_import::StatementOptions {
                    day_order: Some(*order),
                };
                recon_import::read_statement_with(reader, Format::Qif, options, on_row)
            }
        }
    }

    pub(crate) fn format_name(&self) -> &'static str {
        match self {
            FileReading::Csv(_) => "csv",
            FileReading::Statement(f) => f.as_str(),
            FileReading::Qif(_) => Format::Qif.as_str(),
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
        rejects_text(
            self.rejects.iter().map(|r| RejectLine {
                file: &r.file,
                line: r.line,
                column: r.column.as_deref(),
                raw_value: &r.raw_value,
                reason: &r.reason,
            }),
            self.rejected,
        )
    }
}

/// One reported bad row, as [`rejects_text`] prints it.
pub struct RejectLine<'a> {
    pub file: &'a str,
    pub line: u64,
    pub column: Option<&'a str>,
    pub raw_value: &'a str,
    pub reason: &'a str,
}

/// Every reported bad row, one per line (file, line, column, raw value, reason), and how
/// many more of the `rejected` there were than the report holds.
pub fn rejects_text<'a>(rows: impl Iterator<Item = RejectLine<'a>>, rejected: u64) -> String {
    let mut out = String::new();
    let mut reported = 0u64;
    for r in rows {
        reported += 1;
        let column = r
            .column
            .map(|c| format!(", column '{c}'"))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n  {}: line {}{column}: '{}': {}",
            r.file, r.line, r.raw_value, r.reason
        ));
    }
    if reported < rejected {
        out.push_str(&format!("\n  … and {} more", rejected - reported));
    }
    out
}

/// The summary of an import whose files held no rows: no batch was written (its id is
/// empty) and each file says so; statement balances are still reported.
fn nothing_imported(mut summary: BankImportSummary) -> BankImportSummary {
    summary.batch_id = String::new();
    for file in &mut summary.files {
        file.notes
            .push("no rows found: nothing was imported and no batch was recorded".into());
    }
    summary
}

impl Store {
    /// Imports bank/payment files into `wallet_name` as one batch. By default any bad row
    /// refuses the whole batch ([`StoreError::RowsRejected`] lists every one); with
    /// `valid_rows_only` the valid rows land and the rejects are kept on the batch.
    /// Always: read = inserted + duplicates + rejected. Files without a single row write
    /// nothing: the summary's `batch_id` is empty and each file's notes say so.
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
        match imported {
            Err(StoreError::NoRows(summary)) => Ok(nothing_imported(*summary)),
            other => other,
        }
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
