//! The local ledger: one SQLite file (bundled SQLite) holding wallets, import batches,
//! journal lines, the hash-chained audit log and the sync outbox.
//!
//! Every connection runs in WAL mode with `synchronous=FULL`, foreign keys on and a busy
//! timeout. Every write is one `BEGIN IMMEDIATE` transaction that also appends its audit
//! record and, where the server must learn of it, its outbox events: a change, its audit
//! record and its outbox event land together or not at all.

mod audit;
mod audit_digest;
mod audit_trail;
mod bank_batch;
mod bank_import;
mod bank_writer;
mod checks;
mod contention;
mod error;
mod esi_import;
mod file_modes;
mod import_batches;
mod journal;
pub mod journal_ids;
mod journal_running;
pub mod ledger;
mod mapping_profiles;
mod matching;
pub mod payouts;
mod schema;
#[cfg(feature = "sim")]
mod sim_hook;
mod sync_keys;
mod sync_pull;
mod sync_pull_checks;
mod sync_pull_journal;
mod sync_pull_ledger;
mod sync_pull_matching;
mod sync_refusals;
mod sync_state;
mod sync_user;
mod wallets;
mod write;

pub use audit::{AuditRecord, AuditReport};
pub use audit_trail::MAX_AUDIT_LIST;
pub use bank_import::{
    rejects_text, BankFile, BankFileSummary, BankImportOptions, BankImportSummary, FileReading,
    RejectLine, RejectedRow, MAX_REPORTED_REJECTS,
};
pub use checks::{
    BreakKind, CheckLine, CheckRunOptions, CheckRunReport, CheckRunSummary, ContinuityBreak,
    ContinuityReport, FixScope, LevelsView, OpOutcome, PlatformImportSummary, StatementRef,
    WalletOpRequest, WorkspaceWallet,
};
pub use contention::WaitNotice;
pub use error::StoreError;
pub use esi_import::{ImportFileSummary, ImportSummary, SourceFile};
pub use import_batches::{BatchFileView, BatchView};
pub use journal::{JournalPage, JournalQuery, JournalRow, MAX_PAGE_ROWS};
pub use mapping_profiles::ProfileView;
pub use matching::{
    ActionSummary, AwaitingSuggestions, CycleSummary, ExpectedEdit, ExpectedImportSummary,
    ExpectedView, LinkView, MatchRunSummary, NewExpected, ReceiptSuggestionForExpected,
    ReceiptSuggestions, ReceiptView, RejectedReceipt, ReviewQueues, Suggestion, STATUSES,
    SUGGESTIONS_PER_ROW,
};
pub use schema::SCHEMA_VERSION;
pub use sync_pull::{PullOutcome, RemoteEventView};
pub use sync_refusals::{RefusedChange, SyncCounts};
pub use sync_state::{OutboxEvent, SyncStatus};
pub use wallets::{NewWallet, Wallet};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a writer waits for another process (the app and the CLI share the file).
pub const BUSY_TIMEOUT_MS: u64 = 5_000;

/// `recon-desk/ledger.sqlite` under the platform data directory
/// (`~/.local/share` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).
pub fn platform_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("recon-desk")
        .join("ledger.sqlite")
}

/// The database the user meant: `--db PATH`, else `RECON_DB`, else the platform default.
/// The app and the CLI both resolve it here, so what one imports the other shows.
pub fn resolve_db_path(flag: Option<&Path>) -> PathBuf {
    if let Some(path) = flag {
        return path.to_path_buf();
    }
    match std::env::var_os("RECON_DB") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => platform_db_path(),
    }
}

/// Timestamps are stored as RFC 3339 UTC with milliseconds, so text order is time order.
pub fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Told when a write must wait for another writer (the CLI prints it).
    wait_notice: Option<WaitNotice>,
    /// Set at open when other users of the machine can read the ledger.
    exposure: Option<String>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Page size of a new ledger.
pub const PAGE_SIZE_BYTES: u32 = 16 * 1024;

/// Longest an open waits for another process's bulk import (which holds the ledger in
/// rollback-journal mode, see [`Store::import_bank_files`]) before giving up.
pub const BULK_IMPORT_WAIT_MS: u64 = 60_000;

/// Switches the connection's ledger to WAL, waiting out a bulk import: SQLite answers
/// "busy" at once, without its busy handler, while another connection holds the file.
fn wal_mode(conn: &Connection) -> rusqlite::Result<String> {
    let start = std::time::Instant::now();
    loop {
        // journal_mode returns a row; the other pragmas do not.
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < Duration::from_millis(BULK_IMPORT_WAIT_MS) =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl Store {
    /// Opens (creating if needed) the ledger at `path` and brings its schema up to date.
    /// A ledger written by a newer Recon Desk is refused rather than misread.
    /// Opening never waits for a writer: the schema version is read (WAL readers do not
    /// wait) and the ledger is locked only when a migration is due. A new ledger's folder
    /// is created `0700` and its files `0600`.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            file_modes::create_private_dir(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        file_modes::create_private_file(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let at_path = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(at_path)?;
        conn.busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(at_path)?;
        // A new ledger gets 16 KiB pages: rows arrive in bulk and the journal is read by
        // scanning the table in order; fewer, fuller pages cost less per row. (A no-op on an
        // existing ledger, whose page size is fixed.)
        conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE_BYTES}"))
            .map_err(at_path)?;
        let mode = wal_mode(&conn).map_err(at_path)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid(format!(
                "{}: could not switch the ledger to WAL mode (got {mode})",
                path.display()
            )));
        }
        // Reads through a (read-only) mapping of the ledger file, not into heap page-cache
        // buffers: a check reading 30 MB of ledger otherwise spends ~10% of its CPU on the
        // kernel zeroing fresh heap pages (issue 11). Writes still go through the WAL.
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;
             PRAGMA mmap_size = 1073741824;",
        )
        .map_err(at_path)?;
        schema::migrate(&mut conn, path)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            wait_notice: None,
            exposure: file_modes::exposure(path),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who to tell when a write waits for another writer: what holds the ledger, then how
    /// long the wait took.
    pub fn set_wait_notice(&mut self, notice: WaitNotice) {
        self.wait_notice = Some(notice);
    }

    /// Why the ledger is exposed, when its files can be read by other users of the
    /// machine (checked at open).
    pub fn exposure_warning(&self) -> Option<&str> {
        self.exposure.as_deref()
    }

    /// For a big import, if no other connection has the ledger open: a rollback journal
    /// instead of the WAL, so each new page is written once (the WAL writes it, then copies
    /// it into the database). Same durability (`synchronous=FULL`); false if others are
    /// reading, and the import goes on in WAL mode.
    fn enter_bulk_mode(&mut self) -> Result<bool> {
        // Asking must not wait for readers: they are the reason to stay in WAL mode.
        self.conn.busy_timeout(Duration::ZERO)?;
        let mode = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            });
        self.conn
            .busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS))?;
        match mode {
            Ok(m) => Ok(m.eq_ignore_ascii_case("delete")),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Back to WAL after [`Store::enter_bulk_mode`]. Best effort: the import's outcome is
    /// what the caller reports, and every [`Store::open`] switches a ledger to WAL anyway.
    fn leave_bulk_mode(&mut self) {
        let _ = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
    }

    /// A `BEGIN IMMEDIATE` transaction, and the note that tells other writers who holds
    /// the ledger until it is dropped.
    fn write_tx(&mut self) -> Result<(rusqlite::Transaction<'_>, contention::WriterNote)> {
        contention::begin_write(&self.conn, &self.path, self.wait_notice.as_ref())
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use chrono::TimeZone;

    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
    }

    /// The receiving ISK character wallet most tests import into.
    pub fn main_wallet() -> crate::NewWallet {
        crate::NewWallet {
            name: "Main".into(),
            kind: "character".into(),
            owner_id: Some(90000001),
            division: None,
            currency: "ISK".into(),
            receiving: true,
        }
    }

    /// A ledger holding [`main_wallet`].
    pub fn store_with_main_wallet() -> (tempfile::TempDir, Store) {
        let (dir, mut store) = temp_store();
        store.add_wallet("alice", now(), main_wallet()).unwrap();
        (dir, store)
    }

    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("ledger.sqlite")).unwrap();
        (dir, store)
    }
}
